/**
 * Regex compiler for CRS `@rx` (ModSecurity v3 semantics: PCRE2 DOTALL | MULTILINE on bytes).
 *
 *   compileRegex(pattern, opts) → CompiledRegex
 *     tier "dfa":       minimised table DFA (≤ maxDfaStates), walked byte by byte, absorbing ACCEPT
 *     tier "lazy":      compact NFA program for a lazy DFA (pattern blew up past the cap)
 *     tier "backtrack": non-regular pattern (back references) → small backtracking matcher
 *   matchCompiled(c, bytes, { captures }) → { matched, captures? }  (captures = TX:0..9 offsets)
 */
import { RegexSyntaxError, UnsupportedRegexError } from "./errors";
import { parseRegex } from "./parser";
import { someNode, hasNullableCaptureLoop, type Node, type ParsedRegex } from "./ast";
import { lower } from "./lower";
import { compileNfa, type NfaProgram, NfaTooLargeError, MAX_TX_GROUP } from "./nfa";
import { DfaBuilder, DfaLimitError, buildDfa, minimizeDfa, dfaMatch, type Dfa, type GrowthCheckpoint } from "./dfa";
import { LazyDfa } from "./lazy";
import { pikeSearch } from "./pike";
import { compileBacktrack, MatchLimitError, type BacktrackProgram } from "./backtrack";
import { requiredFactors } from "./factors";
import { requiredBytes } from "./required-bytes";
import { hasByte, type ByteSet } from "./byteset";

export { RegexSyntaxError, UnsupportedRegexError, MatchLimitError };
export { parseRegex } from "./parser";
export { dfaMatch, type Dfa, type LookbehindAutomaton, type GrowthCheckpoint } from "./dfa";
export { pikeSearch } from "./pike";
export { LazyDfa } from "./lazy";
export type { NfaProgram, LookEntry } from "./nfa";
export * as nfaOps from "./nfa";

export type Tier = "dfa" | "lazy" | "backtrack";

export interface CompileOptions {
  /** largest minimised DFA kept as a table (default 4096) */
  maxDfaStates?: number;
  /** cap on states during subset construction (default 20000) */
  maxSubsetStates?: number;
  /** safety-net cap on subset-construction time per pattern in ms (default 10000). Routing is meant to be
   *  decided by the state cap (deterministic); this only guards against pathological inputs. */
  subsetTimeMs?: number;
  /**
   * Growth-rate abort of the subset construction (deterministic early routing to the lazy tier): after
   * `processed` rows, more than `maxStates` discovered states abort. Checkpoints in increasing `processed`.
   * Default none (the rule-set compiler sets its own, see DEFAULT_REGEX_OPTIONS there).
   */
  subsetGrowth?: readonly GrowthCheckpoint[];
  /** force a tier for regular patterns (testing) */
  forceTier?: "dfa" | "lazy";
}

export interface CompileStats {
  groups: number;
  nfaInstructions: number;
  /** unminimised DFA states, or the cap reached (see subsetCapped) */
  subsetStates: number;
  subsetCapped: "" | "states" | "time" | "growth";
  dfaStates: number;
  byteClasses: number;
  compileMs: number;
}

export interface CompiledRegex {
  pattern: string;
  tier: Tier;
  /** tier "dfa" */
  dfa?: Dfa;
  /** match-only NFA program (SAVE-free); the lazy DFA walks it. Absent for tier "backtrack". */
  nfa?: NfaProgram;
  /** NFA program with SAVE instructions for groups 0..9, walked by the Pike VM after a match */
  captureProgram?: NfaProgram;
  /** tier "backtrack"; also present when `captureEngine` is "backtrack" */
  backtrack?: BacktrackProgram;
  /**
   * Which engine fills TX:0..9 after a match: the Pike VM over `captureProgram`, or the backtracker for the
   * non-regular tier and for patterns with an unbounded repeat whose body can match empty and holds a
   * capture (PCRE's empty-iteration rule, e.g. `(a*)+`, `(a|)*`).
   */
  captureEngine: "pike" | "backtrack";
  /** lowercase required literal factors (≥3 bytes, latin1 strings); [] = no prefilter */
  factors: string[];
  /** a set of bytes every match contains one of (rulesets/regex/required-bytes.ts); null = none found */
  requiredBytes: ByteSet | null;
  /** number of capturing groups in the pattern */
  groups: number;
  /**
   * Every subject matches, TX:0 being the whole subject and no group set (`^.*$`, `.*`, `\A.*\z`: under DOTALL the
   * star takes every byte, and the anchors hold at 0 and at the end). CRS captures header names with `^.*$`
   * (920450, 920451, 901's User-Agent hash): the filter answers these without running an automaton or the Pike VM.
   */
  wholeValue: boolean;
  stats: CompileStats;
}

