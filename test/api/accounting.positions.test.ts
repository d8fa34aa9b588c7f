// Book positions kept by the indexer (book_positions, indexer/projections/ledger.ts) against the replay of every entry
// (api/accounting.ts): on random valid books, the position row the projection writes after each entry gives, in closed
// form, exactly the position the replay gives as of any date on or after the book's last entry, and a balance sheet
// read from positions (replaying only books with an entry after the date) equals the one replayed from every entry,
// for any date, and so do disclosure tables for any period. Then the same through a real SQLite file: the migration that builds positions for an index written
// before they existed gives the rows the projection writes.
//
// Reproduce a property failure with FC_SEED=<seed> (and FC_PATH=<path>); FC_RUNS overrides the run count.
import { expect } from "chai";
import fc from "fast-check";
import Database from "better-sqlite3";
import {
  balanceSheet,
  balanceSheetOf,
  dateOf,
  disclosure,
  disclosureOf,
  endOfDay,
  finalState,
  formatDate,
  positionAt,
  positionOf,
  stateOfRow,
  type BookRow,
  type EntryRow,
  type PositionRow,
} from "../../api/accounting";
import { positionRow } from "../../indexer/projections/ledger";
import { migrate } from "../../indexer/schema";
import { tempDir } from "../helpers/indexer";

const CNY = "0x00000000000000000000000000000000000000C1";
const USD = "0x00000000000000000000000000000000000000D2";
const ENTITY = "0x00000000000000000000000000000000000000E1";
const RUNS = Number(process.env.FC_RUNS ?? 150);
const DAY = 86_400;
const START = Date.parse("2024-01-01T00:00:00+08:00") / 1000;
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
  awaiting: fc.boolean(),
  life: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 })),
  residual: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 300_000n })),
  currency: fc.constantFrom(CNY, USD),
  start: fc.integer({ min: 0, max: 400 * DAY }),
  steps: fc.array(stepArb, { maxLength: 12 }),
});
type BookSpec = typeof bookArb extends fc.Arbitrary<infer T> ? T : never;
type Book = BookRow & { entity: string; residual_value: string };

