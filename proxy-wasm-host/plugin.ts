// A loaded plugin: the compiled module, its configuration, the plugin-level services that outlive
// VM instances (metrics, logger, http calls), and the current VM. Loading follows Envoy/cpp-host:
// parse and check the bytecode (ABI version marker, imports), instantiate, run _initialize (or _start)
// in restricted mode, create the root context, proxy_on_vm_start, proxy_on_configure. A VM that
// failed is replaced by a fresh one for the next stream (FAIL_RELOAD-style, see PluginConfig).
import { readFile } from "node:fs/promises";
import v8 from "node:v8";
import { ALL_ABI_MARKER_PREFIX, HOSTCALL_SIGNATURES, LOG_LEVELS, SUPPORTED_ABI_MARKERS, WasmResult } from "./abi.js";
import { CorruptModuleError, readModuleShape, type ModuleShape } from "./bytecode.js";
import { RootContext } from "./context.js";
import { PluginLoadError } from "./errors.js";
import { performHttpCall } from "./http-call.js";
import { MetricsRegistry } from "./metrics.js";
import { lowerAscii } from "./headers.js";
import type { Pair } from "./pairs.js";
import { StreamContext, VmlessStream } from "./stream.js";
import type { HttpStream, LogLevel, MetricsView, PluginConfig, StreamInfo, StreamSink } from "./types.js";
import { WasmVm, type PluginRuntime } from "./vm.js";

const DEFAULT_BUFFER_LIMIT = 1024 * 1024;
const moduleCache = new Map<string, WebAssembly.Module>();

/**
 * V8 as Envoy configures it for Wasm (proxy-wasm-cpp-host src/v8/v8.cc, engine(): `v8_flags.liftoff = false`): every
 * function is compiled by the optimising compiler when the module is compiled, with no baseline tier. Node's
 * default (Liftoff first, optimised once a function has run enough) is not what Envoy runs, and it made
 * measurements bimodal: a process whose hot functions had not tiered up yet ran them ~1.5× slower. The flag is read
 * when a module is compiled, so setting it before the first WebAssembly.compile suffices.
 */
let v8Configured = false;
function configureV8LikeEnvoy(): void {
  if (v8Configured) return;
  v8.setFlagsFromString("--no-liftoff");
  v8Configured = true;
}

function bytesOf(v: string | Uint8Array | undefined): Uint8Array {
  if (v === undefined) return new Uint8Array(0);
  return typeof v === "string" ? new Uint8Array(Buffer.from(v, "utf8")) : new Uint8Array(v);
}

/** Checks the module the way cpp-host does before instantiating it; returns its import/export shape. */
function checkModule(bytes: Uint8Array, label: string): ModuleShape {
  let shape: ModuleShape;
  try {
    shape = readModuleShape(bytes);
  } catch (err) {
    const why = err instanceof CorruptModuleError ? err.message : String(err);
    throw new PluginLoadError(`Failed to parse corrupted Wasm module ${label}: ${why}`, label, { cause: err });
  }
  const markers = shape.exports.filter((e) => e.startsWith(ALL_ABI_MARKER_PREFIX));
  if (!markers.some((m) => (SUPPORTED_ABI_MARKERS as readonly string[]).includes(m))) {
    const found = markers.length > 0 ? ` (it exports ${markers.join(", ")})` : "";
    throw new PluginLoadError(
      `Missing or unknown Proxy-Wasm ABI version in ${label}${found}: the module must export ${SUPPORTED_ABI_MARKERS.join(" or ")}`,
      label,
    );
  }
  for (const imp of shape.imports) {
    const key = `${imp.module}.${imp.name}`;
    const expected = HOSTCALL_SIGNATURES[key];
    if (imp.kind !== "function" || expected === undefined) {
      throw new PluginLoadError(`Failed to load Wasm module ${label} due to a missing import: ${key}`, label);
    }
    if (imp.signature !== expected) {
      let hint = "";
      if (key === "env.proxy_get_buffer_status" && imp.signature === "iiiii:i") {
        hint =
          " — this is @solo-io/proxy-runtime 0.1.8's proxy_set_buffer_status, declared with the import name" +
          " proxy_get_buffer_status; declare @external(\"env\", \"proxy_set_buffer_bytes\") yourself instead";
      }
      throw new PluginLoadError(
        `Failed to load Wasm module ${label} due to an import type mismatch: ${key} is (${imp.signature}), the host provides (${expected})${hint}`,
        label,
      );
    }
  }
  if (!shape.exports.includes("memory")) throw new PluginLoadError(`Wasm module ${label} does not export its memory`, label);
  if (!shape.exports.includes("malloc") && !shape.exports.includes("proxy_on_memory_allocate")) {
    throw new PluginLoadError(`Wasm module ${label} is missing malloc function.`, label);
  }
  return shape;
}

