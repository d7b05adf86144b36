// The filter's load-time checks of the regex and rule-program sections: the same checks, in the same order, as
// rulesets/compiler/validate.ts (the TS reader), so that both refuse exactly the same tables. Called by
// filter/tables/reader.ts: validateSection per payload, then validateProgram across sections.
import {
  ACTION_CELLS, ACTIONS_HEADER_SIZE, ACTION_KIND_COUNT, ARG_KIND_COUNT, ActionKind, Actions, ArgKind,
  CHAINS_HEADER_SIZE, COND_CELLS, CTL_OPTION_COUNT, Chains, Cond, CondFlags, CtlOption, DISRUPTIVE_COUNT,
  MACRO_CELLS, MARKER_CELLS, MAX_BT_NODES, MAX_CAPTURE_SLOTS, MAX_DFA_STATES, MAX_NFA_INSTS, MAX_RULES,
  MacroPartKind, OPERATOR_KIND_COUNT, OperatorKind, PART_CELLS, PHASE_COUNT, PIPELINES_HEADER_SIZE, Pipelines,
  REF_NONE, REGEX_ASSERT_COUNT, REGEX_BT_HEADER_SIZE, REGEX_DFA_HEADER_SIZE, REGEX_MAP_HEADER_SIZE, MAX_REQUIRED_ATOMS, MAX_FOLDED_PM, REGEX_ATOM_MAP_SIZE, RegexFlags,
  REGEX_NFA_HEADER_SIZE, REGEX_NODE_COUNT, REGEX_OP_COUNT, RULES_HEADER_SIZE, RULE_CELLS, RegexDfaFlags, RegexMap,
  RegexNode, RegexOp, Rule, RuleFlags, Rules, SETTINGS_HEADER_SIZE, SETTING_CELLS, SETTING_COUNT, SETVAR_OP_COUNT,
  SectionKind, SettingValue, StringPool, TARGETS_HEADER_SIZE, TARGET_CELLS, TARGET_FLAGS_MASK, TARGET_SELECTOR_SHIFT,
  Target, TargetSelector, Ac,
} from "../../rulesets/tables/format";
import { VARIABLE_COUNT } from "../../rulesets/tables/variables";
import { TRANSFORM_COUNT } from "../transforms/ids";
import { View } from "../tables/view";

const NONE: u32 = <u32>REF_NONE;
// @ts-ignore: decorator
@inline function a4(n: u64): u64 { return (n + 3) & ~(<u64>3); }
// @ts-ignore: decorator
@inline function inRange(start: u32, n: u32, total: u32): bool { return start <= total && n <= total - start; }

/** Payload check for the kinds this module owns; null = sound. `handled` is false for other kinds. */
export function validateOwnedPayload(kind: u32, v: View): string | null {
  switch (kind) {
    case SectionKind.METADATA: return validateSettings(v);
    case SectionKind.REGEX_DFA: return validateDfa(v);
    case SectionKind.REGEX_NFA: return validateNfa(v, false);
    case SectionKind.REGEX_CAPTURE: return validateNfa(v, true);
    case SectionKind.REGEX_BACKTRACK: return validateBacktrack(v);
    case SectionKind.REGEX_PREFILTER_MAP: return validateRegexMap(v);
    case SectionKind.RULES: return validateRules(v);
    case SectionKind.CHAINS: return validateChains(v);
    case SectionKind.TARGETS: return validateTargets(v);
    case SectionKind.TRANSFORMATIONS: return validatePipelines(v);
    case SectionKind.ACTIONS: return validateActions(v);
    default: return null;
  }
}

/** Walks the REGEX_DFA row records (format.ts) that start at `at`, checking every count, back reference, class and
 *  target, the exact end and the zero padding; when `trans` (S*K cells) is given, also expands the rows into it.
 *  Returns null, or the reason the rows are refused. Never reads or writes out of range. */
export function expandDfaRows(v: View, S: u32, K: u32, w: u32, at: u32, trans: StaticArray<u16> | null): string | null {
  const n = v.length;
  let o: u64 = <u64>at;
  for (let s: u32 = 0; s < S; s++) {
    if (o + 2 > <u64>n) return "row records run past the end";
    const ex = v.u8(<u32>o), back = v.u8(<u32>o + 1);
    o += 2;
    if (ex > K) return "exception count out of range";
    const row = <i32>(s * K);
    if (back == 0) {
      if (o + <u64>w > <u64>n) return "row records run past the end";
      const d = w == 1 ? v.u8(<u32>o) : v.u16(<u32>o);
      o += <u64>w;
      if (d >= S) return "transition out of range";
      if (trans !== null) for (let c: i32 = 0; c < <i32>K; c++) unchecked((trans[row + c] = <u16>d));
    } else {
      if (back > s) return "base row out of range";
      if (trans !== null) {
        const from = row - <i32>(back * K);
        for (let c: i32 = 0; c < <i32>K; c++) unchecked((trans[row + c] = trans[from + c]));
      }
    }
    if (o + <u64>ex * <u64>(1 + w) > <u64>n) return "row records run past the end";
    let prev: i32 = -1;
    for (let i: u32 = 0; i < ex; i++) {
      const c = v.u8(<u32>o);
      if (c >= K || <i32>c <= prev) return "exception class out of range or out of order";
      prev = <i32>c;
      const t = w == 1 ? v.u8(<u32>o + 1) : v.u16(<u32>o + 1);
      o += <u64>(1 + w);
      if (t >= S) return "transition out of range";
      if (trans !== null) unchecked((trans[row + <i32>c] = <u16>t));
    }
  }
  if (<u64>n != a4(o)) return "size does not match the row records";
  for (let i = <u32>o; i < n; i++) if (v.u8(i) != 0) return "non-zero padding";
  if (v.fault) return "read out of range";
  return null;
}

