// Deploys the contracts, wires their roles, and writes the deployment record (deployments/<chainId>.json) that
// the indexer and the command-line tool read. Run: npx hardhat run scripts/deploy.ts --network <name>
import { ethers } from "hardhat";
import type { Signer } from "ethers";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  AssetLedger__factory,
  DataAssetRegistry__factory,
  DataExchange__factory,
  RightsCertificate__factory,
} from "../typechain-types";
import type { AssetLedger, DataAssetRegistry, DataExchange, RightsCertificate } from "../typechain-types";

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
  const registry = await deployed("DataAssetRegistry", new DataAssetRegistry__factory(admin).deploy(adminAddress));
  const registryAddress = await registry.getAddress();
  const rights = await deployed(
    "RightsCertificate",
    new RightsCertificate__factory(admin).deploy(adminAddress, registryAddress),
  );
  const rightsAddress = await rights.getAddress();
  const exchange = await deployed(
    "DataExchange",
    new DataExchange__factory(admin).deploy(adminAddress, registryAddress, rightsAddress),
  );
  const exchangeAddress = await exchange.getAddress();
  // The ledger checks that a cost's linked order is a settled purchase of the book's entity on this exchange.
  const ledger = await deployed(
    "AssetLedger",
    new AssetLedger__factory(admin).deploy(adminAddress, registryAddress, exchangeAddress),
  );
  await (await registry.grantRole(await registry.EXCHANGE_ROLE(), exchangeAddress)).wait();
  await (await rights.grantRole(await rights.EXCHANGE_ROLE(), exchangeAddress)).wait();

  const network = await admin.provider!.getNetwork();
  const contracts: Deployment["contracts"] = {};
  for (const [name, c] of Object.entries({ DataAssetRegistry: registry, RightsCertificate: rights, DataExchange: exchange, AssetLedger: ledger })) {
    contracts[name] = { address: await c.getAddress(), blockNumber: blocks[name] };
  }
  const record: Deployment = {
    chainId: Number(network.chainId),
    deployedAt: new Date().toISOString(),
    startBlock: blocks.DataAssetRegistry,
    contracts,
  };
  return { registry, rights, exchange, ledger, record };
}

export function writeDeployment(record: Deployment, dir = "deployments"): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${record.chainId}.json`);
  writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  return file;
}

async function main() {
  const [admin] = await ethers.getSigners();
  const { record } = await deployContracts(admin);
  const file = writeDeployment(record);
  for (const [name, c] of Object.entries(record.contracts)) console.log(`${name.padEnd(20)} ${c.address}`);
  console.log(`deployment record: ${file}`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
