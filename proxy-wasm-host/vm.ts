// One instance of the module: instantiation with our imports, the context table, and the wrapper
// every callback goes through. The wrapper reproduces cpp-host's call discipline: the current context
// is set for the call, the effective context is reset, actions the module requested (local replies,
// continue/close) run only after the call returned (DeferAfterCallActions), and a trap, proc_exit or
// abort marks the whole VM failed (WasmBase::fail) — every later callback is refused.
import { ALLOWED_DURING_INITIALIZE, HOSTCALL_SIGNATURES } from "./abi.js";
import type { ModuleShape } from "./bytecode.js";
import type { HostContext, RootContext } from "./context.js";
import { ProcExit, RestrictedHostcall } from "./errors.js";
import { buildEnvImports } from "./hostcalls.js";
import { MemoryAccess } from "./memory.js";
import type { MetricsRegistry } from "./metrics.js";
import type { Pair } from "./pairs.js";
import type { LogLevel } from "./types.js";
import { wasiImports } from "./wasi.js";
import type { WasmResultCode } from "./abi.js";

/** Plugin-level services a VM needs; they outlive any one VM (reloads keep them). */
export interface PluginRuntime {
  readonly name: string;
  readonly rootId: string;
  readonly vmId: string;
  readonly vmConfiguration: Uint8Array;
  readonly pluginConfiguration: Uint8Array;
  readonly metrics: MetricsRegistry;
  readonly logLevelIndex: number;
  readonly environment: Record<string, string>;
  readonly allowOnHeadersStopIteration: boolean;
  log(level: LogLevel, message: string): void;
  wallNs(): bigint;
  httpCall(vm: WasmVm, cluster: string, headers: Pair[], body: Uint8Array, trailers: Pair[], timeoutMs: number): { rc: WasmResultCode; token?: number };
  queueReady(vm: WasmVm, token: number): void;
  /** The module changed its tick period (real timers must follow). */
  tickPeriodChanged(vm: WasmVm): void;
}

export interface CallOutcome {
  /** false: the VM is (now) failed and the callback's result must be ignored. */
  ok: boolean;
  /** The export was not there: Envoy treats that as Continue / no-op. */
  missing: boolean;
  value: number;
  /** The module called proxy_send_local_response during this call (stopNextIteration). */
  stopIteration: boolean;
  /** Deferred actions, to run after the caller interpreted the result (DeferAfterCallActions). */
  actions: Array<() => void>;
  elapsedNs: bigint;
}

type Export = (...args: Array<number | bigint>) => number | bigint | undefined;

export class WasmVm {
  readonly memory: MemoryAccess;
  readonly contexts = new Map<number, HostContext>();
  root: RootContext | undefined;
  failed = false;
  failure: string | undefined;
  /** The context the running callback was made for, and the one proxy_set_effective_context chose. */
  current: HostContext | null = null;
  effectiveId = 0;
  stopNextIteration = false;
  initializing = false;
  nextHttpCallId = 1;
  private nextContextId = 1;
  private actions: Array<() => void> = [];
  private readonly exports: Record<string, unknown>;

  constructor(
    readonly runtime: PluginRuntime,
    module: WebAssembly.Module,
    shape: ModuleShape,
  ) {
    const env = buildEnvImports(this);
    const wasi = wasiImports({
      memory: () => this.memory,
      log: (level, msg) => runtime.log(level, msg),
      environment: runtime.environment,
      wallNs: () => runtime.wallNs(),
    });
    const importObject: Record<string, Record<string, unknown>> = {};
    for (const imp of shape.imports) {
      if (imp.kind !== "function") continue;
      const key = `${imp.module}.${imp.name}`;
      const impl =
        imp.module === "env"
          ? (env as Record<string, unknown>)[imp.name]
          : (wasi as Record<string, unknown>)[imp.name];
      const signature = HOSTCALL_SIGNATURES[key]!;
      (importObject[imp.module] ??= {})[imp.name] = this.guard(imp.name, key, signature, impl as (...a: unknown[]) => unknown);
    }
    const instance = new WebAssembly.Instance(module, importObject as WebAssembly.Imports);
    this.exports = instance.exports as Record<string, unknown>;
    const mem = this.exports["memory"];
    const malloc = (this.exports["malloc"] ?? this.exports["proxy_on_memory_allocate"]) as Export;
    this.memory = new MemoryAccess(mem as WebAssembly.Memory, (size) => Number(malloc(size)));
  }

