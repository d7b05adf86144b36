// The ModSecurity v3 peer of `waf check --jsonl` (../shared/design/check-jsonl.md): builds modsec-check.cc
// with g++ against libmodsecurity (cached by source hash in os.tmpdir()) and runs it, either as a batch
// (runModsecCheck) or as a long-lived process answering one line at a time (ModsecCheckSession).
//
// Needs the Debian packages g++ and libmodsecurity-dev (which brings libmodsecurity3). Without them,
// ModsecPeer.available() says why and the tests skip — except under CI, where they must run.
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { CheckOutputLine } from "../../../cli/replay/jsonl";

const here = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(here, "../../..");
export const SHARED = process.env.WAF_SHARED_DIR ?? resolve(REPO, "../shared");
export const SOURCE = join(here, "modsec-check.cc");
export const MODSEC_HEADER = "/usr/include/modsecurity/modsecurity.h";
const CXXFLAGS = ["-O2", "-std=c++17"];
const cacheDir = join(tmpdir(), "workload-waf-modsec-check");

/** One output line of `waf check --jsonl` / modsec-check. */
export type CheckResult = CheckOutputLine;

/** The program exited with a non-zero status (e.g. a rule-set error): `stderr` has ModSecurity's message. */
export class ModsecCheckError extends Error {
  constructor(
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`modsec-check exited with ${code}: ${stderr.trim()}`);
  }
}

export type Availability = { ok: true; binary: string } | { ok: false; reason: string };

let availability: Availability | undefined;

export const ModsecPeer = {
  /** Whether the peer can run here (compiler, headers, library, and a successful build), and if not, why. */
  available(): Availability {
    availability ??= probe();
    return availability;
  },

  /** `false` when the peer is available, else the reason to skip with; under CI a missing peer is an error. */
  skipReason(): string | false {
    const a = ModsecPeer.available();
    if (a.ok) return false;
    if (process.env.CI) throw new Error(`ModSecurity peer required in CI: ${a.reason}`);
    return a.reason;
  },

  /** Path of the built program; throws with the reason when unavailable. */
  binary(): string {
    const a = ModsecPeer.available();
    if (!a.ok) throw new Error(a.reason);
    return a.binary;
  },
};

function probe(): Availability {
  const gxx = spawnSync("g++", ["--version"], { encoding: "utf8" });
  if (gxx.error || gxx.status !== 0) {
    return { ok: false, reason: "g++ not found (install the Debian package g++)" };
  }
  if (!existsSync(MODSEC_HEADER)) {
    return { ok: false, reason: `libmodsecurity headers not found at ${MODSEC_HEADER} (install libmodsecurity-dev)` };
  }
  try {
    return { ok: true, binary: build(gxx.stdout.split("\n")[0] ?? "") };
  } catch (err) {
    const e = err as { stderr?: Buffer | string; message: string };
    const detail = String(e.stderr ?? e.message).trim().split("\n").slice(-5).join("\n");
    return { ok: false, reason: `building modsec-check with g++ -lmodsecurity failed (is libmodsecurity-dev installed?):\n${detail}` };
  }
}

function build(compiler: string): string {
  const h = createHash("sha256");
  h.update(readFileSync(SOURCE));
  h.update(readFileSync(MODSEC_HEADER));
  h.update(compiler + CXXFLAGS.join(" "));
  const out = join(cacheDir, `modsec-check-${h.digest("hex").slice(0, 16)}`);
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    execFileSync("g++", [...CXXFLAGS, "-o", tmp, SOURCE, "-lmodsecurity"], { stdio: ["ignore", "pipe", "pipe"] });
    renameSync(tmp, out);
  } finally {
    rmSync(tmp, { force: true });
  }
  return out;
}

function withStdin(args: string[]): string[] {
  return args.includes("--jsonl") ? args : ["--jsonl", "-", ...args];
}

/**
 * Runs modsec-check once over `inputLines` (fed on standard input unless `args` has its own `--jsonl`) and
 * returns its output lines. Rejects with ModsecCheckError when it exits non-zero.
 */
