// Differential check against ModSecurity v3 (libmodsecurity 3.0.9 through tests/peers/modsecurity-check): the same
// rule sets and transactions through the filter (build/waf.wasm in the proxy-wasm host) and through the peer;
// `matched` (logged rule ids, unique, in order of first match) and the intervention status must agree. Skipped
// when the peer cannot be built here (g++ / libmodsecurity-dev missing), except under CI.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModsecCheckSession, ModsecPeer } from "../peers/modsecurity-check/index";
import { compileFiles, compileText, crsFiles, loadPlugin, run, type Loaded, type Tx } from "./harness";

const skip = ModsecPeer.skipReason();

const RULES = String.raw`
SecRuleEngine On
SecRequestBodyAccess On
SecResponseBodyAccess On
SecResponseBodyMimeType text/html text/plain
SecDefaultAction "phase:1,log,auditlog,pass"
SecDefaultAction "phase:2,log,auditlog,pass"
SecAction "id:1,phase:1,pass,nolog,setvar:tx.score=0"
SecRule ARGS "@rx (?i)union\s+select" "id:10,phase:1,pass,log,msg:'sqli %{MATCHED_VAR_NAME}',setvar:tx.score=+5"
SecRule ARGS|!ARGS:safe "@pm evil wicked" "id:11,phase:2,pass,log,t:lowercase,setvar:tx.score=+3"
SecRule REQUEST_METHOD "@streq POST" "id:12,phase:2,pass,log,chain"
  SecRule ARGS_POST:a "@contains x" "setvar:tx.score=+1"
SecRule &ARGS "@gt 3" "id:13,phase:1,pass,log"
SecRule REQUEST_URI "@beginsWith /skip" "id:14,phase:1,pass,nolog,skipAfter:AFTER14"
SecRule ARGS "@rx ." "id:15,phase:1,pass,log"
SecMarker AFTER14
SecRule REQUEST_HEADERS:User-Agent "@detectSQLi" "id:16,phase:1,pass,log"
SecRule ARGS "@detectXSS" "id:17,phase:2,pass,log,t:urlDecodeUni,t:htmlEntityDecode"
SecRule REQUEST_URI "@beginsWith /noauth" "id:18,phase:1,pass,nolog,ctl:ruleRemoveById=11"
SecRule REQUEST_FILENAME "@endsWith .bak" "id:19,phase:1,pass,log"
SecRule ARGS_NAMES "@rx ^(cmd|exec)$" "id:20,phase:1,pass,log"
SecRule ARGS:w "@rx ^.*$" "id:21,phase:1,pass,log,capture,chain"
  SecRule TX:0 "@rx ^x\ny$" "t:none"
SecRule ARGS:w "!@rx ^.*$" "id:22,phase:1,pass,log"
SecRule ARGS:w "@rx ^.*$" "id:23,phase:1,pass,log,capture,chain"
  SecRule TX:0 "@rx ^$" "t:none"
SecRule TX:SCORE "@ge 5" "id:90,phase:2,deny,status:403,log,msg:'score %{tx.score}'"
SecRule RESPONSE_BODY "@contains secret-leak" "id:95,phase:4,deny,status:403,log"
`;

const TXS: Tx[] = [
  { uri: "/" },
  { uri: "/a?q=1+UNION+SELECT+2" },
  { uri: "/a?q=so+EVIL&safe=evil" },
  { uri: "/a?safe=evil" },
  { method: "POST", uri: "/p", headers: [["Host", "h"], ["Content-Type", "application/x-www-form-urlencoded"]], body: "a=xx&b=wicked" },
  { uri: "/a?a=1&b=2&c=3&d=4" },
  { uri: "/skip?a=1" },
  { uri: "/noskip?a=1" },
  { uri: "/", headers: [["Host", "h"], ["User-Agent", "1' or '1'='1"]] },
  { uri: "/?x=%3Cscript%3Ealert(1)%3C/script%3E" },
  { uri: "/noauth?q=evil" },
  { uri: "/backup/db.bak" },
  { uri: "/?cmd=ls" },
  // \`^.*$\` (the filter answers it without matching): TX:0 is the whole value, also across newlines and when empty
  { uri: "/?w=x%0Ay" },
  { uri: "/?w=x%0A" },
  { uri: "/?w=" },
  { uri: "/", response: { status: 200, headers: [["Content-Type", "text/html"]], body: "here is a secret-leak" } },
];

function toLine(t: Tx): object {
  return {
    method: t.method ?? "GET",
    uri: t.uri ?? "/",
    headers: t.headers ?? [["Host", "localhost"]],
    body: typeof t.body === "string" ? t.body : "",
    client_ip: "10.1.2.3",
    client_port: 40000,
    server_ip: "10.9.8.7",
    server_port: 8080,
    ...(t.response ? { response: { status: t.response.status ?? 200, headers: t.response.headers ?? [], body: t.response.body ?? "" } } : {}),
  };
}

