// modsec-check on a small hand-written rule set: matched / intervention per phase, chains, nolog, response
// body, DetectionOnly vs On, --directive, byte-exact base64 input, bad lines, `--jsonl -` streaming and
// rule-set errors — the contract of ../shared/design/check-jsonl.md as libmodsecurity 3.0.9 fulfils it.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModsecCheckError, ModsecCheckSession, ModsecPeer, runModsecCheck, type CheckResult } from "./index";

const skip = ModsecPeer.skipReason();

const RULES = String.raw`
SecRuleEngine On
SecRequestBodyAccess On
SecResponseBodyAccess On
SecResponseBodyMimeType text/html text/plain
SecDefaultAction "phase:1,log,auditlog,pass"
SecDefaultAction "phase:2,log,auditlog,pass"
SecRule ARGS_GET:q "@streq attack" "id:1001,phase:1,deny,status:403,log,msg:'q attack'"
SecRule REQUEST_HEADERS:X-A "@streq one" "id:1002,phase:1,pass,log,msg:'chain',chain"
    SecRule REQUEST_HEADERS:X-B "@streq two" "t:none"
SecRule REQUEST_HEADERS:X-Quiet "@rx ." "id:1003,phase:1,pass,nolog"
SecRule ARGS_POST:p "@contains evil" "id:1004,phase:2,pass,log,msg:'evil'"
SecRule RESPONSE_BODY "@contains secret-leak" "id:1005,phase:4,deny,status:502,log,msg:'leak'"
SecRule REQUEST_HEADERS:X-Warn "@rx ." "id:1006,phase:1,pass,log,msg:'warn'"
SecRule REQUEST_BODY "@rx a\xffb" "id:1007,phase:2,pass,log,msg:'raw byte'"
SecRule REQUEST_HEADERS:X-Quiet-Deny "@rx ." "id:1008,phase:1,deny,status:401,nolog"
`;

const PASSED = { disruptive: false, status: 0 };
let dir = "";
let conf = "";

async function check(lines: Array<string | object>, args: string[] = []): Promise<CheckResult[]> {
  const input = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l)));
  const out = await runModsecCheck([...args, conf], input);
  return out.map((l) => JSON.parse(l) as CheckResult);
}

/** matched + intervention only (time_us varies). */
function verdict(r: CheckResult | undefined) {
  assert.ok(r, "missing output line");
  assert.equal(r.error, undefined, `unexpected error line: ${r.error}`);
  assert.equal(typeof r.time_us, "number");
  return { matched: r.matched, intervention: r.intervention };
}

