// The bare Socket.IO relay Parley is measured against (bench/peers.ts): the
// same rooms, payload and broadcast as Parley's server, and nothing else — no
// authentication, no validation, no storage. A client names itself with
// `auth: { userId }`; `message:send` is acked and emitted as `message:new` to
// the conversation room and both users' rooms, so the sender's sockets get
// the echo as they do from Parley. With a `conversationId` instead of a
// `peerId` (bench/fanout.ts), join enters that room and a send goes to it: a
// group's broadcast without a members list. Run as a forked child: it sends
// its port to the parent once it listens.
import { createServer } from "node:http";
import { Server } from "socket.io";
import { newMessageId } from "../server/src/lib/ids";
import { LIMITS, conversationIdFor, userRoom, type Message } from "../shared/protocol";

const http = createServer();
const io = new Server(http, { maxHttpBufferSize: LIMITS.payloadMaxBytes });
// A counter shared by every conversation: the payload carries a seq as Parley's does, without per-conversation state.
let seq = 0;

io.on("connection", (socket) => {
  const userId = String(socket.handshake.auth.userId);
  void socket.join(userRoom(userId));

  type Ref = { peerId?: string; conversationId?: string };
  const roomOf = (ref: Ref) => ref.conversationId ?? conversationIdFor(userId, String(ref.peerId));

  socket.on("conversation:join", (ref: Ref, ack: (response: unknown) => void) => {
    const conversationId = roomOf(ref);
    void socket.join(conversationId);
    ack({ ok: true, conversationId, messages: [], hasMore: false });
  });

  socket.on(
    "message:send",
    ({ clientId, body, ...ref }: Ref & { clientId: string; body: string }, ack: (r: unknown) => void) => {
      seq++;
      const peerId = ref.peerId ?? null;
      const message: Message = {
        // Made as Parley makes its ids: a call into the CSPRNG per id would cost the relay a sixth of its CPU.
        id: newMessageId(),
        conversationId: roomOf(ref),
        seq,
        senderId: userId,
        recipientId: peerId,
        clientId,
        body: body.trim(),
        createdAt: new Date().toISOString(),
        editedAt: null,
        deletedAt: null,
        rev: seq,
        kind: "text",
        replyTo: null,
        attachments: [],
        reactions: [],
        mentions: [],
        system: null,
      };
      const rooms = [message.conversationId, userRoom(userId)];
      if (peerId !== null) rooms.push(userRoom(peerId));
      io.to(rooms).emit("message:new", message);
      ack({ ok: true, message });
    },
  );
});

http.listen(0, "127.0.0.1", () => {
  const address = http.address();
  if (typeof address === "object" && address) process.send?.({ port: address.port });
});
process.on("disconnect", () => process.exit(0));
