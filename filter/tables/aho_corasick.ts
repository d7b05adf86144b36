// Aho-Corasick walker for AHO_CORASICK (and REGEX_PREFILTER_AC) sections: @pm / @pmFromFile at request time.
// Layout and semantics: rulesets/tables/format.ts and rulesets/matchers/aho-corasick.ts (the TS builder and
// reference walker). The payload is the keyword trie in BFS order with failure links: a transition is a
// class-map lookup, then a binary search of the state's children labels, falling back along failure links
// (which always go to an earlier state) to the root's full row. No allocation; the failure chase is amortised:
// at most 2 × input length steps per value whatever the input.
import { Ac, AcFlags, MAX_AC_PHRASES, MAX_AC_STATES } from "../../rulesets/tables/format";
import { View } from "./view";

/** search() result when a table read went out of range (cannot happen after validation; never a trap). */
export const AC_FAULT: i32 = -2;
/** search() result when no phrase occurs. */
export const AC_NO_MATCH: i32 = -1;
/** Transition cache budget of a matcher, in cells of 4 bytes (64 KiB): see AcMatcher.setCacheBudget. */
export const DEFAULT_CACHE_CELLS: u32 = 16384;
/** A cache cell not filled yet. */
const UNFILLED: u32 = 0xffffffff;
/** A cache cell's flag for a next state without a row (the state's index follows, shifted left by one). */
const UNCACHED: u32 = 0x80000000;

class AcLayout {
  words: u64 = 0;
  outBits: u64 = 0;
  outRank: u64 = 0;
  phraseOffsets: u64 = 0;
  rootRow: u64 = 0;
  childStart: u64 = 0;
  fail: u64 = 0;
  outStart: u64 = 0;
  outputs: u64 = 0;
  labels: u64 = 0;
  phraseBytes: u64 = 0;
  end: u64 = 0;
}

// Offsets computed in u64 so that hostile counts cannot wrap (format.ts: offsets follow from the counts).
function layoutOf(v: View): AcLayout {
  const n = <u64>v.u32(Ac.STATE_COUNT);
  const W = <u64>v.u32(Ac.CELL_WIDTH);
  const l = new AcLayout();
  l.words = (n + 31) >> 5;
  l.outBits = <u64>Ac.OUT_BITS;
  l.outRank = l.outBits + 4 * l.words;
  l.phraseOffsets = l.outRank + 4 * l.words;
  l.rootRow = l.phraseOffsets + 4 * (<u64>v.u32(Ac.PHRASE_COUNT) + 1);
  l.childStart = l.rootRow + W * <u64>v.u32(Ac.CLASS_COUNT);
  l.fail = l.childStart + W * (n + 1);
  l.outStart = l.fail + W * n;
  l.outputs = l.outStart + W * (<u64>v.u32(Ac.OUTPUT_STATE_COUNT) + 1);
  l.labels = l.outputs + W * <u64>v.u32(Ac.OUTPUT_COUNT);
  l.phraseBytes = l.labels + n;
  l.end = l.phraseBytes + <u64>v.u32(Ac.PHRASE_BYTES_LEN);
  return l;
}

@inline function cellAt(v: View, base: u32, W: u32, i: u32): u32 {
  return W == 2 ? v.u16(base + (i << 1)) : v.u32(base + (i << 2));
}

