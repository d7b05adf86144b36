// The regex directory of a loaded table, as the structures the matchers in filter/regex walk: one `Regex` per entry
// of the REGEX_PREFILTER_MAP directory (Program.regexes), built from its REGEX_DFA / REGEX_NFA / REGEX_CAPTURE /
// REGEX_BACKTRACK sections (layouts: rulesets/tables/format.ts), plus the prefilter: which regexes may match a value,
// from the REGEX_PREFILTER_AC automaton and the map's phrase -> regex links, and from the required-byte test (the
// value's byte atoms, gathered in the same pass, against each regex's required atoms: e.g. a pattern that needs a
// quote or a bracket is not run on a value without one).
//
//   const b = buildRegexes(table, program);        // load time; b.error !== null => refuse the table
//   const set = b.set!;
//   set.prefilterScan(ptr, len);                    // per value: one AC walk, no allocation
//   if (set.regexMayMatch(i) && match(set.get(i), ptr, len, wantCaptures)) ...   // filter/regex match()
//
// When the structures are built: the table DFAs (dense u16 cells, ~3 MB for the CRS at PL4) and the NFA programs are
// built the first time get(i) is asked for that regex, not at load — most regexes of a paranoia-level-4 CRS never run
// on a given traffic mix (the prefilter skips them), and expanding them all was most of the VM start-up time and a
// third of the VM's memory. Laziness does not weaken the load-time guarantee: the loader's payload checks
// (filter/program/validate.ts) walk every DFA row and NFA instruction, and buildRegexes checks the rest of what a
// later build relies on (tiers, group and slot counts, look-around sizes), so a build of a loaded table cannot fail.
// Should one fail all the same, that regex answers "no match" with MATCH_ERROR_INVALID (Regex.checked = -1) — never
// a trap. Backtracking programs are still built at load: their build computes look-behind lengths and can refuse.
//
// Mapping (the inverse of rulesets/compiler/regex-sections.ts; tests/regex-as/encode.ts does the same from the TS
// compiler's objects):
//   match section REGEX_DFA       -> TIER_DFA, Dfa (compact row records expanded into the walker's dense u16 cells)
//   match section REGEX_NFA       -> TIER_LAZY, NfaProgram (match-only)
//   match section REGEX_BACKTRACK -> TIER_BACKTRACK, BacktrackProgram (its captures come from it)
//   capture section REGEX_CAPTURE   -> captureProgram (Pike VM), CAPTURE_PIKE
//   capture section REGEX_BACKTRACK -> backtrack, CAPTURE_BACKTRACK (PCRE's empty-iteration rule). The table has no
//     Pike program for such a regex, so when the backtracker runs out of budget the match stands (the automaton
//     decided it) with matchError = MATCH_ERROR_LIMIT and no captures (the TS reference would fall back to the
//     Pike VM's captures).
//   capture section NONE            -> no captures (no rule captures with this regex; the match section of the
//     backtracking tier still yields them).
// Nothing here traps on a corrupt table: every read goes through a bounds-checked View, every count is checked
// against the section size before allocating.
import {
  MAX_FOLDED_PM, MAX_REQUIRED_ATOMS, REF_NONE, REGEX_ATOM_MAP_SIZE, REGEX_BT_HEADER_SIZE, REGEX_DFA_HEADER_SIZE, REGEX_MAP_HEADER_SIZE, REGEX_NFA_HEADER_SIZE,
  REGEX_RECORD_CELLS, RegexBacktrack, RegexDfa, RegexDfaFlags, RegexFlags, RegexMap, RegexNfa, RegexNode,
  RegexNodeFlags, Rules, SectionKind,
} from "../../rulesets/tables/format";
import { Dfa } from "../regex/dfa";
import { NfaProgram } from "../regex/nfa_program";
import { BacktrackProgram } from "../regex/backtrack_program";
import { Regex } from "../regex/regex";
import { DEFAULT_LAZY_BUDGET, LazyBudget } from "../regex/lazy_dfa";
import {
  BT_ALT, BT_ASSERT, BT_BACKREF, BT_CONCAT, BT_EMPTY, BT_GROUP, BT_LOOK, BT_REPEAT, BT_SET, CAPTURE_BACKTRACK,
  CAPTURE_PIKE, LOOK_BEHIND, LOOK_NEGATE, MAX_CAPTURE_GROUPS, REP_GREEDY, REP_POSSESSIVE, TIER_BACKTRACK, TIER_DFA,
  TIER_LAZY,
} from "../regex/opcodes";
import { AcMatcher } from "../tables/aho_corasick";
import { Table } from "../tables/reader";
import { View } from "../tables/view";
import { Program } from "./program";
import { expandDfaRows, walkNfaInsts } from "./validate";

const NONE: u32 = <u32>REF_NONE;
/** Longest list of possible look-behind body lengths accepted (real patterns have a handful). */
const MAX_LOOKBEHIND_LENGTHS: i32 = 4096;
/** Look-around positions (all sequences of a program) accepted: bounded by the section size anyway. */
const MAX_LOOK_POSITIONS: u64 = 0x00100000;

/** Transition cache of the prefilter automaton (cells of 4 bytes: 1 MiB). Every value a prefiltered rule reads
 *  is scanned, so this automaton is the hottest in the filter; CRS v4's (30k states with its folded @pm lists, 100
 *  classes) gets 2.6k rows: the first 1.3k states in BFS order, every state within a few bytes of the root, and
 *  1.3k for the states the traffic reaches (AcMatcher's transition cache). */
const PREFILTER_CACHE_CELLS: u32 = 262144;

/** Result of buildRegexes: the set, or why the table is refused. */
export class RegexBuild {
  constructor(
    readonly set: RegexSet | null,
    /** null when sound; else "regex <i> (section <s>): <reason>" or a prefilter reason */
    readonly error: string | null,
    /** directory index of the offending regex, or -1 */
    readonly regex: i32 = -1,
    /** section index of the offending section, or -1 */
    readonly section: i32 = -1,
  ) {}
  get ok(): bool {
    return this.error === null;
  }
}

/**
 * A candidate set: one bit per regex of the directory (bit i in word i >> 5), then one per folded @pm automaton (set
 * after a scan iff one of its phrases occurred). After a scan, bit i of a regex is set iff (regex i has no prefilter
 * factors or one of its factors occurred in the scanned value) and (it has no required bytes or the value holds one
 * of them). The words themselves, not an object holding them: the engine keeps a set per scanned value (thousands
 * for a large JSON body), so this is one allocation each instead of two. RegexSet has a default one.
 */
export type RegexCandidates = StaticArray<u32>;

/** A candidate set for n regexes and folded automata. Before the first scan every one is a candidate (sound: never
 *  skips a regex that could match). */
export function newCandidateSet(n: i32): RegexCandidates {
  const words = new StaticArray<u32>((n + 31) >>> 5);
  memory.fill(changetype<usize>(words), 0xff, <usize>words.length << 2);
  return words;
}

/** May regex (or folded @pm) i match, by candidate set c? */
// @ts-ignore: decorator
@inline export function isCandidate(c: RegexCandidates, i: i32): bool {
  const w = i >>> 5;
  if (<u32>w >= <u32>c.length) return false;
  return (unchecked(c[w]) & (<u32>1 << (<u32>i & 31))) != 0;
}

