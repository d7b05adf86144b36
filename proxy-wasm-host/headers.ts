// An Envoy-like header map (source/common/http/header_map_impl.cc) over "binary" strings:
// - keys are lower-cased (Http::LowerCaseString, ASCII only) on every mutation;
// - pseudo-headers (":...") are kept before all other headers, each new one appended at the end of
//   the pseudo-header block (HeaderList::insert), regular headers appended at the end;
// - get() returns the first value only (Envoy's getHeaderMapValue takes entry[0]);
// - replace is Envoy's setCopy: remove every entry of the key, then add one;
// - byteSize() is the sum of key and value lengths (what proxy_get_header_map_size reports).
import type { Pair } from "./pairs.js";

const UPPER = /[A-Z]/;
const UPPER_RUNS = /[A-Z]+/g;
const lowerRun = (m: string): string => m.toLowerCase();

export function lowerAscii(s: string): string {
  // Only A-Z are folded: Envoy's LowerCaseString uses absl::AsciiStrToLower; bytes >= 0x80 stay.
  // Most names arrive lower-case already (HTTP/2, and every key the map stores): test before rewriting.
  return UPPER.test(s) ? s.replace(UPPER_RUNS, lowerRun) : s;
}

export class HeaderMap {
  private entries: Pair[] = [];

  constructor(pairs: readonly Pair[] = []) {
    for (const [k, v] of pairs) this.add(k, v);
  }

  get size(): number {
    return this.entries.length;
  }

  byteSize(): number {
    let n = 0;
    for (const [k, v] of this.entries) n += k.length + v.length;
    return n;
  }

  pairs(): Pair[] {
    return this.entries.map(([k, v]) => [k, v]);
  }

  /** The entries themselves, for reading without a copy (serialisation, lookups); never mutate them. */
  view(): readonly (readonly [string, string])[] {
    return this.entries;
  }

  get(key: string): string | undefined {
    const k = lowerAscii(key);
    return this.entries.find((e) => e[0] === k)?.[1];
  }

  getAll(key: string): string[] {
    const k = lowerAscii(key);
    return this.entries.filter((e) => e[0] === k).map((e) => e[1]);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  add(key: string, value: string): void {
    const k = lowerAscii(key);
    if (k.startsWith(":")) {
      let i = 0;
      while (i < this.entries.length && this.entries[i]![0].startsWith(":")) i++;
      this.entries.splice(i, 0, [k, value]);
    } else {
      this.entries.push([k, value]);
    }
  }

  remove(key: string): void {
    const k = lowerAscii(key);
    this.entries = this.entries.filter((e) => e[0] !== k);
  }

  /** Envoy HeaderMapImpl::setCopy: remove all entries for the key, then add the new one. */
  replace(key: string, value: string): void {
    this.remove(key);
    this.add(key, value);
  }

  /** Only sets when absent (Envoy's setReference-if-missing patterns, e.g. content-type of a local reply). */
  setIfAbsent(key: string, value: string): void {
    if (!this.has(key)) this.add(key, value);
  }

  /** Envoy Context::setHeaderMapPairs: remove every existing key, then addCopy each pair in order. */
  setPairs(pairs: readonly Pair[]): void {
    this.entries = [];
    for (const [k, v] of pairs) this.add(k, v);
  }
}
