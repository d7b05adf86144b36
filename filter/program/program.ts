// The rule program, decoded once at load time from a validated table (filter/tables/reader.ts loadTable) into flat
// typed arrays the engine walks: per-phase rule ranges, rule records, conditions, targets, pipelines, actions, macro
// parts, the list pool, settings and the regex directory — all cells as laid out in rulesets/tables/format.ts, with
// every cross-reference already checked by the loader (filter/program/validate.ts), so accessors do no bounds checks
// beyond the typed arrays' own. The TS decoder (rulesets/compiler/decode.ts) builds the same arrays and the same
// digest; the tests compare them on the full CRS.
import {
  ACTION_CELLS, ACTIONS_HEADER_SIZE, Actions, CHAINS_HEADER_SIZE, COND_CELLS, Cond, MACRO_CELLS, MARKER_CELLS,
  PART_CELLS, PHASE_COUNT, PIPELINES_HEADER_SIZE, Pipelines, REF_NONE, REGEX_MAP_HEADER_SIZE, REGEX_RECORD_CELLS,
  RULES_HEADER_SIZE, RULE_CELLS, RegexMap, Rule, Rules, SETTINGS_HEADER_SIZE, SETTING_CELLS, SectionKind,
  TARGETS_HEADER_SIZE, TARGET_CELLS,
} from "../../rulesets/tables/format";
import { StringTable, Table } from "../tables/reader";
import { View } from "../tables/view";

function cells(v: View, off: u32, n: u32): Uint32Array {
  const out = new Uint32Array(<i32>n);
  for (let i: u32 = 0; i < n; i++) unchecked(out[<i32>i] = v.u32(off + 4 * i));
  return out;
}

export class Program {
  /** Rules of phase p (1..5) are [phaseStart[p-1], phaseStart[p]). */
  phaseStart: Uint32Array = new Uint32Array(0);
  /** RULE_CELLS per rule (Rule). */
  rules: Uint32Array = new Uint32Array(0);
  /** MARKER_CELLS per marker. */
  markers: Uint32Array = new Uint32Array(0);
  /** COND_CELLS per condition (Cond). */
  conds: Uint32Array = new Uint32Array(0);
  /** TARGET_CELLS per target (Target). */
  targets: Uint32Array = new Uint32Array(0);
  pipelineStarts: Uint32Array = new Uint32Array(0);
  pipelineIds: Uint32Array = new Uint32Array(0);
  /** ACTION_CELLS per action. */
  actions: Uint32Array = new Uint32Array(0);
  /** MACRO_CELLS per macro: [part_start, part_count]. */
  macros: Uint32Array = new Uint32Array(0);
  /** PART_CELLS per part: [kind, a, b]. */
  parts: Uint32Array = new Uint32Array(0);
  list: Uint32Array = new Uint32Array(0);
  /** SETTING_CELLS per entry: [key, value_kind, value]. */
  settings: Uint32Array = new Uint32Array(0);
  /** REGEX_RECORD_CELLS per regex: [match_section, capture_section, flags, groups]. */
  regexes: Uint32Array = new Uint32Array(0);
  /** Section index of the prefilter automaton, or REF_NONE. */
  prefilterSection: u32 = <u32>REF_NONE;
  strings: StringTable | null = null;

  get ruleCount(): i32 { return this.rules.length / RULE_CELLS; }
  get condCount(): i32 { return this.conds.length / COND_CELLS; }
  get targetCount(): i32 { return this.targets.length / TARGET_CELLS; }
  get pipelineCount(): i32 { return this.pipelineStarts.length - 1; }
  get actionCount(): i32 { return this.actions.length / ACTION_CELLS; }
  get macroCount(): i32 { return this.macros.length / MACRO_CELLS; }
  get markerCount(): i32 { return this.markers.length / MARKER_CELLS; }
  get regexCount(): i32 { return this.regexes.length / REGEX_RECORD_CELLS; }

  phaseBegin(phase: i32): u32 { return this.phaseStart[phase - 1]; }
  phaseEnd(phase: i32): u32 { return this.phaseStart[phase]; }
  rule(i: i32, field: i32): u32 { return this.rules[i * RULE_CELLS + field]; }
  cond(i: i32, field: i32): u32 { return this.conds[i * COND_CELLS + field]; }
  target(i: i32, field: i32): u32 { return this.targets[i * TARGET_CELLS + field]; }
  ruleId(i: i32): u32 { return this.rule(i, Rule.ID); }
  condOp(i: i32): u32 { return this.cond(i, Cond.OP); }

