// `waf crs-test`: runs the OWASP CRS regression suite (v4 go-ftw or v3 ftw tests) through an engine that
// speaks `waf check --jsonl` — our filter, or the ModSecurity v3 peer — as an Envoy deployment would see
// the test traffic, and reports pass/fail/excused per file and in total (see cli/crs-test/).
import { Command, Option } from "commander";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { crsTestConfig } from "../crs-test/config";
import { modsecurityEngine, wafEngine } from "../crs-test/engine";
import { detectVersion, loadSuite } from "../crs-test/load";
import { loadOverrides } from "../crs-test/overrides";
import { jsonReport, textReport } from "../crs-test/report";
import { runSuite } from "../crs-test/runner";

/** --crs default: CRS_DIR, else WAF_SHARED_DIR/crs/v4.28.0, else Debian's /usr/share/modsecurity-crs. */
export function defaultCrsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CRS_DIR) return env.CRS_DIR;
  if (env.WAF_SHARED_DIR) return join(env.WAF_SHARED_DIR, "crs", "v4.28.0");
  return "/usr/share/modsecurity-crs";
}

function defaultOverrides(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  return [resolve(here, "../../tests/crs/overrides.yaml"), resolve(here, "../tests/crs/overrides.yaml"), resolve("tests/crs/overrides.yaml")].find((p) => existsSync(p));
}

interface CrsTestOptions {
  crs?: string;
  engine: "waf" | "modsecurity";
  json: boolean;
  only?: string;
  overrides?: string;
}

export function crsTestCommand(): Command {
  return new Command("crs-test")
    .description("run the OWASP CRS regression tests (v4 go-ftw or v3 ftw format) through the WAF or the ModSecurity peer")
    .option("--crs <dir>", "CRS directory with rules/ and tests/regression/tests/ (default: $CRS_DIR, $WAF_SHARED_DIR/crs/v4.28.0, /usr/share/modsecurity-crs)")
    .addOption(new Option("--engine <engine>", "which engine evaluates the rules").choices(["waf", "modsecurity"]).default("waf"))
    .option("--json", "print the report as JSON", false)
    .option("--only <rule|test|file>", "run only a rule id (942100), one test (942100-3) or files whose path contains this")
    .option("--overrides <file>", "excuses and replaced expectations (default: tests/crs/overrides.yaml)")
    .action(async (opts: CrsTestOptions) => {
      const crs = resolve(opts.crs ?? defaultCrsDir());
      if (!existsSync(join(crs, "rules"))) throw new Error(`no CRS rules under ${crs} (give --crs or set CRS_DIR)`);
      const version = detectVersion(crs);
      const suite = loadSuite(crs, version);
      const overridesPath = opts.overrides ?? defaultOverrides();
      const overrides = overridesPath ? loadOverrides(overridesPath) : [];
      const config = crsTestConfig(crs, version);
      const engine = opts.engine === "modsecurity" ? await modsecurityEngine(config) : wafEngine(config);
      const report = await runSuite(suite, engine, { only: opts.only, overrides });
      if (report.totals.tests === 0) throw new Error(`no tests selected${opts.only ? ` by --only ${opts.only}` : ""}`);
      process.stdout.write(opts.json ? jsonReport(report) + "\n" : textReport(report));
      if (report.totals.fail > 0 || report.loadErrors.length > 0) process.exitCode = 1;
    });
}
