import { afterAll, describe, expect, it } from "vitest";
import type { HistoryResponse } from "../../shared/protocol";
import { connectClient, emitAck, http, newClientId, registerUser, sendMessage, startServer } from "./helpers";
import type { TestServer } from "./helpers";

let server: TestServer | undefined;
afterAll(() => server?.close());

describe("a restart on the same data directory", () => {
  it("keeps users, sessions and acked messages; seq and idempotency carry on", async () => {
    const first = await startServer();
    const [alice, bob] = await Promise.all([registerUser(first), registerUser(first)]);
    const socket = await connectClient(first, alice.token);
    const clientId = newClientId();
    const acked = await sendMessage(socket, bob.user.id, "before restart", clientId);
    await first.close({ keepData: true });

    server = await startServer({}, first.dataDir);
    const again = await connectClient(server, alice.token);
    // The retry of a message acked before the restart is still recognised.
    expect(await emitAck(again, "message:send", { peerId: bob.user.id, clientId, body: "before restart" })).toEqual({
      ok: true,
      message: acked,
    });
    const next = await sendMessage(again, bob.user.id, "after restart");
    expect(next.seq).toBe(2);

    const history = await http<HistoryResponse>(server, "GET", `/api/conversations/${alice.user.id}/messages`, {
      token: bob.token,
    });
    expect(history.body.messages.map((m) => m.body)).toEqual(["before restart", "after restart"]);
  });
});
