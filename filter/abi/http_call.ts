// proxy_http_call from the root context (Envoy's async HTTP client to a named cluster) and reading the response
// inside proxy_on_http_call_response. Raw imports: the SDK's RootContext.httpCall keeps its own callback map and
// logs each call; the reload poller keeps one call in flight and matches the token itself.
import * as imports from "@solo-io/proxy-runtime/assembly/imports";
import { free } from "@solo-io/proxy-runtime/assembly/malloc";
import { serializePairs } from "./pairs";
import { toLatin1 } from "../engine/bytes";

const OUT_PTR: usize = memory.data(8, 4);
const HTTP_CALL_RESPONSE_HEADERS: i32 = 6;

export class Dispatch {
  /** proxy-wasm WasmResult: 0 = Ok (token is valid); 2 = BadArgument (unknown cluster, missing header). */
  result: u32 = 0;
  token: u32 = 0;
}

/** GET `path` on `cluster` with `:authority`, the extra headers given, and a timeout. */
export function dispatchGet(cluster: string, path: string, authority: string, names: Array<string>, values: Array<string>, timeoutMs: u32): Dispatch {
  const hn = [":method", ":path", ":authority"].concat(names);
  const hv = ["GET", path, authority].concat(values);
  const headers = serializePairs(hn, hv);
  const trailers = serializePairs([], []);
  const c = String.UTF8.encode(cluster);
  const out = new Dispatch();
  out.result = imports.proxy_http_call(changetype<usize>(c), c.byteLength, changetype<usize>(headers), headers.byteLength,
    0, 0, changetype<usize>(trailers), trailers.byteLength, timeoutMs, OUT_PTR);
  if (out.result == 0) out.token = load<u32>(OUT_PTR);
  return out;
}

/** A header of the http call response being delivered (latin1), or null when absent / outside the callback. */
export function responseHeader(name: string): string | null {
  const k = String.UTF8.encode(name);
  if (imports.proxy_get_header_map_value(HTTP_CALL_RESPONSE_HEADERS, changetype<usize>(k), k.byteLength, OUT_PTR, OUT_PTR + 4) != 0) return null;
  const ptr = load<usize>(OUT_PTR);
  if (ptr == 0) return "";
  // allocated by the host with the exported malloc (a pinned ArrayBuffer): unpin and keep it
  const b = changetype<ArrayBuffer>(ptr);
  free(ptr);
  return toLatin1(b);
}
