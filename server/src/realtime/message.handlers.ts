import type { HandlerContext } from "./handler-context";

export function registerMessageHandlers({ socket, events, services }: HandlerContext): void {
  const selfId = socket.data.userId;
  events.onAcked("message:send", async (payload) => ({ message: await services.messages.send(selfId, payload) }));
  events.onAcked("message:edit", async (payload) => ({ message: await services.messages.edit(selfId, payload) }));
  events.onAcked("message:delete", async (payload) => ({ message: await services.messages.delete(selfId, payload) }));
}
