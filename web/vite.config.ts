// Vite builds web/ into web/dist, which the API server (api/server.ts) serves at / on the same origin as /graphql.
// Preact through esbuild's automatic JSX runtime: no Babel. Charts, the lineage layout and hashing are split into
// chunks loaded when a page needs them, so the first page stays small.
import { defineConfig } from "vite";

export default defineConfig({
  root: __dirname,
  base: "/",
  publicDir: "public",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  resolve: { alias: { react: "preact/compat", "react-dom": "preact/compat" } },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run web:dev` next to `npm start`: the API on its default port.
    proxy: { "/graphql": "http://127.0.0.1:4000", "/csv": "http://127.0.0.1:4000", "/xlsx": "http://127.0.0.1:4000" },
  },
});
