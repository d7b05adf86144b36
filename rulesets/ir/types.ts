// The SecLang intermediate representation: the contract between the SecLang front end
// (rulesets/seclang), the compiler back end and the filter engine.
//
// Everything here is plain data (JSON-serialisable: no classes, no Maps, no RegExps) so the
// back end can cache it, diff it and print it for `--explain`.
//
// Conventions
// - Names of variables, operators, transformations, actions and ctl options are canonical
//   (the spelling of the catalogue in ./catalog.ts), whatever case the source used.
// - Patterns (`@rx`, `ARGS:/re/`) are kept raw, byte for byte as ModSecurity v3 hands them
//   to PCRE; nothing here compiles or rewrites a regex.
// - Strings that ModSecurity expands at run time (`msg`, `logdata`, `setvar` values,
//   operator arguments, ...) are `MacroString`s: the raw text plus its literal/reference parts.

/** Where a directive starts: absolute file path and 1-based line of its first line. */
export interface SourceLoc {
  file: string;
  line: number;
}

// ---------------------------------------------------------------------------------------------
// Macros: %{collection.key}
// ---------------------------------------------------------------------------------------------

export type MacroPart =
  | { kind: "text"; text: string }
  /** `%{TX.anomaly_score}` → collection "TX", key "anomaly_score"; `%{MATCHED_VAR}` → key null.
   *  `collection` is canonical (upper case); `key` keeps the source spelling. */
  | { kind: "ref"; collection: string; key: string | null; raw: string };

export interface MacroString {
  /** The text exactly as written (after quote removal). */
  raw: string;
  /** Literal text and references, in order; adjacent literal text is merged. */
  parts: MacroPart[];
  /** True when at least one part is a reference (the value must be expanded at run time). */
  dynamic: boolean;
}

// ---------------------------------------------------------------------------------------------
// Variables (rule targets)
// ---------------------------------------------------------------------------------------------

export type VariableSelector =
  /** `ARGS:foo` — a key, compared as ModSecurity does (case-insensitively for most collections). */
  | { kind: "key"; value: string }
  /** `ARGS:/^foo/` or `ARGS:'/^foo/'` — a regex on the key, raw PCRE text without the slashes. */
  | { kind: "regex"; pattern: string }
  /** `XML:/*` — an XPath expression (only for XML). */
  | { kind: "xpath"; expr: string };

export interface VariableRef {
  /** Canonical variable name, e.g. "ARGS", "REQUEST_HEADERS", "TX", "REQUEST_URI". */
  name: string;
  selector: VariableSelector | null;
  /** `&ARGS` — the number of elements rather than their values. */
  count: boolean;
  /** `!ARGS:foo` — removes matching elements from the rule's other targets. */
  exclude: boolean;
  /** Source text of this one target, e.g. "!REQUEST_COOKIES:/__utm/". */
  raw: string;
}

// ---------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------

export interface DataFile {
  /** The path as written in the rule. */
  path: string;
  /** Absolute path, resolved relative to the directory of the rule's file. */
  resolvedPath: string;
  /** File content, verbatim. */
  content: string;
  /** Entries as ModSecurity loads them: one per line, blank lines and lines whose first
   *  non-blank character is `#` left out, a trailing CR removed. */
  entries: string[];
}

export interface OperatorIR {
  /** Canonical operator name without `@`: "rx", "pm", "pmFromFile", "eq", "detectSQLi", ... */
  name: string;
  /** `!@rx ...` */
  negated: boolean;
  /** True when the rule had no `@op` (implicit `@rx`), and for `SecAction`
   *  (implicit `@unconditionalMatch`). */
  implicit: boolean;
  /** The argument exactly as ModSecurity passes it on ("" for operators without one). */
  argument: string;
  /** The argument with its `%{...}` references parsed (operators that expand macros). */
  macro: MacroString;
  /** `@pmFromFile` / `@ipMatchFromFile`: the data files named by the argument, with content. */
  dataFiles?: DataFile[];
}

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

/** A range of rule ids, inclusive (a single id has from === to). */
export interface IdRange {
  from: number;
  to: number;
}

export type SetVarOp = "set" | "add" | "sub" | "unset";

export interface SetVarIR {
  /** Canonical collection: "TX", "IP", "SESSION", "USER", "GLOBAL", "RESOURCE". */
  collection: string;
  /** Variable name inside the collection; may contain macros (`tx.%{rule.id}-x`). */
  key: MacroString;
  /** `=` set, `=+` add, `=-` subtract, `!` unset. `setvar:tx.x` (no value) sets "1". */
  op: SetVarOp;
  /** The value ("" for unset; "1" when no value was written). */
  value: MacroString;
}

