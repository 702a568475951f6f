/**
 * The zod schemas the server validates every request and event with. They are
 * built from the text rules and limits of protocol.ts, which the client uses
 * directly, so the client bundle carries no zod; only the server imports this.
 */
import { z } from "zod";
import {
  CLIENT_ID_PATTERN,
  ID_PATTERN,
  LIMITS,
  NOT_WELL_FORMED,
  checkBody,
  checkDisplayName,
  checkEmoji,
  checkGroupName,
  checkPassword,
  checkUsername,
  isWellFormed,
  type NotifyLevel,
  type TextCheck,
} from "./protocol";

/** Every string the protocol accepts: well-formed Unicode, so what is acked is what is read back later. */
const textSchema = z.string().refine(isWellFormed, NOT_WELL_FORMED);

/** A field of protocol.ts's text rules: refused with their messages, or parsed to its stored form. */
function ruledText(check: (text: string) => TextCheck) {
  return z.string().transform((text, ctx) => {
    const checked = check(text);
    if (checked.ok) return checked.value;
    for (const message of checked.problems) ctx.addIssue({ code: "custom", message });
    return z.NEVER;
  });
}

const idSchema = z.string().regex(ID_PATTERN, "must be 1-64 of A-Z a-z 0-9 _ -");
const clientIdSchema = z.string().regex(CLIENT_ID_PATTERN, "must be 8-64 of A-Z a-z 0-9 _ -");
export const bodySchema = ruledText(checkBody);
const usernameSchema = ruledText(checkUsername);
export const displayNameSchema = ruledText(checkDisplayName);
const passwordSchema = ruledText(checkPassword);
const emojiSchema = ruledText(checkEmoji);

// ---------------------------------------------------------------- HTTP payloads

export const registerSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
});

export const loginSchema = z.object({
  username: textSchema.pipe(z.string().max(64)).transform((s) => s.trim().toLowerCase()),
  password: textSchema.pipe(z.string().max(LIMITS.passwordMax)).transform((s) => s.normalize("NFC")),
});

export const passwordChangeSchema = z.object({
  currentPassword: textSchema.pipe(z.string().max(LIMITS.passwordMax)).transform((s) => s.normalize("NFC")),
  newPassword: passwordSchema,
});

const seqCursor = z.coerce.number().int().min(0);
export const historyQuerySchema = z
  .object({
    beforeSeq: seqCursor.optional(),
    afterSeq: seqCursor.optional(),
    limit: z.coerce.number().int().min(1).optional(),
  })
  .refine((q) => q.beforeSeq === undefined || q.afterSeq === undefined, "beforeSeq and afterSeq cannot be combined");
export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** GET /api/conversations/:peerId/changes: messages with seq <= uptoSeq and rev > sinceRev, by rev. */
export const changesQuerySchema = z.object({
  sinceRev: seqCursor.default(0),
  uptoSeq: seqCursor.optional(),
  limit: z.coerce.number().int().min(1).optional(),
});
export type ChangesQuery = z.infer<typeof changesQuerySchema>;

/** A conversation's place in the list: its last activity (an ISO 8601 UTC instant) and its id. */
const listPositionSchema = z
  .tuple([
    z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    z.string().regex(/^[a-z]{1,8}(:[A-Za-z0-9_-]{1,64}){1,2}$/),
  ])
  .transform(([lastMessageAt, conversationId]) => ({ lastMessageAt, conversationId }));

/** The list's cursor: opaque to clients, the place of the last conversation of a page, base64url of JSON. */
export function listCursorFor(position: { lastMessageAt: string; conversationId: string }): string {
  return Buffer.from(JSON.stringify([position.lastMessageAt, position.conversationId])).toString("base64url");
}

const listCursorSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,400}$/, "must be a cursor this list handed out")
  .transform((cursor, ctx) => {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    } catch {
      decoded = undefined;
    }
    const position = listPositionSchema.safeParse(decoded);
    if (position.success) return position.data;
    ctx.addIssue({ code: "custom", message: "must be a cursor this list handed out" });
    return z.NEVER;
  });

/** GET /api/conversations: paged once either is given (an addition; without both, the whole list). */
export const conversationListQuerySchema = z.object({
  before: listCursorSchema.optional(),
  limit: z.coerce.number().int().min(1).optional(),
});

