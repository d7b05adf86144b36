// Table bytes -> a ready engine: the one path a rule set takes into the filter, whether it came as the static
// plugin configuration or from the controller (filter/reload/poller.ts). Every check happens here, before the
// rule set can serve a transaction: the table loader (magic, version, CRC-32, section directory and payloads),
// the program decoder, and the regex build (filter/program/regexes.ts).
import { loadTable } from "../tables/reader";
import { decodeProgram } from "../program/program";
import { buildRegexes } from "../program/regexes";
import { Ruleset } from "../engine/ruleset";
import { Engine } from "../engine/engine";
import { RuleEngineMode } from "../../rulesets/tables/format";

export class LoadedRuleSet {
  /** null: the table is valid but has no rule program (no rules: traffic passes uninspected). */
  engine: Engine | null = null;
  ruleCount: i32 = 0;
  /** The table's source digest (hex), as `waf compile` reports it. */
  sourceSha256: string = "";
  /** Set when the table was refused; the other fields are then meaningless. */
  error: string = "";

  /** The table's own SecRuleEngine, for the load log line. */
  ruleEngineName(): string {
    const e = this.engine;
    if (e === null) return "Off";
    const m = e.rs.settings.ruleEngine;
    return m == RuleEngineMode.ON ? "On" : m == RuleEngineMode.DETECTION_ONLY ? "DetectionOnly" : "Off";
  }
}

/** Each call builds a new Engine: its persistent collections (IP, GLOBAL, ...) start empty. They are not carried
 *  over from an earlier rule set because their entries cache transformation results and prefilter scans by the
 *  old program's pipeline and regex indexes. */
export function loadRuleSet(bytes: ArrayBuffer): LoadedRuleSet {
  const out = new LoadedRuleSet();
  const r = loadTable(bytes);
  if (!r.ok) {
    out.error = r.message;
    return out;
  }
  const t = r.table!;
  out.sourceSha256 = t.sourceSha256Hex();
  const p = decodeProgram(t);
  if (p === null) return out;
  const rb = buildRegexes(t, p);
  if (!rb.ok) {
    out.error = "table refused: " + rb.error!;
    return out;
  }
  out.engine = new Engine(new Ruleset(t, p, rb.set!));
  out.ruleCount = p.ruleCount;
  return out;
}
