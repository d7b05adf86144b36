// The workload-waf proxy-wasm module. Envoy loads this file's exports: the proxy-wasm ABI entry points
// (filter/abi/exports.ts: the SDK's, @solo-io/proxy-runtime, with our own context table), and the filter registers
// its root context factory under the root id "waf" (the plugin's `root_id` in Envoy's configuration must say the same).
//
// Contract (what `waf check` and the deployment rely on):
//  - plugin configuration (filter/config/plugin_config.ts), one of:
//    - one WAFT table: static rules; empty = no rules (warning, everything passes); a table that does not load =
//      the loader's error at `error` level and onConfigure returns false (Envoy rejects the config);
//    - a JSON object: polling mode — the rule set comes from the controller and is swapped in without a restart
//      (filter/reload); a stream keeps the rule set it started with. Invalid JSON, unknown or missing members =
//      the reason at `error` level and onConfigure returns false. Until the first good table arrives: fail_open
//      false (default) = 503 local reply (details waf_no_ruleset), true = pass uninspected (waf.ruleset.uninspected);
//    - with `settings`, the per-destination settings document comes from the controller too (filter/settings).
//      Each transaction looks up Envoy's `destination.address` (the original destination on the transparent
//      listeners: "ip:port", then "*:<port>" for node ports) and runs with that destination's mode, paranoia level
//      and rule exclusions (filter/settings/apply.ts). A destination the document does not list — and every one
//      while it says the WAF is disabled cluster-wide — is not a protected service: its requests pass uninspected,
//      counted (waf.settings.uninspected); Felix steers only enabled services here, so that is traffic the
//      controller has just stopped protecting or not listed yet. Until the first document arrives the failure
//      policy applies as for the rule set (details waf_no_settings). Without `settings` every transaction runs in
//      the configured mode with the rule set's own paranoia level;
//  - phase 1 in onRequestHeaders (the request headers are copied there), phase 2 at the end of the request body
//    (StopIterationAndBuffer until then; in the headers callback when there is no body), phase 3 in
//    onResponseHeaders, phase 4 at the end of the response body (buffered while SecResponseBodyAccess applies to
//    the content type and phase-4 rules exist), phase 5 in onLog;
//  - SecRuleEngine On: deny -> local reply with the status, redirect -> 302 (or the rule's 3xx) with Location,
//    drop -> proxy_close_stream; DetectionOnly logs and passes;
//  - a transaction with at least one logged match emits exactly one `warn` log whose message is the JSON event
//    (filter/events), plus one `info` line per logged rule in the seed's human form; metrics per rule id and per
//    action (detection-only hits included).
export * from "./abi/exports";
import { registerRoot } from "./abi/contexts";
import { inspected, valuesInspected } from "./gc";
import {
  RootContext, Context, FilterHeadersStatusValues, FilterDataStatusValues, FilterTrailersStatusValues,
  log, LogLevelValues,
} from "@solo-io/proxy-runtime/assembly/index";
import * as imports from "@solo-io/proxy-runtime/assembly/imports";
import { BufferType, getBufferBytes } from "./abi/buffers";
import { HeaderMapPairs, HeaderMapType } from "./abi/header_map";
import { PropertyPath, propertyInt, propertyString } from "./abi/properties";
import { hostOfAddress, portOfAddress } from "./abi/address";
import { logBytes, logEnabled } from "./abi/log";
import { Engine } from "./engine/engine";
import { serializePairs } from "./abi/pairs";
import { Metric, MetricKind } from "./abi/metrics";
import { ConfigForm, configForm, parsePollingConfig } from "./config/plugin_config";
import { ActiveRuleSet } from "./reload/active";
import { loadRuleSet } from "./reload/load";
import { RuleSetPoller } from "./reload/poller";
import { RETRY_MS } from "./reload/http_poller";
import { SettingsPoller } from "./settings/poller";
import { applyDestination } from "./settings/apply";
import { DestinationSettings } from "./settings/document";
import { Transaction } from "./engine/transaction";
import { VariableId } from "../rulesets/tables/variables";
import {
  addRequestHeader, addResponseHeader, processRequestBody, processResponseBody, processUri, responseBodyInspected,
  setConnection, setResponseStatus,
} from "./engine/body";
import { bytesToLatin1, latin1 } from "./engine/bytes";
import { actionMetricName, buildEvent, humanLine, loggedRules, ruleMetricName, actionName } from "./events/event";
import { Disruptive, RuleEngineMode } from "../rulesets/tables/format";

