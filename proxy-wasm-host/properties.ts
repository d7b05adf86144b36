// proxy_get_property / proxy_set_property as Envoy answers them (source/extensions/common/wasm/
// context.cc getProperty/findValue/serializeValue and filters/common/expr/context.cc wrappers):
// the path is split at NUL bytes; strings are returned raw, integers (ports, codes, sizes, times) as
// 8-byte little-endian int64, booleans as one byte, maps in the header-pairs serialization. Values set
// with proxy_set_property live in the stream's filter state ("wasm.<name>") and read back as bytes.
import { WasmResult, type WasmResultCode } from "./abi.js";
import type { HeaderMap } from "./headers.js";
import { encodePairs, type Pair } from "./pairs.js";
import type { StreamInfo } from "./types.js";

export interface PropertyEnv {
  pluginName: string;
  rootId: string;
  vmId: string;
  /** Undefined in the root context (no stream info): request/response/source/... are NotFound. */
  stream?: {
    info: StreamInfo;
    connectionId: number;
    startNs: bigint;
    endNs?: bigint;
    /** The request headers Envoy's context currently holds (nulled once headers continue), or the access-log copy in on_log. */
    requestHeaders: HeaderMap | null;
    responseHeaders: HeaderMap | null;
    responseTrailers: HeaderMap | null;
    responseCode?: number;
    responseCodeDetails?: string;
    bytesReceived: number;
    bytesSent: number;
    filterState: Map<string, Uint8Array>;
  };
}

// A resolved path segment. The maps are plain tags resolved by a switch (no closures): property reads happen on
// every request, and building a closure per field per read was a measurable share of the host's cost.
type Value =
  | { kind: "bytes"; v: Uint8Array }
  /** A string value, encoded only when it is copied into the module (PropertyText). */
  | { kind: "text"; v: PropertyText }
  /** One of Envoy's wrapper maps (request, response, source, destination, connection): keys resolved by field(). */
  | { kind: "fields"; of: string }
  /** Envoy's HeadersWrapper over a header map (null: no map, an empty one). */
  | { kind: "headers"; map: HeaderMap | null };

type StreamEnv = NonNullable<PropertyEnv["stream"]>;

const bytes = (v: Uint8Array): Value => ({ kind: "bytes", v });
const utf8 = (s: string): Value => ({ kind: "text", v: { text: s, utf8: true } });
const raw = (s: string): Value => ({ kind: "text", v: { text: s, utf8: false } });
function int64(n: number | bigint): Value {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
  return bytes(b);
}
const bool = (x: boolean): Value => bytes(new Uint8Array([x ? 1 : 0]));

/** Envoy's HeadersWrapper view: one pair per distinct lower-case name (first-seen order), values joined with ",". */
function joinedHeaders(map: HeaderMap | null): Pair[] {
  if (!map) return [];
  const seen = new Map<string, string[]>();
  for (const [k, v] of map.view()) {
    const list = seen.get(k);
    if (list) list.push(v);
    else seen.set(k, [v]);
  }
  return [...seen].map(([k, vs]) => [k, vs.join(",")]);
}

/** HeadersWrapper lookup: the values of `key` joined with ",", or undefined when absent. */
function joinedHeader(map: HeaderMap | null, key: string): Value | undefined {
  if (!map) return undefined;
  let joined: string | undefined;
  for (const [k, v] of map.view()) if (k === key) joined = joined === undefined ? v : `${joined},${v}`;
  return joined === undefined ? undefined : raw(joined);
}

function splitHostPort(address: string, port: number): string {
  return address.includes(":") && !address.startsWith("[") ? `[${address}]:${port}` : `${address}:${port}`;
}

function reqHeader(s: StreamEnv, k: string): Value | undefined {
  const v = s.requestHeaders?.get(k);
  return v === undefined ? undefined : raw(v);
}

const WRAPPERS = new Set(["request", "response", "source", "destination", "connection"]);

/** Field `key` of wrapper map `of` (see topLevel); undefined when the wrapper has no such field or no value. */
function field(s: StreamEnv, of: string, key: string): Value | undefined {
  switch (of) {
    case "request":
      switch (key) {
        case "path": return reqHeader(s, ":path");
        case "url_path": {
          const p = s.requestHeaders?.get(":path");
          return p === undefined ? undefined : raw(p.split("?")[0]!);
        }
        case "host": return reqHeader(s, ":authority");
        case "scheme": return reqHeader(s, ":scheme");
        case "method": return reqHeader(s, ":method");
        case "referer": return reqHeader(s, "referer");
        case "useragent": return reqHeader(s, "user-agent");
        case "id": return reqHeader(s, "x-request-id");
        case "query": {
          const p = s.requestHeaders?.get(":path");
          if (p === undefined) return undefined;
          const q = p.indexOf("?");
          return raw(q < 0 ? "" : p.slice(q + 1));
        }
        case "headers": return { kind: "headers", map: s.requestHeaders };
        case "protocol": return utf8(s.info.protocol);
        case "time": return int64(s.startNs);
        case "duration": return s.endNs === undefined ? undefined : int64(s.endNs - s.startNs);
        case "size": {
          const cl = s.requestHeaders?.get("content-length");
          return int64(cl !== undefined && /^\d+$/.test(cl) ? BigInt(cl) : BigInt(s.bytesReceived));
        }
      }
      return undefined;
    case "response":
      switch (key) {
        case "code": return s.responseCode === undefined ? undefined : int64(s.responseCode);
        case "code_details": return s.responseCodeDetails === undefined ? undefined : utf8(s.responseCodeDetails);
        case "flags": return int64(0);
        case "headers": return { kind: "headers", map: s.responseHeaders };
        case "trailers": return { kind: "headers", map: s.responseTrailers };
        case "size": return int64(s.bytesSent);
      }
      return undefined;
    case "source":
    case "destination": {
      const a = of === "source" ? s.info.source : s.info.destination;
      if (key === "address") return utf8(splitHostPort(a.address, a.port));
      if (key === "port") return int64(a.port);
      return undefined;
    }
    case "connection":
      switch (key) {
        case "id": return int64(s.connectionId);
        case "mtls": return bool(false);
        case "requested_server_name": return utf8("");
      }
      return undefined;
  }
  return undefined;
}

