// The ABI's serialization of header maps / pair lists (spec "HTTP fields", cpp-host PairsUtil):
//   u32 count, then count × (u32 key size, u32 value size), then each key NUL, value NUL.
// Little-endian, byte-exact: strings here are "binary" (latin1) strings, one char per byte, so empty
// values, duplicates, NUL and non-ASCII bytes survive unchanged.

export type Pair = [string, string];

export function pairsSize(pairs: readonly Pair[]): number {
  let size = 4;
  for (const [k, v] of pairs) size += 8 + k.length + 1 + v.length + 1;
  return size;
}

export function encodePairs(pairs: readonly Pair[]): Uint8Array {
  const out = new Uint8Array(pairsSize(pairs));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, pairs.length, true);
  let off = 4;
  for (const [k, v] of pairs) {
    dv.setUint32(off, k.length, true);
    dv.setUint32(off + 4, v.length, true);
    off += 8;
  }
  for (const [k, v] of pairs) {
    out.set(Buffer.from(k, "latin1"), off);
    off += k.length + 1; // NUL already 0
    out.set(Buffer.from(v, "latin1"), off);
    off += v.length + 1;
  }
  return out;
}

/** cpp-host limits.h: larger pair buffers / counts are treated as malformed. */
export const PAIRS_MAX_BYTES = 1024 * 1024;
export const PAIRS_MAX_COUNT = 1024;

/**
 * Decodes serialized pairs exactly like cpp-host PairsUtil::toPairs: a malformed buffer (truncated,
 * missing NUL terminators, trailing bytes, over the limits) yields an empty list, not an error.
 */
export function decodePairs(bytes: Uint8Array): Pair[] {
  if (bytes.length < 4 || bytes.length > PAIRS_MAX_BYTES) return [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true);
  if (n > PAIRS_MAX_COUNT || 4 + n * 8 > bytes.length) return [];
  let off = 4 + n * 8;
  const pairs: Pair[] = [];
  for (let i = 0; i < n; i++) {
    const ks = dv.getUint32(4 + i * 8, true);
    const vs = dv.getUint32(8 + i * 8, true);
    if (off + ks + 1 > bytes.length || bytes[off + ks] !== 0) return [];
    const k = latin1(bytes.subarray(off, off + ks));
    off += ks + 1;
    if (off + vs + 1 > bytes.length || bytes[off + vs] !== 0) return [];
    const v = latin1(bytes.subarray(off, off + vs));
    off += vs + 1;
    pairs.push([k, v]);
  }
  return off === bytes.length ? pairs : [];
}

export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
export function fromLatin1(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, "latin1"));
}
