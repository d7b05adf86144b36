// as-pect unit tests of the plugin configuration reader: the strict JSON reader (what it refuses and why) and the
// configuration form detection. The member-level validation is exercised through the real module by
// tests/reload/poll.test.ts.
import { JsonKind, parseJson } from "../json";
import { ConfigForm, configForm, parsePollingConfig } from "../plugin_config";
import { RuleEngineMode } from "../../../rulesets/tables/format";

function bytes(s: string): ArrayBuffer {
  return String.UTF8.encode(s);
}
function jsonError(s: string): string {
  return parseJson(bytes(s)).error;
}

describe("parseJson", () => {
  it("reads objects, arrays, strings with escapes, numbers, literals", () => {
    const r = parseJson(bytes(' {"a": [1, -2.5e3, true, false, null], "s": "x\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00", "o": {}} '));
    expect(r.error).toBe("");
    const v = r.value!;
    expect(v.kind).toBe(JsonKind.OBJECT);
    const a = v.member("a")!;
    expect(a.items.length).toBe(5);
    expect(a.items[1].num).toBe(-2500);
    expect(a.items[2].bool).toBe(true);
    expect(a.items[4].kind).toBe(JsonKind.NULL);
    expect(v.member("s")!.str).toBe("x\"\\/\n\u00e9\u{1F600}");
    expect(v.member("o")!.keys.length).toBe(0);
    expect(v.member("missing")).toBeNull();
  });
  it("refuses what is not strict JSON, saying where", () => {
    expect(jsonError("")).toBe("unexpected end of the document at byte 0");
    expect(jsonError("{\"a\":1,}")).toBe("expected a member name in double quotes at byte 7");
    expect(jsonError("[1 2]")).toBe("expected ',' or ']' in an array at byte 3");
    expect(jsonError("{\"a\":1}{")).toBe("unexpected data after the JSON value at byte 7");
    expect(jsonError("{\"a\":1,\"a\":2}")).toBe("duplicate member \"a\" at byte 7");
    expect(jsonError("[01]")).toBe("leading zeros are not allowed in numbers at byte 2");
    expect(jsonError("[1.]")).toBe("expected a digit at byte 3");
    expect(jsonError("[\"a\nb\"]")).toBe("control character in a string (escape it) at byte 3");
    expect(jsonError("[\"\\x\"]")).toBe("bad escape in a string at byte 3");
    expect(jsonError("[\"\\ud800\"]")).toBe("lone surrogate in a \\u escape at byte 8");
    expect(jsonError("[\"\\udc00\"]")).toBe("lone surrogate in a \\u escape at byte 8");
    expect(jsonError("[\"abc")).toBe("unterminated string at byte 5");
    expect(jsonError("[tru]")).toBe("unexpected character 't' at byte 1");
  });
  it("refuses malformed UTF-8 instead of replacing it", () => {
    const b = new ArrayBuffer(5);
    store<u8>(changetype<usize>(b), 0x22);
    store<u8>(changetype<usize>(b) + 1, 0xc3); // lead byte without its continuation
    store<u8>(changetype<usize>(b) + 2, 0x28);
    store<u8>(changetype<usize>(b) + 3, 0x22);
    store<u8>(changetype<usize>(b) + 4, 0x20);
    expect(parseJson(b).error).toBe("malformed UTF-8 in a string at byte 1");
    const overlong = new ArrayBuffer(4);
    store<u8>(changetype<usize>(overlong), 0x22);
    store<u8>(changetype<usize>(overlong) + 1, 0xc0);
    store<u8>(changetype<usize>(overlong) + 2, 0xaf);
    store<u8>(changetype<usize>(overlong) + 3, 0x22);
    expect(parseJson(overlong).error).toBe("malformed UTF-8 in a string at byte 1");
  });
  it("caps nesting instead of recursing without bound", () => {
    expect(jsonError("[".repeat(17) + "]".repeat(17))).toBe("");
    expect(jsonError("[".repeat(18) + "]".repeat(18))).toBe("nested deeper than 16 levels at byte 17");
    expect(jsonError("[".repeat(100000))).toBe("nested deeper than 16 levels at byte 17");
  });
});

describe("configForm", () => {
  it("tells a table, JSON and nothing apart", () => {
    expect(configForm(new ArrayBuffer(0))).toBe(ConfigForm.EMPTY);
    expect(configForm(bytes("WAFT\x03\x00"))).toBe(ConfigForm.TABLE);
    expect(configForm(bytes(" \n{\"mode\":\"block\"}"))).toBe(ConfigForm.POLLING);
    expect(configForm(bytes("[]"))).toBe(ConfigForm.POLLING);
    expect(configForm(bytes("garbage"))).toBe(ConfigForm.TABLE);
  });
});

describe("parsePollingConfig", () => {
  it("reads a complete configuration, defaults included", () => {
    const r = parsePollingConfig(bytes('{"mode":"block","controller":{"cluster":"c","authority":"a.svc"},"ruleset":{"path":"/rulesets/current","poll_interval_ms":250}}'));
    expect(r.error).toBe("");
    const c = r.config!;
    expect(c.ruleEngine).toBe(RuleEngineMode.ON);
    expect(c.failOpen).toBe(false);
    expect(c.timeoutMs).toBe(5000);
    expect(c.cluster).toBe("c");
    expect(c.authority).toBe("a.svc");
    expect(c.ruleset.path).toBe("/rulesets/current");
    expect(c.ruleset.pollIntervalMs).toBe(250);
    expect(c.settings).toBeNull();
  });
  it("names the first member that is wrong", () => {
    expect(parsePollingConfig(bytes('{"mode":"detect","fail_open":true,"controller":{"cluster":"c","authority":"a","timeout_ms":99999999999},"ruleset":{"path":"/r","poll_interval_ms":100}}')).error)
      .toBe("controller.timeout_ms: must be between 100 and 60000, got 99999999999");
    expect(parsePollingConfig(bytes('{"mode":"detect","controller":{"cluster":"c","authority":"a"},"ruleset":{"path":"/r","poll_interval_ms":-5}}')).error)
      .toBe("ruleset.poll_interval_ms: expected a whole number, got -5");
    expect(parsePollingConfig(bytes('{"mode":"detect","controller":{"cluster":"c","authority":"a"},"ruleset":{"path":"/r","poll_interval_ms":1e3}}')).error)
      .toBe("ruleset.poll_interval_ms: expected a whole number, got 1e3");
  });
});
