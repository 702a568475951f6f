/**
 * Property-based fuzzing of the real server (PROTOCOL.md "Payloads", issue 11 "Must show" 2): thousands of
 * random and malformed payloads to every client→server socket event and every HTTP route. Every generated
 * request is invalid by construction: each one carries at least one defect (a malformed field, an unknown
 * id, another user's message, a bad token, a broken body, …), and the contract names the outcome of each
 * defect. The properties:
 * - every acked socket event is answered exactly once, in time, with `{ ok: false, error: { code } }`, the
 *   code being one the contract gives for one of the payload's defects (RATE_LIMITED is tolerated but the
 *   limits are raised so it cannot mask validation); events without an ack and `typing` get no answer and
 *   reach nobody;
 * - every HTTP response is a 4xx with `{ error: { code, message } }`, status and code again one of those
 *   the contract gives for one of the request's defects; never a 5xx;
 * - afterwards the server answers /healthz, the process's RSS grew less than RSS_GROWTH_BOUND_MB and what
 *   is still reachable after a full collection less than HEAP_GROWTH_BOUND_MB (client and server share the
 *   process, so both bounds cover both), nobody received a broadcast, the fuzzing socket got exactly one
 *   ack packet per acked emit, and no row of any table changed (sessions.expires_at is left out:
 *   authenticated requests may renew it, sliding expiry).
 * The shared protocol schemas are not used to generate or to check: the server is the thing under test.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import type { Arbitrary } from "fast-check";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../shared/protocol";
import { conversationIdSchema } from "../../shared/schemas";
import type { Message } from "../../shared/protocol";
import { connectClient, emitAck, http, rawEmit, readTable, registerUser, sendMessage, startServer } from "./helpers";
import type { ClientSocket, TestServer, TestUser } from "./helpers";

// Every limit raised, so RATE_LIMITED never hides the answer the payload itself deserves.
const RAISED_LIMITS = {
  SEND_RATE_BURST: "100000",
  SEND_RATE_PER_SEC: "100000",
  EVENT_RATE_BURST: "100000",
  EVENT_RATE_PER_SEC: "100000",
  REACTION_RATE_BURST: "100000",
  REACTION_RATE_PER_SEC: "100000",
  REGISTER_RATE_PER_HOUR: "100000",
  LOGIN_RATE_PER_MIN: "100000",
  LOGIN_MAX_FAILURES: "100000",
};
const PASSWORD = "password-123"; // registerUser's password: the one string no generated password may be
const RSS_GROWTH_BOUND_MB = 150;
// What is still reachable (JS heap and buffers) after a full collection: a tighter bound for leaks.
const HEAP_GROWTH_BOUND_MB = 50;
const ACK_TIMEOUT_MS = 3000;
const SOCKET_RUNS = 700; // per acked event
const HTTP_RUNS = 170; // per route
// A failing property still ends in time: shrinking stops after this and the best counterexample is reported.
const FC_OPTIONS = { interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true } as const;
const FUZZ_TIMEOUT_MS = 60_000;

// A full collection before each memory reading, so garbage not yet collected does not count as growth.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;
function memoryMB(): { rss: number; heap: number } {
  collectGarbage();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss: rss / 1024 / 1024, heap: (heapUsed + external) / 1024 / 1024 };
}

// ---------------------------------------------------------------- fixture

let server: TestServer;
let alice: TestUser; // the fuzzer
let bob: TestUser; // alice's peer
let carol: TestUser; // strangers to each other's conversations with alice
let dave: TestUser;
let fuzzSocket: ClientSocket;
let revokedToken: string;
const ownLive: Message[] = []; // alice's messages to bob
const ownDeleted: Message[] = []; // alice's, deleted by her
const peerMessages: Message[] = []; // bob's to alice: FORBIDDEN to edit or delete for alice
const strangerMessages: Message[] = []; // carol's and dave's: NOT_FOUND for alice
const knownIds = new Set<string>();
/** What bob, carol and dave receive during the fuzz: nothing is the property. */
const received: { who: string; event: string; payload: unknown }[] = [];
let dbBefore: Record<string, string[]>;
let memoryBefore = { rss: 0, heap: 0 };
let ackedEmits = 0;
let ackPackets = 0;

const stats = {
  socketEvents: 0,
  httpRequests: 0,
  byEvent: {} as Record<string, number>,
  byCode: {} as Record<string, number>,
  status: {} as Record<string, number>,
  httpByCode: {} as Record<string, number>,
  rssGrowthMB: 0,
  heapGrowthMB: 0,
  started: Date.now(),
};
const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

/** Every row of every table, each as JSON, sorted; sessions without expires_at (renewed by sliding expiry). */
async function snapshotDatabase(): Promise<Record<string, string[]>> {
  const tables = ["users", "sessions", "conversations", "messages", "conversation_members", "conversation_settings"];
  return Object.fromEntries(
    await Promise.all(
      tables.map(async (table) => {
        const kept = (await readTable(server, table)).map((row) => {
          if (table !== "sessions") return JSON.stringify(row);
          const { expires_at: _renewable, ...rest } = row;
          return JSON.stringify(rest);
        });
        return [table, kept.sort()] as const;
      }),
    ),
  );
}

beforeAll(async () => {
  server = await startServer(RAISED_LIMITS);
  [alice, bob, carol, dave] = await Promise.all([
    registerUser(server, "Alice"),
    registerUser(server, "Bob"),
    registerUser(server, "Carol"),
    registerUser(server, "Dave"),
  ]);
  for (const user of [alice, bob, carol, dave]) knownIds.add(user.user.id);

  const [aliceSocket, bobSocket, carolSocket, daveSocket] = await Promise.all(
    [alice, bob, carol, dave].map((user) => connectClient(server, user.token)),
  );
  fuzzSocket = aliceSocket!;
  for (let i = 0; i < 3; i++) ownLive.push(await sendMessage(fuzzSocket, bob.user.id, `alice ${i}`));
  const toDelete = await sendMessage(fuzzSocket, bob.user.id, "to be deleted");
  const deleted = await emitAck(fuzzSocket, "message:delete", { messageId: toDelete.id });
  if (!deleted.ok) throw new Error(`delete failed: ${deleted.error.code}`);
  ownDeleted.push(deleted.message);
  for (let i = 0; i < 2; i++) peerMessages.push(await sendMessage(bobSocket!, alice.user.id, `bob ${i}`));
  for (let i = 0; i < 2; i++) strangerMessages.push(await sendMessage(carolSocket!, dave.user.id, `carol ${i}`));
  strangerMessages.push(await sendMessage(daveSocket!, carol.user.id, "dave"));
  const receipt = await emitAck(bobSocket!, "conversation:receipt", { peerId: alice.user.id, readSeq: 2 });
  if (!receipt.ok) throw new Error(`receipt failed: ${receipt.error.code}`);
  for (const m of [...ownLive, ...ownDeleted, ...peerMessages, ...strangerMessages]) knownIds.add(m.id);

  // A second session of alice, revoked: its token must be as good as none.
  const login = await http<{ token: string }>(server, "POST", "/api/auth/login", {
    body: { username: alice.user.username, password: PASSWORD },
  });
  revokedToken = login.body.token;
  const logout = await http(server, "POST", "/api/auth/logout", { token: revokedToken });
  if (logout.status !== 204) throw new Error(`logout failed: ${logout.status}`);

  // Let the setup's broadcasts and presence settle before listening and taking the "before" picture.
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const [who, socket] of [
    ["bob", bobSocket!],
    ["carol", carolSocket!],
    ["dave", daveSocket!],
  ] as const) {
    for (const event of ["message:new", "message:updated", "receipt", "typing"]) {
      (socket as unknown as Socket).on(event, (payload: unknown) => received.push({ who, event, payload }));
    }
  }
  // Every acknowledgement packet the fuzzing socket receives, to show each acked event is answered once.
  fuzzSocket.io.on("packet", (packet) => {
    if (packet.type === 3 || packet.type === 6) ackPackets++; // ACK, BINARY_ACK
  });
  dbBefore = await snapshotDatabase();
  memoryBefore = memoryMB();
  stats.started = Date.now();
}, 30_000);

