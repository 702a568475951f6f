import { Link, Route, Routes } from "react-router-dom";
import { LoginPage } from "../features/auth/LoginPage";
import { RegisterPage } from "../features/auth/RegisterPage";
import { RequireAuth } from "../features/auth/RequireAuth";
import { SettingsPage } from "../features/auth/SettingsPage";
import { useMessageNotifications } from "../features/notifications/useMessageNotifications";
import { AccountMenu } from "./AccountMenu";
import { LiveChatRoute, LiveHomeRoute } from "./LiveRoutes";

export function App() {
  useMessageNotifications();
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="/register" element={<RegisterPage />} />
      <Route element={<RequireAuth />}>
        <Route index element={<LiveHomeRoute />} />
        <Route path="/chat/:userId" element={<LiveChatRoute />} />
        <Route path="/settings" element={<SettingsPage accountMenu={<AccountMenu />} />} />
      </Route>
      <Route path="*" element={<PageNotFound />} />
    </Routes>
  );
}

function PageNotFound() {
  return (
    <main className="flex min-h-dvh flex-col items-center justify-center gap-4 p-4">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <Link to="/" className="btn btn-primary">
        Go to Parley
      </Link>
    </main>
  );
}