  /**
   * Wraps a hostcall: i32 arguments arrive signed from V8 and are turned into the unsigned values the
   * ABI means (sizes, pointers, u32 ids); calls forbidden during initialization fail the VM as in
   * cpp-host's restricted-callback mode.
   */
  private guard(name: string, key: string, signature: string, impl: (...a: unknown[]) => unknown) {
    const params = signature.split(":")[0]!;
    const allowedEarly = ALLOWED_DURING_INITIALIZE.has(key) || ALLOWED_DURING_INITIALIZE.has(name);
    const check = (): void => {
      if (this.initializing && !allowedEarly) {
        throw new RestrictedHostcall(`${key} is not allowed during module initialization`);
      }
    };
    const f = impl as (...a: Array<number | bigint>) => unknown;
    // The common shapes get a wrapper without rest/spread arrays (hostcalls run several times per request).
    if (/^i{0,5}$/.test(params)) {
      switch (params.length) {
        case 0: return () => (check(), f());
        case 1: return (a: number) => (check(), f(a >>> 0));
        case 2: return (a: number, b: number) => (check(), f(a >>> 0, b >>> 0));
        case 3: return (a: number, b: number, c: number) => (check(), f(a >>> 0, b >>> 0, c >>> 0));
        case 4: return (a: number, b: number, c: number, d: number) => (check(), f(a >>> 0, b >>> 0, c >>> 0, d >>> 0));
        default: return (a: number, b: number, c: number, d: number, e: number) => (check(), f(a >>> 0, b >>> 0, c >>> 0, d >>> 0, e >>> 0));
      }
    }
    return (...args: unknown[]) => {
      check();
      for (let i = 0; i < args.length; i++) {
        if (params[i] === "i") args[i] = (args[i] as number) >>> 0;
      }
      return impl(...args);
    };
  }

  hasExport(name: string): boolean {
    return typeof this.exports[name] === "function";
  }

  allocContextId(): number {
    return this.nextContextId++;
  }

  /** contextOrEffectiveContext(): the effective context if it still exists, else the current one. */
  effectiveContext(): HostContext {
    if (this.effectiveId !== 0) {
      const c = this.contexts.get(this.effectiveId);
      if (c) return c;
    }
    return this.current ?? this.root!;
  }

  addAfterCallAction(action: () => void): void {
    this.actions.push(action);
  }

  fail(message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = message;
    this.runtime.log("error", message);
  }

  /** Calls an export for `ctx`. Never throws for module faults: they fail the VM instead. */
  call(ctx: HostContext | null, name: string, args: Array<number | bigint>): CallOutcome {
    const fn = this.exports[name] as Export | undefined;
    const outcome: CallOutcome = { ok: !this.failed, missing: false, value: 0, stopIteration: false, actions: [], elapsedNs: 0n };
    if (this.failed) return outcome;
    if (typeof fn !== "function") {
      outcome.missing = true;
      return outcome;
    }
    const saved = { current: this.current, effectiveId: this.effectiveId, actions: this.actions, stop: this.stopNextIteration };
    this.current = ctx;
    this.effectiveId = 0;
    this.actions = [];
    this.stopNextIteration = false;
    const t0 = process.hrtime.bigint();
    try {
      const v = fn(...args);
      outcome.value = typeof v === "bigint" ? Number(v) : (v ?? 0);
    } catch (err) {
      this.fail(`Function: ${name} failed: ${describeFault(err)}`);
      outcome.ok = false;
    } finally {
      outcome.elapsedNs = process.hrtime.bigint() - t0;
      outcome.stopIteration = this.stopNextIteration;
      outcome.actions = this.actions;
      this.current = saved.current;
      this.effectiveId = saved.effectiveId;
      this.actions = saved.actions;
      this.stopNextIteration = saved.stop;
    }
    return outcome;
  }

  /** proxy_on_delete for a root context whose proxy_on_done returned false, once it called proxy_done. */
  finishRootDelete(): void {
    const root = this.root;
    if (!root || root.deleted) return;
    root.deleted = true;
    const out = this.call(root, "proxy_on_delete", [root.id]);
    WasmVm.runActions(out);
  }

  /** Runs the deferred actions of a call, in order. */
  static runActions(outcome: CallOutcome): void {
    for (const action of outcome.actions) action();
  }
}

function describeFault(err: unknown): string {
  if (err instanceof ProcExit) return `proc_exit(${err.code})`;
  if (err instanceof WebAssembly.RuntimeError) return `Uncaught RuntimeError: ${err.message}`;
  if (err instanceof RestrictedHostcall) return err.message;
  if (err instanceof RangeError) return `Uncaught RangeError: ${err.message}`;
  // Anything else is a bug in a hostcall; keep its stack so it is not mistaken for a module trap.
  return `host error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
}
