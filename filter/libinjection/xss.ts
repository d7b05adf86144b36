// Native XSS detector for @detectXSS: a port of the algorithm of libinjection 3.9.2's libinjection_xss (the
// version ModSecurity v3.0.9 bundles), written for this filter. The input is run through a small HTML5-style
// tokenizer from five starting contexts (text, unquoted / single / double / back-quoted attribute value); it is
// XSS if any reading yields a doctype, a dangerous tag, an event-handler or otherwise dangerous attribute, a URL
// attribute whose value starts with a script-capable scheme, or an IE-specific comment form.
// The C code's observable quirks are reproduced (see "C compat"); tests/libinjection/differential.test.ts checks
// the verdicts against libmodsecurity3. No allocation; every tokenizer state advances, so work is linear.

// ---- token types ----
const DATA_TEXT: i32 = 0;
const TAG_NAME_OPEN: i32 = 1;
const TAG_NAME_CLOSE: i32 = 2;
const TAG_NAME_SELFCLOSE: i32 = 3;
const TAG_CLOSE: i32 = 5;
const ATTR_NAME: i32 = 6;
const ATTR_VALUE: i32 = 7;
const TAG_COMMENT: i32 = 8;
const DOCTYPE: i32 = 9;

// ---- resumable tokenizer states ----
const ST_EOF: i32 = 0;
const ST_DATA: i32 = 1;
const ST_TAG_OPEN: i32 = 2;
const ST_TAG_NAME_CLOSE: i32 = 3;
const ST_BEFORE_ATTR_NAME: i32 = 4;
const ST_AFTER_ATTR_NAME: i32 = 5;
const ST_BEFORE_ATTR_VALUE: i32 = 6;
const ST_SELF_CLOSING: i32 = 7;
const ST_AFTER_VALUE_QUOTED: i32 = 8;
const ST_VALUE_SQ: i32 = 9;
const ST_VALUE_DQ: i32 = 10;
const ST_VALUE_BQ: i32 = 11;

// ---- starting contexts ----
const CTX_DATA: i32 = 0;
const CTX_VALUE_NO_QUOTE: i32 = 1;
const CTX_VALUE_SINGLE_QUOTE: i32 = 2;
const CTX_VALUE_DOUBLE_QUOTE: i32 = 3;
const CTX_VALUE_BACK_QUOTE: i32 = 4;

// ---- attribute classes ----
const A_NONE: i32 = 0;
const A_BLACK: i32 = 1;
const A_URL: i32 = 2;
const A_STYLE: i32 = 3;
const A_INDIRECT: i32 = 4;

let S: usize = 0;
let LEN: i32 = 0;
let POS: i32 = 0;
let STATE: i32 = ST_EOF;
let IS_CLOSE: bool = false;
let TOK_START: i32 = 0;
let TOK_LEN: i32 = 0;
let TOK_TYPE: i32 = DATA_TEXT;

@inline function raw(i: i32): u8 { return load<u8>(S + <usize>i); }
/** C compat: the C code sometimes peeks a byte or two past a token; past the input it sees the NUL terminator. */
@inline function at(i: i32): u8 { return i < LEN ? raw(i) : 0; }

/** The HTML tokenizer's white space; C compat: strchr() also "finds" NUL, so NUL counts as white. */
@inline function isWhite(c: u8): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0b || c == 0x0c || c == 0x0d || c == 0;
}
@inline function isAlpha(c: u8): bool { return <u8>((c | 0x20) - 0x61) < 26; }

function findByte(from: i32, c: u8): i32 {
  for (let i = from; i < LEN; i++) if (raw(i) == c) return i;
  return -1;
}

function token(type: i32, start: i32, len: i32): void {
  TOK_TYPE = type;
  TOK_START = start;
  TOK_LEN = len;
}

/**
 * Skip white space (and NUL) and return the next byte, or -1 at the end.
 * C compat: the byte is returned as a signed char, so 0xFF also reads as -1 (end) and bytes >= 0x80 are negative.
 */
function skipWhite(): i32 {
  while (POS < LEN) {
    const c = raw(POS);
    if (c == 0 || c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0b || c == 0x0c || c == 0x0d) POS += 1;
    else return <i32><i8>c;
  }
  return -1;
}

function stData(): bool {
  const lt = findByte(POS, 0x3c);
  if (lt < 0) {
    token(DATA_TEXT, POS, LEN - POS);
    STATE = ST_EOF;
    return TOK_LEN != 0;
  }
  token(DATA_TEXT, POS, lt - POS);
  POS = lt + 1;
  STATE = ST_TAG_OPEN;
  if (TOK_LEN == 0) return stTagOpen();
  return true;
}

