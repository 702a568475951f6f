/**
 * Parley wire protocol v1.1 and its v2 additions (groups, replies, reactions,
 * mentions, notification settings) — the code form of PROTOCOL.md and
 * PROTOCOL-v2.md.
 * Imported by the client (bundled by Vite) and the server, so it holds no
 * server-only code: types, limits, the text rules and pure helpers only.
 * The server's zod schemas are built from these in schemas.ts; the client
 * checks input with the same rules without shipping zod.
 */

// ---------------------------------------------------------------- limits

export const LIMITS = {
  bodyMaxCodePoints: 4000,
  displayNameMax: 64,
  passwordMin: 8,
  passwordMax: 128,
  historyDefaultLimit: 50,
  historyBeforeMax: 200,
  historyAfterMax: 500,
  joinPageSize: 50,
  /** GET /api/conversations paged (an addition): the default and the largest page. */
  conversationPageDefault: 50,
  conversationPageMax: 200,
  joinCatchUpMax: 500,
  /** A page of messages (join, history, changes) stops once its bodies reach this many UTF-8 bytes. */
  pageMaxBodyBytes: 1024 * 1024,
  changesMax: 500,
  usersSearchMax: 50,
  payloadMaxBytes: 64 * 1024,
  typingExpiryMs: 6000,
  typingClientThrottleMs: 2000,
  // v2
  groupNameMaxCodePoints: 64,
  /** Members of one group at most; GROUP_MAX_MEMBERS on the server may set another. */
  groupMaxMembersDefault: 100,
  /** User ids in one POST …/members. */
  groupAddMax: 100,
  replyExcerptCodePoints: 100,
  reactionsMaxDistinct: 50,
  reactionsMaxPerUser: 20,
  /** A mute lasts a year at most. */
  muteMaxMs: 365 * 24 * 60 * 60 * 1000,
} as const;

// ---------------------------------------------------------------- shapes

export type User = {
  id: string;
  username: string;
  displayName: string;
  online: boolean;
  lastSeenAt: string | null;
};

export type Role = "owner" | "member";
export type MessageKind = "text" | "system";
export type SystemAction = "created" | "added" | "removed" | "left" | "renamed" | "role";
/** What a system message records: the actor is its senderId. */
export type SystemEvent = { action: SystemAction; userIds: string[]; name?: string; role?: Role };
/** The quoted parent of a reply, built from the parent's current state whenever it is read. */
export type ReplyQuote = { id: string; seq: number; senderId: string; excerpt: string; deleted: boolean };
/** One emoji on a message and who added it, in the order they did. */
export type Reaction = { emoji: string; userIds: string[] };
/** v2 §7; no message carries one yet, the field is there so clients can rely on it. */
export type Attachment = {
  id: string;
  name: string;
  contentType: string;
  size: number;
  width: number | null;
  height: number | null;
  url: string;
  thumbnailUrl: string | null;
  createdAt: string;
};

export type Message = {
  id: string;
  conversationId: string;
  seq: number;
  senderId: string;
  /** The peer of a one-to-one conversation; null in a group. */
  recipientId: string | null;
  /** "" for a system message. */
  clientId: string;
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  /** The conversation's rev at this message's last change: of two copies, the higher rev is newer. */
  rev: number;
  kind: MessageKind;
  replyTo: ReplyQuote | null;
  attachments: Attachment[];
  /** [] once deleted. */
  reactions: Reaction[];
  /** Ids of the current members the body @-mentions. */
  mentions: string[];
  system: SystemEvent | null;
};

export type GroupHistory = "shared" | "joined";
export type GroupMember = { user: User; role: Role; joinedSeq: number; deliveredSeq: number; readSeq: number };
export type Group = {
  id: string;
  conversationId: string;
  name: string;
  history: GroupHistory;
  createdBy: string;
  createdAt: string;
  members: GroupMember[];
};

export type NotifyLevel = "all" | "mentions" | "none";
export type ConversationSettings = { conversationId: string; notify: NotifyLevel; mutedUntil: string | null };

