// Accounting figures (api/accounting.ts) from hand-built `books` / `book_entries` rows: positions as of dates,
// balance-sheet lines and disclosure tables A and B, every figure worked out by hand in the comments; then a property
// test over random valid books. Amounts are fen (1 yuan = 100), months are UTC+8 calendar months.
//
// Reproduce a property failure with FC_SEED=<seed> (and FC_PATH=<path>); FC_RUNS overrides the run count.
import { expect } from "chai";
import fc from "fast-check";
import {
  balanceSheet,
  dateOf,
  disclosure,
  endOfDay,
  formatDate,
  formatMonth,
  monthOf,
  monthStart,
  parseDate,
  positionOf,
  serialise,
  type BookRow,
  type Columns,
  type Disclosure,
  type DisclosureTable,
  type EntryRow,
} from "../../api/accounting";

const CNY = "0x00000000000000000000000000000000000000C1";
const USD = "0x00000000000000000000000000000000000000D2";
const RUNS = Number(process.env.FC_RUNS ?? 150);

/** Unix time of `YYYY-MM-DD` (10:00 unless a time is given, e.g. "2024-02-01T03:00:00") in UTC+8. */
function at(when: string): number {
  return Date.parse(`${when.includes("T") ? when : `${when}T10:00:00`}+08:00`) / 1000;
}

/** A book row and its entries, built the way the indexer writes them (seq from 0, Opened first). */
function open(
  id: number,
  category: string,
  source: string,
  date: string,
  { life = 0, residual = 0n, currency = CNY }: { life?: number; residual?: bigint; currency?: string } = {},
) {
  const row: BookRow = {
    id,
    asset_id: 100 + id,
    initial_category: category,
    source,
    useful_life_months: life,
    residual_value: String(residual),
    currency,
    recognised_on: at(date),
  };
  const entries: EntryRow[] = [];
  const add = (kind: string, when: string, fields: Partial<EntryRow>) => {
    entries.push({ book_id: id, seq: entries.length, kind, date: at(when), ...fields });
    return book;
  };
  const book = {
    row,
    entries,
    cost: (when: string, amount: bigint, src = "Purchased", phase = "None") =>
      add("Cost", when, { amount: String(amount), source: src, phase }),
    ready: (when: string, months: number) => add("ReadyForUse", when, { useful_life_months: months }),
    impair: (when: string, amount: bigint) => add("Impairment", when, { amount: String(amount) }),
    reverse: (when: string, amount: bigint) => add("WriteDownReversal", when, { amount: String(amount) }),
    derecognise: (when: string, reason: string, proceeds: bigint) =>
      add("Derecognised", when, { reason, proceeds: String(proceeds) }),
    at: (asOf: string) => positionOf(row, entries, asOf),
  };
  add("Opened", date, { source, useful_life_months: life });
  return book;
}

type Built = ReturnType<typeof open>;
const ledger = (...books: Built[]) => ({
  rows: books.map((b) => b.row),
  entries: new Map(books.map((b) => [b.row.id, b.entries])),
});

function amounts(table: DisclosureTable, key: string): Columns {
  const row = table.rows.find((r) => r.key === key);
  if (!row) throw new Error(`no row ${key}`);
  return row.amounts;
}

/** One column of a table as { key: amount }, for rows that are not zero. */
function column(table: DisclosureTable, col: keyof Columns): Record<string, bigint> {
  return Object.fromEntries(table.rows.filter((r) => r.amounts[col] !== 0n).map((r) => [r.key, r.amounts[col]]));
}

function expectAllChecksOk(d: Disclosure) {
  const failed = d.checks.filter((c) => !c.ok).map((c) => `${c.name}: expected ${c.expected}, actual ${c.actual}`);
  expect(failed, failed.join("\n")).to.deep.equal([]);
}