/** The regexes of a program, ready for filter/regex match(), and their prefilter. */
export class RegexSet {
  /** One per directory entry (the index conditions and target selectors use), built on first get(). */
  private readonly regexes: StaticArray<Regex | null>;
  /** Builds the entries (and shares structures between entries that name the same section). */
  private readonly decoder: RegexDecoder;
  /** REGEX_RECORD_CELLS per regex (Program.regexes). */
  private readonly records: Uint32Array;
  /** Per regex: 1 when a capture structure exists (capture section, or the backtracking tier). */
  readonly capturable: StaticArray<u8>;
  /** The prefilter automaton (REGEX_PREFILTER_AC), or null when no regex has factors. */
  readonly prefilter: AcMatcher | null;
  /** Prefilter phrase p stands for the regexes links[phraseStart[p] .. phraseStart[p+1]). */
  readonly phraseStart: StaticArray<u32>;
  readonly links: StaticArray<u32>;
  /** Bits of the regexes that have neither factors nor required bytes: always candidates (nothing to scan for). */
  readonly always: StaticArray<u32>;
  /** Bits of the regexes without factors: the candidates a scan starts from (before the required-byte test). */
  private readonly unfactored: StaticArray<u32>;
  /** Per byte value: 1 << its atom (the required-byte test: REGEX_PREFILTER_MAP atom_of). */
  private readonly atomBits: StaticArray<u64>;
  /** Bits of the regexes with required bytes. */
  private readonly reqWords: StaticArray<u32>;
  /** Whether any regex has required bytes. */
  private readonly required: bool;
  /** Per atom a (64 rows of reqWords.length words): bits of the regexes whose required atoms include a. */
  private readonly atomKeep: StaticArray<u32>;
  /** The candidate set prefilterScan() / regexMayMatch() use. */
  readonly candidates: RegexCandidates;
  /** Scratch: phrases already seen in the current scan (so each phrase's links are applied once); all zero between
   *  scans. */
  private readonly phraseSeen: StaticArray<u32>;
  /** Scratch: the words of phraseSeen the current scan set (one cell per word, so it never overflows). */
  private readonly seenWords: StaticArray<i32>;
  /** dropMissingRequired's cache: per slot an atom set and the union of its rows (reqWords.length words). */
  private readonly keepCache: StaticArray<u32>;
  private readonly keepCacheAtoms: StaticArray<u64> = new StaticArray<u64>(1 << KEEP_CACHE_BITS);
  private readonly keepCacheValid: StaticArray<u8> = new StaticArray<u8>(1 << KEEP_CACHE_BITS);
  /** Number of regexes with prefilter factors. */
  readonly prefiltered: i32;
  /** Per regex: 1 when it matches every value with TX:0 = the value (RegexFlags.WHOLE_VALUE). */
  readonly wholeValue: StaticArray<u8>;

  /** The AHO_CORASICK sections of the @pm automata folded into the prefilter: candidate bit (regex count + j) stands
   *  for pmSections[j] (REGEX_PREFILTER_MAP pm_sections). */
  private readonly pmSections: StaticArray<u32>;
  /** Bits of a candidate set: the regexes, then the folded @pm automata. */
  readonly candidateCount: i32;

  constructor(decoder: RegexDecoder, records: Uint32Array, capturable: StaticArray<u8>, prefilter: AcMatcher | null, phraseStart: StaticArray<u32>, links: StaticArray<u32>, unfactored: StaticArray<u32>, prefiltered: i32, required: RequiredBytes, pmSections: StaticArray<u32> = new StaticArray<u32>(0)) {
    this.pmSections = pmSections;
    this.candidateCount = capturable.length + pmSections.length;
    this.decoder = decoder;
    this.records = records;
    this.regexes = new StaticArray<Regex | null>(capturable.length);
    this.capturable = capturable;
    this.prefilter = prefilter;
    this.phraseStart = phraseStart;
    this.links = links;
    this.unfactored = unfactored;
    this.atomBits = required.atomBits;
    const W = unfactored.length;
    const reqWords = new StaticArray<u32>(W);
    const atomKeep = new StaticArray<u32>(<i32>MAX_REQUIRED_ATOMS * W);
    for (let i = 0; i < required.regexes.length; i++) {
      const g = unchecked(required.regexes[i]); // < regex count: read from the directory by readRequired
      const bit = <u32>1 << (g & 31);
      reqWords[g >>> 5] |= bit;
      let m = unchecked(required.masks[i]);
      while (m != 0) {
        const a = <i32>ctz<u64>(m);
        m &= m - 1;
        atomKeep[a * W + <i32>(g >>> 5)] |= bit;
      }
    }
    this.reqWords = reqWords;
    this.required = required.regexes.length > 0;
    this.atomKeep = atomKeep;
    const always = new StaticArray<u32>(W);
    for (let w = 0; w < W; w++) unchecked((always[w] = unchecked(unfactored[w]) & ~unchecked(reqWords[w])));
    this.always = always;
    this.prefiltered = prefiltered;
    const phrases = phraseStart.length > 0 ? phraseStart.length - 1 : 0;
    this.phraseSeen = new StaticArray<u32>((phrases + 31) >>> 5);
    this.seenWords = new StaticArray<i32>((phrases + 31) >>> 5);
    this.keepCache = new StaticArray<u32>((1 << KEEP_CACHE_BITS) * W);
    this.candidates = newCandidateSet(capturable.length + pmSections.length);
    const whole = new StaticArray<u8>(capturable.length);
    for (let g = 0; g < capturable.length; g++) {
      if ((records[g * REGEX_RECORD_CELLS + 2] & RegexFlags.WHOLE_VALUE) != 0) unchecked((whole[g] = 1));
    }
    this.wholeValue = whole;
  }

  /** A set without regexes (a program that has none). */
  static empty(t: Table): RegexSet {
    return new RegexSet(new RegexDecoder(t), new Uint32Array(0), new StaticArray<u8>(0), null, [0], new StaticArray<u32>(0), new StaticArray<u32>(0), 0, new RequiredBytes());
  }

  @inline get count(): i32 {
    return this.regexes.length;
  }

  /** The byte budget the lazy DFA caches of these regexes share. */
  get lazyBudget(): LazyBudget {
    return this.decoder.lazyBudget;
  }

  /** Regex i (i < count; the loader checked every reference of the program), built on the first call. */
  @inline get(i: i32): Regex {
    // inlined for the built case: the engine asks for a regex on every @rx evaluation
    const rs = this.regexes;
    if (<u32>i < <u32>rs.length) {
      const r = unchecked(rs[i]);
      if (r !== null) return r;
    }
    return this.build(i);
  }

  private build(i: i32): Regex {
    const r = this.regexes[i];
    if (r !== null) return r;
    const o = i * REGEX_RECORD_CELLS;
    const re = this.decoder.assemble(this.records[o], this.records[o + 1], this.records[o + 3]);
    this.regexes[i] = re;
    return re;
  }

