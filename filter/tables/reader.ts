// The filter's table loader. loadTable() validates EVERYTHING before anything is used — magic, version, sizes,
// checksum, directory, every section's bounds, and the payload of every kind it knows how to read — and only then
// returns a Table. A truncated or corrupt table is refused with a LoadError code and a message; it never traps and
// never yields a partially loaded set. Same checks, order and codes as rulesets/tables/reader.ts (see there for the
// order and why); the cross-check tests feed both the same corrupt tables.
import {
  CHECKSUM_START,
  DIR_ENTRY_SIZE,
  DirEntry,
  FORMAT_VERSION,
  HEADER_SIZE,
  Header,
  LoadError,
  MAGIC,
  MAX_SECTIONS,
  MAX_SECTION_SIZE,
  MAX_STRINGS,
  MAX_TABLE_SIZE,
  SECTION_ALIGN,
  SHA256_SIZE,
  SectionKind,
  STRINGS_HEADER_SIZE,
  StringPool,
} from "../../rulesets/tables/format";
import { AcMatcher, validateAc } from "./aho_corasick";
import { crc32 } from "./crc32";
import { IpMatcher, validateIp } from "./ip_trie";
import { View } from "./view";
import { validateOwnedPayload, validateProgram } from "../program/validate";

export class Section {
  constructor(
    readonly index: i32,
    readonly kind: i32,
    /** The payload, bounds-checked. */
    readonly view: View,
  ) {}
  /** Set for AHO_CORASICK and REGEX_PREFILTER_AC sections. */
  ac: AcMatcher | null = null;
  /** Set for IP_SET sections. */
  ip: IpMatcher | null = null;
  /** Set for STRINGS sections. */
  strings: StringTable | null = null;
}

export class Table {
  constructor(
    readonly sections: Array<Section>,
    /** SHA-256 of the ruleset source the table was built from. */
    readonly sourceSha256: View,
  ) {}

  get sectionCount(): i32 {
    return this.sections.length;
  }

  section(i: i32): Section | null {
    if (i < 0 || i >= this.sections.length) return null;
    return unchecked(this.sections[i]);
  }

  /** The phrase set in section i, or null if i is not an Aho-Corasick section. */
  ac(i: i32): AcMatcher | null {
    const s = this.section(i);
    return s === null ? null : s.ac;
  }

  /** The IP set in section i, or null if i is not an IP_SET section. */
  ip(i: i32): IpMatcher | null {
    const s = this.section(i);
    return s === null ? null : s.ip;
  }

  /** The source hash as lowercase hex (for logs). */
  sourceSha256Hex(): string {
    let out = "";
    for (let i: u32 = 0; i < <u32>SHA256_SIZE; i++) {
      const b = this.sourceSha256.u8(i);
      out += (b < 16 ? "0" : "") + b.toString(16);
    }
    return out;
  }
}

export class LoadResult {
  constructor(
    readonly error: LoadError,
    readonly message: string,
    /** Directory index of the offending section, or -1. */
    readonly section: i32,
    readonly table: Table | null,
  ) {}
  get ok(): bool {
    return this.error == LoadError.OK;
  }
}

function refuse(code: LoadError, message: string, section: i32 = -1): LoadResult {
  return new LoadResult(code, "table refused (" + loadErrorName(code) + "): " + message, section, null);
}

export function loadErrorName(code: LoadError): string {
  switch (code) {
    case LoadError.OK: return "OK";
    case LoadError.TRUNCATED: return "TRUNCATED";
    case LoadError.BAD_MAGIC: return "BAD_MAGIC";
    case LoadError.BAD_VERSION: return "BAD_VERSION";
    case LoadError.BAD_HEADER: return "BAD_HEADER";
    case LoadError.SIZE_MISMATCH: return "SIZE_MISMATCH";
    case LoadError.BAD_CHECKSUM: return "BAD_CHECKSUM";
    case LoadError.BAD_DIRECTORY: return "BAD_DIRECTORY";
    case LoadError.BAD_SECTION_KIND: return "BAD_SECTION_KIND";
    case LoadError.SECTION_OUT_OF_RANGE: return "SECTION_OUT_OF_RANGE";
    case LoadError.SECTION_MISALIGNED: return "SECTION_MISALIGNED";
    case LoadError.SECTION_OVERLAP: return "SECTION_OVERLAP";
    case LoadError.BAD_PAYLOAD: return "BAD_PAYLOAD";
    default: return "UNKNOWN";
  }
}