const OUT_PTR: usize = memory.data(16, 8);


const DESTINATION_ADDRESS = new PropertyPath("destination.address");
const DESTINATION_PORT = new PropertyPath("destination.port");
const SOURCE_ADDRESS = new PropertyPath("source.address");
const SOURCE_PORT = new PropertyPath("source.port");
const REQUEST_PROTOCOL = new PropertyPath("request.protocol");

const H_METHOD = latin1(":method");
const H_PATH = latin1(":path");
const H_AUTHORITY = latin1(":authority");
const H_REQUEST_ID = latin1("x-request-id");
const H_HOST = latin1("host");
const H_STATUS = latin1(":status");

/** The header map of the callback in progress (callbacks do not nest: one reader serves them all). */
const headerPairs = new HeaderMapPairs();

/** The port in `addr` ("ip:port"), or the `path` property when the address does not say it. */
function portOf(addr: string, path: PropertyPath): i32 {
  const p = portOfAddress(addr);
  return p >= 0 ? p : propertyInt(path);
}

function nowMs(): i64 {
  const p = OUT_PTR + 8;
  if (imports.proxy_get_current_time_nanoseconds(p) != 0) return 0;
  return <i64>(load<u64>(p) / 1000000);
}

class WafRoot extends RootContext {
  /** Static configuration (a table or nothing): the rule set, fixed for the VM's life. */
  staticRules: ActiveRuleSet | null = null;
  /** Polling mode: where the rule set in force comes from. */
  poller: RuleSetPoller | null = null;
  /** Polling mode: the SecRuleEngine every transaction runs with (the configured mode); -1 = the table's. */
  ruleEngineOverride: i32 = -1;
  failOpen: bool = false;
  /** Polling mode with settings: the per-destination settings in force. */
  settings: SettingsPoller | null = null;
  readonly uninspected: Metric = new Metric(MetricKind.COUNTER, "waf.ruleset.uninspected");
  /** Requests to destinations the settings do not protect (passed uninspected). */
  readonly unprotected: Metric = new Metric(MetricKind.COUNTER, "waf.settings.uninspected");
  readonly refused: Metric = new Metric(MetricKind.COUNTER, "waf.ruleset.refused");
  ruleMetrics: Map<u32, u32> = new Map<u32, u32>();
  actionMetrics: Map<string, u32> = new Map<string, u32>();
  streams: u32 = 0;
  /** Envoy runs the plugin with allow_on_headers_stop_iteration: true (the VM configuration says so), so response
   *  headers can be held while the body is inspected and a phase-4 deny is a clean local reply. Without it a
   *  StopIteration from the headers callback would become StopAllIterationAndWatermark and the body would never
   *  reach the filter: the headers are then let through, and a phase-4 deny resets the stream instead (no body
   *  byte leaves, the body chunks are buffered). */
  holdResponseHeaders: bool = false;

  onStart(vm_configuration_size: usize): bool {
    if (vm_configuration_size == 0) return true;
    const b = getBufferBytes(BufferType.VmConfiguration, 0, <u32>vm_configuration_size);
    if (b !== null && String.UTF8.decode(b).includes("allow_on_headers_stop_iteration")) {
      this.holdResponseHeaders = true;
      log(LogLevelValues.info, "workload-waf: response headers are held while a response body is inspected");
    }
    return true;
  }

  createContext(context_id: u32): Context {
    return new WafStream(context_id, this);
  }

  // Overrides the SDK's onConfigure, which reads the configuration through a wrong pointer (see abi/buffers.ts).
  onConfigure(configuration_size: u32): bool {
    const bytes = getBufferBytes(BufferType.PluginConfiguration, 0, configuration_size);
    if (bytes === null) {
      log(LogLevelValues.error, "workload-waf: could not read the plugin configuration");
      return false;
    }
    const form = configForm(bytes);
    if (form == ConfigForm.POLLING) return this.configurePolling(bytes);
    this.poller = null;
    this.settings = null;
    this.ruleEngineOverride = -1;
    if (form == ConfigForm.EMPTY) {
      this.staticRules = new ActiveRuleSet(null, "", 1);
      log(LogLevelValues.warn, "workload-waf: empty plugin configuration: no rules, traffic passes uninspected");
      return true;
    }
    const r = loadRuleSet(bytes);
    if (r.error.length > 0) {
      log(LogLevelValues.error, "workload-waf: " + r.error);
      return false;
    }
    this.staticRules = new ActiveRuleSet(r.engine, "", 1);
    if (r.engine === null) {
      log(LogLevelValues.warn, "workload-waf: the table has no rule program: no rules, traffic passes uninspected");
      return true;
    }
    log(LogLevelValues.info, "workload-waf: " + r.ruleCount.toString() + " rules loaded (table " + r.sourceSha256 +
      "), SecRuleEngine " + r.ruleEngineName());
    return true;
  }

