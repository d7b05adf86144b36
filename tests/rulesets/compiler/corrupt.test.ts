// Corrupt rule-program and regex sections are refused by BOTH readers (TS rulesets/tables/reader.ts and the
// filter's AS loader), with BAD_PAYLOAD, never a trap: each case changes one cell of a compiled table and re-seals it
// (right checksum), so only the payload / cross-section checks can catch it.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { compileText } from "./helpers";
import { AsProgram } from "./as-harness";
import { readTable, tableLoadCode } from "../../../rulesets/tables/reader";
import { sealTable } from "../../../rulesets/tables/writer";
import {
  ACTIONS_HEADER_SIZE, CHAINS_HEADER_SIZE, COND_CELLS, Cond, LoadError, REGEX_DFA_HEADER_SIZE, REGEX_MAP_HEADER_SIZE,
  REGEX_NFA_HEADER_SIZE, RULES_HEADER_SIZE, RULE_CELLS, Rule, Rules, SectionKind, TARGETS_HEADER_SIZE, PIPELINES_HEADER_SIZE,
  SETTINGS_HEADER_SIZE, RegexDfa, RegexNfa, RegexOp,
} from "../../../rulesets/tables/format";

let as: AsProgram;
before(async () => {
  as = await AsProgram.create();
});

const { res } = compileText(`
SecRule ARGS|REQUEST_HEADERS:X "@rx (a+)b" "id:1,phase:2,deny,capture,t:lowercase,msg:'x %{TX.1}',setvar:tx.s=+1,chain"
  SecRule TX:1 "@pm foo bar" "setvar:tx.t=1"
SecRule ARGS "@rx ^[a-z]{2,4}\\d" "id:2,phase:2,pass,t:urlDecode,ctl:ruleRemoveTargetById=5;ARGS:q"
SecAction "id:3,phase:1,pass,nolog"
`);
const table = res.table;
const sections = readTable(table).sections;
const sectionOf = (kind: SectionKind, n = 0) => sections.filter((s) => s.kind === kind)[n]!;

function forge(kind: SectionKind, off: number, value: number, n = 0): Uint8Array {
  const t = table.slice();
  const s = sectionOf(kind, n);
  new DataView(t.buffer).setUint32(s.offset + off, value >>> 0, true);
  return sealTable(t);
}

function forgeByte(kind: SectionKind, off: number, value: number, n = 0): Uint8Array {
  const t = table.slice();
  t[sectionOf(kind, n).offset + off] = value;
  return sealTable(t);
}

function forgeDelta(kind: SectionKind, off: number, delta: number, n = 0): Uint8Array {
  const t = table.slice();
  const dv = new DataView(t.buffer);
  const at = sectionOf(kind, n).offset + off;
  dv.setUint32(at, dv.getUint32(at, true) + delta, true);
  return sealTable(t);
}

const mapSize = () => sectionOf(SectionKind.REGEX_PREFILTER_MAP).size;
const mapCell = (off: number) => {
  const p = sectionOf(SectionKind.REGEX_PREFILTER_MAP).payload;
  return new DataView(p.buffer, p.byteOffset).getUint32(off, true);
};
/** Offset of the first link of the regex map that names the folded @pm automaton. */
const firstLink = () => REGEX_MAP_HEADER_SIZE + 16 * mapCell(0) + 4 * (mapCell(4) + 1) + 4 * linkOfPm();
/** Index of the link that names the folded @pm automaton (candidate G + 0). */
function linkOfPm(): number {
  const G = mapCell(0), P = mapCell(4), L = mapCell(8);
  const at = REGEX_MAP_HEADER_SIZE + 16 * G + 4 * (P + 1);
  for (let l = 0; l < L; l++) if (mapCell(at + 4 * l) === G) return l;
  throw new Error("no link to the folded @pm automaton");
}

it("the @pm list is folded into the regex prefilter (one automaton, named in the map, linked from its phrases)", () => {
  const G = mapCell(0), P = mapCell(4), L = mapCell(8);
  const pmAt = REGEX_MAP_HEADER_SIZE + 16 * G + 4 * (P + 1) + 4 * L + 256 + 8 * G;
  assert.equal(mapCell(pmAt), 1);
  assert.equal(sections[mapCell(pmAt + 4)]!.kind, SectionKind.AHO_CORASICK);
  assert.equal(mapSize(), pmAt + 8);
  const at = REGEX_MAP_HEADER_SIZE + 16 * G + 4 * (P + 1);
  assert.equal([...Array(L).keys()].filter((l) => mapCell(at + 4 * l) === G).length, 2, "foo and bar");
});

