/**
 * Test helpers: locate the shared CRS copies, extract raw `@rx` pattern strings from the rule files
 * (independent of the SecLang parser in rulesets/seclang), and collect subject strings from the
 * CRS regression-test YAML files.
 */
import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(here, "../../..");
export const SHARED_DIR = process.env.WAF_SHARED_DIR ?? resolve(REPO_ROOT, "../shared");
export const CRS_VERSIONS = ["v4.28.0", "v3.3.4"] as const;
export type CrsVersion = (typeof CRS_VERSIONS)[number];

export function crsDir(version: CrsVersion): string {
  return join(SHARED_DIR, "crs", version);
}

export function crsAvailable(): boolean {
  return CRS_VERSIONS.every((v) => existsSync(join(crsDir(v), "rules")));
}

export interface ExtractedPattern {
  /** rule id of the SecRule (chained rules inherit the chain head's id) */
  ruleId: number;
  file: string;
  pattern: string;
  negated: boolean;
}

/** Split a SecLang argument string into tokens, honouring "..." quoting with backslash escapes kept raw. */
function tokenize(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) break;
    if (s[i] === '"') {
      i++;
      let tok = "";
      while (i < s.length && s[i] !== '"') {
        if (s[i] === "\\" && i + 1 < s.length) {
          // `\"` is an escaped quote: keep the backslash (PCRE reads `\"` as `"`), keep everything else raw.
          tok += s[i]! + s[i + 1]!;
          i += 2;
        } else tok += s[i++]!;
      }
      i++;
      out.push(tok);
    } else {
      let tok = "";
      while (i < s.length && !/\s/.test(s[i]!)) tok += s[i++]!;
      out.push(tok);
    }
  }
  return out;
}

/** Logical SecLang lines: comments dropped, `\`+newline continuations joined. */
function logicalLines(text: string): string[] {
  const lines = text.split("\n");
  const out: string[] = [];
  let cur = "";
  for (const raw of lines) {
    const line = raw.replace(/\r$/, "");
    if (cur === "" && /^\s*#/.test(line)) continue;
    if (line.endsWith("\\")) {
      cur += line.slice(0, -1);
      continue;
    }
    cur += line;
    if (cur.trim() !== "") out.push(cur);
    cur = "";
  }
  if (cur.trim() !== "") out.push(cur);
  return out;
}

export function extractRxPatterns(version: CrsVersion): ExtractedPattern[] {
  const dir = join(crsDir(version), "rules");
  const files = readdirSync(dir).filter((f) => f.endsWith(".conf")).sort();
  const out: ExtractedPattern[] = [];
  for (const file of files) {
    const text = readFileSync(join(dir, file), "latin1");
    let chainHead: number | null = null;
    for (const line of logicalLines(text)) {
      const t = line.trim();
      if (!t.startsWith("SecRule ")) continue;
      const toks = tokenize(t.slice("SecRule ".length));
      if (toks.length < 2) continue;
      const opTok = toks[1]!;
      const actions = toks[2] ?? "";
      const idm = /(?:^|[,\s])id:'?(\d+)/.exec(actions);
      const isChained = /(?:^|[,\s])chain(?:$|[,\s])/.test(actions);
      const ruleId: number = idm ? Number(idm[1]) : (chainHead ?? -1);
      if (idm) chainHead = ruleId;
      let op = opTok;
      let negated = false;
      if (op.startsWith("!")) {
        negated = true;
        op = op.slice(1);
      }
      let pattern: string | null = null;
      if (op.startsWith("@rx ")) pattern = op.slice(4).replace(/^\s+/, "");
      else if (op === "@rx") pattern = "";
      else if (!op.startsWith("@")) pattern = op;
      if (pattern !== null) out.push({ ruleId, file, pattern, negated });
      if (!isChained && idm) chainHead = null;
    }
  }
  return out;
}

/** Patterns whose text contains a macro (`%{...}`) are expanded at run time and are not compiled statically. */
export function isStaticPattern(p: string): boolean {
  return !p.includes("%{");
}

function walkYaml(dir: string, acc: string[]): void {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walkYaml(p, acc);
    else if (e.endsWith(".yaml") || e.endsWith(".yml")) acc.push(p);
  }
}

function pctDecode(s: string, plus: boolean): string {
  // byte-wise %XX decoding into a latin1 string (one char per byte)
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "%" && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (plus && c === "+") out += " ";
    else out += c;
  }
  return out;
}

function utf8Latin1(s: string): string {
  return Buffer.from(s, "utf8").toString("latin1");
}

function addFormParts(s: string, acc: Set<string>): void {
  for (const part of s.split(/[&;]/)) {
    const eq = part.indexOf("=");
    if (eq >= 0) {
      acc.add(pctDecode(part.slice(0, eq), true));
      acc.add(pctDecode(part.slice(eq + 1), true));
    } else acc.add(pctDecode(part, true));
  }
}

/**
 * Subject strings (latin1 strings, one char per byte) from the regression tests, keyed by the rule id the
 * test file targets. Values: raw and decoded URI, query/body parameters, header values, body.
 */
export function collectTestSubjects(version: CrsVersion): Map<number, Set<string>> {
  const base = join(crsDir(version), "tests");
  const files: string[] = [];
  walkYaml(base, files);
  const map = new Map<number, Set<string>>();
  for (const f of files) {
    const m = /(\d{6})\.ya?ml$/.exec(f);
    if (!m) continue;
    const id = Number(m[1]);
    let acc = map.get(id);
    if (!acc) map.set(id, (acc = new Set()));
    let docs;
    try {
      docs = parseAllDocuments(readFileSync(f, "utf8"));
    } catch {
      continue;
    }
    for (const d of docs) {
      const j = d.toJS() as unknown;
      collectFromTest(j, acc);
    }
  }
  return map;
}

function collectFromTest(node: unknown, acc: Set<string>): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const x of node) collectFromTest(x, acc);
    return;
  }
  const o = node as Record<string, unknown>;
  if ("input" in o && o.input && typeof o.input === "object") addInput(o.input as Record<string, unknown>, acc);
  for (const [k, v] of Object.entries(o)) if (k !== "input") collectFromTest(v, acc);
}

function addInput(inp: Record<string, unknown>, acc: Set<string>): void {
  const str = (v: unknown): string | null => (typeof v === "string" ? utf8Latin1(v) : typeof v === "number" ? String(v) : null);
  const uri = str(inp.uri);
  if (uri !== null) {
    acc.add(uri);
    acc.add(pctDecode(uri, false));
    const q = uri.indexOf("?");
    const path = q >= 0 ? uri.slice(0, q) : uri;
    acc.add(pctDecode(path, false));
    if (q >= 0) addFormParts(uri.slice(q + 1), acc);
  }
  const headers = inp.headers;
  if (headers && typeof headers === "object") {
    for (const [k, v] of Object.entries(headers as Record<string, unknown>)) {
      acc.add(utf8Latin1(k));
      const sv = str(v);
      if (sv !== null) acc.add(sv);
    }
  }
  let data = inp.data;
  if (Array.isArray(data)) data = data.join("\r\n");
  const ds = str(data);
  if (ds !== null && ds.length > 0) {
    acc.add(ds);
    acc.add(pctDecode(ds, true));
    if (ds.length < 4096) addFormParts(ds, acc);
  }
  for (const k of ["method", "version"]) {
    const v = str(inp[k]);
    if (v !== null) acc.add(v);
  }
  for (const v of [...acc]) if (v.length < 4096 && v !== v.toLowerCase()) acc.add(v.toLowerCase());
}