/** Random steps as a valid entry sequence (as the contract allows): chronological, bounded impairments. */
function build(id: number, spec: BookSpec): { row: Book; entries: EntryRow[] } {
  const opened = START + spec.start;
  const row: Book = {
    id,
    entity: ENTITY,
    asset_id: 100 + id,
    initial_category: spec.category,
    source: spec.source,
    useful_life_months: spec.category === "Intangible" && !spec.awaiting ? spec.life : 0,
    residual_value: String(spec.residual),
    currency: spec.currency,
    recognised_on: opened,
    awaiting_use: spec.category === "Intangible" && spec.awaiting ? 1 : 0,
  };
  let awaiting = row.awaiting_use === 1;
  const entries: EntryRow[] = [{ book_id: id, seq: 0, kind: "Opened", date: opened, source: spec.source, useful_life_months: row.useful_life_months }];
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

/** The row the projection writes, as the API reads it back (through JSON and SQLite's types: no bigint, no undefined). */
const storedRow = (book: Book, entries: readonly EntryRow[]) => JSON.parse(JSON.stringify(positionRow(book, entries))) as PositionRow;

describe("book positions kept by the indexer (issue 15)", () => {
  it("closed form from the position row = replay of every entry, as of any date on or after the last entry", () => {
    fc.assert(
      fc.property(bookArb, fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 5 }), (spec, offsets) => {
        const { row, entries } = build(1, spec);
        // After each entry, as the projection keeps it.
        for (let k = 1; k <= entries.length; k++) {
          const prefix = entries.slice(0, k);
          const stored = storedRow(row, prefix);
          expect(stored.rules).to.equal(1);
          const last = prefix[prefix.length - 1].date;
          expect(stored.last_entry_date).to.equal(last);
          for (const days of offsets) {
            const asOf = day(last + days * DAY);
            const t = endOfDay(asOf);
            const replayed = positionOf(row, prefix, asOf);
            expect(positionAt(stateOfRow(stored), t), `entries 0..${k - 1} as of ${asOf}`).to.deep.equal(replayed);
            expect(positionAt(finalState(row, prefix).state, t)).to.deep.equal(replayed);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("a balance sheet from positions (replaying only books with an entry after the date) = one replayed from every entry", () => {
    fc.assert(
      fc.property(
        fc.array(bookArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: -30, max: 1500 }), { minLength: 1, maxLength: 6 }),
        (specs, dates) => {
          const built = specs.map((s, i) => build(i + 1, s));
          const rows = built.map((b) => b.row);
          const entries = new Map(built.map((b) => [b.row.id, b.entries]));
          const positions = built.map((b) => storedRow(b.row, b.entries));
          for (const d of dates) {
            const asOf = day(START + d * DAY);
            const t = endOfDay(asOf);
            const expected = balanceSheet(rows, entries, asOf);
            // Only the books the API would read entries for (an entry after the date) are given for replay.
            const replayed = built.filter((b) => positions.find((p) => p.book_id === b.row.id)!.last_entry_date > t);
            const got = balanceSheetOf(
              positions,
              replayed.map((b) => b.row),
              new Map(replayed.map((b) => [b.row.id, b.entries])),
              asOf,
            );
            expect(got, `as of ${asOf}`).to.deep.equal(expected);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("disclosure tables from positions (replaying only books with an entry after the opening) = replayed from every entry", () => {
    fc.assert(
      fc.property(
        fc.array(bookArb, { minLength: 1, maxLength: 8 }),
        fc.array(fc.record({ from: fc.integer({ min: -30, max: 1200 }), days: fc.integer({ min: 0, max: 500 }) }), { minLength: 1, maxLength: 4 }),
        (specs, periods) => {
          const built = specs.map((s, i) => build(i + 1, s));
          const rows = built.map((b) => b.row);
          const entries = new Map(built.map((b) => [b.row.id, b.entries]));
          const positions = built.map((b) => storedRow(b.row, b.entries));
          for (const p of periods) {
            const from = day(START + p.from * DAY);
            const to = day(START + (p.from + p.days) * DAY);
            const t0 = endOfDay(from) - DAY;
            const expected = disclosure(rows, entries, from, to);
            const replayed = built.filter((b) => positions.find((x) => x.book_id === b.row.id)!.last_entry_date > t0);
            const got = disclosureOf(positions, replayed.map((b) => b.row), new Map(replayed.map((b) => [b.row.id, b.entries])), from, to);
            expect(got, `${from}..${to}`).to.deep.equal(expected);
          }
        },
      ),
      { numRuns: Math.ceil(RUNS / 4) } // tables and their checks are long to compare,
    );
  });

  it("a position kept under other rules (or for a book the accounting refused) is not used: that book is replayed", () => {
    const { row, entries } = build(1, {
      category: "Intangible",
      source: "Purchased",
      awaiting: false,
      life: 12,
      residual: 0n,
      currency: CNY,
      start: 0,
      steps: [{ gap: 0, pick: 0, amount: 1200n, per1000: 0, source: "Purchased", research: false, life: 0, reason: "Sale" }],
    });
    const stale = { ...storedRow(row, entries), rules: 0, cost: "999999" };
    const asOf = "2024-12-31";
    expect(balanceSheetOf([stale], [row], new Map([[1, entries]]), asOf)).to.deep.equal(balanceSheet([row], new Map([[1, entries]]), asOf));
    expect(balanceSheet([row], new Map([[1, entries]]), asOf)[0].intangible).to.equal(0n); // 12 months of 100 charged
  });

  it("migration 6 builds the positions of an index written before them, as the projection would have", () => {
    const tmp = tempDir();
    try {
      const db = new Database(`${tmp.dir}/old.sqlite`);
      // An index at schema 5 (before positions) with books and entries, as the earlier indexer wrote them.
      migrate(db, 5);
      const samples = fc.sample(bookArb, { numRuns: 20, seed: 15 }).map((s, i) => build(i + 1, s));
      const insertBook = db.prepare(
        `INSERT INTO books (id, entity, asset_id, category, initial_category, source, useful_life_months, residual_value, currency,
          recognised_on, cost, impairment, entry_count, awaiting_use) VALUES (?,?,?,?,?,?,?,?,?,?,'0','0',?,?)`,
      );
      const insertEntry = db.prepare(
        `INSERT INTO book_entries (book_id, seq, kind, date, amount, source, phase, useful_life_months, reason, proceeds, evidence_hash,
          recorded_by, block_number, tx_hash, log_index) VALUES (?,?,?,?,?,?,?,?,?,?,'0x','0x',?,'0x',?)`,
      );
      samples.forEach(({ row, entries }, i) => {
        insertBook.run(row.id, row.entity, row.asset_id, row.initial_category, row.initial_category, row.source, row.useful_life_months,
          row.residual_value, row.currency, row.recognised_on, entries.length, row.awaiting_use);
        for (const e of entries) {
          insertEntry.run(e.book_id, e.seq, e.kind, e.date, e.amount ?? null, e.source ?? null, e.phase ?? null, e.useful_life_months ?? null,
            e.reason ?? null, e.proceeds ?? null, 10 + i, e.seq);
        }
      });
      migrate(db);
      expect(db.pragma("user_version", { simple: true })).to.be.at.least(6);
      const kept = db.prepare("SELECT * FROM book_positions ORDER BY book_id").all();
      expect(kept).to.deep.equal(
        samples.map(({ row, entries }) => {
          const r = positionRow(row, entries);
          return Object.fromEntries(Object.keys(kept[0] as object).map((k) => [k, r[k] ?? null]));
        }),
      );
      db.close();
    } finally {
      tmp.remove();
    }
  });
});
