// Unit tests of the native libinjection port. Expected values were produced by ModSecurity v3.0.9's operators
// (libmodsecurity3 3.0.9, libinjection 3.9.2); tests/libinjection/differential.test.ts compares tens of thousands
// more inputs against it.
import { detectSQLi, detectXSS } from "../index";

const BUF: usize = memory.data(256);
const FP: usize = memory.data(8);

/** Copy a latin1 test string (one byte per char) into BUF and return its length. */
function put(s: string): i32 {
  for (let i = 0; i < s.length; i++) store<u8>(BUF + <usize>i, <u8>s.charCodeAt(i));
  return s.length;
}

function sqli(s: string): string {
  const n = put(s);
  if (!detectSQLi(BUF, n, FP)) return "-";
  let out = "";
  for (let i = 0; i < 8; i++) {
    const c = load<u8>(FP + <usize>i);
    if (c == 0) break;
    out += String.fromCharCode(c);
  }
  return out;
}

function xss(s: string): bool {
  return detectXSS(BUF, put(s));
}

describe("detectSQLi", () => {
  it("flags classic injections with libinjection's fingerprint", () => {
    expect(sqli("1234 OR 1=1")).toBe("1&1");
    expect(sqli("-1839' or '1'='1")).toBe("s&sos");
    expect(sqli("1 union select 1")).toBe("1UE1");
    expect(sqli("admin'--")).toBe("sc");
    expect(sqli("' or 1=1 --")).toBe("s&1c");
    expect(sqli("$$abc$$ union select 1")).toBe("sUE1");
  });

  it("catches the product demo request (942100)", () => {
    expect(sqli("0 div 1 union#foo*/*bar\r\nselect#foo\r\n1,2,current_user")).toBe("1UE1");
  });

  it("reports unparsable comment tricks as X", () => {
    expect(sqli("1/*!union*/")).toBe("X");
    expect(sqli("select { ``")).toBe("X");
  });

  it("applies the small-fingerprint heuristics", () => {
    expect(sqli("1 union")).toBe("-");
    expect(sqli("1\xa0--")).toBe("1c");
    expect(sqli("1-- sp_password")).toBe("1c");
    expect(sqli("1 into outfile")).toBe("-");
  });

  it("leaves benign text alone", () => {
    expect(sqli("hello world")).toBe("-");
    expect(sqli("it's a nice day")).toBe("-");
    expect(sqli("1,-1")).toBe("-");
    expect(sqli("")).toBe("-");
  });

  it("writes an empty fingerprint when nothing matches", () => {
    store<u8>(FP, 0x41);
    detectSQLi(BUF, put("hello"), FP);
    expect(load<u8>(FP)).toBe(0);
  });
});

describe("detectXSS", () => {
  it("flags dangerous tags, attributes, schemes and comments", () => {
    expect(xss("<script>alert(1)</script>")).toBe(true);
    expect(xss('<a href="&#x6A;avascript:1">')).toBe(true);
    expect(xss("<a href=&#x14A;ava>")).toBe(true); // entity value truncated to a byte, like the C code
    expect(xss('x" onload="1')).toBe(true);
    expect(xss("<!DOCTYPE html>")).toBe(true);
    expect(xss("<a href=java&#10;script:1>")).toBe(true);
    expect(xss("<scr\x00ipt>")).toBe(true);
    expect(xss("<% ` %>")).toBe(true);
    expect(xss("<!--[if IE]>")).toBe(true);
  });

  it("leaves benign markup alone", () => {
    expect(xss("<b>bold</b>")).toBe(false);
    expect(xss("hello world")).toBe(false);
    expect(xss("")).toBe(false);
  });

  it("treats a 0xFF byte before an attribute as end of input (signed-char quirk)", () => {
    expect(xss("<a \xff onload=1>")).toBe(false);
    expect(xss("\xff onload=1")).toBe(false);
  });
});
