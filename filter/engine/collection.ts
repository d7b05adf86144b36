// Collections: ordered multimaps of byte keys to byte values (ModSecurity's AnchoredSetVariable and collection
// backends). Keys compare case-insensitively, as ModSecurity v3 does for every collection (its MyEqual). Each
// entry also carries the transformation cache of its value: (pipeline tree node -> transformed bytes), so a
// pipeline, or a prefix of pipelines, shared by many rules runs once per value and transaction.
import { EMPTY, eqNoCase, lowerByte } from "./bytes";
import { RegexCandidates } from "../program/regexes";
import { FEATURES_UNKNOWN } from "../transforms/triggers";
import { append, at, len, truncate } from "./raw";

/** Clock of collection versions: every collection and every change to one takes the next value, so a version
 *  names one state of one collection for the life of the VM (caches keyed on it never confuse two collections). */
let versionClock: u64 = 0;
// @ts-ignore: decorator
@inline function nextVersion(): u64 {
  return ++versionClock;
}

/** One transformation result of an entry's value (for one node of the engine's PipelineTree): the output and
 *  the output's prefilter scan. */
export class CacheSlot {
  bits: RegexCandidates | null = null;
  /** The byte kinds of the value (filter/transforms/triggers.ts), once computed (FEATURES_UNKNOWN before). */
  features: u32 = FEATURES_UNKNOWN;
  /** The first slot of the same entry that held this very buffer (later steps left it unchanged, or the step memo
   *  handed it out again), whose scan this slot shares; null when the buffer is this slot's own or the entry's
   *  value. */
  same: CacheSlot | null = null;
  constructor(readonly value: ArrayBuffer) {}
}

/** One transformation step run on one buffer of an entry's transformation chain (filter/engine/steps.ts): the
 *  output is the input buffer itself when the step left it unchanged. */
export class StepResult {
  constructor(readonly input: ArrayBuffer, readonly step: u8, readonly output: ArrayBuffer, readonly next: StepResult | null) {}
}

export class Entry {
  key: ArrayBuffer;
  value: ArrayBuffer;
  /** Expiry (seconds since the epoch) for persistent collections; 0 = none. */
  expires: i64 = 0;
  /** Transformation cache: per pipeline tree node, its result on this value once computed (the table is
   *  allocated on the first result: a direct index, as a value of a large body meets dozens of nodes). */
  private slots: StaticArray<CacheSlot | null> | null = null;
  /** The one slot of every node that leaves the value unchanged (most nodes, on most values). */
  private unchanged: CacheSlot | null = null;
  /** Prefilter candidates of the untransformed value (the empty pipeline has no cache slot). */
  rawBits: RegexCandidates | null = null;
  /** The byte kinds of the value (filter/transforms/triggers.ts), once computed (FEATURES_UNKNOWN before). */
  features: u32 = FEATURES_UNKNOWN;
  /** Step memo of a long value (filter/engine/steps.ts), newest first. */
  steps: StepResult | null = null;
  /** Key index bookkeeping (Collection's hash index): the case-folded hash of the key, and the position of the
   *  next entry with the same key (-1: none). Meaningful only while the owning collection is indexed. */
  keyHash: u32 = 0;
  nextSame: i32 = -1;
  /** MATCHED_VAR_NAME of this entry read as variable matchedNameVar ("VAR:key"), kept for the next match. */
  matchedName: ArrayBuffer | null = null;
  matchedNameVar: i32 = -1;
  /** This entry's key as a value (what *_NAMES variables yield), kept so its transformation cache lives as long
   *  as the entry instead of being rebuilt by every rule that reads the names. */
  private keyEntry: Entry | null = null;
  /** An entry of another collection made with the same key and value buffers (an argument is an entry of ARGS and
   *  of ARGS_GET or ARGS_POST): while both still hold that value, this entry uses the twin's caches, so the value is
   *  transformed and scanned once for both. */
  private twin: Entry | null = null;

  constructor(key: ArrayBuffer, value: ArrayBuffer) {
    this.key = key;
    this.value = value;
  }

