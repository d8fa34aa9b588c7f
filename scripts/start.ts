// Starts everything on one machine: an embedded Hardhat chain served over JSON-RPC, and the contracts deployed on
// it. (The indexer, API and demo seed join this command as they land.) Ctrl-C stops it.
//   npm start            -> chain on http://127.0.0.1:8545 (PORT/HOST to change)
import hre from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { deployContracts, writeDeployment } from "./deploy";

async function main() {
  const hostname = process.env.HOST ?? "127.0.0.1";
  const port = Number(process.env.PORT ?? 8545);
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
  console.error(err);
  process.exitCode = 1;
});
