/** Typed errors of the regex compiler. Nothing is ever silently approximated: unsupported input throws. */

export class RegexSyntaxError extends Error {
  override readonly name = "RegexSyntaxError";
  constructor(
    readonly pattern: string,
    /** offset in the pattern (UTF-16 units of the JS string; CRS patterns are ASCII) */
    readonly offset: number,
    /** what the parser expected / found */
    readonly expected: string,
  ) {
    super(`regex syntax error at offset ${offset}: ${expected} in /${pattern.length > 120 ? pattern.slice(0, 120) + "…" : pattern}/`);
  }
}

export class UnsupportedRegexError extends Error {
  override readonly name = "UnsupportedRegexError";
  constructor(
    readonly pattern: string,
    /** the construct that is not supported, e.g. "atomic group (?>...)" */
    readonly construct: string,
    readonly offset: number = -1,
  ) {
    super(`unsupported regex construct: ${construct}${offset >= 0 ? ` at offset ${offset}` : ""} in /${pattern.length > 120 ? pattern.slice(0, 120) + "…" : pattern}/`);
  }
}
