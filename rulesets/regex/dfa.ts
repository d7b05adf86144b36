/**
 * Unanchored-search DFA over byte classes, built by subset construction from the NFA program.
 *
 * Assertions are resolved RE2-style with one byte of look-ahead: a DFA state is (kernel, context) where the
 * kernel is the set of NFA pcs reached right after consuming a byte (plus the start pc: unanchored search)
 * and the context records what the assertions need about the past — the kind of the previous byte
 * (none/word/newline/other) and the state of each look-behind automaton. The epsilon closure is taken only
 * when the next byte (or end of text) is known, so `^ $ \b \B \A \z` and one-byte look-aheads are decided
 * exactly. Reaching MATCH in that closure means a match ended before the next byte: the transition goes to
 * the absorbing ACCEPT state. `acceptAtEnd[s]` says whether the closure under end-of-text reaches MATCH.
 *
 * The same `DfaBuilder` drives the eager construction (with a state/time cap) and the lazy DFA.
 */
import { UnsupportedRegexError } from "./errors";
import { type ByteSet, WORD, NEWLINE, byteClasses } from "./byteset";
import type { NfaProgram } from "./nfa";
import { A_BOL, A_END, A_ENDZ, A_EOL, A_NWORDB, A_START, A_WORDB, OP_ASSERT, OP_BYTE, OP_LOOK, OP_MATCH, OP_NOP, OP_SAVE, OP_SPLIT } from "./nfa";
import { hasByte, isWordByte } from "./byteset";


export const CTX_START = 0;
export const CTX_WORD = 1;
export const CTX_NL = 2;
export const CTX_OTHER = 3;

/** Minimised, table-driven DFA (the "dfa" tier). */
export interface Dfa {
  numStates: number;
  numClasses: number;
  /** byte → class */
  classOf: Uint8Array;
  /** row-major numStates × numClasses next-state table */
  trans: Uint16Array | Uint32Array;
  start: number;
  /** the absorbing ACCEPT state: reaching it means the pattern matched */
  accept: number;
  /** a state from which no match is reachable any more (walk may stop), or -1 */
  dead: number;
  /** 1 if the pattern matches when the input ends in this state */
  acceptAtEnd: Uint8Array;
}

/** Look-behind automaton: recognises "the text so far ends with one of the sequences". */
export interface LookbehindAutomaton {
  look: number;
  numStates: number;
  start: number;
  trans: Int32Array; // numStates × numClasses
  accept: Uint8Array;
}

export class DfaLimitError extends Error {
  constructor(
    readonly reason: "states" | "time" | "growth",
    readonly states: number,
  ) {
    super(`subset construction exceeded its ${reason} cap (${states} states)`);
  }
}

const EOT = -1;

export class DfaBuilder {
  readonly classOf: Uint8Array;
  readonly numClasses: number;
  readonly rep: Int32Array; // class → representative byte
  readonly lbs: LookbehindAutomaton[];
  private readonly lbIndexOfLook: Int32Array;
  private readonly setClasses: Int32Array[]; // set index → classes inside the set
  private readonly usesWord: boolean;
  private readonly usesNl: boolean;
  private readonly usesStart: boolean;
  // state storage
  kernels: Int32Array[] = [];
  ctxs: number[] = [];
  lbStates: Int32Array[] = [];
  private table = new Map<number, number[]>();
  private readonly stamp: Int32Array;
  private stampGen = 0;
  // row() scratch (sized once per builder)
  private readonly ctxOfClass: Int32Array; // normCtx of the class's bytes
  private readonly kindOfClass: Int32Array; // 0 other, 1 word, 2 newline (what assertions can tell apart)
  private readonly kindKey = new Int32Array(3);
  private readonly setHas: Uint8Array; // set index × class → class inside the set
  private readonly keyBuf: Int32Array;
  private readonly sigBuf: Int32Array;
  private readonly memberBuf: Int32Array;
  private readonly doneBuf: Uint8Array;
  private readonly firstBuf: Int32Array;
  private readonly remapBuf: Int32Array;
  private readonly remapGen: Int32Array;
  private readonly setStamp: Int32Array;
  private readonly dOfSet: Int32Array;
  private readonly outAt: Int32Array;
  private readonly outFill: Int32Array;
  private readonly outFlat: Int32Array;
  private readonly closBuf: Int32Array;
  private readonly stackBuf: Int32Array;
  private readonly dsetBuf: Int32Array;
  private setGen = 0;
  private readonly kernelBuf: Int32Array;
  private remapCounter = 0;