function stTagOpen(): bool {
  if (POS >= LEN) return false;
  const c = raw(POS);
  if (c == 0x21) {
    POS += 1;
    return stMarkupDeclaration();
  }
  if (c == 0x2f) {
    POS += 1;
    IS_CLOSE = true;
    return stEndTagOpen();
  }
  if (c == 0x3f) {
    POS += 1;
    return stBogusComment();
  }
  if (c == 0x25) {
    POS += 1;
    return stPercentComment();
  }
  if (isAlpha(c) || c == 0) return stTagName();
  if (POS == 0) return stData();
  token(DATA_TEXT, POS - 1, 1); // a lone '<'
  STATE = ST_DATA;
  return true;
}

function stEndTagOpen(): bool {
  if (POS >= LEN) return false;
  const c = raw(POS);
  if (c == 0x3e) return stData();
  if (isAlpha(c)) return stTagName();
  IS_CLOSE = false;
  return stBogusComment();
}

function stTagNameClose(): bool {
  IS_CLOSE = false;
  token(TAG_NAME_CLOSE, POS, 1);
  POS += 1;
  STATE = POS < LEN ? ST_DATA : ST_EOF;
  return true;
}

function stTagName(): bool {
  let p = POS;
  while (p < LEN) {
    const c = raw(p);
    if (c == 0) {
      p += 1; // NULs inside a tag name are tolerated
    } else if (isWhite(c)) {
      token(TAG_NAME_OPEN, POS, p - POS);
      POS = p + 1;
      STATE = ST_BEFORE_ATTR_NAME;
      return true;
    } else if (c == 0x2f) {
      token(TAG_NAME_OPEN, POS, p - POS);
      POS = p + 1;
      STATE = ST_SELF_CLOSING;
      return true;
    } else if (c == 0x3e) {
      if (IS_CLOSE) {
        token(TAG_CLOSE, POS, p - POS);
        POS = p + 1;
        IS_CLOSE = false;
        STATE = ST_DATA;
      } else {
        token(TAG_NAME_OPEN, POS, p - POS);
        POS = p;
        STATE = ST_TAG_NAME_CLOSE;
      }
      return true;
    } else p += 1;
  }
  token(TAG_NAME_OPEN, POS, LEN - POS);
  STATE = ST_EOF;
  return true;
}

function stBeforeAttrName(): bool {
  const c = skipWhite();
  if (c == -1) return false;
  if (c == 0x2f) {
    POS += 1;
    return stSelfClosing();
  }
  if (c == 0x3e) {
    STATE = ST_DATA;
    token(TAG_NAME_CLOSE, POS, 1);
    POS += 1;
    return true;
  }
  return stAttrName();
}

function stAttrName(): bool {
  let p = POS + 1; // the first byte belongs to the name whatever it is
  while (p < LEN) {
    const c = raw(p);
    if (isWhite(c)) {
      token(ATTR_NAME, POS, p - POS);
      STATE = ST_AFTER_ATTR_NAME;
      POS = p + 1;
      return true;
    } else if (c == 0x2f) {
      token(ATTR_NAME, POS, p - POS);
      STATE = ST_SELF_CLOSING;
      POS = p + 1;
      return true;
    } else if (c == 0x3d) {
      token(ATTR_NAME, POS, p - POS);
      STATE = ST_BEFORE_ATTR_VALUE;
      POS = p + 1;
      return true;
    } else if (c == 0x3e) {
      token(ATTR_NAME, POS, p - POS);
      STATE = ST_TAG_NAME_CLOSE;
      POS = p;
      return true;
    }
    p += 1;
  }
  token(ATTR_NAME, POS, LEN - POS);
  STATE = ST_EOF;
  POS = LEN;
  return true;
}

function stAfterAttrName(): bool {
  const c = skipWhite();
  if (c == -1) return false;
  if (c == 0x2f) {
    POS += 1;
    return stSelfClosing();
  }
  if (c == 0x3d) {
    POS += 1;
    return stBeforeAttrValue();
  }
  if (c == 0x3e) return stTagNameClose();
  return stAttrName();
}

function stBeforeAttrValue(): bool {
  const c = skipWhite();
  if (c == -1) {
    STATE = ST_EOF;
    return false;
  }
  if (c == 0x22) return stQuotedValue(0x22);
  if (c == 0x27) return stQuotedValue(0x27);
  if (c == 0x60) return stQuotedValue(0x60); // IE back-quoted value
  return stUnquotedValue();
}

