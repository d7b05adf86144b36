// The full CRS v4.28.0 (modsecdefault.conf, crs-setup.conf, rules/*.conf from WAF_SHARED_DIR) in the filter: it
// loads, a benign GET passes without any match, and the demo SQL injection is blocked by 949110 with 942100 in
// the event (SecRuleEngine On), or logged and passed (DetectionOnly).
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileFiles, crsFiles, loadPlugin, run, type Loaded } from "./harness";

const files = crsFiles("v4.28.0");
const DEMO = "/test/artists.php?artist=0+div+1+union%23foo*%2F*bar%0D%0Aselect%23foo%0D%0A1%2C2%2Ccurrent_user";
const HEADERS: Array<[string, string]> = [
  ["Host", "example.com"],
  ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/120.0"],
  ["Accept", "text/html,application/xhtml+xml"],
  ["Accept-Language", "en-US,en;q=0.5"],
];

describe("CRS v4.28.0 in the filter", { skip: files === null ? "CRS v4.28.0 not found under WAF_SHARED_DIR" : false }, () => {
  let on: Loaded;
  let detect: Loaded;
  before(async () => {
    const t0 = performance.now();
    on = await loadPlugin(compileFiles(files!, ["SecRuleEngine On"]));
    detect = await loadPlugin(compileFiles(files!, ["SecRuleEngine DetectionOnly"]));
    console.log(`compiled and loaded twice in ${Math.round(performance.now() - t0)} ms`);
    assert.ok(on.logs.some((l) => l.level === "info" && /rules loaded/.test(l.message)), JSON.stringify(on.logs));
  });

  test("a benign GET passes with no match", () => {
    const r = run(on, { uri: "/index.html?page=2&sort=name", headers: HEADERS });
    assert.equal(r.event, null, JSON.stringify(r.event));
    assert.equal(r.outcome.localReply, false);
    assert.equal(r.outcome.forwarded, true);
  });

  test("the demo SQL injection is blocked with 942100 in the event (On)", () => {
    const r = run(on, { uri: DEMO, headers: HEADERS });
    assert.ok(r.event, "an event");
    assert.ok(r.matched.includes(942100), JSON.stringify(r.matched));
    assert.ok(r.matched.includes(949110), JSON.stringify(r.matched));
    assert.equal(r.outcome.status, 403);
    assert.equal(r.outcome.localReply, true);
    assert.equal(r.outcome.phase, "request_headers");
    assert.equal(r.event!.action, "deny");
    assert.equal(r.event!.mode, "On");
  });

  test("DetectionOnly logs the same detections and passes", () => {
    const r = run(detect, { uri: DEMO, headers: HEADERS, response: { status: 200, headers: [["Content-Type", "text/html"]], body: "<html>ok</html>" } });
    assert.ok(r.matched.includes(942100), JSON.stringify(r.matched));
    assert.equal(r.outcome.localReply, false);
    assert.equal(r.outcome.status, 200);
    assert.equal(r.event!.action, "pass");
    assert.equal(r.event!.mode, "DetectionOnly");
  });

  test("a POST with an urlencoded SQL injection is blocked in phase 2", () => {
    const r = run(on, {
      method: "POST",
      uri: "/login",
      headers: [...HEADERS, ["Content-Type", "application/x-www-form-urlencoded"]],
      body: "user=admin&pass=1'+OR+'1'='1",
    });
    assert.ok(r.matched.some((id) => id >= 942000 && id < 943000), JSON.stringify(r.matched));
    assert.equal(r.outcome.status, 403);
  });
});
