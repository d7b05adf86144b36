/**
 * Per-byte cost of the native detectSQLi / detectXSS (issue: "a benchmark reports the per-byte cost of both operators
 * on benign and attack inputs"), on benign, attack and adversarial inputs at several sizes. The loop runs inside wasm
 * (no host-call overhead per iteration). `npm run bench` prints this table (section "libinjection"); alone:
 *
 *   node --import tsx tests/libinjection/bench.ts [--quick]
 *
 * Work is linear in the input, so ns/byte should stay flat (or drop, as fixed costs amortise) as sizes grow.
 */
import { pathToFileURL } from "node:url";
import { loadDetectors } from "./helpers/wasm";


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

export interface LibinjectionRow {
  case: string;
  kind: "benign" | "attack" | "adversarial";
  bytes: number;
  sqliNsPerByte: number;
  xssNsPerByte: number;
  sqliMatch: boolean;
  xssMatch: boolean;
}

export async function measureLibinjection(quick: boolean): Promise<LibinjectionRow[]> {
  const sizes = quick ? [64, 4096] : [64, 1024, 16384, 262144];
  const det = await loadDetectors();
  const rows: LibinjectionRow[] = [];
  for (const c of CASES) {
    for (const size of sizes) {
      const input = c.prefix ? Buffer.concat([Buffer.from(c.prefix, "latin1"), fill(c.unit, size - c.prefix.length)]) : fill(c.unit, size);
      const ns: number[] = [];
      const hits: boolean[] = [];
      for (const which of [0, 1] as const) {
        const budgetBytes = quick ? 2e6 : 2e7;
        const times = Math.max(3, Math.floor(budgetBytes / size));
        det.repeat(input, Math.max(1, Math.floor(times / 10)), which); // warm-up
        const t0 = process.hrtime.bigint();
        const n = det.repeat(input, times, which);
        ns.push(Number(process.hrtime.bigint() - t0) / times / size);
        hits.push(n > 0);
      }
      rows.push({ case: c.name, kind: c.kind, bytes: size, sqliNsPerByte: ns[0]!, xssNsPerByte: ns[1]!, sqliMatch: hits[0]!, xssMatch: hits[1]! });
    }
  }
  return rows;
}

export function formatLibinjection(rows: LibinjectionRow[]): string[] {
  const table = [["case", "kind", "bytes", "sqli ns/B", "xss ns/B", "sqli", "xss"]];
  for (const r of rows)
    table.push([r.case, r.kind, String(r.bytes), r.sqliNsPerByte.toFixed(2), r.xssNsPerByte.toFixed(2), r.sqliMatch ? "match" : "-", r.xssMatch ? "match" : "-"]);
  const w = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  return table.map((r) => r.map((x, i) => (i >= 2 && i <= 4 ? x.padStart(w[i]!) : x.padEnd(w[i]!))).join("  "));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  void measureLibinjection(process.argv.includes("--quick")).then((rows) => console.log(formatLibinjection(rows).join("\n")));
}