/** Kinds this version knows (format.ts). */
export function isKnownKind(k: u32): bool {
  switch (k) {
    case SectionKind.STRINGS:
    case SectionKind.METADATA:
    case SectionKind.AHO_CORASICK:
    case SectionKind.IP_SET:
    case SectionKind.REGEX_DFA:
    case SectionKind.REGEX_NFA:
    case SectionKind.REGEX_CAPTURE:
    case SectionKind.REGEX_PREFILTER_AC:
    case SectionKind.REGEX_PREFILTER_MAP:
    case SectionKind.REGEX_BACKTRACK:
    case SectionKind.RULES:
    case SectionKind.CHAINS:
    case SectionKind.TARGETS:
    case SectionKind.TRANSFORMATIONS:
    case SectionKind.ACTIONS:
      return true;
    default:
      return false;
  }
}

/** Payload validation per kind; null = sound. The regex and rule-program kinds are checked by
 *  filter/program/validate.ts (then across sections by validateProgram). */
function validatePayload(kind: u32, v: View): string | null {
  switch (kind) {
    case SectionKind.STRINGS:
      return validateStrings(v);
    case SectionKind.AHO_CORASICK:
    case SectionKind.REGEX_PREFILTER_AC:
      return validateAc(v);
    case SectionKind.IP_SET:
      return validateIp(v);
    default:
      return validateOwnedPayload(kind, v);
  }
}

/**
 * Loads a table. `buffer` must hold exactly the table (the filter copies its plugin configuration into a fresh
 * ArrayBuffer); the returned Table keeps a reference to it.
 */
export function loadTable(buffer: ArrayBuffer): LoadResult {
  const all = View.of(buffer);
  const len = all.length;
  if (len < <u32>HEADER_SIZE) return refuse(LoadError.TRUNCATED, len.toString() + " bytes is shorter than the header");
  if (all.u32(Header.MAGIC) != <u32>MAGIC) return refuse(LoadError.BAD_MAGIC, "not a workload-waf table (magic is not WAFT)");
  const version = all.u16(Header.VERSION);
  if (version != <u32>FORMAT_VERSION) {
    return refuse(LoadError.BAD_VERSION, "format version " + version.toString() + ", this filter reads " + FORMAT_VERSION.toString());
  }
  if (all.u16(Header.HEADER_SIZE) != <u32>HEADER_SIZE) return refuse(LoadError.BAD_HEADER, "header size");
  const total = all.u32(Header.TOTAL_SIZE);
  if (total > <u32>MAX_TABLE_SIZE) return refuse(LoadError.SIZE_MISMATCH, "total size over the limit");
  if (len < total) return refuse(LoadError.TRUNCATED, len.toString() + " bytes, the header says " + total.toString());
  if (len > total) return refuse(LoadError.SIZE_MISMATCH, len.toString() + " bytes, the header says " + total.toString());
  const checksum = all.u32(Header.CHECKSUM);
  if (crc32(all, <u32>CHECKSUM_START, total) != checksum) return refuse(LoadError.BAD_CHECKSUM, "checksum mismatch");

  if (all.u32(Header.DIRECTORY_OFFSET) != <u32>HEADER_SIZE) return refuse(LoadError.BAD_HEADER, "directory offset");
  if (all.u32(Header.FLAGS) != 0 || all.u32(Header.RESERVED) != 0) return refuse(LoadError.BAD_HEADER, "unknown header flags");
  const count = all.u32(Header.SECTION_COUNT);
  if (count > <u32>MAX_SECTIONS) return refuse(LoadError.BAD_DIRECTORY, count.toString() + " sections is over the limit");
  // count <= 65536 and total <= 1 GiB: none of the u32 sums below can wrap.
  const dirEnd = <u32>HEADER_SIZE + count * <u32>DIR_ENTRY_SIZE;
  if (dirEnd > total) return refuse(LoadError.BAD_DIRECTORY, "directory does not fit");

  const sections = new Array<Section>();
  let prevEnd = dirEnd;
  for (let i: u32 = 0; i < count; i++) {
    const e = <u32>HEADER_SIZE + i * <u32>DIR_ENTRY_SIZE;
    const kind = all.u16(e + DirEntry.KIND);
    const off = all.u32(e + DirEntry.OFFSET);
    const size = all.u32(e + DirEntry.SIZE);
    const at = " section " + i.toString();
    if (!isKnownKind(kind)) return refuse(LoadError.BAD_SECTION_KIND, at + " has unknown kind " + kind.toString(), i);
    if (all.u16(e + DirEntry.FLAGS) != 0 || all.u32(e + DirEntry.RESERVED) != 0) {
      return refuse(LoadError.BAD_DIRECTORY, at + " has non-zero flags", i);
    }
    if (off % <u32>SECTION_ALIGN != 0) return refuse(LoadError.SECTION_MISALIGNED, at, i);
    if (size > <u32>MAX_SECTION_SIZE || off < dirEnd || off > total || size > total - off) {
      return refuse(LoadError.SECTION_OUT_OF_RANGE, at + " lies outside the file", i);
    }
    if (off < prevEnd) return refuse(LoadError.SECTION_OVERLAP, at + " overlaps the previous section", i);
    prevEnd = off + size;
    const v = all.sub(off, size);
    if (v === null) return refuse(LoadError.SECTION_OUT_OF_RANGE, at, i);
    sections.push(new Section(<i32>i, <i32>kind, v));
  }
  for (let i = 0; i < sections.length; i++) {
    const s = unchecked(sections[i]);
    const err = validatePayload(<u32>s.kind, s.view);
    if (err !== null) return refuse(LoadError.BAD_PAYLOAD, "section " + i.toString() + ": " + err, i);
    if (s.kind == SectionKind.AHO_CORASICK || s.kind == SectionKind.REGEX_PREFILTER_AC) s.ac = new AcMatcher(s.view);
    else if (s.kind == SectionKind.IP_SET) s.ip = new IpMatcher(s.view);
    else if (s.kind == SectionKind.STRINGS) s.strings = new StringTable(s.view);
  }
  const kinds = new Array<i32>();
  const views = new Array<View>();
  for (let i = 0; i < sections.length; i++) {
    kinds.push(unchecked(sections[i]).kind);
    views.push(unchecked(sections[i]).view);
  }
  const cross = validateProgram(kinds, views);
  if (cross !== null) return refuse(LoadError.BAD_PAYLOAD, "section " + cross.section.toString() + ": " + cross.message, cross.section);
  if (all.fault) return refuse(LoadError.TRUNCATED, "read out of range"); // unreachable: every read was bounded
  const sha = all.sub(<u32>Header.SOURCE_SHA256, <u32>SHA256_SIZE);
  if (sha === null) return refuse(LoadError.TRUNCATED, "header");
  return new LoadResult(LoadError.OK, "", -1, new Table(sections, sha));
}

