// Acceptance test of hot rule-set reload (issue 7): the real controller (fake API server, its ConfigMap watch and
// compile path, its HTTP endpoint on loopback) and build/waf.wasm in the host in polling mode, with the cluster
// pointing at that endpoint. Continuous concurrent traffic runs while the rule-set ConfigMap is replaced:
//  - no request fails (no 5xx, no reset) across the swap;
//  - streams that started before the swap finish under the old rules, even when the part of the request the new
//    rules would block arrives after the swap;
//  - streams that start after the swap get the new rules (403, rule 1234 / 1235 in the event);
//  - a rule set that does not compile is refused by the controller, and the filter keeps the last good table.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { CoreV1Api } from "@kubernetes/client-node";
import type { WafController } from "../../controller/controller";
import type { FakeApiServer } from "../controller/fake-apiserver/index";
import { createApplicationLayer, kubeConfigFor, NS, ruleSetFiles, startController, startFake } from "../controller/helpers";
import { loadPolling, metric, pollingConfig, renderFilterConfig, waitFor } from "../reload/helpers";
import type { Loaded } from "../engine/harness";
import type { HeaderList, HttpStream, StreamSink } from "../../proxy-wasm-host/index";

const CM = "modsecurity-ruleset";
const base = ruleSetFiles();
const APP_V1 = 'SecRule ARGS "@streq unrelated" "id:1000,phase:1,deny,status:403"\n';
// v2: the marker in the query is denied in phase 1, in a urlencoded body in phase 2.
const APP_V2 = APP_V1 + 'SecRule ARGS "@streq evil" "id:1234,phase:1,deny,status:403"\n' +
  'SecRule ARGS "@streq evil" "id:1235,phase:2,deny,status:403"\n';
const APP_BAD = APP_V2 + 'SecRule ARGS "@streq worse" "id:1236,phase:1,deny,nosuchaction"\n';
const filesWith = (app: string) => ({ ...base, "REQUEST-100-APP.conf": app });

type Kind = "get-evil" | "get-clean" | "post-evil";
interface Outcome {
  id: string;
  kind: Kind;
  /** The filter's rule-set generation when the request headers were handed to it. */
  generation: number;
  held: boolean;
  status: number;
  reset: string | null;
  upstreamReset: string | null;
}

let f: FakeApiServer;
let c: WafController;
let core: CoreV1Api;
let l: Loaded;

before(async () => {
  f = await startFake();
  const kc = kubeConfigFor(f, "admin");
  core = kc.makeApiClient(CoreV1Api);
  await createApplicationLayer(kc);
  c = await startController(f, "replica-a");
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: CM }, data: filesWith(APP_V1) } });
  await waitFor("v1 compiled", () => c.ruleSetState.current);
  l = await loadPolling(renderFilterConfig(pollingConfig({ mode: "block" })), `http://127.0.0.1:${c.port}`);
});

