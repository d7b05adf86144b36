// Fuzz: mutants of the CRS v4.28.0 regression-test requests (./mutations.ts) through build/waf.wasm with the full
// CRS at paranoia level 4, block and detect mode. Every mutant the codec accepts must satisfy ./invariants.ts;
// the canaries (./canary.ts) run after the campaign. Mutants are WAF_FUZZ_ITERATIONS × 40 per mode (mutation is
// cheap next to a generated 60 KiB case). Replay one: WAF_FUZZ_CASE=mutant:<seed> node scripts/test-ts.mjs tests/fuzz/mutation.test.ts
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CRS_DIR, crsAvailable, loadCrsFilter, type CrsFilter } from "./crs-filter";
import { CAMPAIGN_SEED, describeFailure, ITERATIONS, replayCase, runCase } from "./campaign";
import { assertCanaries } from "./canary";
import { loadSeeds, mutant, type Seed } from "./mutations";
import { caseSeed, Rand } from "./rand";

const TEST_FILE = "tests/fuzz/mutation.test.ts";
const MUTANTS = ITERATIONS * 40;
const only = replayCase();

/** Runs mutant `seed`; false when the codec refused it (nothing reached the filter). */
function runMutant(f: CrsFilter, seeds: Seed[], seed: number, index?: number): boolean {
  const r = new Rand(seed);
  const tx = mutant(r, seeds[r.int(0, seeds.length - 1)]!);
  if (tx === null) return false;
  tx.kind = `${tx.kind} (seed ${seed})`;
  const { verdict } = runCase(f, tx);
  if (verdict.violations.length > 0) {
    assert.fail(describeFailure({ family: "mutant", seed, index, mode: f.mode, testFile: TEST_FILE, violations: verdict.violations, tx }));
  }
  return true;
}

describe("fuzz: mutated CRS regression requests through build/waf.wasm with CRS v4.28.0 PL4", { skip: crsAvailable ? false : "CRS v4.28.0 not found under WAF_SHARED_DIR" }, () => {
  let seeds: Seed[];
  before(() => {
    seeds = loadSeeds(CRS_DIR);
    assert.ok(seeds.length > 3000, `only ${seeds.length} seed requests loaded from the CRS regression tests`);
  });

  for (const mode of ["block", "detect"] as const) {
    describe(`${mode} mode`, () => {
      let f: CrsFilter;
      before(async () => {
        f = await loadCrsFilter(mode);
      });

      if (only) {
        test(`replay ${only.family}:${only.seed}`, () => {
          assert.equal(only.family, "mutant", "this file replays mutant:<seed> cases");
          assert.ok(runMutant(f, seeds, only.seed), "the codec refuses this mutant: nothing reaches the filter");
          assertCanaries(f, `mutant:${only.seed}`);
        });
        return;
      }

      test(`${MUTANTS} mutants`, () => {
        let reached = 0;
        for (let i = 0; i < MUTANTS; i++) if (runMutant(f, seeds, caseSeed(CAMPAIGN_SEED ^ 0x6d75, i), i)) reached++;
        // Most mutants must get past the codec, or the campaign tests the codec rather than the filter.
        assert.ok(reached >= MUTANTS / 2, `only ${reached} of ${MUTANTS} mutants reached the filter`);
        assertCanaries(f, `${MUTANTS} mutants`);
      });
    });
  }
});
