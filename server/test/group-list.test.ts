import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationPageResponse, ConversationSummary, GroupSummary } from "../../shared/protocol";
import { connectClient, emitAck, http, newClientId, sendMessage, startServer } from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";
import { createGroup, groupPath, newUsers } from "./group-helpers";

// GET /api/conversations lists groups (PROTOCOL-v2 §0, §1, §6) in the same order and pages as DMs.

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000" });
});
afterAll(() => server.close());

async function list(user: TestUser, query = ""): Promise<ConversationPageResponse> {
  const res = await http<ConversationPageResponse>(server, "GET", `/api/conversations${query}`, { token: user.token });
  if (res.status !== 200) throw new Error(`list failed: ${res.status}`);
  return res.body;
}

const groupSummary = async (user: TestUser, conversationId: string) =>
  (await list(user)).conversations.find((c) => c.conversationId === conversationId) as GroupSummary | undefined;

async function send(socket: ClientSocket, conversationId: string, body: string) {
  const res = await emitAck(socket, "message:send", { conversationId, clientId: newClientId(), body });
  if (!res.ok) throw new Error(`send failed: ${res.error.code}`);
  return res.message;
}

describe("groups in the conversation list", () => {
  it("a group's summary: the group, its member count, my role, the last message", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!, carol!], { name: "Team" });
    const b = await connectClient(server, bob!.token);
    const last = await send(b, group.conversationId, "hi all");
    expect(await groupSummary(alice!, group.conversationId)).toEqual({
      kind: "group",
      conversationId: group.conversationId,
      group: { id: group.id, name: "Team", memberCount: 3, role: "owner" },
      lastMessage: last,
      unreadCount: 1,
      readSeq: 1,
      mentionCount: 0,
      notify: "all",
      mutedUntil: null,
    });
    expect((await groupSummary(bob!, group.conversationId))!.group.role).toBe("member");
    await http(server, "DELETE", `${groupPath(group)}/members/${carol!.user.id}`, { token: alice!.token });
    expect((await groupSummary(alice!, group.conversationId))!.group.memberCount).toBe(2);
    expect(await groupSummary(carol!, group.conversationId)).toBeUndefined();
  });

  it("unreadCount: text messages above my read watermark, not mine, not deleted, from my joinedSeq", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!], { history: "joined" });
    const [a, b] = await Promise.all([alice!, bob!].map((u) => connectClient(server, u.token)));
    await send(a!, group.conversationId, "before carol");
    await http(server, "POST", `${groupPath(group)}/members`, {
      token: alice!.token,
      body: { userIds: [carol!.user.id] },
    });
    const deleted = await send(a!, group.conversationId, "soon deleted");
    await send(b!, group.conversationId, "from bob");
    const c = await connectClient(server, carol!.token);
    await send(c, group.conversationId, "from carol");
    await http(server, "PATCH", groupPath(group), { token: alice!.token, body: { name: "renamed" } });
    expect(await emitAck(a!, "message:delete", { messageId: deleted.id })).toMatchObject({ ok: true });

    // Carol (joined at 3): bob's only; alice's deleted one, her own and system messages never count.
    expect(await groupSummary(carol!, group.conversationId)).toMatchObject({ unreadCount: 1, readSeq: 3 });
    // Bob (joined at 1): alice's first message; and carol's.
    expect(await groupSummary(bob!, group.conversationId)).toMatchObject({ unreadCount: 2, readSeq: 1 });
    expect(await emitAck(b!, "conversation:receipt", { conversationId: group.conversationId, readSeq: 5 })).toEqual({
      ok: true,
    });
    expect(await groupSummary(bob!, group.conversationId)).toMatchObject({ unreadCount: 1, readSeq: 5 });
    const { totals } = await list(bob!);
    expect(totals).toEqual({ unread: 1, badge: 1 });
  });

  it("orders groups and DMs by last activity and pages through both, each line as in the whole list", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const a = await connectClient(server, alice!.token);
    await sendMessage(a, bob!.user.id, "dm with bob");
    const first = await createGroup(server, alice!, [bob!], { name: "first" });
    await sendMessage(a, carol!.user.id, "dm with carol");
    const second = await createGroup(server, alice!, [carol!], { name: "second" });
    // The first group moves to the top with a message.
    await send(a, first.conversationId, "news");

    const whole = (await list(alice!)).conversations;
    const label = (c: ConversationSummary) => (c.kind === "group" ? c.group.name : c.peer.id);
    expect(whole.map(label)).toEqual(["first", second.name, carol!.user.id, bob!.user.id]);

    const walked: ConversationSummary[] = [];
    let before: string | null = null;
    do {
      const page: ConversationPageResponse = await list(alice!, `?limit=1${before ? `&before=${before}` : ""}`);
      walked.push(...page.conversations);
      before = page.nextBefore;
    } while (before);
    expect(walked).toEqual(whole);
  });
});
