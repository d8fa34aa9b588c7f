// The HTTP server: GraphQL (and GraphiQL) at /graphql, /health, /ready, /metrics, the CSV/XLSX exports, and the web
// app (web/dist, built by Vite) at / with its client routes. Read-only over the index file.
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import Database from "better-sqlite3";
import type { Database as Db } from "better-sqlite3";
import { createSchema, createYoga } from "graphql-yoga";
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import cluster from "node:cluster";
import { extname, join, normalize, sep } from "node:path";
import { createLoaders, type Context, type SyncState } from "./context";
import { Metrics } from "./metrics";
import { ResponseCache, cacheBytesFromEnv } from "./responseCache";
import { registryQueries, registryTypes } from "./resolvers/registry";
import { rightsQueries, rightsTypes } from "./resolvers/rights";
import { tradeQueries, tradeTypes } from "./resolvers/trades";
import { valuationQueries, valuationTypes } from "./resolvers/valuation";
import { accountingQueries } from "./resolvers/accounting";
import { bookQueries, bookTypes } from "./resolvers/books";
import { journalQueries } from "./resolvers/journal";
import { pledgeAssetFields, pledgeCertificateFields, pledgeQueries, pledgeTypes, verificationEncumbrance } from "./resolvers/pledges";
import { journalCsv, journalXlsx } from "./journalExport";
import { balanceSheetCsv, csvLanguage, disclosureCsv } from "./csv";
import { GraphQLError } from "graphql";
import { iso } from "./inputs";
import { ARMOR, briefRequestErrors } from "./errors";
import { csvNotices, noticesPlugin } from "./notices";
import { renderLocalGraphiQL } from "./graphiql";
import { disclosureXlsx } from "./disclosureXlsx";
import { jitPlugin } from "./jit";
import { giveBack, isLent } from "./answerBytes";
import { webQueries, webTypes } from "./resolvers/web";

export interface ApiOptions {
  /** The index's SQLite file (opened read-only). */
  database: string;
  /** Where the indexer stands; the embedded indexer's status(), or one read from the index file. */
  sync: () => SyncState;
  host?: string;
  port?: number;
  /** Called with every SQL statement run (tests count queries with it). */
  onQuery?: (sql: string) => void;
  /** Directory of account mappings, <entity address>.json, for the journal and trial balance (default:
   *  ACCOUNT_MAPPINGS; none: the default chart of accounts). */
  accountMappings?: string | null;
  /** Directory of the built web app (index.html and assets/), served at /; default web/dist of this checkout when
   *  built; null: none. */
  webRoot?: string | null;
  /** /ready answers 503 when the index is more than this many blocks behind the chain head (default: ready when
   *  caught up, as the sync state says). */
  maxLagBlocks?: number;
  /** The text of /metrics (API workers: every worker's metrics aggregated by the primary, api/workers.ts); default:
   *  this process's own. */
  metricsText?: (own: Metrics) => Promise<string>;
  /** How long close() lets requests in flight finish before it cuts their connections (default 10 s). */
  drainMs?: number;
  /** Bytes of /graphql answers kept while the index stands still (api/responseCache.ts; default API_CACHE_MB or
   *  64 MB; 0: none). */
  cacheBytes?: number;
}

export interface ApiServer {
  url: string;
  server: Server;
  metrics: Metrics;
  /** Stops accepting connections, lets requests in flight finish (up to drainMs), then closes the index. */
  close(): Promise<void>;
}

/** Ready to serve: some block indexed, and at most maxLagBlocks behind the head (or caught up when not given). */
export function readiness(s: SyncState, maxLagBlocks?: number): { ready: boolean; latestBlock: number | null; head: number | null; lag: number | null; maxLagBlocks: number | null } {
  const ready = maxLagBlocks === undefined ? s.caughtUp : s.latestBlock !== null && s.lag !== null && s.lag <= maxLagBlocks;
  return { ready, latestBlock: s.latestBlock, head: s.head, lag: s.lag, maxLagBlocks: maxLagBlocks ?? null };
}

/** What an answer derived from the index depends on besides the request: the code's schema (one value per build). */
const API_VERSION = createHash("sha256").update(typeDefsText()).digest("hex").slice(0, 8);

function typeDefsText(): string {
  return readFileSync(join(__dirname, "schema.graphql"), "utf8");
}

