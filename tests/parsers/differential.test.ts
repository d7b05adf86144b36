// Differential test of filter/parsers against libmodsecurity 3.0.9 (Debian libmodsecurity3), the reference
// engine: every input goes through both and the extracted variables must be byte-identical (as multisets:
// ModSecurity's collections are hash maps). Inputs: CRS regression-test requests, hand-written edge cases,
// seeded random mutations. Known, justified differences are listed in KNOWN below (none expected otherwise).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { ParsersModule, toEntries, type Raw } from "./wasm";
import { runPeer, type PeerRequest, type PeerEntry } from "../peers/modsecurity-parsers/peer";
import { modsecUnavailable } from "../peers/modsecurity-parsers/build";
import { canon, diff, VARS } from "./canon";
import {
  b, crlf, crsInputs, rng, mutate, QUERY_CASES, COOKIE_CASES, MP_CT, MP_BODIES, JSON_CASES, XML_CASES,
} from "./corpus";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
// Skipped, with the reason, only outside CI: .ci/run installs the peer, so in CI its absence fails the build.
const skip = process.env.CI ? false : (modsecUnavailable() ?? false);
let mod: ParsersModule;
let crs: ReturnType<typeof crsInputs>;

before(async () => {
  if (skip) return;
  mod = await ParsersModule.load();
  crs = crsInputs(repoRoot);
});

type Kind = keyof typeof VARS;

interface Case {
  req: PeerRequest;
  run: () => Raw;
  kind: Kind;
  label: string;
}

const H = (k: string, v: string | Uint8Array): [string, Uint8Array] => [k, typeof v === "string" ? b(v) : v];

function show(x: Uint8Array, max = 160): string {
  const s = JSON.stringify(Buffer.from(x).toString("latin1"));
  return s.length > max ? s.slice(0, max) + "…" : s;
}

async function compare(name: string, cases: Case[], extra: string[] = []): Promise<PeerEntry[][]> {
  const peer = await runPeer(cases.map((c) => c.req), extra);
  const failures: string[] = [];
  let entries = 0;
  cases.forEach((c, i) => {
    const vars = VARS[c.kind];
    const want = canon(intended(peer[i] as PeerEntry[]), vars);
    const got = canon(toEntries(c.kind, c.run()), vars);
    entries += want.length;
    const d = diff(want, got);
    if (d.onlyA.length || d.onlyB.length) {
      failures.push(`${c.label}\n    modsecurity only: ${d.onlyA.join("\n                      ")}\n    ours only:        ${d.onlyB.join("\n                      ")}`);
    }
  });
  console.log(`# ${name}: ${cases.length} inputs, ${entries} reference entries, ${failures.length} differences`);
  if (failures.length) assert.fail(`${failures.length} differences (first 8):\n  ${failures.slice(0, 8).join("\n  ")}`);
  return peer;
}

function withMutations(seeds: Uint8Array[], n: number, seed: number, alphabet: string[]): Uint8Array[] {
  const r = rng(seed);
  const out = [...seeds];
  const base = seeds.filter((s) => s.length > 0);
  for (let i = 0; i < n && base.length; i++) out.push(mutate(base[Math.floor(r() * base.length)], r, alphabet));
  return out;
}

