// cmdLine: drops " ' \ ^, folds runs of space , ; \t \r \n into one space, drops a space before / or (,
// lower-cases ASCII.
import { Scratch, finish } from "./scratch";

export function cmdLine(src: usize, len: i32, out: Scratch): bool {
  // Scan: a value without any of the trigger bytes is returned as is.
  let f = 0;
  for (; f < len; f++) {
    const c = <u32>load<u8>(src + <usize>f);
    if (c - 0x41 < 26) break;
    if (c == 0x22 || c == 0x27 || c == 0x5c || c == 0x5e || c == 0x2c || c == 0x3b || c == 0x09 || c == 0x0d || c == 0x0a) break;
    if (c == 0x20 && f + 1 < len) {
      const n = <u32>load<u8>(src + <usize>(f + 1));
      if (n == 0x20 || n == 0x2f || n == 0x28 || n == 0x22 || n == 0x27 || n == 0x5c || n == 0x5e || n == 0x2c || n == 0x3b || n == 0x09 || n == 0x0d || n == 0x0a) break;
    }
  }
  if (f == len) return false;
  const d = out.ensure(len);
  let n = 0;
  let space = false;
  for (let i = 0; i < len; i++) {
    const c = <u32>load<u8>(src + <usize>i);
    switch (c) {
      case 0x22: case 0x27: case 0x5c: case 0x5e:
        break;
      case 0x20: case 0x2c: case 0x3b: case 0x09: case 0x0d: case 0x0a:
        if (!space) {
          store<u8>(d + <usize>(n++), 0x20);
          space = true;
        }
        break;
      case 0x2f: case 0x28:
        if (space) n--;
        space = false;
        store<u8>(d + <usize>(n++), <u8>c);
        break;
      default:
        store<u8>(d + <usize>(n++), <u8>(c - 0x41 < 26 ? c | 0x20 : c));
        space = false;
    }
  }
  return finish(d, n, src, len);
}
