// as-pect unit tests of the rule engine on hand-built programs (builder.ts): macro expansion, setvar arithmetic,
// variable resolution (selectors, exclusions, counts), ctl, chains and skip, and the detection event.
import { ArgKind, Disruptive, OperatorKind, ProgramBuilder } from "./builder";
import { RuleEngineMode, SetVarOp, TargetFlags } from "../../../rulesets/tables/format";
import { VariableId } from "../../../rulesets/tables/variables";
import { Engine } from "../engine";
import { processUri, addRequestHeader, setConnection } from "../body";
import { Out, latin1, toLatin1, atoi, intBytes, eqNoCase } from "../bytes";
import { Collection } from "../collection";
import { TextForm, TextSink, buildEvent, humanLine, loggedRules } from "../../events/event";
import { MatchRecord, Transaction } from "../transaction";

function request(e: Engine, uri: string): void {
  e.begin("id-1", 1700000000000);
  setConnection(e, "10.0.0.1", 1234, "10.0.0.2", 80);
  processUri(e, latin1("GET"), latin1(uri), latin1("HTTP/1.1"));
  addRequestHeader(e, latin1("Host"), latin1("example.com"));
  addRequestHeader(e, latin1("Cookie"), latin1("a=1; b=2"));
}

function ids(e: Engine): string {
  let s = "";
  for (let i = 0; i < e.tx.log.length; i++) s += (i > 0 ? "," : "") + e.tx.log[i].id.toString();
  return s;
}

function tx(e: Engine, key: string): string {
  const v = e.tx.tx().get(latin1(key));
  return v === null ? "<none>" : toLatin1(v);
}

/** Positions of every entry of c whose key equals k (ASCII case-insensitive), by a plain scan. */
function scanKey(c: Collection, k: string): string {
  let s = "";
  for (let i = 0; i < c.entries.length; i++) if (toLatin1(c.entries[i].key).toLowerCase() == k.toLowerCase()) s += i.toString() + ",";
  return s;
}

/** The same positions through Collection.indexOfKey / nextIndexOfKey. */
function indexKey(c: Collection, k: string): string {
  let s = "";
  const b = latin1(k);
  const p = changetype<usize>(b), n = b.byteLength;
  for (let i = c.indexOfKey(p, n); i >= 0; i = c.nextIndexOfKey(i, p, n)) s += i.toString() + ",";
  return s;
}

function checkIndex(c: Collection): void {
  for (let k = 0; k < 150; k++) {
    expect(indexKey(c, "Key_" + k.toString())).toBe(scanKey(c, "key_" + k.toString()));
    expect(indexKey(c, "KEY_" + k.toString())).toBe(scanKey(c, "key_" + k.toString()));
  }
  expect(indexKey(c, "absent")).toBe("");
  expect(indexKey(c, "")).toBe(scanKey(c, ""));
}

