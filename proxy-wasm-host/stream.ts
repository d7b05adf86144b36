// One HTTP stream through the Wasm filter: Envoy's Wasm Context (source/extensions/common/wasm/
// context.cc decode*/encode*) plus the part of Envoy's filter manager (source/common/http/
// filter_manager.cc) that decides what the rest of the chain — our StreamSink — receives:
//  - headers statuses: Continue forwards; StopIteration (only if allowed, else it becomes
//    StopAllIterationAndWatermark) holds the headers but keeps feeding body/trailers to the filter;
//    StopAll* holds everything and buffers body without calling the filter until proxy_continue_stream,
//    which then hands the whole buffered body to the filter in one proxy_on_*_body call;
//  - data statuses: StopIterationAndBuffer / StopIterationAndWatermark buffer (the former with the
//    buffer limit: request → 413 local reply, response → 500 or reset), StopIterationNoBuffer drops the
//    chunk; Continue forwards held headers, buffered and current data;
//  - local replies are sent after the callback returns; before the response started they run through
//    the filter's own response callbacks, afterwards they bypass the filter (sendDirectLocalReply), and
//    once response headers reached the client the stream is reset;
//  - a failed VM fails the stream closed (503, "wasm_fail_stream") or lets it through (fail open).
import { FilterDataStatus, FilterHeadersStatus, FilterTrailersStatus, HeaderMapType, BufferType, StreamType, WasmResult, type WasmResultCode } from "./abi.js";
import { ConstBuffer, HostContext, MutableBuffer, type BodyBuffer } from "./context.js";
import { HeaderMap, lowerAscii } from "./headers.js";
import type { Pair } from "./pairs.js";
import type { PropertyEnv } from "./properties.js";
import type { HeaderList, HttpStream, StreamInfo, StreamSink } from "./types.js";
import { WasmVm, type CallOutcome } from "./vm.js";

type Kind = "headers" | "data" | "trailers";
type Dir = "request" | "response";

export interface StreamOptions {
  failOpen: boolean;
  bufferLimitBytes: number;
  envoyRequestHeaders: boolean;
  allowOnHeadersStopIteration: boolean;
  connectionId: number;
  wallNs(): bigint;
}

/** Per-direction filter-manager state. */
class Direction {
  started = false;
  headers: HeaderMap | null = null;
  headersForwarded = false;
  iter: "continue" | "stopSingle" | "stopAll" = "continue";
  /** The filter manager's buffered body (null: none was ever buffered). */
  buffered: MutableBuffer | null = null;
  /** Buffer mode (StopIterationAndBuffer): over the limit is an error; watermark mode only pauses. */
  limited = true;
  endSeen = false;
  trailers: HeaderMap | null = null;
  trailersReceived = false;
  trailersAdded = false;
  trailersToFilter = false;
  trailersForwarded = false;
  /** ContinueAndEndStream: later body/trailers are ignored. */
  ignoreRest = false;
  /** The last body status was StopIterationAndBuffer (Envoy's buffering_*_body_). */
  wasmBuffering = false;
  ended = false;
}

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);

/** What Envoy's HTTP/1 codec and connection manager do to request headers before any filter. */
export function normalizeRequestHeaders(list: HeaderList, info: StreamInfo, envoy: boolean): Pair[] {
  let pairs: Pair[] = list.map(([k, v]) => [lowerAscii(k), v]);
  if (!envoy) return pairs;
  pairs = pairs.filter(([k, v]) => !HOP_BY_HOP.has(k) && !(k === "te" && v.toLowerCase() !== "trailers"));
  if (!pairs.some(([k]) => k === ":authority")) {
    const host = pairs.find(([k]) => k === "host");
    if (host) {
      pairs = pairs.filter(([k]) => k !== "host");
      pairs.push([":authority", host[1]]);
    }
  }
  if (!pairs.some(([k]) => k === ":scheme")) pairs.push([":scheme", info.scheme]);
  if (!pairs.some(([k]) => k === "x-forwarded-proto")) pairs.push(["x-forwarded-proto", info.scheme]);
  if (!pairs.some(([k]) => k === "x-request-id")) pairs.push(["x-request-id", info.requestId]);
  return pairs;
}

