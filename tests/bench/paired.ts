// Both engines on the same lines: our filter's warm-up and measured lines, then ModSecurity's warm-up and the same
// measured lines, each run hot (the peer measures colder when left idle between lines, and so does ours: measured in
// alternating blocks of 64 lines, both engines ran 20–60% slower than when each ran alone).
// The default warm-up is long (3,000 lines, bounded by a quarter of the budget): our figures settle only after a
// few thousand transactions — with no rules at all, time_us falls from ~55 µs to ~11 µs over the first 3,000 as V8
// optimises the host's JavaScript hostcalls (in Envoy they are C++).
import type { ModsecCheckSession } from "../peers/modsecurity-check/index";
import type { CheckSession } from "../../cli/commands/check";
import { modsecBlock } from "./modsec";
import { EngineSamples, oursBlock, type EngineRun } from "./ours";
import type { Workload } from "./workloads";

/** Lines per batch sent to ModSecurity (fewer for large lines: about 4 MB of input per batch, at least one line). */
const BATCH_LINES = 64;
const BATCH_BYTES = 4 << 20;

export interface PairedRun {
  ours: EngineRun;
  modsec: EngineRun | null;
}

/**
 * For each engine: warm-up lines (stopping early after a quarter of its budget), then up to `iterations` measured
 * lines, cycling through the workload's transactions. Ours stops once `budgetMs` (0 = none) is spent; ModSecurity,
 * which may be the slower engine, then gets exactly the lines ours measured, with three times the budget — should it
 * still stop first, ours is cut to its lines.
 */
export async function runPaired(ours: CheckSession, modsec: ModsecCheckSession | null, w: Workload, warmup: number, iterations: number, budgetMs: number): Promise<PairedRun> {
  const lines = w.txs.map((t) => JSON.stringify(t));
  const o = new EngineSamples();
  await batches(lines, warmup, budgetMs / 4, async (b) => oursBlock(ours, w, b, null));
  const measured = await batches(lines, iterations, budgetMs, async (b) => oursBlock(ours, w, b, o));
  if (!modsec) return { ours: o.result(true), modsec: null };
  const m = new EngineSamples();
  await batches(lines, warmup, (3 * budgetMs) / 4, (b) => modsecBlock(modsec, b, null));
  const answered = await batches(lines, measured, 3 * budgetMs, (b) => modsecBlock(modsec, b, m));
  if (answered < measured) o.cut(answered);
  return { ours: o.result(true), modsec: m.result(false) };
}

/** Runs `count` lines of the cycle through `run` in batches until done or `budgetMs` (0 = none) is spent; returns the
 *  number of lines run. */
async function batches(lines: string[], count: number, budgetMs: number, run: (batch: string[]) => Promise<void>): Promise<number> {
  const t0 = performance.now();
  let i = 0;
  while (i < count) {
    const batch: string[] = [];
    let bytes = 0;
    while (i + batch.length < count && batch.length < BATCH_LINES && (batch.length === 0 || bytes < BATCH_BYTES)) {
      const text = lines[(i + batch.length) % lines.length]!;
      bytes += text.length;
      batch.push(text);
    }
    await run(batch);
    i += batch.length;
    if (budgetMs > 0 && performance.now() - t0 > budgetMs) break;
  }
  return i;
}
