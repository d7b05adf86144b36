// as-pect unit tests of the per-destination settings: the strict document reader (what it accepts, what it refuses
// and with which member path), the destination lookup (exact, then the node-port wildcard; nothing while the WAF is
// disabled cluster-wide) and what applying a destination does to a transaction (mode, exclusion lists, pinned
// paranoia TX variables). The whole path through the real module is tests/e2e/settings.test.ts.
import { MAX_EXCLUDED_RANGES, parseSettings, validDestinationKey } from "../document";
import { applyDestination } from "../apply";
import { Transaction } from "../../engine/transaction";
import { latin1, toLatin1 } from "../../engine/bytes";
import { RuleEngineMode } from "../../../rulesets/tables/format";

const HEAD = '{"apiVersion":"waf.workload-waf.io/v1","kind":"DestinationSettings","enabled":true,"ruleSet":null,"wasm":null,"defaults":{"mode":"detect"},"destinations":';
const WEB = '{"service":"shop/web","port":"http","mode":"block","paranoiaLevel":2,"excludeRuleIds":[[942100,942100],[920350,920360]],"excludeRuleTags":["attack-sqli"]}';
const API = '{"service":"shop/api","mode":"detect","paranoiaLevel":1,"excludeRuleIds":[],"excludeRuleTags":[]}';

function doc(destinations: string): string {
  return HEAD + destinations + "}";
}
function errorOf(text: string): string {
  return parseSettings(String.UTF8.encode(text)).error;
}