afterAll(async () => {
  const list = (counts: Record<string, number>, sep = ", ") =>
    `{${Object.entries(counts)
      .map(([k, v]) => `${k}:${v}`)
      .join(sep)}}`;
  console.log(
    `[fuzz] socketEvents=${stats.socketEvents} httpRequests=${stats.httpRequests} byCode=${list(stats.byCode)} ` +
      `status=${list(stats.status, ",")} httpByCode=${list(stats.httpByCode)} byEvent=${list(stats.byEvent)} ` +
      `rssGrowthMB=${stats.rssGrowthMB} heapGrowthMB=${stats.heapGrowthMB} ms=${Date.now() - stats.started}`,
  );
  await server?.close();
});

// ---------------------------------------------------------------- generic generators

/** A generated value and the outcomes the contract gives for its defects (none: it is well-formed). */
type Gen = { value: unknown; defects: string[] };
/** One field of an object payload; `omit` leaves the key out. */
type Field = Gen & { omit?: boolean };

const ok = (value: unknown): Field => ({ value, defects: [] });
const bad =
  (defect: string) =>
  (value: unknown): Field => ({ value, defects: [defect] });
const missing = (defect?: string): Arbitrary<Field> =>
  fc.constant({ value: undefined, omit: true, defects: defect ? [defect] : [] });

function nest(depth: number, kind: "object" | "array"): unknown {
  let value: unknown = "x";
  for (let i = 0; i < depth; i++) value = kind === "array" ? [value] : { a: value };
  return value;
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const letters = fc.stringMatching(/^[a-z]{1,10}$/);
const hugeNumber = fc.constantFrom(
  Number.MAX_SAFE_INTEGER + 2,
  2 ** 63,
  1e300,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
);
const anyNumber = fc.oneof(fc.integer(), fc.double(), hugeNumber);
const nested = fc
  .tuple(fc.integer({ min: 1, max: 600 }), fc.constantFrom("object", "array") as Arbitrary<"object" | "array">)
  .map(([depth, kind]) => nest(depth, kind));
/** Anything but a string: numbers, booleans, null, arrays, objects, bytes, deep nesting. */
const notAString = fc.oneof(
  anyNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  fc.uint8Array({ maxLength: 64 }),
  nested,
);
/** A top-level payload that is no object at all. */
const notAnObject = fc.oneof(
  anyNumber,
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 200 }),
  fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }),
  fc.uint8Array({ maxLength: 256 }),
  nested,
);
/** Not a non-negative safe integer: negatives, fractions, huge and non-finite numbers, numeric strings, other types. */
const notASeq = fc.oneof(
  fc.integer({ max: -1 }),
  fc.double().filter((d) => !(Number.isSafeInteger(d) && d >= 0)),
  hugeNumber,
  fc.nat().map(String),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.nat(), { maxKeys: 3 }),
  fc.uint8Array({ maxLength: 8 }),
);
/** Characters outside the id alphabet [A-Za-z0-9_-]. */
const nonIdChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0x9f }).map((c) => String.fromCharCode(c)),
  loneSurrogate,
  fc.constantFrom(
    ":",
    " ",
    "/",
    "..",
    "%",
    ".",
    "\u202e",
    "\u200b",
    "\ufeff",
    "😀",
    "é",
    "\\",
    '"',
    "<b>",
    "'--",
    "\n",
  ),
);
const idChars = fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/);
const malformedId = fc.oneof(
  fc.constant(""),
  fc.stringMatching(/^[A-Za-z0-9_-]{65,200}$/),
  fc.tuple(idChars, nonIdChar, idChars).map(([a, c, b]) => a + c + b),
  // Long, yet small enough that no payload reaches the 64 KiB that closes the connection.
  fc.string({ unit: "binary", minLength: 1000, maxLength: 4000 }),
  fc.constantFrom("../../etc/passwd", "dm:a:b", "user:x", "null ", "__proto__".padEnd(80, "_")),
);
const unknownId = () => fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).filter((id) => !knownIds.has(id));

/** Extra fields: identity fields naming someone else, prototype keys, random ones; never one of `fields`. */
function extras(fields: string[]): Arbitrary<Record<string, unknown>> {
  const identity = fc.record(
    {
      senderId: fc.constantFrom(bob.user.id, carol.user.id, "admin"),
      userId: fc.constantFrom(bob.user.id, "root"),
      recipientId: fc.constantFrom(dave.user.id),
      seq: fc.nat(),
      rev: fc.nat(),
      id: fc.string({ maxLength: 10 }),
      createdAt: fc.constant("1970-01-01T00:00:00.000Z"),
    },
    { requiredKeys: [] },
  );
  const random = fc.dictionary(
    fc.string({ maxLength: 12 }).filter((k) => !fields.includes(k) && k !== "__proto__"),
    fc.jsonValue({ maxDepth: 2 }),
    { maxKeys: 4 },
  );
  const proto = fc.constant(JSON.parse('{"__proto__":{"senderId":"x","isAdmin":true}}') as Record<string, unknown>);
  return fc
    .tuple(identity, random, fc.option(proto, { freq: 5 }))
    .map(([a, b, c]) => ({ ...b, ...a, ...(c ?? {}) }) as Record<string, unknown>);
}

/** An object payload from its fields plus extras; only those with at least one defect (none is valid). */
function objectPayload(
  fields: Record<string, Arbitrary<Field>>,
  moreDefects: (value: Record<string, unknown>) => string[] = () => [],
): Arbitrary<Gen> {
  return fc
    .tuple(fc.record(fields), extras(Object.keys(fields)))
    .map(([generated, extra]) => {
      const value: Record<string, unknown> = { ...extra };
      const defects: string[] = [];
      for (const [key, field] of Object.entries(generated)) {
        if (!field.omit) value[key] = field.value;
        defects.push(...field.defects);
      }
      defects.push(...moreDefects(value));
      return { value, defects };
    })
    .filter((gen) => gen.defects.length > 0);
}

