// as-pect unit tests of the regex matchers (filter/regex) on small hand-built structures. The node:test cross-check
// (tests/regex-as) compares them with the TS reference on every CRS pattern; these pin the AS API itself.
import {
  Dfa,
  NfaProgram,
  BacktrackProgram,
  Regex,
  LazyDfa,
  LazyBudget,
  dfaMatch,
  pikeSearch,
  pikeSlots,
  backtrackSearch,
  btSlots,
  match,
  captures,
  captureCount,
  matchError,
  setBacktrackLimit,
  OP_BYTE,
  OP_SPLIT,
  OP_SAVE,
  OP_ASSERT,
  OP_LOOK,
  OP_MATCH,
  A_WORDB,
  A_BOL,
  BT_SET,
  BT_CONCAT,
  BT_GROUP,
  BT_REPEAT,
  BT_BACKREF,
  REP_GREEDY,
  TIER_DFA,
  TIER_LAZY,
  TIER_BACKTRACK,
  LOOK_BEHIND,
  LOOK_NEGATE,
  MATCH_ERROR_LIMIT,
  MATCH_ERROR_INVALID,
  MATCH_OK,
} from "../index";

function bytes(s: string): StaticArray<u8> {
  const b = String.UTF8.encode(s);
  const out = new StaticArray<u8>(b.byteLength);
  memory.copy(changetype<usize>(out), changetype<usize>(b), <usize>b.byteLength);
  return out;
}
function ptr(a: StaticArray<u8>): usize {
  return changetype<usize>(a);
}

/** Hand-built minimal DFA for unanchored /abc/: classes a=1 b=2 c=3 other=0; states 0 (start), 1 (a), 2 (ab), 3 ACCEPT. */
function abcDfa(): Dfa {
  const d = new Dfa();
  d.numStates = 4;
  d.numClasses = 4;
  for (let b = 0; b < 256; b++) d.classOf[b] = 0;
  d.classOf[0x61] = 1;
  d.classOf[0x62] = 2;
  d.classOf[0x63] = 3;
  const t: u16[] = [
    0, 1, 0, 0, // start
    0, 1, 2, 0, // saw a
    0, 1, 0, 3, // saw ab
    3, 3, 3, 3, // ACCEPT (absorbing)
  ];
  d.trans = StaticArray.fromArray<u16>(t);
  d.start = 0;
  d.accept = 3;
  d.dead = -1;
  d.acceptAtEnd = StaticArray.fromArray<u8>([0, 0, 0, 1]);
  return d;
}

function setOf(chars: string): StaticArray<u32> {
  const s = new StaticArray<u32>(8);
  for (let i = 0; i < chars.length; i++) {
    const b = <u32>chars.charCodeAt(i);
    s[b >>> 5] |= <u32>1 << (b & 31);
  }
  return s;
}
function concatSets(list: StaticArray<u32>[]): StaticArray<u32> {
  const out = new StaticArray<u32>(8 * list.length);
  for (let i = 0; i < list.length; i++) for (let w = 0; w < 8; w++) out[8 * i + w] = list[i][w];
  return out;
}

/** Program for /(a+)(b)/ with captures (slots 0..5), or match-only without SAVE when caps = false. */
function aPlusB(caps: bool): NfaProgram {
  const p = new NfaProgram();
  p.numSets = 2;
  p.sets = concatSets([setOf("a"), setOf("b")]);
  if (caps) {
    // 0 SAVE0 →1; 1 SAVE2 →2; 2 BYTE a →3; 3 SPLIT 2|4; 4 SAVE3 →5; 5 SAVE4 →6; 6 BYTE b →7; 7 SAVE5 →8; 8 SAVE1 →9; 9 MATCH
    p.ops = StaticArray.fromArray<u8>([OP_SAVE, OP_SAVE, OP_BYTE, OP_SPLIT, OP_SAVE, OP_SAVE, OP_BYTE, OP_SAVE, OP_SAVE, OP_MATCH]);
    p.arg = StaticArray.fromArray<i32>([0, 2, 0, 0, 3, 4, 1, 5, 1, 0]);
    p.out = StaticArray.fromArray<i32>([1, 2, 3, 2, 5, 6, 7, 8, 9, -1]);
    p.out1 = StaticArray.fromArray<i32>([-1, -1, -1, 4, -1, -1, -1, -1, -1, -1]);
    p.slots = 6;
  } else {
    // 0 BYTE a →1; 1 SPLIT 0|2; 2 BYTE b →3; 3 MATCH
    p.ops = StaticArray.fromArray<u8>([OP_BYTE, OP_SPLIT, OP_BYTE, OP_MATCH]);
    p.arg = StaticArray.fromArray<i32>([0, 0, 1, 0]);
    p.out = StaticArray.fromArray<i32>([1, 0, 3, -1]);
    p.out1 = StaticArray.fromArray<i32>([-1, 2, -1, -1]);
  }
  p.start = 0;
  return p;
}