/** ctl: options. `value` is the raw text after `=`; typed forms are filled in where they exist. */
export interface CtlIR {
  /** Canonical option name: "ruleEngine", "ruleRemoveTargetById", ... */
  option: string;
  value: string;
  /** ruleRemoveById / ruleRemoveTargetById: ids and ranges. */
  ids?: IdRange[];
  /** ruleRemoveByTag / ruleRemoveTargetByTag: the tag; ruleRemoveByMsg / …ByMsg: the message. */
  match?: string;
  /** ruleRemoveTarget*: the targets after `;` (e.g. ARGS:foo). */
  targets?: VariableRef[];
}

/** One action as written (after canonicalisation and argument checking). */
export interface ActionIR {
  /** Canonical name: "setvar", "ctl", "t", "capture", "deny", "msg", ... */
  name: string;
  /** The argument after `:` with surrounding single quotes removed; null when none. */
  argument: string | null;
  /** True when the argument was written in single quotes. */
  quoted: boolean;
  /** Typed payloads for the actions that have one. */
  setvar?: SetVarIR;
  ctl?: CtlIR;
  /** msg, logdata, tag, redirect, setenv, setuid, setsid, initcol/expirevar values, ... */
  macro?: MacroString;
  /** Numeric argument: status, skip, severity, accuracy, maturity, expirevar seconds. */
  number?: number;
  /** True in a resolved rule when the action came from SecDefaultAction. */
  inherited?: boolean;
}

export type DisruptiveName = "pass" | "deny" | "drop" | "allow" | "redirect" | "proxy" | "block";

export interface DisruptiveIR {
  /** The effective action the engine executes on a match ("block" never appears here). */
  action: Exclude<DisruptiveName, "block">;
  /** allow: "" (all remaining phases), "request" or "phase". redirect/proxy: the URL. */
  argument: MacroString | null;
  /**
   * - "rule":  written in the rule.
   * - "block": the rule says `block`; this is the SecDefaultAction's disruptive action of the
   *            rule's phase (ModSecurity v3: `block` runs the default's disruptive action).
   * - "none":  the rule has no disruptive action; ModSecurity v3 then does nothing disruptive
   *            (it does NOT inherit the default's disruptive action unless the rule says
   *            `block`), so this is an implicit `pass`.
   */
  source: "rule" | "block" | "none";
}

export interface RuleMetadata {
  msg: MacroString | null;
  logdata: MacroString | null;
  tags: MacroString[];
  /** 0 (EMERGENCY) … 7 (DEBUG); null when not given. */
  severity: number | null;
  ver: string | null;
  rev: string | null;
  maturity: number | null;
  accuracy: number | null;
}

// ---------------------------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------------------------

export type Phase = 1 | 2 | 3 | 4 | 5;

/** One SecRule (or SecAction) as written, before configuration-time semantics. */
export interface ParsedRule {
  directive: "SecRule" | "SecAction";
  loc: SourceLoc;
  /** The whole directive as it appears in the file (continuation lines included). */
  raw: string;
  variables: VariableRef[];
  operator: OperatorIR;
  /** All actions in source order (transformations included, as name "t"). */
  actions: ActionIR[];
}

/** A chain link (every rule after a chain head). */
export interface ResolvedLink {
  loc: SourceLoc;
  raw: string;
  variables: VariableRef[];
  operator: OperatorIR;
  /** Effective transformation pipeline (canonical names, `none` removed). */
  transformations: string[];
  capture: boolean;
  multiMatch: boolean;
  /** Run-time actions other than metadata, flow and disruptive ones (setvar, ctl, ...),
   *  in source order. */
  actions: ActionIR[];
}

export interface ResolvedRule {
  /** Unique within the rule set. */
  id: number;
  directive: "SecRule" | "SecAction";
  phase: Phase;
  loc: SourceLoc;
  raw: string;
  variables: VariableRef[];
  operator: OperatorIR;
  /**
   * Effective transformation pipeline: the SecDefaultAction `t:` list of the phase followed
   * by the rule's own, unless the rule has `t:none` — then only what follows its last `t:none`
   * (ModSecurity v3 semantics). Canonical names, `none` never appears.
   */
  transformations: string[];
  /** The rule's own `t:` actions as written (with `none`), for `--explain`. */
  ownTransformations: string[];
  disruptive: DisruptiveIR;
  /** Effective log / auditlog flags (defaults, then the rule's own; last one wins). */
  log: boolean;
  auditLog: boolean;
  /** status:N from the rule, else from the phase's SecDefaultAction; null when neither. */
  status: number | null;
  capture: boolean;
  multiMatch: boolean;
  metadata: RuleMetadata;
  /** Run-time actions executed on a match, other than metadata/flow/disruptive/t/log flags:
   *  the SecDefaultAction's (marked inherited, first), then the rule's own, in source order. */
  actions: ActionIR[];
  /** skip:N — number of following rules/chains of the same phase to skip. */
  skip: number | null;
  /** skipAfter:NAME — resolved to a marker (or, as ModSecurity v2 allows, a rule id). */
  skipAfter: { target: string; kind: "marker" | "rule"; loc: SourceLoc } | null;
  /** Chain links, in order (empty when the rule is not a chain). */
  chain: ResolvedLink[];
  /** Configuration-time edits applied to this rule, for `--explain`. */
  updates: { directive: string; loc: SourceLoc }[];
}

