// Catalogues of what SecLang can name: variables, operators, transformations, actions and
// ctl options, with their argument kinds and what they need from the transaction.
//
// `support` says what this product does with a known construct:
// - "full":        implemented (or to be implemented) by the engine.
// - "limited":     accepted; the engine cannot fully honour it here (a warning says why).
// - "no-effect":   accepted, does nothing in this product (a warning says so).
// - "unsupported": known SecLang, but rejected with an error (it cannot work in a proxy-wasm
//                  filter, or ModSecurity v3 rejects it too).
// Names are matched case-insensitively, as ModSecurity v3's lexer does; the catalogue spelling
// is the canonical one written into the IR.

import type { Phase } from "./types";

export type Support = "full" | "limited" | "no-effect" | "unsupported";

/** What part of the transaction a variable (or operator) needs. */
export type DataNeed = "requestHeaders" | "requestBody" | "responseHeaders" | "responseBody";

// ---------------------------------------------------------------------------------------------
// Variables
// ---------------------------------------------------------------------------------------------

export interface VariableInfo {
  name: string;
  /** Takes a `:key` / `:/regex/` selector (collections). */
  collection: boolean;
  /** Earliest phase in which the value is complete. */
  phase: Phase;
  needs: DataNeed[];
  /** A setvar/initcol target (TX and the persistent collections). */
  writable?: boolean;
  support: Support;
  note?: string;
}

function v(
  name: string,
  collection: boolean,
  phase: Phase,
  needs: DataNeed[] = [],
  extra: Partial<VariableInfo> = {},
): VariableInfo {
  return { name, collection, phase, needs, support: "full", ...extra };
}

const RH: DataNeed[] = ["requestHeaders"];
const RB: DataNeed[] = ["requestHeaders", "requestBody"];
const SH: DataNeed[] = ["responseHeaders"];
const SB: DataNeed[] = ["responseHeaders", "responseBody"];