  private configurePolling(bytes: ArrayBuffer): bool {
    const c = parsePollingConfig(bytes);
    if (c.config === null) {
      log(LogLevelValues.error, "workload-waf: plugin configuration refused: " + c.error);
      return false;
    }
    const cfg = c.config!;
    this.staticRules = null;
    this.ruleEngineOverride = cfg.ruleEngine;
    this.failOpen = cfg.failOpen;
    const poller = new RuleSetPoller(cfg);
    this.poller = poller;
    log(LogLevelValues.info, "workload-waf: polling mode: rule set from cluster " + cfg.cluster + " " + cfg.ruleset.path +
      " every " + cfg.ruleset.pollIntervalMs.toString() + " ms, mode " + cfg.modeName + ", " +
      (cfg.failOpen ? "fail open" : "fail closed") + " until the first rule set arrives");
    // One tick drives every poller: each polls when its own interval has passed (so on the first tick after it).
    let tick = cfg.ruleset.pollIntervalMs;
    let settings: SettingsPoller | null = null;
    if (cfg.settings !== null) {
      const st = cfg.settings!;
      settings = new SettingsPoller(cfg);
      if (st.pollIntervalMs < tick) tick = st.pollIntervalMs;
      log(LogLevelValues.info, "workload-waf: per-destination settings from cluster " + cfg.cluster + " " + st.path + " every " +
        st.pollIntervalMs.toString() + " ms; destinations they do not list pass uninspected");
    } else {
      log(LogLevelValues.info, "workload-waf: no per-destination settings configured: every destination runs in mode " + cfg.modeName +
        " with the rule set's own paranoia level");
    }
    this.settings = settings;
    imports.proxy_set_tick_period_milliseconds(tick < RETRY_MS ? tick : RETRY_MS);
    const now = nowMs();
    poller.start(now);
    if (settings !== null) settings.start(now);
    return true;
  }

  /** The rule set a stream starting now runs under; null in polling mode before the first table. */
  activeRuleSet(): ActiveRuleSet | null {
    const p = this.poller;
    return p !== null ? p.current : this.staticRules;
  }

  onTick(): void {
    const now = nowMs();
    const p = this.poller;
    if (p !== null) p.onTick(now);
    const s = this.settings;
    if (s !== null) s.onTick(now);
  }

  onHttpCallResponse(token: u32, headers: u32, body_size: u32, _trailers: u32): void {
    const p = this.poller;
    if (p !== null && p.onResponse(token, headers, body_size)) return;
    const s = this.settings;
    if (s !== null && s.onResponse(token, headers, body_size)) return;
    log(LogLevelValues.debug, "workload-waf: response to an unknown http call " + token.toString() + " ignored");
  }

  count(metrics: Map<string, u32>, name: string): void {
    let id: u32 = 0;
    if (metrics.has(name)) id = metrics.get(name);
    else {
      const n = String.UTF8.encode(name);
      if (imports.proxy_define_metric(0, changetype<usize>(n), n.byteLength, OUT_PTR) != 0) return;
      id = load<u32>(OUT_PTR);
      metrics.set(name, id);
    }
    imports.proxy_increment_metric(id, 1);
  }

  countRule(ruleId: u32): void {
    let id: u32 = 0;
    if (this.ruleMetrics.has(ruleId)) id = this.ruleMetrics.get(ruleId);
    else {
      const n = String.UTF8.encode(ruleMetricName(ruleId));
      if (imports.proxy_define_metric(0, changetype<usize>(n), n.byteLength, OUT_PTR) != 0) return;
      id = load<u32>(OUT_PTR);
      this.ruleMetrics.set(ruleId, id);
    }
    imports.proxy_increment_metric(id, 1);
  }
}

