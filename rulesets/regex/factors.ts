/**
 * Required literal factors for the case-insensitive Aho-Corasick prefilter.
 *
 * Returns a set F of lowercase strings (each ≥ minLen bytes, as latin1 strings) such that every match of
 * the pattern, lowercased (ASCII), contains some f ∈ F as a substring — or [] when no such set was found
 * (then the rule always runs its automaton). Sound by construction:
 *  - exact(n): a finite superset of the lowercased strings n can match (or null)
 *  - req(n): a set F with the property above for n (or null = no constraint known)
 *  concat: a run of consecutive exact children gives the cross product (each match of the run contains one);
 *  alt: union of the branches' sets (every branch must have one); repeat with min ≥ 1: the item's set.
 */
import type { Node } from "./ast";

const MAX_EXACT = 64;
const MAX_REQ = 512;

interface Info {
  exact: Set<string> | null;
  req: Set<string> | null;
}

function lowerSet(s: Uint32Array): string[] | null {
  // a set of more than 16 bytes folds to more than 8 strings: answer without walking the bits
  let n = 0;
  for (let i = 0; i < 8; i++) {
    let x = s[i]!;
    while (x) {
      x &= x - 1;
      n++;
    }
  }
  if (n > 16) return null;
  const out = new Set<string>();
  for (let b = 0; b < 256; b++)
    if ((s[b >>> 5]! & (1 << (b & 31))) !== 0) {
      out.add(String.fromCharCode(b >= 65 && b <= 90 ? b + 32 : b));
      if (out.size > 8) return null;
    }
  return [...out];
}

function cross(a: Set<string>, b: Set<string>): Set<string> | null {
  if (a.size * b.size > MAX_EXACT) return null;
  const r = new Set<string>();
  for (const x of a) for (const y of b) r.add(x + y);
  return r;
}

/** quality: longer minimum length first, then fewer strings */
function better(a: Set<string> | null, b: Set<string> | null): Set<string> | null {
  if (!a) return b;
  if (!b) return a;
  const ma = Math.min(...[...a].map((s) => s.length));
  const mb = Math.min(...[...b].map((s) => s.length));
  if (ma !== mb) return ma > mb ? a : b;
  return a.size <= b.size ? a : b;
}

export function requiredFactors(ast: Node, minLen = 3): string[] {
  const asReq = (e: Set<string> | null): Set<string> | null => {
    if (!e || e.size === 0) return null;
    for (const s of e) if (s.length < minLen) return null;
    return e;
  };
  const go = (n: Node): Info => {
    switch (n.type) {
      case "empty":
      case "assert":
      case "look":
        return { exact: new Set([""]), req: null };
      case "backref":
        return { exact: null, req: null };
      case "set": {
        const l = lowerSet(n.set);
        return { exact: l ? new Set(l) : null, req: null };
      }
      case "group":
        return go(n.item);
      case "alt": {
        const infos = n.items.map(go);
        let exact: Set<string> | null = new Set();
        for (const i of infos) {
          if (!i.exact || !exact) {
            exact = null;
            continue;
          }
          for (const s of i.exact) exact.add(s);
          if (exact.size > MAX_EXACT) exact = null;
        }
        let req: Set<string> | null = new Set();
        for (const i of infos) {
          const r = better(i.req, asReq(i.exact));
          if (!r || !req) {
            req = null;
            break;
          }
          for (const s of r) req.add(s);
          if (req.size > MAX_REQ) {
            req = null;
            break;
          }
        }
        return { exact, req };
      }
      case "concat": {
        const infos = n.items.map(go);
        let best: Set<string> | null = null;
        let run: Set<string> | null = new Set([""]);
        let allExact = true;
        for (const i of infos) {
          best = better(best, i.req);
          if (i.exact) {
            const next: Set<string> | null = run ? cross(run, i.exact) : null;
            if (next) run = next;
            else {
              // run too large: flush it and restart from this child
              best = better(best, asReq(run));
              run = new Set(i.exact);
              allExact = false;
            }
          } else {
            best = better(best, asReq(run));
            run = new Set([""]);
            allExact = false;
          }
        }
        best = better(best, asReq(run));
        return { exact: allExact ? run : null, req: best };
      }
      case "repeat": {
        const i = go(n.item);
        if (n.max === 0) return { exact: new Set([""]), req: null };
        let exact: Set<string> | null = null;
        if (i.exact && n.max !== -1 && n.max <= 8) {
          // all concatenations of min..max copies
          exact = new Set();
          let cur: Set<string> | null = new Set([""]);
          for (let k = 1; k <= n.max && cur; k++) {
            cur = cross(cur, i.exact);
            if (cur && k >= n.min) for (const s of cur) exact.add(s);
          }
          if (n.min === 0) exact.add("");
          if (!cur || exact.size > MAX_EXACT) exact = null;
        }
        const req = n.min >= 1 ? better(i.req, asReq(i.exact)) : null;
        return { exact, req };
      }
    }
  };
  const r = go(ast);
  const f = better(r.req, asReq(r.exact));
  if (!f) return [];
  // drop factors that contain another factor (the shorter one fires anyway)
  const list = [...f].sort((a, b) => a.length - b.length);
  const out: string[] = [];
  for (const s of list) if (!out.some((o) => s.includes(o))) out.push(s);
  return out.sort();
}
