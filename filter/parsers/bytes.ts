// A growable byte buffer (geometric growth, never shrunk): parsers keep one per instance so steady-state
// parsing does not allocate.

export class ByteBuf {
  buf: ArrayBuffer;
  ptr: usize;
  cap: i32;
  len: i32 = 0;

  constructor(cap: i32 = 64) {
    this.buf = new ArrayBuffer(cap);
    this.ptr = changetype<usize>(this.buf);
    this.cap = cap;
  }

  @inline reset(): void {
    this.len = 0;
  }

  reserve(extra: i32): void {
    const need = <i64>this.len + <i64>extra;
    if (need <= <i64>this.cap) return;
    let c = <i64>this.cap;
    while (c < need) c <<= 1;
    if (c > 0x3fff0000) c = 0x3fff0000;
    if (need > c) unreachable(); // > ~1 GiB: callers bound their inputs far below this
    const b = new ArrayBuffer(<i32>c);
    memory.copy(changetype<usize>(b), this.ptr, <usize>this.len);
    this.buf = b;
    this.ptr = changetype<usize>(b);
    this.cap = <i32>c;
  }

  @inline push(c: u8): void {
    if (this.len >= this.cap) this.reserve(1);
    store<u8>(this.ptr + <usize>this.len, c);
    this.len++;
  }

  append(p: usize, n: i32): void {
    if (n <= 0) return;
    this.reserve(n);
    memory.copy(this.ptr + <usize>this.len, p, <usize>n);
    this.len += n;
  }

  appendStr(s: string): void {
    // ASCII-only literals (messages): one byte per code unit.
    const n = s.length;
    this.reserve(n);
    for (let i = 0; i < n; i++) store<u8>(this.ptr + <usize>(this.len + i), <u8>s.charCodeAt(i));
    this.len += n;
  }

  appendBuf(o: ByteBuf): void {
    this.append(o.ptr, o.len);
  }

  appendDec(v: i64): void {
    if (v < 0) {
      this.push(0x2d);
      v = -v;
    }
    let tmp: u64 = <u64>v;
    let digits = 1;
    let t = tmp;
    while (t >= 10) {
      t /= 10;
      digits++;
    }
    this.reserve(digits);
    for (let i = digits - 1; i >= 0; i--) {
      store<u8>(this.ptr + <usize>(this.len + i), <u8>(0x30 + <i32>(tmp % 10)));
      tmp /= 10;
    }
    this.len += digits;
  }

  @inline truncate(n: i32): void {
    if (n < this.len) this.len = n;
  }

  @inline at(i: i32): u8 {
    return load<u8>(this.ptr + <usize>i);
  }

  equalsStr(s: string): bool {
    if (s.length != this.len) return false;
    for (let i = 0; i < this.len; i++) if (<i32>load<u8>(this.ptr + <usize>i) != s.charCodeAt(i)) return false;
    return true;
  }
}

/** C isspace() in the "C" locale. */
@inline export function isSpace(c: i32): bool {
  return c == 0x20 || (c >= 0x09 && c <= 0x0d);
}

@inline export function isHexDigit(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

@inline export function isAlnum(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}

@inline export function lower(c: i32): i32 {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}
