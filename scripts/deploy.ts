// Deploys the contracts, wires their roles, and writes the deployment record (deployments/<chainId>.json) that
// the indexer and the command-line tool read. Run: npx hardhat run scripts/deploy.ts --network <name>
import { ethers } from "hardhat";
import type { Signer } from "ethers";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  AdminTimelock__factory,
  AssetLedger__factory,
  DataAssetRegistry__factory,
  DataExchange__factory,
  PledgeRegistry__factory,
  RelayForwarder__factory,
  RightsCertificate__factory,
} from "../typechain-types";
import type { AssetLedger, DataAssetRegistry, DataExchange, PledgeRegistry, RelayForwarder, RightsCertificate } from "../typechain-types";

export interface Deployment {
  chainId: number;
  deployedAt: string;
  startBlock: number;
  contracts: Record<string, { address: string; blockNumber: number }>;
}

export interface Deployed {
  registry: DataAssetRegistry;
  rights: RightsCertificate;
  exchange: DataExchange;
  ledger: AssetLedger;
  /** Pledges of data assets: the registry and the exchange consult it (encumbrances, pledged revenue). */
  pledges: PledgeRegistry;
  /** The one forwarder every contract trusts to relay signed requests (ERC-2771). */
  forwarder: RelayForwarder;
  record: Deployment;
}

/** Deploys every contract with `admin` as the administrator of each, and gives the exchange its roles. */
export async function deployContracts(admin: Signer): Promise<Deployed> {
  const adminAddress = await admin.getAddress();
  const blocks: Record<string, number> = {};
  const deployed = async <T extends { deploymentTransaction(): any; getAddress(): Promise<string> }>(
    name: string,
    contract: Promise<T>,
  ): Promise<T> => {
    const c = await contract;
    blocks[name] = (await c.deploymentTransaction()!.wait())!.blockNumber;
    return c;
  };
  // First, because every contract fixes at construction the one forwarder it trusts.
  const forwarder = await deployed("RelayForwarder", new RelayForwarder__factory(admin).deploy());
  const forwarderAddress = await forwarder.getAddress();
  const registry = await deployed(
    "DataAssetRegistry",
    new DataAssetRegistry__factory(admin).deploy(adminAddress, forwarderAddress),
  );
  const registryAddress = await registry.getAddress();
  const rights = await deployed(
    "RightsCertificate",
    new RightsCertificate__factory(admin).deploy(adminAddress, registryAddress, forwarderAddress),
  );
  const rightsAddress = await rights.getAddress();
  const exchange = await deployed(
    "DataExchange",
    new DataExchange__factory(admin).deploy(adminAddress, registryAddress, rightsAddress, forwarderAddress),
  );
  const exchangeAddress = await exchange.getAddress();
  // The ledger checks that a cost's linked order is a settled purchase of the book's entity on this exchange.
  const ledger = await deployed(
    "AssetLedger",
    new AssetLedger__factory(admin).deploy(adminAddress, registryAddress, exchangeAddress, forwarderAddress),
  );
  const pledges = await deployed(
    "PledgeRegistry",
    new PledgeRegistry__factory(admin).deploy(adminAddress, registryAddress, exchangeAddress, forwarderAddress),
  );
  await (await registry.setPledgeRegistry(await pledges.getAddress())).wait();
  await (await registry.grantRole(await registry.EXCHANGE_ROLE(), exchangeAddress)).wait();
  await (await rights.grantRole(await rights.EXCHANGE_ROLE(), exchangeAddress)).wait();

  const network = await admin.provider!.getNetwork();
  const contracts: Deployment["contracts"] = {};
  for (const [name, c] of Object.entries({
    RelayForwarder: forwarder,
    DataAssetRegistry: registry,
    RightsCertificate: rights,
    DataExchange: exchange,
    AssetLedger: ledger,
    PledgeRegistry: pledges,
  })) {
    contracts[name] = { address: await c.getAddress(), blockNumber: blocks[name] };
  }
  const record: Deployment = {
    chainId: Number(network.chainId),
    deployedAt: new Date().toISOString(),
    startBlock: blocks.RelayForwarder,
    contracts,
  };
  return { registry, rights, exchange, ledger, pledges, forwarder, record };
}

/**
 * Production hand-over: deploys an AdminTimelock (OpenZeppelin TimelockController) with `delaySeconds` and the
 * given proposers, grants it DEFAULT_ADMIN_ROLE on every contract and renounces the deployer's. From then on every
 * role grant, registrar, venue, fee or token change is a public proposal executable only after the delay. The
 * deployer keeps PAUSER_ROLE, so an emergency pause does not wait for the delay. Returns the timelock's address.
 */
export async function handAdminToTimelock(d: Deployed, admin: Signer, delaySeconds: number, proposers: string[]): Promise<string> {
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0) throw new Error(`ADMIN_TIMELOCK_DELAY must be whole seconds, got ${delaySeconds}`);
  if (proposers.length === 0) throw new Error("the timelock needs at least one proposer");
  const bad = proposers.filter((p) => !ethers.isAddress(p));
  if (bad.length) throw new Error(`not an address: ${bad.join(", ")}`);
  const timelock = await new AdminTimelock__factory(admin).deploy(delaySeconds, proposers);
  await timelock.waitForDeployment();
  const timelockAddress = await timelock.getAddress();
  const adminAddress = await admin.getAddress();
  for (const c of [d.registry, d.rights, d.exchange, d.ledger, d.pledges]) {
    const role = await c.DEFAULT_ADMIN_ROLE();
    await (await c.grantRole(role, timelockAddress)).wait();
    await (await c.renounceRole(role, adminAddress)).wait();
  }
  d.record.contracts.AdminTimelock = { address: timelockAddress, blockNumber: (await timelock.deploymentTransaction()!.wait())!.blockNumber };
  return timelockAddress;
}

export function writeDeployment(record: Deployment, dir = "deployments", name = `${record.chainId}.json`): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  return file;
}

async function main() {
  const [admin] = await ethers.getSigners();
  const deployed = await deployContracts(admin);
  const { record } = deployed;
  // ADMIN_TIMELOCK_DELAY (seconds) hands the admin roles to a timelock; proposers from ADMIN_TIMELOCK_PROPOSERS
  // (comma-separated, default the deployer). Add registrars and venues first, or propose them through the timelock.
  if (process.env.ADMIN_TIMELOCK_DELAY !== undefined) {
    const proposers = (process.env.ADMIN_TIMELOCK_PROPOSERS ?? (await admin.getAddress())).split(",").map((p) => p.trim()).filter(Boolean);
    const timelock = await handAdminToTimelock(deployed, admin, Number(process.env.ADMIN_TIMELOCK_DELAY), proposers);
    console.log(`admin roles handed to the timelock ${timelock} (delay ${process.env.ADMIN_TIMELOCK_DELAY} s)`);
  }
  const file = writeDeployment(record, process.env.DEPLOYMENTS_DIR ?? "deployments");
  for (const [name, c] of Object.entries(record.contracts)) console.log(`${name.padEnd(20)} ${c.address}`);
  console.log(`deployment record: ${file}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
