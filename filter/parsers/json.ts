// JSON request bodies as ModSecurity v3.0.9 (src/request_body_processor/json.cc over yajl 2.1.0):
//  - a port of yajl's lexer (strict: no comments, UTF-8 validated the yajl way, i.e. structure only) and of
//    its push parser state machine, with an explicit state stack (no recursion);
//  - ModSecurity feeds the whole body then yajl_complete_parse (one " " more), which is what parse() does;
//  - argument names: top-level scalar "json"; object members "<path>.<key>" (empty key: "empty-key");
//    array elements "<path>.array_<i>" where path is the chain of container names from "json" (e.g.
//    {"a":[1,{"b":2}]} -> json.a.array_0, json.a.array_1.b); strings decoded (yajl \u handling, lone high
//    surrogate -> '?'), numbers verbatim, true/false, null -> "";
//  - SecRequestBodyJsonDepthLimit (default 10000) and SecArgumentsLimit cancel the parse: REQBODY_ERROR with
//    yajl's "client cancelled parse via callback return value" (+ ". Parsing depth limit exceeded");
//  - errors: REQBODY_ERROR_MSG = "JSON parsing error: " + yajl_get_error(verbose 0), trailing '\n' included;
//    an empty body is not an error (and produces nothing).
// Whole-buffer (not streaming): the caller passes the complete body.
import { Collector, Flag, ErrorCode } from "./collector";
import { ByteBuf } from "./bytes";

const VEC: u8 = 0x01;
const IJC: u8 = 0x02;
const VHC: u8 = 0x04;
const NFP: u8 = 0x08;
const NUC: u8 = 0x10;

const table = new StaticArray<u8>(256);
function initTable(): void {
  for (let i = 0; i < 0x20; i++) table[i] = IJC;
  table[0x22] = NFP | VEC | IJC;
  table[0x2f] = VEC;
  for (let i = 0x30; i <= 0x39; i++) table[i] = VHC;
  for (let i = 0x41; i <= 0x46; i++) table[i] = VHC;
  table[0x5c] = NFP | VEC | IJC;
  for (let i = 0x61; i <= 0x66; i++) table[i] = VHC;
  table[0x62] = VEC | VHC;
  table[0x66] = VEC | VHC;
  table[0x6e] = VEC;
  table[0x72] = VEC;
  table[0x74] = VEC;
  for (let i = 0x80; i < 0x100; i++) table[i] = NUC;
}
initTable();

// tokens
const T_EOF = 0;
const T_ERROR = 1;
const T_STRING = 2;
const T_STRING_ESC = 3;
const T_BOOL = 4;
const T_NULL = 5;
const T_LMAP = 6; // '{'
const T_LARR = 7; // '['
const T_INTEGER = 8;
const T_DOUBLE = 9;
const T_RARR = 10; // ']'
const T_RMAP = 11; // '}'
const T_COMMA = 12;
const T_COLON = 13;

// lexer errors
const LE_UTF8 = 1;
const LE_ESCAPED = 2;
const LE_JSON_CHAR = 3;
const LE_HEX = 4;
const LE_INVALID_CHAR = 5;
const LE_INVALID_STRING = 6;
const LE_EXPONENT = 7;
const LE_DECIMAL = 8;
const LE_MINUS = 9;
const LE_COMMENT = 10;

function lexErrorString(e: i32): string {
  switch (e) {
    case LE_UTF8: return "invalid bytes in UTF8 string.";
    case LE_ESCAPED: return "inside a string, '\\' occurs before a character which it may not.";
    case LE_JSON_CHAR: return "invalid character inside string.";
    case LE_HEX: return "invalid (non-hex) character occurs after '\\u' inside string.";
    case LE_INVALID_CHAR: return "invalid char in json text.";
    case LE_INVALID_STRING: return "invalid string in json text.";
    case LE_EXPONENT: return "malformed number, a digit is required after the exponent.";
    case LE_DECIMAL: return "malformed number, a digit is required after the decimal point.";
    case LE_MINUS: return "malformed number, a digit is required after the minus sign.";
    case LE_COMMENT: return "probable comment found in input text, comments are not enabled.";
  }
  return "ok, no error";
}

