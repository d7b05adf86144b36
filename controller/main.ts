// Entry point of the controller process: `node waf-controller.mjs [flags]` (flags also from WAF_* environment
// variables, as the Deployment sets them). Exits cleanly on SIGTERM, releasing the Lease.
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { KubeConfig } from "@kubernetes/client-node";
import { DEFAULT_LEASE_NAME, DEFAULT_NAMESPACE, DEFAULT_RULESET_CONFIGMAP } from "./api";
import { WafController } from "./controller";

const { values } = parseArgs({
  options: {
    namespace: { type: "string", default: process.env.WAF_NAMESPACE ?? process.env.POD_NAMESPACE ?? DEFAULT_NAMESPACE },
    "ruleset-configmap": { type: "string", default: process.env.WAF_RULESET_CONFIGMAP ?? DEFAULT_RULESET_CONFIGMAP },
    "default-ruleset-dir": { type: "string", default: process.env.WAF_DEFAULT_RULESET_DIR ?? "/usr/share/workload-waf/ruleset" },
    wasm: { type: "string", default: process.env.WAF_WASM ?? "/usr/share/workload-waf/waf.wasm" },
    listen: { type: "string", default: process.env.WAF_LISTEN ?? "0.0.0.0:8080" },
    identity: { type: "string", default: process.env.POD_NAME ?? hostname() },
    "lease-name": { type: "string", default: DEFAULT_LEASE_NAME },
    "lease-duration": { type: "string", default: "15" },
    "renew-deadline": { type: "string", default: "10" },
    "retry-period": { type: "string", default: "2" },
    "resync-period": { type: "string", default: "300" },
    istio: { type: "boolean", default: process.env.WAF_ISTIO === "true" },
    "controller-url": { type: "string", default: process.env.WAF_CONTROLLER_URL },
    kubeconfig: { type: "string", default: process.env.KUBECONFIG },
  },
});

const kc = new KubeConfig();
if (values.kubeconfig) kc.loadFromFile(values.kubeconfig);
else kc.loadFromDefault();
const [host, port] = (() => {
  const i = values.listen!.lastIndexOf(":");
  return [values.listen!.slice(0, i).replace(/^\[|\]$/g, "") || "0.0.0.0", Number(values.listen!.slice(i + 1))] as const;
})();
const seconds = (v: string | undefined) => Math.round(Number(v) * 1000);
const ns = values.namespace!;

const controller = new WafController({
  kubeConfig: kc,
  namespace: ns,
  ruleSetConfigMap: values["ruleset-configmap"]!,
  defaultRuleSetDir: values["default-ruleset-dir"],
  wasmPath: values.wasm,
  identity: values.identity!,
  listenHost: host,
  listenPort: port,
  leaseName: values["lease-name"]!,
  leaseDurationMs: seconds(values["lease-duration"]),
  renewDeadlineMs: seconds(values["renew-deadline"]),
  retryPeriodMs: seconds(values["retry-period"]),
  resyncPeriodMs: seconds(values["resync-period"]),
  watchRetryMs: 2000,
  istio: values.istio ? { controllerUrl: values["controller-url"] ?? `http://waf-controller.${ns}.svc:${port}` } : undefined,
});
await controller.start();
process.stderr.write(`waf-controller ${values.identity}: serving on ${host}:${controller.port}, namespace ${ns}\n`);
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.once(sig, () => {
    void controller.stop({ releaseLease: true }).then(() => process.exit(0));
  });
}
