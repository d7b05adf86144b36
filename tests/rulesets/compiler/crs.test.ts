// Full CRS v4.28.0 and v3.3.4 (after rulesets/modsecdefault.conf and rulesets/crs-setup.conf) through the back end:
// zero unsupported constructs; the TS decoder reads back every rule and matches the IR rule by rule; the filter's
// AS loader accepts the table and its decoder agrees with the TS decoder on counts and digest. Table size and
// compile time are printed (benchmark figures: targets v4 < 5 s, < 4 MB; not asserted).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { ResolvedLink, ResolvedRule, VariableRef } from "../../../rulesets/ir/types";
import { decodeProgram, type DecodedCondition, type DecodedProgram } from "../../../rulesets/compiler/index";
import { OPERATOR_NAME, OPERATOR_ID } from "../../../rulesets/compiler/ids";
import { ArgKind } from "../../../rulesets/tables/format";
import { stoi } from "../../../rulesets/compiler/program";
import { AsProgram } from "./as-harness";
import { compileCrs, crsAvailable, macroText } from "./helpers";

let as: AsProgram;
before(async () => {
  as = await AsProgram.create();
});

function checkTargets(vs: VariableRef[], got: DecodedCondition["targets"], regexPattern: (i: number) => string, where: string): void {
  assert.equal(got.length, vs.length, `${where}: target count`);
  vs.forEach((v, i) => {
    const g = got[i]!;
    assert.equal(g.variable, v.name, `${where}: target ${i}`);
    assert.equal(g.count, v.count, `${where}: count`);
    assert.equal(g.exclude, v.exclude, `${where}: exclude`);
    assert.equal(g.raw, v.raw, `${where}: raw`);
    if (!v.selector) assert.equal(g.selector, null, where);
    else if (v.selector.kind === "regex") assert.deepEqual([g.selector?.kind, regexPattern((g.selector as { regex: number }).regex)], ["regex", `(?i)${v.selector.pattern}`], where);
    else assert.deepEqual(g.selector, { kind: v.selector.kind, value: v.selector.kind === "key" ? v.selector.value : v.selector.expr }, where);
  });
}

function checkCondition(c: ResolvedRule | ResolvedLink, g: DecodedCondition, link: boolean, regexPattern: (i: number) => string, where: string): void {
  const op = c.operator;
  assert.equal(g.operator, OPERATOR_NAME[OPERATOR_ID[op.name]!], `${where}: operator`);
  assert.equal(g.operator, op.name, `${where}: operator name`);
  assert.equal(g.negated, op.negated, `${where}: negation`);
  assert.equal(g.link, link, where);
  assert.equal(g.capture, c.capture, `${where}: capture`);
  assert.equal(g.multiMatch, c.multiMatch, `${where}: multiMatch`);
  assert.equal(g.argText, op.argument, `${where}: argument text`);
  assert.deepEqual(g.pipeline, c.transformations, `${where}: pipeline`);
  assert.equal(g.line, c.loc.line, `${where}: line`);
  checkTargets(c.variables, g.targets, regexPattern, where);
  switch (g.argKind) {
    case ArgKind.REGEX:
      assert.equal(regexPattern(g.arg), op.argument, `${where}: regex`);
      break;
    case ArgKind.MACRO:
      assert.ok(op.macro.dynamic, where);
      assert.equal(g.argValue, macroText(op.macro), `${where}: macro`);
      break;
    case ArgKind.STRING:
      assert.equal(g.argValue, op.argument, where);
      break;
    case ArgKind.NUMBER:
      assert.equal(g.argValue, stoi(op.argument), where);
      break;
  }
}

function actionText(a: ResolvedRule["actions"][number]): string {
  if (a.setvar) {
    const key = `${a.setvar.collection.toLowerCase()}.${macroText(a.setvar.key)}`;
    return a.setvar.op === "unset" ? `setvar:!${key}` : `setvar:${key}=${{ set: "", add: "+", sub: "-" }[a.setvar.op]}${macroText(a.setvar.value)}`;
  }
  if (a.ctl) return `ctl:${a.ctl.option}=${a.ctl.value}`;
  return a.name;
}

