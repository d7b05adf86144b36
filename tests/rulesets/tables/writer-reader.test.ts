// The table writer and TS reader (rulesets/tables): layout, little-endian encoding, alignment, checksum, string
// pool, determinism.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as zlib from "node:zlib";
import { crc32 } from "../../../rulesets/tables/crc32";
import {
  CHECKSUM_START,
  DIR_ENTRY_SIZE,
  FORMAT_VERSION,
  HEADER_SIZE,
  Header,
  LoadError,
  MAGIC_TEXT,
  SECTION_ALIGN,
  SectionKind,
} from "../../../rulesets/tables/format";
import { TableLoadError, poolString, readTable, tableLoadCode } from "../../../rulesets/tables/reader";
import { ByteWriter, StringPoolBuilder, TableWriter, sha256 } from "../../../rulesets/tables/writer";
import { smallTable } from "./helpers";

describe("table writer", () => {
  it("writes little-endian and aligns", () => {
    const w = new ByteWriter().u8(1).u16(0x0302).u32(0x07060504).align(8).u32(0xffffffff);
    assert.deepEqual([...w.finish()], [1, 2, 3, 4, 5, 6, 7, 0, 255, 255, 255, 255]);
    assert.throws(() => new ByteWriter().u16(0x10000), RangeError);
    assert.throws(() => new ByteWriter().u32(-1), RangeError);
    assert.throws(() => new ByteWriter().u8(1.5), RangeError);
    const big = new ByteWriter();
    for (let i = 0; i < 1000; i++) big.u32(i).bytes(new Uint8Array([i & 0xff]));
    assert.equal(big.length, 5000);
    assert.equal(new DataView(big.finish().buffer).getUint32(4995, true), 999, "survives reallocation");
  });

  it("lays out header, directory and 8-aligned sections; checksum is CRC-32 (zlib-compatible)", () => {
    const t = smallTable();
    const dv = new DataView(t.buffer);
    assert.equal(Buffer.from(t.subarray(0, 4)).toString("latin1"), MAGIC_TEXT);
    assert.equal(dv.getUint16(Header.VERSION, true), FORMAT_VERSION);
    assert.equal(dv.getUint32(Header.TOTAL_SIZE, true), t.length);
    assert.equal(dv.getUint32(Header.SECTION_COUNT, true), 3);
    assert.equal(dv.getUint32(Header.CHECKSUM, true), crc32(t, CHECKSUM_START));
    if ("crc32" in zlib) assert.equal(crc32(t, CHECKSUM_START), (zlib as unknown as { crc32(b: Uint8Array): number }).crc32(t.subarray(CHECKSUM_START)));
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926, "the CRC-32 check value");
    const table = readTable(t);
    assert.deepEqual(table.sections.map((s) => s.kind), [SectionKind.STRINGS, SectionKind.AHO_CORASICK, SectionKind.IP_SET]);
    assert.equal(table.sections[0].offset, HEADER_SIZE + 3 * DIR_ENTRY_SIZE);
    for (const s of table.sections) assert.equal(s.offset % SECTION_ALIGN, 0);
    assert.deepEqual(table.sourceSha256, sha256("small table"));
  });

  it("is deterministic", () => {
    assert.deepEqual(smallTable(), smallTable());
  });

  it("writes an empty table that reads back", () => {
    const t = new TableWriter().finish(new Uint8Array(32));
    assert.equal(t.length, HEADER_SIZE);
    assert.equal(readTable(t).sections.length, 0);
  });

  it("validates the formerly reserved regex and rule-program kinds (no opaque kinds are left)", () => {
    // Their layouts are defined in format.ts (rule program + regex sections); garbage payloads are refused.
    for (const kind of [SectionKind.REGEX_DFA, SectionKind.RULES]) {
      const w = new TableWriter();
      w.addSection(kind, new Uint8Array([1, 2, 3]));
      assert.throws(() => readTable(w.finish(new Uint8Array(32))), /BAD_PAYLOAD/);
    }
  });

  it("refuses bad inputs at build time", () => {
    assert.throws(() => new TableWriter().addSection(SectionKind.INVALID, new Uint8Array(0)), RangeError);
    assert.throws(() => new TableWriter().finish(new Uint8Array(31)), RangeError);
  });
});

describe("string pool", () => {
  it("interns, deduplicates, and round-trips bytes and UTF-8", () => {
    const p = new StringPoolBuilder();
    assert.equal(p.intern("a"), 0);
    assert.equal(p.intern("bé"), 1);
    assert.equal(p.intern("a"), 0);
    assert.equal(p.intern(new Uint8Array([0xff, 0x00])), 2);
    assert.equal(p.intern(""), 3);
    const w = new TableWriter();
    w.addSection(SectionKind.STRINGS, p.encode());
    const s = readTable(w.finish(new Uint8Array(32))).sections[0].payload;
    assert.equal(Buffer.from(poolString(s, 1)).toString("utf8"), "bé");
    assert.deepEqual([...poolString(s, 2)], [0xff, 0x00]);
    assert.equal(poolString(s, 3).length, 0);
    assert.throws(() => poolString(s, 4), RangeError);
  });
});

describe("TS reader error reporting", () => {
  it("names the error and the section", () => {
    const t = smallTable();
    const dv = new DataView(t.buffer);
    dv.setUint16(HEADER_SIZE + DIR_ENTRY_SIZE, 999, true);
    const e = (() => {
      try {
        readTable(t);
      } catch (err) {
        return err as TableLoadError;
      }
      return null;
    })();
    assert.ok(e instanceof TableLoadError);
    assert.equal(e.code, LoadError.BAD_CHECKSUM, "checksum is verified before the directory is trusted");
    assert.equal(tableLoadCode(t.subarray(0, 10)), LoadError.TRUNCATED);
    assert.match(e.message, /BAD_CHECKSUM/);
  });
});
