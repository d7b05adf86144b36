// removeWhitespace / compressWhitespace / trim / trimLeft / trimRight.
import { Scratch, setResult } from "./scratch";
import { findSpace, isSpace } from "./util";

// removeWhitespace also drops 0xA0 and 0xC2 bytes (ModSecurity's "non-breaking space" handling, byte-wise).
@inline function isRemovable(c: u32): bool {
  return isSpace(c) || c == 0xa0 || c == 0xc2;
}

export function removeWhitespace(src: usize, len: i32, out: Scratch): bool {
  let f = 0;
  while (f < len && !isRemovable(load<u8>(src + <usize>f))) f++;
  if (f == len) return false;
  const d = out.ensure(len);
  memory.copy(d, src, <usize>f);
  let n = f;
  for (let i = f + 1; i < len; i++) {
    const c = load<u8>(src + <usize>i);
    if (!isRemovable(c)) store<u8>(d + <usize>(n++), c);
  }
  return setResult(d, n);
}

export function compressWhitespace(src: usize, len: i32, out: Scratch): bool {
  // Unchanged unless some whitespace byte is not a lone ' '.
  let f = findSpace(src, 0, len);
  for (; f < len; f = findSpace(src, f + 1, len)) {
    const c = <u32>load<u8>(src + <usize>f);
    if (c != 0x20) break;
    if (f + 1 < len && isSpace(load<u8>(src + <usize>(f + 1)))) break;
  }
  if (f == len) return false;
  const d = out.ensure(len);
  memory.copy(d, src, <usize>f);
  let n = f;
  let inWs = false;
  for (let i = f; i < len; i++) {
    const c = load<u8>(src + <usize>i);
    if (isSpace(c)) {
      if (!inWs) {
        inWs = true;
        store<u8>(d + <usize>(n++), 0x20);
      }
    } else {
      inWs = false;
      store<u8>(d + <usize>(n++), c);
    }
  }
  return setResult(d, n);
}

// The trim family returns a view into its input: no copy.
export function trimLeft(src: usize, len: i32, _out: Scratch): bool {
  let s = 0;
  while (s < len && isSpace(load<u8>(src + <usize>s))) s++;
  return s == 0 ? false : setResult(src + <usize>s, len - s);
}

export function trimRight(src: usize, len: i32, _out: Scratch): bool {
  let e = len;
  while (e > 0 && isSpace(load<u8>(src + <usize>(e - 1)))) e--;
  return e == len ? false : setResult(src, e);
}

export function trim(src: usize, len: i32, _out: Scratch): bool {
  let e = len;
  while (e > 0 && isSpace(load<u8>(src + <usize>(e - 1)))) e--;
  let s = 0;
  while (s < e && isSpace(load<u8>(src + <usize>s))) s++;
  return s == 0 && e == len ? false : setResult(src + <usize>s, e - s);
}
