// What an engine reported for a workload's transactions (matched rule ids, interventions), kept next to the
// times so a reader sees whether rules ran at all: a filter that passes traffic uninspected is fast for nothing.
import type { CheckOutputLine } from "../../cli/replay/jsonl";

export type CheckLine = CheckOutputLine;

export interface Verdicts {
  total: number;
  /** Lines with at least one matched (logged) rule. */
  withMatches: number;
  disruptive: number;
  errors: number;
  /** Every matched id seen, in order of first appearance. */
  matchedIds: number[];
  /** The first measured line as reported (for single-request workloads, what every line says). */
  first: { matched: number[]; intervention: CheckLine["intervention"] | null; error?: string };
}

export class VerdictCollector {
  private v: Verdicts = { total: 0, withMatches: 0, disruptive: 0, errors: 0, matchedIds: [], first: { matched: [], intervention: null } };
  private seen = new Set<number>();
  /** One "matched|intervention" string per line, to compare two engines line by line. */
  readonly signatures: string[] = [];
  /** The lines added, for cut(). */
  private readonly lines: CheckLine[] = [];

  add(line: CheckLine): void {
    this.lines.push(line);
    const v = this.v;
    this.signatures.push(line.error ? `error` : `${JSON.stringify(line.matched ?? [])}|${JSON.stringify(line.intervention ?? null)}`);
    if (v.total === 0) v.first = { matched: line.matched ?? [], intervention: line.intervention ?? null, ...(line.error ? { error: line.error } : {}) };
    v.total++;
    if (line.error) v.errors++;
    if (line.matched && line.matched.length > 0) v.withMatches++;
    if (line.intervention?.disruptive) v.disruptive++;
    for (const id of line.matched ?? []) {
      if (!this.seen.has(id)) {
        this.seen.add(id);
        v.matchedIds.push(id);
      }
    }
  }

  result(): Verdicts {
    return this.v;
  }

  /** Keeps the first n lines only (the verdicts recounted from them). */
  cut(n: number): void {
    const kept = this.lines.slice(0, n);
    this.v = { total: 0, withMatches: 0, disruptive: 0, errors: 0, matchedIds: [], first: { matched: [], intervention: null } };
    this.seen.clear();
    this.signatures.length = 0;
    this.lines.length = 0;
    for (const line of kept) this.add(line);
  }
}

/** "403 by 949110 in request_headers, matched 942100 942190 …" / "passed, no match". */
export function describeVerdicts(v: Verdicts, maxIds = 12): string {
  if (v.total === 0) return "no transactions";
  const ids = v.matchedIds.length > maxIds ? `${v.matchedIds.slice(0, maxIds).join(" ")} … (${v.matchedIds.length} ids)` : v.matchedIds.join(" ");
  const errs = v.errors ? `, ${v.errors} error lines (${v.first.error ?? "see --json"})` : "";
  if (v.total > 1 && (v.withMatches !== v.total || v.disruptive !== 0) && (v.withMatches !== 0 || v.disruptive !== 0)) {
    return `${v.disruptive}/${v.total} disrupted, ${v.withMatches}/${v.total} with matches: ${ids}${errs}`;
  }
  const i = v.first.intervention;
  const what = i?.disruptive ? `${i.status} by ${i.rule_id ?? "?"} in ${i.phase ?? "?"}` : "passed";
  return `${what}, ${v.matchedIds.length ? `matched ${ids}` : "no match"}${errs}`;
}
