/**
 * Unit tests of the regex compiler: parser errors, unsupported constructs, tier routing, walkers agreeing,
 * prefilter factors, and a differential test of hand-written edge-case patterns against PCRE2 over all
 * short strings of a small alphabet plus automaton-generated strings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  compileRegex, matchCompiled, captureStrings, parseRegex, RegexSyntaxError, UnsupportedRegexError, LazyDfa, pikeSearch,
  dfaMatch, type CompiledRegex,
} from "../../../rulesets/regex/index";
import { requiredFactors } from "../../../rulesets/regex/factors";
import { MAX_ATOMS, requiredAtoms, requiredBytes } from "../../../rulesets/regex/required-bytes";
import { pcre2Unavailable, runPcre2 } from "./pcre2";
import { generateSubjects } from "./gen";
import { crsAvailable, extractRxPatterns } from "./crs-helpers";

const B = (s: string) => Buffer.from(s, "latin1");
const m = (p: string, s: string) => matchCompiled(compileRegex(p), B(s)).matched;
const caps = (p: string, s: string) => {
  const c = compileRegex(p);
  return captureStrings(B(s), matchCompiled(c, B(s), { captures: true }));
};

test("syntax errors carry the offset and what was expected", () => {
  const cases: [string, number][] = [
    ["a(b", 3],
    ["a)", 1],
    ["*a", 0],
    ["[a", 2],
    ["a{3,2}", 1],
    ["ab\\", 2],
    ["[z-a]", 3],
    ["\\u0041", 0],
    ["(?<n>a)(?<n>b)", 12],
    ["a\\2(b)", 1],
    ["[[:foo:]]", 1],
    ["(?z)", 2],
    ["(?<!&(?:amp|lt));", 0],
    ["(?<=a(?:b|c)+)d", 0],
  ];
  for (const [p, off] of cases) {
    assert.throws(
      () => compileRegex(p),
      (e: unknown) => e instanceof RegexSyntaxError && e.offset === off && e.expected.length > 0,
      `/${p}/ should fail at ${off}`,
    );
  }
});

test("unsupported constructs throw UnsupportedRegexError naming the construct", () => {
  const cases: [string, RegExp][] = [
    ["(?>a)", /atomic/],
    ["(?|a|b)", /branch-reset/],
    ["a\\Kb", /\\K/],
    ["(?x) a", /option/],
    ["a(?=bc)d", /multi-byte look-ahead/],
    ["(ab)++", /possessive/],
    ["(?-m)a$", /\\Z/],
    ["(?(1)a|b)", /conditional/],
    ["(*UTF)a", /verb/],
    ["\\p{L}", /Unicode property/],
  ];
  for (const [p, re] of cases)
    assert.throws(() => compileRegex(p), (e: unknown) => e instanceof UnsupportedRegexError && re.test(e.construct), p);
});

test("ModSecurity v3 semantics: DOTALL | MULTILINE on bytes", () => {
  assert.equal(m("a.b", "a\nb"), true); // DOTALL
  assert.equal(m("^b", "a\nb"), true); // ^ after an internal newline
  assert.equal(m("^", "a\n"), true); // at start
  assert.equal(m("\\n^", "a\n"), false); // not after a final newline
  assert.equal(m("a$", "a\nb"), true); // $ before any newline
  assert.equal(m("a$", "ab"), false);
  assert.equal(m("a\\z", "a\n"), false);
  assert.equal(m("\\x{bc}", "\xbc"), true); // byte 0xBC, not U+00BC in UTF-8
  assert.equal(m("(?i)\xe9", "\xc9"), false); // case folding is ASCII only
  assert.equal(m("\\s", "\x0b"), true);
  assert.equal(m("\\w", "\xe9"), false);
  assert.equal(m("a(?i)b|c", "C"), true); // (?i) carries into later alternatives of the group
  assert.equal(m("(a(?i)b)|c", "C"), false); // ... but not out of its group
  assert.equal(m("(?i:a)b", "AB"), false);
  assert.equal(m("\\Qa.b\\E", "a.b"), true);
  assert.equal(m("\\Qa.b\\E", "axb"), false);
  assert.equal(m("[[:alpha:]]+\\d", "ab1"), true);
  assert.equal(m("\\101", "A"), true); // octal
  assert.equal(m("\\bfoo\\b", "a foo."), true);
  assert.equal(m("\\bfoo\\b", "afoo"), false);
});

test("possessive quantifiers on byte sets are exact (not treated as greedy)", () => {
  assert.equal(m("a++a", "aaaa"), false);
  assert.equal(m("a{2,}+b", "aaab"), true);
  assert.equal(m("[ab]*+b", "aab"), false);
  assert.equal(m("a{1,2}+a", "aaa"), true);
  assert.equal(m("a{1,2}+a", "aa"), false);
  assert.equal(m("a?+a", "a"), false);
  // v3.3.4 920600 (possessive `*+` on byte sets): charset=utf-7 must be caught
  if (crsAvailable()) {
    const p = extractRxPatterns("v3.3.4").find((e) => e.ruleId === 920600)!.pattern;
    assert.match(p, /\*\+/);
    const c = compileRegex(p);
    // the rule is `!@rx`: it fires when the pattern does NOT match
    assert.equal(matchCompiled(c, B("text/html; charset=utf-8")).matched, true);
    assert.equal(matchCompiled(c, B("text/html; charset=utf-7")).matched, false);
    // treating `\s*+` / `[...]++` as greedy would accept utf-7 (the rule would miss it)
    const greedy = compileRegex(p.replace(/([*+])\+/g, "$1"));
    assert.equal(matchCompiled(greedy, B("text/html; charset=utf-7")).matched, true);
  }
});

test("look-arounds: 920120 look-behind, 953120 (?!xml), one-byte look-ahead", () => {
  const p920120 = "(?<!&(?:[aAoOuUyY]uml)|&(?:[aAeEiIoOuU]circ)|&(?:[eEiIoOuUyY]acute)|&(?:[aAeEiIoOuU]grave)|&(?:[cC]cedil)|&(?:[aAnNoO]tilde)|&(?:amp)|&(?:apos));|['\"=]";
  const c = compileRegex(p920120);
  assert.equal(c.tier, "dfa");
  assert.equal(matchCompiled(c, B("file&auml;.txt")).matched, false);
  assert.equal(matchCompiled(c, B("file&xuml;.txt")).matched, true);
  assert.equal(matchCompiled(c, B("a;b")).matched, true);
  assert.equal(matchCompiled(c, B("&amp;")).matched, false);
  assert.equal(matchCompiled(c, B("x&amp;;")).matched, true);
  const x = compileRegex("<\\?(?!xml)");
  assert.equal(matchCompiled(x, B("<?xml version")).matched, false);
  assert.equal(matchCompiled(x, B("<?xm")).matched, true);
  assert.equal(matchCompiled(x, B("<?php")).matched, true);
  assert.deepEqual(caps("<\\?(?!xml)", "a<?php"), ["<?"]);
  assert.equal(m("a(?![bc])", "ab ac"), false);
  assert.equal(m("a(?![bc])", "ab ad"), true);
});

test("whole-value patterns: every subject matches with TX:0 = the subject (the filter skips matching them)", () => {
  for (const p of ["^.*$", ".*", "^.*", ".*$", "\\A.*\\z", "^^.*$$", "(?:.*)"]) {
    const c = compileRegex(p);
    assert.equal(c.wholeValue, true, p);
    for (const s of ["", "abc", "a\nb", "a\n", "\n", "\x00\xff"]) {
      const r = matchCompiled(c, B(s), { captures: true });
      assert.equal(r.matched, true, `${p} on ${JSON.stringify(s)}`);
      assert.deepEqual(r.captures![0], [0, s.length], `${p} on ${JSON.stringify(s)}`);
    }
  }
  // a group, a byte less than all, a lazy star, a required byte or an anchor elsewhere: not whole-value
  for (const p of ["^(.*)$", "^[^\\n]*$", "^.*?$", "^.+$", "^a.*$", ".*\\b", "(?i)^.*x", "^.*$|a"]) assert.equal(compileRegex(p).wholeValue, false, p);
});

test("captures: leftmost-first with PCRE priorities (TX:0..9)", () => {
  assert.deepEqual(caps("(a+)(b*?)c", "zaabbc"), ["aabbc", "aa", "bb"]);
  assert.deepEqual(caps("(a|ab)(c|bcd)(d*)", "abcd"), ["abcd", "a", "bcd", ""]);
  assert.deepEqual(caps("(.*?)=(.*)", "k=v=w"), ["k=v=w", "k", "v=w"]);
  assert.deepEqual(caps("(?:(a)|b)+", "ab"), ["ab", "a"]);
  assert.deepEqual(caps("(x)?y", "y"), ["y", null]);
  assert.deepEqual(caps("(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "abcdefghijk").length, 10);
});

test("942130 (v3.3.4): back reference + look-ahead → backtracking tier, TX:1/TX:2 as PCRE", () => {
  const p = "(?i:[\\s'\\\"`()]*?\\b([\\d\\w]+)\\b[\\s'\\\"`()]*?(?:<(?:=(?:[\\s'\\\"`()]*?(?!\\b\\1\\b)[\\d\\w]+|>[\\s'\\\"`()]*?(?:\\b\\1\\b))|>?[\\s'\\\"`()]*?(?!\\b\\1\\b)[\\d\\w]+)|(?:not\\s+(?:regexp|like)|is\\s+not|>=?|!=|\\^)[\\s'\\\"`()]*?(?!\\b\\1\\b)[\\d\\w]+|(?:(?:sounds\\s+)?like|r(?:egexp|like)|=)[\\s'\\\"`()]*?(?:\\b\\1\\b)))";
  const c = compileRegex(p);
  assert.equal(c.tier, "backtrack");
  assert.deepEqual(captureStrings(B("x 1=1"), matchCompiled(c, B("x 1=1"), { captures: true })), [" 1=1", "1"]);
  assert.equal(matchCompiled(c, B("1=2")).matched, false);
  assert.equal(matchCompiled(c, B("1!=2")).matched, true);
  assert.equal(matchCompiled(compileRegex("(a*)*\\1b"), B("a".repeat(40)), { maxSteps: 10_000 }).error, "match-limit");
});

test("tier routing: over-cap patterns go to the lazy tier and agree with the DFA", () => {
  const p = "(?i)a.{0,6}bc[^x]{2,5}d";
  const dfa = compileRegex(p);
  const lazy = compileRegex(p, { maxSubsetStates: 50 });
  assert.equal(lazy.tier, "lazy");
  assert.equal(lazy.stats.subsetCapped, "states");
  const forced = compileRegex(p, { forceTier: "lazy" });
  const subjects = generateSubjects(dfa, 7, 4);
  let matches = 0;
  for (const s of subjects) {
    const r = matchCompiled(dfa, s).matched;
    if (r) matches++;
    assert.equal(matchCompiled(lazy, s).matched, r);
    assert.equal(matchCompiled(forced, s).matched, r);
    assert.equal(pikeSearch(dfa.nfa!, s) !== null, r);
  }
  assert.ok(matches > 5);
  // a tiny cache forces flushes and the Pike VM fallback; results stay the same
  const lz = new LazyDfa(dfa.nfa!, p, { cacheStates: 4, maxFlushes: 2 });
  for (const s of subjects) assert.equal(lz.match(s), dfaMatch(dfa.dfa!, s));
});

test("required literal factors are sound and useful", () => {
  assert.deepEqual(requiredFactors(parseRegex("(?i)union\\s+select").ast), ["select"]);
  assert.deepEqual(requiredFactors(parseRegex("(?:foo|bar)baz|qux\\d").ast), ["barbaz", "foobaz", "qux"]);
  assert.deepEqual(requiredFactors(parseRegex("a.b").ast), []);
  assert.deepEqual(requiredFactors(parseRegex("(?:abc)?d").ast), []);
  assert.deepEqual(requiredFactors(parseRegex("[Aa][Bb][Cc]").ast), ["abc"]);
  assert.deepEqual(requiredFactors(parseRegex("(?:eval|exec)\\(").ast), ["eval(", "exec("]);
});

/** Edge-case patterns compared with PCRE2 over every string ≤ 4 bytes of a small alphabet + generated strings. */
const EDGE_PATTERNS = [
  "^abc$", "^$", "a$", "$", "^", "\\Aab", "ab\\z", "\\bx\\b", "\\Bx", "x\\B", "^\\b", "\\b$", "(?i)ab|cd", "a(?i)b|c",
  "(a(?i)b)c|d", "(?i:a)b", "(?i)a(?-i:b)", "(?-s).", "(?-m)^a", "\\x{61}\\x62", "\\141", "[\\d-]", "[]a]", "[^]a]", "[a-]",
  "[[:alpha:]_]+", "[[:^alpha:]]", "\\Qa.b\\E", "[\\Qa]\\E]", "\\v", "\\h", "\\s\\S", "\\W\\w", "\\d\\D",
  "(a|ab)(c|bcd)(d*)", "(a*)+", "(a*)*b", "(?:(a)|b)+", "(a|)*", "(a+?)(b*)", "(.*?)a(.*)", "((a)|(b))+", "(a){2,3}?",
  "(a?){3}", "(ab|a)(bc|c)?", "x{0}a", "(a){0}b", "()", "(a|b)*?b", "(a|b){1,3}(b)", "(?:a|(b))*c", "(a)|(b)|(c)",
  "a++b", "[ab]*+b", "a{2,3}+a", "a?+a", "\\d{2,}+\\w", "[ab]{1,}+",
  "(?<!ab)c", "(?<=a|bc)d", "(?<!&amp|&lt);|=", "<\\?(?!xml)", "a(?=b)", "a(?![bc])", "a(?=b|)", "(?<![a\\n])b",
  "(a+)\\1", "(?i)(a)\\1", "\\b(\\w+)\\s\\1\\b", "(a)(?!\\1)b",
  "^a|b$", "(?:^|a)b", "a(?:$|b)", "\\n^a", "a$\\n", "(?s)a.{2}b", "a{3}", "a{1,2}?b", "[^a]*?b", ".*a", ".+?b$",
  "\\x00", "[\\x00-\\x1f]", "\\ca", "\\e\\t", "a\\Z", "\\G[ab]",
];

