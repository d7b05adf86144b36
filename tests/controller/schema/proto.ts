// Validates Envoy configuration (YAML/JSON, proto3 JSON mapping) against Envoy's published API: the .proto files of
// envoyproxy/data-plane-api, as the npm package @grpc/grpc-js-xds ships them (deps/envoy-api). A small .proto reader
// (packages, nested messages, enums, oneofs, maps, field options) and a checker: every key must be a field of its
// message (proto name or json_name), values must have the field's type (scalars, enums by name, nested messages,
// repeated, maps), google.protobuf.Any is resolved through its "@type", Duration/wrappers/Struct as proto3 JSON,
// at most one member of a oneof, PGV's `message.required` and required oneofs enforced, deprecated fields reported.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface Field {
  name: string;
  jsonName: string;
  type: string;
  repeated: boolean;
  map?: { key: string; value: string };
  oneof?: string;
  required: boolean;
  deprecated: boolean;
  scope: string;
}
interface Message {
  fullName: string;
  fields: Map<string, Field>;
  oneofs: Map<string, { required: boolean }>;
}
interface Enum {
  fullName: string;
  values: Set<string>;
}

export class ProtoRegistry {
  readonly messages = new Map<string, Message>();
  readonly enums = new Map<string, Enum>();

  /**
   * Declares a field that Envoy added after the published definitions we validate against were cut (the npm
   * package lags behind Envoy), so that the field is still checked for its type rather than waved through.
   */
  declareNewerField(message: string, name: string, type: string): void {
    const m = this.messages.get(message);
    if (!m) throw new Error(`no message ${message}`);
    if (m.fields.has(name)) throw new Error(`${message}.${name} exists already: remove this declaration`);
    const jsonName = name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    m.fields.set(name, { name, jsonName, type, repeated: false, required: false, deprecated: false, scope: message });
  }

