// Polling mode of build/waf.wasm in the host, against the controller's real HTTP endpoint (controller/server.ts):
// configuration validation, the failure policy before the first table, swaps, ETag / If-None-Match, and tables that
// must be kept out (corrupt, truncated, not a table) without a trap and with one log line per reason.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEPLOYED_FILTER_CONFIG } from "../../controller/filter-config";
import { compileText, run, type Loaded } from "../engine/harness";
import {
  CLUSTER, loadPolling, metric, pollingConfig, refusedConfiguration, renderFilterConfig, startTableEndpoint, waitFor,
  type TableEndpoint,
} from "./helpers";

const V1 = compileText('SecRuleEngine On\nSecRule ARGS "@streq other" "id:1000,phase:1,deny,status:403"\n');
const V2 = compileText('SecRuleEngine On\nSecRule ARGS "@streq evil" "id:1234,phase:1,deny,status:403"\n');
const V3 = compileText('SecRuleEngine On\nSecRule ARGS "@streq worse" "id:1300,phase:1,deny,status:403"\n');
const get = (uri: string) => ({ uri, headers: [["Host", "app.test"]] as Array<[string, string]> });
const errorsOf = (l: Loaded) => l.logs.filter((x) => x.level === "error").map((x) => x.message);

describe("the JSON plugin configuration is validated strictly (configure fails with the reason, as Envoy then refuses it)", () => {
  const good = pollingConfig();
  const cases: Array<[string, string, RegExp]> = [
    ["not JSON", "{mode: detect}", /plugin configuration refused: invalid JSON: expected a member name in double quotes at byte 1/],
    ["trailing data", `${JSON.stringify(good)} x`, /invalid JSON: unexpected data after the JSON value/],
    ["duplicate member", '{"mode":"block","mode":"detect"}', /invalid JSON: duplicate member "mode"/],
    ["unknown top-level member", JSON.stringify({ ...good, paranoia: 2 }), /unknown member "paranoia" \(allowed: mode, fail_open, controller, ruleset, settings\)/],
    ["missing mode", JSON.stringify({ ...good, mode: undefined }), /missing member "mode"/],
    ["bad mode", JSON.stringify({ ...good, mode: "prevent" }), /mode: must be "detect" or "block", got "prevent"/],
    ["fail_open not a boolean", JSON.stringify({ ...good, fail_open: "yes" }), /fail_open: expected a boolean, got a string/],
    ["missing controller", JSON.stringify({ ...good, controller: undefined }), /missing member "controller"/],
    ["unknown controller member", JSON.stringify({ ...good, controller: { ...good.controller, port: 80 } }), /controller: unknown member "port"/],
    ["empty cluster", JSON.stringify({ ...good, controller: { ...good.controller, cluster: "" } }), /controller\.cluster: must not be empty/],
    ["authority with a space", JSON.stringify({ ...good, controller: { ...good.controller, authority: "a b" } }), /controller\.authority: must be visible ASCII/],
    ["timeout out of range", JSON.stringify({ ...good, controller: { ...good.controller, timeout_ms: 0 } }), /controller\.timeout_ms: must be between 100 and 60000, got 0/],
    ["missing ruleset", JSON.stringify({ ...good, ruleset: undefined }), /missing member "ruleset"/],
    ["missing ruleset.path", JSON.stringify({ ...good, ruleset: { poll_interval_ms: 100 } }), /ruleset: missing member "path"/],
    ["relative path", JSON.stringify({ ...good, ruleset: { path: "rulesets/current", poll_interval_ms: 100 } }), /ruleset\.path: must start with '\/'/],
    ["poll interval as a string", JSON.stringify({ ...good, ruleset: { path: "/r", poll_interval_ms: "5000" } }), /ruleset\.poll_interval_ms: expected an integer, got a string/],
    ["fractional poll interval", '{"mode":"block","controller":{"cluster":"c","authority":"a"},"ruleset":{"path":"/r","poll_interval_ms":5000.5}}', /ruleset\.poll_interval_ms: expected a whole number, got 5000\.5/],
    ["poll interval too small", JSON.stringify({ ...good, ruleset: { path: "/r", poll_interval_ms: 10 } }), /ruleset\.poll_interval_ms: must be between 100 and 3600000, got 10/],
    ["unknown settings member", JSON.stringify({ ...good, settings: { path: "/settings", poll_interval_ms: 5000, by: "destination" } }), /settings: unknown member "by"/],
    ["array instead of object", "[]", /expected an object, got an array/],
  ];
  for (const [name, configuration, message] of cases) {
    test(name, async () => {
      const r = await refusedConfiguration(configuration);
      assert.match(r.error.message, /proxy_on_configure returned false/);
      assert.equal(r.errors.length, 1, r.errors.join("\n"));
      assert.match(r.errors[0]!, message);
    });
  }

  test("the configuration envoy/envoy.yaml deploys configures the real module (polling the cluster it names)", async () => {
    const ep = await startTableEndpoint();
    try {
      const l = await loadPolling(renderFilterConfig(DEPLOYED_FILTER_CONFIG), ep.url);
      try {
        assert.equal(l.plugin.vmFailed, false);
        assert.deepEqual(errorsOf(l).filter((m) => /refused/.test(m)), []);
        assert.ok(l.logs.some((x) => x.level === "info" && /polling mode: rule set from cluster waf_controller \/rulesets\/current every 5000 ms, mode detect, fail closed/.test(x.message)));
        assert.ok(l.logs.some((x) => x.level === "info" && /per-destination settings from cluster waf_controller \/settings every 5000 ms/.test(x.message)));
        // No table yet on the endpoint: the first fetch got a 404, and the policy is fail closed.
        await waitFor("first fetch", () => ep.served(404) >= 1);
        assert.equal(run(l, get("/")).outcome.status, 503);
      } finally {
        await l.plugin.close();
      }
    } finally {
      await ep.close();
    }
  });
});

