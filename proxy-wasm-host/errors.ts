// Errors at the host boundary. Everything the embedder can catch is one of these, with a message that
// names what failed (the .wasm file, the missing import, the callback that trapped).

/** The plugin could not be loaded: missing/corrupt module, bad ABI, unknown import, start/configure failed. */
export class PluginLoadError extends Error {
  override readonly name = "PluginLoadError";
  constructor(message: string, readonly wasmFile?: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Thrown (inside the host) to unwind the Wasm stack when the module calls WASI `proc_exit`; Envoy
 * treats proc_exit as a VM failure exactly like a trap (cpp-host exports.cc wasi_unstable_proc_exit).
 */
export class ProcExit extends Error {
  override readonly name = "ProcExit";
  constructor(readonly code: number) {
    super(`proc_exit(${code})`);
  }
}

/** A hostcall Envoy would refuse in this phase (e.g. during _initialize): the VM fails. */
export class RestrictedHostcall extends Error {
  override readonly name = "RestrictedHostcall";
}
