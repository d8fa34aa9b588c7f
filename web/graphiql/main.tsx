// GraphiQL, served from this origin at /graphql (api/graphiql.ts): graphiql 3 (CodeMirror 5, React 18), with its
// documentation explorer and history, bundled by Vite into web/dist/graphiql/ (web/build.ts). No CDN, no worker:
// one script and one stylesheet. The API puts its options into the page as JSON (#graphiql-options).
import { GraphiQL, type GraphiQLProps } from "graphiql";
import { createRoot } from "react-dom/client";
import "graphiql/graphiql.css";
import "./style.css";

type Fetcher = GraphiQLProps["fetcher"];
type FetcherParams = Parameters<Fetcher>[0];
type FetcherOpts = Parameters<Fetcher>[1];

interface Options {
  /** Where GraphQL answers (this origin). */
  endpoint: string;
  /** The editor's query on a first visit (GraphiQL keeps the user's own in localStorage afterwards). */
  defaultQuery?: string;
  /** The text of the introspection query the page has already sent (window.graphiqlIntrospection). */
  introspectionQuery?: string;
}

const el = document.getElementById("graphiql-options");
const options: Options = { endpoint: "/graphql", ...(el?.textContent ? (JSON.parse(el.textContent) as Partial<Options>) : {}) };
const HEADERS = { "content-type": "application/json", accept: "application/graphql-response+json, application/json" };

/** The introspection request the page sent while this bundle loaded (index.html), until GraphiQL asks for it. */
let early = (window as { graphiqlIntrospection?: Promise<Response> }).graphiqlIntrospection;

function post(params: FetcherParams, opts?: FetcherOpts): Promise<Response> {
  return fetch(options.endpoint, { method: "POST", headers: { ...HEADERS, ...opts?.headers }, body: JSON.stringify(params) });
}

/** POSTs to the endpoint; an answer that is not JSON (a proxy's error page) is shown as text. */
const fetcher: Fetcher = async (params, opts) => {
  let response: Promise<Response>;
  const sameAsEarly = params.operationName === "IntrospectionQuery" && params.query === options.introspectionQuery && !opts?.headers;
  if (early && sameAsEarly) {
    response = early.catch(() => post(params, opts));
    early = undefined;
  } else {
    response = post(params, opts);
  }
  const text = await (await response).text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

// ?query= in the address opens with that query, as yoga's page did.
const query = new URLSearchParams(location.search).get("query") ?? undefined;
createRoot(document.getElementById("graphiql")!).render(<GraphiQL fetcher={fetcher} defaultQuery={options.defaultQuery} query={query} />);