export const VARIABLES: readonly VariableInfo[] = [
  // request line and headers (phase 1)
  v("ARGS_GET", true, 1, RH),
  v("ARGS_GET_NAMES", true, 1, RH),
  v("QUERY_STRING", false, 1, RH),
  v("REQUEST_BASENAME", false, 1, RH),
  v("REQUEST_COOKIES", true, 1, RH),
  v("REQUEST_COOKIES_NAMES", true, 1, RH),
  v("REQUEST_FILENAME", false, 1, RH),
  v("REQUEST_HEADERS", true, 1, RH),
  v("REQUEST_HEADERS_NAMES", true, 1, RH),
  v("REQUEST_LINE", false, 1, RH),
  v("REQUEST_METHOD", false, 1, RH),
  v("REQUEST_PROTOCOL", false, 1, RH),
  v("REQUEST_URI", false, 1, RH),
  v("REQUEST_URI_RAW", false, 1, RH),
  v("PATH_INFO", false, 1, RH),
  v("AUTH_TYPE", false, 1, RH),
  v("REMOTE_ADDR", false, 1),
  v("REMOTE_PORT", false, 1),
  v("REMOTE_HOST", false, 1, [], { support: "limited", note: "no reverse DNS lookup; holds the address" }),
  v("REMOTE_USER", false, 1, RH),
  v("SERVER_ADDR", false, 1),
  v("SERVER_NAME", false, 1, RH),
  v("SERVER_PORT", false, 1),
  v("UNIQUE_ID", false, 1),
  v("URLENCODED_ERROR", false, 1, RH),
  // request body (phase 2)
  v("ARGS", true, 2, RB),
  v("ARGS_NAMES", true, 2, RB),
  v("ARGS_POST", true, 2, RB),
  v("ARGS_POST_NAMES", true, 2, RB),
  v("ARGS_COMBINED_SIZE", false, 2, RB),
  v("FILES", true, 2, RB),
  v("FILES_NAMES", true, 2, RB),
  v("FILES_SIZES", true, 2, RB),
  v("FILES_COMBINED_SIZE", false, 2, RB),
  v("FILES_TMPNAMES", true, 2, RB, { support: "limited", note: "uploads are never written to disk" }),
  v("FILES_TMP_CONTENT", true, 2, RB, { support: "limited", note: "uploads are never written to disk" }),
  v("FULL_REQUEST", false, 2, RB),
  v("FULL_REQUEST_LENGTH", false, 2, RB),
  v("INBOUND_DATA_ERROR", false, 2, RB),
  v("MULTIPART_BOUNDARY_QUOTED", false, 2, RB),
  v("MULTIPART_BOUNDARY_WHITESPACE", false, 2, RB),
  v("MULTIPART_CRLF_LF_LINES", false, 2, RB),
  v("MULTIPART_DATA_AFTER", false, 2, RB),
  v("MULTIPART_DATA_BEFORE", false, 2, RB),
  v("MULTIPART_FILE_LIMIT_EXCEEDED", false, 2, RB),
  v("MULTIPART_FILENAME", true, 2, RB),
  v("MULTIPART_HEADER_FOLDING", false, 2, RB),
  v("MULTIPART_INVALID_HEADER_FOLDING", false, 2, RB),
  v("MULTIPART_INVALID_PART", false, 2, RB),
  v("MULTIPART_INVALID_QUOTING", false, 2, RB),
  v("MULTIPART_LF_LINE", false, 2, RB),
  v("MULTIPART_MISSING_SEMICOLON", false, 2, RB),
  v("MULTIPART_SEMICOLON_MISSING", false, 2, RB),
  v("MULTIPART_NAME", true, 2, RB),
  v("MULTIPART_PART_HEADERS", true, 2, RB),
  v("MULTIPART_STRICT_ERROR", false, 2, RB),
  v("MULTIPART_UNMATCHED_BOUNDARY", false, 2, RB),
  v("REQBODY_ERROR", false, 2, RB),
  v("REQBODY_ERROR_MSG", false, 2, RB),
  v("REQBODY_PROCESSOR", false, 1, RH),
  v("REQBODY_PROCESSOR_ERROR", false, 2, RB),
  v("REQBODY_PROCESSOR_ERROR_MSG", false, 2, RB),
  v("REQUEST_BODY", false, 2, RB),
  v("REQUEST_BODY_LENGTH", false, 2, RB),
  v("XML", true, 2, RB),
  // response (phases 3 and 4)
  v("RESPONSE_CONTENT_LENGTH", false, 3, SH),
  v("RESPONSE_CONTENT_TYPE", false, 3, SH),
  v("RESPONSE_HEADERS", true, 3, SH),
  v("RESPONSE_HEADERS_NAMES", true, 3, SH),
  v("RESPONSE_PROTOCOL", false, 3, SH),
  v("RESPONSE_STATUS", false, 3, SH),
  v("STATUS", false, 3, SH),
  v("STATUS_LINE", false, 3, SH),
  v("RESPONSE_BODY", false, 4, SB),
  v("OUTBOUND_DATA_ERROR", false, 4, SB),
  // engine and rule state
  v("TX", true, 1, [], { writable: true }),
  v("IP", true, 1, [], { writable: true }),
  v("SESSION", true, 1, [], { writable: true }),
  v("USER", true, 1, [], { writable: true }),
  v("GLOBAL", true, 1, [], { writable: true }),
  v("RESOURCE", true, 1, [], { writable: true }),
  v("SESSIONID", false, 1),
  v("USERID", false, 1),
  v("WEBAPPID", false, 1),
  v("ENV", true, 1),
  v("GEO", true, 1, [], { support: "limited", note: "no GeoIP database in the filter; always empty" }),
  v("RULE", true, 1),
  v("MATCHED_VAR", false, 1),
  v("MATCHED_VARS", true, 1),
  v("MATCHED_VAR_NAME", false, 1),
  v("MATCHED_VARS_NAMES", true, 1),
  v("HIGHEST_SEVERITY", false, 1),
  v("DURATION", false, 1),
  v("MODSEC_BUILD", false, 1),
  v("MSC_PCRE_ERROR", false, 1),
  v("MSC_PCRE_LIMITS_EXCEEDED", false, 1),
  v("TIME", false, 1),
  v("TIME_DAY", false, 1),
  v("TIME_EPOCH", false, 1),
  v("TIME_HOUR", false, 1),
  v("TIME_MIN", false, 1),
  v("TIME_MON", false, 1),
  v("TIME_SEC", false, 1),
  v("TIME_WDAY", false, 1),
  v("TIME_YEAR", false, 1),
  v("WEBSERVER_ERROR_LOG", true, 1, [], { support: "no-effect", note: "Envoy has no web server error log; always empty" }),
];

const VAR_INDEX = new Map(VARIABLES.map((x) => [x.name, x]));

export function lookupVariable(name: string): VariableInfo | undefined {
  return VAR_INDEX.get(name.toUpperCase());
}

