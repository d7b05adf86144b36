// Builds (cached by source hash, in os.tmpdir()) the two sides of the parser differential test:
//  - the libmodsecurity peer (harness.cc, g++ ... -lmodsecurity);
//  - the AssemblyScript test entry (fixtures/entry.as.ts + filter/parsers/*.ts) as a wasm module.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../..");
const cacheDir = join(tmpdir(), "workload-waf-parsers");

function hashFiles(files: string[], extra = ""): string {
  const h = createHash("sha256");
  h.update(extra);
  for (const f of files.sort()) {
    h.update(f);
    h.update(readFileSync(f));
  }
  return h.digest("hex").slice(0, 16);
}

export const MODSEC_HEADER = "/usr/include/modsecurity/modsecurity.h";

export function modsecAvailable(): boolean {
  return existsSync(MODSEC_HEADER);
}

/** Path of the compiled libmodsecurity harness. */
export function buildHarness(): string {
  mkdirSync(cacheDir, { recursive: true });
  const src = join(here, "harness.cc");
  const out = join(cacheDir, `harness-${hashFiles([src])}`);
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp`;
    execFileSync("g++", ["-O1", "-std=c++17", "-o", tmp, src, "-lmodsecurity"], { stdio: "inherit" });
    renameSync(tmp, out);
  }
  return out;
}

/** Path of the compiled AssemblyScript test module. */
export function buildWasm(): string {
  mkdirSync(cacheDir, { recursive: true });
  const dir = join(repoRoot, "filter/parsers");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts")).map((f) => join(dir, f));
  const entry = join(here, "fixtures/entry.as.ts");
  const asc = join(repoRoot, "node_modules/assemblyscript/bin/asc.js");
  const args = ["--runtime", "incremental", "-O3", "--noAssert", "--use", "abort=", "--exportRuntime"];
  const out = join(cacheDir, `parsers-${hashFiles([...files, entry], args.join(" "))}.wasm`);
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp.wasm`;
    execFileSync(process.execPath, [asc, entry, "-o", tmp, ...args], { stdio: "inherit", cwd: here });
    renameSync(tmp, out);
  }
  return out;
}
