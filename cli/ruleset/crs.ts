// Where the CLI finds rules: our bootstrap files (rulesets/modsecdefault.conf, rulesets/crs-setup.conf) and an
// OWASP CRS installation — `--crs DIR`, else $CRS_DIR, else Debian's modsecurity-crs package. One place, so that
// `waf serve`, `waf check` and `waf crs-test` load the same rule set the same way.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export const DEBIAN_CRS_DIR = "/usr/share/modsecurity-crs";

/** The repository's rulesets/ folder (sources: cli/ruleset/ → ../../rulesets; the bundle: build/ → ../rulesets). */
export function bootstrapDir(): string {
  const candidates = [resolve(here, "../../rulesets"), resolve(here, "../rulesets"), resolve(process.cwd(), "rulesets")];
  return candidates.find((d) => existsSync(join(d, "modsecdefault.conf"))) ?? candidates[0]!;
}

export function bootstrapFiles(): string[] {
  const dir = bootstrapDir();
  return [join(dir, "modsecdefault.conf"), join(dir, "crs-setup.conf")];
}

/** The CRS to use: the flag, else $CRS_DIR, else Debian's package when installed; null when none is found. */
export function findCrsDir(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  if (flag) return flag;
  if (env.CRS_DIR) return env.CRS_DIR;
  return existsSync(join(DEBIAN_CRS_DIR, "rules")) ? DEBIAN_CRS_DIR : null;
}

/** rules/*.conf in name order (REQUEST-9xx then RESPONSE-9xx), without the `.example` files. */
export function crsRuleFiles(crsDir: string): string[] {
  const dir = join(crsDir, "rules");
  if (!existsSync(dir)) throw new Error(`no CRS rules under ${crsDir}: expected ${dir}/*.conf`);
  const files = readdirSync(dir).filter((f) => f.endsWith(".conf")).sort().map((f) => resolve(dir, f));
  if (files.length === 0) throw new Error(`no CRS rules under ${crsDir}: ${dir} has no .conf files`);
  return files;
}

/**
 * "4.28.0": the version the CRS stamps on its rules (`ver:'OWASP_CRS/x.y.z'`). The most frequent stamp wins:
 * comments mention older versions, and Debian's package carries a few rules backported from later releases.
 */
export function crsVersion(ruleFiles: string[]): string | null {
  const counts = new Map<string, number>();
  for (const f of ruleFiles) {
    for (const m of readFileSync(f, "latin1").matchAll(/ver:['"]OWASP_CRS\/(\d+\.\d+\.\d+)/g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [v, n] of counts) if (best === null || n > counts.get(best)!) best = v;
  return best;
}

/**
 * The CRS's paranoia level as a setup action. It must run before the CRS rules (REQUEST-901 derives the
 * detection level and every file's skip markers from it in phase 1), so it goes between crs-setup.conf and
 * the rules. CRS v4 reads tx.blocking_paranoia_level, v3 tx.paranoia_level.
 */
export function paranoiaDirective(level: number): string {
  return `SecAction "id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=${level},setvar:tx.paranoia_level=${level}"`;
}
