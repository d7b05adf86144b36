// A small strict JSON reader (RFC 8259) for the plugin configuration (a few hundred bytes, read once per configure)
// and the settings document (filter/settings: bounded in size, read only when its ETag changes), so a tree is fine. Strict on purpose — the configuration decides how the WAF enforces, and a
// document Envoy would hand over half-understood must be refused, not guessed at: duplicate keys, trailing
// garbage, control characters in strings, leading zeros, lone surrogates and nesting deeper than MAX_DEPTH are
// errors. Never traps: every read is bounds-checked and the recursion is capped.

/** Deeper than this is refused (the configuration nests two levels). */
const MAX_DEPTH: i32 = 16;

export const enum JsonKind {
  NULL = 0,
  BOOL = 1,
  NUMBER = 2,
  STRING = 3,
  ARRAY = 4,
  OBJECT = 5,
}

export class JsonValue {
  kind: JsonKind = JsonKind.NULL;
  bool: bool = false;
  num: f64 = 0;
  /** STRING: the decoded text; NUMBER: the literal as written (integers are checked on it). */
  str: string = "";
  items: Array<JsonValue> = new Array<JsonValue>();
  /** OBJECT: member names, parallel to items, in document order. */
  keys: Array<string> = new Array<string>();

  /** OBJECT: the member named `key`, or null. */
  member(key: string): JsonValue | null {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] == key) return this.items[i];
    return null;
  }

  kindName(): string {
    switch (this.kind) {
      case JsonKind.NULL: return "null";
      case JsonKind.BOOL: return "a boolean";
      case JsonKind.NUMBER: return "a number";
      case JsonKind.STRING: return "a string";
      case JsonKind.ARRAY: return "an array";
      default: return "an object";
    }
  }
}

export class JsonResult {
  value: JsonValue | null = null;
  /** Empty when value is set; else what is wrong and at which byte offset. */
  error: string = "";
}

export function parseJson(bytes: ArrayBuffer): JsonResult {
  const r = new Reader(bytes);
  const out = new JsonResult();
  r.ws();
  const v = r.value(0);
  if (v !== null) {
    r.ws();
    if (r.pos < r.len) r.fail("unexpected data after the JSON value");
  }
  if (r.error.length > 0) {
    out.error = r.error + " at byte " + r.errorAt.toString();
    return out;
  }
  out.value = v;
  return out;
}

class Reader {
  readonly base: usize;
  readonly len: i32;
  pos: i32 = 0;
  error: string = "";
  errorAt: i32 = 0;

  constructor(readonly bytes: ArrayBuffer) {
    this.base = changetype<usize>(bytes);
    this.len = bytes.byteLength;
  }

  fail(msg: string): void {
    if (this.error.length == 0) {
      this.error = msg;
      this.errorAt = this.pos;
    }
  }

  /** The byte at pos, or -1 at the end. */
  peek(): i32 {
    return this.pos < this.len ? <i32>load<u8>(this.base + <usize>this.pos) : -1;
  }

  ws(): void {
    while (this.pos < this.len) {
      const c = load<u8>(this.base + <usize>this.pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      this.pos++;
    }
  }

  literal(word: string): bool {
    const n = word.length;
    if (this.pos + n > this.len) return false;
    for (let i = 0; i < n; i++) if (<i32>load<u8>(this.base + <usize>(this.pos + i)) != word.charCodeAt(i)) return false;
    this.pos += n;
    return true;
  }

  value(depth: i32): JsonValue | null {
    if (depth > MAX_DEPTH) {
      this.fail("nested deeper than " + MAX_DEPTH.toString() + " levels");
      return null;
    }
    const c = this.peek();
    const v = new JsonValue();
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) {
      const s = this.string();
      if (s === null) return null;
      v.kind = JsonKind.STRING;
      v.str = s;
      return v;
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (this.literal("true")) {
      v.kind = JsonKind.BOOL;
      v.bool = true;
      return v;
    }
    if (this.literal("false")) {
      v.kind = JsonKind.BOOL;
      return v;
    }
    if (this.literal("null")) return v;
    this.fail(c < 0 ? "unexpected end of the document" : "unexpected character '" + String.fromCharCode(c) + "'");
    return null;
  }

  object(depth: i32): JsonValue | null {
    const v = new JsonValue();
    v.kind = JsonKind.OBJECT;
    this.pos++; // {
    this.ws();
    if (this.peek() == 0x7d) {
      this.pos++;
      return v;
    }
    // Duplicates are found by a scan while the object is small, by a set once it is large (the settings document
    // has one member per destination: a scan would be quadratic).
    let names: Set<string> | null = null;
    while (true) {
      if (this.peek() != 0x22) {
        this.fail("expected a member name in double quotes");
        return null;
      }
      const at = this.pos;
      const key = this.string();
      if (key === null) return null;
      if (names === null && v.keys.length >= 16) {
        names = new Set<string>();
        for (let i = 0; i < v.keys.length; i++) names.add(v.keys[i]);
      }
      if (names !== null ? names.has(key) : v.keys.includes(key)) {
        this.pos = at;
        this.fail("duplicate member \"" + key + "\"");
        return null;
      }
      this.ws();
      if (this.peek() != 0x3a) {
        this.fail("expected ':' after a member name");
        return null;
      }
      this.pos++;
      this.ws();
      const item = this.value(depth + 1);
      if (item === null) return null;
      v.keys.push(key);
      if (names !== null) names.add(key);
      v.items.push(item);
      this.ws();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) return v;
      if (c != 0x2c) {
        this.pos--;
        this.fail("expected ',' or '}' in an object");
        return null;
      }
      this.ws();
    }
  }