/** A mute's end: an ISO 8601 instant with its offset, in the future and at most LIMITS.muteMaxMs ahead; stored in UTC. */
const mutedUntilSchema = z.iso.datetime({ offset: true }).transform((instant, ctx) => {
  const at = Date.parse(instant);
  const ahead = at - Date.now();
  if (ahead > 0 && ahead <= LIMITS.muteMaxMs) return new Date(at).toISOString();
  ctx.addIssue({ code: "custom", message: "must be in the future and at most a year ahead" });
  return z.NEVER;
});

/** PUT /api/conversations/:ref/settings (v2 §9): the fields to change, at least one. */
export const settingsSchema = z
  .object({
    notify: z.enum(["all", "mentions", "none"] satisfies NotifyLevel[]).optional(),
    mutedUntil: mutedUntilSchema.nullable().optional(),
  })
  .refine((s) => s.notify !== undefined || s.mutedUntil !== undefined, "notify or mutedUntil is required");
const groupNameSchema = ruledText(checkGroupName);
const roleSchema = z.enum(["owner", "member"]);

export const createGroupSchema = z.object({
  clientId: clientIdSchema,
  name: groupNameSchema,
  // Bounded by the body's size; more than the group may hold is LIMIT_REACHED, not VALIDATION.
  memberIds: z.array(idSchema).optional(),
  history: z.enum(["shared", "joined"]).optional(),
});
export const renameGroupSchema = z.object({ name: groupNameSchema });
export const addMembersSchema = z.object({ userIds: z.array(idSchema).min(1).max(LIMITS.groupAddMax) });
export const setRoleSchema = z.object({ role: roleSchema });

export const usersQuerySchema = z.object({ q: textSchema.pipe(z.string().max(64)).optional() });

// ---------------------------------------------------------------- socket payloads

/** `dm:<a>:<b>` (two user ids) or `grp:<groupId>` (v2 §0); whose conversation it is, the server decides. */
export const conversationIdSchema = z
  .string()
  .regex(
    /^(dm:[A-Za-z0-9_-]{1,64}:[A-Za-z0-9_-]{1,64}|grp:[A-Za-z0-9_-]{1,64})$/,
    "must be dm:<userId>:<userId> or grp:<groupId>",
  );

// A payload names its conversation by exactly one of peerId and conversationId (v2 §0).
const refShape = { peerId: idSchema.optional(), conversationId: conversationIdSchema.optional() };
const namesOneConversation = (payload: { peerId?: string; conversationId?: string }) =>
  (payload.peerId === undefined) !== (payload.conversationId === undefined);
const ONE_REF = "exactly one of peerId and conversationId is required";

/** The conversation segment of `/api/conversations/:ref/…`: a user id never has ':', a conversation id always. */
export const pathRefSchema = z
  .string()
  .transform((segment) => (segment.includes(":") ? { conversationId: segment } : { peerId: segment }))
  .pipe(z.union([z.object({ peerId: z.string() }), z.object({ conversationId: conversationIdSchema })]));

export const joinSchema = z
  .object({
    ...refShape,
    afterSeq: z.number().int().min(0).optional(),
    sinceRev: z.number().int().min(0).optional(),
  })
  .refine(namesOneConversation, ONE_REF);
export const leaveSchema = z.object(refShape).refine(namesOneConversation, ONE_REF);
export const sendSchema = z
  .object({
    ...refShape,
    clientId: clientIdSchema,
    body: bodySchema,
    replyToId: idSchema.optional(),
    attachmentIds: z.array(idSchema).max(10).optional(),
  })
  .refine(namesOneConversation, ONE_REF);
export const editSchema = z.object({ messageId: idSchema, body: bodySchema });
export const deleteSchema = z.object({ messageId: idSchema });
export const reactionSchema = z.object({ messageId: idSchema, emoji: emojiSchema });
export const receiptSchema = z
  .object({
    ...refShape,
    deliveredSeq: z.number().int().min(0).optional(),
    readSeq: z.number().int().min(0).optional(),
  })
  .refine(namesOneConversation, ONE_REF)
  .refine((r) => r.deliveredSeq !== undefined || r.readSeq !== undefined, "deliveredSeq or readSeq is required");
export const typingSchema = z.object({ ...refShape, typing: z.boolean() }).refine(namesOneConversation, ONE_REF);
