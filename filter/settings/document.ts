// The per-destination settings document the controller serves at GET /settings (controller/controller.ts
// buildSettingsDocument), read strictly: a document the filter does not fully understand is refused as a whole and
// the last good one stays (filter/settings/poller.ts). Shape:
//   { "apiVersion": "waf.workload-waf.io/v1", "kind": "DestinationSettings", "enabled": bool,
//     "ruleSet": {..} | null, "wasm": {..} | null, "defaults": {..},          (informative; not used by the filter)
//     "destinations": { "<ip>:<port>" | "[<ipv6>]:<port>" | "*:<port>":
//        { "service": "ns/name", "port": "name", "mode": "detect" | "block", "paranoiaLevel": 1..4,
//          "excludeRuleIds": [[from, to], ...], "excludeRuleTags": ["tag", ...] } } }
// Bounded: at most MAX_DESTINATIONS keys, MAX_EXCLUDED_RANGES id ranges and MAX_EXCLUDED_TAGS tags (each at most
// MAX_TAG_LENGTH characters) per destination; the body size is bounded by the poller before it is parsed. The
// document is read into a JSON tree (config/json.ts), transient and only when the ETag changes: a few kB per
// destination while parsing (65536 destinations stay well under a hundred MB); a streaming reader would avoid it.
import { RuleEngineMode } from "../../rulesets/tables/format";
import { JsonChecks } from "../config/checks";
import { JsonKind, JsonValue, parseJson } from "../config/json";
import { IdRange } from "../engine/transaction";
import { latin1 } from "../engine/bytes";

export const SETTINGS_API_VERSION = "waf.workload-waf.io/v1";
export const SETTINGS_KIND = "DestinationSettings";
export const MAX_SETTINGS_BYTES: u32 = 8 << 20;
export const MAX_DESTINATIONS: i32 = 65536;
export const MAX_EXCLUDED_RANGES: i32 = 1024;
export const MAX_EXCLUDED_TAGS: i32 = 256;
export const MAX_TAG_LENGTH: i32 = 256;
const MAX_SERVICE_LENGTH: i32 = 320; // namespace (63) + "/" + name (253)

/** What applies to the transactions of one destination (filter/settings/apply.ts). */
export class DestinationSettings {
  service: string = "";
  port: string = "";
  /** RuleEngineMode.ON ("block") or DETECTION_ONLY ("detect"). */
  ruleEngine: i32 = RuleEngineMode.DETECTION_ONLY;
  modeName: string = "detect";
  paranoiaLevel: i32 = 1;
  /** The paranoia level as the TX value the rules read ("1".."4"). */
  paranoiaValue: ArrayBuffer = new ArrayBuffer(0);
  /** Shared, read-only: pushed as they are onto each transaction's ctl:ruleRemoveById list. */
  removedIds: Array<IdRange> = new Array<IdRange>();
  /** Latin-1 bytes, as the engine compares rule tags. */
  removedTags: Array<ArrayBuffer> = new Array<ArrayBuffer>();
}

export class SettingsDocument {
  /** The WAF's cluster-wide switch: false = no destination is protected. */
  enabled: bool = false;
  destinations: Map<string, DestinationSettings> = new Map<string, DestinationSettings>();
  count: i32 = 0;

  /** The settings of the original destination `address` as Envoy's `destination.address` gives it ("ip:port",
   *  "[ipv6]:port"): the exact key, else "*:<port>" (a node port, reached through any of the node's addresses);
   *  null when it is not a protected destination. */
  lookup(address: string): DestinationSettings | null {
    if (!this.enabled) return null;
    const d = this.destinations;
    if (d.has(address)) return d.get(address);
    const c = address.lastIndexOf(":");
    if (c < 0) return null;
    const wild = "*" + address.substring(c);
    return d.has(wild) ? d.get(wild) : null;
  }
}

export class SettingsResult {
  doc: SettingsDocument | null = null;
  /** Set when doc is null: the first problem, with the member path. */
  error: string = "";
}

export function parseSettings(bytes: ArrayBuffer): SettingsResult {
  const out = new SettingsResult();
  const j = parseJson(bytes);
  if (j.value === null) {
    out.error = "invalid JSON: " + j.error;
    return out;
  }
  const c = new SettingsChecks();
  const doc = c.document(j.value!);
  if (doc === null || c.error.length > 0) out.error = c.error;
  else out.doc = doc;
  return out;
}

