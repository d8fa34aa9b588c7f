// GraphiQL's page (web/graphiql/), built into web/dist/graphiql/ after the web app (web/build.ts): React 18 for
// graphiql 3, so a build of its own, apart from the web app's Preact (its react alias) and its first page's bundle.
// One script: CodeMirror and its addons, which graphiql imports lazily, are inlined, so they do not queue behind the
// schema's introspection on the browser's six connections.
import { defineConfig } from "vite";

export default defineConfig({
  root: __dirname,
  base: "/graphiql/",
  publicDir: false,
  esbuild: { jsx: "automatic", jsxImportSource: "react" },
  build: {
    outDir: "../dist/graphiql",
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1500,
    rollupOptions: {
      output: { inlineDynamicImports: true },
      onwarn(warning, warn) {
        // Radix's "use client" directives mean nothing outside React Server Components.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        warn(warning);
      },
    },
  },
});