/** Validates an AHO_CORASICK payload (same rules as validateAcPayload in TS); null if sound. Load time only. */
export function validateAc(v: View): string | null {
  if (v.length < <u32>Ac.OUT_BITS) return "shorter than its fixed header";
  const n = v.u32(Ac.STATE_COUNT);
  const classes = v.u32(Ac.CLASS_COUNT);
  const W = v.u32(Ac.CELL_WIDTH);
  const outStates = v.u32(Ac.OUTPUT_STATE_COUNT);
  const outN = v.u32(Ac.OUTPUT_COUNT);
  const phN = v.u32(Ac.PHRASE_COUNT);
  const phBytes = v.u32(Ac.PHRASE_BYTES_LEN);
  if (n < 1 || n > <u32>MAX_AC_STATES) return "state count out of range";
  if (classes < 1 || classes > 256) return "class count out of range";
  if (W != 2 && W != 4) return "cell width is neither 2 nor 4";
  if (outStates > n) return "output state count out of range";
  if (phN > <u32>MAX_AC_PHRASES) return "phrase count out of range";
  if ((v.u32(Ac.FLAGS) & ~(<u32>AcFlags.CASE_INSENSITIVE)) != 0) return "unknown flags";
  const l = layoutOf(v);
  if (l.end != <u64>v.length) return "size does not match the layout";
  // From here every offset below is < v.length < 2^32, so the u32 casts are exact.
  for (let b: u32 = 0; b < 256; b++) if (v.u8(<u32>Ac.CLASS_MAP + b) >= classes) return "class map entry out of range";
  const words = <u32>l.words;
  const outBits = <u32>l.outBits;
  const outRank = <u32>l.outRank;
  let rank: u32 = 0;
  for (let i: u32 = 0; i < words; i++) {
    const word = v.u32(outBits + 4 * i);
    if (v.u32(outRank + 4 * i) != rank) return "output rank out of step";
    if (i == words - 1 && (n & 31) != 0 && (word >>> (n & 31)) != 0) return "output bits beyond the last state";
    rank += <u32>popcnt<u32>(word);
  }
  if (rank != outStates) return "output bits disagree with the output state count";
  const po = <u32>l.phraseOffsets;
  if (v.u32(po) != 0 || v.u32(po + 4 * phN) != phBytes) return "phrase bounds";
  for (let i: u32 = 0; i < phN; i++) {
    if (v.u32(po + 4 * (i + 1)) <= v.u32(po + 4 * i)) return "phrase empty or unsorted";
  }
  const rootRow = <u32>l.rootRow;
  for (let c: u32 = 0; c < classes; c++) if (cellAt(v, rootRow, W, c) >= n) return "root row cell out of range";
  const childStart = <u32>l.childStart;
  const labels = <u32>l.labels;
  if (cellAt(v, childStart, W, n) != n) return "child index bounds";
  for (let s: u32 = 0; s < n; s++) {
    const lo = cellAt(v, childStart, W, s);
    const hi = cellAt(v, childStart, W, s + 1);
    if (<u64>lo < <u64>s + 1 || hi < lo) return "child range out of order";
    let prev: u32 = 0;
    for (let t = lo; t < hi; t++) {
      const c = v.u8(labels + t);
      if (c <= prev || c >= classes) return "child label unsorted or out of range";
      prev = c;
    }
  }
  if (v.u8(labels) != 0) return "label of the root is not 0";
  const fail = <u32>l.fail;
  if (cellAt(v, fail, W, 0) != 0) return "failure link of the root is not 0";
  for (let s: u32 = 1; s < n; s++) if (cellAt(v, fail, W, s) >= s) return "failure link does not go back";
  const outStart = <u32>l.outStart;
  if (cellAt(v, outStart, W, 0) != 0 || cellAt(v, outStart, W, outStates) != outN) return "output index bounds";
  for (let r: u32 = 0; r < outStates; r++) {
    if (cellAt(v, outStart, W, r + 1) <= cellAt(v, outStart, W, r)) return "output range empty or out of order";
  }
  const outputs = <u32>l.outputs;
  for (let i: u32 = 0; i < outN; i++) if (cellAt(v, outputs, W, i) >= phN) return "output phrase id out of range";
  if (v.fault) return "read out of range";
  return null;
}

/** A phrase set over a validated payload. Construct only through validateAc + new (the loader does). */
export class AcMatcher {
  readonly stateCount: u32;
  readonly classCount: u32;
  /** 2 or 4: bytes per cell of the state/output arrays. */
  readonly cellWidth: u32;
  readonly phraseCount: u32;
  readonly caseInsensitive: bool;
  /** After a successful search(): offset just past the last byte of the match. */
  matchEnd: i32 = -1;

  private readonly classMap: View;
  private readonly outBits: View;
  private readonly outRank: View;
  private readonly rootRow: View;
  private readonly childStart: View;
  private readonly fail: View;
  private readonly outStart: View;
  private readonly outputs: View;
  private readonly phraseOffsets: View;
  private readonly labels: View;
  private readonly phraseBytes: View;

