// The compiler back end: RuleSetIR -> one WAFT table (../tables/format.ts) holding the rule program (RULES, CHAINS,
// TARGETS, TRANSFORMATIONS, ACTIONS, METADATA), the operator objects (AHO_CORASICK, IP_SET) and the regex objects
// (REGEX_DFA / REGEX_NFA / REGEX_CAPTURE / REGEX_BACKTRACK, the prefilter automaton and its map).
//
// Everything the engine needs is resolved here, once: phase order, chain ranges, skip/skipAfter positions, macro part
// lists, deduplicated pipelines, operator arguments compiled to their objects. Anything that cannot be compiled is a
// CompileError with the file:line of its directive; compileRuleSet throws CompileErrors carrying all of them.
import type { ActionIR, MacroString, OperatorIR, ResolvedLink, ResolvedRule, RuleSetIR, Settings, SourceLoc, VariableRef } from "../ir/types";
import { parseMacro } from "../seclang/macro";
import { buildAhoCorasick, parsePmFromFileData, AhoCorasickBuildError } from "../matchers/aho-corasick";
import { buildIpSet, parseIpMatchFromFileData, parseIpMatchParam, IpMatchBuildError, type IpEntry } from "../matchers/ip-trie";
import { requiredAtoms } from "../regex/required-bytes";
import { compileRegex, parseRegex, RegexSyntaxError, UnsupportedRegexError, type CompiledRegex, type CompileOptions } from "../regex/index";
import { ByteWriter, StringPoolBuilder, TableWriter, sha256 } from "../tables/writer";
import {
  ACTIONS_HEADER_SIZE,
  ActionKind,
  ArgKind,
  AuditEngineMode,
  BodyProcessor,
  CHAINS_HEADER_SIZE,
  CondFlags,
  CtlOption,
  Disruptive,
  MacroPartKind,
  OperatorKind,
  PHASE_COUNT,
  REF_NONE,
  RULES_HEADER_SIZE,
  PM_FOLD_MIN_LENGTH,
  REGEX_ATOM_MAP_SIZE,
  RegexFlags,
  RuleEngineMode,
  RuleFlags,
  SectionKind,
  SetVarOp,
  Setting,
  SettingValue,
  TARGET_SELECTOR_SHIFT,
  TargetFlags,
  TargetSelector,
} from "../tables/format";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { CompileError, CompileErrors } from "./errors";
import { ACTION_ID, CTL_ID, DISRUPTIVE_ID, OPERATOR_ID, TRANSFORM_ID, VARIABLE_ID } from "./ids";
import { parsePmArgument } from "./pm";
import { encodeBacktrack, encodeDfa, encodeNfa } from "./regex-sections";

export const COMPILER_VERSION = "workload-waf compiler 1";

export interface CompileRuleSetOptions {
  /** compileRegex options; the compiler's defaults: DEFAULT_REGEX_OPTIONS (maxDfaStates 4096, maxSubsetStates 6000, subsetGrowth). */
  regex?: CompileOptions;
  /** Progress callback: (done, total) over the regex compilations (the slow part). */
  onProgress?: (done: number, total: number) => void;
  /** Reuse compiled regexes across calls (key: pattern and options). */
  regexCache?: Map<string, CompiledRegex>;
  /**
   * The rule-set root directory. Source files under it are recorded in the table (rule file names, the source
   * file list, the source digest) by their path relative to it, so the same files compiled from two directories
   * (two controller replicas, two temp dirs) give byte-identical tables. Files outside it keep their path as read.
   */
  sourceRoot?: string;
}

export const DEFAULT_REGEX_OPTIONS: CompileOptions = {
  maxDfaStates: 4096,
  maxSubsetStates: 6000,
  // Growth-rate abort: a subset construction that has discovered this many states after so many rows is racing
  // to the 6,000-state cap. Thresholds sit >= 20% above every pattern of CRS v4.28.0 / v3.3.4 that ends in the
  // DFA tier (largest there: 1,594 / 2,253 / 3,059 states at 1,024 / 1,536 / 2,048 rows), so they route 13 of
  // v4's 31 lazy patterns (5 of v3's 17) early and move none.
  subsetGrowth: [
    { processed: 1024, maxStates: 1920 },
    { processed: 1536, maxStates: 2700 },
    { processed: 2048, maxStates: 3670 },
  ],
};

/** What --explain prints about one rule, and what the summary counts. */
export interface ConditionExplain {
  line: number;
  targets: string[];
  pipeline: string[];
  pipelineIndex: number;
  operator: string;
  negated: boolean;
  argKind: string;
  object?: {
    section?: number;
    kind: string;
    tier?: string;
    states?: number;
    classes?: number;
    instructions?: number;
    bytes: number;
    factors?: string[];
    phrases?: number;
    entries?: number;
    regexIndex?: number;
    captureSection?: number;
    /** REGEX_VARIANTS: the precompiled expansions */
    patterns?: string[];
  };
  actions: string[];
}

export interface RuleExplain {
  id: number;
  phase: number;
  position: number;
  file: string;
  line: number;
  disruptive: string;
  flags: string[];
  skip: number;
  skipAfter: { target: string; position: number } | null;
  msg: string | null;
  tags: string[];
  actions: string[];
  conditions: ConditionExplain[];
}

export interface RegexInfo {
  index: number;
  pattern: string;
  tier: CompiledRegex["tier"];
  matchSection: number;
  captureSection: number;
  states: number;
  classes: number;
  instructions: number;
  bytes: number;
  factors: string[];
  compileMs: number;
  capped: string;
}

export interface CompileStatsSummary {
  rules: number;
  conditions: number;
  chainsPerPhase: number[];
  rulesPerPhase: number[];
  markers: number;
  targets: number;
  pipelines: number;
  actions: number;
  macros: number;
  regexes: { total: number; dfa: number; lazy: number; backtrack: number; dfaStates: number; dfaBytes: number; nfaBytes: number; prefiltered: number; factors: number; pmFolded: number };
  acObjects: number;
  ipObjects: number;
  sections: number;
  tableBytes: number;
  sectionBytes: Record<string, number>;
  compileMs: number;
  regexMs: number;
}

export interface CompileResult {
  table: Uint8Array;
  stats: CompileStatsSummary;
  explain: Map<number, RuleExplain>;
  regexes: RegexInfo[];
}