function validateDfa(v: View): string | null {
  if (v.length < <u32>(REGEX_DFA_HEADER_SIZE + 256)) return "shorter than its fixed header";
  const S = v.u32(0), K = v.u32(4), start = v.u32(8), accept = v.u32(12), dead = v.u32(16), flags = v.u32(20);
  if (S < 1 || S > <u32>MAX_DFA_STATES) return "state count out of range";
  if (K < 1 || K > 256) return "class count out of range";
  if ((flags & ~(<u32>RegexDfaFlags.CELLS_U8)) != 0) return "unknown flags";
  const w: u32 = (flags & RegexDfaFlags.CELLS_U8) != 0 ? 1 : 2;
  if (w == 1 && S > 256) return "u8 cells with more than 256 states";
  const aae = <u32>REGEX_DFA_HEADER_SIZE + 256;
  const rows = <u64>aae + a4(<u64>S);
  if (<u64>v.length < rows) return "shorter than its counts";
  if (start >= S || (accept != NONE && accept >= S) || (dead != NONE && dead >= S)) return "start/accept/dead state out of range";
  for (let b: u32 = 0; b < 256; b++) if (v.u8(<u32>REGEX_DFA_HEADER_SIZE + b) >= K) return "class map entry out of range";
  for (let s: u32 = 0; s < S; s++) if (v.u8(aae + s) > 1) return "accept_at_end is not 0/1";
  for (let s: u32 = aae + S; s < <u32>rows; s++) if (v.u8(s) != 0) return "non-zero padding";
  if (v.fault) return "read out of range";
  return expandDfaRows(v, S, K, w, <u32>rows, null);
}

/** Walks the packed REGEX_NFA instruction stream [REGEX_NFA_HEADER_SIZE, + B) (format.ts): exactly N instructions,
 *  known ops, every operand in range (targets < N, sets, slots, assertions, looks), the stream ending exactly at B.
 *  When the arrays are given (N cells each), also expands the instructions into them (unused operands 0). Returns
 *  null, or the reason the stream is refused. Never reads or writes out of range. */
export function walkNfaInsts(
  v: View, N: u32, W: u32, B: u32, sets: u32, looks: u32, slots: u32, mask: u32, capture: bool,
  ops: StaticArray<u8> | null, args: StaticArray<i32> | null, outs: StaticArray<i32> | null, outs1: StaticArray<i32> | null,
): string | null {
  if (W != 1 && W != 2 && W != 4) return "instruction width is not 1, 2 or 4";
  const at = <u64>REGEX_NFA_HEADER_SIZE;
  const end = at + <u64>B;
  if (B < N || <u64>B > 9 * <u64>N || end > <u64>v.length) return "instruction stream out of range"; // 1 ..= 9 bytes each
  let o = <u32>at;
  for (let i: u32 = 0; i < N; i++) {
    if (<u64>o >= end) return "instruction: stream ends early";
    const op = v.u8(o);
    o++;
    if (op >= <u32>REGEX_OP_COUNT) return "instruction: unknown op";
    const k: u32 = op == RegexOp.MATCH ? 0 : op == RegexOp.NOP ? 1 : 2;
    if (<u64>o + <u64>(k * W) > end) return "instruction: stream ends early";
    let arg: u32 = 0, out: u32 = 0, out1: u32 = 0;
    let x: u32 = 0, y: u32 = 0;
    if (k >= 1) x = W == 1 ? v.u8(o) : W == 2 ? v.u16(o) : v.u32(o);
    if (k == 2) y = W == 1 ? v.u8(o + W) : W == 2 ? v.u16(o + W) : v.u32(o + W);
    o += k * W;
    if (op == RegexOp.SPLIT) {
      out = x;
      out1 = y;
    } else if (op == RegexOp.NOP) {
      out = x;
    } else if (op != RegexOp.MATCH) {
      arg = x;
      out = y;
    }
    if (op != RegexOp.MATCH && out >= N) return "instruction: out of range";
    if (op == RegexOp.SPLIT && out1 >= N) return "instruction: out of range";
    if (op == RegexOp.BYTE && arg >= sets) return "instruction: set out of range";
    if (op == RegexOp.SAVE && (!capture || arg >= slots)) return "instruction: slot out of range";
    if (op == RegexOp.ASSERT && (arg >= <u32>REGEX_ASSERT_COUNT || ((mask >>> arg) & 1) == 0)) return "instruction: assertion out of range";
    if (op == RegexOp.LOOK && arg >= looks) return "instruction: look out of range";
    if (ops !== null) unchecked((ops[<i32>i] = <u8>op));
    if (args !== null) unchecked((args[<i32>i] = <i32>arg));
    if (outs !== null) unchecked((outs[<i32>i] = <i32>out));
    if (outs1 !== null) unchecked((outs1[<i32>i] = <i32>out1));
  }
  if (<u64>o != end) return "instruction stream longer than its instructions";
  const padEnd = <u32>a4(end);
  for (let i = o; i < padEnd; i++) if (v.u8(i) != 0) return "non-zero padding";
  if (v.fault) return "read out of range";
  return null;
}