  array(depth: i32): JsonValue | null {
    const v = new JsonValue();
    v.kind = JsonKind.ARRAY;
    this.pos++; // [
    this.ws();
    if (this.peek() == 0x5d) {
      this.pos++;
      return v;
    }
    while (true) {
      const item = this.value(depth + 1);
      if (item === null) return null;
      v.items.push(item);
      this.ws();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) return v;
      if (c != 0x2c) {
        this.pos--;
        this.fail("expected ',' or ']' in an array");
        return null;
      }
      this.ws();
    }
  }

  number(): JsonValue | null {
    const start = this.pos;
    if (this.peek() == 0x2d) this.pos++;
    const first = this.peek();
    if (first == 0x30) {
      this.pos++;
      const d = this.peek();
      if (d >= 0x30 && d <= 0x39) {
        this.fail("leading zeros are not allowed in numbers");
        return null;
      }
    } else if (first >= 0x31 && first <= 0x39) {
      while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
    } else {
      this.fail("expected a digit");
      return null;
    }
    if (this.peek() == 0x2e) {
      this.pos++;
      if (!this.digits()) return null;
    }
    const e = this.peek();
    if (e == 0x65 || e == 0x45) {
      this.pos++;
      const s = this.peek();
      if (s == 0x2b || s == 0x2d) this.pos++;
      if (!this.digits()) return null;
    }
    const v = new JsonValue();
    v.kind = JsonKind.NUMBER;
    v.str = String.UTF8.decodeUnsafe(this.base + <usize>start, <usize>(this.pos - start));
    v.num = parseFloat(v.str);
    return v;
  }

  digits(): bool {
    const c = this.peek();
    if (c < 0x30 || c > 0x39) {
      this.fail("expected a digit");
      return false;
    }
    while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
    return true;
  }

  hex4(): i32 {
    if (this.pos + 4 > this.len) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const c = <i32>load<u8>(this.base + <usize>(this.pos + i));
      let d = -1;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    this.pos += 4;
    return v;
  }

  /** A string at pos (which is '"'): its decoded text, or null after fail(). */
  string(): string | null {
    this.pos++; // "
    let out = "";
    let runStart = this.pos;
    while (true) {
      if (this.pos >= this.len) {
        this.fail("unterminated string");
        return null;
      }
      const c = <i32>load<u8>(this.base + <usize>this.pos);
      if (c == 0x22 || c == 0x5c) {
        out += this.utf8(runStart, this.pos);
        if (this.error.length > 0) return null;
        this.pos++;
        if (c == 0x22) return out;
        const e = this.peek();
        this.pos++;
        if (e == 0x22) out += "\"";
        else if (e == 0x5c) out += "\\";
        else if (e == 0x2f) out += "/";
        else if (e == 0x62) out += "\b";
        else if (e == 0x66) out += "\f";
        else if (e == 0x6e) out += "\n";
        else if (e == 0x72) out += "\r";
        else if (e == 0x74) out += "\t";
        else if (e == 0x75) {
          const u = this.hex4();
          if (u < 0) {
            this.fail("bad \\u escape");
            return null;
          }
          if (u >= 0xd800 && u <= 0xdbff) {
            // a high surrogate must be followed by an escaped low one
            if (!this.literal("\\u")) {
              this.fail("lone surrogate in a \\u escape");
              return null;
            }
            const lo = this.hex4();
            if (lo < 0xdc00 || lo > 0xdfff) {
              this.fail("lone surrogate in a \\u escape");
              return null;
            }
            out += String.fromCharCodes([u, lo]);
          } else if (u >= 0xdc00 && u <= 0xdfff) {
            this.fail("lone surrogate in a \\u escape");
            return null;
          } else out += String.fromCharCode(u);
        } else {
          this.pos--;
          this.fail("bad escape in a string");
          return null;
        }
        runStart = this.pos;
        continue;
      }
      if (c < 0x20) {
        this.fail("control character in a string (escape it)");
        return null;
      }
      this.pos++;
    }
  }

  /** Bytes [from, to) as UTF-8 text; fails on malformed UTF-8. */
  utf8(from: i32, to: i32): string {
    if (to <= from) return "";
    const p = this.base + <usize>from, n = <usize>(to - from);
    // Validate first: String.UTF8.decode replaces bad sequences silently, and a config must say what it means.
    let i: usize = 0;
    while (i < n) {
      const b = <u32>load<u8>(p + i);
      let extra: usize = 0;
      let min: u32 = 0;
      let cp: u32 = b;
      if (b < 0x80) {
        i++;
        continue;
      } else if ((b & 0xe0) == 0xc0) {
        extra = 1; min = 0x80; cp = b & 0x1f;
      } else if ((b & 0xf0) == 0xe0) {
        extra = 2; min = 0x800; cp = b & 0x0f;
      } else if ((b & 0xf8) == 0xf0) {
        extra = 3; min = 0x10000; cp = b & 0x07;
      } else {
        this.pos = from + <i32>i;
        this.fail("malformed UTF-8 in a string");
        return "";
      }
      if (i + extra >= n) {
        this.pos = from + <i32>i;
        this.fail("malformed UTF-8 in a string");
        return "";
      }
      for (let k: usize = 1; k <= extra; k++) {
        const cb = <u32>load<u8>(p + i + k);
        if ((cb & 0xc0) != 0x80) {
          this.pos = from + <i32>i;
          this.fail("malformed UTF-8 in a string");
          return "";
        }
        cp = (cp << 6) | (cb & 0x3f);
      }
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        this.pos = from + <i32>i;
        this.fail("malformed UTF-8 in a string");
        return "";
      }
      i += 1 + extra;
    }
    return String.UTF8.decodeUnsafe(p, n);
  }
}
