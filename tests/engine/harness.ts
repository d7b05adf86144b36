// Shared helpers of the engine tests: compile SecLang text to a WAFT table (front end + compileRuleSet), build
// build/waf.wasm when a filter source is newer, load it in the proxy-wasm host with a table as plugin
// configuration, and replay transactions as Envoy would (cli/replay/transaction.ts), collecting the JSON event,
// the human lines and the outcome.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseSecLang, loadSecLang } from "../../rulesets/seclang/index";
import { compileRuleSet } from "../../rulesets/compiler/index";
import { WasmPlugin } from "../../proxy-wasm-host/index";
import { replay, type RecordedTransaction, type ReplayOutcome } from "../../cli/replay/transaction";
import { repoRoot, crsDir } from "../support/paths";

/** Compiled regexes shared by every compilation of this process (the CRS compiles in seconds the second time). */
const regexCache = new Map();

export const WASM = join(repoRoot, "build/waf.wasm");

function newestUnder(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir, { recursive: true })) {
    const p = join(dir, String(f));
    if (p.endsWith(".ts") && !p.includes("__tests__")) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

let built = false;
let buildError: Error | null = null;
/** Builds build/waf.wasm (npm run build:wasm) when it is missing or older than a filter / table-format source. */
export function ensureWasm(): Uint8Array {
  if (buildError) throw buildError;
  if (!built) {
    built = true;
    const src = Math.max(newestUnder(join(repoRoot, "filter")), newestUnder(join(repoRoot, "rulesets/tables")));
    if (!existsSync(WASM) || statSync(WASM).mtimeMs < src) {
      try {
        execFileSync(process.execPath, [join(repoRoot, "node_modules/assemblyscript/bin/asc.js"), "filter/index.ts", "--target", "release"], {
          cwd: repoRoot,
          stdio: ["ignore", "inherit", "inherit"],
        });
      } catch (e) {
        buildError = e as Error;
        throw e;
      }
    }
  }
  return new Uint8Array(readFileSync(WASM));
}

/** SecLang text -> table bytes. */
export function compileText(text: string, file = "/rules/test.conf"): Uint8Array {
  const r = parseSecLang(text, file);
  if (r.errors.length) throw new Error(r.errors.map(String).join("\n"));
  return compileRuleSet(r.ruleset, { regexCache }).table;
}

/** Files (+ extra directives appended as a last file) -> table bytes. */
export function compileFiles(files: string[], directives: string[] = []): Uint8Array {
  const r = loadSecLang(files, { directives });
  if (r.errors.length) throw new Error(r.errors.map(String).join("\n"));
  return compileRuleSet(r.ruleset, { regexCache }).table;
}

export interface LogLine {
  level: string;
  message: string;
}

export interface Loaded {
  plugin: WasmPlugin;
  logs: LogLine[];
}

/** holdResponseHeaders: run the plugin as Envoy with allow_on_headers_stop_iteration: true and tell the filter so
 *  through the VM configuration (phase-4 denials are then 403 local replies before the response headers leave). */
export async function loadPlugin(table: Uint8Array | string, opts: { failOpen?: boolean; holdResponseHeaders?: boolean } = {}): Promise<Loaded> {
  const logs: LogLine[] = [];
  const plugin = await WasmPlugin.load({
    wasm: ensureWasm(),
    configuration: table,
    rootId: "waf",
    logger: (level, message) => logs.push({ level, message }),
    failOpen: opts.failOpen,
    ...(opts.holdResponseHeaders ? { vmConfiguration: '{"allow_on_headers_stop_iteration": true}', allowOnHeadersStopIteration: true } : {}),
  });
  return { plugin, logs };
}

export interface Tx {
  method?: string;
  uri?: string;
  headers?: Array<[string, string]>;
  body?: string | Uint8Array;
  response?: { status?: number; headers?: Array<[string, string]>; body?: string };
  /** The connection's original destination (Envoy's destination.address); 10.9.8.7:8080 when not given. */
  server?: { ip: string; port: number };
}

export interface Event {
  request_id: string;
  rules: Array<{ id: number; message: string; severity: number; file: string; line: number; data: string; disruptive: boolean }>;
  action: string;
  mode: string;
  count: number;
  [k: string]: unknown;
}

export interface Result {
  outcome: ReplayOutcome;
  /** The JSON event (null when none), and every warn/info line of this transaction. */
  event: Event | null;
  events: Event[];
  infos: string[];
  /** Every log line of this transaction, as text. */
  logs: string[];
  matched: number[];
}

const enc = (s: string | Uint8Array | undefined) => (s === undefined ? new Uint8Array(0) : typeof s === "string" ? new Uint8Array(Buffer.from(s, "latin1")) : s);

let seq = 0;
export function run(l: Loaded, t: Tx): Result {
  const before = l.logs.length;
  const rec: RecordedTransaction = {
    method: t.method ?? "GET",
    uri: t.uri ?? "/",
    version: "HTTP/1.1",
    headers: (t.headers ?? [["Host", "localhost"]]).map(([k, v]) => [enc(k), enc(v)]),
    body: enc(t.body),
    clientIp: "10.1.2.3",
    clientPort: 40000,
    serverIp: t.server?.ip ?? "10.9.8.7",
    serverPort: t.server?.port ?? 8080,
    response: t.response
      ? { status: t.response.status ?? 200, headers: (t.response.headers ?? []).map(([k, v]) => [enc(k), enc(v)]), body: enc(t.response.body) }
      : undefined,
  };
  const outcome = replay(l.plugin, rec, `req-${++seq}`);
  const mine = l.logs.slice(before);
  const events = mine.filter((x) => x.level === "warn" && x.message.startsWith("{")).map((x) => JSON.parse(x.message) as Event);
  const infos = mine.filter((x) => x.level === "info" && x.message.startsWith("WAF Process")).map((x) => x.message);
  const event = events[0] ?? null;
  return { outcome, event, events, infos, logs: mine.map((x) => x.message), matched: event ? event.rules.map((r) => r.id) : [] };
}

/** modsecdefault.conf, crs-setup.conf, then the CRS rules/*.conf of WAF_SHARED_DIR (never copied into the repo). */
export function crsFiles(version: "v4.28.0" | "v3.3.4" = "v4.28.0"): string[] | null {
  const dir = join(crsDir(version), "rules");
  if (!existsSync(dir)) return null;
  return [
    join(repoRoot, "rulesets/modsecdefault.conf"),
    join(repoRoot, "rulesets/crs-setup.conf"),
    ...readdirSync(dir).filter((f) => f.endsWith(".conf")).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map((f) => join(dir, f)),
  ];
}
