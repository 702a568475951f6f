import { render, type RenderOptions } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactElement, ReactNode } from "react";
import { Provider } from "react-redux";
import { MemoryRouter } from "react-router-dom";
import { makeStore, type AppStore, type RootState } from "../app/store";

type ExtendedRenderOptions = Omit<RenderOptions, "queries" | "wrapper"> & {
  preloadedState?: Partial<RootState>;
  store?: AppStore;
  /** Initial location of the in-memory router. */
  route?: string;
};

export function renderWithProviders(ui: ReactElement, options: ExtendedRenderOptions = {}) {
  const { preloadedState = {}, store = makeStore(preloadedState), route = "/", ...renderOptions } = options;

  function Wrapper({ children }: { children: ReactNode }) {
    return (
      <Provider store={store}>
        <MemoryRouter initialEntries={[route]}>{children}</MemoryRouter>
      </Provider>
    );
  }

  return { store, user: userEvent.setup(), ...render(ui, { wrapper: Wrapper, ...renderOptions }) };
}
