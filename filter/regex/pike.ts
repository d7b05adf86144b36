// Leftmost-first Pike VM over an NfaProgram (PCRE thread priorities: SPLIT prefers `out`), unanchored. With a
// capture program it fills the capture slots (TX:0..9) of the winning thread; with a match-only program it answers
// match / no match (the lazy DFA's fallback). Same algorithm, thread order and cut-off as the TS reference
// `pikeSearch` (rulesets/regex/pike.ts).
//
// Work is O(len × instructions); memory is one shared arena (thread lists, capture rows, follow stack) sized to the
// largest program seen, reused by every call: no allocation per byte or per value once warm.
import { NfaProgram } from "./nfa_program";
import {
  A_BOL,
  A_END,
  A_ENDZ,
  A_EOL,
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

/** Assertion `code` at position i of [ptr, ptr+len). */
export function assertAt(code: i32, ptr: usize, len: i32, i: i32): bool {
  switch (code) {
    case A_BOL:
      return i == 0 || (i < len && load<u8>(ptr + <usize>(i - 1)) == 0x0a);
    case A_EOL:
      return i == len || load<u8>(ptr + <usize>i) == 0x0a;
    case A_START:
      return i == 0;
    case A_END:
      return i == len;
    case A_ENDZ:
      return i == len || (i == len - 1 && load<u8>(ptr + <usize>i) == 0x0a);
    default: {
      // A_WORDB / A_NWORDB
      const wp = i > 0 && isWordByte(<u32>load<u8>(ptr + <usize>(i - 1)));
      const wn = i < len && isWordByte(<u32>load<u8>(ptr + <usize>i));
      return (wp != wn) == (code == A_WORDB);
    }
  }
}

/** Look-around `l` of `prog` at position i. */
export function lookAt(prog: NfaProgram, l: i32, ptr: usize, len: i32, i: i32): bool {
  const flags = unchecked(prog.lookFlags[l]);
  const behind = (flags & LOOK_BEHIND) != 0;
  const sets = prog.lookPosSets;
  let pos = false;
  for (let q = unchecked(prog.lookSeqStart[l]), qe = unchecked(prog.lookSeqStart[l + 1]); q < qe && !pos; q++) {
    const p0 = unchecked(prog.seqPosStart[q]);
    const n = unchecked(prog.seqPosStart[q + 1]) - p0;
    const from = behind ? i - n : i;
    if (from < 0 || from + n > len) continue;
    let ok = true;
    for (let k = 0; k < n; k++)
      if (!setHas(sets, p0 + k, <u32>load<u8>(ptr + <usize>(from + k)))) {
        ok = false;
        break;
      }
    pos = ok;
  }
  return (flags & LOOK_NEGATE) != 0 ? !pos : pos;
}

// ---- shared arena ----
let cap: i32 = 0; // instructions the arena can hold
let capSlots: i32 = 0;
let stampA = new StaticArray<i32>(0);
let stampB = new StaticArray<i32>(0);
let pcsA = new StaticArray<i32>(0);
let pcsB = new StaticArray<i32>(0);
let capsA = new StaticArray<i32>(0); // thread t's slots at [t*slots, (t+1)*slots)
let capsB = new StaticArray<i32>(0);
let stack = new StaticArray<i32>(0); // follow stack: pc >= 0 = explore, or ~slot then saved value = restore
let cur = new StaticArray<i32>(20); // slots of the thread being followed
let gen: i32 = 0;

/** Slots of the last winning thread (first `slots` entries; -1 = unset). */
export const pikeSlots = new StaticArray<i32>(20);

function ensure(n: i32, slots: i32): void {
  if (n > cap) {
    let c = cap < 64 ? 64 : cap;
    while (c < n) c <<= 1;
    stampA = new StaticArray<i32>(c);
    stampB = new StaticArray<i32>(c);
    for (let i = 0; i < c; i++) {
      unchecked((stampA[i] = -1));
      unchecked((stampB[i] = -1));
    }
    gen = 0;
    pcsA = new StaticArray<i32>(c);
    pcsB = new StaticArray<i32>(c);
    stack = new StaticArray<i32>(4 * c + 8);
    cap = c;
    capSlots = 0;
  }
  if (slots > capSlots || capsA.length < cap * slots) {
    capsA = new StaticArray<i32>(cap * slots);
    capsB = new StaticArray<i32>(cap * slots);
    capSlots = slots;
  }
  if (gen > 0x3fffff00) {
    for (let i = 0; i < cap; i++) {
      unchecked((stampA[i] = -1));
      unchecked((stampB[i] = -1));
    }
    gen = 0;
  }
}

// the list being filled by follow()
let lStamp = stampA;
let lPcs = pcsA;
let lCaps = capsA;
let lGen: i32 = 0;
let lCount: i32 = 0;

/** Adds pc0 (and its epsilon closure) at position `pos` to the current list, in priority order; `cur` = slots. */
function follow(prog: NfaProgram, pc0: i32, pos: i32, ptr: usize, len: i32, slots: i32): void {
  const ops = prog.ops;
  const arg = prog.arg;
  const out = prog.out;
  const out1 = prog.out1;
  const st = stack;
  let sp = 0;
  unchecked((st[sp++] = pc0));
  while (sp > 0) {
    const pc = unchecked(st[--sp]);
    if (pc < 0) {
      // restore frame: [value, ~slot] (slot popped first)
      const v = unchecked(st[--sp]);
      unchecked((cur[~pc] = v));
      continue;
    }
    if (unchecked(lStamp[pc]) == lGen) continue;
    unchecked((lStamp[pc] = lGen));
    const op = unchecked(ops[pc]);
    if (op == OP_BYTE || op == OP_MATCH) {
      const t = lCount++;
      unchecked((lPcs[t] = pc));
      const base = t * slots;
      for (let s = 0; s < slots; s++) unchecked((lCaps[base + s] = cur[s]));
    } else if (op == OP_SPLIT) {
      unchecked((st[sp++] = out1[pc]));
      unchecked((st[sp++] = out[pc]));
    } else if (op == OP_NOP) {
      unchecked((st[sp++] = out[pc]));
    } else if (op == OP_SAVE) {
      const a = unchecked(arg[pc]);
      if (a < slots) {
        unchecked((st[sp++] = cur[a]));
        unchecked((st[sp++] = ~a));
        unchecked((cur[a] = pos));
      }
      unchecked((st[sp++] = out[pc]));
    } else if (op == OP_ASSERT) {
      if (assertAt(unchecked(arg[pc]), ptr, len, pos)) unchecked((st[sp++] = out[pc]));
    } else if (op == OP_LOOK) {
      if (lookAt(prog, unchecked(arg[pc]), ptr, len, pos)) unchecked((st[sp++] = out[pc]));
    }
  }
}

/**
 * Leftmost-first search over [ptr, ptr+len). Returns true on a match; with a capture program (prog.slots > 0) the
 * winning thread's slots are in `pikeSlots[0 .. prog.slots)` (-1 = unset). `prog` must have passed validate().
 * Matches start at positions >= `from` (PCRE's start offset: assertions and look-behinds still see the bytes
 * before it), or only at `from` when `anchored`.
 */
export function pikeSearch(prog: NfaProgram, ptr: usize, len: i32, from: i32 = 0, anchored: bool = false): bool {
  if (from < 0 || from > len) return false;
  const n = prog.ops.length;
  const slots = prog.slots;
  ensure(n, slots);
  const ops = prog.ops;
  const arg = prog.arg;
  const out = prog.out;
  const sets = prog.sets;
  let matched = false;
  // current list = A, next = B (swapped each position)
  let cStamp = stampA;
  let cPcs = pcsA;
  let cCaps = capsA;
  let nStamp = stampB;
  let nPcs = pcsB;
  let nCaps = capsB;
  let cGen = ++gen;
  let cCount = 0;
  // A new thread at a position whose byte cannot begin a match dies at that byte: with no thread alive, the search
  // moves straight to the next byte that can (for CRS's large alternations the start closure is hundreds of
  // instructions, and most bytes of a value begin nothing).
  const starts = prog.startBytes();
  for (let i = from; i <= len; i++) {
    if (starts !== null && cCount == 0 && !matched) {
      while (i < len && !setHas(starts, 0, <u32>load<u8>(ptr + <usize>i))) {
        if (anchored) return false;
        i++;
      }
      if (i == len) break; // nothing consumed is no match: the program cannot match the empty string
    }
    if (!matched && (i == from || !anchored)) {
      for (let s = 0; s < slots; s++) unchecked((cur[s] = -1));
      lStamp = cStamp;
      lPcs = cPcs;
      lCaps = cCaps;
      lGen = cGen;
      lCount = cCount;
      follow(prog, prog.start, i, ptr, len, slots);
      cCount = lCount;
    }
    if (cCount == 0 && (matched || anchored)) break;
    // fill the next list
    lStamp = nStamp;
    lPcs = nPcs;
    lCaps = nCaps;
    lGen = ++gen;
    lCount = 0;
    const b = i < len ? <u32>load<u8>(ptr + <usize>i) : 0;
    for (let t = 0; t < cCount; t++) {
      const pc = unchecked(cPcs[t]);
      if (unchecked(ops[pc]) == OP_MATCH) {
        if (slots == 0) return true;
        const base = t * slots;
        for (let s = 0; s < slots; s++) unchecked((pikeSlots[s] = cCaps[base + s]));
        matched = true;
        break; // lower-priority threads are cut off
      }
      if (i < len && setHas(sets, unchecked(arg[pc]), b)) {
        const base = t * slots;
        for (let s = 0; s < slots; s++) unchecked((cur[s] = cCaps[base + s]));
        follow(prog, unchecked(out[pc]), i + 1, ptr, len, slots);
      }
    }
    // swap
    const ts = cStamp;
    cStamp = nStamp;
    nStamp = ts;
    const tp = cPcs;
    cPcs = nPcs;
    nPcs = tp;
    const tc = cCaps;
    cCaps = nCaps;
    nCaps = tc;
    cGen = lGen;
    cCount = lCount;
  }
  return matched;
}
