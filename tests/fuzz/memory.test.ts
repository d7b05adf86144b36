// Fuzz: no unbounded memory growth. One VM (CRS v4.28.0 PL4, detect mode so that every phase runs for every
// transaction) runs N fuzz transactions (the generator families in turn, each family twice by default), then the
// same N transactions three times more. The first pass sets the high-water mark of linear memory for this set; on
// the repeats the filter's caches must be full or bounded and nothing may be retained per transaction, so memory
// must not grow. WebAssembly linear memory only grows, so "did not grow" is exact and deterministic (no timing). On
// failure the message names the families whose transactions grew the memory, and by how much per 1000
// transactions. (The AssemblyScript runtime grows memory by at least doubling it, so one growth step is large.)
//
// Why repeats rather than fresh transactions: a fresh window measures the peak of whichever heavy case comes next
// (60 KiB heads of short arguments, half-megabyte bodies) and where the free space happens to be fragmented, not
// retention. Over 200 transactions of this mix, linear memory reached 64 MiB by the 137th (before the
// transformation-cache work of 2026-11-26: 128 MiB by the 59th); a fresh window after a short warm-up passed or
// failed with the order of those peaks.
//
//   WAF_FUZZ_MEMORY_N   the transactions of the set (default: twice the number of families)
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { crsAvailable, loadCrsFilter, type CrsFilter } from "./crs-filter";
import { CAMPAIGN_SEED, describeFailure, runCase } from "./campaign";
import { generate, GENERATORS } from "./generators";
import { caseSeed } from "./rand";

const FAMILIES = Object.keys(GENERATORS);
const N = Number(process.env.WAF_FUZZ_MEMORY_N ?? 2 * FAMILIES.length);
const TEST_FILE = "tests/fuzz/memory.test.ts";

interface Window {
  before: number;
  after: number;
  /** Bytes of growth seen while a transaction of this family ran. */
  growthByFamily: Map<string, { bytes: number; transactions: number }>;
}

/** Runs transactions [from, to) of the mix, recording which family was running whenever memory grew. */
function runWindow(f: CrsFilter, from: number, to: number): Window {
  const w: Window = { before: f.plugin.memoryBytes, after: 0, growthByFamily: new Map() };
  for (let i = from; i < to; i++) {
    const family = FAMILIES[i % FAMILIES.length]!;
    const seed = caseSeed(CAMPAIGN_SEED ^ 0x6d656d, i);
    const tx = generate(family, seed);
    const m0 = f.plugin.memoryBytes;
    const { verdict } = runCase(f, tx);
    if (verdict.violations.length) assert.fail(describeFailure({ family, seed, index: i, mode: f.mode, testFile: TEST_FILE, violations: verdict.violations, tx }));
    const g = w.growthByFamily.get(family) ?? { bytes: 0, transactions: 0 };
    g.bytes += f.plugin.memoryBytes - m0;
    g.transactions++;
    w.growthByFamily.set(family, g);
  }
  w.after = f.plugin.memoryBytes;
  return w;
}

const kib = (b: number) => `${(b / 1024).toFixed(0)} KiB`;

describe("fuzz: linear memory of one VM is bounded", { skip: crsAvailable ? false : "CRS v4.28.0 not found under WAF_SHARED_DIR" }, () => {
  /** Asserts the second window did not grow, naming the families that were running when memory grew. */
  function assertNoGrowth(first: Window, second: Window, what: string): void {
    const growth = second.after - second.before;
    const transactions = [...second.growthByFamily.values()].reduce((n, g) => n + g.transactions, 0);
    const growers = [...second.growthByFamily].filter(([, g]) => g.bytes > 0).sort((a, b) => b[1].bytes - a[1].bytes);
    const detail = growers.map(([fam, g]) => `${fam}: +${kib(g.bytes)} over ${g.transactions} transactions (${kib((g.bytes * 1000) / g.transactions)} per 1k)`);
    console.log(`${what}: linear memory ${kib(first.before)} before, ${kib(first.after)} after the first pass of ${N}, ${kib(second.after)} after ${transactions} more`);
    assert.equal(
      growth,
      0,
      `${what}: linear memory grew by ${kib(growth)} over ${transactions} transactions after the first pass ` +
        `(${kib((growth * 1000) / transactions)} per 1k transactions); growth happened while running:\n  ${detail.join("\n  ")}`,
    );
  }

  // Before the memory work (regexes built on first use, lazy-DFA caches under one budget, linear JSON escaping) one
  // transaction's peak was ~100× its body for JSON and multipart bodies and the high-water mark rose with the
  // history (188 MiB after 130, 376 MiB after 300 transactions): it rose on every repeat of the same traffic.
  test(`no growth over 3 more passes of ${N} transactions`, async () => {
    const f = await loadCrsFilter("detect");
    const first = runWindow(f, 0, N);
    for (let pass = 2; pass <= 4; pass++) assertNoGrowth(first, runWindow(f, 0, N), `pass ${pass}`);
  });
});
