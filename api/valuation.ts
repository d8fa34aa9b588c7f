// Valuation of a data asset under 《数据资产评估指导意见》 (中评协〔2023〕17号, DOMAIN.md §6): the appraisal reports on
// record, and a cost, a market and an income indication computed from the index's rows, each with every input it
// used, or "insufficient data" with the reason. Never a made-up number.
//
// Pure and deterministic: rows in, result out; no I/O, no clock. "As of" is an instant in unix seconds, inclusive
// (the API passes the end of the asked day, UTC+8, DOMAIN.md §5); a row counts when its own date is <= asOf, and a
// revocation, supersession or derecognition counts only once it happened by asOf.
//
// Money is exact (DOMAIN.md §5): amounts are bigint minor units of the settlement token, never `number`. Factors and
// rates are exact ratios of bigints. The one rounding rule: every amount shown is the exact value of its formula over
// shown inputs, rounded half up to the minor unit; that is the cost indication, each comparable's adjusted price, the
// midpoint of an even median, each income cash flow F_t and each discounted term. Indications are the median or sum of
// shown amounts, so anyone can recompute them from the output. The only inexact factor is a fractional-elasticity
// volume factor (an irrational root), rounded half up to 18 decimals and used exactly as shown.
import { AssetKind, Offer, ValuationMethod } from "../indexer/enums";
import { CST_OFFSET, dateOf, formatDate, lastMonthEndedBy, monthOf } from "./accounting";

// ------------------------------------------------------------------------------------------------ rows (SQLite shapes)

/** Columns of `assets` used here; a full row fits. */
export interface AssetRow {
  id: number;
  kind: string;
  status: string;
  /** Decimal string; "0" means not stated. */
  records: string;
  approved_at: number | null;
  valid_until: number | null;
  ended_at: number | null;
}

/** Columns of `attestations` used here. */
export interface AttestationRow {
  id: number;
  asset_id: number;
  kind: string;
  author: string;
  report_hash: string;
  superseded_by: number | null;
  accuracy: number | null;
  consistency: number | null;
  completeness: number | null;
  conformity: number | null;
  timeliness: number | null;
  accessibility: number | null;
  method: string | null;
  value: string | null;
  currency: string | null;
  valuation_date: number | null;
  attested_at: number;
  revoked_at: number | null;
}

/** Columns of `settlements` used here. */
export interface SettlementRow {
  order_id: number;
  listing_id: number;
  asset_id: number;
  offer: string;
  token: string;
  gross: string;
  seller_net: string;
  settled_at: number;
  /** Its listing's seller certificate: null when the holder sold (the exchange checks it). A HoldingTransfer with one
   *  sold that rights certificate, not the holding. */
  seller_cert_id: number | null;
}

/** Columns of `books` used here. */
export interface BookRow {
  id: number;
  entity: string;
  asset_id: number;
  initial_category: string;
  currency: string;
  /** 1 for an intangible book opened awaiting use (ready at its ReadyForUse entry, not at recognition). */
  awaiting_use?: number | boolean | null;
}

/** Columns of `book_entries` used here; the book's state as of a date is rebuilt from them. */
export interface BookEntryRow {
  book_id: number;
  seq: number;
  kind: string;
  date: number;
  amount: string | null;
  phase: string | null;
  useful_life_months: number | null;
}

/** What the API reads for one valuation. Extra rows are ignored, so callers may over-fetch. */
export interface ValuationRows {
  /** The target asset and every asset a settlement below refers to. */
  assets: AssetRow[];
  /** Attestations of those assets, revoked and superseded ones included. */
  attestations: AttestationRow[];
  /** The target's settlements and other assets' settlements (candidate comparables). */
  settlements: SettlementRow[];
  /** The target's books and their entries. */
  books: BookRow[];
  bookEntries: BookEntryRow[];
}

// ------------------------------------------------------------------------------------------------ parameters

export type OfferName = (typeof Offer)[number];
export type CostBasis = "Auto" | "Quality" | "RemainingLife";

/** The `params` argument of the GraphQL query; null or absent means the default. */
export interface ValuationParams {
  /** Settlement token (address) the indications are in. Default: the only currency of the asset's books in force and
   *  its own settlements as of asOf; when there is not exactly one, indications say to pass it. */
  token?: string | null;
  /** Cost approach's d: "Quality" (mean of the six scores / 100), "RemainingLife" (remaining / useful life months), or
   *  "Auto" (quality when a score is in force, else remaining life). Default "Auto". */
  costBasis?: CostBasis | null;
  /** Cost approach's C, minor units as a decimal integer string, replacing the book's capitalised cost. */
  replacementCost?: string | null;
  /** The book (entity) whose cost and life the cost approach uses. Default: the asset's only book in force. */
  bookId?: number | null;
  /** Right traded by comparables. Default "HoldingTransfer": the holding itself, as the cost and income approaches. */
  offer?: OfferName | null;
  /** Fewest comparables for a market indication. Default 3, 1 to 1000. */
  minComparables?: number | null;
  /** Most recent comparables used. Default 20, minComparables to 1000. */
  maxComparables?: number | null;
  /** Market price growth per month, decimal string, compounded over whole months from trade to asOf. Default "0",
   *  greater than -0.1 and less than 0.1 (beyond that it is surely a yearly rate). */
  monthlyPriceGrowth?: string | null;
  /** Volume elasticity e in (target records / comparable records)^e. Default "0" (neutral), 0 to 1, 2 decimals. */
  volumeElasticity?: string | null;
  /** Income approach's yearly discount rate i, decimal string. Default "0.10", greater than 0 and less than 1. */
  discountRate?: string | null;
  /** Income approach's yearly growth g, decimal string. Default "0", greater than -1 and less than 1. */
  growthRate?: string | null;
  /** Income approach's longest horizon in years. Default 5, 1 to 50. */
  horizonYears?: number | null;
}

