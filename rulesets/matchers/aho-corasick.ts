// Aho-Corasick phrase sets for @pm / @pmFromFile: builder (goto/fail/output construction, encoding of the trie with
// its failure links to the AHO_CORASICK payload of rulesets/tables/format.ts) and a TS walker over the encoded
// payload used by tooling and tests.
//
// Semantics (ModSecurity v3 @pm, libmodsecurity src/utils/acmp.cc + src/operators/pm.cc):
//  * Bytes, not characters. Case-insensitive by ASCII folding only: acmp lowercases with C tolower() in the "C"
//    locale, i.e. 'A'..'Z' -> 'a'..'z' and every other byte unchanged (0xC4 is not folded to 0xE4).
//  * The operator matches if any phrase occurs anywhere in the value.
//  * Reported phrase (TX:0 with `capture`, logs): the match that ENDS FIRST in the value; among phrases ending at
//    that byte, the LONGEST one — that is what acmp returns when the phrase is the state it just entered. The text
//    reported is the phrase as written in the rule (original case), from its first occurrence if the rule lists
//    case variants of the same phrase (acmp keeps the first inserted text).
//  * Deliberate differences from acmp, which has bugs here: (1) acmp computes a fail link from the parent's fail
//    node only, without walking further up the fail chain, so it misses some phrases (phrases {"abczw", "bcq", "cz"}
//    on "abczx": acmp finds nothing, "cz" does occur); we build the textbook automaton, so "any phrase occurs" holds.
//    (2) When the first match is found only through a suffix link, acmp reports the text of the current trie node
//    (a longer string that is not a phrase); we report the phrase. (3) Some acmp versions return "no match" for a
//    one-byte phrase at offset 0 (`rc > 0`); we report it (newer libmodsecurity uses `rc >= 0`).
// The walker reports the end offset so the rule engine can log the match position like ModSecurity's logOffset.
import { AC_CLASS_MAP_SIZE, AC_HEADER_SIZE, AC_U16_LIMIT, Ac, AcFlags, MAX_AC_PHRASES, MAX_AC_STATES } from "../tables/format";
import { ByteWriter } from "../tables/writer";

export class AhoCorasickBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AhoCorasickBuildError";
  }
}

export interface AhoCorasickOptions {
  /** ASCII case folding as @pm (default true). */
  caseInsensitive?: boolean;
  /** Cell width of the payload: the writer's choice by default (2 when everything fits in u16); tests force 4. */
  cellWidth?: 2 | 4;
}

/** One node of the keyword trie, in BFS order (node 0 = root). Exposed for tests and debugging. */
export interface TrieNode {
  /** The (folded) string spelled from the root to this node. */
  text: Uint8Array;
  depth: number;
  /** goto function: folded byte -> node. */
  next: Map<number, number>;
  /** Failure link: the node of the longest proper suffix of `text` that is in the trie (root for the root). */
  fail: number;
  /** Phrase ids that end at this node: its own phrase, then those of its suffixes, longest first. */
  outputs: number[];
}

export interface AhoCorasickBuild {
  /** The encoded AHO_CORASICK payload. */
  payload: Uint8Array;
  /** Stored phrases (deduplicated after folding), as first written. Phrase ids index this array. */
  phrases: Uint8Array[];
  /** For each input phrase, the stored phrase id it became (duplicates and case variants share one). */
  phraseIdOf: number[];
  /** The trie with failure links and outputs (BFS order). */
  trie: TrieNode[];
  /** Trie node -> state number in the table (the identity: states are the trie nodes in BFS order). */
  stateOfNode: Int32Array;
  classCount: number;
  /** 2 or 4: bytes per cell of the payload's state/output arrays. */
  cellWidth: number;
}

const utf8 = new TextEncoder();

export function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

export function foldByte(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}

function toBytes(p: string | Uint8Array): Uint8Array {
  return typeof p === "string" ? utf8.encode(p) : p;
}