type SummaryBase = {
  conversationId: string;
  lastMessage: Message | null;
  unreadCount: number;
  readSeq: number;
  mentionCount: number;
  notify: NotifyLevel;
  mutedUntil: string | null;
};
export type DmSummary = SummaryBase & { kind: "dm"; peer: User; peerReadSeq: number; peerDeliveredSeq: number };
export type GroupSummary = SummaryBase & {
  kind: "group";
  group: { id: string; name: string; memberCount: number; role: Role };
};
export type ConversationSummary = DmSummary | GroupSummary;
/** What a badge counts: Σ unread, and Σ by each conversation's notify level (unread, mentions or nothing). */
export type ConversationTotals = { unread: number; badge: number };

export const ERROR_CODES = [
  "UNAUTHORIZED",
  "FORBIDDEN",
  "NOT_FOUND",
  "VALIDATION",
  "RATE_LIMITED",
  "USERNAME_TAKEN",
  "INVALID_CREDENTIALS",
  "INTERNAL",
  "TOO_MANY_CONNECTIONS",
  "LIMIT_REACHED",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type ApiError = { code: ErrorCode; message: string; retryAfterMs?: number };
export type Fail = { ok: false; error: ApiError };
export type Ok<T extends object = object> = { ok: true } & T;
export type Ack<T extends object = object> = Ok<T> | Fail;

/** The body of every HTTP error response. */
export type ErrorResponse = { error: ApiError };

// ---------------------------------------------------------------- ids and rooms

/** Ids are opaque and never contain ':' so room names can be split safely. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{2,31}$/;

/** A group's conversation id, and its room. */
export function groupConversationId(groupId: string): string {
  return `grp:${groupId}`;
}

export function isGroupConversation(conversationId: string): boolean {
  return conversationId.startsWith("grp:");
}

/** The conversation of A and B is the room `dm:<min>:<max>`; its name is its id. */
export function conversationIdFor(a: string, b: string): string {
  return a < b ? `dm:${a}:${b}` : `dm:${b}:${a}`;
}

export function userRoom(userId: string): string {
  return `user:${userId}`;
}

/** The two participants of a conversation, in id order (the same user twice in a conversation with oneself). */
export function participantsOf(conversationId: string): [string, string] {
  const [, a = "", b = ""] = conversationId.split(":");
  return [a, b];
}

/** The other participant of a conversation, seen from `selfId`. */
export function peerOf(conversationId: string, selfId: string): string {
  const [a, b] = participantsOf(conversationId);
  return a === selfId ? b : a;
}

// ---------------------------------------------------------------- text rules

// C0 controls except \t (0x09) and \n (0x0a).
// eslint-disable-next-line no-control-regex
const FORBIDDEN_BODY_CHARS = /[\u0000-\u0008\u000b-\u001f]/;
// Any C0/C1 control, for single-line names.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// Bidirectional embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they let a name
// reorder the text around it ("evil\u202Egnp.exe").
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;
// Characters that render as nothing: spaces, format characters (zero-width joiners, marks), combining
// marks on nothing, and the blank letters Hangul and Braille provide.
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cf}\p{Mn}\p{Me}\u115F\u1160\u3164\uFFA0\u2800]*$/u;

/** False when the string holds a lone surrogate, which JSON, UTF-8 and the database would each repair differently. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

export const NOT_WELL_FORMED = "must be well-formed Unicode (no lone surrogates)";

export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** A text field after the protocol's rules: the form it is stored in, or one message per rule it breaks. */
export type TextCheck = { ok: true; value: string } | { ok: false; problems: string[] };

type Rule = [accepts: (value: string) => boolean, problem: string];

function checkText(text: string, normalize: (text: string) => string, rules: Rule[]): TextCheck {
  // Every string the protocol accepts is well-formed, so what is acked is what is read back later.
  if (!isWellFormed(text)) return { ok: false, problems: [NOT_WELL_FORMED] };
  const value = normalize(text);
  const problems = rules.filter(([accepts]) => !accepts(value)).map(([, problem]) => problem);
  return problems.length === 0 ? { ok: true, value } : { ok: false, problems };
}

/** The stored body: trimmed, 1..4000 code points, no C0 controls but \n and \t. */
export function checkBody(text: string): TextCheck {
  return checkText(text, (s) => s.trim(), [
    [(s) => s.length > 0, "must not be empty"],
    [(s) => codePointLength(s) <= LIMITS.bodyMaxCodePoints, `must be at most ${LIMITS.bodyMaxCodePoints} characters`],
    [(s) => !FORBIDDEN_BODY_CHARS.test(s), "must not contain control characters"],
  ]);
}

