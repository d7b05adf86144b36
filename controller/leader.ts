// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection does it:
//  - a candidate takes the Lease when it is free or when its holder has not renewed it for leaseDuration, measured
//    on the candidate's own clock from when it last saw the record change (no cross-node clock comparison);
//  - every write carries the resourceVersion it read, so two candidates racing for it cannot both win (409);
//  - the leader renews every retryPeriod and steps down when it has not renewed within renewDeadline;
//  - on a clean stop the leader releases the Lease (holder "") so a standby takes over at once.
import { ApiException, CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from "@kubernetes/client-node";

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log?: (msg: string) => void;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private timer: NodeJS.Timeout | null = null;
  private leading = false;
  private stopped = true;
  private lastRenew = 0;
  private observedKey = "";
  private observedAt = 0;
  private paused = false;
  private running: Promise<void> | null = null;

  constructor(kc: KubeConfig, private readonly o: LeaderElectionOptions) {
    this.api = kc.makeApiClient(CoordinationV1Api);
  }

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.tick();
  }

  /** Test hook and failure model: keep the process up but stop renewing (as a hung or partitioned leader). */
  pauseRenewals(paused: boolean): void {
    this.paused = paused;
  }

  async stop(release = true): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
    if (this.leading) {
      if (release) await this.release().catch((e) => this.o.log?.(`lease release failed: ${(e as Error).message}`));
      this.setLeading(false);
    }
  }

  private tick(): void {
    if (this.stopped) return;
    this.running = (async () => {
      if (!this.paused) {
        const ok = await this.tryAcquireOrRenew().catch((e) => {
          this.o.log?.(`lease ${this.o.namespace}/${this.o.name}: ${(e as Error).message}`);
          return false;
        });
        if (ok) this.lastRenew = Date.now();
        if (ok && !this.leading && !this.stopped) this.setLeading(true);
      }
      if (this.leading && Date.now() - this.lastRenew > this.o.renewDeadlineMs) {
        this.o.log?.(`lost the lease ${this.o.namespace}/${this.o.name}: not renewed within ${this.o.renewDeadlineMs} ms`);
        this.setLeading(false);
      }
    })();
    void this.running.finally(() => {
      if (!this.stopped) this.timer = setTimeout(() => this.tick(), this.o.retryPeriodMs);
    });
  }

  private setLeading(v: boolean): void {
    if (v === this.leading) return;
    this.leading = v;
    if (v) this.o.onStartedLeading();
    else this.o.onStoppedLeading();
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const now = new V1MicroTime(Date.now());
    const { namespace, name, identity } = this.o;
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (e) {
      if (!(e instanceof ApiException) || e.code !== 404) throw e;
      await this.api.createNamespacedLease({
        namespace,
        body: {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace },
          spec: { holderIdentity: identity, leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000), acquireTime: now, renewTime: now, leaseTransitions: 0 },
        },
      });
      return true;
    }
    const spec = lease.spec ?? {};
    const key = `${spec.holderIdentity ?? ""}|${String(spec.renewTime ?? "")}|${lease.metadata?.resourceVersion ?? ""}`;
    if (key !== this.observedKey) {
      this.observedKey = key;
      this.observedAt = Date.now();
    }
    const holder = spec.holderIdentity ?? "";
    const durationMs = (spec.leaseDurationSeconds ?? Math.ceil(this.o.leaseDurationMs / 1000)) * 1000;
    const iHold = holder === identity;
    if (!iHold && holder !== "" && this.observedAt + durationMs > Date.now()) return false;
    const body: V1Lease = {
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(this.o.leaseDurationMs / 1000),
        renewTime: now,
        acquireTime: iHold ? asMicro(spec.acquireTime) ?? now : now,
        leaseTransitions: iHold ? spec.leaseTransitions ?? 0 : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    try {
      await this.api.replaceNamespacedLease({ name, namespace, body });
    } catch (e) {
      if (e instanceof ApiException && e.code === 409) return false;
      throw e;
    }
    return true;
  }

  private async release(): Promise<void> {
    const { namespace, name, identity } = this.o;
    const lease = await this.api.readNamespacedLease({ name, namespace });
    if (lease.spec?.holderIdentity !== identity) return;
    const now = new V1MicroTime(Date.now());
    await this.api.replaceNamespacedLease({
      name,
      namespace,
      body: { ...lease, spec: { ...lease.spec, holderIdentity: "", leaseDurationSeconds: 1, renewTime: now, acquireTime: asMicro(lease.spec.acquireTime) ?? now } },
    });
  }
}

/** The client reads MicroTime fields back as strings; they must go out again as V1MicroTime (6 fraction digits). */
function asMicro(v: unknown): V1MicroTime | undefined {
  if (v === undefined || v === null) return undefined;
  const d = new V1MicroTime(typeof v === "string" || typeof v === "number" ? v : (v as Date).getTime());
  return Number.isNaN(d.getTime()) ? undefined : d;
}