function stQuotedValue(q: u8): bool {
  // skip the opening quote, except when a reading starts inside the value (position 0)
  if (POS > 0) POS += 1;
  const end = findByte(POS, q);
  if (end < 0) {
    token(ATTR_VALUE, POS, LEN - POS);
    STATE = ST_EOF;
  } else {
    token(ATTR_VALUE, POS, end - POS);
    STATE = ST_AFTER_VALUE_QUOTED;
    POS += TOK_LEN + 1;
  }
  return true;
}

function stUnquotedValue(): bool {
  let p = POS;
  while (p < LEN) {
    const c = raw(p);
    if (isWhite(c)) {
      token(ATTR_VALUE, POS, p - POS);
      POS = p + 1;
      STATE = ST_BEFORE_ATTR_NAME;
      return true;
    }
    if (c == 0x3e) {
      token(ATTR_VALUE, POS, p - POS);
      POS = p;
      STATE = ST_TAG_NAME_CLOSE;
      return true;
    }
    p += 1;
  }
  STATE = ST_EOF;
  token(ATTR_VALUE, POS, LEN - POS);
  return true;
}

function stAfterValueQuoted(): bool {
  if (POS >= LEN) return false;
  const c = raw(POS);
  if (isWhite(c)) {
    POS += 1;
    return stBeforeAttrName();
  }
  if (c == 0x2f) {
    POS += 1;
    return stSelfClosing();
  }
  if (c == 0x3e) {
    token(TAG_NAME_CLOSE, POS, 1);
    POS += 1;
    STATE = ST_DATA;
    return true;
  }
  return stBeforeAttrName();
}

function stSelfClosing(): bool {
  if (POS >= LEN) return false;
  if (raw(POS) == 0x3e) {
    token(TAG_NAME_SELFCLOSE, POS - 1, 2);
    STATE = ST_DATA;
    POS += 1;
    return true;
  }
  return stBeforeAttrName();
}

function stBogusComment(): bool {
  const gt = findByte(POS, 0x3e);
  if (gt < 0) {
    token(TAG_COMMENT, POS, LEN - POS);
    POS = LEN;
    STATE = ST_EOF;
  } else {
    token(TAG_COMMENT, POS, gt - POS);
    POS = gt + 1;
    STATE = ST_DATA;
  }
  return true;
}

/** <% ... %> (old IE / Safari comment form). */
function stPercentComment(): bool {
  let p = POS;
  while (true) {
    const pc = findByte(p, 0x25);
    if (pc < 0 || pc + 1 >= LEN) {
      token(TAG_COMMENT, POS, LEN - POS);
      POS = LEN;
      STATE = ST_EOF;
      return true;
    }
    if (raw(pc + 1) != 0x3e) {
      p = pc + 1;
      continue;
    }
    token(TAG_COMMENT, POS, pc - POS);
    POS = pc + 2;
    STATE = ST_DATA;
    return true;
  }
  return true;
}

function matchesAt(p: i32, word: string, foldCase: bool): bool {
  for (let i = 0; i < word.length; i++) {
    let c = raw(p + i);
    if (foldCase && <u8>(c - 0x61) < 26) c -= 0x20;
    if (<i32>c != word.charCodeAt(i)) return false;
  }
  return true;
}

function stMarkupDeclaration(): bool {
  const remaining = LEN - POS;
  if (remaining >= 7 && matchesAt(POS, "DOCTYPE", true)) return stDoctype();
  if (remaining >= 7 && matchesAt(POS, "[CDATA[", false)) {
    POS += 7;
    return stCdata();
  }
  if (remaining >= 2 && raw(POS) == 0x2d && raw(POS + 1) == 0x2d) {
    POS += 2;
    return stComment();
  }
  return stBogusComment();
}

function commentToEnd(): bool {
  STATE = ST_EOF;
  token(TAG_COMMENT, POS, LEN - POS);
  return true;
}

/** <!-- ... --> or <!-- ... -!> (NULs between the two closing characters' first two are ignored). */
function stComment(): bool {
  let p = POS;
  while (true) {
    const dash = findByte(p, 0x2d);
    if (dash < 0 || dash > LEN - 3) return commentToEnd();
    let off = 1;
    while (dash + off < LEN && raw(dash + off) == 0) off += 1;
    if (dash + off == LEN) return commentToEnd();
    let c = raw(dash + off);
    if (c != 0x2d && c != 0x21) {
      p = dash + 1;
      continue;
    }
    off += 1;
    if (dash + off == LEN) return commentToEnd();
    c = raw(dash + off);
    if (c != 0x3e) {
      p = dash + 1;
      continue;
    }
    off += 1;
    token(TAG_COMMENT, POS, dash - POS);
    POS = dash + off;
    STATE = ST_DATA;
    return true;
  }
  return true;
}

