import { readdirSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
// Loaded by path: the config is plain JS without declarations.
const configPath = join(root, "eslint.config.js");
const { FEATURE_IMPORTS } = (await import(configPath)) as { FEATURE_IMPORTS: Record<string, string[]> };

/** Lints `code` as if it were the file at `filePath`, with the project's own config. */
async function ruleMessages(eslint: ESLint, filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, filePath) });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe("the client's import direction, enforced by lint", () => {
  let eslint: ESLint;
  beforeAll(() => {
    eslint = new ESLint({ cwd: root, overrideConfigFile: configPath });
  });

  it.each([
    ["a feature importing realtime/", "client/src/features/chat/Wrong.ts", "../../realtime/useRouteSocket"],
    ["a feature importing socket.io-client", "client/src/features/chat/Wrong.ts", "socket.io-client"],
    ["a feature importing app/ beyond its hooks", "client/src/features/chat/Wrong.ts", "../../app/LiveChatRoute"],
    ["a feature importing a feature not on its list", "client/src/features/theme/Wrong.ts", "../chat/chatSlice"],
    [
      "chat rendering the conversation list itself",
      "client/src/features/chat/Wrong.tsx",
      "../conversations/ChatSidebar",
    ],
    [
      "auth rendering the notifications toggle itself",
      "client/src/features/auth/Wrong.tsx",
      "../notifications/NotificationsToggle",
    ],
    ["api/ importing a feature", "client/src/api/wrong.ts", "../features/auth/authSlice"],
    ["lib/ importing a feature", "client/src/lib/wrong.ts", "../features/chat/selectors"],
    ["components/ importing realtime/", "client/src/components/Wrong.tsx", "../realtime/translate"],
    ["app/ importing socket.io-client", "client/src/app/Wrong.ts", "socket.io-client"],
    ["app/ importing zod", "client/src/app/Wrong.ts", "zod"],
    ["a feature importing the server's schemas", "client/src/features/auth/Wrong.ts", "../../../../shared/schemas"],
  ])("fails %s", async (_case, filePath, source) => {
    const messages = await ruleMessages(eslint, filePath, `export * from "${source}";\n`);
    expect(messages.filter((m) => m.startsWith("no-restricted-imports"))).toHaveLength(1);
  });

  it.each([
    ["realtime/ importing socket.io-client", "client/src/realtime/ok.ts", "socket.io-client"],
    ["realtime/ importing a feature", "client/src/realtime/ok.ts", "../features/chat/chatSlice"],
    ["app/ importing realtime/", "client/src/app/Ok.tsx", "../realtime/useRouteSocket"],
    ["a feature importing one on its list", "client/src/features/users/Ok.tsx", "../presence/PresenceDot"],
    ["a feature importing the typed hooks", "client/src/features/theme/ok.ts", "../../app/hooks"],
    ["a feature importing the server's API", "client/src/features/users/ok.ts", "../../app/parleyApi"],
    ["a feature importing the protocol's checks", "client/src/features/auth/ok.ts", "../../../../shared/protocol"],
  ])("allows %s", async (_case, filePath, source) => {
    expect(await ruleMessages(eslint, filePath, `export * from "${source}";\n`)).toEqual([]);
  });
});

/** Every cycle of the allowed feature graph, each as its sorted member list. */
function featureCycles(graph: Record<string, string[]>): string[][] {
  const found = new Set<string>();
  function walk(path: string[]) {
    for (const next of graph[path.at(-1)!] ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.add(JSON.stringify(path.slice(at).sort()));
      else walk([...path, next]);
    }
  }
  for (const start of Object.keys(graph)) walk([start]);
  return [...found].map((cycle) => JSON.parse(cycle) as string[]).sort();
}

describe("the feature graph", () => {
  it("has no cycles", () => {
    expect(featureCycles(FEATURE_IMPORTS)).toEqual([]);
  });

  it("would show a cycle if one were allowed", () => {
    const withCycle = { ...FEATURE_IMPORTS, auth: [...FEATURE_IMPORTS.auth!, "conversations"] };
    expect(featureCycles(withCycle)).toContainEqual(["auth", "conversations"]);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

describe("one file-name convention per side", () => {
  it("client: components PascalCase .tsx, everything else camelCase .ts (tests named after their subject)", () => {
    const wrong = filesUnder(join(root, "client/src"))
      .filter((file) => /\.tsx?$/.test(file))
      .filter((file) => {
        const name = basename(file);
        const stem = name.split(".")[0]!;
        if (name.endsWith(".tsx") && !name.includes(".test.")) {
          // The entry point and the test render helper render no component of their own.
          return !/^[A-Z][A-Za-z0-9]*$/.test(stem) && !["main.tsx", "renderWithProviders.tsx"].includes(name);
        }
        return !/^[a-zA-Z][A-Za-z0-9]*$/.test(stem) || (name.endsWith(".ts") && !/^[a-z]/.test(stem));
      })
      .map((file) => relative(root, file));
    expect(wrong).toEqual([]);
  });

  it("server: kebab-case, with a dotted role where there is one (auth.routes.ts, message.handlers.ts)", () => {
    const wrong = filesUnder(join(root, "server"))
      .filter((file) => file.endsWith(".ts"))
      .filter((file) => !/^[a-z0-9]+(-[a-z0-9]+)*(\.[a-z]+)*\.ts$/.test(basename(file).replace(/^\d{4}_/, "")))
      .map((file) => relative(root, file));
    expect(wrong).toEqual([]);
  });
});
