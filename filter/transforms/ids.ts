// Transformation ids (SecLang `t:` actions). Written in the TypeScript/AssemblyScript common subset: the rule
// compiler (TypeScript) and the filter (AssemblyScript) both import this file, so it may only hold
// `export const enum` members and `export const` numbers.
//
// Names (ModSecurity v3 spelling; aliases share an id):
//   none lowercase uppercase urlDecode urlDecodeUni urlEncode htmlEntityDecode jsDecode cssDecode
//   escapeSeqDecode utf8toUnicode removeNulls replaceNulls removeWhitespace compressWhitespace trim trimLeft
//   trimRight cmdLine normalisePath|normalizePath normalisePathWin|normalizePathWin replaceComments
//   removeComments removeCommentsChar base64Decode base64DecodeExt base64Encode hexDecode hexEncode
//   sqlHexDecode length md5 sha1 parityEven7bit parityOdd7bit parityZero7bit
// The ids are stable: append new ones, never renumber (compiled rule tables store them).
export const enum TransformId {
  None = 0,
  Lowercase = 1,
  Uppercase = 2,
  UrlDecode = 3,
  UrlDecodeUni = 4,
  UrlEncode = 5,
  HtmlEntityDecode = 6,
  JsDecode = 7,
  CssDecode = 8,
  EscapeSeqDecode = 9,
  Utf8ToUnicode = 10,
  RemoveNulls = 11,
  ReplaceNulls = 12,
  RemoveWhitespace = 13,
  CompressWhitespace = 14,
  Trim = 15,
  TrimLeft = 16,
  TrimRight = 17,
  CmdLine = 18,
  NormalisePath = 19,
  NormalisePathWin = 20,
  ReplaceComments = 21,
  RemoveComments = 22,
  RemoveCommentsChar = 23,
  Base64Decode = 24,
  Base64DecodeExt = 25,
  Base64Encode = 26,
  HexDecode = 27,
  HexEncode = 28,
  SqlHexDecode = 29,
  Length = 30,
  Md5 = 31,
  Sha1 = 32,
  ParityEven7bit = 33,
  ParityOdd7bit = 34,
  ParityZero7bit = 35,
}

/** Number of ids; valid ids are 0 .. TRANSFORM_COUNT - 1. */
export const TRANSFORM_COUNT = 36;

/** Entries in a unicode map table (SecUnicodeMapFile): one per UTF-16 code unit 0x0000..0xFFFF. */
export const UNICODE_MAP_SIZE = 65536;

/** Largest output a single transformation produces; expanding ones (urlEncode, hexEncode, base64Encode,
 *  utf8toUnicode) transform only the longest input prefix whose output fits. */
export const MAX_TRANSFORM_OUTPUT = 134217728;