function topLevel(env: PropertyEnv, name: string): Value | undefined {
  switch (name) {
    case "plugin_name":
      return utf8(env.pluginName);
    case "plugin_root_id":
      return utf8(env.rootId);
    case "plugin_vm_id":
      return utf8(env.vmId);
  }
  const s = env.stream;
  if (!s) return undefined;
  if (WRAPPERS.has(name)) return { kind: "fields", of: name };
  if (name === "connection_id") return int64(s.connectionId);
  // Not a well-known name: filter state set through proxy_set_property (CelState, bytes prototype).
  const state = s.filterState.get(`wasm.${name}`);
  return state ? bytes(state) : undefined;
}

/**
 * The two-segment paths into the wrapper maps ("source\0address", ...), resolved by field() without splitting
 * the path: modules read these on every request. A name missing here only takes the general walk below, and one
 * field() does not know gives NotFound either way, so this list is a shortcut, not a second definition.
 */
const WRAPPER_FIELDS = new Map<string, readonly [string, string]>();
for (const [of, keys] of [
  ["request", ["path", "url_path", "host", "scheme", "method", "referer", "useragent", "id", "query", "headers", "protocol", "time", "duration", "size"]],
  ["response", ["code", "code_details", "flags", "headers", "trailers", "size"]],
  ["source", ["address", "port"]],
  ["destination", ["address", "port"]],
  ["connection", ["id", "mtls", "requested_server_name"]],
] as const) {
  for (const key of keys) WRAPPER_FIELDS.set(`${of}\0${key}`, [of, key]);
}

/**
 * A string property value, handed over encoded (UTF-8, or latin1 for header-derived "binary" strings) but not
 * encoded here: the hostcall writes it straight into the module's memory (MemoryAccess.textToPointerSize).
 */
export interface PropertyText {
  text: string;
  utf8: boolean;
}

export function getProperty(env: PropertyEnv, path: string): { rc: WasmResultCode; value?: Uint8Array | PropertyText } {
  const wrapped = env.stream ? WRAPPER_FIELDS.get(path) : undefined;
  if (wrapped) {
    const value = field(env.stream!, wrapped[0], wrapped[1]);
    return value === undefined ? { rc: WasmResult.NotFound } : serialized(value);
  }
  // Envoy Context::getProperty: segments separated by NUL.
  let value: Value | undefined;
  let from = 0;
  for (let i = 0; path.length > 0; i++) {
    const nul = path.indexOf("\0", from);
    const part = nul < 0 ? path.slice(from) : path.slice(from, nul);
    if (i === 0) value = topLevel(env, part);
    else if (value?.kind === "fields") value = field(env.stream!, value.of, part);
    else if (value?.kind === "headers") value = joinedHeader(value.map, part);
    else return { rc: WasmResult.NotFound };
    if (value === undefined) return { rc: WasmResult.NotFound };
    if (nul < 0) break;
    from = nul + 1;
  }
  // An empty path leaves Envoy with a null CEL value, which serializeValue refuses.
  if (value === undefined) return { rc: WasmResult.SerializationFailure };
  return serialized(value);
}

/** Envoy serializeValue of a resolved value. */
function serialized(value: Value): { rc: WasmResultCode; value?: Uint8Array | PropertyText } {
  if (value.kind === "bytes" || value.kind === "text") return { rc: WasmResult.Ok, value: value.v };
  // Envoy cannot list the keys of the wrapper maps: serializing one as a whole fails.
  if (value.kind === "fields") return { rc: WasmResult.SerializationFailure };
  return { rc: WasmResult.Ok, value: encodePairs(joinedHeaders(value.map)) };
}

/** Envoy Context::setProperty: needs a stream (NotFound in the root context); stores bytes as filter state. */
export function setProperty(env: PropertyEnv, path: string, value: Uint8Array): WasmResultCode {
  if (!env.stream) return WasmResult.NotFound;
  env.stream.filterState.set(`wasm.${path}`, new Uint8Array(value));
  return WasmResult.Ok;
}
