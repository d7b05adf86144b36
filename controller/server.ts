// The controller's HTTP endpoint: probes, metrics, and what the Envoys download —
//   GET /rulesets/current        the compiled rule-set table in force (ETag = its sha256; If-None-Match → 304)
//   GET /rulesets/<sha256>       a table by content address (immutable; the current one and a few before it)
//   GET /wasm/current, /wasm/<sha256>   the filter module
//   GET /settings                the per-destination settings document (JSON, ETag)
//   GET /healthz, /readyz, /metrics
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { ControllerMetrics } from "./metrics";

export interface Blob {
  sha256: string;
  bytes: Uint8Array;
}

export interface ServedState {
  currentRuleSet(): Blob | null;
  ruleSetBySha(sha: string): Blob | null;
  wasm(): Blob | null;
  settingsDocument(): { etag: string; body: string } | null;
  ready(): { ok: boolean; reason: string };
}

export async function startServer(port: number, host: string, state: ServedState, metrics: ControllerMetrics): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    try {
      handle(req, res, state, metrics);
    } catch (e) {
      res.writeHead(500, { "content-type": "text/plain" }).end(`internal error: ${(e as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function handle(req: IncomingMessage, res: ServerResponse, state: ServedState, metrics: ControllerMetrics): void {
  const url = new URL(req.url ?? "/", "http://controller");
  const path = url.pathname;
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" }).end("method not allowed\n");
    return;
  }
  const text = (code: number, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(code, { "content-type": "text/plain; charset=utf-8", ...headers });
    res.end(req.method === "HEAD" ? undefined : body);
  };
  if (path === "/healthz") return text(200, "ok\n");
  if (path === "/readyz") {
    const r = state.ready();
    return text(r.ok ? 200 : 503, `${r.ok ? "ok" : "not ready"}: ${r.reason}\n`);
  }
  if (path === "/metrics") return text(200, metrics.registry.render(), { "content-type": "text/plain; version=0.0.4; charset=utf-8" });

  const count = (code: number) => metrics.ruleSetRequests.inc({ path: path.replace(/[0-9a-f]{64}$/, "<sha256>"), code: String(code) });
  const sendBlob = (blob: Blob | null, immutable: boolean, contentType: string) => {
    if (!blob) {
      count(404);
      return text(404, "not found\n");
    }
    const etag = `"${blob.sha256}"`;
    const headers: Record<string, string> = {
      etag,
      "x-content-sha256": blob.sha256,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    };
    if (!immutable) headers["content-location"] = path.replace(/current$/, blob.sha256);
    if (matches(req.headers["if-none-match"], etag)) {
      count(304);
      res.writeHead(304, headers).end();
      return;
    }
    count(200);
    res.writeHead(200, { ...headers, "content-type": contentType, "content-length": String(blob.bytes.length) });
    res.end(req.method === "HEAD" ? undefined : blob.bytes);
  };

  if (path === "/rulesets/current") return sendBlob(state.currentRuleSet(), false, "application/vnd.workload-waf.table");
  let m = /^\/rulesets\/([0-9a-f]{64})$/.exec(path);
  if (m) return sendBlob(state.ruleSetBySha(m[1]!), true, "application/vnd.workload-waf.table");
  if (path === "/wasm/current") return sendBlob(state.wasm(), false, "application/wasm");
  m = /^\/wasm\/([0-9a-f]{64})$/.exec(path);
  if (m) {
    const w = state.wasm();
    return sendBlob(w && w.sha256 === m[1] ? w : null, true, "application/wasm");
  }
  if (path === "/settings") {
    const doc = state.settingsDocument();
    if (!doc) {
      count(503);
      return text(503, "no settings yet\n");
    }
    const etag = `"${doc.etag}"`;
    if (matches(req.headers["if-none-match"], etag)) {
      count(304);
      res.writeHead(304, { etag, "cache-control": "no-cache" }).end();
      return;
    }
    count(200);
    res.writeHead(200, { etag, "cache-control": "no-cache", "content-type": "application/json" });
    res.end(req.method === "HEAD" ? undefined : doc.body);
    return;
  }
  return text(404, "not found\n");
}

function matches(header: string | string[] | undefined, etag: string): boolean {
  if (!header) return false;
  const list = (Array.isArray(header) ? header.join(",") : header).split(",").map((s) => s.trim().replace(/^W\//, ""));
  return list.includes(etag) || list.includes("*");
}
