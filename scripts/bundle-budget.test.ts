import { describe, expect, it } from "vitest";
import { measure, ROUTES, type Manifest } from "./bundle-budget";

/** A build like Vite's: an entry, a chunk shared by two routes, and one chunk per route page. */
const manifest: Manifest = {
  "index.html": { file: "assets/index.js", isEntry: true, dynamicImports: Object.values(ROUTES) },
  "_shared.js": { file: "assets/shared.js" },
  "_index.css": { file: "assets/index.css" },
  [ROUTES["sign-in"]]: { file: "assets/LoginPage.js", imports: ["index.html", "_shared.js"] },
  [ROUTES.register]: { file: "assets/RegisterPage.js", imports: ["index.html", "_shared.js"] },
  [ROUTES.home]: { file: "assets/LiveHomeRoute.js", imports: ["index.html"] },
  [ROUTES.chat]: { file: "assets/LiveChatRoute.js", imports: ["index.html", "_shared.js"] },
  [ROUTES.settings]: { file: "assets/SettingsRoute.js", imports: ["index.html"] },
};
const sizes: Record<string, number> = {
  "assets/index.js": 100,
  "assets/shared.js": 10,
  "assets/index.css": 1000,
  "assets/LoginPage.js": 1,
  "assets/RegisterPage.js": 2,
  "assets/LiveHomeRoute.js": 20,
  "assets/LiveChatRoute.js": 30,
  "assets/SettingsRoute.js": 5,
};
const gzipBytes = (file: string) => sizes[file] ?? 0;

describe("the bundle budget", () => {
  it("counts each route as the entry plus its page's static imports, each chunk once, and no CSS", () => {
    const report = measure(manifest, gzipBytes, { total: 1000, firstRoute: 1000 });
    expect(report.routes).toEqual({ "sign-in": 111, register: 112, home: 120, chat: 140, settings: 105 });
    expect(report.total).toBe(168);
    expect(report.overBudget).toEqual([]);
  });

  it("fails when all JavaScript or the first route outgrows its budget", () => {
    expect(measure(manifest, gzipBytes, { total: 167, firstRoute: 110 }).overBudget).toEqual([
      "all JavaScript: 0.2 kB > 0.2 kB",
      "first route (entry + sign-in): 0.1 kB > 0.1 kB",
    ]);
  });

  it("fails loudly when a route's page is no longer in the build", () => {
    const { [ROUTES.settings]: _, ...withoutSettings } = manifest;
    expect(() => measure(withoutSettings, gzipBytes)).toThrow(/SettingsRoute\.tsx is not in the build manifest/);
  });
});
