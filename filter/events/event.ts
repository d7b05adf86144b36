// The structured detection event (one JSON object per transaction with at least one logged match) and the
// seed's one-line human form per rule, built from a transaction's log (filter/engine MatchRecord). Pure: the
// filter (filter/index.ts) decides when and at which level to log them.
//
// Event fields: @timestamp, request_id, source{ip, port_num}, destination{ip, port_num}, host, path, method,
// protocol, level, msg, rule_info, rules[]{id, message, severity, file, line, phase, data, disruptive}, count, action,
// mode. `rules` lists each logging rule once (a chain under its head's id), in order of first match; ids,
// severities and lines are JSON numbers (severity -1 = none).
import { Transaction, MatchRecord } from "../engine/transaction";
import { bytesToLatin1 } from "../engine/bytes";
import { Disruptive, RuleEngineMode } from "../../rulesets/tables/format";

/** JSON string literal of s (chars above 0x7e and controls escaped as \u00XX: byte strings stay readable).
 *  Linear in s: the output length is counted first, then written once (values can be attacker-sized). */
export function jsonString(s: string): string {
  const n = s.length;
  let len = 2;
  for (let i = 0; i < n; i++) len += escapedLength(s.charCodeAt(i));
  const out = changetype<string>(__new(<usize>len << 1, idof<string>()));
  let o = changetype<usize>(out);
  store<u16>(o, 0x22);
  o += 2;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const l = escapedLength(c);
    if (l == 1) {
      store<u16>(o, <u16>c);
    } else if (l == 2) {
      store<u16>(o, 0x5c);
      store<u16>(o, <u16>(c == 0x22 ? 0x22 : c == 0x5c ? 0x5c : c == 0x0a ? 0x6e : c == 0x0d ? 0x72 : 0x74), 2);
    } else {
      store<u16>(o, 0x5c);
      store<u16>(o, 0x75, 2);
      for (let k = 0; k < 4; k++) store<u16>(o + 4 + (<usize>k << 1), HEX.charCodeAt((c >> (12 - 4 * k)) & 0xf));
    }
    o += <usize>l << 1;
  }
  store<u16>(o, 0x22);
  return out;
}

const HEX = "0123456789abcdef";

// @ts-ignore: decorator
@inline function escapedLength(c: i32): i32 {
  if (c >= 0x20 && c < 0x7f) return c == 0x22 || c == 0x5c ? 2 : 1;
  return c == 0x0a || c == 0x0d || c == 0x09 ? 2 : 6;
}

/** Longest `data` (logdata) an event carries per rule, as ModSecurity v3's error log (its limitTo(200)): logdata
 *  usually quotes MATCHED_VAR, which an attacker sizes, once per matching rule. */
export const MAX_DATA_CHARS = 200;

/** s cut to MAX_DATA_CHARS, marked with "..." when cut. */
export function limitData(s: string): string {
  return s.length <= MAX_DATA_CHARS ? s : s.substring(0, MAX_DATA_CHARS) + "...";
}

/** The logging rules of the transaction, unique by id, in order of first match. */
export function loggedRules(tx: Transaction): Array<MatchRecord> {
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
export function humanLine(tx: Transaction, requestId: string, m: MatchRecord): string {
  return "WAF Process Http Request [" + requestId + "] URL '" + tx.path + "' OWASP Warning'[" +
    (m.severity < 0 ? "" : m.severity.toString()) + "] Host:'" + tx.host + "' File:'" + m.file + "' Line:'" +
    m.line.toString() + "' ID:'" + m.id.toString() + "' Data:'" + limitData(m.logdata) + "' Severity:'" +
    (m.severity < 0 ? "" : m.severity.toString()) + "' Version:'" + m.ver + "' Message:'" + m.msg + "'";
}

/** The JSON event, or "" when no logging rule matched. */
export function buildEvent(tx: Transaction, requestId: string, nowMs: i64): string {
  // Most transactions match nothing: no event, and no collections built to find that out.
  if (tx.log.length == 0) return "";
  const rules = loggedRules(tx);
  if (rules.length == 0) return "";
  let rs = "[";
  let info = "";
  for (let i = 0; i < rules.length; i++) {
    const m = rules[i];
    if (i > 0) {
      rs += ",";
      info += " ";
    }
    rs += '{"id":' + m.id.toString() + ',"message":' + jsonString(m.msg) + ',"severity":' + m.severity.toString() +
      ',"file":' + jsonString(m.file) + ',"line":' + m.line.toString() + ',"phase":' + m.phase.toString() +
      ',"data":' + jsonString(limitData(m.logdata)) +
      ',"disruptive":' + (m.disruptive ? "true" : "false") + "}";
    info += "[id \"" + m.id.toString() + "\"] [msg \"" + m.msg + "\"]";
  }
  rs += "]";
  const first = rules[0];
  const msg = humanLine(tx, requestId, first);
  return "{" +
    '"@timestamp":' + jsonString(new Date(nowMs).toISOString()) +
    ',"request_id":' + jsonString(requestId) +
    ',"source":{"ip":' + jsonString(tx.clientIp) + ',"port_num":' + tx.clientPort.toString() + "}" +
    ',"destination":{"ip":' + jsonString(tx.serverIp) + ',"port_num":' + tx.serverPort.toString() + "}" +
    ',"host":' + jsonString(tx.host) +
    ',"path":' + jsonString(tx.path) +
    ',"method":' + jsonString(latin1String(tx.method)) +
    ',"protocol":' + jsonString(latin1String(tx.protocol)) +
    ',"level":"warning"' +
    ',"msg":' + jsonString(msg) +
    ',"rule_info":' + jsonString(info) +
    ',"rules":' + rs +
    ',"count":' + rules.length.toString() +
    ',"action":' + jsonString(actionName(tx)) +
    ',"mode":' + jsonString(modeName(tx.ruleEngine)) +
    "}";
}

function latin1String(b: ArrayBuffer): string {
  return bytesToLatin1(changetype<usize>(b), b.byteLength);
}

/** Metric names (Envoy stats): per rule id and per action, detection-only hits included. */
export function ruleMetricName(id: u32): string {
  return "waf.rule." + id.toString() + ".hits";
}
export function actionMetricName(action: string): string {
  return "waf.action." + action;
}
