// Conditions on one keyed collection target ("TX:DETECTION_PARANOIA_LEVEL", "&TX:blocking_paranoia_level",
// "REQUEST_HEADERS:Content-Type"): about half of the conditions CRS evaluates per request are of this shape (the
// paranoia-level gates, the 901 set-up defaults, the anomaly score checks). The engine evaluates them straight from
// the collection's key index (Engine.evalKeyed) instead of resolving targets into its scratch arrays. This module
// decides, once per VM, which conditions qualify:
//  - exactly one target, not an exclusion, with a key selector (`VAR:key`), optionally counted (`&VAR:key`);
//  - a variable read as a plain per-transaction collection: not a *_NAMES view, not a persistent collection (their
//    entries expire on read), not a value computed when read;
//  - no multiMatch (it runs the operator on intermediate transformation results: the general path does that).
// ctl target removals of the variable and keys held more than once are left to the general path at run time.
import { Cond, CondFlags, TARGET_CELLS, TARGET_SELECTOR_SHIFT, Target, TargetFlags, TargetSelector } from "../../rulesets/tables/format";
import { VariableId } from "../../rulesets/tables/variables";
import { Ruleset } from "./ruleset";
import { namesOf } from "./skippable";

export const KEYED_NO: u8 = 0;
/** `VAR:key`: the values of the entries with that key. */
export const KEYED_VALUE: u8 = 1;
/** `&VAR:key`: how many entries have that key. */
export const KEYED_COUNT: u8 = 2;

/** Whether `v` is read as a plain per-transaction collection (Engine.collect's default case). */
function plainCollection(v: i32): bool {
  if (namesOf(v) >= 0) return false;
  switch (v) {
    case VariableId.IP: case VariableId.GLOBAL: case VariableId.SESSION: case VariableId.USER: case VariableId.RESOURCE:
    case VariableId.ARGS_COMBINED_SIZE: case VariableId.RULE:
      return false;
    default:
      return true;
  }
}

/** Per condition: KEYED_VALUE / KEYED_COUNT when Engine.evalKeyed may evaluate it, KEYED_NO otherwise. */
export function keyedConditions(rs: Ruleset): Uint8Array {
  const prog = rs.prog;
  const n = prog.condCount;
  const out = new Uint8Array(n);
  const t = prog.targets;
  for (let c = 0; c < n; c++) {
    if (rs.cond(c, Cond.TARGET_COUNT) != 1) continue;
    if ((rs.cond(c, Cond.FLAGS) & CondFlags.MULTI_MATCH) != 0) continue;
    const i = <i32>rs.cond(c, Cond.TARGET_START);
    const flags = t[i * TARGET_CELLS + Target.FLAGS];
    if ((flags & TargetFlags.EXCLUDE) != 0) continue;
    if ((flags >> TARGET_SELECTOR_SHIFT) != TargetSelector.KEY) continue;
    if (!plainCollection(<i32>t[i * TARGET_CELLS + Target.VARIABLE])) continue;
    out[c] = (flags & TargetFlags.COUNT) != 0 ? KEYED_COUNT : KEYED_VALUE;
  }
  return out;
}

/** The keys of keyed conditions numbered densely: per condition its key slot (-1 for the others), and the number
 *  of slots. Conditions on the same key string share a slot (Engine.evalKeyed remembers per slot where the key was
 *  found, for as long as the collection's keys do not change (Collection.keysVersion; a score update leaves them):
 *  the ~40 paranoia-level gates of a request all read TX:DETECTION_PARANOIA_LEVEL at the same position). */
export class KeySlots {
  constructor(readonly slotOf: Int32Array, readonly count: i32) {}
}

export function keySlots(rs: Ruleset, keyed: Uint8Array): KeySlots {
  const n = rs.prog.condCount;
  const slotOf = new Int32Array(n);
  const bySelector = new Map<u32, i32>();
  const t = rs.prog.targets;
  for (let c = 0; c < n; c++) {
    slotOf[c] = -1;
    if (keyed[c] == KEYED_NO) continue;
    const sel = t[<i32>rs.cond(c, Cond.TARGET_START) * TARGET_CELLS + Target.SELECTOR];
    if (!bySelector.has(sel)) bySelector.set(sel, bySelector.size);
    slotOf[c] = bySelector.get(sel);
  }
  return new KeySlots(slotOf, bySelector.size);
}
