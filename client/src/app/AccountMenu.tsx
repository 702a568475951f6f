import { UserMenu } from "../features/auth/UserMenu";
import { NotificationsToggle } from "../features/notifications/NotificationsToggle";
import { ThemeToggle } from "../features/theme/ThemeToggle";

/** The user menu of every signed-in page, composed here so auth need not know notifications or the theme. */
export function AccountMenu() {
  return (
    <UserMenu>
      <NotificationsToggle wide />
      <ThemeToggle wide />
    </UserMenu>
  );
}
