// A validator for Kubernetes structural OpenAPI v3 schemas (what a CRD's openAPIV3Schema is), as the API server applies
// them to custom resources: type checks, required, enum, bounds, patterns, formats, the x-kubernetes-* extensions
// that change typing (int-or-string, preserve-unknown-fields, embedded-resource), defaulting, and pruning of unknown
// fields (reported, as the API server's "unknown field" warnings). CEL rules (x-kubernetes-validations) are listed,
// not evaluated.

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  nullable?: boolean;
  default?: unknown;
  description?: string;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
  "x-kubernetes-embedded-resource"?: boolean;
  "x-kubernetes-list-type"?: string;
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-validations"?: { rule: string; message?: string }[];
  [k: string]: unknown;
}

export interface ValidationResult {
  errors: string[];
  /** Unknown fields dropped by pruning. */
  pruned: string[];
}

const KNOWN_KEYWORDS = new Set([
  "type", "properties", "additionalProperties", "items", "required", "enum", "minimum", "maximum", "exclusiveMinimum",
  "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "pattern", "format", "nullable", "default",
  "description", "title", "example", "uniqueItems", "multipleOf", "minProperties", "maxProperties", "anyOf", "allOf", "oneOf", "not",
  "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string", "x-kubernetes-embedded-resource",
  "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-validations",
]);

/** Structural-schema rules the API server checks when a CRD is created (a subset). */
export function checkStructural(s: Schema, path = ""): string[] {
  const errs: string[] = [];
  for (const k of Object.keys(s)) if (!KNOWN_KEYWORDS.has(k)) errs.push(`${path || "<root>"}: unknown schema keyword "${k}"`);
  const anyType = s["x-kubernetes-int-or-string"] || s["x-kubernetes-preserve-unknown-fields"];
  if (!s.type && !anyType && path !== "") errs.push(`${path}: type must be specified (structural schema)`);
  if (s.type && !["object", "array", "string", "integer", "number", "boolean"].includes(s.type)) errs.push(`${path}: unknown type ${s.type}`);
  if (s.type === "array" && !s.items) errs.push(`${path}: items must be specified for arrays`);
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) errs.push(`${path}: properties and additionalProperties are mutually exclusive`);
  for (const [k, sub] of Object.entries(s.properties ?? {})) errs.push(...checkStructural(sub, `${path}.${k}`));
  if (s.items) errs.push(...checkStructural(s.items, `${path}[]`));
  if (typeof s.additionalProperties === "object") errs.push(...checkStructural(s.additionalProperties, `${path}{}`));
  if (s.default !== undefined) {
    const r = validate(structuredClone(s.default), { ...s, default: undefined }, path);
    errs.push(...r.errors.map((e) => `default: ${e}`));
  }
  return errs;
}

/** Validates (and defaults and prunes, in place) `value` against `schema`. `path` names the root in messages. */
export function validate(value: unknown, schema: Schema, path = ""): ValidationResult {
  const out: ValidationResult = { errors: [], pruned: [] };
  walk(value, schema, path, out, true);
  return out;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function walk(v: unknown, s: Schema, path: string, out: ValidationResult, root = false): void {
  const at = path || "<root>";
  if (v === null) {
    if (!s.nullable) out.errors.push(`${at}: Invalid value: "null": must not be null`);
    return;
  }
  const t = typeOf(v);
  if (s["x-kubernetes-int-or-string"]) {
    if (t !== "integer" && t !== "string") out.errors.push(`${at}: Invalid value: ${JSON.stringify(v)}: must be an integer or a string`);
  } else if (s.type) {
    const ok = s.type === t || (s.type === "number" && t === "integer");
    if (!ok) {
      out.errors.push(`${at}: Invalid value: "${t}": ${at} in body must be of type ${s.type}: "${t}"`);
      return;
    }
  }
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    out.errors.push(`${at}: Unsupported value: ${JSON.stringify(v)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`);
  }
  if (typeof v === "number") {
    if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) out.errors.push(`${at}: Invalid value: ${v}: ${at} in body should be greater than or equal to ${s.minimum}`);
    if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) out.errors.push(`${at}: Invalid value: ${v}: ${at} in body should be less than or equal to ${s.maximum}`);
    if (s.format === "int32" && (v < -2147483648 || v > 2147483647)) out.errors.push(`${at}: Invalid value: ${v}: out of int32 range`);
  }
  if (typeof v === "string") {
    if (s.minLength !== undefined && v.length < s.minLength) out.errors.push(`${at}: Invalid value: ${JSON.stringify(v)}: should be at least ${s.minLength} chars long`);
    if (s.maxLength !== undefined && v.length > s.maxLength) out.errors.push(`${at}: Too long: may not be more than ${s.maxLength} bytes`);
    if (s.pattern && !new RegExp(s.pattern).test(v)) out.errors.push(`${at}: Invalid value: ${JSON.stringify(v)}: should match '${s.pattern}'`);
    if (s.format === "date-time" && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)) out.errors.push(`${at}: Invalid value: ${JSON.stringify(v)}: must be a date-time (RFC 3339)`);
  }
  if (Array.isArray(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) out.errors.push(`${at}: Invalid value: should have at least ${s.minItems} items`);
    if (s.maxItems !== undefined && v.length > s.maxItems) out.errors.push(`${at}: Too many: ${v.length}: must have at most ${s.maxItems} items`);
    if (s.items) v.forEach((x, i) => walk(x, s.items!, `${path}[${i}]`, out));
    if (s["x-kubernetes-list-type"] === "map" && s["x-kubernetes-list-map-keys"]) {
      const keys = s["x-kubernetes-list-map-keys"];
      const seen = new Set<string>();
      v.forEach((x, i) => {
        const k = JSON.stringify(keys.map((kk) => (x as Record<string, unknown>)?.[kk]));
        if (seen.has(k)) out.errors.push(`${path}[${i}]: Duplicate value: ${k}`);
        seen.add(k);
      });
    }
    return;
  }
  if (t === "object") {
    const o = v as Record<string, unknown>;
    const props = s.properties ?? {};
    for (const [k, sub] of Object.entries(props)) {
      if (o[k] === undefined && sub.default !== undefined) o[k] = structuredClone(sub.default);
    }
    for (const req of s.required ?? []) if (o[req] === undefined) out.errors.push(`${path ? path + "." : ""}${req}: Required value`);
    for (const [k, x] of Object.entries(o)) {
      const kp = path ? `${path}.${k}` : k;
      if (root && (k === "apiVersion" || k === "kind" || k === "metadata")) {
        // ObjectMeta is validated by the API server itself, never pruned by the CRD schema.
        if (k !== "metadata" && props[k]) walk(x, props[k]!, kp, out);
        continue;
      }
      if (props[k]) walk(x, props[k]!, kp, out);
      else if (typeof s.additionalProperties === "object") walk(x, s.additionalProperties, kp, out);
      else if (s.additionalProperties === true || s["x-kubernetes-preserve-unknown-fields"]) continue;
      else {
        delete o[k];
        out.pruned.push(kp);
      }
    }
  }
}
