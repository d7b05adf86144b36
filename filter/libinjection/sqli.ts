// Native SQL-injection detector for @detectSQLi: a port of the algorithm of libinjection 3.9.2 (the version
// ModSecurity v3.0.9 bundles), written for this filter. It must agree with that build byte for byte -- the same
// verdict and the same fingerprint on every input -- so it reproduces the C tokenizer's observable quirks too
// (see the "C compat" notes). tests/libinjection/differential.test.ts checks it against libmodsecurity3.
//
// Outline: the input is tokenized under up to five readings (as-is, as if preceded by a single quote, as if
// preceded by a double quote; ANSI or MySQL comment rules). Each reading's token stream is folded down to at most
// five tokens; their type letters form a fingerprint, which is SQLi if it is in the generated fingerprint set and
// survives a few false-positive heuristics.
//
// Memory: all state lives in fixed static buffers; nothing is allocated per call or per byte. Work is linear in
// the input: every tokenizer routine advances past what it scans, and each fold step either consumes a token or
// shrinks the bounded (<= 8) token window.
import {
  BYTE_ROUTINE, R_WHITE, R_OP1, R_OP2, R_STRING, R_HASH, R_MONEY, R_CHAR, R_DASH, R_NUMBER, R_SLASH, R_OTHER, R_VAR,
  R_WORD, R_BSTRING, R_ESTRING, R_NQSTRING, R_QSTRING, R_USTRING, R_XSTRING, R_BWORD, R_BACKSLASH, R_TICK,
  KW_SEED, KW_SLOTS, KW_SLOT, KW_ENTRY, KW_POOL, FP_COUNT, FP_CODE, FP_KEY,
} from "./generated/sqli_tables";

// ---- token types (libinjection's one-letter codes; they make up the fingerprint) ----
const T_KEYWORD: u8 = 0x6b; // k
const T_UNION: u8 = 0x55; // U
const T_GROUP: u8 = 0x42; // B
const T_EXPRESSION: u8 = 0x45; // E
const T_SQLTYPE: u8 = 0x74; // t
const T_FUNCTION: u8 = 0x66; // f
const T_BAREWORD: u8 = 0x6e; // n
const T_NUMBER: u8 = 0x31; // 1
const T_VARIABLE: u8 = 0x76; // v
const T_STRING: u8 = 0x73; // s
const T_OPERATOR: u8 = 0x6f; // o
const T_LOGIC: u8 = 0x26; // &
const T_COMMENT: u8 = 0x63; // c
const T_COLLATE: u8 = 0x41; // A
const T_LPAREN: u8 = 0x28; // (
const T_RPAREN: u8 = 0x29; // )
const T_LBRACE: u8 = 0x7b; // {
const T_RBRACE: u8 = 0x7d; // }
const T_DOT: u8 = 0x2e; // .
const T_COMMA: u8 = 0x2c; // ,
const T_COLON: u8 = 0x3a; // :
const T_SEMICOLON: u8 = 0x3b; // ;
const T_TSQL: u8 = 0x54; // T
const T_UNKNOWN: u8 = 0x3f; // ?
const T_EVIL: u8 = 0x58; // X
const T_BACKSLASH: u8 = 0x5c; // \

// ---- reading flags ----
const Q_NONE: i32 = 1;
const Q_SINGLE: i32 = 2;
const Q_DOUBLE: i32 = 4;
const SQL_ANSI: i32 = 8;
const SQL_MYSQL: i32 = 16;

const MAX_TOKENS: i32 = 5;
/** A token keeps at most this many bytes of its text (plus a NUL), like libinjection's 32-byte value field. */
const VAL_CAP: i32 = 31;

// ---- token records in static memory ----
// layout: +0 type u8, +1 opening quote u8, +2 closing quote u8, +4 len i32, +8 text[32]
const TOK_SIZE: usize = 40;
const TOK_VAL: usize = 8;
const TOKENS: usize = memory.data(<i32>TOK_SIZE * 9, 8); // tokens 0..7, then the "last comment" slot
const LAST_COMMENT: usize = TOKENS + TOK_SIZE * 8;
const MERGE_BUF: usize = memory.data(32);
const FP_BUF: usize = memory.data(8);
const SP_PASSWORD: usize = memory.data<u8>([0x73, 0x70, 0x5f, 0x70, 0x61, 0x73, 0x73, 0x77, 0x6f, 0x72, 0x64]); // "sp_password"

@inline function tok(i: i32): usize { return TOKENS + <usize>i * TOK_SIZE; }
@inline function tType(t: usize): u8 { return load<u8>(t); }
@inline function setType(t: usize, v: u8): void { store<u8>(t, v); }
@inline function tOpen(t: usize): u8 { return load<u8>(t, 1); }
@inline function setOpen(t: usize, v: u8): void { store<u8>(t, v, 1); }
@inline function tClose(t: usize): u8 { return load<u8>(t, 2); }
@inline function setClose(t: usize, v: u8): void { store<u8>(t, v, 2); }
@inline function tLen(t: usize): i32 { return load<i32>(t, 4); }
@inline function tVal(t: usize): usize { return t + TOK_VAL; }
@inline function tVal0(t: usize): u8 { return load<u8>(t, TOK_VAL); }
@inline function tClear(t: usize): void { memory.fill(t, 0, TOK_SIZE); }
@inline function tCopy(dst: usize, src: usize): void { memory.copy(dst, src, TOK_SIZE); }

// ---- reading state ----
let S: usize = 0; // input bytes
let SLEN: i32 = 0;
let FLAGS: i32 = 0;
let POS: i32 = 0;
let CUR: usize = TOKENS;
let STATS_TOKENS: i32 = 0;
let STATS_DDX: i32 = 0;
let STATS_HASH: i32 = 0;
let FP_LEN: i32 = 0;

