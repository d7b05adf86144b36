// TS reader of table files, for tooling and tests. It performs the same checks, in the same order and with the
// same error codes, as the filter's loader (filter/tables/reader.ts); the cross-check tests compare the two on
// every truncation and on random corruption, so keep them in step.
//
// Order of checks — each step only relies on what the previous ones established:
//   1. length >= HEADER_SIZE                                   TRUNCATED
//   2. magic                                                   BAD_MAGIC    (not a table at all)
//   3. version                                                 BAD_VERSION  (a table for another filter)
//   4. header_size                                             BAD_HEADER
//   5. total_size vs buffer length and MAX_TABLE_SIZE           TRUNCATED / SIZE_MISMATCH
//   6. CRC-32 of [CHECKSUM_START, total_size)                  BAD_CHECKSUM
//      — from here on, a failure means a writer bug or a forged file, not transport damage —
//   7. directory_offset, flags, reserved                        BAD_HEADER
//   8. section_count and directory bounds                      BAD_DIRECTORY
//   9. each entry: kind, flags/reserved, alignment, range, order/overlap
//  10. each payload with a validator                           BAD_PAYLOAD
//  11. the rule program's cross-section references             BAD_PAYLOAD (section = the RULES or map section)
// Nothing is returned unless everything passed: no partially loaded table.
import { validateAcPayload } from "../matchers/aho-corasick";
import { validateIpPayload } from "../matchers/ip-trie";
import {
  validateActionsPayload,
  validateBacktrackPayload,
  validateChainsPayload,
  validateDfaPayload,
  validateNfaPayload,
  validatePipelinesPayload,
  validateProgram,
  validateRegexMapPayload,
  validateRulesPayload,
  validateSettingsPayload,
  validateTargetsPayload,
} from "../compiler/validate";
import { crc32 } from "./crc32";
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
} from "./format";

export interface TableSection {
  index: number;
  kind: SectionKind;
  offset: number;
  size: number;
  /** A view of the payload bytes (not a copy). */
  payload: Uint8Array;
}

export interface Table {
  version: number;
  sourceSha256: Uint8Array;
  checksum: number;
  sections: TableSection[];
}

export class TableLoadError extends Error {
  constructor(
    readonly code: LoadError,
    message: string,
    /** Directory index of the offending section, or -1. */
    readonly section = -1,
  ) {
    super(message);
    this.name = "TableLoadError";
  }
}

export const LOAD_ERROR_NAMES: Record<number, string> = {
  [LoadError.OK]: "OK",
  [LoadError.TRUNCATED]: "TRUNCATED",
  [LoadError.BAD_MAGIC]: "BAD_MAGIC",
  [LoadError.BAD_VERSION]: "BAD_VERSION",
  [LoadError.BAD_HEADER]: "BAD_HEADER",
  [LoadError.SIZE_MISMATCH]: "SIZE_MISMATCH",
  [LoadError.BAD_CHECKSUM]: "BAD_CHECKSUM",
  [LoadError.BAD_DIRECTORY]: "BAD_DIRECTORY",
  [LoadError.BAD_SECTION_KIND]: "BAD_SECTION_KIND",
  [LoadError.SECTION_OUT_OF_RANGE]: "SECTION_OUT_OF_RANGE",
  [LoadError.SECTION_MISALIGNED]: "SECTION_MISALIGNED",
  [LoadError.SECTION_OVERLAP]: "SECTION_OVERLAP",
  [LoadError.BAD_PAYLOAD]: "BAD_PAYLOAD",
};

