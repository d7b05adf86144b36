// @verifyCC, @verifyCPF, @verifySSN, @verifySVNR: which substrings of a value the operator's regex proposes as
// candidates, and whether one passes the operator's checksum (checksums.ts). The candidates are those of
// libmodsecurity 3.0.9 (src/operators/verify_*.cc), whose two operator families search differently:
//
//  @verifyCC  for every start offset o in [0, n): the leftmost match at or after o in the whole value (PCRE's start
//             offset, so ^ \b and look-behinds see the bytes before o); its span is checked. Matches when one
//             passes; TX:0 = that span.
//             The offsets o+1 .. s (s = the found match's start) find that same match again, so we resume at s+1:
//             the same candidates in the same order, with each position scanned once instead of once per offset.
//
//  the others for every context c in [0, n-2] (v3 cuts the value with substr(c), so ^ \A \b and look-behinds see
//             position c as the start of the subject): Regex::searchAll on the suffix - the leftmost match, every
//             capture group of it from 0 up to the highest one set, then the next search from the end of the last
//             group (an unset group or an empty one ends the list). Every listed span is a candidate; v3 checks a
//             context's list in reverse, so TX:0 = the LAST passing candidate of the first context that has one.
//             v3 re-searches each suffix from scratch (quadratic). The contexts mostly repeat each other, and only
//             the first `reach` positions of a context can see that it starts there (see contextReach), so:
//             - a search from offset o >= c + reach gives what a search of the whole value from o gives ("free"
//               search); its result is cached, and once a context's chain reaches an offset an earlier chain
//               searched freely from, the rest of it is that earlier chain's (which passed nothing): stop;
//             - positions c .. c+reach-1 are tried one by one as anchored attempts in the suffix;
//             - with reach 0, contexts c+1 .. s (s = context c's first match start) repeat context c: skip them,
//               and no match in context c means none in any later one.
//
// Each search costs the bytes it scans. v3's loops are quadratic for patterns whose candidates overlap without
// bound (\d+ over a long digit run); ours too then, so the work per value is capped (WORK_PER_BYTE): past it the
// operator answers "no match" with verifyError = VERIFY_ERROR_LIMIT, as a regex over its backtracking budget does.
import { Regex } from "../regex/regex";
import { MATCH_ERROR_LIMIT, automatonMatch, captureCount, captures, matchError, matchFrom } from "../regex/match";
import { NfaProgram } from "../regex/nfa_program";
import { BacktrackProgram } from "../regex/backtrack_program";
import {
  A_BOL, A_NWORDB, A_START, A_WORDB, BT_ASSERT, BT_LOOK, CAPTURE_BACKTRACK, LOOK_BEHIND, MAX_CAPTURE_GROUPS, TIER_BACKTRACK,
} from "../regex/opcodes";
import { cpfValid, luhnValid, ssnValid, svnrValid } from "./checksums";

/** The checksum of an identity-number operator (the searchAll family). */
export const enum IdNumber {
  CPF = 0,
  SSN = 1,
  SVNR = 2,
}

export const VERIFY_OK: i32 = 0;
/** The value needed more search work than the cap (or the regex hit its backtracking budget): "no match". */
export const VERIFY_ERROR_LIMIT: i32 = 1;
/** The regex lacks the structures a span search needs (or failed validation): "no match". */
export const VERIFY_ERROR_INVALID: i32 = 2;

/** Error flag of the last verify call. */
export let verifyError: i32 = VERIFY_OK;
/** The candidate that passed in the last call that answered true: bytes [verifiedStart, verifiedEnd) of the value. */
export let verifiedStart: i32 = 0;
export let verifiedEnd: i32 = 0;

/** Search work allowed per value byte (plus WORK_BASE): far above what linear patterns need (about the longest
 *  candidate per start position). */
const WORK_PER_BYTE: i64 = 64;
const WORK_BASE: i64 = 65536;

let work: i64 = 0;
let workLimit: i64 = 0;

function startWork(n: i32): void {
  work = 0;
  workLimit = WORK_BASE + WORK_PER_BYTE * <i64>n;
  verifyError = VERIFY_OK;
}

/** Charges `units`; false (and the limit error) once the value's budget is spent. */
function charge(units: i32): bool {
  work += <i64>(units > 0 ? units : 0) + 1;
  if (work <= workLimit) return true;
  verifyError = VERIFY_ERROR_LIMIT;
  return false;
}

/** A search that ended on an error stops the operator's loop, as a negative PCRE return code ends v3's. */
function searchFailed(): bool {
  if (matchError == MATCH_ERROR_LIMIT) verifyError = VERIFY_ERROR_LIMIT;
  else if (matchError != 0) verifyError = VERIFY_ERROR_INVALID;
  return verifyError != VERIFY_OK;
}

