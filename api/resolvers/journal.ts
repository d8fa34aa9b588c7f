// journal(entity, from, to) and trialBalance(entity, asOf): the vouchers (会计分录) of an entity's data assets and the
// closing balances they add up to, computed by api/journal.ts from the entity's books and entries (as the balance
// sheet reads them, with their chain coordinates), its settlements as a seller, the royalty lines crediting it and
// the remedies of licences it sold. The accounts come from the entity's mapping: the `mapping` argument (JSON text),
// else the file <entity>.json in the server's ACCOUNT_MAPPINGS directory, else the default chart.
import type { Database } from "better-sqlite3";
import { GraphQLError } from "graphql";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { BookRow } from "../accounting";
import { prepared, type Context } from "../context";
import { address, badInput, endOfDay } from "../inputs";
import {
  JOURNAL_COLUMNS,
  TAX_NOTE,
  JournalInputError,
  chartOf,
  checkPeriod,
  chartRows,
  journal,
  trialBalance,
  type AssetInfo,
  type Chart,
  type Journal,
  type JournalEntryRow,
  type LedgerRows,
  type Voucher,
  type RemedyRow,
  type RoyaltyRow,
  type SaleRow,
  type VoucherLine,
} from "../journal";
import { amount, formatUnits, unknownToken, type TokenRow } from "../money";
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

/** The rows of `sql` (result columns `columns`) as SQLite's JSON text: an array of objects, or of arrays (`arrays`). */
function jsonText(db: Database, columns: readonly string[], sql: string, params: unknown[], arrays = false): string {
  const row = arrays ? `json_array(${columns.map((c) => `"${c}"`).join(", ")})` : `json_object(${columns.map((c) => `'${c}', "${c}"`).join(", ")})`;
  return prepared(db, `SELECT json_group_array(${row}) FROM (${sql})`).pluck().get(...params) as string;
}

/** Everything the journal of `entity` (checksummed) is computed from, in a handful of indexed queries. */
export function ledgerRowsOf(db: Database, entity: string): LedgerRows {
  return readLedger(db, entity).rows;
}

/**
 * The rows of ledgerRowsOf, and their fingerprint: a hash of every value read (the entity's books, entries, sales,
 * royalties and remedies, the assets they name, every token's row). The journal, its GraphQL objects and its
 * downloads are functions of these rows (and of the period and mapping), so equal fingerprints give equal answers.
 */
function readLedger(db: Database, entity: string): { rows: LedgerRows; tokens: Map<string, TokenRow>; fingerprint: string } {
  const texts: string[] = [];
  const read = <T>(columns: readonly string[], sql: string, ...params: unknown[]): T[] => {
    const text = jsonText(db, columns, sql, params);
    texts.push(text);
    return JSON.parse(text) as T[];
  };
  const books = read<BookRow>(BOOK_COLUMNS, `SELECT ${BOOK_COLUMNS} FROM books WHERE entity = ?`, entity);
  const entries = new Map<number, JournalEntryRow[]>(books.map((b) => [b.id, []]));
  // The most rows of the journal (several per book): as arrays (shorter text), made into objects of these columns.
  const entryText = jsonText(
    db,
    ENTRY_COLUMNS,
    `SELECT ${ENTRY_COLUMNS.map((c) => `e.${c}`)} FROM book_entries e JOIN books b ON b.id = e.book_id WHERE b.entity = ?`,
    [entity],
    true,
  );
  texts.push(entryText);
  for (const r of JSON.parse(entryText) as unknown[][]) {
    entries.get(r[0] as number)!.push({
      book_id: r[0] as number,
      seq: r[1] as number,
      kind: r[2] as string,
      date: r[3] as number,
      amount: r[4] as string | null,
      source: r[5] as string | null,
      phase: r[6] as string | null,
      useful_life_months: r[7] as number | null,
      reason: r[8] as string | null,
      proceeds: r[9] as string | null,
      block_number: r[10] as number,
      tx_hash: r[11] as string,
      log_index: r[12] as number,
    } as JournalEntryRow);
  }
  // Settlements of orders the entity sold (orders by seller is indexed).
  const sales = read<SaleRow>(
    SALE_COLUMNS,
    `SELECT ${SALE_COLUMNS.map((c) => `s.${c}`)} FROM settlements s
     WHERE s.order_id IN (SELECT id FROM orders WHERE seller = ? AND status IN ('Settled', 'Remedied')) AND s.seller = ?`,
    entity,
    entity,
  );
  const royalties = read<RoyaltyRow>(
    ROYALTY_COLUMNS,
    `SELECT l.order_id, l.position, s.asset_id, l.source_asset_id, s.token, l.amount, s.settled_at, s.block_number, s.tx_hash,
       s.log_index
     FROM settlement_lines l JOIN settlements s ON s.order_id = l.order_id WHERE l.payee = ? AND l.kind = 'Royalty'`,
    entity,
  );
  const remedies = read<RemedyRow>(
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
      const found = read<AssetInfo & { id: number }>(
        ["id", "registration_number", "name"],
        `SELECT id, registration_number, name FROM assets WHERE id IN (${chunk.map(() => "?").join(",")})`,
        ...chunk,
      );
      for (const a of found) assets.set(a.id, { registration_number: a.registration_number, name: a.name });
    }
  }
  // The tokens (a handful): decimals for amounts in words; the whole rows for the answer's currencies.
  const tokenRows = read<TokenRow>(["address", "allowed", "decimals", "symbol"], "SELECT address, allowed, decimals, symbol FROM tokens");
  const decimals = new Map(tokenRows.map((t) => [t.address, t.decimals]));
  const hash = createHash("sha256");
  for (const t of texts) hash.update(t).update("\u0000");
  return {
    rows: { books, entries, assets, sales, royalties, remedies, decimals },
    tokens: new Map(tokenRows.map((t) => [t.address, t])),
    fingerprint: hash.digest("base64"),
  };
}