/** Match-only /a[ab]{6}c/: its DFA remembers where the last a's were (up to 2^6 states), so a/b input makes many
 *  states and never matches until a c comes. 0 BYTE a; 1..6 BYTE [ab]; 7 BYTE c; 8 MATCH. */
function manyStates(): NfaProgram {
  const p = new NfaProgram();
  p.numSets = 3;
  p.sets = concatSets([setOf("a"), setOf("ab"), setOf("c")]);
  p.ops = StaticArray.fromArray<u8>([OP_BYTE, OP_BYTE, OP_BYTE, OP_BYTE, OP_BYTE, OP_BYTE, OP_BYTE, OP_BYTE, OP_MATCH]);
  p.arg = StaticArray.fromArray<i32>([0, 1, 1, 1, 1, 1, 1, 2, 0]);
  p.out = StaticArray.fromArray<i32>([1, 2, 3, 4, 5, 6, 7, 8, -1]);
  p.out1 = StaticArray.fromArray<i32>([-1, -1, -1, -1, -1, -1, -1, -1, -1]);
  p.start = 0;
  return p;
}

/** Deterministic a/b text of length n (xorshift), with `tail` appended. */
function abText(seed: u32, n: i32, tail: string): StaticArray<u8> {
  let x = seed | 1;
  let t = "";
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    t += (x & 1) != 0 ? "a" : "b";
  }
  return bytes(t + tail);
}

/** /\bx(?<!-x)/ shaped program: ASSERT \b, BYTE x, LOOK (negative look-behind "-x"), MATCH. */
function lookProgram(): NfaProgram {
  const p = new NfaProgram();
  p.numSets = 1;
  p.sets = setOf("x");
  p.ops = StaticArray.fromArray<u8>([OP_ASSERT, OP_BYTE, OP_LOOK, OP_MATCH]);
  p.arg = StaticArray.fromArray<i32>([A_WORDB, 0, 0, 0]);
  p.out = StaticArray.fromArray<i32>([1, 2, 3, -1]);
  p.out1 = StaticArray.fromArray<i32>([-1, -1, -1, -1]);
  p.numLooks = 1;
  p.lookFlags = StaticArray.fromArray<u8>([LOOK_BEHIND | LOOK_NEGATE]);
  p.lookSeqStart = StaticArray.fromArray<i32>([0, 1]);
  p.seqPosStart = StaticArray.fromArray<i32>([0, 2]);
  p.lookPosSets = concatSets([setOf("-"), setOf("x")]);
  p.start = 0;
  p.assertMask = 1 << A_WORDB;
  return p;
}

/** /(a+)\1/ as a backtracking program: 0 SET a; 1 REPEAT{1,} 0; 2 GROUP 1 (1); 3 BACKREF 1; 4 CONCAT [2, 3]. */
function backrefProgram(): BacktrackProgram {
  const p = new BacktrackProgram();
  p.kind = StaticArray.fromArray<u8>([BT_SET, BT_REPEAT, BT_GROUP, BT_BACKREF, BT_CONCAT]);
  p.a = StaticArray.fromArray<i32>([0, 1, 1, 1, 0]);
  p.b = StaticArray.fromArray<i32>([0, -1, 1, 0, 2]);
  p.c = StaticArray.fromArray<i32>([0, REP_GREEDY, 0, 0, 0]);
  p.d = StaticArray.fromArray<i32>([0, 0, 0, 0, 0]);
  p.list = StaticArray.fromArray<i32>([2, 3]);
  p.numSets = 1;
  p.sets = setOf("a");
  p.root = 4;
  p.groups = 1;
  return p;
}

