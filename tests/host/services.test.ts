// Host services: properties, metrics, shared data and queues, ticks, proxy_http_call to a real
// loopback server (and resumption of a paused stream from its response), WASI, logging and time.
import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { callbacks, emitted, GET, header, INFO, loadScript, RecordingSink } from "./helpers.js";

test("properties: request/source/destination/plugin values serialized as Envoy does", async () => {
  const props = [
    "request/path", "request/url_path", "request/query", "request/method", "request/host", "request/scheme",
    "request/protocol", "request/id", "request/useragent", "request/headers/user-agent", "plugin_root_id",
    "plugin_name", "plugin_vm_id", "source/address", "destination/address", "nope", "request/nope",
  ];
  const script = [
    ...props.map((p) => `request_headers|prop|${p}|log|${p}`),
    "request_headers|prop|source/port|log|source_port|i64",
    "request_headers|prop|destination/port|log|destination_port|i64",
    "request_headers|prop|request/headers|log|all_headers|pairs",
    "request_headers|setprop|my_state|hello\\x00bytes",
    "request_headers|prop|my_state|log|my_state",
    "response_headers|prop|response/code|log|response_code|i64",
    "response_headers|prop|request/path|log|path_in_response",
    "log|prop|request/path|log|path_in_log",
    "log|prop|response/code_details|log|details_in_log",
    "configure|prop|plugin_root_id|log|root_in_root",
    "configure|prop|request/path|log|path_in_root",
    "configure|setprop|x|y",
  ].join("\n");
  const { plugin, logs } = await loadScript(script);
  const s = plugin.createStream(INFO, new RecordingSink());
  s.decodeHeaders([...GET, ["x-dup", "1"], ["x-dup", "2"]], true);
  s.encodeHeaders([[":status", "201"]], true);
  s.complete();
  const e = emitted(logs);
  assert.equal(e["request/path"], "/a/b?x=1");
  assert.equal(e["request/url_path"], "/a/b");
  assert.equal(e["request/query"], "x=1");
  assert.equal(e["request/method"], "GET");
  assert.equal(e["request/host"], "example.test");
  assert.equal(e["request/scheme"], "http");
  assert.equal(e["request/protocol"], "HTTP/1.1");
  assert.equal(e["request/id"], "req-1");
  assert.equal(e["request/useragent"], "test-agent");
  assert.equal(e["request/headers/user-agent"], "test-agent");
  assert.equal(e["plugin_root_id"], "script");
  assert.equal(e["plugin_name"], "script-plugin");
  assert.equal(e["plugin_vm_id"], "vm-test");
  assert.equal(e["source/address"], "10.0.0.7:51234"); // Envoy: address with port
  assert.equal(e["destination/address"], "10.0.0.1:8080");
  assert.equal(e.source_port, "51234"); // 8-byte little-endian int64
  assert.equal(e.destination_port, "8080");
  assert.equal(e.nope, "<rc1>");
  assert.equal(e["request/nope"], "<rc1>");
  assert.match(e.all_headers!, /^:method=GET;:path=\/a\/b\?x=1;:authority=example\.test;:scheme=http;user-agent=test-agent;x-dup=1,2;/);
  assert.equal(e.my_state, "hello\x00bytes");
  assert.equal(e.response_code, "201");
  assert.equal(e.path_in_response, "<rc1>"); // Envoy no longer holds the request headers then
  assert.equal(e.path_in_log, "/a/b?x=1"); // ...but the access log phase has them again
  assert.equal(e.details_in_log, "via_upstream");
  assert.equal(e.root_in_root, "script");
  assert.equal(e.path_in_root, "<rc1>");
  assert.equal(e.setprop_rc, "0");
  assert.equal(logs.filter((l) => l.message === "emit setprop_rc=1").length, 1); // root context: NotFound
  await plugin.close();
});

