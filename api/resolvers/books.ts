// Accounting books and their dated entries as the ledger recorded them (indexer/projections/ledger.ts): recognition
// and ready dates, costs with their order links and the linked settlement's amount, impairment, derecognition.
// The figures as of a date (balance sheet, disclosure) are in resolvers/accounting.ts.
import { prepared, type Context, type Row } from "../context";
import { address, id, iso, pageSize } from "../inputs";
import { amount } from "../money";
import { decodeCursor, page } from "../pagination";
import { eventOf, eventRef } from "./registry";
import { tokenOf } from "./trades";

const money = (column: string) => async (r: Row, _: unknown, ctx: Context) =>
  r[column] === null ? null : amount(r[column], await tokenOf(ctx, r.currency));

export const bookQueries = {
  book: (_: unknown, args: { id: string }, ctx: Context) =>
    (prepared(ctx.db, "SELECT * FROM books WHERE id = ?").get(id("id", args.id)) as Row | undefined) ?? null,

  books: (_: unknown, args: { where?: Record<string, any> | null; first?: number; after?: string | null }, ctx: Context) => {
    const w = args.where ?? {};
    const where: string[] = [];
    const params: unknown[] = [];
    if (w.entity) (where.push("entity = ?"), params.push(address("where.entity", w.entity)));
    if (w.assetId !== undefined && w.assetId !== null) (where.push("asset_id = ?"), params.push(id("where.assetId", w.assetId)));
    const first = pageSize(args.first);
    const after = decodeCursor(args.after);
    if (after !== null) (where.push("id > ?"), params.push(after));
    const rows = prepared(ctx.db, `SELECT * FROM books ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id LIMIT ?`).all(
      ...params,
      first + 1,
    ) as Row[];
    return page(rows, first, (r) => r.id);
  },
};

export const bookTypes = {
  Book: {
    asset: (b: Row, _: unknown, ctx: Context) => ctx.loaders.asset.load(b.asset_id),
    initialCategory: (b: Row) => b.initial_category,
    usefulLifeMonths: (b: Row) => b.useful_life_months,
    residualValue: money("residual_value"),
    currency: (b: Row, _: unknown, ctx: Context) => tokenOf(ctx, b.currency),
    recognisedOn: (b: Row) => iso(b.recognised_on),
    readyOn: (b: Row) => iso(b.ready_on),
    awaitingUse: (b: Row) => b.awaiting_use === 1,
    derecognisedOn: (b: Row) => iso(b.derecognised_on),
    derecognitionReason: (b: Row) => b.derecognition_reason,
    proceeds: money("proceeds"),
    cost: money("cost"),
    impairment: money("impairment"),
    entries: (b: Row, args: { first?: number; after?: string | null }, ctx: Context) => {
      const first = pageSize(args.first, 100);
      const after = decodeCursor(args.after) ?? -1;
      const rows = prepared(ctx.db, "SELECT * FROM book_entries WHERE book_id = ? AND seq > ? ORDER BY seq LIMIT ?").all(
        b.id,
        after,
        first + 1,
      ) as Row[];
      // Amounts of entries are in the book's currency.
      return page<Row>(
        rows.map((e) => ({ ...e, currency: b.currency })),
        first,
        (e) => e.seq,
      );
    },
  },
  BookEntry: {
    date: (e: Row) => iso(e.date),
    amount: money("amount"),
    usefulLifeMonths: (e: Row) => e.useful_life_months,
    proceeds: money("proceeds"),
    orderId: (e: Row) => e.order_id,
    // The settlement of the linked order (indexed from the exchange's Settled event, which precedes the entry).
    orderGross: async (e: Row, _: unknown, ctx: Context) => {
      if (e.order_id === null) return null;
      const s = await ctx.loaders.settlement.load(e.order_id);
      return s ? amount(s.gross, await tokenOf(ctx, s.token)) : null;
    },
    settlement: (e: Row, _: unknown, ctx: Context) => (e.order_id === null ? null : ctx.loaders.settlement.load(e.order_id)),
    evidenceHash: (e: Row) => e.evidence_hash,
    recordedBy: (e: Row) => e.recorded_by,
    chain: async (e: Row, _: unknown, ctx: Context) => eventRef(await eventOf(ctx, e.block_number, e.tx_hash, { logIndex: e.log_index })),
  },
};
