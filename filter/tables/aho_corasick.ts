// Aho-Corasick walker for AHO_CORASICK (and REGEX_PREFILTER_AC) sections: @pm / @pmFromFile at request time.
// Layout and semantics: rulesets/tables/format.ts and rulesets/matchers/aho-corasick.ts (the TS builder and
// reference walker). One DFA transition per input byte: a class-map lookup, then either a dense-row load or a
// binary search of a few sorted exception cells, falling back to the root row. No allocation, no fail-link
// chasing, bounded work per byte whatever the input.
import {
  AC_EXCEPTION_CLASS_SHIFT,
  AC_EXCEPTION_TARGET_MASK,
  Ac,
  AcFlags,
  MAX_AC_PHRASES,
  MAX_AC_STATES,
} from "../../rulesets/tables/format";
import { View } from "./view";

/** search() result when a table read went out of range (cannot happen after validation; never a trap). */
export const AC_FAULT: i32 = -2;
/** search() result when no phrase occurs. */
export const AC_NO_MATCH: i32 = -1;

class AcLayout {
  dense: u64 = 0;
  exStart: u64 = 0;
  exceptions: u64 = 0;
  outStart: u64 = 0;
  outputs: u64 = 0;
  phraseOffsets: u64 = 0;
  phraseBytes: u64 = 0;
  end: u64 = 0;
}

// Offsets computed in u64 so that hostile counts cannot wrap (format.ts: offsets follow from the counts).
function layoutOf(v: View): AcLayout {
  const n = <u64>v.u32(Ac.STATE_COUNT);
  const l = new AcLayout();
  l.dense = <u64>Ac.DENSE_ROWS;
  l.exStart = l.dense + 4 * <u64>v.u32(Ac.DENSE_COUNT) * <u64>v.u32(Ac.CLASS_COUNT);
  l.exceptions = l.exStart + 4 * (n + 1);
  l.outStart = l.exceptions + 4 * <u64>v.u32(Ac.EXCEPTION_COUNT);
  l.outputs = l.outStart + 4 * (n + 1);
  l.phraseOffsets = l.outputs + 4 * <u64>v.u32(Ac.OUTPUT_COUNT);
  l.phraseBytes = l.phraseOffsets + 4 * (<u64>v.u32(Ac.PHRASE_COUNT) + 1);
  l.end = l.phraseBytes + <u64>v.u32(Ac.PHRASE_BYTES_LEN);
  return l;
}

