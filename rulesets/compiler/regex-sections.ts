// Section encoding of rulesets/regex's compileRegex output: REGEX_DFA, REGEX_NFA / REGEX_CAPTURE and REGEX_BACKTRACK
// payloads, laid out as ../tables/format.ts documents (the filter's regex walkers are written from that text), and
// the TS decoders the tests use to check that an encoded automaton still matches what compileRegex built.
import type { Node, ParsedRegex } from "../regex/ast";
import type { Dfa, NfaProgram } from "../regex/index";
import { setKey, type ByteSet } from "../regex/byteset";
import { ByteWriter } from "../tables/writer";
import { expandDfaRows } from "./validate";
import {
  MAX_BT_NODES,
  MAX_DFA_STATES,
  MAX_NFA_INSTS,
  REF_NONE,
  REGEX_BT_HEADER_SIZE,
  REGEX_DFA_HEADER_SIZE,
  REGEX_NFA_HEADER_SIZE,
  RegexAssert,
  RegexDfaFlags,
  RegexLookFlags,
  RegexNode,
  RegexNodeFlags,
  RegexOp,
} from "../tables/format";

const pad4 = (w: ByteWriter) => w.align(4);

/** How far back a REGEX_DFA row record may reference its base row (format.ts: `back` is a u8). */
const DFA_MAX_BACK = 255;

/** REGEX_DFA payload of a minimised DFA: per state, the cheaper of "default target + exceptions" and "row of one of
 *  the 255 previous states + exceptions" (format.ts). */
export function encodeDfa(d: Dfa): Uint8Array {
  const S = d.numStates;
  const K = d.numClasses;
  if (S < 1 || S > MAX_DFA_STATES) throw new RangeError(`DFA of ${S} states is outside 1..${MAX_DFA_STATES}`);
  if (K < 1 || K > 256) throw new RangeError(`DFA with ${K} byte classes`);
  const u8 = S <= 256;
  const wd = u8 ? 1 : 2;
  const w = new ByteWriter();
  w.u32(S).u32(K).u32(d.start).u32(d.accept < 0 ? REF_NONE : d.accept).u32(d.dead < 0 ? REF_NONE : d.dead);
  w.u32(u8 ? RegexDfaFlags.CELLS_U8 : 0);
  if (w.length !== REGEX_DFA_HEADER_SIZE) throw new Error("DFA header layout");
  w.bytes(d.classOf);
  for (let s = 0; s < S; s++) w.u8(d.acceptAtEnd[s] ? 1 : 0);
  pad4(w);
  const tr = d.trans;
  const cell = (x: number) => (u8 ? w.u8(x) : w.u16(x));
  const count = new Uint32Array(S);
  for (let s = 0; s < S; s++) {
    const o = s * K;
    // Default mode: the most common target (lowest state on ties) as default.
    let def = 0, bc = 0;
    for (let c = 0; c < K; c++) {
      const x = tr[o + c]!;
      const v = ++count[x]!;
      if (v > bc || (v === bc && x < def)) (bc = v), (def = x);
    }
    for (let c = 0; c < K; c++) count[tr[o + c]!] = 0;
    let back = 0;
    let best = K - bc; // exceptions
    let cost = wd + best * (1 + wd);
    // Base mode: the previous row (nearest first) with the fewest differing cells, when cheaper.
    for (let k = 1; k <= DFA_MAX_BACK && k <= s; k++) {
      const q = o - k * K;
      const limit = Math.floor((cost - 1) / (1 + wd)); // differences a base row may have to be strictly cheaper
      let m = 0;
      for (let c = 0; c < K && m <= limit; c++) if (tr[q + c] !== tr[o + c]) m++;
      if (m <= limit) (back = k), (best = m), (cost = m * (1 + wd));
      if (cost === 0) break;
    }
    if (best > 255) throw new Error("DFA row exceptions exceed 255");
    w.u8(best).u8(back);
    if (back === 0) cell(def);
    const base = back === 0 ? -1 : o - back * K;
    for (let c = 0; c < K; c++) {
      const x = tr[o + c]!;
      if (back === 0 ? x !== def : x !== tr[base + c]) w.u8(c), cell(x);
    }
  }
  pad4(w);
  return w.finish();
}

