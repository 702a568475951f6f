import { LIMITS, conversationIdFor } from "../../../shared/protocol";
import type {
  ChangesResponse,
  ConversationListResponse,
  ConversationPageResponse,
  ConversationSummary,
  JoinResult,
  SettingsResponse,
} from "../../../shared/protocol";
import {
  changesQuerySchema,
  conversationListQuerySchema,
  historyQuerySchema,
  joinSchema,
  listCursorFor,
  pathRefSchema,
  settingsSchema,
} from "../../../shared/schemas";
import type { Store } from "../store";
import type { ConversationSummaryRecord } from "../store/types";
import { notFound } from "../errors";
import { parseInput } from "../validation";
import type { Broadcaster } from "./broadcaster";
import { groupConversationOf, peerIdOf } from "./conversation-ref";
import { presentGroup } from "./groups";
import type { UserDirectory } from "./users";
import type { Visibility } from "./visibility";

/** A mute that has ended is reported as none (docs/protocol.md): a reported `mutedUntil` is in the future or null. */
function withoutEndedMute<T extends { mutedUntil: string | null }>(settings: T, now: string): T {
  return settings.mutedUntil !== null && settings.mutedUntil <= now ? { ...settings, mutedUntil: null } : settings;
}

/** Where a socket's join puts it: the conversation's room, and a DM's peer's presence room. */
export type JoinRooms = {
  enter(conversationId: string, peerId?: string): Promise<void>;
  leave(conversationId: string): Promise<void>;
};

