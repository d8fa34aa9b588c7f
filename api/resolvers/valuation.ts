// valuation(assetId, asOf, params): the appraisals on record and the cost, market and income indications of
// api/valuation.ts, computed from the index's rows. Each indication shows every input it used (as JSON).
import { prepared, type Context, type Row } from "../context";
import { Offer } from "../../indexer/enums";
import { badInput, endOfDay, id, iso } from "../inputs";
import { noteIndexReach } from "../notices";
import { amount } from "../money";
import { ValuationParamsError, serialiseValuation, valuation, type ValuationParams, type ValuationRows } from "../valuation";
import { badAsset } from "./registry";
import { tokenOf } from "./trades";

/** Most recent candidate comparables read per valuation: bounds the work whatever the index's size. */
const CANDIDATES = 1_000;

// Candidates are up to 1,000 settlements of ~800 other assets, and turning columns valuation never reads into
// JavaScript values was most of a valuation's time. So: only the columns of AssetRow and SettlementRow, and of the
// other assets' attestations only quality scores (the market approach's quality factor; a quality attestation is
// only ever superseded by another quality attestation of the same asset).
const ASSET_COLUMNS = "id, kind, status, records, approved_at, valid_until, ended_at";
const SETTLEMENT_COLUMNS = ["order_id", "listing_id", "asset_id", "offer", "token", "gross", "seller_net", "settled_at"].map((c) => `s.${c}`);
/** Each settlement with its listing's seller certificate (SettlementRow.seller_cert_id). */
const SETTLEMENTS = `SELECT ${SETTLEMENT_COLUMNS}, l.seller_cert_id FROM settlements s JOIN listings l ON l.id = s.listing_id`;
/** An id list as one parameter (a JSON array), so each query is one prepared statement whatever the list's length. */
const IDS = "(SELECT value FROM json_each(?))";

function rowsFor(ctx: Context, assetId: number, asOf: number, offer: string): ValuationRows {
  const target = prepared(ctx.db, `SELECT ${ASSET_COLUMNS} FROM assets WHERE id = ?`).get(assetId) as Row;
  const own = prepared(ctx.db, `${SETTLEMENTS} WHERE s.asset_id = ? AND s.settled_at <= ? ORDER BY s.settled_at`).all(assetId, asOf) as Row[];
  const others = prepared(
    ctx.db,
    `${SETTLEMENTS} JOIN assets a ON a.id = s.asset_id
     WHERE s.offer = ? AND a.kind = ? AND s.asset_id != ? AND s.settled_at <= ? ORDER BY s.settled_at DESC LIMIT ${CANDIDATES}`,
  ).all(offer, target.kind, assetId, asOf) as Row[];
  const otherIds = JSON.stringify([...new Set(others.map((s) => s.asset_id as number))]);
  const assets = [target, ...(prepared(ctx.db, `SELECT ${ASSET_COLUMNS} FROM assets WHERE id IN ${IDS}`).all(otherIds) as Row[])];
  const attestations = prepared(
    ctx.db,
    `SELECT * FROM attestations WHERE asset_id = ? UNION ALL SELECT * FROM attestations WHERE kind = 'Quality' AND asset_id IN ${IDS}`,
  ).all(assetId, otherIds) as Row[];
  const books = prepared(ctx.db, "SELECT * FROM books WHERE asset_id = ?").all(assetId) as Row[];
  const bookEntries = prepared(ctx.db, "SELECT e.* FROM book_entries e JOIN books b ON b.id = e.book_id WHERE b.asset_id = ? ORDER BY e.book_id, e.seq").all(
    assetId,
  ) as Row[];
  return { assets, attestations, settlements: [...own, ...others], books, bookEntries } as unknown as ValuationRows;
}

export const valuationQueries = {
  valuation: async (_: unknown, args: { assetId: string; asOf: string; params?: ValuationParams | null }, ctx: Context) => {
    const assetId = id("assetId", args.assetId);
    const asOf = endOfDay("asOf", args.asOf);
    if (!(await ctx.loaders.asset.load(assetId))) throw badAsset(assetId);
    // The right traded by comparables, also as dal spells it (processing-use); valuation() refuses other values.
    const given = args.params ?? {};
    const offer = given.offer ? Offer.find((o) => o.toLowerCase() === given.offer!.replace(/[-_\s]/g, "").toLowerCase()) : undefined;
    const params = offer ? { ...given, offer } : given;
    noteIndexReach(ctx, "asOf", args.asOf, asOf);
    try {
      const v = valuation(assetId, asOf, params, rowsFor(ctx, assetId, asOf, params.offer ?? "HoldingTransfer"));
      return { v, s: serialiseValuation(v) };
    } catch (err) {
      if (err instanceof ValuationParamsError) throw badInput(`params: ${err.problems.join("; ")}`);
      throw err;
    }
  },
};

type Resolved = { v: ReturnType<typeof valuation>; s: ReturnType<typeof serialiseValuation> };

const indication = (approach: "cost" | "market" | "income") => async (r: Resolved, _: unknown, ctx: Context) => {
  const i = r.s[approach] as Record<string, unknown> & { status: string; reason?: string; value?: string };
  if (i.status !== "Computed") return { approach, computed: false, value: null, reason: i.reason, inputs: null };
  const { status: _s, value, ...inputs } = i;
  const token = r.v.token ? await tokenOf(ctx, r.v.token) : null;
  // `typed`: the same inputs before serialisation (bigints, ratios), for Indication.inputList (api/resolvers/web.ts).
  const { status: _t, value: _v, ...typed } = r.v[approach] as unknown as Record<string, unknown>;
  return { approach, computed: true, value: token ? amount(value!, token) : null, reason: null, inputs: JSON.stringify(inputs), typed, token };
};

export const valuationTypes = {
  Valuation: {
    assetId: (r: Resolved) => r.v.assetId,
    asOf: (r: Resolved) => iso(r.v.asOf),
    token: (r: Resolved, _: unknown, ctx: Context) => (r.v.token ? tokenOf(ctx, r.v.token) : null),
    parameters: (r: Resolved) => JSON.stringify(r.s.params),
    appraisals: async (r: Resolved, _: unknown, ctx: Context) => {
      const all = [...r.v.appraisals.Cost, ...r.v.appraisals.Market, ...r.v.appraisals.Income];
      return Promise.all(
        all.map(async (a) => ({
          ...a,
          value: amount(a.value, await tokenOf(ctx, a.currency)),
          valuationDate: iso(a.valuationDate),
          attestedAt: iso(a.attestedAt),
        })),
      );
    },
    cost: indication("cost"),
    market: indication("market"),
    income: indication("income"),
  },
};
