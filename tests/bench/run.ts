// `npm run bench`: our filter (the real .wasm in our proxy-wasm host, through `waf check`'s session) against
// ModSecurity v3 (tests/peers/modsecurity-check) on the same check-jsonl workloads and the same CRS, plus
// start-up, memory and (--e2e) `waf serve` under wrk. Prints what each engine reported next to its times, so a
// reader sees whether rules actually ran. Options: tests/bench/args.ts (--help).
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultWasmPath } from "../../cli/paths";
import { SHARED } from "../peers/modsecurity-check/index";
import { parseBenchArgs, USAGE, type BenchOptions } from "./args";
import { runE2e } from "./e2e";
import { measureLibinjection } from "../libinjection/bench";
import { machineInfo } from "./machine";
import { measureMemory } from "./memory";
import { modsecUnavailable, openModsec } from "./modsec";
import { runPaired } from "./paired";
import { openOurs } from "./ours";
import { formatReport, type BenchReport, type RuleSetResult, type WorkloadResult } from "./report";
import { crsRuleSet, customRuleSet, type RuleSetSpec } from "./rules";
import { ratio } from "./stats";
import { describeVerdicts } from "./verdict";
import { workloads } from "./workloads";

const log = (line: string) => process.stderr.write(line + "\n");

function ruleSets(o: BenchOptions): RuleSetSpec[] {
  if (o.rules.length) return [customRuleSet(o.rules)];
  if (!existsSync(join(o.crs, "rules"))) throw new Error(`CRS not found: ${o.crs}/rules (give --crs DIR or set WAF_SHARED_DIR)`);
  return o.paranoia.map((pl) => crsRuleSet(o.crs, o.crsVersion, pl));
}

/** Keeps the first n measured lines of a run (times and verdict signatures). */
function judgeRules(sets: RuleSetResult[], crs: boolean): BenchReport["rulesEvaluated"] {
  const all = sets.flatMap((s) => s.workloads.map((w) => ({ set: s.label, w })));
  const matchedOurs = all.filter(({ w }) => w.ours.verdicts.withMatches > 0 || w.ours.verdicts.disruptive > 0);
  const sqli = all.filter(({ w }) => w.name === "sqli_get");
  const sqliText = sqli
    .map(({ set, w }) => `sqli_get at ${set}: ours ${describeVerdicts(w.ours.verdicts, 8)}${w.modsec ? `; ModSecurity ${describeVerdicts(w.modsec.verdicts, 8)}` : ""}`)
    .join(" | ");
  if (crs && sqli.length) {
    const caught = sqli.every(({ w }) => w.ours.verdicts.withMatches > 0 || w.ours.verdicts.disruptive > 0);
    return {
      verdict: caught,
      evidence: caught ? sqliText : `the filter reported no match on the SQL injection — it appears to pass traffic uninspected, so its times are not comparable. ${sqliText}`,
    };
  }
  if (matchedOurs.length) return { verdict: true, evidence: `matches reported on ${matchedOurs.map(({ set, w }) => `${w.name} (${set}): ${describeVerdicts(w.ours.verdicts, 6)}`).join("; ")}` };
  const modsecOnly = all.filter(({ w }) => w.modsec && (w.modsec.verdicts.withMatches > 0 || w.modsec.verdicts.disruptive > 0));
  if (modsecOnly.length) return { verdict: false, evidence: `ModSecurity matched on ${modsecOnly.map(({ w }) => w.name).join(", ")}, our filter on nothing` };
  return { verdict: null, evidence: "no workload matched any rule in either engine, so this run cannot tell (run sqli_get with the CRS)" };
}

