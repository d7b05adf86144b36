// Compiles an AssemblyScript test entry (a small module exporting what a test drives), cached in os.tmpdir().
// The cache key covers the entry, every .ts file under filter/ and rulesets/tables/ (what entries import), the
// SDK, the compiler version and the flags.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { cached, filesUnder, hashInputs } from "./build-cache";
import { repoRoot } from "./paths";

const ascDir = join(repoRoot, "node_modules/assemblyscript");
const ascVersion = (JSON.parse(readFileSync(join(ascDir, "package.json"), "utf8")) as { version: string }).version;

export function buildAsModule(name: string, entry: string, flags: string[]): string {
  const inputs = [
    entry,
    ...filesUnder(join(repoRoot, "filter"), [".ts"]),
    ...filesUnder(join(repoRoot, "rulesets/tables"), [".ts"]),
    ...filesUnder(join(repoRoot, "node_modules/@solo-io/proxy-runtime/assembly"), [".ts"]),
  ];
  const key = hashInputs(inputs, [ascVersion, ...flags]);
  return cached(`${name}.wasm`, key, (tmp) => {
    // Run from the entry's folder so the repo's asconfig.json is not picked up: entries are built with
    // exactly these flags.
    execFileSync(process.execPath, [join(ascDir, "bin/asc.js"), entry, "--outFile", tmp, ...flags], {
      cwd: dirname(entry),
      stdio: ["ignore", "inherit", "inherit"],
    });
  });
}
