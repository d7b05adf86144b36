// Byte-string helpers of the engine. Every variable value, key and macro result is an ArrayBuffer holding raw
// bytes (ModSecurity works on std::string: bytes, no encoding). Text literals are converted as latin1 (one char =
// one byte), so a value round-trips byte-exactly whatever it holds.

export const EMPTY: ArrayBuffer = new ArrayBuffer(0);

// @ts-ignore: decorator
@inline export function bptr(b: ArrayBuffer): usize {
  return changetype<usize>(b);
}
// @ts-ignore: decorator
@inline export function blen(b: ArrayBuffer): i32 {
  return b.byteLength;
}

/** latin1 bytes of an ASCII/latin1 string (chars above 0xFF are truncated to their low byte). */
export function latin1(s: string): ArrayBuffer {
  const n = s.length;
  const out = new ArrayBuffer(n);
  const p = changetype<usize>(out);
  for (let i = 0; i < n; i++) store<u8>(p + <usize>i, <u8>s.charCodeAt(i));
  return out;
}

/** A latin1 string of the bytes (one char per byte). */
export function toLatin1(b: ArrayBuffer): string {
  return bytesToLatin1(changetype<usize>(b), b.byteLength);
}

export function bytesToLatin1(p: usize, n: i32): string {
  if (n <= 0) return "";
  const out = changetype<string>(__new(<usize>n << 1, idof<string>()));
  const o = changetype<usize>(out);
  for (let i = 0; i < n; i++) store<u16>(o + (<usize>i << 1), <u16>load<u8>(p + <usize>i));
  return out;
}

export function copyBytes(p: usize, n: i32): ArrayBuffer {
  if (n <= 0) return EMPTY;
  const out = new ArrayBuffer(n);
  memory.copy(changetype<usize>(out), p, <usize>n);
  return out;
}

export function concat(a: ArrayBuffer, b: ArrayBuffer): ArrayBuffer {
  const la = a.byteLength, lb = b.byteLength;
  if (lb == 0) return a;
  if (la == 0) return b;
  const out = new ArrayBuffer(la + lb);
  memory.copy(changetype<usize>(out), changetype<usize>(a), <usize>la);
  memory.copy(changetype<usize>(out) + <usize>la, changetype<usize>(b), <usize>lb);
  return out;
}

// @ts-ignore: decorator
@inline export function lowerByte(c: u32): u32 {
  return c - 0x41 < 26 ? c | 0x20 : c;
}

export function eqBytes(a: usize, la: i32, b: usize, lb: i32): bool {
  if (la != lb) return false;
  return memory.compare(a, b, <usize>la) == 0;
}

/** Each ASCII upper-case letter of the 8 bytes in w lowered (SWAR: a byte's high bit marks "is A..Z", shifted
 *  down to 0x20 and or-ed in; bytes >= 0x80 are left alone). */
// @ts-ignore: decorator
@inline function lowerWord(w: u64): u64 {
  const low7 = w & 0x7f7f7f7f7f7f7f7f;
  const geA = low7 + 0x3f3f3f3f3f3f3f3f; // high bit set where the byte >= 0x41 'A'
  const gtZ = low7 + 0x2525252525252525; // high bit set where the byte >= 0x5b, past 'Z'
  const upper = geA & ~gtZ & ~w & 0x8080808080808080;
  return w | (upper >> 2);
}

export function eqNoCase(a: usize, la: i32, b: usize, lb: i32): bool {
  if (la != lb) return false;
  // keys are mostly written in the same case: compare 8 bytes at a time, folding only words that differ
  let i = 0;
  for (; i + 8 <= la; i += 8) {
    const wa = load<u64>(a + <usize>i), wb = load<u64>(b + <usize>i);
    if (wa != wb && lowerWord(wa) != lowerWord(wb)) return false;
  }
  for (; i < la; i++) {
    if (lowerByte(<u32>load<u8>(a + <usize>i)) != lowerByte(<u32>load<u8>(b + <usize>i))) return false;
  }
  return true;
}

// @ts-ignore: decorator
@inline export function eqB(a: ArrayBuffer, b: ArrayBuffer): bool {
  return eqBytes(changetype<usize>(a), a.byteLength, changetype<usize>(b), b.byteLength);
}
// @ts-ignore: decorator
@inline export function eqBNoCase(a: ArrayBuffer, b: ArrayBuffer): bool {
  return eqNoCase(changetype<usize>(a), a.byteLength, changetype<usize>(b), b.byteLength);
}

export function eqStrNoCase(a: ArrayBuffer, s: string): bool {
  const n = s.length;
  if (a.byteLength != n) return false;
  const p = changetype<usize>(a);
  for (let i = 0; i < n; i++) if (lowerByte(<u32>load<u8>(p + <usize>i)) != lowerByte(<u32>s.charCodeAt(i))) return false;
  return true;
}

