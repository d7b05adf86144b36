// Feeding a transaction: the request line and URI (ModSecurity v3 processURI), request headers (addRequestHeader:
// cookies, body type, SERVER_NAME), the request body (limits, body processor selection, the parsers of
// filter/parsers through a Collector), response headers and body. Each function only fills the transaction's
// variables; the phases are run by the caller (engine.ts Engine.phase).
import { BodyProcessor, RuleEngineMode } from "../../rulesets/tables/format";
import { VariableId } from "../../rulesets/tables/variables";
import { Collector, Flag, Coll } from "../parsers/collector";
import { UrlEncodedParser } from "../parsers/urlencoded";
import { parseCookies } from "../parsers/cookies";
import { MultipartParser } from "../parsers/multipart";
import { JsonParser } from "../parsers/json";
import { XmlParser } from "../parsers/xml";
import { ByteBuf } from "../parsers/bytes";
import { Engine } from "./engine";
import { Transaction } from "./transaction";
import { EMPTY, Out, concat, copyBytes, eqStrNoCase, latin1, toLatin1 } from "./bytes";

const ARGS_GET: i32 = 1;
const ARGS_POST: i32 = 2;
const ARGS_JSON: i32 = 3;
const COOKIES: i32 = 4;

class EngineCollector extends Collector {
  tx: Transaction = new Transaction();
  origin: i32 = ARGS_GET;

