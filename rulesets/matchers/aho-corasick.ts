// Aho-Corasick phrase sets for @pm / @pmFromFile: builder (goto/fail/output construction, DFA compilation,
// compression, encoding to the AHO_CORASICK payload of rulesets/tables/format.ts) and a TS walker over the encoded
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
import {
  AC_CLASS_MAP_SIZE,
  AC_DENSE_THRESHOLD,
  AC_EXCEPTION_CLASS_SHIFT,
  AC_EXCEPTION_TARGET_MASK,
  AC_HEADER_SIZE,
  Ac,
  AcFlags,
  MAX_AC_PHRASES,
  MAX_AC_STATES,
} from "../tables/format";
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
  /** Sparse rows longer than this become dense rows (default AC_DENSE_THRESHOLD). Tests vary it. */
  denseThreshold?: number;
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
  /** Trie node -> state number in the table (dense states are renumbered first). */
  stateOfNode: Int32Array;
  classCount: number;
  denseCount: number;
  exceptionCount: number;
}

const utf8 = new TextEncoder();

export function foldByte(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 0x20 : b;
}

function toBytes(p: string | Uint8Array): Uint8Array {
  return typeof p === "string" ? utf8.encode(p) : p;
}

/** Builds the automaton for `phrases` (text is UTF-8 encoded; byte arrays are used as they are). */
export function buildAhoCorasick(phrases: ReadonlyArray<string | Uint8Array>, options: AhoCorasickOptions = {}): AhoCorasickBuild {
  const fold = options.caseInsensitive ?? true;
  const threshold = options.denseThreshold ?? AC_DENSE_THRESHOLD;

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

  // 5. DFA rows relative to the root row. ex(s) = transitions of s whose target differs from the root's:
  //    ex(root) = {} (the root row is the default), ex(s) = goto(s) overriding ex(fail(s)). A goto target has depth
  //    depth(s)+1 >= 2 while root-row targets have depth <= 1, so goto cells always differ from the root row.
  const rootRow = new Int32Array(classCount);
  for (const [b, c] of trie[0].next) rootRow[classOfFolded[b]] = c;
  const ex: Map<number, number>[] = new Array(trie.length);
  ex[0] = new Map();
  for (let s = 1; s < trie.length; s++) {
    const m = new Map(ex[trie[s].fail]);
    for (const [b, c] of trie[s].next) m.set(classOfFolded[b], c);
    ex[s] = m;
  }

  // 6. Numbering: root, then other dense states (rows too long to search), then sparse states; BFS order inside.
  const dense = [0];
  const sparse: number[] = [];
  for (let s = 1; s < trie.length; s++) (ex[s].size > threshold ? dense : sparse).push(s);
  const order = [...dense, ...sparse];
  const stateOfNode = new Int32Array(trie.length);
  order.forEach((node, st) => (stateOfNode[node] = st));

  // 7. Encode (layout: format.ts, AHO_CORASICK).
  const n = trie.length;
  let exceptionCount = 0;
  for (const s of sparse) exceptionCount += ex[s].size;
  let outputCount = 0;
  for (const t of trie) outputCount += t.outputs.length;
  let phraseBytes = 0;
  for (const p of stored) phraseBytes += p.length;

  const w = new ByteWriter();
  w.u32(n).u32(classCount).u32(dense.length).u32(exceptionCount).u32(outputCount).u32(stored.length).u32(phraseBytes);
  w.u32(fold ? AcFlags.CASE_INSENSITIVE : 0);
  if (w.length !== AC_HEADER_SIZE) throw new Error("AC header layout");
  w.bytes(classMap);
  if ((w.length as number) !== Ac.DENSE_ROWS) throw new Error("AC class map layout");
  for (const s of dense) {
    for (let c = 0; c < classCount; c++) {
      const t = s === 0 ? rootRow[c] : (ex[s].get(c) ?? rootRow[c]);
      w.u32(stateOfNode[t]);
    }
  }
  let at = 0;
  w.u32(0);
  for (const s of order) w.u32((at += s === 0 || ex[s].size > threshold ? 0 : ex[s].size));
  for (const s of sparse) {
    for (const [c, t] of [...ex[s]].sort((a, b) => a[0] - b[0])) {
      w.u32(((c << AC_EXCEPTION_CLASS_SHIFT) | (stateOfNode[t] & AC_EXCEPTION_TARGET_MASK)) >>> 0);
    }
  }
  at = 0;
  w.u32(0);
  for (const s of order) w.u32((at += trie[s].outputs.length));
  for (const s of order) w.u32s(trie[s].outputs);
  at = 0;
  w.u32(0);
  for (const p of stored) w.u32((at += p.length));
  for (const p of stored) w.bytes(p);

  return {
    payload: w.finish(),
    phrases: stored,
    phraseIdOf,
    trie,
    stateOfNode,
    classCount,
    denseCount: dense.length,
    exceptionCount,
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
  if (p.length < Ac.DENSE_ROWS) return "shorter than its fixed header";
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const u32 = (o: number) => dv.getUint32(o, true);
  const n = u32(Ac.STATE_COUNT);
  const classes = u32(Ac.CLASS_COUNT);
  const denseN = u32(Ac.DENSE_COUNT);
  const exN = u32(Ac.EXCEPTION_COUNT);
  const outN = u32(Ac.OUTPUT_COUNT);
  const phN = u32(Ac.PHRASE_COUNT);
  const phBytes = u32(Ac.PHRASE_BYTES_LEN);
  const flags = u32(Ac.FLAGS);
  if (n < 1 || n > MAX_AC_STATES) return `state count ${n} out of range`;
  if (classes < 1 || classes > 256) return `class count ${classes} out of range`;
  if (denseN < 1 || denseN > n) return `dense count ${denseN} out of range`;
  if (phN > MAX_AC_PHRASES) return `phrase count ${phN} out of range`;
  if ((flags & ~AcFlags.CASE_INSENSITIVE) !== 0) return `unknown flags ${flags}`;
  const layout = acLayout(n, classes, denseN, exN, outN, phN, phBytes);
  if (layout.end !== p.length) return `size ${p.length} does not match the layout (${layout.end})`;
  for (let b = 0; b < 256; b++) if (p[Ac.CLASS_MAP + b] >= classes) return `class map entry ${b} out of range`;
  for (let i = 0; i < denseN * classes; i++) if (u32(layout.dense + 4 * i) >= n) return `dense cell ${i} out of range`;
  if (u32(layout.exStart) !== 0 || u32(layout.exStart + 4 * n) !== exN) return "exception index bounds";
  for (let s = 0; s < n; s++) {
    const lo = u32(layout.exStart + 4 * s);
    const hi = u32(layout.exStart + 4 * (s + 1));
    if (hi < lo || hi > exN) return `exception range of state ${s}`;
    if (s < denseN && hi !== lo) return `dense state ${s} has exceptions`;
    let prev = -1;
    for (let i = lo; i < hi; i++) {
      const cell = u32(layout.exceptions + 4 * i);
      const c = cell >>> AC_EXCEPTION_CLASS_SHIFT;
      if (c >= classes || c <= prev) return `exception ${i} class unsorted or out of range`;
      if ((cell & AC_EXCEPTION_TARGET_MASK) >= n) return `exception ${i} target out of range`;
      prev = c;
    }
  }
  if (u32(layout.outStart) !== 0 || u32(layout.outStart + 4 * n) !== outN) return "output index bounds";
  for (let s = 0; s < n; s++) {
    if (u32(layout.outStart + 4 * (s + 1)) < u32(layout.outStart + 4 * s)) return `output range of state ${s}`;
  }
  for (let i = 0; i < outN; i++) if (u32(layout.outputs + 4 * i) >= phN) return `output ${i} out of range`;
  if (u32(layout.phraseOffsets) !== 0 || u32(layout.phraseOffsets + 4 * phN) !== phBytes) return "phrase bounds";
  for (let i = 0; i < phN; i++) {
    if (u32(layout.phraseOffsets + 4 * (i + 1)) <= u32(layout.phraseOffsets + 4 * i)) return `phrase ${i} empty or unsorted`;
  }
  return null;
}

/** Byte offsets of the payload arrays, from the counts (see format.ts). Arithmetic in doubles: cannot wrap. */
export function acLayout(n: number, classes: number, denseN: number, exN: number, outN: number, phN: number, phBytes: number) {
  const dense = Ac.DENSE_ROWS;
  const exStart = dense + 4 * denseN * classes;
  const exceptions = exStart + 4 * (n + 1);
  const outStart = exceptions + 4 * exN;
  const outputs = outStart + 4 * (n + 1);
  const phraseOffsets = outputs + 4 * outN;
  const phraseBytes = phraseOffsets + 4 * (phN + 1);
  return { dense, exStart, exceptions, outStart, outputs, phraseOffsets, phraseBytes, end: phraseBytes + phBytes };
}

/** A validated AHO_CORASICK payload. */
export class AhoCorasickTable {
  readonly stateCount: number;
  readonly classCount: number;
  readonly denseCount: number;
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
    this.denseCount = u(Ac.DENSE_COUNT);
    this.phraseCount = u(Ac.PHRASE_COUNT);
    this.caseInsensitive = (u(Ac.FLAGS) & AcFlags.CASE_INSENSITIVE) !== 0;
    this.L = acLayout(this.stateCount, this.classCount, this.denseCount, u(Ac.EXCEPTION_COUNT), u(Ac.OUTPUT_COUNT), this.phraseCount, u(Ac.PHRASE_BYTES_LEN));
  }

  private u32(o: number): number {
    return this.dv.getUint32(o, true);
  }

  /** delta(state, byte). */
  step(s: number, byte: number): number {
    const c = this.p[Ac.CLASS_MAP + byte];
    if (s < this.denseCount) return this.u32(this.L.dense + 4 * (s * this.classCount + c));
    let lo = this.u32(this.L.exStart + 4 * s);
    let hi = this.u32(this.L.exStart + 4 * (s + 1));
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const cell = this.u32(this.L.exceptions + 4 * mid);
      const k = cell >>> AC_EXCEPTION_CLASS_SHIFT;
      if (k === c) return cell & AC_EXCEPTION_TARGET_MASK;
      if (k < c) lo = mid + 1;
      else hi = mid;
    }
    return this.u32(this.L.dense + 4 * c);
  }

  outputs(s: number): number[] {
    const lo = this.u32(this.L.outStart + 4 * s);
    const hi = this.u32(this.L.outStart + 4 * (s + 1));
    const r: number[] = [];
    for (let i = lo; i < hi; i++) r.push(this.u32(this.L.outputs + 4 * i));
    return r;
  }

  /** First match (earliest end, longest phrase there), or null. */
  search(input: Uint8Array): AcMatch | null {
    let s = 0;
    for (let i = 0; i < input.length; i++) {
      s = this.step(s, input[i]);
      const lo = this.u32(this.L.outStart + 4 * s);
      if (this.u32(this.L.outStart + 4 * (s + 1)) > lo) return { phrase: this.u32(this.L.outputs + 4 * lo), end: i + 1 };
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
    const lo = this.u32(this.L.phraseOffsets + 4 * id);
    const hi = this.u32(this.L.phraseOffsets + 4 * (id + 1));
    return this.p.slice(this.L.phraseBytes + lo, this.L.phraseBytes + hi);
  }
}
