// The configuration the CRS regression suites are written against, as a `waf check` command line:
// CONF files (our bootstrap rulesets/modsecdefault.conf and rulesets/crs-setup.conf) and `--directive`
// lines appended after them.
//
// The test setup (v4: rule 900005 from tests/regression/README.md; v3: the same rule from its README
// with tx.paranoia_level=4, plus the docker setup's COMBINED_FILE_SIZES) must run BEFORE the CRS's
// REQUEST-901-INITIALIZATION: 901120/901125 only default tx.blocking_paranoia_level and
// tx.detection_paranoia_level when they are unset, and the paranoia gates at the top of every rule file
// are evaluated in phase 1 right after. Appended after rules/*.conf, a phase-1 900005 would run after all
// of that and the suites would run at paranoia level 1 (the README says to put it in crs-setup.conf, i.e.
// before the rules). So the CRS rule files are given as `Include` directives after the test setup:
// still "--directive lines appended after the bootstrap files", in the order ModSecurity would load them.
// `layout: "append"` (rules as CONF files, setup after them) is kept to show the difference.
//
// Engine mode: the rule's ctl:ruleEngine=DetectionOnly (as go-ftw expects: every rule runs and logs, the
// anomaly-evaluation rules 949110/959100/980170 fire and log, nothing is blocked, so the status a test sees
// is the backend's); tx.blocking_paranoia_level=4 makes the evaluation count every paranoia level.
import { readFileSync } from "node:fs";
import { bootstrapFiles, crsRuleFiles } from "../ruleset/crs";

export { crsRuleFiles };
import type { CrsVersion } from "./model";

export interface EngineConfig {
  confFiles: string[];
  directives: string[];
}

export const V4_TEST_SETUP = [
  'SecAction "id:900005,phase:1,nolog,pass,ctl:ruleEngine=DetectionOnly,ctl:ruleRemoveById=910000,' +
    "setvar:tx.blocking_paranoia_level=4,setvar:tx.crs_validate_utf8_encoding=1,setvar:tx.arg_name_length=100," +
    "setvar:tx.arg_length=400,setvar:tx.total_arg_length=64000,setvar:tx.max_num_args=255," +
    'setvar:tx.max_file_size=64100,setvar:tx.combined_file_sizes=65535"',
];

export const V3_TEST_SETUP = [
  'SecAction "id:900005,phase:1,nolog,pass,ctl:ruleEngine=DetectionOnly,ctl:ruleRemoveById=910000,' +
    "setvar:tx.paranoia_level=4,setvar:tx.crs_validate_utf8_encoding=1,setvar:tx.arg_name_length=100," +
    'setvar:tx.arg_length=400,setvar:tx.combined_file_sizes=65535"',
];


export function crsTestConfig(crsDir: string, version: CrsVersion, layout: "include" | "append" = "include"): EngineConfig {
  const bootstrap = bootstrapFiles();
  const setup = version === "v4" ? V4_TEST_SETUP : V3_TEST_SETUP;
  const rules = crsRuleFiles(crsDir);
  if (layout === "append") return { confFiles: [...bootstrap, ...rules], directives: setup };
  return { confFiles: bootstrap, directives: [...setup, ...rules.map((f) => `Include ${f}`)] };
}

export interface RuleInfo {
  id: number;
  msg?: string;
  severity?: string;
  ver?: string;
  tags: string[];
  file: string;
  line: number;
}

/** id → msg/severity/tags of every rule (a chain's head) in the CRS rule files, to synthesize log lines. */
export function ruleCatalog(files: string[]): Map<number, RuleInfo> {
  const out = new Map<number, RuleInfo>();
  for (const file of files) {
    const lines = readFileSync(file, "utf8").split("\n");
    let stmt = "";
    let start = 0;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (stmt === "") {
        if (/^\s*#/.test(l) || !l.trim()) continue;
        start = i + 1;
      }
      if (l.endsWith("\\")) {
        stmt += l.slice(0, -1);
        continue;
      }
      stmt += l;
      const id = /\bid:'?(\d+)/.exec(stmt);
      if (id && /^\s*Sec(Rule|Action)\b/.test(stmt) && !out.has(Number(id[1]))) {
        const q = (name: string) => new RegExp(`\\b${name}:(?:'((?:[^'\\\\]|\\\\.)*)'|([^,"]*))`).exec(stmt);
        const val = (m: RegExpExecArray | null) => (m ? (m[1] ?? m[2] ?? "").replace(/\\'/g, "'") : undefined);
        const tags: string[] = [];
        for (const t of stmt.matchAll(/\btag:'([^']*)'/g)) tags.push(t[1]!);
        out.set(Number(id[1]), {
          id: Number(id[1]),
          msg: val(q("msg")),
          severity: val(q("severity")),
          ver: val(q("ver")),
          tags,
          file,
          line: start,
        });
      }
      stmt = "";
    }
  }
  return out;
}
