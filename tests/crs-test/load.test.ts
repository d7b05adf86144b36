// The CRS regression-test loaders: both suites load completely (counted independently from the raw files),
// and specific cases parse byte for byte as go-ftw / ftw would send them and Envoy's codec would see them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { detectVersion, listTestFiles, loadSuite, parseV3File, parseV4File } from "../../cli/crs-test/load";
import { inputBytes } from "../../cli/crs-test/request";
import type { Stage, Suite, TestCase } from "../../cli/crs-test/model";
import { CRS3, CRS4, crsSkip } from "./helpers";

const ok = (s: Stage) => {
  assert.equal(s.request.kind, "ok", s.request.kind === "rejected" ? s.request.reason : "");
  if (s.request.kind !== "ok") throw new Error("unreachable");
  return s.request.input;
};
const hdrs = (s: Stage) => inputBytes(ok(s)).headers.map(([k, v]) => [k.toString("latin1"), v.toString("latin1")]);
const find = (suite: Suite, title: string): TestCase => {
  const t = suite.tests.find((x) => x.title === title);
  assert.ok(t, `test ${title} not loaded`);
  return t;
};

let v4: Suite | undefined;
let v3: Suite | undefined;
const suite4 = () => (v4 ??= loadSuite(CRS4));
const suite3 = () => (v3 ??= loadSuite(CRS3));

test("the version is detected from the test files", { skip: crsSkip }, () => {
  assert.equal(detectVersion(CRS4), "v4");
  assert.equal(detectVersion(CRS3), "v3");
});

test("v4 loads completely: every test_id in every *.yaml file, no load error", { skip: crsSkip }, () => {
  const s = suite4();
  const dir = s.testsDir;
  // Independent count: `test_id:` keys that are not commented out (a file may be all comments).
  let expected = 0;
  for (const f of listTestFiles(dir)) {
    expected += readFileSync(join(dir, f), "utf8").split("\n").filter((l) => /^\s*(?:-\s*)?test_id:\s*\d+/.test(l)).length;
  }
  assert.deepEqual(s.errors, []);
  assert.equal(s.tests.length, expected);
  assert.equal(s.tests.length, 4966);
  assert.equal(s.tests.flatMap((t) => t.stages).length, 4972);
  // Titles are unique (rule_id-test_id), as go-ftw's --include regexes assume.
  assert.equal(new Set(s.tests.map((t) => t.title)).size, s.tests.length);
  // The .yml file and the skeletons are not test files for go-ftw (`**/*.yaml`).
  assert.ok(!s.tests.some((t) => t.file.endsWith(".yml") || t.file.includes("skeleton")));
});

test("v3 loads completely: every test_title of enabled files, no load error", { skip: crsSkip }, () => {
  const s = suite3();
  const dir = s.testsDir;
  let expected = 0;
  let disabled = 0;
  for (const f of listTestFiles(dir)) {
    const text = readFileSync(join(dir, f), "utf8");
    const n = text.split("\n").filter((l) => /^\s*(?:-\s*)?test_title:/.test(l)).length;
    if (/^\s+enabled:\s*false/m.test(text)) disabled += n;
    else expected += n;
  }
  assert.deepEqual(s.errors, []);
  assert.ok(disabled > 0, "some v3 files are disabled (meta.enabled: false) and must be skipped");
  assert.equal(s.tests.length, expected);
  assert.equal(s.tests.length, 2396);
});

test("v4 encoded_request: the base64 request is parsed by the codec model (chunked body de-chunked)", { skip: crsSkip }, () => {
  const t = find(suite4(), "920171-2");
  const input = ok(t.stages[0]!);
  assert.equal(input.method, "GET");
  assert.equal(input.uri, "/");
  assert.deepEqual(hdrs(t.stages[0]!), [["Accept", "*/*"], ["Host", "localhost"], ["Transfer-Encoding", "chunked"], ["User-Agent", "ModSecurity CRS 3 Tests"]]);
  assert.equal(input.body, "Hi CRS");
  assert.deepEqual(t.stages[0]!.expect, { ids: [920171], noIds: [] });
  assert.match(t.stages[0]!.request.wire.toString("latin1"), /\r\n\r\n3\r\nHi \r\n3\r\nCRS\r\n0\r\n\r\n$/);
});

