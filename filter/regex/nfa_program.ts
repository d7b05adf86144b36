// Thompson NFA program of one pattern: the structure a decoder fills, and its validation. Mirrors
// rulesets/regex/nfa.ts `NfaProgram`: the match-only program (compileRegex(...).nfa, no SAVE) that the lazy DFA
// walks, and the capture program (compileRegex(...).captureProgram, SAVE for groups 0..9) that the Pike VM walks.
//
// Instruction i (0 <= i < ops.length): ops[i], arg[i], out[i], out1[i] (see opcodes.ts OP_*).
// Byte sets: 256-bit sets, 8 u32 words each (bit b&31 of word b>>5), set j at sets[8j .. 8j+8).
// Look-arounds (flattened `looks: LookEntry[]`): look L has flags lookFlags[L] (LOOK_BEHIND | LOOK_NEGATE) and the
// sequences lookSeqStart[L] .. lookSeqStart[L+1]-1; sequence q has the positions seqPosStart[q] ..
// seqPosStart[q+1]-1, position p being the 256-bit set lookPosSets[8p .. 8p+8). A look holds when one of its
// sequences matches the bytes ending (behind) or starting (ahead) at the current position, inverted if negated.
import {
  A_LAST,
  OP_ASSERT,
  OP_BYTE,
  OP_LAST,
  OP_LOOK,
  OP_MATCH,
  OP_NOP,
  OP_SAVE,
  OP_SPLIT,
} from "./opcodes";

export class NfaProgram {
  ops: StaticArray<u8> = new StaticArray<u8>(0);
  arg: StaticArray<i32> = new StaticArray<i32>(0);
  out: StaticArray<i32> = new StaticArray<i32>(0);
  out1: StaticArray<i32> = new StaticArray<i32>(0);
  /** number of byte sets */
  numSets: i32 = 0;
  /** 8 × numSets words */
  sets: StaticArray<u32> = new StaticArray<u32>(0);
  /** number of look-arounds */
  numLooks: i32 = 0;
  /** numLooks entries: LOOK_BEHIND | LOOK_NEGATE */
  lookFlags: StaticArray<u8> = new StaticArray<u8>(0);
  /** numLooks + 1 entries: first sequence of each look (non-decreasing, last = number of sequences) */
  lookSeqStart: StaticArray<i32> = new StaticArray<i32>(1);
  /** numSequences + 1 entries: first position of each sequence (non-decreasing, last = number of positions) */
  seqPosStart: StaticArray<i32> = new StaticArray<i32>(1);
  /** 8 × numPositions words */
  lookPosSets: StaticArray<u32> = new StaticArray<u32>(0);
  /** entry instruction */
  start: i32 = 0;
  /** capture slots written by SAVE: 2 × (min(groups, 9) + 1) for a capture program, 0 for a match-only one */
  slots: i32 = 0;
  /** bit (1 << A_*) for every assertion code that occurs */
  assertMask: i32 = 0;

  @inline get length(): i32 {
    return this.ops.length;
  }

  /** The bytes a match can begin with (8 words), or null when the program can match without consuming a byte:
   *  computed on first use (startBytes()), from the instructions reachable from `start` without consuming. */
  private starts: StaticArray<u32> | null = null;
  private startsKnown: bool = false;

  /** See `starts`. Assertions and look-arounds are passed as if they held (a superset: only a byte outside it is
   *  certain not to begin a match). `validate()` must have passed. */
  startBytes(): StaticArray<u32> | null {
    if (this.startsKnown) return this.starts;
    this.startsKnown = true;
    const n = this.ops.length;
    const seen = new StaticArray<u8>(n);
    const stack = new Array<i32>();
    const set = new StaticArray<u32>(8);
    stack.push(this.start);
    while (stack.length > 0) {
      const pc = stack.pop();
      if (unchecked(seen[pc]) != 0) continue;
      unchecked((seen[pc] = 1));
      const op = unchecked(this.ops[pc]);
      if (op == OP_MATCH) return null; // the empty string matches here: every position can begin a match
      if (op == OP_BYTE) {
        const base = unchecked(this.arg[pc]) << 3;
        for (let w = 0; w < 8; w++) unchecked((set[w] |= this.sets[base + w]));
      } else {
        if (op == OP_SPLIT) stack.push(unchecked(this.out1[pc]));
        stack.push(unchecked(this.out[pc]));
      }
    }
    this.starts = set;
    return set;
  }

