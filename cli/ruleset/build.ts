// SecLang files → validated IR → WAFT table: the one path every command that runs rules takes (`waf check`,
// `waf serve`, `waf crs-test`), so that they all load a rule set exactly the same way. Errors stop here,
// with file:line, before any traffic is seen: a rule that fails to compile is never silently left out.
import { loadSecLang } from "../../rulesets/seclang/index";
import { compileRuleSet, CompileErrors, type CompileResult, type CompileRuleSetOptions } from "../../rulesets/compiler/index";
import type { Warning } from "../../rulesets/ir/types";

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
