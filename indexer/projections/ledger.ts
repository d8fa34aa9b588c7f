// AssetLedger events -> attestations (compliance, quality, appraisal), accountants, and accounting books with
// their dated entries. The API computes amortisation and balances as of any date from book_entries.
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
  return book.asset_id;
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