test("edge-case patterns agree with PCRE2 (match result and TX:0..9)", { skip: pcre2Unavailable() ?? false }, () => {
  const jobs: { pattern: string; subjects: Uint8Array[]; c: CompiledRegex }[] = [];
  const unsupportedHere: string[] = [];
  for (const pattern of EDGE_PATTERNS) {
    let c: CompiledRegex;
    try {
      c = compileRegex(pattern);
    } catch (e) {
      if (e instanceof UnsupportedRegexError) {
        unsupportedHere.push(pattern);
        continue;
      }
      throw e;
    }
    const lits = new Set<string>();
    for (const ch of pattern.replace(/\\./g, "")) if (/[a-d&;=<?]/.test(ch)) lits.add(ch);
    const alphabet = [...lits].slice(0, 4).concat(["\n", " ", "x"]);
    const subs = new Map<string, Uint8Array>();
    const rec = (s: string) => {
      subs.set(s, B(s));
      if (s.length < 4) for (const a of alphabet) rec(s + a);
    };
    rec("");
    for (const g of generateSubjects(c, 99, 2)) subs.set(Buffer.from(g).toString("latin1"), g);
    jobs.push({ pattern, subjects: [...subs.values()], c });
  }
  assert.deepEqual(unsupportedHere, ["a\\Z"], "only \\Z (two bytes of look-ahead) is expected to be unsupported here");
  const res = runPcre2(jobs);
  const diffs: string[] = [];
  let n = 0;
  let flagged = 0;
  jobs.forEach((j, i) => {
    const r = res[i]!;
    assert.ok(r.compile.ok, `PCRE2 rejects /${j.pattern}/: ${r.compile.error}`);
    assert.equal(r.compile.captureCount, j.c.groups, j.pattern);
    j.subjects.forEach((s, k) => {
      n++;
      const p = r.matches[k]!;
      if (p.kind === "error") return;
      const mine = matchCompiled(j.c, s, { captures: true });
      if (mine.matched !== (p.kind === "match")) {
        diffs.push(`/${j.pattern}/ ${JSON.stringify(Buffer.from(s).toString("latin1"))}: ${mine.matched} vs ${p.kind}`);
        return;
      }
      if (mine.error === "match-limit") {
        flagged++; // backtracked captures over budget: explicitly flagged, Pike VM captures returned
        return;
      }
      if (p.kind === "match")
        for (let g = 0; g < 10; g++) {
          const c = mine.captures![g] ?? null;
          if ((c ? c[0] : -1) !== p.ovector[2 * g] || (c ? c[1] : -1) !== p.ovector[2 * g + 1]) {
            diffs.push(`/${j.pattern}/ ${JSON.stringify(Buffer.from(s).toString("latin1"))}: TX:${g} ${JSON.stringify(c)} vs ${p.ovector.slice(2 * g, 2 * g + 2)}`);
            break;
          }
        }
    });
  });
  console.log(`[regex edge cases] patterns=${jobs.length} subjects=${n} differences=${diffs.length} flaggedCaptureBudget=${flagged}`);
  const byPat = new Map<string, string[]>();
  for (const d of diffs) {
    const k = d.slice(0, d.indexOf("/ ") + 1);
    byPat.set(k, [...(byPat.get(k) ?? []), d]);
  }
  assert.deepEqual([...byPat.values()].map((l) => `${l.length}× ${l[0]}`), []);
});