export function runModsecCheck(args: string[], inputLines: string[]): Promise<string[]> {
  const p = spawn(ModsecPeer.binary(), withStdin(args), { stdio: ["pipe", "pipe", "pipe"] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  p.stdout.on("data", (c: Buffer) => out.push(c));
  p.stderr.on("data", (c: Buffer) => err.push(c));
  p.stdin.on("error", () => {}); // it may exit (rule-set error) before reading everything
  p.stdin.end(inputLines.map((l) => l + "\n").join(""));
  return new Promise((resolvePromise, reject) => {
    p.on("error", reject);
    p.on("close", (code) => {
      if (code !== 0) return reject(new ModsecCheckError(code, Buffer.concat(err).toString()));
      resolvePromise(Buffer.concat(out).toString("utf8").split("\n").filter((l) => l !== ""));
    });
  });
}

/**
 * One modsec-check process reading `--jsonl -`: each request() writes one line and resolves with its answer,
 * so many transactions share one rule-set load. Lines are answered in order.
 */
export class ModsecCheckSession {
  /** What modsec-check reported on loading: library version, rule count, load time. */
  version = "";
  rules = 0;
  loadMs = 0;
  private readonly pending: Array<{ resolve: (line: string) => void; reject: (e: Error) => void }> = [];
  private stderr = "";
  private exited: Error | undefined;
  private readonly closed: Promise<void>;

  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    createInterface({ input: proc.stdout }).on("line", (line) => {
      const waiter = this.pending.shift();
      if (waiter) waiter.resolve(line);
    });
    proc.stdin.on("error", () => {});
    this.closed = new Promise((resolveClosed) => {
      proc.on("close", (code) => {
        this.exited = new ModsecCheckError(code, this.stderr);
        for (const w of this.pending.splice(0)) w.reject(this.exited);
        resolveClosed();
      });
    });
  }

  /** Starts the process and waits until the rule set is loaded; rejects with ModSecurity's message if not. */
  static start(args: string[]): Promise<ModsecCheckSession> {
    const proc = spawn(ModsecPeer.binary(), withStdin(args), { stdio: ["pipe", "pipe", "pipe"] });
    const s = new ModsecCheckSession(proc);
    return new Promise((resolveStart, reject) => {
      proc.on("error", reject);
      proc.stderr.on("data", (c: Buffer) => {
        s.stderr += c.toString();
        const m = /modsec-check: (.*), (\d+) rules loaded in ([\d.]+) ms/.exec(s.stderr);
        if (m && !s.version) {
          s.version = m[1]!;
          s.rules = Number(m[2]);
          s.loadMs = Number(m[3]);
          resolveStart(s);
        }
      });
      void s.closed.then(() => reject(s.exited));
    });
  }

  /** Sends one input line (a string as is, anything else JSON-encoded) and returns the raw output line. */
  requestLine(input: string | object): Promise<string> {
    const line = typeof input === "string" ? input : JSON.stringify(input);
    if (line.includes("\n") || line.trim() === "") return Promise.reject(new Error("an input line must be one non-blank line"));
    if (this.exited) return Promise.reject(this.exited);
    return new Promise((res, rej) => {
      this.pending.push({ resolve: res, reject: rej });
      this.proc.stdin.write(line + "\n");
    });
  }

  /** Like requestLine, parsed. */
  async request(input: string | object): Promise<CheckResult> {
    return JSON.parse(await this.requestLine(input)) as CheckResult;
  }

  /** Ends the input and waits for the process to exit. */
  async close(): Promise<void> {
    this.proc.stdin.end();
    await this.closed;
  }
}

/** The usual CRS main file: our bootstrap files, then the CRS rules (the .data files sit next to them). */
export function crsMainConf(version = "v4.28.0"): { text: string; rulesDir: string } {
  const rulesDir = join(SHARED, "crs", version, "rules");
  return {
    rulesDir,
    text: [
      `Include ${join(REPO, "rulesets/modsecdefault.conf")}`,
      `Include ${join(REPO, "rulesets/crs-setup.conf")}`,
      `Include ${join(rulesDir, "*.conf")}`,
      "",
    ].join("\n"),
  };
}