// parser states
const S_START: u8 = 0;
const S_PARSE_COMPLETE: u8 = 1;
const S_PARSE_ERROR: u8 = 2;
const S_LEX_ERROR: u8 = 3;
const S_MAP_START: u8 = 4;
const S_MAP_SEP: u8 = 5;
const S_MAP_NEED_VAL: u8 = 6;
const S_MAP_GOT_VAL: u8 = 7;
const S_MAP_NEED_KEY: u8 = 8;
const S_ARRAY_START: u8 = 9;
const S_ARRAY_GOT_VAL: u8 = 10;
const S_ARRAY_NEED_VAL: u8 = 11;

export class JsonOptions {
  /** SecRequestBodyJsonDepthLimit. */
  depthLimit: f64 = 10000;
}

@inline function isDigit(c: i32): bool {
  return c >= 0x30 && c <= 0x39;
}

function hex4(p: usize): u32 {
  let v: u32 = 0;
  for (let i = 0; i < 4; i++) {
    let c = <i32>load<u8>(p + <usize>i);
    if (c >= 0x41) c = (c & ~0x20) - 7;
    c -= 0x30;
    v = (v << 4) | (<u32>c & 0xf);
  }
  return v;
}

function utf32ToUtf8(cp: u32, out: ByteBuf): void {
  if (cp < 0x80) out.push(<u8>cp);
  else if (cp < 0x800) {
    out.push(<u8>((cp >> 6) | 0xc0));
    out.push(<u8>((cp & 0x3f) | 0x80));
  } else if (cp < 0x10000) {
    out.push(<u8>((cp >> 12) | 0xe0));
    out.push(<u8>(((cp >> 6) & 0x3f) | 0x80));
    out.push(<u8>((cp & 0x3f) | 0x80));
  } else if (cp < 0x200000) {
    out.push(<u8>((cp >> 18) | 0xf0));
    out.push(<u8>(((cp >> 12) & 0x3f) | 0x80));
    out.push(<u8>(((cp >> 6) & 0x3f) | 0x80));
    out.push(<u8>((cp & 0x3f) | 0x80));
  } else out.push(0x3f);
}

/** yajl_string_decode of s[0..len); s[len] must be readable (the closing quote). */
function stringDecode(s: usize, len: i32, out: ByteBuf): void {
  let beg = 0;
  let end = 0;
  while (end < len) {
    if (load<u8>(s + <usize>end) == 0x5c) {
      out.append(s + <usize>beg, end - beg);
      end++;
      const e = load<u8>(s + <usize>end);
      let one: i32 = -1; // single byte to emit, or -1
      let q = false;
      switch (e) {
        case 0x72: one = 0x0d; break;
        case 0x6e: one = 0x0a; break;
        case 0x5c: one = 0x5c; break;
        case 0x2f: one = 0x2f; break;
        case 0x22: one = 0x22; break;
        case 0x66: one = 0x0c; break;
        case 0x62: one = 0x08; break;
        case 0x74: one = 0x09; break;
        case 0x75: {
          let cp = hex4(s + <usize>(end + 1));
          end += 4;
          if ((cp & 0xfc00) == 0xd800) {
            end++;
            if (load<u8>(s + <usize>end) == 0x5c && load<u8>(s + <usize>(end + 1)) == 0x75) {
              const sur = hex4(s + <usize>(end + 2));
              cp = ((cp & 0x3f) << 10) | ((((cp >> 6) & 0xf) + 1) << 16) | (sur & 0x3ff);
              end += 5;
            } else {
              q = true;
              break;
            }
          }
          if (cp == 0) {
            out.push(0);
            beg = ++end;
            continue;
          }
          utf32ToUtf8(cp, out);
          beg = ++end;
          continue;
        }
        default: one = 0x3f;
      }
      if (q) {
        // lone high surrogate: '?' and the following byte is kept (Debian's yajl 2.1.0 behaviour)
        out.push(0x3f);
        beg = end;
        continue;
      }
      out.push(<u8>one);
      beg = ++end;
    } else end++;
  }
  if (end > beg) out.append(s + <usize>beg, end - beg);
}

