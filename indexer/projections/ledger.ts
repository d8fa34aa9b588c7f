// AssetLedger events -> attestations (compliance, quality, appraisal), accountants, and accounting books with
// their dated entries, and each book's position after its last entry (book_positions). The API computes figures
// as of a date on or after a book's last entry from its position in closed form, and replays book_entries for
// earlier dates.
import type { Database, Statement } from "better-sqlite3";
import { POSITION_RULES, finalState, formatMonth, monthOf, planText, type BookRow as LedgerBook, type EntryRow } from "../../api/accounting";
import { Category, CostPhase, CostSource, DerecognitionReason, ValuationMethod, nameOf } from "../enums";
import type { Store } from "../store";
import { minus, noteToken, plus, type EventContext, type Handlers } from "./context";

interface BookRow {
  cost: string;
  impairment: string;
  entry_count: number;
  asset_id: number;
}

function attestation(store: Store, a: Record<string, any>, kind: string, fields: Record<string, unknown>): number {
  const id = Number(a.attestationId);
  const supersedes = a.supersedes === "0" ? null : Number(a.supersedes);
  store.insert("attestations", {
    id,
    asset_id: Number(a.assetId),
    kind,
    author: a.author,
    report_hash: a.reportHash,
    supersedes,
    attested_at: Number(a.attestedAt),
    ...fields,
  });
  if (supersedes !== null) store.update("attestations", { id: supersedes }, { superseded_by: id });
  return Number(a.assetId);
}

/** Appends a dated entry to a book and applies `patch(book)` to the book's current state. */
function entry(
  { store, ev }: EventContext,
  a: Record<string, any>,
  kind: string,
  fields: Record<string, unknown>,
  patch: (b: BookRow) => Record<string, unknown> = () => ({}),
): number {
  const bookId = Number(a.bookId);
  const book = store.get<BookRow>("books", { id: bookId });
  if (!book) throw new Error(`book ${bookId} not indexed`);
  store.insert("book_entries", {
    book_id: bookId,
    seq: book.entry_count,
    kind,
    date: Number(a.date),
    evidence_hash: a.evidenceHash,
    recorded_by: a.recordedBy,
    block_number: ev.blockNumber,
    tx_hash: ev.txHash,
    log_index: ev.logIndex,
    ...fields,
  });
  store.update("books", { id: bookId }, { entry_count: book.entry_count + 1, ...patch(book) });
  keepPosition(store, bookId);
  return book.asset_id;
}

const entryQueries = new WeakMap<Database, Statement>();

/** The entries of one book, as api/accounting.ts reads them. */
export function entriesOf(db: Database, bookId: number): EntryRow[] {
  let q = entryQueries.get(db);
  if (!q) {
    q = db.prepare(
      "SELECT book_id, seq, kind, date, amount, source, phase, useful_life_months, reason, proceeds FROM book_entries WHERE book_id = ? ORDER BY seq",
    );
    entryQueries.set(db, q);
  }
  return q.all(bookId) as EntryRow[];
}

/**
 * The book_positions row of a book after `entries` (all of its entries so far, by seq): where the book stands after
 * its last entry (cost by source, impairment, write-down and reversals, ready month, life, residual, derecognition)
 * and the amortisation schedule, so that figures as of any date from its last entry on are closed-form
 * (api/accounting.ts finalState, positionAt). A book the accounting refuses (a corrupt index) keeps a row with
 * rules 0 and no schedule: the API then replays its entries and reports the error there.
 */
export function positionRow(book: LedgerBook & { entity: string; residual_value: string }, entries: readonly EntryRow[]): Record<string, unknown> {
  const costBy: Record<string, bigint> = { Purchased: 0n, SelfDeveloped: 0n, Other: 0n };
  let research = 0n;
  let impaired = 0n;
  let reversed = 0n;
  for (const e of entries) {
    if (e.kind === "Cost" && e.phase === "Research") research += BigInt(e.amount!);
    else if (e.kind === "Cost") costBy[e.source!] = (costBy[e.source!] ?? 0n) + BigInt(e.amount!);
    else if (e.kind === "Impairment") impaired += BigInt(e.amount!);
    else if (e.kind === "WriteDownReversal") reversed += BigInt(e.amount!);
  }
  const row: Record<string, unknown> = {
    book_id: book.id,
    entity: book.entity,
    asset_id: book.asset_id,
    currency: book.currency,
    source: book.source,
    recognised_on: book.recognised_on,
    cost_purchased: costBy.Purchased.toString(),
    cost_self_developed: costBy.SelfDeveloped.toString(),
    cost_other: costBy.Other.toString(),
    research_expensed: research.toString(),
    impaired: impaired.toString(),
    reversed: reversed.toString(),
    residual_value: book.residual_value,
    last_entry_date: entries.length ? entries[entries.length - 1].date : book.recognised_on,
    entry_count: entries.length,
  };
  try {
    const { state, lastDate } = finalState(book, entries);
    return {
      ...row,
      category: state.category,
      cost: state.cost.toString(),
      impairment: state.impairment.toString(),
      ready_on: state.readyOn,
      ready_month: state.readyOn === null ? null : formatMonth(monthOf(state.readyOn)),
      useful_life_months: state.life,
      derecognised_on: state.removed?.date ?? null,
      derecognition_reason: state.removed?.reason ?? null,
      proceeds: state.removed ? state.removed.proceeds.toString() : null,
      last_entry_date: lastDate,
      schedule: planText(state.plan),
      rules: POSITION_RULES,
    };
  } catch {
    return {
      ...row,
      category: book.initial_category,
      cost: "0",
      impairment: "0",
      ready_on: null,
      ready_month: null,
      useful_life_months: book.useful_life_months,
      derecognised_on: null,
      derecognition_reason: null,
      proceeds: null,
      schedule: null,
      rules: 0,
    };
  }
}

