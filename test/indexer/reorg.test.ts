// Reorgs: the index must always equal a fresh index of the chain as it now is. Blocks are replaced with
// evm_snapshot/evm_revert and different transactions mined at the same heights.
import { expect } from "chai";
import hre, { ethers } from "hardhat";
import { Indexer, ReorgTooDeep, type ReorgUndo } from "../../indexer/indexer";
import { listingTerms, market, mined, type Market } from "../helpers/exchange";
import { dumpDatabase, expectSameIndex, freshIndexDump, indexerOptions, serveChain, tempDir, type RpcServer, recordOf } from "../helpers/indexer";
import { hash, registerActive, submit } from "../helpers/registry";
import type { Deployment } from "../../scripts/deploy";

/** One trade cycle on a fresh asset: many event types, several blocks. */
async function trade(m: Market, name: string): Promise<bigint> {
  const { assetId } = await registerActive(m, m.holder, { name });
  const terms = await listingTerms(m, assetId);
  await mined(m.dex.connect(m.holder).list(terms));
  const listingId = await m.dex.listingCount();
  await mined(m.dex.connect(m.buyer).order(listingId, terms.price));
  const orderId = await m.dex.orderCount();
  await mined(m.dex.connect(m.holder).deliver(orderId, hash()));
  await mined(m.dex.connect(m.buyer).accept(orderId));
  await mined(m.dex.connect(m.holder).withdraw(terms.token, m.holder.address));
  return assetId;
}

const snapshot = (): Promise<string> => hre.network.provider.send("evm_snapshot", []);
const revert = async (id: string) => expect(await hre.network.provider.send("evm_revert", [id])).to.equal(true);
const headHash = async () => (await ethers.provider.getBlock("latest"))!.hash!;

