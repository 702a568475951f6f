import { useId, useRef, useState, type FormEvent } from "react";
import { LIMITS } from "../../../../shared/protocol";
import { errorMessage, isApiFailure, unwrap } from "../../api/http";
import { useAppDispatch } from "../../app/hooks";
import { changePassword } from "../../app/parleyApi";
import { formatWait } from "../../lib/format";

type Field = "currentPassword" | "newPassword" | "confirmPassword";
type Outcome = { kind: "error"; message: string; field: Field | null } | { kind: "success" } | null;

/** The checks the server would make, so most mistakes are explained without a round trip. */
function checkInput(current: string, next: string, confirm: string): Outcome {
  if (current === "") return { kind: "error", message: "Enter your current password.", field: "currentPassword" };
  const length = next.normalize("NFC").length;
  if (length < LIMITS.passwordMin || length > LIMITS.passwordMax) {
    return {
      kind: "error",
      message: `The new password must be ${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters.`,
      field: "newPassword",
    };
  }
  if (next !== confirm) return { kind: "error", message: "The new passwords do not match.", field: "confirmPassword" };
  return null;
}

function describeFailure(failure: unknown): Outcome {
  if (isApiFailure(failure)) {
    switch (failure.code) {
      case "INVALID_CREDENTIALS":
        return { kind: "error", message: "The current password is not right.", field: "currentPassword" };
      case "RATE_LIMITED":
        return {
          kind: "error",
          message: `Too many attempts. Try again in ${formatWait(failure.retryAfterMs ?? 60_000)}.`,
          field: null,
        };
      case "VALIDATION":
        return { kind: "error", message: `The new password was refused: ${failure.message}`, field: "newPassword" };
      default:
        break;
    }
  }
  return { kind: "error", message: errorMessage(failure), field: null };
}

/** Current, new and confirmed password; the server signs out every other session on success. */
export function ChangePasswordForm() {
  const id = useId();
  const dispatch = useAppDispatch();
  const formRef = useRef<HTMLFormElement>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);

  function show(next: Outcome) {
    setOutcome(next);
    // The field at fault gets the focus, so keyboard and screen reader users land where the fix is.
    if (next?.kind === "error" && next.field)
      formRef.current?.querySelector<HTMLInputElement>(`[name="${next.field}"]`)?.focus();
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const currentPassword = String(data.get("currentPassword") ?? "");
    const newPassword = String(data.get("newPassword") ?? "");
    const refused = checkInput(currentPassword, newPassword, String(data.get("confirmPassword") ?? ""));
    if (refused) {
      show(refused);
      return;
    }
    setOutcome(null);
    setBusy(true);
    try {
      unwrap(await dispatch(changePassword({ currentPassword, newPassword })));
      form.reset();
      show({ kind: "success" });
    } catch (failure) {
      show(describeFailure(failure));
    } finally {
      setBusy(false);
    }
  }

  const invalid = (field: Field) => (outcome?.kind === "error" && outcome.field === field ? true : undefined);
  const described = (field: Field) => (invalid(field) ? `${id}-outcome` : undefined);

  return (
    <form ref={formRef} className="card-body gap-4" onSubmit={handleSubmit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="card-title">
        Change password
      </h2>

      <div id={`${id}-outcome`}>
        {outcome?.kind === "error" && (
          <div role="alert" className="alert alert-error">
            <span>{outcome.message}</span>
          </div>
        )}
        {outcome?.kind === "success" && (
          <div role="status" className="alert alert-success">
            <span>Password changed. Your other devices have been signed out.</span>
          </div>
        )}
      </div>

      <label className="flex flex-col gap-1">
        <span className="label-text font-medium">Current password</span>
        <input
          name="currentPassword"
          type="password"
          className="input w-full"
          autoComplete="current-password"
          required
          aria-invalid={invalid("currentPassword")}
          aria-describedby={described("currentPassword")}
        />
      </label>

      <div className="flex flex-col gap-1">
        <label className="flex flex-col gap-1">
          <span className="label-text font-medium">New password</span>
          <input
            name="newPassword"
            type="password"
            className="input w-full"
            autoComplete="new-password"
            minLength={LIMITS.passwordMin}
            maxLength={LIMITS.passwordMax}
            required
            aria-invalid={invalid("newPassword")}
            aria-describedby={`${id}-hint${described("newPassword") ? ` ${id}-outcome` : ""}`}
          />
        </label>
        <span id={`${id}-hint`} className="text-base-content/70 text-sm">
          {LIMITS.passwordMin} to {LIMITS.passwordMax} characters.
        </span>
      </div>

      <label className="flex flex-col gap-1">
        <span className="label-text font-medium">Confirm new password</span>
        <input
          name="confirmPassword"
          type="password"
          className="input w-full"
          autoComplete="new-password"
          required
          aria-invalid={invalid("confirmPassword")}
          aria-describedby={described("confirmPassword")}
        />
      </label>

      <button type="submit" className="btn btn-primary self-start" disabled={busy}>
        {busy && <span className="loading loading-spinner loading-sm" aria-hidden="true" />}
        {busy ? "Changing password…" : "Change password"}
      </button>
    </form>
  );
}
