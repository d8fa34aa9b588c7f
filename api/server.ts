// The HTTP server: GraphQL (and GraphiQL) at /graphql, /health, /ready, /metrics. Read-only over the index file.
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import Database from "better-sqlite3";
import type { Database as Db } from "better-sqlite3";
import { createSchema, createYoga } from "graphql-yoga";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { createLoaders, type Context, type SyncState } from "./context";
import { Metrics } from "./metrics";
import { registryQueries, registryTypes } from "./resolvers/registry";
import { rightsQueries, rightsTypes } from "./resolvers/rights";
import { tradeQueries, tradeTypes } from "./resolvers/trades";
import { valuationQueries, valuationTypes } from "./resolvers/valuation";
import { accountingQueries, accountingTypes } from "./resolvers/accounting";
import { bookQueries, bookTypes } from "./resolvers/books";
import { balanceSheetCsv, disclosureCsv } from "./csv";
import { GraphQLError } from "graphql";
import { iso } from "./inputs";

export interface ApiOptions {
  /** The index's SQLite file (opened read-only). */
  database: string;
  /** Where the indexer stands; the embedded indexer's status(), or one read from the index file. */
  sync: () => SyncState;
  host?: string;
  port?: number;
  /** Called with every SQL statement run (tests count queries with it). */
  onQuery?: (sql: string) => void;
}

export interface ApiServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export const typeDefs = readFileSync(join(__dirname, "schema.graphql"), "utf8");

export const resolvers = {
  Query: {
    ...registryQueries,
    ...rightsQueries,
    ...tradeQueries,
    ...valuationQueries,
    ...accountingQueries,
    ...bookQueries,
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
  ...accountingTypes,
  ...bookTypes,
};

export function openIndex(file: string, onQuery?: (sql: string) => void): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true, verbose: onQuery as ((message?: unknown) => void) | undefined });
  db.pragma("query_only = ON");
  return db;
}

export async function startApi(opts: ApiOptions): Promise<ApiServer> {
  const db = openIndex(opts.database, opts.onQuery);
  const metrics = new Metrics(opts.sync);
  const yoga = createYoga<object, Context>({
    schema: createSchema({ typeDefs, resolvers }),
    graphqlEndpoint: "/graphql",
    graphiql: { title: "Data asset registry and ledger" },
    maskedErrors: true, // only errors made for the user (bad input) show their message
    landingPage: false,
    context: () => {
      const sync = opts.sync();
      return { db, sync, now: sync.latestBlockTime ?? Math.floor(Date.now() / 1000), loaders: createLoaders(db) };
    },
    plugins: [
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        costLimit: { maxCost: 20_000 },
        maxAliases: { n: 20 },
        maxTokens: { n: 3_000 },
        maxDirectives: { n: 20 },
      }),
      metrics.yogaPlugin(),
    ],
  });

  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const started = process.hrtime.bigint();
    res.on("finish", () => metrics.observeHttp(path, res.statusCode, started));
    if (path === "/health") return send(res, 200, { status: "ok" });
    if (path === "/ready") {
      const s = opts.sync();
      return send(res, s.caughtUp ? 200 : 503, { ready: s.caughtUp, latestBlock: s.latestBlock, head: s.head, lag: s.lag });
    }
    if (path === "/metrics") {
      metrics.text().then((body) => {
        res.writeHead(200, { "content-type": metrics.contentType });
        res.end(body);
      });
      return;
    }
    if (path === "/graphql") return yoga(req, res);
    if (path === "/csv/balance-sheet" || path === "/csv/disclosure") {
      const q = new URL(req.url ?? "/", "http://localhost").searchParams;
      const arg = (name: string) => q.get(name) ?? "";
      try {
        const body =
          path === "/csv/balance-sheet"
            ? balanceSheetCsv(db, arg("entity"), arg("asOf"))
            : disclosureCsv(db, arg("entity"), arg("from"), arg("to"));
        const name = path === "/csv/balance-sheet" ? `balance-sheet-${arg("asOf")}` : `disclosure-${arg("from")}-${arg("to")}`;
        res.writeHead(200, { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="${name}.csv"` });
        return res.end(body);
      } catch (err) {
        if (err instanceof GraphQLError) return send(res, 400, { error: err.message });
        console.error(err);
        return send(res, 500, { error: "internal error" });
      }
    }
    send(res, 404, { error: `no route ${path}; GraphQL is at /graphql` });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 4000, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as { address: string; port: number };
  return {
    url: `http://${address}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          db.close();
          resolve();
        });
      }),
  };
}

function send(res: import("node:http").ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
