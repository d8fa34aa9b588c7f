// Journal entries (api/journal.ts) from hand-built rows: every kind of voucher of DOMAIN.md §5 "Journal entries" worked
// out by hand in the comments, the chart of accounts and its mapping, numbering and order, bad input; then a property
// test over random valid books: every voucher balances, the vouchers up to a date add up to the trial balance, the
// trial balance reconciles with the balance sheet, and a book's amortisation vouchers add up to its accumulated
// amortisation. Amounts are fen (1 yuan = 100); dates are UTC+8, entries at 00:00 as the ledger records them.
//
// Reproduce a property failure with FC_SEED=<seed> (and FC_PATH=<path>); FC_RUNS overrides the run count.
import { expect } from "chai";
import Database from "better-sqlite3";
import fc from "fast-check";
import { execute, parse } from "graphql";
import { createSchema } from "graphql-yoga";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../../indexer/schema";
import { createLoaders } from "../../api/context";
import { computeJournal, journalCursor } from "../../api/resolvers/journal";
import { journalCsv } from "../../api/journalExport";
import { openIndex, resolvers, typeDefs } from "../../api/server";
import { balanceSheet, dateOf, formatDate, monthOf, positionOf, type BookRow, type EntryRow } from "../../api/accounting";
import {
  DEFAULT_ACCOUNTS,
  JournalInputError,
  ROLES,
  chartOf,
  checkPeriod,
  journal,
  trialBalance,
  type JournalEntryRow,
  type LedgerRows,
  type RemedyRow,
  type RoyaltyRow,
  type SaleRow,
  type Voucher,
} from "../../api/journal";

const CNY = "0x00000000000000000000000000000000000000C1";
const USD = "0x00000000000000000000000000000000000000D2";
const RUNS = Number(process.env.FC_RUNS ?? 100);

/** Unix time of `YYYY-MM-DD` at 00:00 UTC+8 (how the ledger dates entries), or at a given time. */
const at = (day: string, time = "00:00:00") => Date.parse(`${day}T${time}+08:00`) / 1000;

let block = 100;
/** The next chain position (one transaction per call): entries and settlements sort by it within a day. */
const chain = () => {
  block++;
  return { block_number: block, tx_hash: `0x${block.toString(16).padStart(64, "0")}`, log_index: 0 };
};

/** A book row and its entries as the indexer writes them (seq from 0, Opened first), each with a chain position. */
function open(id: number, category: string, source: string, date: string, { life = 0, currency = CNY, asset = 100 + id } = {}) {
  const row: BookRow = {
    id,
    asset_id: asset,
    initial_category: category,
    source,
    useful_life_months: life,
    residual_value: "0",
    currency,
    recognised_on: at(date),
  };
  const entries: JournalEntryRow[] = [];
  const add = (kind: string, when: string, fields: Partial<EntryRow>) => {
    entries.push({ book_id: id, seq: entries.length, kind, date: at(when), ...fields, ...chain() });
    return book;
  };
  const book = {
    row,
    entries,
    cost: (when: string, amount: bigint, src = "Purchased", phase = "None") => add("Cost", when, { amount: String(amount), source: src, phase }),
    ready: (when: string, months: number) => add("ReadyForUse", when, { useful_life_months: months }),
    impair: (when: string, amount: bigint) => add("Impairment", when, { amount: String(amount) }),
    reverse: (when: string, amount: bigint) => add("WriteDownReversal", when, { amount: String(amount) }),
    derecognise: (when: string, reason: string, proceeds: bigint) => add("Derecognised", when, { reason, proceeds: String(proceeds) }),
  };
  add("Opened", date, { source, useful_life_months: life });
  return book;
}
type Built = ReturnType<typeof open>;

/** A settlement of order `order` of asset `asset` sold by the entity (gross = fee + commission + royalties + net). */
function sale(order: number, asset: number, when: string, offer: string, s: { fee?: bigint; commission?: bigint; royalties?: bigint; net: bigint; token?: string }): SaleRow {
  const [fee, commission, royalties] = [s.fee ?? 0n, s.commission ?? 0n, s.royalties ?? 0n];
  return {
    order_id: order,
    asset_id: asset,
    offer,
    token: s.token ?? CNY,
    gross: String(fee + commission + royalties + s.net),
    exchange_fee: String(fee),
    merchant_commission: String(commission),
    royalty_total: String(royalties),
    seller_net: String(s.net),
    settled_at: at(when, "14:00:00"),
    ...chain(),
  };
}

function ledger(books: Built[], more: { sales?: SaleRow[]; royalties?: RoyaltyRow[]; remedies?: RemedyRow[] } = {}): LedgerRows {
  const assets = new Map<number, { registration_number: string | null; name: string }>();
  const ids = [...books.map((b) => b.row.asset_id), ...(more.sales ?? []).map((s) => s.asset_id), ...(more.royalties ?? []).map((r) => r.source_asset_id)];
  for (const id of ids) assets.set(id, { registration_number: `SZDE-2025-${String(id).padStart(6, "0")}`, name: `Dataset ${id}` });
  return {
    books: books.map((b) => b.row),
    entries: new Map(books.map((b) => [b.row.id, b.entries])),
    assets,
    sales: more.sales ?? [],
    royalties: more.royalties ?? [],
    remedies: more.remedies ?? [],
    decimals: new Map([
      [CNY, 2],
      [USD, 2],
    ]),
  };
}

/** A voucher as [account code, debit, credit] per line (compact for deep equality). */
const lines = (v: Voucher) => v.lines.map((l) => [l.account.code, l.debit, l.credit]);
const only = (vs: Voucher[], kind: string) => vs.filter((v) => v.kind === kind);
const balanced = (v: Voucher) => v.lines.reduce((s, l) => s + l.debit, 0n) === v.lines.reduce((s, l) => s + l.credit, 0n);
const defaults = chartOf();

