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
