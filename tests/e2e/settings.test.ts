// Acceptance test of per-service settings (issue 7): the real controller (fake API server: Services with their WAF
// annotations, EndpointSlices, the rule-set ConfigMap; its HTTP endpoint on loopback) and build/waf.wasm in the host
// in polling mode with `settings`. The same attack goes to each service's original destination (what Envoy's
// transparent listener gives the filter as destination.address) and gets what that service's settings say:
//  - block at PL1 → 403; detect → passes, logged; block with the attack's rule excluded → passes, not logged;
//  - block at PL2 → the PL2 rule denies although the rule set's own setup sets the paranoia level to 1 (the
//    destination's level is pinned before phase 1);
//  - a pod IP:targetPort from the EndpointSlice and a node port (*:<port>) get their service's settings;
//  - a destination the controller does not list passes uninspected and is counted;
//  - an annotation change (detect → block) takes effect without a restart, with traffic flowing, and no request fails.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CoreV1Api, DiscoveryV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { Annotations } from "../../controller/api";
import type { WafController } from "../../controller/controller";
import { SERVICE_NAME_LABEL } from "../../controller/destinations";
import type { FakeApiServer } from "../controller/fake-apiserver/index";
import { createApplicationLayer, kubeConfigFor, NS, ruleSetFiles, startController, startFake } from "../controller/helpers";
import { loadPolling, metric, pollingConfig, renderFilterConfig, waitFor } from "../reload/helpers";
import { run, type Loaded, type Result } from "../engine/harness";

const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
// A CRS-shaped application rule set: its own setup sets the paranoia level (as crs-setup.conf's 900000 does), the
// default applies only when unset (REQUEST-901's 901120), and a PL2 rule is skipped below PL2 (as every CRS file).
const APP = [
  'SecAction "id:900000,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=1"',
  'SecRule &TX:blocking_paranoia_level "@eq 0" "id:901120,phase:1,pass,nolog,setvar:tx.blocking_paranoia_level=1"',
  "SecRule ARGS \"@contains evil\" \"id:1234,phase:1,deny,status:403,log,msg:'evil',tag:'attack-evil'\"",
  'SecRule TX:BLOCKING_PARANOIA_LEVEL "@lt 2" "id:1299,phase:1,pass,nolog,skipAfter:END-PL2"',
  "SecRule ARGS \"@contains sneaky\" \"id:1300,phase:1,deny,status:403,log,msg:'sneaky',tag:'paranoia-level/2'\"",
  'SecMarker "END-PL2"',
  "",
].join("\n");

let f: FakeApiServer;
let c: WafController;
let core: CoreV1Api;
let l: Loaded;
const ip: Record<string, string> = {};

async function service(name: string, annotations: Record<string, string>, spec: Record<string, unknown> = {}): Promise<void> {
  await core.createNamespacedService({
    namespace: "shop",
    body: { metadata: { name, annotations: { [Annotations.waf]: "Enabled", ...annotations } }, spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }], selector: { app: name }, ...spec } },
  });
  ip[name] = await waitFor(`${name} ClusterIP`, () => f.get("", "services", "shop", name)?.spec.clusterIP as string | undefined);
}

before(async () => {
  f = await startFake();
  f.ensureNamespaces("shop");
  const kc = kubeConfigFor(f, "admin");
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "modsecurity-ruleset" }, data: { ...ruleSetFiles(), "REQUEST-100-APP.conf": APP } } });
  await createApplicationLayer(kc, { webApplicationFirewall: "Enabled", waf: { mode: "detect", paranoiaLevel: 1 } });
  c = await startController(f, "replica-a");
  await service("blocker", { [Annotations.mode]: "block" }, { type: "NodePort", ports: [{ name: "http", port: 80, targetPort: 8080, nodePort: 30080 }] });
  await service("watcher", { [Annotations.mode]: "detect" });
  await service("tolerant", { [Annotations.mode]: "block", [Annotations.excludeRuleIds]: "1234" });
  await service("paranoid", { [Annotations.mode]: "block", [Annotations.paranoiaLevel]: "2" });
  await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({
    namespace: "shop",
    body: { metadata: { name: "blocker-1", labels: { [SERVICE_NAME_LABEL]: "blocker" } }, addressType: "IPv4", endpoints: [{ addresses: ["192.168.4.2"] }], ports: [{ name: "http", port: 8080 }] },
  });
  await waitFor("rule set compiled", () => c.ruleSetState.current);
  await waitFor("settings list the services and the endpoint", async () => {
    const d = JSON.parse((await fetch(`http://127.0.0.1:${c.port}/settings`)).ok ? await (await fetch(`http://127.0.0.1:${c.port}/settings`)).text() : "{}");
    return d.destinations?.["192.168.4.2:8080"] && Object.keys(ip).every((n) => d.destinations[`${ip[n]}:80`]);
  });
  // The configured mode is "block": listed destinations must run with their own mode instead.
  l = await loadPolling(renderFilterConfig(pollingConfig({ mode: "block", settings: { path: "/settings", poll_interval_ms: 100 } })), `http://127.0.0.1:${c.port}`);
  await waitFor("rule set and settings in force in the filter", () => metric(l, "waf.ruleset.generation") >= 1 && metric(l, "waf.settings.generation") >= 1);
});

