/**
 * Differential test: the native AssemblyScript @detectSQLi / @detectXSS against ModSecurity v3's operators
 * (Debian libmodsecurity3 3.0.9, which bundles libinjection 3.9.2). Every input of a large, varied corpus goes
 * through both; match/no-match and the fingerprint captured into TX:0 must agree, except for entries written
 * down with a justification in tests/peers/modsecurity-libinjection/known-differences.json.
 *
 * Needs /usr/include/modsecurity/modsecurity.h (libmodsecurity-dev) and g++; skipped without them locally,
 * failed without them in CI (CI installs them). LIBINJECTION_FUZZ=<n> adds n extra mutated inputs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { crsValues, fullCorpus, type CorpusEntry } from "./helpers/corpus";
import { buildPeer, peerUnavailable, runPeer } from "./helpers/peer";
import { loadDetectors, REPO_ROOT } from "./helpers/wasm";

interface KnownDifference {
  detector: "sqli" | "xss";
  inputHex: string;
  justification: string;
}

const KNOWN: KnownDifference[] = JSON.parse(
  readFileSync(join(REPO_ROOT, "tests/peers/modsecurity-libinjection/known-differences.json"), "utf8"),
) as KnownDifference[];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
}

/** Byte-level mutations (insert / delete / replace / duplicate) of corpus entries, biased to syntax bytes. */
function mutations(base: CorpusEntry[], n: number, seed: number): CorpusEntry[] {
  const r = rng(seed);
  const alpha = "'\"`-#/*!@$.,;()[]{}<>=&|^~%:\\?N0x1eE \n\x00\xa0qQ<>/!-=&#x;jJavscrit\t\xff\x80\x0b\r";
  const out: CorpusEntry[] = [];
  const pool = base.filter((e) => e.bytes.length <= 512);
  for (let i = 0; i < n; i++) {
    const arr = [...pool[Math.floor(r() * pool.length)]!.bytes];
    const k = 1 + Math.floor(r() * 3);
    for (let j = 0; j < k; j++) {
      const op = r();
      const p = Math.floor(r() * (arr.length + 1));
      const c = r() < 0.7 ? alpha.charCodeAt(Math.floor(r() * alpha.length)) : Math.floor(r() * 256);
      if (op < 0.4) arr.splice(p, 0, c);
      else if (op < 0.7) arr.splice(p, 1);
      else if (op < 0.9) arr[p] = c;
      else {
        const q = Math.floor(r() * arr.length);
        arr.splice(p, 0, ...arr.slice(q, q + 8));
      }
    }
    out.push({ origin: "mutation", bytes: Buffer.from(arr.filter((x) => x !== undefined)) });
  }
  return out;
}

const show = (b: Buffer): string => JSON.stringify(b.length > 160 ? b.toString("latin1", 0, 160) + "…" : b.toString("latin1"));

/** The peer executable and our detectors, or null when the peer cannot be built here: CI installs it, so there its
 *  absence is a failure; elsewhere the test says why it did not run. */
async function peerAndDetectors(t: { skip(message: string): void }): Promise<{ exe: string; det: Awaited<ReturnType<typeof loadDetectors>> } | null> {
  const unavailable = peerUnavailable();
  if (unavailable) {
    if (process.env.CI) assert.fail(unavailable);
    t.skip(unavailable);
    return null;
  }
  return { exe: buildPeer(), det: await loadDetectors() };
}

