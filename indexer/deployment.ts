// The deployment record scripts/deploy.ts writes (deployments/<chainId>.json), read and checked for the indexer,
// the start command and the CLI alike. Kept free of the ABIs so the CLI starts fast.
import { existsSync, readFileSync } from "node:fs";
import { isAddress } from "ethers";
import type { Deployment } from "../scripts/deploy";

export const CONTRACTS = ["DataAssetRegistry", "RightsCertificate", "DataExchange", "AssetLedger"] as const;
export type ContractName = (typeof CONTRACTS)[number];

/** Reads and checks a deployment record: a chain id, and every contract with a valid address. */
export function readDeployment(file: string): Deployment {
  if (!existsSync(file)) throw new Error(`deployment record ${file} not found; deploy first (npm run deploy) or set DEPLOYMENT`);
  let record: Deployment;
  try {
    record = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`deployment record ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!Number.isInteger(record?.chainId)) throw new Error(`deployment record ${file} has no chainId`);
  for (const name of CONTRACTS) {
    const address = record.contracts?.[name]?.address;
    if (!address || !isAddress(address)) throw new Error(`deployment record ${file} has no valid address for ${name}`);
  }
  return record;
}

/** The four contracts' addresses by name, as the indexer takes them. */
export function addressesOf(record: Pick<Deployment, "contracts">): Record<ContractName, string> {
  return Object.fromEntries(CONTRACTS.map((n) => [n, record.contracts[n].address])) as Record<ContractName, string>;
}
