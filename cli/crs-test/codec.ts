// What the proxy's HTTP/1 codec makes of the bytes a test client sends: the request the filter (or the
// ModSecurity peer) is given, or the answer the proxy sends without running any filter. This models
// Envoy's HTTP/1 server codec (BalsaParser) and connection manager with Envoy's defaults, plus
// `accept_http_10: true` (a WAF deployment should not answer 426 to HTTP/1.0 clients):
//  - request line `METHOD SP TARGET SP VERSION`, CRLF or bare LF; leading whitespace is an error;
//  - METHOD must be one Envoy knows (allow_custom_methods is off): the http-parser method list;
//  - VERSION must be HTTP/1.0 or HTTP/1.1 (HTTP/0.9 and anything else: 400);
//  - TARGET: no control bytes or spaces; a fragment ('#') is rejected (http_reject_path_with_fragment);
//    CONNECT needs authority-form host:port; "*" only with OPTIONS; absolute-form is split into :authority
//    (replacing Host) and the path (or "/"); anything else must start with '/';
//  - header names are tokens (no whitespace before ':'); obsolete line folding is rejected; values may not
//    hold NUL or other control bytes except HTAB; surrounding whitespace is trimmed; headers beyond
//    max_request_headers_kb (60 KiB) give 431;
//  - a request without Host gives 400 (missing_host_header);
//  - Content-Length must be digits (repeats must agree); Content-Length with Transfer-Encoding gives 400;
//    a Transfer-Encoding other than chunked gives 501; chunked bodies are de-chunked;
//  - a request whose headers or body never complete gets no answer at all (the client times out): status 0.
// Bytes after the body belong to a next request on the connection and are not part of this transaction.

export interface ParsedRequest {
  method: string;
  uri: Buffer;
  version: string;
  headers: Array<[Buffer, Buffer]>;
  body: Buffer;
  notes: string[];
}

export type CodecResult = { ok: true; request: ParsedRequest } | { ok: false; status: number; reason: string };

// http-parser's method list, which Envoy's Balsa codec keeps when custom methods are not allowed.
export const ENVOY_METHODS = new Set(
  ("DELETE GET HEAD POST PUT CONNECT OPTIONS TRACE COPY LOCK MKCOL MOVE PROPFIND PROPPATCH SEARCH UNLOCK BIND " +
    "REBIND UNBIND ACL REPORT MKACTIVITY CHECKOUT MERGE M-SEARCH NOTIFY SUBSCRIBE UNSUBSCRIBE PATCH PURGE " +
    "MKCALENDAR LINK UNLINK SOURCE").split(" "),
);

const MAX_HEADERS_BYTES = 60 * 1024;
const TCHAR = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const reject = (status: number, reason: string): CodecResult => ({ ok: false, status, reason });

