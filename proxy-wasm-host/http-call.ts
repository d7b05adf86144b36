// proxy_http_call to a real upstream. Envoy sends it through the cluster's async HTTP client; the
// embedder maps cluster names to base URLs. Like Envoy's async client (which runs the router), an
// unreachable upstream or a timeout is still delivered as a *response* (503 / 504 with Envoy's
// local-reply bodies), not as a failure; only a reset after the response started is a failure.
import http from "node:http";
import https from "node:https";
import { lowerAscii } from "./headers.js";
import type { Pair } from "./pairs.js";

export interface HttpCallResult {
  headers: Pair[];
  body: Uint8Array;
  trailers: Pair[];
}

export interface HttpCallRequest {
  baseUrl: string;
  headers: Pair[];
  body: Uint8Array;
  timeoutMs: number;
  signal: AbortSignal;
}

function localResponse(status: number, body: string): HttpCallResult {
  return {
    headers: [
      [":status", String(status)],
      ["content-length", String(Buffer.byteLength(body))],
      ["content-type", "text/plain"],
    ],
    body: new Uint8Array(Buffer.from(body)),
    trailers: [],
  };
}

/** Resolves with the response, or with "reset" when the upstream broke the response mid-way. */
export function performHttpCall(req: HttpCallRequest): Promise<HttpCallResult | "reset"> {
  return new Promise((resolve) => {
    const get = (k: string) => req.headers.find(([hk]) => lowerAscii(hk) === k)?.[1];
    const base = new URL(req.baseUrl);
    const path = get(":path")!;
    const target = new URL(base.pathname.replace(/\/$/, "") + path, base);
    const outHeaders: string[] = [];
    for (const [k, v] of req.headers) {
      const lk = lowerAscii(k);
      if (lk.startsWith(":")) continue;
      outHeaders.push(lk, v);
    }
    outHeaders.push("host", get(":authority")!);
    if (req.body.length > 0) outHeaders.push("content-length", String(req.body.length));
    const mod = target.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (r: HttpCallResult | "reset") => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const request = mod.request(target, {
      method: get(":method")!,
      headers: outHeaders as unknown as http.OutgoingHttpHeaders,
      signal: req.signal,
      agent: false,
    });
    const timer =
      req.timeoutMs > 0
        ? setTimeout(() => {
            request.destroy();
            finish(localResponse(504, "upstream request timeout"));
          }, req.timeoutMs)
        : undefined;
    request.on("error", () => {
      if (req.signal.aborted) return finish("reset");
      finish(localResponse(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure"));
    });
    request.on("response", (res) => {
      const headers: Pair[] = [[":status", String(res.statusCode ?? 0)]];
      for (let i = 0; i < res.rawHeaders.length; i += 2) {
        // Node decodes header bytes as latin1, so these strings are already byte-exact.
        headers.push([lowerAscii(res.rawHeaders[i]!), res.rawHeaders[i + 1]!]);
      }
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", () => finish("reset"));
      res.on("aborted", () => finish("reset"));
      res.on("end", () => {
        const trailers: Pair[] = [];
        for (let i = 0; i < res.rawTrailers.length; i += 2) trailers.push([lowerAscii(res.rawTrailers[i]!), res.rawTrailers[i + 1]!]);
        finish({ headers, body: new Uint8Array(Buffer.concat(chunks)), trailers });
      });
    });
    request.end(Buffer.from(req.body));
  });
}
