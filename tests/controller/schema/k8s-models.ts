// Checks Kubernetes objects against the API types that @kubernetes/client-node generates from the Kubernetes OpenAPI
// document: every field must exist in its type (wire name) and have the type's JSON type (string, number, boolean,
// date-time, int-or-string, arrays, maps, nested types). Unknown fields are errors — what `kubectl apply` with
// --validate=strict (the default) rejects.
import * as k8s from "@kubernetes/client-node";

interface AttributeType {
  name: string;
  baseName: string;
  type: string;
  format: string;
}
type Model = { getAttributeTypeMap(): AttributeType[] };

const models = k8s as unknown as Record<string, Model | undefined>;

/** The model class name for an apiVersion/kind, e.g. apps/v1 Deployment → V1Deployment. */
export function modelName(apiVersion: string, kind: string): string {
  const version = apiVersion.includes("/") ? apiVersion.split("/")[1]! : apiVersion;
  const v = version.charAt(0).toUpperCase() + version.slice(1);
  if (kind === "Event" && apiVersion === "v1") return "CoreV1Event";
  if (kind === "Event" && apiVersion === "events.k8s.io/v1") return "EventsV1Event";
  return `${v}${kind}`;
}

export function hasModel(apiVersion: string, kind: string): boolean {
  return typeof models[modelName(apiVersion, kind)]?.getAttributeTypeMap === "function";
}

/** Errors of `obj` against its type (looked up from apiVersion/kind unless `type` is given). */
export function validateK8sObject(obj: Record<string, unknown>, type?: string): string[] {
  const t = type ?? modelName(String(obj.apiVersion), String(obj.kind));
  if (!models[t]) return [`no API type ${t} for ${obj.apiVersion} ${obj.kind}`];
  const errors: string[] = [];
  check(obj, t, String(obj.kind ?? t), errors);
  return errors;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** metav1.MicroTime marshals as RFC3339Micro: exactly 6 fraction digits. */
export const RFC3339_MICRO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/;

function check(v: unknown, type: string, path: string, errors: string[]): void {
  if (v === undefined || v === null) return;
  if (type.endsWith(" | null")) return check(v, type.slice(0, -7), path, errors);
  if (type.startsWith("Array<")) {
    if (!Array.isArray(v)) return void errors.push(`${path}: expected an array, got ${typeof v}`);
    const sub = type.slice(6, -1);
    v.forEach((x, i) => check(x, sub, `${path}[${i}]`, errors));
    return;
  }
  if (type.startsWith("{ [key: string]: ")) {
    if (typeof v !== "object" || Array.isArray(v)) return void errors.push(`${path}: expected a map, got ${Array.isArray(v) ? "array" : typeof v}`);
    const sub = type.slice("{ [key: string]: ".length, -"; }".length);
    for (const [k, x] of Object.entries(v as object)) check(x, sub, `${path}.${k}`, errors);
    return;
  }
  switch (type) {
    case "string":
      if (typeof v !== "string") errors.push(`${path}: expected a string, got ${JSON.stringify(v)}`);
      return;
    case "number":
      if (typeof v !== "number") errors.push(`${path}: expected a number, got ${JSON.stringify(v)}`);
      return;
    case "boolean":
      if (typeof v !== "boolean") errors.push(`${path}: expected a boolean, got ${JSON.stringify(v)}`);
      return;
    case "Date":
      if (!(v instanceof Date) && !(typeof v === "string" && RFC3339.test(v))) errors.push(`${path}: expected an RFC 3339 time, got ${JSON.stringify(v)}`);
      return;
    case "V1MicroTime":
      if (!(v instanceof k8s.V1MicroTime) && !(typeof v === "string" && RFC3339_MICRO.test(v))) errors.push(`${path}: expected an RFC 3339 time with microseconds (6 digits), got ${JSON.stringify(v)}`);
      return;
    case "IntOrString":
      if (typeof v !== "string" && !(typeof v === "number" && Number.isInteger(v))) errors.push(`${path}: expected an integer or a string, got ${JSON.stringify(v)}`);
      return;
    case "any":
    case "object":
      return;
  }
  const model = models[type];
  if (!model?.getAttributeTypeMap) return void errors.push(`${path}: unknown type ${type}`);
  if (typeof v !== "object" || Array.isArray(v)) return void errors.push(`${path}: expected an object (${type}), got ${JSON.stringify(v)}`);
  const attrs = model.getAttributeTypeMap();
  const byWire = new Map(attrs.map((a) => [a.baseName, a]));
  for (const [k, x] of Object.entries(v as object)) {
    const a = byWire.get(k);
    if (!a) {
      errors.push(`${path}: unknown field "${k}" in ${type}`);
      continue;
    }
    check(x, a.type, `${path}.${k}`, errors);
  }
}