test("metrics: counters, gauges and histograms are visible to the embedder with Envoy's rules", async () => {
  const { plugin, logs } = await loadScript(
    [
      "request_headers|counter|waf_requests|1",
      "request_headers|counter|waf_requests|0",
      "request_headers|gauge_add|inflight|3",
      "request_headers|gauge_add|inflight|-1",
      "request_headers|gauge_set|rules_loaded|42",
      "request_headers|histogram|latency_us|250",
      "request_headers|getmetric|0|waf_requests|log|count",
      "request_headers|getmetric|2|latency_us|log|hist_read",
    ].join("\n"),
  );
  for (let i = 0; i < 2; i++) {
    const s = plugin.createStream(INFO, new RecordingSink());
    s.decodeHeaders(GET, true);
    s.complete();
  }
  assert.deepEqual(plugin.metrics.get("waf_requests"), { name: "waf_requests", type: "counter", value: 2 });
  assert.equal(plugin.metrics.get("inflight")?.value, 4);
  assert.equal(plugin.metrics.get("rules_loaded")?.type, "gauge");
  assert.equal(plugin.metrics.get("rules_loaded")?.value, 42);
  assert.deepEqual(plugin.metrics.get("latency_us"), { name: "latency_us", type: "histogram", value: 2, samples: [250, 250], sum: 500 });
  assert.equal(plugin.metrics.list().length, 4);
  const e = emitted(logs);
  assert.equal(e.count, "2");
  assert.equal(e.increment_rc, "2"); // a counter cannot be incremented by 0 (BadArgument)
  assert.equal(e.hist_read, "<rc2>"); // histograms cannot be read back
  await plugin.close();
});

test("shared data: get/set with CAS, scoped by vm_id, shared across plugins", async () => {
  const { plugin: a, logs } = await loadScript(
    [
      "configure|shared_set|k1|v1|0|log|set1",
      "request_headers|shared_get|k1|log|get1",
      "request_headers|shared_set|k1|v2|last|log|set2",
      "request_headers|shared_set|k1|v3|last|log|set3",
      "request_headers|shared_get|k1|log|get2",
      "request_headers|shared_get|missing|log|get_missing",
    ].join("\n"),
    { vmId: "shared-vm" },
  );
  const s = a.createStream(INFO, new RecordingSink());
  s.decodeHeaders(GET, true);
  s.complete();
  const e = emitted(logs);
  assert.equal(e.set1, "0");
  assert.match(e.get1!, /^v1@\d+$/);
  assert.equal(e.set2, "0"); // cas from the last get matches
  assert.equal(e.set3, "8"); // the same (now stale) cas again: CasMismatch
  assert.match(e.get2!, /^v2@\d+$/);
  assert.equal(e.get_missing, "<rc1>");
  const { plugin: b, logs: logsB } = await loadScript("configure|shared_get|k1|log|from_b", { vmId: "shared-vm" });
  const { plugin: c, logs: logsC } = await loadScript("configure|shared_get|k1|log|from_c", { vmId: "other-vm" });
  assert.match(emitted(logsB).from_b!, /^v2@/);
  assert.equal(emitted(logsC).from_c, "<rc1>");
  await Promise.all([a.close(), b.close(), c.close()]);
});

test("shared queues: register/resolve/enqueue/dequeue with proxy_on_queue_ready on the registering root", async () => {
  const { plugin: consumer, logs } = await loadScript(
    "configure|queue_register|jobs\nqueue_ready|queue_dequeue|jobs|log|got\nqueue_ready|queue_dequeue|jobs|log|again",
    { vmId: "q-vm" },
  );
  const { plugin: producer, logs: plogs } = await loadScript(
    "request_headers|queue_resolve|q-vm|jobs\nrequest_headers|queue_enqueue|jobs|hello\nrequest_headers|queue_resolve|q-vm|nope",
    { vmId: "q-vm" },
  );
  const s = producer.createStream(INFO, new RecordingSink());
  s.decodeHeaders(GET, true);
  s.complete();
  assert.equal(emitted(plogs).enqueue_rc, "0");
  assert.equal(emitted(plogs).queue_resolve_rc, "1"); // the second resolve: unknown queue → NotFound
  assert.equal(callbacks(logs).some((c) => c.startsWith("queue_ready")), false); // never inside the enqueue
  await sleep(10);
  const token = emitted(logs).queue_token;
  assert.ok(callbacks(logs).includes(`queue_ready 1 ${token}`));
  assert.equal(emitted(logs).got, "hello");
  assert.equal(emitted(logs).again, "<rc7>"); // Empty
  await Promise.all([consumer.close(), producer.close()]);
});

