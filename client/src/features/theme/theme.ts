export type Theme = "light" | "dark";

/** "light" | "dark" once the user chose; absent = follow the system. */
export const THEME_STORAGE_KEY = "parley.theme";

const DARK_QUERY = "(prefers-color-scheme: dark)";

/** A remembered choice wins; anything else (absent, stale or foreign value) follows the system. */
export function resolveTheme(stored: string | null, systemPrefersDark: boolean): Theme {
  if (stored === "light" || stored === "dark") return stored;
  return systemPrefersDark ? "dark" : "light";
}

function readStored(): string | null {
  try {
    return localStorage.getItem(THEME_STORAGE_KEY);
  } catch {
    // Storage can be blocked (privacy settings); the system preference still applies.
    return null;
  }
}

function systemPrefersDark(): boolean {
  return typeof window.matchMedia === "function" && window.matchMedia(DARK_QUERY).matches;
}

/** Sets `data-theme` on <html>, where daisyUI reads it. */
export function applyTheme(): Theme {
  const theme = resolveTheme(readStored(), systemPrefersDark());
  document.documentElement.dataset.theme = theme;
  return theme;
}

export function chooseTheme(theme: Theme): void {
  try {
    localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Not remembered, but still applied to this page.
  }
  applyTheme();
}

/** Re-applies when the system preference changes or another tab chooses a theme. */
export function followThemeChanges(): void {
  if (typeof window.matchMedia === "function") window.matchMedia(DARK_QUERY).addEventListener("change", applyTheme);
  window.addEventListener("storage", (event) => {
    if (event.key === THEME_STORAGE_KEY || event.key === null) applyTheme();
  });
}

export function currentTheme(): Theme {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

/** Calls back whenever `data-theme` changes, whoever changed it. */
export function subscribeToTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  return () => observer.disconnect();
}
