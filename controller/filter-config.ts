// The wasm filter's plugin configuration in polling mode: the one TypeScript definition of the JSON the filter's
// filter/config/plugin_config.ts accepts (field names, which are optional, ranges). envoy/envoy.yaml carries the
// rendering of DEPLOYED_FILTER_CONFIG; tests/controller/manifests.test.ts checks that it is exactly that, and
// tests/reload feeds it to the real build/waf.wasm through the host, so the three cannot drift apart.
import type { Mode } from "./api";

export interface PollTarget {
  /** Request path on the controller, starting with '/'. */
  path: string;
  /** 100 .. 3,600,000. */
  poll_interval_ms: number;
}

export interface FilterPluginConfig {
  /** SecRuleEngine of the transactions when no settings are configured: detect = DetectionOnly, block = On (the
   *  table's own setting is ignored); with settings each destination's own mode applies. */
  mode: Mode;
  /** Before the first good rule set: false (default) = 503, true = pass uninspected (metric waf.ruleset.uninspected). */
  fail_open?: boolean;
  controller: {
    /** Envoy cluster of the controller. */
    cluster: string;
    /** :authority of the filter's calls. */
    authority: string;
    /** Per call, 100 .. 60,000 (default 5,000). */
    timeout_ms?: number;
  };
  /** The compiled rule set (GET, ETag / If-None-Match). */
  ruleset: PollTarget;
  /** Per-destination settings (GET, ETag): each transaction runs with its destination's mode, paranoia level and rule
   *  exclusions; destinations not listed pass uninspected. Without it every destination runs in `mode`. */
  settings?: PollTarget;
}

/** What envoy/envoy.yaml configures on every WAF listener. */
export const DEPLOYED_FILTER_CONFIG: FilterPluginConfig = {
  mode: "detect",
  fail_open: false,
  controller: { cluster: "waf_controller", authority: "waf-controller.workload-waf-system.svc" },
  ruleset: { path: "/rulesets/current", poll_interval_ms: 5000 },
  settings: { path: "/settings", poll_interval_ms: 5000 },
};

/** The configuration as the StringValue Envoy hands to the filter (compact JSON, members in declaration order). */
export function renderFilterConfig(c: FilterPluginConfig): string {
  return JSON.stringify(c);
}
