/**
 * Builds and drives the PCRE2 differential harness (pcre2-harness.c) — one process per batch.
 * `pcre2Unavailable()` returns a written reason when the harness cannot be built (no C compiler or no
 * libpcre2-8 headers); the tests then skip with that reason.
 */
import { spawnSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildNative, nativeUnavailable } from "../../support/build-native";

const here = dirname(fileURLToPath(import.meta.url));
let built: string | null = null;
let buildError: string | null = null;

function build(): void {
  if (built || buildError) return;
  buildError = nativeUnavailable("cc", "/usr/include/pcre2.h", "libpcre2-dev");
  if (buildError) return;
  try {
    built = buildNative({ name: "pcre2-harness", sources: [join(here, "pcre2-harness.c")], compiler: "cc", flags: ["-O2"], libs: ["-lpcre2-8"] });
  } catch (err) {
    buildError = `building the PCRE2 harness failed: ${(err as Error).message}`;
  }
}

export function pcre2Unavailable(): string | null {
  build();
  return buildError;
}

export interface PcreCompile {
  ok: boolean;
  captureCount: number;
  error?: string;
}
export type PcreMatch = { kind: "nomatch" } | { kind: "error"; code: string } | { kind: "match"; ovector: number[] };

export interface PcreJob {
  pattern: string;
  subjects: Uint8Array[];
}
export interface PcreJobResult {
  compile: PcreCompile;
  matches: PcreMatch[];
}

function rec(type: string, data: Uint8Array): Buffer {
  const h = Buffer.alloc(5);
  h[0] = type.charCodeAt(0);
  h.writeUInt32LE(data.length, 1);
  return Buffer.concat([h, data]);
}

/** Runs all jobs through one harness process. */
export function runPcre2(jobs: PcreJob[]): PcreJobResult[] {
  build();
  if (!built) throw new Error(buildError ?? "harness not built");
  const parts: Buffer[] = [];
  for (const j of jobs) {
    parts.push(rec("P", Buffer.from(j.pattern, "latin1")));
    for (const s of j.subjects) parts.push(rec("S", s));
  }
  const r = spawnSync(built, [], { input: Buffer.concat(parts), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`PCRE2 harness exited with ${r.status}: ${r.stderr?.toString()}`);
  const lines = r.stdout.toString("latin1").split("\n");
  let li = 0;
  const out: PcreJobResult[] = [];
  for (const j of jobs) {
    const c = lines[li++]!;
    let compile: PcreCompile;
    if (c.startsWith("C OK ")) compile = { ok: true, captureCount: Number(c.slice(5)) };
    else compile = { ok: false, captureCount: 0, error: c.slice(5) };
    const matches: PcreMatch[] = [];
    for (let k = 0; k < j.subjects.length; k++) {
      const l = lines[li++]!;
      if (l === "N") matches.push({ kind: "nomatch" });
      else if (l.startsWith("M ")) matches.push({ kind: "match", ovector: l.slice(2).split(" ").map(Number) });
      else matches.push({ kind: "error", code: l.slice(2) });
    }
    out.push({ compile, matches });
  }
  return out;
}
