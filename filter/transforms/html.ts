// htmlEntityDecode: &#DDD; &#xHH; (';' optional, any number of digits, value strtol()-saturated then
// truncated to one byte) and the named entities quot amp lt gt nbsp (case-insensitive, ';' optional).
// Anything else is copied verbatim.
import { Scratch, setResult } from "./scratch";
import { findByte, isHex, isDigit, isAlnum } from "./util";

const LONG_MAX: u64 = 0x7fffffffffffffff;

/** strtol(digits, NULL, base) & 0xff, with strtol's saturation at LONG_MAX. */
function strtolByte(p: usize, n: i32, base: u32): u32 {
  let v: u64 = 0;
  for (let k = 0; k < n; k++) {
    const c = <u32>load<u8>(p + <usize>k);
    const dv: u64 = c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10;
    if (v > (LONG_MAX - dv) / <u64>base) return 0xff; // overflow: LONG_MAX
    v = v * <u64>base + dv;
  }
  return <u32>(v & 0xff);
}

@inline function lc(c: u32): u32 {
  return c - 0x41 < 26 ? c | 0x20 : c;
}

/** Named entity -> byte, or -1. */
function namedEntity(p: usize, n: i32): i32 {
  if (n == 2) {
    const a = lc(load<u8>(p)), b = lc(load<u8>(p, 1));
    if (b == 0x74) { // 't'
      if (a == 0x6c) return 0x3c; // lt
      if (a == 0x67) return 0x3e; // gt
    }
    return -1;
  }
  if (n == 3) {
    if (lc(load<u8>(p)) == 0x61 && lc(load<u8>(p, 1)) == 0x6d && lc(load<u8>(p, 2)) == 0x70) return 0x26; // amp
    return -1;
  }
  if (n == 4) {
    const a = lc(load<u8>(p)), b = lc(load<u8>(p, 1)), c = lc(load<u8>(p, 2)), d = lc(load<u8>(p, 3));
    if (a == 0x71 && b == 0x75 && c == 0x6f && d == 0x74) return 0x22; // quot
    if (a == 0x6e && b == 0x62 && c == 0x73 && d == 0x70) return 0xa0; // nbsp
  }
  return -1;
}

export function htmlEntityDecode(src: usize, len: i32, out: Scratch): bool {
  const f = findByte(src, 0, len, 0x26);
  if (f >= len - 1) return false; // no '&' followed by at least one byte
  const d = out.ensure(len);
  memory.copy(d, src, <usize>f);
  let n = f;
  let i = f;
  while (i < len) {
    if (load<u8>(src + <usize>i) != 0x26) {
      // the run up to the next '&' is copied verbatim
      const e = findByte(src, i, len, 0x26);
      memory.copy(d + <usize>n, src + <usize>i, <usize>(e - i));
      n += e - i;
      i = e;
      continue;
    }
    let copy = 1;
    if (i + 1 < len) {
      let j = i + 1;
      if (load<u8>(src + <usize>j) == 0x23) { // '#'
        copy++;
        if (j + 1 < len) {
          j++;
          let base: u32 = 10;
          let ok = true;
          if ((load<u8>(src + <usize>j) | 0x20) == 0x78) { // x / X
            copy++;
            base = 16;
            if (j + 1 < len) j++;
            else ok = false;
          }
          if (ok) {
            const k = j;
            if (base == 16) while (j < len && isHex(load<u8>(src + <usize>j))) j++;
            else while (j < len && isDigit(load<u8>(src + <usize>j))) j++;
            if (j > k) {
              store<u8>(d + <usize>(n++), <u8>strtolByte(src + <usize>k, j - k, base));
              i = j < len && load<u8>(src + <usize>j) == 0x3b ? j + 1 : j;
              continue;
            }
          }
        }
      } else {
        const k = j;
        while (j < len && isAlnum(load<u8>(src + <usize>j))) j++;
        if (j > k) {
          const e = namedEntity(src + <usize>k, j - k);
          if (e >= 0) {
            store<u8>(d + <usize>(n++), <u8>e);
            i = j < len && load<u8>(src + <usize>j) == 0x3b ? j + 1 : j;
            continue;
          }
          copy = j - k + 1;
        }
      }
    }
    // copy `copy` bytes verbatim
    memory.copy(d + <usize>n, src + <usize>i, <usize>copy);
    n += copy;
    i += copy;
  }
  // every decoded entity consumes at least two bytes and emits one
  return n == len ? false : setResult(d, n);
}
