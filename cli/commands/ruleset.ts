// `waf ruleset apply DIR`: validate and compile a rule-set directory locally (file:line errors before anything is
// sent), then create or replace the rule-set ConfigMap the controller watches. The ConfigMap carries the sources
// (a compiled table does not fit its 1 MiB limit); the controller compiles them again and serves the table.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { Command, Option } from "commander";
import { CoreV1Api, type V1ConfigMap } from "@kubernetes/client-node";
import { DEFAULT_NAMESPACE, DEFAULT_RULESET_CONFIGMAP } from "../../controller/api";
import { compileRuleSet, RuleSetError } from "../../controller/ruleset/compile";
import { apiMessage, format, isNotFound, kubeOptions, loadKubeConfig, type KubeFlags, type Out } from "../../controller/kube";

const CONFIGMAP_LIMIT = 1024 * 1024;

interface ApplyFlags extends KubeFlags {
  namespace: string;
  name: string;
  dryRun: boolean;
}

export function rulesetCommand(out: Out = process.stdout): Command {
  const apply = new Command("apply")
    .description("validate and compile DIR (modsecdefault.conf, crs-setup.conf, CRS *.conf and *.data), then replace the rule-set ConfigMap")
    .argument("<dir>", "directory holding the rule-set files")
    .option("-n, --namespace <ns>", "the controller's namespace, where the ConfigMap lives", DEFAULT_NAMESPACE)
    .option("--name <configmap>", "the rule-set ConfigMap", DEFAULT_RULESET_CONFIGMAP)
    .option("--dry-run", "validate and compile only; change nothing in the cluster", false)
    .addOption(new Option("-o, --output <format>", "print the result as").choices(["json", "yaml"]));
  for (const o of kubeOptions()) apply.addOption(o);
  apply.action(async (dir: string, flags: ApplyFlags) => {
    await applyRuleSet(dir, flags, out);
  });
  return new Command("ruleset").description("manage the WAF rule set the controller distributes").addCommand(apply);
}

export function readRuleSetDir(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  for (const f of readdirSync(dir).sort()) {
    if (f.startsWith(".")) continue;
    const p = join(dir, f);
    if (!statSync(p).isFile()) continue;
    if (!f.endsWith(".conf") && !f.endsWith(".data")) continue; // *.conf.example and other files are not loaded
    files.set(f, readFileSync(p));
  }
  return files;
}

export async function applyRuleSet(dir: string, flags: ApplyFlags, out: Out): Promise<void> {
  const files = readRuleSetDir(dir);
  let compiled;
  try {
    compiled = compileRuleSet(files);
  } catch (e) {
    if (e instanceof RuleSetError) throw new Error(`rule set in ${dir} is invalid, nothing applied:\n${e.errors.map((x) => `  ${join(dir, x.file)}:${x.line}: ${x.message}`).join("\n")}`);
    throw e;
  }
  const data: Record<string, string> = {};
  const binaryData: Record<string, string> = {};
  let size = 0;
  for (const [name, bytes] of files) {
    const text = Buffer.from(bytes).toString("utf8");
    if (Buffer.from(text, "utf8").equals(Buffer.from(bytes))) data[name] = text;
    else binaryData[name] = Buffer.from(bytes).toString("base64");
    size += name.length + (data[name]?.length ?? binaryData[name]!.length);
  }
  if (size > CONFIGMAP_LIMIT) {
    throw new Error(`the rule set is ${size} bytes; a ConfigMap holds at most ${CONFIGMAP_LIMIT} (drop unused CRS files or data files)`);
  }
  const result = { configMap: `${flags.namespace}/${flags.name}`, files: files.size, rules: compiled.summary.rules, sha256: compiled.sha256, tableBytes: compiled.summary.tableBytes, applied: !flags.dryRun, action: "none" };
  if (!flags.dryRun) {
    const kc = loadKubeConfig(flags);
    const core = kc.makeApiClient(CoreV1Api);
    const body: V1ConfigMap = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: flags.name, namespace: flags.namespace, labels: { "app.kubernetes.io/part-of": "workload-waf" } },
      data,
      ...(Object.keys(binaryData).length ? { binaryData } : {}),
    };
    try {
      const cur = await core.readNamespacedConfigMap({ name: flags.name, namespace: flags.namespace });
      body.metadata!.resourceVersion = cur.metadata?.resourceVersion;
      body.metadata!.labels = { ...(cur.metadata?.labels ?? {}), ...body.metadata!.labels };
      await core.replaceNamespacedConfigMap({ name: flags.name, namespace: flags.namespace, body });
      result.action = "replaced";
    } catch (e) {
      if (!isNotFound(e)) throw new Error(`could not replace ConfigMap ${flags.namespace}/${flags.name}: ${apiMessage(e)}`);
      try {
        await core.createNamespacedConfigMap({ namespace: flags.namespace, body });
        result.action = "created";
      } catch (e2) {
        throw new Error(`could not create ConfigMap ${flags.namespace}/${flags.name}: ${apiMessage(e2)}`);
      }
    }
  }
  if (flags.output === "json" || flags.output === "yaml") {
    out.write(format(result, flags.output));
    return;
  }
  out.write(`rule set ${dir}: ${files.size} files, ${compiled.summary.rules} rules, table ${compiled.summary.tableBytes} bytes, sha256 ${compiled.sha256}\n`);
  out.write(flags.dryRun ? "dry run: nothing applied\n" : `configmap/${flags.name} ${result.action} in namespace ${flags.namespace}; the controller compiles it and serves it to the Envoys\n`);
}