async function main(): Promise<void> {
  let o: BenchOptions;
  try {
    o = parseBenchArgs(process.argv.slice(2), SHARED);
  } catch (err) {
    log(`bench: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const machine = machineInfo();
  const wasmPath = o.wasm ?? defaultWasmPath();
  const wasmBytes = readFileSync(wasmPath);
  const sets = ruleSets(o);
  const all = workloads().filter((w) => o.workloads.includes(w.name));
  const modsecSkipped = !o.modsec ? "--no-modsec" : modsecUnavailable() || null;
  const dir = mkdtempSync(join(tmpdir(), "waf-bench-"));
  // One copy of the module for the whole run: a rebuild of build/waf.wasm meanwhile must not mix two filters.
  const wasm = join(dir, "waf.wasm");
  writeFileSync(wasm, wasmBytes);
  const report: BenchReport = {
    machine,
    options: { iterations: o.iterations, warmup: o.warmup, budgetS: o.budget, quick: o.quick, workloads: o.workloads, paranoia: o.rules.length ? [] : o.paranoia, rules: o.rules },
    wasm: { path: wasmPath, bytes: wasmBytes.length, sha256: createHash("sha256").update(wasmBytes).digest("hex"), modified: statSync(wasmPath).mtime.toISOString() },
    modsecSkipped,
    rulesEvaluated: { verdict: null, evidence: "" },
    ruleSets: [],
    memory: null,
    memorySkipped: null,
    libinjection: null,
    e2e: null,
  };
  try {
    for (const rs of sets) {
      log(`bench: ${rs.label}: loading our filter (the compiled table is cached on disk; a cold compile of the CRS takes a while) …`);
      const ours = await openOurs(rs, wasm);
      const modsec = modsecSkipped ? null : await openModsec(rs, dir);
      const result: RuleSetResult = {
        label: rs.label,
        paranoia: rs.paranoia,
        ours: { openMs: ours.openMs },
        modsec: modsec && { version: modsec.version, rules: modsec.rules, loadMs: modsec.loadMs, startMs: modsec.startMs },
        workloads: [],
      };
      try {
        for (const w of all) {
          log(`bench: ${rs.label}: ${w.name} (${o.warmup} warm-up + ${o.iterations}) …`);
          // the same lines through both engines (tests/bench/paired.ts)
          const { ours: a, modsec: b } = await runPaired(ours.session, modsec?.session ?? null, w, o.warmup, o.iterations, o.budget * 1000);
          const n = Math.min(a.signatures!.length, b?.signatures!.length ?? 0);
          const diffAt = b ? a.signatures!.slice(0, n).findIndex((s, i) => s !== b.signatures![i]) : -1;
          const same = b ? diffAt < 0 : null;
          const firstDifference = b && diffAt >= 0 ? { line: diffAt, ours: a.signatures![diffAt]!, modsec: b.signatures![diffAt]! } : null;
          for (const e of [a, b]) {
            if (!e) continue;
            delete e.signatures;
            delete e.raw;
          }
          const r: WorkloadResult = {
            name: w.name,
            description: w.description,
            ours: a,
            modsec: b,
            ratio: {
              median: ratio(b?.timeUs.median, a.timeUs.median),
              p99: ratio(b?.timeUs.p99, a.timeUs.p99),
              medianVsWall: ratio(b?.timeUs.median, a.wallUs?.median),
            },
            sameVerdicts: same,
            firstDifference,
          };
          result.workloads.push(r);
        }
      } finally {
        await ours.session.close();
        await modsec?.session.close();
      }
      report.ruleSets.push(result);
    }
    report.rulesEvaluated = judgeRules(report.ruleSets, o.rules.length === 0);

    if (!o.memory) report.memorySkipped = "--no-memory";
    else {
      const memSet = o.rules.length ? sets[0]! : crsRuleSet(o.crs, o.crsVersion, Math.max(...o.paranoia));
      log(`bench: start-up and memory: ${memSet.label}, ${o.memoryTransactions.toLocaleString("en-US")} mixed transactions …`);
      report.memory = await measureMemory(memSet, wasm, o.memoryTransactions);
    }

    if (o.libinjection) {
      log("bench: libinjection per-byte cost …");
      report.libinjection = await measureLibinjection(o.quick);
    }

    if (o.e2e) {
      const e2eSet = o.rules.length ? sets[0]! : crsRuleSet(o.crs, o.crsVersion, o.e2eParanoia);
      const serveRuleArgs = o.rules.length ? o.rules : ["--crs", o.crs, "--paranoia", String(o.e2eParanoia)];
      // `waf serve` is build/waf.mjs, whose table compiler must match the filter: it loads its own build/waf.wasm
      // (built with it) unless --wasm was given. The report says when that is not the module measured above.
      report.e2e = await runE2e({ rules: e2eSet, serveRuleArgs, wasm: o.wasm ? wasm : defaultWasmPath(), measuredSha256: report.wasm.sha256, dir, durationS: o.e2eDuration, connections: o.e2eConnections, rounds: o.e2eRounds, log });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  process.stdout.write(formatReport(report));
  if (o.json) {
    writeFileSync(o.json, JSON.stringify(report, null, 2) + "\n");
    log(`bench: wrote ${o.json}`);
  }
}

main().catch((err) => {
  log(`bench: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
