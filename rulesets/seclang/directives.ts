// The table of SecLang directives the front end knows: argument counts, which argument is an
// action list, and what this product does with it.

export type DirectiveSupport = "full" | "no-effect" | "unsupported";

export interface DirectiveInfo {
  name: string;
  minArgs: number;
  maxArgs: number;
  /** 0-based index of the argument that is an action list (lexed quote-aware). */
  actionsArg?: number;
  support: DirectiveSupport;
  note?: string;
}

const INF = Number.POSITIVE_INFINITY;

function d(name: string, minArgs: number, maxArgs: number, extra: Partial<DirectiveInfo> = {}): DirectiveInfo {
  return { name, minArgs, maxArgs, support: "full", ...extra };
}

const SERVER_ONLY = "it only matters to a web server module; it has no effect here";

function noop(name: string, minArgs: number, maxArgs: number, note = SERVER_ONLY): DirectiveInfo {
  return d(name, minArgs, maxArgs, { support: "no-effect", note });
}

export const DIRECTIVES: readonly DirectiveInfo[] = [
  // rules
  d("SecRule", 2, 3, { actionsArg: 2 }),
  d("SecAction", 1, 1, { actionsArg: 0 }),
  d("SecMarker", 1, 1),
  d("SecDefaultAction", 1, 1, { actionsArg: 0 }),
  d("SecRuleRemoveById", 1, INF),
  d("SecRuleRemoveByTag", 1, 1),
  d("SecRuleRemoveByMsg", 1, 1),
  d("SecRuleUpdateTargetById", 2, 3),
  d("SecRuleUpdateTargetByTag", 2, 3),
  d("SecRuleUpdateTargetByMsg", 2, 3),
  d("SecRuleUpdateActionById", 2, 2, { actionsArg: 1 }),
  d("Include", 1, 1),
  d("IncludeOptional", 1, 1),
  // engine settings
  d("SecRuleEngine", 1, 1),
  d("SecRequestBodyAccess", 1, 1),
  d("SecResponseBodyAccess", 1, 1),
  d("SecRequestBodyLimit", 1, 1),
  d("SecRequestBodyNoFilesLimit", 1, 1),
  d("SecRequestBodyInMemoryLimit", 1, 1),
  d("SecRequestBodyLimitAction", 1, 1),
  d("SecRequestBodyJsonDepthLimit", 1, 1),
  d("SecResponseBodyLimit", 1, 1),
  d("SecResponseBodyLimitAction", 1, 1),
  d("SecResponseBodyMimeType", 1, INF),
  d("SecResponseBodyMimeTypesClear", 0, 0),
  d("SecArgumentSeparator", 1, 1),
  d("SecArgumentsLimit", 1, 1),
  d("SecCookieFormat", 1, 1),
  d("SecUnicodeMapFile", 1, 2),
  d("SecComponentSignature", 1, 1),
  d("SecCollectionTimeout", 1, 1),
  d("SecWebAppId", 1, 1),
  d("SecStatusEngine", 1, 1),
  d("SecPcreMatchLimit", 1, 1),
  d("SecPcreMatchLimitRecursion", 1, 1),
  d("SecXmlExternalEntity", 1, 1),
  d("SecUploadKeepFiles", 1, 1),
  d("SecUploadFileLimit", 1, 1),
  // audit log: kept as settings for the event output
  d("SecAuditEngine", 1, 1),
  d("SecAuditLog", 1, 1),
  d("SecAuditLog2", 1, 1),
  d("SecAuditLogParts", 1, 1),
  d("SecAuditLogRelevantStatus", 1, 1),
  d("SecAuditLogType", 1, 1),
  d("SecAuditLogFormat", 1, 1),
  d("SecAuditLogStorageDir", 1, 1),
  d("SecAuditLogFileMode", 1, 1),
  d("SecAuditLogDirMode", 1, 1),
  // accepted, no effect here
  noop("SecDebugLog", 1, 1, "there is no debug log file in the filter; it has no effect here"),
  noop("SecDebugLogLevel", 1, 1, "there is no debug log file in the filter; it has no effect here"),
  noop("SecTmpDir", 1, 1, "the filter writes no temporary files; it has no effect here"),
  noop("SecDataDir", 1, 1, "persistent collections are not stored on disk; it has no effect here"),
  noop("SecUploadDir", 1, 1, "uploads are never written to disk; it has no effect here"),
  noop("SecUploadFileMode", 1, 1, "uploads are never written to disk; it has no effect here"),
  noop("SecTmpSaveUploadedFiles", 1, 1, "uploads are never written to disk; it has no effect here"),
  noop("SecGeoLookupDb", 1, 1, "there is no GeoIP database in the filter; it has no effect here"),
  noop("SecGsbLookupDb", 1, 1),
  noop("SecHttpBlKey", 1, 1, "the filter makes no DNS lookups (@rbl); it has no effect here"),
  noop("SecServerSignature", 1, 1),
  noop("SecChrootDir", 1, 1),
  noop("SecConnEngine", 1, 1),
  noop("SecConnReadStateLimit", 1, 2),
  noop("SecConnWriteStateLimit", 1, 2),
  noop("SecReadStateLimit", 1, 1),
  noop("SecWriteStateLimit", 1, 1),
  noop("SecGuardianLog", 1, 2),
  noop("SecInterceptOnError", 1, 1),
  noop("SecSensorId", 1, 1),
  noop("SecRulePerfTime", 1, 1),
  noop("SecCacheTransformations", 1, 2),
  noop("SecDisableBackendCompression", 1, 1),
  noop("SecStreamInBodyInspection", 1, 1),
  noop("SecStreamOutBodyInspection", 1, 1),
  noop("SecRuleInheritance", 1, 1, "there is one configuration context; it has no effect here"),
  noop("SecCookieV0Separator", 1, 1, "not supported by ModSecurity v3 either; it has no effect here"),
  noop("SecContentInjection", 1, 1, "content injection (append/prepend) is not supported; it has no effect here"),
  noop("SecUnicodeCodePage", 1, 1, "obsolete (use SecUnicodeMapFile); it has no effect here"),
  noop("SecRemoteRulesFailAction", 1, 1),
  // known, rejected
  d("SecRuleScript", 1, 2, { support: "unsupported", note: "Lua rules cannot run in the filter" }),
  d("SecRemoteRules", 2, 2, { support: "unsupported", note: "rules are not downloaded at run time; put them in the rule set" }),
  d("SecHashEngine", 1, 1, { support: "unsupported", note: "not supported by ModSecurity v3 either" }),
  d("SecHashKey", 1, 2, { support: "unsupported", note: "not supported by ModSecurity v3 either" }),
  d("SecHashParam", 1, 1, { support: "unsupported", note: "not supported by ModSecurity v3 either" }),
  d("SecHashMethodRx", 2, 2, { support: "unsupported", note: "not supported by ModSecurity v3 either" }),
  d("SecHashMethodPm", 2, 2, { support: "unsupported", note: "not supported by ModSecurity v3 either" }),
];

const INDEX = new Map(DIRECTIVES.map((x) => [x.name.toLowerCase(), x]));

/** Directive names are case-insensitive, as in ModSecurity v3's lexer. */
export function lookupDirective(name: string): DirectiveInfo | undefined {
  return INDEX.get(name.toLowerCase());
}
