// Backtracking matcher over a BacktrackProgram (PCRE semantics: leftmost-first, greedy / lazy / possessive,
// captures keep the last iteration, a back reference to an unset group fails, case-insensitive back references,
// atomic look-arounds, a negative look-around discards its captures). It is the continuation-passing matcher of the
// TS reference (rulesets/regex/backtrack.ts compileBacktrack) with the closures turned into frames of a LIFO arena,
// so the step accounting (PCRE's match limit) is identical: a value over `maxSteps` steps stops with
// BT_LIMIT, exactly where the reference throws MatchLimitError.
//
// Recursion: the native call depth follows the continuation chain. It is capped (MAX_DEPTH); hitting the cap also
// answers BT_LIMIT (the reference would overflow the JS stack there instead). The recursive functions hold no
// managed locals, so they use no shadow-stack space. No allocation per call once the arenas are warm.
import { BacktrackProgram } from "./backtrack_program";
import {
  A_BOL,
  A_END,
  A_ENDZ,
  A_EOL,
  A_START,
  A_WORDB,
  BT_ALT,
  BT_ASSERT,
  BT_BACKREF,
  BT_CONCAT,
  BT_EMPTY,
  BT_GROUP,
  BT_LOOK,
  BT_REPEAT,
  BT_SET,
  LOOK_BEHIND,
  LOOK_NEGATE,
  REP_GREEDY,
  REP_POSSESSIVE,
  isWordByte,
} from "./opcodes";

export const BT_NO_MATCH: i32 = 0;
export const BT_MATCH: i32 = 1;
export const BT_LIMIT: i32 = -1;

/** Cap on nested matcher calls (each consumes native stack). Measured in Node (V8 default stack): the uncapped
 *  walker overflowed at about 12,000 nested calls; CRS 942130 needs a few dozen. */
export const MAX_DEPTH: i32 = 4000;

// continuation frame kinds
const K_ACCEPT: i32 = 0; // root: record the end, succeed
const K_CONCAT: i32 = 1; // x = node, y = next child index, next = k
const K_GROUP: i32 = 2; // x = group, y = start
const K_REP: i32 = 3; // x = node, y = count, z = p
const K_POSS: i32 = 4; // x = node, y = count, z = p, w = box frame (its y holds `end`)
const K_TRUE: i32 = 5; // look-ahead body: succeed
const K_AT: i32 = 6; // look-behind body: succeed iff j == x
const K_BOX: i32 = 7; // storage only
const FRAME: i32 = 6; // ints per frame: kind, x, y, z, w, next

// Program being run, as raw addresses: the recursive functions must not touch managed references (each one would
// take a shadow-stack slot per nesting level, and the shadow stack is small). The program is kept alive by the
// caller for the duration of the run; the collector does not move objects.
let pKind: usize = 0;
let pA: usize = 0;
let pB: usize = 0;
let pC: usize = 0;
let pD: usize = 0;
let pList: usize = 0;
let pSets: usize = 0;
let fBase: usize = 0; // = changetype<usize>(frames), refreshed when the arena grows
let slotsBase: usize = 0; // = changetype<usize>(btSlots)
let inPtr: usize = 0;
let inLen: i32 = 0;
let steps: i32 = 0;
let maxSteps: i32 = 0;
let limitHit = false;
let depth: i32 = 0;
let acceptEnd: i32 = -1;
let nslots: i32 = 0;

let frames = new StaticArray<i32>(FRAME * 64);
let ftop: i32 = 0;
let saved = new StaticArray<i32>(256); // caps saved by look-arounds (LIFO)
let stop: i32 = 0;

/** Capture slots of the last BT_MATCH: 2 × (groups + 1) entries, -1 = unset. */
export let btSlots = new StaticArray<i32>(2);
/** Steps used by the last run. */
export let btSteps: i32 = 0;

@inline function setHasG(index: i32, b: u32): bool {
  return (load<u32>(pSets + ((<usize>((index << 3) + <i32>(b >>> 5))) << 2)) & (<u32>1 << (b & 31))) != 0;
}
@inline function I(base: usize, i: i32): i32 {
  return load<i32>(base + ((<usize>i) << 2));
}
@inline function kindOf(n: i32): i32 {
  return <i32>load<u8>(pKind + <usize>n);
}
@inline function F(i: i32): i32 {
  return load<i32>(fBase + ((<usize>i) << 2));
}
@inline function setF(i: i32, v: i32): void {
  store<i32>(fBase + ((<usize>i) << 2), v);
}
@inline function S(i: i32): i32 {
  return load<i32>(slotsBase + ((<usize>i) << 2));
}
@inline function setS(i: i32, v: i32): void {
  store<i32>(slotsBase + ((<usize>i) << 2), v);
}

