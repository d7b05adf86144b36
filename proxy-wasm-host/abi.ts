// Proxy-Wasm ABI v0.2.1 constants (proxy-wasm/spec abi-versions/v0.2.1) and the signatures of every
// hostcall we provide. The numeric values are part of the ABI: modules compare against them.

export const WasmResult = {
  Ok: 0,
  NotFound: 1,
  BadArgument: 2,
  SerializationFailure: 3,
  ParseFailure: 4,
  BadExpression: 5,
  InvalidMemoryAccess: 6,
  Empty: 7,
  CasMismatch: 8,
  ResultMismatch: 9,
  InternalFailure: 10,
  BrokenConnection: 11,
  Unimplemented: 12,
} as const;
export type WasmResultCode = (typeof WasmResult)[keyof typeof WasmResult];

export const HeaderMapType = {
  RequestHeaders: 0,
  RequestTrailers: 1,
  ResponseHeaders: 2,
  ResponseTrailers: 3,
  GrpcReceiveInitialMetadata: 4,
  GrpcReceiveTrailingMetadata: 5,
  HttpCallResponseHeaders: 6,
  HttpCallResponseTrailers: 7,
} as const;
export const HEADER_MAP_TYPE_MAX = 7;

export const BufferType = {
  HttpRequestBody: 0,
  HttpResponseBody: 1,
  NetworkDownstreamData: 2,
  NetworkUpstreamData: 3,
  HttpCallResponseBody: 4,
  GrpcReceiveBuffer: 5,
  VmConfiguration: 6,
  PluginConfiguration: 7,
  CallData: 8,
} as const;
export const BUFFER_TYPE_MAX = 8;

export const StreamType = { Request: 0, Response: 1, Downstream: 2, Upstream: 3 } as const;
export const STREAM_TYPE_MAX = 3;

export const MetricType = { Counter: 0, Gauge: 1, Histogram: 2 } as const;

/** proxy_log levels, in ABI order (trace = 0 ... critical = 5). */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "critical"] as const;

// Filter statuses as the module returns them.
export const FilterHeadersStatus = {
  Continue: 0,
  StopIteration: 1,
  ContinueAndEndStream: 2,
  StopAllIterationAndBuffer: 3,
  StopAllIterationAndWatermark: 4,
} as const;
export const FilterDataStatus = {
  Continue: 0,
  StopIterationAndBuffer: 1,
  StopIterationAndWatermark: 2,
  StopIterationNoBuffer: 3,
} as const;
export const FilterTrailersStatus = { Continue: 0, StopIteration: 1 } as const;

/** The ABI marker exports we accept (proxy-wasm-cpp-host BytecodeUtil::getAbiVersion). */
export const SUPPORTED_ABI_MARKERS = ["proxy_abi_version_0_2_0", "proxy_abi_version_0_2_1"] as const;
export const ALL_ABI_MARKER_PREFIX = "proxy_abi_version_";

/**
 * Wasm signatures of the hostcalls, "params:results" with i = i32, I = i64. Envoy's V8 runtime refuses
 * a module whose import type differs from the host function's ("Failed to load Wasm module due to an
 * import type mismatch"), so we check them too (cpp-host src/v8/v8.cc link()).
 */
