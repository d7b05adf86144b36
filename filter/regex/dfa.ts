// Minimised table DFA of one pattern (tier "dfa"): the structure a decoder fills, and its validation.
// Mirrors rulesets/regex/dfa.ts `Dfa` (compiler output of compileRegex(...).dfa).
//
// Unanchored search: walk from `start`; the absorbing `accept` state means "matched" (stop at once); `dead` means no
// match is reachable any more (stop at once); at the end of input the answer is acceptAtEnd[state]. Assertions
// (^ $ \b \B \A \z, one-byte look-aheads, possessive rewrites) and look-behind automata are already folded into the
// states by the compiler, so the walk is one class load and one transition load per byte.

export class Dfa {
  /** number of states (rows of `trans`), 1..65536 */
  numStates: i32 = 0;
  /** number of byte classes (columns of `trans`), 1..256 */
  numClasses: i32 = 0;
  /** byte → class, 256 entries, each < numClasses */
  classOf: StaticArray<u8> = new StaticArray<u8>(256);
  /** row-major numStates × numClasses next-state table, each entry < numStates */
  trans: StaticArray<u16> = new StaticArray<u16>(0);
  /** start state */
  start: i32 = 0;
  /** the absorbing ACCEPT state, or -1 when the pattern can never match */
  accept: i32 = -1;
  /** the state from which no match is reachable, or -1 */
  dead: i32 = -1;
  /** numStates entries: 1 when input ending in that state matches */
  acceptAtEnd: StaticArray<u8> = new StaticArray<u8>(0);
  /** When set (premultiply()), each entry of `trans` is a next state times numClasses: the offset of its row, so the
   *  walk adds the byte's class to it with no multiply on its per-byte dependency chain. */
  premultiplied: bool = false;

  /** Turns the entries of `trans` into row offsets when they all fit a u16 (numStates × numClasses ≤ 65536, most
   *  DFAs of the CRS); call on a validated DFA. */
  premultiply(): void {
    const k = this.numClasses;
    if (this.premultiplied || <i64>this.numStates * <i64>k > 65536) return;
    const t = this.trans;
    for (let i = 0, e = t.length; i < e; i++) unchecked((t[i] = <u16>(<u32>unchecked(t[i]) * <u32>k)));
    this.premultiplied = true;
  }

  /**
   * Checks every invariant the walker relies on (it reads the tables unchecked): null when sound, else the reason.
   * Call once after decoding; the facade refuses (never matches, flags an error) an invalid structure.
   */
  validate(): string | null {
    const n = this.numStates;
    const k = this.numClasses;
    if (n < 1 || n > 65536) return "state count out of range";
    if (k < 1 || k > 256) return "class count out of range";
    if (this.classOf.length != 256) return "class map is not 256 entries";
    if (<i64>this.trans.length != <i64>n * <i64>k) return "transition table size";
    if (this.acceptAtEnd.length != n) return "acceptAtEnd size";
    if (this.start < 0 || this.start >= n) return "start out of range";
    if (this.accept < -1 || this.accept >= n) return "accept out of range";
    if (this.dead < -1 || this.dead >= n) return "dead out of range";
    for (let b = 0; b < 256; b++) if (<i32>unchecked(this.classOf[b]) >= k) return "class map entry out of range";
    const t = this.trans;
    if (this.premultiplied) {
      for (let i = 0, e = t.length; i < e; i++) {
        const r = <i32>unchecked(t[i]);
        if (r >= n * k || r % k != 0) return "row offset out of range";
      }
      return null;
    }
    for (let i = 0, e = t.length; i < e; i++) if (<i32>unchecked(t[i]) >= n) return "transition out of range";
    return null;
  }
}

/**
 * Unanchored search over [ptr, ptr+len): true when the pattern matches. Same walk as the TS reference `dfaMatch`.
 * No allocation; `d` must have passed validate().
 */
export function dfaMatch(d: Dfa, ptr: usize, len: i32): bool {
  if (d.premultiplied) return dfaMatchRows(d, ptr, len);
  const k = <u32>d.numClasses;
  const classOf = changetype<usize>(d.classOf);
  const trans = changetype<usize>(d.trans);
  const accept = <u32>d.accept; // -1 → 0xffffffff: never equal to a state
  const dead = <u32>d.dead;
  let s = <u32>d.start;
  const end = ptr + <usize>len;
  for (let p = ptr; p < end; p++) {
    const c = <u32>load<u8>(classOf + <usize>load<u8>(p));
    s = <u32>load<u16>(trans + ((<usize>(s * k + c)) << 1));
    if (s == accept) return true;
    if (s == dead) return false;
  }
  return unchecked(d.acceptAtEnd[s]) == 1;
}

/** dfaMatch() over a premultiplied table: states are carried as row offsets (state × numClasses). */
function dfaMatchRows(d: Dfa, ptr: usize, len: i32): bool {
  const k = <u32>d.numClasses;
  const classOf = changetype<usize>(d.classOf);
  const trans = changetype<usize>(d.trans);
  const accept = d.accept < 0 ? 0xffffffff : <u32>d.accept * k; // never equal to a row offset when absent
  const dead = d.dead < 0 ? 0xffffffff : <u32>d.dead * k;
  let r = <u32>d.start * k;
  const end = ptr + <usize>len;
  for (let p = ptr; p < end; p++) {
    const c = <u32>load<u8>(classOf + <usize>load<u8>(p));
    r = <u32>load<u16>(trans + ((<usize>(r + c)) << 1));
    if (r == accept) return true;
    if (r == dead) return false;
  }
  return unchecked(d.acceptAtEnd[<i32>(r / k)]) == 1;
}
