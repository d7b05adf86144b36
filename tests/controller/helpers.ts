// Shared setup of the controller tests: the fake API server with the CRD from envoy/crd.yaml, kubeconfigs (one bearer
// token per replica, so the server's request log tells who wrote), controllers with short timings, polling.
import { readFileSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig, CustomObjectsApi } from "@kubernetes/client-node";
import { parseAllDocuments } from "yaml";
import { WafController, type ControllerOptions } from "../../controller/controller";
import { FakeApiServer } from "./fake-apiserver/index";

export const REPO = new URL("../../", import.meta.url).pathname;
export const NS = "workload-waf-system";

export function loadYamlDocs(file: string): any[] {
  return parseAllDocuments(readFileSync(join(REPO, file), "utf8")).map((d) => d.toJSON()).filter(Boolean);
}

export async function startFake(): Promise<FakeApiServer> {
  const f = await FakeApiServer.start();
  f.registerCrd(loadYamlDocs("envoy/crd.yaml")[0]);
  f.ensureNamespaces("default", NS, "kube-system");
  return f;
}

export function kubeConfigFor(server: FakeApiServer, token: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "fake", server: server.url, skipTLSVerify: true }],
    users: [{ name: token, token }],
    contexts: [{ name: "fake", cluster: "fake", user: token, namespace: "default" }],
    currentContext: "fake",
  });
  return kc;
}

/** A kubeconfig file for the CLI (--kubeconfig). */
export function kubeConfigFile(server: FakeApiServer, token: string): string {
  const dir = mkdtempSync(join(tmpdir(), "waf-kc-"));
  const file = join(dir, "config");
  writeFileSync(file, kubeConfigFor(server, token).exportConfig());
  return file;
}

export function rulesDir(): string {
  return join(REPO, "rulesets");
}

export function startController(server: FakeApiServer, identity: string, extra: Partial<ControllerOptions> = {}): Promise<WafController> {
  const c = new WafController({
    kubeConfig: kubeConfigFor(server, identity),
    namespace: NS,
    ruleSetConfigMap: "modsecurity-ruleset",
    identity,
    listenHost: "127.0.0.1",
    listenPort: 0,
    leaseName: "waf-controller",
    leaseDurationMs: 1500,
    renewDeadlineMs: 1000,
    retryPeriodMs: 200,
    resyncPeriodMs: 5000,
    watchRetryMs: 100,
    log: process.env.WAF_TEST_LOG ? (m) => process.stderr.write(`[${identity}] ${m}\n`) : () => {},
    ...extra,
  });
  return c.start().then(() => c);
}

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 8000): Promise<NonNullable<T>> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const ruleSetFiles = (): Record<string, string> => ({
  "modsecdefault.conf": readFileSync(join(REPO, "rulesets/modsecdefault.conf"), "utf8"),
  "crs-setup.conf": readFileSync(join(REPO, "rulesets/crs-setup.conf"), "utf8"),
  "REQUEST-942-TEST.conf": 'SecRule ARGS "@rx (?i)union\\s+select" "id:942999,phase:2,deny,status:403,log,msg:\'SQLi test\',tag:\'attack-sqli\'"\n',
});

/** HTTP GET against the controller. */
export async function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

/** Creates the cluster's one ApplicationLayer ("default") with the given spec. */
export function createApplicationLayer(kc: KubeConfig, spec: Record<string, unknown> = { webApplicationFirewall: "Enabled" }): Promise<unknown> {
  return kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: "waf.workload-waf.io", version: "v1", plural: "applicationlayers",
    body: { apiVersion: "waf.workload-waf.io/v1", kind: "ApplicationLayer", metadata: { name: "default" }, spec },
  });
}