describe("parseSettings", () => {
  it("reads the controller's document", () => {
    const r = parseSettings(String.UTF8.encode(doc('{"10.96.0.20:80":' + WEB + ',"*:30080":' + WEB + ',"[fd00::20]:8443":' + API + "}")));
    expect(r.error).toBe("");
    const d = r.doc!;
    expect(d.enabled).toBe(true);
    expect(d.count).toBe(3);
    const web = d.lookup("10.96.0.20:80")!;
    expect(web.service).toBe("shop/web");
    expect(web.port).toBe("http");
    expect(web.ruleEngine).toBe(RuleEngineMode.ON);
    expect(web.paranoiaLevel).toBe(2);
    expect(web.removedIds.length).toBe(2);
    expect(web.removedIds[1].from).toBe(920350);
    expect(web.removedIds[1].to).toBe(920360);
    expect(toLatin1(web.removedTags[0])).toBe("attack-sqli");
    expect(d.lookup("[fd00::20]:8443")!.ruleEngine).toBe(RuleEngineMode.DETECTION_ONLY);
  });

  it("looks up the exact destination, then the node-port wildcard; nothing else", () => {
    const d = parseSettings(String.UTF8.encode(doc('{"10.96.0.20:80":' + API + ',"*:30080":' + WEB + "}"))).doc!;
    expect(d.lookup("10.96.0.20:80")!.service).toBe("shop/api");
    expect(d.lookup("192.168.7.1:30080")!.service).toBe("shop/web");
    expect(d.lookup("[fd00::1]:30080")!.service).toBe("shop/web");
    expect(d.lookup("10.96.0.20:81")).toBeNull();
    expect(d.lookup("10.96.0.21:80")).toBeNull();
    expect(d.lookup("")).toBeNull();
    expect(d.lookup("garbage")).toBeNull();
  });

  it("protects nothing while the WAF is disabled cluster-wide", () => {
    const text = doc('{"10.96.0.20:80":' + API + "}").replace('"enabled":true', '"enabled":false');
    const d = parseSettings(String.UTF8.encode(text)).doc!;
    expect(d.enabled).toBe(false);
    expect(d.lookup("10.96.0.20:80")).toBeNull();
  });

  it("refuses garbage, naming the member", () => {
    expect(errorOf("")).toBe("invalid JSON: unexpected end of the document at byte 0");
    expect(errorOf("\x00\xff").startsWith("invalid JSON: ")).toBe(true);
    expect(errorOf("[]")).toBe("expected an object, got an array");
    expect(errorOf(doc("{}").replace('"kind":"DestinationSettings"', '"kind":"Other"'))).toBe("kind: must be \"DestinationSettings\", got \"Other\"");
    expect(errorOf(doc("{}").replace("waf.workload-waf.io/v1", "v2"))).toBe("apiVersion: must be \"waf.workload-waf.io/v1\", got \"v2\"");
    expect(errorOf(doc("{}").replace('"enabled":true', '"enabled":"yes"'))).toBe("enabled: expected a boolean, got a string");
    expect(errorOf(doc("{}").replace('"ruleSet":null', '"ruleSet":3'))).toBe("ruleSet: expected an object or null, got a number");
    expect(errorOf(doc("[]"))).toBe("destinations: expected an object, got an array");
    expect(errorOf(doc("{}").replace("{\"apiVersion", "{\"extra\":1,\"apiVersion")).startsWith("unknown member \"extra\"")).toBe(true);
    expect(errorOf(doc('{"10.0.0.1:80":' + WEB.replace('"mode":"block"', '"mode":"prevent"') + "}"))).toBe("destinations[\"10.0.0.1:80\"].mode: must be \"detect\" or \"block\", got \"prevent\"");
    expect(errorOf(doc('{"10.0.0.1:80":' + WEB.replace('"paranoiaLevel":2', '"paranoiaLevel":5') + "}"))).toBe("destinations[\"10.0.0.1:80\"].paranoiaLevel: must be between 1 and 4, got 5");
    expect(errorOf(doc('{"10.0.0.1:80":' + WEB.replace('"paranoiaLevel":2', '"paranoiaLevel":2.0') + "}"))).toBe("destinations[\"10.0.0.1:80\"].paranoiaLevel: expected a whole number, got 2.0");
    expect(errorOf(doc('{"10.0.0.1:80":' + WEB.replace("[920350,920360]", "[920360,920350]") + "}"))).toBe("destinations[\"10.0.0.1:80\"].excludeRuleIds[1]: the range ends before it starts");
    expect(errorOf(doc('{"10.0.0.1:80":' + WEB.replace("[920350,920360]", "[920350]") + "}"))).toBe("destinations[\"10.0.0.1:80\"].excludeRuleIds[1]: expected [from, to]");
    expect(errorOf(doc('{"10.0.0.1:80":' + WEB.replace("[942100,942100]", "[-1,942100]") + "}"))).toBe("destinations[\"10.0.0.1:80\"].excludeRuleIds[0][0]: expected a whole number, got -1");
    expect(errorOf(doc('{"10.0.0.1:80":' + WEB.replace('"attack-sqli"', '"a\\u0001b"') + "}"))).toBe("destinations[\"10.0.0.1:80\"].excludeRuleTags[0]: must be printable Latin-1 text");
    expect(errorOf(doc('{"10.0.0.1:80":' + WEB.replace('"attack-sqli"', '""') + "}"))).toBe("destinations[\"10.0.0.1:80\"].excludeRuleTags[0]: must have 1 to 256 characters");
    expect(errorOf(doc('{"10.0.0.1:80":' + WEB.replace('"service":"shop/web",', "") + "}"))).toBe("destinations[\"10.0.0.1:80\"]: missing member \"service\"");
    expect(errorOf(doc('{"10.0.0.1:80":' + WEB.replace('"port":"http"', '"ports":"http"') + "}")).startsWith("destinations[\"10.0.0.1:80\"]: unknown member \"ports\"")).toBe(true);
    expect(errorOf(doc('{"web:80":' + WEB + "}"))).toBe("destinations[\"web:80\"]: not a destination (ip:port, [ipv6]:port or *:port)");
  });

  it("bounds the lists it reads", () => {
    let ids = "[";
    for (let i = 0; i <= MAX_EXCLUDED_RANGES; i++) ids += (i > 0 ? "," : "") + "[1,1]";
    ids += "]";
    const e = errorOf(doc('{"10.0.0.1:80":' + API.replace('"excludeRuleIds":[]', '"excludeRuleIds":' + ids) + "}"));
    expect(e).toBe("destinations[\"10.0.0.1:80\"].excludeRuleIds: more than 1024 items");
  });

  it("reads a large document (duplicate keys found by a set there too)", () => {
    let ds = "{";
    for (let i = 0; i < 3000; i++) ds += (i > 0 ? "," : "") + '"10.1.' + (i >> 8).toString() + "." + (i & 255).toString() + ':8080":' + API;
    const d = parseSettings(String.UTF8.encode(doc(ds + "}"))).doc!;
    expect(d.count).toBe(3000);
    expect(d.lookup("10.1.11.183:8080")!.service).toBe("shop/api");
    expect(errorOf(doc(ds + ',"10.1.0.7:8080":' + API + "}")).startsWith("invalid JSON: duplicate member \"10.1.0.7:8080\"")).toBe(true);
  });
});