export function createConversations(deps: {
  store: Store;
  users: UserDirectory;
  visibility: Visibility;
  broadcaster: Broadcaster;
}) {
  const { store, users, visibility, broadcaster } = deps;

  /** DM summaries with their peer's presence, looked up at once; group summaries as they are. */
  async function withPresence(summaries: ConversationSummaryRecord[]): Promise<ConversationSummary[]> {
    const dms = summaries.flatMap((summary) => (summary.kind === "dm" ? [summary] : []));
    const peers = new Map((await users.presentAll(dms.map((dm) => dm.peer))).map((peer) => [peer.id, peer]));
    return summaries.map((summary) =>
      summary.kind === "dm" ? { ...summary, peer: peers.get(summary.peer.id)! } : summary,
    );
  }

  /**
   * The conversation a path's `ref` segment names (a peer id or a conversation id) and the first seq the
   * caller sees in it: a DM with a user who exists, or a group the caller is a current member of.
   */
  async function conversationOfPath(selfId: string, ref: string): Promise<{ conversationId: string; fromSeq: number }> {
    const parsed = parseInput(pathRefSchema, ref);
    const group = groupConversationOf(parsed);
    if (group)
      return { conversationId: group, fromSeq: (await visibility.groupMembership(selfId, group)).visibleFromSeq };
    const peerId = peerIdOf(selfId, parsed);
    if (!(await users.exists(peerId))) throw notFound("user");
    return { conversationId: conversationIdFor(selfId, peerId), fromSeq: 1 };
  }

  /** A group's join: as a DM's, from the caller's visibleFromSeq, with the group instead of a peer. */
  async function joinGroup(
    selfId: string,
    conversationId: string,
    cursors: { afterSeq?: number | undefined; sinceRev?: number | undefined },
    rooms: JoinRooms,
  ): Promise<JoinResult> {
    const { groupId, visibleFromSeq } = await visibility.groupMembership(selfId, conversationId);
    await rooms.enter(conversationId);
    const state = await store.getConversationState(conversationId, selfId, selfId);
    // Read after entering the room: a removal committed before it is seen here, one after it takes the
    // socket out of the room again.
    const group = await store.findGroup(groupId);
    const me = group?.members.find((m) => m.user.id === selfId);
    if (!group || !me) {
      await rooms.leave(conversationId);
      throw notFound("conversation");
    }
    const { afterSeq, sinceRev } = cursors;
    const page =
      afterSeq === undefined
        ? await store.listMessages(conversationId, { limit: LIMITS.joinPageSize, fromSeq: visibleFromSeq })
        : await store.listMessages(conversationId, { afterSeq, limit: LIMITS.joinCatchUpMax, fromSeq: visibleFromSeq });
    const changes =
      afterSeq !== undefined && sinceRev !== undefined
        ? await store.listChanges(conversationId, {
            sinceRev,
            uptoSeq: afterSeq,
            limit: LIMITS.changesMax,
            fromSeq: visibleFromSeq,
          })
        : { messages: [], hasMore: false };
    return {
      conversationId,
      group: await presentGroup(users, group),
      messages: page.messages,
      hasMore: page.hasMore,
      readSeq: me.readSeq,
      visibleFromSeq,
      rev: state.rev,
      changed: changes.messages,
      changedHasMore: changes.hasMore,
    };
  }

  return {
    /**
     * GET /api/conversations/:peerId/messages (`ref`: a peer id or a conversation id): a page in ascending
     * seq, as the JSON text of a HistoryResponse (the store writes it); a too large limit is clamped.
     */
    async historyJson(selfId: string, ref: string, query: unknown): Promise<string> {
      const { conversationId, fromSeq } = await conversationOfPath(selfId, ref);
      const { beforeSeq, afterSeq, limit = LIMITS.historyDefaultLimit } = parseInput(historyQuerySchema, query);
      const max = afterSeq !== undefined ? LIMITS.historyAfterMax : LIMITS.historyBeforeMax;
      return store.listMessagesJson(conversationId, { beforeSeq, afterSeq, limit: Math.min(limit, max), fromSeq });
    },

    /** GET /api/conversations/:peerId/changes (`ref` as for history): what was edited or deleted since `sinceRev`. */
    async changes(selfId: string, ref: string, query: unknown): Promise<ChangesResponse> {
      const { conversationId, fromSeq } = await conversationOfPath(selfId, ref);
      const { sinceRev, uptoSeq, limit = LIMITS.changesMax } = parseInput(changesQuerySchema, query);
      return store.listChanges(conversationId, {
        sinceRev,
        uptoSeq,
        limit: Math.min(limit, LIMITS.changesMax),
        fromSeq,
      });
    },
    /**
     * conversation:join. `enterRoom` runs after validation and before the
     * read, so a message committed meanwhile reaches the socket by broadcast
     * if it is not in the page (the client dedupes by id).
     */
    async join(selfId: string, payload: unknown, rooms: JoinRooms): Promise<JoinResult> {
      const { afterSeq, sinceRev, ...ref } = parseInput(joinSchema, payload);
      const group = groupConversationOf(ref);
      if (group) return joinGroup(selfId, group, { afterSeq, sinceRev }, rooms);
      const peerId = peerIdOf(selfId, ref);
      const peer = await users.require(peerId);
      const conversationId = conversationIdFor(selfId, peerId);
      await rooms.enter(conversationId, peerId);
      // The rev is read before the pages: whatever changes after it is either in them or has a higher
      // rev, so a client that rejoins with this rev misses nothing.
      const state = await store.getConversationState(conversationId, selfId, peerId);
      const page =
        afterSeq === undefined
          ? await store.listMessages(conversationId, { limit: LIMITS.joinPageSize })
          : await store.listMessages(conversationId, { afterSeq, limit: LIMITS.joinCatchUpMax });
      const changes =
        afterSeq !== undefined && sinceRev !== undefined
          ? await store.listChanges(conversationId, { sinceRev, uptoSeq: afterSeq, limit: LIMITS.changesMax })
          : { messages: [], hasMore: false };
      return {
        conversationId,
        peer: await users.present(peer),
        messages: page.messages,
        hasMore: page.hasMore,
        readSeq: state.mine.readSeq,
        visibleFromSeq: 1,
        peerReadSeq: state.peer.readSeq,
        peerDeliveredSeq: state.peer.deliveredSeq,
        rev: state.rev,
        changed: changes.messages,
        changedHasMore: changes.hasMore,
      };
    },

    /**
     * GET /api/conversations: those with at least one message, newest activity first. All of them without
     * `limit` and `before`; else one page, and a too large limit is clamped. The totals are over all of them.
     */
    async list(selfId: string, query: unknown): Promise<ConversationListResponse | ConversationPageResponse> {
      const { before, limit } = parseInput(conversationListQuerySchema, query);
      const now = new Date().toISOString();
      const totals = await store.conversationTotals(selfId, now);
      if (before === undefined && limit === undefined) {
        const conversations = await store.listConversations(selfId);
        return { conversations: await withPresence(conversations.map((c) => withoutEndedMute(c, now))), totals };
      }
      const page = await store.listConversationPage(selfId, {
        before,
        limit: Math.min(limit ?? LIMITS.conversationPageDefault, LIMITS.conversationPageMax),
      });
      return {
        conversations: await withPresence(page.conversations.map((c) => withoutEndedMute(c, now))),
        totals,
        hasMore: page.next !== null,
        nextBefore: page.next && listCursorFor(page.next),
      };
    },

    /**
     * PUT /api/conversations/:peerId/settings (`ref` as for history; v2 §9): changes the given fields of
     * the caller's settings of the conversation, which may have no message yet, and tells all their sockets.
     */
    async updateSettings(selfId: string, ref: string, body: unknown): Promise<SettingsResponse> {
      const { conversationId } = await conversationOfPath(selfId, ref);
      const changes = parseInput(settingsSchema, body);
      const stored = await store.updateConversationSettings(selfId, conversationId, changes);
      const settings = { conversationId, ...withoutEndedMute(stored, new Date().toISOString()) };
      broadcaster.settings(selfId, settings);
      return { settings };
    },
  };
}

export type Conversations = ReturnType<typeof createConversations>;
