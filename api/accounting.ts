// Accounting figures for data resources under 财会〔2023〕11号 (DOMAIN.md section 5), computed from the indexed
// `books` and `book_entries` rows (indexer/projections/ledger.ts): a book's position as of a date, the balance-sheet
// lines, and disclosure tables A (intangible) and B (inventory). Pure and deterministic: rows in, figures out; no
// I/O, no clock, no floating point.
//
// Conventions, quoted by the API documentation:
// - Amounts are bigint integer minor units of the book's currency (a token address); `serialise` turns them into
//   exact decimal strings. Books in different currencies are never summed together.
// - Dates are calendar days in UTC+8 (China Standard Time). "As of D" is the end of day D: every entry dated up to
//   23:59:59 of D (UTC+8) counts, no later one does, so entries dated after D never change a figure as of D.
// - Months are UTC+8 calendar months. Amortisation is straight-line by month from the month the asset is ready for
//   use (当月增加当月摊销) and stops in the month it is derecognised, which is not amortised (当月减少当月不再摊销).
//   Each month's charge is booked on the month's last day (at its end, UTC+8), as the month-end voucher is: as of D
//   the months charged are those that ended on or before D (from the ready month, up to the month before
//   derecognition). So an asset ready on 03-10 has no charge as of 03-15 and March's as of 03-31; one derecognised on
//   09-12 carries Jan..Aug as of 09-11 and never a September charge. A balance as of D never holds a charge that a
//   later derecognition takes back, so a period's 累计摊销 本期增加 is never negative.
// - Within a segment of the schedule, accumulated amortisation after m months is floor(base x m / months): the
//   total never drifts and the segment's last month takes the remainder. The first segment's base is the cost less
//   impairment less residual value as of the end of the ready day, spread over the whole useful life.
// - Re-basing: a capitalised cost or an impairment dated after the ready day applies from the month AFTER its
//   entry's month (the entry month's charge keeps the old base; CAS 8 adjusts amortisation "in future periods").
//   The new segment's base is the carrying amount at the end of the entry month less residual value, spread over the
//   months left of the useful life. So the acquisition cost belongs on the ready (recognition) day: recorded a day
//   later, it is amortised from the next month over the months left. A cost after the life's last month is never
//   amortised.
// - Amortisation never takes the carrying amount below the residual value (a base is never negative): an
//   impairment during a month is recorded before that month's charge is booked (at the month's end, at the old
//   base), so the charge of an impairment's month is at most what then remains above the residual value (none if
//   nothing does). An indefinite life (0 months) is never amortised; inventory and development expenditure never are.
// - Impairment of intangible assets and development expenditure is never reversed; an inventory write-down is
//   reduced by WriteDownReversal entries. A Development book's impairment moves with it at ReadyForUse.
// - An intangible book is ready for use on its recognition date, unless it was opened awaiting use
//   (`awaiting_use`, AssetLedger.recogniseAwaitingUse: e.g. bought, then cleaned and integrated): then it is on the
//   balance sheet at cost from recognition, unamortised, and amortised from the month of its ReadyForUse entry over
//   that entry's useful life, with the costs recorded up to the ready day in the first base. Its source (the
//   disclosure column and 购入 / 其他增加) never changes: ReadyForUse moves nothing into 内部研发.
import {
  Category as CATEGORIES,
  CostPhase as PHASES,
  CostSource as SOURCES,
  DerecognitionReason as REASONS,
} from "../indexer/enums";

/** Balance-sheet category of a book: Development becomes Intangible at its ReadyForUse entry. */
export type Category = (typeof CATEGORIES)[number];
/** How the data resource was obtained (the disclosure column): 外购 | 自行开发 / 自行加工 | 其他方式. */
export type Source = (typeof SOURCES)[number];
/** Why a book was derecognised: Sale (处置 / 出售), Lapse (失效且终止确认) or Other (其他减少). */
export type Reason = (typeof REASONS)[number];

const KINDS = ["Opened", "Cost", "ReadyForUse", "Impairment", "WriteDownReversal", "Derecognised"] as const;

// ---------------------------------------------------------------- dates (UTC+8)

/** Offset of China Standard Time from UTC, in seconds; all calendar days and months here are in UTC+8. */
export const CST_OFFSET = 8 * 60 * 60;
const DAY = 24 * 60 * 60;

/** A calendar day (month 1-12, day 1-31). */
export interface CalendarDate {
  year: number;
  month: number;
  day: number;
}

/**
 * Parses `YYYY-MM-DD` strictly: exactly that shape, a real day of the Gregorian calendar, year 1970 or later.
 * Throws an Error naming the offending text otherwise.
 */
export function parseDate(text: string): CalendarDate {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new Error(`malformed date ${JSON.stringify(text)}: expected YYYY-MM-DD`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.UTC maps years 0-99 to 1900-1999; the ledger's dates are unix times anyway.
  if (year < 1970) throw new Error(`date ${text} is before 1970-01-01`);
  if (month < 1 || month > 12) throw new Error(`impossible date ${text}: no month ${month}`);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > days) throw new Error(`impossible date ${text}: ${year}-${m[2]} has ${days} days`);
  return { year, month, day };
}

