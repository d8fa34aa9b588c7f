// DataExchange events -> venues, tokens, listings, orders, settlements with their lines, and credit balances.
// Credits mirror the contract's pull payments exactly: every non-zero share credited, every withdrawal debited.
// Pledged revenue is credited as the pledge registry split it (pledges.ts, from ProceedsApplied and ProceedsRouted,
// logged before Settled): the Settled line it replaces (the seller's net, or a royalty paid to the pledge registry)
// is not credited again.
import { Offer, RefundReason, nameOf } from "../enums";
import type { Store } from "../store";
import { ZERO_ADDRESS, minus, noteToken, plus, type Handlers } from "./context";

interface OrderRow {
  listing_id: number;
  asset_id: number;
  price: string;
  refunded: string;
}
const ORDER_COLUMNS: readonly (keyof OrderRow)[] = ["listing_id", "asset_id", "price", "refunded"];

export function credit(store: Store, account: string, token: string, amount: string): void {
  if (amount === "0") return; // the contract skips zero credits too
  const row = store.get<{ credited: string; balance: string }>("credits", { account, token }, ["credited", "balance"]);
  if (!row) store.insert("credits", { account, token, credited: amount, withdrawn: "0", balance: amount });
  else store.update("credits", { account, token }, { credited: plus(row.credited, amount), balance: plus(row.balance, amount) });
}

function changeSold(store: Store, listingId: number, delta: number): void {
  const l = store.get<{ sold: number }>("listings", { id: listingId }, ["sold"])!;
  store.update("listings", { id: listingId }, { sold: l.sold + delta });
}

const orderOf = (store: Store, id: number) => {
  const o = store.get<OrderRow>("orders", { id }, ORDER_COLUMNS);
  if (!o) throw new Error(`order ${id} not indexed`);
  return o;
};