export class JsonParser {
  opts: JsonOptions = new JsonOptions();
  private src: ByteBuf = new ByteBuf(256); // body + ' ' (yajl_complete_parse)
  private off: i32 = 0;
  private n: i32 = 0;
  private tokStart: i32 = 0;
  private lexErr: i32 = 0;
  private states: ByteBuf = new ByteBuf(64);
  private parseError: string = "";
  // ModSecurity JSON state
  private path: ByteBuf = new ByteBuf(128);
  private segStart: Array<i32> = new Array<i32>();
  private nameLen: Array<i32> = new Array<i32>();
  private isArr: Array<bool> = new Array<bool>();
  private counter: Array<i64> = new Array<i64>();
  private depth: i64 = 0;
  private depthExceeded: bool = false;
  private currentKey: ByteBuf = new ByteBuf(64);
  private keyOut: ByteBuf = new ByteBuf(64);
  private name: ByteBuf = new ByteBuf(128);
  private value: ByteBuf = new ByteBuf(128);
  private c: Collector | null = null;

  @inline private next(): i32 {
    const v = <i32>load<u8>(this.src.ptr + <usize>this.off);
    this.off++;
    return v;
  }

  private lex(): i32 {
    const p = this.src.ptr;
    const n = this.n;
    for (;;) {
      if (this.off >= n) return T_EOF;
      this.tokStart = this.off;
      const c = this.next();
      switch (c) {
        case 0x7b: return T_LMAP;
        case 0x7d: return T_RMAP;
        case 0x5b: return T_LARR;
        case 0x5d: return T_RARR;
        case 0x2c: return T_COMMA;
        case 0x3a: return T_COLON;
        case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x20:
          continue;
        case 0x74: return this.lexLiteral("rue", T_BOOL);
        case 0x66: return this.lexLiteral("alse", T_BOOL);
        case 0x6e: return this.lexLiteral("ull", T_NULL);
        case 0x22: return this.lexString();
        case 0x2d: case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35: case 0x36: case 0x37:
        case 0x38: case 0x39:
          this.off--;
          return this.lexNumber();
        case 0x2f:
          this.off--;
          this.lexErr = LE_COMMENT;
          return T_ERROR;
        default:
          this.lexErr = LE_INVALID_CHAR;
          return T_ERROR;
      }
    }
  }

  private lexLiteral(want: string, tok: i32): i32 {
    const p = this.src.ptr;
    for (let i = 0; i < want.length; i++) {
      if (this.off >= this.n) return T_EOF;
      const c = this.next();
      if (c != want.charCodeAt(i)) {
        this.off--;
        this.lexErr = LE_INVALID_STRING;
        return T_ERROR;
      }
    }
    return tok;
  }

  private lexString(): i32 {
    const p = this.src.ptr;
    const n = this.n;
    let hasEsc = false;
    for (;;) {
      while (this.off < n && (unchecked(table[load<u8>(p + <usize>this.off)]) & (IJC | NFP | NUC)) == 0) this.off++;
      if (this.off >= n) return T_EOF;
      let c = this.next();
      if (c == 0x22) return hasEsc ? T_STRING_ESC : T_STRING;
      if (c == 0x5c) {
        hasEsc = true;
        if (this.off >= n) return T_EOF;
        c = this.next();
        if (c == 0x75) {
          for (let i = 0; i < 4; i++) {
            if (this.off >= n) return T_EOF;
            c = this.next();
            if ((unchecked(table[c]) & VHC) == 0) {
              this.off--;
              this.lexErr = LE_HEX;
              return T_ERROR;
            }
          }
        } else if ((unchecked(table[c]) & VEC) == 0) {
          this.off--;
          this.lexErr = LE_ESCAPED;
          return T_ERROR;
        }
      } else if ((unchecked(table[c]) & IJC) != 0) {
        this.off--;
        this.lexErr = LE_JSON_CHAR;
        return T_ERROR;
      } else {
        // UTF-8 structure check (c >= 0x80 here)
        let follow = -1;
        if (c <= 0x7f) follow = 0;
        else if ((c >> 5) == 0x6) follow = 1;
        else if ((c >> 4) == 0x0e) follow = 2;
        else if ((c >> 3) == 0x1e) follow = 3;
        if (follow < 0) {
          this.lexErr = LE_UTF8;
          return T_ERROR;
        }
        for (let i = 0; i < follow; i++) {
          if (this.off >= n) return T_EOF;
          const d = this.next();
          if ((d >> 6) != 0x2) {
            this.lexErr = LE_UTF8;
            return T_ERROR;
          }
        }
      }
    }
    return T_ERROR; // not reached
  }

