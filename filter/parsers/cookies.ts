// Cookie header -> REQUEST_COOKIES / REQUEST_COOKIES_NAMES, as ModSecurity v3.0.9 Transaction::addRequestHeader:
//  - split on ';' (std::getline semantics: no trailing empty piece);
//  - trailing isspace() bytes of the last piece are removed (the piece before a trailing ';' if any);
//  - empty pieces skipped; name/value on the first '=' (no '=': the whole piece is the name, empty value);
//  - leading isspace() of the name removed (nothing else trimmed: the value keeps its spaces, the name its
//    trailing spaces); pieces whose name ends up empty are skipped;
//  - no URL decoding, no cookie v1 handling, duplicates kept. Call once per Cookie header.
import { Collector } from "./collector";
import { isSpace } from "./bytes";

/** Emits collector.arg(name, value) per cookie; returns the number emitted. */
export function parseCookies(src: usize, len: i32, c: Collector): i32 {
  // The last piece starts after the last ';' (if the header ends with ';' there is no last piece to trim).
  // std::getline produces no piece after a trailing ';', so the last piece is then the one before it.
  let lastEnd = len;
  if (len > 0 && load<u8>(src + <usize>(len - 1)) == 0x3b) lastEnd = len - 1;
  let lastStart = 0;
  for (let i = lastEnd - 1; i >= 0; i--) {
    if (load<u8>(src + <usize>i) == 0x3b) {
      lastStart = i + 1;
      break;
    }
  }
  let n = 0;
  let start = 0;
  while (start < len) {
    let end = start;
    while (end < len && load<u8>(src + <usize>end) != 0x3b) end++;
    if (start == lastStart) {
      while (end > start && isSpace(<i32>load<u8>(src + <usize>(end - 1)))) end--;
    }
    if (end > start) {
      let eq = start;
      while (eq < end && load<u8>(src + <usize>eq) != 0x3d) eq++;
      let ks = start;
      while (ks < eq && isSpace(<i32>load<u8>(src + <usize>ks))) ks++;
      if (ks < eq) {
        const vs = eq < end ? eq + 1 : end;
        c.arg(src + <usize>ks, eq - ks, src + <usize>vs, end - vs);
        n++;
      }
    }
    // advance past the separator of the (untrimmed) piece
    let e = start;
    while (e < len && load<u8>(src + <usize>e) != 0x3b) e++;
    start = e + 1;
  }
  return n;
}