/** Defaults, as quoted by the API schema. */
export const VALUATION_DEFAULTS = {
  costBasis: "Auto",
  offer: "HoldingTransfer",
  minComparables: 3,
  maxComparables: 20,
  monthlyPriceGrowth: "0",
  volumeElasticity: "0",
  discountRate: "0.10",
  growthRate: "0",
  horizonYears: 5,
} as const;

/** The parameters a valuation used, defaults filled in. */
export interface ResolvedParams {
  token: string | null;
  costBasis: CostBasis;
  replacementCost: bigint | null;
  bookId: number | null;
  offer: OfferName;
  minComparables: number;
  maxComparables: number;
  monthlyPriceGrowth: string;
  volumeElasticity: string;
  discountRate: string;
  growthRate: string;
  horizonYears: number;
}

/** A parameter a user passed is malformed or out of range; `problems` lists every one. */
export class ValuationParamsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid valuation parameters: ${problems.join("; ")}`);
    this.name = "ValuationParamsError";
  }
}

// ------------------------------------------------------------------------------------------------ results

/** An exact non-negative ratio. Serialised with a decimal for display; computations use the ratio itself. */
export interface Ratio {
  numerator: bigint;
  denominator: bigint;
}

export type Indication<T> = ({ status: "Computed"; value: bigint } & T) | { status: "InsufficientData"; reason: string };

export const QUALITY_DIMENSIONS = ["accuracy", "consistency", "completeness", "conformity", "timeliness", "accessibility"] as const;
export type QualityDimension = (typeof QUALITY_DIMENSIONS)[number];

/** The quality attestation in force as of asOf: the latest one neither revoked nor superseded by then. */
export interface QualityScore {
  attestationId: number;
  attestedAt: number;
  scores: Record<QualityDimension, number>;
  /** Mean of the six scores (0-100). */
  mean: Ratio;
}

/** From the book alone, not bounded by the registration: the accountant's useful life already weighs the rights' term
 *  (DOMAIN.md §5), and d's numerator and denominator must come from the same life. */
export interface RemainingLife {
  bookId: number;
  usefulLifeMonths: number;
  readyOn: number;
  /** Months amortised as of asOf: from the month it became ready (当月增加当月摊销, DOMAIN.md §5), each counted once it
   *  has ended (a month's charge is booked on its last day), as the balance sheet counts them. */
  monthsUsed: number;
  remainingMonths: number;
}

/** P = C x d, rounded half up. C is the book's capitalised cost gross of amortisation and impairment: those record
 *  the same consumption d measures, so netting them would count it twice. */
export interface CostIndication {
  /** The book's currency, or the valuation token for a replacement cost (a book's cost is never converted). */
  currency: string;
  cost: { amount: bigint; source: "Book" | "ReplacementCost"; bookId: number | null };
  coefficient: Ratio;
  basis: "Quality" | "RemainingLife";
  /** Set when basis is Quality: d = mean / 100. */
  quality: QualityScore | null;
  /** Set when basis is RemainingLife: d = remainingMonths / usefulLifeMonths. */
  life: RemainingLife | null;
}

export interface Comparable {
  orderId: number;
  assetId: number;
  settledAt: number;
  gross: bigint;
  /** Target mean score / comparable mean score, both as in force at asOf; 1 when either is unknown (`note` says which). */
  quality: { factor: Ratio; comparable: QualityScore | null; note: string | null };
  /** (1 + monthlyPriceGrowth)^months, whole months from the trade to asOf. */
  date: { factor: Ratio; months: number };
  /** (target records / comparable records)^volumeElasticity; 1 when either count is not stated. */
  volume: { factor: Ratio; records: bigint; note: string | null };
  /** gross x quality x date x volume, rounded half up. */
  adjusted: bigint;
}

/** P = median of the adjusted prices: robust to one odd trade in a thin market, where a mean is not. */
export interface MarketIndication {
  statistic: "Median";
  offer: OfferName;
  assetKind: string;
  targetQuality: QualityScore | null;
  targetRecords: bigint;
  /** Trades that matched, before keeping the most recent maxComparables. */
  candidates: number;
  /** Newest first. */
  comparables: Comparable[];
}

/** P = sum over t = 1..n of F_t / (1 + i)^t with F_t = R x (1 + g)^t. */
export interface IncomeIndication {
  /** R is the sum of seller_net: what the holder kept after exchange fee, merchant commission and upstream royalties. */
  revenueBasis: "SellerNet";
  /** Trailing twelve months: settled_at in (from, to]. */
  window: { from: number; to: number };
  revenue: bigint;
  /** Licence sales by the holder in the window; holding transfers (a one-off disposal) and sublicensees' sales are not
   *  the holder's recurring income. */
  settlements: { orderId: number; offer: OfferName; settledAt: number; sellerNet: bigint }[];
  discountRate: string;
  growthRate: string;
  /** n = min(horizonYears, whole years of registration left). */
  years: number;
  life: { validUntil: number; registrationMonths: number; horizonYears: number };
  terms: { year: number; cashFlow: bigint; presentValue: bigint }[];
}

export interface AppraisalOnRecord {
  attestationId: number;
  author: string;
  method: string;
  value: bigint;
  currency: string;
  valuationDate: number;
  attestedAt: number;
  reportHash: string;
  /** Superseded by asOf (still on record: the report was valid for its date). */
  superseded: boolean;
  supersededBy: number | null;
}

export type ValuationMethodName = (typeof ValuationMethod)[number];

export interface Valuation {
  assetId: number;
  asOf: number;
  /** Currency of the indications; null when it could not be determined (see each indication's reason). */
  token: string | null;
  params: ResolvedParams;
  /** Non-revoked appraisal reports as of asOf, newest valuation date first. */
  appraisals: Record<ValuationMethodName, AppraisalOnRecord[]>;
  cost: Indication<CostIndication>;
  market: Indication<MarketIndication>;
  income: Indication<IncomeIndication>;
}

// ------------------------------------------------------------------------------------------------ exact arithmetic

const abs = (x: bigint) => (x < 0n ? -x : x);
function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function ratio(numerator: bigint, denominator: bigint): Ratio {
  if (denominator <= 0n) throw new Error(`ratio with denominator ${denominator}`);
  const g = gcd(numerator, denominator) || 1n;
  return { numerator: numerator / g, denominator: denominator / g };
}

const ONE: Ratio = { numerator: 1n, denominator: 1n };
const onePlus = (r: Ratio) => ratio(r.denominator + r.numerator, r.denominator);
const pow = (r: Ratio, k: number) => ratio(r.numerator ** BigInt(k), r.denominator ** BigInt(k));

/** n / d rounded half up; n >= 0, d > 0 (amounts here are never negative). */
function roundHalfUp(n: bigint, d: bigint): bigint {
  if (n < 0n || d <= 0n) throw new Error(`cannot round ${n} / ${d}`);
  return (2n * n + d) / (2n * d);
}

/** amount x the product of `factors`, rounded half up once. */
function applyFactors(amount: bigint, ...factors: Ratio[]): bigint {
  let n = amount;
  let d = 1n;
  for (const f of factors) {
    n *= f.numerator;
    d *= f.denominator;
  }
  return roundHalfUp(n, d);
}

/** floor(n^(1/k)), by Newton's method from above. */
function integerRoot(n: bigint, k: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << ((BigInt(n.toString(2).length) + k - 1n) / k);
  for (;;) {
    const y = ((k - 1n) * x + n / x ** (k - 1n)) / k;
    if (y >= x) return x;
    x = y;
  }
}

const SCALE_DIGITS = 18;
const SCALE = 10n ** BigInt(SCALE_DIGITS);

/** (a / b)^(p / q) rounded half up to 18 decimals; exact when q is 1. */
function ratioPower(a: bigint, b: bigint, p: bigint, q: bigint): Ratio {
  if (q === 1n) return ratio(a ** p, b ** p);
  const num = a ** p * SCALE ** q; // x = num / den, the scaled value raised to q
  const den = b ** p;
  const r = integerRoot(num / den, q);
  // Half up: r + 1/2 <= x^(1/q)  <=>  (2r + 1)^q <= 2^q x.
  const up = (2n * r + 1n) ** q * den <= 2n ** q * num;
  return ratio(up ? r + 1n : r, SCALE);
}

/** A ratio as a decimal string, rounded half up to `places`, trailing zeros dropped. */
export function ratioToDecimal(r: Ratio, places = SCALE_DIGITS): string {
  const unit = 10n ** BigInt(places);
  const q = roundHalfUp(abs(r.numerator) * unit, r.denominator);
  const frac = (q % unit).toString().padStart(places, "0").replace(/0+$/, "");
  return `${r.numerator < 0n && q !== 0n ? "-" : ""}${q / unit}${frac ? "." + frac : ""}`;
}

// ------------------------------------------------------------------------------------------------ calendar (UTC+8)

function cstParts(t: number) {
  const d = new Date((t + CST_OFFSET) * 1000);
  const second = (((t + CST_OFFSET) % 86400) + 86400) % 86400;
  return { year: d.getUTCFullYear(), month: d.getUTCMonth(), day: d.getUTCDate(), second };
}

/** The same wall-clock time `months` later (earlier if negative), the day clamped to the month's end. */
function addMonths(t: number, months: number): number {
  const p = cstParts(t);
  const lastDay = new Date(Date.UTC(p.year, p.month + months + 1, 0)).getUTCDate();
  return Date.UTC(p.year, p.month + months, Math.min(p.day, lastDay)) / 1000 + p.second - CST_OFFSET;
}

/** Complete calendar months from `from` to `to` (0 when `to` is earlier). */
function wholeMonths(from: number, to: number): number {
  if (to <= from) return 0;
  const a = cstParts(from);
  const b = cstParts(to);
  let m = (b.year - a.year) * 12 + (b.month - a.month);
  if (addMonths(from, m) > to) m -= 1;
  return Math.max(m, 0);
}

/** A date for messages, in UTC+8. */
const day = (t: number) => formatDate(dateOf(t));

// ------------------------------------------------------------------------------------------------ parameter validation

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Parses a decimal string into an exact ratio, or records why not. */
function decimal(problems: string[], name: string, value: string, maxDecimals: number): Ratio | null {
  if (!DECIMAL.test(value)) {
    problems.push(`params.${name} must be a decimal string like "0.05" (got ${JSON.stringify(value)})`);
    return null;
  }
  const [whole, frac = ""] = value.replace("-", "").split(".");
  if (frac.length > maxDecimals) {
    problems.push(`params.${name} takes at most ${maxDecimals} decimals (got ${JSON.stringify(value)})`);
    return null;
  }
  const magnitude = BigInt(whole + frac);
  return ratio(value.startsWith("-") ? -magnitude : magnitude, 10n ** BigInt(frac.length));
}

const compare = (a: Ratio, b: Ratio) => a.numerator * b.denominator - b.numerator * a.denominator;

interface Bounds {
  min: Ratio;
  minInclusive: boolean;
  max: Ratio;
  maxInclusive: boolean;
  text: string;
}

function rate(problems: string[], name: string, given: string | null | undefined, fallback: string, bounds: Bounds, decimals = 18) {
  const text = given ?? fallback;
  const r = decimal(problems, name, text, decimals);
  if (r === null) return { text, ratio: ONE };
  const lo = compare(r, bounds.min);
  const hi = compare(r, bounds.max);
  if (lo < 0n || (lo === 0n && !bounds.minInclusive) || hi > 0n || (hi === 0n && !bounds.maxInclusive)) {
    problems.push(`params.${name} must be ${bounds.text} (got ${JSON.stringify(text)})`);
  }
  return { text, ratio: r };
}

function integer(problems: string[], name: string, given: number | null | undefined, fallback: number, min: number, max: number) {
  const value = given ?? fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    problems.push(`params.${name} must be a whole number from ${min} to ${max} (got ${value})`);
  }
  return value;
}

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const UINT = /^\d+$/;
const COST_BASES: readonly CostBasis[] = ["Auto", "Quality", "RemainingLife"];
const rat = (n: bigint, d = 1n) => ratio(n, d);

/** Validated parameters: what the result shows, and the exact rates computed with. */
export interface ParsedParams {
  resolved: ResolvedParams;
  monthlyPriceGrowth: Ratio;
  volumeElasticity: Ratio;
  discountRate: Ratio;
  growthRate: Ratio;
}

/** Checks user parameters and fills in defaults; throws ValuationParamsError listing every problem. */
export function validateValuationParams(params: ValuationParams = {}): ParsedParams {
  const problems: string[] = [];
  const token = params.token ?? null;
  if (token !== null && !ADDRESS.test(token)) problems.push(`params.token must be a 0x address of 40 hex digits (got ${JSON.stringify(token)})`);
  const costBasis = params.costBasis ?? VALUATION_DEFAULTS.costBasis;
  if (!COST_BASES.includes(costBasis)) problems.push(`params.costBasis must be one of ${COST_BASES.join(", ")} (got ${JSON.stringify(costBasis)})`);
  let replacementCost: bigint | null = null;
  if (params.replacementCost != null) {
    if (!UINT.test(params.replacementCost) || BigInt(params.replacementCost) === 0n || BigInt(params.replacementCost) >= 2n ** 256n) {
      problems.push(`params.replacementCost must be a positive whole number of minor units below 2^256 (got ${JSON.stringify(params.replacementCost)})`);
    } else {
      replacementCost = BigInt(params.replacementCost);
    }
  }
  const bookId = params.bookId ?? null;
  if (bookId !== null && (!Number.isSafeInteger(bookId) || bookId < 1)) problems.push(`params.bookId must be a positive whole number (got ${bookId})`);
  const offer = params.offer ?? VALUATION_DEFAULTS.offer;
  if (!Offer.includes(offer)) problems.push(`params.offer must be one of ${Offer.join(", ")} (got ${JSON.stringify(offer)})`);
  const minComparables = integer(problems, "minComparables", params.minComparables, VALUATION_DEFAULTS.minComparables, 1, 1000);
  const maxComparables = integer(problems, "maxComparables", params.maxComparables, VALUATION_DEFAULTS.maxComparables, Math.max(1, minComparables), 1000);
  const horizonYears = integer(problems, "horizonYears", params.horizonYears, VALUATION_DEFAULTS.horizonYears, 1, 50);
  const monthly = rate(problems, "monthlyPriceGrowth", params.monthlyPriceGrowth, VALUATION_DEFAULTS.monthlyPriceGrowth, {
    min: rat(-1n, 10n), minInclusive: false, max: rat(1n, 10n), maxInclusive: false, text: "greater than -0.1 and less than 0.1 (a monthly rate)",
  });
  const elasticity = rate(problems, "volumeElasticity", params.volumeElasticity, VALUATION_DEFAULTS.volumeElasticity, {
    min: rat(0n), minInclusive: true, max: rat(1n), maxInclusive: true, text: "from 0 to 1",
  }, 2);
  const discount = rate(problems, "discountRate", params.discountRate, VALUATION_DEFAULTS.discountRate, {
    min: rat(0n), minInclusive: false, max: rat(1n), maxInclusive: false, text: "greater than 0 and less than 1 (a yearly rate, e.g. \"0.10\")",
  });
  const growth = rate(problems, "growthRate", params.growthRate, VALUATION_DEFAULTS.growthRate, {
    min: rat(-1n), minInclusive: false, max: rat(1n), maxInclusive: false, text: "greater than -1 and less than 1 (a yearly rate)",
  });
  if (problems.length > 0) throw new ValuationParamsError(problems);
  return {
    resolved: {
      token,
      costBasis,
      replacementCost,
      bookId,
      offer,
      minComparables,
      maxComparables,
      monthlyPriceGrowth: monthly.text,
      volumeElasticity: elasticity.text,
      discountRate: discount.text,
      growthRate: growth.text,
      horizonYears,
    },
    monthlyPriceGrowth: monthly.ratio,
    volumeElasticity: elasticity.ratio,
    discountRate: discount.ratio,
    growthRate: growth.ratio,
  };
}

// ------------------------------------------------------------------------------------------------ ledger state as of asOf

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const insufficient = (reason: string) => ({ status: "InsufficientData" as const, reason });

class Attestations {
  private readonly byId = new Map<number, AttestationRow>();

  constructor(rows: AttestationRow[], private readonly asOf: number) {
    for (const a of rows) this.byId.set(a.id, a);
  }

  /** The attestation that superseded `a` by asOf, if any. */
  supersededBy(a: AttestationRow): number | null {
    if (a.superseded_by === null) return null;
    const next = this.byId.get(a.superseded_by);
    if (!next) throw new Error(`attestation ${a.id} is superseded by ${a.superseded_by}, which is not in rows.attestations`);
    return next.attested_at <= this.asOf ? next.id : null;
  }

  /** Attested and not revoked by asOf. */
  onRecord(assetId: number, kind: string): AttestationRow[] {
    return [...this.byId.values()].filter(
      (a) => a.asset_id === assetId && a.kind === kind && a.attested_at <= this.asOf && (a.revoked_at === null || a.revoked_at > this.asOf),
    );
  }

  quality(assetId: number): QualityScore | null {
    const inForce = this.onRecord(assetId, "Quality")
      .filter((a) => this.supersededBy(a) === null)
      .sort((a, b) => b.attested_at - a.attested_at || b.id - a.id);
    const a = inForce[0];
    if (!a) return null;
    const scores = {} as Record<QualityDimension, number>;
    let sum = 0n;
    for (const dim of QUALITY_DIMENSIONS) {
      const s = a[dim];
      if (s === null || !Number.isInteger(s) || s < 0 || s > 100) throw new Error(`quality attestation ${a.id} has ${dim} ${s}`);
      scores[dim] = s;
      sum += BigInt(s);
    }
    return { attestationId: a.id, attestedAt: a.attested_at, scores, mean: ratio(sum, 6n) };
  }
}

interface BookState {
  book: BookRow;
  cost: bigint;
  category: string;
  usefulLifeMonths: number;
  readyOn: number | null;
}

/** A book as it stood at asOf, rebuilt from its entries; null when not yet opened or already derecognised. */
function bookAsOf(book: BookRow, entries: BookEntryRow[], asOf: number): BookState | null {
  const mine = entries.filter((e) => e.book_id === book.id).sort((a, b) => a.seq - b.seq);
  if (!mine.some((e) => e.kind === "Opened")) throw new Error(`book ${book.id} has no Opened entry in rows.bookEntries`);
  const s: BookState = { book, cost: 0n, category: book.initial_category, usefulLifeMonths: 0, readyOn: null };
  let open = false;
  for (const e of mine) {
    if (e.date > asOf) break; // entries are chronological (the ledger refuses backdating)
    switch (e.kind) {
      case "Opened":
        open = true;
        s.usefulLifeMonths = e.useful_life_months ?? 0;
        if (book.initial_category === "Intangible" && !book.awaiting_use) s.readyOn = e.date;
        break;
      case "Cost":
        if (e.phase !== "Research") s.cost += BigInt(e.amount ?? "0"); // research is expensed, never capitalised
        break;
      case "ReadyForUse":
        s.category = "Intangible";
        s.usefulLifeMonths = e.useful_life_months ?? 0;
        s.readyOn = e.date;
        break;
      case "Derecognised":
        return null;
    }
  }
  return open ? s : null;
}

function remainingLife(s: BookState, asOf: number): RemainingLife | string {
  const id = s.book.id;
  if (s.category === "Inventory") return `book ${id} is inventory, which has no useful life`;
  if (s.readyOn === null) {
    const what = s.category === "Intangible" ? "an intangible asset awaiting use" : "development in progress";
    return `book ${id} is ${what}, not ready for use as of ${day(asOf)}: no useful life yet`;
  }
  if (s.usefulLifeMonths === 0) return `book ${id} has an indefinite useful life, so no remaining-life ratio`;
  const monthsUsed = Math.max(0, Math.min(s.usefulLifeMonths, lastMonthEndedBy(asOf) - monthOf(s.readyOn) + 1));
  return { bookId: id, usefulLifeMonths: s.usefulLifeMonths, readyOn: s.readyOn, monthsUsed, remainingMonths: s.usefulLifeMonths - monthsUsed };
}

/** Registration end as of asOf (cancellation counts once it happened), or why there is no term left. */
function registrationEnd(asset: AssetRow, asOf: number): number | string {
  if (asset.approved_at === null || asset.valid_until === null || asset.approved_at > asOf) {
    return `asset ${asset.id} was not registered (approved) as of ${day(asOf)}`;
  }
  if (asset.status === "Cancelled" && asset.ended_at !== null && asset.ended_at <= asOf) {
    return `asset ${asset.id}'s registration was cancelled on ${day(asset.ended_at)}`;
  }
  if (asset.valid_until < asOf) return `asset ${asset.id}'s registration expired on ${day(asset.valid_until)}`;
  return asset.valid_until;
}