/** Largest mapping accepted (JSON text): a chart of a few hundred accounts and per-book settings. */
const MAX_MAPPING_BYTES = 256 * 1024;

/** Where an entity's mapping comes from: its text, what to call it in errors, and the error code of a mistake in it. */
interface MappingSource {
  text: string;
  where: string;
  code: string;
}

/** The mapping of `entity`: `mappingText` (the argument), else `<dir>/<entity>.json`, else none (the defaults). */
function mappingSource(entity: string, mappingText: string | null | undefined, dir: string | null | undefined): MappingSource | null {
  if (mappingText !== null && mappingText !== undefined) return { text: mappingText, where: "mapping", code: "BAD_USER_INPUT" };
  const file = dir ? [join(dir, `${entity}.json`), join(dir, `${entity.toLowerCase()}.json`)].find((f) => existsSync(f)) : undefined;
  if (!file) return null;
  return { text: readFileSync(file, "utf8"), where: `account mapping ${file}`, code: "ACCOUNT_MAPPING_INVALID" };
}

function chartOfSource(entity: string, source: MappingSource | null): Chart {
  if (!source) return chartOf();
  const { text, where, code } = source;
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

/**
 * The chart of accounts of `entity`: from `mappingText` (the argument; a mistake in it is the user's), else from
 * `<dir>/<entity>.json` (checksummed or lowercase name; a mistake there is the server's configuration), else defaults.
 */
export function chartFor(entity: string, mappingText: string | null | undefined, dir: string | null | undefined): Chart {
  return chartOfSource(entity, mappingSource(entity, mappingText, dir));
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
function pageStart(cursor: string, from: string, to: string, numbers: ReadonlyMap<string, number>): number {
  const m = /^j:(\d{4}-\d{2}-\d{2}):(\d{4}-\d{2}-\d{2}):(.{1,40})$/.exec(Buffer.from(cursor, "base64url").toString());
  if (!m) throw badInput(`after: "${cursor}" is not a journal cursor from this API (use pageInfo.endCursor)`);
  if (m[1] !== from || m[2] !== to) throw badInput(`after: the cursor is for the journal of ${m[1]}..${m[2]}, not ${from}..${to}`);
  const i = numbers.get(m[3]);
  if (i === undefined) throw badInput(`after: voucher ${m[3]} is not in the journal of ${from}..${to} any more (the index changed); start again without \`after\``);
  return i + 1;
}

// ---------------------------------------------------------------- the journal cache

/** A journal computed from the index, with what was made of it (GraphQL objects, import rows, CSV, XLSX). */
export interface ComputedJournal {
  entity: string;
  chart: Chart;
  journal: Journal;
  /** The tokens' rows, read with the journal's rows (the answer's currencies). */
  tokens: ReadonlyMap<string, TokenRow>;
  /** Products of the journal by name (see `derived`), kept with it in the cache. */
  readonly made: Map<string, unknown>;
}

/** `make()` of `c`, made once per computed journal (and kept with it while it is cached). */
function derived<T>(c: ComputedJournal, name: string, make: () => T): T {
  if (c.made.has(name)) return c.made.get(name) as T;
  const v = make();
  c.made.set(name, v);
  return v;
}

/**
 * The state of the index as this connection sees it: SQLite's data_version changes whenever another connection (the
 * indexer, in this process or another) commits a change to the file, and total_changes() with this connection's own
 * writes. Two reads with the same version read the same rows; a new block, a reorganisation, a migration all change it.
 */
function indexVersion(db: Database): string {
  const r = prepared(db, "SELECT (SELECT data_version FROM pragma_data_version) AS v, total_changes() AS c").get() as { v: number; c: number };
  return `${r.v}.${r.c}`;
}

/**
 * Journals computed lately, per connection, keyed by (entity, period, mapping text) and valid for the index version
 * they were read at: a request at the same version gets the same journal (and the pages after a first page the same
 * vouchers) without reading the index again. After any change to the index the entity's rows are read again (in one
 * transaction with the version): if their fingerprint is the journal's, nothing it is made of changed and it is kept
 * (with its downloads); else it is computed afresh. Bounded: at most JOURNAL_CACHE_ENTRIES journals and
 * JOURNAL_CACHE_LINES voucher lines in all (about 25 MB a year of a 1,400-book entity with its GraphQL objects, CSV
 * and XLSX; the least recently used go first; a bigger journal is not kept), and none unused for JOURNAL_CACHE_MS.
 */
const journalCaches = new WeakMap<Database, Map<string, { version: string; fingerprint: string; at: number; lines: number; value: ComputedJournal }>>();
export const JOURNAL_CACHE_ENTRIES = 16;
export const JOURNAL_CACHE_LINES = 100_000;
export const JOURNAL_CACHE_MS = 5 * 60_000;

function cacheOf(db: Database) {
  let cache = journalCaches.get(db);
  if (!cache) journalCaches.set(db, (cache = new Map()));
  return cache;
}

/** Forgets the journals computed from `db` (tests). */
export function forgetJournals(db: Database): void {
  journalCaches.delete(db);
}

/** The journal of a period, checked arguments, and the chart in force (for GraphQL and the CSV / XLSX exports). */
export function computeJournal(db: Database, args: JournalArgs, mappingsDir?: string | null): ComputedJournal {
  const entity = address("entity", args.entity);
  endOfDay("from", args.from);
  endOfDay("to", args.to);
  checked(() => checkPeriod(args.from, args.to));
  const source = mappingSource(entity, args.mapping, mappingsDir);
  const chart = chartOfSource(entity, source);
  const key = JSON.stringify([entity, args.from, args.to, source?.where ?? null, source?.text ?? null]);
  const cache = cacheOf(db);
  const now = Date.now();
  const old = cache.get(key);
  if (old) cache.delete(key);
  const kept = old && now - old.at <= JOURNAL_CACHE_MS ? old : undefined;
  if (kept && kept.version === indexVersion(db)) {
    kept.at = now;
    cache.set(key, kept); // most recently used last
    return kept.value;
  }
  // The rows and the version they are at, in one read transaction (one snapshot of the index).
  const { version, ledger } = db.transaction(() => ({ version: indexVersion(db), ledger: readLedger(db, entity) }))();
  if (kept && kept.fingerprint === ledger.fingerprint) {
    // The index changed, but nothing this journal is made of (e.g. a block of other entities' activity): the same
    // journal, now valid at the new version.
    Object.assign(kept, { version, at: now });
    cache.set(key, kept);
    return kept.value;
  }
  const j = checked(() => journal(ledger.rows, chart, args.from, args.to));
  const value: ComputedJournal = { entity, chart, journal: j, tokens: ledger.tokens, made: new Map() };
  const lines = j.totals.reduce((n, t) => n + t.lines, 0);
  if (lines <= JOURNAL_CACHE_LINES) {
    cache.set(key, { version, fingerprint: ledger.fingerprint, at: now, lines, value });
    let total = 0;
    for (const [k, e] of cache) {
      if (now - e.at > JOURNAL_CACHE_MS) cache.delete(k);
      else total += e.lines;
    }
    for (const [k, e] of cache) {
      if (cache.size <= JOURNAL_CACHE_ENTRIES && total <= JOURNAL_CACHE_LINES) break;
      cache.delete(k);
      total -= e.lines;
    }
  }
  return value;
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

/**
 * The journal's vouchers as the GraphQL answer gives them: plain objects with the schema's fields and nothing else,
 * made once per computed journal as pages ask for them (`page(start, end)`), with the voucher numbers' positions for
 * cursors.
 */
function graphqlVouchers(c: ComputedJournal) {
  return derived(c, "graphql", () => {
    const token = (address: string) => c.tokens.get(address) ?? unknownToken(address);
    // One zero Amount per token, shared by the lines' empty sides.
    const zero = new Map<string, ReturnType<typeof amount>>();
    const money = (v: bigint, t: TokenRow) => {
      if (v !== 0n) return amount(v, t);
      let z = zero.get(t.address);
      if (!z) zero.set(t.address, (z = amount(0n, t)));
      return z;
    };
    const shape = (v: Voucher) => {
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
        lines: v.lines.map((l: VoucherLine) => ({
          account: l.account,
          role: l.role,
          debit: money(l.debit, t),
          credit: money(l.credit, t),
          assetId: l.assetId,
          registrationNumber: l.registrationNumber,
          assetName: l.assetName,
          bookId: l.bookId,
          evidence: l.evidence,
        })),
      };
    };
    const vouchers = c.journal.vouchers;
    const shaped: ReturnType<typeof shape>[] = new Array(vouchers.length);
    const page = (start: number, end: number) => {
      for (let i = start; i < end; i++) if (shaped[i] === undefined) shaped[i] = shape(vouchers[i]);
      return start === 0 && end === shaped.length ? shaped : shaped.slice(start, end);
    };
    const totals = c.journal.totals.map((x) => {
      const t = token(x.currency);
      return { currency: t, vouchers: x.vouchers, lines: x.lines, debit: amount(x.debit, t), credit: amount(x.credit, t) };
    });
    return { page, totals, chart: chartRows(c.chart), numbers: new Map(vouchers.map((v, i) => [v.number, i])) };
  });
}

/**
 * The journal as an ERP voucher import: one row of JOURNAL_COLUMNS per voucher line (凭证日期, 凭证字号, 摘要, 科目编码,
 * 科目名称, 借方金额, 贷方金额, 辅助核算, 币种, 证据交易), amounts as exact decimals in the token's units (raw minor
 * units where its decimals are unknown), the other side empty; `first[i]`: the row of voucher i's first line. Made
 * once per computed journal: the CSV, the XLSX and the GraphQL `table` are cut from it.
 */
export function importRows(c: ComputedJournal): { rows: string[][]; first: number[] } {
  return derived(c, "importRows", () => {
    const units = new Map<string, { symbol: string; fmt: (v: bigint) => string }>();
    const unitsOf = (currency: string) => {
      let u = units.get(currency);
      if (!u) {
        const t = c.tokens.get(currency) ?? unknownToken(currency);
        units.set(currency, (u = { symbol: t.symbol ?? currency, fmt: (v) => (t.decimals === null ? v.toString() : formatUnits(v, t.decimals)) }));
      }
      return u;
    };
    const rows: string[][] = [];
    const first: number[] = [];
    for (const v of c.journal.vouchers) {
      const { symbol, fmt } = unitsOf(v.currency);
      first.push(rows.length);
      for (const l of v.lines) {
        rows.push([
          v.date,
          v.number,
          v.summary,
          l.account.code,
          l.account.name,
          l.debit === 0n ? "" : fmt(l.debit),
          l.credit === 0n ? "" : fmt(l.credit),
          l.registrationNumber ?? (l.assetId === null ? "" : `资产 ${l.assetId}`),
          symbol,
          l.evidence?.txHash ?? "",
        ]);
      }
    }
    first.push(rows.length);
    return { rows, first };
  });
}

/** A product of the journal (the CSV, the XLSX) made once per computed journal. */
export function journalProduct<T>(c: ComputedJournal, name: string, make: () => T): T {
  return derived(c, `product:${name}`, make);
}

export const journalQueries = {
  journal: (_: unknown, args: JournalArgs & { first?: number | null; after?: string | null }, ctx: Context) => {
    const first = args.first ?? null;
    if (first !== null && (!Number.isInteger(first) || first < 1 || first > MAX_JOURNAL_PAGE)) {
      throw badInput(`first: ${first} is not a page size from 1 to ${MAX_JOURNAL_PAGE}`);
    }
    // Computed once per index version (computeJournal's cache): the pages after a first page are cut from the same
    // journal while the index does not change.
    const computed = computeJournal(ctx.db, args, ctx.accountMappings);
    const { entity, journal: j } = computed;
    const shaped = graphqlVouchers(computed);
    // The page: vouchers after the cursor (in number order), `first` of them (all without `first`).
    const start = args.after !== null && args.after !== undefined ? pageStart(args.after, j.from, j.to, shaped.numbers) : 0;
    const end = first === null ? j.vouchers.length : Math.min(j.vouchers.length, start + first);
    const whole = start === 0 && end === j.vouchers.length;
    return {
      entity,
      from: j.from,
      to: j.to,
      taxExclusive: true,
      note: TAX_NOTE,
      chart: shaped.chart,
      pageInfo: {
        hasNextPage: end < j.vouchers.length,
        endCursor: end > start ? journalCursor(j.from, j.to, j.vouchers[end - 1].number) : null,
      },
      vouchers: shaped.page(start, end),
      totals: shaped.totals,
      // Made only when asked for (a getter: compiled queries read properties, api/jit.ts).
      get table() {
        const { rows, first: at } = importRows(computed);
        return { columns: JOURNAL_COLUMNS, rows: whole ? rows : rows.slice(at[start], at[end]) };
      },
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