/** Input byte at i (i is always >= 0); past the end reads as the NUL terminator a C caller's string carries. */
@inline function at(i: i32): u8 { return i < SLEN ? load<u8>(S + <usize>i) : 0; }
@inline function raw(i: i32): u8 { return load<u8>(S + <usize>i); }

// ---- byte classes (built once at start-up) ----
const CLS: usize = memory.data(256);
const C_WORD_END: u8 = 1; // ends a bare word
const C_VAR_END: u8 = 2; // ends a @variable name
const C_HEX: u8 = 4; // [0-9A-Fa-f] or NUL (C strspn quirk: NUL counts as accepted)
const C_BIN: u8 = 8; // [01] or NUL
const C_MONEY: u8 = 16; // [0-9.,] or NUL
const C_ALPHA: u8 = 32; // [A-Za-z] or NUL
const C_SQLWHITE: u8 = 64; // libinjection's char_is_white: space \t \n \v \f \r 0xA0 NUL

function markAll(chars: string, bit: u8): void {
  for (let i = 0; i < chars.length; i++) {
    const c = <usize>chars.charCodeAt(i);
    store<u8>(CLS + c, load<u8>(CLS + c) | bit);
  }
}
function initClasses(): void {
  markAll(" []{}<>:\\?=@!#~+-*/&|^%(),';\t\n\x0b\x0c\r\"\xa0\x00", C_WORD_END);
  markAll(" <>:\\?=@!#~+-*/&|^%(),';\t\n\x0b\x0c\r'`\"\x00", C_VAR_END);
  markAll("0123456789ABCDEFabcdef\x00", C_HEX);
  markAll("01\x00", C_BIN);
  markAll("0123456789.,\x00", C_MONEY);
  markAll("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\x00", C_ALPHA);
  markAll(" \t\n\x0b\x0c\r\xa0\x00", C_SQLWHITE);
}
initClasses();

@inline function cls(c: u8): u8 { return load<u8>(CLS + <usize>c); }
@inline function isSqlWhite(c: u8): bool { return (cls(c) & C_SQLWHITE) != 0; }

/** Length of the run starting at `from` whose bytes all have class bit `bit`. */
function spanWith(from: i32, bit: u8): i32 {
  let i = from;
  while (i < SLEN && (cls(raw(i)) & bit) != 0) i++;
  return i - from;
}
/** Length of the run starting at `from` whose bytes all lack class bit `bit`. */
function spanWithout(from: i32, bit: u8): i32 {
  let i = from;
  while (i < SLEN && (cls(raw(i)) & bit) == 0) i++;
  return i - from;
}
/** Index of the first byte c in [from, SLEN), or -1. */
function findByte(from: i32, c: u8): i32 {
  for (let i = from; i < SLEN; i++) if (raw(i) == c) return i;
  return -1;
}
/** Index of the first pair c0 c1 lying wholly inside [from, to), or -1. */
function findPair(from: i32, to: i32, c0: u8, c1: u8): i32 {
  for (let i = from; i < to - 1; i++) if (raw(i) == c0 && raw(i + 1) == c1) return i;
  return -1;
}
/** Offset of the first occurrence of needle[0..nlen) in hay[0..hlen), or -1. */
function findBytes(hay: usize, hlen: i32, needle: usize, nlen: i32): i32 {
  const first = load<u8>(needle);
  for (let i = 0; i <= hlen - nlen; i++) {
    if (load<u8>(hay + <usize>i) == first && memory.compare(hay + <usize>i, needle, <usize>nlen) == 0) return i;
  }
  return -1;
}

@inline function upper(c: u8): u8 { return <u8>(c - 0x61) < 26 ? c - 0x20 : c; }

// ---- keyword table lookup (exact match of the ASCII-upper-cased word) ----
function lookupWord(p: usize, n: i32): u8 {
  let h: u32 = 0x811c9dc5 ^ KW_SEED;
  for (let i = 0; i < n; i++) h = (h ^ <u32>upper(load<u8>(p + <usize>i))) * 0x01000193;
  const mask = KW_SLOTS - 1;
  let slot = h & mask;
  while (true) {
    const e = <u32>load<u16>(KW_SLOT + (<usize>slot << 1));
    if (e == 0) return 0;
    const ent = KW_ENTRY + (<usize>(e - 1) << 2);
    if (<i32>load<u8>(ent, 2) == n) {
      const kw = KW_POOL + <usize>load<u16>(ent);
      let i = 0;
      while (i < n && upper(load<u8>(p + <usize>i)) == load<u8>(kw + <usize>i)) i++;
      if (i == n) return load<u8>(ent, 3);
    }
    slot = (slot + 1) & mask;
  }
  return 0;
}

