// lowercase / uppercase: ASCII only (std::tolower/std::toupper with the classic locale).
import { Scratch, setResult } from "./scratch";
import { findLetter } from "./util";

function firstInRange(src: usize, len: i32, lo: u32): i32 {
  const i = findLetter(src, 0, len, lo);
  return i < len ? i : -1;
}

function mapCase(src: usize, len: i32, out: Scratch, lo: u32, first: i32): bool {
  const d = out.ensure(len);
  memory.copy(d, src, <usize>first);
  for (let i = first; i < len; i++) {
    const c = <u32>load<u8>(src + <usize>i);
    store<u8>(d + <usize>i, c - lo < 26 ? c ^ 0x20 : c);
  }
  return setResult(d, len);
}

export function lowercase(src: usize, len: i32, out: Scratch): bool {
  const f = firstInRange(src, len, 0x41);
  return f < 0 ? false : mapCase(src, len, out, 0x41, f);
}

export function uppercase(src: usize, len: i32, out: Scratch): bool {
  const f = firstInRange(src, len, 0x61);
  return f < 0 ? false : mapCase(src, len, out, 0x61, f);
}
