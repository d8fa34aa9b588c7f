// Books end to end (issue 16, items 10 and 11): recorded on a real chain (AssetLedger, DataExchange), indexed into
// SQLite by the real indexer and served by the real API. An intangible asset bought on one date and ready for use on
// another is amortised from the ready month; a cost's order link is shown on the book's entries with the amount the
// linked order settled for. The same books as journal vouchers and a trial balance (issue 17), with a licence the
// entity sold, a remedy of it after settlement and a royalty from a derived asset. Expected figures are worked out by
// hand in the comments.
//
// Amounts are fen (the ledger's currency has 2 decimals). Figures are asserted at month ends and for periods of whole
// months, where every amortisation convention of api/accounting.ts agrees.
import { expect } from "chai";
import { ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { Indexer } from "../../indexer/indexer";
import { startApi, type ApiServer } from "../../api/server";
import { indexerOptions, recordOf, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import ExcelJS from "exceljs";
import { mkdirSync, writeFileSync } from "node:fs";
import { graphql, graphqlData } from "../helpers/api";
import { hash, registerActive } from "../helpers/registry";
import { listingTerms, type Market } from "../helpers/exchange";
import { CostPhase, CostSource, Category, cstDate, exchangeOrders, ledgerWorld, type LedgerWorld } from "../helpers/ledger";

const AMT = "{ raw value }";
const ENTRY = `seq kind date amount ${AMT} source phase usefulLifeMonths reason proceeds ${AMT} orderId
  orderGross { raw value token { address symbol decimals } }
  settlement { order { id price ${AMT} } gross ${AMT} exchangeFee ${AMT} sellerNet ${AMT} }
  evidenceHash recordedBy chain { txHash blockNumber logIndex }`;
const BOOK = `id entity asset { id } category initialCategory source usefulLifeMonths residualValue ${AMT}
  currency { address symbol decimals } recognisedOn readyOn awaitingUse derecognisedOn derecognitionReason
  proceeds ${AMT} cost ${AMT} impairment ${AMT}`;
const BOOK_QUERY = `query ($id: ID!, $first: Int, $after: String) {
  book(id: $id) { ${BOOK} entries(first: $first, after: $after) { nodes { ${ENTRY} } pageInfo { hasNextPage endCursor } } } }`;
const BOOKS_QUERY = `query ($where: BookFilter, $first: Int, $after: String) {
  books(where: $where, first: $first, after: $after) { nodes { id readyOn awaitingUse } pageInfo { hasNextPage endCursor } } }`;
const SHEET = `query ($entity: String!, $asOf: String!) {
  balanceSheet(entity: $entity, asOf: $asOf) { intangible ${AMT} development ${AMT}
    rows { bookId category source cost ${AMT} accumulatedAmortisation ${AMT} carryingAmount ${AMT} } } }`;
const DISCLOSURE = `query ($entity: String!, $from: String!, $to: String!) {
  disclosure(entity: $entity, from: $from, to: $to) { checksPass
    intangible { rows { key purchased ${AMT} selfDeveloped ${AMT} other ${AMT} total ${AMT} } } } }`;
const VALUATION = `query ($id: ID!, $asOf: String!, $params: ValuationParams) {
  valuation(assetId: $id, asOf: $asOf, params: $params) { cost { computed value ${AMT} reason inputs } } }`;

/** `YYYY-MM-DDT00:00:00+08:00`: how the API shows a ledger date (recorded at 00:00 UTC+8). */
const shown = (date: string) => `${date}T00:00:00+08:00`;

describe("API: accounting books, ready dates and order links against a real chain", function () {
  let l: LedgerWorld;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let indexer: Indexer;
  let api: ApiServer;
  let token: { address: string; symbol: string; decimals: number };
  const book = { bought: 0, plain: 0 };
  const order = { bought: 0n, arbitrated: 0n, licence: 0n, derived: 0n };
  const sold = { accept: "", remedy: "", derived: "", certId: 0n };
  const tx: Record<string, { hash: string; evidence: string }> = {};

  const data = (query: string, variables: Record<string, unknown> = {}) => graphqlData(api.url, query, variables);

  /** Sends a ledger entry with a fresh evidence hash and remembers its transaction under `key`. */
  async function entry(key: string, send: (evidence: string) => Promise<ContractTransactionResponse>) {
    const evidence = hash(key);
    const receipt = (await (await send(evidence)).wait())!;
    tx[key] = { hash: receipt.hash.toLowerCase(), evidence };
  }

  before(async () => {
    l = await ledgerWorld(); // fresh contracts, no loadFixture: this file indexes its own chain
    token = { address: l.currencyAddress, symbol: "eCNY", decimals: 2 };
    const e = l.entity.address;
    const cur = l.currencyAddress;
    const L = l.ledger.connect(l.entity);

    // Orders of the entity on the exchange: licences of another holder's dataset at 24,000.00 = 2,400,000 fen (1% fee).
    const buy = await exchangeOrders(l, 2_400_000n);
    order.bought = await buy(l.entity); // settled at the full price: gross 2,400,000, fee 24,000, seller 2,376,000
    // A second one, disputed; the arbiter refunds 400,000, so it settles for gross 2,000,000.
    order.arbitrated = await buy(l.entity, "Delivered");
    await l.dex.connect(l.entity).dispute(order.arbitrated, hash("dispute"));
    await l.dex.grantRole(await l.dex.ARBITER_ROLE(), l.admin.address);
    await l.dex.resolveDispute(order.arbitrated, 400_000n, hash("ruling"));

    // Book 1: bought 2025-01-15 (linked to the settled order), cleaned and integrated for 120,000 (other source) on
    // 2025-02-20, ready for use 2025-03-10 with 24 months: 2,520,000 / 24 = 105,000 a month from March 2025.
    await entry("open-bought", (ev) => L.recogniseAwaitingUse(e, l.activeId, CostSource.Purchased, 0n, cur, cstDate(2025, 1, 15), ev));
    book.bought = Number(await l.ledger.bookCount());
    await entry("price", (ev) => L.addCost(book.bought, 2_400_000n, CostSource.Purchased, CostPhase.None, cstDate(2025, 1, 15), order.bought, ev));
    await entry("cleaning", (ev) => L.addCost(book.bought, 120_000n, CostSource.Other, CostPhase.None, cstDate(2025, 2, 20), 0, ev));
    await entry("ready", (ev) => L.readyForUse(book.bought, 24, cstDate(2025, 3, 10), ev));

    // Book 2: recognised (and so ready) 2025-04-01, 12 months, its cost the arbitrated order's 2,000,000:
    // 2,000,000 x m / 12 from April 2025.
    await entry("open-plain", (ev) => L.recognise(e, l.activeId, Category.Intangible, CostSource.Purchased, 12, 0n, cur, cstDate(2025, 4, 1), ev));
    book.plain = Number(await l.ledger.bookCount());
    await entry("licence", (ev) =>
      L.addCost(book.plain, 2_000_000n, CostSource.Purchased, CostPhase.None, cstDate(2025, 4, 1), order.arbitrated, ev),
    );

    // The journal's trades (issue 17). The entity sells a processing-use licence of the asset it keeps books of for
    // 1,000,000 (fee 1%: 10,000; seller net 990,000); an arbiter later orders 300,000 back, paid out of its credits.
    // Another holder's derived asset (10% to the entity's asset) sells for 500,000: fee 5,000, net 495,000, royalty
    // floor(495,000 x 10%) = 49,500 to the entity.
    const market = { ...l, token: l.currency } as unknown as Market;
    const dex = await l.dex.getAddress();
    const buyer = l.signers[10];
    await l.currency.mint(buyer.address, 10_000_000n);
    await l.currency.connect(buyer).approve(dex, ethers.MaxUint256);
    const trade = async (seller: typeof buyer, assetId: bigint, price: bigint) => {
      await l.dex.connect(seller).list(await listingTerms(market, assetId, { price }));
      await l.dex.connect(buyer).order(await l.dex.listingCount(), price);
      const id = await l.dex.orderCount();
      await l.dex.connect(seller).deliver(id, hash("delivery"));
      const receipt = (await (await l.dex.connect(buyer).accept(id)).wait())!;
      return { id, hash: receipt.hash.toLowerCase() };
    };
    const licence = await trade(l.entity, l.activeId, 1_000_000n);
    [order.licence, sold.accept, sold.certId] = [licence.id, licence.hash, await l.rights.certificateCount()];
    const remedy = (await (await l.dex.remedyLicence(order.licence, sold.certId, 300_000n, hash("remedy"))).wait())!;
    sold.remedy = remedy.hash.toLowerCase();
    const { assetId: derived } = await registerActive(l, l.otherEntity, { parentIds: [l.activeId], parentSharesBps: [1000] });
    const derivedSale = await trade(l.otherEntity, derived, 500_000n);
    [order.derived, sold.derived] = [derivedSale.id, derivedSale.hash];

    chain = await serveChain();
    tmp = tempDir();
    indexer = new Indexer(indexerOptions(chain.url, await recordOf(l), `${tmp.dir}/index.sqlite`));
    await indexer.syncToHead();
    api = await startApi({ database: `${tmp.dir}/index.sqlite`, sync: () => indexer.status(), port: 0 });
  });

  after(async () => {
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
  });

  describe("book and its entries", () => {
    it("a book bought on one date and ready on another: both dates, its source kept, intangible throughout", async () => {
      const { book: b } = await data(BOOK_QUERY, { id: String(book.bought) });
      const { entries, ...rest } = b;
      expect(rest).to.deep.equal({
        id: String(book.bought),
        entity: l.entity.address,
        asset: { id: String(l.activeId) },
        category: "Intangible",
        initialCategory: "Intangible",
        source: "Purchased",
        usefulLifeMonths: 24,
        residualValue: { raw: "0", value: "0.00" },
        currency: token,
        recognisedOn: shown("2025-01-15"),
        readyOn: shown("2025-03-10"),
        awaitingUse: true,
        derecognisedOn: null,
        derecognitionReason: null,
        proceeds: null,
        cost: { raw: "2520000", value: "25200.00" },
        impairment: { raw: "0", value: "0.00" },
      });
      expect(entries.pageInfo.hasNextPage).to.equal(false);
      expect(entries.nodes.map((n: any) => [n.seq, n.kind, n.date])).to.deep.equal([
        [0, "Opened", shown("2025-01-15")],
        [1, "Cost", shown("2025-01-15")],
        [2, "Cost", shown("2025-02-20")],
        [3, "ReadyForUse", shown("2025-03-10")],
      ]);
      const [opened, price, cleaning, ready] = entries.nodes;
      expect(opened).to.deep.include({ source: "Purchased", usefulLifeMonths: 0, amount: null, orderId: null, orderGross: null, settlement: null });
      expect(cleaning).to.deep.include({
        amount: { raw: "120000", value: "1200.00" },
        source: "Other",
        phase: "None",
        orderId: null,
        orderGross: null,
        settlement: null,
      });
      expect(ready).to.deep.include({ usefulLifeMonths: 24, amount: null, source: null, orderId: null });
      expect(price).to.deep.include({ amount: { raw: "2400000", value: "24000.00" }, source: "Purchased", phase: "None" });
      for (const [n, key] of [
        [opened, "open-bought"],
        [price, "price"],
        [cleaning, "cleaning"],
        [ready, "ready"],
      ] as const) {
        expect(n.chain.txHash, key).to.equal(tx[key].hash);
        expect(n.evidenceHash, key).to.equal(tx[key].evidence);
        expect(n.recordedBy, key).to.equal(l.entity.address);
        const receipt = (await ethers.provider.getTransactionReceipt(tx[key].hash))!;
        expect([n.chain.blockNumber, n.chain.logIndex], key).to.deep.equal([receipt.blockNumber, receipt.logs[0].index]);
      }
    });

    it("a cost's order link: the order id, and beside it the amount the order settled for with its token", async () => {
      const { book: b } = await data(BOOK_QUERY, { id: String(book.bought) });
      const price = b.entries.nodes[1];
      expect(price.orderId).to.equal(String(order.bought));
      expect(price.orderGross).to.deep.equal({ raw: "2400000", value: "24000.00", token });
      expect(price.settlement).to.deep.equal({
        order: { id: String(order.bought), price: { raw: "2400000", value: "24000.00" } },
        gross: { raw: "2400000", value: "24000.00" },
        exchangeFee: { raw: "24000", value: "240.00" }, // 1%
        sellerNet: { raw: "2376000", value: "23760.00" },
      });
    });

    it("the settled amount is the settlement's gross: the price less an arbitrated refund", async () => {
      const { book: b } = await data(BOOK_QUERY, { id: String(book.plain) });
      expect(b).to.deep.include({ recognisedOn: shown("2025-04-01"), readyOn: shown("2025-04-01"), awaitingUse: false, usefulLifeMonths: 12 });
      const licence = b.entries.nodes[1];
      expect(licence.orderId).to.equal(String(order.arbitrated));
      expect(licence.orderGross).to.deep.equal({ raw: "2000000", value: "20000.00", token }); // 2,400,000 - 400,000
      expect(licence.settlement.order.price).to.deep.equal({ raw: "2400000", value: "24000.00" });
      expect(licence.settlement.gross.raw).to.equal("2000000");
    });

    it("pages entries and books; filters books by entity and asset", async () => {
      const first = (await data(BOOK_QUERY, { id: String(book.bought), first: 3 })).book.entries;
      expect(first.nodes.map((n: any) => n.seq)).to.deep.equal([0, 1, 2]);
      expect(first.pageInfo.hasNextPage).to.equal(true);
      const rest = (await data(BOOK_QUERY, { id: String(book.bought), first: 3, after: first.pageInfo.endCursor })).book.entries;
      expect(rest.nodes.map((n: any) => n.seq)).to.deep.equal([3]);
      expect(rest.pageInfo.hasNextPage).to.equal(false);

      const both = [
        { id: String(book.bought), readyOn: shown("2025-03-10"), awaitingUse: true },
        { id: String(book.plain), readyOn: shown("2025-04-01"), awaitingUse: false },
      ];
      expect((await data(BOOKS_QUERY, { where: { entity: l.entity.address.toLowerCase() } })).books.nodes).to.deep.equal(both);
      expect((await data(BOOKS_QUERY, { where: { assetId: String(l.activeId) } })).books.nodes).to.deep.equal(both);
      expect((await data(BOOKS_QUERY, { where: { entity: l.otherEntity.address } })).books.nodes).to.deep.equal([]);
      const page1 = (await data(BOOKS_QUERY, { first: 1 })).books;
      expect(page1.nodes).to.deep.equal([both[0]]);
      expect(page1.pageInfo.hasNextPage).to.equal(true);
      const page2 = (await data(BOOKS_QUERY, { first: 1, after: page1.pageInfo.endCursor })).books;
      expect(page2).to.deep.equal({ nodes: [both[1]], pageInfo: { hasNextPage: false, endCursor: page2.pageInfo.endCursor } });
    });

    it("an unknown book is null; malformed ids, addresses and cursors are the user's error", async () => {
      expect((await data(BOOK_QUERY, { id: "999" })).book).to.equal(null);
      for (const [query, variables, message] of [
        [BOOK_QUERY, { id: "0" }, /^id: "0" is not an id/],
        [BOOKS_QUERY, { where: { entity: "0x12" } }, /^where\.entity: "0x12" is not an address/],
        [BOOKS_QUERY, { where: { assetId: "-1" } }, /^where\.assetId: "-1" is not an id/],
        [BOOKS_QUERY, { first: 101 }, /^first: must be between 1 and 100/],
        [BOOK_QUERY, { id: String(book.bought), after: "nonsense" }, /^after: "nonsense" is not a cursor/],
      ] as const) {
        const a = await graphql(api.url, query, variables);
        expect(a.errors, JSON.stringify(variables)).to.be.an("array").that.is.not.empty;
        expect(a.errors![0].message).to.match(message);
        expect(a.errors![0].extensions?.code).to.equal("BAD_USER_INPUT");
      }
    });
  });

  describe("figures start amortisation in the ready month", () => {
    const sheet = async (asOf: string) => {
      const sheets = (await data(SHEET, { entity: l.entity.address, asOf })).balanceSheet;
      expect(sheets).to.have.length(1);
      return sheets[0];
    };
    const row = (s: any, id: number) => s.rows.find((r: any) => r.bookId === String(id));

    it("balance sheet: at cost under 无形资产 (not 开发支出) before it is ready, amortised from March", async () => {
      // 2025-02-28: book 1 at 2,400,000 + 120,000, nothing amortised; book 2 not yet recognised.
      const feb = await sheet("2025-02-28");
      expect(feb.rows).to.deep.equal([
        {
          bookId: String(book.bought),
          category: "Intangible",
          source: "Purchased",
          cost: { raw: "2520000", value: "25200.00" },
          accumulatedAmortisation: { raw: "0", value: "0.00" },
          carryingAmount: { raw: "2520000", value: "25200.00" },
        },
      ]);
      expect([feb.intangible.raw, feb.development.raw]).to.deep.equal(["2520000", "0"]);
      // 2025-03-31: March charged, 105,000.
      expect(row(await sheet("2025-03-31"), book.bought).accumulatedAmortisation.raw).to.equal("105000");
      // 2025-12-31: book 1 Mar..Dec = 10 x 105,000 = 1,050,000, carrying 1,470,000; book 2 Apr..Dec = 9 months:
      // floor(2,000,000 x 9 / 12) = 1,500,000, carrying 500,000. 无形资产 1,970,000.
      const dec = await sheet("2025-12-31");
      expect(row(dec, book.bought)).to.deep.include({
        accumulatedAmortisation: { raw: "1050000", value: "10500.00" },
        carryingAmount: { raw: "1470000", value: "14700.00" },
      });
      expect(row(dec, book.plain).accumulatedAmortisation.raw).to.equal("1500000");
      expect(dec.intangible).to.deep.equal({ raw: "1970000", value: "19700.00" });
    });

    it("table A 2025: 购入 and 其他增加 in the 外购 column, nothing in 内部研发, amortisation from the ready month", async () => {
      const [d] = (await data(DISCLOSURE, { entity: l.entity.address, from: "2025-01-01", to: "2025-12-31" })).disclosure;
      expect(d.checksPass).to.equal(true);
      const nonZero = (col: string) =>
        Object.fromEntries(d.intangible.rows.filter((r: any) => r[col].raw !== "0").map((r: any) => [r.key, r[col].raw]));
      const expected = {
        "cost.additions": "4520000", // 2,400,000 + 120,000 + 2,000,000
        "cost.additions.purchased": "4400000",
        "cost.additions.other": "120000", // the cleaning, of source Other, in the book's 外购 column
        "cost.closing": "4520000",
        "amortisation.additions": "2550000", // 1,050,000 + 1,500,000
        "amortisation.closing": "2550000",
        "carrying.closing": "1970000",
      };
      expect(nonZero("purchased")).to.deep.equal(expected);
      expect(nonZero("total")).to.deep.equal(expected);
      expect(nonZero("selfDeveloped")).to.deep.equal({});
      expect(nonZero("other")).to.deep.equal({});
      // January-February: bought and cleaned, not yet amortised.
      const [q] = (await data(DISCLOSURE, { entity: l.entity.address, from: "2025-01-01", to: "2025-02-28" })).disclosure;
      expect(q.checksPass).to.equal(true);
      expect(q.intangible.rows.find((r: any) => r.key === "amortisation.additions").total.raw).to.equal("0");
    });

    it("valuation: remaining life counts from the ready month; none before it is ready", async () => {
      const params = { costBasis: "RemainingLife", bookId: book.bought };
      const early = (await data(VALUATION, { id: String(l.activeId), asOf: "2025-02-28", params })).valuation.cost;
      expect(early.computed).to.equal(false);
      expect(early.reason).to.match(new RegExp(`^book ${book.bought} is an intangible asset awaiting use, not ready for use as of 2025-02-28`));
      // 2025-12-31: Mar..Dec = 10 of 24 months used, 14 left: 2,520,000 x 14 / 24 = 1,470,000.
      const dec = (await data(VALUATION, { id: String(l.activeId), asOf: "2025-12-31", params })).valuation.cost;
      expect(dec.computed).to.equal(true);
      expect(dec.value).to.deep.equal({ raw: "1470000", value: "14700.00" });
      expect(JSON.parse(dec.inputs).life).to.deep.include({ bookId: book.bought, usefulLifeMonths: 24, monthsUsed: 10, remainingMonths: 14 });
    });
  });

  describe("journal entries (会计分录) and the trial balance (issue 17)", () => {
    const LINE = `account { code name } role debit { raw value } credit { raw value } assetId registrationNumber assetName bookId
      evidence { txHash blockNumber logIndex }`;
    const JOURNAL = `query ($entity: String!, $from: String!, $to: String!, $mapping: String) {
      journal(entity: $entity, from: $from, to: $to, mapping: $mapping) { entity from to taxExclusive note
        chart { code name roles }
        vouchers { number date kind summary currency { symbol decimals } redInk reverses orderId debit { raw } credit { raw } lines { ${LINE} } }
        totals { currency { symbol } vouchers lines debit { raw value } credit { raw value } } } }`;
    const TRIAL = `query ($entity: String!, $asOf: String!, $mapping: String) {
      trialBalance(entity: $entity, asOf: $asOf, mapping: $mapping) { entity asOf currency { symbol } taxExclusive note vouchers
        accounts { code name debit { raw } credit { raw } closingDebit { raw value } closingCredit { raw value } }
        checks { name expected actual ok } checksPass } }`;
    /** A voucher's lines as [code, debit raw, credit raw, book id]. */
    const lines = (v: any) => v.lines.map((x: any) => [x.account.code, x.debit.raw, x.credit.raw, x.bookId === null ? null : Number(x.bookId)]);
    const journal = async (from: string, to: string, mapping: unknown = null, entity = l.entity.address) =>
      (await data(JOURNAL, { entity, from, to, mapping: mapping === null ? null : JSON.stringify(mapping) })).journal;
    /** The UTC+8 day of a transaction's block, and its log of `name`. */
    async function onChain(txHash: string, name: string) {
      const receipt = (await ethers.provider.getTransactionReceipt(txHash))!;
      const block = (await ethers.provider.getBlock(receipt.blockNumber))!;
      const log = receipt.logs.find((x) => {
        try {
          return l.dex.interface.parseLog(x)?.name === name;
        } catch {
          return false;
        }
      })!;
      return { day: new Date((block.timestamp + 8 * 3600) * 1000).toISOString().slice(0, 10), evidence: { txHash, blockNumber: receipt.blockNumber, logIndex: log.index } };
    }

    it("the books' vouchers of 2025-01..04: costs, no voucher for ready-for-use, amortisation from the ready month", async () => {
      const j = await journal("2025-01-01", "2025-04-30");
      expect(j).to.deep.include({ entity: l.entity.address, from: "2025-01-01", to: "2025-04-30", taxExclusive: true });
      expect(j.note).to.match(/^Amounts are tax-exclusive \(不含税\): VAT is out of scope/);
      expect(j.vouchers.map((v: any) => [v.number, v.date, v.kind, lines(v)])).to.deep.equal([
        ["记-202501-0001", "2025-01-15", "Cost", [["1701", "2400000", "0", book.bought], ["1002", "0", "2400000", book.bought]]],
        // The cleaning, of source Other: credited to otherSourceCredit (1002 by default).
        ["记-202502-0001", "2025-02-20", "Cost", [["1701", "120000", "0", book.bought], ["1002", "0", "120000", book.bought]]],
        // Ready on 03-10 (an intangible awaiting use: nothing moves); March: 2,520,000 / 24 = 105,000.
        ["记-202503-0001", "2025-03-31", "Amortisation", [["660202", "105000", "0", book.bought], ["1702", "0", "105000", book.bought]]],
        ["记-202504-0001", "2025-04-01", "Cost", [["1701", "2000000", "0", book.plain], ["1002", "0", "2000000", book.plain]]],
        // April: book 1 105,000; book 2 floor(2,000,000 / 12) = 166,666.
        [
          "记-202504-0002",
          "2025-04-30",
          "Amortisation",
          [["660202", "105000", "0", book.bought], ["660202", "166666", "0", book.plain], ["1702", "0", "105000", book.bought], ["1702", "0", "166666", book.plain]],
        ],
      ]);
      const [price] = j.vouchers;
      expect(price.currency).to.deep.equal({ symbol: "eCNY", decimals: 2 });
      expect(price.lines[0]).to.deep.include({
        account: { code: "1701", name: "无形资产—数据资源" },
        role: "intangible",
        debit: { raw: "2400000", value: "24000.00" },
        credit: { raw: "0", value: "0.00" },
        assetId: String(l.activeId),
        registrationNumber: await l.registry.registrationNumber(l.activeId),
      });
      // Evidence: the entry's transaction and log; a month-end line, the entry that set the schedule (ready for use).
      const receipt = (await ethers.provider.getTransactionReceipt(tx.price.hash))!;
      expect(price.lines[0].evidence).to.deep.equal({ txHash: tx.price.hash, blockNumber: receipt.blockNumber, logIndex: receipt.logs[0].index });
      expect(j.vouchers[2].lines[0].evidence.txHash).to.equal(tx.ready.hash);
      expect(j.totals).to.deep.equal([{ currency: { symbol: "eCNY" }, vouchers: 5, lines: 12, debit: { raw: "4896666", value: "48966.66" }, credit: { raw: "4896666", value: "48966.66" } }]);
      expect(j.chart.find((a: any) => a.code === "1002")).to.deep.equal({ code: "1002", name: "银行存款", roles: ["cash", "selfDevelopedCredit", "otherSourceCredit"] });
    });

    it("a licence sold, a royalty received, and the remedy as a red-ink reversal, with their chain evidence", async () => {
      const [sale, remedy, royalty] = await Promise.all([onChain(sold.accept, "Settled"), onChain(sold.remedy, "LicenceRemedied"), onChain(sold.derived, "Settled")]);
      const j = await journal(sale.day, royalty.day);
      const byKind = (kind: string) => j.vouchers.filter((v: any) => v.kind === kind);
      const [licence] = byKind("LicenceSale");
      expect(licence).to.deep.include({ date: sale.day, orderId: String(order.licence), redInk: false, reverses: null });
      expect(lines(licence)).to.deep.equal([
        ["1002", "990000", "0", book.bought], // the entity holds two books of the asset: the first one named
        ["6601", "10000", "0", book.bought],
        ["6001", "0", "1000000", book.bought],
      ]);
      expect(licence.lines.map((x: any) => x.evidence)).to.deep.equal([sale.evidence, sale.evidence, sale.evidence]);
      expect(licence.summary).to.match(new RegExp(`^数据资源许可收入（订单 ${order.licence}）：`));
      const [reversal] = byKind("Reversal");
      expect(reversal).to.deep.include({ date: remedy.day, redInk: true, reverses: licence.number, orderId: String(order.licence) });
      expect(reversal.lines.map((x: any) => [x.account.code, x.debit.value, x.credit.value])).to.deep.equal([
        ["1002", "-3000.00", "0.00"],
        ["6001", "0.00", "-3000.00"],
      ]);
      expect(reversal.lines[0].evidence).to.deep.equal(remedy.evidence);
      const [received] = byKind("RoyaltyReceived");
      expect(lines(received)).to.deep.equal([
        ["1002", "49500", "0", book.bought],
        ["6051", "0", "49500", book.bought],
      ]);
      expect(received.lines[0]).to.deep.include({ assetId: String(l.activeId), evidence: royalty.evidence });
      expect(received.orderId).to.equal(String(order.derived));
      // The other holder sold the derived asset but keeps no book: no voucher, and an empty, well-formed journal.
      const other = await journal(sale.day, royalty.day, null, l.otherEntity.address);
      expect(other).to.deep.include({ vouchers: [], totals: [] });
      expect((await data(TRIAL, { entity: l.otherEntity.address, asOf: royalty.day })).trialBalance).to.deep.equal([]);
    });

    it("the trial balance adds the vouchers up and reconciles with the balance sheet, saying what it checked", async () => {
      const [dec] = (await data(TRIAL, { entity: l.entity.address, asOf: "2025-12-31" })).trialBalance;
      expect(dec).to.deep.include({ asOf: "2025-12-31", taxExclusive: true, checksPass: true, vouchers: 13 });
      const check = dec.checks.find((c: any) => c.name.startsWith("1701 - 1702 - 1703"));
      expect(check).to.deep.equal({ name: check.name, expected: "1970000", actual: "1970000", ok: true }); // the 无形资产 line
      const account = (t: any, code: string) => t.accounts.find((a: any) => a.code === code);
      expect(account(dec, "1701").closingDebit.raw).to.equal("4520000");
      expect(account(dec, "1702").closingCredit.raw).to.equal("2550000"); // 1,050,000 + 1,500,000
      const today = (await onChain(sold.derived, "Settled")).day;
      const [now] = (await data(TRIAL, { entity: l.entity.address, asOf: today })).trialBalance;
      expect(now.checks.filter((c: any) => !c.ok)).to.deep.equal([]);
      expect(account(now, "6001").closingCredit.raw).to.equal("700000"); // 1,000,000 less the 300,000 reversed
      expect(account(now, "6051").closingCredit.raw).to.equal("49500");
      expect(account(now, "6601").closingDebit.raw).to.equal("10000");
    });

    it("an account mapping: as an argument, and as the server's file for the entity; mistakes refused clearly", async () => {
      const mapping = { roles: { amortisationExpense: "6402" }, books: { [book.plain]: { amortisation: "5001" } } };
      expect(lines((await journal("2025-04-30", "2025-04-30", mapping)).vouchers[0])).to.deep.equal([
        ["6402", "105000", "0", book.bought],
        ["5001", "166666", "0", book.plain],
        ["1702", "0", "105000", book.bought],
        ["1702", "0", "166666", book.plain],
      ]);
      // The server's file: ACCOUNT_MAPPINGS/<entity>.json (a second API on the same index).
      const dir = `${tmp.dir}/accounts`;
      mkdirSync(dir, { recursive: true });
      writeFileSync(`${dir}/${l.entity.address}.json`, JSON.stringify({ entity: l.entity.address, roles: { licenceRevenue: "6051" } }));
      writeFileSync(`${dir}/${l.otherEntity.address.toLowerCase()}.json`, JSON.stringify({ roles: { licenceRevenue: "6003" } }));
      const mapped = await startApi({ database: `${tmp.dir}/index.sqlite`, sync: () => indexer.status(), port: 0, accountMappings: dir });
      try {
        const day = (await onChain(sold.accept, "Settled")).day;
        const j = (await graphqlData(mapped.url, JOURNAL, { entity: l.entity.address, from: day, to: day })).journal;
        expect(lines(j.vouchers.find((v: any) => v.kind === "LicenceSale"))[2]).to.deep.equal(["6051", "0", "1000000", book.bought]);
        const broken = await graphql(mapped.url, JOURNAL, { entity: l.otherEntity.address, from: day, to: day });
        expect(broken.errors![0].extensions?.code).to.equal("ACCOUNT_MAPPING_INVALID");
        expect(broken.errors![0].message).to.match(/^account mapping .*accounts\/0x[0-9a-f]{40}\.json\.roles\.licenceRevenue: unknown account "6003"/);
        // The argument wins over the file.
        const again = (await graphqlData(mapped.url, JOURNAL, { entity: l.entity.address, from: day, to: day, mapping: "{}" })).journal;
        expect(lines(again.vouchers.find((v: any) => v.kind === "LicenceSale"))[2][0]).to.equal("6001");
      } finally {
        await mapped.close();
      }
    });

    it("refuses a reversed range, more than 10 years, a malformed or wrong mapping, with BAD_USER_INPUT", async () => {
      for (const [variables, message] of [
        [{ from: "2025-12-31", to: "2025-01-01" }, /^period 2025-12-31 to 2025-01-01 ends before it starts$/],
        [{ from: "2025-01-01", to: "2035-01-01" }, /^period 2025-01-01 to 2035-01-01 is longer than 10 years; ask for at most 10 years at a time \(2025-01-01 to 2034-12-31 at most\)$/],
        [{ from: "2025-01-01", to: "2025-13-01" }, /^to: impossible date 2025-13-01: no month 13$/],
        [{ from: "2025-01-01", to: "2025-12-31", mapping: "{" }, /^mapping: not JSON/],
        [{ from: "2025-01-01", to: "2025-12-31", mapping: '{"roles":{"cash":"1001"}}' }, /^mapping\.roles\.cash: unknown account "1001": not in the default chart/],
        [{ from: "2025-01-01", to: "2025-12-31", mapping: '{"roles":{"cash":""}}' }, /^mapping\.roles\.cash: missing account code$/],
        [{ from: "2025-01-01", to: "2025-12-31", mapping: '{"books":{"999":{"amortisation":"6401"}}}' }, /^mapping\.books\.999: book 999 is not a book of this entity$/],
        [{ from: "2025-01-01", to: "2025-12-31", mapping: `{"entity":"${l.otherEntity.address}"}` }, /^mapping\.entity: the mapping is for 0x[0-9a-fA-F]{40}, not 0x/],
      ] as const) {
        const a = await graphql(api.url, JOURNAL, { entity: l.entity.address, ...variables });
        expect(a.errors, JSON.stringify(variables)).to.be.an("array").that.is.not.empty;
        expect(a.errors![0].message, JSON.stringify(variables)).to.match(message);
        expect(a.errors![0].extensions?.code).to.equal("BAD_USER_INPUT");
      }
    });

    it("GET /csv/journal (UTF-8 with BOM) and /xlsx/journal: the ERP import columns, the GraphQL lines; 400 for bad input", async () => {
      const j = await journal("2025-01-01", "2025-04-30");
      const res = await fetch(`${api.url}/csv/journal?entity=${l.entity.address}&from=2025-01-01&to=2025-04-30`);
      expect(res.headers.get("content-type")).to.equal("text/csv; charset=utf-8");
      expect(res.headers.get("content-disposition")).to.equal('attachment; filename="journal-2025-01-01-2025-04-30.csv"');
      const text = Buffer.from(await res.arrayBuffer()).toString("utf8");
      expect(text.startsWith("\ufeff凭证日期,凭证字号,摘要,科目编码,科目名称,借方金额,贷方金额,辅助核算,币种,证据交易\r\n")).to.equal(true);
      const rows = text.slice(1).trimEnd().split("\r\n").slice(1).map((r) => r.split(","));
      const expected = j.vouchers.flatMap((v: any) =>
        v.lines.map((x: any) => [v.date, v.number, v.summary, x.account.code, x.account.name, x.debit.raw === "0" ? "" : x.debit.value, x.credit.raw === "0" ? "" : x.credit.value, x.registrationNumber, "eCNY", x.evidence.txHash]),
      );
      expect(rows).to.deep.equal(expected);
      expect(rows[0]).to.deep.equal(["2025-01-15", "记-202501-0001", j.vouchers[0].summary, "1701", "无形资产—数据资源", "24000.00", "", await l.registry.registrationNumber(l.activeId), "eCNY", tx.price.hash]);

      const xlsx = await fetch(`${api.url}/xlsx/journal?entity=${l.entity.address}&from=2025-01-01&to=2025-04-30`);
      expect(xlsx.status).to.equal(200);
      expect(xlsx.headers.get("content-type")).to.equal("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      expect(xlsx.headers.get("content-disposition")).to.equal('attachment; filename="journal-2025-01-01-2025-04-30.xlsx"');
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as any);
      const sheet = workbook.getWorksheet("凭证")!;
      const cells: string[][] = [];
      sheet.eachRow({ includeEmpty: false }, (row) => cells.push(Array.from({ length: 10 }, (_, i) => String(row.getCell(i + 1).value ?? ""))));
      expect(cells[0]).to.deep.equal(["凭证日期", "凭证字号", "摘要", "科目编码", "科目名称", "借方金额", "贷方金额", "辅助核算", "币种", "证据交易"]);
      expect(cells.slice(1)).to.deep.equal(expected); // every cell text: the amounts exactly as in the CSV
      expect(typeof sheet.getRow(2).getCell(6).value).to.equal("string");

      for (const route of ["csv", "xlsx"]) {
        const bad = await fetch(`${api.url}/${route}/journal?entity=${l.entity.address}&from=2025-12-31&to=2025-01-01`);
        expect(bad.status).to.equal(400);
        expect(await bad.json()).to.deep.equal({ error: "period 2025-12-31 to 2025-01-01 ends before it starts" });
      }
      const noEntity = await fetch(`${api.url}/csv/journal?from=2025-01-01&to=2025-01-31`);
      expect(noEntity.status).to.equal(400);
      expect((await noEntity.json()).error).to.match(/^entity: "" is not an address/);
    });
  });
});
