// Book positions (book_positions) kept by the ledger projection: after every entry each book's row is the one
// derived from its entries (indexer/projections/ledger.ts positionRow), and a reorg that replaces book entries undoes
// positions like every projection row: the index equals a fresh index of the chain as it now is.
import { expect } from "chai";
import hre from "hardhat";
import { Indexer } from "../../indexer/indexer";
import { entriesOf, positionRow } from "../../indexer/projections/ledger";
import { dumpDatabase, expectSameIndex, freshIndexDump, indexerOptions, recordOf, serveChain, tempDir, type RpcServer } from "../helpers/indexer";
import { hash } from "../helpers/registry";
import { Category, CostPhase, CostSource, DerecognitionReason, YUAN, cstDate, ledgerWorld, openBook, type LedgerWorld } from "../helpers/ledger";
import type { Deployment } from "../../scripts/deploy";

const snapshot = (): Promise<string> => hre.network.provider.send("evm_snapshot", []);
const revert = async (id: string) => expect(await hre.network.provider.send("evm_revert", [id])).to.equal(true);

/** Every book's position row equals the one derived from its entries as they are in the index. */
function expectPositionsDerived(indexer: Indexer) {
  const db = indexer.database;
  const books = db.prepare("SELECT * FROM books ORDER BY id").all() as Parameters<typeof positionRow>[0][];
  const kept = db.prepare("SELECT * FROM book_positions ORDER BY book_id").all() as Record<string, unknown>[];
  expect(kept.map((r) => r.book_id)).to.deep.equal(books.map((b) => b.id));
  books.forEach((b, i) => {
    const derived = positionRow(b, entriesOf(db, b.id));
    expect(kept[i], `book ${b.id}`).to.deep.equal(Object.fromEntries(Object.keys(kept[i]).map((k) => [k, derived[k] ?? null])));
    expect(kept[i].rules, `book ${b.id}`).to.equal(1);
  });
}