  arg(np: usize, nl: i32, vp: usize, vl: i32): void {
    const k = copyBytes(np, nl), v = copyBytes(vp, vl);
    const tx = this.tx;
    if (this.origin == COOKIES) {
      tx.coll(VariableId.REQUEST_COOKIES)!.add(k, v);
      return;
    }
    const e = tx.coll(VariableId.ARGS)!.add(k, v);
    if (this.origin == ARGS_GET) tx.coll(VariableId.ARGS_GET)!.addTwin(e);
    else if (this.origin == ARGS_POST) tx.coll(VariableId.ARGS_POST)!.addTwin(e);
  }
  file(np: usize, nl: i32, fp: usize, fl: i32, size: i64, cp: usize, cl: i32): void {
    const tx = this.tx;
    const k = copyBytes(np, nl);
    tx.coll(VariableId.FILES)!.add(k, copyBytes(fp, fl));
    tx.coll(VariableId.FILES_SIZES)!.add(k, latin1(size.toString()));
    if (cl > 0) tx.coll(VariableId.FILES_TMP_CONTENT)!.add(k, copyBytes(cp, cl));
  }
  flag(id: i32, value: i64): void {
    const v = latin1(value.toString());
    const tx = this.tx;
    switch (id) {
      case Flag.URLENCODED_ERROR: tx.setScalar(VariableId.URLENCODED_ERROR, v); break;
      case Flag.REQBODY_ERROR: tx.setScalar(VariableId.REQBODY_ERROR, v); break;
      case Flag.REQBODY_PROCESSOR_ERROR: tx.setScalar(VariableId.REQBODY_PROCESSOR_ERROR, v); break;
      case Flag.MULTIPART_STRICT_ERROR: tx.setScalar(VariableId.MULTIPART_STRICT_ERROR, v); break;
      case Flag.MULTIPART_BOUNDARY_QUOTED: tx.setScalar(VariableId.MULTIPART_BOUNDARY_QUOTED, v); break;
      case Flag.MULTIPART_BOUNDARY_WHITESPACE: tx.setScalar(VariableId.MULTIPART_BOUNDARY_WHITESPACE, v); break;
      case Flag.MULTIPART_DATA_BEFORE: tx.setScalar(VariableId.MULTIPART_DATA_BEFORE, v); break;
      case Flag.MULTIPART_DATA_AFTER: tx.setScalar(VariableId.MULTIPART_DATA_AFTER, v); break;
      case Flag.MULTIPART_HEADER_FOLDING: tx.setScalar(VariableId.MULTIPART_HEADER_FOLDING, v); break;
      case Flag.MULTIPART_LF_LINE: tx.setScalar(VariableId.MULTIPART_LF_LINE, v); break;
      case Flag.MULTIPART_MISSING_SEMICOLON:
        tx.setScalar(VariableId.MULTIPART_MISSING_SEMICOLON, v);
        tx.setScalar(VariableId.MULTIPART_SEMICOLON_MISSING, v);
        break;
      case Flag.MULTIPART_INVALID_QUOTING: tx.setScalar(VariableId.MULTIPART_INVALID_QUOTING, v); break;
      case Flag.MULTIPART_INVALID_PART: tx.setScalar(VariableId.MULTIPART_INVALID_PART, v); break;
      case Flag.MULTIPART_INVALID_HEADER_FOLDING: tx.setScalar(VariableId.MULTIPART_INVALID_HEADER_FOLDING, v); break;
      case Flag.MULTIPART_FILE_LIMIT_EXCEEDED: tx.setScalar(VariableId.MULTIPART_FILE_LIMIT_EXCEEDED, v); break;
      case Flag.MULTIPART_UNMATCHED_BOUNDARY: tx.setScalar(VariableId.MULTIPART_UNMATCHED_BOUNDARY, v); break;
      case Flag.MULTIPART_CRLF_LF_LINES: tx.setScalar(VariableId.MULTIPART_CRLF_LF_LINES, v); break;
      case Flag.FILES_COMBINED_SIZE: tx.setScalar(VariableId.FILES_COMBINED_SIZE, v); break;
      default: break;
    }
  }
  error(code: i32, mp: usize, ml: i32): void {
    const m = copyBytes(mp, ml);
    this.tx.setScalar(VariableId.REQBODY_ERROR_MSG, m);
    this.tx.setScalar(VariableId.REQBODY_PROCESSOR_ERROR_MSG, m);
    this.tx.setScalarStr(VariableId.REQBODY_ERROR, "1");
    this.tx.setScalarStr(VariableId.REQBODY_PROCESSOR_ERROR, "1");
  }
  item(coll: i32, kp: usize, kl: i32, vp: usize, vl: i32): void {
    let v = -1;
    if (coll == Coll.MULTIPART_NAME) v = VariableId.MULTIPART_NAME;
    else if (coll == Coll.MULTIPART_FILENAME) v = VariableId.MULTIPART_FILENAME;
    else if (coll == Coll.MULTIPART_PART_HEADERS) v = VariableId.MULTIPART_PART_HEADERS;
    else if (coll == Coll.XML) v = VariableId.XML;
    if (v < 0) return;
    this.tx.coll(v)!.add(copyBytes(kp, kl), copyBytes(vp, vl));
  }
}

/** Per-VM parsers and collector, reused by every transaction. */
export class BodyProcessors {
  collector: EngineCollector = new EngineCollector();
  urlencoded: UrlEncodedParser = new UrlEncodedParser();
  json: JsonParser = new JsonParser();
  xml: XmlParser = new XmlParser();
}

const PROCS = new BodyProcessors();

function percentDecode(b: ArrayBuffer): ArrayBuffer {
  // ModSecurity utils::uri_decode: %XX with two hex digits decoded, everything else ('+' included) kept.
  const n = b.byteLength;
  const p = changetype<usize>(b);
  // Most URIs have no escape at all: they decode to themselves (the buffers are never written to once built).
  let escapes = 0;
  for (let i = 0; i + 2 < n; i++) {
    if (load<u8>(p + <usize>i) == 0x25 && isEscape(p, i)) {
      escapes++;
      i += 2;
    }
  }
  if (escapes == 0) return b;
  const out = new ArrayBuffer(n - 2 * escapes);
  const o = changetype<usize>(out);
  let i = 0, j = 0;
  while (i < n) {
    const c = load<u8>(p + <usize>i);
    if (c == 0x25 && i + 2 < n && isEscape(p, i)) {
      store<u8>(o + <usize>(j++), <u8>((hexv(load<u8>(p + <usize>(i + 1))) << 4) | hexv(load<u8>(p + <usize>(i + 2)))));
      i += 3;
      continue;
    }
    store<u8>(o + <usize>(j++), c);
    i++;
  }
  return out;
}

