// From the bytes a stage sends to the check-jsonl input object: the codec's view of the request, the
// addresses, and the response the test backend would give. Text stays text when it is valid UTF-8;
// otherwise the whole line switches to `"b64": true` so every byte reaches the engine exactly.
import { isIP } from "node:net";
import { parseHttp1 } from "./codec";
import type { CheckInput, StageRequest } from "./model";
import { albedo } from "./upstream";

export interface Destination {
  destAddr?: string;
  port?: number;
}

const isUtf8 = (b: Buffer) => Buffer.from(b.toString("utf8"), "utf8").equals(b);

export function stageRequest(wire: Buffer, dest: Destination, extraNotes: string[] = []): StageRequest {
  const parsed = parseHttp1(wire);
  if (!parsed.ok) return { kind: "rejected", status: parsed.status, reason: parsed.reason, wire, notes: extraNotes };
  const r = parsed.request;
  const resp = albedo(r);
  const texts: Buffer[] = [r.uri, r.body, resp.body, ...r.headers.flat()];
  const b64 = !texts.every(isUtf8);
  const s = (b: Buffer) => (b64 ? b.toString("base64") : b.toString("utf8"));
  const serverIp = dest.destAddr && isIP(dest.destAddr) ? dest.destAddr : "127.0.0.1";
  const input: CheckInput = {
    method: r.method,
    uri: s(r.uri),
    version: r.version,
    headers: r.headers.map(([k, v]) => [s(k), s(v)] as [string, string]),
    body: s(r.body),
    client_ip: "127.0.0.1",
    client_port: 12345,
    server_ip: serverIp,
    server_port: dest.port ?? 80,
    response: {
      status: resp.status,
      headers: resp.headers.map(([k, v]) => [s(Buffer.from(k, "utf8")), s(Buffer.from(v, "utf8"))] as [string, string]),
      body: s(resp.body),
    },
  };
  if (b64) input.b64 = true;
  return { kind: "ok", input, wire, notes: [...extraNotes, ...r.notes] };
}

/** The request bytes a check-jsonl input stands for (uri, headers and body; for reports and tests). */
export function inputBytes(input: CheckInput): { uri: Buffer; headers: Array<[Buffer, Buffer]>; body: Buffer } {
  const d = (s: string | undefined) => Buffer.from(s ?? "", input.b64 ? "base64" : "utf8");
  return {
    uri: d(input.uri),
    headers: (input.headers ?? []).map(([k, v]) => [d(k), d(v)] as [Buffer, Buffer]),
    body: d(input.body),
  };
}
