// Nothing assumes Hardhat: the demo seeded on anvil (Foundry's node, npm @foundry-rs/anvil) by the same code as on
// Hardhat, the indexer reading it over JSON-RPC, and the API serving it give the same projections and the same
// answers as on Hardhat, block hashes and times aside. Then the indexer follows anvil with CONFIRMATIONS = 2
// through reorgs (anvil's evm_snapshot / evm_revert) inside and beyond the confirmation depth.
import { expect } from "chai";
import { ethers, network } from "hardhat";
import { startApi, type ApiServer } from "../../api/server";
import { Indexer } from "../../indexer/indexer";
import { deployContracts } from "../../scripts/deploy";
import { seedDemo, type DemoSummary } from "../../scripts/demo";
import { startAnvil, deployOnAnvil, type Anvil } from "../helpers/anvil";
import { graphqlData } from "../helpers/api";
import { dumpDatabase, expectSameIndex, freshIndexDump, indexerOptions, serveChain, tempDir } from "../helpers/indexer";
import type { Deployment } from "../../scripts/deploy";

/** What differs between two chains running the same transactions: where (block numbers and hashes) and when. */
const CHAIN_COLUMNS = new Set(["block_number", "block_hash", "tx_hash", "block_time", "hash", "parent_hash", "timestamp", "chain_head"]);
/** A projection's own reference to where something happened (submitted_block, submitted_tx). */
const CHAIN_REF = /_(block|tx)$/;
const CHAIN_FIELDS = /^(txHash|blockHash|blockNumber|blockTime|indexedAt|latestBlockTime|head|lag)$/;

/**
 * Times the chain gave (block.timestamp) outside the demo's schedule: the deployment and set-up blocks are mined when
 * each node's clock says, so their times differ from chain to chain; the demo's own blocks are mined at set times.
 */
const TIME_COLUMN = /(_at|_time|^timestamp)$/;
const TIME_ARG = /(At|Time)$/;

function withoutTimes(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutTimes);
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).filter(([k]) => !TIME_ARG.test(k)).map(([k, v]) => [k, withoutTimes(v)]));
  return x;
}

/** The index's projections, with the columns that name blocks and times left out (and times in events' arguments). */
function projections(dump: Record<string, unknown[]>): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const [table, rows] of Object.entries(dump)) {
    if (["blocks", "checkpoint", "meta", "undo_log"].includes(table)) continue; // where the index stands, not what it holds
    out[table] = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row as Record<string, unknown>)
          .filter(([k]) => !CHAIN_COLUMNS.has(k) && !CHAIN_REF.test(k) && !TIME_COLUMN.test(k))
          .map(([k, v]) => [k, table === "events" && k === "args" ? JSON.stringify(withoutTimes(JSON.parse(String(v)))) : v]),
      ),
    );
  }
  return out;
}

function withoutChainFields(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(withoutChainFields);
  if (x && typeof x === "object") return Object.fromEntries(Object.entries(x).filter(([k]) => !CHAIN_FIELDS.test(k)).map(([k, v]) => [k, withoutChainFields(v)]));
  return x;
}

