// Access to the module's linear memory and its allocator. The host hands data to the module the way
// cpp-host does (WasmBase::copyToPointerSize): allocate with the module's exported `malloc` (or
// `proxy_on_memory_allocate`), copy, then write the pointer and the size into the two out-params.
// An empty value is handed over as pointer 0 / size 0 without allocating. The views are re-created
// whenever the memory grew (malloc may grow it, and so detach the buffer they were made over).

export class MemoryAccess {
  // Views over the memory's current buffer, made once instead of on every access (hostcalls run on every request).
  // Growing the memory detaches that buffer (its views then have length 0), so an empty view means "look again".
  private u8 = new Uint8Array(0);
  private dv = new DataView(new ArrayBuffer(0));
  private buf = Buffer.alloc(0);
  /** A shared memory grows without detaching: its views are never trusted across calls. */
  private shared = false;
  /** readLatin1Repeated: the last string read at each address (bounded). */
  private readonly lastLatin1 = new Map<number, string>();

  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly allocate: (size: number) => number,
  ) {}

  /** The current buffer's views, remade when the memory grew. */
  private bytes(): Uint8Array {
    if (this.u8.byteLength === 0 || this.shared) this.refresh();
    return this.u8;
  }

  private refresh(): void {
    const b = this.memory.buffer;
    this.shared = typeof SharedArrayBuffer !== "undefined" && b instanceof SharedArrayBuffer;
    this.u8 = new Uint8Array(b);
    this.dv = new DataView(b);
    this.buf = Buffer.from(b);
  }

  /** Addition (read-only): the current size of the module's linear memory in bytes (it only grows). */
  get byteLength(): number {
    return this.bytes().byteLength;
  }

  inBounds(ptr: number, size: number): boolean {
    return ptr >= 0 && size >= 0 && ptr + size <= this.bytes().byteLength;
  }

  /** Bytes [ptr, ptr+size) copied out, or undefined when out of bounds (→ InvalidMemoryAccess). */
  read(ptr: number, size: number): Uint8Array | undefined {
    if (!this.inBounds(ptr, size)) return undefined;
    return this.u8.slice(ptr, ptr + size);
  }

  /** Bytes [ptr, ptr+size) decoded as latin1 (one char per byte) straight from memory, or undefined when out of bounds. */
  readLatin1(ptr: number, size: number): string | undefined {
    if (!this.inBounds(ptr, size)) return undefined;
    return this.buf.toString("latin1", ptr, ptr + size);
  }

  /**
   * readLatin1 for strings a module passes again and again from the same place (property paths, header names
   * kept in static data): the last string read at `ptr` is returned when the bytes there still spell it.
   */
  readLatin1Repeated(ptr: number, size: number): string | undefined {
    if (!this.inBounds(ptr, size)) return undefined;
    const last = this.lastLatin1.get(ptr);
    if (last !== undefined && last.length === size) {
      const u8 = this.u8;
      let i = 0;
      while (i < size && u8[ptr + i] === last.charCodeAt(i)) i++;
      if (i === size) return last;
    }
    const s = this.buf.toString("latin1", ptr, ptr + size);
    if (this.lastLatin1.size >= 256) this.lastLatin1.clear();
    this.lastLatin1.set(ptr, s);
    return s;
  }

  /** Bytes [ptr, ptr+size) decoded as UTF-8 straight from memory, or undefined when out of bounds. */
  readUtf8(ptr: number, size: number): string | undefined {
    if (!this.inBounds(ptr, size)) return undefined;
    return this.buf.toString("utf8", ptr, ptr + size);
  }

  write(ptr: number, bytes: Uint8Array): boolean {
    if (!this.inBounds(ptr, bytes.length)) return false;
    this.u8.set(bytes, ptr);
    return true;
  }

  writeU32(ptr: number, value: number): boolean {
    if (!this.inBounds(ptr, 4)) return false;
    this.dv.setUint32(ptr, value >>> 0, true);
    return true;
  }

  writeU64(ptr: number, value: bigint): boolean {
    if (!this.inBounds(ptr, 8)) return false;
    this.dv.setBigUint64(ptr, BigInt.asUintN(64, value), true);
    return true;
  }

  readU32(ptr: number): number | undefined {
    if (!this.inBounds(ptr, 4)) return undefined;
    return this.dv.getUint32(ptr, true);
  }

  /** Allocates in the module and copies `bytes`; returns the pointer, or undefined on failure. */
  allocAndCopy(bytes: Uint8Array): number | undefined {
    const ptr = this.allocate(bytes.length) >>> 0;
    if (ptr === 0 || !this.write(ptr, bytes)) return undefined;
    return ptr;
  }

  /**
   * copyToPointerSize for a value written in place: `fill` writes exactly `size` bytes at `at` of `out` (the
   * memory itself; `dv` views the same bytes), saving the intermediate copy. A size of 0 is handed over as
   * pointer 0 / size 0.
   */
  fillToPointerSize(size: number, fill: (out: Uint8Array, dv: DataView, at: number) => void, ptrPtr: number, sizePtr: number): boolean {
    let ptr = 0;
    if (size > 0) {
      ptr = this.allocate(size) >>> 0;
      if (ptr === 0 || !this.inBounds(ptr, size)) return false;
      fill(this.u8, this.dv, ptr);
    }
    return this.writeU32(ptrPtr, ptr) && this.writeU32(sizePtr, size);
  }

  /**
   * copyToPointerSize of a string's encoding (UTF-8, or latin1: each char's low byte). Strings whose encoding is
   * one byte per char (latin1; ASCII in UTF-8) are written straight into the memory.
   */
  textToPointerSize(text: string, utf8: boolean, ptrPtr: number, sizePtr: number): boolean {
    if (utf8 && !isAscii(text)) return this.copyToPointerSize(Buffer.from(text, "utf8"), ptrPtr, sizePtr);
    return this.fillToPointerSize(text.length, (out, _dv, at) => {
      for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
    }, ptrPtr, sizePtr);
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

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