function validateNfa(v: View, capture: bool): string | null {
  if (v.length < <u32>REGEX_NFA_HEADER_SIZE) return "shorter than its fixed header";
  const N = v.u32(0), sets = v.u32(4), looks = v.u32(8), seqs = v.u32(12), elems = v.u32(16), start = v.u32(20), slots = v.u32(24), mask = v.u32(28);
  const W = v.u32(32), B = v.u32(36);
  const MX = <u32>MAX_NFA_INSTS;
  if (N < 1 || N > MX || sets > MX || looks > MX || seqs > MX || elems > MX) return "counts out of range";
  if (B < N || <u64>B > 9 * <u64>N) return "instruction stream out of range";
  const setsAt = <u64>REGEX_NFA_HEADER_SIZE + a4(<u64>B);
  if (<u64>v.length != setsAt + 32 * <u64>sets + 16 * <u64>looks + 8 * <u64>seqs + 4 * <u64>elems) return "size does not match counts";
  if (start >= N) return "start out of range";
  if (slots > <u32>MAX_CAPTURE_SLOTS || (slots & 1) != 0 || (!capture && slots != 0)) return "slot count out of range";
  if ((mask >>> <u32>REGEX_ASSERT_COUNT) != 0) return "unknown assertion bits";
  const ie = walkNfaInsts(v, N, W, B, sets, looks, slots, mask, capture, null, null, null, null);
  if (ie !== null) return ie;
  const lk = <u32>setsAt + 32 * sets;
  const sq = lk + 16 * looks;
  const el = sq + 8 * seqs;
  for (let i: u32 = 0; i < looks; i++) {
    const f = v.u32(lk + 16 * i), maxLen = v.u32(lk + 16 * i + 4), s0 = v.u32(lk + 16 * i + 8), sn = v.u32(lk + 16 * i + 12);
    if (f > 3 || s0 > seqs || sn > seqs - s0) return "look: out of range";
    for (let q = s0; q < s0 + sn; q++) if (v.u32(sq + 8 * q + 4) > maxLen) return "look: sequence longer than max_len";
  }
  for (let q: u32 = 0; q < seqs; q++) {
    const e0 = v.u32(sq + 8 * q), en = v.u32(sq + 8 * q + 4);
    if (e0 > elems || en > elems - e0) return "sequence: out of range";
  }
  for (let e: u32 = 0; e < elems; e++) if (v.u32(el + 4 * e) >= sets) return "element: set out of range";
  if (v.fault) return "read out of range";
  return null;
}

function validateBacktrack(v: View): string | null {
  if (v.length < <u32>REGEX_BT_HEADER_SIZE) return "shorter than its fixed header";
  const N = v.u32(0), sets = v.u32(4), kids = v.u32(8), root = v.u32(16);
  const MX = <u32>MAX_BT_NODES;
  if (N < 1 || N > MX || sets > MX || kids > MX) return "counts out of range";
  if (v.u32(20) != 0) return "reserved field";
  if (v.length != <u32>REGEX_BT_HEADER_SIZE + 16 * N + 32 * sets + 4 * kids) return "size does not match counts";
  if (root >= N) return "root out of range";
  const ch = <u32>REGEX_BT_HEADER_SIZE + 16 * N + 32 * sets;
  for (let i: u32 = 0; i < N; i++) {
    const o = <u32>REGEX_BT_HEADER_SIZE + 16 * i;
    const t = v.u32(o) & 0xff, f = v.u32(o) >>> 8, p1 = v.u32(o + 4), p2 = v.u32(o + 8), p3 = v.u32(o + 12);
    if (t >= <u32>REGEX_NODE_COUNT || f > 31) return "node: unknown type";
    if (t == RegexNode.SET) {
      if (p1 >= sets) return "node: set out of range";
    } else if (t == RegexNode.CONCAT || t == RegexNode.ALT) {
      if (p1 > kids || p2 > kids - p1) return "node: children out of range";
      for (let k = p1; k < p1 + p2; k++) if (v.u32(ch + 4 * k) >= i) return "node: child not before its parent";
    } else if (t == RegexNode.REPEAT) {
      if (p3 >= i || (p2 != NONE && p2 < p1)) return "node: bad repeat";
    } else if (t == RegexNode.GROUP) {
      if (p2 >= i) return "node: child not before its parent";
    } else if (t == RegexNode.ASSERT) {
      if (p1 >= <u32>REGEX_ASSERT_COUNT) return "node: assertion out of range";
    } else if (t == RegexNode.LOOK) {
      if (p1 >= i) return "node: child not before its parent";
    } else if (t == RegexNode.BACKREF) {
      if (p1 > v.u32(12)) return "node: group out of range";
    }
  }
  if (v.fault) return "read out of range";
  return null;
}