export class WasmPlugin {
  readonly metrics: MetricsView;
  private vm: WasmVm | undefined;
  private readonly runtime: PluginRuntime;
  private readonly pendingCalls = new Set<AbortController>();
  private timer: NodeJS.Timeout | undefined;
  private timerPeriod = 0;
  private connectionIds = 0;
  private closed = false;

  private constructor(
    private readonly cfg: PluginConfig,
    private readonly label: string,
    private readonly module: WebAssembly.Module,
    private readonly shape: ModuleShape,
  ) {
    const metrics = new MetricsRegistry();
    this.metrics = metrics;
    const logLevelIndex = LOG_LEVELS.indexOf(cfg.logLevel ?? "info");
    const logger = cfg.logger ?? (() => {});
    const clock = cfg.clock ?? millisecondClockNs();
    this.runtime = {
      name: cfg.name ?? "",
      rootId: cfg.rootId ?? "",
      vmId: cfg.vmId ?? "",
      vmConfiguration: bytesOf(cfg.vmConfiguration),
      pluginConfiguration: bytesOf(cfg.configuration),
      metrics,
      logLevelIndex,
      environment: cfg.environment ?? {},
      allowOnHeadersStopIteration: cfg.allowOnHeadersStopIteration ?? false,
      log: (level: LogLevel, message: string) => {
        if (LOG_LEVELS.indexOf(level) >= logLevelIndex) logger(level, message);
      },
      wallNs: clock,
      httpCall: (vm, cluster, headers, body, trailers, timeoutMs) => this.httpCall(vm, cluster, headers, body, trailers, timeoutMs),
      // Deferred: the hostcall runs inside the VM call, and the VM may not be installed yet (load).
      tickPeriodChanged: (vm) => queueMicrotask(() => vm === this.vm && this.syncTimer()),
      queueReady: (vm, token) => {
        if (vm !== this.vm || vm.failed || !vm.root || this.closed) return;
        WasmVm.runActions(vm.call(vm.root, "proxy_on_queue_ready", [vm.root.id, token]));
      },
    };
  }

  /** Loads, checks, instantiates, starts and configures the plugin. Throws PluginLoadError. */
  static async load(cfg: PluginConfig): Promise<WasmPlugin> {
    let bytes: Uint8Array;
    let label: string;
    if (typeof cfg.wasm === "string") {
      label = cfg.wasm;
      try {
        bytes = new Uint8Array(await readFile(cfg.wasm));
      } catch (err) {
        throw new PluginLoadError(`Cannot read Wasm module ${label}: ${(err as Error).message}`, label, { cause: err });
      }
    } else {
      bytes = cfg.wasm;
      label = "<wasm bytes>";
    }
    const shape = checkModule(bytes, label);
    const key = Buffer.from(await crypto.subtle.digest("SHA-256", bytes)).toString("hex");
    let module = moduleCache.get(key);
    if (!module) {
      configureV8LikeEnvoy();
      try {
        module = await WebAssembly.compile(bytes);
      } catch (err) {
        throw new PluginLoadError(`Failed to load Wasm bytecode ${label}: ${(err as Error).message}`, label, { cause: err });
      }
      moduleCache.set(key, module);
    }
    const plugin = new WasmPlugin(cfg, label, module, shape);
    const vm = plugin.startVm();
    if (typeof vm === "string") throw new PluginLoadError(`${vm} (${label})`, label);
    plugin.vm = vm;
    plugin.syncTimer();
    return plugin;
  }