export interface MarkerIR {
  name: string;
  loc: SourceLoc;
}

/** Rules and markers in configuration order. Markers belong to every phase. */
export type RuleSetItem = { kind: "rule"; rule: ResolvedRule } | { kind: "marker"; marker: MarkerIR };

// ---------------------------------------------------------------------------------------------
// Settings (engine configuration directives)
// ---------------------------------------------------------------------------------------------

export type RuleEngineMode = "On" | "Off" | "DetectionOnly";

export interface AuditSettings {
  engine?: "On" | "Off" | "RelevantOnly";
  log?: string;
  log2?: string;
  parts?: string;
  relevantStatus?: string;
  type?: "Serial" | "Concurrent" | "HTTPS";
  format?: "JSON" | "Native";
  storageDir?: string;
  fileMode?: string;
  dirMode?: string;
}

/** Values of the engine directives. A field is absent when no directive set it (the engine
 *  applies its own default then). */
export interface Settings {
  ruleEngine?: RuleEngineMode;
  requestBodyAccess?: boolean;
  responseBodyAccess?: boolean;
  requestBodyLimit?: number;
  requestBodyNoFilesLimit?: number;
  requestBodyInMemoryLimit?: number;
  requestBodyLimitAction?: "Reject" | "ProcessPartial";
  requestBodyJsonDepthLimit?: number;
  responseBodyLimit?: number;
  responseBodyLimitAction?: "Reject" | "ProcessPartial";
  /** SecResponseBodyMimeType (accumulates; SecResponseBodyMimeTypesClear empties it). */
  responseBodyMimeTypes?: string[];
  argumentSeparator?: string;
  argumentsLimit?: number;
  cookieFormat?: 0 | 1;
  unicodeMap?: { file: string; resolvedPath: string; codePage: number };
  componentSignatures: string[];
  collectionTimeout?: number;
  webAppId?: string;
  statusEngine?: "On" | "Off";
  pcreMatchLimit?: number;
  pcreMatchLimitRecursion?: number;
  xmlExternalEntity?: boolean;
  uploadKeepFiles?: "On" | "Off" | "RelevantOnly";
  uploadFileLimit?: number;
  audit: AuditSettings;
  /** Where each setting was last set (key = Settings field name, `audit.*` for audit). */
  setAt: Record<string, SourceLoc>;
}

/** A SecDefaultAction, per phase. */
export interface DefaultActionIR {
  phase: Phase;
  loc: SourceLoc;
  raw: string;
  actions: ActionIR[];
}

/** A rule removed by a SecRuleRemoveBy* directive (kept for `--explain`). */
export interface RemovedRule {
  id: number;
  loc: SourceLoc;
  by: { directive: string; loc: SourceLoc };
}

// ---------------------------------------------------------------------------------------------
// The result
// ---------------------------------------------------------------------------------------------

export interface Diagnostic {
  file: string;
  line: number;
  /** The directive the diagnostic is about (e.g. "SecRule", "Include"). */
  directive: string;
  message: string;
}

export interface Warning extends Diagnostic {
  /**
   * - "no-effect": accepted, but has no effect in this product (e.g. SecDebugLog, SecTmpDir).
   * - "limited": accepted; the engine cannot fully honour it (e.g. @rbl needs DNS).
   * - "divergence": ModSecurity v2 and v3 behave differently; we follow what the message says.
   * - "suspicious": valid, but probably not what was meant (e.g. removal matching nothing).
   */
  code: "no-effect" | "limited" | "divergence" | "suspicious";
}

export interface RuleSetIR {
  /** Files read, in the order they were read (main files and includes). */
  files: string[];
  settings: Settings;
  defaultActions: Partial<Record<Phase, DefaultActionIR>>;
  /** Rules (chains grouped) and markers in configuration order, after removals and updates. */
  items: RuleSetItem[];
  removed: RemovedRule[];
  warnings: Warning[];
}
