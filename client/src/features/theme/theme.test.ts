import { describe, expect, it, vi } from "vitest";
import { applyTheme, chooseTheme, resolveTheme, THEME_STORAGE_KEY } from "./theme";

describe("resolveTheme", () => {
  it.each([
    { stored: null, systemDark: false, expected: "light" },
    { stored: null, systemDark: true, expected: "dark" },
    { stored: "light", systemDark: true, expected: "light" },
    { stored: "dark", systemDark: false, expected: "dark" },
    { stored: "purple", systemDark: true, expected: "dark" },
    { stored: "", systemDark: false, expected: "light" },
  ])("stored $stored, system dark $systemDark → $expected", ({ stored, systemDark, expected }) => {
    expect(resolveTheme(stored, systemDark)).toBe(expected);
  });
});

function stubSystemDark(matches: boolean) {
  vi.stubGlobal(
    "matchMedia",
    vi.fn(() => ({ matches, addEventListener: vi.fn() })),
  );
}

describe("applying a theme", () => {
  it("follows the system until a choice is remembered", () => {
    stubSystemDark(true);
    expect(applyTheme()).toBe("dark");
    expect(document.documentElement.dataset.theme).toBe("dark");

    chooseTheme("light");
    expect(localStorage.getItem(THEME_STORAGE_KEY)).toBe("light");
    expect(document.documentElement.dataset.theme).toBe("light");
    expect(applyTheme()).toBe("light");
  });
});
