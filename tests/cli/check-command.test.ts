// `waf check --jsonl` as a user (or another program) drives it: the bundled CLI, a real rule file, standard input
// answered line by line, blank lines skipped, bad lines answered with an error line, rule-set errors stopping the
// run with file:line before any request.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { repoRoot } from "../support/paths";

const cli = join(repoRoot, "build/waf.mjs");
const dir = mkdtempSync(join(tmpdir(), "waf-check-"));
const rules = join(dir, "rules.conf");
writeFileSync(rules, 'SecRule REQUEST_HEADERS:X-Never "@streq never-sent" "id:1001,phase:1,deny,status:403,msg:\'never\'"\n');

test("standard input is answered line by line, in order, each line flushed before the next is read", async () => {
  const child = spawn(process.execPath, [cli, "check", "--jsonl", "-", rules], { stdio: ["pipe", "pipe", "pipe"] });
  const answers = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const ask = async (line: string) => {
    child.stdin!.write(line + "\n");
    const next = await answers.next();
    assert.equal(next.done, false, "waf check closed its output early");
    return JSON.parse(next.value as string);
  };
  const first = await ask(JSON.stringify({ id: "benign", uri: "/index.html?a=1", headers: [["Host", "example.com"]] }));
  assert.deepEqual(first.index, 0);
  assert.equal(first.id, "benign");
  assert.deepEqual(first.matched, []);
  assert.deepEqual(first.intervention, { disruptive: false, status: 0 });
  assert.ok(Number.isInteger(first.time_us) && first.time_us >= 0);

  child.stdin!.write("\n"); // a blank line is skipped and takes no index
  const second = await ask(JSON.stringify({ id: null, method: "POST", uri: "/form", body: "a=1&b=2", headers: [["Host", "x"], ["Content-Type", "application/x-www-form-urlencoded"]] }));
  assert.equal(second.index, 1);
  assert.ok(Object.hasOwn(second, "id") && second.id === null, "an id key present as null is echoed");

  const bad = await ask('{"headers": "not a list"}');
  assert.deepEqual(bad, { index: 2, error: '"headers" must be an array of [name, value] pairs' });

  const noId = await ask("{}");
  assert.equal(noId.index, 3);
  assert.ok(!Object.hasOwn(noId, "id"), "no id key in, no id key out");
  child.stdin!.end();
  const code = await new Promise<number | null>((r) => child.on("exit", r));
  assert.equal(code, 0);
});

test("a rule-set error stops the run before any request, naming file and line, with a non-zero exit", () => {
  const broken = join(dir, "broken.conf");
  writeFileSync(broken, '# a comment\nSecRule ARGS "@rx (" "id:7,phase:1,deny"\n');
  const r = spawnSync(process.execPath, [cli, "check", "--jsonl", "-", broken], { input: "{}\n", encoding: "utf8" });
  assert.notEqual(r.status, 0);
  assert.equal(r.stdout, "", "no request was answered");
  assert.match(r.stderr, new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: SecRule: operator @rx: cannot compile`));
});

test("--mode must be detect or block", () => {
  const r = spawnSync(process.execPath, [cli, "check", "--mode", "enforce", "--jsonl", "-", rules], { input: "", encoding: "utf8" });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /Allowed choices are detect, block/);
});

test("detections: matched ids and the intervention, from request headers to a phase-4 403 on the response body", () => {
  const conf = join(dir, "detect.conf");
  writeFileSync(conf, [
    "SecRuleEngine On",
    "SecRequestBodyAccess On",
    "SecResponseBodyAccess On",
    "SecResponseBodyMimeType text/html",
    'SecRule ARGS:q "@contains attack" "id:1001,phase:1,deny,status:403,log,auditlog,msg:\'attack in q\'"',
    'SecRule ARGS_POST:comment "@rx <script" "id:1002,phase:2,deny,status:406,log,auditlog,msg:\'script in comment\'"',
    'SecRule RESPONSE_BODY "@contains TOP-SECRET" "id:1003,phase:4,deny,status:403,log,auditlog,msg:\'leak\'"',
    'SecRule REQUEST_HEADERS:X-Note "@streq hello" "id:1004,phase:1,pass,log,auditlog,msg:\'noted\'"',
    'SecRule ARGS_GET:p "@streq two" "id:1005,phase:2,deny,status:403,log,auditlog,msg:\'phase two\'"',
  ].join("\n") + "\n");
  const lines = [
    { id: "headers", uri: "/search?q=an+attack", headers: [["Host", "x"], ["X-Note", "hello"]] },
    { id: "body", method: "POST", uri: "/post", headers: [["Host", "x"], ["Content-Type", "application/x-www-form-urlencoded"]], body: "comment=%3Cscript%3Ealert(1)" },
    { id: "response", uri: "/page", headers: [["Host", "x"]], response: { status: 200, headers: [["Content-Type", "text/html"]], body: "<p>TOP-SECRET plans</p>" } },
    { id: "pass-with-log", uri: "/ok", headers: [["Host", "x"], ["X-Note", "hello"]] },
    { id: "phase-2-no-body", uri: "/x?p=two", headers: [["Host", "x"]] },
  ].map((l) => JSON.stringify(l)).join("\n") + "\n";
  const r = spawnSync(process.execPath, [cli, "check", "--jsonl", "-", conf], { input: lines, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const out = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(out.map((o) => [o.id, o.matched, o.intervention]), [
    // 1001 denies in phase 1, so 1004 (later in the same phase) never runs, as in ModSecurity.
    ["headers", [1001], { disruptive: true, status: 403, rule_id: 1001, phase: "request_headers" }],
    ["body", [1002], { disruptive: true, status: 406, rule_id: 1002, phase: "request_body" }],
    ["response", [1003], { disruptive: true, status: 403, rule_id: 1003, phase: "response_body" }],
    ["pass-with-log", [1004], { disruptive: false, status: 0 }],
    // Without a body, phase 2 runs in Envoy's request-headers callback; it is still reported as request_body.
    ["phase-2-no-body", [1005], { disruptive: true, status: 403, rule_id: 1005, phase: "request_body" }],
  ]);
});
