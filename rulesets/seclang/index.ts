// Public API of the SecLang front end: SecLang files → validated RuleSetIR.
//
//   const { ruleset, errors, warnings } = loadSecLang(["/etc/waf/main.conf"]);
//   if (errors.length) { for (const e of errors) console.error(e.toString()); process.exit(1); }
//
// Strings in the IR are byte strings: files are read as latin1, so each character is one byte
// of the file (what ModSecurity hands PCRE; CRS patterns contain UTF-8 sequences such as `’`).
// Decode for display with Buffer.from(s, "latin1").toString("utf8").
import type { RuleSetIR, Warning } from "../ir/types";
import { SecLangError, SecLangErrors } from "./errors";
import { Loader, type LoaderOptions } from "./loader";

export interface LoadResult {
  ruleset: RuleSetIR;
  errors: SecLangError[];
  warnings: Warning[];
}

/** Loads SecLang files in order (each may Include others), then `options.directives` lines. */
export function loadSecLang(files: string[], options: LoaderOptions = {}): LoadResult {
  const loader = new Loader();
  for (const f of files) loader.loadFile(f);
  (options.directives ?? []).forEach((line, i) => loader.loadText(line, `<directive ${i + 1}>`));
  const ruleset = loader.finish();
  return { ruleset, errors: loader.diag.errors, warnings: loader.diag.warnings };
}

/** Parses SecLang text as if it were the file `file` (Include and data files resolve from
 *  its directory). */
export function parseSecLang(text: string, file: string): LoadResult {
  const loader = new Loader();
  loader.loadText(text, file);
  const ruleset = loader.finish();
  return { ruleset, errors: loader.diag.errors, warnings: loader.diag.warnings };
}

/** As loadSecLang, but throws SecLangErrors (carrying every error) when there is any. */
export function loadSecLangOrThrow(files: string[], options: LoaderOptions = {}): { ruleset: RuleSetIR; warnings: Warning[] } {
  const r = loadSecLang(files, options);
  if (r.errors.length) throw new SecLangErrors(r.errors, r.warnings);
  return { ruleset: r.ruleset, warnings: r.warnings };
}

export { SecLangError, SecLangErrors, formatDiagnostic } from "./errors";
export type { LoaderOptions } from "./loader";
export { lexSecLang } from "./lexer";
export { parseMacro } from "./macro";