// ---------------------------------------------------------------- socket events

const VALIDATION = "VALIDATION";
const NOT_FOUND = "NOT_FOUND";
const FORBIDDEN = "FORBIDDEN";

const peerField = () =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(bob.user.id, carol.user.id, alice.user.id).map(ok),
    },
    { weight: 2, arbitrary: unknownId().map(bad(NOT_FOUND)) },
    { weight: 3, arbitrary: malformedId.map(bad(VALIDATION)) },
    { weight: 2, arbitrary: notAString.map(bad(VALIDATION)) },
    { weight: 1, arbitrary: missing(VALIDATION) },
  );
const optionalSeqField = () => fc.oneof(missing(), fc.nat({ max: 1_000_000 }).map(ok), notASeq.map(bad(VALIDATION)));
const clientIdField = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/).map(ok) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{0,7}$/).map(bad(VALIDATION)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{65,100}$/).map(bad(VALIDATION)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          idChars,
          nonIdChar,
          idChars.map((s) => s.padEnd(8, "x")),
        )
        .map((p) => bad(VALIDATION)(p.join(""))),
    },
    { weight: 1, arbitrary: notAString.map(bad(VALIDATION)) },
    { weight: 1, arbitrary: missing(VALIDATION) },
  );
/** Message bodies: a few valid ones; empty, blank, too long, control characters, lone surrogates, other types. */
const bodyField = () =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom("hi", "héllo wörld", "😀 ok", "مرحبا", "a\tb\nc", "  padded  ").map(ok) },
    { weight: 1, arbitrary: fc.stringMatching(/^[ \t\n\r\v\f\u00a0\u2028\u3000\ufeff]{0,50}$/).map(bad(VALIDATION)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 4001, max: 6000 }), fc.constantFrom("x", "😀", "é", "字"))
        .map(([n, c]) => bad(VALIDATION)(` ${c.repeat(n)} `)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          letters,
          fc.integer({ min: 0, max: 0x1f }).filter((c) => c !== 9 && c !== 10),
          letters,
        )
        .map(([a, c, b]) => bad(VALIDATION)(a + String.fromCharCode(c) + b)),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.string({ maxLength: 20 }), loneSurrogate, letters)
        .map(([a, s, b]) => bad(VALIDATION)(`x${a}${s}${b}`)),
    },
    { weight: 2, arbitrary: notAString.map(bad(VALIDATION)) },
    { weight: 1, arbitrary: missing(VALIDATION) },
  );
const messageIdField = (forEdit: boolean) =>
  fc.oneof(
    // Alice's own live message: valid, so only with another defect (an invalid body) does an edit stay invalid.
    ...(forEdit ? [fc.constantFrom(...ownLive.map((m) => m.id)).map(ok)] : []),
    // Editing a deleted message is VALIDATION; deleting it again returns the tombstone (valid), so not for delete.
    ...(forEdit ? [fc.constantFrom(...ownDeleted.map((m) => m.id)).map(bad(VALIDATION))] : []),
    fc.constantFrom(...peerMessages.map((m) => m.id)).map(bad(FORBIDDEN)),
    fc.constantFrom(...strangerMessages.map((m) => m.id)).map(bad(NOT_FOUND)),
    unknownId().map(bad(NOT_FOUND)),
    malformedId.map(bad(VALIDATION)),
    notAString.map(bad(VALIDATION)),
    missing(VALIDATION),
  );

/** A message alice may react to, a deleted one (refuses an add; a remove is `{ ok: true }`), or none of hers. */
const reactionMessageIdField = (forAdd: boolean) =>
  fc.oneof(
    fc.constantFrom(...[...ownLive, ...peerMessages].map((m) => m.id)).map(ok),
    fc.constantFrom(...ownDeleted.map((m) => m.id)).map(forAdd ? bad(VALIDATION) : ok),
    fc.constantFrom(...strangerMessages.map((m) => m.id)).map(bad(NOT_FOUND)),
    unknownId().map(bad(NOT_FOUND)),
    malformedId.map(bad(VALIDATION)),
    notAString.map(bad(VALIDATION)),
    missing(VALIDATION),
  );
/** One emoji (❤ too, stored as ❤️); text, several emoji, parts of one, long runs, other types. */
const emojiField = () =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom("👍", "❤", "❤️", "👍🏽", "🇫🇷", "1️⃣", "👨‍👩‍👧").map(ok) },
    // ASCII alone is never an emoji (a keycap needs U+20E3).
    { weight: 2, arbitrary: fc.string({ maxLength: 20 }).map(bad(VALIDATION)) },
    {
      weight: 2,
      arbitrary: fc
        .array(fc.constantFrom("👍", "🏽", "\uFE0F", "\u200D", "🇫", "❤", "a", " ", "\u20E3"), {
          minLength: 2,
          maxLength: 8,
        })
        .map((parts) => parts.join(""))
        .filter((text) => !["❤\uFE0F", "👍🏽"].includes(text))
        .map(bad(VALIDATION)),
    },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 8000 }).map((n) => bad(VALIDATION)("😀".repeat(n))) },
    { weight: 1, arbitrary: loneSurrogate.map(bad(VALIDATION)) },
    { weight: 2, arbitrary: notAString.map(bad(VALIDATION)) },
    { weight: 1, arbitrary: missing(VALIDATION) },
  );

type AckedEvent =
  | "conversation:join"
  | "conversation:leave"
  | "message:send"
  | "message:edit"
  | "message:delete"
  | "reaction:add"
  | "reaction:remove"
  | "conversation:receipt";

function payloadFor(event: AckedEvent): Arbitrary<Gen> {
  const objects = {
    "conversation:join": () =>
      objectPayload({ peerId: peerField(), afterSeq: optionalSeqField(), sinceRev: optionalSeqField() }),
    // A well-formed unknown peerId is its own property below, so that this one isolates validation.
    "conversation:leave": () =>
      objectPayload({
        peerId: fc.oneof(
          fc.constantFrom(bob.user.id, carol.user.id).map(ok),
          malformedId.map(bad(VALIDATION)),
          notAString.map(bad(VALIDATION)),
          missing(VALIDATION),
        ),
      }),
    "message:send": () => objectPayload({ peerId: peerField(), clientId: clientIdField(), body: bodyField() }),
    "message:edit": () => objectPayload({ messageId: messageIdField(true), body: bodyField() }),
    "message:delete": () => objectPayload({ messageId: messageIdField(false) }),
    "reaction:add": () => objectPayload({ messageId: reactionMessageIdField(true), emoji: emojiField() }),
    "reaction:remove": () => objectPayload({ messageId: reactionMessageIdField(false), emoji: emojiField() }),
    "conversation:receipt": () =>
      objectPayload({ peerId: peerField(), deliveredSeq: optionalSeqField(), readSeq: optionalSeqField() }, (value) =>
        !("deliveredSeq" in value) && !("readSeq" in value) ? [VALIDATION] : [],
      ),
  }[event]();
  return fc.oneof(
    { weight: 8, arbitrary: objects },
    { weight: 1, arbitrary: notAnObject.map((value) => ({ value, defects: [VALIDATION] })) },
  );
}

