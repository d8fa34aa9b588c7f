// api/valuation: the cost, market and income indications and the appraisals on record, from rows built by hand in
// the shapes SQLite returns. Every expected figure is worked out by hand in the comments; amounts are fen (minor units
// of a 2-decimal token) and the one rounding rule is half up to the fen.
import { expect } from "chai";
import {
  ValuationParamsError,
  serialiseValuation,
  validateValuationParams,
  valuation,
  type AssetRow,
  type AttestationRow,
  type BookEntryRow,
  type BookRow,
  type Indication,
  type SettlementRow,
  type ValuationParams,
  type ValuationRows,
} from "../../api/valuation";

const CST = 8 * 3600;
/** Unix time of a wall-clock time in UTC+8. */
const at = (y: number, m: number, d: number, h = 0, min = 0, s = 0) => Date.UTC(y, m - 1, d, h, min, s) / 1000 - CST;
/** The end of 2025-06-30 in UTC+8, the valuation date of every test. */
const AS_OF = at(2025, 6, 30, 23, 59, 59);

const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER_TOKEN = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const ENTITY = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const APPRAISER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const TARGET = 1;

function asset(id: number, o: Partial<AssetRow> = {}): AssetRow {
  return { id, kind: "Product", status: "Active", records: "400", approved_at: at(2025, 1, 1), valid_until: at(2028, 7, 1), ended_at: null, ...o };
}

function attestation(id: number, assetId: number, kind: string, attestedAt: number, o: Partial<AttestationRow> = {}): AttestationRow {
  return {
    id, asset_id: assetId, kind, author: APPRAISER, report_hash: "0x" + id.toString(16).padStart(64, "0"), superseded_by: null,
    accuracy: null, consistency: null, completeness: null, conformity: null, timeliness: null, accessibility: null,
    method: null, value: null, currency: null, valuation_date: null, attested_at: attestedAt, revoked_at: null, ...o,
  };
}

/** A quality attestation; one number means all six dimensions. */
function quality(id: number, assetId: number, scores: number | number[], attestedAt = at(2025, 2, 1), o: Partial<AttestationRow> = {}) {
  const [accuracy, consistency, completeness, conformity, timeliness, accessibility] = typeof scores === "number" ? Array(6).fill(scores) : scores;
  return attestation(id, assetId, "Quality", attestedAt, { accuracy, consistency, completeness, conformity, timeliness, accessibility, ...o });
}

function appraisal(id: number, method: string, value: string, valuationDate: number, attestedAt: number, o: Partial<AttestationRow> = {}) {
  return attestation(id, TARGET, "Appraisal", attestedAt, { method, value, currency: TOKEN, valuation_date: valuationDate, ...o });
}

/** A settlement on listing `orderId`; seller_net defaults to gross. */
function settlement(orderId: number, assetId: number, settledAt: number, gross: string, o: Partial<SettlementRow> = {}): SettlementRow {
  return { order_id: orderId, listing_id: orderId, asset_id: assetId, offer: "HoldingTransfer", token: TOKEN, gross, seller_net: gross, settled_at: settledAt, seller_cert_id: null, ...o };
}

/** A book and its entries: opened on `opened`, then `more` entries in order. */
function book(id: number, category: string, opened: number, life: number, more: Omit<BookEntryRow, "book_id" | "seq">[], currency = TOKEN) {
  const b: BookRow = { id, entity: ENTITY, asset_id: TARGET, initial_category: category, currency };
  const entries: BookEntryRow[] = [{ kind: "Opened", date: opened, amount: null, phase: null, useful_life_months: life }, ...more].map(
    (e, seq) => ({ book_id: id, seq, ...e }),
  );
  return { books: [b], bookEntries: entries };
}
const cost = (date: number, amount: string, phase = "None") => ({ kind: "Cost", date, amount, phase, useful_life_months: null });
const ready = (date: number, life: number) => ({ kind: "ReadyForUse", date, amount: null, phase: null, useful_life_months: life });
const derecognised = (date: number) => ({ kind: "Derecognised", date, amount: null, phase: null, useful_life_months: null });

/** 1,000,000.00 yuan of capitalised cost in an intangible book opened 2025-01-01 with a 36-month life, and 50,000.00
 *  more on 2025-08-01, after the valuation date. */
const intangible = () => book(1, "Intangible", at(2025, 1, 1), 36, [cost(at(2025, 1, 1), "100000000"), cost(at(2025, 8, 1), "5000000")]);

function rows(o: Partial<ValuationRows> = {}): ValuationRows {
  return { assets: [asset(TARGET)], attestations: [], settlements: [], books: [], bookEntries: [], ...o };
}

const value = (params: ValuationParams, r: ValuationRows) => valuation(TARGET, AS_OF, params, r);

function computed<T>(i: Indication<T>) {
  if (i.status !== "Computed") throw new Error(`expected a computed indication, got: ${i.reason}`);
  return i;
}
function reason<T>(i: Indication<T>): string {
  if (i.status !== "InsufficientData") throw new Error(`expected insufficient data, got a value of ${i.value}`);
  return i.reason;
}

