import type { HandlerContext } from "./handler-context";

export function registerReactionHandlers({ socket, events, services }: HandlerContext): void {
  const selfId = socket.data.userId;
  events.onAcked("reaction:add", async (payload) => ({ message: await services.reactions.add(selfId, payload) }));
  events.onAcked("reaction:remove", async (payload) => {
    const message = await services.reactions.remove(selfId, payload);
    return message ? { message } : {};
  });
}