/**
 * The entity tag of every answer derived from the index while it stands at `s`: the indexed block (number and hash)
 * and the API's schema. Weak: the same question at the same block gets the same figures, not necessarily the same
 * bytes (an XLSX file carries its creation time). Null before the first block is indexed.
 */
export function indexTag(s: SyncState, extra = ""): string | null {
  if (s.latestBlock === null || s.latestHash === null) return null;
  return `W/"${s.chainId}-${s.latestBlock}-${s.latestHash.slice(2, 18)}-${API_VERSION}${extra}"`;
}

/**
 * A stamp of the account mappings directory (the journal's answers depend on its files as well as on the index): the
 * latest modification time of its files, read at most once a second.
 */
function mappingsStamp(dir: string | null): () => string {
  let at = 0;
  let stamp = "";
  return () => {
    if (!dir) return "";
    const now = Date.now();
    if (now - at < 1000) return stamp;
    at = now;
    try {
      let latest = statSync(dir).mtimeMs;
      for (const f of readdirSync(dir)) latest = Math.max(latest, statSync(join(dir, f)).mtimeMs);
      stamp = `-m${Math.floor(latest).toString(36)}`;
    } catch {
      stamp = "";
    }
    return stamp;
  };
}

/** Whether an If-None-Match header value names `tag` (weak comparison, as for GET). */
function matches(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = (t: string) => t.trim().replace(/^W\//, "");
  return header.split(",").some((t) => bare(t) === bare(tag));
}

/** Request headers not passed on to yoga (they concern this connection, not the question). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host", "upgrade"]);
/**
 * yoga's answer headers not passed on (nor kept with a cached answer): this server sends the whole answer at once,
 * with its own length and date (a multipart answer's chunked transfer-encoding beside a length is malformed HTTP).
 */
const ANSWER_HOP_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "date"]);
/** The largest /graphql request body read (a query with its variables is a few kilobytes). */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** Paths whose answers are derived from the index (and so carry its ETag). */
const INDEXED_PATHS = new Set(["/graphql", "/csv/balance-sheet", "/csv/disclosure", "/csv/journal", "/xlsx/journal", "/xlsx/disclosure"]);

export const typeDefs = typeDefsText();

export const resolvers = {
  Query: {
    ...registryQueries,
    ...rightsQueries,
    ...tradeQueries,
    ...valuationQueries,
    ...accountingQueries,
    ...bookQueries,
    ...journalQueries,
    ...webQueries,
    ...pledgeQueries,
    _meta: (_: unknown, __: unknown, ctx: Context) => ({
      chainId: ctx.sync.chainId,
      latestBlock: ctx.sync.latestBlock,
      latestBlockHash: ctx.sync.latestHash,
      latestBlockTime: iso(ctx.sync.latestBlockTime),
      chainHead: ctx.sync.head,
      lag: ctx.sync.lag,
      caughtUp: ctx.sync.caughtUp,
    }),
  },
  ...registryTypes,
  ...rightsTypes,
  ...tradeTypes,
  ...valuationTypes,
  ...bookTypes,
  ...pledgeTypes,
  // Merged here, not imported by resolvers/registry.ts: pledges.ts imports from it, and a cycle would leave these
  // undefined in whichever module loads first. A certificate's pledge fields likewise, beside the asset's.
  Asset: { ...registryTypes.Asset, ...pledgeAssetFields },
  RightsCertificate: { ...rightsTypes.RightsCertificate, ...pledgeCertificateFields },
  ContentVerification: { encumbrance: verificationEncumbrance },
  Indication: { inputList: webTypes.inputList },
};

export function openIndex(file: string, onQuery?: (sql: string) => void): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true, verbose: onQuery as ((message?: unknown) => void) | undefined });
  db.pragma("query_only = ON");
  return db;
}

