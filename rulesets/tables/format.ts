// THE definition of the workload-waf table format ("WAFT"). The ruleset compiler (TypeScript, rulesets/) writes
// tables in this format and the filter (AssemblyScript, filter/) reads them, and both import THIS file. It is
// therefore written in the subset the two languages share: only `export const enum` and `export const` with
// numeric (or string) literals — no types, no functions, no expressions that only one compiler accepts. Enum
// members are i32 in AssemblyScript, so no value here exceeds 0x7FFFFFFF.
//
// Overview of a table file (all integers little-endian, all offsets in bytes from the start of the file):
//
//   +--------------------------------------+ 0
//   | header (HEADER_SIZE = 64 bytes)      |   magic, format version, checksum, total size, directory, sha256
//   +--------------------------------------+ 64
//   | directory: section_count entries     |   kind, offset, size of each section (16 bytes each)
//   +--------------------------------------+ aligned to 8
//   | section payloads, in directory order |   each starts at a multiple of SECTION_ALIGN; zero padding between
//   +--------------------------------------+ total_size
//
// Why little-endian: WebAssembly memory is little-endian, so the filter reads a field with one plain load and no
// byte swapping; the TS side uses DataView with littleEndian = true everywhere.
// Why 8-byte section alignment: every array inside a payload is made of u32 (or u8) cells and starts at a
// multiple of 4 from its section start, so with 8-aligned sections every u32 in the file sits at a naturally
// aligned file offset. The filter copies the file into an ArrayBuffer (16-byte aligned), so its loads are aligned
// too, and the TS tooling may view arrays as Uint32Array (which requires alignment).
//
// A section is one object: one phrase set, one IP set, one regex automaton, the string pool, ... The rule program
// refers to an object by its SECTION INDEX (its position in the directory), so the directory doubles as the object
// table and no separate id space is needed. Several sections may have the same kind.

// ---------------------------------------------------------------------------------------------------------------
// Version and magic.

/** Format version. Bump on ANY incompatible change of this file; the reader accepts exactly this version (a table is
 *  rebuilt from source with the matching compiler, so there is no reason to carry readers for old layouts). */
export const FORMAT_VERSION = 1;

/** "WAFT" as bytes 57 41 46 54, read as a little-endian u32. First thing checked, so "this is not a table at all"
 *  (a YAML file, a wasm binary, an empty config) gets its own clear error instead of a checksum failure. */
export const MAGIC = 0x54464157;
export const MAGIC_TEXT = "WAFT";

// ---------------------------------------------------------------------------------------------------------------
// Header: HEADER_SIZE bytes at offset 0.
//
//  off size field
//    0    4 magic            MAGIC
//    4    2 version          FORMAT_VERSION
//    6    2 header_size      HEADER_SIZE (lets a reader tell a foreign layout from a damaged one)
//    8    4 checksum         CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320, init/xorout 0xFFFFFFFF) of bytes
//                            [CHECKSUM_START, total_size): everything after this field, header rest included
//   12    4 total_size       byte length of the whole table; must equal the buffer length exactly (catches
//                            truncation AND trailing garbage before the checksum is even computed)
//   16    4 section_count    number of directory entries (<= MAX_SECTIONS)
//   20    4 directory_offset must be HEADER_SIZE (directory immediately follows the header)
//   24    4 flags            must be 0 (no flags defined in version 1)
//   28    4 reserved         must be 0
//   32   32 source_sha256    SHA-256 of the ruleset source the table was compiled from (identifies the build;
//                            reported by the filter; not used for integrity — that is the checksum's job)
//
// Why CRC-32 and not FNV or a cryptographic hash: the checksum guards against accidental damage (truncated
// ConfigMap, bad copy, bit rot, a half-written file), not against an attacker — authenticity comes from the
// control plane (Envoy's sha256-pinned remote code / config delivery). For accidental damage CRC-32 gives
// guarantees FNV-1a does not: it detects every single-bit error, every odd number of bit errors and every burst of
// up to 32 bits, at any length; it is a standard anyone can recompute (`zlib.crc32`, `crc32` tool); and its
// table-driven form costs one table lookup per byte at load time in wasm. SHA-256 over the body would add nothing
// against accidents and cost much more code in the filter.
export const enum Header {
  MAGIC = 0,
  VERSION = 4,
  HEADER_SIZE = 6,
  CHECKSUM = 8,
  TOTAL_SIZE = 12,
  SECTION_COUNT = 16,
  DIRECTORY_OFFSET = 20,
  FLAGS = 24,
  RESERVED = 28,
  SOURCE_SHA256 = 32,
}
export const HEADER_SIZE = 64;
export const SHA256_SIZE = 32;
/** The checksum covers [CHECKSUM_START, total_size): every byte after the checksum field itself. The magic and
 *  version before it are checked on their own, first, so that they produce their specific errors. */