  /** Can match(get(i), ..., true) fill TX:0..9? */
  canCapture(i: i32): bool {
    return <u32>i < <u32>this.capturable.length && unchecked(this.capturable[i]) != 0;
  }

  /** A fresh candidate set for scanInto() (allocate at load time). */
  newCandidates(): RegexCandidates {
    return newCandidateSet(this.candidateCount);
  }

  /** The candidate bit of the @pm automaton in AHO_CORASICK section `section` when it is folded into the prefilter
   *  (then "bit clear after a scan" means no phrase of it occurs in the value), else -1. Load time. */
  pmCandidate(section: u32): i32 {
    const ps = this.pmSections;
    for (let j = 0; j < ps.length; j++) if (unchecked(ps[j]) == section) return this.regexes.length + j;
    return -1;
  }

  /**
   * Prefilter of one value [ptr, ptr+len): marks the candidate regexes in the default set (see regexMayMatch).
   * Returns the number of distinct prefilter phrases found, or -1 when the automaton faulted (then every regex is a
   * candidate). No allocation; one automaton transition per byte.
   */
  prefilterScan(ptr: usize, len: i32): i32 {
    return this.scanInto(this.candidates, ptr, len);
  }

  /** After prefilterScan(): may regex i match the scanned value? (false only when it certainly cannot) */
  @inline regexMayMatch(i: i32): bool {
    return isCandidate(this.candidates, i);
  }

  /** prefilterScan into a caller-owned candidate set. */
  scanInto(c: RegexCandidates, ptr: usize, len: i32): i32 {
    const words = c;
    const unfactored = this.unfactored;
    if (words.length != unfactored.length) return this.failOpen(c); // a set made for another program
    for (let w = 0, e = words.length; w < e; w++) unchecked((words[w] = unchecked(unfactored[w])));
    const atomBits = changetype<usize>(this.atomBits);
    const ac = this.prefilter;
    if (ac === null || len <= 0) {
      let atoms: u64 = 0;
      if (this.required) for (let i: i32 = 0; i < len; i++) atoms |= load<u64>(atomBits + ((<usize>load<u8>(ptr + <usize>i)) << 3));
      this.dropMissingRequired(words, atoms);
      return 0;
    }
    // phraseSeen is all zero between scans: the bits set here are cleared at the end from seenWords (a value meets a
    // handful of phrases; zeroing the whole set, one bit per phrase of the rule set, cost more than the walk of a
    // short value)
    const seen = this.phraseSeen;
    const seenWords = this.seenWords;
    let nSeen = 0;
    const ps = this.phraseStart;
    const links = this.links;
    const np = <u32>(ps.length - 1);
    const G = <u32>this.candidateCount; // links name regexes and folded @pm automata
    let found: i32 = 0;
    let s: u32 = 0;
    let atoms: u64 = 0;
    const end = <usize>len;
    let i: usize = 0;
    while (i < end) {
      // to the next state with outputs (or the end), gathering the bytes' atoms on the way
      i = ac.walk(ptr, i, end, s, atomBits);
      s = ac.walkState;
      atoms |= ac.walkAtoms;
      if (!ac.hasOutput(s)) break;
      const n = ac.outputCount(s);
      for (let k: u32 = 0; k < n; k++) {
        const p = ac.output(s, k);
        if (p >= np) {
          this.clearSeen(nSeen);
          return this.failOpen(c);
        }
        const bit = <u32>1 << (p & 31);
        const sw = unchecked(seen[p >>> 5]);
        if ((sw & bit) != 0) continue;
        if (sw == 0) {
          if (nSeen == seenWords.length) {
            this.clearSeen(nSeen);
            return this.failOpen(c); // cannot happen: seenWords has a cell per word of phraseSeen
          }
          unchecked((seenWords[nSeen++] = p >>> 5));
        }
        unchecked((seen[p >>> 5] = sw | bit));
        found++;
        for (let l = unchecked(ps[p]), le = unchecked(ps[p + 1]); l < le; l++) {
          const g = unchecked(links[l]);
          if (g >= G) {
            this.clearSeen(nSeen);
            return this.failOpen(c);
          }
          unchecked((words[g >>> 5] |= <u32>1 << (g & 31)));
        }
      }
    }
    this.clearSeen(nSeen);
    if (ac.faulted) return this.failOpen(c);
    this.dropMissingRequired(words, atoms);
    return found;
  }

  /** Zeroes the words of phraseSeen a scan set (their indices: seenWords[0 .. n)). */
  private clearSeen(n: i32): void {
    const seen = this.phraseSeen;
    const seenWords = this.seenWords;
    for (let k = 0; k < n; k++) unchecked((seen[unchecked(seenWords[k])] = 0));
  }

  /** The required-byte test: drops every regex none of whose required atoms occurs in the value (`atoms`): the
   *  regexes to keep are the union of the present atoms' rows. A value of text holds a few dozen atoms, and the
   *  same values come back request after request (a User-Agent, a Host, an Accept), so the union is remembered per
   *  atom set in a small direct-mapped cache. */
  private dropMissingRequired(words: StaticArray<u32>, atoms: u64): void {
    if (!this.required) return;
    const W = this.reqWords.length;
    const h = <i32>((atoms * 0x9e3779b97f4a7c15) >>> (64 - KEEP_CACHE_BITS));
    const kc = this.keepCache;
    const base = h * W;
    if (unchecked(this.keepCacheValid[h]) == 0 || unchecked(this.keepCacheAtoms[h]) != atoms) {
      for (let w = 0; w < W; w++) unchecked((kc[base + w] = 0));
      const rows = this.atomKeep;
      let a = atoms;
      while (a != 0) {
        const row = <i32>ctz<u64>(a) * W;
        a &= a - 1;
        for (let w = 0; w < W; w++) unchecked((kc[base + w] |= unchecked(rows[row + w])));
      }
      unchecked((this.keepCacheAtoms[h] = atoms));
      unchecked((this.keepCacheValid[h] = 1));
    }
    const req = this.reqWords;
    for (let w = 0; w < W; w++) unchecked((words[w] &= ~unchecked(req[w]) | unchecked(kc[base + w])));
  }

  private failOpen(c: RegexCandidates): i32 {
    const words = c;
    for (let w = 0; w < words.length; w++) unchecked((words[w] = 0xffffffff));
    return -1;
  }
}

/** Slots of the required-byte test's cache (RegexSet.dropMissingRequired): 2^KEEP_CACHE_BITS atom sets. */
const KEEP_CACHE_BITS = 7;

/** The required-byte test of a program (REGEX_PREFILTER_MAP atom_of and required). */
export class RequiredBytes {
  /** per byte value: 1 << its atom */
  atomBits: StaticArray<u64> = new StaticArray<u64>(256);
  /** the regexes with REQUIRED_BYTES, and their atom sets (parallel arrays) */
  regexes: StaticArray<u32> = new StaticArray<u32>(0);
  masks: StaticArray<u64> = new StaticArray<u64>(0);
}

// ---------------------------------------------------------------------------------------------------------------
// Building.

/** Decodes regex sections into walker structures, each section once (entries may share a section). Lives as long as
 *  the RegexSet: the DFAs and NFA programs are decoded on demand by assemble(). */
