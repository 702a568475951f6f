import { Migrator } from "kysely";
import type { Kysely, Migration } from "kysely";
import { initial } from "./0001_initial";
import { revisions } from "./0002_revisions";
import { unreadCounters } from "./0003_unread-counters";
import { groups } from "./0004_groups";
import { memberUserIndex } from "./0005_member-user-index";

// Names sort in application order; never rename or edit a migration once released.
export const migrations: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_revisions": revisions,
  "0003_unread_counters": unreadCounters,
  "0004_groups": groups,
  "0005_member_user_index": memberUserIndex,
};

export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
