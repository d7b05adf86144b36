// as-pect unit tests of the filter's table loader and walkers (filter/tables), on a table written by the TS writer
// (fixtures.ts, generated). The node:test cross-checks (tests/rulesets/tables) cover the large and random cases;
// these pin the AS API itself and its behaviour on corrupt input inside the as-pect runtime.
import { FORMAT_VERSION, LoadError, IpResult } from "../../../rulesets/tables/format";
import { loadTable, Table } from "../reader";
import { View } from "../view";
import { crc32 } from "../crc32";
import { AcMatcher, AC_FAULT, AC_NO_MATCH } from "../aho_corasick";
import { SMALL_TABLE, SMALL_TABLE_SHA256, smallTable } from "./fixtures";

function utf8(s: string): Uint8Array {
  return Uint8Array.wrap(String.UTF8.encode(s));
}

function loaded(): Table {
  const r = loadTable(smallTable());
  expect(r.error).toBe(LoadError.OK, r.message);
  return r.table!;
}

describe("loadTable", () => {
  it("loads a table written by the TS writer", () => {
    const t = loaded();
    expect(t.sectionCount).toBe(3);
    expect(t.sourceSha256Hex()).toBe(SMALL_TABLE_SHA256);
    expect(t.ac(1)).not.toBeNull();
    expect(t.ip(2)).not.toBeNull();
    expect(t.ac(2)).toBeNull("section 2 is an IP set, not a phrase set");
    expect(t.ac(99)).toBeNull();
    expect(t.section(-1)).toBeNull();
    const s = t.section(0)!.strings!;
    expect(s.count).toBe(2);
    expect(s.get(0)).toBe("hello");
    expect(s.get(1)).toBe("world");
    expect(s.get(2)).toBe("");
  });

  it("refuses every truncation with TRUNCATED and no table", () => {
    for (let len = 0; len < SMALL_TABLE.length; len++) {
      const r = loadTable(smallTable(len));
      expect(r.error).toBe(LoadError.TRUNCATED);
      expect(r.table).toBeNull();
    }
  });

  it("refuses a flipped byte anywhere, never trapping", () => {
    for (let i = 0; i < SMALL_TABLE.length; i++) {
      const b = smallTable();
      store<u8>(changetype<usize>(b) + <usize>i, load<u8>(changetype<usize>(b) + <usize>i) ^ 0x10);
      const r = loadTable(b);
      expect(r.error).not.toBe(LoadError.OK);
      expect(r.table).toBeNull();
      expect(r.message.length).toBeGreaterThan(0);
    }
  });

  it("names wrong magic and wrong version", () => {
    const b = smallTable();
    store<u8>(changetype<usize>(b), 0x58);
    expect(loadTable(b).error).toBe(LoadError.BAD_MAGIC);
    const v = smallTable();
    store<u16>(changetype<usize>(v) + 4, <u16>(FORMAT_VERSION + 1));
    const r = loadTable(v);
    expect(r.error).toBe(LoadError.BAD_VERSION);
    expect(r.message.includes("version " + (FORMAT_VERSION + 1).toString())).toBe(true);
  });

  it("refuses trailing bytes", () => {
    const b = new ArrayBuffer(SMALL_TABLE.length + 8);
    memory.copy(changetype<usize>(b), changetype<usize>(SMALL_TABLE), <usize>SMALL_TABLE.length);
    expect(loadTable(b).error).toBe(LoadError.SIZE_MISMATCH);
  });
});

describe("Aho-Corasick walker", () => {
  it("finds the first-ending, longest phrase, case-insensitively, and reports it as written", () => {
    const ac = loaded().ac(1)!;
    expect(ac.phraseCount).toBe(4);
    expect(ac.caseInsensitive).toBe(true);
    const id = ac.searchBytes(utf8("uSHErs"));
    expect(id).toBe(1); // "She" (ends at 4, longer than "he")
    expect(ac.matchEnd).toBe(4);
    expect(String.UTF8.decode(ac.phrase(<u32>id).buffer)).toBe("She");
    expect(ac.searchBytes(utf8("hi s"))).toBe(AC_NO_MATCH);
    expect(ac.matchEnd).toBe(-1);
    expect(ac.searchBytes(new Uint8Array(0))).toBe(AC_NO_MATCH);
    expect(ac.searchBytes(utf8("xxhis"))).toBe(2);
    expect(ac.matchEnd).toBe(5);
    expect(ac.phraseLength(99)).toBe(0);
  });

  it("marks every occurring phrase", () => {
    const ac = loaded().ac(1)!;
    const seen = new Uint8Array(1);
    const input = utf8("ushers");
    expect(ac.markAll(input.dataStart, <usize>input.length, seen)).toBe(3); // she, he, hers
    expect(seen[0]).toBe(0b1011);
    expect(ac.markAll(input.dataStart, <usize>input.length, new Uint8Array(0))).toBe(AC_FAULT, "bitset too small");
  });

  it("answers the same with the transition cache off, partial (a few rows) or whole, as a naive search", () => {
    const t = loaded();
    const view = t.section(1)!.view;
    const full = t.ac(1)!;
    const budgets: u32[] = [0, full.classCount, 3 * full.classCount, 1 << 20];
    const acs = new Array<AcMatcher>();
    for (let b = 0; b < budgets.length; b++) {
      const ac = new AcMatcher(view);
      ac.setCacheBudget(budgets[b]);
      acs.push(ac);
    }
    const alphabet = "hersiSHEx ";
    let seed: u32 = 7;
    for (let k = 0; k < 400; k++) {
      let s = "";
      seed = seed * 1103515245 + 12345;
      const n = (seed >>> 16) % 24;
      for (let j: u32 = 0; j < n; j++) {
        seed = seed * 1103515245 + 12345;
        s += alphabet.charAt(<i32>((seed >>> 16) % <u32>alphabet.length));
      }
      const input = utf8(s);
      // naive: the first end position where a phrase ends, the longest phrase ending there
      let wantId = AC_NO_MATCH;
      let wantEnd = -1;
      for (let e = 1; e <= input.length && wantId == AC_NO_MATCH; e++) {
        let bestLen = 0;
        for (let id: u32 = 0; id < full.phraseCount; id++) {
          const ph = full.phrase(id);
          const l = ph.length;
          if (l > e || l <= bestLen) continue;
          let same = true;
          for (let q = 0; q < l && same; q++) same = (input[e - l + q] | 0x20) == (ph[q] | 0x20);
          if (same) {
            bestLen = l;
            wantId = <i32>id;
            wantEnd = e;
          }
        }
      }
      for (let b = 0; b < acs.length; b++) {
        expect(acs[b].searchBytes(input)).toBe(wantId, s);
        expect(acs[b].matchEnd).toBe(wantEnd, s);
      }
    }
  });

  it("returns AC_FAULT instead of trapping on an unvalidated, broken payload", () => {
    const junk = new ArrayBuffer(300);
    store<u32>(changetype<usize>(junk), 5); // 5 states, 0 classes... nothing consistent
    const ac = new AcMatcher(View.of(junk));
    expect(ac.searchBytes(utf8("anything"))).toBe(AC_FAULT);
  });
});