  /** Back to a new entry's state, holding nothing (Collection's recycling). */
  recycle(): void {
    this.key = EMPTY;
    this.value = EMPTY;
    this.expires = 0;
    this.clearSlots();
    this.unchanged = null;
    this.rawBits = null;
    this.features = FEATURES_UNKNOWN;
    this.steps = null;
    this.twin = null;
    this.keyHash = 0;
    this.nextSame = -1;
    this.matchedName = null;
    this.matchedNameVar = -1;
    this.keyEntry = null;
  }

  /** Empties the transformation cache but keeps its table: a recycled entry (a transaction kept for reuse, a
   *  MATCHED_VARS entry) meets the same pipeline tree again, so the table is not allocated anew each time. */
  @inline private clearSlots(): void {
    const t = this.slots;
    if (t !== null) memory.fill(changetype<usize>(t), 0, <usize>t.length << alignof<usize>());
  }

  setValue(v: ArrayBuffer): void {
    this.value = v;
    this.clearSlots();
    this.unchanged = null;
    this.rawBits = null;
    this.features = FEATURES_UNKNOWN;
    this.steps = null;
  }

  /** Makes this entry (same key and value buffers as `other`) use other's own caches. */
  shareCachesOf(other: Entry): void {
    this.twin = other;
  }

  /** The entry whose caches (slots, rawBits, steps) serve this entry's value: its twin while the twin holds the
   *  same buffer (a cache depends on nothing but the bytes of the buffer, which never change), else itself. */
  @inline cacheHolder(): Entry {
    const t = this.twin;
    return t !== null && t.value == this.value ? t : this;
  }

  /** The entry whose value is this entry's key (keys never change). */
  asName(): Entry {
    const t = this.twin;
    if (t !== null) return t.asName(); // the same key buffer: one name entry for both
    let k = this.keyEntry;
    if (k === null) {
      k = new Entry(this.key, this.key);
      this.keyEntry = k;
    }
    return k;
  }

  /** The cached result of pipeline tree node `node`, null if absent. */
  @inline cached(node: i32): CacheSlot | null {
    const t = this.slots;
    return t === null ? null : unchecked(t[node]);
  }

  /** The first slot that held buffer v (the one others with v share their scan with), null if none. */
  slotHolding(v: ArrayBuffer): CacheSlot | null {
    const t = this.slots;
    if (t === null) return null;
    for (let i = 0, n = t.length; i < n; i++) {
      const s = unchecked(t[i]);
      if (s !== null && s.value == v) {
        const first = s.same;
        return first !== null ? first : s;
      }
    }
    return null;
  }

  /** The remembered result of `step` on buffer `input`, null if absent. */
  stepped(input: ArrayBuffer, step: u8): StepResult | null {
    let r = this.steps;
    while (r !== null && (r.input != input || r.step != step)) r = r.next;
    return r;
  }

  /** Remembers a step's result (not remembered yet). */
  storeStep(input: ArrayBuffer, step: u8, output: ArrayBuffer): void {
    this.steps = new StepResult(input, step, output, this.steps);
  }

  /** Stores the result of node `node` (not cached yet) of a tree of `nodes` nodes. */
  store(node: i32, nodes: i32, v: ArrayBuffer): CacheSlot {
    let t = this.slots;
    if (t === null || t.length != nodes) {
      t = new StaticArray<CacheSlot | null>(nodes);
      this.slots = t;
    }
    let s: CacheSlot;
    if (v == this.value) {
      let u = this.unchanged;
      if (u === null) {
        u = new CacheSlot(v);
        this.unchanged = u;
      }
      s = u;
    } else {
      s = new CacheSlot(v);
    }
    unchecked((t[node] = s));
    return s;
  }
}

/** Collections smaller than this are searched by a linear scan (cheaper than hashing the key); larger ones get a
 *  hash index on their first keyed lookup (CRS keeps ~100 settings and scores in TX and reads them by key). */
const INDEX_MIN: i32 = 12;
const INDEX_MIN_SLOTS: i32 = 64;
/** Entries a recycling collection keeps (a rule matching more values than this allocates the rest). */
const RECYCLE_MAX: i32 = 64;

/** FNV-1a over the ASCII-lowercased bytes: equal for keys that eqNoCase calls equal. */
export function keyHash(p: usize, n: i32): u32 {
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = (h ^ lowerByte(<u32>load<u8>(p + <usize>i))) * 0x01000193;
  return h;
}

