import { useId, useState, type ReactNode } from "react";
import type { User } from "../../../../shared/protocol";
import { errorMessage } from "../../api/http";
import { useQuery, usersQuery } from "../../app/parleyApi";
import { ErrorAlert } from "../../components/ErrorAlert";
import { SkeletonRows } from "../../components/SkeletonRows";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { PersonLink } from "./PersonLink";

const SEARCH_DEBOUNCE_MS = 250;

type PeopleSearchProps = {
  /** People listed elsewhere on the page (my conversations), so no one shows twice. */
  excludeIds?: readonly string[];
  /** What each person found is: a link to their chat, or a picker's control (a group's members). */
  renderPerson?: (user: User) => ReactNode;
};

const linkToChat = (user: User) => <PersonLink user={user} />;

export function PeopleSearch({ excludeIds = [], renderPerson = linkToChat }: PeopleSearchProps) {
  const id = useId();
  const [query, setQuery] = useState("");
  const debouncedQuery = useDebouncedValue(query.trim(), SEARCH_DEBOUNCE_MS);

  // Busy while the results shown are still an earlier query's: they are about to be replaced.
  return (
    <section
      className="card bg-base-100 shadow"
      aria-labelledby={`${id}-title`}
      aria-busy={query.trim() !== debouncedQuery}
    >
      <div className="card-body gap-3">
        <h2 id={`${id}-title`} className="card-title">
          People
        </h2>
        <label className="input w-full">
          <span className="sr-only">Search people</span>
          <svg
            aria-hidden="true"
            className="h-4 w-4 opacity-50"
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          >
            <circle cx="11" cy="11" r="7" />
            <path d="m20 20-3.5-3.5" />
          </svg>
          <input
            type="search"
            placeholder="Search by name or username"
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            autoComplete="off"
          />
        </label>
        <PeopleResults query={debouncedQuery} excludeIds={excludeIds} renderPerson={renderPerson} />
      </div>
    </section>
  );
}

function PeopleResults({ query, excludeIds, renderPerson }: Required<PeopleSearchProps> & { query: string }) {
  // currentData: the answer for this query only, never the previous one while the new one loads.
  const { currentData: found, isError, error, refetch } = useQuery(usersQuery, query);
  if (isError) return <ErrorAlert message={errorMessage(error)} onRetry={() => void refetch()} />;
  if (found === undefined) return <SkeletonRows label="Loading people" />;
  const users = found.filter((user) => !excludeIds.includes(user.id));
  if (users.length === 0 && found.length > 0) {
    return (
      <p className="text-base-content/70">
        {query ? `Everyone matching “${query}” is in your conversations.` : "You already chat with everyone here."}
      </p>
    );
  }
  if (users.length === 0) {
    return (
      <p className="text-base-content/70">
        {query ? `No one matches “${query}”.` : "No one else is on Parley yet. Invite someone!"}
      </p>
    );
  }
  return (
    <ul className="flex flex-col gap-1" aria-label="Search results">
      {users.map((user) => (
        <li key={user.id}>{renderPerson(user)}</li>
      ))}
    </ul>
  );
}
