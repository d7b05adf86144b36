/**
 * Exact rewrites of the non-regular-looking constructs that CRS uses into forms the automata support:
 *  - possessive quantifier on a single byte set: `S{n,}+` ≡ `S{n,}(?![S])`, `S{n,m}+` ≡ `S{m}|S{n,m-1}(?![S])`
 *  - look-arounds whose body is a finite set of fixed-length byte-set sequences become `look` nodes with `seqs`:
 *    look-ahead of length ≤ 1 and look-behind of any bounded length are resolved inside the DFA (one byte of
 *    look-ahead; look-behind through a small product automaton); a longer look-ahead in tail position
 *    (nothing consumes after it, e.g. 953120 `<\?(?!xml)`) is, for match/no-match only, replaced by the
 *    equivalent consuming expression (the ACCEPT state is absorbing, so the extra consumed bytes never matter).
 * Anything else throws UnsupportedRegexError — never approximated.
 */
import { UnsupportedRegexError } from "./errors";
import { type ByteSet, complement } from "./byteset";
import { type Node, alt, concat } from "./ast";

/** Lowered AST: like Node, but look-arounds are replaced by `lookset` leaves. */
export type LNode =
  | { type: "empty" }
  | { type: "set"; set: ByteSet }
  | { type: "concat"; items: LNode[] }
  | { type: "alt"; items: LNode[] }
  | { type: "repeat"; min: number; max: number; greedy: boolean; item: LNode }
  | { type: "group"; index: number; item: LNode }
  | { type: "assert"; kind: import("./ast").AssertKind }
  | { type: "lookset"; behind: boolean; negate: boolean; seqs: ByteSet[][] };

const MAX_SEQS = 4096;

/** Expands a node into the finite list of byte-set sequences it matches, or null if not finite/fixed. */
export function expandFixed(n: Node): ByteSet[][] | null {
  switch (n.type) {
    case "empty":
      return [[]];
    case "set":
      return [[n.set]];
    case "group":
      if (n.index !== 0) return null; // captures inside look-arounds are not supported
      return expandFixed(n.item);
    case "concat": {
      let acc: ByteSet[][] = [[]];
      for (const it of n.items) {
        const e = expandFixed(it);
        if (!e) return null;
        const next: ByteSet[][] = [];
        for (const a of acc) for (const b of e) next.push([...a, ...b]);
        if (next.length > MAX_SEQS) return null;
        acc = next;
      }
      return acc;
    }
    case "alt": {
      const out: ByteSet[][] = [];
      for (const it of n.items) {
        const e = expandFixed(it);
        if (!e) return null;
        out.push(...e);
        if (out.length > MAX_SEQS) return null;
      }
      return out;
    }
    case "repeat": {
      if (n.max !== n.min || n.min > 64) return null;
      const e = expandFixed(n.item);
      if (!e) return null;
      let acc: ByteSet[][] = [[]];
      for (let k = 0; k < n.min; k++) {
        const next: ByteSet[][] = [];
        for (const a of acc) for (const b of e) next.push([...a, ...b]);
        if (next.length > MAX_SEQS) return null;
        acc = next;
      }
      return acc;
    }
    default:
      return null;
  }
}

function singleSet(n: Node): ByteSet | null {
  if (n.type === "set") return n.set;
  if (n.type === "group" && n.index === 0) return singleSet(n.item);
  return null;
}

export interface LowerOptions {
  /** true: producing the match-only program (tail look-aheads may become consuming) */
  matchOnly: boolean;
}

export function lower(pattern: string, ast: Node, opts: LowerOptions): LNode {
  const go = (n: Node, tail: boolean): LNode => {
    switch (n.type) {
      case "empty":
      case "set":
      case "assert":
        return n;
      case "backref":
        throw new UnsupportedRegexError(pattern, "back reference (non-regular; backtracking tier only)");
      case "concat": {
        const items: LNode[] = [];
        for (let i = 0; i < n.items.length; i++) items.push(go(n.items[i]!, tail && i === n.items.length - 1));
        return { type: "concat", items };
      }
      case "alt":
        return { type: "alt", items: n.items.map((x) => go(x, tail)) };
      case "group":
        return { type: "group", index: n.index, item: go(n.item, tail) };
      case "repeat": {
        if (!n.possessive) return { type: "repeat", min: n.min, max: n.max, greedy: n.greedy, item: go(n.item, false) };
        const s = singleSet(n.item);
        if (!s) throw new UnsupportedRegexError(pattern, "possessive quantifier on something other than a single byte set");
        const notS: LNode = { type: "lookset", behind: false, negate: true, seqs: [[s]] };
        const rep = (min: number, max: number): LNode => ({ type: "repeat", min, max, greedy: true, item: { type: "set", set: s } });
        if (n.max === -1) return { type: "concat", items: [rep(n.min, -1), notS] };
        if (n.max === n.min) return rep(n.min, n.min);
        return { type: "alt", items: [rep(n.max, n.max), { type: "concat", items: [rep(n.min, n.max - 1), notS] }] };
      }
      case "look": {
        const seqs = expandFixed(n.item);
        if (!seqs)
          throw new UnsupportedRegexError(
            pattern,
            `${n.behind ? "look-behind" : "look-ahead"} whose body is not a finite set of fixed-length sequences`,
            n.offset,
          );
        const maxLen = Math.max(0, ...seqs.map((q) => q.length));
        if (n.behind || maxLen <= 1 || !opts.matchOnly) return { type: "lookset", behind: n.behind, negate: n.negate, seqs };
        if (!tail)
          throw new UnsupportedRegexError(pattern, "multi-byte look-ahead that is not at the end of the pattern", n.offset);
        if (!n.negate) return alt(seqs.map((q) => concat(q.map((set) => ({ type: "set", set }) as Node)))) as LNode;
        if (seqs.length !== 1)
          throw new UnsupportedRegexError(pattern, "negative multi-byte look-ahead with several alternatives", n.offset);
        // (?!S1 S2 .. Sk) at the tail ≡ \z | [^S1] | S1 (\z | [^S2] | S2 (... (\z | [^Sk])))
        const q = seqs[0]!;
        let inner: LNode | null = null;
        for (let k = q.length - 1; k >= 0; k--) {
          const branches: LNode[] = [{ type: "assert", kind: "end" }, { type: "set", set: complement(q[k]!) }];
          if (inner) branches.push({ type: "concat", items: [{ type: "set", set: q[k]! }, inner] });
          inner = { type: "alt", items: branches };
        }
        return inner!;
      }
    }
  };
  return go(ast, true);
}

