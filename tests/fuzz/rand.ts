// A seeded source of random choices for the generators and mutators (tests/support/prng.ts underneath), and the
// derivation of one case's seed from the campaign seed and the case's index, so that any single case can be
// rebuilt from the two numbers a failure prints.
import { rng } from "../support/prng";

export class Rand {
  private readonly next: () => number;
  constructor(readonly seed: number) {
    this.next = rng(seed);
  }
  /** [0, 1) */
  float(): number {
    return this.next();
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** Sizes spread over orders of magnitude: as likely to be 3 as 3000 (up to `max`). */
  size(max: number): number {
    return Math.min(max, Math.floor(Math.exp(this.next() * Math.log(max + 1))));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
}

/** The seed of case `index` of a campaign (a 32-bit mix, so neighbouring cases do not share PRNG streams). */
export function caseSeed(campaignSeed: number, index: number): number {
  let h = (Math.imul(campaignSeed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d) >>> 0;
  h ^= h >>> 15;
  return h >>> 0;
}
