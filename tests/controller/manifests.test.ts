// The manifests in envoy/ and the Envoy bootstrap, checked against the schemas they must follow: the CRD's own
// openAPIV3Schema (structural rules, defaults, pruning), the Kubernetes API types (client-node's generated models),
// Envoy's API (the .proto files of envoyproxy/data-plane-api as the npm package @grpc/grpc-js-xds ships them), and RBAC checked against
// every request the controller actually makes.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CoreV1Api } from "@kubernetes/client-node";
import { parse } from "yaml";
import { Annotations } from "../../controller/api";
import { DEPLOYED_FILTER_CONFIG, renderFilterConfig } from "../../controller/filter-config";
import { checkStructural, validate } from "./schema/openapi";
import { validateK8sObject } from "./schema/k8s-models";
import { ProtoRegistry } from "./schema/proto";
import { createApplicationLayer, NS, REPO, kubeConfigFor, loadYamlDocs, ruleSetFiles, startController, startFake, waitFor } from "./helpers";

const kustomization = parse(readFileSync(join(REPO, "envoy/kustomization.yaml"), "utf8"));
const all = (kustomization.resources as string[]).flatMap((f) => loadYamlDocs(`envoy/${f}`).map((d) => ({ file: f, doc: d })));
const find = (kind: string, name?: string) => all.map((x) => x.doc).find((d) => d.kind === kind && (!name || d.metadata.name === name));
const crd = loadYamlDocs("envoy/crd.yaml")[0];
const schema = crd.spec.versions[0].schema.openAPIV3Schema;

describe("CRD and ApplicationLayer", () => {
  test("the CRD is a valid CustomResourceDefinition with a structural schema", () => {
    assert.deepEqual(validateK8sObject(crd), []);
    assert.deepEqual(checkStructural(schema), []);
    assert.equal(crd.spec.scope, "Cluster");
    assert.deepEqual(crd.spec.versions[0].subresources, { status: {} });
  });
  test("envoy/applicationlayer.yaml is valid against the CRD; wrong values are rejected", () => {
    const al = loadYamlDocs("envoy/applicationlayer.yaml")[0];
    const r = validate(structuredClone(al), schema);
    assert.deepEqual(r, { errors: [], pruned: [] });
    const bad = validate({ apiVersion: "waf.workload-waf.io/v1", kind: "ApplicationLayer", metadata: { name: "default" }, spec: { webApplicationFirewall: "On", waf: { mode: "enforce", paranoiaLevel: 5, failurePolicy: "Open" }, typo: 1 } }, schema);
    assert.equal(bad.errors.length, 4, bad.errors.join("\n"));
    assert.deepEqual(bad.pruned, ["spec.typo"]);
  });
  test("defaults: an empty spec means the WAF is off, in detection mode, fail closed", () => {
    const o: any = { apiVersion: "waf.workload-waf.io/v1", kind: "ApplicationLayer", metadata: { name: "default" }, spec: {} };
    assert.deepEqual(validate(o, schema).errors, []);
    assert.deepEqual(o.spec, { webApplicationFirewall: "Disabled", waf: { mode: "detect", paranoiaLevel: 1, requestBodyLimitBytes: 131072, responseBodyLimitBytes: 524288, failurePolicy: "FailClosed" } });
  });
});

