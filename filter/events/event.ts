// The structured detection event (one JSON object per transaction with at least one logged match) and the
// seed's one-line human form per rule, built from a transaction's log (filter/engine MatchRecord). Pure: the
// filter (filter/index.ts) decides when and at which level to log them. Both are written as bytes into one reused
// buffer (TextSink) and handed to proxy_log as they are: built by string concatenation and then UTF-8 encoded,
// they cost about a fifth of a blocked request's time.
//
// Event fields: @timestamp, request_id, source{ip, port_num}, destination{ip, port_num}, host, path, method,
// protocol, level, msg, rule_info, rules[]{id, message, severity, file, line, phase, data, disruptive}, count, action,
// mode. `rules` lists each logging rule once (a chain under its head's id), in order of first match; ids,
// severities and lines are JSON numbers (severity -1 = none).
import { Transaction, MatchRecord } from "../engine/transaction";
import { Out } from "../engine/bytes";
import { Disruptive, RuleEngineMode } from "../../rulesets/tables/format";

const HEX = "0123456789abcdef";

/** How a TextSink writes text. */
export const enum TextForm {
  /** The body of a JSON string: chars above 0x7e and controls escaped as \u00XX (byte strings stay readable, the
   *  output is ASCII). */
  JSON = 0,
  /** UTF-8, each byte of a byte string being the latin1 char it stands for (as the SDK's log() encodes a string). */
  LOG = 1,
}

/** Writes text into an Out in one TextForm. Byte strings (rule messages, logdata: raw request bytes) and strings
 *  (file names, hosts) take the same path per char, so both forms agree with what a string of the bytes gives. */
export class TextSink {
  form: TextForm = TextForm.JSON;
  constructor(readonly out: Out) {}

  /** Text that needs no escaping in any form (JSON punctuation, field names, numbers). */
  ascii(s: string): void {
    this.out.str(s);
  }

  int(v: i64): void {
    this.out.decimal(v);
  }

  /** The instant `ms` (since the epoch) as Date#toISOString writes it, `YYYY-MM-DDTHH:MM:SS.mmmZ`: one per event,
   *  written in place rather than through a Date and the strings it builds. */
  isoTime(ms: i64): void {
    if (ms < 0 || ms > LAST_4_DIGIT_YEAR_MS) {
      this.ascii(new Date(ms).toISOString()); // signed 6-digit years: never a clock reading
      return;
    }
    // civil date of a day count (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"), days >= 0 here
    const days = <i32>(ms / 86_400_000);
    const msOfDay = <i32>(ms % 86_400_000);
    const z = days + 719_468;
    const era = z / 146_097;
    const doe = z - era * 146_097;
    const yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    const doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const mp = (5 * doy + 2) / 153;
    const day = doy - (153 * mp + 2) / 5 + 1;
    const month = mp < 10 ? mp + 3 : mp - 9;
    const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    const out = this.out;
    out.reserve(24);
    const q = changetype<usize>(out.buf) + <usize>out.len;
    putDigits(q, year, 4);
    store<u8>(q + 4, 0x2d);
    putDigits(q + 5, month, 2);
    store<u8>(q + 7, 0x2d);
    putDigits(q + 8, day, 2);
    store<u8>(q + 10, 0x54);
    putDigits(q + 11, msOfDay / 3_600_000, 2);
    store<u8>(q + 13, 0x3a);
    putDigits(q + 14, (msOfDay / 60_000) % 60, 2);
    store<u8>(q + 16, 0x3a);
    putDigits(q + 17, (msOfDay / 1000) % 60, 2);
    store<u8>(q + 19, 0x2e);
    putDigits(q + 20, msOfDay % 1000, 3);
    store<u8>(q + 23, 0x5a);
    out.len += 24;
  }

  /** At most `limit` bytes of b. */
  bytes(b: ArrayBuffer, limit: i32 = i32.MAX_VALUE): void {
    this.write(changetype<usize>(b), min(b.byteLength, limit), false);
  }

  str(s: string): void {
    const stop = this.write(changetype<usize>(s), s.length, true);
    if (stop >= 0) {
      // beyond latin1 (a file name from the table is UTF-8): the rest as the SDK's log() would encode it
      const b = String.UTF8.encode(s.substring(stop));
      this.out.append(changetype<usize>(b), b.byteLength);
    }
  }

