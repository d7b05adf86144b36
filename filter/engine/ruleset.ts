// The compiled rule set as the engine uses it, once per VM: the loaded table, its decoded program, and caches
// derived from them (string bytes, pipelines as byte arrays, the regexes and their prefilter built and validated at load time by filter/program/regexes.ts,
// the engine settings with ModSecurity v3's defaults).
import {
  BodyProcessor, MacroPartKind, PART_CELLS, MACRO_CELLS, REF_NONE, RegexFlags, RuleEngineMode, SectionKind, Setting,
  SettingValue, SETTING_CELLS, REGEX_MAP_HEADER_SIZE, REGEX_RECORD_CELLS, RegexMap, Rule, RULE_CELLS, Cond, COND_CELLS,
  OperatorKind,
} from "../../rulesets/tables/format";
import { Table } from "../tables/reader";
import { AcMatcher } from "../tables/aho_corasick";
import { IpMatcher } from "../tables/ip_trie";
import { Program } from "../program/program";
import { Regex } from "../regex/regex";
import { RegexSet } from "../program/regexes";
import { EMPTY, latin1 } from "./bytes";
import { keyHash } from "./collection";
import { at, len, u32at } from "./raw";

const NONE: u32 = <u32>REF_NONE;

export class Settings {
  ruleEngine: i32 = RuleEngineMode.OFF; // ModSecurity's default when SecRuleEngine is absent
  requestBodyAccess: bool = false;
  responseBodyAccess: bool = false;
  requestBodyLimit: i64 = 13107200;
  requestBodyNoFilesLimit: i64 = -1;
  requestBodyLimitReject: bool = true;
  jsonDepthLimit: f64 = 10000;
  responseBodyLimit: i64 = 524288;
  responseBodyLimitReject: bool = true;
  /** SecResponseBodyMimeType list (set or not: ModSecurity inspects every type when the list was never set). */
  mimeTypes: Array<string> = new Array<string>();
  mimeTypesSet: bool = false;
  argumentSeparator: u8 = 0x26;
  argumentsLimit: i32 = -1;
  webAppId: string = "";
  uploadFileLimit: i32 = 0;
  collectionTimeout: i64 = 3600;
  pcreMatchLimit: i32 = 0;
}

export class Ruleset {
  readonly table: Table;
  readonly prog: Program;
  readonly settings: Settings = new Settings();
  /** Bytes of each string id (lazily filled). */
  private strs: Array<ArrayBuffer | null> = new Array<ArrayBuffer | null>();
  /** keyHash of each string id (0: not computed yet). */
  private strHashes: StaticArray<u32> = new StaticArray<u32>(0);
  /** Static text of macros made only of TEXT parts (null = has references, or not computed). */
  staticMacro: Array<ArrayBuffer | null> = new Array<ArrayBuffer | null>();
  macroIsStatic: Uint8Array = new Uint8Array(0);
  /** keyHash of each static macro's text (0: not computed yet). */
  private macroHashes: StaticArray<u32> = new StaticArray<u32>(0);
  /** Pipelines as transformation id bytes. */
  pipes: Array<StaticArray<u8>> = new Array<StaticArray<u8>>();
  /** The regex directory as ready matchers and the prefilter (filter/program/regexes.ts), built at load time. */
  readonly regexSet: RegexSet;
  /** Whether a phase has any rule. */
  phaseHasRules: StaticArray<bool> = new StaticArray<bool>(6);
  /** Rule index -> source file string (for logs), cached. */
  fileNames: Array<string | null> = new Array<string | null>();

