// Shared helpers of the SecLang front-end tests.
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import type { ResolvedRule, RuleSetIR } from "../../../rulesets/ir/types";
import { loadSecLang, parseSecLang, type LoadResult } from "../../../rulesets/seclang/index";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, "../../..");
export const FIXTURES = path.join(HERE, "fixtures");
export const SHARED = process.env.WAF_SHARED_DIR ?? path.resolve(REPO, "../shared");

export function crsDir(version: string): string {
  return path.join(SHARED, "crs", version);
}

/** crs-setup.conf.example, then rules/*.conf in order (as `Include rules/*.conf` would). */
export function crsFiles(version: string, withExamples = false): string[] {
  const dir = crsDir(version);
  const rules = fs
    .readdirSync(path.join(dir, "rules"))
    .filter((f) => f.endsWith(".conf") || (withExamples && f.endsWith(".conf.example")))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((f) => path.join(dir, "rules", f));
  return [path.join(dir, "crs-setup.conf.example"), ...rules];
}

const cache = new Map<string, LoadResult>();
export function loadCrs(version: string): LoadResult {
  let r = cache.get(version);
  if (!r) {
    r = loadSecLang(crsFiles(version));
    cache.set(version, r);
  }
  return r;
}

export function rules(rs: RuleSetIR): ResolvedRule[] {
  return rs.items.flatMap((i) => (i.kind === "rule" ? [i.rule] : []));
}

export function rule(rs: RuleSetIR, id: number): ResolvedRule {
  const r = rules(rs).find((x) => x.id === id);
  if (!r) throw new Error(`rule ${id} not found`);
  return r;
}

/** Parses text as a file in the fixtures directory; returns the result. */
export function parse(text: string, name = "inline.conf"): LoadResult {
  return parseSecLang(text, path.join(FIXTURES, name));
}

/** Parses text that must be error-free. */
export function parseOk(text: string, name = "inline.conf"): LoadResult {
  const r = parse(text, name);
  if (r.errors.length) throw new Error("unexpected errors:\n" + r.errors.map(String).join("\n"));
  return r;
}

/** Errors as "file:line: Directive: message" with the fixtures directory stripped. */
export function errorStrings(r: LoadResult): string[] {
  return r.errors.map((e) => e.toString().split(FIXTURES + path.sep).join(""));
}