const KIND_NAME: Record<number, string> = {
  [SectionKind.STRINGS]: "STRINGS",
  [SectionKind.METADATA]: "METADATA",
  [SectionKind.AHO_CORASICK]: "AHO_CORASICK",
  [SectionKind.IP_SET]: "IP_SET",
  [SectionKind.REGEX_DFA]: "REGEX_DFA",
  [SectionKind.REGEX_NFA]: "REGEX_NFA",
  [SectionKind.REGEX_CAPTURE]: "REGEX_CAPTURE",
  [SectionKind.REGEX_PREFILTER_AC]: "REGEX_PREFILTER_AC",
  [SectionKind.REGEX_PREFILTER_MAP]: "REGEX_PREFILTER_MAP",
  [SectionKind.REGEX_BACKTRACK]: "REGEX_BACKTRACK",
  [SectionKind.RULES]: "RULES",
  [SectionKind.CHAINS]: "CHAINS",
  [SectionKind.TARGETS]: "TARGETS",
  [SectionKind.TRANSFORMATIONS]: "TRANSFORMATIONS",
  [SectionKind.ACTIONS]: "ACTIONS",
};
export function sectionKindName(k: number): string {
  return KIND_NAME[k] ?? `kind ${k}`;
}

const latin1 = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

/** ModSecurity v3 numeric operator arguments go through std::stoi (0 when there is no number or it overflows). */
export function stoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  if (!m) return 0;
  const n = Number(m[1]);
  return n > 2147483647 || n < -2147483648 ? 0 : n;
}

/** @validateByteRange argument ("1-255,9") -> 256-bit set; null when invalid. */
export function parseByteRanges(arg: string): Uint32Array | null {
  const set = new Uint32Array(8);
  for (const raw of arg.split(",")) {
    const t = raw.trim();
    if (t === "") continue;
    const m = /^(\d{1,3})(?:\s*-\s*(\d{1,3}))?$/.exec(t);
    if (!m) return null;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (lo > 255 || hi > 255 || lo > hi) return null;
    for (let b = lo; b <= hi; b++) set[b >> 5]! |= 1 << (b & 31);
  }
  return set;
}

interface RegexEntry {
  index: number;
  pattern: string;
  compiled: CompiledRegex;
  needCapture: boolean;
}

class Builder {
  readonly errors: CompileError[] = [];
  readonly tw = new TableWriter();
  readonly strings = new StringPoolBuilder();
  readonly conds: number[][] = [];
  readonly targets: number[][] = [];
  readonly pipelines: number[][] = [[]];
  readonly pipelineIndex = new Map<string, number>([["", 0]]);
  readonly actions: number[][] = [];
  readonly macros: number[][] = [];
  readonly macroIndex = new Map<string, number>();
  readonly parts: number[][] = [];
  readonly list: number[] = [];
  readonly regexes: RegexEntry[] = [];
  readonly regexIndex = new Map<string, number>();
  /** The @pm / @pmFromFile automata by phrase list (in order of creation), each with its phrases and whether a
   *  request-phase rule (1, 2) uses it: those lists, when every phrase is PM_FOLD_MIN_LENGTH bytes or longer, are
   *  folded into the regex prefilter (format.ts). Request rules read many values (every argument, header, cookie),
   *  each of which the prefilter scans anyway; the response rules' lists (data leakage, web shells: most of CRS's
   *  phrases) would double the prefilter automaton, and the table each VM validates at start, for a few values. */
  readonly acIndex = new Map<string, { section: number; phrases: number; bytes: number; list: Uint8Array[]; request: boolean }>();
  /** Phase of the rule whose conditions are being compiled. */
  phase = 0;
  readonly ipIndex = new Map<string, { section: number; entries: number; bytes: number }>();
  regexMs = 0;
  /** Literal values each TX variable is given by some `setvar` of the rule set (lower-case name → values). */
  txConstants = new Map<string, Set<string>>();

  constructor(
    readonly regexOpts: CompileOptions,
    readonly cache: Map<string, CompiledRegex> | undefined,
    /** How a source file is named in the table (see CompileRuleSetOptions.sourceRoot). */
    readonly sourceName: (file: string) => string,
  ) {}

  str(s: string): number {
    return this.strings.intern(latin1(s));
  }
  optStr(s: string | null | undefined): number {
    return s === null || s === undefined ? REF_NONE : this.str(s);
  }

  err(code: CompileError["code"], loc: SourceLoc, directive: string, msg: string): void {
    this.errors.push(new CompileError(code, loc.file, loc.line, directive, msg));
  }

  variable(name: string, loc: SourceLoc, directive: string, what: string): number {
    const id = VARIABLE_ID.get(name.toUpperCase());
    if (id === undefined) {
      this.err("unknown-variable", loc, directive, `${what}: unknown variable ${name}; expected one of the ModSecurity variables (ARGS, REQUEST_HEADERS, TX, ...)`);
      return 0;
    }
    return id;
  }

  macro(m: MacroString, loc: SourceLoc, directive: string): number {
    const key = JSON.stringify(m.parts);
    const found = this.macroIndex.get(key);
    if (found !== undefined) return found;
    const start = this.parts.length;
    for (const p of m.parts) {
      if (p.kind === "text") this.parts.push([MacroPartKind.TEXT, this.str(p.text), 0]);
      else this.parts.push([MacroPartKind.REF, this.variable(p.collection, loc, directive, `macro ${p.raw}`), p.key === null ? REF_NONE : this.str(p.key)]);
    }
    const id = this.macros.push([start, m.parts.length]) - 1;
    this.macroIndex.set(key, id);
    return id;
  }
  macroText(raw: string, loc: SourceLoc, directive: string): number {
    const r = parseMacro(raw);
    if (r.errors.length) this.err("macro", loc, directive, r.errors.join("; "));
    return this.macro(r.value, loc, directive);
  }

  pipeline(names: string[], loc: SourceLoc, directive: string): number {
    const ids: number[] = [];
    for (const n of names) {
      const id = TRANSFORM_ID[n];
      if (id === undefined) {
        this.err("unknown-transformation", loc, directive, `transformation t:${n} has no implementation id; expected one of ${Object.keys(TRANSFORM_ID).join(", ")}`);
        continue;
      }
      ids.push(id);
    }
    const key = ids.join(",");
    let p = this.pipelineIndex.get(key);
    if (p === undefined) {
      p = this.pipelines.push(ids) - 1;
      this.pipelineIndex.set(key, p);
    }
    return p;
  }

  /** Registers a regex (deduplicated by pattern); returns its directory index or -1 after an error. */
  regex(pattern: string, capture: boolean, loc: SourceLoc, directive: string, what: string): number {
    const found = this.regexIndex.get(pattern);
    if (found !== undefined) {
      if (capture) this.regexes[found]!.needCapture = true;
      return found;
    }
    const ckey = JSON.stringify([pattern, this.regexOpts]);
    let compiled = this.cache?.get(ckey);
    if (!compiled) {
      const t0 = performance.now();
      try {
        compiled = compileRegex(pattern, this.regexOpts);
      } catch (e) {
        if (e instanceof RegexSyntaxError || e instanceof UnsupportedRegexError) {
          this.err("regex", loc, directive, `${what}: cannot compile /${pattern}/: ${e.message}; expected a PCRE pattern the regex engine supports`);
          return -1;
        }
        throw e;
      } finally {
        this.regexMs += performance.now() - t0;
      }
      this.cache?.set(ckey, compiled);
    }
    const index = this.regexes.push({ index: this.regexes.length, pattern, compiled, needCapture: capture }) - 1;
    this.regexIndex.set(pattern, index);
    return index;
  }

