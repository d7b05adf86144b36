// Checks on a parsed JSON tree that keep the first problem with the member path it concerns (e.g.
// `ruleset.poll_interval_ms: must be between ...`): shared by the plugin configuration (plugin_config.ts) and the
// settings document the filter polls (filter/settings/document.ts). Each check returns null / -1 after recording
// the error, so callers stop at the first one.
import { JsonKind, JsonValue } from "./json";

export class JsonChecks {
  error: string = "";

  fail(path: string, msg: string): void {
    if (this.error.length == 0) this.error = (path.length > 0 ? path + ": " : "") + msg;
  }

  /** Refuses members not in `allowed`; an object is required. */
  object(v: JsonValue, path: string, allowed: Array<string>): bool {
    if (v.kind != JsonKind.OBJECT) {
      this.fail(path, "expected an object, got " + v.kindName());
      return false;
    }
    for (let i = 0; i < v.keys.length; i++) {
      if (!allowed.includes(v.keys[i])) {
        this.fail(path, "unknown member \"" + v.keys[i] + "\" (allowed: " + allowed.join(", ") + ")");
        return false;
      }
    }
    return true;
  }

  required(v: JsonValue, path: string, key: string): JsonValue | null {
    const m = v.member(key);
    if (m === null) this.fail(path, "missing member \"" + key + "\"");
    return m;
  }

  str(v: JsonValue, path: string): string | null {
    if (v.kind != JsonKind.STRING) {
      this.fail(path, "expected a string, got " + v.kindName());
      return null;
    }
    return v.str;
  }

  /** A non-empty string of visible ASCII (it goes into HTTP headers and Envoy cluster lookups). */
  token(v: JsonValue, path: string): string | null {
    const s = this.str(v, path);
    if (s === null) return null;
    if (s.length == 0) {
      this.fail(path, "must not be empty");
      return null;
    }
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        this.fail(path, "must be visible ASCII without spaces");
        return null;
      }
    }
    return s;
  }

  /** An integer literal (no fraction, no exponent) in [min, max]. */
  int(v: JsonValue, path: string, min: u32, max: u32): i64 {
    if (v.kind != JsonKind.NUMBER) {
      this.fail(path, "expected an integer, got " + v.kindName());
      return -1;
    }
    const s = v.str;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x30 || c > 0x39) {
        this.fail(path, "expected a whole number, got " + s);
        return -1;
      }
    }
    if (s.length > 10 || v.num < <f64>min || v.num > <f64>max) {
      this.fail(path, "must be between " + min.toString() + " and " + max.toString() + ", got " + s);
      return -1;
    }
    return <i64>v.num;
  }
}
