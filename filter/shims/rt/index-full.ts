// Shim: @solo-io/proxy-runtime 0.1.8 was written for AssemblyScript <= 0.17, whose reference-counting
// runtime ("rt/index-full") exported __retain/__release. AssemblyScript 0.27 has a tracing GC instead and
// offers __pin/__unpin for the same purpose: keep an object alive while only the host holds its address
// (the SDK's exported `malloc`/`free`, which the host uses to hand us header maps and buffers).
// This file is found through `--lib filter/shims`, so `import ... from "rt/index-full"` resolves here.

export function __retain(ptr: usize): usize {
  return __pin(ptr);
}

export function __release(ptr: usize): void {
  __unpin(ptr);
}
