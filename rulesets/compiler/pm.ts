// @pm argument syntax, byte for byte as libmodsecurity v3 (src/operators/pm.cc Pm::init with parse_pm_content of
// src/utils/acmp.cc): optional surrounding double quotes on the WHOLE argument, `|hex|` byte escapes, `\` escapes of
// `: ; \ "` only, then std::istream >> std::string splitting on whitespace (so a |20| escape splits a phrase, and the
// phrase list ends at the first NUL byte, as the C string it becomes does). When parse_pm_content fails (unsupported
// escape, empty content) ModSecurity falls back to splitting the raw argument on whitespace; so do we.

/** Phrases of an @pm argument (latin1 byte string in, byte arrays out) and whether the fallback was taken. */
export function parsePmArgument(arg: string): { phrases: Uint8Array[]; fallback: boolean; reason?: string } {
  const content = parsePmContent(Buffer.from(arg, "latin1"));
  if (typeof content === "string") return { phrases: splitWs(Buffer.from(arg, "latin1")), fallback: true, reason: content };
  const nul = content.indexOf(0);
  return { phrases: splitWs(nul >= 0 ? content.subarray(0, nul) : content), fallback: false };
}

/** parse_pm_content: the processed bytes, or an error message (then the caller uses the raw argument). */
function parsePmContent(src: Uint8Array): Uint8Array | string {
  // content = strdup(op_parm): a C string, so it ends at the first NUL.
  const z = src.indexOf(0);
  const content = z >= 0 ? src.subarray(0, z) : src;
  let offset = 0;
  while (offset < content.length && (content[offset] === 0x20 || content[offset] === 0x09)) offset++;
  const opLen = content.length;
  let parm: Uint8Array;
  if (offset < opLen && content[offset] === 0x22 && content[opLen - 1] === 0x22) {
    if (opLen - offset < 2) return "Content length is 0.";
    parm = content.slice(offset + 1, opLen - 1);
  } else parm = content.slice(offset);
  const len = parm.length;
  if (len === 0) return "Content length is 0.";
  let bin = false;
  let esc = false;
  let converted = false;
  let x = 0;
  const binParm: number[] = [];
  const isHex = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
  for (let i = 0; i < len; i++) {
    const c = parm[i]!;
    if (c === 0x7c) bin = !bin;
    else if (!esc && c === 0x5c) esc = true;
    else if (bin) {
      if (isHex(c)) {
        binParm.push(c);
        if (binParm.length === 2) {
          parm[x++] = parseInt(String.fromCharCode(...binParm), 16) & 0xff;
          binParm.length = 0;
          converted = true;
        }
      }
      // any other byte inside |...| is skipped (spaces between hex pairs, and anything else)
    } else if (esc) {
      if (c === 0x3a || c === 0x3b || c === 0x5c || c === 0x22) parm[x++] = c;
      else return "Unsupported escape sequence.";
      esc = false;
      converted = true;
    } else parm[x++] = c;
  }
  // Without any conversion the C code keeps strlen(parm), i.e. the (possibly partly overwritten) buffer as is.
  return converted ? parm.subarray(0, x) : parm;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

function splitWs(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i <= b.length; i++) {
    const ws = i === b.length || WS.has(b[i]!);
    if (ws && start >= 0) {
      out.push(b.slice(start, i));
      start = -1;
    } else if (!ws && start < 0) start = i;
  }
  return out;
}
