// removeNulls / replaceNulls.
import { Scratch, setResult } from "./scratch";
import { findByte } from "./util";

function firstNul(src: usize, len: i32): i32 {
  const i = findByte(src, 0, len, 0);
  return i < len ? i : -1;
}

export function removeNulls(src: usize, len: i32, out: Scratch): bool {
  const f = firstNul(src, len);
  if (f < 0) return false;
  const d = out.ensure(len);
  memory.copy(d, src, <usize>f);
  let n = f;
  for (let i = f + 1; i < len; i++) {
    const c = load<u8>(src + <usize>i);
    if (c != 0) store<u8>(d + <usize>(n++), c);
  }
  return setResult(d, n);
}

export function replaceNulls(src: usize, len: i32, out: Scratch): bool {
  const f = firstNul(src, len);
  if (f < 0) return false;
  const d = out.ensure(len);
  memory.copy(d, src, <usize>len);
  for (let i = f; i < len; i++) if (load<u8>(d + <usize>i) == 0) store<u8>(d + <usize>i, 0x20);
  return setResult(d, len);
}

// parity*7bit: byte-wise, length preserving.
@inline function parityBit(x: u32): u32 {
  let v = (x ^ (x >> 4)) & 0xf;
  return (0x6996 >> v) & 1;
}

export function parity7bit(src: usize, len: i32, out: Scratch, mode: i32): bool {
  // mode 0: even, 1: odd, 2: zero
  const d = out.ensure(len);
  for (let i = 0; i < len; i++) {
    const x = <u32>load<u8>(src + <usize>i);
    let r: u32;
    if (mode == 2) r = x & 0x7f;
    else {
      const odd = parityBit(x);
      r = (odd ^ <u32>mode) ? (x | 0x80) : (x & 0x7f);
    }
    store<u8>(d + <usize>i, <u8>r);
  }
  if (memory.compare(d, src, <usize>len) == 0) return false;
  return setResult(d, len);
}
