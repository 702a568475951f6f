import type { Request, Response } from "express";
import { describe, expect, it } from "vitest";
import type { Accounts, Session } from "../auth/accounts";
import { AppError } from "../errors";
import { countTurns } from "../lib/turn-counter.testing";
import { createTurns } from "../lib/turns";
import { MAX_WAITING_PER_USER, createAuthed } from "./authed";

// The bearer token names the user; any other header is nobody.
const accounts = {
  authenticate: (token: unknown) =>
    Promise.resolve(
      typeof token === "string"
        ? ({ user: { id: token }, tokenHash: token, expiresAt: 0 } as unknown as Session)
        : null,
    ),
} as unknown as Accounts;
const requestOf = (userId: string) => ({ get: () => `Bearer ${userId}` }) as unknown as Request;
const response = {} as Response;

describe("createAuthed", () => {
  it("runs one request of a user in a turn of the event loop, and others' requests in between", async () => {
    const turns = countTurns();
    const ran: Array<{ what: string; turn: number }> = [];
    const authed = createAuthed(accounts, createTurns());
    const call = (userId: string, what: string) =>
      authed(async () => {
        ran.push({ what, turn: turns.turn() });
        await Promise.resolve();
      })(requestOf(userId), response, () => undefined);

    await Promise.all([call("a", "a1"), call("a", "a2"), call("a", "a3"), call("b", "b1")]);
    turns.stop();

    expect(ran.map((r) => r.what)).toEqual(["a1", "b1", "a2", "a3"]);
    const turnOf = (what: string) => ran.find((r) => r.what === what)!.turn;
    expect(turnOf("b1")).toBe(turnOf("a1"));
    expect(turnOf("a2")).toBeGreaterThan(turnOf("a1"));
    expect(turnOf("a3")).toBeGreaterThan(turnOf("a2"));
  });

  it("refuses a user's requests past the waiting bound with RATE_LIMITED, and not another user's", async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const authed = createAuthed(accounts, createTurns());
    const handled: string[] = [];
    const call = (userId: string) =>
      authed(async () => {
        handled.push(userId);
        await gate;
      })(requestOf(userId), response, () => undefined) as Promise<void>;

    const flood = Array.from({ length: MAX_WAITING_PER_USER + 4 }, () =>
      call("a").then(
        () => "ok",
        (e: unknown) => e,
      ),
    );
    const other = call("b");
    open();
    const outcomes = await Promise.all(flood);
    await other;

    const refused = outcomes.filter((o): o is AppError => o instanceof AppError);
    expect(refused).toHaveLength(3);
    for (const error of refused)
      expect([error.code, error.status, error.retryAfterMs]).toEqual(["RATE_LIMITED", 429, 1000]);
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(MAX_WAITING_PER_USER + 1);
    expect(handled.filter((u) => u === "a")).toHaveLength(MAX_WAITING_PER_USER + 1);
    expect(handled).toContain("b");
  });

  it("answers UNAUTHORIZED without a bearer token", async () => {
    const authed = createAuthed(accounts, createTurns());
    const request = { get: () => undefined } as unknown as Request;
    await expect(authed(() => Promise.resolve())(request, response, () => undefined)).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });
});
