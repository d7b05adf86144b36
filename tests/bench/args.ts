// Command line of `npm run bench` (tests/bench/run.ts).
import { parseArgs } from "node:util";
import { WORKLOAD_NAMES } from "./workloads";

export interface BenchOptions {
  quick: boolean;
  workloads: string[];
  iterations: number;
  warmup: number;
  /** Seconds per workload and engine after which measuring stops early (0 = none). */
  budget: number;
  paranoia: number[];
  /** SecLang files replacing the CRS (smoke tests); empty = the CRS. */
  rules: string[];
  crs: string;
  crsVersion: string;
  wasm: string | undefined;
  json: string | undefined;
  memoryTransactions: number;
  modsec: boolean;
  memory: boolean;
  /** per-byte cost of @detectSQLi / @detectXSS */
  libinjection: boolean;
  e2e: boolean;
  e2eDuration: number;
  e2eConnections: number;
  e2eRounds: number;
  e2eParanoia: number;
}

export const USAGE = `usage: npm run bench -- [options]   (or: node --import tsx tests/bench/run.ts [options])
  --quick                few iterations, PL1 only, 2,000 memory transactions (a smoke run)
  --workload NAME        only this workload (repeatable, or comma-separated): ${WORKLOAD_NAMES.join(", ")}
  --iterations N         measured transactions per workload (default 1000; --quick 30)
  --warmup N             transactions run first and not measured (default 3000; --quick 5)
  --budget S             stop a workload early after S seconds per engine (default 20; 0 = always N iterations)
  --paranoia LIST        CRS paranoia levels, e.g. 1,4 (default 1,4; --quick 1)
  --memory-transactions N  mixed transactions for the memory-growth run (default 100000; --quick 2000; 0 skips it)
  --no-memory            skip start-up and memory
  --no-libinjection      skip the per-byte cost of @detectSQLi / @detectXSS
  --no-modsec            skip ModSecurity v3
  --rules FILE           SecLang file(s) instead of the CRS (repeatable; for smoke tests)
  --crs DIR              the CRS (default: $WAF_SHARED_DIR/crs/v4.28.0, i.e. ../shared/crs/v4.28.0)
  --wasm FILE            the filter module (default build/waf.wasm)
  --json FILE            also write every figure as JSON
  --e2e                  also run waf serve (and nginx+ModSecurity if installed) under wrk on loopback
  --e2e-duration S       seconds per wrk run (default 10)
  --e2e-connections N    wrk connections (default 16)
  --e2e-rounds N         interleaved rounds of every target, figures are their medians (default 3)
  --e2e-paranoia N       CRS paranoia level for --e2e (default 1)`;

export function parseBenchArgs(argv: string[], sharedDir: string): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: "boolean", default: false },
      workload: { type: "string", multiple: true },
      iterations: { type: "string" },
      warmup: { type: "string" },
      budget: { type: "string" },
      paranoia: { type: "string" },
      rules: { type: "string", multiple: true },
      crs: { type: "string" },
      wasm: { type: "string" },
      json: { type: "string" },
      "memory-transactions": { type: "string" },
      "no-memory": { type: "boolean", default: false },
      "no-libinjection": { type: "boolean", default: false },
      "no-modsec": { type: "boolean", default: false },
      e2e: { type: "boolean", default: false },
      "e2e-duration": { type: "string" },
      "e2e-connections": { type: "string" },
      "e2e-rounds": { type: "string" },
      "e2e-paranoia": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const int = (name: string, v: string | undefined, dflt: number, min = 0): number => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${v}`);
    return n;
  };
  const workloads = (values.workload ?? []).flatMap((w) => w.split(",")).filter(Boolean);
  for (const w of workloads) if (!(WORKLOAD_NAMES as readonly string[]).includes(w)) throw new Error(`unknown workload ${w} (known: ${WORKLOAD_NAMES.join(", ")})`);
  const paranoia = (values.paranoia ?? (quick ? "1" : "1,4")).split(",").map((p) => int("paranoia", p, 1, 1));
  for (const p of paranoia) if (p > 4) throw new Error(`--paranoia levels are 1-4, got ${p}`);
  const crsVersion = "v4.28.0";
  return {
    quick,
    workloads: workloads.length ? workloads : [...WORKLOAD_NAMES],
    iterations: int("iterations", values.iterations, quick ? 30 : 1000, 1),
    warmup: int("warmup", values.warmup, quick ? 5 : 3000),
    budget: int("budget", values.budget, 20),
    paranoia,
    rules: values.rules ?? [],
    crs: values.crs ?? `${sharedDir}/crs/${crsVersion}`,
    crsVersion,
    wasm: values.wasm,
    json: values.json,
    memoryTransactions: int("memory-transactions", values["memory-transactions"], quick ? 2000 : 100_000),
    modsec: !values["no-modsec"],
    memory: !values["no-memory"],
    libinjection: !values["no-libinjection"],
    e2e: values.e2e ?? false,
    e2eDuration: int("e2e-duration", values["e2e-duration"], 10, 1),
    e2eConnections: int("e2e-connections", values["e2e-connections"], 16, 1),
    e2eRounds: int("e2e-rounds", values["e2e-rounds"], 3, 1),
    e2eParanoia: int("e2e-paranoia", values["e2e-paranoia"], 1, 1),
  };
}
