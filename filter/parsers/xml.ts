// XML request bodies: a small non-validating XML 1.0 tokenizer standing in for libxml2 (which ModSecurity
// v3.0.9 uses through a push parser, with no external entity loading). It decides well-formedness
// (REQBODY_ERROR; ModSecurity's message is always "XML parsing error: XML: Failed parsing document.") and
// produces the value of XML:/* — xmlNodeGetContent(root): the character data of the root element and its
// descendants (text, CDATA, internal entity replacement text), line endings normalised to \n, comments /
// PIs / attributes excluded — and of XML://@*: each attribute value, in document order (libxml2 without entity
// substitution, as ModSecurity runs it: references decoded, literal \t \n \r / "\r\n" normalised to a space,
// the text of a referenced internal entity kept as is; namespace declarations are not attributes; elements
// from an entity's replacement text are not reached by the XPath). On a malformed document libxml2 keeps the partial tree, so XML:/* is then the
// text seen before the error (reported only if the root start tag was complete).
//
// Supported: XML declaration (version, encoding, standalone), UTF-8 (BOM allowed, strictly validated as
// libxml2 does), ISO-8859-1 / US-ASCII declared encodings (transcoded), comments, PIs, CDATA, DOCTYPE with
// internal subset (<!ENTITY> general internal/external declarations honoured, other declarations skipped),
// &lt; &gt; &amp; &quot; &apos;, &#N; &#xH;, XML 1.0 5th-edition names, attribute uniqueness, matching end
// tags, libxml2's 256-level depth limit. Not supported: XPath other than "/*" and "//@*" (the engine looks values
// up by the selector's text), UTF-16 / other encodings (reported not well-formed), namespace well-formedness (libxml2 does
// not count it as wellFormed either), DTD validation (<!ATTLIST>/<!NOTATION> are skipped, so attributes declared with a tokenized type are
// not given libxml2's extra normalisation, <!ELEMENT> only
// checked for its token set), entity amplification heuristics (bounded instead). Which partial text libxml2
// keeps on malformed input follows its SAX delivery (see content()); one known residual difference: the
// exact document "<a>\r\nx\r</a>" gives "\nx" in libxml2 (a push-parser buffering quirk), "\nx\n" here.
// Whole-buffer.
import { Collector, Flag, Coll, ErrorCode } from "./collector";
import { ByteBuf } from "./bytes";

const MAX_DEPTH: i32 = 256;
const MAX_ENTITY_NESTING: i32 = 40;
const MAX_EXPANSION: i32 = 10 << 20;

@inline function isS(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

function isChar(c: i32): bool {
  return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff);
}

function isNameStart(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c == 0x5f || c == 0x3a ||
    (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) || (c >= 0x37f && c <= 0x1fff) || (c >= 0x200c && c <= 0x200d) ||
    (c >= 0x2070 && c <= 0x218f) || (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) || (c >= 0xfdf0 && c <= 0xfffd) || (c >= 0x10000 && c <= 0xeffff);
}

function isNameChar(c: i32): bool {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x2e || c == 0xb7 ||
    (c >= 0x300 && c <= 0x36f) || (c >= 0x203f && c <= 0x2040);
}

class Entity {
  name: ByteBuf = new ByteBuf(16);
  value: ByteBuf = new ByteBuf(32);
  external: bool = false;
}

/** Thrown-free error signalling: every routine returns false on a fatal error. */
export class XmlParser {
  private src: ByteBuf = new ByteBuf(256); // normalised UTF-8 input
  private p: usize = 0;
  private n: i32 = 0;
  private pos: i32 = 0;
  private text: ByteBuf = new ByteBuf(256);
  private rootStarted: bool = false;
  private entities: Array<Entity> = new Array<Entity>();
  private nEntities: i32 = 0;
  private hasExternalSubset: bool = false;
  private hasPERefs: bool = false;
  private standalone: bool = false;
  private stackNames: ByteBuf = new ByteBuf(256);
  private stackEnds: Array<i32> = new Array<i32>();
  private attrNames: ByteBuf = new ByteBuf(64);
  private attrEnds: Array<i32> = new Array<i32>();
  private expansion: i32 = 0;
  private nesting: i32 = 0; // entity nesting of the text being parsed
  private tmp: ByteBuf = new ByteBuf(64);
  private attrVal: ByteBuf = new ByteBuf(64); // values of the current start tag's attributes
  private attrValEnds: Array<i32> = new Array<i32>();
  private attrOut: ByteBuf = new ByteBuf(256); // values of the attributes of the tree's elements, in document order
  private attrOutEnds: Array<i32> = new Array<i32>();

  // ---- input ----