/** A group's name: trimmed, 1..64 code points, no control characters. */
export function checkGroupName(text: string): TextCheck {
  return checkText(text, (s) => s.trim(), [
    [
      (s) => s.length >= 1 && codePointLength(s) <= LIMITS.groupNameMaxCodePoints,
      `must be 1-${LIMITS.groupNameMaxCodePoints} characters`,
    ],
    [(s) => !CONTROL_CHARS.test(s), "must not contain control characters"],
  ]);
}

// Built on first use: the `v` flag is newer than some browsers the client supports, and only a
// check needs it (TypeScript also refuses the literal below an ES2024 target).
let rgiEmoji: RegExp | undefined;
const isOneEmoji = (text: string) => (rgiEmoji ??= new RegExp("^\\p{RGI_Emoji}$", "v")).test(text);

/**
 * One emoji as Unicode recommends it (RGI). A character that is one only in its emoji presentation
 * (❤ U+2764) is stored with the variation selector that asks for it (❤️), so both are one reaction;
 * skin tones make distinct emoji.
 */
export function checkEmoji(text: string): TextCheck {
  const withPresentation = (s: string) => (!isOneEmoji(s) && isOneEmoji(`${s}\uFE0F`) ? `${s}\uFE0F` : s);
  return checkText(text, withPresentation, [[isOneEmoji, "must be one emoji"]]);
}

export function checkUsername(text: string): TextCheck {
  return checkText(text, (s) => s.trim().toLowerCase(), [
    [(s) => USERNAME_PATTERN.test(s), "must be 3-32 of a-z 0-9 _ . - and start with a letter or digit"],
  ]);
}

export function checkDisplayName(text: string): TextCheck {
  return checkText(text, (s) => s.trim(), [
    [
      (s) => s.length >= 1 && codePointLength(s) <= LIMITS.displayNameMax,
      `must be 1-${LIMITS.displayNameMax} characters`,
    ],
    [(s) => !CONTROL_CHARS.test(s), "must not contain control characters"],
    [(s) => !BIDI_CONTROLS.test(s), "must not contain bidirectional control characters"],
    [(s) => !INVISIBLE_ONLY.test(s), "must contain a visible character"],
  ]);
}

/** Compared after NFC normalisation, so the same password typed on another keyboard or OS still matches. */
export function checkPassword(text: string): TextCheck {
  return checkText(text, (s) => s.normalize("NFC"), [
    [
      (s) => s.length >= LIMITS.passwordMin && s.length <= LIMITS.passwordMax,
      `must be ${LIMITS.passwordMin}-${LIMITS.passwordMax} characters`,
    ],
  ]);
}

// ---------------------------------------------------------------- HTTP payloads

// What each request carries; the server's schemas (schemas.ts) accept exactly these.
export type RegisterRequest = { username: string; password: string; displayName?: string | undefined };
export type LoginRequest = { username: string; password: string };
export type PasswordChangeRequest = { currentPassword: string; newPassword: string };

export type AuthResponse = { token: string; user: User };
export type HistoryResponse = { messages: Message[]; hasMore: boolean };
/** GET /api/conversations without paging. */
export type ConversationListResponse = { conversations: ConversationSummary[]; totals: ConversationTotals };
/** GET /api/conversations?limit=&before=: `nextBefore` asks for the page after this one, null on the last. */
export type ConversationPageResponse = ConversationListResponse & { hasMore: boolean; nextBefore: string | null };
export type ChangesResponse = { messages: Message[]; rev: number; hasMore: boolean };

export type CreateGroupRequest = {
  clientId: string;
  name: string;
  memberIds?: string[] | undefined;
  history?: GroupHistory | undefined;
};
export type RenameGroupRequest = { name: string };
export type AddMembersRequest = { userIds: string[] };
export type SetRoleRequest = { role: Role };
export type SettingsRequest = { notify?: NotifyLevel | undefined; mutedUntil?: string | null | undefined };
export type GroupResponse = { group: Group };
export type AddMembersResponse = { group: Group; added: string[] };
export type SettingsResponse = { settings: ConversationSettings };

