// Engines the runner can drive. Both speak `waf check --jsonl` (../shared/design/check-jsonl.md) with the
// same command line, so one implementation spawns either: our filter (`waf check`) or the ModSecurity v3
// peer (tests/peers/modsecurity-check, a C++ program with the same command line and line format).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { EngineConfig } from "./config";
import type { CheckInput, CheckOutput } from "./model";

export interface Engine {
  readonly name: string;
  /** One output object per input object, in order. Rejects on a rule-set error (with the engine's message). */
  run(inputs: CheckInput[]): Promise<CheckOutput[]>;
}

export class EngineError extends Error {}

/**
 * Spawns `<argv> [--directive D]... --jsonl - CONF...`, feeds the input lines on standard input and reads
 * the output lines. Large batches are split over `shards` processes (each loads the rule set once).
 */
export class CommandEngine implements Engine {
  constructor(
    readonly name: string,
    private readonly argv: string[],
    private readonly config: EngineConfig,
    private readonly shards = Math.max(1, Math.min(2, availableParallelism())),
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  args(): string[] {
    return [...this.config.directives.flatMap((d) => ["--directive", d]), "--jsonl", "-", ...this.config.confFiles];
  }

  async run(inputs: CheckInput[]): Promise<CheckOutput[]> {
    if (inputs.length === 0) return [];
    const n = Math.max(1, Math.min(this.shards, Math.ceil(inputs.length / 200)));
    const per = Math.ceil(inputs.length / n);
    const parts = await Promise.all(
      Array.from({ length: n }, (_, s) => this.runOne(inputs.slice(s * per, (s + 1) * per), s * per)),
    );
    return parts.flat();
  }

  private runOne(inputs: CheckInput[], offset: number): Promise<CheckOutput[]> {
    const [cmd, ...pre] = this.argv;
    const p = spawn(cmd!, [...pre, ...this.args()], { stdio: ["pipe", "pipe", "pipe"], env: this.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    p.stdout.on("data", (c: Buffer) => out.push(c));
    p.stderr.on("data", (c: Buffer) => err.push(c));
    p.stdin.on("error", () => {});
    p.stdin.end(inputs.map((i) => JSON.stringify(i) + "\n").join(""));
    return new Promise((resolveRun, reject) => {
      p.on("error", (e) => reject(new EngineError(`${this.name}: cannot start ${cmd}: ${e.message}`)));
      p.on("close", (code) => {
        const stderr = Buffer.concat(err).toString();
        if (code !== 0) return reject(new EngineError(`${this.name} exited with ${code}: ${stderr.trim().split("\n").slice(-5).join("\n")}`));
        const lines = Buffer.concat(out).toString("utf8").split("\n").filter((l) => l.trim() !== "");
        if (lines.length !== inputs.length) {
          return reject(new EngineError(`${this.name} answered ${lines.length} lines for ${inputs.length} inputs: ${stderr.trim().slice(-500)}`));
        }
        resolveRun(lines.map((l) => {
          const o = JSON.parse(l) as CheckOutput;
          return { ...o, index: o.index + offset };
        }));
      });
    });
  }
}

const here = dirname(fileURLToPath(import.meta.url));
const repoCandidates = [resolve(here, "../.."), resolve(here, ".."), process.cwd()];

function repoFile(rel: string): string | undefined {
  for (const r of repoCandidates) if (existsSync(join(r, rel))) return join(r, rel);
  return undefined;
}

/** Our filter through `waf check`: the bundled CLI when built, else the sources through tsx. */
export function wafEngine(config: EngineConfig, shards?: number): Engine {
  const bundled = repoFile("build/waf.mjs");
  const main = repoFile("cli/main.ts");
  let argv: string[];
  if (process.env.WAF_CHECK_CMD) argv = process.env.WAF_CHECK_CMD.split(" ").filter(Boolean);
  else if (bundled && existsSync(join(dirname(bundled), "waf.wasm"))) argv = [process.execPath, bundled, "check"];
  else if (main) argv = [process.execPath, "--import", "tsx", main, "check"];
  else throw new EngineError("cannot find `waf check` (build/waf.mjs or cli/main.ts); set WAF_CHECK_CMD");
  return new CommandEngine("waf", argv, config, shards);
}

/** The ModSecurity v3 peer: MODSEC_CHECK (a built modsec-check), else built by tests/peers/modsecurity-check. */
export async function modsecurityEngine(config: EngineConfig, shards?: number): Promise<Engine> {
  let binary = process.env.MODSEC_CHECK;
  if (!binary) {
    const index = repoFile("tests/peers/modsecurity-check/index.ts");
    if (!index) throw new EngineError("the ModSecurity peer (tests/peers/modsecurity-check/index.ts) is not here; set MODSEC_CHECK");
    const peer = (await import(pathToFileURL(index).href)) as { ModsecPeer: { available(): { ok: true; binary: string } | { ok: false; reason: string } } };
    const a = peer.ModsecPeer.available();
    if (!a.ok) throw new EngineError(`the ModSecurity peer is not available: ${a.reason}`);
    binary = a.binary;
  }
  return new CommandEngine("modsecurity", [binary], config, shards);
}
