// compileRuleSet(files) → {table, sha256, summary} | throws RuleSetError {file, line, message}.
//
// The rule-set ConfigMap's keys are file names; its values the files. `modsecdefault.conf` and `crs-setup.conf` are
// required and load first (in that order), then every other `*.conf` in case-insensitive name order (so the CRS's
// REQUEST-9xx / RESPONSE-9xx files keep their numbering order); other keys (`*.data`) are the data files that
// @pmFromFile / @ipMatchFromFile read. The SecLang front end (rulesets/seclang) validates and reports file:line;
// the back end (./backend.ts → rulesets/compiler) builds the table. Errors name the ConfigMap key, not a temp path.
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { loadSecLang } from "../../rulesets/seclang/index";
import { compileWithBackend, BackendFailure } from "./backend";

export const REQUIRED_FILES = ["modsecdefault.conf", "crs-setup.conf"] as const;
/** ConfigMap keys: `[-._a-zA-Z0-9]+`. */
const KEY = /^[-._a-zA-Z0-9]+$/;

export interface RuleSetSummary {
  files: number;
  confFiles: string[];
  rules: number;
  tableBytes: number;
  warnings: number;
  compiler: string;
}

export interface CompiledRuleSet {
  table: Uint8Array;
  /** Hex sha256 of the table: its address (GET /rulesets/<sha256>) and ETag. */
  sha256: string;
  summary: RuleSetSummary;
}

export interface RuleSetDiagnostic {
  file: string;
  line: number;
  message: string;
}

/** SecLangError-like: the first problem as file/line/message, and all of them. */
export class RuleSetError extends Error {
  readonly file: string;
  readonly line: number;
  readonly errors: RuleSetDiagnostic[];
  constructor(errors: RuleSetDiagnostic[]) {
    const first = errors[0] ?? { file: "(rule set)", line: 0, message: "invalid rule set" };
    super(first.message);
    this.name = "RuleSetError";
    this.file = first.file;
    this.line = first.line;
    this.errors = errors;
  }
  override toString(): string {
    return this.errors.map((e) => `${e.file}:${e.line}: ${e.message}`).join("\n");
  }
}

/** The order the .conf files load in. */
export function loadOrder(names: Iterable<string>): string[] {
  const rest = [...names]
    .filter((n) => n.endsWith(".conf") && !(REQUIRED_FILES as readonly string[]).includes(n))
    .sort((a, b) => {
      const la = a.toLowerCase(), lb = b.toLowerCase();
      return la < lb ? -1 : la > lb ? 1 : a < b ? -1 : a > b ? 1 : 0;
    });
  return [...REQUIRED_FILES, ...rest];
}

export function compileRuleSet(files: Map<string, Uint8Array>): CompiledRuleSet {
  const problems: RuleSetDiagnostic[] = [];
  for (const name of files.keys()) {
    if (!KEY.test(name)) problems.push({ file: name, line: 0, message: `"${name}" is not a valid file name (letters, digits, '-', '_', '.')` });
  }
  for (const req of REQUIRED_FILES) {
    if (!files.has(req)) problems.push({ file: req, line: 0, message: `required file ${req} is missing (the rule set needs modsecdefault.conf and crs-setup.conf, lower-case)` });
  }
  for (const name of files.keys()) {
    if (name !== name.toLowerCase() && (REQUIRED_FILES as readonly string[]).includes(name.toLowerCase())) {
      problems.push({ file: name, line: 0, message: `${name} must be named ${name.toLowerCase()} (lower-case, so it loads before REQUEST-*.conf)` });
    }
  }
  if (problems.length) throw new RuleSetError(problems);

  // The files are written to a fresh private directory (mkdtemp: no predictable name in a shared /tmp) and the
  // compiler records them relative to it: the same files give the same table bytes on every replica and in
  // `waf ruleset apply`, whatever the directory.
  const dir = mkdtempSync(join(tmpdir(), "modsecurity-ruleset-"));
  const unTemp = (f: string) => (f.startsWith(dir) ? basename(f) : f);
  try {
    for (const [name, bytes] of files) writeFileSync(join(dir, name), bytes);
    const order = loadOrder(files.keys());
    const r = loadSecLang(order.map((n) => join(dir, n)));
    if (r.errors.length) {
      throw new RuleSetError(r.errors.map((e) => ({ file: unTemp(e.file), line: e.line, message: `${e.directive}: ${e.message}` })));
    }
    let out;
    try {
      out = compileWithBackend(r.ruleset, dir);
    } catch (e) {
      if (e instanceof BackendFailure) throw new RuleSetError(e.diagnostics.map((d) => ({ ...d, file: unTemp(d.file) })));
      throw e;
    }
    const sha256 = createHash("sha256").update(out.table).digest("hex");
    return {
      table: out.table,
      sha256,
      summary: { files: files.size, confFiles: order, rules: out.rules, tableBytes: out.table.length, warnings: r.warnings.length, compiler: out.compiler },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A ConfigMap's data (text) and binaryData (base64) as one file map. */
export function filesFromConfigMap(cm: { data?: Record<string, string>; binaryData?: Record<string, string> }): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(cm.data ?? {})) files.set(k, Buffer.from(v, "utf8"));
  for (const [k, v] of Object.entries(cm.binaryData ?? {})) files.set(k, Buffer.from(v, "base64"));
  return files;
}
