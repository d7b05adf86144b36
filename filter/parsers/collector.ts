// The sink every parser writes into. The engine subclasses Collector and decides how to store what it gets;
// the parsers never allocate per byte and hand out (pointer, length) views that are only valid during the
// call (copy them if you keep them).

/** Flag / scalar ids passed to Collector.flag(). Values follow ModSecurity v3.0.9 (0/1, or counters). */
export namespace Flag {
  export const URLENCODED_ERROR: i32 = 1;
  export const REQBODY_ERROR: i32 = 2;
  export const REQBODY_PROCESSOR_ERROR: i32 = 3;
  export const MULTIPART_STRICT_ERROR: i32 = 10;
  export const MULTIPART_BOUNDARY_QUOTED: i32 = 11;
  export const MULTIPART_BOUNDARY_WHITESPACE: i32 = 12;
  export const MULTIPART_DATA_BEFORE: i32 = 13;
  export const MULTIPART_DATA_AFTER: i32 = 14;
  export const MULTIPART_HEADER_FOLDING: i32 = 15;
  export const MULTIPART_LF_LINE: i32 = 16;
  export const MULTIPART_MISSING_SEMICOLON: i32 = 17;
  export const MULTIPART_INVALID_QUOTING: i32 = 18;
  export const MULTIPART_INVALID_PART: i32 = 19;
  export const MULTIPART_INVALID_HEADER_FOLDING: i32 = 20;
  export const MULTIPART_FILE_LIMIT_EXCEEDED: i32 = 21;
  /** 0, 1 (something resembling the boundary was seen) or 2 (matched boundary after an opened one). */
  export const MULTIPART_UNMATCHED_BOUNDARY: i32 = 22;
  export const MULTIPART_CRLF_LF_LINES: i32 = 23;
  /** Sum of FILES_SIZES; only reported when at least one file part exists (as ModSecurity). */
  export const FILES_COMBINED_SIZE: i32 = 30;
  /** Informational: bytes of the body that are not file content (SecRequestBodyNoFilesLimit input). */
  export const REQBODY_NO_FILES_LENGTH: i32 = 31;
}

/** Collection ids passed to Collector.item(). */
export namespace Coll {
  export const MULTIPART_NAME: i32 = 1; // key = value = the C-D name (every one parsed, even of rejected parts)
  export const MULTIPART_FILENAME: i32 = 2; // key = value = the C-D filename
  export const MULTIPART_PART_HEADERS: i32 = 3; // key = part name, value = header line as received
  export const XML: i32 = 4; // key = "/*", value = text content of the root element (XML:/*)
}

/** Error codes passed to Collector.error() (the message is ModSecurity's REQBODY_ERROR_MSG, prefix included). */
export namespace ErrorCode {
  export const MULTIPART: i32 = 1;
  export const JSON: i32 = 2;
  export const XML: i32 = 3;
}

export abstract class Collector {
  /** SecArgumentsLimit (-1: not set). Applies to urlencoded and JSON arguments, as ModSecurity's addArgument. */
  argsLimit: i32 = -1;
  /** Number of ARGS held so far (the engine sets it before a body parser runs, e.g. to the query-string count). */
  argsCount: i32 = 0;

  /**
   * One name/value pair: ARGS (urlencoded, multipart, JSON) or REQUEST_COOKIES (cookie parser).
   * The engine knows which parser it called and therefore the origin (ARGS_GET/ARGS_POST/JSON/cookie).
   */
  abstract arg(namePtr: usize, nameLen: i32, valuePtr: usize, valueLen: i32): void;
  /**
   * One multipart file part: FILES (name -> filename), FILES_NAMES, FILES_SIZES (size). content/contentLen is
   * FILES_TMP_CONTENT, only when file extraction is enabled (MultipartOptions.extractFiles), else 0/0.
   */
  abstract file(namePtr: usize, nameLen: i32, filenamePtr: usize, filenameLen: i32, size: i64,
    contentPtr: usize, contentLen: i32): void;
  /** Scalar variables (Flag.*). */
  abstract flag(id: i32, value: i64): void;
  /** REQBODY_ERROR_MSG; always preceded by flag(REQBODY_ERROR, 1). */
  abstract error(code: i32, msgPtr: usize, msgLen: i32): void;
  /** Members of secondary collections (Coll.*). */
  abstract item(coll: i32, keyPtr: usize, keyLen: i32, valuePtr: usize, valueLen: i32): void;

  /** ModSecurity's Transaction::addArgument limit check; counts the argument when accepted. */
  @inline acceptArg(): bool {
    if (this.argsLimit >= 0 && this.argsCount >= this.argsLimit) return false;
    this.argsCount++;
    return true;
  }
}
