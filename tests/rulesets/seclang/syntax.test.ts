// Lexing and parsing edge cases: continuations, quoting, escaping, variables, operators,
// actions, macros, comments.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { lexSecLang } from "../../../rulesets/seclang/index";
import { Diagnostics } from "../../../rulesets/seclang/errors";
import { errorStrings, parse, parseOk, rule, rules } from "./helpers";

describe("lexer", () => {
  test("continuations join lines; the rule keeps its first line and raw text", () => {
    const text = ["# c", "SecRule ARGS \\", '    "@rx a" \\', '    "id:1,\\', "    phase:2,\\", '    pass"', "SecAction id:2,phase:1,pass"].join("\n");
    const d = lexSecLang(text, "/x.conf", new Diagnostics());
    assert.equal(d.length, 2);
    assert.deepEqual(
      d[0]!.args.map((a) => [a.text, a.quoted, a.line]),
      [
        ["ARGS", false, 2],
        ["@rx a", true, 3],
        ["id:1,\\\n    phase:2,\\\n    pass", true, 4],
      ],
    );
    assert.equal(d[0]!.line, 2);
    assert.equal(d[0]!.raw, text.split("\n").slice(1, 6).join("\n"));
    assert.equal(d[1]!.line, 7);
    const r = parseOk(text);
    assert.deepEqual(rule(r.ruleset, 1).loc.line, 2);
    assert.deepEqual(
      rule(r.ruleset, 1).disruptive,
      { action: "pass", argument: null, source: "rule" },
    );
  });

  test("CRLF line endings and continuations", () => {
    const r = parseOk('SecRule ARGS "@rx a" \\\r\n    "id:1,\\\r\n    phase:2,\\\r\n    deny"\r\nSecAction "id:2,phase:1,pass"\r\n');
    assert.deepEqual(rules(r.ruleset).map((x) => [x.id, x.loc.line, x.disruptive.action]), [
      [1, 1, "deny"],
      [2, 5, "pass"],
    ]);
  });

  test('\\" inside the operator is kept raw (reaches PCRE as written)', () => {
    const r = parseOk('SecRule ARGS "@rx a\\"b\\\\" "id:1,phase:2,pass"');
    assert.equal(rule(r.ruleset, 1).operator.argument, 'a\\"b\\\\');
  });

  test("single-quoted action values may contain commas, double quotes and spaces", () => {
    const r = parseOk(`SecRule ARGS "@rx a" "id:1,phase:2,pass,msg:'a, \\"b\\" c',logdata:'x,y',tag:'t 1'"`);
    const x = rule(r.ruleset, 1);
    assert.equal(x.metadata.msg!.raw, 'a, \\"b\\" c');
    assert.equal(x.metadata.logdata!.raw, "x,y");
    assert.deepEqual(x.metadata.tags.map((t) => t.raw), ["t 1"]);
    // An unescaped double quote inside single quotes does not end the action list (v3).
    const r2 = parseOk(`SecRule ARGS "@rx a" "id:2,phase:2,pass,msg:'say "hi", ok'"`);
    assert.equal(rule(r2.ruleset, 2).metadata.msg!.raw, 'say "hi", ok');
  });

  test("escaped single quote inside a single-quoted value", () => {
    const r = parseOk(`SecAction "id:1,phase:1,pass,msg:'it\\'s'"`);
    assert.equal(rule(r.ruleset, 1).metadata.msg!.raw, "it\\'s");
  });

  test("bare arguments: unquoted operator and action list", () => {
    const r = parseOk("SecRule REQUEST_METHOD @detectSQLi id:1,phase:1,pass\nSecRule ARGS ^foo$ id:2,phase:2,deny");
    assert.equal(rule(r.ruleset, 1).operator.name, "detectSQLi");
    assert.deepEqual(
      [rule(r.ruleset, 2).operator.name, rule(r.ruleset, 2).operator.implicit, rule(r.ruleset, 2).operator.argument],
      ["rx", true, "^foo$"],
    );
  });

  test("comments: full line, trailing after a complete directive, and a commented-out multi-line SecRule", () => {
    const text = [
      "# SecRule ARGS \"@rx a\" \\",
      '#    "id:1,phase:2,deny"',
      "#SecRule ARGS \"@rx b\" \\",
      '    "id:2,\\', // v3: continuation of the commented-out rule, still a comment
      '    phase:2,deny"',
      "SecRuleEngine On # trailing comment",
      'SecAction "id:3,phase:1,pass" # trailing comment',
    ].join("\n");
    const r = parseOk(text);
    assert.deepEqual(rules(r.ruleset).map((x) => x.id), [3]);
    assert.equal(r.ruleset.settings.ruleEngine, "On");
  });

  test("directive, action, operator, transformation and variable names are case-insensitive", () => {
    const r = parseOk('secrule args|request_headers:X-A "@RX a" "ID:1,Phase:2,PASS,T:LowerCase,T:NormalisePath"\nSECRULEENGINE detectiononly');
    const x = rule(r.ruleset, 1);
    assert.deepEqual(x.variables.map((v) => v.name), ["ARGS", "REQUEST_HEADERS"]);
    assert.equal(x.operator.name, "rx");
    assert.deepEqual(x.transformations, ["lowercase", "normalizePath"]);
    assert.equal(r.ruleset.settings.ruleEngine, "DetectionOnly");
  });

  test("text after the closing quote is an error", () => {
    const r = parse('SecRule ARGS "@rx a""id:1,phase:2,pass"');
    assert.deepEqual(errorStrings(r), ['inline.conf:1: SecRule: expected white space or the end of the line after the closing quote, got: "id:1,phase:2,pass"']);
  });

  test("wrong number of arguments", () => {
    const r = parse('SecRule ARGS "@rx a" "id:1,phase:2,pass" extra\nSecMarker');
    assert.deepEqual(errorStrings(r), [
      'inline.conf:1: SecRule: expects 2 to 3 arguments, got 4: ARGS "@rx a" "id:1,phase:2,pass" extra',
      "inline.conf:2: SecMarker: expects 1 argument, got 0",
    ]);
  });

  test("a continuation inside a quoted operator is kept literally, with a warning", () => {
    const r = parseOk('SecRule ARGS "@rx a\\\n   b" "id:1,phase:2,pass"');
    assert.equal(rule(r.ruleset, 1).operator.argument, "a\\\n   b");
    assert.equal(r.warnings.length, 1);
    assert.equal(r.warnings[0]!.code, "divergence");
  });
});

