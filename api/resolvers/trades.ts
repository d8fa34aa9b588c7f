// Listings, orders, settlements with their lines, and pull-payment credits. Amounts carry their token.
import { prepared, type Context, type Row } from "../context";
import { Offer } from "../../indexer/enums";
import { address, badInput, enumName, id, instant, iso, pageSize } from "../inputs";
import { noteIndexReach } from "../notices";
import { amount, unknownToken, type TokenRow } from "../money";
import { decodeCursor, page } from "../pagination";
import { eventOf, eventRef } from "./registry";

const ORDER_STATUS_IN: Record<string, string> = { PAID: "Paid", DELIVERED: "Delivered", DISPUTED: "Disputed", SETTLED: "Settled", REFUNDED: "Refunded", REMEDIED: "Remedied" };

/** A token's metadata through the request's loader; a token the index never saw has unknown decimals. */
export async function tokenOf(ctx: Context, addressValue: string): Promise<TokenRow> {
  return (await ctx.loaders.token.load(addressValue)) ?? unknownToken(addressValue);
}

/** Runs a keyset-paged query over `table` (key column `key`) with the given filters. */
function paged(ctx: Context, table: string, key: string, where: string[], params: unknown[], first: number, after: number | null) {
  const all = after === null ? where : [...where, `${key} > ?`];
  const rows = prepared(ctx.db, `SELECT * FROM ${table} ${all.length ? `WHERE ${all.join(" AND ")}` : ""} ORDER BY ${key} LIMIT ?`).all(
    ...params,
    ...(after === null ? [] : [after]),
    first + 1,
  ) as Row[];
  return page(rows, first, (r) => r[key]);
}

export const tradeQueries = {
  listings: (_: unknown, args: { where?: Record<string, any> | null; first?: number; after?: string | null }, ctx: Context) => {
    const w = args.where ?? {};
    const where: string[] = [];
    const params: unknown[] = [];
    if (w.assetId !== undefined && w.assetId !== null) (where.push("asset_id = ?"), params.push(id("where.assetId", w.assetId)));
    if (w.seller) (where.push("seller = ?"), params.push(address("where.seller", w.seller)));
    if (w.active !== undefined && w.active !== null) (where.push("active = ?"), params.push(w.active ? 1 : 0));
    if (w.offer) (where.push("offer = ?"), params.push(enumName("where.offer", w.offer, Offer)));
    return paged(ctx, "listings", "id", where, params, pageSize(args.first), decodeCursor(args.after));
  },

  orders: (_: unknown, args: { where?: Record<string, any> | null; first?: number; after?: string | null }, ctx: Context) => {
    const w = args.where ?? {};
    const where: string[] = [];
    const params: unknown[] = [];
    if (w.assetId !== undefined && w.assetId !== null) (where.push("asset_id = ?"), params.push(id("where.assetId", w.assetId)));
    if (w.buyer) (where.push("buyer = ?"), params.push(address("where.buyer", w.buyer)));
    if (w.seller) (where.push("seller = ?"), params.push(address("where.seller", w.seller)));
    if (w.status) (where.push("status = ?"), params.push(ORDER_STATUS_IN[w.status]));
    return paged(ctx, "orders", "id", where, params, pageSize(args.first), decodeCursor(args.after));
  },

  settlements: (_: unknown, args: { where?: Record<string, any> | null; first?: number; after?: string | null }, ctx: Context) => {
    const w = args.where ?? {};
    const where: string[] = [];
    const params: unknown[] = [];
    if (w.assetId !== undefined && w.assetId !== null) (where.push("asset_id = ?"), params.push(id("where.assetId", w.assetId)));
    if (w.buyer) (where.push("buyer = ?"), params.push(address("where.buyer", w.buyer)));
    if (w.seller) (where.push("seller = ?"), params.push(address("where.seller", w.seller)));
    const from = w.from ? instant("where.from", w.from) : null;
    const to = w.to ? instant("where.to", w.to) : null;
    if (from !== null && to !== null && to < from) throw badInput(`where.to: ${w.to} is before where.from, ${w.from} (an empty range)`);
    if (from !== null) (where.push("settled_at >= ?"), params.push(from), noteIndexReach(ctx, "where.from", w.from, from));
    if (to !== null) (where.push("settled_at <= ?"), params.push(to), noteIndexReach(ctx, "where.to", w.to, to));
    return paged(ctx, "settlements", "order_id", where, params, pageSize(args.first), decodeCursor(args.after));
  },

  credits: (_: unknown, args: { account: string }, ctx: Context) =>
    prepared(ctx.db, "SELECT * FROM credits WHERE account = ? ORDER BY token").all(address("account", args.account)),
};

