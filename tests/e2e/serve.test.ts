// End-to-end: the bundled `waf serve` (build/waf.mjs + build/waf.wasm, as a user runs them) in front of a real
// upstream on loopback, driven by real HTTP/1.1 clients. Checks what the upstream and the client saw.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWaf, type WafProcess, repoRoot } from "./helpers/waf-process";

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
  remotePort: number;
}

let upstream: http.Server;
let upstreamUrl: string;
const seen: Seen[] = [];
let waf: WafProcess;

before(async () => {
  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body, remotePort: req.socket.remotePort! });
      if (req.url === "/slow") {
        setTimeout(() => res.end("slow done"), 300);
        return;
      }
      res.setHeader("x-upstream-echo", req.headers["x-probe"] ?? "");
      res.setHeader("content-type", "text/plain");
      res.end(`${req.method} ${req.url} ${body.length} ${createHash("sha256").update(body).digest("hex")}`);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`;
  waf = await startWaf(["--upstream", upstreamUrl]);
});

after(async () => {
  await waf?.stop();
  upstream?.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});

function request(
  opts: http.RequestOptions & { body?: Buffer[]; port?: number },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; rawHeaders: string[]; body: Buffer; reused: boolean }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: opts.port ?? waf.port, ...opts }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks), reused: req.reusedSocket }),
      );
    });
    req.on("error", reject);
    for (const chunk of opts.body ?? []) req.write(chunk);
    req.end();
  });
}

function lastSeen(): Seen {
  const s = seen.at(-1);
  assert.ok(s, "the upstream saw no request");
  return s;
}

function headerValues(raw: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) out.push(raw[i + 1]!);
  return out;
}

test("GET passes through with an x-request-id added, and keep-alive reuses the client connection", async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const first = await request({ path: "/hello?x=1", agent, headers: { "x-probe": "one" } });
  assert.equal(first.status, 200);
  assert.equal(first.body.toString(), `GET /hello?x=1 0 ${createHash("sha256").digest("hex")}`);
  assert.equal(first.headers["x-upstream-echo"], "one");
  const upstreamSaw = lastSeen();
  assert.equal(upstreamSaw.url, "/hello?x=1");
  const ids = headerValues(upstreamSaw.rawHeaders, "x-request-id");
  assert.equal(ids.length, 1);
  assert.match(ids[0]!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(headerValues(upstreamSaw.rawHeaders, "host"), [`127.0.0.1:${waf.port}`]);

  const second = await request({ path: "/again", agent, headers: { "x-request-id": "client-chosen-id" } });
  assert.equal(second.status, 200);
  assert.equal(second.reused, true, "the second request should reuse the kept-alive connection");
  assert.deepEqual(headerValues(lastSeen().rawHeaders, "x-request-id"), ["client-chosen-id"]);
  agent.destroy();
});

test("headers reach the upstream byte-exact: duplicates, empty values, non-ASCII bytes", async () => {
  // Raw latin1 strings: each char is one byte on the wire (0xE9, 0xFF and a UTF-8 sequence as bytes).
  const utf8AsBytes = Buffer.from("żółw", "utf8").toString("latin1");
  const res = await request({
    path: "/headers",
    headers: [
      ["Host", `127.0.0.1:${waf.port}`], ["X-Dup", "a"], ["X-Dup", "b"], ["X-Empty", ""], ["X-Bytes", "caf\u00e9\u00ff"], ["X-Utf8", utf8AsBytes],
    ].flat() as unknown as http.OutgoingHttpHeaders,
  });
  assert.equal(res.status, 200);
  const raw = lastSeen().rawHeaders;
  assert.deepEqual(headerValues(raw, "x-dup"), ["a", "b"]);
  assert.deepEqual(headerValues(raw, "x-empty"), [""]);
  assert.deepEqual(Buffer.from(headerValues(raw, "x-bytes")[0]!, "latin1"), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0xff]));
  assert.deepEqual(Buffer.from(headerValues(raw, "x-utf8")[0]!, "latin1"), Buffer.from("żółw", "utf8"));
});

test("a 1 MB POST body sent in chunks arrives whole and in order", async () => {
  const body = randomBytes(1024 * 1024);
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += 65536) chunks.push(body.subarray(i, i + 65536));
  const res = await request({ method: "POST", path: "/upload", body: chunks, headers: { "content-type": "application/octet-stream" } });
  assert.equal(res.status, 200);
  const digest = createHash("sha256").update(body).digest("hex");
  assert.equal(res.body.toString(), `POST /upload ${body.length} ${digest}`);
  assert.equal(lastSeen().body.length, body.length);
  assert.ok(lastSeen().body.equals(body));
});

test("a malformed request gets 400 and a log line, and the proxy keeps serving", async () => {
  const reply = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(waf.port, "127.0.0.1", () => socket.write("THIS IS NOT HTTP\r\n\r\n"));
    let data = "";
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("end", () => resolve(data));
    socket.on("error", reject);
  });
  assert.match(reply, /^HTTP\/1\.1 400 Bad Request\r\n/);
  await waf.waitForStderr(/rejected a malformed request/);
  assert.equal((await request({ path: "/still-alive" })).status, 200);
});

test("an unreachable upstream gives 502 with a log line naming it", async () => {
  // A port that was just free: nothing listens there.
  const free = net.createServer();
  await new Promise<void>((r) => free.listen(0, "127.0.0.1", r));
  const deadPort = (free.address() as net.AddressInfo).port;
  await new Promise<void>((r) => free.close(() => r()));
  const lonely = await startWaf(["--upstream", `http://127.0.0.1:${deadPort}`]);
  try {
    const res = await request({ path: "/nowhere", port: lonely.port });
    assert.equal(res.status, 502);
    assert.match(res.body.toString(), /upstream connect error/);
    await lonely.waitForStderr(new RegExp(`upstream 127\\.0\\.0\\.1:${deadPort} failed: ECONNREFUSED`));
  } finally {
    await lonely.stop();
  }
});

