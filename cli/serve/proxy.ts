// The local WAF proxy behind `waf serve`: a real HTTP/1.1 reverse proxy that runs every request and response
// through the filter with our proxy-wasm host, the way Envoy's HTTP connection manager drives an
// `envoy.filters.http.wasm` filter. Bodies stream through in the chunks the sockets deliver; whatever the
// filter lets through (or replies itself) is what the upstream and the client see.
import http from "node:http";
import { randomUUID } from "node:crypto";
import type { AddressInfo, Socket } from "node:net";
import type { HeaderList, HttpStream, StreamSink, WasmPlugin } from "../../proxy-wasm-host/index";
import { requestHeaderList, responseHeaderList, toNodeHeaders } from "./headers";

export interface ProxyOptions {
  plugin: WasmPlugin;
  upstream: URL;
  /** Envoy's route timeout: no upstream response headers within it gives 504. Envoy's default is 15 s. */
  upstreamTimeoutMs?: number;
  /** How long a graceful shutdown waits for in-flight requests before closing their connections. */
  drainTimeoutMs?: number;
  log?: (line: string) => void;
  /** One line per exchange; without it no line is formatted at all. */
  accessLog?: (line: string) => void;
}

export interface RunningProxy {
  readonly address: AddressInfo;
  readonly server: http.Server;
  /** Stops accepting, lets in-flight exchanges finish (up to the drain timeout), then closes everything. */
  close(): Promise<void>;
}

// Envoy's local-reply bodies, so that clients and tests see what they would see behind Envoy.
const UPSTREAM_CONNECT_ERROR = "upstream connect error or disconnect/reset before headers. reset reason: connection failure";
const UPSTREAM_TIMEOUT = "upstream request timeout";

export async function startProxy(listen: { host: string; port: number }, opts: ProxyOptions): Promise<RunningProxy> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  // In-flight exchanges, for the drain. An exchange reports its end through a callback rather than a promise of
  // its own: a promise and its continuation per request would cost more than the bookkeeping needs.
  const inFlight = new Set<Exchange>();
  let allFinished: (() => void) | undefined;
  const finished = (exchange: Exchange) => {
    inFlight.delete(exchange);
    if (inFlight.size === 0) allFinished?.();
  };

  const server = http.createServer({ keepAliveTimeout: 60_000, headersTimeout: 60_000, requestTimeout: 0 });
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const exchange = new Exchange(req, res, opts, agent, log, finished);
    inFlight.add(exchange);
    exchange.start();
  });
  // Requests Node's parser rejects never reach the filter, exactly as Envoy's codec answers them itself.
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
    const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
    log(`waf serve: rejected a malformed request from ${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}: ${err.code ?? err.message}`);
    if (socket.writable) {
      const body = tooLarge ? "Request Header Fields Too Large" : "Bad Request";
      socket.end(`HTTP/1.1 ${status}\r\ncontent-length: ${body.length}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${body}`);
    } else {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    address: server.address() as AddressInfo,
    server,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const drained = inFlight.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (allFinished = resolve));
        const timeout = new Promise<"timeout">((resolve) => setTimeout(resolve, opts.drainTimeoutMs ?? 10_000, "timeout").unref());
        if ((await Promise.race([drained, timeout])) === "timeout") {
          log(`waf serve: ${inFlight.size} request(s) still in flight after the drain timeout; closing their connections`);
          server.closeAllConnections();
        }
        await stopped;
        agent.destroy();
      })();
      return closing;
    },
  };
}

/** One request/response exchange: the StreamSink side of the host's HttpStream, wired to real sockets. */
class Exchange implements StreamSink {
  private stream!: HttpStream;
  private upstreamReq?: http.ClientRequest;
  private upstreamRes?: http.IncomingMessage;
  private requestComplete = false;
  private responseStarted = false;
  private completed = false;
  private readonly startedAt = performance.now();
  private requestId = "";
  private bytesIn = 0;
  private bytesOut = 0;
  private status = 0;

  constructor(
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
    private readonly opts: ProxyOptions,
    private readonly agent: http.Agent,
    private readonly log: (line: string) => void,
    private readonly finished: (exchange: Exchange) => void,
  ) {}

