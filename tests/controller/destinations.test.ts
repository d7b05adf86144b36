// The destinations of the settings document: how a Service's traffic looks to the node's Envoy (ClusterIP:port,
// pod IP:targetPort from its EndpointSlices, *:nodePort) — the pure keying, then the controller against the fake
// API server following EndpointSlice changes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CoreV1Api, DiscoveryV1Api, type V1EndpointSlice, type V1Service } from "@kubernetes/client-node";
import { Annotations } from "../../controller/api";
import { destinationKeys, SERVICE_NAME_LABEL } from "../../controller/destinations";
import type { WafController } from "../../controller/controller";
import type { FakeApiServer } from "./fake-apiserver/index";
import { createApplicationLayer, get, kubeConfigFor, NS, ruleSetFiles, startController, startFake, waitFor } from "./helpers";

const slice = (ns: string, service: string, name: string, addressType: string, ips: string[][], ports: { name?: string; port: number; protocol?: string }[]): V1EndpointSlice => ({
  metadata: { name, namespace: ns, labels: { [SERVICE_NAME_LABEL]: service } },
  addressType,
  endpoints: ips.map((addresses) => ({ addresses })),
  ports,
});

describe("destinationKeys", () => {
  const svc: V1Service = {
    metadata: { namespace: "shop", name: "web" },
    spec: {
      clusterIP: "10.96.0.20",
      clusterIPs: ["10.96.0.20", "fd00::20"],
      type: "NodePort",
      ports: [
        { name: "http", port: 80, targetPort: 8080, nodePort: 30080 },
        { name: "metrics", port: 9090, targetPort: 9090 },
        { name: "dns", port: 53, protocol: "UDP" },
      ],
    },
  };

  test("ClusterIPs of both families, node ports, and every endpoint address with the target port named by the slice", () => {
    const keys = destinationKeys(svc, [
      slice("shop", "web", "web-v4", "IPv4", [["192.168.1.5"], ["192.168.2.7"]], [{ name: "http", port: 8080 }, { name: "metrics", port: 9090 }, { name: "dns", port: 5353, protocol: "UDP" }]),
      slice("shop", "web", "web-v6", "IPv6", [["fd00:1::5"]], [{ name: "http", port: 8080 }]),
      slice("other", "web", "same-name-other-namespace", "IPv4", [["192.168.9.9"]], [{ name: "http", port: 8080 }]),
      slice("shop", "web-admin", "other-service", "IPv4", [["192.168.9.8"]], [{ name: "http", port: 8080 }]),
      slice("shop", "web", "web-fqdn", "FQDN", [["example.com"]], [{ name: "http", port: 8080 }]),
    ]);
    assert.deepEqual(keys.map((k) => [k.key, k.port, k.kind]), [
      ["10.96.0.20:80", "http", "clusterIP"],
      ["[fd00::20]:80", "http", "clusterIP"],
      ["*:30080", "http", "nodePort"],
      ["10.96.0.20:9090", "metrics", "clusterIP"],
      ["[fd00::20]:9090", "metrics", "clusterIP"],
      ["192.168.1.5:8080", "http", "endpoint"],
      ["192.168.2.7:8080", "http", "endpoint"],
      ["192.168.1.5:9090", "metrics", "endpoint"],
      ["192.168.2.7:9090", "metrics", "endpoint"],
      ["[fd00:1::5]:8080", "http", "endpoint"],
    ]);
  });

  test("a single unnamed port: the slice's port has an empty name; the key names the port by number", () => {
    const one: V1Service = { metadata: { namespace: "a", name: "b" }, spec: { clusterIP: "10.96.0.9", ports: [{ port: 8000, targetPort: 3000 }] } };
    const keys = destinationKeys(one, [slice("a", "b", "b-1", "IPv4", [["10.1.0.4"]], [{ name: "", port: 3000 }])]);
    assert.deepEqual(keys.map((k) => `${k.key}=${k.port}`), ["10.96.0.9:8000=8000", "10.1.0.4:3000=8000"]);
  });
});