  /**
   * Writes n chars from src: bytes, or a string's UTF-16 code units when `wide`. In place, a chunk at a time: one
   * reserve per chunk instead of a check per char, and the buffer grows with what is written (a message can quote a
   * value of megabytes), not with the worst case. Returns -1, or in the LOG form the index of the first char beyond
   * latin1, where it stopped. One loop per form and width: they run per char of every event (a blocked request's
   * event is some 2.5 KB), and a char that stands for itself takes one test there.
   */
  private write(src: usize, n: i32, wide: bool): i32 {
    const json = this.form == TextForm.JSON;
    const out = this.out;
    for (let i = 0; i < n; ) {
      const end = i + min(n - i, CHUNK_CHARS);
      out.reserve((end - i) * MAX_CHAR_BYTES);
      let q = changetype<usize>(out.buf) + <usize>out.len;
      const start = q;
      if (json) {
        if (wide) {
          let k = i;
          while (k < end) {
            // four chars at a time while all four stand for themselves
            if (k + 4 <= end) {
              const x = load<u64>(src + (<usize>k << 1));
              if (plainChars4(x)) {
                store<u32>(q, <u32>(x & 0xff) | <u32>((x >> 8) & 0xff00) | <u32>((x >> 16) & 0xff0000) | <u32>((x >> 24) & 0xff000000));
                q += 4;
                k += 4;
                continue;
              }
            }
            const c = <i32>load<u16>(src + (<usize>k << 1));
            if (<u32>c < 0x100 && load<u8>(JSON_PLAIN + <usize>c) != 0) store<u8>(q++, <u8>c);
            else q = putJsonChar(q, c);
            k++;
          }
        } else {
          let k = i;
          while (k < end) {
            // eight bytes at a time while all eight stand for themselves
            if (k + 8 <= end) {
              const x = load<u64>(src + <usize>k);
              if (plainBytes8(x)) {
                store<u64>(q, x);
                q += 8;
                k += 8;
                continue;
              }
            }
            const c = <i32>load<u8>(src + <usize>k);
            if (load<u8>(JSON_PLAIN + <usize>c) != 0) store<u8>(q++, <u8>c);
            else q = putJsonChar(q, c);
            k++;
          }
        }
      } else {
        for (let k = i; k < end; k++) {
          const c = wide ? <i32>load<u16>(src + (<usize>k << 1)) : <i32>load<u8>(src + <usize>k);
          if (c >= 0x100) {
            out.len += <i32>(q - start);
            return k;
          }
          q = putLogChar(q, c);
        }
      }
      out.len += <i32>(q - start);
      i = end;
    }
    return -1;
  }
}

/** 9999-12-31T23:59:59.999Z: the last instant isoTime() writes itself. */
const LAST_4_DIGIT_YEAR_MS: i64 = 253_402_300_799_999;

/** The n lowest decimal digits of v >= 0 at q, zero-padded. */
function putDigits(q: usize, v: i32, n: i32): void {
  for (let k = n - 1; k >= 0; k--) {
    store<u8>(q + <usize>k, <u8>(0x30 + v % 10));
    v /= 10;
  }
}

/** Chars written per reserve. */
const CHUNK_CHARS = 4096;
/** The most bytes one char takes: `\u00XX` in JSON form. */
const MAX_CHAR_BYTES = 6;

/** Per byte, 1 when it stands for itself in a JSON string: printable ASCII but `"` and `\`. */
const JSON_PLAIN: usize = jsonPlainTable();

function jsonPlainTable(): usize {
  const t = memory.data(256);
  for (let c = 0x20; c < 0x7f; c++) store<u8>(t + <usize>c, c == 0x22 || c == 0x5c ? 0 : 1);
  return t;
}

// SWAR tests of a word of bytes or UTF-16 chars, per lane (the classic "has a zero byte" trick: a lane's top bit
// survives (v - 1) & ~v only where v was 0; lanes stay independent because no lane below the first hit borrows).
const ONES8: u64 = 0x0101010101010101;
const HIGH8: u64 = 0x8080808080808080;
const ONES16: u64 = 0x0001000100010001;
const HIGH16: u64 = 0x8000800080008000;

