import { useState, type FormEvent } from "react";
import { checkGroupName, type Group, type GroupMember, type User } from "../../../../shared/protocol";
import type { HttpResult } from "../../api/http";
import { useAppDispatch } from "../../app/hooks";
import { addGroupMembers, leaveGroup, removeGroupMember, renameGroup, setGroupRole } from "../../app/parleyApi";
import { Modal } from "../../components/Modal";
import { useSignedInUser } from "../auth/SignedInUser";
import { groupLoaded } from "../chat/chatSlice";
import { Avatar } from "../users/PersonLink";
import { PeoplePicker } from "./PeoplePicker";
import { describeGroupFailure } from "./requestError";

/**
 * The group's members and roles; owners also rename, add, remove and change roles, everyone may leave. Each
 * change also comes back as a system message, which keeps every open view of the group current.
 */
export function MembersDialog({ group, onClose }: { group: Group; onClose: () => void }) {
  const dispatch = useAppDispatch();
  const me = useSignedInUser();
  const owner = group.members.some((member) => member.user.id === me.id && member.role === "owner");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  /** Runs one request; a group in the answer is shown at once, before its system message arrives. */
  async function run(request: Promise<HttpResult<{ group: Group } | void>>): Promise<boolean> {
    setBusy(true);
    setError(null);
    const result = await request;
    setBusy(false);
    if ("error" in result) {
      setError(describeGroupFailure(result.error));
      return false;
    }
    if (result.data) dispatch(groupLoaded(result.data.group));
    return true;
  }

  return (
    <Modal title={`Members of “${group.name}”`} onClose={onClose}>
      <div className="flex min-h-0 flex-col gap-4 overflow-y-auto">
        {owner && (
          <RenameForm
            name={group.name}
            busy={busy}
            onRename={(name) => run(dispatch(renameGroup(group.id, name)))}
            onInvalid={setError}
          />
        )}
        <ul aria-label="Members" className="flex flex-col gap-1">
          {group.members.map((member) => (
            <MemberRow
              key={member.user.id}
              member={member}
              self={member.user.id === me.id}
              manage={owner && member.user.id !== me.id}
              busy={busy}
              onRole={(role) => void run(dispatch(setGroupRole(group.id, member.user.id, role)))}
              onRemove={() => void run(dispatch(removeGroupMember(group.id, member.user.id)))}
            />
          ))}
        </ul>
        {owner && (
          <AddPeople
            memberIds={new Set(group.members.map((member) => member.user.id))}
            busy={busy}
            onAdd={(userIds) => run(dispatch(addGroupMembers(group.id, userIds)))}
          />
        )}
        {error !== null && (
          <div role="alert" className="alert alert-error">
            {error}
          </div>
        )}
        <LeaveGroup busy={busy} onLeave={() => void run(dispatch(leaveGroup(group.id)))} />
      </div>
      <div className="modal-action mt-0">
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </Modal>
  );
}

function RenameForm({
  name,
  busy,
  onRename,
  onInvalid,
}: {
  name: string;
  busy: boolean;
  onRename: (name: string) => Promise<boolean>;
  onInvalid: (message: string) => void;
}) {
  const [draft, setDraft] = useState(name);

  function submit(event: FormEvent) {
    event.preventDefault();
    const check = checkGroupName(draft);
    if (check.ok) void onRename(check.value);
    else onInvalid(`The name ${check.problems.join(" and ")}.`);
  }

  return (
    <form className="flex items-end gap-2" onSubmit={submit}>
      <label className="floating-label flex-1">
        <span>Group name</span>
        <input
          className="input w-full"
          placeholder="Group name"
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
        />
      </label>
      <button type="submit" className="btn" disabled={busy || draft.trim() === name}>
        Rename
      </button>
    </form>
  );
}

function MemberRow({
  member,
  self,
  manage,
  busy,
  onRole,
  onRemove,
}: {
  member: GroupMember;
  self: boolean;
  manage: boolean;
  busy: boolean;
  onRole: (role: GroupMember["role"]) => void;
  onRemove: () => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const name = member.user.displayName;
  return (
    <li className="flex flex-wrap items-center gap-2 py-1">
      <Avatar user={member.user} small />
      <span className="min-w-0 flex-1 truncate">
        {name}
        {self && <span className="text-base-content/70"> (you)</span>}
      </span>
      {member.role === "owner" && <span className="badge badge-outline badge-sm">Owner</span>}
      {manage &&
        (confirming ? (
          <span role="group" aria-label={`Remove ${name}?`} className="flex gap-1">
            <button type="button" className="btn btn-error btn-xs" disabled={busy} onClick={onRemove}>
              Remove {name}
            </button>
            <button type="button" className="btn btn-ghost btn-xs" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <span className="flex gap-1">
            <button
              type="button"
              className="btn btn-ghost btn-xs"
              disabled={busy}
              onClick={() => onRole(member.role === "owner" ? "member" : "owner")}
            >
              {member.role === "owner" ? `Make ${name} a member` : `Make ${name} an owner`}
            </button>
            <button
              type="button"
              className="btn btn-ghost btn-xs"
              aria-label={`Remove ${name}`}
              disabled={busy}
              onClick={() => setConfirming(true)}
            >
              Remove
            </button>
          </span>
        ))}
    </li>
  );
}

function AddPeople({
  memberIds,
  busy,
  onAdd,
}: {
  memberIds: ReadonlySet<string>;
  busy: boolean;
  onAdd: (userIds: string[]) => Promise<boolean>;
}) {
  const [picked, setPicked] = useState<User[]>([]);

  function toggle(user: User) {
    setPicked((current) =>
      current.some((other) => other.id === user.id)
        ? current.filter((other) => other.id !== user.id)
        : [...current, user],
    );
  }

  async function add() {
    if (await onAdd(picked.map((user) => user.id))) setPicked([]);
  }

  return (
    <section aria-label="Add people" className="flex flex-col gap-2">
      <PeoplePicker picked={picked} onToggle={toggle} memberIds={memberIds} />
      <button
        type="button"
        className="btn btn-primary self-end"
        disabled={busy || picked.length === 0}
        onClick={() => void add()}
      >
        Add {picked.length > 0 ? picked.length : ""} to the group
      </button>
    </section>
  );
}

function LeaveGroup({ busy, onLeave }: { busy: boolean; onLeave: () => void }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" className="btn btn-outline btn-error self-start" onClick={() => setConfirming(true)}>
        Leave group
      </button>
    );
  }
  return (
    <div role="group" aria-label="Leave this group?" className="flex flex-wrap items-center gap-2">
      <span>Leave this group? You will no longer see its messages.</span>
      <button type="button" className="btn btn-error btn-sm" disabled={busy} onClick={onLeave}>
        Leave
      </button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </div>
  );
}
