// One compiled @rx pattern as the matchers see it: the structure a decoder fills (from compileRegex's
// CompiledRegex), plus the matcher state that lives with it (the lazy DFA cache). Exactly the structures of the
// pattern's tier must be set:
//   TIER_DFA:        dfa                      (+ captureProgram when captures can be wanted)
//   TIER_LAZY:       nfa (match-only program) (+ captureProgram when captures can be wanted)
//   TIER_BACKTRACK:  backtrack                (captures come from it)
// and when captureEngine == CAPTURE_BACKTRACK (patterns with a nullable capture loop), backtrack as well as
// captureProgram (its Pike VM captures are the fallback when the backtracker hits its budget, as in the reference).
import { Dfa } from "./dfa";
import { NfaProgram } from "./nfa_program";
import { BacktrackProgram } from "./backtrack_program";
import { LazyBudget, LazyDfa } from "./lazy_dfa";
import { CAPTURE_BACKTRACK, CAPTURE_PIKE, TIER_BACKTRACK, TIER_DFA, TIER_LAZY } from "./opcodes";

export class Regex {
  /** TIER_DFA | TIER_LAZY | TIER_BACKTRACK */
  tier: u8 = TIER_DFA;
  /** CAPTURE_PIKE | CAPTURE_BACKTRACK */
  captureEngine: u8 = CAPTURE_PIKE;
  /** capturing groups in the pattern (TX:0..min(groups,9) are reported) */
  groups: i32 = 0;
  dfa: Dfa | null = null;
  /** match-only NFA program (lazy tier) */
  nfa: NfaProgram | null = null;
  /** NFA program with SAVE instructions (captures) */
  captureProgram: NfaProgram | null = null;
  backtrack: BacktrackProgram | null = null;

  // ---- matcher state ----
  /** lazy DFA over `nfa`, created on first use */
  lazy: LazyDfa | null = null;
  /** lazy DFA cache size and flush budget for this pattern (the TS reference's defaults) */
  lazyCacheStates: i32 = 1024;
  lazyMaxFlushes: i32 = 8;
  /** the byte budget the lazy DFA cache draws on, shared by the patterns of a rule set (null: one of its own) */
  lazyBudget: LazyBudget | null = null;
  /** 0 = not checked yet, 1 = sound, -1 = refused (see `invalidReason`) */
  checked: i8 = 0;
  invalidReason: string = "";

  /**
   * Validates the structures the tier needs (once; the result is remembered). The matchers read their tables
   * unchecked, so a pattern that fails here is never run: match() answers false and flags MATCH_ERROR_INVALID.
   */
  check(): bool {
    if (this.checked != 0) return this.checked > 0;
    const r = this.validate();
    if (r === null) this.checked = 1;
    else {
      this.checked = -1;
      this.invalidReason = r;
    }
    return this.checked > 0;
  }

  private validate(): string | null {
    if (this.groups < 0) return "negative group count";
    if (this.captureEngine != CAPTURE_PIKE && this.captureEngine != CAPTURE_BACKTRACK) return "unknown capture engine";
    if (this.tier == TIER_DFA) {
      const d = this.dfa;
      if (d === null) return "dfa tier without a DFA";
      const e = d.validate();
      if (e !== null) return "dfa: " + e;
    } else if (this.tier == TIER_LAZY) {
      const n = this.nfa;
      if (n === null) return "lazy tier without an NFA program";
      const e = n.validate();
      if (e !== null) return "nfa: " + e;
    } else if (this.tier == TIER_BACKTRACK) {
      const b = this.backtrack;
      if (b === null) return "backtrack tier without a program";
      const e = b.validate();
      if (e !== null) return "backtrack: " + e;
      return null;
    } else return "unknown tier";
    const cp = this.captureProgram;
    if (cp !== null) {
      const e = cp.validate();
      if (e !== null) return "capture program: " + e;
    }
    if (this.captureEngine == CAPTURE_BACKTRACK) {
      const b = this.backtrack;
      if (b === null) return "backtrack capture engine without a program";
      const e = b.validate();
      if (e !== null) return "backtrack: " + e;
    }
    return null;
  }
}
