// Typed diagnostics of the SecLang front end.
import type { Diagnostic, Warning } from "../ir/types";

/** A configuration error: the file, the line where the directive starts, the directive and
 *  what was expected. `toString()` gives `file:line: Directive: message`. */
export class SecLangError extends Error implements Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly directive: string;

  constructor(file: string, line: number, directive: string, message: string) {
    super(message);
    this.name = "SecLangError";
    this.file = file;
    this.line = line;
    this.directive = directive;
  }

  /** The bare reason, without location. */
  get reason(): string {
    return this.message;
  }

  override toString(): string {
    return formatDiagnostic(this);
  }

  toJSON(): Diagnostic {
    return { file: this.file, line: this.line, directive: this.directive, message: this.message };
  }
}

/** Thrown by the throwing entry points when a rule set has errors; carries all of them. */
export class SecLangErrors extends Error {
  readonly errors: SecLangError[];
  readonly warnings: Warning[];
  constructor(errors: SecLangError[], warnings: Warning[]) {
    super(
      `${errors.length} SecLang error${errors.length === 1 ? "" : "s"}:\n` + errors.map((e) => "  " + e.toString()).join("\n"),
    );
    this.name = "SecLangErrors";
    this.errors = errors;
    this.warnings = warnings;
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}: ${d.directive}: ${d.message}`;
}

/** Collects errors and warnings while a rule set is read. */
export class Diagnostics {
  readonly errors: SecLangError[] = [];
  readonly warnings: Warning[] = [];

  error(file: string, line: number, directive: string, message: string): void {
    this.errors.push(new SecLangError(file, line, directive, message));
  }

  warn(code: Warning["code"], file: string, line: number, directive: string, message: string): void {
    this.warnings.push({ code, file, line, directive, message });
  }
}