function validateRegexMap(v: View): string | null {
  if (v.length < <u32>REGEX_MAP_HEADER_SIZE) return "shorter than its fixed header";
  const G = v.u32(RegexMap.REGEX_COUNT), P = v.u32(RegexMap.PHRASE_COUNT), L = v.u32(RegexMap.LINK_COUNT), ac = v.u32(RegexMap.AC_SECTION);
  if (G > <u32>MAX_RULES * 4 || P > 0x01000000 || L > 0x01000000) return "counts out of range";
  const ps = <u32>REGEX_MAP_HEADER_SIZE + 16 * G;
  const lk = ps + 4 * (P + 1);
  const atoms = lk + 4 * L;
  const req = atoms + <u32>REGEX_ATOM_MAP_SIZE;
  const pmAt = req + 8 * G;
  if (v.length < pmAt + 4) return "size does not match counts";
  const M = v.u32(pmAt);
  if (M > <u32>MAX_FOLDED_PM || v.length != pmAt + 4 + 4 * M) return "size does not match counts";
  if ((P == 0) != (ac == NONE)) return "prefilter automaton and phrase count disagree";
  for (let j: u32 = 0; j < M; j++) {
    for (let k: u32 = 0; k < j; k++) if (v.u32(pmAt + 4 + 4 * k) == v.u32(pmAt + 4 + 4 * j)) return "folded @pm automaton listed twice";
  }
  const known = <u32>(RegexFlags.HAS_FACTORS | RegexFlags.REQUIRED_BYTES | RegexFlags.WHOLE_VALUE);
  for (let g: u32 = 0; g < G; g++) {
    const f = v.u32(<u32>REGEX_MAP_HEADER_SIZE + 16 * g + 8);
    if ((f & ~known) != 0) return "regex: unknown flags";
    // a pattern matching every value has no factor or byte every match needs, and no group
    if ((f & RegexFlags.WHOLE_VALUE) != 0 && ((f & (RegexFlags.HAS_FACTORS | RegexFlags.REQUIRED_BYTES)) != 0 || v.u32(<u32>REGEX_MAP_HEADER_SIZE + 16 * g + 12) != 0)) return "regex: whole-value regex with factors, required bytes or groups";
  }
  for (let b: u32 = 0; b < <u32>REGEX_ATOM_MAP_SIZE; b++) if (v.u8(atoms + b) >= <u32>MAX_REQUIRED_ATOMS) return "atom map: atom out of range";
  for (let g: u32 = 0; g < G; g++) {
    const required = (v.u32(<u32>REGEX_MAP_HEADER_SIZE + 16 * g + 8) & RegexFlags.REQUIRED_BYTES) != 0;
    if (!required && (v.u32(req + 8 * g) != 0 || v.u32(req + 8 * g + 4) != 0)) return "regex: required atoms without the flag";
  }
  if (v.u32(ps) != 0 || v.u32(ps + 4 * P) != L) return "phrase starts do not span the links";
  for (let i: u32 = 0; i < P; i++) if (v.u32(ps + 4 * (i + 1)) < v.u32(ps + 4 * i)) return "phrase starts decrease";
  const seen = new Uint8Array(<i32>(G + M));
  for (let i: u32 = 0; i < L; i++) {
    const g = v.u32(lk + 4 * i);
    if (g >= G + M) return "link: regex or folded @pm automaton out of range";
    seen[<i32>g] = 1;
  }
  for (let g: u32 = 0; g < G; g++) if ((v.u32(<u32>REGEX_MAP_HEADER_SIZE + 16 * g + 8) & RegexFlags.HAS_FACTORS) != <u32>seen[<i32>g]) return "regex: factor flag and links disagree";
  // a folded automaton is ruled out when none of its phrases occurred: it must have phrases in the prefilter
  for (let j: u32 = 0; j < M; j++) if (seen[<i32>(G + j)] == 0) return "folded @pm automaton without a prefilter phrase";
  if (v.fault) return "read out of range";
  return null;
}

/** -1 with `fixedError` set, else the record count. */
let fixedError: string | null = null;
function fixedRecords(v: View, header: u32, recordCells: u32): i64 {
  fixedError = null;
  if (v.length < header) { fixedError = "shorter than its fixed header"; return -1; }
  const n = v.u32(0);
  if (n > 0x01000000) { fixedError = "count out of range"; return -1; }
  if (v.u32(4) != 0) { fixedError = "reserved field"; return -1; }
  if (v.length != header + 4 * recordCells * n) { fixedError = "size does not match counts"; return -1; }
  return <i64>n;
}

function validateChains(v: View): string | null {
  const r = fixedRecords(v, <u32>CHAINS_HEADER_SIZE, <u32>COND_CELLS);
  if (r < 0) return fixedError;
  const n = <u32>r;
  for (let i: u32 = 0; i < n; i++) {
    const o = <u32>CHAINS_HEADER_SIZE + 4 * <u32>COND_CELLS * i;
    if (v.u32(o + 4 * Cond.FLAGS) > 15) return "condition: unknown flags";
    if (v.u32(o + 4 * Cond.OP) >= <u32>OPERATOR_KIND_COUNT) return "condition: unknown operator";
    const ak = v.u32(o + 4 * Cond.ARG_KIND);
    if (ak >= <u32>ARG_KIND_COUNT) return "condition: unknown argument kind";
    if (ak == ArgKind.NONE && v.u32(o + 4 * Cond.ARG) != 0) return "condition: unused argument";
    if (!opAccepts(v.u32(o + 4 * Cond.OP), ak)) return "condition: argument kind does not fit the operator";
  }
  if (v.fault) return "read out of range";
  return null;
}

export function opAccepts(op: u32, ak: u32): bool {
  switch (op) {
    case OperatorKind.RX:
    case OperatorKind.RX_GLOBAL:
      return ak == ArgKind.REGEX || ak == ArgKind.REGEX_VARIANTS;
    case OperatorKind.VERIFY_CC:
    case OperatorKind.VERIFY_CPF:
    case OperatorKind.VERIFY_SSN:
    case OperatorKind.VERIFY_SVNR:
      return ak == ArgKind.REGEX;
    case OperatorKind.PM:
    case OperatorKind.PM_FROM_FILE:
      return ak == ArgKind.AC;
    case OperatorKind.IP_MATCH:
    case OperatorKind.IP_MATCH_FROM_FILE:
      return ak == ArgKind.IP;
    case OperatorKind.EQ:
    case OperatorKind.GE:
    case OperatorKind.GT:
    case OperatorKind.LE:
    case OperatorKind.LT:
      return ak == ArgKind.NUMBER || ak == ArgKind.MACRO;
    case OperatorKind.STREQ:
    case OperatorKind.CONTAINS:
    case OperatorKind.CONTAINS_WORD:
    case OperatorKind.BEGINS_WITH:
    case OperatorKind.ENDS_WITH:
    case OperatorKind.WITHIN:
      return ak == ArgKind.STRING || ak == ArgKind.MACRO;
    case OperatorKind.STRMATCH:
    case OperatorKind.RBL:
      return ak == ArgKind.STRING;
    case OperatorKind.VALIDATE_BYTE_RANGE:
      return ak == ArgKind.BYTES;
    default:
      return ak == ArgKind.NONE;
  }
}

