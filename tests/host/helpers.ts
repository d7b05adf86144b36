// Shared test helpers: build fixture modules once (cached by source hash in the OS temp dir), a
// recording StreamSink, a plugin factory with a log collector, and a tiny Wasm binary builder for
// modules AssemblyScript cannot produce (bad ABI marker, unknown imports).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { WasmPlugin, type HeaderList, type LogLevel, type PluginConfig, type StreamInfo, type StreamSink } from "../../proxy-wasm-host/index.js";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../..");

const ASC_FLAGS = ["--lib", "filter/shims", "--use", "abort=abort_proc_exit", "--exportStart", "_initialize", "--runtime", "incremental", "-O"];

/** Compiles tests/host/fixtures/<name>.as.ts once; later calls (and later runs) reuse the cached .wasm. */
export async function buildFixture(name: string): Promise<string> {
  const source = join(here, "fixtures", `${name}.as.ts`);
  const hash = createHash("sha256");
  hash.update(readFileSync(source));
  hash.update(readFileSync(join(repoRoot, "node_modules/@solo-io/proxy-runtime/package.json")));
  hash.update(readFileSync(join(repoRoot, "node_modules/assemblyscript/package.json")));
  for (const shim of ["filter/shims/rt/index-full.ts", "filter/shims/bindings/wasi_unstable.ts"]) hash.update(readFileSync(join(repoRoot, shim)));
  hash.update(ASC_FLAGS.join(" "));
  const dir = join(tmpdir(), "workload-waf-host-fixtures");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name}-${hash.digest("hex").slice(0, 16)}.wasm`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  let stderr = "";
  const cwd = process.cwd();
  process.chdir(repoRoot);
  try {
    // Loaded only when a fixture must be compiled: the compiler is large and the cache usually hits.
    const { default: asc } = await import("assemblyscript/asc");
    const { error } = await asc.main([source, ...ASC_FLAGS, "-o", tmp], {
      stdout: { write: () => true } as never,
      stderr: { write: (s: string) => ((stderr += s), true) } as never,
    });
    if (error) throw new Error(`asc failed for ${name}: ${error.message}\n${stderr}`);
  } finally {
    process.chdir(cwd);
  }
  renameSync(tmp, out);
  return out;
}

export interface LogLine {
  level: LogLevel;
  message: string;
}

export async function loadScript(script: string, extra: Partial<PluginConfig> = {}): Promise<{ plugin: WasmPlugin; logs: LogLine[] }> {
  const logs: LogLine[] = [];
  const plugin = await WasmPlugin.load({
    wasm: await buildFixture("scriptable"),
    rootId: "script",
    vmId: "vm-test",
    name: "script-plugin",
    configuration: script,
    logger: (level, message) => logs.push({ level, message }),
    ...extra,
  });
  return { plugin, logs };
}

/** The "cb <name> <id> <args>" lines the scriptable fixture logs, in order. */
export function callbacks(logs: LogLine[]): string[] {
  return logs.filter((l) => l.message.startsWith("cb ")).map((l) => l.message.slice(3));
}

/** The values the scriptable fixture emitted to the log ("emit key=value"), latest wins. */
export function emitted(logs: LogLine[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of logs) {
    if (!l.message.startsWith("emit ")) continue;
    const body = l.message.slice(5);
    const eq = body.indexOf("=");
    out[body.slice(0, eq)] = body.slice(eq + 1);
  }
  return out;
}

type HeadersKind = "requestHeaders" | "responseHeaders";
type DataKind = "requestData" | "responseData";
type TrailersKind = "requestTrailers" | "responseTrailers";
type ResetKind = "reset" | "upstreamReset";
export type SinkEvent =
  | { [K in HeadersKind]: { kind: K; headers: HeaderList; eos: boolean } }[HeadersKind]
  | { [K in DataKind]: { kind: K; data: string; eos: boolean } }[DataKind]
  | { [K in TrailersKind]: { kind: K; headers: HeaderList } }[TrailersKind]
  | { [K in ResetKind]: { kind: K; reason: string } }[ResetKind];

export class RecordingSink implements StreamSink {
  readonly events: SinkEvent[] = [];
  requestHeaders(headers: HeaderList, eos: boolean): void {
    this.events.push({ kind: "requestHeaders", headers, eos });
  }
  requestData(data: Uint8Array, eos: boolean): void {
    this.events.push({ kind: "requestData", data: Buffer.from(data).toString("latin1"), eos });
  }
  requestTrailers(headers: HeaderList): void {
    this.events.push({ kind: "requestTrailers", headers });
  }
  responseHeaders(headers: HeaderList, eos: boolean): void {
    this.events.push({ kind: "responseHeaders", headers, eos });
  }
  responseData(data: Uint8Array, eos: boolean): void {
    this.events.push({ kind: "responseData", data: Buffer.from(data).toString("latin1"), eos });
  }
  responseTrailers(headers: HeaderList): void {
    this.events.push({ kind: "responseTrailers", headers });
  }
  reset(reason: string): void {
    this.events.push({ kind: "reset", reason });
  }
  upstreamReset(reason: string): void {
    this.events.push({ kind: "upstreamReset", reason });
  }
  kinds(): string[] {
    return this.events.map((e) => e.kind);
  }
  first<K extends SinkEvent["kind"]>(kind: K): Extract<SinkEvent, { kind: K }> {
    const e = this.events.find((x) => x.kind === kind);
    if (!e) throw new Error(`no ${kind} event; got ${this.kinds().join(",")}`);
    return e as Extract<SinkEvent, { kind: K }>;
  }
  data(kind: "requestData" | "responseData"): string {
    return this.events.filter((e) => e.kind === kind).map((e) => (e as { data: string }).data).join("");
  }
}

export const INFO: StreamInfo = {
  requestId: "req-1",
  protocol: "HTTP/1.1",
  scheme: "http",
  source: { address: "10.0.0.7", port: 51234 },
  destination: { address: "10.0.0.1", port: 8080 },
};

export const GET: HeaderList = [
  [":method", "GET"],
  [":path", "/a/b?x=1"],
  [":authority", "example.test"],
  ["user-agent", "test-agent"],
];

export const enc = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
export const header = (list: HeaderList, key: string) => list.find(([k]) => k === key)?.[1];

// ------------------------------------------------------------------ hand-built Wasm binaries

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
const str = (s: string) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];

/**
 * A module exporting `memory`, `malloc` and the given no-op functions, importing the given functions.
 * Types: "params:results" with i/I letters, e.g. "iii:i".
 */
export function buildRawModule(opts: { imports?: Array<[string, string, string]>; exports: string[] }): Uint8Array {
  const types: string[] = [];
  const typeIndex = (sig: string) => {
    let i = types.indexOf(sig);
    if (i < 0) i = types.push(sig) - 1;
    return i;
  };
  const val = (c: string) => (c === "I" ? 0x7e : 0x7f);
  const imports = (opts.imports ?? []).map(([m, n, sig]) => [...str(m), ...str(n), 0x00, ...leb(typeIndex(sig))]);
  const voidType = typeIndex(":");
  const mallocType = typeIndex("i:i");
  const funcs = [mallocType, ...opts.exports.map(() => voidType)];
  const nImports = imports.length;
  const exportsSec = [
    [...str("memory"), 0x02, 0x00],
    [...str("malloc"), 0x00, ...leb(nImports)],
    ...opts.exports.map((name, i) => [...str(name), 0x00, ...leb(nImports + 1 + i)]),
  ];
  const typeSec = types.map((sig) => {
    const [p, r] = sig.split(":") as [string, string];
    return [0x60, ...leb(p.length), ...[...p].map(val), ...leb(r.length), ...[...r].map(val)];
  });
  const code = [
    [...leb(4), 0x00, 0x41, 0x08, 0x0b], // malloc: i32.const 8
    ...opts.exports.map(() => [...leb(2), 0x00, 0x0b]),
  ];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(typeSec)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs.map((t) => leb(t)))),
    ...section(5, vec([[0x00, 0x01]])),
    ...section(7, vec(exportsSec)),
    ...section(10, vec(code)),
  ]);
}
