// Load-time validation of the regex and rule-program sections (../tables/format.ts), used by the TS table reader
// (../tables/reader.ts). The filter's loader (filter/program/validate.ts) performs the same checks in the same
// order; the tests feed both the same corrupt tables. Two stages:
//   validate*Payload   one section on its own: sizes from counts, internal indices, enum ranges
//   validateProgram    across sections, after every payload passed: the RULES section's references to its other
//                      sections (kinds), and every string / macro / target / action / pipeline / regex / object index
// After both, the engine may index every array the program names without a bounds check.
import {
  ACTION_CELLS,
  ACTIONS_HEADER_SIZE,
  ACTION_KIND_COUNT,
  ARG_KIND_COUNT,
  ActionKind,
  Actions,
  ArgKind,
  CHAINS_HEADER_SIZE,
  COND_CELLS,
  CTL_OPTION_COUNT,
  Chains,
  Cond,
  CondFlags,
  CtlOption,
  DISRUPTIVE_COUNT,
  MACRO_CELLS,
  MARKER_CELLS,
  MAX_BT_NODES,
  MAX_CAPTURE_SLOTS,
  MAX_DFA_STATES,
  MAX_NFA_INSTS,
  MAX_RULES,
  MacroPartKind,
  OPERATOR_KIND_COUNT,
  OperatorKind,
  PART_CELLS,
  PHASE_COUNT,
  PIPELINES_HEADER_SIZE,
  Pipelines,
  REF_NONE,
  REGEX_ASSERT_COUNT,
  REGEX_BT_HEADER_SIZE,
  REGEX_DFA_HEADER_SIZE,
  MAX_REQUIRED_ATOMS,
  MAX_FOLDED_PM,
  REGEX_ATOM_MAP_SIZE,
  REGEX_MAP_HEADER_SIZE,
  RegexFlags,
  REGEX_NFA_HEADER_SIZE,
  REGEX_NODE_COUNT,
  REGEX_OP_COUNT,
  RULES_HEADER_SIZE,
  RULE_CELLS,
  RegexDfaFlags,
  RegexMap,
  RegexNode,
  RegexOp,
  Rule,
  RuleFlags,
  Rules,
  SETTINGS_HEADER_SIZE,
  SETTING_CELLS,
  SETTING_COUNT,
  SETVAR_OP_COUNT,
  SectionKind,
  SettingValue,
  StringPool,
  TARGETS_HEADER_SIZE,
  TARGET_CELLS,
  TARGET_FLAGS_MASK,
  TARGET_SELECTOR_SHIFT,
  Target,
  TargetSelector,
  Ac,
} from "../tables/format";
import { VARIABLE_COUNT } from "../tables/variables";
import { TRANSFORM_COUNT } from "../../filter/transforms/ids";

const NONE = REF_NONE;
const cells = (p: Uint8Array) => {
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  return (off: number) => v.getUint32(off, true);
};
const a4 = (n: number) => Math.ceil(n / 4) * 4;

/** Expands the REGEX_DFA row records (format.ts) that start at `at` into the dense S*K table, checking every count,
 *  back reference, class and target; the payload must end exactly at the padded end of the last record with zero
 *  padding. Returns the table, or the reason the rows are refused. */
export function expandDfaRows(p: Uint8Array, S: number, K: number, w: 1 | 2, at: number): Uint16Array | string {
  if (at + 2 * S > p.length) return "row records run past the end"; // >= 2 bytes a row, checked before allocating
  const trans = new Uint16Array(S * K);
  let o = at;
  const n = p.length;
  const target = (): number => {
    const x = w === 1 ? p[o]! : p[o]! | (p[o + 1]! << 8);
    o += w;
    return x;
  };
  for (let s = 0; s < S; s++) {
    if (o + 2 > n) return "row records run past the end";
    const ex = p[o]!, back = p[o + 1]!;
    o += 2;
    if (ex > K) return "exception count out of range";
    const row = s * K;
    if (back === 0) {
      if (o + w > n) return "row records run past the end";
      const d = target();
      if (d >= S) return "transition out of range";
      trans.fill(d, row, row + K);
    } else {
      if (back > s) return "base row out of range";
      trans.copyWithin(row, row - back * K, row - back * K + K);
    }
    if (o + ex * (1 + w) > n) return "row records run past the end";
    let prev = -1;
    for (let i = 0; i < ex; i++) {
      const c = p[o++]!;
      if (c >= K || c <= prev) return "exception class out of range or out of order";
      prev = c;
      const t = target();
      if (t >= S) return "transition out of range";
      trans[row + c] = t;
    }
  }
  if (n !== a4(o)) return "size does not match the row records";
  for (let i = o; i < n; i++) if (p[i] !== 0) return "non-zero padding";
  return trans;
}

