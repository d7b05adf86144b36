// `waf enable SERVICE -n NS`: annotate a Service so the controller protects it (and, with flags, override the
// cluster-wide mode, paranoia level and rule exclusions for it). Protected system services are refused here too.
import { Command, InvalidArgumentError, Option } from "commander";
import { CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { Annotations } from "../../controller/api";
import { protectedServiceReason } from "../../controller/protected";
import { parseRuleIdList } from "../../controller/service-settings";
import { apiMessage, format, isNotFound, kubeOptions, loadKubeConfig, namespaceOf, type KubeFlags, type Out } from "../../controller/kube";

export interface SetWafFlags extends KubeFlags {
  mode?: "detect" | "block";
  paranoiaLevel?: string;
  excludeRuleIds?: string;
  excludeRuleTags?: string;
  wait?: string | boolean;
}

export function enableCommand(out: Out = process.stdout): Command {
  const cmd = new Command("enable")
    .description("enable the WAF for a Service (annotates it; the controller redirects its traffic through the node's Envoy)")
    .argument("<service>", "the Service name")
    .option("-n, --namespace <ns>", "the Service's namespace (default: the context's)")
    .addOption(new Option("--mode <mode>", "override the cluster-wide mode for this service").choices(["detect", "block"]))
    .option("--paranoia-level <1-4>", "override the CRS paranoia level for this service", (v) => {
      if (!/^[1-4]$/.test(v)) throw new InvalidArgumentError("expected 1, 2, 3 or 4");
      return v;
    })
    .option("--exclude-rule-ids <ids>", "rule ids or ranges not to run for this service, e.g. 942100,920350-920360", (v) => {
      if ("bad" in parseRuleIdList(v)) throw new InvalidArgumentError("expected ids or ranges such as 942100,920350-920360");
      return v;
    })
    .option("--exclude-rule-tags <tags>", "rule tags not to run for this service, e.g. attack-sqli,paranoia-level/2")
    .option("--wait [seconds]", "wait until the controller reports the service's status (default 30 s)")
    .addOption(new Option("-o, --output <format>", "print the resulting status as").choices(["json", "yaml"]));
  for (const o of kubeOptions()) cmd.addOption(o);
  return cmd.action(async (service: string, flags: SetWafFlags) => {
    await setWaf(service, "Enabled", flags, out);
  });
}

export async function setWaf(service: string, value: "Enabled" | "Disabled", flags: SetWafFlags, out: Out): Promise<void> {
  const kc = loadKubeConfig(flags);
  const ns = namespaceOf(kc, flags);
  if (value === "Enabled") {
    const prot = protectedServiceReason(ns, service);
    if (prot) throw new Error(`refusing to enable the WAF for ${ns}/${service}: ${prot}`);
  }
  const core = kc.makeApiClient(CoreV1Api);
  const annotations: Record<string, string> = { [Annotations.waf]: value };
  if (flags.mode) annotations[Annotations.mode] = flags.mode;
  if (flags.paranoiaLevel) annotations[Annotations.paranoiaLevel] = flags.paranoiaLevel;
  if (flags.excludeRuleIds) annotations[Annotations.excludeRuleIds] = flags.excludeRuleIds;
  if (flags.excludeRuleTags) annotations[Annotations.excludeRuleTags] = flags.excludeRuleTags;
  let svc;
  try {
    svc = await core.patchNamespacedService(
      { name: service, namespace: ns, body: { metadata: { annotations } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  } catch (e) {
    if (isNotFound(e)) throw new Error(`service "${service}" not found in namespace "${ns}"`);
    throw new Error(`could not annotate service ${ns}/${service}: ${apiMessage(e)}`);
  }
  let status = svc.metadata?.annotations?.[Annotations.status];
  let reason = svc.metadata?.annotations?.[Annotations.statusReason];
  if (flags.wait !== undefined) {
    const seconds = flags.wait === true ? 30 : Number(flags.wait);
    const deadline = Date.now() + seconds * 1000;
    // The status the controller writes once it has seen the request.
    const consistent = () =>
      value === "Disabled"
        ? status === "Disabled"
        : status === "Enabled" || status === "Refused" || (status === "Disabled" && (reason ?? "").includes("cluster-wide"));
    while (!consistent()) {
      if (Date.now() > deadline) throw new Error(`the controller did not report a status for ${ns}/${service} within ${seconds} s (is it running?)`);
      await new Promise((r) => setTimeout(r, 200));
      const cur = await core.readNamespacedService({ name: service, namespace: ns });
      status = cur.metadata?.annotations?.[Annotations.status];
      reason = cur.metadata?.annotations?.[Annotations.statusReason];
    }
  }
  if (flags.output === "json" || flags.output === "yaml") {
    out.write(format({ namespace: ns, service, requested: value, status: status ?? "Pending", reason: reason ?? "" }, flags.output));
    return;
  }
  out.write(`service/${service} annotated ${Annotations.waf}=${value} in namespace ${ns}\n`);
  if (flags.wait !== undefined) out.write(`WAF status: ${status}${reason ? ` (${reason})` : ""}\n`);
  if (status === "Refused" && value === "Enabled") throw new Error(`the controller refused ${ns}/${service}: ${reason}`);
}
