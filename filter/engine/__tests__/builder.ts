// A tiny in-memory rule program for the engine's unit tests: rules, conditions, targets, macros and actions
// written cell by cell in the layout of rulesets/tables/format.ts, without a table file (so the specs do not
// depend on the compiler or on the encoding of other sections). Operators that need table objects (@rx, @pm,
// @ipMatch) are covered by the node tests (tests/engine) on compiler output.
import {
  ArgKind, Disruptive, MacroPartKind, OperatorKind, REF_NONE, RuleFlags, RuleEngineMode, Setting, SettingValue,
  TargetSelector, TARGET_SELECTOR_SHIFT, CondFlags,
} from "../../../rulesets/tables/format";
import { Program } from "../../program/program";
import { RegexSet } from "../../program/regexes";
import { StringTable, Table, Section } from "../../tables/reader";
import { View } from "../../tables/view";
import { Ruleset } from "../ruleset";
import { Engine } from "../engine";

const NONE: u32 = <u32>REF_NONE;

export class ProgramBuilder {
  strings: Array<string> = new Array<string>();
  rules: Array<u32> = new Array<u32>();
  conds: Array<u32> = new Array<u32>();
  targets: Array<u32> = new Array<u32>();
  actions: Array<u32> = new Array<u32>();
  macros: Array<u32> = new Array<u32>();
  parts: Array<u32> = new Array<u32>();
  list: Array<u32> = new Array<u32>();
  settings: Array<u32> = new Array<u32>();
  markers: Array<u32> = new Array<u32>();
  phases: Array<i32> = new Array<i32>();
  /** actions of the condition being built (chain links) */
  private condActs: Array<u32> = new Array<u32>();

  constructor(mode: i32 = RuleEngineMode.ON) {
    this.settings.push(Setting.RULE_ENGINE);
    this.settings.push(SettingValue.NUMBER);
    this.settings.push(<u32>mode);
  }

  str(s: string): u32 {
    const i = this.strings.indexOf(s);
    if (i >= 0) return <u32>i;
    this.strings.push(s);
    return <u32>(this.strings.length - 1);
  }

  /** A macro from text with %{COLL.key} references (COLL given as a VariableId through `refs`). */
  macro(pieces: Array<string>, refVars: Array<i32>): u32 {
    // pieces[i] is literal text when refVars[i] < 0, else the key (or "" for none) of variable refVars[i]
    const start = this.parts.length / 3;
    for (let i = 0; i < pieces.length; i++) {
      if (refVars[i] < 0) {
        this.parts.push(MacroPartKind.TEXT);
        this.parts.push(this.str(pieces[i]));
        this.parts.push(0);
      } else {
        this.parts.push(MacroPartKind.REF);
        this.parts.push(<u32>refVars[i]);
        this.parts.push(pieces[i].length == 0 ? NONE : this.str(pieces[i]));
      }
    }
    this.macros.push(<u32>start);
    this.macros.push(<u32>pieces.length);
    return <u32>(this.macros.length / 2 - 1);
  }

  text(s: string): u32 {
    return this.macro([s], [-1]);
  }

  target(v: i32, key: string = "", flags: u32 = 0): u32 {
    const sel = key.length == 0 ? TargetSelector.NONE : TargetSelector.KEY;
    this.targets.push(<u32>v);
    this.targets.push(flags | (<u32>sel << TARGET_SELECTOR_SHIFT));
    this.targets.push(key.length == 0 ? 0 : this.str(key));
    this.targets.push(this.str("t"));
    return <u32>(this.targets.length / 4 - 1);
  }

  setvar(coll: i32, key: string, op: i32, value: u32): u32 {
    const a = this.actions;
    a.push(0); a.push(<u32>coll); a.push(<u32>op); a.push(this.text(key)); a.push(value); a.push(0); a.push(0); a.push(0);
    return <u32>(a.length / 8 - 1);
  }

  ctlRemoveById(from: u32, to: u32): u32 {
    const s = this.list.length;
    this.list.push(from);
    this.list.push(to);
    const a = this.actions;
    a.push(1); a.push(10); a.push(this.str("x")); a.push(0); a.push(<u32>s); a.push(1); a.push(0); a.push(0);
    return <u32>(a.length / 8 - 1);
  }

