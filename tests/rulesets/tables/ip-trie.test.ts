// Unit tests of the @ipMatch builder (rulesets/matchers/ip-trie.ts): ModSecurity syntax, CIDR edge cases, the trie
// encoding and the TS lookup.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  IpMatchBuildError,
  IpSetTable,
  buildIpSet,
  parseIpAddress,
  parseIpEntry,
  parseIpMatchFromFileData,
  parseIpMatchParam,
  validateIpPayload,
} from "../../../rulesets/matchers/ip-trie";
import { IpResult } from "../../../rulesets/tables/format";

const set = (entries: string[], matchV4Mapped = false) => new IpSetTable(buildIpSet(entries, { matchV4Mapped }).payload);
const hex = (a: Uint8Array | undefined) => (a ? Buffer.from(a).toString("hex") : "null");

describe("inet_pton (glibc-compatible)", () => {
  const v4ok = ["0.0.0.0", "255.255.255.255", "1.2.3.4", "10.0.0.1", "192.168.100.200"];
  const v4bad = ["", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "256.1.1.1", "1.2.3.4 ", " 1.2.3.4", "1..2.3", "1.2.3.", ".1.2.3.4", "0x1.2.3.4", "1.2.3.4/8", "１.2.3.4", "1.2.3.-4"];
  const v6 = new Map<string, string | null>([
    ["::", "00000000000000000000000000000000"],
    ["::1", "00000000000000000000000000000001"],
    ["1::", "00010000000000000000000000000000"],
    ["2001:db8::1", "20010db8000000000000000000000001"],
    ["2001:DB8:0:0:0:0:0:1", "20010db8000000000000000000000001"],
    ["1:2:3:4:5:6:7:8", "00010002000300040005000600070008"],
    ["1::2:3:4:5:6:7", "00010000000200030004000500060007"],
    ["1:2:3:4:5:6:7::", "00010002000300040005000600070000"],
    ["::ffff:1.2.3.4", "00000000000000000000ffff01020304"],
    ["::1.2.3.4", "00000000000000000000000001020304"],
    ["1:2:3:4:5:6:1.2.3.4", "00010002000300040005000601020304"],
    ["ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffffffffffffffffffffffffffffffff"],
    [":", null],
    [":::", null],
    ["1:::2", null],
    [":1::2", null],
    ["1::2::3", null],
    ["1:2:3:4:5:6:7:8:9", null],
    ["1:2:3:4:5:6:7::8", null],
    ["1:2:3:4:5:6:7:8::", null],
    ["12345::", null],
    ["1:", null],
    ["g::", null],
    ["::ffff:1.2.3", null],
    ["::ffff:01.2.3.4", null],
    ["1:2:3:4:5:6:7:1.2.3.4", null],
    ["::1.2.3.4:5", null],
    ["[::1]", null],
    ["fe80::1%eth0", null],
    ["::1/128", null],
  ]);

  it("accepts and rejects IPv4 exactly as inet_pton", () => {
    for (const s of v4ok) assert.equal(hex(parseIpAddress(s)?.addr), Buffer.from(s.split(".").map(Number)).toString("hex"), s);
    for (const s of v4bad) assert.equal(parseIpAddress(s), null, JSON.stringify(s));
  });

  it("accepts and rejects IPv6 exactly as inet_pton", () => {
    for (const [s, want] of v6) assert.equal(hex(parseIpAddress(s)?.addr), want ?? "null", s);
  });
});

