// The `waf check --jsonl` input contract (../shared/design/check-jsonl.md): defaults, byte-exact base64 input,
// and a clear error naming the field for a line that does not fit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCheckLine } from "../../cli/replay/jsonl";

const str = (b: Uint8Array) => Buffer.from(b).toString("latin1");

test("an empty object is GET / HTTP/1.1 from 127.0.0.1:12345 to 127.0.0.1:80 with nothing else", () => {
  const { id, tx } = parseCheckLine("{}");
  assert.equal(id, undefined);
  assert.equal(tx.method, "GET");
  assert.equal(tx.uri, "/");
  assert.equal(tx.version, "HTTP/1.1");
  assert.deepEqual(tx.headers, []);
  assert.equal(tx.body.length, 0);
  assert.deepEqual([tx.clientIp, tx.clientPort, tx.serverIp, tx.serverPort], ["127.0.0.1", 12345, "127.0.0.1", 80]);
  assert.equal(tx.response, undefined);
});

test("fields are taken as given, headers keep order and duplicates, the id is echoed as any JSON value", () => {
  const { id, tx } = parseCheckLine(JSON.stringify({
    id: { n: 7 }, method: "POST", uri: "/a?x=é", version: "HTTP/1.0",
    headers: [["Host", "h"], ["X", "1"], ["X", "2"]], body: "a=1",
    client_ip: "::1", client_port: 1, server_ip: "10.0.0.1", server_port: 8443,
    response: { status: 404, headers: [["Content-Type", "text/html"]], body: "nope" },
  }));
  assert.deepEqual(id, { n: 7 });
  assert.equal(tx.method, "POST");
  assert.equal(tx.uri, Buffer.from("/a?x=é", "utf8").toString("latin1"), "the uri is carried as its UTF-8 bytes");
  assert.deepEqual(tx.headers.map(([k, v]) => [str(k), str(v)]), [["Host", "h"], ["X", "1"], ["X", "2"]]);
  assert.equal(str(tx.body), "a=1");
  assert.equal(tx.clientIp, "::1");
  assert.equal(tx.serverPort, 8443);
  assert.equal(tx.response?.status, 404);
  assert.equal(str(tx.response!.body), "nope");
});

test("b64 makes uri, headers and both bodies byte-exact base64; body_b64 applies to a body alone", () => {
  const raw = Buffer.from([0x2f, 0x00, 0xff, 0x80]);
  const { tx } = parseCheckLine(JSON.stringify({
    b64: true, uri: raw.toString("base64"), headers: [[Buffer.from("X-B").toString("base64"), Buffer.from([0xc3, 0x28]).toString("base64")]],
    body: Buffer.from([0, 1, 2]).toString("base64"), response: { body: Buffer.from([0xfe]).toString("base64") },
  }));
  assert.deepEqual(Buffer.from(tx.uri, "latin1"), raw);
  assert.deepEqual(Buffer.from(tx.headers[0]![1]), Buffer.from([0xc3, 0x28]));
  assert.deepEqual(Buffer.from(tx.body), Buffer.from([0, 1, 2]));
  assert.deepEqual(Buffer.from(tx.response!.body), Buffer.from([0xfe]));
  assert.equal(tx.response!.status, 200);

  const only = parseCheckLine(JSON.stringify({ body: Buffer.from([9, 9]).toString("base64"), body_b64: true, uri: "/plain" }));
  assert.deepEqual(Buffer.from(only.tx.body), Buffer.from([9, 9]));
  assert.equal(only.tx.uri, "/plain");
});

test("a line that does not fit names the field and what was expected", () => {
  assert.throws(() => parseCheckLine("not json"), /not valid JSON/);
  assert.throws(() => parseCheckLine("[1]"), /expected a JSON object/);
  assert.throws(() => parseCheckLine('{"headers": [["a"]]}'), /"headers"\[0\] must be a \[name, value\] pair/);
  assert.throws(() => parseCheckLine('{"client_ip": "999.1.1.1"}'), /"client_ip" must be an IPv4 or IPv6 address/);
  assert.throws(() => parseCheckLine('{"server_port": 70000}'), /"server_port" must be a port number/);
  assert.throws(() => parseCheckLine('{"b64": true, "uri": "%%%"}'), /"uri" is not valid base64/);
  assert.throws(() => parseCheckLine('{"response": {"status": 42}}'), /"response.status" must be an HTTP status code/);
  assert.throws(() => parseCheckLine('{"method": ""}'), /"method" must be a non-empty string/);
});
