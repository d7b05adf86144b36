/**
 * A full CRS version (rulesets/modsecdefault.conf, rulesets/crs-setup.conf, then the shared copy's rules/*.conf,
 * sorted) through loadSecLang + compileRuleSet, cached in os.tmpdir() (tests/support/build-cache.ts) keyed by a hash
 * of every input: the rule files and the front end / compiler / regex compiler / table writer sources. The cache
 * holds the table bytes, the regex directory (CompileResult.regexes), which rule ids use each regex (from the
 * explain output), and the CompiledRegex objects the compiler encoded (the TS reference: compileRegex(pattern,
 * compiler options)), serialized with node:v8; the backtracking closures are rebuilt from the pattern.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deserialize, serialize } from "node:v8";
import { compileRuleSet, type RegexInfo } from "../../rulesets/compiler/index";
import { DEFAULT_REGEX_OPTIONS } from "../../rulesets/compiler/program";
import { loadSecLang } from "../../rulesets/seclang/index";
import { compileBacktrack } from "../../rulesets/regex/backtrack";
import { parseRegex, type CompiledRegex } from "../../rulesets/regex/index";
import { cached, filesUnder, hashInputs } from "../support/build-cache";
import { repoRoot } from "../support/paths";
import { crsFiles } from "../rulesets/compiler/helpers";

export interface CrsTable {
  version: string;
  table: Uint8Array;
  regexes: RegexInfo[];
  /** per regex index: the rule ids whose conditions use it (target selectors: none) */
  ruleIds: number[][];
  /** per regex index: the compiler's CompiledRegex for that pattern */
  compiled: CompiledRegex[];
  fromCache: boolean;
  ms: number;
}

interface Stored {
  table: Uint8Array;
  regexes: RegexInfo[];
  ruleIds: number[][];
  compiled: Omit<CompiledRegex, "backtrack">[];
}

function build(version: string): Stored {
  const r = loadSecLang(crsFiles(version));
  if (r.errors.length) throw new Error(r.errors.map(String).join("\n"));
  const regexCache = new Map<string, CompiledRegex>();
  const res = compileRuleSet(r.ruleset, { regexCache });
  const byPattern = new Map<string, CompiledRegex>();
  for (const c of regexCache.values()) byPattern.set(c.pattern, c);
  const ruleIds: number[][] = res.regexes.map(() => []);
  for (const ex of res.explain.values())
    for (const c of ex.conditions) {
      const i = c.object?.kind === "regex" ? c.object.regexIndex : undefined;
      if (i !== undefined && !ruleIds[i]!.includes(ex.id)) ruleIds[i]!.push(ex.id);
    }
  const compiled = res.regexes.map((ri) => {
    const c = byPattern.get(ri.pattern);
    if (!c) throw new Error(`no compiled regex for /${ri.pattern}/`);
    const { backtrack: _bt, ...rest } = c;
    return rest;
  });
  return { table: res.table, regexes: res.regexes, ruleIds, compiled };
}

export function crsTable(version: string): CrsTable {
  const t0 = performance.now();
  const files = crsFiles(version);
  const sources = ["rulesets/seclang", "rulesets/ir", "rulesets/compiler", "rulesets/regex", "rulesets/tables", "rulesets/matchers"].flatMap((d) => filesUnder(join(repoRoot, d), [".ts"]));
  const key = hashInputs([...files, ...sources], ["regex-table crs v1", version, JSON.stringify(DEFAULT_REGEX_OPTIONS), process.versions.v8]);
  let fresh: Stored | undefined;
  const path = cached(`regex-table-crs-${version}.bin`, key, (tmp) => {
    fresh = build(version);
    writeFileSync(tmp, serialize(fresh));
  });
  const s: Stored = fresh ?? (deserialize(readFileSync(path)) as Stored);
  const compiled = s.compiled.map((c): CompiledRegex => ({
    ...c,
    backtrack: c.tier === "backtrack" || c.captureEngine === "backtrack" ? compileBacktrack(parseRegex(c.pattern)) : undefined,
  }));
  return { version, table: new Uint8Array(s.table), regexes: s.regexes, ruleIds: s.ruleIds, compiled, fromCache: !fresh, ms: Math.round(performance.now() - t0) };
}
