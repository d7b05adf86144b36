// Configuration-time semantics: SecDefaultAction inheritance, chains, markers and skipAfter,
// removal and update directives, Include, settings.
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, test } from "node:test";
import { loadSecLang } from "../../../rulesets/seclang/index";
import { errorStrings, FIXTURES, parse, parseOk, rule, rules } from "./helpers";

describe("SecDefaultAction inheritance (ModSecurity v3)", () => {
  const text = [
    'SecDefaultAction "phase:2,nolog,noauditlog,deny,status:403,t:lowercase,t:urlDecode,setvar:tx.hit=+1"',
    'SecDefaultAction "phase:1,log,auditlog,pass"',
    'SecRule ARGS "@rx a" "id:1,phase:2,block,t:trim"', // block → default's deny; defaults' t: first
    'SecRule ARGS "@rx a" "id:2,phase:2,pass,t:trim,t:none,t:removeNulls,log"', // t:none resets, own log wins
    'SecRule ARGS "@rx a" "id:3,phase:2,status:418"', // no disruptive → nothing disruptive (v3)
    'SecRule ARGS "@rx a" "id:4,phase:1,block,t:none"', // phase 1 default: pass
    'SecRule ARGS "@rx a" "id:5,phase:3,block,nolog"', // no default for phase 3
    'SecRule ARGS "@rx a" "id:6,phase:2,deny,chain,t:trim"',
    '    SecRule ARGS_NAMES "@rx b" "t:length,chain"', // links get the defaults' t: too
    '    SecRule ARGS_NAMES "@rx b" "t:none"',
  ].join("\n");
  const r = parseOk(text);

  test("transformations: defaults prepended unless the rule has t:none", () => {
    assert.deepEqual(rule(r.ruleset, 1).transformations, ["lowercase", "urlDecode", "trim"]);
    assert.deepEqual(rule(r.ruleset, 1).ownTransformations, ["trim"]);
    assert.deepEqual(rule(r.ruleset, 2).transformations, ["removeNulls"]);
    assert.deepEqual(rule(r.ruleset, 4).transformations, []);
    assert.deepEqual(rule(r.ruleset, 5).transformations, []);
    const x = rule(r.ruleset, 6);
    assert.deepEqual(x.transformations, ["lowercase", "urlDecode", "trim"]);
    assert.deepEqual(x.chain.map((l) => l.transformations), [["lowercase", "urlDecode", "length"], []]);
  });

  test("disruptive: rule's own, block → default of the phase, none → no disruption", () => {
    assert.deepEqual(rule(r.ruleset, 1).disruptive, { action: "deny", argument: null, source: "block" });
    assert.deepEqual(rule(r.ruleset, 2).disruptive, { action: "pass", argument: null, source: "rule" });
    assert.deepEqual(rule(r.ruleset, 3).disruptive, { action: "pass", argument: null, source: "none" });
    assert.deepEqual(rule(r.ruleset, 4).disruptive, { action: "pass", argument: null, source: "block" });
    assert.deepEqual(rule(r.ruleset, 5).disruptive, { action: "pass", argument: null, source: "block" });
    assert.deepEqual(rule(r.ruleset, 6).disruptive, { action: "deny", argument: null, source: "rule" });
  });

  test("log, auditlog, status: defaults then the rule's own", () => {
    const f = (id: number) => {
      const x = rule(r.ruleset, id);
      return [x.log, x.auditLog, x.status];
    };
    assert.deepEqual(f(1), [false, false, 403]);
    assert.deepEqual(f(2), [true, false, 403]);
    assert.deepEqual(f(3), [false, false, 418]);
    assert.deepEqual(f(4), [true, true, null]);
    assert.deepEqual(f(5), [false, true, null]);
  });

  test("other default actions are inherited, listed first and marked", () => {
    const acts = rule(r.ruleset, 1).actions;
    assert.deepEqual(acts.map((a) => [a.name, a.inherited ?? false]), [["setvar", true]]);
    assert.equal(rule(r.ruleset, 4).actions.length, 0);
  });

  test("recorded per phase", () => {
    assert.deepEqual(Object.keys(r.ruleset.defaultActions), ["1", "2"]);
    assert.equal(r.ruleset.defaultActions[2]!.loc.line, 1);
    assert.deepEqual(r.ruleset.defaultActions[2]!.actions.map((a) => a.name), ["nolog", "noauditlog", "deny", "status", "t", "t", "setvar"]);
  });

  test("a SecDefaultAction after rules of its phase applies to them too, with a warning", () => {
    const r2 = parseOk('SecRule ARGS "@rx a" "id:1,phase:2,block"\nSecDefaultAction "phase:2,log,deny"');
    assert.deepEqual(rule(r2.ruleset, 1).disruptive, { action: "deny", argument: null, source: "block" });
    assert.deepEqual(r2.warnings.map((w) => [w.code, w.line]), [["divergence", 2]]);
  });

  test("no phase: phase 1 (v3), with a warning", () => {
    const r2 = parseOk('SecRule ARGS "@rx a" "id:1,pass"\nSecDefaultAction "log,deny"');
    assert.equal(rule(r2.ruleset, 1).phase, 1);
    assert.ok(r2.ruleset.defaultActions[1]);
    assert.deepEqual(r2.warnings.map((w) => [w.code, w.line]), [
      ["divergence", 1],
      ["divergence", 2],
      ["divergence", 2],
    ]);
  });
});

