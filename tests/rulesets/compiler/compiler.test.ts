// The compiler back end on small rule sets: operator arguments, targets, pipelines, actions, skip/skipAfter,
// markers, settings; the regex section encodings against compileRegex; typed file:line errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileText, macroText } from "./helpers";
import { decodeProgram, parsePmArgument, stoi, parseByteRanges, CompileErrors } from "../../../rulesets/compiler/index";
import { decodeDfa, encodeBacktrack, encodeDfa, encodeNfa } from "../../../rulesets/compiler/regex-sections";
import { compileRegex, dfaMatch, parseRegex } from "../../../rulesets/regex/index";
import { readTable } from "../../../rulesets/tables/reader";
import { VARIABLES } from "../../../rulesets/ir/catalog";
import { ArgKind, OperatorKind, SectionKind, Setting } from "../../../rulesets/tables/format";
import { VARIABLE_ID, TRANSFORM_ID, TRANSFORM_NAME } from "../../../rulesets/compiler/ids";
import { validateBacktrackPayload, validateDfaPayload, validateNfaPayload } from "../../../rulesets/compiler/validate";
import { readFileSync } from "node:fs";
import { repoRoot } from "./as-harness";
import { join } from "node:path";

const latin = (b: Uint8Array) => Buffer.from(b).toString("latin1");