export class StreamContext extends HostContext implements HttpStream {
  readonly isRoot = false;
  localReplySent = false;
  wasmTimeNs = 0n;
  responseCodeDetails: string | undefined;
  private responseCode: number | undefined;
  private readonly req = new Direction();
  private resp = new Direction();
  // Envoy Context's pointers to the maps/buffers of the callback in progress (or paused in).
  private curReqHeaders: HeaderMap | null = null;
  private curReqBody: BodyBuffer | null = null;
  private curReqTrailers: HeaderMap | null = null;
  private curRespHeaders: HeaderMap | null = null;
  private curRespBody: BodyBuffer | null = null;
  private curRespTrailers: HeaderMap | null = null;
  private endOfStream = false;
  private accessLog = false;
  private streamFailed = false;
  private failureLocalReplySent = false;
  private completed = false;
  private resetDone = false;
  private bytesReceived = 0;
  private bytesSent = 0;
  private readonly filterState = new Map<string, Uint8Array>();
  private readonly startNs: bigint;
  private endNs: bigint | undefined;

  constructor(
    vm: WasmVm,
    private readonly info: StreamInfo,
    private readonly sink: StreamSink,
    private readonly opts: StreamOptions,
  ) {
    super(vm, vm.allocContextId());
    vm.contexts.set(this.id, this);
    this.startNs = opts.wallNs();
  }

  get contextId(): number {
    return this.id;
  }

  // ---------------------------------------------------------------- HttpStream (from the embedder)

  decodeHeaders(headers: HeaderList, endOfStream: boolean): void {
    if (this.completed || this.req.started) return;
    const map = new HeaderMap(normalizeRequestHeaders(headers, this.info, this.opts.envoyRequestHeaders));
    this.req.started = true;
    this.req.headers = map;
    this.req.endSeen = endOfStream;
    if (this.stopped("request")) return;
    this.ensureCreated();
    this.curReqHeaders = map;
    this.endOfStream = endOfStream;
    const { status, flush } = this.invoke("proxy_on_request_headers", [this.id, map.size, endOfStream ? 1 : 0], "headers");
    if (status === FilterHeadersStatus.Continue) this.curReqHeaders = null;
    this.afterHeaders("request", status, endOfStream);
    flush();
  }

  decodeData(data: Uint8Array, endOfStream: boolean): void {
    const d = this.req;
    if (this.completed || !d.started || d.ignoreRest || d.endSeen) return;
    d.endSeen = endOfStream;
    this.bytesReceived += data.length;
    if (this.stopped("request")) return;
    if (d.iter === "stopAll") {
      this.bufferData("request", data);
      return;
    }
    this.filterData("request", new Uint8Array(data), endOfStream);
  }

  decodeTrailers(trailers: HeaderList): void {
    const d = this.req;
    if (this.completed || !d.started || d.ignoreRest || d.endSeen) return;
    d.trailers = new HeaderMap(trailers.map(([k, v]) => [lowerAscii(k), v]));
    d.trailersReceived = true;
    d.endSeen = true;
    if (this.stopped("request") || d.iter === "stopAll") return;
    this.filterTrailers("request");
  }

  encodeHeaders(headers: HeaderList, endOfStream: boolean): void {
    if (this.completed || this.localReplySent || this.resetDone || this.resp.started) return;
    const map = new HeaderMap(headers.map(([k, v]) => [lowerAscii(k), v]));
    const status = map.get(":status");
    if (status === undefined || !/^\d{3}$/.test(status)) throw new TypeError("encodeHeaders: response headers need a 3-digit :status");
    this.responseCode = Number(status);
    this.responseCodeDetails = "via_upstream";
    this.encodeHeadersInternal(map, endOfStream);
  }

  encodeData(data: Uint8Array, endOfStream: boolean): void {
    if (this.completed || this.localReplySent || this.resetDone) return;
    this.encodeDataInternal(new Uint8Array(data), endOfStream);
  }

  encodeTrailers(trailers: HeaderList): void {
    if (this.completed || this.localReplySent || this.resetDone) return;
    const d = this.resp;
    if (!d.started || d.ignoreRest || d.endSeen) return;
    d.trailers = new HeaderMap(trailers.map(([k, v]) => [lowerAscii(k), v]));
    d.trailersReceived = true;
    d.endSeen = true;
    if (d.iter === "stopAll") return;
    this.filterTrailers("response");
  }

