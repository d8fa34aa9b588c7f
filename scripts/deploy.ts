// Deploys the contracts, wires their roles, and writes the deployment record (deployments/<chainId>.json) that
// the indexer and the command-line tool read. Run: npx hardhat run scripts/deploy.ts --network <name>
import { ethers } from "hardhat";
import type { Signer } from "ethers";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DataAssetRegistry__factory, RightsCertificate__factory } from "../typechain-types";
import type { DataAssetRegistry, RightsCertificate } from "../typechain-types";

export interface Deployment {
  chainId: number;
  deployedAt: string;
  startBlock: number;
  contracts: Record<string, { address: string; blockNumber: number }>;
}

export interface Deployed {
  registry: DataAssetRegistry;
  rights: RightsCertificate;
  record: Deployment;
}

/** Deploys every contract with `admin` as the administrator of each. */
export async function deployContracts(admin: Signer): Promise<Deployed> {
  const adminAddress = await admin.getAddress();
  const registry = await new DataAssetRegistry__factory(admin).deploy(adminAddress);
  const registryReceipt = await registry.deploymentTransaction()!.wait();
  const rights = await new RightsCertificate__factory(admin).deploy(adminAddress, await registry.getAddress());
  const rightsReceipt = await rights.deploymentTransaction()!.wait();
  const network = await admin.provider!.getNetwork();
  const record: Deployment = {
    chainId: Number(network.chainId),
    deployedAt: new Date().toISOString(),
    startBlock: registryReceipt!.blockNumber,
    contracts: {
      DataAssetRegistry: { address: await registry.getAddress(), blockNumber: registryReceipt!.blockNumber },
      RightsCertificate: { address: await rights.getAddress(), blockNumber: rightsReceipt!.blockNumber },
    },
  };
  return { registry, rights, record };
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
