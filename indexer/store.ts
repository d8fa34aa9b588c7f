// Projection writes with an undo log. Inside the reorg window every insert or update first records the row's
// before-image keyed by (block, log index, n); undoing a block replays those images backwards. Below the window
// (blocks that can no longer reorg) nothing is recorded, so a backfill pays no undo cost.
import type { Database, Statement } from "better-sqlite3";
import { PRIMARY_KEYS } from "./schema";

export type Row = Record<string, unknown>;
type Value = string | number | bigint | boolean | null | undefined;

const sqlValue = (v: Value) => (typeof v === "boolean" ? (v ? 1 : 0) : v === undefined ? null : v);

export class Store {
  private readonly statements = new Map<string, Statement>();
  private recordUndo = false;
  private block = 0;
  private logIndex = 0;
  private n = 0;

  constructor(readonly db: Database) {}

  /** Sets the event the next writes belong to. */
  at(blockNumber: number, logIndex: number, recordUndo: boolean): void {
    this.block = blockNumber;
    this.logIndex = logIndex;
    this.n = 0;
    this.recordUndo = recordUndo;
  }

  /** A row by its key: the columns named, or all of them (a projection's hot reads name theirs: rows are wide). */
  get<T = Row>(table: string, key: Row, columns?: readonly string[]): T | undefined {
    const cols = keyColumns(table);
    const what = columns ? columns.join(", ") : "*";
    return this.stmt(`get:${table}:${what}`, () => `SELECT ${what} FROM ${table} WHERE ${cols.map((c) => `${c} = ?`).join(" AND ")}`).get(
      ...cols.map((c) => sqlValue(key[c] as Value)),
    ) as T | undefined;
  }

  /** Inserts a new row; fails if the key exists (an event seen twice is a bug, not something to paper over). */
  insert(table: string, row: Row): void {
    const cols = Object.keys(row);
    this.stmt(`ins:${table}:${cols}`, () => `INSERT INTO ${table} (${cols}) VALUES (${cols.map(() => "?").join(",")})`).run(
      ...cols.map((c) => sqlValue(row[c] as Value)),
    );
    if (this.recordUndo) this.log(table, pick(row, keyColumns(table)), null);
  }

  /** Changes some columns of an existing row. */
  update(table: string, key: Row, patch: Row): void {
    this.updated(table, key, patch, null);
  }

  /**
   * Changes some columns of an existing row and returns one column of it as it now is (the asset an event is about,
   * say): only that column, as a whole row costs a JavaScript object per update.
   */
  updateReturning<T>(table: string, key: Row, patch: Row, column: string): T {
    return this.updated(table, key, patch, column) as T;
  }

  private updated(table: string, key: Row, patch: Row, column: string | null): unknown {
    const keys = keyColumns(table);
    // The before-image is read only when it may be needed to undo.
    const before = this.recordUndo ? this.get<Row>(table, key) : undefined;
    const cols = Object.keys(patch);
    const statement = this.stmt(
      `upd:${table}:${cols}:${column}`,
      () =>
        `UPDATE ${table} SET ${cols.map((c) => `${c} = ?`).join(", ")} WHERE ${keys.map((c) => `${c} = ?`).join(" AND ")}` +
        (column === null ? "" : ` RETURNING ${column}`),
    );
    const params = [...cols.map((c) => sqlValue(patch[c] as Value)), ...keys.map((c) => sqlValue(key[c] as Value))];
    let found: boolean;
    let value: unknown;
    if (column === null) found = statement.run(...params).changes > 0;
    else {
      const row = statement.get(...params) as Row | undefined;
      found = row !== undefined;
      value = row?.[column];
    }
    if (!found) throw new Error(`${table} ${JSON.stringify(key)} not found (events out of order?)`);
    if (before) this.log(table, pick(before, keys), before);
    return value;
  }

  /** Inserts or replaces a whole row. */
  put(table: string, row: Row): void {
    const keys = keyColumns(table);
    const before = this.recordUndo ? this.get<Row>(table, pick(row, keys)) : undefined;
    const cols = Object.keys(row);
    this.stmt(`put:${table}:${cols}`, () => `INSERT OR REPLACE INTO ${table} (${cols}) VALUES (${cols.map(() => "?").join(",")})`).run(
      ...cols.map((c) => sqlValue(row[c] as Value)),
    );
    if (this.recordUndo) this.log(table, pick(row, keys), before ?? null);
  }

  delete(table: string, key: Row): void {
    const keys = keyColumns(table);
    const before = this.get<Row>(table, key);
    if (!before) return;
    this.stmt(`del:${table}`, () => `DELETE FROM ${table} WHERE ${keys.map((c) => `${c} = ?`).join(" AND ")}`).run(
      ...keys.map((c) => sqlValue(key[c] as Value)),
    );
    if (this.recordUndo) this.log(table, pick(before, keys), before);
  }

  /**
   * A prepared statement for SQL of a projection's own, prepared once per connection (preparing costs more than
   * running a small statement: a backfill runs some of them for every event).
   */
  prepared(sql: string): Statement {
    return this.stmt(`sql:${sql}`, () => sql);
  }

  /** Restores every projection row written after `block`, newest first, and forgets those undo entries. */
  undoAfter(block: number): number {
    const entries = this.db
      .prepare("SELECT tbl, pk, before FROM undo_log WHERE block_number > ? ORDER BY block_number DESC, log_index DESC, n DESC")
      .all(block) as { tbl: string; pk: string; before: string | null }[];
    for (const e of entries) {
      const keys = keyColumns(e.tbl);
      const pk = JSON.parse(e.pk) as Row;
      this.db
        .prepare(`DELETE FROM ${e.tbl} WHERE ${keys.map((c) => `${c} = ?`).join(" AND ")}`)
        .run(...keys.map((c) => pk[c] as Value));
      if (e.before !== null) {
        const row = JSON.parse(e.before) as Row;
        const cols = Object.keys(row);
        this.db.prepare(`INSERT INTO ${e.tbl} (${cols}) VALUES (${cols.map(() => "?").join(",")})`).run(...cols.map((c) => row[c] as Value));
      }
    }
    this.db.prepare("DELETE FROM undo_log WHERE block_number > ?").run(block);
    return entries.length;
  }

  private log(table: string, pk: Row, before: Row | null): void {
    this.stmt("undo", () => "INSERT INTO undo_log (block_number, log_index, n, tbl, pk, before) VALUES (?,?,?,?,?,?)").run(
      this.block,
      this.logIndex,
      this.n++,
      table,
      JSON.stringify(pk),
      before === null ? null : JSON.stringify(before),
    );
  }

  private stmt(key: string, sql: () => string): Statement {
    let s = this.statements.get(key);
    if (!s) {
      s = this.db.prepare(sql());
      this.statements.set(key, s);
    }
    return s;
  }
}

function keyColumns(table: string): string[] {
  const cols = PRIMARY_KEYS[table];
  if (!cols) throw new Error(`no primary key known for table ${table}`);
  return cols;
}

const pick = (row: Row, cols: string[]): Row => Object.fromEntries(cols.map((c) => [c, row[c]]));