describe("id tables", () => {
  it("VariableId in rulesets/tables/variables.ts follows the catalogue order exactly", () => {
    const src = readFileSync(join(repoRoot, "rulesets/tables/variables.ts"), "utf8");
    const members = [...src.matchAll(/^\s+([A-Z0-9_]+) = (\d+),$/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(members, VARIABLES.map((v, i) => [v.name, i]));
    assert.equal(VARIABLE_ID.get("TX"), VARIABLES.findIndex((v) => v.name === "TX"));
  });
  it("every transformation id of filter/transforms/ids.ts but None has a name, and names map back", () => {
    const src = readFileSync(join(repoRoot, "filter/transforms/ids.ts"), "utf8");
    const count = Number(/TRANSFORM_COUNT = (\d+)/.exec(src)![1]);
    for (let id = 1; id < count; id++) assert.ok(TRANSFORM_NAME[id], `id ${id}`);
    for (const [n, id] of Object.entries(TRANSFORM_ID)) assert.ok(id > 0 && id < count, n);
  });
});

describe("@pm phrase syntax (libmodsecurity parse_pm_content)", () => {
  const p = (s: string) => parsePmArgument(s).phrases.map(latin);
  it("splits on whitespace", () => assert.deepEqual(p("foo  bar\tbaz"), ["foo", "bar", "baz"]));
  it("strips quotes around the whole argument only", () => {
    assert.deepEqual(p('"a b"'), ["a", "b"]);
    assert.deepEqual(p('a"b c'), ['a"b', "c"]);
  });
  it("decodes |hex| bytes, spaces inside ignored; a decoded space splits", () => {
    assert.deepEqual(p("a|41 42|c"), ["aABc"]);
    assert.deepEqual(p("x|20|y"), ["x", "y"]);
    assert.deepEqual(parsePmArgument("|ff|z").phrases.map((b) => [...b]), [[0xff, 0x7a]]);
  });
  it("handles escapes \\: \\; \\\\ \\\" and falls back to the raw text on others", () => {
    assert.deepEqual(p("a\\;b"), ["a;b"]);
    const r = parsePmArgument("a\\xb c");
    assert.equal(r.fallback, true);
    assert.deepEqual(r.phrases.map(latin), ["a\\xb", "c"]);
  });
  it("ends at a decoded NUL byte, as the C string does", () => assert.deepEqual(p("ab|00|cd ef"), ["ab"]));
});

describe("argument helpers", () => {
  it("stoi as std::stoi, 0 on failure", () => {
    assert.deepEqual(["42", " -7x", "abc", "", "99999999999", "+3"].map(stoi), [42, -7, 0, 0, 0, 3]);
  });
  it("byte ranges", () => {
    const s = parseByteRanges("1-3,9, 255")!;
    const has = (b: number) => (s[b >> 5]! >>> (b & 31)) & 1;
    assert.deepEqual([0, 1, 2, 3, 4, 9, 254, 255].map(has), [0, 1, 1, 1, 0, 1, 0, 1]);
    assert.equal(parseByteRanges("5-2"), null);
    assert.equal(parseByteRanges("300"), null);
    assert.equal(parseByteRanges("a-b"), null);
  });
});

describe("rule program", () => {
  const conf = `
SecRuleEngine DetectionOnly
SecRequestBodyLimit 1000
SecResponseBodyMimeType text/plain text/html
SecArgumentSeparator ;
SecDefaultAction "phase:2,log,auditlog,pass"
SecRule ARGS|!ARGS:foo|&REQUEST_HEADERS:Host|REQUEST_COOKIES:/^sess/ "@rx (?i)a+b" "id:1,phase:2,deny,status:403,t:lowercase,t:urlDecode,capture,msg:'m %{TX.0}',tag:'t1',tag:'t2',severity:2,setvar:tx.score=+%{tx.crit},skipAfter:END"
SecRule ARGS "@pm foo bar" "id:2,phase:2,pass,t:none,t:urlDecode,t:lowercase,chain"
  SecRule TX:x "@eq 5" "t:lowercase,t:urlDecode,setvar:tx.y=1"
SecRule REMOTE_ADDR "@ipMatch 10.0.0.0/8,::1" "id:3,phase:1,allow,ctl:ruleRemoveTargetById=942100-942110;ARGS:q,ctl:ruleEngine=Off,skip:1"
SecRule ARGS "@validateByteRange 1-255" "id:4,phase:2,block,t:lowercase,t:urlDecode,setenv:x=%{tx.y}"
SecRule REQUEST_HEADERS:X "@within %{tx.allowed}" "id:5,phase:2,pass,expirevar:ip.a=60,initcol:ip=%{remote_addr}"
SecMarker END
SecRule ARGS "@rx a+b" "id:6,phase:2,pass,t:urlDecode,t:lowercase"
SecAction "id:7,phase:5,pass,nolog"
`;
  const { ir, res } = compileText(conf);
  const d = decodeProgram(res.table)!;
  const byId = new Map(d.rules.map((r) => [r.id, r]));

  it("orders rules by phase, configuration order inside a phase", () => {
    assert.deepEqual(d.rules.map((r) => [r.id, r.phase]), [[3, 1], [1, 2], [2, 2], [4, 2], [5, 2], [6, 2], [7, 5]]);
    assert.deepEqual([...d.arrays.phaseStart], [0, 1, 6, 6, 6, 7]);
  });
  it("encodes targets with selectors, count and exclusion", () => {
    const t = byId.get(1)!.conditions[0]!.targets;
    assert.deepEqual(t.map((x) => [x.variable, x.count, x.exclude, x.selector?.kind ?? null, x.raw]), [
      ["ARGS", false, false, null, "ARGS"],
      ["ARGS", false, true, "key", "!ARGS:foo"],
      ["REQUEST_HEADERS", true, false, "key", "&REQUEST_HEADERS:Host"],
      ["REQUEST_COOKIES", false, false, "regex", "REQUEST_COOKIES:/^sess/"],
    ]);
    const sel = t[3]!.selector as { kind: "regex"; regex: number };
    // compiled caseless, as ModSecurity v3 compiles selector regexes
    assert.equal(res.regexes[sel.regex]!.pattern, "(?i)^sess");
  });
  it("deduplicates identical pipelines", () => {
    const c1 = byId.get(1)!.conditions[0]!;
    assert.deepEqual(c1.pipeline, ["lowercase", "urlDecode"]);
    const c2 = byId.get(2)!.conditions;
    assert.deepEqual(c2[0]!.pipeline, ["urlDecode", "lowercase"]);
    assert.equal(c2[1]!.pipelineIndex, c1.pipelineIndex, "chain link t:lowercase,t:urlDecode shares rule 1's pipeline");
    assert.equal(byId.get(4)!.conditions[0]!.pipelineIndex, c1.pipelineIndex);
    assert.equal(byId.get(6)!.conditions[0]!.pipelineIndex, c2[0]!.pipelineIndex);
  });
  it("compiles operator arguments to their objects", () => {
    const c = (id: number, i = 0) => byId.get(id)!.conditions[i]!;
    assert.equal(c(1).argKind, ArgKind.REGEX);
    assert.equal(res.regexes[c(1).arg]!.pattern, "(?i)a+b");
    assert.ok(res.regexes[c(1).arg]!.captureSection >= 0, "capture program emitted for a capturing rule");
    assert.equal(res.regexes[c(6).arg]!.pattern, "a+b");
    const t = readTable(res.table);
    assert.equal(c(2).argKind, ArgKind.AC);
    assert.equal(t.sections[c(2).arg]!.kind, SectionKind.AHO_CORASICK);
    assert.deepEqual([c(2, 1).argKind, c(2, 1).argValue, c(2, 1).link], [ArgKind.NUMBER, 5, true]);
    assert.equal(t.sections[c(3).arg]!.kind, SectionKind.IP_SET);
    assert.equal(c(4).argKind, ArgKind.BYTES);
    assert.deepEqual([c(5).operator, c(5).argKind, c(5).argValue], ["within", ArgKind.MACRO, "%{TX.allowed}"]);
    assert.equal(c(7).operator, "unconditionalMatch");
  });
  it("encodes actions, metadata, macros and the disruptive action", () => {
    const r1 = byId.get(1)!;
    assert.deepEqual([r1.disruptive, r1.status, r1.severity, r1.msg, r1.tags], ["deny", 403, 2, "m %{TX.0}", ["t1", "t2"]]);
    assert.deepEqual(r1.actions, ["setvar:tx.score=+%{TX.crit}"]);
    assert.deepEqual(byId.get(2)!.conditions[1]!.actions, ["setvar:tx.y=1"]);
    assert.deepEqual(byId.get(3)!.actions, ["ctl:ruleRemoveTargetById=942100-942110;ARGS:q", "ctl:ruleEngine=Off"]);
    assert.deepEqual(byId.get(4)!.actions, ["setenv:x=%{TX.y}"]);
    assert.deepEqual(byId.get(5)!.actions, ["expirevar:ip.a=60", "initcol:ip=%{REMOTE_ADDR}"]);
    assert.equal(byId.get(3)!.disruptive, "allow");
    assert.equal(byId.get(4)!.disruptive, "pass", "block -> the phase default's pass");
  });
  it("resolves skip and skipAfter to positions, markers to per-phase positions", () => {
    assert.equal(byId.get(3)!.skip, 1);
    assert.equal(byId.get(1)!.skipAfter, byId.get(6)!.position, "continue at the first rule after the marker");
    assert.deepEqual(d.markers, [{ name: "END", positions: [1, 5, 6, 6, 6] }]);
  });
  it("writes the settings", () => {
    const get = (k: number) => d.settings.filter((s) => s.key === k).map((s) => s.value);
    assert.deepEqual(get(Setting.RULE_ENGINE), [2]);
    assert.deepEqual(get(Setting.REQUEST_BODY_LIMIT), [1000]);
    assert.deepEqual(get(Setting.RESPONSE_BODY_MIME_TYPE), ["text/plain", "text/html"]);
    assert.deepEqual(get(Setting.ARGUMENT_SEPARATOR), [";"]);
  });
  it("keeps macros of the IR", () => {
    const r = ir.items.find((i) => i.kind === "rule" && i.rule.id === 1);
    assert.ok(r && r.kind === "rule");
    assert.equal(macroText(r.rule.metadata.msg!), byId.get(1)!.msg);
  });
  it("a macro in @rx: every expansion the rule set can produce is precompiled (literal setvar values and unset)", () => {
    const { res } = compileText(`SecAction "id:1,phase:1,pass,nolog,setvar:'tx.allowed=utf-8|latin1'"
SecRule REQUEST_URI "@beginsWith /x" "id:2,phase:1,pass,nolog,setvar:tx.allowed=ascii,setvar:tx.other=%{REQUEST_URI}"
SecRule ARGS "@rx ^%{tx.allowed}$" "id:3,phase:2,pass"`);
    const p = decodeProgram(res.table)!;
    const c = p.rules.find((r) => r.id === 3)!.conditions[0]!;
    assert.deepEqual([c.operator, c.argKind, c.argValue], ["rx", ArgKind.REGEX_VARIANTS, "^%{TX.allowed}$"]);
    assert.deepEqual(res.explain.get(3)!.conditions[0]!.object!.patterns, ["^$", "^utf-8|latin1$", "^ascii$"]);
    assert.equal(OperatorKind.RX, 2);
  });
  it("a macro in @rx that cannot be foreseen is a compile error with file:line, not a rule that never matches", () => {
    assert.throws(() => compileText(`SecRule ARGS "@rx ^%{REQUEST_URI}$" "id:1,phase:2,pass"`, "/tmp/r.conf"), (e: unknown) =>
      e instanceof CompileErrors && /r\.conf:1.*cannot be known ahead of time/.test(String(e.errors[0])));
  });
});

describe("typed compile errors with file:line", () => {
  const errs = (text: string) => {
    try {
      compileText(text, "/tmp/broken.conf");
    } catch (e) {
      if (e instanceof CompileErrors) return e.errors.map(String);
      throw e;
    }
    return [];
  };
  it("a regex the engine cannot compile", () => {
    const e = errs(`SecRule ARGS "@rx a(b" "id:1,phase:2,pass"`);
    assert.equal(e.length, 1);
    assert.match(e[0]!, /^\/tmp\/broken\.conf:1: SecRule: operator @rx: cannot compile \/a\(b\/: .*expected a PCRE pattern/);
  });
  it("all errors are reported, not only the first", () => {
    const e = errs(`SecRule ARGS "@rx (" "id:1,phase:2,pass"\n\nSecRule ARGS:/[/ "@streq x" "id:2,phase:2,pass"`);
    assert.deepEqual(e.map((x) => x.split(": ")[0]), ["/tmp/broken.conf:1", "/tmp/broken.conf:3"]);
  });
});

describe("regex section encodings", () => {
  const patterns = ["a+b", "(?i)^select\\b", "x$", "[^a]{3,5}z", "(?:foo|bar)baz", "\\d{2,}-\\w+", "^$"];
  const inputs = ["", "ab", "aab", "SELECT x", "select", "x\n", "bbbz", "aaaaz", "foobaz", "barbaz", "12-x", "1-x", "\n", "zzzzzzz"];
  it("DFA payloads decode back to the same automaton and match the same inputs", () => {
    for (const p of patterns) {
      const c = compileRegex(p);
      assert.equal(c.tier, "dfa", p);
      const payload = encodeDfa(c.dfa!);
      assert.equal(validateDfaPayload(payload), null, p);
      const back = decodeDfa(payload);
      for (const s of inputs) assert.equal(dfaMatch(back, Buffer.from(s, "latin1")), dfaMatch(c.dfa!, Buffer.from(s, "latin1")), `${p} on ${JSON.stringify(s)}`);
    }
  });
  it("NFA, capture and backtracking payloads validate", () => {
    for (const p of [...patterns, "(?<=ab)c", "(a)\\1", "(a|)*b"]) {
      const c = compileRegex(p);
      if (c.nfa) assert.equal(validateNfaPayload(encodeNfa(c.nfa), false), null, p);
      if (c.captureProgram) assert.equal(validateNfaPayload(encodeNfa(c.captureProgram), true), null, p);
      assert.equal(validateBacktrackPayload(encodeBacktrack(parseRegex(p))), null, p);
    }
  });
});
