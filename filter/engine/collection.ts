// Collections: ordered multimaps of byte keys to byte values (ModSecurity's AnchoredSetVariable and collection
// backends). Keys compare case-insensitively, as ModSecurity v3 does for every collection (its MyEqual). Each
// entry also carries the transformation cache of its value: (pipeline index -> transformed bytes), so a pipeline
// shared by many rules runs once per value and transaction.
import { EMPTY, eqNoCase } from "./bytes";
import { RegexCandidates } from "../program/regexes";
import { at, len, truncate } from "./raw";

/** Clock of collection versions: every collection and every change to one takes the next value, so a version
 *  names one state of one collection for the life of the VM (caches keyed on it never confuse two collections). */
let versionClock: u64 = 0;
// @ts-ignore: decorator
@inline function nextVersion(): u64 {
  return ++versionClock;
}

export class Entry {
  key: ArrayBuffer;
  value: ArrayBuffer;
  /** Expiry (seconds since the epoch) for persistent collections; 0 = none. */
  expires: i64 = 0;
  /** Transformation cache: pipelines run on this value, their results and prefilter scans (same index). */
  cachePipes: Array<i32> | null = null;
  cacheVals: Array<ArrayBuffer> | null = null;
  cacheBits: Array<RegexCandidates | null> | null = null;
  /** Prefilter candidates of the untransformed value (the empty pipeline has no cache slot). */
  rawBits: RegexCandidates | null = null;
  /** This entry's key as a value (what *_NAMES variables yield), kept so its transformation cache lives as long
   *  as the entry instead of being rebuilt by every rule that reads the names. */
  private keyEntry: Entry | null = null;

  constructor(key: ArrayBuffer, value: ArrayBuffer) {
    this.key = key;
    this.value = value;
  }

  setValue(v: ArrayBuffer): void {
    this.value = v;
    if (this.cachePipes !== null) {
      this.cachePipes!.length = 0;
      this.cacheVals!.length = 0;
      this.cacheBits!.length = 0;
    }
    this.rawBits = null;
  }

  /** The entry whose value is this entry's key (keys never change). */
  asName(): Entry {
    let k = this.keyEntry;
    if (k === null) {
      k = new Entry(this.key, this.key);
      this.keyEntry = k;
    }
    return k;
  }

  /** Slot of a cached pipeline result, -1 if absent. */
  cached(pipe: i32): i32 {
    const ps = this.cachePipes;
    if (ps === null) return -1;
    for (let i = 0, n = len(ps); i < n; i++) if (at(ps, i) == pipe) return i;
    return -1;
  }

  /** Stores a pipeline result, returns its slot. */
  store(pipe: i32, v: ArrayBuffer): i32 {
    if (this.cachePipes === null) {
      this.cachePipes = new Array<i32>();
      this.cacheVals = new Array<ArrayBuffer>();
      this.cacheBits = new Array<RegexCandidates | null>();
    }
    this.cachePipes!.push(pipe);
    this.cacheVals!.push(v);
    this.cacheBits!.push(null);
    return this.cachePipes!.length - 1;
  }

  @inline cachedValue(slot: i32): ArrayBuffer {
    return at(this.cacheVals!, slot);
  }
  @inline cachedBits(slot: i32): RegexCandidates | null {
    return at(this.cacheBits!, slot);
  }
  @inline setCachedBits(slot: i32, c: RegexCandidates): void {
    unchecked((this.cacheBits![slot] = c));
  }
}

export class Collection {
  /** Read freely; change only through the methods below (they advance `version`). */
  entries: Array<Entry> = new Array<Entry>();
  /** Changes whenever an entry is added, removed or given a new value (see nextVersion). */
  version: u64 = nextVersion();

  constructor(readonly name: string) {}

  @inline get size(): i32 {
    return this.entries.length;
  }

  clear(): void {
    if (len(this.entries) == 0) return;
    this.version = nextVersion();
    truncate(this.entries, 0);
  }

  add(key: ArrayBuffer, value: ArrayBuffer): Entry {
    const e = new Entry(key, value);
    this.version = nextVersion();
    this.entries.push(e);
    return e;
  }

  indexOfKey(p: usize, n: i32): i32 {
    const es = this.entries;
    for (let i = 0, m = len(es); i < m; i++) {
      const k = at(es, i).key;
      if (k.byteLength == n && eqNoCase(changetype<usize>(k), n, p, n)) return i;
    }
    return -1;
  }

  getEntry(key: ArrayBuffer): Entry | null {
    const i = this.indexOfKey(changetype<usize>(key), key.byteLength);
    return i < 0 ? null : unchecked(this.entries[i]);
  }

  get(key: ArrayBuffer): ArrayBuffer | null {
    const e = this.getEntry(key);
    return e === null ? null : e.value;
  }

  /** Replaces the first entry with this key (keeps its position), or appends. */
  set(key: ArrayBuffer, value: ArrayBuffer): Entry {
    const i = this.indexOfKey(changetype<usize>(key), key.byteLength);
    if (i >= 0) {
      const e = unchecked(this.entries[i]);
      this.version = nextVersion();
      e.setValue(value);
      return e;
    }
    return this.add(key, value);
  }

  /** Removes every entry with this key. */
  remove(key: ArrayBuffer): void {
    const es = this.entries;
    let w = 0;
    for (let i = 0, m = es.length; i < m; i++) {
      const e = unchecked(es[i]);
      if (!eqNoCase(changetype<usize>(e.key), e.key.byteLength, changetype<usize>(key), key.byteLength)) {
        unchecked((es[w++] = e));
      }
    }
    if (w != es.length) this.version = nextVersion();
    es.length = w;
  }

  /** Drops entries whose expiry (whole seconds) passed: an entry set to expire now lives to the end of this second. */
  expire(now: i64): void {
    const es = this.entries;
    let w = 0;
    for (let i = 0, m = es.length; i < m; i++) {
      const e = unchecked(es[i]);
      if (e.expires == 0 || e.expires >= now) unchecked((es[w++] = e));
    }
    if (w != es.length) this.version = nextVersion();
    es.length = w;
  }
}

/** A single scalar value held as an entry, so it shares the transformation cache machinery. */
export function scalar(v: ArrayBuffer): Entry {
  return new Entry(EMPTY, v);
}
