// VM and plugin lifecycle: a module built with @solo-io/proxy-runtime driven through every callback
// in Envoy's order, load errors (missing/corrupt file, ABI version, unknown import, type mismatch,
// configure failure), and the failure policy (trap → 503 or fail open, then a fresh VM).
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { PluginLoadError, WasmPlugin } from "../../proxy-wasm-host/index.js";
import { buildFixture, buildRawModule, callbacks, GET, header, INFO, loadScript, RecordingSink } from "./helpers.js";

test("an SDK-built module goes through every callback in Envoy's order", async () => {
  const { plugin, logs } = await loadScript("# every callback just logs\n", { vmConfiguration: "vm-cfg" });
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, false);
  s.decodeData(Buffer.from("hello"), false);
  s.decodeTrailers([["X-Req-Trailer", "1"]]);
  s.encodeHeaders([[":status", "200"], ["content-type", "text/plain"]], false);
  s.encodeData(Buffer.from("world!"), false);
  s.encodeTrailers([["x-resp-trailer", "2"]]);
  s.complete();
  await plugin.close();
  assert.deepEqual(callbacks(logs), [
    "vm_start 1 vm-cfg",
    "configure 1 27",
    "create 2",
    "request_headers 2 7 more",
    "request_body 2 5 more",
    "request_trailers 2 1",
    "response_headers 2 2 more",
    "response_body 2 6 more",
    "response_trailers 2 1",
    // Envoy: access log (proxy_on_log) before the filter is destroyed (proxy_on_done, proxy_on_delete).
    "log 2",
    "done 2",
    "delete 2",
    "root_done 1",
    "root_delete 1",
  ]);
  assert.deepEqual(sink.kinds(), ["requestHeaders", "requestData", "requestTrailers", "responseHeaders", "responseData", "responseTrailers"]);
  assert.deepEqual(sink.first("requestTrailers").headers, [["x-req-trailer", "1"]]);
  assert.equal(sink.data("requestData"), "hello");
  assert.equal(sink.data("responseData"), "world!");
  assert.equal(s.localReplySent, false);
  assert.ok(s.wasmTimeNs > 0n);
  assert.equal(s.responseCodeDetails, "via_upstream");
});

test("Envoy request header presentation: :authority from Host, :scheme, x-forwarded-proto, x-request-id, no hop-by-hop", async () => {
  const { plugin } = await loadScript("");
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders([[":method", "POST"], [":path", "/p"], ["Host", "h.test"], ["Connection", "keep-alive"], ["X-A", "1"]], true);
  assert.deepEqual(sink.first("requestHeaders").headers, [
    [":method", "POST"],
    [":path", "/p"],
    [":authority", "h.test"],
    [":scheme", "http"],
    ["x-a", "1"],
    ["x-forwarded-proto", "http"],
    ["x-request-id", "req-1"],
  ]);
  s.complete();
  await plugin.close();
});

test("missing and corrupt .wasm files give PluginLoadError naming the file", async () => {
  const missing = join(tmpdir(), "definitely-missing-waf.wasm");
  await assert.rejects(WasmPlugin.load({ wasm: missing }), (err: unknown) => {
    assert.ok(err instanceof PluginLoadError);
    assert.equal(err.wasmFile, missing);
    assert.match(err.message, /definitely-missing-waf\.wasm/);
    return true;
  });
  const corrupt = join(tmpdir(), `corrupt-${process.pid}.wasm`);
  writeFileSync(corrupt, "this is not wasm at all");
  try {
    await assert.rejects(WasmPlugin.load({ wasm: corrupt }), (err: unknown) => {
      assert.ok(err instanceof PluginLoadError);
      assert.match(err.message, /corrupted Wasm module/);
      assert.ok(err.message.includes(corrupt));
      return true;
    });
  } finally {
    rmSync(corrupt, { force: true });
  }
});

test("modules without a 0.2.0/0.2.1 ABI marker are refused", async () => {
  const old = buildRawModule({ exports: ["proxy_abi_version_0_1_0"] });
  await assert.rejects(WasmPlugin.load({ wasm: old }), /unknown Proxy-Wasm ABI version.*proxy_abi_version_0_1_0/);
  await assert.rejects(WasmPlugin.load({ wasm: buildRawModule({ exports: [] }) }), PluginLoadError);
});

