// Unit tests of the byte-level pieces: the ABI pair serialization, the Envoy-like header map and the
// Wasm binary reader the load checks rely on.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readModuleShape } from "../../proxy-wasm-host/bytecode.js";
import { HeaderMap } from "../../proxy-wasm-host/headers.js";
import { decodePairs, encodePairs } from "../../proxy-wasm-host/pairs.js";
import { buildRawModule } from "./helpers.js";

/** The ABI layout written out by hand: u32 count, (u32 key len, u32 value len)*, then key\0value\0 each. */
function expectedPairs(pairs: Array<[string, string]>): Buffer {
  const parts: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return b;
  };
  parts.push(u32(pairs.length));
  for (const [k, v] of pairs) parts.push(u32(Buffer.from(k, "latin1").length), u32(Buffer.from(v, "latin1").length));
  for (const [k, v] of pairs) parts.push(Buffer.from(k, "latin1"), Buffer.from([0]), Buffer.from(v, "latin1"), Buffer.from([0]));
  return Buffer.concat(parts);
}

test("pairs encode byte-exact: empty values, duplicates, NUL and non-ASCII bytes", () => {
  const pairs: Array<[string, string]> = [
    [":path", "/"],
    ["x-empty", ""],
    ["x-dup", "one"],
    ["x-dup", "two"],
    ["x-bin", "\xff\x00\xe9"],
  ];
  const bytes = encodePairs(pairs);
  assert.deepEqual(Buffer.from(bytes), expectedPairs(pairs));
  assert.equal(bytes.length, 4 + 5 * 8 + pairs.reduce((n, [k, v]) => n + k.length + v.length + 2, 0));
  assert.deepEqual(decodePairs(bytes), pairs);
});

test("pairs decode rejects malformed buffers like cpp-host PairsUtil::toPairs (empty result)", () => {
  const good = encodePairs([["a", "b"]]);
  assert.deepEqual(decodePairs(good.subarray(0, good.length - 1)), []); // truncated
  const noNul = new Uint8Array(good);
  noNul[good.length - 1] = 0x41;
  assert.deepEqual(decodePairs(noNul), []); // missing terminator
  assert.deepEqual(decodePairs(new Uint8Array([...good, 0])), []); // trailing byte
  assert.deepEqual(decodePairs(new Uint8Array(0)), []);
  assert.deepEqual(decodePairs(encodePairs([])), []);
});

test("header map follows Envoy: lower-case keys, pseudo-headers first, first value wins, setCopy moves to the end", () => {
  const m = new HeaderMap([
    ["Host-Like", "a"],
    [":path", "/x"],
    ["X-Dup", "1"],
    ["x-dup", "2"],
  ]);
  assert.deepEqual(m.pairs(), [
    [":path", "/x"],
    ["host-like", "a"],
    ["x-dup", "1"],
    ["x-dup", "2"],
  ]);
  assert.equal(m.get("X-DUP"), "1");
  m.add(":method", "GET");
  assert.deepEqual(m.pairs()[1], [":method", "GET"]);
  m.replace("x-dup", "3");
  assert.deepEqual(m.pairs().slice(-1), [["x-dup", "3"]]);
  assert.equal(m.getAll("x-dup").length, 1);
  assert.equal(m.byteSize(), ":path/x:methodGEThost-likeax-dup3".length);
  m.add("X-\xc4", "v"); // only ASCII is folded
  assert.equal(m.pairs().at(-1)![0], "x-\xc4");
});

test("bytecode reader lists imports with their types and the exports", () => {
  const shape = readModuleShape(
    buildRawModule({ imports: [["env", "proxy_log", "iii:i"], ["env", "proxy_increment_metric", "iI:i"]], exports: ["proxy_abi_version_0_2_1"] }),
  );
  assert.deepEqual(shape.imports, [
    { module: "env", name: "proxy_log", kind: "function", signature: "iii:i" },
    { module: "env", name: "proxy_increment_metric", kind: "function", signature: "iI:i" },
  ]);
  assert.deepEqual(shape.exports, ["memory", "malloc", "proxy_abi_version_0_2_1"]);
  assert.throws(() => readModuleShape(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), /magic/);
});