/** How the event is emitted: with an ack, without one, with only the ack, or with extra arguments first. */
type Style = "ack" | "noAck" | "ackOnly" | "extraArgs";
const styleArb = fc.constantFrom<Style>("ack", "ack", "ack", "ack", "ack", "noAck", "ackOnly", "extraArgs");

function isFail(res: unknown): res is { ok: false; error: { code: string; message: string; retryAfterMs?: number } } {
  if (typeof res !== "object" || res === null) return false;
  const { ok: isOk, error } = res as { ok?: unknown; error?: unknown };
  if (isOk !== false || typeof error !== "object" || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === "string" && typeof message === "string";
}

/** Emits one fuzzed event and checks its ack against the payload's defects. */
async function fire(event: string, payload: Gen, style: Style): Promise<void> {
  stats.socketEvents++;
  bump(stats.byEvent, event);
  const untyped = fuzzSocket as unknown as Socket;
  if (style === "noAck") {
    rawEmit(fuzzSocket, event, payload.value);
    return;
  }
  const args = style === "ackOnly" ? [] : style === "extraArgs" ? [payload.value, { junk: true }, 7] : [payload.value];
  const allowed = style === "ackOnly" ? [VALIDATION] : payload.defects;
  ackedEmits++;
  const res: unknown = await untyped.timeout(ACK_TIMEOUT_MS).emitWithAck(event, ...args);
  if (!isFail(res)) throw new Error(`${event}: expected a Fail ack, got ${JSON.stringify(res)?.slice(0, 300)}`);
  const { code, retryAfterMs } = res.error;
  bump(stats.byCode, code);
  const tolerated = code === "RATE_LIMITED" && typeof retryAfterMs === "number";
  if (!allowed.includes(code) && !tolerated) {
    throw new Error(`${event}: ack code ${code} (${res.error.message}), expected one of ${allowed.join("|")}`);
  }
  if (!fuzzSocket.connected) throw new Error(`${event}: the server closed the socket`);
}

describe("socket events: every malformed payload is answered once with a coded error", () => {
  const events: AckedEvent[] = [
    "conversation:join",
    "conversation:leave",
    "message:send",
    "message:edit",
    "message:delete",
    "reaction:add",
    "reaction:remove",
    "conversation:receipt",
  ];
  it.each(events)(
    "%s",
    async (event) => {
      await fc.assert(
        fc.asyncProperty(payloadFor(event), styleArb, (payload, style) => fire(event, payload, style)),
        { numRuns: SOCKET_RUNS, ...FC_OPTIONS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "conversation:leave with a well-formed id of no user is NOT_FOUND",
    async () => {
      await fc.assert(
        fc.asyncProperty(unknownId(), (peerId) =>
          fire("conversation:leave", { value: { peerId }, defects: [NOT_FOUND] }, "ack"),
        ),
        { numRuns: 50, ...FC_OPTIONS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "typing: malformed payloads, unknown peers and stray acks are dropped and reach nobody",
    async () => {
      const typingPayload = fc.oneof(
        {
          weight: 8,
          arbitrary: objectPayload({
            peerId: peerField(),
            typing: fc.oneof(
              fc.boolean().map(ok),
              fc
                .oneof(
                  fc.constantFrom("true", "false", 1, 0, "", "yes"),
                  notAString.filter((v) => typeof v !== "boolean"),
                )
                .map(bad(VALIDATION)),
              missing(VALIDATION),
            ),
          }),
        },
        { weight: 1, arbitrary: notAnObject.map((value) => ({ value, defects: [VALIDATION] })) },
      );
      await fc.assert(
        fc.asyncProperty(typingPayload, fc.boolean(), async (payload, withStrayAck) => {
          stats.socketEvents++;
          bump(stats.byEvent, "typing");
          if (withStrayAck) rawEmit(fuzzSocket, "typing", payload.value, () => undefined);
          else rawEmit(fuzzSocket, "typing", payload.value);
        }),
        { numRuns: SOCKET_RUNS, ...FC_OPTIONS },
      );
      // Events from one socket are handled in order: once this is answered, every typing before it was handled.
      await fire("conversation:join", { value: { peerId: 1 }, defects: [VALIDATION] }, "ack");
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(received.filter((r) => r.event === "typing")).toEqual([]);
      expect(fuzzSocket.connected).toBe(true);
    },
    FUZZ_TIMEOUT_MS,
  );

  it("a payload over 64 KiB closes only that connection", async () => {
    const big = await connectClient(server, alice.token);
    const closed = new Promise<string>((resolve) => big.once("disconnect", resolve));
    stats.socketEvents++;
    bump(stats.byEvent, "oversize");
    rawEmit(
      big,
      "message:send",
      { peerId: bob.user.id, clientId: "oversize-0001", body: "x".repeat(70 * 1024) },
      () => {
        throw new Error("an oversize payload was answered");
      },
    );
    expect(await closed).toMatch(/close/);
    await fire("conversation:join", { value: { peerId: 2 }, defects: [VALIDATION] }, "ack");
  });
});

// ---------------------------------------------------------------- HTTP

const V400 = "400 VALIDATION";
const V413 = "413 VALIDATION";
const V415 = "415 VALIDATION";
const U401 = "401 UNAUTHORIZED";
const IC401 = "401 INVALID_CREDENTIALS";
const NF404 = "404 NOT_FOUND";
const TAKEN409 = "409 USERNAME_TAKEN";

type Req = { method: string; path: string; headers: Record<string, string>; body?: string; allowed: string[] };
type Auth = { header?: string; good: boolean };
type Body = { contentType?: string; body?: string; defects: string[] };

/** Authorization headers that name no live session: absent, garbled, other schemes, revoked, too long. */
const badAuth = (): Arbitrary<Auth> =>
  fc
    .oneof(
      fc.constant(undefined),
      fc.constantFrom(
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNzd29yZA==",
        "Bearer null",
        `Token ${alice.token}`,
        `Bearer ${alice.token}x`,
        `Bearer ${alice.token.slice(1)}`,
        `Bearer ${alice.token} ${alice.token}`,
        `Bearer ${revokedToken}`,
        `${alice.token}`,
      ),
      fc.stringMatching(/^[\x21-\x7e]{1,300}$/).map((t) => `Bearer ${t}`),
      fc.stringMatching(/^[\x20-\x7e]{0,100}$/),
      fc.integer({ min: 257, max: 4000 }).map((n) => `Bearer ${"a".repeat(n)}`),
    )
    .map((header) => ({ header, good: false }));
const goodAuth = (): Arbitrary<Auth> =>
  fc
    .constantFrom(`Bearer ${alice.token}`, `bearer ${alice.token}`, `Bearer   ${alice.token}`)
    .map((header) => ({ header, good: true }));

const INVALID_JSON = ["", "{", '{"a":', "nul", "[1,2", "{'a':1}", '{"a":1}}', "\u0000", '"str', "{a:1}", "[,]", "01"];
const invalidJson = fc.oneof(fc.constantFrom(...INVALID_JSON), fc.string({ maxLength: 200 }));
/** Bodies over 64 KiB: one long JSON string field, or raw bytes declared as JSON. */
const oversize = fc
  .tuple(fc.integer({ min: 64 * 1024 + 1, max: 96 * 1024 }), fc.boolean())
  .map(([size, asJson]) => (asJson ? `{"username":"${"a".repeat(size)}"}` : "x".repeat(size)));

/** How a JSON body goes out: as JSON, under a wrong content type, broken, oversize, or not at all. */
function bodyOf(json: Arbitrary<Gen>, needsBody: boolean): Arbitrary<Body> {
  const absent = needsBody ? [V400] : [];
  const stringify = (value: unknown) => JSON.stringify(value) ?? "null";
  // A JSON body is an object or an array; any other JSON text is malformed.
  const strict = (value: unknown) => (typeof value === "object" && value !== null ? [] : [V400]);
  return fc.oneof(
    {
      weight: 6,
      arbitrary: json.map((g) => ({
        contentType: "application/json",
        body: stringify(g.value),
        defects: [...g.defects, ...strict(g.value)],
      })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          json,
          fc.constantFrom(
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            undefined,
          ),
        )
        .map(([g, contentType]) => ({ contentType, body: stringify(g.value), defects: absent })),
    },
    {
      weight: 1,
      arbitrary: json.map((g) => ({
        contentType: "application/json; charset=utf-16",
        body: stringify(g.value),
        defects: [V415, V400],
      })),
    },
    { weight: 1, arbitrary: invalidJson.map((body) => ({ contentType: "application/json", body, defects: [V400] })) },
    { weight: 1, arbitrary: oversize.map((body) => ({ contentType: "application/json", body, defects: [V413] })) },
    { weight: 1, arbitrary: fc.constant({ defects: absent }) },
  );
}

const nonObjectJson = fc.oneof(
  fc.constant(null),
  anyNumber,
  fc.string({ maxLength: 50 }),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
);
/** Valid new passwords (8..40 ASCII) and malformed ones: short, long, shorter than 8 once in NFC, lone surrogates. */
const newPasswordField = () =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .string({ unit: "grapheme-ascii", minLength: 8, maxLength: 40 })
        .filter((p) => p !== PASSWORD)
        .map(ok),
    },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 7 }).map(bad(V400)) },
    { weight: 1, arbitrary: fc.integer({ min: 129, max: 400 }).map((n) => bad(V400)("p".repeat(n))) },
    { weight: 1, arbitrary: fc.integer({ min: 4, max: 7 }).map((n) => bad(V400)("e\u0301".repeat(n))) },
    { weight: 1, arbitrary: fc.tuple(loneSurrogate, letters).map(([s, l]) => bad(V400)(`password${s}${l}`)) },
    { weight: 1, arbitrary: notAString.map(bad(V400)) },
    { weight: 1, arbitrary: missing(V400) },
  );
/** Any password up to 128 that is not the right one, and malformed ones. */
const wrongPasswordField = () =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .string({ unit: "grapheme-ascii", maxLength: 128 })
        .filter((p) => p !== PASSWORD)
        .map(ok),
    },
    { weight: 1, arbitrary: fc.integer({ min: 129, max: 400 }).map((n) => bad(V400)("p".repeat(n))) },
    { weight: 1, arbitrary: fc.tuple(letters, loneSurrogate).map(([l, s]) => bad(V400)(`${l}${s}`)) },
    { weight: 1, arbitrary: notAString.map(bad(V400)) },
    { weight: 1, arbitrary: missing(V400) },
  );
