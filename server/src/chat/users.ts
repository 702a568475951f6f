import { ID_PATTERN } from "../../../shared/protocol";
import type { User } from "../../../shared/protocol";
import { notFound } from "../errors";
import type { Store } from "../store";
import type { PeerRecord, UserRecord } from "../store/types";

// Known user ids remembered at most; the oldest is forgotten first.
const KNOWN_IDS_MAX = 10_000;

/** Users as the wire sees them: stored fields plus live presence. */
export function createUserDirectory(deps: {
  store: Store;
  onlineAmong: (userIds: readonly string[]) => Promise<Set<string>>;
}) {
  const { store, onlineAmong } = deps;
  // Users are never deleted, so an id once found stays valid; unknown ids are not remembered.
  const knownIds = new Set<string>();

  /** The users in the same order, their presence looked up at once (a list of a thousand is one lookup). */
  async function presentAll(records: readonly PeerRecord[]): Promise<User[]> {
    const online = await onlineAmong(records.map((record) => record.id));
    return records.map((record) => ({
      id: record.id,
      username: record.username,
      displayName: record.displayName,
      online: online.has(record.id),
      lastSeenAt: record.lastSeenAt,
    }));
  }

  return {
    presentAll,
    async present(record: PeerRecord): Promise<User> {
      const [user] = await presentAll([record]);
      return user!;
    },
    /** The user, or NOT_FOUND whatever the form of the id. */
    async require(id: string): Promise<UserRecord> {
      // Not an id (a NUL, say, which PostgreSQL refuses in text) names nobody: it never reaches the store.
      if (!ID_PATTERN.test(id)) throw notFound("user");
      const user = await store.findUserById(id);
      if (!user) throw notFound("user");
      return user;
    },
    /** Whether a user has this id; cheap for ids seen before (typing checks every signal's peer, history every page's). */
    async exists(id: string): Promise<boolean> {
      if (knownIds.has(id)) return true;
      if (!ID_PATTERN.test(id)) return false;
      if (!(await store.findUserById(id))) return false;
      if (knownIds.size >= KNOWN_IDS_MAX) knownIds.delete(knownIds.values().next().value as string);
      knownIds.add(id);
      return true;
    },
    async search(prefix: string, excludeId: string, limit: number): Promise<User[]> {
      return presentAll(await store.searchUsers({ prefix, excludeId, limit }));
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
