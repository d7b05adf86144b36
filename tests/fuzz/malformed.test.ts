// Fuzz: malformed and hostile requests and responses (./generators.ts) through the real build/waf.wasm in our
// proxy-wasm host, with the full CRS v4.28.0 at paranoia level 4, in block mode and in detect mode. Every case
// must satisfy ./invariants.ts (no trap, no fail-closed 503, one consistent outcome, bodies passed byte for
// byte, a parseable event); after each family the canaries (./canary.ts) show the VM still judges correctly; and
// transactions interleaved on one VM must be judged exactly as when run alone (no state leaks between streams).
//
// Sizing and replay (see ./campaign.ts and ./README.md):
//   WAF_FUZZ_ITERATIONS=2000 WAF_FUZZ_SEED=7 node scripts/test-ts.mjs tests/fuzz/malformed.test.ts   # a longer campaign
//   WAF_FUZZ_CASE=body-multipart:123456 node scripts/test-ts.mjs tests/fuzz/malformed.test.ts        # one case, as printed
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { crsAvailable, loadCrsFilter, type CrsFilter } from "./crs-filter";
import { CAMPAIGN_SEED, describeFailure, ITERATIONS, replayCase, runCase } from "./campaign";
import { assertCanaries } from "./canary";
import { generate, GENERATORS } from "./generators";
import { checkTransaction } from "./invariants";
import { caseSeed, Rand } from "./rand";
import { TxRun, type FuzzTx } from "./stream-run";

const TEST_FILE = "tests/fuzz/malformed.test.ts";
const FAMILIES = Object.keys(GENERATORS);
const only = replayCase();

/** Each family gets its own stream of case seeds (a hash of its name mixed into the campaign seed). */
function familySeed(family: string, index: number): number {
  let h = 0;
  for (const c of family) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
  return caseSeed((CAMPAIGN_SEED ^ h) >>> 0, index);
}

function runFamilyCase(f: CrsFilter, family: string, seed: number, index?: number): void {
  const tx = generate(family, seed);
  const { verdict } = runCase(f, tx);
  if (verdict.violations.length > 0) {
    assert.fail(describeFailure({ family, seed, index, mode: f.mode, testFile: TEST_FILE, violations: verdict.violations, tx }));
  }
}

/** What a transaction's judgement comes down to: outcome and matched rule ids. */
function summary(f: CrsFilter, tx: FuzzTx, run: TxRun, logs: typeof f.logs) {
  const verdict = checkTransaction(f.mode, f.plugin, tx, run.seen, logs);
  return {
    violations: verdict.violations,
    status: run.seen.status,
    localReply: run.seen.localReply,
    reset: run.seen.reset,
    action: verdict.event?.action ?? null,
    rules: (verdict.event?.rules.map((r) => r.id) ?? []).sort((a, b) => a - b),
  };
}

describe("fuzz: malformed traffic through build/waf.wasm with CRS v4.28.0 PL4", { skip: crsAvailable ? false : "CRS v4.28.0 not found under WAF_SHARED_DIR" }, () => {
  for (const mode of ["block", "detect"] as const) {
    describe(`${mode} mode`, () => {
      let f: CrsFilter;
      before(async () => {
        f = await loadCrsFilter(mode);
        assertCanaries(f, "loading");
      });

      if (only) {
        test(`replay ${only.family}:${only.seed}`, () => {
          assert.ok(GENERATORS[only.family], `unknown family ${only.family}; families: ${FAMILIES.join(", ")}`);
          runFamilyCase(f, only.family, only.seed);
          assertCanaries(f, `${only.family}:${only.seed}`);
        });
        return;
      }

      for (const family of FAMILIES) {
        test(`${family}: ${ITERATIONS} cases`, () => {
          for (let i = 0; i < ITERATIONS; i++) runFamilyCase(f, family, familySeed(family, i), i);
          assertCanaries(f, `${ITERATIONS} ${family} cases`);
        });
      }

      test(`interleaved streams are judged as when alone: ${ITERATIONS} pairs`, () => {
        const picker = new Rand(CAMPAIGN_SEED);
        for (let i = 0; i < ITERATIONS; i++) {
          const fa = picker.pick(FAMILIES), fb = picker.pick(FAMILIES);
          const sa = familySeed(fa, 10_000 + i), sb = familySeed(fb, 20_000 + i);
          const a = generate(fa, sa), b = generate(fb, sb);
          // Alone, one after the other.
          f.logs.length = 0;
          const soloA = new TxRun(f.plugin, a, `solo-a-${i}`);
          soloA.finish();
          const aloneA = summary(f, a, soloA, f.logs.splice(0));
          const soloB = new TxRun(f.plugin, b, `solo-b-${i}`);
          soloB.finish();
          const aloneB = summary(f, b, soloB, f.logs.splice(0));
          // Interleaved callback by callback; the log lines of each are told apart by request id.
          const ra = new TxRun(f.plugin, a, `mixed-a-${i}`), rb = new TxRun(f.plugin, b, `mixed-b-${i}`);
          let moreA = true, moreB = true;
          while (moreA || moreB) {
            if (moreA) moreA = ra.step();
            if (moreB) moreB = rb.step();
          }
          const logs = f.logs.splice(0);
          const mine = (id: string) => logs.filter((l) => !l.message.startsWith("{") || l.message.includes(`"request_id":"${id}"`));
          const mixedA = summary(f, a, ra, mine(`mixed-a-${i}`));
          const mixedB = summary(f, b, rb, mine(`mixed-b-${i}`));
          const label = `pair #${i}: ${fa}:${sa} with ${fb}:${sb}`;
          for (const [fam, seed, tx, alone, mixed] of [[fa, sa, a, aloneA, mixedA], [fb, sb, b, aloneB, mixedB]] as const) {
            if (alone.violations.length || mixed.violations.length) {
              assert.fail(describeFailure({ family: fam, seed, mode, testFile: TEST_FILE, violations: [label, ...alone.violations, ...mixed.violations], tx }));
            }
            assert.deepEqual(mixed, alone, `${label}: ${fam}:${seed} judged differently when interleaved`);
          }
        }
        assertCanaries(f, `${ITERATIONS} interleaved pairs`);
      });
    });
  }
});