/** Validates an AHO_CORASICK payload (same rules as validateAcPayload in TS); null if sound. Load time only. */
export function validateAc(v: View): string | null {
  if (v.length < <u32>Ac.DENSE_ROWS) return "shorter than its fixed header";
  const n = v.u32(Ac.STATE_COUNT);
  const classes = v.u32(Ac.CLASS_COUNT);
  const denseN = v.u32(Ac.DENSE_COUNT);
  const exN = v.u32(Ac.EXCEPTION_COUNT);
  const outN = v.u32(Ac.OUTPUT_COUNT);
  const phN = v.u32(Ac.PHRASE_COUNT);
  const phBytes = v.u32(Ac.PHRASE_BYTES_LEN);
  if (n < 1 || n > <u32>MAX_AC_STATES) return "state count out of range";
  if (classes < 1 || classes > 256) return "class count out of range";
  if (denseN < 1 || denseN > n) return "dense count out of range";
  if (phN > <u32>MAX_AC_PHRASES) return "phrase count out of range";
  if ((v.u32(Ac.FLAGS) & ~(<u32>AcFlags.CASE_INSENSITIVE)) != 0) return "unknown flags";
  const l = layoutOf(v);
  if (l.end != <u64>v.length) return "size does not match the layout";
  // From here every offset below is < v.length < 2^32, so the u32 casts are exact.
  for (let b: u32 = 0; b < 256; b++) if (v.u8(<u32>Ac.CLASS_MAP + b) >= classes) return "class map entry out of range";
  const dense = <u32>l.dense;
  for (let i: u32 = 0; i < denseN * classes; i++) if (v.u32(dense + 4 * i) >= n) return "dense cell out of range";
  const exStart = <u32>l.exStart;
  const exc = <u32>l.exceptions;
  if (v.u32(exStart) != 0 || v.u32(exStart + 4 * n) != exN) return "exception index bounds";
  for (let s: u32 = 0; s < n; s++) {
    const lo = v.u32(exStart + 4 * s);
    const hi = v.u32(exStart + 4 * (s + 1));
    if (hi < lo || hi > exN) return "exception range out of order";
    if (s < denseN && hi != lo) return "dense state has exceptions";
    let prev: i32 = -1;
    for (let i = lo; i < hi; i++) {
      const cell = v.u32(exc + 4 * i);
      const c = <i32>(cell >>> AC_EXCEPTION_CLASS_SHIFT);
      if (<u32>c >= classes || c <= prev) return "exception class unsorted or out of range";
      if ((cell & AC_EXCEPTION_TARGET_MASK) >= n) return "exception target out of range";
      prev = c;
    }
  }
  const outStart = <u32>l.outStart;
  if (v.u32(outStart) != 0 || v.u32(outStart + 4 * n) != outN) return "output index bounds";
  for (let s: u32 = 0; s < n; s++) {
    if (v.u32(outStart + 4 * (s + 1)) < v.u32(outStart + 4 * s)) return "output range out of order";
  }
  const outputs = <u32>l.outputs;
  for (let i: u32 = 0; i < outN; i++) if (v.u32(outputs + 4 * i) >= phN) return "output phrase id out of range";
  const po = <u32>l.phraseOffsets;
  if (v.u32(po) != 0 || v.u32(po + 4 * phN) != phBytes) return "phrase bounds";
  for (let i: u32 = 0; i < phN; i++) {
    if (v.u32(po + 4 * (i + 1)) <= v.u32(po + 4 * i)) return "phrase empty or unsorted";
  }
  if (v.fault) return "read out of range";
  return null;
}

/** A phrase set over a validated payload. Construct only through validateAc + new (the loader does). */
export class AcMatcher {
  readonly stateCount: u32;
  readonly classCount: u32;
  readonly denseCount: u32;
  readonly phraseCount: u32;
  readonly caseInsensitive: bool;
  /** After a successful search(): offset just past the last byte of the match. */
  matchEnd: i32 = -1;

  private readonly classMap: View;
  private readonly dense: View;
  private readonly exStart: View;
  private readonly exceptions: View;
  private readonly outStart: View;
  private readonly outputs: View;
  private readonly phraseOffsets: View;
  private readonly phraseBytes: View;

  constructor(v: View) {
    const l = layoutOf(v);
    this.stateCount = v.u32(Ac.STATE_COUNT);
    this.classCount = v.u32(Ac.CLASS_COUNT);
    this.denseCount = v.u32(Ac.DENSE_COUNT);
    this.phraseCount = v.u32(Ac.PHRASE_COUNT);
    this.caseInsensitive = (v.u32(Ac.FLAGS) & AcFlags.CASE_INSENSITIVE) != 0;
    // Sub-views cannot fail on a validated payload; an empty view (every read faults) is the safe fallback.
    this.classMap = sub(v, <u64>Ac.CLASS_MAP, <u64>Ac.DENSE_ROWS);
    this.dense = sub(v, l.dense, l.exStart);
    this.exStart = sub(v, l.exStart, l.exceptions);
    this.exceptions = sub(v, l.exceptions, l.outStart);
    this.outStart = sub(v, l.outStart, l.outputs);
    this.outputs = sub(v, l.outputs, l.phraseOffsets);
    this.phraseOffsets = sub(v, l.phraseOffsets, l.phraseBytes);
    this.phraseBytes = sub(v, l.phraseBytes, l.end);
  }

  /** True if any view was ever read out of range (a corrupt table slipped through: treat results as errors). */
  get faulted(): bool {
    return (
      this.classMap.fault || this.dense.fault || this.exStart.fault || this.exceptions.fault ||
      this.outStart.fault || this.outputs.fault || this.phraseOffsets.fault || this.phraseBytes.fault
    );
  }

