// Judging a test from what the engine reported, the way go-ftw (v4) and ftw (v3) judge it from the error
// log and the response, adapted to an Envoy deployment.
//
// The log: go-ftw collects the error-log lines between its start and end markers and extracts every
// `[id "N"]`; `expect_ids` must all be there, `no_expect_ids` none; `match_regex`/`no_match_regex` (and v3's
// `log_contains`/`no_log_contains`) are searched line by line. The engine's `matched` list is exactly the
// set of rules that wrote such a line (nolog rules excluded, a chain under its head's id), so ids are judged
// on it directly, and regexes against one synthesized ModSecurity-style line per matched rule:
//   ModSecurity: Warning. [file "…"] [line "…"] [id "942100"] [msg "…"] [severity "…"] [ver "…"] [tag "…"]… [uri "…"]
// with msg/severity/tags taken from the rule files (macros such as %{TX.0} are not expanded: the line
// format carries no logdata, so a regex on "Matched Data: … found within …" cannot be judged; such tests are
// listed in tests/crs/overrides.yaml with that reason).
//
// The status: in DetectionOnly the WAF never answers itself, so a status is what the proxy or the backend
// answered. The runner models an Envoy deployment (./codec.ts, ./upstream.ts):
//  - the expected status (or one of the v3 list) was seen: holds;
//  - the suite expects a refusal (every expected status is an error: Apache's 400/404/405/505, or a 403 that
//    only a blocking setup would give) and Envoy refused too (any 4xx/5xx from its codec): holds — the
//    request never reaches a filter in either deployment;
//  - the suite expects a refusal but Envoy accepted the request and passed it: NOT APPLICABLE — it asserts
//    the origin server's request parser, which is not in front of the WAF in an Envoy deployment; the
//    stage's log expectations are still judged, and a test whose expectations are all not applicable is
//    left out of the pass rate (reported as such, with the reason);
//  - the suite expects a success (200) and Envoy refused the request (or the exchange never completes):
//    fails (the rules under test cannot run behind Envoy; excusable only in overrides.yaml, with a reason).
// `expect_error` holds when the exchange gets no response at all (status 0 in the model).
// `retry_once` changes nothing: a run is deterministic here.
import type { RuleInfo } from "./config";
import type { CheckOutput, Expect, Stage, TestCase } from "./model";
import { inputBytes } from "./request";

export interface StageObservation {
  /** HTTP status the client got; 0 when it got none. */
  status: number;
  matched: number[];
  /** A codec refusal or an engine error, for the report. */
  note?: string;
  engineError?: string;
}

export type Verdict = "pass" | "fail" | "n/a";

export interface StageJudgement {
  verdict: Verdict;
  failures: string[];
  notApplicable: string[];
  observed: StageObservation;
}

export interface TestJudgement {
  verdict: Verdict;
  stages: StageJudgement[];
}

export function observe(stage: Stage, out: CheckOutput | undefined): StageObservation {
  const r = stage.request;
  if (r.kind === "rejected") {
    return { status: r.status, matched: [], note: r.status ? `proxy answered ${r.status}: ${r.reason}` : `no response: ${r.reason}` };
  }
  if (!out) return { status: 0, matched: [], engineError: "no output line" };
  if (out.error) return { status: 0, matched: [], engineError: out.error };
  const iv = out.intervention;
  const status = iv && iv.disruptive ? iv.status || 403 : (r.input.response?.status ?? 200);
  return { status, matched: out.matched ?? [] };
}

export function logLines(stage: Stage, matched: number[], catalog: Map<number, RuleInfo>): string[] {
  const uri = stage.request.kind === "ok" ? inputBytes(stage.request.input).uri.toString("latin1") : "";
  return matched.map((id) => {
    const r = catalog.get(id);
    const parts = [`ModSecurity: Warning.`];
    if (r) parts.push(`[file "${r.file}"]`, `[line "${r.line}"]`);
    parts.push(`[id "${id}"]`, `[rev ""]`, `[msg "${r?.msg ?? ""}"]`, `[data ""]`, `[severity "${r?.severity ?? ""}"]`, `[ver "${r?.ver ?? ""}"]`);
    for (const t of r?.tags ?? []) parts.push(`[tag "${t}"]`);
    parts.push(`[hostname "127.0.0.1"]`, `[uri "${uri}"]`, `[unique_id ""]`, `[ref ""]`);
    return parts.join(" ");
  });
}

/** Go RE2 / Python re pattern → JS RegExp (leading inline flags become JS flags). */
export function toRegExp(pattern: string): RegExp {
  let flags = "";
  let p = pattern;
  const m = /^\(\?([imsU]+)\)/.exec(p);
  if (m) {
    if (m[1]!.includes("i")) flags += "i";
    if (m[1]!.includes("s")) flags += "s";
    if (m[1]!.includes("m")) flags += "m";
    p = p.slice(m[0].length);
  }
  return new RegExp(p, flags);
}

