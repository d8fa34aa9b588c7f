// Bad configuration fails fast with a message that says what to fix, and never leaves a half-written index.
import { expect } from "chai";
import { ethers } from "hardhat";
import { existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { loadConfig } from "../../indexer/config";
import { Indexer } from "../../indexer/indexer";
import { deployContracts, writeDeployment, type Deployment } from "../../scripts/deploy";
import { dumpFile, indexerOptions, serveChain, tempDir, type RpcServer } from "../helpers/indexer";

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const s = createServer().listen(0, "127.0.0.1");
  await new Promise((r) => s.once("listening", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("indexer: bad input", function () {
  let server: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let record: Deployment;
  let n = 0;
  const file = () => `${tmp.dir}/index-${++n}.sqlite`;

  before(async () => {
    const [admin] = await ethers.getSigners();
    ({ record } = await deployContracts(admin));
    server = await serveChain();
    tmp = tempDir();
  });
  after(async () => {
    await server.close();
    tmp.remove();
  });

  async function refused(indexer: Indexer, message: RegExp, dbFile: string) {
    const err = await indexer.open().then(() => null, (e: Error) => e);
    expect(err, "open() should fail").to.be.instanceOf(Error);
    expect(err!.message).to.match(message);
    expect(existsSync(dbFile), "no database file is created").to.equal(false);
  }

  it("an unreachable RPC: says which endpoint could not be reached, writes nothing", async () => {
    const url = `http://127.0.0.1:${await deadPort()}`;
    const db = file();
    await refused(new Indexer(indexerOptions(url, record, db, { rpc: { retries: 1, backoffMs: 1 } })), /cannot reach the JSON-RPC endpoint http:\/\/127\.0\.0\.1:\d+ \(eth_chainId\): ECONNREFUSED/, db);
  });

  it("a deployment record for another chain: names both chain ids, writes nothing", async () => {
    const db = file();
    await refused(new Indexer(indexerOptions(server.url, { ...record, chainId: 56 }, db)), /is chain 31337, but the deployment record is for chain 56/, db);
  });

  it("an address with no contract: names the contract and address, writes nothing", async () => {
    const db = file();
    const wrong = { ...record, contracts: { ...record.contracts, DataExchange: { address: ethers.Wallet.createRandom().address, blockNumber: 1 } } };
    await refused(new Indexer(indexerOptions(server.url, wrong, db)), /no contract at 0x[0-9a-fA-F]{40} \(DataExchange\) on chain 31337/, db);
  });

  it("a database built for another deployment is refused and left as it was", async () => {
    const db = file();
    const first = new Indexer(indexerOptions(server.url, record, db));
    await first.syncToHead();
    await first.stop();
    const before = dumpFile(db);
    const [admin] = await ethers.getSigners();
    const { record: other } = await deployContracts(admin);
    const second = new Indexer(indexerOptions(server.url, other, db));
    const err = await second.open().then(() => null, (e: Error) => e);
    expect(err?.message).to.match(/indexes another deployment/).and.match(/delete the file to re-index/);
    expect(dumpFile(db)).to.deep.equal(before);
  });

  it("a malformed RPC URL is refused before anything runs", () => {
    expect(() => new Indexer(indexerOptions("localhost:8545", record, file()))).to.throw(/RPC URL must start with http/);
  });

  describe("configuration", () => {
    it("reads the deployment record, the config file and the environment, environment first", async () => {
      const deployment = writeDeployment(record, tmp.dir);
      const configFile = `${tmp.dir}/indexer.config.json`;
      writeFileSync(configFile, JSON.stringify({ rpcUrl: server.url, confirmations: 2, reorgWindow: 64, database: "from-file.sqlite" }));
      const opts = await loadConfig({ INDEXER_CONFIG: configFile, DEPLOYMENT: deployment, CONFIRMATIONS: "5" });
      expect(opts.rpcUrl).to.equal(server.url);
      expect(opts.confirmations).to.equal(5);
      expect(opts.reorgWindow).to.equal(64);
      expect(opts.database).to.equal("from-file.sqlite");
      expect(opts.chainId).to.equal(31337);
      expect(opts.startBlock).to.equal(record.startBlock);
      expect(opts.contracts.DataAssetRegistry).to.equal(record.contracts.DataAssetRegistry.address);
    });

    it("finds <DEPLOYMENTS_DIR>/<chain id>.json by asking the RPC its chain id, and says where it looked", async () => {
      writeDeployment(record, tmp.dir);
      const opts = await loadConfig({ RPC_URL: server.url, DEPLOYMENTS_DIR: tmp.dir });
      expect(opts.contracts.AssetLedger).to.equal(record.contracts.AssetLedger.address);
      const empty = `${tmp.dir}/empty`;
      const err = await loadConfig({ RPC_URL: server.url, DEPLOYMENTS_DIR: empty }).then(() => null, (e: Error) => e);
      expect(err?.message).to.equal(`deployment record ${empty}/31337.json not found; deploy first (npm run deploy) or set DEPLOYMENT`);
    });

    for (const [env, message] of [
      [{ DEPLOYMENT: "/nonexistent/31337.json" }, /deployment record \/nonexistent\/31337\.json not found/],
      [{ CONFIRMATIONS: "-1" }, /CONFIRMATIONS must be an integer >= 0, got "-1"/],
      [{ REORG_WINDOW: "many" }, /REORG_WINDOW must be an integer >= 1/],
      [{ START_BLOCK: "1.5" }, /START_BLOCK must be an integer >= 0/],
      [{ INDEXER_CONFIG: "/nonexistent/indexer.json" }, /config file \/nonexistent\/indexer\.json not found/],
    ] as const) {
      it(`refuses ${JSON.stringify(env)} with a clear message`, async () => {
        const deployment = writeDeployment(record, tmp.dir);
        const err = await loadConfig({ DEPLOYMENT: deployment, ...(env as NodeJS.ProcessEnv) }).then(() => null, (e: Error) => e);
        expect(err?.message).to.match(message);
      });
    }

    it("refuses a deployment record without every contract", async () => {
      const broken = `${tmp.dir}/broken.json`;
      writeFileSync(broken, JSON.stringify({ ...record, contracts: { DataAssetRegistry: record.contracts.DataAssetRegistry } }));
      const err = await loadConfig({ DEPLOYMENT: broken }).then(() => null, (e: Error) => e);
      expect(err?.message).to.match(/has no valid address for RightsCertificate/);
    });
  });
});
