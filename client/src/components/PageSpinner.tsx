/** A whole page waiting (for its code, for the session check); `label` tells screen readers for what. */
export function PageSpinner({ label }: { label: string }) {
  return (
    <main className="flex min-h-dvh items-center justify-center" aria-busy="true">
      <span className="loading loading-spinner loading-lg" aria-label={label} />
    </main>
  );
}
