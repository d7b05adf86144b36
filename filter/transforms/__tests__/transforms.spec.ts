// Unit tests of the transformation pipeline (the byte-exact comparison with libmodsecurity lives in
// tests/transforms/differential.test.ts).
import { TransformPipeline } from "../pipeline";
import { TransformId, TRANSFORM_COUNT } from "../ids";
import { transformIdByName } from "../names";
import { buildUnicodeMap } from "../unicodemap";

// latin1 string <-> bytes
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

const pipe = new TransformPipeline();

function run1(id: i32, s: string): string {
  const ids = new StaticArray<u8>(1);
  ids[0] = <u8>id;
  const b = bytesOf(s);
  const n = pipe.run(ids, 0, 1, changetype<usize>(b), b.byteLength);
  return strOf(pipe.resultPtr, n);
}

function runNames(names: string[], s: string): string {
  const ids = new StaticArray<u8>(names.length);
  for (let i = 0; i < names.length; i++) ids[i] = <u8>transformIdByName(names[i]);
  const b = bytesOf(s);
  const n = pipe.runAll(ids, changetype<usize>(b), b.byteLength);
  return strOf(pipe.resultPtr, n);
}

describe("transformations", () => {
  it("decodes URL escapes, keeping invalid ones", () => {
    expect(run1(TransformId.UrlDecode, "a%41+%4g%")).toBe("aA %4g%");
    expect(run1(TransformId.UrlDecodeUni, "%u0041%uFF21%u12%41")).toBe("AA%u12A");
    expect(run1(TransformId.UrlEncode, "a b/*")).toBe("a+b%2f*");
  });

  it("decodes HTML entities with and without ';'", () => {
    expect(run1(TransformId.HtmlEntityDecode, "&lt;&#x41&#66;&amp&foo;&#")).toBe("<AB&&foo;&#");
    expect(run1(TransformId.HtmlEntityDecode, "&#99999999999999999999;")).toBe("\xff");
  });

  it("decodes JS, CSS and C escapes", () => {
    expect(run1(TransformId.JsDecode, "\\x41\\u0042\\103\\uff01\\z\\")).toBe("ABC!z\\");
    expect(run1(TransformId.CssDecode, "\\41 x\\\nq\\")).toBe("Axq");
    expect(run1(TransformId.EscapeSeqDecode, "\\x41\\101\\q\\")).toBe("AAq\\");
  });

  it("utf8toUnicode", () => {
    expect(run1(TransformId.Utf8ToUnicode, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80")).toBe("a%u00e9%u20ac%u1f600");
    expect(run1(TransformId.Utf8ToUnicode, "\xc3A\x80\0b")).toBe("A\x80b");
  });

  it("whitespace, nulls and case", () => {
    expect(run1(TransformId.CompressWhitespace, " a \t\n b ")).toBe(" a b ");
    expect(run1(TransformId.RemoveWhitespace, "a b\xa0c")).toBe("abc");
    expect(run1(TransformId.Trim, " \t x \n")).toBe("x");
    expect(run1(TransformId.TrimLeft, "  x ")).toBe("x ");
    expect(run1(TransformId.TrimRight, "  x ")).toBe("  x");
    expect(run1(TransformId.RemoveNulls, "a\0b\0")).toBe("ab");
    expect(run1(TransformId.ReplaceNulls, "a\0b")).toBe("a b");
    expect(run1(TransformId.Lowercase, "AbC\xc0")).toBe("abc\xc0");
    expect(run1(TransformId.Uppercase, "aBc")).toBe("ABC");
  });

  it("cmdLine and paths", () => {
    expect(run1(TransformId.CmdLine, "C:\\WIN\\\"sys\" ,; /x")).toBe("c:winsys/x");
    expect(run1(TransformId.NormalisePath, "/a/b/../c/./d//e/")).toBe("/a/c/d/e/");
    expect(run1(TransformId.NormalisePath, "../../a")).toBe("../../a");
    expect(run1(TransformId.NormalisePathWin, "a\\b\\..\\c")).toBe("a/c");
  });

  it("comments", () => {
    expect(run1(TransformId.ReplaceComments, "a/*x*/b/*")).toBe("a b ");
    expect(run1(TransformId.RemoveComments, "a/*x*/b--c")).toBe("ab");
    expect(run1(TransformId.RemoveComments, "/*a*/")).toBe("\0");
    expect(run1(TransformId.RemoveCommentsChar, "a/*b*/c<!--d-->e--f#g")).toBe("abcdefg");
  });

  it("base64, hex, digests, length", () => {
    expect(run1(TransformId.Base64Decode, "QUJD")).toBe("ABC");
    expect(run1(TransformId.Base64Decode, "QU!D")).toBe("");
    expect(run1(TransformId.Base64DecodeExt, "QU!JD")).toBe("ABC");
    expect(run1(TransformId.Base64Encode, "ABCD")).toBe("QUJDRA==");
    expect(run1(TransformId.HexEncode, "A\xff")).toBe("41ff");
    expect(run1(TransformId.HexDecode, "41ff4")).toBe("A\xff");
    expect(run1(TransformId.SqlHexDecode, "0x414243")).toBe("ABC");
    expect(run1(TransformId.Length, "12345678901")).toBe("11");
    expect(runNames(["md5", "hexEncode"], "abc")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(runNames(["sha1", "hexEncode"], "abc")).toBe("a9993e364706816aba3e25717850c26c9cd0d89d");
  });

  it("keeps an unchanged value in place and skips none", () => {
    const b = bytesOf("plain");
    const ids = new StaticArray<u8>(3);
    ids[0] = <u8>TransformId.Lowercase;
    ids[1] = <u8>TransformId.None;
    ids[2] = <u8>TransformId.UrlDecode;
    pipe.runAll(ids, changetype<usize>(b), 5);
    expect(pipe.resultPtr).toBe(changetype<usize>(b));
    expect(pipe.changed).toBe(false);
  });

  it("ping-pongs between scratches over a long chain", () => {
    expect(runNames(["hexEncode", "uppercase", "lowercase", "hexDecode", "base64Encode", "base64Decode", "urlEncode", "urlDecode"], "a b\xff")).toBe("a b\xff");
  });

  it("honours a unicode map", () => {
    const text = bytesOf("1252 (x)\n0041:62 ff21:1ff\n20127 (y)\n0041:63\n");
    pipe.setUnicodeMap(buildUnicodeMap(changetype<usize>(text), text.byteLength, 1252));
    expect(run1(TransformId.UrlDecodeUni, "%u0041%uff21%u3002%u0042")).toBe("b\xff.B");
    pipe.setUnicodeMap(null);
    expect(run1(TransformId.UrlDecodeUni, "%u0041%uff21%u3002")).toBe("AA\x02");
  });

  it("maps every name", () => {
    for (let id = 0; id < TRANSFORM_COUNT; id++) {
      const n = run1(id, "").length;
      expect(n).toBe(id == TransformId.Md5 ? 16 : id == TransformId.Sha1 ? 20 : id == TransformId.Length ? 1 : 0);
    }
    expect(transformIdByName("normalizePathWin")).toBe(TransformId.NormalisePathWin);
    expect(transformIdByName("bogus")).toBe(-1);
  });
});
