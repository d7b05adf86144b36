// Byte helpers with C-locale semantics (ModSecurity runs in the "C" locale).

/** isspace() in the C locale: \t \n \v \f \r and space. */
@inline export function isSpace(c: u32): bool {
  return c == 0x20 || (c - 9) < 5;
}

/** ModSecurity's VALID_HEX / isxdigit() in the C locale. */
@inline export function isHex(c: u32): bool {
  return (c - 0x30) < 10 || ((c | 0x20) - 0x61) < 6;
}

@inline export function isODigit(c: u32): bool {
  return (c - 0x30) < 8;
}

@inline export function isDigit(c: u32): bool {
  return (c - 0x30) < 10;
}

@inline export function isAlnum(c: u32): bool {
  return (c - 0x30) < 10 || ((c | 0x20) - 0x61) < 26;
}

/** One hex digit as ModSecurity's x2c/xsingle2c compute it (no validation; wraps like unsigned char). */
@inline export function hexVal(c: u32): u32 {
  return c >= 0x41 ? (((c & 0xdf) - 0x41 + 10) & 0xff) : ((c - 0x30) & 0xff);
}

/** ModSecurity's x2c over two bytes at p (arbitrary bytes allowed, result mod 256). */
@inline export function x2c(p: usize): u32 {
  return ((hexVal(load<u8>(p)) << 4) + hexVal(load<u8>(p, 1))) & 0xff;
}

const HEX_DIGITS = memory.data<u8>([0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66]);

/** Lower-case hex digit for the low nibble of v. */
@inline export function hexDigit(v: u32): u8 {
  return load<u8>(HEX_DIGITS + <usize>(v & 15));
}
