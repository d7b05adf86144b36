// Corrupt tables: every truncation, every single-bit flip, random damage, and forged tables (checksum recomputed so
// the structural checks behind it are reached). Each is fed to BOTH the TS reader and the filter's AS loader
// (compiled from filter/tables): they must refuse with the same, expected error code, never trap (a trap would throw
// here), and never hand out a table.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { buildAhoCorasick } from "../../../rulesets/matchers/aho-corasick";
import { buildIpSet } from "../../../rulesets/matchers/ip-trie";
import { DIR_ENTRY_SIZE, DirEntry, FORMAT_VERSION, HEADER_SIZE, Header, LoadError, MAX_TABLE_SIZE, SectionKind } from "../../../rulesets/tables/format";
import { LOAD_ERROR_NAMES, readTable, tableLoadCode } from "../../../rulesets/tables/reader";
import { TableWriter, sealTable } from "../../../rulesets/tables/writer";
import { AsTables } from "./as-harness";
import { bytes, rng, smallTable } from "./helpers";

let as: AsTables;
before(async () => {
  as = await AsTables.create();
});

const name = (c: number) => LOAD_ERROR_NAMES[c] ?? String(c);

/** Loads in both readers; asserts they agree and returns the code. */
function loadBoth(t: Uint8Array, what: string): LoadError {
  const ts = tableLoadCode(t);
  const asCode = as.load(t);
  assert.equal(name(asCode), name(ts), `${what}: AS and TS readers disagree`);
  if (asCode !== LoadError.OK) {
    assert.equal(as.sectionCount, -1, `${what}: refused table must not be (partially) loaded`);
    assert.ok(as.messageLength > 0, `${what}: refusal carries a message`);
  }
  return ts;
}

function expectRefused(t: Uint8Array, code: LoadError, what: string, section?: number): void {
  assert.equal(name(loadBoth(t, what)), name(code), what);
  if (section !== undefined) assert.equal(as.errorSection, section, `${what}: offending section`);
}

/** Copy of the table with a directory field changed, resealed. */
function forgeDir(t: Uint8Array, entry: number, field: DirEntry, value: number, width: 2 | 4 = 4): Uint8Array {
  const c = t.slice();
  const dv = new DataView(c.buffer);
  const at = HEADER_SIZE + entry * DIR_ENTRY_SIZE + field;
  if (width === 2) dv.setUint16(at, value, true);
  else dv.setUint32(at, value, true);
  return sealTable(c);
}

function forgeHeader(t: Uint8Array, field: Header, value: number, width: 2 | 4 = 4): Uint8Array {
  const c = t.slice();
  const dv = new DataView(c.buffer);
  if (width === 2) dv.setUint16(field, value, true);
  else dv.setUint32(field, value, true);
  return sealTable(c);
}