/** See CompiledRegex.wholeValue. */
export function matchesWholeValue(parsed: ParsedRegex): boolean {
  if (parsed.groups !== 0) return false;
  // non-capturing groups and nested sequences flattened: `(?:^)(?:.*)$` is `^.*$`
  const items: Node[] = [];
  const flatten = (n: Node): void => {
    if (n.type === "group" && n.index === 0) flatten(n.item);
    else if (n.type === "concat") n.items.forEach(flatten);
    else if (n.type !== "empty") items.push(n);
  };
  flatten(parsed.ast);
  let i = 0;
  let j = items.length;
  const isAssert = (n: Node | undefined, kinds: readonly string[]): boolean => n !== undefined && n.type === "assert" && kinds.includes(n.kind);
  while (i < j && isAssert(items[i], ["bol", "start"])) i++;
  while (j > i && isAssert(items[j - 1], ["eol", "end", "endZ"])) j--;
  if (j - i !== 1) return false;
  const star = items[i]!;
  if (star.type !== "repeat" || star.min !== 0 || star.max !== -1 || !star.greedy || star.item.type !== "set") return false;
  for (let b = 0; b < 256; b++) if (!hasByte(star.item.set, b)) return false;
  return true;
}

export function compileRegex(pattern: string, opts: CompileOptions = {}): CompiledRegex {
  const t0 = performance.now();
  const parsed: ParsedRegex = parseRegex(pattern);
  const factors = requiredFactors(parsed.ast);
  const required = requiredBytes(parsed.ast);
  const stats: CompileStats = {
    groups: parsed.groups,
    nfaInstructions: 0,
    subsetStates: 0,
    subsetCapped: "",
    dfaStates: 0,
    byteClasses: 0,
    compileMs: 0,
  };
  const hasBackref = someNode(parsed.ast, (n) => n.type === "backref");
  if (hasBackref) {
    const backtrack = compileBacktrack(parsed);
    stats.compileMs = performance.now() - t0;
    return { pattern, tier: "backtrack", backtrack, captureEngine: "backtrack", factors, requiredBytes: required, groups: parsed.groups, wholeValue: false, stats };
  }
  let nfa: NfaProgram;
  let captureProgram: NfaProgram;
  try {
    nfa = compileNfa(lower(pattern, parsed.ast, { matchOnly: true }), parsed.groups, { captures: false });
    captureProgram = compileNfa(lower(pattern, parsed.ast, { matchOnly: false }), parsed.groups, { captures: true });
  } catch (e) {
    if (e instanceof NfaTooLargeError) throw new UnsupportedRegexError(pattern, "counted repetition expanding past the NFA size limit");
    throw e;
  }
  stats.nfaInstructions = nfa.ops.length;
  const builder = new DfaBuilder(nfa, pattern);
  stats.byteClasses = builder.numClasses;
  let dfa: Dfa | undefined;
  if (opts.forceTier !== "lazy") {
    try {
      const raw = buildDfa(builder, {
        maxStates: opts.maxSubsetStates ?? 20000,
        timeLimitMs: opts.subsetTimeMs ?? 10_000,
        growth: opts.forceTier === "dfa" ? undefined : opts.subsetGrowth,
      });
      stats.subsetStates = raw.numStates;
      const min = minimizeDfa(raw);
      stats.dfaStates = min.numStates;
      stats.byteClasses = min.numClasses;
      if (min.numStates <= (opts.maxDfaStates ?? 4096) || opts.forceTier === "dfa") dfa = min;
    } catch (e) {
      if (!(e instanceof DfaLimitError)) throw e;
      stats.subsetStates = e.states;
      stats.subsetCapped = e.reason;
      if (opts.forceTier === "dfa") throw e;
    }
  }
  stats.compileMs = performance.now() - t0;
  const captureEngine = hasNullableCaptureLoop(parsed.ast) ? "backtrack" : "pike";
  return {
    pattern,
    tier: dfa ? "dfa" : "lazy",
    dfa,
    nfa,
    captureProgram,
    backtrack: captureEngine === "backtrack" ? compileBacktrack(parsed) : undefined,
    captureEngine,
    factors,
    requiredBytes: required,
    groups: parsed.groups,
    wholeValue: matchesWholeValue(parsed),
    stats,
  };
}