test("unknown imports fail the plugin load, naming them, as Envoy does", async () => {
  const mod = buildRawModule({ imports: [["env", "proxy_log", "iii:i"], ["env", "proxy_frobnicate", ":i"]], exports: ["proxy_abi_version_0_2_1"] });
  await assert.rejects(WasmPlugin.load({ wasm: mod }), (err: unknown) => {
    assert.ok(err instanceof PluginLoadError);
    assert.match(err.message, /missing import: env\.proxy_frobnicate/);
    return true;
  });
});

test("an import with the wrong type is refused (the SDK's proxy_set_buffer_status bug is explained)", async () => {
  const mod = buildRawModule({ imports: [["env", "proxy_get_buffer_status", "iiiii:i"]], exports: ["proxy_abi_version_0_2_0"] });
  await assert.rejects(WasmPlugin.load({ wasm: mod }), /import type mismatch: env\.proxy_get_buffer_status.*proxy_set_buffer_bytes/);
});

test("a module exporting no callbacks loads and lets traffic through", async () => {
  const plugin = await WasmPlugin.load({ wasm: buildRawModule({ exports: ["proxy_abi_version_0_2_1"] }) });
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, true);
  s.encodeHeaders([[":status", "204"]], true);
  s.complete();
  assert.deepEqual(sink.kinds(), ["requestHeaders", "responseHeaders"]);
  await plugin.close();
});

test("proxy_on_configure returning false, or trapping, is a plugin load error", async () => {
  await assert.rejects(loadScript("configure|status|1"), /Failed to configure base Wasm plugin: proxy_on_configure returned false/);
  await assert.rejects(loadScript("configure|trap"), /Failed to configure base Wasm plugin: Function: proxy_on_configure failed: Uncaught RuntimeError: unreachable/);
});

test("a trapping module fails the stream closed (503 wasm_fail_stream); the next stream gets a fresh VM", async () => {
  const { plugin, logs } = await loadScript("request_headers?x-trap|trap\nrequest_headers|counter|seen|1");
  const concurrentSink = new RecordingSink();
  const concurrent = plugin.createStream(INFO, concurrentSink); // shares the VM that is about to fail
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders([...GET, ["x-trap", "1"]], true);
  assert.deepEqual(sink.events, [{ kind: "responseHeaders", headers: [[":status", "503"]], eos: true }]);
  assert.equal(s.localReplySent, true);
  assert.equal(s.responseCodeDetails, "wasm_fail_stream");
  assert.ok(logs.some((l) => l.level === "error" && /Function: proxy_on_request_headers failed: Uncaught RuntimeError: unreachable/.test(l.message)));
  assert.equal(plugin.vmFailed, true);
  // The upstream answering late changes nothing; stream end does not call into the dead VM.
  s.encodeHeaders([[":status", "200"]], true);
  s.complete();
  assert.equal(sink.events.length, 1);

  // A stream created before the failure shares the dead VM: failed closed without calling the module.
  const calls = callbacks(logs).length;
  concurrent.decodeHeaders(GET, true);
  concurrent.complete();
  assert.equal(callbacks(logs).length, calls);
  assert.deepEqual(concurrentSink.events, [{ kind: "responseHeaders", headers: [[":status", "503"]], eos: true }]);

  const before = callbacks(logs).length;
  const ok = new RecordingSink();
  const s2 = plugin.createStream(INFO, ok);
  s2.decodeHeaders(GET, true);
  assert.equal(plugin.vmFailed, false);
  assert.deepEqual(ok.kinds(), ["requestHeaders"]);
  // Fresh VM: instantiated, started and configured again; context ids start over.
  assert.deepEqual(callbacks(logs).slice(before, before + 4), ["vm_start 1", "configure 1 58", "create 2", "request_headers 2 7 eos"]);
  // Metrics belong to the plugin and survive the reload (stats scope), like Envoy's stats store.
  assert.equal(plugin.metrics.get("seen")?.value, 1);
  s2.complete();
  await plugin.close();
});

test("a stream sharing the failed VM is failed closed at its next callback", async () => {
  const { plugin } = await loadScript("request_headers?x-trap|trap");
  const aSink = new RecordingSink();
  const a = plugin.createStream(INFO, aSink);
  a.decodeHeaders(GET, false);
  const bSink = new RecordingSink();
  const b = plugin.createStream(INFO, bSink);
  b.decodeHeaders([...GET, ["x-trap", "1"]], true);
  assert.equal(header(bSink.first("responseHeaders").headers, ":status"), "503");
  a.decodeData(Buffer.from("y"), true);
  assert.deepEqual(aSink.kinds(), ["requestHeaders", "upstreamReset", "responseHeaders"]);
  assert.equal(header(aSink.first("responseHeaders").headers, ":status"), "503");
  a.complete();
  b.complete();
  await plugin.close();
});