  start(): void {
    const { req, res } = this;
    const headers = requestHeaderList(req.method ?? "GET", req.url ?? "/", req.rawHeaders);
    // Every request gets an id: the client's x-request-id when it sent one (as Envoy keeps it for internal
    // traffic), else a fresh UUID, which the host adds as x-request-id as Envoy's connection manager does.
    this.requestId = (req.headers["x-request-id"] as string | undefined) || randomUUID();

    const socket = req.socket;
    this.stream = this.opts.plugin.createStream(
      {
        requestId: this.requestId,
        protocol: `HTTP/${req.httpVersion}`,
        scheme: "http",
        source: { address: stripV4Mapped(socket.remoteAddress ?? ""), port: socket.remotePort ?? 0 },
        destination: { address: stripV4Mapped(socket.localAddress ?? ""), port: socket.localPort ?? 0 },
      },
      this,
    );

    res.on("close", () => this.complete());
    req.on("error", () => this.complete());

    const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
    this.stream.decodeHeaders(headers, !hasBody);
    if (!hasBody) {
      this.requestComplete = true;
      req.resume();
      return;
    }
    req.on("data", (chunk: Buffer) => {
      this.bytesIn += chunk.length;
      if (!this.completed) this.stream.decodeData(chunk, false);
    });
    req.on("end", () => {
      this.requestComplete = true;
      if (this.completed) return;
      if (req.rawTrailers.length > 0) this.stream.decodeTrailers(responseHeaderList(0, req.rawTrailers).slice(1));
      else this.stream.decodeData(new Uint8Array(0), true);
    });
  }

  // ---- StreamSink: what the filter lets through on the request side goes to the upstream.

  requestHeaders(headers: HeaderList, endOfStream: boolean): void {
    const { pseudo, flat } = toNodeHeaders(headers);
    const authority = pseudo.get(":authority");
    if (authority) flat.unshift("host", authority);
    const upstream = this.opts.upstream;
    const upstreamReq = http.request({
      protocol: upstream.protocol,
      hostname: upstream.hostname,
      port: upstream.port || 80,
      method: pseudo.get(":method") ?? "GET",
      path: joinPath(upstream.pathname, pseudo.get(":path") ?? "/"),
      headers: flat,
      setHost: false,
      agent: this.agent,
    });
    this.upstreamReq = upstreamReq;
    const timeoutMs = this.opts.upstreamTimeoutMs ?? 15_000;
    const timer = timeoutMs > 0 ? setTimeout(() => this.upstreamFailed(504, UPSTREAM_TIMEOUT, `no response within ${timeoutMs} ms`), timeoutMs) : undefined;
    upstreamReq.on("response", (upstreamRes) => {
      clearTimeout(timer);
      this.upstreamRes = upstreamRes;
      if (this.completed || this.stream.localReplySent) {
        upstreamRes.destroy();
        return;
      }
      const status = upstreamRes.statusCode ?? 502;
      const hasBody = !(status === 204 || status === 304 || pseudo.get(":method") === "HEAD" ||
        (upstreamRes.headers["content-length"] === "0" && upstreamRes.headers["transfer-encoding"] === undefined));
      this.stream.encodeHeaders(responseHeaderList(status, upstreamRes.rawHeaders), !hasBody);
      if (!hasBody) {
        upstreamRes.resume();
        return;
      }
      upstreamRes.on("data", (chunk: Buffer) => {
        if (!this.completed) this.stream.encodeData(chunk, false);
      });
      upstreamRes.on("end", () => {
        if (this.completed) return;
        if (upstreamRes.rawTrailers.length > 0) this.stream.encodeTrailers(responseHeaderList(0, upstreamRes.rawTrailers).slice(1));
        else this.stream.encodeData(new Uint8Array(0), true);
      });
      upstreamRes.on("error", () => this.reset("upstream reset"));
    });
    upstreamReq.on("error", (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      this.upstreamFailed(502, UPSTREAM_CONNECT_ERROR, err.code ?? err.message);
    });
    // Back-pressure: stop reading the client while the upstream socket is full.
    upstreamReq.on("drain", () => this.req.resume());
    if (endOfStream) upstreamReq.end();
  }