describe("indexer: reorgs", function () {
  let m: Market;
  let server: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let record: Deployment;
  let files = 0;
  const file = () => `${tmp.dir}/index-${++files}.sqlite`;

  before(async () => {
    m = await market();
    await trade(m, "Base dataset");
    record = await recordOf(m, Math.max(0, (await ethers.provider.getBlockNumber()) - 60)); // covers the fixture's deployment
    server = await serveChain();
    tmp = tempDir();
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  it("undoes replaced blocks and re-indexes them: same as a fresh index, whether the new branch is shorter or longer", async () => {
    const indexer = new Indexer(indexerOptions(server.url, record, file()));
    try {
      for (const [lengthBefore, makeBranch] of [
        // the new branch is shorter than the replaced one: the index is ahead of the chain's head
        [() => trade(m, "Replaced A"), () => submit(m, m.other, { name: "Shorter branch" })],
        // the new branch is longer
        [() => submit(m, m.other, { name: "Replaced B" }), async () => { await trade(m, "Longer branch 1"); await trade(m, "Longer branch 2"); }],
      ] as const) {
        const snap = await snapshot();
        await lengthBefore();
        await indexer.syncToHead();
        const replacedHead = await headHash();
        expect(indexer.status().latestHash).to.equal(replacedHead);

        await revert(snap);
        await makeBranch();
        const status = await indexer.syncToHead();
        expect(status.latestHash).to.equal(await headHash());
        expectSameIndex(dumpDatabase(indexer.database), await freshIndexDump(server.url, record, file()));
      }
      // What the replaced blocks said is gone: their assets are not in the index.
      const names = (indexer.database.prepare("SELECT name FROM assets").all() as { name: string }[]).map((r) => r.name);
      expect(names).to.include.members(["Base dataset", "Shorter branch", "Longer branch 1", "Longer branch 2"]);
      expect(names).to.not.include.members(["Replaced A"]);
      expect(names).to.not.include("Replaced B");
    } finally {
      await indexer.stop();
    }
  });

  it("reports each undo to onReorg: the blocks undone, their events and rows, and how long it took", async () => {
    const indexer = new Indexer(indexerOptions(server.url, record, file()));
    const reports: ReorgUndo[] = [];
    indexer.onReorg = (undo) => reports.push(undo);
    try {
      await indexer.syncToHead();
      const ancestor = await ethers.provider.getBlockNumber();
      const snap = await snapshot();
      await trade(m, "Undone and reported");
      const replaced = (await indexer.syncToHead()).latestBlock!;
      const count = (table: string) =>
        (indexer.database.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE block_number > ?`).get(ancestor) as { n: number }).n;
      const events = count("events");
      const projectionRows = count("undo_log");
      expect(events).to.be.greaterThan(0);
      expect(projectionRows).to.be.greaterThan(0);
      expect(reports).to.deep.equal([]);

      await revert(snap);
      await submit(m, m.other, { name: "Reported branch" });
      await indexer.syncToHead();
      expect(reports).to.have.length(1);
      const { ms, ...undo } = reports[0];
      expect(undo).to.deep.equal({ depth: replaced - ancestor, fromBlock: ancestor + 1, toBlock: replaced, events, undoneRows: events + projectionRows });
      expect(ms).to.be.a("number").and.at.least(0);
    } finally {
      await indexer.stop();
    }
  });

  it("follows a reorg while running in realtime", async () => {
    const indexer = new Indexer(indexerOptions(server.url, record, file(), { pollIntervalMs: 20 }));
    await indexer.start();
    const until = async (hashWanted: string) => {
      for (let i = 0; i < 500 && indexer.status().latestHash !== hashWanted; i++) await new Promise((r) => setTimeout(r, 20));
      expect(indexer.status().latestHash).to.equal(hashWanted);
    };
    try {
      const snap = await snapshot();
      await trade(m, "Realtime replaced");
      await until(await headHash());
      await revert(snap);
      // Same number of blocks as before the revert is not needed: the head hash at the checkpoint height differs.
      await trade(m, "Realtime kept");
      await until(await headHash());
      expect(indexer.status().caughtUp).to.equal(true);
      expectSameIndex(dumpDatabase(indexer.database), await freshIndexDump(server.url, record, file()));
    } finally {
      await indexer.stop();
    }
  });

  it("pipelined on the reader thread: a reorg while ranges are read ahead of the writes is undone, and the index equals a fresh one", async () => {
    const snap = await snapshot();
    await trade(m, "Read ahead A");
    await trade(m, "Read ahead B");
    const top = await ethers.provider.getBlockNumber();
    // Two-block ranges: many ranges, each read on the reader thread while the one before it is written.
    const indexer = new Indexer(indexerOptions(server.url, record, file(), { reader: "worker", initialLogRange: 2, maxLogRange: 2 }));
    const reports: ReorgUndo[] = [];
    indexer.onReorg = (undo) => reports.push(undo);
    let branch: Promise<void> | undefined;
    indexer.onCommit = (status) => {
      // Part-way through, with the next range already asked for: replace the last blocks with another branch.
      if (!branch && status.latestBlock! >= top - 6) {
        branch = (async () => {
          await revert(snap);
          await submit(m, m.other, { name: "Branch under the read-ahead" });
          await trade(m, "Branch under the read-ahead 2");
        })();
      }
    };
    try {
      await indexer.syncToHead();
      await branch;
      const status = await indexer.syncToHead();
      expect(status.latestHash).to.equal(await headHash());
      expect(reports.length, "the replaced blocks were undone").to.be.at.least(1);
      expectSameIndex(dumpDatabase(indexer.database), await freshIndexDump(server.url, record, file(), { reader: "thread" }));
      const names = (indexer.database.prepare("SELECT name FROM assets").all() as { name: string }[]).map((r) => r.name);
      expect(names).to.include("Branch under the read-ahead 2");
      expect(names).to.not.include("Read ahead B");
    } finally {
      await indexer.stop();
    }
  });

  it("refuses, changing nothing, when the chain reorganises deeper than the blocks it can undo", async () => {
    const indexer = new Indexer(indexerOptions(server.url, record, file(), { reorgWindow: 3 }));
    try {
      const snap = await snapshot();
      await trade(m, "Deep branch");
      await indexer.syncToHead();
      const before = dumpDatabase(indexer.database);
      await revert(snap);
      await submit(m, m.other, { name: "After deep reorg" });
      await trade(m, "After deep reorg 2");
      const err = await indexer.syncToHead().then(() => null, (e: Error) => e);
      expect(err).to.be.instanceOf(ReorgTooDeep);
      expect(err!.message).to.match(/deeper than the 3-block window/).and.match(/re-index/);
      expect(dumpDatabase(indexer.database)).to.deep.equal(before);
    } finally {
      await indexer.stop();
    }
  });
});
