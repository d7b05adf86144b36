// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as rulesets/tables/crc32.ts and zlib. Run once per table load,
// never per request, but over the whole table (3 MB for the CRS at PL4), so it is on the VM start-up path: the
// range is checked once, then the loop reads the bytes directly, eight at a time ("slicing by 8": eight 256-entry
// tables, T[k][b] = CRC of byte b followed by k zero bytes), one table lookup per byte without a dependency chain
// through every byte.
import { View } from "./view";

/** 8 × 256 entries: table k at [256k, 256k + 256). */
const TABLES = new StaticArray<u32>(2048);
let ready = false;

function init(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    unchecked((TABLES[n] = c));
  }
  for (let n = 0; n < 256; n++) {
    let c = unchecked(TABLES[n]);
    for (let k = 1; k < 8; k++) {
      c = unchecked(TABLES[c & 0xff]) ^ (c >>> 8);
      unchecked((TABLES[256 * k + n] = c));
    }
  }
  ready = true;
}

/** CRC-32 of view[start, end); a range outside the view reads as a fault (View semantics) and yields 0. */
export function crc32(v: View, start: u32, end: u32): u32 {
  if (!ready) init();
  if (start > end || end > v.length) {
    v.fault = true;
    return 0;
  }
  const t = changetype<usize>(TABLES);
  let p = v.address(start);
  const stop = p + <usize>(end - start);
  let c: u32 = 0xffffffff;
  // Words are read little-endian, which is the reflected CRC's byte order.
  const blocksEnd = p + (<usize>(end - start) & ~(<usize>7));
  while (p < blocksEnd) {
    const lo = load<u32>(p) ^ c;
    const hi = load<u32>(p, 4);
    c =
      load<u32>(t + ((<usize>7 * 256 + <usize>(lo & 0xff)) << 2)) ^
      load<u32>(t + ((<usize>6 * 256 + <usize>((lo >>> 8) & 0xff)) << 2)) ^
      load<u32>(t + ((<usize>5 * 256 + <usize>((lo >>> 16) & 0xff)) << 2)) ^
      load<u32>(t + ((<usize>4 * 256 + <usize>(lo >>> 24)) << 2)) ^
      load<u32>(t + ((<usize>3 * 256 + <usize>(hi & 0xff)) << 2)) ^
      load<u32>(t + ((<usize>2 * 256 + <usize>((hi >>> 8) & 0xff)) << 2)) ^
      load<u32>(t + ((<usize>256 + <usize>((hi >>> 16) & 0xff)) << 2)) ^
      load<u32>(t + (<usize>(hi >>> 24) << 2));
    p += 8;
  }
  while (p < stop) {
    c = load<u32>(t + (<usize>((c ^ <u32>load<u8>(p)) & 0xff) << 2)) ^ (c >>> 8);
    p++;
  }
  return c ^ 0xffffffff;
}
