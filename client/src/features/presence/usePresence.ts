import type { User } from "../../../../shared/protocol";
import { useAppSelector } from "../../app/hooks";
import { selectPresence } from "./presenceSlice";
import type { Presence } from "./describePresence";

/** A user's presence: the latest `presence` event if one came, else the API's snapshot of them. */
export function usePresence(user: User): Presence {
  const live = useAppSelector((state) => selectPresence(state, user.id));
  return live ?? user;
}
