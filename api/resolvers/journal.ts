// journal(entity, from, to) and trialBalance(entity, asOf): the vouchers (会计分录) of an entity's data assets and the
// closing balances they add up to, computed by api/journal.ts from the entity's books and entries (as the balance
// sheet reads them, with their chain coordinates), its settlements as a seller, the royalty lines crediting it and
// the remedies of licences it sold. The accounts come from the entity's mapping: the `mapping` argument (JSON text),
// else the file <entity>.json in the server's ACCOUNT_MAPPINGS directory, else the default chart.
import type { Database } from "better-sqlite3";
import { GraphQLError } from "graphql";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BookRow } from "../accounting";
import { manyRows, type Context } from "../context";
import { address, badInput, endOfDay } from "../inputs";
import {
  TAX_NOTE,
  JournalInputError,
  chartOf,
  chartRows,
  journal,
  trialBalance,
  type AssetInfo,
  type Chart,
  type JournalEntryRow,
  type LedgerRows,
  type RemedyRow,
  type RoyaltyRow,
  type SaleRow,
  type VoucherLine,
} from "../journal";
import { amount, type TokenRow } from "../money";
import { tokenRow } from "./accounting";

const BOOK_COLUMNS = ["id", "asset_id", "initial_category", "source", "useful_life_months", "residual_value", "currency", "recognised_on", "awaiting_use"];
const ENTRY_COLUMNS = [
  "book_id", "seq", "kind", "date", "amount", "source", "phase", "useful_life_months", "reason", "proceeds", "block_number", "tx_hash", "log_index",
];
const SALE_COLUMNS = [
  "order_id", "asset_id", "offer", "token", "gross", "exchange_fee", "merchant_commission", "royalty_total", "seller_net", "settled_at", "block_number", "tx_hash", "log_index",
];
const ROYALTY_COLUMNS = ["order_id", "position", "asset_id", "source_asset_id", "token", "amount", "settled_at", "block_number", "tx_hash", "log_index"];
const REMEDY_COLUMNS = ["order_id", "refund_ordered", "refund_paid", "remedied_at", "block_number", "tx_hash", "log_index"];
/** The log index of a settlement's Settled event (events by asset and block: an index lookup). */
const SETTLED_LOG = `(SELECT e.log_index FROM events e WHERE e.asset_id = s.asset_id AND e.block_number = s.block_number
  AND e.tx_hash = s.tx_hash AND e.name = 'Settled' AND json_extract(e.args, '$.orderId') = CAST(s.order_id AS TEXT))`;

