// Backtracking program of one pattern: its syntax tree as flat node arrays, for the non-regular tier (back
// references; v3.3.4 942130) and for capture extraction where PCRE's empty-iteration rule matters
// (compileRegex(...).captureEngine === "backtrack"). The structure a decoder fills, and its validation.
// Mirrors the AST that rulesets/regex/backtrack.ts compileBacktrack() walks (rulesets/regex/ast.ts Node), node for
// node: the walker's step accounting (PCRE's match limit) depends on the exact tree, including non-capturing groups.
//
// Node n: kind[n] (opcodes.ts BT_*) and operands a[n], b[n], c[n], d[n]:
//   BT_EMPTY
//   BT_SET      a = byte set index (sets[8a .. 8a+8), 256-bit as in NfaProgram)
//   BT_CONCAT   a = first child in `list`, b = child count        (children list[a .. a+b), in order)
//   BT_ALT      a = first child in `list`, b = child count        (alternatives in priority order)
//   BT_GROUP    a = capture index (0 = non-capturing), b = child
//   BT_REPEAT   a = min, b = max (-1 = unbounded), c = REP_GREEDY | REP_POSSESSIVE, d = child
//   BT_ASSERT   a = A_* code
//   BT_LOOK     a = LOOK_BEHIND | LOOK_NEGATE, b = child, c = first entry in `list`, d = count: for a look-behind the
//               possible body lengths in ascending order (rulesets/regex/backtrack.ts fixedLengths); 0 for ahead
//   BT_BACKREF  a = group (1..groups), b = 1 when case-insensitive (ASCII)
// Children always have smaller indices than their parent (post-order), so the tree has no cycles; `root` is the
// whole pattern. `groups` = number of capturing groups (slots 2 × (groups + 1)).
import { A_LAST, BT_ALT, BT_ASSERT, BT_BACKREF, BT_CONCAT, BT_EMPTY, BT_GROUP, BT_LAST, BT_LOOK, BT_REPEAT, BT_SET } from "./opcodes";

export class BacktrackProgram {
  kind: StaticArray<u8> = new StaticArray<u8>(0);
  a: StaticArray<i32> = new StaticArray<i32>(0);
  b: StaticArray<i32> = new StaticArray<i32>(0);
  c: StaticArray<i32> = new StaticArray<i32>(0);
  d: StaticArray<i32> = new StaticArray<i32>(0);
  /** children of CONCAT/ALT nodes and look-behind lengths */
  list: StaticArray<i32> = new StaticArray<i32>(0);
  numSets: i32 = 0;
  /** 8 × numSets words */
  sets: StaticArray<u32> = new StaticArray<u32>(0);
  root: i32 = 0;
  /** capturing groups in the pattern (may exceed 9; TX:0..9 are reported) */
  groups: i32 = 0;

  /** Null when sound, else the reason. Call once after decoding. */
  validate(): string | null {
    const n = this.kind.length;
    if (n < 1 || n > 0x1000000) return "node count out of range";
    if (this.a.length != n || this.b.length != n || this.c.length != n || this.d.length != n) return "node arrays differ in length";
    if (this.numSets < 0 || <i64>this.sets.length != <i64>this.numSets * 8) return "byte set array size";
    if (this.root < 0 || this.root >= n) return "root out of range";
    if (this.groups < 0 || this.groups > 0xffff) return "group count out of range";
    const nl = this.list.length;
    for (let i = 0; i < n; i++) {
      const k = unchecked(this.kind[i]);
      const a = unchecked(this.a[i]);
      const b = unchecked(this.b[i]);
      const c = unchecked(this.c[i]);
      const d = unchecked(this.d[i]);
      if (k > BT_LAST) return "unknown node kind";
      if (k == BT_SET) {
        if (a < 0 || a >= this.numSets) return "set index out of range";
      } else if (k == BT_CONCAT || k == BT_ALT) {
        if (a < 0 || b < 0 || <i64>a + <i64>b > <i64>nl) return "child list out of range";
        for (let j = a; j < a + b; j++) {
          const ch = unchecked(this.list[j]);
          if (ch < 0 || ch >= i) return "child index not below its parent";
        }
      } else if (k == BT_GROUP) {
        if (a < 0 || a > this.groups) return "group index out of range";
        if (b < 0 || b >= i) return "child index not below its parent";
      } else if (k == BT_REPEAT) {
        if (a < 0 || b < -1 || (b >= 0 && b < a)) return "repeat bounds";
        if ((c & ~3) != 0) return "unknown repeat flags";
        if (d < 0 || d >= i) return "child index not below its parent";
      } else if (k == BT_ASSERT) {
        if (a < 0 || a > A_LAST) return "assertion code out of range";
      } else if (k == BT_LOOK) {
        if ((a & ~3) != 0) return "unknown look flags";
        if (b < 0 || b >= i) return "child index not below its parent";
        if (c < 0 || d < 0 || <i64>c + <i64>d > <i64>nl) return "length list out of range";
        for (let j = c; j < c + d; j++) if (unchecked(this.list[j]) < 0) return "negative look-behind length";
      } else if (k == BT_BACKREF) {
        if (a < 1 || a > this.groups) return "back reference to a missing group";
        if ((b & ~1) != 0) return "unknown back reference flags";
      } else if (k != BT_EMPTY) return "unknown node kind";
    }
    return null;
  }
}
