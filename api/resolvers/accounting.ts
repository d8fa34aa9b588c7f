// balanceSheet(entity, asOf) and disclosure(entity, from, to): the "其中：数据资源" lines and disclosure tables A and B
// of DOMAIN.md §5, computed by api/accounting.ts from the entity's books and their dated entries.
import type { Database } from "better-sqlite3";
import type { GraphQLResolveInfo } from "graphql";
import {
  balanceSheet,
  balanceSheetOf,
  disclosure,
  disclosureOf,
  endOfDay as dayEnd,
  periodTimes,
  positionServes,
  type BookRow,
  type EntryRow,
  type PositionRow,
} from "../accounting";
import { columnsOf, manyRows, prepared, type Context, type Row } from "../context";
import { address, badInput, endOfDay } from "../inputs";
import { amount, unknownToken, type Amount, type TokenRow } from "../money";
import { noteIndexReach } from "../notices";
import { VersionCache } from "../versionCache";
import { assetColumnsAt } from "./assetColumns";
import { emptyEncumbered, encumberedCarrying, encumberedResources } from "./pledges";

// An entity with 1,000 books has ~5,000 entries, and reading them was most of a balance sheet's time: so only the
// columns api/accounting.ts uses (not hashes and chain coordinates), read with manyRows, in no particular order (the
// accounting orders books by id and a book's entries by seq itself).
const BOOK_COLUMNS = ["id", "asset_id", "initial_category", "source", "useful_life_months", "residual_value", "currency", "recognised_on", "awaiting_use"];
const ENTRY_COLUMNS = ["book_id", "seq", "kind", "date", "amount", "source", "phase", "useful_life_months", "reason", "proceeds"];

/** The books of an entity (only those of `ids` when given) with their entries. */
function booksOf(db: Database, entity: string, ids?: readonly number[]): { books: BookRow[]; entries: Map<number, EntryRow[]> } {
  // A few ids (the books with an entry after the date asked) as a JSON array parameter: one statement for any number.
  const only = ids ? " AND b.id IN (SELECT value FROM json_each(?))" : "";
  const more = ids ? [JSON.stringify(ids)] : [];
  const books = manyRows<BookRow>(db, BOOK_COLUMNS, `SELECT ${BOOK_COLUMNS.map((c) => `b.${c}`)} FROM books b WHERE b.entity = ?${only}`, entity, ...more);
  const entries = new Map<number, EntryRow[]>(books.map((b) => [b.id, []]));
  const rows = manyRows<EntryRow>(
    db,
    ENTRY_COLUMNS,
    `SELECT ${ENTRY_COLUMNS.map((c) => `e.${c}`)} FROM book_entries e JOIN books b ON b.id = e.book_id WHERE b.entity = ?${only}`,
    entity,
    ...more,
  );
  for (const e of rows) entries.get(e.book_id)!.push(e);
  return { books, entries };
}

// The position columns api/accounting.ts reads (stateOfRow), not the disclosure-only ones.
const POSITION_COLUMNS = [
  "book_id", "asset_id", "currency", "source", "recognised_on", "category", "cost", "impairment", "ready_on", "useful_life_months",
  "derecognised_on", "derecognition_reason", "proceeds", "last_entry_date", "schedule", "rules",
];

/**
 * The positions of an entity's books by book id (the order the accounting lists them in, so it need not sort them per
 * request), read as arrays (better-sqlite3's raw mode: the fastest way to many rows).
 */
function positionsOf(db: Database, entity: string): PositionRow[] {
  const rows = prepared(db, `SELECT ${POSITION_COLUMNS} FROM book_positions WHERE entity = ? ORDER BY book_id`).raw(true).all(entity) as unknown[][];
  return rows.map((r) => {
    const p: Record<string, unknown> = {};
    for (let i = 0; i < POSITION_COLUMNS.length; i++) p[POSITION_COLUMNS[i]] = r[i];
    return p as unknown as PositionRow;
  });
}

/**
 * An entity's positions, and its books with their entries, as read at the index's current version (api/versionCache.ts):
 * balance sheets as of any date and disclosure tables of any period are computed from the same rows until the index
 * changes. Positions are a few hundred bytes a book; books with entries about a kilobyte.
 */
const positionsAtVersion = new VersionCache<PositionRow[]>(32);
const booksAtVersion = new VersionCache<{ books: BookRow[]; entries: Map<number, EntryRow[]> }>(16);

