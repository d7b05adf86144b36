// Compiles tests/rulesets/tables/fixtures/xcheck.as.ts (the filter's real table loader and walkers behind a flat
// test ABI) with the AssemblyScript compiler API, caches the wasm in os.tmpdir() keyed by a hash of every source it
// depends on, and wraps it for the cross-check tests. A trap inside the module surfaces as a thrown JS error, so a
// test that expects "refused, never a trap" fails loudly if the loader ever aborts.
import asc from "assemblyscript/asc";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { instantiateAs } from "../../support/instantiate-as";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../..");
const entry = join(here, "fixtures/xcheck.as.ts");

function sourcesHash(): string {
  const h = createHash("sha256");
  const files = [
    entry,
    join(repoRoot, "rulesets/tables/format.ts"),
    ...readdirSync(join(repoRoot, "filter/tables"))
      .filter((f) => f.endsWith(".ts"))
      .sort()
      .map((f) => join(repoRoot, "filter/tables", f)),
    join(repoRoot, "node_modules/assemblyscript/package.json"),
  ];
  for (const f of files) h.update(f).update(readFileSync(f));
  return h.digest("hex").slice(0, 16);
}

async function compile(): Promise<Uint8Array> {
  const dir = join(tmpdir(), "workload-waf-tests");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `tables-xcheck-${sourcesHash()}.wasm`);
  if (existsSync(out)) return readFileSync(out);
  // An empty config keeps asc from picking up the repo's asconfig.json (the filter's proxy-wasm abort handler).
  const config = join(dir, "tables-xcheck.asconfig.json");
  writeFileSync(config, JSON.stringify({ options: {} }));
  const tmp = `${out}.${process.pid}.tmp`;
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main(
    [entry, "--config", config, "--outFile", tmp, "--runtime", "incremental", "--optimizeLevel", "2", "--noColors"],
    { stderr },
  );
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  renameSync(tmp, out); // atomic: parallel test processes may race to build the same file
  return readFileSync(out);
}

interface Exports {
  memory: WebAssembly.Memory;
  tableBuffer(len: number): number;
  load(): number;
  loadErrorSection(): number;
  loadMessageLength(): number;
  sectionCount(): number;
  inputBuffer(len: number): number;
  acSearch(section: number, len: number): number;
  acMatchEnd(section: number): number;
  acPhraseLength(section: number, id: number): number;
  acMarkAll(section: number, len: number): number;
  bitsetPtr(): number;
  ipLookup(section: number, len: number): number;
}

export class AsTables {
  private constructor(private readonly x: Exports) {}

  static async create(): Promise<AsTables> {
    const wasm = await compile();
    const x = instantiateAs<Exports>(wasm);
    return new AsTables(x);
  }

  /** Loads a table into the AS loader; returns the LoadError code (0 = OK). */
  load(table: Uint8Array): number {
    const p = this.x.tableBuffer(table.length);
    new Uint8Array(this.x.memory.buffer, p, table.length).set(table);
    return this.x.load();
  }
  get errorSection(): number {
    return this.x.loadErrorSection();
  }
  get messageLength(): number {
    return this.x.loadMessageLength();
  }
  get sectionCount(): number {
    return this.x.sectionCount();
  }

  private input(data: Uint8Array): void {
    const p = this.x.inputBuffer(Math.max(1, data.length));
    new Uint8Array(this.x.memory.buffer, p, data.length).set(data);
  }

  /** @pm: { phrase, end } of the first match, null if none. Throws on AS fault codes. */
  acSearch(section: number, data: Uint8Array): { phrase: number; end: number } | null {
    this.input(data);
    const r = this.x.acSearch(section, data.length);
    if (r === -1) return null;
    if (r < 0) throw new Error(`acSearch returned ${r}`);
    return { phrase: r, end: this.x.acMatchEnd(section) };
  }

  acPhraseLength(section: number, id: number): number {
    return this.x.acPhraseLength(section, id);
  }

  /** Every phrase id occurring in the input. */
  acFindAll(section: number, data: Uint8Array, phraseCount: number): Set<number> {
    this.input(data);
    const n = this.x.acMarkAll(section, data.length);
    if (n < 0) throw new Error(`acMarkAll returned ${n}`);
    const bits = new Uint8Array(this.x.memory.buffer, this.x.bitsetPtr(), (phraseCount + 7) >> 3);
    const out = new Set<number>();
    for (let i = 0; i < phraseCount; i++) if (bits[i >> 3] & (1 << (i & 7))) out.add(i);
    if (out.size !== n) throw new Error(`acMarkAll count ${n} != ${out.size} bits`);
    return out;
  }

  /** @ipMatch: 1 match, 0 no match, -1 invalid address. */
  ipLookup(section: number, data: Uint8Array): number {
    this.input(data);
    return this.x.ipLookup(section, data.length);
  }
}