export interface MatchResult {
  matched: boolean;
  /** TX:0..9 as [start, end) byte offsets, null for an unset group; present when requested and matched */
  captures?: ([number, number] | null)[];
  /**
   * set when the backtracker hit its step budget: for tier "backtrack" the result is "no match" (as PCRE
   * errors are in ModSecurity); for backtracked captures the match stands and the captures are the Pike VM's
   */
  error?: "match-limit";
}

export interface MatchOptions {
  captures?: boolean;
  /** backtracking step budget (default 1,000,000) */
  maxSteps?: number;
}

const lazyCache = new WeakMap<CompiledRegex, LazyDfa>();

function slotsToCaptures(slots: Int32Array, groups: number): ([number, number] | null)[] {
  const out: ([number, number] | null)[] = [];
  const n = Math.min(groups, MAX_TX_GROUP);
  for (let g = 0; g <= n; g++) {
    const s = slots[2 * g]!;
    const e = slots[2 * g + 1]!;
    out.push(s >= 0 && e >= 0 ? [s, e] : null);
  }
  return out;
}

export function matchCompiled(c: CompiledRegex, input: Uint8Array, opts: MatchOptions = {}): MatchResult {
  if (c.tier === "backtrack") {
    try {
      const slots = c.backtrack!.run(input, opts.maxSteps ?? 1_000_000);
      if (!slots) return { matched: false };
      return opts.captures ? { matched: true, captures: slotsToCaptures(slots, c.groups) } : { matched: true };
    } catch (e) {
      if (e instanceof MatchLimitError) return { matched: false, error: "match-limit" };
      throw e;
    }
  }
  let matched: boolean;
  if (c.tier === "dfa") matched = dfaMatch(c.dfa!, input);
  else {
    let lz = lazyCache.get(c);
    if (!lz) lazyCache.set(c, (lz = new LazyDfa(c.nfa!, c.pattern)));
    matched = lz.match(input);
  }
  if (!matched || !opts.captures) return { matched };
  if (c.captureEngine === "backtrack") {
    try {
      const bt = c.backtrack!.run(input, opts.maxSteps ?? 1_000_000);
      if (!bt) throw new Error(`internal: automaton matched but the backtracker did not for /${c.pattern}/`);
      return { matched: true, captures: slotsToCaptures(bt, c.groups) };
    } catch (e) {
      if (!(e instanceof MatchLimitError)) throw e;
      // the match stands (the automaton decided it); the captures are the Pike VM's, flagged
      const slots = pikeSearch(c.captureProgram!, input)!;
      return { matched: true, captures: slotsToCaptures(slots, c.groups), error: "match-limit" };
    }
  }
  const slots = pikeSearch(c.captureProgram!, input);
  if (!slots) throw new Error(`internal: automaton matched but the Pike VM did not for /${c.pattern}/`);
  return { matched: true, captures: slotsToCaptures(slots, c.groups) };
}

/** TX:0..9 strings (latin1, one char per byte) from a match result. */
export function captureStrings(input: Uint8Array, r: MatchResult): (string | null)[] {
  return (r.captures ?? []).map((c) => (c ? Buffer.from(input.subarray(c[0], c[1])).toString("latin1") : null));
}

