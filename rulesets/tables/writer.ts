// The table writer: turns section payloads into one table file in the format of ./format.ts.
//
// It knows nothing about what a payload means: a matcher or the rule compiler encodes its object with ByteWriter
// (little-endian, explicit alignment) and hands the bytes to TableWriter.addSection, which returns the section index
// the rule program uses to refer to it. That keeps the writer open to the regex engine's and the rule program's
// payloads without changes here. finish() lays out header, directory and payloads, then seals the file with its
// CRC-32. Output is deterministic: same sections in the same order and same source hash -> same bytes.
import { createHash } from "node:crypto";
import { crc32 } from "./crc32";
import {
  CHECKSUM_START,
  DIR_ENTRY_SIZE,
  DirEntry,
  FORMAT_VERSION,
  HEADER_SIZE,
  Header,
  MAGIC,
  MAX_SECTIONS,
  MAX_SECTION_SIZE,
  MAX_STRINGS,
  MAX_TABLE_SIZE,
  SECTION_ALIGN,
  SHA256_SIZE,
  SectionKind,
  STRINGS_HEADER_SIZE,
} from "./format";

/** Growable little-endian byte buffer. All multi-byte writes are little-endian (see format.ts for why). */
export class ByteWriter {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private len = 0;

  get length(): number {
    return this.len;
  }

  private reserve(n: number): number {
    const at = this.len;
    const need = at + n;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    this.len = need;
    return at;
  }