const existingUsername = () =>
  fc
    .tuple(fc.constantFrom(alice.user.username, bob.user.username), fc.constantFrom("", " ", "  "), fc.boolean())
    .map(([name, pad, upper]) => `${pad}${upper ? name.toUpperCase() : name}${pad}`);
const usernameField = () =>
  fc.oneof(
    {
      weight: 2,
      arbitrary: fc
        .stringMatching(/^[a-z0-9][a-z0-9_.-]{2,31}$/)
        .filter((u) => !u.startsWith("user"))
        .map(ok),
    },
    { weight: 5, arbitrary: existingUsername().map(bad(TAKEN409)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9]{0,2}$/).map(bad(V400)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9]{33,60}$/).map(bad(V400)) },
    { weight: 1, arbitrary: fc.stringMatching(/^[_.-][a-z0-9]{2,10}$/).map(bad(V400)) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          letters,
          fc.oneof(fc.constantFrom("!", " x", "é", "😀", ":", "/", "\u0000", "\u202e", "@", "+", "İ"), loneSurrogate),
          letters,
        )
        .map((p) => bad(V400)(p.join(""))),
    },
    { weight: 1, arbitrary: notAString.map(bad(V400)) },
    { weight: 1, arbitrary: missing(V400) },
  );
const displayNameField = () =>
  fc.oneof(
    { weight: 2, arbitrary: missing() },
    { weight: 2, arbitrary: fc.constantFrom("Alice", "Ünïcødé 😀", "李小龙", "a b").map(ok) },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "\t\n", "\u3000").map(bad(V400)) },
    { weight: 1, arbitrary: fc.integer({ min: 65, max: 300 }).map((n) => bad(V400)("x".repeat(n))) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          letters,
          fc.integer({ min: 0, max: 0x9f }).filter((c) => c < 0x20 || c >= 0x7f),
          letters,
        )
        .map(([a, c, b]) => bad(V400)(a + String.fromCharCode(c) + b)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(letters, fc.constantFrom("\u202a", "\u202e", "\u2066", "\u2069"), letters)
        .map((p) => bad(V400)(p.join(""))),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom("\u200b", "\u200b\u200c\u200d", "\u3164", "\u2800\u2800", "\u115f").map(bad(V400)),
    },
    { weight: 1, arbitrary: fc.tuple(letters, loneSurrogate).map(([l, s]) => bad(V400)(l + s)) },
    { weight: 1, arbitrary: notAString.map(bad(V400)) },
  );

