import { nowIso } from "../lib/ids";
import { createKeyedQueue } from "../lib/serial-queue";
import type { Logger } from "../logger";
import type { Store } from "../store";
import type { Broadcaster } from "./broadcaster";

/** Told each time a user came online or went offline: once per change, on one node. */
export type PresenceReport = (userId: string, online: boolean) => void;

/**
 * Who is online: a user is, from their first socket until their last has been gone for the grace
 * period, so a page reload does not flash "offline" to their peers. Kept in this process by default,
 * or in Redis by several nodes (redis.ts), where a user's sockets may be on any of them.
 */
export interface Presence {
  socketConnected(userId: string): void;
  socketDisconnected(userId: string): void;
  /** Which of these users are online, as last announced to their peers: one lookup for a whole list. */
  onlineAmong(userIds: readonly string[]): Promise<Set<string>>;
  /** Starts telling `report` about changes. */
  start(report: PresenceReport): void;
  /** Stops reporting; sockets closing afterwards change nothing. */
  close(): void;
}

type UserPresence = { sockets: number; offlineTimer?: NodeJS.Timeout };

/** The single-node presence: sockets counted per user in this process. */
export function createMemoryPresence(graceMs: number): Presence {
  const users = new Map<string, UserPresence>();
  let report: PresenceReport | undefined;

  return {
    onlineAmong: (userIds) => Promise.resolve(new Set(userIds.filter((id) => users.has(id)))),

    socketConnected(userId) {
      const presence = users.get(userId);
      if (presence) {
        // Back within the grace period: peers never saw this user go offline.
        clearTimeout(presence.offlineTimer);
        presence.offlineTimer = undefined;
        presence.sockets++;
        return;
      }
      users.set(userId, { sockets: 1 });
      report?.(userId, true);
    },

    socketDisconnected(userId) {
      const presence = users.get(userId);
      if (!presence || --presence.sockets > 0) return;
      presence.offlineTimer = setTimeout(() => {
        if (presence.sockets > 0) return;
        users.delete(userId);
        report?.(userId, false);
      }, graceMs);
      presence.offlineTimer.unref();
    },

    start(onChange) {
      report = onChange;
    },

    close() {
      report = undefined;
      for (const presence of users.values()) clearTimeout(presence.offlineTimer);
      users.clear();
    },
  };
}

/** Tells a user's peers (sockets watching them, and their groups' rooms) that the user came online or went offline. */
export function createPresenceAnnouncer(deps: { store: Store; broadcaster: Broadcaster; logger: Logger }) {
  const { store, broadcaster, logger } = deps;
  // Announcements of one user leave this node in the order their changes happened.
  const announceQueue = createKeyedQueue();

  return function announce(userId: string, online: boolean): void {
    void announceQueue(userId, async () => {
      let lastSeenAt: string | null;
      if (online) {
        lastSeenAt = (await store.findUserById(userId))?.lastSeenAt ?? null;
      } else {
        lastSeenAt = nowIso();
        await store.setLastSeen(userId, lastSeenAt);
      }
      const [peerIds, groupConversationIds] = await Promise.all([
        store.listPeerIds(userId),
        store.listGroupConversationIds(userId),
      ]);
      broadcaster.presence({ userId, online, lastSeenAt }, peerIds, groupConversationIds);
    }).catch((err: unknown) => logger.warn({ err, userId }, "presence announcement failed"));
  };
}