describe("IP walker", () => {
  it("matches IPv4 and IPv6 entries and CIDR ranges", () => {
    const ip = loaded().ip(2)!;
    expect(ip.lookupBytes(utf8("127.0.0.1"))).toBe(IpResult.MATCH);
    expect(ip.lookupBytes(utf8("127.0.0.2"))).toBe(IpResult.NO_MATCH);
    expect(ip.lookupBytes(utf8("10.255.0.1"))).toBe(IpResult.MATCH);
    expect(ip.lookupBytes(utf8("11.0.0.1"))).toBe(IpResult.NO_MATCH);
    expect(ip.lookupBytes(utf8("::1"))).toBe(IpResult.MATCH);
    expect(ip.lookupBytes(utf8("0:0::0:1"))).toBe(IpResult.MATCH);
    expect(ip.lookupBytes(utf8("::2"))).toBe(IpResult.NO_MATCH);
    expect(ip.lookupBytes(utf8("::ffff:127.0.0.1"))).toBe(IpResult.NO_MATCH, "families stay apart by default");
  });

  it("reports invalid addresses", () => {
    const ip = loaded().ip(2)!;
    expect(ip.lookupBytes(utf8(""))).toBe(IpResult.INVALID_ADDRESS);
    expect(ip.lookupBytes(utf8("127.0.0.01"))).toBe(IpResult.INVALID_ADDRESS);
    expect(ip.lookupBytes(utf8("1::2::3"))).toBe(IpResult.INVALID_ADDRESS);
    expect(ip.lookupBytes(utf8("[::1]"))).toBe(IpResult.INVALID_ADDRESS);
  });
});

describe("View and CRC-32", () => {
  it("never reads out of range; faults instead", () => {
    const v = View.of(new ArrayBuffer(8));
    expect(v.u32(4)).toBe(0);
    expect(v.fault).toBe(false);
    expect(v.u32(5)).toBe(0);
    expect(v.fault).toBe(true);
    const w = View.of(new ArrayBuffer(8));
    expect(w.u8(8)).toBe(0);
    expect(w.fault).toBe(true);
    expect(View.of(new ArrayBuffer(8)).u16(0xffffffff)).toBe(0);
    expect(w.sub(4, 5)).toBeNull();
    expect(w.sub(0xffffffff, 2)).toBeNull();
    expect(w.sub(2, 6)!.length).toBe(6);
  });

  it("computes the standard CRC-32 check value", () => {
    const b = String.UTF8.encode("123456789");
    expect(crc32(View.of(b), 0, 9)).toBe(0xcbf43926);
  });

  it("agrees with the bit-at-a-time definition at every start and length (word loop and tail)", () => {
    const b = new ArrayBuffer(67);
    for (let i = 0; i < 67; i++) store<u8>(changetype<usize>(b) + i, <u8>((i * 131 + 7) & 0xff));
    const v = View.of(b);
    for (let s: u32 = 0; s < 9; s++)
      for (let e: u32 = s; e <= 67; e++) {
        let c: u32 = 0xffffffff;
        for (let i = s; i < e; i++) {
          c ^= <u32>load<u8>(changetype<usize>(b) + i);
          for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        }
        expect(crc32(v, s, e)).toBe(c ^ 0xffffffff);
      }
    expect(v.fault).toBe(false);
  });

  it("faults instead of reading outside the view", () => {
    const v = View.of(new ArrayBuffer(8));
    expect(crc32(v, 0, 9)).toBe(0);
    expect(v.fault).toBe(true);
  });
});
