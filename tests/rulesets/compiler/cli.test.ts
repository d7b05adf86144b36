// `waf compile` through the bundled CLI (build/waf.mjs, rebuilt here with esbuild): a table is written and loads;
// --explain and --json work; a broken rule file gives its file:line error and a non-zero exit.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { repoRoot } from "./as-harness";
import { readTable } from "../../../rulesets/tables/reader";
import { decodeProgram } from "../../../rulesets/compiler/index";

const cli = join(repoRoot, "build/waf.mjs");
const dir = mkdtempSync(join(tmpdir(), "waf-compile-"));
const run = (...args: string[]) => spawnSync(process.execPath, [cli, "compile", ...args], { encoding: "utf8", cwd: dir });

before(() => {
  const r = spawnSync(process.execPath, [join(repoRoot, "scripts/bundle-cli.mjs")], { cwd: repoRoot, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

describe("waf compile", () => {
  const good = join(dir, "good.conf");
  writeFileSync(good, `SecRuleEngine On\nSecRule ARGS "@rx (?i)union\\s+select" "id:100,phase:2,deny,status:403,t:urlDecode,t:lowercase,msg:'sqli'"\nSecRule REQUEST_HEADERS:User-Agent "@pm nikto sqlmap" "id:101,phase:1,deny"\n`);

  it("writes a table that loads, and summarises it", () => {
    const out = join(dir, "ruleset.bin");
    const r = run(good, "-o", out, "--directive", 'SecAction "id:1,phase:1,pass,nolog"');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /wrote .*ruleset\.bin: \d+ bytes/);
    assert.match(r.stdout, /rules 3 \(per phase 1-5: 2 \/ 1 \/ 0 \/ 0 \/ 0\)/);
    assert.match(r.stdout, /regexes 1: dfa 1/);
    const d = decodeProgram(readTable(new Uint8Array(readFileSync(out))))!;
    assert.deepEqual(d.rules.map((x) => x.id), [101, 1, 100]);
  });

  it("--explain prints how a rule was compiled; --json is machine-readable", () => {
    const r = run(good, "--explain", "100");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /rule 100 .*good\.conf:2/);
    assert.match(r.stdout, /pipeline #\d+: t:urlDecode,t:lowercase/);
    assert.match(r.stdout, /object: regex, tier dfa, section \d+, regex #0, \d+ states/);
    assert.match(r.stdout, /prefilter factors: "(union|select)"/);
    const j = run(good, "--json", "--explain", "101");
    assert.equal(j.status, 0, j.stderr);
    const o = JSON.parse(j.stdout);
    assert.equal(o.rules, 2);
    assert.equal(o.explain[0].conditions[0].object.kind, "AHO_CORASICK");
    assert.equal(run(good, "--explain", "999").status, 1);
  });

  it("a broken rule file: file:line error, non-zero exit, no table", () => {
    const bad = join(dir, "bad.conf");
    writeFileSync(bad, `# comment\nSecRule ARGS "@rx ok" "id:1,phase:2,pass"\nSecRule ARGS "@rx a(b" "id:2,phase:2,pass"\n`);
    const out = join(dir, "bad.bin");
    const r = run(bad, "-o", out);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3: SecRule: operator @rx: cannot compile /a\\(b/`));
    assert.equal(existsSync(out), false);
    const fe = join(dir, "syntax.conf");
    writeFileSync(fe, `\n\nSecRule ARGS "@rx x" "id:5,phase:9"\n`);
    const r2 = run(fe);
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /syntax\.conf:3: SecRule: /);
  });
});
