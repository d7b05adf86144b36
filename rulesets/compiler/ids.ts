// Name -> id maps of the compiler: canonical SecLang names (rulesets/ir/catalog.ts spelling) to the ids the table
// stores (../tables/format.ts, ../tables/variables.ts, filter/transforms/ids.ts). Const enums cannot be indexed by
// name at run time, so the maps are written out; tests/rulesets/compiler checks them against the enum sources.
import { VARIABLES } from "../ir/catalog";
import { ActionKind, CtlOption, Disruptive, OperatorKind } from "../tables/format";
import { TransformId } from "../../filter/transforms/ids";

/** VariableId: the position in the catalogue (../tables/variables.ts is generated in the same order). */
export const VARIABLE_ID: ReadonlyMap<string, number> = new Map(VARIABLES.map((v, i) => [v.name, i]));
export const VARIABLE_NAME: readonly string[] = VARIABLES.map((v) => v.name);

export const OPERATOR_ID: Readonly<Record<string, OperatorKind>> = {
  unconditionalMatch: OperatorKind.UNCONDITIONAL_MATCH,
  noMatch: OperatorKind.NO_MATCH,
  rx: OperatorKind.RX,
  rxGlobal: OperatorKind.RX_GLOBAL,
  pm: OperatorKind.PM,
  pmFromFile: OperatorKind.PM_FROM_FILE,
  streq: OperatorKind.STREQ,
  strmatch: OperatorKind.STRMATCH,
  contains: OperatorKind.CONTAINS,
  containsWord: OperatorKind.CONTAINS_WORD,
  beginsWith: OperatorKind.BEGINS_WITH,
  endsWith: OperatorKind.ENDS_WITH,
  within: OperatorKind.WITHIN,
  eq: OperatorKind.EQ,
  ge: OperatorKind.GE,
  gt: OperatorKind.GT,
  le: OperatorKind.LE,
  lt: OperatorKind.LT,
  ipMatch: OperatorKind.IP_MATCH,
  ipMatchFromFile: OperatorKind.IP_MATCH_FROM_FILE,
  detectSQLi: OperatorKind.DETECT_SQLI,
  detectXSS: OperatorKind.DETECT_XSS,
  validateByteRange: OperatorKind.VALIDATE_BYTE_RANGE,
  validateUrlEncoding: OperatorKind.VALIDATE_URL_ENCODING,
  validateUtf8Encoding: OperatorKind.VALIDATE_UTF8_ENCODING,
  verifyCC: OperatorKind.VERIFY_CC,
  verifyCPF: OperatorKind.VERIFY_CPF,
  verifySSN: OperatorKind.VERIFY_SSN,
  verifySVNR: OperatorKind.VERIFY_SVNR,
  geoLookup: OperatorKind.GEO_LOOKUP,
  rbl: OperatorKind.RBL,
};
export const OPERATOR_NAME: readonly string[] = invert(OPERATOR_ID);

/** Canonical transformation names (catalog spelling; aliases resolved by the front end) -> TransformId. */
export const TRANSFORM_ID: Readonly<Record<string, number>> = {
  lowercase: TransformId.Lowercase,
  uppercase: TransformId.Uppercase,
  urlDecode: TransformId.UrlDecode,
  urlDecodeUni: TransformId.UrlDecodeUni,
  urlEncode: TransformId.UrlEncode,
  htmlEntityDecode: TransformId.HtmlEntityDecode,
  jsDecode: TransformId.JsDecode,
  cssDecode: TransformId.CssDecode,
  escapeSeqDecode: TransformId.EscapeSeqDecode,
  utf8toUnicode: TransformId.Utf8ToUnicode,
  removeNulls: TransformId.RemoveNulls,
  replaceNulls: TransformId.ReplaceNulls,
  removeWhitespace: TransformId.RemoveWhitespace,
  compressWhitespace: TransformId.CompressWhitespace,
  trim: TransformId.Trim,
  trimLeft: TransformId.TrimLeft,
  trimRight: TransformId.TrimRight,
  cmdLine: TransformId.CmdLine,
  normalizePath: TransformId.NormalisePath,
  normalisePath: TransformId.NormalisePath,
  normalizePathWin: TransformId.NormalisePathWin,
  normalisePathWin: TransformId.NormalisePathWin,
  replaceComments: TransformId.ReplaceComments,
  removeComments: TransformId.RemoveComments,
  removeCommentsChar: TransformId.RemoveCommentsChar,
  base64Decode: TransformId.Base64Decode,
  base64DecodeExt: TransformId.Base64DecodeExt,
  base64Encode: TransformId.Base64Encode,
  hexDecode: TransformId.HexDecode,
  hexEncode: TransformId.HexEncode,
  sqlHexDecode: TransformId.SqlHexDecode,
  length: TransformId.Length,
  md5: TransformId.Md5,
  sha1: TransformId.Sha1,
  parityEven7bit: TransformId.ParityEven7bit,
  parityOdd7bit: TransformId.ParityOdd7bit,
  parityZero7bit: TransformId.ParityZero7bit,
};
export const TRANSFORM_NAME: readonly string[] = invert(TRANSFORM_ID);

