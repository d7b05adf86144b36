// `waf disable SERVICE -n NS`: mark a Service Disabled; the controller stops redirecting its traffic.
import { Command, Option } from "commander";
import { kubeOptions, type Out } from "../../controller/kube";
import { setWaf, type SetWafFlags } from "./enable";

export function disableCommand(out: Out = process.stdout): Command {
  const cmd = new Command("disable")
    .description("disable the WAF for a Service (the controller removes the redirect; the annotation stays, set to Disabled)")
    .argument("<service>", "the Service name")
    .option("-n, --namespace <ns>", "the Service's namespace (default: the context's)")
    .option("--wait [seconds]", "wait until the controller reports the service Disabled (default 30 s)")
    .addOption(new Option("-o, --output <format>", "print the resulting status as").choices(["json", "yaml"]));
  for (const o of kubeOptions()) cmd.addOption(o);
  return cmd.action(async (service: string, flags: SetWafFlags) => {
    await setWaf(service, "Disabled", flags, out);
  });
}