describe("api/accounting", () => {
  describe("dates (UTC+8)", () => {
    it("as of a day means its last second in UTC+8; months are UTC+8 calendar months", () => {
      // 2024-01-01 00:00 UTC+8 = 1_704_038_400 (the contract's RULES_EFFECTIVE); +30 days = 2024-01-31 00:00;
      // + 86_399 s = 2024-01-31 23:59:59 UTC+8 = 1_706_716_799.
      expect(endOfDay("2024-01-31")).to.equal(1_706_716_799);
      expect(formatMonth(monthOf(1_706_716_799))).to.equal("2024-01");
      // One second later is 2024-01-31T16:00:00Z: still January in UTC, already February in UTC+8.
      expect(formatMonth(monthOf(1_706_716_800))).to.equal("2024-02");
      expect(formatDate(dateOf(1_706_716_800))).to.equal("2024-02-01");
      expect(monthStart(monthOf(1_706_716_800))).to.equal(1_706_716_800);
      expect(endOfDay("2024-02-29")).to.equal(1_706_716_799 + 29 * 86_400); // leap day exists
    });

    it("rejects malformed and impossible dates with a clear error (g)", () => {
      const malformed = [
        "2024-2-01",
        "20240101",
        " 2024-01-01",
        "2024-01-01 ",
        "2024-01-01T00:00",
        "2024/01/01",
        "",
        "２０２４-01-01",
      ];
      for (const text of malformed) expect(() => parseDate(text), text).to.throw(/malformed date .*YYYY-MM-DD/);
      for (const text of ["2023-02-29", "2024-02-30", "2024-04-31", "2024-13-01", "2024-00-10", "2024-01-00"]) {
        expect(() => parseDate(text), text).to.throw(/impossible date/);
      }
      expect(() => parseDate("1969-12-31")).to.throw(/before 1970-01-01/);
      expect(() => parseDate("0099-01-01")).to.throw(/before 1970-01-01/); // Date.UTC would read it as 1999
      expect(parseDate("2024-02-29")).to.deep.equal({ year: 2024, month: 2, day: 29 });

      const b = open(1, "Intangible", "Purchased", "2024-03-15", { life: 36 });
      const { rows, entries } = ledger(b);
      expect(() => b.at("2024-02-30")).to.throw(/impossible date 2024-02-30/);
      expect(() => balanceSheet(rows, entries, "31/12/2024")).to.throw(/malformed date/);
      expect(() => disclosure(rows, entries, "2024-01-01", "2024-13-31")).to.throw(/impossible date/);
      expect(() => disclosure(rows, entries, "2024-02-01", "2024-01-31")).to.throw(/ends before it starts/);
    });
  });

  describe("positions", () => {
    // (a) Bought for 36,000.00 yuan = 3,600,000 fen on 2024-03-15, 36 months, no residual: 100,000 a month from
    // March 2024 (the ready month), each month's charge booked on its last day. Impaired by 500,000 on 2025-06-10,
    // sold on 2026-03-20 for 1,200,000.
    const bought = () =>
      open(1, "Intangible", "Purchased", "2024-03-15", { life: 36 })
        .cost("2024-03-15", 3_600_000n)
        .impair("2025-06-10", 500_000n)
        .derecognise("2026-03-20", "Sale", 1_200_000n);

    it("purchased intangible: amortised from the ready month, re-based after impairment, derecognised (a)", () => {
      const b = bought();
      expect(b.at("2024-03-14")).to.include({ recognised: false, cost: 0n, amortisation: 0n, carrying: 0n });

      // Ready month counts (当月增加当月摊销), but its charge is booked on 03-31: none yet on the ready day, and
      // March's 100,000 (the monthly charge) is due at the month's end.
      const ready = b.at("2024-03-15");
      expect(ready).to.include({ category: "Intangible", recognised: true, derecognised: false, cost: 3_600_000n });
      expect(ready).to.include({
        amortisation: 0n,
        impairment: 0n,
        carrying: 3_600_000n,
        monthsAmortised: 0,
        monthlyCharge: 100_000n,
      });
      expect(ready.basis).to.deep.equal({ from: "2024-03", base: 3_600_000n, months: 36 });
      expect(b.at("2024-03-30")).to.deep.equal(ready);
      // 1 month = 100,000 as of March's last day; carrying 3,500,000.
      expect(b.at("2024-03-31")).to.include({ amortisation: 100_000n, carrying: 3_500_000n, monthsAmortised: 1 });

      // Mar..Dec 2024 = 10 months = 1,000,000.
      expect(b.at("2024-12-31")).to.include({ amortisation: 1_000_000n, carrying: 2_600_000n, monthsAmortised: 10 });

      // Impairment day: Mar 2024..May 2025 = 15 months = 1,500,000; carrying 3,600,000 - 1,500,000 - 500,000 =
      // 1,600,000; June's charge, due on 06-30, is still 100,000 (the old base).
      const impaired = b.at("2025-06-10");
      expect(impaired).to.include({
        amortisation: 1_500_000n,
        impairment: 500_000n,
        carrying: 1_600_000n,
        monthlyCharge: 100_000n,
      });
      // Impairment month's end: 16 months = 1,600,000; carrying 1,500,000.
      expect(b.at("2025-06-30")).to.include({ amortisation: 1_600_000n, carrying: 1_500_000n, monthsAmortised: 16 });

      // From July 2025: 1,500,000 over the 20 months left (36 - 16; Jul 2025..Feb 2027) = 75,000 a month.
      const july = b.at("2025-07-31");
      expect(july).to.include({
        amortisation: 1_675_000n,
        carrying: 1_425_000n,
        monthsAmortised: 17,
        monthlyCharge: 75_000n,
      });
      expect(july.basis).to.deep.equal({ from: "2025-07", base: 1_500_000n, months: 20 });
      expect(b.at("2025-12-31")).to.include({ amortisation: 2_050_000n, carrying: 1_050_000n }); // + 6 x 75,000

      // The day before the sale in March 2026: Jan, Feb charged (March has not ended) = 150,000 -> 2,200,000,
      // exactly what the sale removes.
      expect(b.at("2026-03-19")).to.include({ amortisation: 2_200_000n, carrying: 900_000n, monthsAmortised: 24 });

      // Sold: off the balance sheet; March is not amortised (当月减少当月不再摊销): removed 2,050,000 + Jan, Feb =
      // 2,200,000; carrying removed 3,600,000 - 2,200,000 - 500,000 = 900,000.
      const sold = b.at("2026-03-20");
      expect(sold).to.include({
        derecognised: true,
        cost: 0n,
        amortisation: 0n,
        impairment: 0n,
        carrying: 0n,
        monthsAmortised: 24,
      });
      expect(sold.monthlyCharge).to.equal(0n);
      expect(sold.basis).to.equal(null);
      expect(sold.derecognition).to.deep.equal({
        date: at("2026-03-20"),
        reason: "Sale",
        proceeds: 1_200_000n,
        cost: 3_600_000n,
        amortisation: 2_200_000n,
        impairment: 500_000n,
        carrying: 900_000n,
      });
      expect(b.at("2030-01-01")).to.deep.equal(sold);
    });

    it("a cost added after the ready day is spread over the months left, from the month after its entry", () => {
      // 1,000,000 over 10 months from January 2024 = 100,000 a month. 90,000 more on 2024-03-20: March keeps the
      // old charge (300,000 by March 31); from April 1,090,000 - 300,000 = 790,000 over Apr..Oct (7 months).
      const b = open(1, "Intangible", "Purchased", "2024-01-05", { life: 10 })
        .cost("2024-01-05", 1_000_000n)
        .cost("2024-03-20", 90_000n, "Other");
      // On 03-20 Jan and Feb are charged; March's 100,000 is due on 03-31.
      expect(b.at("2024-03-20")).to.include({ cost: 1_090_000n, amortisation: 200_000n, monthlyCharge: 100_000n });
      expect(b.at("2024-03-31")).to.include({ amortisation: 300_000n, monthlyCharge: 100_000n });
      const april = b.at("2024-04-30"); // floor(790,000 x 1 / 7) = 112,857
      expect(april).to.include({ amortisation: 412_857n, monthlyCharge: 112_857n });
      expect(april.basis).to.deep.equal({ from: "2024-04", base: 790_000n, months: 7 });
      expect(b.at("2024-10-31")).to.include({ amortisation: 1_090_000n, carrying: 0n, monthsAmortised: 10 });
      expect(b.at("2025-06-30")).to.include({ amortisation: 1_090_000n, carrying: 0n, monthlyCharge: 0n });

      // The acquisition cost itself dated after the recognition day: January's base was 0, so 1,000,000 goes over
      // the 9 months Feb..Oct: floor(1,000,000 / 9) = 111,111 by February.
      const late = open(2, "Intangible", "Purchased", "2024-01-05", { life: 10 }).cost("2024-01-20", 1_000_000n);
      expect(late.at("2024-01-31")).to.include({ cost: 1_000_000n, amortisation: 0n, monthlyCharge: 0n });
      expect(late.at("2024-02-29")).to.include({ amortisation: 111_111n });
      expect(late.at("2024-10-31")).to.include({ amortisation: 1_000_000n, carrying: 0n });

      // A cost later on the ready day itself is part of the initial base: 100,000 in January, booked on 01-31.
      const sameDay = open(3, "Intangible", "Purchased", "2024-01-05T09:00:00", { life: 10 }).cost(
        "2024-01-05T15:00:00",
        1_000_000n,
      );
      expect(sameDay.at("2024-01-05")).to.include({ amortisation: 0n, monthlyCharge: 100_000n });
      expect(sameDay.at("2024-01-31")).to.include({ amortisation: 100_000n, monthlyCharge: 100_000n });
    });

    it("an indefinite life is never amortised; its impairment is never reversed (d)", () => {
      const b = open(1, "Intangible", "Other", "2024-01-02", { life: 0 })
        .cost("2024-01-02", 1_000_000n, "Other")
        .impair("2025-12-31", 300_000n);
      const p = b.at("2025-12-30");
      expect(p).to.include({
        cost: 1_000_000n,
        amortisation: 0n,
        carrying: 1_000_000n,
        monthsAmortised: 0,
        monthlyCharge: 0n,
      });
      expect(p.basis).to.equal(null);
      expect(b.at("2030-06-30")).to.include({ amortisation: 0n, impairment: 300_000n, carrying: 700_000n });
    });

    it("amortisation stops at the residual value, also after an impairment below it (e)", () => {
      // (1,000,000 - 100,000) / 12 = 75,000 a month from January 2024.
      const b = open(1, "Intangible", "Purchased", "2024-01-15", { life: 12, residual: 100_000n }).cost(
        "2024-01-15",
        1_000_000n,
      );
      expect(b.at("2024-06-30")).to.include({ amortisation: 450_000n, carrying: 550_000n });
      expect(b.at("2024-12-31")).to.include({ amortisation: 900_000n, carrying: 100_000n, monthsAmortised: 12 });
      expect(b.at("2027-01-01")).to.include({
        amortisation: 900_000n,
        carrying: 100_000n,
        monthsAmortised: 12,
        monthlyCharge: 0n,
      });

      // Impaired by 500,000 on 06-10, before June's charge (booked 06-30): carrying 1,000,000 - 375,000 (Jan..May)
      // - 500,000 = 125,000, so June's charge is 25,000 instead of 75,000 (down to the residual), and from July the
      // base is 0.
      const c = open(2, "Intangible", "Purchased", "2024-01-15", { life: 12, residual: 100_000n })
        .cost("2024-01-15", 1_000_000n)
        .impair("2024-06-10", 500_000n);
      expect(c.at("2024-06-10")).to.include({ amortisation: 375_000n, carrying: 125_000n, monthlyCharge: 25_000n });
      expect(c.at("2024-06-30")).to.include({ amortisation: 400_000n, carrying: 100_000n });
      expect(c.at("2024-12-31")).to.include({ amortisation: 400_000n, carrying: 100_000n, monthlyCharge: 0n });

      // Impaired below the residual value (580,000 on 06-10: carrying 45,000): June is not charged at all, and the
      // carrying amount stays 45,000 (the impairment, not amortisation, took it below the residual value).
      const below = open(4, "Intangible", "Purchased", "2024-01-15", { life: 12, residual: 100_000n })
        .cost("2024-01-15", 1_000_000n)
        .impair("2024-06-10", 580_000n);
      expect(below.at("2024-06-10")).to.include({ amortisation: 375_000n, carrying: 45_000n, monthlyCharge: 0n });
      expect(below.at("2024-12-31")).to.include({ amortisation: 375_000n, carrying: 45_000n, monthsAmortised: 12 });

      // A residual above cost: nothing to amortise.
      const d = open(3, "Intangible", "Purchased", "2024-01-15", { life: 12, residual: 2_000_000n }).cost(
        "2024-01-15",
        1_000_000n,
      );
      expect(d.at("2024-12-31")).to.include({ amortisation: 0n, carrying: 1_000_000n });
    });

    it("a cost not divisible by the life sums exactly to cost - residual; the last month takes the rest (f)", () => {
      // Ready 2024-02-01 03:00 UTC+8 (still January 31 in UTC): the ready month is February. 1,000,001 / 7 =
      // 142,857.28...: accumulated floor(1,000,001 x m / 7) = 142,857 / 285,714 / 428,571 / 571,429 / 714,286 /
      // 857,143 / 1,000,001; charges 142,857 x 3, 142,858, 142,857 x 2, 142,858.
      const b = open(1, "Intangible", "Purchased", "2024-02-01T03:00:00", { life: 7 }).cost(
        "2024-02-01T03:00:00",
        1_000_001n,
      );
      expect(b.at("2024-01-31")).to.include({ recognised: false });
      const monthEnds = [
        "2024-02-29",
        "2024-03-31",
        "2024-04-30",
        "2024-05-31",
        "2024-06-30",
        "2024-07-31",
        "2024-08-31",
        "2024-09-30",
      ];
      expect(monthEnds.map((d) => b.at(d).amortisation)).to.deep.equal([
        142_857n,
        285_714n,
        428_571n,
        571_429n,
        714_286n,
        857_143n,
        1_000_001n,
        1_000_001n,
      ]);
      expect(monthEnds.map((d) => b.at(d).monthlyCharge)).to.deep.equal([
        142_857n,
        142_857n,
        142_857n,
        142_858n,
        142_857n,
        142_857n,
        142_858n,
        0n,
      ]);
      expect(b.at("2024-08-31")).to.include({ carrying: 0n, monthsAmortised: 7 });
    });

    it("refuses rows the contract could not have produced (a corrupt index)", () => {
      const b = open(1, "Intangible", "Purchased", "2024-03-15", { life: 36 })
        .cost("2024-04-01", 100n)
        .cost("2024-05-01", 100n);
      const swapped = b.entries.map((e) => (e.seq === 1 ? { ...e, date: at("2024-06-01") } : e));
      expect(() => positionOf(b.row, swapped, "2024-12-31")).to.throw(/book 1 entry 2: date .* is before/);
      expect(() =>
        positionOf(b.row, [...b.entries, { ...b.entries[2], seq: 3, kind: "WriteDownReversal" }], "2024-12-31"),
      ).to.throw(/WriteDownReversal on a Intangible book/);
      expect(() => positionOf({ ...b.row, residual_value: "1.5" }, b.entries, "2024-12-31")).to.throw(
        /residual_value: "1.5" is not a decimal amount/,
      );
    });
  });

  describe("each month's charge is booked on its last day (issue 16, item 12)", () => {
    // 1,200,000 over 12 months = 100,000 a month.
    it("the ready month's charge appears only as of its last day", () => {
      // Ready 2024-02-20 (a leap February): nothing as of 02-20 or 02-28, February's 100,000 as of 02-29.
      const b = open(1, "Intangible", "Purchased", "2024-02-20", { life: 12 }).cost("2024-02-20", 1_200_000n);
      expect(b.at("2024-02-20")).to.include({ amortisation: 0n, carrying: 1_200_000n, monthsAmortised: 0 });
      expect(b.at("2024-02-28")).to.include({ amortisation: 0n, carrying: 1_200_000n, monthsAmortised: 0 });
      expect(b.at("2024-02-29")).to.include({ amortisation: 100_000n, carrying: 1_100_000n, monthsAmortised: 1 });
      // Mid-March: still February's only; March's as of 03-31.
      expect(b.at("2024-03-15")).to.include({ amortisation: 100_000n, monthlyCharge: 100_000n });
      expect(b.at("2024-03-31")).to.include({ amortisation: 200_000n, monthsAmortised: 2 });
      const { rows, entries } = ledger(b);
      expect(balanceSheet(rows, entries, "2024-02-28")[0].intangible).to.equal(1_200_000n);
      expect(balanceSheet(rows, entries, "2024-02-29")[0].intangible).to.equal(1_100_000n);
      // A period ending the day before the month's last day has no charge; one ending on it has February's.
      const [toFeb28] = disclosure(rows, entries, "2024-02-01", "2024-02-28");
      expect(amounts(toFeb28.intangible, "amortisation.additions").total).to.equal(0n);
      const [toFeb29] = disclosure(rows, entries, "2024-02-01", "2024-02-29");
      expect(amounts(toFeb29.intangible, "amortisation.additions").total).to.equal(100_000n);
      // A period that starts on the last day of a month takes that month's charge: opening (02-28) has none.
      const [lastDay] = disclosure(rows, entries, "2024-02-29", "2024-03-30");
      expect(column(lastDay.intangible, "purchased")).to.include({
        "amortisation.additions": 100_000n,
        "amortisation.closing": 100_000n,
      });
      for (const d of [toFeb28, toFeb29, lastDay]) expectAllChecksOk(d);
    });

    it("the month of derecognition is never charged, not even before the derecognition day", () => {
      // Ready 2024-01-05, sold on 2024-09-12: charged Jan..Aug = 800,000; September never.
      const b = open(1, "Intangible", "Purchased", "2024-01-05", { life: 12 })
        .cost("2024-01-05", 1_200_000n)
        .derecognise("2024-09-12", "Sale", 500_000n);
      expect(b.at("2024-07-31")).to.include({ amortisation: 700_000n });
      expect(b.at("2024-08-31")).to.include({ amortisation: 800_000n, carrying: 400_000n, monthsAmortised: 8 });
      // As of 09-11 (the day before the sale): no September charge.
      expect(b.at("2024-09-01")).to.include({ amortisation: 800_000n, carrying: 400_000n });
      expect(b.at("2024-09-11")).to.include({ amortisation: 800_000n, carrying: 400_000n, monthsAmortised: 8 });
      // The sale removes exactly what was on the books the day before.
      const sold = b.at("2024-09-12");
      expect(sold).to.include({ derecognised: true, amortisation: 0n, monthsAmortised: 8 });
      expect(sold.derecognition).to.include({ cost: 1_200_000n, amortisation: 800_000n, carrying: 400_000n });
      expect(b.at("2024-09-30").derecognition).to.deep.equal(sold.derecognition);

      const { rows, entries } = ledger(b);
      expect(balanceSheet(rows, entries, "2024-09-11")[0].intangible).to.equal(400_000n);
      expect(balanceSheet(rows, entries, "2024-09-12")[0].intangible).to.equal(0n);
      // Table A for periods starting on every day around the sale: additions never negative, and the opening
      // accumulated amortisation is what the sale removes.
      const cases: [string, bigint, bigint, bigint][] = [
        // from, amortisation opening, additions, decreases (disposal)
        ["2024-08-15", 700_000n, 100_000n, 800_000n], // August's charge (08-31) falls in the period
        ["2024-09-01", 800_000n, 0n, 800_000n],
        ["2024-09-05", 800_000n, 0n, 800_000n],
        ["2024-09-12", 800_000n, 0n, 800_000n],
        ["2024-09-13", 0n, 0n, 0n], // sold before the period: nothing
      ];
      for (const [from, opening, additions, decreases] of cases) {
        const [d] = disclosure(rows, entries, from, "2024-12-31");
        const got = ["opening", "additions", "decreases", "decreases.disposal", "closing"].map(
          (k) => amounts(d.intangible, `amortisation.${k}`).total,
        );
        expect(got, from).to.deep.equal([opening, additions, decreases, decreases, 0n]);
        expectAllChecksOk(d);
      }
      // A period ending the day before the sale: September adds nothing.
      const [toEve] = disclosure(rows, entries, "2024-09-01", "2024-09-11");
      expect(column(toEve.intangible, "purchased")).to.deep.include({
        "amortisation.opening": 800_000n,
        "amortisation.closing": 800_000n,
      });
      expect(amounts(toEve.intangible, "amortisation.additions").total).to.equal(0n);
    });

    it("ready and derecognised in the same month: never charged", () => {
      const b = open(1, "Intangible", "Purchased", "2024-05-03", { life: 12 })
        .cost("2024-05-03", 1_200_000n)
        .derecognise("2024-05-31", "Lapse", 0n);
      expect(b.at("2024-05-30")).to.include({ amortisation: 0n, carrying: 1_200_000n, monthlyCharge: 100_000n });
      expect(b.at("2024-05-31").derecognition).to.include({ amortisation: 0n, carrying: 1_200_000n });
      const { rows, entries } = ledger(b);
      const [d] = disclosure(rows, entries, "2024-01-01", "2024-12-31");
      expect(column(d.intangible, "purchased")).to.deep.equal({
        "cost.additions": 1_200_000n,
        "cost.additions.purchased": 1_200_000n,
        "cost.decreases": 1_200_000n,
        "cost.decreases.lapse": 1_200_000n,
      });
      expectAllChecksOk(d);
    });

    it("an impairment of the whole carrying amount shown mid-month leaves nothing for that month's charge", () => {
      // Ready 2024-01-05. As of 06-10 the books show Jan..May = 500,000 and carrying 700,000; the accountant impairs
      // all 700,000 that day. June's charge (due 06-30) would be 100,000 at the old base, but nothing is left above
      // the residual value (0): June is not charged and the carrying amount stays 0, never negative.
      const whole = open(1, "Intangible", "Purchased", "2024-01-05", { life: 12 })
        .cost("2024-01-05", 1_200_000n)
        .impair("2024-06-10", 700_000n);
      expect(whole.at("2024-06-09")).to.include({ amortisation: 500_000n, carrying: 700_000n });
      expect(whole.at("2024-06-30")).to.include({ amortisation: 500_000n, impairment: 700_000n, carrying: 0n });
      expect(whole.at("2024-12-31")).to.include({ amortisation: 500_000n, carrying: 0n });
      // Impairing 650,000 leaves 50,000: June's charge is 50,000, then nothing (the new base is 0).
      const most = open(2, "Intangible", "Purchased", "2024-01-05", { life: 12 })
        .cost("2024-01-05", 1_200_000n)
        .impair("2024-06-10", 650_000n);
      expect(most.at("2024-06-10")).to.include({ carrying: 50_000n, monthlyCharge: 50_000n });
      expect(most.at("2024-06-30")).to.include({ amortisation: 550_000n, carrying: 0n });
      expect(most.at("2024-07-31")).to.include({ amortisation: 550_000n, carrying: 0n, monthlyCharge: 0n });
      // Impaired on June's last day, after June's charge (as the books show it that day: 700,000 - 100,000):
      // 600,000 leaves 0 with June charged in full.
      const monthEnd = open(3, "Intangible", "Purchased", "2024-01-05", { life: 12 })
        .cost("2024-01-05", 1_200_000n)
        .impair("2024-06-30", 600_000n);
      expect(monthEnd.at("2024-06-30")).to.include({ amortisation: 600_000n, impairment: 600_000n, carrying: 0n });
      const { rows, entries } = ledger(whole, most, monthEnd);
      const [d] = disclosure(rows, entries, "2024-06-01", "2024-12-31");
      // Additions in the period: June's 0 + 50,000 + 100,000.
      expect(amounts(d.intangible, "amortisation.additions").total).to.equal(150_000n);
      expect(amounts(d.intangible, "carrying.closing").total).to.equal(0n);
      expectAllChecksOk(d);
    });
  });

  describe("balance sheet and table A for a self-developed asset (c)", () => {
    // Opened as development expenditure on 2024-01-10. Research 200,000 (expensed), development 1,200,000 on 03-05
    // and 600,000 (outsourced labelling, bought in) on 04-18: 1,800,000 capitalised. Ready 2024-05-08 with 24
    // months: 75,000 a month from May 2024.
    const developed = () =>
      open(4, "Development", "SelfDeveloped", "2024-01-10")
        .cost("2024-01-20", 200_000n, "SelfDeveloped", "Research")
        .cost("2024-03-05", 1_200_000n, "SelfDeveloped", "Development")
        .cost("2024-04-18", 600_000n, "Purchased", "Development")
        .ready("2024-05-08", 24);

    it("development expenditure moves to intangible assets at ready-for-use", () => {
      const { rows, entries } = ledger(developed());
      const [before] = balanceSheet(rows, entries, "2024-04-30");
      expect(before).to.include({ currency: CNY, development: 1_800_000n, intangible: 0n, inventory: 0n });
      expect(before.rows).to.deep.equal([
        {
          bookId: 4,
          assetId: 104,
          category: "Development",
          source: "SelfDeveloped",
          cost: 1_800_000n,
          amortisation: 0n,
          impairment: 0n,
          carrying: 1_800_000n,
        },
      ]);
      const [after] = balanceSheet(rows, entries, "2024-05-31"); // 1,800,000 - 75,000
      expect(after).to.include({ development: 0n, intangible: 1_725_000n, inventory: 0n });
      expect(after.rows[0]).to.include({ category: "Intangible", amortisation: 75_000n });
      expect(balanceSheet(rows, entries, "2024-12-31")[0].intangible).to.equal(1_200_000n); // May..Dec: 8 x 75,000
    });

    it("table A shows the move as 内部研发 in the 自行开发 column", () => {
      const { rows, entries } = ledger(developed());
      const [d] = disclosure(rows, entries, "2024-01-01", "2024-12-31");
      // The whole 1,800,000 is 内部研发 (the purchased labelling included: it came through development).
      expect(column(d.intangible, "selfDeveloped")).to.deep.equal({
        "cost.additions": 1_800_000n,
        "cost.additions.development": 1_800_000n,
        "cost.closing": 1_800_000n,
        "amortisation.additions": 600_000n,
        "amortisation.closing": 600_000n,
        "carrying.closing": 1_200_000n,
      });
      expect(column(d.intangible, "total")).to.deep.equal(column(d.intangible, "selfDeveloped"));
      expect(column(d.inventory, "total")).to.deep.equal({});
      expectAllChecksOk(d);

      // June..December: opening as of 05-31 (cost 1,800,000, 75,000 amortised); 7 more months = 525,000.
      const [h2] = disclosure(rows, entries, "2024-06-01", "2024-12-31");
      expect(column(h2.intangible, "selfDeveloped")).to.deep.equal({
        "cost.opening": 1_800_000n,
        "cost.closing": 1_800_000n,
        "amortisation.opening": 75_000n,
        "amortisation.additions": 525_000n,
        "amortisation.closing": 600_000n,
        "carrying.closing": 1_200_000n,
        "carrying.opening": 1_725_000n,
      });
      expectAllChecksOk(h2);
    });

    it("discloses the period's R&D spending: research expensed, development capitalised (issue 16, item 13)", () => {
      // Book 4 as above, plus 50,000 of more processing on 2024-06-20 after it is ready (an intangible's cost, not
      // R&D). An abandoned project (book 5): research 70,000 on 2024-07-10, development 30,000 on 2024-08-10,
      // derecognised on 2024-09-02. Not R&D: a purchased intangible (book 6) and an inventory dataset processed
      // in-house (book 7). A project kept in dollars (book 8): research 9,000 on 2024-02-02.
      const d4 = developed().cost("2024-06-20", 50_000n, "SelfDeveloped");
      const abandoned = open(5, "Development", "SelfDeveloped", "2024-07-01")
        .cost("2024-07-10", 70_000n, "SelfDeveloped", "Research")
        .cost("2024-08-10", 30_000n, "Purchased", "Development")
        .derecognise("2024-09-02", "Other", 0n);
      const bought = open(6, "Intangible", "Purchased", "2024-03-01", { life: 12 }).cost("2024-03-01", 1_200_000n);
      const stock = open(7, "Inventory", "SelfDeveloped", "2024-03-01").cost("2024-03-02", 40_000n, "SelfDeveloped");
      const dollars = open(8, "Development", "SelfDeveloped", "2024-02-01", { currency: USD }).cost(
        "2024-02-02",
        9_000n,
        "SelfDeveloped",
        "Research",
      );
      const { rows, entries } = ledger(d4, abandoned, bought, stock, dollars);
      const rd = (from: string, to: string) => disclosure(rows, entries, from, to).map((d) => [d.currency, d.researchAndDevelopment]);

      // 2024 in yuan: expensed 200,000 + 70,000 = 270,000; capitalised 1,200,000 + 600,000 + 30,000 = 1,830,000;
      // total 2,100,000. In dollars: 9,000 expensed.
      expect(rd("2024-01-01", "2024-12-31")).to.deep.equal([
        [CNY, { expensed: 270_000n, capitalised: 1_830_000n, total: 2_100_000n }],
        [USD, { expensed: 9_000n, capitalised: 0n, total: 9_000n }],
      ]);
      // Q1: the research of 01-20 and the development of 03-05 only.
      expect(rd("2024-01-01", "2024-03-31")[0]).to.deep.equal([
        CNY,
        { expensed: 200_000n, capitalised: 1_200_000n, total: 1_400_000n },
      ]);
      // A period of one day catches the cost dated that day and nothing else.
      expect(rd("2024-04-18", "2024-04-18")[0][1]).to.deep.equal({ expensed: 0n, capitalised: 600_000n, total: 600_000n });
      // From the ready day on, book 4 spends nothing on R&D (the 50,000 of June is an intangible's cost); the
      // abandoned project's spending counts although it never became an asset.
      expect(rd("2024-05-08", "2024-12-31")[0][1]).to.deep.equal({ expensed: 70_000n, capitalised: 30_000n, total: 100_000n });
      expect(rd("2024-09-01", "2024-12-31")[0][1]).to.deep.equal({ expensed: 0n, capitalised: 0n, total: 0n });
      // The capitalised part is what went into 开发支出: book 4's 1,800,000 came into table A as 内部研发 at ready.
      const [year] = disclosure(rows, entries, "2024-01-01", "2024-12-31");
      expect(amounts(year.intangible, "cost.additions.development").total).to.equal(1_800_000n);
      expectAllChecksOk(year);
      expect(serialise(year).researchAndDevelopment).to.deep.equal({ expensed: "270000", capitalised: "1830000", total: "2100000" });
    });
  });

  describe("disclosure tables", () => {
    it("table A for the purchased asset of (a): amortisation, impairment, sale", () => {
      const b = open(1, "Intangible", "Purchased", "2024-03-15", { life: 36 })
        .cost("2024-03-15", 3_600_000n)
        .impair("2025-06-10", 500_000n)
        .derecognise("2026-03-20", "Sale", 1_200_000n);
      const { rows, entries } = ledger(b);

      const [y2024] = disclosure(rows, entries, "2024-01-01", "2024-12-31");
      expect(column(y2024.intangible, "purchased")).to.deep.equal({
        "cost.additions": 3_600_000n,
        "cost.additions.purchased": 3_600_000n,
        "cost.closing": 3_600_000n,
        "amortisation.additions": 1_000_000n, // Mar..Dec
        "amortisation.closing": 1_000_000n,
        "carrying.closing": 2_600_000n,
      });

      // 2025: Jan..Jun 6 x 100,000 + Jul..Dec 6 x 75,000 = 1,050,000.
      const [y2025] = disclosure(rows, entries, "2025-01-01", "2025-12-31");
      expect(column(y2025.intangible, "purchased")).to.deep.equal({
        "cost.opening": 3_600_000n,
        "cost.closing": 3_600_000n,
        "amortisation.opening": 1_000_000n,
        "amortisation.additions": 1_050_000n,
        "amortisation.closing": 2_050_000n,
        "impairment.additions": 500_000n,
        "impairment.closing": 500_000n,
        "carrying.closing": 1_050_000n,
        "carrying.opening": 2_600_000n,
      });

      // 2026: Jan, Feb charged (150,000); the sale removes cost, 2,200,000 amortisation and the impairment (处置).
      const [y2026] = disclosure(rows, entries, "2026-01-01", "2026-12-31");
      expect(column(y2026.intangible, "purchased")).to.deep.equal({
        "cost.opening": 3_600_000n,
        "cost.decreases": 3_600_000n,
        "cost.decreases.disposal": 3_600_000n,
        "amortisation.opening": 2_050_000n,
        "amortisation.additions": 150_000n,
        "amortisation.decreases": 2_200_000n,
        "amortisation.decreases.disposal": 2_200_000n,
        "impairment.opening": 500_000n,
        "impairment.decreases": 500_000n,
        "carrying.opening": 1_050_000n,
      });

      // A period starting mid-March 2026: the opening (as of 03-10) holds Jan and Feb, not March (not ended, and the
      // month of the sale is never charged): nothing added, the sale removes what the opening holds.
      const [march] = disclosure(rows, entries, "2026-03-11", "2026-03-31");
      expect(amounts(march.intangible, "amortisation.opening").total).to.equal(2_200_000n);
      expect(amounts(march.intangible, "amortisation.additions").total).to.equal(0n);
      expect(amounts(march.intangible, "amortisation.decreases").total).to.equal(2_200_000n);

      for (const d of [y2024, y2025, y2026, march]) {
        expectAllChecksOk(d);
        // Per column (x4): 3 flows, 2 carrying identities, 2 non-negative carrying, 3 其中 groups; plus one
        // total-column check per row (23).
        expect(d.checks.filter((c) => c.name.startsWith("A "))).to.have.length(4 * 10 + 23);
        expect(d.checks.filter((c) => c.name.startsWith("B "))).to.have.length(4 * 9 + 18); // 2 flows; 18 rows
      }
      expect(y2026.checks.map((c) => c.name)).to.include(
        "A (外购) 一、账面原值: 期末余额 = 期初余额 + 本期增加 - 本期减少",
      );
      expect(y2026.checks.map((c) => c.name)).to.include("B (合计) 期末账面价值 = 账面原值 - 存货跌价准备");
    });

    it("table B: inventory written down, partly reversed, then sold (b)", () => {
      // Bought 500,000 on 02-01, processed in-house for 100,000 on 02-20; written down 150,000 on 06-30, 50,000
      // reversed on 09-30, sold on 11-15 for 700,000 (carrying then 600,000 - 100,000 = 500,000). A second dataset
      // obtained otherwise (80,000) stays in stock.
      const sold = open(2, "Inventory", "Purchased", "2024-02-01")
        .cost("2024-02-01", 500_000n)
        .cost("2024-02-20", 100_000n, "SelfDeveloped")
        .impair("2024-06-30", 150_000n)
        .reverse("2024-09-30", 50_000n)
        .derecognise("2024-11-15", "Sale", 700_000n);
      const kept = open(3, "Inventory", "Other", "2024-03-01").cost("2024-03-01", 80_000n, "Other");
      const { rows, entries } = ledger(sold, kept);

      expect(balanceSheet(rows, entries, "2024-06-30")[0]).to.include({ inventory: 450_000n + 80_000n });
      expect(balanceSheet(rows, entries, "2024-09-30")[0]).to.include({ inventory: 500_000n + 80_000n });
      const after = balanceSheet(rows, entries, "2024-11-15")[0];
      expect(after).to.include({ inventory: 80_000n, intangible: 0n, development: 0n });
      expect(after.rows.map((r) => r.bookId)).to.deep.equal([3]);
      expect(sold.at("2024-11-15").derecognition).to.include({
        cost: 600_000n,
        impairment: 100_000n,
        carrying: 500_000n,
        proceeds: 700_000n,
      });

      const [year] = disclosure(rows, entries, "2024-01-01", "2024-12-31");
      expect(column(year.inventory, "purchased")).to.deep.equal({
        "cost.additions": 600_000n,
        "cost.additions.purchased": 500_000n,
        "cost.additions.processing": 100_000n, // 采集加工
        "cost.decreases": 600_000n,
        "cost.decreases.sale": 600_000n, // 出售
        "writeDown.additions": 150_000n,
        "writeDown.decreases": 150_000n,
        "writeDown.decreases.reversal": 50_000n, // 转回
        "writeDown.decreases.writtenOff": 100_000n, // 转销 with the sale
      });
      expect(column(year.inventory, "other")).to.deep.equal({
        "cost.additions": 80_000n,
        "cost.additions.other": 80_000n,
        "cost.closing": 80_000n,
        "carrying.closing": 80_000n,
      });
      expect(amounts(year.inventory, "cost.additions")).to.deep.equal({
        purchased: 600_000n,
        selfDeveloped: 0n,
        other: 80_000n,
        total: 680_000n,
      });
      expect(column(year.intangible, "total")).to.deep.equal({});
      expectAllChecksOk(year);

      // Second half: opening as of 06-30 (600,000 cost, 150,000 written down).
      const [h2] = disclosure(rows, entries, "2024-07-01", "2024-12-31");
      expect(column(h2.inventory, "purchased")).to.deep.equal({
        "cost.opening": 600_000n,
        "cost.decreases": 600_000n,
        "cost.decreases.sale": 600_000n,
        "writeDown.opening": 150_000n,
        "writeDown.decreases": 150_000n,
        "writeDown.decreases.reversal": 50_000n,
        "writeDown.decreases.writtenOff": 100_000n,
        "carrying.opening": 450_000n,
      });
      expectAllChecksOk(h2);
      expect(year.inventory.columns).to.deep.equal({
        purchased: "外购",
        selfDeveloped: "自行加工",
        other: "其他方式",
        total: "合计",
      });
      expect(year.inventory.rows.map((r) => `${r.section} ${r.label}`)).to.deep.equal([
        "一、账面原值 期初余额",
        "一、账面原值 本期增加",
        "一、账面原值 其中：购入",
        "一、账面原值 采集加工",
        "一、账面原值 其他增加",
        "一、账面原值 本期减少",
        "一、账面原值 其中：出售",
        "一、账面原值 失效且终止确认",
        "一、账面原值 其他减少",
        "一、账面原值 期末余额",
        "二、存货跌价准备 期初余额",
        "二、存货跌价准备 本期增加",
        "二、存货跌价准备 本期减少",
        "二、存货跌价准备 其中：转回",
        "二、存货跌价准备 转销",
        "二、存货跌价准备 期末余额",
        "三、账面价值 期末账面价值",
        "三、账面价值 期初账面价值",
      ]);
    });

    it("a lapse and another derecognition go to their own rows", () => {
      // 1,200,000 over 12 months from January 2024 = 100,000 a month. Lapses 2024-04-02: Jan..Mar = 300,000 removed.
      const lapsed = open(1, "Intangible", "Other", "2024-01-05", { life: 12 })
        .cost("2024-01-05", 1_200_000n, "Other")
        .derecognise("2024-04-02", "Lapse", 0n);
      const other = open(2, "Inventory", "SelfDeveloped", "2024-01-05")
        .cost("2024-01-05", 40_000n, "SelfDeveloped")
        .derecognise("2024-02-01", "Other", 0n);
      const { rows, entries } = ledger(lapsed, other);
      const [d] = disclosure(rows, entries, "2024-01-01", "2024-12-31");
      expect(column(d.intangible, "other")).to.deep.equal({
        "cost.additions": 1_200_000n,
        "cost.additions.other": 1_200_000n,
        "cost.decreases": 1_200_000n,
        "cost.decreases.lapse": 1_200_000n,
        "amortisation.additions": 300_000n,
        "amortisation.decreases": 300_000n,
        "amortisation.decreases.lapse": 300_000n,
      });
      expect(column(d.inventory, "selfDeveloped")).to.deep.equal({
        "cost.additions": 40_000n,
        "cost.additions.processing": 40_000n,
        "cost.decreases": 40_000n,
        "cost.decreases.other": 40_000n,
      });
      expectAllChecksOk(d);
    });

    it("checks flag an impairment the carrying amount cannot bear", () => {
      // The contract bounds impairment by cost - impairment (it cannot know amortisation): 1,200,000 over 12 months,
      // 500,000 amortised by May, then 1,000,000 impaired on 06-10: carrying 1,200,000 - 500,000 - 1,000,000 =
      // -300,000. Nothing is left to amortise, so June and later months are not charged: it stays -300,000.
      const b = open(1, "Intangible", "Purchased", "2024-01-05", { life: 12 })
        .cost("2024-01-05", 1_200_000n)
        .impair("2024-06-10", 1_000_000n);
      const { rows, entries } = ledger(b);
      const [d] = disclosure(rows, entries, "2024-01-01", "2024-12-31");
      const failed = d.checks.filter((c) => !c.ok);
      expect(failed.map((c) => c.name)).to.deep.equal(["A (外购) 期末账面价值 >= 0", "A (合计) 期末账面价值 >= 0"]);
      expect(failed[0]).to.include({ expected: 0n, actual: -300_000n });
    });

    it("never sums books of different currencies", () => {
      const yuan = open(1, "Intangible", "Purchased", "2024-01-05", { life: 0, currency: CNY }).cost(
        "2024-01-05",
        1_000n,
      );
      const dollar = open(2, "Intangible", "Purchased", "2024-01-05", { life: 0, currency: USD }).cost(
        "2024-01-05",
        7_000n,
      );
      const { rows, entries } = ledger(dollar, yuan);
      expect(balanceSheet(rows, entries, "2024-12-31").map((s) => [s.currency, s.intangible])).to.deep.equal([
        [CNY, 1_000n],
        [USD, 7_000n],
      ]);
      const tables = disclosure(rows, entries, "2024-01-01", "2024-12-31");
      expect(tables.map((d) => [d.currency, amounts(d.intangible, "cost.closing").total])).to.deep.equal([
        [CNY, 1_000n],
        [USD, 7_000n],
      ]);
    });

    it("serialises every amount to an exact decimal string, beyond 2^53 too", () => {
      const huge = 2n ** 100n + 1n; // 1267650600228229401496703205377
      const b = open(1, "Inventory", "Purchased", "2024-01-05").cost("2024-01-05", huge);
      const { rows, entries } = ledger(b);
      const out = serialise(disclosure(rows, entries, "2024-01-01", "2024-12-31"));
      const closing = out[0].inventory.rows.find((r) => r.key === "cost.closing")!;
      expect(closing.amounts).to.deep.equal({
        purchased: "1267650600228229401496703205377",
        selfDeveloped: "0",
        other: "0",
        total: "1267650600228229401496703205377",
      });
      expect(out[0].checks[0].ok).to.equal(true);
      expect(JSON.parse(JSON.stringify(out))).to.deep.equal(out); // no bigint left: JSON.stringify would throw
      expect(serialise(balanceSheet(rows, entries, "2024-12-31"))[0].inventory).to.equal(
        "1267650600228229401496703205377",
      );
    });
  });

  // ---------------------------------------------------------------- property (h)

  describe("an intangible bought on one date and ready for use on another (issue 16, item 10)", () => {
    // Bought for 24,000.00 = 2,400,000 fen on 2026-01-15, opened awaiting use; cleaned and integrated for 120,000
    // (other source) on 2026-02-20; ready for use on 2026-03-10 with 24 months. First base = 2,520,000 (the costs up
    // to the ready day) over 24 months = 105,000 a month from March 2026, the ready month.
    const boughtThenReady = () => {
      const b = open(1, "Intangible", "Purchased", "2026-01-15").cost("2026-01-15", 2_400_000n).cost("2026-02-20", 120_000n, "Other");
      b.row.awaiting_use = 1;
      return b.ready("2026-03-10", 24);
    };

    it("is on the balance sheet at cost from the purchase, unamortised until the ready month", () => {
      const b = boughtThenReady();
      expect(b.at("2026-01-14")).to.include({ recognised: false, carrying: 0n });
      for (const asOf of ["2026-01-15", "2026-01-31", "2026-02-28"]) {
        const p = b.at(asOf);
        expect(p, asOf).to.include({ category: "Intangible", source: "Purchased", recognised: true, amortisation: 0n, monthsAmortised: 0, monthlyCharge: 0n });
        expect(p.basis, asOf).to.equal(null);
      }
      expect(b.at("2026-01-31")).to.include({ cost: 2_400_000n, carrying: 2_400_000n });
      expect(b.at("2026-02-28")).to.include({ cost: 2_520_000n, carrying: 2_520_000n });
      // The ready day: March's charge is 105,000 on the first base.
      const ready = b.at("2026-03-10");
      expect(ready).to.include({ category: "Intangible", source: "Purchased", cost: 2_520_000n, monthlyCharge: 105_000n });
      expect(ready.basis).to.deep.equal({ from: "2026-03", base: 2_520_000n, months: 24 });
      expect(b.at("2026-03-31")).to.include({ amortisation: 105_000n, carrying: 2_415_000n, monthsAmortised: 1 });
      // Mar..Dec 2026 = 10 months = 1,050,000; carrying 1,470,000.
      expect(b.at("2026-12-31")).to.include({ amortisation: 1_050_000n, carrying: 1_470_000n, monthsAmortised: 10 });
      // The last month of the life is February 2028: fully amortised.
      expect(b.at("2028-02-29")).to.include({ amortisation: 2_520_000n, carrying: 0n, monthsAmortised: 24 });
    });

    it("the same rows without awaiting_use would be ready (and amortised) from the recognition date", () => {
      const b = boughtThenReady();
      delete b.row.awaiting_use;
      expect(() => b.at("2026-03-31")).to.throw(/entry 3: ReadyForUse on a Intangible book/);
      const plain = open(1, "Intangible", "Purchased", "2026-01-15", { life: 24 }).cost("2026-01-15", 2_400_000n);
      expect(plain.at("2026-01-31")).to.include({ amortisation: 100_000n }); // 2,400,000 / 24 from January
    });

    it("balance sheet: the 无形资产 line before it is ready, not 开发支出", () => {
      const { rows, entries } = ledger(boughtThenReady());
      const [feb] = balanceSheet(rows, entries, "2026-02-28");
      expect([feb.intangible, feb.development, feb.inventory]).to.deep.equal([2_520_000n, 0n, 0n]);
      expect(feb.rows).to.deep.equal([
        { bookId: 1, assetId: 101, category: "Intangible", source: "Purchased", cost: 2_520_000n, amortisation: 0n, impairment: 0n, carrying: 2_520_000n },
      ]);
      const [dec] = balanceSheet(rows, entries, "2026-12-31");
      expect(dec.intangible).to.equal(1_470_000n);
    });

    it("table A: 购入 and 其他增加 in the 外购 column, nothing into 内部研发; amortisation from the ready month", () => {
      const { rows, entries } = ledger(boughtThenReady());
      const [q1] = disclosure(rows, entries, "2026-01-01", "2026-02-28");
      expectAllChecksOk(q1);
      expect(column(q1.intangible, "total")).to.deep.equal({
        "cost.additions": 2_520_000n,
        "cost.additions.purchased": 2_400_000n,
        "cost.additions.other": 120_000n,
        "cost.closing": 2_520_000n,
        "carrying.closing": 2_520_000n,
      });
      const [y2026] = disclosure(rows, entries, "2026-01-01", "2026-12-31");
      expectAllChecksOk(y2026);
      const expected = {
        "cost.additions": 2_520_000n,
        "cost.additions.purchased": 2_400_000n,
        "cost.additions.other": 120_000n,
        "cost.closing": 2_520_000n,
        "amortisation.additions": 1_050_000n, // Mar..Dec
        "amortisation.closing": 1_050_000n,
        "carrying.closing": 1_470_000n,
      };
      expect(column(y2026.intangible, "purchased")).to.deep.equal(expected);
      expect(column(y2026.intangible, "total")).to.deep.equal(expected);
      expect(column(y2026.intangible, "selfDeveloped")).to.deep.equal({});
      expect(column(y2026.intangible, "other")).to.deep.equal({});
      // The ready date moves nothing: a period from the ready month on has no cost additions.
      const [fromMarch] = disclosure(rows, entries, "2026-03-01", "2026-03-31");
      expectAllChecksOk(fromMarch);
      expect(column(fromMarch.intangible, "purchased")).to.deep.equal({
        "cost.opening": 2_520_000n,
        "cost.closing": 2_520_000n,
        "amortisation.additions": 105_000n,
        "amortisation.closing": 105_000n,
        "carrying.opening": 2_520_000n,
        "carrying.closing": 2_415_000n,
      });
    });

    it("an impairment before the ready day lowers the first base", () => {
      // 2,520,000 - 120,000 impaired on 2026-03-01 = 2,400,000 over 24 months = 100,000 a month.
      const b = open(1, "Intangible", "Other", "2026-01-15").cost("2026-01-15", 2_520_000n, "Other").impair("2026-03-01", 120_000n);
      b.row.awaiting_use = 1;
      b.ready("2026-03-10", 24);
      expect(b.at("2026-03-31")).to.include({ amortisation: 100_000n, impairment: 120_000n, carrying: 2_300_000n });
    });

    it("an index that breaks the ledger's rules is refused: a second ReadyForUse, awaiting_use on another category", () => {
      const twice = boughtThenReady().ready("2026-04-01", 12);
      expect(() => twice.at("2026-04-30")).to.throw(/entry 4: ReadyForUse on a Intangible book/);
      const inventory = open(1, "Inventory", "Purchased", "2026-01-15");
      inventory.row.awaiting_use = 1;
      expect(() => inventory.at("2026-01-31")).to.throw(/a Inventory book awaiting use/);
    });
  });

  describe("property: random valid books", () => {
    const DAY = 86_400;
    const START = at("2024-01-01T00:00:00");
    const day = (t: number) => formatDate(dateOf(t));

    const stepArb = fc.record({
      gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 6 * 3600 }), fc.integer({ min: 0, max: 120 * DAY })),
      pick: fc.nat(),
      amount: fc.bigInt({ min: 1n, max: 5_000_000n }),
      per1000: fc.integer({ min: 0, max: 1000 }),
      source: fc.constantFrom("Purchased", "SelfDeveloped", "Other"),
      research: fc.boolean(),
      life: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
      reason: fc.constantFrom("Sale", "Lapse", "Other"),
    });
    const bookArb = fc.record({
      category: fc.constantFrom("Intangible", "Inventory", "Development"),
      source: fc.constantFrom("Purchased", "SelfDeveloped", "Other"),
      awaiting: fc.boolean(), // an intangible recognised awaiting use (ready at a ReadyForUse entry)
      life: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
      residual: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 300_000n })),
      currency: fc.constantFrom(CNY, USD),
      start: fc.integer({ min: 0, max: 400 * DAY }),
      steps: fc.array(stepArb, { maxLength: 12 }),
    });
    type BookSpec = typeof bookArb extends fc.Arbitrary<infer T> ? T : never;

    /** Interprets random steps as a valid entry sequence: chronological, positive costs, bounded impairments. */
    function build(id: number, spec: BookSpec) {
      const opened = START + spec.start;
      const row: BookRow = {
        id,
        asset_id: id,
        initial_category: spec.category,
        source: spec.source,
        useful_life_months: spec.category === "Intangible" && !spec.awaiting ? spec.life : 0,
        residual_value: String(spec.residual),
        currency: spec.currency,
        recognised_on: opened,
        awaiting_use: spec.category === "Intangible" && spec.awaiting ? 1 : 0,
      };
      let awaiting = row.awaiting_use === 1;
      const entries: EntryRow[] = [{ book_id: id, seq: 0, kind: "Opened", date: opened, source: spec.source }];
      const push = (e: Omit<EntryRow, "book_id" | "seq">) => entries.push({ book_id: id, seq: entries.length, ...e });
      let category = spec.category;
      let t = opened;
      for (const s of spec.steps) {
        t += s.gap;
        const now = positionOf(row, entries, day(t));
        const kinds = ["Cost", "Cost", "Impairment", "Derecognised"];
        if (category === "Development" || awaiting) kinds.push("ReadyForUse", "ReadyForUse");
        if (category === "Inventory") kinds.push("WriteDownReversal", "WriteDownReversal");
        const kind = kinds[s.pick % kinds.length];
        if (kind === "Cost") {
          const phase = category !== "Development" ? "None" : s.research ? "Research" : "Development";
          push({ kind, date: t, amount: String(s.amount), source: s.source, phase });
        } else if (kind === "ReadyForUse") {
          push({ kind, date: t, useful_life_months: s.life });
          category = "Intangible";
          awaiting = false;
        } else if (kind === "Impairment" || kind === "WriteDownReversal") {
          const bound = kind === "Impairment" ? now.carrying : now.impairment;
          const amount = (bound * BigInt(s.per1000)) / 1000n;
          if (amount > 0n) push({ kind, date: t, amount: String(amount) });
        } else {
          push({ kind, date: t, reason: s.reason, proceeds: String(s.amount) });
          break;
        }
      }
      return { row, entries };
    }

    it("every disclosure identity holds for random periods; carrying amounts are never negative", () => {
      const periodArb = fc.record({ from: fc.integer({ min: 0, max: 1200 }), days: fc.integer({ min: 0, max: 500 }) });
      fc.assert(
        fc.property(
          fc.array(bookArb, { minLength: 1, maxLength: 6 }),
          fc.array(periodArb, { minLength: 1, maxLength: 4 }),
          (specs, periods) => {
            const built = specs.map((s, i) => build(i + 1, s));
            const rows = built.map((b) => b.row);
            const entries = new Map(built.map((b) => [b.row.id, b.entries]));
            for (const p of periods) {
              const from = day(START + p.from * DAY);
              const to = day(START + (p.from + p.days) * DAY);
              const before = day(START + (p.from - 1) * DAY);
              const tables = disclosure(rows, entries, from, to);
              const closing = balanceSheet(rows, entries, to);
              const opening = balanceSheet(rows, entries, before);
              tables.forEach((d, i) => {
                expectAllChecksOk(d);
                // A period's movements are never negative (a derecognition never takes back a charge).
                for (const r of [...d.intangible.rows, ...d.inventory.rows]) {
                  if (!/\.(additions|decreases)/.test(r.key)) continue;
                  for (const [col, v] of Object.entries(r.amounts)) {
                    expect(v >= 0n, `${from}..${to} ${r.key} ${col} = ${v}`).to.equal(true);
                  }
                }
                // R&D spending: the costs dated in the period on books then in development, by phase.
                const rd = { expensed: 0n, capitalised: 0n, total: 0n };
                const [t0, t1] = [endOfDay(from) - DAY, endOfDay(to)];
                for (const b of built.filter((x) => x.row.currency === d.currency)) {
                  let developing = b.row.initial_category === "Development";
                  for (const e of b.entries) {
                    if (e.kind === "ReadyForUse") developing = false;
                    if (e.kind !== "Cost" || !developing || e.date <= t0 || e.date > t1) continue;
                    rd[e.phase === "Research" ? "expensed" : "capitalised"] += BigInt(e.amount!);
                    rd.total += BigInt(e.amount!);
                  }
                }
                expect(d.researchAndDevelopment, `${from}..${to} R&D`).to.deep.equal(rd);
                expect(amounts(d.intangible, "carrying.closing").total).to.equal(closing[i].intangible);
                expect(amounts(d.inventory, "carrying.closing").total).to.equal(closing[i].inventory);
                expect(amounts(d.intangible, "carrying.opening").total).to.equal(opening[i].intangible);
                expect(amounts(d.inventory, "carrying.opening").total).to.equal(opening[i].inventory);
              });
              for (const sheet of [...closing, ...opening]) {
                expect(sheet.development >= 0n && sheet.inventory >= 0n && sheet.intangible >= 0n).to.equal(true);
              }
              for (const b of built) {
                const p0 = positionOf(b.row, b.entries, to);
                expect(p0.carrying >= 0n, `book ${b.row.id} carrying ${p0.carrying} as of ${to}`).to.equal(true);
                // Without impairment, amortisation never goes below the residual value.
                const residual = BigInt(b.row.residual_value);
                if (p0.category === "Intangible" && p0.impairment === 0n) {
                  expect(p0.carrying >= (residual < p0.cost ? residual : p0.cost)).to.equal(true);
                }
                // Charges are booked on months' last days: within a month accumulated amortisation stays what it was
                // at the previous month's end, and on the last day it grows by the month's charge.
                const t = endOfDay(to);
                const previousMonthEnd = day(monthStart(monthOf(t)) - 1);
                const pm = positionOf(b.row, b.entries, previousMonthEnd);
                if (!p0.derecognised && pm.recognised) {
                  const lastDay = dateOf(t + 1).day === 1;
                  expect(p0.amortisation - pm.amortisation, `book ${b.row.id} ${previousMonthEnd}..${to}`).to.equal(
                    lastDay ? p0.monthlyCharge : 0n,
                  );
                }
                // As of a day depends only on the entries dated up to that day.
                const upTo = Date.parse(`${to}T23:59:59+08:00`) / 1000;
                expect(
                  positionOf(
                    b.row,
                    b.entries.filter((e) => e.date <= upTo),
                    to,
                  ),
                ).to.deep.equal(p0);
              }
            }
          },
        ),
        { numRuns: RUNS },
      );
    });
  });
});