describe("validDestinationKey", () => {
  it("accepts what Envoy prints and the node-port wildcard", () => {
    expect(validDestinationKey("10.96.0.1:80")).toBe(true);
    expect(validDestinationKey("255.255.255.255:65535")).toBe(true);
    expect(validDestinationKey("[fd00::1]:443")).toBe(true);
    expect(validDestinationKey("[::ffff:10.0.0.1]:8080")).toBe(true);
    expect(validDestinationKey("*:30080")).toBe(true);
  });
  it("refuses the rest", () => {
    expect(validDestinationKey("10.96.0.1")).toBe(false);
    expect(validDestinationKey("10.96.0.1:0")).toBe(false);
    expect(validDestinationKey("10.96.0.1:65536")).toBe(false);
    expect(validDestinationKey("10.96.0.1:080")).toBe(false);
    expect(validDestinationKey("10.96.0.256:80")).toBe(false);
    expect(validDestinationKey("10.96.01.1:80")).toBe(false);
    expect(validDestinationKey("10.96.1:80")).toBe(false);
    expect(validDestinationKey("fd00::1:80")).toBe(false);
    expect(validDestinationKey("[FD00::1]:80")).toBe(false);
    expect(validDestinationKey("[]:80")).toBe(false);
    expect(validDestinationKey("*:")).toBe(false);
    expect(validDestinationKey("**:80")).toBe(false);
    expect(validDestinationKey("web.shop:80")).toBe(false);
  });
});

describe("applyDestination", () => {
  it("sets the mode, appends the exclusions and pins the paranoia level under the CRS v4 and v3 names", () => {
    const d = parseSettings(String.UTF8.encode(doc('{"10.0.0.1:80":' + WEB + "}"))).doc!.lookup("10.0.0.1:80")!;
    const tx = new Transaction();
    tx.ruleEngine = RuleEngineMode.DETECTION_ONLY;
    applyDestination(tx, d);
    expect(tx.ruleEngine).toBe(RuleEngineMode.ON);
    expect(tx.removedIds.length).toBe(2);
    expect(tx.removedIds[0].from).toBe(942100);
    expect(tx.removedTags.length).toBe(1);
    const names = ["blocking_paranoia_level", "DETECTION_PARANOIA_LEVEL", "paranoia_level", "executing_paranoia_level"];
    for (let i = 0; i < names.length; i++) {
      expect(toLatin1(tx.tx().get(latin1(names[i]))!)).toBe("2");
      expect(tx.isPinnedTx(latin1(names[i]))).toBe(true);
    }
    expect(tx.isPinnedTx(latin1("inbound_anomaly_score_threshold"))).toBe(false);
    expect(tx.pinnedTx.length).toBe(4);
  });
});