describe("Kubernetes manifests", () => {
  test("every document of `kubectl apply -k envoy/` matches its Kubernetes API type", () => {
    assert.ok(all.length >= 10);
    for (const { file, doc } of all) assert.deepEqual(validateK8sObject(doc), [], `${file}: ${doc.kind} ${doc.metadata?.name}`);
    for (const g of kustomization.configMapGenerator) for (const f of g.files) assert.ok(existsSync(join(REPO, "envoy", f)), f);
  });

  test("RBAC is least privilege: no wildcards, no cluster-admin, no secrets, services only patched", () => {
    const roles = all.map((x) => x.doc).filter((d) => d.kind === "ClusterRole" || d.kind === "Role");
    for (const r of roles) {
      for (const rule of r.rules) {
        for (const k of ["apiGroups", "resources", "verbs"]) assert.ok(!rule[k].includes("*"), `${r.kind} ${r.metadata.name}: no * in ${k}`);
        assert.ok(!rule.resources.includes("secrets"));
        if (rule.resources.includes("services")) assert.deepEqual(rule.verbs, ["get", "list", "watch", "patch"]);
      }
    }
    for (const b of all.map((x) => x.doc).filter((d) => d.kind.endsWith("Binding"))) assert.notEqual(b.roleRef.name, "cluster-admin");
    const envoySa = find("ServiceAccount", "waf-envoy");
    assert.equal(envoySa.automountServiceAccountToken, false);
  });

  test("RBAC allows every request the controller makes (checked against a recorded run)", async () => {
    const f = await startFake();
    f.ensureNamespaces("shop");
    const kc = kubeConfigFor(f, "admin");
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "modsecurity-ruleset" }, data: { ...ruleSetFiles(), "REQUEST-942-TEST.conf": "SecRule ARGS \"@bogus\" \"id:1\"\n" } } });
    await createApplicationLayer(kc);
    await core.createNamespacedService({ namespace: "shop", body: { metadata: { name: "web", annotations: { [Annotations.waf]: "Enabled" } }, spec: { ports: [{ port: 80 }] } } });
    const c = await startController(f, "ctl");
    try {
      await waitFor("enabled", () => f.get("", "services", "shop", "web")?.metadata.annotations?.[Annotations.status] === "Enabled");
      await waitFor("rule set event", () => f.list("", "events", NS).some((e) => e.reason === "RuleSetRejected"));
      await c.stop();
    } finally {
      await f.close();
    }
    const requests = f.requests.filter((r) => r.token === "ctl");
    assert.ok(requests.length > 5);
    const clusterRole = find("ClusterRole", "workload-waf-controller");
    const role = find("Role", "workload-waf-controller");
    for (const r of requests) {
      const a = toAttributes(r.method, r.path, r.query);
      const ok = allowed(clusterRole.rules, a) || (a.namespace === NS && allowed(role.rules, a));
      assert.ok(ok, `RBAC denies ${a.verb} ${a.group}/${a.resource}${a.subresource ? "/" + a.subresource : ""} ${a.namespace ?? ""}/${a.name ?? ""}`);
    }
  });

  test("the Envoy DaemonSet: host network, every taint tolerated, NET_ADMIN/NET_RAW, probes, resources", () => {
    const ds = find("DaemonSet", "waf-envoy");
    const pod = ds.spec.template.spec;
    assert.equal(pod.hostNetwork, true);
    assert.equal(pod.dnsPolicy, "ClusterFirstWithHostNet");
    assert.deepEqual(pod.tolerations, [{ operator: "Exists" }]);
    const envoy = pod.containers[0];
    for (const cap of ["NET_ADMIN", "NET_RAW"]) assert.ok(envoy.securityContext.capabilities.add.includes(cap));
    assert.ok(envoy.readinessProbe.httpGet && envoy.livenessProbe.httpGet);
    assert.ok(envoy.resources.requests.cpu && envoy.resources.requests.memory && envoy.resources.limits.memory);
    assert.equal(pod.volumes[0].configMap.name, kustomization.configMapGenerator[0].name);
    assert.equal(envoy.args[envoy.args.indexOf("--config-path") + 1], `${envoy.volumeMounts[0].mountPath}/envoy.yaml`);
    const dep = find("Deployment", "waf-controller");
    assert.equal(dep.spec.replicas, 2);
    const ctl = dep.spec.template.spec.containers[0];
    assert.equal(ctl.readinessProbe.httpGet.path, "/readyz");
    assert.equal(ctl.livenessProbe.httpGet.path, "/healthz");
  });
});