  /** Longest sequence of look `l`. */
  lookMaxLen(l: i32): i32 {
    let m = 0;
    for (let q = unchecked(this.lookSeqStart[l]); q < unchecked(this.lookSeqStart[l + 1]); q++) {
      const n = unchecked(this.seqPosStart[q + 1]) - unchecked(this.seqPosStart[q]);
      if (n > m) m = n;
    }
    return m;
  }

  /**
   * Checks every invariant the walkers rely on (they read the arrays unchecked): null when sound, else the reason.
   * Call once after decoding.
   */
  validate(): string | null {
    const n = this.ops.length;
    if (n < 1 || n > 0x1000000) return "instruction count out of range";
    if (this.arg.length != n || this.out.length != n || this.out1.length != n) return "instruction arrays differ in length";
    if (this.numSets < 0 || <i64>this.sets.length != <i64>this.numSets * 8) return "byte set array size";
    if (this.start < 0 || this.start >= n) return "start out of range";
    if (this.slots < 0 || this.slots > 20 || (this.slots & 1) != 0) return "slot count out of range";
    if ((this.assertMask & ~((1 << (A_LAST + 1)) - 1)) != 0) return "unknown assertion bits";
    const nl = this.numLooks;
    if (nl < 0 || this.lookFlags.length != nl || this.lookSeqStart.length != nl + 1) return "look array sizes";
    const nseq = this.seqPosStart.length - 1;
    if (nseq < 0 || unchecked(this.lookSeqStart[0]) != 0 || unchecked(this.lookSeqStart[nl]) != nseq) return "look sequence bounds";
    for (let l = 0; l < nl; l++) {
      if (unchecked(this.lookSeqStart[l + 1]) < unchecked(this.lookSeqStart[l])) return "look sequences out of order";
      if ((unchecked(this.lookFlags[l]) & ~3) != 0) return "unknown look flags";
    }
    if (unchecked(this.seqPosStart[0]) != 0) return "sequence position bounds";
    for (let q = 0; q < nseq; q++)
      if (unchecked(this.seqPosStart[q + 1]) < unchecked(this.seqPosStart[q])) return "sequence positions out of order";
    if (<i64>this.lookPosSets.length != <i64>unchecked(this.seqPosStart[nseq]) * 8) return "look position set array size";
    for (let i = 0; i < n; i++) {
      const op = unchecked(this.ops[i]);
      const a = unchecked(this.arg[i]);
      const o = unchecked(this.out[i]);
      if (op > OP_LAST) return "unknown opcode";
      if (op == OP_MATCH) continue;
      if (o < 0 || o >= n) return "jump out of range";
      if (op == OP_SPLIT) {
        const o1 = unchecked(this.out1[i]);
        if (o1 < 0 || o1 >= n) return "jump out of range";
      } else if (op == OP_BYTE) {
        if (a < 0 || a >= this.numSets) return "set index out of range";
      } else if (op == OP_SAVE) {
        if (a < 0 || a >= 20) return "capture slot out of range";
      } else if (op == OP_ASSERT) {
        if (a < 0 || a > A_LAST) return "assertion code out of range";
      } else if (op == OP_LOOK) {
        if (a < 0 || a >= nl) return "look index out of range";
      } else if (op != OP_NOP) return "unknown opcode";
    }
    return null;
  }
}