after(async () => {
  await l?.plugin.close();
  await c?.stop();
  await f?.close();
});

const attack = (server: { ip: string; port: number }, q = "evil"): Result => run(l, { uri: `/search?q=${q}`, headers: [["Host", "shop.test"]], server, response: { status: 200, body: "ok" } });
const to = (name: string) => ({ ip: ip[name]!, port: 80 });

test("the filter holds every destination the controller lists", () => {
  assert.equal(metric(l, "waf.settings.destinations"), 6, "4 ClusterIP:port, blocker's node port and its pod IP:targetPort");
});

test("block PL1 → 403; detect → pass (logged); excluded rule → pass (not matched); PL2 → the PL2 rule denies", () => {
  const blocked = attack(to("blocker"));
  assert.equal(blocked.outcome.status, 403);
  assert.deepEqual(blocked.matched, [1234]);

  const watched = attack(to("watcher"));
  assert.equal(watched.outcome.status, 200);
  assert.deepEqual(watched.matched, [1234], "detection only: logged, not blocked");
  assert.equal(watched.event!.mode, "DetectionOnly");

  const tolerated = attack(to("tolerant"));
  assert.equal(tolerated.outcome.status, 200);
  assert.deepEqual(tolerated.matched, [], "rule 1234 is removed for this service");

  // PL2: the rule set's own `setvar:tx.blocking_paranoia_level=1` does not lower the pinned level.
  assert.equal(attack(to("paranoid"), "sneaky").outcome.status, 403);
  assert.deepEqual(attack(to("paranoid"), "sneaky").matched, [1300]);
  assert.equal(attack(to("blocker"), "sneaky").outcome.status, 200, "PL1 skips the PL2 rule");
  assert.deepEqual(attack(to("blocker"), "sneaky").matched, []);
});

test("a pod IP:targetPort and a node port get their service's settings; an unlisted destination passes uninspected", () => {
  assert.equal(attack({ ip: "192.168.4.2", port: 8080 }).outcome.status, 403, "endpoint of blocker");
  assert.equal(attack({ ip: "172.18.0.5", port: 30080 }).outcome.status, 403, "blocker's node port on some node address");
  const before = metric(l, "waf.settings.uninspected");
  const other = attack({ ip: "10.200.0.9", port: 80 });
  assert.equal(other.outcome.status, 200);
  assert.equal(other.event, null, "not inspected");
  assert.equal(metric(l, "waf.settings.uninspected"), before + 1);
});

test("an annotation change takes effect without a restart, with traffic flowing and no failed request", async () => {
  const generation = metric(l, "waf.settings.generation");
  const outcomes: { name: string; status: number; reset: string | null; settingsGeneration: number }[] = [];
  let stop = false;
  const traffic = (async () => {
    while (!stop) {
      for (const name of ["blocker", "watcher", "tolerant"]) {
        const g = metric(l, "waf.settings.generation");
        const o = attack(to(name)).outcome;
        outcomes.push({ name, status: o.status, reset: o.reset, settingsGeneration: g });
      }
      await new Promise((r) => setTimeout(r, 3));
    }
  })();
  await new Promise((r) => setTimeout(r, 150));
  await core.patchNamespacedService({ name: "watcher", namespace: "shop", body: { metadata: { annotations: { [Annotations.mode]: "block" } } } }, merge);
  await waitFor("watcher blocks", () => outcomes.some((o) => o.name === "watcher" && o.status === 403));
  await new Promise((r) => setTimeout(r, 150));
  stop = true;
  await traffic;

  assert.ok(metric(l, "waf.settings.generation") > generation, "a new settings document was put in force");
  assert.equal(l.plugin.vmFailed, false);
  assert.equal(metric(l, "waf.settings.reload_failure"), 0);
  const failed = outcomes.filter((o) => o.reset !== null || (o.status !== 200 && o.status !== 403));
  assert.deepEqual(failed, [], "no request failed");
  for (const o of outcomes) {
    if (o.name === "blocker") assert.equal(o.status, 403);
    if (o.name === "tolerant") assert.equal(o.status, 200);
  }
  // The watcher flips once: passes under the old document, 403 under the new one, never back.
  const w = outcomes.filter((o) => o.name === "watcher").map((o) => o.status);
  const flip = w.indexOf(403);
  assert.ok(flip > 0, `traffic before the change (${w.length} watcher requests)`);
  assert.ok(w.slice(0, flip).every((s) => s === 200) && w.slice(flip).every((s) => s === 403), w.join(","));
  assert.equal(attack(to("watcher")).outcome.status, 403);
});
