// The HTTP stream path: header maps byte-exact through the module, body buffers, local replies
// through the response callbacks, Envoy's buffering statuses and limits (413 / 500 / reset),
// StopIteration and resumption, trailers, close_stream.
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodePairs } from "../../proxy-wasm-host/index.js";
import { callbacks, emitted, GET, header, INFO, loadScript, RecordingSink } from "./helpers.js";

const TRICKY: Array<[string, string]> = [
  [":method", "GET"],
  [":path", "/r"],
  [":authority", "a.test"],
  ["x-empty", ""],
  ["x-dup", "one"],
  ["x-dup", "two"],
  ["x-bin", "\xff\x00\xe9 \x7f"],
];

test("header maps round-trip byte-exact through get_pairs/set_pairs (empty values, duplicates, non-ASCII)", async () => {
  const { plugin } = await loadScript("request_headers|roundtrip|0\nrequest_headers|savepairs|0\nrequest_body|setbuf|0|0|4294967295|$saved");
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(TRICKY, false);
  s.decodeData(Buffer.from("replace me"), true);
  const expected: Array<[string, string]> = [...TRICKY.slice(0, 3), [":scheme", "http"], ...TRICKY.slice(3), ["x-forwarded-proto", "http"], ["x-request-id", "req-1"]];
  assert.deepEqual(sink.first("requestHeaders").headers, expected);
  // The module's raw view of the map, copied into the body: exactly the ABI serialization.
  assert.deepEqual(Buffer.from(sink.data("requestData"), "latin1"), Buffer.from(encodePairs(expected)));
  s.complete();
  await plugin.close();
});

test("get/add/replace/remove/size on header maps behave like Envoy's", async () => {
  const { plugin } = await loadScript(
    [
      "request_headers|get|0|x-dup|0|x-got",
      "request_headers|get|0|x-nope|0|x-missing",
      "request_headers|get|0|X-BIN|0|x-bin-copy",
      "request_headers|add|0|X-Upper|\\xff\\xfe",
      "request_headers|replace|0|x-dup|three",
      "request_headers|remove|0|x-empty",
      "request_headers|size|0|log|size",
      "request_headers|get|3|x|log|resp_trailers_now",
      "request_headers|pairs|2|log|resp_headers_now",
    ].join("\n"),
  );
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(TRICKY, true);
  const h = sink.first("requestHeaders").headers;
  assert.equal(header(h, "x-got"), "one");
  assert.equal(header(h, "x-missing"), "<rc1>"); // NotFound
  assert.equal(header(h, "x-bin-copy"), "\xff\x00\xe9 \x7f");
  assert.equal(header(h, "x-upper"), "\xff\xfe");
  assert.deepEqual(h.filter(([k]) => k === "x-dup"), [["x-dup", "three"]]);
  assert.equal(h.findIndex(([k]) => k === "x-dup") > h.findIndex(([k]) => k === "x-upper"), true);
  assert.equal(header(h, "x-empty"), undefined);
  s.complete();
  await plugin.close();
});

test("header map size is Envoy's byteSize; maps of another phase are BadArgument / empty", async () => {
  const { plugin, logs } = await loadScript("request_headers|size|0|log|size\nrequest_headers|get|3|x|log|trailers\nrequest_headers|pairs|2|log|resp\nresponse_headers|get|0|:path|log|req_in_resp");
  const s = plugin.createStream(INFO, new RecordingSink());
  s.decodeHeaders([[":method", "GET"], [":path", "/"], [":authority", "a"]], true);
  s.encodeHeaders([[":status", "200"]], true);
  const e = emitted(logs);
  // :methodGET + :path/ + :authorityA + :schemehttp + x-forwarded-protohttp + x-request-idreq-1
  assert.equal(e.size, String(":methodGET:path/:authoritya:schemehttpx-forwarded-protohttpx-request-idreq-1".length));
  assert.equal(e.trailers, "<rc2>");
  assert.equal(e.resp, "");
  // Envoy drops its request-header pointer once the headers continued.
  assert.equal(e.req_in_resp, "<rc2>");
  s.complete();
  await plugin.close();
});

test("body buffers: Envoy's set_buffer_bytes prepend/replace/append semantics, get ranges, status", async () => {
  const { plugin, logs } = await loadScript(
    [
      "request_body|getbuf|0|1|3|log|mid",
      "request_body|getbuf|0|3|100|log|clamped",
      "request_body|bufstatus|0|log|len",
      "request_body|setbuf|0|0|2|J",
      "request_body|setbuf|0|0|0|PRE-",
      "request_body|setbuf|0|4294967295|0|-POST",
      "request_body|setbuf|0|3|2|X",
      "request_body|getbuf|7|0|5|log|plugin_config_outside_configure",
      "request_body|getbuf|6|0|10|log|vmcfg",
    ].join("\n"),
    { vmConfiguration: "VMCONF" },
  );
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, false);
  s.decodeData(Buffer.from("hello"), true);
  const e = emitted(logs);
  assert.equal(e.mid, "ell");
  assert.equal(e.clamped, "lo");
  assert.equal(e.len, "5");
  assert.equal(e.setbuf_rc, "2"); // start inside the buffer (not 0) → BadArgument
  assert.equal(e.plugin_config_outside_configure, "<rc1>");
  assert.equal(e.vmcfg, "VMCONF");
  assert.equal(sink.data("requestData"), "PRE-Jllo-POST");
  s.complete();
  await plugin.close();
});

