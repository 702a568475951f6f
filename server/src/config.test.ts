import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { StartupError, loadConfig } from "./config";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof StartupError) return error.problems;
    throw error;
  }
  return [];
}

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: undefined,
      dataDir: resolve("data"),
      logLevel: "info",
      sendRateBurst: 30,
      sendRatePerSec: 5,
      reactionRateBurst: 30,
      reactionRatePerSec: 5,
      reactionsMaxDistinct: 50,
      reactionsMaxPerUser: 20,
      loginMaxFailures: 10,
      groupCreatePerHour: 20,
      redisQueueMax: 10_000,
      corsOrigins: [],
      nodeEnv: "development",
    });
    expect(config.clientDist.endsWith("client/dist")).toBe(true);
  });

  it("reads and converts every variable", () => {
    const config = loadConfig({
      PORT: "8080",
      HOST: "127.0.0.1",
      DATA_DIR: "/tmp/parley",
      CORS_ORIGIN: "http://a.test, http://b.test",
      LOG_LEVEL: "silent",
      SEND_RATE_BURST: "3",
      REACTIONS_MAX_DISTINCT: "4",
      PRESENCE_GRACE_MS: "50",
      GROUP_CREATE_PER_HOUR: "2",
      REDIS_QUEUE_MAX: "500",
      CLIENT_DIST: "/srv/dist",
    });
    expect(config).toMatchObject({
      port: 8080,
      host: "127.0.0.1",
      dataDir: "/tmp/parley",
      corsOrigins: ["http://a.test", "http://b.test"],
      logLevel: "silent",
      sendRateBurst: 3,
      reactionsMaxDistinct: 4,
      presenceGraceMs: 50,
      groupCreatePerHour: 2,
      redisQueueMax: 500,
      clientDist: "/srv/dist",
    });
  });

  it("treats empty variables as unset", () => {
    expect(loadConfig({ PORT: "", LOG_LEVEL: "" })).toMatchObject({ port: 3000, logLevel: "info" });
  });

  it("reports every bad variable on its own line, naming it and its value", () => {
    const problems = problemsOf({ PORT: "http", SEND_RATE_PER_SEC: "0", LOG_LEVEL: "loud", DATABASE_URL: "mysql://x" });
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/^PORT: .*\(got "http"\)$/);
    expect(problems.join("\n")).toMatch(/SEND_RATE_PER_SEC: must be at least 1/);
    expect(problems.join("\n")).toMatch(/LOG_LEVEL: /);
    expect(problems.join("\n")).toMatch(/DATABASE_URL: must start with postgres:\/\//);
  });

  it("rejects out-of-range ports", () => {
    expect(problemsOf({ PORT: "70000" })).toEqual(['PORT: must be at most 65535 (got "70000")']);
  });
});