export function validateDfaPayload(p: Uint8Array): string | null {
  if (p.length < REGEX_DFA_HEADER_SIZE + 256) return "shorter than its fixed header";
  const u = cells(p);
  const S = u(0), K = u(4), start = u(8), accept = u(12), dead = u(16), flags = u(20);
  if (S < 1 || S > MAX_DFA_STATES) return "state count out of range";
  if (K < 1 || K > 256) return "class count out of range";
  if ((flags & ~RegexDfaFlags.CELLS_U8) !== 0) return "unknown flags";
  const w = flags & RegexDfaFlags.CELLS_U8 ? 1 : 2;
  if (w === 1 && S > 256) return "u8 cells with more than 256 states";
  const aae = REGEX_DFA_HEADER_SIZE + 256;
  const rows = aae + a4(S);
  if (p.length < rows) return "shorter than its counts";
  if (start >= S || (accept !== NONE && accept >= S) || (dead !== NONE && dead >= S)) return "start/accept/dead state out of range";
  for (let b = 0; b < 256; b++) if (p[REGEX_DFA_HEADER_SIZE + b]! >= K) return "class map entry out of range";
  for (let s = 0; s < S; s++) if (p[aae + s]! > 1) return "accept_at_end is not 0/1";
  for (let s = aae + S; s < rows; s++) if (p[s] !== 0) return "non-zero padding";
  const t = expandDfaRows(p, S, K, w, rows);
  return typeof t === "string" ? t : null;
}

/** One REGEX_NFA instruction as expanded from the packed stream (unused operands are 0). */
export interface NfaInsts {
  op: Uint8Array;
  arg: Uint32Array;
  out: Uint32Array;
  out1: Uint32Array;
}

/** Expands the packed REGEX_NFA instruction stream p[at, at + B) (format.ts) into N instructions, or returns why it
 *  is refused (unknown op, truncated stream, stream not ending exactly at B). Operand ranges are checked by the
 *  caller. */
export function expandNfaInsts(p: Uint8Array, N: number, W: number, B: number, at: number): NfaInsts | string {
  if (W !== 1 && W !== 2 && W !== 4) return "instruction width is not 1, 2 or 4";
  if (B < N || B > 9 * N || at + B > p.length) return "instruction stream out of range"; // 1 ..= 9 bytes each
  const r: NfaInsts = { op: new Uint8Array(N), arg: new Uint32Array(N), out: new Uint32Array(N), out1: new Uint32Array(N) };
  const end = at + B;
  let o = at;
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const operand = (): number => {
    const x = W === 1 ? p[o]! : W === 2 ? v.getUint16(o, true) : v.getUint32(o, true);
    o += W;
    return x;
  };
  for (let i = 0; i < N; i++) {
    if (o >= end) return `instruction ${i}: stream ends early`;
    const op = p[o++]!;
    if (op >= REGEX_OP_COUNT) return `instruction ${i}: unknown op`;
    r.op[i] = op;
    const k = op === RegexOp.MATCH ? 0 : op === RegexOp.NOP ? 1 : 2;
    if (o + k * W > end) return `instruction ${i}: stream ends early`;
    if (op === RegexOp.SPLIT) (r.out[i] = operand()), (r.out1[i] = operand());
    else if (op === RegexOp.NOP) r.out[i] = operand();
    else if (op !== RegexOp.MATCH) (r.arg[i] = operand()), (r.out[i] = operand());
  }
  if (o !== end) return "instruction stream longer than its instructions";
  return r;
}

export function validateNfaPayload(p: Uint8Array, capture: boolean): string | null {
  if (p.length < REGEX_NFA_HEADER_SIZE) return "shorter than its fixed header";
  const u = cells(p);
  const N = u(0), sets = u(4), looks = u(8), seqs = u(12), elems = u(16), start = u(20), slots = u(24), mask = u(28);
  const W = u(32), B = u(36);
  if (N < 1 || N > MAX_NFA_INSTS || sets > MAX_NFA_INSTS || looks > MAX_NFA_INSTS || seqs > MAX_NFA_INSTS || elems > MAX_NFA_INSTS) return "counts out of range";
  if (B < N || B > 9 * N) return "instruction stream out of range";
  const setsAt = REGEX_NFA_HEADER_SIZE + a4(B);
  if (p.length !== setsAt + 32 * sets + 16 * looks + 8 * seqs + 4 * elems) return "size does not match counts";
  if (start >= N) return "start out of range";
  if (slots > MAX_CAPTURE_SLOTS || (slots & 1) !== 0 || (!capture && slots !== 0)) return "slot count out of range";
  if (mask >>> REGEX_ASSERT_COUNT !== 0) return "unknown assertion bits";
  const ins = expandNfaInsts(p, N, W, B, REGEX_NFA_HEADER_SIZE);
  if (typeof ins === "string") return ins;
  for (let i = REGEX_NFA_HEADER_SIZE + B; i < setsAt; i++) if (p[i] !== 0) return "non-zero padding";
  for (let i = 0; i < N; i++) {
    const op = ins.op[i]!, arg = ins.arg[i]!, out = ins.out[i]!, out1 = ins.out1[i]!;
    if (op !== RegexOp.MATCH && out >= N) return `instruction ${i}: out of range`;
    if (op === RegexOp.SPLIT && out1 >= N) return `instruction ${i}: out of range`;
    if (op === RegexOp.BYTE && arg >= sets) return `instruction ${i}: set out of range`;
    if (op === RegexOp.SAVE && (!capture || arg >= slots)) return `instruction ${i}: slot out of range`;
    if (op === RegexOp.ASSERT && (arg >= REGEX_ASSERT_COUNT || ((mask >>> arg) & 1) === 0)) return `instruction ${i}: assertion out of range`;
    if (op === RegexOp.LOOK && arg >= looks) return `instruction ${i}: look out of range`;
  }
  const lk = setsAt + 32 * sets;
  const sq = lk + 16 * looks;
  const el = sq + 8 * seqs;
  for (let i = 0; i < looks; i++) {
    const f = u(lk + 16 * i), maxLen = u(lk + 16 * i + 4), s0 = u(lk + 16 * i + 8), sn = u(lk + 16 * i + 12);
    if (f > 3 || s0 > seqs || sn > seqs - s0) return `look ${i}: out of range`;
    for (let q = s0; q < s0 + sn; q++) if (u(sq + 8 * q + 4) > maxLen) return `look ${i}: sequence longer than max_len`;
  }
  for (let q = 0; q < seqs; q++) {
    const e0 = u(sq + 8 * q), en = u(sq + 8 * q + 4);
    if (e0 > elems || en > elems - e0) return `sequence ${q}: out of range`;
  }
  for (let e = 0; e < elems; e++) if (u(el + 4 * e) >= sets) return `element ${e}: set out of range`;
  return null;
}

