// The CRS regression runner: load a suite, apply the overrides, send every stage an engine can see through
// the engine in one batch, judge each test, and summarize.
import { crsRuleFiles, ruleCatalog, type RuleInfo } from "./config";
import type { Engine } from "./engine";
import { judgeTest, observe, type TestJudgement, type Verdict } from "./judge";
import type { CheckInput, CheckOutput, Suite, TestCase } from "./model";
import { findOverride, withOutput, type Override } from "./overrides";

export type Outcome = "pass" | "fail" | "excused" | "n/a";

export interface TestResult {
  test: TestCase;
  outcome: Outcome;
  /** The verdict before any excuse (an excused test that passes shows its excuse may be stale). */
  verdict: Verdict;
  judgement: TestJudgement;
  override?: Override;
}

export interface FileSummary {
  file: string;
  pass: number;
  fail: number;
  excused: number;
  notApplicable: number;
}

export interface Report {
  crs: string;
  version: string;
  engine: string;
  totals: { tests: number; pass: number; fail: number; excused: number; notApplicable: number; applicable: number; passRate: number };
  /** Pass rate over every test that does not have an excuse (n/a and excused left out), i.e. before excuses. */
  passRateBeforeExcuses: number;
  files: FileSummary[];
  results: TestResult[];
  loadErrors: Array<{ file: string; error: string }>;
  elapsedMs: number;
}

/** `--only`: a rule id (942100), a test (942100-3), or a file/directory path fragment. */
export function selectTests(tests: TestCase[], only?: string): TestCase[] {
  if (!only) return tests;
  if (/^\d+$/.test(only)) return tests.filter((t) => t.ruleId === Number(only));
  if (/^\d+-\d+$/.test(only)) return tests.filter((t) => `${t.ruleId}-${t.testId}` === only || t.title === only);
  return tests.filter((t) => t.file.includes(only));
}

export async function runSuite(
  suite: Suite,
  engine: Engine,
  opts: { only?: string; overrides?: Override[]; catalog?: Map<number, RuleInfo> } = {},
): Promise<Report> {
  const t0 = performance.now();
  const catalog = opts.catalog ?? ruleCatalog(crsRuleFiles(suite.crsDir));
  const tests = selectTests(suite.tests, opts.only).map((t) => {
    const ov = findOverride(opts.overrides ?? [], t, suite.version, engine.name);
    return { tc: ov?.output ? withOutput(t, ov.output) : t, ov };
  });
  // One batch: every stage the proxy lets through, in order.
  const inputs: CheckInput[] = [];
  const where: Array<[number, number]> = [];
  tests.forEach(({ tc }, ti) =>
    tc.stages.forEach((s, si) => {
      if (s.request.kind !== "ok") return;
      inputs.push({ ...s.request.input, id: `${tc.title}#${si}` });
      where.push([ti, si]);
    }),
  );
  const outputs = await engine.run(inputs);
  const byStage = new Map<string, CheckOutput>();
  outputs.forEach((o, i) => {
    const [ti, si] = where[i]!;
    byStage.set(`${ti}:${si}`, o);
  });

  const results: TestResult[] = tests.map(({ tc, ov }, ti) => {
    const obs = tc.stages.map((s, si) => observe(s, byStage.get(`${ti}:${si}`)));
    const judgement = judgeTest(tc, obs, catalog);
    const excused = ov && !ov.output;
    const outcome: Outcome = excused ? "excused" : judgement.verdict;
    return { test: tc, outcome, verdict: judgement.verdict, judgement, ...(ov ? { override: ov } : {}) };
  });

  const files = new Map<string, FileSummary>();
  for (const r of results) {
    const f = files.get(r.test.file) ?? { file: r.test.file, pass: 0, fail: 0, excused: 0, notApplicable: 0 };
    if (r.outcome === "pass") f.pass++;
    else if (r.outcome === "fail") f.fail++;
    else if (r.outcome === "excused") f.excused++;
    else f.notApplicable++;
    files.set(r.test.file, f);
  }
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  const pass = count("pass");
  const fail = count("fail");
  const beforeExcuses = results.filter((r) => r.verdict !== "n/a");
  return {
    crs: suite.crsDir,
    version: suite.version,
    engine: engine.name,
    totals: {
      tests: results.length,
      pass,
      fail,
      excused: count("excused"),
      notApplicable: count("n/a"),
      applicable: pass + fail,
      passRate: pass + fail ? pass / (pass + fail) : 1,
    },
    passRateBeforeExcuses: beforeExcuses.length ? beforeExcuses.filter((r) => r.verdict === "pass").length / beforeExcuses.length : 1,
    files: [...files.values()].sort((a, b) => a.file.localeCompare(b.file)),
    results,
    loadErrors: suite.errors,
    elapsedMs: Math.round(performance.now() - t0),
  };
}
