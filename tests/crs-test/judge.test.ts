// Judgement on synthetic engine outputs, the overrides file, and the test configuration's order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crsTestConfig, ruleCatalog, crsRuleFiles } from "../../cli/crs-test/config";
import type { Engine } from "../../cli/crs-test/engine";
import { judgeStage, judgeTest, logLines, observe } from "../../cli/crs-test/judge";
import { parseV3File, parseV4File } from "../../cli/crs-test/load";
import type { CheckInput, CheckOutput, Expect, Stage, Suite } from "../../cli/crs-test/model";
import { loadOverrides } from "../../cli/crs-test/overrides";
import { jsonReport, textReport } from "../../cli/crs-test/report";
import { stageRequest } from "../../cli/crs-test/request";
import { runSuite } from "../../cli/crs-test/runner";
import { CRS4, REPO, crsSkip } from "./helpers";

const GET = Buffer.from("GET /?a=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
const stage = (expect: Partial<Expect>, wire = GET): Stage => ({ request: stageRequest(wire, {}), expect: { ids: [], noIds: [], ...expect } });
const out = (matched: number[], extra: Partial<CheckOutput> = {}): CheckOutput => ({ index: 0, matched, intervention: { disruptive: false, status: 0 }, ...extra });
const catalog = new Map([[942100, { id: 942100, msg: "SQL Injection Attack Detected via libinjection", severity: "CRITICAL", ver: "OWASP_CRS/4.28.0", tags: ["attack-sqli"], file: "/r/942.conf", line: 10 }]]);
const judge = (s: Stage, o?: CheckOutput) => judgeStage(s, observe(s, o), catalog);

test("expect_ids must all be matched, no_expect_ids none", () => {
  assert.equal(judge(stage({ ids: [942100, 949110] }), out([920273, 942100, 949110])).verdict, "pass");
  const miss = judge(stage({ ids: [942100, 949110] }), out([942100]));
  assert.equal(miss.verdict, "fail");
  assert.match(miss.failures[0]!, /expected ids 949110 not matched/);
  assert.equal(judge(stage({ noIds: [942100] }), out([920273])).verdict, "pass");
  assert.match(judge(stage({ noIds: [942100, 1] }), out([942100])).failures[0]!, /ids 942100 matched but must not/);
});

test("log regexes run against one synthesized ModSecurity line per matched rule", () => {
  const s = stage({ logRegex: 'id "942100"' });
  const lines = logLines(s, [942100], catalog);
  assert.match(lines[0]!, /\[id "942100"\] \[rev ""\] \[msg "SQL Injection Attack Detected via libinjection"\]/);
  assert.match(lines[0]!, /\[tag "attack-sqli"\]/);
  assert.equal(judge(s, out([942100])).verdict, "pass");
  assert.equal(judge(s, out([942101])).verdict, "fail");
  // v3 prefix patterns ('id "94210') and go-ftw's no_match_regex \[id "\d+"\] (nothing may log).
  assert.equal(judge(stage({ logRegex: 'id "94210' }), out([942100])).verdict, "pass");
  assert.equal(judge(stage({ noLogRegex: '\\[id "\\d+"\\]' }), out([])).verdict, "pass");
  assert.equal(judge(stage({ noLogRegex: '\\[id "\\d+"\\]' }), out([920273])).verdict, "fail");
  // msg and id on one line, as the multipart tests ask; Go's leading (?i) becomes a JS flag.
  assert.equal(judge(stage({ logRegex: '\\[id "942100"\\].*\\[msg "SQL Injection' }), out([942100])).verdict, "pass");
  assert.equal(judge(stage({ logRegex: "(?i)sql injection attack" }), out([942100])).verdict, "pass");
});

test("status: the backend's answer in DetectionOnly; Apache-only refusals are not applicable; Envoy refusals count", () => {
  // Expected 200 and the backend answered 200.
  assert.equal(judge(stage({ status: 200 }), out([])).verdict, "pass");
  // Expected a refusal that only Apache gives: the status part is n/a, the log part still judged.
  const na = judge(stage({ status: 400 }), out([]));
  assert.equal(na.verdict, "n/a");
  assert.match(na.notApplicable[0]!, /origin server refusing the request; Envoy accepted it/);
  assert.equal(judge(stage({ status: 400, ids: [920100] }), out([920100])).verdict, "pass");
  assert.equal(judge(stage({ status: [403, 400], ids: [920100] }), out([])).verdict, "fail");
  // Envoy refuses too: holds (both deployments answer before any filter).
  const bad = Buffer.from("GET /a#frag HTTP/1.1\r\nHost: localhost\r\n\r\n");
  assert.equal(judge(stage({ status: 400 }, bad)).verdict, "pass");
  assert.equal(judge(stage({ status: [403, 404] }, bad)).verdict, "pass");
  // Expected success but Envoy refuses: fails, with the codec's reason.
  const r = judge(stage({ status: 200, noIds: [1] }, bad));
  assert.equal(r.verdict, "fail");
  assert.match(r.failures[0]!, /expected status 200, got 400 \(proxy answered 400: fragment/);
  // expect_ids on a request the proxy refuses cannot hold.
  assert.match(judge(stage({ ids: [920100] }, bad)).failures[0]!, /not matched \(proxy answered 400/);
  // A blocking intervention gives its status.
  assert.equal(judge(stage({ status: 403 }), out([949110], { intervention: { disruptive: true, status: 403 } })).verdict, "pass");
});

test("expect_error holds only when the exchange gets no response; an engine error fails the stage", () => {
  const hang = Buffer.from("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nabc");
  assert.equal(judge(stage({ expectError: true }, hang)).verdict, "pass");
  assert.equal(judge(stage({ expectError: true }), out([])).verdict, "fail");
  assert.match(judge(stage({ ids: [1] }, hang)).failures[0]!, /client times out/);
  assert.match(judge(stage({ ids: [] }), { index: 0, error: "bad line" }).failures[0]!, /engine error: bad line/);
});

test("a test fails if any stage fails, is n/a only if every stage is", () => {
  const tc = { file: "f", ruleId: 1, testId: 1, title: "1-1", stages: [stage({ ids: [942100] }), stage({ status: 400 })] };
  const obs = tc.stages.map((s) => observe(s, out([942100])));
  assert.equal(judgeTest(tc, obs, catalog).verdict, "pass");
  assert.equal(judgeTest({ ...tc, stages: [stage({ status: 400 })] }, [observe(tc.stages[1]!, out([]))], catalog).verdict, "n/a");
  assert.equal(judgeTest(tc, [observe(tc.stages[0]!, out([])), obs[1]!], catalog).verdict, "fail");
});

/** An engine that answers from a table: matched ids per request uri. */
class FakeEngine implements Engine {
  seen: CheckInput[] = [];
  constructor(readonly name: string, private readonly byUri: Record<string, number[]>) {}
  async run(inputs: CheckInput[]): Promise<CheckOutput[]> {
    this.seen.push(...inputs);
    return inputs.map((i, index) => ({ index, id: i.id, matched: this.byUri[i.uri ?? "/"] ?? [], intervention: { disruptive: false, status: 0 } }));
  }
}

const doc = (ruleId: number, cases: Array<[string, string]>) =>
  [`rule_id: ${ruleId}`, "tests:", ...cases.flatMap(([uri, log], i) => [
    `  - test_id: ${i + 1}`, "    stages:", "      - input:", "          headers: {Host: localhost}", `          uri: "${uri}"`, `        output: {log: ${log}}`,
  ])].join("\n");

test("overrides: excused tests run but leave the pass rate; an output override replaces the expectations", async () => {
  const tests = parseV4File(doc(920100, [["/a", "{expect_ids: [920100]}"], ["/b", "{expect_ids: [920100]}"], ["/c", "{expect_ids: [920100]}"], ["/d", "{match_regex: 'found within ARGS:x'}"]]), "REQUEST-920/920100.yaml");
  const suite: Suite = { version: "v4", crsDir: "/nonexistent", testsDir: "/nonexistent", tests, errors: [] };
  const dir = mkdtempSync(join(tmpdir(), "crs-ov-"));
  try {
    const file = join(dir, "overrides.yaml");
    writeFileSync(file, [
      "test_overrides:",
      "  - {rule_id: 920100, test_ids: [2], reason: 'Envoy rejects this'}",
      "  - {rule_id: 920100, test_ids: [3], crs: v3, reason: 'v3 only: does not apply to v4'}",
      "  - {rule_id: 920100, test_ids: [1], engine: modsecurity, reason: 'only for the peer'}",
      "  - rule_id: 920100",
      "    test_ids: [4]",
      "    reason: logdata is not in the line format",
      "    output: {log: {expect_ids: [920100]}}",
    ].join("\n"));
    const overrides = loadOverrides(file);
    assert.equal(overrides.length, 4);
    const engine = new FakeEngine("waf", { "/a": [920100], "/b": [], "/c": [], "/d": [920100] });
    const rep = await runSuite(suite, engine, { overrides, catalog: new Map() });
    const outcome = Object.fromEntries(rep.results.map((r) => [r.test.title, r.outcome]));
    assert.deepEqual(outcome, { "920100-1": "pass", "920100-2": "excused", "920100-3": "fail", "920100-4": "pass" });
    assert.equal(engine.seen.length, 4, "excused tests still run");
    assert.deepEqual(rep.totals, { tests: 4, pass: 2, fail: 1, excused: 1, notApplicable: 0, applicable: 3, passRate: 2 / 3 });
    assert.deepEqual(rep.files, [{ file: "REQUEST-920/920100.yaml", pass: 2, fail: 1, excused: 1, notApplicable: 0 }]);
    const text = textReport(rep);
    assert.match(text, /920100-3 \(REQUEST-920\/920100.yaml\)\n    stage 1: expected expect_ids \[920100\]; seen status 200, matched \[\]/);
    assert.match(text, /4 tests: 2 passed, 1 failed, 1 excused, 0 not applicable — pass rate 66\.67% of 3 applicable tests/);
    const json = JSON.parse(jsonReport(rep)) as { totals: unknown; tests: Array<{ title: string; outcome: string; override?: { reason: string } }> };
    assert.deepEqual(json.totals, rep.totals);
    assert.equal(json.tests[1]!.override!.reason, "Envoy rejects this");
    // The peer gets its own excuse.
    const rep2 = await runSuite(suite, new FakeEngine("modsecurity", { "/d": [920100] }), { overrides, catalog: new Map() });
    assert.equal(rep2.results[0]!.outcome, "excused");
    assert.throws(() => { writeFileSync(file, "test_overrides:\n  - {rule_id: 1}\n"); loadOverrides(file); }, /a reason is required/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the project's overrides file loads and every entry has a reason", () => {
  const ov = loadOverrides(join(REPO, "tests/crs/overrides.yaml"));
  assert.ok(ov.length > 0);
  for (const o of ov) assert.ok(o.reason.length > 20, `${o.ruleId}: ${o.reason}`);
});

test("v3 titles give rule and test ids; --only selects by rule, test or file", async () => {
  const t = parseV3File("meta: {enabled: true}\ntests:\n  - test_title: 942100-7\n    stages:\n      - stage: {input: {headers: {Host: h}}, output: {log_contains: x}}\n", "R/942100.yaml");
  assert.deepEqual([t[0]!.ruleId, t[0]!.testId, t[0]!.title], [942100, 7, "942100-7"]);
  const { selectTests } = await import("../../cli/crs-test/runner");
  assert.equal(selectTests(t, "942100").length, 1);
  assert.equal(selectTests(t, "942100-7").length, 1);
  assert.equal(selectTests(t, "942100-8").length, 0);
  assert.equal(selectTests(t, "R/9421").length, 1);
});

test("the test setup runs before REQUEST-901 (rules come as Include directives after it)", { skip: crsSkip }, () => {
  const c = crsTestConfig(CRS4, "v4");
  assert.deepEqual(c.confFiles.map((f) => f.split("/").slice(-2).join("/")), ["rulesets/modsecdefault.conf", "rulesets/crs-setup.conf"]);
  assert.match(c.directives[0]!, /^SecAction "id:900005,phase:1,nolog,pass,ctl:ruleEngine=DetectionOnly,.*setvar:tx\.blocking_paranoia_level=4/);
  assert.match(c.directives[1]!, /^Include .*\/rules\/REQUEST-901-INITIALIZATION\.conf$/);
  assert.match(c.directives.at(-1)!, /RESPONSE-980-CORRELATION\.conf$/);
  assert.ok(!c.directives.some((d) => d.includes(".example")));
  assert.match(crsTestConfig(CRS4, "v3").directives[0]!, /setvar:tx\.paranoia_level=4/);
  const cat = ruleCatalog(crsRuleFiles(CRS4));
  assert.equal(cat.get(942100)?.msg, "SQL Injection Attack Detected via libinjection");
  assert.equal(cat.get(949110)?.msg, "Inbound Anomaly Score Exceeded (Total Score: %{TX.BLOCKING_INBOUND_ANOMALY_SCORE})");
});
