// Where the CRS suites live for the tests: WAF_SHARED_DIR (default: ../shared next to the repository).
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, "../..");
export const SHARED = process.env.WAF_SHARED_DIR ?? resolve(REPO, "../shared");
export const CRS4 = join(SHARED, "crs", "v4.28.0");
export const CRS3 = join(SHARED, "crs", "v3.3.4");

function reason(): string | false {
  if (existsSync(join(CRS4, "tests")) && existsSync(join(CRS3, "tests"))) return false;
  const r = `CRS v4.28.0/v3.3.4 not found under ${SHARED} (set WAF_SHARED_DIR)`;
  if (process.env.CI) throw new Error(r);
  return r;
}
export const crsSkip = reason();
