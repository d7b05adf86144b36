// Two replicas against one API server: only the Lease holder writes; when it stops renewing (hung, partitioned)
// the standby takes over after the lease duration and the old one steps down; a clean stop hands over at once.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CoreV1Api } from "@kubernetes/client-node";
import { Annotations } from "../../controller/api";
import type { WafController } from "../../controller/controller";
import type { FakeApiServer } from "./fake-apiserver/index";
import { RFC3339_MICRO } from "./schema/k8s-models";
import { createApplicationLayer, NS, get, kubeConfigFor, ruleSetFiles, startController, startFake, waitFor } from "./helpers";

const nonLeaseWrites = (f: FakeApiServer, token: string) => f.writesBy(token).filter((r) => !r.path.includes("/leases"));

describe("leader election with two replicas", () => {
  let f: FakeApiServer;
  let a: WafController;
  let b: WafController;
  let core: CoreV1Api;
  const svcStatus = (name: string) => f.get("", "services", "shop", name)?.metadata.annotations?.[Annotations.status];
  const enable = (name: string) =>
    core.createNamespacedService({ namespace: "shop", body: { metadata: { name, annotations: { [Annotations.waf]: "Enabled" } }, spec: { ports: [{ port: 80 }] } } });

  before(async () => {
    f = await startFake();
    f.ensureNamespaces("shop");
    const kc = kubeConfigFor(f, "admin");
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "modsecurity-ruleset" }, data: ruleSetFiles() } });
    await createApplicationLayer(kc);
    a = await startController(f, "replica-a");
    await waitFor("a leads", () => a.isLeader);
    b = await startController(f, "replica-b");
  });
  after(async () => {
    await Promise.all([a.stop(), b.stop()]);
    await f.close();
  });

  test("only the leader acts; the standby serves the same rule set and settings", async () => {
    await enable("one");
    await waitFor("one enabled", () => svcStatus("one") === "Enabled");
    await new Promise((r) => setTimeout(r, 600)); // several retry periods of the standby
    await b.settled();
    assert.equal(a.isLeader, true);
    assert.equal(b.isLeader, false);
    assert.ok(nonLeaseWrites(f, "replica-a").length > 0);
    assert.deepEqual(nonLeaseWrites(f, "replica-b"), [], "the standby wrote nothing");
    assert.deepEqual(f.writesBy("replica-b"), [], "the standby did not even touch the Lease while it was held");
    assert.equal(f.list("", "events", "shop").filter((e) => e.involvedObject.name === "one").length, 1);

    const lease = f.get("coordination.k8s.io", "leases", NS, "waf-controller")!;
    assert.equal(lease.spec.holderIdentity, "replica-a");
    assert.match(lease.spec.renewTime, RFC3339_MICRO, "MicroTime with 6 digits, as the real API server requires");
    const [sa, sb] = await Promise.all([get(a.port, "/rulesets/current"), get(b.port, "/rulesets/current")]);
    assert.ok(sa.body.equals(sb.body));
    assert.equal((await get(b.port, "/readyz")).status, 200);
    assert.match((await get(b.port, "/metrics")).body.toString(), /^waf_controller_is_leader 0$/m);
  });

  test("failover when the leader stops renewing: the standby takes over, the old leader steps down", async () => {
    const t0 = Date.now();
    a.elector.pauseRenewals(true);
    await waitFor("b leads", () => b.isLeader, 6000);
    const took = Date.now() - t0;
    assert.ok(took >= 1000, `took over after ${took} ms, not before the lease expired`);
    await waitFor("a steps down", () => !a.isLeader, 3000);
    const lease = f.get("coordination.k8s.io", "leases", NS, "waf-controller")!;
    assert.equal(lease.spec.holderIdentity, "replica-b");
    assert.equal(lease.spec.leaseTransitions, 1);

    const aWritesBefore = nonLeaseWrites(f, "replica-a").length;
    await enable("two");
    await waitFor("two enabled by b", () => svcStatus("two") === "Enabled");
    assert.ok(nonLeaseWrites(f, "replica-b").some((r) => r.path.endsWith("/services/two")));
    assert.equal(nonLeaseWrites(f, "replica-a").length, aWritesBefore, "the old leader no longer writes");
    // The new leader did not repeat the old leader's Events.
    await b.settled();
    assert.equal(f.list("", "events", "shop").filter((e) => e.involvedObject.name === "one").length, 1);

    // The old leader comes back: it stays a standby while b renews.
    a.elector.pauseRenewals(false);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(a.isLeader, false);
    assert.equal(b.isLeader, true);
  });

  test("a clean stop releases the Lease and the standby takes over at once", async () => {
    const t0 = Date.now();
    await b.stop();
    assert.equal(f.get("coordination.k8s.io", "leases", NS, "waf-controller")!.spec.holderIdentity, "");
    await waitFor("a leads again", () => a.isLeader, 3000);
    assert.ok(Date.now() - t0 < 1400, "before the lease duration would have run out");
    await enable("three");
    await waitFor("three enabled by a", () => svcStatus("three") === "Enabled");
  });
});
