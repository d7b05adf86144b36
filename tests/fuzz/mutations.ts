// The mutation fuzzer: real attack requests (the CRS v4.28.0 regression tests, loaded by cli/crs-test/load.ts exactly
// as `waf crs-test` sends them) with their bytes flipped, inserted, deleted and duplicated. Half of the mutants
// change the wire bytes, which then go through the proxy's HTTP/1 codec model (cli/crs-test/codec.ts) as Envoy's
// codec would parse them; the other half change one parsed field (URI, a header name or value, the body)
// directly, so that bytes Envoy's codec would refuse (NUL, CR, LF) also reach the filter.
import { loadSuite } from "../../cli/crs-test/load";
import { parseHttp1 } from "../../cli/crs-test/codec";
import { albedo } from "../../cli/crs-test/upstream";
import type { ParsedRequest } from "../../cli/crs-test/codec";
import { cutsFor } from "./generators";
import type { Rand } from "./rand";
import type { FuzzTx } from "./stream-run";

export interface Seed {
  /** e.g. "942100-3" */
  title: string;
  wire: Buffer;
  request: ParsedRequest;
}

/** Every stage request of the suite the codec accepts (what reaches the filter when the suites run). */
export function loadSeeds(crsDir: string): Seed[] {
  const seeds: Seed[] = [];
  for (const t of loadSuite(crsDir, "v4").tests) {
    for (const s of t.stages) {
      if (s.request.kind !== "ok") continue;
      const parsed = parseHttp1(s.request.wire);
      if (parsed.ok) seeds.push({ title: t.title, wire: s.request.wire, request: parsed.request });
    }
  }
  return seeds;
}

/** Bytes worth inserting: the ones decoders, parsers and the codec treat specially. */
const TOKENS = ["%", "%u", "%00", "\\u", "\\", "\x00", "\xff", "\xc0\xaf", "\xed\xa0\x80", "\r\n", "\n", "\r", "--", "\"", "'", "<", ">", "<!DOCTYPE x [", "{", "[", "&", "=", ";", ":", " ", "\t", "/*", "*/"].map((s) => Buffer.from(s, "latin1"));

/** 1 to 4 random mutations of `b` (never longer than `max`). */
export function mutateBytes(r: Rand, b: Buffer, max = 300_000): Buffer {
  let out = Buffer.from(b);
  for (let n = r.int(1, 4); n > 0; n--) {
    const at = r.int(0, out.length);
    const len = r.int(1, Math.max(1, Math.min(64, out.length - at)));
    switch (r.int(0, 6)) {
      case 0: // flip one bit
        if (out.length) out[Math.min(at, out.length - 1)]! ^= 1 << r.int(0, 7);
        break;
      case 1: // overwrite with a random byte
        if (out.length) out[Math.min(at, out.length - 1)] = r.int(0, 255);
        break;
      case 2: // insert random bytes
        out = Buffer.concat([out.subarray(0, at), r.bytes(r.int(1, 8)), out.subarray(at)]);
        break;
      case 3: // insert a token
        out = Buffer.concat([out.subarray(0, at), r.pick(TOKENS), out.subarray(at)]);
        break;
      case 4: // delete a range
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + len)]);
        break;
      case 5: { // duplicate a range, possibly many times
        const range = out.subarray(at, at + len);
        const times = r.chance(0.2) ? r.int(2, 2_000) : 1;
        out = Buffer.concat([out.subarray(0, at + len), ...Array.from({ length: times }, () => range), out.subarray(at + len)]);
        break;
      }
      default: { // copy a range elsewhere
        const src = Buffer.from(out.subarray(r.int(0, out.length), r.int(0, out.length) + len));
        const to = r.int(0, out.length);
        out = Buffer.concat([out.subarray(0, to), src, out.subarray(to)]);
      }
    }
  }
  return out.length > max ? out.subarray(0, max) : out;
}

function txOf(kind: string, r: Rand, req: ParsedRequest): FuzzTx {
  const resp = albedo(req);
  const L = (s: string) => Buffer.from(s, "latin1");
  return {
    kind,
    method: req.method,
    uri: req.uri,
    headers: req.headers,
    body: req.body,
    cuts: cutsFor(r, req.body),
    response: { status: resp.status, headers: resp.headers.map(([k, v]) => [L(k), L(v)]), body: resp.body, cuts: cutsFor(r, resp.body) },
  };
}

/** One mutant of a seed, or null when the mutated wire bytes are refused by the codec (Envoy answers, no filter runs). */
export function mutant(r: Rand, seed: Seed): FuzzTx | null {
  if (r.chance(0.5)) {
    const parsed = parseHttp1(mutateBytes(r, seed.wire));
    return parsed.ok ? txOf(`mutant/wire of ${seed.title}`, r, parsed.request) : null;
  }
  const req: ParsedRequest = { ...seed.request, headers: seed.request.headers.map(([k, v]) => [k, v]) };
  const target = r.int(0, 3);
  if (target === 0) req.uri = mutateBytes(r, req.uri);
  else if (target === 1) req.body = mutateBytes(r, req.body);
  else if (req.headers.length) {
    const i = r.int(0, req.headers.length - 1);
    const [k, v] = req.headers[i]!;
    req.headers[i] = target === 2 ? [k, mutateBytes(r, v)] : [mutateBytes(r, k, 1_000), v];
  }
  return txOf(`mutant/field of ${seed.title}`, r, req);
}
