// Writes the benchmark's users, sessions and long conversation straight into
// a fresh SQLite file with the server's own migrations, before the server
// starts: a million messages in one transaction takes seconds, not the hours
// it would take over the socket.
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { conversationIdFor } from "../shared/protocol";
import { hashToken, newSessionToken } from "../server/src/auth/tokens";
import { migrateToLatest } from "../server/src/store/migrations";
import type { Database } from "../server/src/store/schema";
import { SQLITE_FILE } from "../server/src/store/sqlite";

export type SeededUser = { id: string; token: string };

/** A body of the length every benchmark message has. */
export const BODY =
  "The quick brown fox jumps over the lazy dog, and the benchmark counts every word of it on arrival!!";

/**
 * Creates `count` users named `<prefix>0…`, each with a session whose token is returned;
 * no password hash (nobody logs in), so seeding costs no scrypt.
 */
function insertUsers(sqlite: SQLite.Database, prefix: string, count: number): SeededUser[] {
  const now = new Date();
  const expires = new Date(now.getTime() + 24 * 3600 * 1000).toISOString();
  const user = sqlite.prepare(
    "insert into users (id, username, display_name, password_hash, created_at) values (?, ?, ?, 'none', ?)",
  );
  const session = sqlite.prepare(
    "insert into sessions (token_hash, user_id, created_at, expires_at) values (?, ?, ?, ?)",
  );
  return Array.from({ length: count }, (_, i) => {
    const id = `${prefix}${i}`;
    const token = newSessionToken();
    user.run(id, id, id, now.toISOString());
    session.run(hashToken(token), id, now.toISOString(), expires);
    return { id, token };
  });
}

/** A conversation of `count` messages, all from `sender`, none of them read by `receiver`. */
function insertConversation(sqlite: SQLite.Database, sender: string, receiver: string, count: number): void {
  const conversationId = conversationIdFor(sender, receiver);
  const [userA, userB] = sender < receiver ? [sender, receiver] : [receiver, sender];
  const start = Date.now() - count * 1000;
  sqlite
    .prepare("insert into conversations (id, user_a, user_b, last_seq, rev, last_message_at) values (?, ?, ?, ?, ?, ?)")
    .run(conversationId, userA, userB, count, count, new Date(start + count * 1000).toISOString());
  const insert = sqlite.prepare(
    "insert into messages (id, conversation_id, seq, sender_id, client_id, body, created_at, rev, sender_ordinal) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  for (let seq = 1; seq <= count; seq++) {
    // Ids in seq order keep the primary key's inserts sequential; Parley's own ids are random.
    const id = `seed-${sender}-${seq}`;
    // The last column is the sender's own count so far (the unread counters of migration 0003).
    insert.run(id, conversationId, seq, sender, id, BODY, new Date(start + seq * 1000).toISOString(), seq, seq);
  }
  const member = sqlite.prepare(
    "insert into conversation_members (conversation_id, user_id, delivered_seq, read_seq, sent_count, read_peer_count) values (?, ?, ?, ?, ?, ?)",
  );
  member.run(conversationId, sender, count, count, count, 0);
  member.run(conversationId, receiver, 0, 0, 0, 0);
}

export type Seed = {
  /** Pairs of the steady and saturation load: users 2i and 2i+1. */
  loaders: SeededUser[];
  idle: SeededUser[];
  /** The two users of the long conversation: the first sent every message, the second read none. */
  history: [SeededUser, SeededUser];
  /**
   * A user with a conversation of one unread message with each of `listConversations` others, and
   * notification settings for every second one.
   */
  wide: SeededUser;
  catchUp: [SeededUser, SeededUser];
};

export async function seedDatabase(
  dataDir: string,
  counts: { loaders: number; idle: number; historyMessages: number; listConversations: number },
): Promise<Seed> {
  const sqlite = new SQLite(join(dataDir, SQLITE_FILE));
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrateToLatest(db);
    return sqlite.transaction(() => {
      const loaders = insertUsers(sqlite, "load", counts.loaders);
      const idle = insertUsers(sqlite, "idle", counts.idle);
      const history = insertUsers(sqlite, "history", 2) as Seed["history"];
      insertConversation(sqlite, history[0].id, history[1].id, counts.historyMessages);
      // Each peer sends in one conversation only, so its message ids stay unique.
      const [wide] = insertUsers(sqlite, "wide", 1) as [SeededUser];
      const wideSettings = sqlite.prepare(
        "insert into conversation_settings (user_id, conversation_id, notify, muted_until) values (?, ?, ?, ?)",
      );
      const mutedUntil = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
      for (const [i, peer] of insertUsers(sqlite, "widepeer", counts.listConversations).entries()) {
        insertConversation(sqlite, peer.id, wide.id, 1);
        // Half of them with settings of their own (v2 §9), so the list joins real rows.
        if (i % 2 === 1)
          wideSettings.run(wide.id, conversationIdFor(peer.id, wide.id), i % 4 === 1 ? "mentions" : "all", mutedUntil);
      }
      const catchUp = insertUsers(sqlite, "catchup", 2) as Seed["catchUp"];
      return { loaders, idle, history, wide, catchUp };
    })();
  } finally {
    await db.destroy();
  }
}