export const exchange: Handlers = {
  VenueSet: ({ store }, a) => store.put("venues", { id: a.venueId, treasury: a.treasury, fee_bps: a.feeBps }),

  TokenAllowed: (ctx, a) => noteToken(ctx, a.token, a.allowed),

  Listed: ({ store }, a) => {
    const t = a.terms;
    const assetId = Number(a.assetId);
    store.insert("listings", {
      id: Number(a.listingId),
      asset_id: assetId,
      seller: a.seller,
      seller_cert_id: t.sellerCertId === "0" ? null : Number(t.sellerCertId),
      venue_id: t.venueId,
      offer: nameOf(Offer, t.offer),
      token: t.token,
      price: t.price,
      max_quantity: t.maxQuantity,
      active: 1,
      licence_term: Number(t.licenceTerm),
      scope_hash: t.scopeHash,
      scope_mask: t.scopeMask,
      licence_sublicensable: t.licenceSublicensable,
      licence_transferable: t.licenceTransferable,
      merchant: t.merchant,
      merchant_bps: t.merchantBps,
      delivery_window: t.deliveryWindow,
      acceptance_window: t.acceptanceWindow,
      listed_at: Number(a.listedAt),
      updated_at: Number(a.listedAt),
    });
    return assetId;
  },

  ListingUpdated: ({ store }, a) =>
    store.updateReturning<number>("listings", { id: Number(a.listingId) }, {
      price: a.price,
      max_quantity: a.maxQuantity,
      active: a.active,
      updated_at: Number(a.updatedAt),
    }, "asset_id"),

  Ordered: ({ store }, a) => {
    const listingId = Number(a.listingId);
    const assetId = Number(a.assetId);
    store.insert("orders", {
      id: Number(a.orderId),
      listing_id: listingId,
      asset_id: assetId,
      buyer: a.buyer,
      seller: a.seller,
      token: a.token,
      price: a.price,
      fee_bps: a.feeBps,
      status: "Paid",
      ordered_at: Number(a.orderedAt),
      delivery_deadline: Number(a.deliveryDeadline),
    });
    changeSold(store, listingId, +1);
    return assetId;
  },

  Delivered: ({ store }, a) =>
    store.updateReturning<number>("orders", { id: Number(a.orderId) }, {
      status: "Delivered",
      delivery_hash: a.deliveryHash,
      delivered_at: Number(a.deliveredAt),
      acceptance_ends_at: Number(a.acceptanceEndsAt),
    }, "asset_id"),

  Disputed: ({ store }, a) =>
    store.updateReturning<number>("orders", { id: Number(a.orderId) }, {
      status: "Disputed",
      dispute_evidence_hash: a.evidenceHash,
      disputed_at: Number(a.disputedAt),
    }, "asset_id"),

  DisputeResolved: ({ store }, a) =>
    store.updateReturning<number>("orders", { id: Number(a.orderId) }, {
      arbiter: a.arbiter,
      resolution_hash: a.resolutionHash,
      resolved_at: Number(a.resolvedAt),
    }, "asset_id"),

  // A partial arbitration refund is followed by a settlement of the rest in the same transaction; any other
  // refund returns the order's escrow and frees its unit on the listing.
  Refunded: ({ store }, a) => {
    const id = Number(a.orderId);
    const o = orderOf(store, id);
    const reason = nameOf(RefundReason, a.reason);
    const partial = reason === "Arbitration" && BigInt(a.amount) < BigInt(o.price);
    store.update("orders", { id }, {
      refunded: plus(o.refunded, a.amount),
      refund_reason: reason,
      refunded_at: Number(a.refundedAt),
      ...(partial ? {} : { status: "Refunded" }),
    });
    if (!partial) changeSold(store, o.listing_id, -1);
    credit(store, a.buyer, a.token, a.amount);
    return o.asset_id;
  },

  Settled: ({ store, ev }, a) => {
    const s = a.settlement;
    const orderId = Number(a.orderId);
    store.update("orders", { id: orderId }, { status: "Settled", settled_at: Number(s.settledAt) });
    const royalties = s.royalties as { assetId: string; payee: string; amount: string }[];
    const royaltyTotal = royalties.reduce((sum, r) => sum + BigInt(r.amount), 0n).toString();
    store.insert("settlements", {
      order_id: orderId,
      listing_id: Number(s.listingId),
      asset_id: Number(s.assetId),
      offer: nameOf(Offer, s.offer),
      buyer: s.buyer,
      seller: s.seller,
      token: s.token,
      gross: s.gross,
      venue_id: s.venueId,
      venue_treasury: s.venueTreasury,
      exchange_fee: s.exchangeFee,
      merchant: s.merchant,
      merchant_commission: s.merchantCommission,
      royalty_total: royaltyTotal,
      seller_net: s.sellerNet,
      cert_id: Number(s.certId),
      settled_at: Number(s.settledAt),
      block_number: ev.blockNumber,
      tx_hash: ev.txHash,
      log_index: ev.logIndex,
    });
    const lines: { kind: string; payee: string; source_asset_id: number | null; amount: string }[] = [
      { kind: "ExchangeFee", payee: s.venueTreasury, source_asset_id: null, amount: s.exchangeFee },
      ...(s.merchant === ZERO_ADDRESS ? [] : [{ kind: "MerchantCommission", payee: s.merchant, source_asset_id: null, amount: s.merchantCommission }]),
      ...royalties.map((r) => ({ kind: "Royalty", payee: r.payee, source_asset_id: Number(r.assetId), amount: r.amount })),
      { kind: "SellerNet", payee: s.seller, source_asset_id: null, amount: s.sellerNet },
    ];
    const routed = store.prepared("SELECT asset_id, as_seller FROM proceeds_routes WHERE order_id = ?").all(orderId) as {
      asset_id: number;
      as_seller: number;
    }[];
    const wasRouted = (line: (typeof lines)[number]) =>
      line.kind === "SellerNet"
        ? routed.some((r) => r.as_seller === 1)
        : line.kind === "Royalty" && routed.some((r) => r.as_seller === 0 && r.asset_id === line.source_asset_id);
    lines.forEach((line, position) => {
      store.insert("settlement_lines", { order_id: orderId, position, ...line });
      if (!wasRouted(line)) credit(store, line.payee, s.token, line.amount);
    });
    return Number(s.assetId);
  },

  // Deadlines run on trading time: a pause moves every running delivery and acceptance deadline by its length.
  // Orders cannot be placed, delivered or disputed while paused, so every order open now was open all the pause.
  TradingClockResumed: ({ store }, a) => {
    const pausedFor = Number(a.pausedFor);
    const open = store.db
      .prepare("SELECT id, status, delivery_deadline, acceptance_ends_at FROM orders WHERE status IN ('Paid', 'Delivered')")
      .all() as { id: number; status: string; delivery_deadline: number; acceptance_ends_at: number | null }[];
    for (const o of open) {
      store.update("orders", { id: o.id }, o.status === "Paid"
        ? { delivery_deadline: o.delivery_deadline + pausedFor }
        : { acceptance_ends_at: o.acceptance_ends_at! + pausedFor });
    }
  },

  // An arbiter's remedy for a paid licence: what was recovered moves from the seller's credits to the buyer's.
  LicenceRemedied: ({ store }, a) => {
    const id = Number(a.orderId);
    const o = orderOf(store, id);
    store.update("orders", { id }, {
      status: "Remedied",
      refunded: plus(o.refunded, a.refundPaid),
      refund_reason: "LicenceRemedy",
      refunded_at: Number(a.remediedAt),
      arbiter: a.arbiter,
      resolution_hash: a.resolutionHash,
      resolved_at: Number(a.remediedAt),
    });
    if (a.refundPaid !== "0") {
      const key = { account: a.seller, token: a.token };
      const row = store.get<{ credited: string; balance: string }>("credits", key, ["credited", "balance"])!;
      store.update("credits", key, { credited: minus(row.credited, a.refundPaid), balance: minus(row.balance, a.refundPaid) });
      credit(store, a.buyer, a.token, a.refundPaid);
    }
    return o.asset_id;
  },

  Withdrawn: ({ store }, a) => {
    const key = { account: a.account, token: a.token };
    const row = store.get<{ withdrawn: string; balance: string }>("credits", key, ["withdrawn", "balance"]);
    if (!row) throw new Error(`withdrawal by ${a.account} without indexed credit`);
    store.update("credits", key, { withdrawn: plus(row.withdrawn, a.amount), balance: minus(row.balance, a.amount) });
  },
};
