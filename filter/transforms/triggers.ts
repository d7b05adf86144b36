// Which bytes can make a transformation change a value. Each transformation first scans its input for the bytes it
// acts on and reports "unchanged" when there are none (lowercase without A-Z, urlDecode without % or +, ...). The
// engine meets most values with most transformations doing nothing (a GET at CRS PL1: ~270 steps per request, 9 in
// 10 of them on values they leave alone), so it keeps, per short value, the set of byte kinds the value holds
// (featuresOf, one table pass) and skips a run of steps outright when none of them is triggered by any of those
// kinds (triggersOf). The sets below are each function's own early-exit test, widened where that test looks at
// neighbours (a space counts for compressWhitespace even when it is a lone ' ', '/' for replaceComments even without
// a '*' after it): wider only runs a step that then reports "unchanged" itself.
// Transformations without such a test (decoders that change every value, digests, length) carry ANY, which every
// feature set holds: they always run. A transform test (filter/transforms/__tests__) checks every id on every byte.
import { TransformId, TRANSFORM_COUNT } from "./ids";

export const F_UPPER: u32 = 1 << 0; // A-Z
export const F_LOWER: u32 = 1 << 1; // a-z
export const F_PERCENT_PLUS: u32 = 1 << 2; // % +
export const F_AMP: u32 = 1 << 3; // &
export const F_BACKSLASH: u32 = 1 << 4; // \
export const F_NUL: u32 = 1 << 5; // 0x00
export const F_HIGH: u32 = 1 << 6; // 0x80-0xFF
export const F_SPACE: u32 = 1 << 7; // ' ' and 0x09-0x0D (util.ts isSpace)
export const F_CMD: u32 = 1 << 8; // " ' ^ , ; (cmdLine drops or folds them)
export const F_SLASH: u32 = 1 << 9; // /
export const F_DOT: u32 = 1 << 10; // .
export const F_STAR: u32 = 1 << 11; // *
export const F_LT: u32 = 1 << 12; // <
export const F_DASH: u32 = 1 << 13; // -
export const F_HASH: u32 = 1 << 14; // #
/** Held by every feature set (so a trigger of ANY always runs); 0 is "not computed yet". */
export const F_ANY: u32 = 1 << 30;
export const FEATURES_UNKNOWN: u32 = 0;

const BYTE_FEATURES: StaticArray<u32> = byteFeatures();

function byteFeatures(): StaticArray<u32> {
  const t = new StaticArray<u32>(256);
  for (let c = 0; c < 256; c++) {
    let f: u32 = 0;
    if (c >= 0x41 && c <= 0x5a) f |= F_UPPER;
    if (c >= 0x61 && c <= 0x7a) f |= F_LOWER;
    if (c == 0x25 || c == 0x2b) f |= F_PERCENT_PLUS;
    if (c == 0x26) f |= F_AMP;
    if (c == 0x5c) f |= F_BACKSLASH;
    if (c == 0) f |= F_NUL;
    if (c >= 0x80) f |= F_HIGH;
    if (c == 0x20 || (c >= 0x09 && c <= 0x0d)) f |= F_SPACE;
    if (c == 0x22 || c == 0x27 || c == 0x5e || c == 0x2c || c == 0x3b) f |= F_CMD;
    if (c == 0x2f) f |= F_SLASH;
    if (c == 0x2e) f |= F_DOT;
    if (c == 0x2a) f |= F_STAR;
    if (c == 0x3c) f |= F_LT;
    if (c == 0x2d) f |= F_DASH;
    if (c == 0x23) f |= F_HASH;
    t[c] = f;
  }
  return t;
}

/** The byte kinds of [p, p + n), with F_ANY. */
export function featuresOf(p: usize, n: i32): u32 {
  const t = changetype<usize>(BYTE_FEATURES);
  let f: u32 = F_ANY;
  for (let i = 0; i < n; i++) f |= load<u32>(t + ((<usize>load<u8>(p + <usize>i)) << 2));
  return f;
}

/** The byte kinds that can make transformation `id` change a value (ANY: always run it). */
export function triggersOf(id: i32): u32 {
  switch (id) {
    case TransformId.None: return 0;
    case TransformId.Lowercase: return F_UPPER;
    case TransformId.Uppercase: return F_LOWER;
    case TransformId.UrlDecode:
    case TransformId.UrlDecodeUni: return F_PERCENT_PLUS;
    case TransformId.HtmlEntityDecode: return F_AMP;
    case TransformId.JsDecode:
    case TransformId.EscapeSeqDecode: return F_BACKSLASH;
    case TransformId.CssDecode: return F_BACKSLASH | F_NUL;
    case TransformId.Utf8ToUnicode: return F_NUL | F_HIGH;
    case TransformId.RemoveNulls:
    case TransformId.ReplaceNulls: return F_NUL;
    case TransformId.RemoveWhitespace: return F_SPACE | F_HIGH; // and 0xA0, 0xC2
    case TransformId.CompressWhitespace:
    case TransformId.Trim:
    case TransformId.TrimLeft:
    case TransformId.TrimRight: return F_SPACE;
    case TransformId.CmdLine: return F_UPPER | F_CMD | F_BACKSLASH | F_SPACE;
    case TransformId.NormalisePath: return F_SLASH | F_DOT;
    case TransformId.NormalisePathWin: return F_SLASH | F_DOT | F_BACKSLASH;
    case TransformId.ReplaceComments: return F_SLASH;
    case TransformId.RemoveComments: return F_SLASH | F_LT | F_DASH | F_HASH;
    case TransformId.RemoveCommentsChar: return F_SLASH | F_STAR | F_LT | F_DASH | F_HASH;
    default: return F_ANY;
  }
}

/** triggersOf over ids[from..). */
export function triggersOfSteps(ids: StaticArray<u8>, from: i32): u32 {
  let t: u32 = 0;
  for (let k = from; k < ids.length; k++) {
    const id = <i32>ids[k];
    t |= id < TRANSFORM_COUNT ? triggersOf(id) : F_ANY;
  }
  return t;
}
