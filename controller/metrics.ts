// A small Prometheus registry (text exposition format 0.0.4): counters and gauges with labels.

type Labels = Record<string, string>;

class Metric {
  readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(readonly name: string, readonly help: string, readonly type: "counter" | "gauge") {}
  private key(labels: Labels): string {
    return JSON.stringify(Object.entries(labels).sort());
  }
  inc(labels: Labels = {}, by = 1): void {
    const k = this.key(labels);
    const cur = this.values.get(k);
    if (cur) cur.value += by;
    else this.values.set(k, { labels, value: by });
  }
  set(labels: Labels, value: number): void {
    this.values.set(this.key(labels), { labels, value });
  }
  reset(): void {
    this.values.clear();
  }
  get(labels: Labels = {}): number {
    return this.values.get(this.key(labels))?.value ?? 0;
  }
}

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');

export class Registry {
  private readonly metrics: Metric[] = [];
  counter(name: string, help: string): Metric {
    const m = new Metric(name, help, "counter");
    this.metrics.push(m);
    return m;
  }
  gauge(name: string, help: string): Metric {
    const m = new Metric(name, help, "gauge");
    this.metrics.push(m);
    return m;
  }
  render(): string {
    const out: string[] = [];
    for (const m of this.metrics) {
      out.push(`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`);
      for (const { labels, value } of m.values.values()) {
        const l = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`).join(",");
        out.push(`${m.name}${l ? `{${l}}` : ""} ${Number.isFinite(value) ? value : 0}`);
      }
    }
    return out.join("\n") + "\n";
  }
}

export function controllerMetrics(r = new Registry()) {
  return {
    registry: r,
    isLeader: r.gauge("waf_controller_is_leader", "1 when this replica holds the leader Lease"),
    services: r.gauge("waf_controller_services", "Annotated services by WAF status"),
    reconciles: r.counter("waf_controller_reconciles_total", "Reconcile passes by result"),
    writes: r.counter("waf_controller_api_writes_total", "Writes to the Kubernetes API by kind and result"),
    compiles: r.counter("waf_controller_ruleset_compiles_total", "Rule-set compilations by result"),
    ruleSetInfo: r.gauge("waf_controller_ruleset_info", "The rule set in force (value 1)"),
    ruleSetRequests: r.counter("waf_controller_ruleset_requests_total", "Rule-set and settings downloads by path and code"),
    watchRestarts: r.counter("waf_controller_watch_restarts_total", "Watches restarted after an error, by resource"),
  };
}
export type ControllerMetrics = ReturnType<typeof controllerMetrics>;