export class RegexDecoder {
  /** The first decode error (sticky for the build at load; reset by assemble() for each lazy build). */
  error: string | null = null;
  private dfas: Map<i32, Dfa> = new Map<i32, Dfa>();
  private nfas: Map<i32, NfaProgram> = new Map<i32, NfaProgram>();
  private bts: Map<i32, BacktrackProgram> = new Map<i32, BacktrackProgram>();
  /** What the lazy DFA caches of this rule set's patterns may hold together (see filter/regex/lazy_dfa.ts). */
  readonly lazyBudget: LazyBudget = new LazyBudget(DEFAULT_LAZY_BUDGET);

  constructor(readonly t: Table) {}

  kind(section: u32): i32 {
    if (section >= <u32>this.t.sectionCount) return -1;
    return this.t.section(<i32>section)!.kind;
  }

  view(section: u32): View {
    return this.t.section(<i32>section)!.view;
  }

  dfa(section: u32): Dfa | null {
    const key = <i32>section;
    if (this.dfas.has(key)) return this.dfas.get(key);
    const d = decodeDfa(this.view(section), this);
    if (d !== null) this.dfas.set(key, d);
    return d;
  }

  nfa(section: u32, capture: bool): NfaProgram | null {
    const key = <i32>section;
    if (this.nfas.has(key)) return this.nfas.get(key);
    const p = decodeNfa(this.view(section), capture, this);
    if (p !== null) this.nfas.set(key, p);
    return p;
  }

  backtrack(section: u32): BacktrackProgram | null {
    const key = <i32>section;
    if (this.bts.has(key)) return this.bts.get(key);
    const p = decodeBacktrack(this.view(section), this);
    if (p !== null) this.bts.set(key, p);
    return p;
  }

  fail<T>(reason: string): T | null {
    if (this.error === null) this.error = reason;
    return null;
  }

  /**
   * The Regex of one directory entry (match section, capture section or NONE, groups) of a table buildRegexes
   * accepted. Decodes what is not decoded yet. A decode failure (impossible after buildRegexes' checks) yields a
   * Regex that never runs: checked = -1 with the reason, so match() answers false with MATCH_ERROR_INVALID.
   */
  assemble(ms: u32, cs: u32, groups: u32): Regex {
    this.error = null;
    const re = new Regex();
    re.groups = <i32>(groups & 0xffff);
    re.lazyBudget = this.lazyBudget;
    const mk = this.kind(ms);
    if (mk == SectionKind.REGEX_DFA) {
      re.tier = TIER_DFA;
      re.dfa = this.dfa(ms);
    } else if (mk == SectionKind.REGEX_NFA) {
      re.tier = TIER_LAZY;
      re.nfa = this.nfa(ms, false);
    } else {
      re.tier = TIER_BACKTRACK;
      re.captureEngine = CAPTURE_BACKTRACK;
      re.backtrack = mk == SectionKind.REGEX_BACKTRACK ? this.backtrack(ms) : this.fail<BacktrackProgram>("match section is not a regex automaton");
    }
    if (cs != NONE && re.tier != TIER_BACKTRACK) {
      if (this.kind(cs) == SectionKind.REGEX_CAPTURE) {
        re.captureEngine = CAPTURE_PIKE;
        re.captureProgram = this.nfa(cs, true);
      } else {
        re.captureEngine = CAPTURE_BACKTRACK;
        re.backtrack = this.backtrack(cs);
      }
    }
    if (this.error !== null) {
      re.checked = -1;
      re.invalidReason = this.error!;
    } else re.check();
    return re;
  }
}

function fits(v: View, end: u64): bool {
  return end <= <u64>v.length;
}

function decodeDfa(v: View, b: RegexDecoder): Dfa | null {
  const S = v.u32(RegexDfa.STATE_COUNT), K = v.u32(RegexDfa.CLASS_COUNT);
  const start = v.u32(RegexDfa.START), accept = v.u32(RegexDfa.ACCEPT), dead = v.u32(RegexDfa.DEAD);
  const flags = v.u32(RegexDfa.FLAGS);
  if (S < 1 || S > 65536 || K < 1 || K > 256) return b.fail<Dfa>("DFA counts out of range");
  if ((flags & ~(<u32>RegexDfaFlags.CELLS_U8)) != 0) return b.fail<Dfa>("DFA flags");
  const u8cells = (flags & RegexDfaFlags.CELLS_U8) != 0;
  const aae = <u32>RegexDfa.ACCEPT_AT_END;
  const transAt = aae + ((S + 3) & ~3);
  const cells = S * K; // <= 2^24
  if (!fits(v, <u64>transAt + 2 * <u64>S)) return b.fail<Dfa>("DFA section shorter than its counts"); // >= 2 bytes a row
  const d = new Dfa();
  d.numStates = <i32>S;
  d.numClasses = <i32>K;
  d.start = <i32>start;
  d.accept = accept == NONE ? -1 : (accept >= S ? <i32>S : <i32>accept); // out of range stays out of range for validate()
  d.dead = dead == NONE ? -1 : (dead >= S ? <i32>S : <i32>dead);
  if (start >= S) d.start = <i32>S;
  const classOf = new StaticArray<u8>(256);
  for (let i: u32 = 0; i < 256; i++) unchecked((classOf[<i32>i] = <u8>v.u8(<u32>REGEX_DFA_HEADER_SIZE + i)));
  d.classOf = classOf;
  const acc = new StaticArray<u8>(<i32>S);
  for (let s: u32 = 0; s < S; s++) {
    const x = v.u8(aae + s);
    if (x > 1) return b.fail<Dfa>("DFA accept_at_end is not 0/1");
    unchecked((acc[<i32>s] = <u8>x));
  }
  d.acceptAtEnd = acc;
  // Expand the compact row records (format.ts) into the walker's dense u16 table.
  const trans = new StaticArray<u16>(<i32>cells);
  const re = expandDfaRows(v, S, K, u8cells ? 1 : 2, transAt, trans);
  if (re !== null) return b.fail<Dfa>("DFA rows: " + re);
  d.trans = trans;
  if (v.fault) return b.fail<Dfa>("DFA read out of range");
  const e = d.validate();
  if (e !== null) return b.fail<Dfa>("DFA: " + e);
  d.premultiply();
  return d;
}

function copySet(v: View, setsAt: u32, index: u32, dst: StaticArray<u32>, at: i32): void {
  const o = setsAt + 32 * index;
  for (let w: u32 = 0; w < 8; w++) unchecked((dst[at + <i32>w] = v.u32(o + 4 * w)));
}