/** Builds the automaton for `phrases` (text is UTF-8 encoded; byte arrays are used as they are). */
export function buildAhoCorasick(phrases: ReadonlyArray<string | Uint8Array>, options: AhoCorasickOptions = {}): AhoCorasickBuild {
  const fold = options.caseInsensitive ?? true;

  // 1. Deduplicate after folding; an empty phrase would match every value, and acmp never adds one.
  const stored: Uint8Array[] = [];
  const storedFolded: Uint8Array[] = [];
  const byKey = new Map<string, number>();
  const phraseIdOf: number[] = [];
  phrases.forEach((p, i) => {
    const raw = toBytes(p);
    if (raw.length === 0) throw new AhoCorasickBuildError(`phrase #${i} is empty`);
    const folded = fold ? raw.map(foldByte) : raw.slice();
    const key = Buffer.from(folded).toString("latin1");
    let id = byKey.get(key);
    if (id === undefined) {
      id = stored.length;
      if (id >= MAX_AC_PHRASES) throw new AhoCorasickBuildError(`more than ${MAX_AC_PHRASES} phrases`);
      stored.push(raw.slice());
      storedFolded.push(folded);
      byKey.set(key, id);
    }
    phraseIdOf.push(id);
  });

  // 2. Keyword trie (goto function). Node ids are assigned in insertion order, then re-sorted into BFS order.
  type Raw = { next: Map<number, number>; phrase: number; depth: number; text: Uint8Array };
  const raw: Raw[] = [{ next: new Map(), phrase: -1, depth: 0, text: new Uint8Array(0) }];
  storedFolded.forEach((f, id) => {
    let n = 0;
    for (let i = 0; i < f.length; i++) {
      let c = raw[n].next.get(f[i]);
      if (c === undefined) {
        c = raw.length;
        if (c >= MAX_AC_STATES) throw new AhoCorasickBuildError(`more than ${MAX_AC_STATES} states`);
        raw.push({ next: new Map(), phrase: -1, depth: i + 1, text: f.subarray(0, i + 1) });
        raw[n].next.set(f[i], c);
      }
      n = c;
    }
    raw[n].phrase = id;
  });
  // BFS renumbering, children visited in byte order: deterministic output whatever the phrase order.
  const bfs: number[] = [0];
  for (let h = 0; h < bfs.length; h++) {
    for (const b of [...raw[bfs[h]].next.keys()].sort((x, y) => x - y)) bfs.push(raw[bfs[h]].next.get(b)!);
  }
  const newId = new Int32Array(raw.length);
  bfs.forEach((old, i) => (newId[old] = i));
  const trie: TrieNode[] = bfs.map((old) => ({
    text: raw[old].text,
    depth: raw[old].depth,
    next: new Map([...raw[old].next].sort((a, b) => a[0] - b[0]).map(([b, c]) => [b, newId[c]])),
    fail: 0,
    outputs: raw[old].phrase >= 0 ? [raw[old].phrase] : [],
  }));

  // 3. Failure links and output lists, textbook BFS: fail(child of s by b) = goto(fail(s)...fail^k(s), b).
  for (let s = 0; s < trie.length; s++) {
    for (const [b, c] of trie[s].next) {
      let fail = 0;
      if (s !== 0) {
        for (let f = trie[s].fail; ; f = trie[f].fail) {
          const g = trie[f].next.get(b);
          if (g !== undefined) {
            fail = g;
            break;
          }
          if (f === 0) break;
        }
      }
      trie[c].fail = fail;
      // BFS order guarantees fail(c) (shallower) already has its complete output list.
      trie[c].outputs = [...trie[c].outputs, ...trie[fail].outputs];
    }
  }

  // 4. Byte classes: one per folded byte used in some phrase, ascending; everything else is class 0.
  const used = new Set<number>();
  for (const f of storedFolded) for (const b of f) used.add(b);
  const classOfFolded = new Int32Array(256);
  let classCount = 1;
  for (let b = 0; b < 256; b++) if (used.has(b)) classOfFolded[b] = classCount++;
  const classMap = new Uint8Array(AC_CLASS_MAP_SIZE);
  for (let b = 0; b < 256; b++) classMap[b] = classOfFolded[fold ? foldByte(b) : b];
  if (classCount > 256) throw new AhoCorasickBuildError("more than 256 byte classes"); // cannot happen: 255 + 1

  // 5. Encode (layout: format.ts, AHO_CORASICK): the trie in BFS order, its failure links, the root's full row.
  const n = trie.length;
  const rootRow = new Int32Array(classCount);
  for (const [b, c] of trie[0].next) rootRow[classOfFolded[b]] = c;
  let outputCount = 0;
  for (const t of trie) outputCount += t.outputs.length;
  let phraseBytes = 0;
  for (const p of stored) phraseBytes += p.length;
  const fits16 = n <= AC_U16_LIMIT && outputCount <= AC_U16_LIMIT && stored.length <= AC_U16_LIMIT;
  const W = options.cellWidth ?? (fits16 ? 2 : 4);
  if (W === 2 && !fits16) throw new AhoCorasickBuildError("too many states, outputs or phrases for 2-byte cells");

  const words = Math.ceil(n / 32);
  const outBits = new Uint32Array(words);
  let outStates = 0;
  for (let s = 0; s < n; s++)
    if (trie[s].outputs.length) {
      outBits[s >>> 5] |= 1 << (s & 31);
      outStates++;
    }

  const w = new ByteWriter();
  w.u32(n).u32(classCount).u32(W).u32(outStates).u32(outputCount).u32(stored.length).u32(phraseBytes);
  w.u32(fold ? AcFlags.CASE_INSENSITIVE : 0);
  if (w.length !== AC_HEADER_SIZE) throw new Error("AC header layout");
  w.bytes(classMap);
  if ((w.length as number) !== Ac.OUT_BITS) throw new Error("AC class map layout");
  for (let i = 0; i < words; i++) w.u32(outBits[i] >>> 0);
  let rank = 0;
  for (let i = 0; i < words; i++) {
    w.u32(rank);
    rank += popcount32(outBits[i]);
  }
  let at = 0;
  w.u32(0);
  for (const p of stored) w.u32((at += p.length));
  const cell = W === 2 ? (x: number) => w.u16(x) : (x: number) => w.u32(x);
  for (let c = 0; c < classCount; c++) cell(rootRow[c]);
  at = 1;
  for (let s = 0; s < n; s++) {
    cell(at);
    at += trie[s].next.size;
  }
  cell(at);
  if (at !== n) throw new Error("AC trie is not in BFS order");
  for (let s = 0; s < n; s++) cell(trie[s].fail);
  at = 0;
  cell(0);
  for (let s = 0; s < n; s++) if (trie[s].outputs.length) cell((at += trie[s].outputs.length));
  for (let s = 0; s < n; s++) for (const o of trie[s].outputs) cell(o);
  const labels = new Uint8Array(n);
  for (let s = 0; s < n; s++) for (const [b, c] of trie[s].next) labels[c] = classOfFolded[b];
  w.bytes(labels);
  for (const p of stored) w.bytes(p);

  return {
    payload: w.finish(),
    phrases: stored,
    phraseIdOf,
    trie,
    stateOfNode: Int32Array.from(trie, (_, i) => i),
    classCount,
    cellWidth: W,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Phrase sources.

/** Phrases of a @pmFromFile data file, as libmodsecurity reads them (PmFromFile::init/isComment): one phrase per
 *  line (split on LF only — a CR before the LF stays part of the phrase, as with std::getline); skipped are empty
 *  lines and lines whose first non-whitespace byte is '#'. A line of only spaces is a phrase. */
export function parsePmFromFileData(data: Uint8Array | string): Uint8Array[] {
  const bytes = toBytes(data);
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== 0x0a) continue;
    // std::getline yields no final empty line after a trailing LF; an empty line is skipped anyway.
    const line = bytes.subarray(start, i);
    start = i + 1;
    if (line.length === 0) continue;
    const hash = line.indexOf(0x23);
    if (hash >= 0 && line.subarray(0, hash).every((b) => b === 0x20 || (b >= 0x09 && b <= 0x0d))) continue;
    out.push(line.slice());
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding and walking (tooling/tests; the filter's walker is filter/tables/aho_corasick.ts).

export interface AcMatch {
  /** Stored phrase id. */
  phrase: number;
  /** Offset of the first byte AFTER the match (the match is input[end - phraseLength, end)). */
  end: number;
}

/** Validates an AHO_CORASICK payload; returns null if sound, else what is wrong. Mirrors the filter's checks. */
export function validateAcPayload(p: Uint8Array): string | null {
  if (p.length < Ac.OUT_BITS) return "shorter than its fixed header";
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const u32 = (o: number) => dv.getUint32(o, true);
  const n = u32(Ac.STATE_COUNT);
  const classes = u32(Ac.CLASS_COUNT);
  const W = u32(Ac.CELL_WIDTH);
  const outStates = u32(Ac.OUTPUT_STATE_COUNT);
  const outN = u32(Ac.OUTPUT_COUNT);
  const phN = u32(Ac.PHRASE_COUNT);
  const phBytes = u32(Ac.PHRASE_BYTES_LEN);
  const flags = u32(Ac.FLAGS);
  if (n < 1 || n > MAX_AC_STATES) return `state count ${n} out of range`;
  if (classes < 1 || classes > 256) return `class count ${classes} out of range`;
  if (W !== 2 && W !== 4) return `cell width ${W} is neither 2 nor 4`;
  if (outStates > n) return `output state count ${outStates} out of range`;
  if (phN > MAX_AC_PHRASES) return `phrase count ${phN} out of range`;
  if ((flags & ~AcFlags.CASE_INSENSITIVE) !== 0) return `unknown flags ${flags}`;
  const L = acLayout(n, classes, W, outStates, outN, phN, phBytes);
  if (L.end !== p.length) return `size ${p.length} does not match the layout (${L.end})`;
  const cell = W === 2 ? (o: number, i: number) => dv.getUint16(o + 2 * i, true) : (o: number, i: number) => dv.getUint32(o + 4 * i, true);
  for (let b = 0; b < 256; b++) if (p[Ac.CLASS_MAP + b] >= classes) return `class map entry ${b} out of range`;
  let rank = 0;
  for (let i = 0; i < L.words; i++) {
    const word = u32(L.outBits + 4 * i);
    if (u32(L.outRank + 4 * i) !== rank) return `output rank of word ${i}`;
    if (i === L.words - 1 && n % 32 !== 0 && word >>> (n % 32) !== 0) return "output bits beyond the last state";
    rank += popcount32(word);
  }
  if (rank !== outStates) return "output bits disagree with the output state count";
  if (u32(L.phraseOffsets) !== 0 || u32(L.phraseOffsets + 4 * phN) !== phBytes) return "phrase bounds";
  for (let i = 0; i < phN; i++) {
    if (u32(L.phraseOffsets + 4 * (i + 1)) <= u32(L.phraseOffsets + 4 * i)) return `phrase ${i} empty or unsorted`;
  }
  for (let c = 0; c < classes; c++) if (cell(L.rootRow, c) >= n) return `root row cell ${c} out of range`;
  if (cell(L.childStart, n) !== n) return "child index bounds";
  for (let s = 0; s < n; s++) {
    const lo = cell(L.childStart, s);
    const hi = cell(L.childStart, s + 1);
    if (lo < s + 1 || hi < lo) return `child range of state ${s}`;
    let prev = 0;
    for (let t = lo; t < hi; t++) {
      const c = p[L.labels + t];
      if (c <= prev || c >= classes) return `label of state ${t} unsorted or out of range`;
      prev = c;
    }
  }
  if (p[L.labels] !== 0) return "label of the root is not 0";
  if (cell(L.fail, 0) !== 0) return "failure link of the root is not 0";
  for (let s = 1; s < n; s++) if (cell(L.fail, s) >= s) return `failure link of state ${s} does not go back`;
  if (cell(L.outStart, 0) !== 0 || cell(L.outStart, outStates) !== outN) return "output index bounds";
  for (let r = 0; r < outStates; r++) {
    if (cell(L.outStart, r + 1) <= cell(L.outStart, r)) return `output range ${r} empty or out of order`;
  }
  for (let i = 0; i < outN; i++) if (cell(L.outputs, i) >= phN) return `output ${i} out of range`;
  return null;
}

/** Byte offsets of the payload arrays, from the counts (see format.ts). Arithmetic in doubles: cannot wrap. */
export function acLayout(n: number, classes: number, W: number, outStates: number, outN: number, phN: number, phBytes: number) {
  const words = Math.ceil(n / 32);
  const outBits = Ac.OUT_BITS;
  const outRank = outBits + 4 * words;
  const phraseOffsets = outRank + 4 * words;
  const rootRow = phraseOffsets + 4 * (phN + 1);
  const childStart = rootRow + W * classes;
  const fail = childStart + W * (n + 1);
  const outStart = fail + W * n;
  const outputs = outStart + W * (outStates + 1);
  const labels = outputs + W * outN;
  const phraseBytes = labels + n;
  return { words, outBits, outRank, phraseOffsets, rootRow, childStart, fail, outStart, outputs, labels, phraseBytes, end: phraseBytes + phBytes };
}

/** A validated AHO_CORASICK payload. */
export class AhoCorasickTable {
  readonly stateCount: number;
  readonly classCount: number;
  readonly cellWidth: number;
  readonly phraseCount: number;
  readonly caseInsensitive: boolean;
  private readonly dv: DataView;
  private readonly L: ReturnType<typeof acLayout>;

  constructor(private readonly p: Uint8Array) {
    const err = validateAcPayload(p);
    if (err !== null) throw new Error(`invalid AHO_CORASICK payload: ${err}`);
    this.dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const u = (o: number) => this.dv.getUint32(o, true);
    this.stateCount = u(Ac.STATE_COUNT);
    this.classCount = u(Ac.CLASS_COUNT);
    this.cellWidth = u(Ac.CELL_WIDTH);
    this.phraseCount = u(Ac.PHRASE_COUNT);
    this.caseInsensitive = (u(Ac.FLAGS) & AcFlags.CASE_INSENSITIVE) !== 0;
    this.L = acLayout(this.stateCount, this.classCount, this.cellWidth, u(Ac.OUTPUT_STATE_COUNT), u(Ac.OUTPUT_COUNT), this.phraseCount, u(Ac.PHRASE_BYTES_LEN));
  }

  private cell(o: number, i: number): number {
    return this.cellWidth === 2 ? this.dv.getUint16(o + 2 * i, true) : this.dv.getUint32(o + 4 * i, true);
  }

  /** delta(state, byte): the child labelled with the byte's class, else the same from the failure link. */
  step(s: number, byte: number): number {
    const c = this.p[Ac.CLASS_MAP + byte];
    for (;;) {
      if (s === 0) return this.cell(this.L.rootRow, c);
      let lo = this.cell(this.L.childStart, s);
      let hi = this.cell(this.L.childStart, s + 1);
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const k = this.p[this.L.labels + mid];
        if (k === c) return mid;
        if (k < c) lo = mid + 1;
        else hi = mid;
      }
      s = this.cell(this.L.fail, s);
    }
  }

  /** Rank of state s among the states with outputs, or -1 if s has none. */
  private outRank(s: number): number {
    const word = this.dv.getUint32(this.L.outBits + 4 * (s >>> 5), true);
    const bit = 1 << (s & 31);
    if ((word & bit) === 0) return -1;
    return this.dv.getUint32(this.L.outRank + 4 * (s >>> 5), true) + popcount32(word & (bit - 1));
  }

  outputs(s: number): number[] {
    const r = this.outRank(s);
    if (r < 0) return [];
    const lo = this.cell(this.L.outStart, r);
    const hi = this.cell(this.L.outStart, r + 1);
    const out: number[] = [];
    for (let i = lo; i < hi; i++) out.push(this.cell(this.L.outputs, i));
    return out;
  }

  /** First match (earliest end, longest phrase there), or null. */
  search(input: Uint8Array): AcMatch | null {
    let s = 0;
    for (let i = 0; i < input.length; i++) {
      s = this.step(s, input[i]);
      const r = this.outRank(s);
      if (r >= 0) return { phrase: this.cell(this.L.outputs, this.cell(this.L.outStart, r)), end: i + 1 };
    }
    return null;
  }

  /** Every phrase id that occurs in the input. */
  findAll(input: Uint8Array): Set<number> {
    const found = new Set<number>();
    let s = 0;
    for (let i = 0; i < input.length; i++) {
      s = this.step(s, input[i]);
      for (const id of this.outputs(s)) found.add(id);
    }
    return found;
  }

  phrase(id: number): Uint8Array {
    const lo = this.dv.getUint32(this.L.phraseOffsets + 4 * id, true);
    const hi = this.dv.getUint32(this.L.phraseOffsets + 4 * (id + 1), true);
    return this.p.slice(this.L.phraseBytes + lo, this.L.phraseBytes + hi);
  }
}