  constructor(
    readonly prog: NfaProgram,
    readonly pattern: string,
  ) {
    const m = prog.assertMask;
    if (m & (1 << A_ENDZ))
      throw new UnsupportedRegexError(pattern, "\\Z / non-multiline $ (needs two bytes of look-ahead) in an automaton");
    for (const l of prog.looks)
      if (!l.behind && l.maxLen > 1) throw new UnsupportedRegexError(pattern, "multi-byte look-ahead in an automaton");
    this.usesWord = (m & ((1 << A_WORDB) | (1 << A_NWORDB))) !== 0;
    this.usesNl = (m & ((1 << A_BOL) | (1 << A_EOL))) !== 0;
    this.usesStart = (m & ((1 << A_BOL) | (1 << A_START))) !== 0;
    const parts: ByteSet[] = [...prog.sets];
    if (this.usesWord) parts.push(WORD);
    if (this.usesNl) parts.push(NEWLINE);
    for (const l of prog.looks) for (const q of l.seqs) parts.push(...q);
    const { classOf, count } = byteClasses(parts);
    this.classOf = classOf;
    this.numClasses = count;
    this.rep = new Int32Array(count).fill(-1);
    for (let b = 0; b < 256; b++) if (this.rep[classOf[b]!] === -1) this.rep[classOf[b]!] = b;
    this.setClasses = prog.sets.map((s) => {
      const cl: number[] = [];
      for (let c = 0; c < count; c++) if (hasByte(s, this.rep[c]!)) cl.push(c);
      return Int32Array.from(cl);
    });
    this.lbs = [];
    this.lbIndexOfLook = new Int32Array(prog.looks.length).fill(-1);
    prog.looks.forEach((l, i) => {
      if (l.behind) {
        this.lbIndexOfLook[i] = this.lbs.length;
        this.lbs.push(buildLookbehind(i, l.seqs, this.rep, count));
      }
    });
    this.stamp = new Int32Array(prog.ops.length);
    this.ctxOfClass = new Int32Array(count);
    this.kindOfClass = new Int32Array(count);
    for (let c = 0; c < count; c++) {
      const b = this.rep[c]!;
      this.ctxOfClass[c] = this.normCtx(b);
      this.kindOfClass[c] = isWordByte(b) ? 1 : b === 0x0a ? 2 : 0;
    }
    this.setHas = new Uint8Array(prog.sets.length * count);
    this.setClasses.forEach((cl, si) => cl.forEach((c) => (this.setHas[si * count + c] = 1)));
    this.keyBuf = new Int32Array(count);
    this.sigBuf = new Int32Array(count);
    this.memberBuf = new Int32Array(count);
    this.doneBuf = new Uint8Array(count);
    // signature ids stay < 3 × count + 5 (row() compacts them)
    this.firstBuf = new Int32Array(4 * count + 8);
    this.remapBuf = new Int32Array(4 * count + 8);
    this.remapGen = new Int32Array(4 * count + 8);
    this.setStamp = new Int32Array(prog.sets.length);
    this.dOfSet = new Int32Array(prog.sets.length);
    this.outAt = new Int32Array(prog.sets.length + 1);
    this.outFill = new Int32Array(prog.sets.length);
    this.outFlat = new Int32Array(prog.ops.length);
    this.closBuf = new Int32Array(prog.ops.length);
    // every pc is pushed at most twice per closure (SPLIT pushes two, a visited pc pushes nothing), plus the kernel
    this.stackBuf = new Int32Array(3 * prog.ops.length + 8);
    this.dsetBuf = new Int32Array(prog.sets.length);
    this.kernelBuf = new Int32Array(prog.ops.length + 1);
  }

  get numStates(): number {
    return this.kernels.length;
  }

  normCtx(b: number): number {
    if (b === EOT) return CTX_START;
    if (this.usesWord && isWordByte(b)) return CTX_WORD;
    if (b === 0x0a && this.usesNl) return CTX_NL;
    return CTX_OTHER;
  }