/** Exact soundness of a required byte set against a table DFA: walking only bytes outside the set from the start
 *  state never reaches a matching state (the absorbing accept, or a state that matches at the end of input). */
function requiredSetSound(c: CompiledRegex): boolean {
  const d = c.dfa!;
  const req = c.requiredBytes!;
  const outside: number[] = [];
  for (let b = 0; b < 256; b++) if ((req[b >>> 5]! & (1 << (b & 31))) === 0) outside.push(b);
  const seen = new Set<number>([d.start]);
  const todo = [d.start];
  while (todo.length) {
    const st = todo.pop()!;
    if (st === d.accept || d.acceptAtEnd[st] === 1) return false;
    for (const b of outside) {
      const nx = d.trans[st * d.numClasses + d.classOf[b]!]!;
      if (!seen.has(nx)) {
        seen.add(nx);
        todo.push(nx);
      }
    }
  }
  return true;
}

test("required byte sets are sound (exact check on the DFA) and useful", () => {
  const show = (p: string) => {
    const r = requiredBytes(parseRegex(p).ast);
    if (!r) return null;
    let o = "";
    for (let b = 0; b < 256; b++) if ((r[b >>> 5]! & (1 << (b & 31))) !== 0) o += String.fromCharCode(b);
    return o;
  };
  assert.equal(show("a.b"), "a");
  assert.equal(show("<script|['\"]\\s*on"), "\"'<");
  assert.equal(show("x?[(]"), "(");
  assert.equal(show("(?i)k"), "Kk");
  assert.equal(show("a*"), null);
  assert.equal(show("\\bx?\\b"), null);
  assert.equal(show("(a)\\1"), "a");
  assert.equal(show("(?=<)"), null);
  const patterns = [...EDGE_PATTERNS, ...(crsAvailable() ? extractRxPatterns("v4.28.0").map((x) => x.pattern) : [])];
  let checked = 0;
  for (const p of patterns) {
    let c: CompiledRegex;
    try {
      c = compileRegex(p);
    } catch {
      continue;
    }
    if (!c.requiredBytes || c.tier !== "dfa") continue;
    assert.ok(requiredSetSound(c), `required bytes of ${p} unsound`);
    checked++;
  }
  assert.ok(checked > 20, `only ${checked} patterns checked`);
});

test("required atoms cover every required set, within 64 atoms", () => {
  const sets = [...EDGE_PATTERNS, ...(crsAvailable() ? extractRxPatterns("v4.28.0").map((x) => x.pattern) : [])].map((p) => {
    try {
      return requiredBytes(parseRegex(p).ast);
    } catch {
      return null;
    }
  });
  const { atomOf, masks } = requiredAtoms(sets);
  assert.ok(atomOf.every((a) => a < MAX_ATOMS));
  sets.forEach((s, i) => {
    assert.equal(masks[i] === null, s === null);
    if (!s) return;
    const [lo, hi] = masks[i]!;
    for (let b = 0; b < 256; b++) {
      if ((s[b >>> 5]! & (1 << (b & 31))) === 0) continue;
      const a = atomOf[b]!;
      assert.ok(((a < 32 ? lo : hi) & (1 << (a & 31))) !== 0, `set ${i}: byte ${b} outside its atoms`);
    }
  });
});
