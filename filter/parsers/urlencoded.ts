// application/x-www-form-urlencoded bodies and query strings, as ModSecurity v3.0.9 Transaction::extractArguments:
//  - split on the separator (SecArgumentSeparator's first byte, default '&') with std::getline semantics:
//    empty pieces in the middle are kept (an argument with empty name and value), a trailing separator does
//    not produce an extra piece, an empty input produces nothing;
//  - name/value on the first '=' (no '=': empty value);
//  - both urldecoded with urldecode_nonstrict ('+' -> ' ', %XX decoded, an invalid or truncated % kept as is
//    and counted; any such occurrence sets URLENCODED_ERROR=1);
//  - SecArgumentsLimit: arguments over the limit are skipped (parsing goes on, flags still computed).
import { Collector, Flag } from "./collector";
import { ByteBuf, isHexDigit } from "./bytes";

@inline function hexVal(c: i32): i32 {
  return c <= 0x39 ? c - 0x30 : (c | 0x20) - 0x57;
}

/** Decodes src[0..len) into out (appending); returns the number of invalid % sequences. */
export function urlDecodeNonStrict(src: usize, len: i32, out: ByteBuf): i32 {
  out.reserve(len);
  let d = out.ptr + <usize>out.len;
  const start = d;
  let invalid = 0;
  let i = 0;
  while (i < len) {
    const c = <i32>load<u8>(src + <usize>i);
    if (c == 0x25) {
      if (i + 2 < len) {
        const c1 = <i32>load<u8>(src + <usize>(i + 1));
        const c2 = <i32>load<u8>(src + <usize>(i + 2));
        if (isHexDigit(c1) && isHexDigit(c2)) {
          store<u8>(d++, <u8>((hexVal(c1) << 4) | hexVal(c2)));
          i += 3;
          continue;
        }
      }
      store<u8>(d++, 0x25);
      invalid++;
      i++;
    } else {
      store<u8>(d++, c == 0x2b ? 0x20 : <u8>c);
      i++;
    }
  }
  out.len += <i32>(d - start);
  return invalid;
}

export class UrlEncodedParser {
  private name: ByteBuf = new ByteBuf(64);
  private value: ByteBuf = new ByteBuf(256);

  /**
   * Parses src[0..len). sep: the argument separator byte. Emits collector.arg() per accepted argument and
   * flag(URLENCODED_ERROR, 1) once if any invalid encoding was seen. Returns the number of arguments emitted.
   */
  parse(src: usize, len: i32, sep: u8, c: Collector): i32 {
    let emitted = 0;
    let anyInvalid = false;
    let start = 0;
    while (start < len) {
      // piece [start, end)
      let end = start;
      while (end < len && load<u8>(src + <usize>end) != sep) end++;
      let eq = start;
      while (eq < end && load<u8>(src + <usize>eq) != 0x3d) eq++;
      this.name.reset();
      this.value.reset();
      let inv = urlDecodeNonStrict(src + <usize>start, eq - start, this.name);
      if (eq < end) inv += urlDecodeNonStrict(src + <usize>(eq + 1), end - eq - 1, this.value);
      if (inv > 0) anyInvalid = true;
      if (c.acceptArg()) {
        c.arg(this.name.ptr, this.name.len, this.value.ptr, this.value.len);
        emitted++;
      }
      start = end + 1; // a separator at len-1 ends the loop: no trailing empty piece
    }
    if (anyInvalid) c.flag(Flag.URLENCODED_ERROR, 1);
    return emitted;
  }
}