/** Query strings: entries of key and value (a list is a repeated key), plus raw junk appended. */
type QueryEntry = [string, string | string[]];
const junkQuery = fc.oneof(
  fc.constant(""),
  fc.constantFrom("%", "%E0%A4%A", "a=%zz", "&&&", "=", "x[y]=1", "__proto__=1", "constructor[prototype]=1"),
  fc
    .dictionary(
      fc.string({ unit: "binary", maxLength: 10 }).filter((k) => k.length > 0),
      fc.string({ unit: "binary", maxLength: 50 }),
      { maxKeys: 3 },
    )
    .map((d) =>
      Object.entries(d)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
        .join("&"),
    ),
);
function queryString(entries: QueryEntry[], junk: string): string {
  const parts: string[] = [];
  for (const [key, value] of entries) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${key}=${encodeURIComponent(v)}`);
  }
  if (junk) parts.push(junk);
  return parts.length ? `?${parts.join("&")}` : "";
}
/** Junk can hold malformed percent-encoding; a server may call that VALIDATION too. */
const junkDefects = (junk: string): string[] => {
  try {
    decodeURIComponent(junk);
    return [];
  } catch {
    return [V400];
  }
};

const queryNumber = (validValues: Arbitrary<string>, invalidExtra: string[] = []) =>
  fc.oneof(
    { weight: 2, arbitrary: missing() },
    { weight: 2, arbitrary: validValues.map(ok) },
    {
      weight: 3,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            "-1",
            "1.5",
            "abc",
            "Infinity",
            "NaN",
            "1e300",
            "9007199254740993",
            "--1",
            "1,2",
            "true",
            "null",
            "[]",
            ...invalidExtra,
          ),
          fc.integer({ max: -1 }).map(String),
          fc
            .double({ noNaN: true, noDefaultInfinity: true })
            .filter((d) => !Number.isInteger(d))
            .map(String),
          fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => [String(a), String(b)]),
        )
        .map(bad(V400)),
    },
  );
const validCursor = fc.oneof(fc.constantFrom("0", "1", "5", "1e3", "1000000"), fc.nat().map(String));
const validLimit = fc.oneof(
  fc.constantFrom("1", "50", "200", "500", "100000"),
  fc.integer({ min: 1, max: 10_000 }).map(String),
);

/**
 * Builds the query from fields: the defects of every field present, and what is tolerated besides (junk
 * with malformed percent-encoding may be called VALIDATION, or ignored: the contract rules only on paths).
 */
function queryOf(fields: Record<string, Arbitrary<Field>>, moreDefects: (present: string[]) => string[] = () => []) {
  return fc.tuple(fc.record(fields), junkQuery).map(([generated, junk]) => {
    const entries: QueryEntry[] = [];
    const defects: string[] = [];
    for (const [key, field] of Object.entries(generated)) {
      if (field.omit) continue;
      entries.push([key, field.value as string | string[]]);
      defects.push(...field.defects);
    }
    defects.push(...moreDefects(entries.map(([k]) => k)));
    return { query: queryString(entries, junk), defects, tolerated: junkDefects(junk) };
  });
}

/** True when the segment reaches the server as written (no dot-segment normalisation by the URL parser). */
function isStable(prefix: string, segment: string, suffix = ""): boolean {
  const path = `${prefix}${segment}${suffix}`;
  return new URL(`http://127.0.0.1${path}`).pathname === path;
}
function decodes(segment: string): boolean {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
}
/** Path segments that decode fine and name no user: unknown ids, encoded Unicode, traversal, long ones. */
const wellFormedSegment = () =>
  fc
    .oneof(
      unknownId(),
      fc.string({ unit: "binary", minLength: 1, maxLength: 80 }).map(encodeURIComponent),
      fc.constantFrom(
        "..%2f",
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "%2e%2e%2f",
        "%00",
        "%0A",
        "a%20b",
        "%E2%80%AE",
        "me",
        "__proto__",
        "constructor",
        "null",
        "'",
        "*",
        "~",
        "%3A",
      ),
      fc.integer({ min: 65, max: 6000 }).map((n) => "a".repeat(n)),
    )
    .filter((segment) => decodes(segment) && !knownIds.has(decodeURIComponent(segment)));
/** Segments that are not valid percent-encoding (or not UTF-8 once decoded). */
const malformedSegment = fc
  .oneof(
    fc.constantFrom(
      "%",
      "%%",
      "%E0%A4%A",
      "%zz",
      "abc%",
      "%ED%A0%80",
      "%C0%AF",
      "%FF",
      "%u0041",
      "%E0%80",
      "%F0%9F%98",
      "..%2f%",
    ),
    fc
      .tuple(idChars, fc.constantFrom("%", "%G1", "%E0%A4%A", "%FF%FE", "%ED%B0%80", "%C3"), idChars)
      .map((p) => p.join("")),
    fc.integer({ min: 100, max: 6000 }).map((n) => `${"a".repeat(n)}%`),
  )
  .filter((segment) => !decodes(segment));

const WRONG_METHODS: Record<string, string[]> = {
  GET: ["POST", "PUT", "DELETE", "PATCH"],
  POST: ["GET", "PUT", "DELETE", "PATCH"],
  PUT: ["GET", "POST", "DELETE", "PATCH"],
};
const anyJson = fc
  .oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant({}))
  .map((value) => ({ value, defects: [] as string[] }));

function req(method: string, path: string, auth: Auth, body: Body | undefined, defects: string[]): Req {
  const headers: Record<string, string> = {};
  if (auth.header !== undefined) headers.authorization = auth.header;
  if (body?.contentType) headers["content-type"] = body.contentType;
  return { method, path, headers, body: body?.body, allowed: [...new Set(defects)] };
}

/** A POST route's requests; `json` is the body when the caller is signed in (or needs not be). */
function postRoute(
  path: string,
  opts: { needsAuth: boolean; json: () => Arbitrary<Gen>; needsBody: boolean; signedIn: boolean },
) {
  const authArb = opts.needsAuth
    ? opts.signedIn
      ? fc.oneof(badAuth(), goodAuth())
      : badAuth()
    : fc.oneof(badAuth(), goodAuth());
  return fc.tuple(authArb, bodyOf(opts.json(), opts.needsBody)).map(([auth, body]) => {
    const defects = [...body.defects];
    if (opts.needsAuth && !auth.good) defects.push(U401);
    return req("POST", path, auth, body, defects);
  });
}

/** A GET route's requests: signed out (401), or signed in with a defect from `signedIn` (none: always valid). */
type Target = { path: string; defects: string[]; tolerated?: string[] };
function getRoute(signedOut: () => Arbitrary<Target>, signedIn?: () => Arbitrary<Target>) {
  const out = fc
    .tuple(badAuth(), signedOut())
    .map(([auth, r]) => req("GET", r.path, auth, undefined, [U401, ...r.defects, ...(r.tolerated ?? [])]));
  if (!signedIn) return out;
  const inside = fc
    .tuple(goodAuth(), signedIn())
    .filter(([, r]) => r.defects.length > 0)
    .map(([auth, r]) => req("GET", r.path, auth, undefined, [...r.defects, ...(r.tolerated ?? [])]));
  return fc.oneof(out, inside);
}

