// The plugin configuration (Envoy's `configuration` of the wasm filter) in its two forms:
//  - a WAFT table (starts with the table magic) or nothing: a static rule set, as `waf serve` / `waf check` use it;
//  - a JSON object: polling mode — the filter fetches the compiled table from the controller and swaps it in
//    without a restart. The fields (the TypeScript side renders them from controller/filter-config.ts; the tests
//    feed the rendered envoy.yaml value into the real module):
//      mode          "detect" | "block"  (required) SecRuleEngine the transactions run with: DetectionOnly / On,
//                    whatever the table's own SecRuleEngine says — the controller owns the mode;
//      fail_open     bool (default false) what happens before the first good table arrived: false = a 503 local
//                    reply (a WAF must not let traffic through unseen by default), true = pass uninspected and
//                    count it (waf.ruleset.uninspected);
//      controller    { cluster (Envoy cluster name), authority (:authority of the calls), timeout_ms (default 5000) }
//      ruleset       { path, poll_interval_ms }   GET <path> returns the table (ETag / If-None-Match honoured)
//      settings      { path, poll_interval_ms }   optional: per-destination settings document (see index.ts).
// Unknown members, missing required ones and values of the wrong type or out of range are errors: configure then
// fails with the message, and Envoy refuses the filter configuration instead of running with a guess.
import { MAGIC_TEXT, RuleEngineMode } from "../../rulesets/tables/format";
import { JsonKind, JsonValue, parseJson } from "./json";
import { JsonChecks } from "./checks";

export const MIN_POLL_MS: u32 = 100;
export const MAX_POLL_MS: u32 = 3600000;
export const DEFAULT_TIMEOUT_MS: u32 = 5000;
export const MAX_TIMEOUT_MS: u32 = 60000;

export class PollTarget {
  path: string = "";
  pollIntervalMs: u32 = 0;
}

export class PollingConfig {
  /** RuleEngineMode.ON ("block") or RuleEngineMode.DETECTION_ONLY ("detect"). */
  ruleEngine: i32 = RuleEngineMode.DETECTION_ONLY;
  modeName: string = "detect";
  failOpen: bool = false;
  cluster: string = "";
  authority: string = "";
  timeoutMs: u32 = DEFAULT_TIMEOUT_MS;
  ruleset: PollTarget = new PollTarget();
  /** null when the configuration has no "settings" member. */
  settings: PollTarget | null = null;
}

export const enum ConfigForm {
  /** Empty configuration: no rules. */
  EMPTY = 0,
  /** The bytes are (meant to be) a WAFT table. */
  TABLE = 1,
  /** A JSON object: polling mode. */
  POLLING = 2,
}

/** Which form the configuration bytes are in: the table magic means a table; '{' or '[' (after whitespace) JSON. */
export function configForm(bytes: ArrayBuffer): ConfigForm {
  const n = bytes.byteLength;
  if (n == 0) return ConfigForm.EMPTY;
  const p = changetype<usize>(bytes);
  if (n >= 4) {
    let magic = true;
    for (let i = 0; i < 4; i++) if (<i32>load<u8>(p + <usize>i) != MAGIC_TEXT.charCodeAt(i)) magic = false;
    if (magic) return ConfigForm.TABLE;
  }
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) continue;
    // '[' too: a JSON document of the wrong shape is refused for its shape, not as a damaged table
    return c == 0x7b || c == 0x5b ? ConfigForm.POLLING : ConfigForm.TABLE;
  }
  return ConfigForm.TABLE;
}

export class ConfigResult {
  config: PollingConfig | null = null;
  /** Set when config is null: the first problem, naming the member (e.g. `ruleset.poll_interval_ms: ...`). */
  error: string = "";
}

export function parsePollingConfig(bytes: ArrayBuffer): ConfigResult {
  const out = new ConfigResult();
  const j = parseJson(bytes);
  if (j.value === null) {
    out.error = "invalid JSON: " + j.error;
    return out;
  }
  const v = new Validator();
  const c = v.config(j.value!);
  if (v.error.length > 0 || c === null) out.error = v.error;
  else out.config = c;
  return out;
}

class Validator extends JsonChecks {
  pollTarget(v: JsonValue, path: string): PollTarget | null {
    if (!this.object(v, path, ["path", "poll_interval_ms"])) return null;
    const t = new PollTarget();
    const p = this.required(v, path, "path");
    if (p === null) return null;
    const s = this.token(p, path + ".path");
    if (s === null) return null;
    if (!s.startsWith("/")) {
      this.fail(path + ".path", "must start with '/', got " + s);
      return null;
    }
    t.path = s;
    const iv = this.required(v, path, "poll_interval_ms");
    if (iv === null) return null;
    const ms = this.int(iv, path + ".poll_interval_ms", MIN_POLL_MS, MAX_POLL_MS);
    if (ms < 0) return null;
    t.pollIntervalMs = <u32>ms;
    return t;
  }

  config(root: JsonValue): PollingConfig | null {
    if (!this.object(root, "", ["mode", "fail_open", "controller", "ruleset", "settings"])) return null;
    const c = new PollingConfig();

    const mode = this.required(root, "", "mode");
    if (mode === null) return null;
    const m = this.str(mode, "mode");
    if (m === null) return null;
    if (m == "block") c.ruleEngine = RuleEngineMode.ON;
    else if (m == "detect") c.ruleEngine = RuleEngineMode.DETECTION_ONLY;
    else {
      this.fail("mode", "must be \"detect\" or \"block\", got \"" + m + "\"");
      return null;
    }
    c.modeName = m;

    const fo = root.member("fail_open");
    if (fo !== null) {
      if (fo.kind != JsonKind.BOOL) {
        this.fail("fail_open", "expected a boolean, got " + fo.kindName());
        return null;
      }
      c.failOpen = fo.bool;
    }

    const ctl = this.required(root, "", "controller");
    if (ctl === null) return null;
    if (!this.object(ctl, "controller", ["cluster", "authority", "timeout_ms"])) return null;
    const cl = this.required(ctl, "controller", "cluster");
    if (cl === null) return null;
    const cluster = this.token(cl, "controller.cluster");
    if (cluster === null) return null;
    c.cluster = cluster;
    const au = this.required(ctl, "controller", "authority");
    if (au === null) return null;
    const authority = this.token(au, "controller.authority");
    if (authority === null) return null;
    c.authority = authority;
    const to = ctl.member("timeout_ms");
    if (to !== null) {
      const ms = this.int(to, "controller.timeout_ms", MIN_POLL_MS, MAX_TIMEOUT_MS);
      if (ms < 0) return null;
      c.timeoutMs = <u32>ms;
    }

    const rs = this.required(root, "", "ruleset");
    if (rs === null) return null;
    const t = this.pollTarget(rs, "ruleset");
    if (t === null) return null;
    c.ruleset = t;

    const st = root.member("settings");
    if (st !== null) {
      const s = this.pollTarget(st, "settings");
      if (s === null) return null;
      c.settings = s;
    }
    return c;
  }
}
