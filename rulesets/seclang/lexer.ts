// Lexer: SecLang file text → directives with their (still raw) arguments.
//
// Rules follow ModSecurity v3's seclang-scanner.ll:
// - A directive ends at a newline; `\` directly before a newline (optionally CR LF) continues
//   it on the next line. Between arguments a continuation counts as white space.
// - An argument is either bare (up to white space) or double-quoted. In a double-quoted
//   argument `\"` does not end it and backslashes are kept as written (the operator argument
//   reaches PCRE byte for byte). A raw newline inside quotes is an error (unterminated quote).
// - In action lists, a value that starts with `'` right after `name:` runs to the next
//   unescaped `'` and may contain `,`, `"` and spaces (`msg:'a, "b"'`).
// - `#` starts a comment when a directive could start, and after the last argument a directive
//   can take. As in v3, a commented-out `#SecRule ... \` / `#SecAction ... \` line also
//   comments out the continuation lines that follow it.
// - A continuation inside a quoted value is kept literally (v3 does so); the parser warns.

import { lookupDirective } from "./directives";
import type { Diagnostics } from "./errors";

export interface RawArg {
  /** Text of the argument, without the surrounding double quotes; escapes kept as written. */
  text: string;
  quoted: boolean;
  /** Line where the argument starts. */
  line: number;
}

export interface RawDirective {
  /** The name as written (case preserved). */
  name: string;
  args: RawArg[];
  file: string;
  /** Line of the directive's first line. */
  line: number;
  /** Source text of the whole directive, continuation lines included, trailing comment not. */
  raw: string;
}


function isBlank(c: string | undefined): boolean {
  return c === " " || c === "\t";
}

