// Pledges (质押) of data assets: the pledges query, a pledge's rank among the live pledges of its asset's holding and
// revenue or of its certificate, its amounts, its loan-to-value for lenders, an asset's and a certificate's
// encumbrance (flags and a one-line summary), and the disclosure of pledged and restricted data resources for
// accountants. Ranks, ratios and sums are computed here from the index's rows with bigint: never floats.
import type { Database } from "better-sqlite3";
import { prepared, type Context, type Row } from "../context";
import { Encumbrance, PledgeScope, PledgeStatus } from "../../indexer/enums";
import { address, id, iso, pageSize } from "../inputs";
import { amount, formatUnits, type TokenRow } from "../money";
import { decodeCursor, page } from "../pagination";
import { computeBalanceSheet } from "./accounting";
import { dateOf, endOfDay, formatDate } from "../accounting";
import { eventOf, eventRef } from "./registry";
import { tokenOf } from "./trades";

const STATUS_IN: Record<string, string> = Object.fromEntries(PledgeStatus.slice(1).map((s) => [s.toUpperCase(), s]));
const STATUS_OUT: Record<string, string> = Object.fromEntries(Object.entries(STATUS_IN).map(([k, v]) => [v, k]));
const LIVE = new Set(["Live", "Defaulted"]);

/** Consent bits of a pledge (1 << Consent). */
const CONSENT = { Transfer: 1, Cancellation: 2, Licensing: 4 } as const;

/** Decimal places of the loan-to-value ratios (truncated). */
export const RATIO_DECIMALS = 4;

/** num / den as an exact decimal string with RATIO_DECIMALS places, truncated; null when den is not positive. */
export function ratio(num: bigint, den: bigint): string | null {
  if (den <= 0n || num < 0n) return null;
  const scaled = (num * 10n ** BigInt(RATIO_DECIMALS)) / den;
  return formatUnits(scaled, RATIO_DECIMALS);
}

/** The short text a bytes32 carries (right-padded with zeros), or its hex when it is not printable UTF-8. */
export function bytes32Text(hex: string): string {
  const buf = Buffer.from(hex.slice(2), "hex");
  let end = buf.length;
  while (end > 0 && buf[end - 1] === 0) end--;
  const text = buf.subarray(0, end).toString("utf8");
  return /^[\x20-\x7e\u00a0-\uffff]*$/.test(text) && !text.includes("\ufffd") ? text : hex;
}