describe("chains", () => {
  test("head carries id, phase, disruptive and metadata; links keep their own actions", () => {
    const r = parseOk(
      [
        "SecRule REQUEST_METHOD \"@streq POST\" \"id:1,phase:2,deny,msg:'m',chain\"",
        "  SecRule &ARGS \"@gt 2\" \"chain,capture,setvar:tx.a=1\"",
        '  SecRule ARGS:x "!@rx ^\\d+$" "t:none,t:urlDecode,multiMatch,ctl:auditEngine=Off"',
        'SecRule ARGS "@rx z" "id:2,phase:2,pass"',
      ].join("\n"),
    );
    const x = rule(r.ruleset, 1);
    assert.equal(x.chain.length, 2);
    assert.deepEqual(x.chain.map((l) => l.loc.line), [2, 3]);
    assert.deepEqual(x.chain[0]!.variables[0], { name: "ARGS", selector: null, count: true, exclude: false, raw: "&ARGS" });
    assert.equal(x.chain[0]!.capture, true);
    assert.deepEqual(x.chain[0]!.actions.map((a) => a.name), ["setvar"]);
    assert.equal(x.chain[1]!.operator.negated, true);
    assert.equal(x.chain[1]!.operator.argument, "^\\d+$");
    assert.equal(x.chain[1]!.multiMatch, true);
    assert.deepEqual(x.chain[1]!.transformations, ["urlDecode"]);
    assert.deepEqual(x.chain[1]!.actions.map((a) => a.ctl?.option), ["auditEngine"]);
    assert.equal(x.chain[0]!.raw, 'SecRule &ARGS "@gt 2" "chain,capture,setvar:tx.a=1"');
    assert.deepEqual(rules(r.ruleset).map((y) => y.id), [1, 2]);
  });

  test("metadata in a link is accepted with a warning; SecAction cannot start a chain", () => {
    const r = parse('SecRule ARGS "@rx a" "id:1,phase:2,deny,chain"\n SecRule ARGS "@rx b" "msg:\'x\'"\nSecAction "id:2,phase:1,pass,chain"\nSecRule ARGS "@rx a" "id:3,phase:2,pass"');
    assert.deepEqual(r.warnings.map((w) => [w.code, w.line]), [["suspicious", 2]]);
    assert.deepEqual(errorStrings(r), ["inline.conf:3: SecAction: SecAction cannot start a chain (chain needs a following SecRule that refines a match)"]);
    assert.deepEqual(rules(r.ruleset).map((x) => x.id), [1, 3]);
  });
});

describe("markers and skipAfter", () => {
  test("markers keep their order among rules; skipAfter resolves to the next marker of that name", () => {
    const r = parseOk(
      [
        'SecRule TX:pl "@lt 2" "id:1,phase:1,pass,nolog,skipAfter:END-PL2"',
        'SecRule ARGS "@rx a" "id:2,phase:2,pass"',
        'SecMarker "END-PL2"',
        'SecRule ARGS "@rx b" "id:3,phase:2,pass"',
        "SecMarker END-PL2",
      ].join("\n"),
    );
    assert.deepEqual(
      r.ruleset.items.map((i) => (i.kind === "rule" ? i.rule.id : i.marker.name)),
      [1, 2, "END-PL2", 3, "END-PL2"],
    );
    assert.deepEqual(rule(r.ruleset, 1).skipAfter!.loc.line, 3);
  });

  test("skipAfter to a marker that only appears before: accepted with a warning", () => {
    const r = parseOk('SecMarker M\nSecRule ARGS "@rx a" "id:1,phase:2,pass,skipAfter:M"');
    assert.deepEqual(r.warnings.map((w) => [w.code, w.line]), [["suspicious", 2]]);
  });
});