/** Whether all eight bytes of x are JSON_PLAIN: 0x20..0x7e but `"` and `\`. */
// @ts-ignore: decorator
@inline function plainBytes8(x: u64): bool {
  // a byte >= 0x80, or one that adding 1 carries to 0x80 (0x7f)
  const high = (x | (x + ONES8)) & HIGH8;
  // a byte below 0x20: top bit set by the subtraction where it borrows
  const low = (x - 0x20 * ONES8) & ~x & HIGH8;
  const quote = x ^ (0x22 * ONES8);
  const slash = x ^ (0x5c * ONES8);
  const zero = ((quote - ONES8) & ~quote) | ((slash - ONES8) & ~slash);
  return ((high | low | (zero & HIGH8))) == 0;
}

/** Whether all four UTF-16 chars of x are JSON_PLAIN (below 0x100 first of all). */
// @ts-ignore: decorator
@inline function plainChars4(x: u64): bool {
  const high = (x | (x + ONES16 * 0x7f81)) & HIGH16; // a char >= 0x7f: adding 0x7f81 reaches 0x8000
  const low = (x - 0x20 * ONES16) & ~x & HIGH16;
  const quote = x ^ (0x22 * ONES16);
  const slash = x ^ (0x5c * ONES16);
  const zero = ((quote - ONES16) & ~quote) | ((slash - ONES16) & ~slash);
  return ((high | low | (zero & HIGH16))) == 0;
}

/** Writes one char below 0x10000 that does not stand for itself (not JSON_PLAIN) in JSON form at q, which has room
 *  for MAX_CHAR_BYTES: `\"`, `\\`, `\n`, `\r`, `\t`, else `\u` and four hex digits. Returns the position after it. */
function putJsonChar(q: usize, c: i32): usize {
  store<u8>(q, 0x5c);
  if (c == 0x22 || c == 0x5c) {
    store<u8>(q + 1, <u8>c);
    return q + 2;
  }
  if (c == 0x0a || c == 0x0d || c == 0x09) {
    store<u8>(q + 1, c == 0x0a ? 0x6e : c == 0x0d ? 0x72 : 0x74);
    return q + 2;
  }
  store<u8>(q + 1, 0x75);
  for (let k = 0; k < 4; k++) store<u8>(q + 2 + <usize>k, <u8>HEX.charCodeAt((c >> (12 - 4 * k)) & 0xf));
  return q + 6;
}

/** Writes one latin1 char in LOG form (UTF-8) at q; returns the position after it. */
// @ts-ignore: decorator
@inline function putLogChar(q: usize, c: i32): usize {
  if (c < 0x80) {
    store<u8>(q, <u8>c);
    return q + 1;
  }
  store<u8>(q, <u8>(0xc0 | (c >> 6)));
  store<u8>(q + 1, <u8>(0x80 | (c & 0x3f)));
  return q + 2;
}

/** Longest `data` (logdata) an event carries per rule, as ModSecurity v3's error log (its limitTo(200)): logdata
 *  usually quotes MATCHED_VAR, which an attacker sizes, once per matching rule. */
export const MAX_DATA_CHARS = 200;

/** The rule's logdata, cut to MAX_DATA_CHARS and marked with "..." when cut. */
function writeData(w: TextSink, m: MatchRecord): void {
  w.bytes(m.logdata, MAX_DATA_CHARS);
  if (m.logdata.byteLength > MAX_DATA_CHARS) w.ascii("...");
}

/** loggedRules() of a transaction without matches (never changed). */
const NO_RULES = new Array<MatchRecord>(0);