test("v4 multi-stage test: both stages, each with its request and expectations", { skip: crsSkip }, () => {
  const t = find(suite4(), "942340-8");
  assert.equal(t.stages.length, 2);
  const bodies = t.stages.map((s) => ok(s).body);
  // go-ftw leaves already-escaped data alone (url.QueryUnescape changes it) and adds the defaults.
  assert.deepEqual(bodies, ["email='%20or%20true;%20foo", "email='%20or%20false;%20foo"]);
  assert.deepEqual(hdrs(t.stages[0]!), [
    ["Accept", "text/xml,application/xml,application/xhtml+xml,text/html;q=0.9,text/plain;q=0.8,image/png,*/*;q=0.5"],
    ["Host", "localhost"],
    ["User-Agent", "OWASP CRS test agent"],
    ["Content-Type", "application/x-www-form-urlencoded"],
    ["Connection", "close"],
    ["Content-Length", "26"],
  ]);
  for (const s of t.stages) assert.deepEqual(s.expect, { ids: [942340], noIds: [] });
  assert.equal(find(suite4(), "934120-43").stages.length, 6);
});

test("v3 raw_request: unicode_escape-decoded and UTF-8 encoded again, cut at Content-Length, as ftw sends it", { skip: crsSkip }, () => {
  const t = find(suite3(), "944200-0FP");
  const s = t.stages[0]!;
  assert.deepEqual(s.request.wire.subarray(0, 16).toString("latin1"), "POST / HTTP/1.0\r");
  // "test=\xac\xed\x00\x05\r\n\r\n": U+00AC → C2 AC → (unicode_escape) "Â¬" → C3 82 C2 AC; Content-Length: 9.
  assert.match(s.request.wire.toString("latin1"), /\r\n\r\ntest=\xc3\x82\xc2\xac\xc3\x83\xc2\xad\x00\x05\r\n\r\n$/);
  const input = ok(s);
  assert.deepEqual(inputBytes(input).body, Buffer.from([0x74, 0x65, 0x73, 0x74, 0x3d, 0xc3, 0x82, 0xc2, 0xac]));
  assert.equal(input.version, "HTTP/1.0");
  assert.deepEqual(s.expect, { ids: [], noIds: [], noLogRegex: 'id "944200"' });
  // The same request as encoded_request (944200-1) keeps its bytes: not UTF-8, so the line goes base64.
  const enc = ok(find(suite3(), "944200-1").stages[0]!);
  assert.equal(enc.b64, true);
  assert.deepEqual(inputBytes(enc).body, Buffer.from("test=\xac\xed\x00\x05", "latin1"));
});

test("v3 data lists are joined with CRLF; status lists and no_log_contains are kept", { skip: crsSkip }, () => {
  const s = suite3();
  const withList = s.tests.find((t) => t.stages.some((x) => x.expect.status !== undefined && Array.isArray(x.expect.status)));
  assert.ok(withList);
  const parsed = parseV3File(
    [
      "meta: {author: x, enabled: true, name: t, description: d}",
      "tests:",
      "  - test_title: 999001-1",
      "    stages:",
      "      - stage:",
      "          input:",
      "            method: POST",
      "            headers: {Host: localhost, Content-Type: text/plain}",
      "            data: [a=1, b=2]",
      "          output: {status: [403, 400], no_log_contains: 'id \"999001\"'}",
    ].join("\n"),
    "x/999001.yaml",
  );
  const st = parsed[0]!.stages[0]!;
  assert.equal(ok(st).body, "a=1\r\nb=2");
  assert.deepEqual(hdrs(st), [["Host", "localhost"], ["Content-Type", "text/plain"], ["Content-Length", "8"]]);
  assert.deepEqual(st.expect, { ids: [], noIds: [], status: [403, 400], noLogRegex: 'id "999001"' });
  assert.equal(parsed[0]!.ruleId, 999001);
});

const v4Doc = (headers: string, data?: string) =>
  [
    "rule_id: 999002",
    "tests:",
    "  - test_id: 1",
    "    stages:",
    "      - input:",
    "          method: POST",
    "          headers:",
    ...headers.split("\n").map((l) => `            ${l}`),
    ...(data === undefined ? [] : [`          data: ${JSON.stringify(data)}`]),
    "        output: {log: {expect_ids: [999002]}}",
  ].join("\n");

