-- One Parley send as the server runs it on PostgreSQL (server/src/store/kysely-store.ts,
-- insertMessage): idempotency lookup, the upsert that bumps the conversation's seq and
-- rev under its row lock, the message insert, the members upsert; one transaction.
-- Users a<c> and b<c>, c in 1..conversations (pgbench -D conversations=N). pgbench reads
-- a colon before a letter as a variable, even in a string, hence format('dm:%s:%s', …).
\set c random(1, :conversations)
\set client random(1, 1000000000000000)
BEGIN;
SELECT * FROM messages WHERE sender_id = 'a' || :c::text AND client_id = :client::text;
INSERT INTO conversations (id, user_a, user_b, last_seq, rev, last_message_at)
  VALUES (format('dm:%s:%s', 'a' || :c::text, 'b' || :c::text), 'a' || :c::text, 'b' || :c::text, 1, 1, now()::text)
  ON CONFLICT (id) DO UPDATE SET last_seq = conversations.last_seq + 1, rev = conversations.rev + 1,
    last_message_at = excluded.last_message_at
  RETURNING last_seq AS seq, rev \gset
INSERT INTO messages (id, conversation_id, seq, sender_id, client_id, body, created_at, edited_at, deleted_at, rev)
  VALUES (gen_random_uuid()::text, format('dm:%s:%s', 'a' || :c::text, 'b' || :c::text), :seq, 'a' || :c::text,
    :client::text, 'a message about as long as the ones people type in a chat', now()::text, NULL, NULL, :rev);
INSERT INTO conversation_members (conversation_id, user_id, delivered_seq, read_seq)
  SELECT format('dm:%s:%s', 'a' || :c::text, 'b' || :c::text), side || :c::text, 0, 0 FROM (VALUES ('a'), ('b')) s(side)
  ON CONFLICT (conversation_id, user_id) DO NOTHING;
END;
