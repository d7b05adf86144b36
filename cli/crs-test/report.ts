// The report of a CRS run: text for people, JSON (--json) for tools.
import type { Report, TestResult } from "./runner";

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;

export function failureLines(r: TestResult): string[] {
  const out: string[] = [];
  r.judgement.stages.forEach((s, i) => {
    if (s.verdict !== "fail") return;
    const stage = r.test.stages[i]!;
    const e = stage.expect;
    const want: string[] = [];
    if (e.ids.length) want.push(`expect_ids [${e.ids.join(", ")}]`);
    if (e.noIds.length) want.push(`no_expect_ids [${e.noIds.join(", ")}]`);
    if (e.status !== undefined) want.push(`status ${Array.isArray(e.status) ? e.status.join("|") : e.status}`);
    if (e.logRegex !== undefined) want.push(`log ~ /${e.logRegex}/`);
    if (e.noLogRegex !== undefined) want.push(`log !~ /${e.noLogRegex}/`);
    if (e.expectError) want.push("an error");
    const seen = `status ${s.observed.status}, matched [${s.observed.matched.join(", ")}]`;
    out.push(`    stage ${i + 1}: expected ${want.join(", ") || "nothing"}; seen ${seen}`);
    for (const f of s.failures) out.push(`      - ${f}`);
  });
  return out;
}

export function textReport(rep: Report, opts: { perFile?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`CRS ${rep.version} regression tests (${rep.crs}) through ${rep.engine}`);
  for (const e of rep.loadErrors) lines.push(`  load error: ${e.file}: ${e.error}`);
  if (opts.perFile !== false) {
    lines.push("", "  file                                                      pass  fail  exc.  n/a");
    for (const f of rep.files) {
      lines.push(`  ${f.file.padEnd(56)} ${String(f.pass).padStart(5)} ${String(f.fail).padStart(5)} ${String(f.excused).padStart(5)} ${String(f.notApplicable).padStart(4)}`);
    }
  }
  const failed = rep.results.filter((r) => r.outcome === "fail");
  if (failed.length) {
    lines.push("", "Failures:");
    for (const r of failed) {
      lines.push(`  ${r.test.title} (${r.test.file})${r.test.desc ? ` — ${r.test.desc.trim().split("\n")[0]!.slice(0, 80)}` : ""}`);
      lines.push(...failureLines(r));
    }
  }
  const na = rep.results.filter((r) => r.outcome === "n/a");
  if (na.length) {
    lines.push("", "Not applicable to an Envoy deployment:");
    for (const r of na) lines.push(`  ${r.test.title}: ${r.judgement.stages.flatMap((s) => s.notApplicable).join("; ")}`);
  }
  const staleExcuses = rep.results.filter((r) => r.outcome === "excused" && r.verdict === "pass");
  if (staleExcuses.length) lines.push("", `Excused but passing (excuse may be stale): ${staleExcuses.map((r) => r.test.title).join(", ")}`);
  const t = rep.totals;
  lines.push(
    "",
    `${t.tests} tests: ${t.pass} passed, ${t.fail} failed, ${t.excused} excused, ${t.notApplicable} not applicable — ` +
      `pass rate ${pct(t.passRate)} of ${t.applicable} applicable tests (${pct(rep.passRateBeforeExcuses)} before excuses) in ${(rep.elapsedMs / 1000).toFixed(1)} s`,
  );
  return lines.join("\n") + "\n";
}

export function jsonReport(rep: Report): string {
  return JSON.stringify(
    {
      crs: rep.crs,
      version: rep.version,
      engine: rep.engine,
      totals: rep.totals,
      passRateBeforeExcuses: rep.passRateBeforeExcuses,
      elapsedMs: rep.elapsedMs,
      loadErrors: rep.loadErrors,
      files: rep.files,
      tests: rep.results.map((r) => ({
        title: r.test.title,
        file: r.test.file,
        ruleId: r.test.ruleId,
        testId: r.test.testId,
        outcome: r.outcome,
        verdict: r.verdict,
        ...(r.override ? { override: { reason: r.override.reason, replacesOutput: !!r.override.output } } : {}),
        stages: r.judgement.stages.map((s, i) => ({
          verdict: s.verdict,
          expected: r.test.stages[i]!.expect,
          observed: s.observed,
          failures: s.failures,
          notApplicable: s.notApplicable,
        })),
      })),
    },
    null,
    2,
  );
}
