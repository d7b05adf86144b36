// Pipeline API properties: fast path (unchanged values are not copied), ping-pong scratches with no growth
// in steady state, no trap and bounded work on hostile inputs, and the TS/AS name tables agree.
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { TransformsModule } from "./wasm";
import { TRANSFORM_NAMES, idOf } from "./names";
import { TransformId, TRANSFORM_COUNT } from "../../filter/transforms/ids";
import { rng } from "./corpus";

let mod: TransformsModule;
before(async () => {
  mod = await TransformsModule.load();
});

const bytes = (s: string) => Buffer.from(s, "latin1");
const str = (u: Uint8Array) => Buffer.from(u).toString("latin1");

test("ids: TypeScript imports the const enum; names agree with the AssemblyScript table", () => {
  assert.equal(TransformId.None, 0);
  const seen = new Set<number>();
  for (const [name, id] of TRANSFORM_NAMES) {
    assert.ok(id >= 0 && id < TRANSFORM_COUNT, name);
    assert.equal(mod.idByName(name), id, name);
    seen.add(id);
  }
  assert.equal(seen.size, TRANSFORM_COUNT);
  assert.equal(mod.idByName("urldecode"), -1); // names are case-sensitive, like the SecLang parser
  assert.equal(mod.idByName("nope"), -1);
});

test("fast path: a value the chain does not change is returned in place", () => {
  const chain = ["urlDecodeUni", "htmlEntityDecode", "jsDecode", "cssDecode", "lowercase", "removeNulls", "trim", "compressWhitespace", "normalizePath", "utf8toUnicode", "cmdLine", "removeComments", "replaceComments", "escapeSeqDecode", "removeWhitespace", "urlEncode"].map((n) => idOf.get(n)!);
  const v = bytes("plainvalue123");
  const out = mod.run(chain, v);
  assert.equal(str(out), "plainvalue123");
  assert.equal(mod.lastPtr, mod.lastInputPtr, "result view must point at the input");
  assert.equal(mod.x.changed(), 0);
  // and a changed value leaves the input
  const out2 = mod.run([TransformId.Lowercase], bytes("ABC"));
  assert.equal(str(out2), "abc");
  assert.notEqual(mod.lastPtr, mod.lastInputPtr);
  // trim returns a view into its input
  mod.run([TransformId.Trim], bytes("  x  "));
  assert.equal(mod.lastPtr, mod.lastInputPtr + 2);
});

test("examples", () => {
  const cases: [string[], string, string][] = [
    [["urlDecodeUni"], "%u0041%uff21%41+%zz", "AA" + "A" + " %zz"],
    [["htmlEntityDecode"], "&lt;&#x41&#66;&amp&foo;", "<AB&&foo;"],
    [["jsDecode"], "\\x41\\u0042\\103\\n\\z", "ABC\nz"],
    [["cssDecode"], "\\41 x\\\n\\", "Ax"],
    [["escapeSeqDecode"], "\\x41\\101\\q", "AAq"],
    [["utf8toUnicode"], "a\xc3\xa9", "a%u00e9"],
    [["normalizePath"], "/a/b/../c/./d//e/", "/a/c/d/e/"],
    [["normalizePathWin"], "a\\b\\..\\c", "a/c"],
    [["cmdLine"], "C:\\WIN\\\"sys\" ,; /x", "c:winsys/x"],
    [["removeComments"], "a/*x*/b--c", "ab"],
    [["replaceComments"], "a/*x*/b/*", "a b "],
    [["removeCommentsChar"], "a/*b*/c<!--d-->e--f#g", "abcdefg"],
    [["base64Decode"], "QUJD", "ABC"],
    [["base64Decode"], "QU!D", ""],
    [["base64DecodeExt"], "QU!JD", "ABC"],
    [["base64Encode"], "ABCD", "QUJDRA=="],
    [["hexEncode"], "A\xff", "41ff"],
    [["hexDecode"], "41ff4", "A\xff"],
    [["sqlHexDecode"], "0x414243", "ABC"],
    [["sqlHexDecode"], "abc", "ab"], // ModSecurity 3.0.9 drops the last byte
    [["length"], "12345", "5"],
    [["compressWhitespace", "trim"], " a \t\n b ", "a b"],
    [["removeWhitespace"], "a b\xa0c\xc2d", "abcd"],
    [["replaceNulls", "uppercase"], "a\0b", "A B"],
  ];
  for (const [names, input, want] of cases) {
    assert.equal(str(mod.run(names.map((n) => idOf.get(n)!), bytes(input))), want, `${names} ${JSON.stringify(input)}`);
  }
  assert.equal(Buffer.from(mod.run([TransformId.Md5], bytes("abc"))).toString("hex"), "900150983cd24fb0d6963f7d28e17f72");
  assert.equal(Buffer.from(mod.run([TransformId.Sha1], bytes("abc"))).toString("hex"), "a9993e364706816aba3e25717850c26c9cd0d89d");
});

test("steady state: repeated runs do not grow memory", () => {
  const all = Array.from({ length: TRANSFORM_COUNT }, (_, i) => i);
  const rand = rng(7);
  const inputs = Array.from({ length: 200 }, () => {
    const n = Math.floor(rand() * 2000);
    return Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
  });
  for (const v of inputs) for (const id of all) mod.run([id, TransformId.UrlEncode, TransformId.UrlDecode], v);
  const before = mod.memoryBytes;
  for (let r = 0; r < 3; r++) for (const v of inputs) for (const id of all) mod.run([id, TransformId.UrlEncode, TransformId.UrlDecode], v);
  assert.equal(mod.memoryBytes, before);
});

test("hostile inputs: large, NUL-filled, invalid UTF-8 and syntax-dense values never trap", () => {
  const size = 4 << 20;
  const rand = rng(11);
  const inputs: Uint8Array[] = [
    new Uint8Array(size), // NULs
    Uint8Array.from({ length: size }, () => Math.floor(rand() * 256)),
    bytes("%u".repeat(size / 2)),
    bytes("&#x".repeat(size / 3)),
    bytes("\\".repeat(size)),
    bytes("/..".repeat(size / 3)),
    bytes("/*".repeat(size / 2)),
    bytes("\xf0\x9f\x98".repeat(size / 3)),
    bytes("0x" + "4".repeat(size)),
    bytes("&#" + "9".repeat(size)),
  ];
  for (const v of inputs) {
    for (let id = 0; id < TRANSFORM_COUNT; id++) {
      const t0 = Date.now();
      mod.run([id], v);
      assert.ok(Date.now() - t0 < 5000, `transformation ${id} took too long on ${v.length} bytes`);
    }
  }
});