  /**
   * An @rx whose pattern holds macros. ModSecurity expands and compiles it per request; a table cannot hold a regex
   * compiler, so every expansion the rule set can produce is compiled here: each reference must be a TX variable, and
   * its candidates are the literal values `setvar:tx.NAME=VALUE` assigns anywhere in the rule set, plus "" (unset).
   * Anything else cannot be precompiled and is a compile error, never a rule that silently never matches.
   */
  regexVariants(m: MacroString, capture: boolean, loc: SourceLoc, directive: string, what: string): { listStart: number; patterns: string[] } | null {
    let expansions = [""];
    for (const p of m.parts) {
      if (p.kind === "text") {
        expansions = expansions.map((e) => e + p.text);
        continue;
      }
      const values = p.collection === "TX" && p.key !== null ? this.txConstants.get(p.key.toLowerCase()) : undefined;
      if (values === undefined) {
        this.err("macro", loc, directive, `${what}: the pattern's ${p.raw} cannot be known ahead of time; expected references to TX variables that the rule set sets to literal values (setvar:tx.name=value)`);
        return null;
      }
      expansions = expansions.flatMap((e) => ["", ...values].map((v) => e + v));
      if (expansions.length > MAX_REGEX_VARIANTS) {
        this.err("macro", loc, directive, `${what}: the pattern has more than ${MAX_REGEX_VARIANTS} possible expansions; expected fewer literal values for its TX variables`);
        return null;
      }
    }
    const patterns = [...new Set(expansions)];
    const entries: number[] = [];
    for (const pattern of patterns) {
      const ri = this.regex(pattern, capture, loc, directive, `${what} (expanded to /${pattern}/)`);
      if (ri < 0) return null;
      entries.push(this.str(pattern), ri);
    }
    const listStart = this.list.length;
    this.list.push(this.macro(m, loc, directive), patterns.length, ...entries);
    return { listStart, patterns };
  }

  ac(phrases: Uint8Array[], loc: SourceLoc, directive: string, what: string): { section: number; phrases: number; bytes: number } | null {
    const key = phrases.map((p) => Buffer.from(p).toString("latin1")).join("\n");
    const found = this.acIndex.get(key);
    const request = this.phase <= 2;
    if (found) {
      found.request ||= request;
      return found;
    }
    try {
      const b = buildAhoCorasick(phrases);
      const r = { section: this.tw.addSection(SectionKind.AHO_CORASICK, b.payload), phrases: b.phrases.length, bytes: b.payload.length, list: phrases, request };
      this.acIndex.set(key, r);
      return r;
    } catch (e) {
      if (e instanceof AhoCorasickBuildError) {
        this.err("phrases", loc, directive, `${what}: ${e.message}; expected a non-empty phrase list`);
        return null;
      }
      throw e;
    }
  }

  ip(entries: IpEntry[]): { section: number; entries: number; bytes: number } {
    const key = entries.map((e) => `${e.family}/${Buffer.from(e.addr).toString("hex")}/${e.prefix}`).join(",");
    const found = this.ipIndex.get(key);
    if (found) return found;
    const b = buildIpSet(entries);
    const r = { section: this.tw.addSection(SectionKind.IP_SET, b.payload), entries: entries.length, bytes: b.payload.length };
    this.ipIndex.set(key, r);
    return r;
  }

  target(v: VariableRef, loc: SourceLoc, directive: string): { index: number; text: string } {
    const id = this.variable(v.name, loc, directive, `target ${v.raw}`);
    let selKind = TargetSelector.NONE;
    let sel = 0;
    if (v.selector?.kind === "key") {
      selKind = TargetSelector.KEY;
      sel = this.str(v.selector.value);
    } else if (v.selector?.kind === "regex") {
      selKind = TargetSelector.REGEX;
      // ModSecurity v3 matches keys against a selector regex caseless (Utils::Regex(pattern, true)): compiled so
      // here, the engine runs it once per key. "(?i)" also keeps it apart from the same text used by an @rx.
      sel = Math.max(0, this.regex(`(?i)${v.selector.pattern}`, false, loc, directive, `target ${v.raw}`));
    } else if (v.selector?.kind === "xpath") {
      selKind = TargetSelector.XPATH;
      sel = this.str(v.selector.expr);
    }
    const flags = (v.count ? TargetFlags.COUNT : 0) | (v.exclude ? TargetFlags.EXCLUDE : 0) | (selKind << TARGET_SELECTOR_SHIFT);
    return { index: this.targets.push([id, flags, sel, this.str(v.raw)]) - 1, text: v.raw };
  }

  targetRange(vs: VariableRef[], loc: SourceLoc, directive: string): { start: number; count: number; texts: string[] } {
    const start = this.targets.length;
    const texts = vs.map((v) => this.target(v, loc, directive).text);
    return { start, count: vs.length, texts };
  }

