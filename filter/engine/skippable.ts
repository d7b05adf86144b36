// Which conditions the regex prefilter may rule out before their targets are resolved (the engine's fast "cannot
// match" path, Engine.cannotMatch). Most CRS rules are a plain `@rx` over request collections, and on ordinary
// traffic none of the regex's required literals (its prefilter factors) occurs in any value. The engine keeps, per
// (variable, pipeline), the union of the prefilter candidates of every value the variable holds; when the union
// lacks the condition's regex for every target, no value the condition would resolve can match, and the condition
// is false without resolving anything. That is sound only for conditions where "some value matches the regex" is
// the whole meaning, so this module admits exactly those:
//  - operator @rx / @rxGlobal with a regex from the table, not negated (`!@rx` matches on absence), no multiMatch
//    (it also matches intermediate transformation results, which the union does not cover);
//  - a regex that has prefilter factors or required bytes (one with neither is always a candidate: nothing to gain);
//  - every target readable as a stable set of values: no `&` count, and a variable whose values are request or
//    response data or a scalar. Excluded: TX, MATCHED_VARS(_NAMES), ENV, RULE, GEO and the persistent collections
//    (they change between rules, and resolving a keyed TX target is cheaper than a union over all of TX), and the
//    values computed when read (time, duration, severity, ARGS_COMBINED_SIZE).
// Exclusions (`!VAR:key`), key and regex selectors and ctl target removals only shrink the resolved set, so the union
// over whole collections stays a superset.
import {
  ArgKind, Cond, CondFlags, OperatorKind, TARGET_CELLS, Target, TargetFlags,
} from "../../rulesets/tables/format";
import { VariableId, VARIABLE_COUNT } from "../../rulesets/tables/variables";
import { Ruleset } from "./ruleset";

/** For a *_NAMES variable, the collection whose keys it yields; -1 otherwise. */
export function namesOf(v: i32): i32 {
  switch (v) {
    case VariableId.ARGS_GET_NAMES: return VariableId.ARGS_GET;
    case VariableId.ARGS_POST_NAMES: return VariableId.ARGS_POST;
    case VariableId.ARGS_NAMES: return VariableId.ARGS;
    case VariableId.REQUEST_COOKIES_NAMES: return VariableId.REQUEST_COOKIES;
    case VariableId.REQUEST_HEADERS_NAMES: return VariableId.REQUEST_HEADERS;
    case VariableId.RESPONSE_HEADERS_NAMES: return VariableId.RESPONSE_HEADERS;
    case VariableId.FILES_NAMES: return VariableId.FILES;
    case VariableId.MATCHED_VARS_NAMES: return VariableId.MATCHED_VARS;
    default: return -1;
  }
}

/** Whether a target variable can be summarised by a per-(variable, pipeline) union (see the header). */
export function summarisable(v: i32): bool {
  switch (v) {
    case VariableId.TX: case VariableId.MATCHED_VARS: case VariableId.MATCHED_VARS_NAMES: case VariableId.ENV:
    case VariableId.RULE: case VariableId.GEO:
    case VariableId.IP: case VariableId.SESSION: case VariableId.USER: case VariableId.GLOBAL: case VariableId.RESOURCE:
    case VariableId.ARGS_COMBINED_SIZE: case VariableId.HIGHEST_SEVERITY: case VariableId.DURATION:
    case VariableId.TIME: case VariableId.TIME_DAY: case VariableId.TIME_EPOCH: case VariableId.TIME_HOUR:
    case VariableId.TIME_MIN: case VariableId.TIME_MON: case VariableId.TIME_SEC: case VariableId.TIME_WDAY:
    case VariableId.TIME_YEAR:
      return false;
    default:
      return v >= 0 && v < VARIABLE_COUNT;
  }
}

/** Per condition: the bit a prefilter scan sets when the condition's operator may match the scanned value — the
 *  regex index of an @rx / @rxGlobal with a regex from the table, or for an @pm / @pmFromFile whose automaton is
 *  folded into the prefilter (format.ts REGEX_PREFILTER_MAP) its bit after the regexes — else -1. */