describe("removal and update directives (configuration order)", () => {
  const base = [
    "SecRule ARGS \"@rx a\" \"id:100,phase:2,pass,tag:'attack-sqli',msg:'SQLi one'\"",
    "SecRule ARGS \"@rx b\" \"id:101,phase:2,pass,tag:'attack-xss',msg:'XSS one'\"",
    "SecRule ARGS \"@rx c\" \"id:102,phase:2,pass,tag:'attack-sqli',msg:'SQLi two'\"",
    "SecRule ARGS|REQUEST_URI \"@rx d\" \"id:200,phase:2,block,t:none,t:lowercase,tag:'x',msg:'m'\"",
  ];

  test("SecRuleRemoveById with ids and ranges removes rules defined before it", () => {
    const r = parseOk([...base, "SecRuleRemoveById 100 101-102", 'SecRule ARGS "@rx e" "id:101,phase:2,pass"'].join("\n"));
    assert.deepEqual(rules(r.ruleset).map((x) => x.id), [200, 101]);
    assert.deepEqual(
      r.ruleset.removed.map((x) => [x.id, x.loc.line, x.by.directive, x.by.loc.line]),
      [
        [100, 1, "SecRuleRemoveById", 5],
        [101, 2, "SecRuleRemoveById", 5],
        [102, 3, "SecRuleRemoveById", 5],
      ],
    );
    // The later rule 101 is not removed (v2 order semantics); a warning says v3 would.
    assert.deepEqual(r.warnings.map((w) => [w.code, w.line]), [["divergence", 6]]);
  });

  test("a removal before the rule removes nothing (warning), and the rule stays", () => {
    const r = parseOk(["SecRuleRemoveById 100", ...base].join("\n"));
    assert.equal(rules(r.ruleset).length, 4);
    assert.deepEqual(r.warnings.map((w) => [w.code, w.line]), [
      ["suspicious", 1],
      ["divergence", 2],
    ]);
  });

  test("SecRuleRemoveByTag and SecRuleRemoveByMsg compare exactly", () => {
    const r = parseOk([...base, "SecRuleRemoveByTag attack-sqli", 'SecRuleRemoveByMsg "XSS one"'].join("\n"));
    assert.deepEqual(rules(r.ruleset).map((x) => x.id), [200]);
    assert.deepEqual(r.ruleset.removed.map((x) => [x.id, x.by.directive]), [
      [100, "SecRuleRemoveByTag"],
      [102, "SecRuleRemoveByTag"],
      [101, "SecRuleRemoveByMsg"],
    ]);
    const r2 = parseOk([...base, "SecRuleRemoveByTag attack-.*"].join("\n"));
    assert.equal(rules(r2.ruleset).length, 4);
    assert.deepEqual(r2.warnings.map((w) => w.code), ["divergence", "suspicious"]);
  });

  test("SecRuleUpdateTargetById/ByTag/ByMsg: add targets, exclusions, replace a target", () => {
    const r = parseOk(
      [
        ...base,
        'SecRuleUpdateTargetById 200 "!ARGS:password|REQUEST_HEADERS:X-Foo"',
        'SecRuleUpdateTargetById 200 "REQUEST_FILENAME" "REQUEST_URI"',
        'SecRuleUpdateTargetByTag attack-sqli "!ARGS:/^json\\./"',
        'SecRuleUpdateTargetByMsg "XSS one" "!REQUEST_COOKIES:sid"',
      ].join("\n"),
    );
    assert.deepEqual(rule(r.ruleset, 200).variables.map((v) => v.raw), ["ARGS", "REQUEST_FILENAME", "!ARGS:password", "REQUEST_HEADERS:X-Foo"]);
    assert.deepEqual(rule(r.ruleset, 200).updates.map((u) => [u.directive, u.loc.line]), [
      ["SecRuleUpdateTargetById", 5],
      ["SecRuleUpdateTargetById", 6],
    ]);
    assert.deepEqual(rule(r.ruleset, 100).variables.map((v) => v.raw), ["ARGS", "!ARGS:/^json\\./"]);
    assert.deepEqual(rule(r.ruleset, 102).variables.map((v) => v.raw), ["ARGS", "!ARGS:/^json\\./"]);
    assert.deepEqual(rule(r.ruleset, 101).variables.map((v) => v.raw), ["ARGS", "!REQUEST_COOKIES:sid"]);
  });

  test("SecRuleUpdateTargetById errors: unknown replaced target", () => {
    const r = parse([...base, 'SecRuleUpdateTargetById 200 "ARGS_NAMES" "REQUEST_BODY"'].join("\n"));
    assert.deepEqual(errorStrings(r), ["inline.conf:5: SecRuleUpdateTargetById: rule 200 has no target REQUEST_BODY to replace"]);
  });

  test("SecRuleUpdateActionById merges: disruptive replaced, t:none resets, repeatables appended", () => {
    const r = parseOk([...base, "SecRuleUpdateActionById 200 \"deny,status:403,t:none,t:urlDecode,tag:'y',msg:'new',nolog\""].join("\n"));
    const x = rule(r.ruleset, 200);
    assert.deepEqual(x.disruptive, { action: "deny", argument: null, source: "rule" });
    assert.equal(x.status, 403);
    assert.deepEqual(x.transformations, ["urlDecode"]);
    assert.deepEqual(x.metadata.tags.map((t) => t.raw), ["x", "y"]);
    assert.equal(x.metadata.msg!.raw, "new");
    assert.equal(x.log, false);
    const bad = parse([...base, 'SecRuleUpdateActionById 200 "id:5,phase:1"'].join("\n"));
    assert.deepEqual(errorStrings(bad), [
      "inline.conf:5: SecRuleUpdateActionById: action id cannot be changed by SecRuleUpdateActionById",
      "inline.conf:5: SecRuleUpdateActionById: action phase cannot be changed by SecRuleUpdateActionById",
    ]);
  });
});