export const CHECKSUM_START = 12;

// ---------------------------------------------------------------------------------------------------------------
// Directory: section_count entries of DIR_ENTRY_SIZE bytes starting at HEADER_SIZE.
//
//  off size field
//    0    2 kind     a SectionKind; 0 (INVALID) is never valid, so a zeroed entry is caught
//    2    2 flags    must be 0
//    4    4 offset   from file start; multiple of SECTION_ALIGN; >= end of directory
//    8    4 size     exact payload length in bytes (padding after it is not part of the section)
//   12    4 reserved must be 0
//
// Entries are sorted by offset and sections may not overlap (offset[i] >= offset[i-1] + size[i-1]); together with
// "every section inside the file" this means no byte is claimed twice, so one object can never be read through
// another's layout. Zero-size sections are allowed only for kinds whose payload may be empty (none in version 1).
export const enum DirEntry {
  KIND = 0,
  FLAGS = 2,
  OFFSET = 4,
  SIZE = 8,
  RESERVED = 12,
}
export const DIR_ENTRY_SIZE = 16;
export const SECTION_ALIGN = 8;

// ---------------------------------------------------------------------------------------------------------------
// Limits. They bound every allocation and loop the reader performs before it has validated anything, and keep all
// offset arithmetic far below 2^31 so that i32/u32 sums in either language cannot wrap.
export const MAX_TABLE_SIZE = 0x40000000; // 1 GiB — a table is shipped in Envoy config; real ones are a few MiB
export const MAX_SECTIONS = 65536;
export const MAX_SECTION_SIZE = 0x40000000;

// ---------------------------------------------------------------------------------------------------------------
// Section kinds (u16). Numbers are grouped by owner with gaps for growth. A reader knows every kind listed here;
// a kind not listed is refused (BAD_SECTION_KIND) because an older filter must not silently ignore an object the
// rule program may reference. Kinds marked RESERVED have no payload validator yet: the reader accepts them as
// opaque, bounds-checked byte ranges, and their owner MUST add a payload validator to the loader (filter/tables/
// reader.ts validatePayload, and rulesets/tables/reader.ts) before the filter interprets their contents.
export const enum SectionKind {
  INVALID = 0,

  // -- generic --
  /** String pool: see StringPool below. Rule messages, tags, variable names, phrase texts for logs, ... */
  STRINGS = 1,
  /** RESERVED. Build metadata (compiler version, ruleset name, options) as a STRINGS-like payload, for logs. */
  METADATA = 2,

  // -- operator matchers (rulesets/matchers, filter/tables) --
  /** Aho-Corasick phrase set for @pm / @pmFromFile (and @pmf): see Ac below. */
  AHO_CORASICK = 16,
  /** IP prefix set for @ipMatch / @ipMatchFromFile (@ipMatchF): see Ip below. */
  IP_SET = 17,

  // -- regex engine (rulesets/regex), all RESERVED --
  /** Minimised DFA of one pattern: a 256-byte byte-class map, dense u16 transition rows (one row per state, one
   *  cell per class), per-state accept flags (accept-now, accept-at-end) and the absorbing ACCEPT state. */
  REGEX_DFA = 32,
  /** Compact NFA program of one pattern, run by the lazy DFA and the Pike VM. */
  REGEX_NFA = 33,
  /** Capture program: leftmost-first (PCRE priority) Pike VM program that fills TX:0..9 after a match. */
  REGEX_CAPTURE = 34,
  /** Prefilter factors of a group of patterns as an Aho-Corasick automaton. Payload = the AHO_CORASICK layout
   *  (validated and walked by the same code); a separate kind so tooling can tell prefilters from @pm sets. */
  REGEX_PREFILTER_AC = 35,
  /** Prefilter map: which patterns each prefilter phrase id stands for, and which patterns have no factor. */
  REGEX_PREFILTER_MAP = 36,

  // -- rule program (compiler), all RESERVED --
  RULES = 48,
  CHAINS = 49,
  TARGETS = 50,
  TRANSFORMATIONS = 51,
  ACTIONS = 52,
}

