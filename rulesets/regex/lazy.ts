/**
 * Reference lazy DFA: the same transition function as the eager construction, computed on demand with a
 * bounded state cache that is flushed when full; after too many flushes on one input it falls back to the
 * Pike VM (match-only program) from the start of the input.
 */
import { DfaBuilder } from "./dfa";
import type { NfaProgram } from "./nfa";
import { pikeSearch } from "./pike";

export interface LazyDfaOptions {
  cacheStates?: number;
  maxFlushes?: number;
}

export interface LazyStats {
  flushes: number;
  maxStates: number;
  fellBack: boolean;
}

export class LazyDfa {
  private readonly builder: DfaBuilder;
  private rows: Int32Array[] = [];
  private readonly cache: number;
  private readonly maxFlushes: number;
  lastStats: LazyStats = { flushes: 0, maxStates: 0, fellBack: false };

  constructor(
    readonly prog: NfaProgram,
    pattern: string,
    opts: LazyDfaOptions = {},
  ) {
    this.builder = new DfaBuilder(prog, pattern);
    this.cache = opts.cacheStates ?? 1024;
    this.maxFlushes = opts.maxFlushes ?? 8;
  }

  get classOf(): Uint8Array {
    return this.builder.classOf;
  }
  get numClasses(): number {
    return this.builder.numClasses;
  }

  private flush(keep: number): number {
    const b = this.builder;
    const k = b.kernels[keep]!;
    const c = b.ctxs[keep]!;
    const l = b.lbStates[keep]!;
    b.reset();
    this.rows = [];
    return b.intern(k, c, l);
  }

  match(input: Uint8Array): boolean {
    const b = this.builder;
    const K = b.numClasses;
    const classOf = b.classOf;
    const stats: LazyStats = { flushes: 0, maxStates: 0, fellBack: false };
    this.lastStats = stats;
    // states survive between calls (the cache is per compiled pattern), flushed only when full
    if (b.numStates === 0) {
      b.startState();
      this.rows = [];
    }
    let s = b.startState();
    for (let i = 0; i < input.length; i++) {
      let row = this.rows[s];
      if (!row) row = this.rows[s] = new Int32Array(K).fill(-2);
      const c = classOf[input[i]!]!;
      let t = row[c]!;
      if (t === -2) {
        if (b.numStates >= this.cache) {
          stats.flushes++;
          if (stats.flushes > this.maxFlushes) {
            stats.fellBack = true;
            return pikeSearch(this.prog, input) !== null;
          }
          s = this.flush(s);
          row = this.rows[s] = new Int32Array(K).fill(-2);
        }
        t = b.step(s, c);
        row[c] = t;
        stats.maxStates = Math.max(stats.maxStates, b.numStates);
      }
      if (t === -1) return true;
      s = t;
    }
    return b.acceptsAtEnd(s);
  }
}
