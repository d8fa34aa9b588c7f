// Values read from the index, kept while the index does not change. SQLite's data_version changes whenever another
// connection (the indexer, in this process or another) commits to the file, and total_changes() with this
// connection's own writes: two reads at the same version read the same rows. So rows an answer is computed from (an
// entity's book positions, its books and entries) are read once per version and per key, and every request at that
// version computes its answer (a balance sheet as of any date, a disclosure period) from them; the first request
// after a new block, a reorganisation or a migration reads them afresh.
import type { Database } from "better-sqlite3";
import { prepared } from "./context";

/** The state of the index as this connection sees it (see above). */
export function indexVersion(db: Database): string {
  const r = prepared(db, "SELECT (SELECT data_version FROM pragma_data_version) AS v, total_changes() AS c").get() as { v: number; c: number };
  return `${r.v}.${r.c}`;
}

/** Up to `maxEntries` values per connection (the least recently used go first), valid at one index version. */
export class VersionCache<T> {
  private readonly kept = new WeakMap<Database, { version: string; values: Map<string, T> }>();
  constructor(readonly maxEntries: number) {}

  /** The value of `key` at the index's current version: kept, else `read()` (in one read transaction with the version). */
  get(db: Database, key: string, read: () => T): T {
    const version = indexVersion(db);
    let k = this.kept.get(db);
    if (!k || k.version !== version) this.kept.set(db, (k = { version, values: new Map() }));
    const hit = k.values.get(key);
    if (hit !== undefined) {
      k.values.delete(key); // most recently used last
      k.values.set(key, hit);
      return hit;
    }
    const fresh = db.inTransaction ? { version: indexVersion(db), value: read() } : db.transaction(() => ({ version: indexVersion(db), value: read() }))();
    if (fresh.version !== version) return fresh.value; // a block arrived meanwhile: the next request keeps its own
    k.values.set(key, fresh.value);
    for (const old of k.values.keys()) {
      if (k.values.size <= this.maxEntries) break;
      k.values.delete(old);
    }
    return fresh.value;
  }

  /** Forgets what was kept for `db` (tests). */
  forget(db: Database): void {
    this.kept.delete(db);
  }
}
