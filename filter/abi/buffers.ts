// Reading a proxy-wasm buffer (plugin configuration, request/response body chunks) into an ArrayBuffer.
//
// Why not the SDK's helpers: @solo-io/proxy-runtime 0.1.8's RootContext.onConfigure passes the configuration
// *size* where the ABI expects a pointer to receive the size, so the host writes into memory at address=size
// (a trap for an empty configuration, silent corruption otherwise). We call the raw import ourselves.
import * as imports from "@solo-io/proxy-runtime/assembly/imports";
import { free } from "@solo-io/proxy-runtime/assembly/malloc";

// Where the host writes the (pointer, size) of the bytes it copied into memory it allocated with our `malloc`.
const OUT_PTR: usize = memory.data(8, 4);

export const enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  HttpCallResponseBody = 4,
  VmConfiguration = 6,
  PluginConfiguration = 7,
}

/** The bytes [start, start+length) of a host buffer, or null when the host refuses (wrong phase, bad range). */
export function getBufferBytes(type: BufferType, start: u32, length: u32): ArrayBuffer | null {
  if (length == 0) return new ArrayBuffer(0);
  if (imports.proxy_get_buffer_bytes(type, start, length, OUT_PTR, OUT_PTR + 4) != 0) return null;
  const ptr = load<usize>(OUT_PTR);
  if (ptr == 0) return new ArrayBuffer(0);
  // The host allocated this with the exported `malloc`, which pins a fresh ArrayBuffer of exactly the size
  // it asked for. Unpinning hands it to the GC; our reference keeps it alive while it is used.
  const buffer = changetype<ArrayBuffer>(ptr);
  free(ptr);
  return buffer;
}
