// GraphiQL served from this server, not a CDN: graphql-yoga's own page (the same GraphiQL, explorer and docs) pointed
// at the bundle of @graphql-yoga/graphiql installed in node_modules, served at /graphiql-assets/. Yoga's default page
// loads that bundle, its CSS and the Monaco editor's workers from unpkg.com, so offline it stays on "Loading…"
// (`YogaGraphiQL is not defined`). Here every request stays on this origin; the docs come from introspection.
import { createReadStream, existsSync, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { dirname, join } from "node:path";

export const GRAPHIQL_ASSETS = "/graphiql-assets/";

/** The files of @graphql-yoga/graphiql's dist that the page loads, and their types. */
const FILES: Record<string, string> = {
  "yoga-graphiql.umd.js": "text/javascript; charset=utf-8",
  "graphiql.css": "text/css; charset=utf-8",
  "monacoeditorwork/editor.worker.bundle.js": "text/javascript; charset=utf-8",
  "monacoeditorwork/json.worker.bundle.js": "text/javascript; charset=utf-8",
  "monacoeditorwork/graphql.worker..bundle.js": "text/javascript; charset=utf-8", // sic: the package's file name
};

let distDir: string | null | undefined;
/** node_modules/@graphql-yoga/graphiql/dist, or null when the package is missing. */
export function graphiqlDist(): string | null {
  if (distDir === undefined) {
    try {
      distDir = join(dirname(require.resolve("@graphql-yoga/graphiql/package.json")), "dist");
      if (!existsSync(join(distDir, "yoga-graphiql.umd.js"))) distDir = null;
    } catch {
      distDir = null;
    }
  }
  return distDir;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON inside a <script>: no "</script>" or "<!--" can end it early. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c");

/** Yoga's GraphiQL page (graphql-yoga's graphiql-html) with every URL on this origin. */
export function renderLocalGraphiQL(opts: Record<string, unknown> | undefined): string {
  const a = GRAPHIQL_ASSETS;
  // The bundle's editor starts from `query` (or ?query= in the address), not from yoga's `defaultQuery`.
  if (opts?.defaultQuery && !opts.query) opts = { ...opts, query: opts.defaultQuery };
  const title = escapeHtml(String(opts?.title ?? "GraphiQL"));
  const workers = {
    editorWorkerService: `${a}monacoeditorwork/editor.worker.bundle.js`,
    json: `${a}monacoeditorwork/json.worker.bundle.js`,
    graphql: `${a}monacoeditorwork/graphql.worker..bundle.js`,
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="${a}graphiql.css"></head>
<body id="body" class="no-focus-outline"><noscript>GraphiQL needs JavaScript.</noscript><div id="root">Loading ${title}…</div>
<script>
const workers = {};
const workerUrls = ${scriptJson(workers)};
function prepareWorkers() {
  return Promise.all(Object.entries(workerUrls).map(async ([k, url]) => {
    const text = await (await fetch(url)).text();
    workers[k] = URL.createObjectURL(new Blob([text], { type: "application/javascript" }));
  }));
}
self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_, label) => workers[label] };
</script>
<script src="${a}yoga-graphiql.umd.js"></script>
<script>prepareWorkers().finally(() => YogaGraphiQL.renderYogaGraphiQL(root, ${scriptJson(opts ?? {})}));</script>
</body></html>`;
}

/** Serves /graphiql-assets/<file> (only the files above); false when `path` is not one of them. */
export function serveGraphiqlAsset(path: string, res: ServerResponse): boolean {
  if (!path.startsWith(GRAPHIQL_ASSETS)) return false;
  const rel = path.slice(GRAPHIQL_ASSETS.length);
  const dir = graphiqlDist();
  if (!dir || !(rel in FILES)) return false;
  const file = join(dir, rel);
  res.writeHead(200, {
    "content-type": FILES[rel],
    "content-length": statSync(file).size,
    "cache-control": "public, max-age=86400",
    "x-content-type-options": "nosniff",
  });
  createReadStream(file).pipe(res);
  return true;
}
