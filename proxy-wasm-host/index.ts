// Public surface of the proxy-wasm host: load a plugin, create streams, drive them.
export { WasmPlugin } from "./plugin.js";
export { PluginLoadError } from "./errors.js";
export type {
  HeaderList,
  HttpStream,
  LogLevel,
  MetricKind,
  MetricSnapshot,
  MetricsView,
  PluginConfig,
  StreamInfo,
  StreamSink,
} from "./types.js";
export { encodePairs, decodePairs } from "./pairs.js";
export { WasmResult, HeaderMapType, BufferType, StreamType, MetricType } from "./abi.js";