// ------------------------------------------------------------------------------------------------ the three approaches

interface Context {
  asset: AssetRow;
  asOf: number;
  token: string | null;
  tokenProblem: string;
  p: ParsedParams;
  rows: ValuationRows;
  attestations: Attestations;
  chosenBook: BookState | null;
  /** Why there is no chosenBook. */
  bookProblem: string;
  manyBooks: boolean;
}

function costApproach(c: Context): Indication<CostIndication> {
  const { asOf, p } = c;
  let cost: CostIndication["cost"];
  let currency: string;
  if (p.resolved.replacementCost !== null) {
    if (c.token === null) return insufficient(c.tokenProblem);
    currency = c.token;
    cost = { amount: p.resolved.replacementCost, source: "ReplacementCost", bookId: null };
  } else {
    const b = c.chosenBook;
    if (b === null) return insufficient(`${c.bookProblem}; pass ${c.manyBooks ? "params.bookId or " : ""}params.replacementCost`);
    if (c.token !== null && !sameAddress(b.book.currency, c.token)) {
      return insufficient(`book ${b.book.id} is kept in ${b.book.currency}, not ${c.token}; amounts are not converted`);
    }
    if (b.cost === 0n) return insufficient(`book ${b.book.id} has no capitalised cost as of ${day(asOf)}`);
    cost = { amount: b.cost, source: "Book", bookId: b.book.id };
    currency = b.book.currency;
  }

  const basis = p.resolved.costBasis;
  const quality = basis === "RemainingLife" ? null : c.attestations.quality(c.asset.id);
  if (quality !== null) {
    const coefficient = ratio(quality.mean.numerator, quality.mean.denominator * 100n);
    return { status: "Computed", value: applyFactors(cost.amount, coefficient), currency, cost, coefficient, basis: "Quality", quality, life: null };
  }
  const noQuality = `no quality attestation in force for asset ${c.asset.id} as of ${day(asOf)}`;
  if (basis === "Quality") return insufficient(noQuality);
  const life = c.chosenBook === null ? `${c.bookProblem}${c.manyBooks ? "; pass params.bookId" : ""}` : remainingLife(c.chosenBook, asOf);
  if (typeof life === "string") return insufficient(basis === "Auto" ? `${noQuality}, and ${life}` : life);
  const coefficient = ratio(BigInt(life.remainingMonths), BigInt(life.usefulLifeMonths));
  return { status: "Computed", value: applyFactors(cost.amount, coefficient), currency, cost, coefficient, basis: "RemainingLife", quality: null, life };
}

