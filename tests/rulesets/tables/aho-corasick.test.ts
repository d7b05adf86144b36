// Unit tests of the Aho-Corasick builder (rulesets/matchers/aho-corasick.ts) and its TS table walker.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  AhoCorasickBuildError,
  acLayout,
  AhoCorasickTable,
  buildAhoCorasick,
  parsePmFromFileData,
  validateAcPayload,
} from "../../../rulesets/matchers/aho-corasick";
import { bytes, crsDataFiles, referenceFindAll, referenceSearch, rng } from "./helpers";

const text = (b: Uint8Array) => Buffer.from(b).toString("latin1");

describe("Aho-Corasick builder", () => {
  it("builds the textbook goto/fail/output structure (he, she, his, hers)", () => {
    const b = buildAhoCorasick(["he", "she", "his", "hers"]);
    const byText = new Map(b.trie.map((n, i) => [text(n.text), i]));
    const failOf = (s: string) => text(b.trie[b.trie[byText.get(s)!].fail].text);
    assert.equal(failOf("h"), "");
    assert.equal(failOf("sh"), "h");
    assert.equal(failOf("she"), "he");
    assert.equal(failOf("his"), "s");
    assert.equal(failOf("hers"), "s");
    assert.equal(failOf("her"), "");
    const outOf = (s: string) => b.trie[byText.get(s)!].outputs.map((id) => text(b.phrases[id]));
    assert.deepEqual(outOf("she"), ["she", "he"], "own phrase first, then the suffix's (longest first)");
    assert.deepEqual(outOf("hers"), ["hers"]);
    assert.deepEqual(outOf("he"), ["he"]);
    assert.deepEqual(outOf("sh"), []);
    assert.equal(b.trie.length, 10);
  });

  it("follows the fail chain more than one level (where ModSecurity's acmp does not)", () => {
    // acmp computes fail(abcz) from fail(abc)=bc only, finds no 'z' there and falls to the root, missing "cz".
    const b = buildAhoCorasick(["abczw", "bcq", "cz"]);
    const byText = new Map(b.trie.map((n, i) => [text(n.text), i]));
    assert.equal(text(b.trie[b.trie[byText.get("abcz")!].fail].text), "cz");
    assert.deepEqual(b.trie[byText.get("abcz")!].outputs, [2]);
    const t = new AhoCorasickTable(b.payload);
    assert.deepEqual(t.search(bytes("abczx")), { phrase: 2, end: 4 });
  });

  it("reports the earliest-ending match, and the longest phrase ending there", () => {
    const t = new AhoCorasickTable(buildAhoCorasick(["bcd", "abcd", "cde", "d"]).payload);
    assert.deepEqual(t.search(bytes("xabcde")), { phrase: 1, end: 5 }, "abcd (longest ending at 'd'), not d or cde");
    assert.deepEqual(t.search(bytes("d")), { phrase: 3, end: 1 }, "one-byte phrase at offset 0 matches");
    assert.equal(t.search(bytes("abc")), null);
    assert.equal(t.search(new Uint8Array(0)), null, "empty input never matches");
  });

  it("folds ASCII case only, keeps the first-written text, maps duplicates to one id", () => {
    const b = buildAhoCorasick(["SELECT", "select", "Union", "\u00c4rger"]);
    assert.equal(b.phrases.length, 3);
    assert.deepEqual(b.phraseIdOf, [0, 0, 1, 2]);
    assert.equal(text(b.phrases[0]), "SELECT", "first written case is reported");
    const t = new AhoCorasickTable(b.payload);
    assert.equal(t.search(bytes("xx sElEcT"))?.phrase, 0);
    assert.equal(t.search(bytes("UNION"))?.phrase, 1);
    // U+00C4 is UTF-8 C3 84; its lowercase U+00E4 is C3 A4: not an ASCII fold, so no match.
    assert.equal(t.search(new Uint8Array(Buffer.from("\u00e4rger"))), null);
    assert.equal(t.search(new Uint8Array(Buffer.from("\u00c4RGER")))?.phrase, 2);
    assert.ok(t.caseInsensitive);
    // Case-sensitive build (for callers that need it): no folding at all.
    const cs = new AhoCorasickTable(buildAhoCorasick(["Abc"], { caseInsensitive: false }).payload);
    assert.equal(cs.search(bytes("abc")), null);
    assert.equal(cs.search(bytes("xAbc"))?.end, 4);
  });

  it("maps case variants of a byte to one class and unused bytes to class 0", () => {
    const b = buildAhoCorasick(["ab"]);
    assert.equal(b.classCount, 3);
    const p = b.payload;
    assert.equal(p[32 + 0x61], p[32 + 0x41]);
    assert.equal(p[32 + 0x62], p[32 + 0x42]);
    assert.equal(p[32 + 0x7a], 0);
    assert.equal(p[32 + 0xff], 0);
  });

  it("refuses empty phrases, naming them", () => {
    assert.throws(() => buildAhoCorasick(["a", ""]), (e: unknown) => e instanceof AhoCorasickBuildError && /#1/.test(e.message));
  });

  it("produces identical bytes regardless of phrase order (apart from phrase ids) and deterministically", () => {
    const a = buildAhoCorasick(["foo", "bar", "baz"]).payload;
    assert.deepEqual(buildAhoCorasick(["foo", "bar", "baz"]).payload, a);
  });

  it("gives the same answers with 2- and 4-byte cells", () => {
    const phrases = ["he", "she", "his", "hers", "ushers", "xyz", "y", "hishe"];
    const r = rng(7);
    const tables = [2, 4].map((W) => new AhoCorasickTable(buildAhoCorasick(phrases, { cellWidth: W as 2 | 4 }).payload));
    assert.equal(tables[0].cellWidth, 2);
    assert.equal(tables[1].cellWidth, 4);
    assert.equal(new AhoCorasickTable(buildAhoCorasick(phrases).payload).cellWidth, 2, "small sets get 2-byte cells");
    for (let i = 0; i < 500; i++) {
      const input = Uint8Array.from({ length: r.int(12) }, () => r.pick([0x68, 0x65, 0x73, 0x69, 0x72, 0x75, 0x48, 0x79, 0x7a, 0x78]));
      const want = tables[0].search(input);
      for (const t of tables) assert.deepEqual(t.search(input), want);
    }
  });

  it("agrees with the naive oracle on random phrase sets and inputs", () => {
    const r = rng(12345);
    const alphabet = [0x61, 0x62, 0x63, 0x41, 0x42, 0x00, 0xff, 0x20];
    for (let round = 0; round < 60; round++) {
      const phrases = Array.from({ length: 1 + r.int(8) }, () => Uint8Array.from({ length: 1 + r.int(4) }, () => r.pick(alphabet)));
      const b = buildAhoCorasick(phrases, { cellWidth: r.int(2) ? 2 : 4 });
      const t = new AhoCorasickTable(b.payload);
      for (let i = 0; i < 60; i++) {
        const input = Uint8Array.from({ length: r.int(16) }, () => r.pick(alphabet));
        const ref = referenceSearch(phrases, input);
        const got = t.search(input);
        assert.deepEqual(got, ref === null ? null : { phrase: b.phraseIdOf[ref.phrase], end: ref.end });
        const all = new Set([...referenceFindAll(phrases, input)].map((i) => b.phraseIdOf[i]));
        assert.deepEqual(t.findAll(input), all);
      }
    }
  });

  it("validates what it writes, and the validator rejects broken payloads", () => {
    const p = buildAhoCorasick(["he", "she", "his", "hers"], { cellWidth: 4 }).payload;
    assert.equal(validateAcPayload(p), null);
    assert.match(validateAcPayload(p.subarray(0, p.length - 1))!, /size/);
    const hv = new DataView(p.buffer, p.byteOffset);
    const h = (o: number) => hv.getUint32(o, true);
    const L = acLayout(h(0), h(4), h(8), h(12), h(16), h(20), h(24));
    const bad = p.slice();
    new DataView(bad.buffer).setUint32(L.rootRow + 4 * 3, 9999, true); // a root-row cell pointing at a non-existent state
    assert.match(validateAcPayload(bad)!, /root row/);
    // a failure link that does not go back (would let the walker loop)
    const bad3 = p.slice();
    new DataView(bad3.buffer).setUint32(L.fail + 4 * 3, 3, true);
    assert.match(validateAcPayload(bad3)!, /failure link/);
    const bad4 = p.slice();
    new DataView(bad4.buffer).setUint32(8, 3, true);
    assert.match(validateAcPayload(bad4)!, /cell width/);
    // output bits that disagree with the ranks / the output state count
    const bad5 = p.slice();
    new DataView(bad5.buffer).setUint32(L.outBits, h(L.outBits) ^ 1, true);
    assert.match(validateAcPayload(bad5)!, /output/);
    const bad2 = p.slice();
    bad2[32 + 0x68] = 200; // class map entry beyond class_count
    assert.match(validateAcPayload(bad2)!, /class map/);
  });
});

describe("@pmFromFile data", () => {
  it("skips empty and comment lines as libmodsecurity does, keeps everything else", () => {
    const got = parsePmFromFileData("# comment\n\nfoo\n  # indented comment\nbar # not a comment\n   \nx\r\nlast").map(text);
    assert.deepEqual(got, ["foo", "bar # not a comment", "   ", "x\r", "last"]);
  });

  it("builds every CRS v4.28.0 data file and matches each phrase inside a value", (t) => {
    const files = crsDataFiles();
    if (files.size === 0) return t.skip("shared CRS directory not found (WAF_SHARED_DIR)");
    for (const [name, data] of files) {
      const phrases = parsePmFromFileData(data);
      assert.ok(phrases.length > 0, name);
      const b = buildAhoCorasick(phrases);
      const table = new AhoCorasickTable(b.payload);
      for (let i = 0; i < phrases.length; i += 7) {
        const input = new Uint8Array([...bytes("xx "), ...phrases[i].map((c) => (c >= 0x61 && c <= 0x7a ? c - 0x20 : c)), ...bytes(" yy")]);
        const m = table.search(input);
        assert.ok(m !== null, `${name}: phrase ${i} not found`);
      }
    }
  });
});
