// The benchmark harness in --quick mode on one workload with a two-rule set (not the CRS): the report has its
// structure and sane figures (> 0), and says what the filter reported. It never asserts speed.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { BenchReport } from "./report";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const RULES = String.raw`
SecRuleEngine DetectionOnly
SecRequestBodyAccess On
SecRule ARGS "@rx (?i)union\s+select" "id:1001,phase:2,deny,status:403,log,msg:'sqli'"
SecRule REQUEST_HEADERS:User-Agent "@contains Chrome" "id:1002,phase:1,pass,log,msg:'chrome'"
`;

let dir = "";
before(() => {
  dir = mkdtempSync(join(tmpdir(), "waf-bench-test-"));
  writeFileSync(join(dir, "tiny.conf"), RULES);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const skip = existsSync(join(repo, "build/waf.wasm")) ? false : "build/waf.wasm missing (npm run build)";

test("bench --quick on sqli_get with a tiny rule set: table and JSON with positive figures", { skip, timeout: 30_000 }, () => {
  const json = join(dir, "bench.json");
  const args = ["--quick", "--workload", "sqli_get", "--rules", join(dir, "tiny.conf"), "--iterations", "10", "--warmup", "2", "--memory-transactions", "200", "--json", json];
  const r = spawnSync(process.execPath, ["--import", "tsx", join(here, "run.ts"), ...args], { cwd: repo, encoding: "utf8", timeout: 28_000 });
  assert.equal(r.status, 0, `bench failed (${r.status}):\n${r.stderr}\n${r.stdout}`);

  // The readable report: header lines, the workload row, what the filter reported, memory, the e2e skip.
  for (const re of [/workload-waf benchmark — \d{4}-/, /machine: \d+ cores \(nproc\), .+; Node v\d+/, /command: .*run\.ts --quick/, /DID OUR FILTER EVALUATE RULES\? (yes|NO|unknown)/, /^sqli_get\s+\d/m, /ours: {8}/, /linear memory: [\d.]+ MiB after load/, /== libinjection: /, /^ {2}sqli union +attack +64 +[\d.]+ +[\d.]+ +match/m, /end to end: skipped/]) {
    assert.match(r.stdout, re);
  }

  const report = JSON.parse(readFileSync(json, "utf8")) as BenchReport;
  assert.ok(report.machine.nproc > 0);
  assert.ok(report.wasm.bytes > 0);
  assert.equal(report.options.quick, true);
  assert.equal(report.ruleSets.length, 1, "custom rules: one rule set, no paranoia levels");
  const [w] = report.ruleSets[0]!.workloads;
  assert.equal(w?.name, "sqli_get");
  assert.equal(w.ours.timeUs.n, 10);
  assert.ok(w.ours.wallUs!.median > 0 && w.ours.wallUs!.p99 >= w.ours.wallUs!.median && w.ours.wallUs!.txPerSec > 0);
  assert.ok(w.ours.timeUs.mean > 0 && w.ours.timeUs.p99 >= w.ours.timeUs.median && w.ours.timeUs.txPerSec > 0);
  assert.equal(w.ours.verdicts.total, 10);
  assert.equal(typeof report.rulesEvaluated.evidence, "string");
  assert.ok(report.rulesEvaluated.evidence.length > 0);

  if (report.modsecSkipped === null) {
    assert.ok(w.modsec, "ModSecurity figures when the peer is available");
    assert.equal(w.modsec.timeUs.n, 10);
    assert.ok(w.modsec.timeUs.mean > 0 && w.modsec.timeUs.txPerSec > 0);
    assert.deepEqual(w.modsec.verdicts.matchedIds, [1002, 1001], "ModSecurity (DetectionOnly in the file, --mode block) matches both rules");
    assert.equal(w.modsec.verdicts.disruptive, 10);
    assert.ok(w.ratio.median! > 0 && w.ratio.p99! > 0);
    assert.equal(typeof w.sameVerdicts, "boolean");
    assert.ok(report.ruleSets[0]!.modsec!.rules === 2);
  } else {
    assert.equal(w.modsec, null);
    assert.match(r.stdout, /ModSecurity v3 skipped: /);
  }

  const m = report.memory!;
  assert.ok(m.wasmBytes > 0 && m.tableBytes > 0 && m.rules === 2);
  assert.ok(m.vmStartMs > 0 && m.firstLoadMs > 0);
  assert.ok(m.memoryAfterLoad > 0 && m.memoryAfterRun >= m.memoryAfterLoad);
  assert.equal(m.transactions, 200);
  assert.equal(m.growthBytes, m.memoryAfterRun - m.memoryAfterLoad);
  assert.equal(report.e2e, null);
});
