// How a fuzz campaign is sized, seeded and replayed, how one case is run and judged, and what a failure prints.
//
//   WAF_FUZZ_ITERATIONS  cases per family and mode (CI default below; a long local campaign: 2000 or more)
//   WAF_FUZZ_SEED        the campaign seed (default fixed, so CI is deterministic); each case's seed derives from
//                        it and the case index (rand.ts caseSeed)
//   WAF_FUZZ_CASE        replay one case and nothing else: "<family>:<case seed>", as printed by a failure
//
// A failure names the family, the case seed, the campaign seed and index, the exact replay command, the
// violations, a preview of the input, and the path of a JSON file holding the whole input (base64 bytes).
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CrsFilter } from "./crs-filter";
import { checkTransaction, type Verdict } from "./invariants";
import { TxRun, type FuzzTx, type Observed } from "./stream-run";

export const ITERATIONS = positiveInt("WAF_FUZZ_ITERATIONS", 6);
export const CAMPAIGN_SEED = positiveInt("WAF_FUZZ_SEED", 20261125);

/** A single case to replay ("family:seed"), or null for a whole campaign. */
export function replayCase(): { family: string; seed: number } | null {
  const v = process.env.WAF_FUZZ_CASE;
  if (!v) return null;
  const m = /^(.+):(\d+)$/.exec(v);
  if (!m) throw new Error(`WAF_FUZZ_CASE must be <family>:<seed>, got ${JSON.stringify(v)}`);
  return { family: m[1]!, seed: Number(m[2]) };
}

function positiveInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  if (!/^\d+$/.test(v)) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

let requestSeq = 0;

/** Runs one transaction to completion and judges it with the log lines it produced. */
export function runCase(f: CrsFilter, tx: FuzzTx): { seen: Observed; verdict: Verdict } {
  f.logs.length = 0;
  const seen = new TxRun(f.plugin, tx, `fuzz-${++requestSeq}`).finish();
  const verdict = checkTransaction(f.mode, f.plugin, tx, seen, f.logs);
  f.logs.length = 0;
  return { seen, verdict };
}

const esc = (b: Buffer, max = 160) => JSON.stringify(b.subarray(0, max).toString("latin1")) + (b.length > max ? `…(+${b.length - max} bytes)` : "");

export function preview(tx: FuzzTx): string {
  const lines = [`  ${tx.method} ${esc(tx.uri)} (${tx.uri.length} bytes)`];
  for (const [k, v] of tx.headers.slice(0, 12)) lines.push(`  ${esc(k, 40)}: ${esc(v, 100)}`);
  if (tx.headers.length > 12) lines.push(`  … ${tx.headers.length} headers in all`);
  lines.push(`  body ${tx.body.length} bytes in ${tx.cuts.length + 1} calls${tx.trailers ? " + trailers" : ""}: ${esc(tx.body)}`);
  if (tx.response) lines.push(`  response ${tx.response.status}, ${tx.response.headers.length} headers, body ${tx.response.body.length} bytes in ${tx.response.cuts.length + 1} calls: ${esc(tx.response.body, 80)}`);
  return lines.join("\n");
}

/** The whole input as JSON (bytes base64), for a replay outside the suite or a bug report. */
export function dumpCase(tx: FuzzTx, label: string): string {
  const b64 = (b: Buffer) => b.toString("base64");
  const pairs = (p: Array<[Buffer, Buffer]>) => p.map(([k, v]) => [b64(k), b64(v)]);
  const file = join(tmpdir(), `waf-fuzz-${label.replace(/[^A-Za-z0-9_.-]+/g, "_")}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      kind: tx.kind, method: tx.method, uri: b64(tx.uri), headers: pairs(tx.headers), body: b64(tx.body), cuts: tx.cuts,
      trailers: tx.trailers ? pairs(tx.trailers) : undefined,
      response: tx.response ? { status: tx.response.status, headers: pairs(tx.response.headers), body: b64(tx.response.body), cuts: tx.response.cuts } : undefined,
    }),
  );
  return file;
}

/** The assertion message of a failed case: enough to replay it and to see what it was. */
export function describeFailure(opts: { family: string; seed: number; index?: number; mode: string; testFile: string; violations: string[]; tx: FuzzTx }): string {
  const label = `${opts.family}-${opts.seed}-${opts.mode}`;
  return [
    `fuzz case ${opts.family}:${opts.seed} failed in ${opts.mode} mode` +
      (opts.index !== undefined ? ` (campaign seed ${CAMPAIGN_SEED}, case #${opts.index})` : ""),
    ...opts.violations.map((v) => `  - ${v}`),
    "input:",
    preview(opts.tx),
    `whole input: ${dumpCase(opts.tx, label)}`,
    `replay: WAF_FUZZ_CASE=${opts.family}:${opts.seed} node scripts/test-ts.mjs ${opts.testFile}`,
  ].join("\n");
}
