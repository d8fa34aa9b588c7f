// Standalone indexer: `npm run indexer`. Backfills from the deployment block, then follows the chain until
// Ctrl-C. Settings: see loadConfig in config.ts (RPC_URL, INDEX_DB, DEPLOYMENT, CONFIRMATIONS, ...).
import { loadConfig } from "./config";
import { Indexer } from "./indexer";

async function main() {
  const opts = await loadConfig();
  const indexer = new Indexer(opts);
  await indexer.open();
  console.error(`indexer: chain ${opts.chainId} at ${opts.rpcUrl} -> ${opts.database}`);
  // Stop cleanly at any time, backfill included: the range being written commits (or is abandoned) first.
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.error("indexer: stopping");
    indexer.stop().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  const first = await indexer.syncToHead();
  if (stopping) return;
  console.error(`indexer: caught up at block ${first.latestBlock} (head ${first.head}); following new blocks`);
  await indexer.start();
  await indexer.done;
}

main().catch((err) => {
  console.error(`indexer failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
