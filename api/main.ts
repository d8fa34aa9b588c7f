// Standalone API over an index file that a separate indexer process writes: `npm run api`.
// INDEX_DB (default data/index.sqlite), HOST (127.0.0.1), API_PORT (4000). Readiness comes from the checkpoint
// the indexer keeps in the file (its last seen chain head), so this process needs no RPC of its own.
import { existsSync } from "node:fs";
import { openIndex, startApi } from "./server";
import { syncFromIndex } from "./indexSync";

async function main() {
  const database = process.env.INDEX_DB ?? "data/index.sqlite";
  if (!existsSync(database)) throw new Error(`index ${database} not found; run the indexer first (npm run indexer) or set INDEX_DB`);
  const sync = syncFromIndex(openIndex(database), Number(process.env.CONFIRMATIONS ?? 0));
  const api = await startApi({ database, sync, host: process.env.HOST, port: Number(process.env.API_PORT ?? 4000) });
  console.error(`api: GraphQL at ${api.url}/graphql (index ${database})`);
  const stop = () => api.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err) => {
  console.error(`api failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
