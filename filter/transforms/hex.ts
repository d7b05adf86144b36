// hexDecode, hexEncode, sqlHexDecode.
import { Scratch, setResult, finish } from "./scratch";
import { isHex, x2c, hexDigit } from "./util";
import { MAX_TRANSFORM_OUTPUT } from "./ids";

/** Pairs of bytes -> x2c (no validation: non-hex bytes yield ModSecurity's arithmetic); an odd last byte is
 *  dropped. */
export function hexDecode(src: usize, len: i32, out: Scratch): bool {
  if (len == 0) return false;
  const n = len >> 1;
  const d = out.ensure(n);
  for (let k = 0; k < n; k++) store<u8>(d + <usize>k, <u8>x2c(src + <usize>(k << 1)));
  return setResult(d, n);
}

export function hexEncode(src: usize, len: i32, out: Scratch): bool {
  if (len == 0) return false;
  let inLen = len;
  if (<i64>inLen * 2 > <i64>MAX_TRANSFORM_OUTPUT) inLen = MAX_TRANSFORM_OUTPUT >> 1;
  const d = out.ensure(inLen * 2);
  for (let k = 0; k < inLen; k++) {
    const c = <u32>load<u8>(src + <usize>k);
    store<u8>(d + <usize>(k << 1), hexDigit(c >> 4));
    store<u8>(d + <usize>(k << 1), hexDigit(c), 1);
  }
  return setResult(d, inLen * 2);
}

/**
 * sqlHexDecode, ModSecurity v3 3.0.9 (SqlHexDecode::inplace), reproduced exactly:
 *  - 0x / 0X followed by hex pairs decodes the pairs (as many as follow);
 *  - the loop stops one byte before the end of the value, so the last byte is lost unless a decoded run
 *    ended right before it; it also stops at a NUL byte;
 *  - the result is cut at its first NUL byte (a decoded 0x00 truncates).
 */
export function sqlHexDecode(src: usize, len: i32, out: Scratch): bool {
  if (len == 0) return false;
  const b = out.ensure(len + 2);
  memory.copy(b, src, <usize>len);
  store<u16>(b + <usize>len, 0);
  let d = 0;
  let data = 0;
  let count = 0;
  while (++count < len && load<u8>(b + <usize>data) != 0) {
    if (load<u8>(b + <usize>data) == 0x30) {
      ++data;
      ++count;
      if ((load<u8>(b + <usize>data) | 0x20) != 0x78) {
        data--;
        count--;
      } else {
        data++;
        ++count;
        if (!isHex(load<u8>(b + <usize>data)) || !isHex(load<u8>(b + <usize>(data + 1)))) {
          data -= 2;
          count -= 2;
        } else {
          while (isHex(load<u8>(b + <usize>data)) && isHex(load<u8>(b + <usize>(data + 1)))) {
            store<u8>(b + <usize>(d++), <u8>x2c(b + <usize>data));
            data += 2;
            count += 2;
          }
        }
      }
    }
    store<u8>(b + <usize>(d++), load<u8>(b + <usize>(data++)));
  }
  store<u8>(b + <usize>d, 0);
  let n = 0;
  while (load<u8>(b + <usize>n) != 0) n++;
  return finish(b, n, src, len);
}
