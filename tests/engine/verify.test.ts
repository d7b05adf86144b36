// @verifyCC, @verifyCPF, @verifySSN, @verifySVNR in the real module: which values make a rule fire and what TX:0 is
// under `capture`. Expected results come from the published check-digit rules (Luhn, CPF mod 11, SSN area / group
// / serial, SVNR weights) and from libmodsecurity 3.0.9's documented search loops (see filter/operators/verify.ts);
// tests/engine/verify-peer.test.ts compares a large generated corpus with ModSecurity itself.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileText, loadPlugin, run } from "./harness";

const enc = (v: string) => [...Buffer.from(v, "latin1")].map((b) => "%" + b.toString(16).padStart(2, "0")).join("");

/** Runs `@op pattern` on ARGS:v = each value; returns [matched, TX:0 or null] per value. */
async function verify(op: string, pattern: string, values: string[]): Promise<Array<[boolean, string | null]>> {
  const l = await loadPlugin(
    compileText(`SecRuleEngine DetectionOnly\nSecRule ARGS:v "@${op} ${pattern}" "id:1,phase:1,pass,log,capture,msg:'%{TX.0}'"\n`),
  );
  return values.map((v) => {
    const r = run(l, { uri: `/?v=${enc(v)}` });
    const rule = r.event?.rules.find((x) => x.id === 1);
    return [rule !== undefined, rule?.message ?? null];
  });
}

const matches = (rs: Array<[boolean, string | null]>) => rs.map(([m]) => m);

describe("@verifyCC", () => {
  test("Luhn over the digits of a candidate", async () => {
    const rs = await verify("verifyCC", String.raw`\d{13,16}`, ["4111111111111111", "4111111111111113", "no digits here", "411111111111"]);
    assert.deepEqual(rs, [[true, "4111111111111111"], [false, null], [false, null], [false, null]]);
    // 4111111111111112 fails, but the search from offset 3 proposes 1111111111112, which passes
    assert.deepEqual(await verify("verifyCC", String.raw`\d{13,16}`, ["4111111111111112"]), [[true, "1111111111112"]]);
  });
  test("separators inside a candidate are skipped; TX:0 is the candidate as found", async () => {
    const rs = await verify("verifyCC", String.raw`\d(?:[ -]?\d){12,18}`, ["card 4111 1111 1111 1111 end", "4111-1111-1111-1113"]);
    assert.deepEqual(rs, [[true, "4111 1111 1111 1111"], [false, null]]);
  });
  test("every start offset is tried: a valid number overlapping an invalid candidate is found", async () => {
    // 57992739871 fails Luhn; v3 then searches again from offset 1 and finds 79927398713, which passes. A scan for
    // non-overlapping matches would stop after the first candidate.
    const rs = await verify("verifyCC", String.raw`\d{11}`, ["579927398713", "57992739871"]);
    assert.deepEqual(rs, [[true, "79927398713"], [false, null]]);
  });
  test("the search offset does not move the start of the subject: ^ only matches at 0", async () => {
    const rs = await verify("verifyCC", String.raw`^\d{11}`, ["79927398713", "579927398713"]);
    assert.deepEqual(matches(rs), [true, false]);
  });
  test("empty and one-byte values", async () => {
    assert.deepEqual(matches(await verify("verifyCC", String.raw`\d*`, ["", "0", "5"])), [false, true, false]);
  });
});

describe("@verifyCPF", () => {
  test("both check digits, with or without punctuation", async () => {
    const rs = await verify("verifyCPF", String.raw`\d{3}\.?\d{3}\.?\d{3}-?\d{2}`, ["529.982.247-25", "52998224725", "529.982.247-24", "529.982.247-52"]);
    assert.deepEqual(rs, [[true, "529.982.247-25"], [true, "52998224725"], [false, null], [false, null]]);
  });
  test("v3's rejection list: repeated digits and 01234567890, although their check digits hold", async () => {
    const rs = await verify("verifyCPF", String.raw`\d{11}`, ["11111111111", "00000000000", "01234567890", "99999999999"]);
    assert.deepEqual(matches(rs), [false, false, false, false]);
  });
  test("only the first 11 digits count; a NUL byte ends the candidate", async () => {
    const rs = await verify("verifyCPF", String.raw`[\d\x00x.-]{11,16}`, ["5299822472599", "529982x247-25", "529982\x00247-25"]);
    assert.deepEqual(rs, [[true, "5299822472599"], [true, "529982x247-25"], [false, null]]);
  });
  test("each suffix is searched as its own subject: ^ matches where the suffix starts", async () => {
    assert.deepEqual(matches(await verify("verifyCPF", String.raw`^\d{11}$`, ["x52998224725", "52998224725x"])), [true, false]);
  });
});

