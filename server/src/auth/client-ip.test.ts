import { describe, expect, it } from "vitest";
import { clientIpKey } from "./client-ip";

describe("clientIpKey", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1"],
    ["::ffff:10.1.2.3", "10.1.2.3"],
    ["::1", "0:0:0:0::/64"],
    ["2001:db8:0:1:aaaa::1", "2001:db8:0:1::/64"],
    ["2001:0db8:0000:0001:ffff:ffff:ffff:ffff", "2001:db8:0:1::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["2001:db8::1:2:3:4:5", "2001:db8:0:1::/64"],
    ["2001:db8:1:2::", "2001:db8:1:2::/64"],
    ["fe80::1%eth0", "fe80:0:0:0::/64"],
    ["64:ff9b::192.0.2.1", "64:ff9b:0:0::/64"],
    [undefined, "unknown"],
  ])("%s → %s", (ip, key) => {
    expect(clientIpKey(ip)).toBe(key);
  });

  it("puts two addresses of one /64 under one key and another /64 under another", () => {
    expect(clientIpKey("2001:db8:0:1::1")).toBe(clientIpKey("2001:db8:0:1:ffff::2"));
    expect(clientIpKey("2001:db8:0:1::1")).not.toBe(clientIpKey("2001:db8:0:2::1"));
  });
});
