// jsDecode, cssDecode, escapeSeqDecode: backslash escapes.
import { Scratch, finish } from "./scratch";
import { findByte, isHex, isODigit, isSpace, x2c, hexVal } from "./util";

/** src[k], or 0 past the end (ModSecurity works on a NUL-terminated copy). */
@inline function at(src: usize, len: i32, k: i32): u32 {
  return k < len ? <u32>load<u8>(src + <usize>k) : 0;
}

function firstBackslash(src: usize, len: i32): i32 {
  const i = findByte(src, 0, len, 0x5c);
  return i < len ? i : -1;
}

@inline function isFF(a: u32, b: u32): bool {
  return (a | 0x20) == 0x66 && (b | 0x20) == 0x66;
}

/** C escape letter -> byte (a b f n r t v), or the letter itself. */
@inline function cEscape(c: u32): u32 {
  switch (c) {
    case 0x61: return 0x07;
    case 0x62: return 0x08;
    case 0x66: return 0x0c;
    case 0x6e: return 0x0a;
    case 0x72: return 0x0d;
    case 0x74: return 0x09;
    case 0x76: return 0x0b;
  }
  return c;
}

/** Up to 3 octal digits at p..; returns count (>=1 when the first is octal), value in octVal. */
let octVal: u32 = 0;
function readOctal(src: usize, len: i32, p: i32): i32 {
  let j = 0;
  let v: u32 = 0;
  while (p + j < len && j < 3) {
    v = (v << 3) + (load<u8>(src + <usize>(p + j)) - 0x30);
    j++;
    if (!isODigit(at(src, len, p + j))) break;
  }
  octVal = v;
  return j;
}

/** \uHHHH (low byte, +0x20 for full-width ASCII), \xHH, \OOO (one byte), \a\b\f\n\r\t\v, \C -> C. */
export function jsDecode(src: usize, len: i32, out: Scratch): bool {
  const f = firstBackslash(src, len);
  if (f < 0) return false;
  const d = out.ensure(len);
  memory.copy(d, src, <usize>f);
  let n = f;
  let i = f;
  while (i < len) {
    const p = src + <usize>i;
    const c = <u32>load<u8>(p);
    if (c != 0x5c) {
      const e = findByte(src, i, len, 0x5c); // a run without escapes is copied as is
      memory.copy(d + <usize>n, p, <usize>(e - i));
      n += e - i;
      i = e;
      continue;
    }
    if (i + 5 < len && load<u8>(p, 1) == 0x75 && isHex(load<u8>(p, 2)) && isHex(load<u8>(p, 3)) &&
        isHex(load<u8>(p, 4)) && isHex(load<u8>(p, 5))) {
      let v = x2c(p + 4);
      if (v > 0 && v < 0x5f && isFF(load<u8>(p, 2), load<u8>(p, 3))) v += 0x20;
      store<u8>(d + <usize>(n++), <u8>v);
      i += 6;
    } else if (i + 3 < len && load<u8>(p, 1) == 0x78 && isHex(load<u8>(p, 2)) && isHex(load<u8>(p, 3))) {
      store<u8>(d + <usize>(n++), <u8>x2c(p + 2));
      i += 4;
    } else if (i + 1 < len && isODigit(load<u8>(p, 1))) {
      let j = readOctal(src, len, i + 1);
      let v = octVal;
      if (j == 3 && load<u8>(p, 1) > 0x33) { // do not use 3 digits if the value would exceed one byte
        j = 2;
        v >>= 3;
      }
      store<u8>(d + <usize>(n++), <u8>v);
      i += 1 + j;
    } else if (i + 1 < len) {
      store<u8>(d + <usize>(n++), <u8>cEscape(load<u8>(p, 1)));
      i += 2;
    } else {
      store<u8>(d + <usize>(n++), <u8>c); // lone trailing backslash
      i++;
    }
  }
  return finish(d, n, src, len);
}

/** CSS 2 escapes: \ + 1..6 hex digits (last two used; full-width ASCII fix-up), one following whitespace
 *  swallowed; \<newline> dropped; \C -> C; a trailing backslash is dropped. ModSecurity 3.0.9 quirk kept:
 *  the result is cut at its first NUL byte. */