  action(a: ActionIR, loc: SourceLoc, directive: string): string {
    const kind = ACTION_ID[a.name];
    const rec = [0, 0, 0, 0, 0, 0, 0, 0];
    const fail = (what: string) => {
      this.err("bad-argument", loc, directive, `action ${a.name}:${a.argument ?? ""}: ${what}`);
      return a.name;
    };
    if (kind === undefined) {
      this.err("unknown-action", loc, directive, `action ${a.name} cannot be compiled into the rule program; expected a run-time action (setvar, ctl, initcol, expirevar, setenv, setuid, setsid, setrsc, xmlns, sanitise*)`);
      return a.name;
    }
    rec[0] = kind;
    const arg = a.argument ?? "";
    switch (kind) {
      case ActionKind.SETVAR: {
        const s = a.setvar;
        if (!s) return fail("no parsed setvar payload");
        const op = { set: SetVarOp.SET, add: SetVarOp.ADD, sub: SetVarOp.SUB, unset: SetVarOp.UNSET }[s.op];
        rec[1] = this.variable(s.collection, loc, directive, `setvar:${arg}`);
        rec[2] = op;
        rec[3] = this.macro(s.key, loc, directive);
        rec[4] = this.macro(s.value, loc, directive);
        break;
      }
      case ActionKind.CTL: {
        const c = a.ctl;
        if (!c) return fail("no parsed ctl payload");
        const opt = CTL_ID[c.option];
        if (opt === undefined) {
          this.err("unknown-ctl", loc, directive, `ctl:${c.option} cannot be compiled; expected one of ${Object.keys(CTL_ID).join(", ")}`);
          return a.name;
        }
        rec[1] = opt;
        rec[2] = this.str(c.value);
        const v = c.value.trim();
        const onOff = () => (/^on$/i.test(v) ? 1 : /^off$/i.test(v) ? 0 : (fail("expected On or Off"), 0));
        const num = () => (/^\d+$/.test(v) ? Number(v) : (fail("expected a number"), 0));
        switch (opt) {
          case CtlOption.AUDIT_ENGINE: {
            const m = { on: AuditEngineMode.ON, off: AuditEngineMode.OFF, relevantonly: AuditEngineMode.RELEVANT_ONLY }[v.toLowerCase()];
            if (m === undefined) return fail("expected On, Off or RelevantOnly");
            rec[3] = m;
            break;
          }
          case CtlOption.RULE_ENGINE: {
            const m = { on: RuleEngineMode.ON, off: RuleEngineMode.OFF, detectiononly: RuleEngineMode.DETECTION_ONLY }[v.toLowerCase()];
            if (m === undefined) return fail("expected On, Off or DetectionOnly");
            rec[3] = m;
            break;
          }
          case CtlOption.AUDIT_LOG_PARTS:
            rec[3] = this.str(v);
            break;
          case CtlOption.DEBUG_LOG_LEVEL:
          case CtlOption.REQUEST_BODY_LIMIT:
          case CtlOption.RESPONSE_BODY_LIMIT:
            rec[3] = num();
            break;
          case CtlOption.FORCE_REQUEST_BODY_VARIABLE:
          case CtlOption.REQUEST_BODY_ACCESS:
          case CtlOption.RESPONSE_BODY_ACCESS:
            rec[3] = onOff();
            break;
          case CtlOption.REQUEST_BODY_PROCESSOR: {
            const m = { urlencoded: BodyProcessor.URLENCODED, multipart: BodyProcessor.MULTIPART, xml: BodyProcessor.XML, json: BodyProcessor.JSON }[v.toLowerCase()];
            if (m === undefined) return fail("expected URLENCODED, MULTIPART, XML or JSON");
            rec[3] = m;
            break;
          }
          case CtlOption.RULE_REMOVE_BY_MSG:
          case CtlOption.RULE_REMOVE_BY_TAG:
          case CtlOption.RULE_REMOVE_TARGET_BY_MSG:
          case CtlOption.RULE_REMOVE_TARGET_BY_TAG:
            if (c.match === undefined) return fail("no tag/message parsed");
            rec[3] = this.str(c.match);
            break;
        }
        if (opt === CtlOption.RULE_REMOVE_BY_ID || opt === CtlOption.RULE_REMOVE_TARGET_BY_ID) {
          if (!c.ids) return fail("no id ranges parsed");
          rec[4] = this.list.length;
          rec[5] = c.ids.length;
          for (const r of c.ids) this.list.push(r.from >>> 0, r.to >>> 0);
        }
        if (opt === CtlOption.RULE_REMOVE_TARGET_BY_ID || opt === CtlOption.RULE_REMOVE_TARGET_BY_MSG || opt === CtlOption.RULE_REMOVE_TARGET_BY_TAG) {
          if (!c.targets) return fail("no targets parsed");
          const r = this.targetRange(c.targets, loc, directive);
          rec[6] = r.start;
          rec[7] = r.count;
        }
        this.actions.push(rec);
        return `ctl:${c.option}=${c.value}`;
      }
      case ActionKind.INITCOL:
      case ActionKind.EXPIREVAR: {
        const eq = arg.indexOf("=");
        if (eq < 0 || !a.macro) return fail("expected collection=value");
        const lhs = arg.slice(0, eq);
        const dot = lhs.indexOf(".");
        const col = kind === ActionKind.INITCOL ? lhs : dot < 0 ? "" : lhs.slice(0, dot);
        if (kind === ActionKind.EXPIREVAR && dot < 0) return fail("expected collection.key=seconds");
        rec[1] = this.variable(col.trim(), loc, directive, `${a.name}:${arg}`);
        if (kind === ActionKind.INITCOL) rec[2] = this.macro(a.macro, loc, directive);
        else {
          rec[2] = this.macroText(lhs.slice(dot + 1), loc, directive);
          rec[3] = this.macro(a.macro, loc, directive);
        }
        break;
      }
      case ActionKind.SETENV: {
        const eq = arg.indexOf("=");
        rec[2] = this.macroText(eq < 0 ? arg : arg.slice(0, eq), loc, directive);
        rec[3] = this.macroText(eq < 0 ? "1" : arg.slice(eq + 1), loc, directive);
        break;
      }
      case ActionKind.SETUID:
      case ActionKind.SETSID:
      case ActionKind.SETRSC:
        rec[2] = a.macro ? this.macro(a.macro, loc, directive) : this.macroText(arg, loc, directive);
        break;
      case ActionKind.SANITISE_MATCHED:
        break;
      default:
        rec[2] = a.argument === null ? REF_NONE : this.str(a.argument);
    }
    this.actions.push(rec);
    return a.argument === null ? a.name : `${a.name}:${a.argument}`;
  }

  actionRange(as: ActionIR[], loc: SourceLoc, directive: string): { start: number; count: number; texts: string[] } {
    const start = this.actions.length;
    const texts: string[] = [];
    for (const a of as) {
      const before = this.actions.length;
      const t = this.action(a, loc, directive);
      if (this.actions.length > before) texts.push(t);
    }
    return { start, count: this.actions.length - start, texts };
  }