describe("@verifySSN", () => {
  test("area, group and serial rules", async () => {
    const values = ["078-05-1120", "739-05-1120", "666-05-1120", "740-05-1120", "912-05-1120", "000-05-1120", "078-00-1120", "078-05-0000"];
    const rs = await verify("verifySSN", String.raw`\d{3}-?\d{2}-?\d{4}`, values);
    assert.deepEqual(matches(rs), [true, true, false, false, false, false, false, false]);
    assert.deepEqual((await verify("verifySSN", String.raw`\d{9}`, ["078051120"]))[0], [true, "078051120"]);
  });
  test("all-consecutive and all-equal digit strings are rejected; exactly 9 digits", async () => {
    const rs = await verify("verifySSN", String.raw`[\d-]{9,12}`, ["123-45-6789", "012-34-5678", "111-11-1111", "078-05-11201", "078-05-112"]);
    assert.deepEqual(matches(rs), [false, false, false, false, false]);
  });
  test("TX:0 is the LAST passing candidate of the first suffix that has one (v3 checks its list in reverse)", async () => {
    const rs = await verify("verifySSN", String.raw`\d{3}-\d{2}-\d{4}`, ["078-05-1120 and 219-09-9999", "078-05-1120 and 666-09-9999"]);
    assert.deepEqual(rs, [[true, "219-09-9999"], [true, "078-05-1120"]]);
  });
  test("capture groups are candidates too", async () => {
    // group 1 (9 digits) passes, group 0 (with the letters, 11 digits) does not
    const rs = await verify("verifySSN", String.raw`a(\d{9})\d\db`, ["a07805112099b"]);
    assert.deepEqual(rs, [[true, "078051120"]]);
  });
  test("\\b at the start of a suffix", async () => {
    // in the suffix "78051120 ..." no; but "x078051120": the suffix "078051120" starts at a word boundary
    assert.deepEqual(matches(await verify("verifySSN", String.raw`\b\d{9}\b`, ["x078051120", "x078051120y"])), [true, false]);
  });
});

describe("@verifySVNR", () => {
  test("check digit (4th) from serial and birth date", async () => {
    const rs = await verify("verifySVNR", String.raw`\d{4} ?\d{6}`, ["1237 010180", "1237010180", "1238 010180", "SVNR: 1237 010180."]);
    assert.deepEqual(rs, [[true, "1237 010180"], [true, "1237010180"], [false, null], [true, "1237 010180"]]);
  });
  test("v3's rejection list stops at 7777777777: 8888888888 and 9999999999 pass their check digit", async () => {
    const rs = await verify("verifySVNR", String.raw`\d{10}`, ["0000000000", "1111111111", "7777777777", "0123456789", "1234567890", "8888888888", "9999999999"]);
    assert.deepEqual(matches(rs), [false, false, false, false, false, true, true]);
  });
});

describe("long values", () => {
  test("linear patterns over long values: candidates far from the start are found", async () => {
    const pad = "x ".repeat(50_000);
    const rs = await verify("verifyCPF", String.raw`\d{3}\.?\d{3}\.?\d{3}-?\d{2}`, [`${pad}529.982.247-25${pad}`, `${pad}529.982.247-24${pad}`]);
    assert.deepEqual(rs, [[true, "529.982.247-25"], [false, null]]);
    const cc = await verify("verifyCC", String.raw`\d{13,16}`, [`${"1".repeat(100_000)}x4111111111111111`]);
    assert.deepEqual(cc, [[true, "4111111111111111"]]);
  });
  test("a search v3 makes quadratic (\\d+ over a long digit run) is capped", async () => {
    // Each suffix of the run is a candidate in v3. An early valid one is found within the cap; one that v3 would
    // only reach after n²/2 steps is not (the operator's documented limit: catalog.ts, verify.ts WORK_PER_BYTE).
    const run = "1".repeat(100_000);
    const rs = await verify("verifyCPF", String.raw`\d+`, [`52998224725${run}`, run, `${run}x52998224725`, `${run}52998224725`]);
    assert.deepEqual(matches(rs), [true, false, true, false]);
  });
});