describe("variables", () => {
  const vars = (spec: string) => rule(parseOk(`SecRule ${spec} "@rx a" "id:1,phase:2,pass"`).ruleset, 1).variables;

  test("selectors: key, regex, quoted regex with |, exclusion, count, XML xpath, TX regex", () => {
    assert.deepEqual(vars("ARGS:foo|ARGS:/^b[a-z]+$/|!ARGS:foo|&ARGS|XML:/*|TX:/^re/|REQUEST_HEADERS:User-Agent|ARGS:'/a|b/'"), [
      { name: "ARGS", selector: { kind: "key", value: "foo" }, count: false, exclude: false, raw: "ARGS:foo" },
      { name: "ARGS", selector: { kind: "regex", pattern: "^b[a-z]+$" }, count: false, exclude: false, raw: "ARGS:/^b[a-z]+$/" },
      { name: "ARGS", selector: { kind: "key", value: "foo" }, count: false, exclude: true, raw: "!ARGS:foo" },
      { name: "ARGS", selector: null, count: true, exclude: false, raw: "&ARGS" },
      { name: "XML", selector: { kind: "xpath", expr: "/*" }, count: false, exclude: false, raw: "XML:/*" },
      { name: "TX", selector: { kind: "regex", pattern: "^re" }, count: false, exclude: false, raw: "TX:/^re/" },
      { name: "REQUEST_HEADERS", selector: { kind: "key", value: "User-Agent" }, count: false, exclude: false, raw: "REQUEST_HEADERS:User-Agent" },
      { name: "ARGS", selector: { kind: "regex", pattern: "a|b" }, count: false, exclude: false, raw: "ARGS:'/a|b/'" },
    ]);
  });

  test("regex selector with an escaped slash and commas; comma as separator (v3)", () => {
    assert.deepEqual(
      vars("ARGS:/a\\/b{1,2}/,REQUEST_URI").map((v) => [v.name, v.selector]),
      [
        ["ARGS", { kind: "regex", pattern: "a\\/b{1,2}" }],
        ["REQUEST_URI", null],
      ],
    );
  });

  test("quoted variable list", () => {
    assert.deepEqual(vars('"ARGS|ARGS_NAMES"').map((v) => v.name), ["ARGS", "ARGS_NAMES"]);
  });

  test("errors: selector on a scalar, empty selector, trailing pipe, unterminated regex", () => {
    const r = parse(
      [
        'SecRule REQUEST_URI:foo "@rx a" "id:1,phase:2,pass"',
        'SecRule ARGS: "@rx a" "id:2,phase:2,pass"',
        'SecRule ARGS| "@rx a" "id:3,phase:2,pass"',
        'SecRule ARGS:/abc "@rx a" "id:4,phase:2,pass"',
      ].join("\n"),
    );
    assert.deepEqual(errorStrings(r), [
      'inline.conf:1: SecRule: REQUEST_URI is not a collection; it takes no :selector (got "REQUEST_URI:foo")',
      "inline.conf:2: SecRule: empty selector after ARGS: in the variable list",
      'inline.conf:3: SecRule: the variable list ends with a separator: "ARGS|"',
      'inline.conf:4: SecRule: unterminated regex selector "ARGS:/abc": expected a closing / before | or the end',
    ]);
  });
});