  private lexNumber(): i32 {
    const p = this.src.ptr;
    const n = this.n;
    let tok = T_INTEGER;
    if (this.off >= n) return T_EOF;
    let c = this.next();
    if (c == 0x2d) {
      if (this.off >= n) return T_EOF;
      c = this.next();
    }
    if (c == 0x30) {
      if (this.off >= n) return T_EOF;
      c = this.next();
    } else if (c >= 0x31 && c <= 0x39) {
      do {
        if (this.off >= n) return T_EOF;
        c = this.next();
      } while (isDigit(c));
    } else {
      this.off--;
      this.lexErr = LE_MINUS;
      return T_ERROR;
    }
    if (c == 0x2e) {
      let numRd = 0;
      if (this.off >= n) return T_EOF;
      c = this.next();
      while (isDigit(c)) {
        numRd++;
        if (this.off >= n) return T_EOF;
        c = this.next();
      }
      if (numRd == 0) {
        this.off--;
        this.lexErr = LE_DECIMAL;
        return T_ERROR;
      }
      tok = T_DOUBLE;
    }
    if (c == 0x65 || c == 0x45) {
      if (this.off >= n) return T_EOF;
      c = this.next();
      if (c == 0x2b || c == 0x2d) {
        if (this.off >= n) return T_EOF;
        c = this.next();
      }
      if (isDigit(c)) {
        do {
          if (this.off >= n) return T_EOF;
          c = this.next();
        } while (isDigit(c));
      } else {
        this.off--;
        this.lexErr = LE_EXPONENT;
        return T_ERROR;
      }
      tok = T_DOUBLE;
    }
    this.off--;
    return tok;
  }

  // ---- ModSecurity's JSON callbacks ----

  /** getCurrentKey() into keyOut. */
  private currentKeyInto(): void {
    const out = this.keyOut;
    out.reset();
    const depth = this.segStart.length;
    if (depth == 0) {
      out.appendStr("json");
      return;
    }
    if (this.currentKey.len == 0) {
      if (!this.isArr[depth - 1]) out.appendStr("empty-key");
      return;
    }
    out.appendBuf(this.currentKey);
    this.currentKey.reset();
  }

  private rewriteArraySegment(i: i32): void {
    this.path.truncate(this.segStart[i] + this.nameLen[i]);
    this.path.appendStr(".array_");
    this.path.appendDec(this.counter[i]);
  }

  private addArgument(vp: usize, vl: i32): bool {
    const depth = this.segStart.length;
    this.name.reset();
    this.name.appendBuf(this.path);
    if (depth > 0 && this.isArr[depth - 1]) {
      this.counter[depth - 1]++;
      this.rewriteArraySegment(depth - 1);
    } else {
      this.currentKeyInto();
      this.name.appendBuf(this.keyOut);
    }
    const c = this.c!;
    if (!c.acceptArg()) return false;
    c.arg(this.name.ptr, this.name.len, vp, vl);
    return true;
  }

  private startContainer(isArray: bool): bool {
    this.currentKeyInto();
    this.segStart.push(this.path.len);
    this.nameLen.push(this.keyOut.len);
    this.isArr.push(isArray);
    this.counter.push(0);
    this.path.appendBuf(this.keyOut);
    if (isArray) this.path.appendStr(".array_0");
    else this.path.push(0x2e);
    this.depth++;
    if (<f64>this.depth > this.opts.depthLimit) {
      this.depthExceeded = true;
      return false;
    }
    return true;
  }

