// What must hold for every transaction, whatever its bytes. A violation is a bug in the filter (or the host):
//  - the VM never fails: no trap / abort / proc_exit (the host logs "Function: <callback> failed: ..." at error
//    level and marks the VM failed) and no fail-closed 503 ("wasm_fail_stream"); the filter logs no errors;
//  - the transaction ends in exactly one consistent outcome:
//      block mode:  a local reply (3xx/4xx, never 5xx) or a reset only when the event says deny/redirect/drop (a
//                   reset for a deny after the response headers left); otherwise passed through untouched;
//      detect mode: always passed through untouched, the event (if any) says "pass" and "DetectionOnly";
//    "untouched" = the upstream got the request body byte for byte and its end, and the client got the
//    upstream's status and body byte for byte and its end;
//  - at most one JSON event per transaction, and it parses (malformed input must not break its escaping).
import type { EngineMode } from "../../cli/ruleset/build";
import type { WasmPlugin } from "../../proxy-wasm-host/index";
import type { LogLine } from "./crs-filter";
import type { FuzzTx, Observed } from "./stream-run";

export interface WafEvent {
  action: string;
  mode: string;
  rules: Array<{ id: number; disruptive: boolean }>;
}

export interface Verdict {
  violations: string[];
  event: WafEvent | null;
}

/** The JSON events among one transaction's log lines; lines that do not parse are violations. */
export function eventsOf(logs: LogLine[], violations: string[]): WafEvent[] {
  const events: WafEvent[] = [];
  for (const l of logs) {
    if (l.level !== "warn" || !l.message.startsWith("{")) continue;
    try {
      events.push(JSON.parse(l.message) as WafEvent);
    } catch (err) {
      violations.push(`event is not valid JSON (${(err as Error).message}): ${l.message.slice(0, 300)}`);
    }
  }
  return events;
}

const sameBytes = (a: Buffer[], b: Buffer) => Buffer.concat(a).equals(b);

export function checkTransaction(mode: EngineMode, plugin: WasmPlugin, tx: FuzzTx, seen: Observed, logs: LogLine[]): Verdict {
  const v: string[] = [];
  for (const l of logs) if (l.level === "error" || l.level === "critical") v.push(`${l.level} log: ${l.message.slice(0, 500)}`);
  if (plugin.vmFailed) v.push("the VM failed (trap, abort or proc_exit)");
  if (seen.details === "wasm_fail_stream" || (seen.localReply && seen.status === 503)) v.push(`failed closed: status ${seen.status}, details ${seen.details}`);

  const events = eventsOf(logs, v);
  if (events.length > 1) v.push(`${events.length} JSON events for one transaction`);
  const event = events[0] ?? null;
  const expectedMode = mode === "block" ? "On" : "DetectionOnly";
  if (event && event.mode !== expectedMode) v.push(`event mode ${event.mode}, expected ${expectedMode}`);
  // A client that went away mid-stream: only what cannot depend on where it stopped is checked.
  if (tx.abortAfter !== undefined) {
    if (mode === "detect" && (seen.localReply || seen.reset !== null)) v.push(`detect mode disrupted an aborted stream (${seen.details})`);
    return { violations: v, event };
  }

  const passedThrough = () => {
    if (!seen.forwarded) v.push("request headers never reached the upstream");
    if (!seen.upstreamEnded) v.push("the upstream never saw the end of the request");
    if (!sameBytes(seen.upstreamBody, tx.body)) {
      v.push(`upstream got ${Buffer.concat(seen.upstreamBody).length} body bytes that differ from the ${tx.body.length} sent`);
    }
    if (tx.response) {
      if (seen.status !== tx.response.status) v.push(`client got status ${seen.status}, upstream sent ${tx.response.status}`);
      if (!seen.clientEnded) v.push("the client never saw the end of the response");
      if (!sameBytes(seen.clientBody, tx.response.body)) {
        v.push(`client got ${Buffer.concat(seen.clientBody).length} body bytes that differ from the ${tx.response.body.length} sent`);
      }
    }
  };

  if (mode === "detect") {
    if (seen.localReply) v.push(`detect mode sent a local reply ${seen.status} (${seen.details})`);
    if (seen.reset !== null) v.push(`detect mode reset the stream: ${seen.reset}`);
    if (event && event.action !== "pass") v.push(`detect mode event action ${event.action}`);
    if (!seen.localReply && seen.reset === null) passedThrough();
    return { violations: v, event };
  }

  const action = event?.action ?? "pass";
  if (seen.reset !== null) {
    // A drop, or a deny decided after the response headers had left (its body type was not inspected, so they
    // were not held): the client got the upstream's status, then the stream was reset.
    if (action !== "drop" && action !== "deny" && action !== "redirect") v.push(`stream reset (${seen.reset}) but event action ${action}`);
  } else if (seen.localReply) {
    if (action !== "deny" && action !== "redirect") v.push(`local reply ${seen.status} (${seen.details}) but event action ${action}`);
    if (seen.status < 300 || seen.status >= 500) v.push(`local reply with status ${seen.status}`);
    if (event && !event.rules.some((r) => r.disruptive)) v.push("local reply but no disruptive rule in the event");
  } else {
    if (action !== "pass") v.push(`event action ${action} but the transaction passed`);
    passedThrough();
  }
  return { violations: v, event };
}
