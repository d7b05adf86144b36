// System services the WAF must never be enabled for. Calico only documents this list; we enforce it: redirecting
// the API server, DNS, the CNI's own components or an admission webhook through Envoy can take a cluster down.

const PROTECTED_NAMESPACES: { pattern: RegExp; what: string }[] = [
  { pattern: /^kube-system$/, what: "kube-system" },
  { pattern: /^tigera-/, what: "tigera-*" },
  { pattern: /^calico-/, what: "calico-*" },
  { pattern: /^openshift-/, what: "openshift-*" },
];

const PROTECTED_SERVICES = new Set(["default/kubernetes", "gatekeeper-system/gatekeeper-webhook-service"]);

/** Why namespace/name is a protected system service, or null when the WAF may be enabled for it. */
export function protectedServiceReason(namespace: string, name: string): string | null {
  for (const p of PROTECTED_NAMESPACES) {
    if (p.pattern.test(namespace)) {
      return `namespace ${namespace} is a protected system namespace (${p.what}); the WAF is never enabled there`;
    }
  }
  if (PROTECTED_SERVICES.has(`${namespace}/${name}`)) {
    return `${namespace}/${name} is a protected system service; the WAF is never enabled for it`;
  }
  return null;
}
