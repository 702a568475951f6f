import { randomBytes } from "node:crypto";

const ID_BYTES = 16;
// One call into the CSPRNG fills this many ids: a call per id cost more than the rest of making it.
const IDS_PER_FILL = 256;
let pool = Buffer.alloc(0);
let used = 0;

/** A random url-safe id (128 bits); never contains ':' so room names stay splittable. */
export function newId(): string {
  if (used === pool.length) {
    pool = randomBytes(ID_BYTES * IDS_PER_FILL);
    used = 0;
  }
  used += ID_BYTES;
  return pool.toString("base64url", used - ID_BYTES, used);
}

export function nowIso(): string {
  return new Date().toISOString();
}