  constructor(v: View) {
    const l = layoutOf(v);
    this.stateCount = v.u32(Ac.STATE_COUNT);
    this.classCount = v.u32(Ac.CLASS_COUNT);
    this.cellWidth = v.u32(Ac.CELL_WIDTH) == 2 ? 2 : 4;
    this.phraseCount = v.u32(Ac.PHRASE_COUNT);
    this.caseInsensitive = (v.u32(Ac.FLAGS) & AcFlags.CASE_INSENSITIVE) != 0;
    // Sub-views cannot fail on a validated payload; an empty view (every read faults) is the safe fallback.
    this.classMap = sub(v, <u64>Ac.CLASS_MAP, <u64>Ac.OUT_BITS);
    this.outBits = sub(v, l.outBits, l.outRank);
    this.outRank = sub(v, l.outRank, l.phraseOffsets);
    this.rootRow = sub(v, l.rootRow, l.childStart);
    this.childStart = sub(v, l.childStart, l.fail);
    this.fail = sub(v, l.fail, l.outStart);
    this.outStart = sub(v, l.outStart, l.outputs);
    this.outputs = sub(v, l.outputs, l.labels);
    this.phraseOffsets = sub(v, l.phraseOffsets, l.rootRow);
    this.labels = sub(v, l.labels, l.phraseBytes);
    this.phraseBytes = sub(v, l.phraseBytes, l.end);
  }

  /** True if any view was ever read out of range (a corrupt table slipped through: treat results as errors). */
  get faulted(): bool {
    return (
      this.classMap.fault || this.outBits.fault || this.outRank.fault || this.rootRow.fault || this.childStart.fault || this.fail.fault || this.outStart.fault ||
      this.outputs.fault || this.phraseOffsets.fault || this.labels.fault || this.phraseBytes.fault
    );
  }

  @inline private cell(v: View, i: u32): u32 {
    return this.cellWidth == 2 ? v.u16(i << 1) : v.u32(i << 2);
  }

  // ---- transition cache ----
  // The table's transition is a binary search of the state's labels plus a failure-link chase: tens of bounds-checked
  // reads per byte. The hot walker (walk(): search, and the regex prefilter) instead reads a dense row cache: a row
  // of classCount cells per cached state; cell (row, class) holds, once computed (UNFILLED before), the byte offset
  // of the next state's row (row * classCount * 4, so its low two bits are free), with the low bit set when the next
  // state has outputs — so a byte costs a mask, an add and a load on the walk's dependency chain (the class's column
  // is computed beside it), with no multiply and no separate output-bit lookup. At most the cell budget of
  // setCacheBudget (4 bytes per cell), allocated on the first walk.
  // Which states have rows: the first half of the budget goes to the first states in BFS order (every state within
  // a few bytes of the root, where most input bytes land, whatever the traffic); the other half to states as walks
  // first reach them. A large automaton (CRS's prefilter has 30k states and 100 classes, its largest @pm list 45k
  // states) has far more states than rows, and the traffic of a service keeps meeting the same deep states: before,
  // each of those bytes took the slow transition on every request. A state met once the rows are all given out
  // stays without one: its cell says so (UNCACHED with the state's index) and the walk steps it by stepClass().
  private cache: StaticArray<u32> | null = null;
  /** Per state: its row, or -1 (allocated with the cache). */
  private rowOf: StaticArray<i32> | null = null;
  /** Per row: its state. */
  private stateOfRow: StaticArray<u32> | null = null;
  private rowsUsed: u32 = 0;
  private rowsMax: u32 = 0;
  /** Row offsets do not fit a cell (or there are no classes): walkByIndex(), no cache. */
  private byIndex: bool = false;
  private cacheBudget: u32 = DEFAULT_CACHE_CELLS;
  /** The class map and the output-state bitset copied out of the table (validated; read unchecked). */
  private classes: StaticArray<u8> | null = null;
  private outWords: StaticArray<u32> | null = null;

  /** Sets the transition cache's cell budget (call before the first walk; 0 disables the cache). */
  setCacheBudget(cells: u32): void {
    this.cacheBudget = cells;
  }

