// Replicas: two indexes of the same chain built independently (different log range sizes and reorg windows, one of
// them stopped and resumed) hold the same rows at the same block: one digest per table (indexer/digest.ts), equal
// table by table; a changed row shows in its table's digest only.
import { expect } from "chai";
import Database from "better-sqlite3";
import { Indexer } from "../../indexer/indexer";
import { indexDigest } from "../../indexer/digest";
import { listingTerms, market, mined, type Market } from "../helpers/exchange";
import { indexerOptions, recordOf, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { hash, registerActive } from "../helpers/registry";

describe("indexer: replicas give identical indexes (issue 15)", function () {
  let m: Market;
  let server: RpcServer;
  let tmp: ReturnType<typeof tempDir>;

  before(async () => {
    m = await market();
    for (const name of ["Replica A", "Replica B"]) {
      const { assetId } = await registerActive(m, m.holder, { name });
      const terms = await listingTerms(m, assetId);
      await mined(m.dex.connect(m.holder).list(terms));
      await mined(m.dex.connect(m.buyer).order(await m.dex.listingCount(), terms.price));
      await mined(m.dex.connect(m.holder).deliver(await m.dex.orderCount(), hash()));
    }
    server = await serveChain();
    tmp = tempDir();
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it("a digest per table, equal for two independently built indexes at the same block", async () => {
    const record = await recordOf(m);
    const one = new Indexer(indexerOptions(server.url, record, `${tmp.dir}/one.sqlite`, { initialLogRange: 1, maxLogRange: 3 }));
    await one.syncToHead();
    const a = indexDigest(one.database);
    await one.stop();

    // The other: large ranges, a small reorg window, and a restart half way (first up to head - half, as with
    // `half` confirmations, then resumed to the head).
    const half = Math.floor((a.block! - record.startBlock) / 2);
    const twoFile = `${tmp.dir}/two.sqlite`;
    const partial = new Indexer(indexerOptions(server.url, record, twoFile, { initialLogRange: 1000, reorgWindow: 4, confirmations: half }));
    const reached = (await partial.syncToHead()).latestBlock!;
    await partial.stop();
    expect(reached).to.be.lessThan(a.block!);
    const two = new Indexer(indexerOptions(server.url, record, twoFile, { initialLogRange: 1000, reorgWindow: 4 }));
    await two.syncToHead();
    const b = indexDigest(two.database);
    await two.stop();

    expect(b.block).to.equal(a.block);
    expect(b.blockHash).to.equal(a.blockHash);
    expect(Object.keys(a.tables)).to.include.members(["events", "assets", "orders", "book_positions"]);
    expect(b.tables).to.deep.equal(a.tables);

    // One changed row: its table's digest differs, no other.
    const db = new Database(twoFile);
    db.prepare("UPDATE assets SET name = name || '!' WHERE id = (SELECT MIN(id) FROM assets)").run();
    const c = indexDigest(db);
    db.close();
    const differing = Object.keys(a.tables).filter((t) => a.tables[t] !== c.tables[t]);
    expect(differing).to.deep.equal(["assets"]);
  });
});