describe("Include", () => {
  const main = path.join(FIXTURES, "include", "main.conf");

  test("globs relative to the including file, sorted in byte order; hidden and non-matching files left out", () => {
    const r = loadSecLang([main]);
    assert.deepEqual(r.errors.map(String), []);
    assert.deepEqual(rules(r.ruleset).map((x) => x.id), [3009, 3010, 3002, 3001, 3100, 3101]);
    assert.deepEqual(
      r.ruleset.files.map((f) => path.relative(FIXTURES, f)),
      ["include/main.conf", "include/conf.d/09-a.conf", "include/conf.d/10-b.conf", "include/conf.d/B.conf", "include/conf.d/a.conf", "include/sub/rules.conf"],
    );
    // A data file named relative to the included file.
    assert.deepEqual(rule(r.ruleset, 3100).operator.dataFiles![0]!.entries, ["nikto", "sqlmap", "w3af"]);
    assert.equal(rule(r.ruleset, 3100).loc.file, path.join(FIXTURES, "include", "sub", "rules.conf"));
    assert.equal(rule(r.ruleset, 3100).loc.line, 2);
    // A glob matching nothing: a warning (an absent literal path is an error; see errors.test.ts).
    assert.deepEqual(r.warnings.map((w) => [w.code, path.basename(w.file), w.line, w.directive]), [["suspicious", "main.conf", 5, "Include"]]);
    assert.equal(r.ruleset.settings.ruleEngine, "DetectionOnly");
  });

  test("include cycles are errors", () => {
    const r = loadSecLang([path.join(FIXTURES, "include", "cycle-a.conf")]);
    assert.deepEqual(errorStrings(r), [
      "include/cycle-b.conf:2: Include: include cycle: include/cycle-a.conf is already being read (cycle-a.conf → cycle-b.conf → cycle-a.conf)",
    ]);
  });

  test("--directive lines are appended after the files", () => {
    const r = loadSecLang([main], { directives: ["SecRuleEngine On", "SecRuleRemoveById 3001"] });
    assert.equal(r.ruleset.settings.ruleEngine, "On");
    assert.deepEqual(r.ruleset.settings.setAt["ruleEngine"], { file: "<directive 1>", line: 1 });
    assert.ok(!rules(r.ruleset).some((x) => x.id === 3001));
  });
});