export class Collection {
  /** Read freely; change only through the methods below (they advance `version` and keep the key index). */
  entries: Array<Entry> = new Array<Entry>();
  /** Changes whenever an entry is added, removed or given a new value (see nextVersion). */
  version: u64 = nextVersion();
  /** Changes whenever the set of keys or their positions change (an entry added, removed, or the collection
   *  cleared), but not when an entry is given a new value: a position found for a key stays right while it holds.
   *  (CRS updates its scores in TX far more often than it adds variables.) */
  keysVersion: u64 = nextVersion();
  /** Key index (open addressing, linear probing): per slot, 1 + the position of the first entry of one key, or 0.
   *  Valid while `indexed`; add() extends it, removals drop it (rebuilt on the next keyed lookup). Entries with the
   *  same key are chained in order through Entry.nextSame. */
  private slots: StaticArray<i32> = new StaticArray<i32>(0);
  private indexed: bool = false;

  /** Entries dropped by clear(), reused by add() (null: no recycling). For MATCHED_VARS, which every rule clears
   *  and every match adds to: without it each match allocates an entry that the next rule drops. */
  private recycled: Array<Entry> | null = null;

  constructor(readonly name: string) {}

  /** Makes clear() keep up to RECYCLE_MAX entries for add(). Only for a collection whose entries nobody holds past
   *  a clear(): MATCHED_VARS (read by the rule being evaluated only; cleared when the next rule starts). */
  recycleEntries(): void {
    if (this.recycled === null) this.recycled = new Array<Entry>();
  }

  @inline get size(): i32 {
    return this.entries.length;
  }

  clear(): void {
    const n = len(this.entries);
    if (n == 0) return;
    const pool = this.recycled;
    if (pool !== null) {
      for (let i = 0; i < n && len(pool) < RECYCLE_MAX; i++) {
        const e = at(this.entries, i);
        e.recycle();
        append(pool, e);
      }
    }
    this.version = nextVersion();
    this.keysVersion = this.version;
    truncate(this.entries, 0);
    this.indexed = false;
  }

  /** Adds an entry with other's key and value (an entry of another collection) that shares other's caches. */
  addTwin(other: Entry): Entry {
    const e = this.add(other.key, other.value);
    e.shareCachesOf(other);
    return e;
  }

  add(key: ArrayBuffer, value: ArrayBuffer): Entry {
    return this.addHashed(key, value, 0, false);
  }

  /** add() of a key whose keyHash the caller keeps (`hashed`): a setvar of a key written as plain text. */
  addHashed(key: ArrayBuffer, value: ArrayBuffer, hash: u32, hashed: bool): Entry {
    const pool = this.recycled;
    let e: Entry;
    if (pool !== null && len(pool) > 0) {
      e = at(pool, len(pool) - 1);
      truncate(pool, len(pool) - 1);
      e.key = key;
      e.value = value;
    } else e = new Entry(key, value);
    this.version = nextVersion();
    this.keysVersion = this.version;
    const i = len(this.entries);
    append(this.entries, e);
    if (this.indexed) {
      if ((i + 1) * 2 > this.slots.length) this.indexed = false; // too full: rebuilt larger when next needed
      else this.insert(i, e, hashed ? hash : keyHash(changetype<usize>(key), key.byteLength));
    }
    return e;
  }

  /** Position of the first entry with this key (ASCII case-insensitive), -1 if none. */
  indexOfKey(p: usize, n: i32): i32 {
    return this.indexOfHashedKey(p, n, 0, false);
  }

  /** indexOfKey with the key's keyHash when `hashed` (a key the caller looks up often keeps its hash). */
  indexOfHashedKey(p: usize, n: i32, hash: u32, hashed: bool): i32 {
    const es = this.entries;
    const m = len(es);
    if (!this.indexed) {
      if (m < INDEX_MIN) {
        for (let i = 0; i < m; i++) {
          const k = at(es, i).key;
          if (k.byteLength == n && eqNoCase(changetype<usize>(k), n, p, n)) return i;
        }
        return -1;
      }
      this.buildIndex();
    }
    const h = hashed ? hash : keyHash(p, n);
    const slots = this.slots;
    const mask = slots.length - 1;
    let s = <i32>h & mask;
    while (true) {
      const x = load<i32>(changetype<usize>(slots) + (<usize>s << 2));
      if (x == 0) return -1;
      const e = at(es, x - 1);
      if (e.keyHash == h) {
        const k = e.key;
        if (k.byteLength == n && eqNoCase(changetype<usize>(k), n, p, n)) return x - 1;
      }
      s = (s + 1) & mask;
    }
    return -1;
  }