/**
 * Whether a store's ranges defer positions (a dense backfill below the reorg window), keep them entry by entry, or
 * have not said yet (a process just started: positions deferred before a crash may be missing).
 */
const positionMode = new WeakMap<Store, "defer" | "keep">();

/**
 * Re-derives a book's position from its entries (a handful) after a new one; undone on reorgs like any row. While
 * positions are deferred, the book's position row is deleted instead: the API replays a book without one, so it is
 * never stale, and keepPositions derives it once the backfill reaches the reorg window or the head.
 */
function keepPosition(store: Store, bookId: number): void {
  if (positionMode.get(store) === "defer") {
    store.prepared("DELETE FROM book_positions WHERE book_id = ?").run(bookId);
    return;
  }
  const book = store.get<LedgerBook & { entity: string; residual_value: string }>("books", { id: bookId })!;
  store.put("book_positions", positionRow(book, entriesOf(store.db, bookId)));
}

/**
 * Called before each range is written (in its transaction). `defer`: a dense backfill below the reorg window, where
 * nothing is undone and a book's position would be re-derived after each of its entries (a fifth of the writing
 * thread's time); it is derived once instead. Otherwise, first derives the position of every book with entries and
 * none (deferred, in this process or before a crash: a missing row is the mark, so it survives one).
 */
export function keepPositions(store: Store, defer: boolean): void {
  if (defer) {
    positionMode.set(store, "defer");
    return;
  }
  if (positionMode.get(store) === "keep") return;
  positionMode.set(store, "keep");
  const missing = store
    .prepared("SELECT id FROM books WHERE entry_count > 0 AND NOT EXISTS (SELECT 1 FROM book_positions WHERE book_id = books.id) ORDER BY id")
    .all() as { id: number }[];
  for (const { id } of missing) keepPosition(store, id);
}

export const ledger: Handlers = {
  ComplianceAttested: ({ store }, a) => attestation(store, a, "Compliance", { passed: a.passed }),

  QualityAttested: ({ store }, a) => {
    const [accuracy, consistency, completeness, conformity, timeliness, accessibility] = a.scores as number[];
    return attestation(store, a, "Quality", { accuracy, consistency, completeness, conformity, timeliness, accessibility });
  },

  AppraisalAttested: (ctx, a) => {
    noteToken(ctx, a.currency);
    return attestation(ctx.store, a, "Appraisal", {
      method: nameOf(ValuationMethod, a.method),
      value: a.value,
      currency: a.currency,
      valuation_date: Number(a.valuationDate),
    });
  },

  AttestationRevoked: ({ store }, a) => {
    store.update("attestations", { id: Number(a.attestationId) }, { revoked_at: Number(a.revokedAt), revoke_reason: a.reason });
    return Number(a.assetId);
  },

  AccountantSet: ({ store }, a) =>
    store.put("accountants", { entity: a.entity, accountant: a.accountant, authorised: a.authorised, set_at: Number(a.setAt) }),

  BookOpened: (ctx, a) => {
    noteToken(ctx, a.currency);
    const category = nameOf(Category, a.category);
    const date = Number(a.date);
    ctx.store.insert("books", {
      id: Number(a.bookId),
      entity: a.entity,
      asset_id: Number(a.assetId),
      category,
      initial_category: category,
      source: nameOf(CostSource, a.source),
      useful_life_months: a.usefulLifeMonths,
      residual_value: a.residualValue,
      currency: a.currency,
      recognised_on: date,
      // An intangible recognised ready for use carries readyOn = date; one awaiting use (and development) carries 0.
      ready_on: Number(a.readyOn) || null,
      awaiting_use: category === "Intangible" && Number(a.readyOn) === 0,
      cost: "0",
      impairment: "0",
      entry_count: 0,
    });
    return entry(ctx, a, "Opened", { useful_life_months: a.usefulLifeMonths, source: nameOf(CostSource, a.source) });
  },

  // Research-phase spending is recorded but expensed, never capitalised (as the contract).
  CostRecorded: (ctx, a) => {
    const phase = nameOf(CostPhase, a.phase);
    return entry(
      ctx,
      a,
      "Cost",
      { amount: a.amount, source: nameOf(CostSource, a.source), phase, order_id: a.orderId === "0" ? null : Number(a.orderId) },
      (b) => (phase === "Research" ? {} : { cost: plus(b.cost, a.amount) }),
    );
  },

  // A development book becomes intangible; an intangible book awaiting use (awaiting_use) gets its ready date.
  ReadyForUse: (ctx, a) =>
    entry(ctx, a, "ReadyForUse", { useful_life_months: a.usefulLifeMonths }, () => ({
      category: "Intangible",
      useful_life_months: a.usefulLifeMonths,
      ready_on: Number(a.date),
    })),

  ImpairmentRecorded: (ctx, a) =>
    entry(ctx, a, "Impairment", { amount: a.amount }, (b) => ({ impairment: plus(b.impairment, a.amount) })),

  WriteDownReversed: (ctx, a) =>
    entry(ctx, a, "WriteDownReversal", { amount: a.amount }, (b) => ({ impairment: minus(b.impairment, a.amount) })),

  Derecognised: (ctx, a) =>
    entry(ctx, a, "Derecognised", { reason: nameOf(DerecognitionReason, a.reason), proceeds: a.proceeds }, () => ({
      derecognised_on: Number(a.date),
      derecognition_reason: nameOf(DerecognitionReason, a.reason),
      proceeds: a.proceeds,
    })),
};