describe("@ipMatch entries", () => {
  it("parses addresses, CIDR, masks host bits", () => {
    assert.deepEqual(parseIpEntry("10.1.2.3/8"), { family: 4, addr: new Uint8Array([10, 0, 0, 0]), prefix: 8, text: "10.1.2.3/8" });
    assert.equal(parseIpEntry("1.2.3.4").prefix, 32);
    assert.equal(parseIpEntry("::1").prefix, 128);
    assert.equal(parseIpEntry("::1/128").prefix, 128, "ModSecurity refuses this by accident; we accept it");
    assert.equal(hex(parseIpEntry("2001:db8:ffff::/33").addr), "20010db8800000000000000000000000");
    assert.equal(parseIpEntry(" 1.2.3.4/24\r").prefix, 24, "blanks and CR are ignored");
  });

  it("refuses invalid entries, naming them", () => {
    const bad = ["1.2.3.4/33", "::/129", "1.2.3.4/", "1.2.3.4/24abc", "1.2.3.4/255.255.255.0", "1.2.3.4/-1", "1.2.3", "localhost", "1.2.3.4/2/3", "::1/1:2", "01.2.3.4", "[::1]"];
    for (const e of bad) {
      assert.throws(
        () => parseIpEntry(e),
        (err: unknown) => err instanceof IpMatchBuildError && err.entry === e && err.message.includes(JSON.stringify(e)),
        e,
      );
    }
  });

  it("splits @ipMatch lists and @ipMatchFromFile data as ModSecurity does", () => {
    assert.deepEqual(parseIpMatchParam("127.0.0.1,::1").map((e) => e.family), [4, 6]);
    assert.deepEqual(parseIpMatchParam("1.1.1.1,,2.2.2.2,").length, 2, "empty items skipped (strtok)");
    const fromFile = parseIpMatchFromFileData("# header\n10.0.0.0/8\n\n192.168.0.1, 192.168.0.2 # two\n::1\n");
    assert.deepEqual(fromFile.map((e) => e.prefix), [8, 32, 32, 128]);
    assert.throws(() => parseIpMatchFromFileData("1.2.3.4\nnot-an-ip\n", "bad.data"), /bad\.data:2: .*not-an-ip/);
  });
});