describe("polling the controller for the rule set", () => {
  let ep: TableEndpoint;
  before(async () => {
    ep = await startTableEndpoint();
  });
  after(async () => {
    await ep.close();
  });

  test("before the first table: fail closed answers 503 (details waf_no_ruleset); the failure is logged once", async () => {
    ep.setTable(null);
    const l = await loadPolling(renderFilterConfig(pollingConfig()), ep.url);
    try {
      await waitFor("two failed polls", () => metric(l, "waf.ruleset.reload_failure") >= 2);
      const r = run(l, get("/?q=evil"));
      assert.equal(r.outcome.status, 503);
      assert.equal(r.outcome.forwarded, false);
      assert.equal(metric(l, "waf.ruleset.refused"), 1);
      const errs = errorsOf(l);
      assert.equal(errs.length, 1, errs.join("\n"));
      assert.match(errs[0]!, /rule set update from controller waf_controller\/rulesets\/current failed: HTTP 404 .*no rule set in force yet: requests get 503 \(fail closed\)/);
    } finally {
      await l.plugin.close();
    }
  });

  test("before the first table: fail_open passes uninspected and counts it", async () => {
    ep.setTable(null);
    const l = await loadPolling(renderFilterConfig(pollingConfig({ fail_open: true })), ep.url);
    try {
      await waitFor("a failed poll", () => metric(l, "waf.ruleset.reload_failure") >= 1);
      const r = run(l, get("/?q=evil"));
      assert.equal(r.outcome.forwarded, true);
      assert.equal(r.outcome.localReply, false);
      assert.equal(metric(l, "waf.ruleset.uninspected"), 1);
    } finally {
      await l.plugin.close();
    }
  });

  test("a controller that cannot be reached is a logged failure, not a trap", async () => {
    const l = await loadPolling(renderFilterConfig(pollingConfig()), "http://127.0.0.1:1");
    try {
      await waitFor("failed polls", () => metric(l, "waf.ruleset.reload_failure") >= 2);
      assert.equal(l.plugin.vmFailed, false);
      assert.equal(errorsOf(l).length, 1);
      assert.match(errorsOf(l)[0]!, /failed: HTTP 503/);
    } finally {
      await l.plugin.close();
    }
  });

  test("tables are swapped in between transactions; an unchanged table is answered 304 and not decoded again", async () => {
    const sha1 = ep.setTable(V1);
    const l = await loadPolling(renderFilterConfig(pollingConfig()), ep.url);
    try {
      await waitFor("v1 in force", () => metric(l, "waf.ruleset.generation") === 1);
      assert.equal(metric(l, "waf.ruleset.sha256_prefix"), parseInt(sha1.slice(0, 8), 16));
      assert.equal(metric(l, "waf.ruleset.rules"), 1);
      assert.ok(l.logs.some((x) => x.level === "info" && x.message.includes(`rule set ${sha1.slice(0, 12)} in force (generation 1, 1 rules`)));
      assert.equal(run(l, get("/?q=evil")).outcome.status, 0, "v1 has no rule for evil: forwarded");
      assert.equal(run(l, get("/?q=other")).outcome.status, 403);

      const before304 = ep.served(304);
      await waitFor("polls answered 304", () => ep.served(304) >= before304 + 3);
      assert.equal(metric(l, "waf.ruleset.reload_success"), 1, "an unchanged table is not loaded again");
      assert.equal(metric(l, "waf.ruleset.generation"), 1);

      const sha2 = ep.setTable(V2);
      await waitFor("v2 in force", () => metric(l, "waf.ruleset.generation") === 2);
      assert.equal(metric(l, "waf.ruleset.sha256_prefix"), parseInt(sha2.slice(0, 8), 16));
      const r = run(l, get("/?q=evil"));
      assert.equal(r.outcome.status, 403);
      assert.deepEqual(r.matched, [1234]);
      assert.equal(r.event!.mode, "On", "mode block: SecRuleEngine On");
      assert.equal(run(l, get("/?q=other")).outcome.status, 0, "v1's rule is gone");
      assert.deepEqual(errorsOf(l), []);
    } finally {
      await l.plugin.close();
    }
  });

  test("mode detect overrides the table's SecRuleEngine On: the rule matches, the request passes", async () => {
    ep.setTable(V2);
    const l = await loadPolling(renderFilterConfig(pollingConfig({ mode: "detect" })), ep.url);
    try {
      await waitFor("in force", () => metric(l, "waf.ruleset.generation") === 1);
      const r = run(l, get("/?q=evil"));
      assert.equal(r.outcome.localReply, false);
      assert.deepEqual(r.matched, [1234]);
      assert.equal(r.event!.mode, "DetectionOnly");
    } finally {
      await l.plugin.close();
    }
  });

  for (const [name, damage, reason] of [
    ["a table with a flipped byte (CRC-32 mismatch)", (t: Uint8Array) => {
      const c = Uint8Array.from(t);
      c[c.length - 5] = c[c.length - 5]! ^ 0x40;
      return c;
    }, /refused: table refused \(BAD_CHECKSUM\)/],
    ["a truncated table", (t: Uint8Array) => t.slice(0, t.length - 100), /refused: table refused \(TRUNCATED\)/],
    ["something that is not a table", () => new Uint8Array(Buffer.from(`<html>${"proxy error ".repeat(20)}</html>`)), /refused: table refused \(BAD_MAGIC\)/],
  ] as const) {
    test(`${name} is kept out: logged once with the reason, the last good table stays in force, no trap`, async () => {
      ep.setTable(V2);
      const l = await loadPolling(renderFilterConfig(pollingConfig()), ep.url);
      try {
        await waitFor("v2 in force", () => metric(l, "waf.ruleset.generation") === 1);
        const bad = damage(V3);
        const badSha = ep.setTable(bad);
        await waitFor("refused", () => metric(l, "waf.ruleset.reload_failure") >= 1);
        // Later polls name the refused table in If-None-Match: answered 304, not downloaded nor decoded again.
        const before304 = ep.served(304);
        await waitFor("more polls", () => ep.served(304) >= before304 + 3);
        assert.equal(metric(l, "waf.ruleset.reload_failure"), 1);
        assert.equal(l.plugin.vmFailed, false);
        const errs = errorsOf(l);
        assert.equal(errs.length, 1, errs.join("\n"));
        assert.match(errs[0]!, new RegExp(`table ${badSha.slice(0, 12)} refused: `));
        assert.match(errs[0]!, reason);
        assert.match(errs[0]!, /rule set [0-9a-f]{12} stays in force/);
        assert.equal(metric(l, "waf.ruleset.generation"), 1);
        assert.equal(run(l, get("/?q=evil")).outcome.status, 403, "the last good rules still apply");

        ep.setTable(V3);
        await waitFor("v3 in force", () => metric(l, "waf.ruleset.generation") === 2);
        assert.equal(run(l, get("/?q=worse")).outcome.status, 403);
        assert.equal(run(l, get("/?q=evil")).outcome.status, 0);
      } finally {
        await l.plugin.close();
      }
    });
  }

  test("the cluster in the configuration is the one called", async () => {
    ep.setTable(V1);
    const l = await loadPolling(renderFilterConfig(pollingConfig({ controller: { cluster: "elsewhere", authority: "x" } })), ep.url);
    try {
      await waitFor("failure", () => metric(l, "waf.ruleset.reload_failure") >= 1);
      assert.match(errorsOf(l)[0]!, /could not be dispatched \(proxy_http_call result 2: is cluster "elsewhere" defined\?\)/);
      assert.equal(CLUSTER, "waf_controller");
    } finally {
      await l.plugin.close();
    }
  });
});
