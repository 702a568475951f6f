/** "1 member", "3 members": a group's size, in its header and its line of the list. */
export function memberCount(count: number): string {
  return count === 1 ? "1 member" : `${count} members`;
}