it("only the lists of request-phase rules with phrases of 3 bytes or more are folded", () => {
  const t = compileText(`
SecRule ARGS "@pm alpha beta" "id:1,phase:2,pass"
SecRule RESPONSE_BODY "@pm gamma delta" "id:2,phase:4,pass"
SecRule ARGS "@pm ab gamma" "id:3,phase:1,pass"
SecRule REQUEST_HEADERS "@pm gamma delta" "id:4,phase:1,pass"
SecRule RESPONSE_BODY "@pm epsilon zeta" "id:5,phase:4,pass"
`).res.table;
  const secs = readTable(t).sections;
  const map = secs.find((x) => x.kind === SectionKind.REGEX_PREFILTER_MAP)!.payload;
  const cell = (off: number) => new DataView(map.buffer, map.byteOffset).getUint32(off, true);
  const G = cell(0), P = cell(4), L = cell(8);
  assert.equal(G, 0);
  const pmAt = REGEX_MAP_HEADER_SIZE + 16 * G + 4 * (P + 1) + 4 * L + 256 + 8 * G;
  // rule 1's list, and rule 2's because rule 4 (phase 1) uses it too; not rule 3's ("ab" is too short), nor rule
  // 5's (response phase only)
  assert.equal(cell(pmAt), 2);
  assert.equal(P, 4);
});

/** Offset of the first REGEX_DFA row record (format.ts). */
function dfaRows(n = 0): number {
  const s = sectionOf(SectionKind.REGEX_DFA, n);
  return RegexDfa.ACCEPT_AT_END + Math.ceil(new DataView(s.payload.buffer, s.payload.byteOffset).getUint32(0, true) / 4) * 4;
}

/** Sets the `out` operand of the first instruction that has one (of an NFA section) to its widest value (>= N). */
function forgeNfaTarget(kind: SectionKind, n = 0): Uint8Array {
  const s = sectionOf(kind, n);
  const v = new DataView(s.payload.buffer, s.payload.byteOffset, s.payload.byteLength);
  const W = v.getUint32(RegexNfa.INST_WIDTH, true);
  let at = REGEX_NFA_HEADER_SIZE;
  while (s.payload[at] === RegexOp.MATCH) at++; // MATCH has no operands
  const op = s.payload[at]!;
  at += 1 + (op === RegexOp.NOP || op === RegexOp.SPLIT ? 0 : W); // its out operand
  const t = table.slice();
  for (let i = 0; i < W; i++) t[s.offset + at + i] = 0xff;
  return sealTable(t);
}

function expectRefused(t: Uint8Array, what: string): void {
  assert.equal(tableLoadCode(t), LoadError.BAD_PAYLOAD, `TS reader: ${what}`);
  assert.equal(as.load(t), LoadError.BAD_PAYLOAD, `AS loader: ${what}`);
}

