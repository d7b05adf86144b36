// Loops one workload through our filter (the same check session as the bench) so it can be profiled:
//   node --cpu-prof --import tsx tests/bench/profile-driver.ts WORKLOAD [PL] [N]
// RULES=a.conf,b.conf replaces the CRS (e.g. an empty rule set to measure the fixed per-transaction cost).
// Prints the median and mean time_us. Not part of `npm run bench`.
import { openCheckSession } from "../../cli/commands/check";
import { workloads } from "./workloads";
import { crsRuleSet, customRuleSet } from "./rules";

const [name = "simple_get", pl = "1", n = "200", wasm = "build/waf.wasm"] = process.argv.slice(2);
const w = workloads().find((x) => x.name === name);
if (!w) throw new Error(`no workload ${name}`);
const rules = process.env.RULES ? customRuleSet(process.env.RULES.split(",")) : crsRuleSet(process.env.CRS ?? "/work/shared/crs/v4.28.0", "v4.28.0", Number(pl));
const session = await openCheckSession([...rules.files], { mode: "block", directive: [...rules.directives], wasm });
const lines = w.txs.map((t) => JSON.stringify(t));
for (let i = 0; i < 20; i++) session.line(lines[i % lines.length]!);
const times: number[] = [];
const t0 = performance.now();
for (let i = 0; i < Number(n); i++) {
  const out = session.line(lines[i % lines.length]!)!;
  times.push((JSON.parse(out) as { time_us: number }).time_us);
}
const wall = performance.now() - t0;
times.sort((a, b) => a - b);
const mean = times.reduce((a, b) => a + b, 0) / times.length;
console.log(`${name} PL${pl}: n=${n} median ${times[times.length >> 1]} µs, mean ${mean.toFixed(0)} µs, wall/tx ${((wall * 1000) / Number(n)).toFixed(0)} µs`);