  /**
   * Envoy's stream end (ConnectionManagerImpl::doDeferredStreamDestroy): the access log runs first
   * (proxy_on_log, creating the VM context if the stream never reached the filter), then the filters
   * are destroyed (Context::onDestroy → proxy_on_done, proxy_on_delete).
   */
  complete(): void {
    if (this.completed) return;
    this.completed = true;
    this.endNs = this.opts.wallNs();
    this.ensureCreated();
    this.accessLog = true;
    this.callSimple("proxy_on_log", [this.id]);
    this.accessLog = false;
    this.callSimple("proxy_on_done", [this.id]);
    this.callSimple("proxy_on_delete", [this.id]);
    this.vm.contexts.delete(this.id);
  }

  // ---------------------------------------------------------------- hostcall-facing context

  override getMap(type: number): HeaderMap | null {
    switch (type) {
      case HeaderMapType.RequestHeaders:
        return this.curReqHeaders;
      case HeaderMapType.RequestTrailers:
        // Envoy: trailers can be added from the last body callback of a stream without trailers.
        if (!this.curReqTrailers && this.curReqBody && this.endOfStream && !this.req.trailersReceived) {
          this.curReqTrailers = this.req.trailers = new HeaderMap();
          this.req.trailersAdded = true;
        }
        return this.curReqTrailers;
      case HeaderMapType.ResponseHeaders:
        return this.curRespHeaders;
      case HeaderMapType.ResponseTrailers:
        if (!this.curRespTrailers && this.curRespBody && this.endOfStream && !this.resp.trailersReceived) {
          this.curRespTrailers = this.resp.trailers = new HeaderMap();
          this.resp.trailersAdded = true;
        }
        return this.curRespTrailers;
      default:
        return null;
    }
  }

  override getConstMap(type: number): HeaderMap | null {
    if (this.accessLog) {
      switch (type) {
        case HeaderMapType.RequestHeaders:
          return this.req.headers;
        case HeaderMapType.RequestTrailers:
          return null;
        case HeaderMapType.ResponseHeaders:
          return this.resp.headers;
        case HeaderMapType.ResponseTrailers:
          return this.resp.trailers;
      }
    }
    if (type <= HeaderMapType.ResponseTrailers) return this.getMap(type);
    return super.getConstMap(type);
  }

  override inAccessLog(): boolean {
    return this.accessLog;
  }

  override getBuffer(type: number): BodyBuffer | null {
    if (type === BufferType.HttpRequestBody) {
      if (this.req.wasmBuffering && this.req.buffered) return this.req.buffered;
      return this.curReqBody ?? new ConstBuffer(new Uint8Array(0));
    }
    if (type === BufferType.HttpResponseBody) {
      if (this.resp.wasmBuffering && this.resp.buffered) return this.resp.buffered;
      return this.curRespBody ?? new ConstBuffer(new Uint8Array(0));
    }
    return super.getBuffer(type);
  }

  propertyEnv(): PropertyEnv {
    const rt = this.vm.runtime;
    return {
      pluginName: rt.name,
      rootId: rt.rootId,
      vmId: rt.vmId,
      stream: {
        info: this.info,
        connectionId: this.opts.connectionId,
        startNs: this.startNs,
        endNs: this.endNs,
        requestHeaders: this.curReqHeaders ?? (this.accessLog ? this.req.headers : null),
        responseHeaders: this.curRespHeaders ?? (this.accessLog ? this.resp.headers : null),
        responseTrailers: this.curRespTrailers ?? (this.accessLog ? this.resp.trailers : null),
        responseCode: this.responseCode,
        responseCodeDetails: this.responseCodeDetails,
        bytesReceived: this.bytesReceived,
        bytesSent: this.bytesSent,
        filterState: this.filterState,
      },
    };
  }

  /** Envoy Context::continueStream: deferred continueDecoding/continueEncoding; drops the request pointers. */
  override continueStream(type: number): WasmResultCode {
    if (type === StreamType.Request) this.vm.addAfterCallAction(() => this.continueIteration("request"));
    else if (type === StreamType.Response) this.vm.addAfterCallAction(() => this.continueIteration("response"));
    else if (type === StreamType.Downstream) return WasmResult.Ok;
    else return WasmResult.Unimplemented;
    this.curReqHeaders = null;
    this.curReqBody = null;
    this.curReqTrailers = null;
    return WasmResult.Ok;
  }

