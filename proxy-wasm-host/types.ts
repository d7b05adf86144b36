// The public contract of the host (what `waf serve` and the tests program against).

/** "Binary" (latin1) strings: one char = one byte, byte-exact; order and duplicates are kept. */
export type HeaderList = Array<[string, string]>;

export type LogLevel = "trace" | "debug" | "info" | "warn" | "error" | "critical";

export interface PluginConfig {
  /** Path (named in errors) or the module bytes. */
  wasm: string | Uint8Array;
  /** Plugin configuration bytes, handed to proxy_on_configure (PLUGIN_CONFIGURATION buffer). */
  configuration?: string | Uint8Array;
  /** VM configuration bytes, handed to proxy_on_vm_start (VM_CONFIGURATION buffer). */
  vmConfiguration?: string | Uint8Array;
  /** Envoy's plugin root_id (default ""), what the SDK matches registerRootContext() names against. */
  rootId?: string;
  /** Envoy's vm_id (default ""); shared data and queues are scoped by it. */
  vmId?: string;
  /** Envoy's plugin name (default ""): the `plugin_name` property. */
  name?: string;
  /** failure_policy FAIL_OPEN: a failed VM lets traffic through without the filter. Default fail closed. */
  failOpen?: boolean;
  /**
   * After the VM failed, the next stream gets a freshly instantiated, started and configured VM
   * (Envoy's FAIL_RELOAD behaviour). Default true. With false the VM stays dead, as Envoy's plain
   * FAIL_CLOSED/FAIL_OPEN do, and every later stream fails closed/open.
   */
  reloadOnFailure?: boolean;
  /** Envoy per-connection buffer limit (per_connection_buffer_limit_bytes), default 1 MiB. */
  bufferLimitBytes?: number;
  /** proxy_http_call cluster name → base URL (http:// or https://). */
  clusters?: Record<string, string>;
  logger?: (level: LogLevel, message: string) => void;
  /** Messages below this level are dropped, and proxy_get_log_level reports it. Default "info" (Envoy's default). */
  logLevel?: LogLevel;
  /** WASI environment variables (Envoy vm_config.environment_variables). Default none. */
  environment?: Record<string, string>;
  /** Run proxy_on_tick from real timers (setInterval, unref'd). Default false: the embedder calls tick(). */
  realTimers?: boolean;
  /** Wall clock in nanoseconds since the epoch (proxy_get_current_time_nanoseconds, WASI realtime). */
  clock?: () => bigint;
  /**
   * Apply what Envoy's HTTP/1 codec and connection manager do to request headers before the filter
   * chain sees them (Host → :authority, pseudo-headers first, :scheme, x-forwarded-proto,
   * x-request-id, hop-by-hop headers removed). Default true.
   */
  envoyRequestHeaders?: boolean;
  /**
   * Envoy's `allow_on_headers_stop_iteration` (default false): with false, StopIteration returned from
   * a headers callback is turned into StopAllIterationAndWatermark, as Envoy does for ABI 0.2.x.
   */
  allowOnHeadersStopIteration?: boolean;
}

export interface StreamInfo {
  requestId: string;
  /** e.g. "HTTP/1.1" */
  protocol: string;
  scheme: string;
  source: { address: string; port: number };
  destination: { address: string; port: number };
  /** Downstream connection id (`connection.id`); defaults to a per-plugin counter. */
  connectionId?: number;
}

/** What the filter chain lets through, as Envoy's filter manager would forward it. */
export interface StreamSink {
  /** To upstream (pseudo-headers included). */
  requestHeaders(headers: HeaderList, endOfStream: boolean): void;
  requestData(data: Uint8Array, endOfStream: boolean): void;
  requestTrailers(trailers: HeaderList): void;
  /** To the client (local replies included; ":status" included). */
  responseHeaders(headers: HeaderList, endOfStream: boolean): void;
  responseData(data: Uint8Array, endOfStream: boolean): void;
  responseTrailers(trailers: HeaderList): void;
  /** The stream must be closed (proxy_close_stream, failure, local reply impossible, ...). */
  reset(reason: string): void;
  /**
   * Optional: a local reply was sent after the request had started going upstream; Envoy resets the
   * upstream request at that point, so the embedder should abort it (further encode* calls are ignored).
   */
  upstreamReset?(reason: string): void;
}

export interface HttpStream {
  decodeHeaders(headers: HeaderList, endOfStream: boolean): void;
  decodeData(data: Uint8Array, endOfStream: boolean): void;
  decodeTrailers(trailers: HeaderList): void;
  encodeHeaders(headers: HeaderList, endOfStream: boolean): void;
  encodeData(data: Uint8Array, endOfStream: boolean): void;
  encodeTrailers(trailers: HeaderList): void;
  /** Stream finished or aborted: proxy_on_log, proxy_on_done, proxy_on_delete in Envoy's order. */
  complete(): void;
  readonly localReplySent: boolean;
  /** Total time spent inside the module's callbacks for this stream. */
  readonly wasmTimeNs: bigint;
  /** Addition: the context id the VM knows this stream by. */
  readonly contextId: number;
  /** Addition: the response code details Envoy would log (e.g. "via_upstream", "wasm_fail_stream"). */
  readonly responseCodeDetails: string | undefined;
}

export type MetricKind = "counter" | "gauge" | "histogram";
export interface MetricSnapshot {
  name: string;
  type: MetricKind;
  /** Counter total, gauge value, or histogram sample count. */
  value: number;
  /** Histogram only: the recorded values (the most recent 1000). */
  samples?: number[];
  /** Histogram only: sum of all recorded values. */
  sum?: number;
}
export interface MetricsView {
  get(name: string): MetricSnapshot | undefined;
  list(): MetricSnapshot[];
}
