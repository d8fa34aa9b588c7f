// Deploys to a consortium EVM chain (Besu QBFT/IBFT, FISCO BCOS through its web3 RPC, BSN): docs/consortium-chains.md.
//
//   RPC_URL=https://node.example:8545 DEPLOYER_KEY=0x… CONFIRMATIONS=1 ADMIN_TIMELOCK_DELAY=86400 \
//     npx hardhat run --network consortium scripts/deployConsortium.ts
//
// Settings (environment):
//   RPC_URL                  the node's JSON-RPC endpoint (the `consortium` network of hardhat.config.ts reads it)
//   DEPLOYER_KEY             the deploying account's key (else the node's first unlocked account)
//   GAS_PRICE                wei per gas, default 0 (permissioned chains usually charge none)
//   CONFIRMATIONS            blocks on top of the last deployment transaction before the record is written, and the
//                            depth the indexer then keeps (default 0: BFT chains are final at once)
//   ADMIN_TIMELOCK_DELAY     hands DEFAULT_ADMIN_ROLE to an AdminTimelock with this delay (seconds), proposers from
//                            ADMIN_TIMELOCK_PROPOSERS (comma-separated, default the deployer)
//   ADMIN_MULTISIG           or hands it to this multisig contract (a Safe, say); ADMIN_MULTISIG_ALLOW_EOA=1 lets an
//                            ordinary account stand in (tests only)
//   DEPLOYMENTS_DIR          where the record goes (default deployments/): <chain id>.json, and
//                            <chain id>.indexer.json for INDEXER_CONFIG (the RPC URL and the confirmations)
//
// Before sending anything it checks: the compiler settings (evmVersion paris: no PUSH0, MCOPY or transient storage,
// which Besu, FISCO BCOS and BSN nodes may not know), that no deployed bytecode holds those opcodes, and that the
// node accepts the gas price. Every step prints what it did; the record is written only when all went through.
import hre, { ethers } from "hardhat";
import type { Signer } from "ethers";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deployContracts, handAdminToTimelock, writeDeployment, type Deployed } from "./deploy";

/** Opcodes a paris chain does not have: PUSH0 (shanghai), TLOAD, TSTORE, MCOPY (cancun). */
const AFTER_PARIS: Record<number, string> = { 0x5f: "PUSH0", 0x5c: "TLOAD", 0x5d: "TSTORE", 0x5e: "MCOPY" };

/**
 * The opcodes of deployed `code` a paris EVM lacks. PUSH data is skipped, and so is the CBOR metadata solc appends
 * (its length is in the code's last two bytes): neither is executed.
 */
export function opcodesAfterParis(code: string): string[] {
  let bytes = Buffer.from(code.replace(/^0x/, ""), "hex");
  if (bytes.length >= 2) {
    const metadata = bytes.readUInt16BE(bytes.length - 2) + 2;
    if (metadata <= bytes.length) bytes = bytes.subarray(0, bytes.length - metadata);
  }
  const found = new Set<string>();
  for (let i = 0; i < bytes.length; i++) {
    const op = bytes[i];
    if (AFTER_PARIS[op]) found.add(AFTER_PARIS[op]);
    if (op >= 0x60 && op <= 0x7f) i += op - 0x5f; // PUSH1..PUSH32 data
  }
  return [...found];
}

function wholeNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number >= 0, got ${raw}`);
  return n;
}

/** Grants DEFAULT_ADMIN_ROLE on every contract to `multisig` and renounces the deployer's (PAUSER_ROLE stays). */
export async function handAdminToMultisig(d: Deployed, admin: Signer, multisig: string, allowEoa = false): Promise<void> {
  if (!ethers.isAddress(multisig)) throw new Error(`ADMIN_MULTISIG is not an address: ${multisig}`);
  const code = await admin.provider!.getCode(multisig);
  if ((!code || code === "0x") && !allowEoa) {
    throw new Error(`ADMIN_MULTISIG ${multisig} has no code on this chain: deploy the multisig (a Safe) first, or check the address`);
  }
  const adminAddress = await admin.getAddress();
  for (const c of [d.registry, d.rights, d.exchange, d.ledger, d.pledges]) {
    const role = await c.DEFAULT_ADMIN_ROLE();
    await (await c.grantRole(role, multisig)).wait();
    await (await c.renounceRole(role, adminAddress)).wait();
  }
  d.record.contracts.AdminMultisig = { address: ethers.getAddress(multisig), blockNumber: await admin.provider!.getBlockNumber() };
}

async function main() {
  const log = (m: string) => console.log(m);
  const confirmations = wholeNumber("CONFIRMATIONS", 0);
  const dir = process.env.DEPLOYMENTS_DIR ?? "deployments";

  // 1. Compiler settings: paris bytecode.
  for (const c of hre.config.solidity.compilers) {
    if (c.settings?.evmVersion !== "paris") throw new Error(`hardhat.config.ts compiles for evmVersion ${c.settings?.evmVersion}; consortium chains need "paris"`);
  }
  log(`compiler: solc ${hre.config.solidity.compilers.map((c) => c.version).join(", ")}, evmVersion paris`);

  // 2. The node and the account.
  const [admin] = await ethers.getSigners();
  const net = await ethers.provider.getNetwork();
  const adminAddress = await admin.getAddress();
  const balance = await ethers.provider.getBalance(adminAddress);
  const gasPrice = BigInt(process.env.GAS_PRICE ?? 0);
  log(`chain ${net.chainId} at ${process.env.RPC_URL ?? "(the network's URL)"}; deployer ${adminAddress}, balance ${balance} wei; gas price ${gasPrice} wei`);
  if (gasPrice > 0n && balance === 0n) throw new Error(`the deployer has no balance to pay gas price ${gasPrice}; fund it or use GAS_PRICE=0 on a chain that charges none`);

  // 3. Deploy (scripts/deploy.ts), then check the code on chain.
  const deployed = await deployContracts(admin);
  for (const [name, c] of Object.entries(deployed.record.contracts)) {
    const code = await ethers.provider.getCode(c.address);
    if (code === "0x") throw new Error(`${name} at ${c.address} has no code after its deployment`);
    const newer = opcodesAfterParis(code);
    if (newer.length) throw new Error(`${name}'s bytecode uses ${newer.join(", ")}, which a paris chain does not have`);
    log(`${name.padEnd(20)} ${c.address} (block ${c.blockNumber}, ${(code.length - 2) / 2} bytes, no post-paris opcodes)`);
  }

  // 4. Roles: to a timelock or a multisig; the deployer keeps PAUSER_ROLE for emergencies.
  if (process.env.ADMIN_TIMELOCK_DELAY !== undefined && process.env.ADMIN_MULTISIG) throw new Error("set ADMIN_TIMELOCK_DELAY or ADMIN_MULTISIG, not both");
  if (process.env.ADMIN_TIMELOCK_DELAY !== undefined) {
    const delay = wholeNumber("ADMIN_TIMELOCK_DELAY", 0);
    const proposers = (process.env.ADMIN_TIMELOCK_PROPOSERS ?? adminAddress).split(",").map((p) => p.trim()).filter(Boolean);
    const timelock = await handAdminToTimelock(deployed, admin, delay, proposers);
    log(`admin roles handed to the timelock ${timelock} (delay ${delay} s, proposers ${proposers.join(", ")}); the deployer renounced its own`);
  } else if (process.env.ADMIN_MULTISIG) {
    await handAdminToMultisig(deployed, admin, process.env.ADMIN_MULTISIG, process.env.ADMIN_MULTISIG_ALLOW_EOA === "1");
    log(`admin roles handed to the multisig ${process.env.ADMIN_MULTISIG}; the deployer renounced its own`);
  } else {
    log(`admin roles stay with the deployer ${adminAddress}: hand them to a timelock or multisig before production`);
  }

  // 5. Confirmations: the last transaction buried under CONFIRMATIONS blocks before the record is written.
  const last = await ethers.provider.getBlockNumber();
  const deadline = Date.now() + wholeNumber("CONFIRM_TIMEOUT_S", 600) * 1000;
  while ((await ethers.provider.getBlockNumber()) < last + confirmations) {
    if (Date.now() > deadline) throw new Error(`block ${last} did not get ${confirmations} confirmations in time: is the chain producing blocks?`);
    await new Promise((r) => setTimeout(r, 500));
  }
  if (confirmations) log(`block ${last} has ${confirmations} confirmations`);

  // 6. The deployment record, and the indexer's settings for this chain.
  const file = writeDeployment(deployed.record, dir);
  const indexerConfig = join(dir, `${deployed.record.chainId}.indexer.json`);
  writeFileSync(indexerConfig, JSON.stringify({ rpcUrl: process.env.RPC_URL ?? "", deployment: file, confirmations }, null, 2) + "\n");
  log(`deployment record: ${file}`);
  log(`indexer settings: ${indexerConfig} (INDEXER_CONFIG=${indexerConfig} npm run indexer)`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
