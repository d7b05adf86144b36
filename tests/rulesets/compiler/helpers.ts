// Shared helpers of the compiler tests: CRS location (WAF_SHARED_DIR, never copied into the repo), compiling a
// CRS version once per process, and an IR -> decoded-program comparison that speaks the decoder's spelling.
import { existsSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { MacroString, RuleSetIR } from "../../../rulesets/ir/types";
import { loadSecLang, parseSecLang } from "../../../rulesets/seclang/index";
import { compileRuleSet, type CompileResult } from "../../../rulesets/compiler/index";
import { repoRoot } from "./as-harness";

export const SHARED = process.env.WAF_SHARED_DIR ?? resolve(repoRoot, "../shared");

export function crsFiles(version: string): string[] {
  const dir = join(SHARED, "crs", version, "rules");
  return [
    join(repoRoot, "rulesets/modsecdefault.conf"),
    join(repoRoot, "rulesets/crs-setup.conf"),
    ...readdirSync(dir).filter((f) => f.endsWith(".conf")).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).map((f) => join(dir, f)),
  ];
}
export const crsAvailable = (v: string) => existsSync(join(SHARED, "crs", v, "rules"));

const cache = new Map<string, { ir: RuleSetIR; res: CompileResult; loadMs: number }>();
export function compileCrs(version: string) {
  let c = cache.get(version);
  if (!c) {
    const t0 = performance.now();
    const r = loadSecLang(crsFiles(version));
    if (r.errors.length) throw new Error(r.errors.map(String).join("\n"));
    const loadMs = performance.now() - t0;
    c = { ir: r.ruleset, res: compileRuleSet(r.ruleset), loadMs };
    cache.set(version, c);
  }
  return c;
}

/** Compiles SecLang text written as if in `file` (errors from the front end throw). */
export function compileText(text: string, file = "/tmp/waf-compiler-test.conf"): { ir: RuleSetIR; res: CompileResult } {
  const r = parseSecLang(text, file);
  if (r.errors.length) throw new Error(r.errors.map(String).join("\n"));
  return { ir: r.ruleset, res: compileRuleSet(r.ruleset) };
}

/** A macro in the decoder's spelling: literal text, `%{COLLECTION.key}` references. */
export function macroText(m: MacroString): string {
  return m.parts.map((p) => (p.kind === "text" ? p.text : `%{${p.collection}${p.key === null ? "" : "." + p.key}}`)).join("");
}