function validateTargets(v: View): string | null {
  const r = fixedRecords(v, <u32>TARGETS_HEADER_SIZE, <u32>TARGET_CELLS);
  if (r < 0) return fixedError;
  const n = <u32>r;
  for (let i: u32 = 0; i < n; i++) {
    const o = <u32>TARGETS_HEADER_SIZE + 4 * <u32>TARGET_CELLS * i;
    if (v.u32(o + 4 * Target.VARIABLE) >= <u32>VARIABLE_COUNT) return "target: unknown variable";
    const f = v.u32(o + 4 * Target.FLAGS);
    if ((f & ~(<u32>TARGET_FLAGS_MASK | (3 << <u32>TARGET_SELECTOR_SHIFT))) != 0) return "target: unknown flags";
    if ((f >>> <u32>TARGET_SELECTOR_SHIFT) == TargetSelector.NONE && v.u32(o + 4 * Target.SELECTOR) != 0) return "target: unused selector";
  }
  if (v.fault) return "read out of range";
  return null;
}

function validatePipelines(v: View): string | null {
  if (v.length < <u32>PIPELINES_HEADER_SIZE) return "shorter than its fixed header";
  const P = v.u32(Pipelines.PIPELINE_COUNT), I = v.u32(Pipelines.ID_COUNT);
  if (P > 0x01000000 || I > 0x01000000) return "counts out of range";
  if (v.length != <u32>PIPELINES_HEADER_SIZE + 4 * (P + 1) + 4 * I) return "size does not match counts";
  const st = <u32>Pipelines.STARTS;
  if (v.u32(st) != 0 || v.u32(st + 4 * P) != I) return "starts do not span the ids";
  for (let i: u32 = 0; i < P; i++) if (v.u32(st + 4 * (i + 1)) < v.u32(st + 4 * i)) return "starts decrease";
  const ids = st + 4 * (P + 1);
  for (let i: u32 = 0; i < I; i++) {
    const t = v.u32(ids + 4 * i);
    if (t == 0 || t >= <u32>TRANSFORM_COUNT) return "transformation id out of range";
  }
  if (v.fault) return "read out of range";
  return null;
}

function validateActions(v: View): string | null {
  if (v.length < <u32>ACTIONS_HEADER_SIZE) return "shorter than its fixed header";
  const A = v.u32(Actions.ACTION_COUNT), M = v.u32(Actions.MACRO_COUNT), P = v.u32(Actions.PART_COUNT), L = v.u32(Actions.LIST_COUNT);
  if (A > 0x01000000 || M > 0x01000000 || P > 0x01000000 || L > 0x01000000) return "counts out of range";
  if (<u64>v.length != <u64>ACTIONS_HEADER_SIZE + 4 * (<u64>ACTION_CELLS * A + <u64>MACRO_CELLS * M + <u64>PART_CELLS * P + <u64>L)) return "size does not match counts";
  const mo = <u32>ACTIONS_HEADER_SIZE + 4 * <u32>ACTION_CELLS * A;
  const po = mo + 4 * <u32>MACRO_CELLS * M;
  for (let i: u32 = 0; i < A; i++) {
    const o = <u32>ACTIONS_HEADER_SIZE + 4 * <u32>ACTION_CELLS * i;
    const k = v.u32(o);
    if (k >= <u32>ACTION_KIND_COUNT) return "action: unknown kind";
    const a = v.u32(o + 4), b = v.u32(o + 8), c = v.u32(o + 12), d = v.u32(o + 16), e = v.u32(o + 20);
    if (k == ActionKind.SETVAR) {
      if (a >= <u32>VARIABLE_COUNT || b >= <u32>SETVAR_OP_COUNT || c >= M || d >= M) return "action: setvar out of range";
    } else if (k == ActionKind.CTL) {
      if (a >= <u32>CTL_OPTION_COUNT) return "action: unknown ctl option";
      if (d > L || <u64>2 * <u64>e > <u64>(L - d)) return "action: id ranges out of range";
    } else if (k == ActionKind.INITCOL) {
      if (a >= <u32>VARIABLE_COUNT || b >= M) return "action: initcol out of range";
    } else if (k == ActionKind.EXPIREVAR) {
      if (a >= <u32>VARIABLE_COUNT || b >= M || c >= M) return "action: expirevar out of range";
    } else if (k == ActionKind.SETENV) {
      if (b >= M || c >= M) return "action: setenv out of range";
    } else if (k == ActionKind.SETUID || k == ActionKind.SETSID || k == ActionKind.SETRSC) {
      if (b >= M) return "action: macro out of range";
    }
  }
  for (let i: u32 = 0; i < M; i++) {
    const s = v.u32(mo + 8 * i), n = v.u32(mo + 8 * i + 4);
    if (s > P || n > P - s) return "macro: parts out of range";
  }
  for (let i: u32 = 0; i < P; i++) {
    const k = v.u32(po + 12 * i), a = v.u32(po + 12 * i + 4), b = v.u32(po + 12 * i + 8);
    if (k == MacroPartKind.TEXT) {
      if (b != 0) return "part: unused field";
    } else if (k == MacroPartKind.REF) {
      if (a >= <u32>VARIABLE_COUNT) return "part: unknown variable";
    } else return "part: unknown kind";
  }
  if (v.fault) return "read out of range";
  return null;
}

