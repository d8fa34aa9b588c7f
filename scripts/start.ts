// Starts everything on one machine: an embedded Hardhat chain served over JSON-RPC, the contracts deployed on it,
// the indexer following it into SQLite, and the GraphQL API over that index. Ctrl-C stops it all.
//   npm start            -> chain on http://127.0.0.1:8545 (PORT/HOST), API on http://127.0.0.1:4000 (API_PORT)
import hre from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { createServer } from "node:net";
import { rmSync } from "node:fs";
import { DEFAULTS } from "../indexer/config";
import { Indexer } from "../indexer/indexer";
import { startApi } from "../api/server";
import { deployContracts, writeDeployment } from "./deploy";

/** The embedded chain starts empty every time, so its index does too. */
const EMBEDDED_INDEX = "data/embedded-index.sqlite";

/** Hardhat's server reports a busy port as an uncaught error event; find out first and say what to do. */
function assertPortFree(hostname: string, port: number, variable = "PORT"): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
      .once("error", (err: NodeJS.ErrnoException) =>
        reject(err.code === "EADDRINUSE" ? new Error(`port ${port} on ${hostname} is in use (another instance running?); set ${variable} to use another`) : err),
      )
      .once("listening", () => probe.close(() => resolve()))
      .listen(port, hostname);
  });
}

async function main() {
  const hostname = process.env.HOST ?? "127.0.0.1";
  const port = Number(process.env.PORT ?? 8545);
  const apiPort = Number(process.env.API_PORT ?? 4000);
  await assertPortFree(hostname, port);
  await assertPortFree(hostname, apiPort, "API_PORT");
  const server = await hre.run(TASK_NODE_CREATE_SERVER, { hostname, port, provider: hre.network.provider });
  const { address, port: actualPort } = await server.listen();
  const rpcUrl = `http://${address}:${actualPort}`;

  const [admin] = await hre.ethers.getSigners();
  const { record } = await deployContracts(admin);
  const file = writeDeployment(record);

  console.log(`Embedded chain (chain id ${record.chainId}) at ${rpcUrl}`);
  for (const [name, c] of Object.entries(record.contracts)) console.log(`  ${name.padEnd(20)} ${c.address}`);
  console.log(`Deployment record: ${file}`);

  for (const suffix of ["", "-wal", "-shm"]) rmSync(EMBEDDED_INDEX + suffix, { force: true });
  const indexer = new Indexer({
    ...DEFAULTS,
    rpcUrl,
    database: EMBEDDED_INDEX,
    chainId: record.chainId,
    contracts: Object.fromEntries(Object.entries(record.contracts).map(([k, v]) => [k, v.address])) as any,
    startBlock: record.startBlock,
  });
  await indexer.syncToHead();
  await indexer.start();
  const api = await startApi({
    database: EMBEDDED_INDEX,
    sync: () => indexer.status(),
    host: hostname,
    port: apiPort,
  });
  console.log(`Index: ${EMBEDDED_INDEX} (following the chain)`);
  console.log(`GraphQL API and GraphiQL: ${api.url}/graphql   (/health, /ready, /metrics)`);
  console.log("Ctrl-C to stop.");

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await api.close();
  await indexer.stop();
  await server.close();
  console.log("stopped");
}

main().catch((err) => {
  console.error(`start failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
