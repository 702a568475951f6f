import { randomBytes } from "node:crypto";

/** A random url-safe id (128 bits); never contains ':' so room names stay splittable. */
export function newId(): string {
  return randomBytes(16).toString("base64url");
}

export function nowIso(): string {
  return new Date().toISOString();
}