  /** One DFA transition. */
  @inline step(s: u32, byte: u32): u32 {
    const c = this.classMap.u8(byte);
    if (s < this.denseCount) return this.dense.u32((s * this.classCount + c) << 2);
    let lo = this.exStart.u32(s << 2);
    let hi = this.exStart.u32((s + 1) << 2);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cell = this.exceptions.u32(mid << 2);
      const k = cell >>> AC_EXCEPTION_CLASS_SHIFT;
      if (k == c) return cell & AC_EXCEPTION_TARGET_MASK;
      if (k < c) lo = mid + 1;
      else hi = mid;
    }
    return this.dense.u32(c << 2);
  }

  /** Number of phrases ending in state s. */
  @inline outputCount(s: u32): u32 {
    return this.outStart.u32((s + 1) << 2) - this.outStart.u32(s << 2);
  }

  /** k-th phrase id ending in state s (k = 0: the longest). */
  @inline output(s: u32, k: u32): u32 {
    return this.outputs.u32((this.outStart.u32(s << 2) + k) << 2);
  }

  /** @pm: the phrase id of the first match (earliest end, longest there) in bytes [ptr, ptr + len), AC_NO_MATCH,
   *  or AC_FAULT. Sets matchEnd. The caller guarantees [ptr, ptr + len) is readable (use searchBytes). */
  search(ptr: usize, len: usize): i32 {
    this.matchEnd = -1;
    let s: u32 = 0;
    for (let i: usize = 0; i < len; i++) {
      s = this.step(s, <u32>load<u8>(ptr + i));
      if (this.outputCount(s) != 0) {
        const id = this.output(s, 0);
        if (this.faulted) return AC_FAULT;
        this.matchEnd = <i32>(i + 1);
        return <i32>id;
      }
    }
    return this.faulted ? AC_FAULT : AC_NO_MATCH;
  }

  searchBytes(data: Uint8Array): i32 {
    return this.search(data.dataStart, <usize>data.length);
  }

  /** Marks in `seen` (a bitset of phraseCount bits, bit i of byte i >> 3) every phrase that occurs in the input;
   *  returns how many distinct phrases occur (for the regex prefilter: which factors fired), or AC_FAULT. */
  markAll(ptr: usize, len: usize, seen: Uint8Array): i32 {
    if (<u64>seen.length * 8 < <u64>this.phraseCount) return AC_FAULT;
    const bits = seen.dataStart;
    let found: i32 = 0;
    let s: u32 = 0;
    for (let i: usize = 0; i < len; i++) {
      s = this.step(s, <u32>load<u8>(ptr + i));
      const n = this.outputCount(s);
      for (let k: u32 = 0; k < n; k++) {
        const id = this.output(s, k);
        if (id >= this.phraseCount) return AC_FAULT;
        const at = bits + <usize>(id >>> 3);
        const m = <u8>((<u32>1) << (id & 7));
        const old = load<u8>(at);
        if ((old & m) == 0) {
          store<u8>(at, old | m);
          found++;
        }
      }
    }
    return this.faulted ? AC_FAULT : found;
  }

  /** Byte length of phrase `id` (0 if out of range). */
  phraseLength(id: u32): u32 {
    if (id >= this.phraseCount) return 0;
    return this.phraseOffsets.u32((id + 1) << 2) - this.phraseOffsets.u32(id << 2);
  }

  /** Phrase `id` as written in the rule (for TX:0, MATCHED_VAR logs). Allocates: call once per match. */
  phrase(id: u32): Uint8Array {
    if (id >= this.phraseCount) return new Uint8Array(0);
    return this.phraseBytes.slice(this.phraseOffsets.u32(id << 2), this.phraseLength(id));
  }
}

function sub(v: View, from: u64, to: u64): View {
  if (to < from || to > <u64>v.length) return View.of(new ArrayBuffer(0));
  const s = v.sub(<u32>from, <u32>(to - from));
  return s === null ? View.of(new ArrayBuffer(0)) : s;
}