function checkAgainstIr(version: string, d: DecodedProgram, rules: ResolvedRule[], regexPattern: (i: number) => string): void {
  assert.equal(d.rules.length, rules.length, "rule count");
  const byId = new Map(d.rules.map((r) => [r.id, r]));
  rules.forEach((r, order) => {
    const g = byId.get(r.id);
    const where = `${version} rule ${r.id}`;
    assert.ok(g, `${where} missing`);
    assert.equal(g.order, order, `${where}: order`);
    assert.equal(g.phase, r.phase, `${where}: phase`);
    assert.equal(g.line, r.loc.line, `${where}: line`);
    assert.equal(g.file, r.loc.file, `${where}: file`);
    assert.equal(g.conditions.length, 1 + r.chain.length, `${where}: chain length`);
    checkCondition(r, g.conditions[0]!, false, regexPattern, where);
    r.chain.forEach((l, i) => {
      checkCondition(l, g.conditions[i + 1]!, true, regexPattern, `${where} link ${i + 1}`);
      const want = l.actions.map(actionText);
      const got = g.conditions[i + 1]!.actions.map((x, k) => (want[k]?.startsWith("setvar:") || want[k]?.startsWith("ctl:") ? x : x.replace(/:.*$/s, "")));
      assert.deepEqual(got, want, `${where} link ${i + 1}: actions`);
    });
    assert.equal(g.disruptive, r.disruptive.action, `${where}: disruptive`);
    assert.equal(g.status, r.status ?? 0, `${where}: status`);
    assert.equal(g.severity, r.metadata.severity, `${where}: severity`);
    assert.equal(g.msg, r.metadata.msg ? macroText(r.metadata.msg) : null, `${where}: msg`);
    assert.equal(g.logdata, r.metadata.logdata ? macroText(r.metadata.logdata) : null, `${where}: logdata`);
    assert.deepEqual(g.tags, r.metadata.tags.map(macroText), `${where}: tags`);
    assert.equal(g.skip, r.skip ?? 0, `${where}: skip`);
    assert.equal(g.skipAfter !== null, r.skipAfter !== null, `${where}: skipAfter`);
    // setvar/ctl compared in full; other actions by name
    const want = r.actions.map(actionText);
    const got = g.actions.map((x, i) => (want[i]?.startsWith("setvar:") || want[i]?.startsWith("ctl:") ? x : x.replace(/:.*$/s, "")));
    assert.deepEqual(got, want, `${where}: actions`);
  });
  // phase order: non-decreasing phases, configuration order inside a phase
  for (let i = 1; i < d.rules.length; i++) {
    const a = d.rules[i - 1]!, b = d.rules[i]!;
    assert.ok(a.phase < b.phase || (a.phase === b.phase && a.order < b.order), `order at position ${i}`);
  }
}

for (const version of ["v4.28.0", "v3.3.4"]) {
  describe(`CRS ${version}`, { skip: !crsAvailable(version) && "CRS not found (WAF_SHARED_DIR)" }, () => {
    it("compiles with zero unsupported constructs; figures", () => {
      const { res, loadMs } = compileCrs(version);
      const s = res.stats;
      console.log(
        `# CRS ${version}: front end ${(loadMs / 1000).toFixed(2)} s, back end ${(s.compileMs / 1000).toFixed(2)} s (regex ${(s.regexMs / 1000).toFixed(2)} s); ` +
          `table ${s.tableBytes} bytes (${(s.tableBytes / 1048576).toFixed(2)} MiB); rules ${s.rules}, conditions ${s.conditions}, chains/phase ${s.chainsPerPhase.join("/")}; ` +
          `regexes ${s.regexes.total}: dfa ${s.regexes.dfa} (${s.regexes.dfaStates} states), lazy ${s.regexes.lazy}, backtrack ${s.regexes.backtrack}; AC ${s.acObjects}, IP ${s.ipObjects}`,
      );
      console.log(`# CRS ${version} bytes by kind: ${JSON.stringify(s.sectionBytes)}`);
      assert.ok(s.rules > 600);
      assert.equal(s.regexes.total, s.regexes.dfa + s.regexes.lazy + s.regexes.backtrack);
      if (version === "v3.3.4") assert.ok(s.regexes.backtrack >= 1, "942130 needs the backtracking tier");
    });

    it("the TS decoder reads back every rule and matches the IR rule by rule", () => {
      const { ir, res } = compileCrs(version);
      const d = decodeProgram(res.table)!;
      const rules = ir.items.flatMap((i) => (i.kind === "rule" ? [i.rule] : []));
      checkAgainstIr(version, d, rules, (i) => res.regexes[i]!.pattern);
      assert.equal(d.markers.length, ir.items.filter((i) => i.kind === "marker").length);
    });

    it("the filter's AS loader accepts the table and its decoder agrees (counts, digest)", () => {
      const { res } = compileCrs(version);
      const d = decodeProgram(res.table)!;
      assert.equal(as.load(res.table), 0);
      const c = as.counts();
      assert.deepEqual(c, {
        rules: d.rules.length,
        conditions: d.arrays.conds.length / 12,
        targets: d.arrays.targets.length / 4,
        pipelines: d.arrays.pipelineStarts.length - 1,
        actions: d.arrays.actions.length / 8,
        macros: d.arrays.macros.length / 2,
        markers: d.markers.length,
        regexes: d.arrays.regexes.length / 4,
        phaseStart: [...d.arrays.phaseStart],
      });
      assert.equal(as.digest(), d.digest, "digest over the decoded program");
      for (const i of [0, 7, d.rules.length - 1]) assert.equal(as.ruleId(i), d.rules[i]!.id);
    });
  });
}
