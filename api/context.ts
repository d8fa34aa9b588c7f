// Per-request context: the read-only index connection, the sync state, and DataLoaders so that a page of 50 assets
// with their versions, parents and certificates costs a handful of queries, not hundreds (no N+1).
import type { Database, Statement } from "better-sqlite3";
import DataLoader from "dataloader";
import type { SyncStatus } from "../indexer/indexer";
import type { TokenRow } from "./money";
import type { Notice } from "./notices";

/** Where the indexer stands (its status(), or one read from the index file by a separate API process). */
export type SyncState = Omit<SyncStatus, "error">;

export type Row = Record<string, any>;

export interface Context {
  db: Database;
  sync: SyncState;
  /** "Now" for validity questions: the time of the latest indexed block (chain time, not the server's clock). */
  now: number;
  loaders: Loaders;
  /** Directory of account mappings (<entity>.json) for journal and trialBalance; null: the default chart. */
  accountMappings?: string | null;
  /** Notices for the answer's `extensions.notices` (a time asked about that the index has not reached). */
  notices: Notice[];
}

/** Statements cached per SQL text: the API prepares each shape once per connection. */
const cache = new WeakMap<Database, Map<string, Statement>>();
export function prepared(db: Database, sql: string): Statement {
  let m = cache.get(db);
  if (!m) cache.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare(sql)));
  return s;
}

/**
 * Many rows at once: SQLite assembles the rows of `sql`, whose result columns are `columns`, into one JSON array that
 * is parsed in one go. For thousands of rows this is about 1.5 times as fast as .all(), which turns every value into a
 * JavaScript value on its own. The values are the same (the index holds integers, text and nulls); the order is not.
 */
export function manyRows<T = Row>(db: Database, columns: readonly string[], sql: string, ...params: unknown[]): T[] {
  const object = columns.map((c) => `'${c}', "${c}"`).join(", ");
  return JSON.parse(prepared(db, `SELECT json_group_array(json_object(${object})) FROM (${sql})`).pluck().get(...params) as string);
}

const tableColumns = new WeakMap<Database, Map<string, string[]>>();
/** The columns of `table` (for manyRows of `SELECT *`). */
export function columnsOf(db: Database, table: string): string[] {
  let m = tableColumns.get(db);
  if (!m) tableColumns.set(db, (m = new Map()));
  let columns = m.get(table);
  if (!columns) m.set(table, (columns = prepared(db, `SELECT * FROM ${table} LIMIT 0`).columns().map((c) => c.name)));
  return columns;
}

/** Rows of `table` whose `column` is one of the keys, grouped per key (in key order), ordered by `order`. */
function groupLoader<K extends string | number>(db: Database, table: string, column: string, order: string) {
  return new DataLoader<K, Row[]>(async (keys) => {
    const rows = prepared(db, `SELECT * FROM ${table} WHERE ${column} IN (${keys.map(() => "?").join(",")}) ORDER BY ${order}`).all(
      ...keys,
    ) as Row[];
    const by = new Map<K, Row[]>(keys.map((k) => [k, []]));
    for (const r of rows) by.get(r[column] as K)?.push(r);
    return keys.map((k) => by.get(k)!);
  });
}

function oneLoader<K extends string | number>(db: Database, table: string, column: string) {
  const group = groupLoader<K>(db, table, column, column);
  return new DataLoader<K, Row | null>(async (keys) => (await group.loadMany(keys)).map((r) => (r instanceof Error ? null : r[0] ?? null)));
}

/**
 * Live pledges (Live or Defaulted) per key of `column`, among those `where` admits (all by default), in rank order:
 * legal registration time, then id. The contract ranks per key: an asset's holding and revenue together, each
 * certificate apart.
 */
function livePledgeLoader(db: Database, column: "asset_id" | "cert_id", where = "true") {
  return new DataLoader<number, Row[]>(async (keys) => {
    const rows = prepared(
      db,
      `SELECT * FROM pledges WHERE ${column} IN (${keys.map(() => "?").join(",")}) AND ${where} AND status IN ('Live', 'Defaulted')
       ORDER BY external_registered_at, id`,
    ).all(...keys) as Row[];
    const by = new Map<number, Row[]>(keys.map((k) => [k, []]));
    for (const r of rows) by.get(r[column])?.push(r);
    return keys.map((k) => by.get(k)!);
  });
}

/** `make()` on the first call, its result afterwards. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

export function createLoaders(db: Database) {
  return {
    asset: oneLoader<number>(db, "assets", "id"),
    /** Every registrar (a handful of exchanges), read at most once per request and resolved without a promise per
     *  asset: in a page of 50 assets, waiting on a DataLoader for each one's registrar cost a third of the page. */
    registrars: once(() => new Map((prepared(db, "SELECT * FROM registrars").all() as Row[]).map((r) => [r.id as number, r]))),
    versions: groupLoader<number>(db, "asset_versions", "asset_id", "version"),
    parents: groupLoader<number>(db, "lineage", "child_id", "position"),
    children: groupLoader<number>(db, "lineage", "parent_id", "child_id"),
    royalties: groupLoader<number>(db, "royalties", "asset_id", "position"),
    objections: groupLoader<number>(db, "objections", "asset_id", "id"),
    certificatesOfAsset: groupLoader<number>(db, "certificates", "asset_id", "id"),
    certificate: oneLoader<number>(db, "certificates", "id"),
    listing: oneLoader<number>(db, "listings", "id"),
    order: oneLoader<number>(db, "orders", "id"),
    settlement: oneLoader<number>(db, "settlements", "order_id"),
    lines: groupLoader<number>(db, "settlement_lines", "order_id", "position"),
    token: oneLoader<string>(db, "tokens", "address") as DataLoader<string, TokenRow | null>,
    pledge: oneLoader<number>(db, "pledges", "id"),
    /** Every pledge of an asset (its certificates' included), by id. */
    pledgesOfAsset: groupLoader<number>(db, "pledges", "asset_id", "id"),
    /** Every pledge of a rights certificate, by id. */
    pledgesOfCertificate: groupLoader<number>(db, "pledges", "cert_id", "id"),
    /** The live pledges of an asset's holding and revenue, in rank order (its certificates' rank apart). */
    livePledges: livePledgeLoader(db, "asset_id", "cert_id IS NULL"),
    /** The live pledges of a rights certificate, in rank order. */
    livePledgesOfCertificate: livePledgeLoader(db, "cert_id"),
    /** The events of one transaction, keyed `${block_number}:${tx_hash}` (the block narrows the lookup to an index). */
    eventsOfTx: new DataLoader<string, Row[]>(async (keys) => {
      const pairs = keys.map((k) => k.split(":"));
      const rows = prepared(
        db,
        `SELECT * FROM events WHERE (block_number, tx_hash) IN (VALUES ${pairs.map(() => "(?, ?)").join(",")}) ORDER BY log_index`,
      ).all(...pairs.flatMap(([b, tx]) => [Number(b), tx])) as Row[];
      const by = new Map<string, Row[]>(keys.map((k) => [k, []]));
      for (const r of rows) by.get(`${r.block_number}:${r.tx_hash}`)?.push(r);
      return keys.map((k) => by.get(k)!);
    }),
  };
}
export type Loaders = ReturnType<typeof createLoaders>;
