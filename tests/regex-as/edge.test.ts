/**
 * Cross-checks of the AS matchers outside the CRS corpus: look-behind / assertions / possessive rewrites through
 * the lazy DFA (forced tier), the backtracker's step budget and recursion cap (flagged, never a trap), inputs of
 * megabytes (NUL bytes, invalid UTF-8, random bytes, attack-like repetition) on the largest CRS automata, and
 * refusal of malformed structures.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileRegex, matchCompiled, type CompiledRegex } from "../../rulesets/regex/index";
import { crsAvailable } from "../rulesets/regex/crs-helpers";
import { generateSubjects, rng } from "../rulesets/regex/gen";
import { AsRegex } from "./harness";
import { compiledCrs } from "./crs-cache";
import { compareResults } from "./crs-xcheck";

const asP = AsRegex.create();
const B = (s: string) => Buffer.from(s, "latin1");

const PATTERNS = [
  "(?<!a)b",
  "(?<=ab|c)d+",
  "(?<![a-z]{2})\\d",
  "\\bfoo\\b",
  "\\Bx\\B",
  "^a$",
  "(?m)^ab$",
  "\\Aabc\\z",
  "a++b",
  "[a-z]{2,}+[0-9]",
  "<\\?(?!xml)",
  "x(?=y)",
  "x(?!y)",
  "(a+)(b*)c",
  "(?i)(sel)(ect)?\\s+(\\w+)",
  "(a|ab)(c|bcd)(d*)",
  "(.*?)=(.*)",
  "^(?:(\\w+)\\.)+(\\w+)$",
];

test("lazy tier (forced) and DFA tier agree with the reference on assertion / look-around patterns", async () => {
  const as = await asP;
  let checked = 0;
  for (const p of PATTERNS) {
    for (const forceTier of ["lazy", "dfa"] as const) {
      const c = compileRegex(p, { forceTier });
      const h = as.add(c);
      const subs = [...generateSubjects(c, 3, 4), B("ab"), B("cb"), B("abdd"), B("xy"), B("x"), B("<?xm"), B("<?xml"), B("a\nab\n")];
      for (const s of subs) {
        const ref = matchCompiled(c, s, { captures: true });
        const mine = as.match(h.re, s, true);
        assert.equal(compareResults(ref, mine, c.groups), "", `/${p}/ ${forceTier} on ${JSON.stringify(s.toString())}`);
        checked++;
      }
    }
  }
  assert.ok(checked > 500);
});

test("920120 (v3.3.4 look-behind) through the lazy DFA agrees with its table DFA", { skip: !crsAvailable() }, async () => {
  const as = await asP;
  const c3 = compiledCrs("v3.3.4").patterns.find((x) => x.ruleIds.has(920120))!;
  assert.ok(c3, "920120 found");
  const lazy = compileRegex(c3.pattern, { forceTier: "lazy" });
  const h = as.add(lazy);
  const hd = as.add(c3.c);
  const subs = [...generateSubjects(c3.c, 11, 8), B("a&auml;b"), B("x&ouml;"), B("file&#x;name"), B("na;me")];
  for (const s of subs) {
    const ref = matchCompiled(c3.c, s).matched;
    assert.equal(as.match(h.re, s, false).matched, ref, JSON.stringify(s.toString("latin1")));
    assert.equal(as.match(hd.re, s, false).matched, ref);
  }
});

test("backtracker: step budget and recursion cap are flagged like the reference, never a trap", async () => {
  const as = await asP;
  const cases: [string, string[]][] = [
    ["(a|)*b", ["aaab", "aaaa", "", "b"]],
    ["(a*)+$", ["aaaa", "aaab", "a\n"]],
    ["(?:(a)|b?)*c", ["ababc", "abab"]],
    ["(a+)\\1", ["aaaa", "abab", "aaa"]],
    ["(\\w+)\\s+\\1", ["hello hello", "foo bar", "a a"]],
    ["(?i)(x)\\1", ["xX", "xy"]],
    ["(\\w+)=(?!\\1)\\w+", ["a=b", "a=a", "ab=abc"]],
    ["(?<=ab|c)(x)\\1", ["abxx", "cxx", "xx"]],
  ];
  let flagged = 0;
  for (const [p, inputs] of cases) {
    const c = compileRegex(p);
    assert.ok(c.tier === "backtrack" || c.captureEngine === "backtrack", `/${p}/ uses the backtracker`);
    const h = as.add(c);
    for (const limit of [3, 10, 40, 1_000_000]) {
      as.x.setLimit(limit);
      for (const v of [...inputs, "a".repeat(200) + "c", "ab ".repeat(50)]) {
        const s = B(v);
        const ref = matchCompiled(c, s, { captures: true, maxSteps: limit });
        if (ref.error) flagged++;
        assert.equal(compareResults(ref, as.match(h.re, s, true), c.groups), "", `/${p}/ limit ${limit} on ${JSON.stringify(v)}`);
      }
    }
  }
  as.x.setLimit(1_000_000);
  assert.ok(flagged > 10, "the budget was really hit");
  // recursion cap: a capture loop over a 1 MB value stops with the flag (the match stands, Pike VM captures)
  const c = compileRegex("(a|)*b");
  const h = as.add(c);
  const big = new Uint8Array(1 << 20).fill(0x61);
  big[big.length - 1] = 0x62;
  const r = as.match(h.re, big, true);
  assert.equal(r.matched, true);
  assert.equal(r.error, 1);
  assert.deepEqual(r.captures![0], [0, big.length]);
  const bt = compileRegex("(\\w+)\\s+\\1");
  const hb = as.add(bt);
  const r2 = as.match(hb.re, new Uint8Array(1 << 20).fill(0x61), true);
  assert.equal(r2.matched, false);
  assert.equal(r2.error, 1, "budget exhausted on 1 MB → flagged no-match");
});

function bigInputs(): [string, Uint8Array][] {
  const r = rng(99);
  const MB = 1 << 20;
  const text = B("The quick brown fox jumps over the lazy dog; id=42&name=value%20x ".repeat(Math.ceil((2 * MB) / 66))).subarray(0, 2 * MB);
  const rand = Uint8Array.from({ length: MB }, () => Math.floor(r() * 256));
  const nul = new Uint8Array(MB);
  const badUtf8 = Uint8Array.from({ length: MB }, (_, i) => [0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x82, 0xf0, 0xff][i % 8]!);
  const attack = B("' or 1=1 union select /*!50000concat*/(0x41),sleep(5) -- <script>alert(1)</script>;cat /etc/passwd ".repeat(12000));
  return [["text 2MB", text], ["random 1MB", rand], ["NUL 1MB", nul], ["invalid UTF-8 1MB", badUtf8], ["attack 1.1MB", attack]];
}