  /** Envoy Context::closeStream: the stream is reset after the callback ("wasm_close_stream"). */
  override closeStream(type: number): WasmResultCode {
    if (type === StreamType.Request || type === StreamType.Response) {
      this.responseCodeDetails ??= "wasm_close_stream";
      this.vm.addAfterCallAction(() => this.reset("wasm_close_stream"));
    }
    return WasmResult.Ok;
  }

  override sendLocalResponse(code: number, body: Uint8Array, headers: Pair[], _grpcStatus: number, details: string): WasmResultCode {
    // Envoy replaces whitespace in the details with '_' (StringUtil::replaceAllEmptySpace).
    const cleanDetails = details.replace(/\s/g, "_");
    this.vm.addAfterCallAction(() => this.sendLocalReply(code, body, headers, cleanDetails));
    return WasmResult.Ok;
  }

  // ---------------------------------------------------------------- filter invocation

  private stopped(dir: Dir): boolean {
    if (this.completed || this.resetDone) return true;
    return dir === "request" ? this.localReplySent : false;
  }

  /** Envoy Context::onCreate: proxy_on_context_create(id, root id), once. */
  private ensureCreated(): void {
    if (this.createdInVm) return;
    this.createdInVm = true;
    if (!this.vm.failed) this.callSimple("proxy_on_context_create", [this.id, this.vm.root!.id]);
  }

  private callSimple(name: string, args: number[]): void {
    if (this.vm.failed || !this.createdInVm) return;
    const out = this.vm.call(this, name, args);
    this.wasmTimeNs += out.elapsedNs;
    WasmVm.runActions(out);
  }

  /**
   * One filter callback: CHECK_FAIL at entry and after the call (fail open → Continue; fail closed →
   * one 503 local reply and a stopping status), then Envoy's conversion of the returned status.
   * `flush` runs the actions the module requested; callers run it after applying the status.
   */
  private invoke(name: string, args: number[], kind: Kind): { status: number; flush: () => void } {
    if (this.vm.failed) return { status: this.checkFail(kind), flush: () => {} };
    if (!this.vm.hasExport(name)) return { status: 0, flush: () => {} };
    const out: CallOutcome = this.vm.call(this, name, args);
    this.wasmTimeNs += out.elapsedNs;
    const status = out.ok ? this.convert(kind, out.value, out.stopIteration) : this.checkFail(kind);
    return { status, flush: () => WasmVm.runActions(out) };
  }

  private checkFail(kind: Kind): number {
    if (this.opts.failOpen) return 0;
    if (!this.streamFailed) {
      this.streamFailed = true;
      // Envoy Context::failStream: 503 with an empty body; the filter's own encode callbacks are
      // skipped for it (failure_local_reply_sent_).
      this.failureLocalReplySent = true;
      this.sendLocalReply(503, new Uint8Array(0), [], "wasm_fail_stream");
    }
    return kind === "headers"
      ? FilterHeadersStatus.StopAllIterationAndWatermark
      : kind === "data"
        ? FilterDataStatus.StopIterationNoBuffer
        : FilterTrailersStatus.StopIteration;
  }

  /** ContextBase::convertVmCallResultTo*Status. */
  private convert(kind: Kind, value: number, stopIteration: boolean): number {
    const v = value >>> 0;
    if (kind === "headers") {
      if (stopIteration || v > FilterHeadersStatus.StopAllIterationAndWatermark) return FilterHeadersStatus.StopAllIterationAndWatermark;
      if (v === FilterHeadersStatus.StopIteration && !this.opts.allowOnHeadersStopIteration) return FilterHeadersStatus.StopAllIterationAndWatermark;
      return v;
    }
    if (kind === "data") {
      return stopIteration || v > FilterDataStatus.StopIterationNoBuffer ? FilterDataStatus.StopIterationNoBuffer : v;
    }
    return stopIteration || v > FilterTrailersStatus.StopIteration ? FilterTrailersStatus.StopIteration : v;
  }

  private dir(d: Dir): Direction {
    return d === "request" ? this.req : this.resp;
  }

