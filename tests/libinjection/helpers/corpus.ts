/**
 * Inputs for the differential test of the native @detectSQLi / @detectXSS against ModSecurity v3: CRS regression
 * test values (both shared CRS versions, read at test time, never copied into the repo), generated SQL and HTML
 * fragments, benign text, random bytes and a few long inputs. Deterministic (seeded PRNG).
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";
import { REPO_ROOT } from "./wasm";
import { parseSource, SOURCE_FILE } from "../../../rulesets/libinjection/generate";
import { rng } from "../../support/prng";

export const SHARED_DIR = process.env.WAF_SHARED_DIR ?? resolve(REPO_ROOT, "../shared");
export const CRS_VERSIONS = ["v4.28.0", "v3.3.4"] as const;

export interface CorpusEntry {
  origin: string;
  bytes: Buffer;
}

// ---------------------------------------------------------------------------------------------------------------
// CRS regression-test values

function pctDecode(s: string, plus: boolean): Buffer {
  const out: number[] = [];
  const b = Buffer.from(s, "utf8");
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x25 && i + 2 < b.length + 0 && /^[0-9a-fA-F]{2}$/.test(b.toString("latin1", i + 1, i + 3))) {
      out.push(parseInt(b.toString("latin1", i + 1, i + 3), 16));
      i += 2;
    } else if (plus && c === 0x2b) out.push(0x20);
    else out.push(c);
  }
  return Buffer.from(out);
}

function addForm(s: string, add: (b: Buffer) => void): void {
  for (const part of s.split("&")) {
    const eq = part.indexOf("=");
    add(pctDecode(eq >= 0 ? part.slice(eq + 1) : part, true));
    if (eq >= 0) add(pctDecode(part.slice(0, eq), true));
  }
}

function walk(dir: string, acc: string[]): void {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, acc);
    else if (/\.ya?ml$/.test(e)) acc.push(p);
  }
}

function collectInputs(node: unknown, acc: Array<Record<string, unknown>>): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const x of node) collectInputs(x, acc);
    return;
  }
  const o = node as Record<string, unknown>;
  if (o.input && typeof o.input === "object") acc.push(o.input as Record<string, unknown>);
  for (const [k, v] of Object.entries(o)) if (k !== "input") collectInputs(v, acc);
}

/** Values from the CRS regression tests: query/body parameters (decoded), raw bodies and URIs, header values. */
let crsMemo: { available: boolean; entries: CorpusEntry[] } | null = null;
export function crsValues(): { available: boolean; entries: CorpusEntry[] } {
  if (crsMemo) return crsMemo;
  const entries: CorpusEntry[] = [];
  let available = false;
  for (const v of CRS_VERSIONS) {
    const base = join(SHARED_DIR, "crs", v, "tests");
    if (!existsSync(base)) continue;
    available = true;
    const files: string[] = [];
    walk(base, files);
    for (const f of files) {
      const id = /(\d{6})\.ya?ml$/.exec(f)?.[1] ?? "other";
      const origin = `crs-${v}-${id}`;
      let docs;
      try {
        docs = parseAllDocuments(readFileSync(f, "utf8"));
      } catch {
        continue;
      }
      const inputs: Array<Record<string, unknown>> = [];
      for (const d of docs) collectInputs(d.toJS(), inputs);
      const add = (b: Buffer): void => void entries.push({ origin, bytes: b });
      for (const inp of inputs) {
        const uri = typeof inp.uri === "string" ? inp.uri : null;
        if (uri !== null) {
          add(Buffer.from(uri, "utf8"));
          add(pctDecode(uri, false));
          const q = uri.indexOf("?");
          if (q >= 0) addForm(uri.slice(q + 1), add);
        }
        if (inp.headers && typeof inp.headers === "object") {
          for (const hv of Object.values(inp.headers as Record<string, unknown>)) {
            if (typeof hv === "string") add(Buffer.from(hv, "utf8"));
          }
        }
        let data = inp.data;
        if (Array.isArray(data)) data = data.join("\r\n");
        if (typeof data === "string" && data.length > 0) {
          add(Buffer.from(data, "utf8"));
          add(pctDecode(data, true));
          if (data.length < 65536) addForm(data, add);
        }
        if (typeof inp.encoded_request === "string") add(Buffer.from(inp.encoded_request, "base64"));
      }
    }
  }
  crsMemo = { available, entries };
  return crsMemo;
}

