/**
 * Every static @rx pattern of a CRS version compiled with compileRegex, cached in os.tmpdir() one file per
 * pattern (keyed by a hash of the pattern and of the compiler sources), so the cross-check does not spend 20 s
 * recompiling. A cached entry is rebuilt into a full CompiledRegex (the backtracking closures are recompiled from
 * the pattern, which is fast).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileRegex, matchesWholeValue, parseRegex, type CompiledRegex, type NfaProgram, type Dfa } from "../../rulesets/regex/index";
import { compileBacktrack } from "../../rulesets/regex/backtrack";
import { requiredBytes } from "../../rulesets/regex/required-bytes";
import { extractRxPatterns, isStaticPattern, REPO_ROOT, type CrsVersion } from "../rulesets/regex/crs-helpers";

function compilerHash(): string {
  const dir = join(REPO_ROOT, "rulesets/regex");
  const h = createHash("sha256");
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".ts")).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest("hex").slice(0, 12);
}

const b64 = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
const bytes = (s: string) => {
  const b = Buffer.from(s, "base64");
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};

interface NfaJson {
  ops: string;
  arg: string;
  out: string;
  out1: string;
  sets: string[];
  looks: { behind: boolean; negate: boolean; maxLen: number; seqs: string[][] }[];
  start: number;
  slots: number;
  assertMask: number;
}

const nfaToJson = (p: NfaProgram): NfaJson => ({
  ops: b64(p.ops),
  arg: b64(p.arg),
  out: b64(p.out),
  out1: b64(p.out1),
  sets: p.sets.map(b64),
  looks: p.looks.map((l) => ({ behind: l.behind, negate: l.negate, maxLen: l.maxLen, seqs: l.seqs.map((q) => q.map(b64)) })),
  start: p.start,
  slots: p.slots,
  assertMask: p.assertMask,
});

const nfaFromJson = (j: NfaJson): NfaProgram => ({
  ops: new Uint8Array(bytes(j.ops)),
  arg: new Int32Array(bytes(j.arg)),
  out: new Int32Array(bytes(j.out)),
  out1: new Int32Array(bytes(j.out1)),
  sets: j.sets.map((s) => new Uint32Array(bytes(s))),
  looks: j.looks.map((l) => ({ behind: l.behind, negate: l.negate, maxLen: l.maxLen, seqs: l.seqs.map((q) => q.map((s) => new Uint32Array(bytes(s)))) })),
  start: j.start,
  slots: j.slots,
  assertMask: j.assertMask,
});

function toJson(c: CompiledRegex): string {
  const d = c.dfa;
  return JSON.stringify({
    pattern: c.pattern,
    tier: c.tier,
    captureEngine: c.captureEngine,
    factors: c.factors,
    groups: c.groups,
    stats: c.stats,
    dfa: d && {
      numStates: d.numStates,
      numClasses: d.numClasses,
      classOf: b64(d.classOf),
      trans: b64(d.trans),
      wide: d.trans instanceof Uint32Array,
      start: d.start,
      accept: d.accept,
      dead: d.dead,
      acceptAtEnd: b64(d.acceptAtEnd),
    },
    nfa: c.nfa && nfaToJson(c.nfa),
    captureProgram: c.captureProgram && nfaToJson(c.captureProgram),
  });
}

function fromJson(text: string): CompiledRegex {
  const j = JSON.parse(text);
  let dfa: Dfa | undefined;
  if (j.dfa) {
    const t = bytes(j.dfa.trans);
    dfa = {
      numStates: j.dfa.numStates,
      numClasses: j.dfa.numClasses,
      classOf: new Uint8Array(bytes(j.dfa.classOf)),
      trans: j.dfa.wide ? new Uint32Array(t) : new Uint16Array(t),
      start: j.dfa.start,
      accept: j.dfa.accept,
      dead: j.dfa.dead,
      acceptAtEnd: new Uint8Array(bytes(j.dfa.acceptAtEnd)),
    };
  }
  const needsBt = j.tier === "backtrack" || j.captureEngine === "backtrack";
  return {
    pattern: j.pattern,
    tier: j.tier,
    dfa,
    nfa: j.nfa ? nfaFromJson(j.nfa) : undefined,
    captureProgram: j.captureProgram ? nfaFromJson(j.captureProgram) : undefined,
    backtrack: needsBt ? compileBacktrack(parseRegex(j.pattern)) : undefined,
    captureEngine: j.captureEngine,
    wholeValue: matchesWholeValue(parseRegex(j.pattern)),
    factors: j.factors,
    requiredBytes: requiredBytes(parseRegex(j.pattern).ast), // cheap: recomputed rather than cached
    groups: j.groups,
    stats: j.stats,
  };
}

export interface CrsPattern {
  pattern: string;
  ruleIds: Set<number>;
  c: CompiledRegex;
}

/** Unique static @rx patterns of `version`, compiled (from the cache when possible). */
export function compiledCrs(version: CrsVersion): { patterns: CrsPattern[]; failures: string[]; cacheHits: number } {
  const byPattern = new Map<string, Set<number>>();
  for (const e of extractRxPatterns(version)) {
    if (!isStaticPattern(e.pattern)) continue;
    let s = byPattern.get(e.pattern);
    if (!s) byPattern.set(e.pattern, (s = new Set()));
    s.add(e.ruleId);
  }
  const dir = join(tmpdir(), "workload-waf-regex-as", `compiled-${compilerHash()}`);
  mkdirSync(dir, { recursive: true });
  const patterns: CrsPattern[] = [];
  const failures: string[] = [];
  let cacheHits = 0;
  for (const [pattern, ruleIds] of byPattern) {
    const file = join(dir, createHash("sha256").update(pattern).digest("hex").slice(0, 24) + ".json");
    let c: CompiledRegex | undefined;
    if (existsSync(file)) {
      try {
        c = fromJson(readFileSync(file, "utf8"));
        if (c.pattern !== pattern) c = undefined;
        else cacheHits++;
      } catch {
        c = undefined;
      }
    }
    if (!c) {
      try {
        c = compileRegex(pattern);
      } catch (e) {
        failures.push(`${[...ruleIds].join(",")}: ${(e as Error).message}`);
        continue;
      }
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, toJson(c));
      renameSync(tmp, file);
    }
    patterns.push({ pattern, ruleIds, c });
  }
  return { patterns, failures, cacheHits };
}
