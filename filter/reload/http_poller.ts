// What every document the filter polls from the controller has in common (the rule table, the per-destination
// settings): subclasses say how a body is checked and put in force; this class does the HTTP side.
//
//  - One GET <path> to the controller cluster at a time, from the root context: at configure time, then on the
//    root's tick every poll_interval_ms (every RETRY_MS at most while nothing is in force yet, so a VM that starts
//    before the controller answers is not held back longer than needed).
//  - `If-None-Match` carries the ETags of the document in force and of the last refused one: the controller answers
//    304 and nothing is downloaded or decoded while neither changes. A 200 whose content id (`x-content-sha256`,
//    else the ETag) is one of them is not decoded again either.
//  - Only a body the subclass accepted replaces what is in force. Anything else (connection failure, timeout,
//    non-200, a body over the size bound, a body refused) keeps the last good document, counts
//    <prefix>.reload_failure and logs the reason once (again only when the reason changes; a recovery is logged
//    too). Nothing here traps.
import { log, LogLevelValues } from "@solo-io/proxy-runtime/assembly/index";
import { BufferType, getBufferBytes } from "../abi/buffers";
import { dispatchGet, responseHeader } from "../abi/http_call";
import { Metric, MetricKind } from "../abi/metrics";
import { PollingConfig, PollTarget } from "../config/plugin_config";

/** Poll period while nothing is in force. */
export const RETRY_MS: u32 = 1000;

export class HttpPoller {
  /** ETag of the document in force ("" before the first). */
  protected etag: string = "";
  /** ETag / content id of the last body refused (so the same bad document is neither downloaded nor decoded again). */
  private rejectedEtag: string = "";
  private rejectedId: string = "";
  private inflight: bool = false;
  private token: u32 = 0;
  private sentAtMs: i64 = 0;
  private lastPollMs: i64 = 0;
  /** The failure reason last logged; "" while healthy. */
  private failure: string = "";

  protected readonly mSuccess: Metric;
  protected readonly mFailure: Metric;

  constructor(
    readonly cfg: PollingConfig,
    readonly target: PollTarget,
    /** What is polled, for the log: "rule set", "settings". */
    readonly what: string,
    /** Metric prefix: "waf.ruleset", "waf.settings". */
    readonly metricPrefix: string,
    /** Bodies larger than this are refused unread. */
    readonly maxBodyBytes: u32,
  ) {
    this.mSuccess = new Metric(MetricKind.COUNTER, metricPrefix + ".reload_success");
    this.mFailure = new Metric(MetricKind.COUNTER, metricPrefix + ".reload_failure");
  }

  // ---- what a subclass provides -----------------------------------------------------------------------------------

  /** True once a document is in force. */
  inForce(): bool {
    return false;
  }
  /** The content id (sha256 hex) of the document in force, "" when none. */
  currentId(): string {
    return "";
  }
  /** Checks `body` and puts it in force: "" when done, else why it was refused (what is in force stays). */
  install(_body: ArrayBuffer, _id: string): string {
    return "not implemented";
  }
  /** What happens meanwhile, for the failure log line. */
  kept(): string {
    return "";
  }

  // ---- the HTTP side ------------------------------------------------------------------------------------------------

  source(): string {
    return "controller " + this.cfg.cluster + this.target.path;
  }

  /** Called from onConfigure: the first fetch now, later ones from onTick. */
  start(nowMs: i64): void {
    this.poll(nowMs);
  }

  /** The root's tick (its period is the smallest one the pollers ask for, see tickPeriod). */
  onTick(nowMs: i64): void {
    // A response never delivered (it always is, with Envoy's timeout, but a call must not block polling forever).
    if (this.inflight && nowMs - this.sentAtMs > <i64>this.cfg.timeoutMs + <i64>this.target.pollIntervalMs) this.inflight = false;
    if (!this.inflight && nowMs - this.lastPollMs >= <i64>this.period() - 1) this.poll(nowMs);
  }

  /** The interval between polls now. */
  period(): u32 {
    const p = this.target.pollIntervalMs;
    return !this.inForce() && p > RETRY_MS ? RETRY_MS : p;
  }

