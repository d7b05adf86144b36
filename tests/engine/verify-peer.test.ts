// Differential check of @verifyCC, @verifyCPF, @verifySSN and @verifySVNR against ModSecurity v3 (libmodsecurity
// 3.0.9 through tests/peers/modsecurity-check): a generated corpus (seeded, so every run sends the same values) of
// valid and invalid card numbers, CPFs, SSNs and SVNRs - bare, punctuated, embedded in text, several per value,
// with NUL bytes, and long values that match nothing - goes to ARGS:v through a rule set with several patterns per
// operator (bounded, anchored, with \b, groups, look-behind). Both sides must log the same rules.
//
// TX:0 under `capture` is compared too, in two steps: the filter logs its TX:0 (msg '%{TX.0}', rules 3xxx); the value
// is then sent again, to both sides, with that TX:0 in ARGS:cNNN, and rule 2NNN (capture, chained to
// `ARGS:cNNN @streq %{TX.0}`) logs only where the side's own TX:0 equals the filter's.
//
// Skipped when the peer cannot be built here (g++ / libmodsecurity-dev missing), except under CI.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModsecCheckSession, ModsecPeer } from "../peers/modsecurity-check/index";
import { compileText, loadPlugin, run, type Loaded, type Tx } from "./harness";
import { rng } from "../support/prng";

const skip = ModsecPeer.skipReason();

/** [rule number, operator, pattern]: rule N plain, 2000+N with capture (chained check), 3000+N logs its TX:0. */
const PATTERNS: Array<[number, string, string]> = [
  [101, "verifyCC", String.raw`\d{13,16}`],
  [102, "verifyCC", String.raw`(?:\d[ -]?){12,18}\d`],
  [103, "verifyCC", String.raw`^\d{4}[- ]?\d{4}[- ]?\d{4}[- ]?\d{1,4}$`],
  [104, "verifyCC", String.raw`(?:^|[^\d])(\d{4}\-?\d{4}\-?\d{2}\-?\d{2}\-?\d(?:\d)?)(?:[^\d]|$)`],
  [105, "verifyCC", String.raw`\b\d{4}(?: \d{4}){3}\b`],
  [106, "verifyCC", String.raw`(?<![\d-])\d{15,16}`],
  [107, "verifyCC", String.raw`\d+`],
  // a back reference: the backtracking tier
  [108, "verifyCC", String.raw`(\d)(?!\1{3})\d{12,15}`],
  [201, "verifyCPF", String.raw`\d{3}\.?\d{3}\.?\d{3}-?\d{2}`],
  [202, "verifyCPF", String.raw`^\d{3}\.\d{3}\.\d{3}-\d{2}$`],
  [203, "verifyCPF", String.raw`(\d{3})\.?(\d{3})\.?(\d{3})-?(\d{2})`],
  [204, "verifyCPF", String.raw`[\d.\-]{11,14}`],
  [205, "verifyCPF", String.raw`\b\d{11}\b`],
  // a capture group that can be empty inside a loop (the backtracker supplies the captures); empty matches end v3's list
  // the last group ends before the match does: v3's next search starts there, so matches overlap
  [207, "verifyCPF", String.raw`(\d{3})\.?\d{3}\.?\d{3}-?\d{2}`],
  [206, "verifyCPF", String.raw`(?:(\d{3})?[.-]?)*\d{2}`],
  [301, "verifySSN", String.raw`\d{3}-?\d{2}-?\d{4}`],
  [302, "verifySSN", String.raw`\b\d{3}-\d{2}-\d{4}\b`],
  [303, "verifySSN", String.raw`^\d{9}$`],
  [304, "verifySSN", String.raw`(\d{3})-(\d{2})-(\d{4})`],
  [305, "verifySSN", String.raw`(?<!\d)\d{3}[- ]?\d{2}[- ]?\d{4}(?!\d)`],
  [401, "verifySVNR", String.raw`\d{4} ?\d{6}`],
  [402, "verifySVNR", String.raw`\d{10}`],
  [403, "verifySVNR", String.raw`^\d{4} \d{2}\.?\d{2}\.?\d{2}$`],
  [404, "verifySVNR", String.raw`(?<![\d])(\d{4})[ /]?(\d{6})`],
];

function rules(): string {
  const out = ["SecRuleEngine DetectionOnly", "SecRequestBodyAccess On"];
  for (const [n, op, re] of PATTERNS) {
    out.push(`SecRule ARGS:v "@${op} ${re}" "id:${n},phase:2,pass,log"`);
    out.push(`SecRule ARGS:v "@${op} ${re}" "id:${2000 + n},phase:2,pass,log,capture,chain"`);
    out.push(`  SecRule ARGS:c${n} "@streq %{TX.0}" "t:none"`);
    out.push(`SecRule ARGS:v "@${op} ${re}" "id:${3000 + n},phase:2,pass,log,capture,msg:'%{TX.0}'"`);
  }
  return out.join("\n") + "\n";
}