class WafStream extends Context {
  waf: WafRoot;
  /** The engine of the rule set in force when the request headers arrived, kept for the whole transaction. */
  eng: Engine | null = null;
  tx: Transaction | null = null;
  requestId: string = "";
  /** request.protocol, read once in onRequestHeaders (it cannot change during a stream) for phases 1 and 3. */
  private protocol: string = "HTTP/1.1";
  /** The filter replied locally or closed the stream: everything after passes untouched. */
  replied: bool = false;
  phase2Done: bool = false;
  phase4Done: bool = false;
  inspectResponseBody: bool = false;
  responseSeen: bool = false;
  /** Bytes of body the host holds for us (the last body callback's buffer length), for the trailers callbacks. */
  requestBuffered: u32 = 0;
  responseBuffered: u32 = 0;

  constructor(context_id: u32, root: WafRoot) {
    super(context_id, root);
    this.waf = root;
  }

  private engine(): Engine | null {
    const e = this.eng;
    const tx = this.tx;
    if (e === null || tx === null) return null;
    e.tx = tx;
    e.nowMs = nowMs();
    return e;
  }

  /** Polling mode before the first rule set or settings document (`why` says which): the failure policy. */
  private notReady(why: string): FilterHeadersStatusValues {
    if (this.waf.failOpen) {
      this.waf.uninspected.add(1);
      return FilterHeadersStatusValues.Continue;
    }
    this.waf.refused.add(1);
    this.replied = true;
    const details = String.UTF8.encode(why);
    const headers = serializePairs([], []);
    imports.proxy_send_local_response(503, changetype<usize>(details), details.byteLength, 0, 0,
      changetype<usize>(headers), headers.byteLength, -1);
    return FilterHeadersStatusValues.StopIteration;
  }

  /** Carries out the transaction's decision (SecRuleEngine On only sets one). */
  private disrupt(): void {
    const tx = this.tx!;
    const d = tx.decision;
    if (!d.disruptive || this.replied) return;
    this.replied = true;
    if (d.action == Disruptive.DROP) {
      imports.proxy_close_stream(0);
      imports.proxy_close_stream(1);
      return;
    }
    const details = String.UTF8.encode("waf_" + actionName(tx) + "_" + d.ruleId.toString());
    const headers = d.action == Disruptive.REDIRECT ? serializePairs(["location"], [d.redirect]) : serializePairs([], []);
    const status = d.status > 0 ? d.status : 403;
    imports.proxy_send_local_response(<u32>status, changetype<usize>(details), details.byteLength, 0, 0,
      changetype<usize>(headers), headers.byteLength, -1);
  }

  onRequestHeaders(_headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const active = this.waf.activeRuleSet();
    if (active === null) return this.notReady("waf_no_ruleset");
    const eng = active.engine;
    if (eng === null) return FilterHeadersStatusValues.Continue;
    const dst = propertyString(DESTINATION_ADDRESS);
    let dest: DestinationSettings | null = null;
    const sp = this.waf.settings;
    if (sp !== null) {
      const doc = sp.current;
      if (doc === null) return this.notReady("waf_no_settings");
      dest = doc.lookup(dst);
      if (dest === null) {
        this.waf.unprotected.add(1);
        return FilterHeadersStatusValues.Continue;
      }
    }
    this.eng = eng;
    const hs = headerPairs;
    hs.read(HeaderMapType.RequestHeaders);
    inspected(hs.byteLength);
    // the last of each wins, as each later pair overwrote the earlier one
    let method = -1, path = -1, authority = -1, requestIdAt = -1;
    let hasHost = false;
    for (let i = 0; i < hs.count; i++) {
      if (hs.keyIs(i, H_METHOD)) method = i;
      else if (hs.keyIs(i, H_PATH)) path = i;
      else if (hs.keyIs(i, H_AUTHORITY)) authority = i;
      else if (hs.keyIs(i, H_REQUEST_ID)) requestIdAt = i;
      else if (hs.keyIs(i, H_HOST)) hasHost = true;
    }
    let requestId = requestIdAt >= 0 ? bytesToLatin1(hs.valuePtr(requestIdAt), hs.valueLen(requestIdAt)) : "";
    this.waf.streams++;
    const now = nowMs();
    if (requestId.length == 0) requestId = now.toString(16) + "-" + this.context_id.toString(16) + "-" + this.waf.streams.toString(16);
    this.requestId = requestId;
    const tx = eng.begin(requestId, now);
    if (dest !== null) applyDestination(tx, dest);
    else if (this.waf.ruleEngineOverride >= 0) tx.ruleEngine = this.waf.ruleEngineOverride;
    this.tx = tx;
    const src = propertyString(SOURCE_ADDRESS);
    setConnection(eng, hostOfAddress(src), portOf(src, SOURCE_PORT), hostOfAddress(dst), portOf(dst, DESTINATION_PORT));
    let proto = propertyString(REQUEST_PROTOCOL);
    if (proto.length == 0) proto = "HTTP/1.1";
    this.protocol = proto;
    processUri(eng, method >= 0 ? hs.value(method) : latin1("GET"), path >= 0 ? hs.value(path) : latin1("/"), latin1(proto));
    if (!hasHost && authority >= 0) addRequestHeader(eng, latin1("Host"), hs.value(authority));
    for (let i = 0; i < hs.count; i++) {
      if (hs.isPseudo(i)) continue;
      addRequestHeader(eng, hs.key(i), hs.value(i));
    }
    eng.phase(1);
    if (tx.intervened) {
      this.disrupt();
      return FilterHeadersStatusValues.StopIteration;
    }
    if (end_of_stream) {
      this.phase2(new ArrayBuffer(0));
      if (this.replied) return FilterHeadersStatusValues.StopIteration;
    }
    return FilterHeadersStatusValues.Continue;
  }

