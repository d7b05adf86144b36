// The built-in demo upstream `waf serve` starts when no --upstream is given: it answers every request with
// a JSON description of what reached it (method, path, headers, body size and digest), so a user can see at
// once what the WAF let through, and tests can check it byte for byte.
import http from "node:http";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";

export interface DemoUpstream {
  readonly url: URL;
  close(): Promise<void>;
}

export async function startDemoUpstream(host = "127.0.0.1", port = 0): Promise<DemoUpstream> {
  const server = http.createServer((req, res) => {
    const hash = createHash("sha256");
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      hash.update(chunk);
    });
    req.on("end", () => {
      const body = JSON.stringify({
        service: "workload-waf demo upstream",
        method: req.method,
        path: req.url,
        headers: pairs(req.rawHeaders),
        body: { bytes: size, sha256: hash.digest("hex") },
      }, null, 2) + "\n";
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: new URL(`http://${host}:${address.port}/`),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function pairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}
