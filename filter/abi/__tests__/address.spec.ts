// as-pect unit tests of portOfAddress: the port is taken from Envoy's printed IPv4 / IPv6 socket address forms only;
// anything else (-1) makes the filter ask the host for the port property instead.
import { hostOfAddress, portOfAddress } from "../address";

describe("portOfAddress", () => {
  it("reads the port of IPv4 and bracketed IPv6 addresses", () => {
    expect(portOfAddress("10.0.0.1:8080")).toBe(8080);
    expect(portOfAddress("127.0.0.1:0")).toBe(0);
    expect(portOfAddress("1.2.3.4:65535")).toBe(65535);
    expect(portOfAddress("[::1]:443")).toBe(443);
    expect(portOfAddress("[2001:db8::7]:50000")).toBe(50000);
  });
  it("gives up (-1) on anything else", () => {
    expect(portOfAddress("")).toBe(-1);
    expect(portOfAddress("10.0.0.1")).toBe(-1);
    expect(portOfAddress("10.0.0.1:")).toBe(-1);
    expect(portOfAddress(":80")).toBe(-1);
    expect(portOfAddress("1.2.3.4:65536")).toBe(-1);
    expect(portOfAddress("1.2.3.4:123456")).toBe(-1);
    expect(portOfAddress("1.2.3.4:8a")).toBe(-1);
    expect(portOfAddress("/tmp/envoy.sock:80")).toBe(-1);
    expect(portOfAddress("envoy://internal:80")).toBe(-1);
    expect(portOfAddress("localhost:80")).toBe(-1);
    expect(portOfAddress("::1")).toBe(-1);
    expect(portOfAddress("[::1]")).toBe(-1);
    expect(portOfAddress("[::1]80")).toBe(-1);
  });
});

describe("hostOfAddress", () => {
  it("takes the address part of IPv4 and bracketed IPv6 addresses", () => {
    expect(hostOfAddress("10.0.0.1:8080")).toBe("10.0.0.1");
    expect(hostOfAddress("[2001:db8::7]:50000")).toBe("2001:db8::7");
    expect(hostOfAddress("[::1]")).toBe("::1");
  });
  it("returns anything else as it is", () => {
    expect(hostOfAddress("10.0.0.1")).toBe("10.0.0.1");
    expect(hostOfAddress("::1")).toBe("::1");
    expect(hostOfAddress("/tmp/envoy.sock")).toBe("/tmp/envoy.sock");
    expect(hostOfAddress("")).toBe("");
  });
});
