// The one place the controller touches the compiler back end (rulesets/compiler). The back end compiles the SecLang
// front end's IR into the WAFT table the filter loads; it throws CompileErrors whose entries carry file:line.
// Its public entry point is rulesets/compiler/index.ts.
import type { RuleSetIR } from "../../rulesets/ir/types";
import { COMPILER_VERSION, compileRuleSet as compileIR } from "../../rulesets/compiler/index";
import { CompileErrors } from "../../rulesets/compiler/index";

export interface BackendResult {
  table: Uint8Array;
  rules: number;
  compiler: string;
}

export interface BackendDiagnostic {
  file: string;
  line: number;
  message: string;
}

/** Compiles the IR; on failure throws BackendFailure with every diagnostic. Files under `sourceRoot` are recorded
 *  in the table by their name relative to it (so the table does not depend on where the files were written). */
export function compileWithBackend(ir: RuleSetIR, sourceRoot: string): BackendResult {
  try {
    const r = compileIR(ir, { sourceRoot });
    return { table: r.table, rules: r.stats.rules, compiler: COMPILER_VERSION };
  } catch (e) {
    if (e instanceof CompileErrors) {
      throw new BackendFailure(e.errors.map((x) => ({ file: x.file, line: x.line, message: `${x.directive}: ${x.message}` })));
    }
    throw e;
  }
}

export class BackendFailure extends Error {
  constructor(readonly diagnostics: BackendDiagnostic[]) {
    super(diagnostics.map((d) => `${d.file}:${d.line}: ${d.message}`).join("\n"));
    this.name = "BackendFailure";
  }
}
