// `%{collection.key}` macros → MacroString.
import { lookupVariable } from "../ir/catalog";
import type { MacroPart, MacroString } from "../ir/types";

export interface MacroResult {
  value: MacroString;
  /** Problems, each a complete sentence fragment (e.g. `unknown variable in macro %{FOO}`). */
  errors: string[];
}

/**
 * Parses `%{...}` references as ModSecurity v3 does: `%{` opens a reference unless it is
 * preceded by an odd number of backslashes (the text is then kept as written, backslash
 * included); the reference names a variable, optionally followed by `.key` or `:key`.
 */
export function parseMacro(raw: string): MacroResult {
  const parts: MacroPart[] = [];
  const errors: string[] = [];
  let text = "";
  let i = 0;
  const n = raw.length;
  while (i < n) {
    const j = raw.indexOf("%{", i);
    if (j < 0) {
      text += raw.slice(i);
      break;
    }
    let bs = 0;
    for (let k = j - 1; k >= 0 && raw[k] === "\\"; k--) bs++;
    if (bs % 2 === 1) {
      text += raw.slice(i, j + 2);
      i = j + 2;
      continue;
    }
    const close = raw.indexOf("}", j + 2);
    if (close < 0) {
      errors.push(`unterminated macro ${JSON.stringify(raw.slice(j, j + 40))} (no closing })`);
      text += raw.slice(i);
      break;
    }
    const inner = raw.slice(j + 2, close);
    const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:([.:])(.*))?$/s.exec(inner);
    const refRaw = raw.slice(j, close + 1);
    if (!m) {
      errors.push(`malformed macro ${refRaw}: expected %{VARIABLE} or %{COLLECTION.key}`);
      text += raw.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    const info = lookupVariable(m[1]!);
    if (!info) {
      errors.push(`unknown variable in macro ${refRaw}`);
      text += raw.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    const key = m[2] !== undefined ? m[3]! : null;
    if (key !== null && key === "") {
      errors.push(`empty key in macro ${refRaw}`);
    } else if (key !== null && !info.collection) {
      errors.push(`${info.name} is not a collection; macro ${refRaw} cannot name a key`);
    }
    text += raw.slice(i, j);
    if (text) parts.push({ kind: "text", text });
    text = "";
    parts.push({ kind: "ref", collection: info.name, key, raw: refRaw });
    i = close + 1;
  }
  if (text) parts.push({ kind: "text", text });
  return { value: { raw, parts, dynamic: parts.some((p) => p.kind === "ref") }, errors };
}

/** A MacroString holding plain text (no references). */
export function literalMacro(raw: string): MacroString {
  return { raw, parts: raw ? [{ kind: "text", text: raw }] : [], dynamic: false };
}
