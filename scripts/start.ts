// Starts everything on one machine. Ctrl-C, or SIGTERM to this process (docker stop, systemd), stops it all.
//   npm start                 embedded Hardhat chain on http://127.0.0.1:8545 (PORT/HOST), contracts deployed, the
//                             demo seeded, the indexer following the chain, the API on http://127.0.0.1:4000 (API_PORT)
//                             as API_WORKERS processes (default: the CPU cores) over the index file.
//                             The chain starts on DEMO_CHAIN_START, so the demo's year (December 2025 to November
//                             2026) is in the past and the README's dates are the demo's; after seeding, the chain's
//                             clock jumps to the wall clock. Each chain port has its own index and deployment record.
//   RPC_URL=… DEPLOYER_KEY=… npm start
//                             the same against an existing chain: reuses deployments/<chain id>.json when its
//                             contracts are there, else deploys with DEPLOYER_KEY; never seeds demo data
import hre from "hardhat";
import type { HardhatNetworkConfig, HardhatNetworkHDAccountsConfig } from "hardhat/types";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { HDNodeWallet, JsonRpcProvider, Wallet, type Signer } from "ethers";
import { existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { DEFAULTS } from "../indexer/config";
import { addressesOf, readDeployment } from "../indexer/deployment";
import { Indexer } from "../indexer/indexer";
import { maxLagFromEnv, startApiWorkers, workerCount } from "../api/workers";
import { ensureWebBuild } from "../web/build";
import { seedDemo, type DemoSummary } from "./demo";
import { PARTIES } from "./demoData";
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

/** First block of the embedded chain: the demo's year then runs from 2025-12-01 to 2026-11-30 (UTC+8). */
export const DEMO_CHAIN_START = "2025-11-20T00:00:00+08:00";
/** Hardhat's public test mnemonic: its keys are known to everyone, so they are printed, marked test-only. */
const PUBLIC_TEST_MNEMONIC = "test test test test test test test test test test test junk";
const DEFAULT_CHAIN_PORT = 8545;

/** Unix seconds as "YYYY-MM-DD HH:MM UTC+8". */
function cst(t: number): string {
  return new Date((t + 8 * 3600) * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC+8";
}

/** The demo's parties, who they are and their keys (only for the public test mnemonic), and how to use dal here. */
function banner(demo: DemoSummary, rpcUrl: string, apiUrl: string, deploymentFile: string, chainTime: number): string[] {
  const accounts = hre.network.config.accounts as HardhatNetworkHDAccountsConfig;
  const publicKeys = typeof accounts === "object" && "mnemonic" in accounts && accounts.mnemonic === PUBLIC_TEST_MNEMONIC;
  const keyOf = (i: number) => HDNodeWallet.fromPhrase(PUBLIC_TEST_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).privateKey;
  const lines = [
    `Chain time ${cst(chainTime)}; the demo's year: ${demo.period.from} to ${demo.period.to}.`,
    ``,
    `Demo parties${publicKeys ? " (keys of Hardhat's public test mnemonic: TEST ONLY, never for real funds)" : ""}:`,
  ];
  PARTIES.forEach((p, i) => {
    const r = demo.roles[p.key];
    lines.push(`  ${p.key.padEnd(12)} ${r.address}${publicKeys ? `  ${keyOf(i)}` : ""}  ${p.name}`);
  });
  lines.push(
    ``,
    `Point dal at this chain (another terminal, in this folder):`,
    `  export RPC_URL=${rpcUrl} API_URL=${apiUrl}${deploymentFile === `deployments/${31337}.json` ? "" : ` DEPLOYMENT=${deploymentFile}`}`,
    `  npx dal provenance ${demo.keyAssets.inspectionProduct}`,
    `  DAL_PRIVATE_KEY=<a key above> npx dal … (writes)`,
  );
  return lines;
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
  let demo: DemoSummary | null = null;
  let deploymentFile = "";
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
    deploymentFile = `deployments/${chainId}.json`;
    database = process.env.INDEX_DB ?? `data/index-${chainId}.sqlite`; // kept across restarts: the chain persists
  } else {
    const port = Number(process.env.PORT ?? DEFAULT_CHAIN_PORT);
    await assertPortFree(hostname, port, "PORT");
    // Before the provider's first use: the embedded chain's genesis is dated so the demo's year lies in the past.
    (hre.network.config as HardhatNetworkConfig).initialDate = DEMO_CHAIN_START;
    const server = await hre.run(TASK_NODE_CREATE_SERVER, { hostname, port, provider: hre.network.provider });
    const { address, port: actualPort } = await server.listen();
    stops.push(() => server.close());
    rpcUrl = `http://${address}:${actualPort}`;
    const signers = await hre.ethers.getSigners();
    const deployed = await deployContracts(signers[0]);
    record = deployed.record;
    // Each chain port has its own record and index, so a second instance on other ports leaves the first's alone.
    const suffix = port === DEFAULT_CHAIN_PORT ? "" : `-${port}`;
    deploymentFile = writeDeployment(record, "deployments", `${record.chainId}${suffix}.json`);
    console.log(`Embedded chain (chain id ${record.chainId}) at ${rpcUrl}; record in ${deploymentFile}`);
    console.log("Seeding the demo (two exchanges, public data, trades and books over a simulated year)...");
    demo = await seedDemo({ deployed, signers, log: (line) => console.log(`  ${line}`) });
    // From here on the chain keeps wall time, so new transactions are dated today.
    const latest = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
    const now = Math.floor(Date.now() / 1000);
    if (now > latest) {
      await hre.ethers.provider.send("evm_setNextBlockTimestamp", [now]);
      await hre.ethers.provider.send("evm_mine", []);
    }
    // The embedded chain starts empty every time, so its index does too.
    database = `data/embedded-index${suffix}.sqlite`;
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

  // The web app (web/dist): built when missing or older than web/src; without it the API still serves.
  let web = true;
  try {
    ensureWebBuild((line) => console.log(line));
  } catch (err) {
    web = false;
    console.error(`web app not built, serving the API only: ${err instanceof Error ? err.message : err}`);
  }
  // API_WORKERS processes (default: the CPU cores) serve the index file the indexer writes (api/workers.ts).
  const api = await startApiWorkers({
    database,
    workers: workerCount(),
    host: hostname,
    port: apiPort,
    confirmations: Number(process.env.CONFIRMATIONS ?? 0),
    maxLagBlocks: maxLagFromEnv(),
    log: (line) => console.log(`API: ${line}`),
  });
  stops.unshift(() => api.close().then(() => undefined));
  if (web) console.log(`\nWeb app: ${api.url}/   (public notice board, assets, verify a file in the browser)`);
  console.log(`${web ? "" : "\n"}GraphiQL: ${api.url}/graphql   (also /health, /ready, /metrics, /csv/balance-sheet, /csv/disclosure)`);
  if (demo) {
    const chainTime = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
    for (const line of banner(demo, rpcUrl, api.url, deploymentFile, chainTime)) console.log(line);
    console.log("");
    console.log(`Demo: ${demo.counts.assets} assets, ${demo.counts.settledTrades} settled trades, ${demo.period.from} to ${demo.period.to}. Try:`);
    for (const key of ["provenance", "balanceSheet", "disclosure", "valuation"]) {
      if (demo.queries[key]) console.log(`\n# ${key}\n${demo.queries[key]}`);
    }
  }
  console.log("\nCtrl-C (or SIGTERM) to stop.");

  indexer.done.catch((err) => console.error(`indexer stopped: ${err.message}`));
  const signal = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  console.log(`${signal}: stopping the API, the indexer and the chain...`);
  for (const stop of stops) await stop();
  console.log("stopped");
  // Nothing of ours is left; Hardhat's provider may keep timers alive, so leave now rather than linger.
  process.exit(0);
}

main().catch((err) => {
  console.error(`start failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1); // a chain or server already listening must not keep a failed start alive
});
