import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Provider } from "react-redux";
import { BrowserRouter } from "react-router-dom";
import { App } from "./app/App";
import { makeStore } from "./app/store";
import { authStateFromToken } from "./features/auth/authSlice";
import { restoreToken } from "./features/auth/tokenStorage";
import { applyTheme, followThemeChanges } from "./features/theme/theme";
import "./index.css";

// Before the first render, so the page never flashes in the other theme (the CSP forbids an inline script).
applyTheme();
followThemeChanges();

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root element");

createRoot(container).render(
  <StrictMode>
    <Provider store={makeStore({ auth: authStateFromToken(restoreToken()) })}>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </Provider>
  </StrictMode>,
);
