// The trigger sets of filter/transforms/triggers.ts against the transformations themselves: whenever a value holds
// no byte kind that triggers a transformation, the transformation must report "unchanged" — on every single byte,
// every pair of bytes, and random values. (A wrong set would let the engine skip a decoding step: a bypass.)
import { applyTransform } from "../pipeline";
import { Scratch } from "../scratch";
import { TRANSFORM_COUNT } from "../ids";
import { F_ANY, featuresOf, triggersOf, triggersOfSteps } from "../triggers";

const out = new Scratch();
const map: StaticArray<i32> | null = null; // urlDecodeUni reads a unicode map only after a %u escape

/** Number of (id, value) pairs the triggers skip (checked: the transformation left each unchanged). */
function check(buf: ArrayBuffer, n: i32): i32 {
  const p = changetype<usize>(buf);
  const f = featuresOf(p, n);
  let skipped = 0;
  for (let id = 0; id < TRANSFORM_COUNT; id++) {
    if ((f & triggersOf(id)) != 0) continue;
    skipped++;
    if (applyTransform(id, p, n, out, map)) {
      let bytes = "";
      for (let i = 0; i < n; i++) bytes += load<u8>(p + <usize>i).toString(16) + " ";
      throw new Error("transformation " + id.toString() + " changed a value its triggers skip: " + bytes);
    }
  }
  return skipped;
}

describe("transformation triggers", () => {
  it("every feature set holds ANY, so transformations without a test always run", () => {
    expect(featuresOf(0, 0)).toBe(F_ANY);
    expect(triggersOf(24) & F_ANY).toBe(F_ANY, "base64Decode");
    expect(triggersOf(30) & F_ANY).toBe(F_ANY, "length");
    expect(triggersOfSteps([1, 3], 1)).toBe(triggersOf(3), "only the steps from `from`");
  });

  it("a value without a transformation's trigger bytes is left unchanged by it: single bytes and pairs", () => {
    const b = new ArrayBuffer(2);
    let skipped = 0;
    for (let x = 0; x < 256; x++) {
      store<u8>(changetype<usize>(b), <u8>x);
      skipped += check(b, 1);
      for (let y = 0; y < 256; y++) {
        store<u8>(changetype<usize>(b) + 1, <u8>y);
        skipped += check(b, 2);
      }
    }
    expect(skipped).toBeGreaterThan(1000000, "most pairs skip most transformations");
  });

  it("... and random values up to 24 bytes, over all bytes and over the bytes the triggers name", () => {
    const alphabets: string[] = ["", "aZ%+&\\\x00\xa0\xc2 \t\n\r\v\f\"'^,;/.*<-#09xX()=", "abcxyz019_:=?@[]{}|~!$`"];
    const b = new ArrayBuffer(24);
    let seed: u32 = 12345;
    let skipped = 0;
    for (let k = 0; k < 60000; k++) {
      seed = seed * 1103515245 + 12345;
      const n = <i32>((seed >>> 16) % 25);
      const alpha = alphabets[k % 3];
      for (let i = 0; i < n; i++) {
        seed = seed * 1103515245 + 12345;
        const r = seed >>> 16;
        const c = alpha.length == 0 ? r & 0xff : <u32>alpha.charCodeAt(<i32>(r % <u32>alpha.length));
        store<u8>(changetype<usize>(b) + <usize>i, <u8>c);
      }
      skipped += check(b, n);
    }
    expect(skipped).toBeGreaterThan(100000);
  });
});
