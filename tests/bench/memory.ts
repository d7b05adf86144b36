// Start-up and memory of one VM: the compiled table (size, rules, compile or cache time), VM start to ready
// (WasmPlugin.load with the table: instantiate, vm_start, configure), the VM's linear memory after loading and
// after N mixed transactions (WasmPlugin.memoryBytes: the WebAssembly memory buffer, which only grows).
import { readFileSync, statSync } from "node:fs";
import { WasmPlugin } from "../../proxy-wasm-host/index";
import { parseCheckLine } from "../../cli/replay/jsonl";
import { replay } from "../../cli/replay/transaction";
import { loadRuleSetTable, modeDirective } from "../../cli/ruleset/build";
import type { RuleSetSpec } from "./rules";
import { mixedTraffic } from "./workloads";

export interface MemoryReport {
  ruleSet: string;
  wasmBytes: number;
  tableBytes: number;
  rules: number;
  /** Parsing the SecLang files + compiling (or reading the cached table), ms. */
  tableLoadMs: number;
  tableCached: boolean;
  /** The first WasmPlugin.load in this process: includes WebAssembly.compile of the module. */
  firstLoadMs: number;
  /** Later loads (module compiled once, cached by the host): median VM start → configured, ms. */
  vmStartMs: number;
  /** The same, 90th percentile (nearest rank). */
  vmStartP90Ms: number;
  vmStartSamples: number[];
  memoryAfterLoad: number;
  transactions: number;
  /** Linear memory at checkpoints of the mixed run: [transactions done, bytes]. */
  memoryCheckpoints: Array<[number, number]>;
  memoryAfterRun: number;
  growthBytes: number;
  /** Growth between the 10,000th transaction and the end of the run (null when the run is not longer than 10,000):
   *  wasm memory never shrinks, so anything above 0 here is memory the filter keeps per transaction. */
  growthAfter10kBytes: number | null;
  /** Transactions the filter disrupted / that matched something during the run (0 disrupted with CRS: not inspecting?). */
  disrupted: number;
  vmFailures: number;
  runMs: number;
  /** Mean wall time per transaction of the run, µs (host + filter). */
  runMeanUs: number;
}

async function load(wasm: Uint8Array, table: Uint8Array, onLog: (level: string, message: string) => void): Promise<{ plugin: WasmPlugin; ms: number }> {
  const t0 = performance.now();
  const plugin = await WasmPlugin.load({ wasm, configuration: table, rootId: "waf", vmId: "waf", name: "waf", logLevel: "warn", logger: onLog });
  return { plugin, ms: performance.now() - t0 };
}

/** VM starts timed for the ready-time median and p90 (after one untimed start that compiles the module). */
export const VM_START_SAMPLES = 21;

export async function measureMemory(rules: RuleSetSpec, wasmPath: string, transactions: number, startSamples = VM_START_SAMPLES): Promise<MemoryReport> {
  const wasm = new Uint8Array(readFileSync(wasmPath));
  const t0 = performance.now();
  const ruleset = loadRuleSetTable([...rules.files], [...rules.directives, modeDirective("block")]);
  const tableLoadMs = performance.now() - t0;

  let vmFailures = 0;
  const onLog = (level: string, message: string) => {
    if (message.includes("Wasm VM failed")) vmFailures++;
    else if (level === "error" || level === "critical") process.stderr.write(`bench: [${level}] ${message}\n`);
  };
  const first = await load(wasm, ruleset.table, onLog);
  await first.plugin.close();
  const vmStartSamples: number[] = [];
  let plugin: WasmPlugin | undefined;
  for (let i = 0; i < startSamples; i++) {
    const l = await load(wasm, ruleset.table, onLog);
    vmStartSamples.push(l.ms);
    if (plugin) await plugin.close();
    plugin = l.plugin;
  }
  const p = plugin!;
  const memoryAfterLoad = p.memoryBytes;

  const txs = mixedTraffic().map((t) => parseCheckLine(JSON.stringify(t)).tx);
  const checkpoints: Array<[number, number]> = [[0, memoryAfterLoad]];
  const marks = new Set([1_000, 10_000, 50_000, 100_000, 1_000_000].filter((m) => m < transactions));
  let disrupted = 0;
  const r0 = performance.now();
  for (let i = 0; i < transactions; i++) {
    const o = replay(p, txs[i % txs.length]!, `bench-mem-${i}`);
    if (o.localReply || o.reset !== null) disrupted++;
    if (marks.has(i + 1)) checkpoints.push([i + 1, p.memoryBytes]);
  }
  const runMs = performance.now() - r0;
  const memoryAfterRun = p.memoryBytes;
  checkpoints.push([transactions, memoryAfterRun]);
  await p.close();
  const sorted = [...vmStartSamples].sort((a, b) => a - b);
  return {
    ruleSet: rules.label,
    wasmBytes: statSync(wasmPath).size,
    tableBytes: ruleset.table.length,
    rules: ruleset.rules,
    tableLoadMs,
    tableCached: ruleset.cached,
    firstLoadMs: first.ms,
    vmStartMs: sorted[Math.floor(sorted.length / 2)] ?? NaN,
    vmStartP90Ms: sorted[Math.max(0, Math.ceil(sorted.length * 0.9) - 1)] ?? NaN,
    vmStartSamples,
    memoryAfterLoad,
    transactions,
    memoryCheckpoints: checkpoints,
    memoryAfterRun,
    growthBytes: memoryAfterRun - memoryAfterLoad,
    growthAfter10kBytes: transactions > 10_000 ? memoryAfterRun - checkpoints.find(([n]) => n === 10_000)![1] : null,
    disrupted,
    vmFailures,
    runMs,
    runMeanUs: transactions > 0 ? (runMs * 1000) / transactions : NaN,
  };
}
