import { useSignedInUser } from "../features/auth/SignedInUser";
import { HomePage } from "../features/conversations/HomePage";
import { useUnreadTitle } from "../features/conversations/useUnreadTitle";
import { useRouteSocket } from "../realtime/useRouteSocket";
import { AccountMenu } from "./AccountMenu";

/** The home page, live: its own socket keeps the list, unread counts, presence and notifications current. */
export function LiveHomeRoute() {
  const me = useSignedInUser();
  useRouteSocket(null, me.id);
  useUnreadTitle();
  return <HomePage accountMenu={<AccountMenu />} />;
}
