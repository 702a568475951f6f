import { screen } from "@testing-library/react";
import { Route, Routes } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { makeUser } from "../../test/factories";
import { stubFetch } from "../../test/fetchStub";
import { renderWithProviders } from "../../test/renderWithProviders";
import { LoginPage } from "./LoginPage";
import { RequireAuth } from "./RequireAuth";
import { SettingsPage } from "./SettingsPage";
import { TOKEN_STORAGE_KEY } from "./tokenStorage";
import { UserMenu } from "./UserMenu";

const alice = makeUser({ id: "alice", displayName: "Alice Liddell" });

/** Resolves once the signed-in side (loaded with the server's API) shows the page. */
async function renderSettings(route = "/settings") {
  sessionStorage.setItem(TOKEN_STORAGE_KEY, "t-alice");
  const rendered = renderWithProviders(
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireAuth />}>
        <Route path="/" element={<UserMenu />} />
        <Route path="/settings" element={<SettingsPage accountMenu={<UserMenu />} />} />
      </Route>
    </Routes>,
    { route, preloadedState: { auth: { status: "signedIn", token: "t-alice", user: alice } } },
  );
  await screen.findByRole("button", { name: /Account menu/ });
  return rendered;
}

function failing(status: number, code: string, message: string, retryAfterMs?: number) {
  return { method: "POST", path: "/api/auth/password", status, body: { error: { code, message, retryAfterMs } } };
}

const currentField = () => screen.getByLabelText("Current password");
const newField = () => screen.getByLabelText("New password");
const confirmField = () => screen.getByLabelText("Confirm new password");

type PasswordInput = { current?: string; next?: string; confirm?: string };

async function changePassword(user: Awaited<ReturnType<typeof renderSettings>>["user"], input: PasswordInput = {}) {
  const { current = "correct horse", next = "battery staple" } = input;
  const confirm = input.confirm ?? next;
  if (current) await user.type(currentField(), current);
  if (next) await user.type(newField(), next);
  if (confirm) await user.type(confirmField(), confirm);
  await user.click(screen.getByRole("button", { name: "Change password" }));
}

describe("settings", () => {
  it("is reachable from the user menu", async () => {
    stubFetch([]);
    const { user } = await renderSettings("/");
    const accountMenu = () => screen.getByRole("button", { name: /Account menu/ });
    expect(screen.queryByRole("link", { name: "Settings" })).not.toBeInTheDocument();
    await user.click(accountMenu());
    await user.click(screen.getByRole("link", { name: "Settings" }));
    expect(screen.getByRole("heading", { level: 1, name: "Settings" })).toBeInTheDocument();
    await user.click(accountMenu());
    expect(screen.getByRole("link", { name: "Settings" })).toHaveAttribute("aria-current", "page");
  });
});

describe("changing the password", () => {
  it("sends the current and the new password, then says it worked and clears the form", async () => {
    const fetchMock = stubFetch([{ method: "POST", path: "/api/auth/password", status: 204 }]);
    const { user, store } = await renderSettings();

    await changePassword(user);

    expect(await screen.findByRole("status")).toHaveTextContent("Password changed");
    expect(JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body))).toEqual({
      currentPassword: "correct horse",
      newPassword: "battery staple",
    });
    expect(new Headers(fetchMock.mock.calls[0]?.[1]?.headers).get("Authorization")).toBe("Bearer t-alice");
    expect([currentField(), newField(), confirmField()].map((field) => (field as HTMLInputElement).value)).toEqual([
      "",
      "",
      "",
    ]);
    expect(store.getState().auth.status).toBe("signedIn");
  });

  it.each([
    { name: "a confirmation that differs", input: { confirm: "battery stapler" }, field: confirmField, text: /match/ },
    { name: "a new password too short", input: { next: "short" }, field: newField, text: /8 to 128 characters/ },
    { name: "no current password", input: { current: "" }, field: currentField, text: /current password/ },
  ])("explains $name before asking the server, on the field at fault", async ({ input, field, text }) => {
    const fetchMock = stubFetch([]);
    const { user } = await renderSettings();

    await changePassword(user, input);

    expect(screen.getByRole("alert")).toHaveTextContent(text);
    expect(field()).toHaveAttribute("aria-invalid", "true");
    expect(field()).toHaveFocus();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("says the current password is wrong, and stays signed in", async () => {
    stubFetch([failing(401, "INVALID_CREDENTIALS", "wrong password")]);
    const { user, store } = await renderSettings();

    await changePassword(user, { current: "wrong horse" });

    expect(await screen.findByRole("alert")).toHaveTextContent("The current password is not right.");
    expect(currentField()).toHaveFocus();
    expect(store.getState().auth.status).toBe("signedIn");
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe("t-alice");
  });

  it.each([
    {
      status: 429,
      code: "RATE_LIMITED",
      retryAfterMs: 14 * 60_000 + 1,
      text: "Too many attempts. Try again in 15 min.",
    },
    { status: 400, code: "VALIDATION", retryAfterMs: undefined, text: "The new password was refused: too long" },
  ])("shows a $code answer clearly", async ({ status, code, retryAfterMs, text }) => {
    stubFetch([failing(status, code, "too long", retryAfterMs)]);
    const { user } = await renderSettings();

    await changePassword(user);

    expect(await screen.findByRole("alert")).toHaveTextContent(text);
  });
});

describe("signing out of all devices", () => {
  it("asks first; Cancel keeps the session and gives the focus back", async () => {
    const fetchMock = stubFetch([]);
    const { user, store } = await renderSettings();

    await user.click(screen.getByRole("button", { name: "Sign out of all devices" }));
    expect(screen.getByRole("button", { name: "Yes, sign out everywhere" })).toHaveFocus();
    await user.keyboard("{Tab}{Enter}");

    expect(screen.getByRole("button", { name: "Sign out of all devices" })).toHaveFocus();
    expect(fetchMock).not.toHaveBeenCalled();
    expect(store.getState().auth.status).toBe("signedIn");
  });

  it("revokes every session, forgets this one and goes to sign-in", async () => {
    localStorage.setItem(TOKEN_STORAGE_KEY, "t-alice");
    const fetchMock = stubFetch([{ method: "POST", path: "/api/auth/logout-all", status: 204 }]);
    const { user, store } = await renderSettings();

    await user.click(screen.getByRole("button", { name: "Sign out of all devices" }));
    await user.keyboard("{Enter}");

    expect(await screen.findByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledOnce();
    expect(store.getState().auth.status).toBe("signedOut");
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });

  it("keeps this session and says so when the server could not sign the others out", async () => {
    stubFetch([
      {
        method: "POST",
        path: "/api/auth/logout-all",
        status: 500,
        body: { error: { code: "INTERNAL", message: "Something went wrong on our side" } },
      },
    ]);
    const { user, store } = await renderSettings();

    await user.click(screen.getByRole("button", { name: "Sign out of all devices" }));
    await user.click(screen.getByRole("button", { name: "Yes, sign out everywhere" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Something went wrong on our side");
    expect(store.getState().auth.status).toBe("signedIn");
  });
});
