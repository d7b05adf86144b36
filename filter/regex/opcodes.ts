// Constants shared by the regex structures and walkers. The numbering is the TS compiler's
// (rulesets/regex/nfa.ts OP_* / A_*), so a decoder copies values through unchanged.

// NFA program instructions (NfaProgram.ops)
export const OP_BYTE: u8 = 0; // arg = set index, out = next
export const OP_SPLIT: u8 = 1; // out = preferred branch, out1 = other branch
export const OP_SAVE: u8 = 2; // arg = capture slot (2g start, 2g+1 end), out = next
export const OP_ASSERT: u8 = 3; // arg = A_* code, out = next
export const OP_LOOK: u8 = 4; // arg = look index, out = next
export const OP_MATCH: u8 = 5;
export const OP_NOP: u8 = 6; // out = next
export const OP_LAST: u8 = 6;

// Assertion codes (OP_ASSERT arg, BT_ASSERT a)
export const A_BOL: i32 = 0; // ^ (MULTILINE): at start, or after an internal \n
export const A_EOL: i32 = 1; // $ (MULTILINE): before any \n, or at the end
export const A_START: i32 = 2; // \A
export const A_END: i32 = 3; // \z
export const A_ENDZ: i32 = 4; // \Z: at end or before a final \n
export const A_WORDB: i32 = 5; // \b
export const A_NWORDB: i32 = 6; // \B
export const A_LAST: i32 = 6;

// NfaProgram.lookFlags bits, BacktrackProgram LOOK flags
export const LOOK_BEHIND: u8 = 1;
export const LOOK_NEGATE: u8 = 2;

// Backtracking program node kinds (BacktrackProgram.kind)
export const BT_EMPTY: u8 = 0;
export const BT_SET: u8 = 1; // a = set index
export const BT_CONCAT: u8 = 2; // a = first child in `list`, b = child count
export const BT_ALT: u8 = 3; // a = first child in `list`, b = child count
export const BT_GROUP: u8 = 4; // a = capture index (0 = non-capturing), b = child
export const BT_REPEAT: u8 = 5; // a = min, b = max (-1 = unbounded), c = REP_* flags, d = child
export const BT_ASSERT: u8 = 6; // a = A_* code
export const BT_LOOK: u8 = 7; // a = LOOK_* flags, b = child, c = first length in `list`, d = length count (look-behind)
export const BT_BACKREF: u8 = 8; // a = group, b = 1 if case-insensitive
export const BT_LAST: u8 = 8;

export const REP_GREEDY: i32 = 1;
export const REP_POSSESSIVE: i32 = 2;

// Tiers and capture engines (Regex.tier / Regex.captureEngine)
export const TIER_DFA: u8 = 0;
export const TIER_LAZY: u8 = 1;
export const TIER_BACKTRACK: u8 = 2;
export const CAPTURE_PIKE: u8 = 0;
export const CAPTURE_BACKTRACK: u8 = 1;

/** TX:0..9 */
export const MAX_CAPTURE_GROUPS: i32 = 10;

/** \w = [0-9A-Za-z_] (ASCII, non-UTF PCRE). */
@inline export function isWordByte(b: u32): bool {
  return b - 0x30 < 10 || (b | 0x20) - 0x61 < 26 || b == 0x5f;
}

/** Membership in a 256-bit set stored as 8 u32 words at `sets[8*index..]`. */
@inline export function setHas(sets: StaticArray<u32>, index: i32, b: u32): bool {
  return (unchecked(sets[(index << 3) + <i32>(b >>> 5)]) & (<u32>1 << (b & 31))) != 0;
}
