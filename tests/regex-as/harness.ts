/**
 * Compiles tests/regex-as/fixtures/entry.as.ts (the filter's regex matchers behind a flat test ABI) with the
 * AssemblyScript compiler API - release-like flags (incremental runtime, -O3, assertions kept) - caches the wasm in
 * os.tmpdir() keyed by a hash of every source that goes in, and wraps it. A trap inside the module surfaces as a
 * thrown JS error, so "never a trap" is checked by every call.
 */
import asc from "assemblyscript/asc";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseRegex, type CompiledRegex } from "../../rulesets/regex/index";
import { flattenBacktrack, flattenDfa, flattenNfa, TIER_CODE, CAPTURE_CODE, type FlatNfa } from "./encode";
import { instantiateAs } from "../support/instantiate-as";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, "../..");
const ENTRY = join(here, "fixtures/entry.as.ts");
const FLAGS = ["--runtime", "incremental", "--optimizeLevel", "3", "--shrinkLevel", "0"];

function sources(): string[] {
  const dir = join(REPO_ROOT, "filter/regex");
  return [ENTRY, ...readdirSync(dir).filter((f) => f.endsWith(".ts")).sort().map((f) => join(dir, f)), join(REPO_ROOT, "node_modules/assemblyscript/package.json")];
}

export async function compileRegexWasm(): Promise<Uint8Array> {
  const h = createHash("sha256").update(FLAGS.join(" "));
  for (const f of sources()) h.update(f.slice(REPO_ROOT.length)).update(readFileSync(f));
  const dir = join(tmpdir(), "workload-waf-regex-as");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `regex-${h.digest("hex").slice(0, 16)}.wasm`);
  if (existsSync(out)) return readFileSync(out);
  const config = join(dir, "empty.asconfig.json"); // keeps asc from picking up the filter's asconfig.json
  writeFileSync(config, JSON.stringify({ options: {} }));
  const tmp = `${out}.${process.pid}.tmp`;
  const stderr = asc.createMemoryStream();
  const { error } = await asc.main([ENTRY, "--config", config, "--outFile", tmp, ...FLAGS, "--noColors"], { stderr });
  if (error) throw new Error(`asc failed: ${error.message}\n${stderr.toString()}`);
  renameSync(tmp, out);
  return readFileSync(out);
}

interface Exports {
  memory: WebAssembly.Memory;
  stageU8(slot: number, n: number): number;
  stageU16(slot: number, n: number): number;
  stageI32(slot: number, n: number): number;
  stageU32(slot: number, n: number): number;
  resetAll(): void;
  newDfa(numStates: number, numClasses: number, start: number, accept: number, dead: number): number;
  newNfa(numSets: number, numLooks: number, start: number, slots: number, assertMask: number): number;
  newBacktrack(numSets: number, root: number, groups: number): number;
  newRegex(tier: number, captureEngine: number, groups: number, dfa: number, nfa: number, cap: number, bt: number): number;
  setLazyParams(re: number, cacheStates: number, maxFlushes: number): void;
  inputBuffer(len: number): number;
  matchRegex(re: number, len: number, wantCaptures: number): number;
  capturesPtr(): number;
  capturesCount(): number;
  dfaRun(h: number, len: number): number;
  lazyRun(h: number, len: number, cacheStates: number, maxFlushes: number): number;
  lazyFlushes(h: number): number;
  lazyMaxStates(h: number): number;
  pikeRun(h: number, len: number): number;
  pikeSlotsPtr(): number;
  btRun(h: number, len: number, limit: number): number;
  btSlotsPtr(): number;
  btStepsUsed(): number;
  setLimit(steps: number): void;
  benchDfa(h: number, len: number, iters: number): number;
  benchRegex(re: number, len: number, iters: number, wantCaptures: number): number;
}

export interface RegexHandles {
  re: number;
  dfa: number;
  nfa: number;
  cap: number;
  bt: number;
}

export interface AsMatch {
  matched: boolean;
  error: number; // 0 ok, 1 match limit, 2 invalid
  captures?: ([number, number] | null)[];
}

export class AsRegex {
  private constructor(readonly x: Exports) {}

  static async create(): Promise<AsRegex> {
    const wasm = await compileRegexWasm();
    const x = instantiateAs<Exports>(wasm);
    return new AsRegex(x);
  }

