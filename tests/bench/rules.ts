// The rule sets a run compares, loaded the same way by both engines: our bootstrap files
// (rulesets/modsecdefault.conf, crs-setup.conf), the paranoia-level SecAction, then the CRS rules — or, for
// smoke tests, the SecLang files given with --rules. Block mode is added by each engine's --mode flag.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { bootstrapFiles, crsRuleFiles, paranoiaDirective } from "../../cli/ruleset/crs";

export interface RuleSetSpec {
  /** "CRS v4.28.0 PL1", or "custom (tiny.conf)". */
  label: string;
  paranoia: number | null;
  /** For openCheckSession / loadRuleSetTable: files, then directives (the paranoia setup precedes the Includes). */
  files: string[];
  directives: string[];
  /** The same rules as one ModSecurity main file written into dir (modsec-check loads it as one text). */
  modsecConfs(dir: string): string[];
}

export function crsRuleSet(crsDir: string, version: string, level: number): RuleSetSpec {
  const rules = crsRuleFiles(crsDir);
  const files = bootstrapFiles();
  const directives = [paranoiaDirective(level), ...rules.map((f) => `Include "${f}"`)];
  return {
    label: `CRS ${version} PL${level}`,
    paranoia: level,
    files,
    directives,
    modsecConfs(dir) {
      const main = join(dir, `modsec-crs-pl${level}.conf`);
      writeFileSync(main, [...files.map((f) => `Include "${f}"`), ...directives, ""].join("\n"));
      return [main];
    },
  };
}

export function customRuleSet(files: string[]): RuleSetSpec {
  return {
    label: `custom (${files.map((f) => f.split("/").pop()).join(", ")})`,
    paranoia: null,
    files,
    directives: [],
    modsecConfs: () => files,
  };
}
