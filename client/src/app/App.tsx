import { lazy, Suspense } from "react";
import { Link, Route, Routes } from "react-router-dom";
import { PageSpinner } from "../components/PageSpinner";
import { RequireAuth } from "../features/auth/RequireAuth";
import { useMessageNotifications } from "../features/notifications/useMessageNotifications";

// Each page's code loads with its route, so the sign-in pages never fetch the chat, its socket or its list.
const LoginPage = lazy(() => import("../features/auth/LoginPage").then((m) => ({ default: m.LoginPage })));
const RegisterPage = lazy(() => import("../features/auth/RegisterPage").then((m) => ({ default: m.RegisterPage })));
const LiveHomeRoute = lazy(() => import("./LiveHomeRoute").then((m) => ({ default: m.LiveHomeRoute })));
const LiveChatRoute = lazy(() => import("./LiveChatRoute").then((m) => ({ default: m.LiveChatRoute })));
const LiveGroupRoute = lazy(() => import("./LiveGroupRoute").then((m) => ({ default: m.LiveGroupRoute })));
const SettingsRoute = lazy(() => import("./SettingsRoute").then((m) => ({ default: m.SettingsRoute })));

export function App() {
  useMessageNotifications();
  return (
    <Suspense fallback={<PageSpinner label="Loading the page" />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/register" element={<RegisterPage />} />
        <Route element={<RequireAuth />}>
          <Route index element={<LiveHomeRoute />} />
          <Route path="/chat/:userId" element={<LiveChatRoute />} />
          <Route path="/group/:groupId" element={<LiveGroupRoute />} />
          <Route path="/settings" element={<SettingsRoute />} />
        </Route>
        <Route path="*" element={<PageNotFound />} />
      </Routes>
    </Suspense>
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