  private put(ptr: number, data: ArrayBufferView): void {
    new Uint8Array(this.x.memory.buffer, ptr, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  private u8(slot: number, a: Uint8Array): void {
    this.put(this.x.stageU8(slot, a.length), a);
  }
  private u16(slot: number, a: Uint16Array): void {
    this.put(this.x.stageU16(slot, a.length), a);
  }
  private i32(slot: number, a: Int32Array): void {
    this.put(this.x.stageI32(slot, a.length), a);
  }
  private u32(slot: number, a: Uint32Array): void {
    this.put(this.x.stageU32(slot, a.length), a);
  }

  addNfa(f: FlatNfa): number {
    this.u8(0, f.ops);
    this.i32(0, f.arg);
    this.i32(1, f.out);
    this.i32(2, f.out1);
    this.u32(0, f.sets);
    this.u8(1, f.lookFlags);
    this.i32(3, f.lookSeqStart);
    this.i32(4, f.seqPosStart);
    this.u32(1, f.lookPosSets);
    const h = this.x.newNfa(f.numSets, f.numLooks, f.start, f.slots, f.assertMask);
    if (h < 0) throw new Error("AS refused an NFA program");
    return h;
  }

  /** Loads every structure of a compiled pattern; returns the handles. */
  add(c: CompiledRegex): RegexHandles {
    let dfa = -1;
    let nfa = -1;
    let cap = -1;
    let bt = -1;
    if (c.dfa) {
      const d = flattenDfa(c.dfa);
      this.u8(0, d.classOf);
      this.u16(0, d.trans);
      this.u8(1, d.acceptAtEnd);
      dfa = this.x.newDfa(d.numStates, d.numClasses, d.start, d.accept, d.dead);
      if (dfa < 0) throw new Error(`AS refused the DFA of /${c.pattern}/`);
    }
    if (c.nfa) nfa = this.addNfa(flattenNfa(c.nfa));
    if (c.captureProgram) cap = this.addNfa(flattenNfa(c.captureProgram));
    if (c.tier === "backtrack" || c.captureEngine === "backtrack") {
      const b = flattenBacktrack(parseRegex(c.pattern));
      this.u8(0, b.kind);
      this.i32(0, b.a);
      this.i32(1, b.b);
      this.i32(2, b.c);
      this.i32(3, b.d);
      this.i32(4, b.list);
      this.u32(0, b.sets);
      bt = this.x.newBacktrack(b.numSets, b.root, b.groups);
      if (bt < 0) throw new Error(`AS refused the backtracking program of /${c.pattern}/`);
    }
    const re = this.x.newRegex(TIER_CODE[c.tier], CAPTURE_CODE[c.captureEngine], c.groups, dfa, nfa, cap, bt);
    return { re, dfa, nfa, cap, bt };
  }

  input(data: Uint8Array): number {
    const p = this.x.inputBuffer(Math.max(1, data.length));
    new Uint8Array(this.x.memory.buffer, p, data.length).set(data);
    return data.length;
  }

  private slotsAt(ptr: number, n: number): Int32Array {
    return new Int32Array(this.x.memory.buffer.slice(ptr, ptr + 4 * n));
  }

  /** The facade; `data` already in the input buffer when `len` is given instead. */
  match(re: number, data: Uint8Array, captures: boolean): AsMatch {
    const r = this.x.matchRegex(re, this.input(data), captures ? 1 : 0);
    const out: AsMatch = { matched: (r & 1) === 1, error: r >> 1 };
    if (captures && out.matched) {
      const n = this.x.capturesCount();
      const s = this.slotsAt(this.x.capturesPtr(), 2 * n);
      out.captures = [];
      for (let g = 0; g < n; g++) out.captures.push(s[2 * g]! >= 0 ? [s[2 * g]!, s[2 * g + 1]!] : null);
    }
    return out;
  }

  dfa(h: number, data: Uint8Array): boolean {
    return this.x.dfaRun(h, this.input(data)) === 1;
  }
  /** bit 0 matched, bit 1 fell back to the Pike VM, bit 2 lazy DFA unusable */
  lazy(h: number, data: Uint8Array, cacheStates = 1024, maxFlushes = 8): number {
    return this.x.lazyRun(h, this.input(data), cacheStates, maxFlushes);
  }
  pike(h: number, data: Uint8Array, slots: number): Int32Array | null {
    if (this.x.pikeRun(h, this.input(data)) !== 1) return null;
    return this.slotsAt(this.x.pikeSlotsPtr(), slots);
  }
  backtrack(h: number, data: Uint8Array, limit: number, nslots: number): Int32Array | "limit" | null {
    const r = this.x.btRun(h, this.input(data), limit);
    if (r < 0) return "limit";
    if (r === 0) return null;
    return this.slotsAt(this.x.btSlotsPtr(), nslots);
  }
}
