// The parts of a socket address as Envoy prints it (Address::Instance::asString): "1.2.3.4:80" for IPv4,
// "[::1]:80" for IPv6. The `source.port` / `destination.port` properties are that same number
// (address->ip()->port()), so when the address has one of these two forms the port is read from it and the
// property read (a host call, an allocation) is saved. Anything else (a pipe path, an internal address, a
// malformed string) returns -1 and the caller asks the host.

/** The port of an IPv4 "a.b.c.d:port" or IPv6 "[...]:port" address string, or -1 when it is neither. */
export function portOfAddress(addr: string): i32 {
  const n = addr.length;
  let colon = -1;
  if (n > 0 && addr.charCodeAt(0) == 0x5b) {
    // "[v6]:port"
    const close = addr.indexOf("]");
    if (close < 0 || close + 1 >= n || addr.charCodeAt(close + 1) != 0x3a) return -1;
    colon = close + 1;
  } else {
    // "a.b.c.d:port": digits and dots, then one colon
    for (let i = 0; i < n; i++) {
      const c = addr.charCodeAt(i);
      if (c == 0x3a) {
        colon = i;
        break;
      }
      if (c != 0x2e && (c < 0x30 || c > 0x39)) return -1;
    }
    if (colon <= 0) return -1;
  }
  const digits = n - colon - 1;
  if (digits < 1 || digits > 5) return -1;
  let port = 0;
  for (let i = colon + 1; i < n; i++) {
    const c = addr.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    port = port * 10 + (c - 0x30);
  }
  return port <= 0xffff ? port : -1;
}

/** The address part of "1.2.3.4:80" / "[::1]:80" ("1.2.3.4", "::1"); anything else is returned as it is. */
export function hostOfAddress(addr: string): string {
  if (addr.startsWith("[")) {
    const e = addr.indexOf("]");
    return e > 0 ? addr.substring(1, e) : addr;
  }
  const c = addr.lastIndexOf(":");
  return c > 0 && addr.indexOf(":") == c ? addr.substring(0, c) : addr;
}
