// Second target: with --istio the controller keeps one WasmPlugin per enabled service (and removes it on disable).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CoreV1Api, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { Annotations } from "../../controller/api";
import { createApplicationLayer, NS, kubeConfigFor, ruleSetFiles, startController, startFake, waitFor } from "./helpers";

test("a WasmPlugin per enabled service, addressed by the module's sha256, with the service's settings", async () => {
  const f = await startFake();
  f.register({ group: "extensions.istio.io", version: "v1alpha1", plural: "wasmplugins", kind: "WasmPlugin", namespaced: true, statusSubresource: false });
  f.ensureNamespaces("shop");
  const kc = kubeConfigFor(f, "admin");
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "modsecurity-ruleset" }, data: ruleSetFiles() } });
  await createApplicationLayer(kc, { webApplicationFirewall: "Enabled", waf: { failurePolicy: "FailOpen" } });
  await core.createNamespacedService({ namespace: "shop", body: { metadata: { name: "web", annotations: { [Annotations.waf]: "Enabled", [Annotations.mode]: "block" } }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } } });
  const dir = mkdtempSync(join(tmpdir(), "waf-wasm-"));
  writeFileSync(join(dir, "waf.wasm"), "\0asm\x01\0\0\0");
  const c = await startController(f, "ctl", { wasmPath: join(dir, "waf.wasm"), istio: { controllerUrl: "http://waf-controller.workload-waf-system.svc:8080" } });
  try {
    const wp = await waitFor("WasmPlugin", () => f.get("extensions.istio.io", "wasmplugins", "shop", "waf-web"));
    assert.deepEqual(wp.spec.selector, { matchLabels: { app: "web" } });
    assert.match(wp.spec.url, /^http:\/\/waf-controller\.workload-waf-system\.svc:8080\/wasm\/[0-9a-f]{64}$/);
    assert.equal(wp.spec.url.split("/").at(-1), wp.spec.sha256);
    assert.equal(wp.spec.failStrategy, "FAIL_OPEN");
    assert.equal(wp.spec.pluginConfig.mode, "block");
    assert.match(wp.spec.pluginConfig.ruleset.url, /\/rulesets\/[0-9a-f]{64}$/);
    await core.patchNamespacedService({ name: "web", namespace: "shop", body: { metadata: { annotations: { [Annotations.waf]: "Disabled" } } } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch));
    await waitFor("WasmPlugin removed", () => !f.get("extensions.istio.io", "wasmplugins", "shop", "waf-web"));
  } finally {
    await c.stop();
    await f.close();
  }
});
