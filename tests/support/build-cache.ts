// Test builds (AssemblyScript test entries, native peer harnesses) are cached in os.tmpdir() by a hash of
// everything that goes into them. The key must cover every input: CI runs on the same machine as the
// session before it, so a key that missed a source file would let CI test a stale build.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const cacheRoot = join(tmpdir(), "workload-waf-test-builds");

/** All files under `dir` (recursively) whose names end with one of `exts`, sorted. */
export function filesUnder(dir: string, exts: string[]): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[])
    .map((f) => join(dir, f))
    .filter((f) => exts.some((e) => f.endsWith(e)) && statSync(f).isFile())
    .sort();
}

export function hashInputs(files: string[], extra: string[]): string {
  const h = createHash("sha256");
  for (const e of extra) h.update(e).update("\0");
  for (const f of [...files].sort()) h.update(f).update("\0").update(readFileSync(f)).update("\0");
  return h.digest("hex").slice(0, 20);
}

/** Returns the cached artifact for `key`, building it with `build(tmpPath)` first if needed (atomic rename). */
export function cached(name: string, key: string, build: (tmpPath: string) => void): string {
  mkdirSync(cacheRoot, { recursive: true });
  const out = join(cacheRoot, `${key}-${name}`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`;
  build(tmp);
  renameSync(tmp, out);
  return out;
}
