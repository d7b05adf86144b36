// TS decoder of the rule program (tooling and tests). It turns a loaded table's program sections into the same flat
// u32 arrays the filter's decoder (filter/program/program.ts) builds, computes the same digest over them, and
// expands them into readable rules (names, not ids) that the tests compare with the IR rule by rule.
import { readTable, poolString, type Table } from "../tables/reader";
import {
  ACTION_CELLS,
  ACTIONS_HEADER_SIZE,
  ActionKind,
  ArgKind,
  CHAINS_HEADER_SIZE,
  COND_CELLS,
  Cond,
  CondFlags,
  MACRO_CELLS,
  MARKER_CELLS,
  MacroPartKind,
  PART_CELLS,
  PHASE_COUNT,
  PIPELINES_HEADER_SIZE,
  REF_NONE,
  REGEX_MAP_HEADER_SIZE,
  REGEX_RECORD_CELLS,
  RULES_HEADER_SIZE,
  RULE_CELLS,
  RegexMap,
  Rule,
  RuleFlags,
  Rules,
  SETTINGS_HEADER_SIZE,
  SETTING_CELLS,
  TARGETS_HEADER_SIZE,
  TARGET_CELLS,
  TARGET_FLAGS_MASK,
  TARGET_SELECTOR_SHIFT,
  Target,
  TargetFlags,
  TargetSelector,
} from "../tables/format";
import { ACTION_NAME, CTL_NAME, DISRUPTIVE_NAME, OPERATOR_NAME, TRANSFORM_NAME, VARIABLE_NAME } from "./ids";

/** The program as flat arrays: exactly what filter/program decodes (the digest covers these, in this order). */
export interface ProgramArrays {
  phaseStart: Uint32Array;
  rules: Uint32Array;
  markers: Uint32Array;
  conds: Uint32Array;
  targets: Uint32Array;
  pipelineStarts: Uint32Array;
  pipelineIds: Uint32Array;
  actions: Uint32Array;
  macros: Uint32Array;
  parts: Uint32Array;
  list: Uint32Array;
  settings: Uint32Array;
  regexes: Uint32Array;
}
export const PROGRAM_ARRAY_ORDER: (keyof ProgramArrays)[] = [
  "phaseStart", "rules", "markers", "conds", "targets", "pipelineStarts", "pipelineIds", "actions", "macros", "parts", "list", "settings", "regexes",
];

function u32s(p: Uint8Array, off: number, n: number): Uint32Array {
  const out = new Uint32Array(n);
  const v = new DataView(p.buffer, p.byteOffset, p.byteLength);
  for (let i = 0; i < n; i++) out[i] = v.getUint32(off + 4 * i, true);
  return out;
}

export interface ProgramSections {
  strings: Uint8Array;
  arrays: ProgramArrays;
}

