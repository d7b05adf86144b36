/** 256-bit byte sets stored as 8 × u32. Immutable by convention once built. */
export type ByteSet = Uint32Array;

export function emptySet(): ByteSet {
  return new Uint32Array(8);
}
export function fullSet(): ByteSet {
  return new Uint32Array(8).fill(0xffffffff);
}
export function setOf(...bytes: number[]): ByteSet {
  const s = emptySet();
  for (const b of bytes) addByte(s, b);
  return s;
}
export function rangeSet(lo: number, hi: number): ByteSet {
  const s = emptySet();
  addRange(s, lo, hi);
  return s;
}
export function addByte(s: ByteSet, b: number): void {
  s[b >>> 5]! |= 1 << (b & 31);
}
export function addRange(s: ByteSet, lo: number, hi: number): void {
  for (let b = lo; b <= hi; b++) addByte(s, b);
}
export function hasByte(s: ByteSet, b: number): boolean {
  return (s[b >>> 5]! & (1 << (b & 31))) !== 0;
}
export function union(a: ByteSet, b: ByteSet): ByteSet {
  const r = emptySet();
  for (let i = 0; i < 8; i++) r[i] = a[i]! | b[i]!;
  return r;
}
export function unionInto(a: ByteSet, b: ByteSet): void {
  for (let i = 0; i < 8; i++) a[i]! |= b[i]!;
}
export function complement(a: ByteSet): ByteSet {
  const r = emptySet();
  for (let i = 0; i < 8; i++) r[i] = ~a[i]! >>> 0;
  return r;
}
export function intersects(a: ByteSet, b: ByteSet): boolean {
  for (let i = 0; i < 8; i++) if ((a[i]! & b[i]!) !== 0) return true;
  return false;
}
export function isEmptySet(a: ByteSet): boolean {
  for (let i = 0; i < 8; i++) if (a[i] !== 0) return false;
  return true;
}
export function setEquals(a: ByteSet, b: ByteSet): boolean {
  for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return false;
  return true;
}
export function setSize(a: ByteSet): number {
  let n = 0;
  for (let i = 0; i < 8; i++) {
    let x = a[i]!;
    while (x) {
      x &= x - 1;
      n++;
    }
  }
  return n;
}
export function setBytes(a: ByteSet): number[] {
  const out: number[] = [];
  for (let b = 0; b < 256; b++) if (hasByte(a, b)) out.push(b);
  return out;
}
export function setKey(a: ByteSet): string {
  // 8 words as 16 UTF-16 code units: a compact, collision-free key (hot in NFA set interning)
  let k = "";
  for (let i = 0; i < 8; i++) {
    const x = a[i]! >>> 0;
    k += String.fromCharCode(x >>> 16, x & 0xffff);
  }
  return k;
}
/** ASCII-only case closure (PCRE default tables, non-UTF). */
export function caseFold(a: ByteSet): ByteSet {
  const r = Uint32Array.from(a);
  for (let b = 65; b <= 90; b++) {
    if (hasByte(a, b)) addByte(r, b + 32);
    if (hasByte(a, b + 32)) addByte(r, b);
  }
  return r;
}

export const DIGIT = rangeSet(0x30, 0x39);
export const WORD = (() => {
  const s = rangeSet(0x30, 0x39);
  addRange(s, 0x41, 0x5a);
  addRange(s, 0x61, 0x7a);
  addByte(s, 0x5f);
  return s;
})();
/** PCRE2 \s: \t \n \v \f \r space (VT included since PCRE2 10.x / Perl 5.18). */
export const SPACE = setOf(0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20);
/** PCRE2 \h in non-UTF 8-bit mode: \t, space, NBSP (0xA0). */
export const HSPACE = setOf(0x09, 0x20, 0xa0);
/** PCRE2 \v in non-UTF 8-bit mode: \n \v \f \r NEL (0x85). */
export const VSPACE = setOf(0x0a, 0x0b, 0x0c, 0x0d, 0x85);
export const NEWLINE = setOf(0x0a);

export function isWordByte(b: number): boolean {
  return hasByte(WORD, b);
}

/**
 * Partition 0..255 into the coarsest classes that no set in `sets` splits.
 * Returns classOf[256] (class ids in order of first byte) and the number of classes.
 */
export function byteClasses(sets: Iterable<ByteSet>): { classOf: Uint8Array; count: number } {
  // signature refinement: bytes with identical membership vectors share a class
  const uniq = new Map<string, ByteSet>();
  for (const s of sets) uniq.set(setKey(s), s);
  const list = [...uniq.values()];
  const classOf = new Uint8Array(256);
  // incremental refinement with numeric ids to avoid long strings
  const id = new Int32Array(256);
  for (const s of list) {
    const remap = new Map<number, number>();
    let next = 0;
    for (let b = 0; b < 256; b++) {
      const key = id[b]! * 2 + (hasByte(s, b) ? 1 : 0);
      let v = remap.get(key);
      if (v === undefined) remap.set(key, (v = next++));
      id[b] = v;
    }
  }
  const remap = new Map<number, number>();
  let count = 0;
  for (let b = 0; b < 256; b++) {
    let v = remap.get(id[b]!);
    if (v === undefined) remap.set(id[b]!, (v = count++));
    classOf[b] = v;
  }
  return { classOf, count };
}
