// The benchmark's result: one JSON document (--json) and the readable tables printed on stdout.
import type { E2eReport } from "./e2e";
import type { MachineInfo } from "./machine";
import type { MemoryReport } from "./memory";
import { formatLibinjection, type LibinjectionRow } from "../libinjection/bench";
import type { EngineRun } from "./ours";
import type { Summary } from "./stats";
import { describeVerdicts } from "./verdict";

export interface WorkloadResult {
  name: string;
  description: string;
  ours: EngineRun;
  modsec: EngineRun | null;
  /** ModSecurity time_us / ours time_us (median, p99), and against our wall time per line. */
  ratio: { median: number | null; p99: number | null; medianVsWall: number | null };
  /** Whether both engines reported the same matched ids and interventions for every line (null without ModSecurity). */
  sameVerdicts: boolean | null;
  /** The first measured line where they differ: "matched|intervention" as each engine reported it. */
  firstDifference: { line: number; ours: string; modsec: string } | null;
}

export interface RuleSetResult {
  label: string;
  paranoia: number | null;
  ours: { openMs: number };
  modsec: { version: string; rules: number; loadMs: number; startMs: number } | null;
  workloads: WorkloadResult[];
}

export interface BenchReport {
  machine: MachineInfo;
  options: { iterations: number; warmup: number; budgetS: number; quick: boolean; workloads: string[]; paranoia: number[]; rules: string[] };
  wasm: { path: string; bytes: number; sha256: string; modified: string };
  modsecSkipped: string | null;
  /** Did our filter evaluate rules? Judged from what it reported (never assumed). */
  rulesEvaluated: { verdict: boolean | null; evidence: string };
  ruleSets: RuleSetResult[];
  memory: MemoryReport | null;
  memorySkipped: string | null;
  /** @detectSQLi / @detectXSS per byte (null with --no-libinjection) */
  libinjection: LibinjectionRow[] | null;
  e2e: E2eReport | null;
}

