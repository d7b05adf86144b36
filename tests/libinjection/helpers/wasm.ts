/**
 * Compiles tests/libinjection/fixtures/entry.as.ts (the native detectors over a static input buffer) with the
 * AssemblyScript compiler's programmatic API into os.tmpdir(), cached by a hash of every source that goes in, and
 * wraps the instance in a byte-oriented API.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, "../../..");
const ENTRY = join(REPO_ROOT, "tests/libinjection/fixtures/entry.as.ts");
const FILTER_DIR = join(REPO_ROOT, "filter/libinjection");

function sourceFiles(): string[] {
  const files = [ENTRY];
  for (const sub of ["", "generated"]) {
    const dir = join(FILTER_DIR, sub);
    for (const f of readdirSync(dir).sort()) if (f.endsWith(".ts")) files.push(join(dir, f));
  }
  return files;
}

const ASC_FLAGS = ["-O3", "--runtime", "stub", "--noAssert", "--config", "/dev/null"];

export async function compileDetectorWasm(): Promise<string> {
  const ascPkg = JSON.parse(readFileSync(join(REPO_ROOT, "node_modules/assemblyscript/package.json"), "utf8")) as { version: string };
  const h = createHash("sha256");
  h.update(ascPkg.version + "\0" + ASC_FLAGS.join(" ") + "\0");
  for (const f of sourceFiles()) h.update(f.slice(REPO_ROOT.length) + "\0").update(readFileSync(f)).update("\0");
  const dir = join(tmpdir(), "workload-waf-libinjection");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `detect-${h.digest("hex").slice(0, 16)}.wasm`);
  if (existsSync(out)) return out;
  const { default: asc } = await import("assemblyscript/asc");
  const tmp = `${out}.${process.pid}.tmp`;
  let stderr = "";
  const { error } = await asc.main([ENTRY, "--outFile", tmp, ...ASC_FLAGS], {
    stdout: { write: () => true } as never,
    stderr: { write: (s: string | Uint8Array) => ((stderr += String(s)), true) } as never,
  });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr}`);
  renameSync(tmp, out);
  return out;
}

export interface Detectors {
  /** @detectSQLi: match and, on a match, the fingerprint ("" otherwise). */
  sqli(input: Uint8Array): { match: boolean; fingerprint: string };
  xss(input: Uint8Array): boolean;
  /** Run one detector `times` times inside wasm (0 = sqli, 1 = xss); returns the number of matches. */
  repeat(input: Uint8Array, times: number, which: 0 | 1): number;
  inputCap: number;
}

export async function loadDetectors(): Promise<Detectors> {
  const path = await compileDetectorWasm();
  // Module + Instance: @types/node without the DOM lib does not declare WebAssembly.instantiate.
  const inst = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(path)), {
    env: {
      abort: () => {
        throw new Error("abort");
      },
    },
  });
  const ex = inst.exports as unknown as {
    memory: WebAssembly.Memory;
    inputPtr(): number;
    fingerprintPtr(): number;
    sqli(len: number): number;
    xss(len: number): number;
    repeat(len: number, times: number, which: number): number;
    INPUT_CAP: { value: number };
  };
  const cap = Number(ex.INPUT_CAP.value);
  const inPtr = ex.inputPtr();
  const fpPtr = ex.fingerprintPtr();
  const put = (input: Uint8Array): number => {
    if (input.length > cap) throw new Error(`input longer than ${cap} bytes`);
    new Uint8Array(ex.memory.buffer, inPtr, input.length).set(input);
    return input.length;
  };
  return {
    inputCap: cap,
    sqli(input) {
      const match = ex.sqli(put(input)) === 1;
      if (!match) return { match, fingerprint: "" };
      const fp = new Uint8Array(ex.memory.buffer, fpPtr, 8);
      const end = fp.indexOf(0);
      return { match, fingerprint: Buffer.from(fp.subarray(0, end < 0 ? 8 : end)).toString("latin1") };
    },
    xss(input) {
      return ex.xss(put(input)) === 1;
    },
    repeat(input, times, which) {
      return ex.repeat(put(input), times, which);
    },
  };
}

/** Write `text` to `file` only when it differs (keeps caches and mtimes stable). */
export function writeIfChanged(file: string, text: string): void {
  if (existsSync(file) && readFileSync(file, "utf8") === text) return;
  writeFileSync(file, text);
}
