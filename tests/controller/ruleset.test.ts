// Rule-set distribution: the ConfigMap is validated and compiled, the table is served by content address with ETags,
// a bad rule set is refused with file:line in the status and an Event while the last good one stays in force.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { compileRuleSet, loadOrder, RuleSetError } from "../../controller/ruleset/compile";
import { loadSecLang } from "../../rulesets/seclang/index";
import { compileRuleSet as compileIR, decodeProgram } from "../../rulesets/compiler/index";
import { readTable } from "../../rulesets/tables/reader";
import { Header, SHA256_SIZE } from "../../rulesets/tables/format";
import type { WafController } from "../../controller/controller";
import type { FakeApiServer } from "./fake-apiserver/index";
import { createApplicationLayer, NS, REPO, get, kubeConfigFor, ruleSetFiles, startController, startFake, waitFor } from "./helpers";

const enc = (o: Record<string, string>) => new Map(Object.entries(o).map(([k, v]) => [k, Buffer.from(v)]));

describe("compileRuleSet (the controller's adapter over rulesets/seclang + rulesets/compiler)", () => {
  test("loads modsecdefault.conf, crs-setup.conf, then the CRS files in their numbering order", () => {
    assert.deepEqual(loadOrder(["REQUEST-942-X.conf", "crs-setup.conf", "modsecdefault.conf", "REQUEST-901-Y.conf", "a.data", "RESPONSE-950-Z.conf"]), [
      "modsecdefault.conf", "crs-setup.conf", "REQUEST-901-Y.conf", "REQUEST-942-X.conf", "RESPONSE-950-Z.conf",
    ]);
  });
  test("compiles to a table addressed by its sha256; errors name the ConfigMap key and line", () => {
    const ok = compileRuleSet(enc(ruleSetFiles()));
    assert.equal(ok.sha256, createHash("sha256").update(ok.table).digest("hex"));
    assert.ok(ok.table.length > 0 && ok.summary.rules >= 8);
    assert.deepEqual([...ok.table.subarray(0, 4)], [...Buffer.from("WAFT")], "a WAFT table from the compiler back end");

    const bad = { ...ruleSetFiles(), "REQUEST-942-TEST.conf": "# comment\nSecRule ARGS \"@nosuchop x\" \"id:1,phase:2,pass\"\n" };
    assert.throws(() => compileRuleSet(enc(bad)), (e: unknown) => {
      assert.ok(e instanceof RuleSetError);
      assert.equal(e.file, "REQUEST-942-TEST.conf");
      assert.equal(e.line, 2);
      assert.match(e.message, /nosuchop/);
      return true;
    });
    const { "crs-setup.conf": _gone, ...missing } = ruleSetFiles();
    assert.throws(() => compileRuleSet(enc(missing)), /required file crs-setup\.conf is missing/);
    assert.throws(() => compileRuleSet(enc({ ...missing, "CRS-SETUP.conf": "" })), /must be named crs-setup\.conf/);
  });
});

