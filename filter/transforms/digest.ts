// md5 / sha1 (raw 16 / 20-byte digests, as ModSecurity's t:md5 / t:sha1) and length (decimal byte count).
import { Scratch, setResult } from "./scratch";

const MD5_K = memory.data<u32>([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);
const MD5_S = memory.data<u8>([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);

// One 64-byte block buffer for the padded tail, one 80-word schedule for SHA-1.
const BLOCK = memory.data(128);
const W = memory.data(320);

let h0: u32 = 0, h1: u32 = 0, h2: u32 = 0, h3: u32 = 0, h4: u32 = 0;

function md5Block(p: usize): void {
  let a = h0, b = h1, c = h2, d = h3;
  for (let i = 0; i < 64; i++) {
    let f: u32, g: i32;
    if (i < 16) { f = (b & c) | (~b & d); g = i; }
    else if (i < 32) { f = (d & b) | (~d & c); g = (5 * i + 1) & 15; }
    else if (i < 48) { f = b ^ c ^ d; g = (3 * i + 5) & 15; }
    else { f = c ^ (b | ~d); g = (7 * i) & 15; }
    const t = d;
    d = c;
    c = b;
    b = b + rotl<u32>(a + f + load<u32>(MD5_K + (<usize>i << 2)) + load<u32>(p + (<usize>g << 2)), load<u8>(MD5_S + <usize>i));
    a = t;
  }
  h0 += a; h1 += b; h2 += c; h3 += d;
}

function sha1Block(p: usize): void {
  for (let i = 0; i < 16; i++) store<u32>(W + (<usize>i << 2), bswap<u32>(load<u32>(p + (<usize>i << 2))));
  for (let i = 16; i < 80; i++) {
    const x = load<u32>(W + (<usize>(i - 3) << 2)) ^ load<u32>(W + (<usize>(i - 8) << 2)) ^
      load<u32>(W + (<usize>(i - 14) << 2)) ^ load<u32>(W + (<usize>(i - 16) << 2));
    store<u32>(W + (<usize>i << 2), rotl<u32>(x, 1));
  }
  let a = h0, b = h1, c = h2, d = h3, e = h4;
  for (let i = 0; i < 80; i++) {
    let f: u32, k: u32;
    if (i < 20) { f = (b & c) | (~b & d); k = 0x5a827999; }
    else if (i < 40) { f = b ^ c ^ d; k = 0x6ed9eba1; }
    else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8f1bbcdc; }
    else { f = b ^ c ^ d; k = 0xca62c1d6; }
    const t = rotl<u32>(a, 5) + f + e + k + load<u32>(W + (<usize>i << 2));
    e = d; d = c; c = rotl<u32>(b, 30); b = a; a = t;
  }
  h0 += a; h1 += b; h2 += c; h3 += d; h4 += e;
}

/** Runs the Merkle-Damgard loop; `big` selects SHA-1 (big-endian length) vs MD5. */
function digest(src: usize, len: i32, sha: bool): void {
  const full = len & ~63;
  for (let k = 0; k < full; k += 64) {
    if (sha) sha1Block(src + <usize>k);
    else md5Block(src + <usize>k);
  }
  const rest = len - full;
  memory.fill(BLOCK, 0, 128);
  memory.copy(BLOCK, src + <usize>full, <usize>rest);
  store<u8>(BLOCK + <usize>rest, 0x80);
  const blocks = rest < 56 ? 1 : 2;
  const bits: u64 = <u64>len << 3;
  const lp = BLOCK + <usize>(blocks * 64 - 8);
  if (sha) store<u64>(lp, bswap<u64>(bits));
  else store<u64>(lp, bits);
  for (let k = 0; k < blocks; k++) {
    if (sha) sha1Block(BLOCK + <usize>(k * 64));
    else md5Block(BLOCK + <usize>(k * 64));
  }
}

export function md5(src: usize, len: i32, out: Scratch): bool {
  h0 = 0x67452301; h1 = 0xefcdab89; h2 = 0x98badcfe; h3 = 0x10325476;
  digest(src, len, false);
  const d = out.ensure(16);
  store<u32>(d, h0); store<u32>(d, h1, 4); store<u32>(d, h2, 8); store<u32>(d, h3, 12);
  return setResult(d, 16);
}

export function sha1(src: usize, len: i32, out: Scratch): bool {
  h0 = 0x67452301; h1 = 0xefcdab89; h2 = 0x98badcfe; h3 = 0x10325476; h4 = 0xc3d2e1f0;
  digest(src, len, true);
  const d = out.ensure(20);
  store<u32>(d, bswap<u32>(h0)); store<u32>(d, bswap<u32>(h1), 4); store<u32>(d, bswap<u32>(h2), 8);
  store<u32>(d, bswap<u32>(h3), 12); store<u32>(d, bswap<u32>(h4), 16);
  return setResult(d, 20);
}

export function length(_src: usize, len: i32, out: Scratch): bool {
  const d = out.ensure(12);
  let digits = 1;
  for (let v = len; v >= 10; v /= 10) digits++;
  let v = len;
  for (let k = digits - 1; k >= 0; k--) {
    store<u8>(d + <usize>k, <u8>(0x30 + v % 10));
    v /= 10;
  }
  return setResult(d, digits);
}
