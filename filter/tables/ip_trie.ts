// IP prefix-set walker for IP_SET sections: @ipMatch / @ipMatchFromFile at request time. Layout: rulesets/tables/
// format.ts; builder and reference: rulesets/matchers/ip-trie.ts. The input value is parsed exactly like glibc
// inet_pton (as ModSecurity does), into a scratch buffer allocated once: no allocation per lookup.
import {
  IP_CHILD_EMPTY,
  IP_CHILD_FULL,
  IP_HEADER_SIZE,
  IP_NODE_SIZE,
  Ip,
  IpFlags,
  IpResult,
  MAX_IP_NODES,
} from "../../rulesets/tables/format";
import { View } from "./view";

/** lookup() result when a table read went out of range (cannot happen after validation; never a trap). */
export const IP_FAULT: i32 = -2;

/** Validates an IP_SET payload (same rules as validateIpPayload in TS); null if sound. Load time only. */
export function validateIp(v: View): string | null {
  if (v.length < <u32>IP_HEADER_SIZE) return "shorter than its fixed header";
  const n = v.u32(Ip.NODE_COUNT);
  if (n < 1 || n > <u32>MAX_IP_NODES) return "node count out of range";
  if (<u64>v.length != <u64>IP_HEADER_SIZE + <u64>IP_NODE_SIZE * <u64>n) return "size does not match the node count";
  if ((v.u32(Ip.FLAGS) & ~(<u32>IpFlags.MATCH_V4_MAPPED)) != 0) return "unknown flags";
  if (v.u32(Ip.RESERVED) != 0) return "reserved field is not zero";
  if (!okRef(v.u32(Ip.V4_ROOT), 0, n) || !okRef(v.u32(Ip.V6_ROOT), 0, n)) return "root reference out of range";
  if (v.u32(Ip.NODES) != IP_CHILD_EMPTY || v.u32(Ip.NODES + 4) != IP_CHILD_EMPTY) return "node 0 is not the placeholder";
  for (let i: u32 = 0; i < n; i++) {
    for (let k: u32 = 0; k < 2; k++) {
      if (!okRef(v.u32(<u32>Ip.NODES + <u32>IP_NODE_SIZE * i + 4 * k), i, n)) return "child reference out of range";
    }
  }
  if (v.fault) return "read out of range";
  return null;
}

// A reference is EMPTY, FULL, or a node index greater than its parent's: walks move strictly forward.
@inline function okRef(r: u32, parent: u32, n: u32): bool {
  return r == IP_CHILD_EMPTY || r == <u32>IP_CHILD_FULL || (r > parent && r < n);
}

// Scratch space for parsed addresses: module-level, allocated once (the filter is single-threaded per VM).
const ADDR = new StaticArray<u8>(16);
const TMP6 = new StaticArray<u8>(16);
const TMP4 = new StaticArray<u8>(4);

/** glibc inet_pton4 over [ptr + start, ptr + end); on success writes 4 bytes to dst[at..]. */
function pton4(ptr: usize, start: usize, end: usize, dst: StaticArray<u8>, at: i32): bool {
  let sawDigit = false;
  let octets = 0;
  let cur = 0;
  for (let k = 0; k < 4; k++) unchecked((TMP4[k] = 0));
  for (let i = start; i < end; i++) {
    const ch = <u32>load<u8>(ptr + i);
    if (ch >= 0x30 && ch <= 0x39) {
      const old = <u32>unchecked(TMP4[cur]);
      const v = old * 10 + (ch - 0x30);
      if (sawDigit && old == 0) return false; // leading zero
      if (v > 255) return false;
      unchecked((TMP4[cur] = <u8>v));
      if (!sawDigit) {
        if (++octets > 4) return false;
        sawDigit = true;
      }
    } else if (ch == 0x2e && sawDigit) {
      if (octets == 4) return false;
      cur++;
      sawDigit = false;
    } else return false;
  }
  if (octets < 4) return false;
  for (let k = 0; k < 4; k++) dst[at + k] = unchecked(TMP4[k]);
  return true;
}

@inline function hexValue(ch: u32): i32 {
  if (ch >= 0x30 && ch <= 0x39) return <i32>(ch - 0x30);
  if (ch >= 0x61 && ch <= 0x66) return <i32>(ch - 0x61 + 10);
  if (ch >= 0x41 && ch <= 0x46) return <i32>(ch - 0x41 + 10);
  return -1;
}