describe("Dfa", () => {
  it("validates and walks a hand-built table", () => {
    const d = abcDfa();
    expect(d.validate()).toBeNull();
    const yes = bytes("xxabcyy");
    const no = bytes("ababab");
    expect(dfaMatch(d, ptr(yes), yes.length)).toBe(true);
    expect(dfaMatch(d, ptr(no), no.length)).toBe(false);
    expect(dfaMatch(d, ptr(no), 0)).toBe(false);
    const nul = new StaticArray<u8>(4096); // NUL bytes
    expect(dfaMatch(d, ptr(nul), nul.length)).toBe(false);
  });
  it("walks a premultiplied table (row offsets) with the same answers", () => {
    const d = abcDfa();
    d.acceptAtEnd[2] = 1; // also accept input that ends right after "ab": exercises the end-of-input lookup
    d.premultiply();
    expect(d.premultiplied).toBe(true);
    expect(d.trans[6]).toBe(2 * 4); // state 1 on b -> state 2, row offset 8
    expect(d.validate()).toBeNull();
    const inputs = ["xxabcyy", "ababab", "xab", "", "abx", "cab"];
    const plain = abcDfa();
    plain.acceptAtEnd[2] = 1;
    for (let i = 0; i < inputs.length; i++) {
      const b = bytes(inputs[i]);
      expect(dfaMatch(d, ptr(b), b.length)).toBe(dfaMatch(plain, ptr(b), b.length));
    }
    d.trans[5] = 5; // not a row offset
    expect(d.validate()).not.toBeNull();
  });
  it("refuses out-of-range tables", () => {
    const d = abcDfa();
    d.trans[5] = 4;
    expect(d.validate()).not.toBeNull();
    const e = abcDfa();
    e.classOf[7] = 4;
    expect(e.validate()).not.toBeNull();
    const f = abcDfa();
    f.start = 9;
    expect(f.validate()).not.toBeNull();
  });
});

describe("NfaProgram / Pike VM / lazy DFA", () => {
  it("Pike VM fills leftmost-first greedy captures", () => {
    const p = aPlusB(true);
    expect(p.validate()).toBeNull();
    const s = bytes("xxaaab");
    expect(pikeSearch(p, ptr(s), s.length)).toBe(true);
    expect(pikeSlots[0]).toBe(2);
    expect(pikeSlots[1]).toBe(6);
    expect(pikeSlots[2]).toBe(2);
    expect(pikeSlots[3]).toBe(5);
    expect(pikeSlots[4]).toBe(5);
    expect(pikeSlots[5]).toBe(6);
    const n = bytes("bbbaaa");
    expect(pikeSearch(p, ptr(n), n.length)).toBe(false);
  });
  it("lazy DFA answers like the Pike VM, with and without cache pressure", () => {
    const p = aPlusB(false);
    expect(p.validate()).toBeNull();
    const big = new LazyDfa(p);
    const tiny = new LazyDfa(p, 4, 0); // falls back to the Pike VM at the first flush
    const inputs = ["", "ab", "aab", "b", "xaxbxaab", "aaaa", "bbbbab"];
    for (let i = 0; i < inputs.length; i++) {
      const s = bytes(inputs[i]);
      const want = pikeSearch(p, ptr(s), s.length);
      expect(big.match(ptr(s), s.length)).toBe(want, inputs[i]);
      expect(tiny.match(ptr(s), s.length)).toBe(want, inputs[i]);
    }
    expect(big.usable).toBe(true);
  });
  it("grows its cache while the budget allows, without counting growth as a flush", () => {
    const p = manyStates();
    expect(p.validate()).toBeNull();
    const budget = new LazyBudget(1 << 30);
    const lz = new LazyDfa(p, 1024, 8, budget);
    const start = lz.capacity;
    const s = abText(7, 2000, "");
    expect(lz.match(ptr(s), s.length)).toBe(false);
    expect(lz.numStates).toBeGreaterThan(start); // more states than the first allocation held ...
    expect(lz.capacity).toBeGreaterThanOrEqual(lz.numStates);
    expect(lz.lastStats.flushes).toBe(0); // ... and none of it was a flush
    expect(budget.denied).toBe(0);
    expect(budget.used).toBeGreaterThan(0);
  });
  it("flushes instead of growing past its budget, with the same answers", () => {
    const p = manyStates();
    const roomy = new LazyDfa(p, 1024, 1000, new LazyBudget(1 << 30));
    const budget = new LazyBudget(0); // nothing beyond the first, always-granted allocation
    const squeezed = new LazyDfa(p, 1024, 1000, budget);
    const held = budget.used;
    const first = squeezed.capacity;
    for (let k: u32 = 0; k < 40; k++) {
      const s = abText(k + 1, 300 + <i32>k * 13, k % 3 == 0 ? "c" : k % 3 == 1 ? "abc" : "");
      const want = pikeSearch(p, ptr(s), s.length);
      expect(roomy.match(ptr(s), s.length)).toBe(want);
      expect(squeezed.match(ptr(s), s.length)).toBe(want);
    }
    expect(budget.denied).toBeGreaterThan(0);
    expect(squeezed.capacity).toBe(first);
    expect(budget.used).toBe(held);
  });
  it("shares one budget between caches", () => {
    const p = manyStates();
    const budget = new LazyBudget(64 << 10);
    const a = new LazyDfa(p, 1024, 1000, budget);
    const b = new LazyDfa(p, 1024, 1000, budget);
    const floor = budget.used; // the two first allocations
    for (let k: u32 = 0; k < 20; k++) {
      const s = abText(k + 100, 500, "");
      a.match(ptr(s), s.length);
      b.match(ptr(s), s.length);
    }
    expect(budget.used).toBeLessThanOrEqual(floor > (64 << 10) ? floor : 64 << 10);
  });
  it("resolves \\b and a look-behind through the lazy DFA", () => {
    const p = lookProgram();
    expect(p.validate()).toBeNull();
    const lz = new LazyDfa(p);
    const cases = ["x", " x", "-x", "bx", "a -x", "xx", "1x", "-x x"];
    // \bx(?<!-x): an x at a word start that does not follow "-"
    const want = [true, true, false, false, false, true, false, true];
    for (let i = 0; i < cases.length; i++) {
      const s = bytes(cases[i]);
      expect(lz.match(ptr(s), s.length)).toBe(want[i], cases[i]);
      expect(pikeSearch(p, ptr(s), s.length)).toBe(want[i], cases[i]);
    }
  });
  it("refuses a program with a jump out of range", () => {
    const p = aPlusB(false);
    p.out[2] = 99;
    expect(p.validate()).not.toBeNull();
  });
});

