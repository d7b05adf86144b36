// `waf enable|disable|status|ruleset apply` against the fake API server with a controller running, through commander
// with kubectl-like flags (--kubeconfig, --context, -n, -o).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { parse } from "yaml";
import type { Command } from "commander";
import { Annotations, FELIX_TPROXY_ANNOTATION } from "../../controller/api";
import type { WafController } from "../../controller/controller";
import { enableCommand } from "../../cli/commands/enable";
import { disableCommand } from "../../cli/commands/disable";
import { statusCommand } from "../../cli/commands/status";
import { rulesetCommand } from "../../cli/commands/ruleset";
import type { FakeApiServer } from "./fake-apiserver/index";
import { createApplicationLayer, NS, get, kubeConfigFile, kubeConfigFor, ruleSetFiles, startController, startFake, waitFor } from "./helpers";

async function run(make: (out: { write(s: string): void }) => Command, args: string[]): Promise<{ out: string; err?: Error }> {
  let out = "";
  const cmd = make({ write: (s: string) => void (out += s) });
  cmd.exitOverride();
  try {
    await cmd.parseAsync(args, { from: "user" });
    return { out };
  } catch (e) {
    return { out, err: e as Error };
  }
}

describe("waf CLI", () => {
  let f: FakeApiServer;
  let c: WafController;
  let kc: string;
  let core: CoreV1Api;
  const ann = (ns: string, n: string) => f.get("", "services", ns, n)?.metadata.annotations ?? {};

  before(async () => {
    f = await startFake();
    f.ensureNamespaces("shop");
    kc = kubeConfigFile(f, "cli-user");
    const k = kubeConfigFor(f, "admin");
    core = k.makeApiClient(CoreV1Api);
    await createApplicationLayer(k, { webApplicationFirewall: "Enabled", waf: { mode: "detect" } });
    for (const n of ["web", "api"]) await core.createNamespacedService({ namespace: "shop", body: { metadata: { name: n }, spec: { ports: [{ port: 80 }] } } });
    c = await startController(f, "replica-a");
    await waitFor("leader", () => c.isLeader);
  });
  after(async () => {
    await c.stop();
    await f.close();
  });

  test("ruleset apply: a bad directory is refused with file:line and nothing is sent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "waf-rs-"));
    for (const [k, v] of Object.entries(ruleSetFiles())) writeFileSync(join(dir, k), v);
    writeFileSync(join(dir, "REQUEST-999-BAD.conf"), "\n\nSecRule ARGS \"@rx x\" \"phase:2,deny\"\n");
    const before = f.requests.length;
    const r = await run(rulesetCommand, ["apply", dir, "--kubeconfig", kc]);
    assert.ok(r.err);
    assert.match(r.err.message, new RegExp(`${join(dir, "REQUEST-999-BAD.conf").replace(/[.]/g, "\\.")}:3: .*id`));
    assert.equal(f.requests.length, before, "no API request");
  });

  test("ruleset apply: creates then replaces the ConfigMap; the controller serves the same table the CLI compiled", async () => {
    const dir = mkdtempSync(join(tmpdir(), "waf-rs-"));
    for (const [k, v] of Object.entries(ruleSetFiles())) writeFileSync(join(dir, k), v);
    writeFileSync(join(dir, "crs-setup.conf.example"), "not loaded");
    let r = await run(rulesetCommand, ["apply", dir, "--kubeconfig", kc, "-o", "json"]);
    assert.equal(r.err, undefined);
    const res = JSON.parse(r.out);
    assert.equal(res.action, "created");
    assert.equal(res.configMap, `${NS}/modsecurity-ruleset`);
    const cm = f.get("", "configmaps", NS, "modsecurity-ruleset")!;
    assert.deepEqual(Object.keys(cm.data).sort(), ["REQUEST-942-TEST.conf", "crs-setup.conf", "modsecdefault.conf"]);
    await waitFor("served", async () => (await get(c.port, "/rulesets/current")).headers.get("x-content-sha256") === res.sha256);

    writeFileSync(join(dir, "REQUEST-943-MORE.conf"), 'SecRule ARGS "@contains evil" "id:943999,phase:2,deny,log"\n');
    r = await run(rulesetCommand, ["apply", dir, "--kubeconfig", kc]);
    assert.equal(r.err, undefined);
    assert.match(r.out, /configmap\/modsecurity-ruleset replaced in namespace workload-waf-system/);
    assert.ok(f.get("", "configmaps", NS, "modsecurity-ruleset")!.data["REQUEST-943-MORE.conf"]);
    assert.deepEqual(f.writesBy("cli-user").map((w) => w.method), ["POST", "PUT"], "created, then replaced with a resourceVersion");
  });

  test("enable --wait: the controller enables the service; overrides become annotations", async () => {
    const r = await run(enableCommand, ["web", "-n", "shop", "--kubeconfig", kc, "--mode", "block", "--paranoia-level", "2", "--exclude-rule-ids", "942100", "--wait", "10"]);
    assert.equal(r.err, undefined, r.err?.message);
    assert.match(r.out, /WAF status: Enabled/);
    const a = ann("shop", "web");
    assert.equal(a[Annotations.waf], "Enabled");
    assert.equal(a[Annotations.mode], "block");
    assert.equal(a[Annotations.paranoiaLevel], "2");
    assert.equal(a[FELIX_TPROXY_ANNOTATION], "true");
  });

  test("enable refuses protected system services before writing anything; unknown services are reported", async () => {
    let r = await run(enableCommand, ["kube-dns", "-n", "kube-system", "--kubeconfig", kc]);
    assert.match(r.err!.message, /refusing to enable the WAF for kube-system\/kube-dns: namespace kube-system is a protected system namespace/);
    r = await run(enableCommand, ["nope", "-n", "shop", "--kubeconfig", kc]);
    assert.match(r.err!.message, /service "nope" not found in namespace "shop"/);
    r = await run(enableCommand, ["web", "-n", "shop", "--kubeconfig", kc, "--context", "nosuch"]);
    assert.match(r.err!.message, /context "nosuch" does not exist/);
    r = await run(enableCommand, ["web", "-n", "shop", "--kubeconfig", kc, "--paranoia-level", "7"]);
    assert.match(r.err!.message, /expected 1, 2, 3 or 4/);
  });

  test("status: table and -o json/yaml with status, reason, rule-set version and mode", async () => {
    await run(enableCommand, ["api", "-n", "shop", "--kubeconfig", kc, "--wait", "10"]);
    const r0 = await run(disableCommand, ["api", "-n", "shop", "--kubeconfig", kc, "--wait", "10"]);
    assert.equal(r0.err, undefined, r0.err?.message);
    assert.equal(ann("shop", "api")[FELIX_TPROXY_ANNOTATION], undefined);
    const sha = await waitFor("sha in status", () => f.get("waf.workload-waf.io", "applicationlayers", undefined, "default")?.status?.ruleSet?.sha256);

    const t = await run(statusCommand, ["--kubeconfig", kc]);
    assert.equal(t.err, undefined);
    const lines = t.out.trim().split("\n");
    assert.match(lines[0]!, /^WAF Enabled cluster-wide, state Ready, mode detect/);
    assert.match(lines[1]!, /^NAMESPACE\s+SERVICE\s+WAF\s+RULESET\s+MODE\s+REASON$/);
    assert.match(t.out, new RegExp(`^shop\\s+api\\s+Disabled\\s+-\\s+-\\s+disabled by annotation$`, "m"));
    assert.match(t.out, new RegExp(`^shop\\s+web\\s+Enabled\\s+${sha.slice(0, 12)}\\s+block\\s+enabled by annotation$`, "m"));

    const j = JSON.parse((await run(statusCommand, ["--kubeconfig", kc, "-o", "json"])).out);
    assert.deepEqual(j.services.map((s: any) => [s.service, s.status, s.mode]), [["api", "Disabled", "-"], ["web", "Enabled", "block"]]);
    assert.equal(j.applicationLayer.ruleSet.sha256, sha);
    const y = parse((await run(statusCommand, ["--kubeconfig", kc, "-o", "yaml", "-n", "shop"])).out);
    assert.equal(y.services.length, 2);
  });
});
