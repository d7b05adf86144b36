// Compiles fixtures/program.as.ts (the filter's loader and program decoder behind a flat test ABI) with the
// AssemblyScript compiler API, caches the wasm in os.tmpdir() keyed by a hash of its sources.
import asc from "assemblyscript/asc";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../..");
const entry = join(here, "fixtures/program.as.ts");

function sourcesHash(): string {
  const h = createHash("sha256");
  const dirFiles = (d: string) => readdirSync(join(repoRoot, d)).filter((f) => f.endsWith(".ts")).sort().map((f) => join(repoRoot, d, f));
  for (const f of [entry, join(repoRoot, "rulesets/tables/format.ts"), join(repoRoot, "rulesets/tables/variables.ts"), join(repoRoot, "filter/transforms/ids.ts"), ...dirFiles("filter/tables"), ...dirFiles("filter/program"), join(repoRoot, "node_modules/assemblyscript/package.json")]) {
    h.update(f).update(readFileSync(f));
  }
  return h.digest("hex").slice(0, 16);
}

async function compile(): Promise<Uint8Array> {
  const dir = join(tmpdir(), "workload-waf-tests");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `program-xcheck-${sourcesHash()}.wasm`);
  if (existsSync(out)) return readFileSync(out);
  const config = join(dir, "program-xcheck.asconfig.json");
  writeFileSync(config, JSON.stringify({ options: {} }));
  const tmp = `${out}.${process.pid}.tmp`;
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main([entry, "--config", config, "--outFile", tmp, "--runtime", "incremental", "--optimizeLevel", "2", "--noColors"], { stderr });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  renameSync(tmp, out);
  return readFileSync(out);
}

interface Exports {
  memory: WebAssembly.Memory;
  tableBuffer(len: number): number;
  load(): number;
  errorSection(): number;
  count(what: number): number;
  digest(): number;
  ruleId(i: number): number;
}

export class AsProgram {
  private constructor(private readonly x: Exports) {}
  static async create(): Promise<AsProgram> {
    const wasm = await compile();
    const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), {
      env: {
        abort(_m: number, _f: number, line: number, col: number) {
          throw new Error(`wasm abort at ${line}:${col}`);
        },
      },
    });
    return new AsProgram(instance.exports as unknown as Exports);
  }
  /** LoadError code (0 = OK), -100 when loaded but without a program. */
  load(table: Uint8Array): number {
    const p = this.x.tableBuffer(table.length);
    new Uint8Array(this.x.memory.buffer, p, table.length).set(table);
    return this.x.load();
  }
  get errorSection(): number {
    return this.x.errorSection();
  }
  counts() {
    const c = (i: number) => this.x.count(i);
    return {
      rules: c(0), conditions: c(1), targets: c(2), pipelines: c(3), actions: c(4), macros: c(5), markers: c(6), regexes: c(7),
      phaseStart: [8, 9, 10, 11, 12, 13].map(c),
    };
  }
  digest(): number {
    return this.x.digest() >>> 0;
  }
  ruleId(i: number): number {
    return this.x.ruleId(i) >>> 0;
  }
}
