// balanceSheet(entity, asOf) and disclosure(entity, from, to): the "其中：数据资源" lines and disclosure tables A and B
// of DOMAIN.md §5, computed by api/accounting.ts from the entity's books and their dated entries.
import type { Database } from "better-sqlite3";
import { balanceSheet, disclosure, type BookRow, type EntryRow } from "../accounting";
import { columnsOf, manyRows, prepared, type Context, type Row } from "../context";
import { address, badInput, endOfDay } from "../inputs";
import { amount, unknownToken, type TokenRow } from "../money";
import { noteIndexReach } from "../notices";

// An entity with 1,000 books has ~5,000 entries, and reading them was most of a balance sheet's time: so only the
// columns api/accounting.ts uses (not hashes and chain coordinates), read with manyRows, in no particular order (the
// accounting orders books by id and a book's entries by seq itself).
const BOOK_COLUMNS = ["id", "asset_id", "initial_category", "source", "useful_life_months", "residual_value", "currency", "recognised_on", "awaiting_use"];
const ENTRY_COLUMNS = ["book_id", "seq", "kind", "date", "amount", "source", "phase", "useful_life_months", "reason", "proceeds"];

function booksOf(db: Database, entity: string): { books: BookRow[]; entries: Map<number, EntryRow[]> } {
  const books = manyRows<BookRow>(db, BOOK_COLUMNS, `SELECT ${BOOK_COLUMNS} FROM books WHERE entity = ?`, entity);
  const entries = new Map<number, EntryRow[]>(books.map((b) => [b.id, []]));
  const rows = manyRows<EntryRow>(
    db,
    ENTRY_COLUMNS,
    `SELECT ${ENTRY_COLUMNS.map((c) => `e.${c}`)} FROM book_entries e JOIN books b ON b.id = e.book_id WHERE b.entity = ?`,
    entity,
  );
  for (const e of rows) entries.get(e.book_id)!.push(e);
  return { books, entries };
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
  const { books, entries } = booksOf(db, entity);
  return { entity, sheets: checked("asOf", () => balanceSheet(books, entries, asOf)) };
}

export function computeDisclosure(db: Database, entityArg: string, from: string, to: string) {
  const entity = address("entity", entityArg);
  endOfDay("from", from);
  endOfDay("to", to);
  const { books, entries } = booksOf(db, entity);
  return { entity, tables: checked("to", () => disclosure(books, entries, from, to)) };
}

/**
 * The assets of an entity's books, read in one query on first use (only if a row's `asset` is asked for) and then
 * resolved synchronously: through the DataLoader, a promise per row of a 1,000-row sheet cost more than the sheet.
 */
function assetsOfBooks(db: Database, entity: string): () => Map<number, Row> {
  let assets: Map<number, Row> | undefined;
  return () =>
    (assets ??= new Map(
      manyRows(db, columnsOf(db, "assets"), "SELECT * FROM assets WHERE id IN (SELECT asset_id FROM books WHERE entity = ?)", entity).map((a) => [
        a.id,
        a,
      ]),
    ));
}

export function tokenRow(db: Database, address: string): TokenRow {
  return (prepared(db, "SELECT * FROM tokens WHERE address = ?").get(address) as TokenRow | undefined) ?? unknownToken(address);
}

export const accountingQueries = {
  balanceSheet: (_: unknown, args: { entity: string; asOf: string }, ctx: Context) => {
    const { entity, sheets } = computeBalanceSheet(ctx.db, args.entity, args.asOf);
    noteIndexReach(ctx, "asOf", args.asOf, endOfDay("asOf", args.asOf));
    const assets = assetsOfBooks(ctx.db, entity);
    return sheets.map((s) => {
      const token = tokenRow(ctx.db, s.currency);
      return {
        entity,
        asOf: s.asOf,
        currency: token,
        inventory: amount(s.inventory, token),
        intangible: amount(s.intangible, token),
        development: amount(s.development, token),
        rows: s.rows.map((r) => ({
          bookId: r.bookId,
          assetId: r.assetId,
          assets,
          category: r.category,
          source: r.source,
          cost: amount(r.cost, token),
          accumulatedAmortisation: amount(r.amortisation, token),
          impairment: amount(r.impairment, token),
          carryingAmount: amount(r.carrying, token),
        })),
      };
    });
  },

  disclosure: (_: unknown, args: { entity: string; from: string; to: string }, ctx: Context) => {
    const { entity, tables } = computeDisclosure(ctx.db, args.entity, args.from, args.to);
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
      };
    });
  },
};

export const accountingTypes = {
  BalanceSheetRow: {
    asset: (r: Row) => r.assets().get(r.assetId),
  },
};