  /** A fresh VM: instantiate, initialize, root context, vm start, configure. Returns an error message on failure. */
  private startVm(): WasmVm | string {
    let vm: WasmVm;
    try {
      vm = new WasmVm(this.runtime, this.module, this.shape);
    } catch (err) {
      return `Failed to instantiate Wasm module: ${(err as Error).message}`;
    }
    vm.initializing = true;
    const init = vm.hasExport("_initialize") ? "_initialize" : vm.hasExport("_start") ? "_start" : undefined;
    if (init) vm.call(null, init, []);
    if (init === "_initialize" && !vm.failed && vm.hasExport("main")) vm.call(null, "main", [0, 0]);
    vm.initializing = false;
    if (vm.failed) return `Failed to initialize Wasm code: ${vm.failure}`;
    const root = new RootContext(vm, vm.allocContextId());
    vm.root = root;
    vm.contexts.set(root.id, root);
    root.createdInVm = true;
    WasmVm.runActions(vm.call(root, "proxy_on_context_create", [root.id, 0]));
    const started = vm.call(root, "proxy_on_vm_start", [root.id, this.runtime.vmConfiguration.length]);
    WasmVm.runActions(started);
    if (vm.failed) return `Failed to start base Wasm: ${vm.failure}`;
    if (!started.missing && started.value === 0) return "Failed to start base Wasm: proxy_on_vm_start returned false";
    root.configuring = this.runtime.pluginConfiguration;
    const configured = vm.call(root, "proxy_on_configure", [root.id, this.runtime.pluginConfiguration.length]);
    root.configuring = null;
    WasmVm.runActions(configured);
    if (vm.failed) return `Failed to configure base Wasm plugin: ${vm.failure}`;
    if (!configured.missing && configured.value === 0) return "Failed to configure base Wasm plugin: proxy_on_configure returned false";
    return vm;
  }

  /** The VM for a new stream: the current one, or a fresh one if it failed and reloading is on. */
  private currentVm(): WasmVm | undefined {
    if (this.vm && this.vm.failed && (this.cfg.reloadOnFailure ?? true) && !this.closed) {
      this.runtime.log("warn", `Wasm VM failed (${this.vm.failure}); creating a new VM for ${this.label}`);
      const fresh = this.startVm();
      if (typeof fresh === "string") {
        this.runtime.log("error", `Wasm VM reload failed: ${fresh}`);
        return undefined;
      }
      this.vm = fresh;
      this.syncTimer();
    }
    return this.vm;
  }

  createStream(info: StreamInfo, sink: StreamSink): HttpStream {
    if (this.closed) throw new Error("WasmPlugin is closed");
    const vm = this.currentVm();
    const envoyRequestHeaders = this.cfg.envoyRequestHeaders ?? true;
    if (!vm) return new VmlessStream(sink, this.cfg.failOpen ?? false, info, envoyRequestHeaders);
    return new StreamContext(vm, info, sink, {
      failOpen: this.cfg.failOpen ?? false,
      bufferLimitBytes: this.cfg.bufferLimitBytes ?? DEFAULT_BUFFER_LIMIT,
      envoyRequestHeaders,
      allowOnHeadersStopIteration: this.cfg.allowOnHeadersStopIteration ?? false,
      connectionId: info.connectionId ?? ++this.connectionIds,
      wallNs: this.runtime.wallNs,
    });
  }

