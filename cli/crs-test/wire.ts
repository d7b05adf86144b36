// The bytes a test client puts on the wire for one stage, reproduced from the two clients the CRS suites
// were written for: go-ftw (v4 tests) and the Python ftw (v3 tests). Their "magic" differs and matters,
// because the CRS tests were tuned against what these clients really send:
//
// go-ftw (ftwhttp/request.go, test/types.go):
//  - headers: `ordered_headers`, else the `headers` map sorted by name (byte order); header lookups are by
//    canonical name (Content-Type == content-type);
//  - autocomplete_headers (default true; `stop_magic: true` means false) with data: add
//    `Content-Type: application/x-www-form-urlencoded` when no Content-Type, then, when a Content-Type is
//    exactly that (case-insensitively) and url.QueryUnescape(data) == data, query-escape each key and value;
//  - any Content-Type containing "multipart/form-data;": every LF of the data becomes CRLF (whatever
//    autocomplete says; an existing CRLF becomes CR CR LF, as in go-ftw);
//  - autocomplete: `Connection: close` when absent; `Content-Length: len(data)` when absent and data is
//    non-empty or the method matches go-ftw's `^POST|PUT|PATCH|DELETE$` (sic: an unanchored alternation);
//  - `data` is a Go text/template with sprig functions: `{{ "x" | repeat N }}` is supported here;
//  - encoded_request: base64 of the whole request, sent as is (newlines in the base64 ignored).
// Python ftw (ftw/ruleset.py, ftw/http.py):
//  - `data` as a list is joined with CRLF; headers are sent in the YAML's order, values through str();
//  - unless stop_magic: Content-Type defaults to application/x-www-form-urlencoded (exact key
//    "Content-Type"); when the Content-Type is exactly that and unquote(data) == data, data becomes
//    urlencode(parse_qsl(data)) (blank values and parts without '=' are dropped, as parse_qsl does);
//    Content-Length defaults to len(data) in characters (the body is sent as UTF-8, so a non-ASCII body
//    gets a Content-Length shorter than its bytes — the server reads only that many);
//  - raw_request: the YAML string, UTF-8 encoded, then decoded with Python's 'unicode_escape' and encoded to
//    UTF-8 again (so "\r\n" escapes work and non-ASCII characters are double-encoded, as ftw does);
//  - encoded_request: base64 of the whole request.
// The request line is `METHOD SP URI SP VERSION CRLF` for both (ftw keeps the space before an empty version).

export type Bytes = Buffer;

const enc = (s: string): Buffer => Buffer.from(s, "utf8");

// ---------------------------------------------------------------- go-ftw
export interface GoFtwInput {
  method?: string;
  uri?: string;
  version?: string;
  /** Already ordered as go-ftw orders them (ordered_headers, or the map sorted by name). */
  headers: Array<[string, string]>;
  data?: Buffer;
  autocomplete: boolean;
  encodedRequest?: string;
}

const GO_METHODS_WITH_BODY = /^POST|PUT|PATCH|DELETE$/;

/** Go's textproto.CanonicalMIMEHeaderKey, enough for comparisons: ASCII case-insensitive. */
const canon = (name: string) => name.toLowerCase();

