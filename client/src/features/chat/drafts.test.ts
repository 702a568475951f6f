import { afterEach, describe, expect, it, vi } from "vitest";
import { loadDraft, saveDraft } from "./drafts";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("drafts", () => {
  it("keeps one draft per conversation under parley.draft.<conversationId>", () => {
    saveDraft("dm:a:b", "half a thought");
    saveDraft("dm:a:c", "another");
    expect(sessionStorage.getItem("parley.draft.dm:a:b")).toBe("half a thought");
    expect(loadDraft("dm:a:b")).toBe("half a thought");
    expect(loadDraft("dm:a:c")).toBe("another");
    expect(loadDraft("dm:a:d")).toBe("");
  });

  it("removes the key when the draft is emptied", () => {
    saveDraft("dm:a:b", "x");
    saveDraft("dm:a:b", "");
    expect(sessionStorage.getItem("parley.draft.dm:a:b")).toBeNull();
  });

  it("does without storage when it throws", () => {
    vi.spyOn(Storage.prototype, "getItem").mockImplementation(() => {
      throw new Error("SecurityError");
    });
    vi.spyOn(Storage.prototype, "setItem").mockImplementation(() => {
      throw new Error("QuotaExceededError");
    });
    expect(() => saveDraft("dm:a:b", "x")).not.toThrow();
    expect(loadDraft("dm:a:b")).toBe("");
  });
});
