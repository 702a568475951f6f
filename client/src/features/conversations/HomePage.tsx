import { TopBar } from "../../components/TopBar";
import { UserMenu } from "../auth/UserMenu";
import { PeopleSearch } from "../users/PeopleSearch";
import { ConversationList } from "./ConversationList";
import { useUnreadTitle } from "./useUnreadTitle";

export function HomePage() {
  useUnreadTitle();
  return (
    <div className="min-h-dvh">
      <TopBar start={<h1 className="text-primary px-2 text-xl font-bold">Parley</h1>} end={<UserMenu />} />
      <main className="mx-auto flex max-w-2xl flex-col gap-4 p-2 sm:p-4">
        <ConversationList />
        <PeopleSearch />
      </main>
    </div>
  );
}