  private prepare(): void {
    const cm = new StaticArray<u8>(256);
    for (let b: u32 = 0; b < 256; b++) unchecked((cm[b] = <u8>this.classMap.u8(b)));
    this.classes = cm;
    const words = (this.stateCount + 31) >>> 5;
    const ow = new StaticArray<u32>(<i32>words);
    for (let w: u32 = 0; w < words; w++) unchecked((ow[w] = this.outBits.u32(w << 2)));
    this.outWords = ow;
    // cells hold row byte offsets (4 per cell), and UNCACHED | state << 1: automata with 2^29 cells or states or more
    // (far beyond real phrase lists) walk by index, and so does a corrupt payload without classes (no division by
    // zero: its reads fault instead)
    this.byIndex = this.classCount == 0 || <u64>this.stateCount * <u64>this.classCount >= (<u64>1 << 29);
    if (!this.byIndex && this.cacheBudget >= this.classCount) {
      let rows = this.cacheBudget / this.classCount;
      if (rows > this.stateCount) rows = this.stateCount;
      const cache = new StaticArray<u32>(<i32>(rows * this.classCount));
      memory.fill(changetype<usize>(cache), 0xff, <usize>cache.length << 2);
      this.cache = cache;
      const rowOf = new StaticArray<i32>(<i32>this.stateCount);
      memory.fill(changetype<usize>(rowOf), 0xff, <usize>this.stateCount << 2);
      this.rowOf = rowOf;
      this.stateOfRow = new StaticArray<u32>(<i32>rows);
      this.rowsMax = rows;
      // the first half (at least the root) to the shallowest states
      const bfs = rows > 1 ? rows >>> 1 : rows;
      for (let r: u32 = 0; r < bfs; r++) this.giveRow(r);
    }
  }

  /** Gives state s the next row (there is one left, and s has none). */
  @inline private giveRow(s: u32): u32 {
    const r = this.rowsUsed++;
    unchecked((this.rowOf![<i32>s] = <i32>r));
    unchecked((this.stateOfRow![<i32>r] = s));
    return r;
  }

  /** Whether state s ends at least one phrase (after begin()). */
  @inline hasOutput(s: u32): bool {
    return (unchecked(this.outWords![<i32>(s >>> 5)]) & ((<u32>1) << (s & 31))) != 0;
  }

  /** Readies the walker's copied tables (once; walk() does it). */
  @inline begin(): void {
    if (this.classes === null) this.prepare();
  }

  /** Where walk() stopped: the state reached, and the OR of atomTable[byte] over the bytes walked. */
  walkState: u32 = 0;
  walkAtoms: u64 = 0;

  /**
   * The hot loop of search() and of the regex prefilter: from state s, walks the bytes [ptr + from, ptr + len)
   * through the transition cache and stops just after the first byte whose transition reaches a state with outputs.
   * Returns the index after that byte, or len when no such state was reached; walkState is the state there. When
   * atomTable is not 0 (a 256-entry u64 table), walkAtoms is the OR of atomTable[byte] over the bytes walked (the
   * regex prefilter's required-byte test, gathered in the same pass). The table fields are copied to locals, so a
   * byte costs a class load and a cache load (for a state with a row).
   */
  walk(ptr: usize, from: usize, len: usize, s: u32, atomTable: usize): usize {
    this.begin();
    if (this.byIndex) return this.walkByIndex(ptr, from, len, s, atomTable);
    const classes = changetype<usize>(this.classes);
    const cache = changetype<usize>(this.cache); // 0 without a cache: then no state has a row
    const rowBytes = <i32>this.classCount << 2;
    // the current state: its row's byte offset when it has a row (off >= 0), else the state itself (st)
    let off: i32 = this.rowOffsetOf(s);
    let st = s;
    let atoms: u64 = 0;
    let i = from;
    while (i < len) {
      const b = <usize>load<u8>(ptr + i);
      i++;
      if (atomTable != 0) atoms |= load<u64>(atomTable + (b << 3));
      // the class's cell of any row: computed off the chain of dependent loads, which is cell -> row -> cell
      const c = <u32>load<u8>(classes + b);
      const column = cache + (<usize>c << 2);
      let t: u32;
      if (off >= 0) {
        const at = column + <usize>off;
        t = load<u32>(at);
        if (t == UNFILLED) {
          t = this.cellOf(this.stepClass(unchecked(this.stateOfRow![off / rowBytes]), c));
          store<u32>(at, t);
        }
      } else {
        t = this.cellOf(this.stepClass(st, c));
      }
      if ((t & UNCACHED) != 0) {
        st = (t & ~UNCACHED) >>> 1;
        off = -1;
      } else off = <i32>(t & ~1);
      if ((t & 1) != 0) break;
    }
    this.walkState = off >= 0 ? unchecked(this.stateOfRow![off / rowBytes]) : st;
    this.walkAtoms = atoms;
    return i;
  }