describe("corrupt rule-program sections", () => {
  it("the intact table loads in both readers", () => {
    assert.equal(tableLoadCode(table), LoadError.OK);
    assert.equal(as.load(table), 0);
  });
  const rule0 = (field: number) => RULES_HEADER_SIZE + 4 * field;
  const cond0 = (field: number) => CHAINS_HEADER_SIZE + 4 * field;
  const cases: [string, () => Uint8Array][] = [
    ["RULES: condition range not contiguous", () => forge(SectionKind.RULES, rule0(Rule.COND_START), 1)],
    ["RULES: phase does not match its range", () => forge(SectionKind.RULES, rule0(Rule.PHASE), 4)],
    ["RULES: skipAfter backwards", () => forge(SectionKind.RULES, rule0(Rule.SKIP_AFTER), 0)],
    ["RULES: unknown disruptive action", () => forge(SectionKind.RULES, rule0(Rule.DISRUPTIVE), 77)],
    ["RULES: msg macro out of range", () => forge(SectionKind.RULES, RULES_HEADER_SIZE + 4 * RULE_CELLS + 4 * Rule.MSG, 100000)],
    ["RULES: strings reference to a non-STRINGS section", () => forge(SectionKind.RULES, Rules.STRINGS_SECTION, sectionOf(SectionKind.CHAINS).index)],
    ["RULES: phase ranges do not span", () => forge(SectionKind.RULES, Rules.PHASE_START + 4 * 5, 99)],
    ["CHAINS: unknown operator", () => forge(SectionKind.CHAINS, cond0(Cond.OP), 200)],
    ["CHAINS: argument kind does not fit the operator", () => forge(SectionKind.CHAINS, cond0(Cond.ARG_KIND), 1)],
    ["CHAINS: pipeline out of range", () => forge(SectionKind.CHAINS, cond0(Cond.PIPELINE), 999)],
    ["CHAINS: targets out of range", () => forge(SectionKind.CHAINS, cond0(Cond.TARGET_COUNT), 999)],
    ["CHAINS: owner is another rule", () => forge(SectionKind.CHAINS, CHAINS_HEADER_SIZE + 4 * COND_CELLS + 4 * Cond.RULE, 2)],
    ["CHAINS: @pm argument points to a non-AC section", () => forge(SectionKind.CHAINS, CHAINS_HEADER_SIZE + 4 * COND_CELLS + 4 * Cond.ARG, sectionOf(SectionKind.STRINGS).index)],
    ["CHAINS: regex index out of range", () => forge(SectionKind.CHAINS, cond0(Cond.ARG), 999)],
    ["TARGETS: unknown variable", () => forge(SectionKind.TARGETS, TARGETS_HEADER_SIZE, 5000)],
    ["TARGETS: key string out of range", () => forge(SectionKind.TARGETS, TARGETS_HEADER_SIZE + 16 + 8, 0x00ffffff)],
    ["TRANSFORMATIONS: id 0 (none) in a pipeline", () => forge(SectionKind.TRANSFORMATIONS, PIPELINES_HEADER_SIZE + 4 * (3 + 1) - 4 * 0 + 0, 0)],
    ["ACTIONS: unknown action kind", () => forge(SectionKind.ACTIONS, ACTIONS_HEADER_SIZE, 99)],
    ["ACTIONS: setvar macro out of range", () => forge(SectionKind.ACTIONS, ACTIONS_HEADER_SIZE + 12, 100000)],
    ["ACTIONS: count does not match the size", () => forge(SectionKind.ACTIONS, 0, 1000)],
    ["METADATA: unknown setting", () => forge(SectionKind.METADATA, SETTINGS_HEADER_SIZE, 9999)],
    ["REGEX_DFA: class map entry out of range", () => forge(SectionKind.REGEX_DFA, REGEX_DFA_HEADER_SIZE, 0xffffffff)],
    ["REGEX_DFA: start state out of range", () => forge(SectionKind.REGEX_DFA, 8, 100000)],
    ["REGEX_CAPTURE: instruction target out of range", () => forgeNfaTarget(SectionKind.REGEX_CAPTURE)],
    ["REGEX_CAPTURE: unknown instruction op", () => forgeByte(SectionKind.REGEX_CAPTURE, REGEX_NFA_HEADER_SIZE, 200)],
    ["REGEX_CAPTURE: instruction width not 1/2/4", () => forge(SectionKind.REGEX_CAPTURE, RegexNfa.INST_WIDTH, 3)],
    ["REGEX_CAPTURE: instruction stream length off by one", () => forgeDelta(SectionKind.REGEX_CAPTURE, RegexNfa.INST_BYTES, -1)],
    ["REGEX_DFA: row exception count out of range", () => forgeByte(SectionKind.REGEX_DFA, dfaRows(), 255)],
    ["REGEX_DFA: first row references a base row before state 0", () => forgeByte(SectionKind.REGEX_DFA, dfaRows() + 1, 1)],
    ["REGEX_PREFILTER_MAP: match section is not an automaton", () => forge(SectionKind.REGEX_PREFILTER_MAP, REGEX_MAP_HEADER_SIZE, sectionOf(SectionKind.STRINGS).index)],
    ["REGEX_PREFILTER_MAP: folded @pm section is not an AHO_CORASICK", () => forge(SectionKind.REGEX_PREFILTER_MAP, mapSize() - 4, sectionOf(SectionKind.STRINGS).index)],
    ["REGEX_PREFILTER_MAP: folded @pm count does not match the size", () => forge(SectionKind.REGEX_PREFILTER_MAP, mapSize() - 8, 2)],
    ["REGEX_PREFILTER_MAP: link beyond the regexes and the folded @pm automata", () => forge(SectionKind.REGEX_PREFILTER_MAP, firstLink(), mapCell(0) + 1)],
  ];
  for (const [what, make] of cases) it(what, () => expectRefused(make(), what));

  it("a second RULES section is refused", async () => {
    const { TableWriter } = await import("../../../rulesets/tables/writer");
    const w = new TableWriter();
    for (const s of sections) w.addSection(s.kind, s.payload);
    w.addSection(SectionKind.RULES, sectionOf(SectionKind.RULES).payload);
    expectRefused(w.finish(readTable(table).sourceSha256), "two RULES sections");
  });

  it("every truncated program section is refused, never a trap", () => {
    for (const kind of [SectionKind.RULES, SectionKind.CHAINS, SectionKind.TARGETS, SectionKind.TRANSFORMATIONS, SectionKind.ACTIONS, SectionKind.METADATA, SectionKind.REGEX_DFA, SectionKind.REGEX_PREFILTER_MAP]) {
      const s = sectionOf(kind);
      for (const cut of [1, 4, s.size >> 1, s.size]) {
        if (cut > s.size) continue;
        const t = table.slice();
        new DataView(t.buffer).setUint32(64 + 16 * s.index + 8, s.size - cut, true);
        sealTable(t);
        const code = tableLoadCode(t);
        assert.notEqual(code, LoadError.OK, `${kind} cut ${cut}`);
        assert.equal(as.load(t), code, `AS agrees on ${kind} cut ${cut}`);
      }
    }
  });
});
