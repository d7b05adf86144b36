// Regex selectors that are plain words ("TX:/^header_name_920450_/", "TX:/paramcounter_.*/"): answered by comparing
// bytes instead of running the regex. CRS's restricted-header rule (920450, every request at PL1) selects TX by
// /^header_name_920450_/ right after setting one TX variable per request header, so the regex ran on every one of
// the ~100 TX keys of every request.
//
// A selector regex is compiled caseless (ModSecurity v3 compiles them with PCRE_CASELESS), so for a word W of ASCII
// letters, digits, `_` and `-` (none is a metacharacter outside a class):
//   /^W/ and /^W.*/  match a key  ⇔  the key starts with W, ignoring ASCII case;
//   /W/  and /W.*/   match a key  ⇔  the key contains W, ignoring ASCII case
// (`.*` may match nothing, so it never decides; nor does a last `c*` for a word byte c, as in CRS 922110's
// /MULTIPART_HEADERS_CONTENT_TYPES_*/, which is W = "MULTIPART_HEADERS_CONTENT_TYPES"). Every other pattern runs as a regex. The pattern is read from the
// target's text as written (Target.RAW, "VAR:/pattern/"); targets naming the same pattern share its regex index.
import { TARGET_CELLS, TARGET_SELECTOR_SHIFT, Target, TargetSelector } from "../../rulesets/tables/format";
import { lowerByte } from "./bytes";
import { Ruleset } from "./ruleset";

/** Per regex index: the lowercased word of a plain-word selector (null: run the regex), and whether it is anchored. */
export class LiteralSelectors {
  constructor(private readonly words: StaticArray<ArrayBuffer | null>, private readonly anchored: StaticArray<u8>) {}

  /** Whether selector regex ri matches `key`: 1 or 0, or -1 when ri is not a plain word (run the regex). */
  test(ri: i32, key: ArrayBuffer): i32 {
    if (<u32>ri >= <u32>this.words.length) return -1;
    const w = unchecked(this.words[ri]);
    if (w === null) return -1;
    const wp = changetype<usize>(w), wl = w.byteLength;
    const kp = changetype<usize>(key), kl = key.byteLength;
    const last = unchecked(this.anchored[ri]) != 0 ? 0 : kl - wl;
    for (let s = 0; s <= last; s++) {
      let i = 0;
      while (i < wl && lowerByte(<u32>load<u8>(kp + <usize>(s + i))) == <u32>load<u8>(wp + <usize>i)) i++;
      if (i == wl) return 1;
    }
    return 0;
  }
}

@inline function wordByte(c: u32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x5f || c == 0x2d;
}

/** A plain-word selector: its word, lowercased, and whether the pattern anchors it at the key's start. */
class PlainWord {
  constructor(readonly word: ArrayBuffer, readonly anchored: bool) {}
}

/** The plain word of a target written "VAR:/pattern/" (pattern `^?W(.*)?` or `^?Wc*`, c a word byte); null for any
 *  other text. */
function plainWordOf(raw: ArrayBuffer): PlainWord | null {
  const p = changetype<usize>(raw), n = raw.byteLength;
  let colon = 0;
  while (colon < n && load<u8>(p + <usize>colon) != 0x3a) colon++;
  let s = colon + 1, e = n - 1; // the pattern is [s + 1, e)
  if (s >= e || load<u8>(p + <usize>s) != 0x2f || load<u8>(p + <usize>e) != 0x2f) return null;
  s++;
  const anchored = s < e && load<u8>(p + <usize>s) == 0x5e;
  if (anchored) s++;
  if (e - s >= 2 && load<u8>(p + <usize>(e - 1)) == 0x2a) {
    const c = <u32>load<u8>(p + <usize>(e - 2));
    if (c == 0x2e || wordByte(c)) e -= 2; // `.*` or `c*`: may match nothing
  }
  if (s >= e) return null;
  const word = new ArrayBuffer(e - s);
  for (let i = s; i < e; i++) {
    const c = <u32>load<u8>(p + <usize>i);
    if (!wordByte(c)) return null;
    store<u8>(changetype<usize>(word) + <usize>(i - s), <u8>lowerByte(c));
  }
  return new PlainWord(word, anchored);
}

/** Finds the plain-word selectors of a rule set's targets (once per VM). */
export function literalSelectors(rs: Ruleset): LiteralSelectors {
  const prog = rs.prog;
  const n = prog.regexCount;
  const words = new StaticArray<ArrayBuffer | null>(n);
  const anchored = new StaticArray<u8>(n);
  const t = prog.targets;
  for (let i = 0, tn = prog.targetCount; i < tn; i++) {
    if ((t[i * TARGET_CELLS + Target.FLAGS] >> TARGET_SELECTOR_SHIFT) != TargetSelector.REGEX) continue;
    const ri = <i32>t[i * TARGET_CELLS + Target.SELECTOR];
    if (<u32>ri >= <u32>n) continue;
    const found = plainWordOf(rs.str(t[i * TARGET_CELLS + Target.RAW]));
    if (found === null) continue;
    unchecked((words[ri] = found.word));
    unchecked((anchored[ri] = found.anchored ? 1 : 0));
  }
  return new LiteralSelectors(words, anchored);
}