/** Whether the '%' at i is followed by two hex digits (the caller checked i + 2 < length). */
function isEscape(p: usize, i: i32): bool {
  return hexv(load<u8>(p + <usize>(i + 1))) >= 0 && hexv(load<u8>(p + <usize>(i + 2))) >= 0;
}

function hexv(c: u8): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

function indexOfByte(b: ArrayBuffer, c: u8, from: i32 = 0): i32 {
  const p = changetype<usize>(b);
  for (let i = from; i < b.byteLength; i++) if (load<u8>(p + <usize>i) == c) return i;
  return -1;
}

function slice(b: ArrayBuffer, s: i32, e: i32): ArrayBuffer {
  if (e <= s) return EMPTY;
  return b.slice(s, e);
}

/** "METHOD URI PROTOCOL", in one allocation. */
function requestLine(method: ArrayBuffer, uri: ArrayBuffer, protocol: ArrayBuffer): ArrayBuffer {
  const lm = method.byteLength, lu = uri.byteLength, lp = protocol.byteLength;
  const out = new ArrayBuffer(lm + lu + lp + 2);
  const o = changetype<usize>(out);
  memory.copy(o, changetype<usize>(method), <usize>lm);
  store<u8>(o + <usize>lm, 0x20);
  memory.copy(o + <usize>(lm + 1), changetype<usize>(uri), <usize>lu);
  store<u8>(o + <usize>(lm + 1 + lu), 0x20);
  memory.copy(o + <usize>(lm + 2 + lu), changetype<usize>(protocol), <usize>lp);
  return out;
}

/** processURI: REQUEST_LINE, METHOD, PROTOCOL, URI(_RAW), QUERY_STRING, FILENAME, BASENAME, PATH_INFO, ARGS_GET. */
export function processUri(eng: Engine, method: ArrayBuffer, uri: ArrayBuffer, protocol: ArrayBuffer): void {
  const tx = eng.tx;
  tx.method = method;
  tx.uri = uri;
  tx.protocol = protocol;
  tx.setScalar(VariableId.REQUEST_METHOD, method);
  tx.setScalar(VariableId.REQUEST_PROTOCOL, protocol);
  tx.setScalar(VariableId.REQUEST_LINE, requestLine(method, uri, protocol));
  const decoded = percentDecode(uri);
  const qd = indexOfByte(decoded, 0x3f);
  const qr = indexOfByte(uri, 0x3f);
  if (qr >= 0) tx.setScalar(VariableId.QUERY_STRING, slice(uri, qr + 1, uri.byteLength));
  else tx.setScalar(VariableId.QUERY_STRING, EMPTY);
  const pathInfo = qd >= 0 ? slice(decoded, 0, qd) : decoded;
  tx.setScalar(VariableId.PATH_INFO, pathInfo);
  tx.setScalar(VariableId.REQUEST_FILENAME, pathInfo);
  // basename: after the last '/' or '\'
  let last = -1;
  const pp = changetype<usize>(pathInfo);
  for (let i = 0; i < pathInfo.byteLength; i++) {
    const c = load<u8>(pp + <usize>i);
    if (c == 0x2f || c == 0x5c) last = i;
  }
  // libmodsecurity 3.0.9 always has REQUEST_BASENAME: what follows the last '/' or '\' (possibly empty), or
  // empty when there is no separator (checked against the peer: "/" -> "", "/a/b" -> "b", "b" -> "")
  tx.setScalar(VariableId.REQUEST_BASENAME, last >= 0 ? slice(pathInfo, last + 1, pathInfo.byteLength) : EMPTY);
  // REQUEST_URI: decoded, without scheme://host when absolute
  let parsed = decoded;
  if (decoded.byteLength > 0 && load<u8>(changetype<usize>(decoded)) != 0x2f) {
    const s = toLatin1(decoded);
    const colon = s.indexOf(":");
    if (colon >= 0 && s.substr(colon + 1, 2) == "//") {
      const path = s.indexOf("/", colon + 3);
      if (path >= 0) parsed = slice(decoded, path, decoded.byteLength);
    }
  }
  tx.setScalar(VariableId.REQUEST_URI, parsed);
  tx.setScalar(VariableId.REQUEST_URI_RAW, uri);
  tx.path = toLatin1(uri);
  if (qr >= 0 && qr + 1 < uri.byteLength) {
    const c = PROCS.collector;
    c.tx = tx;
    c.origin = ARGS_GET;
    c.argsLimit = eng.rs.settings.argumentsLimit;
    c.argsCount = tx.coll(VariableId.ARGS)!.size;
    PROCS.urlencoded.parse(changetype<usize>(uri) + <usize>(qr + 1), uri.byteLength - qr - 1, eng.rs.settings.argumentSeparator, c);
  }
}