// ---------------------------------------------------------------------------------------------
// Operators
// ---------------------------------------------------------------------------------------------

/**
 * Argument kinds:
 * - "none":       no argument.
 * - "regex":      a PCRE pattern (kept raw; may contain macros, which ModSecurity v3 expands).
 * - "text":       a string, macros expanded at run time.
 * - "number":     an integer or a macro (`@lt %{tx.x}`).
 * - "phrases":    space-separated phrases (`@pm`).
 * - "files":      data file path(s), resolved relative to the rule file (`@pmFromFile`).
 * - "ipList":     comma-separated addresses / CIDRs.
 * - "byteRanges": `@validateByteRange 1-255,9`.
 */
export type OperatorArgKind = "none" | "regex" | "text" | "number" | "phrases" | "files" | "ipList" | "byteRanges";

export interface OperatorInfo {
  name: string;
  aliases?: string[];
  arg: OperatorArgKind;
  support: Support;
  note?: string;
}

const SUFFIX_CANDIDATES = "candidates: every match and capture group (1-9 only) that v3's searchAll lists for every suffix of the value";
function VERIFY_NOTE(check: string, candidates = SUFFIX_CANDIDATES): string {
  return (
    `${check}; ${candidates}. A value whose v3 search is quadratic (an unbounded pattern over a long digit run) stops ` +
    `after 64 search steps per byte and does not match`
  );
}

export const OPERATORS: readonly OperatorInfo[] = [
  { name: "beginsWith", arg: "text", support: "full" },
  { name: "contains", arg: "text", support: "full" },
  { name: "containsWord", arg: "text", support: "full" },
  { name: "detectSQLi", arg: "none", support: "full" },
  { name: "detectXSS", arg: "none", support: "full" },
  { name: "endsWith", arg: "text", support: "full" },
  { name: "eq", arg: "number", support: "full" },
  { name: "ge", arg: "number", support: "full" },
  { name: "gt", arg: "number", support: "full" },
  { name: "le", arg: "number", support: "full" },
  { name: "lt", arg: "number", support: "full" },
  { name: "ipMatch", arg: "ipList", support: "full" },
  { name: "ipMatchFromFile", aliases: ["ipMatchF"], arg: "files", support: "full" },
  { name: "pm", arg: "phrases", support: "full" },
  { name: "pmFromFile", aliases: ["pmf"], arg: "files", support: "full" },
  { name: "rx", arg: "regex", support: "full" },
  { name: "rxGlobal", arg: "regex", support: "full" },
  { name: "streq", arg: "text", support: "full" },
  { name: "strmatch", arg: "text", support: "full" },
  { name: "unconditionalMatch", arg: "none", support: "full" },
  { name: "noMatch", arg: "none", support: "full" },
  { name: "validateByteRange", arg: "byteRanges", support: "full" },
  { name: "validateUrlEncoding", arg: "none", support: "full" },
  { name: "validateUtf8Encoding", arg: "none", support: "full" },
  // The four verify operators take libmodsecurity 3.0.9's regex candidates and checks, quirks included (see
  // filter/operators/verify.ts and checksums.ts; tests/engine/verify-peer.test.ts compares with ModSecurity).
  { name: "verifyCC", arg: "regex", support: "full", note: VERIFY_NOTE("Luhn over the candidate's digits", "candidates: the leftmost match from every start offset of the value") },
  { name: "verifyCPF", arg: "regex", support: "full", note: VERIFY_NOTE("CPF check digits over the first 11 digits, v3's list of repeated-digit numbers and 01234567890 rejected") },
  { name: "verifySSN", arg: "regex", support: "full", note: VERIFY_NOTE("exactly 9 digits; area 001-739 but not 666, group and serial non-zero, not all equal or consecutive") },
  { name: "verifySVNR", arg: "regex", support: "full", note: VERIFY_NOTE("check digit (4th of the first 10 digits); v3's list rejects 0000000000-7777777777, 0123456789, 1234567890") },
  { name: "within", arg: "text", support: "full" },
  { name: "geoLookup", arg: "none", support: "limited", note: "no GeoIP database in the filter; never matches" },
  { name: "rbl", arg: "text", support: "limited", note: "no DNS lookups from the filter; never matches" },
  { name: "fuzzyHash", arg: "text", support: "unsupported", note: "needs ssdeep and a hash file" },
  { name: "gsbLookup", arg: "text", support: "unsupported", note: "Google Safe Browsing is not available" },
  { name: "inspectFile", arg: "text", support: "unsupported", note: "runs an external program" },
  { name: "rsub", arg: "text", support: "unsupported", note: "not supported by ModSecurity v3 either" },
  { name: "validateDTD", arg: "text", support: "unsupported", note: "needs a DTD file and libxml2" },
  { name: "validateHash", arg: "text", support: "unsupported", note: "not supported by ModSecurity v3 either" },
  { name: "validateSchema", arg: "text", support: "unsupported", note: "needs an XML schema and libxml2" },
];

