// Lazy DFA over a match-only NfaProgram (tier "lazy"): the same transition function as the compiler's eager
// subset construction (rulesets/regex/dfa.ts DfaBuilder: state = sorted kernel of NFA pcs + previous-byte context
// + look-behind automaton states, assertions resolved with one byte of look-ahead, ACCEPT absorbing), computed on
// demand into a bounded state cache. The cache lives with the pattern and survives between values; when it is full
// it is flushed (keeping the current state); a value that flushes more than `maxFlushes` times is answered by the
// Pike VM from the start instead (TS reference: rulesets/regex/lazy.ts LazyDfa).
//
// Memory. A VM holds one lazy DFA per lazy-tier pattern that ever ran, for its whole life, and wasm memory never
// shrinks, so the caches are bounded twice: each cache starts small (INITIAL_STATES states, a small kernel pool) and
// doubles only when it is full, up to `cacheStates` states and `poolCap` kernel cells; and all the caches of one
// rule set draw on one LazyBudget (bytes): a cache that would grow past the budget flushes instead. Growing is not a
// flush — with budget to spare a cache behaves exactly like one allocated at full size (same states, same flushes)
// — and a flush keeps the answer exact, so the budget changes speed under pressure, never results. Matching
// allocates only when a cache grows.
// Programs the construction cannot handle (\Z, multi-byte look-ahead, an oversized look-behind automaton) are
// answered by the Pike VM on every value (`usable` is false) - never a trap.
import { NfaProgram } from "./nfa_program";
import { pikeSearch } from "./pike";
import {
  A_BOL,
  A_END,
  A_ENDZ,
  A_EOL,
  A_NWORDB,
  A_START,
  A_WORDB,
  LOOK_BEHIND,
  LOOK_NEGATE,
  OP_ASSERT,
  OP_BYTE,
  OP_LOOK,
  OP_MATCH,
  OP_NOP,
  OP_SAVE,
  OP_SPLIT,
  isWordByte,
  setHas,
} from "./opcodes";

const CTX_START: u8 = 0;
const CTX_WORD: u8 = 1;
const CTX_NL: u8 = 2;
const CTX_OTHER: u8 = 3;
const EOT: i32 = -1;
const UNKNOWN: i32 = -2;
const ACCEPT: i32 = -1;
const MAX_LB_STATES: i32 = 4096;
/** States a cache starts with (or cacheStates, when smaller). */
const INITIAL_STATES: i32 = 32;
/** Kernel pool cells a cache starts with. */
const INITIAL_POOL: i32 = 1024;

/**
 * The bytes all lazy DFA caches of one rule set may hold (state rows, kernels, hash tables). Shared by the patterns
 * of a RegexSet (filter/program/regexes.ts), so dropping the set on reload drops its accounting too.
 */