export function validateBacktrackPayload(p: Uint8Array): string | null {
  if (p.length < REGEX_BT_HEADER_SIZE) return "shorter than its fixed header";
  const u = cells(p);
  const N = u(0), sets = u(4), kids = u(8), root = u(16);
  if (N < 1 || N > MAX_BT_NODES || sets > MAX_BT_NODES || kids > MAX_BT_NODES) return "counts out of range";
  if (u(20) !== 0) return "reserved field";
  if (p.length !== REGEX_BT_HEADER_SIZE + 16 * N + 32 * sets + 4 * kids) return "size does not match counts";
  if (root >= N) return "root out of range";
  const ch = REGEX_BT_HEADER_SIZE + 16 * N + 32 * sets;
  for (let i = 0; i < N; i++) {
    const o = REGEX_BT_HEADER_SIZE + 16 * i;
    const t = u(o) & 0xff, f = u(o) >>> 8, p1 = u(o + 4), p2 = u(o + 8), p3 = u(o + 12);
    if (t >= REGEX_NODE_COUNT || f > 31) return `node ${i}: unknown type`;
    switch (t) {
      case RegexNode.SET:
        if (p1 >= sets) return `node ${i}: set out of range`;
        break;
      case RegexNode.CONCAT:
      case RegexNode.ALT:
        if (p1 > kids || p2 > kids - p1) return `node ${i}: children out of range`;
        for (let k = p1; k < p1 + p2; k++) if (u(ch + 4 * k) >= i) return `node ${i}: child not before its parent`;
        break;
      case RegexNode.REPEAT:
        if (p3 >= i || (p2 !== NONE && p2 < p1)) return `node ${i}: bad repeat`;
        break;
      case RegexNode.GROUP:
        if (p2 >= i) return `node ${i}: child not before its parent`;
        break;
      case RegexNode.ASSERT:
        if (p1 >= REGEX_ASSERT_COUNT) return `node ${i}: assertion out of range`;
        break;
      case RegexNode.LOOK:
        if (p1 >= i) return `node ${i}: child not before its parent`;
        break;
      case RegexNode.BACKREF:
        if (p1 > u(12)) return `node ${i}: group out of range`;
        break;
    }
  }
  return null;
}

