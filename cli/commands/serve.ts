// `waf serve`: the local WAF proxy. It loads the filter into our proxy-wasm host and proxies HTTP/1.1 to an
// upstream (or to a built-in demo upstream), so the filter can be tried locally exactly as Envoy would run it.
import { Command, InvalidArgumentError, Option } from "commander";
import cluster from "node:cluster";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { LogLevel } from "../../proxy-wasm-host/index";
import { loadFilter } from "../filter-plugin";
import { startDemoUpstream, type DemoUpstream } from "../serve/demo-upstream";
import { startProxy } from "../serve/proxy";
import { defaultWasmPath } from "../paths";
import { parseByteSize, parseHostPort, parsePositiveInt } from "../args";
import { loadRuleSetTable, modeDirective } from "../ruleset/build";
import { bootstrapFiles, crsRuleFiles, crsVersion, findCrsDir, paranoiaDirective } from "../ruleset/crs";

export function serveCommand(): Command {
  return new Command("serve")
    .description("run a local WAF reverse proxy: every request and response goes through the filter, as in Envoy")
    .argument("[rules...]", "SecLang files to load instead of the default set (our bootstrap files + the OWASP CRS found)")
    .option("--listen <host:port>", "address to listen on", parseHostPort, { host: "127.0.0.1", port: 8080 })
    .option("--upstream <url>", "where allowed requests go (default: a built-in demo upstream that echoes what it received)", parseUpstream)
    .addOption(new Option("--mode <mode>", "detect: log and pass; block: enforce disruptive actions").choices(["detect", "block"]).default("detect"))
    .option("--crs <dir>", "OWASP CRS to load with the default set (default: $CRS_DIR, else Debian's /usr/share/modsecurity-crs)")
    .option("--paranoia <level>", "CRS paranoia level 1-4 for the default set", parseParanoia, 1)
    .option("--wasm <file>", "the filter module", defaultWasmPath())
    .option("--fail-open", "if the filter fails (traps), let traffic pass instead of answering 503", false)
    .option("--buffer-limit <bytes>", "Envoy's per-stream buffer limit for bodies the filter holds (e.g. 1m, 512k)", parseByteSize, 1024 * 1024)
    .option("--upstream-timeout <ms>", "answer 504 when the upstream sends no response headers in time (0: none)", parsePositiveInt, 15_000)
    .option("--concurrency <n>", "worker processes, each with its own VM, sharing the listening port (as Envoy runs one VM per worker thread)", parsePositiveInt, 1)
    .option("--log-level <level>", "lowest filter log level printed: trace|debug|info|warn|error|critical", "info")
    .option("-q, --quiet", "no access log lines", false)
    .action(async (rules: string[], opts: ServeOptions) => {
      await serve(rules, opts);
    });
}

interface ServeOptions {
  crs?: string;
  paranoia: number;
  listen: { host: string; port: number };
  upstream?: URL;
  mode: "detect" | "block";
  wasm: string;
  failOpen: boolean;
  bufferLimit: number;
  upstreamTimeout: number;
  logLevel: string;
  quiet: boolean;
  concurrency: number;
}

const LEVELS: LogLevel[] = ["trace", "debug", "info", "warn", "error", "critical"];

/** Set by the primary for its workers: the upstream they proxy to (the primary owns the demo upstream). */
const WORKER_UPSTREAM = "WAF_SERVE_WORKER_UPSTREAM";

async function serve(ruleFiles: string[], opts: ServeOptions): Promise<void> {
  if (!LEVELS.includes(opts.logLevel as LogLevel)) throw new InvalidArgumentError(`--log-level must be one of ${LEVELS.join(", ")}`);
  const worker = cluster.isWorker;
  const say = (line: string) => {
    if (!worker) process.stderr.write(line);
  };
  const wasmBytes = readWasm(opts.wasm);
  const rules = resolveRules(ruleFiles, opts, say);
  const started = performance.now();
  const ruleset = loadRuleSetTable(rules.files, [...rules.directives, modeDirective(opts.mode)]);
  for (const w of ruleset.warnings) say(`waf serve: warning: ${w.file}:${w.line}: ${w.directive}: ${w.message}\n`);
  say(
    `waf serve: rules: ${rules.description}, ${ruleset.rules} rules, table ${(ruleset.table.length / 1024).toFixed(0)} KiB ` +
      `(${ruleset.cached ? "from cache" : `compiled in ${((performance.now() - started) / 1000).toFixed(1)} s`})\n`,
  );
  if (opts.concurrency > 1 && cluster.isPrimary) return servePrimary(opts, wasmBytes);
  const plugin = await loadFilter({
    wasm: opts.wasm,
    table: ruleset.table,
    failOpen: opts.failOpen,
    bufferLimitBytes: opts.bufferLimit,
    // The host drops messages below this level before decoding them from the module's memory, and tells the module
    // the level (proxy_get_log_level), as Envoy does with its component log level.
    logLevel: opts.logLevel as LogLevel,
    logger: (level, message) => process.stderr.write(`[${level}] ${message}\n`),
  });

  let demo: DemoUpstream | undefined;
  let upstream = worker ? new URL(process.env[WORKER_UPSTREAM]!) : opts.upstream;
  if (!upstream) {
    demo = await startDemoUpstream();
    upstream = demo.url;
  }
  const proxy = await startProxy(opts.listen, {
    plugin,
    upstream,
    upstreamTimeoutMs: opts.upstreamTimeout,
    accessLog: opts.quiet ? undefined : (line) => process.stdout.write(line + "\n"),
  });
  if (worker) {
    // The primary announces the address once every worker listens; it stops workers with a "stop" message.
    process.send!({ listening: proxy.address });
    process.on("message", (m: unknown) => {
      if (m === "stop") void proxy.close().then(() => plugin.close()).then(() => process.exit(0));
    });
    process.on("SIGINT", () => {}); // the terminal's Ctrl-C reaches the whole group: the primary decides
    process.on("SIGTERM", () => {});
    return;
  }
  announce(proxy.address, upstream, demo !== undefined, opts, wasmBytes);

  onStopSignal(async () => {
    await proxy.close();
    await plugin.close();
    await demo?.close();
  });
}

