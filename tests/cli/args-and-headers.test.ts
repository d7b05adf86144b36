import { test } from "node:test";
import assert from "node:assert/strict";
import { parseByteSize, parseHostPort, parsePositiveInt } from "../../cli/args";
import { requestHeaderList, responseHeaderList, toNodeHeaders } from "../../cli/serve/headers";

test("parseHostPort accepts IPv4, names, bracketed IPv6 and a bare port", () => {
  assert.deepEqual(parseHostPort("127.0.0.1:8080"), { host: "127.0.0.1", port: 8080 });
  assert.deepEqual(parseHostPort("localhost:0"), { host: "localhost", port: 0 });
  assert.deepEqual(parseHostPort("[::1]:9000"), { host: "::1", port: 9000 });
  assert.deepEqual(parseHostPort("8081"), { host: "127.0.0.1", port: 8081 });
  assert.deepEqual(parseHostPort(":8082"), { host: "127.0.0.1", port: 8082 });
});

test("parseHostPort and friends refuse bad input with what was expected", () => {
  assert.throws(() => parseHostPort("127.0.0.1"), /expected HOST:PORT/);
  assert.throws(() => parseHostPort("host:99999"), /port must be 0\.\.65535/);
  assert.throws(() => parsePositiveInt("-3"), /whole number/);
  assert.throws(() => parseByteSize("ten"), /size in bytes/);
});

test("parseByteSize understands k and m suffixes", () => {
  assert.equal(parseByteSize("1048576"), 1048576);
  assert.equal(parseByteSize("512k"), 512 * 1024);
  assert.equal(parseByteSize("1m"), 1024 * 1024);
  assert.equal(parseByteSize("2MiB"), 2 * 1024 * 1024);
});

test("request headers are handed over as the HTTP/1 codec parsed them, order and duplicates kept", () => {
  const list = requestHeaderList("POST", "/a?b=1", ["Host", "example.com", "X-A", "1", "x-a", "2"]);
  assert.deepEqual(list, [[":method", "POST"], [":path", "/a?b=1"], ["Host", "example.com"], ["X-A", "1"], ["x-a", "2"]]);
});

test("response headers start with :status and drop hop-by-hop headers", () => {
  assert.deepEqual(responseHeaderList(201, ["Content-Type", "text/plain", "Keep-Alive", "timeout=5"]), [
    [":status", "201"], ["content-type", "text/plain"],
  ]);
});

test("toNodeHeaders splits pseudo-headers and keeps duplicates in order", () => {
  const { pseudo, flat } = toNodeHeaders([[":status", "200"], ["set-cookie", "a=1"], ["set-cookie", "b=2"], ["connection", "close"]]);
  assert.equal(pseudo.get(":status"), "200");
  assert.deepEqual(flat, ["set-cookie", "a=1", "set-cookie", "b=2"]);
});
