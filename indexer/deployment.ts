// The deployment record scripts/deploy.ts writes (deployments/<chainId>.json), read and checked for the indexer,
// the start command and the CLI alike. Kept free of the ABIs so the CLI starts fast.
import { existsSync, readFileSync } from "node:fs";
import { isAddress } from "ethers";
import type { Deployment } from "../scripts/deploy";

/**
 * The indexed contracts. RelayForwarder is the ERC-2771 forwarder every other contract trusts: its
 * ExecutedForwardRequest logs tell which events a relayed (signed) request caused, and who signed it. PledgeRegistry
 * keeps pledges (质押) of data assets and routes pledged revenue at settlement.
 */
export const CONTRACTS = [
  "DataAssetRegistry",
  "RightsCertificate",
  "DataExchange",
  "AssetLedger",
  "RelayForwarder",
  "PledgeRegistry",
] as const;
export type ContractName = (typeof CONTRACTS)[number];

/** Why a record lacks the forwarder: it was written before relayed actions, for contracts this build no longer has. */
const NO_FORWARDER =
  "has no RelayForwarder: it was written before relayed actions (every contract now trusts the forwarder given at deployment), " +
  "so it names contracts of an older build; deploy again (npm run deploy) and index the new record";

/** Why a record lacks the pledge registry: it was written before pledges, for contracts this build no longer has. */
const NO_PLEDGES =
  "has no PledgeRegistry: it was written before pledges (the registry and the exchange now consult the pledge registry " +
  "given at deployment), so it names contracts of an older build; deploy again (npm run deploy) and index the new record";

/** The explanation for a record that lacks `name`, or null when its absence has no particular reason. */
function missingReason(name: ContractName): string | null {
  if (name === "RelayForwarder") return NO_FORWARDER;
  if (name === "PledgeRegistry") return NO_PLEDGES;
  return null;
}

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
    const reason = missingReason(name);
    if (reason && address === undefined) throw new Error(`deployment record ${file} ${reason}`);
    if (!address || !isAddress(address)) throw new Error(`deployment record ${file} has no valid address for ${name}`);
  }
  return record;
}

/** The indexed contracts' addresses by name, as the indexer takes them. */
export function addressesOf(record: Pick<Deployment, "contracts">): Record<ContractName, string> {
  return Object.fromEntries(
    CONTRACTS.map((n) => {
      const address = record.contracts?.[n]?.address;
      if (!address) {
        const reason = missingReason(n);
        throw new Error(reason ? `the deployment record ${reason}` : `the deployment record has no address for ${n}`);
      }
      return [n, address];
    }),
  ) as Record<ContractName, string>;
}