export const HOSTCALL_SIGNATURES: Record<string, string> = {
  // env (Proxy-Wasm ABI 0.2.1, plus the 0.1.0 names Envoy still exports)
  "env.proxy_log": "iii:i",
  "env.proxy_get_log_level": "i:i",
  "env.proxy_get_status": "iii:i",
  "env.proxy_set_tick_period_milliseconds": "i:i",
  "env.proxy_get_current_time_nanoseconds": "i:i",
  "env.proxy_get_property": "iiii:i",
  "env.proxy_set_property": "iiii:i",
  "env.proxy_get_configuration": "ii:i",
  "env.proxy_continue_stream": "i:i",
  "env.proxy_continue_request": ":i",
  "env.proxy_continue_response": ":i",
  "env.proxy_close_stream": "i:i",
  "env.proxy_send_local_response": "iiiiiiii:i",
  "env.proxy_clear_route_cache": ":i",
  "env.proxy_get_shared_data": "iiiii:i",
  "env.proxy_set_shared_data": "iiiii:i",
  "env.proxy_register_shared_queue": "iii:i",
  "env.proxy_resolve_shared_queue": "iiiii:i",
  "env.proxy_dequeue_shared_queue": "iii:i",
  "env.proxy_enqueue_shared_queue": "iii:i",
  "env.proxy_add_header_map_value": "iiiii:i",
  "env.proxy_get_header_map_value": "iiiii:i",
  "env.proxy_get_header_map_pairs": "iii:i",
  "env.proxy_set_header_map_pairs": "iii:i",
  "env.proxy_replace_header_map_value": "iiiii:i",
  "env.proxy_remove_header_map_value": "iii:i",
  "env.proxy_get_header_map_size": "ii:i",
  "env.proxy_get_buffer_bytes": "iiiii:i",
  "env.proxy_get_buffer_status": "iii:i",
  "env.proxy_set_buffer_bytes": "iiiii:i",
  "env.proxy_http_call": "iiiiiiiiii:i",
  "env.proxy_dispatch_http_call": "iiiiiiiiii:i",
  "env.proxy_grpc_call": "iiiiiiiiiiii:i",
  "env.proxy_grpc_stream": "iiiiiiiii:i",
  "env.proxy_grpc_cancel": "i:i",
  "env.proxy_grpc_close": "i:i",
  "env.proxy_grpc_send": "iiii:i",
  "env.proxy_define_metric": "iiii:i",
  "env.proxy_increment_metric": "iI:i",
  "env.proxy_record_metric": "iI:i",
  "env.proxy_get_metric": "ii:i",
  "env.proxy_set_effective_context": "i:i",
  "env.proxy_done": ":i",
  "env.proxy_call_foreign_function": "iiiiii:i",
  // WASI (both namespaces, as cpp-host registers them)
  "wasi_snapshot_preview1.fd_write": "iiii:i",
  "wasi_snapshot_preview1.fd_read": "iiii:i",
  "wasi_snapshot_preview1.fd_seek": "iIii:i",
  "wasi_snapshot_preview1.fd_close": "i:i",
  "wasi_snapshot_preview1.fd_fdstat_get": "ii:i",
  "wasi_snapshot_preview1.fd_prestat_get": "ii:i",
  "wasi_snapshot_preview1.fd_prestat_dir_name": "iii:i",
  "wasi_snapshot_preview1.environ_get": "ii:i",
  "wasi_snapshot_preview1.environ_sizes_get": "ii:i",
  "wasi_snapshot_preview1.args_get": "ii:i",
  "wasi_snapshot_preview1.args_sizes_get": "ii:i",
  "wasi_snapshot_preview1.clock_time_get": "iIi:i",
  "wasi_snapshot_preview1.clock_res_get": "ii:i",
  "wasi_snapshot_preview1.random_get": "ii:i",
  "wasi_snapshot_preview1.proc_exit": "i:",
  "wasi_snapshot_preview1.sched_yield": ":i",
  "wasi_snapshot_preview1.poll_oneoff": "iiii:i",
  "wasi_snapshot_preview1.path_open": "iiiiiIIii:i",
};
for (const key of Object.keys(HOSTCALL_SIGNATURES)) {
  if (key.startsWith("wasi_snapshot_preview1.")) {
    HOSTCALL_SIGNATURES["wasi_unstable." + key.slice("wasi_snapshot_preview1.".length)] = HOSTCALL_SIGNATURES[key]!;
  }
}

/**
 * Hostcalls allowed while the module runs `_initialize`/`_start` (cpp-host WasmBase::startVm
 * setRestrictedCallback): Envoy refuses anything else there because no context exists yet.
 */
export const ALLOWED_DURING_INITIALIZE = new Set([
  "env.proxy_log",
  "env.emscripten_notify_memory_growth",
  "fd_write", "args_get", "args_sizes_get", "clock_time_get", "clock_res_get", "environ_get",
  "environ_sizes_get", "random_get", "proc_exit", "fd_close", "fd_fdstat_get", "fd_read", "fd_seek",
  "fd_prestat_get", "fd_prestat_dir_name", "path_open", "sched_yield", "poll_oneoff",
]);
