// Byte helpers with C-locale semantics (ModSecurity runs in the "C" locale).

/** isspace() in the C locale: \t \n \v \f \r and space. */
@inline export function isSpace(c: u32): bool {
  return c == 0x20 || (c - 9) < 5;
}

/** ModSecurity's VALID_HEX / isxdigit() in the C locale. */
@inline export function isHex(c: u32): bool {
  return (c - 0x30) < 10 || ((c | 0x20) - 0x61) < 6;
}

@inline export function isODigit(c: u32): bool {
  return (c - 0x30) < 8;
}

@inline export function isDigit(c: u32): bool {
  return (c - 0x30) < 10;
}

@inline export function isAlnum(c: u32): bool {
  return (c - 0x30) < 10 || ((c | 0x20) - 0x61) < 26;
}

/** One hex digit as ModSecurity's x2c/xsingle2c compute it (no validation; wraps like unsigned char). */
@inline export function hexVal(c: u32): u32 {
  return c >= 0x41 ? (((c & 0xdf) - 0x41 + 10) & 0xff) : ((c - 0x30) & 0xff);
}

/** ModSecurity's x2c over two bytes at p (arbitrary bytes allowed, result mod 256). */
@inline export function x2c(p: usize): u32 {
  return ((hexVal(load<u8>(p)) << 4) + hexVal(load<u8>(p, 1))) & 0xff;
}

const HEX_DIGITS = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);

/** Lower-case hex digit for the low nibble of v. */
@inline export function hexDigit(v: u32): u8 {
  return load<u8>(HEX_DIGITS + <usize>(v & 15));
}

// ---- word-at-a-time scans (SWAR) ----
// Most values have nothing a transformation would change, and the scans that find that out are the bulk of the
// transformations' time on large values: these look at eight bytes per step. Unaligned u64 loads are fine in wasm;
// the last 0..7 bytes go one at a time.
const ONES: u64 = 0x0101010101010101;
const HIGHS: u64 = 0x8080808080808080;
const LOWS7: u64 = 0x7f7f7f7f7f7f7f7f;

/** High bit of each zero byte of v. Borrows can only set bits above a true zero byte, so the lowest set bit is
 *  always the first zero byte (which is all the scans below use). */
@inline function zeroBytes(v: u64): u64 {
  return (v - ONES) & ~v & HIGHS;
}

/** High bit of each byte of v equal to a. */
@inline function eqBytes(v: u64, a: u32): u64 {
  return zeroBytes(v ^ (ONES * <u64>(a & 0xff)));
}

/** High bit of each byte c of v with lo < c < hi (exact per byte; needs lo < hi <= 128). */
@inline function betweenBytes(v: u64, lo: u32, hi: u32): u64 {
  const t = v & LOWS7;
  return (ONES * <u64>(127 + hi) - t) & ~v & (t + ONES * <u64>(127 - lo)) & HIGHS;
}

/** Index of the lowest flagged byte of a nonzero mask. */
@inline function firstFlagged(m: u64): i32 {
  return <i32>(ctz<u64>(m) >> 3);
}

/** Index of the first byte in [from, len) equal to a, or len. */
export function findByte(src: usize, from: i32, len: i32, a: u32): i32 {
  let i = from;
  for (; i + 8 <= len; i += 8) {
    const m = eqBytes(load<u64>(src + <usize>i), a);
    if (m != 0) return i + firstFlagged(m);
  }
  for (; i < len; i++) if (<u32>load<u8>(src + <usize>i) == a) return i;
  return len;
}

/** Index of the first byte in [from, len) equal to a or b, or len. */
export function findEither(src: usize, from: i32, len: i32, a: u32, b: u32): i32 {
  let i = from;
  for (; i + 8 <= len; i += 8) {
    const v = load<u64>(src + <usize>i);
    const m = eqBytes(v, a) | eqBytes(v, b);
    if (m != 0) return i + firstFlagged(m);
  }
  for (; i < len; i++) {
    const c = <u32>load<u8>(src + <usize>i);
    if (c == a || c == b) return i;
  }
  return len;
}

/** Index of the first byte in [from, len) that is 0 or >= 0x80, or len. */
export function findNulOrHigh(src: usize, from: i32, len: i32): i32 {
  let i = from;
  for (; i + 8 <= len; i += 8) {
    const v = load<u64>(src + <usize>i);
    const m = zeroBytes(v) | (v & HIGHS);
    if (m != 0) return i + firstFlagged(m);
  }
  for (; i < len; i++) {
    const c = load<u8>(src + <usize>i);
    if (c == 0 || c >= 0x80) return i;
  }
  return len;
}

/** Index of the first byte in [from, len) in lo..lo+25 (an ASCII letter case: 0x41 or 0x61), or len. */
export function findLetter(src: usize, from: i32, len: i32, lo: u32): i32 {
  let i = from;
  for (; i + 8 <= len; i += 8) {
    const m = betweenBytes(load<u64>(src + <usize>i), lo - 1, lo + 26);
    if (m != 0) return i + firstFlagged(m);
  }
  for (; i < len; i++) if (<u32>load<u8>(src + <usize>i) - lo < 26) return i;
  return len;
}

/** Index of the first byte in [from, len) equal to one of a..e (repeat one to look for fewer), or len. */
export function findAnyOf(src: usize, from: i32, len: i32, a: u32, b: u32, c: u32, d: u32, e: u32): i32 {
  let i = from;
  for (; i + 8 <= len; i += 8) {
    const v = load<u64>(src + <usize>i);
    const m = eqBytes(v, a) | eqBytes(v, b) | eqBytes(v, c) | eqBytes(v, d) | eqBytes(v, e);
    if (m != 0) return i + firstFlagged(m);
  }
  for (; i < len; i++) {
    const x = <u32>load<u8>(src + <usize>i);
    if (x == a || x == b || x == c || x == d || x == e) return i;
  }
  return len;
}

/** Index of the first isSpace() byte in [from, len), or len. */
export function findSpace(src: usize, from: i32, len: i32): i32 {
  let i = from;
  for (; i + 8 <= len; i += 8) {
    const v = load<u64>(src + <usize>i);
    const m = betweenBytes(v, 8, 14) | eqBytes(v, 0x20);
    if (m != 0) return i + firstFlagged(m);
  }
  for (; i < len; i++) if (isSpace(load<u8>(src + <usize>i))) return i;
  return len;
}
