import { useId, useState, type FormEvent } from "react";
import { Link, Navigate, useLocation, useNavigate } from "react-router-dom";
import {
  checkDisplayName,
  checkPassword,
  checkUsername,
  type AuthResponse,
  type LoginRequest,
  type RegisterRequest,
  type TextCheck,
} from "../../../../shared/protocol";
import { errorMessage, sendRequest, unwrap, type HttpResult } from "../../api/http";
import { useAppDispatch, useAppSelector } from "../../app/hooks";
import { assertNever } from "../../lib/assertNever";
import { ThemeToggle } from "../theme/ThemeToggle";
import { selectAuthStatus, signedIn } from "./authSlice";

type Mode = "login" | "register";

const COPY = {
  login: {
    title: "Sign in to Parley",
    submit: "Sign in",
    busy: "Signing in…",
    switchPrompt: "New here?",
    switchLink: "Create an account",
    switchTo: "/register",
  },
  register: {
    title: "Create your Parley account",
    submit: "Create account",
    busy: "Creating account…",
    switchPrompt: "Already have an account?",
    switchLink: "Sign in",
    switchTo: "/login",
  },
} as const satisfies Record<Mode, object>;

/** The path RequireAuth sent the user away from, if any. */
function originOf(state: unknown): string {
  if (typeof state === "object" && state !== null && "from" in state) {
    const from: unknown = state.from;
    if (typeof from === "object" && from !== null && "pathname" in from && typeof from.pathname === "string") {
      const search = "search" in from && typeof from.search === "string" ? from.search : "";
      return from.pathname + search;
    }
  }
  return "/";
}

/**
 * Signing in or up, straight through api/http.ts: the server's API (app/parleyApi.ts) comes with the signed-in
 * pages, so the first page a visitor opens stays small. Rejects with the failure.
 */
async function requestSession(
  path: "/api/auth/login" | "/api/auth/register",
  body: LoginRequest | RegisterRequest,
): Promise<AuthResponse> {
  const result = await sendRequest({ path, method: "POST", body }, null);
  return unwrap(result as HttpResult<AuthResponse>);
}

/** The server's rules for a new account, each broken one as "field: why" like the server's VALIDATION message. */
function checkRegistration(
  username: string,
  password: string,
  displayName: string,
): { request: RegisterRequest } | { problem: string } {
  const checkedUsername = checkUsername(username);
  const checkedPassword = checkPassword(password);
  // Left empty, the server names the account after its username.
  const checkedName = displayName.trim() === "" ? null : checkDisplayName(displayName);
  if (checkedUsername.ok && checkedPassword.ok && (checkedName === null || checkedName.ok)) {
    return {
      request: { username: checkedUsername.value, password: checkedPassword.value, displayName: checkedName?.value },
    };
  }
  const fields: [keyof RegisterRequest, TextCheck | null][] = [
    ["username", checkedUsername],
    ["password", checkedPassword],
    ["displayName", checkedName],
  ];
  const problems = fields.flatMap(([field, checked]) =>
    checked === null || checked.ok ? [] : checked.problems.map((problem) => `${field}: ${problem}`),
  );
  return { problem: problems.join("; ") };
}

export function AuthForm({ mode }: { mode: Mode }) {
  const copy = COPY[mode];
  const id = useId();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const location = useLocation();
  const status = useAppSelector(selectAuthStatus);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const destination = originOf(location.state);
  if (status === "signedIn") return <Navigate to={destination} replace />;

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const username = String(form.get("username") ?? "");
    const password = String(form.get("password") ?? "");
    const remember = form.get("remember") === "on";

    setError(null);
    setBusy(true);
    try {
      const response = await submit(username, password, String(form.get("displayName") ?? ""));
      if (response === null) return;
      dispatch(signedIn({ ...response, remember }));
      navigate(destination, { replace: true });
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setBusy(false);
    }
  }

  /** Resolves to null when the input was refused before reaching the server. */
  async function submit(username: string, password: string, displayName: string): Promise<AuthResponse | null> {
    switch (mode) {
      case "login":
        return requestSession("/api/auth/login", { username, password });
      case "register": {
        // Same rules as the server, so most mistakes are explained without a round trip.
        const checked = checkRegistration(username, password, displayName);
        if ("problem" in checked) {
          setError(checked.problem);
          return null;
        }
        return requestSession("/api/auth/register", checked.request);
      }
      default:
        return assertNever(mode);
    }
  }

  return (
    <main className="relative flex min-h-dvh items-center justify-center p-4">
      <div className="absolute top-2 right-2">
        <ThemeToggle />
      </div>
      <div className="card w-full max-w-sm bg-base-100 shadow-xl">
        <form className="card-body gap-4" onSubmit={handleSubmit} noValidate aria-labelledby={`${id}-title`}>
          <div>
            <p className="text-primary text-sm font-semibold tracking-wide">Parley</p>
            <h1 id={`${id}-title`} className="card-title text-2xl">
              {copy.title}
            </h1>
          </div>

          {error && (
            <div role="alert" className="alert alert-error">
              <span>{error}</span>
            </div>
          )}

          <label className="flex flex-col gap-1">
            <span className="label-text font-medium">Username</span>
            <input
              name="username"
              className="input w-full"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              required
            />
          </label>

          {mode === "register" && (
            <label className="flex flex-col gap-1">
              <span className="label-text font-medium">
                Display name <span className="text-base-content/60 font-normal">(optional)</span>
              </span>
              <input name="displayName" className="input w-full" autoComplete="nickname" />
            </label>
          )}

          <label className="flex flex-col gap-1">
            <span className="label-text font-medium">Password</span>
            <input
              name="password"
              type="password"
              className="input w-full"
              autoComplete={mode === "register" ? "new-password" : "current-password"}
              required
            />
          </label>

          <label className="flex cursor-pointer items-center gap-2">
            <input name="remember" type="checkbox" className="checkbox checkbox-sm" />
            <span>Keep me signed in</span>
          </label>

          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy && <span className="loading loading-spinner loading-sm" aria-hidden="true" />}
            {busy ? copy.busy : copy.submit}
          </button>

          <p className="text-center text-sm">
            {copy.switchPrompt}{" "}
            <Link className="link link-primary" to={copy.switchTo} state={location.state}>
              {copy.switchLink}
            </Link>
          </p>
        </form>
      </div>
    </main>
  );
}
