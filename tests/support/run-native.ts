// Runs a native peer harness once: feeds `input` on standard input and resolves with everything it wrote to
// standard output; a non-zero exit rejects with the harness's own standard error.
import { spawn } from "node:child_process";

export function runNative(executable: string, args: string[], input: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = spawn(executable, args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const errs: Buffer[] = [];
    p.stdout.on("data", (c: Buffer) => out.push(c));
    p.stderr.on("data", (c: Buffer) => errs.push(c));
    p.on("error", reject);
    p.on("close", (code) => {
      if (code !== 0) reject(new Error(`${executable} failed (${code}): ${Buffer.concat(errs).toString()}`));
      else resolve(Buffer.concat(out));
    });
    p.stdin.on("error", () => {}); // reported through "close"
    p.stdin.end(input);
  });
}