function validateSettings(v: View): string | null {
  const r = fixedRecords(v, <u32>SETTINGS_HEADER_SIZE, <u32>SETTING_CELLS);
  if (r < 0) return fixedError;
  const n = <u32>r;
  for (let i: u32 = 0; i < n; i++) {
    const o = <u32>SETTINGS_HEADER_SIZE + 12 * i;
    if (v.u32(o) >= <u32>SETTING_COUNT || v.u32(o + 4) > <u32>SettingValue.STRING) return "setting: unknown key or value kind";
  }
  if (v.fault) return "read out of range";
  return null;
}

function validateRules(v: View): string | null {
  if (v.length < <u32>RULES_HEADER_SIZE) return "shorter than its fixed header";
  const R = v.u32(Rules.RULE_COUNT), M = v.u32(Rules.MARKER_COUNT);
  if (R > <u32>MAX_RULES || M > <u32>MAX_RULES) return "counts out of range";
  if (v.u32(Rules.FLAGS) != 0) return "unknown flags";
  if (v.length != <u32>RULES_HEADER_SIZE + 4 * (<u32>RULE_CELLS * R + <u32>MARKER_CELLS * M)) return "size does not match counts";
  const PS = <u32>Rules.PHASE_START;
  if (v.u32(PS) != 0 || v.u32(PS + 4 * <u32>PHASE_COUNT) != R) return "phase ranges do not span the rules";
  for (let i: u32 = 0; i < <u32>PHASE_COUNT; i++) if (v.u32(PS + 4 * (i + 1)) < v.u32(PS + 4 * i)) return "phase ranges decrease";
  let nextCond: u64 = 0;
  for (let ph: u32 = 1; ph <= <u32>PHASE_COUNT; ph++) {
    const end = v.u32(PS + 4 * ph);
    for (let i = v.u32(PS + 4 * (ph - 1)); i < end; i++) {
      const o = <u32>RULES_HEADER_SIZE + 4 * <u32>RULE_CELLS * i;
      if (v.u32(o + 4 * Rule.PHASE) != ph) return "rule: phase does not match its range";
      const flags = v.u32(o + 4 * Rule.FLAGS);
      if (flags > 63) return "rule: unknown flags";
      const cs = v.u32(o + 4 * Rule.COND_START), cn = v.u32(o + 4 * Rule.COND_COUNT);
      if (<u64>cs != nextCond || cn < 1 || cn > 0x10000) return "rule: condition range";
      if ((cn > 1) != ((flags & RuleFlags.CHAIN) != 0)) return "rule: chain flag";
      nextCond += <u64>cn;
      if (v.u32(o + 4 * Rule.DISRUPTIVE) >= <u32>DISRUPTIVE_COUNT) return "rule: unknown disruptive action";
      const sev = v.u32(o + 4 * Rule.SEVERITY);
      if (sev != NONE && sev > 7) return "rule: severity out of range";
      const sa = v.u32(o + 4 * Rule.SKIP_AFTER);
      if (sa != NONE && (sa <= i || sa > end)) return "rule: skipAfter position out of its phase";
      if (v.u32(o + 4 * Rule.ORDER) >= R) return "rule: order out of range";
    }
  }
  for (let m: u32 = 0; m < M; m++) {
    const o = <u32>RULES_HEADER_SIZE + 4 * <u32>RULE_CELLS * R + 4 * <u32>MARKER_CELLS * m;
    for (let ph: u32 = 1; ph <= <u32>PHASE_COUNT; ph++) {
      const pos = v.u32(o + 4 * ph);
      if (pos < v.u32(PS + 4 * (ph - 1)) || pos > v.u32(PS + 4 * ph)) return "marker: position out of its phase";
    }
  }
  if (v.fault) return "read out of range";
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Cross-section checks. `kinds[i]` and `views[i]` describe section i.

export class ProgramError {
  constructor(readonly section: i32, readonly message: string) {}
}

function kindAt(kinds: Array<i32>, i: u32): i32 {
  return i < <u32>kinds.length ? unchecked(kinds[<i32>i]) : -1;
}

export function validateProgram(kinds: Array<i32>, views: Array<View>): ProgramError | null {
  let rulesAt = -1;
  for (let i = 0; i < kinds.length; i++) {
    if (kinds[i] != SectionKind.RULES) continue;
    if (rulesAt >= 0) return new ProgramError(i, "more than one RULES section");
    rulesAt = i;
  }
  for (let i = 0; i < kinds.length; i++) {
    if (kinds[i] != SectionKind.REGEX_PREFILTER_MAP) continue;
    const e = checkRegexMap(kinds, views, views[i]);
    if (e !== null) return new ProgramError(i, e);
  }
  if (rulesAt < 0) return null;
  const e = checkProgram(kinds, views, views[rulesAt]);
  return e !== null ? new ProgramError(rulesAt, e) : null;
}

function checkRegexMap(kinds: Array<i32>, views: Array<View>, v: View): string | null {
  const G = v.u32(RegexMap.REGEX_COUNT), P = v.u32(RegexMap.PHRASE_COUNT), ac = v.u32(RegexMap.AC_SECTION);
  if (ac != NONE) {
    if (kindAt(kinds, ac) != SectionKind.REGEX_PREFILTER_AC) return "prefilter section is not a REGEX_PREFILTER_AC";
    if (views[<i32>ac].u32(Ac.PHRASE_COUNT) != P) return "phrase count differs from the prefilter automaton's";
  }
  const pmAt = <u32>REGEX_MAP_HEADER_SIZE + 16 * G + 4 * (P + 1) + 4 * v.u32(RegexMap.LINK_COUNT) + <u32>REGEX_ATOM_MAP_SIZE + 8 * G;
  for (let j: u32 = 0, M = v.u32(pmAt); j < M; j++) {
    if (kindAt(kinds, v.u32(pmAt + 4 + 4 * j)) != SectionKind.AHO_CORASICK) return "folded @pm automaton: section is not an AHO_CORASICK";
  }
  for (let g: u32 = 0; g < G; g++) {
    const o = <u32>REGEX_MAP_HEADER_SIZE + 16 * g;
    const mk = kindAt(kinds, v.u32(o));
    const cr = v.u32(o + 4);
    const ck = cr == NONE ? -2 : kindAt(kinds, cr);
    if (mk != SectionKind.REGEX_DFA && mk != SectionKind.REGEX_NFA && mk != SectionKind.REGEX_BACKTRACK) return "regex: match section is not a regex automaton";
    if (ck != -2 && ck != SectionKind.REGEX_CAPTURE && ck != SectionKind.REGEX_BACKTRACK) return "regex: capture section is not a capture program";
  }
  return null;
}

function want(kinds: Array<i32>, v: View, off: u32, kind: i32): bool {
  return kindAt(kinds, v.u32(off)) == kind;
}

function checkProgram(kinds: Array<i32>, views: Array<View>, v: View): string | null {
  if (!want(kinds, v, Rules.STRINGS_SECTION, SectionKind.STRINGS)) return "STRINGS section reference is not a STRINGS section";
  if (!want(kinds, v, Rules.CHAINS_SECTION, SectionKind.CHAINS)) return "CHAINS section reference is not a CHAINS section";
  if (!want(kinds, v, Rules.TARGETS_SECTION, SectionKind.TARGETS)) return "TARGETS section reference is not a TARGETS section";
  if (!want(kinds, v, Rules.TRANSFORMS_SECTION, SectionKind.TRANSFORMATIONS)) return "TRANSFORMATIONS section reference is not a TRANSFORMATIONS section";
  if (!want(kinds, v, Rules.ACTIONS_SECTION, SectionKind.ACTIONS)) return "ACTIONS section reference is not a ACTIONS section";
  if (!want(kinds, v, Rules.SETTINGS_SECTION, SectionKind.METADATA)) return "METADATA section reference is not a METADATA section";
  const mapRef = v.u32(Rules.REGEX_MAP_SECTION);
  if (mapRef != NONE && kindAt(kinds, mapRef) != SectionKind.REGEX_PREFILTER_MAP) return "regex map reference is not a REGEX_PREFILTER_MAP section";
  const S = views[<i32>v.u32(Rules.STRINGS_SECTION)].u32(StringPool.COUNT);
  const chains = views[<i32>v.u32(Rules.CHAINS_SECTION)];
  const C = chains.u32(Chains.COND_COUNT);
  const targets = views[<i32>v.u32(Rules.TARGETS_SECTION)];
  const T = targets.u32(0);
  const P = views[<i32>v.u32(Rules.TRANSFORMS_SECTION)].u32(Pipelines.PIPELINE_COUNT);
  const actions = views[<i32>v.u32(Rules.ACTIONS_SECTION)];
  const A = actions.u32(Actions.ACTION_COUNT), M = actions.u32(Actions.MACRO_COUNT), PT = actions.u32(Actions.PART_COUNT), L = actions.u32(Actions.LIST_COUNT);
  const G: u32 = mapRef == NONE ? 0 : views[<i32>mapRef].u32(RegexMap.REGEX_COUNT);
  const R = v.u32(Rules.RULE_COUNT), MK = v.u32(Rules.MARKER_COUNT);
  const lo = <u32>ACTIONS_HEADER_SIZE + 4 * (<u32>ACTION_CELLS * A + <u32>MACRO_CELLS * M + <u32>PART_CELLS * PT);

  let condTotal: u32 = 0;
  for (let i: u32 = 0; i < R; i++) {
    const o = <u32>RULES_HEADER_SIZE + 4 * <u32>RULE_CELLS * i;
    const cs = v.u32(o + 4 * Rule.COND_START), cn = v.u32(o + 4 * Rule.COND_COUNT);
    condTotal = cs + cn;
    const da = v.u32(o + 4 * Rule.DISRUPTIVE_ARG), msg = v.u32(o + 4 * Rule.MSG), ld = v.u32(o + 4 * Rule.LOGDATA);
    if ((da != NONE && da >= M) || (msg != NONE && msg >= M) || (ld != NONE && ld >= M)) return "rule: macro out of range";
    const ts = v.u32(o + 4 * Rule.TAG_START), tn = v.u32(o + 4 * Rule.TAG_COUNT);
    if (!inRange(ts, tn, L)) return "rule: tags out of range";
    for (let t = ts; t < ts + tn; t++) if (actions.u32(lo + 4 * t) >= M) return "rule: tag macro out of range";
    if (!inRange(v.u32(o + 4 * Rule.ACTION_START), v.u32(o + 4 * Rule.ACTION_COUNT), A)) return "rule: actions out of range";
    const ver = v.u32(o + 4 * Rule.VER), rev = v.u32(o + 4 * Rule.REV);
    if ((ver != NONE && ver >= S) || (rev != NONE && rev >= S) || v.u32(o + 4 * Rule.FILE) >= S) return "rule: string out of range";
    const flags = v.u32(o + 4 * Rule.FLAGS);
    for (let c = cs; c < cs + cn; c++) {
      if (c >= C) return "rule: conditions out of range";
      const co = <u32>CHAINS_HEADER_SIZE + 4 * <u32>COND_CELLS * c;
      if (chains.u32(co + 4 * Cond.RULE) != i) return "condition: owner is not its rule";
      if (((chains.u32(co + 4 * Cond.FLAGS) & CondFlags.LINK) != 0) != (c != cs)) return "condition: link flag";
      if (chains.u32(co + 4 * Cond.TARGET_COUNT) == 0 && (flags & RuleFlags.SEC_ACTION) == 0) return "condition: no target";
    }
  }
  if (condTotal != C) return "conditions are not all owned by rules";
  for (let c: u32 = 0; c < C; c++) {
    const co = <u32>CHAINS_HEADER_SIZE + 4 * <u32>COND_CELLS * c;
    const ak = chains.u32(co + 4 * Cond.ARG_KIND), arg = chains.u32(co + 4 * Cond.ARG);
    if (ak == ArgKind.STRING && arg >= S) return "condition: string out of range";
    if (ak == ArgKind.MACRO && arg >= M) return "condition: macro out of range";
    if (ak == ArgKind.AC && kindAt(kinds, arg) != SectionKind.AHO_CORASICK) return "condition: not an AHO_CORASICK section";
    if (ak == ArgKind.IP && kindAt(kinds, arg) != SectionKind.IP_SET) return "condition: not an IP_SET section";
    if (ak == ArgKind.REGEX && arg >= G) return "condition: regex out of range";
    if (ak == ArgKind.BYTES && !inRange(arg, 8, L)) return "condition: byte set out of range";
    if (ak == ArgKind.REGEX_VARIANTS) {
      // [macro id, n, (string id, regex index) × n] in the list pool
      if (!inRange(arg, 2, L)) return "condition: regex variants out of range";
      const n = actions.u32(lo + 4 * (arg + 1));
      if (actions.u32(lo + 4 * arg) >= M || n == 0 || n > L || !inRange(arg + 2, 2 * n, L)) return "condition: regex variants out of range";
      for (let k: u32 = 0; k < n; k++) {
        if (actions.u32(lo + 4 * (arg + 2 + 2 * k)) >= S || actions.u32(lo + 4 * (arg + 3 + 2 * k)) >= G) return "condition: regex variant out of range";
      }
    }
    if (chains.u32(co + 4 * Cond.OP_TEXT) >= S) return "condition: string out of range";
    if (!inRange(chains.u32(co + 4 * Cond.TARGET_START), chains.u32(co + 4 * Cond.TARGET_COUNT), T)) return "condition: targets out of range";
    if (chains.u32(co + 4 * Cond.PIPELINE) >= P) return "condition: pipeline out of range";
    if (!inRange(chains.u32(co + 4 * Cond.ACTION_START), chains.u32(co + 4 * Cond.ACTION_COUNT), A)) return "condition: actions out of range";
  }
  for (let t: u32 = 0; t < T; t++) {
    const o = <u32>TARGETS_HEADER_SIZE + 4 * <u32>TARGET_CELLS * t;
    const sk = targets.u32(o + 4 * Target.FLAGS) >>> <u32>TARGET_SELECTOR_SHIFT, sel = targets.u32(o + 4 * Target.SELECTOR);
    if ((sk == TargetSelector.KEY || sk == TargetSelector.XPATH) && sel >= S) return "target: string out of range";
    if (sk == TargetSelector.REGEX && sel >= G) return "target: regex out of range";
    if (targets.u32(o + 4 * Target.RAW) >= S) return "target: string out of range";
  }
  for (let i: u32 = 0; i < A; i++) {
    const o = <u32>ACTIONS_HEADER_SIZE + 4 * <u32>ACTION_CELLS * i;
    const k = actions.u32(o), a = actions.u32(o + 4), b = actions.u32(o + 8), c = actions.u32(o + 12), f = actions.u32(o + 24), g = actions.u32(o + 28);
    if (k == ActionKind.CTL) {
      if (b >= S) return "action: string out of range";
      const needsString = a == CtlOption.AUDIT_LOG_PARTS || a == CtlOption.RULE_REMOVE_BY_MSG || a == CtlOption.RULE_REMOVE_BY_TAG || a == CtlOption.RULE_REMOVE_TARGET_BY_MSG || a == CtlOption.RULE_REMOVE_TARGET_BY_TAG;
      if (needsString && c >= S) return "action: string out of range";
      if (!inRange(f, g, T)) return "action: targets out of range";
    } else if (k >= <u32>ActionKind.XMLNS && k != ActionKind.SANITISE_MATCHED && b != NONE && b >= S) return "action: string out of range";
  }
  const po = <u32>ACTIONS_HEADER_SIZE + 4 * (<u32>ACTION_CELLS * A + <u32>MACRO_CELLS * M);
  for (let i: u32 = 0; i < PT; i++) {
    const k = actions.u32(po + 12 * i), a = actions.u32(po + 12 * i + 4), b = actions.u32(po + 12 * i + 8);
    if (k == MacroPartKind.TEXT ? a >= S : b != NONE && b >= S) return "part: string out of range";
  }
  for (let m: u32 = 0; m < MK; m++) if (v.u32(<u32>RULES_HEADER_SIZE + 4 * <u32>RULE_CELLS * R + 4 * <u32>MARKER_CELLS * m) >= S) return "marker: string out of range";
  const settings = views[<i32>v.u32(Rules.SETTINGS_SECTION)];
  const SN = settings.u32(0);
  for (let i: u32 = 0; i < SN; i++) {
    const o = <u32>SETTINGS_HEADER_SIZE + 12 * i;
    if (settings.u32(o + 4) == SettingValue.STRING && settings.u32(o + 8) >= S) return "setting: string out of range";
  }
  if (v.fault || chains.fault || targets.fault || actions.fault || settings.fault) return "read out of range";
  return null;
}
