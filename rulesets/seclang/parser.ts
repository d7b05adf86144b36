// Parsing of the parts of a rule: variables, operator, actions (with macros, setvar, ctl, t:).
import * as fs from "node:fs";
import * as path from "node:path";
import {
  lookupAction,
  lookupCtl,
  lookupOperator,
  lookupTransformation,
  lookupVariable,
  PHASE_NAMES,
  SEVERITY_NAMES,
} from "../ir/catalog";
import type { ActionIR, CtlIR, DataFile, IdRange, OperatorIR, Phase, SetVarIR, VariableRef, VariableSelector } from "../ir/types";
import type { Diagnostics } from "./errors";
import { truncate } from "./lexer";
import { literalMacro, parseMacro } from "./macro";

/** Where diagnostics go while one directive is parsed. */
export class Ctx {
  errorCount = 0;
  constructor(
    readonly diag: Diagnostics,
    readonly file: string,
    readonly line: number,
    readonly directive: string,
    /** Cache of data files read (resolved path → content), shared by a whole load. */
    readonly fileCache: Map<string, string | null> = new Map(),
  ) {}

  error(message: string): void {
    this.errorCount++;
    this.diag.error(this.file, this.line, this.directive, message);
  }

  warn(code: "no-effect" | "limited" | "divergence" | "suspicious", message: string): void {
    this.diag.warn(code, this.file, this.line, this.directive, message);
  }
}

// ---------------------------------------------------------------------------------------------
// Variables
// ---------------------------------------------------------------------------------------------

/**
 * Parses a target list: `ARGS|!ARGS:foo|&TX:x|REQUEST_HEADERS:/^x-/|XML:/*`.
 * Targets are separated by `|` (ModSecurity v3 also accepts `,`).
 */