function median(sorted: bigint[]): bigint {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : roundHalfUp(sorted[mid - 1] + sorted[mid], 2n);
}

function marketApproach(c: Context): Indication<MarketIndication> {
  const { asOf, p, asset } = c;
  if (c.token === null) return insufficient(c.tokenProblem);
  const token = c.token;
  const offer = p.resolved.offer;
  const assets = new Map(c.rows.assets.map((a) => [a.id, a]));
  const kindOf = (s: SettlementRow) => {
    const a = assets.get(s.asset_id);
    if (!a) throw new Error(`settlement ${s.order_id} refers to asset ${s.asset_id}, which is not in rows.assets`);
    return a;
  };
  // A certificate sold (a HoldingTransfer by its holder, or its pledgee's enforcement sale) is not the holding.
  const matching = c.rows.settlements
    .filter((s) => s.asset_id !== asset.id && s.settled_at <= asOf && s.offer === offer && sameAddress(s.token, token))
    .filter((s) => offer !== "HoldingTransfer" || s.seller_cert_id === null)
    .filter((s) => kindOf(s).kind === asset.kind)
    .sort((a, b) => b.settled_at - a.settled_at || b.order_id - a.order_id);
  const what = `${offer} trades of other ${asset.kind} assets in ${token} settled by ${day(asOf)}`;
  if (matching.length < p.resolved.minComparables) {
    return insufficient(`${matching.length} comparable ${what}; at least ${p.resolved.minComparables} needed`);
  }

  const targetQuality = c.attestations.quality(asset.id);
  const targetRecords = BigInt(asset.records);
  const e = p.volumeElasticity;
  const growth = onePlus(p.monthlyPriceGrowth);
  const comparables = matching.slice(0, p.resolved.maxComparables).map((s): Comparable => {
    const compQuality = c.attestations.quality(s.asset_id);
    let quality: Comparable["quality"];
    if (targetQuality === null) quality = { factor: ONE, comparable: compQuality, note: "target has no quality score in force" };
    else if (compQuality === null) quality = { factor: ONE, comparable: null, note: "comparable has no quality score in force" };
    else if (compQuality.mean.numerator === 0n) quality = { factor: ONE, comparable: compQuality, note: "comparable's quality score is 0" };
    else {
      const factor = ratio(targetQuality.mean.numerator * compQuality.mean.denominator, targetQuality.mean.denominator * compQuality.mean.numerator);
      quality = { factor, comparable: compQuality, note: null };
    }
    const months = wholeMonths(s.settled_at, asOf);
    const date = { factor: pow(growth, months), months };
    const records = BigInt(kindOf(s).records);
    let volume: Comparable["volume"];
    if (e.numerator === 0n) volume = { factor: ONE, records, note: null };
    else if (targetRecords === 0n || records === 0n) {
      volume = { factor: ONE, records, note: `${targetRecords === 0n ? "target" : "comparable"} states no record count` };
    } else volume = { factor: ratioPower(targetRecords, records, e.numerator, e.denominator), records, note: null };
    const gross = BigInt(s.gross);
    return {
      orderId: s.order_id,
      assetId: s.asset_id,
      settledAt: s.settled_at,
      gross,
      quality,
      date,
      volume,
      adjusted: applyFactors(gross, quality.factor, date.factor, volume.factor),
    };
  });
  const value = median(comparables.map((x) => x.adjusted).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    status: "Computed",
    value,
    statistic: "Median",
    offer,
    assetKind: asset.kind,
    targetQuality,
    targetRecords,
    candidates: matching.length,
    comparables,
  };
}

