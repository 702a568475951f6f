import { screen } from "@testing-library/react";
import { Route, Routes } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { makeUser } from "../../test/factories";
import { stubFetch } from "../../test/fetchStub";
import { renderWithProviders } from "../../test/renderWithProviders";
import { authStateFromToken } from "./authSlice";
import { LoginPage } from "./LoginPage";
import { RegisterPage } from "./RegisterPage";
import { RequireAuth } from "./RequireAuth";
import { useSignedInUser } from "./SignedInUser";
import { TOKEN_STORAGE_KEY } from "./tokenStorage";

const alice = makeUser({ id: "alice", displayName: "Alice Liddell" });

function Secret() {
  return <p>Secret page of {useSignedInUser().displayName}</p>;
}

function renderApp(route: string, token: string | null = null) {
  return renderWithProviders(
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/register" element={<RegisterPage />} />
      <Route element={<RequireAuth />}>
        <Route path="/" element={<p>Home</p>} />
        <Route path="/secret" element={<Secret />} />
      </Route>
    </Routes>,
    { route, preloadedState: { auth: authStateFromToken(token) } },
  );
}

describe("signing in", () => {
  it("sends a signed-out visitor to the login page, then back where they were", async () => {
    stubFetch([{ method: "POST", path: "/api/auth/login", body: { token: "t-alice", user: alice } }]);
    const { user, store } = renderApp("/secret");

    await user.type(screen.getByLabelText("Username"), "alice");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByText("Secret page of Alice Liddell")).toBeInTheDocument();
    expect(store.getState().auth).toMatchObject({ status: "signedIn", token: "t-alice" });
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe("t-alice");
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });

  it("shows the server's error message in an alert", async () => {
    stubFetch([
      {
        method: "POST",
        path: "/api/auth/login",
        status: 401,
        body: { error: { code: "INVALID_CREDENTIALS", message: "Wrong username or password" } },
      },
    ]);
    const { user, store } = renderApp("/login");

    await user.type(screen.getByLabelText("Username"), "alice");
    await user.type(screen.getByLabelText("Password"), "nope nope");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong username or password");
    expect(store.getState().auth.status).toBe("signedOut");
  });

  it("registers, and keeps the token in localStorage when asked to", async () => {
    const fetchMock = stubFetch([
      { method: "POST", path: "/api/auth/register", status: 201, body: { token: "t-new", user: alice } },
    ]);
    const { user } = renderApp("/register");

    await user.type(screen.getByLabelText("Username"), "Alice");
    await user.type(screen.getByLabelText(/Display name/), "Alice Liddell");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByLabelText("Keep me signed in"));
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("Home")).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledOnce();
    expect(JSON.parse(String(fetchMock.mock.calls[0]?.[1]?.body))).toEqual({
      username: "alice",
      password: "correct horse",
      displayName: "Alice Liddell",
    });
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBe("t-new");
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBe("t-new");
  });

  it("explains invalid input before asking the server", async () => {
    const fetchMock = stubFetch([]);
    const { user } = renderApp("/register");

    await user.type(screen.getByLabelText("Username"), "alice");
    await user.type(screen.getByLabelText("Password"), "short");
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(/password/);
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe("restoring a session", () => {
  it("verifies a stored token with GET /api/me before letting the user in", async () => {
    const fetchMock = stubFetch([{ path: "/api/me", body: { user: alice } }]);
    renderApp("/secret", "t-stored");

    expect(await screen.findByText("Secret page of Alice Liddell")).toBeInTheDocument();
    expect(new Headers(fetchMock.mock.calls[0]?.[1]?.headers).get("Authorization")).toBe("Bearer t-stored");
  });

  it("signs out and forgets a token the server no longer accepts", async () => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, "t-revoked");
    localStorage.setItem(TOKEN_STORAGE_KEY, "t-revoked");
    stubFetch([
      { path: "/api/me", status: 401, body: { error: { code: "UNAUTHORIZED", message: "Session expired" } } },
    ]);
    const { store } = renderApp("/secret", "t-revoked");

    expect(await screen.findByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(store.getState().auth.status).toBe("signedOut");
    expect(sessionStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
    expect(localStorage.getItem(TOKEN_STORAGE_KEY)).toBeNull();
  });
});