/** `YYYY-MM-DD` of a calendar day. */
export function formatDate(d: CalendarDate): string {
  return `${String(d.year).padStart(4, "0")}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/** The last second (unix time) of day `date` (`YYYY-MM-DD`, parsed strictly) in UTC+8: what "as of" that day means. */
export function endOfDay(date: string): number {
  const d = parseDate(date);
  return Date.UTC(d.year, d.month - 1, d.day + 1) / 1000 - CST_OFFSET - 1;
}

/** The last second of the UTC+8 day containing unix time `t`. */
function dayEndAt(t: number): number {
  const sinceMidnight = (((t + CST_OFFSET) % DAY) + DAY) % DAY;
  return t - sinceMidnight + DAY - 1;
}

/** The UTC+8 calendar day containing unix time `t`. */
export function dateOf(t: number): CalendarDate {
  const d = new Date((t + CST_OFFSET) * 1000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The last time monthOf was asked for, and its month: a balance sheet asks it for the same time once per book. */
let monthOfLast = { t: NaN, month: 0 };

/** The UTC+8 calendar month containing unix time `t`, as a month number (year x 12 + month - 1) for arithmetic. */
export function monthOf(t: number): number {
  if (t === monthOfLast.t) return monthOfLast.month;
  const d = dateOf(t);
  const month = d.year * 12 + d.month - 1;
  monthOfLast = { t, month };
  return month;
}

/**
 * The last month (number, see monthOf) that has ended by unix time `t`: each month's amortisation charge is booked at
 * the end of its last day (UTC+8), so as of `t` the months charged are those up to this one. At the end of a month's
 * last day it is that month; on any earlier day of a month, the month before.
 */
export function lastMonthEndedBy(t: number): number {
  const month = monthOf(t); // not monthOf(t + 1) - 1: monthOf keeps one answer, and callers ask it for t as well
  return t + 1 >= monthStart(month + 1) ? month : month - 1;
}

/** Unix time of 00:00 UTC+8 on the first day of month number `month` (see monthOf). */
export function monthStart(month: number): number {
  return Date.UTC(Math.floor(month / 12), month % 12, 1) / 1000 - CST_OFFSET;
}

/** `YYYY-MM` of month number `month` (see monthOf). */
export function formatMonth(month: number): string {
  return `${String(Math.floor(month / 12)).padStart(4, "0")}-${String((month % 12) + 1).padStart(2, "0")}`;
}

// ---------------------------------------------------------------- rows

/** A `books` row as read from the index (the columns used here; amounts are decimal strings). */
export interface BookRow {
  id: number;
  asset_id: number;
  initial_category: string;
  source: string;
  /** For a book opened as Intangible, its life; a Development book's life comes from its ReadyForUse entry. */
  useful_life_months: number;
  residual_value: string;
  currency: string;
  recognised_on: number;
  /** 1 (or true) for an intangible book opened awaiting use: ready only at its ReadyForUse entry. Absent or 0:
   *  an intangible book is ready on its recognition date. */
  awaiting_use?: number | boolean | null;
}

/** A `book_entries` row as read from the index; the fields a kind does not use are null or absent. */
export interface EntryRow {
  book_id: number;
  seq: number;
  kind: string;
  date: number;
  amount?: string | null;
  source?: string | null;
  phase?: string | null;
  useful_life_months?: number | null;
  reason?: string | null;
  proceeds?: string | null;
}

type Entry = { seq: number; date: number } & (
  | { kind: "Opened" }
  | { kind: "Cost"; amount: bigint; source: Source; capitalised: boolean }
  | { kind: "ReadyForUse"; life: number }
  | { kind: "Impairment" | "WriteDownReversal"; amount: bigint }
  | { kind: "Derecognised"; reason: Reason; proceeds: bigint }
);

interface Book {
  id: number;
  assetId: number;
  currency: string;
  initial: Category;
  source: Source;
  life: number; // of a book opened as Intangible (ready when recognised)
  residual: bigint;
  recognisedOn: number;
  awaitingUse: boolean; // opened as Intangible, ready only at its ReadyForUse entry
  entries: Entry[]; // by seq, validated
}

function oneOf<T extends string>(names: readonly T[], value: unknown, what: string): T {
  if (!names.includes(value as T))
    throw new Error(`${what}: ${JSON.stringify(value)} is not one of ${names.join(", ")}`);
  return value as T;
}

function amountOf(text: unknown, what: string): bigint {
  if (typeof text !== "string" || !/^\d+$/.test(text))
    throw new Error(`${what}: ${JSON.stringify(text)} is not a decimal amount`);
  return BigInt(text);
}

/**
 * Validates a book and its entries against what the contract guarantees (entries chronological from the
 * recognition date, none after derecognition, kinds allowed for the category at the time). A violation means a
 * corrupt index, so it throws rather than report figures from it.
 */
function bookOf(row: BookRow, rows: readonly EntryRow[]): Book {
  const at = `book ${row.id}`;
  const book: Book = {
    id: row.id,
    assetId: row.asset_id,
    currency: row.currency,
    initial: oneOf(CATEGORIES, row.initial_category, `${at} initial_category`),
    source: oneOf(SOURCES, row.source, `${at} source`),
    life: row.useful_life_months,
    residual: amountOf(row.residual_value, `${at} residual_value`),
    recognisedOn: row.recognised_on,
    awaitingUse: Boolean(row.awaiting_use),
    entries: [],
  };
  if (book.awaitingUse && book.initial !== "Intangible") throw new Error(`${at}: a ${book.initial} book awaiting use`);
  let awaiting = book.awaitingUse; // an intangible book not ready yet takes one ReadyForUse, as a development book
  let category = book.initial;
  let last = row.recognised_on;
  let closed = false;
  for (const r of [...rows].sort((x, y) => x.seq - y.seq)) {
    const where = `${at} entry ${r.seq}`;
    if (r.book_id !== row.id) throw new Error(`${where} belongs to book ${r.book_id}`);
    if (closed) throw new Error(`${where} is dated after the book was derecognised`);
    if (!Number.isSafeInteger(r.date) || r.date < last) throw new Error(`${where}: date ${r.date} is before ${last}`);
    last = r.date;
    const kind = oneOf(KINDS, r.kind, `${where} kind`);
    // Object literals, not `{ ...base, kind }`: V8 builds spread-then-extended objects ~50x slower, and a balance
    // sheet of 1,000 books builds ~5,000 entries.
    const { seq, date } = r;
    let entry: Entry;
    switch (kind) {
      case "Opened":
        entry = { seq, date, kind };
        break;
      case "Cost": {
        const phase = oneOf(PHASES, r.phase ?? "None", `${where} phase`);
        if ((phase !== "None") !== (category === "Development"))
          throw new Error(`${where}: phase ${phase} on a ${category} book`);
        const source = oneOf(SOURCES, r.source, `${where} source`);
        entry = {
          seq,
          date,
          kind,
          amount: amountOf(r.amount, `${where} amount`),
          source,
          capitalised: phase !== "Research",
        };
        break;
      }
      case "ReadyForUse":
        if (category !== "Development" && !awaiting) throw new Error(`${where}: ReadyForUse on a ${category} book`);
        awaiting = false;
        if (!Number.isInteger(r.useful_life_months) || r.useful_life_months! < 0) {
          throw new Error(`${where}: useful_life_months ${r.useful_life_months} is not a number of months`);
        }
        entry = { seq, date, kind, life: r.useful_life_months! };
        category = "Intangible";
        break;
      case "Impairment":
        entry = { seq, date, kind, amount: amountOf(r.amount, `${where} amount`) };
        break;
      case "WriteDownReversal":
        if (category !== "Inventory") throw new Error(`${where}: WriteDownReversal on a ${category} book`);
        entry = { seq, date, kind, amount: amountOf(r.amount, `${where} amount`) };
        break;
      case "Derecognised":
        entry = {
          seq,
          date,
          kind,
          reason: oneOf(REASONS, r.reason, `${where} reason`),
          proceeds: amountOf(r.proceeds ?? "0", `${where} proceeds`),
        };
        closed = true;
        break;
    }
    book.entries.push(entry);
  }
  return book;
}

// ---------------------------------------------------------------- amortisation schedule

export interface Segment {
  from: number; // first month number of the segment
  base: bigint; // amount spread over `months`
  months: number;
  before: bigint; // accumulated amortisation before `from`
}

export interface Plan {
  readyOn: number;
  first: number; // ready month
  last: number; // last month of the useful life
  segments: Segment[];
  /** Accumulated amortisation through a month whose charge an impairment in it capped (see planOf). */
  capped: Map<number, bigint>;
}

const nonNegative = (v: bigint) => (v > 0n ? v : 0n);

/** Capitalised cost less impairment of the entries dated up to `until` (intangible and development books). */
function costLessImpairment(entries: readonly Entry[], until: number): bigint {
  let v = 0n;
  for (const e of entries) {
    if (e.date > until) break;
    if (e.kind === "Cost" && e.capitalised) v += e.amount;
    else if (e.kind === "Impairment") v -= e.amount;
  }
  return v;
}

/** Accumulated amortisation through month `month` inclusive, ignoring derecognition. */
function accumulatedThrough(plan: Plan, month: number): bigint {
  if (month < plan.first) return 0n;
  const m = Math.min(month, plan.last);
  const capped = plan.capped.get(m);
  if (capped !== undefined) return capped;
  let seg = plan.segments[0];
  for (const s of plan.segments) if (s.from <= m) seg = s;
  return seg.before + (seg.base * BigInt(m - seg.from + 1)) / BigInt(seg.months);
}

/** The schedule of a finite-life intangible book from the entries known so far (see the re-basing convention). */
function planOf(book: Book, known: readonly Entry[], readyOn: number, life: number): Plan {
  const first = monthOf(readyOn);
  const readyDayEnd = dayEndAt(readyOn);
  const plan: Plan = { readyOn, first, last: first + life - 1, segments: [], capped: new Map() };
  plan.segments.push({
    from: first,
    base: nonNegative(costLessImpairment(known, readyDayEnd) - book.residual),
    months: life,
    before: 0n,
  });
  const rebases: number[] = [];
  for (const e of known) {
    const changes = e.kind === "Impairment" || (e.kind === "Cost" && e.capitalised);
    if (changes && e.date > readyDayEnd && rebases[rebases.length - 1] !== monthOf(e.date) + 1)
      rebases.push(monthOf(e.date) + 1);
  }
  for (const from of rebases) {
    if (from > plan.last + 1) break;
    // The entries' month is charged at the old base at its end, after them: never below the residual value, so
    // after an impairment the charge is at most what remains above it (and never negative).
    const month = from - 1;
    const scheduled = accumulatedThrough(plan, month);
    const previous = accumulatedThrough(plan, month - 1);
    const left = costLessImpairment(known, monthStart(from) - 1) - book.residual;
    const before = scheduled <= left ? scheduled : left > previous ? left : previous;
    if (before !== scheduled) plan.capped.set(month, before);
    if (from > plan.last) break;
    const carrying = costLessImpairment(known, monthStart(from) - 1) - before;
    plan.segments.push({ from, base: nonNegative(carrying - book.residual), months: plan.last - from + 1, before });
  }
  return plan;
}

// ---------------------------------------------------------------- positions

/** The straight-line segment in force: `base` spread over `months` months from month `from` (`YYYY-MM`). */
export interface AmortisationBasis {
  from: string;
  base: bigint;
  months: number;
}

/** What a derecognition removed from the balance sheet (the book's figures just before it), and the proceeds. */
export interface Derecognition {
  /** Unix seconds, as recorded. */
  date: number;
  reason: Reason;
  proceeds: bigint;
  cost: bigint;
  amortisation: bigint;
  impairment: bigint;
  carrying: bigint;
}

/**
 * A book's position at the end of day `asOf` (UTC+8). `category` is the category at that date. On the balance sheet
 * (recognised and not derecognised): `cost` is the capitalised cost (research costs are expensed), `amortisation` the
 * accumulated amortisation, `impairment` the impairment (inventory: write-down net of reversals), `carrying` = cost -
 * amortisation - impairment. Not yet recognised or derecognised: all four are 0 (a derecognised book's last figures
 * are in `derecognition`). `monthsAmortised` counts the months charged so far (those ended by `asOf`);
 * `monthlyCharge` is the charge of the month containing `asOf`, booked at that month's end (so not yet in
 * `amortisation` before its last day), as scheduled from the entries so far; `basis` is the segment in force that
 * month (null when nothing is being amortised).
 */
export interface Position {
  bookId: number;
  assetId: number;
  currency: string;
  source: Source;
  category: Category;
  recognised: boolean;
  derecognised: boolean;
  cost: bigint;
  amortisation: bigint;
  impairment: bigint;
  carrying: bigint;
  monthsAmortised: number;
  monthlyCharge: bigint;
  basis: AmortisationBasis | null;
  derecognition: Derecognition | null;
}

/** A book replayed to a time: its position then, and its amortisation schedule as known then. */
interface Replay {
  position: Position;
  plan: Plan | null;
}

/**
 * What a book's entries up to a time add up to: enough to give its position at that time or at any later time before
 * its next entry, in closed form (positionAt). The indexer keeps this for every book after its last entry
 * (book_positions, indexer/projections/ledger.ts), so a balance sheet as of a date on or after a book's last entry
 * needs no replay of its entries.
 */
export interface BookState {
  bookId: number;
  assetId: number;
  currency: string;
  source: Source;
  recognisedOn: number;
  category: Category;
  /** Capitalised cost (research costs are expensed). */
  cost: bigint;
  /** Impairment (inventory: write-down net of reversals). */
  impairment: bigint;
  readyOn: number | null;
  life: number;
  removed: Omit<Derecognition, "amortisation" | "carrying"> | null;
  /** The amortisation schedule as known from these entries (null when nothing is amortised). */
  plan: Plan | null;
}

/** Folds the entries dated up to `t` into the book's state at `t`. */
function stateOf(book: Book, t: number): BookState {
  const known = book.entries.filter((e) => e.date <= t);
  let category = book.initial;
  let cost = 0n;
  let impairment = 0n;
  const readyWhenRecognised = book.initial === "Intangible" && !book.awaitingUse;
  let readyOn = readyWhenRecognised ? book.recognisedOn : null;
  let life = readyWhenRecognised ? book.life : 0;
  let removed: Omit<Derecognition, "amortisation" | "carrying"> | null = null;
  for (const e of known) {
    if (e.kind === "Cost" && e.capitalised) cost += e.amount;
    else if (e.kind === "Impairment") impairment += e.amount;
    else if (e.kind === "WriteDownReversal") impairment -= e.amount;
    else if (e.kind === "ReadyForUse") [category, readyOn, life] = ["Intangible", e.date, e.life];
    else if (e.kind === "Derecognised")
      removed = { date: e.date, reason: e.reason, proceeds: e.proceeds, cost, impairment };
  }
  const plan = category === "Intangible" && readyOn !== null && life > 0 ? planOf(book, known, readyOn, life) : null;
  const { id: bookId, assetId, currency, source, recognisedOn } = book;
  return { bookId, assetId, currency, source, recognisedOn, category, cost, impairment, readyOn, life, removed, plan };
}

/**
 * The position at time `t` of a book in `state`, which must hold every entry dated up to `t` and none after it
 * (so `t` is on or after the state's last entry): closed form, no loop over entries or months.
 */
export function positionAt(state: BookState, t: number): Position {
  const { plan, removed, cost, impairment } = state;
  const month = monthOf(t);
  const through = monthsChargedThrough(state, t);
  const amortisation = plan ? accumulatedThrough(plan, through) : 0n;
  const monthsAmortised = plan ? Math.max(0, Math.min(through, plan.last) - plan.first + 1) : 0;
  const charging = plan !== null && !removed && month >= plan.first && month <= plan.last;
  let basis: AmortisationBasis | null = null;
  if (charging) {
    let seg = plan.segments[0];
    for (const s of plan.segments) if (s.from <= month) seg = s;
    basis = { from: formatMonth(seg.from), base: seg.base, months: seg.months };
  }
  const onSheet = state.recognisedOn <= t && !removed;
  return {
    bookId: state.bookId,
    assetId: state.assetId,
    currency: state.currency,
    source: state.source,
    category: state.category,
    recognised: state.recognisedOn <= t,
    derecognised: removed !== null,
    cost: onSheet ? cost : 0n,
    amortisation: onSheet ? amortisation : 0n,
    impairment: onSheet ? impairment : 0n,
    carrying: onSheet ? cost - amortisation - impairment : 0n,
    monthsAmortised,
    monthlyCharge: charging ? accumulatedThrough(plan, month) - accumulatedThrough(plan, month - 1) : 0n,
    basis,
    derecognition: removed && { ...removed, amortisation, carrying: removed.cost - amortisation - removed.impairment },
  };
}

/**
 * The last month charged by time `t` to a book in `state`: those ended by t (each is booked at the end of its last
 * day), and never the month of derecognition (which is on or before t, so its month has not ended before it).
 */
function monthsChargedThrough(state: BookState, t: number): number {
  const ended = lastMonthEndedBy(t);
  return state.removed ? Math.min(ended, monthOf(state.removed.date) - 1) : ended;
}

/** Replays the entries dated up to `t` (the end of a day) into the book's position at `t`. */
function replay(book: Book, t: number): Replay {
  const state = stateOf(book, t);
  return { position: positionAt(state, t), plan: state.plan };
}

// ---------------------------------------------------------------- positions kept by the indexer

/**
 * The version of the rules a BookState is computed by (planOf, stateOf). The indexer stores it with each book's
 * position; a position stored under other rules is not used (the API replays that book's entries instead), so a
 * change of the rules here never gives figures from stale positions. Bump it with any change to those rules.
 */
export const POSITION_RULES = 1;

/** A book's state after all its entries, and the date of the last one (a position is closed-form from then on). */
export interface FinalState {
  state: BookState;
  lastDate: number;
}

/** The state of `book` after every one of its entries (validated as positionOf does; throws on a corrupt book). */
export function finalState(row: BookRow, entries: readonly EntryRow[]): FinalState {
  const book = bookOf(row, entries);
  const lastDate = book.entries.length ? book.entries[book.entries.length - 1].date : book.recognisedOn;
  return { state: stateOf(book, Math.max(lastDate, book.recognisedOn)), lastDate: Math.max(lastDate, book.recognisedOn) };
}

/** A plan as JSON text (bigints as decimal strings), for book_positions.schedule; null when nothing is amortised. */
export function planText(plan: Plan | null): string | null {
  if (!plan) return null;
  return JSON.stringify({
    readyOn: plan.readyOn,
    first: plan.first,
    last: plan.last,
    segments: plan.segments.map((s) => [s.from, s.base.toString(), s.months, s.before.toString()]),
    capped: [...plan.capped].map(([m, v]) => [m, v.toString()]),
  });
}

/** The plan planText wrote. */
export function planFromText(text: string | null): Plan | null {
  if (text === null) return null;
  const j = JSON.parse(text) as {
    readyOn: number;
    first: number;
    last: number;
    segments: [number, string, number, string][];
    capped: [number, string][];
  };
  return {
    readyOn: j.readyOn,
    first: j.first,
    last: j.last,
    segments: j.segments.map(([from, base, months, before]) => ({ from, base: BigInt(base), months, before: BigInt(before) })),
    capped: new Map(j.capped.map(([m, v]) => [m, BigInt(v)])),
  };
}

/**
 * A `book_positions` row as read from the index (the columns used here; amounts are decimal strings). Written by
 * the indexer after each of the book's entries from finalState (indexer/projections/ledger.ts).
 */
export interface PositionRow {
  book_id: number;
  asset_id: number;
  currency: string;
  source: string;
  recognised_on: number;
  category: string;
  cost: string;
  impairment: string;
  ready_on: number | null;
  useful_life_months: number;
  derecognised_on: number | null;
  derecognition_reason: string | null;
  proceeds: string | null;
  last_entry_date: number;
  schedule: string | null;
  rules: number;
}

/** BookStates of position rows, made once per row object (the API keeps rows while the index stands still). */
const statesOfRows = new WeakMap<PositionRow, BookState>();

/** The BookState a position row holds (as finalState computed it). Made once per row object: do not mutate it. */
export function stateOfRow(p: PositionRow): BookState {
  let state = statesOfRows.get(p);
  if (!state) statesOfRows.set(p, (state = readStateOfRow(p)));
  return state;
}

function readStateOfRow(p: PositionRow): BookState {
  const at = `book position ${p.book_id}`;
  return {
    bookId: p.book_id,
    assetId: p.asset_id,
    currency: p.currency,
    source: oneOf(SOURCES, p.source, `${at} source`),
    recognisedOn: p.recognised_on,
    category: oneOf(CATEGORIES, p.category, `${at} category`),
    cost: amountOf(p.cost, `${at} cost`),
    impairment: amountOf(p.impairment, `${at} impairment`),
    readyOn: p.ready_on,
    life: p.useful_life_months,
    removed:
      p.derecognised_on === null
        ? null
        : {
            date: p.derecognised_on,
            reason: oneOf(REASONS, p.derecognition_reason, `${at} derecognition_reason`),
            proceeds: amountOf(p.proceeds ?? "0", `${at} proceeds`),
            // Nothing follows a derecognition: what it removed is the book's last cost and impairment.
            cost: amountOf(p.cost, `${at} cost`),
            impairment: amountOf(p.impairment, `${at} impairment`),
          },
    plan: planFromText(p.schedule),
  };
}

/** The position of `book` (with its entries, any order of seq) at the end of day `asOf` (`YYYY-MM-DD`, UTC+8). */
export function positionOf(book: BookRow, entries: readonly EntryRow[], asOf: string): Position {
  return replay(bookOf(book, entries), endOfDay(asOf)).position;
}

/** One month's amortisation charge of a book: month number (see monthOf) and amount (never negative). */
export interface MonthlyCharge {
  month: number;
  charge: bigint;
}

/**
 * The month-end amortisation charges of `book` (its entries in any order of seq) for the months that ended by the end
 * of month number `through`, in month order: from its ready month, within its useful life, never the month of its
 * derecognition or later; months whose charge is 0 are left out. Each charge is accumulated after the month less
 * accumulated after the month before (the positions' floor formula, re-basing and caps), so the charges up to a month
 * sum exactly to the accumulated amortisation as of its last day (api/journal.ts books one voucher line per charge).
 */
export function monthlyCharges(book: BookRow, entries: readonly EntryRow[], through: number): MonthlyCharge[] {
  const { plan, position } = replay(bookOf(book, entries), monthStart(through + 1) - 1);
  if (!plan) return [];
  const gone = position.derecognition;
  const last = Math.min(through, plan.last, gone ? monthOf(gone.date) - 1 : Infinity);
  const charges: MonthlyCharge[] = [];
  let before = 0n;
  for (let month = plan.first; month <= last; month++) {
    const after = accumulatedThrough(plan, month);
    if (after !== before) charges.push({ month, charge: after - before });
    before = after;
  }
  return charges;
}

// ---------------------------------------------------------------- balance sheet

/** One data asset on the balance sheet; amounts as in Position (development: capitalised cost and impairment). */
export interface BalanceSheetRow {
  bookId: number;
  assetId: number;
  category: Category;
  source: Source;
  cost: bigint;
  amortisation: bigint;
  impairment: bigint;
  carrying: bigint;
}

/**
 * The "其中：数据资源" lines of one currency at the end of day `asOf`: `inventory` (存货: cost - write-down),
 * `intangible` (无形资产: cost - amortisation - impairment), `development` (开发支出: capitalised development cost -
 * impairment), and the books behind them by book id. Books derecognised by then, or not yet recognised, are absent.
 */
export interface BalanceSheet {
  currency: string;
  asOf: string;
  inventory: bigint;
  intangible: bigint;
  development: bigint;
  rows: BalanceSheetRow[];
}

function byCurrency<B extends { id: number; currency: string }>(books: readonly B[]): [string, B[]][] {
  const groups = new Map<string, B[]>();
  let sorted = true; // books usually come by id (positions are read so): no copy and sort then
  for (let i = 1; sorted && i < books.length; i++) sorted = books[i - 1].id < books[i].id;
  for (const b of sorted ? books : [...books].sort((x, y) => x.id - y.id)) {
    if (!groups.has(b.currency)) groups.set(b.currency, []);
    groups.get(b.currency)!.push(b);
  }
  return [...groups].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));
}

/** A book on its way to the balance sheet: its row as of the sheet's date, null when not on it then. */
interface SheetBook {
  id: number;
  currency: string;
  row: BalanceSheetRow | null;
}

/** The balance-sheet row of a book at `p`, its position then; null when not on the balance sheet then. */
function sheetRowOf(p: Position): BalanceSheetRow | null {
  if (!p.recognised || p.derecognised) return null;
  const { bookId, assetId, category, source, cost, amortisation, impairment, carrying } = p;
  return { bookId, assetId, category, source, cost, amortisation, impairment, carrying };
}

/**
 * positionAt's figures as sheetRowOf gives them, without the rest of the position (a balance sheet of 1,000 books
 * computed each of those 1,000 times per request).
 */
function sheetRowAt(state: BookState, t: number): BalanceSheetRow | null {
  if (state.recognisedOn > t || state.removed) return null;
  const { bookId, assetId, category, source, cost, impairment, plan } = state;
  const amortisation = plan ? accumulatedThrough(plan, monthsChargedThrough(state, t)) : 0n;
  return { bookId, assetId, category, source, cost, amortisation, impairment, carrying: cost - amortisation - impairment };
}

function sheetsOf(books: readonly SheetBook[], asOf: string): BalanceSheet[] {
  return byCurrency(books).map(([currency, group]) => {
    const sheet: BalanceSheet = { currency, asOf, inventory: 0n, intangible: 0n, development: 0n, rows: [] };
    for (const b of group) {
      const { row } = b;
      if (!row) continue;
      const line =
        row.category === "Inventory" ? "inventory" : row.category === "Intangible" ? "intangible" : "development";
      sheet[line] += row.carrying;
      sheet.rows.push(row);
    }
    return sheet;
  });
}

/** Balance-sheet lines at the end of day `asOf` (UTC+8), one per currency of `books`, by currency. */
export function balanceSheet(
  books: readonly BookRow[],
  entriesByBook: ReadonlyMap<number, readonly EntryRow[]>,
  asOf: string,
): BalanceSheet[] {
  const t = endOfDay(asOf);
  return sheetsOf(
    books.map((row) => ({
      id: row.id,
      currency: row.currency,
      row: sheetRowOf(replay(bookOf(row, entriesByBook.get(row.id) ?? []), t).position),
    })),
    asOf,
  );
}

/** Whether a kept position gives a book's figures as of the end of day `asOf` in closed form (see balanceSheetOf). */
export function positionServes(p: PositionRow, t: number): boolean {
  return p.rules === POSITION_RULES && p.last_entry_date <= t;
}

/**
 * Every book once, in the positions' order (by book id, as the API reads them: no sort per request): `kept` of its
 * position where that serves at `t`, else `replayed` of its row in `books` (skipped if absent); then the books of
 * `books` that have no position.
 */
function eachBook<T>(positions: readonly PositionRow[], books: readonly BookRow[], t: number, kept: (p: PositionRow) => T, replayed: (row: BookRow) => T): T[] {
  const toReplay = new Map(books.map((row) => [row.id, row]));
  const items: T[] = [];
  for (const p of positions) {
    const row = toReplay.get(p.book_id);
    toReplay.delete(p.book_id);
    if (positionServes(p, t)) items.push(kept(p));
    else if (row) items.push(replayed(row));
  }
  for (const row of toReplay.values()) items.push(replayed(row));
  return items;
}

/**
 * The same lines as balanceSheet, from the positions the indexer keeps (`positions`, book_positions) for the books
 * whose last entry is dated on or before the end of `asOf` (positionServes): their figures are closed-form, with no
 * replay of entries. The other books (an `asOf` before their last entry, or a position kept under other rules) are
 * replayed from `books` and `entriesByBook`, which must hold them (and may hold the others too: a position that
 * serves wins). Figures are identical to balanceSheet's over the same books.
 */
export function balanceSheetOf(
  positions: readonly PositionRow[],
  books: readonly BookRow[],
  entriesByBook: ReadonlyMap<number, readonly EntryRow[]>,
  asOf: string,
): BalanceSheet[] {
  const t = endOfDay(asOf);
  const items = eachBook<SheetBook>(
    positions,
    books,
    t,
    (p) => ({ id: p.book_id, currency: p.currency, row: sheetRowAt(stateOfRow(p), t) }),
    (row) => ({ id: row.id, currency: row.currency, row: sheetRowOf(replay(bookOf(row, entriesByBook.get(row.id) ?? []), t).position) }),
  );
  return sheetsOf(items, asOf);
}

// ---------------------------------------------------------------- disclosure tables

/** One amount per disclosure column: the book's source, and the total of the three. */
export interface Columns {
  purchased: bigint;
  selfDeveloped: bigint;
  other: bigint;
  total: bigint;
}
type Column = Exclude<keyof Columns, "total">;
const COLUMN: Record<Source, Column> = { Purchased: "purchased", SelfDeveloped: "selfDeveloped", Other: "other" };

/** One row of a disclosure table: stable `key`, its section (e.g. 一、账面原值) and label as DOMAIN.md lists them. */
export interface DisclosureRow {
  key: string;
  section: string;
  label: string;
  amounts: Columns;
}

/** A disclosure table: title, column headings, rows in DOMAIN.md order. */
export interface DisclosureTable {
  title: string;
  columns: Record<keyof Columns, string>;
  rows: DisclosureRow[];
}

/** One identity evaluated on the tables; `ok` says whether `actual` satisfies it against `expected`. */
export interface Check {
  name: string;
  expected: bigint;
  actual: bigint;
  ok: boolean;
}

/**
 * Tables A (intangible data resources) and B (inventory data resources) of one currency for the period from `from`
 * to `to` inclusive: opening = end of the day before `from`, closing = end of `to` (UTC+8); movements are the entries
 * dated within the period. Column = the book's source. Cost additions: A 购入 = purchased costs, 内部研发 = the
 * capitalised development cost moved in at ReadyForUse, 其他增加 = other costs (self-developed or other source) of
 * an intangible book; B 购入 / 采集加工 / 其他增加 by the cost's source. Cost decreases by derecognition reason: A 处置 /
 * 失效且终止确认 / 其他减少, B 出售 / 失效且终止确认 / 其他减少, with the accumulated amortisation (A, same split) and the
 * impairment (A 本期减少) or write-down (B 转销) removed with them; B write-down 转回 = reversals. A development book's
 * impairment enters A's 减值准备 本期增加 at ReadyForUse. A 累计摊销 本期增加 = the charges of the months that ended
 * within the period (each booked on its last day; none for a derecognition month), never negative. `checks`
 * evaluates every identity of DOMAIN.md.
 */
export interface Disclosure {
  currency: string;
  from: string;
  to: string;
  intangible: DisclosureTable;
  inventory: DisclosureTable;
  researchAndDevelopment: ResearchAndDevelopment;
  checks: Check[];
}

/**
 * The period's data-resource research and development spending (数据资源研究开发支出), which 财会〔2023〕11号 asks to
 * disclose as the amounts 计入当期损益 and 确认为无形资产: every cost entry dated within the period on a book that was
 * development in progress when it was recorded, by phase. `expensed` (费用化支出, 5301 then 6602 —研发费用): research-phase
 * costs, which include development spending before the CAS 6 conditions hold (the ledger records it as research, and
 * never capitalises it). `capitalised` (资本化支出, 5301 into 开发支出): development-phase costs, moved to 无形资产 when
 * the asset is ready for use. `total` = expensed + capitalised. Costs on inventory and intangible books (acquisition,
 * processing, later costs of an asset in use, an intangible bought and awaiting use) are not R&D spending.
 */
export interface ResearchAndDevelopment {
  expensed: bigint;
  capitalised: bigint;
  total: bigint;
}

type RowSpec = readonly [key: string, label: string];
interface TableSpec {
  name: string;
  title: string;
  columns: Record<keyof Columns, string>;
  sections: readonly { title: string; rows: readonly RowSpec[] }[];
  flows: readonly string[]; // groups with opening, additions, decreases, closing
  parts: readonly (readonly [parent: string, parts: readonly string[]])[]; // 其中 groups
  carrying: readonly string[]; // carrying = first group - the others
}

const FLOW_LABELS: Record<string, string> = {
  opening: "期初余额",
  additions: "本期增加",
  decreases: "本期减少",
  closing: "期末余额",
};

const TABLE_A: TableSpec = {
  name: "A",
  title: "无形资产（数据资源）",
  columns: { purchased: "外购", selfDeveloped: "自行开发", other: "其他方式", total: "合计" },
  sections: [
    {
      title: "一、账面原值",
      rows: [
        ["cost.opening", "期初余额"],
        ["cost.additions", "本期增加"],
        ["cost.additions.purchased", "其中：购入"],
        ["cost.additions.development", "内部研发"],
        ["cost.additions.other", "其他增加"],
        ["cost.decreases", "本期减少"],
        ["cost.decreases.disposal", "其中：处置"],
        ["cost.decreases.lapse", "失效且终止确认"],
        ["cost.decreases.other", "其他减少"],
        ["cost.closing", "期末余额"],
      ],
    },
    {
      title: "二、累计摊销",
      rows: [
        ["amortisation.opening", "期初余额"],
        ["amortisation.additions", "本期增加"],
        ["amortisation.decreases", "本期减少"],
        ["amortisation.decreases.disposal", "其中：处置"],
        ["amortisation.decreases.lapse", "失效且终止确认"],
        ["amortisation.decreases.other", "其他减少"],
        ["amortisation.closing", "期末余额"],
      ],
    },
    {
      title: "三、减值准备",
      rows: [
        ["impairment.opening", "期初余额"],
        ["impairment.additions", "本期增加"],
        ["impairment.decreases", "本期减少"],
        ["impairment.closing", "期末余额"],
      ],
    },
    {
      title: "四、账面价值",
      rows: [
        ["carrying.closing", "期末账面价值"],
        ["carrying.opening", "期初账面价值"],
      ],
    },
  ],
  flows: ["cost", "amortisation", "impairment"],
  parts: [
    ["cost.additions", ["cost.additions.purchased", "cost.additions.development", "cost.additions.other"]],
    ["cost.decreases", ["cost.decreases.disposal", "cost.decreases.lapse", "cost.decreases.other"]],
    [
      "amortisation.decreases",
      ["amortisation.decreases.disposal", "amortisation.decreases.lapse", "amortisation.decreases.other"],
    ],
  ],
  carrying: ["cost", "amortisation", "impairment"],
};

const TABLE_B: TableSpec = {
  name: "B",
  title: "存货（数据资源）",
  columns: { purchased: "外购", selfDeveloped: "自行加工", other: "其他方式", total: "合计" },
  sections: [
    {
      title: "一、账面原值",
      rows: [
        ["cost.opening", "期初余额"],
        ["cost.additions", "本期增加"],
        ["cost.additions.purchased", "其中：购入"],
        ["cost.additions.processing", "采集加工"],
        ["cost.additions.other", "其他增加"],
        ["cost.decreases", "本期减少"],
        ["cost.decreases.sale", "其中：出售"],
        ["cost.decreases.lapse", "失效且终止确认"],
        ["cost.decreases.other", "其他减少"],
        ["cost.closing", "期末余额"],
      ],
    },
    {
      title: "二、存货跌价准备",
      rows: [
        ["writeDown.opening", "期初余额"],
        ["writeDown.additions", "本期增加"],
        ["writeDown.decreases", "本期减少"],
        ["writeDown.decreases.reversal", "其中：转回"],
        ["writeDown.decreases.writtenOff", "转销"],
        ["writeDown.closing", "期末余额"],
      ],
    },
    {
      title: "三、账面价值",
      rows: [
        ["carrying.closing", "期末账面价值"],
        ["carrying.opening", "期初账面价值"],
      ],
    },
  ],
  flows: ["cost", "writeDown"],
  parts: [
    ["cost.additions", ["cost.additions.purchased", "cost.additions.processing", "cost.additions.other"]],
    ["cost.decreases", ["cost.decreases.sale", "cost.decreases.lapse", "cost.decreases.other"]],
    ["writeDown.decreases", ["writeDown.decreases.reversal", "writeDown.decreases.writtenOff"]],
  ],
  carrying: ["cost", "writeDown"],
};

const A_ADDITION: Record<Source, string> = { Purchased: "purchased", SelfDeveloped: "other", Other: "other" };
const B_ADDITION: Record<Source, string> = { Purchased: "purchased", SelfDeveloped: "processing", Other: "other" };
const A_DECREASE: Record<Reason, string> = { Sale: "disposal", Lapse: "lapse", Other: "other" };
const B_DECREASE: Record<Reason, string> = { Sale: "sale", Lapse: "lapse", Other: "other" };

/** A table's figures being summed: every amount goes to its book's column and to the total. */
class Figures {
  private readonly amounts = new Map<string, Columns>();

  constructor(readonly spec: TableSpec) {
    for (const s of spec.sections) {
      for (const [key] of s.rows) this.amounts.set(key, { purchased: 0n, selfDeveloped: 0n, other: 0n, total: 0n });
    }
  }

  /** Adds `amount` to row `key` in `column` and in the total; a 其中 row's parent is added to by the caller. */
  add(key: string, column: Column, amount: bigint): void {
    const row = this.amounts.get(key);
    if (!row) throw new Error(`table ${this.spec.name} has no row ${key}`);
    row[column] += amount;
    row.total += amount;
  }

  get(key: string): Columns {
    return this.amounts.get(key)!;
  }

  table(): DisclosureTable {
    const { title, columns, sections } = this.spec;
    const rows = sections.flatMap((s) =>
      s.rows.map(([key, label]) => ({ key, section: s.title, label, amounts: { ...this.get(key) } })),
    );
    return { title, columns: { ...columns }, rows };
  }

  checks(): Check[] {
    const { name, columns, sections } = this.spec;
    const section = (group: string) => sections.find((s) => s.rows.some(([k]) => k.startsWith(`${group}.`)))!.title;
    const label = (key: string) => sections.flatMap((s) => s.rows).find(([k]) => k === key)![1];
    const checks: Check[] = [];
    const cols: Column[] = ["purchased", "selfDeveloped", "other"];
    for (const col of [...cols, "total"] as const) {
      const at = `${name} (${columns[col]})`;
      const v = (key: string) => this.get(key)[col];
      for (const g of this.spec.flows) {
        const expected = v(`${g}.opening`) + v(`${g}.additions`) - v(`${g}.decreases`);
        const actual = v(`${g}.closing`);
        const { opening, additions, decreases, closing } = FLOW_LABELS;
        checks.push({
          name: `${at} ${section(g)}: ${closing} = ${opening} + ${additions} - ${decreases}`,
          expected,
          actual,
          ok: expected === actual,
        });
      }
      const [gross, ...less] = this.spec.carrying;
      for (const when of ["closing", "opening"]) {
        const expected = less.reduce((sum, g) => sum - v(`${g}.${when}`), v(`${gross}.${when}`));
        const actual = v(`carrying.${when}`);
        const formula = [gross, ...less].map((g) => section(g).slice(2)).join(" - ");
        checks.push({
          name: `${at} ${label(`carrying.${when}`)} = ${formula}`,
          expected,
          actual,
          ok: expected === actual,
        });
        checks.push({ name: `${at} ${label(`carrying.${when}`)} >= 0`, expected: 0n, actual, ok: actual >= 0n });
      }
      for (const [parent, parts] of this.spec.parts) {
        const actual = parts.reduce((sum, k) => sum + v(k), 0n);
        const partLabels = parts.map((k) => label(k).replace("其中：", "")).join(" + ");
        const what = `${at} ${section(parent)}: 其中 ${partLabels} <= ${label(parent)}`;
        checks.push({ name: what, expected: v(parent), actual, ok: actual <= v(parent) });
      }
    }
    for (const s of sections) {
      for (const [key, rowLabel] of s.rows) {
        const c = this.get(key);
        const expected = c.purchased + c.selfDeveloped + c.other;
        checks.push({
          name: `${name} ${s.title} ${rowLabel}: ${columns.total} = ${cols.map((k) => columns[k]).join(" + ")}`,
          expected,
          actual: c.total,
          ok: expected === c.total,
        });
      }
    }
    return checks;
  }
}

/**
 * Amortisation charged in (t0, t1], from the book replayed to t1: the charges of the months that ended in (t0, t1]
 * (each booked at the end of its last day), never the derecognition month's. Never negative.
 */
function amortisationCharged({ plan, position }: Replay, t0: number, t1: number): bigint {
  if (!plan) return 0n;
  const gone = position.derecognition;
  const beforeGone = gone ? monthOf(gone.date) - 1 : Infinity;
  // The months charged by t are a prefix of the schedule: those ended by t, up to the month before derecognition
  // (a derecognition after t is in a month not ended by t, so the cap changes nothing there). Entries after t0 only
  // re-base months after their own, none ended by t0, so the plan as of t1 gives the same prefix at t0, and the
  // charges of (t0, t1] telescope to a difference of accumulated amounts (no loop over months).
  const through = (t: number) => Math.min(lastMonthEndedBy(t), beforeGone);
  return accumulatedThrough(plan, through(t1)) - accumulatedThrough(plan, through(t0));
}

/** Adds a book's opening and closing balances, and the amortisation charged in (t0, t1], to tables A and B. */
function balances(col: Column, opening: Position, closing: Replay, t0: number, t1: number, a: Figures, b: Figures): void {
  for (const [when, p] of [
    ["opening", opening],
    ["closing", closing.position],
  ] as const) {
    if (!p.recognised || p.derecognised || p.category === "Development") continue;
    const f = p.category === "Intangible" ? a : b;
    f.add(`cost.${when}`, col, p.cost);
    if (f === a) f.add(`amortisation.${when}`, col, p.amortisation);
    f.add(`${f === a ? "impairment" : "writeDown"}.${when}`, col, p.impairment);
    f.add(`carrying.${when}`, col, p.carrying);
  }
  a.add("amortisation.additions", col, amortisationCharged(closing, t0, t1));
}

/**
 * Adds a book with no entry after t0 to tables A and B from its kept state (closed form): its balances at t0 and t1
 * and the amortisation charged between; it has no movement in the period and no R&D spending.
 */
function discloseKept(state: BookState, t0: number, t1: number, a: Figures, b: Figures): void {
  const closing: Replay = { position: positionAt(state, t1), plan: state.plan };
  balances(COLUMN[state.source], positionAt(state, t0), closing, t0, t1, a, b);
}

/** Adds one book's opening, closing and movements of (t0, t1] to tables A and B, and its R&D spending to `rd`. */
function disclose(book: Book, t0: number, t1: number, a: Figures, b: Figures, rd: ResearchAndDevelopment): void {
  const col = COLUMN[book.source];
  const closing = replay(book, t1);
  balances(col, replay(book, t0).position, closing, t0, t1, a, b);

  // Movements, replayed in entry order so a ReadyForUse moves exactly the development cost recorded before it.
  let category = book.initial;
  let cost = 0n;
  let impairment = 0n;
  for (const e of book.entries) {
    if (e.date > t1) break;
    const now = e.date > t0;
    const f = category === "Intangible" ? a : category === "Inventory" ? b : null; // development is in neither table
    switch (e.kind) {
      case "Cost":
        if (now && category === "Development") {
          rd[e.capitalised ? "capitalised" : "expensed"] += e.amount;
          rd.total += e.amount;
        }
        if (!e.capitalised) break;
        cost += e.amount;
        if (now && f) {
          f.add("cost.additions", col, e.amount);
          f.add(`cost.additions.${(f === a ? A_ADDITION : B_ADDITION)[e.source]}`, col, e.amount);
        }
        break;
      case "ReadyForUse":
        // An intangible book awaiting use only starts amortisation: its cost is already in table A by source.
        if (category === "Intangible") break;
        category = "Intangible";
        if (now) {
          a.add("cost.additions", col, cost);
          a.add("cost.additions.development", col, cost);
          a.add("impairment.additions", col, impairment);
        }
        break;
      case "Impairment":
        impairment += e.amount;
        if (now && f) f.add(f === a ? "impairment.additions" : "writeDown.additions", col, e.amount);
        break;
      case "WriteDownReversal":
        impairment -= e.amount;
        if (now) {
          b.add("writeDown.decreases", col, e.amount);
          b.add("writeDown.decreases.reversal", col, e.amount);
        }
        break;
      case "Derecognised":
        if (!now || !f) break;
        f.add("cost.decreases", col, cost);
        if (f === a) {
          const sub = A_DECREASE[e.reason];
          const amortisation = closing.position.derecognition!.amortisation;
          a.add(`cost.decreases.${sub}`, col, cost);
          a.add("amortisation.decreases", col, amortisation);
          a.add(`amortisation.decreases.${sub}`, col, amortisation);
          a.add("impairment.decreases", col, impairment);
        } else {
          b.add(`cost.decreases.${B_DECREASE[e.reason]}`, col, cost);
          b.add("writeDown.decreases", col, impairment);
          b.add("writeDown.decreases.writtenOff", col, impairment);
        }
        break;
    }
  }
}

/** Disclosure tables A and B for the period `from`..`to` (`YYYY-MM-DD`, inclusive, UTC+8), one set per currency. */
export function disclosure(
  books: readonly BookRow[],
  entriesByBook: ReadonlyMap<number, readonly EntryRow[]>,
  from: string,
  to: string,
): Disclosure[] {
  return disclosureOf([], books, entriesByBook, from, to);
}

/** The end of the day before `from` and the end of `to` (UTC+8): a period's opening and closing times. */
export function periodTimes(from: string, to: string): [number, number] {
  const t0 = endOfDay(from) - DAY; // end of the day before `from` (UTC+8 has no daylight saving)
  const t1 = endOfDay(to);
  if (t1 <= t0) throw new Error(`period ${from} to ${to} ends before it starts`);
  return [t0, t1];
}

/**
 * The same tables as disclosure, from the positions the indexer keeps (`positions`) for the books with no entry after
 * the period's opening (positionServes at the end of the day before `from`): closed form, no replay. The other books
 * are replayed from `books` and `entriesByBook`, which must hold them. Figures are identical to disclosure's.
 */
export function disclosureOf(
  positions: readonly PositionRow[],
  books: readonly BookRow[],
  entriesByBook: ReadonlyMap<number, readonly EntryRow[]>,
  from: string,
  to: string,
): Disclosure[] {
  const [t0, t1] = periodTimes(from, to);
  type Item = { id: number; currency: string; add: (a: Figures, b: Figures, rd: ResearchAndDevelopment) => void };
  const items = eachBook<Item>(
    positions,
    books,
    t0,
    (p) => ({ id: p.book_id, currency: p.currency, add: (a, b) => discloseKept(stateOfRow(p), t0, t1, a, b) }),
    (row) => ({ id: row.id, currency: row.currency, add: (a, b, rd) => disclose(bookOf(row, entriesByBook.get(row.id) ?? []), t0, t1, a, b, rd) }),
  );
  return byCurrency(items).map(([currency, group]) => {
    const a = new Figures(TABLE_A);
    const b = new Figures(TABLE_B);
    const rd: ResearchAndDevelopment = { expensed: 0n, capitalised: 0n, total: 0n };
    for (const item of group) item.add(a, b, rd);
    const checks = [...a.checks(), ...b.checks()];
    return { currency, from, to, intangible: a.table(), inventory: b.table(), researchAndDevelopment: rd, checks };
  });
}

// ---------------------------------------------------------------- serialisation

/** `T` with every bigint replaced by its decimal string. */
export type Serialised<T> = T extends bigint
  ? string
  : T extends readonly (infer U)[]
  ? Serialised<U>[]
  : T extends object
  ? { [K in keyof T]: Serialised<T[K]> }
  : T;

/** Deep copy of `value` with every bigint as an exact decimal string of integer minor units (never a float). */
export function serialise<T>(value: T): Serialised<T> {
  if (typeof value === "bigint") return value.toString() as Serialised<T>;
  if (Array.isArray(value)) return value.map((v) => serialise(v)) as Serialised<T>;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, serialise(v)])) as Serialised<T>;
  }
  return value as Serialised<T>;
}