  static fromDir(dir: string): ProtoRegistry {
    const r = new ProtoRegistry();
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (f.endsWith(".proto")) r.parse(readFileSync(p, "utf8"));
      }
    };
    walk(dir);
    return r;
  }

  parse(src: string): void {
    const text = src.replace(/\/\*[\s\S]*?\*\//g, " ").replace(/\/\/[^\n]*/g, " ");
    const toks = tokenize(text);
    let i = 0;
    let pkg = "";
    const peek = () => toks[i];
    const next = () => toks[i++]!;
    const skipStatement = () => {
      let depth = 0;
      while (i < toks.length) {
        const t = next();
        if (t === "{" || t === "[" || t === "(") depth++;
        else if (t === "}" || t === "]" || t === ")") depth--;
        else if (t === ";" && depth === 0) return;
      }
    };
    const readOptions = (): string => {
      // after '[' ... ']' balanced; returns the text
      let depth = 1;
      const parts: string[] = [];
      while (i < toks.length && depth > 0) {
        const t = next();
        if (t === "[" || t === "{") depth++;
        else if (t === "]" || t === "}") depth--;
        if (depth > 0) parts.push(t);
      }
      return parts.join(" ");
    };
    const parseEnum = (scope: string) => {
      const name = next();
      const e: Enum = { fullName: `${scope}.${name}`, values: new Set() };
      next(); // {
      while (peek() !== "}") {
        const t = next();
        if (t === "option" || t === "reserved") {
          skipStatement();
          continue;
        }
        e.values.add(t);
        skipStatement();
      }
      next();
      this.enums.set(e.fullName, e);
    };
    const parseField = (m: Message, scope: string, first: string, oneof?: string) => {
      let repeated = false;
      let type = first;
      if (first === "repeated" || first === "optional") {
        repeated = first === "repeated";
        type = next();
      }
      let map: Field["map"];
      if (type === "map") {
        next(); // <
        const k = next();
        next(); // ,
        const v = next();
        next(); // >
        map = { key: k, value: v };
      }
      const name = next();
      next(); // =
      next(); // number
      let opts = "";
      if (peek() === "[") {
        next();
        opts = readOptions();
      }
      if (peek() === ";") next();
      const jsonName = name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      m.fields.set(name, {
        name,
        jsonName,
        type: map ? "map" : type,
        repeated,
        map,
        oneof,
        required: /\(\s*validate\.rules\s*\)\s*\.\s*message\s*=\s*\{[^}]*required\s*:\s*true/.test(opts) || /\(\s*validate\.rules\s*\)\s*\.\s*message\s*\.\s*required\s*=\s*true/.test(opts),
        deprecated: /\bdeprecated\s*=\s*true/.test(opts),
        scope,
      });
    };
    const parseMessage = (scope: string) => {
      const name = next();
      const full = `${scope}.${name}`;
      const m: Message = { fullName: full, fields: new Map(), oneofs: new Map() };
      this.messages.set(full, m);
      next(); // {
      while (i < toks.length && peek() !== "}") {
        const t = next();
        if (t === "message") parseMessage(full);
        else if (t === "enum") parseEnum(full);
        else if (t === "option" || t === "reserved" || t === "extensions" || t === ";") {
          if (t !== ";") skipStatement();
        } else if (t === "oneof") {
          const oname = next();
          next(); // {
          let required = false;
          while (peek() !== "}") {
            const u = next();
            if (u === "option") {
              const start = i;
              skipStatement();
              if (toks.slice(start, i).join(" ").includes("validate.required")) required = true;
              continue;
            }
            parseField(m, full, u, oname);
          }
          next();
          m.oneofs.set(oname, { required });
        } else parseField(m, full, t);
      }
      next(); // }
    };
    while (i < toks.length) {
      const t = next();
      if (t === "package") {
        pkg = "." + next();
        if (peek() === ";") next();
      } else if (t === "message") parseMessage(pkg);
      else if (t === "enum") parseEnum(pkg);
      else if (t === "service") {
        next();
        let depth = 0;
        do {
          const u = next();
          if (u === "{") depth++;
          if (u === "}") depth--;
        } while (depth > 0 && i < toks.length);
      } else if (t !== ";") skipStatement();
    }
  }

  /** Resolves a type name used in `scope` (protobuf scoping: innermost first). */
  resolve(name: string, scope: string): string | null {
    if (name.startsWith(".")) return this.messages.has(name) || this.enums.has(name) ? name : null;
    const parts = scope.split(".");
    for (let n = parts.length; n >= 1; n--) {
      const cand = `${parts.slice(0, n).join(".")}.${name}`;
      if (this.messages.has(cand) || this.enums.has(cand) || WELL_KNOWN.has(cand)) return cand;
    }
    return WELL_KNOWN.has(`.${name}`) ? `.${name}` : null;
  }

  /** Errors of `value` as JSON of message `type` (fully qualified, e.g. .envoy.config.bootstrap.v3.Bootstrap). */
  validate(value: unknown, type: string, path = "$"): string[] {
    const errors: string[] = [];
    this.checkMessage(value, type, path, errors);
    return errors;
  }

  private checkMessage(v: unknown, type: string, path: string, errors: string[]): void {
    if (WELL_KNOWN.has(type)) return this.checkWellKnown(v, type, path, errors);
    const m = this.messages.get(type);
    if (!m) return void errors.push(`${path}: type ${type} is not in the API definitions`);
    if (typeof v !== "object" || v === null || Array.isArray(v)) return void errors.push(`${path}: expected an object (${type})`);
    const byName = new Map<string, Field>();
    for (const f of m.fields.values()) {
      byName.set(f.name, f);
      byName.set(f.jsonName, f);
    }
    const setOneofs = new Map<string, string>();
    for (const [k, x] of Object.entries(v as object)) {
      const f = byName.get(k);
      const p = `${path}.${k}`;
      if (!f) {
        errors.push(`${p}: no field "${k}" in ${type.slice(1)}`);
        continue;
      }
      if (f.deprecated) errors.push(`${p}: field ${k} of ${type.slice(1)} is deprecated`);
      if (f.oneof) {
        const other = setOneofs.get(f.oneof);
        if (other) errors.push(`${p}: ${k} and ${other} are members of oneof ${f.oneof}; set only one`);
        setOneofs.set(f.oneof, k);
      }
      this.checkField(x, f, p, errors);
    }
    for (const f of m.fields.values()) {
      if (f.required && !f.oneof && (v as Record<string, unknown>)[f.name] === undefined && (v as Record<string, unknown>)[f.jsonName] === undefined) {
        errors.push(`${path}: required field ${f.name} of ${type.slice(1)} is missing`);
      }
    }
    for (const [o, info] of m.oneofs) if (info.required && !setOneofs.has(o)) errors.push(`${path}: one of oneof ${o} of ${type.slice(1)} is required`);
  }

  private checkField(v: unknown, f: Field, path: string, errors: string[]): void {
    if (f.map) {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return void errors.push(`${path}: expected a map`);
      for (const [k, x] of Object.entries(v as object)) this.checkValue(x, f.map.value, f.scope, `${path}.${k}`, errors);
      return;
    }
    if (f.repeated) {
      if (!Array.isArray(v)) return void errors.push(`${path}: expected a list (repeated ${f.type})`);
      v.forEach((x, i) => this.checkValue(x, f.type, f.scope, `${path}[${i}]`, errors));
      return;
    }
    this.checkValue(v, f.type, f.scope, path, errors);
  }

  private checkValue(v: unknown, type: string, scope: string, path: string, errors: string[]): void {
    switch (type) {
      case "string":
        if (typeof v !== "string") errors.push(`${path}: expected a string, got ${JSON.stringify(v)}`);
        return;
      case "bytes":
        if (typeof v !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v)) errors.push(`${path}: expected base64 bytes`);
        return;
      case "bool":
        if (typeof v !== "boolean") errors.push(`${path}: expected a boolean, got ${JSON.stringify(v)}`);
        return;
      case "int32": case "sint32": case "sfixed32": case "int64": case "sint64": case "sfixed64":
        if (!(Number.isInteger(v) || (typeof v === "string" && /^-?\d+$/.test(v)))) errors.push(`${path}: expected an integer, got ${JSON.stringify(v)}`);
        return;
      case "uint32": case "fixed32": case "uint64": case "fixed64":
        if (!((Number.isInteger(v) && (v as number) >= 0) || (typeof v === "string" && /^\d+$/.test(v)))) errors.push(`${path}: expected an unsigned integer, got ${JSON.stringify(v)}`);
        return;
      case "double": case "float":
        if (typeof v !== "number") errors.push(`${path}: expected a number, got ${JSON.stringify(v)}`);
        return;
    }
    const full = this.resolve(type, scope);
    if (!full) return void errors.push(`${path}: type ${type} (from ${scope.slice(1)}) is not in the API definitions`);
    const e = this.enums.get(full);
    if (e) {
      if (!(typeof v === "string" ? e.values.has(v) : Number.isInteger(v))) errors.push(`${path}: ${JSON.stringify(v)} is not a value of ${full.slice(1)} (${[...e.values].join(", ")})`);
      return;
    }
    this.checkMessage(v, full, path, errors);
  }

  private checkWellKnown(v: unknown, type: string, path: string, errors: string[]): void {
    switch (type) {
      case ".google.protobuf.Any": {
        const o = v as Record<string, unknown>;
        if (typeof o !== "object" || o === null || typeof o["@type"] !== "string") return void errors.push(`${path}: an Any needs "@type"`);
        const url = o["@type"] as string;
        const m = /^type\.googleapis\.com\/(.+)$/.exec(url);
        if (!m) return void errors.push(`${path}: @type ${url} is not a type.googleapis.com/ URL`);
        const inner = `.${m[1]}`;
        const { ["@type"]: _t, ...rest } = o;
        if (WELL_KNOWN.has(inner)) {
          // Wrappers and Duration/Struct in an Any are {"@type": ..., "value": ...}
          if (inner === ".google.protobuf.Struct") return this.checkWellKnown(rest, inner, path, errors);
          return this.checkWellKnown(rest.value, inner, `${path}.value`, errors);
        }
        if (!this.messages.has(inner)) return void errors.push(`${path}: @type ${m[1]} is not in the API definitions`);
        return this.checkMessage(rest, inner, path, errors);
      }
      case ".google.protobuf.Duration":
        if (typeof v !== "string" || !/^-?\d+(\.\d{1,9})?s$/.test(v)) errors.push(`${path}: a Duration is a string such as "1.5s", got ${JSON.stringify(v)}`);
        return;
      case ".google.protobuf.Timestamp":
        if (typeof v !== "string") errors.push(`${path}: a Timestamp is an RFC 3339 string`);
        return;
      case ".google.protobuf.Struct":
        if (typeof v !== "object" || v === null || Array.isArray(v)) errors.push(`${path}: a Struct is an object`);
        return;
      case ".google.protobuf.Value":
      case ".google.protobuf.ListValue":
        return;
      case ".google.protobuf.Empty":
        if (typeof v !== "object" || v === null || Object.keys(v).length) errors.push(`${path}: an Empty is {}`);
        return;
      case ".google.protobuf.StringValue":
        if (typeof v !== "string") errors.push(`${path}: expected a string (StringValue)`);
        return;
      case ".google.protobuf.BytesValue":
        if (typeof v !== "string") errors.push(`${path}: expected base64 bytes (BytesValue)`);
        return;
      case ".google.protobuf.BoolValue":
        if (typeof v !== "boolean") errors.push(`${path}: expected a boolean (BoolValue)`);
        return;
      case ".google.protobuf.DoubleValue":
      case ".google.protobuf.FloatValue":
        if (typeof v !== "number") errors.push(`${path}: expected a number`);
        return;
      case ".google.protobuf.UInt32Value":
      case ".google.protobuf.UInt64Value":
        if (!((Number.isInteger(v) && (v as number) >= 0) || (typeof v === "string" && /^\d+$/.test(v)))) errors.push(`${path}: expected an unsigned integer, got ${JSON.stringify(v)}`);
        return;
      case ".google.protobuf.Int32Value":
      case ".google.protobuf.Int64Value":
        if (!(Number.isInteger(v) || (typeof v === "string" && /^-?\d+$/.test(v)))) errors.push(`${path}: expected an integer`);
        return;
    }
  }
}

const WELL_KNOWN = new Set(
  ["Any", "Duration", "Timestamp", "Struct", "Value", "ListValue", "Empty", "StringValue", "BytesValue", "BoolValue", "DoubleValue", "FloatValue", "UInt32Value", "UInt64Value", "Int32Value", "Int64Value"].map((n) => `.google.protobuf.${n}`),
);

function tokenize(s: string): string[] {
  const out: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[A-Za-z_.][A-Za-z0-9_.]*|-?\d[\w.+-]*|[{}[\]()<>;=,:]|\S)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push(m[1]!);
  return out;
}
