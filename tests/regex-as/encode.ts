/**
 * Flattening of the TS compiler's structures (rulesets/regex CompiledRegex: Dfa, NfaProgram, the parsed AST for
 * the backtracker) into the plain arrays the AssemblyScript structure classes hold (filter/regex: dfa.ts Dfa,
 * nfa_program.ts NfaProgram, backtrack_program.ts BacktrackProgram). The table-file encoder can reuse these;
 * the AS side is independent of the file encoding.
 */
import type { CompiledRegex, Dfa, NfaProgram } from "../../rulesets/regex/index";
import type { Node, ParsedRegex } from "../../rulesets/regex/ast";
import { fixedLengths } from "../../rulesets/regex/backtrack";

export const TIER_CODE = { dfa: 0, lazy: 1, backtrack: 2 } as const;
export const CAPTURE_CODE = { pike: 0, backtrack: 1 } as const;

export interface FlatDfa {
  numStates: number;
  numClasses: number;
  classOf: Uint8Array;
  trans: Uint16Array;
  start: number;
  accept: number;
  dead: number;
  acceptAtEnd: Uint8Array;
}

export function flattenDfa(d: Dfa): FlatDfa {
  if (!(d.trans instanceof Uint16Array)) throw new Error("DFA with more than 65536 states: u16 tables only");
  return {
    numStates: d.numStates,
    numClasses: d.numClasses,
    classOf: d.classOf,
    trans: d.trans,
    start: d.start,
    accept: d.accept,
    dead: d.dead,
    acceptAtEnd: d.acceptAtEnd,
  };
}

export interface FlatNfa {
  ops: Uint8Array;
  arg: Int32Array;
  out: Int32Array;
  out1: Int32Array;
  numSets: number;
  sets: Uint32Array;
  numLooks: number;
  lookFlags: Uint8Array;
  lookSeqStart: Int32Array;
  seqPosStart: Int32Array;
  lookPosSets: Uint32Array;
  start: number;
  slots: number;
  assertMask: number;
}

const concatSets = (sets: Uint32Array[]): Uint32Array => {
  const out = new Uint32Array(sets.length * 8);
  sets.forEach((s, i) => out.set(s, i * 8));
  return out;
};

export function flattenNfa(p: NfaProgram): FlatNfa {
  const lookFlags = new Uint8Array(p.looks.length);
  const lookSeqStart: number[] = [0];
  const seqPosStart: number[] = [0];
  const pos: Uint32Array[] = [];
  p.looks.forEach((l, i) => {
    lookFlags[i] = (l.behind ? 1 : 0) | (l.negate ? 2 : 0);
    for (const q of l.seqs) {
      pos.push(...q);
      seqPosStart.push(pos.length);
    }
    lookSeqStart.push(seqPosStart.length - 1);
  });
  return {
    ops: p.ops,
    arg: p.arg,
    out: p.out,
    out1: p.out1,
    numSets: p.sets.length,
    sets: concatSets(p.sets),
    numLooks: p.looks.length,
    lookFlags,
    lookSeqStart: Int32Array.from(lookSeqStart),
    seqPosStart: Int32Array.from(seqPosStart),
    lookPosSets: concatSets(pos),
    start: p.start,
    slots: p.slots,
    assertMask: p.assertMask,
  };
}

export interface FlatBacktrack {
  kind: Uint8Array;
  a: Int32Array;
  b: Int32Array;
  c: Int32Array;
  d: Int32Array;
  list: Int32Array;
  numSets: number;
  sets: Uint32Array;
  root: number;
  groups: number;
}

const ASSERT: Record<string, number> = { bol: 0, eol: 1, start: 2, end: 3, endZ: 4, wordb: 5, nwordb: 6 };

/** Possible lengths of a look-behind body, ascending: the compiler's own definition. */
export { fixedLengths };

/** The parsed AST, node for node, children before parents. */
export function flattenBacktrack(parsed: ParsedRegex): FlatBacktrack {
  const kind: number[] = [];
  const A: number[] = [];
  const B: number[] = [];
  const C: number[] = [];
  const D: number[] = [];
  const list: number[] = [];
  const sets: Uint32Array[] = [];
  const setIdx = new Map<string, number>();
  const emit = (k: number, a = 0, b = 0, c = 0, d = 0): number => {
    kind.push(k);
    A.push(a);
    B.push(b);
    C.push(c);
    D.push(d);
    return kind.length - 1;
  };
  const go = (n: Node): number => {
    switch (n.type) {
      case "empty":
        return emit(0);
      case "set": {
        const key = Array.from(n.set).join(",");
        let i = setIdx.get(key);
        if (i === undefined) {
          i = sets.length;
          sets.push(n.set);
          setIdx.set(key, i);
        }
        return emit(1, i);
      }
      case "concat":
      case "alt": {
        const kids = n.items.map(go);
        const first = list.length;
        list.push(...kids);
        return emit(n.type === "concat" ? 2 : 3, first, kids.length);
      }
      case "group":
        return emit(4, n.index, go(n.item));
      case "repeat":
        return emit(5, n.min, n.max, (n.greedy ? 1 : 0) | (n.possessive ? 2 : 0), go(n.item));
      case "assert":
        return emit(6, ASSERT[n.kind]!);
      case "look": {
        const child = go(n.item);
        const lens = n.behind ? fixedLengths(n.item) : [];
        const first = list.length;
        list.push(...lens);
        return emit(7, (n.behind ? 1 : 0) | (n.negate ? 2 : 0), child, first, lens.length);
      }
      case "backref":
        return emit(8, n.index, n.icase ? 1 : 0);
    }
  };
  const root = go(parsed.ast);
  return {
    kind: Uint8Array.from(kind),
    a: Int32Array.from(A),
    b: Int32Array.from(B),
    c: Int32Array.from(C),
    d: Int32Array.from(D),
    list: Int32Array.from(list),
    numSets: sets.length,
    sets: concatSets(sets),
    root,
    groups: parsed.groups,
  };
}

export type { CompiledRegex };
