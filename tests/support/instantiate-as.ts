// Instantiates an AssemblyScript test module with the one import such modules need: `env.abort`, turned into
// a JavaScript Error that names the AssemblyScript message and source position.
import { readFileSync } from "node:fs";

export function instantiateAs<T>(wasm: string | Uint8Array): T {
  const bytes = typeof wasm === "string" ? readFileSync(wasm) : wasm;
  let memory: WebAssembly.Memory | undefined;
  const string = (p: number) => {
    if (!memory || p === 0) return "?";
    const chars = new Uint32Array(memory.buffer, p - 4, 1)[0]! >>> 1; // rtSize in bytes of UTF-16 text
    return String.fromCharCode(...new Uint16Array(memory.buffer, p, chars));
  };
  // Module + Instance (not WebAssembly.instantiate): the ambient declarations the project has
  // (proxy-wasm-host/webassembly.d.ts) declare only these.
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: {
      abort(msg: number, file: number, line: number, col: number) {
        throw new Error(`wasm abort: ${string(msg)} at ${string(file)}:${line}:${col}`);
      },
    },
  });
  const exports = instance.exports as unknown as T & { memory: WebAssembly.Memory };
  memory = exports.memory;
  return exports;
}