  private vmSkipped(dir: Dir): boolean {
    // Envoy skips the VM for the response of its own failure reply, and before the context exists.
    return !this.createdInVm || (dir === "response" && this.failureLocalReplySent);
  }

  private afterHeaders(dir: Dir, status: number, endOfStream: boolean): void {
    const d = this.dir(dir);
    switch (status) {
      case FilterHeadersStatus.Continue:
        this.forwardHeaders(dir, endOfStream);
        break;
      case FilterHeadersStatus.ContinueAndEndStream:
        d.ignoreRest = true;
        this.forwardHeaders(dir, true);
        break;
      case FilterHeadersStatus.StopIteration:
        d.iter = "stopSingle";
        break;
      case FilterHeadersStatus.StopAllIterationAndBuffer:
        d.iter = "stopAll";
        d.limited = true;
        break;
      default:
        d.iter = "stopAll";
        d.limited = false;
    }
  }

  private filterData(dir: Dir, chunk: Uint8Array, eos: boolean): void {
    const d = this.dir(dir);
    if (this.vmSkipped(dir)) {
      this.applyData(dir, FilterDataStatus.Continue, chunk, eos);
      return;
    }
    let body: BodyBuffer;
    let current: MutableBuffer;
    if (d.wasmBuffering && d.buffered) {
      // Context::decodeData: addDecodedData moves the chunk into the buffered body the module sees.
      d.buffered.append(chunk);
      if (this.overLimit(dir)) return;
      body = d.buffered;
      current = new MutableBuffer();
    } else {
      current = new MutableBuffer(chunk);
      body = current;
    }
    if (dir === "request") this.curReqBody = body;
    else this.curRespBody = body;
    this.endOfStream = eos;
    const name = dir === "request" ? "proxy_on_request_body" : "proxy_on_response_body";
    const { status, flush } = this.invoke(name, [this.id, body.size(), eos ? 1 : 0], "data");
    d.wasmBuffering = false;
    if (status === FilterDataStatus.Continue) {
      if (dir === "request") this.curReqBody = null;
      else this.curRespBody = null;
    }
    this.applyData(dir, status, current.bytes(), eos);
    flush();
  }

  private applyData(dir: Dir, status: number, chunk: Uint8Array, eos: boolean): void {
    const d = this.dir(dir);
    switch (status) {
      case FilterDataStatus.Continue:
        if (d.iter !== "continue" || d.buffered) {
          (d.buffered ??= new MutableBuffer()).append(chunk);
          d.iter = "stopSingle";
          this.continueIteration(dir);
        } else {
          this.forwardData(dir, chunk, eos);
        }
        break;
      case FilterDataStatus.StopIterationAndBuffer:
        d.wasmBuffering = true;
        d.limited = true;
        d.iter = "stopSingle";
        this.bufferData(dir, chunk);
        break;
      case FilterDataStatus.StopIterationAndWatermark:
        d.limited = false;
        d.iter = "stopSingle";
        this.bufferData(dir, chunk);
        break;
      default:
        // StopIterationNoBuffer: the chunk is not kept by the filter manager.
        d.iter = "stopSingle";
    }
  }

  private filterTrailers(dir: Dir): void {
    const d = this.dir(dir);
    d.trailersToFilter = true;
    if (this.vmSkipped(dir)) {
      this.afterTrailers(dir, FilterTrailersStatus.Continue);
      return;
    }
    if (dir === "request") this.curReqTrailers = d.trailers;
    else this.curRespTrailers = d.trailers;
    const name = dir === "request" ? "proxy_on_request_trailers" : "proxy_on_response_trailers";
    const { status, flush } = this.invoke(name, [this.id, d.trailers!.size], "trailers");
    if (status === FilterTrailersStatus.Continue) {
      if (dir === "request") this.curReqTrailers = null;
      else this.curRespTrailers = null;
    }
    this.afterTrailers(dir, status);
    flush();
  }

  private afterTrailers(dir: Dir, status: number): void {
    const d = this.dir(dir);
    if (status !== FilterTrailersStatus.Continue) {
      d.iter = "stopSingle";
      return;
    }
    if (d.iter !== "continue") this.continueIteration(dir);
    else this.forwardTrailers(dir);
  }