export function lexSecLang(text: string, file: string, diag: Diagnostics): RawDirective[] {
  const out: RawDirective[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  // Strip a UTF-8 byte order mark.
  if (text.charCodeAt(0) === 0xfeff) i = 1;

  const at = (k: number): string | undefined => (k < n ? text[k] : undefined);
  /** Length of a `\`-newline continuation at k, or 0. */
  const contAt = (k: number): number => {
    if (text[k] !== "\\") return 0;
    if (text[k + 1] === "\n") return 2;
    if (text[k + 1] === "\r" && text[k + 2] === "\n") return 3;
    return 0;
  };
  const eolAt = (k: number): number => {
    if (text[k] === "\n") return 1;
    if (text[k] === "\r" && text[k + 1] === "\n") return 2;
    return 0;
  };
  const skipToEol = (k: number): number => {
    while (k < n && text[k] !== "\n") k++;
    return k;
  };
  /** After an error: skip the rest of the broken directive — every following line that does
   *  not look like the start of a directive or a comment. */
  const recover = (k: number): number => {
    k = skipToEol(k);
    while (k < n) {
      // k is at "\n"
      k++;
      line++;
      let p = k;
      while (isBlank(at(p))) p++;
      const c = at(p);
      if (c === undefined || c === "\n" || c === "\r" || c === "#") return k;
      const m = /^[A-Za-z][A-Za-z0-9_]*/.exec(text.slice(p, p + 64));
      if (m && lookupDirective(m[0])) return k;
      k = skipToEol(k);
    }
    return k;
  };

  while (i < n) {
    const c = text[i]!;
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "\n") {
      i++;
      line++;
      continue;
    }
    const cl = contAt(i);
    if (cl) {
      i += cl;
      line++;
      continue;
    }
    if (c === "#") {
      const end = skipToEol(i);
      const commentLine = text.slice(i, end).replace(/\r$/, "");
      i = end;
      // ModSecurity v3: `#SecRule ... \` comments out its continuation lines too.
      if (/^#[ \t]*Sec(Rule|Action)[^\\]/i.test(commentLine) && /\\[ \t]*$/.test(commentLine)) {
        while (i < n) {
          i++; // the "\n"
          line++;
          const e = skipToEol(i);
          const l = text.slice(i, e).replace(/\r$/, "");
          i = e;
          if (!/\\[ \t]*$/.test(l)) break;
        }
      }
      continue;
    }

    // A directive.
    const start = i;
    const startLine = line;
    const nameMatch = /^[A-Za-z][A-Za-z0-9_]*/.exec(text.slice(i, i + 128));
    if (!nameMatch || !(isBlank(at(i + nameMatch[0].length)) || eolAt(i + nameMatch[0].length) || contAt(i + nameMatch[0].length) || i + nameMatch[0].length >= n)) {
      const bad = text.slice(i, skipToEol(i)).replace(/\r$/, "");
      diag.error(file, startLine, "(directive)", `expected a directive name at the start of a line, got: ${truncate(bad)}`);
      i = recover(i);
      continue;
    }
    const name = nameMatch[0];
    i += name.length;
    const info = lookupDirective(name);
    const maxArgs = info ? info.maxArgs : Number.POSITIVE_INFINITY;
    const args: RawArg[] = [];
    let rawEnd = i;
    let failed = false;

    for (;;) {
      // Skip blanks and continuations between arguments.
      for (;;) {
        if (isBlank(at(i))) {
          i++;
          continue;
        }
        const k = contAt(i);
        if (k) {
          i += k;
          line++;
          continue;
        }
        if (text[i] === "\r" && text[i + 1] !== "\n") {
          i++;
          continue;
        }
        break;
      }
      const e = eolAt(i);
      if (i >= n || e) {
        break;
      }
      if (text[i] === "#" && args.length >= maxArgs) {
        i = skipToEol(i);
        break;
      }
      const actions = info?.actionsArg === args.length;
      const argLine = line;
      if (text[i] === '"') {
        const r = scanQuoted(i + 1, actions);
        if ("error" in r) {
          diag.error(file, startLine, info?.name ?? name, r.error + (argLine !== startLine ? ` (quote opened on line ${argLine})` : ""));
          i = recover(r.at);
          failed = true;
          break;
        }
        args.push({ text: text.slice(i + 1, r.end), quoted: true, line: argLine });
        line += r.lines;
        i = r.end + 1;
        rawEnd = i;
        if (!(i >= n || isBlank(at(i)) || eolAt(i) || contAt(i) || text[i] === "\r")) {
          diag.error(file, startLine, info?.name ?? name, `expected white space or the end of the line after the closing quote, got: ${truncate(text.slice(i, skipToEol(i)))}`);
          i = recover(i);
          failed = true;
          break;
        }
      } else {
        const r = scanBare(i, actions);
        if ("error" in r) {
          diag.error(file, startLine, info?.name ?? name, r.error);
          i = recover(r.at);
          failed = true;
          break;
        }
        args.push({ text: text.slice(i, r.end), quoted: false, line: argLine });
        i = r.end;
        rawEnd = i;
      }
    }
    if (failed) continue;
    out.push({ name, args, file, line: startLine, raw: text.slice(start, rawEnd) });
  }
  return out;

  /** Scans a double-quoted argument whose content starts at k. Returns the index of the
   *  closing quote and the number of continuation newlines inside. */
  function scanQuoted(k: number, actions: boolean): { end: number; lines: number } | { error: string; at: number } {
    let lines = 0;
    const st = new ActionQuoteState();
    for (;;) {
      if (k >= n) return { error: "unterminated double-quoted string (end of file before the closing quote)", at: k };
      const ch = text[k]!;
      if (ch === "\\") {
        const cl = contAt(k);
        if (cl) {
          k += cl;
          lines++;
          continue;
        }
        if (k + 1 < n && text[k + 1] !== "\n" && !(text[k + 1] === "\r" && text[k + 2] === "\n")) {
          st.char("x");
          k += 2;
          continue;
        }
        st.char("x");
        k++;
        continue;
      }
      if (ch === "\n" || (ch === "\r" && text[k + 1] === "\n")) {
        if (actions && st.inSingle) {
          return { error: `unterminated single-quoted action value ${truncate(st.describe(text, k))} (end of line before the closing ')`, at: k };
        }
        return { error: "unterminated double-quoted string (end of line before the closing quote)", at: k };
      }
      if (actions) {
        if (st.inSingle) {
          if (ch === "'") st.char("'");
          k++;
          continue;
        }
        if (ch === '"') return { end: k, lines };
        st.mark(k);
        st.char(ch);
        k++;
        continue;
      }
      if (ch === '"') return { end: k, lines };
      k++;
    }
  }

  /** Scans a bare argument starting at k; it ends at white space, a newline or a continuation. */
  function scanBare(k: number, actions: boolean): { end: number } | { error: string; at: number } {
    const st = new ActionQuoteState();
    for (;;) {
      if (k >= n) {
        if (actions && st.inSingle) return { error: "unterminated single-quoted action value (end of file)", at: k };
        return { end: k };
      }
      const ch = text[k]!;
      if (actions && st.inSingle) {
        if (ch === "\n" || (ch === "\r" && text[k + 1] === "\n")) {
          return { error: `unterminated single-quoted action value ${truncate(st.describe(text, k))} (end of line before the closing ')`, at: k };
        }
        if (ch === "\\" && k + 1 < n && text[k + 1] !== "\n") {
          k += 2;
          continue;
        }
        if (ch === "'") st.char("'");
        k++;
        continue;
      }
      if (isBlank(ch) || ch === "\n" || (ch === "\r" && text[k + 1] === "\n") || contAt(k)) return { end: k };
      if (actions) {
        st.mark(k);
        st.char(ch);
      }
      k++;
    }
  }
}

/** Tracks single quotes in an action list: a quote opens only right after `name:`. */
class ActionQuoteState {
  inSingle = false;
  private state: "name" | "colon" | "value" | "after" = "name";
  private valueStart = 0;

  mark(k: number): void {
    if (this.state === "colon") this.valueStart = k;
  }

  char(ch: string): void {
    if (this.inSingle) {
      if (ch === "'") {
        this.inSingle = false;
        this.state = "after";
      }
      return;
    }
    switch (this.state) {
      case "name":
        if (ch === ":") this.state = "colon";
        break;
      case "colon":
        if (ch === "'") this.inSingle = true;
        else if (ch === ",") this.state = "name";
        else if (ch !== " " && ch !== "\t") this.state = "value";
        break;
      case "value":
      case "after":
        if (ch === ",") this.state = "name";
        break;
    }
  }

  describe(text: string, end: number): string {
    let s = this.valueStart;
    while (s > 0 && text[s - 1] !== "," && text[s - 1] !== '"' && text[s - 1] !== " ") s--;
    return text.slice(s, end).replace(/\r$/, "");
  }
}

export function truncate(s: string, max = 80): string {
  const t = s.replace(/\s+/g, " ").trim();
  return t.length > max ? t.slice(0, max - 1) + "…" : t;
}