/** Is the upper-cased fingerprint in FP_BUF[0..FP_LEN) one of the SQLi fingerprints? */
function fingerprintListed(): bool {
  if (FP_LEN < 1) return false;
  let key: u32 = 0;
  for (let i = 0; i < FP_LEN; i++) {
    const c = upper(load<u8>(FP_BUF + <usize>i));
    if (c >= 128) return false;
    const code = <u32>load<u8>(FP_CODE + <usize>c);
    if (code == 0) return false;
    key = (key << 6) | code;
  }
  let lo = 0;
  let hi = FP_COUNT - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = load<u32>(FP_KEY + (<usize>mid << 2));
    if (k == key) return true;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Does token text equal `word` (upper-case ASCII) when folded? */
function tokIs(t: usize, word: string): bool {
  const n = tLen(t);
  if (n != word.length) return false;
  const v = tVal(t);
  for (let i = 0; i < n; i++) if (<i32>upper(load<u8>(v + <usize>i)) != word.charCodeAt(i)) return false;
  return true;
}

// ---- token assignment ----
function assign(t: usize, type: u8, from: i32, len: i32): void {
  const n = len < VAL_CAP ? len : VAL_CAP;
  setType(t, type);
  store<i32>(t, n, 4);
  memory.copy(tVal(t), S + <usize>from, <usize>n);
  store<u8>(tVal(t) + <usize>n, 0);
}
function assignChar(t: usize, type: u8, c: u8): void {
  setType(t, type);
  store<i32>(t, 1, 4);
  store<u8>(tVal(t), c);
  store<u8>(tVal(t) + 1, 0);
}

// ---- tokenizer routines: each starts at POS and returns the position after what it consumed ----

function rdOp1(): i32 {
  assignChar(CUR, T_OPERATOR, raw(POS));
  return POS + 1;
}

function rdOther(): i32 {
  assignChar(CUR, T_UNKNOWN, raw(POS));
  return POS + 1;
}

function rdChar(): i32 {
  const c = raw(POS);
  assignChar(CUR, c, c);
  return POS + 1;
}

function rdLineComment(): i32 {
  const nl = findByte(POS, 0x0a);
  if (nl < 0) {
    assign(CUR, T_COMMENT, POS, SLEN - POS);
    return SLEN;
  }
  assign(CUR, T_COMMENT, POS, nl - POS);
  return nl + 1;
}

function rdHash(): i32 {
  STATS_HASH += 1;
  if (FLAGS & SQL_MYSQL) {
    STATS_HASH += 1;
    return rdLineComment();
  }
  assignChar(CUR, T_OPERATOR, 0x23);
  return POS + 1;
}

function rdDash(): i32 {
  const p = POS;
  if (p + 2 < SLEN && raw(p + 1) == 0x2d && isSqlWhite(raw(p + 2))) return rdLineComment();
  if (p + 2 == SLEN && raw(p + 1) == 0x2d) return rdLineComment();
  if (p + 1 < SLEN && raw(p + 1) == 0x2d && (FLAGS & SQL_ANSI) != 0) {
    STATS_DDX += 1;
    return rdLineComment();
  }
  assignChar(CUR, T_OPERATOR, 0x2d);
  return p + 1;
}

function rdSlash(): i32 {
  const p = POS;
  if (p + 1 == SLEN || raw(p + 1) != 0x2a) return rdOp1();
  const close = findPair(p + 2, SLEN, 0x2a, 0x2f); // "*/"
  const clen = close < 0 ? SLEN - p : close + 2 - p;
  let type = T_COMMENT;
  // A "/*" opening inside the comment (nesting in PostgreSQL) or a MySQL "/*!" comment cannot be read reliably.
  if (close >= 0 && findPair(p + 2, close + 1, 0x2f, 0x2a) >= 0) type = T_EVIL;
  else if (p + 2 < SLEN && raw(p + 2) == 0x21) type = T_EVIL;
  assign(CUR, type, p, clen);
  return p + clen;
}

function rdBackslash(): i32 {
  const p = POS;
  if (p + 1 < SLEN && raw(p + 1) == 0x4e) {
    // MySQL's \N spelling of NULL
    assign(CUR, T_NUMBER, p, 2);
    return p + 2;
  }
  assignChar(CUR, T_BACKSLASH, raw(p));
  return p + 1;
}

function rdOp2(): i32 {
  const p = POS;
  if (p + 1 >= SLEN) return rdOp1();
  if (p + 2 < SLEN && raw(p) == 0x3c && raw(p + 1) == 0x3d && raw(p + 2) == 0x3e) {
    assign(CUR, T_OPERATOR, p, 3); // <=>
    return p + 3;
  }
  const t = lookupWord(S + <usize>p, 2);
  if (t != 0) {
    assign(CUR, t, p, 2);
    return p + 2;
  }
  if (raw(p) == 0x3a) {
    assign(CUR, T_COLON, p, 1);
    return p + 1;
  }
  return rdOp1();
}

/** Odd run of backslashes ending at `end` (and not before `start`)? */
function escapedByBackslash(end: i32, start: i32): bool {
  let p = end;
  while (p >= start && raw(p) == 0x5c) p--;
  return ((end - p) & 1) != 0;
}

/**
 * Quoted text whose body starts at from+skip (skip = 0 when the reading pretends the input opened the quote).
 * The body ends at the first `q` that is neither backslash-escaped nor doubled.
 */
function readQuoted(from: i32, t: usize, q: u8, skip: i32): i32 {
  const body = from + skip;
  let end = findByte(body, q);
  setOpen(t, skip > 0 ? q : 0);
  while (true) {
    if (end < 0) {
      assign(t, T_STRING, body, SLEN - body);
      setClose(t, 0);
      return SLEN;
    }
    if (escapedByBackslash(end - 1, body)) {
      end = findByte(end + 1, q);
    } else if (end + 1 < SLEN && raw(end + 1) == q) {
      end = findByte(end + 2, q);
    } else {
      assign(t, T_STRING, body, end - body);
      setClose(t, q);
      return end + 1;
    }
  }
  return SLEN;
}

function rdString(): i32 {
  return readQuoted(POS, CUR, raw(POS), 1);
}

function rdEString(): i32 {
  // E'...' (PostgreSQL escape string) and N'...' (national character set)
  if (POS + 2 >= SLEN || raw(POS + 1) != 0x27) return rdWord();
  return readQuoted(POS, CUR, 0x27, 2);
}

function rdUString(): i32 {
  // U&'...' (unicode string)
  const p = POS;
  if (p + 2 < SLEN && raw(p + 1) == 0x26 && raw(p + 2) == 0x27) {
    POS += 2;
    const r = rdString();
    setOpen(CUR, 0x75);
    if (tClose(CUR) == 0x27) setClose(CUR, 0x75);
    return r;
  }
  return rdWord();
}

/** Oracle q'<delim>...<delim>' strings, with the q at POS+skip. */
function rdQStringAt(skip: i32): i32 {
  const p = POS + skip;
  if (p >= SLEN || (raw(p) != 0x71 && raw(p) != 0x51) || p + 2 >= SLEN || raw(p + 1) != 0x27) return rdWord();
  let d = raw(p + 2);
  if (d < 33 || d >= 128) return rdWord(); // C compat: signed char, so bytes >= 0x80 count as < 33
  if (d == 0x28) d = 0x29;
  else if (d == 0x5b) d = 0x5d;
  else if (d == 0x7b) d = 0x7d;
  else if (d == 0x3c) d = 0x3e;
  const end = findPair(p + 3, SLEN, d, 0x27);
  setOpen(CUR, 0x71);
  if (end < 0) {
    assign(CUR, T_STRING, p + 3, SLEN - p - 3);
    setOpen(CUR, 0x71);
    setClose(CUR, 0);
    return SLEN;
  }
  assign(CUR, T_STRING, p + 3, end - p - 3);
  setOpen(CUR, 0x71);
  setClose(CUR, 0x71);
  return end + 2;
}

function rdQString(): i32 {
  return rdQStringAt(0);
}

function rdNQString(): i32 {
  if (POS + 2 < SLEN && raw(POS + 1) == 0x27) return rdEString();
  return rdQStringAt(1);
}

/** b'0101' and x'CAFE' literals: a digit run (class `bit`) closed by a quote. */
function rdRadixString(bit: u8): i32 {
  const p = POS;
  if (p + 2 >= SLEN || raw(p + 1) != 0x27) return rdWord();
  const n = spanWith(p + 2, bit);
  if (p + 2 + n >= SLEN || raw(p + 2 + n) != 0x27) return rdWord();
  assign(CUR, T_NUMBER, p, n + 3);
  return p + n + 3;
}

function rdBWord(): i32 {
  // [bracketed identifier] (SQL Server)
  const p = POS;
  const end = findByte(p, 0x5d);
  if (end < 0) {
    assign(CUR, T_BAREWORD, p, SLEN - p);
    return SLEN;
  }
  assign(CUR, T_BAREWORD, p, end - p + 1);
  return end + 1;
}

function rdWord(): i32 {
  const p = POS;
  const n = spanWithout(p, C_WORD_END);
  assign(CUR, T_BAREWORD, p, n);
  // "SELECT.1" or "SELECT`x`": a keyword before the first '.' or '`' stands alone.
  const v = tVal(CUR);
  const kept = tLen(CUR);
  for (let i = 0; i < kept; i++) {
    const c = load<u8>(v + <usize>i);
    if (c == 0x2e || c == 0x60) {
      const t = lookupWord(v, i);
      if (t != 0 && t != T_BAREWORD) {
        tClear(CUR);
        assign(CUR, t, p, i);
        return p + i;
      }
    }
  }
  if (n <= VAL_CAP) {
    const t = lookupWord(v, n);
    setType(CUR, t != 0 ? t : T_BAREWORD);
  }
  return p + n;
}

function rdTick(): i32 {
  // MySQL `identifier`: a bare word unless it names a function
  const r = readQuoted(POS, CUR, 0x60, 1);
  const t = lookupWord(tVal(CUR), tLen(CUR));
  setType(CUR, t == T_FUNCTION ? T_FUNCTION : T_BAREWORD);
  return r;
}

function rdVar(): i32 {
  let p = POS + 1;
  if (p < SLEN && raw(p) == 0x40) p += 1; // @@system_variable
  if (p < SLEN) {
    const c = raw(p);
    if (c == 0x60) {
      POS = p;
      const r = rdTick();
      setType(CUR, T_VARIABLE);
      return r;
    }
    if (c == 0x27 || c == 0x22) {
      POS = p;
      const r = rdString();
      setType(CUR, T_VARIABLE);
      return r;
    }
  }
  const n = spanWithout(p, C_VAR_END);
  assign(CUR, T_VARIABLE, p, n);
  return p + n;
}

function rdMoney(): i32 {
  const p = POS;
  if (p + 1 == SLEN) {
    assignChar(CUR, T_BAREWORD, 0x24);
    return SLEN;
  }
  let n = spanWith(p + 1, C_MONEY);
  if (n == 0) {
    if (raw(p + 1) == 0x24) {
      // $$ ... $$ (PostgreSQL dollar quoting, empty tag)
      const end = findPair(p + 2, SLEN, 0x24, 0x24);
      if (end < 0) {
        assign(CUR, T_STRING, p + 2, SLEN - (p + 2));
        setOpen(CUR, 0x24);
        setClose(CUR, 0);
        return SLEN;
      }
      assign(CUR, T_STRING, p + 2, end - (p + 2));
      setOpen(CUR, 0x24);
      setClose(CUR, 0x24);
      return end + 2;
    }
    // $tag$ ... $tag$
    n = spanWith(p + 1, C_ALPHA);
    if (n == 0 || p + n + 1 == SLEN || raw(p + n + 1) != 0x24) {
      assignChar(CUR, T_BAREWORD, 0x24);
      return p + 1;
    }
    const body = p + n + 2;
    const hit = findBytes(S + <usize>body, SLEN - body, S + <usize>p, n + 2);
    if (hit < 0) {
      assign(CUR, T_STRING, body, SLEN - body);
      setOpen(CUR, 0x24);
      setClose(CUR, 0);
      return SLEN;
    }
    assign(CUR, T_STRING, body, hit);
    setOpen(CUR, 0x24);
    setClose(CUR, 0x24);
    return body + hit + n + 2;
  }
  if (n == 1 && raw(p + 1) == 0x2e) return rdWord();
  assign(CUR, T_NUMBER, p, n + 1);
  return p + n + 1;
}

@inline function isDigit(c: u8): bool { return <u8>(c - 0x30) <= 9; }

function rdNumber(): i32 {
  let p = POS;
  if (raw(p) == 0x30 && p + 1 < SLEN) {
    const c1 = raw(p + 1);
    let bit: u8 = 0;
    if (c1 == 0x58 || c1 == 0x78) bit = C_HEX;
    else if (c1 == 0x42 || c1 == 0x62) bit = C_BIN;
    if (bit != 0) {
      const n = spanWith(p + 2, bit);
      if (n == 0) {
        assign(CUR, T_BAREWORD, p, 2);
        return p + 2;
      }
      assign(CUR, T_NUMBER, p, n + 2);
      return p + n + 2;
    }
  }
  const start = p;
  while (p < SLEN && isDigit(raw(p))) p++;
  if (p < SLEN && raw(p) == 0x2e) {
    p++;
    while (p < SLEN && isDigit(raw(p))) p++;
    if (p - start == 1) {
      assignChar(CUR, T_DOT, 0x2e);
      return p;
    }
  }
  let sawE = false;
  let sawExp = false;
  if (p < SLEN && (raw(p) == 0x45 || raw(p) == 0x65)) {
    sawE = true;
    p++;
    if (p < SLEN && (raw(p) == 0x2b || raw(p) == 0x2d)) p++;
    while (p < SLEN && isDigit(raw(p))) {
      sawExp = true;
      p++;
    }
  }
  if (p < SLEN) {
    const c = raw(p);
    if (c == 0x64 || c == 0x44 || c == 0x66 || c == 0x46) {
      // Oracle float/double suffix: taken when followed by end, white space, ';' or 'u'/'U' (1fUNION)
      if (p + 1 == SLEN) p++;
      else {
        const d = raw(p + 1);
        if (isSqlWhite(d) || d == 0x3b || d == 0x75 || d == 0x55) p++;
      }
    }
  }
  // "1e" / "1.5E" without exponent digits is a word, not a number
  assign(CUR, sawE && !sawExp ? T_BAREWORD : T_NUMBER, start, p - start);
  return p;
}

function dispatch(r: u8): i32 {
  switch (r) {
    case R_WHITE: return POS + 1;
    case R_OP1: return rdOp1();
    case R_OP2: return rdOp2();
    case R_STRING: return rdString();
    case R_HASH: return rdHash();
    case R_MONEY: return rdMoney();
    case R_CHAR: return rdChar();
    case R_DASH: return rdDash();
    case R_NUMBER: return rdNumber();
    case R_SLASH: return rdSlash();
    case R_OTHER: return rdOther();
    case R_VAR: return rdVar();
    case R_WORD: return rdWord();
    case R_BSTRING: return rdRadixString(C_BIN);
    case R_ESTRING: return rdEString();
    case R_NQSTRING: return rdNQString();
    case R_QSTRING: return rdQString();
    case R_USTRING: return rdUString();
    case R_XSTRING: return rdRadixString(C_HEX);
    case R_BWORD: return rdBWord();
    case R_BACKSLASH: return rdBackslash();
    case R_TICK: return rdTick();
    default: return POS + 1;
  }
}

/** Read the next token into CUR; false at end of input. */
function nextToken(): bool {
  if (SLEN == 0) return false;
  const t = CUR;
  tClear(t);
  if (POS == 0 && (FLAGS & (Q_SINGLE | Q_DOUBLE)) != 0) {
    // this reading pretends the input continues a quoted string
    POS = readQuoted(0, t, (FLAGS & Q_SINGLE) != 0 ? 0x27 : 0x22, 0);
    STATS_TOKENS += 1;
    return true;
  }
  while (POS < SLEN) {
    POS = dispatch(load<u8>(BYTE_ROUTINE + <usize>raw(POS)));
    if (tType(t) != 0) {
      STATS_TOKENS += 1;
      return true;
    }
  }
  return false;
}

// ---- folding ----

function isUnaryOp(t: usize): bool {
  if (tType(t) != T_OPERATOR) return false;
  const n = tLen(t);
  const c = tVal0(t);
  if (n == 1) return c == 0x2b || c == 0x2d || c == 0x21 || c == 0x7e; // + - ! ~
  if (n == 2) return c == 0x21 && load<u8>(tVal(t) + 1) == 0x21; // !!
  if (n == 3) return tokIs(t, "NOT");
  return false;
}

function isArithmeticOp(t: usize): bool {
  const c = tVal0(t);
  return tType(t) == T_OPERATOR && tLen(t) == 1 && (c == 0x2a || c == 0x2f || c == 0x2d || c == 0x2b || c == 0x25);
}

function mergeable(ty: u8, second: bool): bool {
  return ty == T_KEYWORD || ty == T_BAREWORD || ty == T_OPERATOR || ty == T_UNION || ty == T_FUNCTION ||
    ty == T_EXPRESSION || ty == T_TSQL || ty == T_SQLTYPE || (second && ty == T_LOGIC);
}

/** Two-word phrases ("UNION ALL", "NOT IN", ...): replace a by the phrase's keyword when it is one. */
function mergeWords(a: usize, b: usize): bool {
  if (!mergeable(tType(a), false) || !mergeable(tType(b), true)) return false;
  const n1 = tLen(a);
  const n2 = tLen(b);
  const n = n1 + n2 + 1;
  if (n > VAL_CAP) return false;
  memory.copy(MERGE_BUF, tVal(a), <usize>n1);
  store<u8>(MERGE_BUF + <usize>n1, 0x20);
  memory.copy(MERGE_BUF + <usize>n1 + 1, tVal(b), <usize>n2);
  const t = lookupWord(MERGE_BUF, n);
  if (t == 0) return false;
  setType(a, t);
  store<i32>(a, n, 4);
  memory.copy(tVal(a), MERGE_BUF, <usize>n);
  store<u8>(tVal(a) + <usize>n, 0);
  return true;
}

/** C compat: strchr on the NUL-terminated value, so a NUL inside the value hides what follows it. */
function valHasUnderscore(t: usize): bool {
  const v = tVal(t);
  for (let i = 0; i < 32; i++) {
    const c = load<u8>(v + <usize>i);
    if (c == 0) return false;
    if (c == 0x5f) return true;
  }
  return false;
}

@inline function ty(i: i32): u8 { return tType(tok(i)); }

function isFakeFunctionName(t: usize): bool {
  return tokIs(t, "USER_ID") || tokIs(t, "USER_NAME") || tokIs(t, "DATABASE") || tokIs(t, "PASSWORD") ||
    tokIs(t, "USER") || tokIs(t, "CURRENT_USER") || tokIs(t, "CURRENT_DATE") || tokIs(t, "CURRENT_TIME") ||
    tokIs(t, "CURRENT_TIMESTAMP") || tokIs(t, "LOCALTIME") || tokIs(t, "LOCALTIMESTAMP");
}

/** Pull tokens into the window until it holds `want` past `left` (comments are set aside, not kept). */
let MORE: bool = true;
function fill(pos: i32, left: i32, want: i32): i32 {
  while (MORE && pos <= MAX_TOKENS && pos - left < want) {
    CUR = tok(pos);
    MORE = nextToken();
    if (MORE) {
      if (tType(CUR) == T_COMMENT) tCopy(LAST_COMMENT, CUR);
      else {
        setType(LAST_COMMENT, 0);
        pos += 1;
      }
    }
  }
  return pos;
}

@inline function isValueLike(t: u8): bool { return t == T_BAREWORD || t == T_NUMBER || t == T_VARIABLE || t == T_STRING; }

/** Fold the token stream; returns the number of tokens that make the fingerprint. */
function fold(): i32 {
  let pos = 0; // where the next token goes
  let left = 0; // tokens before this index are settled
  tClear(LAST_COMMENT);
  CUR = tok(0);
  MORE = true;
  // leading comments, '(' , SQL types and unary operators carry no signal
  while (MORE) {
    MORE = nextToken();
    const t = tType(CUR);
    if (!(t == T_COMMENT || t == T_LPAREN || t == T_SQLTYPE || isUnaryOp(CUR))) break;
  }
  if (!MORE) return 0;
  pos = 1;

  while (true) {
    if (pos >= MAX_TOKENS) {
      // a few five-token shapes common in benign input collapse back to their head
      const t0 = ty(0), t1 = ty(1), t2 = ty(2), t3 = ty(3), t4 = ty(4);
      if (
        (t0 == T_NUMBER && (t1 == T_OPERATOR || t1 == T_COMMA) && t2 == T_LPAREN && t3 == T_NUMBER && t4 == T_RPAREN) ||
        (t0 == T_BAREWORD && t1 == T_OPERATOR && t2 == T_LPAREN && (t3 == T_BAREWORD || t3 == T_NUMBER) && t4 == T_RPAREN) ||
        (t0 == T_NUMBER && t1 == T_RPAREN && t2 == T_COMMA && t3 == T_LPAREN && t4 == T_NUMBER) ||
        (t0 == T_BAREWORD && t1 == T_RPAREN && t2 == T_OPERATOR && t3 == T_LPAREN && t4 == T_BAREWORD)
      ) {
        if (pos > MAX_TOKENS) {
          tCopy(tok(1), tok(MAX_TOKENS));
          pos = 2;
        } else pos = 1;
        left = 0;
      }
    }
    if (!MORE || left >= MAX_TOKENS) {
      left = pos;
      break;
    }

    pos = fill(pos, left, 2);
    if (pos - left < 2) {
      left = pos;
      continue;
    }

    const a = tok(left);
    const b = tok(left + 1);
    const ta = tType(a);
    const tb = tType(b);
    if (ta == T_STRING && tb == T_STRING) {
      pos -= 1; // adjacent strings concatenate
      continue;
    }
    if (ta == T_SEMICOLON && tb == T_SEMICOLON) {
      pos -= 1;
      continue;
    }
    if ((ta == T_OPERATOR || ta == T_LOGIC) && (isUnaryOp(b) || tb == T_SQLTYPE)) {
      pos -= 1;
      left = 0;
      continue;
    }
    if (ta == T_LPAREN && isUnaryOp(b)) {
      pos -= 1;
      if (left > 0) left -= 1;
      continue;
    }
    if (mergeWords(a, b)) {
      pos -= 1;
      if (left > 0) left -= 1;
      continue;
    }
    if (ta == T_SEMICOLON && tb == T_FUNCTION && (tVal0(b) | 0x20) == 0x69 && (load<u8>(tVal(b) + 1) | 0x20) == 0x66) {
      // "; IF" starts a T-SQL statement
      setType(b, T_TSQL);
      continue;
    }
    if ((ta == T_BAREWORD || ta == T_VARIABLE) && tb == T_LPAREN && isFakeFunctionName(a)) {
      setType(a, T_FUNCTION);
      continue;
    }
    if (ta == T_KEYWORD && (tokIs(a, "IN") || tokIs(a, "NOT IN"))) {
      setType(a, tb == T_LPAREN ? T_OPERATOR : T_BAREWORD);
      continue;
    }
    if (ta == T_OPERATOR && (tokIs(a, "LIKE") || tokIs(a, "NOT LIKE"))) {
      if (tb == T_LPAREN) setType(a, T_FUNCTION);
    } else if (ta == T_SQLTYPE && (tb == T_BAREWORD || tb == T_NUMBER || tb == T_SQLTYPE || tb == T_LPAREN ||
      tb == T_FUNCTION || tb == T_VARIABLE || tb == T_STRING)) {
      tCopy(a, b);
      pos -= 1;
      left = 0;
      continue;
    } else if (ta == T_COLLATE && tb == T_BAREWORD) {
      if (valHasUnderscore(b)) {
        setType(b, T_SQLTYPE);
        left = 0;
      }
    } else if (ta == T_BACKSLASH) {
      if (isArithmeticOp(b)) setType(a, T_NUMBER);
      else {
        tCopy(a, b);
        pos -= 1;
      }
      left = 0;
      continue;
    } else if ((ta == T_LPAREN && tb == T_LPAREN) || (ta == T_RPAREN && tb == T_RPAREN)) {
      pos -= 1;
      left = 0;
      continue;
    } else if (ta == T_LBRACE && tb == T_BAREWORD) {
      if (tLen(b) == 0) {
        // "{ ``" -- a MySQL oddity not worth modelling
        setType(b, T_EVIL);
        return left + 2;
      }
      // ODBC "{fn expr}": drop the "{ name" part
      left = 0;
      pos -= 2;
      continue;
    } else if (tb == T_RBRACE) {
      pos -= 1;
      left = 0;
      continue;
    }

    // no two-token rule applied: look at three
    pos = fill(pos, left, 3);
    if (pos - left < 3) {
      left = pos;
      continue;
    }
    const c = tok(left + 2);
    const tc = tType(c);
    const ta2 = tType(a);
    const tb2 = tType(b);
    if (ta2 == T_NUMBER && tb2 == T_OPERATOR && tc == T_NUMBER) {
      pos -= 2;
      left = 0;
      continue;
    }
    if (ta2 == T_OPERATOR && tb2 != T_LPAREN && tc == T_OPERATOR) {
      left = 0;
      pos -= 2;
      continue;
    }
    if (ta2 == T_LOGIC && tc == T_LOGIC) {
      pos -= 2;
      left = 0;
      continue;
    }
    if (ta2 == T_VARIABLE && tb2 == T_OPERATOR && (tc == T_VARIABLE || tc == T_NUMBER || tc == T_BAREWORD)) {
      pos -= 2;
      left = 0;
      continue;
    }
    if ((ta2 == T_BAREWORD || ta2 == T_NUMBER) && tb2 == T_OPERATOR && (tc == T_NUMBER || tc == T_BAREWORD)) {
      pos -= 2;
      left = 0;
      continue;
    }
    if (isValueLike(ta2) && tb2 == T_OPERATOR && tLen(b) == 2 && tVal0(b) == 0x3a && load<u8>(tVal(b) + 1) == 0x3a &&
      tc == T_SQLTYPE) {
      // value::type (PostgreSQL cast)
      pos -= 2;
      left = 0;
      continue;
    }
    if (isValueLike(ta2) && tb2 == T_COMMA && isValueLike(tc)) {
      pos -= 2;
      left = 0;
      continue;
    }
    if ((ta2 == T_EXPRESSION || ta2 == T_GROUP || ta2 == T_COMMA) && isUnaryOp(b) && tc == T_LPAREN) {
      tCopy(b, c);
      pos -= 1;
      left = 0;
      continue;
    }
    if ((ta2 == T_KEYWORD || ta2 == T_EXPRESSION || ta2 == T_GROUP) && isUnaryOp(b) &&
      (isValueLike(tc) || tc == T_FUNCTION)) {
      tCopy(b, c);
      pos -= 1;
      left = 0;
      continue;
    }
    if (ta2 == T_COMMA && isUnaryOp(b) && isValueLike(tc)) {
      tCopy(b, c);
      left = 0;
      pos -= 3;
      continue;
    }
    if (ta2 == T_COMMA && isUnaryOp(b) && tc == T_FUNCTION) {
      tCopy(b, c);
      pos -= 1;
      left = 0;
      continue;
    }
    if (ta2 == T_BAREWORD && tb2 == T_DOT && tc == T_BAREWORD) {
      pos -= 2; // schema.table
      left = 0;
      continue;
    }
    if (ta2 == T_EXPRESSION && tb2 == T_DOT && tc == T_BAREWORD) {
      tCopy(b, c);
      pos -= 1;
      left = 0;
      continue;
    }
    if (ta2 == T_FUNCTION && tb2 == T_LPAREN && tc != T_RPAREN) {
      // USER(x) is a column called user, USER() the function
      if (tokIs(a, "USER")) setType(a, T_BAREWORD);
    }
    left += 1;
  }

  if (left < MAX_TOKENS && tType(LAST_COMMENT) == T_COMMENT) {
    tCopy(tok(left), LAST_COMMENT);
    left += 1;
  }
  if (left > MAX_TOKENS) left = MAX_TOKENS;
  return left;
}

/** Tokenize and fold the input under one reading; leaves the fingerprint in FP_BUF / FP_LEN. */
function fingerprint(flags: i32): void {
  memory.fill(TOKENS, 0, TOK_SIZE * 9);
  FLAGS = flags;
  POS = 0;
  CUR = TOKENS;
  STATS_TOKENS = 0;
  STATS_DDX = 0;
  STATS_HASH = 0;
  const n = fold();
  if (n > 2) {
    // PHP-style unterminated empty backtick at the end acts as a comment
    const last = tok(n - 1);
    if (tType(last) == T_BAREWORD && tOpen(last) == 0x60 && tLen(last) == 0 && tClose(last) == 0) setType(last, T_COMMENT);
  }
  let evil = false;
  for (let i = 0; i < n; i++) {
    const t = ty(i);
    store<u8>(FP_BUF + <usize>i, t);
    if (t == T_EVIL) evil = true;
  }
  FP_LEN = n;
  if (evil) {
    // unparsable input: the whole fingerprint becomes "X"
    store<u8>(FP_BUF, T_EVIL);
    FP_LEN = 1;
    const t0 = tok(0);
    memory.fill(tVal(t0), 0, 32);
    setType(t0, T_EVIL);
    store<u8>(tVal(t0), T_EVIL);
    setType(tok(1), 0);
  }
  store<u8>(FP_BUF + <usize>FP_LEN, 0);
}

@inline function fpIs(s: string): bool {
  if (FP_LEN != s.length) return false;
  for (let i = 0; i < FP_LEN; i++) if (<i32>load<u8>(FP_BUF + <usize>i) != s.charCodeAt(i)) return false;
  return true;
}

/** False-positive heuristics applied after a fingerprint matched; true = still SQLi. */
function survivesWhitelist(): bool {
  const n = FP_LEN;
  const t0 = tok(0);
  const t1 = tok(1);
  if (n > 1 && load<u8>(FP_BUF + <usize>(n - 1)) == T_COMMENT) {
    // 'sp_password' in a trailing comment hides the statement from SQL Server's audit log
    if (findBytes(S, SLEN, SP_PASSWORD, 11) >= 0) return true;
  }
  if (n == 2) {
    if (load<u8>(FP_BUF + 1) == T_UNION) return STATS_TOKENS != 2;
    if (tVal0(t1) == 0x23) return false; // "... #" comment
    if (tType(t0) == T_BAREWORD && tType(t1) == T_COMMENT && tVal0(t1) != 0x2f) return false;
    if (tType(t0) == T_NUMBER && tType(t1) == T_COMMENT) {
      if (tVal0(t1) == 0x2f) return true;
      if (STATS_TOKENS > 2) return true;
      // C compat: looks at the input at the number token's *length*, and reads bytes as signed chars
      const l = tLen(t0);
      const c = at(l);
      if (c <= 32 || c >= 128) return true;
      if (c == 0x2f && at(l + 1) == 0x2a) return true;
      if (c == 0x2d && at(l + 1) == 0x2d) return true;
      return false;
    }
    if (tLen(t1) > 2 && tVal0(t1) == 0x2d) return false;
    return true;
  }
  if (n == 3) {
    if (fpIs("sos") || fpIs("s&s")) {
      const t2 = tok(2);
      return tOpen(t0) == 0 && tClose(t2) == 0 && tClose(t0) == tOpen(t2);
    }
    if (fpIs("s&n") || fpIs("n&1") || fpIs("1&1") || fpIs("1&v") || fpIs("1&s")) return STATS_TOKENS != 3;
    if (tType(t1) == T_KEYWORD) {
      const v = tVal(t1);
      const into = upper(load<u8>(v)) == 0x49 && upper(load<u8>(v, 1)) == 0x4e && upper(load<u8>(v, 2)) == 0x54 &&
        upper(load<u8>(v, 3)) == 0x4f;
      if (tLen(t1) < 5 || !into) return false; // only INTO OUTFILE / INTO DUMPFILE count
    }
  }
  return true;
}

@inline function isSqli(): bool {
  return fingerprintListed() && survivesWhitelist();
}

function hasByte(c: u8): bool {
  for (let i = 0; i < SLEN; i++) if (raw(i) == c) return true;
  return false;
}

function detect(): bool {
  if (SLEN == 0) return false;
  fingerprint(Q_NONE | SQL_ANSI);
  if (isSqli()) return true;
  if (STATS_DDX != 0 || STATS_HASH != 0) {
    fingerprint(Q_NONE | SQL_MYSQL);
    if (isSqli()) return true;
  }
  if (hasByte(0x27)) {
    fingerprint(Q_SINGLE | SQL_ANSI);
    if (isSqli()) return true;
    if (STATS_DDX != 0 || STATS_HASH != 0) {
      fingerprint(Q_SINGLE | SQL_MYSQL);
      if (isSqli()) return true;
    }
  }
  if (hasByte(0x22)) {
    fingerprint(Q_DOUBLE | SQL_MYSQL);
    if (isSqli()) return true;
  }
  return false;
}

/**
 * @detectSQLi over input bytes [ptr, ptr+len). On a match writes the fingerprint (1-5 ASCII bytes, then a NUL) to
 * fingerprintOut, which must have room for 8 bytes; otherwise writes an empty string there (when non-zero).
 */
export function detectSQLi(ptr: usize, len: i32, fingerprintOut: usize): bool {
  S = ptr;
  SLEN = len > 0 ? len : 0;
  const hit = detect();
  if (fingerprintOut != 0) {
    if (hit) memory.copy(fingerprintOut, FP_BUF, <usize>FP_LEN + 1);
    else store<u8>(fingerprintOut, 0);
  }
  return hit;
}

/** Length of the fingerprint of the last detectSQLi call that matched (bytes before the NUL). */
export function lastFingerprintLength(): i32 {
  return FP_LEN;
}