  private bufferData(dir: Dir, chunk: Uint8Array): void {
    const d = this.dir(dir);
    (d.buffered ??= new MutableBuffer()).append(chunk);
    this.overLimit(dir);
  }

  /**
   * Envoy's buffer limit on the filter manager's buffered body. In buffer mode going over it is
   * requestDataTooLarge (413 "Payload Too Large") or responseDataTooLarge (500, bypassing the
   * filters, or a reset once response headers went out); in watermark mode it only applies
   * back-pressure, which has no equivalent here.
   */
  private overLimit(dir: Dir): boolean {
    const d = this.dir(dir);
    if (!d.limited || !d.buffered || d.buffered.size() <= this.opts.bufferLimitBytes) return false;
    if (dir === "request") {
      this.sendLocalReply(413, Buffer.from("Payload Too Large"), [], "request_payload_too_large");
    } else {
      this.sendLocalReply(500, Buffer.from("Internal Server Error"), [], "response_payload_too_large");
    }
    return true;
  }

  /** FilterManager commonContinue, for our filter: forward what was held, feeding StopAll'd data back to the filter. */
  private continueIteration(dir: Dir): void {
    const d = this.dir(dir);
    if (d.iter === "continue" || this.stopped(dir) || (dir === "response" && this.completed)) return;
    const wasStopAll = d.iter === "stopAll";
    d.iter = "continue";
    if (!d.headersForwarded) this.forwardHeaders(dir, d.endSeen && !d.buffered && !d.trailersReceived);
    if (d.buffered) {
      const data = d.buffered.bytes();
      d.buffered = null;
      d.wasmBuffering = false;
      const eos = d.endSeen && !d.trailersReceived;
      if (wasStopAll) this.filterData(dir, data, eos);
      else this.forwardData(dir, data, eos);
    }
    if (d.iter === "continue" && d.trailersReceived && !d.trailersForwarded) {
      if (!d.trailersToFilter) this.filterTrailers(dir);
      else this.forwardTrailers(dir);
    }
  }

  // ---------------------------------------------------------------- to the sink

  private forwardHeaders(dir: Dir, eos: boolean): void {
    const d = this.dir(dir);
    if (d.headersForwarded || this.resetDone || (dir === "request" && this.localReplySent)) return;
    d.headersForwarded = true;
    if (eos) d.ended = true;
    if (dir === "request") this.sink.requestHeaders(d.headers!.pairs(), eos);
    else this.sink.responseHeaders(d.headers!.pairs(), eos);
  }

  private forwardData(dir: Dir, data: Uint8Array, eos: boolean): void {
    const d = this.dir(dir);
    if (d.ended || this.resetDone || (dir === "request" && this.localReplySent)) return;
    const withTrailers = eos && d.trailersAdded;
    if (eos && !withTrailers) d.ended = true;
    if (dir === "request") this.sink.requestData(data, eos && !withTrailers);
    else {
      this.bytesSent += data.length;
      this.sink.responseData(data, eos && !withTrailers);
    }
    if (withTrailers) this.forwardTrailers(dir);
  }

  private forwardTrailers(dir: Dir): void {
    const d = this.dir(dir);
    if (d.trailersForwarded || d.ended || this.resetDone || (dir === "request" && this.localReplySent)) return;
    d.trailersForwarded = true;
    d.ended = true;
    if (dir === "request") this.sink.requestTrailers(d.trailers!.pairs());
    else this.sink.responseTrailers(d.trailers!.pairs());
  }

  private reset(reason: string): void {
    if (this.resetDone || this.completed) return;
    this.resetDone = true;
    this.sink.reset(reason);
  }

  // ---------------------------------------------------------------- response path and local replies

  private encodeHeadersInternal(map: HeaderMap, eos: boolean): void {
    const d = this.resp;
    d.started = true;
    d.headers = map;
    d.endSeen = eos;
    if (this.vmSkipped("response")) {
      this.forwardHeaders("response", eos);
      return;
    }
    this.curRespHeaders = map;
    this.endOfStream = eos;
    const { status, flush } = this.invoke("proxy_on_response_headers", [this.id, map.size, eos ? 1 : 0], "headers");
    if (status === FilterHeadersStatus.Continue) this.curRespHeaders = null;
    this.afterHeaders("response", status, eos);
    flush();
  }

