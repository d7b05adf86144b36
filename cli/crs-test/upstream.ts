// The backend of the CRS test setup: albedo (ghcr.io/coreruleset/albedo), which answers every request
// with an empty 200 except `POST /reflect`, whose JSON body says what to answer: {status, headers, body,
// encodedBody}. The response rules (95x, 959, 980) are tested through it, so the runner gives every
// transaction the response albedo would have sent, as Go's net/http would frame it.
import type { ParsedRequest } from "./codec";

export interface UpstreamResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

export function albedo(req: ParsedRequest): UpstreamResponse {
  const path = req.uri.toString("latin1").split("?")[0]!;
  if (req.method === "POST" && (path === "/reflect" || path === "/reflect/")) return reflect(req.body);
  return frame(200, [], Buffer.alloc(0));
}

function reflect(body: Buffer): UpstreamResponse {
  let spec: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(body.toString("utf8"));
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    // encoding/json matches field names case-insensitively.
    spec = Object.fromEntries(Object.entries(v).map(([k, x]) => [k.toLowerCase(), x]));
  } catch {
    return frame(400, [], Buffer.from("Invalid JSON in request body"));
  }
  const status = typeof spec.status === "number" ? spec.status : 0;
  if ((status > 0 && status < 100) || status >= 600) return frame(400, [], Buffer.from(`Invalid status code: ${status}`));
  const headers: Array<[string, string]> = [];
  if (spec.headers && typeof spec.headers === "object") {
    for (const [k, v] of Object.entries(spec.headers as Record<string, unknown>)) {
      if (typeof v === "string" && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k) && !/[\r\n\0]/.test(v)) headers.push([k, v]);
    }
  }
  let out = Buffer.alloc(0);
  if (typeof spec.body === "string" && spec.body !== "") out = Buffer.from(spec.body, "utf8");
  else if (typeof spec.encodedbody === "string" && spec.encodedbody !== "") out = Buffer.from(spec.encodedbody, "base64");
  return frame(status === 0 ? 200 : status, headers, out);
}

/** Go's net/http framing: Content-Type sniffed (http.DetectContentType) when a body has none, Content-Length. */
function frame(status: number, headers: Array<[string, string]>, body: Buffer): UpstreamResponse {
  const h = headers.slice();
  const has = (n: string) => h.some(([k]) => k.toLowerCase() === n);
  if (body.length > 0 && !has("content-type")) h.push(["Content-Type", detectContentType(body)]);
  if (!has("content-length")) h.push(["Content-Length", String(body.length)]);
  return { status, headers: h, body };
}

/** The text/html, text/xml and text/plain cases of Go's http.DetectContentType (others: octet-stream). */
export function detectContentType(data: Buffer): string {
  const b = data.subarray(0, 512);
  let i = 0;
  while (i < b.length && [0x09, 0x0a, 0x0c, 0x0d, 0x20].includes(b[i]!)) i++;
  const rest = b.subarray(i).toString("latin1");
  const html = ["<!DOCTYPE HTML", "<HTML", "<HEAD", "<SCRIPT", "<IFRAME", "<H1", "<DIV", "<FONT", "<TABLE", "<A", "<STYLE", "<TITLE", "<B", "<BODY", "<BR", "<P", "<!--"];
  for (const sig of html) {
    if (rest.length > sig.length && rest.slice(0, sig.length).toUpperCase() === sig && /[ >]/.test(rest[sig.length]!)) {
      return "text/html; charset=utf-8";
    }
  }
  if (rest.startsWith("<?xml")) return "text/xml; charset=utf-8";
  if (b.subarray(0, 5).toString("latin1") === "%PDF-") return "application/pdf";
  if (b[0] === 0xfe && b[1] === 0xff) return "text/plain; charset=utf-16be";
  if (b[0] === 0xff && b[1] === 0xfe) return "text/plain; charset=utf-16le";
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return "text/plain; charset=utf-8";
  for (const c of b) {
    if (c <= 0x08 || c === 0x0b || (c >= 0x0e && c <= 0x1a) || (c >= 0x1c && c <= 0x1f)) return "application/octet-stream";
  }
  return "text/plain; charset=utf-8";
}
