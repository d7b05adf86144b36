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

type Value = { kind: "bytes"; v: Uint8Array } | { kind: "map"; get(key: string): Value | undefined; pairs(): Pair[] };

const utf8 = (s: string): Value => ({ kind: "bytes", v: new Uint8Array(Buffer.from(s, "utf8")) });
const raw = (s: string): Value => ({ kind: "bytes", v: new Uint8Array(Buffer.from(s, "latin1")) });
function int64(n: number | bigint): Value {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
  return { kind: "bytes", v: b };
}
const bool = (x: boolean): Value => ({ kind: "bytes", v: new Uint8Array([x ? 1 : 0]) });

/** Envoy's HeadersWrapper: lookup by lower-case name, multiple values joined with ",". */
function headersValue(map: HeaderMap | null): Value {
  const view = (): Pair[] => {
    if (!map) return [];
    const seen = new Map<string, string[]>();
    for (const [k, v] of map.pairs()) {
      const list = seen.get(k);
      if (list) list.push(v);
      else seen.set(k, [v]);
    }
    return [...seen].map(([k, vs]) => [k, vs.join(",")]);
  };
  return {
    kind: "map",
    get: (key) => {
      const found = view().find(([k]) => k === key);
      return found ? raw(found[1]) : undefined;
    },
    pairs: view,
  };
}

function fields(entries: Record<string, () => Value | undefined>): Value {
  return {
    kind: "map",
    get: (key) => (Object.hasOwn(entries, key) ? entries[key]!() : undefined),
    // Envoy cannot list the keys of these wrapper maps either; serializing them as a whole fails.
    pairs: () => {
      throw new Error("not serializable");
    },
  };
}

function splitHostPort(address: string, port: number): string {
  return address.includes(":") && !address.startsWith("[") ? `[${address}]:${port}` : `${address}:${port}`;
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
  const reqHeader = (k: string): Value | undefined => {
    const v = s.requestHeaders?.get(k);
    return v === undefined ? undefined : raw(v);
  };
  switch (name) {
    case "request":
      return fields({
        path: () => reqHeader(":path"),
        url_path: () => {
          const p = s.requestHeaders?.get(":path");
          return p === undefined ? undefined : raw(p.split("?")[0]!);
        },
        host: () => reqHeader(":authority"),
        scheme: () => reqHeader(":scheme"),
        method: () => reqHeader(":method"),
        referer: () => reqHeader("referer"),
        useragent: () => reqHeader("user-agent"),
        id: () => reqHeader("x-request-id"),
        query: () => {
          const p = s.requestHeaders?.get(":path");
          if (p === undefined) return undefined;
          const q = p.indexOf("?");
          return raw(q < 0 ? "" : p.slice(q + 1));
        },
        headers: () => headersValue(s.requestHeaders),
        protocol: () => utf8(s.info.protocol),
        time: () => int64(s.startNs),
        duration: () => (s.endNs === undefined ? undefined : int64(s.endNs - s.startNs)),
        size: () => {
          const cl = s.requestHeaders?.get("content-length");
          return int64(cl !== undefined && /^\d+$/.test(cl) ? BigInt(cl) : BigInt(s.bytesReceived));
        },
      });
    case "response":
      return fields({
        code: () => (s.responseCode === undefined ? undefined : int64(s.responseCode)),
        code_details: () => (s.responseCodeDetails === undefined ? undefined : utf8(s.responseCodeDetails)),
        flags: () => int64(0),
        headers: () => headersValue(s.responseHeaders),
        trailers: () => headersValue(s.responseTrailers),
        size: () => int64(s.bytesSent),
      });
    case "source":
      return fields({
        address: () => utf8(splitHostPort(s.info.source.address, s.info.source.port)),
        port: () => int64(s.info.source.port),
      });
    case "destination":
      return fields({
        address: () => utf8(splitHostPort(s.info.destination.address, s.info.destination.port)),
        port: () => int64(s.info.destination.port),
      });
    case "connection":
      return fields({
        id: () => int64(s.connectionId),
        mtls: () => bool(false),
        requested_server_name: () => utf8(""),
      });
    case "connection_id":
      return int64(s.connectionId);
  }
  // Not a well-known name: filter state set through proxy_set_property (CelState, bytes prototype).
  const state = s.filterState.get(`wasm.${name}`);
  return state ? { kind: "bytes", v: state } : undefined;
}

export function getProperty(env: PropertyEnv, path: string): { rc: WasmResultCode; value?: Uint8Array } {
  // Envoy Context::getProperty: segments separated by NUL.
  const parts = path.length === 0 ? [] : path.split("\0");
  let value: Value | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i === 0) value = topLevel(env, part);
    else if (value?.kind === "map") value = value.get(part);
    else return { rc: WasmResult.NotFound };
    if (value === undefined) return { rc: WasmResult.NotFound };
  }
  // An empty path leaves Envoy with a null CEL value, which serializeValue refuses.
  if (value === undefined) return { rc: WasmResult.SerializationFailure };
  if (value.kind === "bytes") return { rc: WasmResult.Ok, value: value.v };
  try {
    return { rc: WasmResult.Ok, value: encodePairs(value.pairs()) };
  } catch {
    return { rc: WasmResult.SerializationFailure };
  }
}

/** Envoy Context::setProperty: needs a stream (NotFound in the root context); stores bytes as filter state. */
export function setProperty(env: PropertyEnv, path: string, value: Uint8Array): WasmResultCode {
  if (!env.stream) return WasmResult.NotFound;
  env.stream.filterState.set(`wasm.${path}`, new Uint8Array(value));
  return WasmResult.Ok;
}
