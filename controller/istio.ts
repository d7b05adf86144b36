// Second target: an Istio WasmPlugin per enabled service, for meshes where the sidecar (or waypoint) is the Envoy.
// The plugin module comes from the controller by content address (Istio requires the sha256 for http URLs to be
// cached safely), the plugin configuration carries the same per-service settings the node Envoys receive.
import type { V1Service } from "@kubernetes/client-node";
import type { EffectiveSettings } from "./api";
import type { PerServiceSettings } from "./service-settings";

export const ISTIO_GROUP = "extensions.istio.io";
export const ISTIO_VERSION = "v1alpha1";
export const ISTIO_PLURAL = "wasmplugins";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "workload-waf";
export const SERVICE_LABEL = "waf.workload-waf.io/service";

export interface WasmPluginInputs {
  service: V1Service;
  settings: PerServiceSettings;
  cluster: EffectiveSettings;
  wasm: { sha256: string };
  ruleSet: { sha256: string } | null;
  /** Base URL of the controller as the mesh reaches it, e.g. http://waf-controller.workload-waf-system.svc:8080 */
  controllerUrl: string;
}

export function wasmPluginName(serviceName: string): string {
  const n = `waf-${serviceName}`;
  return n.length <= 63 ? n : n.slice(0, 63).replace(/-+$/, "");
}

export function renderWasmPlugin(i: WasmPluginInputs): Record<string, unknown> | null {
  const selector = i.service.spec?.selector;
  if (!selector || Object.keys(selector).length === 0) return null; // no pods to select
  const base = i.controllerUrl.replace(/\/+$/, "");
  return {
    apiVersion: `${ISTIO_GROUP}/${ISTIO_VERSION}`,
    kind: "WasmPlugin",
    metadata: {
      name: wasmPluginName(i.service.metadata!.name!),
      namespace: i.service.metadata!.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [SERVICE_LABEL]: i.service.metadata!.name! },
    },
    spec: {
      selector: { matchLabels: { ...selector } },
      url: `${base}/wasm/${i.wasm.sha256}`,
      sha256: i.wasm.sha256,
      imagePullPolicy: "IfNotPresent",
      pluginName: "waf",
      phase: "AUTHN",
      type: "HTTP",
      failStrategy: i.cluster.failurePolicy === "FailOpen" ? "FAIL_OPEN" : "FAIL_CLOSE",
      match: [{ mode: "SERVER" }],
      pluginConfig: filterConfiguration(i.cluster, i.settings, i.ruleSet, base),
    },
  };
}

/** The filter's plugin configuration (the same document the node Envoys' bootstrap passes, plus per-service settings). */
export function filterConfiguration(cluster: EffectiveSettings, svc: PerServiceSettings | null, ruleSet: { sha256: string } | null, controllerUrl: string): Record<string, unknown> {
  return {
    mode: svc?.mode ?? cluster.mode,
    paranoia_level: svc?.paranoiaLevel ?? cluster.paranoiaLevel,
    request_body_limit_bytes: cluster.requestBodyLimitBytes,
    response_body_limit_bytes: cluster.responseBodyLimitBytes,
    exclude_rule_ids: (svc?.excludeRuleIds ?? []).map((r) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`)),
    exclude_rule_tags: svc?.excludeRuleTags ?? [],
    ruleset: { url: `${controllerUrl}/rulesets/${ruleSet ? ruleSet.sha256 : "current"}`, sha256: ruleSet?.sha256 ?? "" },
    log_collection: cluster.logCollection,
  };
}