test("native detectSQLi/detectXSS agree with ModSecurity v3.0.9 (libinjection 3.9.2)", async (t) => {
  const ready = await peerAndDetectors(t);
  if (!ready) return;
  const { exe, det } = ready;
  const { crsAvailable, entries: base } = fullCorpus();
  if (!crsAvailable && process.env.CI) assert.fail("CRS regression tests not found under WAF_SHARED_DIR");
  const extra = Number(process.env.LIBINJECTION_FUZZ ?? 0);
  const entries = [...base, ...mutations(base, 25000 + extra, 0xc0ffee)];

  const peer = runPeer(exe, entries.map((e) => e.bytes));
  const known = new Set(KNOWN.map((k) => `${k.detector}:${k.inputHex}`));
  const unexpected: string[] = [];
  const stats = { inputs: entries.length, sqliHits: 0, xssHits: 0, sqliDiffs: 0, xssDiffs: 0, knownDiffs: 0, plumbing: 0 };
  const byOrigin = new Map<string, { n: number; sqli: number; xss: number }>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const p = peer[i]!;
    const group = e.origin.replace(/-\d{6}$/, "").replace(/^crs-(v[\d.]+)$/, "crs-$1");
    const o = byOrigin.get(group) ?? { n: 0, sqli: 0, xss: 0 };
    o.n++;
    byOrigin.set(group, o);
    // the rule plumbing (ARGS, capture, logdata) must report exactly what libinjection itself says
    if (p.sqli !== p.directSqli || p.fingerprint !== p.directFingerprint || p.xss !== p.directXss) stats.plumbing++;
    if (p.sqli) (stats.sqliHits++, o.sqli++);
    if (p.xss) (stats.xssHits++, o.xss++);
    const s = det.sqli(e.bytes);
    const x = det.xss(e.bytes);
    const hex = e.bytes.toString("hex");
    if (s.match !== p.sqli || s.fingerprint !== p.fingerprint) {
      stats.sqliDiffs++;
      if (known.has(`sqli:${hex}`)) stats.knownDiffs++;
      else unexpected.push(`sqli ${e.origin} ${show(e.bytes)}: native ${s.match ? s.fingerprint : "no match"}, ModSecurity ${p.sqli ? p.fingerprint : "no match"}`);
    }
    if (x !== p.xss) {
      stats.xssDiffs++;
      if (known.has(`xss:${hex}`)) stats.knownDiffs++;
      else unexpected.push(`xss ${e.origin} ${show(e.bytes)}: native ${x}, ModSecurity ${p.xss}`);
    }
  }
  t.diagnostic(
    `inputs=${stats.inputs} sqli-matches=${stats.sqliHits} xss-matches=${stats.xssHits} ` +
      `sqli-differences=${stats.sqliDiffs} xss-differences=${stats.xssDiffs} documented=${stats.knownDiffs}`,
  );
  for (const [g, o] of [...byOrigin].sort()) t.diagnostic(`  ${g}: ${o.n} inputs, ${o.sqli} SQLi, ${o.xss} XSS`);

  assert.equal(stats.plumbing, 0, "ModSecurity's rule results disagree with its own libinjection calls");
  // the corpus must actually exercise both detectors
  assert.ok(stats.sqliHits > 5000 && stats.xssHits > 5000, `too few matches: ${JSON.stringify(stats)}`);
  assert.deepEqual(unexpected.slice(0, 40), [], `${unexpected.length} undocumented differences`);
});

test("every CRS 942100 / 941100 regression value gets ModSecurity's verdict", async (t) => {
  const ready = await peerAndDetectors(t);
  if (!ready) return;
  const { exe, det } = ready;
  const seen = new Set<string>();
  const targeted = crsValues().entries.filter((e) => {
    const k = e.origin.slice(-6) + e.bytes.toString("latin1");
    if (!/-(942100|941100)$/.test(e.origin) || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (targeted.length === 0) {
    t.skip("CRS regression tests not available");
    return;
  }
  const peer = runPeer(exe, targeted.map((e) => e.bytes));
  let hits = 0;
  targeted.forEach((e, i) => {
    const want = e.origin.endsWith("942100") ? { m: peer[i]!.sqli, fp: peer[i]!.fingerprint } : { m: peer[i]!.xss, fp: "" };
    const got = e.origin.endsWith("942100") ? det.sqli(e.bytes) : { match: det.xss(e.bytes), fingerprint: "" };
    if (want.m) hits++;
    assert.equal(got.match, want.m, `${e.origin} ${show(e.bytes)}`);
    assert.equal(got.fingerprint, want.fp, `${e.origin} ${show(e.bytes)}`);
  });
  t.diagnostic(`${targeted.length} values from the 942100/941100 tests, ${hits} detected by both`);
  assert.ok(hits >= 20, `only ${hits} detections`);
});

test("libinjection flags no XSS in input without '<' or '=' (the premise of detectXSS's one-pass shortcut)", async (t) => {
  const ready = await peerAndDetectors(t);
  if (!ready) return;
  const { exe, det } = ready;
  // The corpus, with every '<' and '=' dropped, then mutations drawn from XSS syntax without those two bytes:
  // attribute names (onerror, style, href), URL schemes, quotes, back-quotes, '>', '/', '!', '?', comments' dashes.
  const { entries: base } = fullCorpus();
  const stripped = base.map((e) => Buffer.from([...e.bytes].filter((b) => b !== 0x3c && b !== 0x3d)));
  const r = rng(0x5eed);
  const words = ["onerror", "onload", " style", "href", "src", "javascript:", "vbscript:", "data:", "xmlns", "formaction",
    "'", '"', "`", ">", "/", "!", "?", "--", "!doctype", "[if", "script", "img", " ", "\t", "\x00", "alert(1)", "&#x3c;"];
  const made: Buffer[] = [];
  for (let i = 0; i < 20000; i++) {
    let s = "";
    for (let k = 1 + Math.floor(r() * 8); k > 0; k--) s += words[Math.floor(r() * words.length)];
    made.push(Buffer.from(s, "latin1"));
  }
  const inputs = [...stripped, ...made].filter((b) => !b.includes(0x3c) && !b.includes(0x3d));
  const peer = runPeer(exe, inputs);
  const flagged = inputs.filter((_, i) => peer[i]!.xss || peer[i]!.directXss);
  assert.deepEqual(flagged.slice(0, 20).map(show), [], "libinjection flagged input without '<' or '='");
  const ours = inputs.filter((b) => det.xss(b));
  assert.deepEqual(ours.slice(0, 20).map(show), []);
  t.diagnostic(`${inputs.length} inputs without '<' or '=', none flagged by either`);
});
