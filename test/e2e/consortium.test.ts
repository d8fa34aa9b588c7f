// docs/consortium-chains.md, every step that can be checked here: scripts/deployConsortium.ts against anvil set up as
// a permissioned chain would be (paris EVM, gas price 0 and base fee 0, a block every second), deploying from an
// account that holds nothing, handing the admin roles to a timelock or a multisig, waiting for confirmations,
// writing the deployment record and the indexer's settings, which the indexer then follows.
import { expect } from "chai";
import { Interface, Wallet, ZeroHash } from "ethers";
import { existsSync, readFileSync } from "node:fs";
import { loadConfig } from "../../indexer/config";
import { Indexer } from "../../indexer/indexer";
import { opcodesAfterParis } from "../../scripts/deployConsortium";
import { hardhatRun, startAnvil, type Anvil } from "../helpers/anvil";
import { tempDir } from "../helpers/indexer";

const CHAIN_ID = 2026;
const access = new Interface(["function hasRole(bytes32 role, address account) view returns (bool)"]);

describe("consortium chain deployment (docs/consortium-chains.md) on anvil", function () {
  this.timeout(600_000);
  const tmp = tempDir();
  let anvil: Anvil;
  const deployer = Wallet.createRandom();

  const deploy = (dir: string, env: NodeJS.ProcessEnv) =>
    hardhatRun(anvil, "scripts/deployConsortium.ts", { DEPLOYER_KEY: deployer.privateKey, DEPLOYMENTS_DIR: dir, ...env }, "consortium");
  const hasRole = async (contract: string, account: string) =>
    access.decodeFunctionResult("hasRole", await anvil.rpc.ethCall(contract, access.encodeFunctionData("hasRole", [ZeroHash, account])))[0] as boolean;

  before(async () => {
    anvil = await startAnvil(["--chain-id", String(CHAIN_ID), "--hardfork", "paris", "--gas-price", "0", "--base-fee", "0", "--block-time", "1"]);
  });
  after(async () => {
    await anvil?.stop();
    tmp.remove();
  });

  it("finds opcodes a paris chain lacks, skipping PUSH data and the metadata", () => {
    // Each ends with the metadata length solc appends (here no metadata: 0x0000).
    expect(opcodesAfterParis("0x60806040520000")).to.deep.equal([]);
    expect(opcodesAfterParis("0x5f5f0000")).to.deep.equal(["PUSH0"]);
    expect(opcodesAfterParis("0x605f5e0000")).to.deep.equal(["MCOPY"]); // 0x5f is PUSH1's data
    expect(opcodesAfterParis("0x00fe5f5c0002")).to.deep.equal([]); // 5f5c is the metadata, not code
  });

  it("deploys at gas price 0 from an account holding nothing, paris bytecode, admin to a timelock, record after 2 confirmations", async () => {
    const dir = `${tmp.dir}/timelock`;
    const out = await deploy(dir, { CONFIRMATIONS: "2", ADMIN_TIMELOCK_DELAY: "86400" });
    expect(out).to.match(/evmVersion paris/);
    expect(out).to.match(new RegExp(`deployer ${deployer.address}, balance 0 wei; gas price 0 wei`));
    expect(out.match(/no post-paris opcodes/g)).to.have.length(6);
    expect(out).to.match(/has 2 confirmations/);
    // It paid nothing: still no balance, and it did send transactions.
    expect(BigInt(await anvil.send("eth_getBalance", [deployer.address, "latest"]))).to.equal(0n);
    expect(Number(await anvil.send("eth_getTransactionCount", [deployer.address, "latest"]))).to.be.greaterThan(10);

    const record = JSON.parse(readFileSync(`${dir}/${CHAIN_ID}.json`, "utf8"));
    expect(record.chainId).to.equal(CHAIN_ID);
    const timelock = record.contracts.AdminTimelock.address;
    for (const name of ["DataAssetRegistry", "RightsCertificate", "DataExchange", "AssetLedger", "PledgeRegistry"]) {
      expect(await hasRole(record.contracts[name].address, timelock), `${name}: timelock is admin`).to.equal(true);
      expect(await hasRole(record.contracts[name].address, deployer.address), `${name}: deployer renounced`).to.equal(false);
    }

    // The indexer follows the chain with the settings the script wrote: 2 blocks behind the head.
    const settings = `${dir}/${CHAIN_ID}.indexer.json`;
    expect(JSON.parse(readFileSync(settings, "utf8"))).to.deep.equal({ rpcUrl: anvil.url, deployment: `${dir}/${CHAIN_ID}.json`, confirmations: 2 });
    const opts = await loadConfig({ INDEXER_CONFIG: settings, INDEX_DB: `${tmp.dir}/consortium.sqlite`, PROGRESS: "0" });
    expect(opts).to.include({ rpcUrl: anvil.url, chainId: CHAIN_ID, confirmations: 2 });
    const indexer = new Indexer({ ...opts, log: () => undefined });
    try {
      const status = await indexer.syncToHead();
      expect(status.head! - status.latestBlock!).to.equal(2);
      const roles = indexer.database.prepare("SELECT COUNT(*) AS n FROM roles WHERE account = ?").get(timelock) as { n: number };
      expect(roles.n).to.equal(5); // DEFAULT_ADMIN_ROLE on each of the five contracts, from their RoleGranted events
    } finally {
      await indexer.stop();
    }
  });

  it("hands the admin roles to a multisig, refusing an address with no code unless told it stands in for one", async () => {
    const stand = Wallet.createRandom().address;
    const refused = await deploy(`${tmp.dir}/refused`, { ADMIN_MULTISIG: stand }).then(() => null, (e: Error) => e);
    expect(refused?.message).to.match(new RegExp(`ADMIN_MULTISIG ${stand} has no code on this chain: deploy the multisig \\(a Safe\\) first`));
    expect(existsSync(`${tmp.dir}/refused/${CHAIN_ID}.json`), "no record for a refused hand-over").to.equal(false);

    const dir = `${tmp.dir}/multisig`;
    await deploy(dir, { ADMIN_MULTISIG: stand, ADMIN_MULTISIG_ALLOW_EOA: "1" });
    const record = JSON.parse(readFileSync(`${dir}/${CHAIN_ID}.json`, "utf8"));
    expect(record.contracts.AdminMultisig.address).to.equal(stand);
    for (const name of ["DataAssetRegistry", "RightsCertificate", "DataExchange", "AssetLedger", "PledgeRegistry"]) {
      expect(await hasRole(record.contracts[name].address, stand), name).to.equal(true);
      expect(await hasRole(record.contracts[name].address, deployer.address), name).to.equal(false);
    }
  });
});
