import { useParams } from "react-router-dom";
import { groupConversationId, ID_PATTERN } from "../../../shared/protocol";
import { useSignedInUser } from "../features/auth/SignedInUser";
import { ChatActionsContext } from "../features/chat/chatActions";
import { ChatSidebar } from "../features/conversations/ChatSidebar";
import { NotifySettingsMenu } from "../features/conversations/NotifySettingsMenu";
import { useUnreadTitle } from "../features/conversations/useUnreadTitle";
import { GroupRoute } from "../features/groups/GroupPage";
import { useRouteSocket } from "../realtime/useRouteSocket";
import { AccountMenu } from "./AccountMenu";

/** /group/:groupId with the socket of that group's conversation; an id that cannot exist never opens one. */
export function LiveGroupRoute() {
  const { groupId = "" } = useParams();
  const me = useSignedInUser();
  const valid = ID_PATTERN.test(groupId);
  const actions = useRouteSocket(valid ? groupConversationId(groupId) : null, me.id, valid);
  useUnreadTitle();
  return (
    <ChatActionsContext value={actions}>
      <GroupRoute
        sidebar={<ChatSidebar />}
        accountMenu={<AccountMenu />}
        conversationControls={
          valid && (
            <NotifySettingsMenu
              conversationId={groupConversationId(groupId)}
              conversationRef={groupConversationId(groupId)}
            />
          )
        }
      />
    </ChatActionsContext>
  );
}
