import { useEffect, useState } from "react";
import { useHttp } from "../app/useHttp";

export type ApiGetState<T> = { status: "loading" } | { status: "success"; data: T } | { status: "error"; error: Error };

type Settled<T> = { path: string } & ({ status: "success"; data: T } | { status: "error"; error: Error });

/** GETs `path` and follows it when it changes; an answer for a previous path is never shown for the new one. */
export function useApiGet<T>(path: string): ApiGetState<T> {
  const http = useHttp();
  const [settled, setSettled] = useState<Settled<T> | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    http.get<T>(path, controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setSettled({ path, status: "success", data });
      },
      (error: unknown) => {
        if (!controller.signal.aborted) {
          setSettled({ path, status: "error", error: error instanceof Error ? error : new Error(String(error)) });
        }
      },
    );
    return () => controller.abort();
  }, [http, path]);

  if (settled === null || settled.path !== path) return { status: "loading" };
  return settled;
}