// ---------------------------------------------------------------------------------------------------------------
// Load errors: the reader returns exactly one of these. Same codes in TS and AS so tests can compare them.
export const enum LoadError {
  OK = 0,
  /** Buffer shorter than the header, or shorter than the header's total_size. */
  TRUNCATED = 1,
  /** First 4 bytes are not "WAFT". */
  BAD_MAGIC = 2,
  /** Format version is not FORMAT_VERSION. */
  BAD_VERSION = 3,
  /** header_size, directory_offset, flags or reserved fields are not what this version writes. */
  BAD_HEADER = 4,
  /** Buffer longer than total_size (trailing bytes), or total_size over MAX_TABLE_SIZE. */
  SIZE_MISMATCH = 5,
  /** CRC-32 of the body does not match the header. */
  BAD_CHECKSUM = 6,
  /** Directory does not fit in the file, too many sections, or non-zero flags/reserved in an entry. */
  BAD_DIRECTORY = 7,
  /** A section kind this reader does not know (or INVALID). */
  BAD_SECTION_KIND = 8,
  /** A section starts or ends outside the file (or before the end of the directory). */
  SECTION_OUT_OF_RANGE = 9,
  /** A section offset is not a multiple of SECTION_ALIGN. */
  SECTION_MISALIGNED = 10,
  /** Sections overlap or are not sorted by offset. */
  SECTION_OVERLAP = 11,
  /** A section's payload is internally inconsistent (counts, sizes, indices out of range, unsorted rows, ...). */
  BAD_PAYLOAD = 12,
}

// ---------------------------------------------------------------------------------------------------------------
// STRINGS payload (string pool). Strings are raw bytes (UTF-8 when they come from text); id = index.
//
//  off        size            field
//    0        4               count
//    4        4               bytes_len
//    8        4*(count+1)     offsets: start of string i is offsets[i], end is offsets[i+1] (relative to bytes)
//    8+4(c+1) bytes_len       bytes
// Checks: offsets[0] == 0, non-decreasing, offsets[count] == bytes_len, size == 8 + 4(count+1) + bytes_len.
export const enum StringPool {
  COUNT = 0,
  BYTES_LEN = 4,
  OFFSETS = 8,
}
export const STRINGS_HEADER_SIZE = 8;
export const MAX_STRINGS = 0x01000000;

