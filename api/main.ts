// Standalone API over an index file that a separate indexer process writes: `npm run api`.
// INDEX_DB (default data/index.sqlite), HOST (127.0.0.1), API_PORT (4000), API_WORKERS (worker processes sharing the
// port, default the number of CPU cores: api/workers.ts), MAX_LAG_BLOCKS (/ready answers 503 beyond this lag;
// default: ready when caught up to CONFIRMATIONS). Readiness comes from the checkpoint the indexer keeps in the file
// (its last seen chain head), so these processes need no RPC of their own. SIGTERM / SIGINT drain every worker.
import { existsSync } from "node:fs";
import { maxLagFromEnv, startApiWorkers, workerCount } from "./workers";

async function main() {
  const database = process.env.INDEX_DB ?? "data/index.sqlite";
  if (!existsSync(database)) throw new Error(`index ${database} not found; run the indexer first (npm run indexer) or set INDEX_DB`);
  const api = await startApiWorkers({
    database,
    workers: workerCount(),
    host: process.env.HOST,
    port: Number(process.env.API_PORT ?? 4000),
    confirmations: Number(process.env.CONFIRMATIONS ?? 0),
    maxLagBlocks: maxLagFromEnv(),
  });
  console.error(`api: GraphQL at ${api.url}/graphql (index ${database}, ${api.workers} worker${api.workers === 1 ? "" : "s"})`);
  const stop = () => api.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err) => {
  console.error(`api failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