  /** Addition: whether the current VM has failed (the next stream will reload it). */
  get vmFailed(): boolean {
    return this.vm?.failed ?? true;
  }

  /** Addition: the tick period the module asked for (0 = none). */
  get tickPeriodMs(): number {
    return this.vm?.root?.tickPeriodMs ?? 0;
  }

  /** Addition (read-only): the current VM's linear memory size in bytes (WebAssembly memory buffer); 0 without a VM. */
  get memoryBytes(): number {
    return this.vm?.memory.byteLength ?? 0;
  }

  /** Runs proxy_on_tick once if the module set a tick period. */
  tick(): void {
    const vm = this.vm;
    if (this.closed || !vm || vm.failed || !vm.root || vm.root.tickPeriodMs === 0) return;
    WasmVm.runActions(vm.call(vm.root, "proxy_on_tick", [vm.root.id]));
    this.syncTimer();
  }

  private syncTimer(): void {
    if (!this.cfg.realTimers) return;
    const period = this.closed || !this.vm || this.vm.failed ? 0 : (this.vm.root?.tickPeriodMs ?? 0);
    if (period === this.timerPeriod) return;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.timerPeriod = period;
    if (period > 0) {
      this.timer = setInterval(() => this.tick(), period);
      this.timer.unref();
    }
  }

  private httpCall(vm: WasmVm, cluster: string, headers: Pair[], body: Uint8Array, _trailers: Pair[], timeoutMs: number) {
    const baseUrl = this.cfg.clusters?.[cluster];
    if (baseUrl === undefined) return { rc: WasmResult.BadArgument };
    const has = (k: string) => headers.some(([hk]) => lowerAscii(hk) === k);
    if (!has(":path") || !has(":method") || !has(":authority")) return { rc: WasmResult.BadArgument };
    const token = vm.nextHttpCallId++;
    const abort = new AbortController();
    this.pendingCalls.add(abort);
    void performHttpCall({ baseUrl, headers, body, timeoutMs, signal: abort.signal }).then((result) => {
      this.pendingCalls.delete(abort);
      if (abort.signal.aborted || this.closed || vm.failed || !vm.root) return;
      const root = vm.root;
      if (result === "reset") {
        // Context::onHttpCallFailure: the callback gets no headers/body, proxy_get_status says BrokenConnection.
        WasmVm.runActions(vm.call(root, "proxy_on_http_call_response", [root.id, token, 0, 0, 0]));
        return;
      }
      root.httpCallResponse = RootContext.responseMaps(result);
      const out = vm.call(root, "proxy_on_http_call_response", [
        root.id, token, result.headers.length, result.body.length, result.trailers.length,
      ]);
      root.httpCallResponse = null;
      WasmVm.runActions(out);
    });
    return { rc: WasmResult.Ok, token };
  }

  /** Stops timers, cancels pending http calls, then proxy_on_done / proxy_on_delete for the root context. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.syncTimer();
    if (this.timer) clearInterval(this.timer);
    for (const abort of this.pendingCalls) abort.abort();
    this.pendingCalls.clear();
    const vm = this.vm;
    if (!vm || vm.failed || !vm.root) return;
    const root = vm.root;
    const done = vm.call(root, "proxy_on_done", [root.id]);
    WasmVm.runActions(done);
    if (vm.failed) return;
    if (done.missing || done.value !== 0) vm.finishRootDelete();
    else root.pendingDone = true; // proxy_on_delete once the module calls proxy_done
  }
}

/** The wall clock in ns at ms resolution (Date.now()), the BigInt made once per millisecond: modules ask on every callback. */
function millisecondClockNs(): () => bigint {
  let ms = -1;
  let ns = 0n;
  return () => {
    const now = Date.now();
    if (now !== ms) {
      ms = now;
      ns = BigInt(now) * 1_000_000n;
    }
    return ns;
  };
}
