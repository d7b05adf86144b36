// Loads the parser test entry (tests/peers/modsecurity-parsers/fixtures/entry.as.ts) and maps what the
// parsers report to ModSecurity variable entries (the form the peer dumps).
import { readFileSync } from "node:fs";
import { buildWasm } from "../peers/modsecurity-parsers/build";
import type { PeerEntry } from "../peers/modsecurity-parsers/peer";

interface Exports {
  memory: WebAssembly.Memory;
  inputBuffer(n: number): number;
  outPtr(): number;
  outLen(): number;
  runUrlencoded(len: number, sep: number, argsLimit: number, argsCount: number): void;
  runCookies(len: number): void;
  runMultipart(ctLen: number, bodyLen: number, extract: number, fileLimit: number, chunk: number): void;
  runJson(len: number, depthLimit: number, argsLimit: number, argsCount: number): void;
  runXml(len: number): void;
}

export const FLAG_NAMES: Record<number, string> = {
  1: "URLENCODED_ERROR",
  2: "REQBODY_ERROR",
  3: "REQBODY_PROCESSOR_ERROR",
  10: "MULTIPART_STRICT_ERROR",
  11: "MULTIPART_BOUNDARY_QUOTED",
  12: "MULTIPART_BOUNDARY_WHITESPACE",
  13: "MULTIPART_DATA_BEFORE",
  14: "MULTIPART_DATA_AFTER",
  15: "MULTIPART_HEADER_FOLDING",
  16: "MULTIPART_LF_LINE",
  17: "MULTIPART_MISSING_SEMICOLON",
  18: "MULTIPART_INVALID_QUOTING",
  19: "MULTIPART_INVALID_PART",
  20: "MULTIPART_INVALID_HEADER_FOLDING",
  21: "MULTIPART_FILE_LIMIT_EXCEEDED",
  22: "MULTIPART_UNMATCHED_BOUNDARY",
  23: "MULTIPART_CRLF_LF_LINES",
  30: "FILES_COMBINED_SIZE",
  31: "REQBODY_NO_FILES_LENGTH",
};
const COLL_NAMES: Record<number, string> = { 1: "MULTIPART_NAME", 2: "MULTIPART_FILENAME", 3: "MULTIPART_PART_HEADERS", 4: "XML" };

export interface Raw {
  args: [Uint8Array, Uint8Array][];
  files: { name: Uint8Array; filename: Uint8Array; size: string; content: Uint8Array }[];
  flags: Map<string, string>;
  errors: Uint8Array[];
  items: { coll: string; key: Uint8Array; value: Uint8Array }[];
}

const te = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

export class ParsersModule {
  constructor(readonly x: Exports) {}

  static async load(): Promise<ParsersModule> {
    // @types/node without the DOM lib does not declare WebAssembly.instantiate.
    const wa = (globalThis as unknown as { WebAssembly: { instantiate(b: Uint8Array, i: object): Promise<{ instance: { exports: unknown } }> } }).WebAssembly;
    const { instance } = await wa.instantiate(readFileSync(buildWasm()), {});
    return new ParsersModule(instance.exports as unknown as Exports);
  }

  private put(...parts: Uint8Array[]): number {
    const n = parts.reduce((a, p) => a + p.length, 0);
    const p = this.x.inputBuffer(Math.max(n, 1));
    let o = 0;
    for (const b of parts) {
      new Uint8Array(this.x.memory.buffer, p + o, b.length).set(b);
      o += b.length;
    }
    return n;
  }

  private read(): Raw {
    const b = Buffer.from(new Uint8Array(this.x.memory.buffer, this.x.outPtr(), this.x.outLen()));
    const r: Raw = { args: [], files: [], flags: new Map(), errors: [], items: [] };
    let q = 0;
    const field = () => {
      const n = b.readUInt32LE(q);
      const v = new Uint8Array(b.subarray(q + 4, q + 4 + n));
      q += 4 + n;
      return v;
    };
    const str = () => Buffer.from(field()).toString("latin1");
    while (q < b.length) {
      const kind = b[q];
      const a = b.readUInt32LE(q + 1);
      q += 5;
      if (kind === 1) r.args.push([field(), field()]);
      else if (kind === 2) r.files.push({ name: field(), filename: field(), size: str(), content: field() });
      else if (kind === 3) r.flags.set(FLAG_NAMES[a] ?? `FLAG${a}`, str());
      else if (kind === 4) r.errors.push(field());
      else if (kind === 5) r.items.push({ coll: COLL_NAMES[a] ?? `COLL${a}`, key: field(), value: field() });
      else throw new Error(`bad record kind ${kind}`);
    }
    return r;
  }

  urlencoded(s: Uint8Array, sep = 0x26, argsLimit = -1, argsCount = 0): Raw {
    this.x.runUrlencoded(this.put(s), sep, argsLimit, argsCount);
    return this.read();
  }
  cookies(s: Uint8Array): Raw {
    this.x.runCookies(this.put(s));
    return this.read();
  }
  multipart(ct: Uint8Array, body: Uint8Array, opts: { extract?: boolean; fileLimit?: number; chunk?: number } = {}): Raw {
    this.put(ct, body);
    this.x.runMultipart(ct.length, body.length, opts.extract ? 1 : 0, opts.fileLimit ?? 0, opts.chunk ?? 0);
    return this.read();
  }
  json(s: Uint8Array, depthLimit = 10000, argsLimit = -1, argsCount = 0): Raw {
    this.x.runJson(this.put(s), depthLimit, argsLimit, argsCount);
    return this.read();
  }
  xml(s: Uint8Array): Raw {
    this.x.runXml(this.put(s));
    return this.read();
  }
  get memoryBytes(): number {
    return this.x.memory.buffer.byteLength;
  }
}

/** Maps a parser result to the ModSecurity variables it stands for. */
export function toEntries(kind: "get" | "post" | "cookie" | "multipart" | "json" | "xml", r: Raw): PeerEntry[] {
  const out: PeerEntry[] = [];
  const e = new Uint8Array(0);
  const add = (v: string, k: Uint8Array, val: Uint8Array) => out.push({ v, k, val });
  for (const [k, v] of r.args) {
    if (kind === "cookie") {
      add("REQUEST_COOKIES", k, v);
      add("REQUEST_COOKIES_NAMES", k, k);
      continue;
    }
    add("ARGS", k, v);
    if (kind === "get") add("ARGS_GET", k, v);
    if (kind === "post" || kind === "multipart") add("ARGS_POST", k, v);
  }
  for (const f of r.files) {
    add("FILES", f.name, f.filename);
    add("FILES_NAMES", f.name, f.name);
    add("FILES_SIZES", f.name, te(f.size));
    add("FILES_TMP_CONTENT", f.name, f.content);
  }
  for (const [k, v] of r.flags) if (k !== "REQBODY_NO_FILES_LENGTH") add(k, e, te(v));
  // The engine initialises URLENCODED_ERROR to "0" per transaction (as ModSecurity's Transaction ctor); the
  // parser only ever raises it.
  if ((kind === "get" || kind === "post") && !r.flags.has("URLENCODED_ERROR")) add("URLENCODED_ERROR", e, te("0"));
  for (const m of r.errors) add("REQBODY_ERROR_MSG", e, m);
  for (const it of r.items) add(it.coll, it.key, it.value);
  return out;
}