// ---------------------------------------------------------------------------------------------------------------
// AHO_CORASICK payload: an Aho-Corasick automaton compiled to a DFA (every goto/fail chain already resolved, so the
// filter makes exactly one transition per input byte), stored compressed:
//  * Input bytes go through a 256-entry class map first. With case folding, 'A'..'Z' share the class of
//    'a'..'z'; bytes that occur in no phrase all share class 0, and from any state class 0 leads to the root.
//  * States are numbered so that the first dense_count states (state 0 = root among them) have a DENSE row:
//    class_count u32 targets. Those are the root (whose row is the default for everyone) and states with many
//    transitions that differ from the root's.
//  * Every other state s has a SPARSE row: only the transitions whose target differs from the root row's,
//    as u32 cells (class << 24 | target), sorted by class, in exceptions[ex_start[s] .. ex_start[s+1]).
//    delta(s, c) = the cell for c if present, else root_row[c]. In a deep AC state almost every transition
//    equals the root's (it falls back to the start), so this stores ~1-4 cells per state instead of
//    class_count, with a binary search of a few cells per byte instead of fail-link chasing (bounded work per
//    byte, no worst-case input).
//  * Output lists: the phrases that end in state s (its own phrase, then those reached through suffix links,
//    LONGEST FIRST) are outputs[out_start[s] .. out_start[s+1]). Phrase ids index the phrase table.
//  * Phrase table: the phrase texts as first written (original case), for TX:0 / MATCHED_VAR / logs.
//
//  off  size                  field
//    0  4                     state_count      (1 ..= MAX_AC_STATES)
//    4  4                     class_count      (1 ..= 256)
//    8  4                     dense_count      (1 ..= state_count; state 0 is always dense)
//   12  4                     exception_count
//   16  4                     output_count
//   20  4                     phrase_count
//   24  4                     phrase_bytes_len
//   28  4                     flags            AcFlags
//   32  256                   class_map        u8 per input byte, each < class_count
//  288  4*dense*classes       dense rows       u32 targets, each < state_count
//   ..  4*(state_count+1)     ex_start         non-decreasing, [0] = 0, [state_count] = exception_count,
//                                              empty for dense states
//   ..  4*exception_count     exceptions       u32 (class << 24 | target); per state strictly increasing class,
//                                              class < class_count, target < state_count
//   ..  4*(state_count+1)     out_start        non-decreasing, [0] = 0, [state_count] = output_count
//   ..  4*output_count        outputs          u32 phrase ids < phrase_count
//   ..  4*(phrase_count+1)    phrase_offsets   [0] = 0, strictly increasing (no empty phrase), last = bytes_len
//   ..  phrase_bytes_len      phrase_bytes
// The array offsets are not stored: they follow from the counts, and size must equal the computed end exactly.
export const enum Ac {
  STATE_COUNT = 0,
  CLASS_COUNT = 4,
  DENSE_COUNT = 8,
  EXCEPTION_COUNT = 12,
  OUTPUT_COUNT = 16,
  PHRASE_COUNT = 20,
  PHRASE_BYTES_LEN = 24,
  FLAGS = 28,
  CLASS_MAP = 32,
  DENSE_ROWS = 288,
}
export const AC_HEADER_SIZE = 32;
export const AC_CLASS_MAP_SIZE = 256;
export const AC_EXCEPTION_CLASS_SHIFT = 24;
export const AC_EXCEPTION_TARGET_MASK = 0x00ffffff;
/** Targets are packed in 24 bits next to the class byte. */
export const MAX_AC_STATES = 0x01000000;
export const MAX_AC_PHRASES = 0x01000000;
export const enum AcFlags {
  /** Phrases were folded with ASCII case folding (bytes 'A'..'Z' -> 'a'..'z', nothing else), as @pm does. */
  CASE_INSENSITIVE = 1,
}
/** Writer policy (not a format rule): a state whose sparse row would need more than this many cells gets a dense
 *  row instead. The reader accepts any split. */
export const AC_DENSE_THRESHOLD = 24;

// ---------------------------------------------------------------------------------------------------------------
// IP_SET payload: two binary prefix tries (IPv4: 32 bits, IPv6: 128 bits) over network-order address bits, most
// significant bit first. A node is two u32 child references (bit 0, bit 1). A child reference is
//   IP_CHILD_EMPTY (0)   nothing in the set below this branch
//   IP_CHILD_FULL        a listed prefix ends here: every address below matches
//   n                    node index n, which must be GREATER than the referring node's index (and < node_count)
// Because children always have larger indices, no walk can loop, and the walker never takes more than 32/128 steps
// anyway. Node 0 is a placeholder that nothing references (it must be [EMPTY, EMPTY]), so that 0 can mean EMPTY in
// every reference. A root reference uses the same encoding (a node index >= 1, or EMPTY = no entry of that family,
// or FULL = a /0 of that family).
//
//  off size            field
//    0    4            node_count   (1 ..= MAX_IP_NODES, node 0 included)
//    4    4            v4_root      child reference
//    8    4            v6_root      child reference
//   12    4            flags        IpFlags
//   16    4            entry_count  number of source entries (informational, for logs)
//   20    4            reserved     must be 0
//   24    8*node_count nodes        [child0 u32, child1 u32]
export const enum Ip {
  NODE_COUNT = 0,
  V4_ROOT = 4,
  V6_ROOT = 8,
  FLAGS = 12,
  ENTRY_COUNT = 16,
  RESERVED = 20,
  NODES = 24,
}
export const IP_HEADER_SIZE = 24;
export const IP_NODE_SIZE = 8;
export const IP_CHILD_EMPTY = 0;
export const IP_CHILD_FULL = 0x7fffffff;
export const MAX_IP_NODES = 0x01000000;
export const enum IpFlags {
  /** Also look up an IPv4-mapped IPv6 input (::ffff:a.b.c.d) in the IPv4 trie. Off by default: ModSecurity keeps
   *  the families apart (an input with ':' is searched in the IPv6 tree only). */
  MATCH_V4_MAPPED = 1,
}
/** Results of an IP lookup, same in TS and AS. */
export const enum IpResult {
  NO_MATCH = 0,
  MATCH = 1,
  /** The input is not an IPv4/IPv6 address in inet_pton syntax: ModSecurity treats it as no match. */
  INVALID_ADDRESS = -1,
}
