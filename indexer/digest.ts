// A digest per table of an index: what replicas compare. The index is a deterministic function of the chain, so two
// indexes built independently (other RPC nodes, other range sizes, restarts) hold the same rows at the same block.
// Left out: what depends on when and how the index was built rather than on the chain: `blocks` and `undo_log` (the
// reorg window as of the last poll), the checkpoint's last seen chain head. Rows are hashed in primary-key order
// (events and relayed requests by block and log index), never in insertion order, each as JSON of its columns.
import { createHash } from "node:crypto";
import type { Database } from "better-sqlite3";
import { PRIMARY_KEYS } from "./schema";

const ORDER: Record<string, string> = {
  events: "block_number, log_index",
  relayed_requests: "block_number, log_index",
  meta: "key",
};
const LEFT_OUT = new Set(["blocks", "undo_log", "checkpoint"]);

export interface IndexDigest {
  /** The block the index stands at (checkpoint), and its hash: digests compare only at the same block. */
  block: number | null;
  blockHash: string | null;
  /** sha256 (hex) of each table's rows, by table name. */
  tables: Record<string, string>;
}

/** The digest of every table of the index `db` (read in one transaction, so at one block). */
export function indexDigest(db: Database): IndexDigest {
  return db.transaction(() => {
    const cp = db.prepare("SELECT block_number, block_hash FROM checkpoint WHERE id = 1").get() as
      | { block_number: number; block_hash: string }
      | undefined;
    const names = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[])
      .map((t) => t.name)
      .filter((t) => !LEFT_OUT.has(t));
    const tables: Record<string, string> = {};
    for (const t of names) {
      const order = ORDER[t] ?? PRIMARY_KEYS[t]?.join(", ");
      if (!order) throw new Error(`no row order known for table ${t}: add it to indexer/digest.ts`);
      const hash = createHash("sha256");
      for (const row of db.prepare(`SELECT * FROM ${t} ORDER BY ${order}`).iterate()) hash.update(JSON.stringify(row)).update("\n");
      tables[t] = hash.digest("hex");
    }
    return { block: cp?.block_number ?? null, blockHash: cp?.block_hash ?? null, tables };
  })();
}
