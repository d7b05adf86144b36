// Runs the bundled CLI (build/waf.mjs) as a child process, the way a user runs it, and learns its port from
// its start-up line.
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface WafProcess {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  stderr(): string;
  waitForStderr(re: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startWaf(args: string[], opts: { expectStartup?: boolean } = {}): Promise<WafProcess> {
  // Explicit rules (our bootstrap files) keep these tests independent of whether a CRS is installed here.
  const rules = [resolve(repoRoot, "rulesets/modsecdefault.conf"), resolve(repoRoot, "rulesets/crs-setup.conf")];
  const child = spawn(process.execPath, [resolve(repoRoot, "build/waf.mjs"), "serve", "--listen", "127.0.0.1:0", "--quiet", ...args, ...rules], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  const waiters: Array<() => void> = [];
  child.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stdout!.resume();
  const exited = new Promise<number | null>((r) => child.on("exit", (code) => r(code)));

  const waitForStderr = async (re: RegExp, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!re.test(err)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re} in waf's stderr:\n${err}`);
      await Promise.race([new Promise<void>((r) => waiters.push(r)), new Promise((r) => setTimeout(r, 100)), exited]);
    }
  };

  let port = 0;
  if (opts.expectStartup !== false) {
    await Promise.race([
      waitForStderr(/listening on http:\/\/[^:]+:(\d+)\//),
      exited.then((code) => {
        throw new Error(`waf serve exited (${code}) before listening:\n${err}`);
      }),
    ]);
    port = Number(/listening on http:\/\/[^:]+:(\d+)\//.exec(err)![1]);
  }
  return {
    child,
    port,
    exited,
    stderr: () => err,
    waitForStderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
