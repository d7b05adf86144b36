/**
 * Per-CRS-version suite: compile every static `@rx` pattern, record tiers/sizes/compile time, and run the
 * differential test against PCRE2 (match result + TX:0..9 captures) over the regression-test values that
 * target each rule plus generated subjects. Also checks internal consistency (DFA / lazy DFA / Pike VM) and
 * prefilter-factor soundness on every subject PCRE2 matches.
 *
 * WAF_REGEX_EXHAUSTIVE=1 raises the generated subjects per pattern ×8 and also feeds every regression value
 * of the version to every pattern.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { compileRegex, matchCompiled, LazyDfa, pikeSearch, type CompiledRegex } from "../../../rulesets/regex/index";
import { type CrsVersion, crsAvailable, extractRxPatterns, isStaticPattern, collectTestSubjects, REPO_ROOT } from "./crs-helpers";
import { pcre2Unavailable, runPcre2, type PcreJob } from "./pcre2";
import { generateSubjects, rng } from "./gen";

const EXHAUSTIVE = process.env.WAF_REGEX_EXHAUSTIVE === "1";
const KNOWN_FILE = join(REPO_ROOT, "tests/rulesets/regex/pcre2-known-differences.json");

interface KnownDifference {
  version: string;
  pattern: string;
  subjectHex: string;
  reason: string;
}

function known(): KnownDifference[] {
  return existsSync(KNOWN_FILE) ? (JSON.parse(readFileSync(KNOWN_FILE, "utf8")) as KnownDifference[]) : [];
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : 0;
};
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** Hand-written subjects for the backtracking-tier pattern (v3.3.4 942130), which has no automaton to derive from. */
const SQL_TAUTOLOGIES = [
  "1=1", "a=a", "1 = 2", "x' or 'a'='a", "'1'='1'", "abc like abc", "abc like abd", "1<>2", "1 <> 1", "a!=b", "a != a",
  "foo<=>foo", "foo<=>bar", "x regexp x", "x not like y", "1 is not 1", "a>=b", "a>b", "a^a", "1 sounds like 1",
  "(1)=(1)", "`a`=`a`", "a <= a", "a<=b", "aa=a", "a=aa", "2 rlike 2", "x is not y",
];

