// proxy-wasm header pairs (the serialized map proxy_send_local_response and proxy_http_call take): u32 count, then
// (u32 key size, u32 value size) per pair, then each key and value followed by a NUL. Names and values are
// latin1 strings (one char = one byte).
import { latin1 } from "../engine/bytes";

export function serializePairs(names: Array<string>, values: Array<string>): ArrayBuffer {
  const n = names.length;
  const ks = new Array<ArrayBuffer>(n), vs = new Array<ArrayBuffer>(n);
  let size = 4 + 8 * n;
  for (let i = 0; i < n; i++) {
    ks[i] = latin1(names[i]);
    vs[i] = latin1(values[i]);
    size += ks[i].byteLength + 1 + vs[i].byteLength + 1;
  }
  const b = new ArrayBuffer(size);
  const p = changetype<usize>(b);
  store<u32>(p, <u32>n);
  let at = p + 4 + 8 * <usize>n;
  for (let i = 0; i < n; i++) {
    const k = ks[i], v = vs[i];
    store<u32>(p + 4 + 8 * <usize>i, <u32>k.byteLength);
    store<u32>(p + 8 + 8 * <usize>i, <u32>v.byteLength);
    memory.copy(at, changetype<usize>(k), <usize>k.byteLength);
    at += <usize>k.byteLength;
    store<u8>(at++, 0);
    memory.copy(at, changetype<usize>(v), <usize>v.byteLength);
    at += <usize>v.byteLength;
    store<u8>(at++, 0);
  }
  return b;
}