test("fail open: the failing stream continues without the filter; the next stream gets a fresh VM", async () => {
  const { plugin, logs } = await loadScript("request_headers?x-trap|trap\nrequest_headers|add|0|x-filtered|1", { failOpen: true });
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders([...GET, ["x-trap", "1"]], false);
  s.decodeData(Buffer.from("body"), true);
  s.encodeHeaders([[":status", "200"]], true);
  s.complete();
  assert.deepEqual(sink.kinds(), ["requestHeaders", "requestData", "responseHeaders"]);
  assert.equal(header(sink.first("requestHeaders").headers, "x-filtered"), undefined);
  assert.equal(s.localReplySent, false);
  const sink2 = new RecordingSink();
  const s2 = plugin.createStream(INFO, sink2);
  s2.decodeHeaders(GET, true);
  assert.equal(header(sink2.first("requestHeaders").headers, "x-filtered"), "1");
  assert.equal(callbacks(logs).filter((c) => c.startsWith("vm_start")).length, 2);
  s2.complete();
  await plugin.close();
});

test("abort() (SDK abort_proc_exit → proc_exit) and proc_exit fail the VM like a trap", async () => {
  const { plugin, logs } = await loadScript("request_headers?x-abort|abort\nrequest_headers?x-exit|exit");
  const a = new RecordingSink();
  plugin.createStream(INFO, a).decodeHeaders([...GET, ["x-abort", "1"]], true);
  assert.equal(header(a.first("responseHeaders").headers, ":status"), "503");
  assert.ok(logs.some((l) => l.level === "critical" && l.message.includes("scripted abort")));
  assert.ok(logs.some((l) => /proxy_on_request_headers failed: proc_exit\(255\)/.test(l.message)));
  const b = new RecordingSink();
  plugin.createStream(INFO, b).decodeHeaders([...GET, ["x-exit", "1"]], true);
  assert.equal(header(b.first("responseHeaders").headers, ":status"), "503");
  assert.ok(logs.some((l) => /proc_exit\(3\)/.test(l.message)));
  await plugin.close();
});

test("with reloadOnFailure false the VM stays dead (Envoy FAIL_CLOSED without reload)", async () => {
  const { plugin } = await loadScript("request_headers?x-trap|trap", { reloadOnFailure: false });
  plugin.createStream(INFO, new RecordingSink()).decodeHeaders([...GET, ["x-trap", "1"]], true);
  const sink = new RecordingSink();
  plugin.createStream(INFO, sink).decodeHeaders(GET, true);
  assert.equal(header(sink.first("responseHeaders").headers, ":status"), "503");
  await plugin.close();
});

test("a trap in the response path sends the 503 directly, bypassing the filter", async () => {
  const { plugin, logs } = await loadScript("response_headers|trap");
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, true);
  s.encodeHeaders([[":status", "200"]], false);
  s.encodeData(Buffer.from("late"), true);
  assert.deepEqual(sink.kinds(), ["requestHeaders", "upstreamReset", "responseHeaders"]);
  assert.deepEqual(sink.first("responseHeaders").headers, [[":status", "503"]]);
  assert.equal(callbacks(logs).filter((c) => c.startsWith("response_headers")).length, 1);
  s.complete();
  await plugin.close();
});

test("SDK defaults: RootContext.onConfigure's size-pointer bug traps on an empty configuration, as it would in Envoy", async () => {
  const wasm = await buildFixture("sdk-default");
  // proxy-runtime 0.1.8 passes the configuration *size* as the size *pointer* of proxy_get_buffer_bytes;
  // with an empty configuration it then frees a stale pointer and traps. Envoy's hostcall behaves the same.
  await assert.rejects(WasmPlugin.load({ wasm, rootId: "plain" }), /proxy_on_configure failed: Uncaught RuntimeError: memory access out of bounds/);
  // A root id no factory was registered for: the SDK aborts while creating the root context.
  await assert.rejects(WasmPlugin.load({ wasm, rootId: "other", configuration: "{}" }), /Missing root context factory|proc_exit\(255\)/);
  const plugin = await WasmPlugin.load({ wasm, rootId: "plain", configuration: "{}" });
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, false);
  s.decodeData(Buffer.from("x"), true);
  s.encodeHeaders([[":status", "200"]], true);
  s.complete();
  assert.deepEqual(sink.kinds(), ["requestHeaders", "requestData", "responseHeaders"]);
  assert.equal(plugin.vmFailed, false);
  await plugin.close();
});
