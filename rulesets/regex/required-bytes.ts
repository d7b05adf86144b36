/**
 * Required byte set: a set R of bytes such that every match of the pattern contains at least one byte of R — or
 * null when the analysis finds none. A value that holds no byte of R cannot contain a match, so the engine skips the
 * regex on it without walking its automaton (the prefilter's second test, after the literal factors: it covers the
 * patterns without factors, e.g. `[<>]` or `['"`;]\s*\w`, and sharpens those with common factors).
 *
 * Sound by construction over the syntax tree (the same tree every tier is compiled from); req(n) is a set every
 * match of n contains a byte of, or null:
 *  - set: the set itself (an empty set never matches: every match "contains" one of its bytes vacuously);
 *  - empty, assertions, look-arounds, back references: null (they may match without consuming a byte);
 *  - group: its item's; repeat with min ≥ 1: its item's; min 0: null;
 *  - alt: the union of the branches' (null if one branch has none);
 *  - concat: any child's set holds for the whole; the one least likely to occur in ordinary text is kept (rarity).
 */
import type { Node } from "./ast";
import { type ByteSet, emptySet, unionInto } from "./byteset";

/** Estimated weight of a byte in benign request data: how much a set containing it is likely to be hit. */
export function byteWeight(b: number): number {
  if ((b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39)) return 100;
  if (b === 0x20 || b === 0x2e || b === 0x2d || b === 0x5f || b === 0x2f || b === 0x3d || b === 0x26 || b === 0x2c || b === 0x3a) return 30;
  if (b >= 0x21 && b <= 0x7e) return 5;
  if (b === 0x0a || b === 0x0d || b === 0x09) return 5;
  return 1;
}

/** Sum of the byte weights of a set: lower is rarer (a better filter). */
export function setWeight(s: ByteSet): number {
  let w = 0;
  for (let b = 0; b < 256; b++) if ((s[b >>> 5]! & (1 << (b & 31))) !== 0) w += byteWeight(b);
  return w;
}

function rarer(a: ByteSet | null, b: ByteSet | null): ByteSet | null {
  if (!a) return b;
  if (!b) return a;
  return setWeight(b) < setWeight(a) ? b : a;
}

export function requiredBytes(ast: Node): ByteSet | null {
  const go = (n: Node): ByteSet | null => {
    switch (n.type) {
      case "empty":
      case "assert":
      case "look":
      case "backref":
        return null;
      case "set":
        return n.set;
      case "group":
        return go(n.item);
      case "repeat":
        return n.min >= 1 && n.max !== 0 ? go(n.item) : null;
      case "alt": {
        const u = emptySet();
        for (const it of n.items) {
          const r = go(it);
          if (!r) return null;
          unionInto(u, r);
        }
        return u;
      }
      case "concat": {
        let best: ByteSet | null = null;
        for (const it of n.items) best = rarer(best, go(it));
        return best;
      }
    }
  };
  const r = go(ast);
  return r ? Uint32Array.from(r) : null;
}

/** At most this many atoms: a value's atoms are one u64 bitset at run time. */
export const MAX_ATOMS = 64;

export interface RequiredAtoms {
  /** Per byte: its atom (< MAX_ATOMS). */
  atomOf: Uint8Array;
  /** Per input set: the atoms of its bytes as [low 32 bits, high 32 bits] (a superset of the set: sound), or null. */
  masks: ([number, number] | null)[];
}

/**
 * Partitions the 256 bytes into at most MAX_ATOMS atoms so that each required set is (a subset of) a union of
 * atoms: the run time then only needs a value's atoms (one table load and an OR per byte) to test every set with
 * one AND. Bytes contained in exactly the same sets share an atom; when that makes too many atoms, the atoms most
 * likely to occur anyway (the heaviest: letters, digits) are merged first, which only widens the sets (never
 * unsound: a wider set skips less).
 */
export function requiredAtoms(sets: readonly (ByteSet | null)[]): RequiredAtoms {
  const sig = new Map<string, number[]>();
  for (let b = 0; b < 256; b++) {
    let key = "";
    sets.forEach((s, i) => {
      if (s && (s[b >>> 5]! & (1 << (b & 31))) !== 0) key += i + ",";
    });
    const l = sig.get(key);
    if (l) l.push(b);
    else sig.set(key, [b]);
  }
  const atoms = [...sig.values()];
  const weight = (a: number[]) => a.reduce((w, b) => w + byteWeight(b), 0);
  atoms.sort((x, y) => weight(y) - weight(x) || x[0]! - y[0]!);
  while (atoms.length > MAX_ATOMS) {
    const [a, b] = atoms.splice(0, 2);
    atoms.unshift([...a!, ...b!]);
  }
  const atomOf = new Uint8Array(256);
  atoms.forEach((bytes, i) => {
    for (const b of bytes) atomOf[b] = i;
  });
  const masks = sets.map((s): [number, number] | null => {
    if (!s) return null;
    let lo = 0, hi = 0;
    for (let b = 0; b < 256; b++) {
      if ((s[b >>> 5]! & (1 << (b & 31))) === 0) continue;
      const a = atomOf[b]!;
      if (a < 32) lo |= 1 << a;
      else hi |= 1 << (a - 32);
    }
    return [lo >>> 0, hi >>> 0];
  });
  return { atomOf, masks };
}

/** The run-time test of set i (the reference for the filter's scan): false only when `bytes` holds no byte of an
 *  atom of the set — the regex then cannot match. True for a set without a requirement (null). */
export function holdsRequiredAtom(atoms: RequiredAtoms, i: number, bytes: Uint8Array): boolean {
  const m = atoms.masks[i];
  if (!m) return true;
  for (const b of bytes) {
    const a = atoms.atomOf[b]!;
    if (((a < 32 ? m[0] : m[1]) & (1 << (a & 31))) !== 0) return true;
  }
  return false;
}