export class LazyBudget {
  /** Bytes currently held by the caches drawing on this budget. */
  used: i64 = 0;
  /** Times a cache flushed because this budget, not its own cap, stopped it from growing. */
  denied: i32 = 0;
  constructor(readonly limit: i64) {}
  /** Takes `bytes` if they fit; false (nothing taken) otherwise. */
  take(bytes: i64): bool {
    if (this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }
  give(bytes: i64): void {
    this.used -= bytes;
  }
}

/** 4 MiB: room for every lazy-tier pattern of the CRS at paranoia level 4 with its usual working set. */
export const DEFAULT_LAZY_BUDGET: i64 = 4 << 20;

export class LazyStats {
  flushes: i32 = 0;
  maxStates: i32 = 0;
  fellBack: bool = false;
}

export class LazyDfa {
  readonly prog: NfaProgram;
  /** false: the program needs something the lazy DFA does not do; every value goes to the Pike VM */
  usable: bool = true;
  readonly cacheStates: i32;
  readonly maxFlushes: i32;
  numClasses: i32 = 1;
  classOf: StaticArray<u8> = new StaticArray<u8>(256);
  private rep: StaticArray<i32> = new StaticArray<i32>(256); // class → representative byte
  private usesWord: bool = false;
  private usesNl: bool = false;
  private usesStart: bool = false;
  // look-behind automata, flattened: automaton j = look lbLook[j], rows at lbTransOff[j], accept bits at lbAccOff[j]
  private numLbs: i32 = 0;
  private lbIndexOfLook: StaticArray<i32> = new StaticArray<i32>(0);
  private lbStart: StaticArray<i32> = new StaticArray<i32>(0);
  private lbTransOff: StaticArray<i32> = new StaticArray<i32>(0);
  private lbAccOff: StaticArray<i32> = new StaticArray<i32>(0);
  private lbTrans: StaticArray<i32> = new StaticArray<i32>(0);
  private lbAcc: StaticArray<u8> = new StaticArray<u8>(0);
  // state cache: `capacity` state slots allocated so far (<= cacheStates)
  numStates: i32 = 0;
  capacity: i32 = 0;
  private readonly budget: LazyBudget;
  private rows: StaticArray<i16> = new StaticArray<i16>(0); // cacheStates × numClasses: next state, ACCEPT (-1) or UNKNOWN (-2)
  private kStart: StaticArray<i32> = new StaticArray<i32>(0);
  private kLen: StaticArray<i32> = new StaticArray<i32>(0);
  private ctxs: StaticArray<u8> = new StaticArray<u8>(0);
  private lbStates: StaticArray<i32> = new StaticArray<i32>(0); // cacheStates × numLbs
  private hashes: StaticArray<u32> = new StaticArray<u32>(0);
  private accEnd: StaticArray<i8> = new StaticArray<i8>(0); // -1 unknown
  private table: StaticArray<i32> = new StaticArray<i32>(0); // open addressing: state id + 1, 0 = empty
  private tableMask: i32 = 0;
  private pool: StaticArray<i32> = new StaticArray<i32>(0);
  private poolUsed: i32 = 0;
  private poolCap: i32 = 0;
  // scratch
  private stamp: StaticArray<i32> = new StaticArray<i32>(0);
  private stampGen: i32 = 0;
  private stack: StaticArray<i32> = new StaticArray<i32>(0);
  private bytePcs: StaticArray<i32> = new StaticArray<i32>(0);
  private next: StaticArray<i32> = new StaticArray<i32>(0);
  private nextLb: StaticArray<i32> = new StaticArray<i32>(0);
  private keepK: StaticArray<i32> = new StaticArray<i32>(0);
  private keepLb: StaticArray<i32> = new StaticArray<i32>(0);
  lastStats: LazyStats = new LazyStats();

  constructor(prog: NfaProgram, cacheStates: i32 = 1024, maxFlushes: i32 = 8, budget: LazyBudget | null = null) {
    this.prog = prog;
    this.budget = budget !== null ? budget : new LazyBudget(DEFAULT_LAZY_BUDGET);
    if (cacheStates < 4) cacheStates = 4;
    if (cacheStates > 32000) cacheStates = 32000;
    this.cacheStates = cacheStates;
    this.maxFlushes = maxFlushes;
    const n = prog.ops.length;
    const m = prog.assertMask;
    if ((m & (1 << A_ENDZ)) != 0) this.usable = false;
    for (let l = 0; l < prog.numLooks; l++)
      if ((unchecked(prog.lookFlags[l]) & LOOK_BEHIND) == 0 && prog.lookMaxLen(l) > 1) this.usable = false;
    this.usesWord = (m & ((1 << A_WORDB) | (1 << A_NWORDB))) != 0;
    this.usesNl = (m & ((1 << A_BOL) | (1 << A_EOL))) != 0;
    this.usesStart = (m & ((1 << A_BOL) | (1 << A_START))) != 0;
    this.computeClasses();
    if (this.usable) this.buildLookbehinds();
    let pc = 16 * n;
    if (pc < 1 << 18) pc = 1 << 18;
    this.poolCap = pc;
    // The smallest cache is always allocated (even over budget): a pattern must be able to run.
    this.allocStates(cacheStates < INITIAL_STATES ? cacheStates : INITIAL_STATES);
    // A flush re-interns the kept state and then one more: two kernels of up to n + 1 pcs must always fit.
    let p0 = INITIAL_POOL > 2 * (n + 2) ? INITIAL_POOL : 2 * (n + 2);
    if (p0 > pc) p0 = pc;
    this.pool = new StaticArray<i32>(p0);
    this.budget.used += <i64>p0 << 2;
    this.stamp = new StaticArray<i32>(n);
    this.stack = new StaticArray<i32>(3 * n + 16);
    this.bytePcs = new StaticArray<i32>(n + 1);
    this.next = new StaticArray<i32>(n + 2);
    this.nextLb = new StaticArray<i32>(this.numLbs + 1);
    this.keepK = new StaticArray<i32>(n + 2);
    this.keepLb = new StaticArray<i32>(this.numLbs + 1);
  }