test("ticks: proxy_set_tick_period_milliseconds → proxy_on_tick, driven by the embedder or real timers", async () => {
  const { plugin, logs } = await loadScript("configure|tick|40\ntick|counter|ticks|1");
  assert.equal(plugin.tickPeriodMs, 40);
  plugin.tick();
  plugin.tick();
  assert.deepEqual(callbacks(logs).filter((c) => c.startsWith("tick")), ["tick 1", "tick 1"]);
  assert.equal(plugin.metrics.get("ticks")?.value, 2);
  await plugin.close();
  plugin.tick(); // closed: no more ticks
  assert.equal(plugin.metrics.get("ticks")?.value, 2);

  const { plugin: real } = await loadScript("configure|tick|15\ntick|counter|ticks|1", { realTimers: true });
  await sleep(120);
  const n = real.metrics.get("ticks")?.value ?? 0;
  assert.ok(n >= 2, `expected real ticks, got ${n}`);
  await real.close();
  const after = real.metrics.get("ticks")?.value;
  await sleep(50);
  assert.equal(real.metrics.get("ticks")?.value, after); // close() stopped the timer

  // A period set later, from a stream callback, starts the real timer too (ticks belong to the root).
  const { plugin: late, logs: llogs } = await loadScript("request_headers|tick|15\ntick|counter|ticks|1", { realTimers: true });
  const s = late.createStream(INFO, new RecordingSink());
  s.decodeHeaders(GET, true);
  s.complete();
  await sleep(100);
  assert.ok(callbacks(llogs).filter((c) => c === "tick 1").length >= 2);
  await late.close();

  const { plugin: none, logs: nlogs } = await loadScript("tick|counter|ticks|1");
  none.tick(); // no period set: nothing happens
  assert.equal(callbacks(nlogs).some((c) => c.startsWith("tick")), false);
  await none.close();
});

test("proxy_http_call to a real loopback server; the response resumes the paused request", async () => {
  const seen: Array<{ method?: string; url?: string; headers: http.IncomingHttpHeaders }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    if (req.url === "/hang") return; // never answers
    res.writeHead(200, { "x-up": "1", "content-type": "text/plain" });
    res.end("allowed");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { plugin, logs } = await loadScript(
    [
      "request_headers?x-call|httpcall|authz|/check?q=1||0",
      "request_headers?x-call|status|1",
      "request_headers?x-bad-cluster|httpcall|nope|/x||0",
      "request_headers?x-hang|httpcall|authz|/hang||50",
      "request_headers?x-refused|httpcall|closed|/x||0",
      "http_call_response|continue|0",
    ].join("\n"),
    { clusters: { authz: base, closed: "http://127.0.0.1:1" } },
  );
  try {
    const sink = new RecordingSink();
    const s = plugin.createStream(INFO, sink);
    s.decodeHeaders([...GET, ["x-call", "1"]], false);
    s.decodeData(Buffer.from("payload"), true); // buffered while paused (StopAll)
    assert.deepEqual(sink.kinds(), []);
    for (let i = 0; i < 100 && sink.events.length < 2; i++) await sleep(10);
    assert.deepEqual(sink.kinds(), ["requestHeaders", "requestData"]);
    assert.equal(header(sink.first("requestHeaders").headers, "x-call-body"), "allowed");
    assert.deepEqual(sink.events[1], { kind: "requestData", data: "payload", eos: true });
    assert.equal(seen[0]!.method, "GET");
    assert.equal(seen[0]!.url, "/check?q=1");
    assert.equal(seen[0]!.headers.host, "upstream.test");
    assert.equal(seen[0]!.headers["x-from-wasm"], Buffer.from("yes\u00e9", "utf8").toString("latin1"));
    const cb = callbacks(logs).find((c) => c.startsWith("http_call_response"))!;
    assert.match(cb, /^http_call_response 1 1 \d+ 7 0$/);
    const e = emitted(logs);
    assert.match(e.call_headers!, /^:status=200;x-up=1;content-type=text\/plain;/);
    assert.equal(e.call_body, "allowed");
    // After resuming, the request body reached the module in one piece (it was StopAll-buffered).
    assert.ok(callbacks(logs).includes("request_body 2 7 eos"));
    s.complete();

    const bad = plugin.createStream(INFO, new RecordingSink());
    bad.decodeHeaders([...GET, ["x-bad-cluster", "1"]], true);
    assert.equal(emitted(logs).httpcall_rc, "2"); // unknown cluster: BadArgument
    bad.complete();

    const hang = plugin.createStream(INFO, new RecordingSink());
    hang.decodeHeaders([...GET, ["x-hang", "1"]], true);
    const refused = plugin.createStream(INFO, new RecordingSink());
    refused.decodeHeaders([...GET, ["x-refused", "1"]], true);
    for (let i = 0; i < 100 && callbacks(logs).filter((c) => c.startsWith("http_call_response")).length < 3; i++) await sleep(10);
    const bodies = logs.filter((l) => l.message.startsWith("emit call_body=")).map((l) => l.message.slice(15));
    assert.ok(bodies.includes("upstream request timeout")); // Envoy's 504 after the timeout
    assert.ok(bodies.some((b) => b.startsWith("upstream connect error"))); // Envoy's 503 for a refused connection
    hang.complete();
    refused.complete();
  } finally {
    await plugin.close();
    server.closeAllConnections();
    server.close();
  }
});

