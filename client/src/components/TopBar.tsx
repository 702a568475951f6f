import type { ReactNode } from "react";

/** The navbar every signed-in page starts with: its own title on the left, page actions on the right. */
export function TopBar({ start, end }: { start: ReactNode; end: ReactNode }) {
  return (
    <header className="navbar bg-base-100 border-base-300 sticky top-0 z-10 gap-2 border-b px-2 shadow-sm sm:px-4">
      <div className="flex min-w-0 flex-1 items-center gap-2">{start}</div>
      <div className="flex flex-none items-center gap-2">{end}</div>
    </header>
  );
}