function setWords(w: ByteWriter, s: ByteSet): void {
  for (let i = 0; i < 8; i++) w.u32(s[i]! >>> 0);
}

/** The operands of one NFA instruction in REGEX_NFA stream order (format.ts). */
function nfaOperands(op: number, arg: number, out: number, out1: number): number[] {
  switch (op) {
    case RegexOp.BYTE:
    case RegexOp.SAVE:
    case RegexOp.ASSERT:
    case RegexOp.LOOK:
      return [arg, out];
    case RegexOp.SPLIT:
      return [out, out1];
    case RegexOp.NOP:
      return [out];
    case RegexOp.MATCH:
      return [];
  }
  throw new RangeError(`NFA op ${op}`);
}

/** REGEX_NFA payload (match program) or REGEX_CAPTURE payload (program with SAVE): same layout. */
export function encodeNfa(p: NfaProgram): Uint8Array {
  const N = p.ops.length;
  if (N < 1 || N > MAX_NFA_INSTS) throw new RangeError(`NFA of ${N} instructions`);
  // Instruction sets first (their indices stay), then the look-around sets, deduplicated.
  const sets: ByteSet[] = [...p.sets];
  const setIndex = new Map<string, number>();
  sets.forEach((s, i) => setIndex.has(setKey(s)) || setIndex.set(setKey(s), i));
  const intern = (s: ByteSet) => {
    const k = setKey(s);
    let i = setIndex.get(k);
    if (i === undefined) setIndex.set(k, (i = sets.push(s) - 1));
    return i;
  };
  const looks: number[][] = [];
  const seqs: number[][] = [];
  const elems: number[] = [];
  for (const l of p.looks) {
    const seqStart = seqs.length;
    for (const q of l.seqs) {
      seqs.push([elems.length, q.length]);
      for (const s of q) elems.push(intern(s));
    }
    looks.push([(l.behind ? RegexLookFlags.BEHIND : 0) | (l.negate ? RegexLookFlags.NEGATE : 0), l.maxLen, seqStart, l.seqs.length]);
  }
  // Instruction stream: u8 op + the operands the op uses (format.ts), all W bytes wide.
  const operands: number[][] = [];
  let max = N - 1;
  for (let i = 0; i < N; i++) {
    const op = p.ops[i]!;
    const f = nfaOperands(op, p.arg[i]!, p.out[i]!, p.out1[i]!);
    for (const x of f) if (x > max) max = x;
    operands.push(f);
  }
  const W = max <= 0xff ? 1 : max <= 0xffff ? 2 : 4;
  const iw = new ByteWriter();
  for (let i = 0; i < N; i++) {
    iw.u8(p.ops[i]!);
    for (const x of operands[i]!) (W === 1 ? iw.u8(x) : W === 2 ? iw.u16(x) : iw.u32(x));
  }
  const insts = iw.finish();
  const w = new ByteWriter();
  w.u32(N).u32(sets.length).u32(looks.length).u32(seqs.length).u32(elems.length).u32(p.start).u32(p.slots).u32(p.assertMask);
  w.u32(W).u32(insts.length);
  if (w.length !== REGEX_NFA_HEADER_SIZE) throw new Error("NFA header layout");
  w.bytes(insts);
  pad4(w);
  for (const s of sets) setWords(w, s);
  for (const l of looks) w.u32s(l);
  for (const q of seqs) w.u32s(q);
  w.u32s(elems);
  return w.finish();
}

const ASSERT_CODE: Record<string, number> = {
  bol: RegexAssert.BOL,
  eol: RegexAssert.EOL,
  start: RegexAssert.START,
  end: RegexAssert.END,
  endZ: RegexAssert.END_Z,
  wordb: RegexAssert.WORD_B,
  nwordb: RegexAssert.NOT_WORD_B,
};

