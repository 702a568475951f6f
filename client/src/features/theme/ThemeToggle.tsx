import { useSyncExternalStore } from "react";
import { chooseTheme, currentTheme, subscribeToTheme } from "./theme";

/** Switches between the light and dark theme and remembers the choice. `wide`: with its name, as in a menu. */
export function ThemeToggle({ wide = false }: { wide?: boolean }) {
  const theme = useSyncExternalStore(subscribeToTheme, currentTheme);
  const next = theme === "dark" ? "light" : "dark";
  return (
    <button
      type="button"
      className={`btn btn-ghost btn-sm ${wide ? "justify-start" : "btn-square"}`}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
      onClick={() => chooseTheme(next)}
    >
      {theme === "dark" ? <SunIcon /> : <MoonIcon />}
      {wide && <span>{next === "dark" ? "Dark theme" : "Light theme"}</span>}
    </button>
  );
}

function SunIcon() {
  return (
    <svg aria-hidden="true" className="h-5 w-5" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
      <circle cx="12" cy="12" r="4" />
      <path d="M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
    </svg>
  );
}

function MoonIcon() {
  return (
    <svg aria-hidden="true" className="h-5 w-5" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2">
      <path d="M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8Z" />
    </svg>
  );
}
