// utf8toUnicode: each well-formed UTF-8 sequence (2..4 bytes) becomes %uHHHH (lower-case hex, at least four
// digits, more for code points above U+FFFF); ModSecurity v3 3.0.9 quirks reproduced:
//  - a lead byte 0xC0..0xF4 whose sequence is truncated or has a bad continuation byte is dropped;
//  - stray continuation bytes and 0xF8..0xFF are copied; 0xF5..0xF7 are copied and still decoded;
//  - overlong forms and surrogates get their lead byte appended after the %u escape;
//  - NUL bytes are dropped (the reference overwrites them in its output buffer).
import { Scratch, setResult } from "./scratch";
import { findNulOrHigh, hexDigit } from "./util";
import { MAX_TRANSFORM_OUTPUT } from "./ids";

@inline function at(src: usize, len: i32, k: i32): u32 {
  return k < len ? <u32>load<u8>(src + <usize>k) : 0;
}

function writeU(d: usize, n: i32, cp: u32): i32 {
  store<u8>(d + <usize>n, 0x25);
  store<u8>(d + <usize>n, 0x75, 1);
  n += 2;
  let digits = 1;
  while (digits < 8 && (cp >> (<u32>digits * 4)) != 0) digits++;
  for (let k = digits; k < 4; k++) store<u8>(d + <usize>(n++), 0x30);
  for (let k = digits - 1; k >= 0; k--) store<u8>(d + <usize>(n++), hexDigit(cp >> (<u32>k * 4)));
  return n;
}

export function utf8toUnicode(src: usize, len: i32, out: Scratch): bool {
  const f = findNulOrHigh(src, 0, len);
  if (f == len) return false;
  // Output bound: at most 4 bytes per input byte (9 for a 4-byte 0xF5..0xF7 sequence, 7 for a 2-byte
  // overlong). Inputs whose bound exceeds MAX_TRANSFORM_OUTPUT are transformed on a prefix.
  let end = len;
  if (<i64>len * 4 + 16 > <i64>MAX_TRANSFORM_OUTPUT) end = (MAX_TRANSFORM_OUTPUT - 16) >> 2;
  const d = out.ensure(end * 4 + 16);
  memory.copy(d, src, <usize>f);
  let n = f;
  // `total` is ModSecurity's bytes_left: the value length plus its NUL terminator, never decremented.
  const total = len + 1;
  let i = f;
  while (i < end) {
    const c = <u32>load<u8>(src + <usize>i);
    let ulen = 0; // >0: sequence length; <0: invalid (lead byte dropped)
    let cp: u32 = 0;
    if ((c & 0x80) == 0) {
      if (c != 0) store<u8>(d + <usize>(n++), <u8>c);
    } else if ((c & 0xe0) == 0xc0) {
      const c1 = at(src, len, i + 1);
      if (total < 2) ulen = -1;
      else if ((c1 & 0xc0) != 0x80) ulen = -2;
      else {
        ulen = 2;
        cp = ((c & 0x1f) << 6) | (c1 & 0x3f);
        n = writeU(d, n, cp);
      }
    } else if ((c & 0xf0) == 0xe0) {
      const c1 = at(src, len, i + 1);
      if (total < 3) ulen = -1;
      else if ((c1 & 0xc0) != 0x80) ulen = -2;
      else {
        const c2 = at(src, len, i + 2);
        if ((c2 & 0xc0) != 0x80) ulen = -2;
        else {
          ulen = 3;
          cp = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
          n = writeU(d, n, cp);
        }
      }
    } else if ((c & 0xf8) == 0xf0) {
      if (c >= 0xf5) store<u8>(d + <usize>(n++), <u8>c);
      const c1 = at(src, len, i + 1);
      if (total < 4) ulen = -1;
      else if ((c1 & 0xc0) != 0x80) ulen = -2;
      else {
        const c2 = at(src, len, i + 2);
        if ((c2 & 0xc0) != 0x80) ulen = -2;
        else {
          const c3 = at(src, len, i + 3);
          if ((c3 & 0xc0) != 0x80) ulen = -2;
          else {
            ulen = 4;
            cp = ((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
            n = writeU(d, n, cp);
          }
        }
      }
    } else {
      store<u8>(d + <usize>(n++), <u8>c);
    }
    if (cp >= 0xd800 && cp <= 0xdfff) store<u8>(d + <usize>(n++), <u8>c);
    if ((ulen == 4 && cp < 0x10000) || (ulen == 3 && cp < 0x800) || (ulen == 2 && cp < 0x80)) {
      store<u8>(d + <usize>(n++), <u8>c);
    }
    i += ulen > 0 ? ulen : 1;
  }
  return setResult(d, n);
}