  /** FNV-1a over each array's length and cells (little-endian bytes), in the order of
   *  rulesets/compiler/decode.ts PROGRAM_ARRAY_ORDER. */
  digest(): u32 {
    let h: u32 = 0x811c9dc5;
    h = fnvArray(h, this.phaseStart);
    h = fnvArray(h, this.rules);
    h = fnvArray(h, this.markers);
    h = fnvArray(h, this.conds);
    h = fnvArray(h, this.targets);
    h = fnvArray(h, this.pipelineStarts);
    h = fnvArray(h, this.pipelineIds);
    h = fnvArray(h, this.actions);
    h = fnvArray(h, this.macros);
    h = fnvArray(h, this.parts);
    h = fnvArray(h, this.list);
    h = fnvArray(h, this.settings);
    h = fnvArray(h, this.regexes);
    return h;
  }
}

function fnvWord(h: u32, w: u32): u32 {
  for (let k: u32 = 0; k < 4; k++) {
    h ^= (w >>> (8 * k)) & 0xff;
    h *= 0x01000193;
  }
  return h;
}

function fnvArray(h: u32, a: Uint32Array): u32 {
  h = fnvWord(h, <u32>a.length);
  for (let i = 0; i < a.length; i++) h = fnvWord(h, unchecked(a[i]));
  return h;
}

/** Decodes the program of a loaded (hence validated) table; null when it has no RULES section. */
export function decodeProgram(t: Table): Program | null {
  let rs: View | null = null;
  for (let i = 0; i < t.sectionCount; i++) {
    const s = t.section(i)!;
    if (s.kind == SectionKind.RULES) rs = s.view;
  }
  if (rs === null) return null;
  const v = rs;
  const p = new Program();
  const R = v.u32(Rules.RULE_COUNT), M = v.u32(Rules.MARKER_COUNT);
  p.phaseStart = cells(v, Rules.PHASE_START, <u32>PHASE_COUNT + 1);
  p.rules = cells(v, RULES_HEADER_SIZE, <u32>RULE_CELLS * R);
  p.markers = cells(v, <u32>RULES_HEADER_SIZE + 4 * <u32>RULE_CELLS * R, <u32>MARKER_CELLS * M);
  const chains = t.section(<i32>v.u32(Rules.CHAINS_SECTION))!.view;
  p.conds = cells(chains, CHAINS_HEADER_SIZE, <u32>COND_CELLS * chains.u32(0));
  const targets = t.section(<i32>v.u32(Rules.TARGETS_SECTION))!.view;
  p.targets = cells(targets, TARGETS_HEADER_SIZE, <u32>TARGET_CELLS * targets.u32(0));
  const tr = t.section(<i32>v.u32(Rules.TRANSFORMS_SECTION))!.view;
  const P = tr.u32(Pipelines.PIPELINE_COUNT), I = tr.u32(Pipelines.ID_COUNT);
  p.pipelineStarts = cells(tr, PIPELINES_HEADER_SIZE, P + 1);
  p.pipelineIds = cells(tr, <u32>PIPELINES_HEADER_SIZE + 4 * (P + 1), I);
  const ac = t.section(<i32>v.u32(Rules.ACTIONS_SECTION))!.view;
  const A = ac.u32(Actions.ACTION_COUNT), MC = ac.u32(Actions.MACRO_COUNT), PT = ac.u32(Actions.PART_COUNT), L = ac.u32(Actions.LIST_COUNT);
  let o = <u32>ACTIONS_HEADER_SIZE;
  p.actions = cells(ac, o, <u32>ACTION_CELLS * A);
  o += 4 * <u32>ACTION_CELLS * A;
  p.macros = cells(ac, o, <u32>MACRO_CELLS * MC);
  o += 4 * <u32>MACRO_CELLS * MC;
  p.parts = cells(ac, o, <u32>PART_CELLS * PT);
  o += 4 * <u32>PART_CELLS * PT;
  p.list = cells(ac, o, L);
  const st = t.section(<i32>v.u32(Rules.SETTINGS_SECTION))!.view;
  p.settings = cells(st, SETTINGS_HEADER_SIZE, <u32>SETTING_CELLS * st.u32(0));
  const mapRef = v.u32(Rules.REGEX_MAP_SECTION);
  if (mapRef != <u32>REF_NONE) {
    const mp = t.section(<i32>mapRef)!.view;
    p.regexes = cells(mp, REGEX_MAP_HEADER_SIZE, <u32>REGEX_RECORD_CELLS * mp.u32(RegexMap.REGEX_COUNT));
    p.prefilterSection = mp.u32(RegexMap.AC_SECTION);
  }
  p.strings = t.section(<i32>v.u32(Rules.STRINGS_SECTION))!.strings;
  return p;
}