test("headers with duplicates: case variants are distinct keys and all sent; exact duplicates follow each client", () => {
  // go-ftw sorts the header map by name (byte order: upper case first) and compares names case-insensitively,
  // so a lower-case content-type still counts as the Content-Type (no default added).
  const t4 = parseV4File(v4Doc("Host: localhost\nX-Test: a\nx-test: b\ncontent-type: text/plain", "q=1 2"), "x/999002.yaml");
  assert.deepEqual(hdrs(t4[0]!.stages[0]!), [["Host", "localhost"], ["X-Test", "a"], ["content-type", "text/plain"], ["x-test", "b"], ["Connection", "close"], ["Content-Length", "5"]]);
  assert.equal(ok(t4[0]!.stages[0]!).body, "q=1 2", "text/plain data is not form-encoded");
  // An exact duplicate key: go-ftw's YAML decoder refuses the file ("mapping key already defined").
  assert.throws(() => parseV4File(v4Doc("Host: localhost\nX-Test: a\nX-Test: b"), "x/999002.yaml"), /X-Test|unique|duplicate/i);
  // PyYAML keeps the last value at the first key's place; ftw's Content-Type default is case-sensitive.
  const t3 = parseV3File(
    [
      "meta: {enabled: true}",
      "tests:",
      "  - test_title: 999003-1",
      "    stages:",
      "      - stage:",
      "          input:",
      "            headers:",
      "              Host: localhost",
      "              X-Test: a",
      "              content-type: text/plain",
      "              X-Test: b",
      "            data: 'q=1 2'",
      "          output: {log_contains: x}",
    ].join("\n"),
    "x/999003.yaml",
  );
  assert.deepEqual(hdrs(t3[0]!.stages[0]!), [
    ["Host", "localhost"],
    ["X-Test", "b"],
    ["content-type", "text/plain"],
    ["Content-Type", "application/x-www-form-urlencoded"],
    ["Content-Length", "5"],
  ]);
  assert.equal(ok(t3[0]!.stages[0]!).body, "q=1+2", "ftw form-encodes through parse_qsl/urlencode");
});

test("go-ftw data magic: form data is query-escaped, multipart LF becomes CRLF, autocomplete_headers: false sends as is", () => {
  const form = parseV4File(v4Doc("Host: localhost", "a=<b c>&d"), "x/1.yaml")[0]!.stages[0]!;
  assert.equal(ok(form).body, "a=%3Cb+c%3E&d");
  const mp = parseV4File(v4Doc('Host: localhost\nContent-Type: "multipart/form-data; boundary=x"', "--x\nA: b\n\nv\n--x--\n"), "x/1.yaml")[0]!.stages[0]!;
  assert.equal(ok(mp).body, "--x\r\nA: b\r\n\r\nv\r\n--x--\r\n");
  const raw = parseV4File(v4Doc("Host: localhost\nContent-Length: 3") .replace("method: POST", "method: POST\n          autocomplete_headers: false"), "x/1.yaml")[0]!;
  assert.equal(raw.stages[0]!.request.kind, "rejected", "no data: the announced body never comes");
  const tpl = parseV4File(v4Doc("Host: localhost", '{{ "1" | repeat 5 }}'), "x/1.yaml")[0]!.stages[0]!;
  assert.equal(ok(tpl).body, "11111");
});

test("requests Envoy's codec refuses are reported as such, with the reason", { skip: crsSkip }, () => {
  const r = (title: string) => find(suite4(), title).stages[0]!.request;
  const m = r("920100-10");
  assert.equal(m.kind, "rejected");
  assert.match(m.kind === "rejected" ? `${m.status} ${m.reason}` : "", /^400 method "REALLYLONGUNREALMETHOD"/);
  const frag = r("920610-2");
  assert.equal(frag.kind === "rejected" && frag.status, 400);
  // Every other stage is valid UTF-8 text except where the bytes are not: those lines are base64.
  for (const s of suite4().tests.flatMap((t) => t.stages)) {
    if (s.request.kind !== "ok" || !s.request.input.b64) continue;
    const b = inputBytes(s.request.input);
    const parts = [b.uri, b.body, ...b.headers.flat()];
    assert.ok(parts.some((p) => !Buffer.from(p.toString("utf8"), "utf8").equals(p)), "base64 only when needed");
  }
});

test("the shared CRS material is where the tests expect it", { skip: crsSkip }, () => {
  assert.ok(existsSync(join(CRS4, "rules", "REQUEST-901-INITIALIZATION.conf")));
});
