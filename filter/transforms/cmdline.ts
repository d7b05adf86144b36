// cmdLine: drops " ' \ ^, folds runs of space , ; \t \r \n into one space, drops a space before / or (,
// lower-cases ASCII.
import { Scratch, finish } from "./scratch";

// Byte classes of the "anything to change?" scan (one table load per byte instead of a chain of compares):
/** changed wherever it is: A-Z (lower-cased), " ' \ ^ (dropped), , ; \t \r \n (become a space) */
const CMD_TRIGGER: u8 = 1;
/** ' ': changed only when the next byte is CMD_AFTER_SPACE (a run of spaces folds; a space before / or ( goes) */
const CMD_SPACE: u8 = 2;
const CMD_AFTER_SPACE: u8 = 4;
const CMD_CLASS: StaticArray<u8> = cmdClasses();

function cmdClasses(): StaticArray<u8> {
  const t = new StaticArray<u8>(256);
  for (let c = 0x41; c <= 0x5a; c++) t[c] = CMD_TRIGGER;
  const dropOrFold: StaticArray<i32> = [0x22, 0x27, 0x5c, 0x5e, 0x2c, 0x3b, 0x09, 0x0d, 0x0a];
  for (let i = 0; i < dropOrFold.length; i++) t[dropOrFold[i]] = CMD_TRIGGER | CMD_AFTER_SPACE;
  t[0x20] = CMD_SPACE | CMD_AFTER_SPACE;
  t[0x2f] = CMD_AFTER_SPACE;
  t[0x28] = CMD_AFTER_SPACE;
  return t;
}

export function cmdLine(src: usize, len: i32, out: Scratch): bool {
  // Scan: a value without any of the trigger bytes is returned as is.
  const cls = changetype<usize>(CMD_CLASS);
  let f = 0;
  for (; f < len; f++) {
    const k = load<u8>(cls + <usize>load<u8>(src + <usize>f));
    if ((k & (CMD_TRIGGER | CMD_SPACE)) == 0) continue;
    if ((k & CMD_TRIGGER) != 0) break;
    if (f + 1 < len && (load<u8>(cls + <usize>load<u8>(src + <usize>(f + 1))) & CMD_AFTER_SPACE) != 0) break;
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
