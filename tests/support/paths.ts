// Where tests find the repository and the read-only shared material (CRS rule sets and their regression
// tests), which is never copied into the repository: `WAF_SHARED_DIR`, else ../shared next to the repo.
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const sharedDir = resolve(process.env.WAF_SHARED_DIR ?? join(repoRoot, "../shared"));

export function crsDir(version: "v4.28.0" | "v3.3.4"): string {
  return join(sharedDir, "crs", version);
}