test("megabyte inputs on the largest CRS automata: same answers as the reference, no trap", { skip: !crsAvailable() }, async () => {
  const as = await asP;
  const all: CompiledRegex[] = [...compiledCrs("v4.28.0").patterns, ...compiledCrs("v3.3.4").patterns].map((x) => x.c);
  const dfas = all.filter((c) => c.tier === "dfa").sort((a, b) => b.dfa!.numStates - a.dfa!.numStates).slice(0, 4);
  const lazies = all.filter((c) => c.tier === "lazy").sort((a, b) => b.nfa!.ops.length - a.nfa!.ops.length).slice(0, 4);
  const bt = all.filter((c) => c.tier === "backtrack");
  for (const c of [...dfas, ...lazies, ...bt]) {
    const h = as.add(c);
    for (const [name, s] of bigInputs()) {
      const ref = matchCompiled(c, s);
      const mine = as.match(h.re, s, false);
      assert.equal(mine.matched, ref.matched, `${c.tier} /${c.pattern.slice(0, 60)}/ on ${name}`);
      assert.equal(mine.error, ref.error ? 1 : 0);
      // captures on a 64 KB prefix (the reference Pike VM is slow on megabytes)
      const p = s.subarray(0, 1 << 16);
      assert.equal(compareResults(matchCompiled(c, p, { captures: true }), as.match(h.re, p, true), c.groups), "", `${name} prefix`);
    }
  }
});

test("malformed structures are refused, never run", async () => {
  const as = await asP;
  const c = compileRegex("abc");
  const h = as.add(c);
  // a regex whose tier structure is missing → flagged invalid, no match
  const re = as.x.newRegex(0, 0, 0, -1, -1, -1, -1);
  assert.deepEqual(as.match(re, B("abc"), true), { matched: false, error: 2 });
  // out-of-range transition / class / start values are rejected by validate()
  const d = c.dfa!;
  const stage = (trans: Uint16Array, classOf: Uint8Array) => {
    new Uint8Array(as.x.memory.buffer, as.x.stageU8(0, 256), 256).set(classOf);
    new Uint16Array(as.x.memory.buffer, as.x.stageU16(0, trans.length), trans.length).set(trans);
    new Uint8Array(as.x.memory.buffer, as.x.stageU8(1, d.numStates), d.numStates).set(d.acceptAtEnd);
  };
  const badT = Uint16Array.from(d.trans as Uint16Array);
  badT[3] = d.numStates;
  stage(badT, d.classOf);
  assert.equal(as.x.newDfa(d.numStates, d.numClasses, d.start, d.accept, d.dead), -1);
  const badC = Uint8Array.from(d.classOf);
  badC[200] = d.numClasses;
  stage(d.trans as Uint16Array, badC);
  assert.equal(as.x.newDfa(d.numStates, d.numClasses, d.start, d.accept, d.dead), -1);
  stage(d.trans as Uint16Array, d.classOf);
  assert.equal(as.x.newDfa(d.numStates, d.numClasses, d.numStates, d.accept, d.dead), -1);
  assert.ok(as.x.newDfa(d.numStates, d.numClasses, d.start, d.accept, d.dead) >= 0);
  assert.equal(as.match(h.re, B("xxabcxx"), true).matched, true);
});