  private encodeDataInternal(data: Uint8Array, eos: boolean): void {
    const d = this.resp;
    if (!d.started || d.ignoreRest || d.endSeen) return;
    d.endSeen = eos;
    if (d.iter === "stopAll") {
      this.bufferData("response", data);
      return;
    }
    this.filterData("response", data, eos);
  }

  /**
   * Envoy FilterManager::sendLocalReply. Headers: ":status", the module's additional headers, then
   * content-length and (unless set) content-type text/plain when there is a body; HEAD gets no body.
   */
  private sendLocalReply(code: number, body: Uint8Array, extra: Pair[], details: string): void {
    if (this.completed || this.resetDone || this.localReplySent) return;
    this.localReplySent = true;
    this.responseCode = code;
    this.responseCodeDetails = details;
    const headers = new HeaderMap([[":status", String(code)]]);
    for (const [k, v] of extra) headers.add(k, v);
    const isHead = this.req.headers?.get(":method") === "HEAD";
    if (body.length > 0) {
      headers.replace("content-length", String(body.length));
      headers.setIfAbsent("content-type", "text/plain");
    }
    const sendBody = body.length > 0 && !isHead;
    // Envoy resets the upstream request when a local reply ends the stream early (a full reset covers it).
    const resetUpstream = () => {
      if (this.req.headersForwarded && !this.resp.ended) this.sink.upstreamReset?.(details);
    };
    if (!this.resp.started) {
      resetUpstream();
      // The response has not started: the reply goes through the encoder filters, ours included.
      this.resp = new Direction();
      this.encodeHeadersInternal(headers, !sendBody);
      if (sendBody) this.encodeDataInternal(new Uint8Array(body), true);
    } else if (!this.resp.headersForwarded) {
      // Response headers are inside the filter chain but not sent: sendDirectLocalReply, no filters.
      resetUpstream();
      this.resp.headersForwarded = true;
      this.resp.ended = true;
      this.sink.responseHeaders(headers.pairs(), !sendBody);
      if (sendBody) {
        this.bytesSent += body.length;
        this.sink.responseData(new Uint8Array(body), true);
      }
    } else {
      this.reset(details);
    }
  }
}

/**
 * A stream for a plugin whose VM could not be (re)loaded: Envoy fails it closed (503,
 * "wasm_fail_stream") or, with fail open, runs the chain without the filter.
 */
export class VmlessStream implements HttpStream {
  localReplySent = false;
  readonly wasmTimeNs = 0n;
  readonly contextId = 0;
  responseCodeDetails: string | undefined;
  private done = false;
  constructor(
    private readonly sink: StreamSink,
    private readonly failOpen: boolean,
    private readonly info: StreamInfo,
    private readonly envoyRequestHeaders: boolean,
  ) {}
  decodeHeaders(headers: HeaderList, endOfStream: boolean): void {
    if (this.done || this.localReplySent) return;
    if (this.failOpen) {
      this.sink.requestHeaders(normalizeRequestHeaders(headers, this.info, this.envoyRequestHeaders), endOfStream);
      return;
    }
    this.localReplySent = true;
    this.responseCodeDetails = "wasm_fail_stream";
    this.sink.responseHeaders([[":status", "503"]], true);
  }
  decodeData(data: Uint8Array, endOfStream: boolean): void {
    if (this.failOpen && !this.done) this.sink.requestData(data, endOfStream);
  }
  decodeTrailers(trailers: HeaderList): void {
    if (this.failOpen && !this.done) this.sink.requestTrailers(trailers.map(([k, v]) => [lowerAscii(k), v]));
  }
  encodeHeaders(headers: HeaderList, endOfStream: boolean): void {
    if (this.failOpen && !this.done) {
      this.responseCodeDetails = "via_upstream";
      this.sink.responseHeaders(new HeaderMap(headers.map(([k, v]) => [lowerAscii(k), v])).pairs(), endOfStream);
    }
  }
  encodeData(data: Uint8Array, endOfStream: boolean): void {
    if (this.failOpen && !this.done) this.sink.responseData(data, endOfStream);
  }
  encodeTrailers(trailers: HeaderList): void {
    if (this.failOpen && !this.done) this.sink.responseTrailers(trailers.map(([k, v]) => [lowerAscii(k), v]));
  }
  complete(): void {
    this.done = true;
  }
}
