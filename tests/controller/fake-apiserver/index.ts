// An in-process Kubernetes API server for the controller's tests, over real HTTP, speaking the REST and watch protocol
// as kube-apiserver does for what the controller and the CLI use:
//  - /api/v1 and /apis/<group>/<version>, namespaced and cluster-scoped collections, items, the status subresource;
//  - list (label and field selectors) with the collection's resourceVersion; get; create (generateName, uid,
//    creationTimestamp, 409 AlreadyExists); replace with resourceVersion preconditions (409 Conflict); patch with
//    merge-patch, strategic-merge-patch (built-in types only; 415 for custom resources, as the real server) and
//    JSON patch; delete; errors as metav1.Status;
//  - ?watch=true: a chunked stream of {type, object} lines from a resourceVersion (ADDED for every object when none),
//    and, for a resourceVersion older than the retained history, an ERROR event with a 410 Expired Status;
//  - status subresource semantics: writes to the main resource keep status, writes to /status keep the rest;
//    metadata.generation moves with spec;
//  - custom resources registered from a CRD manifest, validated, defaulted and pruned with its openAPIV3Schema;
//    built-in kinds checked against client-node's API types; metav1.MicroTime must have 6 fraction digits
//    (what Go's time.Parse(RFC3339Micro) demands); Events must be in their involved object's namespace;
//    Services get a ClusterIP allocated.
// Test hooks: dropWatches() (connection reset), compact() (history dropped → 410), failNext(), the request log with
// the bearer token of each request, and the pruning/unknown-field warnings.
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { validate as validateOpenApi, type Schema } from "../schema/openapi";
import { RFC3339_MICRO, validateK8sObject, hasModel } from "../schema/k8s-models";

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  statusSubresource: boolean;
  /** Custom resource: its openAPIV3Schema. */
  schema?: Schema;
}

type Obj = { apiVersion?: string; kind?: string; metadata: Record<string, any>; [k: string]: any };

interface HistoryEntry {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  rt: ResourceType;
  obj: Obj;
}

interface Watcher {
  rt: ResourceType;
  namespace?: string;
  match: (o: Obj) => boolean;
  res: ServerResponse;
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  token: string;
  contentType: string;
  status: number;
}

export interface Fault {
  method?: string;
  path: RegExp;
  status: number;
  times: number;
  /** For watch requests: answer 200 then end the stream at once. */
  dropWatch?: boolean;
}

const CORE_TYPES: ResourceType[] = [
  { group: "", version: "v1", plural: "services", kind: "Service", namespaced: true, statusSubresource: true },
  { group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true, statusSubresource: false },
  { group: "", version: "v1", plural: "events", kind: "Event", namespaced: true, statusSubresource: false },
  { group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false, statusSubresource: true },
  { group: "discovery.k8s.io", version: "v1", plural: "endpointslices", kind: "EndpointSlice", namespaced: true, statusSubresource: false },
  { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true, statusSubresource: false },
];

export class FakeApiServer {
  private readonly types: ResourceType[] = [...CORE_TYPES];
  private readonly store = new Map<string, Obj>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 100;
  private compactedRv = 0;
  private nextIp = 10;
  private server!: Server;
  readonly requests: RequestRecord[] = [];
  /** "unknown field" / pruning warnings (the API server's Warning headers). */
  readonly warnings: string[] = [];
  readonly faults: Fault[] = [];
  url = "";

  static async start(): Promise<FakeApiServer> {
    const f = new FakeApiServer();
    f.server = createServer((req, res) => void f.handle(req, res));
    await new Promise<void>((r) => f.server.listen(0, "127.0.0.1", r));
    f.url = `http://127.0.0.1:${(f.server.address() as AddressInfo).port}`;
    return f;
  }