  // ---- construction ----

  private computeClasses(): void {
    const prog = this.prog;
    const id = new StaticArray<i32>(256);
    const remap = new StaticArray<i32>(512);
    let count = 1;
    // refine by one membership predicate at a time; `kind` 0 = prog set, 1 = look position set, 2 = \w, 3 = \n
    const total = prog.numSets + (prog.lookPosSets.length >> 3) + 2;
    for (let j = 0; j < total; j++) {
      let kind = 0;
      let idx = j;
      if (idx >= prog.numSets) {
        idx -= prog.numSets;
        kind = 1;
        if (idx >= prog.lookPosSets.length >> 3) {
          kind = idx - (prog.lookPosSets.length >> 3) == 0 ? 2 : 3;
          if (kind == 2 && !this.usesWord) continue;
          if (kind == 3 && !this.usesNl) continue;
        }
      }
      for (let i = 0; i < 512; i++) unchecked((remap[i] = -1));
      let nxt = 0;
      for (let b = 0; b < 256; b++) {
        let has: bool;
        if (kind == 0) has = setHas(prog.sets, idx, <u32>b);
        else if (kind == 1) has = setHas(prog.lookPosSets, idx, <u32>b);
        else if (kind == 2) has = isWordByte(<u32>b);
        else has = b == 0x0a;
        const key = unchecked(id[b]) * 2 + (has ? 1 : 0);
        let v = unchecked(remap[key]);
        if (v < 0) {
          v = nxt++;
          unchecked((remap[key] = v));
        }
        unchecked((id[b] = v));
      }
      count = nxt;
    }
    this.numClasses = count;
    for (let c = 0; c < 256; c++) unchecked((this.rep[c] = -1));
    for (let b = 0; b < 256; b++) {
      const c = unchecked(id[b]);
      unchecked((this.classOf[b] = <u8>c));
      if (unchecked(this.rep[c]) < 0) unchecked((this.rep[c] = b));
    }
  }

  /** Look-behind automata, as rulesets/regex/dfa.ts buildLookbehind: state = set of partial sequence matches. */
  private buildLookbehinds(): void {
    const prog = this.prog;
    const K = this.numClasses;
    const nl = prog.numLooks;
    this.lbIndexOfLook = new StaticArray<i32>(nl);
    let numLbs = 0;
    for (let l = 0; l < nl; l++) {
      unchecked((this.lbIndexOfLook[l] = -1));
      if ((unchecked(prog.lookFlags[l]) & LOOK_BEHIND) != 0) unchecked((this.lbIndexOfLook[l] = numLbs++));
    }
    this.numLbs = numLbs;
    this.lbStart = new StaticArray<i32>(numLbs);
    this.lbTransOff = new StaticArray<i32>(numLbs);
    this.lbAccOff = new StaticArray<i32>(numLbs);
    const trans = new Array<i32>();
    const acc = new Array<u8>();
    for (let l = 0; l < nl; l++) {
      const li = unchecked(this.lbIndexOfLook[l]);
      if (li < 0) continue;
      const q0 = unchecked(prog.lookSeqStart[l]);
      const q1 = unchecked(prog.lookSeqStart[l + 1]);
      let maxLen = 1;
      let hasEmpty = false;
      for (let q = q0; q < q1; q++) {
        const len = unchecked(prog.seqPosStart[q + 1]) - unchecked(prog.seqPosStart[q]);
        if (len > maxLen) maxLen = len;
        if (len == 0) hasEmpty = true;
      }
      unchecked((this.lbTransOff[li] = trans.length));
      unchecked((this.lbAccOff[li] = acc.length));
      const parts = new Array<Array<i32>>();
      const accs = new Array<bool>();
      const ids = new Map<string, i32>();
      const startParts = new Array<i32>();
      parts.push(startParts);
      accs.push(hasEmpty);
      ids.set(partsKey(startParts, hasEmpty), 0);
      unchecked((this.lbStart[li] = 0));
      for (let s = 0; s < parts.length; s++) {
        if (parts.length > MAX_LB_STATES) {
          this.usable = false;
          return;
        }
        const sp = parts[s];
        for (let c = 0; c < K; c++) {
          const b = <u32>unchecked(this.rep[c]);
          const nextParts = new Array<i32>();
          let a = hasEmpty;
          const cand = sp.slice(0);
          for (let j = 0; j < q1 - q0; j++) cand.push(j * maxLen);
          for (let x = 0; x < cand.length; x++) {
            const p = cand[x];
            const j = p / maxLen;
            const k = p % maxLen;
            const pos0 = unchecked(prog.seqPosStart[q0 + j]);
            const len = unchecked(prog.seqPosStart[q0 + j + 1]) - pos0;
            if (k >= len || !setHas(prog.lookPosSets, pos0 + k, b)) continue;
            if (k + 1 == len) a = true;
            else if (!nextParts.includes(j * maxLen + k + 1)) nextParts.push(j * maxLen + k + 1);
          }
          nextParts.sort((x: i32, y: i32): i32 => x - y);
          const key = partsKey(nextParts, a);
          let t: i32;
          if (ids.has(key)) t = ids.get(key);
          else {
            t = parts.length;
            parts.push(nextParts);
            accs.push(a);
            ids.set(key, t);
          }
          trans.push(t);
        }
      }
      for (let s = 0; s < parts.length; s++) acc.push(accs[s] ? 1 : 0);
    }
    this.lbTrans = new StaticArray<i32>(trans.length);
    for (let i = 0; i < trans.length; i++) unchecked((this.lbTrans[i] = trans[i]));
    this.lbAcc = new StaticArray<u8>(acc.length);
    for (let i = 0; i < acc.length; i++) unchecked((this.lbAcc[i] = acc[i]));
  }

