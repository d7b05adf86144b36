// The SecLang loader: reads files (following Include), handles every directive in order and
// applies configuration-time semantics, producing a RuleSetIR.
import * as fs from "node:fs";
import * as path from "node:path";
import { lookupAction } from "../ir/catalog";
import type {
  ActionIR,
  DefaultActionIR,
  MarkerIR,
  ParsedRule,
  Phase,
  RemovedRule,
  ResolvedLink,
  ResolvedRule,
  RuleSetIR,
  RuleSetItem,
  Settings,
  SourceLoc,
  VariableRef,
} from "../ir/types";
import { lookupDirective } from "./directives";
import { Diagnostics } from "./errors";
import { expandInclude } from "./include";
import { lexSecLang, truncate, type RawDirective } from "./lexer";
import { literalMacro, parseMacro } from "./macro";
import { Ctx, parseActions, parseIdRanges, parseOperator, parseVariables } from "./parser";

/** A rule (chain head plus links) while the configuration is being read. */
interface RuleEntry {
  head: ParsedRule;
  links: ParsedRule[];
  id: number;
  phase: Phase;
  /** The head had no phase: action. */
  defaultedPhase: boolean;
  removed: boolean;
  /** Broken (a part had errors): kept out of the result. */
  broken: boolean;
  updates: { directive: string; loc: SourceLoc }[];
  /** Index in `order` (for skip/skipAfter resolution). */
  seq: number;
}

type Entry = { kind: "rule"; rule: RuleEntry } | { kind: "marker"; marker: MarkerIR; seq: number };

interface PendingRemoval {
  directive: string;
  loc: SourceLoc;
  ids: { from: number; to: number }[];
}

const DISRUPTIVE = new Set(["allow", "block", "deny", "drop", "pass", "redirect", "proxy"]);
const LINK_WARN = new Set(["msg", "logdata", "tag", "severity", "ver", "rev", "maturity", "accuracy", "skip", "skipAfter"]);
const ON_OFF = (v: string): boolean | null => (/^on$/i.test(v) ? true : /^off$/i.test(v) ? false : null);

export interface LoaderOptions {
  /** Directive lines appended after the files, as if in a file named `<directive N>`. */
  directives?: string[];
}

export class Loader {
  readonly diag = new Diagnostics();
  private readonly settings: Settings = { componentSignatures: [], audit: {}, setAt: {} };
  private readonly defaults: Partial<Record<Phase, DefaultActionIR>> = {};
  private readonly entries: Entry[] = [];
  private readonly byId = new Map<number, RuleEntry>();
  private readonly removed: RemovedRule[] = [];
  private readonly files: string[] = [];
  private readonly includeStack: string[] = [];
  private readonly fileCache = new Map<string, string | null>();
  private readonly pendingRemovals: PendingRemoval[] = [];
  private chainOpen: RuleEntry | null = null;
  private seq = 0;

  /** Reads one file (and what it includes). */
  loadFile(file: string, from?: { loc: SourceLoc; directive: string }): void {
    const abs = path.resolve(file);
    if (this.includeStack.includes(abs)) {
      const loc = from?.loc ?? { file: abs, line: 0 };
      this.diag.error(loc.file, loc.line, from?.directive ?? "Include", `include cycle: ${abs} is already being read (${[...this.includeStack, abs].map((f) => path.basename(f)).join(" → ")})`);
      return;
    }
    let text: string;
    try {
      text = fs.readFileSync(abs, "latin1");
    } catch (e) {
      const loc = from?.loc;
      const reason = (e as NodeJS.ErrnoException).code === "EISDIR" ? "is a directory" : "cannot be read";
      this.diag.error(loc?.file ?? abs, loc?.line ?? 0, from?.directive ?? "(file)", `${abs} ${reason}`);
      return;
    }
    this.loadText(text, abs);
  }

  /** Reads SecLang text as if it were the file `file` (used for files and --directive lines). */
  loadText(text: string, file: string): void {
    this.files.push(file);
    this.includeStack.push(file);
    for (const d of lexSecLang(text, file, this.diag)) this.directive(d);
    if (this.chainOpen && this.chainOpen.head.loc.file === file) this.chainWithoutRule(`the end of ${path.basename(file)}`);
    this.includeStack.pop();
  }

  private chainWithoutRule(what: string): void {
    const e = this.chainOpen!;
    const last = e.links.length ? e.links[e.links.length - 1]! : e.head;
    this.diag.error(
      last.loc.file,
      last.loc.line,
      "SecRule",
      `chain without a following rule: rule ${e.id || "(no id)"} ends with the chain action but is followed by ${what}; expected a SecRule`,
    );
    e.broken = true;
    this.chainOpen = null;
  }

