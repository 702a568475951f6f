import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import type { Request, RequestHandler, Response } from "express";
import helmet from "helmet";
import { describe, expect, it } from "vitest";
import { helmetOptions, securityHeaders } from "./security";

/** The headers `middleware` leaves on a fresh response that already carries X-Powered-By. */
function headersAfter(middleware: RequestHandler): Record<string, unknown> {
  const req = new IncomingMessage(new Socket());
  const res = new ServerResponse(req);
  res.setHeader("X-Powered-By", "Express");
  middleware(req as Request, res as unknown as Response, (error?: unknown) => {
    if (error) throw error;
  });
  return res.getHeaders();
}

describe("securityHeaders", () => {
  it("sets exactly the headers helmet sets, and removes what it removes", () => {
    const expected = headersAfter(helmet(helmetOptions));
    expect(expected["content-security-policy"]).toContain("connect-src 'self'");
    expect(expected["x-powered-by"]).toBeUndefined();
    expect(headersAfter(securityHeaders())).toEqual(expected);
  });
});