export function conditionCandidates(rs: Ruleset): Int32Array {
  const n = rs.prog.condCount;
  const out = new Int32Array(n);
  const set = rs.regexSet;
  for (let c = 0; c < n; c++) {
    out[c] = -1;
    const op = <i32>rs.cond(c, Cond.OP);
    const kind = rs.cond(c, Cond.ARG_KIND);
    if ((op == OperatorKind.RX || op == OperatorKind.RX_GLOBAL) && kind == ArgKind.REGEX) {
      const ri = <i32>rs.cond(c, Cond.ARG);
      if (ri >= 0 && ri < set.count) out[c] = ri;
    } else if ((op == OperatorKind.PM || op == OperatorKind.PM_FROM_FILE) && kind == ArgKind.AC) {
      out[c] = set.pmCandidate(rs.cond(c, Cond.ARG));
    }
  }
  return out;
}

/** Per condition: 1 when Engine.cannotMatch may decide it from the prefilter unions (load time, once per VM).
 *  A condition on one keyed target (keyed.ts; `keyed` holds their kinds) is left out: Engine.evalKeyed reads its one
 *  value, whose own prefilter test is as quick, while a union would transform and scan every value of the
 *  collection (all the request headers, for REQUEST_HEADERS:Content-Type) for that one condition. */
export function skippableConditions(rs: Ruleset, keyed: Uint8Array, candidate: Int32Array): Uint8Array {
  const prog = rs.prog;
  const n = prog.condCount;
  const out = new Uint8Array(n);
  const set = rs.regexSet;
  const t = prog.targets;
  for (let c = 0; c < n; c++) {
    if (keyed[c] != 0) continue;
    const ri = candidate[c];
    if (ri < 0) continue;
    const flags = rs.cond(c, Cond.FLAGS);
    if ((flags & (CondFlags.NEGATED | CondFlags.MULTI_MATCH)) != 0) continue;
    if ((unchecked(set.always[ri >>> 5]) & (<u32>1 << (<u32>ri & 31))) != 0) continue; // neither factors nor required bytes
    const ts = <i32>rs.cond(c, Cond.TARGET_START), tn = <i32>rs.cond(c, Cond.TARGET_COUNT);
    if (tn == 0) continue;
    let ok = true;
    for (let i = ts; i < ts + tn && ok; i++) {
      const tf = t[i * TARGET_CELLS + Target.FLAGS];
      if ((tf & TargetFlags.EXCLUDE) != 0) continue;
      if ((tf & TargetFlags.COUNT) != 0) ok = false;
      else if (!summarisable(<i32>t[i * TARGET_CELLS + Target.VARIABLE])) ok = false;
    }
    if (ok) out[c] = 1;
  }
  return out;
}

/** What Engine.cannotMatch reads per skippable condition, decoded once per VM: the variables of its targets (not its
 *  exclusions), each once, as pairs of cells [variable, collection read | NAMES_FLAG] in cells[start[c] ..
 *  start[c + 1]) — the collection read is the variable itself, or for a *_NAMES variable the collection whose keys
 *  it yields (then NAMES_FLAG is set). Conditions that are not skippable have no cells. */
export class SkipPlans {
  constructor(readonly start: Int32Array, readonly cells: Int32Array) {}
}

export const NAMES_FLAG: i32 = 1 << 16;

export function skipPlans(rs: Ruleset, skippable: Uint8Array): SkipPlans {
  const prog = rs.prog;
  const n = prog.condCount;
  const t = prog.targets;
  const start = new Int32Array(n + 1);
  const cells = new Array<i32>();
  for (let c = 0; c < n; c++) {
    start[c] = cells.length;
    if (skippable[c] == 0) continue;
    const ts = <i32>rs.cond(c, Cond.TARGET_START), tn = <i32>rs.cond(c, Cond.TARGET_COUNT);
    for (let i = ts; i < ts + tn; i++) {
      if ((t[i * TARGET_CELLS + Target.FLAGS] & TargetFlags.EXCLUDE) != 0) continue;
      const v = <i32>t[i * TARGET_CELLS + Target.VARIABLE];
      let seen = false;
      for (let k = start[c]; k < cells.length; k += 2) if (cells[k] == v) seen = true;
      if (seen) continue; // ARGS:a|ARGS:b: one union of ARGS answers both
      const base = namesOf(v);
      cells.push(v);
      cells.push(base >= 0 ? base | NAMES_FLAG : v);
    }
  }
  start[n] = cells.length;
  const out = new Int32Array(cells.length);
  for (let k = 0; k < cells.length; k++) out[k] = cells[k];
  return new SkipPlans(start, out);
}
