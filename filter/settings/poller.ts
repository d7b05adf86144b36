// Polling mode, per-destination settings: fetches the controller's settings document (GET settings.path; the HTTP
// side — ETag / If-None-Match, keep the last good document, one log line per reason — is filter/reload/
// http_poller.ts) and swaps it in whole. A stream looks its destination up once, when its request headers arrive
// (filter/index.ts), so a swap never changes the settings in the middle of a transaction.
import { log, LogLevelValues } from "@solo-io/proxy-runtime/assembly/index";
import { Metric, MetricKind } from "../abi/metrics";
import { PollingConfig } from "../config/plugin_config";
import { HttpPoller, shaPrefix, short } from "../reload/http_poller";
import { MAX_SETTINGS_BYTES, parseSettings, SettingsDocument } from "./document";

export class SettingsPoller extends HttpPoller {
  /** The document in force; null until the first good one arrived. */
  current: SettingsDocument | null = null;
  private sha: string = "";
  private generation: u32 = 0;

  private readonly mGeneration: Metric = new Metric(MetricKind.GAUGE, "waf.settings.generation");
  private readonly mShaPrefix: Metric = new Metric(MetricKind.GAUGE, "waf.settings.sha256_prefix");
  private readonly mDestinations: Metric = new Metric(MetricKind.GAUGE, "waf.settings.destinations");

  constructor(cfg: PollingConfig) {
    super(cfg, cfg.settings!, "settings", "waf.settings", MAX_SETTINGS_BYTES);
  }

  inForce(): bool {
    return this.current !== null;
  }

  currentId(): string {
    return this.sha;
  }

  kept(): string {
    return this.current === null
      ? "no settings in force yet: " + (this.cfg.failOpen ? "traffic passes uninspected (fail_open)" : "requests get 503 (fail closed)")
      : "settings " + short(this.sha) + " stay in force";
  }

  install(body: ArrayBuffer, id: string): string {
    const r = parseSettings(body);
    if (r.doc === null) return r.error;
    const doc = r.doc!;
    const previous = this.current === null ? "none" : short(this.sha);
    this.current = doc;
    this.sha = id;
    this.generation++;
    this.mGeneration.set(this.generation);
    this.mShaPrefix.set(shaPrefix(id));
    this.mDestinations.set(<u64>doc.count);
    log(LogLevelValues.info, "workload-waf: settings " + short(id) + " in force (generation " + this.generation.toString() + ", " +
      (doc.enabled ? doc.count.toString() + " protected destinations" : "the WAF is disabled cluster-wide: no destination is protected") +
      "); previous " + previous);
    return "";
  }
}
