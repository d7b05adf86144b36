// Canonical, order-insensitive form of variable entries (ModSecurity's collections are hash maps).
import type { PeerEntry } from "../peers/modsecurity-parsers/peer";

const show = (b: Uint8Array) => JSON.stringify(Buffer.from(b).toString("latin1"));

export function canon(list: PeerEntry[], vars: Set<string>): string[] {
  return list
    .filter((e) => vars.has(e.v))
    .map((e) => `${e.v} ${show(e.k)} ${show(e.val)}`)
    .sort();
}

/** Multiset difference, both ways. */
export function diff(a: string[], b: string[]): { onlyA: string[]; onlyB: string[] } {
  const m = new Map<string, number>();
  for (const x of a) m.set(x, (m.get(x) ?? 0) + 1);
  const onlyB: string[] = [];
  for (const x of b) {
    const c = m.get(x) ?? 0;
    if (c > 0) m.set(x, c - 1);
    else onlyB.push(x);
  }
  const onlyA: string[] = [];
  for (const [x, c] of m) for (let i = 0; i < c; i++) onlyA.push(x);
  return { onlyA, onlyB };
}

export const VARS = {
  get: new Set(["ARGS", "ARGS_GET", "ARGS_POST", "URLENCODED_ERROR"]),
  post: new Set(["ARGS", "ARGS_GET", "ARGS_POST", "URLENCODED_ERROR"]),
  cookie: new Set(["REQUEST_COOKIES", "REQUEST_COOKIES_NAMES"]),
  multipart: new Set([
    "ARGS", "ARGS_POST", "FILES", "FILES_NAMES", "FILES_SIZES", "FILES_TMP_CONTENT", "FILES_COMBINED_SIZE",
    "MULTIPART_NAME", "MULTIPART_FILENAME", "MULTIPART_PART_HEADERS", "MULTIPART_BOUNDARY_QUOTED",
    "MULTIPART_BOUNDARY_WHITESPACE", "MULTIPART_CRLF_LF_LINES", "MULTIPART_DATA_AFTER", "MULTIPART_DATA_BEFORE",
    "MULTIPART_FILE_LIMIT_EXCEEDED", "MULTIPART_HEADER_FOLDING", "MULTIPART_INVALID_HEADER_FOLDING",
    "MULTIPART_INVALID_PART", "MULTIPART_INVALID_QUOTING", "MULTIPART_LF_LINE", "MULTIPART_MISSING_SEMICOLON",
    "MULTIPART_STRICT_ERROR", "MULTIPART_UNMATCHED_BOUNDARY", "REQBODY_ERROR", "REQBODY_ERROR_MSG",
    "REQBODY_PROCESSOR_ERROR",
  ]),
  json: new Set(["ARGS", "ARGS_GET", "ARGS_POST", "REQBODY_ERROR", "REQBODY_ERROR_MSG", "REQBODY_PROCESSOR_ERROR"]),
  xml: new Set(["XML", "REQBODY_ERROR", "REQBODY_ERROR_MSG", "REQBODY_PROCESSOR_ERROR"]),
};