const isError = (s: number) => s >= 400 || s === 0;

export function judgeStage(stage: Stage, obs: StageObservation, catalog: Map<number, RuleInfo>): StageJudgement {
  const e: Expect = stage.expect;
  const failures: string[] = [];
  const notApplicable: string[] = [];
  let judged = 0;
  const done = (): StageJudgement => ({
    verdict: failures.length ? "fail" : judged === 0 && notApplicable.length ? "n/a" : "pass",
    failures,
    notApplicable,
    observed: obs,
  });

  if (obs.engineError) {
    failures.push(`engine error: ${obs.engineError}`);
    return done();
  }
  if (e.expectError) {
    judged++;
    if (obs.status !== 0) failures.push(`expected the exchange to fail (no response), got status ${obs.status}`);
    return done(); // go-ftw/ftw check nothing else when an error is expected
  }
  if (obs.status === 0) {
    judged++;
    failures.push(obs.note ?? "no response");
    return done();
  }
  if (e.status !== undefined) {
    const want = Array.isArray(e.status) ? e.status : [e.status];
    if (want.includes(obs.status)) judged++;
    else if (want.every(isError) && isError(obs.status)) judged++;
    else if (want.every(isError)) {
      notApplicable.push(`status ${want.join("|")} is the origin server refusing the request; Envoy accepted it and the backend answered ${obs.status}`);
    } else {
      judged++;
      failures.push(`expected status ${want.join("|")}, got ${obs.status}${obs.note ? ` (${obs.note})` : ""}`);
    }
  }
  const matched = new Set(obs.matched);
  if (e.ids.length) {
    judged++;
    const missing = e.ids.filter((id) => !matched.has(id));
    if (missing.length) failures.push(`expected ids ${missing.join(", ")} not matched${obs.note ? ` (${obs.note})` : ""}`);
  }
  if (e.noIds.length) {
    judged++;
    const present = e.noIds.filter((id) => matched.has(id));
    if (present.length) failures.push(`ids ${present.join(", ")} matched but must not`);
  }
  if (e.logRegex !== undefined || e.noLogRegex !== undefined) {
    const lines = logLines(stage, obs.matched, catalog);
    for (const [pattern, negate] of [[e.logRegex, false], [e.noLogRegex, true]] as const) {
      if (pattern === undefined) continue;
      judged++;
      let re: RegExp;
      try {
        re = toRegExp(pattern);
      } catch (err) {
        failures.push(`bad regex ${JSON.stringify(pattern)}: ${(err as Error).message}`);
        continue;
      }
      const hit = lines.find((l) => re.test(l));
      if (!negate && !hit) failures.push(`log should match /${pattern}/ but no line does${obs.note ? ` (${obs.note})` : ""}`);
      if (negate && hit) failures.push(`log must not match /${pattern}/ but does: ${hit.slice(hit.indexOf("[id"), hit.indexOf("[id") + 120)}`);
    }
  }
  if (e.responseContains !== undefined) {
    judged++;
    const resp = fullResponse(stage, obs);
    try {
      if (!toRegExp(e.responseContains).test(resp)) failures.push(`response should match /${e.responseContains}/`);
    } catch (err) {
      failures.push(`bad regex ${JSON.stringify(e.responseContains)}: ${(err as Error).message}`);
    }
  }
  return done();
}

function fullResponse(stage: Stage, obs: StageObservation): string {
  if (stage.request.kind === "rejected" || !stage.request.input.response) return `HTTP/1.1 ${obs.status}\r\ncontent-length: 11\r\ncontent-type: text/plain\r\n\r\nBad Request`;
  const r = stage.request.input.response;
  const d = (s: string | undefined) => Buffer.from(s ?? "", stage.request.kind === "ok" && stage.request.input.b64 ? "base64" : "utf8").toString("utf8");
  return `HTTP/1.1 ${obs.status}\r\n${(r.headers ?? []).map(([k, v]) => `${d(k)}: ${d(v)}\r\n`).join("")}\r\n${d(r.body)}`;
}

export function judgeTest(tc: TestCase, observations: StageObservation[], catalog: Map<number, RuleInfo>): TestJudgement {
  const stages = tc.stages.map((s, i) => judgeStage(s, observations[i]!, catalog));
  const verdict: Verdict = stages.some((s) => s.verdict === "fail")
    ? "fail"
    : stages.length > 0 && stages.every((s) => s.verdict === "n/a")
      ? "n/a"
      : "pass";
  return { verdict, stages };
}