describe("backtracker", () => {
  it("matches a back reference with PCRE captures", () => {
    const p = backrefProgram();
    expect(p.validate()).toBeNull();
    const s = bytes("xaaaay");
    expect(backtrackSearch(p, ptr(s), s.length, 1000000)).toBe(1);
    expect(btSlots[0]).toBe(1);
    expect(btSlots[1]).toBe(5);
    expect(btSlots[2]).toBe(1);
    expect(btSlots[3]).toBe(3);
    const n = bytes("xay");
    expect(backtrackSearch(p, ptr(n), n.length, 1000000)).toBe(0);
  });
  it("stops with BT_LIMIT over the step budget", () => {
    const p = backrefProgram();
    const s = new StaticArray<u8>(5000);
    for (let i = 0; i < s.length; i++) s[i] = i % 2 ? 0x61 : 0x62; // "babab..."
    expect(backtrackSearch(p, ptr(s), s.length, 50)).toBe(-1);
  });
});

describe("match facade", () => {
  it("dfa tier with Pike VM captures", () => {
    const r = new Regex();
    r.tier = TIER_DFA;
    r.groups = 2;
    r.dfa = abcDfa(); // the automaton decides; the capture program here is /(a+)(b)/ - only shapes are tested
    r.captureProgram = aPlusB(true);
    const s = bytes("aabc");
    expect(match(r, ptr(s), s.length, true)).toBe(true);
    expect(matchError).toBe(MATCH_OK);
    expect(captureCount).toBe(3);
    expect(captures[0]).toBe(0);
    expect(captures[1]).toBe(3);
    expect(captures[2]).toBe(0);
    expect(captures[3]).toBe(2);
    expect(captures[6]).toBe(-1);
  });
  it("lazy tier", () => {
    const r = new Regex();
    r.tier = TIER_LAZY;
    r.nfa = aPlusB(false);
    const s = bytes("zzab");
    expect(match(r, ptr(s), s.length, false)).toBe(true);
    expect(match(r, ptr(s), 3, false)).toBe(false);
  });
  it("backtrack tier: budget → flagged no-match", () => {
    const r = new Regex();
    r.tier = TIER_BACKTRACK;
    r.groups = 1;
    r.backtrack = backrefProgram();
    const s = bytes("baab");
    expect(match(r, ptr(s), s.length, true)).toBe(true);
    expect(captures[2]).toBe(1);
    expect(captures[3]).toBe(2);
    setBacktrackLimit(2);
    expect(match(r, ptr(s), s.length, true)).toBe(false);
    expect(matchError).toBe(MATCH_ERROR_LIMIT);
    setBacktrackLimit(1000000);
  });
  it("a regex without its tier structure is refused", () => {
    const r = new Regex();
    r.tier = TIER_DFA;
    const s = bytes("abc");
    expect(match(r, ptr(s), s.length, false)).toBe(false);
    expect(matchError).toBe(MATCH_ERROR_INVALID);
    expect(r.invalidReason.length).toBeGreaterThan(0);
  });
});