after(async () => {
  await l?.plugin.close();
  await c?.stop();
  await f?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let seq = 0;

/** One stream through the filter as Envoy's filter manager drives it; the upstream answers 200 once the whole
 *  request reached it. `release` (POST only) delays the body until it resolves. */
function runStream(kind: Kind, release: Promise<void> | null): Promise<Outcome> {
  const id = `rq-${++seq}`;
  return new Promise((resolve) => {
    const out: Outcome = { id, kind, generation: metric(l, "waf.ruleset.generation"), held: release !== null, status: 0, reset: null, upstreamReset: null };
    let stream: HttpStream;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      stream.complete();
      resolve(out);
    };
    const upstreamGotAll = () => {
      setTimeout(() => {
        if (finished || out.upstreamReset !== null) return;
        stream.encodeHeaders([[":status", "200"], ["content-type", "text/plain"]], false);
        stream.encodeData(new Uint8Array(Buffer.from("ok")), true);
      }, Math.random() * 3);
    };
    const sink: StreamSink = {
      requestHeaders: (_h: HeaderList, eos: boolean) => eos && upstreamGotAll(),
      requestData: (_d: Uint8Array, eos: boolean) => eos && upstreamGotAll(),
      requestTrailers: () => upstreamGotAll(),
      responseHeaders: (h: HeaderList, eos: boolean) => {
        if (out.status === 0) out.status = Number(h.find(([k]) => k === ":status")?.[1] ?? 0);
        if (eos) finish();
      },
      responseData: (_d: Uint8Array, eos: boolean) => eos && finish(),
      responseTrailers: () => finish(),
      reset: (reason: string) => {
        out.reset = reason;
        finish();
      },
      upstreamReset: (reason: string) => {
        out.upstreamReset = reason;
      },
    };
    stream = l.plugin.createStream(
      { requestId: id, protocol: "HTTP/1.1", scheme: "http", source: { address: "10.1.2.3", port: 40000 + (seq % 20000) }, destination: { address: "10.9.8.7", port: 8080 } },
      sink,
    );
    if (kind !== "post-evil") {
      stream.decodeHeaders([[":method", "GET"], [":path", kind === "get-evil" ? "/search?q=evil" : "/search?q=fine"], [":authority", "app.test"]], true);
      return;
    }
    const body = new Uint8Array(Buffer.from("q=evil"));
    stream.decodeHeaders([[":method", "POST"], [":path", "/form"], [":authority", "app.test"], ["content-type", "application/x-www-form-urlencoded"], ["content-length", String(body.length)]], false);
    void (release ?? sleep(Math.random() * 20)).then(() => {
      if (!finished) stream.decodeData(body, true);
    });
  });
}

test("hot reload under concurrent traffic: no request fails, in-flight streams keep their rules, a bad rule set is refused and the last good one stays", async () => {
  await waitFor("v1 in force in the filter", () => metric(l, "waf.ruleset.generation") === 1);
  const v1Sha = c.ruleSetState.current!.sha256;

  const outcomes: Promise<Outcome>[] = [];
  let stop = false;
  const kinds: Kind[] = ["get-evil", "get-clean", "post-evil"];
  const workers = Array.from({ length: 24 }, async (_, w) => {
    for (let i = 0; !stop; i++) {
      const p = runStream(kinds[(w + i) % kinds.length]!, null);
      outcomes.push(p);
      await p;
      await sleep(Math.random() * 4);
    }
  });

  // Streams whose headers reach the filter under v1 and whose body (which v2 would deny) comes after the swap.
  let releaseHeld!: () => void;
  const held = new Promise<void>((r) => (releaseHeld = r));
  await sleep(150);
  for (let i = 0; i < 20; i++) outcomes.push(runStream("post-evil", held));

  await sleep(150);
  const cm = await core.readNamespacedConfigMap({ name: CM, namespace: NS });
  await core.replaceNamespacedConfigMap({ name: CM, namespace: NS, body: { ...cm, data: filesWith(APP_V2) } });
  await waitFor("v2 in force in the filter", () => metric(l, "waf.ruleset.generation") === 2);
  const v2Sha = c.ruleSetState.current!.sha256;
  assert.notEqual(v2Sha, v1Sha);
  assert.equal(metric(l, "waf.ruleset.sha256_prefix"), parseInt(v2Sha.slice(0, 8), 16));
  releaseHeld();
  await sleep(300);

  // A rule set that does not compile: the controller refuses it and keeps serving v2; the filter keeps v2.
  const cm2 = await core.readNamespacedConfigMap({ name: CM, namespace: NS });
  await core.replaceNamespacedConfigMap({ name: CM, namespace: NS, body: { ...cm2, data: filesWith(APP_BAD) } });
  const refused = await waitFor("bad rule set refused", () => c.ruleSetState.error);
  assert.equal(refused.file, "REQUEST-100-APP.conf");
  assert.equal(refused.line, 4);
  assert.match(refused.message, /nosuchaction/);
  await sleep(600); // several poll intervals with the bad rule set in the ConfigMap
  stop = true;
  await Promise.all(workers);
  const all = await Promise.all(outcomes);

  assert.equal(c.ruleSetState.current!.sha256, v2Sha, "the controller still serves the last good table");
  assert.equal(metric(l, "waf.ruleset.generation"), 2, "the filter kept the last good table");
  assert.equal(metric(l, "waf.ruleset.reload_success"), 2);
  assert.equal(metric(l, "waf.ruleset.reload_failure"), 0);
  assert.equal(l.plugin.vmFailed, false);

  // Zero failed requests.
  const failed = all.filter((o) => o.reset !== null || o.status >= 500 || (o.status !== 200 && o.status !== 403));
  assert.deepEqual(failed, [], "no request failed");

  // Every request got what the rule set it started under says.
  const events = new Map<string, number[]>();
  for (const x of l.logs) {
    if (x.level !== "warn" || !x.message.startsWith("{")) continue;
    const e = JSON.parse(x.message) as { request_id: string; rules: { id: number }[] };
    events.set(e.request_id, e.rules.map((r) => r.id));
  }
  for (const o of all) {
    const denyingRule = o.generation === 2 && o.kind === "get-evil" ? 1234 : o.generation === 2 && o.kind === "post-evil" ? 1235 : null;
    assert.equal(o.status, denyingRule ? 403 : 200, `${o.id} ${o.kind} started under generation ${o.generation}${o.held ? " (held across the swap)" : ""}`);
    assert.deepEqual(events.get(o.id) ?? [], denyingRule ? [denyingRule] : [], `${o.id}: the event names the rule`);
  }

  const count = (p: (o: Outcome) => boolean) => all.filter(p).length;
  const heldDone = all.filter((o) => o.held);
  assert.equal(heldDone.length, 20);
  assert.ok(heldDone.every((o) => o.generation === 1 && o.status === 200), "held streams finished under v1 after the swap");
  assert.ok(count((o) => o.generation === 1 && o.kind === "get-evil") > 10, "traffic before the swap");
  assert.ok(count((o) => o.generation === 2 && o.kind === "get-evil" && o.status === 403) > 10, "traffic after the swap");
  assert.ok(count((o) => o.generation === 2 && o.kind === "post-evil" && o.status === 403) > 10);
  assert.ok(all.length > 300, `${all.length} requests`);
});