  constructor(table: Table, prog: Program, regexSet: RegexSet) {
    this.table = table;
    this.prog = prog;
    this.regexSet = regexSet;
    const strCount = prog.strings === null ? 0 : <i32>prog.strings!.count;
    this.strs = new Array<ArrayBuffer | null>(strCount);
    this.strHashes = new StaticArray<u32>(strCount);
    this.staticMacro = new Array<ArrayBuffer | null>(prog.macroCount);
    this.macroIsStatic = new Uint8Array(prog.macroCount);
    this.macroHashes = new StaticArray<u32>(prog.macroCount);
    for (let m = 0; m < prog.macroCount; m++) {
      const ps = <i32>prog.macros[m * MACRO_CELLS], pn = <i32>prog.macros[m * MACRO_CELLS + 1];
      let stat = true;
      for (let k = ps; k < ps + pn; k++) if (prog.parts[k * PART_CELLS] != MacroPartKind.TEXT) stat = false;
      this.macroIsStatic[m] = stat ? 1 : 0;
    }
    for (let p = 0; p < prog.pipelineCount; p++) {
      const s = <i32>prog.pipelineStarts[p], e = <i32>prog.pipelineStarts[p + 1];
      const a = new StaticArray<u8>(e - s);
      for (let i = s; i < e; i++) unchecked((a[i - s] = <u8>prog.pipelineIds[i]));
      this.pipes.push(a);
    }
    for (let p = 1; p <= 5; p++) unchecked((this.phaseHasRules[p] = prog.phaseEnd(p) > prog.phaseBegin(p)));
    this.fileNames = new Array<string | null>(prog.ruleCount);
    this.loadSettings();
  }

  private loadSettings(): void {
    const st = this.settings;
    const s = this.prog.settings;
    const n = s.length / SETTING_CELLS;
    for (let i = 0; i < n; i++) {
      const key = <i32>s[i * SETTING_CELLS], kind = <i32>s[i * SETTING_CELLS + 1], v = s[i * SETTING_CELLS + 2];
      switch (key) {
        case Setting.RULE_ENGINE: st.ruleEngine = <i32>v; break;
        case Setting.REQUEST_BODY_ACCESS: st.requestBodyAccess = v != 0; break;
        case Setting.RESPONSE_BODY_ACCESS: st.responseBodyAccess = v != 0; break;
        case Setting.REQUEST_BODY_LIMIT: st.requestBodyLimit = <i64>v; break;
        case Setting.REQUEST_BODY_NO_FILES_LIMIT: st.requestBodyNoFilesLimit = <i64>v; break;
        case Setting.REQUEST_BODY_LIMIT_ACTION: st.requestBodyLimitReject = v == 0; break;
        case Setting.REQUEST_BODY_JSON_DEPTH_LIMIT: st.jsonDepthLimit = <f64>v; break;
        case Setting.RESPONSE_BODY_LIMIT: st.responseBodyLimit = <i64>v; break;
        case Setting.RESPONSE_BODY_LIMIT_ACTION: st.responseBodyLimitReject = v == 0; break;
        case Setting.RESPONSE_BODY_MIME_TYPE:
          if (kind == SettingValue.STRING) st.mimeTypes.push(this.text(v));
          st.mimeTypesSet = true;
          break;
        case Setting.RESPONSE_BODY_MIME_TYPES_CLEARED: st.mimeTypesSet = true; break;
        case Setting.ARGUMENT_SEPARATOR: {
          const b = this.str(v);
          if (b.byteLength > 0) st.argumentSeparator = load<u8>(changetype<usize>(b));
          break;
        }
        case Setting.ARGUMENTS_LIMIT: st.argumentsLimit = <i32>v; break;
        case Setting.WEB_APP_ID: st.webAppId = this.text(v); break;
        case Setting.UPLOAD_FILE_LIMIT: st.uploadFileLimit = <i32>v; break;
        case Setting.COLLECTION_TIMEOUT: st.collectionTimeout = <i64>v; break;
        case Setting.PCRE_MATCH_LIMIT: st.pcreMatchLimit = <i32>v; break;
        default: break;
      }
    }
  }

  /** Bytes of string id (cached; EMPTY for NONE/out of range). Inlined: the engine reads selector keys and operator
   *  arguments for nearly every condition. */
  @inline str(id: u32): ArrayBuffer {
    const strs = this.strs;
    if (id < <u32>len(strs)) {
      const b = at(strs, <i32>id);
      if (b !== null) return b;
    }
    return this.strSlow(id);
  }

