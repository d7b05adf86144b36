// ModSecurity v3 (Debian libmodsecurity3) through its check-jsonl peer, tests/peers/modsecurity-check. Lines
// are written back to back in batches — the peer's notes: a process left idle between requests measures colder,
// slower runs — and time_us is what the peer measured inside libmodsecurity for each transaction.
import { ModsecCheckSession, ModsecPeer } from "../peers/modsecurity-check/index";
import type { EngineRun } from "./ours";
import type { RuleSetSpec } from "./rules";
import { summarize } from "./stats";
import { VerdictCollector, type CheckLine } from "./verdict";
import type { Workload } from "./workloads";

export interface ModsecOpen {
  session: ModsecCheckSession;
  /** What the peer printed on its standard error: rules loaded and the time libmodsecurity took to load them. */
  version: string;
  rules: number;
  loadMs: number;
  /** Process start to ready, as seen from here. */
  startMs: number;
}

/** Why ModSecurity cannot be measured here, or false when it can. */
export function modsecUnavailable(): string | false {
  const a = ModsecPeer.available();
  return a.ok ? false : a.reason;
}

export async function openModsec(rules: RuleSetSpec, dir: string): Promise<ModsecOpen> {
  const t0 = performance.now();
  const session = await ModsecCheckSession.start(["--mode", "block", ...rules.modsecConfs(dir)]);
  return { session, version: session.version, rules: session.rules, loadMs: session.loadMs, startMs: performance.now() - t0 };
}

/**
 * Sends up to `count` lines (cycling through the workload) in batches of at most 64 lines or about 4 MB, each
 * batch written back to back and answered before the next; stops early once `budgetMs` (0 = none) is spent.
 */
async function send(session: ModsecCheckSession, lines: string[], count: number, budgetMs: number, onLine: (l: CheckLine) => void): Promise<void> {
  const t0 = performance.now();
  let i = 0;
  while (i < count) {
    const batch: Array<Promise<string>> = [];
    let bytes = 0;
    while (i < count && batch.length < 64 && (bytes < 4 << 20 || batch.length === 0)) {
      const text = lines[i % lines.length]!;
      bytes += text.length;
      batch.push(session.requestLine(text));
      i++;
    }
    for (const out of await Promise.all(batch)) onLine(JSON.parse(out) as CheckLine);
    if (budgetMs > 0 && performance.now() - t0 > budgetMs) break;
  }
}

/** Like runOurs: warm-up (a quarter of the budget at most), then up to `iterations` measured lines. */
export async function runModsec(session: ModsecCheckSession, w: Workload, warmup: number, iterations: number, budgetMs = 0): Promise<EngineRun> {
  const lines = w.txs.map((t) => JSON.stringify(t));
  await send(session, lines, warmup, budgetMs / 4, () => {});
  const times: number[] = [];
  const verdicts = new VerdictCollector();
  await send(session, lines, iterations, budgetMs, (line) => {
    verdicts.add(line);
    if (typeof line.time_us === "number") times.push(line.time_us);
  });
  return { timeUs: summarize(times), verdicts: verdicts.result(), signatures: verdicts.signatures, raw: { time: times } };
}
