/**
 * Where the session token lives. sessionStorage is per tab, so two tabs can be
 * two different users; "keep me signed in" also writes localStorage so a new
 * tab starts signed in.
 */
export const TOKEN_STORAGE_KEY = "parley.token";

/** The tab's own token, else the remembered one (copied in so this tab keeps it if another tab signs in as someone else). */
export function restoreToken(): string | null {
  const own = sessionStorage.getItem(TOKEN_STORAGE_KEY);
  if (own) return own;
  const remembered = localStorage.getItem(TOKEN_STORAGE_KEY);
  if (remembered) sessionStorage.setItem(TOKEN_STORAGE_KEY, remembered);
  return remembered;
}

export function saveToken(token: string, remember: boolean): void {
  sessionStorage.setItem(TOKEN_STORAGE_KEY, token);
  if (remember) localStorage.setItem(TOKEN_STORAGE_KEY, token);
}

/** Forgets `token` everywhere; a remembered token of another account (signed in from another tab) is left alone. */
export function forgetToken(token: string | null): void {
  sessionStorage.removeItem(TOKEN_STORAGE_KEY);
  if (token !== null && localStorage.getItem(TOKEN_STORAGE_KEY) === token) localStorage.removeItem(TOKEN_STORAGE_KEY);
}
