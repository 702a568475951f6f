import { groupConversationId } from "../../shared/protocol";
import type { ErrorResponse, Group, GroupResponse, HistoryResponse, Message } from "../../shared/protocol";
import { http, newClientId, registerUser } from "./helpers";
import type { TestServer, TestUser } from "./helpers";

/** POST /api/groups as `owner`, failing the test on anything but 201. */
export async function createGroup(
  server: TestServer,
  owner: TestUser,
  members: TestUser[],
  options: { name?: string; history?: "shared" | "joined" } = {},
): Promise<Group> {
  const res = await http<GroupResponse>(server, "POST", "/api/groups", {
    token: owner.token,
    body: {
      clientId: newClientId(),
      name: options.name ?? "the group",
      memberIds: members.map((m) => m.user.id),
      ...(options.history && { history: options.history }),
    },
  });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.group;
}

/** `count` fresh users. */
export function newUsers(server: TestServer, count: number): Promise<TestUser[]> {
  return Promise.all(Array.from({ length: count }, () => registerUser(server)));
}

export const groupPath = (group: Pick<Group, "id">) => `/api/groups/${group.id}`;
const historyPath = (group: Pick<Group, "id">, query = "") =>
  `/api/conversations/${encodeURIComponent(groupConversationId(group.id))}/messages${query}`;

/** The group's history as `user` reads it over HTTP (status and messages). */
export async function readHistory(
  server: TestServer,
  user: TestUser,
  group: Pick<Group, "id">,
  query = "?afterSeq=0&limit=500",
): Promise<{ status: number; messages: Message[] }> {
  const res = await http<HistoryResponse & ErrorResponse>(server, "GET", historyPath(group, query), {
    token: user.token,
  });
  return { status: res.status, messages: res.body.messages ?? [] };
}

/** The system messages of a history, as (action, userIds, actor) for comparing sequences. */
export const systemEvents = (messages: Message[]) =>
  messages.filter((m) => m.kind === "system").map((m) => ({ seq: m.seq, senderId: m.senderId, ...m.system }));
