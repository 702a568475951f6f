/** A group's initials in a rounded square, where a person's are in a circle (decoration: the name beside it carries the meaning). */
export function GroupAvatar({ name, small = false }: { name: string; small?: boolean }) {
  const initials = [...name.trim()].slice(0, 2).join("").toUpperCase();
  return (
    <span
      aria-hidden="true"
      className={`bg-neutral text-neutral-content flex flex-none items-center justify-center rounded-lg ${small ? "size-8 text-xs" : "size-10 text-sm"}`}
    >
      {initials}
    </span>
  );
}