describe("api/journal", () => {
  describe("purchased intangible: amortised monthly, impaired on a month's last day, disposed with its settlement", () => {
    // Bought 2025-01-15 for 3,600,000 over 36 months: 100,000 a month from January (the ready month), each on the
    // month's last day. Impaired 456,789 on 2025-06-30: June's voucher (old base) comes first; from July the base is
    // 3,600,000 - 600,000 - 456,789 = 2,543,211 over the 30 months left: July floor(2,543,211 / 30) = 84,773,
    // August floor(2 x 2,543,211 / 30) - 84,773 = 169,547 - 84,773 = 84,774. Its holding right sold on the exchange
    // on 2025-09-05, derecognised when booked on 2025-09-12: no September charge; accumulated 600,000 + 169,547 = 769,547; carrying 3,600,000 -
    // 769,547 - 456,789 = 2,373,664; the settlement's seller net 2,000,000 (gross 2,100,000 less fee 21,000,
    // commission 42,000, royalties 37,000) is the net proceeds, not the 1,000,000 recorded: a loss of 373,664.
    const book = () =>
      open(1, "Intangible", "Purchased", "2025-01-15", { life: 36 })
        .cost("2025-01-15", 3_600_000n)
        .impair("2025-06-30", 456_789n)
        .derecognise("2025-09-12", "Sale", 1_000_000n);
    const transfer = () => sale(31, 101, "2025-09-05", "HoldingTransfer", { fee: 21_000n, commission: 42_000n, royalties: 37_000n, net: 2_000_000n });

    it("recognition, eight monthly charges, the impairment after June's charge, the disposal in one voucher", () => {
      const b = book();
      const s = transfer();
      const j = journal(ledger([b], { sales: [s] }), defaults, "2025-01-01", "2025-12-31");
      expect(j.vouchers.map((v) => [v.number, v.date, v.kind])).to.deep.equal([
        ["记-202501-0001", "2025-01-15", "Cost"],
        ["记-202501-0002", "2025-01-31", "Amortisation"],
        ["记-202502-0001", "2025-02-28", "Amortisation"],
        ["记-202503-0001", "2025-03-31", "Amortisation"],
        ["记-202504-0001", "2025-04-30", "Amortisation"],
        ["记-202505-0001", "2025-05-31", "Amortisation"],
        ["记-202506-0001", "2025-06-30", "Amortisation"],
        ["记-202506-0002", "2025-06-30", "Impairment"],
        ["记-202507-0001", "2025-07-31", "Amortisation"],
        ["记-202508-0001", "2025-08-31", "Amortisation"],
        ["记-202509-0001", "2025-09-12", "Disposal"],
      ]);
      const [cost, jan] = j.vouchers;
      expect(lines(cost)).to.deep.equal([
        ["1701", 3_600_000n, 0n],
        ["1002", 0n, 3_600_000n],
      ]);
      expect(cost.summary).to.equal("数据资源无形资产成本（外购）：Dataset 101（SZDE-2025-000101）");
      expect(cost.lines[0]).to.deep.include({
        account: { code: "1701", name: "无形资产—数据资源" },
        role: "intangible",
        assetId: 101,
        registrationNumber: "SZDE-2025-000101",
        assetName: "Dataset 101",
        bookId: 1,
        evidence: { txHash: b.entries[1].tx_hash, blockNumber: b.entries[1].block_number, logIndex: 0 },
      });
      expect(lines(jan)).to.deep.equal([
        ["660202", 100_000n, 0n],
        ["1702", 0n, 100_000n],
      ]);
      expect(jan.summary).to.equal("计提2025年1月数据资源无形资产摊销");
      // A month-end line names the entry that set the schedule: here the purchase.
      expect(jan.lines[0].evidence!.txHash).to.equal(b.entries[1].tx_hash);
      const amortisation = only(j.vouchers, "Amortisation").map((v) => v.lines[0].debit);
      expect(amortisation).to.deep.equal([100_000n, 100_000n, 100_000n, 100_000n, 100_000n, 100_000n, 84_773n, 84_774n]);
      // After the impairment the schedule's evidence is the impairment.
      expect(only(j.vouchers, "Amortisation")[6].lines[0].evidence!.txHash).to.equal(b.entries[2].tx_hash);
      expect(lines(only(j.vouchers, "Impairment")[0])).to.deep.equal([
        ["6701", 456_789n, 0n],
        ["1703", 0n, 456_789n],
      ]);
      const disposal = only(j.vouchers, "Disposal")[0];
      expect(lines(disposal)).to.deep.equal([
        ["1702", 769_547n, 0n],
        ["1703", 456_789n, 0n],
        ["1002", 2_000_000n, 0n],
        ["6115", 373_664n, 0n],
        ["1701", 0n, 3_600_000n],
      ]);
      expect(disposal.orderId).to.equal(31);
      expect(disposal.summary).to.equal("处置数据资源无形资产（订单 31）：Dataset 101（SZDE-2025-000101）");
      // The cash line's evidence is the settlement; the others the derecognition entry.
      expect(disposal.lines[2].evidence!.txHash).to.equal(s.tx_hash);
      expect(disposal.lines[0].evidence!.txHash).to.equal(b.entries[3].tx_hash);
      expect(j.totals).to.deep.equal([{ currency: CNY, vouchers: 11, lines: 25, debit: 8_426_336n, credit: 8_426_336n }]);
    });

    it("a transfer settled after the derecognition's day is not its sale: the proceeds recorded, a loss of 1,373,664", () => {
      const late = sale(31, 101, "2025-09-13", "HoldingTransfer", { net: 2_000_000n });
      // Nor is a licence settled on another day (only one on the derecognition's day would be).
      const licence = sale(32, 101, "2025-09-11", "ProcessingUse", { net: 500_000n });
      const j = journal(ledger([book()], { sales: [late, licence] }), defaults, "2025-09-01", "2025-09-30");
      // The licence of 09-11 is a sale of its own; the transfer of 09-13 has none (the book is gone by then).
      expect(j.vouchers.map((v) => v.kind)).to.deep.equal(["LicenceSale", "Disposal"]);
      j.vouchers.shift();
      expect(lines(j.vouchers[0])).to.deep.equal([
        ["1702", 769_547n, 0n],
        ["1703", 456_789n, 0n],
        ["1002", 1_000_000n, 0n],
        ["6115", 1_373_664n, 0n],
        ["1701", 0n, 3_600_000n],
      ]);
    });

    it("a gain goes to the credit of 6115", () => {
      const rich = sale(31, 101, "2025-09-12", "HoldingTransfer", { net: 3_000_000n });
      const [v] = journal(ledger([book()], { sales: [rich] }), defaults, "2025-09-12", "2025-09-12").vouchers;
      expect(lines(v)).to.deep.equal([
        ["1702", 769_547n, 0n],
        ["1703", 456_789n, 0n],
        ["1002", 3_000_000n, 0n],
        ["1701", 0n, 3_600_000n],
        ["6115", 0n, 626_336n],
      ]);
    });

    it("a period numbers its vouchers as the whole month does; the trial balance reconciles at every month end", () => {
      const rows = ledger([book()], { sales: [transfer()] });
      const june = journal(rows, defaults, "2025-06-30", "2025-06-30");
      expect(june.vouchers.map((v) => v.number)).to.deep.equal(["记-202506-0001", "记-202506-0002"]);
      for (const asOf of ["2025-01-14", "2025-01-15", "2025-01-31", "2025-06-29", "2025-06-30", "2025-08-31", "2025-09-11", "2025-09-12", "2025-12-31"]) {
        const [tb] = trialBalance(rows, defaults, asOf);
        expect(tb.checks.filter((c) => !c.ok), asOf).to.deep.equal([]);
      }
      // 2025-08-31: 1701 3,600,000 - 1702 769,547 - 1703 456,789 = 2,373,664 = the 无形资产 line.
      const [aug] = trialBalance(rows, defaults, "2025-08-31");
      const account = (code: string) => aug.accounts.find((a) => a.code === code)!;
      expect(account("1701")).to.include({ closingDebit: 3_600_000n, closingCredit: 0n });
      expect(account("1702")).to.include({ closingDebit: 0n, closingCredit: 769_547n });
      expect(account("1703")).to.include({ closingCredit: 456_789n });
      expect(account("1002")).to.include({ debit: 0n, credit: 3_600_000n, closingCredit: 3_600_000n });
      const check = aug.checks.find((c) => c.name.startsWith("1701 - 1702 - 1703"))!;
      expect(check).to.include({ expected: 2_373_664n, actual: 2_373_664n, ok: true });
      expect(aug.checks.map((c) => c.name)).to.deep.equal([
        "every voucher balances: unbalanced vouchers = 0 (每张凭证借贷平衡)",
        "total debits = total credits (借方合计 = 贷方合计)",
        "1701 - 1702 - 1703 of the books in intangible assets = 无形资产 其中：数据资源 (balance sheet)",
        "1405 - 1471 of the inventory books = 存货 其中：数据资源 (balance sheet)",
        "530101 - 1703 of the books in development = 开发支出 其中：数据资源 (balance sheet)",
        "books off the balance sheet (derecognised) keep no balance in the asset accounts",
      ]);
      expect(aug.vouchers).to.equal(10);
    });
  });

  describe("self-developed: research expensed at the month end, development capitalised, impaired, ready for use", () => {
    // Research 300,000 on 2025-02-10 (费用化, moved to 研发费用 on 02-28); development 1,234,567 on 04-15 and 600,000
    // on 05-20 (资本化); impaired 34,567 on 05-25; ready 2025-06-10 with 24 months: 1,834,567 moves to 1701, and from
    // June (1,834,567 - 34,567) / 24 = 75,000 a month.
    const project = () =>
      open(2, "Development", "SelfDeveloped", "2025-02-01")
        .cost("2025-02-10", 300_000n, "SelfDeveloped", "Research")
        .cost("2025-04-15", 1_234_567n, "SelfDeveloped", "Development")
        .cost("2025-05-20", 600_000n, "SelfDeveloped", "Development")
        .impair("2025-05-25", 34_567n)
        .ready("2025-06-10", 24);

    it("gives each step its voucher", () => {
      const j = journal(ledger([project()]), defaults, "2025-01-01", "2025-07-31");
      expect(j.vouchers.map((v) => [v.number, v.kind, lines(v)])).to.deep.equal([
        ["记-202502-0001", "ResearchCost", [["530102", 300_000n, 0n], ["1002", 0n, 300_000n]]],
        ["记-202502-0002", "ResearchExpensed", [["660201", 300_000n, 0n], ["530102", 0n, 300_000n]]],
        ["记-202504-0001", "DevelopmentCost", [["530101", 1_234_567n, 0n], ["1002", 0n, 1_234_567n]]],
        ["记-202505-0001", "DevelopmentCost", [["530101", 600_000n, 0n], ["1002", 0n, 600_000n]]],
        ["记-202505-0002", "Impairment", [["6701", 34_567n, 0n], ["1703", 0n, 34_567n]]],
        ["记-202506-0001", "ReadyForUse", [["1701", 1_834_567n, 0n], ["530101", 0n, 1_834_567n]]],
        ["记-202506-0002", "Amortisation", [["660202", 75_000n, 0n], ["1702", 0n, 75_000n]]],
        ["记-202507-0001", "Amortisation", [["660202", 75_000n, 0n], ["1702", 0n, 75_000n]]],
      ]);
      expect(j.vouchers[1].summary).to.equal("结转2025年2月数据资源研发费用（费用化支出）");
      expect(j.vouchers[4].summary).to.equal("计提数据资源开发支出减值准备：Dataset 102（SZDE-2025-000102）");
    });

    it("the 开发支出 line before it is ready: 530101 - 1703 = 1,800,000; research left nothing in 530102", () => {
      const [tb] = trialBalance(ledger([project()]), defaults, "2025-05-31");
      expect(tb.checks.every((c) => c.ok)).to.equal(true);
      expect(tb.checks[4]).to.include({ expected: 1_800_000n, actual: 1_800_000n });
      expect(tb.accounts.find((a) => a.code === "530102")).to.include({ debit: 300_000n, credit: 300_000n, closingDebit: 0n, closingCredit: 0n });
      expect(tb.accounts.find((a) => a.code === "660201")).to.include({ closingDebit: 300_000n });
      // Mid-February the research cost still sits in 530102 (moved at the month's end).
      const [feb] = trialBalance(ledger([project()]), defaults, "2025-02-15");
      expect(feb.accounts.find((a) => a.code === "530102")).to.include({ closingDebit: 300_000n });
      expect(feb.checks.every((c) => c.ok)).to.equal(true);
    });

    it("with its own account for development impairment, the impairment moves with the asset when ready", () => {
      const chart = chartOf({ accounts: { "170302": "开发支出减值准备—数据资源" }, roles: { developmentImpairment: "170302" } });
      const j = journal(ledger([project()]), chart, "2025-05-01", "2025-06-30");
      expect(lines(only(j.vouchers, "Impairment")[0])).to.deep.equal([
        ["6701", 34_567n, 0n],
        ["170302", 0n, 34_567n],
      ]);
      expect(lines(only(j.vouchers, "ReadyForUse")[0])).to.deep.equal([
        ["1701", 1_834_567n, 0n],
        ["170302", 34_567n, 0n],
        ["530101", 0n, 1_834_567n],
        ["1703", 0n, 34_567n],
      ]);
      for (const asOf of ["2025-05-31", "2025-06-30"]) {
        const [tb] = trialBalance(ledger([project()]), chart, asOf);
        expect(tb.checks.filter((c) => !c.ok), asOf).to.deep.equal([]);
      }
      expect(trialBalance(ledger([project()]), chart, "2025-06-30")[0].checks[2].name).to.match(/^1701 - 1702 - 1703 - 170302 of the books/);
    });
  });

  describe("inventory written down, reversed and sold on the exchange", () => {
    // Bought 2,000,000 (to 1403 by the mapping) and processed 350,000 (to 5001); written down 400,000 on 06-30,
    // 150,000 reversed on 09-30; sold 2025-11-20 on the exchange: gross 2,600,000 = fee 26,000 + commission 52,000
    // + royalties 100,000 + seller net 2,422,000. Cost of sales 2,350,000, the write-down left 250,000 written off
    // against it (转销).
    const chart = chartOf({ roles: { inventoryPurchased: "1403", inventoryProcessed: "5001" } });
    const dataset = () =>
      open(3, "Inventory", "Purchased", "2025-02-10")
        .cost("2025-02-10", 2_000_000n)
        .cost("2025-03-05", 350_000n, "SelfDeveloped")
        .impair("2025-06-30", 400_000n)
        .reverse("2025-09-30", 150_000n)
        .derecognise("2025-11-20", "Sale", 2_500_000n);
    const sold = () => sale(41, 103, "2025-11-20", "ProcessingUse", { fee: 26_000n, commission: 52_000n, royalties: 100_000n, net: 2_422_000n });

    it("costs by source, write-down, reversal, and the sale with its proceeds and cost in one voucher", () => {
      const j = journal(ledger([dataset()], { sales: [sold()] }), chart, "2025-01-01", "2025-12-31");
      expect(j.vouchers.map((v) => [v.kind, lines(v)])).to.deep.equal([
        ["Cost", [["1403", 2_000_000n, 0n], ["1002", 0n, 2_000_000n]]],
        ["Cost", [["5001", 350_000n, 0n], ["1002", 0n, 350_000n]]],
        ["WriteDown", [["6701", 400_000n, 0n], ["1471", 0n, 400_000n]]],
        ["WriteDownReversal", [["1471", 150_000n, 0n], ["6701", 0n, 150_000n]]],
        [
          "InventorySale",
          [
            ["1002", 2_422_000n, 0n],
            ["6601", 26_000n, 0n],
            ["6601", 52_000n, 0n],
            ["6401", 100_000n, 0n],
            ["6001", 0n, 2_600_000n],
            ["6401", 2_350_000n, 0n],
            ["1403", 0n, 2_000_000n],
            ["5001", 0n, 350_000n],
            ["1471", 250_000n, 0n],
            ["6401", 0n, 250_000n],
          ],
        ],
      ]);
      expect(j.vouchers[4].summary).to.equal("出售数据资源存货（订单 41），结转成本：Dataset 103（SZDE-2025-000103）");
      expect(j.vouchers[4].lines.every((l) => l.bookId === 3 && l.registrationNumber === "SZDE-2025-000103")).to.equal(true);
    });

    it("1403 + 5001 (+ 1405 for other sources) - 1471 reconciles with the 存货 line before and after the write-down, the reversal and the sale", () => {
      const rows = ledger([dataset()], { sales: [sold()] });
      const expected: Record<string, bigint> = { "2025-06-29": 2_350_000n, "2025-06-30": 1_950_000n, "2025-10-31": 2_100_000n, "2025-11-20": 0n };
      for (const [asOf, line] of Object.entries(expected)) {
        const [tb] = trialBalance(rows, chart, asOf);
        expect(tb.checks.filter((c) => !c.ok), asOf).to.deep.equal([]);
        expect(tb.checks[3]).to.include({ name: "1403 + 5001 + 1405 - 1471 of the inventory books = 存货 其中：数据资源 (balance sheet)", actual: line });
      }
    });

    it("without a linked settlement, the proceeds recorded: 1002 against 6001", () => {
      const [v] = journal(ledger([dataset()]), defaults, "2025-11-20", "2025-11-20").vouchers;
      expect(lines(v)).to.deep.equal([
        ["1002", 2_500_000n, 0n],
        ["6001", 0n, 2_500_000n],
        ["6401", 2_350_000n, 0n],
        ["1405", 0n, 2_350_000n],
        ["1471", 250_000n, 0n],
        ["6401", 0n, 250_000n],
      ]);
    });
  });

  describe("a licence sold by the holder, royalties received upstream, a refunded sale", () => {
    // The entity holds book 4 of asset 104 (intangible, 12 months, 1,200,000 from 2025-03-01: 100,000 a month).
    const holder = () => open(4, "Intangible", "Purchased", "2025-03-01", { life: 12 }).cost("2025-03-01", 1_200_000n);
    // It sells a licence of 104 on 2025-03-05: gross 5,000,000, fee 50,000, royalties 150,000 paid upstream, net
    // 4,800,000; and one of an asset it keeps no book of (no voucher).
    const licence = () => sale(51, 104, "2025-03-05", "ProcessingUse", { fee: 50_000n, royalties: 150_000n, net: 4_800_000n });
    const unbooked = () => sale(52, 999, "2025-03-06", "ProcessingUse", { net: 70_000n });
    // A derived asset 105 of someone else sells on 2025-04-02: 123,456 of it is 104's royalty, to the entity.
    const royalty = (): RoyaltyRow => ({ order_id: 53, position: 1, asset_id: 105, source_asset_id: 104, token: CNY, amount: "123456", settled_at: at("2025-04-02", "10:00:00"), ...chain() });

    it("licence: 1002 net, 6601 fee, 6401 royalties against 6001 gross; royalty: 1002 against 6051", () => {
      const j = journal(ledger([holder()], { sales: [licence(), unbooked()], royalties: [royalty()] }), defaults, "2025-03-01", "2025-04-30");
      expect(j.vouchers.map((v) => [v.number, v.kind, v.orderId, lines(v)])).to.deep.equal([
        ["记-202503-0001", "Cost", null, [["1701", 1_200_000n, 0n], ["1002", 0n, 1_200_000n]]],
        ["记-202503-0002", "LicenceSale", 51, [["1002", 4_800_000n, 0n], ["6601", 50_000n, 0n], ["6401", 150_000n, 0n], ["6001", 0n, 5_000_000n]]],
        ["记-202503-0003", "Amortisation", null, [["660202", 100_000n, 0n], ["1702", 0n, 100_000n]]],
        ["记-202504-0001", "RoyaltyReceived", 53, [["1002", 123_456n, 0n], ["6051", 0n, 123_456n]]],
        ["记-202504-0002", "Amortisation", null, [["660202", 100_000n, 0n], ["1702", 0n, 100_000n]]],
      ]);
      expect(j.vouchers[1].summary).to.equal("数据资源许可收入（订单 51）：Dataset 104（SZDE-2025-000104）");
      expect(j.vouchers[3].lines[0]).to.deep.include({ assetId: 104, bookId: 4, registrationNumber: "SZDE-2025-000104" });
      expect(j.vouchers[3].summary).to.equal("收到下游数据产品销售分成（订单 53，资产 105）：Dataset 104（SZDE-2025-000104）");
    });

    it("a mapping sends licence revenue to 6051 and royalty income to 6001", () => {
      const chart = chartOf({ roles: { licenceRevenue: "6051", royaltyIncome: "6001", royaltyExpense: "6402" } });
      const j = journal(ledger([holder()], { sales: [licence()], royalties: [royalty()] }), chart, "2025-03-05", "2025-04-02");
      expect(j.vouchers.filter((v) => v.kind !== "Amortisation").map(lines)).to.deep.equal([
        [["1002", 4_800_000n, 0n], ["6601", 50_000n, 0n], ["6402", 150_000n, 0n], ["6051", 0n, 5_000_000n]],
        [["1002", 123_456n, 0n], ["6001", 0n, 123_456n]],
      ]);
    });

    it("a remedy after settlement reverses the sale in red ink: cash and revenue for the refund paid", () => {
      // The arbiter orders 1,000,000 back on 2025-05-20; 800,000 was still in the seller's credits (paid), 200,000
      // short. Red ink: 1002 -800,000 against 6001 -800,000; the fee and royalties stand.
      const remedy: RemedyRow = { order_id: 51, refund_ordered: "1000000", refund_paid: "800000", remedied_at: at("2025-05-20", "09:00:00"), ...chain() };
      const rows = ledger([holder()], { sales: [licence()], remedies: [remedy] });
      const j = journal(rows, defaults, "2025-05-01", "2025-05-31");
      const reversal = only(j.vouchers, "Reversal")[0];
      expect(reversal).to.deep.include({ number: "记-202505-0001", date: "2025-05-20", redInk: true, reverses: "记-202503-0002", orderId: 51 });
      expect(lines(reversal)).to.deep.equal([
        ["1002", -800_000n, 0n],
        ["6001", 0n, -800_000n],
      ]);
      expect(reversal.summary).to.equal(
        "红字冲销（仲裁补救退款，订单 51）：Dataset 104（SZDE-2025-000104）；另有 2000.00 未能从卖方余额扣回，由双方另行结算，未入账，冲销 记-202503-0002",
      );
      expect(reversal.lines[0].evidence!.txHash).to.equal(remedy.tx_hash);
      expect(balanced(reversal)).to.equal(true);
      const [tb] = trialBalance(rows, defaults, "2025-05-31");
      expect(tb.accounts.find((a) => a.code === "6001")).to.include({ credit: 4_200_000n, closingCredit: 4_200_000n });
      expect(tb.checks.every((c) => c.ok)).to.equal(true);
    });
  });

  describe("lapse (失效且终止确认) and other derecognition", () => {
    it("an intangible lapsed: 1702 and the carrying amount to 6711 against 1701; an inventory lapsed: 1471 and 6711 against 1405", () => {
      // 120,000 over 12 months from March (source Other, credited to 4001 by the mapping): Mar..Jun = 40,000 by
      // the lapse on 07-15 (no July charge); carrying 80,000 to 6711.
      const chart = chartOf({ accounts: { "4001": "实收资本" }, roles: { otherSourceCredit: "4001" } });
      const rights = open(5, "Intangible", "Other", "2025-03-01", { life: 12 }).cost("2025-03-01", 120_000n, "Other").derecognise("2025-07-15", "Lapse", 0n);
      const stock = open(6, "Inventory", "Purchased", "2025-03-01").cost("2025-03-01", 500_000n).impair("2025-04-10", 100_000n).derecognise("2025-07-20", "Other", 0n);
      const j = journal(ledger([rights, stock]), chart, "2025-03-01", "2025-07-31");
      expect(lines(j.vouchers[0])).to.deep.equal([
        ["1701", 120_000n, 0n],
        ["4001", 0n, 120_000n],
      ]);
      expect(j.vouchers.filter((v) => v.kind === "Amortisation").map((v) => v.date)).to.deep.equal(["2025-03-31", "2025-04-30", "2025-05-31", "2025-06-30"]);
      const [lapse] = only(j.vouchers, "Lapse");
      expect(lapse.summary).to.equal("数据资源无形资产失效且终止确认：Dataset 105（SZDE-2025-000105）");
      expect(lines(lapse)).to.deep.equal([
        ["1702", 40_000n, 0n],
        ["6711", 80_000n, 0n],
        ["1701", 0n, 120_000n],
      ]);
      const [other] = only(j.vouchers, "OtherDerecognition");
      expect(lines(other)).to.deep.equal([
        ["1471", 100_000n, 0n],
        ["6711", 400_000n, 0n],
        ["1405", 0n, 500_000n],
      ]);
      // Only the intangible book amortises.
      expect(only(j.vouchers, "Amortisation").every((v) => v.lines.length === 2 && v.lines[0].bookId === 5)).to.equal(true);
      const [tb] = trialBalance(ledger([rights, stock]), chart, "2025-07-31");
      expect(tb.checks.every((c) => c.ok)).to.equal(true);
    });
  });

  describe("order, currencies and the month-end voucher", () => {
    it("on a month's last day: entries, then the month's amortisation (one voucher for every book), then an impairment", () => {
      const a = open(7, "Intangible", "Purchased", "2025-01-01", { life: 10 }).cost("2025-01-01", 1_000_000n);
      const b = open(8, "Intangible", "Purchased", "2025-01-01", { life: 4 }).cost("2025-01-01", 400_000n);
      // On 03-31: a cost of book 7 (chain order first), an impairment of book 8, then another cost of book 7.
      a.cost("2025-03-31", 90_000n, "Other");
      b.impair("2025-03-31", 50_000n);
      a.cost("2025-03-31", 10_000n, "Other");
      const march = journal(ledger([a, b]), defaults, "2025-03-31", "2025-03-31");
      expect(march.vouchers.map((v) => [v.number, v.kind, v.lines.map((l) => l.bookId)])).to.deep.equal([
        ["记-202503-0001", "Cost", [7, 7]],
        ["记-202503-0002", "Cost", [7, 7]],
        ["记-202503-0003", "Amortisation", [7, 8, 7, 8]],
        ["记-202503-0004", "Impairment", [8, 8]],
      ]);
      // Book 7: 100,000 (the month's later costs re-base from April); book 8: 100,000 (the impairment re-bases
      // from April: 400,000 - 300,000 - 50,000 = 50,000 over 1 month).
      expect(lines(march.vouchers[2])).to.deep.equal([
        ["660202", 100_000n, 0n],
        ["660202", 100_000n, 0n],
        ["1702", 0n, 100_000n],
        ["1702", 0n, 100_000n],
      ]);
      const april = journal(ledger([a, b]), defaults, "2025-04-01", "2025-04-30");
      expect(lines(april.vouchers[0])).to.deep.equal([
        ["660202", 114_285n, 0n], // (1,100,000 - 300,000) / 7 (Apr..Oct), floored
        ["660202", 50_000n, 0n],
        ["1702", 0n, 114_285n],
        ["1702", 0n, 50_000n],
      ]);
    });

    it("a book's own amortisation account; books in two currencies never share a voucher or a total", () => {
      const cny = open(9, "Intangible", "Purchased", "2025-01-01", { life: 2 }).cost("2025-01-01", 200_000n);
      const usd = open(10, "Intangible", "Purchased", "2025-01-01", { life: 2, currency: USD }).cost("2025-01-01", 30_000n);
      const chart = chartOf({ books: { "10": { amortisation: "6401" } } });
      const j = journal(ledger([cny, usd]), chart, "2025-01-01", "2025-02-28");
      expect(j.vouchers.map((v) => [v.number, v.kind, v.currency, lines(v)])).to.deep.equal([
        ["记-202501-0001", "Cost", CNY, [["1701", 200_000n, 0n], ["1002", 0n, 200_000n]]],
        ["记-202501-0002", "Cost", USD, [["1701", 30_000n, 0n], ["1002", 0n, 30_000n]]],
        ["记-202501-0003", "Amortisation", CNY, [["660202", 100_000n, 0n], ["1702", 0n, 100_000n]]],
        ["记-202501-0004", "Amortisation", USD, [["6401", 15_000n, 0n], ["1702", 0n, 15_000n]]],
        ["记-202502-0001", "Amortisation", CNY, [["660202", 100_000n, 0n], ["1702", 0n, 100_000n]]],
        ["记-202502-0002", "Amortisation", USD, [["6401", 15_000n, 0n], ["1702", 0n, 15_000n]]],
      ]);
      expect(j.totals).to.deep.equal([
        { currency: CNY, vouchers: 3, lines: 6, debit: 400_000n, credit: 400_000n },
        { currency: USD, vouchers: 3, lines: 6, debit: 60_000n, credit: 60_000n },
      ]);
      expect(trialBalance(ledger([cny, usd]), chart, "2025-02-28").map((t) => [t.currency, t.checks.every((c) => c.ok)])).to.deep.equal([
        [CNY, true],
        [USD, true],
      ]);
    });
  });

  describe("chart of accounts and mapping", () => {
    it("defaults: every role posts to an account of DOMAIN.md's chart", () => {
      for (const [role, [code]] of Object.entries(ROLES)) {
        expect(DEFAULT_ACCOUNTS[code], role).to.be.a("string");
        expect(defaults.roles[role as keyof typeof ROLES]).to.deep.equal({ code, name: DEFAULT_ACCOUNTS[code] });
      }
      expect(defaults.roles.amortisationExpense).to.deep.equal({ code: "660202", name: "管理费用—无形资产摊销" });
      // A renamed default applies to the roles posting to it.
      expect(chartOf({ accounts: { "1701": "无形资产—数据资源（自有编码）" } }).roles.intangible.name).to.equal("无形资产—数据资源（自有编码）");
    });

    it("accepts the README's example mapping: its own accounts, roles pointed at them, a book's amortisation account", () => {
      const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");
      const example = /Journal entries for the general ledger[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)![1];
      const chart = chartOf(JSON.parse(example));
      expect(chart.roles.inventoryPurchased).to.deep.equal({ code: "140301", name: "原材料—数据资源—外购数据" });
      expect(chart.roles.inventoryProcessed).to.deep.equal({ code: "5001", name: "生产成本—数据资源" });
      expect(chart.roles.otherSourceCredit).to.deep.equal({ code: "4001", name: "实收资本" });
      expect(chart.roles.licenceRevenue.code).to.equal("6051");
      expect(chart.bookAmortisation.get(12)).to.deep.equal({ code: "6401", name: "主营业务成本" });
    });

    it("refuses a mapping with an unknown key, role or account, a missing code, a bad code or name, a foreign book", () => {
      const refused: [unknown, RegExp][] = [
        ["[]", /^mapping: not a JSON object/],
        [[], /^mapping: not a JSON object/],
        [{ role: {} }, /^mapping: unknown key "role" \(expected entity, accounts, roles, books\)/],
        [{ roles: { revenue: "6001" } }, /^mapping\.roles: unknown role "revenue" \(roles: cash, /],
        [{ roles: { salesRevenue: "6003" } }, /^mapping\.roles\.salesRevenue: unknown account "6003": not in the default chart \(1002, 1403, .*\) nor declared under mapping\.accounts$/],
        [{ roles: { salesRevenue: "" } }, /^mapping\.roles\.salesRevenue: missing account code$/],
        [{ roles: { salesRevenue: null } }, /^mapping\.roles\.salesRevenue: missing account code$/],
        [{ roles: { salesRevenue: 6001 } }, /^mapping\.roles\.salesRevenue: 6001 is not an account code/],
        [{ accounts: { "60": "short" } }, /^mapping\.accounts: "60" is not an account code/],
        [{ accounts: { "6003": "" } }, /^mapping\.accounts\.6003: the name must be text of 1 to 60 characters/],
        [{ books: { x: { amortisation: "6401" } } }, /^mapping\.books: "x" is not a book id/],
        [{ books: { "3": {} } }, /^mapping\.books\.3\.amortisation: missing account code$/],
        [{ books: { "3": { amortization: "6401" } } }, /^mapping\.books\.3: unknown key "amortization" \(expected amortisation\)/],
        [{ books: { "3": { amortisation: "9999" } } }, /^mapping\.books\.3\.amortisation: unknown account "9999"/],
        [{ entity: "me" }, /^mapping\.entity: "me" is not an address/],
      ];
      for (const [mapping, message] of refused) {
        expect(() => chartOf(mapping), JSON.stringify(mapping)).to.throw(JournalInputError, message);
      }
      // A book the entity does not keep: refused when the journal is computed.
      const chart = chartOf({ books: { "77": { amortisation: "6401" } } });
      expect(() => journal(ledger([open(1, "Intangible", "Purchased", "2025-01-01")]), chart, "2025-01-01", "2025-12-31")).to.throw(
        JournalInputError,
        "mapping.books.77: book 77 is not a book of this entity",
      );
      // The file name prefixes the messages of a configured file.
      expect(() => chartOf({ roles: { cash: "1" } }, "account mapping accounts/0xabc.json")).to.throw(/^account mapping accounts\/0xabc\.json\.roles\.cash: unknown account "1"/);
    });
  });

  describe("bad input", () => {
    const rows = ledger([open(1, "Intangible", "Purchased", "2025-01-01", { life: 12 }).cost("2025-01-01", 120_000n)]);

    it("refuses a reversed range and a period of 10 years or more, saying what to ask for", () => {
      expect(() => journal(rows, defaults, "2025-12-31", "2025-01-01")).to.throw(JournalInputError, "period 2025-12-31 to 2025-01-01 ends before it starts");
      expect(() => journal(rows, defaults, "2025-01-01", "2035-01-01")).to.throw(
        JournalInputError,
        "period 2025-01-01 to 2035-01-01 is longer than 10 years; ask for at most 10 years at a time (2025-01-01 to 2034-12-31 at most)",
      );
      expect(() => checkPeriod("2025-01-01", "2034-12-31")).not.to.throw();
      expect(() => checkPeriod("2025-02-30", "2025-03-01")).to.throw(JournalInputError, /2025-02 has 28 days/);
    });

    it("an entity with no books (and no sales): an empty, well-formed journal and no trial balance", () => {
      const none = ledger([]);
      expect(journal(none, defaults, "2025-01-01", "2025-12-31")).to.deep.equal({ from: "2025-01-01", to: "2025-12-31", vouchers: [], totals: [] });
      expect(trialBalance(none, defaults, "2025-12-31")).to.deep.equal([]);
      // A single day before anything happened: also empty.
      expect(journal(rows, defaults, "2024-12-31", "2024-12-31").vouchers).to.deep.equal([]);
    });
  });

  describe("GraphQL paging (first, after) over an index of twelve books", () => {
    // Twelve intangible books of 1,200.00 over 12 months, one bought each month of 2025 (the 1st, 00:00 UTC+8): a cost
    // voucher each and a monthly amortisation voucher from January; 24 vouchers in all, in an index file as the
    // indexer writes it, read through the API's schema and resolvers.
    const ENTITY = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    const QUERY = `query ($entity: String!, $from: String!, $to: String!, $first: Int, $after: String) {
      journal(entity: $entity, from: $from, to: $to, first: $first, after: $after) {
        pageInfo { hasNextPage endCursor } totals { vouchers lines debit { raw } credit { raw } }
        vouchers { number date kind summary debit { raw } lines { account { code name } debit { raw value } credit { raw value } bookId evidence { txHash } } } } }`;
    let dir: string;
    let db: import("better-sqlite3").Database;
    let run: (variables: Record<string, unknown>) => Promise<{ data?: any; errors?: readonly any[] }>;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "journal-paging-"));
      const file = join(dir, "index.sqlite");
      const w = new Database(file);
      migrate(w);
      const bookRow = w.prepare(`INSERT INTO books (id, entity, asset_id, category, initial_category, source, useful_life_months, residual_value,
        currency, recognised_on, cost, impairment, entry_count) VALUES (?, ?, ?, 'Intangible', 'Intangible', 'Purchased', 12, '0', ?, ?, '120000', '0', 2)`);
      const entry = w.prepare(`INSERT INTO book_entries (book_id, seq, kind, date, amount, source, phase, useful_life_months, evidence_hash,
        recorded_by, block_number, tx_hash, log_index) VALUES (?, ?, ?, ?, ?, 'Purchased', ?, ?, '0x00', ?, ?, ?, 0)`);
      for (let m = 1; m <= 12; m++) {
        const day = at(`2025-${String(m).padStart(2, "0")}-01`);
        bookRow.run(m, ENTITY, 100 + m, CNY, day);
        entry.run(m, 0, "Opened", day, null, null, 12, ENTITY, 10 * m, `0x${(10 * m).toString(16).padStart(64, "0")}`);
        entry.run(m, 1, "Cost", day, "120000", "None", null, ENTITY, 10 * m + 1, `0x${(10 * m + 1).toString(16).padStart(64, "0")}`);
      }
      w.prepare("INSERT INTO tokens (address, allowed, decimals, symbol) VALUES (?, 1, 2, 'eCNY')").run(CNY);
      w.close();
      db = openIndex(file);
      const schema = createSchema({ typeDefs, resolvers });
      const sync = { chainId: 31337, latestBlock: 200, latestHash: "0xabc", latestBlockTime: at("2026-01-01"), head: 200, lag: 0, caughtUp: true };
      run = async (variables) =>
        (await execute({
          schema,
          document: parse(QUERY),
          variableValues: { entity: ENTITY, from: "2025-01-01", to: "2025-12-31", ...variables },
          contextValue: { db, sync, now: sync.latestBlockTime, loaders: createLoaders(db), accountMappings: null, notices: [] },
        })) as { data?: any; errors?: readonly any[] };
    });
    after(() => {
      db?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("pages of any size concatenate to the whole journal; totals are the whole period's on every page", async () => {
      const whole = await run({});
      expect(whole.errors).to.equal(undefined);
      const all = whole.data.journal;
      expect(all.vouchers).to.have.length(24); // 12 costs, 12 amortisations
      expect(all.pageInfo.hasNextPage).to.equal(false);
      expect(all.totals).to.deep.equal([{ vouchers: 24, lines: 24 + 2 * (12 + 11 + 10 + 9 + 8 + 7 + 6 + 5 + 4 + 3 + 2 + 1), debit: { raw: all.totals[0].credit.raw }, credit: { raw: all.totals[0].credit.raw } }]);
      // 12 costs of 1,200.00 and 78 monthly charges of 100.00.
      expect(all.totals[0].debit.raw).to.equal(String(12 * 120_000 + 78 * 10_000));
      for (const size of [1, 5, 7, 24, 1000]) {
        const pages: any[] = [];
        let after: string | null = null;
        for (;;) {
          const page: { data?: any; errors?: readonly any[] } = await run({ first: size, after });
          expect(page.errors, `first ${size}`).to.equal(undefined);
          pages.push(page.data.journal);
          expect(page.data.journal.totals).to.deep.equal(all.totals);
          if (!page.data.journal.pageInfo.hasNextPage) break;
          after = page.data.journal.pageInfo.endCursor;
        }
        expect(pages, `first ${size}`).to.have.length(Math.ceil(24 / size));
        expect(pages.flatMap((p) => p.vouchers)).to.deep.equal(all.vouchers);
        expect(pages.slice(0, -1).every((p) => p.vouchers.length === size)).to.equal(true);
      }
      // The cursor of the last voucher: an empty last page, well formed.
      const last = await run({ first: 5, after: all.pageInfo.endCursor });
      expect(last.data.journal.vouchers).to.deep.equal([]);
      expect(last.data.journal.pageInfo).to.deep.equal({ hasNextPage: false, endCursor: null });
    });

    it("refuses a bad page size, a foreign cursor, another period's cursor and a voucher not in the journal (BAD_USER_INPUT)", async () => {
      const refused = async (variables: Record<string, unknown>, message: string | RegExp) => {
        const r = await run(variables);
        expect(r.errors, JSON.stringify(variables)).to.have.length(1);
        expect(r.errors![0].extensions.code).to.equal("BAD_USER_INPUT");
        if (typeof message === "string") expect(r.errors![0].message).to.equal(message);
        else expect(r.errors![0].message).to.match(message);
        expect(r.data).to.equal(null);
      };
      await refused({ first: 0 }, "first: 0 is not a page size from 1 to 1000");
      await refused({ first: 1001 }, "first: 1001 is not a page size from 1 to 1000");
      await refused({ first: 5, after: "nonsense" }, 'after: "nonsense" is not a journal cursor from this API (use pageInfo.endCursor)');
      const other = (await run({ from: "2025-01-01", to: "2025-06-30", first: 1 })).data.journal.pageInfo.endCursor;
      await refused({ first: 5, after: other }, "after: the cursor is for the journal of 2025-01-01..2025-06-30, not 2025-01-01..2025-12-31");
      await refused({ first: 5, after: journalCursor("2025-01-01", "2025-12-31", "记-209901-0001") }, /^after: voucher 记-209901-0001 is not in the journal of 2025-01-01\.\.2025-12-31/);
    });
  });

  describe("the journal cache: one computation per index version, never a stale answer", () => {
    // The index file of the paging tests (twelve books bought in 2025), written through a connection of its own as
    // the indexer writes it, and read by the API's connection: a commit (a new block, a reorganisation undone) makes
    // the next answer read the index again; no commit, the same journal.
    const ENTITY = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    const args = { entity: ENTITY, from: "2025-01-01", to: "2025-12-31" };
    const QUERY = `query ($entity: String!, $from: String!, $to: String!, $first: Int, $after: String, $mapping: String) {
      journal(entity: $entity, from: $from, to: $to, first: $first, after: $after, mapping: $mapping) {
        pageInfo { hasNextPage endCursor } totals { vouchers lines debit { raw } }
        vouchers { number date summary lines { account { code name } debit { value } credit { value } registrationNumber evidence { txHash } } }
        table { columns rows } } }`;
    let dir: string;
    let w: import("better-sqlite3").Database;
    let db: import("better-sqlite3").Database;
    let run: (variables?: Record<string, unknown>, mappings?: string | null) => Promise<any>;
    const hash = (n: number) => `0x${n.toString(16).padStart(64, "0")}`;
    /** Indexes "block" n: a book bought on `day` for `cost` (fen), and the checkpoint, in one transaction. */
    let addBook: (id: number, day: string, cost: number, n: number) => void;
    before(() => {
      dir = mkdtempSync(join(tmpdir(), "journal-cache-"));
      const file = join(dir, "index.sqlite");
      w = new Database(file);
      w.pragma("journal_mode = WAL");
      migrate(w);
      const bookRow = w.prepare(`INSERT INTO books (id, entity, asset_id, category, initial_category, source, useful_life_months, residual_value,
        currency, recognised_on, cost, impairment, entry_count) VALUES (?, ?, ?, 'Intangible', 'Intangible', 'Purchased', 12, '0', ?, ?, ?, '0', 2)`);
      const entry = w.prepare(`INSERT INTO book_entries (book_id, seq, kind, date, amount, source, phase, useful_life_months, evidence_hash,
        recorded_by, block_number, tx_hash, log_index) VALUES (?, ?, ?, ?, ?, 'Purchased', ?, ?, '0x00', ?, ?, ?, 0)`);
      const checkpoint = w.prepare(`INSERT INTO checkpoint (id, block_number, block_hash, block_time, chain_head) VALUES (1, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash, block_time = excluded.block_time`);
      addBook = w.transaction((id: number, day: string, cost: number, n: number) => {
        bookRow.run(id, ENTITY, 100 + id, CNY, at(day), String(cost));
        entry.run(id, 0, "Opened", at(day), null, null, 12, ENTITY, n, hash(10 * n));
        entry.run(id, 1, "Cost", at(day), String(cost), "None", null, ENTITY, n, hash(10 * n + 1));
        checkpoint.run(n, hash(n), at(day), n);
      });
      for (let m = 1; m <= 12; m++) addBook(m, `2025-${String(m).padStart(2, "0")}-01`, 120_000, m);
      w.prepare("INSERT INTO tokens (address, allowed, decimals, symbol) VALUES (?, 1, 2, 'eCNY')").run(CNY);
      db = openIndex(file);
      const schema = createSchema({ typeDefs, resolvers });
      const sync = { chainId: 31337, latestBlock: 12, latestHash: hash(12), latestBlockTime: at("2026-01-01"), head: 12, lag: 0, caughtUp: true };
      run = async (variables = {}, mappings = null) => {
        const r = (await execute({
          schema,
          document: parse(QUERY),
          variableValues: { ...args, ...variables },
          contextValue: { db, sync, now: sync.latestBlockTime, loaders: createLoaders(db), accountMappings: mappings, notices: [] },
        })) as { data?: any; errors?: readonly any[] };
        expect(r.errors, JSON.stringify(variables)).to.equal(undefined);
        return r.data.journal;
      };
    });
    after(() => {
      db?.close();
      w?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("the same journal while the index does not change; a new block's book is in the next answer, the pages and the downloads", async () => {
      const before = await run();
      expect(before.vouchers).to.have.length(24);
      const kept = computeJournal(db, args);
      expect(computeJournal(db, args), "no commit: the journal computed before").to.equal(kept);
      const csv = journalCsv(db, args).body;
      expect(journalCsv(db, args).body, "the CSV made once").to.equal(csv);
      const page = await run({ first: 10 });
      // A new block: a book bought on 2025-06-15 (cost voucher 记-202506-0002, before the month-end amortisation).
      addBook(13, "2025-06-15", 60_000, 13);
      const fresh = computeJournal(db, args);
      expect(fresh, "a commit: computed again").to.not.equal(kept);
      const after = await run();
      expect(after.vouchers).to.have.length(25);
      expect(after.totals[0].debit.raw).to.equal(String(BigInt(before.totals[0].debit.raw) + 60_000n + 7n * 5_000n)); // + cost + 7 charges (Jun..Dec)
      expect(after.vouchers.map((v: any) => v.number)).to.include("记-202506-0003");
      const june = after.vouchers.find((v: any) => v.number === "记-202506-0002");
      expect(june.lines[0].evidence.txHash).to.equal(hash(131));
      // The page after the old first page is cut from the new journal (the cursor's voucher is still there).
      const next = await run({ first: 10, after: page.pageInfo.endCursor });
      expect(next.vouchers.map((v: any) => v.number)).to.deep.equal(after.vouchers.slice(10, 20).map((v: any) => v.number));
      // The CSV: one row more per line of the new book's vouchers (cost 2 lines, 7 charges 2 lines each).
      const csvAfter = journalCsv(db, args).body.toString("utf8");
      expect(csvAfter.split("\r\n").length - csv.toString("utf8").split("\r\n").length).to.equal(2 + 7 * 2);
      expect(csvAfter).to.include(hash(131));
      // A reorganisation undoes the block: the answer is the one before it again.
      w.transaction(() => {
        w.prepare("DELETE FROM book_entries WHERE book_id = 13").run();
        w.prepare("DELETE FROM books WHERE id = 13").run();
        w.prepare("UPDATE checkpoint SET block_number = 12, block_hash = ? WHERE id = 1").run(hash(12));
      })();
      expect(await run()).to.deep.equal(before);
      expect(journalCsv(db, args).body.equals(csv)).to.equal(true);
    });

    it("a block of other entities' activity keeps the journal (its rows are the same); a change to a token it names does not", async () => {
      const before = await run();
      const kept = computeJournal(db, args);
      const csv = journalCsv(db, args).body;
      // Another entity's book, in a block of its own: the index changed, the entity's rows did not.
      const OTHER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
      w.transaction(() => {
        w.prepare(`INSERT INTO books (id, entity, asset_id, category, initial_category, source, useful_life_months, residual_value,
          currency, recognised_on, cost, impairment, entry_count) VALUES (99, ?, 199, 'Intangible', 'Intangible', 'Purchased', 12, '0', ?, ?, '5000', '0', 1)`)
          .run(OTHER, CNY, at("2025-03-03"));
        w.prepare("UPDATE checkpoint SET block_number = 20, block_hash = ? WHERE id = 1").run(hash(20));
      })();
      expect(computeJournal(db, args), "same rows: the journal kept").to.equal(kept);
      expect(journalCsv(db, args).body, "and its CSV").to.equal(csv);
      expect(await run()).to.deep.equal(before);
      // The token's symbol changes (as an indexer reading its metadata again would): every row's 币种 changes.
      w.prepare("UPDATE tokens SET symbol = 'e-CNY' WHERE address = ?").run(CNY);
      expect(computeJournal(db, args)).to.not.equal(kept);
      const renamed = await run();
      expect(renamed.table.rows.every((r: string[]) => r[8] === "e-CNY")).to.equal(true);
      expect(journalCsv(db, args).body.toString("utf8")).to.include(",e-CNY,");
      w.prepare("UPDATE tokens SET symbol = 'eCNY' WHERE address = ?").run(CNY);
      expect(await run()).to.deep.equal(before);
    });

    it("table: the CSV's rows, page by page", async () => {
      const whole = await run();
      const csv = journalCsv(db, args).body.toString("utf8").replace(/^\ufeff/, "").split("\r\n").slice(0, -1).map((r) => r.split(","));
      expect(whole.table.columns).to.deep.equal(csv[0]);
      expect(whole.table.rows).to.deep.equal(csv.slice(1));
      expect(whole.table.rows).to.have.length(whole.totals[0].lines);
      // The first voucher (a cost of 1,200.00), line by line, as the vouchers give it.
      const v = whole.vouchers[0];
      expect(whole.table.rows.slice(0, 2)).to.deep.equal(
        v.lines.map((l: any) => [v.date, v.number, v.summary, l.account.code, l.account.name,
          l.debit.value === "0.00" ? "" : l.debit.value, l.credit.value === "0.00" ? "" : l.credit.value, "资产 101", "eCNY", l.evidence.txHash]),
      );
      expect(whole.table.rows[0].slice(5, 7)).to.deep.equal(["1200.00", ""]);
      const rows: string[][] = [];
      let after: string | null = null;
      for (;;) {
        const page: any = await run({ first: 7, after });
        rows.push(...page.table.rows);
        expect(page.table.rows).to.have.length(page.vouchers.reduce((n: number, x: any) => n + x.lines.length, 0));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(rows).to.deep.equal(whole.table.rows);
    });

    it("a mapping file changed on disk is read again (the index unchanged)", async () => {
      const mappings = join(dir, "mappings");
      mkdirSync(mappings);
      const file = join(mappings, `${ENTITY}.json`);
      writeFileSync(file, JSON.stringify({ roles: { amortisationExpense: "6602" } }));
      const first = await run({}, mappings);
      expect(first.vouchers[1].lines[0].account.code).to.equal("6602");
      writeFileSync(file, JSON.stringify({ roles: { amortisationExpense: "6401" } }));
      const second = await run({}, mappings);
      expect(second.vouchers[1].lines[0].account.code).to.equal("6401");
      expect((await run({}, null)).vouchers[1].lines[0].account.code).to.equal("660202");
    });
  });

  describe("property: random valid books", () => {
    const DAY = 86_400;
    const START = at("2024-01-01");
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
    const saleArb = fc.record({ book: fc.nat(), day: fc.integer({ min: 0, max: 900 }), net: fc.bigInt({ min: 0n, max: 3_000_000n }), fee: fc.bigInt({ min: 0n, max: 50_000n }) });

    /** Random steps as a valid entry sequence (as in test/api/accounting.test.ts), each with a chain position. */
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
      const entries: JournalEntryRow[] = [{ book_id: id, seq: 0, kind: "Opened", date: opened, source: spec.source, ...chain() }];
      const push = (e: Omit<EntryRow, "book_id" | "seq">) => entries.push({ book_id: id, seq: entries.length, ...e, ...chain() });
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

    it("vouchers balance, add up to the trial balance, which reconciles with the balance sheet; amortisation adds up", () => {
      fc.assert(
        fc.property(fc.array(bookArb, { minLength: 1, maxLength: 6 }), fc.array(saleArb, { maxLength: 4 }), fc.array(fc.integer({ min: 0, max: 1300 }), { minLength: 1, maxLength: 4 }), (specs, sales, dates) => {
          const built = specs.map((s, i) => build(i + 1, s));
          // Settlements of the books' assets sold by the entity, some on a derecognition's day (linked to it).
          const saleRows: SaleRow[] = sales.map((s, i) => {
            const b = built[s.book % built.length];
            const gone = b.entries.find((e) => e.kind === "Derecognised");
            const when = gone && s.day % 2 === 0 ? day(gone.date) : day(START + s.day * DAY);
            return sale(1000 + i, b.row.asset_id, when, s.day % 3 === 0 ? "HoldingTransfer" : "ProcessingUse", { fee: s.fee, net: s.net, token: b.row.currency });
          });
          const rows: LedgerRows = {
            books: built.map((b) => b.row),
            entries: new Map(built.map((b) => [b.row.id, b.entries])),
            assets: new Map(),
            sales: saleRows,
            royalties: [],
            remedies: [],
          };
          for (const d of dates) {
            const asOf = day(START + d * DAY);
            const j = journal(rows, defaults, "2024-01-01", asOf);
            // Every voucher balances; numbers run 1, 2, ... within each month, in date order.
            const perMonth = new Map<string, number>();
            let previous = "";
            for (const v of j.vouchers) {
              expect(balanced(v), `${v.number} balances`).to.equal(true);
              expect(v.date >= previous, `${v.number} in date order`).to.equal(true);
              previous = v.date;
              const month = v.date.slice(0, 7).replace("-", "");
              const n = (perMonth.get(month) ?? 0) + 1;
              perMonth.set(month, n);
              expect(v.number).to.equal(`记-${month}-${String(n).padStart(4, "0")}`);
            }
            // The vouchers up to asOf add up to the trial balance, account by account.
            const tbs = trialBalance(rows, defaults, asOf);
            for (const tb of tbs) {
              const sums = new Map<string, [bigint, bigint]>();
              for (const v of j.vouchers.filter((x) => x.currency === tb.currency)) {
                for (const l of v.lines) {
                  const [dr, cr] = sums.get(l.account.code) ?? [0n, 0n];
                  sums.set(l.account.code, [dr + l.debit, cr + l.credit]);
                }
              }
              expect(tb.accounts.map((a) => [a.code, a.debit, a.credit]), `${tb.currency} as of ${asOf}`).to.deep.equal(
                [...sums].sort(([x], [y]) => (x < y ? -1 : 1)).map(([code, [dr, cr]]) => [code, dr, cr]),
              );
              // The trial balance reconciles with the balance sheet as of the same date.
              expect(tb.checks.filter((c) => !c.ok).map((c) => `${c.name}: expected ${c.expected}, actual ${c.actual}`), asOf).to.deep.equal([]);
            }
            // One trial balance per currency with books on the balance sheet.
            for (const s of balanceSheet(rows.books, rows.entries, asOf)) expect(tbs.map((t) => t.currency)).to.include(s.currency);
            // A book's amortisation vouchers add up to its accumulated amortisation (removed at derecognition).
            for (const b of built) {
              const p = positionOf(b.row, b.entries, asOf);
              const charged = j.vouchers
                .filter((v) => v.kind === "Amortisation")
                .flatMap((v) => v.lines)
                .filter((l) => l.bookId === b.row.id && l.role === "accumulatedAmortisation")
                .reduce((s, l) => s + l.credit, 0n);
              expect(charged, `book ${b.row.id} as of ${asOf}`).to.equal(p.derecognised ? p.derecognition!.amortisation : p.amortisation);
              // None in the month of derecognition or after.
              if (p.derecognised) {
                const goneMonth = monthOf(p.derecognition!.date);
                const late = j.vouchers.filter((v) => v.kind === "Amortisation" && v.lines.some((l) => l.bookId === b.row.id) && monthOf(at(v.date)) >= goneMonth);
                expect(late.map((v) => v.number), `book ${b.row.id}`).to.deep.equal([]);
              }
            }
          }
        }),
        { numRuns: RUNS },
      );
    });
  });
});
