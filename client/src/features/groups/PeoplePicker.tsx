import type { User } from "../../../../shared/protocol";
import { PeopleSearch } from "../users/PeopleSearch";
import { Avatar } from "../users/PersonLink";

type PeoplePickerProps = {
  picked: readonly User[];
  onToggle: (user: User) => void;
  /** Already in the group: shown, but not pickable. */
  memberIds?: ReadonlySet<string>;
};

/** People to put in a group: the user search, each person a toggle, the picked ones listed above it. */
export function PeoplePicker({ picked, onToggle, memberIds }: PeoplePickerProps) {
  const pickedIds = new Set(picked.map((user) => user.id));
  return (
    <div className="flex flex-col gap-2">
      {picked.length > 0 && (
        <ul aria-label="Picked people" className="flex flex-wrap gap-1">
          {picked.map((user) => (
            <li key={user.id}>
              <button
                type="button"
                className="badge badge-primary gap-1"
                aria-label={`Remove ${user.displayName}`}
                onClick={() => onToggle(user)}
              >
                {user.displayName} <span aria-hidden="true">×</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <PeopleSearch
        renderPerson={(user) => (
          <PickablePerson
            user={user}
            member={memberIds?.has(user.id) ?? false}
            picked={pickedIds.has(user.id)}
            onToggle={onToggle}
          />
        )}
      />
    </div>
  );
}

function PickablePerson({
  user,
  member,
  picked,
  onToggle,
}: {
  user: User;
  member: boolean;
  picked: boolean;
  onToggle: (user: User) => void;
}) {
  return (
    <button
      type="button"
      className="rounded-box hover:bg-base-200 flex w-full items-center gap-3 px-3 py-2 text-left"
      aria-pressed={member || picked}
      disabled={member}
      onClick={() => onToggle(user)}
    >
      <Avatar user={user} small />
      <span className="flex min-w-0 flex-1 flex-col">
        <span className="truncate font-medium">{user.displayName}</span>
        <span className="text-base-content/70 truncate text-sm">@{user.username}</span>
      </span>
      <span className="text-base-content/70 text-xs">{member ? "Member" : picked ? "Picked" : ""}</span>
    </button>
  );
}
