import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { isIPv4 } from "node:net";

const PROXY_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"] as const;

/** 127.0.0.0/8 and ::1, also IPv4-mapped. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  if (isIPv4(v4)) return v4.startsWith("127.");
  return address === "::1" || address === "0:0:0:0:0:0:0:1";
}

const digest = (text: string) => createHash("sha256").update(text).digest();

/**
 * Whether a request may read /metrics: from loopback with no proxy header
 * (a local scraper, not a request a local reverse proxy forwarded), or with
 * `Authorization: Bearer <token>` when a token is set.
 */
export function mayReadMetrics(
  request: { remoteAddress: string | undefined; headers: IncomingHttpHeaders },
  token: string | undefined,
): boolean {
  const { remoteAddress, headers } = request;
  if (isLoopback(remoteAddress) && PROXY_HEADERS.every((name) => headers[name] === undefined)) return true;
  if (token === undefined) return false;
  const offered = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? "")?.[1];
  // Comparing digests keeps the comparison constant-time whatever the lengths.
  return offered !== undefined && timingSafeEqual(digest(offered), digest(token));
}
