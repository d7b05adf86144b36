// The whole OWASP CRS (v4.28.0 and v3.3.4) through the SecLang front end.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, test } from "node:test";
import { loadSecLang } from "../../../rulesets/seclang/index";
import { crsDir, crsFiles, loadCrs, rule, rules } from "./helpers";

const VERSIONS = ["v4.28.0", "v3.3.4"] as const;

/** Independent counts, the way one would get them with grep over the files: non-comment
 *  lines starting with SecRule / SecAction / SecMarker, `chain` actions, `phase:N` actions
 *  (SecDefaultAction lines left out). */
function grepCounts(files: string[]) {
  const lines = files.flatMap((f) => fs.readFileSync(f, "latin1").split("\n")).filter((l) => !/^\s*#/.test(l));
  const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
  const phases: Record<string, number> = {};
  let chains = 0;
  for (const l of lines) {
    chains += (l.match(/(^\s*|[",]\s*)chain\s*(?=[,"\\]|$)/g) ?? []).length;
    if (/^\s*SecDefaultAction\b/.test(l)) continue;
    for (const m of l.matchAll(/\bphase:'?([1-5])\b/g)) phases[m[1]!] = (phases[m[1]!] ?? 0) + 1;
  }
  return {
    secRule: count(/^\s*SecRule\s/),
    secAction: count(/^\s*SecAction\b/),
    secMarker: count(/^\s*SecMarker\s/),
    chains,
    phases,
  };
}

/** Known, expected warnings (nothing unsupported; only honest notes). */
const EXPECTED_WARNINGS: Record<string, string[]> = {
  "v4.28.0": [
    "RESPONSE-980-CORRELATION.conf:87 divergence action msg: a line continuation inside the value is kept literally (backslash and newline), as ModSecurity v3 does; Apache/ModSecurity v2 would join the lines",
  ],
  "v3.3.4": [
    // Reported at the line where the chain link starts.
    "REQUEST-910-IP-REPUTATION.conf:77 limited operator @geoLookup: no GeoIP database in the filter; never matches",
    "REQUEST-910-IP-REPUTATION.conf:79 limited variable GEO: no GeoIP database in the filter; always empty",
    "REQUEST-910-IP-REPUTATION.conf:162 limited operator @rbl: no DNS lookups from the filter; never matches",
  ],
};

for (const v of VERSIONS) {
  describe(`CRS ${v}`, () => {
    const r = loadCrs(v);

    test("parses with zero errors", () => {
      assert.deepEqual(r.errors.map(String), []);
    });

    test("only the expected warnings (no unsupported construct)", () => {
      const got = r.warnings.map((w) => `${path.basename(w.file)}:${w.line} ${w.code} ${w.message}`).sort();
      assert.deepEqual(got, [...EXPECTED_WARNINGS[v]!].sort());
    });

    test("rule, chain, marker and per-phase counts match grep", () => {
      const g = grepCounts(crsFiles(v));
      const all = rules(r.ruleset);
      const links = all.reduce((n, x) => n + x.chain.length, 0);
      assert.equal(links, g.chains, "chain links");
      assert.equal(all.length + links, g.secRule + g.secAction, "SecRule + SecAction directives");
      assert.equal(all.filter((x) => x.directive === "SecAction").length, g.secAction, "SecAction");
      assert.equal(r.ruleset.items.filter((i) => i.kind === "marker").length, g.secMarker, "SecMarker");
      const perPhase: Record<string, number> = {};
      for (const x of all) perPhase[x.phase] = (perPhase[x.phase] ?? 0) + 1;
      assert.deepEqual(perPhase, g.phases);
      assert.equal(new Set(all.map((x) => x.id)).size, all.length, "ids unique");
      // Sanity: the numbers are the real size of the CRS, not a vacuous match.
      assert.ok(all.length > 600 && links > 70, `${all.length} rules, ${links} links`);
    });

    test("every rule keeps its source position and raw text", () => {
      for (const x of rules(r.ruleset)) {
        const lines = fs.readFileSync(x.loc.file, "latin1").split("\n");
        assert.match(lines[x.loc.line - 1]!, /^\s*Sec(Rule|Action)\b/, `${x.id} at ${x.loc.file}:${x.loc.line}`);
        assert.ok(x.raw.startsWith(lines[x.loc.line - 1]!.trimStart().replace(/\r$/, "")), `raw text of ${x.id}`);
        assert.ok(x.raw.includes(`id:${x.id}`), `raw text of ${x.id} names its id`);
        for (const l of x.chain) assert.match(lines[l.loc.line - 1]!, /^\s*SecRule\b/);
      }
    });

    test("SecDefaultAction of crs-setup applies (phase 1 and 2: log, auditlog, pass)", () => {
      const da = r.ruleset.defaultActions;
      assert.deepEqual(Object.keys(da).sort(), v === "v4.28.0" ? ["1", "2", "3", "4", "5"] : ["1", "2"]);
      assert.deepEqual(da[2]!.actions.map((a) => a.name), ["log", "auditlog", "pass"]);
      assert.equal(da[2]!.loc.line, 98);
      // `block` resolves to the phase default's disruptive action (pass) in phases 1 and 2 ...
      const b = rule(r.ruleset, 942100);
      assert.deepEqual(b.disruptive, { action: "pass", argument: null, source: "block" });
      // ... in every phase with a SecDefaultAction; v3.3.4 has none for phase 4, where
      // `block` does nothing disruptive (ModSecurity v3's Block runs the default's action).
      const resp = rules(r.ruleset).find((x) => x.phase === 4 && x.metadata.tags.some((t) => t.raw === "attack-disclosure") && x.chain.length === 0);
      assert.ok(resp);
      assert.deepEqual(resp.disruptive, { action: "pass", argument: null, source: "block" });
      assert.equal(resp.log, true);
    });

    test("settings of crs-setup", () => {
      assert.deepEqual(r.ruleset.settings.componentSignatures, [`OWASP_CRS/${v.slice(1)}`]);
      assert.equal(r.ruleset.settings.setAt["componentSignatures"]!.line, 29);
      const ids = rules(r.ruleset).filter((x) => x.loc.file.endsWith("crs-setup.conf.example")).map((x) => x.id);
      assert.deepEqual(ids, [900990]);
    });
  });
}

describe("CRS v4.28.0 rules in detail", () => {
  const rs = loadCrs("v4.28.0").ruleset;

  test("942100: libinjection SQLi, targets, transformations, metadata", () => {
    const x = rule(rs, 942100);
    assert.equal(x.phase, 2);
    assert.equal(path.basename(x.loc.file), "REQUEST-942-APPLICATION-ATTACK-SQLI.conf");
    assert.equal(x.loc.line, 46);
    assert.deepEqual(x.operator, { name: "detectSQLi", negated: false, implicit: false, argument: "", macro: { raw: "", parts: [], dynamic: false } });
    assert.deepEqual(
      x.variables.map((v) => v.raw),
      ["REQUEST_COOKIES", "REQUEST_COOKIES_NAMES", "REQUEST_HEADERS:User-Agent", "REQUEST_HEADERS:Referer", "ARGS_NAMES", "ARGS", "XML:/*", "XML://@*"],
    );
    assert.deepEqual(x.variables[2]!.selector, { kind: "key", value: "User-Agent" });
    assert.deepEqual(x.variables[6]!.selector, { kind: "xpath", expr: "/*" });
    assert.deepEqual(x.ownTransformations, ["none", "utf8toUnicode", "urlDecodeUni", "removeNulls"]);
    assert.deepEqual(x.transformations, ["utf8toUnicode", "urlDecodeUni", "removeNulls"]);
    assert.equal(x.capture, true);
    assert.equal(x.multiMatch, true);
    assert.equal(x.log, true);
    assert.equal(x.auditLog, true);
    assert.equal(x.metadata.severity, 2);
    assert.equal(x.metadata.msg!.raw, "SQL Injection Attack Detected via libinjection");
    assert.deepEqual(x.metadata.logdata!.parts, [
      { kind: "text", text: "Matched Data: " },
      { kind: "ref", collection: "TX", key: "0", raw: "%{TX.0}" },
      { kind: "text", text: " found within " },
      { kind: "ref", collection: "MATCHED_VAR_NAME", key: null, raw: "%{MATCHED_VAR_NAME}" },
      { kind: "text", text: ": " },
      { kind: "ref", collection: "MATCHED_VAR", key: null, raw: "%{MATCHED_VAR}" },
    ]);
    assert.ok(x.metadata.tags.some((t) => t.raw === "attack-sqli"));
    assert.equal(x.metadata.ver, "OWASP_CRS/4.28.0");
    const sv = x.actions.filter((a) => a.name === "setvar").map((a) => a.setvar!);
    assert.deepEqual(
      sv.map((s) => [s.collection, s.key.raw, s.op, s.value.raw]),
      [
        ["TX", "inbound_anomaly_score_pl1", "add", "%{tx.critical_anomaly_score}"],
        ["TX", "sql_injection_score", "add", "%{tx.critical_anomaly_score}"],
      ],
    );
    // SecDefaultAction's non-disruptive actions are not re-listed (folded into log/auditLog).
    assert.ok(!x.actions.some((a) => a.inherited));
  });

  test("920100: negated implicit-free @rx on REQUEST_LINE, raw pattern kept byte for byte", () => {
    const x = rule(rs, 920100);
    assert.equal(x.phase, 1);
    assert.equal(x.operator.name, "rx");
    assert.equal(x.operator.negated, true);
    const src = fs.readFileSync(x.loc.file, "latin1").split("\n")[x.loc.line - 1]!;
    const expected = /"!@rx (.*)" \\$/.exec(src)![1]!;
    assert.equal(x.operator.argument, expected);
    assert.ok(x.operator.argument.startsWith("(?i)^(?:connect (?:(?:[0-9]{1,3}\\.){3}"));
    assert.deepEqual(x.metadata.logdata!.parts, [{ kind: "ref", collection: "REQUEST_LINE", key: null, raw: "%{request_line}" }]);
    assert.equal(x.metadata.severity, 4);
    assert.deepEqual(x.transformations, []);
  });

  test("901200: setvar list initialising the scores", () => {
    const x = rule(rs, 901200);
    assert.equal(x.directive, "SecAction");
    assert.equal(x.operator.name, "unconditionalMatch");
    assert.equal(x.log, false, "nolog");
    assert.deepEqual(x.disruptive, { action: "pass", argument: null, source: "rule" });
    const sv = x.actions.filter((a) => a.name === "setvar").map((a) => a.setvar!);
    assert.equal(sv.length, 21);
    assert.ok(sv.every((s) => s.collection === "TX" && s.op === "set" && s.value.raw === "0" && !s.key.dynamic));
    assert.equal(sv[0]!.key.raw, "blocking_inbound_anomaly_score");
    assert.equal(sv[20]!.key.raw, "anomaly_score");
  });

  test("942130: chain, link compares TX:1 with a macro, links carry setvars", () => {
    const x = rule(rs, 942130);
    assert.equal(x.chain.length, 1);
    const l = x.chain[0]!;
    assert.deepEqual(l.variables, [{ name: "TX", selector: { kind: "key", value: "1" }, count: false, exclude: false, raw: "TX:1" }]);
    assert.equal(l.operator.name, "streq");
    assert.deepEqual(l.operator.macro.parts, [{ kind: "ref", collection: "TX", key: "2", raw: "%{TX.2}" }]);
    assert.deepEqual(l.transformations, []);
    assert.deepEqual(
      l.actions.map((a) => a.setvar!.key.raw),
      ["sql_injection_score", "inbound_anomaly_score_pl2"],
    );
    // Head: metadata and the setvar with a macro value.
    const sv = x.actions.find((a) => a.name === "setvar")!.setvar!;
    assert.equal(sv.key.raw, "942130_matched_var_name");
    assert.deepEqual(sv.value.parts, [{ kind: "ref", collection: "MATCHED_VAR_NAME", key: null, raw: "%{matched_var_name}" }]);
    assert.equal(x.loc.line, 699);
    assert.equal(l.loc.line, 719);
  });

  test("920539: ctl:ruleRemoveById", () => {
    const x = rule(rs, 920539);
    const ctl = x.actions.find((a) => a.name === "ctl")!.ctl!;
    assert.deepEqual(ctl, { option: "ruleRemoveById", value: "920540", ids: [{ from: 920540, to: 920540 }] });
  });

  test("920300: &REQUEST_HEADERS:Accept count target", () => {
    const x = rule(rs, 920300);
    assert.deepEqual(x.variables, [{ name: "REQUEST_HEADERS", selector: { kind: "key", value: "Accept" }, count: true, exclude: false, raw: "&REQUEST_HEADERS:Accept" }]);
    assert.equal(x.operator.name, "eq");
    assert.equal(x.operator.argument, "0");
  });

  test("913100: @pmFromFile with its data file", () => {
    const x = rule(rs, 913100);
    assert.equal(x.operator.name, "pmFromFile");
    const df = x.operator.dataFiles!;
    assert.equal(df.length, 1);
    const file = path.join(crsDir("v4.28.0"), "rules", "scanners-user-agents.data");
    assert.equal(df[0]!.path, "scanners-user-agents.data");
    assert.equal(df[0]!.resolvedPath, file);
    const content = fs.readFileSync(file, "latin1");
    assert.equal(df[0]!.content, content);
    const expected = content.split("\n").filter((l) => l !== "" && !/^\s*#/.test(l) && !/^\s*$/.test(l));
    assert.deepEqual(df[0]!.entries, expected);
    assert.ok(df[0]!.entries.includes("nikto"));
  });

  test("REQUEST-999: SecRuleUpdateTargetById adds exclusions to rules defined before", () => {
    const x = rule(rs, 932240);
    const last = x.variables.filter((v) => v.exclude && v.name === "REQUEST_COOKIES");
    assert.ok(last.some((v) => v.selector?.kind === "regex" && v.selector.pattern === "^_ga(?:_\\w+)?$"));
    assert.ok(x.updates.length > 0);
    assert.ok(x.updates.every((u) => u.directive === "SecRuleUpdateTargetById" && u.loc.file.endsWith("REQUEST-999-COMMON-EXCEPTIONS-AFTER.conf")));
    const y = rule(rs, 942420);
    assert.ok(y.variables.some((v) => v.exclude && v.selector?.kind === "key" && v.selector.value === "__gads"));
  });

  test("980170: msg spanning lines keeps the continuation as ModSecurity v3 does", () => {
    const x = rule(rs, 980170);
    assert.equal(x.phase, 5);
    assert.ok(x.metadata.msg!.raw.startsWith("Anomaly Scores: \\\n(Inbound Scores: blocking="));
    assert.ok(x.metadata.msg!.dynamic);
  });

});

describe("CRS v3.3.4 rules in detail", () => {
  const rs = loadCrs("v3.3.4").ruleset;

  test("901200: setvars, nolog, t:none", () => {
    const x = rule(rs, 901200);
    assert.equal(x.phase, 1);
    assert.equal(x.log, false);
    assert.deepEqual(x.ownTransformations, ["none"]);
    const sv = x.actions.filter((a) => a.name === "setvar").map((a) => a.setvar!);
    assert.equal(sv.length, 20);
    assert.deepEqual([sv[0]!.key.raw, sv[0]!.op, sv[0]!.value.raw], ["anomaly_score", "set", "0"]);
  });

  test("901318..901321-style chains: initcol, macro keys and ctl:ruleRemoveTargetById", () => {
    const initcol = rules(rs).flatMap((x) => x.actions.filter((a) => a.name === "initcol"));
    assert.ok(initcol.length >= 2);
    assert.ok(initcol.some((a) => a.argument!.startsWith("ip=") && a.macro!.dynamic));
    const removeTarget = rules(rs)
      .flatMap((x) => [x.actions, ...x.chain.map((l) => l.actions)].flat())
      .filter((a) => a.ctl?.option === "ruleRemoveTargetById");
    for (const a of removeTarget) assert.ok(a.ctl!.ids!.length > 0 && a.ctl!.targets!.length > 0);
  });

  test("942100 in v3.3.4", () => {
    const x = rule(rs, 942100);
    assert.equal(x.operator.name, "detectSQLi");
    assert.deepEqual(x.transformations, ["utf8toUnicode", "urlDecodeUni", "removeNulls"]);
    assert.equal(x.metadata.ver, "OWASP_CRS/3.3.4");
  });

  test("non-ASCII bytes in patterns are kept as bytes (latin1 string)", () => {
    const withBytes = rules(rs).filter((x) => /[\u0080-\u00ff]/.test(x.operator.argument));
    assert.ok(withBytes.length > 0);
    // ’ (U+2019) is E2 80 99 in UTF-8: three one-byte characters here.
    assert.ok(withBytes.some((x) => x.operator.argument.includes("\u00e2\u0080\u0099")));
  });

  test("possessive quantifiers and lookbehinds are passed through untouched (no regex compile here)", () => {
    assert.ok(rule(rs, 920120).operator.argument.includes("(?<"));
  });
});

describe("CRS exclusion examples", () => {
  for (const v of VERSIONS) {
    test(`${v}: *.conf.example files parse in order with the rules`, () => {
      const r = loadSecLang(crsFiles(v, true));
      assert.deepEqual(r.errors.map(String), []);
      const examples = crsFiles(v, true).filter((f) => f.endsWith(".conf.example"));
      assert.equal(examples.length, 3); // crs-setup + REQUEST-900 + RESPONSE-999
      assert.equal(rules(r.ruleset).length, rules(loadCrs(v).ruleset).length);
    });
  }
});