/** The same path with another method: no such route (404), whatever the auth, plus the body's own defects. */
function wrongMethod(method: string, path: () => Arbitrary<string>) {
  return fc
    .tuple(fc.constantFrom(...WRONG_METHODS[method]!), path(), fc.oneof(badAuth(), goodAuth()), bodyOf(anyJson, false))
    .map(([m, p, auth, body]) =>
      req(m, p, auth, m === "GET" ? undefined : body, [
        NF404,
        ...(auth.good ? [] : [U401]),
        ...(m === "GET" ? [] : body.defects),
      ]),
    );
}

function withWrongMethods(method: string, main: Arbitrary<Req>, path: () => Arbitrary<string>): Arbitrary<Req> {
  return fc.oneof({ weight: 9, arbitrary: main }, { weight: 1, arbitrary: wrongMethod(method, path) });
}

const peerSegment = () =>
  fc.oneof(
    fc.constantFrom(bob.user.id, carol.user.id, alice.user.id).map((segment) => ({ segment, defects: [] as string[] })),
    // A segment with ':' is a conversation id (v2 §0): malformed, it is refused; well formed, it names nobody here.
    wellFormedSegment().map((segment) => {
      const decoded = decodeURIComponent(segment);
      const malformedRef = decoded.includes(":") && !conversationIdSchema.safeParse(decoded).success;
      return { segment, defects: [malformedRef ? V400 : NF404] };
    }),
  );
const historyQuery = () =>
  queryOf(
    {
      beforeSeq: queryNumber(validCursor),
      afterSeq: queryNumber(validCursor),
      limit: queryNumber(validLimit, ["0", ""]),
    },
    (present) => (present.includes("beforeSeq") && present.includes("afterSeq") ? [V400] : []),
  );
const changesQuery = () =>
  queryOf({
    sinceRev: queryNumber(validCursor),
    uptoSeq: queryNumber(validCursor),
    limit: queryNumber(validLimit, ["0", ""]),
  });

function conversationRoute(kind: "messages" | "changes") {
  const build = () =>
    fc
      .tuple(peerSegment(), kind === "messages" ? historyQuery() : changesQuery())
      .filter(([p]) => isStable("/api/conversations/", p.segment, `/${kind}`))
      .map(([p, q]) => ({
        path: `/api/conversations/${p.segment}/${kind}${q.query}`,
        defects: [...p.defects, ...q.defects],
        tolerated: q.tolerated,
      }));
  return withWrongMethods("GET", getRoute(build, build), () => build().map((r) => r.path));
}

const DAY_MS = 24 * 3600 * 1000;
const NOTIFY_LEVELS = ["all", "mentions", "none"];
const inDays = (days: number) => new Date(Date.now() + days * DAY_MS).toISOString();
/** A settings body (v2 §9); one without a defect would change settings, so none is generated. */
const settingsBody = () =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: objectPayload(
        {
          notify: fc.oneof(
            missing(),
            fc.constantFrom(...NOTIFY_LEVELS).map(ok),
            fc
              .string({ maxLength: 12 })
              .filter((s) => !NOTIFY_LEVELS.includes(s))
              .map(bad(V400)),
            notAString.map(bad(V400)),
          ),
          mutedUntil: fc.oneof(
            missing(),
            fc.constant(null).map(ok),
            fc.integer({ min: 1, max: 360 }).map((days) => ok(inDays(days))),
            // In the past, or beyond a year.
            fc.integer({ min: -4000, max: 0 }).map((days) => bad(V400)(inDays(days))),
            fc.integer({ min: 367, max: 4000 }).map((days) => bad(V400)(inDays(days))),
            // Not an instant: a date, a local time, a number of milliseconds, any text.
            fc.integer({ min: 1, max: 360 }).map((days) => bad(V400)(inDays(days).slice(0, 10))),
            fc.integer({ min: 1, max: 360 }).map((days) => bad(V400)(inDays(days).slice(0, 19))),
            fc.string({ maxLength: 30 }).map(bad(V400)),
            // NaN and ±Infinity go on the wire as null, which is valid here.
            notAString.filter((value) => JSON.stringify(value) !== "null").map(bad(V400)),
          ),
        },
        (value) => (value.notify === undefined && value.mutedUntil === undefined ? [V400] : []),
      ),
    },
    { weight: 1, arbitrary: nonObjectJson.map((value) => ({ value, defects: [V400] })) },
  );