/** Kinds this version knows (format.ts). */
export function isKnownKind(k: number): boolean {
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

/** Payload validation per kind; null = sound. Regex and rule-program kinds: ../compiler/validate.ts. */
export function validatePayload(kind: SectionKind, p: Uint8Array): string | null {
  switch (kind) {
    case SectionKind.STRINGS:
      return validateStringsPayload(p);
    case SectionKind.AHO_CORASICK:
    case SectionKind.REGEX_PREFILTER_AC:
      return validateAcPayload(p);
    case SectionKind.IP_SET:
      return validateIpPayload(p);
    case SectionKind.METADATA:
      return validateSettingsPayload(p);
    case SectionKind.REGEX_DFA:
      return validateDfaPayload(p);
    case SectionKind.REGEX_NFA:
      return validateNfaPayload(p, false);
    case SectionKind.REGEX_CAPTURE:
      return validateNfaPayload(p, true);
    case SectionKind.REGEX_BACKTRACK:
      return validateBacktrackPayload(p);
    case SectionKind.REGEX_PREFILTER_MAP:
      return validateRegexMapPayload(p);
    case SectionKind.RULES:
      return validateRulesPayload(p);
    case SectionKind.CHAINS:
      return validateChainsPayload(p);
    case SectionKind.TARGETS:
      return validateTargetsPayload(p);
    case SectionKind.TRANSFORMATIONS:
      return validatePipelinesPayload(p);
    case SectionKind.ACTIONS:
      return validateActionsPayload(p);
    default:
      return null;
  }
}

export function validateStringsPayload(p: Uint8Array): string | null {
  if (p.length < STRINGS_HEADER_SIZE) return "shorter than its fixed header";
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const count = dv.getUint32(StringPool.COUNT, true);
  const len = dv.getUint32(StringPool.BYTES_LEN, true);
  if (count > MAX_STRINGS) return `string count ${count} out of range`;
  if (p.length !== STRINGS_HEADER_SIZE + 4 * (count + 1) + len) return "size does not match counts";
  if (dv.getUint32(StringPool.OFFSETS, true) !== 0) return "first offset is not 0";
  for (let i = 0; i < count; i++) {
    if (dv.getUint32(StringPool.OFFSETS + 4 * (i + 1), true) < dv.getUint32(StringPool.OFFSETS + 4 * i, true)) {
      return `string ${i} offsets decrease`;
    }
  }
  if (dv.getUint32(StringPool.OFFSETS + 4 * count, true) !== len) return "last offset is not bytes_len";
  return null;
}

/** Reads and fully validates a table. Throws TableLoadError. */
export function readTable(bytes: Uint8Array): Table {
  const fail = (code: LoadError, msg: string, section = -1): never => {
    throw new TableLoadError(code, `table refused (${LOAD_ERROR_NAMES[code]}): ${msg}`, section);
  };
  const len = bytes.length;
  if (len < HEADER_SIZE) fail(LoadError.TRUNCATED, `${len} bytes is shorter than the ${HEADER_SIZE}-byte header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);

  if (u32(Header.MAGIC) !== MAGIC) fail(LoadError.BAD_MAGIC, "not a workload-waf table (magic is not WAFT)");
  const version = u16(Header.VERSION);
  if (version !== FORMAT_VERSION) fail(LoadError.BAD_VERSION, `format version ${version}, this reader reads ${FORMAT_VERSION}`);
  if (u16(Header.HEADER_SIZE) !== HEADER_SIZE) fail(LoadError.BAD_HEADER, `header size ${u16(Header.HEADER_SIZE)}`);
  const total = u32(Header.TOTAL_SIZE);
  if (total > MAX_TABLE_SIZE) fail(LoadError.SIZE_MISMATCH, `total size ${total} over the limit`);
  if (len < total) fail(LoadError.TRUNCATED, `${len} bytes, the header says ${total}`);
  if (len > total) fail(LoadError.SIZE_MISMATCH, `${len} bytes, the header says ${total} (trailing bytes)`);
  const checksum = u32(Header.CHECKSUM);
  const actual = crc32(bytes, CHECKSUM_START, total);
  if (actual !== checksum) fail(LoadError.BAD_CHECKSUM, `checksum ${hex(actual)} != ${hex(checksum)} in the header`);

  if (u32(Header.DIRECTORY_OFFSET) !== HEADER_SIZE) fail(LoadError.BAD_HEADER, "directory offset");
  if (u32(Header.FLAGS) !== 0 || u32(Header.RESERVED) !== 0) fail(LoadError.BAD_HEADER, "unknown header flags");
  const count = u32(Header.SECTION_COUNT);
  if (count > MAX_SECTIONS) fail(LoadError.BAD_DIRECTORY, `${count} sections is over the limit`);
  const dirEnd = HEADER_SIZE + count * DIR_ENTRY_SIZE;
  if (dirEnd > total) fail(LoadError.BAD_DIRECTORY, `directory of ${count} entries does not fit`);

  const sections: TableSection[] = [];
  let prevEnd = dirEnd;
  for (let i = 0; i < count; i++) {
    const e = HEADER_SIZE + i * DIR_ENTRY_SIZE;
    const kind = u16(e + DirEntry.KIND);
    const off = u32(e + DirEntry.OFFSET);
    const size = u32(e + DirEntry.SIZE);
    if (!isKnownKind(kind)) fail(LoadError.BAD_SECTION_KIND, `section ${i} has unknown kind ${kind}`, i);
    if (u16(e + DirEntry.FLAGS) !== 0 || u32(e + DirEntry.RESERVED) !== 0) {
      fail(LoadError.BAD_DIRECTORY, `section ${i} has non-zero flags/reserved`, i);
    }
    if (off % SECTION_ALIGN !== 0) fail(LoadError.SECTION_MISALIGNED, `section ${i} at ${off}`, i);
    if (size > MAX_SECTION_SIZE || off < dirEnd || off > total || size > total - off) {
      fail(LoadError.SECTION_OUT_OF_RANGE, `section ${i} [${off}, +${size}) outside [${dirEnd}, ${total})`, i);
    }
    if (off < prevEnd) fail(LoadError.SECTION_OVERLAP, `section ${i} at ${off} overlaps the previous one (ends ${prevEnd})`, i);
    prevEnd = off + size;
    sections.push({ index: i, kind, offset: off, size, payload: bytes.subarray(off, off + size) });
  }
  for (const s of sections) {
    const err = validatePayload(s.kind, s.payload);
    if (err !== null) fail(LoadError.BAD_PAYLOAD, `section ${s.index} (kind ${s.kind}): ${err}`, s.index);
  }
  const cross = validateProgram(sections);
  if (cross !== null) fail(LoadError.BAD_PAYLOAD, `section ${cross.section} (kind ${sections[cross.section]!.kind}): ${cross.message}`, cross.section);
  return { version, sourceSha256: bytes.slice(Header.SOURCE_SHA256, Header.SOURCE_SHA256 + SHA256_SIZE), checksum, sections };
}

/** readTable without exceptions: the error code (LoadError.OK on success). */
export function tableLoadCode(bytes: Uint8Array): LoadError {
  try {
    readTable(bytes);
    return LoadError.OK;
  } catch (e) {
    if (e instanceof TableLoadError) return e.code;
    throw e;
  }
}

/** The bytes of string `id` of a STRINGS payload. */
export function poolString(p: Uint8Array, id: number): Uint8Array {
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const count = dv.getUint32(StringPool.COUNT, true);
  if (id < 0 || id >= count) throw new RangeError(`string id ${id} out of range`);
  const base = STRINGS_HEADER_SIZE + 4 * (count + 1);
  return p.subarray(base + dv.getUint32(StringPool.OFFSETS + 4 * id, true), base + dv.getUint32(StringPool.OFFSETS + 4 * (id + 1), true));
}

function hex(n: number): string {
  return "0x" + n.toString(16).padStart(8, "0");
}
