// `waf serve`: the local WAF proxy. It loads the filter into our proxy-wasm host and proxies HTTP/1.1 to an
// upstream (or to a built-in demo upstream), so the filter can be tried locally exactly as Envoy would run it.
import { Command, InvalidArgumentError, Option } from "commander";
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
}

const LEVELS: LogLevel[] = ["trace", "debug", "info", "warn", "error", "critical"];

async function serve(ruleFiles: string[], opts: ServeOptions): Promise<void> {
  const minLevel = LEVELS.indexOf(opts.logLevel as LogLevel);
  if (minLevel < 0) throw new InvalidArgumentError(`--log-level must be one of ${LEVELS.join(", ")}`);
  const wasmBytes = readWasm(opts.wasm);
  const rules = resolveRules(ruleFiles, opts);
  const started = performance.now();
  const ruleset = loadRuleSetTable(rules.files, [...rules.directives, modeDirective(opts.mode)]);
  for (const w of ruleset.warnings) process.stderr.write(`waf serve: warning: ${w.file}:${w.line}: ${w.directive}: ${w.message}\n`);
  process.stderr.write(
    `waf serve: rules: ${rules.description}, ${ruleset.rules} rules, table ${(ruleset.table.length / 1024).toFixed(0)} KiB ` +
      `(${ruleset.cached ? "from cache" : `compiled in ${((performance.now() - started) / 1000).toFixed(1)} s`})\n`,
  );
  const plugin = await loadFilter({
    wasm: opts.wasm,
    table: ruleset.table,
    failOpen: opts.failOpen,
    bufferLimitBytes: opts.bufferLimit,
    logger: (level, message) => {
      if (LEVELS.indexOf(level) >= minLevel) process.stderr.write(`[${level}] ${message}\n`);
    },
  });

  let demo: DemoUpstream | undefined;
  let upstream = opts.upstream;
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
  const digest = createHash("sha256").update(wasmBytes).digest("hex").slice(0, 12);
  const where = proxy.address.family === "IPv6" ? `[${proxy.address.address}]` : proxy.address.address;
  process.stderr.write(
    `waf serve: listening on http://${where}:${proxy.address.port}/ → ${upstream.href}${demo ? " (built-in demo upstream)" : ""}\n` +
      `waf serve: filter ${opts.wasm} (sha256 ${digest}…), mode ${opts.mode}, failure policy ${opts.failOpen ? "fail open" : "fail closed"}\n`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      process.stderr.write(`waf serve: ${signal} again, exiting now\n`);
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(`waf serve: ${signal} received, draining connections\n`);
    await proxy.close();
    await plugin.close();
    await demo?.close();
    process.stderr.write("waf serve: stopped\n");
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

/** The rules to load: the files given, or the default set — our bootstrap files, then the CRS if one is found. */
function resolveRules(ruleFiles: string[], opts: ServeOptions): { files: string[]; directives: string[]; description: string } {
  if (ruleFiles.length > 0) return { files: ruleFiles, directives: [], description: ruleFiles.join(", ") };
  const crs = findCrsDir(opts.crs);
  if (!crs) {
    process.stderr.write(
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
