import type { ReactNode } from "react";
import { TopBar } from "../../components/TopBar";
import { TwoPane } from "../../components/TwoPane";
import { useAppSelector } from "../../app/hooks";
import { PeopleSearch } from "../users/PeopleSearch";
import { ConversationList } from "./ConversationList";
import { selectConversationList } from "./selectors";

/** The home route's page; `accountMenu` comes from app/, which composes it for every signed-in page. */
export function HomePage({ accountMenu }: { accountMenu: ReactNode }) {
  const conversations = useAppSelector(selectConversationList);
  // People I already chat with are listed once, as conversations, not again as search results.
  const talkedTo = conversations.flatMap((conversation) => (conversation.peer ? [conversation.peer.id] : []));
  return (
    <div className="flex h-dvh flex-col">
      <TopBar start={<h1 className="text-primary px-2 text-xl font-bold">Parley</h1>} end={accountMenu} />
      <main className="bg-base-200 flex min-h-0 flex-1 flex-col">
        <TwoPane
          show="list"
          list={
            <div className="flex flex-col gap-4 p-2 sm:p-4">
              <ConversationList />
              <PeopleSearch excludeIds={talkedTo} />
            </div>
          }
          detail={<NoChatOpen />}
        />
      </main>
    </div>
  );
}

/** Where the chat goes once one is picked (desktop only: on phones the list is the whole page). */
function NoChatOpen() {
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-2 p-8 text-center">
      <p className="text-lg font-semibold">Pick a conversation</p>
      <p className="text-base-content/70 max-w-sm text-sm">
        Choose one on the left, or search for someone to start a new one.
      </p>
    </div>
  );
}
