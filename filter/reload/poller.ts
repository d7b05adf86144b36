// Polling mode: fetches the compiled rule set from the controller and swaps it in between transactions.
//
//  - One GET <ruleset.path> to the controller cluster at a time, from the root context: at configure time, then on
//    the tick (every poll_interval_ms; every RETRY_MS at most while no table is in force yet, so a VM that starts
//    before the controller answers is not closed longer than needed).
//  - `If-None-Match` carries the ETags of the table in force and of the last refused one: the controller answers
//    304 and nothing is downloaded or decoded while neither changes. A 200 whose `x-content-sha256` is one of them
//    is not decoded again either.
//  - A new table goes through filter/reload/load.ts (CRC-32, directory, payloads, program, regexes); only a table
//    that passed every check replaces `current`. Anything else (connection failure, timeout, non-200, corrupt or
//    refused table) keeps the last good rule set, counts waf.ruleset.reload_failure and logs the reason once
//    (again only when the reason changes; a recovery is logged too). Nothing here traps.
import { log, LogLevelValues } from "@solo-io/proxy-runtime/assembly/index";
import * as imports from "@solo-io/proxy-runtime/assembly/imports";
import { BufferType, getBufferBytes } from "../abi/buffers";
import { dispatchGet, responseHeader } from "../abi/http_call";
import { Metric, MetricKind } from "../abi/metrics";
import { PollingConfig } from "../config/plugin_config";
import { ActiveRuleSet } from "./active";
import { loadRuleSet } from "./load";

/** Retry period while no table is in force. */
const RETRY_MS: u32 = 1000;

export class RuleSetPoller {
  /** The rule set in force; null until the first good table arrived. */
  current: ActiveRuleSet | null = null;

  private etag: string = "";
  /** ETag / sha256 of the last table refused (so the same bad table is neither downloaded nor decoded again). */
  private rejectedEtag: string = "";
  private rejectedSha: string = "";
  private inflight: bool = false;
  private token: u32 = 0;
  private sentAtMs: i64 = 0;
  private lastPollMs: i64 = 0;
  private tickMs: u32 = 0;
  /** The failure reason last logged; "" while healthy. */
  private failure: string = "";
  private generation: u32 = 0;

  private readonly mSuccess: Metric = new Metric(MetricKind.COUNTER, "waf.ruleset.reload_success");
  private readonly mFailure: Metric = new Metric(MetricKind.COUNTER, "waf.ruleset.reload_failure");
  private readonly mGeneration: Metric = new Metric(MetricKind.GAUGE, "waf.ruleset.generation");
  private readonly mShaPrefix: Metric = new Metric(MetricKind.GAUGE, "waf.ruleset.sha256_prefix");
  private readonly mRules: Metric = new Metric(MetricKind.GAUGE, "waf.ruleset.rules");

  constructor(readonly cfg: PollingConfig) {}

  private source(): string {
    return "controller " + this.cfg.cluster + this.cfg.ruleset.path;
  }

  /** Called from onConfigure: first fetch now, then on ticks. */
  start(nowMs: i64): void {
    this.poll(nowMs);
    this.syncTick();
  }

  onTick(nowMs: i64): void {
    // A response never delivered (it always is, with Envoy's timeout, but a call must not block polling forever).
    if (this.inflight && nowMs - this.sentAtMs > <i64>this.cfg.timeoutMs + <i64>this.cfg.ruleset.pollIntervalMs) this.inflight = false;
    if (!this.inflight && nowMs - this.lastPollMs >= <i64>this.period() - 1) this.poll(nowMs);
    this.syncTick();
  }

  private period(): u32 {
    const p = this.cfg.ruleset.pollIntervalMs;
    return this.current === null && p > RETRY_MS ? RETRY_MS : p;
  }