describe("indexer: book positions", function () {
  let l: LedgerWorld;
  let server: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let record: Deployment;
  let files = 0;
  const file = () => `${tmp.dir}/index-${++files}.sqlite`;
  const d = (month: number, day: number) => cstDate(2025, month, day);

  before(async () => {
    l = await ledgerWorld();
    record = await recordOf(l);
    server = await serveChain();
    tmp = tempDir();
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it("follow every entry, and a reorg that replaces entries undoes them: the same index as a fresh one", async () => {
    const ledger = l.ledger.connect(l.entity);
    const { bookId: intangible } = await openBook(l, { date: d(3, 1), usefulLifeMonths: 24 });
    await ledger.addCost(intangible, 24_000n * YUAN, CostSource.Purchased, CostPhase.None, d(3, 1), 0, hash("cost"));
    const { bookId: inventory } = await openBook(l, { category: Category.Inventory, date: d(3, 2), usefulLifeMonths: 0 });
    await ledger.addCost(inventory, 5_000n * YUAN, CostSource.SelfDeveloped, CostPhase.None, d(3, 2), 0, hash("cost"));
    const { bookId: development } = await openBook(l, { category: Category.Development, source: CostSource.SelfDeveloped, date: d(3, 3), usefulLifeMonths: 0 });
    await ledger.addCost(development, 700n * YUAN, CostSource.SelfDeveloped, CostPhase.Research, d(3, 3), 0, hash("research"));
    await ledger.addCost(development, 9_000n * YUAN, CostSource.SelfDeveloped, CostPhase.Development, d(3, 4), 0, hash("dev"));

    const indexer = new Indexer(indexerOptions(server.url, record, file()));
    try {
      await indexer.syncToHead();
      expectPositionsDerived(indexer);

      // Entries in blocks a reorg replaces: an impairment, a write-down and its reversal, ready for use, a derecognition.
      const snap = await snapshot();
      await ledger.impair(intangible, 1_000n * YUAN, d(5, 10), hash("impair"));
      await ledger.impair(inventory, 800n * YUAN, d(5, 11), hash("write-down"));
      await ledger.reverseWriteDown(inventory, 300n * YUAN, d(6, 1), hash("reversal"));
      await ledger.readyForUse(development, 36, d(6, 15), hash("ready"));
      await ledger.derecognise(intangible, DerecognitionReason.Sale, 20_000n * YUAN, d(7, 20), hash("sold"));
      await indexer.syncToHead();
      expectPositionsDerived(indexer);
      const before = indexer.database.prepare("SELECT * FROM book_positions WHERE book_id = ?").get(Number(intangible)) as Record<string, unknown>;
      expect([before.derecognised_on, before.derecognition_reason, before.impaired]).to.deep.equal([d(7, 20), "Sale", String(1_000n * YUAN)]);

      // The new branch: other entries on the same books, and as long as the branch it replaces (a chain's head does
      // not move back: the index keeps the same window of recent blocks as a fresh one).
      const oldHead = await hre.ethers.provider.getBlockNumber();
      await revert(snap);
      await ledger.addCost(intangible, 2_400n * YUAN, CostSource.Other, CostPhase.None, d(4, 30), 0, hash("more"));
      await ledger.impair(development, 500n * YUAN, d(5, 2), hash("impair dev"));
      while ((await hre.ethers.provider.getBlockNumber()) < oldHead) await hre.network.provider.send("evm_mine", []);
      await indexer.syncToHead();
      expectPositionsDerived(indexer);
      const after = indexer.database.prepare("SELECT * FROM book_positions WHERE book_id = ?").get(Number(intangible)) as Record<string, unknown>;
      expect([after.derecognised_on, after.cost, after.cost_purchased, after.cost_other]).to.deep.equal([
        null,
        String(26_400n * YUAN),
        String(24_000n * YUAN),
        String(2_400n * YUAN),
      ]);
      expectSameIndex(dumpDatabase(indexer.database), await freshIndexDump(server.url, record, file()));
    } finally {
      await indexer.stop();
    }
  });

  it("a backfill below the reorg window derives them once it reaches the window: missing meanwhile, never stale, the same rows", async () => {
    const ledger = l.ledger.connect(l.entity);
    const { bookId } = await openBook(l, { date: d(8, 1), usefulLifeMonths: 12 });
    await ledger.addCost(bookId, 1_200n * YUAN, CostSource.Purchased, CostPhase.None, d(8, 1), 0, hash("late cost"));
    await ledger.impair(bookId, 100n * YUAN, d(8, 20), hash("late impairment"));
    for (let i = 0; i < 4; i++) await hre.network.provider.send("evm_mine", []); // the 3-block window: after every entry

    // Ranges of at most 2 blocks, all but the last below a 3-block window: positions are deferred.
    const indexer = new Indexer(indexerOptions(server.url, record, file(), { reorgWindow: 3, initialLogRange: 2, maxLogRange: 2 }));
    const count = (sql: string) => (indexer.database.prepare(sql).get() as { n: number }).n;
    const missing: number[] = [];
    indexer.onCommit = () => {
      missing.push(count("SELECT COUNT(*) AS n FROM books WHERE entry_count > 0 AND id NOT IN (SELECT book_id FROM book_positions)"));
      // A position the index has is always up to date with its book's entries (the API uses it as it is).
      expect(count("SELECT COUNT(*) AS n FROM book_positions p JOIN books b ON b.id = p.book_id WHERE p.entry_count <> b.entry_count")).to.equal(0);
    };
    try {
      await indexer.syncToHead();
      expect(Math.max(...missing), "positions deferred during the backfill").to.be.greaterThan(0);
      expect(missing.at(-1)).to.equal(0);
      expectPositionsDerived(indexer);
      // The same rows as a backfill that keeps them after every entry (its window covers the whole chain).
      const eager = await freshIndexDump(server.url, record, file(), { reorgWindow: 100_000 });
      expect(dumpDatabase(indexer.database).book_positions).to.deep.equal(eager.book_positions);
    } finally {
      await indexer.stop();
    }
  });
});