export function validateRegexMapPayload(p: Uint8Array): string | null {
  if (p.length < REGEX_MAP_HEADER_SIZE) return "shorter than its fixed header";
  const u = cells(p);
  const G = u(RegexMap.REGEX_COUNT), P = u(RegexMap.PHRASE_COUNT), L = u(RegexMap.LINK_COUNT), ac = u(RegexMap.AC_SECTION);
  if (G > MAX_RULES * 4 || P > 0x01000000 || L > 0x01000000) return "counts out of range";
  const ps = REGEX_MAP_HEADER_SIZE + 16 * G;
  const lk = ps + 4 * (P + 1);
  const atoms = lk + 4 * L;
  const req = atoms + REGEX_ATOM_MAP_SIZE;
  const pmAt = req + 8 * G;
  if (p.length < pmAt + 4) return "size does not match counts";
  const M = u(pmAt);
  if (M > MAX_FOLDED_PM || p.length !== pmAt + 4 + 4 * M) return "size does not match counts";
  if ((P === 0) !== (ac === NONE)) return "prefilter automaton and phrase count disagree";
  const pmSections = new Set<number>();
  for (let j = 0; j < M; j++) {
    const sec = u(pmAt + 4 + 4 * j);
    if (pmSections.has(sec)) return `folded @pm automaton ${j}: section ${sec} listed twice`;
    pmSections.add(sec);
  }
  const known = RegexFlags.HAS_FACTORS | RegexFlags.REQUIRED_BYTES | RegexFlags.WHOLE_VALUE;
  for (let g = 0; g < G; g++) {
    const f = u(REGEX_MAP_HEADER_SIZE + 16 * g + 8);
    if ((f & ~known) !== 0) return `regex ${g}: unknown flags`;
    // a pattern matching every value has no factor or byte every match needs, and no group
    if ((f & RegexFlags.WHOLE_VALUE) !== 0 && ((f & (RegexFlags.HAS_FACTORS | RegexFlags.REQUIRED_BYTES)) !== 0 || u(REGEX_MAP_HEADER_SIZE + 16 * g + 12) !== 0)) return `regex ${g}: whole-value regex with factors, required bytes or groups`;
  }
  for (let b = 0; b < REGEX_ATOM_MAP_SIZE; b++) if (p[atoms + b]! >= MAX_REQUIRED_ATOMS) return `byte ${b}: atom out of range`;
  for (let g = 0; g < G; g++) {
    const required = (u(REGEX_MAP_HEADER_SIZE + 16 * g + 8) & RegexFlags.REQUIRED_BYTES) !== 0;
    if (!required && (u(req + 8 * g) !== 0 || u(req + 8 * g + 4) !== 0)) return `regex ${g}: required atoms without the flag`;
  }
  if (u(ps) !== 0 || u(ps + 4 * P) !== L) return "phrase starts do not span the links";
  for (let i = 0; i < P; i++) if (u(ps + 4 * (i + 1)) < u(ps + 4 * i)) return "phrase starts decrease";
  const seen = new Uint8Array(G + M);
  for (let i = 0; i < L; i++) {
    const g = u(lk + 4 * i);
    if (g >= G + M) return `link ${i}: regex or folded @pm automaton out of range`;
    seen[g] = 1;
  }
  for (let g = 0; g < G; g++) if ((u(REGEX_MAP_HEADER_SIZE + 16 * g + 8) & RegexFlags.HAS_FACTORS) !== seen[g]) return `regex ${g}: factor flag and links disagree`;
  // a folded automaton is ruled out when none of its phrases occurred: it must have phrases in the prefilter
  for (let j = 0; j < M; j++) if (!seen[G + j]) return `folded @pm automaton ${j}: no prefilter phrase`;
  return null;
}

function fixedRecords(p: Uint8Array, header: number, recordCells: number): number | string {
  if (p.length < header) return "shorter than its fixed header";
  const n = cells(p)(0);
  if (n > 0x01000000) return "count out of range";
  if (cells(p)(4) !== 0) return "reserved field";
  if (p.length !== header + 4 * recordCells * n) return "size does not match counts";
  return n;
}

export function validateChainsPayload(p: Uint8Array): string | null {
  const n = fixedRecords(p, CHAINS_HEADER_SIZE, COND_CELLS);
  if (typeof n === "string") return n;
  const u = cells(p);
  for (let i = 0; i < n; i++) {
    const o = CHAINS_HEADER_SIZE + 4 * COND_CELLS * i;
    if (u(o + 4 * Cond.FLAGS) > 15) return `condition ${i}: unknown flags`;
    if (u(o + 4 * Cond.OP) >= OPERATOR_KIND_COUNT) return `condition ${i}: unknown operator`;
    const ak = u(o + 4 * Cond.ARG_KIND);
    if (ak >= ARG_KIND_COUNT) return `condition ${i}: unknown argument kind`;
    if (ak === ArgKind.NONE && u(o + 4 * Cond.ARG) !== 0) return `condition ${i}: unused argument`;
    if (!opAccepts(u(o + 4 * Cond.OP), ak)) return `condition ${i}: argument kind does not fit the operator`;
  }
  return null;
}

/** Which argument kinds each operator accepts. */
export function opAccepts(op: number, ak: number): boolean {
  switch (op) {
    case OperatorKind.RX:
    case OperatorKind.RX_GLOBAL:
      return ak === ArgKind.REGEX || ak === ArgKind.REGEX_VARIANTS;
    case OperatorKind.VERIFY_CC:
    case OperatorKind.VERIFY_CPF:
    case OperatorKind.VERIFY_SSN:
    case OperatorKind.VERIFY_SVNR:
      return ak === ArgKind.REGEX;
    case OperatorKind.PM:
    case OperatorKind.PM_FROM_FILE:
      return ak === ArgKind.AC;
    case OperatorKind.IP_MATCH:
    case OperatorKind.IP_MATCH_FROM_FILE:
      return ak === ArgKind.IP;
    case OperatorKind.EQ:
    case OperatorKind.GE:
    case OperatorKind.GT:
    case OperatorKind.LE:
    case OperatorKind.LT:
      return ak === ArgKind.NUMBER || ak === ArgKind.MACRO;
    case OperatorKind.STREQ:
    case OperatorKind.CONTAINS:
    case OperatorKind.CONTAINS_WORD:
    case OperatorKind.BEGINS_WITH:
    case OperatorKind.ENDS_WITH:
    case OperatorKind.WITHIN:
      return ak === ArgKind.STRING || ak === ArgKind.MACRO;
    case OperatorKind.STRMATCH:
    case OperatorKind.RBL:
      return ak === ArgKind.STRING;
    case OperatorKind.VALIDATE_BYTE_RANGE:
      return ak === ArgKind.BYTES;
    default:
      return ak === ArgKind.NONE;
  }
}

