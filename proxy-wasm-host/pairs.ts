// The ABI's serialization of header maps / pair lists (spec "HTTP fields", cpp-host PairsUtil):
//   u32 count, then count × (u32 key size, u32 value size), then each key NUL, value NUL.
// Little-endian, byte-exact: strings here are "binary" (latin1) strings, one char per byte, so empty
// values, duplicates, NUL and non-ASCII bytes survive unchanged.

export type Pair = [string, string];

type PairView = readonly (readonly [string, string])[];

export function pairsSize(pairs: PairView): number {
  let size = 4;
  for (let i = 0; i < pairs.length; i++) size += 10 + pairs[i]![0].length + pairs[i]![1].length;
  return size;
}

export function encodePairs(pairs: PairView): Uint8Array {
  const out = new Uint8Array(pairsSize(pairs));
  writePairs(pairs, out, new DataView(out.buffer), 0);
  return out;
}

/**
 * Writes the serialization of `pairs` (pairsSize(pairs) bytes) at `at` of `out` (`dv`: a DataView over the same
 * bytes) — also straight into the module's memory (MemoryAccess.fillToPointerSize), without an intermediate buffer.
 * Each char's low byte is stored (a Uint8Array store truncates), as Buffer's latin1 encoding does.
 */
export function writePairs(pairs: PairView, out: Uint8Array, dv: DataView, at: number): void {
  dv.setUint32(at, pairs.length, true);
  let off = at + 4 + pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) {
    // indexed, not destructured: array destructuring goes through the iterator protocol
    const pair = pairs[i]!;
    const k = pair[0], v = pair[1];
    dv.setUint32(at + 4 + i * 8, k.length, true);
    dv.setUint32(at + 8 + i * 8, v.length, true);
    for (let j = 0; j < k.length; j++) out[off + j] = k.charCodeAt(j);
    off += k.length;
    out[off++] = 0;
    for (let j = 0; j < v.length; j++) out[off + j] = v.charCodeAt(j);
    off += v.length;
    out[off++] = 0;
  }
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
