import type { User } from "../../../shared/protocol";
import { notFound } from "../errors";
import type { Store } from "../store";
import type { UserRecord } from "../store/types";

/** Users as the wire sees them: stored fields plus live presence. */
export function createUserDirectory(deps: { store: Store; isOnline: (userId: string) => boolean }) {
  const { store, isOnline } = deps;

  function present(record: UserRecord): User {
    return {
      id: record.id,
      username: record.username,
      displayName: record.displayName,
      online: isOnline(record.id),
      lastSeenAt: record.lastSeenAt,
    };
  }

  return {
    present,
    /** The user, or NOT_FOUND whatever the form of the id. */
    async require(id: string): Promise<UserRecord> {
      const user = await store.findUserById(id);
      if (!user) throw notFound("user");
      return user;
    },
    async search(prefix: string, excludeId: string, limit: number): Promise<User[]> {
      return (await store.searchUsers({ prefix, excludeId, limit })).map(present);
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
