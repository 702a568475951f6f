import { useParams } from "react-router-dom";
import { conversationIdFor, ID_PATTERN } from "../../../shared/protocol";
import { useSignedInUser } from "../features/auth/SignedInUser";
import { ChatActionsContext } from "../features/chat/chatActions";
import { ChatRoute } from "../features/chat/ChatPage";
import { ChatSidebar } from "../features/conversations/ChatSidebar";
import { NotifySettingsMenu } from "../features/conversations/NotifySettingsMenu";
import { useUnreadTitle } from "../features/conversations/useUnreadTitle";
import { useRouteSocket } from "../realtime/useRouteSocket";
import { AccountMenu } from "./AccountMenu";

/** /chat/:userId with the socket of that conversation; an id that cannot exist never opens one. */
export function LiveChatRoute() {
  const { userId = "" } = useParams();
  const me = useSignedInUser();
  const valid = ID_PATTERN.test(userId);
  const actions = useRouteSocket(valid ? userId : null, me.id, valid);
  useUnreadTitle();
  return (
    <ChatActionsContext value={actions}>
      <ChatRoute
        sidebar={<ChatSidebar />}
        accountMenu={<AccountMenu />}
        conversationControls={
          valid && <NotifySettingsMenu conversationId={conversationIdFor(me.id, userId)} conversationRef={userId} />
        }
      />
    </ChatActionsContext>
  );
}