test("--log-level is the filter's: at warn its audit line is printed and its info lines are not", async () => {
  const rule = join(mkdtempSync(join(tmpdir(), "waf-serve-log-")), "log.conf");
  writeFileSync(rule, `SecRule REQUEST_URI "@contains /log-me" "id:9001,phase:1,pass,log,msg:'logged by the test'"\n`);
  const quieter = await startWaf(["--upstream", upstreamUrl, "--log-level", "warn", rule]);
  try {
    assert.equal((await request({ path: "/log-me", port: quieter.port })).status, 200);
    await quieter.waitForStderr(/^\[warn\] \{.*id \\"9001\\"/m);
    // The host drops them before they are decoded: the rules-loaded line and the match's "WAF Process" line.
    assert.doesNotMatch(quieter.stderr(), /^\[info\]/m);
  } finally {
    await quieter.stop();
  }
});

test("without --upstream the built-in demo upstream answers", async () => {
  const demo = await startWaf([]);
  try {
    const res = await request({ path: "/demo?q=1", port: demo.port, headers: { "x-probe": "demo" } });
    assert.equal(res.status, 200);
    const echoed = JSON.parse(res.body.toString());
    assert.equal(echoed.service, "workload-waf demo upstream");
    assert.equal(echoed.path, "/demo?q=1");
    assert.ok(echoed.headers.some(([k, v]: [string, string]) => k === "x-probe" && v === "demo"));
    assert.match(demo.stderr(), /built-in demo upstream/);
  } finally {
    await demo.stop();
  }
});

test("SIGTERM drains: an in-flight request completes, then the process exits 0", async () => {
  const w = await startWaf(["--upstream", upstreamUrl]);
  const pending = request({ path: "/slow", port: w.port });
  await new Promise((r) => setTimeout(r, 100));
  w.child.kill("SIGTERM");
  const res = await pending;
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), "slow done");
  assert.equal(await w.exited, 0);
  assert.match(w.stderr(), /SIGTERM received, draining/);
});

test("--concurrency 2: two worker processes with a VM each share the port; SIGTERM drains both and exits 0", async () => {
  const w = await startWaf(["--upstream", upstreamUrl, "--concurrency", "2"]);
  assert.match(w.stderr(), /2 worker processes with one VM each/);
  assert.equal((w.stderr().match(/rules loaded \(table/g) ?? []).length, 2, "each worker loads the table into its own VM");
  const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => request({ path: `/c${i}`, port: w.port, agent: new http.Agent() }).then((r) => r.status)));
  assert.deepEqual(statuses, Array(20).fill(200));
  const pending = request({ path: "/slow", port: w.port });
  await new Promise((r) => setTimeout(r, 100));
  w.child.kill("SIGTERM");
  assert.equal((await pending).status, 200);
  assert.equal(await w.exited, 0);
  assert.match(w.stderr(), /SIGTERM received, draining[\s\S]*stopped/);
});

test("a missing or corrupt .wasm stops start-up with an error naming the file", async () => {
  const missing = join(repoRoot, "build", "does-not-exist.wasm");
  const a = await startWaf(["--wasm", missing], { expectStartup: false });
  assert.notEqual(await a.exited, 0);
  assert.match(a.stderr(), new RegExp(`does-not-exist\\.wasm`));

  const dir = mkdtempSync(join(tmpdir(), "waf-corrupt-"));
  const corrupt = join(dir, "corrupt.wasm");
  writeFileSync(corrupt, Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), randomBytes(64)]));
  const b = await startWaf(["--wasm", corrupt], { expectStartup: false });
  assert.notEqual(await b.exited, 0);
  assert.match(b.stderr(), /corrupt\.wasm/);
});
