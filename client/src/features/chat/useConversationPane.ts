import { useCallback, useState } from "react";
import type { Message } from "../../../../shared/protocol";
import { useAppSelector } from "../../app/hooks";
import { useSignedInUser } from "../auth/SignedInUser";
import { useChatActions } from "./chatActions";
import { selectHasOlder, selectJoinError } from "./selectors";
import { useOlderMessages } from "./useOlderMessages";

/**
 * What a DM's page and a group's give their message list and composer alike: the route's actions, the reply
 * being written and the older pages. `ref` names the history to page, as useOlderMessages takes it.
 */
export function useConversationPane(conversationId: string, ref: string) {
  const me = useSignedInUser();
  const { send, retry, discard, edit, remove, react, rejoin, notifyTyping } = useChatActions();
  // Kept with its conversation: switching chats never carries a reply over.
  const [reply, setReply] = useState<{ conversationId: string; message: Message } | null>(null);
  const startReply = useCallback((message: Message) => setReply({ conversationId, message }), [conversationId]);
  const joinError = useAppSelector((state) => selectJoinError(state, conversationId));
  const hasOlder = useAppSelector((state) => selectHasOlder(state, conversationId));
  const older = useOlderMessages(ref, conversationId);

  return {
    joinError,
    listProps: {
      conversationId,
      selfId: me.id,
      onRetry: retry,
      onDiscard: discard,
      onEdit: edit,
      onDelete: remove,
      onReply: startReply,
      onReact: react,
      onRetryJoin: rejoin,
      hasOlder,
      loadingOlder: older.loading,
      olderError: older.error,
      onLoadOlder: () => void older.loadOlder(),
    },
    composerProps: {
      conversationId,
      onSend: send,
      onTyping: notifyTyping,
      disabled: joinError !== null,
      replyingTo: reply?.conversationId === conversationId ? reply.message : null,
      onCancelReply: () => setReply(null),
    },
  };
}
