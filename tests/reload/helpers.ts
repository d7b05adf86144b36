// Shared setup of the polling-mode tests: the controller's real HTTP endpoint (controller/server.ts, ETag and
// If-None-Match included) serving whatever table bytes a test puts in force, and build/waf.wasm loaded in the host
// with a JSON plugin configuration whose cluster points at that endpoint.
import { createHash } from "node:crypto";
import { startServer, type ServedState } from "../../controller/server";
import { controllerMetrics, type ControllerMetrics } from "../../controller/metrics";
import { WasmPlugin, PluginLoadError } from "../../proxy-wasm-host/index";
import { renderFilterConfig, type FilterPluginConfig } from "../../controller/filter-config";
import { ensureWasm, type Loaded, type LogLine } from "../engine/harness";

export const CLUSTER = "waf_controller";

/** A controller endpoint whose current table the test sets (null = none yet: 404). */
export interface TableEndpoint {
  url: string;
  metrics: ControllerMetrics;
  setTable(bytes: Uint8Array | null): string;
  /** GET /rulesets/current answered with this status code so far. */
  served(code: number): number;
  close(): Promise<void>;
}

export async function startTableEndpoint(): Promise<TableEndpoint> {
  let current: { sha256: string; bytes: Uint8Array } | null = null;
  const state: ServedState = {
    currentRuleSet: () => current,
    ruleSetBySha: (sha) => (current && current.sha256 === sha ? current : null),
    wasm: () => null,
    settingsDocument: () => null,
    ready: () => ({ ok: current !== null, reason: "test endpoint" }),
  };
  const metrics = controllerMetrics();
  const s = await startServer(0, "127.0.0.1", state, metrics);
  return {
    url: `http://127.0.0.1:${s.port}`,
    metrics,
    setTable(bytes) {
      current = bytes === null ? null : { sha256: createHash("sha256").update(bytes).digest("hex"), bytes };
      return current?.sha256 ?? "";
    },
    served(code) {
      return metrics.ruleSetRequests.get({ path: "/rulesets/current", code: String(code) });
    },
    close: () => s.close(),
  };
}

export function pollingConfig(over: Partial<FilterPluginConfig> = {}): FilterPluginConfig {
  return {
    mode: "block",
    controller: { cluster: CLUSTER, authority: "waf-controller.test" },
    ruleset: { path: "/rulesets/current", poll_interval_ms: 100 },
    ...over,
  };
}

/** Loads build/waf.wasm with a JSON configuration; the cluster maps to `baseUrl`; ticks from real timers. */
export async function loadPolling(configuration: string, baseUrl: string): Promise<Loaded> {
  const logs: LogLine[] = [];
  const plugin = await WasmPlugin.load({
    wasm: ensureWasm(),
    configuration,
    rootId: "waf",
    clusters: { [CLUSTER]: baseUrl },
    realTimers: true,
    logger: (level, message) => logs.push({ level, message }),
  });
  return { plugin, logs };
}

/** What configure says about a configuration the filter must refuse: the load error and the filter's error lines. */
export async function refusedConfiguration(configuration: string): Promise<{ error: PluginLoadError; errors: string[] }> {
  const logs: LogLine[] = [];
  try {
    const p = await WasmPlugin.load({ wasm: ensureWasm(), configuration, rootId: "waf", logger: (level, message) => logs.push({ level, message }) });
    await p.close();
  } catch (e) {
    if (!(e instanceof PluginLoadError)) throw e;
    return { error: e, errors: logs.filter((l) => l.level === "error").map((l) => l.message) };
  }
  throw new Error(`the filter accepted ${configuration}`);
}

export function metric(l: Loaded, name: string): number {
  return l.plugin.metrics.get(name)?.value ?? 0;
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 8000): Promise<NonNullable<T>> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export { renderFilterConfig };