const OP_INDEX = new Map<string, OperatorInfo>();
for (const o of OPERATORS) {
  OP_INDEX.set(o.name.toLowerCase(), o);
  for (const a of o.aliases ?? []) OP_INDEX.set(a.toLowerCase(), o);
}

export function lookupOperator(name: string): OperatorInfo | undefined {
  return OP_INDEX.get(name.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Transformations
// ---------------------------------------------------------------------------------------------

export interface TransformationInfo {
  name: string;
  aliases?: string[];
  support: Support;
}

export const TRANSFORMATIONS: readonly TransformationInfo[] = [
  { name: "base64Decode", support: "full" },
  { name: "base64DecodeExt", support: "full" },
  { name: "base64Encode", support: "full" },
  { name: "cmdLine", support: "full" },
  { name: "compressWhitespace", support: "full" },
  { name: "cssDecode", support: "full" },
  { name: "escapeSeqDecode", support: "full" },
  { name: "hexDecode", support: "full" },
  { name: "hexEncode", support: "full" },
  { name: "htmlEntityDecode", support: "full" },
  { name: "jsDecode", support: "full" },
  { name: "length", support: "full" },
  { name: "lowercase", support: "full" },
  { name: "md5", support: "full" },
  { name: "none", support: "full" },
  { name: "normalizePath", aliases: ["normalisePath"], support: "full" },
  { name: "normalizePathWin", aliases: ["normalisePathWin"], support: "full" },
  { name: "parityEven7bit", support: "full" },
  { name: "parityOdd7bit", support: "full" },
  { name: "parityZero7bit", support: "full" },
  { name: "removeComments", support: "full" },
  { name: "removeCommentsChar", support: "full" },
  { name: "removeNulls", support: "full" },
  { name: "removeWhitespace", support: "full" },
  { name: "replaceComments", support: "full" },
  { name: "replaceNulls", support: "full" },
  { name: "sha1", support: "full" },
  { name: "sqlHexDecode", support: "full" },
  { name: "trim", support: "full" },
  { name: "trimLeft", support: "full" },
  { name: "trimRight", support: "full" },
  { name: "uppercase", support: "full" },
  { name: "urlDecode", support: "full" },
  { name: "urlDecodeUni", support: "full" },
  { name: "urlEncode", support: "full" },
  { name: "utf8toUnicode", support: "full" },
];

const T_INDEX = new Map<string, TransformationInfo>();
for (const t of TRANSFORMATIONS) {
  T_INDEX.set(t.name.toLowerCase(), t);
  for (const a of t.aliases ?? []) T_INDEX.set(a.toLowerCase(), t);
}

export function lookupTransformation(name: string): TransformationInfo | undefined {
  return T_INDEX.get(name.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

/**
 * Action groups, as the ModSecurity reference manual classifies them:
 * disruptive, flow (chain, skip, skipAfter), metadata (id, phase, msg, ...), data (status,
 * xmlns), and non-disruptive (everything else, incl. t:, setvar, ctl, log flags).
 */
export type ActionGroup = "disruptive" | "flow" | "metadata" | "data" | "nondisruptive";

/**
 * Argument kinds:
 * - "none" / "optional" / "required" say whether `:value` may / must be present;
 *   `argType` says how it is parsed.
 */
export type ActionArgType =
  | "number"
  | "phase"
  | "severity"
  | "string"
  | "macro"
  | "setvar"
  | "ctl"
  | "transformation"
  | "marker"
  | "colvar"; // initcol / expirevar / deprecatevar: collection.key=value

export interface ActionInfo {
  name: string;
  group: ActionGroup;
  arg: "none" | "optional" | "required";
  argType?: ActionArgType;
  /** May appear several times in one rule (others: the last one wins). */
  repeatable: boolean;
  /** ModSecurity v3 "configuration kind": rejected in SecDefaultAction and SecRuleUpdateActionById. */
  configOnly?: boolean;
  support: Support;
  note?: string;
}

export const ACTIONS: readonly ActionInfo[] = [
  // disruptive
  { name: "allow", group: "disruptive", arg: "optional", argType: "string", repeatable: false, support: "full" },
  { name: "block", group: "disruptive", arg: "none", repeatable: false, support: "full" },
  { name: "deny", group: "disruptive", arg: "none", repeatable: false, support: "full" },
  { name: "drop", group: "disruptive", arg: "none", repeatable: false, support: "full" },
  { name: "pass", group: "disruptive", arg: "none", repeatable: false, support: "full" },
  { name: "redirect", group: "disruptive", arg: "required", argType: "macro", repeatable: false, support: "full" },
  {
    name: "proxy",
    group: "disruptive",
    arg: "required",
    argType: "macro",
    repeatable: false,
    support: "unsupported",
    note: "proxying is Envoy's job (route configuration); ModSecurity v3 does not support it either",
  },
  // flow
  { name: "chain", group: "flow", arg: "none", repeatable: false, configOnly: true, support: "full" },
  { name: "skip", group: "flow", arg: "required", argType: "number", repeatable: false, support: "full" },
  { name: "skipAfter", group: "flow", arg: "required", argType: "marker", repeatable: false, support: "full" },
  // metadata
  { name: "id", group: "metadata", arg: "required", argType: "number", repeatable: false, configOnly: true, support: "full" },
  { name: "phase", group: "metadata", arg: "required", argType: "phase", repeatable: false, configOnly: true, support: "full" },
  { name: "msg", group: "metadata", arg: "required", argType: "macro", repeatable: false, support: "full" },
  { name: "logdata", group: "metadata", arg: "required", argType: "macro", repeatable: false, support: "full" },
  { name: "tag", group: "metadata", arg: "required", argType: "macro", repeatable: true, support: "full" },
  { name: "severity", group: "metadata", arg: "required", argType: "severity", repeatable: false, support: "full" },
  { name: "ver", group: "metadata", arg: "required", argType: "string", repeatable: false, configOnly: true, support: "full" },
  { name: "rev", group: "metadata", arg: "required", argType: "string", repeatable: false, configOnly: true, support: "full" },
  { name: "maturity", group: "metadata", arg: "required", argType: "number", repeatable: false, configOnly: true, support: "full" },
  { name: "accuracy", group: "metadata", arg: "required", argType: "number", repeatable: false, configOnly: true, support: "full" },
  // data
  { name: "status", group: "data", arg: "required", argType: "number", repeatable: false, support: "full" },
  { name: "xmlns", group: "data", arg: "required", argType: "string", repeatable: true, support: "full" },
  // non-disruptive
  { name: "auditlog", group: "nondisruptive", arg: "none", repeatable: false, support: "full" },
  { name: "noauditlog", group: "nondisruptive", arg: "none", repeatable: false, support: "full" },
  { name: "log", group: "nondisruptive", arg: "none", repeatable: false, support: "full" },
  { name: "nolog", group: "nondisruptive", arg: "none", repeatable: false, support: "full" },
  { name: "capture", group: "nondisruptive", arg: "none", repeatable: false, support: "full" },
  { name: "multiMatch", group: "nondisruptive", arg: "none", repeatable: false, support: "full" },
  { name: "t", group: "nondisruptive", arg: "required", argType: "transformation", repeatable: true, support: "full" },
  { name: "setvar", group: "nondisruptive", arg: "required", argType: "setvar", repeatable: true, support: "full" },
  { name: "ctl", group: "nondisruptive", arg: "required", argType: "ctl", repeatable: true, support: "full" },
  { name: "initcol", group: "nondisruptive", arg: "required", argType: "colvar", repeatable: true, support: "full" },
  { name: "expirevar", group: "nondisruptive", arg: "required", argType: "colvar", repeatable: true, support: "full" },
  { name: "setenv", group: "nondisruptive", arg: "required", argType: "macro", repeatable: true, support: "full" },
  { name: "setuid", group: "nondisruptive", arg: "required", argType: "macro", repeatable: false, support: "full" },
  { name: "setsid", group: "nondisruptive", arg: "required", argType: "macro", repeatable: false, support: "full" },
  { name: "setrsc", group: "nondisruptive", arg: "required", argType: "macro", repeatable: false, support: "full" },
  { name: "sanitiseArg", group: "nondisruptive", arg: "required", argType: "string", repeatable: true, support: "no-effect", note: "no audit log bodies are written" },
  { name: "sanitiseMatched", group: "nondisruptive", arg: "none", repeatable: false, support: "no-effect", note: "no audit log bodies are written" },
  { name: "sanitiseMatchedBytes", group: "nondisruptive", arg: "optional", argType: "string", repeatable: false, support: "no-effect", note: "no audit log bodies are written" },
  { name: "sanitiseRequestHeader", group: "nondisruptive", arg: "required", argType: "string", repeatable: true, support: "no-effect", note: "no audit log bodies are written" },
  { name: "sanitiseResponseHeader", group: "nondisruptive", arg: "required", argType: "string", repeatable: true, support: "no-effect", note: "no audit log bodies are written" },
  {
    name: "deprecatevar",
    group: "nondisruptive",
    arg: "required",
    argType: "colvar",
    repeatable: true,
    support: "unsupported",
    note: "not supported by ModSecurity v3 either",
  },
  { name: "exec", group: "nondisruptive", arg: "required", argType: "string", repeatable: true, support: "unsupported", note: "runs an external script" },
  { name: "append", group: "nondisruptive", arg: "required", argType: "string", repeatable: true, support: "unsupported", note: "content injection is not supported" },
  { name: "prepend", group: "nondisruptive", arg: "required", argType: "string", repeatable: true, support: "unsupported", note: "content injection is not supported" },
  { name: "pause", group: "nondisruptive", arg: "required", argType: "number", repeatable: false, support: "unsupported", note: "would stall an Envoy worker" },
];

const A_INDEX = new Map(ACTIONS.map((a) => [a.name.toLowerCase(), a]));

export function lookupAction(name: string): ActionInfo | undefined {
  return A_INDEX.get(name.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// ctl: options
// ---------------------------------------------------------------------------------------------

export type CtlValueKind = "onOff" | "engine" | "number" | "bodyProcessor" | "auditParts" | "ids" | "idsTargets" | "match" | "matchTargets";

export interface CtlInfo {
  name: string;
  value: CtlValueKind;
  support: Support;
  note?: string;
}

export const CTL_OPTIONS: readonly CtlInfo[] = [
  { name: "auditEngine", value: "engine", support: "full" },
  { name: "auditLogParts", value: "auditParts", support: "full" },
  { name: "debugLogLevel", value: "number", support: "no-effect", note: "there is no debug log" },
  { name: "forceRequestBodyVariable", value: "onOff", support: "full" },
  { name: "requestBodyAccess", value: "onOff", support: "full" },
  { name: "requestBodyLimit", value: "number", support: "full" },
  { name: "requestBodyProcessor", value: "bodyProcessor", support: "full" },
  { name: "responseBodyAccess", value: "onOff", support: "full" },
  { name: "responseBodyLimit", value: "number", support: "full" },
  { name: "ruleEngine", value: "engine", support: "full" },
  { name: "ruleRemoveById", value: "ids", support: "full" },
  { name: "ruleRemoveByMsg", value: "match", support: "full" },
  { name: "ruleRemoveByTag", value: "match", support: "full" },
  { name: "ruleRemoveTargetById", value: "idsTargets", support: "full" },
  { name: "ruleRemoveTargetByMsg", value: "matchTargets", support: "full" },
  { name: "ruleRemoveTargetByTag", value: "matchTargets", support: "full" },
  { name: "hashEngine", value: "onOff", support: "unsupported", note: "not supported by ModSecurity v3 either" },
  { name: "hashEnforcement", value: "onOff", support: "unsupported", note: "not supported by ModSecurity v3 either" },
];

const C_INDEX = new Map(CTL_OPTIONS.map((c) => [c.name.toLowerCase(), c]));

export function lookupCtl(name: string): CtlInfo | undefined {
  return C_INDEX.get(name.toLowerCase());
}

// ---------------------------------------------------------------------------------------------
// Small shared tables
// ---------------------------------------------------------------------------------------------

export const SEVERITY_NAMES: readonly string[] = ["EMERGENCY", "ALERT", "CRITICAL", "ERROR", "WARNING", "NOTICE", "INFO", "DEBUG"];

export const PHASE_NAMES: Readonly<Record<string, Phase>> = { request: 2, response: 4, logging: 5 };

/** Collections `%{...}` macros may name besides the variables (RULE is in VARIABLES). */
export function isMacroCollection(name: string): boolean {
  return lookupVariable(name) !== undefined;
}