function incomeApproach(c: Context): Indication<IncomeIndication> {
  const { asOf, p, asset } = c;
  if (c.token === null) return insufficient(c.tokenProblem);
  const token = c.token;
  const end = registrationEnd(asset, asOf);
  if (typeof end === "string") return insufficient(end);
  const registrationMonths = wholeMonths(asOf, end);
  const years = Math.min(p.resolved.horizonYears, Math.floor(registrationMonths / 12));
  if (years === 0) {
    return insufficient(`asset ${asset.id}'s registration runs ${registrationMonths} whole months after ${day(asOf)} (to ${day(end)}): less than a year of income`);
  }

  const from = addMonths(asOf, -12);
  const settlements = c.rows.settlements
    .filter((s) => s.asset_id === asset.id && s.settled_at > from && s.settled_at <= asOf && s.offer !== "HoldingTransfer")
    .filter((s) => sameAddress(s.token, token) && s.seller_cert_id === null)
    .sort((a, b) => a.settled_at - b.settled_at || a.order_id - b.order_id)
    .map((s) => ({ orderId: s.order_id, offer: s.offer as OfferName, settledAt: s.settled_at, sellerNet: BigInt(s.seller_net) }));
  const revenue = settlements.reduce((sum, s) => sum + s.sellerNet, 0n);
  if (revenue === 0n) {
    return insufficient(`no licence revenue to the holder of asset ${asset.id} in ${token} from ${day(from)} to ${day(asOf)} (trailing 12 months)`);
  }

  const growth = onePlus(p.growthRate);
  const discount = onePlus(p.discountRate);
  const terms: IncomeIndication["terms"] = [];
  for (let t = 1; t <= years; t++) {
    const cashFlow = applyFactors(revenue, pow(growth, t));
    const d = pow(discount, t);
    terms.push({ year: t, cashFlow, presentValue: applyFactors(cashFlow, ratio(d.denominator, d.numerator)) });
  }
  return {
    status: "Computed",
    value: terms.reduce((sum, x) => sum + x.presentValue, 0n),
    revenueBasis: "SellerNet",
    window: { from, to: asOf },
    revenue,
    settlements,
    discountRate: p.resolved.discountRate,
    growthRate: p.resolved.growthRate,
    years,
    life: { validUntil: end, registrationMonths, horizonYears: p.resolved.horizonYears },
    terms,
  };
}

