// Every error kind, from a fixture, with the exact file:line message.
import assert from "node:assert/strict";
import * as path from "node:path";
import { test } from "node:test";
import { loadSecLang, loadSecLangOrThrow, SecLangError, SecLangErrors } from "../../../rulesets/seclang/index";
import { errorStrings, FIXTURES, rules } from "./helpers";

const E = path.join(FIXTURES, "errors");
const load = (name: string) => loadSecLang([path.join(E, name)]);

// errorStrings() strips the fixtures directory from the messages (absolute paths in the originals).
const CASES: Record<string, string[]> = {
  "duplicate-id.conf": ["errors/duplicate-id.conf:4: SecRule: duplicate rule id 1001: already used by the rule at duplicate-id.conf:2"],
  "missing-id.conf": [
    "errors/missing-id.conf:1: SecRule: missing id: every SecRule needs an id:N action (only chain links go without)",
    "errors/missing-id.conf:2: SecAction: missing id: every SecAction needs an id:N action (only chain links go without)",
  ],
  "chain-without-rule.conf": [
    "errors/chain-without-rule.conf:1: SecRule: chain without a following rule: rule 1100 ends with the chain action but is followed by SecMarker at chain-without-rule.conf:6; expected a SecRule",
    "errors/chain-without-rule.conf:7: SecRule: chain without a following rule: rule 1101 ends with the chain action but is followed by the end of chain-without-rule.conf; expected a SecRule",
  ],
  "chain-link-disruptive.conf": [
    "errors/chain-link-disruptive.conf:2: SecRule: disruptive action deny in a chain link: disruptive actions can only be specified by the chain starter rule (2100)",
    "errors/chain-link-disruptive.conf:2: SecRule: action id in a chain link: only the chain starter rule (2100) may carry id",
  ],
  "skipafter-unknown.conf": [
    "errors/skipafter-unknown.conf:1: SecRule: skipAfter:END-OF-PL2 in rule 1200 names an unknown marker (no SecMarker END-OF-PL2 in the configuration)",
  ],
  "unknown-variable.conf": ["errors/unknown-variable.conf:1: SecRule: unknown variable REQUEST_HEADER"],
  "unknown-operator.conf": ["errors/unknown-operator.conf:1: SecRule: unknown operator @regex"],
  "unknown-transformation.conf": ["errors/unknown-transformation.conf:1: SecRule: unknown transformation t:urlDecodeUnicode"],
  "unknown-action.conf": ["errors/unknown-action.conf:1: SecRule: unknown action explode"],
  "unknown-directive.conf": ["errors/unknown-directive.conf:2: SecRuleEngin: unknown directive SecRuleEngin"],
  "bad-phase.conf": [
    'errors/bad-phase.conf:1: SecRule: bad argument for action phase: expected a phase 1-5, request, response or logging, got "6"',
    'errors/bad-phase.conf:2: SecAction: bad argument for action phase: expected a phase 1-5, request, response or logging, got "requests"',
  ],
  "bad-argument.conf": [
    'errors/bad-argument.conf:1: SecRule: bad argument for action severity: expected a severity 0-7 or EMERGENCY, ALERT, CRITICAL, ERROR, WARNING, NOTICE, INFO, DEBUG, got "URGENT"',
    'errors/bad-argument.conf:2: SecRule: operator @eq expects an integer or a macro, got "abc"',
    'errors/bad-argument.conf:3: SecRule: bad argument for action status: expected an HTTP status code 100-999, got "40"',
    'errors/bad-argument.conf:4: SecRule: bad value for ctl:ruleEngine: expected On, Off, DetectionOnly, got "Maybe"',
    'errors/bad-argument.conf:5: SecRule: setvar: =+ expects a number or a macro, got "abc"',
    'errors/bad-argument.conf:6: SecRule: bad argument for action skip: expected a positive number of rules, got "0"',
    'errors/bad-argument.conf:7: SecRule: operator @detectSQLi takes no argument (got "x")',
    'errors/bad-argument.conf:8: SecRequestBodyAccess: expected On or Off, got "Maybe"',
  ],
  "unterminated-quote.conf": [
    "errors/unterminated-quote.conf:2: SecRule: unterminated double-quoted string (end of line before the closing quote)",
    "errors/unterminated-quote.conf:4: SecRule: unterminated double-quoted string (end of line before the closing quote) (quote opened on line 5)",
  ],
  "unterminated-single-quote.conf": [
    "errors/unterminated-single-quote.conf:1: SecRule: unterminated single-quoted action value msg:'it is unterminated\" (end of line before the closing ') (quote opened on line 2)",
  ],
  "data-file-not-found.conf": [
    `errors/data-file-not-found.conf:1: SecRule: data file not found for @pmFromFile: no-such-file.data (looked for errors/no-such-file.data)`,
    `errors/data-file-not-found.conf:2: SecRule: data file not found for @ipMatchFromFile: ../data/no-such-ips.txt (looked for data/no-such-ips.txt)`,
  ],
  "include-missing.conf": [
    `errors/include-missing.conf:1: Include: file not found: ../include/no-such-file.conf (looked for include/no-such-file.conf)`,
  ],
  "default-action.conf": [
    "errors/default-action.conf:1: SecDefaultAction: SecDefaultAction must specify a disruptive action (pass, deny, drop, redirect or allow; block is not one here)",
    "errors/default-action.conf:2: SecDefaultAction: action id is not suitable to be part of SecDefaultAction (it can only be given in a rule)",
    "errors/default-action.conf:3: SecDefaultAction: t:none is not suitable to be part of SecDefaultAction",
    "errors/default-action.conf:5: SecDefaultAction: SecDefaultAction can be given only once per phase: phase 1 was set at default-action.conf:4",
  ],
};

for (const [file, expected] of Object.entries(CASES)) {
  test(`error fixture ${file}`, () => {
    const r = load(file);
    assert.deepEqual(errorStrings(r), expected);
    for (const e of r.errors) {
      assert.ok(e instanceof SecLangError);
      assert.equal(e.file, path.join(E, file));
      assert.ok(e.line > 0 && e.directive !== "");
    }
  });
}

test("parsing goes on after an error: the other rules of the file are read", () => {
  const r = load("unterminated-quote.conf");
  assert.deepEqual(
    rules(r.ruleset).map((x) => x.id),
    [1900, 1902, 1904],
  );
  const r2 = load("unterminated-single-quote.conf");
  assert.deepEqual(
    rules(r2.ruleset).map((x) => x.id),
    [1951],
  );
});

test("loadSecLangOrThrow throws SecLangErrors carrying every error", () => {
  assert.throws(
    () => loadSecLangOrThrow([path.join(E, "missing-id.conf")]),
    (e: unknown) => {
      assert.ok(e instanceof SecLangErrors);
      assert.equal(e.errors.length, 2);
      assert.match(e.message, /^2 SecLang errors:\n {2}.*missing-id\.conf:1: SecRule: missing id/);
      assert.deepEqual(e.errors[0]!.toJSON(), {
        file: path.join(E, "missing-id.conf"),
        line: 1,
        directive: "SecRule",
        message: "missing id: every SecRule needs an id:N action (only chain links go without)",
      });
      return true;
    },
  );
});

test("a file that cannot be read is an error naming it", () => {
  const r = loadSecLang([path.join(E, "nope.conf")]);
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.message, `${path.join(E, "nope.conf")} cannot be read`);
});