  private phase2(body: ArrayBuffer): void {
    const eng = this.engine();
    if (eng === null || this.phase2Done) return;
    this.phase2Done = true;
    const tx = this.tx!;
    if (tx.ruleEngine == RuleEngineMode.OFF) return;
    if (tx.requestBodyAccess) {
      processRequestBody(eng, body);
      inspected(body.byteLength);
    }
    valuesInspected(tx.coll(VariableId.ARGS)!.size + tx.coll(VariableId.REQUEST_HEADERS)!.size + tx.coll(VariableId.REQUEST_COOKIES)!.size);
    if (!tx.intervened) eng.phase(2);
    if (tx.intervened) this.disrupt();
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatusValues {
    if (this.tx === null || this.replied || this.phase2Done) return FilterDataStatusValues.Continue;
    this.requestBuffered = <u32>body_buffer_length;
    if (!end_of_stream) return FilterDataStatusValues.StopIterationAndBuffer;
    let body = getBufferBytes(BufferType.HttpRequestBody, 0, <u32>body_buffer_length);
    if (body === null) body = new ArrayBuffer(0);
    this.phase2(body);
    return this.replied ? FilterDataStatusValues.StopIterationNoBuffer : FilterDataStatusValues.Continue;
  }

  onResponseHeaders(_headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    if (this.tx === null || this.replied || this.responseSeen) return FilterHeadersStatusValues.Continue;
    this.responseSeen = true;
    if (!this.phase2Done) this.phase2(new ArrayBuffer(0));
    if (this.replied) return FilterHeadersStatusValues.Continue;
    const eng = this.engine();
    if (eng === null) return FilterHeadersStatusValues.Continue;
    const tx = this.tx!;
    const hs = headerPairs;
    hs.read(HeaderMapType.ResponseHeaders);
    inspected(hs.byteLength);
    valuesInspected(hs.count);
    let status = 0;
    for (let i = 0; i < hs.count; i++) {
      if (hs.keyIs(i, H_STATUS)) status = I32.parseInt(bytesToLatin1(hs.valuePtr(i), hs.valueLen(i)));
    }
    setResponseStatus(eng, status, this.protocol);
    for (let i = 0; i < hs.count; i++) {
      if (hs.isPseudo(i)) continue;
      addResponseHeader(eng, hs.key(i), hs.value(i));
    }
    eng.phase(3);
    if (tx.intervened) {
      this.disrupt();
      return FilterHeadersStatusValues.StopIteration;
    }
    this.inspectResponseBody = responseBodyInspected(eng) && eng.rs.phaseHasRules[4];
    if (end_of_stream) {
      this.phase4(new ArrayBuffer(0), false);
      if (this.replied) return FilterHeadersStatusValues.StopIteration;
    }
    // Hold the headers only while a body is still to come: at end_of_stream nothing would ever release them.
    if (!end_of_stream && this.inspectResponseBody && this.waf.holdResponseHeaders) return FilterHeadersStatusValues.StopIteration;
    return FilterHeadersStatusValues.Continue;
  }

  private phase4(body: ArrayBuffer, withBody: bool): void {
    const eng = this.engine();
    if (eng === null || this.phase4Done) return;
    this.phase4Done = true;
    const tx = this.tx!;
    if (tx.ruleEngine == RuleEngineMode.OFF) return;
    if (withBody && responseBodyInspected(eng)) {
      processResponseBody(eng, body);
      inspected(body.byteLength);
    }
    if (!tx.intervened) eng.phase(4);
    if (tx.intervened) this.disrupt();
  }

  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatusValues {
    if (this.tx === null || this.replied || this.phase4Done || !this.responseSeen) return FilterDataStatusValues.Continue;
    if (!this.inspectResponseBody) {
      if (end_of_stream) this.phase4(new ArrayBuffer(0), false);
      return this.replied ? FilterDataStatusValues.StopIterationNoBuffer : FilterDataStatusValues.Continue;
    }
    this.responseBuffered = <u32>body_buffer_length;
    if (!end_of_stream) return FilterDataStatusValues.StopIterationAndBuffer;
    let body = getBufferBytes(BufferType.HttpResponseBody, 0, <u32>body_buffer_length);
    if (body === null) body = new ArrayBuffer(0);
    this.phase4(body, true);
    return this.replied ? FilterDataStatusValues.StopIterationNoBuffer : FilterDataStatusValues.Continue;
  }

  // A body followed by trailers ends in the trailers callback: the buffered body is still readable there.
  onRequestTrailers(_trailers: u32): FilterTrailersStatusValues {
    if (this.tx === null || this.replied || this.phase2Done) return FilterTrailersStatusValues.Continue;
    let body = getBufferBytes(BufferType.HttpRequestBody, 0, this.requestBuffered);
    if (body === null) body = new ArrayBuffer(0);
    this.phase2(body);
    return this.replied ? FilterTrailersStatusValues.StopIteration : FilterTrailersStatusValues.Continue;
  }

  onResponseTrailers(_trailers: u32): FilterTrailersStatusValues {
    if (this.tx === null || this.replied || this.phase4Done || !this.responseSeen) return FilterTrailersStatusValues.Continue;
    let body: ArrayBuffer | null = new ArrayBuffer(0);
    if (this.inspectResponseBody) body = getBufferBytes(BufferType.HttpResponseBody, 0, this.responseBuffered);
    this.phase4(body === null ? new ArrayBuffer(0) : body, this.inspectResponseBody);
    return this.replied ? FilterTrailersStatusValues.StopIteration : FilterTrailersStatusValues.Continue;
  }

  // Phase 5 always runs (as ModSecurity's connectors call processLogging), then the event is emitted. A stream
  // that ended before the filter saw the end of its request or response (reset, aborted upstream) gets no
  // phase 2 / 4 of its own: only what was inspected is reported.
  onLog(): void {
    const eng = this.engine();
    if (eng === null) return;
    const tx = this.tx!;
    eng.phase(5);
    for (let i = 0; i < eng.warnings.length; i++) log(LogLevelValues.warn, "workload-waf: " + eng.warnings[i]);
    eng.warnings.length = 0;
    const rules = loggedRules(tx);
    if (rules.length > 0) {
      logBytes(LogLevelValues.warn, buildEvent(tx, this.requestId, eng.nowMs, rules));
      // the human lines are info: not built when the host drops info (Envoy's level above it, `waf check`)
      const human = logEnabled(LogLevelValues.info);
      for (let i = 0; i < rules.length; i++) {
        if (human) logBytes(LogLevelValues.info, humanLine(tx, this.requestId, rules[i]));
        this.waf.countRule(rules[i].id);
      }
      this.waf.count(this.waf.actionMetrics, actionMetricName(actionName(tx)));
    }
    // The stream is done with its transaction (every later callback sees tx === null and passes).
    this.tx = null;
    eng.release(tx);
  }

  onDone(): bool {
    return true;
  }

  // The SDK's BaseContext.onDelete only builds a debug line; nothing to release here.
  onDelete(): void {}
}

registerRoot((context_id: u32) => new WafRoot(context_id), "waf");