export const DISRUPTIVE_ID: Readonly<Record<string, Disruptive>> = {
  pass: Disruptive.PASS,
  deny: Disruptive.DENY,
  drop: Disruptive.DROP,
  allow: Disruptive.ALLOW,
  redirect: Disruptive.REDIRECT,
  proxy: Disruptive.PROXY,
};
export const DISRUPTIVE_NAME: readonly string[] = invert(DISRUPTIVE_ID);

export const CTL_ID: Readonly<Record<string, CtlOption>> = {
  auditEngine: CtlOption.AUDIT_ENGINE,
  auditLogParts: CtlOption.AUDIT_LOG_PARTS,
  debugLogLevel: CtlOption.DEBUG_LOG_LEVEL,
  forceRequestBodyVariable: CtlOption.FORCE_REQUEST_BODY_VARIABLE,
  requestBodyAccess: CtlOption.REQUEST_BODY_ACCESS,
  requestBodyLimit: CtlOption.REQUEST_BODY_LIMIT,
  requestBodyProcessor: CtlOption.REQUEST_BODY_PROCESSOR,
  responseBodyAccess: CtlOption.RESPONSE_BODY_ACCESS,
  responseBodyLimit: CtlOption.RESPONSE_BODY_LIMIT,
  ruleEngine: CtlOption.RULE_ENGINE,
  ruleRemoveById: CtlOption.RULE_REMOVE_BY_ID,
  ruleRemoveByMsg: CtlOption.RULE_REMOVE_BY_MSG,
  ruleRemoveByTag: CtlOption.RULE_REMOVE_BY_TAG,
  ruleRemoveTargetById: CtlOption.RULE_REMOVE_TARGET_BY_ID,
  ruleRemoveTargetByMsg: CtlOption.RULE_REMOVE_TARGET_BY_MSG,
  ruleRemoveTargetByTag: CtlOption.RULE_REMOVE_TARGET_BY_TAG,
};
export const CTL_NAME: readonly string[] = invert(CTL_ID);

export const ACTION_ID: Readonly<Record<string, ActionKind>> = {
  setvar: ActionKind.SETVAR,
  ctl: ActionKind.CTL,
  initcol: ActionKind.INITCOL,
  expirevar: ActionKind.EXPIREVAR,
  setenv: ActionKind.SETENV,
  setuid: ActionKind.SETUID,
  setsid: ActionKind.SETSID,
  setrsc: ActionKind.SETRSC,
  xmlns: ActionKind.XMLNS,
  sanitiseArg: ActionKind.SANITISE_ARG,
  sanitiseMatched: ActionKind.SANITISE_MATCHED,
  sanitiseMatchedBytes: ActionKind.SANITISE_MATCHED_BYTES,
  sanitiseRequestHeader: ActionKind.SANITISE_REQUEST_HEADER,
  sanitiseResponseHeader: ActionKind.SANITISE_RESPONSE_HEADER,
};
export const ACTION_NAME: readonly string[] = invert(ACTION_ID);

function invert(m: Readonly<Record<string, number>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(m)) if (out[v] === undefined) out[v] = k;
  return out;
}
