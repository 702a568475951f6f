import type { AddressInfo } from "node:net";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { createExpressServer } from "./express-server";

describe("createExpressServer", () => {
  const servers: Array<{ close(): unknown }> = [];
  afterEach(() => servers.splice(0).forEach((server) => server.close()));

  it("hands Express requests and responses that already have its prototypes, and Express still works", async () => {
    const app = express();
    app.get("/echo", (req, res) => {
      res.json({ header: req.get("x-probe"), query: req.query.q });
    });
    const server = createExpressServer(app);
    servers.push(server);
    const arrivals: Array<{ request: boolean; response: boolean }> = [];
    // Before Express sees them: what Node made.
    server.prependListener("request", (req, res) => {
      arrivals.push({
        request: Object.getPrototypeOf(req) === app.request,
        response: Object.getPrototypeOf(res) === app.response,
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;

    const response = await fetch(`http://127.0.0.1:${port}/echo?q=1`, { headers: { "x-probe": "yes" } });

    expect(await response.json()).toEqual({ header: "yes", query: "1" });
    expect(arrivals).toEqual([{ request: true, response: true }]);
  });
});
