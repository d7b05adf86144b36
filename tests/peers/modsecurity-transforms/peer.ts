// Runs transformation chains through libmodsecurity (see harness.cc) and returns the transformed values.
import { runNative } from "../../support/run-native";
import { availableParallelism } from "node:os";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildHarness } from "./build";

export interface PeerRecord {
  chain: number; // index into the chains array
  value: Uint8Array;
}

export interface PeerOptions {
  /** Extra configuration lines (e.g. SecUnicodeMapFile); `{dir}` is replaced by a private temp directory. */
  config?: string[];
  /** Files to write into that directory first. */
  files?: Record<string, Uint8Array | string>;
}

/** chains: transformation name lists. Returns one result per record (null when TX:0 was not set). */
export async function runPeer(
  chains: string[][],
  records: PeerRecord[],
  opts: PeerOptions = {},
): Promise<(Uint8Array | null)[]> {
  const harness = buildHarness();
  const dir = mkdtempSync(join(tmpdir(), "waf-modsec-peer-"));
  try {
    for (const [name, data] of Object.entries(opts.files ?? {})) writeFileSync(join(dir, name), data);
    const lines = ["SecRuleEngine On", ...(opts.config ?? []).map((l) => l.replaceAll("{dir}", dir))];
    chains.forEach((names, k) => {
      const t = names.map((n) => `t:${n}`).join(",");
      lines.push(`SecRule ARGS:a${k} "@rx ^.*" "id:${k + 1},phase:2,t:none${t ? "," + t : ""},capture,pass,nolog"`);
    });
    const rulesPath = join(dir, "rules.conf");
    writeFileSync(rulesPath, lines.join("\n") + "\n");
    // Shard the records over parallel harness processes (one per core).
    const shards = Math.max(1, Math.min(availableParallelism(), Math.ceil(records.length / 2000)));
    const per = Math.ceil(records.length / shards);
    const parts = await Promise.all(
      Array.from({ length: shards }, (_, s) => runShard(harness, rulesPath, records.slice(s * per, (s + 1) * per))),
    );
    const res = parts.flat();
    if (res.length !== records.length) throw new Error(`harness returned ${res.length} of ${records.length} results`);
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runShard(harness: string, rulesPath: string, records: PeerRecord[]): Promise<(Uint8Array | null)[]> {
  let size = 0;
  for (const r of records) size += 8 + r.value.length;
  const input = Buffer.alloc(size);
  let o = 0;
  for (const r of records) {
    input.writeUInt32LE(r.chain, o);
    input.writeUInt32LE(r.value.length, o + 4);
    input.set(r.value, o + 8);
    o += 8 + r.value.length;
  }
  const out = await runNative(harness, [rulesPath], input);
  const res: (Uint8Array | null)[] = [];
  let q = 0;
  while (q + 5 <= out.length) {
    const status = out[q];
    const n = out.readUInt32LE(q + 1);
    res.push(status ? new Uint8Array(out.subarray(q + 5, q + 5 + n)) : null);
    q += 5 + n;
  }
  return res;
}
