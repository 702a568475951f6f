import { describe, expect, it } from "vitest";
import { forgetToken, restoreToken, saveToken, TOKEN_STORAGE_KEY } from "./tokenStorage";

describe("tokenStorage", () => {
  it("prefers the tab's own token over the remembered one", () => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, "tab");
    localStorage.setItem(TOKEN_STORAGE_KEY, "remembered");
    expect(restoreToken()).toBe("tab");
  });

  it("adopts the remembered token into the tab", () => {
    localStorage.setItem(TOKEN_STORAGE_KEY, "remembered");
    expect(restoreToken()).toBe("remembered");
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe("remembered");
  });

  it("writes localStorage only when asked to keep the user signed in", () => {
    saveToken("once", false);
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    saveToken("kept", true);
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBe("kept");
  });

  it("forgets its own token everywhere but leaves another account's remembered token", () => {
    saveToken("mine", true);
    forgetToken("mine");
    expect([sessionStorage.getItem(TOKEN_STORAGE_KEY), localStorage.getItem(TOKEN_STORAGE_KEY)]).toEqual([null, null]);

    localStorage.setItem(TOKEN_STORAGE_KEY, "someone else");
    saveToken("mine", false);
    forgetToken("mine");
    expect([sessionStorage.getItem(TOKEN_STORAGE_KEY), localStorage.getItem(TOKEN_STORAGE_KEY)]).toEqual([
      null,
      "someone else",
    ]);
  });
});