/** The logging rules of the transaction, unique by id, in order of first match. */
export function loggedRules(tx: Transaction): Array<MatchRecord> {
  // Most transactions match nothing: then nothing is allocated to find that out.
  if (tx.log.length == 0) return NO_RULES;
  const out = new Array<MatchRecord>();
  const seen = new Set<u32>();
  for (let i = 0; i < tx.log.length; i++) {
    const m = tx.log[i];
    if (!m.log || seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out;
}

export function actionName(tx: Transaction): string {
  const d = tx.decision;
  if (!d.disruptive) return "pass";
  if (d.action == Disruptive.DENY) return "deny";
  if (d.action == Disruptive.DROP) return "drop";
  if (d.action == Disruptive.REDIRECT) return "redirect";
  return "pass";
}

export function modeName(mode: i32): string {
  if (mode == RuleEngineMode.ON) return "On";
  if (mode == RuleEngineMode.DETECTION_ONLY) return "DetectionOnly";
  return "Off";
}

/** The seed's one-line form of one matched rule. */
function writeHumanLine(w: TextSink, tx: Transaction, requestId: string, m: MatchRecord): void {
  w.ascii("WAF Process Http Request [");
  w.str(requestId);
  w.ascii("] URL '");
  w.str(tx.path);
  w.ascii("' OWASP Warning'[");
  if (m.severity >= 0) w.int(m.severity);
  w.ascii("] Host:'");
  w.str(tx.host);
  w.ascii("' File:'");
  w.str(m.file);
  w.ascii("' Line:'");
  w.int(m.line);
  w.ascii("' ID:'");
  w.int(m.id);
  w.ascii("' Data:'");
  writeData(w, m);
  w.ascii("' Severity:'");
  if (m.severity >= 0) w.int(m.severity);
  w.ascii("' Version:'");
  w.str(m.ver);
  w.ascii("' Message:'");
  w.bytes(m.msg);
  w.ascii("'");
}

/** The writer of events and log lines: one per VM, a callback builds one text at a time. */
const sink = new TextSink(new Out());

/** The seed's one-line form of one matched rule, UTF-8, for proxy_log. */
export function humanLine(tx: Transaction, requestId: string, m: MatchRecord): ArrayBuffer {
  sink.out.reset();
  sink.form = TextForm.LOG;
  writeHumanLine(sink, tx, requestId, m);
  return sink.out.take();
}

/** `name` (the JSON text before the value), then s as a JSON string. */
function stringField(w: TextSink, name: string, s: string): void {
  w.ascii(name);
  w.ascii('"');
  w.str(s);
  w.ascii('"');
}

function bytesField(w: TextSink, name: string, b: ArrayBuffer): void {
  w.ascii(name);
  w.ascii('"');
  w.bytes(b);
  w.ascii('"');
}

function intField(w: TextSink, name: string, v: i64): void {
  w.ascii(name);
  w.int(v);
}

/** The JSON event (ASCII) of the transaction's logging rules (loggedRules(tx)), or an empty buffer when there are
 *  none. */
export function buildEvent(tx: Transaction, requestId: string, nowMs: i64, rules: Array<MatchRecord>): ArrayBuffer {
  if (rules.length == 0) return new ArrayBuffer(0);
  const w = sink;
  w.out.reset();
  w.form = TextForm.JSON;
  w.ascii('{"@timestamp":"');
  w.isoTime(nowMs);
  w.ascii('"');
  stringField(w, ',"request_id":', requestId);
  stringField(w, ',"source":{"ip":', tx.clientIp);
  intField(w, ',"port_num":', tx.clientPort);
  stringField(w, '},"destination":{"ip":', tx.serverIp);
  intField(w, ',"port_num":', tx.serverPort);
  stringField(w, '},"host":', tx.host);
  stringField(w, ',"path":', tx.path);
  bytesField(w, ',"method":', tx.method);
  bytesField(w, ',"protocol":', tx.protocol);
  w.ascii(',"level":"warning","msg":"');
  writeHumanLine(w, tx, requestId, rules[0]); // escaped as it is written
  w.ascii('","rule_info":"');
  for (let i = 0; i < rules.length; i++) {
    const m = rules[i];
    if (i > 0) w.ascii(" ");
    w.ascii('[id \\"');
    w.int(m.id);
    w.ascii('\\"] [msg \\"');
    w.bytes(m.msg);
    w.ascii('\\"]');
  }
  w.ascii('","rules":[');
  for (let i = 0; i < rules.length; i++) {
    const m = rules[i];
    intField(w, i > 0 ? ',{"id":' : '{"id":', m.id);
    bytesField(w, ',"message":', m.msg);
    intField(w, ',"severity":', m.severity);
    stringField(w, ',"file":', m.file);
    intField(w, ',"line":', m.line);
    intField(w, ',"phase":', m.phase);
    w.ascii(',"data":"');
    writeData(w, m);
    w.ascii(m.disruptive ? '","disruptive":true}' : '","disruptive":false}');
  }
  intField(w, '],"count":', rules.length);
  stringField(w, ',"action":', actionName(tx));
  stringField(w, ',"mode":', modeName(tx.ruleEngine));
  w.ascii("}");
  return w.out.take();
}

/** Metric names (Envoy stats): per rule id and per action, detection-only hits included. */
export function ruleMetricName(id: u32): string {
  return "waf.rule." + id.toString() + ".hits";
}
export function actionMetricName(action: string): string {
  return "waf.action." + action;
}