// ---------------------------------------------------------------- socket payloads

/** The conversation a payload is about: the peer's id or (v2 §0) the conversation's id, exactly one of them. */
export type ConversationRef = { peerId?: string | undefined; conversationId?: string | undefined };
// Interfaces, so each payload is one flat object type, equal to its schema's input.
export interface JoinPayload extends ConversationRef {
  afterSeq?: number | undefined;
  sinceRev?: number | undefined;
}
export type LeavePayload = ConversationRef;
export interface SendPayload extends ConversationRef {
  clientId: string;
  body: string;
  replyToId?: string | undefined;
  attachmentIds?: string[] | undefined;
}
export type ReactionPayload = { messageId: string; emoji: string };
export type EditPayload = { messageId: string; body: string };
export type DeletePayload = { messageId: string };
export interface ReceiptPayload extends ConversationRef {
  deliveredSeq?: number | undefined;
  readSeq?: number | undefined;
}
export interface TypingPayload extends ConversationRef {
  typing: boolean;
}

type JoinBase = {
  conversationId: string;
  messages: Message[];
  hasMore: boolean;
  readSeq: number;
  /** The first seq the caller sees: 1, or in a group whose history starts at joining, their joinedSeq. */
  visibleFromSeq: number;
  /** The conversation's current rev. */
  rev: number;
  /** With afterSeq and sinceRev: messages with seq <= afterSeq changed after sinceRev, ascending by rev. */
  changed: Message[];
  changedHasMore: boolean;
};
export type DmJoinResult = JoinBase & { peer: User; peerReadSeq: number; peerDeliveredSeq: number };
export type GroupJoinResult = JoinBase & { group: Group };
export type JoinResult = DmJoinResult | GroupJoinResult;

export type ReceiptEvent = { conversationId: string; userId: string; deliveredSeq: number; readSeq: number };
export type TypingEvent = { conversationId: string; userId: string; typing: boolean };
export type PresenceEvent = { userId: string; online: boolean; lastSeenAt: string | null };

// ---------------------------------------------------------------- event maps

export const EVENTS = {
  join: "conversation:join",
  leave: "conversation:leave",
  send: "message:send",
  edit: "message:edit",
  delete: "message:delete",
  receipt: "conversation:receipt",
  typing: "typing",
  reactionAdd: "reaction:add",
  reactionRemove: "reaction:remove",
  settings: "conversation:settings",
  messageNew: "message:new",
  messageUpdated: "message:updated",
  receiptUpdated: "receipt",
  presence: "presence",
} as const;

export interface ClientToServerEvents {
  "conversation:join": (payload: JoinPayload, ack: (res: Ack<JoinResult>) => void) => void;
  "conversation:leave": (payload: LeavePayload, ack: (res: Ack) => void) => void;
  "message:send": (payload: SendPayload, ack: (res: Ack<{ message: Message }>) => void) => void;
  "message:edit": (payload: EditPayload, ack: (res: Ack<{ message: Message }>) => void) => void;
  "message:delete": (payload: DeletePayload, ack: (res: Ack<{ message: Message }>) => void) => void;
  "conversation:receipt": (payload: ReceiptPayload, ack: (res: Ack) => void) => void;
  typing: (payload: TypingPayload) => void;
  "reaction:add": (payload: ReactionPayload, ack: (res: Ack<{ message: Message }>) => void) => void;
  "reaction:remove": (payload: ReactionPayload, ack: (res: Ack<{ message?: Message }>) => void) => void;
}

export interface ServerToClientEvents {
  "message:new": (message: Message) => void;
  "message:updated": (message: Message) => void;
  receipt: (event: ReceiptEvent) => void;
  typing: (event: TypingEvent) => void;
  presence: (event: PresenceEvent) => void;
  "conversation:settings": (event: ConversationSettings) => void;
}

/** Nodes exchange no custom events; the adapter carries the broadcasts. */
export type InterServerEvents = Record<string, never>;

/** Per-socket server state, set at the handshake: the sender of every event is this user, never a payload field. */
export type SocketData = { userId: string; tokenHash: string; sessionExpiresAt: number };