/** glibc inet_pton6 over [ptr, ptr + len); on success writes 16 bytes to ADDR. */
function pton6(ptr: usize, len: usize): bool {
  for (let k = 0; k < 16; k++) unchecked((TMP6[k] = 0));
  let tp = 0;
  let colonp = -1;
  let i: usize = 0;
  if (len == 0) return false;
  if (load<u8>(ptr) == 0x3a) {
    i++;
    if (i == len || load<u8>(ptr + i) != 0x3a) return false; // a leading ':' must be "::"
  }
  let curtok = i;
  let xdigits = 0;
  let val: u32 = 0;
  while (i < len) {
    const ch = <u32>load<u8>(ptr + i++);
    const d = hexValue(ch);
    if (d >= 0) {
      if (xdigits == 4) return false;
      val = (val << 4) | <u32>d;
      xdigits++;
      continue;
    }
    if (ch == 0x3a) {
      curtok = i;
      if (xdigits == 0) {
        if (colonp >= 0) return false; // second "::"
        colonp = tp;
        continue;
      } else if (i == len) return false; // trailing single ':'
      if (tp + 2 > 16) return false;
      TMP6[tp++] = <u8>(val >> 8);
      TMP6[tp++] = <u8>val;
      xdigits = 0;
      val = 0;
      continue;
    }
    if (ch == 0x2e && tp + 4 <= 16 && pton4(ptr, curtok, len, TMP6, tp)) {
      tp += 4;
      xdigits = 0;
      break;
    }
    return false;
  }
  if (xdigits > 0) {
    if (tp + 2 > 16) return false;
    TMP6[tp++] = <u8>(val >> 8);
    TMP6[tp++] = <u8>val;
  }
  if (colonp >= 0) {
    if (tp == 16) return false; // "::" would stand for zero groups
    const n = tp - colonp;
    for (let k = 1; k <= n; k++) {
      TMP6[16 - k] = TMP6[colonp + n - k];
      TMP6[colonp + n - k] = 0;
    }
    tp = 16;
  }
  if (tp != 16) return false;
  for (let k = 0; k < 16; k++) unchecked((ADDR[k] = TMP6[k]));
  return true;
}

/** An IP set over a validated payload. Construct only through validateIp + new (the loader does). */
export class IpMatcher {
  readonly matchV4Mapped: bool;
  private readonly v: View;

  constructor(v: View) {
    this.v = v;
    this.matchV4Mapped = (v.u32(Ip.FLAGS) & IpFlags.MATCH_V4_MAPPED) != 0;
  }

  /** Is the address in ADDR[from .. from + bits/8) in the family's trie? */
  private contains(root: u32, from: i32, bits: i32): bool {
    let r = this.v.u32(root);
    for (let bit = 0; bit < bits; bit++) {
      if (r == IP_CHILD_EMPTY) return false;
      if (r == <u32>IP_CHILD_FULL) return true;
      const b = (<u32>unchecked(ADDR[from + (bit >> 3)]) >> (7 - (bit & 7))) & 1;
      r = this.v.u32(<u32>Ip.NODES + r * <u32>IP_NODE_SIZE + (b << 2));
    }
    return r == <u32>IP_CHILD_FULL;
  }

  /** @ipMatch on the value [ptr, ptr + len): IpResult.MATCH / NO_MATCH / INVALID_ADDRESS, or IP_FAULT. */
  lookup(ptr: usize, len: usize): i32 {
    let hasColon = false;
    for (let i: usize = 0; i < len; i++) {
      if (load<u8>(ptr + i) == 0x3a) {
        hasColon = true;
        break;
      }
    }
    let hit = false;
    if (!hasColon) {
      if (!pton4(ptr, 0, len, ADDR, 0)) return IpResult.INVALID_ADDRESS;
      hit = this.contains(<u32>Ip.V4_ROOT, 0, 32);
    } else {
      if (!pton6(ptr, len)) return IpResult.INVALID_ADDRESS;
      hit = this.contains(<u32>Ip.V6_ROOT, 0, 128);
      if (!hit && this.matchV4Mapped && isV4Mapped()) hit = this.contains(<u32>Ip.V4_ROOT, 12, 32);
    }
    if (this.v.fault) return IP_FAULT;
    return hit ? IpResult.MATCH : IpResult.NO_MATCH;
  }

  lookupBytes(data: Uint8Array): i32 {
    return this.lookup(data.dataStart, <usize>data.length);
  }
}

function isV4Mapped(): bool {
  for (let i = 0; i < 10; i++) if (unchecked(ADDR[i]) != 0) return false;
  return unchecked(ADDR[10]) == 0xff && unchecked(ADDR[11]) == 0xff;
}
