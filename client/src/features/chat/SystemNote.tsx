import type { Message } from "../../../../shared/protocol";
import { FORMER_MEMBER, describeSystemEvent } from "./systemText";

const anyone = () => FORMER_MEMBER;

/** A group's system message: a centred note in the timeline, not a bubble (nothing to reply to or edit). */
export function SystemNote({
  message,
  nameOf = anyone,
}: {
  message: Message;
  nameOf?: ((userId: string) => string) | undefined;
}) {
  if (message.system === null) return null;
  return (
    <p data-testid="system-note" data-seq={message.seq} className="text-base-content/70 my-1 px-4 text-center text-xs">
      {describeSystemEvent(message.senderId, message.system, nameOf)}
    </p>
  );
}
