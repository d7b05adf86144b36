/**
 * Compiles tests/libinjection/fixtures/entry.as.ts (the native detectors over a static input buffer) with the
 * AssemblyScript compiler's programmatic API into os.tmpdir(), cached by a hash of every source that goes in, and
 * wraps the instance in a byte-oriented API.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildAsModule } from "../../support/build-as";
import { repoRoot } from "../../support/paths";

export const REPO_ROOT = repoRoot;
const ENTRY = join(REPO_ROOT, "tests/libinjection/fixtures/entry.as.ts");

export async function compileDetectorWasm(): Promise<string> {
  return buildAsModule("libinjection-detect", ENTRY, ["-O3", "--runtime", "stub", "--noAssert"]);
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
