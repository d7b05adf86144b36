/**
 * Thompson NFA over bytes as a compact, flat program (the format the lazy DFA and the Pike VM walk).
 *
 * Instruction i: ops[i], arg[i], out[i], out1[i]
 *   BYTE   arg = set index (sets[arg]); out = next
 *   SPLIT  out = preferred branch, out1 = other branch (PCRE priority: out first)
 *   SAVE   arg = capture slot (2g = start of group g, 2g+1 = end); out = next
 *   ASSERT arg = assertion code (A_*); out = next
 *   LOOK   arg = index into looks[]; out = next
 *   MATCH
 *   NOP    out = next
 */
import type { ByteSet } from "./byteset";
import type { AssertKind } from "./ast";
import type { LNode } from "./lower";
import { setKey } from "./byteset";

export const OP_BYTE = 0;
export const OP_SPLIT = 1;
export const OP_SAVE = 2;
export const OP_ASSERT = 3;
export const OP_LOOK = 4;
export const OP_MATCH = 5;
export const OP_NOP = 6;

export const A_BOL = 0;
export const A_EOL = 1;
export const A_START = 2;
export const A_END = 3;
export const A_ENDZ = 4;
export const A_WORDB = 5;
export const A_NWORDB = 6;

const ASSERT_CODE: Record<AssertKind, number> = {
  bol: A_BOL,
  eol: A_EOL,
  start: A_START,
  end: A_END,
  endZ: A_ENDZ,
  wordb: A_WORDB,
  nwordb: A_NWORDB,
};

/** A look-around over a finite set of fixed-length byte-set sequences. */
export interface LookEntry {
  behind: boolean;
  negate: boolean;
  seqs: ByteSet[][];
  maxLen: number;
}

export interface NfaProgram {
  ops: Uint8Array;
  arg: Int32Array;
  out: Int32Array;
  out1: Int32Array;
  sets: ByteSet[];
  looks: LookEntry[];
  start: number;
  /** number of capture slots used by SAVE (2 × (groups+1), capped at 20 = TX:0..9) */
  slots: number;
  /** which assertion codes occur (bit per A_*) */
  assertMask: number;
}

export const MAX_TX_GROUP = 9;

export interface CompileNfaOptions {
  /** emit SAVE instructions for groups 0..9 */
  captures: boolean;
  /** upper bound on instructions (counted repetition can expand a lot) */
  maxInstructions?: number;
}

export class NfaTooLargeError extends Error {}

export function compileNfa(root: LNode, groups: number, opts: CompileNfaOptions): NfaProgram {
  const ops: number[] = [];
  const arg: number[] = [];
  const out: number[] = [];
  const out1: number[] = [];
  const sets: ByteSet[] = [];
  const setIdx = new Map<string, number>();
  const looks: LookEntry[] = [];
  let assertMask = 0;
  const max = opts.maxInstructions ?? 2_000_000;
  const emit = (op: number, a: number, o: number, o1 = -1): number => {
    ops.push(op);
    arg.push(a);
    out.push(o);
    out1.push(o1);
    if (ops.length > max) throw new NfaTooLargeError(`NFA exceeds ${max} instructions`);
    return ops.length - 1;
  };
  const internSet = (s: ByteSet): number => {
    const k = setKey(s);
    let i = setIdx.get(k);
    if (i === undefined) {
      i = sets.length;
      sets.push(s);
      setIdx.set(k, i);
    }
    return i;
  };
  // Compile right-to-left: returns the entry pc of `n` continuing at `next`.
  const comp = (n: LNode, next: number): number => {
    switch (n.type) {
      case "empty":
        return next;
      case "set":
        return emit(OP_BYTE, internSet(n.set), next);
      case "assert": {
        const code = ASSERT_CODE[n.kind];
        assertMask |= 1 << code;
        return emit(OP_ASSERT, code, next);
      }
      case "lookset": {
        looks.push({ behind: n.behind, negate: n.negate, seqs: n.seqs, maxLen: Math.max(0, ...n.seqs.map((q) => q.length)) });
        return emit(OP_LOOK, looks.length - 1, next);
      }
      case "concat": {
        let cur = next;
        for (let i = n.items.length - 1; i >= 0; i--) cur = comp(n.items[i]!, cur);
        return cur;
      }
      case "alt": {
        // chain of splits: s1 -> (b1 | s2 -> (b2 | ...))
        const entries = n.items.map((it) => comp(it, next));
        let cur = entries[entries.length - 1]!;
        for (let i = entries.length - 2; i >= 0; i--) cur = emit(OP_SPLIT, 0, entries[i]!, cur);
        return cur;
      }
      case "group": {
        if (opts.captures && n.index > 0 && n.index <= MAX_TX_GROUP) {
          const end = emit(OP_SAVE, 2 * n.index + 1, next);
          const body = comp(n.item, end);
          return emit(OP_SAVE, 2 * n.index, body);
        }
        return comp(n.item, next);
      }
      case "repeat": {
        let cur = next;
        if (n.max === -1) {
          const split = emit(OP_SPLIT, 0, -1, -1);
          const body = comp(n.item, split);
          if (n.greedy) {
            out[split] = body;
            out1[split] = next;
          } else {
            out[split] = next;
            out1[split] = body;
          }
          cur = split;
        } else {
          for (let k = 0; k < n.max - n.min; k++) {
            const body = comp(n.item, cur);
            cur = n.greedy ? emit(OP_SPLIT, 0, body, next) : emit(OP_SPLIT, 0, next, body);
          }
        }
        for (let k = 0; k < n.min; k++) cur = comp(n.item, cur);
        return cur;
      }
    }
  };
  const match = emit(OP_MATCH, 0, -1);
  let start: number;
  if (opts.captures) {
    const end = emit(OP_SAVE, 1, match);
    start = emit(OP_SAVE, 0, comp(root, end));
  } else start = comp(root, match);
  const slots = opts.captures ? 2 * (Math.min(groups, MAX_TX_GROUP) + 1) : 0;
  return {
    ops: Uint8Array.from(ops),
    arg: Int32Array.from(arg),
    out: Int32Array.from(out),
    out1: Int32Array.from(out1),
    sets,
    looks,
    start,
    slots,
    assertMask,
  };
}