// ---------------------------------------------------------------------------------------------------------------
// generated inputs


const SQL_PIECES = [
  "'", '"', "`", "''", '""', "\\'", "\\\\", "\\", "\\N", "--", "-- ", "--x", "#", "# ", "/*", "*/", "/**/", "/*!", "/*!50000",
  "/* /* */", ";", ";;", "(", ")", "((", "))", ",", ".", "..", "{", "}", "{ ``", "[", "]", "[col]", "?", ":", "::", "@", "@@",
  "@x", "@@version", "@`x`", "@'x'", "$", "$$", "$1,000.00", "$.", "$tag$", "$a$", "0x", "0x1F", "0b", "0b101", "x'4F'", "X'zz'",
  "b'01'", "B'2'", "N'abc'", "n'", "E'x'", "e", "1e", "1e5", "1.5E+3", "1.2f", "1d", "1fUNION", "1.", ".5", ".", "1.e", "q'[x]'",
  "Q'<y>'", "nq'(z)'", "q'", "q'\x01", "U&'d'", "u&", "`foo`", "`", "``", "```", "!", "!!", "!=", "<>", "<=>", "<=", ">=", "||",
  "&&", "|", "&", "^", "~", "%", "+", "-", "*", "/", "=", ":=", "!<", "~*", "0", "1", "2", "42", "-1", "1234", "3.14", "0001",
  "sp_password", "'a'", '"b"', "'a''b'", "'a\\'b'", "'", "%27", "\x00", "\xa0", "\x7f", "\xff", "\xc3\xa9", "\t", "\n", "\r\n", "\v",
  "\f", "user()", "user(x)", "current_user", "database(", "in (", "not in", "like(", "collate utf8_bin", "_latin1", "::int", "if",
  "; if", "select . `x`", "a.b.c", "select.1", "union`", "binary", "char(",
];

const HTML_PIECES = [
  "<", ">", "</", "/>", "<!", "<!--", "-->", "--!>", "-\x00->", "<!-- x -", "<![CDATA[", "]]>", "<!DOCTYPE html>", "<!doctype", "<?",
  "?>", "<%", "%>", "<?import", "<!ENTITY", "<!--[if IE]>", "<!--xml", "`", "<script>", "</script>", "<scr\x00ipt>", "<svg",
  "<SVG/onload=1>", "<xsl:", "<iframe", "<embed", "<object", "<applet", "<base", "<link", "<meta", "<style", "<frameset",
  "<img", "<a", "<div", "<p>", "<b>", "<x", "<xss", "<vmlframe", "<isindex", "<noscript", "<listener", "<handler", "<comment",
  " src=", " href=", " HREF = ", " style=", " onload=", " onerror=", " on=", " onx", " xmlns=", " xlink:href=", " xmlns:x=",
  " attributename=", " values=", " action=", " formaction=", " background=", " dynsrc=", " lowsrc=", " poster=", " folder=",
  " from=", " to=", " by=", " filter=", " datasrc=", " dataformatas=", " handler=", " data-x=", " title=", " alt=", " =",
  "=", "\"", "'", "javascript:", "JaVaScRiPt:", "java\x00script:", " javascript:", "\x01javascript:", "vbscript:", "data:",
  "view-source:", "&#106;avascript:", "&#x6A;avascript:", "&#x6a", "&#X4A;", "&#74", "&#0000106", "&#x", "&#", "&", "&amp;",
  "&#x14A;", "&#10;java", "&#9;javascript", "http://x/", "x.png", "alert(1)", "\x00", "\t", "\n", "\x0b", "\f", "\r", " ", "\xff",
  "\xa0", "\xc2\xa0", "%3C", "onload", "onmouseover", "style", "srcdoc",
];