describe("Envoy bootstrap (envoy/envoy.yaml) against Envoy's API", () => {
  const api = ProtoRegistry.fromDir(join(REPO, "node_modules/@grpc/grpc-js-xds/deps/envoy-api"));
  // PluginConfig field 9 (Envoy >= 1.35), newer than the definitions @grpc/grpc-js-xds ships.
  api.declareNewerField(".envoy.extensions.wasm.v3.PluginConfig", "allow_on_headers_stop_iteration", "google.protobuf.BoolValue");
  const boot = parse(readFileSync(join(REPO, "envoy/envoy.yaml"), "utf8"));

  test("it is a valid envoy.config.bootstrap.v3.Bootstrap (field names, types, enums, oneofs, Any payloads)", () => {
    assert.ok(api.messages.has(".envoy.config.bootstrap.v3.Bootstrap"));
    assert.deepEqual(api.validate(boot, ".envoy.config.bootstrap.v3.Bootstrap"), []);
  });

  test("the checker does catch mistakes", () => {
    const bad = structuredClone(boot);
    bad.static_resources.listeners[0].transparent = "yes";
    bad.static_resources.clusters[0].type = "ORIGINALDST";
    bad.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config.fail_open = "no";
    bad.static_resources.listeners[0].listener_filters[0].typed_config.bogus = 1;
    const errs = api.validate(bad, ".envoy.config.bootstrap.v3.Bootstrap");
    assert.equal(errs.length, 4, errs.join("\n"));
    assert.ok(errs.some((e) => /config\.fail_open: expected a boolean/.test(e)), errs.join("\n"));
  });

  test("listeners 16001/16002: transparent, original_dst + tls/http inspectors, HTTP → WAF, the rest → tcp_proxy", () => {
    const listeners = boot.static_resources.listeners;
    for (const [name, port] of [["services", 16001], ["node_ports", 16002]] as const) {
      const l = listeners.find((x: any) => x.name === name);
      assert.equal(l.address.socket_address.port_value, port);
      assert.equal(l.transparent, true);
      assert.deepEqual(l.listener_filters.map((x: any) => x.typed_config["@type"].split(".").at(-1)), ["OriginalDst", "TlsInspector", "HttpInspector"]);
      const http = l.filter_chains[0];
      assert.deepEqual(http.filter_chain_match, { transport_protocol: "raw_buffer", application_protocols: ["http/1.0", "http/1.1", "h2c"] });
      const hcm = http.filters[0].typed_config;
      const wasm = hcm.http_filters[0];
      assert.equal(wasm.name, "envoy.filters.http.wasm");
      assert.equal(wasm.typed_config.config.root_id, "waf");
      assert.equal(wasm.typed_config.config.vm_config.runtime, "envoy.wasm.runtime.v8");
      assert.equal(wasm.typed_config.config.fail_open, false, "a filter that traps fails the stream closed");
      assert.equal(wasm.typed_config.config.configuration.value, renderFilterConfig(DEPLOYED_FILTER_CONFIG),
        "the filter configuration is the rendering of controller/filter-config.ts (which tests/reload loads into the filter)");
      const conf = JSON.parse(wasm.typed_config.config.configuration.value);
      assert.ok(boot.static_resources.clusters.some((x: any) => x.name === conf.controller.cluster), "the filter polls a cluster the bootstrap defines");
      assert.equal(hcm.http_filters.at(-1).name, "envoy.filters.http.router");
      assert.equal(hcm.route_config.virtual_hosts[0].routes[0].route.cluster, "original_dst");
      assert.equal(l.default_filter_chain.filters[0].name, "envoy.filters.network.tcp_proxy");
      assert.equal(l.default_filter_chain.filters[0].typed_config.cluster, "original_dst");
    }
    const od = boot.static_resources.clusters.find((x: any) => x.name === "original_dst");
    assert.equal(od.type, "ORIGINAL_DST");
    assert.equal(od.lb_policy, "CLUSTER_PROVIDED");
    assert.equal(od.upstream_bind_config.socket_options[0].int_value, 0x17, "upstream connections carry mark 0x17");
  });

  test("the bootstrap points at the controller Service and the module path the image provides", () => {
    const svc = find("Service", "waf-controller");
    const ctl = boot.static_resources.clusters.find((x: any) => x.name === "waf_controller");
    const addr = ctl.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
    assert.equal(addr.address, `${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`);
    assert.equal(addr.port_value, svc.spec.ports[0].port);
    const filename = boot.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.config.vm_config.code.local.filename;
    assert.match(readFileSync(join(REPO, "envoy/Dockerfile"), "utf8"), new RegExp(`COPY --from=build /src/build/waf\\.wasm ${filename.replace(/\./g, "\\.")}`));
  });
});

interface Attrs { verb: string; group: string; resource: string; subresource?: string; namespace?: string; name?: string }

function toAttributes(method: string, path: string, query: string): Attrs {
  const parts = path.split("/").filter(Boolean);
  let rest: string[];
  let group = "";
  if (parts[0] === "api") rest = parts.slice(2);
  else {
    group = parts[1]!;
    rest = parts.slice(3);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest as [string, string?, string?];
  const watch = /[?&]watch=(true|1)/.test(query);
  const verb = method === "GET" ? (name ? "get" : watch ? "watch" : "list") : method === "POST" ? "create" : method === "PUT" ? "update" : method === "PATCH" ? "patch" : "delete";
  return { verb, group, resource, subresource, namespace, name };
}

function allowed(rules: any[], a: Attrs): boolean {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return rules.some((r) => r.apiGroups.includes(a.group) && r.resources.includes(res) && r.verbs.includes(a.verb) && (!r.resourceNames || (a.name !== undefined && r.resourceNames.includes(a.name))));
}
