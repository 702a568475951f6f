/** A fresh id for a retry-safe request; crypto.randomUUID only exists in secure contexts (plain http on a LAN). */
export function createClientId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}