describe("IP trie", () => {
  it("matches single addresses exactly (/32, /128)", () => {
    const t = set(["127.0.0.1", "::1"]);
    assert.equal(t.lookup("127.0.0.1"), IpResult.MATCH);
    assert.equal(t.lookup("127.0.0.2"), IpResult.NO_MATCH);
    assert.equal(t.lookup("127.0.0.0"), IpResult.NO_MATCH);
    assert.equal(t.lookup("::1"), IpResult.MATCH);
    assert.equal(t.lookup("0:0:0:0:0:0:0:1"), IpResult.MATCH);
    assert.equal(t.lookup("::2"), IpResult.NO_MATCH);
    assert.equal(t.lookup("::"), IpResult.NO_MATCH);
  });

  it("matches CIDR ranges at their boundaries", () => {
    const t = set(["10.0.0.0/8", "192.168.1.128/25", "2001:db8::/32", "fe80::/10"]);
    for (const [ip, want] of [
      ["10.0.0.0", 1], ["10.255.255.255", 1], ["9.255.255.255", 0], ["11.0.0.0", 0],
      ["192.168.1.128", 1], ["192.168.1.255", 1], ["192.168.1.127", 0],
      ["2001:db8::", 1], ["2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", 1], ["2001:db9::", 0], ["2001:db7:ffff::", 0],
      ["fe80::1", 1], ["febf:ffff::", 1], ["fec0::", 0],
    ] as const) {
      assert.equal(t.lookup(ip), want, ip);
    }
  });

  it("handles /0 as the whole family only", () => {
    const v4all = set(["0.0.0.0/0"]);
    assert.equal(v4all.lookup("1.2.3.4"), IpResult.MATCH);
    assert.equal(v4all.lookup("255.255.255.255"), IpResult.MATCH);
    assert.equal(v4all.lookup("::1"), IpResult.NO_MATCH);
    const v6all = set(["::/0"]);
    assert.equal(v6all.lookup("::"), IpResult.MATCH);
    assert.equal(v6all.lookup("ffff::1"), IpResult.MATCH);
    assert.equal(v6all.lookup("1.2.3.4"), IpResult.NO_MATCH);
    assert.equal(buildIpSet(["0.0.0.0/0", "1.2.3.4"]).nodeCount, 1, "no nodes: the root is FULL (node 0 is the placeholder)");
  });

  it("keeps families apart for v4-mapped input unless asked (ModSecurity parity)", () => {
    const t = set(["1.2.3.4", "10.0.0.0/8"]);
    assert.equal(t.lookup("::ffff:1.2.3.4"), IpResult.NO_MATCH);
    const mapped = set(["1.2.3.4", "10.0.0.0/8"], true);
    assert.equal(mapped.lookup("::ffff:1.2.3.4"), IpResult.MATCH);
    assert.equal(mapped.lookup("::ffff:10.9.8.7"), IpResult.MATCH);
    assert.equal(mapped.lookup("::ffff:11.0.0.1"), IpResult.NO_MATCH);
    assert.equal(mapped.lookup("::1.2.3.4"), IpResult.NO_MATCH, "v4-compatible is not v4-mapped");
    const v6entry = set(["::ffff:1.2.3.4"]);
    assert.equal(v6entry.lookup("::ffff:1.2.3.4"), IpResult.MATCH);
    assert.equal(v6entry.lookup("::ffff:102:304"), IpResult.MATCH, "same address, hex spelling");
    assert.equal(v6entry.lookup("1.2.3.4"), IpResult.NO_MATCH);
  });

  it("reports unparseable input values as INVALID_ADDRESS", () => {
    const t = set(["0.0.0.0/0", "::/0"]);
    for (const v of ["", "x", "1.2.3", "[::1]", "1.2.3.4:80", " 1.2.3.4"]) assert.equal(t.lookup(v), IpResult.INVALID_ADDRESS, v);
  });

  it("merges covered and complementary prefixes", () => {
    assert.equal(buildIpSet(["10.0.0.0/9", "10.128.0.0/9"]).nodeCount, buildIpSet(["10.0.0.0/8"]).nodeCount);
    assert.equal(buildIpSet(["10.0.0.0/8", "10.1.2.3"]).nodeCount, buildIpSet(["10.0.0.0/8"]).nodeCount);
    assert.equal(buildIpSet(["10.1.2.3", "10.0.0.0/8"]).nodeCount, buildIpSet(["10.0.0.0/8"]).nodeCount);
    const empty = buildIpSet([]);
    assert.equal(new IpSetTable(empty.payload).lookup("1.2.3.4"), IpResult.NO_MATCH);
  });

  it("agrees with a brute-force prefix check on random sets", () => {
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    for (let round = 0; round < 40; round++) {
      const entries = Array.from({ length: 1 + (rnd() % 6) }, () => {
        const a = [10, rnd() & 3, rnd() & 7, rnd()];
        return { text: `${a.join(".")}/${8 + (rnd() % 25)}`, a };
      });
      const t = set(entries.map((e) => e.text));
      for (let i = 0; i < 200; i++) {
        const a = [10, rnd() & 3, rnd() & 7, rnd()];
        const n = ((a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3]) >>> 0;
        const want = entries.some((e) => {
          const p = Number(e.text.split("/")[1]);
          const m = ((e.a[0] << 24) | (e.a[1] << 16) | (e.a[2] << 8) | e.a[3]) >>> 0;
          return n >>> (32 - p) === m >>> (32 - p);
        });
        assert.equal(t.lookup(a.join(".")), want ? 1 : 0, `${a.join(".")} in ${entries.map((e) => e.text)}`);
      }
    }
  });

  it("validator rejects backward or out-of-range references", () => {
    const p = buildIpSet(["10.0.0.0/8"]).payload;
    assert.equal(validateIpPayload(p), null);
    const back = p.slice();
    new DataView(back.buffer).setUint32(24 + 8 * 2, 1, true); // node 2 child 0 -> node 1 (backwards: a loop)
    assert.match(validateIpPayload(back)!, /node 2 child 0/);
    const root = p.slice();
    new DataView(root.buffer).setUint32(4, 500, true);
    assert.match(validateIpPayload(root)!, /root/);
    assert.match(validateIpPayload(p.subarray(0, p.length - 8))!, /size/);
  });
});
