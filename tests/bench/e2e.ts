// End to end (--e2e): `waf serve` in front of a small upstream, loaded with `wrk` on loopback, against the same
// upstream directly — throughput and the p50/p99 latency the proxy adds. With Debian's nginx and
// libnginx-mod-http-modsecurity installed, nginx + ModSecurity with the same rules is measured the same way.
// Everything listens on 127.0.0.1; every run is bounded by its duration.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { REPO } from "../peers/modsecurity-check/index";
import type { RuleSetSpec } from "./rules";
import { percentile } from "./stats";
import { CHROME_UA } from "./workloads";

export interface WrkResult {
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  socketErrors: string | null;
}

export interface E2eTarget {
  target: string;
  scenario: string;
  /** wrk connections of this run: the configured load, or 1 (each request waits for the previous answer, so the
   *  added latency is the proxy's own cost rather than queueing behind other connections). */
  connections: number;
  /** The median of the rounds' figures (requests and errors: their sums). */
  wrk: WrkResult;
  /** Each round's run; the targets of a round run one after another, so they share the machine's state. */
  rounds: WrkResult[];
  /** Latency added over the direct upstream, ms: the median over the rounds of target − direct in the same round
   *  (null for the direct run). */
  addedP50Ms: number | null;
  addedP99Ms: number | null;
  /** CPU time the target's processes used per request, µs (median over the rounds; null where /proc is not
   *  readable). Unlike latency it hardly depends on what else the machine runs, so it shows a change in the
   *  proxy's own cost that the noise of a shared machine hides in p99. */
  cpuUsPerRequest: number | null;
}

export interface E2eReport {
  skipped: string | null;
  nginxSkipped: string | null;
  durationS: number;
  connections: number;
  rounds: number;
  ruleSet: string;
  /** The module `waf serve` loaded, and whether it is the one measured in-process. */
  wasm: string;
  wasmSha256: string;
  sameWasmAsMeasured: boolean;
  results: E2eTarget[];
}

const NGINX_MODULES = ["/usr/lib/nginx/modules/ngx_http_modsecurity_module.so", "/usr/share/nginx/modules/ngx_http_modsecurity_module.so"];

export function wrkMissing(): string | false {
  const r = spawnSync("wrk", ["-v"], { encoding: "utf8" });
  if (r.error) return "wrk is not installed (Debian package wrk: apt-get install wrk)";
  return false;
}

function nginxMissing(): string | false {
  const r = spawnSync("nginx", ["-v"], { encoding: "utf8" });
  if (r.error) return "nginx is not installed (Debian packages nginx and libnginx-mod-http-modsecurity)";
  if (!NGINX_MODULES.some((m) => existsSync(m))) return `nginx is installed but not its ModSecurity module (${NGINX_MODULES[0]}; Debian package libnginx-mod-http-modsecurity)`;
  return false;
}

const UPSTREAM = `
const http = require("node:http");
const body = '{"status":"ok","items":[]}\\n';
const s = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }); res.end(body); });
});
s.keepAliveTimeout = 60000;
s.listen(0, "127.0.0.1", () => console.log("PORT " + s.address().port));
`;

function waitFor(child: ChildProcess, stream: "stdout" | "stderr", re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolvePort, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${text.slice(-2000)}`)), timeoutMs);
    child[stream]!.on("data", (d: Buffer) => {
      text += d.toString();
      const m = re.exec(text);
      if (m) {
        clearTimeout(timer);
        resolvePort(m);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before ready: ${text.slice(-2000)}`));
    });
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(t);
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(value.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === "us" ? n / 1000 : m[2] === "ms" ? n : m[2] === "s" ? n * 1000 : n * 60_000;
}

export function parseWrk(out: string): WrkResult {
  const pct = (p: string) => toMs(new RegExp(`^\\s*${p}%\\s+(\\S+)`, "m").exec(out)?.[1] ?? "");
  return {
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50Ms: pct("50"),
    p99Ms: pct("99"),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: /Socket errors:.*$/m.exec(out)?.[0] ?? null,
  };
}

// The in-process workloads of the same names, as far as wrk can send them. The Host header is theirs too: wrk's
// default (127.0.0.1:port) is a numeric-IP host, which CRS rule 920350 flags, so every request would match a rule
// and write an audit log — a different transaction from the one measured in-process.
const SCENARIOS: Array<{ name: string; lua: string }> = [
  {
    name: "simple_get",
    lua: `wrk.method = "GET"\nwrk.path = "/some_path/with?parameters=and&other=Stuff"\nwrk.headers["Host"] = "localhost"\nwrk.headers["User-Agent"] = "${CHROME_UA}"\nwrk.headers["Accept"] = "application/json"\n`,
  },
  {
    name: "simple_post",
    lua:
      `wrk.method = "POST"\nwrk.path = "/some_path/with?parameters=and&other=Stuff"\nwrk.headers["Host"] = "localhost"\nwrk.body = "parameters2=and&other2=Stuff"\n` +
      `wrk.headers["User-Agent"] = "${CHROME_UA}"\nwrk.headers["Accept"] = "application/json"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n`,
  },
];