describe("operators", () => {
  const op = (spec: string) => rule(parseOk(`SecRule ARGS "${spec}" "id:1,phase:2,pass"`).ruleset, 1).operator;

  test("implicit @rx, negation, exactly one space consumed after the operator", () => {
    assert.deepEqual([op("^a").name, op("^a").implicit, op("^a").argument], ["rx", true, "^a"]);
    assert.deepEqual([op("!^a").negated, op("!^a").argument], [true, "^a"]);
    assert.deepEqual([op("!@streq x").name, op("!@streq x").negated, op("!@streq x").argument], ["streq", true, "x"]);
    assert.equal(op("@rx  a").argument, " a");
    assert.equal(op("@pmf data/words.data").name, "pmFromFile");
  });

  test("macros in operator arguments", () => {
    const o = op("@ge %{tx.paranoia_level}");
    assert.equal(o.name, "ge");
    assert.deepEqual(o.macro, { raw: "%{tx.paranoia_level}", parts: [{ kind: "ref", collection: "TX", key: "paranoia_level", raw: "%{tx.paranoia_level}" }], dynamic: true });
    const esc = op("@rx a\\%{b}");
    assert.equal(esc.macro.dynamic, false);
  });

  test("@pmFromFile / @ipMatchFromFile record resolved path, content and entries", () => {
    const r = parseOk('SecRule ARGS "@pmFromFile data/words.data" "id:1,phase:2,pass"\nSecRule REMOTE_ADDR "@ipMatchFromFile data/ips.data" "id:2,phase:1,pass"');
    const d1 = rule(r.ruleset, 1).operator.dataFiles![0]!;
    assert.match(d1.resolvedPath, /fixtures\/data\/words\.data$/);
    assert.deepEqual(d1.entries, ["nikto", "sqlmap", "w3af"]);
    assert.ok(d1.content.startsWith("# scanner names\n"));
    assert.deepEqual(rule(r.ruleset, 2).operator.dataFiles![0]!.entries, ["10.0.0.0/8", "192.168.1.1"]);
  });

  test("operator argument errors", () => {
    const r = parse(
      [
        'SecRule ARGS "@rx" "id:1,phase:2,pass"',
        'SecRule ARGS "@validateByteRange 1-300" "id:2,phase:2,pass"',
        'SecRule ARGS "@ipMatch 1.2.3.4,bogus" "id:3,phase:2,pass"',
        'SecRule ARGS "@inspectFile /bin/x" "id:4,phase:2,pass"',
        'SecRule ARGS "@rx %{NOPE.x}" "id:5,phase:2,pass"',
        'SecRule ARGS "" "id:6,phase:2,pass"',
      ].join("\n"),
    );
    assert.deepEqual(errorStrings(r), [
      "inline.conf:1: SecRule: operator @rx expects an argument",
      'inline.conf:2: SecRule: operator @validateByteRange expects ranges like "1-255,9" with values 0-255, got "1-300"',
      'inline.conf:3: SecRule: operator @ipMatch expects comma-separated addresses or CIDR blocks, got "bogus"',
      "inline.conf:4: SecRule: operator @inspectFile is not supported: runs an external program",
      "inline.conf:5: SecRule: operator @rx: unknown variable in macro %{NOPE.x}",
      'inline.conf:6: SecRule: expected an operator (e.g. "@rx pattern"), got an empty string',
    ]);
  });
});

