// base64Decode (mbedTLS 2 semantics as bundled with ModSecurity 3.0.9), base64DecodeExt (ModSecurity's
// "forgiving" decoder), base64Encode.
import { Scratch, setResult, finish } from "./scratch";
import { MAX_TRANSFORM_OUTPUT } from "./ids";

/** Per byte: A-Z a-z 0-9 + / -> 0..63, '=' -> 64, anything else -> 127 (one load instead of a chain of range
 *  tests: the decoders read every byte twice). */
const B64_VALUES = memory.data<u8>([
  127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
  127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 62, 127, 127, 127, 63, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 127, 127, 127, 64, 127, 127,
  127, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 127, 127, 127, 127, 127,
  127, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 127, 127, 127, 127, 127,
  127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
  127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
  127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
  127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127, 127,
]);

/** A-Z a-z 0-9 + / -> 0..63, '=' -> 64, anything else -> 127 (c < 256). */
@inline function b64Val(c: u32): u32 {
  return <u32>load<u8>(B64_VALUES + <usize>c);
}

/**
 * base64Decode: the value is cut at its first NUL byte; any character outside the alphabet, a space inside a
 * line, more than two '=' or data after '=' makes the result empty; CR LF / LF are skipped; a trailing
 * incomplete quantum is dropped.
 */
export function base64Decode(src: usize, len: i32, out: Scratch): bool {
  let slen = 0;
  while (slen < len && load<u8>(src + <usize>slen) != 0) slen++;
  // validation pass (mbedtls_base64_decode, first loop)
  let n = 0;
  let eq = 0;
  let i = 0;
  for (; i < slen; i++) {
    let x = 0;
    while (i < slen && load<u8>(src + <usize>i) == 0x20) {
      i++;
      x++;
    }
    if (i == slen) break;
    const c = <u32>load<u8>(src + <usize>i);
    if (slen - i >= 2 && c == 0x0d && load<u8>(src + <usize>(i + 1)) == 0x0a) continue;
    if (c == 0x0a) continue;
    if (x != 0) return setResult(out.ptr, 0);
    if (c == 0x3d && ++eq > 2) return setResult(out.ptr, 0);
    const v = b64Val(c);
    if (v == 127) return setResult(out.ptr, 0);
    if (v < 64 && eq != 0) return setResult(out.ptr, 0);
    n++;
  }
  if (n == 0) return len == 0 ? false : setResult(out.ptr, 0);
  const d = out.ensure(<i32>((<i64>n * 6 + 7) >> 3));
  let o = 0;
  let j: u32 = 3;
  let q = 0;
  let acc: u32 = 0;
  for (let k = 0; k < i; k++) {
    const c = <u32>load<u8>(src + <usize>k);
    if (c == 0x0d || c == 0x0a || c == 0x20) continue;
    const v = b64Val(c);
    if (v == 64) j--;
    acc = (acc << 6) | (v & 0x3f);
    if (++q == 4) {
      q = 0;
      if (j > 0) store<u8>(d + <usize>(o++), <u8>(acc >> 16));
      if (j > 1) store<u8>(d + <usize>(o++), <u8>(acc >> 8));
      if (j > 2) store<u8>(d + <usize>(o++), <u8>acc);
    }
  }
  return finish(d, o, src, len);
}

/**
 * base64DecodeExt: skips every byte outside the alphabet; '=' is ignored except that one following a lone
 * sextet (not itself followed by '=') empties the result. Reproduced quirk: the end-of-input check compares
 * the last *decoded sextet value* with '=' (61), so a value ending in '9' after a lone sextet is emptied too.
 */
export function base64DecodeExt(src: usize, len: i32, out: Scratch): bool {
  const d = out.ensure((len >> 2) * 3 + 3);
  let i = 0; // sextets seen
  let o = 0;
  let ch: i32 = 0;
  let acc: u32 = 0;
  for (let p = 0; p < len; p++) {
    const raw = <u32>load<u8>(src + <usize>p);
    if (raw == 0x3d) {
      ch = 0x3d;
      const next = p + 1 < len ? <u32>load<u8>(src + <usize>(p + 1)) : 0;
      if (next != 0x3d && (i & 3) == 1) return setResult(out.ptr, 0);
      continue;
    }
    const v = b64Val(raw);
    ch = v < 64 ? <i32>v : -1;
    if (ch < 0) continue;
    switch (i & 3) {
      case 0: acc = <u32>ch << 2; break;
      case 1: store<u8>(d + <usize>(o++), <u8>(acc | (<u32>ch >> 4))); acc = (<u32>ch & 0x0f) << 4; break;
      case 2: store<u8>(d + <usize>(o++), <u8>(acc | (<u32>ch >> 2))); acc = (<u32>ch & 0x03) << 6; break;
      case 3: store<u8>(d + <usize>(o++), <u8>(acc | <u32>ch)); break;
    }
    i++;
  }
  if (ch == 0x3d && (i & 3) == 1) return setResult(out.ptr, 0);
  return finish(d, o, src, len);
}

const ALPHABET = memory.data<u8>([
  65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90,
  97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118,
  119, 120, 121, 122, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 43, 47,
]);

@inline function b64Char(v: u32): u8 {
  return load<u8>(ALPHABET + <usize>(v & 63));
}

export function base64Encode(src: usize, len: i32, out: Scratch): bool {
  if (len == 0) return false;
  let inLen = len;
  const maxIn = <i32>((<i64>MAX_TRANSFORM_OUTPUT / 4) * 3);
  if (inLen > maxIn) inLen = maxIn;
  const outLen = ((inLen + 2) / 3) * 4;
  const d = out.ensure(outLen);
  let o = 0;
  let k = 0;
  for (; k + 3 <= inLen; k += 3) {
    const v = (<u32>load<u8>(src + <usize>k) << 16) | (<u32>load<u8>(src + <usize>(k + 1)) << 8) | <u32>load<u8>(src + <usize>(k + 2));
    store<u8>(d + <usize>o, b64Char(v >> 18));
    store<u8>(d + <usize>o, b64Char(v >> 12), 1);
    store<u8>(d + <usize>o, b64Char(v >> 6), 2);
    store<u8>(d + <usize>o, b64Char(v), 3);
    o += 4;
  }
  const rest = inLen - k;
  if (rest > 0) {
    const v = (<u32>load<u8>(src + <usize>k) << 16) | (rest > 1 ? <u32>load<u8>(src + <usize>(k + 1)) << 8 : 0);
    store<u8>(d + <usize>o, b64Char(v >> 18));
    store<u8>(d + <usize>o, b64Char(v >> 12), 1);
    store<u8>(d + <usize>o, rest > 1 ? b64Char(v >> 6) : 0x3d, 2);
    store<u8>(d + <usize>o, 0x3d, 3);
    o += 4;
  }
  return setResult(d, o);
}