const WORDS = [
  "the", "a", "and", "or", "not", "select", "from", "where", "union", "all", "order", "by", "group", "insert", "into",
  "values", "update", "set", "delete", "drop", "table", "like", "in", "is", "null", "true", "false", "between", "case",
  "when", "then", "else", "end", "join", "on", "as", "limit", "offset", "having", "exec", "waitfor", "delay", "sleep",
  "benchmark", "concat", "char", "ascii", "substring", "version", "user", "admin", "password", "name", "email", "john",
  "o'brien", "it's", "don't", "rock", "n", "roll", "I", "said", "\"hello\"", "price", "$5", "5%", "100", "3.5", "#1",
  "--", "c++", "c#", "a/b", "e-mail", "x-y", "<b>bold</b>", "5>3", "2<4", "script", "javascript", "and/or", "mr.", "etc.",
];

function pick<T>(r: () => number, a: readonly T[]): T {
  return a[Math.floor(r() * a.length)]!;
}

const SEPS = ["", " ", " ", " ", "  ", "\t", "\n", "/**/", "+", "\x00", "\xa0", "\r\n", "(", ")"];

function latin1(s: string): Buffer {
  return Buffer.from(s, "latin1");
}

export function generated(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  const data = parseSource(readFileSync(SOURCE_FILE, "latin1"));
  const keywords = data.keywords.map((k) => k.word);
  // SQL-ish sequences
  const r = rng(0x5eed);
  for (let i = 0; i < 14000; i++) {
    const n = 1 + Math.floor(r() * 9);
    let s = "";
    for (let j = 0; j < n; j++) {
      const x = r();
      let piece: string;
      if (x < 0.35) piece = pick(r, keywords);
      else if (x < 0.45) piece = pick(r, keywords).toLowerCase();
      else piece = pick(r, SQL_PIECES);
      s += (j > 0 ? pick(r, SEPS) : "") + piece;
    }
    if (r() < 0.15) s = pick(r, ["1", "'", '"', "-1", "abc", "1'", "x' ", "a\""]) + s;
    out.push({ origin: "gen-sql", bytes: latin1(s) });
  }
  // Fingerprint-driven: build inputs whose token stream spells a listed fingerprint
  const typeSamples: Record<string, string[]> = {
    k: ["IS", "AS", "INTO OUTFILE", "LIMIT", "ORDER BY", "PROCEDURE"], U: ["UNION", "UNION ALL", "EXCEPT"],
    B: ["GROUP BY", "HAVING"], E: ["SELECT", "INSERT", "DELETE"], t: ["CHAR", "INT", "SIGNED"], f: ["SLEEP", "CONCAT", "ASCII", "VERSION"],
    n: ["foo", "x", "tbl", "id"], "1": ["1", "2.5", "0x41"], v: ["@a", "@@version"], s: ["'a'", '"b"', "'1'"], o: ["=", "<", "+", "*", "LIKE"],
    "&": ["AND", "OR", "&&"], c: ["--", "/* c */", "#"], A: ["COLLATE"], "(": ["("], ")": [")"], ",": [","], ";": [";"], ".": ["."],
    T: ["WAITFOR", "DECLARE", "EXEC"], "{": ["{"], "}": ["}"], ":": [":"], "?": ["?"], "\\": ["\\"], X: ["/*!"],
  };
  const fps = data.fingerprints;
  const rf = rng(0xf00d);
  for (let i = 0; i < 6000; i++) {
    const fp = pick(rf, fps);
    let s = "";
    for (const ch of fp) {
      const key = ch === "K" ? "k" : ch === "T" && rf() < 0.5 ? "t" : ch === "F" ? "f" : ch === "N" ? "n" : ch === "V" ? "v" : ch === "S" ? "s" : ch === "O" ? "o" : ch === "C" ? "c" : ch;
      const opts = typeSamples[key] ?? typeSamples[ch] ?? [ch];
      s += (s ? pick(rf, [" ", " ", "", "\n", "/**/"]) : "") + pick(rf, opts);
    }
    if (rf() < 0.3) s = s.replace(/^'/, "");
    if (rf() < 0.3) s = s.replace(/^"/, "");
    out.push({ origin: "gen-fingerprint", bytes: latin1(s) });
  }
  // HTML-ish sequences
  const rh = rng(0x4711);
  for (let i = 0; i < 9000; i++) {
    const n = 1 + Math.floor(rh() * 8);
    let s = "";
    for (let j = 0; j < n; j++) s += (rh() < 0.2 ? pick(rh, [" ", "", "\n", "\x00"]) : "") + pick(rh, HTML_PIECES);
    out.push({ origin: "gen-html", bytes: latin1(s) });
  }
  // benign text
  const rb = rng(0xbe9);
  for (let i = 0; i < 4000; i++) {
    const n = 1 + Math.floor(rb() * 14);
    const parts: string[] = [];
    for (let j = 0; j < n; j++) parts.push(pick(rb, WORDS));
    let s = parts.join(pick(rb, [" ", " ", ", ", "-", "+", "_"]));
    if (rb() < 0.3) s = s[0]!.toUpperCase() + s.slice(1) + pick(rb, [".", "!", "?", "", "'", '"', ";", " --", " #"]);
    out.push({ origin: "benign", bytes: Buffer.from(s, "utf8") });
  }
  // random bytes over several alphabets
  const rr = rng(0xbad);
  const alphabets = [
    null,
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
    "'\"`-#/*!@$.,;()[]{}<>=&|^~%:\\?N01xXbBeEqQuU \n\x00\xa0",
    "<>/!-=\"'`& #x;:jJavscrit\x00\t\n%?[]CDAT",
    "01.eE+-dDfF$,xXbB' \x00",
  ];
  for (let i = 0; i < 9000; i++) {
    const alpha = alphabets[i % alphabets.length];
    const n = Math.floor(rr() * 48);
    const b = Buffer.alloc(n);
    for (let j = 0; j < n; j++) b[j] = alpha === null ? Math.floor(rr() * 256) : alpha.charCodeAt(Math.floor(rr() * alpha.length));
    out.push({ origin: "random", bytes: b });
  }
  // mutate CRS-like attack strings: splice random SQL/HTML pieces into each other
  const rm = rng(0x3a7);
  for (let i = 0; i < 3000; i++) {
    const base = latin1(pick(rm, SQL_PIECES) + pick(rm, SEPS) + pick(rm, keywords) + pick(rm, SEPS) + pick(rm, SQL_PIECES));
    const html = latin1(pick(rm, HTML_PIECES) + pick(rm, HTML_PIECES));
    out.push({ origin: "gen-mixed", bytes: Buffer.concat([base, html]) });
    out.push({ origin: "gen-mixed", bytes: Buffer.concat([html, base]) });
  }
  return out;
}

/** Hand-picked corner cases of the C implementation. */
export function cornerCases(): CorpusEntry[] {
  const cases = [
    "", " ", "1", "1--", "1-- ", "1 --", "1#", "1 #", "1/*", "1/**/", "1--x", "1-x--", "a--", "a/*", "a#", "1 union", "1 union--",
    "1' union select 1", "1' or '1'='1", "' or 1=1--", "\" or 1=1--", "admin'--", "1;drop table x", "1;;drop table x",
    "x' and 1=1 and 'a'='a", "foo' + 'bar", "foo\" + \"bar", "sexy and 17", "sexy and 17<18", "1 into outfile", "1 into dumpfile",
    "1 sp_password", "1 -- sp_password", "$$abc$$", "$$abc", "$tag$x$tag$", "$tag$x", "$a", "$", "$1", "$.", "$1.",
    "q'[abc]'", "q'<abc>'", "q'{x}'", "q'(x)'", "q'xabcx'", "nq'[x]'", "N'abc'", "E'abc'", "U&'abc'", "b'0101'", "x'ff'",
    "0x", "0xZ", "0b", "0b2", "1e", "1e+", "1.e", ".e", "1.5e10", "1f", "1fUNION", "1dx", "1.2f ", "\\N", "\\", "\\1", "\\%1",
    "@", "@@", "@@`version`", "@'x'", "@\"x\"", "{ ``", "{fn x}", "select { ``.``.id }", "`", "``", "1 `", "1 union `",
    "/*!union*/", "/* /* */", "/*/*/", "/*", "-- ", "#", "1 ! 1", "1 !! 1", "1 not 1", "user(x)", "user()", "1 in (1)",
    "1 in 1", "1 not in (1)", "like(1)", "collate utf8_bin", "a::int", "; if 1=1", "select . `x`", "a.b.c=1", "select.1",
    "1,-1", "1,-sin(1)", "select -1", "(-1", "1 <=> 1", "1 := 1", "1 !< 1", "1 ~* 1", "[foo]", "[foo", "'\\''", "'''", "'a''b'",
    "1\x00union", "1 union\x00select", "\x00", "\xa0", "\xff", "1\xa0--", "1\x80--", "1\xff", "-- \x00",
    "<script>", "<ScRiPt>", "<scr\x00ipt>", "<svg", "<svg/onload=1>", "<xsl:x>", "<a href=javascript:alert(1)>",
    "<a href='javascript:1'>", "<a href=\"&#106;avascript:1\">", "<a href=&#x6A;avascript:1>", "<a href=&#x14A;ava>",
    "<a href= \x01javascript:1>", "<a href=\"\xffjavascript:1\">", "<a href=java\x00script:1>", "<a href=java&#10;script:1>",
    "<img src=x onerror=alert(1)>", "<x onload=1>", "<x on=1>", "<x onxx>", "<x xmlns:y=1>", "<x style=1>", "<x filter=1>",
    "<x attributename=onload>", "<x attributename=href>", "<x attributename=x>", "<x datasrc=1>", "<x dataformatas=1>",
    "<!DOCTYPE html>", "<!doctype", "<!-- x -->", "<!--[if IE]>", "<!--xml x-->", "<!-- ` -->", "<?import x>", "<!ENTITY x>",
    "<% x %>", "<%`%>", "<![CDATA[x]]>", "</script>", "</ x>", "</>", "< script>", "<\x00script>", "x' onload='1",
    "x\" onload=\"1", "x` onload=`1", "x onload=1", "' onmouseover=alert(1) x='", "\" style=\"x", "javascript:alert(1)",
    "data:text/html,x", "vbscript:x", "view-source:x", "<a href=\xff>", "<a \xff=1>", "<a b=\xff>", "<a b\xff>", "\xff onload=1",
    "<a href=&#x6a&#x61va:>", "<a href=&#0000106ava:>", "<a href=&#>", "<a href=&#x>", "<a href=&>",
  ];
  const out = cases.map((c) => ({ origin: "corner", bytes: latin1(c) }));
  out.push({ origin: "corner", bytes: latin1("0 div 1 union#foo*/*bar\r\nselect#foo\r\n1,2,current_user") });
  return out;
}

/** A few long inputs (linear-time paths, folding over many tokens). */
export function longInputs(): CorpusEntry[] {
  const r = rng(0x10);
  const rand = Buffer.alloc(40000);
  for (let i = 0; i < rand.length; i++) rand[i] = Math.floor(r() * 256);
  const list = [
    "1,".repeat(5000) + "1",
    "1+".repeat(5000) + "1 union select 1",
    "(".repeat(8000) + "1",
    "'".repeat(9000),
    "\\".repeat(9000) + "'",
    "a.".repeat(5000),
    "/*".repeat(5000),
    "$a$" + "$a".repeat(5000),
    "-".repeat(10000),
    "<a ".repeat(5000),
    "<!--" + "-".repeat(10000),
    "<a href=" + "&#x6a".repeat(3000),
    "lorem ipsum dolor sit amet ".repeat(1500),
  ];
  const out = list.map((s) => ({ origin: "long", bytes: latin1(s) }));
  out.push({ origin: "long", bytes: rand });
  return out;
}

export function fullCorpus(): { crsAvailable: boolean; entries: CorpusEntry[] } {
  const crs = crsValues();
  const all = [...cornerCases(), ...crs.entries, ...generated(), ...longInputs()];
  // de-duplicate by content, keep first origin
  const seen = new Set<string>();
  const entries: CorpusEntry[] = [];
  for (const e of all) {
    const k = e.bytes.toString("latin1");
    if (seen.has(k)) continue;
    seen.add(k);
    entries.push(e);
  }
  return { crsAvailable: crs.available, entries };
}