/** Index of needle in hay (first occurrence), -1 if absent; an empty needle is found at 0. */
export function indexOf(h: usize, hl: i32, n: usize, nl: i32, from: i32 = 0): i32 {
  if (nl == 0) return from <= hl ? from : -1;
  if (nl > hl) return -1;
  const first = load<u8>(n);
  for (let i = from; i <= hl - nl; i++) {
    if (load<u8>(h + <usize>i) != first) continue;
    if (memory.compare(h + <usize>i, n, <usize>nl) == 0) return i;
  }
  return -1;
}

/** std::stoi as ModSecurity uses it (inside try/catch): leading whitespace, sign, digits; 0 when there is no
 *  number or it does not fit in an int. */
export function atoi(p: usize, n: i32): i64 {
  let i = 0;
  while (i < n) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x20 || (c >= 0x09 && c <= 0x0d)) i++;
    else break;
  }
  let neg = false;
  if (i < n) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x2d || c == 0x2b) {
      neg = c == 0x2d;
      i++;
    }
  }
  let v: i64 = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + <usize>i) - 0x30;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    if (v > 0x80000000) return 0; // std::stoi throws out_of_range; ModSecurity then uses 0
    i++;
  }
  if (neg) v = -v;
  if (v > 0x7fffffff) return 0;
  return v;
}

/** Whether the bytes are an integer as std::stoi accepts it (leading digits after optional space/sign). */
export function hasLeadingInt(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x20 || (c >= 0x09 && c <= 0x0d)) i++;
    else break;
  }
  if (i < n) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x2d || c == 0x2b) i++;
  }
  return i < n && load<u8>(p + <usize>i) - 0x30 < 10;
}

/** Small non-negative integers share one buffer each (anomaly scores, counters, capture names): values are never
 *  changed once made, so sharing is safe, and setvar:tx.x=+5 then allocates nothing. */
const SMALL_INTS: i32 = 1024;
const smallInts = new StaticArray<ArrayBuffer | null>(SMALL_INTS);

/** The decimal text of v, as ModSecurity's std::to_string writes it. */
export function intBytes(v: i64): ArrayBuffer {
  if (v >= 0 && v < <i64>SMALL_INTS) {
    let b = unchecked(smallInts[<i32>v]);
    if (b === null) {
      b = decimalBytes(v);
      unchecked((smallInts[<i32>v] = b));
    }
    return b;
  }
  return decimalBytes(v);
}

function decimalBytes(v: i64): ArrayBuffer {
  const i = decimalDigits(v);
  return copyBytes(DIGITS + <usize>i, 24 - i);
}

/** Scratch of decimalDigits(). */
const DIGITS: usize = memory.data(24);

/** Writes the decimal text of v at the end of DIGITS, backwards (u64: -i64.MIN fits); returns where it starts. */
function decimalDigits(v: i64): i32 {
  const neg = v < 0;
  let u: u64 = neg ? <u64>(-v) : <u64>v;
  let i = 24;
  do {
    store<u8>(DIGITS + <usize>--i, <u8>(0x30 + <u32>(u % 10)));
    u /= 10;
  } while (u != 0);
  if (neg) store<u8>(DIGITS + <usize>--i, 0x2d);
  return i;
}

/** A growable output buffer reused across calls (macro expansion, JSON). */
export class Out {
  buf: ArrayBuffer = new ArrayBuffer(256);
  len: i32 = 0;

  @inline reset(): void {
    this.len = 0;
  }
  reserve(extra: i32): void {
    const need = this.len + extra;
    if (need <= this.buf.byteLength) return;
    let c = this.buf.byteLength << 1;
    while (c < need) c <<= 1;
    const b = new ArrayBuffer(c);
    memory.copy(changetype<usize>(b), changetype<usize>(this.buf), <usize>this.len);
    this.buf = b;
  }
  append(p: usize, n: i32): void {
    if (n <= 0) return;
    this.reserve(n);
    memory.copy(changetype<usize>(this.buf) + <usize>this.len, p, <usize>n);
    this.len += n;
  }
  @inline appendB(b: ArrayBuffer): void {
    this.append(changetype<usize>(b), b.byteLength);
  }
  byte(c: u8): void {
    this.reserve(1);
    store<u8>(changetype<usize>(this.buf) + <usize>this.len, c);
    this.len++;
  }
  str(s: string): void {
    const n = s.length;
    this.reserve(n);
    const p = changetype<usize>(this.buf) + <usize>this.len;
    for (let i = 0; i < n; i++) store<u8>(p + <usize>i, <u8>s.charCodeAt(i));
    this.len += n;
  }
  /** The decimal text of v (nothing allocated). */
  decimal(v: i64): void {
    const i = decimalDigits(v);
    this.append(DIGITS + <usize>i, 24 - i);
  }
  /** A copy of the content. */
  take(): ArrayBuffer {
    return copyBytes(changetype<usize>(this.buf), this.len);
  }
  toLatin1(): string {
    return bytesToLatin1(changetype<usize>(this.buf), this.len);
  }
}
