// Typed errors of the compiler back end: every construct the back end cannot compile is reported with the file and
// line of its directive, what was found and what was expected — never dropped.
import { formatDiagnostic } from "../seclang/errors";

export type CompileErrorCode =
  | "unknown-variable"
  | "unknown-operator"
  | "unknown-transformation"
  | "unknown-action"
  | "unknown-ctl"
  | "bad-argument"
  | "regex"
  | "phrases"
  | "ip-list"
  | "macro"
  | "limit";

export class CompileError extends Error {
  constructor(
    readonly code: CompileErrorCode,
    readonly file: string,
    readonly line: number,
    readonly directive: string,
    message: string,
  ) {
    super(message);
    this.name = "CompileError";
  }
  override toString(): string {
    return formatDiagnostic(this);
  }
  toJSON() {
    return { code: this.code, file: this.file, line: this.line, directive: this.directive, message: this.message };
  }
}

/** Thrown by compileRuleSet when at least one construct could not be compiled; carries all of them. */
export class CompileErrors extends Error {
  constructor(readonly errors: CompileError[]) {
    super(`${errors.length} compile error${errors.length === 1 ? "" : "s"}:\n` + errors.map((e) => "  " + e.toString()).join("\n"));
    this.name = "CompileErrors";
  }
}