function keptPositions(db: Database, entity: string): PositionRow[] {
  return positionsAtVersion.get(db, entity, () => positionsOf(db, entity));
}

/** The books of `ids` (of the entity's) with their entries, cut from all the entity's as read at this version. */
function keptBooks(db: Database, entity: string, ids: readonly number[]): { books: BookRow[]; entries: Map<number, EntryRow[]> } {
  const all = booksAtVersion.get(db, entity, () => booksOf(db, entity));
  const wanted = new Set(ids);
  return { books: all.books.filter((b) => wanted.has(b.id)), entries: all.entries };
}

/** Forgets the rows kept for `db` (tests). */
export function forgetAccountingRows(db: Database): void {
  positionsAtVersion.forget(db);
  booksAtVersion.forget(db);
  bookAssetsAtVersion.forget(db);
}

const positionsKept = new WeakMap<Database, boolean>();
/** Whether the index keeps book positions (schema 6 on): an index the indexer has not migrated yet has none. */
function keepsPositions(db: Database): boolean {
  let kept = positionsKept.get(db);
  if (kept === undefined) {
    kept = prepared(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'book_positions'").get() !== undefined;
    positionsKept.set(db, kept);
  }
  return kept;
}

/**
 * An entity's balance sheet as of the end of day `asOf`: one indexed read of its books' positions (book_positions),
 * closed-form for every book whose last entry is dated on or before then; only the books with an entry after it are
 * read with their entries and replayed (api/accounting.ts balanceSheetOf).
 */
function sheetsOf(db: Database, entity: string, asOf: string) {
  if (!keepsPositions(db)) {
    const { books, entries } = booksOf(db, entity);
    return balanceSheet(books, entries, asOf);
  }
  const t = dayEnd(asOf);
  // Every book, derecognised ones too: a currency whose books are all gone by then still has its (empty) sheet.
  const positions = keptPositions(db, entity);
  const replayed = positions.filter((p) => !positionServes(p, t)).map((p) => p.book_id);
  if (replayed.length === 0) return balanceSheetOf(positions, [], new Map(), asOf);
  const { books, entries } = keptBooks(db, entity, replayed);
  return balanceSheetOf(positions, books, entries, asOf);
}

/**
 * An entity's disclosure tables for a period: the books with no entry after the period's opening come from their
 * positions in closed form; only the others are read with their entries and replayed (api/accounting.ts disclosureOf).
 */
function tablesOf(db: Database, entity: string, from: string, to: string) {
  if (!keepsPositions(db)) {
    const { books, entries } = booksOf(db, entity);
    return disclosure(books, entries, from, to);
  }
  const [t0] = periodTimes(from, to);
  const positions = keptPositions(db, entity);
  const replayed = positions.filter((p) => !positionServes(p, t0)).map((p) => p.book_id);
  if (replayed.length === 0) return disclosureOf(positions, [], new Map(), from, to);
  const { books, entries } = keptBooks(db, entity, replayed);
  return disclosureOf(positions, books, entries, from, to);
}

/** Runs an accounting computation, turning its date errors into errors for the user. */
function checked<T>(arg: string, compute: () => T): T {
  try {
    return compute();
  } catch (err) {
    const message = (err as Error).message;
    if (/date|period/.test(message)) throw badInput(`${arg}: ${message}`);
    throw err;
  }
}

export function computeBalanceSheet(db: Database, entityArg: string, asOf: string) {
  const entity = address("entity", entityArg);
  endOfDay("asOf", asOf);
  return { entity, sheets: checked("asOf", () => sheetsOf(db, entity, asOf)) };
}

export function computeDisclosure(db: Database, entityArg: string, from: string, to: string) {
  const entity = address("entity", entityArg);
  endOfDay("from", from);
  endOfDay("to", to);
  return { entity, tables: checked("to", () => tablesOf(db, entity, from, to)) };
}

/** The assets of an entity's books per index version, entity and columns read (see BalanceSheetRowAnswer). */
const bookAssetsAtVersion = new VersionCache<Map<number, Row>>(32);

/**
 * The assets of an entity's books, in one query (and then kept per index version like the positions: reading 1,000
 * assets took a quarter of a balance sheet's time), with the columns the request asks of a row's asset.
 */
function assetsOfBooks(db: Database, entity: string, info: GraphQLResolveInfo): () => Map<number, Row> {
  let assets: Map<number, Row> | undefined;
  return () => {
    if (assets) return assets;
    const columns = assetColumnsAt(info, ["rows", "asset"]) ?? columnsOf(db, "assets");
    const sql = `SELECT ${columns.join(", ")} FROM assets WHERE id IN (SELECT asset_id FROM books WHERE entity = ?)`;
    return (assets = bookAssetsAtVersion.get(db, `${entity} ${columns.join(",")}`, () =>
      new Map(manyRows(db, columns, sql, entity).map((a) => [a.id, a])),
    ));
  };
}

/**
 * A row of the balance sheet as the API answers it. Its `asset` is a getter on the class (read only if asked, and
 * then from the entity's assets read once): a resolver per row, as a promise through the DataLoader or even a plain
 * call, cost more than computing the row.
 */
class BalanceSheetRowAnswer {
  constructor(
    readonly bookId: number,
    readonly assetId: number,
    private readonly assets: () => Map<number, Row>,
    readonly category: string,
    readonly source: string,
    readonly cost: Amount,
    readonly accumulatedAmortisation: Amount,
    readonly impairment: Amount,
    readonly carryingAmount: Amount,
  ) {}

  get asset(): Row | undefined {
    return this.assets().get(this.assetId);
  }
}

export function tokenRow(db: Database, address: string): TokenRow {
  return (prepared(db, "SELECT * FROM tokens WHERE address = ?").get(address) as TokenRow | undefined) ?? unknownToken(address);
}

export const accountingQueries = {
  balanceSheet: (_: unknown, args: { entity: string; asOf: string }, ctx: Context, info: GraphQLResolveInfo) => {
    const { entity, sheets } = computeBalanceSheet(ctx.db, args.entity, args.asOf);
    noteIndexReach(ctx, "asOf", args.asOf, endOfDay("asOf", args.asOf));
    const assets = assetsOfBooks(ctx.db, entity, info);
    return sheets.map((s) => {
      const token = tokenRow(ctx.db, s.currency);
      return {
        entity,
        asOf: s.asOf,
        currency: token,
        inventory: amount(s.inventory, token),
        intangible: amount(s.intangible, token),
        development: amount(s.development, token),
        rows: s.rows.map(
          (r) =>
            new BalanceSheetRowAnswer(
              r.bookId,
              r.assetId,
              assets,
              r.category,
              r.source,
              amount(r.cost, token),
              amount(r.amortisation, token),
              amount(r.impairment, token),
              amount(r.carrying, token),
            ),
        ),
      };
    });
  },

  disclosure: (_: unknown, args: { entity: string; from: string; to: string }, ctx: Context) => {
    const { entity, tables } = computeDisclosure(ctx.db, args.entity, args.from, args.to);
    let encumbered: ReturnType<typeof encumberedResources> | undefined; // read only when asked for
    noteIndexReach(ctx, "from", args.from, endOfDay("from", args.from));
    noteIndexReach(ctx, "to", args.to, endOfDay("to", args.to));
    return tables.map((d) => {
      const token = tokenRow(ctx.db, d.currency);
      const table = (t: (typeof d)["intangible"]) => ({
        title: t.title,
        columns: t.columns,
        rows: t.rows.map((r) => ({
          key: r.key,
          section: r.section,
          label: r.label,
          purchased: amount(r.amounts.purchased, token),
          selfDeveloped: amount(r.amounts.selfDeveloped, token),
          other: amount(r.amounts.other, token),
          total: amount(r.amounts.total, token),
        })),
      });
      return {
        entity,
        from: d.from,
        to: d.to,
        currency: token,
        intangible: table(d.intangible),
        inventory: table(d.inventory),
        researchAndDevelopment: {
          expensed: amount(d.researchAndDevelopment.expensed, token),
          capitalised: amount(d.researchAndDevelopment.capitalised, token),
          total: amount(d.researchAndDevelopment.total, token),
        },
        checks: d.checks.map((c) => ({ name: c.name, expected: c.expected.toString(), actual: c.actual.toString(), ok: c.ok })),
        checksPass: d.checks.every((c) => c.ok),
        // A getter, not a function: compiled queries (api/jit.ts) read result properties as values.
        get pledgedDataResources() {
          const e = (encumbered ??= encumberedResources(ctx.db, entity, args.from, args.to)).get(d.currency);
          return {
            restricted: encumberedCarrying(e?.restricted ?? emptyEncumbered(), token),
            security: encumberedCarrying(e?.security ?? emptyEncumbered(), token),
          };
        },
      };
    });
  },
};