  startCtx(): number {
    return this.usesStart ? CTX_START : CTX_OTHER;
  }

  /** Interns (kernel, ctx, lb); returns the state id. */
  intern(kernel: Int32Array, ctx: number, lb: Int32Array): number {
    return this.internBuf(kernel, kernel.length, ctx, lb, false);
  }

  /**
   * Interns (buf[0..len), ctx, lb) where buf holds a sorted kernel; copies buf only when the state is new
   * (unless `copy` is false: then buf itself, of length len, becomes the kernel).
   */
  private internBuf(buf: Int32Array, len: number, ctx: number, lb: Int32Array, copy: boolean): number {
    let h = (ctx * 31 + 7) | 0;
    for (let i = 0; i < lb.length; i++) h = Math.imul(h ^ lb[i]!, 0x01000193);
    for (let i = 0; i < len; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const bucket = this.table.get(h);
    if (bucket) {
      outer: for (let bi = 0; bi < bucket.length; bi++) {
        const id = bucket[bi]!;
        if (this.ctxs[id] !== ctx) continue;
        const k = this.kernels[id]!;
        if (k.length !== len) continue;
        for (let i = 0; i < len; i++) if (k[i] !== buf[i]) continue outer;
        const l = this.lbStates[id]!;
        for (let i = 0; i < l.length; i++) if (l[i] !== lb[i]) continue outer;
        return id;
      }
    }
    const id = this.kernels.length;
    this.kernels.push(copy ? buf.slice(0, len) : buf);
    this.ctxs.push(ctx);
    this.lbStates.push(lb);
    if (bucket) bucket.push(id);
    else this.table.set(h, [id]);
    return id;
  }

  reset(): void {
    this.kernels = [];
    this.ctxs = [];
    this.lbStates = [];
    this.table = new Map();
  }

  startState(): number {
    return this.intern(Int32Array.of(this.prog.start), this.startCtx(), Int32Array.from(this.lbs, (a) => a.start));
  }

  private cond(code: number, isLook: boolean, ctx: number, lb: Int32Array, b: number): boolean {
    if (isLook) {
      const l = this.prog.looks[code]!;
      let pos: boolean;
      if (l.behind) {
        const li = this.lbIndexOfLook[code]!;
        pos = this.lbs[li]!.accept[lb[li]!] === 1;
      } else {
        pos = false;
        for (const q of l.seqs)
          if (q.length === 0 || (b !== EOT && hasByte(q[0]!, b))) {
            pos = true;
            break;
          }
      }
      return l.negate ? !pos : pos;
    }
    switch (code) {
      case A_BOL:
        return ctx === CTX_START || (ctx === CTX_NL && b !== EOT);
      case A_EOL:
        return b === EOT || b === 0x0a;
      case A_START:
        return ctx === CTX_START;
      case A_END:
        return b === EOT;
      case A_WORDB:
      case A_NWORDB: {
        const wp = ctx === CTX_WORD;
        const wn = b !== EOT && isWordByte(b);
        return (wp !== wn) === (code === A_WORDB);
      }
      default:
        throw new Error("unreachable assertion code " + code);
    }
  }

  /** Closure of the state's kernel with the next symbol b (byte or EOT). Returns BYTE pcs, or null if MATCH is reached. */
  private closure(id: number, b: number): number[] | null {
    const n = this.closureInto(id, b);
    return n < 0 ? null : Array.from(this.closBuf.subarray(0, n));
  }

  /** closure() into closBuf: the number of BYTE pcs, or -1 if MATCH is reached. */
  private closureInto(id: number, b: number): number {
    const prog = this.prog;
    const ops = prog.ops;
    const ctx = this.ctxs[id]!;
    const lb = this.lbStates[id]!;
    const gen = ++this.stampGen;
    const stamp = this.stamp;
    const bytes = this.closBuf;
    const stack = this.stackBuf;
    let nb = 0;
    let sp = 0;
    const k = this.kernels[id]!;
    for (let i = k.length - 1; i >= 0; i--) stack[sp++] = k[i]!;
    while (sp > 0) {
      const pc = stack[--sp]!;
      if (stamp[pc] === gen) continue;
      stamp[pc] = gen;
      switch (ops[pc]) {
        case OP_BYTE:
          bytes[nb++] = pc;
          break;
        case OP_MATCH:
          return -1;
        case OP_SPLIT:
          stack[sp++] = prog.out1[pc]!;
          stack[sp++] = prog.out[pc]!;
          break;
        case OP_SAVE:
        case OP_NOP:
          stack[sp++] = prog.out[pc]!;
          break;
        case OP_ASSERT:
          if (this.cond(prog.arg[pc]!, false, ctx, lb, b)) stack[sp++] = prog.out[pc]!;
          break;
        case OP_LOOK:
          if (this.cond(prog.arg[pc]!, true, ctx, lb, b)) stack[sp++] = prog.out[pc]!;
          break;
      }
    }
    return nb;
  }

  private condKey(id: number, b: number): number {
    // which conditions hold for this symbol; closures are shared between classes with equal keys
    const prog = this.prog;
    const ctx = this.ctxs[id]!;
    const lb = this.lbStates[id]!;
    let key = 0;
    let bit = 1;
    for (let code = 0; code <= A_NWORDB; code++, bit *= 2)
      if (prog.assertMask & (1 << code) && this.cond(code, false, ctx, lb, b)) key += bit;
    for (let i = 0; i < prog.looks.length; i++, bit *= 2) if (this.cond(i, true, ctx, lb, b)) key += bit;
    return key;
  }

  /** One transition (lazy DFA): next state id for class c, -1 meaning ACCEPT. */
  step(id: number, c: number): number {
    const b = this.rep[c]!;
    const bytes = this.closure(id, b);
    if (bytes === null) return -1;
    const next: number[] = [];
    for (const pc of bytes) if (hasByte(this.prog.sets[this.prog.arg[pc]!]!, b)) next.push(this.prog.out[pc]!);
    next.push(this.prog.start);
    next.sort((x, y) => x - y);
    let n = 0;
    for (let i = 0; i < next.length; i++) if (i === 0 || next[i] !== next[i - 1]) next[n++] = next[i]!;
    const lb = this.lbStates[id]!;
    let nlb = lb;
    if (this.lbs.length) {
      nlb = new Int32Array(lb.length);
      for (let i = 0; i < lb.length; i++) nlb[i] = this.lbs[i]!.trans[lb[i]! * this.numClasses + c]!;
    }
    return this.intern(Int32Array.from(next.slice(0, n)), this.normCtx(b), nlb);
  }

  /** True when the state accepts at end of input. */
  acceptsAtEnd(id: number): boolean {
    return this.closureInto(id, EOT) < 0;
  }

  /**
   * Computes the whole row of state `id`: next state per class, -1 meaning ACCEPT.
   * New states are interned (callers check numStates against their cap), in the order of the first class that
   * reaches them, classes visited group by group (groups of equal condition keys, in order of their first class).
   *
   * Per class the target kernel is {start} ∪ outs of the consuming pcs whose set holds the class; classes are
   * partitioned by (context, look-behind states, which distinct sets of the closure hold them) with integer
   * refinement, so each distinct target is built and interned once.
   */
  row(id: number): Int32Array {
    const K = this.numClasses;
    const prog = this.prog;
    const row = new Int32Array(K);
    const keys = this.keyBuf;
    // 1. condition key per class. Without look-arounds the key depends on the byte's kind only (word / newline /
    //    other: each is a union of classes whenever an assertion can tell them apart), so compute it per kind.
    if (prog.looks.length === 0) {
      if (prog.assertMask === 0) keys.fill(0);
      else {
        const kk = this.kindKey;
        kk[0] = kk[1] = kk[2] = -1;
        for (let c = 0; c < K; c++) {
          const kind = this.kindOfClass[c]!;
          let k = kk[kind]!;
          if (k < 0) kk[kind] = k = this.condKey(id, this.rep[c]!);
          keys[c] = k;
        }
      }
    } else for (let c = 0; c < K; c++) keys[c] = this.condKey(id, this.rep[c]!);
    const start = prog.start;
    const lb = this.lbStates[id]!;
    const nLb = this.lbs.length;
    const sig = this.sigBuf;
    const remap = this.remapBuf;
    const remapGen = this.remapGen;
    const firstOfSig = this.firstBuf;
    const stamp = this.stamp;
    const setStamp = this.setStamp;
    const done = this.doneBuf; // classes already assigned (group loop)
    done.fill(0);
    for (let g0 = 0; g0 < K; g0++) {
      if (done[g0]) continue;
      const key = keys[g0]!;
      const nBytes = this.closureInto(id, this.rep[g0]!);
      if (nBytes < 0) {
        for (let c = g0; c < K; c++)
          if (!done[c] && keys[c] === key) {
            row[c] = -1;
            done[c] = 1;
          }
        continue;
      }
      // classes of this group: initial signature = context of the byte (and look-behind states)
      let nSig = 0;
      const members = this.memberBuf;
      let m = 0;
      for (let c = g0; c < K; c++) if (!done[c] && keys[c] === key) members[m++] = c;
      for (let i = 0; i < m; i++) sig[members[i]!] = this.ctxOfClass[members[i]!]!;
      nSig = 4;
      if (nLb) {
        // refine by the look-behind automata's next states (rare: Map-based)
        for (let li = 0; li < nLb; li++) {
          const tr = this.lbs[li]!.trans;
          const base = lb[li]! * K;
          const mp = new Map<number, number>();
          let next = 0;
          for (let i = 0; i < m; i++) {
            const c = members[i]!;
            const k2 = sig[c]! * 1048576 + tr[base + c]!;
            let v = mp.get(k2);
            if (v === undefined) mp.set(k2, (v = next++));
            sig[c] = v;
          }
          nSig = next;
        }
      }
      // group the consuming pcs by set; refine the signature by membership in each distinct set
      // (CSR: the outs of distinct set d are outFlat[outAt[d] .. outAt[d + 1]))
      const bytes = this.closBuf;
      const gen = ++this.setGen;
      const dsets = this.dsetBuf;
      const dOf = this.dOfSet;
      const outAt = this.outAt;
      const outFlat = this.outFlat;
      let nd = 0;
      for (let i = 0; i < nBytes; i++) {
        const si = prog.arg[bytes[i]!]!;
        if (setStamp[si] !== gen) {
          setStamp[si] = gen;
          dOf[si] = nd;
          outAt[nd + 1] = 0;
          dsets[nd++] = si;
        }
        outAt[dOf[si]! + 1]!++;
      }
      outAt[0] = 0;
      for (let d = 0; d < nd; d++) outAt[d + 1]! += outAt[d]!;
      const fill = this.outFill;
      for (let d = 0; d < nd; d++) fill[d] = outAt[d]!;
      for (let i = 0; i < nBytes; i++) {
        const pc = bytes[i]!;
        outFlat[fill[dOf[prog.arg[pc]!]!]!++] = prog.out[pc]!;
      }
      for (let d = 0; d < nd; d++) {
        const cl = this.setClasses[dsets[d]!]!;
        // classes in the set get new ids (old id → new id), the others keep theirs; with the compaction below the
        // ids stay < 3 × K + 5
        const rg = ++this.remapCounter;
        let any = false;
        for (let i = 0; i < cl.length; i++) {
          const c = cl[i]!;
          if (done[c] || keys[c] !== key) continue;
          any = true;
          const old = sig[c]!;
          if (remapGen[old] !== rg) {
            remapGen[old] = rg;
            remap[old] = nSig++;
          }
          sig[c] = remap[old]!;
        }
        if (!any) continue;
        if (nSig > 2 * K + 4) {
          // compact the ids (keeps the arrays small on huge closures)
          const cg = ++this.remapCounter;
          let n2 = 0;
          for (let i = 0; i < m; i++) {
            const c = members[i]!;
            const old = sig[c]!;
            if (remapGen[old] !== cg) {
              remapGen[old] = cg;
              remap[old] = n2++;
            }
            sig[c] = remap[old]!;
          }
          nSig = n2;
        }
      }
      // one target per distinct signature, interned in order of its first class
      const fg = ++this.remapCounter;
      for (let i = 0; i < m; i++) {
        const c = members[i]!;
        done[c] = 1;
        const sg = sig[c]!;
        if (remapGen[sg] === fg) {
          row[c] = row[firstOfSig[sg]!]!;
          continue;
        }
        remapGen[sg] = fg;
        firstOfSig[sg] = c;
        const sgen = ++this.stampGen;
        const kb = this.kernelBuf;
        kb[0] = start;
        let kn = 1;
        stamp[start] = sgen;
        for (let d = 0; d < nd; d++) {
          const si = dsets[d]!;
          if (!this.setHas[si * K + c]) continue;
          for (let j = outAt[d]!, je = outAt[d + 1]!; j < je; j++) {
            const o = outFlat[j]!;
            if (stamp[o] !== sgen) {
              stamp[o] = sgen;
              // insertion into the sorted prefix (kernels are small)
              let p = kn++;
              while (p > 0 && kb[p - 1]! > o) {
                kb[p] = kb[p - 1]!;
                p--;
              }
              kb[p] = o;
            }
          }
        }
        let nlb = lb;
        if (nLb) {
          nlb = new Int32Array(nLb);
          for (let li = 0; li < nLb; li++) nlb[li] = this.lbs[li]!.trans[lb[li]! * K + c]!;
        }
        row[c] = this.internBuf(kb, kn, this.ctxOfClass[c]!, nlb, true);
      }
    }
    return row;
  }
}

function buildLookbehind(look: number, seqs: ByteSet[][], rep: Int32Array, K: number): LookbehindAutomaton {
  // state: set of (j,k) partial matches, k < len_j; accept when some sequence completed at this position
  const keyOf = (parts: number[], acc: boolean) => (acc ? "A" : "N") + parts.join(",");
  const states: { parts: number[]; acc: boolean }[] = [];
  const map = new Map<string, number>();
  const maxLen = Math.max(1, ...seqs.map((q) => q.length));
  const add = (parts: number[], acc: boolean): number => {
    const key = keyOf(parts, acc);
    let id = map.get(key);
    if (id === undefined) {
      id = states.length;
      states.push({ parts, acc });
      map.set(key, id);
    }
    return id;
  };
  const hasEmpty = seqs.some((q) => q.length === 0);
  const start = add([], hasEmpty);
  const trans: number[] = [];
  for (let s = 0; s < states.length; s++) {
    const { parts } = states[s]!;
    for (let c = 0; c < K; c++) {
      const b = rep[c]!;
      const next = new Set<number>();
      let acc = hasEmpty;
      const cand = [...parts];
      for (let j = 0; j < seqs.length; j++) cand.push(j * maxLen);
      for (const p of cand) {
        const j = Math.floor(p / maxLen);
        const k = p % maxLen;
        const q = seqs[j]!;
        if (k >= q.length || !hasByte(q[k]!, b)) continue;
        if (k + 1 === q.length) acc = true;
        else next.add(j * maxLen + k + 1);
      }
      trans[s * K + c] = add([...next].sort((x, y) => x - y), acc);
    }
  }
  return { look, numStates: states.length, start, trans: Int32Array.from(trans), accept: Uint8Array.from(states, (x) => (x.acc ? 1 : 0)) };
}

export interface BuildDfaOptions {
  maxStates: number;
  timeLimitMs: number;
  /**
   * Growth-rate abort (deterministic): after `processed` states have had their rows computed, more than
   * `maxStates` discovered states mean the construction is racing towards the cap — give up early.
   */
  growth?: readonly GrowthCheckpoint[];
}

export interface GrowthCheckpoint {
  processed: number;
  maxStates: number;
}

export interface RawDfa {
  numStates: number; // excluding ACCEPT (which is numStates)
  numClasses: number;
  classOf: Uint8Array;
  trans: Int32Array; // (numStates+1) × K, ACCEPT row included
  start: number;
  acceptAtEnd: Uint8Array;
}

/** Eager subset construction. Throws DfaLimitError when over the cap. */
export function buildDfa(builder: DfaBuilder, opts: BuildDfaOptions): RawDfa {
  const t0 = performance.now();
  const K = builder.numClasses;
  builder.reset();
  const start = builder.startState();
  const rows: Int32Array[] = [];
  const growth = opts.growth ?? [];
  let gi = 0;
  for (let id = 0; id < builder.numStates; id++) {
    rows.push(builder.row(id));
    if (builder.numStates > opts.maxStates) throw new DfaLimitError("states", builder.numStates);
    while (gi < growth.length && growth[gi]!.processed <= id + 1) {
      if (growth[gi]!.processed === id + 1 && builder.numStates > growth[gi]!.maxStates) throw new DfaLimitError("growth", builder.numStates);
      gi++;
    }
    if ((id & 63) === 0 && performance.now() - t0 > opts.timeLimitMs) throw new DfaLimitError("time", builder.numStates);
  }
  const N = builder.numStates;
  const ACCEPT = N;
  const trans = new Int32Array((N + 1) * K);
  for (let s = 0; s < N; s++) {
    const r = rows[s]!;
    for (let c = 0; c < K; c++) trans[s * K + c] = r[c] === -1 ? ACCEPT : r[c]!;
  }
  for (let c = 0; c < K; c++) trans[ACCEPT * K + c] = ACCEPT;
  const acceptAtEnd = new Uint8Array(N + 1);
  for (let s = 0; s < N; s++) acceptAtEnd[s] = builder.acceptsAtEnd(s) ? 1 : 0;
  acceptAtEnd[ACCEPT] = 1;
  return { numStates: N, numClasses: K, classOf: builder.classOf, trans, start, acceptAtEnd };
}

/** Hopcroft minimisation; merges equivalent byte classes; renumbers states in BFS order from the start. */
export function minimizeDfa(raw: RawDfa): Dfa {
  const N = raw.numStates + 1; // including ACCEPT
  const K = raw.numClasses;
  const ACC = raw.numStates;
  const T = raw.trans;
  // inverse transitions, CSR per class
  const invStart = new Int32Array(K * (N + 1) + 1);
  const invList = new Int32Array(N * K);
  {
    const cnt = new Int32Array(K * (N + 1));
    for (let s = 0; s < N; s++) for (let c = 0; c < K; c++) cnt[c * (N + 1) + T[s * K + c]!]!++;
    let acc = 0;
    for (let i = 0; i < cnt.length; i++) {
      invStart[i] = acc;
      acc += cnt[i]!;
    }
    invStart[cnt.length] = acc;
    const fill = invStart.slice(0, cnt.length);
    for (let s = 0; s < N; s++)
      for (let c = 0; c < K; c++) {
        const key = c * (N + 1) + T[s * K + c]!;
        invList[fill[key]!++] = s;
      }
  }
  // refinable partition
  const elems = new Int32Array(N);
  const loc = new Int32Array(N);
  const blockOf = new Int32Array(N);
  const bStart: number[] = [];
  const bEnd: number[] = [];
  {
    const initial = new Map<number, number[]>();
    for (let s = 0; s < N; s++) {
      const key = s === ACC ? 2 : raw.acceptAtEnd[s]!;
      let l = initial.get(key);
      if (!l) initial.set(key, (l = []));
      l.push(s);
    }
    let p = 0;
    for (const l of initial.values()) {
      const b = bStart.length;
      bStart.push(p);
      for (const s of l) {
        elems[p] = s;
        loc[s] = p;
        blockOf[s] = b;
        p++;
      }
      bEnd.push(p);
    }
  }
  const marked: number[] = [];
  const inW: number[] = [];
  const W: number[] = [];
  for (let b = 0; b < bStart.length; b++) {
    W.push(b);
    inW[b] = 1;
    marked[b] = 0;
  }
  const touched: number[] = [];
  while (W.length) {
    const A = W.pop()!;
    inW[A] = 0;
    const splitter = elems.slice(bStart[A]!, bEnd[A]!);
    for (let c = 0; c < K; c++) {
      touched.length = 0;
      for (let i = 0; i < splitter.length; i++) {
        const t = splitter[i]!;
        const key = c * (N + 1) + t;
        for (let j = invStart[key]!; j < invStart[key + 1]!; j++) {
          const s = invList[j]!;
          const b = blockOf[s]!;
          const pos = loc[s]!;
          const target = bStart[b]! + marked[b]!;
          if (pos < target) continue; // already marked
          if (marked[b] === 0) touched.push(b);
          // swap s into the marked prefix
          const other = elems[target]!;
          elems[target] = s;
          loc[s] = target;
          elems[pos] = other;
          loc[other] = pos;
          marked[b]!++;
        }
      }
      for (const b of touched) {
        const m = marked[b]!;
        marked[b] = 0;
        if (m === bEnd[b]! - bStart[b]!) continue;
        const nb = bStart.length;
        bStart.push(bStart[b]!);
        bEnd.push(bStart[b]! + m);
        bStart[b] = bStart[b]! + m;
        marked[nb] = 0;
        for (let i = bStart[nb]!; i < bEnd[nb]!; i++) blockOf[elems[i]!] = nb;
        if (inW[b]) {
          W.push(nb);
          inW[nb] = 1;
        } else {
          const smaller = m <= bEnd[b]! - bStart[b]! ? nb : b;
          W.push(smaller);
          inW[smaller] = 1;
          if (smaller !== nb) inW[nb] = 0;
        }
      }
    }
  }
  // merge identical class columns (on blocks)
  const nb = bStart.length;
  const colKey: string[] = [];
  for (let c = 0; c < K; c++) {
    const col: number[] = [];
    for (let b = 0; b < nb; b++) col.push(blockOf[T[elems[bStart[b]!]! * K + c]!]!);
    colKey.push(col.join(","));
  }
  const colMap = new Map<string, number>();
  const newClassOfOld = new Int32Array(K);
  const oldOfNew: number[] = [];
  for (let c = 0; c < K; c++) {
    let v = colMap.get(colKey[c]!);
    if (v === undefined) {
      v = oldOfNew.length;
      colMap.set(colKey[c]!, v);
      oldOfNew.push(c);
    }
    newClassOfOld[c] = v;
  }
  const K2 = oldOfNew.length;
  const classOf = new Uint8Array(256);
  for (let b = 0; b < 256; b++) classOf[b] = newClassOfOld[raw.classOf[b]!]!;
  // BFS renumbering from start
  const newId = new Int32Array(nb).fill(-1);
  const order: number[] = [];
  const startB = blockOf[raw.start]!;
  newId[startB] = 0;
  order.push(startB);
  for (let i = 0; i < order.length; i++) {
    const b = order[i]!;
    const rep = elems[bStart[b]!]!;
    for (let c2 = 0; c2 < K2; c2++) {
      const t = blockOf[T[rep * K + oldOfNew[c2]!]!]!;
      if (newId[t] === -1) {
        newId[t] = order.length;
        order.push(t);
      }
    }
  }
  const M = order.length;
  const trans = M <= 65536 ? new Uint16Array(M * K2) : new Uint32Array(M * K2);
  const acceptAtEnd = new Uint8Array(M);
  let accept = -1;
  for (let i = 0; i < M; i++) {
    const b = order[i]!;
    const rep = elems[bStart[b]!]!;
    if (rep === ACC) accept = i;
    acceptAtEnd[i] = raw.acceptAtEnd[rep]!;
    for (let c2 = 0; c2 < K2; c2++) trans[i * K2 + c2] = newId[blockOf[T[rep * K + oldOfNew[c2]!]!]!]!;
  }
  if (accept === -1) {
    // ACCEPT unreachable: the pattern can never match; keep a (self-looping) ACCEPT state for a uniform format
    accept = -1;
  }
  // dead state: cannot reach ACCEPT nor an accept-at-end state
  const live = new Uint8Array(M);
  const stack: number[] = [];
  const rev: number[][] = Array.from({ length: M }, () => []);
  for (let s = 0; s < M; s++) for (let c2 = 0; c2 < K2; c2++) rev[trans[s * K2 + c2]!]!.push(s);
  for (let s = 0; s < M; s++)
    if (acceptAtEnd[s] || s === accept) {
      live[s] = 1;
      stack.push(s);
    }
  while (stack.length) {
    const s = stack.pop()!;
    for (const p of rev[s]!)
      if (!live[p]) {
        live[p] = 1;
        stack.push(p);
      }
  }
  let dead = -1;
  for (let s = 0; s < M; s++) if (!live[s]) dead = s; // all dead states are equivalent → at most one after minimisation
  return { numStates: M, numClasses: K2, classOf, trans, start: 0, accept, dead, acceptAtEnd };
}

/** Reference DFA walk (the filter's AssemblyScript walker must agree with it). */
export function dfaMatch(d: Dfa, input: Uint8Array): boolean {
  const K = d.numClasses;
  let s = d.start;
  const { trans, classOf, accept, dead } = d;
  for (let i = 0; i < input.length; i++) {
    s = trans[s * K + classOf[input[i]!]!]!;
    if (s === accept) return true;
    if (s === dead) return false;
  }
  return d.acceptAtEnd[s] === 1;
}
