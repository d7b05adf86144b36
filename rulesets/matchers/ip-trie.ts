// IP prefix sets for @ipMatch / @ipMatchFromFile (@ipMatchF): entry parsing with ModSecurity's syntax, the binary
// prefix trie, its encoding as the IP_SET payload of rulesets/tables/format.ts, and a TS walker over the payload.
//
// Syntax accepted (libmodsecurity src/utils/msc_tree.cc add_ip_from_param/TreeAddIP, src/utils/ip_tree.cc):
//  * @ipMatch: a comma-separated list; @ipMatchFromFile: one list per line, '#' starts a comment to end of line.
//  * An entry is an address or address/prefix. It is IPv6 if it contains ':', else IPv4 (same rule for the input
//    value at match time). Addresses are parsed exactly like glibc inet_pton: IPv4 is four decimal octets 0-255
//    without leading zeros; IPv6 is the RFC 4291 text form with at most one "::" and an optional trailing dotted
//    IPv4 part (::ffff:1.2.3.4). No brackets, zone ids, hex/octal IPv4 or shortened IPv4.
//  * Host bits beyond the prefix are ignored (10.1.2.3/8 == 10.0.0.0/8), as ModSecurity masks them.
//  * The input value is matched as ModSecurity does: an unparseable value is "no match" (IpResult.INVALID_ADDRESS,
//    which callers treat as no match); an IPv4-mapped IPv6 value is looked up in the IPv6 set only, unless the
//    set was built with matchV4Mapped.
// Invalid entries are build errors naming the entry. Deliberate differences (all stricter or saner, none makes a
// valid ModSecurity entry fail): the prefix must be 1-3 decimal digits (ModSecurity's atoi() takes "/24abc" as 24);
// "/0" is accepted and means the whole family (ModSecurity refuses a zero prefix); "::1/128" is accepted
// (ModSecurity fails to cut "/128" off before inet_pton and refuses it); blanks around entries and a CR at the end
// of a line are ignored (ModSecurity refuses them); empty list items are skipped (as strtok does).
import {
  IP_CHILD_EMPTY,
  IP_CHILD_FULL,
  IP_HEADER_SIZE,
  IP_NODE_SIZE,
  Ip,
  IpFlags,
  IpResult,
  MAX_IP_NODES,
} from "../tables/format";
import { ByteWriter } from "../tables/writer";

export class IpMatchBuildError extends Error {
  constructor(
    message: string,
    readonly entry: string,
  ) {
    super(message);
    this.name = "IpMatchBuildError";
  }
}

export interface IpEntry {
  family: 4 | 6;
  /** Network-order address bytes (4 or 16), host bits cleared. */
  addr: Uint8Array;
  prefix: number;
  /** The entry as written. */
  text: string;
}

const asBytes = (s: string | Uint8Array) => (typeof s === "string" ? new Uint8Array(Buffer.from(s, "latin1")) : s);

// ---------------------------------------------------------------------------------------------------------------
// inet_pton, byte for byte as glibc resolv/inet_pton.c (the filter's filter/tables/ip_trie.ts is the same code).

/** glibc inet_pton4 over src[start, end); writes 4 bytes to dst at dstAt. */
export function inetPton4(src: Uint8Array, start: number, end: number, dst: Uint8Array, dstAt: number): boolean {
  let sawDigit = false;
  let octets = 0;
  let cur = 0;
  const tmp = [0, 0, 0, 0];
  for (let i = start; i < end; i++) {
    const ch = src[i];
    if (ch >= 0x30 && ch <= 0x39) {
      const v = tmp[cur] * 10 + (ch - 0x30);
      if (sawDigit && tmp[cur] === 0) return false; // leading zero
      if (v > 255) return false;
      tmp[cur] = v;
      if (!sawDigit) {
        if (++octets > 4) return false;
        sawDigit = true;
      }
    } else if (ch === 0x2e && sawDigit) {
      if (octets === 4) return false;
      cur++;
      sawDigit = false;
    } else return false;
  }
  if (octets < 4) return false;
  for (let k = 0; k < 4; k++) dst[dstAt + k] = tmp[k];
  return true;
}

