// Conversions between Node's raw HTTP/1 header arrays and the host's HeaderList, as Envoy's HTTP/1 codec
// presents them to filters. Header strings are "binary" (latin1): one char per byte, so a header is carried
// byte-exact from the client, through the filter, to the upstream and back.
import type { HeaderList } from "../../proxy-wasm-host/index";

// Hop-by-hop headers (RFC 9110 §7.6.1) are connection-scoped: Envoy's codec consumes them and never hands
// them to filters or forwards them, and neither do we.
const HOP_BY_HOP = new Set([
  "connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade", "trailer",
]);

function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name.toLowerCase());
}

/**
 * The request line and headers as the HTTP/1 codec parsed them. The host applies what Envoy's connection
 * manager does next (Host → :authority, :scheme, x-forwarded-proto, x-request-id, hop-by-hop headers removed),
 * so that behaviour lives in one place, the host.
 */
export function requestHeaderList(method: string, path: string, rawHeaders: string[]): HeaderList {
  const list: HeaderList = [[":method", method], [":path", path]];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) list.push([rawHeaders[i]!, rawHeaders[i + 1]!]);
  return list;
}

/** Response headers with `:status` first, as Envoy presents them. */
export function responseHeaderList(status: number, rawHeaders: string[]): HeaderList {
  const list: HeaderList = [[":status", String(status)]];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    if (!isHopByHop(name)) list.push([name, rawHeaders[i + 1]!]);
  }
  return list;
}

export function getHeader(list: HeaderList, name: string): string | undefined {
  for (const [k, v] of list) if (k === name) return v;
  return undefined;
}

/** Splits pseudo-headers off and flattens the rest for Node (`[k1, v1, k2, v2…]` keeps order and duplicates). */
export function toNodeHeaders(list: HeaderList): { pseudo: Map<string, string>; flat: string[] } {
  const pseudo = new Map<string, string>();
  const flat: string[] = [];
  for (const [k, v] of list) {
    if (k.startsWith(":")) pseudo.set(k, v);
    else if (!isHopByHop(k)) flat.push(k, v);
  }
  return { pseudo, flat };
}
