// Enabling and disabling services, refusal of protected system services, per-service settings, status and Events —
// the controller against the fake API server over HTTP.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { Annotations, FELIX_TPROXY_ANNOTATION } from "../../controller/api";
import { protectedServiceReason } from "../../controller/protected";
import type { WafController } from "../../controller/controller";
import type { FakeApiServer } from "./fake-apiserver/index";
import { createApplicationLayer, NS, get, kubeConfigFor, ruleSetFiles, startController, startFake, waitFor } from "./helpers";

const WAF = Annotations.waf;
const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

describe("services", () => {
  let f: FakeApiServer;
  let c: WafController;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  const svcAnn = (ns: string, name: string) => f.get("", "services", ns, name)?.metadata.annotations ?? {};
  const eventsFor = (ns: string, name: string) => f.list("", "events", ns).filter((e) => e.involvedObject.name === name);
  const createSvc = (ns: string, name: string, annotations: Record<string, string> = {}, spec: Record<string, unknown> = {}) =>
    core.createNamespacedService({ namespace: ns, body: { metadata: { name, annotations }, spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }], selector: { app: name }, ...spec } } });
  const setAnn = (ns: string, name: string, annotations: Record<string, string | null>) =>
    core.patchNamespacedService({ name, namespace: ns, body: { metadata: { annotations } } }, merge);
  const settings = async () => JSON.parse((await get(c.port, "/settings")).body.toString());

  before(async () => {
    f = await startFake();
    f.ensureNamespaces("shop", "payments", "tigera-operator", "calico-system", "calico-apiserver", "openshift-dns", "gatekeeper-system", "my-kube-system");
    const kc = kubeConfigFor(f, "admin");
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "modsecurity-ruleset" }, data: ruleSetFiles() } });
    await createApplicationLayer(kc, { webApplicationFirewall: "Enabled", waf: { mode: "block" } });
    c = await startController(f, "replica-a");
    await waitFor("leadership", () => c.isLeader);
  });
  after(async () => {
    await c.stop();
    await f.close();
  });

  test("the CRD's defaults are applied by the API server (and the fake applies them from envoy/crd.yaml)", () => {
    const al = f.get("waf.workload-waf.io", "applicationlayers", undefined, "default")!;
    assert.equal(al.spec.waf.paranoiaLevel, 1);
    assert.equal(al.spec.waf.failurePolicy, "FailClosed");
    assert.equal(al.spec.waf.mode, "block");
  });

  test("enabling a service: status annotation, Felix's TPROXY annotation, an Event, the settings document", async () => {
    await createSvc("shop", "web", { [WAF]: "Enabled" });
    await waitFor("web enabled", () => svcAnn("shop", "web")[Annotations.status] === "Enabled");
    const a = svcAnn("shop", "web");
    assert.equal(a[FELIX_TPROXY_ANNOTATION], "true", "Felix honours exactly \"true\"");
    assert.equal(a[Annotations.tproxyManaged], "true");
    assert.equal(a[Annotations.statusReason], "enabled by annotation");
    const ev = await waitFor("event", () => (eventsFor("shop", "web").length ? eventsFor("shop", "web") : null));
    assert.equal(ev.length, 1);
    assert.equal(ev[0]!.reason, "WAFEnabled");
    assert.equal(ev[0]!.type, "Normal");
    assert.equal(ev[0]!.involvedObject.kind, "Service");
    assert.equal(ev[0]!.source.component, "waf-controller");

    const ip = f.get("", "services", "shop", "web")!.spec.clusterIP;
    const doc = await waitFor("settings", async () => ((await settings()).destinations[`${ip}:80`] ? settings() : null));
    assert.deepEqual(doc.destinations[`${ip}:80`], { service: "shop/web", mode: "block", paranoiaLevel: 1, excludeRuleIds: [], excludeRuleTags: [], port: "http" });
    assert.equal(doc.enabled, true);
    assert.match(doc.ruleSet.sha256, /^[0-9a-f]{64}$/);

    const al = await waitFor("AL status", () => {
      const s = f.get("waf.workload-waf.io", "applicationlayers", undefined, "default")!.status;
      return s?.services?.some((x: any) => x.name === "web" && x.status === "Enabled") ? s : null;
    });
    assert.equal(al.state, "Ready");
    assert.equal(al.protectedServices, 1);
    assert.equal(al.conditions.find((x: any) => x.type === "Ready").status, "True");
  });

  test("per-service overrides reach the settings document; a bad override is ignored with a Warning", async () => {
    await createSvc("payments", "api", {
      [WAF]: "Enabled",
      [Annotations.mode]: "detect",
      [Annotations.paranoiaLevel]: "3",
      [Annotations.excludeRuleIds]: "942100, 920350-920360",
      [Annotations.excludeRuleTags]: "attack-sqli,paranoia-level/4",
    }, { type: "NodePort", ports: [{ name: "https-alt", port: 8443, nodePort: 30443 }] });
    const ip = await waitFor("api ip", () => f.get("", "services", "payments", "api")?.spec.clusterIP);
    const doc = await waitFor("api settings", async () => {
      const d = await settings();
      return d.destinations[`${ip}:8443`] ? d : null;
    });
    const want = { service: "payments/api", mode: "detect", paranoiaLevel: 3, excludeRuleIds: [[942100, 942100], [920350, 920360]], excludeRuleTags: ["attack-sqli", "paranoia-level/4"], port: "https-alt" };
    assert.deepEqual(doc.destinations[`${ip}:8443`], want);
    assert.deepEqual(doc.destinations["*:30443"], want, "node ports are keyed *:nodePort (listener 16002)");

    await setAnn("payments", "api", { [Annotations.paranoiaLevel]: "9" });
    await waitFor("warning", () => eventsFor("payments", "api").some((e) => e.reason === "WAFInvalidOverride"));
    const a = svcAnn("payments", "api");
    assert.equal(a[Annotations.status], "Enabled", "still protected, with the cluster-wide paranoia level");
    assert.match(a[Annotations.statusReason]!, /waf-paranoia-level must be 1, 2, 3 or 4, got "9"/);
    assert.equal((await settings()).destinations[`${ip}:8443`].paranoiaLevel, 1);
  });

  test("disabling a service removes the redirect (only the annotation the controller set) and records an Event", async () => {
    await setAnn("shop", "web", { [WAF]: "Disabled" });
    await waitFor("web disabled", () => svcAnn("shop", "web")[Annotations.status] === "Disabled");
    const a = svcAnn("shop", "web");
    assert.equal(a[FELIX_TPROXY_ANNOTATION], undefined);
    assert.equal(a[Annotations.tproxyManaged], undefined);
    await waitFor("disabled event", () => eventsFor("shop", "web").length === 2);
    assert.deepEqual(eventsFor("shop", "web").map((e) => e.reason).sort(), ["WAFDisabled", "WAFEnabled"]);
    const ip = f.get("", "services", "shop", "web")!.spec.clusterIP;
    await waitFor("settings without web", async () => !(await settings()).destinations[`${ip}:80`]);

    // A Felix annotation the user set themselves is left alone.
    await createSvc("shop", "legacy", { [WAF]: "Disabled", [FELIX_TPROXY_ANNOTATION]: "true" });
    await waitFor("legacy status", () => svcAnn("shop", "legacy")[Annotations.status] === "Disabled");
    assert.equal(svcAnn("shop", "legacy")[FELIX_TPROXY_ANNOTATION], "true");

    // Removing our annotation altogether removes the controller's annotations too.
    await setAnn("shop", "web", { [WAF]: null });
    await waitFor("web unannotated", () => svcAnn("shop", "web")[Annotations.status] === undefined);
    assert.equal(svcAnn("shop", "web")[Annotations.statusReason], undefined);
  });

  const protectedCases: [string, string][] = [
    ["kube-system", "kube-dns"],
    ["tigera-operator", "tigera-api"],
    ["calico-system", "calico-typha"],
    ["calico-apiserver", "calico-api"],
    ["openshift-dns", "dns-default"],
    ["default", "kubernetes"],
    ["gatekeeper-system", "gatekeeper-webhook-service"],
  ];
  test("every protected-service pattern is refused, with a status and a Warning Event, and never redirected", async () => {
    for (const [ns, name] of protectedCases) await createSvc(ns, name, { [WAF]: "Enabled" });
    for (const [ns, name] of protectedCases) {
      await waitFor(`${ns}/${name} refused`, () => svcAnn(ns, name)[Annotations.status] === "Refused");
      const a = svcAnn(ns, name);
      assert.equal(a[FELIX_TPROXY_ANNOTATION], undefined, `${ns}/${name} must not be redirected`);
      assert.match(a[Annotations.statusReason]!, /protected system (namespace|service)/);
      const ev = await waitFor(`${ns}/${name} event`, () => (eventsFor(ns, name).length ? eventsFor(ns, name) : null));
      assert.equal(ev.length, 1, `${ns}/${name}: one event`);
      assert.equal(ev[0]!.type, "Warning");
      assert.equal(ev[0]!.reason, "WAFRefused");
      assert.match(ev[0]!.message, /protected system/);
    }
    const doc = await settings();
    assert.ok(!Object.values(doc.destinations).some((d: any) => protectedCases.some(([ns, n]) => d.service === `${ns}/${n}`)));
    const al = await waitFor("AL lists refused", () => {
      const s = f.get("waf.workload-waf.io", "applicationlayers", undefined, "default")!.status;
      return s?.services?.filter((x: any) => x.status === "Refused").length === protectedCases.length ? s : null;
    });
    const cond = al.conditions.find((x: any) => x.type === "ServicesAccepted");
    assert.equal(cond.status, "False");
    assert.match(cond.message, /kube-system\/kube-dns: namespace kube-system is a protected system namespace/);
  });

  test("look-alikes of protected names are not refused", async () => {
    assert.equal(protectedServiceReason("my-kube-system", "x"), null);
    assert.equal(protectedServiceReason("gatekeeper-system", "other"), null);
    assert.equal(protectedServiceReason("default", "kubernetes-dashboard"), null);
    assert.equal(protectedServiceReason("calicosystem", "x"), null);
    await createSvc("my-kube-system", "app", { [WAF]: "Enabled" });
    await createSvc("gatekeeper-system", "other", { [WAF]: "Enabled" });
    await waitFor("look-alikes enabled", () => svcAnn("my-kube-system", "app")[Annotations.status] === "Enabled" && svcAnn("gatekeeper-system", "other")[Annotations.status] === "Enabled");
  });

  test("headless services and bad values are refused with the reason", async () => {
    await createSvc("shop", "headless", { [WAF]: "Enabled" }, { clusterIP: "None" });
    await createSvc("shop", "typo", { [WAF]: "yes" });
    await waitFor("refused", () => svcAnn("shop", "headless")[Annotations.status] === "Refused" && svcAnn("shop", "typo")[Annotations.status] === "Refused");
    assert.match(svcAnn("shop", "headless")[Annotations.statusReason]!, /headless/);
    assert.match(svcAnn("shop", "typo")[Annotations.statusReason]!, /must be "Enabled" or "Disabled", got "yes"/);
  });

  test("switching the WAF off cluster-wide disables every service and removes every redirect", async () => {
    await custom.patchClusterCustomObject({ group: "waf.workload-waf.io", version: "v1", plural: "applicationlayers", name: "default", body: { spec: { webApplicationFirewall: "Disabled" } } }, merge);
    await waitFor("api disabled", () => svcAnn("payments", "api")[Annotations.status] === "Disabled");
    assert.match(svcAnn("payments", "api")[Annotations.statusReason]!, /disabled cluster-wide/);
    assert.equal(svcAnn("payments", "api")[FELIX_TPROXY_ANNOTATION], undefined);
    const doc = await settings();
    assert.equal(doc.enabled, false);
    assert.deepEqual(doc.destinations, {});
    await waitFor("state Disabled", () => f.get("waf.workload-waf.io", "applicationlayers", undefined, "default")!.status?.state === "Disabled");
    // And on again.
    await custom.patchClusterCustomObject({ group: "waf.workload-waf.io", version: "v1", plural: "applicationlayers", name: "default", body: { spec: { webApplicationFirewall: "Enabled" } } }, merge);
    await waitFor("api enabled again", () => svcAnn("payments", "api")[FELIX_TPROXY_ANNOTATION] === "true");
  });

  test("what the controller wrote fits the CRD schema and the API types (no pruned or unknown fields)", async () => {
    await c.settled();
    assert.deepEqual(f.warnings, []);
    const metrics = (await get(c.port, "/metrics")).body.toString();
    assert.match(metrics, /^waf_controller_is_leader 1$/m);
    assert.match(metrics, /^waf_controller_services\{status="Refused"\} 9$/m);
    assert.match(metrics, /^waf_controller_ruleset_compiles_total\{result="success"\} 1$/m);
  });
});