  private poll(nowMs: i64): void {
    this.lastPollMs = nowMs;
    const names = new Array<string>(), values = new Array<string>();
    let known = "";
    if (this.etag.length > 0) known = this.etag;
    if (this.rejectedEtag.length > 0) known = known.length > 0 ? known + ", " + this.rejectedEtag : this.rejectedEtag;
    if (known.length > 0) {
      names.push("if-none-match");
      values.push(known);
    }
    const d = dispatchGet(this.cfg.cluster, this.target.path, this.cfg.authority, names, values, this.cfg.timeoutMs);
    if (d.result != 0) {
      this.fail("the http call could not be dispatched (proxy_http_call result " + d.result.toString() +
        (d.result == 2 ? ": is cluster \"" + this.cfg.cluster + "\" defined?" : "") + ")");
      return;
    }
    this.inflight = true;
    this.token = d.token;
    this.sentAtMs = nowMs;
  }

  /** proxy_on_http_call_response. Returns false when the token is not this poller's. */
  onResponse(token: u32, headers: u32, bodySize: u32): bool {
    if (!this.inflight || token != this.token) return false;
    this.inflight = false;
    if (headers == 0) {
      this.fail("no response (the connection to the controller failed or was reset)");
      return true;
    }
    const status = responseHeader(":status");
    const etagH = responseHeader("etag");
    const etag = etagH === null ? "" : etagH;
    const idH = responseHeader("x-content-sha256");
    const id = idH !== null ? idH : unquote(etag);
    if (status == "304") {
      this.unchanged(etag);
      return true;
    }
    if (status != "200") {
      this.fail("HTTP " + (status === null ? "?" : status) + " from " + this.source());
      return true;
    }
    if (this.inForce() && id.length > 0 && id == this.currentId()) {
      this.etag = etag;
      this.unchanged(etag);
      return true;
    }
    if (id.length > 0 && id == this.rejectedId) {
      this.unchanged(etag);
      return true;
    }
    if (bodySize == 0) {
      this.reject(etag, id, "the controller sent an empty body");
      return true;
    }
    if (bodySize > this.maxBodyBytes) {
      this.reject(etag, id, "the body has " + bodySize.toString() + " bytes, more than the " + this.maxBodyBytes.toString() + " accepted");
      return true;
    }
    const body = getBufferBytes(BufferType.HttpCallResponseBody, 0, bodySize);
    if (body === null || <u32>body.byteLength != bodySize) {
      this.fail("could not read the response body");
      return true;
    }
    const why = this.install(body, id);
    if (why.length > 0) {
      this.reject(etag, id, why);
      return true;
    }
    this.etag = etag;
    this.rejectedEtag = "";
    this.rejectedId = "";
    this.failure = "";
    this.mSuccess.add(1);
    return true;
  }

  /** 304 or a document already known: in force, or the refused one still served. */
  private unchanged(etag: string): void {
    if (etag.length > 0 && etag == this.rejectedEtag) return; // still failing for the reason already logged
    if (!this.inForce()) return;
    if (this.failure.length > 0) {
      log(LogLevelValues.info, "workload-waf: " + this.source() + " answers again; " + this.what + " " + short(this.currentId()) + " stays in force");
      this.failure = "";
    }
  }

  private reject(etag: string, id: string, why: string): void {
    this.rejectedEtag = etag;
    this.rejectedId = id;
    this.fail(this.refusedWhat() + " " + (id.length > 0 ? short(id) + " " : "") + "refused: " + why);
  }

  /** How a refused body is named in the log ("table", "settings"). */
  refusedWhat(): string {
    return this.what;
  }

  private fail(why: string): void {
    this.mFailure.add(1);
    if (why == this.failure) return;
    this.failure = why;
    log(LogLevelValues.error, "workload-waf: " + this.what + " update from " + this.source() + " failed: " + why + "; " + this.kept());
  }
}

export function unquote(etag: string): string {
  let s = etag;
  if (s.startsWith("W/")) s = s.substring(2);
  if (s.length >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length - 1);
  return s;
}

export function short(sha: string): string {
  return sha.length > 12 ? sha.substring(0, 12) : sha.length == 0 ? "(no sha256)" : sha;
}

/** The first 8 hex digits of the sha256 as a number (a gauge can only hold a number); 0 when not hex. */
export function shaPrefix(sha: string): u64 {
  if (sha.length < 8) return 0;
  let v: u64 = 0;
  for (let i = 0; i < 8; i++) {
    const c = sha.charCodeAt(i);
    let d: i32 = -1;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x61 + 10;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x41 + 10;
    if (d < 0) return 0;
    v = (v << 4) | <u64>d;
  }
  return v;
}
