// ModSecurity v3 (Debian libmodsecurity3) through its check-jsonl peer, tests/peers/modsecurity-check. Lines
// are written back to back in batches — the peer's notes: a process left idle between requests measures colder,
// slower runs — and time_us is what the peer measured inside libmodsecurity for each transaction.
import { ModsecCheckSession, ModsecPeer } from "../peers/modsecurity-check/index";
import type { EngineSamples } from "./ours";
import type { RuleSetSpec } from "./rules";
import type { CheckLine } from "./verdict";

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

/** Sends `lines` back to back (one batch, answered before this returns); with `into`, each answer is recorded. */
export async function modsecBlock(session: ModsecCheckSession, lines: string[], into: EngineSamples | null): Promise<void> {
  const answers = await Promise.all(lines.map((text) => session.requestLine(text)));
  if (!into) return;
  for (const out of answers) {
    const line = JSON.parse(out) as CheckLine;
    into.verdicts.add(line);
    if (typeof line.time_us === "number") into.times.push(line.time_us);
  }
}