  /** keyHash (filter/engine/collection.ts) of string id, computed once. */
  /** keyHash of macro id when it is static text (setvar keys), computed once; 0 when it has references. */
  staticMacroHash(id: u32): u32 {
    if (<i32>id >= this.macroHashes.length || unchecked(this.macroIsStatic[<i32>id]) == 0) return 0;
    let h = unchecked(this.macroHashes[<i32>id]);
    if (h == 0) {
      const b = unchecked(this.staticMacro[<i32>id]);
      if (b === null) return 0; // not expanded yet
      h = keyHash(changetype<usize>(b), b.byteLength);
      unchecked((this.macroHashes[<i32>id] = h));
    }
    return h;
  }

  strHash(id: u32): u32 {
    if (id >= <u32>this.strHashes.length) {
      const e = this.str(id); // EMPTY
      return keyHash(changetype<usize>(e), e.byteLength);
    }
    let h = unchecked(this.strHashes[<i32>id]);
    if (h == 0) {
      const b = this.str(id);
      h = keyHash(changetype<usize>(b), b.byteLength);
      unchecked((this.strHashes[<i32>id] = h));
    }
    return h;
  }

  private strSlow(id: u32): ArrayBuffer {
    if (id == NONE || <i32>id >= len(this.strs)) return EMPTY;
    let b = at(this.strs, <i32>id);
    if (b === null) {
      const u = this.prog.strings!.bytes(id);
      b = u.buffer;
      unchecked((this.strs[<i32>id] = b));
    }
    return b;
  }

  /** String id as text (UTF-8 decoded). */
  text(id: u32): string {
    if (id == NONE) return "";
    return String.UTF8.decode(this.str(id));
  }

  private acs: Array<AcMatcher | null> = new Array<AcMatcher | null>();
  private ips: Array<IpMatcher | null> = new Array<IpMatcher | null>();

  /** The phrase set of section i (cached per section: the hot path skips the table's section lookup). */
  ac(i: i32): AcMatcher | null {
    if (i < 0) return null;
    if (i >= this.acs.length) {
      const n = this.table.sectionCount;
      this.acs = new Array<AcMatcher | null>(n);
      this.ips = new Array<IpMatcher | null>(n);
      for (let k = 0; k < n; k++) {
        unchecked((this.acs[k] = this.table.ac(k)));
        unchecked((this.ips[k] = this.table.ip(k)));
      }
      if (i >= n) return null;
    }
    return unchecked(this.acs[i]);
  }

  ip(i: i32): IpMatcher | null {
    if (this.ac(i) === null && (i < 0 || i >= this.ips.length)) return null;
    return unchecked(this.ips[i]);
  }

  @inline regex(i: i32): Regex | null {
    if (i < 0 || i >= this.regexSet.count) return null;
    return this.regexSet.get(i);
  }

  // ---- rule record accessors ----
  @inline rule(i: i32, f: i32): u32 {
    return u32at(this.prog.rules, i * RULE_CELLS + f);
  }
  @inline cond(i: i32, f: i32): u32 {
    return u32at(this.prog.conds, i * COND_CELLS + f);
  }

  ruleFile(i: i32): string {
    let f = unchecked(this.fileNames[i]);
    if (f === null) {
      f = this.text(this.rule(i, Rule.FILE));
      unchecked((this.fileNames[i] = f));
    }
    return f;
  }

  /** Whether any rule of the phase uses the given operator (tests, diagnostics). */
  phaseUses(phase: i32, op: i32): bool {
    const b = <i32>this.prog.phaseBegin(phase), e = <i32>this.prog.phaseEnd(phase);
    for (let r = b; r < e; r++) {
      const cs = <i32>this.rule(r, Rule.COND_START), cn = <i32>this.rule(r, Rule.COND_COUNT);
      for (let c = cs; c < cs + cn; c++) if (<i32>this.cond(c, Cond.OP) == op) return true;
    }
    return false;
  }
}

export function bodyProcessorName(p: i32): string {
  switch (p) {
    case BodyProcessor.URLENCODED: return "URLENCODED";
    case BodyProcessor.MULTIPART: return "MULTIPART";
    case BodyProcessor.XML: return "XML";
    case BodyProcessor.JSON: return "JSON";
  }
  return "";
}

