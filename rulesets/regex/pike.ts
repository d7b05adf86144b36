/**
 * Pike VM over the NFA program: leftmost-first with PCRE thread priorities (greedy/lazy via SPLIT order),
 * unanchored. With a capture program it fills the capture slots (TX:0..9); with a match-only program it is
 * the fallback of the lazy DFA.
 */
import type { NfaProgram } from "./nfa";
import { A_BOL, A_END, A_ENDZ, A_EOL, A_NWORDB, A_START, A_WORDB, OP_ASSERT, OP_BYTE, OP_LOOK, OP_MATCH, OP_NOP, OP_SAVE, OP_SPLIT } from "./nfa";
import { hasByte, isWordByte } from "./byteset";


export function assertAt(prog: NfaProgram, code: number, input: Uint8Array, i: number): boolean {
  const len = input.length;
  switch (code) {
    case A_BOL:
      return i === 0 || (input[i - 1] === 0x0a && i < len);
    case A_EOL:
      return i === len || input[i] === 0x0a;
    case A_START:
      return i === 0;
    case A_END:
      return i === len;
    case A_ENDZ:
      return i === len || (i === len - 1 && input[i] === 0x0a);
    case A_WORDB:
    case A_NWORDB: {
      const wp = i > 0 && isWordByte(input[i - 1]!);
      const wn = i < len && isWordByte(input[i]!);
      return (wp !== wn) === (code === A_WORDB);
    }
  }
  void prog;
  throw new Error("bad assertion code " + code);
}

export function lookAt(prog: NfaProgram, li: number, input: Uint8Array, i: number): boolean {
  const l = prog.looks[li]!;
  let pos = false;
  for (const q of l.seqs) {
    const from = l.behind ? i - q.length : i;
    if (from < 0 || from + q.length > input.length) continue;
    let ok = true;
    for (let k = 0; k < q.length; k++)
      if (!hasByte(q[k]!, input[from + k]!)) {
        ok = false;
        break;
      }
    if (ok) {
      pos = true;
      break;
    }
  }
  return l.negate ? !pos : pos;
}

class ThreadList {
  pcs: number[] = [];
  caps: Int32Array[] = [];
  constructor(
    readonly stamp: Int32Array,
    readonly gen: number,
  ) {}
}

/**
 * Leftmost-first search. Returns the capture slots of the winning thread (length prog.slots; -1 = unset),
 * an empty array for a match with a match-only program, or null for no match.
 */
export function pikeSearch(prog: NfaProgram, input: Uint8Array): Int32Array | null {
  const n = prog.ops.length;
  const len = input.length;
  const stampA = new Int32Array(n).fill(-1);
  const stampB = new Int32Array(n).fill(-1);
  let gen = 0;
  const empty = new Int32Array(prog.slots).fill(-1);
  const wantCaps = prog.slots > 0;
  let matched: Int32Array | null = null;
  const stackPc: number[] = [];
  const stackCaps: Int32Array[] = [];

  const add = (list: ThreadList, pc0: number, caps0: Int32Array, pos: number): void => {
    stackPc.push(pc0);
    stackCaps.push(caps0);
    while (stackPc.length) {
      const pc = stackPc.pop()!;
      const caps = stackCaps.pop()!;
      if (list.stamp[pc] === list.gen) continue;
      list.stamp[pc] = list.gen;
      switch (prog.ops[pc]) {
        case OP_BYTE:
        case OP_MATCH:
          list.pcs.push(pc);
          list.caps.push(caps);
          break;
        case OP_SPLIT:
          stackPc.push(prog.out1[pc]!, prog.out[pc]!);
          stackCaps.push(caps, caps);
          break;
        case OP_NOP:
          stackPc.push(prog.out[pc]!);
          stackCaps.push(caps);
          break;
        case OP_SAVE: {
          let c2 = caps;
          if (wantCaps) {
            c2 = Int32Array.from(caps);
            c2[prog.arg[pc]!] = pos;
          }
          stackPc.push(prog.out[pc]!);
          stackCaps.push(c2);
          break;
        }
        case OP_ASSERT:
          if (assertAt(prog, prog.arg[pc]!, input, pos)) {
            stackPc.push(prog.out[pc]!);
            stackCaps.push(caps);
          }
          break;
        case OP_LOOK:
          if (lookAt(prog, prog.arg[pc]!, input, pos)) {
            stackPc.push(prog.out[pc]!);
            stackCaps.push(caps);
          }
          break;
      }
    }
  };

  let clist = new ThreadList(stampA, gen++);
  for (let i = 0; i <= len; i++) {
    if (matched === null) add(clist, prog.start, empty, i);
    if (clist.pcs.length === 0) {
      if (matched !== null) break;
    }
    const nlist = new ThreadList(clist.stamp === stampA ? stampB : stampA, gen++);
    for (let t = 0; t < clist.pcs.length; t++) {
      const pc = clist.pcs[t]!;
      if (prog.ops[pc] === OP_MATCH) {
        if (!wantCaps) return empty;
        matched = clist.caps[t]!;
        break; // lower-priority threads are cut off
      }
      if (i < len && hasByte(prog.sets[prog.arg[pc]!]!, input[i]!)) add(nlist, prog.out[pc]!, clist.caps[t]!, i + 1);
    }
    clist = nlist;
  }
  return matched;
}