function runWrk(url: string, script: string, durationS: number, connections: number): Promise<WrkResult> {
  return new Promise((res, rej) => {
    const p = spawn("wrk", ["-t1", `-c${connections}`, `-d${durationS}s`, "--latency", "-s", script, url], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (err += d.toString()));
    p.on("error", rej);
    p.on("exit", (code) => (code === 0 ? res(parseWrk(out)) : rej(new Error(`wrk exited ${code}: ${err || out}`))));
  });
}

function nginxConf(dir: string, port: number, upstreamPort: number, rulesFile: string, module: string): string {
  for (const d of ["body", "proxy", "fastcgi", "uwsgi", "scgi", "logs"]) mkdirSync(join(dir, d), { recursive: true });
  return [
    `load_module ${module};`,
    "worker_processes 1;",
    "daemon off;",
    `pid ${join(dir, "nginx.pid")};`,
    `error_log ${join(dir, "logs/error.log")} warn;`,
    ...(process.getuid?.() === 0 ? ["user root;"] : []),
    "events { worker_connections 1024; }",
    "http {",
    "  access_log off;",
    `  client_body_temp_path ${join(dir, "body")}; proxy_temp_path ${join(dir, "proxy")};`,
    `  fastcgi_temp_path ${join(dir, "fastcgi")}; uwsgi_temp_path ${join(dir, "uwsgi")}; scgi_temp_path ${join(dir, "scgi")};`,
    `  upstream up { server 127.0.0.1:${upstreamPort}; keepalive 32; }`,
    "  server {",
    `    listen 127.0.0.1:${port};`,
    "    modsecurity on;",
    `    modsecurity_rules_file ${rulesFile};`,
    '    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }',
    "  }",
    "}",
    "",
  ].join("\n");
}

export interface E2eOptions {
  rules: RuleSetSpec;
  /** For `waf serve`: --crs DIR --paranoia N, or the custom rule files. */
  serveRuleArgs: string[];
  /** The filter module `waf serve` loads. */
  wasm: string;
  /** sha256 of the module the in-process figures measured (to say whether e2e ran the same one). */
  measuredSha256: string;
  dir: string;
  durationS: number;
  connections: number;
  /** Interleaved rounds of every target (a lone run's p99 is mostly the noise of the moment on a shared machine). */
  rounds: number;
  log: (line: string) => void;
}

