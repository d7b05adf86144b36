// Loads the AssemblyScript test entry (tests/peers/modsecurity-transforms/fixtures/entry.as.ts) and wraps its
// flat ABI.
import { readFileSync } from "node:fs";
import { buildWasm } from "../peers/modsecurity-transforms/build";

interface Exports {
  memory: WebAssembly.Memory;
  inputBuffer(n: number): number;
  idsBuffer(): number;
  run(count: number, len: number): number;
  resultPtr(): number;
  changed(): number;
  setUnicodeMap(len: number, codePage: number): void;
  idByName(len: number): number;
}

interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}

export class TransformsModule {
  readonly x: Exports;
  lastPtr = 0;
  lastInputPtr = 0;

  constructor(x: Exports) {
    this.x = x;
  }

  static async load(): Promise<TransformsModule> {
    const bin = readFileSync(buildWasm());
    // @types/node without the DOM lib does not declare WebAssembly.instantiate.
    const wa = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const { instance } = await wa.instantiate(bin, {});
    return new TransformsModule(instance.exports as unknown as Exports);
  }

  private put(bytes: Uint8Array): number {
    const p = this.x.inputBuffer(Math.max(bytes.length, 1));
    new Uint8Array(this.x.memory.buffer, p, bytes.length).set(bytes);
    return p;
  }

  /** Runs the chain over bytes; returns a copy of the result. */
  run(ids: readonly number[], bytes: Uint8Array): Uint8Array {
    this.lastInputPtr = this.put(bytes);
    new Uint8Array(this.x.memory.buffer, this.x.idsBuffer(), ids.length).set(ids);
    const n = this.x.run(ids.length, bytes.length);
    const p = this.x.resultPtr();
    this.lastPtr = p;
    return new Uint8Array(this.x.memory.buffer, p, n).slice();
  }

  setUnicodeMap(text: Uint8Array | null, codePage: number): void {
    if (text === null) {
      this.x.setUnicodeMap(0, 0);
      return;
    }
    this.put(text);
    this.x.setUnicodeMap(text.length, codePage);
  }

  idByName(name: string): number {
    const b = Buffer.from(name, "utf8");
    this.put(b);
    return this.x.idByName(b.length);
  }

  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }
}