describe("settings document with EndpointSlices (controller + fake API server)", () => {
  let f: FakeApiServer;
  let c: WafController;
  let core: CoreV1Api;
  let discovery: DiscoveryV1Api;
  const settings = async () => JSON.parse((await get(c.port, "/settings")).body.toString());

  before(async () => {
    f = await startFake();
    f.ensureNamespaces("shop");
    const kc = kubeConfigFor(f, "admin");
    core = kc.makeApiClient(CoreV1Api);
    discovery = kc.makeApiClient(DiscoveryV1Api);
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "modsecurity-ruleset" }, data: ruleSetFiles() } });
    await createApplicationLayer(kc, { webApplicationFirewall: "Enabled", waf: { mode: "detect" } });
    c = await startController(f, "replica-a");
  });
  after(async () => {
    await c.stop();
    await f.close();
  });

  test("endpoint pod IP:targetPort keys follow the slices; a service sharing pods with another gets no duplicate key", async () => {
    const mk = (name: string, annotations: Record<string, string>) =>
      core.createNamespacedService({ namespace: "shop", body: { metadata: { name, annotations }, spec: { ports: [{ name: "http", port: 80, targetPort: 8080 }], selector: { app: "web" } } } });
    await mk("web", { [Annotations.waf]: "Enabled", [Annotations.mode]: "block" });
    await discovery.createNamespacedEndpointSlice({ namespace: "shop", body: slice("shop", "web", "web-abc", "IPv4", [["192.168.1.5"], ["192.168.1.6"]], [{ name: "http", port: 8080 }]) });
    const ip = await waitFor("web ip", () => f.get("", "services", "shop", "web")?.spec.clusterIP);

    let doc = await waitFor("endpoints listed", async () => {
      const d = await settings();
      return d.destinations["192.168.1.6:8080"] ? d : null;
    });
    const want = { service: "shop/web", mode: "block", paranoiaLevel: 1, excludeRuleIds: [], excludeRuleTags: [], port: "http" };
    assert.deepEqual(doc.destinations[`${ip}:80`], want);
    assert.deepEqual(doc.destinations["192.168.1.5:8080"], want);
    assert.deepEqual(doc.destinations["192.168.1.6:8080"], want);
    const etag1 = (await get(c.port, "/settings")).headers.get("etag");

    // A pod replaced: the slice changes, the old address goes, the new one comes, the ETag moves.
    const cur = await discovery.readNamespacedEndpointSlice({ name: "web-abc", namespace: "shop" });
    await discovery.replaceNamespacedEndpointSlice({ name: "web-abc", namespace: "shop", body: { ...cur, endpoints: [{ addresses: ["192.168.1.5"] }, { addresses: ["192.168.3.9"] }] } });
    doc = await waitFor("slice update", async () => {
      const d = await settings();
      return d.destinations["192.168.3.9:8080"] ? d : null;
    });
    assert.equal(doc.destinations["192.168.1.6:8080"], undefined);
    assert.notEqual((await get(c.port, "/settings")).headers.get("etag"), etag1);

    // A second enabled service over the same pods: "shop/web" sorts first and keeps the shared endpoint keys; the
    // second one is reachable by its own ClusterIP with its own settings.
    await mk("web-canary", { [Annotations.waf]: "Enabled", [Annotations.mode]: "detect" });
    await discovery.createNamespacedEndpointSlice({ namespace: "shop", body: slice("shop", "web-canary", "web-canary-1", "IPv4", [["192.168.1.5"]], [{ name: "http", port: 8080 }]) });
    const ip2 = await waitFor("canary ip", () => f.get("", "services", "shop", "web-canary")?.spec.clusterIP);
    doc = await waitFor("canary listed", async () => {
      const d = await settings();
      return d.destinations[`${ip2}:80`] ? d : null;
    });
    assert.equal(doc.destinations[`${ip2}:80`].service, "shop/web-canary");
    assert.equal(doc.destinations["192.168.1.5:8080"].service, "shop/web");

    // The slice of a service that is not enabled lists nothing.
    await discovery.deleteNamespacedEndpointSlice({ name: "web-abc", namespace: "shop" });
    await core.patchNamespacedService({ name: "web", namespace: "shop", body: [{ op: "replace", path: `/metadata/annotations/${Annotations.waf.replace("/", "~1")}`, value: "Disabled" }] });
    doc = await waitFor("web gone", async () => {
      const d = await settings();
      return d.destinations[`${ip}:80`] === undefined ? d : null;
    });
    assert.equal(doc.destinations["192.168.3.9:8080"], undefined);
    assert.equal(doc.destinations["192.168.1.5:8080"].service, "shop/web-canary", "the shared address now belongs to the remaining service");
  });
});
