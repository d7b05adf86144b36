// Public API of the compiler back end: RuleSetIR -> WAFT table (rule program + operator and regex objects).
export { compileRuleSet, COMPILER_VERSION, DEFAULT_REGEX_OPTIONS, sectionKindName, stoi, parseByteRanges } from "./program";
export type { CompileResult, CompileRuleSetOptions, CompileStatsSummary, RuleExplain, ConditionExplain, RegexInfo } from "./program";
export { CompileError, CompileErrors } from "./errors";
export { decodeProgram, programArrays, programDigest, PROGRAM_ARRAY_ORDER } from "./decode";
export type { DecodedProgram, DecodedRule, DecodedCondition, DecodedTarget, ProgramArrays } from "./decode";
export { parsePmArgument } from "./pm";
