import type { ReactNode } from "react";

/**
 * The list of conversations beside the open chat. From the md breakpoint up both panes show; on phones only
 * the one the route is about (`show`), since a list and a chat side by side leave neither readable.
 */
export function TwoPane({ list, detail, show }: { list: ReactNode; detail: ReactNode; show: "list" | "detail" }) {
  return (
    <div className="flex min-h-0 flex-1">
      <div
        className={`border-base-300 bg-base-100 min-h-0 w-full flex-col overflow-y-auto md:flex md:w-80 md:flex-none md:border-r lg:w-96 ${
          show === "list" ? "flex" : "hidden"
        }`}
      >
        {list}
      </div>
      <div className={`min-h-0 min-w-0 flex-1 flex-col md:flex ${show === "detail" ? "flex" : "hidden"}`}>{detail}</div>
    </div>
  );
}
