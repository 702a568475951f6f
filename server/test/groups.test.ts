import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupConversationId } from "../../shared/protocol";
import type { AddMembersResponse, ErrorResponse, GroupResponse, Message } from "../../shared/protocol";
import { connectClient, http, newClientId, readTable, registerUser, startServer, waitFor } from "./helpers";
import type { TestServer, TestUser } from "./helpers";
import { createGroup, groupPath, newUsers, readHistory, systemEvents } from "./group-helpers";

// PROTOCOL-v2 §2: groups over HTTP, every change a system message.

const MAX_MEMBERS = 5;
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ SEND_RATE_BURST: "1000", GROUP_MAX_MEMBERS: String(MAX_MEMBERS) });
});
afterAll(() => server.close());

type Answer = GroupResponse & AddMembersResponse & ErrorResponse;
const call = (method: string, path: string, user: TestUser, body?: unknown) =>
  http<Answer>(server, method, path, { token: user.token, ...(body !== undefined && { body }) });

const idsOf = (users: TestUser[]) => users.map((u) => u.user.id);
const memberIds = (res: { body: GroupResponse }) => res.body.group.members.map((m) => m.user.id).sort();

describe("POST /api/groups", () => {
  it("creates a group with a created message at seq 1; self and duplicates ignored; the same clientId again is 200 and the same group", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const body = {
      clientId: newClientId(),
      name: "  Trip planning  ",
      memberIds: [bob!.user.id, alice!.user.id, carol!.user.id, bob!.user.id],
    };
    const created = await call("POST", "/api/groups", alice!, body);
    expect(created.status).toBe(201);
    const { group } = created.body;
    expect(group).toMatchObject({
      conversationId: groupConversationId(group.id),
      name: "Trip planning",
      history: "shared",
      createdBy: alice!.user.id,
    });
    // By joinedSeq, then id.
    expect(group.members.map((m) => [m.user.id, m.role, m.joinedSeq, m.readSeq, m.deliveredSeq])).toEqual(
      [alice!, bob!, carol!]
        .map((u) => [u.user.id, u === alice ? "owner" : "member", 1, 1, 1])
        .sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
    );

    const again = await call("POST", "/api/groups", alice!, { ...body, name: "another name", memberIds: [] });
    expect(again.status).toBe(200);
    expect(again.body.group).toEqual(group);

    const { messages } = await readHistory(server, bob!, group);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      seq: 1,
      kind: "system",
      body: "",
      clientId: "",
      senderId: alice!.user.id,
      recipientId: null,
      system: { action: "created", userIds: [alice!.user.id, bob!.user.id, carol!.user.id] },
    });
  });

  it("the same clientId sent at once several times creates one group", async () => {
    const [alice, bob] = await newUsers(server, 2);
    const body = { clientId: newClientId(), name: "once", memberIds: [bob!.user.id] };
    const answers = await Promise.all(Array.from({ length: 5 }, () => call("POST", "/api/groups", alice!, body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.group.id)).size).toBe(1);
    const rows = (await readTable(server, "groups")).filter((g) => g.created_by === alice!.user.id);
    expect(rows).toHaveLength(1);
  });

  it("[] makes a group of one; history 'joined' is kept; another creator's same clientId is another group", async () => {
    const [alice, bob] = await newUsers(server, 2);
    const clientId = newClientId();
    const alone = await call("POST", "/api/groups", alice!, {
      clientId,
      name: "notes",
      memberIds: [],
      history: "joined",
    });
    expect(alone.status).toBe(201);
    expect(alone.body.group).toMatchObject({ history: "joined", members: [{ role: "owner", joinedSeq: 1 }] });
    const other = await call("POST", "/api/groups", bob!, { clientId, name: "notes" });
    expect(other.status).toBe(201);
    expect(other.body.group.id).not.toBe(alone.body.group.id);
  });

  it("an unknown member is 404 and too many members 409 LIMIT_REACHED, and neither creates anything", async () => {
    const [alice, ...others] = await newUsers(server, MAX_MEMBERS);
    const unknown = await call("POST", "/api/groups", alice!, {
      clientId: newClientId(),
      name: "x",
      memberIds: [others[0]!.user.id, "no-such-user"],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("NOT_FOUND");
    const tooMany = await call("POST", "/api/groups", alice!, {
      clientId: newClientId(),
      name: "x",
      memberIds: [...idsOf(others), (await registerUser(server)).user.id],
    });
    expect(tooMany.status).toBe(409);
    expect(tooMany.body.error.code).toBe("LIMIT_REACHED");
    const groups = await readTable(server, "groups");
    expect(groups.filter((g) => g.created_by === alice!.user.id)).toEqual([]);
    // Exactly the maximum is fine.
    expect(
      (await call("POST", "/api/groups", alice!, { clientId: newClientId(), name: "x", memberIds: idsOf(others) }))
        .status,
    ).toBe(201);
  });

  it.each([
    ["an empty name", { name: "   " }],
    ["a name of 65 characters", { name: "x".repeat(65) }],
    ["a control character", { name: "a\u0007b" }],
    ["a bad clientId", { clientId: "short" }],
    ["a bad history", { history: "all" }],
    ["a malformed member id", { memberIds: ["a:b"] }],
  ])("refuses %s with 400 VALIDATION", async (_name, override) => {
    const alice = await registerUser(server);
    const res = await call("POST", "/api/groups", alice, { clientId: newClientId(), name: "ok", ...override });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION");
  });

  it("allows 20 creations an hour per user, then 429 RATE_LIMITED with retryAfterMs; a retry of a stored clientId still answers", async () => {
    const [alice, bob] = await newUsers(server, 2);
    const first = { clientId: newClientId(), name: "first" };
    expect((await call("POST", "/api/groups", alice!, first)).status).toBe(201);
    for (let i = 1; i < 20; i++)
      expect((await call("POST", "/api/groups", alice!, { clientId: newClientId(), name: `g${i}` })).status).toBe(201);
    const limited = await call("POST", "/api/groups", alice!, { clientId: newClientId(), name: "one more" });
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: "RATE_LIMITED", retryAfterMs: expect.any(Number) });
    expect((await call("POST", "/api/groups", alice!, first)).status).toBe(200);
    // Per user.
    expect((await call("POST", "/api/groups", bob!, { clientId: newClientId(), name: "mine" })).status).toBe(201);
  });

  it("takes its hourly limit from GROUP_CREATE_PER_HOUR", async () => {
    const strict = await startServer({ GROUP_CREATE_PER_HOUR: "2" });
    try {
      const carol = await registerUser(strict);
      const create = (name: string) =>
        http<{ error: { code: string } }>(strict, "POST", "/api/groups", {
          token: carol.token,
          body: { clientId: newClientId(), name },
        });
      expect((await create("one")).status).toBe(201);
      expect((await create("two")).status).toBe(201);
      const limited = await create("three");
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe("RATE_LIMITED");
    } finally {
      await strict.close();
    }
  });
});

