// Plugin metrics, with Envoy's metric-id scheme (source/extensions/common/wasm/wasm.h): the low two
// bits of an id carry the type (counter 0, gauge 1, histogram 2) and ids advance by 4. Defining the
// same name twice yields a new id bound to the same stat, as with Envoy's stats scope. The registry
// belongs to the plugin, so stats survive a VM reload like Envoy's stats store does.
import { MetricType, WasmResult, type WasmResultCode } from "./abi.js";
import type { MetricKind, MetricSnapshot, MetricsView } from "./types.js";

const KINDS: MetricKind[] = ["counter", "gauge", "histogram"];
const MAX_SAMPLES = 1000;

interface Stat {
  name: string;
  type: MetricKind;
  value: bigint;
  samples: number[];
  sum: number;
  count: number;
}

export class MetricsRegistry implements MetricsView {
  private readonly byName = new Map<string, Stat>();
  private readonly byId = new Map<number, Stat>();
  private readonly nextId = [MetricType.Counter, MetricType.Gauge, MetricType.Histogram] as number[];

  define(type: number, name: string): { rc: WasmResultCode; id?: number } {
    const kind = KINDS[type];
    if (kind === undefined) return { rc: WasmResult.BadArgument };
    const key = `${kind}\0${name}`;
    let stat = this.byName.get(key);
    if (!stat) {
      stat = { name, type: kind, value: 0n, samples: [], sum: 0, count: 0 };
      this.byName.set(key, stat);
    }
    const id = (this.nextId[type]! += 4) >>> 0;
    this.byId.set(id, stat);
    return { rc: WasmResult.Ok, id };
  }

  /** Envoy Context::incrementMetric: counters only go up (offset <= 0 → BadArgument); histograms refuse. */
  increment(id: number, offset: bigint): WasmResultCode {
    const type = id & 3;
    const stat = this.byId.get(id);
    if (type === MetricType.Counter) {
      if (!stat) return WasmResult.NotFound;
      if (offset <= 0n) return WasmResult.BadArgument;
      stat.value = BigInt.asUintN(64, stat.value + offset);
      return WasmResult.Ok;
    }
    if (type === MetricType.Gauge) {
      if (!stat) return WasmResult.NotFound;
      stat.value = BigInt.asUintN(64, stat.value + offset);
      return WasmResult.Ok;
    }
    return WasmResult.BadArgument;
  }

  /** Envoy Context::recordMetric: counter add, gauge set, histogram record. */
  record(id: number, value: bigint): WasmResultCode {
    const stat = this.byId.get(id);
    if (!stat) return WasmResult.NotFound;
    if (stat.type === "counter") stat.value = BigInt.asUintN(64, stat.value + value);
    else if (stat.type === "gauge") stat.value = value;
    else {
      const n = Number(value);
      stat.samples.push(n);
      if (stat.samples.length > MAX_SAMPLES) stat.samples.shift();
      stat.sum += n;
      stat.count++;
    }
    return WasmResult.Ok;
  }

  /** Envoy Context::getMetric: histograms cannot be read (BadArgument). */
  read(id: number): { rc: WasmResultCode; value?: bigint } {
    const type = id & 3;
    if (type === MetricType.Histogram || type === 3) return { rc: WasmResult.BadArgument };
    const stat = this.byId.get(id);
    if (!stat) return { rc: WasmResult.NotFound };
    return { rc: WasmResult.Ok, value: stat.value };
  }

  get(name: string): MetricSnapshot | undefined {
    for (const kind of KINDS) {
      const stat = this.byName.get(`${kind}\0${name}`);
      if (stat) return snapshot(stat);
    }
    return undefined;
  }

  list(): MetricSnapshot[] {
    return [...this.byName.values()].map(snapshot);
  }
}

function snapshot(stat: Stat): MetricSnapshot {
  if (stat.type === "histogram") {
    return { name: stat.name, type: stat.type, value: stat.count, samples: [...stat.samples], sum: stat.sum };
  }
  // Gauges are unsigned in the ABI but Envoy gauges can be decremented below zero only by wrapping;
  // report the signed interpretation, which is what a decrementing gauge means.
  const v = stat.type === "gauge" ? BigInt.asIntN(64, stat.value) : stat.value;
  return { name: stat.name, type: stat.type, value: Number(v) };
}
