// CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320), as rulesets/tables/crc32.ts and zlib. Table-driven: one lookup
// per byte; run once per table load, never per request.
import { View } from "./view";

const TABLE = new StaticArray<u32>(256);
let ready = false;

function init(): void {
  for (let n: u32 = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    unchecked((TABLE[n] = c));
  }
  ready = true;
}

/** CRC-32 of view[start, end). */
export function crc32(v: View, start: u32, end: u32): u32 {
  if (!ready) init();
  let c: u32 = 0xffffffff;
  for (let i = start; i < end; i++) c = unchecked(TABLE[(c ^ v.u8(i)) & 0xff]) ^ (c >>> 8);
  return c ^ 0xffffffff;
}
