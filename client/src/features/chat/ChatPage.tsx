import { useMemo, type ReactNode } from "react";
import { Link, useParams } from "react-router-dom";
import { conversationIdFor, ID_PATTERN, type User } from "../../../../shared/protocol";
import { errorMessage, isApiFailure } from "../../api/http";
import { useQuery, userQuery } from "../../app/parleyApi";
import { BackToHomeLink } from "../../components/BackToHomeLink";
import { TopBar } from "../../components/TopBar";
import { TwoPane } from "../../components/TwoPane";
import { useSignedInUser } from "../auth/SignedInUser";
import { PresenceDot, PresenceText } from "../presence/PresenceDot";
import { useChatActions } from "./chatActions";
import { Composer } from "./Composer";
import { ConversationMembersContext } from "./conversationMembers";
import { ConnectionBanner, ConnectionStatus } from "./ConnectionStatus";
import { MessageList } from "./MessageList";
import { TypingIndicator } from "./TypingIndicator";
import { useConversationPane } from "./useConversationPane";

/**
 * What app/ composes around a chat: the list pane beside it, the account menu of its top bar and the open
 * conversation's own controls (its notification settings).
 */
export type Frame = { sidebar: ReactNode; accountMenu: ReactNode; conversationControls?: ReactNode };

/** /chat/:userId — an id that cannot exist never opens a socket. */
export function ChatRoute(frame: Frame) {
  const { userId = "" } = useParams();
  return ID_PATTERN.test(userId) ? (
    <ChatPage peerId={userId} frame={frame} />
  ) : (
    <ChatShell frame={frame} title="User not found" body={<UserNotFound />} />
  );
}

function ChatPage({ peerId, frame }: { peerId: string; frame: Frame }) {
  const me = useSignedInUser();
  const peerResult = useQuery(userQuery, peerId);
  const conversationId = conversationIdFor(me.id, peerId);
  const { reconnect } = useChatActions();
  const { joinError, listProps, composerProps } = useConversationPane(conversationId, peerId);
  // currentData: this peer's, never the previous peer's while this one loads.
  const peer = peerResult.currentData ?? null;
  const members = useMemo(() => ({ selfId: me.id, members: peer ? [me, peer] : [me] }), [me, peer]);

  const notFound =
    (peerResult.isError && isApiFailure(peerResult.error) && peerResult.error.code === "NOT_FOUND") ||
    joinError?.code === "NOT_FOUND";
  if (notFound) return <ChatShell frame={frame} title="User not found" body={<UserNotFound />} />;

  const peerName = peer?.displayName ?? "";

  return (
    <ChatShell
      frame={frame}
      live
      actions={frame.conversationControls}
      title={peer ? peerName : <PeerSkeleton />}
      subtitle={peer ? <PeerPresence peer={peer} /> : <span className="skeleton mt-1 block h-3 w-20" />}
      body={
        <ConversationMembersContext value={members}>
          <ConnectionBanner onReconnect={reconnect} />
          {peerResult.isError && (
            <div role="alert" className="alert alert-error m-2">
              {errorMessage(peerResult.error)}
            </div>
          )}
          {/* Keyed by conversation: scroll position and draft belong to one conversation, not to the route. */}
          <MessageList key={`messages:${conversationId}`} {...listProps} peerName={peerName} />
          <TypingIndicator conversationId={conversationId} peerName={peerName} />
          <Composer key={`composer:${conversationId}`} {...composerProps} />
        </ConversationMembersContext>
      }
    />
  );
}

type ChatShellProps = {
  frame: Frame;
  title: ReactNode;
  subtitle?: ReactNode;
  body: ReactNode;
  live?: boolean;
  /** Controls beside the connection status (a group's members panel). */
  actions?: ReactNode;
};

/** The chat pages' frame (a DM's or a group's): top bar with title and status, list pane, conversation. */
export function ChatShell({ frame, title, subtitle, body, live = false, actions }: ChatShellProps) {
  return (
    <div className="flex h-dvh flex-col">
      <TopBar
        start={
          <>
            <BackToHomeLink />
            <div className="flex min-w-0 flex-col">
              <h1 className="truncate text-lg leading-tight font-semibold">{title}</h1>
              {subtitle}
            </div>
          </>
        }
        end={
          <>
            {actions}
            {live && <ConnectionStatus />}
            {frame.accountMenu}
          </>
        }
      />
      <TwoPane
        show="detail"
        list={frame.sidebar}
        detail={<main className="bg-base-200 flex min-h-0 min-w-0 flex-1 flex-col">{body}</main>}
      />
    </div>
  );
}

function PeerPresence({ peer }: { peer: User }) {
  return (
    <span className="text-base-content/70 flex items-center gap-1.5 text-xs">
      <PresenceDot user={peer} />
      <PresenceText user={peer} testId="peer-presence" />
    </span>
  );
}

/** Stands in for the peer's name and presence until they load; the heading still names the page. */
function PeerSkeleton() {
  return (
    <>
      <span className="skeleton block h-5 w-32" aria-hidden="true" />
      <span className="sr-only">Loading…</span>
    </>
  );
}

function UserNotFound() {
  return (
    <div className="flex flex-1 items-center justify-center p-4">
      <div role="alert" className="alert max-w-md">
        <span>
          <strong>User not found.</strong> This link does not lead to anyone on Parley.
        </span>
        <Link to="/" className="btn btn-sm btn-primary">
          Find people
        </Link>
      </div>
    </div>
  );
}