// ---------------------------------------------------------------------------------------------------------------
// STRINGS sections.

function validateStrings(v: View): string | null {
  if (v.length < <u32>STRINGS_HEADER_SIZE) return "shorter than its fixed header";
  const count = v.u32(StringPool.COUNT);
  const bytesLen = v.u32(StringPool.BYTES_LEN);
  if (count > <u32>MAX_STRINGS) return "string count out of range";
  if (<u64>v.length != <u64>STRINGS_HEADER_SIZE + 4 * (<u64>count + 1) + <u64>bytesLen) return "size does not match counts";
  if (v.u32(StringPool.OFFSETS) != 0) return "first offset is not 0";
  for (let i: u32 = 0; i < count; i++) {
    if (v.u32(<u32>StringPool.OFFSETS + 4 * (i + 1)) < v.u32(<u32>StringPool.OFFSETS + 4 * i)) return "offsets decrease";
  }
  if (v.u32(<u32>StringPool.OFFSETS + 4 * count) != bytesLen) return "last offset is not bytes_len";
  if (v.fault) return "read out of range";
  return null;
}

export class StringTable {
  readonly count: u32;
  private readonly base: u32;
  constructor(private readonly v: View) {
    this.count = v.u32(StringPool.COUNT);
    this.base = <u32>STRINGS_HEADER_SIZE + 4 * (this.count + 1);
  }
  length(id: u32): u32 {
    if (id >= this.count) return 0;
    return this.v.u32(<u32>StringPool.OFFSETS + 4 * (id + 1)) - this.v.u32(<u32>StringPool.OFFSETS + 4 * id);
  }
  /** String `id` as bytes (allocates). */
  bytes(id: u32): Uint8Array {
    if (id >= this.count) return new Uint8Array(0);
    return this.v.slice(this.base + this.v.u32(<u32>StringPool.OFFSETS + 4 * id), this.length(id));
  }
  /** String `id` decoded as UTF-8 (allocates). */
  get(id: u32): string {
    const b = this.bytes(id);
    return String.UTF8.decode(b.buffer);
  }
}