  /** The byte offset of state s's row in the cache (giving it a row if one is left), or -1. */
  private rowOffsetOf(s: u32): i32 {
    const rowOf = this.rowOf;
    if (rowOf === null || s >= this.stateCount) return -1;
    let r = unchecked(rowOf[<i32>s]);
    if (r < 0) {
      if (this.rowsUsed >= this.rowsMax) return -1;
      r = <i32>this.giveRow(s);
    }
    return r * (<i32>this.classCount << 2);
  }

  /** walk() for an automaton whose row offsets do not fit the cache cells (no cache): by state index. */
  private walkByIndex(ptr: usize, from: usize, len: usize, s: u32, atomTable: usize): usize {
    let atoms: u64 = 0;
    let i = from;
    while (i < len) {
      const b = <u32>load<u8>(ptr + i);
      i++;
      if (atomTable != 0) atoms |= load<u64>(atomTable + (<usize>b << 3));
      s = this.stepClass(s, <u32>unchecked(this.classes![b]));
      if (this.hasOutput(s)) break;
    }
    this.walkState = s;
    this.walkAtoms = atoms;
    return i;
  }

  /** The cache cell of a transition to state n: its row's byte offset (n gets a row if it has none and one is
   *  left), else UNCACHED | n << 1; the low bit is set when n has outputs. */
  @inline private cellOf(n: u32): u32 {
    const off = this.rowOffsetOf(n);
    const out: u32 = this.hasOutput(n) ? 1 : 0;
    return off >= 0 ? <u32>off | out : UNCACHED | (n << 1) | out;
  }

  /** One transition: the child of s labelled with the byte's class, else the same from s's failure link. */
  step(s: u32, byte: u32): u32 {
    return this.stepClass(s, this.classMap.u8(byte));
  }

  /** step() for a byte class c (< classCount). */
  private stepClass(s: u32, c: u32): u32 {
    while (s != 0) {
      let lo = this.cell(this.childStart, s);
      let hi = this.cell(this.childStart, s + 1);
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const k = this.labels.u8(mid);
        if (k == c) return mid;
        if (k < c) lo = mid + 1;
        else hi = mid;
      }
      const f = this.cell(this.fail, s);
      // validated: f < s; the guard keeps a corrupt table from looping (reads fault to 0 = the root anyway)
      s = f < s ? f : 0;
    }
    return this.cell(this.rootRow, c);
  }

  /** Rank of state s among the states with outputs, or -1 if it has none. */
  @inline private outputRank(s: u32): i32 {
    const word = this.outBits.u32((s >>> 5) << 2);
    const bit: u32 = (<u32>1) << (s & 31);
    if ((word & bit) == 0) return -1;
    return <i32>(this.outRank.u32((s >>> 5) << 2) + <u32>popcnt<u32>(word & (bit - 1)));
  }

  /** Number of phrases ending in state s. */
  @inline outputCount(s: u32): u32 {
    const r = this.outputRank(s);
    if (r < 0) return 0;
    return this.cell(this.outStart, <u32>r + 1) - this.cell(this.outStart, <u32>r);
  }

  /** k-th phrase id ending in state s (k = 0: the longest; k < outputCount(s)). */
  @inline output(s: u32, k: u32): u32 {
    const r = this.outputRank(s);
    if (r < 0) return 0xffffffff;
    return this.cell(this.outputs, this.cell(this.outStart, <u32>r) + k);
  }

  /** @pm: the phrase id of the first match (earliest end, longest there) in bytes [ptr, ptr + len), AC_NO_MATCH,
   *  or AC_FAULT. Sets matchEnd. The caller guarantees [ptr, ptr + len) is readable (use searchBytes). */
  search(ptr: usize, len: usize): i32 {
    this.matchEnd = -1;
    const end = this.walk(ptr, 0, len, 0, 0);
    const s = this.walkState;
    if (this.hasOutput(s)) {
      const id = this.output(s, 0);
      if (this.faulted) return AC_FAULT;
      this.matchEnd = <i32>end;
      return <i32>id;
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