/** Extracts the program arrays of a (validated) table; null when it has no RULES section. */
export function programArrays(t: Table): ProgramSections | null {
  const rs = t.sections.find((s) => s.kind === 48);
  if (!rs) return null;
  const p = rs.payload;
  const h = u32s(p, 0, RULES_HEADER_SIZE / 4);
  const R = h[Rules.RULE_COUNT / 4]!, M = h[Rules.MARKER_COUNT / 4]!;
  const sec = (off: number) => t.sections[h[off / 4]!]!.payload;
  const chains = sec(Rules.CHAINS_SECTION);
  const targets = sec(Rules.TARGETS_SECTION);
  const tr = sec(Rules.TRANSFORMS_SECTION);
  const ac = sec(Rules.ACTIONS_SECTION);
  const st = sec(Rules.SETTINGS_SECTION);
  const C = u32s(chains, 0, 1)[0]!;
  const T = u32s(targets, 0, 1)[0]!;
  const [P, I] = u32s(tr, 0, 2) as unknown as [number, number];
  const [A, MC, PT, L] = u32s(ac, 0, 4) as unknown as [number, number, number, number];
  const N = u32s(st, 0, 1)[0]!;
  const mapRef = h[Rules.REGEX_MAP_SECTION / 4]!;
  let regexes: Uint32Array = new Uint32Array(0);
  if (mapRef !== REF_NONE) {
    const mp = t.sections[mapRef]!.payload;
    regexes = u32s(mp, REGEX_MAP_HEADER_SIZE, REGEX_RECORD_CELLS * u32s(mp, RegexMap.REGEX_COUNT, 1)[0]!);
  }
  let o = ACTIONS_HEADER_SIZE;
  const actions = u32s(ac, o, ACTION_CELLS * A);
  o += 4 * ACTION_CELLS * A;
  const macros = u32s(ac, o, MACRO_CELLS * MC);
  o += 4 * MACRO_CELLS * MC;
  const parts = u32s(ac, o, PART_CELLS * PT);
  o += 4 * PART_CELLS * PT;
  const list = u32s(ac, o, L);
  return {
    strings: sec(Rules.STRINGS_SECTION),
    arrays: {
      phaseStart: u32s(p, Rules.PHASE_START, PHASE_COUNT + 1),
      rules: u32s(p, RULES_HEADER_SIZE, RULE_CELLS * R),
      markers: u32s(p, RULES_HEADER_SIZE + 4 * RULE_CELLS * R, MARKER_CELLS * M),
      conds: u32s(chains, CHAINS_HEADER_SIZE, COND_CELLS * C),
      targets: u32s(targets, TARGETS_HEADER_SIZE, TARGET_CELLS * T),
      pipelineStarts: u32s(tr, PIPELINES_HEADER_SIZE, P + 1),
      pipelineIds: u32s(tr, PIPELINES_HEADER_SIZE + 4 * (P + 1), I),
      actions,
      macros,
      parts,
      list,
      settings: u32s(st, SETTINGS_HEADER_SIZE, SETTING_CELLS * N),
      regexes,
    },
  };
}

/** FNV-1a (32-bit) over each array's length and cells, little-endian bytes, in PROGRAM_ARRAY_ORDER. The filter's
 *  decoder computes the same (filter/program/program.ts digest()). */
