// The rule engine in the real module: small SecLang rule sets compiled with compileRuleSet, loaded as the plugin
// configuration of build/waf.wasm in the proxy-wasm host, transactions replayed as Envoy plays them. Asserts the
// matched ids of the JSON event, the event fields and what the stream did.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileText, loadPlugin, run, type Loaded, type Result, type Tx } from "./harness";

async function rules(text: string, engine = "On"): Promise<Loaded> {
  return loadPlugin(compileText(`SecRuleEngine ${engine}\nSecRequestBodyAccess On\nSecResponseBodyAccess On\nSecResponseBodyMimeType text/plain text/html application/json\n${text}`));
}

async function one(text: string, tx: Tx, engine = "On"): Promise<Result> {
  return run(await rules(text, engine), tx);
}

const urlenc: Array<[string, string]> = [["Host", "h"], ["Content-Type", "application/x-www-form-urlencoded"]];

/** [URI, extra request headers, the rule ids the transaction must match]: each case through the loaded rules. */
type MatchCase = [string, Array<[string, string]>, number[]];
function expectMatches(l: Loaded, cases: MatchCase[]): void {
  for (const [uri, extra, ids] of cases) assert.deepEqual(run(l, { uri, headers: [["Host", "h"], ...extra] }).matched, ids, uri);
}

describe("operators", () => {
  const cases: Array<[string, string, string, boolean]> = [
    // [operator, target value (in ARGS:v), description, expected match]
    ["@rx ^a+b$", "aaab", "rx", true],
    ["@rx ^a+b$", "aaac", "rx no", false],
    ["@pm foo bar baz", "xxbarxx", "pm", true],
    ["@pm foo bar baz", "xxbaxx", "pm no", false],
    ["@streq hello", "hello", "streq", true],
    ["@streq hello", "hello!", "streq no", false],
    ["@contains ell", "hello", "contains", true],
    ["@containsWord ell", "hello", "containsWord no", false],
    ["@containsWord ell", "h ell o", "containsWord", true],
    ["@beginsWith he", "hello", "beginsWith", true],
    ["@endsWith lo", "hello", "endsWith", true],
    ["@endsWith he", "hello", "endsWith no", false],
    ["@within get,post,head", "post", "within", true],
    ["@within get,post,head", "put", "within no", false],
    ["@strmatch ll", "hello", "strmatch", true],
    ["@eq 5", "5", "eq", true],
    ["@eq 5", "6", "eq no", false],
    ["@gt 5", "6", "gt", true],
    ["@ge 5", "5", "ge", true],
    ["@lt 5", "4", "lt", true],
    ["@le 5", "6", "le no", false],
    ["@validateByteRange 48-57", "123", "validateByteRange ok", false],
    ["@validateByteRange 48-57", "12a", "validateByteRange bad", true],
    ["@validateUrlEncoding", "a%2", "validateUrlEncoding", true],
    ["@validateUrlEncoding", "a%41", "validateUrlEncoding ok", false],
    ["@validateUtf8Encoding", "\xc3\xa9", "validateUtf8 ok", false],
    ["@validateUtf8Encoding", "\xc3", "validateUtf8 bad", true],
    ["@detectSQLi", "1' or '1'='1", "detectSQLi", true],
    ["@detectSQLi", "hello world", "detectSQLi no", false],
    ["@detectXSS", "<script>alert(1)</script>", "detectXSS", true],
    ["@detectXSS", "hello", "detectXSS no", false],
    ["@unconditionalMatch", "x", "unconditionalMatch", true],
    ["@noMatch", "x", "noMatch", false],
    ["@ipMatch 10.0.0.0/8,192.168.1.1", "10.20.30.40", "ipMatch", true],
    ["@ipMatch 10.0.0.0/8,192.168.1.1", "11.0.0.1", "ipMatch no", false],
    ["!@streq hello", "bye", "negated", true],
  ];
  for (const [op, value, name, expect] of cases) {
    test(name, async () => {
      // ARGS are urlencoded in the query string: encode every byte
      const enc = [...Buffer.from(value, "latin1")].map((b) => "%" + b.toString(16).padStart(2, "0")).join("");
      const r = await one(`SecRule ARGS:v "${op.replace(/"/g, '\\"')}" "id:1,phase:1,pass,log,msg:'m'"`, { uri: `/?v=${enc}` });
      assert.deepEqual(r.matched, expect ? [1] : [], `${op} on ${JSON.stringify(value)}`);
    });
  }
  test("eq with a macro argument", async () => {
    const r = await one(`SecAction "id:1,phase:1,pass,nolog,setvar:tx.limit=3"\nSecRule ARGS:n "@eq %{tx.limit}" "id:2,phase:1,pass,log"`, { uri: "/?n=3" });
    assert.deepEqual(r.matched, [2]);
  });
  test("rx with a macro in its pattern uses the precompiled expansion of the current value (CRS v3 920480)", async () => {
    const l = await rules(`
SecAction "id:1,phase:1,pass,nolog,setvar:'tx.allowed=utf-8|iso-8859-1'"
SecRule REQUEST_HEADERS:X-Policy "@streq ascii" "id:2,phase:1,pass,nolog,setvar:tx.allowed=ascii"
SecRule REQUEST_HEADERS:X-Policy "@streq from-request" "id:3,phase:1,pass,nolog,setvar:tx.allowed=%{REQUEST_HEADERS.X-Value}"
SecRule ARGS:cs "!@rx ^%{tx.allowed}$" "id:10,phase:1,pass,log"`);
    const h = (p?: string): Array<[string, string]> => (p ? [["Host", "h"], ["X-Policy", p], ["X-Value", "koi8-r"]] : [["Host", "h"]]);
    assert.deepEqual(run(l, { uri: "/?cs=utf-8", headers: h() }).matched, []);
    assert.deepEqual(run(l, { uri: "/?cs=koi8-r", headers: h() }).matched, [10]);
    assert.deepEqual(run(l, { uri: "/?cs=utf-8", headers: h("ascii") }).matched, [10]);
    assert.deepEqual(run(l, { uri: "/?cs=ascii", headers: h("ascii") }).matched, []);
    // a value the compiler could not foresee has no regex: the operator does not match (so the negation does), and
    // the filter says so in its log
    const r = run(l, { uri: "/?cs=koi8-r", headers: h("from-request") });
    assert.deepEqual(r.matched, [10]);
    assert.ok(r.logs.some((x) => /rule 10: @rx pattern expanded to \/\^koi8-r\$\/.*could not foresee/.test(x)), r.logs.join("\n"));
  });
  test("rx capture fills TX:0..n and macros see them", async () => {
    const r = await one(`SecRule ARGS:v "@rx (a+)(b+)" "id:1,phase:1,pass,log,capture,msg:'%{TX.0}|%{TX.1}|%{TX.2}'"`, { uri: "/?v=xaabbbx" });
    assert.equal(r.event!.rules[0]!.message, "aabbb|aa|bbb");
  });
  test("pm capture and MATCHED_VAR / MATCHED_VAR_NAME in logdata", async () => {
    const r = await one(`SecRule ARGS "@pm evil" "id:1,phase:1,pass,log,capture,logdata:'%{MATCHED_VAR_NAME}=%{MATCHED_VAR} %{TX.0}'"`, { uri: "/?a=ok&b=so+evil" });
    assert.equal(r.event!.rules[0]!.data, "ARGS:b=so evil evil");
  });
  test("@pm lists folded into the prefilter: any value, caseless, after the pipeline; short lists are not folded", async () => {
    // rules 1-4 use lists whose phrases are all 3 bytes or longer: the compiler adds them to the regex prefilter and
    // the engine rules them out from the values' scans (skippable.ts); rule 5's list has a 2-byte phrase and is not
    // folded; rule 6 is negated (never ruled out). Every verdict must be the one of the automaton itself.
    const l = await rules(`
SecRule ARGS|REQUEST_HEADERS "@pm evil wicked" "id:1,phase:1,pass,log,capture,logdata:'%{TX.0}'"
SecRule ARGS_NAMES "@pm sneaky" "id:2,phase:1,pass,log"
SecRule ARGS "@pm alpha beta" "id:3,phase:1,pass,log,t:none,t:urlDecodeUni,t:lowercase"
SecRule REQUEST_URI "@pm /admin" "id:4,phase:1,pass,log"
SecRule ARGS "@pm ab zzz" "id:5,phase:1,pass,log"
SecRule ARGS "!@pm nothing" "id:6,phase:1,pass,log"
`);
    expectMatches(l, [
      ["/?a=1&b=2", [], [6]],
      ["/?a=1&b=so+EVIL", [], [1, 6]],
      ["/?a=1", [["X-Note", "Wicked"]], [1, 6]],
      ["/?SneakyName=1", [], [2, 6]],
      ["/?a=%2541LPHA", [], [3, 6]],
      ["/Admin/x?a=1", [], [4, 6]],
      ["/?a=xaby", [], [5, 6]],
      ["/?a=nothing", [], []],
    ]);
    assert.equal(run(l, { uri: "/?a=so+EvIl+too" }).event!.rules[0]!.data, "EvIl");
  });
  test("detectSQLi capture stores the fingerprint", async () => {
    const r = await one(`SecRule ARGS:v "@detectSQLi" "id:1,phase:1,pass,log,capture,logdata:'%{TX.0}'"`, { uri: "/?v=1'+or+'1'%3D'1" });
    assert.ok(/^[a-zA-Z0-9&()]+$/.test(r.event!.rules[0]!.data), r.event!.rules[0]!.data);
  });
});

