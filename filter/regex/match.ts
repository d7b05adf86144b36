// Matcher facade: one call per (pattern, value). Decides match / no match with the pattern's tier (table DFA, lazy
// DFA, or backtracker), and only after a match, when asked, fills TX:0..9 with the capture engine (leftmost-first
// Pike VM with PCRE priorities, or the backtracker) - the same decisions as the TS reference matchCompiled()
// (rulesets/regex/index.ts). Results go to module-level buffers reused by every call.
import { Regex } from "./regex";
import { dfaMatch } from "./dfa";
import { LazyDfa } from "./lazy_dfa";
import { pikeSearch, pikeSlots } from "./pike";
import { BT_LIMIT, BT_MATCH, backtrackSearch, btSlots } from "./backtrack";
import { CAPTURE_BACKTRACK, MAX_CAPTURE_GROUPS, TIER_BACKTRACK, TIER_DFA } from "./opcodes";

export const MATCH_OK: i32 = 0;
/**
 * The backtracker hit its step budget (or its recursion cap). As in the reference: for the backtracking tier the
 * answer is "no match" (ModSecurity treats a PCRE match-limit error so); for backtracked captures the match stands
 * and the captures are the Pike VM's.
 */
export const MATCH_ERROR_LIMIT: i32 = 1;
/** The pattern's structures failed validation (Regex.invalidReason): never run, answered "no match". */
export const MATCH_ERROR_INVALID: i32 = 2;

/** Error flag of the last match() call. */
export let matchError: i32 = MATCH_OK;
/** Backtracking step budget (PCRE's match limit; the reference's default). */
export let backtrackLimit: i32 = 1_000_000;

export function setBacktrackLimit(steps: i32): void {
  backtrackLimit = steps < 0 ? 0 : steps;
}

/**
 * TX:g of the last match() with captures as [start, end) byte offsets at captures[2g], captures[2g+1]; (-1, -1)
 * for an unset group. Valid for g < captureCount.
 */
export const captures = new StaticArray<i32>(2 * MAX_CAPTURE_GROUPS);
/** Groups reported by the last match() (min(groups, 9) + 1), 0 when captures were not filled. */
export let captureCount: i32 = 0;

function fillCaptures(slots: StaticArray<i32>, groups: i32): void {
  let n = groups < MAX_CAPTURE_GROUPS - 1 ? groups : MAX_CAPTURE_GROUPS - 1;
  n += 1;
  for (let g = 0; g < MAX_CAPTURE_GROUPS; g++) {
    let s = -1;
    let e = -1;
    if (g < n && 2 * g + 1 < slots.length) {
      s = unchecked(slots[2 * g]);
      e = unchecked(slots[2 * g + 1]);
      if (s < 0 || e < 0) s = e = -1;
    }
    unchecked((captures[2 * g] = s));
    unchecked((captures[2 * g + 1] = e));
  }
  captureCount = n;
}

/** Match-only decision for the automaton tiers (the lazy DFA is created on first use and kept). */
export function automatonMatch(re: Regex, ptr: usize, len: i32): bool {
  if (re.tier == TIER_DFA) return dfaMatch(changetype<Dfa>(re.dfa), ptr, len);
  let lz = re.lazy;
  if (lz === null) {
    lz = new LazyDfa(changetype<NfaProgram>(re.nfa), re.lazyCacheStates, re.lazyMaxFlushes, re.lazyBudget);
    re.lazy = lz;
  }
  return lz.match(ptr, len);
}

/**
 * Does `re` match the bytes [ptr, ptr+len)? With wantCaptures and a match, TX:0..9 are written to `captures`
 * (captureCount groups). Sets matchError. Never traps on any input; the work is bounded by the input length
 * (automata: one transition per byte; Pike VM: per byte × program size; backtracker: the step budget).
 */
export function match(re: Regex, ptr: usize, len: i32, wantCaptures: bool): bool {
  matchError = MATCH_OK;
  captureCount = 0;
  if (len < 0) len = 0;
  if (!re.check()) {
    matchError = MATCH_ERROR_INVALID;
    return false;
  }
  if (re.tier == TIER_BACKTRACK) {
    const r = backtrackSearch(changetype<BacktrackProgram>(re.backtrack), ptr, len, backtrackLimit);
    if (r == BT_LIMIT) {
      matchError = MATCH_ERROR_LIMIT;
      return false;
    }
    if (r != BT_MATCH) return false;
    if (wantCaptures) fillCaptures(btSlots, re.groups);
    return true;
  }
  if (!automatonMatch(re, ptr, len)) return false;
  if (!wantCaptures) return true;
  const cp = re.captureProgram;
  if (re.captureEngine == CAPTURE_BACKTRACK) {
    const r = backtrackSearch(changetype<BacktrackProgram>(re.backtrack), ptr, len, backtrackLimit);
    if (r == BT_MATCH) {
      fillCaptures(btSlots, re.groups);
      return true;
    }
    // over budget (or, impossibly, no match): the match stands; the captures are the Pike VM's, flagged
    matchError = MATCH_ERROR_LIMIT;
  }
  if (cp !== null && pikeSearch(cp, ptr, len)) fillCaptures(pikeSlots, re.groups);
  return true;
}

/**
 * Leftmost match of `re` in the subject [ptr, ptr+len) that starts at a position >= `from`, or exactly at `from`
 * when `anchored` - PCRE's start offset: ^, \A, \b and look-behinds still see the bytes before `from`. Always
 * fills `captures` (captureCount groups) on a match, so it needs the capture structures: the table holds them
 * for every regex whose operator wants a span (@verifyCC & co.); without them the answer is "no match" with
 * MATCH_ERROR_INVALID. A backtracker over its budget answers "no match" with MATCH_ERROR_LIMIT (PCRE's match
 * limit error ends ModSecurity's search loops).
 */
export function matchFrom(re: Regex, ptr: usize, len: i32, from: i32, anchored: bool): bool {
  matchError = MATCH_OK;
  captureCount = 0;
  if (len < 0) len = 0;
  if (from < 0 || from > len) return false;
  if (!re.check()) {
    matchError = MATCH_ERROR_INVALID;
    return false;
  }
  if (re.tier == TIER_BACKTRACK || re.captureEngine == CAPTURE_BACKTRACK) {
    const bt = re.backtrack;
    if (bt === null) {
      matchError = MATCH_ERROR_INVALID;
      return false;
    }
    const r = backtrackSearch(bt, ptr, len, backtrackLimit, from, anchored);
    if (r == BT_MATCH) {
      fillCaptures(btSlots, re.groups);
      return true;
    }
    if (r == BT_LIMIT) matchError = MATCH_ERROR_LIMIT;
    return false;
  }
  const cp = re.captureProgram;
  if (cp === null || cp.slots < 2) {
    matchError = MATCH_ERROR_INVALID;
    return false;
  }
  if (!pikeSearch(cp, ptr, len, from, anchored)) return false;
  fillCaptures(pikeSlots, re.groups);
  return true;
}

// type-only imports used through changetype above
import { Dfa } from "./dfa";
import { NfaProgram } from "./nfa_program";
import { BacktrackProgram } from "./backtrack_program";
