// Inputs for the differential test: CRS regression-test values (read from WAF_SHARED_DIR, never copied into
// the repository), hand-written edge cases, and seeded random byte strings biased to each transformation's
// syntax.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { sharedDir } from "../support/paths";
export { rng } from "../support/prng";


const b = (s: string): Uint8Array => Buffer.from(s, "latin1");


const SKIP_KEYS = new Set([
  "dest_addr", "port", "method", "protocol", "version", "test_title", "desc", "rule_id", "status",
  "log_contains", "no_log_contains", "expect_ids", "no_expect_ids", "reason", "test_ids", "author",
]);

/** Unique string values of the CRS regression tests' inputs (URIs, bodies, header values...) and their
 *  percent-decoded bytes. Parsing ~500 YAML files takes seconds, so the extraction is cached in os.tmpdir()
 *  keyed by the files' paths, sizes and mtimes. */
export function crsValues(): Uint8Array[] {
  const crs = join(sharedDir, "crs");
  if (!existsSync(crs)) return [];
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith(".yaml") || p.endsWith(".yml")) files.push(p);
    }
  };
  for (const ver of readdirSync(crs).sort()) {
    const t = join(crs, ver, "tests/regression/tests");
    if (existsSync(t)) walk(t);
  }
  const h = createHash("sha256").update("crs-values-v1");
  for (const f of files) {
    const st = statSync(f);
    h.update(`${f}\0${st.size}\0${st.mtimeMs}\n`);
  }
  const cacheDir = join(tmpdir(), "workload-waf-transforms");
  const cache = join(cacheDir, `crs-values-${h.digest("hex").slice(0, 16)}.bin`);
  if (existsSync(cache)) return unpack(readFileSync(cache));
  const seen = new Set<string>();
  const collect = (v: unknown, key: string): void => {
    if (typeof v === "string") {
      if (!SKIP_KEYS.has(key)) seen.add(v);
    } else if (Array.isArray(v)) {
      for (const x of v) collect(x, key);
    } else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) if (k !== "output" && k !== "meta") collect(x, k);
    }
  };
  for (const f of files) {
    try {
      collect(parse(readFileSync(f, "utf8")), "");
    } catch {
      /* a malformed file only costs its inputs */
    }
  }
  const out: Uint8Array[] = [];
  for (const s of [...seen].sort()) {
    out.push(Buffer.from(s, "utf8"));
    // the percent-decoded bytes too: what the engine's ARGS actually hold
    if (/%[0-9a-fA-F]{2}/.test(s)) out.push(pctDecode(s));
  }
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${cache}.${process.pid}.tmp`;
  writeFileSync(tmp, pack(out));
  renameSync(tmp, cache);
  return out;
}

function pack(values: Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const v of values) {
    const n = Buffer.alloc(4);
    n.writeUInt32LE(v.length);
    parts.push(n, Buffer.from(v));
  }
  return Buffer.concat(parts);
}

function unpack(b: Buffer): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o + 4 <= b.length; ) {
    const n = b.readUInt32LE(o);
    out.push(new Uint8Array(b.subarray(o + 4, o + 4 + n)));
    o += 4 + n;
  }
  return out;
}

function pctDecode(s: string): Uint8Array {
  const src = Buffer.from(s, "utf8");
  const o: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const h = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    if (src[i] === 0x25 && i + 2 < src.length && h(src[i + 1]) && h(src[i + 2])) {
      o.push(parseInt(String.fromCharCode(src[i + 1], src[i + 2]), 16));
      i += 2;
    } else o.push(src[i] === 0x2b ? 0x20 : src[i]);
  }
  return Uint8Array.from(o);
}

/** Hand-written edge cases, shared by every transformation. */
export function edgeCases(): Uint8Array[] {
  const s: string[] = [
    "", " ", "a", "A", "\0", "\0\0", "a\0b", "\0a", "a\0", "\xff", "\x80", "\xa0", "\xc2\xa0", " \t\n\v\f\r ",
    // url
    "%", "%%", "%4", "%41", "%4g", "%g4", "%%41", "a%41b", "%41%42", "+", "a+b", "%2b", "%u", "%u1", "%u12", "%u123",
    "%u1234", "%uff21", "%UFF21", "%uFF5E", "%uff5f", "%uff00", "%u0041", "%u002e", "%u3002", "%uff0e", "%uff61",
    "%u00e9", "%u12g4", "%u%41", "%%u0041", "%U0041", "%u004", "a%u", "%u00", "%00", "%ff", "%FF", "%fF%Ff",
    // html
    "&", "&&", "&#", "&#;", "&#x", "&#x;", "&#X41;", "&#65", "&#65;", "&#065;", "&#x41", "&#x41;x", "&#0;",
    "&#256;", "&#x100;", "&#99999999999999999999;", "&#x7fffffffffffffff;", "&#x8000000000000000;",
    "&#9223372036854775807;", "&#9223372036854775808;", "&#x0000000000000000041;", "&amp;", "&AMP;", "&amp",
    "&ampx", "&amp;amp;", "&lt;&gt;&quot;&nbsp;", "&LT", "&Nbsp;", "&foo;", "&foo", "&;", "& amp;", "&#x&#65;",
    "&#&#65", "a&", "&a", "&1;", "&#-1;", "&#+1;", "&#x-1;", "&#xg;", "&#a;", "&quot",
    // js / css / escape
    "\\", "\\\\", "a\\", "\\u", "\\u0041", "\\uFF21", "\\uff01", "\\uff5f", "\\U0041", "\\u004", "\\u00e9",
    "\\x", "\\x4", "\\x41", "\\X41", "\\xg1", "\\0", "\\00", "\\000", "\\0000", "\\7", "\\77", "\\777", "\\400",
    "\\377", "\\378", "\\8", "\\9", "\\a\\b\\f\\n\\r\\t\\v", "\\?\\'\\\"", "\\z", "\\\n", "\\\r\n", "\\41 ", "\\41  x",
    "\\4", "\\41", "\\041", "\\0041", "\\00041", "\\000041", "\\0000041", "\\ff21", "\\fF01", "\\0ff21",
    "\\00ff21", "\\1ff21", "\\ff5f", "\\ff00", "\\abcdef", "\\abcdefg", "\\41\t", "\\41\nx", "\\g", "\\ ",
    // utf8
    "\xc3\xa9", "\xc3", "\xc3A", "\xe2\x82\xac", "\xe2\x82", "\xe2", "\xf0\x9f\x98\x80", "\xf0\x9f\x98",
    "\xf0\x9f", "\xf0", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
    "\xf0\x80\x80\x80", "\xf0\x8d\xa0\x80", "\xf4\x8f\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
    "\xf7\xbf\xbf\xbf", "\xf8\x80\x80\x80\x80", "\xfe", "\xff\xfe", "\x80\x80", "a\xc3\xa9b\0c", "\0\xc3A",
    "\xc3\0", "ab\0", "\xe2\x82\xac\0\xe2\x82\xac",
    // cmdLine
    "C:\\WINDOWS\\System32", "cat /etc/passwd", "ls ; id", "a , b", "a  /b", "a ^/b", "a \"(b", "A,B;C\tD\rE\nF",
    " /", " (", "  ", ",,", "a\"b'c\\d^e",
    // paths
    "/", "//", "///", ".", "..", "...", "./", "../", "/.", "/..", "/./", "/../", "a/..", "a/../", "/a/..", "/a/../",
    "a/b/../../..", "a/b/../../../c", "/a/b/../../../c", "./a/./b/.", "a//b", "a/./b", "a/.b", "a/..b", "a/b/",
    "a/b//", "/a/b/../c/./d//e/", "..\\..\\windows", "a\\b\\..\\c", "\\", "\\\\", "\\a\\..\\", "c:\\..\\x",
    "x/..", "x/../", "../../a", "a/../../b", "/../../a", "....//....//", ".a/", "a.", "a/.", "a/..", "/a/.",
    "a\\/b", "a/\\b", "/\\", "\\/",
    // comments
    "/*", "*/", "/**/", "/*a*/", "/*a*/b", "a/*b*/c", "a/*b", "<!--", "<!-- a -->", "<!--a-->b", "-->", "--",
    "a--b", "a#b", "#", "a-b", "/*/", "/*-->", "<!--*/", "a/**/b/**/c", "*/*", "/-*", "<!-", "<!--->", "-->x",
    "a*/b", "--->",
    // base64
    "QQ==", "QUI=", "QUJD", "QQ", "QUJDRA", "QQ=", "Q===", "QQ==QQ==", "QUJD\nRA==", "QUJD\r\nRA==", "QUJD\rRA==",
    " QUJD", "QU JD", "QUJD ", "QUJD  \n", "Q", "=", "==", "===", "QQ\0==", "QUJ9", "QUJDR9", "Q9", "9", "Q=9",
    "QQ=a", "#QQ==", "Q-Q_", "\xffQQ==", "QU\tJD", "QUJDRA=\n=", "YWJj\n\n",
    // hex / sqlHex
    "41", "4", "414", "4g", "gg", "zz", "\xff\xff", "0x", "0x4", "0x41", "0X41", "0x414", "0x41g", "a0x41b",
    "00x41", "0x0041", "0x00", "x0x41", "0x41x", "0x4142434445", "0x41 0x42", "0", "00", "0xx41", "0x\0",
    // digest boundaries
    "a".repeat(55), "a".repeat(56), "a".repeat(63), "a".repeat(64), "a".repeat(65), "a".repeat(119),
    "a".repeat(120), "a".repeat(128), "The quick brown fox jumps over the lazy dog",
  ];
  return s.map(b);
}

const UNIVERSAL: string[] = [
  "a", "b", "Z", "0", "1", "9", " ", "\t", "\n", "\r", "\v", "\f", "\0", "\x80", "\xa0", "\xc2", "\xff", "%",
  "&", "\\", "/", ".", "#", "-", "*", "=", "+", ";", "'", "\"", "<", ">", "(", ")",
];

const BIAS: Record<string, string[]> = {
  url: ["%", "%", "%u", "%U", "+", "0", "4", "a", "F", "f", "g", "%41", "%ff", "%u00", "%uff", "%uFF", "%u30", "02", "2e", "21", "5e", "5f", "e9"],
  html: ["&", "&", "#", "x", "X", ";", "0", "6", "5", "9", "a", "F", "amp", "lt", "gt", "quot", "nbsp", "AMP", "Lt", "foo", "&#", "&#x", "99999999999"],
  js: ["\\", "\\", "u", "x", "X", "ff", "FF", "0", "4", "1", "7", "3", "8", "a", "b", "f", "n", "r", "t", "v", "z", "\n", " ", "00", "41"],
  utf8: ["\xc3", "\xa9", "\xe2", "\x82", "\xac", "\xf0", "\x9f", "\x98", "\x80", "\xbf", "\xc0", "\xc1", "\xed", "\xa0", "\xf4", "\xf5", "\xf8", "\xfe", "\0", "A", "\xe0"],
  ws: [" ", " ", "\t", "\n", "\r", "\v", "\f", "\xa0", "\xc2", "\x85", "a", "\0"],
  cmd: ["\"", "'", "\\", "^", ",", ";", " ", " ", "\t", "\r", "\n", "/", "(", "A", "Z", "c", "\xc0"],
  path: ["/", "/", ".", ".", "..", "\\", "a", "b", "//", "./", "../", "\\..\\"],
  comment: ["/*", "*/", "<!--", "-->", "--", "#", "-", "*", "/", "<", "!", ">", "a", "\0"],
  b64: ["Q", "U", "J", "D", "9", "+", "/", "=", "=", "\r\n", "\n", " ", "\r", "-", "_", "\0", "\xff", "QUJD", "aGVsbG8"],
  hex: ["0", "x", "X", "0x", "0X", "4", "1", "a", "F", "g", "\0", "00", "ff"],
  any: [],
};

export const BIAS_OF: Record<string, keyof typeof BIAS> = {
  urlDecode: "url", urlDecodeUni: "url", urlEncode: "any", htmlEntityDecode: "html", jsDecode: "js",
  cssDecode: "js", escapeSeqDecode: "js", utf8toUnicode: "utf8", removeNulls: "ws", replaceNulls: "ws",
  removeWhitespace: "ws", compressWhitespace: "ws", trim: "ws", trimLeft: "ws", trimRight: "ws", cmdLine: "cmd",
  normalisePath: "path", normalizePath: "path", normalisePathWin: "path", normalizePathWin: "path",
  replaceComments: "comment", removeComments: "comment", removeCommentsChar: "comment", base64Decode: "b64",
  base64DecodeExt: "b64", base64Encode: "any", hexDecode: "hex", hexEncode: "any", sqlHexDecode: "hex",
  lowercase: "cmd", uppercase: "cmd", length: "any", md5: "any", sha1: "any", parityEven7bit: "any",
  parityOdd7bit: "any", parityZero7bit: "any",
};

/** n random inputs biased to a syntax family. */
export function randomInputs(bias: string, n: number, rand: () => number): Uint8Array[] {
  const pool = BIAS[bias] ?? [];
  const out: Uint8Array[] = [];
  for (let k = 0; k < n; k++) {
    const parts: number[] = [];
    const tokens = Math.floor(rand() * rand() * 48);
    for (let t = 0; t < tokens; t++) {
      const r = rand();
      let tok: string;
      if (pool.length && r < 0.65) tok = pool[Math.floor(rand() * pool.length)];
      else if (r < 0.9) tok = UNIVERSAL[Math.floor(rand() * UNIVERSAL.length)];
      else tok = String.fromCharCode(Math.floor(rand() * 256));
      for (let i = 0; i < tok.length; i++) parts.push(tok.charCodeAt(i) & 0xff);
    }
    out.push(Uint8Array.from(parts));
  }
  return out;
}