const HTTP_ROUTES: Record<string, () => Arbitrary<Req>> = {
  "POST /api/auth/register": () =>
    withWrongMethods(
      "POST",
      postRoute("/api/auth/register", {
        needsAuth: false,
        needsBody: true,
        signedIn: false,
        json: () =>
          fc.oneof(
            {
              weight: 8,
              arbitrary: objectPayload({
                username: usernameField(),
                password: newPasswordField(),
                displayName: displayNameField(),
              }),
            },
            { weight: 1, arbitrary: nonObjectJson.map((value) => ({ value, defects: [V400] })) },
          ),
      }),
      () => fc.constant("/api/auth/register"),
    ),
  "POST /api/auth/login": () =>
    withWrongMethods(
      "POST",
      postRoute("/api/auth/login", {
        needsAuth: false,
        needsBody: true,
        signedIn: false,
        json: () =>
          fc.oneof(
            {
              weight: 8,
              arbitrary: objectPayload(
                {
                  username: fc.oneof(
                    { weight: 4, arbitrary: existingUsername().map(ok) },
                    { weight: 4, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 64 }).map(ok) },
                    fc.integer({ min: 65, max: 300 }).map((n) => bad(V400)("a".repeat(n))),
                    fc.tuple(letters, loneSurrogate).map(([l, s]) => bad(V400)(l + s)),
                    notAString.map(bad(V400)),
                    missing(V400),
                  ),
                  password: wrongPasswordField(),
                },
                // A well-formed body is a credentials check, and the password is never the right one.
                (value) => ("username" in value && "password" in value ? [IC401] : []),
              ).map((g) => (g.defects.includes(V400) ? { ...g, defects: [V400] } : g)),
            },
            { weight: 1, arbitrary: nonObjectJson.map((value) => ({ value, defects: [V400] })) },
          ),
      }),
      () => fc.constant("/api/auth/login"),
    ),
  "POST /api/auth/logout": () =>
    withWrongMethods(
      "POST",
      postRoute("/api/auth/logout", { needsAuth: true, needsBody: false, signedIn: false, json: () => anyJson }),
      () => fc.constant("/api/auth/logout"),
    ),
  "POST /api/auth/logout-all": () =>
    withWrongMethods(
      "POST",
      postRoute("/api/auth/logout-all", { needsAuth: true, needsBody: false, signedIn: false, json: () => anyJson }),
      () => fc.constant("/api/auth/logout-all"),
    ),
  "POST /api/auth/password": () =>
    withWrongMethods(
      "POST",
      postRoute("/api/auth/password", {
        needsAuth: true,
        needsBody: true,
        signedIn: true,
        json: () =>
          fc.oneof(
            {
              weight: 8,
              arbitrary: objectPayload(
                { currentPassword: wrongPasswordField(), newPassword: newPasswordField() },
                (value) => ("currentPassword" in value ? [IC401] : []),
              ).map((g) => (g.defects.includes(V400) ? { ...g, defects: [V400] } : g)),
            },
            { weight: 1, arbitrary: nonObjectJson.map((value) => ({ value, defects: [V400] })) },
          ),
      }),
      () => fc.constant("/api/auth/password"),
    ),
  "GET /api/me": () =>
    withWrongMethods(
      "GET",
      getRoute(() =>
        junkQuery.map((junk) => ({
          path: `/api/me${queryString([], junk)}`,
          defects: [],
          tolerated: junkDefects(junk),
        })),
      ),
      () => fc.constant("/api/me"),
    ),
  "GET /api/users": () => {
    const build = () =>
      queryOf({
        q: fc.oneof(
          missing(),
          fc.string({ unit: "grapheme-ascii", maxLength: 20 }).map(ok),
          fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })).map(bad(V400)),
          fc
            .integer({ min: 65, max: 400 })
            .chain((n) => fc.constantFrom("x", "é", "😀").map((c) => bad(V400)(c.repeat(n)))),
        ),
      }).map((q) => ({ path: `/api/users${q.query}`, defects: q.defects, tolerated: q.tolerated }));
    return withWrongMethods("GET", getRoute(build, build), () => fc.constant("/api/users"));
  },
  "GET /api/users/:id": () => {
    const build = () =>
      wellFormedSegment()
        .filter((segment) => isStable("/api/users/", segment))
        .map((segment) => ({ path: `/api/users/${segment}`, defects: [NF404] }));
    return withWrongMethods("GET", getRoute(build, build), () => build().map((r) => r.path));
  },
  "GET /api/conversations": () =>
    withWrongMethods(
      "GET",
      getRoute(() =>
        junkQuery.map((junk) => ({
          path: `/api/conversations${queryString([], junk)}`,
          defects: [],
          tolerated: junkDefects(junk),
        })),
      ),
      () => fc.constant("/api/conversations"),
    ),
  "GET /api/conversations/:peerId/messages": () => conversationRoute("messages"),
  "GET /api/conversations/:peerId/changes": () => conversationRoute("changes"),
  "PUT /api/conversations/:peerId/settings": () => {
    const path = () => peerSegment().filter((p) => isStable("/api/conversations/", p.segment, "/settings"));
    return withWrongMethods(
      "PUT",
      fc
        .tuple(fc.oneof(badAuth(), goodAuth()), path(), bodyOf(settingsBody(), true))
        .map(([auth, p, body]) =>
          req("PUT", `/api/conversations/${p.segment}/settings`, auth, body, [
            ...p.defects,
            ...body.defects,
            ...(auth.good ? [] : [U401]),
          ]),
        ),
      () => path().map((p) => `/api/conversations/${p.segment}/settings`),
    );
  },
  "unknown routes under /api": () =>
    fc
      .tuple(
        fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH"),
        fc.constantFrom(
          "/api/",
          "/api/nope",
          "/api/users/x/y",
          "/api/auth",
          "/api/conversations/x",
          "/api/conversations/x/y/z",
          "/api/auth/register/x",
        ),
        fc.oneof(badAuth(), goodAuth()),
      )
      .map(([method, path, auth]) => req(method, path, auth, undefined, [NF404])),
};

async function send(r: Req): Promise<void> {
  stats.httpRequests++;
  const res = await fetch(server.url + r.path, { method: r.method, headers: r.headers, body: r.body });
  const text = await res.text();
  bump(stats.status, String(res.status));
  const where = `${r.method} ${r.path.slice(0, 120)} → ${res.status} ${text.slice(0, 200)}`;
  if (res.status >= 500 || res.status < 400) throw new Error(`not a 4xx: ${where}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`not a JSON error body: ${where}`);
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  if (
    typeof error?.code !== "string" ||
    typeof error.message !== "string" ||
    !(ERROR_CODES as readonly string[]).includes(error.code)
  ) {
    throw new Error(`not { error: { code, message } }: ${where}`);
  }
  const outcome = `${res.status} ${error.code}`;
  bump(stats.httpByCode, error.code);
  if (!r.allowed.includes(outcome)) throw new Error(`${outcome} is not one of ${r.allowed.join(" | ")}: ${where}`);
}

describe("HTTP routes: every malformed request gets a 4xx with a coded error body", () => {
  it.each(Object.keys(HTTP_ROUTES))(
    "%s",
    async (route) => {
      await fc.assert(fc.asyncProperty(HTTP_ROUTES[route]!(), send), { numRuns: HTTP_RUNS, ...FC_OPTIONS });
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "a path segment that is not valid percent-encoding is 400 VALIDATION",
    async () => {
      const paths = fc.oneof(
        malformedSegment.map((s) => `/api/users/${s}`),
        malformedSegment.map((s) => `/api/conversations/${s}/messages`),
        malformedSegment.map((s) => `/api/conversations/${s}/changes`),
      );
      await fc.assert(
        fc.asyncProperty(paths, fc.oneof(badAuth(), goodAuth()), (path, auth) =>
          send(req("GET", path, auth, undefined, [V400, ...(auth.good ? [] : [U401])])),
        ),
        { numRuns: HTTP_RUNS, ...FC_OPTIONS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

// ---------------------------------------------------------------- afterwards

describe("after the fuzz", () => {
  it("the server is up, its memory bounded, nothing reached anyone and no row changed", async () => {
    expect((await http(server, "GET", "/healthz")).status).toBe(200);
    const me = await http<{ user: { id: string } }>(server, "GET", "/api/me", { token: alice.token });
    expect(me.body.user.id).toBe(alice.user.id);

    // A last acked event on the fuzzing socket: everything sent before it has been handled and answered.
    await fire("conversation:join", { value: null, defects: [VALIDATION] }, "ack");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(ackPackets, "acks received for acked emits").toBe(ackedEmits);
    expect(received).toEqual([]);

    const memoryAfter = memoryMB();
    stats.rssGrowthMB = Math.round(memoryAfter.rss - memoryBefore.rss);
    stats.heapGrowthMB = Math.round(memoryAfter.heap - memoryBefore.heap);
    expect(stats.rssGrowthMB, "RSS growth (MB)").toBeLessThan(RSS_GROWTH_BOUND_MB);
    expect(stats.heapGrowthMB, "heap and buffers still reachable after a collection (MB)").toBeLessThan(
      HEAP_GROWTH_BOUND_MB,
    );

    const dbAfter = await snapshotDatabase();
    for (const table of Object.keys(dbBefore)) expect(dbAfter[table], table).toEqual(dbBefore[table]);
  });
});