describe("bytes and collections", () => {
  it("atoi follows std::stoi as ModSecurity uses it", () => {
    const v = (s: string): i64 => { const b = latin1(s); return atoi(changetype<usize>(b), b.byteLength); };
    expect(v("  42abc")).toBe(42);
    expect(v("-7")).toBe(-7);
    expect(v("x1")).toBe(0);
    expect(v("99999999999")).toBe(0);
  });
  it("eqNoCase folds ASCII letters only, in whole words and in the tail", () => {
    const eq = (x: string, y: string): bool => { const a = latin1(x), b = latin1(y); return eqNoCase(changetype<usize>(a), a.byteLength, changetype<usize>(b), b.byteLength); };
    expect(eq("TX:Blocking_Paranoia_LEVEL", "tx:blocking_paranoia_level")).toBe(true);
    expect(eq("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")).toBe(true);
    expect(eq("@[`{@[`{@[", "`{@[`{@[`{")).toBe(false); // 0x40/0x60 and 0x5b/0x7b are not letters
    expect(eq("\xc1\xc1\xc1\xc1\xc1\xc1\xc1\xc1", "\xe1\xe1\xe1\xe1\xe1\xe1\xe1\xe1")).toBe(false); // not ASCII
    expect(eq("content-typE", "content-typf")).toBe(false);
    expect(eq("abcdefgh", "abcdefg")).toBe(false);
  });
  it("intBytes writes decimal text; small values share one buffer", () => {
    expect(toLatin1(intBytes(0))).toBe("0");
    expect(toLatin1(intBytes(5))).toBe("5");
    expect(toLatin1(intBytes(1023))).toBe("1023");
    expect(toLatin1(intBytes(1024))).toBe("1024");
    expect(toLatin1(intBytes(-15))).toBe("-15");
    expect(toLatin1(intBytes(4294967296))).toBe("4294967296");
    expect(toLatin1(intBytes(i64.MIN_VALUE))).toBe("-9223372036854775808");
    expect(changetype<usize>(intBytes(10))).toBe(changetype<usize>(intBytes(10)));
  });
  it("keys compare case-insensitively; set keeps the position; remove drops every entry", () => {
    const c = new Collection("TX");
    c.add(latin1("Foo"), latin1("1"));
    c.add(latin1("bar"), latin1("2"));
    c.set(latin1("FOO"), latin1("3"));
    expect(toLatin1(c.get(latin1("foo"))!)).toBe("3");
    expect(toLatin1(c.entries[0].key)).toBe("Foo");
    c.add(latin1("BAR"), latin1("4"));
    c.remove(latin1("bar"));
    expect(c.size).toBe(1);
  });
  it("a recycling collection reuses cleared entries, holding nothing of their old key, value or caches", () => {
    const c = new Collection("MATCHED_VARS");
    c.recycleEntries();
    const first = c.add(latin1("ARGS:a"), latin1("1"));
    first.store(3, 8, latin1("x"));
    first.asName();
    c.clear();
    expect(first.value.byteLength).toBe(0);
    expect(first.cached(3)).toBeNull();
    const again = c.add(latin1("ARGS:b"), latin1("2"));
    expect(changetype<usize>(again)).toBe(changetype<usize>(first));
    expect(toLatin1(again.key)).toBe("ARGS:b");
    expect(toLatin1(again.asName().value)).toBe("ARGS:b");
    expect(toLatin1(c.get(latin1("args:b"))!)).toBe("2");
    expect(c.get(latin1("ARGS:a"))).toBeNull();
  });
  it("keyed lookups in a large collection (hash index) agree with a scan, through adds, removals and clear", () => {
    const c = new Collection("TX");
    checkIndex(c); // empty
    for (let k = 0; k < 5; k++) c.add(latin1("key_" + k.toString()), latin1("v"));
    checkIndex(c); // small: scanned
    for (let k = 0; k < 120; k++) c.add(latin1((k % 3 == 0 ? "KEY_" : "key_") + (k % 70).toString()), latin1(k.toString()));
    c.add(latin1(""), latin1("empty key"));
    checkIndex(c); // indexed, grown past the first table, duplicate keys in order
    c.set(latin1("Key_7"), latin1("new"));
    expect(toLatin1(c.get(latin1("KEY_7"))!)).toBe("new");
    c.remove(latin1("KEY_3"));
    checkIndex(c); // index dropped and rebuilt
    for (let k = 100; k < 110; k++) c.set(latin1("key_" + k.toString()), latin1("x"));
    checkIndex(c);
    c.clear();
    checkIndex(c);
    c.add(latin1("key_1"), latin1("again"));
    checkIndex(c);
  });
  it("JSON text escapes quotes, controls and bytes above 0x7e", () => {
    const jsonString = (s: string): string => {
      const w = new TextSink(new Out());
      w.ascii('"');
      w.str(s);
      w.ascii('"');
      return w.out.toLatin1();
    };
    expect(jsonString("a\"b\\c\n\x01\xe9")).toBe("\"a\\\"b\\\\c\\n\\u0001\\u00e9\"");
    expect(jsonString("\r\t\x1f\x7f\u0101 ~")).toBe("\"\\r\\t\\u001f\\u007f\\u0101 ~\"");
    expect(jsonString("")).toBe("\"\"");
  });
  it("JSON text: every byte, and every char below 0x10000, as a byte string and as a string", () => {
    // the escape each char should get, spelled out here independently of the writer's tables
    const want = (c: i32): string => {
      if (c == 0x22) return "\\\"";
      if (c == 0x5c) return "\\\\";
      if (c == 0x0a) return "\\n";
      if (c == 0x0d) return "\\r";
      if (c == 0x09) return "\\t";
      if (c >= 0x20 && c < 0x7f) return String.fromCharCode(c);
      let h = c.toString(16);
      while (h.length < 4) h = "0" + h;
      return "\\u" + h;
    };
    let bytes = "";
    let expected = "";
    for (let c = 0; c < 256; c++) {
      bytes += String.fromCharCode(c);
      expected += want(c);
    }
    const b = new TextSink(new Out());
    b.bytes(latin1(bytes));
    expect(b.out.toLatin1()).toBe(expected);
    const s = new TextSink(new Out());
    s.str(bytes);
    expect(s.out.toLatin1()).toBe(expected);
    for (let c = 0x100; c < 0x10000; c += 0x3f) {
      const w = new TextSink(new Out());
      w.str("a" + String.fromCharCode(c) + "b");
      expect(w.out.toLatin1()).toBe("a" + want(c) + "b");
    }
    // the writer takes plain runs a word at a time (8 bytes, 4 chars): each byte at each place of a 19-char text,
    // amid plain chars, and the lane neighbours of the plain range's ends
    for (let c = 0; c < 0x10000; c = c < 0x100 ? c + 1 : c * 3 + 1) {
      for (let at = 0; at < 19; at++) {
        let text = "";
        let expect_ = "";
        for (let j = 0; j < 19; j++) {
          const d = j == at ? c : 0x61 + j;
          text += String.fromCharCode(d);
          expect_ += want(d);
        }
        const s = new TextSink(new Out());
        s.str(text);
        expect(s.out.toLatin1()).toBe(expect_);
        if (c < 0x100) {
          const b = new TextSink(new Out());
          b.bytes(latin1(text));
          expect(b.out.toLatin1()).toBe(expect_);
        }
      }
    }
  });
  it("an event's timestamp is Date#toISOString's text, calendar edges included", () => {
    const day: i64 = 86_400_000;
    const instants: i64[] = [0, 1, 999, 1000, day - 1, day, 951_782_400_000 /* 2000-02-29 */, 951_868_800_000,
      4_107_542_400_000 /* 2100-03-01 */, 4_107_456_000_000, 1_700_000_000_000, 253_402_300_799_999];
    // and a day-spaced walk over four centuries, each at a different time of day
    for (let d: i64 = 0; d < 146_097; d += 37) instants.push(d * day + ((d * 7_919_993) % day));
    for (let i = 0; i < instants.length; i++) {
      const w = new TextSink(new Out());
      w.isoTime(instants[i]);
      expect(w.out.toLatin1()).toBe(new Date(instants[i]).toISOString());
    }
  });
  it("long text is written whole and escaped the same across the writer's chunks (4,096 chars)", () => {
    // 10,000 chars of a repeating pattern with an escaped char every 7: escapes fall on both sides of each chunk end
    let s = "";
    let want = "";
    for (let i = 0; i < 10000; i++) {
      const c = i % 7 == 6 ? "\"" : String.fromCharCode(0x61 + (i % 7));
      s += c;
      want += c == "\"" ? "\\\"" : c;
    }
    const w = new TextSink(new Out());
    w.str(s);
    expect(w.out.toLatin1()).toBe(want);
    const b = new TextSink(new Out());
    b.bytes(latin1(s));
    expect(b.out.toLatin1()).toBe(want);
    const cut = new TextSink(new Out());
    cut.bytes(latin1(s), 4097);
    expect(cut.out.toLatin1()).toBe(want.substring(0, 4097 + <i32>Math.floor(4097 / 7)));
    // the log form: UTF-8 of each latin1 char
    const l = new TextSink(new Out());
    l.form = TextForm.LOG;
    let hi = "";
    for (let i = 0; i < 5000; i++) hi += "\xe9";
    l.bytes(latin1(hi));
    expect(l.out.len).toBe(10000);
    // a string char beyond latin1 in the log form: that char and the rest as UTF-8
    const u = new TextSink(new Out());
    u.form = TextForm.LOG;
    u.str("a\xe9\u0101b");
    const got = u.out.take();
    expect(got.byteLength).toBe(6);
    const utf8: u8[] = [0x61, 0xc3, 0xa9, 0xc4, 0x81, 0x62];
    for (let i = 0; i < 6; i++) expect(load<u8>(changetype<usize>(got) + <usize>i)).toBe(utf8[i]);
  });
});