  requestData(data: Uint8Array, endOfStream: boolean): void {
    const upstreamReq = this.upstreamReq;
    if (!upstreamReq || upstreamReq.destroyed) return;
    if (data.length > 0 && !upstreamReq.write(data)) this.req.pause();
    if (endOfStream) upstreamReq.end();
  }

  requestTrailers(trailers: HeaderList): void {
    const upstreamReq = this.upstreamReq;
    if (!upstreamReq || upstreamReq.destroyed) return;
    upstreamReq.addTrailers(trailers);
    upstreamReq.end();
  }

  // ---- StreamSink: what the filter lets through on the response side (local replies included) goes to the client.

  responseHeaders(headers: HeaderList, endOfStream: boolean): void {
    const { res } = this;
    if (res.headersSent || res.destroyed) return;
    const { pseudo, flat } = toNodeHeaders(headers);
    this.status = Number(pseudo.get(":status") ?? 502);
    this.responseStarted = true;
    // A reply sent before the client finished its request body (a local reply) ends the connection, as
    // Envoy does: the unread rest of the body cannot be trusted to frame the next request.
    if (!this.requestComplete) flat.push("connection", "close");
    res.writeHead(this.status, flat);
    if (endOfStream) res.end();
  }

  responseData(data: Uint8Array, endOfStream: boolean): void {
    const { res } = this;
    if (res.destroyed || res.writableEnded) return;
    this.bytesOut += data.length;
    if (data.length > 0 && !res.write(data) && this.upstreamRes) {
      const upstreamRes = this.upstreamRes;
      upstreamRes.pause();
      res.once("drain", () => upstreamRes.resume());
    }
    if (endOfStream) res.end();
  }

  responseTrailers(trailers: HeaderList): void {
    const { res } = this;
    if (res.destroyed || res.writableEnded) return;
    res.addTrailers(trailers);
    res.end();
  }

  /** The filter replied locally after the request had started upstream: Envoy resets the upstream request. */
  upstreamReset(): void {
    this.upstreamReq?.destroy();
    this.upstreamRes?.destroy();
  }

  reset(reason: string): void {
    this.log(`waf serve: [${this.requestId}] stream reset: ${reason}`);
    this.upstreamReq?.destroy();
    this.upstreamRes?.destroy();
    this.res.destroy();
    this.complete();
  }

  // ---- internals

  /** Envoy's router answers an upstream failure with a local reply that still passes the encoder filters. */
  private upstreamFailed(status: number, body: string, why: string): void {
    if (this.completed) return;
    this.log(`waf serve: [${this.requestId}] upstream ${this.opts.upstream.host} failed: ${why}; answering ${status}`);
    this.upstreamReq?.destroy();
    if (this.responseStarted || this.stream.localReplySent) {
      this.reset(`upstream failed after the response started: ${why}`);
      return;
    }
    const bytes = Buffer.from(body);
    this.stream.encodeHeaders([[":status", String(status)], ["content-length", String(bytes.length)], ["content-type", "text/plain"]], false);
    if (!this.completed) this.stream.encodeData(bytes, true);
  }

  private complete(): void {
    if (this.completed) return;
    this.completed = true;
    if (!this.res.writableFinished) {
      this.upstreamReq?.destroy();
      this.upstreamRes?.destroy();
    }
    this.stream.complete();
    this.opts.accessLog?.(this.accessLogLine());
    this.finished(this);
  }

  private accessLogLine(): string {
    const ms = performance.now() - this.startedAt;
    const wasmUs = Number(this.stream.wasmTimeNs / 1000n);
    return (
      `${new Date().toISOString()} "${this.req.method} ${this.req.url} HTTP/${this.req.httpVersion}" ${this.status || "-"} ` +
      `${this.bytesIn} ${this.bytesOut} ${ms.toFixed(1)}ms waf=${wasmUs}us ${this.requestId}`
    );
  }
}

function joinPath(base: string, path: string): string {
  if (base === "/" || base === "") return path;
  return base.replace(/\/$/, "") + path;
}

function stripV4Mapped(address: string): string {
  return address.startsWith("::ffff:") && address.includes(".") ? address.slice(7) : address;
}