class SettingsChecks extends JsonChecks {
  document(root: JsonValue): SettingsDocument | null {
    if (!this.object(root, "", ["apiVersion", "kind", "enabled", "ruleSet", "wasm", "defaults", "destinations"])) return null;
    if (!this.constant(root, "apiVersion", SETTINGS_API_VERSION) || !this.constant(root, "kind", SETTINGS_KIND)) return null;
    const doc = new SettingsDocument();
    const en = this.required(root, "", "enabled");
    if (en === null) return null;
    if (en.kind != JsonKind.BOOL) {
      this.fail("enabled", "expected a boolean, got " + en.kindName());
      return null;
    }
    doc.enabled = en.bool;
    // Informative members (what the controller has in force, its cluster-wide defaults): their shape only.
    if (!this.objectOrNull(root.member("ruleSet"), "ruleSet") || !this.objectOrNull(root.member("wasm"), "wasm")) return null;
    const defaults = root.member("defaults");
    if (defaults !== null && defaults.kind != JsonKind.OBJECT) {
      this.fail("defaults", "expected an object, got " + defaults.kindName());
      return null;
    }
    const ds = this.required(root, "", "destinations");
    if (ds === null) return null;
    if (ds.kind != JsonKind.OBJECT) {
      this.fail("destinations", "expected an object, got " + ds.kindName());
      return null;
    }
    if (ds.keys.length > MAX_DESTINATIONS) {
      this.fail("destinations", "more than " + MAX_DESTINATIONS.toString() + " destinations (" + ds.keys.length.toString() + ")");
      return null;
    }
    for (let i = 0; i < ds.keys.length; i++) {
      const key = ds.keys[i];
      const path = "destinations[\"" + key + "\"]";
      if (!validDestinationKey(key)) {
        this.fail(path, "not a destination (ip:port, [ipv6]:port or *:port)");
        return null;
      }
      const d = this.destination(ds.items[i], path);
      if (d === null) return null;
      doc.destinations.set(key, d);
    }
    doc.count = ds.keys.length;
    return doc;
  }

  private constant(root: JsonValue, key: string, want: string): bool {
    const v = this.required(root, "", key);
    if (v === null) return false;
    const s = this.str(v, key);
    if (s === null) return false;
    if (s != want) {
      this.fail(key, "must be \"" + want + "\", got \"" + s + "\"");
      return false;
    }
    return true;
  }

  private objectOrNull(v: JsonValue | null, path: string): bool {
    if (v === null || v.kind == JsonKind.NULL || v.kind == JsonKind.OBJECT) return true;
    this.fail(path, "expected an object or null, got " + v.kindName());
    return false;
  }