@inline function byteAt(i: i32): u32 {
  return <u32>load<u8>(inPtr + <usize>i);
}

/** One step of the match budget; false (and the limit flag) once over. */
@inline function tick(): bool {
  if (++steps > maxSteps) {
    limitHit = true;
    return false;
  }
  return true;
}

function frame(kind: i32, x: i32, y: i32, z: i32, w: i32, next: i32): i32 {
  if (ftop + FRAME > frames.length) {
    const f = new StaticArray<i32>(frames.length * 2);
    memory.copy(changetype<usize>(f), changetype<usize>(frames), <usize>ftop << 2);
    frames = f;
    fBase = changetype<usize>(f);
  }
  const id = ftop;
  setF(id, kind);
  setF(id + 1, x);
  setF(id + 2, y);
  setF(id + 3, z);
  setF(id + 4, w);
  setF(id + 5, next);
  ftop = id + FRAME;
  return id;
}

function saveCaps(): i32 {
  if (stop + nslots > saved.length) {
    let c = saved.length * 2;
    while (c < stop + nslots) c <<= 1;
    const s = new StaticArray<i32>(c);
    memory.copy(changetype<usize>(s), changetype<usize>(saved), <usize>stop << 2);
    saved = s;
  }
  const at = stop;
  memory.copy(changetype<usize>(saved) + (<usize>at << 2), slotsBase, <usize>nslots << 2);
  stop = at + nslots;
  return at;
}

@inline function restoreCaps(at: i32): void {
  memory.copy(slotsBase, changetype<usize>(saved) + (<usize>at << 2), <usize>nslots << 2);
}

function assertOk(code: i32, i: i32): bool {
  const len = inLen;
  switch (code) {
    case A_BOL:
      return i == 0 || (i < len && byteAt(i - 1) == 0x0a);
    case A_EOL:
      return i == len || byteAt(i) == 0x0a;
    case A_START:
      return i == 0;
    case A_END:
      return i == len;
    case A_ENDZ:
      return i == len || (i == len - 1 && byteAt(i) == 0x0a);
    default: {
      const wp = i > 0 && isWordByte(byteAt(i - 1));
      const wn = i < len && isWordByte(byteAt(i));
      return (wp != wn) == (code == A_WORDB);
    }
  }
}

/** Matches node n at position i, then continuation k. */
function m(n: i32, i: i32, k: i32): bool {
  if (limitHit) return false;
  if (++depth > MAX_DEPTH) {
    limitHit = true;
    depth--;
    return false;
  }
  const top = ftop;
  const r = mBody(n, i, k);
  ftop = top;
  depth--;
  return r;
}

function mBody(n: i32, i: i32, k: i32): bool {
  switch (<i32>kindOf(n)) {
    case BT_EMPTY:
      return cont(k, i);
    case BT_SET:
      if (!tick()) return false;
      return i < inLen && setHasG(I(pA, n), byteAt(i)) && cont(k, i + 1);
    case BT_CONCAT: {
      const first = I(pA, n);
      const cnt = I(pB, n);
      if (cnt == 0) return cont(k, i);
      if (cnt == 1) return m(I(pList, first), i, k);
      return m(I(pList, first), i, frame(K_CONCAT, n, 1, 0, 0, k));
    }
    case BT_ALT: {
      const first = I(pA, n);
      const cnt = I(pB, n);
      for (let x = 0; x < cnt; x++) {
        if (m(I(pList, first + x), i, k)) return true;
        if (limitHit) return false;
      }
      return false;
    }
    case BT_GROUP: {
      const g = I(pA, n);
      if (g == 0) return m(I(pB, n), i, k);
      const os = S(2 * g);
      const oe = S(2 * g + 1);
      const ok = m(I(pB, n), i, frame(K_GROUP, g, i, 0, 0, k));
      if (!ok) {
        setS(2 * g, os);
        setS(2 * g + 1, oe);
      }
      return ok;
    }
    case BT_REPEAT:
      return repeat(n, i, k);
    case BT_ASSERT:
      return assertOk(I(pA, n), i) && cont(k, i);
    case BT_LOOK:
      return look(n, i, k);
    case BT_BACKREF: {
      if (!tick()) return false;
      const g = I(pA, n);
      const s = S(2 * g);
      const e = S(2 * g + 1);
      if (s < 0 || e < 0) return false;
      const L = e - s;
      if (i + L > inLen) return false;
      const icase = I(pB, n) != 0;
      for (let x = 0; x < L; x++) {
        let a = byteAt(s + x);
        let b = byteAt(i + x);
        if (icase) {
          if (a - 65 < 26) a += 32;
          if (b - 65 < 26) b += 32;
        }
        if (a != b) return false;
      }
      return cont(k, i + L);
    }
  }
  return false;
}