  /** Code point at pos (and its byte length in lastLen); -1 at end; -2 on invalid UTF-8. */
  private lastLen: i32 = 0;
  private cp(at: i32): i32 {
    if (at >= this.n) {
      this.lastLen = 0;
      return -1;
    }
    const p = this.p + <usize>at;
    const c = <i32>load<u8>(p);
    if (c < 0x80) {
      this.lastLen = 1;
      return c;
    }
    let need = 0;
    let v = 0;
    let min = 0;
    if ((c & 0xe0) == 0xc0) { need = 1; v = c & 0x1f; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { need = 2; v = c & 0x0f; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { need = 3; v = c & 0x07; min = 0x10000; }
    else return -2;
    if (at + need >= this.n) return -2;
    for (let i = 1; i <= need; i++) {
      const d = <i32>load<u8>(p + <usize>i);
      if ((d & 0xc0) != 0x80) return -2;
      v = (v << 6) | (d & 0x3f);
    }
    if (v < min || v > 0x10ffff) return -2;
    this.lastLen = need + 1;
    return v;
  }

  @inline private byte(at: i32): i32 {
    return at < this.n ? <i32>load<u8>(this.p + <usize>at) : -1;
  }

  private startsWith(s: string): bool {
    if (this.pos + s.length > this.n) return false;
    for (let i = 0; i < s.length; i++) if (<i32>load<u8>(this.p + <usize>(this.pos + i)) != s.charCodeAt(i)) return false;
    return true;
  }

  private skipS(): i32 {
    const s = this.pos;
    while (this.pos < this.n && isS(<i32>load<u8>(this.p + <usize>this.pos))) this.pos++;
    return this.pos - s;
  }

  /** Parses a Name at pos; returns its byte length (0: none / invalid). */
  private name(): i32 {
    const s = this.pos;
    let c = this.cp(this.pos);
    if (c < 0 || !isNameStart(c)) return 0;
    this.pos += this.lastLen;
    for (;;) {
      c = this.cp(this.pos);
      if (c < 0 || !isNameChar(c)) break;
      this.pos += this.lastLen;
    }
    return this.pos - s;
  }

  // ---- entry ----

  /** Parses body[0..len). Emits REQBODY_ERROR (+ message) and, when a root element was opened, XML:/*. */
  parse(body: usize, len: i32, c: Collector): bool {
    this.text.reset();
    this.rootStarted = false;
    this.nEntities = 0;
    this.hasExternalSubset = false;
    this.hasPERefs = false;
    this.standalone = false;
    this.stackNames.reset();
    this.stackEnds.length = 0;
    this.expansion = 0;
    this.attrOut.reset();
    this.attrOutEnds.length = 0;
    const ok = this.prepare(body, len) && this.document();
    if (this.rootStarted) {
      const key = this.tmp;
      key.reset();
      key.appendStr("/*");
      c.item(Coll.XML, key.ptr, key.len, this.text.ptr, this.text.len);
      key.reset();
      key.appendStr("//@*");
      let s = 0;
      for (let i = 0; i < this.attrOutEnds.length; i++) {
        const e = this.attrOutEnds[i];
        c.item(Coll.XML, key.ptr, key.len, this.attrOut.ptr + <usize>s, e - s);
        s = e;
      }
    }
    if (!ok) {
      c.flag(Flag.REQBODY_ERROR, 1);
      c.flag(Flag.REQBODY_PROCESSOR_ERROR, 1);
      const m = this.tmp;
      m.reset();
      m.appendStr("XML parsing error: XML: Failed parsing document.");
      c.error(ErrorCode.XML, m.ptr, m.len);
      return false;
    }
    c.flag(Flag.REQBODY_ERROR, 0);
    c.flag(Flag.REQBODY_PROCESSOR_ERROR, 0);
    return true;
  }

  /** BOM / declared encoding handling; fills src (line endings are normalised when text is collected). */
  private prepare(body: usize, len: i32): bool {
    let start = 0;
    if (len >= 2) {
      const b0 = load<u8>(body), b1 = load<u8>(body + 1);
      if ((b0 == 0xfe && b1 == 0xff) || (b0 == 0xff && b1 == 0xfe)) return false; // UTF-16: unsupported
    }
    if (len >= 3 && load<u8>(body) == 0xef && load<u8>(body + 1) == 0xbb && load<u8>(body + 2) == 0xbf) start = 3;
    // declared encoding
    let latin1 = false;
    let ascii = false;
    this.p = body + <usize>start;
    this.n = len - start;
    this.pos = 0;
    if (this.startsWith("<?xml") && this.n > 5 && isS(this.byte(5))) {
      // find encoding="..." inside the declaration
      let e = 5;
      while (e + 1 < this.n && !(this.byte(e) == 0x3f && this.byte(e + 1) == 0x3e)) e++;
      const enc = this.findPseudoAttr(5, e, "encoding");
      if (enc >= 0) {
        const el = this.pseudoLen;
        const t = this.tmp;
        t.reset();
        for (let i = 0; i < el; i++) {
          let ch = this.byte(enc + i);
          if (ch >= 0x61 && ch <= 0x7a) ch -= 0x20;
          t.push(<u8>ch);
        }
        if (t.equalsStr("UTF-8") || t.equalsStr("UTF8")) {
          // default
        } else if (t.equalsStr("ISO-8859-1") || t.equalsStr("LATIN1") || t.equalsStr("ISO-LATIN-1") || t.equalsStr("ISO_8859-1")) {
          latin1 = true;
        } else if (t.equalsStr("US-ASCII") || t.equalsStr("ASCII")) {
          ascii = true;
        } else return false; // unsupported here (libxml2 may support it through iconv)
      }
    }
    const s = this.src;
    s.reset();
    s.reserve(latin1 ? this.n * 2 : this.n);
    for (let i = 0; i < this.n; i++) {
      const ch = <i32>load<u8>(this.p + <usize>i);
      if (ch >= 0x80 && latin1) {
        s.push(<u8>(0xc0 | (ch >> 6)));
        s.push(<u8>(0x80 | (ch & 0x3f)));
      } else if (ch >= 0x80 && ascii) {
        return false;
      } else s.push(<u8>ch);
    }
    this.p = s.ptr;
    this.n = s.len;
    this.pos = 0;
    return true;
  }

  private pseudoLen: i32 = 0;
  /** Finds name="value" in [from, to); returns the value offset (length in pseudoLen) or -1. */
  private findPseudoAttr(from: i32, to: i32, name: string): i32 {
    const L = name.length;
    for (let i = from; i + L < to; i++) {
      let m = true;
      for (let k = 0; k < L; k++) if (this.byte(i + k) != name.charCodeAt(k)) { m = false; break; }
      if (!m || !isS(this.byte(i - 1))) continue;
      let j = i + L;
      while (j < to && isS(this.byte(j))) j++;
      if (this.byte(j) != 0x3d) continue;
      j++;
      while (j < to && isS(this.byte(j))) j++;
      const q = this.byte(j);
      if (q != 0x22 && q != 0x27) continue;
      let e = j + 1;
      while (e < to && this.byte(e) != q) e++;
      this.pseudoLen = e - j - 1;
      return j + 1;
    }
    return -1;
  }

  private document(): bool {
    if (this.startsWith("<?xml") && (this.pos + 5 < this.n) && isS(this.byte(5))) {
      if (!this.xmlDecl()) return false;
    }
    if (!this.misc()) return false;
    if (this.startsWith("<!DOCTYPE")) {
      if (!this.doctype()) return false;
      if (!this.misc()) return false;
    }
    if (this.pos >= this.n) return false; // Document is empty / Start tag expected
    if (this.byte(this.pos) != 0x3c) return false;
    if (!this.element()) return false;
    if (!this.misc()) return false;
    return this.pos >= this.n; // Extra content at the end of the document
  }

  private xmlDecl(): bool {
    this.pos += 5;
    this.skipS();
    // version (required)
    if (!this.startsWith("version")) return false;
    this.pos += 7;
    if (!this.eqQuoted()) return false;
    const vs = this.qStart, vl = this.qLen;
    // libxml2: [0-9] '.' [0-9]*; a major version other than 1 is fatal ("Unsupported version")
    if (vl < 2 || this.byte(vs) != 0x31 || this.byte(vs + 1) != 0x2e) return false;
    for (let i = 2; i < vl; i++) {
      const d = this.byte(vs + i);
      if (d < 0x30 || d > 0x39) return false;
    }
    let hadS = this.skipS() > 0;
    if (this.startsWith("encoding")) {
      if (!hadS) return false;
      this.pos += 8;
      if (!this.eqQuoted()) return false;
      const es = this.qStart, el = this.qLen;
      const f = this.byte(es);
      if (el == 0 || !((f >= 0x41 && f <= 0x5a) || (f >= 0x61 && f <= 0x7a))) return false;
      for (let i = 1; i < el; i++) {
        const d = this.byte(es + i);
        if (!((d >= 0x41 && d <= 0x5a) || (d >= 0x61 && d <= 0x7a) || (d >= 0x30 && d <= 0x39) || d == 0x2e || d == 0x5f || d == 0x2d)) return false;
      }
      hadS = this.skipS() > 0;
    }
    if (this.startsWith("standalone")) {
      if (!hadS) return false;
      this.pos += 10;
      if (!this.eqQuoted()) return false;
      const ss = this.qStart, sl = this.qLen;
      if (sl == 3 && this.byte(ss) == 0x79 && this.byte(ss + 1) == 0x65 && this.byte(ss + 2) == 0x73) this.standalone = true;
      else if (!(sl == 2 && this.byte(ss) == 0x6e && this.byte(ss + 1) == 0x6f)) return false;
      this.skipS();
    }
    if (!this.startsWith("?>")) return false;
    this.pos += 2;
    return true;
  }

  private qStart: i32 = 0;
  private qLen: i32 = 0;
  /** S? '=' S? quoted-literal (no validation of the content). */
  private eqQuoted(): bool {
    this.skipS();
    if (this.byte(this.pos) != 0x3d) return false;
    this.pos++;
    this.skipS();
    const q = this.byte(this.pos);
    if (q != 0x22 && q != 0x27) return false;
    const s = ++this.pos;
    while (this.pos < this.n && this.byte(this.pos) != q) this.pos++;
    if (this.pos >= this.n) return false;
    this.qStart = s;
    this.qLen = this.pos - s;
    this.pos++;
    return true;
  }

  /** Misc*: whitespace, comments, PIs. */
  private misc(): bool {
    for (;;) {
      this.skipS();
      if (this.startsWith("<!--")) {
        if (!this.comment()) return false;
      } else if (this.startsWith("<?")) {
        if (!this.pi()) return false;
      } else return true;
    }
    return false; // not reached
  }

  private comment(): bool {
    this.pos += 4;
    for (;;) {
      if (this.pos >= this.n) return false;
      if (this.byte(this.pos) == 0x2d && this.byte(this.pos + 1) == 0x2d) {
        if (this.byte(this.pos + 2) == 0x3e) {
          this.pos += 3;
          return true;
        }
        return false; // "--" not allowed in comments
      }
      const c = this.cp(this.pos);
      if (c < 0 || !isChar(c)) return false;
      this.pos += this.lastLen;
    }
    return false; // not reached
  }

  private pi(): bool {
    this.pos += 2;
    const ns = this.pos;
    const nl = this.name();
    if (nl == 0) return false;
    if (nl == 3) {
      const a = this.byte(ns) | 0x20, b = this.byte(ns + 1) | 0x20, d = this.byte(ns + 2) | 0x20;
      if (a == 0x78 && b == 0x6d && d == 0x6c) return false; // reserved "xml"
    }
    if (this.startsWith("?>")) {
      this.pos += 2;
      return true;
    }
    if (this.skipS() == 0) return false;
    for (;;) {
      if (this.pos >= this.n) return false;
      if (this.startsWith("?>")) {
        this.pos += 2;
        return true;
      }
      const c = this.cp(this.pos);
      if (c < 0 || !isChar(c)) return false;
      this.pos += this.lastLen;
    }
    return false; // not reached
  }

  private quotedLiteral(): bool {
    const q = this.byte(this.pos);
    if (q != 0x22 && q != 0x27) return false;
    this.pos++;
    while (this.pos < this.n && this.byte(this.pos) != q) {
      const c = this.cp(this.pos);
      if (c < 0 || !isChar(c)) return false;
      this.pos += this.lastLen;
    }
    if (this.pos >= this.n) return false;
    this.pos++;
    return true;
  }

  private externalId(): i32 {
    // returns 1 if an ExternalID was parsed, 0 if none, -1 on error
    if (this.startsWith("SYSTEM")) {
      this.pos += 6;
      if (this.skipS() == 0) return -1;
      return this.quotedLiteral() ? 1 : -1;
    }
    if (this.startsWith("PUBLIC")) {
      this.pos += 6;
      if (this.skipS() == 0) return -1;
      if (!this.quotedLiteral()) return -1;
      if (this.skipS() == 0) return -1;
      return this.quotedLiteral() ? 1 : -1;
    }
    return 0;
  }

  private doctype(): bool {
    this.pos += 9;
    if (this.skipS() == 0) return false;
    if (this.name() == 0) return false;
    this.skipS();
    const ext = this.externalId();
    if (ext < 0) return false;
    if (ext > 0) this.hasExternalSubset = true;
    this.skipS();
    if (this.byte(this.pos) == 0x5b) {
      this.pos++;
      if (!this.internalSubset()) return false;
      this.skipS();
    }
    if (this.byte(this.pos) != 0x3e) return false;
    this.pos++;
    return true;
  }

  private internalSubset(): bool {
    for (;;) {
      this.skipS();
      if (this.pos >= this.n) return false;
      const c = this.byte(this.pos);
      if (c == 0x5d) {
        this.pos++;
        return true;
      }
      if (this.startsWith("<!--")) {
        if (!this.comment()) return false;
      } else if (this.startsWith("<?")) {
        if (!this.pi()) return false;
      } else if (c == 0x25) {
        this.pos++;
        if (this.name() == 0 || this.byte(this.pos) != 0x3b) return false;
        this.pos++;
        this.hasPERefs = true;
      } else if (this.startsWith("<!ENTITY")) {
        if (!this.entityDecl()) return false;
      } else if (this.startsWith("<!ELEMENT")) {
        if (!this.elementDecl()) return false;
      } else if (this.startsWith("<!ATTLIST") || this.startsWith("<!NOTATION")) {
        // skipped: scan to '>' honouring quoted literals
        this.pos += 2;
        for (;;) {
          if (this.pos >= this.n) return false;
          const d = this.byte(this.pos);
          if (d == 0x3e) {
            this.pos++;
            break;
          }
          if (d == 0x22 || d == 0x27) {
            if (!this.quotedLiteral()) return false;
            continue;
          }
          if (d == 0x25) this.hasPERefs = true;
          const cc = this.cp(this.pos);
          if (cc < 0 || !isChar(cc)) return false;
          this.pos += this.lastLen;
        }
      } else return false;
    }
    return false; // not reached
  }

  /** <!ELEMENT Name contentspec>: EMPTY | ANY | a parenthesised model (checked for its token set only). */
  private elementDecl(): bool {
    this.pos += 9;
    if (this.skipS() == 0) return false;
    if (this.name() == 0) return false;
    if (this.skipS() == 0) return false;
    if (this.startsWith("EMPTY")) this.pos += 5;
    else if (this.startsWith("ANY")) this.pos += 3;
    else if (this.byte(this.pos) == 0x28) {
      let depth = 0;
      for (;;) {
        if (this.pos >= this.n) return false;
        const c = this.byte(this.pos);
        if (c == 0x28) {
          depth++;
          this.pos++;
        } else if (c == 0x29) {
          depth--;
          this.pos++;
          const q = this.byte(this.pos);
          if (q == 0x3f || q == 0x2a || q == 0x2b) this.pos++;
          if (depth == 0) break;
        } else if (isS(c) || c == 0x7c || c == 0x2c) {
          this.pos++;
        } else if (this.startsWith("#PCDATA")) {
          this.pos += 7;
        } else {
          if (this.name() == 0) return false;
          const q = this.byte(this.pos);
          if (q == 0x3f || q == 0x2a || q == 0x2b) this.pos++;
        }
      }
    } else return false;
    this.skipS();
    if (this.byte(this.pos) != 0x3e) return false;
    this.pos++;
    return true;
  }

  private entityDecl(): bool {
    this.pos += 8;
    if (this.skipS() == 0) return false;
    let isPE = false;
    if (this.byte(this.pos) == 0x25) {
      isPE = true;
      this.pos++;
      if (this.skipS() == 0) return false;
    }
    const ns = this.pos;
    const nl = this.name();
    if (nl == 0) return false;
    if (this.skipS() == 0) return false;
    let ent: Entity | null = null;
    if (!isPE && this.findEntity(this.p + <usize>ns, nl) < 0) {
      if (this.nEntities == this.entities.length) this.entities.push(new Entity());
      ent = this.entities[this.nEntities++];
      ent.name.reset();
      ent.name.append(this.p + <usize>ns, nl);
      ent.value.reset();
      ent.external = false;
    }
    const q = this.byte(this.pos);
    if (q == 0x22 || q == 0x27) {
      this.pos++;
      const vs = this.pos;
      while (this.pos < this.n && this.byte(this.pos) != q) {
        const c = this.cp(this.pos);
        if (c < 0 || !isChar(c)) return false;
        if (c == 0x25) this.hasPERefs = true;
        this.pos += this.lastLen;
      }
      if (this.pos >= this.n) return false;
      if (ent) {
        // character references are replaced at declaration time
        if (!this.expandCharRefs(vs, this.pos, ent.value)) return false;
      }
      this.pos++;
    } else {
      const ext = this.externalId();
      if (ext <= 0) return false;
      if (ent) ent.external = true;
      const had = this.skipS() > 0;
      if (this.startsWith("NDATA")) {
        if (!had || isPE) return false;
        this.pos += 5;
        if (this.skipS() == 0 || this.name() == 0) return false;
      }
    }
    this.skipS();
    if (this.byte(this.pos) != 0x3e) return false;
    this.pos++;
    return true;
  }

  private expandCharRefs(s: i32, e: i32, out: ByteBuf): bool {
    let i = s;
    while (i < e) {
      const c = this.byte(i);
      if (c == 0x26 && this.byte(i + 1) == 0x23) {
        const save = this.pos;
        this.pos = i;
        const v = this.charRef();
        if (v < 0) return false;
        i = this.pos;
        this.pos = save;
        appendCp(out, v);
      } else if (c == 0x0d) {
        if (this.byte(i + 1) != 0x0a) out.push(0x0a);
        i++;
      } else {
        out.push(<u8>c);
        i++;
      }
    }
    return true;
  }

  private findEntity(p: usize, n: i32): i32 {
    for (let i = 0; i < this.nEntities; i++) {
      const e = this.entities[i].name;
      if (e.len == n && memory.compare(e.ptr, p, <usize>n) == 0) return i;
    }
    return -1;
  }

  /** &#...; at pos; returns the code point or -1. */
  private charRef(): i32 {
    this.pos += 2;
    let v: i64 = 0;
    let digits = 0;
    if (this.byte(this.pos) == 0x78) {
      this.pos++;
      for (;;) {
        const d = this.byte(this.pos);
        let h = -1;
        if (d >= 0x30 && d <= 0x39) h = d - 0x30;
        else if (d >= 0x61 && d <= 0x66) h = d - 0x57;
        else if (d >= 0x41 && d <= 0x46) h = d - 0x37;
        if (h < 0) break;
        if (v < 0x110000) v = v * 16 + h;
        digits++;
        this.pos++;
      }
    } else {
      for (;;) {
        const d = this.byte(this.pos);
        if (d < 0x30 || d > 0x39) break;
        if (v < 0x110000) v = v * 10 + (d - 0x30);
        digits++;
        this.pos++;
      }
    }
    if (digits == 0 || this.byte(this.pos) != 0x3b) return -1;
    this.pos++;
    if (!isChar(<i32>v)) return -1;
    return <i32>v;
  }

  /** &name; or &#..; at pos inside content; appends to text when collecting. */
  private reference(collect: bool, nesting: i32): bool {
    if (this.byte(this.pos + 1) == 0x23) {
      const v = this.charRef();
      if (v < 0) return false;
      if (collect) appendCp(this.text, v);
      return true;
    }
    this.pos++;
    const ns = this.pos;
    const nl = this.name();
    if (nl == 0 || this.byte(this.pos) != 0x3b) return false;
    this.pos++;
    const np = this.p + <usize>ns;
    const pre = predefined(np, nl);
    if (pre >= 0) {
      if (collect) this.text.push(<u8>pre);
      return true;
    }
    const ei = this.findEntity(np, nl);
    if (ei < 0) {
      // libxml2: fatal when the document has neither an external subset nor PE references (or is standalone)
      return !(this.standalone || (!this.hasExternalSubset && !this.hasPERefs));
    }
    const ent = this.entities[ei];
    if (ent.external) return true; // not loaded: the reference node has no content
    if (nesting >= MAX_ENTITY_NESTING) return false;
    this.expansion += ent.value.len;
    if (this.expansion > MAX_EXPANSION) return false;
    // parse the replacement text as content
    const saveP = this.p, saveN = this.n, savePos = this.pos;
    this.p = ent.value.ptr;
    this.n = ent.value.len;
    this.pos = 0;
    const base = this.stackEnds.length;
    const saveNesting = this.nesting;
    this.nesting = nesting + 1;
    const ok = this.content(collect, nesting + 1, base) && this.pos >= this.n && this.stackEnds.length == base;
    this.nesting = saveNesting;
    this.p = saveP;
    this.n = saveN;
    this.pos = savePos;
    return ok;
  }

  private element(): bool {
    // iterative: content() handles nested elements with an explicit stack
    const base = this.stackEnds.length;
    if (!this.startTag()) return false;
    if (this.stackEnds.length == base) return true; // empty element
    return this.content(true, 0, base) && this.stackEnds.length == base;
  }

  /**
   * Parses a start tag at pos ('<' Name ...). Pushes the name unless the tag is empty ("/>"). As libxml2, the
   * element exists (startElement) when its name and attributes parsed, even if the input ends before '>'.
   */
  private startTag(): bool {
    this.pos++;
    const ns = this.pos;
    const nl = this.name();
    if (nl == 0) return false;
    this.attrNames.reset();
    this.attrEnds.length = 0;
    this.attrVal.reset();
    this.attrValEnds.length = 0;
    let afterName = this.skipS() == 0;
    for (;;) {
      const c = this.byte(this.pos);
      // libxml2 reads a NUL right after the name as a character ("Char 0x0 out of allowed range"): no element
      if (c == 0 && afterName) return false;
      afterName = false;
      if (c < 0 || !(c >= 0x20 || c == 0x09 || c == 0x0a || c == 0x0d)) {
        this.created();
        return false; // Couldn't find end of Start Tag
      }
      if (c == 0x3e || (c == 0x2f && this.byte(this.pos + 1) == 0x3e)) break;
      const as = this.pos;
      const al = this.name();
      if (al == 0) return false;
      let s = 0;
      for (let i = 0; i < this.attrEnds.length; i++) {
        const e = this.attrEnds[i];
        if (e - s == al && memory.compare(this.attrNames.ptr + <usize>s, this.p + <usize>as, <usize>al) == 0) return false;
        s = e;
      }
      this.attrNames.append(this.p + <usize>as, al);
      this.attrEnds.push(this.attrNames.len);
      this.skipS();
      if (this.byte(this.pos) != 0x3d) return false;
      this.pos++;
      this.skipS();
      const vs = this.attrVal.len;
      if (!this.attValue()) return false;
      // namespace declarations (xmlns, xmlns:p) are not attribute nodes in libxml2's SAX2 tree
      if (al >= 5 && this.byte(as) == 0x78 && this.byte(as + 1) == 0x6d && this.byte(as + 2) == 0x6c &&
          this.byte(as + 3) == 0x6e && this.byte(as + 4) == 0x73 && (al == 5 || this.byte(as + 5) == 0x3a)) {
        this.attrVal.truncate(vs);
      } else this.attrValEnds.push(this.attrVal.len);
      if (this.pos >= this.n) return false; // attributes construct error
      const d = this.byte(this.pos);
      if (d == 0x3e || (d == 0x2f && this.byte(this.pos + 1) == 0x3e)) break;
      if (this.skipS() == 0) return false;
    }
    if (this.stackEnds.length >= MAX_DEPTH + 1) return false; // libxml2: Excessive depth in document: 256
    this.created();
    if (this.byte(this.pos) == 0x2f) {
      this.pos += 2;
      return true;
    }
    this.pos++;
    this.stackNames.append(this.p + <usize>ns, nl);
    this.stackEnds.push(this.stackNames.len);
    return true;
  }

  /** Appends the character at pos (code point cc, lastLen bytes) to the text, "\r\n" and "\r" read as "\n". */
  private appendText(cc: i32): void {
    if (cc == 0x0d) {
      if (this.byte(this.pos + 1) == 0x0a) return; // the \n that follows is appended
      this.text.push(0x0a);
      return;
    }
    this.text.append(this.p + <usize>this.pos, this.lastLen);
  }

  /**
   * The element of the start tag just parsed exists in the tree. Its attributes are XML://@* values unless it
   * comes from an entity's replacement text (libxml2 keeps entity references, and XPath does not descend
   * into the entity declaration they point to).
   */
  private created(): void {
    if (this.nesting != 0) return;
    if (this.stackEnds.length == 0) this.rootStarted = true;
    let s = 0;
    for (let i = 0; i < this.attrValEnds.length; i++) {
      const e = this.attrValEnds[i];
      this.attrOut.append(this.attrVal.ptr + <usize>s, e - s);
      this.attrOutEnds.push(this.attrOut.len);
      s = e;
    }
  }

  private attValue(): bool {
    const q = this.byte(this.pos);
    if (q != 0x22 && q != 0x27) return false;
    this.pos++;
    for (;;) {
      if (this.pos >= this.n) return false;
      const c = this.byte(this.pos);
      if (c == q) {
        this.pos++;
        return true;
      }
      if (c == 0x3c) return false;
      if (c == 0x26) {
        if (!this.attrReference()) return false;
        continue;
      }
      const cc = this.cp(this.pos);
      if (cc < 0 || !isChar(cc)) return false;
      // attribute-value normalisation (CDATA): each white space character is a space, "\r\n" one space
      if (cc == 0x0d) {
        if (this.byte(this.pos + 1) != 0x0a) this.attrVal.push(0x20);
      } else if (cc == 0x09 || cc == 0x0a) this.attrVal.push(0x20);
      else this.attrVal.append(this.p + <usize>this.pos, this.lastLen);
      this.pos += this.lastLen;
    }
    return false; // not reached
  }

  /**
   * The text of an internal entity referenced in an attribute value: libxml2 (no entity substitution, as
   * ModSecurity runs it) keeps the reference and the attribute's content is the entity's text, references in it
   * decoded and white space not normalised.
   */
  private attrEntityText(v: ByteBuf, depth: i32): bool {
    if (depth >= MAX_ENTITY_NESTING) return false;
    this.expansion += v.len;
    if (this.expansion > MAX_EXPANSION) return false;
    const saveP = this.p, saveN = this.n, savePos = this.pos;
    this.p = v.ptr;
    this.n = v.len;
    this.pos = 0;
    let ok = true;
    while (ok && this.pos < this.n) {
      const c = this.byte(this.pos);
      if (c == 0x26) {
        const s = this.pos;
        if (this.byte(this.pos + 1) == 0x23) {
          const r = this.charRef();
          if (r >= 0) {
            appendCp(this.attrVal, r);
            continue;
          }
        } else {
          this.pos++;
          const ns = this.pos;
          const nl = this.name();
          if (nl > 0 && this.byte(this.pos) == 0x3b) {
            this.pos++;
            const np = this.p + <usize>ns;
            const pre = predefined(np, nl);
            if (pre >= 0) this.attrVal.push(<u8>pre);
            else {
              const ei = this.findEntity(np, nl);
              if (ei >= 0 && !this.entities[ei].external) ok = this.attrEntityText(this.entities[ei].value, depth + 1);
            }
            continue;
          }
        }
        this.attrVal.push(0x26);
        this.pos = s + 1;
        continue;
      }
      this.attrVal.push(<u8>c);
      this.pos++;
    }
    this.p = saveP;
    this.n = saveN;
    this.pos = savePos;
    return ok;
  }

  private attrReference(): bool {
    if (this.byte(this.pos + 1) == 0x23) {
      const v = this.charRef();
      if (v < 0) return false;
      appendCp(this.attrVal, v);
      return true;
    }
    this.pos++;
    const ns = this.pos;
    const nl = this.name();
    if (nl == 0 || this.byte(this.pos) != 0x3b) return false;
    this.pos++;
    const np = this.p + <usize>ns;
    const pre = predefined(np, nl);
    if (pre >= 0) {
      this.attrVal.push(<u8>pre);
      return true;
    }
    const ei = this.findEntity(np, nl);
    if (ei < 0) return !(this.standalone || (!this.hasExternalSubset && !this.hasPERefs));
    const ent = this.entities[ei];
    if (ent.external) return false; // external entity reference in an attribute value
    for (let i = 0; i < ent.value.len; i++) if (ent.value.at(i) == 0x3c) return false;
    return this.attrEntityText(ent.value, this.nesting);
  }

  /**
   * Content until the element at stack depth `base` is closed (nesting 0), or until the end of an entity's
   * replacement text (nesting > 0). Character data follows libxml2's delivery: a run is delivered when markup
   * or a reference follows; a run cut by "]]>" is lost, one cut by invalid UTF-8 keeps its ASCII prefix, a
   * one-byte run at the end of the input is not delivered, an unterminated CDATA section is lost.
   */
  private content(collect: bool, nesting: i32, base: i32): bool {
    let runStart = -1; // text.len at the start of the current character-data run (-1: not in a run)
    let runPos = 0;
    let complexStart = -1;
    for (;;) {
      if (this.pos >= this.n) {
        if (nesting > 0) return true;
        if (runStart >= 0 && this.pos - runPos < 2) this.text.truncate(runStart);
        return false; // the document ended inside an element
      }
      const c = this.byte(this.pos);
      if (c == 0x3c || c == 0x26) {
        runStart = -1;
        complexStart = -1;
      }
      if (c == 0x3c) {
        const d = this.byte(this.pos + 1);
        if (d == 0x2f) {
          if (this.stackEnds.length <= base) return false;
          this.pos += 2;
          const ns = this.pos;
          const nl = this.name();
          const top = this.stackEnds.length - 1;
          const s = top > 0 ? this.stackEnds[top - 1] : 0;
          const e = this.stackEnds[top];
          if (nl == 0 || e - s != nl || memory.compare(this.stackNames.ptr + <usize>s, this.p + <usize>ns, <usize>nl) != 0) return false;
          this.skipS();
          if (this.byte(this.pos) != 0x3e) return false;
          this.pos++;
          this.stackEnds.pop();
          this.stackNames.truncate(s);
          if (nesting == 0 && this.stackEnds.length == base) return true;
        } else if (d == 0x21) {
          if (this.startsWith("<!--")) {
            if (!this.comment()) return false;
          } else if (this.startsWith("<![CDATA[")) {
            this.pos += 9;
            const mark = this.text.len;
            for (;;) {
              if (this.pos >= this.n) {
                this.text.truncate(mark);
                return false;
              }
              if (this.byte(this.pos) == 0x5d && this.byte(this.pos + 1) == 0x5d && this.byte(this.pos + 2) == 0x3e) {
                this.pos += 3;
                break;
              }
              const cc = this.cp(this.pos);
              if (cc < 0 || !isChar(cc)) {
                this.text.truncate(mark);
                return false;
              }
              if (collect) this.appendText(cc);
              this.pos += this.lastLen;
            }
          } else return false;
        } else if (d == 0x3f) {
          if (!this.pi()) return false;
        } else {
          if (!this.startTag()) return false;
        }
      } else if (c == 0x26) {
        if (!this.reference(collect, nesting)) return false;
      } else {
        if (runStart < 0) {
          runStart = this.text.len;
          runPos = this.pos;
        }
        if (c == 0x5d && this.byte(this.pos + 1) == 0x5d && this.byte(this.pos + 2) == 0x3e) {
          this.text.truncate(runStart);
          return false;
        }
        const cc = this.cp(this.pos);
        if (cc == -2) {
          if (complexStart >= 0) this.text.truncate(complexStart);
          return false;
        }
        if (cc < 0 || !isChar(cc)) return false;
        if (cc >= 0x80 && complexStart < 0) complexStart = this.text.len;
        if (collect) this.appendText(cc);
        this.pos += this.lastLen;
      }
    }
    return false; // not reached
  }
}

function predefined(p: usize, n: i32): i32 {
  const a = n > 0 ? <i32>load<u8>(p) : 0;
  if (n == 2 && load<u8>(p + 1) == 0x74) {
    if (a == 0x6c) return 0x3c; // lt
    if (a == 0x67) return 0x3e; // gt
  }
  if (n == 3 && a == 0x61 && load<u8>(p + 1) == 0x6d && load<u8>(p + 2) == 0x70) return 0x26;
  if (n == 4 && a == 0x71 && load<u8>(p + 1) == 0x75 && load<u8>(p + 2) == 0x6f && load<u8>(p + 3) == 0x74) return 0x22;
  if (n == 4 && a == 0x61 && load<u8>(p + 1) == 0x70 && load<u8>(p + 2) == 0x6f && load<u8>(p + 3) == 0x73) return 0x27;
  return -1;
}

function appendCp(out: ByteBuf, v: i32): void {
  if (v < 0x80) out.push(<u8>v);
  else if (v < 0x800) {
    out.push(<u8>(0xc0 | (v >> 6)));
    out.push(<u8>(0x80 | (v & 0x3f)));
  } else if (v < 0x10000) {
    out.push(<u8>(0xe0 | (v >> 12)));
    out.push(<u8>(0x80 | ((v >> 6) & 0x3f)));
    out.push(<u8>(0x80 | (v & 0x3f)));
  } else {
    out.push(<u8>(0xf0 | (v >> 18)));
    out.push(<u8>(0x80 | ((v >> 12) & 0x3f)));
    out.push(<u8>(0x80 | ((v >> 6) & 0x3f)));
    out.push(<u8>(0x80 | (v & 0x3f)));
  }
}