describe("modsec-check on a hand-written rule set", { skip }, () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "waf-modsec-check-"));
    conf = join(dir, "rules.conf");
    writeFileSync(conf, RULES);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a denied query arg, a chain under its head's id, nolog left out, order of first match", async () => {
    const [deny, chain, half, quiet, quietDeny, plain] = await check([
      { id: "deny", uri: "/?q=attack" },
      { headers: [["X-Quiet", "1"], ["X-Warn", "1"], ["X-A", "one"], ["X-B", "two"]] },
      { headers: [["X-A", "one"]] },
      { headers: [["X-Quiet", "1"]] },
      { headers: [["X-Quiet-Deny", "1"]] },
      {},
    ]);
    assert.equal(deny!.id, "deny");
    assert.deepEqual(verdict(deny), {
      matched: [1001],
      intervention: { disruptive: true, status: 403, rule_id: 1001, phase: "request_headers" },
    });
    assert.deepEqual(verdict(chain), { matched: [1002, 1006], intervention: PASSED }, "rule order, the chain once");
    assert.deepEqual(verdict(half), { matched: [], intervention: PASSED }, "half a chain is no match");
    assert.deepEqual(verdict(quiet), { matched: [], intervention: PASSED }, "nolog");
    assert.deepEqual(verdict(quietDeny), {
      matched: [],
      intervention: { disruptive: true, status: 401, rule_id: 1008, phase: "request_headers" },
    }, "a nolog deny still disrupts, but is not logged");
    assert.deepEqual(verdict(plain), { matched: [], intervention: PASSED });
  });

  test("request body (phase 2) and response body (phase 4, only with `response` and an inspected type)", async () => {
    const [post, leak, noResponse, octet] = await check([
      { method: "POST", headers: [["Content-Type", "application/x-www-form-urlencoded"]], body: "p=evil&x=1" },
      { response: { headers: [["Content-Type", "text/html"]], body: "<p>secret-leak</p>" } },
      { uri: "/?x=secret-leak" },
      { response: { status: 200, headers: [["Content-Type", "application/octet-stream"]], body: "secret-leak" } },
    ]);
    assert.deepEqual(verdict(post), { matched: [1004], intervention: PASSED });
    assert.deepEqual(verdict(leak), {
      matched: [1005],
      intervention: { disruptive: true, status: 502, rule_id: 1005, phase: "response_body" },
    });
    assert.deepEqual(verdict(noResponse), { matched: [], intervention: PASSED });
    assert.deepEqual(verdict(octet), { matched: [], intervention: PASSED }, "not in SecResponseBodyMimeType");
  });

  test("--mode detect logs without disrupting, --mode block overrides a DetectionOnly file, --directive appends", async () => {
    const [detect] = await check([{ uri: "/?q=attack" }], ["--mode", "detect"]);
    assert.deepEqual(verdict(detect), { matched: [1001], intervention: PASSED });

    const detectConf = join(dir, "detect.conf");
    writeFileSync(detectConf, RULES.replace("SecRuleEngine On", "SecRuleEngine DetectionOnly"));
    const fromFile = (await runModsecCheck([detectConf], [JSON.stringify({ uri: "/?q=attack" })])).map((l) => JSON.parse(l));
    assert.deepEqual(verdict(fromFile[0]), { matched: [1001], intervention: PASSED }, "the file decides without --mode");
    const blocked = (await runModsecCheck(["--mode", "block", detectConf], [JSON.stringify({ uri: "/?q=attack" })])).map((l) => JSON.parse(l));
    assert.equal(verdict(blocked[0]).intervention?.status, 403);

    const [teapot] = await check([{ uri: "/?z=1" }], ["--directive", `SecRule ARGS:z "@streq 1" "id:1010,phase:1,deny,status:418,log"`]);
    assert.deepEqual(verdict(teapot), {
      matched: [1010],
      intervention: { disruptive: true, status: 418, rule_id: 1010, phase: "request_headers" },
    });
  });

  test("b64 input is byte-exact; a plain string is sent as UTF-8", async () => {
    const b64 = (b: Buffer | string) => Buffer.from(b).toString("base64");
    const raw = Buffer.from([0x61, 0xff, 0x62]); // a\xffb
    const [bodyB64, allB64, utf8, headerB64, uriB64] = await check([
      { method: "POST", body: b64(raw), body_b64: true },
      { b64: true, method: "POST", uri: b64("/"), headers: [[b64("X-Ignored"), b64(Buffer.from([0xc3, 0x28]))]], body: b64(raw) },
      { method: "POST", body: "a\u00ffb" },
      { b64: true, headers: [[b64("X-Quiet-Deny"), b64(Buffer.from([0]))]] },
      { b64: true, uri: b64("/?q=attack") },
    ]);
    assert.deepEqual(verdict(bodyB64), { matched: [1007], intervention: PASSED });
    assert.deepEqual(verdict(allB64), { matched: [1007], intervention: PASSED });
    assert.deepEqual(verdict(utf8), { matched: [], intervention: PASSED }, "ÿ is C3 BF, not FF");
    assert.equal(verdict(headerB64).intervention?.rule_id, 1008);
    assert.equal(verdict(uriB64).intervention?.rule_id, 1001);
  });

  test("a bad line gives {index, error} and the run goes on; the id is echoed as any JSON value", async () => {
    const out = await check([
      "not json",
      "[1]",
      `{"headers": [["a"]]}`,
      `{"b64": true, "uri": "%%%"}`,
      `{"client_ip": "999.1.1.1"}`,
      `{"response": {"status": 42}}`,
      `{"method": ""}`,
      `{"id": {"n": 7, "tags": ["a", 1.50]}, "uri": "/?q=attack"}`,
    ]);
    assert.equal(out.length, 8);
    assert.deepEqual(out.map((r) => r.index), [0, 1, 2, 3, 4, 5, 6, 7]);
    const errors = out.slice(0, 7).map((r) => r.error ?? "");
    assert.match(errors[0]!, /not valid JSON/);
    assert.match(errors[1]!, /expected a JSON object/);
    assert.match(errors[2]!, /"headers"\[0\] must be a \[name, value\] pair/);
    assert.match(errors[3]!, /"uri" is not valid base64/);
    assert.match(errors[4]!, /"client_ip" must be an IPv4 or IPv6 address/);
    assert.match(errors[5]!, /"response.status" must be an HTTP status code/);
    assert.match(errors[6]!, /"method" must be a non-empty string/);
    for (const r of out.slice(0, 7)) assert.deepEqual(Object.keys(r), ["index", "error"]);
    assert.deepEqual(out[7]!.id, { n: 7, tags: ["a", 1.5] });
    assert.equal(out[7]!.intervention?.status, 403);
  });

  test("output lines are exactly the contract's shape", async () => {
    const lines = await runModsecCheck([conf], [JSON.stringify({ id: "x", uri: "/?q=attack" }), "{}"]);
    assert.match(lines[0]!, /^\{"index":0,"id":"x","matched":\[1001\],"intervention":\{"disruptive":true,"status":403,"rule_id":1001,"phase":"request_headers"\},"time_us":\d+\}$/);
    assert.match(lines[1]!, /^\{"index":1,"matched":\[\],"intervention":\{"disruptive":false,"status":0\},"time_us":\d+\}$/);
  });

  test("--jsonl FILE is read as a batch", async () => {
    const input = join(dir, "in.jsonl");
    writeFileSync(input, `{"uri": "/?q=attack"}\r\n\n{}\n`);
    const out = (await runModsecCheck(["--jsonl", input, conf], [])).map((l) => JSON.parse(l) as CheckResult);
    assert.deepEqual(out.map((r) => [r.index, r.intervention?.status]), [[0, 403], [1, 0]], "CRLF accepted, blank line skipped");
  });

  test("--jsonl - answers each line before the next is sent", { timeout: 20_000 }, async () => {
    const s = await ModsecCheckSession.start(["--mode", "block", conf]);
    try {
      assert.match(s.version, /ModSecurity v3/);
      assert.equal(s.rules, 8);
      for (let i = 0; i < 5; i++) {
        const r = await s.request({ id: i, uri: i % 2 ? "/?q=attack" : "/" });
        assert.equal(r.index, i);
        assert.equal(r.id, i);
        assert.equal(r.intervention?.status, i % 2 ? 403 : 0);
      }
      const bad = await s.request("{");
      assert.equal(bad.index, 5);
      assert.match(bad.error ?? "", /not valid JSON/);
      const both = await Promise.all([s.request({ id: "a" }), s.request({ id: "b", uri: "/?q=attack" })]);
      assert.deepEqual(both.map((r) => [r.index, r.id, r.intervention?.status]), [[6, "a", 0], [7, "b", 403]]);
    } finally {
      await s.close();
    }
  });

  test("a rule-set error exits non-zero before any request, with ModSecurity's file, line and reason", async () => {
    const bad = join(dir, "bad.conf");
    writeFileSync(bad, `SecRuleEngine On\nSecRul ARGS "@rx x" "id:1,phase:1,deny"\n`);
    const err = await runModsecCheck([bad], ["{}"]).then(
      () => assert.fail("expected a rule-set error"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ModsecCheckError);
    assert.notEqual(err.code, 0);
    assert.match(err.stderr, new RegExp(`File: ${bad.replaceAll("/", "\\/")}\\. Line: 2\\.`));
    assert.match(err.stderr, /Invalid input/);

    await assert.rejects(ModsecCheckSession.start([conf, join(dir, "missing.conf")]), /cannot read .*missing\.conf/);
    await assert.rejects(runModsecCheck(["--directive", `SecRule ARGS "@rx x" "phase:1,deny"`, conf], ["{}"]), /Rules must have an ID/);
  });
});