describe("actions", () => {
  test("setvar forms: =, =+, =-, ! unset, no value, macro key and value", () => {
    const r = parseOk(
      `SecAction "id:1,phase:1,pass,setvar:tx.a=1,setvar:'tx.b=+%{tx.c}',setvar:tx.d=-2,setvar:!tx.e,setvar:ip.f,setvar:'tx.%{rule.id}-x=%{matched_var}',setvar:TX:g=h i"`,
    );
    const sv = rule(r.ruleset, 1).actions.map((a) => a.setvar!);
    assert.deepEqual(
      sv.map((s) => [s.collection, s.key.raw, s.op, s.value.raw]),
      [
        ["TX", "a", "set", "1"],
        ["TX", "b", "add", "%{tx.c}"],
        ["TX", "d", "sub", "2"],
        ["TX", "e", "unset", ""],
        ["IP", "f", "set", "1"],
        ["TX", "%{rule.id}-x", "set", "%{matched_var}"],
        ["TX", "g", "set", "h i"],
      ],
    );
    assert.deepEqual(sv[5]!.key.parts, [
      { kind: "ref", collection: "RULE", key: "id", raw: "%{rule.id}" },
      { kind: "text", text: "-x" },
    ]);
  });

  test("ctl: forms", () => {
    const r = parseOk(
      "SecAction \"id:1,phase:1,pass,ctl:ruleRemoveTargetById=942100;ARGS:foo,ctl:ruleRemoveById=920100-920199,ctl:ruleEngine=off,ctl:ruleRemoveTargetByTag=attack-sqli;ARGS:/^json\\./|REQUEST_COOKIES,ctl:requestBodyProcessor=json,ctl:auditLogParts=+E\"",
    );
    const c = rule(r.ruleset, 1).actions.map((a) => a.ctl!);
    assert.deepEqual(c[0], {
      option: "ruleRemoveTargetById",
      value: "942100;ARGS:foo",
      ids: [{ from: 942100, to: 942100 }],
      targets: [{ name: "ARGS", selector: { kind: "key", value: "foo" }, count: false, exclude: false, raw: "ARGS:foo" }],
    });
    assert.deepEqual(c[1]!.ids, [{ from: 920100, to: 920199 }]);
    assert.equal(c[2]!.value, "Off");
    assert.equal(c[3]!.match, "attack-sqli");
    assert.deepEqual(c[3]!.targets!.map((t) => t.raw), ["ARGS:/^json\\./", "REQUEST_COOKIES"]);
    assert.equal(c[4]!.value, "JSON");
    assert.equal(c[5]!.value, "+E");
  });

  test("metadata: phase names, severity names, quoted id, ver/rev/maturity/accuracy", () => {
    const r = parseOk(
      "SecAction \"id:'10',phase:request,pass,severity:'CRITICAL',ver:'v1',rev:'2',maturity:9,accuracy:'8'\"\nSecAction \"id:11,phase:response,pass,severity:5\"\nSecAction \"id:12,phase:LOGGING,pass\"",
    );
    const x = rule(r.ruleset, 10);
    assert.deepEqual([x.phase, x.metadata.severity, x.metadata.ver, x.metadata.rev, x.metadata.maturity, x.metadata.accuracy], [2, 2, "v1", "2", 9, 8]);
    assert.deepEqual([rule(r.ruleset, 11).phase, rule(r.ruleset, 11).metadata.severity], [4, 5]);
    assert.equal(rule(r.ruleset, 12).phase, 5);
  });

  test("flow and data actions: skip, skipAfter, capture, multiMatch, status, redirect, allow", () => {
    const r = parseOk(
      [
        'SecRule ARGS "@rx a" "id:1,phase:2,capture,multiMatch,skip:2,pass"',
        'SecRule ARGS "@rx a" "id:2,phase:2,redirect:\'http://%{request_headers.host}/x\',status:302"',
        'SecRule ARGS "@rx a" "id:3,phase:2,allow:REQUEST"',
        'SecRule ARGS "@rx a" "id:4,phase:2,pass,skipAfter:END"',
        "SecMarker END",
      ].join("\n"),
    );
    const [a, b, c, d] = rules(r.ruleset);
    assert.deepEqual([a!.capture, a!.multiMatch, a!.skip], [true, true, 2]);
    assert.equal(b!.disruptive.action, "redirect");
    assert.equal(b!.disruptive.argument!.parts[1]!.kind, "ref");
    assert.equal(b!.status, 302);
    assert.deepEqual([c!.disruptive.action, c!.disruptive.argument!.raw], ["allow", "request"]);
    assert.deepEqual(d!.skipAfter, { target: "END", kind: "marker", loc: { file: r.ruleset.files[0], line: 5 } });
  });

  test("action errors", () => {
    const r = parse(
      [
        'SecRule ARGS "@rx a" "id:1,phase:2,deny:now"',
        'SecRule ARGS "@rx a" "id:2,phase:2,pass,msg"',
        'SecRule ARGS "@rx a" "id:3,phase:2,pass,exec:/bin/sh"',
        'SecRule ARGS "@rx a" "id:4,phase:2,pass,setvar:args.x=1"',
        'SecRule ARGS "@rx a" "id:5,phase:2,pass,ctl:fooBar=1"',
        'SecRule ARGS "@rx a" "id:6,phase:2,pass,msg:\'%{tx.a\'"',
        'SecRule ARGS "@rx a" "id:7,phase:2 pass"',
        'SecRule ARGS "@rx a" "id:x7,phase:2,pass"',
      ].join("\n"),
    );
    assert.deepEqual(errorStrings(r), [
      "inline.conf:1: SecRule: action deny takes no argument (got deny:now)",
      "inline.conf:2: SecRule: action msg expects an argument (msg:...)",
      "inline.conf:3: SecRule: action exec is not supported: runs an external script",
      "inline.conf:4: SecRule: setvar: collection args cannot be written (expected TX, IP, SESSION, USER, GLOBAL or RESOURCE)",
      "inline.conf:5: SecRule: unknown ctl option fooBar",
      'inline.conf:6: SecRule: action msg: unterminated macro "%{tx.a" (no closing })',
      'inline.conf:7: SecRule: bad argument for action phase: expected a phase 1-5, request, response or logging, got "2 pass"',
      'inline.conf:8: SecRule: bad argument for action id: expected a positive integer, got "x7"',
    ]);
  });

  test("no-effect actions are accepted with a warning", () => {
    const r = parseOk('SecRule ARGS "@rx a" "id:1,phase:2,pass,sanitiseArg:password"');
    assert.deepEqual(r.warnings.map((w) => [w.code, w.line, w.message]), [["no-effect", 1, "action sanitiseArg: no audit log bodies are written; it has no effect here"]]);
  });
});
