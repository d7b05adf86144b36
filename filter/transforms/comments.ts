// replaceComments, removeComments, removeCommentsChar.
import { Scratch, finish, setResult } from "./scratch";
import { findAnyOf, findByte } from "./util";

@inline function at(src: usize, len: i32, k: i32): u32 {
  return k < len ? <u32>load<u8>(src + <usize>k) : 0;
}

function hasAny(src: usize, len: i32, a: u8, b: u8, c: u8, d: u8, e: u8): bool {
  return findAnyOf(src, 0, len, a, b, c, d, e) < len;
}

/** Each C comment becomes one space; an unterminated one too. */
export function replaceComments(src: usize, len: i32, out: Scratch): bool {
  let f = findByte(src, 0, len, 0x2f);
  while (f + 1 < len && load<u8>(src + <usize>(f + 1)) != 0x2a) f = findByte(src, f + 1, len, 0x2f);
  if (f + 1 >= len) return false;
  const d = out.ensure(len + 1);
  memory.copy(d, src, <usize>f);
  let n = f;
  let i = f;
  let inComment = false;
  while (i < len) {
    const c = load<u8>(src + <usize>i);
    if (!inComment) {
      if (c == 0x2f && i + 1 < len && load<u8>(src + <usize>(i + 1)) == 0x2a) {
        inComment = true;
        i += 2;
      } else {
        store<u8>(d + <usize>(n++), c);
        i++;
      }
    } else if (c == 0x2a && i + 1 < len && load<u8>(src + <usize>(i + 1)) == 0x2f) {
      inComment = false;
      i += 2;
      store<u8>(d + <usize>(n++), 0x20);
    } else {
      i++;
    }
  }
  if (inComment) store<u8>(d + <usize>(n++), 0x20);
  return setResult(d, n);
}

/**
 * removeComments (ModSecurity v3 3.0.9): drops /* ... * / and <!-- ... -->; `--` or `#` outside a comment
 * truncates the value there. Reproduced quirk: the byte right after a comment terminator is copied without
 * being examined, and when the terminator ends the value that byte is the reference's NUL terminator, so the
 * output then ends with a NUL byte. An unterminated comment becomes one space.
 */
export function removeComments(src: usize, len: i32, out: Scratch): bool {
  if (!hasAny(src, len, 0x2f, 0x3c, 0x2d, 0x23, 0x23)) return false;
  const d = out.ensure(len + 1);
  let n = 0;
  let i = 0;
  let inComment = false;
  while (i < len) {
    const c = <u32>load<u8>(src + <usize>i);
    if (!inComment) {
      if (c == 0x2f && at(src, len, i + 1) == 0x2a && i + 1 < len) {
        inComment = true;
        i += 2;
      } else if (c == 0x3c && i + 3 < len && load<u8>(src + <usize>(i + 1)) == 0x21 &&
                 load<u8>(src + <usize>(i + 2)) == 0x2d && load<u8>(src + <usize>(i + 3)) == 0x2d) {
        inComment = true;
        i += 4;
      } else if (c == 0x2d && i + 1 < len && load<u8>(src + <usize>(i + 1)) == 0x2d) {
        break;
      } else if (c == 0x23) {
        break;
      } else {
        store<u8>(d + <usize>(n++), <u8>c);
        i++;
      }
    } else {
      if (c == 0x2a && i + 1 < len && load<u8>(src + <usize>(i + 1)) == 0x2f) {
        inComment = false;
        i += 2;
        store<u8>(d + <usize>(n++), <u8>at(src, len, i));
        i++;
      } else if (c == 0x2d && i + 2 < len && load<u8>(src + <usize>(i + 1)) == 0x2d &&
                 load<u8>(src + <usize>(i + 2)) == 0x3e) {
        inComment = false;
        i += 3;
        store<u8>(d + <usize>(n++), <u8>at(src, len, i));
        i++;
      } else {
        i++;
      }
    }
  }
  if (inComment) store<u8>(d + <usize>(n++), 0x20);
  return finish(d, n, src, len);
}

/** removeCommentsChar: deletes the markers /*  * /  <!--  -->  --  # wherever they occur. */
export function removeCommentsChar(src: usize, len: i32, out: Scratch): bool {
  if (!hasAny(src, len, 0x2f, 0x2a, 0x3c, 0x2d, 0x23)) return false;
  const d = out.ensure(len);
  let n = 0;
  let i = 0;
  while (i < len) {
    const c = <u32>load<u8>(src + <usize>i);
    const c1 = at(src, len, i + 1);
    if (c == 0x2f && c1 == 0x2a && i + 1 < len) i += 2;
    else if (c == 0x2a && c1 == 0x2f && i + 1 < len) i += 2;
    else if (c == 0x3c && c1 == 0x21 && i + 3 < len && load<u8>(src + <usize>(i + 2)) == 0x2d &&
             load<u8>(src + <usize>(i + 3)) == 0x2d) i += 4;
    else if (c == 0x2d && c1 == 0x2d && i + 2 < len && load<u8>(src + <usize>(i + 2)) == 0x3e) i += 3;
    else if (c == 0x2d && c1 == 0x2d && i + 1 < len) i += 2;
    else if (c == 0x23) i += 1;
    else {
      store<u8>(d + <usize>(n++), <u8>c);
      i++;
    }
  }
  return finish(d, n, src, len);
}
