import { describe, expect, it } from "vitest";
import { isLoopback, mayReadMetrics } from "./metrics-access";

const TOKEN = "a-metrics-token-of-some-length";

describe("isLoopback", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.8.9.10", true],
    ["::ffff:127.0.0.1", true],
    ["::1", true],
    ["10.0.0.1", false],
    ["::ffff:10.0.0.1", false],
    ["2001:db8::1", false],
    ["128.0.0.1", false],
    [undefined, false],
  ])("%s → %s", (address, expected) => {
    expect(isLoopback(address)).toBe(expected);
  });
});

describe("mayReadMetrics", () => {
  it.each([
    ["loopback without proxy headers", "127.0.0.1", {}, undefined, true],
    ["loopback through a proxy (X-Forwarded-For)", "127.0.0.1", { "x-forwarded-for": "1.2.3.4" }, undefined, false],
    ["loopback through a proxy (Forwarded)", "::1", { forwarded: "for=1.2.3.4" }, undefined, false],
    ["loopback through a proxy (X-Real-IP)", "127.0.0.1", { "x-real-ip": "1.2.3.4" }, undefined, false],
    ["another host without a token set", "10.0.0.1", { authorization: `Bearer ${TOKEN}` }, undefined, false],
    ["another host with the token", "10.0.0.1", { authorization: `Bearer ${TOKEN}` }, TOKEN, true],
    ["another host with a wrong token", "10.0.0.1", { authorization: `Bearer ${TOKEN}x` }, TOKEN, false],
    ["another host with no token", "10.0.0.1", {}, TOKEN, false],
    [
      "a proxied request with the token",
      "127.0.0.1",
      { "x-forwarded-for": "1.2.3.4", authorization: `bearer ${TOKEN}` },
      TOKEN,
      true,
    ],
  ])("%s", (_case, remoteAddress, headers, token, expected) => {
    expect(mayReadMetrics({ remoteAddress, headers }, token)).toBe(expected);
  });
});