/** Everything the journal of `entity` (checksummed) is computed from, in a handful of indexed queries. */
export function ledgerRowsOf(db: Database, entity: string): LedgerRows {
  const books = manyRows<BookRow>(db, BOOK_COLUMNS, `SELECT ${BOOK_COLUMNS} FROM books WHERE entity = ?`, entity);
  const entries = new Map<number, JournalEntryRow[]>(books.map((b) => [b.id, []]));
  const rows = manyRows<JournalEntryRow>(
    db,
    ENTRY_COLUMNS,
    `SELECT ${ENTRY_COLUMNS.map((c) => `e.${c}`)} FROM book_entries e JOIN books b ON b.id = e.book_id WHERE b.entity = ?`,
    entity,
  );
  for (const e of rows) entries.get(e.book_id)!.push(e);
  // Settlements of orders the entity sold (orders by seller is indexed).
  const sales = manyRows<SaleRow>(
    db,
    SALE_COLUMNS,
    `SELECT ${SALE_COLUMNS.slice(0, -1).map((c) => `s.${c}`)}, ${SETTLED_LOG} AS log_index FROM settlements s
     WHERE s.order_id IN (SELECT id FROM orders WHERE seller = ? AND status IN ('Settled', 'Remedied')) AND s.seller = ?`,
    entity,
    entity,
  );
  const royalties = manyRows<RoyaltyRow>(
    db,
    ROYALTY_COLUMNS,
    `SELECT l.order_id, l.position, s.asset_id, l.source_asset_id, s.token, l.amount, s.settled_at, s.block_number, s.tx_hash,
       ${SETTLED_LOG} AS log_index
     FROM settlement_lines l JOIN settlements s ON s.order_id = l.order_id WHERE l.payee = ? AND l.kind = 'Royalty'`,
    entity,
  );
  const remedies = manyRows<RemedyRow>(
    db,
    REMEDY_COLUMNS,
    `SELECT o.id AS order_id, json_extract(e.args, '$.refundOrdered') AS refund_ordered, json_extract(e.args, '$.refundPaid') AS refund_paid,
       CAST(json_extract(e.args, '$.remediedAt') AS INTEGER) AS remedied_at, e.block_number, e.tx_hash, e.log_index
     FROM orders o JOIN events e ON e.asset_id = o.asset_id AND e.name = 'LicenceRemedied' AND json_extract(e.args, '$.orderId') = CAST(o.id AS TEXT)
     WHERE o.seller = ? AND o.status = 'Remedied'`,
    entity,
  );
  const ids = new Set<number>([...books.map((b) => b.asset_id), ...sales.map((s) => s.asset_id), ...royalties.map((r) => r.source_asset_id)]);
  const assets = new Map<number, AssetInfo>();
  if (ids.size) {
    const list = [...ids];
    for (let i = 0; i < list.length; i += 500) {
      const chunk = list.slice(i, i + 500);
      const found = manyRows<AssetInfo & { id: number }>(
        db,
        ["id", "registration_number", "name"],
        `SELECT id, registration_number, name FROM assets WHERE id IN (${chunk.map(() => "?").join(",")})`,
        ...chunk,
      );
      for (const a of found) assets.set(a.id, { registration_number: a.registration_number, name: a.name });
    }
  }
  // Decimals of the tokens (a handful), for amounts in words.
  const decimals = new Map(
    manyRows<{ address: string; decimals: number | null }>(db, ["address", "decimals"], "SELECT address, decimals FROM tokens").map((t) => [t.address, t.decimals]),
  );
  return { books, entries, assets, sales, royalties, remedies, decimals };
}

/** Largest mapping accepted (JSON text): a chart of a few hundred accounts and per-book settings. */
const MAX_MAPPING_BYTES = 256 * 1024;

/**
 * The chart of accounts of `entity`: from `mappingText` (the argument; a mistake in it is the user's), else from
 * `<dir>/<entity>.json` (checksummed or lowercase name; a mistake there is the server's configuration), else defaults.
 */