function decodeNfa(v: View, capture: bool, b: RegexDecoder): NfaProgram | null {
  const N = v.u32(RegexNfa.INST_COUNT), sets = v.u32(RegexNfa.SET_COUNT), looks = v.u32(RegexNfa.LOOK_COUNT);
  const seqs = v.u32(RegexNfa.SEQ_COUNT), elems = v.u32(RegexNfa.ELEM_COUNT);
  const MX: u32 = 0x00100000;
  if (N < 1 || N > MX || sets > MX || looks > MX || seqs > MX || elems > MX) return b.fail<NfaProgram>("NFA counts out of range");
  const W = v.u32(RegexNfa.INST_WIDTH), B = v.u32(RegexNfa.INST_BYTES);
  if (B < N || <u64>B > 9 * <u64>N) return b.fail<NfaProgram>("NFA instruction stream out of range"); // allocate after
  if (!fits(v, <u64>REGEX_NFA_HEADER_SIZE + <u64>B)) return b.fail<NfaProgram>("NFA section shorter than its instructions");
  const setsAt = <u32>REGEX_NFA_HEADER_SIZE + ((B + 3) & ~3);
  const looksAt = setsAt + 32 * sets;
  const seqsAt = looksAt + 16 * looks;
  const elemsAt = seqsAt + 8 * seqs;
  if (!fits(v, <u64>elemsAt + 4 * <u64>elems)) return b.fail<NfaProgram>("NFA section shorter than its counts");
  const slots0 = v.u32(RegexNfa.SLOTS), mask0 = v.u32(RegexNfa.ASSERT_MASK);
  const p = new NfaProgram();
  // Expand the packed instruction stream (format.ts) into the walker's [op, arg, out, out1] arrays.
  const ops = new StaticArray<u8>(<i32>N);
  const arg = new StaticArray<i32>(<i32>N);
  const out = new StaticArray<i32>(<i32>N);
  const out1 = new StaticArray<i32>(<i32>N);
  const ie = walkNfaInsts(v, N, W, B, sets, looks, slots0, mask0, capture, ops, arg, out, out1);
  if (ie !== null) return b.fail<NfaProgram>("NFA: " + ie);
  p.ops = ops;
  p.arg = arg;
  p.out = out;
  p.out1 = out1;
  p.numSets = <i32>sets;
  const setWords = new StaticArray<u32>(<i32>(8 * sets));
  for (let s: u32 = 0; s < sets; s++) copySet(v, setsAt, s, setWords, <i32>(8 * s));
  p.sets = setWords;
  // Looks: the table gives each look a range of sequences and each sequence a range of elements (set indices);
  // the walker wants them consecutive, with the sets copied per position.
  let positions: u64 = 0;
  let seqTotal: u64 = 0;
  for (let l: u32 = 0; l < looks; l++) {
    const lo = looksAt + 16 * l;
    const s0 = v.u32(lo + 8), sn = v.u32(lo + 12);
    if (s0 > seqs || sn > seqs - s0) return b.fail<NfaProgram>("NFA: look sequences out of range");
    seqTotal += <u64>sn;
    for (let q = s0; q < s0 + sn; q++) {
      const e0 = v.u32(seqsAt + 8 * q), en = v.u32(seqsAt + 8 * q + 4);
      if (e0 > elems || en > elems - e0) return b.fail<NfaProgram>("NFA: sequence elements out of range");
      positions += <u64>en;
    }
    if (positions > MAX_LOOK_POSITIONS || seqTotal > MAX_LOOK_POSITIONS) return b.fail<NfaProgram>("NFA: look-arounds too large");
  }
  p.numLooks = <i32>looks;
  const lookFlags = new StaticArray<u8>(<i32>looks);
  const lookSeqStart = new StaticArray<i32>(<i32>looks + 1);
  const seqPosStart = new StaticArray<i32>(<i32>seqTotal + 1);
  const posSets = new StaticArray<u32>(<i32>(8 * positions));
  let qn: i32 = 0;
  let pn: i32 = 0;
  for (let l: u32 = 0; l < looks; l++) {
    const lo = looksAt + 16 * l;
    const f = v.u32(lo);
    if (f > 3) return b.fail<NfaProgram>("NFA: unknown look flags");
    unchecked((lookFlags[<i32>l] = <u8>f)); // RegexLookFlags BEHIND = 1, NEGATE = 2 = LOOK_BEHIND, LOOK_NEGATE
    unchecked((lookSeqStart[<i32>l] = qn));
    const s0 = v.u32(lo + 8), sn = v.u32(lo + 12);
    for (let q = s0; q < s0 + sn; q++) {
      unchecked((seqPosStart[qn] = pn));
      qn++;
      const e0 = v.u32(seqsAt + 8 * q), en = v.u32(seqsAt + 8 * q + 4);
      for (let e = e0; e < e0 + en; e++) {
        const si = v.u32(elemsAt + 4 * e);
        if (si >= sets) return b.fail<NfaProgram>("NFA: element set out of range");
        copySet(v, setsAt, si, posSets, 8 * pn);
        pn++;
      }
    }
  }
  unchecked((lookSeqStart[<i32>looks] = qn));
  unchecked((seqPosStart[qn] = pn));
  p.lookFlags = lookFlags;
  p.lookSeqStart = lookSeqStart;
  p.seqPosStart = seqPosStart;
  p.lookPosSets = posSets;
  p.start = <i32>v.u32(RegexNfa.START);
  const slots = v.u32(RegexNfa.SLOTS);
  const mask = v.u32(RegexNfa.ASSERT_MASK);
  if (slots > 20 || mask > 0xffff) return b.fail<NfaProgram>("NFA: slots/assert mask out of range");
  if (!capture && slots != 0) return b.fail<NfaProgram>("NFA: match-only program with capture slots");
  p.slots = <i32>slots;
  p.assertMask = <i32>mask;
  if (v.fault) return b.fail<NfaProgram>("NFA read out of range");
  const e = p.validate();
  if (e !== null) return b.fail<NfaProgram>((capture ? "capture program: " : "NFA: ") + e);
  return p;
}

/** Table node type (RegexNode) -> walker node kind (BT_*): GROUP and REPEAT are numbered the other way round. */
function btKind(t: u32): i32 {
  switch (t) {
    case RegexNode.EMPTY: return BT_EMPTY;
    case RegexNode.SET: return BT_SET;
    case RegexNode.CONCAT: return BT_CONCAT;
    case RegexNode.ALT: return BT_ALT;
    case RegexNode.REPEAT: return BT_REPEAT;
    case RegexNode.GROUP: return BT_GROUP;
    case RegexNode.ASSERT: return BT_ASSERT;
    case RegexNode.LOOK: return BT_LOOK;
    case RegexNode.BACKREF: return BT_BACKREF;
    default: return -1;
  }
}

function i32Field(x: u32): i32 {
  return x > 0x7fffffff ? -1 : <i32>x;
}

function addUnique(a: Array<i32>, x: i32): void {
  for (let i = 0; i < a.length; i++) if (unchecked(a[i]) == x) return;
  a.push(x);
}

