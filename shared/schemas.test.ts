import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { LIMITS } from "./protocol";
import type {
  DeletePayload,
  EditPayload,
  JoinPayload,
  LeavePayload,
  LoginRequest,
  PasswordChangeRequest,
  ReactionPayload,
  ReceiptPayload,
  RegisterRequest,
  SendPayload,
  SettingsRequest,
  TypingPayload,
} from "./protocol";
import {
  bodySchema,
  displayNameSchema,
  sendSchema,
  settingsSchema,
  type deleteSchema,
  type editSchema,
  type joinSchema,
  type leaveSchema,
  type loginSchema,
  type passwordChangeSchema,
  type reactionSchema,
  type receiptSchema,
  type registerSchema,
  type typingSchema,
} from "./schemas";

describe("schemas", () => {
  it("accept exactly the payload types the client is typed with", () => {
    expectTypeOf<z.input<typeof registerSchema>>().toEqualTypeOf<RegisterRequest>();
    expectTypeOf<z.input<typeof loginSchema>>().toEqualTypeOf<LoginRequest>();
    expectTypeOf<z.input<typeof passwordChangeSchema>>().toEqualTypeOf<PasswordChangeRequest>();
    expectTypeOf<z.input<typeof joinSchema>>().toEqualTypeOf<JoinPayload>();
    expectTypeOf<z.input<typeof leaveSchema>>().toEqualTypeOf<LeavePayload>();
    expectTypeOf<z.input<typeof sendSchema>>().toEqualTypeOf<SendPayload>();
    expectTypeOf<z.input<typeof editSchema>>().toEqualTypeOf<EditPayload>();
    expectTypeOf<z.input<typeof deleteSchema>>().toEqualTypeOf<DeletePayload>();
    expectTypeOf<z.input<typeof reactionSchema>>().toEqualTypeOf<ReactionPayload>();
    expectTypeOf<z.input<typeof receiptSchema>>().toEqualTypeOf<ReceiptPayload>();
    expectTypeOf<z.input<typeof typingSchema>>().toEqualTypeOf<TypingPayload>();
    expectTypeOf<z.input<typeof settingsSchema>>().toEqualTypeOf<SettingsRequest>();
  });

  it("report every text rule a field breaks, as the client's checks do", () => {
    const result = displayNameSchema.safeParse("  ");
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      "must be 1-64 characters",
      "must contain a visible character",
    ]);
  });

  it("parse a field to the stored form the client's check gives", () => {
    expect(bodySchema.parse("  hello \n")).toBe("hello");
    expect(sendSchema.safeParse({ peerId: "bob", clientId: "client-0001", body: "\ud800" }).error?.issues).toEqual([
      expect.objectContaining({ path: ["body"], message: "must be well-formed Unicode (no lone surrogates)" }),
    ]);
  });

  it("take a mute's end as an instant with an offset, in the future and at most a year ahead, and store it in UTC", () => {
    const at = Date.now() + 60_000;
    const utc = new Date(at).toISOString();
    expect(settingsSchema.parse({ mutedUntil: utc.replace("Z", "+00:00") })).toEqual({ mutedUntil: utc });
    expect(settingsSchema.parse({ mutedUntil: null, extra: true })).toEqual({ mutedUntil: null });
    for (const mutedUntil of [
      new Date(Date.now() - 1).toISOString(),
      new Date(Date.now() + LIMITS.muteMaxMs + 60_000).toISOString(),
      utc.slice(0, 19),
      at,
    ]) {
      expect(settingsSchema.safeParse({ mutedUntil }).success, String(mutedUntil)).toBe(false);
    }
    expect(settingsSchema.safeParse({}).error?.issues[0]?.message).toBe("notify or mutedUntil is required");
  });
});
