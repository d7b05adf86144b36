// Names of workload-waf's Kubernetes API: the ApplicationLayer resource, the Service annotations users set and the
// ones the controller writes, and the defaults. Everything user-visible is spelled here once; controller/README.md
// documents the same names.

export const GROUP = "waf.workload-waf.io";
export const VERSION = "v1";
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = "ApplicationLayer";
export const PLURAL = "applicationlayers";
/** The one ApplicationLayer the controller honours (cluster-scoped). */
export const INSTANCE_NAME = "default";

/** Annotation prefix on Services (mirrors Calico's `applicationlayer.projectcalico.org/waf`). */
export const ANNOTATION_PREFIX = "applicationlayer.workload-waf.io/";
export const Annotations = {
  /** User: `Enabled` | `Disabled`. */
  waf: `${ANNOTATION_PREFIX}waf`,
  /** User overrides of the cluster-wide settings. */
  mode: `${ANNOTATION_PREFIX}waf-mode`,
  paranoiaLevel: `${ANNOTATION_PREFIX}waf-paranoia-level`,
  excludeRuleIds: `${ANNOTATION_PREFIX}waf-exclude-rule-ids`,
  excludeRuleTags: `${ANNOTATION_PREFIX}waf-exclude-rule-tags`,
  /** Controller: `Enabled` | `Disabled` | `Refused`, and why. */
  status: `${ANNOTATION_PREFIX}waf-status`,
  statusReason: `${ANNOTATION_PREFIX}waf-status-reason`,
  /** Controller: "true" when the controller set Felix's TPROXY annotation (so it removes only its own). */
  tproxyManaged: `${ANNOTATION_PREFIX}l7-logging-managed`,
} as const;

/** The annotation Calico Felix honours (exactly "true") to TPROXY a service's traffic to the node's Envoy. */
export const FELIX_TPROXY_ANNOTATION = "projectcalico.org/l7-logging";

export const DEFAULT_NAMESPACE = "workload-waf-system";
export const DEFAULT_RULESET_CONFIGMAP = "modsecurity-ruleset";
export const DEFAULT_LEASE_NAME = "waf-controller";
export const COMPONENT = "waf-controller";

export type OnOff = "Enabled" | "Disabled";
export type Mode = "detect" | "block";
export type FailurePolicy = "FailOpen" | "FailClosed";
export type ServiceWafStatus = "Enabled" | "Disabled" | "Refused";

export interface ApplicationLayerSpec {
  webApplicationFirewall?: OnOff;
  waf?: {
    mode?: Mode;
    paranoiaLevel?: number;
    requestBodyLimitBytes?: number;
    responseBodyLimitBytes?: number;
    failurePolicy?: FailurePolicy;
  };
  logCollection?: {
    collectLogs?: OnOff;
    logIntervalSeconds?: number;
    logRequestsPerInterval?: number;
  };
  envoy?: {
    xffNumTrustedHops?: number;
    useRemoteAddress?: boolean;
  };
}

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

export interface RuleSetError {
  file: string;
  line: number;
  message: string;
}

export interface ServiceStatusEntry {
  namespace: string;
  name: string;
  status: ServiceWafStatus;
  reason?: string;
  mode?: Mode;
  paranoiaLevel?: number;
}

export interface ApplicationLayerStatus {
  state?: "Ready" | "Degraded" | "Disabled";
  observedGeneration?: number;
  conditions?: Condition[];
  ruleSet?: {
    sha256?: string;
    configMap?: string;
    resourceVersion?: string;
    loadedAt?: string;
    rules?: number;
    tableBytes?: number;
    error?: RuleSetError & { resourceVersion?: string };
  };
  protectedServices?: number;
  services?: ServiceStatusEntry[];
}

export interface ApplicationLayer {
  apiVersion: string;
  kind: string;
  metadata: { name: string; generation?: number; resourceVersion?: string; uid?: string; [k: string]: unknown };
  spec?: ApplicationLayerSpec;
  status?: ApplicationLayerStatus;
}

/** Effective cluster-wide WAF settings (the spec with defaults applied). */
export interface EffectiveSettings {
  mode: Mode;
  paranoiaLevel: number;
  requestBodyLimitBytes: number;
  responseBodyLimitBytes: number;
  failurePolicy: FailurePolicy;
  logCollection: { collectLogs: OnOff; logIntervalSeconds: number; logRequestsPerInterval: number };
  envoy: { xffNumTrustedHops: number; useRemoteAddress: boolean };
}

export const DEFAULTS: EffectiveSettings = {
  mode: "detect",
  paranoiaLevel: 1,
  requestBodyLimitBytes: 131072,
  responseBodyLimitBytes: 524288,
  failurePolicy: "FailClosed",
  logCollection: { collectLogs: "Enabled", logIntervalSeconds: 5, logRequestsPerInterval: -1 },
  envoy: { xffNumTrustedHops: 0, useRemoteAddress: false },
};

export function effectiveSettings(spec: ApplicationLayerSpec | undefined): EffectiveSettings {
  const w = spec?.waf ?? {};
  const l = spec?.logCollection ?? {};
  const e = spec?.envoy ?? {};
  return {
    mode: w.mode ?? DEFAULTS.mode,
    paranoiaLevel: w.paranoiaLevel ?? DEFAULTS.paranoiaLevel,
    requestBodyLimitBytes: w.requestBodyLimitBytes ?? DEFAULTS.requestBodyLimitBytes,
    responseBodyLimitBytes: w.responseBodyLimitBytes ?? DEFAULTS.responseBodyLimitBytes,
    failurePolicy: w.failurePolicy ?? DEFAULTS.failurePolicy,
    logCollection: {
      collectLogs: l.collectLogs ?? DEFAULTS.logCollection.collectLogs,
      logIntervalSeconds: l.logIntervalSeconds ?? DEFAULTS.logCollection.logIntervalSeconds,
      logRequestsPerInterval: l.logRequestsPerInterval ?? DEFAULTS.logCollection.logRequestsPerInterval,
    },
    envoy: {
      xffNumTrustedHops: e.xffNumTrustedHops ?? DEFAULTS.envoy.xffNumTrustedHops,
      useRemoteAddress: e.useRemoteAddress ?? DEFAULTS.envoy.useRemoteAddress,
    },
  };
}