export function goFtwWire(i: GoFtwInput): Buffer {
  if (i.encodedRequest !== undefined && i.encodedRequest !== "") {
    return Buffer.from(i.encodedRequest.replace(/[\r\n]/g, ""), "base64");
  }
  const headers = i.headers.map(([k, v]) => [k, v] as [string, string]);
  const has = (name: string) => headers.some(([k]) => canon(k) === canon(name));
  let data = i.data ?? Buffer.alloc(0);
  const method = i.method ?? "GET";
  if (data.length > 0 && i.autocomplete) {
    if (!has("Content-Type")) headers.push(["Content-Type", "application/x-www-form-urlencoded"]);
    if (headers.some(([k, v]) => canon(k) === "content-type" && v.toLowerCase() === "application/x-www-form-urlencoded")) {
      data = goEncodeDataParameters(data);
    }
  }
  if (headers.some(([k, v]) => canon(k) === "content-type" && v.toLowerCase().includes("multipart/form-data;"))) {
    data = replaceAll(data, Buffer.from("\n"), Buffer.from("\r\n"));
  }
  if (i.autocomplete) {
    if (!has("Connection")) headers.push(["Connection", "close"]);
    if (!has("Content-Length") && (data.length > 0 || GO_METHODS_WITH_BODY.test(method))) {
      headers.push(["Content-Length", String(data.length)]);
    }
  }
  const parts: Buffer[] = [enc(`${method} ${i.uri ?? "/"} ${i.version ?? "HTTP/1.1"}\r\n`)];
  for (const [k, v] of headers) parts.push(enc(`${k}: ${v}\r\n`));
  parts.push(enc("\r\n"), data);
  return Buffer.concat(parts);
}

function goEncodeDataParameters(data: Buffer): Buffer {
  const s = data.toString("utf8");
  let unescaped: string | null;
  try {
    unescaped = goQueryUnescape(data);
  } catch {
    unescaped = "";
  }
  if (unescaped !== s) return data; // already escaped (or not decodable): sent as is
  const out: string[] = [];
  for (const token of s.split("&")) {
    const eq = token.indexOf("=");
    if (eq < 0) out.push(goQueryEscape(token));
    else out.push(`${goQueryEscape(token.slice(0, eq))}=${goQueryEscape(token.slice(eq + 1))}`);
  }
  return enc(out.join("&"));
}

/** Go's url.QueryUnescape: '+' is a space, '%' must introduce two hex digits (else an error). */
export function goQueryUnescape(data: Buffer): string {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    if (c === 0x25) {
      const h = data.subarray(i + 1, i + 3).toString("latin1");
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new Error("invalid URL escape");
      out.push(parseInt(h, 16));
      i += 2;
    } else out.push(c === 0x2b ? 0x20 : c);
  }
  return Buffer.from(out).toString("utf8");
}

