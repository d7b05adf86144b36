// Access to the module's linear memory and its allocator. The host hands data to the module the way
// cpp-host does (WasmBase::copyToPointerSize): allocate with the module's exported `malloc` (or
// `proxy_on_memory_allocate`), copy, then write the pointer and the size into the two out-params.
// An empty value is handed over as pointer 0 / size 0 without allocating. Every view is re-created
// after calling into the module because malloc may grow (and so detach) the memory buffer.

export class MemoryAccess {
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly allocate: (size: number) => number,
  ) {}

  /** Addition (read-only): the current size of the module's linear memory in bytes (it only grows). */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  private view(): DataView {
    return new DataView(this.memory.buffer);
  }

  inBounds(ptr: number, size: number): boolean {
    return ptr >= 0 && size >= 0 && ptr + size <= this.memory.buffer.byteLength;
  }

  /** Bytes [ptr, ptr+size) copied out, or undefined when out of bounds (→ InvalidMemoryAccess). */
  read(ptr: number, size: number): Uint8Array | undefined {
    if (!this.inBounds(ptr, size)) return undefined;
    return new Uint8Array(this.memory.buffer.slice(ptr, ptr + size));
  }

  /** Bytes [ptr, ptr+size) decoded as latin1 (one char per byte) straight from memory, or undefined when out of bounds. */
  readLatin1(ptr: number, size: number): string | undefined {
    if (!this.inBounds(ptr, size)) return undefined;
    return Buffer.from(this.memory.buffer, ptr, size).toString("latin1");
  }

  /** Bytes [ptr, ptr+size) decoded as UTF-8 straight from memory, or undefined when out of bounds. */
  readUtf8(ptr: number, size: number): string | undefined {
    if (!this.inBounds(ptr, size)) return undefined;
    return Buffer.from(this.memory.buffer, ptr, size).toString("utf8");
  }

  write(ptr: number, bytes: Uint8Array): boolean {
    if (!this.inBounds(ptr, bytes.length)) return false;
    new Uint8Array(this.memory.buffer).set(bytes, ptr);
    return true;
  }

  writeU32(ptr: number, value: number): boolean {
    if (!this.inBounds(ptr, 4)) return false;
    this.view().setUint32(ptr, value >>> 0, true);
    return true;
  }

  writeU64(ptr: number, value: bigint): boolean {
    if (!this.inBounds(ptr, 8)) return false;
    this.view().setBigUint64(ptr, BigInt.asUintN(64, value), true);
    return true;
  }

  readU32(ptr: number): number | undefined {
    if (!this.inBounds(ptr, 4)) return undefined;
    return this.view().getUint32(ptr, true);
  }

  /** Allocates in the module and copies `bytes`; returns the pointer, or undefined on failure. */
  allocAndCopy(bytes: Uint8Array): number | undefined {
    const ptr = this.allocate(bytes.length) >>> 0;
    if (ptr === 0 || !this.write(ptr, bytes)) return undefined;
    return ptr;
  }

  /** cpp-host copyToPointerSize: false means InvalidMemoryAccess. */
  copyToPointerSize(bytes: Uint8Array, ptrPtr: number, sizePtr: number): boolean {
    let ptr = 0;
    if (bytes.length > 0) {
      const p = this.allocAndCopy(bytes);
      if (p === undefined) return false;
      ptr = p;
    }
    return this.writeU32(ptrPtr, ptr) && this.writeU32(sizePtr, bytes.length);
  }
}