  private directive(d: RawDirective): void {
    const info = lookupDirective(d.name);
    const loc: SourceLoc = { file: d.file, line: d.line };
    if (!info) {
      this.diag.error(d.file, d.line, d.name, `unknown directive ${d.name}`);
      return;
    }
    const name = info.name;
    const ctx = new Ctx(this.diag, d.file, d.line, name, this.fileCache);
    if (d.args.length < info.minArgs || d.args.length > info.maxArgs) {
      const want = info.minArgs === info.maxArgs ? `${info.minArgs}` : info.maxArgs === Infinity ? `at least ${info.minArgs}` : `${info.minArgs} to ${info.maxArgs}`;
      ctx.error(`expects ${want} argument${want === "1" ? "" : "s"}, got ${d.args.length}${d.args.length ? ": " + truncate(d.args.map((a) => (a.quoted ? `"${a.text}"` : a.text)).join(" "), 100) : ""}`);
      if (this.chainOpen && (name === "SecRule" || name === "SecAction")) this.chainOpen = null;
      return;
    }
    if (info.support === "unsupported") {
      ctx.error(`${name} is not supported: ${info.note ?? ""}`);
      return;
    }
    if (info.support === "no-effect") {
      ctx.warn("no-effect", `${name}: ${info.note ?? "it has no effect here"}`);
      return;
    }
    if (this.chainOpen && name !== "SecRule" && (name === "SecAction" || name === "SecMarker")) {
      this.chainWithoutRule(`${name} at ${path.basename(d.file)}:${d.line}`);
    }
    const a0 = d.args[0]?.text ?? "";
    switch (name) {
      case "SecRule":
      case "SecAction":
        this.rule(d, ctx, name);
        return;
      case "SecMarker": {
        const marker: MarkerIR = { name: a0, loc };
        if (a0 === "") ctx.error("expects a marker name");
        this.entries.push({ kind: "marker", marker, seq: this.seq++ });
        return;
      }
      case "SecDefaultAction":
        this.defaultAction(d, ctx);
        return;
      case "Include":
      case "IncludeOptional": {
        const r = expandInclude(a0, path.dirname(d.file));
        if (r.missing) {
          if (name === "IncludeOptional") return;
          if (r.glob) {
            ctx.warn("suspicious", `${a0} matches no file (looked for ${r.resolved}); Apache's Include and ModSecurity v3 reject this, IncludeOptional silences it`);
          } else {
            ctx.error(`file not found: ${a0} (looked for ${r.resolved})`);
          }
          return;
        }
        for (const f of r.files) this.loadFile(f, { loc, directive: name });
        return;
      }
      case "SecRuleRemoveById": {
        const r = parseIdRanges(d.args.map((a) => a.text).join(" "));
        if ("bad" in r) {
          ctx.error(`expected rule ids or ranges (e.g. 942100 942200-942299), got ${JSON.stringify(r.bad)}`);
          return;
        }
        this.pendingRemovals.push({ directive: name, loc, ids: r.ranges });
        this.removeWhere(ctx, loc, (e) => r.ranges.some((x) => e.id >= x.from && e.id <= x.to), `ids ${d.args.map((a) => a.text).join(" ")}`);
        return;
      }
      case "SecRuleRemoveByTag":
      case "SecRuleRemoveByMsg": {
        if (/[\\^$.|?*+()[\]{}]/.test(a0)) {
          ctx.warn(
            "divergence",
            `${JSON.stringify(a0)} is compared as an exact string (as ModSecurity v3 does); ModSecurity v2 would use it as a regular expression`,
          );
        }
        const byTag = name === "SecRuleRemoveByTag";
        this.removeWhere(ctx, loc, (e) => (byTag ? hasTag(e.head, a0) : msgOf(e.head) === a0), `${byTag ? "tag" : "msg"} ${JSON.stringify(a0)}`);
        return;
      }
      case "SecRuleUpdateTargetById":
      case "SecRuleUpdateTargetByTag":
      case "SecRuleUpdateTargetByMsg":
        this.updateTarget(d, ctx, name);
        return;
      case "SecRuleUpdateActionById":
        this.updateAction(d, ctx);
        return;
      default:
        this.setting(d, ctx, name);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Rules
  // -------------------------------------------------------------------------------------------

  private rule(d: RawDirective, ctx: Ctx, name: "SecRule" | "SecAction"): void {
    const loc: SourceLoc = { file: d.file, line: d.line };
    let variables: VariableRef[] = [];
    let operator = null;
    let actions: ActionIR[];
    if (name === "SecRule") {
      variables = parseVariables(d.args[0]!.text, ctx);
      const opText = d.args[1]!.text;
      if (/\\\r?\n/.test(opText)) {
        ctx.warn(
          "divergence",
          "a line continuation inside the quoted operator argument is kept literally (backslash and newline reach the operator), as ModSecurity v3 does; Apache/ModSecurity v2 would join the lines",
        );
      }
      operator = parseOperator(opText, ctx);
      actions = d.args[2] ? parseActions(d.args[2].text, ctx) : [];
    } else {
      operator = { name: "unconditionalMatch", negated: false, implicit: true, argument: "", macro: literalMacro("") };
      actions = parseActions(d.args[0]!.text, ctx);
    }
    const parsed: ParsedRule | null = operator ? { directive: name, loc, raw: d.raw, variables, operator, actions } : null;
    const hasChain = actions.some((a) => a.name === "chain");

    // A chain link?
    if (this.chainOpen && name === "SecRule") {
      const head = this.chainOpen;
      for (const a of actions) {
        if (DISRUPTIVE.has(a.name)) ctx.error(`disruptive action ${a.name} in a chain link: disruptive actions can only be specified by the chain starter rule (${head.id})`);
        else if (a.name === "id" || a.name === "phase") ctx.error(`action ${a.name} in a chain link: only the chain starter rule (${head.id}) may carry ${a.name}`);
        else if (LINK_WARN.has(a.name)) ctx.warn("suspicious", `action ${a.name} in a chain link of rule ${head.id}: ModSecurity v2 rejects it, v3 accepts it; it belongs on the chain starter`);
      }
      if (parsed && ctx.errorCount === 0) head.links.push(parsed);
      else head.broken = true;
      if (!hasChain) this.chainOpen = null;
      return;
    }

    // A rule (or chain head).
    const idAction = actions.filter((a) => a.name === "id");
    const phaseAction = actions.filter((a) => a.name === "phase").pop();
    let id = 0;
    if (idAction.length === 0) {
      // A bad id:... argument was reported already; do not also call it missing.
      const actionsText = name === "SecRule" ? (d.args[2]?.text ?? "") : d.args[0]!.text;
      if (!(ctx.errorCount > 0 && /(^|[,\s"])id\s*:/i.test(actionsText))) {
        ctx.error(`missing id: every ${name} needs an id:N action (only chain links go without)`);
      }
    } else {
      id = idAction[idAction.length - 1]!.number!;
      if (idAction.length > 1 && new Set(idAction.map((a) => a.number)).size > 1) ctx.error(`more than one id in one rule: ${idAction.map((a) => a.number).join(", ")}`);
      // The id of a rule removed by SecRuleRemove* may be used again (the rule is gone).
      const prev = this.byId.get(id);
      if (prev && !prev.removed) ctx.error(`duplicate rule id ${id}: already used by the rule at ${path.basename(prev.head.loc.file)}:${prev.head.loc.line}`);
    }
    const phase = (phaseAction?.number ?? 1) as Phase;
    const entry: RuleEntry = {
      head: parsed ?? { directive: name, loc, raw: d.raw, variables, operator: { name: "rx", negated: false, implicit: true, argument: "", macro: literalMacro("") }, actions },
      links: [],
      id,
      phase,
      defaultedPhase: !phaseAction,
      removed: false,
      broken: ctx.errorCount > 0 || !parsed,
      updates: [],
      seq: this.seq++,
    };
    if (!phaseAction && !entry.broken) {
      ctx.warn("divergence", `rule ${id} has no phase: action; it runs in phase 1 as in ModSecurity v3 (ModSecurity v2 would use phase 2)`);
    }
    if (!entry.broken) {
      this.byId.set(id, entry);
      this.entries.push({ kind: "rule", rule: entry });
      this.checkRemovedEarlier(entry, ctx);
    }
    if (hasChain) {
      if (name === "SecAction") {
        ctx.error("SecAction cannot start a chain (chain needs a following SecRule that refines a match)");
        entry.broken = true;
      } else this.chainOpen = entry;
    }
  }

  /** A removal that came before the rule it names: v3 would still remove it. */
  private checkRemovedEarlier(e: RuleEntry, ctx: Ctx): void {
    for (const r of this.pendingRemovals) {
      if (r.ids.some((x) => e.id >= x.from && e.id <= x.to)) {
        ctx.warn(
          "divergence",
          `rule ${e.id} is defined after ${r.directive} at ${path.basename(r.loc.file)}:${r.loc.line}, which therefore does not remove it (configuration order, as ModSecurity v2); ModSecurity v3 would remove it`,
        );
      }
    }
  }

  private defaultAction(d: RawDirective, ctx: Ctx): void {
    const actions = parseActions(d.args[0]!.text, ctx);
    if (ctx.errorCount) return;
    const phaseA = actions.find((a) => a.name === "phase");
    let disruptive = false;
    for (const a of actions) {
      const info = lookupAction(a.name)!;
      if (a.name === "phase") continue;
      if (info.configOnly) {
        ctx.error(`action ${a.name} is not suitable to be part of SecDefaultAction (it can only be given in a rule)`);
      } else if (a.name === "t" && a.argument === "none") {
        ctx.error("t:none is not suitable to be part of SecDefaultAction");
      } else if (a.name === "skip" || a.name === "skipAfter" || info.group === "metadata") {
        ctx.warn("suspicious", `action ${a.name} in SecDefaultAction applies to every rule of the phase (ModSecurity v2 rejects it)`);
      }
      if (info.group === "disruptive" && a.name !== "block") disruptive = true;
    }
    if (!disruptive) ctx.error("SecDefaultAction must specify a disruptive action (pass, deny, drop, redirect or allow; block is not one here)");
    let phase: Phase = 1;
    if (phaseA) phase = phaseA.number as Phase;
    else ctx.warn("divergence", "SecDefaultAction has no phase: action; it applies to phase 1 as in ModSecurity v3 (ModSecurity v2 would use phase 2)");
    if (ctx.errorCount) return;
    const prev = this.defaults[phase];
    if (prev) {
      ctx.error(`SecDefaultAction can be given only once per phase: phase ${phase} was set at ${path.basename(prev.loc.file)}:${prev.loc.line}`);
      return;
    }
    // Warn only about earlier rules whose effective behaviour the default really changes: a rule that says
    // `block`, leaves a flag the default sets unspecified, or takes the default's transformations.
    const sets = (names: string[], list: ActionIR[]) => list.some((a) => names.includes(a.name));
    const defaultT = actions.some((a) => a.name === "t");
    const affects = (rule: ParsedRule) =>
      sets(["block"], rule.actions) ||
      (defaultT && !rule.actions.some((a) => a.name === "t" && a.argument === "none")) ||
      (sets(["log", "nolog"], actions) && !sets(["log", "nolog"], rule.actions)) ||
      (sets(["auditlog", "noauditlog"], actions) && !sets(["auditlog", "noauditlog"], rule.actions));
    const earlier = this.entries.filter((e) => e.kind === "rule" && e.rule.phase === phase && affects(e.rule.head)).length;
    if (earlier > 0) {
      ctx.warn(
        "divergence",
        `${earlier} rule${earlier === 1 ? "" : "s"} of phase ${phase} come${earlier === 1 ? "s" : ""} before this SecDefaultAction and take some of its actions; it applies to them too, as in ModSecurity v3 (ModSecurity v2 applies it only to later rules)`,
      );
    }
    this.defaults[phase] = { phase, loc: { file: d.file, line: d.line }, raw: d.raw, actions: actions.filter((a) => a.name !== "phase") };
  }

  // -------------------------------------------------------------------------------------------
  // Removal and update directives (applied in configuration order to rules defined before)
  // -------------------------------------------------------------------------------------------

  private liveRules(): RuleEntry[] {
    const out: RuleEntry[] = [];
    for (const e of this.entries) if (e.kind === "rule" && !e.rule.removed) out.push(e.rule);
    return out;
  }

  private removeWhere(ctx: Ctx, loc: SourceLoc, pred: (e: RuleEntry) => boolean, what: string): void {
    let n = 0;
    for (const e of this.liveRules()) {
      if (!pred(e)) continue;
      e.removed = true;
      this.removed.push({ id: e.id, loc: e.head.loc, by: { directive: ctx.directive, loc } });
      n++;
    }
    if (n === 0) ctx.warn("suspicious", `${what}: no rule defined before this directive matches; it removes nothing`);
  }

  private selectRules(ctx: Ctx, name: string, sel: string): RuleEntry[] | null {
    if (name.endsWith("ById")) {
      const r = parseIdRanges(sel);
      if ("bad" in r) {
        ctx.error(`expected a rule id (or ids and ranges), got ${JSON.stringify(r.bad)}`);
        return null;
      }
      return this.liveRules().filter((e) => r.ranges.some((x) => e.id >= x.from && e.id <= x.to));
    }
    if (name.endsWith("ByTag")) return this.liveRules().filter((e) => hasTag(e.head, sel));
    return this.liveRules().filter((e) => msgOf(e.head) === sel);
  }

  private updateTarget(d: RawDirective, ctx: Ctx, name: string): void {
    const targets = parseVariables(d.args[1]!.text, ctx, "target list");
    const replaced = d.args[2] ? parseVariables(d.args[2].text, ctx, "replaced target") : null;
    if (replaced && replaced.length !== 1) ctx.error("the third argument must name exactly one target to replace");
    if (ctx.errorCount) return;
    const rules = this.selectRules(ctx, name, d.args[0]!.text);
    if (!rules) return;
    if (rules.length === 0) {
      ctx.warn("suspicious", `${d.args[0]!.text}: no rule defined before this directive matches; it changes nothing`);
      return;
    }
    const loc = { file: d.file, line: d.line };
    for (const e of rules) {
      const vars = e.head.variables;
      if (replaced) {
        const k = vars.findIndex((v) => sameTarget(v, replaced[0]!));
        if (k < 0) {
          ctx.error(`rule ${e.id} has no target ${replaced[0]!.raw} to replace`);
          continue;
        }
        vars.splice(k, 1, ...targets);
      } else {
        for (const t of targets) if (!vars.some((v) => sameTarget(v, t))) vars.push(t);
      }
      e.updates.push({ directive: name, loc });
    }
  }

  private updateAction(d: RawDirective, ctx: Ctx): void {
    const actions = parseActions(d.args[1]!.text, ctx);
    for (const a of actions) {
      if (a.name === "id" || a.name === "phase" || a.name === "chain") ctx.error(`action ${a.name} cannot be changed by SecRuleUpdateActionById`);
    }
    if (ctx.errorCount) return;
    const rules = this.selectRules(ctx, "ById", d.args[0]!.text);
    if (!rules) return;
    if (rules.length === 0) {
      ctx.warn("suspicious", `${d.args[0]!.text}: no rule defined before this directive matches; it changes nothing`);
      return;
    }
    const loc = { file: d.file, line: d.line };
    for (const e of rules) {
      e.head.actions = mergeActions(e.head.actions, actions);
      e.updates.push({ directive: "SecRuleUpdateActionById", loc });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Settings
  // -------------------------------------------------------------------------------------------

  private setting(d: RawDirective, ctx: Ctx, name: string): void {
    const s = this.settings;
    const v = d.args[0]?.text ?? "";
    const loc = { file: d.file, line: d.line };
    const mark = (key: string) => (s.setAt[key] = loc);
    const bad = (expected: string) => ctx.error(`expected ${expected}, got ${JSON.stringify(truncate(d.args.map((a) => a.text).join(" "), 60))}`);
    const num = (key: keyof Settings) => {
      if (!/^\d+$/.test(v)) return bad("a non-negative integer");
      (s as unknown as Record<string, unknown>)[key] = Number(v);
      mark(key);
    };
    const onOff = (key: keyof Settings) => {
      const b = ON_OFF(v);
      if (b === null) return bad("On or Off");
      (s as unknown as Record<string, unknown>)[key] = b;
      mark(key);
    };
    const oneOf = <T extends string>(allowed: readonly T[]): T | null => {
      const hit = allowed.find((x) => x.toLowerCase() === v.toLowerCase());
      if (!hit) bad(allowed.join(", ") + (allowed.length > 1 ? "" : ""));
      return hit ?? null;
    };
    switch (name) {
      case "SecRuleEngine": {
        const m = oneOf(["On", "Off", "DetectionOnly"] as const);
        if (m) (s.ruleEngine = m), mark("ruleEngine");
        return;
      }
      case "SecRequestBodyAccess":
        return onOff("requestBodyAccess");
      case "SecResponseBodyAccess":
        return onOff("responseBodyAccess");
      case "SecRequestBodyLimit":
        return num("requestBodyLimit");
      case "SecRequestBodyNoFilesLimit":
        return num("requestBodyNoFilesLimit");
      case "SecRequestBodyInMemoryLimit":
        return num("requestBodyInMemoryLimit");
      case "SecRequestBodyJsonDepthLimit":
        return num("requestBodyJsonDepthLimit");
      case "SecResponseBodyLimit":
        return num("responseBodyLimit");
      case "SecArgumentsLimit":
        return num("argumentsLimit");
      case "SecCollectionTimeout":
        return num("collectionTimeout");
      case "SecPcreMatchLimit":
        return num("pcreMatchLimit");
      case "SecPcreMatchLimitRecursion":
        return num("pcreMatchLimitRecursion");
      case "SecUploadFileLimit":
        return num("uploadFileLimit");
      case "SecRequestBodyLimitAction":
      case "SecResponseBodyLimitAction": {
        const m = oneOf(["Reject", "ProcessPartial"] as const);
        if (!m) return;
        if (name === "SecRequestBodyLimitAction") (s.requestBodyLimitAction = m), mark("requestBodyLimitAction");
        else (s.responseBodyLimitAction = m), mark("responseBodyLimitAction");
        return;
      }
      case "SecResponseBodyMimeType": {
        const types = d.args.flatMap((a) => a.text.split(/\s+/)).filter((x) => x !== "");
        s.responseBodyMimeTypes = [...(s.responseBodyMimeTypes ?? []), ...types];
        mark("responseBodyMimeTypes");
        return;
      }
      case "SecResponseBodyMimeTypesClear":
        s.responseBodyMimeTypes = [];
        mark("responseBodyMimeTypes");
        return;
      case "SecArgumentSeparator":
        if (v.length !== 1) return bad("a single character");
        s.argumentSeparator = v;
        mark("argumentSeparator");
        return;
      case "SecCookieFormat":
        if (v !== "0" && v !== "1") return bad("0 or 1");
        s.cookieFormat = Number(v) as 0 | 1;
        mark("cookieFormat");
        return;
      case "SecUnicodeMapFile": {
        const cp = d.args[1]?.text;
        if (cp === undefined || !/^\d+$/.test(cp)) return bad("a mapping file and a code page (e.g. unicode.mapping 20127)");
        const resolved = path.resolve(path.dirname(d.file), v);
        if (!fs.existsSync(resolved)) {
          ctx.error(`unicode mapping file not found: ${v} (looked for ${resolved})`);
          return;
        }
        s.unicodeMap = { file: v, resolvedPath: resolved, codePage: Number(cp) };
        mark("unicodeMap");
        return;
      }
      case "SecComponentSignature":
        s.componentSignatures.push(v);
        mark("componentSignatures");
        return;
      case "SecWebAppId":
        s.webAppId = v;
        mark("webAppId");
        return;
      case "SecStatusEngine": {
        const m = oneOf(["On", "Off"] as const);
        if (m) (s.statusEngine = m), mark("statusEngine");
        return;
      }
      case "SecXmlExternalEntity":
        return onOff("xmlExternalEntity");
      case "SecUploadKeepFiles": {
        const m = oneOf(["On", "Off", "RelevantOnly"] as const);
        if (m) (s.uploadKeepFiles = m), mark("uploadKeepFiles");
        return;
      }
      case "SecAuditEngine": {
        const m = oneOf(["On", "Off", "RelevantOnly"] as const);
        if (m) (s.audit.engine = m), mark("audit.engine");
        return;
      }
      case "SecAuditLog":
        s.audit.log = v;
        return void mark("audit.log");
      case "SecAuditLog2":
        s.audit.log2 = v;
        return void mark("audit.log2");
      case "SecAuditLogParts":
        if (!/^[A-KZ]+$/.test(v)) return bad("audit log parts (letters A-K and Z, e.g. ABIJDEFHZ)");
        s.audit.parts = v;
        return void mark("audit.parts");
      case "SecAuditLogRelevantStatus":
        s.audit.relevantStatus = v;
        return void mark("audit.relevantStatus");
      case "SecAuditLogType": {
        const m = oneOf(["Serial", "Concurrent", "HTTPS"] as const);
        if (m) (s.audit.type = m), mark("audit.type");
        return;
      }
      case "SecAuditLogFormat": {
        const m = oneOf(["JSON", "Native"] as const);
        if (m) (s.audit.format = m), mark("audit.format");
        return;
      }
      case "SecAuditLogStorageDir":
        s.audit.storageDir = v;
        mark("audit.storageDir");
        ctx.warn("no-effect", "SecAuditLogStorageDir: the filter writes no audit log files; it has no effect here");
        return;
      case "SecAuditLogFileMode":
      case "SecAuditLogDirMode":
        if (!/^0?[0-7]{3,4}$/.test(v)) return bad("an octal file mode such as 0640");
        if (name === "SecAuditLogFileMode") (s.audit.fileMode = v), mark("audit.fileMode");
        else (s.audit.dirMode = v), mark("audit.dirMode");
        return;
      default:
        // Every directive in the table is handled above; reaching here is a bug, not input.
        ctx.error(`internal: directive ${name} has no handler`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Result
  // -------------------------------------------------------------------------------------------

  finish(): RuleSetIR {
    if (this.chainOpen) this.chainWithoutRule("the end of the configuration");
    const items: RuleSetItem[] = [];
    const live = this.entries.filter((e) => e.kind === "marker" || (!e.rule.removed && !e.rule.broken));
    for (let k = 0; k < live.length; k++) {
      const e = live[k]!;
      if (e.kind === "marker") items.push({ kind: "marker", marker: e.marker });
      else items.push({ kind: "rule", rule: this.resolve(e.rule, live, k) });
    }
    return {
      files: this.files,
      settings: this.settings,
      defaultActions: this.defaults,
      items,
      removed: this.removed,
      warnings: this.diag.warnings,
    };
  }

  private resolve(e: RuleEntry, live: Entry[], index: number): ResolvedRule {
    const h = e.head;
    const def = this.defaults[e.phase];
    const defActions = def?.actions ?? [];
    const ctx = new Ctx(this.diag, h.loc.file, h.loc.line, h.directive, this.fileCache);

    // log / auditlog / status: defaults first, then the rule's own; the last one wins.
    let log = true;
    let auditLog = true;
    let status: number | null = null;
    const inherited: ActionIR[] = [];
    for (const a of defActions) {
      if (a.name === "log") log = true;
      else if (a.name === "nolog") log = false;
      else if (a.name === "auditlog") auditLog = true;
      else if (a.name === "noauditlog") auditLog = false;
      else if (a.name === "status") status = a.number!;
      else if (a.name === "t" || DISRUPTIVE.has(a.name)) continue;
      else inherited.push({ ...a, inherited: true });
    }
    const own: ActionIR[] = [];
    let disruptiveA: ActionIR | null = null;
    let capture = false;
    let multiMatch = false;
    let skip: number | null = null;
    let skipAfterName: string | null = null;
    const md: ResolvedRule["metadata"] = { msg: null, logdata: null, tags: [], severity: null, ver: null, rev: null, maturity: null, accuracy: null };
    for (const a of h.actions) {
      switch (a.name) {
        case "log":
          log = true;
          break;
        case "nolog":
          log = false;
          break;
        case "auditlog":
          auditLog = true;
          break;
        case "noauditlog":
          auditLog = false;
          break;
        case "status":
          status = a.number!;
          break;
        case "capture":
          capture = true;
          break;
        case "multiMatch":
          multiMatch = true;
          break;
        case "msg":
          md.msg = a.macro!;
          break;
        case "logdata":
          md.logdata = a.macro!;
          break;
        case "tag":
          md.tags.push(a.macro!);
          break;
        case "severity":
          md.severity = a.number!;
          break;
        case "ver":
          md.ver = a.argument;
          break;
        case "rev":
          md.rev = a.argument;
          break;
        case "maturity":
          md.maturity = a.number!;
          break;
        case "accuracy":
          md.accuracy = a.number!;
          break;
        case "skip":
          skip = a.number!;
          break;
        case "skipAfter":
          skipAfterName = a.argument;
          break;
        case "id":
        case "phase":
        case "chain":
        case "t":
          break;
        default:
          if (DISRUPTIVE.has(a.name)) disruptiveA = a;
          else own.push(a);
      }
    }

    let disruptive: ResolvedRule["disruptive"];
    if (disruptiveA && disruptiveA.name !== "block") {
      disruptive = { action: disruptiveA.name as Exclude<ResolvedRule["disruptive"]["action"], never>, argument: disruptiveArg(disruptiveA), source: "rule" };
    } else if (disruptiveA) {
      const dd = defActions.filter((a) => DISRUPTIVE.has(a.name) && a.name !== "block").pop();
      disruptive = dd ? { action: dd.name as ResolvedRule["disruptive"]["action"], argument: disruptiveArg(dd), source: "block" } : { action: "pass", argument: null, source: "block" };
    } else {
      disruptive = { action: "pass", argument: null, source: "none" };
    }

    let skipAfter: ResolvedRule["skipAfter"] = null;
    if (skipAfterName !== null) {
      const later = live.slice(index + 1).find((x) => x.kind === "marker" && x.marker.name === skipAfterName);
      const anyMarker = this.entries.find((x) => x.kind === "marker" && x.marker.name === skipAfterName);
      if (later && later.kind === "marker") {
        skipAfter = { target: skipAfterName, kind: "marker", loc: later.marker.loc };
      } else if (anyMarker && anyMarker.kind === "marker") {
        ctx.warn("suspicious", `skipAfter:${skipAfterName} of rule ${e.id}: the marker only appears before the rule (${path.basename(anyMarker.marker.loc.file)}:${anyMarker.marker.loc.line}); the rest of the phase is skipped`);
        skipAfter = { target: skipAfterName, kind: "marker", loc: anyMarker.marker.loc };
      } else if (/^\d+$/.test(skipAfterName) && this.byId.has(Number(skipAfterName))) {
        const t = this.byId.get(Number(skipAfterName))!;
        ctx.warn("divergence", `skipAfter:${skipAfterName} of rule ${e.id} names a rule id: ModSecurity v2 resumes after that rule, ModSecurity v3 only resumes at a SecMarker`);
        skipAfter = { target: skipAfterName, kind: "rule", loc: t.head.loc };
      } else {
        ctx.error(`skipAfter:${skipAfterName} in rule ${e.id} names an unknown marker (no SecMarker ${skipAfterName} in the configuration)`);
      }
    }

    return {
      id: e.id,
      directive: h.directive,
      phase: e.phase,
      loc: h.loc,
      raw: h.raw,
      variables: h.variables,
      operator: h.operator,
      transformations: effectiveTransformations(h.actions, defActions),
      ownTransformations: h.actions.filter((a) => a.name === "t").map((a) => a.argument!),
      disruptive,
      log,
      auditLog,
      status,
      capture,
      multiMatch,
      metadata: md,
      actions: [...inherited, ...own],
      skip,
      skipAfter,
      chain: e.links.map((l) => resolveLink(l, defActions)),
      updates: e.updates,
    };
  }
}

function disruptiveArg(a: ActionIR): ResolvedRule["disruptive"]["argument"] {
  if (a.name === "redirect" || a.name === "proxy") return a.macro ?? parseMacro(a.argument ?? "").value;
  if (a.name === "allow") return literalMacro(a.argument ?? "");
  return null;
}

/** ModSecurity v3: defaults' t: list unless the rule has t:none; then what follows its last t:none. */
export function effectiveTransformations(actions: ActionIR[], defaults: ActionIR[]): string[] {
  const own = actions.filter((a) => a.name === "t").map((a) => a.argument!);
  const lastNone = own.lastIndexOf("none");
  if (lastNone >= 0) return own.slice(lastNone + 1).filter((t) => t !== "none");
  return [...defaults.filter((a) => a.name === "t").map((a) => a.argument!), ...own];
}

function resolveLink(l: ParsedRule, defaults: ActionIR[]): ResolvedLink {
  const skipNames = new Set(["t", "capture", "multiMatch", "chain", "log", "nolog", "auditlog", "noauditlog", "msg", "logdata", "tag", "severity", "ver", "rev", "maturity", "accuracy", "skip", "skipAfter"]);
  return {
    loc: l.loc,
    raw: l.raw,
    variables: l.variables,
    operator: l.operator,
    transformations: effectiveTransformations(l.actions, defaults),
    capture: l.actions.some((a) => a.name === "capture"),
    multiMatch: l.actions.some((a) => a.name === "multiMatch"),
    actions: l.actions.filter((a) => !skipNames.has(a.name)),
  };
}

function hasTag(r: ParsedRule, tag: string): boolean {
  return r.actions.some((a) => a.name === "tag" && a.argument === tag);
}

function msgOf(r: ParsedRule): string | null {
  const m = r.actions.filter((a) => a.name === "msg").pop();
  return m ? m.argument : null;
}

function sameTarget(a: VariableRef, b: VariableRef): boolean {
  if (a.name !== b.name || a.count !== b.count || a.exclude !== b.exclude) return false;
  if (!a.selector || !b.selector) return a.selector === b.selector;
  if (a.selector.kind !== b.selector.kind) return false;
  const av = a.selector.kind === "key" ? a.selector.value.toLowerCase() : a.selector.kind === "regex" ? a.selector.pattern : a.selector.expr;
  const bv = b.selector.kind === "key" ? b.selector.value.toLowerCase() : b.selector.kind === "regex" ? b.selector.pattern : b.selector.expr;
  return av === bv;
}

const PAIRS: Record<string, string> = { log: "nolog", nolog: "log", auditlog: "noauditlog", noauditlog: "auditlog" };

/**
 * SecRuleUpdateActionById merge (ModSecurity's action-set merge): a disruptive action replaces
 * the rule's; actions that may appear once replace the old one (log/nolog, auditlog/noauditlog
 * replace each other); repeatable actions are appended; `t:none` drops the rule's t: list.
 */
export function mergeActions(old: ActionIR[], upd: ActionIR[]): ActionIR[] {
  let out = [...old];
  for (const a of upd) {
    const info = lookupAction(a.name)!;
    if (a.name === "t" && a.argument === "none") {
      out = out.filter((x) => x.name !== "t");
      out.push(a);
    } else if (info.group === "disruptive") {
      out = out.filter((x) => !DISRUPTIVE.has(x.name));
      out.push(a);
    } else if (info.repeatable) {
      out.push(a);
    } else {
      out = out.filter((x) => x.name !== a.name && x.name !== PAIRS[a.name]);
      out.push(a);
    }
  }
  return out;
}
