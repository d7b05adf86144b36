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
export const FORMAT_VERSION = 8;

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
// rule program may reference. Every kind listed here has a payload validator in both readers (filter/tables/
// reader.ts validatePayload and rulesets/tables/reader.ts), and the rule program's cross-references between sections
// are checked once more after all payloads (validateProgram, see "Rule program" below).
export const enum SectionKind {
  INVALID = 0,

  // -- generic --
  /** String pool: see StringPool below. Rule messages, tags, variable names, phrase texts for logs, ... */
  STRINGS = 1,
  /** Engine settings (SecRuleEngine, body limits, ...) and build metadata: see Settings below. */
  METADATA = 2,

  // -- operator matchers (rulesets/matchers, filter/tables) --
  /** Aho-Corasick phrase set for @pm / @pmFromFile (and @pmf): see Ac below. */
  AHO_CORASICK = 16,
  /** IP prefix set for @ipMatch / @ipMatchFromFile (@ipMatchF): see Ip below. */
  IP_SET = 17,

  // -- regex engine (rulesets/regex; encoded by rulesets/compiler/regex-sections.ts) --
  /** Minimised DFA of one pattern: see RegexDfa below. */
  REGEX_DFA = 32,
  /** Match-only NFA program of one pattern (no SAVE), run by the lazy DFA: see RegexNfa below. */
  REGEX_NFA = 33,
  /** Capture program: the same layout as REGEX_NFA, with SAVE instructions; run by a leftmost-first (PCRE
   *  priority) Pike VM after a match to fill TX:0..9. */
  REGEX_CAPTURE = 34,
  /** Prefilter factors of all patterns as an Aho-Corasick automaton. Payload = the AHO_CORASICK layout
   *  (validated and walked by the same code); a separate kind so tooling can tell prefilters from @pm sets. */
  REGEX_PREFILTER_AC = 35,
  /** Prefilter map: the regex directory, and which regexes each prefilter phrase stands for: see RegexMap. */
  REGEX_PREFILTER_MAP = 36,
  /** Backtracking program (the pattern's syntax tree) for non-regular patterns (back references) and for capture
   *  extraction where PCRE's empty-iteration rule matters: see RegexBacktrack below. */
  REGEX_BACKTRACK = 37,

  // -- rule program (rulesets/compiler, decoded by filter/program) --
  /** Program root: per-phase rule records and markers; names the other program sections. See Rules below. */
  RULES = 48,
  /** Conditions: the chain head and each chain link of every rule. See Cond below. */
  CHAINS = 49,
  /** Rule targets (and ctl:ruleRemoveTarget* targets). See Target below. */
  TARGETS = 50,
  /** Deduplicated transformation pipelines. See Pipelines below. */
  TRANSFORMATIONS = 51,
  /** Run-time actions, macro strings and a u32 list pool. See Actions below. */
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
// AHO_CORASICK payload: the Aho-Corasick automaton as its keyword trie with failure links, stored compactly:
//  * Input bytes go through a 256-entry class map first. With case folding, 'A'..'Z' share the class of
//    'a'..'z'; bytes that occur in no phrase all share class 0 (no trie edge is labelled 0).
//  * States are the trie nodes in BFS order (state 0 = root; children of a node in increasing class order), so
//    the children of state s are exactly the states child_start[s] .. child_start[s+1]-1, and labels[t] is the
//    class of the edge into t (strictly increasing among siblings: binary search).
//  * The root has a full row (root_row[c] = delta(0, c): its child, or 0). For s > 0:
//      delta(s, c) = the child of s labelled c if there is one, else delta(fail[s], c)
//    with fail[s] < s (the failure link: the longest proper suffix of s's text that is a trie node, which is
//    shallower, hence earlier in BFS order), so the chase always ends at the root. A chase step makes the state
//    shallower and a byte deepens it by at most one: at most 2 × input length steps per value in total.
//  * Output lists: the phrases that end in state s (its own phrase, then those reached through suffix links,
//    LONGEST FIRST). Only the output_state_count states with a non-empty list have one: bit s of out_bits says
//    whether s has outputs, and then r = out_rank[s >> 5] + (number of set bits of out_bits[s >> 5] below bit
//    s & 31) is its rank among them; its list is outputs[out_start[r] .. out_start[r+1]).
//  * Phrase table: the phrase texts as first written (original case), for TX:0 / MATCHED_VAR / logs.
//  * Cells of root_row, child_start, fail, out_start and outputs are `cell_width` bytes (2 when every value
//    fits in u16 — the writer uses it when state_count, output_count and phrase_count are all <= 65535 — else 4).
//
//  off  size                  field
//    0  4                     state_count        (1 ..= MAX_AC_STATES)
//    4  4                     class_count        (1 ..= 256)
//    8  4                     cell_width         2 or 4
//   12  4                     output_state_count M: states with outputs (= set bits of out_bits)
//   16  4                     output_count
//   20  4                     phrase_count
//   24  4                     phrase_bytes_len
//   28  4                     flags              AcFlags
//   32  256                   class_map          u8 per input byte, each < class_count
//  288  4*words               out_bits           words = ceil(state_count / 32); bits >= state_count are 0
//   ..  4*words               out_rank           [0] = 0, out_rank[i+1] = out_rank[i] + popcount(out_bits[i])
//   ..  4*(phrase_count+1)    phrase_offsets     [0] = 0, strictly increasing (no empty phrase), last = bytes_len
//   ..  W*classes             root_row           targets < state_count; root_row[c] != 0 iff some child of the
//                                                root is labelled c (then it is that child)
//   ..  W*(state_count+1)     child_start        non-decreasing, child_start[s] >= s + 1 (children come after
//                                                their parent), [state_count] = state_count
//   ..  W*state_count         fail               fail[0] = 0, fail[s] < s for s > 0
//   ..  W*(M+1)               out_start          strictly increasing (no empty list), [0] = 0, [M] = output_count
//   ..  W*output_count        outputs            phrase ids < phrase_count
//   ..  state_count           labels             u8 class of the edge into each state ([0] = 0, others >= 1 and
//                                                < class_count, strictly increasing among the children of a state)
//   ..  phrase_bytes_len      phrase_bytes
// The array offsets are not stored: they follow from the counts, and size must equal the computed end exactly.
export const enum Ac {
  STATE_COUNT = 0,
  CLASS_COUNT = 4,
  CELL_WIDTH = 8,
  OUTPUT_STATE_COUNT = 12,
  OUTPUT_COUNT = 16,
  PHRASE_COUNT = 20,
  PHRASE_BYTES_LEN = 24,
  FLAGS = 28,
  CLASS_MAP = 32,
  OUT_BITS = 288,
}
export const AC_HEADER_SIZE = 32;
export const AC_CLASS_MAP_SIZE = 256;
export const MAX_AC_STATES = 0x01000000;
export const MAX_AC_PHRASES = 0x01000000;
/** Largest count the writer stores in 2-byte cells. */
export const AC_U16_LIMIT = 0xffff;
export const enum AcFlags {
  /** Phrases were folded with ASCII case folding (bytes 'A'..'Z' -> 'a'..'z', nothing else), as @pm does. */
  CASE_INSENSITIVE = 1,
}

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

// ===============================================================================================================
// Regex sections (written by rulesets/compiler/regex-sections.ts from rulesets/regex's compileRegex output; walked by
// the filter's regex engine). The reference semantics of every walk below is the TS code in rulesets/regex (dfaMatch,
// LazyDfa, pikeSearch, compileBacktrack): the filter must agree with it byte for byte.
// "NONE" (REF_NONE = 0xFFFFFFFF) marks an absent u32 reference everywhere in the regex and rule-program sections.
export const REF_NONE = 0xffffffff;

// ---------------------------------------------------------------------------------------------------------------
// REGEX_DFA payload: a minimised unanchored-search DFA over byte classes.
//
//  off  size               field
//    0  4                  state_count   S (1 ..= MAX_DFA_STATES); the ACCEPT state is one of them
//    4  4                  class_count   K (1 ..= 256)
//    8  4                  start         < S
//   12  4                  accept        the absorbing ACCEPT state (< S), or NONE when the pattern can never match
//   16  4                  dead          a state from which no match is reachable any more (< S), or NONE
//   20  4                  flags         RegexDfaFlags
//   24  256                class_map     u8 per input byte, each < K
//  280  S (padded to 4)    accept_at_end u8 per state, 0 or 1 (1 = the pattern matches if the input ends here)
//   T   variable (pad to 4) rows         one row record per state, states 0, 1, .., S-1 in order, packed byte by
//                                        byte (no alignment inside; multi-byte values little-endian); T = 280 + S
//                                        padded to 4. A "target" below is w bytes: w = 1 (u8) when flags has
//                                        CELLS_U8 (only allowed when S <= 256), else 2 (u16); every target < S.
// Row record of state s (the K cells of its dense row, as "base row + exceptions"):
//    u8      n        exception count (0 ..= K)
//    u8      back     0: the base row is K copies of `default` (which follows);
//                     1 ..= min(s, 255): the base row is the (fully expanded) row of the earlier state s - back
//    target  default  present only when back == 0
//    n x (u8 class, target)   exceptions: row[class] = target; classes strictly increasing, each < K
// The row of s is its base row with the exceptions applied. The bytes after the last record up to the next multiple
// of 4 are zero, and the payload size must equal that padded end exactly. Readers expand the rows into the dense
// S*K transition table at load time (every count, back reference, class and target is checked first: a corrupt
// table is refused, never a trap). The writer (rulesets/compiler/regex-sections.ts encodeDfa) picks per state the
// cheaper of "most common target as default" and "closest row among the 255 previous states as base".
// cell(s * K + c) below is row(s)[c]. Walk (rulesets/regex dfaMatch):
//   s = start; for each byte b: s = cell(s * K + class_map[b]); if s == accept: MATCH; if s == dead: NO MATCH.
//   At the end of the input: MATCH iff accept_at_end[s] == 1.
// `^ $ \b \B \A \z \Z` and one-byte look-arounds are already resolved inside the table (one byte of look-ahead,
// RE2's technique): the walker needs nothing but the bytes. ACCEPT loops to itself on every class.
export const enum RegexDfa {
  STATE_COUNT = 0,
  CLASS_COUNT = 4,
  START = 8,
  ACCEPT = 12,
  DEAD = 16,
  FLAGS = 20,
  CLASS_MAP = 24,
  ACCEPT_AT_END = 280,
}
export const REGEX_DFA_HEADER_SIZE = 24;
export const MAX_DFA_STATES = 65536;
export const enum RegexDfaFlags {
  /** Transition cells are u8 (the writer uses them when S <= 256). */
  CELLS_U8 = 1,
}

// ---------------------------------------------------------------------------------------------------------------
// REGEX_NFA and REGEX_CAPTURE payload: a Thompson NFA over bytes as a flat program (rulesets/regex/nfa.ts).
//
//  off  size              field
//    0  4                 inst_count   N (1 ..= MAX_NFA_INSTS)
//    4  4                 set_count    number of 256-bit byte sets
//    8  4                 look_count   number of look-around entries
//   12  4                 seq_count    number of look-around sequences (all entries)
//   16  4                 elem_count   number of sequence elements (all sequences)
//   20  4                 start        first instruction (< N)
//   24  4                 slots        capture slots used by SAVE (0 ..= 20: TX:0..9 -> 2 per group)
//   28  4                 assert_mask  bit (1 << A) for every assertion code A that occurs
//   32  4                 inst_width   W: byte width of every instruction operand, 1, 2 or 4 (the writer picks the
//                                      smallest W that holds N - 1 and every operand)
//   36  4                 inst_bytes   B: byte length of the instruction stream (N <= B <= 9 * N)
//   40  B (padded to 4)   insts        N instructions packed byte by byte (no alignment inside): u8 op (RegexOp),
//                                      then only the operands that op uses, each W bytes little-endian, in the order
//                                      listed below; the stream holds exactly N instructions and ends exactly at B;
//                                      the padding after it is zero
//   ..  32*set_count      sets         256-bit byte sets, 8 u32 words, bit b of word b>>5 = byte b is in the set
//   ..  16*look_count     looks        [flags (RegexLookFlags), max_len, seq_start, seq_count]
//   ..  8*seq_count       seqs         [elem_start, elem_len]: a fixed-length byte-set sequence
//   ..  4*elem_count      elems        set indices (< set_count)
// Size must equal 40 + B padded to 4 + 32*set_count + 16*look_count + 8*seq_count + 4*elem_count exactly. Readers
// expand the instructions into [op, arg, out, out1] arrays at load time (fields an op does not use read as 0).
// Instructions (operands in stream order):
//   BYTE   arg, out     arg = set index; out = next
//   SPLIT  out, out1    out = preferred branch, out1 = other branch (PCRE priority: out first)
//   SAVE   arg, out     arg = capture slot (< slots); out = next (only in REGEX_CAPTURE)
//   ASSERT arg, out     arg = assertion code (RegexAssert); out = next
//   LOOK   arg, out     arg = look index (< look_count); out = next. The look-around holds at position i iff one of
//                       its sequences matches the bytes ending at i (behind) or starting at i (ahead), XOR negate.
//   MATCH  -
//   NOP    out          out = next
// Every out/out1 that is used is < N; seq ranges lie in seqs, elem ranges in elems; elem_len <= max_len.
export const enum RegexNfa {
  INST_COUNT = 0,
  SET_COUNT = 4,
  LOOK_COUNT = 8,
  SEQ_COUNT = 12,
  ELEM_COUNT = 16,
  START = 20,
  SLOTS = 24,
  ASSERT_MASK = 28,
  INST_WIDTH = 32,
  INST_BYTES = 36,
  INSTS = 40,
}
export const REGEX_NFA_HEADER_SIZE = 40;
export const MAX_NFA_INSTS = 0x00100000;
export const MAX_CAPTURE_SLOTS = 20;
export const enum RegexOp {
  BYTE = 0,
  SPLIT = 1,
  SAVE = 2,
  ASSERT = 3,
  LOOK = 4,
  MATCH = 5,
  NOP = 6,
}
export const REGEX_OP_COUNT = 7;
/** Assertion codes (same numbers as rulesets/regex/nfa.ts A_*). bol/eol are MULTILINE ^ $ as ModSecurity v3. */
export const enum RegexAssert {
  BOL = 0,
  EOL = 1,
  START = 2,
  END = 3,
  END_Z = 4,
  WORD_B = 5,
  NOT_WORD_B = 6,
}
export const REGEX_ASSERT_COUNT = 7;
export const enum RegexLookFlags {
  BEHIND = 1,
  NEGATE = 2,
}

// ---------------------------------------------------------------------------------------------------------------
// REGEX_BACKTRACK payload: the pattern's syntax tree (rulesets/regex/ast.ts) for the backtracking matcher
// (rulesets/regex/backtrack.ts semantics: leftmost-first, greedy/lazy/possessive, back references, atomic
// look-arounds, a step budget like PCRE's match limit).
//
//  off  size             field
//    0  4                node_count   N (1 ..= MAX_BT_NODES)
//    4  4                set_count
//    8  4                child_count  length of the child-list array
//   12  4                groups       number of capturing groups in the pattern
//   16  4                root         < N
//   20  4                reserved     0
//   24  16*N             nodes        [type | flags << 8, p1, p2, p3] (RegexNode, RegexNodeFlags)
//   ..  32*set_count     sets         256-bit byte sets as in REGEX_NFA
//   ..  4*child_count    children     node indices
// Node parameters (unused ones are 0). Every child index is SMALLER than its parent's index (post-order), so the
// tree has no cycles and the root is usually N - 1:
//   EMPTY    -
//   SET      p1 = set index
//   CONCAT   p1 = child-list start, p2 = child count (items in order)
//   ALT      p1 = child-list start, p2 = child count (alternatives, in priority order)
//   REPEAT   p1 = min, p2 = max (NONE = unbounded), p3 = child; flags GREEDY, POSSESSIVE
//   GROUP    p1 = capture index (0 = non-capturing), p2 = child
//   ASSERT   p1 = RegexAssert code
//   LOOK     p1 = child, p2 = offset; flags BEHIND, NEGATE
//   BACKREF  p1 = group index; flags ICASE
export const enum RegexBacktrack {
  NODE_COUNT = 0,
  SET_COUNT = 4,
  CHILD_COUNT = 8,
  GROUPS = 12,
  ROOT = 16,
  RESERVED = 20,
  NODES = 24,
}
export const REGEX_BT_HEADER_SIZE = 24;
export const MAX_BT_NODES = 0x00100000;
export const enum RegexNode {
  EMPTY = 0,
  SET = 1,
  CONCAT = 2,
  ALT = 3,
  REPEAT = 4,
  GROUP = 5,
  ASSERT = 6,
  LOOK = 7,
  BACKREF = 8,
}
export const REGEX_NODE_COUNT = 9;
export const enum RegexNodeFlags {
  GREEDY = 1,
  POSSESSIVE = 2,
  BEHIND = 4,
  NEGATE = 8,
  ICASE = 16,
}

// ---------------------------------------------------------------------------------------------------------------
// REGEX_PREFILTER_MAP payload: the regex directory of the program and the prefilter links.
// Every distinct pattern (@rx argument, verifyCC & co. argument, target selector /re/) is one regex; its index is
// what conditions refer to. A regex whose every match contains one of its literal factors (>= 3 bytes, compared
// case-insensitively) has HAS_FACTORS: the engine runs it on a value only if the prefilter automaton (the
// REGEX_PREFILTER_AC section, AHO_CORASICK layout, case-insensitive) reported one of its factors in that value.
//
//  off  size               field
//    0  4                  regex_count   G
//    4  4                  phrase_count  P (= the phrase count of the prefilter automaton; 0 when there is none)
//    8  4                  link_count    L
//   12  4                  ac_section    section index of the REGEX_PREFILTER_AC section, NONE iff P == 0
//   16  16*G               regexes       [match_section, capture_section, flags (RegexFlags), groups]
//   ..  4*(P+1)            phrase_start  [0] = 0, non-decreasing, [P] = L
//   ..  4*L                links         regex indices (< G): phrase p stands for links[phrase_start[p] ..
//                                        phrase_start[p+1]); each regex with HAS_FACTORS appears at least once
//   ..  256                atom_of       per byte value: its atom (< MAX_REQUIRED_ATOMS)
//   ..  8*G                required      per regex: [low, high] 32 bits of a 64-bit set of atoms; 0 unless the
//                                        regex has REQUIRED_BYTES
//   ..  4                  pm_count      M: @pm / @pmFromFile automata whose phrases are also prefilter phrases
//   ..  4*M                pm_sections   the AHO_CORASICK section of each (distinct); candidate G + j stands for
//                                        pm_sections[j], and a link G + j (links are < G + M) marks a phrase of it
// Folded phrase lists: every phrase of automaton j is a prefilter phrase linked to G + j, so after a scan the engine
// knows, as for a regex, whether @pm with that automaton can match the value (both automata compare
// case-insensitively and report any occurrence: "no phrase of j occurred" is exact). The compiler folds the lists
// request-phase rules use (they read every argument, header and cookie) unless a phrase is shorter than
// PM_FOLD_MIN_LENGTH bytes (short phrases would fire on most values, in every scan).
// A regex with REQUIRED_BYTES contains, in every match, a byte whose atom is in its `required` set (the compiler's
// required byte set, rulesets/regex/required-bytes.ts, widened to whole atoms): the engine runs it on a value only if
// the value holds such a byte. Both tests are necessary conditions; a regex with neither flag always runs.
// match_section is a REGEX_DFA (tier dfa), REGEX_NFA (tier lazy) or REGEX_BACKTRACK (non-regular) section;
// capture_section is a REGEX_CAPTURE (Pike VM) or REGEX_BACKTRACK section, or NONE when no rule captures with it.
export const enum RegexMap {
  REGEX_COUNT = 0,
  PHRASE_COUNT = 4,
  LINK_COUNT = 8,
  AC_SECTION = 12,
  REGEXES = 16,
}
export const REGEX_MAP_HEADER_SIZE = 16;
export const REGEX_RECORD_CELLS = 4;
export const enum RegexFlags {
  /** Run only when one of the regex's prefilter phrases occurred in the value. */
  HAS_FACTORS = 1,
  /** Run only when the value holds a byte of one of the regex's required atoms (see above). */
  REQUIRED_BYTES = 2,
  /** Matches every value, TX:0 = the whole value, no groups (rulesets/regex CompiledRegex.wholeValue): the filter
   *  answers without matching. */
  WHOLE_VALUE = 4,
}
/** Atoms of the required-byte test: a value's atoms are one 64-bit set. */
export const MAX_REQUIRED_ATOMS = 64;
/** Shortest phrase of an @pm list folded into the prefilter (the length of the shortest regex factor). */
export const PM_FOLD_MIN_LENGTH = 3;
/** Most @pm automata one map folds (readers refuse more). */
export const MAX_FOLDED_PM = 4096;
/** Size of the atom_of array of REGEX_PREFILTER_MAP. */
export const REGEX_ATOM_MAP_SIZE = 256;

// ===============================================================================================================
// Rule program (written by rulesets/compiler, decoded once at load time by filter/program and by the TS decoder
// rulesets/compiler/decode.ts). All sections are arrays of u32 cells; all cross-references are indices, checked by
// both readers at load time (per payload, then across sections: validateProgram), so the engine never checks them on
// the hot path. A table holds at most one RULES section (none for a matcher-only table); it names the others.
// String ids refer to the STRINGS section named by the RULES header; macro ids and list ranges to its ACTIONS
// section; variable ids are VariableId (./variables.ts); transformation ids are TransformId
// (filter/transforms/ids.ts, 1 ..= TRANSFORM_COUNT - 1; "none" never appears).

// ---------------------------------------------------------------------------------------------------------------
// RULES payload.
//
//  off  size               field
//    0  4                  rule_count          R
//    4  4                  marker_count        M
//    8  4                  strings_section     STRINGS
//   12  4                  chains_section      CHAINS
//   16  4                  targets_section     TARGETS
//   20  4                  transforms_section  TRANSFORMATIONS
//   24  4                  actions_section     ACTIONS
//   28  4                  settings_section    METADATA
//   32  4                  regex_map_section   REGEX_PREFILTER_MAP, or NONE when the program has no regex
//   36  4                  flags               0
//   40  24                 phase_start[6]      rules of phase p (1..5) are [phase_start[p-1], phase_start[p]);
//                                              [0] = 0, non-decreasing, [5] = R
//   64  4*RULE_CELLS*R     rules               rule records (Rule), sorted by phase, configuration order inside one
//   ..  4*MARKER_CELLS*M   markers             [name string id, position in phase 1, ..., position in phase 5]:
//                                              the index of the first rule after the marker in that phase
//                                              (phase_start[p-1] ..= phase_start[p])
// Rule record, RULE_CELLS u32:
//    0 id                  rule id
//    1 phase               1..5, equal to the phase range the record lies in
//    2 flags               RuleFlags
//    3 cond_start          its conditions are CHAINS [cond_start, cond_start + cond_count): the chain head first,
//    4 cond_count          then the links in order. Rules own consecutive, disjoint ranges: cond_start of rule 0 is
//                          0, of rule i+1 is cond_start + cond_count of rule i; the last ends at the CHAINS count.
//                          cond_count >= 1; CHAIN set iff cond_count > 1.
//    5 disruptive          Disruptive (the effective action: `block` is already resolved, see rulesets/ir)
//    6 disruptive_arg      macro id (redirect URL; allow: "", "request", "phase") or NONE
//    7 status              HTTP status, 0 = none
//    8 severity            0..7 or NONE
//    9 maturity            number or NONE
//   10 accuracy            number or NONE
//   11 msg                 macro id or NONE
//   12 logdata             macro id or NONE
//   13 tag_start           tags: macro ids in the ACTIONS list pool [tag_start, tag_start + tag_count)
//   14 tag_count
//   15 action_start        rule-level run-time actions: ACTIONS [action_start, action_start + action_count)
//   16 action_count
//   17 skip                skip:N (0 = none): rules/chains of this phase to skip after a match
//   18 skip_after          skipAfter resolved to a rule position: continue at this index, own index <
//                          skip_after <= phase end; NONE = no skipAfter
//   19 ver                 string id or NONE
//   20 rev                 string id or NONE
//   21 file                string id of the source file
//   22 line                source line
//   23 order               position of the rule in configuration order (0 ..= R - 1)
export const enum Rules {
  RULE_COUNT = 0,
  MARKER_COUNT = 4,
  STRINGS_SECTION = 8,
  CHAINS_SECTION = 12,
  TARGETS_SECTION = 16,
  TRANSFORMS_SECTION = 20,
  ACTIONS_SECTION = 24,
  SETTINGS_SECTION = 28,
  REGEX_MAP_SECTION = 32,
  FLAGS = 36,
  PHASE_START = 40,
  RULES = 64,
}
export const RULES_HEADER_SIZE = 64;
export const PHASE_COUNT = 5;
export const MAX_RULES = 0x00100000;
export const MARKER_CELLS = 6;
export const enum Rule {
  ID = 0,
  PHASE = 1,
  FLAGS = 2,
  COND_START = 3,
  COND_COUNT = 4,
  DISRUPTIVE = 5,
  DISRUPTIVE_ARG = 6,
  STATUS = 7,
  SEVERITY = 8,
  MATURITY = 9,
  ACCURACY = 10,
  MSG = 11,
  LOGDATA = 12,
  TAG_START = 13,
  TAG_COUNT = 14,
  ACTION_START = 15,
  ACTION_COUNT = 16,
  SKIP = 17,
  SKIP_AFTER = 18,
  VER = 19,
  REV = 20,
  FILE = 21,
  LINE = 22,
  ORDER = 23,
}
export const RULE_CELLS = 24;
export const enum RuleFlags {
  CHAIN = 1,
  LOG = 2,
  AUDITLOG = 4,
  /** A SecAction (single unconditional condition). */
  SEC_ACTION = 8,
  /** The disruptive action was written in the rule ("rule"), came from `block` ("block"), or neither: implicit pass. */
  DISRUPTIVE_FROM_BLOCK = 16,
  DISRUPTIVE_IMPLICIT = 32,
}
export const enum Disruptive {
  PASS = 0,
  DENY = 1,
  DROP = 2,
  ALLOW = 3,
  REDIRECT = 4,
  PROXY = 5,
}
export const DISRUPTIVE_COUNT = 6;

// ---------------------------------------------------------------------------------------------------------------
// CHAINS payload: conditions. Header: [cond_count, reserved 0], then cond_count records of COND_CELLS u32:
//    0 rule            index of the owning rule (the rule whose cond range holds this record)
//    1 flags           CondFlags
//    2 op              OperatorKind
//    3 arg_kind        ArgKind
//    4 arg             per arg_kind:
//                        NONE     0
//                        STRING   string id (the literal argument; @within's list, @streq's text, ...)
//                        NUMBER   i32 as u32 (two's complement): @eq/@ge/@gt/@le/@lt with a literal, as atoi
//                        MACRO    macro id: expanded at run time
//                        AC       section index of an AHO_CORASICK section (@pm, @pmFromFile)
//                        IP       section index of an IP_SET section (@ipMatch, @ipMatchFromFile)
//                        REGEX    regex index in the REGEX_PREFILTER_MAP directory (@rx, @rxGlobal, @verifyCC,
//                                 @verifyCPF, @verifySSN, @verifySVNR)
//                        BYTES    start of 8 u32 words in the ACTIONS list pool: a 256-bit byte set
//                                 (@validateByteRange: the allowed bytes)
//                        REGEX_VARIANTS  start in the ACTIONS list pool of [macro id, n, (string id, regex index) × n]
//                                 (@rx / @rxGlobal whose pattern holds a macro, e.g. v3 920480's
//                                 `^%{tx.allowed_request_content_type_charset}$`): ModSecurity compiles the expanded
//                                 pattern per request; the compiler precompiles every expansion the rule set can
//                                 produce (each literal value a setvar gives the referenced TX variables, and unset)
//                                 and the filter picks the regex whose pattern text equals the expansion
//    5 op_text         string id of the operator argument as written (logs, --explain)
//    6 target_start    TARGETS [target_start, target_start + target_count); count >= 1 except for SEC_ACTION
//    7 target_count
//    8 pipeline        TRANSFORMATIONS pipeline index
//    9 action_start    chain-link run-time actions (setvar, ...) in ACTIONS; 0 count for a chain head (its
//   10 action_count    actions are the rule's)
//   11 line            source line of this condition (head: the rule's line)
export const enum Chains {
  COND_COUNT = 0,
  RESERVED = 4,
  CONDS = 8,
}
export const CHAINS_HEADER_SIZE = 8;
export const enum Cond {
  RULE = 0,
  FLAGS = 1,
  OP = 2,
  ARG_KIND = 3,
  ARG = 4,
  OP_TEXT = 5,
  TARGET_START = 6,
  TARGET_COUNT = 7,
  PIPELINE = 8,
  ACTION_START = 9,
  ACTION_COUNT = 10,
  LINE = 11,
}
export const COND_CELLS = 12;
export const enum CondFlags {
  NEGATED = 1,
  CAPTURE = 2,
  MULTI_MATCH = 4,
  /** A chain link (not the chain head). */
  LINK = 8,
}
export const enum ArgKind {
  NONE = 0,
  STRING = 1,
  NUMBER = 2,
  MACRO = 3,
  AC = 4,
  IP = 5,
  REGEX = 6,
  BYTES = 7,
  REGEX_VARIANTS = 8,
}
export const ARG_KIND_COUNT = 9;
/** Operators. Each has exactly one admissible ArgKind set, checked by the readers (see the compiler). */
export const enum OperatorKind {
  UNCONDITIONAL_MATCH = 0,
  NO_MATCH = 1,
  RX = 2,
  RX_GLOBAL = 3,
  PM = 4,
  PM_FROM_FILE = 5,
  STREQ = 6,
  STRMATCH = 7,
  CONTAINS = 8,
  CONTAINS_WORD = 9,
  BEGINS_WITH = 10,
  ENDS_WITH = 11,
  WITHIN = 12,
  EQ = 13,
  GE = 14,
  GT = 15,
  LE = 16,
  LT = 17,
  IP_MATCH = 18,
  IP_MATCH_FROM_FILE = 19,
  DETECT_SQLI = 20,
  DETECT_XSS = 21,
  VALIDATE_BYTE_RANGE = 22,
  VALIDATE_URL_ENCODING = 23,
  VALIDATE_UTF8_ENCODING = 24,
  VERIFY_CC = 25,
  VERIFY_CPF = 26,
  VERIFY_SSN = 27,
  VERIFY_SVNR = 28,
  GEO_LOOKUP = 29,
  RBL = 30,
}
export const OPERATOR_KIND_COUNT = 31;

// ---------------------------------------------------------------------------------------------------------------
// TARGETS payload. Header: [target_count, reserved 0], then target_count records of TARGET_CELLS u32:
//    0 variable        VariableId
//    1 flags           TargetFlags | selector kind (TargetSelector) << SELECTOR_SHIFT
//    2 selector        NONE: 0; KEY: string id (as written; ModSecurity compares keys case-insensitively except
//                      for TX-like collections, the engine decides); REGEX: regex index in the REGEX_PREFILTER_MAP
//                      directory, compiled caseless (ModSecurity v3 compiles selector regexes with PCRE_CASELESS;
//                      the regex's pattern text is the selector's prefixed with "(?i)"); XPATH: string id
//    3 raw             string id of the target as written (e.g. "!REQUEST_COOKIES:/__utm/")
export const enum Targets {
  TARGET_COUNT = 0,
  RESERVED = 4,
  TARGETS = 8,
}
export const TARGETS_HEADER_SIZE = 8;
export const TARGET_CELLS = 4;
export const enum Target {
  VARIABLE = 0,
  FLAGS = 1,
  SELECTOR = 2,
  RAW = 3,
}
export const enum TargetFlags {
  /** `&VAR`: the number of elements. */
  COUNT = 1,
  /** `!VAR:sel`: removes matching elements from the rule's other targets. */
  EXCLUDE = 2,
}
export const TARGET_SELECTOR_SHIFT = 4;
export const TARGET_FLAGS_MASK = 3;
export const enum TargetSelector {
  NONE = 0,
  KEY = 1,
  REGEX = 2,
  XPATH = 3,
}

// ---------------------------------------------------------------------------------------------------------------
// TRANSFORMATIONS payload: [pipeline_count P, id_count I], starts u32[P+1] ([0] = 0, non-decreasing, [P] = I), ids
// u32[I]. Pipeline p is ids[starts[p] .. starts[p+1]), applied in order. Identical pipelines are stored once, so the
// engine can cache a transformed value per (value, pipeline index). Writer policy: pipeline 0 is the empty one.
export const enum Pipelines {
  PIPELINE_COUNT = 0,
  ID_COUNT = 4,
  STARTS = 8,
}
export const PIPELINES_HEADER_SIZE = 8;

// ---------------------------------------------------------------------------------------------------------------
// ACTIONS payload.
//
//  off  size               field
//    0  4                  action_count  A
//    4  4                  macro_count   M
//    8  4                  part_count    P
//   12  4                  list_count    L
//   16  4*ACTION_CELLS*A   actions       [kind (ActionKind), a, b, c, d, e, f, g]
//   ..  8*M                macros        [part_start, part_count]: parts [part_start, part_start + part_count)
//   ..  12*P               parts         [kind (MacroPartKind), a, b]: TEXT: a = string id, b = 0;
//                                        REF: a = VariableId (the collection), b = key string id or NONE
//   ..  4*L                list pool     plain u32 (id ranges, tag macro ids, byte sets)
// A macro string is the concatenation of its parts, each REF expanded at run time (%{TX.key}, %{MATCHED_VAR}).
// Action records by kind (unused fields are 0):
//   SETVAR      a = VariableId of the collection, b = SetVarOp, c = key macro, d = value macro
//   CTL         a = CtlOption, b = value string id (as written), c = typed value (CtlOption says which:
//               RuleEngineMode / AuditEngineMode / 0|1 / number / BodyProcessor / string id), d,e = list pool range
//               of id ranges as [from, to] pairs (e = pair count), f,g = TARGETS range (ruleRemoveTarget*)
//   INITCOL     a = VariableId of the collection, b = value macro
//   EXPIREVAR   a = VariableId of the collection, b = key macro, c = seconds macro
//   SETENV      b = name macro, c = value macro
//   SETUID, SETSID, SETRSC      b = value macro
//   XMLNS, SANITISE_ARG, SANITISE_REQUEST_HEADER, SANITISE_RESPONSE_HEADER, SANITISE_MATCHED_BYTES
//               b = string id (the argument) or NONE
//   SANITISE_MATCHED            -
export const enum Actions {
  ACTION_COUNT = 0,
  MACRO_COUNT = 4,
  PART_COUNT = 8,
  LIST_COUNT = 12,
  ACTIONS = 16,
}
export const ACTIONS_HEADER_SIZE = 16;
export const ACTION_CELLS = 8;
export const MACRO_CELLS = 2;
export const PART_CELLS = 3;
export const enum ActionKind {
  SETVAR = 0,
  CTL = 1,
  INITCOL = 2,
  EXPIREVAR = 3,
  SETENV = 4,
  SETUID = 5,
  SETSID = 6,
  SETRSC = 7,
  XMLNS = 8,
  SANITISE_ARG = 9,
  SANITISE_MATCHED = 10,
  SANITISE_MATCHED_BYTES = 11,
  SANITISE_REQUEST_HEADER = 12,
  SANITISE_RESPONSE_HEADER = 13,
}
export const ACTION_KIND_COUNT = 14;
export const enum MacroPartKind {
  TEXT = 0,
  REF = 1,
}
export const enum SetVarOp {
  SET = 0,
  ADD = 1,
  SUB = 2,
  UNSET = 3,
}
export const SETVAR_OP_COUNT = 4;
export const enum CtlOption {
  AUDIT_ENGINE = 0, // c = AuditEngineMode
  AUDIT_LOG_PARTS = 1, // c = string id
  DEBUG_LOG_LEVEL = 2, // c = number
  FORCE_REQUEST_BODY_VARIABLE = 3, // c = 0|1
  REQUEST_BODY_ACCESS = 4, // c = 0|1
  REQUEST_BODY_LIMIT = 5, // c = number
  REQUEST_BODY_PROCESSOR = 6, // c = BodyProcessor
  RESPONSE_BODY_ACCESS = 7, // c = 0|1
  RESPONSE_BODY_LIMIT = 8, // c = number
  RULE_ENGINE = 9, // c = RuleEngineMode
  RULE_REMOVE_BY_ID = 10, // d,e = id ranges
  RULE_REMOVE_BY_MSG = 11, // c = string id
  RULE_REMOVE_BY_TAG = 12, // c = string id
  RULE_REMOVE_TARGET_BY_ID = 13, // d,e = id ranges, f,g = targets
  RULE_REMOVE_TARGET_BY_MSG = 14, // c = string id, f,g = targets
  RULE_REMOVE_TARGET_BY_TAG = 15, // c = string id, f,g = targets
}
export const CTL_OPTION_COUNT = 16;
export const enum RuleEngineMode {
  OFF = 0,
  ON = 1,
  DETECTION_ONLY = 2,
}
export const enum AuditEngineMode {
  OFF = 0,
  ON = 1,
  RELEVANT_ONLY = 2,
}
export const enum BodyProcessor {
  URLENCODED = 0,
  MULTIPART = 1,
  XML = 2,
  JSON = 3,
}

// ---------------------------------------------------------------------------------------------------------------
// METADATA payload (settings): [entry_count N, reserved 0], then N records [key (Setting), value_kind
// (SettingValue), value]. NUMBER values are u32; STRING values are string ids in the program's STRINGS section;
// BOOL values are 0|1; ENUM values are the enum named next to the key. A key may repeat only where noted (lists);
// an absent key means "the engine's default" (ModSecurity's).
export const enum SettingsLayout {
  ENTRY_COUNT = 0,
  RESERVED = 4,
  ENTRIES = 8,
}
export const SETTINGS_HEADER_SIZE = 8;
export const SETTING_CELLS = 3;
export const enum SettingValue {
  NUMBER = 0,
  STRING = 1,
}
export const enum Setting {
  RULE_ENGINE = 0, // NUMBER: RuleEngineMode
  REQUEST_BODY_ACCESS = 1, // NUMBER 0|1
  RESPONSE_BODY_ACCESS = 2, // NUMBER 0|1
  REQUEST_BODY_LIMIT = 3, // NUMBER
  REQUEST_BODY_NO_FILES_LIMIT = 4, // NUMBER
  REQUEST_BODY_IN_MEMORY_LIMIT = 5, // NUMBER
  REQUEST_BODY_LIMIT_ACTION = 6, // NUMBER: 0 Reject, 1 ProcessPartial
  REQUEST_BODY_JSON_DEPTH_LIMIT = 7, // NUMBER
  RESPONSE_BODY_LIMIT = 8, // NUMBER
  RESPONSE_BODY_LIMIT_ACTION = 9, // NUMBER: 0 Reject, 1 ProcessPartial
  RESPONSE_BODY_MIME_TYPE = 10, // STRING, repeated: one entry per MIME type (present-but-empty list: see _CLEARED)
  RESPONSE_BODY_MIME_TYPES_CLEARED = 11, // NUMBER 1: the list was set and is exactly the entries given (maybe none)
  ARGUMENT_SEPARATOR = 12, // STRING
  ARGUMENTS_LIMIT = 13, // NUMBER
  COOKIE_FORMAT = 14, // NUMBER 0|1
  COLLECTION_TIMEOUT = 15, // NUMBER
  WEB_APP_ID = 16, // STRING
  COMPONENT_SIGNATURE = 17, // STRING, repeated
  PCRE_MATCH_LIMIT = 18, // NUMBER
  PCRE_MATCH_LIMIT_RECURSION = 19, // NUMBER
  XML_EXTERNAL_ENTITY = 20, // NUMBER 0|1
  UPLOAD_FILE_LIMIT = 21, // NUMBER
  AUDIT_ENGINE = 22, // NUMBER: AuditEngineMode
  AUDIT_LOG_PARTS = 23, // STRING
  AUDIT_LOG_RELEVANT_STATUS = 24, // STRING (a regex, as written)
  AUDIT_LOG_FORMAT = 25, // NUMBER: 0 Native, 1 JSON
  UNICODE_CODE_PAGE = 26, // NUMBER (SecUnicodeMapFile's code page; the map itself is the engine's concern)
  STATUS_ENGINE = 27, // NUMBER 0|1
  COMPILER_VERSION = 28, // STRING: build metadata
  SOURCE_FILES = 29, // STRING, repeated: the files the table was compiled from, in reading order
}
export const SETTING_COUNT = 30;
