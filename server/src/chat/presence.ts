import { nowIso } from "../lib/ids";
import { createKeyedQueue } from "../lib/serial-queue";
import type { Logger } from "../logger";
import type { Store } from "../store";
import type { Broadcaster } from "./broadcaster";

type UserPresence = { sockets: number; offlineTimer?: NodeJS.Timeout };

/**
 * Who is online, counted by connected sockets in this process. A user goes
 * offline only when their last socket has been gone for `graceMs`, so a page
 * reload does not flash "offline" to their peers.
 */
export function createPresence(deps: { store: Store; broadcaster: Broadcaster; graceMs: number; logger: Logger }) {
  const { store, broadcaster, graceMs, logger } = deps;
  const users = new Map<string, UserPresence>();
  // Announcements of one user leave in the order their changes happened.
  const announceQueue = createKeyedQueue();

  function announce(userId: string, online: boolean) {
    void announceQueue(userId, async () => {
      let lastSeenAt: string | null;
      if (online) {
        lastSeenAt = (await store.findUserById(userId))?.lastSeenAt ?? null;
      } else {
        lastSeenAt = nowIso();
        await store.setLastSeen(userId, lastSeenAt);
      }
      broadcaster.presence({ userId, online, lastSeenAt }, await store.listPeerIds(userId));
    }).catch((err: unknown) => logger.warn({ err, userId }, "presence announcement failed"));
  }

  return {
    isOnline: (userId: string): boolean => users.has(userId),

    socketConnected(userId: string): void {
      const presence = users.get(userId);
      if (presence) {
        // Back within the grace period: peers never saw this user go offline.
        clearTimeout(presence.offlineTimer);
        presence.offlineTimer = undefined;
        presence.sockets++;
        return;
      }
      users.set(userId, { sockets: 1 });
      announce(userId, true);
    },

    socketDisconnected(userId: string): void {
      const presence = users.get(userId);
      if (!presence || --presence.sockets > 0) return;
      presence.offlineTimer = setTimeout(() => {
        if (presence.sockets > 0) return;
        users.delete(userId);
        announce(userId, false);
      }, graceMs);
      presence.offlineTimer.unref();
    },

    close(): void {
      for (const presence of users.values()) clearTimeout(presence.offlineTimer);
      users.clear();
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;