  // ---- state cache ----

  private reset(): void {
    this.numStates = 0;
    this.poolUsed = 0;
    const t = this.table;
    for (let i = 0, e = t.length; i < e; i++) unchecked((t[i] = 0));
  }

  /** Bytes of the per-state arrays for `c` states. */
  private stateBytes(c: i32): i64 {
    const rows = this.usable ? <i64>c * <i64>this.numClasses * 2 : 0;
    return rows + <i64>(c + 1) * (14 + 4 * <i64>this.numLbs) + (<i64>tableSize(c) << 2);
  }

  /** (Re)allocates the per-state arrays for `c` states, keeping the states interned so far. */
  private allocStates(c: i32): void {
    const K = this.numClasses;
    const L = this.numLbs;
    const old = this.capacity;
    const n = this.numStates;
    const rows = new StaticArray<i16>(this.usable ? c * K : 0);
    if (this.usable && n > 0) memory.copy(changetype<usize>(rows), changetype<usize>(this.rows), (<usize>(n * K)) << 1);
    this.rows = rows;
    this.kStart = grownI32(this.kStart, c + 1, n);
    this.kLen = grownI32(this.kLen, c + 1, n);
    this.lbStates = grownI32(this.lbStates, (c + 1) * L, n * L);
    const h = new StaticArray<u32>(c + 1);
    if (n > 0) memory.copy(changetype<usize>(h), changetype<usize>(this.hashes), (<usize>n) << 2);
    this.hashes = h;
    const ctxs = new StaticArray<u8>(c + 1);
    if (n > 0) memory.copy(changetype<usize>(ctxs), changetype<usize>(this.ctxs), <usize>n);
    this.ctxs = ctxs;
    const acc = new StaticArray<i8>(c + 1);
    if (n > 0) memory.copy(changetype<usize>(acc), changetype<usize>(this.accEnd), <usize>n);
    this.accEnd = acc;
    const t = tableSize(c);
    this.table = new StaticArray<i32>(t);
    this.tableMask = t - 1;
    for (let id = 0; id < n; id++) {
      let slot = <i32>unchecked(this.hashes[id]) & this.tableMask;
      while (unchecked(this.table[slot]) != 0) slot = (slot + 1) & this.tableMask;
      unchecked((this.table[slot] = id + 1));
    }
    this.budget.used += this.stateBytes(c) - (old > 0 ? this.stateBytes(old) : 0);
    this.capacity = c;
  }

