import { vitePlugin as remix } from "@remix-run/dev";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig({
  plugins: [
    tailwindcss(),
    remix({
      ignoredRouteFiles: ["**/*.test.*"],
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_singleFetch: true,
        v3_lazyRouteDiscovery: true,
        v3_routeConfig: false,
      },
    }),
    tsconfigPaths(),
  ],
  build: { target: "es2022" },
  // The dev dependency scan follows server-only imports too; these packages never reach the
  // browser, so the optimizer must not try to bundle them for it.
  optimizeDeps: {
    exclude: ["@node-rs/argon2", "pg-boss", "@react-pdf/renderer", "qrcode", "nodemailer", "pg"],
  },
});
