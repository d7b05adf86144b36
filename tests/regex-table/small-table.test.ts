// The small table of small-table.ts: the as-pect fixture is what the current compiler writes; the filter builds its
// regexes and agrees with the TS reference; and corrupting the regex sections (checksum re-sealed, so the damage
// reaches the validators) never traps: the table is refused by the loader or by buildRegexes, or it loads and every
// regex still runs without a trap.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { SectionKind } from "../../rulesets/tables/format";
import { readTable } from "../../rulesets/tables/reader";
import { crc32 } from "../../rulesets/tables/crc32";
import { matchCompiled } from "../../rulesets/regex/index";
import { rng } from "../support/prng";
import { compareResults } from "../regex-as/crs-xcheck";
import { AsRegexTable } from "./harness";
import { compileSmall, fixturesPath, renderRegexFixtures, smallCompiled, SMALL_SUBJECTS } from "./small-table";

it("filter/program/__tests__/regexes_fixtures.ts is up to date (node --import tsx tests/regex-table/small-table.ts --write)", () => {
  assert.equal(readFileSync(fixturesPath, "utf8"), renderRegexFixtures());
});

it("small table: every regex shape is built and agrees with matchCompiled", () => {
  const res = compileSmall();
  const compiled = smallCompiled(res);
  const as = AsRegexTable.create();
  const r = as.load(res.table);
  assert.equal(r.code, 0, r.message);
  assert.equal(as.count, res.regexes.length);
  const shapes = new Set<string>();
  res.regexes.forEach((ri, i) => {
    const c = compiled[i]!;
    shapes.add(`${c.tier}/${c.captureEngine}/${ri.captureSection >= 0 ? "cap" : "nocap"}${c.dfa && c.dfa.numStates > 256 ? "/u16" : ""}`);
    const want = ri.captureSection >= 0 || c.tier === "backtrack";
    for (const s of SMALL_SUBJECTS) {
      const b = Buffer.from(s, "latin1");
      as.input(b);
      const ref = matchCompiled(c, b, { captures: want });
      const problem = compareResults(ref, as.match(i, want), c.groups);
      assert.equal(problem, "", `/${c.pattern}/ on ${JSON.stringify(s)}`);
      assert.ok(as.scan() >= 0);
      if (ref.matched) assert.ok(as.mayMatch(i), `prefilter skipped /${c.pattern}/ on ${JSON.stringify(s)}`);
    }
  });
  for (const want of ["dfa/pike/cap", "dfa/pike/nocap/u16", "lazy/pike/cap", "backtrack/backtrack/cap", "dfa/backtrack/cap"]) assert.ok(shapes.has(want), `shape ${want} covered (${[...shapes].join(", ")})`);
});

it("small table: corrupt regex sections are refused or still run, never trap", () => {
  const res = compileSmall();
  const table = res.table;
  const kinds = new Set<number>([SectionKind.REGEX_DFA, SectionKind.REGEX_NFA, SectionKind.REGEX_CAPTURE, SectionKind.REGEX_BACKTRACK, SectionKind.REGEX_PREFILTER_MAP, SectionKind.REGEX_PREFILTER_AC]);
  const targets = readTable(table).sections.filter((s) => kinds.has(s.kind));
  const as = AsRegexTable.create();
  const r = rng(4242);
  const outcome = { loaded: 0, refusedByLoader: 0, refusedByRegexes: 0, runs: 0 };
  const messages = new Set<string>();
  const interesting = [0, 1, 2, 3, 7, 8, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
  for (let k = 0; k < 3000; k++) {
    const t = Uint8Array.from(table);
    const dv = new DataView(t.buffer);
    const sec = targets[Math.floor(r() * targets.length)]!;
    const edits = 1 + Math.floor(r() * 3);
    for (let e = 0; e < edits; e++) {
      if (r() < 0.5) {
        const at = sec.offset + 4 * Math.floor((r() * sec.size) / 4);
        if (at + 4 <= sec.offset + sec.size) dv.setUint32(at, r() < 0.7 ? interesting[Math.floor(r() * interesting.length)]! : dv.getUint32(at, true) + (r() < 0.5 ? 1 : -1), true);
      } else t[sec.offset + Math.floor(r() * sec.size)] = Math.floor(r() * 256);
    }
    dv.setUint32(8, crc32(t, 12, t.length), true);
    const got = as.load(t); // a trap throws here
    if (got.code === 1) outcome.refusedByLoader++;
    else if (got.code === 3) {
      outcome.refusedByRegexes++;
      assert.match(got.message, /\S/);
      messages.add(got.message.replace(/\d+/g, "N"));
    } else {
      assert.equal(got.code, 0, got.message);
      outcome.loaded++;
      for (let i = 0; i < as.count; i++)
        for (const s of SMALL_SUBJECTS.slice(0, 12)) {
          as.input(Buffer.from(s, "latin1"));
          as.match(i, true);
          as.match(i, false);
          as.scan();
          outcome.runs++;
        }
    }
  }
  console.log(`[regex-table corrupt] ${JSON.stringify(outcome)}; buildRegexes refusals: ${[...messages].slice(0, 12).join(" | ")}`);
  assert.ok(outcome.refusedByLoader > 100 && outcome.loaded > 100, JSON.stringify(outcome));
});