test("a local reply is sent after the callback and passes through the filter's response callbacks", async () => {
  const { plugin, logs } = await loadScript(
    "request_headers|local|403|blocked by waf|waf block|X-Waf|1\nresponse_headers|add|2|x-seen-by-filter|yes\nresponse_body|log|2|response body seen",
  );
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, false);
  s.decodeData(Buffer.from("ignored"), true);
  s.encodeHeaders([[":status", "200"]], true); // a late upstream answer is discarded
  assert.deepEqual(sink.events, [
    {
      kind: "responseHeaders",
      headers: [[":status", "403"], ["x-waf", "1"], ["content-length", "14"], ["content-type", "text/plain"], ["x-seen-by-filter", "yes"]],
      eos: false,
    },
    { kind: "responseData", data: "blocked by waf", eos: true },
  ]);
  assert.equal(s.localReplySent, true);
  assert.equal(s.responseCodeDetails, "waf_block");
  s.complete();
  assert.deepEqual(callbacks(logs).slice(2), [
    "create 2",
    "request_headers 2 7 more",
    "response_headers 2 4 more",
    "response_body 2 14 eos",
    "log 2",
    "done 2",
    "delete 2",
  ]);
  await plugin.close();
});

test("a local reply from the response headers bypasses the filter; after headers went out it resets", async () => {
  const { plugin, logs } = await loadScript("response_headers|local|502|bad|resp_block");
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, true);
  s.encodeHeaders([[":status", "200"]], false);
  assert.deepEqual(sink.events.slice(1), [
    { kind: "upstreamReset", reason: "resp_block" },
    { kind: "responseHeaders", headers: [[":status", "502"], ["content-length", "3"], ["content-type", "text/plain"]], eos: false },
    { kind: "responseData", data: "bad", eos: true },
  ]);
  assert.equal(callbacks(logs).filter((c) => c.startsWith("response_headers")).length, 1);
  s.complete();

  // Response headers already sent: the body callback cannot reply any more; Envoy resets the stream.
  const { plugin: p2 } = await loadScript("response_body|local|502|bad|late_block");
  const sink2 = new RecordingSink();
  const s2 = p2.createStream(INFO, sink2);
  s2.decodeHeaders(GET, true);
  s2.encodeHeaders([[":status", "200"]], false);
  s2.encodeData(Buffer.from("x"), true);
  assert.deepEqual(sink2.kinds(), ["requestHeaders", "responseHeaders", "reset"]);
  s2.complete();
  await plugin.close();
  await p2.close();
});

test("request body over the buffer limit with StopIterationAndBuffer → 413 Payload Too Large through the filter", async () => {
  const { plugin, logs } = await loadScript("request_body|status|1", { bufferLimitBytes: 16 });
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, false);
  s.decodeData(Buffer.from("0123456789"), false);
  s.decodeData(Buffer.from("0123456789"), false);
  s.decodeData(Buffer.from("more"), true);
  assert.deepEqual(sink.kinds(), ["requestHeaders", "upstreamReset", "responseHeaders", "responseData"]);
  assert.deepEqual(sink.first("responseHeaders").headers, [[":status", "413"], ["content-length", "17"], ["content-type", "text/plain"]]);
  assert.equal(sink.data("responseData"), "Payload Too Large");
  assert.equal(s.responseCodeDetails, "request_payload_too_large");
  // The module saw the first chunk, then the whole buffer; the 413 went through its response callbacks.
  assert.deepEqual(callbacks(logs).slice(4), ["request_body 2 10 more", "response_headers 2 3 more", "response_body 2 17 eos"]);
  s.complete();
  await plugin.close();
});

test("StopAllIterationAndBuffer from request headers: body buffered without the filter, 413 past the limit", async () => {
  const { plugin } = await loadScript("request_headers|status|3", { bufferLimitBytes: 8 });
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, false);
  s.decodeData(Buffer.from("12345"), false);
  assert.deepEqual(sink.kinds(), []);
  s.decodeData(Buffer.from("67890"), true);
  assert.equal(header(sink.first("responseHeaders").headers, ":status"), "413");
  assert.equal(sink.kinds().includes("requestHeaders"), false);
  s.complete();
  await plugin.close();
});

test("watermark buffering has no limit error; Continue at end of stream forwards everything buffered", async () => {
  const { plugin, logs } = await loadScript("request_body|status_eos|2|0", { bufferLimitBytes: 8 });
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, false);
  s.decodeData(Buffer.from("0123456789"), false);
  s.decodeData(Buffer.from("abcdef"), false);
  s.decodeData(Buffer.from("!"), true);
  assert.deepEqual(sink.events.slice(1), [{ kind: "requestData", data: "0123456789abcdef!", eos: true }]);
  // Watermark mode: each call sees only its own chunk.
  assert.deepEqual(callbacks(logs).slice(4), ["request_body 2 10 more", "request_body 2 6 more", "request_body 2 1 eos"]);
  s.complete();
  await plugin.close();
});

