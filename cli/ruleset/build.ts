// SecLang files → validated IR → WAFT table: the one path every command that runs rules takes (`waf check`,
// `waf serve`, `waf crs-test`), so that they all load a rule set exactly the same way. Errors stop here,
// with file:line, before any traffic is seen: a rule that fails to compile is never silently left out.
import { loadSecLang } from "../../rulesets/seclang/index";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { COMPILER_VERSION, compileRuleSet, CompileErrors, type CompileResult, type CompileRuleSetOptions } from "../../rulesets/compiler/index";
import type { Warning } from "../../rulesets/ir/types";
import { cacheKey, compilerFingerprint, readCached, writeCached } from "./cache";

export class RuleSetError extends Error {
  constructor(readonly diagnostics: string[]) {
    super(`the rule set has ${diagnostics.length} error${diagnostics.length === 1 ? "" : "s"}:\n` + diagnostics.map((d) => "  " + d).join("\n"));
    this.name = "RuleSetError";
  }
}

export interface BuiltRuleSet extends CompileResult {
  warnings: Warning[];
}

export type EngineMode = "detect" | "block";

/** The directive `--mode` appends, after every file, so it wins over what the files say. */
export function modeDirective(mode: EngineMode): string {
  return `SecRuleEngine ${mode === "block" ? "On" : "DetectionOnly"}`;
}

export function buildRuleSet(files: string[], directives: string[] = [], options: CompileRuleSetOptions = {}): BuiltRuleSet {
  const { ruleset, errors, warnings } = loadSecLang(files, { directives });
  if (errors.length > 0) throw new RuleSetError(errors.map((e) => e.toString()));
  try {
    return { ...compileRuleSet(ruleset, options), warnings };
  } catch (err) {
    if (err instanceof CompileErrors) throw new RuleSetError(err.errors.map((e) => e.toString()));
    throw err;
  }
}

export interface LoadedTable {
  table: Uint8Array;
  rules: number;
  warnings: Warning[];
  /** True when the table came from the on-disk cache (same IR, same compiler). */
  cached: boolean;
}

/**
 * What `waf serve` and `waf check` need: the table for these files and directives, from the on-disk cache when
 * the same rules were compiled by the same compiler before. Parsing always runs (it is fast, and it is what
 * reports file:line errors); only the expensive back end is skipped on a hit.
 */
export function loadRuleSetTable(files: string[], directives: string[] = []): LoadedTable {
  const { ruleset, errors, warnings } = loadSecLang(files, { directives });
  if (errors.length > 0) throw new RuleSetError(errors.map((e) => e.toString()));
  const rules = ruleset.items.filter((i) => i.kind === "rule").length;
  const key = cacheKey([COMPILER_VERSION, compilerFingerprint(fileURLToPath(import.meta.url), rulesetsSourceDir()), ruleset]);
  const hit = readCached(key);
  if (hit) return { table: hit, rules, warnings, cached: true };
  let table: Uint8Array;
  try {
    table = compileRuleSet(ruleset).table;
  } catch (err) {
    if (err instanceof CompileErrors) throw new RuleSetError(err.errors.map((e) => e.toString()));
    throw err;
  }
  writeCached(key, table);
  return { table, rules, warnings, cached: false };
}

function rulesetsSourceDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), "../../rulesets");
}
