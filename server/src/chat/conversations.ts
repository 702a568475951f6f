import { LIMITS, conversationIdFor } from "../../../shared/protocol";
import type {
  ChangesResponse,
  ConversationListResponse,
  ConversationPageResponse,
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
import { peerIdOf } from "./conversation-ref";
import type { UserDirectory } from "./users";

/** A mute that has ended is reported as none (docs/protocol.md): a reported `mutedUntil` is in the future or null. */
function withoutEndedMute<T extends { mutedUntil: string | null }>(settings: T, now: string): T {
  return settings.mutedUntil !== null && settings.mutedUntil <= now ? { ...settings, mutedUntil: null } : settings;
}

export function createConversations(deps: { store: Store; users: UserDirectory; broadcaster: Broadcaster }) {
  const { store, users, broadcaster } = deps;

  async function withPresence(summaries: ConversationSummaryRecord[]) {
    const peers = await users.presentAll(summaries.map((summary) => summary.peer));
    return summaries.map((summary, i) => ({ ...summary, peer: peers[i]! }));
  }

  /** The peer a path's `ref` segment names (a peer id or a conversation id), who must exist. */
  async function peerOfPath(selfId: string, ref: string): Promise<string> {
    const peerId = peerIdOf(selfId, parseInput(pathRefSchema, ref));
    if (!(await users.exists(peerId))) throw notFound("user");
    return peerId;
  }

  return {
    /**
     * GET /api/conversations/:peerId/messages (`ref`: a peer id or a conversation id): a page in ascending
     * seq, as the JSON text of a HistoryResponse (the store writes it); a too large limit is clamped.
     */
    async historyJson(selfId: string, ref: string, query: unknown): Promise<string> {
      const peerId = await peerOfPath(selfId, ref);
      const { beforeSeq, afterSeq, limit = LIMITS.historyDefaultLimit } = parseInput(historyQuerySchema, query);
      const max = afterSeq !== undefined ? LIMITS.historyAfterMax : LIMITS.historyBeforeMax;
      return store.listMessagesJson(conversationIdFor(selfId, peerId), {
        beforeSeq,
        afterSeq,
        limit: Math.min(limit, max),
      });
    },

    /** GET /api/conversations/:peerId/changes (`ref` as for history): what was edited or deleted since `sinceRev`. */
    async changes(selfId: string, ref: string, query: unknown): Promise<ChangesResponse> {
      const peerId = await peerOfPath(selfId, ref);
      const { sinceRev, uptoSeq, limit = LIMITS.changesMax } = parseInput(changesQuerySchema, query);
      return store.listChanges(conversationIdFor(selfId, peerId), {
        sinceRev,
        uptoSeq,
        limit: Math.min(limit, LIMITS.changesMax),
      });
    },
    /**
     * conversation:join. `enterRoom` runs after validation and before the
     * read, so a message committed meanwhile reaches the socket by broadcast
     * if it is not in the page (the client dedupes by id).
     */
    async join(
      selfId: string,
      payload: unknown,
      enterRoom: (conversationId: string, peerId: string) => Promise<void>,
    ): Promise<JoinResult> {
      const { afterSeq, sinceRev, ...ref } = parseInput(joinSchema, payload);
      const peerId = peerIdOf(selfId, ref);
      const peer = await users.require(peerId);
      const conversationId = conversationIdFor(selfId, peerId);
      await enterRoom(conversationId, peerId);
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
      const peerId = await peerOfPath(selfId, ref);
      const changes = parseInput(settingsSchema, body);
      const conversationId = conversationIdFor(selfId, peerId);
      const stored = await store.updateConversationSettings(selfId, conversationId, changes);
      const settings = { conversationId, ...withoutEndedMute(stored, new Date().toISOString()) };
      broadcaster.settings(selfId, settings);
      return { settings };
    },
  };
}

export type Conversations = ReturnType<typeof createConversations>;