test("StopIterationAndBuffer until end of stream: the module sees the accumulated body", async () => {
  const { plugin, logs } = await loadScript("request_body|status_eos|1|0\nrequest_body|bufstatus|0|log|seen", { bufferLimitBytes: 100 });
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, false);
  s.decodeData(Buffer.from("abc"), false);
  s.decodeData(Buffer.from("def"), true);
  assert.deepEqual(callbacks(logs).slice(4), ["request_body 2 3 more", "request_body 2 6 eos"]);
  assert.equal(emitted(logs).seen, "6");
  assert.deepEqual(sink.events.slice(1), [{ kind: "requestData", data: "abcdef", eos: true }]);
  s.complete();
  await plugin.close();
});

test("response over the limit: 500 (bypassing the filter) while headers are held, reset once they were sent", async () => {
  const { plugin, logs } = await loadScript("response_headers|status|3", { bufferLimitBytes: 4 });
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, true);
  s.encodeHeaders([[":status", "200"]], false);
  s.encodeData(Buffer.from("too long"), false);
  assert.deepEqual(sink.events.slice(1), [
    { kind: "upstreamReset", reason: "response_payload_too_large" },
    { kind: "responseHeaders", headers: [[":status", "500"], ["content-length", "21"], ["content-type", "text/plain"]], eos: false },
    { kind: "responseData", data: "Internal Server Error", eos: true },
  ]);
  assert.equal(callbacks(logs).filter((c) => c.startsWith("response_headers")).length, 1);
  s.complete();
  await plugin.close();

  const { plugin: p2 } = await loadScript("response_body|status|1", { bufferLimitBytes: 4 });
  const sink2 = new RecordingSink();
  const s2 = p2.createStream(INFO, sink2);
  s2.decodeHeaders(GET, true);
  s2.encodeHeaders([[":status", "200"]], false);
  s2.encodeData(Buffer.from("too long"), false);
  assert.deepEqual(sink2.kinds(), ["requestHeaders", "responseHeaders", "reset"]);
  assert.deepEqual(sink2.events.at(-1), { kind: "reset", reason: "response_payload_too_large" });
  s2.complete();
  await p2.close();
});

test("StopIteration from headers (allowed) holds them while body callbacks run; Continue releases both", async () => {
  const { plugin, logs } = await loadScript("request_headers|status|1\nrequest_body|status_eos|1|0", { allowOnHeadersStopIteration: true });
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, false);
  s.decodeData(Buffer.from("ab"), false);
  assert.deepEqual(sink.kinds(), []);
  s.decodeData(Buffer.from("cd"), true);
  assert.deepEqual(sink.kinds(), ["requestHeaders", "requestData"]);
  assert.equal(sink.first("requestHeaders").eos, false);
  assert.deepEqual(sink.events[1], { kind: "requestData", data: "abcd", eos: true });
  assert.ok(callbacks(logs).includes("request_body 2 2 more"));
  s.complete();
  await plugin.close();
});

test("trailers: added from the last body callback, held with StopIteration, ContinueAndEndStream ends the request", async () => {
  const { plugin, logs } = await loadScript("response_body|add|3|x-added-trailer|1");
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, true);
  s.encodeHeaders([[":status", "200"]], false);
  s.encodeData(Buffer.from("a"), false);
  s.encodeData(Buffer.from("b"), true);
  assert.deepEqual(sink.events.slice(2), [
    { kind: "responseData", data: "a", eos: false },
    { kind: "responseData", data: "b", eos: false },
    { kind: "responseTrailers", headers: [["x-added-trailer", "1"]] },
  ]);
  assert.equal(emitted(logs).add_rc, "2"); // not the last chunk: no trailers map yet (BadArgument)
  s.complete();
  await plugin.close();

  const { plugin: p2 } = await loadScript("request_headers|status|2");
  const sink2 = new RecordingSink();
  const s2 = p2.createStream(INFO, sink2);
  s2.decodeHeaders(GET, false);
  s2.decodeData(Buffer.from("dropped"), true);
  assert.deepEqual(sink2.kinds(), ["requestHeaders"]);
  assert.equal(sink2.first("requestHeaders").eos, true);
  s2.complete();
  await p2.close();
});

test("proxy_close_stream resets the stream after the callback", async () => {
  const { plugin } = await loadScript("request_headers|close|0");
  const sink = new RecordingSink();
  const s = plugin.createStream(INFO, sink);
  s.decodeHeaders(GET, true);
  assert.deepEqual(sink.events, [{ kind: "requestHeaders", headers: sink.first("requestHeaders").headers, eos: true }, { kind: "reset", reason: "wasm_close_stream" }]);
  assert.equal(s.responseCodeDetails, "wasm_close_stream");
  s.complete();
  await plugin.close();
});