test("WASI: fd_write to the logger, clocks, random, environment, args", async () => {
  const { plugin, logs } = await loadScript(
    [
      "configure|wasi_write|1|hello stdout\\x0a",
      "configure|wasi_write|2|to stderr",
      "configure|wasi_write|7|nowhere",
      "configure|wasi_clock|0",
      "configure|wasi_random|16",
      "configure|wasi_env",
      "configure|time|log|now",
    ].join("\n"),
    { environment: { MODE: "test" }, clock: () => 1_700_000_000_123_456_789n },
  );
  assert.ok(logs.some((l) => l.level === "info" && l.message === "hello stdout"));
  assert.ok(logs.some((l) => l.level === "error" && l.message === "to stderr"));
  const writes = logs.filter((l) => l.message.startsWith("emit fd_write=")).map((l) => l.message.slice(14));
  assert.deepEqual(writes.slice(0, 2), ["0/13", "0/9"]); // bytes written, newline included
  assert.match(writes[2]!, /^8\//); // EBADF for other descriptors (nwritten untouched)
  const e = emitted(logs);
  assert.equal(e.clock, "0/1700000000123456789");
  assert.equal(e.now, "1700000000123456789");
  assert.equal(e.random, "0/nonzero");
  assert.equal(e.env, "1/MODE=test;/args=0");
  await plugin.close();
});

test("proxy_log levels go to the embedder's logger, filtered by logLevel", async () => {
  const { plugin, logs } = await loadScript("configure|log|3|a warning\nconfigure|log|1|a debug line", { logLevel: "warn" });
  assert.ok(logs.some((l) => l.level === "warn" && l.message === "a warning"));
  assert.equal(logs.some((l) => l.message === "a debug line" || l.message.startsWith("cb ")), false);
  await plugin.close();
  const { plugin: p2, logs: all } = await loadScript("configure|log|1|a debug line\nconfigure|log|5|critical!", { logLevel: "trace" });
  assert.ok(all.some((l) => l.level === "debug" && l.message === "a debug line"));
  assert.ok(all.some((l) => l.level === "critical" && l.message === "critical!"));
  // The SDK's own debug output is visible at trace level.
  assert.ok(all.some((l) => l.level === "debug" && l.message.includes("ensureRootContext")));
  await p2.close();
});

test("proxy_done: NotFound unless the root context is pending; a root answering false to proxy_on_done is not deleted", async () => {
  const { plugin, logs } = await loadScript("request_headers|done\nroot_done|status|1");
  const s = plugin.createStream(INFO, new RecordingSink());
  s.decodeHeaders(GET, true);
  s.complete();
  assert.equal(emitted(logs).proxy_done, "1");
  await plugin.close();
  assert.deepEqual(callbacks(logs).slice(-1), ["root_done 1"]);
});
