// The workload-waf controller.
//
// Every replica watches Services, their EndpointSlices, the ApplicationLayer and the rule-set ConfigMap (list + watch, restarted on error,
// relisted on 410 Gone, replayed every resync period), compiles the rule set and computes what each Envoy needs, and
// serves it over HTTP (so a standby serves the same bytes as the leader). Only the replica holding the Lease writes:
// Service annotations (its status, and Felix's TPROXY annotation), Events, the ApplicationLayer status and, when
// asked, Istio WasmPlugins. Writes are level-triggered: each pass compares what is with what should be, so a pass
// after a failover or a lost write converges without duplicating Events.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  ListWatch,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type CoreV1Event,
  type KubeConfig,
  type KubernetesObject,
  type V1ConfigMap,
  type V1EndpointSlice,
  type V1Service,
} from "@kubernetes/client-node";
import {
  API_VERSION,
  Annotations,
  COMPONENT,
  FELIX_TPROXY_ANNOTATION,
  GROUP,
  INSTANCE_NAME,
  KIND,
  PLURAL,
  VERSION,
  effectiveSettings,
  type ApplicationLayer,
  type ApplicationLayerStatus,
  type Condition,
  type EffectiveSettings,
  type RuleSetError as RuleSetErrorStatus,
  type ServiceStatusEntry,
} from "./api";
import { destinationKeys } from "./destinations";
import { ISTIO_GROUP, ISTIO_PLURAL, ISTIO_VERSION, MANAGED_BY, MANAGED_BY_LABEL, renderWasmPlugin } from "./istio";
import { LeaderElector } from "./leader";
import { controllerMetrics, type ControllerMetrics } from "./metrics";
import { compileRuleSet, filesFromConfigMap, RuleSetError, type CompiledRuleSet } from "./ruleset/compile";
import { startServer, type Blob, type ServedState } from "./server";
import { decideService, isWafAnnotated, type ServiceDecision } from "./service-settings";

export interface ControllerOptions {
  kubeConfig: KubeConfig;
  /** The controller's namespace: the Lease and the rule-set ConfigMap live here. */
  namespace: string;
  ruleSetConfigMap: string;
  identity: string;
  listenHost: string;
  listenPort: number;
  /** The filter module served at /wasm/<sha256>. */
  wasmPath?: string;
  /** Rule set used while the ConfigMap does not exist (the image's built-in modsecdefault.conf + crs-setup.conf). */
  defaultRuleSetDir?: string;
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  /** Every resync period the whole cache is reconciled again (as client-go's informer resync). */
  resyncPeriodMs: number;
  /** Delay before a watch that failed is started again. */
  watchRetryMs: number;
  /** Render an Istio WasmPlugin per enabled service, pointing at this URL for the module and rule set. */
  istio?: { controllerUrl: string };
  log?: (msg: string) => void;
}

interface RuleSetState {
  current: (CompiledRuleSet & { source: string; resourceVersion: string; loadedAt: string }) | null;
  error: (RuleSetErrorStatus & { resourceVersion: string; all: string }) | null;
  /** Which ConfigMap version (or the default dir) the state reflects. */
  key: string;
}

const mergePatch = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);

export class WafController {
  readonly metrics: ControllerMetrics = controllerMetrics();
  readonly elector: LeaderElector;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly services: ListWatch<V1Service>;
  /** Endpoints of the services (pod IP:targetPort destinations in the settings document). */
  private readonly slices: ListWatch<V1EndpointSlice>;
  private readonly layers: ListWatch<KubernetesObject>;
  private readonly configMaps: ListWatch<V1ConfigMap>;
  private readonly synced = { services: false, endpointSlices: false, layers: false, configMaps: false };
  private readonly ruleSet: RuleSetState = { current: null, error: null, key: "" };
  private readonly history: Blob[] = [];
  private wasmBlob: Blob | null = null;
  private decisions = new Map<string, { svc: V1Service; decision: ServiceDecision | null }>();
  private settingsDoc: { etag: string; body: string } | null = null;
  private cluster: { enabled: boolean; settings: EffectiveSettings; layer: ApplicationLayer | undefined } = { enabled: false, settings: effectiveSettings(undefined), layer: undefined };
  private server: Awaited<ReturnType<typeof startServer>> | null = null;
  private stopped = true;
  private dirty = false;
  private loop: Promise<void> | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  /** Resolved when a reconcile pass (compute, and writes when leading) has finished after the last change. */
  private idleWaiters: (() => void)[] = [];
  private readonly log: (msg: string) => void;

