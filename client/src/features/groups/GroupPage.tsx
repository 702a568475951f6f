import { useMemo, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { groupConversationId, ID_PATTERN, type Group } from "../../../../shared/protocol";
import { useAppSelector } from "../../app/hooks";
import { useSignedInUser } from "../auth/SignedInUser";
import { ChatShell, type Frame } from "../chat/ChatPage";
import { useChatActions } from "../chat/chatActions";
import { Composer } from "../chat/Composer";
import { ConversationMembersContext } from "../chat/conversationMembers";
import { ConnectionBanner } from "../chat/ConnectionStatus";
import { MessageList } from "../chat/MessageList";
import { selectGroup } from "../chat/selectors";
import { useConversationPane } from "../chat/useConversationPane";
import { memberCount } from "./memberCount";
import { GroupTypingIndicator } from "./GroupTypingIndicator";
import { MembersDialog } from "./MembersDialog";
import { SeenBy } from "./SeenBy";
import { FORMER_MEMBER } from "../chat/systemText";

/** /group/:groupId — an id that cannot exist never opens a socket. */
export function GroupRoute(frame: Frame) {
  const { groupId = "" } = useParams();
  return ID_PATTERN.test(groupId) ? (
    <GroupPage groupId={groupId} frame={frame} />
  ) : (
    <ChatShell frame={frame} title="Group not found" body={<GroupGone notFound />} />
  );
}

function GroupPage({ groupId, frame }: { groupId: string; frame: Frame }) {
  const me = useSignedInUser();
  const conversationId = groupConversationId(groupId);
  const { reconnect } = useChatActions();
  const { joinError, listProps, composerProps } = useConversationPane(conversationId, conversationId);
  const group = useAppSelector((state) => selectGroup(state, conversationId));
  const nameOf = useNameOf(group);
  const members = useMemo(
    () => ({ selfId: me.id, members: group ? group.members.map((member) => member.user) : [me] }),
    [me, group],
  );
  const [membersOpen, setMembersOpen] = useState(false);

  const membership = group?.members.find((candidate) => candidate.user.id === me.id);
  // Removed or left: the last live event said so, or a later join answers NOT_FOUND (v2 §2).
  if ((group !== null && membership === undefined) || joinError?.code === "NOT_FOUND") {
    return (
      <ChatShell
        frame={frame}
        title={group?.name ?? "Group not found"}
        body={<GroupGone notFound={group === null} />}
      />
    );
  }

  return (
    <ChatShell
      frame={frame}
      live
      title={group ? group.name : <TitleSkeleton />}
      subtitle={
        group ? (
          <span className="text-base-content/70 text-xs">{memberCount(group.members.length)}</span>
        ) : (
          <span className="skeleton mt-1 block h-3 w-20" />
        )
      }
      actions={
        group && (
          <>
            {frame.conversationControls}
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              aria-haspopup="dialog"
              onClick={() => setMembersOpen(true)}
            >
              Members
            </button>
          </>
        )
      }
      body={
        <ConversationMembersContext value={members}>
          <ConnectionBanner onReconnect={reconnect} />
          {/* Keyed by conversation: scroll position and draft belong to one conversation, not to the route. */}
          <MessageList
            key={`messages:${conversationId}`}
            {...listProps}
            peerName={group?.name ?? ""}
            nameOf={nameOf}
            deletesOthers={membership?.role === "owner"}
          />
          <SeenBy conversationId={conversationId} selfId={me.id} />
          <GroupTypingIndicator conversationId={conversationId} nameOf={nameOf} />
          <Composer key={`composer:${conversationId}`} {...composerProps} />
          {membersOpen && group && <MembersDialog group={group} onClose={() => setMembersOpen(false)} />}
        </ConversationMembersContext>
      }
    />
  );
}

/** Members' names by id; someone no longer a member is named neutrally (their name is not kept). */
function useNameOf(group: Group | null): (userId: string) => string {
  const members = group?.members;
  return useMemo(() => {
    const names = new Map(members?.map((member) => [member.user.id, member.user.displayName]));
    return (userId: string) => names.get(userId) ?? FORMER_MEMBER;
  }, [members]);
}

function TitleSkeleton() {
  return (
    <>
      <span className="skeleton block h-5 w-32" aria-hidden="true" />
      <span className="sr-only">Loading…</span>
    </>
  );
}

/** Nothing more to show: the group does not exist for me (never did, or I am no longer a member). */
function GroupGone({ notFound }: { notFound: boolean }) {
  return (
    <div className="flex flex-1 items-center justify-center p-4">
      <div role="alert" className="alert max-w-md">
        <span>
          {notFound ? (
            <>
              <strong>Group not found.</strong> It does not exist, or you are not a member.
            </>
          ) : (
            <strong>You are no longer a member of this group.</strong>
          )}
        </span>
        <Link to="/" className="btn btn-sm btn-primary">
          Back to conversations
        </Link>
      </div>
    </div>
  );
}
