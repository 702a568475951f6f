/** Table shapes as Kysely sees them; timestamps are ISO 8601 UTC strings in every dialect. */
export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  created_at: string;
  last_seen_at: string | null;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export interface ConversationsTable {
  id: string;
  user_a: string;
  user_b: string;
  last_seq: number;
  rev: number;
  last_message_at: string | null;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  seq: number;
  sender_id: string;
  client_id: string;
  body: string;
  created_at: string;
  edited_at: string | null;
  deleted_at: string | null;
  rev: number;
  /** 1 for the sender's first message in the conversation, 2 for their second, … */
  sender_ordinal: number;
}

export interface ConversationMembersTable {
  conversation_id: string;
  user_id: string;
  delivered_seq: number;
  read_seq: number;
  /** Messages this member sent in the conversation. */
  sent_count: number;
  /** The peer's messages at or below read_seq. */
  read_peer_count: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  conversation_members: ConversationMembersTable;
}