  constructor(private readonly o: ControllerOptions) {
    this.log = o.log ?? ((m) => process.stderr.write(`[waf-controller ${o.identity}] ${m}\n`));
    const kc = o.kubeConfig;
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    const watch = new Watch(kc);
    this.services = new ListWatch<V1Service>("/api/v1/services", watch, async () => {
      const l = await this.core.listServiceForAllNamespaces();
      this.synced.services = true;
      return l;
    }, false);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    this.slices = new ListWatch<V1EndpointSlice>("/apis/discovery.k8s.io/v1/endpointslices", watch, async () => {
      const l = await discovery.listEndpointSliceForAllNamespaces();
      this.synced.endpointSlices = true;
      return l;
    }, false);
    this.layers = new ListWatch<KubernetesObject>(`/apis/${GROUP}/${VERSION}/${PLURAL}`, watch, async () => {
      const l = await this.custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL });
      this.synced.layers = true;
      return l;
    }, false);
    this.configMaps = new ListWatch<V1ConfigMap>(
      `/api/v1/namespaces/${o.namespace}/configmaps`,
      watch,
      async () => {
        const l = await this.core.listNamespacedConfigMap({ namespace: o.namespace, fieldSelector: `metadata.name=${o.ruleSetConfigMap}` });
        this.synced.configMaps = true;
        return l;
      },
      false,
      undefined,
      `metadata.name=${o.ruleSetConfigMap}`,
    );
    this.elector = new LeaderElector(kc, {
      namespace: o.namespace,
      name: o.leaseName,
      identity: o.identity,
      leaseDurationMs: o.leaseDurationMs,
      renewDeadlineMs: o.renewDeadlineMs,
      retryPeriodMs: o.retryPeriodMs,
      log: this.log,
      onStartedLeading: () => {
        this.log("became the leader");
        this.metrics.isLeader.set({}, 1);
        this.schedule();
      },
      onStoppedLeading: () => {
        this.log("stopped leading");
        this.metrics.isLeader.set({}, 0);
      },
    });
    this.metrics.isLeader.set({}, 0);
  }

  get port(): number {
    return this.server?.port ?? 0;
  }
  get isLeader(): boolean {
    return this.elector.isLeader;
  }
  get ruleSetState(): Readonly<RuleSetState> {
    return this.ruleSet;
  }

  async start(): Promise<void> {
    this.stopped = false;
    if (this.o.wasmPath && existsSync(this.o.wasmPath)) {
      const bytes = readFileSync(this.o.wasmPath);
      this.wasmBlob = { bytes, sha256: createHash("sha256").update(bytes).digest("hex") };
    }
    this.server = await startServer(this.o.listenPort, this.o.listenHost, this.servedState(), this.metrics);
    for (const [name, inf] of [["services", this.services], ["endpointslices", this.slices], ["applicationlayers", this.layers], ["configmaps", this.configMaps]] as const) {
      const lw = inf as ListWatch<KubernetesObject>;
      lw.on("add", () => this.schedule());
      lw.on("update", () => this.schedule());
      lw.on("delete", () => this.schedule());
      lw.on("error", (err) => {
        if (this.stopped) return;
        this.metrics.watchRestarts.inc({ resource: name });
        this.log(`watch of ${name} failed (${describe(err)}); restarting in ${this.o.watchRetryMs} ms`);
        const t = setTimeout(() => {
          this.retryTimers.delete(t);
          if (!this.stopped) void lw.start();
        }, this.o.watchRetryMs);
        this.retryTimers.add(t);
      });
      void lw.start();
    }
    this.elector.start();
    this.resyncTimer = setInterval(() => this.schedule(), this.o.resyncPeriodMs);
    this.schedule();
  }

  async stop(opts: { releaseLease?: boolean } = {}): Promise<void> {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    for (const t of this.retryTimers) clearTimeout(t);
    await this.elector.stop(opts.releaseLease ?? true);
    await Promise.all([this.services.stop(), this.slices.stop(), this.layers.stop(), this.configMaps.stop()]);
    await this.loop;
    await this.server?.close();
  }

  /** Resolves after the next complete reconcile pass. */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.schedule();
    });
  }

  schedule(): void {
    if (this.stopped) return;
    this.dirty = true;
    if (!this.loop) {
      this.loop = (async () => {
        await new Promise((r) => setTimeout(r, 10));
        while (this.dirty && !this.stopped) {
          this.dirty = false;
          const waiters = this.idleWaiters;
          this.idleWaiters = [];
          try {
            this.compute();
            if (this.elector.isLeader) await this.write();
            this.metrics.reconciles.inc({ result: "success" });
          } catch (e) {
            this.metrics.reconciles.inc({ result: "error" });
            this.log(`reconcile failed: ${describe(e)}; retrying`);
            this.dirty = true;
            await new Promise((r) => setTimeout(r, Math.min(1000, this.o.retryPeriodMs)));
          }
          if (this.dirty) this.idleWaiters.push(...waiters);
          else for (const w of waiters) w();
        }
        this.loop = null;
        if (this.stopped) for (const w of this.idleWaiters.splice(0)) w();
      })();
    }
  }

  // ---- compute: every replica ------------------------------------------------------------------------------------

  private compute(): void {
    const layer = this.layers.get(INSTANCE_NAME) as ApplicationLayer | undefined;
    this.cluster = { enabled: layer?.spec?.webApplicationFirewall === "Enabled", settings: effectiveSettings(layer?.spec), layer };
    this.computeRuleSet();
    const decisions = new Map<string, { svc: V1Service; decision: ServiceDecision | null }>();
    for (const svc of this.services.list()) {
      if (!isWafAnnotated(svc)) continue;
      decisions.set(`${svc.metadata!.namespace}/${svc.metadata!.name}`, { svc, decision: decideService(svc, this.cluster) });
    }
    this.decisions = decisions;
    const counts = { Enabled: 0, Disabled: 0, Refused: 0 };
    for (const { decision } of decisions.values()) if (decision) counts[decision.status]++;
    for (const [k, v] of Object.entries(counts)) this.metrics.services.set({ status: k }, v);
    this.settingsDoc = this.buildSettingsDocument();
  }

  private computeRuleSet(): void {
    if (!this.synced.configMaps) return;
    const cm = this.configMaps.get(this.o.ruleSetConfigMap, this.o.namespace);
    let key: string;
    let files: Map<string, Uint8Array>;
    let source: string;
    if (cm) {
      key = `cm:${cm.metadata?.uid}:${cm.metadata?.resourceVersion}`;
      source = `ConfigMap ${this.o.namespace}/${this.o.ruleSetConfigMap}`;
      if (key === this.ruleSet.key) return;
      files = filesFromConfigMap(cm);
    } else if (this.o.defaultRuleSetDir && existsSync(this.o.defaultRuleSetDir)) {
      key = `dir:${this.o.defaultRuleSetDir}`;
      source = `built-in rule set ${this.o.defaultRuleSetDir}`;
      if (key === this.ruleSet.key) return;
      files = new Map();
      for (const f of readdirSync(this.o.defaultRuleSetDir)) {
        const p = join(this.o.defaultRuleSetDir, f);
        if (statSync(p).isFile()) files.set(f, readFileSync(p));
      }
    } else {
      this.ruleSet.key = "none";
      return;
    }
    this.ruleSet.key = key;
    const rv = cm?.metadata?.resourceVersion ?? "";
    try {
      const t0 = Date.now();
      const compiled = compileRuleSet(files);
      this.ruleSet.current = { ...compiled, source, resourceVersion: rv, loadedAt: new Date().toISOString() };
      this.ruleSet.error = null;
      if (!this.history.some((b) => b.sha256 === compiled.sha256)) this.history.push({ sha256: compiled.sha256, bytes: compiled.table });
      while (this.history.length > 4) this.history.shift();
      this.metrics.compiles.inc({ result: "success" });
      this.metrics.ruleSetInfo.reset();
      this.metrics.ruleSetInfo.set({ sha256: compiled.sha256, source }, 1);
      this.log(`rule set from ${source} compiled in ${Date.now() - t0} ms: ${compiled.summary.rules} rules, sha256 ${compiled.sha256.slice(0, 12)}`);
    } catch (e) {
      this.metrics.compiles.inc({ result: "failure" });
      if (!(e instanceof RuleSetError)) {
        this.ruleSet.error = { file: "(rule set)", line: 0, message: `compiler failure: ${describe(e)}`, resourceVersion: rv, all: describe(e) };
      } else {
        this.ruleSet.error = { file: e.file, line: e.line, message: e.message, resourceVersion: rv, all: e.toString() };
      }
      this.log(`rule set from ${source} refused: ${this.ruleSet.error.file}:${this.ruleSet.error.line}: ${this.ruleSet.error.message}` +
        (this.ruleSet.current ? `; keeping ${this.ruleSet.current.sha256.slice(0, 12)}` : ""));
    }
  }

  private buildSettingsDocument(): { etag: string; body: string } {
    const destinations: Record<string, unknown> = {};
    const owner = new Map<string, string>();
    const collisions: string[] = [];
    const s = this.cluster.settings;
    const slices = this.slices.list();
    for (const [key, { svc, decision }] of [...this.decisions].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (decision?.status !== "Enabled" || !decision.settings) continue;
      const entry = {
        service: key,
        mode: decision.settings.mode,
        paranoiaLevel: decision.settings.paranoiaLevel,
        excludeRuleIds: decision.settings.excludeRuleIds.map((r) => [r.from, r.to]),
        excludeRuleTags: decision.settings.excludeRuleTags,
      };
      for (const d of destinationKeys(svc, slices)) {
        // Two enabled services selecting the same pods share their endpoint destinations: the filter can only see
        // the address, so the service first in namespace/name order decides (stable across replicas and passes).
        const first = owner.get(d.key);
        if (first !== undefined) {
          if (first !== key) collisions.push(`${d.key} (${first}, ${key})`);
          continue;
        }
        owner.set(d.key, key);
        destinations[d.key] = { ...entry, port: d.port };
      }
    }
    const collisionText = collisions.join(", ");
    if (collisionText !== this.loggedCollisions) {
      this.loggedCollisions = collisionText;
      if (collisionText) this.log(`destinations shared by enabled services, the first service's settings apply: ${collisionText}`);
    }
    const rs = this.ruleSet.current;
    const doc = {
      apiVersion: API_VERSION,
      kind: "DestinationSettings",
      enabled: this.cluster.enabled,
      ruleSet: rs ? { sha256: rs.sha256, path: `/rulesets/${rs.sha256}` } : null,
      wasm: this.wasmBlob ? { sha256: this.wasmBlob.sha256, path: `/wasm/${this.wasmBlob.sha256}` } : null,
      defaults: {
        mode: s.mode,
        paranoiaLevel: s.paranoiaLevel,
        requestBodyLimitBytes: s.requestBodyLimitBytes,
        responseBodyLimitBytes: s.responseBodyLimitBytes,
        failurePolicy: s.failurePolicy,
        logCollection: s.logCollection,
        envoy: s.envoy,
      },
      destinations: this.cluster.enabled ? destinations : {},
    };
    const body = JSON.stringify(doc, null, 2) + "\n";
    return { etag: createHash("sha256").update(body).digest("hex"), body };
  }

  private loggedCollisions = "";

  private servedState(): ServedState {
    return {
      currentRuleSet: () => (this.ruleSet.current ? { sha256: this.ruleSet.current.sha256, bytes: this.ruleSet.current.table } : null),
      ruleSetBySha: (sha) => this.history.find((b) => b.sha256 === sha) ?? null,
      wasm: () => this.wasmBlob,
      settingsDocument: () => this.settingsDoc,
      ready: () => {
        const missing = Object.entries(this.synced).filter(([, v]) => !v).map(([k]) => k);
        if (missing.length) return { ok: false, reason: `waiting for the first list of ${missing.join(", ")}` };
        if (!this.ruleSet.current) return { ok: false, reason: this.ruleSet.error ? `no rule set in force: ${this.ruleSet.error.file}:${this.ruleSet.error.line}: ${this.ruleSet.error.message}` : "no rule set in force" };
        return { ok: true, reason: `rule set ${this.ruleSet.current.sha256.slice(0, 12)} in force${this.elector.isLeader ? ", leading" : ", standby"}` };
      },
    };
  }

  // ---- write: the leader only -------------------------------------------------------------------------------------

  private async write(): Promise<void> {
    let failed: unknown = null;
    for (const { svc, decision } of this.decisions.values()) {
      if (!this.elector.isLeader || this.stopped) return;
      await this.writeService(svc, decision).catch((e) => (failed ??= e));
    }
    await this.writeRuleSetEvents().catch((e) => (failed ??= e));
    await this.writeLayerStatus().catch((e) => (failed ??= e));
    if (this.o.istio) await this.writeWasmPlugins().catch((e) => (failed ??= e));
    if (failed) throw failed;
  }

  private async writeService(svc: V1Service, d: ServiceDecision | null): Promise<void> {
    const a = svc.metadata?.annotations ?? {};
    const want: Record<string, string | null> = {};
    const managed = a[Annotations.tproxyManaged] === "true";
    if (!d) {
      want[Annotations.status] = null;
      want[Annotations.statusReason] = null;
    } else {
      want[Annotations.status] = d.status;
      want[Annotations.statusReason] = d.reason;
    }
    if (d?.status === "Enabled") {
      if (a[FELIX_TPROXY_ANNOTATION] !== "true" || managed) {
        want[FELIX_TPROXY_ANNOTATION] = "true";
        want[Annotations.tproxyManaged] = "true";
      }
    } else if (managed) {
      want[FELIX_TPROXY_ANNOTATION] = null;
      want[Annotations.tproxyManaged] = null;
    }
    const patch: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(want)) if ((a[k] ?? null) !== v) patch[k] = v;
    if (Object.keys(patch).length === 0) return;
    const ns = svc.metadata!.namespace!;
    const name = svc.metadata!.name!;
    try {
      await this.core.patchNamespacedService(
        { name, namespace: ns, body: { metadata: { resourceVersion: svc.metadata!.resourceVersion, annotations: patch } } },
        mergePatch,
      );
      this.metrics.writes.inc({ kind: "Service", result: "success" });
    } catch (e) {
      this.metrics.writes.inc({ kind: "Service", result: "error" });
      if (e instanceof ApiException && (e.code === 409 || e.code === 404)) {
        this.dirty = true; // changed or gone meanwhile: the watch brings the new version, the next pass decides again
        return;
      }
      throw e;
    }
    const before = a[Annotations.status];
    if (d && before !== d.status && !(d.status === "Disabled" && before === undefined)) {
      const type = d.status === "Refused" ? "Warning" : "Normal";
      const reason = d.status === "Enabled" ? "WAFEnabled" : d.status === "Refused" ? "WAFRefused" : "WAFDisabled";
      await this.event(svc, "Service", "v1", type, reason, `WAF ${d.status.toLowerCase()}: ${d.reason}`);
    } else if (d && d.warnings.length && a[Annotations.statusReason] !== d.reason) {
      await this.event(svc, "Service", "v1", "Warning", "WAFInvalidOverride", d.reason);
    }
  }

  private async writeRuleSetEvents(): Promise<void> {
    const cm = this.configMaps.get(this.o.ruleSetConfigMap, this.o.namespace);
    const status = this.cluster.layer?.status?.ruleSet;
    const err = this.ruleSet.error;
    if (cm && err && err.resourceVersion === cm.metadata?.resourceVersion) {
      if (status?.error?.resourceVersion === err.resourceVersion) return; // already reported (maybe by a previous leader)
      const kept = this.ruleSet.current ? ` The rule set ${this.ruleSet.current.sha256.slice(0, 12)} stays in force.` : "";
      if (this.reportedRejected === err.resourceVersion) return; // reported by this leader; the status write may be pending
      this.reportedRejected = err.resourceVersion;
      await this.event(cm, "ConfigMap", "v1", "Warning", "RuleSetRejected", `${err.file}:${err.line}: ${err.message}.${kept}`);
    } else if (this.ruleSet.current && cm && this.ruleSet.current.resourceVersion === cm.metadata?.resourceVersion) {
      if (status?.sha256 === this.ruleSet.current.sha256 && !status.error) return;
      if (this.reportedLoaded === this.ruleSet.current.sha256) return;
      this.reportedLoaded = this.ruleSet.current.sha256;
      const s = this.ruleSet.current.summary;
      await this.event(cm, "ConfigMap", "v1", "Normal", "RuleSetLoaded", `rule set ${this.ruleSet.current.sha256} in force: ${s.rules} rules from ${s.confFiles.length} files, ${s.tableBytes} bytes`);
    }
  }
  private reportedLoaded = "";
  private reportedRejected = "";

  private desiredStatus(layer: ApplicationLayer): ApplicationLayerStatus {
    const now = new Date().toISOString();
    const prev = layer.status?.conditions ?? [];
    const cond = (type: string, ok: boolean | "Unknown", reason: string, message: string): Condition => {
      const status = ok === "Unknown" ? "Unknown" : ok ? "True" : "False";
      const old = prev.find((c) => c.type === type);
      return { type, status, reason, message, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now, observedGeneration: layer.metadata.generation };
    };
    const rs = this.ruleSet.current;
    const err = this.ruleSet.error;
    const services: ServiceStatusEntry[] = [...this.decisions.entries()]
      .filter(([, v]) => v.decision)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([, { svc, decision }]) => ({
        namespace: svc.metadata!.namespace!,
        name: svc.metadata!.name!,
        status: decision!.status,
        reason: decision!.reason,
        ...(decision!.settings ? { mode: decision!.settings.mode, paranoiaLevel: decision!.settings.paranoiaLevel } : {}),
      }));
    const enabledCount = services.filter((s) => s.status === "Enabled").length;
    const refused = services.filter((s) => s.status === "Refused");
    const ruleSetOk = !!rs && !err;
    const state = !this.cluster.enabled ? "Disabled" : ruleSetOk ? "Ready" : "Degraded";
    const conditions = [
      cond(
        "Ready",
        this.cluster.enabled && !!rs,
        !this.cluster.enabled ? "WAFDisabled" : rs ? "RuleSetInForce" : "NoRuleSet",
        !this.cluster.enabled ? "spec.webApplicationFirewall is not Enabled" : rs ? `${enabledCount} service(s) protected with rule set ${rs.sha256.slice(0, 12)}` : "no valid rule set has been loaded yet",
      ),
      cond(
        "RuleSetValid",
        err ? false : rs ? true : "Unknown",
        err ? "RuleSetRejected" : rs ? "Compiled" : "NoRuleSet",
        err ? `${err.file}:${err.line}: ${err.message}${rs ? ` (rule set ${rs.sha256.slice(0, 12)} stays in force)` : ""}` : rs ? `${rs.summary.rules} rules compiled from ${rs.source}` : "no rule set found",
      ),
      cond(
        "ServicesAccepted",
        refused.length === 0,
        refused.length ? "ServicesRefused" : "AllAccepted",
        refused.length ? refused.map((s) => `${s.namespace}/${s.name}: ${s.reason}`).join("; ") : "every annotated service is accepted",
      ),
    ];
    return {
      state,
      observedGeneration: layer.metadata.generation,
      conditions,
      ruleSet: {
        ...(rs
          ? { sha256: rs.sha256, configMap: `${this.o.namespace}/${this.o.ruleSetConfigMap}`, resourceVersion: rs.resourceVersion, loadedAt: rs.loadedAt, rules: rs.summary.rules, tableBytes: rs.summary.tableBytes }
          : {}),
        ...(err ? { error: { file: err.file, line: err.line, message: err.message, resourceVersion: err.resourceVersion } } : {}),
      },
      protectedServices: enabledCount,
      services,
    };
  }

  private async writeLayerStatus(): Promise<void> {
    const layer = this.cluster.layer;
    if (!layer) return;
    const desired = this.desiredStatus(layer);
    const cur = layer.status ?? {};
    if (JSON.stringify(stripVolatile(cur)) === JSON.stringify(stripVolatile(desired))) return;
    // Merge patch replaces lists; null clears a field that should no longer be there (e.g. ruleSet.error).
    const body: Record<string, unknown> = { status: { ...desired, ruleSet: { ...nullFill(cur.ruleSet ?? {}), ...desired.ruleSet } } };
    try {
      await this.custom.patchClusterCustomObjectStatus({ group: GROUP, version: VERSION, plural: PLURAL, name: INSTANCE_NAME, body }, mergePatch);
      this.metrics.writes.inc({ kind: KIND, result: "success" });
    } catch (e) {
      this.metrics.writes.inc({ kind: KIND, result: "error" });
      if (e instanceof ApiException && e.code === 404) return;
      throw e;
    }
  }

  private async writeWasmPlugins(): Promise<void> {
    const wasm = this.wasmBlob;
    const desired = new Map<string, Record<string, unknown>>();
    if (wasm && this.cluster.enabled) {
      for (const { svc, decision } of this.decisions.values()) {
        if (decision?.status !== "Enabled" || !decision.settings) continue;
        const wp = renderWasmPlugin({
          service: svc,
          settings: decision.settings,
          cluster: this.cluster.settings,
          wasm,
          ruleSet: this.ruleSet.current,
          controllerUrl: this.o.istio!.controllerUrl,
        });
        if (wp) desired.set(`${svc.metadata!.namespace}/${(wp.metadata as { name: string }).name}`, wp);
      }
    }
    const existing = (await this.custom.listCustomObjectForAllNamespaces({
      group: ISTIO_GROUP,
      version: ISTIO_VERSION,
      plural: ISTIO_PLURAL,
      labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
    })) as { items: { metadata: { name: string; namespace: string; resourceVersion: string }; spec: unknown }[] };
    const have = new Map(existing.items.map((i) => [`${i.metadata.namespace}/${i.metadata.name}`, i]));
    for (const [key, wp] of desired) {
      const meta = wp.metadata as { name: string; namespace: string };
      const cur = have.get(key);
      if (!cur) {
        await this.custom.createNamespacedCustomObject({ group: ISTIO_GROUP, version: ISTIO_VERSION, namespace: meta.namespace, plural: ISTIO_PLURAL, body: wp });
      } else if (JSON.stringify(cur.spec) !== JSON.stringify(wp.spec)) {
        await this.custom.replaceNamespacedCustomObject({
          group: ISTIO_GROUP, version: ISTIO_VERSION, namespace: meta.namespace, plural: ISTIO_PLURAL, name: meta.name,
          body: { ...wp, metadata: { ...meta, labels: (wp.metadata as { labels: unknown }).labels, resourceVersion: cur.metadata.resourceVersion } },
        });
      }
      this.metrics.writes.inc({ kind: "WasmPlugin", result: "success" });
    }
    for (const [key, cur] of have) {
      if (desired.has(key)) continue;
      await this.custom.deleteNamespacedCustomObject({ group: ISTIO_GROUP, version: ISTIO_VERSION, namespace: cur.metadata.namespace, plural: ISTIO_PLURAL, name: cur.metadata.name });
    }
  }

  private async event(obj: KubernetesObject, kind: string, apiVersion: string, type: "Normal" | "Warning", reason: string, message: string): Promise<void> {
    const now = new Date();
    const ns = obj.metadata?.namespace ?? "default";
    const body: CoreV1Event = {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `${obj.metadata!.name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`, namespace: ns },
      involvedObject: { apiVersion, kind, name: obj.metadata!.name, namespace: obj.metadata?.namespace, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion },
      type,
      reason,
      message: message.length > 1024 ? message.slice(0, 1021) + "..." : message,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      source: { component: COMPONENT },
      reportingComponent: `${GROUP}/${COMPONENT}`,
      reportingInstance: this.o.identity,
    };
    try {
      await this.core.createNamespacedEvent({ namespace: ns, body });
      this.metrics.writes.inc({ kind: "Event", result: "success" });
    } catch (e) {
      this.metrics.writes.inc({ kind: "Event", result: "error" });
      this.log(`could not record event ${reason} on ${kind} ${ns}/${obj.metadata?.name}: ${describe(e)}`);
    }
  }
}

function stripVolatile(s: ApplicationLayerStatus): unknown {
  return {
    ...s,
    conditions: (s.conditions ?? []).map(({ lastTransitionTime: _t, ...c }) => c),
    ruleSet: s.ruleSet ? { ...s.ruleSet, loadedAt: undefined } : undefined,
  };
}

function nullFill(o: object): Record<string, null> {
  return Object.fromEntries(Object.keys(o).map((k) => [k, null]));
}

export function describe(e: unknown): string {
  if (e instanceof ApiException) {
    let msg = "";
    try {
      const b = typeof e.body === "string" ? JSON.parse(e.body) : e.body;
      msg = b?.message ?? "";
    } catch {
      msg = String(e.body ?? "");
    }
    return `HTTP ${e.code}${msg ? `: ${msg}` : ""}`;
  }
  if (e && typeof e === "object" && "statusCode" in e) return `HTTP ${(e as { statusCode: number }).statusCode}: ${(e as unknown as Error).message}`;
  return e instanceof Error ? e.message : String(e);
}