  private endContainer(): bool {
    const depth = this.segStart.length;
    if (depth == 0) {
      this.depth--;
      return true;
    }
    this.path.truncate(this.segStart[depth - 1]);
    this.segStart.pop();
    this.nameLen.pop();
    this.isArr.pop();
    this.counter.pop();
    if (depth - 1 > 0 && this.isArr[depth - 2]) {
      this.counter[depth - 2]++;
      this.rewriteArraySegment(depth - 2);
    }
    this.depth--;
    return true;
  }

  // ---- yajl_do_parse ----

  @inline private cur(): u8 {
    return this.states.at(this.states.len - 1);
  }

  @inline private set(s: u8): void {
    store<u8>(this.states.ptr + <usize>(this.states.len - 1), s);
  }

  private cancel(): i32 {
    this.set(S_PARSE_ERROR);
    this.parseError = "client cancelled parse via callback return value";
    return -1;
  }

  /** Runs the state machine to the end of the input: 0 = ok (eof), -1 = error. */
  private run(): i32 {
    const p = this.src.ptr;
    for (;;) {
      const st = this.cur();
      switch (st) {
        case S_PARSE_COMPLETE: {
          if (this.off != this.n) {
            const tok = this.lex();
            if (tok != T_EOF) {
              this.set(S_PARSE_ERROR);
              this.parseError = "trailing garbage";
            }
            continue;
          }
          return 0;
        }
        case S_LEX_ERROR:
        case S_PARSE_ERROR:
          return -1;
        case S_START:
        case S_MAP_NEED_VAL:
        case S_ARRAY_NEED_VAL:
        case S_ARRAY_START: {
          let push: u8 = S_START;
          const tok = this.lex();
          switch (tok) {
            case T_EOF:
              return 0;
            case T_ERROR:
              this.set(S_LEX_ERROR);
              continue;
            case T_STRING: {
              if (!this.addArgument(p + <usize>(this.tokStart + 1), this.off - this.tokStart - 2)) return this.cancel();
              break;
            }
            case T_STRING_ESC: {
              this.value.reset();
              stringDecode(p + <usize>(this.tokStart + 1), this.off - this.tokStart - 2, this.value);
              if (!this.addArgument(this.value.ptr, this.value.len)) return this.cancel();
              break;
            }
            case T_BOOL: {
              const t = load<u8>(p + <usize>this.tokStart) == 0x74;
              this.value.reset();
              this.value.appendStr(t ? "true" : "false");
              if (!this.addArgument(this.value.ptr, this.value.len)) return this.cancel();
              break;
            }
            case T_NULL: {
              if (!this.addArgument(p, 0)) return this.cancel();
              break;
            }
            case T_LMAP: {
              if (!this.startContainer(false)) return this.cancel();
              push = S_MAP_START;
              break;
            }
            case T_LARR: {
              if (!this.startContainer(true)) return this.cancel();
              push = S_ARRAY_START;
              break;
            }
            case T_INTEGER:
            case T_DOUBLE: {
              if (!this.addArgument(p + <usize>this.tokStart, this.off - this.tokStart)) return this.cancel();
              break;
            }
            case T_RARR: {
              if (st == S_ARRAY_START) {
                if (!this.endContainer()) return this.cancel();
                this.states.len--;
                continue;
              }
              this.set(S_PARSE_ERROR);
              this.parseError = "unallowed token at this point in JSON text";
              continue;
            }
            default: {
              this.set(S_PARSE_ERROR);
              this.parseError = "unallowed token at this point in JSON text";
              continue;
            }
          }
          const s = this.cur();
          if (s == S_START) this.set(S_PARSE_COMPLETE);
          else if (s == S_MAP_NEED_VAL) this.set(S_MAP_GOT_VAL);
          else this.set(S_ARRAY_GOT_VAL);
          if (push != S_START) this.states.push(push);
          continue;
        }
        case S_MAP_START:
        case S_MAP_NEED_KEY: {
          const tok = this.lex();
          switch (tok) {
            case T_EOF:
              return 0;
            case T_ERROR:
              this.set(S_LEX_ERROR);
              continue;
            case T_STRING:
              this.currentKey.reset();
              this.currentKey.append(p + <usize>(this.tokStart + 1), this.off - this.tokStart - 2);
              this.set(S_MAP_SEP);
              continue;
            case T_STRING_ESC:
              this.currentKey.reset();
              stringDecode(p + <usize>(this.tokStart + 1), this.off - this.tokStart - 2, this.currentKey);
              this.set(S_MAP_SEP);
              continue;
            case T_RMAP:
              if (st == S_MAP_START) {
                if (!this.endContainer()) return this.cancel();
                this.states.len--;
                continue;
              }
              this.set(S_PARSE_ERROR);
              this.parseError = "invalid object key (must be a string)";
              continue;
            default:
              this.set(S_PARSE_ERROR);
              this.parseError = "invalid object key (must be a string)";
              continue;
          }
        }
        case S_MAP_SEP: {
          const tok = this.lex();
          if (tok == T_COLON) {
            this.set(S_MAP_NEED_VAL);
            continue;
          }
          if (tok == T_EOF) return 0;
          if (tok == T_ERROR) {
            this.set(S_LEX_ERROR);
            continue;
          }
          this.set(S_PARSE_ERROR);
          this.parseError = "object key and value must be separated by a colon (':')";
          continue;
        }
        case S_MAP_GOT_VAL: {
          const tok = this.lex();
          if (tok == T_RMAP) {
            if (!this.endContainer()) return this.cancel();
            this.states.len--;
            continue;
          }
          if (tok == T_COMMA) {
            this.set(S_MAP_NEED_KEY);
            continue;
          }
          if (tok == T_EOF) return 0;
          if (tok == T_ERROR) {
            this.set(S_LEX_ERROR);
            continue;
          }
          this.set(S_PARSE_ERROR);
          this.parseError = "after key and value, inside map, I expect ',' or '}'";
          continue;
        }
        case S_ARRAY_GOT_VAL: {
          const tok = this.lex();
          if (tok == T_RARR) {
            if (!this.endContainer()) return this.cancel();
            this.states.len--;
            continue;
          }
          if (tok == T_COMMA) {
            this.set(S_ARRAY_NEED_VAL);
            continue;
          }
          if (tok == T_EOF) return 0;
          if (tok == T_ERROR) {
            this.set(S_LEX_ERROR);
            continue;
          }
          this.set(S_PARSE_ERROR);
          this.parseError = "after array element, I expect ',' or ']'";
          continue;
        }
        default:
          return -1;
      }
    }
  }

