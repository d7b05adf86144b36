// normalisePath / normalisePathWin: ModSecurity's normalize_path_inplace (collapses //, removes ./ and
// resolves ../ without going above the root, keeps a trailing slash only if the input had one). The Win
// variant first turns backslashes into slashes.
import { Scratch, finish } from "./scratch";
import { findAnyOf } from "./util";

function needsWork(src: usize, len: i32, win: bool): bool {
  const bs: u32 = win ? 0x5c : 0x2f; // without the Win variant, look for '/' twice
  return findAnyOf(src, 0, len, 0x2f, 0x2e, bs, bs, bs) < len;
}

/** In place over b[0..len) (a private copy); returns the normalised length. */
function normalizeInPlace(b: usize, len: i32, win: bool): i32 {
  if (len <= 0) return 0;
  const end = len - 1;
  let src = 0;
  let dst = 0;
  let ldst = 1;
  let hitroot = false;
  let done = false;
  const first = load<u8>(b);
  const last = load<u8>(b + <usize>end);
  const relative = !(first == 0x2f || (win && first == 0x5c));
  const trailing = last == 0x2f || (win && last == 0x5c);

  while (!done && src <= end && dst <= end) {
    if (win) {
      if (load<u8>(b + <usize>src) == 0x5c) store<u8>(b + <usize>src, 0x2f);
      if (src < end && load<u8>(b + <usize>(src + 1)) == 0x5c) store<u8>(b + <usize>(src + 1), 0x2f);
    }
    let skipCopy = false;
    let normalise = true;
    if (src == end) done = true;
    else if (load<u8>(b + <usize>(src + 1)) != 0x2f) normalise = false;

    if (normalise) {
      const s = load<u8>(b + <usize>src);
      if (src != end && s == 0x2f) {
        // empty segment: the copy below collapses it
      } else if (s == 0x2e) {
        if (dst > 0 && load<u8>(b + <usize>(dst - 1)) == 0x2e) {
          // back-reference
          if (relative && (hitroot || dst - 2 <= 0)) {
            hitroot = true; // nothing to remove: copy it
          } else {
            dst -= 3;
            while (dst > 0 && load<u8>(b + <usize>dst) != 0x2f) dst--;
            if (dst <= 0) {
              hitroot = true;
              dst = 0;
              if (!relative && src == end) dst++;
            }
            if (done) skipCopy = true;
            else src++;
          }
        } else if (dst == 0) {
          if (done) skipCopy = true;
          else src++;
        } else if (load<u8>(b + <usize>(dst - 1)) == 0x2f) {
          if (done) skipCopy = true;
          else {
            dst--;
            src++;
          }
        }
      } else if (dst > 0) {
        hitroot = false;
      }
    }

    if (!skipCopy) {
      let copyByte = true;
      if (load<u8>(b + <usize>src) == 0x2f) {
        while (src < end) {
          const nx = load<u8>(b + <usize>(src + 1));
          if (nx == 0x2f || (win && nx == 0x5c)) src++;
          else break;
        }
        if (relative && dst == 0) {
          src++;
          copyByte = false;
        }
      }
      if (copyByte) {
        store<u8>(b + <usize>dst, load<u8>(b + <usize>src));
        dst++;
        src++;
      }
    }
    ldst = dst;
  }
  if (!trailing && dst > 0 && load<u8>(b + <usize>(dst - 1)) == 0x2f) {
    ldst--;
    dst--;
  }
  return ldst;
}

function normalise(src: usize, len: i32, out: Scratch, win: bool): bool {
  if (!needsWork(src, len, win)) return false;
  const d = out.ensure(len + 1);
  memory.copy(d, src, <usize>len);
  store<u8>(d + <usize>len, 0);
  const n = normalizeInPlace(d, len, win);
  return finish(d, n, src, len);
}

export function normalisePath(src: usize, len: i32, out: Scratch): bool {
  return normalise(src, len, out, false);
}

export function normalisePathWin(src: usize, len: i32, out: Scratch): bool {
  return normalise(src, len, out, true);
}