describe("api/valuation", () => {
  describe("cost approach", () => {
    it("P = book cost x mean quality score / 100, showing C, d, the basis and the attestation", () => {
      // C = 100,000,000 (the 2025-08-01 cost is after asOf). Scores 92+88+95+90+70+85 = 520, mean 86.67,
      // d = 520 / 600 = 13/15. P = 100,000,000 x 13 / 15 = 86,666,666.67 -> 86,666,667.
      const c = computed(value({}, rows({ ...intangible(), attestations: [quality(20, TARGET, [92, 88, 95, 90, 70, 85])] })).cost);
      expect(c.value).to.equal(86_666_667n);
      expect(c.cost).to.deep.equal({ amount: 100_000_000n, source: "Book", bookId: 1 });
      expect(c.coefficient).to.deep.equal({ numerator: 13n, denominator: 15n });
      expect(c.basis).to.equal("Quality");
      expect(c.quality?.attestationId).to.equal(20);
      expect(c.quality?.scores).to.deep.equal({ accuracy: 92, consistency: 88, completeness: 95, conformity: 90, timeliness: 70, accessibility: 85 });
      expect(c.quality?.mean).to.deep.equal({ numerator: 260n, denominator: 3n });
      expect(c.life).to.equal(null);
    });

    it("uses the latest quality attestation in force: revoked, superseded and later ones are ignored", () => {
      const attestations = [
        quality(10, TARGET, 50, at(2025, 2, 1), { superseded_by: 11 }), // superseded by 11 on 2025-03-01
        quality(11, TARGET, 60, at(2025, 3, 1)), // in force
        quality(12, TARGET, 100, at(2025, 4, 1), { revoked_at: at(2025, 5, 1) }), // revoked before asOf
        quality(13, TARGET, 10, at(2025, 7, 15)), // attested after asOf
        quality(14, TARGET, 20, at(2025, 2, 15), { superseded_by: 15 }), // older than 11 anyway
        quality(15, TARGET, 30, at(2025, 8, 1)), // supersedes 14 only after asOf
        quality(16, 99, 100, at(2025, 5, 1)), // another asset's
        quality(17, TARGET, 90, at(2025, 5, 1), { revoked_at: at(2025, 8, 1) }), // revoked after asOf: in force, latest
      ];
      // 17 is the latest in force: d = 540 / 600 = 9/10, P = 100,000,000 x 9/10 = 90,000,000.
      const c = computed(value({}, rows({ ...intangible(), attestations })).cost);
      expect(c.quality?.attestationId).to.equal(17);
      expect(c.value).to.equal(90_000_000n);
      // Without 17, 11 is in force (12 revoked, 13 later, 10 superseded): d = 360 / 600 = 3/5 -> 60,000,000.
      const c2 = computed(value({}, rows({ ...intangible(), attestations: attestations.filter((a) => a.id !== 17) })).cost);
      expect(c2.quality?.attestationId).to.equal(11);
      expect(c2.value).to.equal(60_000_000n);
      // A superseded score stays closed when its successor is revoked: nothing is in force, so remaining life is used.
      const closed = [quality(18, TARGET, 50, at(2025, 1, 15), { superseded_by: 19 }), quality(19, TARGET, 70, at(2025, 1, 20), { revoked_at: at(2025, 1, 25) })];
      expect(computed(value({}, rows({ ...intangible(), attestations: closed })).cost).basis).to.equal("RemainingLife");
    });

    it("P = cost x remaining / useful life months when no score is in force, or when remaining life is asked for", () => {
      // Ready 2025-01, amortised from that month: Jan..Jun = 6 months used of 36, 30 left. d = 30/36 = 5/6.
      // P = 100,000,000 x 5 / 6 = 83,333,333.33 -> 83,333,333.
      const auto = computed(value({}, rows(intangible())).cost);
      expect(auto.basis).to.equal("RemainingLife");
      expect(auto.life).to.deep.equal({ bookId: 1, usefulLifeMonths: 36, readyOn: at(2025, 1, 1), monthsUsed: 6, remainingMonths: 30 });
      expect(auto.coefficient).to.deep.equal({ numerator: 5n, denominator: 6n });
      expect(auto.value).to.equal(83_333_333n);
      expect(auto.quality).to.equal(null);
      const asked = computed(value({ costBasis: "RemainingLife" }, rows({ ...intangible(), attestations: [quality(20, TARGET, 90)] })).cost);
      expect(asked.basis).to.equal("RemainingLife");
      expect(asked.value).to.equal(83_333_333n);
    });

    it("counts a month as used once it has ended, as the balance sheet charges it on the month's last day", () => {
      // Ready 2025-01. As of the end of 2025-06-29, June has not ended: Jan..May = 5 used, 31 left, d = 31/36;
      // P = 100,000,000 x 31 / 36 = 86,111,111.11 -> 86,111,111. One second before June ends, still 5; at its end, 6.
      const midJune = computed(valuation(TARGET, at(2025, 6, 29, 23, 59, 59), {}, rows(intangible())).cost);
      expect(midJune.life).to.deep.equal({ bookId: 1, usefulLifeMonths: 36, readyOn: at(2025, 1, 1), monthsUsed: 5, remainingMonths: 31 });
      expect(midJune.coefficient).to.deep.equal({ numerator: 31n, denominator: 36n });
      expect(midJune.value).to.equal(86_111_111n);
      const lastSecond = computed(valuation(TARGET, at(2025, 6, 30, 23, 59, 58), {}, rows(intangible())).cost);
      expect(lastSecond.life!.monthsUsed).to.equal(5);
      expect(computed(value({}, rows(intangible())).cost).life!.monthsUsed).to.equal(6);
      // On the ready day itself nothing is used yet: d = 36/36.
      const readyDay = computed(valuation(TARGET, at(2025, 1, 1, 23, 59, 59), {}, rows(intangible())).cost);
      expect(readyDay.life).to.deep.include({ monthsUsed: 0, remainingMonths: 36 });
      expect(readyDay.value).to.equal(100_000_000n);
    });

    it("counts a development book's life from the month it became ready and capitalises no research cost", () => {
      // Research 2,000,000 is expensed; C = development 8,000,000. Ready 2025-03-15 with 24 months: Mar..Jun = 4 used,
      // 20 left, d = 20/24 = 5/6. P = 8,000,000 x 5 / 6 = 6,666,666.67 -> 6,666,667.
      const dev = book(1, "Development", at(2024, 6, 1), 0, [
        cost(at(2024, 7, 1), "2000000", "Research"),
        cost(at(2024, 9, 1), "8000000", "Development"),
        ready(at(2025, 3, 15), 24),
      ]);
      const c = computed(value({}, rows(dev)).cost);
      expect(c.cost.amount).to.equal(8_000_000n);
      expect(c.life).to.deep.equal({ bookId: 1, usefulLifeMonths: 24, readyOn: at(2025, 3, 15), monthsUsed: 4, remainingMonths: 20 });
      expect(c.value).to.equal(6_666_667n);
    });

    it("rounds half up, once: 5 x 1/2 = 2.5 -> 3", () => {
      // Scores all 50: d = 300 / 600 = 1/2. Half-to-even would give 2; truncation 2.
      const c = computed(value({ token: TOKEN, replacementCost: "5" }, rows({ attestations: [quality(20, TARGET, 50)] })).cost);
      expect(c.value).to.equal(3n);
      expect(c.cost).to.deep.equal({ amount: 5n, source: "ReplacementCost", bookId: null });
    });

    it("takes a replacement cost instead of the book's, and bookId picks among several books", () => {
      const two = {
        books: [...intangible().books, ...book(2, "Intangible", at(2025, 4, 1), 12, [cost(at(2025, 4, 1), "1200000")]).books],
        bookEntries: [...intangible().bookEntries, ...book(2, "Intangible", at(2025, 4, 1), 12, [cost(at(2025, 4, 1), "1200000")]).bookEntries],
      };
      expect(reason(value({}, rows(two)).cost)).to.equal(
        "asset 1 has 2 books open on 2025-06-30 (1, 2); pass params.bookId or params.replacementCost",
      );
      // Book 2: Apr..Jun = 3 used of 12, d = 9/12 = 3/4. P = 1,200,000 x 3/4 = 900,000.
      const b2 = computed(value({ bookId: 2 }, rows(two)).cost);
      expect(b2.cost).to.deep.equal({ amount: 1_200_000n, source: "Book", bookId: 2 });
      expect(b2.value).to.equal(900_000n);
      // Replacement cost 2,000,000 with book 2's life: 2,000,000 x 3/4 = 1,500,000.
      const rc = computed(value({ bookId: 2, replacementCost: "2000000" }, rows(two)).cost);
      expect(rc.cost).to.deep.equal({ amount: 2_000_000n, source: "ReplacementCost", bookId: null });
      expect(rc.value).to.equal(1_500_000n);
    });

    it("says why when it cannot compute", () => {
      const noScore = "no quality attestation in force for asset 1 as of 2025-06-30";
      const cases: [string, ValuationParams, Partial<ValuationRows>, string][] = [
        ["no book", { token: TOKEN }, {}, "asset 1 has no book open on 2025-06-30; pass params.replacementCost"],
        ["inventory", {}, book(1, "Inventory", at(2025, 1, 1), 0, [cost(at(2025, 1, 1), "100")]), `${noScore}, and book 1 is inventory, which has no useful life`],
        ["indefinite life", { costBasis: "RemainingLife" }, book(1, "Intangible", at(2025, 1, 1), 0, [cost(at(2025, 1, 1), "100")]), "book 1 has an indefinite useful life, so no remaining-life ratio"],
        ["not ready", {}, book(1, "Development", at(2025, 1, 1), 0, [cost(at(2025, 1, 1), "100", "Development")]), `${noScore}, and book 1 is development in progress, not ready for use as of 2025-06-30: no useful life yet`],
        ["no score", { costBasis: "Quality" }, intangible(), noScore],
        ["other currency", { token: TOKEN }, book(1, "Intangible", at(2025, 1, 1), 36, [cost(at(2025, 1, 1), "100")], OTHER_TOKEN), `book 1 is kept in ${OTHER_TOKEN}, not ${TOKEN}; amounts are not converted`],
        ["derecognised", { token: TOKEN }, book(1, "Intangible", at(2025, 1, 1), 36, [cost(at(2025, 1, 1), "100"), derecognised(at(2025, 6, 1))]), "asset 1 has no book open on 2025-06-30; pass params.replacementCost"],
        ["opened later", { token: TOKEN }, book(1, "Intangible", at(2025, 7, 15), 36, [cost(at(2025, 7, 15), "100")]), "asset 1 has no book open on 2025-06-30; pass params.replacementCost"],
        ["no cost yet", {}, book(1, "Intangible", at(2025, 1, 1), 36, [cost(at(2025, 7, 15), "100")]), "book 1 has no capitalised cost as of 2025-06-30"],
      ];
      for (const [name, params, r, expected] of cases) {
        expect(reason(value(params, rows(r)).cost), name).to.equal(expected);
      }
    });
  });

  describe("market approach", () => {
    // Target: a Product of 400 records, all six scores 90 (mean 90). Trades settle in TOKEN; growth 1% a month; e = 0.5.
    const marketRows = () =>
      rows({
        assets: [
          asset(TARGET),
          asset(2, { records: "100" }),
          asset(3, { records: "400" }),
          asset(4, { records: "200" }),
          asset(5, { kind: "Resource" }),
        ],
        attestations: [quality(30, TARGET, 90), quality(31, 2, 75), quality(32, 4, 90)],
        settlements: [
          settlement(101, 2, at(2025, 6, 10), "1000000"),
          settlement(102, 3, at(2025, 3, 30, 12), "2000000"),
          settlement(103, 4, at(2025, 5, 31), "1500000"),
          // Not comparable: the target itself, another asset kind, another right, another token, after asOf, and a
          // rights certificate sold (a HoldingTransfer of its certificate, not of the holding).
          settlement(104, TARGET, at(2025, 6, 1), "9000000"),
          settlement(105, 5, at(2025, 6, 1), "9000000"),
          settlement(106, 2, at(2025, 6, 1), "9000000", { offer: "ProcessingUse" }),
          settlement(107, 2, at(2025, 6, 1), "9000000", { token: OTHER_TOKEN }),
          settlement(108, 2, at(2025, 7, 1), "9000000"),
          settlement(109, 2, at(2025, 6, 1), "9000000", { seller_cert_id: 9 }),
        ],
      });
    const params: ValuationParams = { token: TOKEN, monthlyPriceGrowth: "0.01", volumeElasticity: "0.5" };

    it("P = median of comparables adjusted for quality, date and volume, each factor shown", () => {
      // 101 (asset 2, 2025-06-10): quality 90/75 = 6/5; 0 whole months -> date 1; volume (400/100)^0.5 = 2.
      //     1,000,000 x 6/5 x 1 x 2 = 2,400,000.
      // 103 (asset 4, 2025-05-31): quality 90/90 = 1; May 31 + 1 month = Jun 30 (clamped) <= asOf -> 1 month, 1.01;
      //     volume (400/200)^0.5 = sqrt 2 = 1.41421356237309504880... -> 1.414213562373095049 (18 decimals, half up).
      //     1,500,000 x 1.01 = 1,515,000; x 1.414213562373095049 = 2,142,533.547 -> 2,142,534.
      // 102 (asset 3, 2025-03-30 12:00): no quality score -> 1; Mar 30 12:00 + 3 months = Jun 30 12:00 <= asOf,
      //     + 4 > asOf -> 3 months, 1.01^3 = 1.030301; volume (400/400)^0.5 = 1. 2,000,000 x 1.030301 = 2,060,602.
      // Sorted: 2,060,602 < 2,142,534 < 2,400,000; median 2,142,534.
      const m = computed(value(params, marketRows()).market);
      expect(m.value).to.equal(2_142_534n);
      expect(m.statistic).to.equal("Median");
      expect(m.offer).to.equal("HoldingTransfer");
      expect(m.assetKind).to.equal("Product");
      expect(m.targetQuality?.attestationId).to.equal(30);
      expect(m.targetRecords).to.equal(400n);
      expect(m.candidates).to.equal(3);
      const [c101, c103, c102] = m.comparables;
      expect(m.comparables.map((c) => c.orderId)).to.deep.equal([101, 103, 102]);
      expect(c101).to.deep.include({ orderId: 101, assetId: 2, settledAt: at(2025, 6, 10), gross: 1_000_000n, adjusted: 2_400_000n });
      expect(c101.quality.factor).to.deep.equal({ numerator: 6n, denominator: 5n });
      expect(c101.quality.comparable?.attestationId).to.equal(31);
      expect(c101.date).to.deep.equal({ factor: { numerator: 1n, denominator: 1n }, months: 0 });
      expect(c101.volume).to.deep.equal({ factor: { numerator: 2n, denominator: 1n }, records: 100n, note: null });
      expect(c103.quality.factor).to.deep.equal({ numerator: 1n, denominator: 1n });
      expect(c103.date).to.deep.equal({ factor: { numerator: 101n, denominator: 100n }, months: 1 });
      expect(c103.volume.factor).to.deep.equal({ numerator: 1_414_213_562_373_095_049n, denominator: 10n ** 18n });
      expect(c103.adjusted).to.equal(2_142_534n);
      expect(c102.quality).to.deep.equal({ factor: { numerator: 1n, denominator: 1n }, comparable: null, note: "comparable has no quality score in force" });
      expect(c102.date).to.deep.equal({ factor: { numerator: 1_030_301n, denominator: 1_000_000n }, months: 3 });
      expect(c102.volume.factor).to.deep.equal({ numerator: 1n, denominator: 1n });
      expect(c102.adjusted).to.equal(2_060_602n);
    });

    it("takes the midpoint of the two middle prices, half up, and only the most recent maxComparables", () => {
      // No scores anywhere and neutral defaults: every factor 1, so adjusted = gross.
      const r = rows({
        assets: [asset(TARGET), asset(2)],
        settlements: [
          settlement(201, 2, at(2025, 1, 1), "500"),
          settlement(202, 2, at(2025, 2, 1), "100"),
          settlement(203, 2, at(2025, 3, 1), "90"),
          settlement(204, 2, at(2025, 4, 1), "101"),
        ],
      });
      // All four: 90, 100, 101, 500 -> (100 + 101) / 2 = 100.5 -> 101.
      const all = computed(value({ token: TOKEN }, r).market);
      expect(all.value).to.equal(101n);
      expect(all.comparables[0].quality.note).to.equal("target has no quality score in force");
      // The 3 most recent (204, 203, 202): 90, 100, 101 -> 100; the oldest (500) is left out.
      const recent = computed(value({ token: TOKEN, maxComparables: 3 }, r).market);
      expect(recent.comparables.map((c) => c.orderId)).to.deep.equal([204, 203, 202]);
      expect(recent.candidates).to.equal(4);
      expect(recent.value).to.equal(100n);
    });

    it("is insufficient with fewer comparables than minComparables, giving the count", () => {
      const r = marketRows();
      r.settlements = r.settlements.filter((s) => s.order_id !== 102);
      expect(reason(value(params, r).market)).to.equal(
        `2 comparable HoldingTransfer trades of other Product assets in ${TOKEN} settled by 2025-06-30; at least 3 needed`,
      );
      // Two suffice when asked: median of 2,400,000 and 2,142,534 = 2,271,267.
      expect(computed(value({ ...params, minComparables: 2 }, r).market).value).to.equal(2_271_267n);
    });
  });

  describe("income approach", () => {
    // Registration valid until 2028-07-01: from asOf, 36 whole months (2028-06-30 23:59:59 <= valid_until).
    const incomeRows = (o: Partial<AssetRow> = {}) =>
      rows({
        assets: [asset(TARGET, o)],
        settlements: [
          settlement(201, TARGET, at(2024, 9, 1), "600000", { offer: "ProcessingUse", seller_net: "500000" }),
          settlement(202, TARGET, AS_OF, "800000", { offer: "ProductOperation", seller_net: "700000" }),
          // Left out: at the window's open start, a holding transfer, a sublicensee's sale, after asOf, another token.
          settlement(203, TARGET, at(2024, 6, 30, 23, 59, 59), "1000", { offer: "ProcessingUse" }),
          settlement(204, TARGET, at(2025, 2, 1), "50000000"),
          settlement(205, TARGET, at(2025, 2, 1), "300000", { offer: "ProcessingUse", seller_cert_id: 7 }),
          settlement(206, TARGET, at(2025, 7, 1), "300000", { offer: "ProcessingUse" }),
          settlement(207, TARGET, at(2025, 2, 1), "300000", { offer: "ProcessingUse", token: OTHER_TOKEN }),
        ],
      });

    it("discounts the trailing year's seller_net: 12,000.00, i = 10%, g = 0, n = 3 -> 29,842.23", () => {
      // R = 500,000 + 700,000 = 1,200,000 (seller_net, not gross). n = min(horizon 5, 36 months / 12 = 3) = 3.
      // F_t = 1,200,000. 1,200,000 / 1.1 = 1,090,909.09 -> 1,090,909; / 1.21 = 991,735.54 -> 991,736;
      // / 1.331 = 901,577.76 -> 901,578. P = 1,090,909 + 991,736 + 901,578 = 2,984,223.
      const i = computed(value({ token: TOKEN }, incomeRows()).income);
      expect(i.value).to.equal(2_984_223n);
      expect(i.revenue).to.equal(1_200_000n);
      expect(i.revenueBasis).to.equal("SellerNet");
      expect(i.window).to.deep.equal({ from: at(2024, 6, 30, 23, 59, 59), to: AS_OF });
      expect(i.settlements).to.deep.equal([
        { orderId: 201, offer: "ProcessingUse", settledAt: at(2024, 9, 1), sellerNet: 500_000n },
        { orderId: 202, offer: "ProductOperation", settledAt: AS_OF, sellerNet: 700_000n },
      ]);
      expect([i.discountRate, i.growthRate, i.years]).to.deep.equal(["0.10", "0", 3]);
      expect(i.life).to.deep.equal({ validUntil: at(2028, 7, 1), registrationMonths: 36, horizonYears: 5 });
      expect(i.terms).to.deep.equal([
        { year: 1, cashFlow: 1_200_000n, presentValue: 1_090_909n },
        { year: 2, cashFlow: 1_200_000n, presentValue: 991_736n },
        { year: 3, cashFlow: 1_200_000n, presentValue: 901_578n },
      ]);
    });

    it("grows the cash flows: g = 5%, i = 10%, n = 2", () => {
      // F_1 = 1,200,000 x 1.05 = 1,260,000; F_2 = 1,200,000 x 1.1025 = 1,323,000.
      // 1,260,000 / 1.1 = 1,145,454.55 -> 1,145,455; 1,323,000 / 1.21 = 1,093,388.43 -> 1,093,388. P = 2,238,843.
      const i = computed(value({ token: TOKEN, growthRate: "0.05", horizonYears: 2 }, incomeRows()).income);
      expect(i.terms).to.deep.equal([
        { year: 1, cashFlow: 1_260_000n, presentValue: 1_145_455n },
        { year: 2, cashFlow: 1_323_000n, presentValue: 1_093_388n },
      ]);
      expect(i.value).to.equal(2_238_843n);
    });

    it("bounds n by the registration's valid_until, then by the horizon", () => {
      // Valid until 2027-06-30 12:00: asOf + 23 months = 2027-05-30 23:59:59 fits, + 24 does not. n = 1: 1,090,909.
      const short = computed(value({ token: TOKEN }, incomeRows({ valid_until: at(2027, 6, 30, 12) })).income);
      expect(short.life.registrationMonths).to.equal(23);
      expect(short.years).to.equal(1);
      expect(short.value).to.equal(1_090_909n);
      // Valid until 2035: 114 months, n = horizon 5. 1,200,000 / 1.1^4 = 819,616.14 -> 819,616;
      // / 1.1^5 = 745,105.59 -> 745,106. P = 2,984,223 + 819,616 + 745,106 = 4,548,945.
      const long = computed(value({ token: TOKEN }, incomeRows({ valid_until: at(2035, 1, 1) })).income);
      expect([long.life.registrationMonths, long.years, long.value]).to.deep.equal([114, 5, 4_548_945n]);
    });

    it("says why when it cannot compute", () => {
      const noRevenue = incomeRows();
      noRevenue.settlements = noRevenue.settlements.filter((s) => s.order_id > 202);
      expect(reason(value({ token: TOKEN }, noRevenue).income)).to.equal(
        `no licence revenue to the holder of asset 1 in ${TOKEN} from 2024-06-30 to 2025-06-30 (trailing 12 months)`,
      );
      const cases: [Partial<AssetRow>, string][] = [
        [{ valid_until: at(2026, 6, 1) }, "asset 1's registration runs 11 whole months after 2025-06-30 (to 2026-06-01): less than a year of income"],
        [{ valid_until: at(2025, 6, 1) }, "asset 1's registration expired on 2025-06-01"],
        [{ status: "Cancelled", ended_at: at(2025, 5, 1) }, "asset 1's registration was cancelled on 2025-05-01"],
        [{ status: "InNotice", approved_at: null, valid_until: null }, "asset 1 was not registered (approved) as of 2025-06-30"],
        [{ approved_at: at(2025, 7, 1) }, "asset 1 was not registered (approved) as of 2025-06-30"],
      ];
      for (const [o, expected] of cases) expect(reason(value({ token: TOKEN }, incomeRows(o)).income)).to.equal(expected);
      // A cancellation after asOf was not known on asOf.
      expect(computed(value({ token: TOKEN }, incomeRows({ status: "Cancelled", ended_at: at(2025, 8, 1) })).income).value).to.equal(2_984_223n);
    });
  });

  describe("appraisals on record", () => {
    it("lists non-revoked appraisals as of asOf by method, with the superseded flag", () => {
      const attestations = [
        appraisal(40, "Cost", "90000000", at(2025, 3, 1), at(2025, 3, 2), { superseded_by: 41 }),
        appraisal(41, "Cost", "95000000", at(2025, 4, 1), at(2025, 4, 2)),
        appraisal(42, "Market", "1", at(2025, 3, 1), at(2025, 3, 2), { revoked_at: at(2025, 5, 1) }), // revoked
        appraisal(43, "Income", "80000000", at(2025, 4, 30), at(2025, 5, 1), { revoked_at: at(2025, 8, 1) }), // revoked later
        appraisal(44, "Income", "1", at(2025, 7, 1), at(2025, 7, 15)), // attested after asOf
        appraisal(45, "Market", "70000000", at(2025, 1, 31), at(2025, 2, 1), { superseded_by: 46 }),
        appraisal(46, "Market", "1", at(2025, 8, 31), at(2025, 9, 1)), // supersedes 45 after asOf
        attestation(47, TARGET, "Compliance", at(2025, 1, 1)),
      ];
      const a = value({}, rows({ attestations })).appraisals;
      expect(a.Cost.map((x) => [x.attestationId, x.value, x.superseded, x.supersededBy])).to.deep.equal([
        [41, 95_000_000n, false, null],
        [40, 90_000_000n, true, 41],
      ]);
      expect(a.Market.map((x) => [x.attestationId, x.superseded])).to.deep.equal([[45, false]]);
      expect(a.Income.map((x) => x.attestationId)).to.deep.equal([43]);
      expect(a.Cost[0]).to.deep.include({ author: APPRAISER, method: "Cost", currency: TOKEN, valuationDate: at(2025, 4, 1), attestedAt: at(2025, 4, 2) });
    });
  });

  describe("parameters", () => {
    it("fills in the documented defaults", () => {
      expect(validateValuationParams({}).resolved).to.deep.equal({
        token: null, costBasis: "Auto", replacementCost: null, bookId: null, offer: "HoldingTransfer", minComparables: 3,
        maxComparables: 20, monthlyPriceGrowth: "0", volumeElasticity: "0", discountRate: "0.10", growthRate: "0", horizonYears: 5,
      });
      // GraphQL passes null for an omitted argument.
      expect(validateValuationParams({ discountRate: null, horizonYears: null }).resolved.discountRate).to.equal("0.10");
      // Open bounds admit values just inside them.
      expect(() => validateValuationParams({ discountRate: "0.000000000000000001", growthRate: "-0.999999999999999999", volumeElasticity: "1" })).not.to.throw();
    });

    it("refuses each malformed or absurd parameter with a message naming it", () => {
      const cases: [ValuationParams, string][] = [
        [{ discountRate: "0" }, 'params.discountRate must be greater than 0 and less than 1 (a yearly rate, e.g. "0.10") (got "0")'],
        [{ discountRate: "1" }, "params.discountRate must be greater than 0"],
        [{ discountRate: "-0.1" }, "params.discountRate must be greater than 0"],
        [{ discountRate: "10%" }, 'params.discountRate must be a decimal string like "0.05" (got "10%")'],
        [{ discountRate: "0.1234567890123456789" }, "params.discountRate takes at most 18 decimals"],
        [{ growthRate: "-1" }, "params.growthRate must be greater than -1 and less than 1"],
        [{ monthlyPriceGrowth: "0.12" }, "params.monthlyPriceGrowth must be greater than -0.1 and less than 0.1 (a monthly rate)"],
        [{ volumeElasticity: "1.5" }, "params.volumeElasticity must be from 0 to 1"],
        [{ volumeElasticity: "0.333" }, "params.volumeElasticity takes at most 2 decimals"],
        [{ minComparables: 0 }, "params.minComparables must be a whole number from 1 to 1000 (got 0)"],
        [{ minComparables: 5, maxComparables: 4 }, "params.maxComparables must be a whole number from 5 to 1000 (got 4)"],
        [{ horizonYears: 51 }, "params.horizonYears must be a whole number from 1 to 50 (got 51)"],
        [{ horizonYears: 2.5 }, "params.horizonYears must be a whole number"],
        [{ token: "0x1234" }, 'params.token must be a 0x address of 40 hex digits (got "0x1234")'],
        [{ replacementCost: "12.50" }, "params.replacementCost must be a positive whole number of minor units"],
        [{ replacementCost: "0" }, "params.replacementCost must be a positive whole number of minor units"],
        [{ offer: "Rent" as never }, "params.offer must be one of ProcessingUse, ProductOperation, HoldingTransfer"],
        [{ costBasis: "Magic" as never }, "params.costBasis must be one of Auto, Quality, RemainingLife"],
        [{ bookId: 0 }, "params.bookId must be a positive whole number"],
      ];
      for (const [params, message] of cases) {
        expect(() => value(params, rows()), JSON.stringify(params)).to.throw(ValuationParamsError, message);
      }
    });

    it("lists every problem at once, and refuses another asset's book or a bad asOf", () => {
      try {
        validateValuationParams({ discountRate: "2", growthRate: "x", horizonYears: 0 });
        expect.fail("should throw");
      } catch (e) {
        expect(e).to.be.instanceOf(ValuationParamsError);
        expect((e as ValuationParamsError).problems).to.have.length(3);
      }
      const other = book(9, "Intangible", at(2025, 1, 1), 36, []);
      other.books[0].asset_id = 2;
      expect(() => value({ bookId: 9 }, rows(other))).to.throw(ValuationParamsError, "params.bookId 9 is not a book of asset 1");
      expect(() => valuation(TARGET, -1, {}, rows())).to.throw(ValuationParamsError, "asOf must be unix seconds");
    });
  });

  describe("exactness", () => {
    it("keeps 10^30 minor units exact through every approach", () => {
      const E30 = "1" + "0".repeat(30);
      const r = rows({
        assets: [asset(TARGET), asset(2), asset(3), asset(4)],
        attestations: [quality(20, TARGET, [92, 88, 95, 90, 61, 85]), quality(21, 2, 75), quality(22, 3, 75), quality(23, 4, 75)],
        settlements: [
          settlement(301, TARGET, at(2025, 1, 1), E30, { offer: "ProcessingUse" }),
          settlement(302, 2, at(2025, 6, 1), E30),
          settlement(303, 3, at(2025, 6, 2), E30.slice(0, -1) + "1"),
          settlement(304, 4, at(2025, 6, 3), E30.slice(0, -1) + "3"),
        ],
      });
      const v = value({ token: TOKEN, replacementCost: E30 }, r);
      // Cost: scores sum 511, d = 511/600. 10^30 x 511 / 600 = 851,666,666,666,666,666,666,666,666,666.67 -> ...667.
      expect(computed(v.cost).value).to.equal(851_666_666_666_666_666_666_666_666_667n);
      // Market: target mean 511/6 vs 75, quality factor 511/450. 10^30 x 511/450 = 1,135,555,...,555.56 -> ...556;
      // (10^30 + 1) x 511/450 = ...556.67 -> ...557; (10^30 + 3) x 511/450 = ...558.96 -> ...559. Median ...557.
      const m = computed(v.market);
      expect(m.comparables.map((c) => c.adjusted)).to.deep.equal([
        1_135_555_555_555_555_555_555_555_555_559n,
        1_135_555_555_555_555_555_555_555_555_557n,
        1_135_555_555_555_555_555_555_555_555_556n,
      ]);
      expect(m.value).to.equal(1_135_555_555_555_555_555_555_555_555_557n);
      // Income: R = 10^30, i = 10%, n = 3. 10^31/11 = ...090.91 -> ...091; 10^32/121 = ...628.10 -> ...628;
      // 10^33/1331 = ...298.27 -> ...298. Sum 2,486,851,990,984,222,389,181,066,867,017.
      const i = computed(v.income);
      expect(i.terms.map((t) => t.presentValue)).to.deep.equal([
        909_090_909_090_909_090_909_090_909_091n,
        826_446_280_991_735_537_190_082_644_628n,
        751_314_800_901_577_761_081_893_313_298n,
      ]);
      expect(i.value).to.equal(2_486_851_990_984_222_389_181_066_867_017n);
      expect(serialiseValuation(v).income).to.deep.include({ value: "2486851990984222389181066867017" });
    });
  });

  describe("currency, determinism and serialisation", () => {
    it("takes the currency from the asset's books and trades, or asks for it when they disagree", () => {
      const one = value({}, rows({ ...intangible(), settlements: [settlement(1, TARGET, at(2025, 2, 1), "100")] }));
      expect(one.token).to.equal(TOKEN);
      expect(one.params.token).to.equal(TOKEN);
      const two = value({}, rows({
        ...intangible(),
        settlements: [settlement(1, TARGET, at(2025, 2, 1), "100", { token: OTHER_TOKEN })],
        attestations: [appraisal(40, "Cost", "5", at(2025, 3, 1), at(2025, 3, 2))],
      }));
      const why = `asset 1's books and trades use 2 currencies (${TOKEN}, ${OTHER_TOKEN}); pass params.token`;
      expect(two.token).to.equal(null);
      expect([reason(two.market), reason(two.income)]).to.deep.equal([why, why]);
      expect(computed(two.cost)).to.deep.include({ value: 83_333_333n, currency: TOKEN }); // the book's own currency
      expect(two.appraisals.Cost).to.have.length(1);
      expect(reason(value({ replacementCost: "100" }, rows()).cost)).to.equal(
        "asset 1 has no book or trade to take a currency from; pass params.token",
      );
    });

    it("gives the same result whatever the order of the rows, and serialises to decimal strings", () => {
      const r = rows({
        ...intangible(),
        assets: [asset(TARGET), asset(2, { records: "100" }), asset(3), asset(4, { records: "200" })],
        attestations: [quality(20, TARGET, [92, 88, 95, 90, 70, 85]), quality(31, 2, 75)],
        settlements: [
          settlement(101, 2, at(2025, 6, 10), "1000000"),
          settlement(102, 3, at(2025, 6, 10), "2000000"),
          settlement(103, 4, at(2025, 5, 31), "1500000"),
          settlement(201, TARGET, at(2024, 9, 1), "1200000", { offer: "ProcessingUse" }),
        ],
      });
      const params: ValuationParams = { volumeElasticity: "0.5" };
      const reversed: ValuationRows = Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [...v].reverse()])) as unknown as ValuationRows;
      const v = value(params, r);
      expect(value(params, reversed)).to.deep.equal(v);
      // 102 and 101 settled at the same second: the later order first.
      expect(computed(v.market).comparables.map((c) => c.orderId)).to.deep.equal([102, 101, 103]);

      const s = serialiseValuation(v);
      expect(JSON.parse(JSON.stringify(s))).to.deep.equal(s);
      if (s.cost.status !== "Computed") throw new Error(s.cost.reason);
      expect(s.cost.value).to.equal("86666667");
      expect(s.cost.cost.amount).to.equal("100000000");
      expect(s.cost.coefficient).to.deep.equal({ numerator: "13", denominator: "15", decimal: "0.866666666666666667" });
      if (s.market.status !== "Computed") throw new Error(s.market.reason);
      const c103 = s.market.comparables.find((c) => c.orderId === 103)!;
      expect(c103.volume.factor.decimal).to.equal("1.414213562373095049");
      expect(c103.date.factor.decimal).to.equal("1");
      expect(c103.gross).to.equal("1500000");
    });
  });
});