/** addRequestHeader: REQUEST_HEADERS(_NAMES), cookies, AUTH_TYPE, body type from Content-Type, SERVER_NAME. */
export function addRequestHeader(eng: Engine, key: ArrayBuffer, value: ArrayBuffer): void {
  const tx = eng.tx;
  tx.coll(VariableId.REQUEST_HEADERS)!.add(key, value);
  if (eqStrNoCase(key, "authorization")) {
    const sp = indexOfByte(value, 0x20);
    tx.setScalar(VariableId.AUTH_TYPE, sp >= 0 ? slice(value, 0, sp) : value);
  } else if (eqStrNoCase(key, "cookie")) {
    const c = PROCS.collector;
    c.tx = tx;
    c.origin = COOKIES;
    c.argsLimit = -1;
    parseCookies(changetype<usize>(value), value.byteLength, c);
  } else if (eqStrNoCase(key, "content-type")) {
    tx.contentType = value;
    const l = toLatin1(value).toLowerCase();
    if (l.startsWith("multipart/form-data")) {
      tx.bodyType = BodyProcessor.MULTIPART;
      tx.setScalarStr(VariableId.REQBODY_PROCESSOR, "MULTIPART");
    }
    if (l.startsWith("application/x-www-form-urlencoded")) {
      tx.bodyType = BodyProcessor.URLENCODED;
      tx.setScalarStr(VariableId.REQBODY_PROCESSOR, "URLENCODED");
    }
  } else if (eqStrNoCase(key, "host")) {
    const c = indexOfByte(value, 0x3a);
    tx.setScalar(VariableId.SERVER_NAME, c >= 0 ? slice(value, 0, c) : value);
    tx.host = toLatin1(value);
  }
}

/** Connection facts: REMOTE_ADDR/PORT, SERVER_ADDR/PORT. */
export function setConnection(eng: Engine, clientIp: string, clientPort: i32, serverIp: string, serverPort: i32): void {
  const tx = eng.tx;
  tx.clientIp = clientIp;
  tx.clientPort = clientPort;
  tx.serverIp = serverIp;
  tx.serverPort = serverPort;
  const client = latin1(clientIp);
  tx.setScalar(VariableId.REMOTE_ADDR, client);
  tx.setScalar(VariableId.REMOTE_HOST, client);
  tx.setScalarStr(VariableId.REMOTE_PORT, clientPort.toString());
  tx.setScalarStr(VariableId.SERVER_ADDR, serverIp);
  tx.setScalarStr(VariableId.SERVER_PORT, serverPort.toString());
}

/**
 * processRequestBody (before phase 2): body limit (Reject: a 403 intervention when the engine is On; otherwise the
 * body is cut at the limit), REQUEST_BODY(_LENGTH), FULL_REQUEST(_LENGTH), the body processor. Returns true when
 * the limit rejected the request.
 */
