/**
 * PCRE2-subset parser (8-bit, non-UTF) for ModSecurity `@rx`: compile options DOTALL | MULTILINE.
 * Produces an AST over byte sets; case-insensitivity (ASCII only) is folded into the sets.
 */
import { RegexSyntaxError, UnsupportedRegexError } from "./errors";
import {
  type ByteSet, DIGIT, HSPACE, SPACE, VSPACE, WORD, addByte, addRange, caseFold, complement, emptySet, fullSet,
  rangeSet, setOf, unionInto,
} from "./byteset";
import { type Node, type ParsedRegex, EMPTY, alt, concat } from "./ast";

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
}

export interface ParseOptions {
  /** initial flags; ModSecurity v3 = DOTALL | MULTILINE (default) */
  dotAll?: boolean;
  multiline?: boolean;
  caseless?: boolean;
}

const POSIX: Record<string, ByteSet> = (() => {
  const r: Record<string, ByteSet> = {};
  const mk = (f: (b: number) => boolean) => {
    const s = emptySet();
    for (let b = 0; b < 128; b++) if (f(b)) addByte(s, b);
    return s;
  };
  const isAlpha = (b: number) => (b >= 65 && b <= 90) || (b >= 97 && b <= 122);
  const isDigit = (b: number) => b >= 48 && b <= 57;
  r.alpha = mk(isAlpha);
  r.digit = mk(isDigit);
  r.alnum = mk((b) => isAlpha(b) || isDigit(b));
  r.upper = mk((b) => b >= 65 && b <= 90);
  r.lower = mk((b) => b >= 97 && b <= 122);
  r.space = mk((b) => (b >= 9 && b <= 13) || b === 32);
  r.blank = mk((b) => b === 9 || b === 32);
  r.cntrl = mk((b) => b < 32 || b === 127);
  r.print = mk((b) => b >= 32 && b < 127);
  r.graph = mk((b) => b > 32 && b < 127);
  r.punct = mk((b) => b > 32 && b < 127 && !isAlpha(b) && !isDigit(b));
  r.xdigit = mk((b) => isDigit(b) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102));
  r.word = mk((b) => isAlpha(b) || isDigit(b) || b === 95);
  r.ascii = rangeSet(0, 127);
  return r;
})();

const isOct = (c: string | undefined) => c !== undefined && c >= "0" && c <= "7";
const isDec = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isHex = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

export function parseRegex(pattern: string, opts: ParseOptions = {}): ParsedRegex {
  return new Parser(pattern).parse({ i: opts.caseless ?? false, s: opts.dotAll ?? true, m: opts.multiline ?? true });
}

type ClassItem = { kind: "byte"; b: number } | { kind: "set"; set: ByteSet };

class Parser {
  private pos = 0;
  private groups = 0;
  private readonly names = new Map<string, number>();
  private maxBackref = 0;
  private maxBackrefPos = 0;
  constructor(private readonly p: string) {
    for (let i = 0; i < p.length; i++)
      if (p.charCodeAt(i) > 0xff) throw new RegexSyntaxError(p, i, "a byte (code point > 0xFF in non-UTF pattern)");
  }

  parse(flags: Flags): ParsedRegex {
    const ast = this.parseAlternation(flags, 0);
    if (this.pos < this.p.length) throw this.err("end of pattern (unmatched ')')");
    if (this.maxBackref > this.groups)
      throw new RegexSyntaxError(this.p, this.maxBackrefPos, `a reference to an existing group (\\${this.maxBackref})`);
    return { pattern: this.p, ast, groups: this.groups, names: this.names };
  }

  private err(expected: string, at = this.pos): RegexSyntaxError {
    return new RegexSyntaxError(this.p, at, expected);
  }
  private unsupported(construct: string, at = this.pos): UnsupportedRegexError {
    return new UnsupportedRegexError(this.p, construct, at);
  }
  private peek(k = 0): string | undefined {
    return this.p[this.pos + k];
  }