function repeat(n: i32, i: i32, k: i32): bool {
  const min = I(pA, n);
  const max = I(pB, n);
  const flags = I(pC, n);
  const child = I(pD, n);
  const lim = max < 0 ? 0x7fffffff : max;
  const greedy = (flags & REP_GREEDY) != 0;
  if (kindOf(child) == BT_SET) {
    // single byte set: scan, then try the ends
    if (!tick()) return false;
    const set = I(pA, child);
    let j = i;
    while (j - i < lim && j < inLen && setHasG(set, byteAt(j))) j++;
    if (j - i < min) return false;
    if ((flags & REP_POSSESSIVE) != 0) return cont(k, j);
    if (greedy) {
      for (let e = j; e >= i + min; e--) {
        if (cont(k, e)) return true;
        if (limitHit) return false;
      }
      return false;
    }
    for (let e = i + min; e <= j; e++) {
      if (cont(k, e)) return true;
      if (limitHit) return false;
    }
    return false;
  }
  if ((flags & REP_POSSESSIVE) != 0) {
    // atomic: the greedy choice of the iterations, no backtracking into it
    const box = frame(K_BOX, -1, -1, 0, 0, -1);
    if (!repPoss(n, 0, i, box)) return false;
    return cont(k, F(box + 2));
  }
  return rep(n, 0, i, k);
}

function repPoss(n: i32, count: i32, p: i32, box: i32): bool {
  if (limitHit) return false;
  if (++depth > MAX_DEPTH) {
    limitHit = true;
    depth--;
    return false;
  }
  const top = ftop;
  let r = false;
  if (tick()) {
    const max = I(pB, n);
    const lim = max < 0 ? 0x7fffffff : max;
    if (count < lim && m(I(pD, n), p, frame(K_POSS, n, count, p, box, -1))) r = true;
    else if (!limitHit && count >= I(pA, n)) {
      setF(box + 2, p);
      r = true;
    }
  }
  ftop = top;
  depth--;
  return r;
}

function rep(n: i32, count: i32, p: i32, k: i32): bool {
  if (limitHit) return false;
  if (++depth > MAX_DEPTH) {
    limitHit = true;
    depth--;
    return false;
  }
  const top = ftop;
  let r = false;
  if (tick()) {
    const min = I(pA, n);
    const max = I(pB, n);
    const lim = max < 0 ? 0x7fffffff : max;
    if ((I(pC, n) & REP_GREEDY) != 0) {
      if (count < lim && m(I(pD, n), p, frame(K_REP, n, count, p, 0, k))) r = true;
      else if (!limitHit) r = count >= min && cont(k, p);
    } else {
      if (count >= min && cont(k, p)) r = true;
      else if (!limitHit) r = count < lim && m(I(pD, n), p, frame(K_REP, n, count, p, 0, k));
    }
  }
  ftop = top;
  depth--;
  return r;
}