  private syncTick(): void {
    const p = this.period();
    if (p == this.tickMs) return;
    this.tickMs = p;
    imports.proxy_set_tick_period_milliseconds(p);
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
    const d = dispatchGet(this.cfg.cluster, this.cfg.ruleset.path, this.cfg.authority, names, values, this.cfg.timeoutMs);
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
    const shaH = responseHeader("x-content-sha256");
    const sha = shaH !== null ? shaH : unquote(etag);
    if (status == "304") {
      this.unchanged(etag);
      return true;
    }
    if (status != "200") {
      this.fail("HTTP " + (status === null ? "?" : status!) + " from " + this.source());
      return true;
    }
    const cur = this.current;
    if (cur !== null && sha.length > 0 && sha == cur.sha256) {
      this.etag = etag;
      this.unchanged(etag);
      return true;
    }
    if (sha.length > 0 && sha == this.rejectedSha) {
      this.unchanged(etag);
      return true;
    }
    if (bodySize == 0) {
      this.reject(etag, sha, "the controller sent an empty body");
      return true;
    }
    const body = getBufferBytes(BufferType.HttpCallResponseBody, 0, bodySize);
    if (body === null || <u32>body.byteLength != bodySize) {
      this.fail("could not read the response body");
      return true;
    }
    const r = loadRuleSet(body);
    if (r.error.length > 0) {
      this.reject(etag, sha, r.error);
      return true;
    }
    const previous = cur === null ? "none" : short(cur.sha256);
    this.generation++;
    this.current = new ActiveRuleSet(r.engine, sha, this.generation);
    this.etag = etag;
    this.rejectedEtag = "";
    this.rejectedSha = "";
    this.failure = "";
    this.mSuccess.add(1);
    this.mGeneration.set(this.generation);
    this.mShaPrefix.set(shaPrefix(sha));
    this.mRules.set(<u64>r.ruleCount);
    log(LogLevelValues.info, "workload-waf: rule set " + short(sha) + " in force (generation " + this.generation.toString() +
      ", " + r.ruleCount.toString() + " rules, table source " + short(r.sourceSha256) + ", table SecRuleEngine " +
      r.ruleEngineName() + ", mode " + this.cfg.modeName + "); previous " + previous);
    this.syncTick();
    return true;
  }

  /** 304 or a table already known: in force, or the refused one still served. */
  private unchanged(etag: string): void {
    if (etag.length > 0 && etag == this.rejectedEtag) return; // still failing for the reason already logged
    if (this.current === null) return;
    if (this.failure.length > 0) {
      log(LogLevelValues.info, "workload-waf: " + this.source() + " answers again; rule set " + short(this.current!.sha256) + " stays in force");
      this.failure = "";
    }
  }

  private reject(etag: string, sha: string, why: string): void {
    this.rejectedEtag = etag;
    this.rejectedSha = sha;
    this.fail("table " + (sha.length > 0 ? short(sha) + " " : "") + "refused: " + why);
  }

  private fail(why: string): void {
    this.mFailure.add(1);
    if (why == this.failure) return;
    this.failure = why;
    const cur = this.current;
    const kept = cur === null
      ? "no rule set in force yet: " + (this.cfg.failOpen ? "traffic passes uninspected (fail_open)" : "requests get 503 (fail closed)")
      : "rule set " + short(cur.sha256) + " stays in force";
    log(LogLevelValues.error, "workload-waf: rule set update from " + this.source() + " failed: " + why + "; " + kept);
  }
}

function unquote(etag: string): string {
  let s = etag;
  if (s.startsWith("W/")) s = s.substring(2);
  if (s.length >= 2 && s.startsWith("\"") && s.endsWith("\"")) s = s.substring(1, s.length - 1);
  return s;
}

function short(sha: string): string {
  return sha.length > 12 ? sha.substring(0, 12) : sha.length == 0 ? "(no sha256)" : sha;
}

/** The first 8 hex digits of the sha256 as a number (a gauge can only hold a number); 0 when not hex. */
function shaPrefix(sha: string): u64 {
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