describe("macros and setvar", () => {
  it("expands text and %{TX.key} references; =+ =- and ! work on TX", () => {
    const b = new ProgramBuilder();
    const a0 = b.setvar(VariableId.TX, "score", SetVarOp.SET, b.text("10"));
    b.setvar(VariableId.TX, "score", SetVarOp.ADD, b.text("5"));
    b.setvar(VariableId.TX, "score", SetVarOp.SUB, b.macro(["two"], [VariableId.TX]));
    b.setvar(VariableId.TX, "two", SetVarOp.SET, b.text("2"));
    b.setvar(VariableId.TX, "gone", SetVarOp.SET, b.text("x"));
    b.setvar(VariableId.TX, "gone", SetVarOp.UNSET, b.text(""));
    b.setvar(VariableId.TX, "msg", SetVarOp.SET, b.macro(["s=", "score", " uri=", ""], [-1, VariableId.TX, -1, VariableId.REQUEST_URI]));
    b.rule(1, 1, OperatorKind.UNCONDITIONAL_MATCH, ArgKind.NONE, 0, 0, 0, Disruptive.PASS, a0, 7);
    const e = b.build();
    request(e, "/p%41th?x=1");
    e.phase(1);
    // tx.two is unset when score-=two runs: 10 + 5 - 0
    expect(tx(e, "score")).toBe("15");
    expect(tx(e, "gone")).toBe("<none>");
    expect(tx(e, "msg")).toBe("s=15 uri=/pAth?x=1");
  });
});