export function crsSuite(version: CrsVersion): void {
  const skipCrs = crsAvailable() ? false : `CRS copies not found under WAF_SHARED_DIR (${join(REPO_ROOT, "../shared")})`;
  let compiled: { pattern: string; ruleIds: Set<number>; c: CompiledRegex }[] = [];

  test(`${version}: every @rx pattern compiles (tiers, sizes, compile time)`, { skip: skipCrs }, (t) => {
    const extracted = extractRxPatterns(version);
    const byPattern = new Map<string, Set<number>>();
    for (const e of extracted) {
      if (!isStaticPattern(e.pattern)) continue;
      let s = byPattern.get(e.pattern);
      if (!s) byPattern.set(e.pattern, (s = new Set()));
      s.add(e.ruleId);
    }
    const t0 = performance.now();
    const failures: string[] = [];
    compiled = [];
    for (const [pattern, ruleIds] of byPattern) {
      try {
        compiled.push({ pattern, ruleIds, c: compileRegex(pattern) });
      } catch (e) {
        failures.push(`${[...ruleIds].join(",")}: ${(e as Error).message}`);
      }
    }
    const ms = performance.now() - t0;
    const tiers: Record<string, number> = {};
    for (const x of compiled) tiers[x.c.tier] = (tiers[x.c.tier] ?? 0) + 1;
    const dfas = compiled.filter((x) => x.c.dfa).map((x) => x.c.dfa!);
    const states = dfas.map((d) => d.numStates);
    const classes = dfas.map((d) => d.numClasses);
    const bytes = dfas.reduce((a, d) => a + d.numStates * d.numClasses * 2 + d.numStates, 0);
    const withFactors = compiled.filter((x) => x.c.factors.length > 0).length;
    const lazy = compiled.filter((x) => x.c.tier === "lazy");
    const summary = {
      version,
      uniquePatterns: byPattern.size,
      dynamicPatternsSkipped: new Set(extracted.filter((e) => !isStaticPattern(e.pattern)).map((e) => e.pattern)).size,
      tiers,
      dfaStates: { median: pct(states, 50), p90: pct(states, 90), p99: pct(states, 99), max: Math.max(0, ...states) },
      byteClasses: { median: pct(classes, 50), max: Math.max(0, ...classes) },
      dfaTableBytesDenseU16: bytes,
      lazyTier: lazy.map((x) => `${[...x.ruleIds].join(",")}:${x.c.stats.subsetCapped ? ">" : ""}${x.c.stats.subsetStates}/${x.c.stats.dfaStates || "?"}`),
      patternsWithFactors: withFactors,
      compileMsTotal: Math.round(ms),
      compileMsMax: Math.round(Math.max(0, ...compiled.map((x) => x.c.stats.compileMs))),
    };
    t.diagnostic(JSON.stringify(summary));
    console.log(`[regex ${version}] ${JSON.stringify(summary)}`);
    assert.deepEqual(failures, []);
  });

  const noPcre = pcre2Unavailable();
  test(`${version}: differential against PCRE2 (DOTALL|MULTILINE): match result and TX:0..9`, { skip: skipCrs || (noPcre ?? false) }, (t) => {
    assert.ok(compiled.length > 0, "compile test must run first");
    const bySubjects = collectTestSubjects(version);
    const allValues = EXHAUSTIVE ? [...new Set([...bySubjects.values()].flatMap((s) => [...s]))] : [];
    const jobs: PcreJob[] = [];
    let seed = 1;
    for (const x of compiled) {
      const subs = new Map<string, Uint8Array>();
      const add = (u: Uint8Array) => subs.set(hex(u), u);
      for (const id of x.ruleIds) for (const v of bySubjects.get(id) ?? []) add(Buffer.from(v, "latin1"));
      for (const v of allValues) add(Buffer.from(v, "latin1"));
      for (const g of generateSubjects(x.c, seed++, EXHAUSTIVE ? 8 : 1)) add(g);
      if (x.c.tier === "backtrack") {
        const r = rng(seed);
        for (const s of SQL_TAUTOLOGIES) {
          add(Buffer.from(s, "latin1"));
          add(Buffer.from(s.toUpperCase(), "latin1"));
          add(Buffer.from(`id=${s}&x=${Math.floor(r() * 100)}`, "latin1"));
        }
      }
      jobs.push({ pattern: x.pattern, subjects: [...subs.values()] });
    }
    const t0 = performance.now();
    const results = runPcre2(jobs);
    const pcreMs = performance.now() - t0;
    const knownList = known().filter((k) => k.version === version);
    const isKnown = (p: string, s: Uint8Array) => knownList.some((k) => k.pattern === p && k.subjectHex === hex(s));
    const diffs: string[] = [];
    let subjects = 0;
    let pcreMatches = 0;
    let pcreErrors = 0;
    const pcreErrorKinds: Record<string, number> = {};
    let oursMatchedOnPcreErrors = 0;
    let knownHits = 0;
    let consistencyChecks = 0;
    const t1 = performance.now();
    for (let i = 0; i < compiled.length; i++) {
      const { pattern, ruleIds, c } = compiled[i]!;
      const res = results[i]!;
      const label = `[${[...ruleIds].join(",")}] /${pattern.length > 80 ? pattern.slice(0, 80) + "…" : pattern}/`;
      if (!res.compile.ok) {
        diffs.push(`${label}: PCRE2 rejects the pattern (${res.compile.error}) but we compiled it`);
        continue;
      }
      if (res.compile.captureCount !== c.groups) diffs.push(`${label}: capture count ${c.groups} ≠ PCRE2 ${res.compile.captureCount}`);
      const lazy = c.tier === "dfa" && c.nfa ? new LazyDfa(c.nfa, pattern, { cacheStates: 64 }) : null;
      for (let k = 0; k < jobs[i]!.subjects.length; k++) {
        const s = jobs[i]!.subjects[k]!;
        const p = res.matches[k]!;
        subjects++;
        if (p.kind === "error") {
          // PCRE2 gave up (match/depth limit, JIT stack): ModSecurity treats that as "no match" plus a log line;
          // an automaton has no such limit, so these subjects are not comparable. Counted and reported.
          pcreErrors++;
          const key = `${[...ruleIds].join(",")}:rc=${p.code}`;
          pcreErrorKinds[key] = (pcreErrorKinds[key] ?? 0) + 1;
          if (matchCompiled(c, s).matched) oursMatchedOnPcreErrors++;
          continue;
        }
        const mine = matchCompiled(c, s, { captures: true });
        const pm = p.kind === "match";
        if (pm) pcreMatches++;
        // internal consistency: lazy DFA and Pike VM (match-only program) agree with the table DFA
        if (lazy && (pm || k % 4 === 0)) {
          consistencyChecks++;
          const lz = lazy.match(s);
          const pk = pikeSearch(c.nfa!, s) !== null;
          if (lz !== mine.matched || pk !== mine.matched)
            diffs.push(`${label}: internal walkers disagree on ${JSON.stringify(Buffer.from(s).toString("latin1"))} (dfa=${mine.matched} lazy=${lz} pike=${pk})`);
        }
        let problem = "";
        if (mine.matched !== pm) problem = `match ${mine.matched} vs PCRE2 ${pm}`;
        else if (pm && p.kind === "match") {
          const ov = p.ovector;
          for (let g = 0; g < 10; g++) {
            const m = mine.captures![g] ?? null;
            const ms = m ? m[0] : -1;
            const me = m ? m[1] : -1;
            if (ms !== ov[2 * g] || me !== ov[2 * g + 1]) {
              problem = `TX:${g} [${ms},${me}) vs PCRE2 [${ov[2 * g]},${ov[2 * g + 1]})`;
              break;
            }
          }
          // prefilter soundness: some factor occurs in the lowercased subject
          if (!problem && c.factors.length) {
            const low = Buffer.from(s).toString("latin1").replace(/[A-Z]/g, (ch) => ch.toLowerCase());
            if (!c.factors.some((f) => low.includes(f))) problem = `prefilter factors ${JSON.stringify(c.factors.slice(0, 5))} unsound`;
          }
          // required-byte soundness: the subject holds a byte of the required set
          const req = c.requiredBytes;
          if (!problem && req && !Array.from(s).some((b) => (req[b >>> 5]! & (1 << (b & 31))) !== 0)) problem = "required bytes unsound";
        }
        if (problem) {
          if (isKnown(pattern, s)) knownHits++;
          else diffs.push(`${label} on ${JSON.stringify(Buffer.from(s).toString("latin1")).slice(0, 200)} (hex ${hex(s).slice(0, 400)}): ${problem}`);
        }
      }
    }
    const summary = {
      version,
      patterns: compiled.length,
      subjects,
      pcreMatches,
      pcreMatchErrors: pcreErrors,
      pcreMatchErrorKinds: pcreErrorKinds,
      oursMatchedOnPcreErrors,
      consistencyChecks,
      knownDifferences: knownHits,
      unexplainedDifferences: diffs.length,
      pcreMs: Math.round(pcreMs),
      oursMs: Math.round(performance.now() - t1),
      exhaustive: EXHAUSTIVE,
    };
    t.diagnostic(JSON.stringify(summary));
    console.log(`[regex ${version} differential] ${JSON.stringify(summary)}`);
    if (diffs.length) console.log(diffs.slice(0, 60).join("\n"));
    assert.equal(diffs.length, 0, `${diffs.length} unexplained differences against PCRE2 (first: ${diffs[0]})`);
  });
}
