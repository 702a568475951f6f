import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupConversationId } from "../../shared/protocol";
import type { ConversationPageResponse, GroupSummary, Message } from "../../shared/protocol";
import { collect, connectClient, emitAck, http, newClientId, startServer, waitFor } from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";
import { createGroup, groupPath, newUsers, readHistory } from "./group-helpers";

// PROTOCOL-v2 §4, §5, §6, §9 in a group: replies, reactions, mentions, mention counts and settings follow
// membership and visibleFromSeq as every read and write of a group does.

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000", SEND_RATE_PER_SEC: "1000" });
});
afterAll(() => server.close());

async function sendTo(socket: ClientSocket, conversationId: string, body: string, replyToId?: string) {
  return emitAck(socket, "message:send", { conversationId, clientId: newClientId(), body, replyToId });
}

async function sent(socket: ClientSocket, conversationId: string, body: string, replyToId?: string): Promise<Message> {
  const ack = await sendTo(socket, conversationId, body, replyToId);
  if (!ack.ok) throw new Error(`send failed: ${ack.error.code}`);
  return ack.message;
}

async function summaryOf(user: TestUser, conversationId: string): Promise<GroupSummary | undefined> {
  const res = await http<ConversationPageResponse>(server, "GET", "/api/conversations?limit=50", {
    token: user.token,
  });
  return res.body.conversations.find((c): c is GroupSummary => c.conversationId === conversationId);
}

describe("replies, reactions and mentions in a group", () => {
  it("a reply quotes a visible message of the group; one before the replier's history starts is NOT_FOUND", async () => {
    const [owner, early, late] = await newUsers(server, 3);
    const group = await createGroup(server, owner!, [early!], { history: "joined" });
    const conversationId = groupConversationId(group.id);
    const [o, e] = await Promise.all([connectClient(server, owner!.token), connectClient(server, early!.token)]);
    const before = await sent(o, conversationId, "before the late one joined");
    await http(server, "POST", `${groupPath(group)}/members`, {
      token: owner!.token,
      body: { userIds: [late!.user.id] },
    });
    const l = await connectClient(server, late!.token);

    const reply = await sent(e, conversationId, "agreed", before.id);
    expect(reply).toMatchObject({
      recipientId: null,
      replyTo: { id: before.id, seq: before.seq, senderId: owner!.user.id, excerpt: before.body, deleted: false },
    });
    // The late member's history starts at their joinedSeq: the earlier message is not theirs to quote.
    expect(await sendTo(l, conversationId, "me too", before.id)).toMatchObject({
      ok: false,
      error: { code: "NOT_FOUND" },
    });
    // …but a reply they can read quotes it as everyone sees it.
    const { messages } = await readHistory(server, late!, group);
    expect(messages.find((m) => m.id === reply.id)?.replyTo).toEqual(reply.replyTo);
  });

  it("reactions reach every member once; a former member's reactions are NOT_FOUND and change nothing", async () => {
    const [owner, bob, carol] = await newUsers(server, 3);
    const group = await createGroup(server, owner!, [bob!, carol!]);
    const conversationId = groupConversationId(group.id);
    const o = await connectClient(server, owner!.token);
    const b = await connectClient(server, bob!.token);
    const c = await connectClient(server, carol!.token);
    const message = await sent(o, conversationId, "react to this");
    const updates = [o, b, c].map((socket) => collect(socket, "message:updated"));

    const added = await emitAck(b, "reaction:add", { messageId: message.id, emoji: "🎉" });
    expect(added).toMatchObject({ ok: true, message: { reactions: [{ emoji: "🎉", userIds: [bob!.user.id] }] } });
    // Told before the next message, on every socket: once the next has arrived everywhere, so has it.
    const barrier = newClientId();
    const arrived = [o, b, c].map((socket) => waitFor(socket, "message:new", (m) => m.clientId === barrier));
    await emitAck(o, "message:send", { conversationId, clientId: barrier, body: "barrier" });
    await Promise.all(arrived);
    for (const seen of updates)
      expect(seen.map((m) => m.reactions)).toEqual([[{ emoji: "🎉", userIds: [bob!.user.id] }]]);

    expect(
      (await http(server, "DELETE", `${groupPath(group)}/members/${carol!.user.id}`, { token: owner!.token })).status,
    ).toBe(204);
    for (const event of ["reaction:add", "reaction:remove"] as const) {
      expect(await emitAck(c, event, { messageId: message.id, emoji: "🎉" })).toMatchObject({
        ok: false,
        error: { code: "NOT_FOUND" },
      });
    }
    const { messages } = await readHistory(server, owner!, group);
    expect(messages.find((m) => m.id === message.id)?.reactions).toEqual([{ emoji: "🎉", userIds: [bob!.user.id] }]);
  });

  it("mentions name current members only; mentionCount and the badge follow reads and the notify level", async () => {
    const [owner, bob, carol, outsider] = await newUsers(server, 4);
    const group = await createGroup(server, owner!, [bob!, carol!]);
    const conversationId = groupConversationId(group.id);
    const [o, b] = await Promise.all([connectClient(server, owner!.token), connectClient(server, bob!.token)]);

    const first = await sent(
      o,
      conversationId,
      `@${bob!.user.username} and @${carol!.user.username}, not @${outsider!.user.username}`,
    );
    expect([...first.mentions].sort()).toEqual([bob!.user.id, carol!.user.id].sort());
    await sent(o, conversationId, "nobody mentioned");
    await sent(o, conversationId, `again @${bob!.user.username}`);
    expect(await summaryOf(bob!, conversationId)).toMatchObject({ unreadCount: 3, mentionCount: 2 });

    // Reading up to the first mention leaves one unread mention.
    expect(await emitAck(b, "conversation:receipt", { conversationId, readSeq: first.seq })).toEqual({ ok: true });
    expect(await summaryOf(bob!, conversationId)).toMatchObject({ unreadCount: 2, mentionCount: 1 });
    const totals = async () =>
      (await http<ConversationPageResponse>(server, "GET", "/api/conversations?limit=50", { token: bob!.token })).body
        .totals;
    expect(await totals()).toEqual({ unread: 2, badge: 2 });
    const put = await http(server, "PUT", `/api/conversations/${encodeURIComponent(conversationId)}/settings`, {
      token: bob!.token,
      body: { notify: "mentions" },
    });
    expect(put.status).toBe(200);
    expect(await totals()).toEqual({ unread: 2, badge: 1 });

    // A removed member is no longer mentioned by name.
    await http(server, "DELETE", `${groupPath(group)}/members/${carol!.user.id}`, { token: owner!.token });
    const later = await sent(o, conversationId, `@${carol!.user.username} are you there?`);
    expect(later.mentions).toEqual([]);
  });
});
