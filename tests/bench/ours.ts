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

/** The measured lines of one engine: times, walls (ours only), verdicts. */
export class EngineSamples {
  readonly times: number[] = [];
  readonly walls: number[] = [];
  readonly verdicts = new VerdictCollector();

  /** Keeps the first n lines only. */
  cut(n: number): void {
    this.times.length = Math.min(this.times.length, n);
    this.walls.length = Math.min(this.walls.length, n);
    this.verdicts.cut(n);
  }

  result(withWall: boolean): EngineRun {
    return {
      timeUs: summarize(this.times),
      ...(withWall ? { wallUs: summarize(this.walls) } : {}),
      verdicts: this.verdicts.result(),
      signatures: this.verdicts.signatures,
      raw: { time: this.times, ...(withWall ? { wall: this.walls } : {}) },
    };
  }
}

/** Runs `lines` through our session one by one; with `into`, each answer is recorded there. */
export function oursBlock(session: CheckSession, w: Workload, lines: string[], into: EngineSamples | null): void {
  for (const text of lines) {
    const t0 = performance.now();
    const out = session.line(text);
    const t1 = performance.now();
    if (out === null) throw new Error(`check session skipped a line of ${w.name}`);
    if (!into) continue;
    const line = JSON.parse(out) as CheckLine;
    into.verdicts.add(line);
    if (typeof line.time_us === "number") into.times.push(line.time_us);
    into.walls.push((t1 - t0) * 1000);
  }
}
