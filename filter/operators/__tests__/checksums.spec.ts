// as-pect unit tests of the check-digit rules (filter/operators/checksums.ts) on single candidates. Expected answers
// come from the published definitions (Luhn, CPF mod 11, SVNR weights, SSN area/group/serial) and libmodsecurity
// 3.0.9's documented quirks; the engine tests and the ModSecurity differential test cover the candidate search.
import { cpfValid, luhnValid, ssnValid, svnrValid } from "../checksums";

function bytes(s: string): StaticArray<u8> {
  const out = new StaticArray<u8>(s.length);
  for (let i = 0; i < s.length; i++) out[i] = <u8>s.charCodeAt(i);
  return out;
}
function luhn(s: string): bool {
  const b = bytes(s);
  return luhnValid(changetype<usize>(b), b.length);
}
function cpf(s: string): bool {
  const b = bytes(s);
  return cpfValid(changetype<usize>(b), b.length);
}
function ssn(s: string): bool {
  const b = bytes(s);
  return ssnValid(changetype<usize>(b), b.length);
}
function svnr(s: string): bool {
  const b = bytes(s);
  return svnrValid(changetype<usize>(b), b.length);
}

describe("luhnValid", () => {
  test("known valid and invalid numbers, odd and even digit counts", () => {
    expect(luhn("4111111111111111")).toBe(true);
    expect(luhn("4111111111111112")).toBe(false);
    expect(luhn("79927398713")).toBe(true);
    expect(luhn("79927398710")).toBe(false);
    expect(luhn("378282246310005")).toBe(true);
  });
  test("non-digits are skipped; no digit is no match; one 0 passes (v3 checks no length)", () => {
    expect(luhn("4111 1111-1111 x 1111")).toBe(true);
    expect(luhn("--  ")).toBe(false);
    expect(luhn("")).toBe(false);
    expect(luhn("0")).toBe(true);
  });
});

describe("cpfValid", () => {
  test("check digits", () => {
    expect(cpf("529.982.247-25")).toBe(true);
    expect(cpf("529.982.247-35")).toBe(false);
    expect(cpf("529.982.247-26")).toBe(false);
  });
  test("v3's list, fewer than 11 digits, extra digits, NUL", () => {
    expect(cpf("111.111.111-11")).toBe(false);
    expect(cpf("01234567890")).toBe(false);
    expect(cpf("5299822472")).toBe(false);
    expect(cpf("52998224725999")).toBe(true);
    expect(cpf("52998\x00224725")).toBe(false);
  });
});

describe("ssnValid", () => {
  test("structure", () => {
    expect(ssn("078-05-1120")).toBe(true);
    expect(ssn("739 99 9999")).toBe(true);
    expect(ssn("740-05-1120")).toBe(false);
    expect(ssn("666-05-1120")).toBe(false);
    expect(ssn("000-05-1120")).toBe(false);
    expect(ssn("078-00-1120")).toBe(false);
    expect(ssn("078-05-0000")).toBe(false);
  });
  test("digit count and patterns", () => {
    expect(ssn("078-05-11200")).toBe(false);
    expect(ssn("123-45-6789")).toBe(false);
    expect(ssn("222-22-2222")).toBe(false);
    // 8 ascending steps are needed: 2345678 then 9 -> 0 is not one
    expect(ssn("234-56-7890")).toBe(true);
  });
});

describe("svnrValid", () => {
  test("check digit", () => {
    expect(svnr("1237 010180")).toBe(true);
    expect(svnr("1238 010180")).toBe(false);
    expect(svnr("123")).toBe(false);
  });
  test("v3's list covers 0000000000-7777777777 only", () => {
    expect(svnr("7777777777")).toBe(false);
    expect(svnr("8888888888")).toBe(true);
    expect(svnr("9999999999")).toBe(true);
    expect(svnr("1234567890")).toBe(false);
  });
});