describe("anvil beside Hardhat (e2e)", function () {
  this.timeout(900_000);
  const tmp = tempDir();
  let anvil: Anvil;
  let onAnvil: { record: Deployment; indexer: Indexer; api: ApiServer };
  let onHardhat: { record: Deployment; indexer: Indexer; api: ApiServer; demo: DemoSummary };
  let snapshot: string;
  let closeChain: (() => Promise<void>) | undefined;

  before(async () => {
    snapshot = await network.provider.send("evm_snapshot", []);
    const signers = await ethers.getSigners();
    // The in-process Hardhat chain has run other test files: start anvil at its time (the demo's year follows the
    // chain's date) and give anvil's deployer the same nonce, so that the contracts get the same addresses.
    const latest = await ethers.provider.getBlock("latest");
    anvil = await startAnvil(["--timestamp", String(latest!.timestamp)]);
    await anvil.send("anvil_setNonce", [signers[0].address, `0x${(await signers[0].getNonce()).toString(16)}`]);
    // The same demo on both chains: on anvil through `hardhat run --network anvil`, on Hardhat in this process.
    const deployed = deployOnAnvil(anvil, `${tmp.dir}/anvil`, { demo: true });
    const d = await deployContracts(signers[0]);
    const demo = await seedDemo({ deployed: d, signers });
    const server = await serveChain();
    closeChain = () => server.close();
    const { record } = await deployed;

    const index = async (url: string, rec: Deployment, name: string) => {
      const indexer = new Indexer(indexerOptions(url, rec, `${tmp.dir}/${name}.sqlite`));
      await indexer.syncToHead();
      const api = await startApi({ database: `${tmp.dir}/${name}.sqlite`, sync: () => indexer.status(), port: 0 });
      return { record: rec, indexer, api };
    };
    onAnvil = await index(anvil.url, record, "anvil");
    onHardhat = { ...(await index(server.url, d.record, "hardhat")), demo };
  });

  after(async () => {
    for (const side of [onAnvil, onHardhat]) {
      await side?.api.close();
      await side?.indexer.stop();
    }
    await closeChain?.();
    if (snapshot) await network.provider.send("evm_revert", [snapshot]);
    await anvil?.stop();
    tmp.remove();
  });

  it("deploys the same contracts at the same addresses with scripts/deploy.ts", () => {
    for (const [name, c] of Object.entries(onHardhat.record.contracts)) {
      expect(onAnvil.record.contracts[name]?.address, name).to.equal(c.address);
    }
    expect(onAnvil.record.chainId).to.equal(31337);
  });

  it("indexes the demo on anvil into the same projections as on Hardhat, block hashes and times aside", () => {
    const a = projections(dumpDatabase(onAnvil.indexer.database));
    const h = projections(dumpDatabase(onHardhat.indexer.database));
    expect(a.events.length).to.be.greaterThan(500);
    expectSameIndex(a, h);
  });

  it("answers every example query of the demo the same from both indexes", async () => {
    const queries = Object.entries(onHardhat.demo.queries);
    expect(queries.length).to.be.greaterThan(3);
    for (const [name, query] of queries) {
      const fromAnvil = await graphqlData(onAnvil.api.url, query, {}, `anvil ${name}: `);
      const fromHardhat = await graphqlData(onHardhat.api.url, query, {}, `hardhat ${name}: `);
      expect(withoutChainFields(fromAnvil), name).to.deep.equal(withoutChainFields(fromHardhat));
    }
  });

  describe("CONFIRMATIONS = 2 on anvil", () => {
    const CONFIRMATIONS = 2;
    let indexer: Indexer;
    const head = async () => Number(await anvil.send<string>("eth_blockNumber"));
    const mine = (n: number) => anvil.send("anvil_mine", [`0x${n.toString(16)}`]);
    const hashOf = async (n: number) => (await anvil.rpc.getBlock(n))!.hash;
    // A transaction with an event on the registry: pause and unpause alternate (the admin holds PAUSER_ROLE).
    let paused = false;
    // `gas`: a gas limit of its own makes a different transaction (and block) than the same call mined before a revert
    // within the same second, which would otherwise reproduce the replaced block's very hash.
    const event = async (gas?: number) => {
      const registry = onAnvil.record.contracts.DataAssetRegistry.address;
      const admin = (await anvil.send<string[]>("eth_accounts"))[0];
      const data = paused ? "0x3f4ba83a" : "0x8456cb59"; // unpause() / pause()
      paused = !paused;
      const tx = await anvil.send<string>("eth_sendTransaction", [{ from: admin, to: registry, data, ...(gas ? { gas: `0x${gas.toString(16)}` } : {}) }]);
      // anvil may answer before it has mined the transaction's block: wait for the receipt.
      for (let i = 0; !(await anvil.send("eth_getTransactionReceipt", [tx])); i++) {
        if (i === 200) throw new Error(`transaction ${tx} not mined`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };

    before(async () => {
      indexer = new Indexer(indexerOptions(anvil.url, onAnvil.record, `${tmp.dir}/confirmations.sqlite`, { confirmations: CONFIRMATIONS }));
      await indexer.syncToHead();
    });
    after(async () => {
      if (paused) await event();
      await indexer.stop();
    });

    it("indexes only blocks with 2 confirmations", async () => {
      await event();
      const h = await head();
      const status = await indexer.syncToHead();
      expect(status.latestBlock).to.equal(h - CONFIRMATIONS);
      expect(status.latestHash).to.equal(await hashOf(h - CONFIRMATIONS));
      await mine(CONFIRMATIONS);
      expect((await indexer.syncToHead()).latestBlock).to.equal(h);
    });

    it("a reorg within the confirmation depth touches nothing indexed: no undo, and the index equals a fresh one", async () => {
      const undos: unknown[] = [];
      indexer.onReorg = (u) => undos.push(u);
      await mine(1);
      const snap = await anvil.send<string>("evm_snapshot");
      await event(); // one block, not yet confirmed
      await indexer.syncToHead();
      const before = indexer.status().latestBlock!;
      expect(before).to.equal((await head()) - CONFIRMATIONS);
      expect(await anvil.send("evm_revert", [snap])).to.equal(true);
      paused = !paused;
      await mine(3); // another branch, longer
      const status = await indexer.syncToHead();
      expect(undos, "nothing indexed was replaced").to.deep.equal([]);
      expect(status.latestHash).to.equal(await hashOf((await head()) - CONFIRMATIONS));
      expectSameIndex(dumpDatabase(indexer.database), await freshIndexDump(anvil.url, onAnvil.record, `${tmp.dir}/fresh-1.sqlite`, { confirmations: CONFIRMATIONS }));
    });

    it("a reorg beyond the confirmation depth is undone: the index equals a fresh one", async () => {
      const undos: { depth: number }[] = [];
      indexer.onReorg = (u) => undos.push(u);
      const snap = await anvil.send<string>("evm_snapshot");
      await event();
      await event();
      await mine(CONFIRMATIONS + 1);
      await indexer.syncToHead(); // the two events' blocks are indexed
      const replaced = indexer.status().latestBlock!;
      expect(await anvil.send("evm_revert", [snap])).to.equal(true);
      paused = !paused;
      paused = !paused;
      await event(300_000); // the new branch's first block must differ from the one it replaces
      await mine(CONFIRMATIONS + 5);
      const status = await indexer.syncToHead();
      expect(undos).to.have.length(1);
      expect(undos[0].depth).to.be.greaterThan(CONFIRMATIONS).and.at.most(replaced);
      expect(status.latestHash).to.equal(await hashOf((await head()) - CONFIRMATIONS));
      expectSameIndex(dumpDatabase(indexer.database), await freshIndexDump(anvil.url, onAnvil.record, `${tmp.dir}/fresh-2.sqlite`, { confirmations: CONFIRMATIONS }));
    });
  });
});
