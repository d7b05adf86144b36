// AssemblyScript regex matchers for @rx (see match.ts for the entry point and the structure files for what a
// decoder fills: dfa.ts Dfa, nfa_program.ts NfaProgram, backtrack_program.ts BacktrackProgram, regex.ts Regex).
export * from "./opcodes";
export { Dfa, dfaMatch } from "./dfa";
export { NfaProgram } from "./nfa_program";
export { BacktrackProgram } from "./backtrack_program";
export { Regex } from "./regex";
export { DEFAULT_LAZY_BUDGET, LazyBudget, LazyDfa, LazyStats } from "./lazy_dfa";
export { pikeSearch, pikeSlots } from "./pike";
export { backtrackSearch, btSlots, btSteps, BT_MATCH, BT_NO_MATCH, BT_LIMIT, MAX_DEPTH } from "./backtrack";
export {
  match,
  matchFrom,
  automatonMatch,
  captures,
  captureCount,
  matchError,
  backtrackLimit,
  setBacktrackLimit,
  MATCH_OK,
  MATCH_ERROR_LIMIT,
  MATCH_ERROR_INVALID,
} from "./match";