/** A quick "no match anywhere" from the match-only automaton, when the regex has one. */
function cannotMatch(re: Regex, p: usize, n: i32): bool {
  return re.tier != TIER_BACKTRACK && !automatonMatch(re, p, n);
}

// =====================================================================================================================
// @verifyCC

/** v3's @verifyCC: a candidate passing the Luhn check (verifiedStart/End = the first one, TX:0 in v3). */
export function verifyCreditCard(re: Regex, p: usize, n: i32): bool {
  startWork(n);
  if (n <= 0) return false;
  if (!re.check()) {
    verifyError = VERIFY_ERROR_INVALID;
    return false;
  }
  if (cannotMatch(re, p, n)) return false;
  let from = 0;
  while (from < n) {
    if (!matchFrom(re, p, n, from, false)) {
      searchFailed();
      return false;
    }
    const s = unchecked(captures[0]);
    const e = unchecked(captures[1]);
    if (!charge(e - from) || !charge(e - s)) return false;
    if (luhnValid(p + <usize>s, e - s)) {
      verifiedStart = s;
      verifiedEnd = e;
      return true;
    }
    from = s + 1;
  }
  return false;
}

// =====================================================================================================================
// @verifyCPF, @verifySSN, @verifySVNR

/**
 * How many positions from the start of a subject the regex can tell it is there: 0 when nothing in it looks
 * behind its position; 1 for ^ \A \b \B (they look one byte back, or test for position 0); for look-behinds, their
 * longest body plus one (a body may hold \b). An attempt starting `reach` or more bytes into a suffix behaves as it
 * would in the whole value.
 */
export function contextReach(re: Regex): i32 {
  const contextAsserts = (1 << A_BOL) | (1 << A_START) | (1 << A_WORDB) | (1 << A_NWORDB);
  if (re.tier == TIER_BACKTRACK || re.captureEngine == CAPTURE_BACKTRACK) {
    const bt = re.backtrack;
    return bt === null ? 0 : backtrackReach(bt, contextAsserts);
  }
  const cp = re.captureProgram;
  if (cp === null) return 0;
  let reach = (cp.assertMask & contextAsserts) != 0 ? 1 : 0;
  for (let l = 0; l < cp.numLooks; l++) {
    if ((unchecked(cp.lookFlags[l]) & LOOK_BEHIND) == 0) continue;
    const r = cp.lookMaxLen(l) + 1;
    if (r > reach) reach = r;
  }
  return reach;
}

function backtrackReach(bt: BacktrackProgram, contextAsserts: i32): i32 {
  let asserts = false;
  let behind = false;
  // look-behinds may nest (a look-ahead or look-behind inside one): their longest bodies add up
  let behindTotal = 0;
  for (let i = 0; i < bt.kind.length; i++) {
    const k = unchecked(bt.kind[i]);
    if (k == BT_ASSERT) {
      if (((1 << unchecked(bt.a[i])) & contextAsserts) != 0) asserts = true;
    } else if (k == BT_LOOK && (unchecked(bt.a[i]) & LOOK_BEHIND) != 0) {
      behind = true;
      const count = unchecked(bt.d[i]);
      // lengths are listed in ascending order
      if (count > 0) behindTotal += unchecked(bt.list[unchecked(bt.c[i]) + count - 1]);
    }
  }
  if (behind) return behindTotal + 1;
  return asserts ? 1 : 0;
}

// The span of the current match: spans[2g], spans[2g+1] for g < spanCount (-1 = unset group), value offsets.
const spans = new StaticArray<i32>(2 * MAX_CAPTURE_GROUPS);
let spanCount: i32 = 0;

function takeSpans(shift: i32): void {
  spanCount = captureCount;
  for (let i = 0; i < 2 * captureCount; i++) {
    const v = unchecked(captures[i]);
    unchecked((spans[i] = v < 0 ? -1 : v + shift));
  }
}

// Free searches (whole value, from an offset) of the current value: the last result, and the offsets searched from.
const freeSpans = new StaticArray<i32>(2 * MAX_CAPTURE_GROUPS);
let freeCount: i32 = 0;
let freeFrom: i32 = -1; // -1: nothing cached
let freeHit: bool = false;
let searchedFrom = new StaticArray<u32>(0); // bit o: a chain searched freely from offset o

function resetFreeSearches(n: i32): void {
  freeFrom = -1;
  const words = (n >>> 5) + 1;
  if (searchedFrom.length < words) searchedFrom = new StaticArray<u32>(words);
  else memory.fill(changetype<usize>(searchedFrom), 0, <usize>words << 2);
}

const FOUND: i32 = 0;
const NONE: i32 = 1;
/** The chain joined one searched before: what follows was already checked. */
const JOINED: i32 = 2;
/** Work cap or regex error: stop the operator. */
const STOPPED: i32 = 3;

