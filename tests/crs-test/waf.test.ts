// The CRS regression suites (v4.28.0 go-ftw, v3.3.4 ftw) through our filter: build/waf.wasm in the proxy-wasm host,
// driven by `waf check` exactly as `waf crs-test` runs them (Envoy codec model in front, the suites' own test setup,
// tests/crs/overrides.yaml for what an Envoy deployment cannot see). The bar: v4 ≥ 99.8%, v3 ≥ 99.5% of
// the tests that apply, with @detectSQLi/@detectXSS included.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { crsTestConfig } from "../../cli/crs-test/config";
import { wafEngine } from "../../cli/crs-test/engine";
import { loadSuite } from "../../cli/crs-test/load";
import { loadOverrides } from "../../cli/crs-test/overrides";
import { textReport } from "../../cli/crs-test/report";
import { runSuite, type Report } from "../../cli/crs-test/runner";
import { CRS3, CRS4, REPO, crsSkip } from "./helpers";

const overrides = () => loadOverrides(join(REPO, "tests/crs/overrides.yaml"));
const summary = (r: Report) => textReport(r, { perFile: false }).trim().split("\n").at(-1)!;
const failures = (r: Report) => r.results.filter((x) => x.outcome === "fail").map((x) => x.test.title);

describe("CRS regression suites through the filter (.wasm)", { skip: crsSkip }, () => {
  test("v4.28.0: at least 99.8% of the applicable tests pass", async () => {
    const rep = await runSuite(loadSuite(CRS4), wafEngine(crsTestConfig(CRS4, "v4")), { overrides: overrides() });
    console.log(`waf / CRS v4.28.0: ${summary(rep)}; failing: ${failures(rep).join(" ") || "none"}`);
    assert.equal(rep.totals.tests, 4966);
    assert.ok(rep.totals.passRate >= 0.998, textReport(rep, { perFile: false }));
  });

  test("v3.3.4: at least 99.5% of the applicable tests pass", async () => {
    const rep = await runSuite(loadSuite(CRS3), wafEngine(crsTestConfig(CRS3, "v3")), { overrides: overrides() });
    console.log(`waf / CRS v3.3.4: ${summary(rep)}; failing: ${failures(rep).join(" ") || "none"}`);
    assert.equal(rep.totals.tests, 2396);
    assert.ok(rep.totals.passRate >= 0.995, textReport(rep, { perFile: false }));
  });
});