export function parseHttp1(wire: Buffer): CodecResult {
  const notes: string[] = [];
  // Split the head into lines (CRLF or LF) up to the empty line.
  const lines: Buffer[] = [];
  let pos = 0;
  let headEnd = -1;
  while (pos <= wire.length) {
    const lf = wire.indexOf(0x0a, pos);
    if (lf < 0) break;
    let line = wire.subarray(pos, lf);
    if (line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    pos = lf + 1;
    if (line.length === 0) {
      if (lines.length === 0) continue; // leading empty lines are skipped, as every HTTP/1 parser does
      headEnd = pos;
      break;
    }
    lines.push(line);
  }
  if (headEnd < 0) {
    if (wire.length > MAX_HEADERS_BYTES) return reject(431, "request headers exceed max_request_headers_kb");
    return reject(0, "the request head never ends (no empty line): the proxy waits and the client times out");
  }
  if (headEnd > MAX_HEADERS_BYTES) return reject(431, "request headers exceed max_request_headers_kb");

  // Request line.
  const rl = lines[0]!.toString("latin1");
  if (/^[ \t]/.test(rl)) return reject(400, "whitespace before the method");
  const m = /^([^ ]+) +([^ ]+) +([^ ]+) *$/.exec(rl);
  if (!m) return reject(400, `malformed request line ${JSON.stringify(rl)}`);
  const method = m[1]!;
  let target = Buffer.from(m[2]!, "latin1");
  const version = m[3]!;
  if (!TCHAR.test(method) || !ENVOY_METHODS.has(method)) return reject(400, `method ${JSON.stringify(method)} is not one Envoy accepts`);
  if (version !== "HTTP/1.1" && version !== "HTTP/1.0") return reject(400, `HTTP version ${JSON.stringify(version)} is not HTTP/1.0 or HTTP/1.1`);
  if (target.some((b) => b <= 0x20 || b === 0x7f)) return reject(400, "control character in the request target");

  // Headers.
  const headers: Array<[Buffer, Buffer]> = [];
  for (const line of lines.slice(1)) {
    if (line[0] === 0x20 || line[0] === 0x09) return reject(400, "obsolete header line folding");
    const colon = line.indexOf(0x3a);
    if (colon <= 0) return reject(400, `header line without a name and ':' (${JSON.stringify(line.toString("latin1").slice(0, 40))})`);
    const name = line.subarray(0, colon);
    if (!TCHAR.test(name.toString("latin1"))) return reject(400, `invalid header name ${JSON.stringify(name.toString("latin1"))}`);
    let value = line.subarray(colon + 1);
    let a = 0;
    let b = value.length;
    while (a < b && (value[a] === 0x20 || value[a] === 0x09)) a++;
    while (b > a && (value[b - 1] === 0x20 || value[b - 1] === 0x09)) b--;
    value = value.subarray(a, b);
    if (value.some((c) => (c < 0x20 && c !== 0x09) || c === 0x7f)) {
      return reject(400, `control character in the value of header ${name.toString("latin1")}`);
    }
    headers.push([Buffer.from(name), Buffer.from(value)]);
  }
  const lower = (b: Buffer) => b.toString("latin1").toLowerCase();
  const values = (n: string) => headers.filter(([k]) => lower(k) === n).map(([, v]) => v.toString("latin1"));

  // Request target forms.
  const t = target.toString("latin1");
  if (t.includes("#")) return reject(400, "fragment in the request target (Envoy rejects paths with '#')");
  if (method === "CONNECT") {
    if (!/^[^/?]+:\d+$/.test(t)) return reject(400, "CONNECT needs an authority-form target host:port");
  } else if (t === "*") {
    if (method !== "OPTIONS") return reject(400, "'*' target with a method other than OPTIONS");
  } else if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(t)) {
    const am = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?]*)(.*)$/.exec(t)!;
    const authority = am[1]!;
    const path = am[2] === "" ? "/" : am[2]!.startsWith("?") ? "/" + am[2] : am[2]!;
    target = Buffer.from(path, "latin1");
    for (let i = headers.length - 1; i >= 0; i--) if (lower(headers[i]![0]) === "host") headers.splice(i, 1);
    headers.push([Buffer.from("Host"), Buffer.from(authority, "latin1")]);
    notes.push(`absolute-form target: Host set to ${authority}, path ${path}`);
  } else if (!t.startsWith("/")) {
    return reject(400, `request target ${JSON.stringify(t.slice(0, 40))} is not origin-form`);
  }
  if (values("host").length === 0) return reject(400, "missing Host header (missing_host_header)");

  // Body framing.
  const te = values("transfer-encoding");
  const cl = values("content-length");
  let body: Buffer = Buffer.alloc(0);
  const rest = wire.subarray(headEnd);
  if (te.length > 0) {
    if (cl.length > 0) return reject(400, "both Content-Length and Transfer-Encoding");
    const codings = te.join(",").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean);
    if (codings.length !== 1 || codings[0] !== "chunked") return reject(501, `unsupported Transfer-Encoding ${JSON.stringify(te.join(","))}`);
    const d = dechunk(rest);
    if (d === "incomplete") return reject(0, "the chunked body never ends: the proxy waits and the client times out");
    if (d === "invalid") return reject(400, "malformed chunked body");
    body = d.body;
    if (d.used < rest.length) notes.push(`${rest.length - d.used} byte(s) after the chunked body belong to a next request`);
  } else if (cl.length > 0) {
    if (cl.some((v) => !/^\d+$/.test(v))) return reject(400, `invalid Content-Length ${JSON.stringify(cl.join(","))}`);
    if (new Set(cl.map((v) => BigInt(v))).size > 1) return reject(400, "conflicting Content-Length headers");
    const n = Number(cl[0]);
    if (rest.length < n) return reject(0, `the body is ${rest.length} of the ${n} bytes announced: the proxy waits and the client times out`);
    body = Buffer.from(rest.subarray(0, n));
    if (rest.length > n) notes.push(`${rest.length - n} byte(s) after the Content-Length body belong to a next request`);
  } else if (rest.length > 0) {
    notes.push(`${rest.length} byte(s) after a request without a body belong to a next request`);
  }
  return { ok: true, request: { method, uri: Buffer.from(target), version, headers, body, notes } };
}

function dechunk(b: Buffer): { body: Buffer; used: number } | "incomplete" | "invalid" {
  const parts: Buffer[] = [];
  let p = 0;
  for (;;) {
    const lf = b.indexOf(0x0a, p);
    if (lf < 0) return "incomplete";
    const line = b.subarray(p, lf).toString("latin1").replace(/\r$/, "");
    const sm = /^([0-9a-fA-F]+)(?:;.*)?$/.exec(line);
    if (!sm) return "invalid";
    const size = parseInt(sm[1]!, 16);
    p = lf + 1;
    if (size === 0) {
      // trailers up to an empty line
      for (;;) {
        const e = b.indexOf(0x0a, p);
        if (e < 0) return "incomplete";
        const tl = b.subarray(p, e).toString("latin1").replace(/\r$/, "");
        p = e + 1;
        if (tl === "") return { body: Buffer.concat(parts), used: p };
      }
    }
    if (b.length < p + size) return "incomplete";
    parts.push(b.subarray(p, p + size));
    p += size;
    if (b[p] === 0x0d && b[p + 1] === 0x0a) p += 2;
    else if (b[p] === 0x0a) p += 1;
    else if (p >= b.length) return "incomplete";
    else return "invalid";
  }
}
