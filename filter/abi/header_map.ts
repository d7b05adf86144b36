// Reading a whole header map (proxy_get_header_map_pairs) as byte ranges of the one buffer the host hands over.
//
// Why not the SDK's stream_context.headers.*.get_headers(): it copies the buffer, slices every key and value into
// its own ArrayBuffer and wraps each pair in an object in an array — and the filter then turned each key into a
// String to compare it. Here the pairs are located once (offsets into the host's buffer) and the caller copies only
// the bytes it keeps (the transaction's collections hold their own ArrayBuffers).
//
// Serialization (ABI "HTTP fields"): u32 count, count × (u32 key size, u32 value size), then each key and value
// followed by a NUL. The host is trusted to follow it, but a buffer that does not (truncated, sizes past the end)
// yields only the pairs that fit: reading never goes outside the buffer.
import * as imports from "@solo-io/proxy-runtime/assembly/imports";
import { free } from "@solo-io/proxy-runtime/assembly/malloc";
import { EMPTY, copyBytes, eqBytes } from "../engine/bytes";

export const enum HeaderMapType {
  RequestHeaders = 0,
  ResponseHeaders = 2,
}

const OUT_PTR: usize = memory.data(8, 4);

export class HeaderMapPairs {
  /** The host's buffer (kept so the offsets stay valid until the next read). */
  private buf: ArrayBuffer = EMPTY;
  /** Per pair: key offset, key length, value offset, value length (offsets into buf). */
  private at: StaticArray<i32> = new StaticArray<i32>(64);
  count: i32 = 0;

  /** Bytes of the map as the host serialised it (names, values and the pair table). */
  get byteLength(): i32 {
    return this.buf.byteLength;
  }

  /** Reads map `type` of the current callback; false (and no pairs) when the host refuses. */
  read(type: HeaderMapType): bool {
    this.count = 0;
    this.buf = EMPTY;
    if (imports.proxy_get_header_map_pairs(type, OUT_PTR, OUT_PTR + 4) != 0) return false;
    const ptr = load<usize>(OUT_PTR);
    if (ptr == 0) return true;
    // allocated by the host with the exported malloc (a pinned ArrayBuffer): unpin and keep it
    const buf = changetype<ArrayBuffer>(ptr);
    free(ptr);
    this.buf = buf;
    const size = buf.byteLength;
    if (size < 4) return true;
    const n = <i32>load<u32>(ptr);
    // the sizes table must fit (checked without overflow: n is bounded by the buffer's size first)
    if (n <= 0 || n > (size - 4) >> 3) return true;
    if (n * 4 > this.at.length) this.at = new StaticArray<i32>(n * 4);
    const at = this.at;
    let off = 4 + n * 8;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const ks = load<u32>(ptr + 4 + (<usize>i << 3));
      const vs = load<u32>(ptr + 8 + (<usize>i << 3));
      if (<u64>off + <u64>ks + <u64>vs + 2 > <u64>size) break;
      unchecked(at[count * 4] = off);
      unchecked(at[count * 4 + 1] = <i32>ks);
      off += <i32>ks + 1;
      unchecked(at[count * 4 + 2] = off);
      unchecked(at[count * 4 + 3] = <i32>vs);
      off += <i32>vs + 1;
      count++;
    }
    this.count = count;
    return true;
  }

  // @ts-ignore: decorator
  @inline keyPtr(i: i32): usize {
    return changetype<usize>(this.buf) + <usize>unchecked(this.at[i * 4]);
  }
  // @ts-ignore: decorator
  @inline keyLen(i: i32): i32 {
    return unchecked(this.at[i * 4 + 1]);
  }
  // @ts-ignore: decorator
  @inline valuePtr(i: i32): usize {
    return changetype<usize>(this.buf) + <usize>unchecked(this.at[i * 4 + 2]);
  }
  // @ts-ignore: decorator
  @inline valueLen(i: i32): i32 {
    return unchecked(this.at[i * 4 + 3]);
  }

  /** Whether key i is exactly `name` (bytes). */
  keyIs(i: i32, name: ArrayBuffer): bool {
    return eqBytes(this.keyPtr(i), this.keyLen(i), changetype<usize>(name), name.byteLength);
  }

  /** Whether key i is a pseudo-header (":method", ":status", ...). */
  isPseudo(i: i32): bool {
    return this.keyLen(i) > 0 && load<u8>(this.keyPtr(i)) == 0x3a;
  }

  /** A copy of key i (EMPTY when empty). */
  key(i: i32): ArrayBuffer {
    return copyBytes(this.keyPtr(i), this.keyLen(i));
  }

  /** A copy of value i (EMPTY when empty). */
  value(i: i32): ArrayBuffer {
    return copyBytes(this.valuePtr(i), this.valueLen(i));
  }
}
