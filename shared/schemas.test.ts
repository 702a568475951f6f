import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
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
  TypingPayload,
} from "./protocol";
import {
  bodySchema,
  displayNameSchema,
  sendSchema,
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
});
