/**
 * Small backtracking matcher over the AST for the non-regular patterns (back references; v3.3.4 942130).
 * PCRE semantics: leftmost-first, greedy/lazy/possessive, captures keep the last iteration, a back reference
 * to an unset group fails, case-insensitive back references under (?i), look-arounds are atomic and a
 * negative look-around discards its captures. A step budget mirrors PCRE's match limit.
 */
import { hasByte, isWordByte } from "./byteset";
import type { Node, ParsedRegex } from "./ast";

export class MatchLimitError extends Error {}

type Cont = (i: number) => boolean;
type M = (i: number, k: Cont) => boolean;

export interface BacktrackProgram {
  groups: number;
  run: (input: Uint8Array, maxSteps: number) => Int32Array | null;
}

const lower = (b: number) => (b >= 65 && b <= 90 ? b + 32 : b);

export function compileBacktrack(parsed: ParsedRegex): BacktrackProgram {
  let input: Uint8Array = new Uint8Array(0);
  let caps = new Int32Array(0);
  let steps = 0;
  let maxSteps = 0;
  const tick = () => {
    if (++steps > maxSteps) throw new MatchLimitError("backtracking match limit exceeded");
  };
  const comp = (n: Node): M => {
    switch (n.type) {
      case "empty":
        return (i, k) => k(i);
      case "set": {
        const s = n.set;
        return (i, k) => {
          tick();
          return i < input.length && hasByte(s, input[i]!) && k(i + 1);
        };
      }
      case "concat": {
        const ms = n.items.map(comp);
        return ms.reduceRight<M>(
          (rest, m) => (i, k) => m(i, (j) => rest(j, k)),
          (i, k) => k(i),
        );
      }
      case "alt": {
        const ms = n.items.map(comp);
        return (i, k) => {
          for (const m of ms) if (m(i, k)) return true;
          return false;
        };
      }
      case "group": {
        const m = comp(n.item);
        if (n.index === 0) return m;
        const g = n.index;
        return (i, k) => {
          const os = caps[2 * g]!;
          const oe = caps[2 * g + 1]!;
          const ok = m(i, (j) => {
            const ps = caps[2 * g]!;
            const pe = caps[2 * g + 1]!;
            caps[2 * g] = i;
            caps[2 * g + 1] = j;
            if (k(j)) return true;
            caps[2 * g] = ps;
            caps[2 * g + 1] = pe;
            return false;
          });
          if (!ok) {
            caps[2 * g] = os;
            caps[2 * g + 1] = oe;
          }
          return ok;
        };
      }
      case "repeat": {
        const { min, max, greedy, possessive } = n;
        const lim = max === -1 ? Infinity : max;
        if (n.item.type === "set") {
          // fast path: single byte set
          const s = n.item.set;
          return (i, k) => {
            tick();
            let j = i;
            while (j - i < lim && j < input.length && hasByte(s, input[j]!)) j++;
            if (j - i < min) return false;
            if (possessive) return k(j);
            if (greedy) {
              for (let e = j; e >= i + min; e--) if (k(e)) return true;
              return false;
            }
            for (let e = i + min; e <= j; e++) if (k(e)) return true;
            return false;
          };
        }
        const m = comp(n.item);
        if (possessive) {
          // atomic: take the greedy choice of the iterations, no backtracking into it
          return (i, k) => {
            let end = -1;
            const rep = (count: number, p: number): boolean => {
              tick();
              if (count < lim && m(p, (j) => (j === p && count + 1 >= min ? ((end = j), true) : rep(count + 1, j)))) return true;
              if (count >= min) {
                end = p;
                return true;
              }
              return false;
            };
            if (!rep(0, i)) return false;
            return k(end);
          };
        }
        const rep = (count: number, p: number, k: Cont): boolean => {
          tick();
          const iter = () => count < lim && m(p, (j) => (j === p && count + 1 >= min ? k(j) : rep(count + 1, j, k)));
          if (greedy) {
            if (iter()) return true;
            return count >= min && k(p);
          }
          if (count >= min && k(p)) return true;
          return iter();
        };
        return (i, k) => rep(0, i, k);
      }
      case "assert": {
        const kind = n.kind;
        return (i, k) => {
          const len = input.length;
          let ok: boolean;
          switch (kind) {
            case "bol":
              ok = i === 0 || (input[i - 1] === 0x0a && i < len);
              break;
            case "eol":
              ok = i === len || input[i] === 0x0a;
              break;
            case "start":
              ok = i === 0;
              break;
            case "end":
              ok = i === len;
              break;
            case "endZ":
              ok = i === len || (i === len - 1 && input[i] === 0x0a);
              break;
            case "wordb":
            case "nwordb": {
              const wp = i > 0 && isWordByte(input[i - 1]!);
              const wn = i < len && isWordByte(input[i]!);
              ok = (wp !== wn) === (kind === "wordb");
              break;
            }
          }
          return ok && k(i);
        };
      }
      case "look": {
        const m = comp(n.item);
        const { behind, negate } = n;
        const lens = behind ? fixedLengths(n.item) : [];
        return (i, k) => {
          const saved = Int32Array.from(caps);
          let found = false;
          if (!behind) found = m(i, () => true);
          else
            for (const L of lens) {
              if (i - L < 0) continue;
              if (m(i - L, (j) => j === i)) {
                found = true;
                break;
              }
            }
          if (negate) {
            caps.set(saved);
            return !found && k(i);
          }
          if (!found) return false;
          if (k(i)) return true;
          caps.set(saved);
          return false;
        };
      }
      case "backref": {
        const g = n.index;
        const icase = n.icase;
        return (i, k) => {
          tick();
          const s = caps[2 * g]!;
          const e = caps[2 * g + 1]!;
          if (s < 0 || e < 0) return false;
          const L = e - s;
          if (i + L > input.length) return false;
          for (let x = 0; x < L; x++) {
            const a = input[s + x]!;
            const b = input[i + x]!;
            if (icase ? lower(a) !== lower(b) : a !== b) return false;
          }
          return k(i + L);
        };
      }
    }
  };
  const root = comp(parsed.ast);
  const nslots = 2 * (parsed.groups + 1);
  return {
    groups: parsed.groups,
    run(inp: Uint8Array, limit: number): Int32Array | null {
      input = inp;
      steps = 0;
      maxSteps = limit;
      for (let start = 0; start <= inp.length; start++) {
        caps = new Int32Array(nslots).fill(-1);
        let end = -1;
        if (
          root(start, (j) => {
            end = j;
            return true;
          })
        ) {
          caps[0] = start;
          caps[1] = end;
          return caps;
        }
      }
      return null;
    },
  };
}

export function fixedLengths(n: Node): number[] {
  // possible lengths of a look-behind body (each alternative fixed length, as PCRE2 requires)
  const go = (x: Node): number[] | null => {
    switch (x.type) {
      case "empty":
      case "assert":
      case "look":
        return [0];
      case "set":
        return [1];
      case "group":
        return go(x.item);
      case "concat": {
        let acc = [0];
        for (const it of x.items) {
          const l = go(it);
          if (!l) return null;
          const next = new Set<number>();
          for (const a of acc) for (const b of l) next.add(a + b);
          acc = [...next];
        }
        return acc;
      }
      case "alt": {
        const s = new Set<number>();
        for (const it of x.items) {
          const l = go(it);
          if (!l) return null;
          for (const v of l) s.add(v);
        }
        return [...s];
      }
      case "repeat": {
        if (x.min !== x.max) return null;
        const l = go(x.item);
        if (!l || l.length !== 1) return null;
        return [l[0]! * x.min];
      }
      default:
        return null;
    }
  };
  const r = go(n);
  if (!r) throw new Error("look-behind body without fixed length");
  return r.sort((a, b) => a - b);
}
