import type { HandlerContext } from "./handler-context";

export function registerReceiptHandlers({ socket, events, services }: HandlerContext): void {
  const selfId = socket.data.userId;
  events.onAcked("conversation:receipt", async (payload) => {
    await services.receipts.update(selfId, payload);
    return {};
  });
}