function appraisalsOnRecord(c: Context): Record<ValuationMethodName, AppraisalOnRecord[]> {
  const grouped = Object.fromEntries(ValuationMethod.map((m) => [m, [] as AppraisalOnRecord[]])) as Record<ValuationMethodName, AppraisalOnRecord[]>;
  const rows = c.attestations
    .onRecord(c.asset.id, "Appraisal")
    .sort((a, b) => (b.valuation_date ?? 0) - (a.valuation_date ?? 0) || b.id - a.id);
  for (const a of rows) {
    const method = a.method as ValuationMethodName;
    if (!grouped[method] || a.value === null || a.currency === null || a.valuation_date === null) {
      throw new Error(`appraisal attestation ${a.id} lacks method, value, currency or date`);
    }
    const supersededBy = c.attestations.supersededBy(a);
    grouped[method].push({
      attestationId: a.id,
      author: a.author,
      method,
      value: BigInt(a.value),
      currency: a.currency,
      valuationDate: a.valuation_date,
      attestedAt: a.attested_at,
      reportHash: a.report_hash,
      superseded: supersededBy !== null,
      supersededBy,
    });
  }
  return grouped;
}

// ------------------------------------------------------------------------------------------------ entry point

/**
 * The valuation of asset `assetId` as of `asOf` (unix seconds, inclusive) from the index's rows.
 * Throws ValuationParamsError for bad user parameters (including a bookId that is not this asset's book) and a plain
 * Error when the rows are inconsistent (a caller's bug).
 */