describe("reproducible tables: the bytes do not depend on the directory the rule files were written to", () => {
  /** Writes the rule-set files into a fresh directory of its own and returns their load-order paths. */
  const writeSet = (files: Record<string, string>): { dir: string; paths: string[] } => {
    const dir = mkdtempSync(join(tmpdir(), "waf-ruleset-copy-"));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return { dir, paths: loadOrder(Object.keys(files)).map((n) => join(dir, n)) };
  };
  const compileFrom = (at: { dir: string; paths: string[] }, sourceRoot: string | undefined) => {
    const r = loadSecLang(at.paths);
    assert.deepEqual(r.errors, []);
    return compileIR(r.ruleset, sourceRoot === undefined ? {} : { sourceRoot }).table;
  };

  test("the same files compiled from two directories with sourceRoot give byte-identical tables named by relative path", () => {
    const a = writeSet(ruleSetFiles()), b = writeSet(ruleSetFiles());
    assert.notEqual(a.dir, b.dir);
    const ta = compileFrom(a, a.dir), tb = compileFrom(b, b.dir);
    assert.ok(Buffer.from(ta).equals(Buffer.from(tb)), "identical table bytes");
    const rule = decodeProgram(ta)!.rules.find((r) => r.id === 942999)!;
    assert.equal(rule.file, "REQUEST-942-TEST.conf", "the rule's file is recorded relative to the rule-set root");
    // The source digest is that of the relative names: anyone can recompute it from the load order.
    const names = loadOrder(Object.keys(ruleSetFiles()));
    const expected = createHash("sha256").update(Buffer.concat(names.map((n) => Buffer.from(n + "\0")))).digest();
    const header = Buffer.from(ta.subarray(Header.SOURCE_SHA256, Header.SOURCE_SHA256 + SHA256_SIZE));
    assert.ok(header.equals(expected), "source_sha256 covers the relative names");
    assert.ok(Buffer.from(readTable(ta).sourceSha256).equals(expected));
  });

  test("without sourceRoot the absolute paths are recorded (what made replicas' tables differ)", () => {
    const a = writeSet(ruleSetFiles()), b = writeSet(ruleSetFiles());
    const ta = compileFrom(a, undefined), tb = compileFrom(b, undefined);
    assert.ok(!Buffer.from(ta).equals(Buffer.from(tb)));
    assert.equal(decodeProgram(ta)!.rules.find((r) => r.id === 942999)!.file, join(a.dir, "REQUEST-942-TEST.conf"));
  });

  test("the controller's compileRuleSet (a fresh private temp dir per call) gives the same bytes and sha256 every time", () => {
    const one = compileRuleSet(enc(ruleSetFiles()));
    const two = compileRuleSet(enc(ruleSetFiles()));
    assert.equal(one.sha256, two.sha256);
    assert.ok(Buffer.from(one.table).equals(Buffer.from(two.table)));
  });
});