const dedupe = (xs: Uint8Array[]) => {
  const seen = new Set<string>();
  return xs.filter((x) => {
    const k = Buffer.from(x).toString("latin1");
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
};

// ---------------------------------------------------------------- urlencoded

const URL_ALPHA = ["&", "=", "%", "%4", "%41", "%zz", "+", ";", "%00", "\x00", "==", "&&", "%%", "a", "\xff"];

function urlCases(kind: "get" | "post", inputs: Uint8Array[], sep = 0x26, limit = -1): Case[] {
  return inputs.map((s, i) => ({
    kind,
    label: `${kind}[${i}] ${show(s)}`,
    req:
      kind === "get"
        ? { method: "GET", uri: new Uint8Array([...b("/?"), ...s]), headers: [H("Host", "x")], body: new Uint8Array(0) }
        : { method: "POST", uri: b("/"), headers: [H("Host", "x"), H("Content-Type", "application/x-www-form-urlencoded")], body: s },
    run: () => mod.urlencoded(s, sep, limit, 0),
  }));
}

test("urlencoded: query strings and bodies", { skip }, async () => {
  const q = dedupe(withMutations([...QUERY_CASES.map(b), ...crs.query], 400, 1, URL_ALPHA)).filter(
    (s) => !s.includes(0) && !s.includes(0x23),
  );
  await compare("urlencoded query (ARGS_GET)", urlCases("get", q));
  const p = dedupe(withMutations([...QUERY_CASES.map(b), ...crs.urlencoded], 400, 2, URL_ALPHA));
  await compare("urlencoded body (ARGS_POST)", urlCases("post", p));
  await compare("urlencoded body, SecArgumentSeparator ;", urlCases("post", p.slice(0, 200), 0x3b), ["SecArgumentSeparator ;"]);
  await compare("urlencoded body, SecArgumentsLimit 2", urlCases("post", p.slice(0, 200), 0x26, 2), ["SecArgumentsLimit 2"]);
});

// ---------------------------------------------------------------- cookies

test("cookies: REQUEST_COOKIES / _NAMES", { skip }, async () => {
  const c = dedupe(withMutations([...COOKIE_CASES.map(b), ...crs.cookie], 300, 3, [";", "=", " ", "\t", ";;", "\x0b", "a", "\x00"]));
  await compare(
    "cookies",
    c.map((s, i) => ({
      kind: "cookie" as const,
      label: `cookie[${i}] ${show(s)}`,
      req: { method: "GET", uri: b("/"), headers: [H("Host", "x"), H("Cookie", s)], body: new Uint8Array(0) },
      run: () => mod.cookies(s),
    })),
  );
});

// ---------------------------------------------------------------- multipart

const MP_ALPHA = ["\r\n", "\n", "\r", "--", "--XyZ", "--XyZ--", ";", '"', "'", " ", "\t", ":", "=", "\x00", "name=", "filename=", "\r\n\r\n"];

function mpCases(inputs: { ct: Uint8Array; body: Uint8Array }[], opts: { extract?: boolean; fileLimit?: number; chunk?: number } = {}): Case[] {
  return inputs.map(({ ct, body }, i) => ({
    kind: "multipart" as const,
    label: `multipart[${i}] ct=${show(ct, 80)} body=${show(body, 300)}`,
    req: { method: "POST", uri: b("/"), headers: [H("Host", "x"), H("Content-Type", ct)], body },
    run: () => mod.multipart(ct, body, opts),
  }));
}

test("multipart: fields, files, MULTIPART_* flags, errors", { skip }, async () => {
  const ct0 = b(MP_CT[0]);
  const hand: { ct: Uint8Array; body: Uint8Array }[] = [];
  for (const ct of MP_CT) for (const body of MP_BODIES.slice(0, 3)) hand.push({ ct: b(ct), body: b(body) });
  for (const body of MP_BODIES) {
    hand.push({ ct: ct0, body: b(body) });
    hand.push({ ct: ct0, body: b(body.replace(/\r\n/g, "\n")) });
  }
  for (const body of MP_BODIES.slice(0, 12)) hand.push({ ct: b(MP_CT[1]), body: b(body.replace(/--XyZ/g, '--"XyZ"')) });
  const r = rng(4);
  const mutated: { ct: Uint8Array; body: Uint8Array }[] = [];
  const seeds = [...MP_BODIES.map((s) => ({ ct: ct0, body: b(s) })), ...crs.multipart];
  for (let i = 0; i < 600; i++) {
    const s = seeds[Math.floor(r() * seeds.length)];
    if (r() < 0.1) mutated.push({ ct: mutate(s.ct, r, ["; ", "boundary=", '"', " ", "x"]), body: s.body });
    else mutated.push({ ct: s.ct, body: mutate(s.body, r, MP_ALPHA) });
  }
  // The engine only calls the multipart parser for a Content-Type starting with multipart/form-data.
  const isMp = (ct: Uint8Array) => Buffer.from(ct).toString("latin1").toLowerCase().startsWith("multipart/form-data");
  const all = [...hand, ...crs.multipart, ...mutated].filter((x) => isMp(x.ct) && !unterminatedQuote(x.body));
  const peer = await compare("multipart", mpCases(all));
  // Every flag CRS reads must have been raised by the reference at least once (MULTIPART_FILE_LIMIT_EXCEEDED
  // excepted: v3.0.9 never sets it).
  const raised = new Set(peer.flat().filter((e) => e.v.startsWith("MULTIPART_") && e.k.length === 0 && Buffer.from(e.val).toString() !== "0").map((e) => e.v));
  for (const f of VARS.multipart) {
    if (f.startsWith("MULTIPART_") && !["MULTIPART_NAME", "MULTIPART_FILENAME", "MULTIPART_PART_HEADERS", "MULTIPART_FILE_LIMIT_EXCEEDED"].includes(f))
      assert.ok(raised.has(f), `corpus never raises ${f}`);
  }
  assert.ok(peer.flat().some((e) => e.v === "MULTIPART_UNMATCHED_BOUNDARY" && Buffer.from(e.val).toString() === "2"));
  await compare("multipart, streamed in 7-byte chunks", mpCases(all.slice(0, 400), { chunk: 7 }));
  await compare(
    "multipart, SecTmpSaveUploadedFiles On + SecUploadFileLimit 1",
    mpCases([...hand.slice(0, 150), ...mutated.slice(0, 150)].filter((x) => isMp(x.ct)), { extract: true, fileLimit: 1 }),
    ["SecTmpSaveUploadedFiles On", "SecUploadDir {dir}", "SecUploadFileLimit 1"],
  );
});

/**
 * Intended difference, applied to the reference before comparing: our MULTIPART_PART_HEADERS values do not carry the
 * header line's CRLF/LF (filter/parsers/multipart.ts says why: libmodsecurity 3.0.9's terminator makes CRS 922110
 * flag legitimate charsets). Everything else must match byte for byte.
 */
function intended(entries: PeerEntry[]): PeerEntry[] {
  return entries.map((e) => {
    if (e.v !== "MULTIPART_PART_HEADERS") return e;
    let n = e.val.length;
    if (n > 0 && e.val[n - 1] === 0x0a) n -= n > 1 && e.val[n - 2] === 0x0d ? 2 : 1;
    return { ...e, val: e.val.subarray(0, n) };
  });
}

/**
 * Known difference, excluded: a part header with a quoted parameter value lacking its closing quote makes
 * ModSecurity 3.0.9 read past the end of the header string (parse_content_disposition steps over the NUL);
 * the outcome depends on heap contents, so it is not reproducible (our parser stops at the terminator).
 */
function unterminatedQuote(body: Uint8Array): boolean {
  for (const line of Buffer.from(body).toString("latin1").split("\n")) {
    if (!/^content-disposition/i.test(line.replace(/^[\s]+/, "")) && !/^\s/.test(line)) continue;
    const re = /=[\t ]*(["'])/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line))) {
      const q = m[1];
      let i = re.lastIndex;
      let closed = false;
      for (; i < line.length; i++) {
        if (line[i] === "\\") i++;
        else if (line[i] === q) {
          closed = true;
          break;
        }
      }
      if (!closed) return true;
      re.lastIndex = i + 1;
    }
  }
  return false;
}

// ---------------------------------------------------------------- JSON

const JSON_ALPHA = ["{", "}", "[", "]", ",", ":", '"', "\\", "\\u", "\\ud800", "1", "-", ".", "e", "true", "null", " ", "\x00", "\xc3", "\xff", "/"];

function jsonCases(inputs: Uint8Array[], depth = 10000, limit = -1): Case[] {
  return inputs.map((s, i) => ({
    kind: "json" as const,
    label: `json[${i}] ${show(s, 300)}`,
    req: { method: "POST", uri: b("/"), headers: [H("Host", "x"), H("Content-Type", "application/json")], body: s },
    run: () => mod.json(s, depth, limit, 0),
  }));
}

test("json: names, values, errors, limits", { skip }, async () => {
  const seeds = [...JSON_CASES.map(b), ...crs.json];
  const all = dedupe(withMutations(seeds, 700, 5, JSON_ALPHA));
  await compare("json", jsonCases(all));
  await compare("json, SecRequestBodyJsonDepthLimit 3", jsonCases(all.slice(0, 250), 3), ["SecRequestBodyJsonDepthLimit 3"]);
  await compare("json, SecArgumentsLimit 3", jsonCases(all.slice(0, 250), 10000, 3), ["SecArgumentsLimit 3"]);
});

// ---------------------------------------------------------------- XML

const XML_ALPHA = ["<", ">", "/", "&", ";", "&amp;", "&#", "]]>", "<![CDATA[", "<!--", "-->", "<?", "?>", '"', "=", " ", "\x00", "\xc3", "\xff", "<b>", "</b>", " x=\"1\"", "\t", "\r\n", "xmlns:"];

test("xml: well-formedness, XML:/* and XML://@*", { skip }, async () => {
  const seeds = [...XML_CASES.map(b), ...crs.xml];
  const all = dedupe(withMutations(seeds, 500, 6, XML_ALPHA));
  await compare(
    "xml",
    all.map((s, i) => ({
      kind: "xml" as const,
      label: `xml[${i}] ${show(s, 300)}`,
      req: { method: "POST", uri: b("/"), headers: [H("Host", "x"), H("Content-Type", "application/xml")], body: s },
      run: () => mod.xml(s),
    })),
  );
});

void crlf;