describe("variables and transformations", () => {
  test("a step skipped by its triggers still sees the bytes an earlier step produced (transforms/triggers.ts)", async () => {
    // %41 holds no A-Z, so lowercase alone would be skipped on the raw value; after urlDecodeUni it reads "A". Rule 2's
    // pipeline shares rule 1's urlDecodeUni node, so its lowercase step starts from that node's changed buffer.
    const l = await rules(`
SecRule ARGS "@streq a" "id:1,phase:1,pass,log,t:none,t:urlDecodeUni,t:lowercase"
SecRule ARGS "@streq a" "id:2,phase:1,pass,log,t:none,t:urlDecodeUni,t:lowercase,t:removeWhitespace"
SecRule ARGS "@streq %41" "id:3,phase:1,pass,log,t:none,t:lowercase"
SecRule ARGS "@streq a" "id:4,phase:1,pass,log,t:none,t:urlDecodeUni"
SecRule ARGS "@streq <a>" "id:5,phase:1,pass,log,t:none,t:htmlEntityDecode,t:urlDecodeUni,t:htmlEntityDecode"
`);
    expectMatches(l, [
      ["/?x=%2541", [], [1, 2, 3]],
      ["/?x=%2561", [], [1, 2, 4]],
      ["/?x=%2526lt%253Ba%2526gt%253B", [], [5]],
    ]);
  });
  test("regex selectors that are plain words are answered like the regex (selectors.ts)", async () => {
    // rules 1-5 have selectors the engine answers by comparing bytes; rules 101-105 the same patterns written so they
    // run as regexes. Each pair must agree on every transaction, and the expected ids pin the answers themselves.
    const l = await rules(`
SecRule ARGS:/^pre_fix-/ "@rx ^" "id:1,phase:1,pass,log"
SecRule ARGS:/(?:^pre_fix-)/ "@rx ^" "id:101,phase:1,pass,log"
SecRule ARGS:/mid_/ "@rx ^" "id:2,phase:1,pass,log"
SecRule ARGS:/(?:mid_)/ "@rx ^" "id:102,phase:1,pass,log"
SecRule ARGS:/^st.*/ "@rx ^" "id:3,phase:1,pass,log"
SecRule ARGS:/^(?:st).*/ "@rx ^" "id:103,phase:1,pass,log"
SecRule ARGS:/zz_*/ "@rx ^" "id:4,phase:1,pass,log"
SecRule ARGS:/(?:zz)_*/ "@rx ^" "id:104,phase:1,pass,log"
SecRule &ARGS:/^pre_fix-/ "@eq 2" "id:5,phase:1,pass,log"
SecRule &ARGS:/(?:^pre_fix-)/ "@eq 2" "id:105,phase:1,pass,log"
SecRule ARGS|!ARGS:/^skip_/ "@rx ^" "id:6,phase:1,pass,log"
SecRule ARGS|!ARGS:/(?:^skip_)/ "@rx ^" "id:106,phase:1,pass,log"
`);
    expectMatches(l, [
      ["/?PRE_FIX-a=1&b=2", [], [1, 101, 6, 106]],
      ["/?xpre_fix-=1", [], [6, 106]],
      ["/?a_MID_b=1", [], [2, 102, 6, 106]],
      ["/?mi_d=1&s=2", [], [6, 106]],
      ["/?STx=1", [], [3, 103, 6, 106]],
      ["/?xst=1", [], [6, 106]],
      ["/?aZZ=1", [], [4, 104, 6, 106]],
      ["/?z_z=1", [], [6, 106]],
      ["/?pre_fix-=1&Pre_Fix-2=x", [], [1, 101, 5, 105, 6, 106]],
      ["/?skip_me=1", [], []],
      ["/?Skip_me=1&xskip_=2", [], [6, 106]],
    ]);
  });
  test("headers, cookies, names, count and exclusion", async () => {
    // Envoy's HTTP/1 codec lower-cases header names before the filter sees them
    const l = await rules(`
SecRule REQUEST_HEADERS:User-Agent "@contains curl" "id:1,phase:1,pass,log"
SecRule REQUEST_COOKIES:sess "@streq abc" "id:2,phase:1,pass,log"
SecRule REQUEST_HEADERS_NAMES "@streq x-evil" "id:3,phase:1,pass,log"
SecRule &ARGS "@eq 3" "id:4,phase:1,pass,log"
SecRule ARGS|!ARGS:safe "@contains bad" "id:5,phase:1,pass,log"
SecRule ARGS_NAMES "@rx ^sa" "id:6,phase:1,pass,log"
SecRule ARGS:/^x_/ "@streq 1" "id:7,phase:1,pass,log"
SecRule REQUEST_METHOD "@streq GET" "id:8,phase:1,pass,log"
SecRule REQUEST_FILENAME "@streq /p a/f.php" "id:9,phase:1,pass,log"
SecRule REQUEST_BASENAME "@streq f.php" "id:10,phase:1,pass,log"
SecRule QUERY_STRING "@beginsWith safe=" "id:11,phase:1,pass,log"
SecRule REQUEST_LINE "@endsWith HTTP/1.1" "id:12,phase:1,pass,log"
SecRule REMOTE_ADDR "@ipMatch 10.1.2.3" "id:13,phase:1,pass,log"
SecRule REQUEST_URI_RAW "@contains %20" "id:14,phase:1,pass,log"
`);
    const r = run(l, {
      uri: "/p%20a/f.php?safe=bad&x_1=1&z=ok",
      headers: [["Host", "h"], ["User-Agent", "curl/8"], ["Cookie", "sess=abc; other=1"], ["X-Evil", "1"]],
    });
    assert.deepEqual(r.matched, [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });
  test("one keyed target: every entry of a repeated key, counts, absent keys, ctl target removal", async () => {
    const l = await rules(`
SecRule ARGS:a "@streq 2" "id:1,phase:1,pass,log"
SecRule &ARGS:a "@eq 2" "id:2,phase:1,pass,log"
SecRule &ARGS:none "@eq 0" "id:3,phase:1,pass,log"
SecRule ARGS:none "!@streq x" "id:4,phase:1,pass,log"
SecRule ARGS:b "@streq 3" "id:5,phase:1,pass,log,ctl:ruleRemoveTargetById=6;ARGS:b"
SecRule ARGS:b "@streq 3" "id:6,phase:1,pass,log"
`);
    assert.deepEqual(run(l, { uri: "/?a=1&a=2&b=3" }).matched, [1, 2, 3, 5]);
  });
  test("a keyed read after the key is added, changed or removed sees the change, in every transaction", async () => {
    // the engine remembers where a key was found while the collection is unchanged (keyed.ts keySlots): each setvar
    // must invalidate that, and so must the next transaction reusing the collections
    const l = await rules(`
SecRule TX:x "@eq 1" "id:1,phase:1,pass,log"
SecRule &TX:x "@eq 0" "id:2,phase:1,pass,log"
SecAction "id:3,phase:1,pass,nolog,setvar:tx.x=1"
SecRule TX:x "@eq 1" "id:4,phase:1,pass,log"
SecAction "id:5,phase:1,pass,nolog,setvar:tx.x=2"
SecRule TX:x "@eq 1" "id:6,phase:1,pass,log"
SecRule TX:x "@eq 2" "id:7,phase:1,pass,log"
SecAction "id:8,phase:1,pass,nolog,setvar:!tx.x"
SecRule &TX:x "@eq 0" "id:9,phase:1,pass,log"
SecRule REQUEST_HEADERS:X-A "@streq a" "id:10,phase:1,pass,log"
SecRule REQUEST_HEADERS:X-A "@streq b" "id:11,phase:1,pass,log"
`);
    for (const [value, ids] of [["a", [2, 4, 7, 9, 10]], ["b", [2, 4, 7, 9, 11]], ["a", [2, 4, 7, 9, 10]]] as const) {
      assert.deepEqual(run(l, { uri: "/", headers: [["Host", "h"], ["X-A", value]] }).matched, ids, value);
    }
  });
  test("rules the prefilter rules out (cannotMatch) give the verdicts of full evaluation, around chains and skipAfter", async () => {
    // rules 2-5 and 9-11 are plain @rx over request collections and scalars, decided from the per-collection unions
    // of prefilter candidates (filter/engine/skippable.ts) when nothing can match: a value with a candidate must
    // still be evaluated and found; skipAfter may land among them; a chain's head decides for it. Rule 1's pattern
    // has nothing to scan for, and rule 6's one keyed target is read directly (keyed.ts).
    const l = await rules(`
SecRule ARGS "@rx ^" "id:1,phase:1,pass,nolog,setvar:tx.seen=1"
SecRule ARGS "@rx zqxa" "id:2,phase:1,pass,log"
SecRule ARGS|REQUEST_HEADERS "@rx zqxb" "id:3,phase:1,pass,log,t:none,t:lowercase"
SecRule ARGS_NAMES "@rx zqxc" "id:4,phase:1,pass,log,chain"
  SecRule ARGS "@rx ." "t:none"
SecRule REQUEST_URI "@rx zqxd" "id:5,phase:1,pass,log"
SecRule REQUEST_HEADERS:X-Z "@rx zqxe" "id:6,phase:1,pass,log"
SecRule &MATCHED_VARS "@eq 0" "id:7,phase:1,pass,log"
SecRule ARGS:jump "@streq 1" "id:8,phase:2,pass,log,skipAfter:MID"
SecRule ARGS "@rx zqxf" "id:9,phase:2,pass,log"
SecMarker MID
SecRule ARGS "@rx zqxg" "id:10,phase:2,pass,log"
SecRule ARGS "@rx zqxh" "id:11,phase:2,pass,log"
`);
    expectMatches(l, [
      ["/?a=1", [], [7]],
      ["/?a=zqxa", [], [2, 7]],
      ["/?a=1", [["X-Y", "ZQXB"]], [3, 7]],
      ["/?zqxc=1", [], [4, 7]],
      ["/?zqxc=", [], [7]],
      ["/zqxd?a=1", [], [5, 7]],
      ["/?a=1", [["X-Z", "zqxe"]], [6, 7]],
      ["/?a=zqxf&b=zqxh", [], [7, 9, 11]],
      ["/?jump=1&a=zqxf&b=zqxg", [], [7, 8, 10]],
      ["/?jump=1&a=1", [], [7, 8]],
    ]);
  });
  test("selector regexes are caseless, also in exclusions, as ModSecurity v3 compiles them", async () => {
    // mixed case in pattern and key: neither the key as written nor folded to one case matches /^X_[a-z]+$/
    const l = await rules(`
SecRule ARGS:/^X_[a-z]+$/ "@streq 1" "id:1,phase:1,pass,log"
SecRule ARGS|!ARGS:/^X_[a-z]+$/ "@streq 1" "id:2,phase:1,pass,log"
SecRule ARGS:/^Y_/ "@streq 1" "id:3,phase:1,pass,log"
`);
    assert.deepEqual(run(l, { uri: "/?x_ABc=1" }).matched, [1]);
  });
  test("a pipeline transforms the value; MATCHED_VAR is the transformed value", async () => {
    const r = await one(`SecRule ARGS:v "@streq <script>" "id:1,phase:1,pass,log,t:none,t:urlDecodeUni,t:htmlEntityDecode,t:lowercase,logdata:'%{MATCHED_VAR}'"`, {
      uri: "/?v=%26lt%3BSCRIPT%26gt%3B",
    });
    assert.deepEqual(r.matched, [1]);
    assert.equal(r.event!.rules[0]!.data, "<script>");
  });
  test("multiMatch matches an intermediate value", async () => {
    const rulesText = (mm: string) => `SecRule ARGS:v "@streq A B" "id:1,phase:1,pass,log,t:none,t:removeWhitespace${mm}"`;
    assert.deepEqual((await one(rulesText(""), { uri: "/?v=A+B" })).matched, []);
    assert.deepEqual((await one(rulesText(",multiMatch"), { uri: "/?v=A+B" })).matched, [1]);
  });
});

describe("actions", () => {
  test("setvar arithmetic and anomaly scoring with a blocking rule", async () => {
    const l = await rules(`
SecAction "id:1,phase:1,pass,nolog,setvar:tx.score=0,setvar:tx.crit=5"
SecRule ARGS "@contains attack" "id:2,phase:1,pass,log,setvar:tx.score=+%{tx.crit}"
SecRule ARGS "@contains minor" "id:3,phase:1,pass,log,setvar:tx.score=+2,setvar:tx.score=-1"
SecRule TX:SCORE "@ge 5" "id:4,phase:2,deny,status:406,log,msg:'score %{tx.score}'"
`);
    const hit = run(l, { uri: "/?a=attack&b=minor" });
    assert.deepEqual(hit.matched, [2, 3, 4]);
    assert.equal(hit.outcome.status, 406);
    assert.equal(hit.event!.rules[2]!.message, "score 6");
    assert.equal(hit.event!.action, "deny");
    const low = run(l, { uri: "/?b=minor" });
    assert.deepEqual(low.matched, [3]);
    assert.equal(low.outcome.localReply, false);
  });
  test("setvar is counted once per matched value; unset with !", async () => {
    const r = await one(`
SecRule ARGS "@contains x" "id:1,phase:1,pass,nolog,setvar:tx.n=+1"
SecAction "id:2,phase:1,pass,nolog,setvar:!tx.gone,setvar:tx.gone2=1,setvar:!tx.gone2"
SecRule TX:N "@eq 3" "id:3,phase:1,pass,log"
SecRule &TX:GONE2 "@eq 0" "id:4,phase:1,pass,log"`, { uri: "/?a=x&b=x&c=x&d=y" });
    assert.deepEqual(r.matched, [3, 4]);
  });
  test("nolog rules are not in the event but still disrupt", async () => {
    const r = await one(`SecRule ARGS "@contains x" "id:1,phase:1,deny,nolog"`, { uri: "/?a=x" });
    assert.equal(r.outcome.status, 403);
    assert.equal(r.event, null);
  });
  test("log/nolog: defaults first, the last one wins; noauditlog leaves the log alone (CRS 980170)", async () => {
    const r = await one(`
SecDefaultAction "phase:1,log,auditlog,pass"
SecDefaultAction "phase:2,nolog,auditlog,pass"
SecAction "id:1,phase:1,pass,noauditlog"
SecAction "id:2,phase:1,pass,log,nolog"
SecAction "id:3,phase:2,pass"
SecAction "id:4,phase:2,pass,nolog,log"
SecAction "id:5,phase:2,pass,log,noauditlog"`, { uri: "/" });
    assert.deepEqual(r.matched, [1, 4, 5]);
  });
  test("drop closes the stream, redirect replies 302 with Location", async () => {
    const d = await one(`SecRule ARGS "@contains x" "id:1,phase:1,drop,log"`, { uri: "/?a=x" });
    assert.ok(d.outcome.reset !== null, String(d.outcome.reset));
    assert.equal(d.event!.action, "drop");
    const l = await rules(`SecRule ARGS "@contains x" "id:1,phase:1,redirect:http://example.com/blocked?id=%{rule.id},log"`);
    const r = run(l, { uri: "/?a=x" });
    assert.equal(r.outcome.status, 302);
    assert.equal(r.event!.action, "redirect");
  });
  test("allow stops the evaluation of later rules", async () => {
    const r = await one(`
SecRule REMOTE_ADDR "@ipMatch 10.1.2.3" "id:1,phase:1,allow,nolog"
SecRule ARGS "@contains x" "id:2,phase:1,deny,log"
SecRule ARGS "@contains x" "id:3,phase:2,deny,log"`, { uri: "/?a=x" });
    assert.equal(r.outcome.localReply, false);
    assert.deepEqual(r.matched, []);
  });
  test("pass with log in DetectionOnly never blocks, deny is reported but not executed", async () => {
    const r = await one(`SecRule ARGS "@contains x" "id:1,phase:1,deny,log"`, { uri: "/?a=x" }, "DetectionOnly");
    assert.deepEqual(r.matched, [1]);
    assert.equal(r.outcome.localReply, false);
    assert.equal(r.event!.rules[0]!.disruptive, false);
    assert.equal(r.event!.mode, "DetectionOnly");
  });
  test("SecRuleEngine Off evaluates nothing", async () => {
    const r = await one(`SecRule ARGS "@contains x" "id:1,phase:1,deny,log"`, { uri: "/?a=x" }, "Off");
    assert.equal(r.event, null);
    assert.equal(r.outcome.localReply, false);
  });
  test("event JSON: every byte escaped exactly; data cut at 200 characters (as ModSecurity's error log)", async () => {
    // all bytes 0x01..0xff except '#' (fragment), '%' (decoding) and '&'/'=' (argument split), three times over
    const raw = Array.from({ length: 255 }, (_, i) => i + 1).filter((c) => ![0x23, 0x25, 0x26, 0x3d].includes(c));
    const value = Buffer.from([...raw, ...raw, ...raw]).toString("latin1");
    const uri = "/p?v=" + encodeURIComponent(value); // UTF-8 on the wire
    const r = await one(`SecRule ARGS:v "@unconditionalMatch" "id:5,phase:1,pass,log,logdata:'%{MATCHED_VAR}',msg:'m %{MATCHED_VAR}'"`, { uri });
    const rule = r.event!.rules[0]!;
    const latin1 = Buffer.from(value, "utf8").toString("latin1"); // the bytes the filter saw, one char each
    assert.equal(rule.data, latin1.slice(0, 200) + "...");
    assert.equal(rule.message, "m " + latin1, "msg is not cut");
  });
  test("msg, logdata, severity, tags and file/line reach the event and the human line", async () => {
    const r = await one(`SecRule ARGS:q "@contains sel" "id:77,phase:1,pass,log,severity:CRITICAL,tag:'attack-sqli',msg:'SQLi in %{MATCHED_VAR_NAME}',logdata:'Matched Data: %{MATCHED_VAR}'"`, { uri: "/x?q=select" });
    const rule = r.event!.rules[0]!;
    assert.deepEqual(rule, { id: 77, message: "SQLi in ARGS:q", severity: 2, file: "/rules/test.conf", line: 5, phase: 1, data: "Matched Data: select", disruptive: false });
    assert.equal(r.event!.count, 1);
    assert.equal(r.event!.path, "/x?q=select");
    assert.equal(r.event!.method, "GET");
    assert.deepEqual(r.event!.source, { ip: "10.1.2.3", port_num: 40000 });
    assert.match(r.infos[0]!, /^WAF Process Http Request \[req-\d+\] URL '\/x\?q=select' OWASP Warning'\[2\] Host:'h?.*' File:'\/rules\/test.conf' Line:'5' ID:'77' Data:'Matched Data: select' Severity:'2' Version:'' Message:'SQLi in ARGS:q'$/);
  });
});

describe("chains and flow", () => {
  test("a chain matches only when every link matches, and appears once under its head id", async () => {
    const l = await rules(`
SecRule REQUEST_METHOD "@streq GET" "id:1,phase:1,pass,log,chain,msg:'chain'"
  SecRule ARGS:a "@streq 1" "chain"
  SecRule ARGS:b "@streq 2" "setvar:tx.chained=1"
SecRule TX:CHAINED "@eq 1" "id:2,phase:1,pass,log"`);
    assert.deepEqual(run(l, { uri: "/?a=1&b=2" }).matched, [1, 2]);
    assert.deepEqual(run(l, { uri: "/?a=1&b=3" }).matched, []);
  });
  test("skip and skipAfter", async () => {
    const l = await rules(`
SecRule ARGS:s "@streq 1" "id:1,phase:1,pass,nolog,skip:1"
SecRule ARGS "@rx ." "id:2,phase:1,pass,log"
SecRule ARGS:s "@streq 2" "id:3,phase:1,pass,nolog,skipAfter:END"
SecRule ARGS "@rx ." "id:4,phase:1,pass,log"
SecRule ARGS "@rx ." "id:5,phase:1,pass,log"
SecMarker END
SecRule ARGS "@rx ." "id:6,phase:1,pass,log"`);
    assert.deepEqual(run(l, { uri: "/?s=1" }).matched, [4, 5, 6]);
    assert.deepEqual(run(l, { uri: "/?s=2" }).matched, [2, 6]);
    assert.deepEqual(run(l, { uri: "/?s=3" }).matched, [2, 4, 5, 6]);
  });
  test("an intervention ends the phase and skips later phases but phase 5", async () => {
    const r = await one(`
SecRule ARGS "@contains x" "id:1,phase:1,deny,log"
SecRule ARGS "@contains x" "id:2,phase:1,pass,log"
SecRule ARGS "@contains x" "id:3,phase:2,pass,log"
SecRule ARGS "@contains x" "id:4,phase:5,pass,log"`, { uri: "/?a=x" });
    assert.deepEqual(r.matched, [1, 4]);
  });
});

describe("ctl", () => {
  test("ruleRemoveById, ruleRemoveByTag, ruleRemoveTargetById, ruleEngine", async () => {
    const l = await rules(`
SecRule REQUEST_URI "@beginsWith /a" "id:1,phase:1,pass,nolog,ctl:ruleRemoveById=10-11"
SecRule REQUEST_URI "@beginsWith /b" "id:2,phase:1,pass,nolog,ctl:ruleRemoveByTag=sqli"
SecRule REQUEST_URI "@beginsWith /c" "id:3,phase:1,pass,nolog,ctl:ruleRemoveTargetById=12;ARGS:pw"
SecRule REQUEST_URI "@beginsWith /d" "id:4,phase:1,pass,nolog,ctl:ruleEngine=DetectionOnly"
SecRule ARGS "@contains x" "id:10,phase:1,pass,log"
SecRule ARGS "@contains x" "id:11,phase:2,pass,log,tag:'sqli'"
SecRule ARGS "@contains x" "id:12,phase:2,pass,log"
SecRule ARGS "@contains x" "id:13,phase:2,deny,log"`);
    assert.deepEqual(run(l, { uri: "/a?pw=x" }).matched, [12, 13]);
    assert.deepEqual(run(l, { uri: "/b?pw=x" }).matched, [10, 12, 13]);
    assert.deepEqual(run(l, { uri: "/c?pw=x" }).matched, [10, 11, 13]);
    assert.deepEqual(run(l, { uri: "/c?pw=x&other=x" }).matched, [10, 11, 12, 13]);
    const d = run(l, { uri: "/d?pw=x" });
    assert.deepEqual(d.matched, [10, 11, 12, 13]);
    assert.equal(d.outcome.localReply, false);
    assert.equal(run(l, { uri: "/e?pw=x" }).outcome.status, 403);
  });
  test("ctl:requestBodyProcessor=JSON parses a JSON body into ARGS", async () => {
    const l = await rules(`
SecRule REQUEST_HEADERS:Content-Type "@beginsWith application/json" "id:1,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRule ARGS:json.user.name "@streq root" "id:2,phase:2,pass,log"
SecRule REQBODY_PROCESSOR "@streq JSON" "id:3,phase:2,pass,log"
SecRule REQBODY_ERROR "!@eq 0" "id:4,phase:2,pass,log"`);
    const r = run(l, { method: "POST", uri: "/", headers: [["Host", "h"], ["Content-Type", "application/json"]], body: '{"user":{"name":"root"}}' });
    assert.deepEqual(r.matched, [2, 3]);
    const bad = run(l, { method: "POST", uri: "/", headers: [["Host", "h"], ["Content-Type", "application/json"]], body: '{"user":' });
    assert.deepEqual(bad.matched, [3, 4]);
  });
  test("ctl:requestBodyAccess=Off skips body processing", async () => {
    const l = await rules(`
SecRule REQUEST_URI "@beginsWith /nobody" "id:1,phase:1,pass,nolog,ctl:requestBodyAccess=Off"
SecRule ARGS_POST:a "@streq x" "id:2,phase:2,pass,log"`);
    assert.deepEqual(run(l, { method: "POST", uri: "/", headers: urlenc, body: "a=x" }).matched, [2]);
    assert.deepEqual(run(l, { method: "POST", uri: "/nobody", headers: urlenc, body: "a=x" }).matched, []);
  });
});

describe("request bodies", () => {
  test("urlencoded: ARGS_POST, ARGS, REQUEST_BODY, ARGS_COMBINED_SIZE", async () => {
    const r = await one(`
SecRule ARGS_POST:a "@streq 1 2" "id:1,phase:2,pass,log"
SecRule ARGS_GET:a "@streq q" "id:2,phase:2,pass,log"
SecRule REQUEST_BODY "@streq a=1+2&b=3" "id:3,phase:2,pass,log"
SecRule ARGS_COMBINED_SIZE "@eq 8" "id:4,phase:2,pass,log"
SecRule REQBODY_PROCESSOR "@streq URLENCODED" "id:5,phase:2,pass,log"
SecRule ARGS_POST_NAMES "@streq b" "id:6,phase:2,pass,log"`, { method: "POST", uri: "/?a=q", headers: urlenc, body: "a=1+2&b=3" });
    assert.deepEqual(r.matched, [1, 2, 3, 4, 5, 6]);
  });
  test("multipart: ARGS_POST, FILES, FILES_NAMES, MULTIPART_STRICT_ERROR", async () => {
    const body = [
      "--XyZ",
      'Content-Disposition: form-data; name="field"',
      "",
      "value1",
      "--XyZ",
      'Content-Disposition: form-data; name="up"; filename="evil.php"',
      "Content-Type: application/octet-stream",
      "",
      "<?php ?>",
      "--XyZ--",
      "",
    ].join("\r\n");
    const r = await one(`
SecRule ARGS_POST:field "@streq value1" "id:1,phase:2,pass,log"
SecRule FILES "@endsWith .php" "id:2,phase:2,pass,log"
SecRule FILES_NAMES "@streq up" "id:3,phase:2,pass,log"
SecRule MULTIPART_STRICT_ERROR "@eq 0" "id:4,phase:2,pass,log"
SecRule REQBODY_PROCESSOR "@streq MULTIPART" "id:5,phase:2,pass,log"
SecRule MULTIPART_NAME "@streq field" "id:6,phase:2,pass,log"`, {
      method: "POST",
      uri: "/upload",
      headers: [["Host", "h"], ["Content-Type", "multipart/form-data; boundary=XyZ"]],
      body,
    });
    assert.deepEqual(r.matched, [1, 2, 3, 4, 5, 6]);
  });
  test("XML: XML:/* and well-formedness errors", async () => {
    const l = await rules(`
SecRule REQUEST_HEADERS:Content-Type "@rx ^text/xml" "id:1,phase:1,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule XML:/* "@contains secret" "id:2,phase:2,pass,log"
SecRule REQBODY_ERROR "!@eq 0" "id:3,phase:2,pass,log"`);
    const xml: Array<[string, string]> = [["Host", "h"], ["Content-Type", "text/xml"]];
    assert.deepEqual(run(l, { method: "POST", uri: "/", headers: xml, body: "<a><b>the secret</b></a>" }).matched, [2]);
    assert.deepEqual(run(l, { method: "POST", uri: "/", headers: xml, body: "<a><b>the secret</a>" }).matched, [3]);
  });
  test("REQUEST_BODY: empty for a parsed XML body (unless forced), kept for malformed XML, JSON and urlencoded", async () => {
    const l = await rules(`
SecRule REQUEST_HEADERS:Content-Type "@rx ^text/xml" "id:1,phase:1,pass,nolog,ctl:requestBodyProcessor=XML"
SecRule REQUEST_HEADERS:Content-Type "@rx ^application/json" "id:2,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRule REQUEST_HEADERS:X-Force "@streq 1" "id:3,phase:1,pass,nolog,ctl:forceRequestBodyVariable=On"
SecRule REQUEST_BODY "@contains java.lang" "id:10,phase:2,pass,log"
SecRule REQUEST_BODY_LENGTH "@gt 0" "id:11,phase:2,pass,log"
SecRule XML:/* "@contains java.lang" "id:12,phase:2,pass,log"`);
    const xml: Array<[string, string]> = [["Host", "h"], ["Content-Type", "text/xml"]];
    const doc = "<a><java.lang.Runtime>java.lang.x</java.lang.Runtime></a>";
    assert.deepEqual(run(l, { method: "POST", uri: "/", headers: xml, body: doc }).matched, [11, 12]);
    assert.deepEqual(run(l, { method: "POST", uri: "/", headers: [...xml, ["X-Force", "1"]], body: doc }).matched, [10, 11, 12]);
    assert.deepEqual(run(l, { method: "POST", uri: "/", headers: xml, body: "<a>java.lang.x</b>" }).matched, [10, 11]);
    const json: Array<[string, string]> = [["Host", "h"], ["Content-Type", "application/json"]];
    assert.deepEqual(run(l, { method: "POST", uri: "/", headers: json, body: '{"k":"java.lang.x"}' }).matched, [10, 11]);
    assert.deepEqual(run(l, { method: "POST", uri: "/", headers: urlenc, body: "k=java.lang.x" }).matched, [10, 11]);
  });
  test("SecRequestBodyLimit with Reject refuses (403), with ProcessPartial inspects the prefix", async () => {
    const reject = await loadPlugin(compileText(`SecRuleEngine On\nSecRequestBodyAccess On\nSecRequestBodyLimit 10\nSecRequestBodyLimitAction Reject\nSecRule INBOUND_DATA_ERROR "@eq 1" "id:1,phase:2,pass,log"`));
    const rr = run(reject, { method: "POST", uri: "/", headers: urlenc, body: "a=0123456789abcdef" });
    assert.equal(rr.outcome.status, 403);
    const partial = await loadPlugin(compileText(`SecRuleEngine On\nSecRequestBodyAccess On\nSecRequestBodyLimit 10\nSecRequestBodyLimitAction ProcessPartial\nSecRule INBOUND_DATA_ERROR "@eq 1" "id:1,phase:2,pass,log"\nSecRule REQUEST_BODY "@streq a=01234567" "id:2,phase:2,pass,log"`));
    const rp = run(partial, { method: "POST", uri: "/", headers: urlenc, body: "a=0123456789abcdef" });
    assert.deepEqual(rp.matched, [1, 2]);
    assert.equal(rp.outcome.localReply, false);
  });
});

describe("response phases", () => {
  test("phase 3 on response headers blocks with a local reply", async () => {
    const r = await one(`SecRule RESPONSE_STATUS "@streq 500" "id:1,phase:3,deny,status:502,log"\nSecRule RESPONSE_HEADERS:X-Leak "@rx ." "id:2,phase:3,pass,log"`, {
      uri: "/",
      response: { status: 500, headers: [["Content-Type", "text/html"], ["X-Leak", "v"]], body: "oops" },
    });
    assert.deepEqual(r.matched, [1]);
    assert.equal(r.outcome.status, 502);
    assert.equal(r.outcome.phase, "response_headers");
  });
  test("phase 4 inspects the buffered response body; a deny stops the body", async () => {
    const text = `SecRule RESPONSE_BODY "@contains SQL syntax" "id:1,phase:4,deny,log,msg:'leak'"`;
    const r = await one(text, { uri: "/", response: { status: 200, headers: [["Content-Type", "text/html; charset=utf-8"]], body: "<p>You have an error in your SQL syntax</p>" } });
    assert.deepEqual(r.matched, [1]);
    assert.equal(r.outcome.phase, "response_body");
    assert.equal(r.event!.action, "deny");
    // headers already forwarded (Envoy's default allow_on_headers_stop_iteration: false): the stream is reset
    assert.ok(r.outcome.reset !== null && r.outcome.status === 200, String(r.outcome.reset));
    // with allow_on_headers_stop_iteration the headers are held: a clean 403 before any response byte
    const held = await loadPlugin(compileText(`SecRuleEngine On\nSecResponseBodyAccess On\n${text}`), { holdResponseHeaders: true });
    const h = run(held, { uri: "/", response: { status: 200, headers: [["Content-Type", "text/html"]], body: "<p>SQL syntax</p>" } });
    assert.deepEqual(h.matched, [1]);
    assert.equal(h.outcome.status, 403);
    assert.equal(h.outcome.localReply, true);
    assert.equal(h.outcome.phase, "response_body");
    const hok = run(held, { uri: "/", response: { status: 200, headers: [["Content-Type", "text/html"]], body: "fine" } });
    assert.equal(hok.outcome.status, 200);
    assert.equal(hok.event, null);
    const ok = await one(text, { uri: "/", response: { status: 200, headers: [["Content-Type", "text/html"]], body: "fine" } });
    assert.deepEqual(ok.matched, []);
    // a type outside SecResponseBodyMimeType is not inspected
    const img = await one(text, { uri: "/", response: { status: 200, headers: [["Content-Type", "image/png"]], body: "SQL syntax" } });
    assert.deepEqual(img.matched, []);
  });
});

describe("configuration", () => {
  test("an empty configuration passes everything with a warning", async () => {
    const l = await loadPlugin(new Uint8Array(0));
    assert.ok(l.logs.some((x) => x.level === "warn" && /no rules/.test(x.message)));
    const r = run(l, { uri: "/?a=<script>" });
    assert.equal(r.event, null);
    assert.equal(r.outcome.forwarded, true);
  });
  test("a configuration that is not a table is refused with the loader's error", async () => {
    await assert.rejects(loadPlugin("SecRuleEngine On"), /./);
  });
  test("metrics count rule hits and actions, detection-only included", async () => {
    const l = await rules(`SecRule ARGS "@contains x" "id:5,phase:1,pass,log"`, "DetectionOnly");
    run(l, { uri: "/?a=x" });
    run(l, { uri: "/?a=x" });
    assert.equal(l.plugin.metrics.get("waf.rule.5.hits")?.value, 2);
    assert.equal(l.plugin.metrics.get("waf.action.pass")?.value, 2);
  });
});

describe("stream edge cases", () => {
  test("a request body ended by trailers is inspected in the trailers callback", async () => {
    const l = await rules(`SecRule ARGS_POST:a "@streq evil" "id:1,phase:2,deny,log"`);
    let status = 0;
    const stream = l.plugin.createStream(
      { requestId: "t-1", protocol: "HTTP/1.1", scheme: "http", source: { address: "10.1.2.3", port: 1 }, destination: { address: "10.9.8.7", port: 80 } },
      {
        requestHeaders() {},
        requestData() {},
        requestTrailers() {},
        responseHeaders(h) {
          for (const [k, v] of h) if (k === ":status") status = Number(v);
        },
        responseData() {},
        responseTrailers() {},
        reset() {},
      },
    );
    stream.decodeHeaders([[":method", "POST"], [":path", "/"], ["host", "h"], ["content-type", "application/x-www-form-urlencoded"]], false);
    stream.decodeData(new Uint8Array(Buffer.from("a=ev")), false);
    stream.decodeData(new Uint8Array(Buffer.from("il")), false);
    stream.decodeTrailers([["x-checksum", "1"]]);
    stream.complete();
    assert.equal(status, 403);
    assert.ok(l.logs.some((x) => x.level === "warn" && x.message.includes('"id":1')));
  });
  test("a body split in many chunks is inspected whole", async () => {
    const big = "x=" + "a".repeat(40000) + "&a=evil";
    const r = await one(`SecRule ARGS_POST:a "@streq evil" "id:1,phase:2,deny,log"`, { method: "POST", uri: "/", headers: urlenc, body: big });
    assert.equal(r.outcome.status, 403);
    assert.equal(r.outcome.phase, "request_body");
  });
  test("many transactions on one VM do not leak state between them", async () => {
    const l = await rules(`SecRule ARGS:a "@streq 1" "id:1,phase:1,pass,log,setvar:tx.hit=1"\nSecRule TX:HIT "@eq 1" "id:2,phase:1,pass,log"`);
    for (let i = 0; i < 50; i++) {
      assert.deepEqual(run(l, { uri: "/?a=1" }).matched, [1, 2]);
      assert.deepEqual(run(l, { uri: "/?a=2" }).matched, []);
    }
  });
});

describe("persistent collections and generated variables", () => {
  test("initcol:ip keeps IP counters per VM across transactions (as ModSecurity 3.0.9 does)", async () => {
    // ModSecurity runs setvar before initcol within one rule (setvar is its "independent" action), so the
    // collection is opened by one rule and counted by the next. Same answers as libmodsecurity 3.0.9.
    const l = await rules(`
SecAction "id:1,phase:1,pass,nolog,initcol:ip=%{REMOTE_ADDR}"
SecAction "id:5,phase:1,pass,nolog,setvar:ip.hits=+1"
SecRule IP:HITS "@ge 3" "id:2,phase:1,pass,log,msg:'hits %{ip.hits}'"
SecRule ARGS:reset "@streq 1" "id:3,phase:1,pass,nolog,expirevar:ip.hits=0"`);
    assert.deepEqual(run(l, { uri: "/" }).matched, []);
    assert.deepEqual(run(l, { uri: "/" }).matched, []);
    const third = run(l, { uri: "/" });
    assert.deepEqual(third.matched, [2]);
    assert.equal(third.event!.rules[0]!.message, "hits 3");
    assert.deepEqual(run(l, { uri: "/?reset=1" }).matched, [2]);
    // setvar on a collection no initcol opened is ignored
    const none = await one(`SecAction "id:1,phase:1,pass,nolog,setvar:ip.x=1"\nSecRule &IP:X "@eq 0" "id:2,phase:1,pass,log"`, { uri: "/" });
    assert.deepEqual(none.matched, [2]);
  });
  test("UNIQUE_ID, TIME_EPOCH, DURATION and SERVER_NAME are set", async () => {
    const r = await one(`
SecRule UNIQUE_ID "@rx ^req-" "id:1,phase:1,pass,log"
SecRule TIME_EPOCH "@gt 1600000000" "id:2,phase:1,pass,log"
SecRule DURATION "@ge 0" "id:3,phase:1,pass,log"
SecRule SERVER_NAME "@streq h" "id:4,phase:1,pass,log"
SecRule REQUEST_PROTOCOL "@streq HTTP/1.1" "id:5,phase:1,pass,log"`, { uri: "/", headers: [["Host", "h:8080"]] });
    assert.deepEqual(r.matched, [1, 2, 3, 4, 5]);
  });
});

describe("request line variables as libmodsecurity 3.0.9", () => {
  test("REQUEST_BASENAME always exists: after the last slash, or empty", async () => {
    const l = await rules(`
SecRule &REQUEST_BASENAME "@eq 1" "id:1,phase:1,pass,log"
SecRule REQUEST_BASENAME "@rx ^$" "id:3,phase:1,pass,log"
SecRule REQUEST_BASENAME "@streq a" "id:4,phase:1,pass,log"
SecRule REQUEST_BASENAME "@streq b" "id:5,phase:1,pass,log"
SecRule REQUEST_FILENAME "@streq /" "id:6,phase:1,pass,log"`);
    assert.deepEqual(run(l, { uri: "/" }).matched, [1, 3, 6]);
    assert.deepEqual(run(l, { uri: "/a/" }).matched, [1, 3]);
    assert.deepEqual(run(l, { uri: "/a/b" }).matched, [1, 5]);
    assert.deepEqual(run(l, { uri: "/a?x=/y" }).matched, [1, 4]);
  });
});
