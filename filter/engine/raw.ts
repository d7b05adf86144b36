// Unchecked element loads for the engine's hot loops. Under the incremental runtime every non-inlined std accessor
// (Array#__uget, Array#length, TypedArray#__uget) spills `this` to the GC shadow stack and checks the stack bound,
// and that call-with-abort keeps binaryen from inlining it: a condition evaluation made hundreds of such calls.
// These are inlined by the AssemblyScript compiler itself, before the shadow-stack pass.
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
