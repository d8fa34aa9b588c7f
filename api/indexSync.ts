// Where the index stands, for an API process that does not run the indexer: read from the checkpoint the indexer
// keeps in the index file (its last seen chain head), so the API needs no RPC of its own.
import type { Database } from "better-sqlite3";
import { readCheckpoint } from "../indexer/indexer";
import type { SyncState } from "./context";

/** The sync state of the index file `db` (another process writes it); caught up when at most `confirmations` behind. */
export function syncFromIndex(db: Database, confirmations: number): () => SyncState {
  const meta = db.prepare("SELECT value FROM meta WHERE key = 'deployment'").get() as { value: string } | undefined;
  const chainId = meta ? (JSON.parse(meta.value).chainId as number) : 0;
  return () => {
    const cp = readCheckpoint(db);
    const lag = cp ? Math.max(0, cp.chain_head - cp.block_number) : null;
    return {
      chainId,
      latestBlock: cp?.block_number ?? null,
      latestHash: cp?.block_hash ?? null,
      latestBlockTime: cp?.block_time ?? null,
      head: cp?.chain_head ?? null,
      lag,
      caughtUp: lag !== null && lag <= confirmations,
    };
  };
}