  u8(v: number): this {
    checkUint(v, 0xff, "u8");
    const at = this.reserve(1);
    this.buf[at] = v;
    return this;
  }
  u16(v: number): this {
    checkUint(v, 0xffff, "u16");
    const at = this.reserve(2);
    this.view.setUint16(at, v, true);
    return this;
  }
  u32(v: number): this {
    checkUint(v, 0xffffffff, "u32");
    const at = this.reserve(4);
    this.view.setUint32(at, v, true);
    return this;
  }
  u32s(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.u32(values[i]);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.reserve(b.length); // may reallocate this.buf: take the offset first
    this.buf.set(b, at);
    return this;
  }
  /** Zero-pad to a multiple of `n` (a power of two). */
  align(n: number): this {
    while (this.len % n !== 0) this.reserve(1); // fresh capacity is zero-filled
    return this;
  }
  /** Overwrite a u32 written earlier (for sizes known only at the end). */
  patchU32(at: number, v: number): this {
    checkUint(v, 0xffffffff, "u32");
    if (at < 0 || at + 4 > this.len) throw new RangeError(`patchU32 at ${at} outside 0..${this.len}`);
    this.view.setUint32(at, v, true);
    return this;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function checkUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} value out of range: ${v}`);
}

export interface SectionSpec {
  kind: SectionKind;
  payload: Uint8Array;
}

/** Collects sections and writes the table file. */
export class TableWriter {
  private readonly sections: SectionSpec[] = [];

  /** Adds one object; returns its section index (= its reference in the rule program). */
  addSection(kind: SectionKind, payload: Uint8Array): number {
    if (!Number.isInteger(kind) || kind <= SectionKind.INVALID || kind > 0xffff) {
      throw new RangeError(`invalid section kind ${kind}`);
    }
    if (payload.length > MAX_SECTION_SIZE) throw new RangeError(`section of ${payload.length} bytes is over the limit`);
    if (this.sections.length >= MAX_SECTIONS) throw new RangeError(`more than ${MAX_SECTIONS} sections`);
    this.sections.push({ kind, payload });
    return this.sections.length - 1;
  }

  get sectionCount(): number {
    return this.sections.length;
  }

  /** Lays out and seals the table. `sourceSha256` is the SHA-256 of the ruleset source (32 bytes). */
  finish(sourceSha256: Uint8Array): Uint8Array {
    if (sourceSha256.length !== SHA256_SIZE) throw new RangeError(`source sha256 must be ${SHA256_SIZE} bytes`);
    const count = this.sections.length;
    const dirEnd = HEADER_SIZE + count * DIR_ENTRY_SIZE;
    const offsets: number[] = [];
    let at = alignUp(dirEnd, SECTION_ALIGN);
    for (const s of this.sections) {
      offsets.push(at);
      at = alignUp(at + s.payload.length, SECTION_ALIGN);
    }
    // The file ends right after the last payload (no trailing padding): total_size is exact.
    const total = count === 0 ? dirEnd : offsets[count - 1] + this.sections[count - 1].payload.length;
    if (total > MAX_TABLE_SIZE) throw new RangeError(`table of ${total} bytes is over the ${MAX_TABLE_SIZE} limit`);

    const out = new Uint8Array(total);
    const dv = new DataView(out.buffer);
    dv.setUint32(Header.MAGIC, MAGIC, true);
    dv.setUint16(Header.VERSION, FORMAT_VERSION, true);
    dv.setUint16(Header.HEADER_SIZE, HEADER_SIZE, true);
    dv.setUint32(Header.TOTAL_SIZE, total, true);
    dv.setUint32(Header.SECTION_COUNT, count, true);
    dv.setUint32(Header.DIRECTORY_OFFSET, HEADER_SIZE, true);
    dv.setUint32(Header.FLAGS, 0, true);
    dv.setUint32(Header.RESERVED, 0, true);
    out.set(sourceSha256, Header.SOURCE_SHA256);
    for (let i = 0; i < count; i++) {
      const e = HEADER_SIZE + i * DIR_ENTRY_SIZE;
      dv.setUint16(e + DirEntry.KIND, this.sections[i].kind, true);
      dv.setUint16(e + DirEntry.FLAGS, 0, true);
      dv.setUint32(e + DirEntry.OFFSET, offsets[i], true);
      dv.setUint32(e + DirEntry.SIZE, this.sections[i].payload.length, true);
      dv.setUint32(e + DirEntry.RESERVED, 0, true);
      out.set(this.sections[i].payload, offsets[i]);
    }
    return sealTable(out);
  }
}

/** (Re)computes the checksum field in place and returns the same array. The writer's last step; tests and tooling
 *  use it to forge structurally-bad tables whose checksum is nevertheless right. */
export function sealTable(table: Uint8Array): Uint8Array {
  const dv = new DataView(table.buffer, table.byteOffset, table.byteLength);
  dv.setUint32(Header.CHECKSUM, crc32(table, CHECKSUM_START, table.length), true);
  return table;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

const utf8 = new TextEncoder();

/** String pool builder (SectionKind.STRINGS). Identical strings are stored once; ids are dense, in first-intern
 *  order. Strings are bytes: text is encoded as UTF-8, byte strings (e.g. raw @pm phrases) are stored as given. */
export class StringPoolBuilder {
  private readonly ids = new Map<string, number>();
  private readonly items: Uint8Array[] = [];

  intern(s: string | Uint8Array): number {
    const bytes = typeof s === "string" ? utf8.encode(s) : s;
    const key = Buffer.from(bytes).toString("latin1");
    const found = this.ids.get(key);
    if (found !== undefined) return found;
    if (this.items.length >= MAX_STRINGS) throw new RangeError(`more than ${MAX_STRINGS} strings`);
    const id = this.items.length;
    this.items.push(bytes.slice());
    this.ids.set(key, id);
    return id;
  }

  get count(): number {
    return this.items.length;
  }

  encode(): Uint8Array {
    const w = new ByteWriter();
    let len = 0;
    for (const b of this.items) len += b.length;
    w.u32(this.items.length).u32(len);
    let at = 0;
    w.u32(0);
    for (const b of this.items) w.u32((at += b.length));
    for (const b of this.items) w.bytes(b);
    if (w.length !== STRINGS_HEADER_SIZE + 4 * (this.items.length + 1) + len) throw new Error("string pool size");
    return w.finish();
  }
}
