// Reusable output buffers for the transformations. A Scratch grows geometrically and is never shrunk, so a
// pipeline reaches a steady state with no allocation per call.

export class Scratch {
  buf: ArrayBuffer = new ArrayBuffer(256);
  ptr: usize = changetype<usize>(this.buf);
  cap: i32 = 256;

  /** Makes room for n bytes and returns the (possibly new) base pointer. Contents are NOT preserved. */
  @inline ensure(n: i32): usize {
    if (n > this.cap) this.grow(n);
    return this.ptr;
  }

  private grow(n: i32): void {
    let c = <i64>this.cap;
    while (c < <i64>n) c <<= 1;
    if (c > 0x3fff0000) c = 0x3fff0000; // BLOCK_MAXSIZE; callers never ask for more than MAX_TRANSFORM_OUTPUT + 64
    const b = new ArrayBuffer(<i32>c);
    this.buf = b;
    this.ptr = changetype<usize>(b);
    this.cap = <i32>c;
  }

  /** True when p lies inside this buffer. */
  @inline holds(p: usize): bool {
    return p >= this.ptr && p < this.ptr + <usize>this.cap;
  }
}

// Result of the last transformation that reported a change: a view (ptr, len) into the scratch it was given
// or into its input (trim family).
export let resPtr: usize = 0;
export let resLen: i32 = 0;

@inline export function setResult(p: usize, n: i32): bool {
  resPtr = p;
  resLen = n;
  return true;
}

/** Reports `changed` unless out[0..n) equals src[0..len) (then the caller keeps its input). */
export function finish(out: usize, n: i32, src: usize, len: i32): bool {
  if (n == len && memory.compare(out, src, <usize>n) == 0) return false;
  return setResult(out, n);
}