describe("a group's members and owners", () => {
  it("GET: members 200; non-members, unknown and malformed ids 404 alike", async () => {
    const [alice, bob, stranger] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!]);
    expect((await call("GET", groupPath(group), bob!)).body.group).toMatchObject({ id: group.id });
    const answers = await Promise.all([
      call("GET", groupPath(group), stranger!),
      call("GET", "/api/groups/no-such-group", alice!),
      call("GET", "/api/groups/a%3Ab", alice!),
    ]);
    for (const res of answers)
      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 404,
        error: { code: "NOT_FOUND", message: "group not found" },
      });
  });

  it("rename: owners only (403 for members, 404 for strangers); the same name writes no message", async () => {
    const [alice, bob, stranger] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!], { name: "old" });
    expect((await call("PATCH", groupPath(group), bob!, { name: "new" })).status).toBe(403);
    expect((await call("PATCH", groupPath(group), stranger!, { name: "new" })).status).toBe(404);
    expect((await call("PATCH", groupPath(group), alice!, { name: "" })).status).toBe(400);
    const renamed = await call("PATCH", groupPath(group), alice!, { name: " new " });
    expect(renamed.status).toBe(200);
    expect(renamed.body.group.name).toBe("new");
    expect((await call("PATCH", groupPath(group), alice!, { name: "new" })).status).toBe(200);
    const { messages } = await readHistory(server, bob!, group);
    expect(systemEvents(messages).map(({ action, name }) => [action, name])).toEqual([
      ["created", "old"],
      ["renamed", "new"],
    ]);
  });

  it("add: skips members, returns who was added; an unknown user 404 and too many 409 add nobody", async () => {
    const [alice, bob, carol, dave, erin, frank] = await newUsers(server, 6);
    const group = await createGroup(server, alice!, [bob!]);
    const path = `${groupPath(group)}/members`;
    expect((await call("POST", path, bob!, { userIds: [carol!.user.id] })).status).toBe(403);
    expect((await call("POST", path, alice!, { userIds: [] })).status).toBe(400);
    expect((await call("POST", path, alice!, { userIds: Array(101).fill(carol!.user.id) })).status).toBe(400);
    const unknown = await call("POST", path, alice!, { userIds: [carol!.user.id, "no-such-user"] });
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "NOT_FOUND"]);
    const tooMany = await call("POST", path, alice!, { userIds: idsOf([carol!, dave!, erin!, frank!]) });
    expect([tooMany.status, tooMany.body.error.code]).toEqual([409, "LIMIT_REACHED"]);
    expect(memberIds(await call("GET", groupPath(group), alice!))).toEqual(idsOf([alice!, bob!]).sort());

    const added = await call("POST", path, alice!, { userIds: idsOf([bob!, carol!, carol!, alice!]) });
    expect(added.status).toBe(200);
    expect(added.body.added).toEqual([carol!.user.id]);
    expect(added.body.group.members.find((m) => m.user.id === carol!.user.id)).toMatchObject({
      role: "member",
      joinedSeq: 2,
      readSeq: 2,
      deliveredSeq: 2,
    });
    const none = await call("POST", path, alice!, { userIds: [carol!.user.id] });
    expect(none.body.added).toEqual([]);
    const { messages } = await readHistory(server, carol!, group);
    expect(systemEvents(messages)).toEqual([
      expect.objectContaining({ seq: 1, action: "created" }),
      { seq: 2, senderId: alice!.user.id, action: "added", userIds: [carol!.user.id] },
    ]);
  });

  it("roles: owners set them; demoting the last owner is 400 VALIDATION; the role it has already writes nothing", async () => {
    const [alice, bob, stranger] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!]);
    const member = (user: TestUser) => `${groupPath(group)}/members/${user.user.id}`;
    expect((await call("PUT", member(bob!), bob!, { role: "owner" })).status).toBe(403);
    expect((await call("PUT", member(bob!), stranger!, { role: "owner" })).status).toBe(404);
    expect((await call("PUT", member(stranger!), alice!, { role: "owner" })).status).toBe(404);
    expect((await call("PUT", member(bob!), alice!, { role: "admin" })).status).toBe(400);
    const demoted = await call("PUT", member(alice!), alice!, { role: "member" });
    expect([demoted.status, demoted.body.error.code]).toEqual([400, "VALIDATION"]);

    expect((await call("PUT", member(bob!), alice!, { role: "owner" })).status).toBe(200);
    expect((await call("PUT", member(bob!), alice!, { role: "owner" })).status).toBe(200);
    const selfDemoted = await call("PUT", member(alice!), alice!, { role: "member" });
    expect(Object.fromEntries(selfDemoted.body.group.members.map((m) => [m.user.id, m.role]))).toEqual({
      [alice!.user.id]: "member",
      [bob!.user.id]: "owner",
    });
    const { messages } = await readHistory(server, bob!, group);
    expect(systemEvents(messages).slice(1)).toEqual([
      { seq: 2, senderId: alice!.user.id, action: "role", userIds: [bob!.user.id], role: "owner" },
      { seq: 3, senderId: alice!.user.id, action: "role", userIds: [alice!.user.id], role: "member" },
    ]);
  });

  it("remove: owners only; removing oneself is leaving; the removed get 404 from then on", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const group = await createGroup(server, alice!, [bob!, carol!]);
    const member = (user: TestUser) => `${groupPath(group)}/members/${user.user.id}`;
    expect((await call("DELETE", member(carol!), bob!)).status).toBe(403);
    expect((await call("DELETE", member(carol!), alice!)).status).toBe(204);
    expect((await call("DELETE", member(carol!), alice!)).status).toBe(404);
    expect((await call("GET", groupPath(group), carol!)).status).toBe(404);
    expect((await call("DELETE", member(bob!), bob!)).status).toBe(204);
    expect((await call("GET", groupPath(group), bob!)).status).toBe(404);
    const { messages } = await readHistory(server, alice!, group);
    expect(systemEvents(messages).slice(1)).toEqual([
      { seq: 2, senderId: alice!.user.id, action: "removed", userIds: [carol!.user.id] },
      { seq: 3, senderId: bob!.user.id, action: "left", userIds: [bob!.user.id] },
    ]);
    expect(memberIds(await call("GET", groupPath(group), alice!))).toEqual([alice!.user.id]);
  });

  it("the last owner leaving makes the member who joined first owner (ties: the smallest id): left, then role", async () => {
    const [alice, bob, carol, dave] = await newUsers(server, 4);
    const group = await createGroup(server, alice!, [bob!, carol!]);
    await call("POST", `${groupPath(group)}/members`, alice!, { userIds: [dave!.user.id] });
    const heir = [bob!, carol!].sort((x, y) => (x.user.id < y.user.id ? -1 : 1))[0]!;
    expect((await call("POST", `${groupPath(group)}/leave`, alice!)).status).toBe(204);
    const after = await call("GET", groupPath(group), dave!);
    expect(after.body.group.members.filter((m) => m.role === "owner").map((m) => m.user.id)).toEqual([heir.user.id]);
    const { messages } = await readHistory(server, dave!, group);
    expect(systemEvents(messages).slice(2)).toEqual([
      { seq: 3, senderId: alice!.user.id, action: "left", userIds: [alice!.user.id] },
      { seq: 4, senderId: alice!.user.id, action: "role", userIds: [heir.user.id], role: "owner" },
    ]);
    // Another owner remaining: no promotion.
    await call("PUT", `${groupPath(group)}/members/${dave!.user.id}`, heir, { role: "owner" });
    await call("POST", `${groupPath(group)}/leave`, heir);
    expect(systemEvents((await readHistory(server, dave!, group)).messages).at(-1)).toMatchObject({ action: "left" });
  });

  it("the last member leaving closes the group: 404 for everything, the creator's clientId included", async () => {
    const [alice, bob] = await newUsers(server, 2);
    const clientId = newClientId();
    const created = await call("POST", "/api/groups", alice!, {
      clientId,
      name: "short-lived",
      memberIds: [bob!.user.id],
    });
    const group = created.body.group;
    await call("DELETE", `${groupPath(group)}/members/${bob!.user.id}`, alice!);
    expect((await call("POST", `${groupPath(group)}/leave`, alice!)).status).toBe(204);
    for (const user of [alice!, bob!]) {
      expect((await call("GET", groupPath(group), user)).status).toBe(404);
      expect((await readHistory(server, user, group)).status).toBe(404);
    }
    expect((await call("POST", `${groupPath(group)}/members`, alice!, { userIds: [bob!.user.id] })).status).toBe(404);
    expect((await call("POST", "/api/groups", alice!, { clientId, name: "again" })).status).toBe(404);
    const [row] = (await readTable(server, "groups")).filter((g) => g.id === group.id);
    expect(row!.closed_at).toEqual(expect.any(String));
  });

  it("re-adding a former member starts a new membership: a new joinedSeq, watermarks from it", async () => {
    const [alice, bob] = await newUsers(server, 2);
    const group = await createGroup(server, alice!, [bob!]);
    await call("POST", `${groupPath(group)}/leave`, bob!);
    const readded = await call("POST", `${groupPath(group)}/members`, alice!, { userIds: [bob!.user.id] });
    expect(readded.body.added).toEqual([bob!.user.id]);
    expect(readded.body.group.members.find((m) => m.user.id === bob!.user.id)).toMatchObject({
      role: "member",
      joinedSeq: 3,
      readSeq: 3,
      deliveredSeq: 3,
    });
    const rows = (await readTable(server, "conversation_members")).filter(
      (r) => r.conversation_id === group.conversationId && r.user_id === bob!.user.id,
    );
    expect(rows.map((r) => [Number(r.joined_seq), r.left_seq])).toEqual([[3, null]]);
  });

  it("every change reaches every member's sockets once, and the removed member's too", async () => {
    const [alice, bob, carol] = await newUsers(server, 3);
    const sockets = await Promise.all([alice!, bob!, bob!, carol!].map((u) => connectClient(server, u.token)));
    const seen = sockets.map((socket) => {
      const messages: Message[] = [];
      socket.on("message:new", (m) => messages.push(m));
      return messages;
    });
    const group = await createGroup(server, alice!, [bob!, carol!]);
    const removed = Promise.all(sockets.map((s) => waitFor(s, "message:new", (m) => m.system?.action === "removed")));
    await call("PATCH", groupPath(group), alice!, { name: "renamed" });
    await call("DELETE", `${groupPath(group)}/members/${carol!.user.id}`, alice!);
    await removed;
    const renamedAfter = Promise.all(
      sockets.slice(0, 3).map((s) => waitFor(s, "message:new", (m) => m.system?.name === "again")),
    );
    await call("PATCH", groupPath(group), alice!, { name: "again" });
    await renamedAfter;
    expect(seen.map((messages) => messages.map((m) => m.seq))).toEqual([
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2, 3, 4],
      [1, 2, 3],
    ]);
    expect(seen[1]![0]).toMatchObject({ kind: "system", system: { action: "created" } });
  });
});