/** Go's url.QueryEscape (and Python's quote_plus with safe=''): unreserved kept, space as '+'. */
export function goQueryEscape(s: string): string {
  let out = "";
  for (const b of enc(s)) {
    const ch = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(ch)) out += ch;
    else if (b === 0x20) out += "+";
    else out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** go-ftw runs `data` through text/template + sprig; the CRS tests use only `{{ "x" | repeat N }}`. */
export function goTemplate(data: string): string {
  return data.replace(/\{\{-?\s*(.*?)\s*-?\}\}/g, (whole, expr: string) => {
    const m = /^"((?:[^"\\]|\\.)*)"\s*\|\s*repeat\s+(\d+)$/.exec(expr) ?? /^repeat\s+(\d+)\s+"((?:[^"\\]|\\.)*)"$/.exec(expr);
    if (!m) throw new Error(`unsupported template expression ${whole}`);
    const [str, count] = /^"/.test(expr) ? [m[1]!, Number(m[2])] : [m[2]!, Number(m[1])];
    return JSON.parse(`"${str}"`).repeat(count);
  });
}

// ---------------------------------------------------------------- Python ftw (v3)
export interface PyFtwInput {
  method?: string;
  uri?: string;
  version?: string;
  /** In the YAML's order; Python dict keys are case-sensitive. */
  headers: Array<[string, string]>;
  data?: string | string[];
  stopMagic: boolean;
  rawRequest?: string;
  encodedRequest?: string;
}

export function pyFtwWire(i: PyFtwInput): Buffer {
  if (i.encodedRequest !== undefined && i.encodedRequest !== null) {
    return Buffer.from(i.encodedRequest.replace(/[^A-Za-z0-9+/=]/g, ""), "base64");
  }
  if (i.rawRequest !== undefined && i.rawRequest !== null) {
    return enc(pyUnicodeEscapeDecode(enc(i.rawRequest)));
  }
  const headers = i.headers.map(([k, v]) => [k, v] as [string, string]);
  const get = (k: string) => headers.find(([n]) => n === k)?.[1];
  const set = (k: string, v: string) => {
    const e = headers.find(([n]) => n === k);
    if (e) e[1] = v;
    else headers.push([k, v]);
  };
  let data = Array.isArray(i.data) ? i.data.join("\r\n") : (i.data ?? "");
  if (data !== "") {
    if (get("Content-Type") === undefined && !i.stopMagic) set("Content-Type", "application/x-www-form-urlencoded");
    if (get("Content-Type") === "application/x-www-form-urlencoded" && !i.stopMagic) {
      if (pyUnquote(data) === data) {
        const qs = pyParseQsl(data);
        if (qs.length !== 0) data = qs.map(([k, v]) => `${goQueryEscape(k)}=${goQueryEscape(v)}`).join("&");
      }
    }
    if (get("Content-Length") === undefined && !i.stopMagic) set("Content-Length", String([...data].length));
  }
  let head = `${i.method ?? "GET"} ${i.uri ?? "/"} ${i.version ?? "HTTP/1.1"}\r\n`;
  for (const [k, v] of headers) head += `${k}: ${v}\r\n`;
  return Buffer.concat([enc(head + "\r\n"), enc(data)]);
}

/** Python's urllib.parse.unquote (UTF-8, errors='replace'); '+' untouched, bad escapes kept. */
function pyUnquote(s: string): string {
  if (!s.includes("%")) return s;
  const bytes: number[] = [];
  const b = enc(s);
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x25 && /^[0-9a-fA-F]{2}$/.test(b.subarray(i + 1, i + 3).toString("latin1"))) {
      bytes.push(parseInt(b.subarray(i + 1, i + 3).toString("latin1"), 16));
      i += 2;
    } else bytes.push(b[i]!);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.from(bytes));
}

/** Python 3.10's parse_qsl(qs): '&'-separated, keep_blank_values=False, not strict. */
function pyParseQsl(qs: string): Array<[string, string]> {
  const r: Array<[string, string]> = [];
  for (const part of qs.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const name = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (value.length === 0) continue;
    r.push([pyUnquote(name.replace(/\+/g, " ")), pyUnquote(value.replace(/\+/g, " "))]);
  }
  return r;
}

/** Python's bytes.decode('unicode_escape'): backslash escapes processed, other bytes as Latin-1. */
export function pyUnicodeEscapeDecode(b: Buffer): string {
  let out = "";
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x5c || i + 1 >= b.length) {
      out += String.fromCharCode(c);
      continue;
    }
    const n = String.fromCharCode(b[i + 1]!);
    const simple: Record<string, string> = { "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\n": "" };
    if (n in simple) {
      out += simple[n];
      i++;
    } else if (/[0-7]/.test(n)) {
      const m = /^[0-7]{1,3}/.exec(b.subarray(i + 1, i + 4).toString("latin1"))![0];
      out += String.fromCharCode(parseInt(m, 8) & 0x1ff);
      i += m.length;
    } else if (n === "x" || n === "u" || n === "U") {
      const len = n === "x" ? 2 : n === "u" ? 4 : 8;
      const h = b.subarray(i + 2, i + 2 + len).toString("latin1");
      if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(h)) throw new Error(`truncated \\${n} escape in raw_request`);
      out += String.fromCodePoint(parseInt(h, 16));
      i += 1 + len;
    } else {
      out += "\\"; // unknown escapes stay as they are
    }
  }
  return out;
}

function replaceAll(buf: Buffer, from: Buffer, to: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = buf.indexOf(from); i >= 0; i = buf.indexOf(from, start)) {
    parts.push(buf.subarray(start, i), to);
    start = i + from.length;
  }
  parts.push(buf.subarray(start));
  return Buffer.concat(parts);
}
