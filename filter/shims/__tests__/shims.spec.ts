// The SDK's exported malloc/free rely on __retain/__release keeping a host-held buffer alive across a GC
// and letting it go afterwards. These tests pin that contract on AssemblyScript 0.27's collector.
import { __retain, __release } from "rt/index-full";

describe("rt/index-full shim", () => {
  it("keeps a retained buffer alive and intact across a full collection", () => {
    const ptr = __retain(changetype<usize>(new ArrayBuffer(64)));
    store<u8>(ptr, 0xab);
    store<u8>(ptr + 63, 0xcd);
    __collect();
    // Allocate over whatever the collector might have freed; the pinned buffer must be untouched.
    for (let i = 0; i < 100; i++) new ArrayBuffer(64);
    expect(load<u8>(ptr)).toBe(0xab);
    expect(load<u8>(ptr + 63)).toBe(0xcd);
    expect(changetype<ArrayBuffer>(ptr).byteLength).toBe(64);
    __release(ptr);
  });

  it("refuses to release a buffer twice (the runtime traps instead of corrupting memory)", () => {
    expect(() => {
      const ptr = __retain(changetype<usize>(new ArrayBuffer(8)));
      __release(ptr);
      __release(ptr);
    }).toThrow();
  });
});
