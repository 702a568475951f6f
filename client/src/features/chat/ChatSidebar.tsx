import { NavLink } from "react-router-dom";
import type { ConversationSummary, User } from "../../../../shared/protocol";
import { useApiGet } from "../../api/useApiGet";
import { Avatar } from "../users/PersonLink";

/** Everyone I can open a chat with: people I talk to first (newest activity first), then everyone else. */
export function ChatSidebar() {
  const conversations = useApiGet<{ conversations: ConversationSummary[] }>("/api/conversations");
  const people = useApiGet<{ users: User[] }>("/api/users");

  const talkedTo = conversations.status === "success" ? conversations.data.conversations.map((c) => c.peer) : [];
  const talkedToIds = new Set(talkedTo.map((peer) => peer.id));
  // Each person is listed once, so a link is found by name without ambiguity.
  const others = people.status === "success" ? people.data.users.filter((user) => !talkedToIds.has(user.id)) : [];
  const loading = conversations.status === "loading" || people.status === "loading";
  const failed = conversations.status === "error" || people.status === "error";

  return (
    <nav
      aria-label="Conversations"
      className="border-base-300 bg-base-100 flex shrink-0 gap-4 overflow-x-auto border-b p-2 md:w-64 md:flex-col md:overflow-x-visible md:overflow-y-auto md:border-r md:border-b-0"
    >
      <PeopleGroup title="Chats" people={talkedTo} />
      <PeopleGroup title="People" people={others} />
      {loading && <span className="loading loading-dots loading-sm self-center" aria-label="Loading people" />}
      {failed && <p className="text-error px-2 text-sm">Could not load the list of people.</p>}
    </nav>
  );
}

function PeopleGroup({ title, people }: { title: string; people: User[] }) {
  if (people.length === 0) return null;
  return (
    <div className="flex gap-1 md:flex-col">
      <h2 className="text-base-content/60 hidden px-2 text-xs font-semibold tracking-wide uppercase md:block">
        {title}
      </h2>
      <ul className="flex gap-1 md:flex-col">
        {people.map((person) => (
          <li key={person.id}>
            <NavLink
              to={`/chat/${person.id}`}
              className={({ isActive }) =>
                `flex items-center gap-2 rounded-box px-2 py-1.5 whitespace-nowrap hover:bg-base-200 ${isActive ? "bg-base-200 font-semibold" : ""}`
              }
            >
              <Avatar user={person} size="w-8" />
              <span className="truncate">{person.displayName}</span>
            </NavLink>
          </li>
        ))}
      </ul>
    </div>
  );
}
