// Starts everything on one machine: an embedded Hardhat chain served over JSON-RPC, and the contracts deployed on
// it. (The indexer, API and demo seed join this command as they land.) Ctrl-C stops it.
//   npm start            -> chain on http://127.0.0.1:8545 (PORT/HOST to change)
import hre from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { createServer } from "node:net";
import { deployContracts, writeDeployment } from "./deploy";

/** Hardhat's server reports a busy port as an uncaught error event; find out first and say what to do. */
function assertPortFree(hostname: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
      .once("error", (err: NodeJS.ErrnoException) =>
        reject(err.code === "EADDRINUSE" ? new Error(`port ${port} on ${hostname} is in use (another chain running?); set PORT to use another`) : err),
      )
      .once("listening", () => probe.close(() => resolve()))
      .listen(port, hostname);
  });
}

async function main() {
  const hostname = process.env.HOST ?? "127.0.0.1";
  const port = Number(process.env.PORT ?? 8545);
  await assertPortFree(hostname, port);
  const server = await hre.run(TASK_NODE_CREATE_SERVER, { hostname, port, provider: hre.network.provider });
  const { address, port: actualPort } = await server.listen();
  const rpcUrl = `http://${address}:${actualPort}`;

  const [admin] = await hre.ethers.getSigners();
  const { record } = await deployContracts(admin);
  const file = writeDeployment(record);

  console.log(`Embedded chain (chain id ${record.chainId}) at ${rpcUrl}`);
  for (const [name, c] of Object.entries(record.contracts)) console.log(`  ${name.padEnd(20)} ${c.address}`);
  console.log(`Deployment record: ${file}`);
  console.log("Ctrl-C to stop.");

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await server.close();
  console.log("stopped");
}

main().catch((err) => {
  console.error(`start failed: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
});