function stCdata(): bool {
  let p = POS;
  while (true) {
    const rb = findByte(p, 0x5d);
    if (rb < 0 || rb > LEN - 3) {
      STATE = ST_EOF;
      token(DATA_TEXT, POS, LEN - POS);
      return true;
    }
    if (raw(rb + 1) == 0x5d && raw(rb + 2) == 0x3e) {
      STATE = ST_DATA;
      token(DATA_TEXT, POS, rb - POS);
      POS = rb + 3;
      return true;
    }
    p = rb + 1;
  }
  return true;
}

function stDoctype(): bool {
  const gt = findByte(POS, 0x3e);
  if (gt < 0) {
    STATE = ST_EOF;
    token(DOCTYPE, POS, LEN - POS);
  } else {
    STATE = ST_DATA;
    token(DOCTYPE, POS, gt - POS);
    POS = gt + 1;
  }
  return true;
}

function nextHtmlToken(): bool {
  switch (STATE) {
    case ST_DATA: return stData();
    case ST_TAG_OPEN: return stTagOpen();
    case ST_TAG_NAME_CLOSE: return stTagNameClose();
    case ST_BEFORE_ATTR_NAME: return stBeforeAttrName();
    case ST_AFTER_ATTR_NAME: return stAfterAttrName();
    case ST_BEFORE_ATTR_VALUE: return stBeforeAttrValue();
    case ST_SELF_CLOSING: return stSelfClosing();
    case ST_AFTER_VALUE_QUOTED: return stAfterValueQuoted();
    case ST_VALUE_SQ: return stQuotedValue(0x27);
    case ST_VALUE_DQ: return stQuotedValue(0x22);
    case ST_VALUE_BQ: return stQuotedValue(0x60);
    default: return false;
  }
}

// ---- classification ----

/**
 * Do the bytes [p, p+n), with NULs dropped and a-z upper-cased, spell `word` exactly?
 * (Matches the C helper's behaviour: NULs in user input are ignored when comparing names.)
 */
function spellsIgnoringNul(word: string, p: i32, n: i32): bool {
  let k = 0;
  const wl = word.length;
  for (let i = 0; i < n; i++) {
    let c = raw(p + i);
    if (c == 0) continue;
    if (k >= wl) return false;
    if (<u8>(c - 0x61) < 26) c -= 0x20;
    if (<i32>c != word.charCodeAt(k)) return false;
    k++;
  }
  return k == wl;
}

// Names are compared through a folded key: the token's bytes with NULs dropped and a-z upper-cased (the same
// equality spellsIgnoringNul() decides), built once per token and then matched by length first.
const KEY: usize = memory.data(16);
let KEY_LEN: i32 = 0;

/** Fold [p, p+n) into KEY; false when it has more than `cap` (<= 16) non-NUL bytes (then no name can match). */
function foldKey(p: i32, n: i32, cap: i32): bool {
  let k = 0;
  for (let i = 0; i < n; i++) {
    let c = raw(p + i);
    if (c == 0) continue;
    if (k == cap) return false;
    if (<u8>(c - 0x61) < 26) c -= 0x20;
    store<u8>(KEY + <usize>k, c);
    k++;
  }
  KEY_LEN = k;
  return true;
}

function keyIs(word: string): bool {
  if (word.length != KEY_LEN) return false;
  for (let i = 0; i < KEY_LEN; i++) if (<i32>load<u8>(KEY + <usize>i) != <i32>word.charCodeAt(i)) return false;
  return true;
}

const BLACK_TAGS: string[] = [
  "APPLET", "BASE", "COMMENT", "EMBED", "FRAME", "FRAMESET", "HANDLER", "IFRAME", "IMPORT", "ISINDEX", "LINK",
  "LISTENER", "META", "NOSCRIPT", "OBJECT", "SCRIPT", "STYLE", "VMLFRAME", "XML", "XSS",
];