// ---- corpus ----------------------------------------------------------------------------------------------------

const rnd = rng(20240917);
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)]!;
const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join("");

// Check digits computed here from the published definitions (Luhn, CPF mod 11, SVNR weights), independently of
// the filter's code; they only steer the corpus towards values that pass, the peer decides what is right.
function luhnComplete(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}
function cpfComplete(nine: string): string {
  const dv = (s: string) => {
    let sum = 0;
    for (let i = 0; i < s.length; i++) sum += Number(s[i]) * (s.length + 1 - i);
    const r = sum % 11;
    return r < 2 ? 0 : 11 - r;
  };
  const a = nine + dv(nine);
  return a + dv(a);
}
function svnrComplete(serial: string, birth: string): string {
  const w1 = [3, 7, 9];
  const w2 = [5, 8, 4, 2, 1, 6];
  let sum = 0;
  for (let i = 0; i < 3; i++) sum += Number(serial[i]) * w1[i]!;
  for (let i = 0; i < 6; i++) sum += Number(birth[i]) * w2[i]!;
  return serial + String(sum % 11 === 10 ? 0 : sum % 11) + birth;
}
/** One digit changed (a Luhn / mod-11 failure, mostly). */
function corrupt(s: string): string {
  const idx = [...s].map((c, i) => (c >= "0" && c <= "9" ? i : -1)).filter((i) => i >= 0);
  if (!idx.length) return s;
  const i = pick(idx);
  return s.slice(0, i) + String((Number(s[i]) + int(1, 9)) % 10) + s.slice(i + 1);
}
function groupsOf(s: string, sizes: number[], sep: string): string {
  const out: string[] = [];
  let i = 0;
  for (const n of sizes) {
    if (i >= s.length) break;
    out.push(s.slice(i, i + n));
    i += n;
  }
  if (i < s.length) out.push(s.slice(i));
  return out.join(sep);
}
const WORDS = ["card", "my number is", "pay", "x", "id:", "CPF", "ssn=", "ref", "tel 555", "\n", "a1", "-", "order #42"];
const embed = (s: string) => (rnd() < 0.5 ? s : `${pick(WORDS)} ${s}${rnd() < 0.5 ? " " + pick(WORDS) : ""}`);

function card(): string {
  const len = int(rnd() < 0.8 ? 13 : 8, rnd() < 0.8 ? 19 : 24);
  let n = luhnComplete(digits(len - 1));
  if (rnd() < 0.35) n = corrupt(n);
  const r = rnd();
  if (r < 0.3) n = groupsOf(n, [4, 4, 4, 4, 4], " ");
  else if (r < 0.5) n = groupsOf(n, [4, 4, 4, 4, 4], "-");
  else if (r < 0.55) n = groupsOf(n, [4, 6, 5], " ");
  return n;
}
function cpf(): string {
  let n = rnd() < 0.1 ? pick(["00000000000", "11111111111", "55555555555", "99999999999", "01234567890", "12345678909"]) : cpfComplete(digits(9));
  if (rnd() < 0.35) n = corrupt(n);
  if (rnd() < 0.6) n = `${n.slice(0, 3)}.${n.slice(3, 6)}.${n.slice(6, 9)}-${n.slice(9)}`;
  else if (rnd() < 0.2) n = `${n.slice(0, 9)}-${n.slice(9)}`;
  if (rnd() < 0.05) n += digits(int(1, 4));
  return n;
}
function ssn(): string {
  const area = pick(["000", "666", "740", "799", "900", "999", "001", "123", "739", "665", "667", String(int(1, 739)).padStart(3, "0")]);
  const group = pick(["00", "01", "99", digits(2), digits(2)]);
  const serial = pick(["0000", "0001", "9999", digits(4), digits(4), digits(4)]);
  let s = area + group + serial;
  if (rnd() < 0.08) s = pick(["123456789", "012345678", "111111111", "777777777", "234567890", "987654321"]);
  const sep = pick(["-", "-", "", " "]);
  return `${s.slice(0, 3)}${sep}${s.slice(3, 5)}${sep}${s.slice(5)}`;
}
function svnr(): string {
  let n =
    rnd() < 0.12
      ? pick(["0000000000", "1111111111", "7777777777", "8888888888", "9999999999", "0123456789", "1234567890"])
      : svnrComplete(String(int(100, 999)), `${String(int(1, 28)).padStart(2, "0")}${String(int(1, 12)).padStart(2, "0")}${digits(2)}`);
  if (rnd() < 0.35) n = corrupt(n);
  const r = rnd();
  if (r < 0.3) n = `${n.slice(0, 4)} ${n.slice(4)}`;
  else if (r < 0.45) n = `${n.slice(0, 4)} ${n.slice(4, 6)}.${n.slice(6, 8)}.${n.slice(8)}`;
  else if (r < 0.55) n = `${n.slice(0, 4)}/${n.slice(4)}`;
  return n;
}
function noise(): string {
  const alphabet = "0123456789      --..xX\n/";
  return Array.from({ length: int(1, 60) }, () => alphabet[int(0, alphabet.length - 1)]).join("");
}

