// Where the CLI talks to: settings from the environment, the RPC endpoint checked before ethers is given it, the
// deployment record checked against the chain the RPC serves, and the five contracts connected.
import { FetchRequest, JsonRpcProvider, Network, type Signer } from "ethers";
import { readDeployment } from "../../indexer/deployment";
import type { Deployment } from "../deploy";
// Factories are imported from their own files: the typechain-types index loads every factory and adds a second
// to each start of the CLI.
import { AssetLedger__factory } from "../../typechain-types/factories/contracts/AssetLedger__factory";
import { DataAssetRegistry__factory } from "../../typechain-types/factories/contracts/DataAssetRegistry__factory";
import { DataExchange__factory } from "../../typechain-types/factories/contracts/DataExchange__factory";
import { PledgeRegistry__factory } from "../../typechain-types/factories/contracts/PledgeRegistry__factory";
import { RightsCertificate__factory } from "../../typechain-types/factories/contracts/RightsCertificate__factory";
import type { AssetLedger, DataAssetRegistry, DataExchange, PledgeRegistry, RightsCertificate } from "../../typechain-types";
import { DalError, EXIT, isUnreachable } from "./exit";

export interface Settings {
  rpcUrl: string;
  apiUrl: string;
  /** DEPLOYMENT; without it, deployments/<chain id>.json (relative to the working directory, as for the indexer). */
  deployment?: string;
}

export function settings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    rpcUrl: env.RPC_URL || "http://127.0.0.1:8545",
    apiUrl: (env.API_URL || "http://127.0.0.1:4000").replace(/\/+$/, "").replace(/\/graphql$/, ""),
    deployment: env.DEPLOYMENT || undefined,
  };
}

export interface DeploymentRecord extends Deployment {
  file: string;
}

/** The deployment record (indexer/deployment.ts's checks), with this tool's exit code when it is missing or bad. */
export function readRecord(file: string): DeploymentRecord {
  try {
    return { ...readDeployment(file), file };
  } catch (err) {
    throw new DalError(EXIT.WRONG_CHAIN, (err as Error).message);
  }
}

const RPC_TIMEOUT_MS = 10_000;

/** eth_chainId over plain fetch: ethers' provider retries an unreachable endpoint forever instead of failing. */
async function rpcChainId(url: string): Promise<number> {
  const unreachable = (why: string) =>
    new DalError(EXIT.UNREACHABLE, `cannot reach the RPC at ${url} (${why}); start a node (npm start) or set RPC_URL`);
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(RPC_TIMEOUT_MS),
    });
  } catch (err) {
    if (err instanceof TypeError && /Invalid URL|Failed to parse URL/i.test(String((err as Error).cause ?? err.message))) {
      throw new DalError(EXIT.USAGE, `RPC_URL "${url}" is not a URL`);
    }
    throw unreachable(isUnreachable(err) ? "connection failed" : (err as Error).message);
  }
  const body = (await res.json().catch(() => undefined)) as { result?: string } | undefined;
  if (!res.ok || typeof body?.result !== "string") throw unreachable(`HTTP ${res.status}, not a JSON-RPC answer`);
  return Number(BigInt(body.result));
}

export interface Chain {
  provider: JsonRpcProvider;
  chainId: number;
  record: DeploymentRecord;
  registry: DataAssetRegistry;
  rights: RightsCertificate;
  exchange: DataExchange;
  ledger: AssetLedger;
  /** Pledges (质押) of data assets. */
  pledges: PledgeRegistry;
  close(): void;
}

/** Connects to RPC_URL, loads the deployment record for its chain and checks that the contracts are there. */
export async function connect(s: Settings = settings()): Promise<Chain> {
  const chainId = await rpcChainId(s.rpcUrl);
  const record = readRecord(s.deployment ?? `deployments/${chainId}.json`);
  if (record.chainId !== chainId) {
    throw new DalError(
      EXIT.WRONG_CHAIN,
      `wrong chain: deployment record ${record.file} is for chain ${record.chainId}, but ${s.rpcUrl} serves chain ${chainId}`,
    );
  }
  const request = new FetchRequest(s.rpcUrl);
  request.timeout = 60_000;
  // cacheTimeout -1: ethers otherwise answers a repeated request from a 250 ms cache, so the nonce read right after
  // a mined approval would be stale and the next transaction would reuse it.
  const provider = new JsonRpcProvider(request, Network.from(chainId), { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
  provider.pollingInterval = 250; // receipts on a local chain arrive in milliseconds; ethers' default is 4 s
  const registryAddress = record.contracts.DataAssetRegistry.address;
  if ((await provider.getCode(registryAddress)) === "0x") {
    provider.destroy();
    throw new DalError(
      EXIT.WRONG_CHAIN,
      `wrong chain: no contract at ${registryAddress} on chain ${chainId}; ${record.file} is from another deployment (a restarted node?)`,
    );
  }
  return {
    provider,
    chainId,
    record,
    registry: DataAssetRegistry__factory.connect(registryAddress, provider),
    rights: RightsCertificate__factory.connect(record.contracts.RightsCertificate.address, provider),
    exchange: DataExchange__factory.connect(record.contracts.DataExchange.address, provider),
    ledger: AssetLedger__factory.connect(record.contracts.AssetLedger.address, provider),
    pledges: PledgeRegistry__factory.connect(record.contracts.PledgeRegistry.address, provider),
    close: () => provider.destroy(),
  };
}

/** The same contracts, sending transactions as `signer`. */
export function signed(chain: Chain, signer: Signer) {
  return {
    registry: chain.registry.connect(signer),
    rights: chain.rights.connect(signer),
    exchange: chain.exchange.connect(signer),
    ledger: chain.ledger.connect(signer),
    pledges: chain.pledges.connect(signer),
  };
}
