// Our filter through `waf check`'s session (cli/commands/check.ts): the real .wasm in our proxy-wasm host, one
// transaction per line. time_us is what the host measured inside the filter's callbacks (1 µs resolution);
// wall is the whole line — JSON parse, stream set-up, the callbacks, the answer — as a caller sees it.
import { openCheckSession, type CheckSession } from "../../cli/commands/check";
import type { RuleSetSpec } from "./rules";
import { summarize, type Summary } from "./stats";
import { VerdictCollector, type CheckLine, type Verdicts } from "./verdict";
import type { Workload } from "./workloads";

export interface EngineRun {
  timeUs: Summary;
  /** Only for our filter: wall time per line, µs. */
  wallUs?: Summary;
  verdicts: Verdicts;
  /** Per-line verdict signatures (compared between engines, then dropped from the report). */
  signatures?: string[];
  /** Raw samples (to cut both engines to the same lines), dropped from the report. */
  raw?: { time: number[]; wall?: number[] };
}

export async function openOurs(rules: RuleSetSpec, wasm: string): Promise<{ session: CheckSession; openMs: number }> {
  const t0 = performance.now();
  const session = await openCheckSession([...rules.files], { mode: "block", directive: [...rules.directives], wasm });
  return { session, openMs: performance.now() - t0 };
}

/**
 * Warm-up, then up to `iterations` measured lines, cycling through the workload's transactions. A time budget
 * (ms, 0 = none) bounds the heavy workloads: measuring stops once it is spent (the report gives n); the warm-up
 * gets a quarter of it.
 */
export function runOurs(session: CheckSession, w: Workload, warmup: number, iterations: number, budgetMs = 0): EngineRun {
  const lines = w.txs.map((t) => JSON.stringify(t));
  const w0 = performance.now();
  for (let i = 0; i < warmup; i++) {
    session.line(lines[i % lines.length]!);
    if (budgetMs > 0 && performance.now() - w0 > budgetMs / 4) break;
  }
  const times: number[] = [];
  const walls: number[] = [];
  const verdicts = new VerdictCollector();
  const m0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const text = lines[i % lines.length]!;
    const t0 = performance.now();
    const out = session.line(text);
    const t1 = performance.now();
    if (out === null) throw new Error(`check session skipped a line of ${w.name}`);
    const line = JSON.parse(out) as CheckLine;
    verdicts.add(line);
    if (typeof line.time_us === "number") times.push(line.time_us);
    walls.push((t1 - t0) * 1000);
    if (budgetMs > 0 && t1 - m0 > budgetMs) break;
  }
  return { timeUs: summarize(times), wallUs: summarize(walls), verdicts: verdicts.result(), signatures: verdicts.signatures, raw: { time: times, wall: walls } };
}
