// The system under fuzz: build/waf.wasm in our proxy-wasm host, loaded exactly as `waf serve` loads it for Envoy
// (cli/filter-plugin.ts: allow_on_headers_stop_iteration, fail closed), with the full CRS v4.28.0 at paranoia
// level 4 on top of our bootstrap rulesets/modsecdefault.conf + rulesets/crs-setup.conf, in block or detect mode.
// The table comes from the same cached compile path as `waf serve` (cli/ruleset/build.ts loadRuleSetTable).
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadFilter } from "../../cli/filter-plugin";
import { loadRuleSetTable, modeDirective, type EngineMode } from "../../cli/ruleset/build";
import { bootstrapFiles, crsRuleFiles, paranoiaDirective } from "../../cli/ruleset/crs";
import type { LogLevel, WasmPlugin } from "../../proxy-wasm-host/index";
import { ensureWasm, WASM } from "../engine/harness";
import { crsDir } from "../support/paths";

export const CRS_DIR = crsDir("v4.28.0");
export const crsAvailable = existsSync(join(CRS_DIR, "rules"));
export const PARANOIA = 4;

export interface LogLine {
  level: LogLevel;
  message: string;
}

export interface CrsFilter {
  mode: EngineMode;
  plugin: WasmPlugin;
  /** Every log line of the VM since load (the test reads the slice of one transaction). */
  logs: LogLine[];
}

const tables = new Map<EngineMode, Uint8Array>();

export function crsTable(mode: EngineMode): Uint8Array {
  let t = tables.get(mode);
  if (!t) {
    // The paranoia setup must precede the CRS rules (REQUEST-901 reads it in phase 1): `Include`s keep that
    // order after the bootstrap files, as `waf serve --paranoia 4` does.
    const includes = crsRuleFiles(CRS_DIR).map((f) => `Include "${f}"`);
    t = loadRuleSetTable(bootstrapFiles(), [paranoiaDirective(PARANOIA), ...includes, modeDirective(mode)]).table;
    tables.set(mode, t);
  }
  return t;
}

export async function loadCrsFilter(mode: EngineMode): Promise<CrsFilter> {
  ensureWasm();
  const logs: LogLine[] = [];
  const plugin = await loadFilter({ wasm: WASM, table: crsTable(mode), logger: (level, message) => logs.push({ level, message }) });
  return { mode, plugin, logs };
}
