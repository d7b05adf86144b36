/**
 * The ModSecurity v3 peer: builds tests/peers/modsecurity-libinjection/harness.cc against the system's
 * libmodsecurity (Debian libmodsecurity3 + libmodsecurity-dev) into os.tmpdir(), cached by source hash, and runs
 * batches of inputs through it (one process, one transaction per input).
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { buildNative, nativeUnavailable } from "../../support/build-native";
import { repoRoot } from "../../support/paths";

const SOURCE = join(repoRoot, "tests/peers/modsecurity-libinjection/harness.cc");

/** Why the libmodsecurity peer cannot be built here, or null. */
export function peerUnavailable(): string | null {
  return nativeUnavailable("g++", "/usr/include/modsecurity/modsecurity.h", "libmodsecurity-dev");
}

export function buildPeer(): string {
  return buildNative({ name: "modsec-libinjection-peer", sources: [SOURCE], compiler: "g++", flags: ["-O2", "-std=c++17"], libs: ["-lmodsecurity"] });
}

export interface PeerResult {
  sqli: boolean;
  fingerprint: string;
  xss: boolean;
  /** libinjection_sqli() / libinjection_xss() called directly in the same process (cross-check). */
  directSqli: boolean;
  directFingerprint: string;
  directXss: boolean;
}

export function runPeer(exe: string, inputs: Uint8Array[]): PeerResult[] {
  const parts: Buffer[] = [];
  for (const v of inputs) {
    const hdr = Buffer.alloc(4);
    hdr.writeUInt32LE(v.length);
    parts.push(hdr, Buffer.from(v.buffer, v.byteOffset, v.length));
  }
  const r = spawnSync(exe, [], { input: Buffer.concat(parts), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`peer exited ${r.status}: ${r.stderr?.toString()}`);
  const lines = r.stdout.toString("latin1").split("\n");
  lines.pop();
  if (lines.length !== inputs.length) throw new Error(`peer answered ${lines.length} of ${inputs.length} inputs`);
  return lines.map((l) => {
    const [s, fp, x, ds, dfp, dx] = l.split("\t");
    return { sqli: s === "1", fingerprint: fp ?? "", xss: x === "1", directSqli: ds === "1", directFingerprint: dfp ?? "", directXss: dx === "1" };
  });
}