export function parseVariables(text: string, ctx: Ctx, what = "variable list"): VariableRef[] {
  const out: VariableRef[] = [];
  const n = text.length;
  let i = 0;
  if (n === 0) {
    ctx.error(`empty ${what}: expected at least one variable such as ARGS or REQUEST_HEADERS:User-Agent`);
    return out;
  }
  while (i < n) {
    const start = i;
    let exclude = false;
    let count = false;
    if (text[i] === "!") {
      exclude = true;
      i++;
    } else if (text[i] === "&") {
      count = true;
      i++;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i));
    if (!m) {
      ctx.error(`expected a variable name in the ${what} at ${JSON.stringify(truncate(text.slice(i), 40))}`);
      return out;
    }
    const rawName = m[0];
    i += rawName.length;
    const info = lookupVariable(rawName);
    let selector: VariableSelector | null = null;
    if (text[i] === ":") {
      i++;
      if (info?.name === "XML") {
        let j = i;
        while (j < n && text[j] !== "|") j++;
        selector = { kind: "xpath", expr: text.slice(i, j) };
        i = j;
      } else if (text[i] === "'") {
        const j = text.indexOf("'", i + 1);
        if (j < 0) {
          ctx.error(`unterminated quoted selector in ${JSON.stringify(text.slice(start))}`);
          return out;
        }
        const body = text.slice(i + 1, j);
        selector = body.length >= 2 && body.startsWith("/") && body.endsWith("/") ? { kind: "regex", pattern: body.slice(1, -1) } : { kind: "key", value: body };
        i = j + 1;
      } else if (text[i] === "/") {
        // Regex selector: ends at the first unescaped `/` followed by `|`, `,` or the end.
        let j = i + 1;
        let found = -1;
        while (j < n) {
          if (text[j] === "\\") {
            j += 2;
            continue;
          }
          if (text[j] === "/" && (j + 1 >= n || text[j + 1] === "|" || text[j + 1] === ",")) {
            found = j;
            break;
          }
          j++;
        }
        if (found < 0) {
          ctx.error(`unterminated regex selector ${JSON.stringify(truncate(text.slice(start), 60))}: expected a closing / before | or the end`);
          return out;
        }
        selector = { kind: "regex", pattern: text.slice(i + 1, found) };
        i = found + 1;
      } else {
        let j = i;
        while (j < n && text[j] !== "|" && text[j] !== ",") j++;
        selector = { kind: "key", value: text.slice(i, j) };
        i = j;
      }
      const empty = selector.kind === "key" ? selector.value === "" : selector.kind === "regex" ? selector.pattern === "" : selector.expr === "";
      if (empty) ctx.error(`empty selector after ${rawName}: in the ${what}`);
    }
    const raw = text.slice(start, i);
    if (!info) {
      ctx.error(`unknown variable ${rawName}`);
    } else {
      if (info.support === "unsupported") ctx.error(`variable ${info.name} is not supported: ${info.note ?? ""}`);
      else if (info.support === "limited" || info.support === "no-effect") ctx.warn(info.support, `variable ${info.name}: ${info.note ?? ""}`);
      if (selector && !info.collection) ctx.error(`${info.name} is not a collection; it takes no :selector (got ${JSON.stringify(raw)})`);
      out.push({ name: info.name, selector, count, exclude, raw });
    }
    if (i < n) {
      if (text[i] === "|" || text[i] === ",") {
        i++;
        if (i >= n) ctx.error(`the ${what} ends with a separator: ${JSON.stringify(truncate(text, 60))}`);
      } else if (text[i] === " " || text[i] === "\t") {
        ctx.error(`unexpected white space in the ${what} ${JSON.stringify(truncate(text, 60))}`);
        return out;
      } else {
        ctx.error(`unexpected ${JSON.stringify(text[i])} in the ${what} after ${JSON.stringify(raw)}: expected | between variables`);
        return out;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Operator
// ---------------------------------------------------------------------------------------------

export function parseOperator(text: string, ctx: Ctx): OperatorIR | null {
  let s = text;
  let negated = false;
  if (s.startsWith("!")) {
    negated = true;
    s = s.slice(1);
  }
  let name = "rx";
  let implicit = true;
  let argument = s;
  if (s.startsWith("@")) {
    const m = /^@([A-Za-z0-9_]+)/.exec(s);
    const written = m ? m[1]! : "";
    const info = m ? lookupOperator(written) : undefined;
    if (!info) {
      ctx.error(`unknown operator @${written}`);
      return null;
    }
    if (info.support === "unsupported") {
      ctx.error(`operator @${info.name} is not supported: ${info.note ?? ""}`);
      return null;
    }
    if (info.support === "limited" || info.support === "no-effect") ctx.warn(info.support, `operator @${info.name}: ${info.note ?? ""}`);
    name = info.name;
    implicit = false;
    const rest = s.slice(1 + written.length);
    if (info.arg === "none") {
      if (rest.trim() !== "") {
        ctx.error(`operator @${info.name} takes no argument (got ${JSON.stringify(truncate(rest.trim(), 40))})`);
        return null;
      }
      argument = "";
    } else {
      if (rest === "") {
        ctx.error(`operator @${info.name} expects an argument`);
        return null;
      }
      if (rest[0] !== " ") {
        ctx.error(`expected a space between @${written} and its argument`);
        return null;
      }
      // ModSecurity v3 consumes exactly one space; more spaces belong to the argument.
      argument = rest.slice(1);
      if (argument === "") {
        ctx.error(`operator @${info.name} expects an argument`);
        return null;
      }
    }
  } else if (s === "") {
    ctx.error("expected an operator (e.g. \"@rx pattern\"), got an empty string");
    return null;
  }
  const info = lookupOperator(name)!;
  const mr = parseMacro(argument);
  for (const e of mr.errors) ctx.error(`operator @${name}: ${e}`);
  const op: OperatorIR = { name, negated, implicit, argument, macro: mr.value };
  switch (info.arg) {
    case "number":
      if (!mr.value.dynamic && !/^\s*[+-]?\d+\s*$/.test(argument)) {
        ctx.error(`operator @${name} expects an integer or a macro, got ${JSON.stringify(truncate(argument, 40))}`);
      }
      break;
    case "byteRanges": {
      const ok = argument.split(",").every((part) => {
        const r = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
        if (!r) return false;
        const a = Number(r[1]);
        const b = r[2] !== undefined ? Number(r[2]) : a;
        return a <= 255 && b <= 255 && a <= b;
      });
      if (!ok) ctx.error(`operator @validateByteRange expects ranges like "1-255,9" with values 0-255, got ${JSON.stringify(truncate(argument, 40))}`);
      break;
    }
    case "ipList": {
      const items = argument.split(/[,\s]+/).filter((x) => x !== "");
      const bad = items.find((x) => !/^[0-9A-Fa-f:.]+(\/\d{1,3})?$/.test(x));
      if (items.length === 0 || bad !== undefined) ctx.error(`operator @ipMatch expects comma-separated addresses or CIDR blocks, got ${JSON.stringify(truncate(bad ?? argument, 40))}`);
      break;
    }
    case "phrases":
      if (argument.trim() === "") ctx.error(`operator @${name} expects at least one phrase`);
      break;
    case "files":
      op.dataFiles = loadDataFiles(name, argument, ctx);
      break;
    default:
      break;
  }
  return op;
}

function loadDataFiles(opName: string, argument: string, ctx: Ctx): DataFile[] {
  const out: DataFile[] = [];
  const names = argument.split(/[ \t]+/).filter((x) => x !== "");
  if (names.length === 0) ctx.error(`operator @${opName} expects a data file name`);
  for (const p of names) {
    if (/^https?:\/\//i.test(p)) {
      ctx.error(`operator @${opName}: data files are not downloaded at run time (${p}); put the file next to the rules`);
      continue;
    }
    const resolved = path.resolve(path.dirname(ctx.file), p);
    let content = ctx.fileCache.get(resolved);
    if (content === undefined) {
      try {
        content = fs.readFileSync(resolved, "latin1");
      } catch {
        content = null;
      }
      ctx.fileCache.set(resolved, content);
    }
    if (content === null) {
      ctx.error(`data file not found for @${opName}: ${p} (looked for ${resolved})`);
      continue;
    }
    const entries: string[] = [];
    for (let line of content.split("\n")) {
      if (line.endsWith("\r")) line = line.slice(0, -1);
      if (/^\s*$/.test(line) || /^\s*#/.test(line)) continue;
      entries.push(line);
    }
    out.push({ path: p, resolvedPath: resolved, content, entries });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

interface RawAction {
  name: string;
  value: string | null;
  quoted: boolean;
}

/** Splits an action list into `name[:value]` items (quote- and continuation-aware). */
export function splitActions(text: string, ctx: Ctx): RawAction[] {
  const out: RawAction[] = [];
  const n = text.length;
  let i = 0;
  const contAt = (k: number): number => {
    let p = k;
    while (text[p] === " " || text[p] === "\t") p++;
    if (text[p] !== "\\") return 0;
    if (text[p + 1] === "\n") p += 2;
    else if (text[p + 1] === "\r" && text[p + 2] === "\n") p += 3;
    else return 0;
    while (text[p] === " " || text[p] === "\t") p++;
    return p - k;
  };
  const skipSep = () => {
    for (;;) {
      if (text[i] === " " || text[i] === "\t") {
        i++;
        continue;
      }
      const c = contAt(i);
      if (c) {
        i += c;
        continue;
      }
      break;
    }
  };
  skipSep();
  if (i >= n) {
    ctx.error("empty action list");
    return out;
  }
  while (i < n) {
    skipSep();
    const m = /^[A-Za-z0-9_]+/.exec(text.slice(i));
    if (!m) {
      ctx.error(`expected an action name at ${JSON.stringify(truncate(text.slice(i), 40))}`);
      return out;
    }
    const name = m[0];
    i += name.length;
    let value: string | null = null;
    let quoted = false;
    if (text[i] === ":") {
      i++;
      if (text[i] === "'") {
        let j = i + 1;
        while (j < n && text[j] !== "'") j += text[j] === "\\" ? 2 : 1;
        if (j >= n) {
          ctx.error(`unterminated single-quoted value in action ${name}:${truncate(text.slice(i), 40)}`);
          return out;
        }
        value = text.slice(i + 1, j);
        quoted = true;
        i = j + 1;
      } else {
        let j = i;
        while (j < n && text[j] !== ",") j++;
        value = text.slice(i, j);
        i = j;
        // A continuation at the end of a bare value is a separator; trailing blanks too.
        value = value.replace(/[ \t]*\\\r?\n[ \t]*$/, "").replace(/[ \t]+$/, "");
      }
      if (/\\\r?\n/.test(value)) {
        ctx.warn(
          "divergence",
          `action ${name}: a line continuation inside the value is kept literally (backslash and newline), as ModSecurity v3 does; Apache/ModSecurity v2 would join the lines`,
        );
      }
    }
    out.push({ name, value, quoted });
    skipSep();
    if (i >= n) break;
    if (text[i] !== ",") {
      ctx.error(`expected "," between actions after ${name}${value !== null ? ":" + truncate(value, 30) : ""}, got ${JSON.stringify(truncate(text.slice(i), 30))}`);
      return out;
    }
    i++;
    skipSep();
    if (i >= n) {
      // A trailing comma is accepted by ModSecurity v3.
      break;
    }
  }
  return out;
}

const WRITABLE = new Set(["TX", "IP", "SESSION", "USER", "GLOBAL", "RESOURCE"]);

/** Parses an action list into typed actions. Unknown actions and bad arguments are errors. */
export function parseActions(text: string, ctx: Ctx): ActionIR[] {
  const out: ActionIR[] = [];
  for (const ra of splitActions(text, ctx)) {
    const a = parseAction(ra, ctx);
    if (a) out.push(a);
  }
  return out;
}

function parseAction(ra: RawAction, ctx: Ctx): ActionIR | null {
  const info = lookupAction(ra.name);
  if (!info) {
    ctx.error(`unknown action ${ra.name}`);
    return null;
  }
  const name = info.name;
  if (info.support === "unsupported") {
    ctx.error(`action ${name} is not supported: ${info.note ?? ""}`);
    return null;
  }
  if (info.support === "no-effect" || info.support === "limited") ctx.warn(info.support, `action ${name}: ${info.note ?? ""}; it has no effect here`);
  if (info.arg === "none" && ra.value !== null) {
    ctx.error(`action ${name} takes no argument (got ${name}:${truncate(ra.value, 40)})`);
    return null;
  }
  if (info.arg === "required" && (ra.value === null || ra.value === "")) {
    ctx.error(`action ${name} expects an argument (${name}:...)`);
    return null;
  }
  const a: ActionIR = { name, argument: ra.value, quoted: ra.quoted };
  const val = ra.value ?? "";
  const bad = (expected: string) => {
    ctx.error(`bad argument for action ${name}: expected ${expected}, got ${JSON.stringify(truncate(val, 40))}`);
    return null;
  };
  const macro = (s: string) => {
    const r = parseMacro(s);
    for (const e of r.errors) ctx.error(`action ${name}: ${e}`);
    return r.value;
  };
  switch (name) {
    case "id": {
      if (!/^\d+$/.test(val)) return bad("a positive integer");
      const id = Number(val);
      if (id < 1 || id > 4294967295) return bad("an id between 1 and 4294967295");
      a.number = id;
      break;
    }
    case "phase": {
      const p = parsePhase(val);
      if (p === null) return bad("a phase 1-5, request, response or logging");
      a.number = p;
      break;
    }
    case "severity": {
      const s = parseSeverity(val);
      if (s === null) return bad("a severity 0-7 or EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFO, DEBUG");
      a.number = s;
      break;
    }
    case "skip": {
      if (!/^\d+$/.test(val) || Number(val) < 1) return bad("a positive number of rules");
      a.number = Number(val);
      break;
    }
    case "status": {
      if (!/^\d{3}$/.test(val) || Number(val) < 100) return bad("an HTTP status code 100-999");
      a.number = Number(val);
      break;
    }
    case "accuracy":
    case "maturity": {
      if (!/^\d+$/.test(val) || Number(val) > 9) return bad("a number 0-9");
      a.number = Number(val);
      break;
    }
    case "allow": {
      if (ra.value !== null) {
        const v = val.toLowerCase();
        if (v !== "request" && v !== "phase") return bad("allow, allow:request or allow:phase");
        a.argument = v;
      }
      break;
    }
    case "t": {
      const t = lookupTransformation(val);
      if (!t) {
        ctx.error(`unknown transformation t:${val}`);
        return null;
      }
      if (t.support === "unsupported") {
        ctx.error(`transformation t:${t.name} is not supported`);
        return null;
      }
      a.argument = t.name;
      break;
    }
    case "skipAfter": {
      if (/\s/.test(val)) return bad("a marker name without white space");
      break;
    }
    case "setvar": {
      const sv = parseSetVar(val, ctx);
      if (!sv) return null;
      a.setvar = sv;
      break;
    }
    case "ctl": {
      const c = parseCtl(val, ctx);
      if (!c) return null;
      a.ctl = c;
      break;
    }
    case "initcol": {
      const m = /^([A-Za-z]+)=(.*)$/s.exec(val);
      if (!m || !WRITABLE.has(m[1]!.toUpperCase()) || m[2] === "") return bad("initcol:COLLECTION=key with COLLECTION one of IP, SESSION, USER, GLOBAL, RESOURCE");
      a.macro = macro(m[2]!);
      break;
    }
    case "expirevar": {
      const m = /^([A-Za-z]+)[.:]([^=]+)=(.*)$/s.exec(val);
      if (!m || !WRITABLE.has(m[1]!.toUpperCase())) return bad("expirevar:COLLECTION.name=seconds");
      a.macro = macro(m[3]!);
      if (!a.macro.dynamic) {
        if (!/^\d+$/.test(m[3]!)) return bad("expirevar:COLLECTION.name=seconds");
        a.number = Number(m[3]);
      }
      break;
    }
    case "msg":
    case "logdata":
    case "tag":
    case "redirect":
    case "setenv":
    case "setuid":
    case "setsid":
    case "setrsc":
      a.macro = macro(val);
      if (name === "setenv" && !/^[^=]+=/.test(val) && !/^!/.test(val)) return bad("setenv:name=value");
      break;
    default:
      break;
  }
  return a;
}

export function parsePhase(v: string): Phase | null {
  const s = v.trim();
  if (/^[1-5]$/.test(s)) return Number(s) as Phase;
  return PHASE_NAMES[s.toLowerCase()] ?? null;
}

export function parseSeverity(v: string): number | null {
  const s = v.trim();
  if (/^[0-7]$/.test(s)) return Number(s);
  const i = SEVERITY_NAMES.indexOf(s.toUpperCase());
  return i >= 0 ? i : null;
}

function parseSetVar(val: string, ctx: Ctx): SetVarIR | null {
  let s = val;
  let op: SetVarIR["op"] = "set";
  let name: string;
  let value = "";
  if (s.startsWith("!")) {
    op = "unset";
    name = s.slice(1);
  } else {
    const eq = s.indexOf("=");
    if (eq < 0) {
      name = s;
      value = "1";
    } else {
      name = s.slice(0, eq);
      s = s.slice(eq + 1);
      if (s.startsWith("+")) {
        op = "add";
        value = s.slice(1);
      } else if (s.startsWith("-")) {
        op = "sub";
        value = s.slice(1);
      } else {
        value = s;
      }
    }
  }
  const m = /^([A-Za-z]+)[.:](.+)$/s.exec(name);
  if (!m) {
    ctx.error(`bad argument for action setvar: expected COLLECTION.name[=value], got ${JSON.stringify(truncate(val, 50))}`);
    return null;
  }
  const collection = m[1]!.toUpperCase();
  if (!WRITABLE.has(collection)) {
    ctx.error(`setvar: collection ${m[1]} cannot be written (expected TX, IP, SESSION, USER, GLOBAL or RESOURCE)`);
    return null;
  }
  const k = parseMacro(m[2]!);
  const vv = parseMacro(value);
  for (const e of [...k.errors, ...vv.errors]) ctx.error(`action setvar: ${e}`);
  if ((op === "add" || op === "sub") && !vv.value.dynamic && !/^\d+$/.test(value.trim())) {
    ctx.error(`setvar: ${op === "add" ? "=+" : "=-"} expects a number or a macro, got ${JSON.stringify(truncate(value, 40))}`);
    return null;
  }
  return { collection, key: k.value, op, value: op === "unset" ? literalMacro("") : vv.value };
}

/** Parses `1 2 10-20` (or comma-separated) ids and ranges. Returns null on a bad item. */
export function parseIdRanges(text: string): { ranges: IdRange[] } | { bad: string } {
  const ranges: IdRange[] = [];
  for (const item of text.split(/[\s,]+/).filter((x) => x !== "")) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(item);
    if (!m) return { bad: item };
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    if (to < from) return { bad: item };
    ranges.push({ from, to });
  }
  if (ranges.length === 0) return { bad: text };
  return { ranges };
}

function parseCtl(val: string, ctx: Ctx): CtlIR | null {
  const eq = val.indexOf("=");
  if (eq <= 0) {
    ctx.error(`bad argument for action ctl: expected ctl:option=value, got ${JSON.stringify(truncate(val, 50))}`);
    return null;
  }
  const optName = val.slice(0, eq);
  const value = val.slice(eq + 1);
  const info = lookupCtl(optName);
  if (!info) {
    ctx.error(`unknown ctl option ${optName}`);
    return null;
  }
  if (info.support === "unsupported") {
    ctx.error(`ctl:${info.name} is not supported: ${info.note ?? ""}`);
    return null;
  }
  if (info.support === "no-effect") ctx.warn("no-effect", `ctl:${info.name}: ${info.note ?? ""}; it has no effect here`);
  const c: CtlIR = { option: info.name, value };
  const bad = (expected: string) => {
    ctx.error(`bad value for ctl:${info.name}: expected ${expected}, got ${JSON.stringify(truncate(value, 50))}`);
    return null;
  };
  switch (info.value) {
    case "engine": {
      const allowed = info.name === "ruleEngine" ? ["On", "Off", "DetectionOnly"] : ["On", "Off", "RelevantOnly"];
      const hit = allowed.find((x) => x.toLowerCase() === value.toLowerCase());
      if (!hit) return bad(allowed.join(", "));
      c.value = hit;
      break;
    }
    case "onOff": {
      const v = value.toLowerCase();
      if (v === "on" || v === "true") c.value = "On";
      else if (v === "off" || v === "false") c.value = "Off";
      else return bad("On or Off");
      break;
    }
    case "number":
      if (!/^\d+$/.test(value)) return bad("a number");
      break;
    case "bodyProcessor": {
      const v = value.toUpperCase();
      if (!["URLENCODED", "MULTIPART", "XML", "JSON"].includes(v)) return bad("URLENCODED, MULTIPART, XML or JSON");
      c.value = v;
      break;
    }
    case "auditParts":
      if (!/^[+-]?[A-KZ]+$/.test(value)) return bad("audit log parts such as +E or ABIJDEFHZ");
      break;
    case "ids": {
      const r = parseIdRanges(value);
      if ("bad" in r) return bad("rule ids or ranges (942100 or 942100-942199)");
      c.ids = r.ranges;
      break;
    }
    case "idsTargets":
    case "matchTargets": {
      const semi = value.indexOf(";");
      if (semi <= 0 || semi === value.length - 1) return bad(info.value === "idsTargets" ? "ID;TARGET (e.g. 942100;ARGS:foo)" : "TAG;TARGET (e.g. attack-sqli;ARGS:foo)");
      const head = value.slice(0, semi);
      if (info.value === "idsTargets") {
        const r = parseIdRanges(head);
        if ("bad" in r) return bad("ID;TARGET (e.g. 942100;ARGS:foo)");
        c.ids = r.ranges;
      } else {
        c.match = head;
      }
      const before = ctx.errorCount;
      c.targets = parseVariables(value.slice(semi + 1), ctx, `ctl:${info.name} target`);
      if (ctx.errorCount !== before) return null;
      break;
    }
    case "match":
      if (value === "") return bad("a tag or message");
      c.match = value;
      break;
  }
  return c;
}

/** For error messages: "942100" or "(no id)". */
export function describeId(actions: ActionIR[]): string {
  const id = actions.find((a) => a.name === "id");
  return id?.number !== undefined ? String(id.number) : "(no id)";
}

export { literalMacro };
