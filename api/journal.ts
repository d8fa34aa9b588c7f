// Journal entries (会计分录) for the general ledger (DOMAIN.md §5, "Journal entries"): every ledger event of an
// entity's data assets as a balanced voucher an accountant posts into an ERP (用友, 金蝶), and the trial balance of the
// data-asset accounts that the vouchers add up to, reconciled with the balance sheet of api/accounting.ts. Pure and
// deterministic: the rows the accounting module reads (books, their dated entries) plus the entity's settlements,
// royalty lines and licence remedies in, vouchers out; no I/O, no clock, no floating point.
//
// Conventions (quoted by the API documentation):
// - Amounts are bigint minor units of one currency (a token); a voucher is in one currency and totals are per
//   currency, never summed across tokens. Amounts are tax-exclusive: VAT is out of scope (TAX_NOTE).
// - Accounts: the default chart (DEFAULT_ACCOUNTS) of 企业会计准则 with 数据资源 sub-accounts; each posting names a
//   role (ROLES), and an entity's mapping (chartOf) may point a role at another account of the chart or at an account
//   of its own, and choose the amortisation account per book.
// - Dates are UTC+8 calendar days, as in api/accounting.ts. A ledger entry's voucher is dated on the entry's day;
//   a sale, a royalty or a remedy on the day of its block. Each month's amortisation is one voucher per currency dated
//   on the month's last day (a line pair per book: expense, 累计摊销), for the months api/accounting.ts charges (from
//   the ready month, within the useful life, none in or after the month of derecognition), with the same amounts
//   (monthlyCharges), so the vouchers of a book add up to its accumulated amortisation. The month's research-phase
//   costs move from 研发支出—费用化支出 to 管理费用—研发费用 in a voucher on the same day.
// - Order and numbers: vouchers are numbered per entity and month (记-YYYYMM-NNNN) in date order, then chain order
//   (block, log index). On a month's last day the month-end vouchers (amortisation, then the research transfer) come
//   after that day's entries, except that a book's impairment of that day and its entries after it come after them:
//   the impairment is measured against the carrying amount after the month's charge, and re-bases from the next
//   month. A voucher's number depends on every voucher of its month, so an entry recorded later but dated earlier in
//   a month renumbers the vouchers after it.
// - Sales: a settlement on the exchange where the entity is the seller and holds a book of the asset that day is a
//   licence sale (or an inventory sale): 1002 the seller's net, 6601 the exchange fee and the merchant commission,
//   6401 the royalties paid upstream, against revenue (gross). A derecognition by sale is linked to the settlement
//   that sold the book's asset (by the entity, in the book's currency): the latest transfer of the holding right (or
//   of a rights certificate the entity held: a HoldingTransfer listing with its certificate) settled from the book's
//   recognition to the derecognition's day, else a licence settled on the derecognition's day. Its proceeds are then
//   that settlement's, in the derecognition's one voucher (dated as the derecognition), and the settlement has no
//   voucher of its own; without a link, the proceeds recorded with the derecognition.
// - A royalty line of a settlement crediting the entity is income (1002 against 6051), named by the upstream asset.
// - A licence remedy (DataExchange.remedyLicence) after a sale that has a voucher reverses it in red ink (negative
//   amounts, never a deletion): the original voucher's cash and revenue lines for the refund paid out of the seller's
//   credits. The fee, commission and royalties were paid and are not returned by a remedy, so their lines stand; a
//   shortfall the seller had already withdrawn is left to the parties (named in the summary, not booked).
import {
  CST_OFFSET,
  balanceSheet,
  dateOf,
  endOfDay,
  formatDate,
  lastMonthEndedBy,
  monthOf,
  monthStart,
  monthlyCharges,
  parseDate,
  type BookRow,
  type Check,
  type EntryRow,
} from "./accounting";
import { formatUnits } from "./money";


/** Input the user can correct: a period, or an account mapping (turned into BAD_USER_INPUT by the resolver). */
export class JournalInputError extends Error {}

/** What every journal and trial balance says about tax. */
export const TAX_NOTE =
  "Amounts are tax-exclusive (不含税): VAT is out of scope, so cash (1002 银行存款) will not equal a bank statement " +
  "that includes VAT.";

