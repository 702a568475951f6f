import { SettingsPage } from "../features/auth/SettingsPage";
import { AccountMenu } from "./AccountMenu";

/** /settings with the account menu of every signed-in page. */
export function SettingsRoute() {
  return <SettingsPage accountMenu={<AccountMenu />} />;
}