  /** One condition (chain head or link). */
  condition(ruleIndex: number, c: ResolvedRule | ResolvedLink, link: boolean, directive: string): ConditionExplain {
    const op: OperatorIR = c.operator;
    const loc = c.loc;
    const kind = OPERATOR_ID[op.name];
    const targets = this.targetRange(c.variables, loc, directive);
    const pipeline = this.pipeline(c.transformations, loc, directive);
    const acts = link ? this.actionRange(c.actions, loc, directive) : { start: this.actions.length, count: 0, texts: [] as string[] };
    const ex: ConditionExplain = {
      line: loc.line,
      targets: targets.texts,
      pipeline: c.transformations,
      pipelineIndex: pipeline,
      operator: `${op.negated ? "!" : ""}@${op.name}${op.implicit ? " (implicit)" : ""}`,
      negated: op.negated,
      argKind: "NONE",
      actions: acts.texts,
    };
    let argKind = ArgKind.NONE;
    let arg = 0;
    const what = `operator @${op.name}`;
    if (kind === undefined) {
      this.err("unknown-operator", loc, directive, `${what} cannot be compiled; expected one of ${Object.keys(OPERATOR_ID).map((o) => "@" + o).join(", ")}`);
    } else {
      const dynamic = op.macro.dynamic;
      switch (kind) {
        case OperatorKind.RX:
        case OperatorKind.RX_GLOBAL:
        case OperatorKind.VERIFY_CC:
        case OperatorKind.VERIFY_CPF:
        case OperatorKind.VERIFY_SSN:
        case OperatorKind.VERIFY_SVNR: {
          if (dynamic && (kind === OperatorKind.RX || kind === OperatorKind.RX_GLOBAL)) {
            const v = this.regexVariants(op.macro, c.capture, loc, directive, what);
            if (v === null) break;
            argKind = ArgKind.REGEX_VARIANTS;
            arg = v.listStart;
            ex.object = { kind: "regex variants (macro-expanded pattern, every expansion precompiled)", patterns: v.patterns, bytes: 0 };
            break;
          }
          // @verifyCC & co. always need the match span (their candidate), so the capture structures too
          const needsSpan = kind !== OperatorKind.RX && kind !== OperatorKind.RX_GLOBAL;
          const ri = this.regex(op.argument, c.capture || needsSpan, loc, directive, what);
          if (ri < 0) break;
          argKind = ArgKind.REGEX;
          arg = ri;
          const e = this.regexes[ri]!.compiled;
          ex.object = {
            kind: "regex",
            regexIndex: ri,
            tier: e.tier,
            states: e.dfa?.numStates,
            classes: e.dfa?.numClasses ?? e.stats.byteClasses,
            instructions: e.nfa?.ops.length,
            bytes: 0,
            factors: e.factors,
          };
          break;
        }
        case OperatorKind.PM:
        case OperatorKind.PM_FROM_FILE: {
          let phrases: Uint8Array[];
          if (kind === OperatorKind.PM) phrases = parsePmArgument(op.argument).phrases;
          else {
            if (!op.dataFiles?.length) {
              this.err("bad-argument", loc, directive, `${what}: no data file was loaded for ${JSON.stringify(op.argument)}; expected one or more readable files`);
              break;
            }
            phrases = op.dataFiles.flatMap((f) => parsePmFromFileData(latin1(f.content)));
          }
          const r = this.ac(phrases, loc, directive, what);
          if (!r) break;
          argKind = ArgKind.AC;
          arg = r.section;
          ex.object = { kind: "AHO_CORASICK", section: r.section, phrases: r.phrases, bytes: r.bytes };
          break;
        }
        case OperatorKind.IP_MATCH:
        case OperatorKind.IP_MATCH_FROM_FILE: {
          let entries: IpEntry[];
          try {
            if (kind === OperatorKind.IP_MATCH) entries = parseIpMatchParam(op.argument);
            else {
              if (!op.dataFiles?.length) {
                this.err("bad-argument", loc, directive, `${what}: no data file was loaded for ${JSON.stringify(op.argument)}; expected a readable file`);
                break;
              }
              entries = op.dataFiles.flatMap((f) => parseIpMatchFromFileData(f.content, f.path));
            }
          } catch (e) {
            if (e instanceof IpMatchBuildError) {
              this.err("ip-list", loc, directive, `${what}: ${e.message}; expected IPv4/IPv6 addresses or CIDR prefixes`);
              break;
            }
            throw e;
          }
          const r = this.ip(entries);
          argKind = ArgKind.IP;
          arg = r.section;
          ex.object = { kind: "IP_SET", section: r.section, entries: r.entries, bytes: r.bytes };
          break;
        }
        case OperatorKind.EQ:
        case OperatorKind.GE:
        case OperatorKind.GT:
        case OperatorKind.LE:
        case OperatorKind.LT:
          if (dynamic) {
            argKind = ArgKind.MACRO;
            arg = this.macro(op.macro, loc, directive);
          } else {
            argKind = ArgKind.NUMBER;
            arg = stoi(op.argument) >>> 0;
          }
          break;
        case OperatorKind.STREQ:
        case OperatorKind.CONTAINS:
        case OperatorKind.CONTAINS_WORD:
        case OperatorKind.BEGINS_WITH:
        case OperatorKind.ENDS_WITH:
        case OperatorKind.WITHIN:
        case OperatorKind.STRMATCH:
        case OperatorKind.RBL:
          if (dynamic && kind !== OperatorKind.STRMATCH && kind !== OperatorKind.RBL) {
            argKind = ArgKind.MACRO;
            arg = this.macro(op.macro, loc, directive);
          } else {
            argKind = ArgKind.STRING;
            arg = this.str(op.argument);
          }
          break;
        case OperatorKind.VALIDATE_BYTE_RANGE: {
          const set = parseByteRanges(op.argument);
          if (!set) {
            this.err("bad-argument", loc, directive, `${what}: invalid range list ${JSON.stringify(op.argument)}; expected comma-separated bytes or ranges 0-255 such as "1-255,9"`);
            break;
          }
          argKind = ArgKind.BYTES;
          arg = this.list.length;
          for (const w of set) this.list.push(w >>> 0);
          break;
        }
        default:
          break; // operators without an argument
      }
    }
    ex.argKind = ["NONE", "STRING", "NUMBER", "MACRO", "AC", "IP", "REGEX", "BYTES"][argKind]!;
    const flags = (op.negated ? CondFlags.NEGATED : 0) | (c.capture ? CondFlags.CAPTURE : 0) | (c.multiMatch ? CondFlags.MULTI_MATCH : 0) | (link ? CondFlags.LINK : 0);
    this.conds.push([ruleIndex, flags, kind ?? 0, argKind, arg, this.str(op.argument), targets.start, targets.count, pipeline, acts.start, acts.count, loc.line]);
    return ex;
  }
}

