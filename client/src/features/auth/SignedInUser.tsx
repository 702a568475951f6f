import { createContext, useContext } from "react";
import type { User } from "../../../../shared/protocol";

/** Provided by RequireAuth (its SignedInGate), so pages below it get a user without re-checking for null. */
export const SignedInUserContext = createContext<User | null>(null);

export function useSignedInUser(): User {
  const user = useContext(SignedInUserContext);
  if (user === null) throw new Error("useSignedInUser is only available below <RequireAuth>");
  return user;
}
