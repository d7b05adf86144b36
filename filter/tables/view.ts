// Bounds-checked little-endian views over a loaded table. Every read of table bytes in the filter goes through a
// View: an out-of-range read never traps (a trap would take the whole Envoy worker's VM down) — it returns 0 and
// sets the sticky `fault` flag, which the walkers check and turn into an error result. After load-time validation
// no read can fault; the checks are the second line of defence, and they cost one compare per read.
// A View holds a reference to its ArrayBuffer, so the bytes stay alive as long as any view on them does.

export class View {
  /** Set by any out-of-range read; never cleared (a table that faulted once is not trusted again). */
  fault: bool = false;

  private constructor(
    readonly buffer: ArrayBuffer,
    readonly start: u32,
    readonly length: u32,
  ) {}

  /** A view of the whole buffer. */
  static of(buffer: ArrayBuffer): View {
    return new View(buffer, 0, <u32>buffer.byteLength);
  }

  /** A sub-view [off, off + len) of this view, or null if it does not fit. */
  sub(off: u32, len: u32): View | null {
    if (<u64>off + <u64>len > <u64>this.length) return null;
    return new View(this.buffer, this.start + off, len);
  }

  @inline private addr(off: u32): usize {
    return changetype<usize>(this.buffer) + <usize>this.start + <usize>off;
  }

  /** The linear-memory address of byte `off` (no check: for loops that checked their whole range against
   *  `length` first and then read directly). */
  @inline address(off: u32): usize {
    return this.addr(off);
  }

  @inline u8(off: u32): u32 {
    if (off >= this.length) {
      this.fault = true;
      return 0;
    }
    return <u32>load<u8>(this.addr(off));
  }

  @inline u16(off: u32): u32 {
    if (<u64>off + 2 > <u64>this.length) {
      this.fault = true;
      return 0;
    }
    return <u32>load<u16>(this.addr(off));
  }

  @inline u32(off: u32): u32 {
    if (<u64>off + 4 > <u64>this.length) {
      this.fault = true;
      return 0;
    }
    return load<u32>(this.addr(off));
  }

  /** Copies [off, off + len) out as a new byte array (allocates: for logs/captures, not per byte). */
  slice(off: u32, len: u32): Uint8Array {
    if (<u64>off + <u64>len > <u64>this.length) {
      this.fault = true;
      return new Uint8Array(0);
    }
    const out = new Uint8Array(<i32>len);
    memory.copy(out.dataStart, this.addr(off), <usize>len);
    return out;
  }
}
