// TS builds a table -> the filter's AS loader reads it -> the AS walkers must give exactly the answers of the TS
// table walker and of an independent naive oracle, on random and adversarial inputs, and on CRS's real phrase lists
// (read from WAF_SHARED_DIR at test time, never copied into the repo).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { AhoCorasickTable, buildAhoCorasick, parsePmFromFileData } from "../../../rulesets/matchers/aho-corasick";
import { IpSetTable, buildIpSet } from "../../../rulesets/matchers/ip-trie";
import { LoadError, SectionKind } from "../../../rulesets/tables/format";
import { readTable } from "../../../rulesets/tables/reader";
import { TableWriter, sha256 } from "../../../rulesets/tables/writer";
import { AsTables } from "./as-harness";
import { bytes, crsDataFiles, referenceFindAll, referenceSearch, rng } from "./helpers";

let as: AsTables;
before(async () => {
  as = await AsTables.create();
});

type R = ReturnType<typeof rng>;
const show = (b: Uint8Array) => JSON.stringify(Buffer.from(b).toString("latin1"));

/** Inputs built to hit the corners: phrase occurrences with random case, at the very end, cut one byte short,
 *  overlapping, surrounded by non-ASCII bytes and the bytes next to the A-Z / a-z ranges. */
function adversarialInputs(r: R, phrases: Uint8Array[], count: number): Uint8Array[] {
  const noise = [0x00, 0x40, 0x5b, 0x60, 0x7b, 0x80, 0xc3, 0xe4, 0xff, 0x20, 0x0a, 0x61, 0x41, 0x7a, 0x5a];
  const flipCase = (b: number) => (r.chance(0.5) && ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) ? b ^ 0x20 : b);
  const out: Uint8Array[] = [new Uint8Array(0)];
  for (let i = 0; i < count; i++) {
    const parts: number[] = [];
    const pieces = r.int(4);
    for (let k = 0; k < pieces; k++) {
      for (let n = r.int(4); n > 0; n--) parts.push(r.pick(noise));
      if (phrases.length === 0) continue;
      const p = r.pick(phrases);
      const cut = r.chance(0.3) ? r.int(p.length) : p.length; // sometimes only a prefix: must not match by itself
      for (let j = 0; j < cut; j++) parts.push(flipCase(p[j]));
    }
    if (r.chance(0.3)) for (let n = r.int(6); n > 0; n--) parts.push(r.int(256));
    out.push(Uint8Array.from(parts));
  }
  return out;
}

function checkAc(section: number, phrases: Uint8Array[], phraseIdOf: number[], tsTable: AhoCorasickTable, inputs: Uint8Array[], oracle = true): void {
  for (const input of inputs) {
    const got = as.acSearch(section, input);
    const ts = tsTable.search(input);
    assert.deepEqual(got, ts, `AS vs TS table walker on ${show(input)}`);
    if (oracle) {
      const ref = referenceSearch(phrases, input);
      assert.deepEqual(got, ref === null ? null : { phrase: phraseIdOf[ref.phrase], end: ref.end }, `AS vs oracle on ${show(input)}`);
      const all = new Set([...referenceFindAll(phrases, input)].map((i) => phraseIdOf[i]));
      assert.deepEqual(as.acFindAll(section, input, tsTable.phraseCount), all, `markAll on ${show(input)}`);
    }
    if (got !== null) assert.ok(as.acPhraseLength(section, got.phrase) <= got.end);
  }
}