function hexValue(ch: number): number {
  if (ch >= 0x30 && ch <= 0x39) return ch - 0x30;
  if (ch >= 0x61 && ch <= 0x66) return ch - 0x61 + 10;
  if (ch >= 0x41 && ch <= 0x46) return ch - 0x41 + 10;
  return -1;
}

/** glibc inet_pton6 over src[start, end); writes 16 bytes to dst. */
export function inetPton6(src: Uint8Array, start: number, end: number, dst: Uint8Array): boolean {
  const tmp = new Uint8Array(16);
  let tp = 0;
  let colonp = -1;
  let i = start;
  if (i === end) return false;
  if (src[i] === 0x3a) {
    i++;
    if (i === end || src[i] !== 0x3a) return false; // a leading ':' must be "::"
  }
  let curtok = i;
  let xdigits = 0;
  let val = 0;
  while (i < end) {
    const ch = src[i++];
    const d = hexValue(ch);
    if (d >= 0) {
      if (xdigits === 4) return false;
      val = (val << 4) | d;
      xdigits++;
      continue;
    }
    if (ch === 0x3a) {
      curtok = i;
      if (xdigits === 0) {
        if (colonp >= 0) return false; // second "::"
        colonp = tp;
        continue;
      } else if (i === end) return false; // trailing single ':'
      if (tp + 2 > 16) return false;
      tmp[tp++] = (val >> 8) & 0xff;
      tmp[tp++] = val & 0xff;
      xdigits = 0;
      val = 0;
      continue;
    }
    if (ch === 0x2e && tp + 4 <= 16 && inetPton4(src, curtok, end, tmp, tp)) {
      tp += 4;
      xdigits = 0;
      break;
    }
    return false;
  }
  if (xdigits > 0) {
    if (tp + 2 > 16) return false;
    tmp[tp++] = (val >> 8) & 0xff;
    tmp[tp++] = val & 0xff;
  }
  if (colonp >= 0) {
    if (tp === 16) return false; // "::" would stand for zero groups
    const n = tp - colonp;
    for (let k = 1; k <= n; k++) {
      tmp[16 - k] = tmp[colonp + n - k];
      tmp[colonp + n - k] = 0;
    }
    tp = 16;
  }
  if (tp !== 16) return false;
  dst.set(tmp);
  return true;
}

/** Parses an input value as the filter will: family by ':' (ModSecurity's tree_contains_ip). */
export function parseIpAddress(text: string | Uint8Array): { family: 4 | 6; addr: Uint8Array } | null {
  const b = asBytes(text);
  if (b.indexOf(0x3a) < 0) {
    const a = new Uint8Array(4);
    return inetPton4(b, 0, b.length, a, 0) ? { family: 4, addr: a } : null;
  }
  const a = new Uint8Array(16);
  return inetPton6(b, 0, b.length, a) ? { family: 6, addr: a } : null;
}

// ---------------------------------------------------------------------------------------------------------------
// Entries.

const isBlank = (c: string) => c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\v" || c === "\f";
function trim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isBlank(s[a])) a++;
  while (b > a && isBlank(s[b - 1])) b--;
  return s.slice(a, b);
}

/** One entry, "addr" or "addr/prefix". Throws IpMatchBuildError naming the entry. */
export function parseIpEntry(entry: string): IpEntry {
  const text = trim(entry);
  const fail = (why: string): never => {
    throw new IpMatchBuildError(`invalid @ipMatch entry ${JSON.stringify(entry)}: ${why}`, entry);
  };
  if (text === "") fail("empty entry");
  const family: 4 | 6 = text.includes(":") ? 6 : 4;
  const bits = family === 4 ? 32 : 128;
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  let prefix = bits;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^[0-9]{1,3}$/.test(p)) fail(`prefix length ${JSON.stringify(p)} is not a decimal number`);
    prefix = Number(p);
    if (prefix > bits) fail(`prefix length /${prefix} is over ${bits} for IPv${family}`);
  }
  const src = asBytes(addrText);
  const addr = new Uint8Array(family === 4 ? 4 : 16);
  const ok = family === 4 ? inetPton4(src, 0, src.length, addr, 0) : inetPton6(src, 0, src.length, addr);
  if (!ok) fail(`${JSON.stringify(addrText)} is not a valid IPv${family} address`);
  for (let bit = prefix; bit < bits; bit++) addr[bit >> 3] &= ~(0x80 >> (bit & 7)); // clear host bits
  return { family, addr, prefix, text: entry };
}

