// Replays one recorded HTTP transaction through the filter, with the host driving the stream exactly as
// Envoy's connection manager would: request headers, request body, then (if a response was recorded) the
// response headers and body, then the end of the stream. What the filter let through, replied itself, or
// reset is recorded, so `waf check`, `waf crs-test` and the benchmarks all observe the same thing.
import type { HeaderList, StreamSink, WasmPlugin } from "../../proxy-wasm-host/index";

export interface RecordedTransaction {
  method: string;
  uri: string;
  version: string;
  headers: Array<[Uint8Array, Uint8Array]>;
  body: Uint8Array;
  clientIp: string;
  clientPort: number;
  serverIp: string;
  serverPort: number;
  response?: { status: number; headers: Array<[Uint8Array, Uint8Array]>; body: Uint8Array };
}

/** The step of the stream during which the filter intervened, named as check-jsonl.md names phases. */
export type StreamPhase = "request_headers" | "request_body" | "response_headers" | "response_body" | "logging";

export interface ReplayOutcome {
  /** What reached the client first: the upstream's status, or the filter's local reply. */
  status: number;
  localReply: boolean;
  reset: string | null;
  /** Whether the request reached the upstream (headers let through). */
  forwarded: boolean;
  /** Where the filter replied locally or reset the stream; null when it let the transaction through. */
  phase: StreamPhase | null;
  wasmTimeNs: bigint;
}

// Bodies are handed over in chunks of this size, as a socket would deliver them, so the filter's
// buffering and streaming paths are both exercised.
const CHUNK = 16 * 1024;

export function replay(plugin: WasmPlugin, tx: RecordedTransaction, requestId: string): ReplayOutcome {
  const outcome: ReplayOutcome = { status: 0, localReply: false, reset: null, forwarded: false, phase: null, wasmTimeNs: 0n };
  let step: StreamPhase = "request_headers";
  let responseStarted = false;
  const sink: StreamSink = {
    requestHeaders() {
      outcome.forwarded = true;
    },
    requestData() {},
    requestTrailers() {},
    responseHeaders(headers: HeaderList) {
      if (responseStarted) return;
      responseStarted = true;
      for (const [k, v] of headers) if (k === ":status") outcome.status = Number(v);
    },
    responseData() {},
    responseTrailers() {},
    reset(reason: string) {
      outcome.reset = reason;
    },
  };
  const stream = plugin.createStream(
    {
      requestId,
      protocol: tx.version,
      scheme: "http",
      source: { address: tx.clientIp, port: tx.clientPort },
      destination: { address: tx.serverIp, port: tx.serverPort },
    },
    sink,
  );
  const stopped = () => {
    const stop = outcome.reset !== null || stream.localReplySent;
    if (stop && outcome.phase === null) outcome.phase = step;
    return stop;
  };

  // The request as the HTTP/1 codec parsed it; the host applies Envoy's connection-manager normalization.
  const requestHeaders: HeaderList = [[":method", tx.method], [":path", tx.uri]];
  for (const [k, v] of tx.headers) requestHeaders.push([latin1(k), latin1(v)]);

  stream.decodeHeaders(requestHeaders, tx.body.length === 0);
  // Phase 2 runs at the end of the request: with no body, in the headers callback itself.
  if (!stopped() && tx.body.length > 0) step = "request_body";
  for (let off = 0; off < tx.body.length && !stopped(); off += CHUNK) {
    const end = Math.min(off + CHUNK, tx.body.length);
    stream.decodeData(tx.body.subarray(off, end), end === tx.body.length);
  }

  if (!stopped() && tx.response) {
    const r = tx.response;
    const responseHeaders: HeaderList = [[":status", String(r.status)]];
    for (const [k, v] of r.headers) responseHeaders.push([latin1(k).toLowerCase(), latin1(v)]);
    step = "response_headers";
    stream.encodeHeaders(responseHeaders, r.body.length === 0);
    if (!stopped() && r.body.length > 0) step = "response_body";
    for (let off = 0; off < r.body.length && !stopped(); off += CHUNK) {
      const end = Math.min(off + CHUNK, r.body.length);
      stream.encodeData(r.body.subarray(off, end), end === r.body.length);
    }
  }
  // Without a recorded response the response phases do not run (check-jsonl.md): the stream just ends.
  stopped();
  step = "logging";
  stream.complete();
  stopped();
  outcome.localReply = stream.localReplySent;
  outcome.wasmTimeNs = stream.wasmTimeNs;
  if (!outcome.localReply && tx.response && outcome.status === 0 && outcome.reset === null) outcome.status = tx.response.status;
  return outcome;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
