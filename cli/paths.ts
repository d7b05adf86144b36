// Where the CLI finds its build artifacts. The bundled CLI lives in build/ next to waf.wasm; when the sources
// run directly (tsx, tests) the same files are found in <repo>/build.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export function defaultWasmPath(): string {
  const candidates = [join(here, "waf.wasm"), resolve(here, "../build/waf.wasm"), resolve(here, "../../build/waf.wasm")];
  return candidates.find((p) => existsSync(p)) ?? candidates[0]!;
}
