// modsec-check with CRS v4.28.0 loaded the usual way (our bootstrap files, then the CRS rules from
// WAF_SHARED_DIR, never copied into the repo) at PL1, blocking: the product's demo SQL injection is denied,
// a benign GET passes. Prints the load time and the per-transaction time of a simple GET (not asserted).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModsecCheckSession, ModsecPeer, crsMainConf } from "./index";

const crs = crsMainConf("v4.28.0");
function skipReason(): string | false {
  const peer = ModsecPeer.skipReason();
  if (peer) return peer;
  if (existsSync(join(crs.rulesDir, "REQUEST-942-APPLICATION-ATTACK-SQLI.conf"))) return false;
  const reason = `CRS v4.28.0 not found in ${crs.rulesDir} (set WAF_SHARED_DIR)`;
  if (process.env.CI) throw new Error(reason);
  return reason;
}
const skip = skipReason();

const BROWSER = [
  ["Host", "localhost"],
  ["User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"],
  ["Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"],
  ["Accept-Language", "en-US,en;q=0.5"],
];
const DEMO_SQLI = "/test/artists.php?artist=0+div+1+union%23foo*%2F*bar%0D%0Aselect%23foo%0D%0A1%2C2%2Ccurrent_user";

describe("modsec-check with CRS v4.28.0 at PL1, blocking", { skip }, () => {
  let dir = "";
  let session: ModsecCheckSession;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "waf-modsec-crs-"));
    const main = join(dir, "main.conf");
    writeFileSync(main, crs.text);
    const t0 = performance.now();
    session = await ModsecCheckSession.start(["--mode", "block", main]);
    console.log(
      `${session.version}: CRS v4.28.0 loaded, ${session.rules} rules in ${session.loadMs.toFixed(1)} ms ` +
        `(process start to ready: ${(performance.now() - t0).toFixed(0)} ms)`,
    );
  });
  after(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the demo SQL injection is denied with 403, 942100 among the matches", async () => {
    const r = await session.request({ id: "sqli", uri: DEMO_SQLI, headers: BROWSER });
    assert.equal(r.error, undefined);
    assert.ok(r.matched?.includes(942100), `matched: ${JSON.stringify(r.matched)}`);
    assert.deepEqual(r.intervention, { disruptive: true, status: 403, rule_id: 949110, phase: "request_body" });
  });

  test("a benign GET passes with no match", async () => {
    const r = await session.request({ id: "benign", uri: "/index.html?page=2&sort=name", headers: BROWSER });
    assert.deepEqual(r.matched, []);
    assert.deepEqual(r.intervention, { disruptive: false, status: 0 });
  });

  test("a benign GET with a response passes; a request without Host reports 920280", async () => {
    const ok = await session.request({
      uri: "/",
      headers: BROWSER,
      response: { status: 200, headers: [["Content-Type", "text/html"]], body: "<html><body>hello</body></html>" },
    });
    assert.deepEqual([ok.matched, ok.intervention], [[], { disruptive: false, status: 0 }]);
    const bare = await session.request({ uri: "/" });
    assert.ok(bare.matched?.includes(920280), `matched: ${JSON.stringify(bare.matched)}`);
  });

  test("time of a simple GET (informational)", async () => {
    // Sent back to back (pipelined), after 20 warm-up requests: one at a time, the process sleeps between
    // requests and measures colder, slower runs.
    const get = { uri: "/index.html", headers: BROWSER };
    await Promise.all(Array.from({ length: 20 }, () => session.request(get)));
    const results = await Promise.all(Array.from({ length: 50 }, () => session.request(get)));
    const times = results.map((r) => r.time_us ?? NaN);
    times.sort((a, b) => a - b);
    const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
    console.log(`simple GET through CRS v4.28.0 in ModSecurity: median ${q(0.5)} us, p90 ${q(0.9)} us, min ${times[0]} us (50 runs, pipelined)`);
    assert.ok(times.every((t) => Number.isInteger(t) && t > 0));
  });
});
