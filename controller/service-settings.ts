// What the controller decides for one Service from its annotations and the cluster-wide settings: Enabled (with
// its effective per-service settings), Disabled or Refused (and why). Pure: the reconciler and the CLI share it.
import type { V1Service } from "@kubernetes/client-node";
import { Annotations, type EffectiveSettings, type Mode, type ServiceWafStatus } from "./api";
import { protectedServiceReason } from "./protected";

export interface ServiceDecision {
  status: ServiceWafStatus;
  reason: string;
  /** Set when status is Enabled. */
  settings?: PerServiceSettings;
  /** Override annotations that were ignored (bad values); the service is still protected with the defaults. */
  warnings: string[];
}

export interface PerServiceSettings {
  mode: Mode;
  paranoiaLevel: number;
  excludeRuleIds: { from: number; to: number }[];
  excludeRuleTags: string[];
}

/** True when the service carries any annotation of ours (user's or controller's). */
export function isWafAnnotated(svc: V1Service): boolean {
  const a = svc.metadata?.annotations ?? {};
  return Object.keys(a).some((k) => (Object.values(Annotations) as string[]).includes(k));
}

export function decideService(svc: V1Service, cluster: { enabled: boolean; settings: EffectiveSettings }): ServiceDecision | null {
  const a = svc.metadata?.annotations ?? {};
  const ns = svc.metadata?.namespace ?? "default";
  const name = svc.metadata?.name ?? "";
  const want = a[Annotations.waf];
  if (want === undefined) return null;
  if (want === "Disabled") return { status: "Disabled", reason: "disabled by annotation", warnings: [] };
  if (want !== "Enabled") {
    return { status: "Refused", reason: `annotation ${Annotations.waf} must be "Enabled" or "Disabled", got ${JSON.stringify(want)}`, warnings: [] };
  }
  const prot = protectedServiceReason(ns, name);
  if (prot) return { status: "Refused", reason: prot, warnings: [] };
  const type = svc.spec?.type ?? "ClusterIP";
  if (type === "ExternalName") return { status: "Refused", reason: "ExternalName services carry no traffic through the node; nothing to protect", warnings: [] };
  if (!svc.spec?.clusterIP || svc.spec.clusterIP === "None") {
    return { status: "Refused", reason: "headless services have no ClusterIP for the node's Envoy to intercept", warnings: [] };
  }
  if (!cluster.enabled) {
    return { status: "Disabled", reason: "the WAF is disabled cluster-wide (ApplicationLayer spec.webApplicationFirewall)", warnings: [] };
  }
  const { settings, warnings } = parseOverrides(a, cluster.settings);
  return { status: "Enabled", reason: warnings.length ? `enabled; ignored: ${warnings.join("; ")}` : "enabled by annotation", settings, warnings };
}

export function parseOverrides(a: Record<string, string>, defaults: EffectiveSettings): { settings: PerServiceSettings; warnings: string[] } {
  const warnings: string[] = [];
  const settings: PerServiceSettings = { mode: defaults.mode, paranoiaLevel: defaults.paranoiaLevel, excludeRuleIds: [], excludeRuleTags: [] };
  const mode = a[Annotations.mode];
  if (mode !== undefined) {
    if (mode === "detect" || mode === "block") settings.mode = mode;
    else warnings.push(`${Annotations.mode} must be "detect" or "block", got ${JSON.stringify(mode)}`);
  }
  const pl = a[Annotations.paranoiaLevel];
  if (pl !== undefined) {
    if (/^[1-4]$/.test(pl.trim())) settings.paranoiaLevel = Number(pl.trim());
    else warnings.push(`${Annotations.paranoiaLevel} must be 1, 2, 3 or 4, got ${JSON.stringify(pl)}`);
  }
  const ids = a[Annotations.excludeRuleIds];
  if (ids !== undefined) {
    const r = parseRuleIdList(ids);
    if ("bad" in r) warnings.push(`${Annotations.excludeRuleIds}: ${JSON.stringify(r.bad)} is not a rule id or range (e.g. 942100,920350-920360)`);
    else settings.excludeRuleIds = r.ranges;
  }
  const tags = a[Annotations.excludeRuleTags];
  if (tags !== undefined) settings.excludeRuleTags = tags.split(",").map((t) => t.trim()).filter(Boolean);
  return { settings, warnings };
}

export function parseRuleIdList(text: string): { ranges: { from: number; to: number }[] } | { bad: string } {
  const ranges: { from: number; to: number }[] = [];
  for (const part of text.split(/[,\s]+/).filter(Boolean)) {
    const m = /^(\d{1,9})(?:-(\d{1,9}))?$/.exec(part);
    if (!m) return { bad: part };
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return { bad: part };
    ranges.push({ from, to });
  }
  return { ranges };
}
