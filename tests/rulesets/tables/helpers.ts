// Shared test helpers: a seeded RNG (reproducible failures), an independent @pm oracle, CRS data access.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildAhoCorasick } from "../../../rulesets/matchers/aho-corasick";
import { buildIpSet } from "../../../rulesets/matchers/ip-trie";
import { SectionKind } from "../../../rulesets/tables/format";
import { StringPoolBuilder, TableWriter, sha256 } from "../../../rulesets/tables/writer";
import { repoRoot } from "./as-harness";

/** xorshift32: deterministic, so a failing random case reproduces. */
export function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return {
    int: (n: number) => next() % n,
    pick: <T>(a: readonly T[]): T => a[next() % a.length],
    chance: (p: number) => next() / 0x100000000 < p,
  };
}

const fold = (b: number) => (b >= 0x41 && b <= 0x5a ? b + 0x20 : b);

/** Naive @pm oracle, independent of the automaton: for each end position in order, the longest phrase ending there
 *  (compared under ASCII folding). Returns the index into `phrases` of the FIRST phrase with that folded text. */
export function referenceSearch(phrases: Uint8Array[], input: Uint8Array, caseInsensitive = true): { phrase: number; end: number } | null {
  const f = (b: number) => (caseInsensitive ? fold(b) : b);
  for (let end = 1; end <= input.length; end++) {
    let best = -1;
    for (let p = 0; p < phrases.length; p++) {
      const ph = phrases[p];
      if (ph.length > end) continue;
      if (best >= 0 && ph.length <= phrases[best].length) continue;
      let ok = true;
      for (let k = 0; k < ph.length && ok; k++) ok = f(ph[k]) === f(input[end - ph.length + k]);
      if (ok) best = p;
    }
    if (best >= 0) return { phrase: best, end };
  }
  return null;
}

/** All phrase indices (first of each folded text) occurring in the input. */
export function referenceFindAll(phrases: Uint8Array[], input: Uint8Array): Set<number> {
  const out = new Set<number>();
  const hay = Buffer.from(input.map(fold));
  phrases.forEach((p, i) => {
    if (hay.includes(Buffer.from(p.map(fold)))) out.add(i);
  });
  return out;
}

export const sharedDir = process.env.WAF_SHARED_DIR ?? resolve(repoRoot, "../shared");
export const crsRulesDir = join(sharedDir, "crs/v4.28.0/rules");

/** CRS v4.28.0 .data files (name -> bytes), read at test time; empty if the shared dir is absent. */
export function crsDataFiles(): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (!existsSync(crsRulesDir)) return out;
  for (const f of readdirSync(crsRulesDir).sort()) {
    if (f.endsWith(".data")) out.set(f, new Uint8Array(readFileSync(join(crsRulesDir, f))));
  }
  return out;
}

/** A small table with one section of each implemented kind: [STRINGS, AHO_CORASICK, IP_SET]. */
export function smallTable(): Uint8Array {
  const w = new TableWriter();
  const pool = new StringPoolBuilder();
  pool.intern("hello");
  pool.intern("world");
  w.addSection(SectionKind.STRINGS, pool.encode());
  w.addSection(SectionKind.AHO_CORASICK, buildAhoCorasick(["he", "She", "his", "hers"]).payload);
  w.addSection(SectionKind.IP_SET, buildIpSet(["127.0.0.1", "::1", "10.0.0.0/8"]).payload);
  return w.finish(sha256("small table"));
}

export const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));
