// Which original destinations the node's Envoy sees for one enabled Service, as the keys of the settings document
// (GET /settings → destinations). The filter looks up Envoy's `destination.address` property (the intercepted
// socket's original destination, "ip:port" / "[v6]:port") exactly, then "*:<port>":
//  - "<ClusterIP>:<port>" for every ClusterIP (dual stack: each family) and TCP port — listener 16001 when the
//    client's node has not translated the service address yet;
//  - "<pod IP>:<targetPort>" for every endpoint of the service's EndpointSlices — Felix also TPROXYs traffic to
//    the backing pods (kube-proxy may have DNATed the ClusterIP before the packet reaches the TPROXY rule, and
//    clients may call pod IPs directly);
//  - "*:<nodePort>" — listener 16002: the node address the client used is any of the node's addresses.
// Pure: the controller feeds it the cache contents, the tests call it directly.
import type { V1EndpointSlice, V1Service } from "@kubernetes/client-node";

/** The label EndpointSlices carry naming the Service they belong to (set by the EndpointSlice controller). */
export const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

export interface DestinationKey {
  /** "ip:port", "[ipv6]:port" or "*:port". */
  key: string;
  /** The service port's name, or its number when unnamed. */
  port: string;
  kind: "clusterIP" | "endpoint" | "nodePort";
}

export function hostPort(ip: string, port: number): string {
  return `${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
}

/** The EndpointSlices of `svc` among `slices` (same namespace, the service-name label). */
export function slicesOf(svc: V1Service, slices: readonly V1EndpointSlice[]): V1EndpointSlice[] {
  const ns = svc.metadata?.namespace;
  const name = svc.metadata?.name;
  return slices.filter((s) => s.metadata?.namespace === ns && s.metadata?.labels?.[SERVICE_NAME_LABEL] === name);
}

export function destinationKeys(svc: V1Service, slices: readonly V1EndpointSlice[]): DestinationKey[] {
  const out: DestinationKey[] = [];
  const seen = new Set<string>();
  const add = (key: string, port: string, kind: DestinationKey["kind"]) => {
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ key, port, kind });
  };
  const clusterIPs = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  const tcpPorts = (svc.spec?.ports ?? []).filter((p) => (p.protocol ?? "TCP") === "TCP");
  for (const p of tcpPorts) {
    const name = p.name ?? String(p.port);
    for (const ip of clusterIPs) if (ip !== "None") add(hostPort(ip, p.port), name, "clusterIP");
    if (p.nodePort) add(`*:${p.nodePort}`, name, "nodePort");
  }
  // An EndpointSlice port carries the service port's name ("" when the service has a single unnamed port) and the
  // resolved target port number; that name is how it is tied back to the service port.
  for (const slice of slicesOf(svc, slices)) {
    if (slice.addressType !== "IPv4" && slice.addressType !== "IPv6") continue; // FQDN: nothing to intercept
    for (const sp of slice.ports ?? []) {
      if ((sp.protocol ?? "TCP") !== "TCP" || !sp.port) continue;
      const svcPort = tcpPorts.find((p) => (p.name ?? "") === (sp.name ?? ""));
      if (!svcPort) continue;
      const name = svcPort.name ?? String(svcPort.port);
      // Every address, ready or not: a terminating pod still receives the connections it is draining.
      for (const ep of slice.endpoints ?? []) for (const ip of ep.addresses ?? []) add(hostPort(ip, sp.port), name, "endpoint");
    }
  }
  return out;
}
