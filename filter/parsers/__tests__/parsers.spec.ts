// Unit tests of the parsers (the byte-exact comparison with libmodsecurity lives in
// tests/parsers/differential.test.ts).
import { Collector, Flag, Coll } from "../collector";
import { UrlEncodedParser } from "../urlencoded";
import { parseCookies } from "../cookies";
import { MultipartParser } from "../multipart";
import { JsonParser } from "../json";
import { XmlParser } from "../xml";

function bytesOf(s: string): ArrayBuffer {
  const b = new ArrayBuffer(s.length);
  for (let i = 0; i < s.length; i++) store<u8>(changetype<usize>(b) + <usize>i, <u8>s.charCodeAt(i));
  return b;
}

function strOf(p: usize, n: i32): string {
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(load<u8>(p + <usize>i));
  return s;
}

class Rec extends Collector {
  log: string[] = [];
  arg(np: usize, nl: i32, vp: usize, vl: i32): void {
    this.log.push("arg " + strOf(np, nl) + "=" + strOf(vp, vl));
  }
  file(np: usize, nl: i32, fp: usize, fl: i32, size: i64, cp: usize, cl: i32): void {
    this.log.push("file " + strOf(np, nl) + "=" + strOf(fp, fl) + " " + size.toString());
  }
  flag(id: i32, value: i64): void {
    if (value != 0 && id != Flag.REQBODY_NO_FILES_LENGTH) this.log.push("flag " + id.toString() + "=" + value.toString());
  }
  error(code: i32, mp: usize, ml: i32): void {
    this.log.push("error " + strOf(mp, ml));
  }
  item(coll: i32, kp: usize, kl: i32, vp: usize, vl: i32): void {
    if (coll == Coll.XML) this.log.push((strOf(kp, kl) == "/*" ? "xml " : "xml " + strOf(kp, kl) + " ") + strOf(vp, vl));
  }
  has(s: string): bool {
    return this.log.includes(s);
  }
}

describe("urlencoded", () => {
  it("splits, decodes and flags like ModSecurity", () => {
    const r = new Rec();
    const b = bytesOf("a=1&&b+c=%41%4&=x&d");
    new UrlEncodedParser().parse(changetype<usize>(b), b.byteLength, 0x26, r);
    expect(r.log.join("|")).toBe("arg a=1|arg =|arg b c=A%4|arg =x|arg d=|flag 1=1");
  });
  it("honours SecArgumentsLimit", () => {
    const r = new Rec();
    r.argsLimit = 1;
    const b = bytesOf("a=1&b=2");
    new UrlEncodedParser().parse(changetype<usize>(b), b.byteLength, 0x26, r);
    expect(r.log.join("|")).toBe("arg a=1");
  });
});

describe("cookies", () => {
  it("splits on ';' and trims like ModSecurity", () => {
    const r = new Rec();
    const b = bytesOf(" a=1 ; =x;;b=c=d; e ");
    parseCookies(changetype<usize>(b), b.byteLength, r);
    expect(r.log.join("|")).toBe("arg a=1 |arg b=c=d|arg e=");
  });
});

describe("multipart", () => {
  it("extracts fields and files, drops inner CRLFs of fields (v3.0.9)", () => {
    const r = new Rec();
    const ct = bytesOf("multipart/form-data; boundary=B");
    const body = bytesOf("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\ny\r\n--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"n.txt\"\r\n\r\n12\r\n34\r\n--B--\r\n");
    new MultipartParser().parse(changetype<usize>(ct), ct.byteLength, changetype<usize>(body), body.byteLength, r);
    expect(r.has("arg a=xy")).toBe(true);
    expect(r.has("file f=n.txt 6")).toBe(true);
    expect(r.has("flag 30=6")).toBe(true);
  });
  it("reports a missing final boundary", () => {
    const r = new Rec();
    const ct = bytesOf("multipart/form-data; boundary=B");
    const body = bytesOf("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n");
    new MultipartParser().parse(changetype<usize>(ct), ct.byteLength, changetype<usize>(body), body.byteLength, r);
    expect(r.has("error Multipart parsing error: Multipart: Final boundary missing.")).toBe(true);
  });
});

describe("json", () => {
  it("names arguments like ModSecurity", () => {
    const r = new Rec();
    const b = bytesOf('{"a":[1,{"b":null}],"":true}');
    new JsonParser().parse(changetype<usize>(b), b.byteLength, r);
    expect(r.log.join("|")).toBe("arg json.a.array_0=1|arg json.a.array_1.b=|arg json.empty-key=true");
  });
  it("survives deep nesting with the depth limit", () => {
    const r = new Rec();
    const b = new ArrayBuffer(200000);
    memory.fill(changetype<usize>(b), 0x5b, 200000);
    new JsonParser().parse(changetype<usize>(b), b.byteLength, r);
    expect(r.log[r.log.length - 1]).toBe(
      "error JSON parsing error: parse error: client cancelled parse via callback return value\n. Parsing depth limit exceeded",
    );
  });
});

describe("xml", () => {
  it("yields the root text content", () => {
    const r = new Rec();
    const b = bytesOf("<?xml version=\"1.0\"?><a>x<b>&lt;y</b><![CDATA[z]]><!--c--></a>");
    new XmlParser().parse(changetype<usize>(b), b.byteLength, r);
    expect(r.log.join("|")).toBe("xml x<yz");
  });
  it("yields attribute values as XML://@* (normalised, entities decoded, no namespace declarations)", () => {
    const r = new Rec();
    const b = bytesOf("<!DOCTYPE a [<!ENTITY e \"p\tq\">]><a xmlns=\"u\" xmlns:n=\"v\" x=\"1\t2\r\n3\" n:y='&lt;&#9;&e;'><b z=\"\"/></a>");
    new XmlParser().parse(changetype<usize>(b), b.byteLength, r);
    expect(r.log.join("|")).toBe("xml |xml //@* 1 2 3|xml //@* <\tp\tq|xml //@* ");
  });
  it("flags malformed documents", () => {
    const r = new Rec();
    const b = bytesOf("<a><b></a>");
    new XmlParser().parse(changetype<usize>(b), b.byteLength, r);
    expect(r.has("error XML parsing error: XML: Failed parsing document.")).toBe(true);
  });
});

describe("robustness", () => {
  it("never traps on pseudo-random bytes", () => {
    let seed: u32 = 12345;
    const r = new Rec();
    const up = new UrlEncodedParser();
    const mp = new MultipartParser();
    const jp = new JsonParser();
    const xp = new XmlParser();
    const ct = bytesOf("multipart/form-data; boundary=B");
    const alphabet = bytesOf("--B\r\n\"';:=&%{}[],<>/!?&#x\x00\xc3\xff");
    for (let k = 0; k < 300; k++) {
      const n = <i32>(seed % 600);
      const b = new ArrayBuffer(n);
      for (let i = 0; i < n; i++) {
        seed = seed * 1103515245 + 12345;
        store<u8>(changetype<usize>(b) + <usize>i, load<u8>(changetype<usize>(alphabet) + <usize>((seed >> 16) % <u32>alphabet.byteLength)));
      }
      r.log.length = 0;
      up.parse(changetype<usize>(b), n, 0x26, r);
      parseCookies(changetype<usize>(b), n, r);
      mp.parse(changetype<usize>(ct), ct.byteLength, changetype<usize>(b), n, r);
      jp.parse(changetype<usize>(b), n, r);
      xp.parse(changetype<usize>(b), n, r);
    }
    expect(true).toBe(true);
  });
});
