// Differential test: every transformation (and some chains) against libmodsecurity 3.0.9, the reference
// engine, byte for byte. Inputs: CRS regression-test values, hand-written edge cases, seeded random bytes
// biased to each transformation's syntax (TRANSFORMS_SEED, TRANSFORMS_RANDOM to change seed / count).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { TransformsModule } from "./wasm";
import { idOf, TRANSFORM_NAMES } from "./names";
import { crsValues, edgeCases, randomInputs, rng, BIAS_OF } from "./corpus";
import { runPeer, type PeerRecord } from "../peers/modsecurity-transforms/peer";
import { modsecUnavailable } from "../peers/modsecurity-transforms/build";

const SEED = Number(process.env.TRANSFORMS_SEED ?? 20240611);
const RANDOM = Number(process.env.TRANSFORMS_RANDOM ?? 1000);

// Known, justified differences: none. (ModSecurity quirks are reproduced on purpose; see the module docs.)
const ALLOWED_DIFFS = new Set<string>();

let mod: TransformsModule;
let crs: Uint8Array[] = [];
let edges: Uint8Array[] = [];

before(async () => {
  // The reference engine is required, not optional: .ci/run installs it, so its absence is a failure.
  assert.equal(modsecUnavailable(), null);
  mod = await TransformsModule.load();
  crs = crsValues();
  edges = edgeCases();
});

const hex = (u: Uint8Array | null) => (u === null ? "<unset>" : Buffer.from(u).toString("hex"));

interface ChainCase {
  label: string;
  names: string[];
  inputs: Uint8Array[];
}

async function compare(cases: ChainCase[], t: { diagnostic(s: string): void }, peerOpts = {}): Promise<void> {
  const records: PeerRecord[] = [];
  cases.forEach((c, k) => {
    for (const v of c.inputs) records.push({ chain: k, value: v });
  });
  const expected = await runPeer(cases.map((c) => c.names), records, peerOpts);
  const stats = cases.map(() => ({ n: 0, diffs: 0, examples: [] as string[] }));
  records.forEach((r, i) => {
    const c = cases[r.chain];
    const ids = c.names.map((n) => idOf.get(n)!);
    const got = mod.run(ids, r.value);
    const exp = expected[i];
    const st = stats[r.chain];
    st.n++;
    if (exp === null || Buffer.compare(Buffer.from(got), Buffer.from(exp)) !== 0) {
      st.diffs++;
      if (st.examples.length < 5) st.examples.push(`in=${hex(r.value)} want=${hex(exp)} got=${hex(got)}`);
    }
  });
  const failures: string[] = [];
  cases.forEach((c, k) => {
    const st = stats[k];
    t.diagnostic(`${c.label}: ${st.n} inputs, ${st.diffs} differences`);
    if (st.diffs && !ALLOWED_DIFFS.has(c.label)) failures.push(`${c.label}: ${st.diffs}/${st.n}\n  ${st.examples.join("\n  ")}`);
  });
  assert.deepEqual(failures, []);
}

test("each transformation matches libmodsecurity on CRS values, edge cases and biased random bytes", async (t) => {
  const rand = rng(SEED);
  const cases: ChainCase[] = TRANSFORM_NAMES.filter(([n]) => n !== "none").map(([name]) => ({
    label: name,
    names: [name],
    inputs: [...edges, ...crs, ...randomInputs(BIAS_OF[name] ?? "any", RANDOM, rand)],
  }));
  await compare(cases, t);
});

test("chains match libmodsecurity (CRS-style multi-transformation pipelines)", async (t) => {
  const rand = rng(SEED + 1);
  const chains = [
    ["utf8toUnicode", "urlDecodeUni", "htmlEntityDecode", "jsDecode", "cssDecode", "removeNulls"],
    ["urlDecodeUni", "lowercase", "removeNulls", "removeWhitespace"],
    ["urlDecodeUni", "normalizePathWin", "lowercase"],
    ["cmdLine", "normalizePath", "compressWhitespace", "trim"],
    ["hexEncode", "hexDecode", "base64Encode", "base64Decode", "md5", "hexEncode"],
    ["replaceComments", "removeCommentsChar", "escapeSeqDecode", "sqlHexDecode", "length"],
    ["trimLeft", "trimRight", "uppercase", "urlEncode", "urlDecode"],
    ["none", "lowercase", "none", "sha1", "base64Encode"],
  ];
  const mixed = (n: number) => {
    const out: Uint8Array[] = [];
    for (const bias of ["url", "html", "js", "utf8", "path", "comment", "cmd"]) out.push(...randomInputs(bias, n, rand));
    return out;
  };
  const cases = chains.map((names) => ({
    label: names.join(","),
    names: names.filter((n) => n !== "none"), // the peer rule starts with t:none anyway
    inputs: [...edges, ...crs.filter((_, i) => i % 3 === 0), ...mixed(100)],
  }));
  await compare(cases, t);
});

test("urlDecodeUni with SecUnicodeMapFile matches libmodsecurity", async (t) => {
  const rand = rng(SEED + 2);
  // A synthetic mapping file in ModSecurity's format: code-page header lines, then "hhhh:hh" entries.
  const entries: string[] = [];
  const codes: number[] = [];
  for (let k = 0; k < 400; k++) {
    const code = k < 200 ? Math.floor(rand() * 0x10000) : 0xff00 + Math.floor(rand() * 0x100);
    const map = k % 50 === 7 ? Math.floor(rand() * 0x1000) : Math.floor(rand() * 256); // some > 0xff
    codes.push(code);
    entries.push(`${code.toString(16).padStart(4, "0")}:${map.toString(16).padStart(2, "0")}`);
  }
  const file =
    "(MAC - Roman)\n\n\n1250  (ANSI - Central Europe)\n00a1:21 00c0:41 0041:7a\n\n" +
    `20127  (US-ASCII)\n${entries.join(" ")} \n\n` +
    "20261  (T.61)\n00c1:00 0041:00\n";
  const mapInputs: Uint8Array[] = [];
  for (let k = 0; k < 2000; k++) {
    let s = "";
    const parts = 1 + Math.floor(rand() * 6);
    for (let p = 0; p < parts; p++) {
      const r = rand();
      if (r < 0.5) {
        const c = codes[Math.floor(rand() * codes.length)].toString(16).padStart(4, "0");
        s += `%${rand() < 0.5 ? "u" : "U"}${rand() < 0.5 ? c : c.toUpperCase()}`;
      } else if (r < 0.7) s += `%u${Math.floor(rand() * 0x10000).toString(16).padStart(4, "0")}`;
      else if (r < 0.8) s += ["%u002e", "%u3002", "%uff0e", "%uff61", "%uFF21", "%u00A1"][Math.floor(rand() * 6)];
      else s += ["%41", "+", "a", "%u12", "%", "%zz"][Math.floor(rand() * 6)];
    }
    mapInputs.push(Buffer.from(s, "latin1"));
  }
  mod.setUnicodeMap(Buffer.from(file, "latin1"), 20127);
  try {
    await compare(
      [{ label: "urlDecodeUni+map(20127)", names: ["urlDecodeUni"], inputs: [...edges, ...mapInputs, ...crs.filter((_, i) => i % 4 === 0)] }],
      t,
      { files: { "unicode.mapping": file }, config: ["SecUnicodeMapFile {dir}/unicode.mapping 20127"] },
    );
  } finally {
    mod.setUnicodeMap(null, 0);
  }
});