export function valuation(assetId: number, asOf: number, params: ValuationParams | null | undefined, rows: ValuationRows): Valuation {
  if (!Number.isSafeInteger(asOf) || asOf < 0) throw new ValuationParamsError([`asOf must be unix seconds (got ${asOf})`]);
  const p = validateValuationParams(params ?? {});
  const asset = rows.assets.find((a) => a.id === assetId);
  if (!asset) throw new Error(`asset ${assetId} is not in rows.assets`);
  if (!AssetKind.includes(asset.kind as (typeof AssetKind)[number])) throw new Error(`asset ${assetId} has kind ${asset.kind}`);

  const ownBooks = rows.books.filter((b) => b.asset_id === assetId);
  if (p.resolved.bookId !== null && !ownBooks.some((b) => b.id === p.resolved.bookId)) {
    throw new ValuationParamsError([`params.bookId ${p.resolved.bookId} is not a book of asset ${assetId}`]);
  }
  const books = ownBooks.map((b) => bookAsOf(b, rows.bookEntries, asOf)).filter((b): b is BookState => b !== null);
  let chosenBook: BookState | null = null;
  let bookProblem = "";
  if (p.resolved.bookId !== null) {
    chosenBook = books.find((b) => b.book.id === p.resolved.bookId) ?? null;
    if (!chosenBook) bookProblem = `book ${p.resolved.bookId} was not open on ${day(asOf)}`;
  } else if (books.length === 1) {
    chosenBook = books[0];
  } else {
    bookProblem = books.length === 0
      ? `asset ${assetId} has no book open on ${day(asOf)}`
      : `asset ${assetId} has ${books.length} books open on ${day(asOf)} (${books.map((b) => b.book.id).join(", ")})`;
  }

  // One currency for all indications: amounts in different tokens are never added or compared.
  let token = p.resolved.token;
  let tokenProblem = "";
  if (token === null) {
    const seen = new Map<string, string>();
    const see = (address: string) => seen.has(address.toLowerCase()) || seen.set(address.toLowerCase(), address);
    for (const b of books) see(b.book.currency);
    for (const s of rows.settlements) if (s.asset_id === assetId && s.settled_at <= asOf) see(s.token);
    if (seen.size === 1) token = [...seen.values()][0];
    else {
      tokenProblem = seen.size === 0
        ? `asset ${assetId} has no book or trade to take a currency from; pass params.token`
        : `asset ${assetId}'s books and trades use ${seen.size} currencies (${[...seen.values()].join(", ")}); pass params.token`;
    }
  }

  const c: Context = {
    asset,
    asOf,
    token,
    tokenProblem,
    p,
    rows,
    attestations: new Attestations(rows.attestations, asOf),
    chosenBook,
    bookProblem,
    manyBooks: p.resolved.bookId === null && books.length > 1,
  };
  return {
    assetId,
    asOf,
    token,
    params: { ...p.resolved, token },
    appraisals: appraisalsOnRecord(c),
    cost: costApproach(c),
    market: marketApproach(c),
    income: incomeApproach(c),
  };
}

