import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from "react";

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

/**
 * A daisyUI modal: labelled by its title, the focus kept inside (Tab cycles), Escape closes, and the focus
 * goes back to what opened it. Rendered only while open.
 */
export function Modal({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const id = useId();
  const boxRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const first = boxRef.current?.querySelector<HTMLElement>("[data-autofocus]") ?? focusables()[0];
    first?.focus();
    return () => opener?.focus();
  }, []);

  function focusables(): HTMLElement[] {
    return [...(boxRef.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
  }

  function handleKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === "Escape") {
      event.stopPropagation();
      onClose();
      return;
    }
    if (event.key !== "Tab") return;
    const items = focusables();
    const first = items[0];
    const last = items.at(-1);
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last?.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first?.focus();
    }
  }

  return (
    <div className="modal modal-open" onKeyDown={handleKeyDown}>
      <div
        ref={boxRef}
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        className="modal-box flex max-h-[90dvh] flex-col gap-3"
      >
        <h2 id={id} className="text-lg font-bold">
          {title}
        </h2>
        {children}
      </div>
      {/* The backdrop closes like Escape; not a tab stop, the dialog's own buttons are. */}
      <div className="modal-backdrop" aria-hidden="true" onClick={onClose} />
    </div>
  );
}