  /** Position of the next entry after position i whose key equals `key` (p, n), -1 if none. */
  nextIndexOfKey(i: i32, p: usize, n: i32): i32 {
    const es = this.entries;
    if (this.indexed) return at(es, i).nextSame;
    for (let j = i + 1, m = len(es); j < m; j++) {
      const k = at(es, j).key;
      if (k.byteLength == n && eqNoCase(changetype<usize>(k), n, p, n)) return j;
    }
    return -1;
  }

  private buildIndex(): void {
    const es = this.entries;
    const m = len(es);
    let cap = INDEX_MIN_SLOTS;
    while (cap < m * 2) cap <<= 1;
    if (this.slots.length != cap) this.slots = new StaticArray<i32>(cap);
    else memory.fill(changetype<usize>(this.slots), 0, <usize>cap << 2);
    for (let i = 0; i < m; i++) {
      const e = at(es, i);
      this.insert(i, e, keyHash(changetype<usize>(e.key), e.key.byteLength));
    }
    this.indexed = true;
  }

  /** Enters entry e at position i (after every entry indexed so far), whose key's keyHash is h, into the index; the
   *  table has a free slot. */
  private insert(i: i32, e: Entry, h: u32): void {
    const es = this.entries;
    const k = e.key;
    const n = k.byteLength;
    e.keyHash = h;
    e.nextSame = -1;
    const slots = this.slots;
    const mask = slots.length - 1;
    let s = <i32>h & mask;
    while (true) {
      const p = changetype<usize>(slots) + (<usize>s << 2);
      const x = load<i32>(p);
      if (x == 0) {
        store<i32>(p, i + 1);
        return;
      }
      let f = at(es, x - 1);
      if (f.keyHash == h && f.key.byteLength == n && eqNoCase(changetype<usize>(f.key), n, changetype<usize>(k), n)) {
        while (f.nextSame >= 0) f = at(es, f.nextSame);
        f.nextSame = i;
        return;
      }
      s = (s + 1) & mask;
    }
  }

  getEntry(key: ArrayBuffer): Entry | null {
    const i = this.indexOfKey(changetype<usize>(key), key.byteLength);
    return i < 0 ? null : at(this.entries, i);
  }

  /** getEntry() of a key whose keyHash the caller keeps (a rule set's key, looked up on every request). */
  getEntryHashed(key: ArrayBuffer, hash: u32): Entry | null {
    const i = this.indexOfHashedKey(changetype<usize>(key), key.byteLength, hash, true);
    return i < 0 ? null : at(this.entries, i);
  }

  get(key: ArrayBuffer): ArrayBuffer | null {
    const e = this.getEntry(key);
    return e === null ? null : e.value;
  }

  /** Replaces the first entry with this key (keeps its position), or appends. */
  set(key: ArrayBuffer, value: ArrayBuffer): Entry {
    const i = this.indexOfKey(changetype<usize>(key), key.byteLength);
    if (i >= 0) {
      const e = at(this.entries, i);
      this.update(e, value);
      return e;
    }
    return this.add(key, value);
  }

  /** Gives entry e (one of this collection's) a new value. */
  update(e: Entry, value: ArrayBuffer): void {
    this.version = nextVersion();
    e.setValue(value);
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
    if (w != es.length) {
      this.version = nextVersion();
      this.keysVersion = this.version;
      this.indexed = false;
    }
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
    if (w != es.length) {
      this.version = nextVersion();
      this.keysVersion = this.version;
      this.indexed = false;
    }
    es.length = w;
  }
}

/** A single scalar value held as an entry, so it shares the transformation cache machinery. */
export function scalar(v: ArrayBuffer): Entry {
  return new Entry(EMPTY, v);
}