function isBlackTag(p: i32, n: i32): bool {
  if (n < 3) return false;
  if (foldKey(p, n, 8)) {
    for (let i = 0; i < BLACK_TAGS.length; i++) if (keyIs(unchecked(BLACK_TAGS[i]))) return true;
  }
  // anything SVG or XSL(T)
  const a = raw(p) | 0x20, b = raw(p + 1) | 0x20, c = raw(p + 2) | 0x20;
  if (a == 0x73 && b == 0x76 && c == 0x67) return true;
  if (a == 0x78 && b == 0x73 && c == 0x6c) return true;
  return false;
}

const BLACK_ATTR_NAMES: string[] = [
  "ACTION", "ATTRIBUTENAME", "BY", "BACKGROUND", "DATAFORMATAS", "DATASRC", "DYNSRC", "FILTER", "FORMACTION",
  "FOLDER", "FROM", "HANDLER", "HREF", "LOWSRC", "POSTER", "SRC", "STYLE", "TO", "VALUES", "XLINK:HREF",
];
const BLACK_ATTR_CLASSES: i32[] = [
  A_URL, A_INDIRECT, A_URL, A_URL, A_BLACK, A_BLACK, A_URL, A_STYLE, A_URL,
  A_URL, A_URL, A_URL, A_URL, A_URL, A_URL, A_URL, A_STYLE, A_URL, A_URL, A_URL,
];

function attrClass(p: i32, n: i32): i32 {
  if (n < 2) return A_NONE;
  if (n >= 5) {
    // on* event handlers
    if ((raw(p) | 0x20) == 0x6f && (raw(p + 1) | 0x20) == 0x6e) return A_BLACK;
    // xmlns / xlink prefixes can conjure arbitrary tags
    if (spellsIgnoringNul("XMLNS", p, 5) || spellsIgnoringNul("XLINK", p, 5)) return A_BLACK;
  }
  if (foldKey(p, n, 13)) {
    for (let i = 0; i < BLACK_ATTR_NAMES.length; i++) {
      if (keyIs(unchecked(BLACK_ATTR_NAMES[i]))) return unchecked(BLACK_ATTR_CLASSES[i]);
    }
  }
  return A_NONE;
}

@inline function hexDigit(c: u8): i32 {
  if (<u8>(c - 0x30) <= 9) return <i32>c - 0x30;
  const l = c | 0x20;
  if (<u8>(l - 0x61) < 6) return <i32>l - 0x61 + 10;
  return -1;
}

let CONSUMED: i32 = 0;

/** Decode one (possibly &#-encoded) character at p with n bytes left in the value; sets CONSUMED. */
function decodeCharAt(p: i32, n: i32): i32 {
  CONSUMED = 1;
  const c0 = at(p);
  if (c0 != 0x26 || n < 2) return c0;
  if (at(p + 1) != 0x23) return 0x26; // named entities are not decoded
  const c2 = at(p + 2);
  let val = 0;
  let i = 0;
  if (c2 == 0x78 || c2 == 0x58) {
    const d = hexDigit(at(p + 3));
    if (d < 0) return 0x26;
    val = d;
    i = 4;
    while (i < n) {
      const c = at(p + i);
      if (c == 0x3b) {
        CONSUMED = i + 1;
        return val;
      }
      const h = hexDigit(c);
      if (h < 0) {
        CONSUMED = i;
        return val;
      }
      val = val * 16 + h;
      if (val > 0x1000ff) return 0x26;
      i++;
    }
    CONSUMED = i;
    return val;
  }
  if (<u8>(c2 - 0x30) > 9) return 0x26;
  val = <i32>c2 - 0x30;
  i = 3;
  while (i < n) {
    const c = at(p + i);
    if (c == 0x3b) {
      CONSUMED = i + 1;
      return val;
    }
    if (<u8>(c - 0x30) > 9) {
      CONSUMED = i;
      return val;
    }
    val = val * 10 + (<i32>c - 0x30);
    if (val > 0x1000ff) return 0x26;
    i++;
  }
  CONSUMED = i;
  return val;
}

/**
 * Does the HTML-encoded value [p, p+n) start with `prefix` (upper case), ignoring leading white space and
 * control characters, NULs and newlines, and case?
 */
function decodedStartsWith(prefix: string, p: i32, n: i32): bool {
  let k = 0;
  const pl = prefix.length;
  let first = true;
  // The token always ends at a delimiter that is neither a digit nor a hex digit, so an entity never runs past
  // the value and n cannot go negative (where the C code's unsigned count would wrap).
  while (n > 0) {
    if (k == pl) return true;
    let c = decodeCharAt(p, n);
    p += CONSUMED;
    n -= CONSUMED;
    if (first && c <= 32) continue;
    first = false;
    if (c == 0 || c == 10) continue;
    if (c >= 0x61 && c <= 0x7a) c -= 0x20;
    // C compat: the decoded code point is compared as a (truncated) char
    if ((c & 0xff) != prefix.charCodeAt(k)) return false;
    k++;
  }
  return k == pl;
}

