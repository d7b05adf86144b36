// Drives one fuzz transaction through the filter as Envoy's connection manager would, one host callback at a
// time, so that two transactions can be interleaved on the same VM. Unlike cli/replay/transaction.ts (fixed
// 16 KiB chunks) the body is cut where the case says, down to one byte per proxy_on_request_body call, and the
// request may end in trailers. Everything the filter lets through is recorded byte for byte, so the checks
// (./invariants.ts) can tell a lost or altered body from a correct pass.
import type { HeaderList, HttpStream, StreamSink, WasmPlugin } from "../../proxy-wasm-host/index";

export type Bytes = Buffer;

export interface FuzzResponse {
  status: number;
  headers: Array<[Bytes, Bytes]>;
  body: Bytes;
  /** Offsets where the body is cut into proxy_on_response_body calls (sorted, inside (0, body.length)). */
  cuts: number[];
  /** Response trailers: the response body then ends in proxy_on_response_trailers. */
  trailers?: Array<[Bytes, Bytes]>;
}

/** One generated transaction. Every field is raw bytes: nothing is validated or normalized on the way in. */
export interface FuzzTx {
  /** What made it, e.g. "multipart/no-boundary" (for reports). */
  kind: string;
  method: string;
  uri: Bytes;
  headers: Array<[Bytes, Bytes]>;
  body: Bytes;
  /** Offsets where the request body is cut into proxy_on_request_body calls (sorted, inside (0, body.length)). */
  cuts: number[];
  /** Request trailers: the body then ends in proxy_on_request_trailers instead of an end_of_stream body call. */
  trailers?: Array<[Bytes, Bytes]>;
  response?: FuzzResponse;
  /**
   * The client goes away after this many host callbacks (headers, body pieces, trailers, response ...): the stream
   * is completed without its end, as Envoy does on a downstream reset. Undefined: the transaction runs to its end.
   */
  abortAfter?: number;
}

/** What the client and the upstream saw of one transaction. */
export interface Observed {
  /** The first response status the client got (upstream's or a local reply's); 0 when none. */
  status: number;
  localReply: boolean;
  reset: string | null;
  /** Response code details (e.g. "wasm_fail_stream" when the VM failed closed). */
  details: string | undefined;
  /** The request headers reached the upstream. */
  forwarded: boolean;
  upstreamBody: Buffer[];
  /** The upstream saw the end of the request (end_of_stream on data or headers, or trailers). */
  upstreamEnded: boolean;
  clientBody: Buffer[];
  clientEnded: boolean;
}

const latin1 = (b: Bytes) => b.toString("latin1");

function pieces(body: Bytes, cuts: number[]): Bytes[] {
  const out: Bytes[] = [];
  let from = 0;
  for (const c of cuts) {
    if (c <= from || c >= body.length) continue;
    out.push(body.subarray(from, c));
    from = c;
  }
  out.push(body.subarray(from));
  return out;
}

/**
 * A transaction in flight. `step()` performs the next host callback (headers, one body piece, trailers, response
 * headers, ..., complete) and returns false once the stream is complete. Stops feeding a direction once the
 * filter replied or reset the stream, as the connection manager would.
 */
export class TxRun {
  readonly seen: Observed = {
    status: 0,
    localReply: false,
    reset: null,
    details: undefined,
    forwarded: false,
    upstreamBody: [],
    upstreamEnded: false,
    clientBody: [],
    clientEnded: false,
  };
  private readonly stream: HttpStream;
  private readonly plan: Array<() => void> = [];
  private next = 0;
  private done = false;

  constructor(plugin: WasmPlugin, readonly tx: FuzzTx, requestId: string) {
    const seen = this.seen;
    let responseStarted = false;
    const sink: StreamSink = {
      requestHeaders(_h: HeaderList, end: boolean) {
        seen.forwarded = true;
        if (end) seen.upstreamEnded = true;
      },
      requestData(d: Uint8Array, end: boolean) {
        seen.upstreamBody.push(Buffer.from(d));
        if (end) seen.upstreamEnded = true;
      },
      requestTrailers() {
        seen.upstreamEnded = true;
      },
      responseHeaders(h: HeaderList, end: boolean) {
        if (responseStarted) return;
        responseStarted = true;
        for (const [k, v] of h) if (k === ":status") seen.status = Number(v);
        if (end) seen.clientEnded = true;
      },
      responseData(d: Uint8Array, end: boolean) {
        seen.clientBody.push(Buffer.from(d));
        if (end) seen.clientEnded = true;
      },
      responseTrailers() {
        seen.clientEnded = true;
      },
      reset(reason: string) {
        seen.reset = reason;
      },
    };
    this.stream = plugin.createStream(
      { requestId, protocol: "HTTP/1.1", scheme: "http", source: { address: "10.1.2.3", port: 40000 }, destination: { address: "10.9.8.7", port: 8080 } },
      sink,
    );
    this.plan = this.buildPlan();
  }

  private stopped(): boolean {
    return this.seen.reset !== null || this.stream.localReplySent;
  }

  private buildPlan(): Array<() => void> {
    const { tx, stream } = this;
    const plan: Array<() => void> = [];
    const requestHeaders: HeaderList = [[":method", tx.method], [":path", latin1(tx.uri)]];
    for (const [k, v] of tx.headers) requestHeaders.push([latin1(k), latin1(v)]);
    const hasBody = tx.body.length > 0;
    const trailers = tx.trailers;
    plan.push(() => stream.decodeHeaders(requestHeaders, !hasBody && !trailers));
    if (hasBody) {
      const parts = pieces(tx.body, tx.cuts);
      parts.forEach((p, i) => plan.push(() => !this.stopped() && stream.decodeData(p, i === parts.length - 1 && !trailers)));
    }
    if (trailers) plan.push(() => !this.stopped() && stream.decodeTrailers(trailers.map(([k, v]) => [latin1(k), latin1(v)])));
    const r = tx.response;
    if (r) {
      const hs: HeaderList = [[":status", String(r.status)]];
      for (const [k, v] of r.headers) hs.push([latin1(k).toLowerCase(), latin1(v)]);
      const rt = r.trailers;
      plan.push(() => !this.stopped() && stream.encodeHeaders(hs, r.body.length === 0 && !rt));
      if (r.body.length > 0) {
        const parts = pieces(r.body, r.cuts);
        parts.forEach((p, i) => plan.push(() => !this.stopped() && stream.encodeData(p, i === parts.length - 1 && !rt)));
      }
      if (rt) plan.push(() => !this.stopped() && stream.encodeTrailers(rt.map(([k, v]) => [latin1(k).toLowerCase(), latin1(v)])));
    }
    return tx.abortAfter === undefined ? plan : plan.slice(0, tx.abortAfter);
  }

  /** Runs the next callback; false once the stream is complete. */
  step(): boolean {
    if (this.done) return false;
    if (this.next < this.plan.length) {
      this.plan[this.next++]!();
      return true;
    }
    this.stream.complete();
    this.seen.localReply = this.stream.localReplySent;
    this.seen.details = this.stream.responseCodeDetails;
    this.done = true;
    return false;
  }

  /** Runs the whole transaction. */
  finish(): Observed {
    while (this.step());
    return this.seen;
  }
}