/** The argument of @ipMatch: comma-separated entries (empty items skipped, as strtok does). */
export function parseIpMatchParam(param: string): IpEntry[] {
  return param
    .split(",")
    .filter((e) => trim(e) !== "")
    .map(parseIpEntry);
}

/** An @ipMatchFromFile file: each line is an @ipMatch list; '#' starts a comment (libmodsecurity IpTree). */
export function parseIpMatchFromFileData(data: string, fileName = "<data>"): IpEntry[] {
  const out: IpEntry[] = [];
  data.split("\n").forEach((line, i) => {
    const hash = line.indexOf("#");
    try {
      out.push(...parseIpMatchParam(hash >= 0 ? line.slice(0, hash) : line));
    } catch (e) {
      if (e instanceof IpMatchBuildError) throw new IpMatchBuildError(`${fileName}:${i + 1}: ${e.message}`, e.entry);
      throw e;
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Trie.

type Ref = null | "full" | TNode;
interface TNode {
  c: [Ref, Ref];
}

function insert(root: Ref, addr: Uint8Array, prefix: number): Ref {
  if (root === "full") return root;
  if (prefix === 0) return "full";
  const top: TNode = root ?? { c: [null, null] };
  let n = top;
  for (let bit = 0; bit < prefix; bit++) {
    const b = (addr[bit >> 3] >> (7 - (bit & 7))) & 1;
    if (bit === prefix - 1) {
      n.c[b] = "full"; // drops anything more specific below: it is covered
      break;
    }
    const next = n.c[b];
    if (next === "full") break; // already covered by a shorter prefix
    if (next === null) n.c[b] = { c: [null, null] };
    n = n.c[b] as TNode;
  }
  return top;
}

/** Collapses nodes whose two halves are both fully covered (10.0.0.0/9 + 10.128.0.0/9 -> 10.0.0.0/8). */
function normalize(r: Ref): Ref {
  if (r === null || r === "full") return r;
  r.c[0] = normalize(r.c[0]);
  r.c[1] = normalize(r.c[1]);
  return r.c[0] === "full" && r.c[1] === "full" ? "full" : r;
}

export interface IpSetOptions {
  /** Also match IPv4-mapped IPv6 input (::ffff:a.b.c.d) against the IPv4 entries (default false, as ModSecurity). */
  matchV4Mapped?: boolean;
}

export interface IpSetBuild {
  payload: Uint8Array;
  nodeCount: number;
  entries: IpEntry[];
}

/** Builds the IP_SET payload. Entries may be given as text (parsed with parseIpEntry) or already parsed. */
export function buildIpSet(entries: ReadonlyArray<string | IpEntry>, options: IpSetOptions = {}): IpSetBuild {
  const parsed = entries.map((e) => (typeof e === "string" ? parseIpEntry(e) : e));
  let v4: Ref = null;
  let v6: Ref = null;
  for (const e of parsed) {
    if (e.family === 4) v4 = insert(v4, e.addr, e.prefix);
    else v6 = insert(v6, e.addr, e.prefix);
  }
  v4 = normalize(v4);
  v6 = normalize(v6);

  // Number nodes breadth-first: a child always gets a larger index than its parent (a format rule).
  const nodes: TNode[] = [{ c: [null, null] }]; // node 0: the never-referenced placeholder (format.ts)
  const index = new Map<TNode, number>();
  const queue: TNode[] = [];
  for (const r of [v4, v6]) if (r !== null && r !== "full") queue.push(r);
  for (let h = 0; h < queue.length; h++) {
    index.set(queue[h], nodes.length);
    nodes.push(queue[h]);
    if (nodes.length > MAX_IP_NODES) throw new IpMatchBuildError(`more than ${MAX_IP_NODES} trie nodes`, "");
    for (const c of queue[h].c) if (c !== null && c !== "full") queue.push(c);
  }
  const ref = (r: Ref) => (r === null ? IP_CHILD_EMPTY : r === "full" ? IP_CHILD_FULL : index.get(r)!);

  const w = new ByteWriter();
  w.u32(nodes.length).u32(ref(v4)).u32(ref(v6)).u32(options.matchV4Mapped ? IpFlags.MATCH_V4_MAPPED : 0);
  w.u32(parsed.length).u32(0);
  if (w.length !== IP_HEADER_SIZE) throw new Error("IP header layout");
  for (const n of nodes) w.u32(ref(n.c[0])).u32(ref(n.c[1]));
  return { payload: w.finish(), nodeCount: nodes.length, entries: parsed };
}

// ---------------------------------------------------------------------------------------------------------------
// Decoding and lookup (tooling/tests; the filter's walker is filter/tables/ip_trie.ts).

/** Validates an IP_SET payload; null if sound, else what is wrong. Mirrors the filter's checks. */
export function validateIpPayload(p: Uint8Array): string | null {
  if (p.length < IP_HEADER_SIZE) return "shorter than its fixed header";
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const u32 = (o: number) => dv.getUint32(o, true);
  const n = u32(Ip.NODE_COUNT);
  if (n < 1 || n > MAX_IP_NODES) return `node count ${n} out of range`;
  if (p.length !== IP_HEADER_SIZE + IP_NODE_SIZE * n) return `size ${p.length} does not match ${n} nodes`;
  if ((u32(Ip.FLAGS) & ~IpFlags.MATCH_V4_MAPPED) !== 0) return "unknown flags";
  if (u32(Ip.RESERVED) !== 0) return "reserved field is not zero";
  const okRef = (r: number, parent: number) => r === IP_CHILD_EMPTY || r === IP_CHILD_FULL || (r > parent && r < n);
  if (!okRef(u32(Ip.V4_ROOT), 0) || !okRef(u32(Ip.V6_ROOT), 0)) return "root reference out of range";
  if (u32(Ip.NODES) !== IP_CHILD_EMPTY || u32(Ip.NODES + 4) !== IP_CHILD_EMPTY) return "node 0 is not the empty placeholder";
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 2; k++) {
      if (!okRef(u32(Ip.NODES + IP_NODE_SIZE * i + 4 * k), i)) return `node ${i} child ${k} out of range`;
    }
  }
  return null;
}

export class IpSetTable {
  private readonly dv: DataView;
  readonly matchV4Mapped: boolean;

  constructor(p: Uint8Array) {
    const err = validateIpPayload(p);
    if (err !== null) throw new Error(`invalid IP_SET payload: ${err}`);
    this.dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    this.matchV4Mapped = (this.u32(Ip.FLAGS) & IpFlags.MATCH_V4_MAPPED) !== 0;
  }

  private u32(o: number): number {
    return this.dv.getUint32(o, true);
  }

  containsAddress(family: 4 | 6, addr: Uint8Array): boolean {
    let r = this.u32(family === 4 ? Ip.V4_ROOT : Ip.V6_ROOT);
    const bits = family === 4 ? 32 : 128;
    for (let bit = 0; bit < bits; bit++) {
      if (r === IP_CHILD_EMPTY) return false;
      if (r === IP_CHILD_FULL) return true;
      const b = (addr[bit >> 3] >> (7 - (bit & 7))) & 1;
      r = this.u32(Ip.NODES + IP_NODE_SIZE * r + 4 * b);
    }
    return r === IP_CHILD_FULL;
  }

  /** @ipMatch on an input value. */
  lookup(text: string | Uint8Array): IpResult {
    const a = parseIpAddress(text);
    if (a === null) return IpResult.INVALID_ADDRESS;
    if (this.containsAddress(a.family, a.addr)) return IpResult.MATCH;
    if (a.family === 6 && this.matchV4Mapped && isV4Mapped(a.addr) && this.containsAddress(4, a.addr.subarray(12))) {
      return IpResult.MATCH;
    }
    return IpResult.NO_MATCH;
  }
}

export function isV4Mapped(a: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return false;
  return a[10] === 0xff && a[11] === 0xff;
}