const money = (column: string, tokenColumn = "token") => async (r: Row, _: unknown, ctx: Context) =>
  amount(r[column], await tokenOf(ctx, r[tokenColumn]));

export const tradeTypes = {
  Token: {
    allowed: (t: TokenRow) => t.allowed === 1,
  },
  Listing: {
    asset: (l: Row, _: unknown, ctx: Context) => ctx.loaders.asset.load(l.asset_id),
    sellerCertificate: (l: Row, _: unknown, ctx: Context) => (l.seller_cert_id === null ? null : ctx.loaders.certificate.load(l.seller_cert_id)),
    venueId: (l: Row) => l.venue_id,
    price: money("price"),
    maxQuantity: (l: Row) => l.max_quantity,
    active: (l: Row) => l.active === 1,
    licenceTermSeconds: (l: Row) => l.licence_term,
    scopeHash: (l: Row) => l.scope_hash,
    scopeMask: (l: Row) => l.scope_mask,
    licenceSublicensable: (l: Row) => l.licence_sublicensable === 1,
    licenceTransferable: (l: Row) => l.licence_transferable === 1,
    merchant: (l: Row) => (/^0x0{40}$/.test(l.merchant) ? null : l.merchant),
    merchantBps: (l: Row) => l.merchant_bps,
    deliveryWindowSeconds: (l: Row) => l.delivery_window,
    acceptanceWindowSeconds: (l: Row) => l.acceptance_window,
    listedAt: (l: Row) => iso(l.listed_at),
    updatedAt: (l: Row) => iso(l.updated_at),
  },
  Order: {
    listing: (o: Row, _: unknown, ctx: Context) => ctx.loaders.listing.load(o.listing_id),
    asset: (o: Row, _: unknown, ctx: Context) => ctx.loaders.asset.load(o.asset_id),
    price: money("price"),
    feeBps: (o: Row) => o.fee_bps,
    status: (o: Row) => o.status.toUpperCase(),
    orderedAt: (o: Row) => iso(o.ordered_at),
    deliveryDeadline: (o: Row) => iso(o.delivery_deadline),
    deliveryHash: (o: Row) => o.delivery_hash,
    deliveredAt: (o: Row) => iso(o.delivered_at),
    acceptanceEndsAt: (o: Row) => iso(o.acceptance_ends_at),
    disputeEvidenceHash: (o: Row) => o.dispute_evidence_hash,
    disputedAt: (o: Row) => iso(o.disputed_at),
    resolutionHash: (o: Row) => o.resolution_hash,
    resolvedAt: (o: Row) => iso(o.resolved_at),
    refunded: money("refunded"),
    refundReason: (o: Row) => o.refund_reason,
    refundedAt: (o: Row) => iso(o.refunded_at),
    settlement: (o: Row, _: unknown, ctx: Context) => ctx.loaders.settlement.load(o.id),
  },
  Settlement: {
    order: (s: Row, _: unknown, ctx: Context) => ctx.loaders.order.load(s.order_id),
    asset: (s: Row, _: unknown, ctx: Context) => ctx.loaders.asset.load(s.asset_id),
    gross: money("gross"),
    venueId: (s: Row) => s.venue_id,
    exchangeFee: money("exchange_fee"),
    merchantCommission: money("merchant_commission"),
    royaltyTotal: money("royalty_total"),
    sellerNet: money("seller_net"),
    lines: async (s: Row, _: unknown, ctx: Context) => (await ctx.loaders.lines.load(s.order_id)).map((l) => ({ ...l, token: s.token })),
    certificateId: (s: Row) => s.cert_id,
    settledAt: (s: Row) => iso(s.settled_at),
    chain: async (s: Row, _: unknown, ctx: Context) => eventRef(await eventOf(ctx, s.block_number, s.tx_hash, { name: "Settled", arg: ["orderId", s.order_id] })),
  },
  SettlementLine: {
    sourceAsset: (l: Row, _: unknown, ctx: Context) => (l.source_asset_id === null ? null : ctx.loaders.asset.load(l.source_asset_id)),
    amount: money("amount"),
  },
  Credit: {
    token: (c: Row, _: unknown, ctx: Context) => tokenOf(ctx, c.token),
    credited: money("credited"),
    withdrawn: money("withdrawn"),
    balance: money("balance"),
  },
};
