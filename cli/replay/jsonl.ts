// Parses one input line of `waf check --jsonl` into a RecordedTransaction, following
// ../shared/design/check-jsonl.md: every field optional, defaults GET / HTTP/1.1 from 127.0.0.1:12345 to
// 127.0.0.1:80, headers as ordered [name, value] pairs, and `"b64": true` making the uri, header names and
// values and both bodies base64 (byte-exact input). A line that does not fit gives a JsonlInputError that
// says which field and what was expected; the run goes on with the next line.
import { isIP } from "node:net";
import type { RecordedTransaction } from "./transaction";

export class JsonlInputError extends Error {}

/** One OUTPUT line of `waf check --jsonl` (and of the ModSecurity harness that speaks the same contract). */
export interface CheckOutputLine {
  index: number;
  id?: unknown;
  matched?: number[];
  intervention?: { disruptive: boolean; status: number; rule_id?: number; phase?: string };
  time_us?: number;
  error?: string;
}

export interface ParsedLine {
  id: unknown;
  tx: RecordedTransaction;
}

export function parseCheckLine(line: string): ParsedLine {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch (err) {
    throw new JsonlInputError(`not valid JSON: ${(err as Error).message}`);
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) throw new JsonlInputError("expected a JSON object");
  const o = obj as Record<string, unknown>;
  const b64 = optionalBool(o, "b64", false);
  const text = (field: string, value: unknown, dflt: string): Uint8Array => {
    if (value === undefined || value === null) return Buffer.from(dflt, "latin1");
    if (typeof value !== "string") throw new JsonlInputError(`"${field}" must be a string`);
    return b64 ? decodeBase64(field, value) : Buffer.from(value, "utf8");
  };
  const body = (field: string, value: unknown, isB64: boolean): Uint8Array => {
    if (value === undefined || value === null) return new Uint8Array(0);
    if (typeof value !== "string") throw new JsonlInputError(`"${field}" must be a string`);
    return isB64 ? decodeBase64(field, value) : Buffer.from(value, "utf8");
  };
  const headers = (field: string, value: unknown): Array<[Uint8Array, Uint8Array]> => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new JsonlInputError(`"${field}" must be an array of [name, value] pairs`);
    return value.map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
        throw new JsonlInputError(`"${field}"[${i}] must be a [name, value] pair of strings`);
      }
      return [text(`${field}[${i}][0]`, pair[0], ""), text(`${field}[${i}][1]`, pair[1], "")] as [Uint8Array, Uint8Array];
    });
  };

  const tx: RecordedTransaction = {
    method: optionalString(o, "method", "GET"),
    uri: latin1(text("uri", o.uri, "/")),
    version: optionalString(o, "version", "HTTP/1.1"),
    headers: headers("headers", o.headers),
    body: body("body", o.body, b64 || optionalBool(o, "body_b64", false)),
    clientIp: optionalIp(o, "client_ip", "127.0.0.1"),
    clientPort: optionalPort(o, "client_port", 12345),
    serverIp: optionalIp(o, "server_ip", "127.0.0.1"),
    serverPort: optionalPort(o, "server_port", 80),
  };
  if (o.response !== undefined && o.response !== null) {
    if (typeof o.response !== "object" || Array.isArray(o.response)) throw new JsonlInputError(`"response" must be an object`);
    const r = o.response as Record<string, unknown>;
    const status = r.status ?? 200;
    if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 999) {
      throw new JsonlInputError(`"response.status" must be an HTTP status code (100..999)`);
    }
    tx.response = {
      status,
      headers: headers("response.headers", r.headers),
      body: body("response.body", r.body, b64 || optionalBool(r, "body_b64", false)),
    };
  }
  return { id: o.id, tx };
}

function optionalString(o: Record<string, unknown>, field: string, dflt: string): string {
  const v = o[field];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string" || v.length === 0) throw new JsonlInputError(`"${field}" must be a non-empty string`);
  return v;
}

function optionalBool(o: Record<string, unknown>, field: string, dflt: boolean): boolean {
  const v = o[field];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "boolean") throw new JsonlInputError(`"${field}" must be true or false`);
  return v;
}

function optionalIp(o: Record<string, unknown>, field: string, dflt: string): string {
  const v = optionalString(o, field, dflt);
  if (isIP(v) === 0) throw new JsonlInputError(`"${field}" must be an IPv4 or IPv6 address, got "${v}"`);
  return v;
}

function optionalPort(o: Record<string, unknown>, field: string, dflt: number): number {
  const v = o[field];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 65535) throw new JsonlInputError(`"${field}" must be a port number 0..65535`);
  return v;
}

function decodeBase64(field: string, value: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value) || value.length % 4 === 1) throw new JsonlInputError(`"${field}" is not valid base64`);
  return Buffer.from(value, "base64");
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
