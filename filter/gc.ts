// Garbage collection at the module's safe points.
//
// The module runs on AssemblyScript's two-colour mark & sweep runtime (`--runtime minimal`) rather than the
// incremental one. The incremental collector needs a shadow stack: every function that holds a managed reference
// spills it to linear memory and calls a stack check, which keeps V8 from inlining small accessors on the hot path,
// and it interleaves collector steps with allocation. The two-colour collector has no shadow stack; it sees only
// globals and pinned objects, so it may run only when no wasm frame holds a reference of its own: at the end of a
// host callback, in the outermost frame, after the callback's work is done. Everything that outlives a callback
// (contexts, the rule set in force, transactions kept for reuse, a stream's buffered state) is reachable from
// globals, and nothing allocates a collection on its own (the runtime never collects inside __new).
//
// When: a full collection costs time in proportion to the live objects (about 0.1-0.2 ms with CRS v4 loaded), so
// it is not run after every stream. It runs before a large body is inspected when there is garbage (beforeBody),
// and when a stream ends and
//  - COLLECT_EVERY streams ended since the last one, or
//  - the streams since then inspected COLLECT_AFTER_BYTES of request and response data, heads and bodies, each
//    value (argument, header, cookie) counting VALUE_BYTES more: the garbage of a transaction grows with its bytes
//    (transformed copies) and with its values (each value's transformation caches, names and matches; at PL4 a
//    5 KiB query string of 500 short arguments leaves about as much as a 60 KiB body), or
//  - linear memory grew since the last one (the garbage of a burst is returned before the next burst).
// Without this, garbage would only be returned when memory is full, and the allocator then doubles the memory.
// A reloaded rule set or settings document is followed by a collection too (largeStateChanged).

/** Streams between two collections (when nothing else asks for one). */
export const COLLECT_EVERY: i32 = 16;
/** Bytes inspected (request and response heads and bodies) after which the end of a stream collects. */
export const COLLECT_AFTER_BYTES: i64 = 64 << 10;

/** What one inspected value counts towards COLLECT_AFTER_BYTES, over its own bytes (measured: 16 requests of 500
 *  short arguments at CRS v4 PL4 left more garbage than the free part of the initial memory). */
export const VALUE_BYTES: i64 = 128;

let streamsSinceCollect: i32 = 0;
let bytesSinceCollect: i64 = 0;
let pagesAtCollect: i32 = 0;

function collectNow(): void {
  __collect();
  streamsSinceCollect = 0;
  bytesSinceCollect = 0;
  pagesAtCollect = memory.size();
}

/** Body size from which the start of its inspection is a reason to collect first. */
export const LARGE_BODY: u32 = 32 << 10;

/** The first thing a body callback does (a safe point): when the body is complete and large, return the garbage
 *  of the streams before it first, so the large inspection starts from live data only. */
export function beforeBody(bufferLength: u32, endOfStream: bool): void {
  if (endOfStream && bufferLength >= LARGE_BODY && (streamsSinceCollect > 0 || bytesSinceCollect > 0)) collectNow();
}

/** A stream inspected n bytes of request or response data (a header map, a body). */
export function inspected(n: i32): void {
  bytesSinceCollect += n;
}

/** A stream inspected n values (arguments, headers, cookies): see VALUE_BYTES. */
export function valuesInspected(n: i32): void {
  bytesSinceCollect += <i64>n * VALUE_BYTES;
}

/** The last callback of a stream (proxy_on_delete), after its work: a safe point. */
export function streamEnded(): void {
  streamsSinceCollect++;
  if (streamsSinceCollect >= COLLECT_EVERY || bytesSinceCollect >= COLLECT_AFTER_BYTES || memory.size() > pagesAtCollect) {
    collectNow();
  }
}

/** After a root callback that replaced large state (a rule set, a settings document): a safe point. */
export function largeStateChanged(): void {
  collectNow();
}