  /** Parses branches until ')' (not consumed) or the end. Mid-group option settings persist into later branches. */
  private parseAlternation(inFlags: Flags, depth: number): Node {
    const flags = { ...inFlags };
    const branches: Node[] = [];
    let cur: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === ")") {
        if (c === ")" && depth === 0) throw this.err("no unmatched ')'");
        branches.push(concat(cur));
        return alt(branches);
      }
      if (c === "|") {
        this.pos++;
        branches.push(concat(cur));
        cur = [];
        continue;
      }
      const atomStart = this.pos;
      const atom = this.parseAtom(flags, depth);
      if (atom === null) continue; // option setting or comment
      cur.push(this.parseQuantifier(atom, atomStart));
    }
  }

  private parseQuantifier(atom: Node, _atomStart: number): Node {
    let node = atom;
    for (;;) {
      const c = this.peek();
      let min: number, max: number;
      const qpos = this.pos;
      if (c === "*") [min, max] = [0, -1];
      else if (c === "+") [min, max] = [1, -1];
      else if (c === "?") [min, max] = [0, 1];
      else if (c === "{") {
        const m = /^\{(\d+)(?:(,)(\d*))?\}/.exec(this.p.slice(this.pos));
        if (!m) return node; // literal '{' is handled by the atom parser next round
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === "" ? -1 : Number(m[3]);
        if (min > 65535 || max > 65535) throw this.err("a repeat count ≤ 65535");
        if (max !== -1 && max < min) throw this.err("numbers in {} quantifier in order");
        this.pos += m[0].length - 1;
      } else return node;
      this.pos++;
      if (node.type === "assert") throw this.err("a repeatable item before the quantifier", qpos);
      if (node.type === "concat")
        throw new UnsupportedRegexError(this.p, "quantifier after a multi-character \\Q...\\E sequence", qpos);
      let greedy = true;
      let possessive = false;
      if (this.peek() === "?") {
        greedy = false;
        this.pos++;
      } else if (this.peek() === "+") {
        possessive = true;
        this.pos++;
      }
      if (node.type === "repeat") {
        // PCRE allows a quantifier after a quantifier only in the lazy/possessive forms handled above;
        // `a**` is an error.
        throw this.err("a repeatable item before the quantifier", qpos);
      }
      if (node.type === "look") {
        // PCRE2: quantified assertions; {0}/? make it optional, otherwise it is the assertion once.
        node = min === 0 ? EMPTY : node;
        continue;
      }
      node = { type: "repeat", min, max, greedy, possessive, item: node };
    }
  }

  private parseAtom(flags: Flags, depth: number): Node | null {
    const start = this.pos;
    const c = this.p[this.pos++]!;
    switch (c) {
      case "(":
        return this.parseGroup(flags, depth, start);
      case "[":
        return { type: "set", set: this.parseClass(flags, start) };
      case ".":
        return { type: "set", set: flags.s ? fullSet() : complement(setOf(0x0a)) };
      case "^":
        return { type: "assert", kind: flags.m ? "bol" : "start" };
      case "$":
        return { type: "assert", kind: flags.m ? "eol" : "endZ" };
      case "\\":
        return this.parseEscape(flags, start);
      case "*":
      case "+":
      case "?":
        throw this.err("a repeatable item before the quantifier", start);
      case "{":
        if (/^\{\d+(?:,\d*)?\}/.test(this.p.slice(start))) throw this.err("a repeatable item before the quantifier", start);
        return this.lit(0x7b, flags);
      default:
        return this.lit(c.charCodeAt(0), flags);
    }
  }

  private lit(b: number, flags: Flags): Node {
    const s = setOf(b);
    return { type: "set", set: flags.i ? caseFold(s) : s };
  }

  private parseGroup(flags: Flags, depth: number, start: number): Node | null {
    if (this.peek() === "*") throw this.unsupported("backtracking control verb (*...)", start);
    if (this.peek() !== "?") {
      const index = ++this.groups;
      const item = this.parseAlternation(flags, depth + 1);
      this.expectClose(start);
      return { type: "group", index, item };
    }
    this.pos++; // '?'
    const c = this.peek();
    const named = (close: string, skip: number): Node => {
      this.pos += skip;
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.p.slice(this.pos));
      if (!m) throw this.err("a group name");
      this.pos += m[0].length;
      if (this.peek() !== close) throw this.err(`'${close}' after group name`);
      this.pos++;
      if (this.names.has(m[0])) throw this.err("a unique group name");
      const index = ++this.groups;
      this.names.set(m[0], index);
      const item = this.parseAlternation(flags, depth + 1);
      this.expectClose(start);
      return { type: "group", index, name: m[0], item };
    };
    switch (c) {
      case ":": {
        this.pos++;
        const item = this.parseAlternation(flags, depth + 1);
        this.expectClose(start);
        return { type: "group", index: 0, item };
      }
      case "=":
      case "!": {
        this.pos++;
        const item = this.parseAlternation(flags, depth + 1);
        this.expectClose(start);
        return { type: "look", behind: false, negate: c === "!", item, offset: start };
      }
      case "<": {
        const d = this.peek(1);
        if (d === "=" || d === "!") {
          this.pos += 2;
          const item = this.parseAlternation(flags, depth + 1);
          this.expectClose(start);
          // PCRE2 ≤ 10.42: each top-level branch of a look-behind must have a fixed length
          for (const br of item.type === "alt" ? item.items : [item])
            if (fixedLength(br) < 0) throw this.err("a fixed-length look-behind assertion", start);
          return { type: "look", behind: true, negate: d === "!", item, offset: start };
        }
        return named(">", 1);
      }
      case "P":
        if (this.peek(1) === "<") return named(">", 2);
        if (this.peek(1) === "=" || this.peek(1) === ">") throw this.unsupported("named backreference / recursion (?P=name) (?P>name)", start);
        throw this.err("'<', '=' or '>' after (?P", this.pos + 1);
      case "'":
        return named("'", 1);
      case "#": {
        const end = this.p.indexOf(")", this.pos);
        if (end < 0) throw this.err("')' closing the comment", this.p.length);
        this.pos = end + 1;
        return null;
      }
      case ">":
        throw this.unsupported("atomic group (?>...)", start);
      case "|":
        throw this.unsupported("branch-reset group (?|...)", start);
      case "(":
        throw this.unsupported("conditional group (?(...)...)", start);
      case "R":
      case "&":
      case "+":
        throw this.unsupported("recursion / subroutine call", start);
      default:
        if (isDec(c) || c === "-" && isDec(this.peek(1))) throw this.unsupported("recursion / subroutine call", start);
        return this.parseOptions(flags, depth, start);
    }
  }

  /** `(?imsx-imsx)` or `(?imsx-imsx:...)` */
  private parseOptions(flags: Flags, depth: number, start: number): Node | null {
    const nf = { ...flags };
    let on = true;
    let sawDash = false;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw this.err("')' or ':' closing the option setting");
      this.pos++;
      if (c === ")" || c === ":") {
        if (c === ")") {
          // applies to the rest of the enclosing group (including later alternatives)
          flags.i = nf.i;
          flags.s = nf.s;
          flags.m = nf.m;
          return null;
        }
        const item = this.parseAlternation(nf, depth + 1);
        this.expectClose(start);
        return { type: "group", index: 0, item };
      }
      if (c === "-") {
        if (sawDash) throw this.err("an option letter", this.pos - 1);
        sawDash = true;
        on = false;
        continue;
      }
      if (c === "i") nf.i = on;
      else if (c === "s") nf.s = on;
      else if (c === "m") nf.m = on;
      else if ("xnUJ^".includes(c)) throw this.unsupported(`option (?${c})`, this.pos - 1);
      else throw this.err("an option letter (i, m, s) or ')'", this.pos - 1);
    }
  }

  private expectClose(start: number): void {
    if (this.peek() !== ")") throw this.err(`')' closing the group opened at offset ${start}`, this.pos);
    this.pos++;
  }

  /** Escapes producing a single byte, common to classes and atoms. Returns -1 if not a byte escape. */
  private byteEscape(c: string, inClass: boolean): number {
    switch (c) {
      case "n":
        return 0x0a;
      case "r":
        return 0x0d;
      case "t":
        return 0x09;
      case "f":
        return 0x0c;
      case "e":
        return 0x1b;
      case "a":
        return 0x07;
      case "c": {
        const x = this.peek();
        if (x === undefined || x.charCodeAt(0) > 127) throw this.err("a printing ASCII character after \\c");
        this.pos++;
        return x.toUpperCase().charCodeAt(0) ^ 0x40;
      }
      case "x": {
        if (this.peek() === "{") {
          const m = /^\{([0-9a-fA-F]+)\}/.exec(this.p.slice(this.pos));
          if (!m) throw this.err("hex digits and '}' after \\x{");
          const v = parseInt(m[1]!, 16);
          if (v > 0xff) throw this.err("a character code ≤ 0xFF in non-UTF mode");
          this.pos += m[0].length;
          return v;
        }
        let v = 0;
        for (let k = 0; k < 2 && isHex(this.peek()); k++) v = v * 16 + parseInt(this.p[this.pos++]!, 16);
        return v;
      }
      case "o": {
        const m = /^\{([0-7]+)\}/.exec(this.p.slice(this.pos));
        if (!m) throw this.err("octal digits in braces after \\o");
        const v = parseInt(m[1]!, 8);
        if (v > 0xff) throw this.err("a character code ≤ 0xFF in non-UTF mode");
        this.pos += m[0].length;
        return v;
      }
      case "0": {
        let v = 0;
        for (let k = 0; k < 2 && isOct(this.peek()); k++) v = v * 8 + Number(this.p[this.pos++]);
        return v;
      }
      default:
        if (inClass && isDec(c)) {
          // in a class, \1..\7 start octal; \8 \9 are errors in PCRE2
          if (!isOct(c)) throw this.err("an octal digit after \\ in a character class", this.pos - 1);
          let v = Number(c);
          for (let k = 0; k < 2 && isOct(this.peek()); k++) v = v * 8 + Number(this.p[this.pos++]);
          return v & 0xff;
        }
        return -1;
    }
  }

  private classEscape(c: string): ByteSet | null {
    switch (c) {
      case "d":
        return DIGIT;
      case "D":
        return complement(DIGIT);
      case "w":
        return WORD;
      case "W":
        return complement(WORD);
      case "s":
        return SPACE;
      case "S":
        return complement(SPACE);
      case "h":
        return HSPACE;
      case "H":
        return complement(HSPACE);
      case "v":
        return VSPACE;
      case "V":
        return complement(VSPACE);
      default:
        return null;
    }
  }

  private parseEscape(flags: Flags, start: number): Node | null {
    const c = this.p[this.pos++];
    if (c === undefined) throw this.err("a character after '\\' (pattern ends with \\)", start);
    const cls = this.classEscape(c);
    if (cls) return { type: "set", set: cls };
    switch (c) {
      case "b":
        return { type: "assert", kind: "wordb" };
      case "B":
        return { type: "assert", kind: "nwordb" };
      case "A":
      case "G": // the match starts at offset 0 (ModSecurity never passes a start offset), so \G ≡ \A
        return { type: "assert", kind: "start" };
      case "z":
        return { type: "assert", kind: "end" };
      case "Z":
        return { type: "assert", kind: "endZ" };
      case "Q": {
        let end = this.p.indexOf("\\E", this.pos);
        if (end < 0) end = this.p.length;
        const items: Node[] = [];
        for (let k = this.pos; k < end; k++) items.push(this.lit(this.p.charCodeAt(k), flags));
        this.pos = Math.min(this.p.length, end + 2);
        return concat(items);
      }
      case "E":
        return null;
      case "N":
        if (this.peek() === "{") throw this.unsupported("\\N{...}", start);
        return { type: "set", set: complement(setOf(0x0a)) };
      case "K":
        throw this.unsupported("\\K (reset match start)", start);
      case "R":
        throw this.unsupported("\\R (newline sequence)", start);
      case "X":
        throw this.unsupported("\\X (extended grapheme cluster)", start);
      case "C":
        return { type: "set", set: fullSet() };
      case "p":
      case "P":
        throw this.unsupported("Unicode property \\p / \\P", start);
      case "g":
      case "k": {
        // \g{n} \gn \g{-n} \k<name> \k{name} \k'name'
        const m = /^(?:\{(-?\d+)\}|(-?\d+)|<([A-Za-z_]\w*)>|\{([A-Za-z_]\w*)\}|'([A-Za-z_]\w*)')/.exec(this.p.slice(this.pos));
        if (!m) throw this.err("a group reference after \\" + c);
        this.pos += m[0].length;
        let idx: number;
        const num = m[1] ?? m[2];
        if (num !== undefined) {
          idx = Number(num);
          if (idx < 0) idx = this.groups + 1 + idx;
          if (idx <= 0) throw this.err("a valid group reference", start);
        } else {
          const name = (m[3] ?? m[4] ?? m[5])!;
          const v = this.names.get(name);
          if (v === undefined) throw this.unsupported("forward named reference", start);
          idx = v;
        }
        return this.backref(idx, flags, start);
      }
      default:
        break;
    }
    if (c >= "1" && c <= "9") {
      // PCRE: < 10, starting with 8/9, or ≤ number of groups so far → back reference; otherwise octal
      let j = this.pos - 1;
      while (isDec(this.p[j])) j++;
      const n = Number(this.p.slice(this.pos - 1, j));
      if (n < 10 || c === "8" || c === "9" || n <= this.groups) {
        this.pos = j;
        return this.backref(n, flags, start);
      }
      let v = 0;
      let k = this.pos - 1;
      for (let d = 0; d < 3 && isOct(this.p[k]); d++) v = v * 8 + Number(this.p[k++]);
      this.pos = k;
      return this.lit(v & 0xff, flags);
    }
    const b = this.byteEscape(c, false);
    if (b >= 0) return this.lit(b, flags);
    if (/[A-Za-z0-9]/.test(c)) throw this.err(`a known escape (\\${c} is not recognised by PCRE2)`, start);
    return this.lit(c.charCodeAt(0), flags);
  }

  private backref(index: number, flags: Flags, start: number): Node {
    if (index > this.maxBackref) {
      this.maxBackref = index;
      this.maxBackrefPos = start;
    }
    return { type: "backref", index, icase: flags.i };
  }

  private parseClass(flags: Flags, start: number): ByteSet {
    let negate = false;
    if (this.peek() === "^") {
      negate = true;
      this.pos++;
    }
    const set = emptySet();
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) throw this.err("']' closing the character class", this.p.length);
      if (c === "]" && !first) {
        this.pos++;
        break;
      }
      first = false;
      const itemStart = this.pos;
      const item = this.classItem();
      if (item === null) continue;
      // range?
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== undefined) {
        const save = this.pos;
        this.pos++;
        const hiStart = this.pos;
        if (this.p.startsWith("[:", this.pos) && this.posixEnd(this.pos + 2, ":") >= 0) {
          throw this.err("a valid range (a POSIX class cannot end a range)", hiStart);
        }
        const hi = this.classItem();
        if (hi === null) {
          // \E or \Q\E between: PCRE treats '-' literally then
          this.pos = save;
        } else {
          if (item.kind !== "byte" || hi.kind !== "byte") throw this.err("a valid range in the character class", itemStart);
          if (hi.b < item.b) throw this.err("range out of order in character class", hiStart);
          addRange(set, item.b, hi.b);
          continue;
        }
      }
      if (item.kind === "byte") addByte(set, item.b);
      else unionInto(set, item.set);
    }
    const folded = flags.i ? caseFold(set) : set;
    return negate ? complement(folded) : folded;
  }

  /** PCRE2 check_posix_syntax: offset of the terminator of `[:...:]` starting at `from`, or -1. */
  private posixEnd(from: number, term: string): number {
    for (let k = from; k < this.p.length; k++) {
      const ch = this.p[k];
      if (ch === "\\" && (this.p[k + 1] === "]" || this.p[k + 1] === "\\")) k++;
      else if ((ch === "[" && this.p[k + 1] === term) || ch === "]") return -1;
      else if (ch === term && this.p[k + 1] === "]") return k;
    }
    return -1;
  }

  private classItem(): ClassItem | null {
    const c = this.p[this.pos]!;
    if (c === "[") {
      const term = this.p[this.pos + 1];
      if ((term === ":" || term === "." || term === "=") && this.posixEnd(this.pos + 2, term) >= 0) {
        const end = this.posixEnd(this.pos + 2, term);
        if (term !== ":") throw this.unsupported("POSIX collating element [. .] / [= =]", this.pos);
        let name = this.p.slice(this.pos + 2, end);
        let neg = false;
        if (name.startsWith("^")) {
          neg = true;
          name = name.slice(1);
        }
        const s = POSIX[name];
        if (!s) throw this.err("a known POSIX class name", this.pos);
        this.pos = end + 2;
        return { kind: "set", set: neg ? complement(s) : s };
      }
      this.pos++;
      return { kind: "byte", b: 0x5b };
    }
    if (c !== "\\") {
      this.pos++;
      return { kind: "byte", b: c.charCodeAt(0) };
    }
    const escPos = this.pos;
    this.pos++;
    const e = this.p[this.pos++];
    if (e === undefined) throw this.err("a character after '\\'", escPos);
    const cls = this.classEscape(e);
    if (cls) return { kind: "set", set: cls };
    if (e === "b") return { kind: "byte", b: 0x08 };
    if (e === "Q") {
      // \Q...\E inside a class: literal characters
      let end = this.p.indexOf("\\E", this.pos);
      if (end < 0) end = this.p.length;
      const s = emptySet();
      const txt = this.p.slice(this.pos, end);
      this.pos = Math.min(this.p.length, end + 2);
      if (txt.length === 0) return null;
      if (txt.length === 1) return { kind: "byte", b: txt.charCodeAt(0) };
      for (let k = 0; k < txt.length; k++) addByte(s, txt.charCodeAt(k));
      return { kind: "set", set: s };
    }
    if (e === "E") return null;
    if (e === "N") throw this.err("a valid escape in a character class (\\N is not allowed)", escPos);
    const b = this.byteEscape(e, true);
    if (b >= 0) return { kind: "byte", b };
    if (/[A-Za-z0-9]/.test(e)) throw this.err(`a known escape in a character class (\\${e})`, escPos);
    return { kind: "byte", b: e.charCodeAt(0) };
  }
}

/** Length of a fixed-length node (nested alternatives must all have the same length), or -1. */
function fixedLength(n: Node): number {
  switch (n.type) {
    case "empty":
    case "assert":
    case "look":
      return 0;
    case "set":
      return 1;
    case "group":
      return fixedLength(n.item);
    case "concat": {
      let t = 0;
      for (const it of n.items) {
        const l = fixedLength(it);
        if (l < 0) return -1;
        t += l;
      }
      return t;
    }
    case "alt": {
      let len = -2;
      for (const it of n.items) {
        const l = fixedLength(it);
        if (l < 0 || (len !== -2 && l !== len)) return -1;
        len = l;
      }
      return len;
    }
    case "repeat": {
      if (n.min !== n.max) return -1;
      const l = fixedLength(n.item);
      return l < 0 ? -1 : l * n.min;
    }
    case "backref":
      return -1;
  }
}
