// Indexer settings: defaults, overridden by a JSON config file, overridden by environment variables. Contract
// addresses and the start block come from the deployment record that scripts/deploy.ts writes.
import { existsSync, readFileSync } from "node:fs";
import { addressesOf, readDeployment, type ContractName } from "./deployment";
import { JsonRpc, type RpcOptions } from "./rpc";

/**
 * The V8 flags the standalone indexer runs with (`npm run indexer`, the crash test and the benchmark start it so).
 * Young-generation semi-spaces of 4 MB rather than V8's up to 16 (for its reader thread too): its garbage is per event
 * and dies young, so the 100k-event backfill runs as fast and peaks about 20 MB lower (2 MB: 40 MB lower, but about
 * 4% slower).
 */
export const INDEXER_NODE_FLAGS = ["--max-semi-space-size=4"];

export interface IndexerOptions {
  rpcUrl: string;
  /** SQLite file of the index. */
  database: string;
  /** Chain id the deployment record is for; the RPC must answer the same. */
  chainId: number;
  contracts: Record<ContractName, string>;
  /** First block to read (the deployment block). */
  startBlock: number;
  /** Blocks behind the head to stay (0 on a local chain). */
  confirmations: number;
  pollIntervalMs: number;
  /** How many recent blocks can be undone after a reorg. */
  reorgWindow: number;
  initialLogRange: number;
  maxLogRange: number;
  /** Show a progress bar while backfilling (only ever on a terminal, never in CI). */
  progress: boolean;
  /**
   * Retries of a range whose blocks do not link (a parent hash that is not the previous block's hash, a log whose
   * block hash is not its block's): the node may be switching forks. Then the indexer stops. Default 6.
   */
  unlinkedRetries?: number;
  /** First wait before such a retry; doubles each time (250 ms: 6 retries wait about 16 s in all). */
  unlinkedBackoffMs?: number;
  /**
   * Where ranges are read (fetched, parsed, decoded) while the previous one is written: "worker" on a reader thread,
   * "thread" on the writing thread; unset, a reader thread once a backfill range holds 1,000 events or more.
   */
  reader?: "worker" | "thread";
  rpc?: RpcOptions;
  log?: (message: string) => void;
}

export const DEFAULTS = {
  rpcUrl: "http://127.0.0.1:8545",
  database: "data/index.sqlite",
  confirmations: 0,
  // A new block waits up to one interval for the next poll: 250 ms keeps the p99 from mined to queryable near 0.3 s
  // (bench/indexer.ts); 1000 ms leaves it at about 1 s. Idle, a poll costs eth_blockNumber and one header.
  pollIntervalMs: 250,
  reorgWindow: 128,
  initialLogRange: 100, // small first ask: ranges grow fast on sparse chains, and a dense first answer stays small
  maxLogRange: 50_000,
  progress: true,
  unlinkedRetries: 6,
  unlinkedBackoffMs: 250,
};

function integer(name: string, raw: unknown, min: number): number {
  const n = typeof raw === "string" ? Number(raw.trim()) : raw;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min) {
    throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/**
 * Builds the options from (lowest first) defaults, the config file (INDEXER_CONFIG, else ./indexer.config.json if
 * present) and the environment: RPC_URL, INDEX_DB, DEPLOYMENT, START_BLOCK, CONFIRMATIONS, POLL_INTERVAL_MS,
 * REORG_WINDOW, MAX_LOG_RANGE, PROGRESS, INDEXER_READER (worker|thread). Without DEPLOYMENT, the record is <DEPLOYMENTS_DIR, default deployments>/<chain id
 * the RPC reports>.json.
 */
export async function loadConfig(env: NodeJS.ProcessEnv = process.env): Promise<IndexerOptions> {
  const file = env.INDEXER_CONFIG ?? (existsSync("indexer.config.json") ? "indexer.config.json" : undefined);
  let fromFile: Record<string, unknown> = {};
  if (file) {
    if (!existsSync(file)) throw new Error(`config file ${file} not found`);
    try {
      fromFile = JSON.parse(readFileSync(file, "utf8"));
    } catch (err) {
      throw new Error(`config file ${file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const pick = (envName: string, key: string) => env[envName] ?? fromFile[key];

  const rpcUrl = String(pick("RPC_URL", "rpcUrl") ?? DEFAULTS.rpcUrl);
  let deploymentFile = pick("DEPLOYMENT", "deployment") as string | undefined;
  if (!deploymentFile) {
    const chainId = await new JsonRpc(rpcUrl, { retries: 2 }).chainId();
    deploymentFile = `${env.DEPLOYMENTS_DIR ?? "deployments"}/${chainId}.json`;
  }
  const record = readDeployment(deploymentFile);
  const progress = pick("PROGRESS", "progress");

  const opts: IndexerOptions = {
    rpcUrl,
    database: String(pick("INDEX_DB", "database") ?? DEFAULTS.database),
    chainId: record.chainId,
    contracts: addressesOf(record),
    startBlock: integer("START_BLOCK", pick("START_BLOCK", "startBlock") ?? record.startBlock ?? 0, 0),
    confirmations: integer("CONFIRMATIONS", pick("CONFIRMATIONS", "confirmations") ?? DEFAULTS.confirmations, 0),
    pollIntervalMs: integer("POLL_INTERVAL_MS", pick("POLL_INTERVAL_MS", "pollIntervalMs") ?? DEFAULTS.pollIntervalMs, 10),
    reorgWindow: integer("REORG_WINDOW", pick("REORG_WINDOW", "reorgWindow") ?? DEFAULTS.reorgWindow, 1),
    initialLogRange: integer("initialLogRange", fromFile.initialLogRange ?? DEFAULTS.initialLogRange, 1),
    maxLogRange: integer("MAX_LOG_RANGE", pick("MAX_LOG_RANGE", "maxLogRange") ?? DEFAULTS.maxLogRange, 1),
    progress: progress === undefined ? DEFAULTS.progress : progress === true || progress === "1" || progress === "true",
  };
  const reader = pick("INDEXER_READER", "reader");
  if (reader !== undefined) {
    if (reader !== "worker" && reader !== "thread") throw new Error(`INDEXER_READER must be "worker" or "thread", got ${JSON.stringify(reader)}`);
    opts.reader = reader;
  }
  opts.initialLogRange = Math.min(opts.initialLogRange, opts.maxLogRange);
  return opts;
}