/** REGEX_BACKTRACK payload: the syntax tree in post-order (children before parents). */
export function encodeBacktrack(parsed: ParsedRegex): Uint8Array {
  const nodes: number[][] = [];
  const sets: ByteSet[] = [];
  const setIndex = new Map<string, number>();
  const children: number[] = [];
  const intern = (s: ByteSet) => {
    const k = setKey(s);
    let i = setIndex.get(k);
    if (i === undefined) setIndex.set(k, (i = sets.push(s) - 1));
    return i;
  };
  const add = (rec: number[]) => {
    if (nodes.length >= MAX_BT_NODES) throw new RangeError("backtracking program too large");
    return nodes.push(rec) - 1;
  };
  const enc = (n: Node): number => {
    switch (n.type) {
      case "empty":
        return add([RegexNode.EMPTY, 0, 0, 0]);
      case "set":
        return add([RegexNode.SET, intern(n.set), 0, 0]);
      case "concat":
      case "alt": {
        const ids = n.items.map(enc);
        const start = children.length;
        children.push(...ids);
        return add([n.type === "concat" ? RegexNode.CONCAT : RegexNode.ALT, start, ids.length, 0]);
      }
      case "repeat": {
        const c = enc(n.item);
        const f = (n.greedy ? RegexNodeFlags.GREEDY : 0) | (n.possessive ? RegexNodeFlags.POSSESSIVE : 0);
        return add([RegexNode.REPEAT | (f << 8), n.min, n.max < 0 ? REF_NONE : n.max, c]);
      }
      case "group":
        return add([RegexNode.GROUP, n.index, enc(n.item), 0]);
      case "assert":
        return add([RegexNode.ASSERT, ASSERT_CODE[n.kind]!, 0, 0]);
      case "look": {
        const c = enc(n.item);
        const f = (n.behind ? RegexNodeFlags.BEHIND : 0) | (n.negate ? RegexNodeFlags.NEGATE : 0);
        return add([RegexNode.LOOK | (f << 8), c, n.offset, 0]);
      }
      case "backref":
        return add([RegexNode.BACKREF | ((n.icase ? RegexNodeFlags.ICASE : 0) << 8), n.index, 0, 0]);
    }
  };
  const root = enc(parsed.ast);
  const w = new ByteWriter();
  w.u32(nodes.length).u32(sets.length).u32(children.length).u32(parsed.groups).u32(root).u32(0);
  if (w.length !== REGEX_BT_HEADER_SIZE) throw new Error("backtrack header layout");
  for (const r of nodes) w.u32s(r);
  for (const s of sets) setWords(w, s);
  w.u32s(children);
  return w.finish();
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding (tests and tooling).

const dv = (p: Uint8Array) => new DataView(p.buffer, p.byteOffset, p.byteLength);

/** Decodes a REGEX_DFA payload back into the Dfa shape of rulesets/regex (for dfaMatch). */
export function decodeDfa(p: Uint8Array): Dfa {
  const v = dv(p);
  const S = v.getUint32(0, true);
  const K = v.getUint32(4, true);
  const flags = v.getUint32(20, true);
  const accept = v.getUint32(12, true);
  const dead = v.getUint32(16, true);
  const classOf = p.slice(24, 280);
  const acceptAtEnd = p.slice(280, 280 + S);
  const t = expandDfaRows(p, S, K, flags & RegexDfaFlags.CELLS_U8 ? 1 : 2, 280 + Math.ceil(S / 4) * 4);
  if (typeof t === "string") throw new Error(`REGEX_DFA payload: ${t}`);
  const trans = t;
  return {
    numStates: S,
    numClasses: K,
    classOf,
    trans,
    start: v.getUint32(8, true),
    accept: accept === REF_NONE ? -1 : accept,
    dead: dead === REF_NONE ? -1 : dead,
    acceptAtEnd,
  };
}
