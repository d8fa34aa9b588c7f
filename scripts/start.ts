// Starts everything on one machine. Ctrl-C stops it all.
//   npm start                 embedded Hardhat chain on http://127.0.0.1:8545 (PORT/HOST), contracts deployed, the
//                             demo seeded, the indexer following the chain, the API on http://127.0.0.1:4000 (API_PORT)
//   RPC_URL=… DEPLOYER_KEY=… npm start
//                             the same against an existing chain: reuses deployments/<chain id>.json when its
//                             contracts are there, else deploys with DEPLOYER_KEY; never seeds demo data
import hre from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { JsonRpcProvider, Wallet, type Signer } from "ethers";
import { existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { DEFAULTS } from "../indexer/config";
import { addressesOf, readDeployment } from "../indexer/deployment";
import { Indexer } from "../indexer/indexer";
import { startApi } from "../api/server";
import { seedDemo } from "./demo";
import { deployContracts, writeDeployment, type Deployment } from "./deploy";

/** Hardhat's server reports a busy port as an uncaught error event; find out first and say what to do. */
function assertPortFree(hostname: string, port: number, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
      .once("error", (err: NodeJS.ErrnoException) =>
        reject(err.code === "EADDRINUSE" ? new Error(`port ${port} on ${hostname} is in use (another instance running?); set ${variable} to use another`) : err),
      )
      .once("listening", () => probe.close(() => resolve()))
      .listen(port, hostname);
  });
}

/** The deployment record for the chain at `rpcUrl` if its contracts are really there, else null. */
async function existingDeployment(provider: JsonRpcProvider, chainId: number): Promise<Deployment | null> {
  const file = `deployments/${chainId}.json`;
  if (!existsSync(file)) return null;
  const record = readDeployment(file);
  for (const c of Object.values(record.contracts)) if ((await provider.getCode(c.address)) === "0x") return null;
  return record;
}

async function main() {
  const hostname = process.env.HOST ?? "127.0.0.1";
  const apiPort = Number(process.env.API_PORT ?? 4000);
  const external = process.env.RPC_URL;
  await assertPortFree(hostname, apiPort, "API_PORT");
  const stops: (() => Promise<void>)[] = [];

  let rpcUrl: string;
  let record: Deployment;
  let database: string;
  let demo: Awaited<ReturnType<typeof seedDemo>> | null = null;
  if (external) {
    rpcUrl = external;
    const provider = new JsonRpcProvider(rpcUrl);
    const chainId = Number((await provider.getNetwork()).chainId);
    const reused = await existingDeployment(provider, chainId);
    if (reused) {
      record = reused;
      console.log(`Chain ${chainId} at ${rpcUrl}: using the contracts in deployments/${chainId}.json`);
    } else {
      const key = process.env.DEPLOYER_KEY;
      if (!key) throw new Error(`no deployment for chain ${chainId} in deployments/; set DEPLOYER_KEY (never a command-line argument) to deploy`);
      const deployer: Signer = new Wallet(key, provider);
      record = (await deployContracts(deployer)).record;
      console.log(`Chain ${chainId} at ${rpcUrl}: deployed, record in ${writeDeployment(record)}`);
    }
    database = process.env.INDEX_DB ?? `data/index-${chainId}.sqlite`; // kept across restarts: the chain persists
  } else {
    const port = Number(process.env.PORT ?? 8545);
    await assertPortFree(hostname, port, "PORT");
    const server = await hre.run(TASK_NODE_CREATE_SERVER, { hostname, port, provider: hre.network.provider });
    const { address, port: actualPort } = await server.listen();
    stops.push(() => server.close());
    rpcUrl = `http://${address}:${actualPort}`;
    const signers = await hre.ethers.getSigners();
    const deployed = await deployContracts(signers[0]);
    record = deployed.record;
    console.log(`Embedded chain (chain id ${record.chainId}) at ${rpcUrl}; record in ${writeDeployment(record)}`);
    console.log("Seeding the demo (two exchanges, public data, trades and books over a simulated year)...");
    demo = await seedDemo({ deployed, signers, log: (line) => console.log(`  ${line}`) });
    // The embedded chain starts empty every time, so its index does too.
    database = "data/embedded-index.sqlite";
    for (const suffix of ["", "-wal", "-shm"]) rmSync(database + suffix, { force: true });
  }
  for (const [name, c] of Object.entries(record.contracts)) console.log(`  ${name.padEnd(20)} ${c.address}`);

  const indexer = new Indexer({
    ...DEFAULTS,
    rpcUrl,
    database,
    chainId: record.chainId,
    contracts: addressesOf(record),
    startBlock: record.startBlock,
    confirmations: Number(process.env.CONFIRMATIONS ?? 0),
  });
  const synced = await indexer.syncToHead();
  await indexer.start();
  stops.unshift(() => indexer.stop());
  console.log(`Index ${database}: block ${synced.latestBlock}, following the chain`);

  const api = await startApi({ database, sync: () => indexer.status(), host: hostname, port: apiPort });
  stops.unshift(() => api.close());
  console.log(`\nGraphiQL: ${api.url}/graphql   (also /health, /ready, /metrics, /csv/balance-sheet, /csv/disclosure)`);
  if (demo) {
    console.log(`Demo: ${demo.counts.assets} assets, ${demo.counts.settledTrades} settled trades, ${demo.period.from} to ${demo.period.to}. Try:`);
    for (const key of ["provenance", "balanceSheet", "disclosure", "valuation"]) {
      if (demo.queries[key]) console.log(`\n# ${key}\n${demo.queries[key]}`);
    }
  }
  console.log("\nCtrl-C to stop.");

  indexer.done.catch((err) => console.error(`indexer stopped: ${err.message}`));
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  for (const stop of stops) await stop();
  console.log("stopped");
}

main().catch((err) => {
  console.error(`start failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
