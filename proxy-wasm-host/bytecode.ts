// Minimal reader of a Wasm binary's type/import/export sections. Node's WebAssembly API lists imports
// without their function types, but Envoy refuses imports whose type differs from the hostcall's, and
// reads the ABI version from the export names (cpp-host BytecodeUtil), so we read them ourselves.

export interface ImportEntry {
  module: string;
  name: string;
  kind: "function" | "table" | "memory" | "global" | "tag";
  /** For functions: "params:results" using i (i32), I (i64), f (f32), F (f64), v (v128), r (ref). */
  signature?: string;
}
export interface ModuleShape {
  imports: ImportEntry[];
  exports: string[];
}

export class CorruptModuleError extends Error {}

const VALTYPE: Record<number, string> = { 0x7f: "i", 0x7e: "I", 0x7d: "f", 0x7c: "F", 0x7b: "v", 0x70: "r", 0x6f: "r" };

class Reader {
  pos = 0;
  constructor(private readonly b: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.b.length;
  }
  byte(): number {
    if (this.pos >= this.b.length) throw new CorruptModuleError("unexpected end of module");
    return this.b[this.pos++]!;
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new CorruptModuleError("bad LEB128");
    }
  }
  bytes(n: number): Uint8Array {
    if (this.pos + n > this.b.length) throw new CorruptModuleError("unexpected end of module");
    const out = this.b.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  name(): string {
    return Buffer.from(this.bytes(this.u32())).toString("utf8");
  }
  limits(): void {
    const flags = this.u32();
    this.u32();
    if (flags & 1) this.u32();
  }
}

export function readModuleShape(bytes: Uint8Array): ModuleShape {
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new CorruptModuleError("not a WebAssembly binary (bad magic number)");
  }
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    throw new CorruptModuleError("unsupported WebAssembly binary version");
  }
  const r = new Reader(bytes);
  r.pos = 8;
  const types: string[] = [];
  const imports: ImportEntry[] = [];
  const exports: string[] = [];
  while (!r.done) {
    const id = r.byte();
    const size = r.u32();
    const body = new Reader(r.bytes(size));
    if (id === 1) {
      const n = body.u32();
      for (let i = 0; i < n; i++) {
        if (body.byte() !== 0x60) throw new CorruptModuleError("bad function type");
        const params = Array.from({ length: body.u32() }, () => VALTYPE[body.byte()] ?? "?").join("");
        const results = Array.from({ length: body.u32() }, () => VALTYPE[body.byte()] ?? "?").join("");
        types.push(`${params}:${results}`);
      }
    } else if (id === 2) {
      const n = body.u32();
      for (let i = 0; i < n; i++) {
        const module = body.name();
        const name = body.name();
        const kind = body.byte();
        if (kind === 0) {
          const t = body.u32();
          imports.push({ module, name, kind: "function", signature: types[t] ?? "?" });
        } else if (kind === 1) {
          body.byte();
          body.limits();
          imports.push({ module, name, kind: "table" });
        } else if (kind === 2) {
          body.limits();
          imports.push({ module, name, kind: "memory" });
        } else if (kind === 3) {
          body.byte();
          body.byte();
          imports.push({ module, name, kind: "global" });
        } else if (kind === 4) {
          body.byte();
          body.u32();
          imports.push({ module, name, kind: "tag" });
        } else {
          throw new CorruptModuleError("bad import kind");
        }
      }
    } else if (id === 7) {
      const n = body.u32();
      for (let i = 0; i < n; i++) {
        exports.push(body.name());
        body.byte();
        body.u32();
      }
    }
  }
  return { imports, exports };
}
