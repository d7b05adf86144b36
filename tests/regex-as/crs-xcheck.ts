/**
 * Cross-check of the AssemblyScript matchers (filter/regex) against the TS reference matchCompiled() on every static
 * @rx pattern of a CRS version: the regression-test values that target each rule, subjects generated from the
 * automata (tests/rulesets/regex/gen.ts), and one long subject per pattern made of all of them. Compared: match
 * result, error flag, TX:0..9 (through the facade), and walker by walker: the AS lazy DFA with a tiny cache (flushes
 * and Pike fallback exercised) and the AS Pike VM on the match-only program against the reference result.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { matchCompiled, type MatchResult } from "../../rulesets/regex/index";
import { collectTestSubjects, crsAvailable, SHARED_DIR, type CrsVersion } from "../rulesets/regex/crs-helpers";
import { generateSubjects, rng } from "../rulesets/regex/gen";
import { AsRegex, type AsMatch } from "./harness";
import { compiledCrs } from "./crs-cache";

const TAUTOLOGIES = ["1=1", "a=a", "1 = 2", "x' or 'a'='a", "abc like abc", "1<>2", "a != a", "foo<=>foo", "x regexp x", "1 is not 1", "a>=b", "a^a", "(1)=(1)", "`a`=`a`", "aa=a", "2 rlike 2"];

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const show = (b: Uint8Array) => JSON.stringify(Buffer.from(b).toString("latin1")).slice(0, 160);

export function compareResults(ref: MatchResult, mine: AsMatch, groups: number): string {
  if (ref.matched !== mine.matched) return `match ${mine.matched} vs reference ${ref.matched}`;
  const refErr = ref.error === "match-limit" ? 1 : 0;
  if (refErr !== mine.error) return `error flag ${mine.error} vs reference ${ref.error ?? "none"}`;
  if (ref.matched && ref.captures) {
    const n = Math.min(groups, 9) + 1;
    if (!mine.captures || mine.captures.length !== n) return `captures count ${mine.captures?.length} vs ${n}`;
    for (let g = 0; g < n; g++) {
      const a = ref.captures[g] ?? null;
      const b = mine.captures[g] ?? null;
      if (JSON.stringify(a) !== JSON.stringify(b)) return `TX:${g} ${JSON.stringify(b)} vs reference ${JSON.stringify(a)}`;
    }
  }
  return "";
}

export function crsCrossCheck(version: CrsVersion): void {
  const skip = crsAvailable() ? false : `CRS copies not found under WAF_SHARED_DIR (${SHARED_DIR})`;
  test(`${version}: AS matchers agree with matchCompiled on every @rx pattern (match, flags, TX:0..9)`, { skip }, async (t) => {
    const t0 = performance.now();
    const { patterns, failures, cacheHits } = compiledCrs(version);
    const compileMs = performance.now() - t0;
    assert.deepEqual(failures, [], "every static pattern compiles");
    const as = await AsRegex.create();
    const bySubjects = collectTestSubjects(version);
    const diffs: string[] = [];
    const n = { patterns: patterns.length, subjects: 0, matches: 0, withCaptures: 0, limitFlags: 0, lazyChecks: 0, lazyFallbacks: 0, pikeChecks: 0, longSubjects: 0, longBytes: 0 };
    const tiers: Record<string, number> = {};
    let seed = 7;
    const t1 = performance.now();
    for (const { pattern, ruleIds, c } of patterns) {
      tiers[c.tier] = (tiers[c.tier] ?? 0) + 1;
      const h = as.add(c);
      const label = `[${[...ruleIds].join(",")}] /${pattern.length > 70 ? pattern.slice(0, 70) + "…" : pattern}/ (${c.tier})`;
      const subs = new Map<string, Uint8Array>();
      const add = (u: Uint8Array) => subs.set(hex(u), u);
      for (const id of ruleIds) for (const v of bySubjects.get(id) ?? []) add(Buffer.from(v, "latin1"));
      for (const g of generateSubjects(c, seed++, 1)) add(g);
      if (c.tier === "backtrack") {
        const r = rng(seed);
        for (const s of TAUTOLOGIES) {
          add(Buffer.from(s, "latin1"));
          add(Buffer.from(s.toUpperCase(), "latin1"));
          add(Buffer.from(`id=${s}&x=${Math.floor(r() * 100)}`, "latin1"));
        }
      }
      // one long subject: every subject joined by random separators (long-input paths, lazy DFA cache pressure)
      {
        const r = rng(seed * 31);
        const parts: number[] = [];
        for (const s of subs.values()) {
          parts.push(...s, [0x20, 0x0a, 0x00, 0x26, 0xff][Math.floor(r() * 5)]!);
          if (parts.length > 1 << 15) break;
        }
        add(Uint8Array.from(parts));
        n.longSubjects++;
        n.longBytes += parts.length;
      }
      let k = 0;
      for (const s of subs.values()) {
        k++;
        n.subjects++;
        const ref = matchCompiled(c, s, { captures: true });
        const mine = as.match(h.re, s, true);
        if (ref.matched) n.matches++;
        if (ref.captures) n.withCaptures++;
        if (ref.error) n.limitFlags++;
        let problem = compareResults(ref, mine, c.groups);
        if (!problem) {
          const m2 = as.match(h.re, s, false);
          if (m2.matched !== ref.matched || m2.error !== (ref.error && c.tier === "backtrack" ? 1 : 0))
            problem = `match-only call: ${m2.matched}/${m2.error}`;
        }
        if (!problem && c.nfa && (ref.matched || k % 3 === 0)) {
          // walker level: a tiny lazy cache (flushes, fallback) and the match-only Pike VM
          const lz = as.lazy(h.nfa, s, 16, 2);
          n.lazyChecks++;
          if (lz & 2) n.lazyFallbacks++;
          if ((lz & 1) === 1 !== ref.matched) problem = `lazy DFA (16 states) says ${(lz & 1) === 1}`;
          const pk = as.pike(h.nfa, s, 0) !== null;
          n.pikeChecks++;
          if (!problem && pk !== ref.matched) problem = `match-only Pike VM says ${pk}`;
          if (!problem && c.dfa && as.dfa(h.dfa, s) !== ref.matched) problem = `DFA walker says ${!ref.matched}`;
        }
        if (problem) diffs.push(`${label} on ${show(s)} (len ${s.length}, hex ${hex(s).slice(0, 120)}): ${problem}`);
      }
    }
    const summary = { version, ...n, tiers, differences: diffs.length, cacheHits, compileMs: Math.round(compileMs), checkMs: Math.round(performance.now() - t1) };
    t.diagnostic(JSON.stringify(summary));
    console.log(`[regex-as ${version}] ${JSON.stringify(summary)}`);
    if (diffs.length) console.log(diffs.slice(0, 40).join("\n"));
    assert.equal(diffs.length, 0, `${diffs.length} differences (first: ${diffs[0]})`);
    assert.ok(n.subjects > 1000 && n.matches > 100, "the suite really ran");
  });
}
