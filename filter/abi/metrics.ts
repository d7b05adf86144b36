// One proxy-wasm metric, defined on first use (Envoy: a stat under the plugin's namespace).
import * as imports from "@solo-io/proxy-runtime/assembly/imports";

const OUT_PTR: usize = memory.data(4, 4);

export const enum MetricKind {
  COUNTER = 0,
  GAUGE = 1,
}

export class Metric {
  private id: u32 = 0;
  private defined: bool = false;

  constructor(readonly kind: MetricKind, readonly name: string) {}

  private ensure(): bool {
    if (this.defined) return true;
    const n = String.UTF8.encode(this.name);
    if (imports.proxy_define_metric(<i32>this.kind, changetype<usize>(n), n.byteLength, OUT_PTR) != 0) return false;
    this.id = load<u32>(OUT_PTR);
    this.defined = true;
    return true;
  }

  /** Counter: += n. */
  add(n: i64 = 1): void {
    if (this.ensure()) imports.proxy_increment_metric(this.id, n);
  }

  /** Gauge: = v. */
  set(v: u64): void {
    if (this.ensure()) imports.proxy_record_metric(this.id, v);
  }
}
