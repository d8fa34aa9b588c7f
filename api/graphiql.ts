// GraphiQL served from this origin, not a CDN: graphiql 3 (CodeMirror 5, React 18, its documentation explorer and
// history) bundled by Vite from web/graphiql/ into web/dist/graphiql/ with the web app (web/build.ts). GET /graphql
// from a browser gets that page with yoga's GraphiQL options (title, default query) put in as JSON; its script and
// stylesheet come from /graphiql/assets/ of the web build, and its schema from introspection on /graphql.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getIntrospectionQuery } from "graphql";

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON inside a <script>: no "</script>" or "<!--" can end it early. */
const scriptJson = (v: unknown) => JSON.stringify(v).replace(/</g, "\\u003c");

/** The introspection query graphiql sends (graphql's default), which the page sends early (web/graphiql/index.html). */
const INTROSPECTION_QUERY = getIntrospectionQuery();

/**
 * GraphiQL's page from the web build under `webRoot` (graphiql/index.html), with `opts` (yoga's `graphiql` options:
 * title, defaultQuery) in it; when the web app is not built, a page that says how to build it.
 */
export function renderLocalGraphiQL(webRoot: string | null, opts: Record<string, unknown> | undefined): string {
  const title = escapeHtml(String(opts?.title ?? "GraphiQL"));
  let page: string | null = null;
  try {
    if (webRoot) page = readFileSync(join(webRoot, "graphiql", "index.html"), "utf8");
  } catch {
    page = null;
  }
  if (!page) {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>
<p>GraphiQL is part of the web app's build, which this server does not have: run <code>npm run web:build</code>
(<code>npm start</code> builds it), then reload. GraphQL itself answers here: POST a query to /graphql.</p></body></html>`;
  }
  const options = {
    endpoint: "/graphql",
    defaultQuery: typeof opts?.defaultQuery === "string" ? opts.defaultQuery : undefined,
    introspectionQuery: INTROSPECTION_QUERY,
  };
  return page
    .replace(/<title>[^<]*<\/title>/, () => `<title>${title}</title>`)
    .replace("<!--graphiql-options-->", () => `<script id="graphiql-options" type="application/json">${scriptJson(options)}</script>`);
}
