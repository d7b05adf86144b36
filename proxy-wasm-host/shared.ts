// Shared key-value data and shared queues, process-global and scoped by vm_id like Envoy's
// (proxy-wasm-cpp-host src/shared_data.cc, src/shared_queue.cc). They outlive any one VM instance,
// so a reloaded VM sees the data its predecessor stored.
import { WasmResult, type WasmResultCode } from "./abi.js";

interface Entry {
  value: Uint8Array;
  cas: number;
}

let nextCas = 0;
const data = new Map<string, Map<string, Entry>>();

function casValue(): number {
  // cpp-host SharedData::nextCas: a process-wide counter, never 0.
  nextCas = (nextCas + 1) >>> 0;
  if (nextCas === 0) nextCas = 1;
  return nextCas;
}

export function getSharedData(vmId: string, key: string): { rc: WasmResultCode; value?: Uint8Array; cas?: number } {
  const entry = data.get(vmId)?.get(key);
  if (!entry) return { rc: WasmResult.NotFound };
  return { rc: WasmResult.Ok, value: entry.value, cas: entry.cas };
}

/** cas 0 sets unconditionally; otherwise it must equal the stored cas (CasMismatch). */
export function setSharedData(vmId: string, key: string, value: Uint8Array, cas: number): WasmResultCode {
  let map = data.get(vmId);
  if (!map) data.set(vmId, (map = new Map()));
  const entry = map.get(key);
  if (entry && cas !== 0 && cas !== entry.cas) return WasmResult.CasMismatch;
  map.set(key, { value: new Uint8Array(value), cas: casValue() });
  return WasmResult.Ok;
}

/** Who gets proxy_on_queue_ready: the root context that registered the queue (last registration wins). */
export interface QueueListener {
  queueReady(token: number): void;
}

interface Queue {
  items: Uint8Array[];
  listener: QueueListener;
}

let nextQueueToken = 1;
const queueTokens = new Map<string, number>(); // `${vmId}\0${name}` → token
const queues = new Map<number, Queue>();

/** Registering again keeps the token and pending items but moves the listener (cpp-host registerQueue). */
export function registerSharedQueue(vmId: string, name: string, listener: QueueListener): number {
  const key = `${vmId}\0${name}`;
  let token = queueTokens.get(key);
  if (token === undefined) {
    token = nextQueueToken++;
    queueTokens.set(key, token);
  }
  const existing = queues.get(token);
  queues.set(token, { items: existing?.items ?? [], listener });
  return token;
}

export function resolveSharedQueue(vmId: string, name: string): number | undefined {
  return queueTokens.get(`${vmId}\0${name}`);
}

export function dequeueSharedQueue(token: number): { rc: WasmResultCode; value?: Uint8Array } {
  const q = queues.get(token);
  if (!q) return { rc: WasmResult.NotFound };
  const value = q.items.shift();
  if (value === undefined) return { rc: WasmResult.Empty };
  return { rc: WasmResult.Ok, value };
}

/**
 * Envoy posts proxy_on_queue_ready to the registering thread's dispatcher, so it never runs inside
 * the enqueueing call; we defer it with setImmediate.
 */
export function enqueueSharedQueue(token: number, value: Uint8Array): WasmResultCode {
  const q = queues.get(token);
  if (!q) return WasmResult.NotFound;
  q.items.push(new Uint8Array(value));
  const listener = q.listener;
  setImmediate(() => listener.queueReady(token));
  return WasmResult.Ok;
}
