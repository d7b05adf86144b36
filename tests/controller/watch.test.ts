// Recovery from broken watches: the API server drops the connections, answers a watch with 410 Expired after its
// history was compacted, or fails a watch request outright; the controller re-watches or relists and converges,
// including on changes (and deletions) that happened while it was not watching.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { Annotations } from "../../controller/api";
import type { WafController } from "../../controller/controller";
import type { FakeApiServer } from "./fake-apiserver/index";
import { createApplicationLayer, NS, get, kubeConfigFor, ruleSetFiles, startController, startFake, waitFor } from "./helpers";

describe("watch recovery", () => {
  let f: FakeApiServer;
  let c: WafController;
  let core: CoreV1Api;
  const status = (name: string) => f.get("", "services", "shop", name)?.metadata.annotations?.[Annotations.status];
  const enable = (name: string) =>
    core.createNamespacedService({ namespace: "shop", body: { metadata: { name, annotations: { [Annotations.waf]: "Enabled" } }, spec: { ports: [{ port: 80 }] } } });
  const destinations = async () => Object.values(JSON.parse((await get(c.port, "/settings")).body.toString()).destinations).map((d: any) => d.service);
  const watchRequests = () => f.requests.filter((r) => r.token === "replica-a" && r.query.includes("watch=true") && r.path === "/api/v1/services");
  const listRequests = () => f.requests.filter((r) => r.token === "replica-a" && !r.query.includes("watch") && r.path === "/api/v1/services" && r.method === "GET");

  before(async () => {
    f = await startFake();
    f.ensureNamespaces("shop");
    const kc = kubeConfigFor(f, "admin");
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "modsecurity-ruleset" }, data: ruleSetFiles() } });
    await createApplicationLayer(kc);
    c = await startController(f, "replica-a");
    await waitFor("leader", () => c.isLeader);
    await enable("before");
    await waitFor("before enabled", () => status("before") === "Enabled");
  });
  after(async () => {
    await c.stop();
    await f.close();
  });

  test("connections dropped by the server: the controller watches again from where it was, without relisting", async () => {
    const lists = listRequests().length;
    const watches = watchRequests().length;
    assert.equal(f.dropWatches(), 4, "services, endpointslices, applicationlayers, configmaps");
    await enable("after-drop");
    await waitFor("after-drop enabled", () => status("after-drop") === "Enabled");
    assert.ok(watchRequests().length > watches);
    const rewatch = watchRequests().at(-1)!;
    assert.match(rewatch.query, /resourceVersion=\d+/);
    assert.equal(listRequests().length, lists, "a resumable watch needs no relist");
  });

  test("410 Expired after compaction: the controller relists and sees what changed meanwhile, deletions included", async () => {
    const lists = listRequests().length;
    // Hold the services watch down while things change, then let it come back to a compacted history.
    f.failNext({ method: "GET", path: /^\/api\/v1\/services\?watch=true/, status: 500, times: 3 });
    f.dropWatches();
    await core.deleteNamespacedService({ name: "before", namespace: "shop" });
    await enable("during-outage");
    f.compact();
    await waitFor("during-outage enabled", () => status("during-outage") === "Enabled", 8000);
    assert.ok(listRequests().length > lists, "relisted after 410");
    const expired = f.requests.filter((r) => r.query.includes("watch=true") && r.path === "/api/v1/services" && r.status === 200);
    assert.ok(expired.length > 0);
    await waitFor("deleted service gone from settings", async () => {
      const d = await destinations();
      return !d.includes("shop/before") && d.includes("shop/during-outage") ? d : null;
    });
    const metrics = (await get(c.port, "/metrics")).body.toString();
    assert.match(metrics, /waf_controller_watch_restarts_total\{resource="services"\} [1-9]/);
  });

  test("a watch that ends at once (empty stream) is simply restarted", async () => {
    f.failNext({ method: "GET", path: /^\/api\/v1\/services\?watch=true/, status: 200, dropWatch: true, times: 2 });
    f.dropWatches();
    await enable("after-empty");
    await waitFor("after-empty enabled", () => status("after-empty") === "Enabled");
  });

  test("resync: a status annotation removed behind the controller's back is written again", async () => {
    // A watch event would also trigger this; the periodic resync guarantees it even if one were lost.
    await core.patchNamespacedService(
      { name: "after-empty", namespace: "shop", body: { metadata: { annotations: { [Annotations.status]: null } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await waitFor("status restored", () => status("after-empty") === "Enabled");
    assert.deepEqual(f.warnings, []);
  });
});
