// Check-digit rules of @verifyCC, @verifyCPF, @verifySSN and @verifySVNR, applied to the bytes of one regex
// candidate. Each follows what libmodsecurity 3.0.9 (src/operators/verify_*.cc) observably accepts, quirks
// included, because a rule must fire on the same values in the filter as in ModSecurity:
//  - only the ASCII digits of a candidate count; every other byte (space, dash, dot, letters) is skipped;
//  - CPF and SVNR read the candidate as a C string: a NUL byte ends it;
//  - CPF and SVNR use the first 11 / 10 digits and ignore any further ones; CC and SSN use all of them.
// No allocation: the digits go to module-level scratch arrays.

const CPF_DIGITS: i32 = 11;
const SVNR_DIGITS: i32 = 10;
const SSN_DIGITS: i32 = 9;
const scratch = new StaticArray<i32>(11);

@inline function digitAt(p: usize, i: i32): i32 {
  return <i32>load<u8>(p + <usize>i) - 0x30;
}

@inline function isDigit(d: i32): bool {
  return <u32>d < 10;
}

/**
 * Luhn (mod 10) over every digit of [p, p+n). At least one digit is needed; any count is accepted (v3 checks no
 * length: a lone "0" passes, the regex is what restricts the shape).
 */
export function luhnValid(p: usize, n: i32): bool {
  // Two running sums, one doubling the digits at even positions from the left and one at odd positions, so one
  // pass decides without knowing the digit count in advance: the rightmost digit is never doubled.
  let doubledEven = 0;
  let doubledOdd = 0;
  let digits = 0;
  for (let i = 0; i < n; i++) {
    const d = digitAt(p, i);
    if (!isDigit(d)) continue;
    const twice = d < 5 ? 2 * d : 2 * d - 9;
    if ((digits & 1) == 0) {
      doubledEven += twice;
      doubledOdd += d;
    } else {
      doubledEven += d;
      doubledOdd += twice;
    }
    digits++;
  }
  if (digits == 0) return false;
  return ((digits & 1) == 0 ? doubledEven : doubledOdd) % 10 == 0;
}

/**
 * Copies up to `max` digits of the C string [p, p+n) (stopping at a NUL byte) to `scratch`; returns how many.
 */
function leadingDigits(p: usize, n: i32, max: i32): i32 {
  let count = 0;
  for (let i = 0; i < n && count < max; i++) {
    const b = <i32>load<u8>(p + <usize>i);
    if (b == 0) break;
    if (isDigit(b - 0x30)) unchecked((scratch[count++] = b - 0x30));
  }
  return count;
}

/** All `count` scratch digits equal. */
function allSame(count: i32): bool {
  const d0 = unchecked(scratch[0]);
  for (let i = 1; i < count; i++) if (unchecked(scratch[i]) != d0) return false;
  return true;
}

/** Scratch digits are `first`, first+1, ... modulo 10 (0123456789, 1234567890, 01234567890). */
function ascending(count: i32, first: i32): bool {
  for (let i = 0; i < count; i++) if (unchecked(scratch[i]) != (first + i) % 10) return false;
  return true;
}

/** Brazilian CPF check digit over the first `count` scratch digits, weights count+1 down to 2. */
function cpfCheckDigit(count: i32): i32 {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += unchecked(scratch[i]) * (count + 1 - i);
  const r = sum % 11;
  return r < 2 ? 0 : 11 - r;
}

/**
 * Brazilian CPF: the first 11 digits, both mod-11 check digits right. Rejected up front as in v3's list: the ten
 * repeated-digit numbers and 01234567890.
 */
export function cpfValid(p: usize, n: i32): bool {
  if (leadingDigits(p, n, CPF_DIGITS) != CPF_DIGITS) return false;
  if (allSame(CPF_DIGITS) || ascending(CPF_DIGITS, 0)) return false;
  const given9 = unchecked(scratch[9]);
  const given10 = unchecked(scratch[10]);
  const check9 = cpfCheckDigit(9);
  // the second check digit is computed over the computed first one, as v3 does
  unchecked((scratch[9] = check9));
  return given9 == check9 && given10 == cpfCheckDigit(10);
}

/**
 * US Social Security Number: exactly 9 digits in the candidate; not all equal, not 8 consecutive ascending steps
 * (123456789, 012345678); area (digits 1-3), group (4-5) and serial (6-9) non-zero; area below 740 and not 666.
 */
export function ssnValid(p: usize, n: i32): bool {
  let count = 0;
  for (let i = 0; i < n; i++) {
    const d = digitAt(p, i);
    if (!isDigit(d)) continue;
    if (count < SSN_DIGITS) unchecked((scratch[count] = d));
    count++;
  }
  if (count != SSN_DIGITS) return false;
  let steps = 0;
  for (let i = 0; i < SSN_DIGITS - 1; i++) if (unchecked(scratch[i]) + 1 == unchecked(scratch[i + 1])) steps++;
  if (steps == SSN_DIGITS - 1 || allSame(SSN_DIGITS)) return false;
  const area = unchecked(scratch[0]) * 100 + unchecked(scratch[1]) * 10 + unchecked(scratch[2]);
  const group = unchecked(scratch[3]) * 10 + unchecked(scratch[4]);
  const serial = unchecked(scratch[5]) * 1000 + unchecked(scratch[6]) * 100 + unchecked(scratch[7]) * 10 + unchecked(scratch[8]);
  if (area == 0 || group == 0 || serial == 0) return false;
  return area < 740 && area != 666;
}

/**
 * Austrian social insurance number (SVNR): the first 10 digits, digit 4 the check digit of the serial (digits 1-3,
 * weights 3 7 9) and birth date (digits 5-10, weights 5 8 4 2 1 6) mod 11, 10 counting as 0. The birth date is not
 * checked (v3 does not). Rejected up front: 0000000000, 0123456789, 1234567890 and 1111111111 to 7777777777 - v3
 * compares against only the first ten entries of its twelve-entry list, so 8888888888 and 9999999999 (whose
 * check digits hold) are accepted.
 */
export function svnrValid(p: usize, n: i32): bool {
  if (leadingDigits(p, n, SVNR_DIGITS) != SVNR_DIGITS) return false;
  const d0 = unchecked(scratch[0]);
  if (allSame(SVNR_DIGITS) && d0 <= 7) return false;
  if (ascending(SVNR_DIGITS, 0) || ascending(SVNR_DIGITS, 1)) return false;
  let sum =
    d0 * 3 + unchecked(scratch[1]) * 7 + unchecked(scratch[2]) * 9 + unchecked(scratch[4]) * 5 + unchecked(scratch[5]) * 8 +
    unchecked(scratch[6]) * 4 + unchecked(scratch[7]) * 2 + unchecked(scratch[8]) + unchecked(scratch[9]) * 6;
  sum %= 11;
  if (sum == 10) sum = 0;
  return sum == unchecked(scratch[3]);
}