function settingsEntries(b: Builder, s: Settings, files: string[]): number[][] {
  const out: number[][] = [];
  const num = (k: Setting, v: number | undefined) => v !== undefined && out.push([k, SettingValue.NUMBER, v >>> 0]);
  const str = (k: Setting, v: string | undefined) => v !== undefined && out.push([k, SettingValue.STRING, b.str(v)]);
  const bool = (k: Setting, v: boolean | undefined) => v !== undefined && out.push([k, SettingValue.NUMBER, v ? 1 : 0]);
  if (s.ruleEngine !== undefined) num(Setting.RULE_ENGINE, { On: RuleEngineMode.ON, Off: RuleEngineMode.OFF, DetectionOnly: RuleEngineMode.DETECTION_ONLY }[s.ruleEngine]);
  bool(Setting.REQUEST_BODY_ACCESS, s.requestBodyAccess);
  bool(Setting.RESPONSE_BODY_ACCESS, s.responseBodyAccess);
  num(Setting.REQUEST_BODY_LIMIT, s.requestBodyLimit);
  num(Setting.REQUEST_BODY_NO_FILES_LIMIT, s.requestBodyNoFilesLimit);
  num(Setting.REQUEST_BODY_IN_MEMORY_LIMIT, s.requestBodyInMemoryLimit);
  if (s.requestBodyLimitAction) num(Setting.REQUEST_BODY_LIMIT_ACTION, s.requestBodyLimitAction === "Reject" ? 0 : 1);
  num(Setting.REQUEST_BODY_JSON_DEPTH_LIMIT, s.requestBodyJsonDepthLimit);
  num(Setting.RESPONSE_BODY_LIMIT, s.responseBodyLimit);
  if (s.responseBodyLimitAction) num(Setting.RESPONSE_BODY_LIMIT_ACTION, s.responseBodyLimitAction === "Reject" ? 0 : 1);
  if (s.responseBodyMimeTypes) {
    out.push([Setting.RESPONSE_BODY_MIME_TYPES_CLEARED, SettingValue.NUMBER, 1]);
    for (const m of s.responseBodyMimeTypes) str(Setting.RESPONSE_BODY_MIME_TYPE, m);
  }
  str(Setting.ARGUMENT_SEPARATOR, s.argumentSeparator);
  num(Setting.ARGUMENTS_LIMIT, s.argumentsLimit);
  num(Setting.COOKIE_FORMAT, s.cookieFormat);
  num(Setting.COLLECTION_TIMEOUT, s.collectionTimeout);
  str(Setting.WEB_APP_ID, s.webAppId);
  for (const c of s.componentSignatures) str(Setting.COMPONENT_SIGNATURE, c);
  num(Setting.PCRE_MATCH_LIMIT, s.pcreMatchLimit);
  num(Setting.PCRE_MATCH_LIMIT_RECURSION, s.pcreMatchLimitRecursion);
  bool(Setting.XML_EXTERNAL_ENTITY, s.xmlExternalEntity);
  num(Setting.UPLOAD_FILE_LIMIT, s.uploadFileLimit);
  if (s.audit.engine) num(Setting.AUDIT_ENGINE, { On: AuditEngineMode.ON, Off: AuditEngineMode.OFF, RelevantOnly: AuditEngineMode.RELEVANT_ONLY }[s.audit.engine]);
  str(Setting.AUDIT_LOG_PARTS, s.audit.parts);
  str(Setting.AUDIT_LOG_RELEVANT_STATUS, s.audit.relevantStatus);
  if (s.audit.format) num(Setting.AUDIT_LOG_FORMAT, s.audit.format === "JSON" ? 1 : 0);
  if (s.unicodeMap) num(Setting.UNICODE_CODE_PAGE, s.unicodeMap.codePage);
  if (s.statusEngine) num(Setting.STATUS_ENGINE, s.statusEngine === "On" ? 1 : 0);
  str(Setting.COMPILER_VERSION, COMPILER_VERSION);
  for (const f of files) out.push([Setting.SOURCE_FILES, SettingValue.STRING, b.strings.intern(new TextEncoder().encode(b.sourceName(f)))]);
  return out;
}

function encodeRecords(header: number[], ...arrays: (number[][] | number[])[]): Uint8Array {
  const w = new ByteWriter();
  w.u32s(header);
  for (const a of arrays) for (const r of a) typeof r === "number" ? w.u32(r >>> 0) : w.u32s(r.map((x) => x >>> 0));
  return w.finish();
}

/** Most expansions one macro-holding @rx may have (each is a compiled regex in the table). */
const MAX_REGEX_VARIANTS = 64;

/** For each TX variable (lower-case name), the literal values `setvar:tx.NAME=VALUE` assigns anywhere in the rules. */
function txLiteralValues(rules: ResolvedRule[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of rules)
    for (const c of [r, ...r.chain])
      for (const a of c.actions) {
        const sv = a.setvar;
        if (!sv || sv.collection !== "TX" || sv.op !== "set" || sv.key.dynamic || sv.value.dynamic) continue;
        const name = sv.key.raw.toLowerCase();
        if (!out.has(name)) out.set(name, new Set());
        out.get(name)!.add(sv.value.raw);
      }
  return out;
}

/** Source path -> the name recorded in the table: relative (with '/') to `root` when under it, else unchanged. */
function sourceNamer(root: string | undefined): (file: string) => string {
  if (root === undefined) return (f) => f;
  const base = resolve(root);
  return (f) => {
    const rel = relative(base, resolve(f));
    return rel === "" || rel === ".." || rel.startsWith(".." + sep) || isAbsolute(rel) ? f : rel.split(sep).join("/");
  };
}