export function validateTargetsPayload(p: Uint8Array): string | null {
  const n = fixedRecords(p, TARGETS_HEADER_SIZE, TARGET_CELLS);
  if (typeof n === "string") return n;
  const u = cells(p);
  for (let i = 0; i < n; i++) {
    const o = TARGETS_HEADER_SIZE + 4 * TARGET_CELLS * i;
    if (u(o + 4 * Target.VARIABLE) >= VARIABLE_COUNT) return `target ${i}: unknown variable`;
    const f = u(o + 4 * Target.FLAGS);
    if ((f & ~(TARGET_FLAGS_MASK | (3 << TARGET_SELECTOR_SHIFT))) !== 0) return `target ${i}: unknown flags`;
    if (f >>> TARGET_SELECTOR_SHIFT === TargetSelector.NONE && u(o + 4 * Target.SELECTOR) !== 0) return `target ${i}: unused selector`;
  }
  return null;
}

export function validatePipelinesPayload(p: Uint8Array): string | null {
  if (p.length < PIPELINES_HEADER_SIZE) return "shorter than its fixed header";
  const u = cells(p);
  const P = u(Pipelines.PIPELINE_COUNT), I = u(Pipelines.ID_COUNT);
  if (P > 0x01000000 || I > 0x01000000) return "counts out of range";
  if (p.length !== PIPELINES_HEADER_SIZE + 4 * (P + 1) + 4 * I) return "size does not match counts";
  const st = Pipelines.STARTS;
  if (u(st) !== 0 || u(st + 4 * P) !== I) return "starts do not span the ids";
  for (let i = 0; i < P; i++) if (u(st + 4 * (i + 1)) < u(st + 4 * i)) return "starts decrease";
  const ids = st + 4 * (P + 1);
  for (let i = 0; i < I; i++) {
    const t = u(ids + 4 * i);
    if (t === 0 || t >= TRANSFORM_COUNT) return `transformation id ${t} out of range`;
  }
  return null;
}

export function validateActionsPayload(p: Uint8Array): string | null {
  if (p.length < ACTIONS_HEADER_SIZE) return "shorter than its fixed header";
  const u = cells(p);
  const A = u(Actions.ACTION_COUNT), M = u(Actions.MACRO_COUNT), P = u(Actions.PART_COUNT), L = u(Actions.LIST_COUNT);
  if (A > 0x01000000 || M > 0x01000000 || P > 0x01000000 || L > 0x01000000) return "counts out of range";
  if (p.length !== ACTIONS_HEADER_SIZE + 4 * (ACTION_CELLS * A + MACRO_CELLS * M + PART_CELLS * P + L)) return "size does not match counts";
  const mo = ACTIONS_HEADER_SIZE + 4 * ACTION_CELLS * A;
  const po = mo + 4 * MACRO_CELLS * M;
  for (let i = 0; i < A; i++) {
    const o = ACTIONS_HEADER_SIZE + 4 * ACTION_CELLS * i;
    const k = u(o);
    if (k >= ACTION_KIND_COUNT) return `action ${i}: unknown kind`;
    const a = u(o + 4), b = u(o + 8), c = u(o + 12), d = u(o + 16), e = u(o + 20);
    const macro = (m: number) => m < M;
    switch (k) {
      case ActionKind.SETVAR:
        if (a >= VARIABLE_COUNT || b >= SETVAR_OP_COUNT || !macro(c) || !macro(d)) return `action ${i}: setvar out of range`;
        break;
      case ActionKind.CTL:
        if (a >= CTL_OPTION_COUNT) return `action ${i}: unknown ctl option`;
        if (d > L || 2 * e > L - d) return `action ${i}: id ranges out of range`;
        break;
      case ActionKind.INITCOL:
        if (a >= VARIABLE_COUNT || !macro(b)) return `action ${i}: initcol out of range`;
        break;
      case ActionKind.EXPIREVAR:
        if (a >= VARIABLE_COUNT || !macro(b) || !macro(c)) return `action ${i}: expirevar out of range`;
        break;
      case ActionKind.SETENV:
        if (!macro(b) || !macro(c)) return `action ${i}: setenv out of range`;
        break;
      case ActionKind.SETUID:
      case ActionKind.SETSID:
      case ActionKind.SETRSC:
        if (!macro(b)) return `action ${i}: macro out of range`;
        break;
    }
  }
  for (let i = 0; i < M; i++) {
    const s = u(mo + 8 * i), n = u(mo + 8 * i + 4);
    if (s > P || n > P - s) return `macro ${i}: parts out of range`;
  }
  for (let i = 0; i < P; i++) {
    const k = u(po + 12 * i), a = u(po + 12 * i + 4), b = u(po + 12 * i + 8);
    if (k === MacroPartKind.TEXT) {
      if (b !== 0) return `part ${i}: unused field`;
    } else if (k === MacroPartKind.REF) {
      if (a >= VARIABLE_COUNT) return `part ${i}: unknown variable`;
    } else return `part ${i}: unknown kind`;
  }
  return null;
}

export function validateSettingsPayload(p: Uint8Array): string | null {
  const n = fixedRecords(p, SETTINGS_HEADER_SIZE, SETTING_CELLS);
  if (typeof n === "string") return n;
  const u = cells(p);
  for (let i = 0; i < n; i++) {
    const o = SETTINGS_HEADER_SIZE + 12 * i;
    if (u(o) >= SETTING_COUNT || u(o + 4) > SettingValue.STRING) return `setting ${i}: unknown key or value kind`;
  }
  return null;
}