export async function runE2e(o: E2eOptions): Promise<E2eReport> {
  const wasmSha256 = existsSync(o.wasm) ? createHash("sha256").update(readFileSync(o.wasm)).digest("hex") : "(missing)";
  const report: E2eReport = {
    skipped: null,
    nginxSkipped: null,
    durationS: o.durationS,
    connections: o.connections,
    rounds: o.rounds,
    ruleSet: o.rules.label,
    wasm: o.wasm,
    wasmSha256,
    sameWasmAsMeasured: wasmSha256 === o.measuredSha256,
    results: [],
  };
  const missing = wrkMissing();
  if (missing) {
    report.skipped = missing;
    report.nginxSkipped = missing;
    return report;
  }
  const children: ChildProcess[] = [];
  try {
    const upstream = spawn(process.execPath, ["-e", UPSTREAM], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(upstream);
    const upPort = Number((await waitFor(upstream, "stdout", /PORT (\d+)/, 10_000))[1]);

    const waf = spawn(
      process.execPath,
      [resolve(REPO, "build/waf.mjs"), "serve", "--listen", "127.0.0.1:0", "--quiet", "--log-level", "error", "--mode", "block", "--upstream", `http://127.0.0.1:${upPort}`, "--wasm", o.wasm, ...o.serveRuleArgs],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(waf);
    waf.stdout!.resume();
    const wafPort = Number((await waitFor(waf, "stderr", /listening on http:\/\/[^:]+:(\d+)\//, 300_000))[1]);

    const targets: Array<{ name: string; port: number; pid: number | undefined }> = [
      { name: "direct upstream", port: upPort, pid: upstream.pid },
      { name: "waf serve", port: wafPort, pid: waf.pid },
    ];
    const nginxReason = nginxMissing();
    if (nginxReason) report.nginxSkipped = nginxReason;
    else {
      try {
        const port = await freePort();
        const main = join(o.dir, "nginx-modsec-main.conf");
        writeFileSync(main, [...o.rules.modsecConfs(o.dir).map((f) => `Include "${f}"`), "SecRuleEngine On", ""].join("\n"));
        const conf = join(o.dir, "nginx.conf");
        writeFileSync(conf, nginxConf(o.dir, port, upPort, main, NGINX_MODULES.find((m) => existsSync(m))!));
        const test = spawnSync("nginx", ["-t", "-p", o.dir, "-c", conf], { encoding: "utf8" });
        if (test.status !== 0) throw new Error(`nginx -t failed: ${(test.stderr || test.stdout).trim().split("\n").slice(-3).join(" | ")}`);
        const nginx = spawn("nginx", ["-p", o.dir, "-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
        children.push(nginx);
        await waitForPort(port, 120_000, nginx);
        targets.push({ name: "nginx+ModSecurity", port, pid: nginx.pid });
      } catch (err) {
        report.nginxSkipped = `nginx + ModSecurity failed to start: ${(err as Error).message}`;
      }
    }

    // Two loads: the configured connections (throughput; latency then includes queueing in a saturated proxy),
    // and one connection (the latency a request gains from the proxy itself).
    const loads = o.connections === 1 ? [1] : [o.connections, 1];
    for (const sc of SCENARIOS) {
      const script = join(o.dir, `wrk-${sc.name}.lua`);
      writeFileSync(script, sc.lua);
      for (const connections of loads) {
        const runs = targets.map((): WrkResult[] => []);
        const cpu = targets.map((): number[] => []);
        for (let round = 1; round <= o.rounds; round++) {
          for (const [i, t] of targets.entries()) {
            o.log(`bench: e2e ${sc.name} → ${t.name}, ${connections} connection(s), round ${round}/${o.rounds}, ${o.durationS} s …`);
            const cpuBefore = cpuSeconds(t.pid);
            const wrk = await runWrk(`http://127.0.0.1:${t.port}`, script, o.durationS, connections);
            const cpuAfter = cpuSeconds(t.pid);
            runs[i]!.push(wrk);
            if (cpuBefore !== null && cpuAfter !== null && wrk.requests > 0) cpu[i]!.push(((cpuAfter - cpuBefore) * 1e6) / wrk.requests);
          }
        }
        const direct = runs[0]!;
        for (const [i, t] of targets.entries()) {
          const rounds = runs[i]!;
          const added = (p: (w: WrkResult) => number) => (i === 0 ? null : median(rounds.map((w, r) => p(w) - p(direct[r]!))));
          report.results.push({
            target: t.name,
            scenario: sc.name,
            connections,
            wrk: combineRounds(rounds),
            rounds,
            addedP50Ms: added((w) => w.p50Ms),
            addedP99Ms: added((w) => w.p99Ms),
            cpuUsPerRequest: cpu[i]!.length === o.rounds ? median(cpu[i]!) : null,
          });
        }
      }
    }
  } catch (err) {
    report.skipped = `e2e failed: ${(err as Error).message}`;
  } finally {
    for (const c of children.reverse()) await stop(c);
  }
  return report;
}

let clockTicksPerS: number | undefined;

/** The unit of /proc's CPU times (USER_HZ, 100 on every common Linux). */
function clockTicks(): number {
  clockTicksPerS ??= Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim()) || 100;
  return clockTicksPerS;
}

/** CPU seconds (user + system) used so far by a process and its children (nginx's workers), from Linux's /proc;
 *  null when that cannot be read. */
function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const ticks = cpuTicks(pid);
    return Number.isFinite(ticks) ? ticks / clockTicks() : null;
  } catch {
    return null;
  }
}

function cpuTicks(pid: number): number {
  // utime and stime are the 14th and 15th fields; the 2nd, the command name, is in parentheses and may contain
  // spaces, so the fields are counted after it (utime is then the 12th).
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ");
  let ticks = Number(fields[11]) + Number(fields[12]);
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
    for (const child of children ? children.split(" ") : []) ticks += cpuTicks(Number(child));
  }
  return ticks;
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

function combineRounds(rounds: WrkResult[]): WrkResult {
  const sum = (p: (w: WrkResult) => number) => rounds.reduce((n, w) => n + p(w), 0);
  const errors = rounds.map((w) => w.socketErrors).filter((e) => e !== null);
  return {
    requestsPerSec: median(rounds.map((w) => w.requestsPerSec)),
    p50Ms: median(rounds.map((w) => w.p50Ms)),
    p99Ms: median(rounds.map((w) => w.p99Ms)),
    requests: sum((w) => w.requests),
    non2xx: sum((w) => w.non2xx),
    socketErrors: errors.length > 0 ? errors.join("; ") : null,
  };
}

async function waitForPort(port: number, timeoutMs: number, child: ChildProcess): Promise<void> {
  const { connect } = await import("node:net");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), res(true)));
      s.once("error", () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`port ${port} not open after ${timeoutMs} ms`);
}