function corpus(): string[] {
  const values: string[] = [];
  const gens = [card, cpf, ssn, svnr];
  for (const g of gens) for (let i = 0; i < 250; i++) values.push(embed(g()));
  // several candidates in one value, of one kind and mixed
  for (let i = 0; i < 200; i++) values.push(Array.from({ length: int(2, 4) }, () => pick(gens)()).join(pick([" ", ", ", "", "\n", " and "])));
  for (let i = 0; i < 150; i++) values.push(noise());
  // NUL bytes inside candidates (v3 reads CPF and SVNR candidates as C strings)
  for (let i = 0; i < 30; i++) {
    const s = pick(gens)();
    const at = int(1, s.length - 1);
    values.push(s.slice(0, at) + "\0" + s.slice(at));
  }
  // long values: nothing to find, digits too short to form a candidate, and a candidate after a long prefix
  values.push("x".repeat(5000), "ab12 ".repeat(800), `${"y".repeat(3000)} ${cpfComplete("529982247")}`, `${"1-".repeat(2000)}`);
  values.push(`${"z".repeat(2000)}4111 1111 1111 1111${"z".repeat(2000)}`, "0".repeat(300), "1234567890".repeat(30));
  // short and degenerate values
  values.push("1", "12", "0", "00", "-", "4111111111111111", "4111111111111112", "529.982.247-25", "529.982.247-24");
  values.push("078-05-1120", "219-09-9999", "666-12-3456", "1237 010180", "1237010180", "8888888888");
  return values;
}

// ---- comparison ------------------------------------------------------------------------------------------------

const FORM: Array<[string, string]> = [["Host", "localhost"], ["Content-Type", "application/x-www-form-urlencoded"]];
const urlenc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());

function tx(v: string, caps: Map<number, string>): Tx {
  const parts = [`v=${urlenc(v)}`, ...[...caps].map(([n, c]) => `c${n}=${urlenc(c)}`)];
  return { method: "POST", uri: "/verify", headers: FORM, body: parts.join("&") };
}

function toLine(t: Tx): object {
  return {
    method: t.method,
    uri: t.uri,
    headers: t.headers,
    body: t.body,
    client_ip: "10.1.2.3",
    client_port: 40000,
    server_ip: "10.9.8.7",
    server_port: 8080,
  };
}

describe("@verifyCC/CPF/SSN/SVNR: filter vs ModSecurity v3.0.9", { skip: skip || false }, () => {
  let dir = "";
  let peer: ModsecCheckSession;
  let filter: Loaded;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "waf-verify-peer-"));
    const conf = join(dir, "verify.conf");
    const text = rules();
    writeFileSync(conf, text);
    peer = await ModsecCheckSession.start([conf]);
    filter = await loadPlugin(compileText(text, conf));
  });
  after(async () => {
    await peer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("same rules logged, same TX:0, on the generated corpus", async () => {
    const values = corpus();
    const diffs: string[] = [];
    const perRule = new Map<number, number>();
    for (const v of values) {
      // step 1: the filter's TX:0 of each capturing rule that matched
      const first = run(filter, tx(v, new Map()));
      const caps = new Map<number, string>();
      for (const r of first.event?.rules ?? []) if (r.id >= 3000) caps.set(r.id - 3000, r.message);
      // step 2: both sides, with the filter's TX:0 values as arguments
      const t = tx(v, caps);
      const want = await peer.request(toLine(t));
      const got = run(filter, t);
      assert.equal(want.error, undefined, `peer error on ${JSON.stringify(v)}: ${want.error}`);
      const w = JSON.stringify(want.matched ?? []);
      const g = JSON.stringify(got.matched);
      if (w !== g) diffs.push(`${JSON.stringify(v.length > 120 ? v.slice(0, 60) + "…" + v.slice(-60) : v)}: modsecurity ${w}, filter ${g}`);
      for (const id of want.matched ?? []) perRule.set(id, (perRule.get(id) ?? 0) + 1);
    }
    // the corpus must exercise every operator both ways: each plain rule matches some values and not others
    const silent = PATTERNS.filter(([n]) => !perRule.get(n) || perRule.get(n) === values.length).map(([n]) => n);
    const captured = PATTERNS.reduce((a, [n]) => a + (perRule.get(2000 + n) ?? 0), 0);
    console.log(
      `verify differential: ${values.length} values, ${PATTERNS.length * 3} rules, ${diffs.length} differences; ` +
        `TX:0 compared on ${captured} matches; matches per plain rule: ${PATTERNS.map(([n]) => `${n}:${perRule.get(n) ?? 0}`).join(" ")}`,
    );
    assert.deepEqual(diffs, []);
    assert.deepEqual(silent, [], "rules that matched no value or every value");
  });
});