/**
 * Intended difference: a rule with `noauditlog` still logs in the filter (the reference manual's semantics, which the
 * CRS suites expect); libmodsecurity 3.0.9 drops its message. In the CRS that is 980170, the phase-5 score report,
 * so it is left out of both sides.
 */
const NOAUDITLOG_RULES = new Set([980170]);
const comparable = (ids: number[]) => ids.filter((id) => !NOAUDITLOG_RULES.has(id));

async function compare(peer: ModsecCheckSession, l: Loaded, txs: Tx[]): Promise<void> {
  const diffs: string[] = [];
  for (const t of txs) {
    const want = await peer.request(toLine(t));
    want.matched = comparable(want.matched ?? []);
    const got = run(l, t);
    got.matched = comparable(got.matched);
    const wantStatus = want.intervention?.disruptive ? want.intervention.status : 0;
    const gotStatus = got.outcome.localReply || got.outcome.reset !== null ? got.outcome.status || 403 : 0;
    const same = JSON.stringify(want.matched ?? []) === JSON.stringify(got.matched) && wantStatus === gotStatus;
    if (!same) diffs.push(`${t.method ?? "GET"} ${t.uri}: modsecurity ${JSON.stringify(want.matched)} ${wantStatus}, filter ${JSON.stringify(got.matched)} ${gotStatus}`);
  }
  assert.deepEqual(diffs, []);
}

describe("filter vs ModSecurity v3.0.9", { skip: skip || false }, () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "waf-engine-peer-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("hand-written rule set", async () => {
    const conf = join(dir, "rules.conf");
    writeFileSync(conf, RULES);
    const peer = await ModsecCheckSession.start([conf]);
    try {
      const l = await loadPlugin(compileText(RULES, conf), { holdResponseHeaders: true });
      await compare(peer, l, TXS);
    } finally {
      await peer.close();
    }
  });

  const files = crsFiles("v4.28.0");
  test("CRS v4.28.0, SecRuleEngine On", { skip: files === null ? "CRS not found" : false }, async () => {
    const directive = join(dir, "on.conf");
    writeFileSync(directive, "SecRuleEngine On\n");
    const peer = await ModsecCheckSession.start([...files!, directive]);
    try {
      const l = await loadPlugin(compileFiles(files!, ["SecRuleEngine On"]), { holdResponseHeaders: true });
      const ua: Array<[string, string]> = [["Host", "example.com"], ["User-Agent", "Mozilla/5.0 Firefox/120.0"], ["Accept", "text/html"]];
      const form: Array<[string, string]> = [...ua, ["Content-Type", "application/x-www-form-urlencoded"]];
      await compare(peer, l, [
        { uri: "/index.html?page=2&sort=name", headers: ua },
        { uri: "/test/artists.php?artist=0+div+1+union%23foo*%2F*bar%0D%0Aselect%23foo%0D%0A1%2C2%2Ccurrent_user", headers: ua },
        { uri: "/?q=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E", headers: ua },
        { uri: "/cgi-bin/../../etc/passwd", headers: ua },
        { uri: "/?file=../../../../etc/passwd", headers: ua },
        { uri: "/?cmd=%3Bcat%20/etc/passwd", headers: ua },
        { method: "POST", uri: "/login", headers: form, body: "user=admin&pass=1'+OR+'1'='1" },
        { method: "POST", uri: "/comment", headers: form, body: "text=hello+world&id=5" },
        { uri: "/", headers: [["Host", "example.com"]] },
        { method: "POST", uri: "/api", headers: [...ua, ["Content-Type", "application/json"]], body: '{"q":"1 union select password from users","n":[1,2]}' },
        { method: "POST", uri: "/api", headers: [...ua, ["Content-Type", "application/json"]], body: '{"q":"hello"' },
        { method: "POST", uri: "/x", headers: [...ua, ["Content-Type", "text/xml"]], body: "<a><b>&lt;script&gt;alert(1)&lt;/script&gt;</b></a>" },
        {
          method: "POST",
          uri: "/upload",
          headers: [...ua, ["Content-Type", "multipart/form-data; boundary=XyZ"]],
          body: '--XyZ\r\nContent-Disposition: form-data; name="f"; filename="shell.php"\r\nContent-Type: text/plain\r\n\r\n<?php system($_GET[1]); ?>\r\n--XyZ\r\nContent-Disposition: form-data; name="t"\r\n\r\n<script>alert(1)</script>\r\n--XyZ--\r\n',
        },
        { uri: "/", headers: ua, response: { status: 200, headers: [["Content-Type", "text/html"]], body: "<html>Warning: mysql_fetch_array() expects parameter 1</html>" } },
        { uri: "/", headers: ua, response: { status: 500, headers: [["Content-Type", "text/html"]], body: "<html>ok</html>" } },
        { uri: "/?a=%c0%af", headers: ua },
        { uri: "/wp-login.php?redirect_to=http://evil.example/", headers: ua },
      ]);
    } finally {
      await peer.close();
    }
  });
});
