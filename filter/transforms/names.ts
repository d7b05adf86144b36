// SecLang transformation name -> TransformId (ModSecurity v3 spelling, case-sensitive), -1 when unknown.
import { TransformId } from "./ids";

export function transformIdByName(name: string): i32 {
  if (name == "none") return TransformId.None;
  if (name == "lowercase") return TransformId.Lowercase;
  if (name == "uppercase") return TransformId.Uppercase;
  if (name == "urlDecode") return TransformId.UrlDecode;
  if (name == "urlDecodeUni") return TransformId.UrlDecodeUni;
  if (name == "urlEncode") return TransformId.UrlEncode;
  if (name == "htmlEntityDecode") return TransformId.HtmlEntityDecode;
  if (name == "jsDecode") return TransformId.JsDecode;
  if (name == "cssDecode") return TransformId.CssDecode;
  if (name == "escapeSeqDecode") return TransformId.EscapeSeqDecode;
  if (name == "utf8toUnicode") return TransformId.Utf8ToUnicode;
  if (name == "removeNulls") return TransformId.RemoveNulls;
  if (name == "replaceNulls") return TransformId.ReplaceNulls;
  if (name == "removeWhitespace") return TransformId.RemoveWhitespace;
  if (name == "compressWhitespace") return TransformId.CompressWhitespace;
  if (name == "trim") return TransformId.Trim;
  if (name == "trimLeft") return TransformId.TrimLeft;
  if (name == "trimRight") return TransformId.TrimRight;
  if (name == "cmdLine") return TransformId.CmdLine;
  if (name == "normalisePath" || name == "normalizePath") return TransformId.NormalisePath;
  if (name == "normalisePathWin" || name == "normalizePathWin") return TransformId.NormalisePathWin;
  if (name == "replaceComments") return TransformId.ReplaceComments;
  if (name == "removeComments") return TransformId.RemoveComments;
  if (name == "removeCommentsChar") return TransformId.RemoveCommentsChar;
  if (name == "base64Decode") return TransformId.Base64Decode;
  if (name == "base64DecodeExt") return TransformId.Base64DecodeExt;
  if (name == "base64Encode") return TransformId.Base64Encode;
  if (name == "hexDecode") return TransformId.HexDecode;
  if (name == "hexEncode") return TransformId.HexEncode;
  if (name == "sqlHexDecode") return TransformId.SqlHexDecode;
  if (name == "length") return TransformId.Length;
  if (name == "md5") return TransformId.Md5;
  if (name == "sha1") return TransformId.Sha1;
  if (name == "parityEven7bit") return TransformId.ParityEven7bit;
  if (name == "parityOdd7bit") return TransformId.ParityOdd7bit;
  if (name == "parityZero7bit") return TransformId.ParityZero7bit;
  return -1;
}
