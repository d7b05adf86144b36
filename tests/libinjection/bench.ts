/**
 * Benchmark (not a test): per-byte cost of the native detectSQLi / detectXSS on benign, attack and adversarial
 * inputs at several sizes. The loop runs inside wasm (no host-call overhead per iteration).
 *
 *   node --import tsx tests/libinjection/bench.ts [--quick]
 *
 * Work is linear in the input, so ns/byte should stay flat (or drop, as fixed costs amortise) as sizes grow.
 */
import { loadDetectors } from "./helpers/wasm";

const quick = process.argv.includes("--quick");
const SIZES = quick ? [64, 4096] : [64, 1024, 16384, 262144];

function fill(unit: string, size: number): Buffer {
  const u = Buffer.from(unit, "latin1");
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += u.length) u.copy(b, i, 0, Math.min(u.length, size - i));
  return b;
}

const CASES: Array<{ name: string; kind: "benign" | "attack" | "adversarial"; unit: string; prefix?: string }> = [
  { name: "prose with quotes", kind: "benign", unit: "It's the user's choice, isn't it? \"Yes\" -- said O'Brien. " },
  { name: "form value", kind: "benign", unit: "john.doe+news@example.com&zip=90210&q=rock+n+roll " },
  { name: "html snippet", kind: "benign", unit: "<p class=\"x\">Hello <b>world</b> &amp; friends</p> " },
  { name: "sqli union", kind: "attack", unit: " ", prefix: "1' union select null,concat(user(),0x3a,version()),3-- " },
  { name: "xss img onerror", kind: "attack", unit: " ", prefix: "\"><img src=x onerror=alert(document.cookie)>" },
  { name: "fold chain 1+1+...", kind: "adversarial", unit: "1+" },
  { name: "quotes and backslashes", kind: "adversarial", unit: "\\'\\\"'" },
  { name: "open tags <a <a", kind: "adversarial", unit: "<a " },
  { name: "entity soup", kind: "adversarial", unit: "<a href=&#x6a;&#0000106" },
];

async function main(): Promise<void> {
  const det = await loadDetectors();
  const rows: string[][] = [["case", "kind", "bytes", "sqli ns/B", "xss ns/B", "sqli", "xss"]];
  for (const c of CASES) {
    for (const size of SIZES) {
      const input = c.prefix ? Buffer.concat([Buffer.from(c.prefix, "latin1"), fill(c.unit, size - c.prefix.length)]) : fill(c.unit, size);
      const res: string[] = [];
      const hits: string[] = [];
      for (const which of [0, 1] as const) {
        const budgetBytes = quick ? 2e6 : 2e7;
        const times = Math.max(3, Math.floor(budgetBytes / size));
        det.repeat(input, Math.max(1, Math.floor(times / 10)), which); // warm-up
        const t0 = process.hrtime.bigint();
        const n = det.repeat(input, times, which);
        const ns = Number(process.hrtime.bigint() - t0);
        res.push((ns / times / size).toFixed(2));
        hits.push(n > 0 ? "match" : "-");
      }
      rows.push([c.name, c.kind, String(size), res[0]!, res[1]!, hits[0]!, hits[1]!]);
    }
  }
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((x, i) => (i >= 2 && i <= 4 ? x.padStart(w[i]!) : x.padEnd(w[i]!))).join("  "));
}

void main();