export function programDigest(a: ProgramArrays): number {
  let h = 0x811c9dc5;
  const byte = (b: number) => {
    h ^= b & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
  };
  const word = (w: number) => {
    byte(w);
    byte(w >>> 8);
    byte(w >>> 16);
    byte(w >>> 24);
  };
  for (const k of PROGRAM_ARRAY_ORDER) {
    const arr = a[k];
    word(arr.length);
    for (let i = 0; i < arr.length; i++) word(arr[i]!);
  }
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Readable form.

export interface DecodedTarget {
  variable: string;
  count: boolean;
  exclude: boolean;
  selector: null | { kind: "key" | "xpath"; value: string } | { kind: "regex"; regex: number };
  raw: string;
}
export interface DecodedCondition {
  operator: string;
  negated: boolean;
  capture: boolean;
  multiMatch: boolean;
  link: boolean;
  argKind: number;
  arg: number;
  argText: string;
  /** The argument resolved: a string, number, macro raw text, section or regex index. */
  argValue: string | number;
  targets: DecodedTarget[];
  pipeline: string[];
  pipelineIndex: number;
  actions: string[];
  line: number;
}
export interface DecodedRule {
  id: number;
  phase: number;
  position: number;
  flags: number;
  disruptive: string;
  disruptiveArg: string | null;
  status: number;
  severity: number | null;
  msg: string | null;
  logdata: string | null;
  tags: string[];
  actions: string[];
  skip: number;
  skipAfter: number | null;
  file: string;
  line: number;
  order: number;
  conditions: DecodedCondition[];
}
export interface DecodedProgram {
  arrays: ProgramArrays;
  digest: number;
  rules: DecodedRule[];
  markers: { name: string; positions: number[] }[];
  settings: { key: number; kind: number; value: number | string }[];
}

const NONE = REF_NONE;

export function decodeProgram(table: Uint8Array | Table): DecodedProgram | null {
  const t = table instanceof Uint8Array ? readTable(table) : table;
  const ps = programArrays(t);
  if (!ps) return null;
  const a = ps.arrays;
  const strL = (id: number) => Buffer.from(poolString(ps.strings, id)).toString("latin1");
  const strU = (id: number) => Buffer.from(poolString(ps.strings, id)).toString("utf8");
  const macro = (m: number): string => {
    const start = a.macros[2 * m]!, n = a.macros[2 * m + 1]!;
    let out = "";
    for (let i = start; i < start + n; i++) {
      const k = a.parts[3 * i]!, x = a.parts[3 * i + 1]!, y = a.parts[3 * i + 2]!;
      out += k === MacroPartKind.TEXT ? strL(x) : `%{${VARIABLE_NAME[x]}${y === NONE ? "" : "." + strL(y)}}`;
    }
    return out;
  };
  const target = (t: number): DecodedTarget => {
    const r = a.targets.subarray(TARGET_CELLS * t, TARGET_CELLS * (t + 1));
    const f = r[Target.FLAGS]!;
    const sk = f >>> TARGET_SELECTOR_SHIFT;
    const sel = r[Target.SELECTOR]!;
    return {
      variable: VARIABLE_NAME[r[Target.VARIABLE]!]!,
      count: (f & TARGET_FLAGS_MASK & TargetFlags.COUNT) !== 0,
      exclude: (f & TargetFlags.EXCLUDE) !== 0,
      selector: sk === TargetSelector.KEY ? { kind: "key", value: strL(sel) } : sk === TargetSelector.XPATH ? { kind: "xpath", value: strL(sel) } : sk === TargetSelector.REGEX ? { kind: "regex", regex: sel } : null,
      raw: strL(r[Target.RAW]!),
    };
  };
  const action = (i: number): string => {
    const r = a.actions.subarray(ACTION_CELLS * i, ACTION_CELLS * (i + 1));
    const k = r[0]!;
    const name = ACTION_NAME[k]!;
    switch (k) {
      case ActionKind.SETVAR: {
        const key = `${VARIABLE_NAME[r[1]!]!.toLowerCase()}.${macro(r[3]!)}`;
        return r[2] === 3 ? `setvar:!${key}` : `setvar:${key}=${["", "+", "-"][r[2]!]}${macro(r[4]!)}`;
      }
      case ActionKind.CTL:
        return `ctl:${CTL_NAME[r[1]!]}=${strL(r[2]!)}`;
      case ActionKind.INITCOL:
        return `initcol:${VARIABLE_NAME[r[1]!]!.toLowerCase()}=${macro(r[2]!)}`;
      case ActionKind.EXPIREVAR:
        return `expirevar:${VARIABLE_NAME[r[1]!]!.toLowerCase()}.${macro(r[2]!)}=${macro(r[3]!)}`;
      case ActionKind.SETENV:
        return `setenv:${macro(r[2]!)}=${macro(r[3]!)}`;
      case ActionKind.SETUID:
      case ActionKind.SETSID:
      case ActionKind.SETRSC:
        return `${name}:${macro(r[2]!)}`;
      case ActionKind.SANITISE_MATCHED:
        return name;
      default:
        return r[2] === NONE ? name : `${name}:${strL(r[2]!)}`;
    }
  };
  const rules: DecodedRule[] = [];
  const R = a.rules.length / RULE_CELLS;
  for (let i = 0; i < R; i++) {
    const f = (k: number) => a.rules[RULE_CELLS * i + k]!;
    const conditions: DecodedCondition[] = [];
    for (let c = f(Rule.COND_START); c < f(Rule.COND_START) + f(Rule.COND_COUNT); c++) {
      const g = (k: number) => a.conds[COND_CELLS * c + k]!;
      const ak = g(Cond.ARG_KIND), arg = g(Cond.ARG);
      const pl = g(Cond.PIPELINE);
      const targets: DecodedTarget[] = [];
      for (let t = g(Cond.TARGET_START); t < g(Cond.TARGET_START) + g(Cond.TARGET_COUNT); t++) targets.push(target(t));
      const acts: string[] = [];
      for (let x = g(Cond.ACTION_START); x < g(Cond.ACTION_START) + g(Cond.ACTION_COUNT); x++) acts.push(action(x));
      conditions.push({
        operator: OPERATOR_NAME[g(Cond.OP)]!,
        negated: (g(Cond.FLAGS) & CondFlags.NEGATED) !== 0,
        capture: (g(Cond.FLAGS) & CondFlags.CAPTURE) !== 0,
        multiMatch: (g(Cond.FLAGS) & CondFlags.MULTI_MATCH) !== 0,
        link: (g(Cond.FLAGS) & CondFlags.LINK) !== 0,
        argKind: ak,
        arg,
        argText: strL(g(Cond.OP_TEXT)),
        argValue: ak === ArgKind.STRING ? strL(arg) : ak === ArgKind.NUMBER ? arg | 0 : ak === ArgKind.MACRO ? macro(arg) : ak === ArgKind.REGEX_VARIANTS ? macro(a.list[arg]!) : arg,
        targets,
        pipeline: [...a.pipelineIds.subarray(a.pipelineStarts[pl]!, a.pipelineStarts[pl + 1]!)].map((x) => TRANSFORM_NAME[x]!),
        pipelineIndex: pl,
        actions: acts,
        line: g(Cond.LINE),
      });
    }
    const acts: string[] = [];
    for (let x = f(Rule.ACTION_START); x < f(Rule.ACTION_START) + f(Rule.ACTION_COUNT); x++) acts.push(action(x));
    const tags: string[] = [];
    for (let x = f(Rule.TAG_START); x < f(Rule.TAG_START) + f(Rule.TAG_COUNT); x++) tags.push(macro(a.list[x]!));
    rules.push({
      id: f(Rule.ID),
      phase: f(Rule.PHASE),
      position: i,
      flags: f(Rule.FLAGS),
      disruptive: DISRUPTIVE_NAME[f(Rule.DISRUPTIVE)]!,
      disruptiveArg: f(Rule.DISRUPTIVE_ARG) === NONE ? null : macro(f(Rule.DISRUPTIVE_ARG)),
      status: f(Rule.STATUS),
      severity: f(Rule.SEVERITY) === NONE ? null : f(Rule.SEVERITY),
      msg: f(Rule.MSG) === NONE ? null : macro(f(Rule.MSG)),
      logdata: f(Rule.LOGDATA) === NONE ? null : macro(f(Rule.LOGDATA)),
      tags,
      actions: acts,
      skip: f(Rule.SKIP),
      skipAfter: f(Rule.SKIP_AFTER) === NONE ? null : f(Rule.SKIP_AFTER),
      file: strU(f(Rule.FILE)),
      line: f(Rule.LINE),
      order: f(Rule.ORDER),
      conditions,
    });
  }
  const markers = [];
  for (let m = 0; m < a.markers.length / MARKER_CELLS; m++) {
    const r = a.markers.subarray(MARKER_CELLS * m, MARKER_CELLS * (m + 1));
    markers.push({ name: strL(r[0]!), positions: [...r.subarray(1)] });
  }
  const settings = [];
  for (let i = 0; i < a.settings.length / SETTING_CELLS; i++) {
    const [key, kind, value] = a.settings.subarray(SETTING_CELLS * i, SETTING_CELLS * (i + 1)) as unknown as [number, number, number];
    settings.push({ key, kind, value: kind === 1 ? strU(value) : value });
  }
  return { arrays: a, digest: programDigest(a), rules, markers, settings };
}

export { RuleFlags };