  /** Parses the whole body; emits args, REQBODY_ERROR (+ error message). Returns true when well-formed. */
  parse(body: usize, len: i32, c: Collector): bool {
    this.c = c;
    this.src.reset();
    this.src.append(body, len);
    this.src.push(0x20);
    this.n = this.src.len;
    this.off = 0;
    this.lexErr = 0;
    this.parseError = "";
    this.states.reset();
    this.states.push(S_START);
    this.path.reset();
    this.segStart.length = 0;
    this.nameLen.length = 0;
    this.isArr.length = 0;
    this.counter.length = 0;
    this.depth = 0;
    this.depthExceeded = false;
    this.currentKey.reset();
    let r = this.run();
    if (r == 0 && this.cur() != S_PARSE_COMPLETE) {
      this.set(S_PARSE_ERROR);
      this.parseError = "premature EOF";
      r = -1;
    }
    if (r != 0 && len > 0) {
      const m = this.value;
      m.reset();
      m.appendStr("JSON parsing error: ");
      if (this.cur() == S_LEX_ERROR) {
        m.appendStr("lexical error: ");
        m.appendStr(lexErrorString(this.lexErr));
      } else {
        m.appendStr("parse error: ");
        m.appendStr(this.parseError);
      }
      m.push(0x0a);
      if (this.depthExceeded) m.appendStr(". Parsing depth limit exceeded");
      c.flag(Flag.REQBODY_ERROR, 1);
      c.flag(Flag.REQBODY_PROCESSOR_ERROR, 1);
      c.error(ErrorCode.JSON, m.ptr, m.len);
      this.c = null;
      return false;
    }
    c.flag(Flag.REQBODY_ERROR, 0);
    c.flag(Flag.REQBODY_PROCESSOR_ERROR, 0);
    this.c = null;
    return true;
  }
}
