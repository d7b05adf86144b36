// Runs requests through libmodsecurity (see harness.cc) and returns what it extracted, per request, as
// canonical "VAR key value" entries (see tests/parsers/canon.ts).
import { runNative } from "../../support/run-native";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { buildHarness } from "./build";

export interface PeerRequest {
  method: string;
  uri: Uint8Array;
  headers: [string, Uint8Array][];
  body: Uint8Array;
}

export interface PeerEntry {
  v: string;
  k: Uint8Array;
  val: Uint8Array;
}

/** Extra configuration lines; `{dir}` is replaced by a private temp directory. */
export function baseRules(extra: string[] = []): string[] {
  return [
    "SecRuleEngine On",
    "SecRequestBodyAccess On",
    "SecRequestBodyLimit 134217728",
    ...extra,
    `SecRule REQUEST_HEADERS:Content-Type "@rx (?i)^application/json" "id:1,phase:1,pass,nolog,ctl:requestBodyProcessor=JSON"`,
    `SecRule REQUEST_HEADERS:Content-Type "@rx (?i)^(?:application|text)/xml" "id:2,phase:1,pass,nolog,ctl:requestBodyProcessor=XML"`,
    `SecRule XML:/* "@rx ^.*" "id:3,phase:2,pass,nolog,capture"`,
    // XML://@*: every value, each followed by \x1f (a byte no XML attribute value can hold), in TX:xattrs
    `SecRule XML://@* "@rx ^.*" "id:4,phase:2,pass,nolog,setvar:'tx.xattrs=%{tx.xattrs}%{MATCHED_VAR}\x1f'"`,
  ];
}

export async function runPeer(reqs: PeerRequest[], extra: string[] = []): Promise<PeerEntry[][]> {
  const harness = buildHarness();
  const dir = mkdtempSync(join(tmpdir(), "waf-modsec-parsers-"));
  try {
    const rulesPath = join(dir, "rules.conf");
    writeFileSync(rulesPath, baseRules(extra).map((l) => l.replaceAll("{dir}", dir)).join("\n") + "\n");
    const shards = Math.max(1, Math.min(availableParallelism(), 2, Math.ceil(reqs.length / 300)));
    const per = Math.ceil(reqs.length / shards);
    const parts = await Promise.all(
      Array.from({ length: shards }, (_, s) => runShard(harness, rulesPath, reqs.slice(s * per, (s + 1) * per))),
    );
    const res = parts.flat();
    if (res.length !== reqs.length) throw new Error(`harness returned ${res.length} of ${reqs.length} results`);
    return res;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function encode(reqs: PeerRequest[]): Buffer {
  const chunks: Buffer[] = [];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    chunks.push(b);
  };
  const str = (b: Uint8Array) => {
    u32(b.length);
    chunks.push(Buffer.from(b));
  };
  for (const r of reqs) {
    str(Buffer.from(r.method, "latin1"));
    str(r.uri);
    u32(r.headers.length);
    for (const [k, v] of r.headers) {
      str(Buffer.from(k, "latin1"));
      str(v);
    }
    str(r.body);
  }
  return Buffer.concat(chunks);
}

async function runShard(harness: string, rulesPath: string, reqs: PeerRequest[]): Promise<PeerEntry[][]> {
  const b = await runNative(harness, [rulesPath], encode(reqs));
  const res: PeerEntry[][] = [];
  let q = 0;
  const field = () => {
    const n = b.readUInt32LE(q);
    const v = new Uint8Array(b.subarray(q + 4, q + 4 + n));
    q += 4 + n;
    return v;
  };
  while (q + 4 <= b.length) {
    const count = b.readUInt32LE(q);
    q += 4;
    const list: PeerEntry[] = [];
    for (let i = 0; i < count; i++) {
      const v = Buffer.from(field()).toString("latin1");
      const k = field();
      const val = field();
      list.push({ v, k, val });
    }
    res.push(list);
  }
  return res;
}
