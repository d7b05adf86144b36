// Compiled tables cached on disk, so that starting `waf serve` or `waf check` again with the same rules takes
// well under a second instead of recompiling every regex. The key is the IR (which carries every directive,
// pattern and data-file content, whatever files they came from) plus the compiler version and options: any
// change to the rules or the compiler is a different key. A damaged cache entry is ignored, never trusted:
// the table carries its own checksum and the filter's loader checks it anyway.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.WAF_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "workload-waf", "tables");
}

export function cacheKey(parts: unknown[]): string {
  const h = createHash("sha256");
  for (const p of parts) h.update(typeof p === "string" ? p : JSON.stringify(p)).update("\0");
  return h.digest("hex");
}

export function readCached(key: string): Uint8Array | null {
  try {
    return readFileSync(join(cacheDir(), `${key}.waft`));
  } catch {
    return null;
  }
}

export function writeCached(key: string, table: Uint8Array): void {
  try {
    const dir = cacheDir();
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `${key}.${process.pid}.tmp`);
    writeFileSync(tmp, table);
    renameSync(tmp, join(dir, `${key}.waft`));
  } catch {
    // A read-only home or full disk only costs the next start a recompile.
  }
}

let fingerprint: string | undefined;

/**
 * Identifies the compiler that would build the table: the bundled CLI file itself, or, when running from sources,
 * every TypeScript file under rulesets/ (so a compiler change is never answered from a stale cache).
 */
export function compilerFingerprint(bundleOrSourceFile: string, rulesetsDir: string): string {
  if (fingerprint) return fingerprint;
  const h = createHash("sha256");
  if (bundleOrSourceFile.endsWith(".mjs")) {
    h.update(readFileSync(bundleOrSourceFile));
  } else {
    const files = (readdirSync(rulesetsDir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).sort();
    for (const f of files) h.update(f).update("\0").update(readFileSync(join(rulesetsDir, f))).update("\0");
  }
  fingerprint = h.digest("hex");
  return fingerprint;
}
