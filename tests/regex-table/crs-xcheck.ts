/**
 * Cross-check of the table path of @rx: a full CRS version compiled by compileRuleSet -> WAFT table -> the filter's
 * loadTable + decodeProgram + buildRegexes (filter/program/regexes.ts) -> filter/regex match(), against the TS
 * reference matchCompiled() on the CompiledRegex the compiler encoded, for every regex of the directory: the
 * regression-test values of the rules that use it, subjects generated from its automata, and one long subject made
 * of all of them. Compared: match, error flag, TX:0..9 (for regexes the table holds a capture structure for), and a
 * match-only call. Prefilter: every subject the reference matches must leave the regex a candidate (soundness), and
 * the candidate bit must be exactly "no factors, or a factor occurs (ASCII case-folded)" and "no required bytes, or
 * a byte of one of the required atoms occurs".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { matchCompiled } from "../../rulesets/regex/index";
import { holdsRequiredAtom, requiredAtoms } from "../../rulesets/regex/required-bytes";
import { collectTestSubjects, crsAvailable, SHARED_DIR, type CrsVersion } from "../rulesets/regex/crs-helpers";
import { generateSubjects, rng } from "../rulesets/regex/gen";
import { TIER_CODE, CAPTURE_CODE } from "../regex-as/encode";
import { compareResults } from "../regex-as/crs-xcheck";
import { AsRegexTable } from "./harness";
import { crsTable } from "./crs-table";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const show = (b: Uint8Array) => JSON.stringify(Buffer.from(b).toString("latin1")).slice(0, 160);
const foldAscii = (b: Uint8Array) => Buffer.from(b.map((x) => (x >= 0x41 && x <= 0x5a ? x | 0x20 : x))).toString("latin1");

export function regexTableCrossCheck(version: CrsVersion): void {
  const skip = crsAvailable() ? false : `CRS copies not found under WAF_SHARED_DIR (${SHARED_DIR})`;
  test(`${version}: regexes built from the compiled table agree with matchCompiled (match, flags, TX:0..9, prefilter)`, { skip }, () => {
    const crs = crsTable(version);
    const as = AsRegexTable.create();
    const loaded = as.load(crs.table);
    assert.equal(loaded.code, 0, `the filter refused the ${version} table: ${loaded.message}`);
    assert.equal(as.count, crs.regexes.length, "regex count");
    const bySubjects = collectTestSubjects(version);
    const diffs: string[] = [];
    const n = {
      regexes: crs.regexes.length, subjects: 0, matches: 0, captureChecks: 0, limitFlags: 0, captureFallbacks: 0, longBytes: 0,
      prefiltered: as.prefiltered, prefilterSkips: 0, prefilterNonMatches: 0,
    };
    const tiers: Record<string, number> = {};
    const required = requiredAtoms(crs.compiled.map((c) => c.requiredBytes)); // as the compiler partitions them
    let seed = 11;
    const t1 = performance.now();
    crs.regexes.forEach((ri, i) => {
      const c = crs.compiled[i]!;
      const label = `#${i} [${crs.ruleIds[i]!.join(",")}] /${ri.pattern.length > 70 ? ri.pattern.slice(0, 70) + "…" : ri.pattern}/ (${c.tier})`;
      tiers[c.tier] = (tiers[c.tier] ?? 0) + 1;
      // the structure the table produced is the one the compiler meant
      const info = as.info(i);
      const wantCapture = ri.captureSection >= 0 || c.tier === "backtrack";
      const expInfo = { tier: TIER_CODE[c.tier], captureEngine: c.captureEngine === "backtrack" && wantCapture ? CAPTURE_CODE.backtrack : CAPTURE_CODE.pike, groups: c.groups, canCapture: wantCapture };
      if (JSON.stringify(info) !== JSON.stringify(expInfo)) diffs.push(`${label}: built ${JSON.stringify(info)}, expected ${JSON.stringify(expInfo)}`);
      if ((ri.factors.length > 0) !== (c.factors.length > 0)) diffs.push(`${label}: factors differ between RegexInfo and CompiledRegex`);
      const subs = new Map<string, Uint8Array>();
      const add = (u: Uint8Array) => subs.set(hex(u), u);
      for (const id of crs.ruleIds[i]!) for (const v of bySubjects.get(id) ?? []) add(Buffer.from(v, "latin1"));
      for (const g of generateSubjects(c, seed++, 1)) add(g);
      for (const f of c.factors) add(Buffer.from(`x${f.toUpperCase()}y`, "latin1"));
      {
        const r = rng(seed * 31);
        const parts: number[] = [];
        for (const s of subs.values()) {
          parts.push(...s, [0x20, 0x0a, 0x00, 0x26, 0xff][Math.floor(r() * 5)]!);
          if (parts.length > 1 << 15) break;
        }
        add(Uint8Array.from(parts));
        n.longBytes += parts.length;
      }
      const factors = c.factors.map((f) => foldAscii(Buffer.from(f, "latin1")));
      for (const s of subs.values()) {
        n.subjects++;
        as.input(s);
        const ref = matchCompiled(c, s, { captures: wantCapture });
        if (ref.matched) n.matches++;
        if (ref.error) n.limitFlags++;
        const mine = as.match(i, wantCapture);
        let problem = "";
        if (wantCapture && c.tier !== "backtrack" && c.captureEngine === "backtrack" && ref.error) {
          // no Pike program in the table for these: the match stands, flagged, without captures
          n.captureFallbacks++;
          if (!mine.matched || mine.error !== 1 || (mine.captures?.length ?? 0) !== 0) problem = `backtracked captures over budget: ${JSON.stringify(mine)}`;
        } else {
          problem = compareResults(ref, mine, c.groups);
          if (wantCapture && ref.matched) n.captureChecks++;
        }
        if (!problem) {
          const m2 = as.match(i, false);
          if (m2.matched !== ref.matched || m2.error !== (ref.error && c.tier === "backtrack" ? 1 : 0)) problem = `match-only call: ${m2.matched}/${m2.error}`;
        }
        if (!problem) {
          const found = as.scan();
          const cand = as.mayMatch(i);
          const folded = factors.length ? foldAscii(s) : "";
          const expected = (factors.length === 0 || factors.some((f) => folded.includes(f))) && holdsRequiredAtom(required, i, s);
          if (found < 0) problem = "prefilter fault";
          else if (ref.matched && !cand) problem = "prefilter skipped a matching value (unsound)";
          else if (cand !== expected) problem = `prefilter says ${cand}, factors ${JSON.stringify(c.factors)} and required bytes say ${expected}`;
          if (!ref.matched) {
            n.prefilterNonMatches++;
            if (!cand) n.prefilterSkips++;
          }
        }
        if (problem) diffs.push(`${label} on ${show(s)} (len ${s.length}, hex ${hex(s).slice(0, 120)}): ${problem}`);
      }
    });
    const summary = { version, ...n, tiers, differences: diffs.length, tableBytes: crs.table.length, tableFromCache: crs.fromCache, tableMs: crs.ms, checkMs: Math.round(performance.now() - t1) };
    console.log(`[regex-table ${version}] ${JSON.stringify(summary)}`);
    if (diffs.length) console.log(diffs.slice(0, 40).join("\n"));
    assert.equal(diffs.length, 0, `${diffs.length} differences (first: ${diffs[0]})`);
    assert.ok(n.subjects > 1000 && n.matches > 100 && n.captureChecks > 100, "the suite really ran");
  });
}
