import type { ReactNode } from "react";
import { NavLink } from "react-router-dom";
import type { User } from "../../../../shared/protocol";
import { useAppSelector } from "../../app/hooks";
import { useQuery, usersQuery } from "../../app/parleyApi";
import { Avatar } from "../users/PersonLink";
import { ConversationLink } from "./ConversationLink";
import { MoreConversations } from "./MoreConversations";
import { selectConversationList } from "./selectors";
import { useConversationListLoad } from "./useConversationListLoad";

/**
 * Everyone I can open a chat with: my conversations (newest activity first, live), then everyone else.
 * The list pane beside the chat (hidden on phones, where the list is the home page); app/ hands it to the chat.
 */
export function ChatSidebar() {
  const conversations = useAppSelector(selectConversationList);
  const conversationsLoad = useConversationListLoad().status;
  const people = useQuery(usersQuery, "");

  const talkedToIds = new Set(
    conversations.flatMap((conversation) => (conversation.peer ? [conversation.peer.id] : [])),
  );
  // Each person is listed once, so a link is found by name without ambiguity.
  const others = (people.currentData ?? []).filter((user) => !talkedToIds.has(user.id));
  const loading = conversationsLoad === "loading" || people.isLoading;
  const failed = conversationsLoad === "failed" || people.isError;

  return (
    <nav aria-label="Conversations" className="flex flex-col gap-4 p-2">
      {conversations.length > 0 && (
        <Group title="Chats" footer={<MoreConversations />}>
          {conversations.map((conversation) => (
            <li key={conversation.conversationId}>
              <ConversationLink conversation={conversation} compact />
            </li>
          ))}
        </Group>
      )}
      {others.length > 0 && (
        <Group title="People">
          {others.map((person) => (
            <li key={person.id}>
              <PersonNavLink person={person} />
            </li>
          ))}
        </Group>
      )}
      {loading && <span className="loading loading-dots loading-sm self-center" aria-label="Loading people" />}
      {failed && <p className="text-error px-2 text-sm">Could not load the list of people.</p>}
    </nav>
  );
}

function Group({ title, children, footer }: { title: string; children: ReactNode; footer?: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <h2 className="text-base-content/70 px-2 text-xs font-semibold tracking-wide uppercase">{title}</h2>
      <ul className="flex flex-col gap-1">{children}</ul>
      {footer}
    </div>
  );
}

function PersonNavLink({ person }: { person: User }) {
  return (
    <NavLink
      to={`/chat/${person.id}`}
      className={({ isActive }) =>
        `flex items-center gap-2 rounded-box px-2 py-1.5 hover:bg-base-200 ${isActive ? "bg-base-200 font-semibold" : ""}`
      }
    >
      <Avatar user={person} small />
      <span className="truncate">{person.displayName}</span>
    </NavLink>
  );
}