  async close(): Promise<void> {
    this.dropWatches();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Registers a CustomResourceDefinition (as `kubectl apply -f crd.yaml` would), served at its storage version. */
  registerCrd(crd: Obj): ResourceType {
    const spec = crd.spec;
    const v = spec.versions.find((x: any) => x.storage) ?? spec.versions[0];
    const rt: ResourceType = {
      group: spec.group,
      version: v.name,
      plural: spec.names.plural,
      kind: spec.names.kind,
      namespaced: spec.scope === "Namespaced",
      statusSubresource: !!v.subresources?.status,
      schema: v.schema?.openAPIV3Schema,
    };
    this.types.push(rt);
    return rt;
  }

  /** Creates namespaces (as `kubectl create namespace`); namespaced objects can only be created in existing ones. */
  ensureNamespaces(...names: string[]): void {
    const rt = this.types.find((t) => t.plural === "namespaces")!;
    for (const n of names) if (!this.store.has(this.key("", "namespaces", undefined, n))) this.create(rt, undefined, { metadata: { name: n } });
  }

  register(rt: ResourceType): void {
    this.types.push(rt);
  }

  /** Ends every open watch (the client sees the connection close). */
  dropWatches(): number {
    const n = this.watchers.size;
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
    return n;
  }

  /** Forgets the event history (etcd compaction): watches from an older resourceVersion get 410 Expired. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history.length = 0;
  }

  failNext(f: Omit<Fault, "times"> & { times?: number }): void {
    this.faults.push({ times: 1, ...f });
  }

  get openWatches(): number {
    return this.watchers.size;
  }

  get currentResourceVersion(): string {
    return String(this.rv);
  }

  /** Direct read of the store (no HTTP), for assertions. */
  get(group: string, plural: string, namespace: string | undefined, name: string): Obj | undefined {
    const o = this.store.get(this.key(group, plural, namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  list(group: string, plural: string, namespace?: string): Obj[] {
    const rt = this.types.find((t) => t.group === group && t.plural === plural);
    if (!rt) return [];
    return [...this.store.entries()]
      .filter(([k]) => k.startsWith(`${group}/${plural}/${namespace ?? ""}`))
      .map(([, o]) => structuredClone(o));
  }

  writesBy(token: string): RequestRecord[] {
    return this.requests.filter((r) => r.token === token && !["GET", "HEAD"].includes(r.method) && r.status < 300);
  }

  // ---------------------------------------------------------------------------------------------------------------

  private key(group: string, plural: string, namespace: string | undefined, name: string): string {
    return `${group}/${plural}/${namespace ?? ""}/${name}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const auth = req.headers.authorization ?? "";
    const rec: RequestRecord = { method: req.method ?? "GET", path: url.pathname, query: url.search, token: auth.replace(/^Bearer\s+/i, ""), contentType: String(req.headers["content-type"] ?? ""), status: 0 };
    this.requests.push(rec);
    const send = (status: number, body: unknown) => {
      rec.status = status;
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, reason: string, message: string, details?: unknown) =>
      send(status, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code: status, ...(details ? { details } : {}) });

    const watch = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
    const fault = this.faults.find((f) => f.times > 0 && (!f.method || f.method === req.method) && f.path.test(url.pathname + url.search));
    if (fault) {
      fault.times--;
      if (fault.dropWatch && watch) {
        rec.status = 200;
        res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
        res.end();
        return;
      }
      return fail(fault.status, fault.status === 410 ? "Expired" : fault.status >= 500 ? "InternalError" : "BadRequest", `injected failure ${fault.status}`);
    }

    const route = this.route(url.pathname);
    if (!route) return fail(404, "NotFound", `the server could not find the requested resource (${url.pathname})`);
    const { rt, namespace, name, sub } = route;
    if (sub && sub !== "status") return fail(404, "NotFound", `subresource ${sub} is not served`);
    if (sub === "status" && !rt.statusSubresource) return fail(404, "NotFound", `${rt.plural} has no status subresource`);

    let body: any;
    if (req.method === "POST" || req.method === "PUT" || req.method === "PATCH") {
      const raw = await readBody(req);
      try {
        body = JSON.parse(raw.toString("utf8"));
      } catch {
        return fail(400, "BadRequest", "the request body is not valid JSON");
      }
    }

    try {
      switch (req.method) {
        case "GET":
          if (!name) {
            if (watch) return this.watch(req, res, rec, rt, namespace, url);
            const items = this.select(rt, namespace, url).map((o) => this.forList(rt, o));
            return send(200, { apiVersion: apiVersionOf(rt), kind: `${rt.kind}List`, metadata: { resourceVersion: String(this.rv) }, items });
          } else {
            const o = this.store.get(this.key(rt.group, rt.plural, namespace, name));
            if (!o) return fail(404, "NotFound", `${rt.plural}${rt.group ? "." + rt.group : ""} "${name}" not found`, { name, group: rt.group, kind: rt.plural });
            return send(200, o);
          }
        case "POST": {
          if (name) return fail(405, "MethodNotAllowed", "POST to an item is not allowed");
          const r = this.create(rt, namespace, body);
          return send(r.status, r.body);
        }
        case "PUT": {
          if (!name) return fail(405, "MethodNotAllowed", "PUT to a collection is not allowed");
          const r = this.update(rt, namespace, name, body, sub === "status", true);
          return send(r.status, r.body);
        }
        case "PATCH": {
          if (!name) return fail(405, "MethodNotAllowed", "PATCH to a collection is not allowed");
          const cur = this.store.get(this.key(rt.group, rt.plural, namespace, name));
          if (!cur) return fail(404, "NotFound", `${rt.plural}${rt.group ? "." + rt.group : ""} "${name}" not found`, { name, kind: rt.plural });
          const ct = rec.contentType.split(";")[0]!.trim();
          let next: Obj;
          if (ct === "application/merge-patch+json") next = mergePatch(structuredClone(cur), body);
          else if (ct === "application/strategic-merge-patch+json") {
            if (rt.schema) return fail(415, "UnsupportedMediaType", "strategic merge patch is not supported for custom resources");
            next = mergePatch(structuredClone(cur), body);
          } else if (ct === "application/json-patch+json") {
            const r = jsonPatch(structuredClone(cur), body);
            if (typeof r === "string") return fail(422, "Invalid", r);
            next = r;
          } else return fail(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json${rt.schema ? "" : ", application/strategic-merge-patch+json"}`);
          // A resourceVersion in the patch is a precondition.
          const pre = body?.metadata?.resourceVersion;
          if (!Array.isArray(body) && pre !== undefined && pre !== cur.metadata.resourceVersion) {
            return fail(409, "Conflict", `Operation cannot be fulfilled on ${rt.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
          }
          next.metadata.resourceVersion = cur.metadata.resourceVersion;
          const r = this.update(rt, namespace, name, next, sub === "status", false);
          return send(r.status, r.body);
        }
        case "DELETE": {
          if (!name) return fail(405, "MethodNotAllowed", "deletecollection is not served");
          const k = this.key(rt.group, rt.plural, namespace, name);
          const cur = this.store.get(k);
          if (!cur) return fail(404, "NotFound", `${rt.plural} "${name}" not found`);
          this.store.delete(k);
          const gone = structuredClone(cur);
          gone.metadata.resourceVersion = String(++this.rv);
          this.emit("DELETED", rt, gone);
          return send(200, { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, kind: rt.plural, uid: cur.metadata.uid } });
        }
        default:
          return fail(405, "MethodNotAllowed", `${req.method} is not allowed`);
      }
    } catch (e) {
      if (e instanceof ApiError) return fail(e.code, e.reason, e.message, e.details);
      return fail(500, "InternalError", (e as Error).stack ?? String(e));
    }
  }

  private route(pathname: string): { rt: ResourceType; namespace?: string; name?: string; sub?: string } | null {
    const parts = pathname.split("/").filter(Boolean);
    let group: string, version: string, rest: string[];
    if (parts[0] === "api" && parts[1]) [group, version, rest] = ["", parts[1], parts.slice(2)];
    else if (parts[0] === "apis" && parts[1] && parts[2]) [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
    else return null;
    let namespace: string | undefined;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural, name, sub, ...more] = rest;
    if (more.length) return null;
    const rt = this.types.find((t) => t.group === group && t.version === version && t.plural === plural);
    if (!rt) return null;
    if (namespace !== undefined && !rt.namespaced) return null;
    if (namespace === undefined && rt.namespaced && name) return null; // namespaced item without a namespace
    return { rt, namespace, name, sub };
  }

  private select(rt: ResourceType, namespace: string | undefined, url: URL): Obj[] {
    const match = selectorMatcher(url.searchParams.get("labelSelector"), url.searchParams.get("fieldSelector"));
    const prefix = `${rt.group}/${rt.plural}/`;
    const out: Obj[] = [];
    for (const [k, o] of this.store) {
      if (!k.startsWith(prefix)) continue;
      if (namespace !== undefined && o.metadata.namespace !== namespace) continue;
      if (match(o)) out.push(structuredClone(o));
    }
    return out.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }

  /** List items of built-in kinds carry no apiVersion/kind (as kube-apiserver's JSON); custom resources keep them. */
  private forList(rt: ResourceType, o: Obj): Obj {
    if (rt.schema) return o;
    const { apiVersion: _a, kind: _k, ...rest } = o;
    return rest as Obj;
  }

  private watch(req: IncomingMessage, res: ServerResponse, rec: RequestRecord, rt: ResourceType, namespace: string | undefined, url: URL): void {
    const rvParam = url.searchParams.get("resourceVersion") ?? "";
    const match = selectorMatcher(url.searchParams.get("labelSelector"), url.searchParams.get("fieldSelector"));
    const inScope = (o: Obj) => (namespace === undefined || o.metadata.namespace === namespace) && match(o);
    rec.status = 200;
    res.writeHead(200, { "content-type": "application/json", "transfer-encoding": "chunked" });
    const write = (type: string, object: unknown) => res.write(JSON.stringify({ type, object }) + "\n");
    if (rvParam === "" || rvParam === "0") {
      for (const o of this.select(rt, namespace, url)) write("ADDED", o);
    } else {
      const from = Number(rvParam);
      if (!Number.isFinite(from) || from < this.compactedRv) {
        write("ERROR", { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `too old resource version: ${rvParam} (${this.compactedRv})`, reason: "Expired", code: 410 });
        res.end();
        return;
      }
      for (const h of this.history) if (h.rt === rt && h.rv > from && inScope(h.obj)) write(h.type, h.obj);
    }
    const w: Watcher = { rt, namespace, match: inScope, res };
    this.watchers.add(w);
    const timeout = Number(url.searchParams.get("timeoutSeconds") ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : null;
    const done = () => {
      if (timer) clearTimeout(timer);
      this.watchers.delete(w);
    };
    req.on("close", done);
    res.on("close", done);
  }

  private emit(type: HistoryEntry["type"], rt: ResourceType, obj: Obj): void {
    const snapshot = structuredClone(obj);
    this.history.push({ rv: Number(obj.metadata.resourceVersion), type, rt, obj: snapshot });
    if (this.history.length > 10000) {
      const dropped = this.history.splice(0, 1000);
      this.compactedRv = dropped[dropped.length - 1]!.rv;
    }
    for (const w of this.watchers) {
      if (w.rt !== rt || !w.match(snapshot)) continue;
      w.res.write(JSON.stringify({ type, object: snapshot }) + "\n");
    }
  }

  private create(rt: ResourceType, namespace: string | undefined, body: any): { status: number; body: unknown } {
    if (!body || typeof body !== "object") throw new ApiError(400, "BadRequest", "the body must be an object");
    const obj: Obj = { ...body, metadata: { ...(body.metadata ?? {}) } };
    obj.apiVersion = apiVersionOf(rt);
    obj.kind = rt.kind;
    if (body.apiVersion && body.apiVersion !== obj.apiVersion) throw new ApiError(400, "BadRequest", `the API version in the data (${body.apiVersion}) does not match the expected API version (${obj.apiVersion})`);
    if (body.kind && body.kind !== rt.kind) throw new ApiError(400, "BadRequest", `the kind in the data (${body.kind}) does not match the expected kind (${rt.kind})`);
    if (rt.namespaced) {
      if (!this.store.has(this.key("", "namespaces", undefined, namespace!))) {
        throw new ApiError(404, "NotFound", `namespaces "${namespace}" not found`, { name: namespace, kind: "namespaces" });
      }
      if (obj.metadata.namespace && obj.metadata.namespace !== namespace) throw new ApiError(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request");
      obj.metadata.namespace = namespace;
    }
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + Math.random().toString(36).slice(2, 7);
    if (!obj.metadata.name) throw invalid(rt, "", ["metadata.name: Required value: name or generateName is required"]);
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(obj.metadata.name) || obj.metadata.name.length > 253) {
      throw invalid(rt, obj.metadata.name, [`metadata.name: Invalid value: "${obj.metadata.name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`]);
    }
    const k = this.key(rt.group, rt.plural, namespace, obj.metadata.name);
    if (this.store.has(k)) throw new ApiError(409, "AlreadyExists", `${rt.plural}${rt.group ? "." + rt.group : ""} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, kind: rt.plural });
    if (rt.statusSubresource && rt.schema) delete obj.status;
    if (rt.kind === "Service") this.allocateClusterIP(obj);
    this.admit(rt, obj, null);
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    obj.metadata.generation = 1;
    obj.metadata.resourceVersion = String(++this.rv);
    delete obj.metadata.deletionTimestamp;
    this.store.set(k, obj);
    this.emit("ADDED", rt, obj);
    return { status: 201, body: obj };
  }

  private update(rt: ResourceType, namespace: string | undefined, name: string, body: any, statusOnly: boolean, isPut: boolean): { status: number; body: unknown } {
    const k = this.key(rt.group, rt.plural, namespace, name);
    const cur = this.store.get(k);
    if (!cur) throw new ApiError(404, "NotFound", `${rt.plural}${rt.group ? "." + rt.group : ""} "${name}" not found`, { name, kind: rt.plural });
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new ApiError(400, "BadRequest", "the body must be an object");
    const sentRv = body.metadata?.resourceVersion;
    if (isPut) {
      if (body.metadata?.name && body.metadata.name !== name) throw new ApiError(400, "BadRequest", "the name of the object does not match the name on the URL");
      if (sentRv === undefined || sentRv === "") {
        if (rt.schema) throw invalid(rt, name, ["metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"]);
      } else if (sentRv !== cur.metadata.resourceVersion) {
        throw new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${rt.plural}${rt.group ? "." + rt.group : ""} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
      }
    }
    let next: Obj = structuredClone(body);
    next.apiVersion = apiVersionOf(rt);
    next.kind = rt.kind;
    if (rt.statusSubresource) {
      if (statusOnly) next = { ...structuredClone(cur), status: next.status, metadata: { ...cur.metadata } };
      else next.status = structuredClone(cur.status);
      if (next.status === undefined) delete next.status;
    }
    // Immutable and server-owned metadata.
    next.metadata = { ...(statusOnly ? cur.metadata : next.metadata ?? {}) };
    for (const f of ["uid", "creationTimestamp", "name", "namespace", "generation"]) {
      if (cur.metadata[f] === undefined) delete next.metadata[f];
      else next.metadata[f] = cur.metadata[f];
    }
    if (rt.kind === "Service" && (next.spec?.clusterIP ?? cur.spec?.clusterIP) !== cur.spec?.clusterIP) {
      throw invalid(rt, name, [`spec.clusterIP: Invalid value: "${next.spec?.clusterIP}": field is immutable`]);
    }
    if (rt.kind === "Service" && next.spec && next.spec.clusterIP === undefined) {
      next.spec.clusterIP = cur.spec?.clusterIP;
      if (cur.spec?.clusterIPs) next.spec.clusterIPs = cur.spec.clusterIPs;
    }
    this.admit(rt, next, cur);
    const specChanged = JSON.stringify(next.spec) !== JSON.stringify(cur.spec);
    if (specChanged && !statusOnly) next.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    if (JSON.stringify(next) === JSON.stringify({ ...cur, metadata: { ...cur.metadata, resourceVersion: next.metadata.resourceVersion } })) {
      return { status: 200, body: cur }; // no-op writes do not bump the resourceVersion
    }
    next.metadata.resourceVersion = String(++this.rv);
    this.store.set(k, next);
    this.emit("MODIFIED", rt, next);
    return { status: 200, body: next };
  }

  /** Validation (and for custom resources, defaulting and pruning) of an object about to be stored. */
  private admit(rt: ResourceType, obj: Obj, _old: Obj | null): void {
    const name = obj.metadata?.name ?? "";
    const meta = obj.metadata ?? {};
    for (const f of ["labels", "annotations"]) {
      for (const [k, v] of Object.entries(meta[f] ?? {})) {
        if (typeof v !== "string") throw new ApiError(400, "BadRequest", `json: cannot unmarshal ${typeof v} into Go struct field ObjectMeta.metadata.${f} of type string (${k})`);
      }
    }
    if (rt.schema) {
      const r = validateOpenApi(obj, rt.schema);
      for (const p of r.pruned) this.warnings.push(`${rt.kind} ${name}: unknown field "${p}"`);
      if (r.errors.length) throw invalid(rt, name, r.errors);
      return;
    }
    if (hasModel(obj.apiVersion!, obj.kind!)) {
      const errs = validateK8sObject(obj);
      const unknown = errs.filter((e) => e.includes("unknown field"));
      for (const u of unknown) this.warnings.push(`${rt.kind} ${name}: ${u}`);
      const typeErrs = errs.filter((e) => !e.includes("unknown field"));
      if (typeErrs.length) throw new ApiError(400, "BadRequest", `error decoding ${rt.kind}: ${typeErrs.join("; ")}`);
    }
    if (rt.kind === "Lease") {
      for (const f of ["acquireTime", "renewTime"]) {
        const v = obj.spec?.[f];
        if (v !== undefined && v !== null && !RFC3339_MICRO.test(v)) {
          throw new ApiError(400, "BadRequest", `Lease in version "v1" cannot be handled as a Lease: parsing time "${v}" as "2006-01-02T15:04:05.000000Z07:00": cannot parse`);
        }
      }
    }
    if (rt.kind === "Event") {
      const io = obj.involvedObject;
      const errs: string[] = [];
      if (!io) errs.push("involvedObject: Required value");
      else if ((io.namespace ?? "") !== "" && io.namespace !== obj.metadata.namespace) errs.push(`involvedObject.namespace: Invalid value: "${io.namespace}": does not match event.namespace`);
      if (!obj.reason) errs.push("reason: Required value");
      if (errs.length) throw invalid(rt, name, errs);
    }
    if (rt.kind === "ConfigMap") {
      const size = JSON.stringify(obj.data ?? {}).length + JSON.stringify(obj.binaryData ?? {}).length;
      if (size > 1024 * 1024) throw invalid(rt, name, ["[]: Too long: must have at most 1048576 bytes"]);
    }
  }

  private allocateClusterIP(obj: Obj): void {
    obj.spec ??= {};
    const type = obj.spec.type ?? "ClusterIP";
    if (type === "ExternalName" || obj.spec.clusterIP === "None") return;
    if (!obj.spec.clusterIP) {
      const n = this.nextIp++;
      obj.spec.clusterIP = `10.96.${Math.floor(n / 250)}.${(n % 250) + 1}`;
    }
    obj.spec.clusterIPs ??= [obj.spec.clusterIP];
    obj.spec.type = type;
  }
}

class ApiError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string, readonly details?: unknown) {
    super(message);
  }
}

function invalid(rt: ResourceType, name: string, causes: string[]): ApiError {
  return new ApiError(422, "Invalid", `${rt.kind}${rt.group ? "." + rt.group : ""} "${name}" is invalid: ${causes.join(", ")}`, {
    name,
    group: rt.group,
    kind: rt.kind,
    causes: causes.map((c) => ({ reason: "FieldValueInvalid", message: c, field: c.split(":")[0] })),
  });
}

function apiVersionOf(rt: ResourceType): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  if (target === null || typeof target !== "object" || Array.isArray(target)) target = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else target[k] = mergePatch(target[k], v);
  }
  return target;
}

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test. Returns an error message on failure. */
export function jsonPatch(doc: any, ops: any): any | string {
  if (!Array.isArray(ops)) return "a JSON patch must be an array of operations";
  const parse = (p: string) => p.split("/").slice(1).map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const parent = (path: string[]): [any, string] | null => {
    let cur = doc;
    for (const seg of path.slice(0, -1)) {
      if (cur === null || typeof cur !== "object") return null;
      cur = cur[seg];
    }
    return cur !== null && typeof cur === "object" ? [cur, path[path.length - 1]!] : null;
  };
  const get = (path: string[]) => path.reduce((c: any, s) => (c == null ? undefined : c[s]), doc);
  for (const op of ops) {
    const path = parse(op.path ?? "");
    const p = parent(path);
    switch (op.op) {
      case "test":
        if (JSON.stringify(get(path)) !== JSON.stringify(op.value)) return `testing value ${op.path} failed`;
        break;
      case "remove":
        if (!p || !(p[1] in p[0])) return `unable to remove nonexistent key: ${op.path}`;
        if (Array.isArray(p[0])) p[0].splice(Number(p[1]), 1);
        else delete p[0][p[1]];
        break;
      case "add":
      case "replace": {
        if (!p) return `doc is missing path: "${op.path}"`;
        if (op.op === "replace" && !(p[1] in p[0])) return `replace operation does not apply: doc is missing key: ${op.path}`;
        if (Array.isArray(p[0])) {
          const i = p[1] === "-" ? p[0].length : Number(p[1]);
          if (op.op === "add") p[0].splice(i, 0, op.value);
          else p[0][i] = op.value;
        } else p[0][p[1]] = op.value;
        break;
      }
      case "move":
      case "copy": {
        const from = parse(op.from ?? "");
        const v = get(from);
        if (v === undefined) return `${op.op} from nonexistent ${op.from}`;
        if (op.op === "move") {
          const fp = parent(from)!;
          delete fp[0][fp[1]];
        }
        if (!p) return `doc is missing path: "${op.path}"`;
        p[0][p[1]] = structuredClone(v);
        break;
      }
      default:
        return `unexpected kind: ${op.op}`;
    }
  }
  return doc;
}

/** Label selector (=, ==, !=, exists, !exists, in, notin) and field selector (metadata.name/namespace =, !=). */
export function selectorMatcher(label: string | null, field: string | null): (o: Obj) => boolean {
  const tests: ((o: Obj) => boolean)[] = [];
  for (const term of splitTerms(label ?? "")) {
    let m: RegExpExecArray | null;
    const labels = (o: Obj) => (o.metadata.labels ?? {}) as Record<string, string>;
    if ((m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term))) {
      const [, k, op, v] = m;
      tests.push((o) => (op === "!=" ? labels(o)[k!] !== v : labels(o)[k!] === v));
    } else if ((m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term))) {
      const [, k, op, vs] = m;
      const set = vs!.split(",").map((s) => s.trim());
      tests.push((o) => (op === "in" ? set.includes(labels(o)[k!] ?? "\0") : !set.includes(labels(o)[k!] ?? "\0")));
    } else if ((m = /^!(\S+)$/.exec(term))) {
      const k = m[1]!;
      tests.push((o) => !(k in labels(o)));
    } else {
      const k = term;
      tests.push((o) => k in labels(o));
    }
  }
  for (const term of (field ?? "").split(",").filter(Boolean)) {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) continue;
    const [, f, op, v] = m;
    const val = (o: Obj) => String(f!.split(".").reduce((c: any, s) => (c == null ? undefined : c[s]), o) ?? "");
    tests.push((o) => (op === "!=" ? val(o) !== v : val(o) === v));
  }
  return (o) => tests.every((t) => t(o));
}

function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0, cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = "";
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}