  private destination(v: JsonValue, path: string): DestinationSettings | null {
    if (!this.object(v, path, ["service", "port", "mode", "paranoiaLevel", "excludeRuleIds", "excludeRuleTags"])) return null;
    const d = new DestinationSettings();
    const sv = this.required(v, path, "service");
    if (sv === null) return null;
    const service = this.token(sv, path + ".service");
    if (service === null) return null;
    if (service.length > MAX_SERVICE_LENGTH) {
      this.fail(path + ".service", "longer than " + MAX_SERVICE_LENGTH.toString() + " characters");
      return null;
    }
    d.service = service;
    const pv = v.member("port");
    if (pv !== null) {
      const port = this.token(pv, path + ".port");
      if (port === null) return null;
      d.port = port;
    }

    const mv = this.required(v, path, "mode");
    if (mv === null) return null;
    const mode = this.str(mv, path + ".mode");
    if (mode === null) return null;
    if (mode == "block") d.ruleEngine = RuleEngineMode.ON;
    else if (mode == "detect") d.ruleEngine = RuleEngineMode.DETECTION_ONLY;
    else {
      this.fail(path + ".mode", "must be \"detect\" or \"block\", got \"" + mode + "\"");
      return null;
    }
    d.modeName = mode;

    const plv = this.required(v, path, "paranoiaLevel");
    if (plv === null) return null;
    const pl = this.int(plv, path + ".paranoiaLevel", 1, 4);
    if (pl < 0) return null;
    d.paranoiaLevel = <i32>pl;
    d.paranoiaValue = latin1(pl.toString());

    const ids = this.required(v, path, "excludeRuleIds");
    if (ids === null) return null;
    if (!this.array(ids, path + ".excludeRuleIds", MAX_EXCLUDED_RANGES)) return null;
    for (let i = 0; i < ids.items.length; i++) {
      const p = path + ".excludeRuleIds[" + i.toString() + "]";
      const pair = ids.items[i];
      if (!this.array(pair, p, 2)) return null;
      if (pair.items.length != 2) {
        this.fail(p, "expected [from, to]");
        return null;
      }
      const from = this.int(pair.items[0], p + "[0]", 0, u32.MAX_VALUE);
      if (from < 0) return null;
      const to = this.int(pair.items[1], p + "[1]", 0, u32.MAX_VALUE);
      if (to < 0) return null;
      if (to < from) {
        this.fail(p, "the range ends before it starts");
        return null;
      }
      d.removedIds.push(new IdRange(<u32>from, <u32>to));
    }

    const tags = this.required(v, path, "excludeRuleTags");
    if (tags === null) return null;
    if (!this.array(tags, path + ".excludeRuleTags", MAX_EXCLUDED_TAGS)) return null;
    for (let i = 0; i < tags.items.length; i++) {
      const p = path + ".excludeRuleTags[" + i.toString() + "]";
      const t = this.str(tags.items[i], p);
      if (t === null) return null;
      if (t.length == 0 || t.length > MAX_TAG_LENGTH) {
        this.fail(p, "must have 1 to " + MAX_TAG_LENGTH.toString() + " characters");
        return null;
      }
      for (let k = 0; k < t.length; k++) {
        const ch = t.charCodeAt(k);
        // Latin-1 without control characters: what a SecLang tag can hold and the engine compares bytewise.
        if (ch < 0x20 || ch == 0x7f || ch > 0xff) {
          this.fail(p, "must be printable Latin-1 text");
          return null;
        }
      }
      d.removedTags.push(latin1(t));
    }
    return d;
  }

  private array(v: JsonValue, path: string, max: i32): bool {
    if (v.kind != JsonKind.ARRAY) {
      this.fail(path, "expected an array, got " + v.kindName());
      return false;
    }
    if (v.items.length > max) {
      this.fail(path, "more than " + max.toString() + " items");
      return false;
    }
    return true;
  }
}

/** "a.b.c.d:port", "[ipv6]:port" or "*:port", port 1..65535 without leading zeros: the forms Envoy's
 *  `destination.address` takes (and the node-port wildcard). */
export function validDestinationKey(k: string): bool {
  const c = k.lastIndexOf(":");
  if (c <= 0 || !validPort(k.substring(c + 1))) return false;
  const host = k.substring(0, c);
  if (host == "*") return true;
  if (host.startsWith("[")) return host.length > 3 && host.endsWith("]") && validIpv6(host.substring(1, host.length - 1));
  return validIpv4(host);
}

function validPort(s: string): bool {
  if (s.length == 0 || s.length > 5 || s.charCodeAt(0) == 0x30) return false;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 0x30 || ch > 0x39) return false;
    n = n * 10 + (ch - 0x30);
  }
  return n <= 65535;
}

function validIpv4(s: string): bool {
  const parts = s.split(".");
  if (parts.length != 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (p.length == 0 || p.length > 3 || (p.length > 1 && p.charCodeAt(0) == 0x30)) return false;
    let n = 0;
    for (let k = 0; k < p.length; k++) {
      const ch = p.charCodeAt(k);
      if (ch < 0x30 || ch > 0x39) return false;
      n = n * 10 + (ch - 0x30);
    }
    if (n > 255) return false;
  }
  return true;
}

/** Hex groups and colons (an embedded IPv4 tail allowed), at most 45 characters: enough to refuse garbage; the key
 *  only has to equal what Envoy prints for the address to ever match. */
function validIpv6(s: string): bool {
  if (s.length < 2 || s.length > 45 || !s.includes(":")) return false;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    const ok = (ch >= 0x30 && ch <= 0x39) || (ch >= 0x61 && ch <= 0x66) || ch == 0x3a || ch == 0x2e;
    if (!ok) return false;
  }
  return true;
}