/**
 * SIGINT/SIGTERM: drain (`drain`), say so, exit 0; the same signal again exits at once (130). The return value is
 * whether a stop is under way (a dead worker is then not replaced).
 */
function onStopSignal(drain: () => Promise<void>): () => boolean {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.stderr.write(`waf serve: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`waf serve: ${signal} received, draining connections\n`);
    await drain();
    process.stderr.write("waf serve: stopped\n");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  return () => stopping;
}

function announce(address: { address: string; family: string; port: number }, upstream: URL, demo: boolean, opts: ServeOptions, wasmBytes: Buffer): void {
  const digest = createHash("sha256").update(wasmBytes).digest("hex").slice(0, 12);
  const where = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const workers = opts.concurrency > 1 ? `, ${opts.concurrency} worker processes with one VM each` : "";
  process.stderr.write(
    `waf serve: listening on http://${where}:${address.port}/ → ${upstream.href}${demo ? " (built-in demo upstream)" : ""}\n` +
      `waf serve: filter ${opts.wasm} (sha256 ${digest}…), mode ${opts.mode}, failure policy ${opts.failOpen ? "fail open" : "fail closed"}${workers}\n`,
  );
}

/**
 * --concurrency N: the primary compiled the table (the workers load it from the on-disk cache), owns the demo
 * upstream, forks N workers that share the listening socket (node:cluster hands out connections), announces the
 * address once all listen, and drains them on SIGINT/SIGTERM. A worker that dies is replaced, as a crashed Envoy
 * worker's VM would be recreated.
 */
async function servePrimary(opts: ServeOptions, wasmBytes: Buffer): Promise<void> {
  let demo: DemoUpstream | undefined;
  let upstream = opts.upstream;
  if (!upstream) {
    demo = await startDemoUpstream();
    upstream = demo.url;
  }
  let address: { address: string; family: string; port: number } | undefined;
  const fork = () => cluster.fork({ [WORKER_UPSTREAM]: upstream!.href });
  const listening = new Promise<void>((resolve) => {
    let n = 0;
    cluster.on("message", (_w, m: { listening?: { address: string; family: string; port: number } }) => {
      if (m.listening && ++n === opts.concurrency) {
        address = m.listening;
        resolve();
      }
    });
  });
  const stopping = onStopSignal(async () => {
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(workers.map((w) => new Promise<void>((r) => (w.on("exit", () => r()), w.send("stop")))));
    await demo?.close();
  });
  cluster.on("exit", (w, code, signal) => {
    if (stopping()) return;
    process.stderr.write(`waf serve: worker ${w.process.pid} exited (${signal ?? code}); starting another\n`);
    fork();
  });
  for (let i = 0; i < opts.concurrency; i++) fork();
  await listening;
  announce(address!, upstream, demo !== undefined, opts, wasmBytes);
}

/** The rules to load: the files given, or the default set — our bootstrap files, then the CRS if one is found. */
function resolveRules(ruleFiles: string[], opts: ServeOptions, say: (line: string) => void): { files: string[]; directives: string[]; description: string } {
  if (ruleFiles.length > 0) return { files: ruleFiles, directives: [], description: ruleFiles.join(", ") };
  const crs = findCrsDir(opts.crs);
  if (!crs) {
    say(
      "waf serve: no OWASP CRS found (give --crs DIR, set CRS_DIR, or install Debian's modsecurity-crs); " +
        "loading the bootstrap rules only\n",
    );
    return { files: bootstrapFiles(), directives: [], description: "bootstrap rules only" };
  }
  const crsFiles = crsRuleFiles(crs);
  // The paranoia setup must come before the CRS rules; Include keeps that order after the bootstrap files.
  const directives = [paranoiaDirective(opts.paranoia), ...crsFiles.map((f) => `Include "${f}"`)];
  const version = crsVersion(crsFiles);
  return {
    files: bootstrapFiles(),
    directives,
    description: `bootstrap + OWASP CRS ${version ?? "(version unknown)"} from ${crs}, paranoia level ${opts.paranoia}`,
  };
}

function parseParanoia(value: string): number {
  if (!/^[1-4]$/.test(value)) throw new InvalidArgumentError(`expected a paranoia level 1, 2, 3 or 4, got "${value}"`);
  return Number(value);
}

function readWasm(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot read the filter module ${path}: ${code === "ENOENT" ? "no such file (run `npm run build` first?)" : code}`);
  }
}

function parseUpstream(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`expected an http:// URL such as http://127.0.0.1:3000, got "${value}"`);
  }
  if (url.protocol !== "http:") throw new InvalidArgumentError(`only http:// upstreams are supported, got "${url.protocol}"`);
  return url;
}