export function validateRulesPayload(p: Uint8Array): string | null {
  if (p.length < RULES_HEADER_SIZE) return "shorter than its fixed header";
  const u = cells(p);
  const R = u(Rules.RULE_COUNT), M = u(Rules.MARKER_COUNT);
  if (R > MAX_RULES || M > MAX_RULES) return "counts out of range";
  if (u(Rules.FLAGS) !== 0) return "unknown flags";
  if (p.length !== RULES_HEADER_SIZE + 4 * (RULE_CELLS * R + MARKER_CELLS * M)) return "size does not match counts";
  const ps = (i: number) => u(Rules.PHASE_START + 4 * i);
  if (ps(0) !== 0 || ps(PHASE_COUNT) !== R) return "phase ranges do not span the rules";
  for (let i = 0; i < PHASE_COUNT; i++) if (ps(i + 1) < ps(i)) return "phase ranges decrease";
  let nextCond = 0;
  for (let ph = 1; ph <= PHASE_COUNT; ph++) {
    const end = ps(ph);
    for (let i = ps(ph - 1); i < end; i++) {
      const o = RULES_HEADER_SIZE + 4 * RULE_CELLS * i;
      const f = (k: number) => u(o + 4 * k);
      if (f(Rule.PHASE) !== ph) return `rule ${i}: phase does not match its range`;
      if (f(Rule.FLAGS) > 63) return `rule ${i}: unknown flags`;
      if (f(Rule.COND_START) !== nextCond || f(Rule.COND_COUNT) < 1 || f(Rule.COND_COUNT) > 0x10000) return `rule ${i}: condition range`;
      if ((f(Rule.COND_COUNT) > 1) !== ((f(Rule.FLAGS) & RuleFlags.CHAIN) !== 0)) return `rule ${i}: chain flag`;
      nextCond += f(Rule.COND_COUNT);
      if (f(Rule.DISRUPTIVE) >= DISRUPTIVE_COUNT) return `rule ${i}: unknown disruptive action`;
      if (f(Rule.SEVERITY) !== NONE && f(Rule.SEVERITY) > 7) return `rule ${i}: severity out of range`;
      const sa = f(Rule.SKIP_AFTER);
      if (sa !== NONE && (sa <= i || sa > end)) return `rule ${i}: skipAfter position out of its phase`;
      if (f(Rule.ORDER) >= R) return `rule ${i}: order out of range`;
    }
  }
  for (let m = 0; m < M; m++) {
    const o = RULES_HEADER_SIZE + 4 * RULE_CELLS * R + 4 * MARKER_CELLS * m;
    for (let ph = 1; ph <= PHASE_COUNT; ph++) {
      const pos = u(o + 4 * ph);
      if (pos < ps(ph - 1) || pos > ps(ph)) return `marker ${m}: position out of its phase`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Cross-section checks.

export interface SectionRef {
  kind: number;
  payload: Uint8Array;
}

export function validateProgram(sections: readonly SectionRef[]): { section: number; message: string } | null {
  let rulesAt = -1;
  for (let i = 0; i < sections.length; i++) {
    if (sections[i]!.kind !== SectionKind.RULES) continue;
    if (rulesAt >= 0) return { section: i, message: "more than one RULES section" };
    rulesAt = i;
  }
  // Regex map references are checked even without a program (a map is only ever written with one, but be strict).
  for (let i = 0; i < sections.length; i++) {
    if (sections[i]!.kind !== SectionKind.REGEX_PREFILTER_MAP) continue;
    const e = checkRegexMap(sections, sections[i]!.payload);
    if (e) return { section: i, message: e };
  }
  if (rulesAt < 0) return null;
  const e = checkProgram(sections, sections[rulesAt]!.payload);
  return e ? { section: rulesAt, message: e } : null;
}

const kindAt = (s: readonly SectionRef[], i: number) => (i < s.length ? s[i]!.kind : -1);

function checkRegexMap(s: readonly SectionRef[], p: Uint8Array): string | null {
  const u = cells(p);
  const G = u(RegexMap.REGEX_COUNT), P = u(RegexMap.PHRASE_COUNT), ac = u(RegexMap.AC_SECTION);
  if (ac !== NONE) {
    if (kindAt(s, ac) !== SectionKind.REGEX_PREFILTER_AC) return "prefilter section is not a REGEX_PREFILTER_AC";
    if (cells(s[ac]!.payload)(Ac.PHRASE_COUNT) !== P) return "phrase count differs from the prefilter automaton's";
  }
  const pmAt = REGEX_MAP_HEADER_SIZE + 16 * G + 4 * (P + 1) + 4 * u(RegexMap.LINK_COUNT) + REGEX_ATOM_MAP_SIZE + 8 * G;
  for (let j = 0, M = u(pmAt); j < M; j++) {
    if (kindAt(s, u(pmAt + 4 + 4 * j)) !== SectionKind.AHO_CORASICK) return `folded @pm automaton ${j}: section is not an AHO_CORASICK`;
  }
  for (let g = 0; g < G; g++) {
    const o = REGEX_MAP_HEADER_SIZE + 16 * g;
    const mk = kindAt(s, u(o)), ck = u(o + 4) === NONE ? -2 : kindAt(s, u(o + 4));
    if (mk !== SectionKind.REGEX_DFA && mk !== SectionKind.REGEX_NFA && mk !== SectionKind.REGEX_BACKTRACK) return `regex ${g}: match section is not a regex automaton`;
    if (ck !== -2 && ck !== SectionKind.REGEX_CAPTURE && ck !== SectionKind.REGEX_BACKTRACK) return `regex ${g}: capture section is not a capture program`;
  }
  return null;
}

function checkProgram(s: readonly SectionRef[], p: Uint8Array): string | null {
  const u = cells(p);
  const want = (off: number, kind: SectionKind, name: string) => (kindAt(s, u(off)) === kind ? null : `${name} section reference is not a ${name} section`);
  const bad =
    want(Rules.STRINGS_SECTION, SectionKind.STRINGS, "STRINGS") ??
    want(Rules.CHAINS_SECTION, SectionKind.CHAINS, "CHAINS") ??
    want(Rules.TARGETS_SECTION, SectionKind.TARGETS, "TARGETS") ??
    want(Rules.TRANSFORMS_SECTION, SectionKind.TRANSFORMATIONS, "TRANSFORMATIONS") ??
    want(Rules.ACTIONS_SECTION, SectionKind.ACTIONS, "ACTIONS") ??
    want(Rules.SETTINGS_SECTION, SectionKind.METADATA, "METADATA");
  if (bad) return bad;
  const mapRef = u(Rules.REGEX_MAP_SECTION);
  if (mapRef !== NONE && kindAt(s, mapRef) !== SectionKind.REGEX_PREFILTER_MAP) return "regex map reference is not a REGEX_PREFILTER_MAP section";
  const S = cells(s[u(Rules.STRINGS_SECTION)]!.payload)(StringPool.COUNT);
  const chains = cells(s[u(Rules.CHAINS_SECTION)]!.payload);
  const C = chains(Chains.COND_COUNT);
  const T = cells(s[u(Rules.TARGETS_SECTION)]!.payload)(0);
  const P = cells(s[u(Rules.TRANSFORMS_SECTION)]!.payload)(Pipelines.PIPELINE_COUNT);
  const actions = cells(s[u(Rules.ACTIONS_SECTION)]!.payload);
  const A = actions(Actions.ACTION_COUNT), M = actions(Actions.MACRO_COUNT), PT = actions(Actions.PART_COUNT), L = actions(Actions.LIST_COUNT);
  const G = mapRef === NONE ? 0 : cells(s[mapRef]!.payload)(RegexMap.REGEX_COUNT);
  const R = u(Rules.RULE_COUNT), MK = u(Rules.MARKER_COUNT);
  const str = (x: number) => x < S;
  const optStr = (x: number) => x === NONE || x < S;
  const optMacro = (x: number) => x === NONE || x < M;
  const range = (start: number, n: number, total: number) => start <= total && n <= total - start;

  // rules
  let condTotal = 0;
  for (let i = 0; i < R; i++) {
    const o = RULES_HEADER_SIZE + 4 * RULE_CELLS * i;
    const f = (k: number) => u(o + 4 * k);
    condTotal = f(Rule.COND_START) + f(Rule.COND_COUNT);
    if (!optMacro(f(Rule.DISRUPTIVE_ARG)) || !optMacro(f(Rule.MSG)) || !optMacro(f(Rule.LOGDATA))) return `rule ${i}: macro out of range`;
    if (!range(f(Rule.TAG_START), f(Rule.TAG_COUNT), L)) return `rule ${i}: tags out of range`;
    const lo = ACTIONS_HEADER_SIZE + 4 * (ACTION_CELLS * A + MACRO_CELLS * M + PART_CELLS * PT);
    for (let t = f(Rule.TAG_START); t < f(Rule.TAG_START) + f(Rule.TAG_COUNT); t++) if (actions(lo + 4 * t) >= M) return `rule ${i}: tag macro out of range`;
    if (!range(f(Rule.ACTION_START), f(Rule.ACTION_COUNT), A)) return `rule ${i}: actions out of range`;
    if (!optStr(f(Rule.VER)) || !optStr(f(Rule.REV)) || !str(f(Rule.FILE))) return `rule ${i}: string out of range`;
    for (let c = f(Rule.COND_START); c < f(Rule.COND_START) + f(Rule.COND_COUNT); c++) {
      if (c >= C) return `rule ${i}: conditions out of range`;
      const co = CHAINS_HEADER_SIZE + 4 * COND_CELLS * c;
      const g = (k: number) => chains(co + 4 * k);
      if (g(Cond.RULE) !== i) return `condition ${c}: owner is not rule ${i}`;
      if (((g(Cond.FLAGS) & CondFlags.LINK) !== 0) !== (c !== f(Rule.COND_START))) return `condition ${c}: link flag`;
      if (g(Cond.TARGET_COUNT) === 0 && (f(Rule.FLAGS) & RuleFlags.SEC_ACTION) === 0) return `condition ${c}: no target`;
    }
  }
  if (condTotal !== C) return "conditions are not all owned by rules";
  // conditions
  for (let c = 0; c < C; c++) {
    const co = CHAINS_HEADER_SIZE + 4 * COND_CELLS * c;
    const g = (k: number) => chains(co + 4 * k);
    const ak = g(Cond.ARG_KIND), arg = g(Cond.ARG);
    if (ak === ArgKind.STRING && !str(arg)) return `condition ${c}: string out of range`;
    if (ak === ArgKind.MACRO && arg >= M) return `condition ${c}: macro out of range`;
    if (ak === ArgKind.AC && kindAt(s, arg) !== SectionKind.AHO_CORASICK) return `condition ${c}: not an AHO_CORASICK section`;
    if (ak === ArgKind.IP && kindAt(s, arg) !== SectionKind.IP_SET) return `condition ${c}: not an IP_SET section`;
    if (ak === ArgKind.REGEX && arg >= G) return `condition ${c}: regex out of range`;
    if (ak === ArgKind.BYTES && !range(arg, 8, L)) return `condition ${c}: byte set out of range`;
    if (ak === ArgKind.REGEX_VARIANTS) {
      // [macro id, n, (string id, regex index) × n] in the list pool
      if (!range(arg, 2, L)) return `condition ${c}: regex variants out of range`;
      const listAt = ACTIONS_HEADER_SIZE + 4 * (ACTION_CELLS * A + MACRO_CELLS * M + PART_CELLS * PT);
      const li = (k: number) => actions(listAt + 4 * k);
      const n = li(arg + 1);
      if (li(arg) >= M || n === 0 || !range(arg + 2, 2 * n, L)) return `condition ${c}: regex variants out of range`;
      for (let k = 0; k < n; k++) if (!str(li(arg + 2 + 2 * k)) || li(arg + 3 + 2 * k) >= G) return `condition ${c}: regex variant out of range`;
    }
    if (!str(g(Cond.OP_TEXT))) return `condition ${c}: string out of range`;
    if (!range(g(Cond.TARGET_START), g(Cond.TARGET_COUNT), T)) return `condition ${c}: targets out of range`;
    if (g(Cond.PIPELINE) >= P) return `condition ${c}: pipeline out of range`;
    if (!range(g(Cond.ACTION_START), g(Cond.ACTION_COUNT), A)) return `condition ${c}: actions out of range`;
  }
  // targets
  const targets = cells(s[u(Rules.TARGETS_SECTION)]!.payload);
  for (let t = 0; t < T; t++) {
    const o = TARGETS_HEADER_SIZE + 4 * TARGET_CELLS * t;
    const sk = targets(o + 4 * Target.FLAGS) >>> TARGET_SELECTOR_SHIFT, sel = targets(o + 4 * Target.SELECTOR);
    if ((sk === TargetSelector.KEY || sk === TargetSelector.XPATH) && !str(sel)) return `target ${t}: string out of range`;
    if (sk === TargetSelector.REGEX && sel >= G) return `target ${t}: regex out of range`;
    if (!str(targets(o + 4 * Target.RAW))) return `target ${t}: string out of range`;
  }
  // actions, macro parts
  for (let i = 0; i < A; i++) {
    const o = ACTIONS_HEADER_SIZE + 4 * ACTION_CELLS * i;
    const k = actions(o), a = actions(o + 4), b = actions(o + 8), c = actions(o + 12), f = actions(o + 24), g = actions(o + 28);
    if (k === ActionKind.CTL) {
      if (!str(b)) return `action ${i}: string out of range`;
      const needsString = a === CtlOption.AUDIT_LOG_PARTS || a === CtlOption.RULE_REMOVE_BY_MSG || a === CtlOption.RULE_REMOVE_BY_TAG || a === CtlOption.RULE_REMOVE_TARGET_BY_MSG || a === CtlOption.RULE_REMOVE_TARGET_BY_TAG;
      if (needsString && !str(c)) return `action ${i}: string out of range`;
      if (!range(f, g, T)) return `action ${i}: targets out of range`;
    } else if (k >= ActionKind.XMLNS && k !== ActionKind.SANITISE_MATCHED && !optStr(b)) return `action ${i}: string out of range`;
  }
  const po = ACTIONS_HEADER_SIZE + 4 * (ACTION_CELLS * A + MACRO_CELLS * M);
  for (let i = 0; i < PT; i++) {
    const k = actions(po + 12 * i), a = actions(po + 12 * i + 4), b = actions(po + 12 * i + 8);
    if (k === MacroPartKind.TEXT ? !str(a) : !optStr(b)) return `part ${i}: string out of range`;
  }
  // markers, settings
  for (let m = 0; m < MK; m++) if (!str(u(RULES_HEADER_SIZE + 4 * RULE_CELLS * R + 4 * MARKER_CELLS * m))) return `marker ${m}: string out of range`;
  const settings = cells(s[u(Rules.SETTINGS_SECTION)]!.payload);
  for (let i = 0; i < settings(0); i++) {
    const o = SETTINGS_HEADER_SIZE + 12 * i;
    if (settings(o + 4) === SettingValue.STRING && !str(settings(o + 8))) return `setting ${i}: string out of range`;
  }
  return null;
}