// ------------------------------------------------------------------------------------------------ serialisation

export interface SerialisedRatio {
  numerator: string;
  denominator: string;
  /** Rounded half up to 18 decimals, for display. */
  decimal: string;
}

/** A result with every bigint as a decimal string and every ratio as SerialisedRatio: JSON- and GraphQL-safe. */
export type Serialised<T> = T extends Ratio
  ? SerialisedRatio
  : T extends bigint
    ? string
    : T extends readonly (infer U)[]
      ? Serialised<U>[]
      : T extends object
        ? { [K in keyof T]: Serialised<T[K]> }
        : T;

const isRatio = (x: object): x is Ratio =>
  typeof (x as Ratio).numerator === "bigint" && typeof (x as Ratio).denominator === "bigint" && Object.keys(x).length === 2;

function serialise(x: unknown): unknown {
  if (typeof x === "bigint") return x.toString();
  if (Array.isArray(x)) return x.map(serialise);
  if (x !== null && typeof x === "object") {
    if (isRatio(x)) return { numerator: x.numerator.toString(), denominator: x.denominator.toString(), decimal: ratioToDecimal(x) };
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, serialise(v)]));
  }
  return x;
}

/** The valuation with amounts as decimal strings of minor units and ratios with their decimal. */
export function serialiseValuation(v: Valuation): Serialised<Valuation> {
  return serialise(v) as Serialised<Valuation>;
}
