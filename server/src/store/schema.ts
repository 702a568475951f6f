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
  kind: "dm" | "group";
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
  kind: "text" | "system";
  reply_to_id: string | null;
  /** JSON: the mentioned user ids. */
  mentions: string;
  /** JSON: the message's Reaction[], rewritten with every change of message_reactions. */
  reactions: string;
  /** JSON: a system message's SystemEvent. */
  system: string | null;
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
  /** In a group: "owner" or "member"; null in a DM. */
  role: "owner" | "member" | null;
  /** In a group: the seq of the system message that added this member (0 in a DM). */
  joined_seq: number;
  /** In a group: the seq of the system message that removed this member; null while a member. */
  left_seq: number | null;
}

export interface GroupsTable {
  id: string;
  conversation_id: string;
  name: string;
  history: "shared" | "joined";
  created_by: string;
  client_id: string;
  created_at: string;
  /** Set when its last member left: the group is gone for everyone, its id never reused. */
  closed_at: string | null;
}

export interface MessageReactionsTable {
  message_id: string;
  user_id: string;
  emoji: string;
  created_at: string;
}

export interface MessageMentionsTable {
  message_id: string;
  conversation_id: string;
  seq: number;
  user_id: string;
}

export interface ConversationSettingsTable {
  user_id: string;
  conversation_id: string;
  notify: "all" | "mentions" | "none";
  muted_until: string | null;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  conversation_members: ConversationMembersTable;
  groups: GroupsTable;
  message_reactions: MessageReactionsTable;
  message_mentions: MessageMentionsTable;
  conversation_settings: ConversationSettingsTable;
}
