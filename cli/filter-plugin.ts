// Loads the filter into our host configured exactly as envoy/envoy.yaml configures it in Envoy, so that
// `waf serve`, `waf check` (and through it `waf crs-test` and the benchmarks) run the module as Envoy will.
import { WasmPlugin, type LogLevel } from "../proxy-wasm-host/index";

/**
 * Envoy's `allow_on_headers_stop_iteration: true`, and the VM configuration that tells the filter so. With it the
 * filter can hold the response headers while it inspects the response body, and a phase-4 deny becomes a 403
 * before any byte of the response leaves. Without it, a StopIteration from a headers callback turns into
 * StopAllIteration and the body never reaches the filter until it lets the headers go (the filter then falls
 * back to resetting the stream).
 */
export const VM_CONFIGURATION = JSON.stringify({ allow_on_headers_stop_iteration: true });

export interface FilterOptions {
  wasm: string;
  table: Uint8Array;
  failOpen?: boolean;
  bufferLimitBytes?: number;
  logLevel?: LogLevel;
  logger: (level: LogLevel, message: string) => void;
}

export function loadFilter(opts: FilterOptions): Promise<WasmPlugin> {
  return WasmPlugin.load({
    wasm: opts.wasm,
    configuration: opts.table,
    vmConfiguration: VM_CONFIGURATION,
    allowOnHeadersStopIteration: true,
    rootId: "waf",
    vmId: "waf",
    name: "waf",
    failOpen: opts.failOpen ?? false,
    ...(opts.bufferLimitBytes !== undefined ? { bufferLimitBytes: opts.bufferLimitBytes } : {}),
    logLevel: opts.logLevel ?? "info",
    logger: opts.logger,
  });
}