  /**
   * Makes room for one more state (kernel up to ops.length pcs) by doubling what is full — the state slots up to
   * cacheStates, the kernel pool up to poolCap — as far as the budget allows. False: the caller must flush.
   */
  private grow(): bool {
    const need = this.prog.ops.length + 1;
    if (this.numStates >= this.capacity) {
      if (this.capacity >= this.cacheStates) return false;
      let c = this.capacity * 2;
      if (c > this.cacheStates) c = this.cacheStates;
      if (!this.budget.take(this.stateBytes(c) - this.stateBytes(this.capacity))) {
        this.budget.denied++;
        return false;
      }
      this.budget.give(this.stateBytes(c) - this.stateBytes(this.capacity)); // allocStates charges it
      this.allocStates(c);
    }
    if (this.poolUsed + need > this.pool.length) {
      if (this.poolUsed + need > this.poolCap) return false;
      let c = this.pool.length;
      while (c < this.poolUsed + need) c <<= 1;
      if (c > this.poolCap) c = this.poolCap;
      const extra = (<i64>(c - this.pool.length)) << 2;
      if (!this.budget.take(extra)) {
        this.budget.denied++;
        return false;
      }
      const p = new StaticArray<i32>(c);
      memory.copy(changetype<usize>(p), changetype<usize>(this.pool), <usize>this.poolUsed << 2);
      this.pool = p;
    }
    return true;
  }