export function cssDecode(src: usize, len: i32, out: Scratch): bool {
  let f = 0;
  while (f < len) {
    const c = load<u8>(src + <usize>f);
    if (c == 0x5c || c == 0) break;
    f++;
  }
  if (f == len) return false;
  const d = out.ensure(len);
  memory.copy(d, src, <usize>f);
  let n = f;
  let i = f;
  while (i < len) {
    const c = <u32>load<u8>(src + <usize>i);
    if (c != 0x5c) {
      store<u8>(d + <usize>(n++), <u8>c);
      i++;
      continue;
    }
    if (i + 1 >= len) { // nothing after the backslash
      i++;
      continue;
    }
    i++;
    let j = 0;
    while (j < 6 && i + j < len && isHex(load<u8>(src + <usize>(i + j)))) j++;
    if (j > 0) {
      const p = src + <usize>i;
      let v: u32;
      let fullcheck = false;
      if (j == 1) v = hexVal(load<u8>(p));
      else v = x2c(p + <usize>(j - 2));
      if (j == 4) fullcheck = true;
      else if (j == 5) fullcheck = load<u8>(p) == 0x30;
      else if (j == 6) fullcheck = load<u8>(p) == 0x30 && load<u8>(p, 1) == 0x30;
      if (fullcheck && v > 0 && v < 0x5f && isFF(load<u8>(p + <usize>(j - 3)), load<u8>(p + <usize>(j - 4)))) v += 0x20;
      store<u8>(d + <usize>(n++), <u8>v);
      if (i + j < len && isSpace(load<u8>(src + <usize>(i + j)))) j++;
      i += j;
    } else if (load<u8>(src + <usize>i) == 0x0a) {
      i++;
    } else {
      store<u8>(d + <usize>(n++), load<u8>(src + <usize>i));
      i++;
    }
  }
  // The reference builds its result with std::string(char *) semantics: cut at the first NUL of the output
  // (an input NUL or a decoded \0).
  let z = 0;
  while (z < n && load<u8>(d + <usize>z) != 0) z++;
  return finish(d, z, src, len);
}

/** ANSI C escapes: \a\b\f\n\r\t\v\\\?\'\", \xHH (x or X), \O..\OOO (byte = value mod 256), otherwise the
 *  backslash is dropped; a trailing backslash is kept. */
export function escapeSeqDecode(src: usize, len: i32, out: Scratch): bool {
  const f = firstBackslash(src, len);
  if (f < 0) return false;
  const d = out.ensure(len);
  memory.copy(d, src, <usize>f);
  let n = f;
  let i = f;
  while (i < len) {
    const p = src + <usize>i;
    const c = <u32>load<u8>(p);
    if (c != 0x5c || i + 1 >= len) {
      store<u8>(d + <usize>(n++), <u8>c);
      i++;
      continue;
    }
    const e = <u32>load<u8>(p, 1);
    let v: i32 = -1;
    switch (e) {
      case 0x61: case 0x62: case 0x66: case 0x6e: case 0x72: case 0x74: case 0x76:
        v = <i32>cEscape(e); break;
      case 0x5c: case 0x3f: case 0x27: case 0x22:
        v = <i32>e; break;
    }
    if (v != -1) {
      i += 2;
    } else if ((e | 0x20) == 0x78) {
      if (i + 3 < len && isHex(load<u8>(p, 2)) && isHex(load<u8>(p, 3))) {
        v = <i32>x2c(p + 2);
        i += 4;
      }
    } else if (isODigit(e)) {
      const j = readOctal(src, len, i + 1);
      v = <i32>(octVal & 0xff);
      i += 1 + j;
    }
    if (v == -1) {
      store<u8>(d + <usize>(n++), <u8>e); // unrecognised: drop the backslash
      i += 2;
    } else {
      store<u8>(d + <usize>(n++), <u8>v);
    }
  }
  return finish(d, n, src, len);
}
