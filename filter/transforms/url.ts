// urlDecode (ModSecurity's urldecode_nonstrict), urlDecodeUni (adds IIS %uHHHH), urlEncode.
import { Scratch, setResult, finish } from "./scratch";
import { findEither, isHex, x2c, hexDigit } from "./util";
import { MAX_TRANSFORM_OUTPUT } from "./ids";

function firstPctOrPlus(src: usize, len: i32): i32 {
  const i = findEither(src, 0, len, 0x25, 0x2b);
  return i < len ? i : -1;
}

/** Invalid or truncated %-escapes are kept as is; '+' becomes ' '. */
export function urlDecode(src: usize, len: i32, out: Scratch): bool {
  const f = firstPctOrPlus(src, len);
  if (f < 0) return false;
  const d = out.ensure(len);
  memory.copy(d, src, <usize>f);
  let n = f;
  let i = f;
  while (i < len) {
    const c = load<u8>(src + <usize>i);
    if (c != 0x25 && c != 0x2b) {
      const e = findEither(src, i, len, 0x25, 0x2b); // a run without escapes is copied as is
      memory.copy(d + <usize>n, src + <usize>i, <usize>(e - i));
      n += e - i;
      i = e;
      continue;
    }
    if (c == 0x25) {
      if (i + 2 < len && isHex(load<u8>(src + <usize>(i + 1))) && isHex(load<u8>(src + <usize>(i + 2)))) {
        store<u8>(d + <usize>(n++), <u8>x2c(src + <usize>(i + 1)));
        i += 3;
      } else {
        store<u8>(d + <usize>(n++), c);
        i++;
      }
    } else {
      store<u8>(d + <usize>(n++), c == 0x2b ? 0x20 : c);
      i++;
    }
  }
  return finish(d, n, src, len);
}

/**
 * urlDecodeUni. `map` is the SecUnicodeMapFile table for the configured code page (65536 entries, -1 for
 * unmapped code units; the low byte of a mapped entry is emitted), or null when no map is configured.
 * A %uHHHH whose code unit is unmapped (or with no map) yields its low byte, plus 0x20 for full-width ASCII
 * (U+FF01..U+FF5E).
 */
export function urlDecodeUni(src: usize, len: i32, out: Scratch, map: StaticArray<i32> | null): bool {
  const f = firstPctOrPlus(src, len);
  if (f < 0) return false;
  const d = out.ensure(len);
  memory.copy(d, src, <usize>f);
  let n = f;
  let i = f;
  while (i < len) {
    const c = <u32>load<u8>(src + <usize>i);
    if (c == 0x2b) {
      store<u8>(d + <usize>(n++), 0x20);
      i++;
      continue;
    }
    if (c != 0x25) {
      const e = findEither(src, i, len, 0x25, 0x2b); // a run without escapes is copied as is
      memory.copy(d + <usize>n, src + <usize>i, <usize>(e - i));
      n += e - i;
      i = e;
      continue;
    }
    const p = src + <usize>i;
    if (i + 1 < len && (load<u8>(p, 1) | 0x20) == 0x75) {
      // IIS %u encoding
      if (i + 5 < len && isHex(load<u8>(p, 2)) && isHex(load<u8>(p, 3)) && isHex(load<u8>(p, 4)) && isHex(load<u8>(p, 5))) {
        let b: i32 = -1;
        if (map !== null) {
          const code = (hexValFull(load<u8>(p, 2)) << 12) | (hexValFull(load<u8>(p, 3)) << 8) |
            (hexValFull(load<u8>(p, 4)) << 4) | hexValFull(load<u8>(p, 5));
          b = unchecked(map[code]);
        }
        if (b == -1) {
          let v = x2c(p + 4);
          if (v > 0 && v < 0x5f && (load<u8>(p, 2) | 0x20) == 0x66 && (load<u8>(p, 3) | 0x20) == 0x66) v += 0x20;
          b = <i32>v;
        }
        store<u8>(d + <usize>(n++), <u8>b);
        i += 6;
      } else {
        store<u8>(d + <usize>(n++), 0x25);
        store<u8>(d + <usize>(n++), load<u8>(p, 1));
        i += 2;
      }
    } else if (i + 2 < len && isHex(load<u8>(p, 1)) && isHex(load<u8>(p, 2))) {
      store<u8>(d + <usize>(n++), <u8>x2c(p + 1));
      i += 3;
    } else {
      store<u8>(d + <usize>(n++), 0x25);
      i++;
    }
  }
  return finish(d, n, src, len);
}

@inline function hexValFull(c: u32): i32 {
  return c >= 0x61 ? <i32>c - 0x61 + 10 : c >= 0x41 ? <i32>c - 0x41 + 10 : <i32>c - 0x30;
}

@inline function urlSafe(c: u32): bool {
  return c == 0x2a || (c - 0x30) < 10 || ((c | 0x20) - 0x61) < 26;
}

/** Keeps * 0-9 A-Z a-z, ' ' -> '+', everything else -> %hh (lower-case hex). */
export function urlEncode(src: usize, len: i32, out: Scratch): bool {
  let f = 0;
  while (f < len && urlSafe(load<u8>(src + <usize>f))) f++;
  if (f == len) return false;
  // exact output size, bounded by MAX_TRANSFORM_OUTPUT (longest fitting input prefix beyond that)
  let need: i64 = <i64>f;
  let end = f;
  for (; end < len; end++) {
    const c = <u32>load<u8>(src + <usize>end);
    const w: i64 = urlSafe(c) || c == 0x20 ? 1 : 3;
    if (need + w > <i64>MAX_TRANSFORM_OUTPUT) break;
    need += w;
  }
  const d = out.ensure(<i32>need);
  memory.copy(d, src, <usize>f);
  let n = f;
  for (let i = f; i < end; i++) {
    const c = <u32>load<u8>(src + <usize>i);
    if (urlSafe(c)) store<u8>(d + <usize>(n++), <u8>c);
    else if (c == 0x20) store<u8>(d + <usize>(n++), 0x2b);
    else {
      store<u8>(d + <usize>n, 0x25);
      store<u8>(d + <usize>n, hexDigit(c >> 4), 1);
      store<u8>(d + <usize>n, hexDigit(c), 2);
      n += 3;
    }
  }
  return setResult(d, n);
}
