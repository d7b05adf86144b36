// Runs the TypeScript test files (tests/**/*.test.ts, or those under the folders given as arguments) with
// node's test runner. Node 20's `--test` does not expand globs itself, hence this script.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const roots = process.argv.slice(2).length ? process.argv.slice(2) : ["tests"];
const files = roots.flatMap((root) =>
  statSync(root).isFile()
    ? [root]
    : readdirSync(root, { recursive: true })
        .map((f) => join(root, String(f)))
        .filter((f) => f.endsWith(".test.ts") && !f.includes("node_modules") && !f.includes("/fixtures/"))
        .sort(),
);
if (files.length === 0) {
  console.error(`no test files under ${roots.join(", ")}`);
  process.exit(1);
}
const reporter = process.env.CI ? ["--test-reporter=spec"] : [];
const r = spawnSync(process.execPath, ["--import", "tsx", "--test", ...reporter, ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