export async function startApi(opts: ApiOptions): Promise<ApiServer> {
  const db = openIndex(opts.database, opts.onQuery);
  const metrics = new Metrics(opts.sync);
  const accountMappings = opts.accountMappings ?? process.env.ACCOUNT_MAPPINGS ?? null;
  const executions = { compiled: 0, interpreted: 0, retried: 0 };
  metrics.executionsOf(executions);
  const webRoot = opts.webRoot === undefined ? defaultWebRoot() : opts.webRoot;
  const yoga = createYoga<object, Context>({
    schema: createSchema({ typeDefs, resolvers }),
    graphqlEndpoint: "/graphql",
    graphiql: { title: "Data asset registry and ledger", defaultQuery: "{\n  _meta { chainId latestBlock latestBlockTime caughtUp }\n  assets(first: 5) { totalCount nodes { id name registrationNumber status } }\n}\n" },
    renderGraphiQL: (o) => renderLocalGraphiQL(webRoot, o as Record<string, unknown>), // from the web build (api/graphiql.ts), not a CDN
    maskedErrors: true, // only errors made for the user (bad input) show their message
    landingPage: false,
    context: () => {
      const sync = opts.sync();
      return { db, sync, now: sync.latestBlockTime ?? Math.floor(Date.now() / 1000), loaders: createLoaders(db), accountMappings, notices: [] };
    },
    plugins: [
      EnvelopArmorPlugin(ARMOR), // depth, cost, aliases, directives, tokens: api/errors.ts
      metrics.yogaPlugin(),
      noticesPlugin(),
      briefRequestErrors(),
      jitPlugin({ stats: executions }), // queries asked again run compiled (api/jit.ts); errors as yoga's executor gives them
    ],
  });

  let draining = false;
  const cache = new ResponseCache(opts.cacheBytes ?? cacheBytesFromEnv());
  metrics.cacheOf(cache);
  const worker = cluster.isWorker ? String(cluster.worker!.id) : null; // which API worker answered (api/workers.ts)
  const mappings = mappingsStamp(accountMappings);
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const started = process.hrtime.bigint();
    res.on("finish", () => metrics.observeHttp(path, res.statusCode, started));
    if (worker) res.setHeader("x-api-worker", worker);
    if (draining) res.setHeader("connection", "close"); // shutting down: no new request on this connection
    if (path === "/health") return send(res, 200, { status: "ok" });
    if (path === "/ready") {
      const r = readiness(opts.sync(), opts.maxLagBlocks);
      if (draining) return send(res, 503, { ...r, ready: false, shuttingDown: true });
      return send(res, r.ready ? 200 : 503, r);
    }
    if (path === "/metrics") {
      (opts.metricsText ? opts.metricsText(metrics) : metrics.text()).then(
        (body) => {
          res.writeHead(200, { "content-type": metrics.contentType });
          res.end(body);
        },
        (err) => send(res, 500, { error: `metrics: ${err instanceof Error ? err.message : err}` }),
      );
      return;
    }
    let tag: string | null = null;
    if (INDEXED_PATHS.has(path)) {
      // The answer is a function of the request and the index at its block: clients revalidate with If-None-Match.
      tag = indexTag(opts.sync(), mappings());
      if (tag) {
        const method = req.method ?? "GET";
        if ((method === "GET" || method === "HEAD") && matches(req.headers["if-none-match"], tag)) {
          res.writeHead(304, { etag: tag, "cache-control": "no-cache" });
          return res.end();
        }
        res.setHeader("etag", tag);
        res.setHeader("cache-control", "no-cache");
      }
    }
    if (path === "/graphql") return graphql(req, res, tag);
    if (path === "/graphiql") {
      res.writeHead(302, { location: "/graphql" });
      return res.end();
    }
    if (path === "/xlsx/disclosure") {
      // Tables A and B, the R&D spending, the book detail and the checks, one sheet each (api/disclosureXlsx.ts).
      const q = new URL(req.url ?? "/", "http://localhost").searchParams;
      const [entity, from, to] = ["entity", "from", "to"].map((k) => q.get(k) ?? "");
      const fail = (err: unknown) => {
        if (err instanceof GraphQLError) return send(res, 400, { error: err.message });
        console.error(err);
        return send(res, 500, { error: "internal error" });
      };
      try {
        disclosureXlsx(db, entity, from, to).then(({ name, body }) => {
          const notice = csvNotices(opts.sync(), { from, to });
          res.writeHead(200, {
            "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "content-disposition": `attachment; filename="${name}"`,
            ...(notice ? { "x-index-notice": notice } : {}),
          });
          res.end(body);
        }, fail);
      } catch (err) {
        fail(err);
      }
      return;
    }
    if (path === "/csv/balance-sheet" || path === "/csv/disclosure") {
      const q = new URL(req.url ?? "/", "http://localhost").searchParams;
      const arg = (name: string) => q.get(name) ?? "";
      try {
        const lang = csvLanguage(arg("lang"));
        const dates: Record<string, string> = path === "/csv/balance-sheet" ? { asOf: arg("asOf") } : { from: arg("from"), to: arg("to") };
        const body =
          path === "/csv/balance-sheet"
            ? balanceSheetCsv(db, arg("entity"), arg("asOf"), lang)
            : disclosureCsv(db, arg("entity"), arg("from"), arg("to"), lang);
        const name = path === "/csv/balance-sheet" ? `balance-sheet-${arg("asOf")}` : `disclosure-${arg("from")}-${arg("to")}`;
        const notice = csvNotices(opts.sync(), dates); // dates the index has not reached yet
        res.writeHead(200, {
          "content-type": "text/csv; charset=utf-8",
          "content-disposition": `attachment; filename="${name}.csv"`,
          ...(notice ? { "x-index-notice": notice } : {}),
        });
        return res.end(body);
      } catch (err) {
        if (err instanceof GraphQLError) return send(res, 400, { error: err.message });
        console.error(err);
        return send(res, 500, { error: "internal error" });
      }
    }
    if (path === "/csv/journal" || path === "/xlsx/journal") {
      // The journal as an ERP voucher import (api/journalExport.ts); `mapping` (JSON) as the GraphQL argument.
      const q = new URL(req.url ?? "/", "http://localhost").searchParams;
      const args = { entity: q.get("entity") ?? "", from: q.get("from") ?? "", to: q.get("to") ?? "", mapping: q.get("mapping") };
      const fail = (err: unknown) => {
        if (err instanceof GraphQLError) return send(res, 400, { error: err.message });
        console.error(err);
        return send(res, 500, { error: "internal error" });
      };
      try {
        if (path === "/csv/journal") {
          const { name, body } = journalCsv(db, args, accountMappings);
          res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}"` });
          return res.end(body);
        }
        journalXlsx(db, args, accountMappings).then(({ name, body }) => {
          res.writeHead(200, {
            "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "content-disposition": `attachment; filename="${name}"`,
          });
          res.end(body);
        }, fail);
        return;
      } catch (err) {
        return fail(err);
      }
    }
    if (webRoot && (req.method === "GET" || req.method === "HEAD") && serveWeb(webRoot, path, req.method, res)) return;
    send(res, 404, { error: `no route ${path}; GraphQL is at /graphql${webRoot ? "" : " (the web app is not built: npm run web:build)"}` });
  });
  // Keep-alive idle timeout well above any one request's work: with Node's 5 s default, a worker busy with long
  // synchronous answers closes connections whose next request is already on its way (clients see ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  /**
   * /graphql, through the response cache when the index has a state (`tag`) and the cache is on: the same request
   * (method, URL, body, and the headers that shape the answer) at the same index state gets the answer computed the
   * first time; otherwise yoga answers and the answer is kept. A request body over MAX_REQUEST_BYTES is refused (413)
   * unread: it would be held in memory whole.
   */
  function graphql(req: IncomingMessage, res: ServerResponse, tag: string | null): void {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on("data", (c: Buffer) => {
      bytes += c.length;
      if (bytes <= MAX_REQUEST_BYTES) return void chunks.push(c);
      if (res.headersSent) return;
      chunks.length = 0;
      req.removeAllListeners("end");
      req.pause();
      res.setHeader("connection", "close");
      res.once("finish", () => req.destroy());
      send(res, 413, { error: `request body over ${MAX_REQUEST_BYTES} bytes: a GraphQL request with its variables is a few kilobytes` });
    });
    req.on("error", () => res.destroy());
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const method = req.method ?? "GET";
      const caching = tag !== null && cache.enabled;
      const key = caching ? `${method} ${req.url} ${req.headers.accept ?? ""} ${req.headers["content-type"] ?? ""}\n${body.toString("latin1")}` : "";
      // Cache-Control: no-cache (or no-store) asks for an answer computed afresh (it is still kept for others).
      const fresh = /no-cache|no-store/i.test(req.headers["cache-control"] ?? "");
      if (caching && fresh) cache.at(tag);
      const hit = caching && !fresh ? cache.get(tag, key) : undefined;
      if (hit) {
        res.writeHead(hit.status, { ...Object.fromEntries(hit.headers), "content-length": hit.body.length });
        res.end(hit.body);
        return;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && !HOP_BY_HOP.has(k)) headers[k] = v;
      // A URL and its init, not a Request: yoga watches a Request's AbortSignal, and what that keeps reachable (the
      // answer's text among it) then outlived every young-generation GC until a full one, ~0.5 MB per balance sheet.
      const init = { method, headers, body: method === "GET" || method === "HEAD" ? undefined : body };
      Promise.resolve(yoga.fetch(`http://${req.headers.host ?? "localhost"}${req.url}`, init, {}))
        .then(async (response) => {
          // A compiled query's answer is already bytes, in a kept buffer (api/answerBytes.ts), given back once sent.
          // Any other is a text: whatwg-node's arrayBuffer() is a Buffer made from it (one copy, not two).
          const body = await response.arrayBuffer();
          const answer = Buffer.isBuffer(body) ? body : Buffer.from(body);
          const kept: [string, string][] = [];
          response.headers.forEach((v, k) => {
            if (!ANSWER_HOP_HEADERS.has(k.toLowerCase())) kept.push([k, v]);
          });
          if (!res.headersSent) {
            // With its length: not sent in chunks, and a client can tell a whole answer from one cut short.
            res.writeHead(response.status, { ...Object.fromEntries(kept), "content-length": answer.length });
            // Once written ('finish'); an answer cut short is left to the garbage collector (the socket may still hold it).
            res.end(answer, () => giveBack(answer));
          }
          // Answers with errors are not kept: an internal error may be transient (a user's bad input is cheap anyway).
          // One kept already (this was computed afresh on request) is the same answer: no need to search this one.
          const keep = caching && response.status === 200 && (method === "GET" || method === "POST") && !cache.renew(tag, key);
          if (keep && !answer.includes('"errors":')) {
            const body = isLent(answer) ? Buffer.from(answer) : answer; // the cache's own copy of a lent buffer
            cache.set(tag, key, { status: response.status, headers: kept, body });
          }
        })
        .catch((err) => {
          console.error(err);
          if (!res.headersSent) send(res, 500, { error: "internal error" });
        });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 4000, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as { address: string; port: number };
  let closing: Promise<void> | undefined;
  return {
    url: `http://${address}:${port}`,
    server,
    metrics,
    // Graceful: no new connections; idle keep-alive connections are closed at once, busy ones after their answer
    // (Connection: close); whatever is still open after drainMs is cut. Then the index is closed.
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        draining = true;
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        const cut = setTimeout(() => server.closeAllConnections(), opts.drainMs ?? 10_000);
        server.close(() => {
          clearInterval(idle);
          clearTimeout(cut);
          db.close();
          resolve();
        });
        server.closeIdleConnections();
      })),
  };
}