describe("variables", () => {
  it("key selectors, exclusions and counts", () => {
    const b = new ProgramBuilder();
    // rule 1: ARGS|!ARGS:safe contains "bad"
    const t1 = b.target(VariableId.ARGS);
    b.target(VariableId.ARGS, "safe", TargetFlags.EXCLUDE);
    b.rule(1, 1, OperatorKind.CONTAINS, ArgKind.STRING, b.str("bad"), t1, 2, Disruptive.PASS, 0, 0);
    // rule 2: &ARGS == 3
    const t2 = b.target(VariableId.ARGS, "", TargetFlags.COUNT);
    b.rule(2, 1, OperatorKind.EQ, ArgKind.NUMBER, 3, t2, 1, Disruptive.PASS, 0, 0);
    // rule 3: REQUEST_COOKIES:B == 2 (case-insensitive key)
    const t3 = b.target(VariableId.REQUEST_COOKIES, "B");
    b.rule(3, 1, OperatorKind.STREQ, ArgKind.STRING, b.str("2"), t3, 1, Disruptive.PASS, 0, 0);
    // rule 4: REQUEST_HEADERS:host streq example.com
    const t4 = b.target(VariableId.REQUEST_HEADERS, "host");
    b.rule(4, 1, OperatorKind.STREQ, ArgKind.STRING, b.str("example.com"), t4, 1, Disruptive.PASS, 0, 0);
    const e = b.build();
    request(e, "/?safe=bad&x=ok&y=good");
    e.phase(1);
    expect(ids(e)).toBe("2,3,4");
    request(e, "/?safe=bad&x=bad");
    e.phase(1);
    expect(ids(e)).toBe("1,3,4");
    expect(toLatin1(e.tx.log[0].matchedVarName)).toBe("ARGS:x");
  });
});

describe("flow", () => {
  it("a chain needs every link; skip jumps over rules; deny in On mode intervenes", () => {
    const b = new ProgramBuilder();
    const ta = b.target(VariableId.ARGS, "a");
    const tb = b.target(VariableId.ARGS, "b");
    b.rule(1, 1, OperatorKind.STREQ, ArgKind.STRING, b.str("1"), ta, 1, Disruptive.PASS, 0, 0);
    b.link(OperatorKind.STREQ, ArgKind.STRING, b.str("2"), tb, 1);
    b.rule(2, 1, OperatorKind.STREQ, ArgKind.STRING, b.str("skip"), ta, 1, Disruptive.PASS, 0, 0, 0xffffffff, 1);
    b.rule(3, 1, OperatorKind.UNCONDITIONAL_MATCH, ArgKind.NONE, 0, 0, 0, Disruptive.PASS, 0, 0);
    b.rule(4, 2, OperatorKind.STREQ, ArgKind.STRING, b.str("x"), tb, 1, Disruptive.DENY, 0, 0);
    b.rule(5, 2, OperatorKind.UNCONDITIONAL_MATCH, ArgKind.NONE, 0, 0, 0, Disruptive.PASS, 0, 0);
    const e = b.build();
    request(e, "/?a=1&b=2");
    e.phase(1);
    e.phase(2);
    expect(ids(e)).toBe("1,3,5");
    request(e, "/?a=1&b=3");
    e.phase(1);
    expect(ids(e)).toBe("3");
    request(e, "/?a=skip&b=x");
    e.phase(1);
    expect(e.phase(2)).toBe(true);
    // rule 2 matched (and logs) and skipped rule 3
    expect(ids(e)).toBe("2,4");
    expect(e.tx.decision.status).toBe(403);
    expect(e.tx.decision.ruleId).toBe(4);
  });
  it("DetectionOnly logs a deny without intervening", () => {
    const b = new ProgramBuilder(RuleEngineMode.DETECTION_ONLY);
    b.rule(9, 1, OperatorKind.UNCONDITIONAL_MATCH, ArgKind.NONE, 0, 0, 0, Disruptive.DENY, 0, 0);
    const e = b.build();
    request(e, "/");
    expect(e.phase(1)).toBe(false);
    expect(ids(e)).toBe("9");
    expect(e.tx.log[0].disruptive).toBe(false);
  });
});