/** 1234567.5 -> 1,234,567.50 style grouping of an exact decimal string. */
function grouped(value: string): string {
  const [whole, frac] = value.split(".");
  const digits = whole.replace(/^-/, "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return (whole.startsWith("-") ? "-" : "") + digits + (frac !== undefined ? `.${frac}` : "");
}

const shortAddress = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;

/** The live pledges a pledge ranks among: its asset's holding and revenue pledges, or its certificate's. */
const rankedWith = (ctx: Context, p: Row) =>
  p.cert_id === null ? ctx.loaders.livePledges.load(p.asset_id) : ctx.loaders.livePledgesOfCertificate.load(p.cert_id);

/** The 1-based rank of a pledge among the live pledges of what it pledges, or null when it is not live. */
async function rankOf(ctx: Context, p: Row): Promise<number | null> {
  if (!LIVE.has(p.status)) return null;
  const live = await rankedWith(ctx, p);
  const i = live.findIndex((l) => l.id === p.id);
  return i === -1 ? null : i + 1;
}

/**
 * What a live pledge restricts (the ENC_* flags it contributes), as PledgeRegistry._sync computes them: a certificate
 * pledge never restricts cancellation (a certificate ends by its term or revocation, not its holder); a holding pledge
 * takes the proceeds of an agreed sale of the asset (a certificate's sales pay its pledgees without a flag).
 */
export function restrictionsOf(p: Row): number {
  let flags = 0;
  if ((p.consents & CONSENT.Transfer) === 0) flags |= Encumbrance.Transfer;
  if ((p.consents & CONSENT.Cancellation) === 0 && p.collateral !== "Certificate") flags |= Encumbrance.Cancel;
  if (p.collateral === "Revenue") flags |= Encumbrance.Revenue;
  else {
    if (p.collateral === "Holding") flags |= Encumbrance.Proceeds;
    if (!p.licensing_allowed && (p.consents & CONSENT.Licensing) === 0) flags |= Encumbrance.Licensing;
  }
  return flags;
}

const outstanding = (p: Row) => BigInt(p.secured_amount) - BigInt(p.received);

/**
 * An asset's encumbrance (of its holding and revenue) or a certificate's: the flags by name, and a one-line summary of
 * the live pledges (`live`, in rank order) behind them.
 */
async function encumbranceOf(ctx: Context, flags: number, live: Row[]) {
  const names = Object.entries(Encumbrance)
    .filter(([, bit]) => (flags & bit) !== 0)
    .map(([name]) => name);
  const parts: string[] = [];
  for (const [i, p] of live.entries()) {
    const token = await tokenOf(ctx, p.token);
    const value = token.decimals === null ? p.secured_amount : grouped(formatUnits(p.secured_amount, token.decimals));
    const until = formatDate(dateOf(p.term_end));
    const what = p.collateral === "Revenue" ? "revenue pledged" : "pledged";
    parts.push(
      `${what} to ${shortAddress(p.pledgee)}, rank ${i + 1}, ${value}${token.symbol ? ` ${token.symbol}` : ""} until ${until}` +
        (p.status === "Defaulted" ? " (in default)" : ""),
    );
  }
  if (flags & Encumbrance.Enforcing) parts.push("enforcement sale listed");
  return {
    flags,
    transfer: (flags & Encumbrance.Transfer) !== 0,
    cancellation: (flags & Encumbrance.Cancel) !== 0,
    licensing: (flags & Encumbrance.Licensing) !== 0,
    revenue: (flags & Encumbrance.Revenue) !== 0,
    enforcing: (flags & Encumbrance.Enforcing) !== 0,
    proceeds: (flags & Encumbrance.Proceeds) !== 0,
    names,
    livePledges: live.length,
    summary: parts.length ? parts.join("; ") : null,
  };
}

/** Today's date (UTC+8) on the chain's clock: "as of now" for a book's carrying amount. */
const today = (ctx: Context) => formatDate(dateOf(ctx.now));

/**
 * What the live pledges ranked ahead of a live pledge may still receive in its currency: an enforcement sale pays them
 * first (pledges in another currency take nothing from it), so a junior lender's cover is what is left after them.
 */
async function aheadOf(ctx: Context, p: Row): Promise<bigint> {
  if (!LIVE.has(p.status)) return 0n;
  let ahead = 0n;
  for (const l of await rankedWith(ctx, p)) {
    if (l.id === p.id) break;
    if (l.token === p.token) ahead += outstanding(l);
  }
  return ahead;
}

/**
 * Outstanding over the latest appraisal (same currency) and over the pledgor's book of the asset as of now, alone and
 * with what the pledges ranked ahead of it may still receive (cumulative). A certificate pledge has no appraisal
 * ratio: an appraisal values the asset, not a licence of it.
 */
async function loanToValue(ctx: Context, p: Row) {
  const token = await tokenOf(ctx, p.token);
  const owed = outstanding(p);
  const ahead = await aheadOf(ctx, p);
  const appraisal =
    p.collateral === "Certificate"
      ? undefined
      : (prepared(
          ctx.db,
          `SELECT * FROM attestations WHERE asset_id = ? AND kind = 'Appraisal' AND currency = ? AND revoked_at IS NULL
             AND superseded_by IS NULL ORDER BY valuation_date DESC, id DESC LIMIT 1`,
        ).get(p.asset_id, p.token) as Row | undefined);
  let book: { bookId: number; carrying: bigint } | null = null;
  const { sheets } = computeBalanceSheet(ctx.db, p.pledgor, today(ctx));
  for (const sheet of sheets) {
    if (sheet.currency !== p.token) continue;
    const row = sheet.rows.find((r) => r.assetId === p.asset_id);
    if (row) book = { bookId: row.bookId, carrying: row.carrying };
  }
  const appraised = appraisal ? BigInt(appraisal.value) : null;
  return {
    outstanding: amount(owed, token),
    ahead: amount(ahead, token),
    appraisal: appraised === null ? null : ratio(owed, appraised),
    cumulativeAppraisal: appraised === null ? null : ratio(ahead + owed, appraised),
    appraisalValue: appraised === null ? null : amount(appraised, token),
    appraisalId: appraisal?.id ?? null,
    appraisalDate: appraisal ? iso(appraisal.valuation_date) : null,
    book: book === null ? null : ratio(owed, book.carrying),
    cumulativeBook: book === null ? null : ratio(ahead + owed, book.carrying),
    bookCarryingAmount: book === null ? null : amount(book.carrying, token),
    bookId: book?.bookId ?? null,
    asOf: today(ctx),
  };
}

export const pledgeQueries = {
  pledge: (_: unknown, args: { id: string }, ctx: Context) => ctx.loaders.pledge.load(id("id", args.id)),

  pledges: (
    _: unknown,
    args: {
      asset?: string | null;
      certificate?: string | null;
      pledgor?: string | null;
      pledgee?: string | null;
      status?: string | null;
      first?: number;
      after?: string | null;
    },
    ctx: Context,
  ) => {
    const first = pageSize(args.first);
    const after = decodeCursor(args.after);
    const where: string[] = [];
    const params: unknown[] = [];
    if (args.asset !== undefined && args.asset !== null) (where.push("asset_id = ?"), params.push(id("asset", args.asset)));
    if (args.certificate !== undefined && args.certificate !== null) {
      where.push("cert_id = ?");
      params.push(id("certificate", args.certificate));
    }
    if (args.pledgor) (where.push("pledgor = ?"), params.push(address("pledgor", args.pledgor)));
    if (args.pledgee) (where.push("pledgee = ?"), params.push(address("pledgee", args.pledgee)));
    if (args.status) (where.push("status = ?"), params.push(STATUS_IN[args.status]));
    const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
    const count = () => (prepared(ctx.db, `SELECT count(*) AS n FROM pledges ${filter}`).get(...params) as { n: number }).n;
    const all = after === null ? where : [...where, "id > ?"];
    const rows = prepared(ctx.db, `SELECT * FROM pledges ${all.length ? `WHERE ${all.join(" AND ")}` : ""} ORDER BY id LIMIT ?`).all(
      ...params,
      ...(after === null ? [] : [after]),
      first + 1,
    ) as Row[];
    // A getter, not a function: compiled queries (api/jit.ts) read result properties as values.
    return { ...page(rows, first, (r) => r.id), get totalCount() { return count(); } };
  },
};

const money = (column: string) => async (p: Row, _: unknown, ctx: Context) => amount(p[column], await tokenOf(ctx, p.token));

export const pledgeTypes = {
  Pledge: {
    asset: (p: Row, _: unknown, ctx: Context) => ctx.loaders.asset.load(p.asset_id),
    assetId: (p: Row) => p.asset_id,
    registrar: (p: Row, _: unknown, ctx: Context) => ctx.loaders.registrars().get(p.registrar_id) ?? null,
    certificateId: (p: Row) => p.cert_id,
    certificate: (p: Row, _: unknown, ctx: Context) => (p.cert_id === null ? null : ctx.loaders.certificate.load(p.cert_id)),
    token: (p: Row, _: unknown, ctx: Context) => tokenOf(ctx, p.token),
    securedAmount: money("secured_amount"),
    received: money("received"),
    outstanding: async (p: Row, _: unknown, ctx: Context) => amount(outstanding(p), await tokenOf(ctx, p.token)),
    scope: (p: Row) => ({
      bits: p.scope,
      principal: (p.scope & PledgeScope.Principal) !== 0,
      interest: (p.scope & PledgeScope.Interest) !== 0,
      penalties: (p.scope & PledgeScope.Penalties) !== 0,
      damages: (p.scope & PledgeScope.Damages) !== 0,
      enforcementCosts: (p.scope & PledgeScope.EnforcementCosts) !== 0,
    }),
    maximumAmount: (p: Row) => p.maximum_amount === 1,
    termEnd: (p: Row) => iso(p.term_end),
    mainContractHash: (p: Row) => p.main_contract_hash,
    licensingAllowed: (p: Row) => p.licensing_allowed === 1,
    selfSaleAllowed: (p: Row) => p.self_sale_allowed === 1,
    reservePrice: async (p: Row, _: unknown, ctx: Context) =>
      p.reserve_price === "0" ? null : amount(p.reserve_price, await tokenOf(ctx, p.token)),
    externalRegistry: (p: Row) => bytes32Text(p.external_registry),
    externalRegistryHex: (p: Row) => p.external_registry,
    externalNumber: (p: Row) => p.external_number,
    externalRegisteredAt: (p: Row) => iso(p.external_registered_at),
    status: (p: Row) => STATUS_OUT[p.status],
    live: (p: Row) => LIVE.has(p.status),
    rank: (p: Row, _: unknown, ctx: Context) => rankOf(ctx, p),
    consents: (p: Row) => ({
      bits: p.consents,
      transfer: (p.consents & CONSENT.Transfer) !== 0,
      cancellation: (p.consents & CONSENT.Cancellation) !== 0,
      licensing: (p.consents & CONSENT.Licensing) !== 0,
    }),
    restricts: (p: Row) => {
      const flags = LIVE.has(p.status) ? restrictionsOf(p) : 0;
      return Object.entries(Encumbrance).filter(([name, bit]) => name !== "Enforcing" && (flags & bit) !== 0).map(([name]) => name);
    },
    objection: (p: Row) =>
      p.objected_at === null
        ? null
        : {
            open: p.objected === 1,
            objector: p.objector,
            evidenceHash: p.objection_evidence_hash,
            objectedAt: iso(p.objected_at),
            upheld: p.objection_upheld === null ? null : p.objection_upheld === 1,
            resolutionHash: p.objection_resolution_hash,
            resolvedBy: p.objection_resolved_by,
            resolvedAt: iso(p.objection_resolved_at),
          },
    default: (p: Row) =>
      p.defaulted_at === null
        ? null
        : { at: iso(p.defaulted_at), by: p.defaulted_by, byArbiter: p.default_by_arbiter === 1, rulingHash: p.default_ruling_hash },
    saleAuthorisation: (p: Row) =>
      p.sale_authorised !== 1
        ? null
        : { at: iso(p.sale_authorised_at), by: p.sale_authorised_by, byArbiter: p.sale_authorised_by_arbiter === 1, rulingHash: p.sale_ruling_hash },
    enforcement: async (p: Row, _: unknown, ctx: Context) => {
      if (p.listing_id === null) return null;
      const token = await tokenOf(ctx, p.token);
      return {
        listingId: p.listing_id,
        listing: ctx.loaders.listing.load(p.listing_id),
        costs: amount(p.enforcement_costs, token),
        costsEvidenceHash: p.enforcement_costs_evidence_hash,
        orderId: p.enforced_order_id,
        settlement: p.enforced_order_id === null ? null : ctx.loaders.settlement.load(p.enforced_order_id),
      };
    },
    filedAt: (p: Row) => iso(p.filed_at),
    acceptedAt: (p: Row) => iso(p.accepted_at),
    endedAt: (p: Row) => iso(p.ended_at),
    endedBy: (p: Row) => p.ended_by,
    proceeds: async (p: Row, _: unknown, ctx: Context) => {
      const token = await tokenOf(ctx, p.token);
      const rows = prepared(ctx.db, "SELECT * FROM pledge_proceeds WHERE pledge_id = ? ORDER BY block_number, log_index").all(p.id) as Row[];
      return Promise.all(
        rows.map(async (r) => ({
          orderId: r.order_id,
          amount: amount(r.amount, token),
          chain: eventRef(await eventOf(ctx, r.block_number, r.tx_hash, { logIndex: r.log_index })),
        })),
      );
    },
    loanToValue: (p: Row, _: unknown, ctx: Context) => loanToValue(ctx, p),
    filing: async (p: Row, _: unknown, ctx: Context) => eventRef(await eventOf(ctx, p.filed_block, p.filed_tx, { logIndex: p.filed_log_index })),
  },
};

const assetEncumbrance = async (ctx: Context, a: Row) => encumbranceOf(ctx, a.encumbrance, await ctx.loaders.livePledges.load(a.id));

/**
 * Asset.encumbrance (its holding and revenue), Asset.pledges (the live ones of its holding and revenue in rank order,
 * then those of each of its certificates by certificate id in rank order, then the others by id),
 * ContentVerification.encumbrance.
 */
export const pledgeAssetFields = {
  encumbrance: (a: Row, _: unknown, ctx: Context) => assetEncumbrance(ctx, a),
  pledges: async (a: Row, _: unknown, ctx: Context) => {
    const all = await ctx.loaders.pledgesOfAsset.load(a.id);
    const pledgedCerts = new Set(all.filter((p) => p.cert_id !== null && LIVE.has(p.status)).map((p) => p.cert_id as number));
    const live = await Promise.all([
      ctx.loaders.livePledges.load(a.id),
      ...[...pledgedCerts].sort((x, y) => x - y).map((c) => ctx.loaders.livePledgesOfCertificate.load(c)),
    ]);
    return [...live.flat(), ...all.filter((p) => !LIVE.has(p.status))];
  },
};

/** RightsCertificate.encumbrance and RightsCertificate.pledges (every pledge of it, by id). */
export const pledgeCertificateFields = {
  encumbrance: async (c: Row, _: unknown, ctx: Context) =>
    encumbranceOf(ctx, c.encumbrance, await ctx.loaders.livePledgesOfCertificate.load(c.id)),
  pledges: (c: Row, _: unknown, ctx: Context) => ctx.loaders.pledgesOfCertificate.load(c.id),
};

export const verificationEncumbrance = async (v: { assetId: number }, _: unknown, ctx: Context) => {
  const asset = await ctx.loaders.asset.load(v.assetId);
  return asset ? assetEncumbrance(ctx, asset) : null;
};

// ---------------------------------------------------------------- disclosure

/** Carrying amounts of pledged (or restricted) books at the period end, by category, and the intangibles' amortisation. */
export interface EncumberedCarrying {
  intangible: bigint;
  inventory: bigint;
  development: bigint;
  total: bigint;
  intangibleAmortisation: bigint;
  assetIds: number[];
  bookIds: number[];
}

export const emptyEncumbered = (): EncumberedCarrying => ({
  intangible: 0n,
  inventory: 0n,
  development: 0n,
  total: 0n,
  intangibleAmortisation: 0n,
  assetIds: [],
  bookIds: [],
});

/**
 * For the disclosure of `entity` over from..to, per currency: the books (on the balance sheet at the end of `to`) of
 * assets the entity pledged (their holding or revenue, or a rights certificate of them it held) with a pledge live at
 * that time (accepted by then, not ended by then), as `security` (用于担保), and those among them whose transfer or
 * licensing (of the certificate, for a certificate pledge) a live pledge restricts (its consents and terms as now
 * recorded), as `restricted` (所有权或使用权受到限制): their carrying amounts at the end of `to` and, for intangibles,
 * the period's amortisation (accumulated at the end of `to` less at the end of the day before `from`).
 */
export function encumberedResources(db: Database, entity: string, from: string, to: string): Map<string, { restricted: EncumberedCarrying; security: EncumberedCarrying }> {
  const end = endOfDay(to);
  const pledged = prepared(
    db,
    `SELECT * FROM pledges WHERE pledgor = ? AND accepted_at IS NOT NULL AND accepted_at <= ? AND (ended_at IS NULL OR ended_at > ?)`,
  ).all(entity, end, end) as Row[];
  const out = new Map<string, { restricted: EncumberedCarrying; security: EncumberedCarrying }>();
  const { sheets: closing } = computeBalanceSheet(db, entity, to);
  const openingDay = formatDate(dateOf(endOfDay(from) - 86_400));
  let opening: ReturnType<typeof computeBalanceSheet>["sheets"] = [];
  try {
    opening = computeBalanceSheet(db, entity, openingDay).sheets;
  } catch {
    opening = []; // before the rules took effect: nothing was amortised
  }
  const security = new Set(pledged.map((p) => p.asset_id as number));
  const restricted = new Set(
    pledged.filter((p) => (restrictionsOf(p) & (Encumbrance.Transfer | Encumbrance.Licensing)) !== 0).map((p) => p.asset_id as number),
  );
  for (const sheet of closing) {
    const before = new Map((opening.find((s) => s.currency === sheet.currency)?.rows ?? []).map((r) => [r.bookId, r.amortisation]));
    const both = { restricted: emptyEncumbered(), security: emptyEncumbered() };
    for (const row of sheet.rows) {
      for (const [set, acc] of [[security, both.security], [restricted, both.restricted]] as const) {
        if (!set.has(row.assetId)) continue;
        if (row.category === "Intangible") {
          acc.intangible += row.carrying;
          acc.intangibleAmortisation += row.amortisation - (before.get(row.bookId) ?? 0n);
        } else if (row.category === "Inventory") acc.inventory += row.carrying;
        else acc.development += row.carrying;
        acc.total += row.carrying;
        if (!acc.assetIds.includes(row.assetId)) acc.assetIds.push(row.assetId);
        acc.bookIds.push(row.bookId);
      }
    }
    out.set(sheet.currency, both);
  }
  return out;
}

/** The GraphQL shape of EncumberedCarrying in `token`. */
export function encumberedCarrying(c: EncumberedCarrying, token: TokenRow) {
  return {
    intangible: amount(c.intangible, token),
    inventory: amount(c.inventory, token),
    development: amount(c.development, token),
    total: amount(c.total, token),
    intangibleAmortisation: amount(c.intangibleAmortisation, token),
    assetIds: c.assetIds,
    bookIds: c.bookIds,
  };
}
