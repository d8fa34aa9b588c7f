// Books end to end (issue 16, items 10 and 11): recorded on a real chain (AssetLedger, DataExchange), indexed into
// SQLite by the real indexer and served by the real API. An intangible asset bought on one date and ready for use on
// another is amortised from the ready month; a cost's order link is shown on the book's entries with the amount the
// linked order settled for. Expected figures are worked out by hand in the comments.
//
// Amounts are fen (the ledger's currency has 2 decimals). Figures are asserted at month ends and for periods of whole
// months, where every amortisation convention of api/accounting.ts agrees.
import { expect } from "chai";
import { ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { Indexer } from "../../indexer/indexer";
import { startApi, type ApiServer } from "../../api/server";
import { indexerOptions, recordOf, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { graphql, graphqlData } from "../helpers/api";
import { hash } from "../helpers/registry";
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
  const order = { bought: 0n, arbitrated: 0n };
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
});
