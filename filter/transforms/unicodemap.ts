// SecUnicodeMapFile support: builds the codepoint -> byte table urlDecodeUni takes, from the text of a
// unicode.mapping file and a code page, the way ModSecurity v3 3.0.9 loads it (ConfigUnicodeMap::loadConfig):
//  - entries start at -1 (unmapped); 0x002E, 0x3002, 0xFF0E and 0xFF61 are always mapped to '.' (RFC 3490);
//  - tokens are separated by space, tab, CR, LF; a token whose leading decimal number equals the code page
//    starts the section; from then on every "hhhh:hh" token is an entry; the first token without ':' after
//    at least one entry ends the section.
import { UNICODE_MAP_SIZE } from "./ids";

@inline function isSep(c: u32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

/** atol() over a token (optional sign, decimal digits), as unsigned int. */
function atolU32(p: usize, n: i32): u32 {
  let k = 0;
  let neg = false;
  if (k < n && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) {
    neg = load<u8>(p) == 0x2d;
    k++;
  }
  let v: u64 = 0;
  while (k < n) {
    const c = <u32>load<u8>(p + <usize>k);
    if (c - 0x30 >= 10) break;
    v = v * 10 + <u64>(c - 0x30);
    if (v > 0xffffffffffff) v = 0xffffffffffff; // keep bounded; atol saturation is far above any code page
    k++;
  }
  return <u32>(neg ? -v : v);
}

let hexOk = false;
/** sscanf("%x") on p[0..n): optional sign and 0x prefix, hex digits; hexOk=false when nothing parsed. */
function scanHex(p: usize, n: i32): i32 {
  let k = 0;
  let neg = false;
  if (k < n && (load<u8>(p) == 0x2b || load<u8>(p) == 0x2d)) {
    neg = load<u8>(p) == 0x2d;
    k++;
  }
  if (k + 1 < n && load<u8>(p + <usize>k) == 0x30 && (load<u8>(p + <usize>(k + 1)) | 0x20) == 0x78 &&
      k + 2 < n && isHexDigit(load<u8>(p + <usize>(k + 2)))) k += 2;
  let v: u32 = 0;
  let any = false;
  while (k < n) {
    const c = <u32>load<u8>(p + <usize>k);
    if (!isHexDigit(c)) break;
    v = (v << 4) | (c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x61 + 10);
    any = true;
    k++;
  }
  hexOk = any;
  return neg ? -<i32>v : <i32>v;
}

@inline function isHexDigit(c: u32): bool {
  return (c - 0x30) < 10 || ((c | 0x20) - 0x61) < 6;
}

/** Builds the table for `codePage` from the mapping file bytes. The low byte of each entry is what
 *  urlDecodeUni emits. */
export function buildUnicodeMap(text: usize, len: i32, codePage: u32): StaticArray<i32> {
  const t = new StaticArray<i32>(UNICODE_MAP_SIZE);
  for (let k = 0; k < UNICODE_MAP_SIZE; k++) unchecked(t[k] = -1);
  unchecked(t[0x3002] = 0x2e);
  unchecked(t[0xff61] = 0x2e);
  unchecked(t[0xff0e] = 0x2e);
  unchecked(t[0x002e] = 0x2e);
  let found = false;
  let processing = false;
  let code: i32 = 0;
  let mapped: i32 = 0;
  let i = 0;
  while (i < len) {
    while (i < len && isSep(load<u8>(text + <usize>i))) i++;
    if (i >= len) break;
    const s = i;
    while (i < len && !isSep(load<u8>(text + <usize>i)) && load<u8>(text + <usize>i) != 0) i++;
    const p = text + <usize>s;
    const n = i - s;
    if (atolU32(p, n) == codePage) found = true;
    let colon = -1;
    for (let k = 0; k < n; k++) if (load<u8>(p + <usize>k) == 0x3a) { colon = k; break; }
    if (found && colon >= 0) {
      processing = true;
      // strtok(mapping, ":"): skip leading ':'s, token up to the next ':'
      let a = 0;
      while (a < n && load<u8>(p + <usize>a) == 0x3a) a++;
      let b = a;
      while (b < n && load<u8>(p + <usize>b) != 0x3a) b++;
      if (b > a) {
        const c = scanHex(p + <usize>a, b - a);
        if (hexOk) code = c;
        const rest = b < n ? b + 1 : n;
        const m = scanHex(p + <usize>rest, n - rest);
        if (hexOk) mapped = m;
        if (code >= 0 && code <= 65535) unchecked(t[code] = mapped);
      }
    }
    if (processing && colon < 0) break;
    if (i < len && load<u8>(text + <usize>i) == 0) break; // the reference reads the file as a C string
  }
  return t;
}