describe("settings", () => {
  test("engine, body, limits, audit and misc directives", () => {
    const r = parse(
      [
        "SecRuleEngine DetectionOnly",
        "SecRequestBodyAccess On",
        "SecResponseBodyAccess off",
        "SecRequestBodyLimit 13107200",
        "SecRequestBodyNoFilesLimit 131072",
        "SecRequestBodyInMemoryLimit 131072",
        "SecRequestBodyLimitAction Reject",
        "SecResponseBodyLimit 524288",
        "SecResponseBodyLimitAction ProcessPartial",
        "SecResponseBodyMimeType text/plain text/html",
        "SecResponseBodyMimeType text/xml",
        "SecArgumentSeparator &",
        "SecArgumentsLimit 1000",
        "SecCookieFormat 0",
        'SecComponentSignature "OWASP_CRS/4.28.0"',
        "SecCollectionTimeout 600",
        "SecWebAppId shop",
        "SecStatusEngine Off",
        "SecPcreMatchLimit 1000",
        "SecPcreMatchLimitRecursion 1000",
        "SecAuditEngine RelevantOnly",
        "SecAuditLog /var/log/modsec_audit.log",
        "SecAuditLogParts ABIJDEFHZ",
        'SecAuditLogRelevantStatus "^(?:5|4(?!04))"',
        "SecAuditLogType Serial",
        "SecAuditLogFormat JSON",
        "SecAuditLogStorageDir /var/log/audit",
        "SecDebugLog /tmp/debug.log",
        "SecDebugLogLevel 3",
        "SecTmpDir /tmp",
        "SecDataDir /tmp",
        "SecUploadDir /tmp",
        "SecArgumentSeparator ;;",
        "SecRuleScript /x.lua",
      ].join("\n"),
    );
    const s = r.ruleset.settings;
    assert.deepEqual(
      {
        ruleEngine: s.ruleEngine,
        requestBodyAccess: s.requestBodyAccess,
        responseBodyAccess: s.responseBodyAccess,
        requestBodyLimit: s.requestBodyLimit,
        requestBodyNoFilesLimit: s.requestBodyNoFilesLimit,
        requestBodyInMemoryLimit: s.requestBodyInMemoryLimit,
        requestBodyLimitAction: s.requestBodyLimitAction,
        responseBodyLimit: s.responseBodyLimit,
        responseBodyLimitAction: s.responseBodyLimitAction,
        responseBodyMimeTypes: s.responseBodyMimeTypes,
        argumentSeparator: s.argumentSeparator,
        argumentsLimit: s.argumentsLimit,
        cookieFormat: s.cookieFormat,
        componentSignatures: s.componentSignatures,
        collectionTimeout: s.collectionTimeout,
        webAppId: s.webAppId,
        statusEngine: s.statusEngine,
        pcreMatchLimit: s.pcreMatchLimit,
        pcreMatchLimitRecursion: s.pcreMatchLimitRecursion,
        audit: s.audit,
      },
      {
        ruleEngine: "DetectionOnly",
        requestBodyAccess: true,
        responseBodyAccess: false,
        requestBodyLimit: 13107200,
        requestBodyNoFilesLimit: 131072,
        requestBodyInMemoryLimit: 131072,
        requestBodyLimitAction: "Reject",
        responseBodyLimit: 524288,
        responseBodyLimitAction: "ProcessPartial",
        responseBodyMimeTypes: ["text/plain", "text/html", "text/xml"],
        argumentSeparator: "&",
        argumentsLimit: 1000,
        cookieFormat: 0,
        componentSignatures: ["OWASP_CRS/4.28.0"],
        collectionTimeout: 600,
        webAppId: "shop",
        statusEngine: "Off",
        pcreMatchLimit: 1000,
        pcreMatchLimitRecursion: 1000,
        audit: {
          engine: "RelevantOnly",
          log: "/var/log/modsec_audit.log",
          parts: "ABIJDEFHZ",
          relevantStatus: "^(?:5|4(?!04))",
          type: "Serial",
          format: "JSON",
          storageDir: "/var/log/audit",
        },
      },
    );
    assert.deepEqual(s.setAt["requestBodyLimit"], { file: path.join(FIXTURES, "inline.conf"), line: 4 });
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.line, w.message]),
      [
        ["no-effect", 27, "SecAuditLogStorageDir: the filter writes no audit log files; it has no effect here"],
        ["no-effect", 28, "SecDebugLog: there is no debug log file in the filter; it has no effect here"],
        ["no-effect", 29, "SecDebugLogLevel: there is no debug log file in the filter; it has no effect here"],
        ["no-effect", 30, "SecTmpDir: the filter writes no temporary files; it has no effect here"],
        ["no-effect", 31, "SecDataDir: persistent collections are not stored on disk; it has no effect here"],
        ["no-effect", 32, "SecUploadDir: uploads are never written to disk; it has no effect here"],
      ],
    );
    assert.deepEqual(errorStrings(r), [
      'inline.conf:33: SecArgumentSeparator: expected a single character, got ";;"',
      "inline.conf:34: SecRuleScript: SecRuleScript is not supported: Lua rules cannot run in the filter",
    ]);
  });
});
