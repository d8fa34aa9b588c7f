// Shared set-up for indexer tests: the in-process Hardhat chain served over real HTTP JSON-RPC, indexers on
// real SQLite files in a temporary directory, and whole-database dumps to compare indexes.
import hre from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Deployment } from "../../scripts/deploy";
import { DEFAULTS, type IndexerOptions } from "../../indexer/config";
import { addressesOf } from "../../indexer/deployment";
import { Indexer } from "../../indexer/indexer";
import { PRIMARY_KEYS } from "../../indexer/schema";
import type { World } from "./registry";

export interface RpcServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the test's Hardhat network over HTTP on a free port, as `npm start` does. */
export async function serveChain(): Promise<RpcServer> {
  const server = await hre.run(TASK_NODE_CREATE_SERVER, { hostname: "127.0.0.1", port: 0, provider: hre.network.provider });
  const { address, port } = await server.listen();
  return { url: `http://${address}:${port}`, close: () => server.close() };
}

/** A deployment record for a test fixture's contracts (fixtures deploy without writing one). */
export async function recordOf(w: World, startBlock = 0): Promise<Deployment> {
  const contracts: Deployment["contracts"] = {};
  const all = { DataAssetRegistry: w.registry, RightsCertificate: w.rights, DataExchange: w.dex, AssetLedger: w.ledger, RelayForwarder: w.forwarder, PledgeRegistry: w.pledges };
  for (const [name, c] of Object.entries(all)) {
    contracts[name] = { address: await c.getAddress(), blockNumber: startBlock };
  }
  return { chainId: 31337, deployedAt: "", startBlock, contracts };
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "dal-index-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function indexerOptions(url: string, record: Deployment, database: string, overrides: Partial<IndexerOptions> = {}): IndexerOptions {
  return {
    ...DEFAULTS,
    rpcUrl: url,
    database,
    chainId: record.chainId,
    contracts: addressesOf(record),
    startBlock: record.startBlock,
    progress: false,
    pollIntervalMs: 50,
    log: () => undefined,
    ...overrides,
  };
}

/** Indexes a fresh database up to the head and returns its dump. */
export async function freshIndexDump(url: string, record: Deployment, database: string, overrides: Partial<IndexerOptions> = {}) {
  const indexer = new Indexer(indexerOptions(url, record, database, overrides));
  await indexer.syncToHead();
  const dump = dumpDatabase(indexer.database);
  await indexer.stop();
  return dump;
}

const ORDER: Record<string, string> = {
  events: "block_number, log_index",
  meta: "key",
  checkpoint: "id",
  blocks: "number",
  undo_log: "block_number, log_index, n",
  relayed_requests: "block_number, log_index",
};

/** Every row of every table, in a fixed order: two indexes are equal iff their dumps are deep-equal. */
export function dumpDatabase(db: Database.Database): Record<string, unknown[]> {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (t) => t.name,
  );
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const order = ORDER[t] ?? PRIMARY_KEYS[t]?.join(", ");
    if (!order) throw new Error(`no dump order for table ${t}`);
    out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY ${order}`).all();
  }
  return out;
}

export function dumpFile(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    return dumpDatabase(db);
  } finally {
    db.close();
  }
}

export async function mine(blocks = 1): Promise<void> {
  await hre.network.provider.send("hardhat_mine", ["0x" + blocks.toString(16)]);
}

/** Asserts two dumps are equal, reporting the first differing rows of each table instead of two whole databases. */
export function expectSameIndex(actual: Record<string, unknown[]>, expected: Record<string, unknown[]>): void {
  const problems: string[] = [];
  for (const table of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
    const a = actual[table] ?? [];
    const e = expected[table] ?? [];
    if (JSON.stringify(a) === JSON.stringify(e)) continue;
    const i = a.findIndex((row, k) => JSON.stringify(row) !== JSON.stringify(e[k]));
    const at = i === -1 ? e.length : i;
    problems.push(`${table}: ${a.length} rows vs ${e.length} expected; first difference at row ${at}:\n` +
      `  actual:   ${JSON.stringify(a[at])}\n  expected: ${JSON.stringify(e[at])}`);
  }
  if (problems.length) throw new Error(`indexes differ\n${problems.join("\n")}`);
}