/** Leftmost match at or after `o` in the whole value, through the one-entry cache. */
function freeSearch(re: Regex, p: usize, n: i32, o: i32): i32 {
  if (freeFrom >= 0 && o >= freeFrom) {
    // no match from freeFrom on: none from a later offset either; a match at s: the same one from any o <= s
    if (!freeHit) return NONE;
    if (o <= unchecked(freeSpans[0])) {
      spanCount = freeCount;
      for (let i = 0; i < 2 * freeCount; i++) unchecked((spans[i] = freeSpans[i]));
      return FOUND;
    }
  }
  const hit = matchFrom(re, p, n, o, false);
  if (!hit && searchFailed()) return STOPPED;
  if (!charge((hit ? unchecked(captures[1]) : n) - o)) return STOPPED;
  freeFrom = o;
  freeHit = hit;
  if (!hit) return NONE;
  takeSpans(0);
  freeCount = spanCount;
  for (let i = 0; i < 2 * spanCount; i++) unchecked((freeSpans[i] = spans[i]));
  return FOUND;
}

/** The search v3 makes from offset `o` in the suffix starting at `c` (offsets are the value's). */
function searchInContext(re: Regex, p: usize, n: i32, c: i32, o: i32, reach: i32): i32 {
  const sub = p + <usize>c;
  const subLen = n - c;
  const anchoredEnd = c + reach <= n ? c + reach : n + 1;
  for (let k = o; k < anchoredEnd; k++) {
    const hit = matchFrom(re, sub, subLen, k - c, true);
    if (!hit && searchFailed()) return STOPPED;
    if (!charge(hit ? unchecked(captures[1]) : 0)) return STOPPED;
    if (hit) {
      takeSpans(c);
      return FOUND;
    }
  }
  const x = o > c + reach ? o : c + reach;
  if (x > n) return NONE;
  const bit = <u32>1 << (<u32>x & 31);
  const word = unchecked(searchedFrom[x >>> 5]);
  if ((word & bit) != 0) return JOINED;
  unchecked((searchedFrom[x >>> 5] = word | bit));
  return freeSearch(re, p, n, x);
}

function passes(kind: IdNumber, p: usize, n: i32): bool {
  if (kind == IdNumber.CPF) return cpfValid(p, n);
  if (kind == IdNumber.SSN) return ssnValid(p, n);
  return svnrValid(p, n);
}

/**
 * v3's @verifyCPF / @verifySSN / @verifySVNR: a candidate passing `kind`'s checksum. With `wantCapture`, the whole
 * list of the deciding context is walked so verifiedStart/End are the candidate v3 puts in TX:0.
 */
export function verifyIdNumber(re: Regex, p: usize, n: i32, kind: IdNumber, wantCapture: bool): bool {
  startWork(n);
  // v3 runs contexts 0 .. n-2: a one-byte value has none. (An empty one makes v3 throw std::out_of_range from
  // substr(1); nothing can match there, so "no match".)
  if (n < 2) return false;
  if (!re.check()) {
    verifyError = VERIFY_ERROR_INVALID;
    return false;
  }
  const reach = contextReach(re);
  if (reach == 0 && cannotMatch(re, p, n)) return false;
  resetFreeSearches(n);
  let c = 0;
  while (c <= n - 2) {
    let o = c;
    let firstStart = -1;
    let found = false;
    let r = searchInContext(re, p, n, c, o, reach);
    while (r == FOUND) {
      if (firstStart < 0) firstStart = unchecked(spans[0]);
      // PCRE2's return code covers the groups up to the highest one set
      let groups = spanCount;
      while (groups > 1 && unchecked(spans[2 * (groups - 1)]) < 0) groups--;
      let listEnds = false;
      for (let g = 0; g < groups; g++) {
        const s = unchecked(spans[2 * g]);
        const e = unchecked(spans[2 * g + 1]);
        if (s < 0) {
          listEnds = true;
          break;
        }
        if (!charge(e - s)) {
          r = STOPPED;
          listEnds = true;
          break;
        }
        if (passes(kind, p + <usize>s, e - s)) {
          found = true;
          verifiedStart = s;
          verifiedEnd = e;
          if (!wantCapture) return true;
        }
        o = e;
        if (e == s) {
          listEnds = true;
          break;
        }
      }
      if (listEnds) break;
      r = searchInContext(re, p, n, c, o, reach);
    }
    // a candidate already passed: v3 checks the list it had when a search failed, so it stands
    if (found) return true;
    if (r == STOPPED) return false;
    if (reach > 0) c++;
    else if (firstStart >= 0) c = firstStart + 1;
    else if (r == NONE) return false; // no match from c on in the whole value: none in a later context either
    else c++;
  }
  return false;
}
