// The transformation pipeline: runs a list of transformation ids over a byte range with two reusable scratch
// buffers (ping-pong) and leaves the result as a view (resultPtr, resultLen). A transformation that would
// not change its input reports so after a scan and the pipeline keeps the current view: for most values the
// whole pipeline copies nothing. In steady state (scratches grown to the largest value seen) a call
// allocates nothing.
//
// The result view points into the caller's input, or into one of the pipeline's scratches: it stays valid
// until the next run() on the same pipeline.
import { TransformId, UNICODE_MAP_SIZE, MAX_TRANSFORM_OUTPUT } from "./ids";
import { Scratch, resPtr, resLen } from "./scratch";
import { lowercase, uppercase } from "./case";
import { urlDecode, urlDecodeUni, urlEncode } from "./url";
import { htmlEntityDecode } from "./html";
import { jsDecode, cssDecode, escapeSeqDecode } from "./escapes";
import { utf8toUnicode } from "./utf8";
import { removeNulls, replaceNulls, parity7bit } from "./nulls";
import { removeWhitespace, compressWhitespace, trim, trimLeft, trimRight } from "./whitespace";
import { cmdLine } from "./cmdline";
import { normalisePath, normalisePathWin } from "./path";
import { replaceComments, removeComments, removeCommentsChar } from "./comments";
import { base64Decode, base64DecodeExt, base64Encode } from "./base64";
import { hexDecode, hexEncode, sqlHexDecode } from "./hex";
import { md5, sha1, length } from "./digest";

/**
 * Applies one transformation to src[0..len), writing (if needed) into `out`. Returns false when the value is
 * unchanged; otherwise the result is (resPtr, resLen) from ./scratch. `map`: unicode map for urlDecodeUni.
 * Unknown ids behave like none.
 */
export function applyTransform(id: i32, src: usize, len: i32, out: Scratch, map: StaticArray<i32> | null): bool {
  switch (id) {
    case TransformId.Lowercase: return lowercase(src, len, out);
    case TransformId.Uppercase: return uppercase(src, len, out);
    case TransformId.UrlDecode: return urlDecode(src, len, out);
    case TransformId.UrlDecodeUni: return urlDecodeUni(src, len, out, map);
    case TransformId.UrlEncode: return urlEncode(src, len, out);
    case TransformId.HtmlEntityDecode: return htmlEntityDecode(src, len, out);
    case TransformId.JsDecode: return jsDecode(src, len, out);
    case TransformId.CssDecode: return cssDecode(src, len, out);
    case TransformId.EscapeSeqDecode: return escapeSeqDecode(src, len, out);
    case TransformId.Utf8ToUnicode: return utf8toUnicode(src, len, out);
    case TransformId.RemoveNulls: return removeNulls(src, len, out);
    case TransformId.ReplaceNulls: return replaceNulls(src, len, out);
    case TransformId.RemoveWhitespace: return removeWhitespace(src, len, out);
    case TransformId.CompressWhitespace: return compressWhitespace(src, len, out);
    case TransformId.Trim: return trim(src, len, out);
    case TransformId.TrimLeft: return trimLeft(src, len, out);
    case TransformId.TrimRight: return trimRight(src, len, out);
    case TransformId.CmdLine: return cmdLine(src, len, out);
    case TransformId.NormalisePath: return normalisePath(src, len, out);
    case TransformId.NormalisePathWin: return normalisePathWin(src, len, out);
    case TransformId.ReplaceComments: return replaceComments(src, len, out);
    case TransformId.RemoveComments: return removeComments(src, len, out);
    case TransformId.RemoveCommentsChar: return removeCommentsChar(src, len, out);
    case TransformId.Base64Decode: return base64Decode(src, len, out);
    case TransformId.Base64DecodeExt: return base64DecodeExt(src, len, out);
    case TransformId.Base64Encode: return base64Encode(src, len, out);
    case TransformId.HexDecode: return hexDecode(src, len, out);
    case TransformId.HexEncode: return hexEncode(src, len, out);
    case TransformId.SqlHexDecode: return sqlHexDecode(src, len, out);
    case TransformId.Length: return length(src, len, out);
    case TransformId.Md5: return md5(src, len, out);
    case TransformId.Sha1: return sha1(src, len, out);
    case TransformId.ParityEven7bit: return parity7bit(src, len, out, 0);
    case TransformId.ParityOdd7bit: return parity7bit(src, len, out, 1);
    case TransformId.ParityZero7bit: return parity7bit(src, len, out, 2);
  }
  return false;
}

