// tests/crs/overrides.yaml: what an Envoy deployment of workload-waf is excused from, one entry per reason.
// The shape follows the CRS's own *-overrides.yaml (go-ftw platform overrides):
//
//   test_overrides:
//     - rule_id: 920100
//       test_ids: [10]          # omitted or empty: every test of the rule
//       crs: v4                 # optional: v3 | v4 (default: both)
//       engine: waf             # optional: waf | modsecurity (default: both)
//       reason: why this deployment cannot (or need not) pass it
//       output:                 # optional: replaces every stage's expectations (go-ftw semantics),
//         status: 200           #   the test is then judged, not excused
//         log: { expect_ids: [920100], no_expect_ids: [], match_regex: ..., no_match_regex: ... }
//
// Without `output` the test is excused: it still runs, its result is shown, but it is left out of the
// pass rate. Every entry needs a reason.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { CrsVersion, Expect, TestCase } from "./model";

export interface Override {
  ruleId: number;
  testIds: number[];
  crs?: CrsVersion;
  engine?: string;
  reason: string;
  output?: Expect;
}

export function loadOverrides(path: string): Override[] {
  const doc = parse(readFileSync(path, "utf8")) as { test_overrides?: unknown[] } | null;
  const list = doc?.test_overrides ?? [];
  if (!Array.isArray(list)) throw new Error(`${path}: test_overrides must be a list`);
  return list.map((x, i) => {
    const o = (x ?? {}) as Record<string, unknown>;
    const where = `${path}: test_overrides[${i}]`;
    if (!o.rule_id) throw new Error(`${where}: rule_id is required`);
    if (typeof o.reason !== "string" || !o.reason.trim()) throw new Error(`${where}: a reason is required`);
    if (o.crs !== undefined && o.crs !== "v3" && o.crs !== "v4") throw new Error(`${where}: crs must be v3 or v4`);
    const ov: Override = {
      ruleId: Number(o.rule_id),
      testIds: Array.isArray(o.test_ids) ? o.test_ids.map(Number) : o.test_ids !== undefined ? [Number(o.test_ids)] : [],
      reason: o.reason.trim(),
    };
    if (o.crs) ov.crs = o.crs as CrsVersion;
    if (o.engine) ov.engine = String(o.engine);
    if (o.output && typeof o.output === "object") ov.output = outputOf(o.output as Record<string, unknown>);
    return ov;
  });
}

function outputOf(out: Record<string, unknown>): Expect {
  const log = (out.log ?? {}) as Record<string, unknown>;
  const ids = (v: unknown) => (Array.isArray(v) ? v.map(Number) : v === undefined ? [] : [Number(v)]);
  const e: Expect = { ids: ids(log.expect_ids), noIds: ids(log.no_expect_ids) };
  if (out.status !== undefined) e.status = Array.isArray(out.status) ? out.status.map(Number) : Number(out.status);
  if (log.match_regex !== undefined) e.logRegex = String(log.match_regex);
  if (log.no_match_regex !== undefined) e.noLogRegex = String(log.no_match_regex);
  if (out.expect_error === true) e.expectError = true;
  return e;
}

export function findOverride(overrides: Override[], tc: TestCase, crs: CrsVersion, engine: string): Override | undefined {
  return overrides.find(
    (o) =>
      o.ruleId === tc.ruleId &&
      (o.testIds.length === 0 || o.testIds.includes(tc.testId)) &&
      (!o.crs || o.crs === crs) &&
      (!o.engine || o.engine === engine),
  );
}

/** The test with an override's output in place of every stage's expectations. */
export function withOutput(tc: TestCase, output: Expect): TestCase {
  return { ...tc, stages: tc.stages.map((s) => ({ ...s, expect: { ...output } })) };
}
