import { useId, useState } from "react";
import type { User } from "../../../../shared/protocol";
import { useApiGet, type ApiGetState } from "../../api/useApiGet";
import { assertNever } from "../../lib/assertNever";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import { PersonLink } from "./PersonLink";

const SEARCH_DEBOUNCE_MS = 250;

export function PeopleSearch() {
  const id = useId();
  const [query, setQuery] = useState("");
  const debouncedQuery = useDebouncedValue(query.trim(), SEARCH_DEBOUNCE_MS);
  const path = debouncedQuery ? `/api/users?q=${encodeURIComponent(debouncedQuery)}` : "/api/users";
  const result = useApiGet<{ users: User[] }>(path);

  return (
    <section className="card bg-base-100 shadow" aria-labelledby={`${id}-title`}>
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
        <PeopleResults result={result} />
      </div>
    </section>
  );
}

function PeopleResults({ result }: { result: ApiGetState<{ users: User[] }> }) {
  switch (result.status) {
    case "loading":
      return <span className="loading loading-dots loading-md" aria-label="Searching" />;
    case "error":
      return (
        <div role="alert" className="alert alert-error alert-soft">
          {result.error.message}
        </div>
      );
    case "success":
      if (result.data.users.length === 0) return <p className="text-base-content/70">Nobody matches that search.</p>;
      return (
        <ul className="flex flex-col gap-1" aria-label="Search results">
          {result.data.users.map((user) => (
            <li key={user.id}>
              <PersonLink user={user} />
            </li>
          ))}
        </ul>
      );
    default:
      return assertNever(result);
  }
}