function decodeBacktrack(v: View, b: RegexDecoder): BacktrackProgram | null {
  const N = v.u32(RegexBacktrack.NODE_COUNT), sets = v.u32(RegexBacktrack.SET_COUNT), kids = v.u32(RegexBacktrack.CHILD_COUNT);
  const groups = v.u32(RegexBacktrack.GROUPS), root = v.u32(RegexBacktrack.ROOT);
  const MX: u32 = 0x00100000;
  if (N < 1 || N > MX || sets > MX || kids > MX) return b.fail<BacktrackProgram>("backtracking program counts out of range");
  if (groups > 0xffff) return b.fail<BacktrackProgram>("backtracking program: group count out of range");
  const setsAt = <u32>REGEX_BT_HEADER_SIZE + 16 * N;
  const kidsAt = setsAt + 32 * sets;
  if (!fits(v, <u64>kidsAt + 4 * <u64>kids)) return b.fail<BacktrackProgram>("backtracking section shorter than its counts");
  const n = <i32>N;
  const kind = new StaticArray<u8>(n);
  const A = new StaticArray<i32>(n);
  const B = new StaticArray<i32>(n);
  const C = new StaticArray<i32>(n);
  const D = new StaticArray<i32>(n);
  const child = new StaticArray<i32>(n); // the single child of GROUP / REPEAT / LOOK, else -1
  for (let i = 0; i < n; i++) {
    const o = <u32>REGEX_BT_HEADER_SIZE + 16 * <u32>i;
    const w = v.u32(o);
    const t = w & 0xff, f = w >>> 8;
    const p1 = v.u32(o + 4), p2 = v.u32(o + 8), p3 = v.u32(o + 12);
    const k = btKind(t);
    if (k < 0) return b.fail<BacktrackProgram>("backtracking program: unknown node type");
    unchecked((kind[i] = <u8>k));
    unchecked((child[i] = -1));
    let allowed: u32 = 0;
    if (t == RegexNode.SET) {
      unchecked((A[i] = i32Field(p1)));
    } else if (t == RegexNode.CONCAT || t == RegexNode.ALT) {
      unchecked((A[i] = i32Field(p1)));
      unchecked((B[i] = i32Field(p2)));
    } else if (t == RegexNode.REPEAT) {
      allowed = RegexNodeFlags.GREEDY | RegexNodeFlags.POSSESSIVE;
      unchecked((A[i] = i32Field(p1)));
      unchecked((B[i] = p2 == NONE ? -1 : (p2 > 0x7fffffff ? -2 : <i32>p2)));
      unchecked((C[i] = ((f & RegexNodeFlags.GREEDY) != 0 ? REP_GREEDY : 0) | ((f & RegexNodeFlags.POSSESSIVE) != 0 ? REP_POSSESSIVE : 0)));
      unchecked((D[i] = i32Field(p3)));
      unchecked((child[i] = i32Field(p3)));
    } else if (t == RegexNode.GROUP) {
      unchecked((A[i] = i32Field(p1)));
      unchecked((B[i] = i32Field(p2)));
      unchecked((child[i] = i32Field(p2)));
    } else if (t == RegexNode.ASSERT) {
      unchecked((A[i] = i32Field(p1))); // RegexAssert codes are the walker's A_* codes
    } else if (t == RegexNode.LOOK) {
      allowed = RegexNodeFlags.BEHIND | RegexNodeFlags.NEGATE;
      unchecked((A[i] = ((f & RegexNodeFlags.BEHIND) != 0 ? <i32>LOOK_BEHIND : 0) | ((f & RegexNodeFlags.NEGATE) != 0 ? <i32>LOOK_NEGATE : 0)));
      unchecked((B[i] = i32Field(p1)));
      unchecked((child[i] = i32Field(p1)));
      // p2 (the pattern offset) is for messages only; C/D (look-behind lengths) are filled below
    } else if (t == RegexNode.BACKREF) {
      allowed = RegexNodeFlags.ICASE;
      unchecked((A[i] = i32Field(p1)));
      unchecked((B[i] = (f & RegexNodeFlags.ICASE) != 0 ? 1 : 0));
    }
    if ((f & ~allowed) != 0) return b.fail<BacktrackProgram>("backtracking program: node flags");
    const c = unchecked(child[i]);
    if (c >= i) return b.fail<BacktrackProgram>("backtracking program: child index not below its parent");
  }
  // Children lists first; the look-behind length lists are appended after them.
  const list = new Array<i32>();
  for (let k: u32 = 0; k < kids; k++) {
    const ch = v.u32(kidsAt + 4 * k);
    list.push(i32Field(ch));
  }
  for (let i = 0; i < n; i++) {
    const k = unchecked(kind[i]);
    if (k != BT_CONCAT && k != BT_ALT) continue;
    const a = unchecked(A[i]), c = unchecked(B[i]);
    if (a < 0 || c < 0 || <i64>a + <i64>c > <i64>kids) return b.fail<BacktrackProgram>("backtracking program: child list out of range");
    for (let j = a; j < a + c; j++) {
      const ch = unchecked(list[j]);
      if (ch < 0 || ch >= i) return b.fail<BacktrackProgram>("backtracking program: child index not below its parent");
    }
  }
  // Possible lengths of every look-behind body (rulesets/regex/backtrack.ts fixedLengths), without recursion:
  // mark the nodes whose lengths are needed (parents have larger indices, so a downward sweep sees every parent
  // first), then compute them upwards.
  const need = new StaticArray<u8>(n);
  for (let i = n - 1; i >= 0; i--) {
    const k = unchecked(kind[i]);
    const c = unchecked(child[i]);
    if (k == BT_LOOK && (unchecked(A[i]) & LOOK_BEHIND) != 0 && c >= 0) unchecked((need[c] = 1));
    if (unchecked(need[i]) == 0) continue;
    if (k == BT_GROUP || k == BT_REPEAT) {
      if (c >= 0) unchecked((need[c] = 1));
    } else if (k == BT_CONCAT || k == BT_ALT) {
      const a = unchecked(A[i]), m = unchecked(B[i]);
      for (let j = a; j < a + m; j++) unchecked((need[unchecked(list[j])] = 1));
    }
  }
  const lens = new Array<Array<i32> | null>(n);
  for (let i = 0; i < n; i++) {
    if (unchecked(need[i]) == 0) continue;
    const k = unchecked(kind[i]);
    let r: Array<i32> | null = null;
    if (k == BT_EMPTY || k == BT_ASSERT || k == BT_LOOK) {
      r = [0];
    } else if (k == BT_SET) {
      r = [1];
    } else if (k == BT_GROUP) {
      const c = unchecked(child[i]);
      r = c >= 0 ? unchecked(lens[c]) : null;
    } else if (k == BT_CONCAT) {
      let acc: Array<i32> | null = [0];
      const a = unchecked(A[i]), m = unchecked(B[i]);
      for (let j = a; j < a + m && acc !== null; j++) {
        const l = unchecked(lens[unchecked(list[j])]);
        if (l === null) {
          acc = null;
          break;
        }
        const next = new Array<i32>();
        const cur: Array<i32> = acc;
        for (let x = 0; x < cur.length; x++)
          for (let y = 0; y < l.length; y++) {
            const s = <i64>unchecked(cur[x]) + <i64>unchecked(l[y]);
            if (s > 0x7fffffff) return b.fail<BacktrackProgram>("backtracking program: look-behind too long");
            addUnique(next, <i32>s);
            if (next.length > MAX_LOOKBEHIND_LENGTHS) return b.fail<BacktrackProgram>("backtracking program: look-behind with too many lengths");
          }
        acc = next;
      }
      r = acc;
    } else if (k == BT_ALT) {
      const u = new Array<i32>();
      const a = unchecked(A[i]), m = unchecked(B[i]);
      let ok = true;
      for (let j = a; j < a + m; j++) {
        const l = unchecked(lens[unchecked(list[j])]);
        if (l === null) {
          ok = false;
          break;
        }
        for (let y = 0; y < l.length; y++) addUnique(u, unchecked(l[y]));
        if (u.length > MAX_LOOKBEHIND_LENGTHS) return b.fail<BacktrackProgram>("backtracking program: look-behind with too many lengths");
      }
      r = ok ? u : null;
    } else if (k == BT_REPEAT) {
      const mn = unchecked(A[i]), mx = unchecked(B[i]), c = unchecked(child[i]);
      if (mn == mx && mn >= 0 && c >= 0) {
        const l = unchecked(lens[c]);
        if (l !== null && l.length == 1) {
          const s = <i64>unchecked(l[0]) * <i64>mn;
          if (s > 0x7fffffff) return b.fail<BacktrackProgram>("backtracking program: look-behind too long");
          r = [<i32>s];
        }
      }
    } // BT_BACKREF: no fixed length
    unchecked((lens[i] = r));
  }
  for (let i = 0; i < n; i++) {
    if (unchecked(kind[i]) != BT_LOOK) continue;
    unchecked((C[i] = list.length));
    unchecked((D[i] = 0));
    if ((unchecked(A[i]) & LOOK_BEHIND) == 0) continue;
    const c = unchecked(child[i]);
    const l = c >= 0 ? unchecked(lens[c]) : null;
    if (l === null) return b.fail<BacktrackProgram>("backtracking program: look-behind body without fixed length");
    const sorted = l.slice(0);
    sorted.sort((x: i32, y: i32): i32 => x - y);
    for (let j = 0; j < sorted.length; j++) list.push(unchecked(sorted[j]));
    unchecked((D[i] = sorted.length));
  }
  const p = new BacktrackProgram();
  p.kind = kind;
  p.a = A;
  p.b = B;
  p.c = C;
  p.d = D;
  const flat = new StaticArray<i32>(list.length);
  for (let j = 0; j < list.length; j++) unchecked((flat[j] = unchecked(list[j])));
  p.list = flat;
  p.numSets = <i32>sets;
  const setWords = new StaticArray<u32>(<i32>(8 * sets));
  for (let s: u32 = 0; s < sets; s++) copySet(v, setsAt, s, setWords, <i32>(8 * s));
  p.sets = setWords;
  p.root = root >= N ? n : <i32>root;
  p.groups = <i32>groups;
  if (v.fault) return b.fail<BacktrackProgram>("backtracking program read out of range");
  const e = p.validate();
  if (e !== null) return b.fail<BacktrackProgram>("backtracking program: " + e);
  return p;
}