/** web/dist of this checkout (api/ or dist/api/ beside it) when it has been built, else null. */
export function defaultWebRoot(): string | null {
  for (const dir of [join(__dirname, "..", "web", "dist"), join(__dirname, "..", "..", "web", "dist")]) {
    if (existsSync(join(dir, "index.html"))) return dir;
  }
  return null;
}

const WEB_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** Nothing but this origin: scripts, styles, fetches, images (WebAssembly for the in-browser hashing). */
const WEB_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";

/**
 * A file of the built web app, or its index.html for a client route (a path without an extension, e.g. /asset/7).
 * Vite's hashed files under /assets/ (and GraphiQL's, /graphiql/assets/) are cached for good; index.html is
 * revalidated. False: not the web app's.
 */
function serveWeb(root: string, path: string, method: string, res: import("node:http").ServerResponse): boolean {
  let rel: string;
  try {
    rel = decodeURIComponent(path);
  } catch {
    return false;
  }
  const file = normalize(join(root, rel));
  if (file !== root && !file.startsWith(root + sep)) return false;
  let target: string | null = null;
  try {
    if (statSync(file).isFile()) target = file;
  } catch {
    // not a file of the build
  }
  if (!target) {
    if (extname(rel) !== "" || rel.startsWith("/assets/")) return false;
    target = join(root, "index.html");
    if (!existsSync(target)) return false;
  }
  const immutable = [join(root, "assets"), join(root, "graphiql", "assets")].some((dir) => target.startsWith(dir + sep));
  res.writeHead(200, {
    "content-type": WEB_TYPES[extname(target)] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    "content-security-policy": WEB_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  });
  if (method === "HEAD") res.end();
  else createReadStream(target).pipe(res);
  return true;
}

function send(res: import("node:http").ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
