import { useRef, useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import { checkGroupName, type GroupHistory, type User } from "../../../../shared/protocol";
import { useAppDispatch } from "../../app/hooks";
import { createGroup } from "../../app/parleyApi";
import { Modal } from "../../components/Modal";
import { createClientId } from "../../lib/clientId";
import { PeoplePicker } from "./PeoplePicker";
import { describeGroupFailure } from "./requestError";

/** New group: a name, people from the user search, and what earlier messages new members see. */
export function CreateGroupDialog({ onClose }: { onClose: () => void }) {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  // One id for the dialog's life: a retry after a lost answer gets the group the first attempt made.
  const clientId = useRef(createClientId()).current;
  const [name, setName] = useState("");
  const [picked, setPicked] = useState<User[]>([]);
  const [history, setHistory] = useState<GroupHistory>("shared");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function toggle(user: User) {
    setPicked((current) =>
      current.some((other) => other.id === user.id)
        ? current.filter((other) => other.id !== user.id)
        : [...current, user],
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const check = checkGroupName(name);
    if (!check.ok) {
      setError(`The name ${check.problems.join(" and ")}.`);
      return;
    }
    setBusy(true);
    setError(null);
    const memberIds = picked.map((user) => user.id);
    const result = await dispatch(createGroup({ clientId, name: check.value, memberIds, history }));
    setBusy(false);
    if ("error" in result) setError(describeGroupFailure(result.error));
    else navigate(`/group/${result.data.group.id}`);
  }

  return (
    <Modal title="New group" onClose={onClose}>
      <form className="flex min-h-0 flex-col gap-3 overflow-y-auto" onSubmit={(event) => void submit(event)}>
        <label className="floating-label">
          <span>Group name</span>
          <input
            className="input w-full"
            placeholder="Group name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            data-autofocus
          />
        </label>
        <fieldset className="fieldset">
          <legend className="fieldset-legend">New members see</legend>
          <label className="label gap-2">
            <input
              type="radio"
              className="radio radio-sm"
              name="history"
              checked={history === "shared"}
              onChange={() => setHistory("shared")}
            />
            The whole history
          </label>
          <label className="label gap-2">
            <input
              type="radio"
              className="radio radio-sm"
              name="history"
              checked={history === "joined"}
              onChange={() => setHistory("joined")}
            />
            Only messages from when they join
          </label>
        </fieldset>
        <PeoplePicker picked={picked} onToggle={toggle} />
        {error !== null && (
          <div role="alert" className="alert alert-error">
            {error}
          </div>
        )}
        <div className="modal-action mt-0">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy && <span className="loading loading-spinner loading-xs" aria-hidden="true" />}
            Create group
          </button>
        </div>
      </form>
    </Modal>
  );
}
