/**
 * Subject generators for the differential test: strings derived from the automata (shortest paths to
 * accepting transitions of the DFA, random walks of the NFA program towards MATCH), near misses (truncated,
 * mutated, case-flipped), newlines around anchors, word characters around boundaries, random bytes.
 */
import type { CompiledRegex, Dfa, NfaProgram } from "../../../rulesets/regex/index";
import { nfaOps } from "../../../rulesets/regex/index";

import { rng } from "../../support/prng";
export { rng };

const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)]!;

function classBytes(d: Dfa): number[][] {
  const out: number[][] = Array.from({ length: d.numClasses }, () => []);
  for (let b = 0; b < 256; b++) out[d.classOf[b]!]!.push(b);
  return out;
}

/** Prefer printable bytes, sometimes any. */
function byteOf(r: () => number, bytes: number[]): number {
  const printable = bytes.filter((b) => b >= 0x20 && b < 0x7f);
  if (printable.length && r() < 0.85) return pick(r, printable);
  return pick(r, bytes);
}

export function dfaWitnesses(d: Dfa, r: () => number, max: number): number[][] {
  const K = d.numClasses;
  const cb = classBytes(d);
  const parent = new Int32Array(d.numStates).fill(-2);
  const via = new Int32Array(d.numStates);
  parent[d.start] = -1;
  const order = [d.start];
  for (let i = 0; i < order.length; i++) {
    const s = order[i]!;
    if (s === d.accept) continue;
    for (let c = 0; c < K; c++) {
      const t = d.trans[s * K + c]!;
      if (parent[t] === -2) {
        parent[t] = s;
        via[t] = c;
        order.push(t);
      }
    }
  }
  const pathTo = (s: number): number[] => {
    const p: number[] = [];
    while (parent[s]! >= 0) {
      p.push(byteOf(r, cb[via[s]!]!));
      s = parent[s]!;
    }
    return p.reverse();
  };
  const out: number[][] = [];
  const states = order.filter((s) => s !== d.accept);
  // random sample of states
  for (let k = 0; k < max && states.length; k++) {
    const s = pick(r, states);
    const acc: number[] = [];
    for (let c = 0; c < K; c++) if (d.trans[s * K + c] === d.accept) acc.push(c);
    if (acc.length) out.push([...pathTo(s), byteOf(r, cb[pick(r, acc)]!)]);
    else if (d.acceptAtEnd[s]) out.push(pathTo(s));
    else out.push(pathTo(s)); // a near miss / prefix
  }
  return out;
}

export function dfaRandomWalks(d: Dfa, r: () => number, n: number): number[][] {
  const cb = classBytes(d);
  const out: number[][] = [];
  for (let k = 0; k < n; k++) {
    const len = 1 + Math.floor(r() * 40);
    const w: number[] = [];
    let s = d.start;
    for (let i = 0; i < len && s !== d.accept; i++) {
      let c = Math.floor(r() * d.numClasses);
      for (let tries = 0; tries < 4 && d.trans[s * d.numClasses + c] === d.dead; tries++) c = Math.floor(r() * d.numClasses);
      w.push(byteOf(r, cb[c]!));
      s = d.trans[s * d.numClasses + c]!;
    }
    out.push(w);
  }
  return out;
}

/** Random walk over the NFA program towards MATCH, ignoring assertions (the outcome is checked against PCRE anyway). */
export function nfaWalks(p: NfaProgram, r: () => number, n: number): number[][] {
  const out: number[][] = [];
  const setBytes = p.sets.map((s) => {
    const bs: number[] = [];
    for (let b = 0; b < 256; b++) if (s[b >>> 5]! & (1 << (b & 31))) bs.push(b);
    return bs;
  });
  for (let k = 0; k < n; k++) {
    const w: number[] = [];
    let pc = p.start;
    const loopBias = 0.3 + r() * 0.6; // probability to prefer the first (preferred) branch
    for (let steps = 0; steps < 4000 && w.length < 300; steps++) {
      const op = p.ops[pc]!;
      if (op === nfaOps.OP_MATCH) break;
      if (op === nfaOps.OP_BYTE) {
        w.push(byteOf(r, setBytes[p.arg[pc]!]!));
        pc = p.out[pc]!;
      } else if (op === nfaOps.OP_SPLIT) pc = r() < loopBias ? p.out[pc]! : p.out1[pc]!;
      else pc = p.out[pc]!;
    }
    out.push(w);
  }
  return out;
}

export function mutations(w: number[], r: () => number): number[][] {
  const out: number[][] = [];
  if (w.length) out.push(w.slice(0, -1));
  if (w.length > 1) out.push(w.slice(1));
  if (w.length) {
    const m = [...w];
    m[Math.floor(r() * m.length)] = Math.floor(r() * 256);
    out.push(m);
  }
  out.push(w.map((b) => (b >= 97 && b <= 122 ? b - 32 : b >= 65 && b <= 90 ? b + 32 : b)));
  out.push([0x0a, ...w], [...w, 0x0a], [...w, 0x0a, 0x0a], [0x61, ...w, 0x61], [0x20, ...w, 0x20], [...w, ...w]);
  const i = Math.floor(r() * (w.length + 1));
  out.push([...w.slice(0, i), 0x0a, ...w.slice(i)]);
  return out;
}

export function fixedSubjects(r: () => number): number[][] {
  const rand = (n: number) => Array.from({ length: n }, () => Math.floor(r() * 256));
  return [[], [0x0a], [0x0a, 0x0a], [0x20], [0x61], [0x00], [0x0d, 0x0a], rand(8), rand(32), rand(64)];
}

export function generateSubjects(c: CompiledRegex, seed: number, scale: number): Uint8Array[] {
  const r = rng(seed);
  const base: number[][] = [];
  if (c.dfa) {
    base.push(...dfaWitnesses(c.dfa, r, 12 * scale));
    base.push(...dfaRandomWalks(c.dfa, r, 6 * scale));
  }
  const prog = c.captureProgram;
  if (prog) base.push(...nfaWalks(prog, r, 12 * scale));
  const all: number[][] = [...base];
  for (const w of base) if (r() < 0.5) all.push(...mutations(w, r));
  all.push(...fixedSubjects(r));
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  for (const w of all) {
    const k = String.fromCharCode(...w);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(Uint8Array.from(w));
  }
  return out;
}