describe("corrupt tables are refused by both readers, never trapping", () => {
  const table = smallTable();
  const dirEntry = (i: number, f: DirEntry) => new DataView(table.buffer).getUint32(HEADER_SIZE + i * DIR_ENTRY_SIZE + f, true);

  it("loads the intact table in both readers", () => {
    assert.equal(loadBoth(table, "intact"), LoadError.OK);
    assert.equal(as.sectionCount, 3);
  });

  it("refuses every truncation (lengths 0 .. size-1) as TRUNCATED", () => {
    for (let len = 0; len < table.length; len++) expectRefused(table.subarray(0, len), LoadError.TRUNCATED, `truncated to ${len}`);
  });

  it("refuses trailing bytes as SIZE_MISMATCH", () => {
    for (const extra of [1, 7, 8, 100]) {
      expectRefused(new Uint8Array([...table, ...new Uint8Array(extra)]), LoadError.SIZE_MISMATCH, `+${extra} bytes`);
    }
  });

  it("refuses every single-bit flip with the error of the field it hits", () => {
    for (let bit = 0; bit < table.length * 8; bit++) {
      const c = table.slice();
      const byte = bit >> 3;
      c[byte] ^= 1 << (bit & 7);
      let want: LoadError;
      if (byte < 4) want = LoadError.BAD_MAGIC;
      else if (byte < 6) want = LoadError.BAD_VERSION;
      else if (byte < 8) want = LoadError.BAD_HEADER;
      else if (byte >= Header.TOTAL_SIZE && byte < Header.TOTAL_SIZE + 4) {
        const total = new DataView(c.buffer).getUint32(Header.TOTAL_SIZE, true);
        want = total > c.length && total <= MAX_TABLE_SIZE ? LoadError.TRUNCATED : LoadError.SIZE_MISMATCH;
      } else want = LoadError.BAD_CHECKSUM;
      expectRefused(c, want, `bit ${bit} flipped`);
    }
  });

  it("refuses random multi-byte damage", () => {
    const r = rng(2024);
    for (let i = 0; i < 300; i++) {
      const c = table.slice();
      const n = 1 + r.int(8);
      for (let k = 0; k < n; k++) c[r.int(c.length)] ^= 1 + r.int(255);
      if (c.every((b, j) => b === table[j])) continue;
      assert.notEqual(loadBoth(c, `damage #${i}`), LoadError.OK);
    }
  });

  it("refuses wrong magic and wrong version", () => {
    const wasm = new Uint8Array(100);
    wasm.set([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    expectRefused(wasm, LoadError.BAD_MAGIC, "a wasm binary");
    expectRefused(bytes("apiVersion: v1\nkind: ConfigMap\n".padEnd(80, " ")), LoadError.BAD_MAGIC, "YAML");
    expectRefused(forgeHeader(table, Header.VERSION, FORMAT_VERSION + 1, 2), LoadError.BAD_VERSION, "the next version");
    expectRefused(forgeHeader(table, Header.VERSION, FORMAT_VERSION - 1, 2), LoadError.BAD_VERSION, "the previous version");
    expectRefused(forgeHeader(table, Header.VERSION, 0, 2), LoadError.BAD_VERSION, "version 0");
  });

  it("refuses forged headers", () => {
    expectRefused(forgeHeader(table, Header.HEADER_SIZE, 32, 2), LoadError.BAD_HEADER, "header size");
    expectRefused(forgeHeader(table, Header.DIRECTORY_OFFSET, 80), LoadError.BAD_HEADER, "directory offset");
    expectRefused(forgeHeader(table, Header.FLAGS, 1), LoadError.BAD_HEADER, "flags");
    expectRefused(forgeHeader(table, Header.RESERVED, 1), LoadError.BAD_HEADER, "reserved");
    expectRefused(forgeHeader(table, Header.SECTION_COUNT, 1000), LoadError.BAD_DIRECTORY, "directory past the end");
    expectRefused(forgeHeader(table, Header.SECTION_COUNT, 0xffffffff), LoadError.BAD_DIRECTORY, "huge section count");
    expectRefused(forgeHeader(table, Header.TOTAL_SIZE, 0x7fffffff), LoadError.SIZE_MISMATCH, "total size over the limit");
  });

  it("refuses section offsets out of range, misaligned, overlapping or oversized", () => {
    const end = table.length;
    expectRefused(forgeDir(table, 1, DirEntry.OFFSET, end + 8), LoadError.SECTION_OUT_OF_RANGE, "offset past end", 1);
    expectRefused(forgeDir(table, 1, DirEntry.OFFSET, 0xfffffff8), LoadError.SECTION_OUT_OF_RANGE, "offset near 2^32", 1);
    expectRefused(forgeDir(table, 0, DirEntry.OFFSET, 0), LoadError.SECTION_OUT_OF_RANGE, "offset inside header", 0);
    expectRefused(forgeDir(table, 0, DirEntry.OFFSET, HEADER_SIZE), LoadError.SECTION_OUT_OF_RANGE, "offset inside directory", 0);
    expectRefused(forgeDir(table, 2, DirEntry.SIZE, end), LoadError.SECTION_OUT_OF_RANGE, "oversized", 2);
    expectRefused(forgeDir(table, 2, DirEntry.SIZE, 0xffffffff), LoadError.SECTION_OUT_OF_RANGE, "size 2^32-1 (wraps if added naively)", 2);
    expectRefused(forgeDir(table, 1, DirEntry.OFFSET, dirEntry(1, DirEntry.OFFSET) + 4), LoadError.SECTION_MISALIGNED, "misaligned", 1);
    expectRefused(forgeDir(table, 1, DirEntry.OFFSET, dirEntry(0, DirEntry.OFFSET)), LoadError.SECTION_OVERLAP, "same offset as previous", 1);
    expectRefused(forgeDir(table, 0, DirEntry.SIZE, dirEntry(0, DirEntry.SIZE) + 64), LoadError.SECTION_OVERLAP, "section 0 grows into 1", 1);
    // Swap the order of entries 1 and 2: each is in range, but they are not sorted by offset.
    const swapped = table.slice();
    const e1 = HEADER_SIZE + DIR_ENTRY_SIZE;
    const a = swapped.slice(e1, e1 + DIR_ENTRY_SIZE);
    swapped.copyWithin(e1, e1 + DIR_ENTRY_SIZE, e1 + 2 * DIR_ENTRY_SIZE);
    swapped.set(a, e1 + DIR_ENTRY_SIZE);
    expectRefused(sealTable(swapped), LoadError.SECTION_OVERLAP, "unsorted directory", 2);
  });

  it("refuses unknown or INVALID section kinds and non-zero entry flags", () => {
    expectRefused(forgeDir(table, 1, DirEntry.KIND, 999, 2), LoadError.BAD_SECTION_KIND, "kind 999", 1);
    expectRefused(forgeDir(table, 2, DirEntry.KIND, SectionKind.INVALID, 2), LoadError.BAD_SECTION_KIND, "INVALID kind", 2);
    expectRefused(forgeDir(table, 0, DirEntry.FLAGS, 1, 2), LoadError.BAD_DIRECTORY, "entry flags", 0);
    expectRefused(forgeDir(table, 0, DirEntry.RESERVED, 1), LoadError.BAD_DIRECTORY, "entry reserved", 0);
  });

  it("refuses payloads of the wrong kind or shape (BAD_PAYLOAD, no partial load)", () => {
    expectRefused(forgeDir(table, 1, DirEntry.KIND, SectionKind.IP_SET, 2), LoadError.BAD_PAYLOAD, "AC payload labelled IP_SET", 1);
    expectRefused(forgeDir(table, 2, DirEntry.KIND, SectionKind.AHO_CORASICK, 2), LoadError.BAD_PAYLOAD, "IP payload labelled AC", 2);
    expectRefused(forgeDir(table, 0, DirEntry.KIND, SectionKind.AHO_CORASICK, 2), LoadError.BAD_PAYLOAD, "strings labelled AC", 0);
    expectRefused(forgeDir(table, 1, DirEntry.SIZE, dirEntry(1, DirEntry.SIZE) - 4), LoadError.BAD_PAYLOAD, "AC payload cut short", 1);
    // A later section's payload is bad: the earlier, valid sections must not be handed out either.
    const w = new TableWriter();
    w.addSection(SectionKind.AHO_CORASICK, buildAhoCorasick(["x"]).payload);
    const badIp = buildIpSet(["10.0.0.0/8"]).payload.slice();
    new DataView(badIp.buffer).setUint32(24 + 8 * 2, 1, true); // a backward child reference (would loop)
    w.addSection(SectionKind.IP_SET, badIp);
    expectRefused(w.finish(new Uint8Array(32)), LoadError.BAD_PAYLOAD, "backward trie reference", 1);
  });

  it("fuzzes payload bytes behind a valid checksum: refused as BAD_PAYLOAD or, if accepted, walks without faults", () => {
    const r = rng(77);
    const payloadStart = dirEntry(0, DirEntry.OFFSET);
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 600; i++) {
      const c = table.slice();
      const n = 1 + r.int(3);
      for (let k = 0; k < n; k++) c[payloadStart + r.int(c.length - payloadStart)] ^= 1 << r.int(8);
      const code = loadBoth(sealTable(c), `payload fuzz #${i}`);
      if (code === LoadError.OK) {
        accepted++;
        // The table is structurally sound: walking it must not fault (acSearch throws on fault codes).
        const t = readTable(c);
        for (const input of ["she sells hers", "HIS", "", "\u00ff\u0000he"]) as.acSearch(1, bytes(input));
        for (const ip of ["127.0.0.1", "::1", "10.1.1.1", "x"]) assert.ok(as.ipLookup(2, bytes(ip)) >= -1);
        assert.equal(t.sections.length, 3);
      } else {
        refused++;
        assert.ok(code === LoadError.BAD_PAYLOAD || code === LoadError.SECTION_OUT_OF_RANGE || code === LoadError.SECTION_OVERLAP || code === LoadError.SECTION_MISALIGNED || code === LoadError.BAD_SECTION_KIND || code === LoadError.BAD_DIRECTORY, `fuzz #${i}: ${name(code)}`);
      }
    }
    assert.ok(accepted > 0 && refused > 0, `both outcomes exercised (accepted ${accepted}, refused ${refused})`);
  });
});
