// Builds the web app (Vite, into web/dist) and GraphiQL's page (web/graphiql, a build of its own with React, into
// web/dist/graphiql) when the build is missing or older than its sources. The sources' hash is kept in
// web/dist/.source-hash, so a build is redone exactly when web/src, index.html, public/, web/graphiql or the Vite
// config changed (a fresh checkout, a pull, an edit), and skipped otherwise. Used by `npm start` and the browser tests.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

export const WEB_DIR = __dirname.endsWith(`${sep}dist${sep}web`) ? join(__dirname, "..", "..", "web") : __dirname;
export const WEB_DIST = join(WEB_DIR, "dist");
const STAMP = join(WEB_DIST, ".source-hash");
const SOURCES = ["src", "public", "index.html", "vite.config.ts", "tsconfig.json", "graphiql"];

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => files(join(path, name)));
}

/** SHA-256 over the web app's source files (paths and bytes), and the versions of Vite, Preact and GraphiQL's packages. */
export function webSourceHash(): string {
  const h = createHash("sha256");
  const all = SOURCES.flatMap((s) => files(join(WEB_DIR, s))).sort();
  for (const f of all) h.update(relative(WEB_DIR, f)).update("\0").update(readFileSync(f)).update("\0");
  for (const pkg of ["vite", "preact", "graphiql", "react", "react-dom"]) {
    const manifest = join(WEB_DIR, "..", "node_modules", pkg, "package.json");
    h.update(existsSync(manifest) ? (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version : "none");
  }
  return h.digest("hex");
}

/** "missing": never built; "stale": built from other sources; "fresh": built from these. */
export function webBuildState(): "missing" | "stale" | "fresh" {
  if (!existsSync(join(WEB_DIST, "index.html")) || !existsSync(join(WEB_DIST, "graphiql", "index.html")) || !existsSync(STAMP)) return "missing";
  return readFileSync(STAMP, "utf8").trim() === webSourceHash() ? "fresh" : "stale";
}

/**
 * Runs `vite build` on web/, then on web/graphiql (into web/dist/graphiql, which the first build empties), as
 * `npm run web:build` does (child processes: Vite is ESM), and stamps the result. Throws with Vite's output.
 */
export function buildWeb(): void {
  const hash = webSourceHash();
  const vite = join(WEB_DIR, "..", "node_modules", "vite", "bin", "vite.js");
  for (const root of [WEB_DIR, join(WEB_DIR, "graphiql")]) {
    try {
      execFileSync(process.execPath, [vite, "build", root, "--logLevel", "warn"], { cwd: join(WEB_DIR, ".."), stdio: ["ignore", "pipe", "pipe"] });
    } catch (err) {
      const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
      throw new Error(`vite build of ${relative(join(WEB_DIR, ".."), root)}/ failed: ${e.message}\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`);
    }
  }
  writeFileSync(STAMP, hash + "\n");
}

/** Builds when missing or stale; says which it was ("fresh" when nothing was done). */
export function ensureWebBuild(log: (line: string) => void = () => undefined): "missing" | "stale" | "fresh" {
  const state = webBuildState();
  if (state !== "fresh") {
    log(`Building the web app (${state === "missing" ? "no build yet" : "web/ changed since the last build"})...`);
    const started = Date.now();
    buildWeb();
    log(`  web/dist built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return state;
}
