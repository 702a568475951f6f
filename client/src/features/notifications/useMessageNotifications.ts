import { useEffect } from "react";
import { useNavigate } from "react-router-dom";
import { addAppListener, useAppDispatch } from "../../app/hooks";
import { messageReceived } from "../chat/chatSlice";
import { groupIdOf } from "../chat/conversationRef";
import { notifyLevelOf } from "../../lib/notifyLevel";
import { currentPermission, isOptedIn, shouldNotify } from "./notificationPolicy";

const PREVIEW_MAX = 120;

/**
 * Rings a browser notification for a peer's message while the tab is hidden, as the conversation's notify level
 * allows; a click opens that chat.
 */
export function useMessageNotifications(): void {
  const dispatch = useAppDispatch();
  const navigate = useNavigate();

  useEffect(
    () =>
      dispatch(
        addAppListener({
          actionCreator: messageReceived,
          effect: ({ payload: message }, api) => {
            // The state before this message: whether it was already held, and who sent it.
            const before = api.getOriginalState();
            const entry = before.conversations.entries[message.conversationId];
            const notify = shouldNotify({
              message,
              selfId: before.auth.user?.id ?? null,
              visibility: document.visibilityState,
              permission: currentPermission(),
              optedIn: isOptedIn(),
              heldSeq: entry?.lastMessage?.seq ?? 0,
              // A conversation not listed yet has the default level.
              level: entry ? notifyLevelOf(entry, Date.now()) : "all",
            });
            if (!notify) return;
            const title = entry?.group?.name ?? entry?.peer?.displayName ?? "New message on Parley";
            const notification = new Notification(title, {
              body: message.body.slice(0, PREVIEW_MAX),
              // One notification per conversation: a newer message replaces the older one.
              tag: message.conversationId,
            });
            notification.onclick = () => {
              window.focus();
              const groupId = groupIdOf(message.conversationId);
              navigate(groupId === null ? `/chat/${message.senderId}` : `/group/${groupId}`);
              notification.close();
            };
          },
        }),
      ),
    [dispatch, navigate],
  );
}
