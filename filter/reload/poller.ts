// Polling mode: fetches the compiled rule set from the controller (filter/reload/http_poller.ts does the HTTP side:
// ETag / If-None-Match, keep the last good one, log once per reason) and swaps it in between transactions.
// A new table goes through filter/reload/load.ts (CRC-32, directory, payloads, program, regexes); only a table that
// passed every check replaces `current`.
import { log, LogLevelValues } from "@solo-io/proxy-runtime/assembly/index";
import { Metric, MetricKind } from "../abi/metrics";
import { PollingConfig } from "../config/plugin_config";
import { ActiveRuleSet } from "./active";
import { loadRuleSet } from "./load";
import { HttpPoller, shaPrefix, short } from "./http_poller";

/** A table larger than this is refused unread (the CRS v4 table is about 2.6 MB). */
const MAX_TABLE_BYTES: u32 = 64 << 20;

export class RuleSetPoller extends HttpPoller {
  /** The rule set in force; null until the first good table arrived. */
  current: ActiveRuleSet | null = null;
  private generation: u32 = 0;

  private readonly mGeneration: Metric = new Metric(MetricKind.GAUGE, "waf.ruleset.generation");
  private readonly mShaPrefix: Metric = new Metric(MetricKind.GAUGE, "waf.ruleset.sha256_prefix");
  private readonly mRules: Metric = new Metric(MetricKind.GAUGE, "waf.ruleset.rules");

  constructor(cfg: PollingConfig) {
    super(cfg, cfg.ruleset, "rule set", "waf.ruleset", MAX_TABLE_BYTES);
  }

  inForce(): bool {
    return this.current !== null;
  }

  currentId(): string {
    const c = this.current;
    return c === null ? "" : c.sha256;
  }

  refusedWhat(): string {
    return "table";
  }

  kept(): string {
    const cur = this.current;
    return cur === null
      ? "no rule set in force yet: " + (this.cfg.failOpen ? "traffic passes uninspected (fail_open)" : "requests get 503 (fail closed)")
      : "rule set " + short(cur.sha256) + " stays in force";
  }

  install(body: ArrayBuffer, sha: string): string {
    const r = loadRuleSet(body);
    if (r.error.length > 0) return r.error;
    const cur = this.current;
    const previous = cur === null ? "none" : short(cur.sha256);
    this.generation++;
    this.current = new ActiveRuleSet(r.engine, sha, this.generation);
    this.mGeneration.set(this.generation);
    this.mShaPrefix.set(shaPrefix(sha));
    this.mRules.set(<u64>r.ruleCount);
    log(LogLevelValues.info, "workload-waf: rule set " + short(sha) + " in force (generation " + this.generation.toString() +
      ", " + r.ruleCount.toString() + " rules, table source " + short(r.sourceSha256) + ", table SecRuleEngine " +
      r.ruleEngineName() + ", mode " + this.cfg.modeName + "); previous " + previous);
    return "";
  }
}