export class TransformPipeline {
  private a: Scratch = new Scratch();
  private b: Scratch = new Scratch();
  /** SecUnicodeMapFile table for urlDecodeUni (UNICODE_MAP_SIZE entries, -1 = unmapped), or null. */
  unicodeMap: StaticArray<i32> | null = null;
  /** Result of the last run(): a view valid until the next run(). */
  resultPtr: usize = 0;
  resultLen: i32 = 0;
  /** True when the last run() changed the value (the view then points into a scratch or, for trims, may
   *  still point into the input). */
  changed: bool = false;

  setUnicodeMap(map: StaticArray<i32> | null): void {
    assert(map === null || map.length == UNICODE_MAP_SIZE, "unicode map must have 65536 entries");
    this.unicodeMap = map;
  }

  /** Runs ids[from..to) over src[0..len). Returns resultLen; resultPtr holds the view. Values longer than
   *  MAX_TRANSFORM_OUTPUT are transformed on that prefix (keeps every scratch request allocatable). */
  run(ids: StaticArray<u8>, from: i32, to: i32, src: usize, len: i32): i32 {
    if (len > MAX_TRANSFORM_OUTPUT) len = MAX_TRANSFORM_OUTPUT;
    if (len < 0) len = 0;
    return this.resume(ids, from, to, src, len);
  }

  /** run() continued on the result of an earlier run() of ids[0..from) that changed its value: that result is
   *  taken whole, as the steps of one run() take each other's output (run() cuts only the original value). */
  resume(ids: StaticArray<u8>, from: i32, to: i32, src: usize, len: i32): i32 {
    let p = src;
    let n = len;
    let changed = false;
    const map = this.unicodeMap;
    if (to > ids.length) to = ids.length;
    for (let k = from; k < to; k++) {
      const id = <i32>unchecked(ids[k]);
      if (id == TransformId.None) continue;
      // write into the scratch that does not hold the current value
      const out = this.a.holds(p) ? this.b : this.a;
      if (applyTransform(id, p, n, out, map)) {
        p = resPtr;
        n = resLen;
        changed = true;
      }
    }
    this.resultPtr = p;
    this.resultLen = n;
    this.changed = changed;
    return n;
  }

  /** Runs all of ids. */
  @inline runAll(ids: StaticArray<u8>, src: usize, len: i32): i32 {
    return this.run(ids, 0, ids.length, src, len);
  }

  /** Runs a single transformation. */
  runOne(id: i32, src: usize, len: i32): i32 {
    if (len > MAX_TRANSFORM_OUTPUT) len = MAX_TRANSFORM_OUTPUT;
    if (len < 0) len = 0;
    let p = src;
    let n = len;
    const out = this.a.holds(p) ? this.b : this.a;
    this.changed = applyTransform(id, p, n, out, this.unicodeMap);
    if (this.changed) {
      p = resPtr;
      n = resLen;
    }
    this.resultPtr = p;
    this.resultLen = n;
    return n;
  }

  /** Copies the last result into a fresh ArrayBuffer (tests, debugging; not for the hot path). */
  resultBytes(): ArrayBuffer {
    const r = new ArrayBuffer(this.resultLen);
    memory.copy(changetype<usize>(r), this.resultPtr, <usize>this.resultLen);
    return r;
  }
}
