import type { ReactNode } from "react";
import { BackToHomeLink } from "../../components/BackToHomeLink";
import { TopBar } from "../../components/TopBar";
import { ChangePasswordForm } from "./ChangePasswordForm";
import { SignOutEverywhere } from "./SignOutEverywhere";

/** /settings — the account's security: its password and its sessions. `accountMenu` comes from app/. */
export function SettingsPage({ accountMenu }: { accountMenu: ReactNode }) {
  return (
    <div className="min-h-dvh">
      <TopBar
        start={
          <>
            <BackToHomeLink />
            <h1 className="text-lg font-semibold">Settings</h1>
          </>
        }
        end={accountMenu}
      />
      <main className="mx-auto flex max-w-2xl flex-col gap-4 p-2 sm:p-4">
        <div className="card bg-base-100 shadow">
          <ChangePasswordForm />
        </div>
        <div className="card bg-base-100 shadow">
          <SignOutEverywhere />
        </div>
      </main>
    </div>
  );
}
