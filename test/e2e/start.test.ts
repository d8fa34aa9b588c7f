// The start command's pieces end to end: chain served over HTTP, contracts deployed, the demo seeded, the indexer
// backfilling it and following new blocks, the API answering. Checks the demo's books and provenance through
// GraphQL against the contracts' own views.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { Indexer } from "../../indexer/indexer";
import { startApi, type ApiServer } from "../../api/server";
import { deployContracts, type Deployed } from "../../scripts/deploy";
import { seedDemo, type DemoSummary } from "../../scripts/demo";
import { indexerOptions, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { graphqlData } from "../helpers/api";

describe("start: chain, demo, indexer and API together (e2e)", function () {
  let snapshot: string;
  let d: Deployed;
  let demo: DemoSummary;
  let chain: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let indexer: Indexer;
  let api: ApiServer;

  const data = (query: string) => graphqlData(api.url, query);

  before(async () => {
    snapshot = (await network.provider.request({ method: "evm_snapshot" })) as string;
    const signers = await ethers.getSigners();
    d = await deployContracts(signers[0]);
    demo = await seedDemo({ deployed: d, signers });
    chain = await serveChain();
    tmp = tempDir();
    indexer = new Indexer(indexerOptions(chain.url, d.record, `${tmp.dir}/index.sqlite`, { pollIntervalMs: 20 }));
    await indexer.syncToHead();
    await indexer.start();
    api = await startApi({ database: `${tmp.dir}/index.sqlite`, sync: () => indexer.status(), port: 0 });
  });

  after(async () => {
    await api?.close();
    await indexer?.stop();
    await chain?.close();
    tmp?.remove();
    await network.provider.request({ method: "evm_revert", params: [snapshot] });
  });

  it("is ready, with every demo event indexed", async () => {
    expect((await fetch(`${api.url}/ready`)).status).to.equal(200);
    const { _meta, assets } = await data(`{ _meta { latestBlock caughtUp } assets(first: 1) { totalCount } }`);
    expect(_meta).to.deep.equal({ latestBlock: await ethers.provider.getBlockNumber(), caughtUp: true });
    expect(assets.totalCount).to.equal(demo.counts.assets);
    const events = indexer.database.prepare("SELECT count(*) AS n FROM events").get() as { n: number };
    const onChain = await ethers.provider.getLogs({
      fromBlock: d.record.startBlock,
      toBlock: "latest",
      address: Object.values(d.record.contracts).map((c) => c.address),
    });
    expect(events.n).to.equal(onChain.length);
  });

  it("serves every example query the start command prints", async () => {
    for (const [name, query] of Object.entries(demo.queries)) await graphqlData(api.url, query, {}, `${name}: `);
  });

  it("serves each entity's balance sheet consistent with the books on chain", async () => {
    const asOf = demo.period.to;
    for (const entity of Object.values(demo.entities)) {
      const { balanceSheet } = await data(`{ balanceSheet(entity: "${entity}", asOf: "${asOf}") {
        inventory { raw } intangible { raw } development { raw }
        rows { bookId category cost { raw } impairment { raw } accumulatedAmortisation { raw } carryingAmount { raw } } } }`);
      for (const sheet of balanceSheet) {
        const sum = (category: string) =>
          sheet.rows.filter((r: any) => r.category === category).reduce((s: bigint, r: any) => s + BigInt(r.carryingAmount.raw), 0n);
        expect(BigInt(sheet.intangible.raw)).to.equal(sum("Intangible"));
        expect(BigInt(sheet.inventory.raw)).to.equal(sum("Inventory"));
        expect(BigInt(sheet.development.raw)).to.equal(sum("Development"));
        for (const r of sheet.rows) {
          const book = await d.ledger.bookOf(r.bookId);
          // Every entry is dated by the period's end, so cost and impairment are the book's current state.
          expect(r.cost.raw, `book ${r.bookId} cost`).to.equal(book.cost.toString());
          expect(r.impairment.raw, `book ${r.bookId} impairment`).to.equal(book.impairment.toString());
          expect(BigInt(r.carryingAmount.raw)).to.equal(BigInt(r.cost.raw) - BigInt(r.accumulatedAmortisation.raw) - BigInt(r.impairment.raw));
        }
      }
    }
    const construction = await data(`{ balanceSheet(entity: "${demo.entities.construction}", asOf: "${asOf}") { intangible { raw } } }`);
    expect(BigInt(construction.balanceSheet[0].intangible.raw)).to.be.greaterThan(0n);
  });

  it("discloses tables A and B for the demo year with every identity holding", async () => {
    for (const entity of Object.values(demo.entities)) {
      const { disclosure } = await data(`{ disclosure(entity: "${entity}", from: "${demo.period.from}", to: "${demo.period.to}") { checksPass checks { name ok } } }`);
      for (const table of disclosure) expect(table.checks.filter((c: any) => !c.ok), entity).to.deep.equal([]);
    }
  });

  it("journal: every entity's vouchers balance, and its trial balance reconciles with the balance sheet at each month end", async () => {
    const { from, to } = demo.period;
    const monthEnds: string[] = [];
    for (let m = 0; m < demo.period.months; m++) {
      const [y, mo] = from.split("-").map(Number);
      monthEnds.push(new Date(Date.UTC(y, mo - 1 + m + 1, 0)).toISOString().slice(0, 10));
    }
    for (const entity of Object.values(demo.entities)) {
      const { journal } = await data(`{ journal(entity: "${entity}", from: "${from}", to: "${to}") {
        vouchers { number debit { raw } credit { raw } lines { debit { raw } credit { raw } } } totals { debit { raw } credit { raw } } } }`);
      expect(journal.vouchers.length, entity).to.be.greaterThan(0);
      for (const v of journal.vouchers) {
        expect(v.debit.raw, `${entity} ${v.number}`).to.equal(v.credit.raw);
        expect(v.lines.reduce((s: bigint, l: any) => s + BigInt(l.debit.raw), 0n).toString()).to.equal(v.debit.raw);
      }
      for (const t of journal.totals) expect(t.debit.raw).to.equal(t.credit.raw);
      for (const asOf of monthEnds) {
        const { trialBalance } = await data(`{ trialBalance(entity: "${entity}", asOf: "${asOf}") { checksPass checks { name expected actual ok } } }`);
        for (const tb of trialBalance) expect(tb.checks.filter((c: any) => !c.ok), `${entity} ${asOf}`).to.deep.equal([]);
      }
    }
  });

  it("journal: the speech corpus sold with its holding right is one voucher with the settlement's proceeds (by hand)", async () => {
    // The data-service firm's inventory book S1: costs 1,280,000 + 2,360,000 + 186,000 = 3,826,000.00 (self-processed,
    // 1405), written down 626,000.00 in month 5; its holding right sold on the exchange on the 12th of month 8 for
    // 3,200,000.00 (fee 1%: 32,000.00; merchant 2%: 64,000.00; no royalties; seller net 3,104,000.00) and
    // derecognised when booked on the 20th. One voucher on the 20th: the proceeds as settled, the cost to 6401, the
    // write-down left written off against it; the settlement on the 12th has no voucher of its own.
    const [y, mo] = demo.period.from.split("-").map(Number);
    const month = new Date(Date.UTC(y, mo - 1 + 8, 1)).toISOString().slice(0, 7);
    const { journal } = await data(`{ journal(entity: "${demo.entities.dataService}", from: "${month}-01", to: "${month}-28") {
      vouchers { number date kind orderId lines { account { code } debit { value } credit { value } registrationNumber bookId } } } }`);
    const sales = journal.vouchers.filter((v: any) => v.lines.some((l: any) => l.bookId === String(demo.books.S1.id)));
    expect(sales.map((v: any) => [v.date, v.kind])).to.deep.equal([[`${month}-20`, "InventorySale"]]);
    const [sale] = sales;
    expect(sale.number).to.match(new RegExp(`^记-${month.replace("-", "")}-\\d{4}$`));
    expect(sale.lines.map((l: any) => [l.account.code, l.debit.value, l.credit.value])).to.deep.equal([
      ["1002", "3104000.00", "0.00"],
      ["6601", "32000.00", "0.00"],
      ["6601", "64000.00", "0.00"],
      ["6001", "0.00", "3200000.00"],
      ["6401", "3826000.00", "0.00"],
      ["1405", "0.00", "3826000.00"],
      ["1471", "626000.00", "0.00"],
      ["6401", "0.00", "626000.00"],
    ]);
    const { asset } = await data(`{ asset(id: ${demo.keyAssets.inventorySold}) { registrationNumber } }`);
    expect(sale.lines.every((l: any) => l.registrationNumber === asset.registrationNumber)).to.equal(true);
    expect(journal.vouchers.filter((v: any) => v.orderId === sale.orderId)).to.have.length(1);
  });

  it("gives the inspection product's provenance event by event, matching the chain", async () => {
    const id = demo.keyAssets.inspectionProduct;
    const { provenance, asset } = await data(`{ asset(id: ${id}) { registrationNumber versions { version } }
      provenance(assetId: ${id}) { totalCount nodes { name chain { txHash blockHash logIndex } } } }`);
    expect(asset.registrationNumber).to.equal(await d.registry.registrationNumber(id));
    expect(asset.versions.length).to.equal(Number((await d.registry.assetOf(id)).versionCount));
    const names = provenance.nodes.map((n: { name: string }) => n.name);
    for (const step of ["RegistrationSubmitted", "ComplianceAttested", "RegistrationApproved", "VersionAdded", "Listed", "Ordered", "Settled"]) {
      expect(names, step).to.include(step);
    }
    expect(names.indexOf("RegistrationSubmitted")).to.equal(0);
    for (const n of provenance.nodes.slice(0, 10)) {
      const receipt = await ethers.provider.getTransactionReceipt(n.chain.txHash);
      expect(receipt!.blockHash).to.equal(n.chain.blockHash);
    }
  });

  it("follows new blocks after the backfill: a new registration becomes queryable", async () => {
    const [, , , holder] = await ethers.getSigners();
    const before = (await data(`{ assets(first: 1) { totalCount } }`)).assets.totalCount;
    await d.registry.connect(holder).submit({
      contentHash: ethers.id("after start"),
      metadataHash: ethers.id("after start metadata"),
      metadataURI: "ipfs://after-start",
      name: "Registered after start",
      kind: 0,
      sourceType: 0,
      sourceEvidenceHash: ethers.id("evidence"),
      grade: 0,
      records: 1n,
      sizeBytes: 1n,
      updateFrequency: 0,
      registrarId: 1,
      validityPeriod: 365 * 24 * 3600,
      parentIds: [],
      parentSharesBps: [],
    });
    const head = await ethers.provider.getBlockNumber();
    for (let i = 0; i < 200 && (indexer.status().latestBlock ?? 0) < head; i++) await new Promise((r) => setTimeout(r, 20));
    const after = await data(`{ assets(where: { nameContains: "Registered after start" }) { totalCount nodes { status } } }`);
    expect(after.assets).to.deep.equal({ totalCount: 1, nodes: [{ status: "IN_NOTICE" }] });
    expect((await data(`{ assets(first: 1) { totalCount } }`)).assets.totalCount).to.equal(before + 1);
  });
});
