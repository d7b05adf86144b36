// Client-side helpers shared by the `waf` subcommands that talk to a cluster: kubectl-like kubeconfig/context
// selection, output formats, API error messages.
import { ApiException, KubeConfig } from "@kubernetes/client-node";
import { Option } from "commander";
import { stringify } from "yaml";

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  output?: "json" | "yaml" | "table";
}

export function kubeOptions() {
  return [
    new Option("--kubeconfig <file>", "path to the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)"),
    new Option("--context <name>", "the kubeconfig context to use"),
  ];
}

export function outputOption(): Option {
  return new Option("-o, --output <format>", "output format").choices(["table", "json", "yaml"]).default("table");
}

export function loadKubeConfig(flags: KubeFlags): KubeConfig {
  const kc = new KubeConfig();
  if (flags.kubeconfig) kc.loadFromFile(flags.kubeconfig);
  else kc.loadFromDefault();
  if (flags.context) {
    if (!kc.getContextObject(flags.context)) throw new Error(`context "${flags.context}" does not exist in the kubeconfig`);
    kc.setCurrentContext(flags.context);
  }
  if (!kc.getCurrentCluster()) throw new Error("no cluster in the kubeconfig (set --kubeconfig or KUBECONFIG)");
  return kc;
}

/** The namespace to use: -n, else the context's namespace, else "default" (as kubectl). */
export function namespaceOf(kc: KubeConfig, flags: KubeFlags): string {
  return flags.namespace ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? "default";
}

export function format(value: unknown, output: "json" | "yaml"): string {
  return output === "json" ? JSON.stringify(value, null, 2) + "\n" : stringify(value);
}

export function apiMessage(e: unknown): string {
  if (e instanceof ApiException) {
    try {
      const b = typeof e.body === "string" ? JSON.parse(e.body) : e.body;
      if (b?.message) return `${b.message} (HTTP ${e.code})`;
    } catch {
      /* not JSON */
    }
    return `HTTP ${e.code}`;
  }
  return e instanceof Error ? e.message : String(e);
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiException && e.code === 404;
}

/** A plain-text table with two spaces between columns (kubectl's look). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

export interface Out {
  write(s: string): unknown;
}