describe("rule-set distribution", () => {
  let f: FakeApiServer;
  let c: WafController;
  let core: CoreV1Api;
  const wasm = Buffer.from("\0asm\x01\0\0\0 test module");
  const status = () => f.get("waf.workload-waf.io", "applicationlayers", undefined, "default")?.status;

  before(async () => {
    f = await startFake();
    const kc = kubeConfigFor(f, "admin");
    core = kc.makeApiClient(CoreV1Api);
    await createApplicationLayer(kc);
    const dir = mkdtempSync(join(tmpdir(), "waf-wasm-"));
    writeFileSync(join(dir, "waf.wasm"), wasm);
    c = await startController(f, "replica-a", { wasmPath: join(dir, "waf.wasm") });
    await waitFor("leader", () => c.isLeader);
  });
  after(async () => {
    await c.stop();
    await f.close();
  });

  test("without a rule set the controller is alive but not ready", async () => {
    assert.equal((await get(c.port, "/healthz")).status, 200);
    const r = await get(c.port, "/readyz");
    assert.equal(r.status, 503);
    assert.match(r.body.toString(), /no rule set in force/);
    assert.equal((await get(c.port, "/rulesets/current")).status, 404);
  });

  let firstSha = "";
  test("a good rule set is compiled and served by content address with an ETag", async () => {
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "modsecurity-ruleset" }, data: ruleSetFiles() } });
    const cur = await waitFor("served", async () => {
      const r = await get(c.port, "/rulesets/current");
      return r.status === 200 ? r : null;
    });
    firstSha = cur.headers.get("x-content-sha256")!;
    assert.equal(createHash("sha256").update(cur.body).digest("hex"), firstSha);
    assert.equal(cur.headers.get("etag"), `"${firstSha}"`);
    assert.equal(cur.headers.get("content-location"), `/rulesets/${firstSha}`);
    assert.equal((await get(c.port, "/rulesets/current", { "if-none-match": `"${firstSha}"` })).status, 304);
    const bySha = await get(c.port, `/rulesets/${firstSha}`);
    assert.equal(bySha.status, 200);
    assert.match(bySha.headers.get("cache-control")!, /immutable/);
    assert.ok(bySha.body.equals(cur.body));
    assert.equal((await get(c.port, `/rulesets/${"0".repeat(64)}`)).status, 404);
    assert.equal((await get(c.port, "/readyz")).status, 200);

    const w = await get(c.port, "/wasm/current");
    assert.ok(w.body.equals(wasm));
    const wsha = createHash("sha256").update(wasm).digest("hex");
    assert.equal(w.headers.get("etag"), `"${wsha}"`);
    assert.equal((await get(c.port, `/wasm/${wsha}`)).status, 200);

    const st = await waitFor("status", () => (status()?.ruleSet?.sha256 === firstSha ? status() : null));
    assert.equal(st.state, "Ready");
    assert.equal(st.ruleSet.configMap, `${NS}/modsecurity-ruleset`);
    const ev = await waitFor("loaded event", () => f.list("", "events", NS).find((e) => e.reason === "RuleSetLoaded"));
    assert.equal(ev.involvedObject.kind, "ConfigMap");
    assert.match(ev.message, new RegExp(firstSha));
  });

  test("a bad rule set is refused with file:line in the status and an Event; the last good one stays in force", async () => {
    const cm = await core.readNamespacedConfigMap({ name: "modsecurity-ruleset", namespace: NS });
    cm.data!["REQUEST-942-TEST.conf"] = "# a broken rule\n\nSecRule ARGS \"@rx (?i)union\" \"id:942999,phase:2,deny,nosuchaction\"\n";
    const replaced = await core.replaceNamespacedConfigMap({ name: "modsecurity-ruleset", namespace: NS, body: cm });
    const st = await waitFor("refused in status", () => (status()?.ruleSet?.error ? status() : null));
    assert.deepEqual(
      { file: st.ruleSet.error.file, line: st.ruleSet.error.line, rv: st.ruleSet.error.resourceVersion },
      { file: "REQUEST-942-TEST.conf", line: 3, rv: replaced.metadata!.resourceVersion },
    );
    assert.match(st.ruleSet.error.message, /nosuchaction/);
    assert.equal(st.ruleSet.sha256, firstSha, "the last good rule set is still the one in force");
    assert.equal(st.state, "Degraded");
    const cond = st.conditions.find((x: any) => x.type === "RuleSetValid");
    assert.equal(cond.status, "False");
    assert.match(cond.message, /^REQUEST-942-TEST\.conf:3: .*stays in force/);
    const ev = await waitFor("rejected event", () => f.list("", "events", NS).find((e) => e.reason === "RuleSetRejected"));
    assert.equal(ev.type, "Warning");
    assert.match(ev.message, /^REQUEST-942-TEST\.conf:3: /);

    const cur = await get(c.port, "/rulesets/current");
    assert.equal(cur.headers.get("x-content-sha256"), firstSha, "Envoys keep receiving the last good table");
    assert.equal((await get(c.port, "/readyz")).status, 200);
    const metrics = (await get(c.port, "/metrics")).body.toString();
    assert.match(metrics, /waf_controller_ruleset_compiles_total\{result="failure"\} 1/);

    // Several passes later there is still exactly one Event for this version.
    await c.settled();
    await c.settled();
    assert.equal(f.list("", "events", NS).filter((e) => e.reason === "RuleSetRejected").length, 1);
  });

  test("fixing the rule set puts the new one in force and clears the error; the old table stays addressable", async () => {
    const cm = await core.readNamespacedConfigMap({ name: "modsecurity-ruleset", namespace: NS });
    cm.data!["REQUEST-942-TEST.conf"] = 'SecRule ARGS "@rx (?i)union\\s+all" "id:942998,phase:2,deny,status:403,log"\n';
    await core.replaceNamespacedConfigMap({ name: "modsecurity-ruleset", namespace: NS, body: cm });
    const st = await waitFor("new in force", () => {
      const s = status();
      return s?.ruleSet?.sha256 && s.ruleSet.sha256 !== firstSha && !s.ruleSet.error ? s : null;
    });
    assert.equal(st.state, "Ready");
    assert.equal(st.conditions.find((x: any) => x.type === "RuleSetValid").status, "True");
    assert.equal((await get(c.port, "/rulesets/current")).headers.get("x-content-sha256"), st.ruleSet.sha256);
    assert.equal((await get(c.port, `/rulesets/${firstSha}`)).status, 200);
    const settings = JSON.parse((await get(c.port, "/settings")).body.toString());
    assert.equal(settings.ruleSet.sha256, st.ruleSet.sha256);
    assert.deepEqual(f.warnings, []);
  });

  test("with no ConfigMap the built-in rule set of the image is used", async () => {
    const f2 = await startFake();
    const c2 = await startController(f2, "solo", { defaultRuleSetDir: join(REPO, "rulesets") });
    try {
      const r = await waitFor("built-in served", async () => {
        const x = await get(c2.port, "/rulesets/current");
        return x.status === 200 ? x : null;
      });
      assert.ok(r.body.length > 0);
      assert.match(c2.ruleSetState.current!.source, /built-in rule set/);
    } finally {
      await c2.stop();
      await f2.close();
    }
  });
});