export function processRequestBody(eng: Engine, body: ArrayBuffer): bool {
  const tx = eng.tx;
  const st = eng.rs.settings;
  if (tx.ruleEngine == RuleEngineMode.OFF) return false;
  if (tx.scalar(VariableId.INBOUND_DATA_ERROR) === null) tx.setScalarStr(VariableId.INBOUND_DATA_ERROR, "0");
  const limit = tx.requestBodyLimit;
  if (limit > 0 && <i64>body.byteLength > limit) {
    tx.setScalarStr(VariableId.INBOUND_DATA_ERROR, "1");
    if (!st.requestBodyLimitReject) body = body.slice(0, <i32>limit);
    else if (tx.ruleEngine == RuleEngineMode.ON) {
      tx.intervened = true;
      tx.decision.disruptive = true;
      tx.decision.status = 403;
      tx.decision.action = 1; // deny
      tx.decision.ruleId = 0;
      tx.decision.phase = 2;
      return true;
    } else body = body.slice(0, <i32>limit);
  }
  tx.requestBody = body;
  const c = PROCS.collector;
  c.tx = tx;
  c.argsLimit = st.argumentsLimit;
  c.argsCount = tx.coll(VariableId.ARGS)!.size;
  const bp = changetype<usize>(body), bl = body.byteLength;
  // REQUEST_BODY (the raw body) is left empty when the XML processor parsed the body: its content is inspected
  // through XML:/* and XML://@*, and rules that also read REQUEST_BODY would see element and attribute NAMES as text
  // (CRS 944100/944110/944120/944210 tests 11+ expect no match on <java.lang.Runtime ...>; the CRS lists
  // libmodsecurity v3's always-filled REQUEST_BODY as a v3 defect; the reference manual documents REQUEST_BODY for
  // URLENCODED bodies only). REQUEST_BODY_LENGTH is always set.
  // JSON keeps it, as v3 does: CRS 934210 reads `"key__lookup":` from the raw JSON. A body that fails to parse as XML
  // keeps it too, so malformed XML is never left uninspected; ctl:forceRequestBodyVariable always fills it.
  let rawBodyVisible = true;
  if (tx.bodyProcessor == BodyProcessor.XML) {
    if (!PROCS.xml.parse(bp, bl, c)) {
      // no document: XML:/* has nothing (ModSecurity's XPath runs on a NULL document)
      tx.coll(VariableId.XML)!.clear();
      if (tx.scalar(VariableId.REQBODY_ERROR) === null) setBodyError(tx, "XML parsing error: XML: Failed parsing document.");
    } else {
      rawBodyVisible = false;
      if (tx.scalar(VariableId.REQBODY_ERROR) === null) setBodyOk(tx);
    }
  } else if (tx.bodyProcessor == BodyProcessor.JSON) {
    c.origin = ARGS_JSON;
    PROCS.json.opts.depthLimit = st.jsonDepthLimit;
    const ok = PROCS.json.parse(bp, bl, c);
    if ((ok || bl == 0) && tx.scalar(VariableId.REQBODY_ERROR) === null) setBodyOk(tx);
    if (bl == 0) setBodyOk(tx);
  } else if (tx.bodyType == BodyProcessor.MULTIPART || tx.bodyProcessor == BodyProcessor.MULTIPART) {
    c.origin = ARGS_POST;
    const mp = new MultipartParser();
    const ct = tx.contentType;
    mp.parse(changetype<usize>(ct), ct.byteLength, bp, bl, c);
    if (tx.scalar(VariableId.REQBODY_ERROR) === null) setBodyOk(tx);
  } else if (tx.bodyType == BodyProcessor.URLENCODED || tx.bodyProcessor == BodyProcessor.URLENCODED) {
    c.origin = ARGS_POST;
    PROCS.urlencoded.parse(bp, bl, st.argumentSeparator, c);
  } else {
    setBodyOk(tx);
  }
  if (!tx.requestBodyAccess) return false;
  // FULL_REQUEST: headers "k: v\n", a blank line pair, the body (ModSecurity's layout)
  const o = new Out();
  const hs = tx.coll(VariableId.REQUEST_HEADERS)!.entries;
  for (let i = 0; i < hs.length; i++) {
    o.appendB(unchecked(hs[i]).key);
    o.str(": ");
    o.appendB(unchecked(hs[i]).value);
    o.byte(0x0a);
  }
  o.str("\n\n");
  o.appendB(body);
  tx.setScalar(VariableId.FULL_REQUEST, o.take());
  tx.setScalarStr(VariableId.FULL_REQUEST_LENGTH, o.len.toString());
  if (bl > 0) {
    if (rawBodyVisible || tx.forceRequestBodyVariable) tx.setScalar(VariableId.REQUEST_BODY, body);
    tx.setScalarStr(VariableId.REQUEST_BODY_LENGTH, bl.toString());
  }
  return false;
}

