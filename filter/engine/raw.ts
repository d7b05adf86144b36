// Unchecked element loads for the engine's hot loops. They were written when the module ran on the incremental
// runtime, where every non-inlined std accessor (Array#__uget, Array#length, TypedArray#__uget) spilled `this` to the
// GC shadow stack and checked the stack bound; the module now runs on the two-colour runtime without a shadow stack
// (filter/gc.ts), but the component test harnesses still compile engine code with the incremental one, and these
// stay the cheapest form either way (inlined by the AssemblyScript compiler itself, no bounds check).
// Callers guarantee the index is in range: the program's record indices are validated once at load
// (filter/program/validate.ts) and scratch-array indices come from loops bounded by len().

/** Element i of an Array (no bounds check). */
// @ts-ignore: decorator
@inline export function at<T>(a: Array<T>, i: i32): T {
  return load<T>(a.dataStart + (<usize>i << alignof<T>()));
}

/** Length of an Array, read from its header. */
// @ts-ignore: decorator
@inline export function len<T>(a: Array<T>): i32 {
  return load<i32>(changetype<usize>(a), offsetof<Array<T>>("length_"));
}

/** Element i of a Uint32Array (no bounds check). */
// @ts-ignore: decorator
@inline export function u32at(a: Uint32Array, i: i32): u32 {
  return load<u32>(a.dataStart + (<usize>i << 2));
}

/** Appends v to a (Array#push semantics, including the GC write barrier for references), without the call when
 *  the backing buffer has room: the engine's scratch arrays are reused, so after warm-up they always have. */
// @ts-ignore: decorator
@inline export function append<T>(a: Array<T>, v: T): void {
  const n = len(a);
  const cap = load<i32>(changetype<usize>(a), offsetof<Array<T>>("byteLength"));
  if ((<usize>(n + 1) << alignof<T>()) <= <usize>cap) {
    store<T>(a.dataStart + (<usize>n << alignof<T>()), v);
    if (isManaged<T>()) __link(changetype<usize>(a), changetype<usize>(v), true);
    store<i32>(changetype<usize>(a), n + 1, offsetof<Array<T>>("length_"));
  } else {
    a.push(v);
  }
}

/** Shortens a to n elements (n <= len(a)); like `a.length = n`, which never needs to reallocate when shrinking. */
// @ts-ignore: decorator
@inline export function truncate<T>(a: Array<T>, n: i32): void {
  store<i32>(changetype<usize>(a), n, offsetof<Array<T>>("length_"));
}