const f = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || !Number.isFinite(n) ? "-" : n.toFixed(digits));
const us = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "-" : n >= 100 ? n.toFixed(0) : n.toFixed(1));
const mib = (b: number) => `${(b / 1048576).toFixed(2)} MiB`;
const tps = (s: Summary | undefined) => (s && Number.isFinite(s.txPerSec) ? Math.round(s.txPerSec).toLocaleString("en-US") : "-");

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function formatReport(r: BenchReport): string {
  const out: string[] = [];
  const m = r.machine;
  out.push(`workload-waf benchmark — ${m.date}`);
  out.push(`machine: ${m.nproc} cores (nproc), ${m.cpu}; Node ${m.node}`);
  out.push(`command: ${m.command}`);
  out.push(`filter: ${r.wasm.path} (${r.wasm.bytes.toLocaleString("en-US")} bytes, sha256 ${r.wasm.sha256.slice(0, 12)}…, built ${r.wasm.modified})`);
  const budget = r.options.budgetS > 0 ? `, or fewer once ${r.options.budgetS} s are spent (n column)` : "";
  out.push(`iterations: ${r.options.iterations} measured after ${r.options.warmup} warm-up, per workload and engine${budget}${r.options.quick ? " (--quick)" : ""};`);
  out.push(`            the same lines through both engines, one engine after the other (tests/bench/paired.ts)`);
  out.push(`times: µs per transaction; ours = time_us inside the filter's callbacks (1 µs resolution), wall = the whole check line in-process;`);
  out.push(`       ModSecurity = time_us inside libmodsecurity (modsec-check, lines sent back to back); tx/s = 1e6 / mean, one core`);
  out.push("");
  out.push(`DID OUR FILTER EVALUATE RULES? ${r.rulesEvaluated.verdict === null ? "unknown" : r.rulesEvaluated.verdict ? "yes" : "NO"} — ${r.rulesEvaluated.evidence}`);
  if (r.modsecSkipped) out.push(`ModSecurity v3 skipped: ${r.modsecSkipped}`);

  for (const rs of r.ruleSets) {
    out.push("");
    const ms = rs.modsec ? `; ModSecurity ${rs.modsec.version}: ${rs.modsec.rules} rules loaded in ${rs.modsec.loadMs.toFixed(0)} ms (process ready in ${rs.modsec.startMs.toFixed(0)} ms)` : "";
    out.push(`== ${rs.label}, block mode — our check session opened in ${rs.ours.openMs.toFixed(0)} ms${ms}`);
    const rows = rs.workloads.map((w) => [
      w.name,
      `${w.ours.timeUs.n}/${w.modsec ? w.modsec.timeUs.n : "-"}`,
      us(w.ours.timeUs.median),
      us(w.ours.timeUs.p99),
      tps(w.ours.timeUs),
      us(w.ours.wallUs?.median),
      us(w.ours.wallUs?.p99),
      tps(w.ours.wallUs),
      us(w.modsec?.timeUs.median),
      us(w.modsec?.timeUs.p99),
      tps(w.modsec?.timeUs),
      f(w.ratio.median, 2),
      f(w.ratio.p99, 2),
      f(w.ratio.medianVsWall, 2),
    ]);
    out.push(
      table(
        ["workload", "n ours/ms", "ours med", "ours p99", "ours tx/s", "wall med", "wall p99", "wall tx/s", "modsec med", "modsec p99", "modsec tx/s", "ratio med", "ratio p99", "ratio/wall"],
        rows,
      ),
    );
    out.push("ratio = ModSecurity / ours (time_us; ratio/wall: ModSecurity median / our wall median); > 1 means ours is faster");
    out.push("what each engine reported (matched rule ids, intervention):");
    for (const w of rs.workloads) {
      const agree = w.sameVerdicts === null ? "" : w.sameVerdicts ? "  [same verdicts]" : "  [verdicts DIFFER]";
      out.push(`  ${w.name}${agree}`);
      out.push(`    ours:        ${describeVerdicts(w.ours.verdicts)}`);
      if (w.modsec) out.push(`    ModSecurity: ${describeVerdicts(w.modsec.verdicts)}`);
      if (w.firstDifference) {
        const d = w.firstDifference;
        out.push(`    first difference, measured line ${d.line}: ours ${d.ours}  ≠  ModSecurity ${d.modsec}`);
      }
    }
  }

  out.push("");
  if (r.memory) {
    const mm = r.memory;
    out.push(`== start-up and memory (${mm.ruleSet}, block mode)`);
    out.push(`  .wasm: ${mm.wasmBytes.toLocaleString("en-US")} bytes; compiled table: ${mm.tableBytes.toLocaleString("en-US")} bytes, ${mm.rules} rules (${mm.tableCached ? "from the disk cache" : "compiled"}, SecLang parse + table in ${mm.tableLoadMs.toFixed(0)} ms)`);
    out.push(`  VM start → configured (WasmPlugin.load with the table): ${mm.vmStartMs.toFixed(1)} ms median, ${mm.vmStartP90Ms.toFixed(1)} ms p90 of ${mm.vmStartSamples.length} starts (first load, with WebAssembly.compile: ${mm.firstLoadMs.toFixed(1)} ms)`);
    out.push(`  linear memory: ${mib(mm.memoryAfterLoad)} after load; ${mib(mm.memoryAfterRun)} after ${mm.transactions.toLocaleString("en-US")} mixed transactions (growth ${mib(mm.growthBytes)}; from 10,000 to ${mm.transactions.toLocaleString("en-US")}: ${mm.growthAfter10kBytes === null ? "n/a, run ≤ 10,000" : mib(mm.growthAfter10kBytes)})`);
    out.push(`  checkpoints: ${mm.memoryCheckpoints.map(([n, b]) => `${n.toLocaleString("en-US")} tx → ${mib(b)}`).join(", ")}`);
    out.push(`  run: ${(mm.runMs / 1000).toFixed(1)} s (${us(mm.runMeanUs)} µs per transaction), ${mm.disrupted.toLocaleString("en-US")} transactions disrupted by the filter, ${mm.vmFailures} VM failures`);
    const modsecLoads = r.ruleSets.filter((rs) => rs.modsec).map((rs) => `${rs.label}: ${rs.modsec!.loadMs.toFixed(0)} ms`);
    if (modsecLoads.length) out.push(`  ModSecurity rule load (its stderr): ${modsecLoads.join("; ")}`);
  } else out.push(`== start-up and memory: skipped (${r.memorySkipped})`);

  out.push("");
  if (r.libinjection) {
    out.push("== libinjection: @detectSQLi / @detectXSS in the filter's code, ns per input byte (loop inside wasm)");
    for (const line of formatLibinjection(r.libinjection)) out.push("  " + line);
    out.push("");
  }
  if (!r.e2e) out.push("== end to end: skipped (not requested; use --e2e)");
  else if (r.e2e.skipped) out.push(`== end to end: skipped — ${r.e2e.skipped}`);
  else {
    const e = r.e2e;
    out.push(
      `== end to end (${e.ruleSet}, block mode): wrk -t1 -c<conns> -d${e.durationS}s on loopback, ${e.rounds} interleaved round(s) of every target, ` +
        "medians; added = p(target) − p(direct) in the same round at the same load",
    );
    out.push(`  conns ${e.connections}: throughput (a saturated proxy's latency is mostly queueing); conns 1: the latency the proxy itself adds`);
    out.push(`  waf serve: build/waf.mjs with ${e.wasm} (sha256 ${e.wasmSha256.slice(0, 12)}…${e.sameWasmAsMeasured ? ", the module measured above" : ", NOT the module measured above: the build changed during the run"})`);
    out.push(
      table(
        ["scenario", "conns", "target", "req/s", "p50 ms", "p99 ms", "added p50", "added p99", "cpu µs/req", "non-2xx"],
        e.results.map((x) => [
          x.scenario, String(x.connections), x.target, f(x.wrk.requestsPerSec), f(x.wrk.p50Ms, 3), f(x.wrk.p99Ms, 3),
          f(x.addedP50Ms, 3), f(x.addedP99Ms, 3), f(x.cpuUsPerRequest), String(x.wrk.non2xx),
        ]),
      ),
    );
    if (e.nginxSkipped) out.push(`  nginx + ModSecurity skipped: ${e.nginxSkipped}`);
  }
  return out.join("\n") + "\n";
}
