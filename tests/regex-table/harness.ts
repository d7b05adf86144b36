/**
 * The AssemblyScript side of the regex-table cross-check: fixtures/entry.as.ts (loadTable + decodeProgram +
 * filter/program/regexes.ts buildRegexes + filter/regex match) built with the shared builder and wrapped. A trap
 * inside the module surfaces as a thrown JS error, so "never a trap" is checked by every call.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildAsModule } from "../support/build-as";
import type { AsMatch } from "../regex-as/harness";
import { instantiateAs } from "../support/instantiate-as";

const here = dirname(fileURLToPath(import.meta.url));
const ENTRY = join(here, "fixtures/entry.as.ts");
const FLAGS = ["--runtime", "incremental", "--optimizeLevel", "3", "--shrinkLevel", "0", "--noColors"];

interface Exports {
  memory: WebAssembly.Memory;
  tableBuffer(len: number): number;
  load(): number;
  messagePtr(): number;
  messageLen(): number;
  errorRegexIndex(): number;
  regexCount(): number;
  regexTier(i: number): number;
  regexCaptureEngine(i: number): number;
  regexGroups(i: number): number;
  regexCanCapture(i: number): number;
  prefilteredCount(): number;
  inputBuffer(len: number): number;
  matchRegex(i: number, len: number, wantCaptures: number): number;
  capturesPtr(): number;
  capturesCount(): number;
  prefilterScan(len: number): number;
  regexMayMatch(i: number): number;
}

export class AsRegexTable {
  private len = 0;
  private constructor(readonly x: Exports) {}

  static create(): AsRegexTable {
    const wasm = readFileSync(buildAsModule("regex-table", ENTRY, FLAGS));
    const x = instantiateAs<Exports>(wasm);
    return new AsRegexTable(x);
  }

  /** 0 ok, 1 table refused, 2 no program, 3 regex set refused; `message` says why. */
  load(table: Uint8Array): { code: number; message: string; regex: number } {
    const p = this.x.tableBuffer(table.length);
    new Uint8Array(this.x.memory.buffer, p, table.length).set(table);
    const code = this.x.load();
    const message = code ? Buffer.from(new Uint8Array(this.x.memory.buffer, this.x.messagePtr(), this.x.messageLen())).toString("utf8") : "";
    return { code, message, regex: this.x.errorRegexIndex() };
  }

  get count(): number {
    return this.x.regexCount();
  }
  info(i: number) {
    return { tier: this.x.regexTier(i), captureEngine: this.x.regexCaptureEngine(i), groups: this.x.regexGroups(i), canCapture: this.x.regexCanCapture(i) === 1 };
  }
  get prefiltered(): number {
    return this.x.prefilteredCount();
  }

  /** Puts `data` in the input buffer; the calls below work on the last input. */
  input(data: Uint8Array): void {
    const p = this.x.inputBuffer(Math.max(1, data.length));
    new Uint8Array(this.x.memory.buffer, p, data.length).set(data);
    this.len = data.length;
  }

  match(i: number, captures: boolean): AsMatch {
    const r = this.x.matchRegex(i, this.len, captures ? 1 : 0);
    const out: AsMatch = { matched: (r & 1) === 1, error: r >> 1 };
    if (captures && out.matched) {
      const n = this.x.capturesCount();
      const s = new Int32Array(this.x.memory.buffer.slice(this.x.capturesPtr(), this.x.capturesPtr() + 8 * n));
      out.captures = [];
      for (let g = 0; g < n; g++) out.captures.push(s[2 * g]! >= 0 ? [s[2 * g]!, s[2 * g + 1]!] : null);
    }
    return out;
  }

  /** Prefilter scan of the current input: distinct phrases found, -1 on a fault. */
  scan(): number {
    return this.x.prefilterScan(this.len);
  }
  mayMatch(i: number): boolean {
    return this.x.regexMayMatch(i) === 1;
  }
}
