// proxy_get_property for the few properties the filter reads on every request. Each path is encoded once (segments
// separated by NUL, as the ABI wants) instead of on every read, and the value the host copies into memory it
// allocated with our `malloc` is taken over as is.
import * as imports from "@solo-io/proxy-runtime/assembly/imports";
import { free } from "@solo-io/proxy-runtime/assembly/malloc";

const OUT_PTR: usize = memory.data(8, 4);

/** A property path, NUL-separated ("destination.address" -> "destination\0address"), encoded once. */
export class PropertyPath {
  readonly bytes: ArrayBuffer;
  constructor(dotted: string) {
    this.bytes = String.UTF8.encode(dotted.replaceAll(".", "\0"));
  }
}

/** A property as bytes, or null when the host has none. */
export function propertyBytes(path: PropertyPath): ArrayBuffer | null {
  const p = path.bytes;
  if (imports.proxy_get_property(changetype<usize>(p), p.byteLength, OUT_PTR, OUT_PTR + 4) != 0) return null;
  const ptr = load<usize>(OUT_PTR);
  if (ptr == 0) return new ArrayBuffer(0);
  // allocated by the host with the exported malloc (a pinned ArrayBuffer): unpin and keep it
  const out = changetype<ArrayBuffer>(ptr);
  free(ptr);
  return out;
}

/** A string property (UTF-8), "" when absent. */
export function propertyString(path: PropertyPath): string {
  const b = propertyBytes(path);
  return b === null ? "" : String.UTF8.decode(b);
}

/** An integer property (the host sends int64 little-endian; its low 32 bits), 0 when absent or too short. */
export function propertyInt(path: PropertyPath): i32 {
  const b = propertyBytes(path);
  if (b === null || b.byteLength < 4) return 0;
  return load<i32>(changetype<usize>(b));
}
