// Standalone API over an index file that a separate indexer process writes: `npm run api`.
// INDEX_DB (default data/index.sqlite), HOST (127.0.0.1), API_PORT (4000). Readiness comes from the checkpoint
// the indexer keeps in the file (its last seen chain head), so this process needs no RPC of its own.
import { existsSync } from "node:fs";
import { readCheckpoint } from "../indexer/indexer";
import { openIndex, startApi } from "./server";
import type { SyncState } from "./context";

async function main() {
  const database = process.env.INDEX_DB ?? "data/index.sqlite";
  if (!existsSync(database)) throw new Error(`index ${database} not found; run the indexer first (npm run indexer) or set INDEX_DB`);
  const db = openIndex(database);
  const meta = db.prepare("SELECT value FROM meta WHERE key = 'deployment'").get() as { value: string } | undefined;
  const chainId = meta ? (JSON.parse(meta.value).chainId as number) : 0;
  const sync = (): SyncState => {
    const cp = readCheckpoint(db);
    const lag = cp ? Math.max(0, cp.chain_head - cp.block_number) : null;
    return {
      chainId,
      latestBlock: cp?.block_number ?? null,
      latestHash: cp?.block_hash ?? null,
      latestBlockTime: cp?.block_time ?? null,
      head: cp?.chain_head ?? null,
      lag,
      caughtUp: lag !== null && lag <= Number(process.env.CONFIRMATIONS ?? 0),
    };
  };
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