describe("TS-built tables read and walked by the AS filter code", () => {
  it("Aho-Corasick: adversarial phrase sets", () => {
    const sets: string[][] = [
      ["he", "she", "his", "hers"],
      ["a", "aa", "aaa", "aaaa"],
      ["abczw", "bcq", "cz"],
      ["abcd", "bcd", "cd", "d", "bcde"],
      ["SELECT", "select", "UNION all", "@@version", "[x]", "`", "{", "\u00e4\u00c4"],
      ["\u0000", "\u00ff\u00fe", "a\u0000b"],
      ["Z", "z@", "[Z"],
    ];
    const w = new TableWriter();
    const built = sets.map((s, i) => buildAhoCorasick(s.map(bytes), { cellWidth: i % 2 ? 4 : 2 }));
    for (const b of built) w.addSection(SectionKind.AHO_CORASICK, b.payload);
    const table = w.finish(sha256("ac adversarial"));
    assert.equal(as.load(table), LoadError.OK);
    const r = rng(31337);
    built.forEach((b, i) => {
      const phrases = sets[i].map(bytes);
      checkAc(i, phrases, b.phraseIdOf, new AhoCorasickTable(b.payload), adversarialInputs(r, phrases, 300));
    });
  });

  it("Aho-Corasick: random phrase sets over small alphabets", () => {
    const r = rng(4242);
    const alphabet = [0x61, 0x62, 0x41, 0x42, 0x63, 0x00, 0xff, 0x5b];
    const w = new TableWriter();
    const sets: Uint8Array[][] = [];
    for (let i = 0; i < 40; i++) {
      sets.push(Array.from({ length: 1 + r.int(10) }, () => Uint8Array.from({ length: 1 + r.int(5) }, () => r.pick(alphabet))));
    }
    const built = sets.map((s) => buildAhoCorasick(s, { cellWidth: r.int(2) ? 4 : 2 }));
    for (const b of built) w.addSection(SectionKind.REGEX_PREFILTER_AC, b.payload); // same layout, same walker
    assert.equal(as.load(w.finish(sha256("ac random"))), LoadError.OK);
    built.forEach((b, i) => {
      const inputs = Array.from({ length: 80 }, () => Uint8Array.from({ length: r.int(20) }, () => r.pick(alphabet)));
      checkAc(i, sets[i], b.phraseIdOf, new AhoCorasickTable(b.payload), inputs);
    });
  });

  it("Aho-Corasick: CRS v4.28.0 phrase lists", (t) => {
    const files = crsDataFiles();
    if (files.size === 0) return t.skip("shared CRS directory not found (WAF_SHARED_DIR)");
    const w = new TableWriter();
    const entries: { name: string; phrases: Uint8Array[]; b: ReturnType<typeof buildAhoCorasick> }[] = [];
    for (const [name, data] of files) {
      const phrases = parsePmFromFileData(data);
      const b = buildAhoCorasick(phrases);
      w.addSection(SectionKind.AHO_CORASICK, b.payload);
      entries.push({ name, phrases, b });
    }
    const table = w.finish(sha256("crs"));
    assert.equal(readTable(table).sections.length, files.size);
    assert.equal(as.load(table), LoadError.OK);
    const r = rng(428);
    entries.forEach(({ phrases, b }, i) => {
      const tsTable = new AhoCorasickTable(b.payload);
      checkAc(i, phrases, b.phraseIdOf, tsTable, adversarialInputs(r, phrases, 40));
      // Longer benign-ish values: only the two walkers (the naive oracle is quadratic).
      const long = Array.from({ length: 20 }, () => Uint8Array.from({ length: 200 + r.int(800) }, () => 0x20 + r.int(95)));
      checkAc(i, phrases, b.phraseIdOf, tsTable, long, false);
    });
  });

  it("IP sets: addresses near prefix boundaries and arbitrary strings", () => {
    const sets: { entries: string[]; mapped: boolean }[] = [
      { entries: ["127.0.0.1", "::1"], mapped: false }, // CRS REQUEST-901's @ipMatch 127.0.0.1,::1
      { entries: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7", "fe80::/10"], mapped: false },
      { entries: ["10.0.0.0/8", "1.2.3.4", "2001:db8::/48"], mapped: true },
      { entries: ["0.0.0.0/0"], mapped: false },
      { entries: ["::/0", "1.2.3.0/31"], mapped: true },
      { entries: [], mapped: false },
      { entries: ["::ffff:0:0/96", "64:ff9b::/96"], mapped: false },
    ];
    const w = new TableWriter();
    const ts = sets.map((s) => {
      const b = buildIpSet(s.entries, { matchV4Mapped: s.mapped });
      w.addSection(SectionKind.IP_SET, b.payload);
      return new IpSetTable(b.payload);
    });
    assert.equal(as.load(w.finish(sha256("ip"))), LoadError.OK);
    const r = rng(9);
    const v4 = () => [r.pick([10, 172, 192, 1, 127, 0, 255]), r.pick([0, 16, 31, 32, 168, 2, 255]), r.int(256), r.int(256)].join(".");
    const v6 = () => {
      const g = Array.from({ length: 8 }, () => r.pick(["0", "1", "db8", "2001", "fc00", "fe80", "febf", "ffff", "64", "ff9b"]));
      const s = g.join(":");
      return r.chance(0.3) ? `::ffff:${v4()}` : r.chance(0.3) ? s.replace(/(^|:)0(:0)+(:|$)/, "::") : s;
    };
    const junk = () => Array.from({ length: r.int(20) }, () => r.pick([..."0123456789abcdefABCDEF:.:.x/ %[]"])).join("");
    const inputs = ["", "::", "::1", "127.0.0.1", "1.2.3.4", "1.2.3.5", "::ffff:1.2.3.4", "::ffff:1.2.3.1", "01.2.3.4", "1:2:3:4:5:6:7:8:9"];
    for (let i = 0; i < 400; i++) inputs.push(v4(), v6(), junk());
    let matches = 0;
    let invalid = 0;
    sets.forEach((_, i) => {
      for (const input of inputs) {
        const want = ts[i].lookup(input);
        assert.equal(as.ipLookup(i, bytes(input)), want, `set ${i} on ${JSON.stringify(input)}`);
        if (want === 1) matches++;
        if (want === -1) invalid++;
      }
    });
    assert.ok(matches > 100 && invalid > 100, `inputs exercise matches (${matches}) and invalid values (${invalid})`);
  });
});