/** Compiles a rule set (the front end's output) into a table. Throws CompileErrors. */
export function compileRuleSet(ir: RuleSetIR, options: CompileRuleSetOptions = {}): CompileResult {
  const t0 = performance.now();
  // The growth checkpoints are tuned to the default cap: a caller who changes the cap without giving checkpoints
  // gets none.
  const regexOpts = { ...DEFAULT_REGEX_OPTIONS, ...options.regex };
  if (options.regex?.maxSubsetStates !== undefined && options.regex.maxSubsetStates !== DEFAULT_REGEX_OPTIONS.maxSubsetStates && options.regex.subsetGrowth === undefined)
    delete regexOpts.subsetGrowth;
  const b = new Builder(regexOpts, options.regexCache, sourceNamer(options.sourceRoot));

  // 1. Configuration order -> phase order (stable).
  const configRules: ResolvedRule[] = [];
  const markerAt: { name: string; before: number }[] = []; // marker preceded by `before` rules in config order
  for (const it of ir.items) {
    if (it.kind === "rule") configRules.push(it.rule);
    else markerAt.push({ name: it.marker.name, before: configRules.length });
  }
  const order = configRules.map((r, i) => ({ r, i })).sort((a, c) => a.r.phase - c.r.phase || a.i - c.i);
  const phaseStart = [0, 0, 0, 0, 0, 0];
  for (const { r } of order) phaseStart[r.phase]!++;
  for (let p = 1; p <= PHASE_COUNT; p++) phaseStart[p]! += phaseStart[p - 1]!;
  const positionOfConfig = new Int32Array(configRules.length);
  order.forEach((o, pos) => (positionOfConfig[o.i] = pos));
  // rules of phase p among the first k config rules -> position in phase p
  const posInPhase = (p: number, k: number) => {
    let n = phaseStart[p - 1]!;
    for (let i = 0; i < k; i++) if (configRules[i]!.phase === p) n++;
    return n;
  };
  const markers = markerAt.map((m) => [b.str(m.name), ...[1, 2, 3, 4, 5].map((p) => posInPhase(p, m.before))]);

  b.txConstants = txLiteralValues(configRules);

  // 2. Regex progress: count patterns up front so the callback has a total.
  const total = new Set(configRules.flatMap((r) => [r, ...r.chain].filter((c) => ["rx", "rxGlobal", "verifyCC", "verifyCPF", "verifySSN", "verifySVNR"].includes(c.operator.name)).map((c) => c.operator.argument))).size;
  let done = 0;
  const regexFn = b.regex.bind(b);
  b.regex = (pattern, capture, loc, directive, what) => {
    const had = b.regexIndex.has(pattern);
    const r = regexFn(pattern, capture, loc, directive, what);
    if (!had && options.onProgress) options.onProgress(++done, Math.max(total, done));
    return r;
  };

  // 3. Rules.
  const explain = new Map<number, RuleExplain>();
  const ruleRecs: number[][] = [];
  const chainsPerPhase = [0, 0, 0, 0, 0];
  order.forEach(({ r, i: configIndex }, pos) => {
    const directive = r.directive;
    const condStart = b.conds.length;
    b.phase = r.phase;
    const conditions = [b.condition(pos, r, false, directive)];
    r.chain.forEach((l) => conditions.push(b.condition(pos, l, true, "SecRule")));
    if (r.chain.length) chainsPerPhase[r.phase - 1]!++;
    const acts = b.actionRange(r.actions, r.loc, directive);
    const tagStart = b.list.length;
    for (const t of r.metadata.tags) b.list.push(b.macro(t, r.loc, directive));
    const d = r.disruptive;
    let flags = (r.chain.length ? RuleFlags.CHAIN : 0) | (r.log ? RuleFlags.LOG : 0) | (r.auditLog ? RuleFlags.AUDITLOG : 0) | (r.directive === "SecAction" ? RuleFlags.SEC_ACTION : 0);
    if (d.source === "block") flags |= RuleFlags.DISRUPTIVE_FROM_BLOCK;
    if (d.source === "none") flags |= RuleFlags.DISRUPTIVE_IMPLICIT;
    let skipAfter = REF_NONE;
    let skipAfterText: RuleExplain["skipAfter"] = null;
    if (r.skipAfter) {
      const phaseEnd = phaseStart[r.phase]!;
      let target = phaseEnd;
      if (r.skipAfter.kind === "marker") {
        const m = markerAt.find((x) => x.name === r.skipAfter!.target && x.before > configIndex);
        if (m) target = posInPhase(r.phase, m.before);
      } else {
        const k = configRules.findIndex((x) => String(x.id) === r.skipAfter!.target);
        if (k > configIndex && configRules[k]!.phase === r.phase) target = positionOfConfig[k]! + 1;
      }
      skipAfter = target;
      skipAfterText = { target: r.skipAfter.target, position: target };
    }
    const md = r.metadata;
    ruleRecs.push([
      r.id >>> 0, r.phase, flags, condStart, b.conds.length - condStart,
      DISRUPTIVE_ID[d.action] ?? Disruptive.PASS, d.argument ? b.macro(d.argument, r.loc, directive) : REF_NONE,
      r.status ?? 0, md.severity ?? REF_NONE, md.maturity ?? REF_NONE, md.accuracy ?? REF_NONE,
      md.msg ? b.macro(md.msg, r.loc, directive) : REF_NONE, md.logdata ? b.macro(md.logdata, r.loc, directive) : REF_NONE,
      tagStart, md.tags.length, acts.start, acts.count, r.skip ?? 0, skipAfter,
      b.optStr(md.ver), b.optStr(md.rev), b.strings.intern(new TextEncoder().encode(b.sourceName(r.loc.file))), r.loc.line, configIndex,
    ]);
    explain.set(r.id, {
      id: r.id,
      phase: r.phase,
      position: pos,
      file: r.loc.file,
      line: r.loc.line,
      disruptive: `${d.action}${d.argument ? ":" + d.argument.raw : ""} (${d.source === "rule" ? "written in the rule" : d.source === "block" ? "from block: the phase's SecDefaultAction" : "none written: implicit pass"})`,
      flags: [r.chain.length && "chain", r.log && "log", r.auditLog && "auditlog", r.capture && "capture", r.multiMatch && "multiMatch", r.status !== null && `status:${r.status}`, md.severity !== null && `severity:${md.severity}`].filter((x): x is string => typeof x === "string"),
      skip: r.skip ?? 0,
      skipAfter: skipAfterText,
      msg: md.msg?.raw ?? null,
      tags: md.tags.map((t) => t.raw),
      actions: acts.texts,
      conditions,
    });
  });

  if (b.errors.length) throw new CompileErrors(b.errors);

  // 4. Regex objects, prefilter.
  const regexInfos: RegexInfo[] = [];
  const regexRecs: number[][] = [];
  const factorPhrases: Uint8Array[] = [];
  const factorOwner: number[] = [];
  for (const e of b.regexes) {
    const c = e.compiled;
    let matchPayload: Uint8Array;
    let matchKind: SectionKind;
    if (c.tier === "dfa") {
      matchPayload = encodeDfa(c.dfa!);
      matchKind = SectionKind.REGEX_DFA;
    } else if (c.tier === "lazy") {
      matchPayload = encodeNfa(c.nfa!);
      matchKind = SectionKind.REGEX_NFA;
    } else {
      matchPayload = encodeBacktrack(parseRegex(e.pattern));
      matchKind = SectionKind.REGEX_BACKTRACK;
    }
    const matchSection = b.tw.addSection(matchKind, matchPayload);
    let captureSection = REF_NONE;
    let bytes = matchPayload.length;
    if (e.needCapture) {
      if (c.captureEngine === "backtrack") {
        captureSection = c.tier === "backtrack" ? matchSection : b.tw.addSection(SectionKind.REGEX_BACKTRACK, encodeBacktrack(parseRegex(e.pattern)));
      } else {
        const cp = encodeNfa(c.captureProgram!);
        captureSection = b.tw.addSection(SectionKind.REGEX_CAPTURE, cp);
        bytes += cp.length;
      }
    }
    const flags = (c.factors.length ? RegexFlags.HAS_FACTORS : 0) | (c.requiredBytes ? RegexFlags.REQUIRED_BYTES : 0) | (c.wholeValue ? RegexFlags.WHOLE_VALUE : 0);
    for (const f of c.factors) {
      factorPhrases.push(latin1(f));
      factorOwner.push(e.index);
    }
    regexRecs.push([matchSection, captureSection, flags, c.groups]);
    regexInfos.push({
      index: e.index,
      pattern: e.pattern,
      tier: c.tier,
      matchSection,
      captureSection: captureSection === REF_NONE ? -1 : captureSection,
      states: c.dfa?.numStates ?? 0,
      classes: c.dfa?.numClasses ?? c.stats.byteClasses,
      instructions: c.nfa?.ops.length ?? 0,
      bytes,
      factors: c.factors,
      compileMs: c.stats.compileMs,
      capped: c.stats.subsetCapped,
    });
  }
  // The phrase lists of @pm folded into the prefilter: candidate G + j for the j-th folded list (format.ts).
  const pmSections: number[] = [];
  for (const l of b.acIndex.values()) {
    if (!l.request || l.list.length === 0 || l.list.some((ph) => ph.length < PM_FOLD_MIN_LENGTH)) continue;
    const owner = b.regexes.length + pmSections.length;
    pmSections.push(l.section);
    for (const ph of l.list) {
      factorPhrases.push(ph);
      factorOwner.push(owner);
    }
  }
  let regexMapSection = REF_NONE;
  let phraseCount = 0;
  if (b.regexes.length || pmSections.length) {
    let acSection = REF_NONE;
    const links: number[][] = [];
    if (factorPhrases.length) {
      const ac = buildAhoCorasick(factorPhrases);
      acSection = b.tw.addSection(SectionKind.REGEX_PREFILTER_AC, ac.payload);
      phraseCount = ac.phrases.length;
      for (let i = 0; i < phraseCount; i++) links.push([]);
      ac.phraseIdOf.forEach((pid, i) => {
        const l = links[pid]!;
        if (!l.includes(factorOwner[i]!)) l.push(factorOwner[i]!);
      });
    }
    const starts = [0];
    for (const l of links) starts.push(starts[starts.length - 1]! + l.length);
    const required = requiredAtoms(b.regexes.map((e) => e.compiled.requiredBytes));
    const atomCells: number[] = [];
    for (let i = 0; i < REGEX_ATOM_MAP_SIZE; i += 4) {
      const a = required.atomOf;
      atomCells.push((a[i]! | (a[i + 1]! << 8) | (a[i + 2]! << 16) | (a[i + 3]! << 24)) >>> 0);
    }
    regexMapSection = b.tw.addSection(
      SectionKind.REGEX_PREFILTER_MAP,
      encodeRecords(
        [b.regexes.length, phraseCount, starts[starts.length - 1]!, acSection],
        regexRecs,
        starts,
        links.flat(),
        atomCells,
        required.masks.map((m) => m ?? [0, 0]),
        [pmSections.length],
        pmSections,
      ),
    );
  }
  // Explain: fill in sections and sizes of regex objects.
  for (const ex of explain.values())
    for (const c of ex.conditions)
      if (c.object?.kind === "regex" && c.object.regexIndex !== undefined) {
        const info = regexInfos[c.object.regexIndex]!;
        c.object.section = info.matchSection;
        c.object.bytes = info.bytes;
        if (info.captureSection >= 0) c.object.captureSection = info.captureSection;
      }

  // 5. Program sections.
  const settings = settingsEntries(b, ir.settings, ir.files);
  const stringsSection = b.tw.addSection(SectionKind.STRINGS, b.strings.encode());
  const chainsSection = b.tw.addSection(SectionKind.CHAINS, encodeRecords([b.conds.length, 0], b.conds));
  const targetsSection = b.tw.addSection(SectionKind.TARGETS, encodeRecords([b.targets.length, 0], b.targets));
  const pStarts = [0];
  for (const p of b.pipelines) pStarts.push(pStarts[pStarts.length - 1]! + p.length);
  const transformsSection = b.tw.addSection(SectionKind.TRANSFORMATIONS, encodeRecords([b.pipelines.length, pStarts[pStarts.length - 1]!], pStarts, b.pipelines.flat()));
  const actionsSection = b.tw.addSection(
    SectionKind.ACTIONS,
    encodeRecords([b.actions.length, b.macros.length, b.parts.length, b.list.length], b.actions, b.macros, b.parts, b.list),
  );
  const settingsSection = b.tw.addSection(SectionKind.METADATA, encodeRecords([settings.length, 0], settings));
  const rulesPayload = encodeRecords(
    [ruleRecs.length, markers.length, stringsSection, chainsSection, targetsSection, transformsSection, actionsSection, settingsSection, regexMapSection, 0, ...phaseStart],
    ruleRecs,
    markers,
  );
  b.tw.addSection(SectionKind.RULES, rulesPayload);
  if (CHAINS_HEADER_SIZE !== 8 || ACTIONS_HEADER_SIZE !== 16 || RULES_HEADER_SIZE !== 64) throw new Error("program header layout");

  const sourceHash = sha256(Buffer.concat(ir.files.map((f) => Buffer.from(b.sourceName(f) + "\0"))));
  const table = b.tw.finish(sourceHash);

  const sectionBytes: Record<string, number> = {};
  // Recompute per-kind sizes from the writer's inputs (cheap: read them back from the table directory).
  const dvt = new DataView(table.buffer, table.byteOffset, table.byteLength);
  const count = dvt.getUint32(16, true);
  for (let i = 0; i < count; i++) {
    const k = sectionKindName(dvt.getUint16(64 + 16 * i, true));
    sectionBytes[k] = (sectionBytes[k] ?? 0) + dvt.getUint32(64 + 16 * i + 8, true);
  }
  const tiers = { dfa: 0, lazy: 0, backtrack: 0 };
  for (const r of regexInfos) tiers[r.tier]++;
  const stats: CompileStatsSummary = {
    rules: ruleRecs.length,
    conditions: b.conds.length,
    chainsPerPhase,
    rulesPerPhase: [1, 2, 3, 4, 5].map((p) => phaseStart[p]! - phaseStart[p - 1]!),
    markers: markers.length,
    targets: b.targets.length,
    pipelines: b.pipelines.length,
    actions: b.actions.length,
    macros: b.macros.length,
    regexes: {
      total: regexInfos.length,
      ...tiers,
      dfaStates: regexInfos.reduce((s, r) => s + r.states, 0),
      dfaBytes: sectionBytes["REGEX_DFA"] ?? 0,
      nfaBytes: (sectionBytes["REGEX_NFA"] ?? 0) + (sectionBytes["REGEX_CAPTURE"] ?? 0),
      prefiltered: regexInfos.filter((r) => r.factors.length).length,
      factors: phraseCount,
      pmFolded: pmSections.length,
    },
    acObjects: b.acIndex.size,
    ipObjects: b.ipIndex.size,
    sections: count,
    tableBytes: table.length,
    sectionBytes,
    compileMs: performance.now() - t0,
    regexMs: b.regexMs,
  };
  return { table, stats, explain, regexes: regexInfos };
}