function refuse(reason: string, regex: i32 = -1, section: i32 = -1): RegexBuild {
  return new RegexBuild(null, reason, regex, section);
}

/** The view of the program's REGEX_PREFILTER_MAP section, or null. */
function mapView(t: Table): View | null {
  for (let i = 0; i < t.sectionCount; i++) {
    const s = t.section(i)!;
    if (s.kind != SectionKind.RULES) continue;
    const ref = s.view.u32(Rules.REGEX_MAP_SECTION);
    if (ref == NONE || ref >= <u32>t.sectionCount) return null;
    const m = t.section(<i32>ref)!;
    return m.kind == SectionKind.REGEX_PREFILTER_MAP ? m.view : null;
  }
  return null;
}

/** The look-around tables of an NFA section flattened as decodeNfa does (positions and sequences counted per look,
 *  overlaps included) must stay within MAX_LOOK_POSITIONS; null when they do. Reads headers only, allocates nothing. */
function nfaLookSizeError(v: View): string | null {
  const sets = v.u32(RegexNfa.SET_COUNT), looks = v.u32(RegexNfa.LOOK_COUNT), seqs = v.u32(RegexNfa.SEQ_COUNT);
  const elems = v.u32(RegexNfa.ELEM_COUNT), B = v.u32(RegexNfa.INST_BYTES);
  const looksAt = <u64>REGEX_NFA_HEADER_SIZE + ((<u64>B + 3) & ~(<u64>3)) + 32 * <u64>sets;
  const seqsAt = looksAt + 16 * <u64>looks;
  if (!fits(v, seqsAt + 8 * <u64>seqs + 4 * <u64>elems)) return "NFA section shorter than its counts";
  let positions: u64 = 0;
  let seqTotal: u64 = 0;
  for (let l: u32 = 0; l < looks; l++) {
    const lo = <u32>looksAt + 16 * l;
    const s0 = v.u32(lo + 8), sn = v.u32(lo + 12);
    if (s0 > seqs || sn > seqs - s0) return "NFA: look sequences out of range";
    seqTotal += <u64>sn;
    for (let q = s0; q < s0 + sn; q++) positions += <u64>v.u32(<u32>seqsAt + 8 * q + 4);
    if (positions > MAX_LOOK_POSITIONS || seqTotal > MAX_LOOK_POSITIONS) return "NFA: look-arounds too large";
  }
  if (v.fault) return "NFA read out of range";
  return null;
}

/**
 * Checks the regex directory of a loaded table's program (decodeProgram(table)) and returns its set; the DFAs and NFA
 * programs are decoded on first use (see the header), the backtracking programs now. A program without regexes
 * yields an empty set. On any inconsistency the result carries an error (refuse the table) and no set.
 */