  ctlRuleEngine(mode: i32): u32 {
    const a = this.actions;
    a.push(1); a.push(9); a.push(this.str("x")); a.push(<u32>mode); a.push(0); a.push(0); a.push(0); a.push(0);
    return <u32>(a.length / 8 - 1);
  }

  /**
   * A condition: targets [tStart, tStart+tCount), operator with an argument. Call head() first for a rule, then
   * link() for each chain link.
   */
  private cond(rule: u32, flags: u32, op: i32, argKind: i32, arg: u32, tStart: u32, tCount: u32, aStart: u32, aCount: u32): void {
    const c = this.conds;
    c.push(rule); c.push(flags); c.push(<u32>op); c.push(<u32>argKind); c.push(arg); c.push(this.str("op"));
    c.push(tStart); c.push(tCount); c.push(0); c.push(aStart); c.push(aCount); c.push(1);
  }

  /**
   * A rule with its head condition; links are added with link() right after. Rules must be added in phase order.
   */
  rule(id: u32, phase: i32, op: i32, argKind: i32, arg: u32, tStart: u32, tCount: u32, disruptive: i32,
    aStart: u32, aCount: u32, msg: u32 = NONE, skip: u32 = 0, skipAfter: u32 = NONE, negated: bool = false): i32 {
    const r = this.rules.length / 24;
    const condStart = this.conds.length / 12;
    this.cond(<u32>r, negated ? CondFlags.NEGATED : 0, op, argKind, arg, tStart, tCount, 0, 0);
    const cells: StaticArray<u32> = [
      id, <u32>phase, RuleFlags.LOG | RuleFlags.AUDITLOG, <u32>condStart, 1, <u32>disruptive, NONE, 0, NONE, NONE, NONE,
      msg, NONE, 0, 0, aStart, aCount, skip, skipAfter, NONE, NONE, this.str("/t.conf"), 7, <u32>r,
    ];
    for (let i = 0; i < cells.length; i++) this.rules.push(cells[i]);
    this.phases.push(phase);
    return r;
  }

  /** A chain link of the last rule. */
  link(op: i32, argKind: i32, arg: u32, tStart: u32, tCount: u32, aStart: u32 = 0, aCount: u32 = 0): void {
    const r = this.rules.length / 24 - 1;
    this.cond(<u32>r, CondFlags.LINK, op, argKind, arg, tStart, tCount, aStart, aCount);
    this.rules[r * 24 + 4] += 1; // cond_count
    this.rules[r * 24 + 2] |= RuleFlags.CHAIN;
  }

  build(): Engine {
    const p = new Program();
    p.rules = u32s(this.rules);
    p.conds = u32s(this.conds);
    p.targets = u32s(this.targets);
    p.actions = u32s(this.actions);
    p.macros = u32s(this.macros);
    p.parts = u32s(this.parts);
    p.list = u32s(this.list);
    p.settings = u32s(this.settings);
    p.markers = u32s(this.markers);
    p.pipelineStarts = new Uint32Array(2);
    p.pipelineIds = new Uint32Array(0);
    const ps = new Uint32Array(6);
    for (let i = 0; i < this.phases.length; i++) for (let k = this.phases[i]; k <= 5; k++) ps[k]++;
    p.phaseStart = ps;
    p.strings = new StringTable(stringPool(this.strings));
    const table = new Table(new Array<Section>(), View.of(new ArrayBuffer(32)));
    const set = RegexSet.empty(table);
    return new Engine(new Ruleset(table, p, set));
  }
}

function u32s(a: Array<u32>): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i];
  return out;
}

function stringPool(ss: Array<string>): View {
  let bytes = 0;
  for (let i = 0; i < ss.length; i++) bytes += ss[i].length;
  const size = 8 + 4 * (ss.length + 1) + bytes;
  const b = new ArrayBuffer(size);
  const p = changetype<usize>(b);
  store<u32>(p, ss.length);
  store<u32>(p + 4, bytes);
  let off = 0;
  const base = p + 8 + 4 * (ss.length + 1);
  for (let i = 0; i < ss.length; i++) {
    store<u32>(p + 8 + 4 * i, off);
    for (let k = 0; k < ss[i].length; k++) store<u8>(base + off + k, <u8>ss[i].charCodeAt(k));
    off += ss[i].length;
  }
  store<u32>(p + 8 + 4 * ss.length, off);
  return View.of(b);
}

export { ArgKind, Disruptive, OperatorKind };