/** The columns of the journal as an ERP voucher import (CSV, XLSX, and the GraphQL `table`), in order. */
export const JOURNAL_COLUMNS = ["凭证日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "辅助核算", "币种", "证据交易"] as const;

/** The longest period one journal covers. */
export const MAX_PERIOD_YEARS = 10;

// ---------------------------------------------------------------- chart of accounts

/** The default chart: accounts of 企业会计准则 with the 数据资源 sub-accounts practice uses (DOMAIN.md §5). */
export const DEFAULT_ACCOUNTS: Readonly<Record<string, string>> = {
  "1002": "银行存款",
  "1403": "原材料—数据资源",
  "1405": "库存商品—数据资源",
  "1471": "存货跌价准备—数据资源",
  "1701": "无形资产—数据资源",
  "1702": "累计摊销—数据资源",
  "1703": "无形资产减值准备—数据资源",
  "5001": "生产成本—数据资源",
  "5301": "研发支出—数据资源",
  "530101": "研发支出—数据资源—资本化支出",
  "530102": "研发支出—数据资源—费用化支出",
  "6001": "主营业务收入",
  "6051": "其他业务收入",
  "6115": "资产处置损益",
  "6401": "主营业务成本",
  "6402": "其他业务成本",
  "6601": "销售费用",
  "6602": "管理费用",
  "660201": "管理费用—研发费用",
  "660202": "管理费用—无形资产摊销",
  "6701": "资产减值损失",
  "6711": "营业外支出",
};

/** Every posting role: its default account and what it posts. A mapping's `roles` may point each at another account. */
export const ROLES = {
  cash: ["1002", "cash: purchased costs paid, sale proceeds, royalties received"],
  selfDevelopedCredit: ["1002", "credit of self-developed and self-processed costs (e.g. 2211 应付职工薪酬)"],
  otherSourceCredit: ["1002", "credit of costs obtained otherwise (source Other; e.g. 4001 实收资本 for a contribution)"],
  intangible: ["1701", "intangible assets: cost"],
  accumulatedAmortisation: ["1702", "accumulated amortisation"],
  intangibleImpairment: ["1703", "impairment of intangible assets"],
  developmentImpairment: ["1703", "impairment of development expenditure (moved with it when ready for use)"],
  inventoryPurchased: ["1405", "inventory: purchased costs (e.g. 1403 for purchased input)"],
  inventoryProcessed: ["1405", "inventory: self-processed costs (e.g. 5001 for data in process)"],
  inventoryOther: ["1405", "inventory: costs obtained otherwise"],
  inventoryWriteDown: ["1471", "inventory write-down"],
  developmentCapitalised: ["530101", "development-phase costs (资本化支出)"],
  developmentExpensed: ["530102", "research-phase costs (费用化支出) until the month end"],
  researchExpense: ["660201", "research-phase costs expensed at each month end (研发费用)"],
  amortisationExpense: ["660202", "monthly amortisation, unless a book sets its own (6401, 6402, 5001 ...)"],
  impairmentLoss: ["6701", "impairment, write-down and its reversal"],
  salesRevenue: ["6001", "revenue of inventory sold"],
  licenceRevenue: ["6001", "revenue of licences sold by the holder of an intangible (e.g. 6051)"],
  royaltyIncome: ["6051", "royalties received from sales of derived assets (e.g. 6001)"],
  costOfSales: ["6401", "cost of inventory sold"],
  royaltyExpense: ["6401", "royalties paid upstream on the entity's sales (e.g. 6402)"],
  sellingExpense: ["6601", "exchange fee and data-merchant commission"],
  disposalGainLoss: ["6115", "gain or loss on the sale of an intangible or development asset"],
  lapseLoss: ["6711", "carrying amount lost at a lapse (失效且终止确认) or other derecognition"],
} as const;
export type Role = keyof typeof ROLES;
const ROLE_NAMES = Object.keys(ROLES) as Role[];

export interface Account {
  code: string;
  name: string;
}

/** The accounts in force for one entity: the chart, each role's account, and per-book amortisation accounts. */
export interface Chart {
  /** Every account of the chart (defaults and the mapping's own), by code. */
  accounts: Map<string, Account>;
  roles: Record<Role, Account>;
  /** A book's amortisation account where the mapping sets one. */
  bookAmortisation: Map<number, Account>;
  /** The entity the mapping names, if it names one. */
  entity: string | null;
}

const CODE = /^\d{4}(?:[.-]?\d{1,6}){0,6}$/;
const MAPPING_KEYS = ["entity", "accounts", "roles", "books"];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The chart of accounts for a mapping (null: the defaults). A mapping is a JSON object:
 * `{ "entity": "0x…", "accounts": { "<code>": "<name>" }, "roles": { "<role>": "<code>" },
 *    "books": { "<book id>": { "amortisation": "<code>" } } }`, every key optional. `accounts` adds the entity's own
 * accounts (or renames a default one); `roles` points a role (ROLES) at an account of the chart; `books` sets a book's
 * amortisation account. Anything else (an unknown key or role, a code missing or in no chart, a malformed code or
 * name) throws a JournalInputError naming it, prefixed with `where` (e.g. the mapping file's name).
 */
export function chartOf(mapping: unknown = null, where = "mapping"): Chart {
  const fail = (message: string): never => {
    throw new JournalInputError(`${where}${message}`);
  };
  const accounts = new Map<string, Account>(Object.entries(DEFAULT_ACCOUNTS).map(([code, name]) => [code, { code, name }]));
  const chart: Chart = {
    accounts,
    roles: Object.fromEntries(ROLE_NAMES.map((r) => [r, accounts.get(ROLES[r][0])!])) as Record<Role, Account>,
    bookAmortisation: new Map(),
    entity: null,
  };
  if (mapping === null || mapping === undefined) return chart;
  if (!isObject(mapping)) return fail(": not a JSON object (expected { accounts, roles, books })");
  for (const key of Object.keys(mapping)) {
    if (!MAPPING_KEYS.includes(key)) fail(`: unknown key ${JSON.stringify(key)} (expected ${MAPPING_KEYS.join(", ")})`);
  }
  if (mapping.entity !== undefined) {
    if (typeof mapping.entity !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(mapping.entity)) {
      fail(`.entity: ${JSON.stringify(mapping.entity)} is not an address`);
    }
    chart.entity = mapping.entity as string;
  }
  const own = mapping.accounts ?? {};
  if (!isObject(own)) fail(".accounts: not an object of code: name");
  for (const [code, name] of Object.entries(own as Record<string, unknown>)) {
    if (!CODE.test(code)) fail(`.accounts: ${JSON.stringify(code)} is not an account code (4 digits, then digits, optionally separated by . or -)`);
    if (typeof name !== "string" || !name.trim() || name.length > 60 || /[\u0000-\u001f]/.test(name)) {
      fail(`.accounts.${code}: the name must be text of 1 to 60 characters, got ${JSON.stringify(name)}`);
    }
    accounts.set(code, { code, name: (name as string).trim() });
  }
  // Defaults renamed by `accounts` apply to the roles posting to them.
  for (const r of ROLE_NAMES) chart.roles[r] = accounts.get(ROLES[r][0])!;
  const known = (code: unknown, at: string): Account => {
    if (code === undefined || code === null || code === "") return fail(`${at}: missing account code`);
    if (typeof code !== "string") return fail(`${at}: ${JSON.stringify(code)} is not an account code (a string such as "6602")`);
    const account = accounts.get(code);
    if (!account) {
      return fail(
        `${at}: unknown account ${JSON.stringify(code)}: not in the default chart (${Object.keys(DEFAULT_ACCOUNTS).join(", ")}) ` +
          `nor declared under ${where}.accounts`,
      );
    }
    return account;
  };
  const roles = mapping.roles ?? {};
  if (!isObject(roles)) fail(".roles: not an object of role: code");
  for (const [role, code] of Object.entries(roles as Record<string, unknown>)) {
    if (!(ROLE_NAMES as string[]).includes(role)) fail(`.roles: unknown role ${JSON.stringify(role)} (roles: ${ROLE_NAMES.join(", ")})`);
    chart.roles[role as Role] = known(code, `.roles.${role}`);
  }
  const books = mapping.books ?? {};
  if (!isObject(books)) fail(".books: not an object of book id: { amortisation }");
  for (const [id, spec] of Object.entries(books as Record<string, unknown>)) {
    if (!/^[1-9]\d{0,15}$/.test(id)) fail(`.books: ${JSON.stringify(id)} is not a book id`);
    if (!isObject(spec)) fail(`.books.${id}: not an object such as { "amortisation": "6401" }`);
    for (const key of Object.keys(spec as object)) if (key !== "amortisation") fail(`.books.${id}: unknown key ${JSON.stringify(key)} (expected amortisation)`);
    chart.bookAmortisation.set(Number(id), known((spec as Record<string, unknown>).amortisation, `.books.${id}.amortisation`));
  }
  return chart;
}

/** The chart as rows (code order) with the roles posting to each account. */
export function chartRows(chart: Chart): { code: string; name: string; roles: Role[] }[] {
  return [...chart.accounts.values()]
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
    .map((a) => ({ ...a, roles: ROLE_NAMES.filter((r) => chart.roles[r].code === a.code) }));
}

// ---------------------------------------------------------------- rows in

/** A `book_entries` row with its chain coordinates (absent in hand-built rows: no evidence then). */
export interface JournalEntryRow extends EntryRow {
  block_number?: number | null;
  tx_hash?: string | null;
  log_index?: number | null;
}

/** The registration number and name of an asset (for the lines' 辅助核算). */
export interface AssetInfo {
  registration_number: string | null;
  name: string;
}

/** A settlement where the entity is the seller, with the log index of its Settled event. */
export interface SaleRow {
  order_id: number;
  asset_id: number;
  offer: string;
  token: string;
  gross: string;
  exchange_fee: string;
  merchant_commission: string;
  royalty_total: string;
  seller_net: string;
  settled_at: number;
  block_number?: number | null;
  tx_hash?: string | null;
  log_index?: number | null;
}

/** A royalty line of a settlement crediting the entity (`source_asset_id`: its upstream asset that earned it). */
export interface RoyaltyRow {
  order_id: number;
  position: number;
  asset_id: number;
  source_asset_id: number;
  token: string;
  amount: string;
  settled_at: number;
  block_number?: number | null;
  tx_hash?: string | null;
  log_index?: number | null;
}

/** A licence remedy (LicenceRemedied) of an order the entity sold. */
export interface RemedyRow {
  order_id: number;
  refund_ordered: string;
  refund_paid: string;
  remedied_at: number;
  block_number?: number | null;
  tx_hash?: string | null;
  log_index?: number | null;
}

/** Everything a journal is computed from, for one entity. */
export interface LedgerRows {
  books: readonly BookRow[];
  entries: ReadonlyMap<number, readonly JournalEntryRow[]>;
  assets: ReadonlyMap<number, AssetInfo>;
  sales: readonly SaleRow[];
  royalties: readonly RoyaltyRow[];
  remedies: readonly RemedyRow[];
  /** Decimals of the currencies, for amounts in words (a summary); raw minor units where unknown. */
  decimals?: ReadonlyMap<string, number | null>;
}

// ---------------------------------------------------------------- vouchers out

/** Where a line's event is on the chain (null for hand-built rows). */
export interface Evidence {
  txHash: string;
  blockNumber: number;
  logIndex: number;
}

export interface VoucherLine {
  account: Account;
  /** The posting role that chose the account (ROLES). */
  role: Role;
  /** One of debit and credit is 0; both are negative on a red-ink voucher. */
  debit: bigint;
  credit: bigint;
  assetId: number | null;
  registrationNumber: string | null;
  assetName: string | null;
  bookId: number | null;
  /** The event behind the line: the entry, settlement or remedy; for a month-end line the entry that set the
   *  book's schedule (amortisation) or its last research cost of the month. */
  evidence: Evidence | null;
}

export const VOUCHER_KINDS = [
  "Cost",
  "ResearchCost",
  "DevelopmentCost",
  "ResearchExpensed",
  "ReadyForUse",
  "Amortisation",
  "Impairment",
  "WriteDown",
  "WriteDownReversal",
  "InventorySale",
  "LicenceSale",
  "RoyaltyReceived",
  "Disposal",
  "Lapse",
  "OtherDerecognition",
  "Reversal",
] as const;
export type VoucherKind = (typeof VOUCHER_KINDS)[number];

export interface Voucher {
  /** 记-YYYYMM-NNNN: per entity and month, in date then chain order. */
  number: string;
  /** YYYY-MM-DD (UTC+8). */
  date: string;
  kind: VoucherKind;
  /** 摘要: what happened, in words. */
  summary: string;
  currency: string;
  /** A red-ink (negative) reversal of `reverses`. */
  redInk: boolean;
  reverses: string | null;
  /** The exchange order behind a sale, royalty or reversal. */
  orderId: number | null;
  lines: VoucherLine[];
}

export interface JournalTotal {
  currency: string;
  vouchers: number;
  lines: number;
  debit: bigint;
  credit: bigint;
}

export interface Journal {
  from: string;
  to: string;
  vouchers: Voucher[];
  totals: JournalTotal[];
}

// ---------------------------------------------------------------- dates

const DAY = 24 * 60 * 60;
const dayNumber = (t: number) => Math.floor((t + CST_OFFSET) / DAY);
const dayName = (t: number) => formatDate(dateOf(t));
const isLastDayOfMonth = (t: number) => dateOf(t + DAY).day === 1;
/** The last second (unix) of month number `m`. */
const monthEnd = (m: number) => monthStart(m + 1) - 1;
const yyyymm = (m: number) => `${Math.floor(m / 12)}${String((m % 12) + 1).padStart(2, "0")}`;
const monthWords = (m: number) => `${Math.floor(m / 12)}年${(m % 12) + 1}月`;

/**
 * Checks a journal period: real dates, `to` not before `from`, at most MAX_PERIOD_YEARS (to before the same day 10
 * years on). Throws a JournalInputError saying what to ask for instead.
 */
export function checkPeriod(from: string, to: string): void {
  let f, t;
  try {
    f = parseDate(from);
    t = parseDate(to);
  } catch (err) {
    throw new JournalInputError((err as Error).message);
  }
  if (endOfDay(to) < endOfDay(from)) throw new JournalInputError(`period ${from} to ${to} ends before it starts`);
  const limit = Date.UTC(f.year + MAX_PERIOD_YEARS, f.month - 1, f.day);
  if (Date.UTC(t.year, t.month - 1, t.day) >= limit) {
    const last = new Date(limit - DAY * 1000).toISOString().slice(0, 10);
    throw new JournalInputError(
      `period ${from} to ${to} is longer than ${MAX_PERIOD_YEARS} years; ask for at most ${MAX_PERIOD_YEARS} years at a time (${from} to ${last} at most)`,
    );
  }
}

// ---------------------------------------------------------------- building

/** A voucher before numbering, with its sort key. */
interface Draft {
  key: number[];
  time: number;
  kind: VoucherKind;
  summary: string;
  currency: string;
  redInk: boolean;
  reverses: Draft | null;
  orderId: number | null;
  lines: VoucherLine[];
  number?: string;
}

interface Ref {
  assetId: number | null;
  bookId: number | null;
  evidence: Evidence | null;
}

const evidenceOf = (r: { tx_hash?: string | null; block_number?: number | null; log_index?: number | null }): Evidence | null =>
  r.tx_hash ? { txHash: r.tx_hash, blockNumber: r.block_number ?? 0, logIndex: r.log_index ?? 0 } : null;

const SOURCE_WORDS: Record<string, string> = { Purchased: "外购", SelfDeveloped: "自行开发", Other: "其他方式" };
const INVENTORY_SOURCE_WORDS: Record<string, string> = { Purchased: "外购", SelfDeveloped: "自行加工", Other: "其他方式" };

/** A book with its entries in order and its derecognition. */
interface BookFacts {
  row: BookRow;
  entries: JournalEntryRow[];
  /** Derecognition entry, if any. */
  gone: JournalEntryRow | null;
}

/** A book with its month-end charges up to the window's end and their sum. */
type BookWithSchedule = BookFacts & { charges: { month: number; charge: bigint }[]; accumulated: bigint };

/** Whether the entity holds `b` on the UTC+8 day of `t` (recognised by its end, not derecognised before it). */
function holds(b: BookFacts, t: number): boolean {
  return b.row.recognised_on <= endOfDayAt(t) && (!b.gone || dayNumber(b.gone.date) >= dayNumber(t));
}
const endOfDayAt = (t: number) => (dayNumber(t) + 1) * DAY - CST_OFFSET - 1;

class Builder {
  readonly drafts: Draft[] = [];
  /** The voucher crediting each order's proceeds, and the revenue line reversed by a remedy. */
  readonly revenueOf = new Map<number, { draft: Draft; cash: VoucherLine; revenue: VoucherLine }>();

  /** The months whose month-end vouchers fall in the window. */
  readonly firstMonth: number;
  readonly lastMonth: number;

  constructor(
    readonly chart: Chart,
    readonly assets: ReadonlyMap<number, AssetInfo>,
    readonly w0: number,
    readonly w1: number,
  ) {
    this.firstMonth = w0 === -Infinity ? -Infinity : monthOf(w0); // its end is on or after w0
    this.lastMonth = lastMonthEndedBy(w1);
  }

  inWindow(t: number): boolean {
    return t >= this.w0 && t <= this.w1;
  }

  label(assetId: number | null): string {
    if (assetId === null) return "";
    const a = this.assets.get(assetId);
    return a ? `${a.name}（${a.registration_number ?? `资产 ${assetId}`}）` : `资产 ${assetId}`;
  }

  line(role: Role, debit: bigint, credit: bigint, ref: Ref, account = this.chart.roles[role]): VoucherLine {
    const a = ref.assetId === null ? undefined : this.assets.get(ref.assetId);
    return {
      account,
      role,
      debit,
      credit,
      assetId: ref.assetId,
      registrationNumber: a?.registration_number ?? null,
      assetName: a?.name ?? null,
      bookId: ref.bookId,
      evidence: ref.evidence,
    };
  }

  /** Lines from [role, signed amount] pairs: positive debits, negative credits, zeros left out; debits first. */
  lines(ref: Ref, postings: [Role, bigint, Account?][]): VoucherLine[] {
    const out = postings.filter(([, v]) => v !== 0n).map(([role, v, account]) => this.line(role, v > 0n ? v : 0n, v < 0n ? -v : 0n, ref, account));
    return [...out.filter((l) => l.debit !== 0n), ...out.filter((l) => l.debit === 0n)];
  }

  add(d: Omit<Draft, "redInk" | "reverses" | "orderId"> & Partial<Pick<Draft, "redInk" | "reverses" | "orderId">>): Draft | null {
    if (d.lines.length === 0) return null;
    const draft: Draft = { redInk: false, reverses: null, orderId: null, ...d };
    this.drafts.push(draft);
    return draft;
  }
}

/** The order in which vouchers are numbered: day, phase (0 entries, 1 month end, 2 after it), chain, then the rest. */
function compareKeys(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? -Infinity;
    const y = b[i] ?? -Infinity;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Chain position of a row for sorting (hand-built rows without one sort by time). */
const chainKey = (r: { block_number?: number | null; log_index?: number | null }) => [r.block_number ?? -1, r.log_index ?? -1];

/**
 * Links each derecognition by sale to the settlement it sold the asset in (see the header), by book id: the latest
 * HoldingTransfer (of the holding right, or of a certificate it held) of the book's asset by the entity in the book's
 * currency settled between the book's recognition and the end of the derecognition's day; else the latest settlement
 * of another offer (a licence) on the derecognition's day. A settlement is linked to one derecognition at most.
 */
function linkSales(books: readonly BookFacts[], sales: readonly SaleRow[]): Map<number, SaleRow> {
  const byBook = new Map<number, SaleRow>();
  const taken = new Set<number>();
  const byAsset = groupBy(sales, (s) => s.asset_id);
  const selling = books
    .filter((b) => b.gone && b.gone.reason === "Sale")
    .sort((x, y) => compareKeys([x.gone!.date, ...chainKey(x.gone!), x.row.id], [y.gone!.date, ...chainKey(y.gone!), y.row.id]));
  const latest = (list: SaleRow[]) => list.sort((x, y) => compareKeys([x.settled_at, ...chainKey(x)], [y.settled_at, ...chainKey(y)]))[list.length - 1];
  for (const b of selling) {
    const day = dayNumber(b.gone!.date);
    const own = (byAsset.get(b.row.asset_id) ?? []).filter((s) => !taken.has(s.order_id) && s.token === b.row.currency);
    const s =
      latest(own.filter((s) => s.offer === "HoldingTransfer" && s.settled_at >= b.row.recognised_on && dayNumber(s.settled_at) <= day)) ??
      latest(own.filter((s) => s.offer !== "HoldingTransfer" && dayNumber(s.settled_at) === day));
    if (s) {
      taken.add(s.order_id);
      byBook.set(b.row.id, s);
    }
  }
  return byBook;
}

function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/** Signed proceeds postings of a settlement: cash (seller's net), selling expense, royalties paid; revenue is the caller's. */
function settlementPostings(s: SaleRow, royaltyRole: Role): [Role, bigint][] {
  return [
    ["cash", BigInt(s.seller_net)],
    ["sellingExpense", BigInt(s.exchange_fee)],
    ["sellingExpense", BigInt(s.merchant_commission)],
    [royaltyRole, BigInt(s.royalty_total)],
  ];
}

/** The vouchers of one book's entries dated in the window, and its month-end lines (collected in `monthEnd`). */
function bookVouchers(
  b: Builder,
  book: BookWithSchedule,
  linked: SaleRow | undefined,
  amortisation: MonthEnd,
  research: MonthEnd,
): void {
  const { row } = book;
  const chart = b.chart;
  const name = b.label(row.asset_id);
  const base = { assetId: row.asset_id, bookId: row.id };
  // Balances kept per account role, from the first entry (a derecognition takes what the book holds then).
  let category = row.initial_category;
  let cost = 0n; // 1701
  let development = 0n; // 530101
  let developmentImpairment = 0n;
  let impairment = 0n; // 1703 (intangible) or 1471 (inventory)
  const inventory: Record<"inventoryPurchased" | "inventoryProcessed" | "inventoryOther", bigint> = {
    inventoryPurchased: 0n,
    inventoryProcessed: 0n,
    inventoryOther: 0n,
  };
  const INVENTORY_ROLE = { Purchased: "inventoryPurchased", SelfDeveloped: "inventoryProcessed", Other: "inventoryOther" } as const;
  const CREDIT_ROLE = { Purchased: "cash", SelfDeveloped: "selfDevelopedCredit", Other: "otherSourceCredit" } as const;
  // The month's research costs (for the month-end transfer) and the entry setting the amortisation schedule.
  const researchByMonth = new Map<number, { amount: bigint; evidence: Evidence | null }>();
  const scheduleSetters: JournalEntryRow[] = [];
  // Entries of a month's last day from the book's first impairment that day on come after the month-end vouchers.
  let impairedDay = -1;

  for (const e of book.entries) {
    const day = dayNumber(e.date);
    const lastDay = isLastDayOfMonth(e.date);
    if (lastDay && e.kind === "Impairment" && impairedDay !== day) impairedDay = day;
    const phase = lastDay && impairedDay === day ? 2 : 0;
    const emit = b.inWindow(e.date);
    const ref: Ref = { ...base, evidence: evidenceOf(e) };
    const key = [day, phase, ...chainKey(e), e.date, row.id, e.seq];
    const amount = e.amount ? BigInt(e.amount) : 0n;
    switch (e.kind) {
      case "Opened":
        scheduleSetters.push(e);
        break;
      case "Cost": {
        const source = (e.source ?? "Purchased") as keyof typeof CREDIT_ROLE;
        const credit = CREDIT_ROLE[source] ?? "cash";
        if (category === "Development") {
          const researchPhase = e.phase === "Research";
          if (researchPhase) {
            const m = monthOf(e.date);
            const r = researchByMonth.get(m) ?? { amount: 0n, evidence: null };
            researchByMonth.set(m, { amount: r.amount + amount, evidence: evidenceOf(e) ?? r.evidence });
          } else development += amount;
          if (emit) {
            b.add({
              key,
              time: e.date,
              kind: researchPhase ? "ResearchCost" : "DevelopmentCost",
              summary: researchPhase ? `数据资源研究阶段支出（费用化）：${name}` : `数据资源开发阶段支出（资本化）：${name}`,
              currency: row.currency,
              lines: b.lines(ref, [
                [researchPhase ? "developmentExpensed" : "developmentCapitalised", amount],
                [credit, -amount],
              ]),
            });
          }
        } else if (category === "Inventory") {
          const role = INVENTORY_ROLE[source] ?? "inventoryOther";
          inventory[role] += amount;
          if (emit) {
            b.add({
              key,
              time: e.date,
              kind: "Cost",
              summary: `数据资源存货成本（${INVENTORY_SOURCE_WORDS[source] ?? source}）：${name}`,
              currency: row.currency,
              lines: b.lines(ref, [
                [role, amount],
                [credit, -amount],
              ]),
            });
          }
        } else {
          cost += amount;
          scheduleSetters.push(e);
          if (emit) {
            b.add({
              key,
              time: e.date,
              kind: "Cost",
              summary: `数据资源无形资产成本（${SOURCE_WORDS[source] ?? source}）：${name}`,
              currency: row.currency,
              lines: b.lines(ref, [
                ["intangible", amount],
                [credit, -amount],
              ]),
            });
          }
        }
        break;
      }
      case "ReadyForUse": {
        scheduleSetters.push(e);
        if (category !== "Development") break; // an intangible awaiting use: nothing moves
        const moved = development;
        const impairmentMoved = developmentImpairment;
        const separate = chart.roles.developmentImpairment.code !== chart.roles.intangibleImpairment.code;
        if (emit) {
          b.add({
            key,
            time: e.date,
            kind: "ReadyForUse",
            summary: `数据资源开发完成达到预定用途，转入无形资产：${name}`,
            currency: row.currency,
            lines: b.lines(ref, [
              ["intangible", moved],
              ["developmentCapitalised", -moved],
              ...(separate
                ? ([
                    ["developmentImpairment", impairmentMoved],
                    ["intangibleImpairment", -impairmentMoved],
                  ] as [Role, bigint][])
                : []),
            ]),
          });
        }
        cost += moved;
        development = 0n;
        impairment += impairmentMoved;
        developmentImpairment = 0n;
        category = "Intangible";
        break;
      }
      case "Impairment": {
        const role: Role = category === "Inventory" ? "inventoryWriteDown" : category === "Development" ? "developmentImpairment" : "intangibleImpairment";
        if (category === "Development") developmentImpairment += amount;
        else impairment += amount;
        if (category !== "Inventory") scheduleSetters.push(e);
        if (emit) {
          b.add({
            key,
            time: e.date,
            kind: category === "Inventory" ? "WriteDown" : "Impairment",
            summary:
              category === "Inventory"
                ? `计提数据资源存货跌价准备：${name}`
                : category === "Development"
                  ? `计提数据资源开发支出减值准备：${name}`
                  : `计提数据资源无形资产减值准备：${name}`,
            currency: row.currency,
            lines: b.lines(ref, [
              ["impairmentLoss", amount],
              [role, -amount],
            ]),
          });
        }
        break;
      }
      case "WriteDownReversal":
        impairment -= amount;
        if (emit) {
          b.add({
            key,
            time: e.date,
            kind: "WriteDownReversal",
            summary: `转回数据资源存货跌价准备：${name}`,
            currency: row.currency,
            lines: b.lines(ref, [
              ["inventoryWriteDown", amount],
              ["impairmentLoss", -amount],
            ]),
          });
        }
        break;
      case "Derecognised": {
        if (!emit) break;
        const reason = e.reason ?? "Other";
        const sale = reason === "Sale";
        const s = sale ? linked : undefined;
        const saleRef: Ref = s ? { ...base, evidence: evidenceOf(s) } : ref;
        const recorded = BigInt(e.proceeds ?? "0");
        const order = s ? `（订单 ${s.order_id}）` : "";
        if (category === "Inventory") {
          const total = inventory.inventoryPurchased + inventory.inventoryProcessed + inventory.inventoryOther;
          // Each inventory account gives up what the book holds in it (one line per account, also when roles share one).
          const release: [Role, bigint][] = [];
          for (const role of ["inventoryPurchased", "inventoryProcessed", "inventoryOther"] as const) {
            const same = release.find(([r]) => chart.roles[r].code === chart.roles[role].code);
            if (same) same[1] -= inventory[role];
            else release.push([role, -inventory[role]]);
          }
          let lines: VoucherLine[];
          let cash: VoucherLine | undefined;
          let revenue: VoucherLine | undefined;
          if (sale) {
            // Proceeds: the linked settlement's split, else the amount recorded; then the cost carried to 6401 and
            // the write-down left written off against it (转销).
            const proceeds = s
              ? b.lines(saleRef, [...settlementPostings(s, "royaltyExpense"), ["salesRevenue", -BigInt(s.gross)]])
              : b.lines(ref, [
                  ["cash", recorded],
                  ["salesRevenue", -recorded],
                ]);
            cash = proceeds.find((l) => l.role === "cash");
            revenue = proceeds.find((l) => l.role === "salesRevenue");
            lines = [
              ...proceeds,
              ...b.lines(ref, [["costOfSales", total], ...release]),
              ...b.lines(ref, [
                ["inventoryWriteDown", impairment],
                ["costOfSales", -impairment],
              ]),
            ];
          } else {
            lines = b.lines(ref, [
              ["inventoryWriteDown", impairment],
              ["cash", recorded],
              ["lapseLoss", total - impairment - recorded],
              ...release,
            ]);
          }
          const draft = b.add({
            key,
            time: e.date,
            kind: sale ? "InventorySale" : reason === "Lapse" ? "Lapse" : "OtherDerecognition",
            summary: sale
              ? `出售数据资源存货${order}，结转成本：${name}`
              : reason === "Lapse"
                ? `数据资源存货失效且终止确认：${name}`
                : `数据资源存货其他减少（终止确认）：${name}`,
            currency: row.currency,
            orderId: s?.order_id ?? null,
            lines,
          });
          if (draft && s && cash && revenue) b.revenueOf.set(s.order_id, { draft, cash, revenue });
        } else {
          // Intangible (the accumulated amortisation is the sum of its month-end lines) or development in progress.
          const intangible = category !== "Development";
          const amortised = intangible ? book.accumulated : 0n;
          const held = intangible ? cost : development;
          const provision = intangible ? impairment : developmentImpairment;
          const carrying = held - amortised - provision;
          const net = s ? BigInt(s.seller_net) : recorded;
          const cashLine = b.lines(saleRef, [["cash", net]]);
          const lines = [
            ...b.lines(ref, [
              ["accumulatedAmortisation", amortised],
              [intangible ? "intangibleImpairment" : "developmentImpairment", provision],
            ]),
            ...cashLine,
            ...b.lines(ref, [
              [intangible ? "intangible" : "developmentCapitalised", -held],
              [sale ? "disposalGainLoss" : "lapseLoss", carrying - net],
            ]),
          ];
          // Debits first, then credits (a gain on 6115 is a credit).
          const ordered = [...lines.filter((l) => l.debit !== 0n), ...lines.filter((l) => l.debit === 0n)];
          const draft = b.add({
            key,
            time: e.date,
            kind: sale ? "Disposal" : reason === "Lapse" ? "Lapse" : "OtherDerecognition",
            summary: sale
              ? `处置数据资源${intangible ? "无形资产" : "开发支出"}${order}：${name}`
              : reason === "Lapse"
                ? `数据资源${intangible ? "无形资产" : "开发支出"}失效且终止确认：${name}`
                : `数据资源${intangible ? "无形资产" : "开发支出"}其他减少（终止确认）：${name}`,
            currency: row.currency,
            orderId: s?.order_id ?? null,
            lines: ordered,
          });
          const revenue = ordered.find((l) => l.role === "disposalGainLoss");
          if (draft && s && cashLine[0] && revenue) b.revenueOf.set(s.order_id, { draft, cash: cashLine[0], revenue });
        }
        break;
      }
    }
  }

  // Month-end lines of this book, per month in the window: amortisation (expense / 累计摊销), research transfer.
  const expense = chart.bookAmortisation.get(row.id) ?? chart.roles.amortisationExpense;
  // The schedule of a month comes from the entries up to the ready day (the first base) and those of earlier months
  // (a re-basing applies from the month after its entry's): setters are in date order, so a pointer walks them.
  const ready = book.entries.find((e) => e.kind === "ReadyForUse");
  const readyDay = dayNumber(ready ? ready.date : row.recognised_on);
  let setter = 0;
  let evidence: Evidence | null = scheduleSetters.length ? evidenceOf(scheduleSetters[0]) : null;
  for (const { month, charge } of book.charges) {
    if (month < b.firstMonth || month > b.lastMonth) continue;
    const start = monthStart(month);
    let moved = false;
    while (setter + 1 < scheduleSetters.length) {
      const next = scheduleSetters[setter + 1];
      if (dayNumber(next.date) > readyDay && next.date >= start) break;
      setter++;
      moved = true;
    }
    if (moved) evidence = evidenceOf(scheduleSetters[setter]);
    const ref: Ref = { assetId: row.asset_id, bookId: row.id, evidence };
    const g = monthEndGroup(amortisation, month, row.currency);
    g.debits.push(b.line("amortisationExpense", charge, 0n, ref, expense));
    g.credits.push(b.line("accumulatedAmortisation", 0n, charge, ref));
  }
  for (const [month, r] of researchByMonth) {
    if (month < b.firstMonth || month > b.lastMonth || r.amount === 0n) continue;
    const ref: Ref = { ...base, evidence: r.evidence };
    const g = monthEndGroup(research, month, row.currency);
    g.debits.push(b.line("researchExpense", r.amount, 0n, ref));
    g.credits.push(b.line("developmentExpensed", 0n, r.amount, ref));
  }
}

/** The month-end lines of one month and currency: debits, then credits (one pair per book). */
type MonthEnd = Map<number, Map<string, { debits: VoucherLine[]; credits: VoucherLine[] }>>;
function monthEndGroup(map: MonthEnd, month: number, currency: string) {
  let byCurrency = map.get(month);
  if (!byCurrency) map.set(month, (byCurrency = new Map()));
  let g = byCurrency.get(currency);
  if (!g) byCurrency.set(currency, (g = { debits: [], credits: [] }));
  return g;
}

/** Every voucher dated in the window [w0, w1] (unix seconds), unnumbered. */
function draftsOf(rows: LedgerRows, chart: Chart, w0: number, w1: number): Draft[] {
  const b = new Builder(chart, rows.assets, w0, w1);
  const through = lastMonthEndedBy(w1);
  const books: BookWithSchedule[] = [...rows.books]
    .sort((x, y) => x.id - y.id)
    .map((row) => {
      const entries = [...(rows.entries.get(row.id) ?? [])].sort((x, y) => x.seq - y.seq);
      // monthlyCharges validates the book as api/accounting.ts does (a corrupt index throws).
      const charges = monthlyCharges(row, entries, through);
      const gone = entries.find((e) => e.kind === "Derecognised") ?? null;
      return { row, entries, gone, charges, accumulated: charges.reduce((sum, c) => sum + c.charge, 0n) };
    });
  const ids = new Set(books.map((x) => x.row.id));
  for (const id of chart.bookAmortisation.keys()) {
    if (!ids.has(id)) throw new JournalInputError(`mapping.books.${id}: book ${id} is not a book of this entity`);
  }
  const linked = linkSales(books, rows.sales);
  const booksOfAsset = groupBy(books, (x) => x.row.asset_id); // in id order
  const heldOn = (assetId: number, t: number) => booksOfAsset.get(assetId)?.find((x) => holds(x, t));
  const linkedOrders = new Set([...linked.values()].map((s) => s.order_id));
  const amortisation: MonthEnd = new Map();
  const research: MonthEnd = new Map();
  for (const book of books) bookVouchers(b, book, linked.get(book.row.id), amortisation, research);

  // Month-end vouchers, one per month and currency, after the day's entries (phase 1).
  for (const [kind, map] of [
    ["Amortisation", amortisation],
    ["ResearchExpensed", research],
  ] as const) {
    for (const [m, byCurrency] of map) {
      const t = monthEnd(m);
      for (const [currency, { debits, credits }] of [...byCurrency].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
        b.add({
          key: [dayNumber(t), 1, kind === "Amortisation" ? 0 : 1],
          time: t,
          kind,
          summary: kind === "Amortisation" ? `计提${monthWords(m)}数据资源无形资产摊销` : `结转${monthWords(m)}数据资源研发费用（费用化支出）`,
          currency,
          lines: debits.concat(credits),
        });
      }
    }
  }

  // Sales by the entity of assets it holds a book of (not linked to a derecognition): revenue with its split.
  for (const s of rows.sales) {
    if (linkedOrders.has(s.order_id) || !b.inWindow(s.settled_at)) continue;
    const book = heldOn(s.asset_id, s.settled_at);
    if (!book) continue;
    const inventory = book.row.initial_category === "Inventory";
    const ref: Ref = { assetId: s.asset_id, bookId: book.row.id, evidence: evidenceOf(s) };
    const revenueRole: Role = inventory ? "salesRevenue" : "licenceRevenue";
    const lines = b.lines(ref, [...settlementPostings(s, "royaltyExpense"), [revenueRole, -BigInt(s.gross)]]);
    const draft = b.add({
      key: [dayNumber(s.settled_at), 0, ...chainKey(s), s.settled_at, 0, 0],
      time: s.settled_at,
      kind: "LicenceSale",
      summary: `${inventory ? "数据资源销售收入" : "数据资源许可收入"}（订单 ${s.order_id}）：${b.label(s.asset_id)}`,
      currency: s.token,
      orderId: s.order_id,
      lines,
    });
    const cash = lines.find((l) => l.role === "cash");
    const revenue = lines.find((l) => l.role === revenueRole);
    if (draft && cash && revenue) b.revenueOf.set(s.order_id, { draft, cash, revenue });
  }

  // Royalties received as the holder of an upstream asset.
  for (const r of rows.royalties) {
    if (!b.inWindow(r.settled_at)) continue;
    const book = heldOn(r.source_asset_id, r.settled_at);
    const ref: Ref = { assetId: r.source_asset_id, bookId: book?.row.id ?? null, evidence: evidenceOf(r) };
    b.add({
      key: [dayNumber(r.settled_at), 0, ...chainKey(r), r.settled_at, 0, 1 + r.position],
      time: r.settled_at,
      kind: "RoyaltyReceived",
      summary: `收到下游数据产品销售分成（订单 ${r.order_id}，资产 ${r.asset_id}）：${b.label(r.source_asset_id)}`,
      currency: r.token,
      orderId: r.order_id,
      lines: b.lines(ref, [
        ["cash", BigInt(r.amount)],
        ["royaltyIncome", -BigInt(r.amount)],
      ]),
    });
  }

  // Red-ink reversals of remedied sales.
  for (const r of rows.remedies) {
    const original = b.revenueOf.get(r.order_id);
    const paid = BigInt(r.refund_paid);
    if (!original || paid === 0n || !b.inWindow(r.remedied_at)) continue;
    const evidence = evidenceOf(r);
    const copy = (l: VoucherLine, debit: bigint, credit: bigint): VoucherLine => ({ ...l, debit, credit, evidence });
    const shortfall = BigInt(r.refund_ordered) - paid;
    const places = rows.decimals?.get(original.draft.currency);
    const words = places === null || places === undefined ? `${shortfall}（最小单位）` : formatUnits(shortfall, places);
    b.add({
      key: [dayNumber(r.remedied_at), 0, ...chainKey(r), r.remedied_at, 0, 0],
      time: r.remedied_at,
      kind: "Reversal",
      summary:
        `红字冲销（仲裁补救退款，订单 ${r.order_id}）：${b.label(original.cash.assetId)}` +
        (shortfall > 0n ? `；另有 ${words} 未能从卖方余额扣回，由双方另行结算，未入账` : ""),
      currency: original.draft.currency,
      redInk: true,
      reverses: original.draft,
      orderId: r.order_id,
      lines: [copy(original.cash, -paid, 0n), copy(original.revenue, 0n, -paid)],
    });
  }
  return b.drafts;
}

/** Numbers the drafts per month in order and returns them as vouchers (all of them, sorted). */
function numbered(drafts: Draft[]): Voucher[] {
  drafts.sort((x, y) => compareKeys(x.key, y.key));
  const next = new Map<number, number>();
  for (const d of drafts) {
    const m = monthOf(d.time);
    const n = (next.get(m) ?? 0) + 1;
    next.set(m, n);
    d.number = `记-${yyyymm(m)}-${String(n).padStart(4, "0")}`;
  }
  return drafts.map((d) => ({
    number: d.number!,
    date: dayName(d.time),
    kind: d.kind,
    summary: d.reverses ? `${d.summary}，冲销 ${d.reverses.number ?? ""}` : d.summary,
    currency: d.currency,
    redInk: d.redInk,
    reverses: d.reverses?.number ?? null,
    orderId: d.orderId,
    lines: d.lines,
  }));
}

function totalsOf(vouchers: readonly Voucher[]): JournalTotal[] {
  const by = new Map<string, JournalTotal>();
  for (const v of vouchers) {
    let t = by.get(v.currency);
    if (!t) by.set(v.currency, (t = { currency: v.currency, vouchers: 0, lines: 0, debit: 0n, credit: 0n }));
    t.vouchers++;
    t.lines += v.lines.length;
    for (const l of v.lines) {
      t.debit += l.debit;
      t.credit += l.credit;
    }
  }
  return [...by.values()].sort((x, y) => (x.currency < y.currency ? -1 : x.currency > y.currency ? 1 : 0));
}

/**
 * The vouchers dated `from`..`to` (inclusive, UTC+8) of an entity's books, sales, royalties and remedies, numbered per
 * month, in date then chain order; totals per currency. The period is checked (checkPeriod); so is the mapping's book
 * list against the books.
 */
export function journal(rows: LedgerRows, chart: Chart, from: string, to: string): Journal {
  checkPeriod(from, to);
  const t0 = endOfDay(from) - DAY + 1;
  const t1 = endOfDay(to);
  // Numbers count every voucher of a month, so the window starts on the first day of `from`'s month, or earlier
  // when a reversal in the period names a voucher from before it.
  let w0 = monthStart(monthOf(t0));
  const firstOrigin = originTimes(rows)
    .filter(([remedied]) => remedied >= t0 && remedied <= t1)
    .reduce((min, [, origin]) => Math.min(min, origin), Infinity);
  if (firstOrigin < w0) w0 = monthStart(monthOf(firstOrigin));
  const vouchers = numbered(draftsOf(rows, chart, w0, t1)).filter((v) => v.date >= from && v.date <= to);
  return { from, to, vouchers, totals: totalsOf(vouchers) };
}

/** For each remedy: its time and the time of the sale (or derecognition) voucher it may reverse. */
function originTimes(rows: LedgerRows): [number, number][] {
  if (!rows.remedies.length) return [];
  const sold = new Map(rows.sales.map((s) => [s.order_id, s.settled_at]));
  return rows.remedies.filter((r) => sold.has(r.order_id)).map((r) => [r.remedied_at, Math.min(sold.get(r.order_id)!, r.remedied_at)]);
}

// ---------------------------------------------------------------- trial balance

/** One account's totals to date and its closing balance, on its side. */
export interface TrialBalanceRow {
  code: string;
  name: string;
  debit: bigint;
  credit: bigint;
  /** debit - credit when positive, else 0. */
  closingDebit: bigint;
  /** credit - debit when positive, else 0. */
  closingCredit: bigint;
}

export interface TrialBalance {
  currency: string;
  asOf: string;
  vouchers: number;
  accounts: TrialBalanceRow[];
  /** The identities checked: vouchers balance, and the accounts reconcile with the balance-sheet lines. */
  checks: Check[];
}

const CLASSES = {
  intangible: ["intangible", "accumulatedAmortisation", "intangibleImpairment", "developmentImpairment"],
  inventory: ["inventoryPurchased", "inventoryProcessed", "inventoryOther", "inventoryWriteDown"],
  development: ["developmentCapitalised", "developmentImpairment"],
} as const satisfies Record<string, readonly Role[]>;
const ASSET_ROLES = new Set<Role>([...CLASSES.intangible, ...CLASSES.inventory, ...CLASSES.development]);

/**
 * The closing balance of every account the vouchers dated up to `asOf` (UTC+8, end of day) touch, one trial balance
 * per currency, with the identities of DOMAIN.md checked against the balance sheet of api/accounting.ts as of the same
 * date: 1701 - 1702 - 1703 of the books in intangible assets = 无形资产 其中：数据资源; 1405 (+ 1403 + 5001 as mapped)
 * - 1471 of the inventory books = 存货; 530101 - 1703 of the books in development = 开发支出; a book off the balance
 * sheet (derecognised) keeps no balance in them; every voucher balances and debits = credits.
 */
export function trialBalance(rows: LedgerRows, chart: Chart, asOf: string): TrialBalance[] {
  const t1 = endOfDay(asOf);
  const vouchers = numbered(draftsOf(rows, chart, -Infinity, t1));
  const sheets = new Map(balanceSheet(rows.books, rows.entries, asOf).map((s) => [s.currency, s]));
  const currencies = [...new Set([...vouchers.map((v) => v.currency), ...sheets.keys()])].sort();
  return currencies.map((currency) => {
    const own = vouchers.filter((v) => v.currency === currency);
    const accounts = new Map<string, TrialBalanceRow>();
    // Per book and role, and per book and account: the balance (debit - credit) of the asset accounts.
    const byBook = new Map<number, Map<Role, bigint>>();
    const byBookAccount = new Map<number, Map<string, bigint>>();
    let unbalanced = 0n;
    let debit = 0n;
    let credit = 0n;
    for (const v of own) {
      let vd = 0n;
      let vc = 0n;
      for (const l of v.lines) {
        let a = accounts.get(l.account.code);
        if (!a) accounts.set(l.account.code, (a = { code: l.account.code, name: l.account.name, debit: 0n, credit: 0n, closingDebit: 0n, closingCredit: 0n }));
        a.debit += l.debit;
        a.credit += l.credit;
        vd += l.debit;
        vc += l.credit;
        if (l.bookId !== null && ASSET_ROLES.has(l.role)) {
          let m = byBook.get(l.bookId);
          if (!m) byBook.set(l.bookId, (m = new Map()));
          m.set(l.role, (m.get(l.role) ?? 0n) + l.debit - l.credit);
          let n = byBookAccount.get(l.bookId);
          if (!n) byBookAccount.set(l.bookId, (n = new Map()));
          n.set(l.account.code, (n.get(l.account.code) ?? 0n) + l.debit - l.credit);
        }
      }
      if (vd !== vc) unbalanced++;
      debit += vd;
      credit += vc;
    }
    for (const a of accounts.values()) {
      const net = a.debit - a.credit;
      a.closingDebit = net > 0n ? net : 0n;
      a.closingCredit = net < 0n ? -net : 0n;
    }
    const sheet = sheets.get(currency);
    const category = new Map<number, string>((sheet?.rows ?? []).map((r) => [r.bookId, r.category]));
    const sum = (cat: string, roles: readonly Role[]) => {
      let v = 0n;
      for (const [book, m] of byBook) if (category.get(book) === cat) for (const r of roles) v += m.get(r) ?? 0n;
      return v;
    };
    let offSheet = 0n;
    for (const [book, m] of byBookAccount) {
      if (category.has(book)) continue;
      for (const v of m.values()) offSheet += v < 0n ? -v : v;
    }
    const code = (r: Role) => chart.roles[r].code;
    const unique = (roles: Role[]) => [...new Set(roles.map(code))];
    const intangibleFormula = [code("intangible"), ...unique(["accumulatedAmortisation", "intangibleImpairment", "developmentImpairment"])].join(" - ");
    const inventoryFormula = `${unique(["inventoryPurchased", "inventoryProcessed", "inventoryOther"]).join(" + ")} - ${code("inventoryWriteDown")}`;
    const developmentFormula = `${code("developmentCapitalised")} - ${code("developmentImpairment")}`;
    const check = (name: string, expected: bigint, actual: bigint): Check => ({ name, expected, actual, ok: expected === actual });
    const checks: Check[] = [
      check("every voucher balances: unbalanced vouchers = 0 (每张凭证借贷平衡)", 0n, unbalanced),
      check("total debits = total credits (借方合计 = 贷方合计)", debit, credit),
      check(
        `${intangibleFormula} of the books in intangible assets = 无形资产 其中：数据资源 (balance sheet)`,
        sheet?.intangible ?? 0n,
        sum("Intangible", CLASSES.intangible),
      ),
      check(`${inventoryFormula} of the inventory books = 存货 其中：数据资源 (balance sheet)`, sheet?.inventory ?? 0n, sum("Inventory", CLASSES.inventory)),
      check(`${developmentFormula} of the books in development = 开发支出 其中：数据资源 (balance sheet)`, sheet?.development ?? 0n, sum("Development", CLASSES.development)),
      check("books off the balance sheet (derecognised) keep no balance in the asset accounts", 0n, offSheet),
    ];
    return {
      currency,
      asOf,
      vouchers: own.length,
      accounts: [...accounts.values()].sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0)),
      checks,
    };
  });
}
