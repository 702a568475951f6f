// @ts-check
import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

/**
 * Which other features each feature may import (views it composes, actions it reacts to).
 * A new edge is a design decision: add it here, and only where it makes no cycle (architecture.test.ts
 * checks the graph). Views of two features that need each other are composed in app/ instead.
 */
export const FEATURE_IMPORTS = {
  auth: ["theme"],
  chat: ["auth", "connection", "presence"],
  conversations: ["auth", "chat", "connection", "groups", "presence", "users"],
  connection: ["auth"],
  groups: ["auth", "chat", "users"],
  notifications: ["chat"],
  presence: ["auth"],
  theme: [],
  users: ["presence"],
};

/** The typed hooks in app/hooks.ts are the only way to reach the store. */
const typedHooksOnly = {
  name: "react-redux",
  importNames: ["useDispatch", "useSelector"],
  message: "Use useAppDispatch/useAppSelector from app/hooks.",
};

/** Only realtime/ holds a socket. */
const noSocketClient = {
  group: ["socket.io-client", "socket.io-client/*"],
  message: "Only client/src/realtime/ imports socket.io-client; use the route's actions (features/chat/chatActions).",
};

/** The client checks input with the text rules of shared/protocol; zod and the schemas made of it stay on the server. */
const noSchemas = {
  group: ["zod", "zod/*", "**/shared/schemas"],
  message: "The client ships no zod: use the checks of shared/protocol (checkBody, checkUsername, …).",
};

/** app/ is the top; below it only the store's types and typed hooks, and the server's API (parleyApi), are shared. */
const appTop = {
  regex: "(^|/)app/(?!(hooks|store|parleyApi)$)",
  message:
    "Imports flow app -> realtime -> features: only app/hooks, app/store and app/parleyApi are for lower layers.",
};

const noRealtime = {
  regex: "(^|/)realtime/",
  message: "Imports flow app -> realtime -> features: features, api, components and lib never import realtime/.",
};

/** Bans every feature except `self` and the listed ones, by relative path from wherever the file is. */
function featureRules(self, allowed) {
  const others = Object.keys(FEATURE_IMPORTS).filter((name) => name !== self && !allowed.includes(name));
  return [
    {
      regex: `(^|/)features/(${others.join("|")})(/|$)`,
      message: "This import crosses into a feature this folder may not use (see FEATURE_IMPORTS in eslint.config.js).",
    },
    ...(self === null
      ? []
      : [
          {
            regex: `^\\.\\./(${others.join("|")})(/|$)`,
            message:
              "This import crosses into a feature this folder may not use (see FEATURE_IMPORTS in eslint.config.js).",
          },
        ]),
    noRealtime,
  ];
}

const sharedLibRules = [
  {
    regex: "(^|/)(features|api)/",
    message: "components/ and lib/ know no feature: pass what they need as props or arguments.",
  },
  noRealtime,
];

/** The one no-restricted-imports of a folder (a later config object replaces the rule, it does not merge it). */
function restrictImports({ socketClient = false, upward = true } = {}, ...patterns) {
  const always = [noSchemas, ...(socketClient ? [] : [noSocketClient]), ...(upward ? [appTop] : [])];
  return ["error", { paths: [typedHooksOnly], patterns: [...always, ...patterns] }];
}

export default tseslint.config(
  { ignores: ["client/dist", "server/dist", "data", "test-results", "playwright-report", "node_modules"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    files: ["client/src/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "react-hooks/exhaustive-deps": "error",
      // app/, main.tsx and the test helpers sit on top: they may import anything but socket.io-client and zod.
      "no-restricted-imports": restrictImports({ upward: false }),
    },
  },
  // The import direction of the client (docs/architecture.md): app -> realtime -> features -> components/lib -> shared.
  {
    files: ["client/src/realtime/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": restrictImports({ socketClient: true }) },
  },
  ...Object.entries(FEATURE_IMPORTS).map(([feature, allowed]) => ({
    files: [`client/src/features/${feature}/**/*.{ts,tsx}`],
    rules: { "no-restricted-imports": restrictImports({}, ...featureRules(feature, allowed)) },
  })),
  {
    files: ["client/src/api/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": restrictImports({}, ...featureRules(null, [])) },
  },
  {
    files: ["client/src/components/**/*.{ts,tsx}", "client/src/lib/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": restrictImports({}, ...sharedLibRules) },
  },
);