export function buildRegexes(t: Table, p: Program): RegexBuild {
  const G = p.regexCount;
  const b = new RegexDecoder(t);
  const capturable = new StaticArray<u8>(G);
  let unfactored = new StaticArray<u32>((G + 31) >>> 5);
  let prefiltered = 0;
  for (let i = 0; i < G; i++) {
    const o = i * REGEX_RECORD_CELLS;
    const ms = p.regexes[o], cs = p.regexes[o + 1], flags = p.regexes[o + 2], groups = p.regexes[o + 3];
    const where = "regex " + i.toString() + " (section ";
    const mk = b.kind(ms);
    if (groups > 0xffff) return refuse(where + ms.toString() + "): group count out of range", i, <i32>ms);
    let backtracking = false;
    if (mk == SectionKind.REGEX_DFA) {
      // every row, class and state reference was checked by the loader (validate.ts validateDfa)
    } else if (mk == SectionKind.REGEX_NFA) {
      const e = nfaLookSizeError(b.view(ms));
      if (e !== null) return refuse(where + ms.toString() + "): " + e, i, <i32>ms);
    } else if (mk == SectionKind.REGEX_BACKTRACK) {
      backtracking = true;
      const bt = b.backtrack(ms);
      if (bt !== null && bt.groups != <i32>groups) return refuse(where + ms.toString() + "): group count differs from the program's", i, <i32>ms);
      capturable[i] = 1;
    } else return refuse(where + ms.toString() + "): match section is not a regex automaton", i, <i32>ms);
    if (b.error !== null) return refuse(where + ms.toString() + "): " + b.error!, i, <i32>ms);
    if (cs != NONE) {
      const ck = b.kind(cs);
      if (backtracking) {
        if (cs != ms) return refuse(where + cs.toString() + "): a backtracking regex captures with its own program", i, <i32>cs);
      } else if (ck == SectionKind.REGEX_CAPTURE) {
        const v = b.view(cs);
        const e = nfaLookSizeError(v);
        if (e !== null) return refuse(where + cs.toString() + "): " + e, i, <i32>cs);
        const g = <i32>groups;
        const want = 2 * ((g < MAX_CAPTURE_GROUPS - 1 ? g : MAX_CAPTURE_GROUPS - 1) + 1);
        if (<i32>v.u32(RegexNfa.SLOTS) != want) return refuse(where + cs.toString() + "): capture slots do not match the group count", i, <i32>cs);
      } else if (ck == SectionKind.REGEX_BACKTRACK) {
        const bt = b.backtrack(cs);
        if (bt !== null && bt.groups != <i32>groups) return refuse(where + cs.toString() + "): group count differs from the program's", i, <i32>cs);
      } else return refuse(where + cs.toString() + "): capture section is not a capture program", i, <i32>cs);
      if (b.error !== null) return refuse(where + cs.toString() + "): " + b.error!, i, <i32>cs);
      capturable[i] = 1;
    }
    if ((flags & RegexFlags.HAS_FACTORS) != 0) prefiltered++;
    else unfactored[i >>> 5] |= <u32>1 << (<u32>i & 31);
  }
  // Prefilter: the automaton and the phrase -> regex links of the map.
  let ac: AcMatcher | null = null;
  let phraseStart = new StaticArray<u32>(1);
  let links = new StaticArray<u32>(0);
  let required = new RequiredBytes();
  let pmSections = new StaticArray<u32>(0);
  const mv = mapView(t);
  // a map without regexes holds folded @pm lists only
  if (G > 0 || mv !== null) {
    if (mv === null) return refuse("regex map section missing");
    const m: View = mv;
    if (<i32>m.u32(RegexMap.REGEX_COUNT) != G) return refuse("regex map: regex count differs from the program's");
    const P = m.u32(RegexMap.PHRASE_COUNT), L = m.u32(RegexMap.LINK_COUNT);
    const psAt = <u32>REGEX_MAP_HEADER_SIZE + 16 * <u32>G;
    const lkAt = psAt + 4 * (P + 1);
    if (P > 0x01000000 || L > 0x01000000 || !fits(m, <u64>lkAt + 4 * <u64>L)) return refuse("regex map: counts out of range");
    if (P > 0) {
      if (p.prefilterSection == NONE || p.prefilterSection >= <u32>t.sectionCount) return refuse("regex map: prefilter automaton missing");
      const s = t.section(<i32>p.prefilterSection)!;
      if (s.kind != SectionKind.REGEX_PREFILTER_AC || s.ac === null) return refuse("regex map: prefilter section is not a REGEX_PREFILTER_AC", -1, s.index);
      ac = s.ac;
      ac!.setCacheBudget(PREFILTER_CACHE_CELLS);
      if (ac!.phraseCount != P) return refuse("regex map: phrase count differs from the prefilter automaton's", -1, s.index);
    } else if (prefiltered > 0) return refuse("regex map: regexes with factors but no prefilter automaton");
    phraseStart = new StaticArray<u32>(<i32>P + 1);
    for (let q: u32 = 0; q <= P; q++) {
      const x = m.u32(psAt + 4 * q);
      if (x > L || (q > 0 && x < unchecked(phraseStart[<i32>q - 1]))) return refuse("regex map: phrase starts out of order");
      unchecked((phraseStart[<i32>q] = x));
    }
    if (unchecked(phraseStart[0]) != 0 || unchecked(phraseStart[<i32>P]) != L) return refuse("regex map: phrase starts do not span the links");
    const pmAt = lkAt + 4 * L + <u32>REGEX_ATOM_MAP_SIZE + 8 * <u32>G;
    const M = m.u32(pmAt);
    if (M > <u32>MAX_FOLDED_PM || !fits(m, <u64>pmAt + 4 + 4 * <u64>M)) return refuse("regex map: folded @pm count out of range");
    pmSections = new StaticArray<u32>(<i32>M);
    for (let j: u32 = 0; j < M; j++) {
      const sec = m.u32(pmAt + 4 + 4 * j);
      if (sec >= <u32>t.sectionCount || t.section(<i32>sec)!.kind != SectionKind.AHO_CORASICK) return refuse("regex map: folded @pm section is not an AHO_CORASICK");
      unchecked((pmSections[<i32>j] = sec));
    }
    if (M > 0) {
      // the candidate sets also hold a bit per folded automaton (none without factors: a scan starts them clear)
      const wider = new StaticArray<u32>((G + <i32>M + 31) >>> 5);
      for (let w = 0; w < unfactored.length; w++) unchecked((wider[w] = unchecked(unfactored[w])));
      unfactored = wider;
    }
    links = new StaticArray<u32>(<i32>L);
    const linked = new StaticArray<u8>(G + <i32>M);
    for (let l: u32 = 0; l < L; l++) {
      const g = m.u32(lkAt + 4 * l);
      if (g >= <u32>G + M) return refuse("regex map: link to a missing regex or folded @pm automaton");
      unchecked((links[<i32>l] = g));
      unchecked((linked[<i32>g] = 1));
    }
    for (let j = 0; j < <i32>M; j++) if (unchecked(linked[G + j]) == 0) return refuse("regex map: folded @pm automaton " + j.toString() + " has no phrase");
    // Soundness: a regex that is skipped unless a phrase fires must have at least one phrase.
    for (let i = 0; i < G; i++) {
      const hf = (p.regexes[i * REGEX_RECORD_CELLS + 2] & RegexFlags.HAS_FACTORS) != 0;
      if (hf && unchecked(linked[i]) == 0) return refuse("regex map: regex " + i.toString() + " has factors but no phrase", i);
    }
    required = readRequired(m, lkAt + 4 * L, p);
    if (m.fault) return refuse("regex map read out of range");
  }
  return new RegexBuild(new RegexSet(b, p.regexes, capturable, ac, phraseStart, links, unfactored, prefiltered, required, pmSections), null);
}

/** The required-byte test of the map (atom_of at `at`, then the per-regex atom sets; sizes checked by the loader). */
function readRequired(m: View, at: u32, p: Program): RequiredBytes {
  const r = new RequiredBytes();
  for (let b: u32 = 0; b < <u32>REGEX_ATOM_MAP_SIZE; b++) unchecked((r.atomBits[<i32>b] = (<u64>1) << <u64>(m.u8(at + b) & 63)));
  const G = p.regexCount;
  const reqAt = at + <u32>REGEX_ATOM_MAP_SIZE;
  const regexes = new Array<u32>();
  const masks = new Array<u64>();
  for (let g = 0; g < G; g++) {
    if ((p.regexes[g * REGEX_RECORD_CELLS + 2] & RegexFlags.REQUIRED_BYTES) == 0) continue;
    const o = reqAt + 8 * <u32>g;
    regexes.push(<u32>g);
    masks.push(<u64>m.u32(o) | (<u64>m.u32(o + 4) << 32));
  }
  r.regexes = StaticArray.fromArray<u32>(regexes);
  r.masks = StaticArray.fromArray<u64>(masks);
  return r;
}