  /** Interns (kernel = next[0..m), ctx, lb = nextLb); the caller guarantees room. */
  private intern(kernel: StaticArray<i32>, m: i32, ctx: u8, lb: StaticArray<i32>): i32 {
    const L = this.numLbs;
    let h: u32 = <u32>ctx * 31 + 7;
    for (let i = 0; i < L; i++) h = (h ^ <u32>unchecked(lb[i])) * 0x01000193;
    for (let i = 0; i < m; i++) h = (h ^ <u32>unchecked(kernel[i])) * 0x01000193;
    h ^= h >>> 15;
    const mask = this.tableMask;
    let slot = <i32>h & mask;
    for (;;) {
      const e = unchecked(this.table[slot]);
      if (e == 0) break;
      const id = e - 1;
      if (unchecked(this.hashes[id]) == h && unchecked(this.ctxs[id]) == ctx && unchecked(this.kLen[id]) == m) {
        let same = true;
        const ks = unchecked(this.kStart[id]);
        for (let i = 0; i < m && same; i++) same = unchecked(this.pool[ks + i]) == unchecked(kernel[i]);
        for (let i = 0; i < L && same; i++) same = unchecked(this.lbStates[id * L + i]) == unchecked(lb[i]);
        if (same) return id;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.numStates++;
    unchecked((this.table[slot] = id + 1));
    unchecked((this.hashes[id] = h));
    unchecked((this.ctxs[id] = ctx));
    unchecked((this.kLen[id] = m));
    const ks = this.poolUsed;
    unchecked((this.kStart[id] = ks));
    for (let i = 0; i < m; i++) unchecked((this.pool[ks + i] = kernel[i]));
    this.poolUsed = ks + m;
    for (let i = 0; i < L; i++) unchecked((this.lbStates[id * L + i] = lb[i]));
    unchecked((this.accEnd[id] = -1));
    if (this.usable) {
      const K = this.numClasses;
      const r = this.rows;
      for (let c = 0, base = id * K; c < K; c++) unchecked((r[base + c] = <i16>UNKNOWN));
    }
    return id;
  }

  /** True when another state (with a kernel of up to ops.length pcs) fits in what is allocated. */
  @inline private hasRoom(): bool {
    return this.numStates < this.capacity && this.poolUsed + this.prog.ops.length + 1 <= this.pool.length;
  }

  private startState(): i32 {
    const nb = this.nextLb;
    for (let i = 0; i < this.numLbs; i++) unchecked((nb[i] = this.lbStart[i]));
    unchecked((this.next[0] = this.prog.start));
    return this.intern(this.next, 1, this.usesStart ? CTX_START : CTX_OTHER, nb);
  }

  /** Empties the cache and re-interns state `keep`; returns its new id. */
  private flush(keep: i32): i32 {
    const m = unchecked(this.kLen[keep]);
    const ks = unchecked(this.kStart[keep]);
    for (let i = 0; i < m; i++) unchecked((this.keepK[i] = this.pool[ks + i]));
    const L = this.numLbs;
    for (let i = 0; i < L; i++) unchecked((this.keepLb[i] = this.lbStates[keep * L + i]));
    const ctx = unchecked(this.ctxs[keep]);
    this.reset();
    return this.intern(this.keepK, m, ctx, this.keepLb);
  }

  // ---- transition function ----

  private cond(code: i32, isLook: bool, id: i32, b: i32): bool {
    const ctx = unchecked(this.ctxs[id]);
    if (isLook) {
      const prog = this.prog;
      const flags = unchecked(prog.lookFlags[code]);
      let pos = false;
      if ((flags & LOOK_BEHIND) != 0) {
        const li = unchecked(this.lbIndexOfLook[code]);
        const st = unchecked(this.lbStates[id * this.numLbs + li]);
        pos = unchecked(this.lbAcc[unchecked(this.lbAccOff[li]) + st]) == 1;
      } else {
        for (let q = unchecked(prog.lookSeqStart[code]), qe = unchecked(prog.lookSeqStart[code + 1]); q < qe; q++) {
          const p0 = unchecked(prog.seqPosStart[q]);
          if (unchecked(prog.seqPosStart[q + 1]) == p0 || (b != EOT && setHas(prog.lookPosSets, p0, <u32>b))) {
            pos = true;
            break;
          }
        }
      }
      return (flags & LOOK_NEGATE) != 0 ? !pos : pos;
    }
    switch (code) {
      case A_BOL:
        return ctx == CTX_START || (ctx == CTX_NL && b != EOT);
      case A_EOL:
        return b == EOT || b == 0x0a;
      case A_START:
        return ctx == CTX_START;
      case A_END:
        return b == EOT;
      case A_WORDB:
      case A_NWORDB: {
        const wp = ctx == CTX_WORD;
        const wn = b != EOT && isWordByte(<u32>b);
        return (wp != wn) == (code == A_WORDB);
      }
      default:
        return false; // \Z: the lazy DFA is not used for such programs (usable = false)
    }
  }

  /** Epsilon closure of state `id`'s kernel under the next symbol b (byte or EOT): count of BYTE pcs, or -1 on MATCH. */
  private closure(id: i32, b: i32): i32 {
    const prog = this.prog;
    const ops = prog.ops;
    const out = prog.out;
    const out1 = prog.out1;
    const arg = prog.arg;
    const stamp = this.stamp;
    const st = this.stack;
    const bytes = this.bytePcs;
    let gen = ++this.stampGen;
    if (gen == 0x7fffffff) {
      for (let i = 0, e = stamp.length; i < e; i++) unchecked((stamp[i] = 0));
      this.stampGen = gen = 1;
    }
    let nb = 0;
    let sp = 0;
    const ks = unchecked(this.kStart[id]);
    for (let i = unchecked(this.kLen[id]) - 1; i >= 0; i--) unchecked((st[sp++] = this.pool[ks + i]));
    while (sp > 0) {
      const pc = unchecked(st[--sp]);
      if (unchecked(stamp[pc]) == gen) continue;
      unchecked((stamp[pc] = gen));
      const op = unchecked(ops[pc]);
      if (op == OP_BYTE) unchecked((bytes[nb++] = pc));
      else if (op == OP_MATCH) return -1;
      else if (op == OP_SPLIT) {
        unchecked((st[sp++] = out1[pc]));
        unchecked((st[sp++] = out[pc]));
      } else if (op == OP_SAVE || op == OP_NOP) unchecked((st[sp++] = out[pc]));
      else if (op == OP_ASSERT) {
        if (this.cond(unchecked(arg[pc]), false, id, b)) unchecked((st[sp++] = out[pc]));
      } else if (op == OP_LOOK) {
        if (this.cond(unchecked(arg[pc]), true, id, b)) unchecked((st[sp++] = out[pc]));
      }
    }
    return nb;
  }

  /** Next state of `id` on class c (ACCEPT = -1); interns the target (the caller guarantees room). */
  private step(id: i32, c: i32): i32 {
    const b = unchecked(this.rep[c]);
    const nb = this.closure(id, b);
    if (nb < 0) return ACCEPT;
    const prog = this.prog;
    const sets = prog.sets;
    const arg = prog.arg;
    const out = prog.out;
    const stamp = this.stamp;
    const gen = ++this.stampGen; // closure() left room below 0x7fffffff
    const next = this.next;
    let m = 0;
    unchecked((next[m++] = prog.start));
    unchecked((stamp[prog.start] = gen));
    for (let i = 0; i < nb; i++) {
      const pc = unchecked(this.bytePcs[i]);
      if (setHas(sets, unchecked(arg[pc]), <u32>b)) {
        const o = unchecked(out[pc]);
        if (unchecked(stamp[o]) != gen) {
          unchecked((stamp[o] = gen));
          unchecked((next[m++] = o));
        }
      }
    }
    heapSort(next, m);
    const L = this.numLbs;
    const K = this.numClasses;
    for (let i = 0; i < L; i++) {
      const cur = unchecked(this.lbStates[id * L + i]);
      unchecked((this.nextLb[i] = this.lbTrans[unchecked(this.lbTransOff[i]) + cur * K + c]));
    }
    let ctx = CTX_OTHER;
    if (this.usesWord && isWordByte(<u32>b)) ctx = CTX_WORD;
    else if (b == 0x0a && this.usesNl) ctx = CTX_NL;
    return this.intern(next, m, ctx, this.nextLb);
  }

  private acceptsAtEnd(id: i32): bool {
    let v = unchecked(this.accEnd[id]);
    if (v < 0) {
      v = this.closure(id, EOT) < 0 ? 1 : 0;
      unchecked((this.accEnd[id] = v));
    }
    return v == 1;
  }

  // ---- search ----

  /** Unanchored search over [ptr, ptr+len): true on a match. `prog` must have passed validate(). */
  match(ptr: usize, len: i32): bool {
    const stats = this.lastStats;
    stats.flushes = 0;
    stats.maxStates = 0;
    stats.fellBack = false;
    if (!this.usable) {
      stats.fellBack = true;
      return pikeSearch(this.prog, ptr, len);
    }
    if (!this.hasRoom() && !this.grow()) this.reset();
    let s = this.startState();
    const K = this.numClasses;
    const classOf = changetype<usize>(this.classOf);
    let rows = changetype<usize>(this.rows);
    const end = ptr + <usize>len;
    for (let p = ptr; p < end; p++) {
      const c = <i32>load<u8>(classOf + <usize>load<u8>(p));
      let t = <i32>load<i16>(rows + ((<usize>(s * K + c)) << 1));
      if (t == UNKNOWN) {
        if (!this.hasRoom() && !this.grow()) {
          stats.flushes++;
          if (stats.flushes > this.maxFlushes) {
            stats.fellBack = true;
            return pikeSearch(this.prog, ptr, len);
          }
          s = this.flush(s);
        }
        rows = changetype<usize>(this.rows); // grow() may have moved them
        t = this.step(s, c);
        store<i16>(rows + ((<usize>(s * K + c)) << 1), <i16>t);
        if (this.numStates > stats.maxStates) stats.maxStates = this.numStates;
      }
      if (t == ACCEPT) return true;
      s = t;
    }
    return this.acceptsAtEnd(s);
  }
}

/** Open-addressing table slots for `c` states: a power of two, at least twice the ids. */
function tableSize(c: i32): i32 {
  let t = 16;
  while (t < 2 * (c + 1)) t <<= 1;
  return t;
}

/** A copy of `a` with `size` cells, the first `keep` copied. */
function grownI32(a: StaticArray<i32>, size: i32, keep: i32): StaticArray<i32> {
  const out = new StaticArray<i32>(size);
  if (keep > 0) memory.copy(changetype<usize>(out), changetype<usize>(a), (<usize>keep) << 2);
  return out;
}

function partsKey(parts: Array<i32>, acc: bool): string {
  let k = acc ? "A" : "N";
  for (let i = 0; i < parts.length; i++) k += (i ? "," : "") + parts[i].toString();
  return k;
}

/** In-place ascending heap sort of a[0..n). */
function heapSort(a: StaticArray<i32>, n: i32): void {
  if (n < 2) return;
  if (n <= 16) {
    for (let i = 1; i < n; i++) {
      const v = unchecked(a[i]);
      let j = i - 1;
      while (j >= 0 && unchecked(a[j]) > v) {
        unchecked((a[j + 1] = a[j]));
        j--;
      }
      unchecked((a[j + 1] = v));
    }
    return;
  }
  for (let i = (n >> 1) - 1; i >= 0; i--) siftDown(a, i, n);
  for (let e = n - 1; e > 0; e--) {
    const t = unchecked(a[0]);
    unchecked((a[0] = a[e]));
    unchecked((a[e] = t));
    siftDown(a, 0, e);
  }
}

@inline function siftDown(a: StaticArray<i32>, i: i32, n: i32): void {
  const v = unchecked(a[i]);
  for (;;) {
    let c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && unchecked(a[c + 1]) > unchecked(a[c])) c++;
    if (unchecked(a[c]) <= v) break;
    unchecked((a[i] = a[c]));
    i = c;
  }
  unchecked((a[i] = v));
}