/** Whether the request body is processed at all (SecRequestBodyAccess / ctl:requestBodyAccess). */
export function requestBodyEnabled(eng: Engine): bool {
  return eng.tx.requestBodyAccess;
}

function setBodyOk(tx: Transaction): void {
  tx.setScalarStr(VariableId.REQBODY_ERROR, "0");
  tx.setScalarStr(VariableId.REQBODY_PROCESSOR_ERROR, "0");
}

function setBodyError(tx: Transaction, msg: string): void {
  tx.setScalarStr(VariableId.REQBODY_ERROR, "1");
  tx.setScalarStr(VariableId.REQBODY_PROCESSOR_ERROR, "1");
  tx.setScalarStr(VariableId.REQBODY_ERROR_MSG, msg);
  tx.setScalarStr(VariableId.REQBODY_PROCESSOR_ERROR_MSG, msg);
}

/** processResponseHeaders' variables. */
export function setResponseStatus(eng: Engine, status: i32, protocol: string): void {
  eng.tx.setScalarStr(VariableId.RESPONSE_STATUS, status.toString());
  eng.tx.setScalarStr(VariableId.RESPONSE_PROTOCOL, protocol);
}

export function addResponseHeader(eng: Engine, key: ArrayBuffer, value: ArrayBuffer): void {
  const tx = eng.tx;
  tx.coll(VariableId.RESPONSE_HEADERS)!.add(key, value);
  if (eqStrNoCase(key, "content-type")) {
    const sc = indexOfByte(value, 0x3b);
    const ct = sc >= 0 ? slice(value, 0, sc) : value;
    tx.setScalar(VariableId.RESPONSE_CONTENT_TYPE, ct);
    tx.responseContentType = toLatin1(ct);
  }
}

/** Whether the response body of this transaction is inspected (SecResponseBodyAccess and the MIME list). */
export function responseBodyInspected(eng: Engine): bool {
  const tx = eng.tx;
  if (tx.ruleEngine == RuleEngineMode.OFF || !tx.responseBodyAccess) return false;
  const st = eng.rs.settings;
  if (!st.mimeTypesSet) return true;
  return st.mimeTypes.includes(tx.responseContentType);
}

/** processResponseBody's variables (call only when responseBodyInspected). Returns true on a limit rejection. */
export function processResponseBody(eng: Engine, body: ArrayBuffer): bool {
  const tx = eng.tx;
  const st = eng.rs.settings;
  if (tx.scalar(VariableId.OUTBOUND_DATA_ERROR) === null) tx.setScalarStr(VariableId.OUTBOUND_DATA_ERROR, "0");
  const limit = tx.responseBodyLimit;
  if (limit > 0 && <i64>body.byteLength > limit) {
    tx.setScalarStr(VariableId.OUTBOUND_DATA_ERROR, "1");
    if (st.responseBodyLimitReject && tx.ruleEngine == RuleEngineMode.ON) {
      tx.intervened = true;
      tx.decision.disruptive = true;
      tx.decision.status = 403;
      tx.decision.action = 1;
      tx.decision.ruleId = 0;
      tx.decision.phase = 4;
      return true;
    }
    body = body.slice(0, <i32>limit);
  }
  tx.setScalar(VariableId.RESPONSE_BODY, body);
  tx.setScalarStr(VariableId.RESPONSE_CONTENT_LENGTH, body.byteLength.toString());
  return false;
}