function look(n: i32, i: i32, k: i32): bool {
  const flags = I(pA, n);
  const child = I(pB, n);
  const sv = saveCaps();
  let found = false;
  if ((flags & LOOK_BEHIND) == 0) found = m(child, i, frame(K_TRUE, 0, 0, 0, 0, -1));
  else {
    const c0 = I(pC, n);
    const cnt = I(pD, n);
    for (let x = 0; x < cnt; x++) {
      const L = I(pList, c0 + x);
      if (i - L < 0) continue;
      if (m(child, i - L, frame(K_AT, i, 0, 0, 0, -1))) {
        found = true;
        break;
      }
      if (limitHit) break;
    }
  }
  let r = false;
  if (!limitHit) {
    if ((flags & LOOK_NEGATE) != 0) {
      restoreCaps(sv);
      r = !found && cont(k, i);
    } else if (found) {
      if (cont(k, i)) r = true;
      else restoreCaps(sv);
    }
  }
  stop = sv;
  return r;
}

/** Runs continuation k at position j. */
function cont(k: i32, j: i32): bool {
  if (limitHit) return false;
  if (++depth > MAX_DEPTH) {
    limitHit = true;
    depth--;
    return false;
  }
  const top = ftop;
  let r = false;
  const kind = F(k);
  const x = F(k + 1);
  const y = F(k + 2);
  const z = F(k + 3);
  const w = F(k + 4);
  const next = F(k + 5);
  switch (kind) {
    case K_ACCEPT:
      acceptEnd = j;
      r = true;
      break;
    case K_CONCAT: {
      const first = I(pA, x);
      const cnt = I(pB, x);
      const child = I(pList, first + y);
      r = y + 1 >= cnt ? m(child, j, next) : m(child, j, frame(K_CONCAT, x, y + 1, 0, 0, next));
      break;
    }
    case K_GROUP: {
      const ps = S(2 * x);
      const pe = S(2 * x + 1);
      setS(2 * x, y);
      setS(2 * x + 1, j);
      if (cont(next, j)) r = true;
      else {
        setS(2 * x, ps);
        setS(2 * x + 1, pe);
      }
      break;
    }
    case K_REP:
      r = j == z && y + 1 >= I(pA, x) ? cont(next, j) : rep(x, y + 1, j, next);
      break;
    case K_POSS:
      if (j == z && y + 1 >= I(pA, x)) {
        setF(w + 2, j);
        r = true;
      } else r = repPoss(x, y + 1, j, w);
      break;
    case K_TRUE:
      r = true;
      break;
    case K_AT:
      r = j == x;
      break;
  }
  ftop = top;
  depth--;
  return r;
}

/**
 * Leftmost-first search over [ptr, ptr+len) with a budget of `limit` steps. BT_MATCH: slots in btSlots
 * (2 × (groups + 1) entries; [0],[1] = the whole match); BT_NO_MATCH; BT_LIMIT (budget or depth exceeded).
 * `prog` must have passed validate(). Matches start at positions >= `from` (PCRE's start offset: assertions and
 * look-behinds still see the bytes before it), or only at `from` when `anchored`.
 */
export function backtrackSearch(prog: BacktrackProgram, ptr: usize, len: i32, limit: i32, from: i32 = 0, anchored: bool = false): i32 {
  if (from < 0 || from > len) {
    btSteps = 0;
    return BT_NO_MATCH;
  }
  pKind = changetype<usize>(prog.kind);
  pA = changetype<usize>(prog.a);
  pB = changetype<usize>(prog.b);
  pC = changetype<usize>(prog.c);
  pD = changetype<usize>(prog.d);
  pList = changetype<usize>(prog.list);
  pSets = changetype<usize>(prog.sets);
  fBase = changetype<usize>(frames);
  inPtr = ptr;
  inLen = len;
  steps = 0;
  maxSteps = limit;
  limitHit = false;
  depth = 0;
  ftop = 0;
  stop = 0;
  nslots = 2 * (prog.groups + 1);
  if (btSlots.length < nslots) btSlots = new StaticArray<i32>(nslots);
  slotsBase = changetype<usize>(btSlots);
  const root = prog.root;
  let result = BT_NO_MATCH;
  const lastStart = anchored ? from : len;
  for (let start = from; start <= lastStart; start++) {
    for (let s = 0; s < nslots; s++) setS(s, -1);
    acceptEnd = -1;
    ftop = 0;
    const acc = frame(K_ACCEPT, 0, 0, 0, 0, -1);
    if (m(root, start, acc)) {
      setS(0, start);
      setS(1, acceptEnd);
      result = BT_MATCH;
      break;
    }
    if (limitHit) {
      result = BT_LIMIT;
      break;
    }
  }
  btSteps = steps;
  return result;
}
