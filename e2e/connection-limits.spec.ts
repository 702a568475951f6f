import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../shared/protocol";
import { expect, makeUser, registerViaApi, signInWithToken, test } from "./support";

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The per-user socket cap of the server (MAX_SOCKETS_PER_USER, default 20). */
const MAX_SOCKETS_PER_USER = 20;

function connect(baseURL: string, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(baseURL, { auth: { token }, transports: ["websocket"], forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => {
      socket.disconnect();
      reject(error);
    });
  });
}

test("a tab over the socket limit says why it is not connected, and connects once another closes", async ({
  newUserPage,
  request,
  baseURL,
}) => {
  const alice = await registerViaApi(request, makeUser("Alice"));
  const bob = await registerViaApi(request, makeUser("Bob"));
  const others: ClientSocket[] = [];
  try {
    // Alice's other tabs and devices take every socket she may hold.
    for (let i = 0; i < MAX_SOCKETS_PER_USER; i += 1) others.push(await connect(baseURL!, alice.token));

    const page = await newUserPage();
    await signInWithToken(page, alice.token);
    await page.goto(`/chat/${bob.user.id}`);
    await expect(page.getByTestId("connection-status")).toHaveText("Too many connections");
    await expect(page.getByTestId("connection-banner")).toContainText("Too many open tabs or devices");

    others.pop()?.disconnect();
    await page.getByRole("button", { name: "Reconnect" }).click();
    await expect(page.getByTestId("connection-status")).toHaveText("Connected");
    await expect(page.getByTestId("connection-banner")).toBeHidden();
  } finally {
    for (const socket of others) socket.disconnect();
  }
});