describe("ctl", () => {
  it("ruleRemoveById removes later rules of the transaction; ruleEngine switches the mode", () => {
    const b = new ProgramBuilder();
    const a = b.ctlRemoveById(10, 11);
    const ta = b.target(VariableId.ARGS, "rm");
    b.rule(1, 1, OperatorKind.STREQ, ArgKind.STRING, b.str("1"), ta, 1, Disruptive.PASS, a, 1);
    const c = b.ctlRuleEngine(RuleEngineMode.DETECTION_ONLY);
    b.rule(2, 1, OperatorKind.STREQ, ArgKind.STRING, b.str("detect"), ta, 1, Disruptive.PASS, c, 1);
    b.rule(10, 1, OperatorKind.UNCONDITIONAL_MATCH, ArgKind.NONE, 0, 0, 0, Disruptive.PASS, 0, 0);
    b.rule(11, 2, OperatorKind.UNCONDITIONAL_MATCH, ArgKind.NONE, 0, 0, 0, Disruptive.DENY, 0, 0);
    const e = b.build();
    request(e, "/?rm=1");
    e.phase(1);
    expect(e.phase(2)).toBe(false);
    expect(ids(e)).toBe("1");
    request(e, "/?rm=detect");
    e.phase(1);
    expect(e.phase(2)).toBe(false);
    expect(ids(e)).toBe("2,10,11");
    request(e, "/?rm=0");
    e.phase(1);
    expect(e.phase(2)).toBe(true);
  });
});

describe("event", () => {
  it("bytes of a message are escaped in the event and UTF-8 in the log line; data is cut at 200", () => {
    const tx = new Transaction();
    tx.host = "h";
    tx.path = "/p";
    const m = new MatchRecord();
    m.id = 9;
    m.severity = 2;
    m.msg = latin1("caf\xe9 \"q\"");
    let long = "";
    for (let i = 0; i < 250; i++) long += "x";
    m.logdata = latin1(long);
    m.file = "/r.conf";
    tx.log.push(m);
    const ev = toLatin1(buildEvent(tx, "rid", 0, loggedRules(tx)));
    expect(ev.includes("\"message\":\"caf\\u00e9 \\\"q\\\"\"")).toBe(true);
    expect(ev.includes("\"rule_info\":\"[id \\\"9\\\"] [msg \\\"caf\\u00e9 \\\"q\\\"\\\"]\"")).toBe(true);
    expect(ev.includes("\"data\":\"" + long.substring(0, 200) + "...\"")).toBe(true);
    const line = humanLine(tx, "rid", m);
    expect(String.UTF8.decode(line)).toBe("WAF Process Http Request [rid] URL '/p' OWASP Warning'[2] Host:'h' File:'/r.conf' Line:'0' ID:'9' Data:'" +
      long.substring(0, 200) + "...' Severity:'2' Version:'' Message:'caf\xe9 \"q\"'");
  });
  it("one entry per logging rule, in order, with the request facts", () => {
    const b = new ProgramBuilder();
    b.rule(7, 1, OperatorKind.UNCONDITIONAL_MATCH, ArgKind.NONE, 0, 0, 0, Disruptive.DENY, 0, 0, b.text("bad \"thing\""));
    const e = b.build();
    request(e, "/x?y=1");
    e.phase(1);
    expect(loggedRules(e.tx).length).toBe(1);
    const ev = toLatin1(buildEvent(e.tx, "rid", 1700000000000, loggedRules(e.tx)));
    expect(ev.includes("\"@timestamp\":\"2023-11-14T22:13:20.000Z\"")).toBe(true);
    expect(ev.includes("\"rules\":[{\"id\":7,\"message\":\"bad \\\"thing\\\"\",\"severity\":-1,\"file\":\"/t.conf\",\"line\":7,\"phase\":1,\"data\":\"\",\"disruptive\":true}]")).toBe(true);
    expect(ev.includes("\"source\":{\"ip\":\"10.0.0.1\",\"port_num\":1234}")).toBe(true);
    expect(ev.includes("\"action\":\"deny\",\"mode\":\"On\"")).toBe(true);
  });
});
