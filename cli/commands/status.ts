// `waf status`: which services the WAF protects, as the controller reports it (Service annotations and the
// ApplicationLayer status): namespace, service, Enabled/Disabled/Refused and why, rule-set version, mode.
import { Command } from "commander";
import { CoreV1Api, CustomObjectsApi, type V1Service } from "@kubernetes/client-node";
import { Annotations, GROUP, INSTANCE_NAME, PLURAL, VERSION, effectiveSettings, type ApplicationLayer } from "../../controller/api";
import { isWafAnnotated } from "../../controller/service-settings";
import { apiMessage, format, isNotFound, kubeOptions, loadKubeConfig, outputOption, table, type KubeFlags, type Out } from "../../controller/kube";

export interface StatusRow {
  namespace: string;
  service: string;
  requested: string;
  status: string;
  reason: string;
  ruleSet: string;
  mode: string;
}

export function statusCommand(out: Out = process.stdout): Command {
  const cmd = new Command("status")
    .description("list the services the WAF is enabled, disabled or refused for, with the rule set and mode in force")
    .option("-n, --namespace <ns>", "only this namespace (default: all namespaces)")
    .addOption(outputOption());
  for (const o of kubeOptions()) cmd.addOption(o);
  return cmd.action(async (flags: KubeFlags) => {
    await status(flags, out);
  });
}

export async function status(flags: KubeFlags, out: Out): Promise<void> {
  const kc = loadKubeConfig(flags);
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  let layer: ApplicationLayer | null = null;
  try {
    layer = (await custom.getClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, name: INSTANCE_NAME })) as ApplicationLayer;
  } catch (e) {
    if (!isNotFound(e)) throw new Error(`could not read ApplicationLayer ${INSTANCE_NAME}: ${apiMessage(e)}`);
  }
  let services: V1Service[];
  try {
    services = flags.namespace
      ? (await core.listNamespacedService({ namespace: flags.namespace })).items
      : (await core.listServiceForAllNamespaces()).items;
  } catch (e) {
    throw new Error(`could not list services: ${apiMessage(e)}`);
  }
  const cluster = effectiveSettings(layer?.spec);
  const sha = layer?.status?.ruleSet?.sha256;
  const rows: StatusRow[] = services
    .filter((s) => isWafAnnotated(s) && s.metadata?.annotations?.[Annotations.waf] !== undefined)
    .map((s) => {
      const a = s.metadata!.annotations!;
      const st = a[Annotations.status] ?? "Pending";
      const mode = a[Annotations.mode] === "detect" || a[Annotations.mode] === "block" ? a[Annotations.mode]! : cluster.mode;
      return {
        namespace: s.metadata!.namespace!,
        service: s.metadata!.name!,
        requested: a[Annotations.waf]!,
        status: st,
        reason: a[Annotations.statusReason] ?? (st === "Pending" ? "the controller has not reported yet" : ""),
        ruleSet: st === "Enabled" && sha ? sha.slice(0, 12) : "-",
        mode: st === "Enabled" ? mode : "-",
      };
    })
    .sort((x, y) => (x.namespace + "/" + x.service).localeCompare(y.namespace + "/" + y.service));

  if (flags.output === "json" || flags.output === "yaml") {
    out.write(format({
      applicationLayer: layer
        ? { name: layer.metadata.name, webApplicationFirewall: layer.spec?.webApplicationFirewall ?? "Disabled", state: layer.status?.state ?? "Unknown", ruleSet: layer.status?.ruleSet ?? null, settings: cluster }
        : null,
      services: rows,
    }, flags.output));
    return;
  }
  if (!layer) out.write(`ApplicationLayer "${INSTANCE_NAME}" not found: the WAF is off cluster-wide (create it with spec.webApplicationFirewall: Enabled)\n`);
  else {
    const rs = layer.status?.ruleSet;
    out.write(`WAF ${layer.spec?.webApplicationFirewall ?? "Disabled"} cluster-wide, state ${layer.status?.state ?? "Unknown"}, mode ${cluster.mode}, paranoia level ${cluster.paranoiaLevel}` +
      (rs?.sha256 ? `, rule set ${rs.sha256.slice(0, 12)} (${rs.rules ?? "?"} rules)` : ", no rule set in force") + "\n");
    if (rs?.error) out.write(`rule set refused: ${rs.error.file}:${rs.error.line}: ${rs.error.message}\n`);
  }
  if (rows.length === 0) {
    out.write("no annotated services\n");
    return;
  }
  out.write(table(["NAMESPACE", "SERVICE", "WAF", "RULESET", "MODE", "REASON"], rows.map((r) => [r.namespace, r.service, r.status, r.ruleSet, r.mode, r.reason])));
}