function isBlackUrl(p: i32, n: i32): bool {
  // skip leading white space, controls and any non-ASCII byte
  while (n > 0) {
    const c = raw(p);
    if (c > 32 && c < 127) break;
    p++;
    n--;
  }
  return decodedStartsWith("DATA", p, n) || decodedStartsWith("VIEW-SOURCE", p, n) ||
    decodedStartsWith("JAVA", p, n) || decodedStartsWith("VBSCRIPT", p, n);
}

function commentIsBlack(p: i32, n: i32): bool {
  for (let i = 0; i < n; i++) if (raw(p + i) == 0x60) return true; // IE treats ` as a tag end
  if (n > 3) {
    const a = raw(p), b = raw(p + 1) | 0x20, c = raw(p + 2) | 0x20;
    if (a == 0x5b && b == 0x69 && c == 0x66) return true; // [if ...] conditional comment
    if ((a | 0x20) == 0x78 && b == 0x6d && c == 0x6c) return true; // xml
  }
  if (n > 5) {
    if (spellsIgnoringNul("IMPORT", p, 6) || spellsIgnoringNul("ENTITY", p, 6)) return true;
  }
  return false;
}

function xssInContext(ctx: i32): bool {
  POS = 0;
  IS_CLOSE = false;
  TOK_START = 0;
  TOK_LEN = 0;
  TOK_TYPE = DATA_TEXT;
  if (ctx == CTX_DATA) STATE = ST_DATA;
  else if (ctx == CTX_VALUE_NO_QUOTE) STATE = ST_BEFORE_ATTR_NAME;
  else if (ctx == CTX_VALUE_SINGLE_QUOTE) STATE = ST_VALUE_SQ;
  else if (ctx == CTX_VALUE_DOUBLE_QUOTE) STATE = ST_VALUE_DQ;
  else STATE = ST_VALUE_BQ;
  let attr = A_NONE;
  while (nextHtmlToken()) {
    const t = TOK_TYPE;
    if (t != ATTR_VALUE) attr = A_NONE;
    if (t == DOCTYPE) return true;
    if (t == TAG_NAME_OPEN) {
      if (isBlackTag(TOK_START, TOK_LEN)) return true;
    } else if (t == ATTR_NAME) {
      attr = attrClass(TOK_START, TOK_LEN);
    } else if (t == ATTR_VALUE) {
      if (attr == A_BLACK || attr == A_STYLE) return true;
      if (attr == A_URL && isBlackUrl(TOK_START, TOK_LEN)) return true;
      if (attr == A_INDIRECT && attrClass(TOK_START, TOK_LEN) != A_NONE) return true;
      attr = A_NONE;
    } else if (t == TAG_COMMENT) {
      if (commentIsBlack(TOK_START, TOK_LEN)) return true;
    }
  }
  return false;
}

/**
 * Whether [ptr, ptr+len) has a '<' or an '='. Without either, no reading can flag anything: doctypes, tags and
 * comments are only read after a '<' (stData -> stTagOpen), and an attribute value that follows an attribute name
 * only after an '=' (stAttrName / stAfterAttrName -> stBeforeAttrValue); the one other attribute value, the one a
 * quoted context starts in, has no name before it. Most values of ordinary traffic have neither, and one pass over
 * them replaces five tokenizer passes.
 */
function mayFlag(ptr: usize, len: i32): bool {
  for (let p = ptr, end = ptr + <usize>len; p < end; p++) {
    const c = load<u8>(p);
    if (c == 0x3c || c == 0x3d) return true;
  }
  return false;
}

/** @detectXSS over input bytes [ptr, ptr+len). */
export function detectXSS(ptr: usize, len: i32): bool {
  S = ptr;
  LEN = len > 0 ? len : 0;
  if (!mayFlag(ptr, LEN)) return false;
  return xssInContext(CTX_DATA) || xssInContext(CTX_VALUE_NO_QUOTE) || xssInContext(CTX_VALUE_SINGLE_QUOTE) ||
    xssInContext(CTX_VALUE_DOUBLE_QUOTE) || xssInContext(CTX_VALUE_BACK_QUOTE);
}
