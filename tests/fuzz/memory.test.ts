// Fuzz: no unbounded memory growth. One VM (CRS v4.28.0 PL4, detect mode so that every phase runs for every
// transaction) takes a warm-up window of N fuzz transactions, then a second window of 3N more from the same mix
// (the generator families in turn, fresh seeds). WebAssembly linear memory only grows, so "did not grow in the
// second window" is exact and deterministic (no timing): after the warm-up the filter's caches must be full or
// bounded, and nothing may be retained per transaction. On failure the message names the families whose
// transactions grew the memory, and by how much per 1000 transactions.
//
//   WAF_FUZZ_MEMORY_N   the warm-up window (default 60 transactions; the second window is 3N)
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { crsAvailable, loadCrsFilter, type CrsFilter } from "./crs-filter";
import { CAMPAIGN_SEED, describeFailure, runCase } from "./campaign";
import { generate, GENERATORS } from "./generators";
import { caseSeed } from "./rand";

const N = Number(process.env.WAF_FUZZ_MEMORY_N ?? 60);
const FAMILIES = Object.keys(GENERATORS);
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
  let f: CrsFilter;
  before(async () => {
    f = await loadCrsFilter("detect");
  });

  test(`no growth in ${3 * N} transactions after a warm-up of ${N}`, () => {
    const warm = runWindow(f, 0, N);
    const second = runWindow(f, N, 4 * N);
    const growth = second.after - second.before;
    const growers = [...second.growthByFamily].filter(([, g]) => g.bytes > 0).sort((a, b) => b[1].bytes - a[1].bytes);
    const detail = growers.map(([fam, g]) => `${fam}: +${kib(g.bytes)} over ${g.transactions} transactions (${kib((g.bytes * 1000) / g.transactions)} per 1k)`);
    console.log(`linear memory: ${kib(warm.before)} at load, ${kib(warm.after)} after ${N} (warm-up), ${kib(second.after)} after ${4 * N}`);
    assert.equal(
      growth,
      0,
      `linear memory grew by ${kib(growth)} over ${3 * N} transactions after the warm-up ` +
        `(${kib((growth * 1000) / (3 * N))} per 1k transactions); growth while running:\n  ${detail.join("\n  ")}`,
    );
  });
});