export function chartFor(entity: string, mappingText: string | null | undefined, dir: string | null | undefined): Chart {
  let text: string;
  let where: string;
  let code: string;
  if (mappingText !== null && mappingText !== undefined) {
    [text, where, code] = [mappingText, "mapping", "BAD_USER_INPUT"];
  } else {
    const file = dir ? [join(dir, `${entity}.json`), join(dir, `${entity.toLowerCase()}.json`)].find((f) => existsSync(f)) : undefined;
    if (!file) return chartOf();
    [text, where, code] = [readFileSync(file, "utf8"), `account mapping ${file}`, "ACCOUNT_MAPPING_INVALID"];
  }
  const fail = (message: string) => new GraphQLError(message, { extensions: { code } });
  if (Buffer.byteLength(text) > MAX_MAPPING_BYTES) throw fail(`${where}: over ${MAX_MAPPING_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw fail(`${where}: not JSON (${(err as Error).message})`);
  }
  try {
    const chart = chartOf(parsed, where);
    if (chart.entity !== null && chart.entity.toLowerCase() !== entity.toLowerCase()) {
      throw new JournalInputError(`${where}.entity: the mapping is for ${chart.entity}, not ${entity}`);
    }
    return chart;
  } catch (err) {
    if (err instanceof JournalInputError) throw fail(err.message);
    throw err;
  }
}

/** Runs a journal computation, turning its input errors (period, mapping's books) into errors for the user. */
function checked<T>(compute: () => T): T {
  try {
    return compute();
  } catch (err) {
    if (err instanceof JournalInputError) throw badInput(err.message);
    throw err;
  }
}

export interface JournalArgs {
  entity: string;
  from: string;
  to: string;
  mapping?: string | null;
}

/** The most vouchers one page of the journal holds (`first`). */
export const MAX_JOURNAL_PAGE = 1000;

/** The cursor after voucher `number` of the journal of `from`..`to` (opaque to clients). */
export function journalCursor(from: string, to: string, number: string): string {
  return Buffer.from(`j:${from}:${to}:${number}`).toString("base64url");
}

/** The index in `numbers` (the period's vouchers, in order) that a page after `cursor` starts at. */
function pageStart(cursor: string, from: string, to: string, numbers: readonly string[]): number {
  const m = /^j:(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2}):(.{1,40})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw badInput(`after: "${cursor}" is not a journal cursor from this API (use pageInfo.endCursor)`);
  if (m[1] !== from || m[2] !== to) throw badInput(`after: the cursor is for the journal of ${m[1]}..${m[2]}, not ${from}..${to}`);
  const i = numbers.indexOf(m[3]);
  if (i < 0) throw badInput(`after: voucher ${m[3]} is not in the journal of ${from}..${to} any more (the index changed); start again without \`after\``);
  return i + 1;
}

/**
 * Journals computed for a first page, kept for the pages after it: a client walking the pages with `after` gets the
 * same journal (one index state) without computing it again for each page. Keyed by the arguments and the index's
 * last block (number and hash), so a page after the index moved is computed afresh; a few at most, briefly.
 */
const walks = new Map<string, { at: number; value: ReturnType<typeof computeJournal> }>();
const WALKS = 8;
const WALK_MS = 5 * 60_000;
function walkKey(args: JournalArgs, ctx: Context): string {
  return JSON.stringify([args.entity.toLowerCase(), args.from, args.to, args.mapping ?? null, ctx.accountMappings ?? null, ctx.sync.latestBlock, ctx.sync.latestHash]);
}
function rememberWalk(key: string, value: ReturnType<typeof computeJournal>): void {
  const now = Date.now();
  for (const [k, w] of walks) if (now - w.at > WALK_MS) walks.delete(k);
  walks.delete(key);
  walks.set(key, { at: now, value });
  while (walks.size > WALKS) walks.delete(walks.keys().next().value!);
}

/** The journal of a period, checked arguments, and the chart in force (for GraphQL and the CSV / XLSX exports). */
export function computeJournal(db: Database, args: JournalArgs, mappingsDir?: string | null) {
  const entity = address("entity", args.entity);
  endOfDay("from", args.from);
  endOfDay("to", args.to);
  const chart = chartFor(entity, args.mapping, mappingsDir);
  const rows = ledgerRowsOf(db, entity);
  return { entity, chart, journal: checked(() => journal(rows, chart, args.from, args.to)) };
}

export function computeTrialBalance(db: Database, args: { entity: string; asOf: string; mapping?: string | null }, mappingsDir?: string | null) {
  const entity = address("entity", args.entity);
  endOfDay("asOf", args.asOf);
  const chart = chartFor(entity, args.mapping, mappingsDir);
  return { entity, chart, balances: checked(() => trialBalance(ledgerRowsOf(db, entity), chart, args.asOf)) };
}

/** Tokens of the answer, read once each. */
function tokens(db: Database) {
  const cache = new Map<string, TokenRow>();
  return (address: string) => {
    let t = cache.get(address);
    if (!t) cache.set(address, (t = tokenRow(db, address)));
    return t;
  };
}

