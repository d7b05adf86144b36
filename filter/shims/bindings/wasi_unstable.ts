// Shim: @solo-io/proxy-runtime 0.1.8 imports `proc_exit` from "bindings/wasi_unstable", a binding file
// AssemblyScript 0.27 no longer ships. Envoy (and our host) provide `proc_exit` in the WASI
// `wasi_snapshot_preview1` module, so declare it there. The SDK calls it from its abort handler: the VM
// traps, and the host applies the plugin's failure policy.

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "proc_exit")
export declare function proc_exit(rval: u32): void;