export const journalQueries = {
  journal: (_: unknown, args: JournalArgs & { first?: number | null; after?: string | null }, ctx: Context) => {
    const first = args.first ?? null;
    if (first !== null && (!Number.isInteger(first) || first < 1 || first > MAX_JOURNAL_PAGE)) {
      throw badInput(`first: ${first} is not a page size from 1 to ${MAX_JOURNAL_PAGE}`);
    }
    const paged = first !== null || (args.after !== null && args.after !== undefined);
    const key = paged ? walkKey(args, ctx) : "";
    const kept = args.after !== null && args.after !== undefined ? walks.get(key) : undefined;
    const computed = kept && Date.now() - kept.at <= WALK_MS ? kept.value : computeJournal(ctx.db, args, ctx.accountMappings);
    if (paged) rememberWalk(key, computed);
    const { entity, chart, journal: j } = computed;
    // The page: vouchers after the cursor (in number order), `first` of them (all without `first`).
    const start = args.after !== null && args.after !== undefined ? pageStart(args.after, j.from, j.to, j.vouchers.map((v) => v.number)) : 0;
    const end = first === null ? j.vouchers.length : Math.min(j.vouchers.length, start + first);
    const pageVouchers = j.vouchers.slice(start, end);
    const token = tokens(ctx.db);
    // One zero Amount per token, shared by the lines' empty sides.
    const zero = new Map<string, ReturnType<typeof amount>>();
    const money = (v: bigint, t: TokenRow) => {
      if (v !== 0n) return amount(v, t);
      let z = zero.get(t.address);
      if (!z) zero.set(t.address, (z = amount(0n, t)));
      return z;
    };
    const line = (t: TokenRow) => (l: VoucherLine) => ({
      account: l.account,
      role: l.role,
      debit: money(l.debit, t),
      credit: money(l.credit, t),
      assetId: l.assetId,
      registrationNumber: l.registrationNumber,
      assetName: l.assetName,
      bookId: l.bookId,
      evidence: l.evidence,
    });
    return {
      entity,
      from: j.from,
      to: j.to,
      taxExclusive: true,
      note: TAX_NOTE,
      chart: chartRows(chart),
      pageInfo: {
        hasNextPage: end < j.vouchers.length,
        endCursor: pageVouchers.length ? journalCursor(j.from, j.to, pageVouchers[pageVouchers.length - 1].number) : null,
      },
      vouchers: pageVouchers.map((v) => {
        const t = token(v.currency);
        let debit = 0n;
        let credit = 0n;
        for (const l of v.lines) (debit += l.debit), (credit += l.credit);
        return {
          number: v.number,
          date: v.date,
          kind: v.kind,
          summary: v.summary,
          currency: t,
          redInk: v.redInk,
          reverses: v.reverses,
          orderId: v.orderId,
          debit: amount(debit, t),
          credit: amount(credit, t),
          lines: v.lines.map(line(t)),
        };
      }),
      totals: j.totals.map((x) => {
        const t = token(x.currency);
        return { currency: t, vouchers: x.vouchers, lines: x.lines, debit: amount(x.debit, t), credit: amount(x.credit, t) };
      }),
    };
  },

  trialBalance: (_: unknown, args: { entity: string; asOf: string; mapping?: string | null }, ctx: Context) => {
    const { entity, balances } = computeTrialBalance(ctx.db, args, ctx.accountMappings);
    const token = tokens(ctx.db);
    return balances.map((b) => {
      const t = token(b.currency);
      return {
        entity,
        asOf: b.asOf,
        currency: t,
        taxExclusive: true,
        note: TAX_NOTE,
        vouchers: b.vouchers,
        accounts: b.accounts.map((a) => ({
          code: a.code,
          name: a.name,
          debit: amount(a.debit, t),
          credit: amount(a.credit, t),
          closingDebit: amount(a.closingDebit, t),
          closingCredit: amount(a.closingCredit, t),
        })),
        checks: b.checks.map((c) => ({ name: c.name, expected: c.expected.toString(), actual: c.actual.toString(), ok: c.ok })),
        checksPass: b.checks.every((c) => c.ok),
      };
    });
  },
};
