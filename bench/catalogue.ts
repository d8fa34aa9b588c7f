// A catalogue registered end to end the way an exchange would, with the real `dal` processes: BENCH_CATALOGUE_FILES
// small files (default 1,000) listed in a CSV are hashed and signed in batches of 50 by a holder's key without gas
// funds (`dal register --manifest --sign-dir`), relayed in one forwarder transaction per batch (`dal relay`), approved
// after the notice by the registrar (`dal approve --all-due`, approveBatch), and indexed. The notice period itself is
// skipped on the local chain (the time it takes is the law's, not the system's). Writes catalogue.json to
// $BENCH_RESULTS (default bench/results). Run: npx hardhat run bench/catalogue.ts
import { ethers, network } from "hardhat";
import { HDNodeWallet, Wallet } from "ethers";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { deployContracts, writeDeployment } from "../scripts/deploy";
import { Indexer } from "../indexer/indexer";
import { indexerOptions, serveChain, tempDir } from "../test/helpers/indexer";

const ROOT = resolve(__dirname, "..");
const FILES = Number(process.env.BENCH_CATALOGUE_FILES ?? 1000);
const AIM_SECONDS = 60;

function dal(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, "bin", "dal.js"), ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (b: Buffer) => (out += b));
    child.stderr.on("data", (b: Buffer) => (err += b));
    child.once("exit", (code) => (code === 0 ? done(out) : fail(new Error(`dal ${args.join(" ")} exited ${code}\n${out}\n${err}`))));
  });
}

async function main() {
  if (!Number.isInteger(FILES) || FILES < 1) throw new Error(`BENCH_CATALOGUE_FILES must be a positive integer, got ${FILES}`);
  const signers = await ethers.getSigners();
  const [admin, registrar] = signers;
  const accounts = network.config.accounts as { mnemonic: string; path: string; passphrase: string };
  const key = (i: number) => HDNodeWallet.fromPhrase(accounts.mnemonic, accounts.passphrase, `${accounts.path}/${i}`).privateKey;
  const d = await deployContracts(admin);
  await (await d.registry.addRegistrar("SZDE", 86_400)).wait();
  await (await d.registry.grantRole(await d.registry.registrarRole(1), registrar.address)).wait();

  const tmp = tempDir();
  const chain = await serveChain();
  try {
    const deployment = writeDeployment(d.record, tmp.dir, "deployment.json");
    const dir = join(tmp.dir, "catalogue");
    mkdirSync(dir);
    const rows = ["path,name,records"];
    for (let i = 0; i < FILES; i++) {
      writeFileSync(join(dir, `item-${i}.csv`), `id,value\n${i},${"x".repeat(200)}\n`);
      rows.push(`item-${i}.csv,Catalogue item ${i},1`);
    }
    const csv = join(dir, "catalogue.csv");
    writeFileSync(csv, rows.join("\n") + "\n");
    const env = { RPC_URL: chain.url, DEPLOYMENT: deployment, DAL_KEYSTORE: "", API_URL: "http://127.0.0.1:9" };
    const holder = Wallet.createRandom();
    const phases: Record<string, number> = {};
    const timed = async (name: string, work: () => Promise<unknown>) => {
      const t = performance.now();
      await work();
      phases[name] = Math.round(performance.now() - t) / 1000;
      console.error(`${name}: ${phases[name]} s`);
    };

    const requests = join(tmp.dir, "requests");
    await timed("hash and sign", () =>
      dal(["register", "--manifest", csv, "--sign-dir", requests, "--batch-size", "50"], { ...env, DAL_PRIVATE_KEY: holder.privateKey }),
    );
    const files = readdirSync(requests).sort().map((f) => join(requests, f));
    await timed("relay", () => dal(["relay", ...files], { ...env, DAL_PRIVATE_KEY: key(0) }));
    const registered = Number(await d.registry.assetCount());
    if (registered !== FILES) throw new Error(`${registered} registered, expected ${FILES}`);
    await network.provider.send("evm_increaseTime", [86_401]);
    await network.provider.send("evm_mine", []);
    await timed("approve", () => dal(["approve", "--all-due", "--chain-only"], { ...env, DAL_PRIVATE_KEY: key(1) }));
    for (const id of [1, FILES]) {
      if (Number((await d.registry.assetOf(id)).status) !== 3) throw new Error(`asset ${id} is not approved`);
    }
    await timed("index", async () => {
      const indexer = new Indexer(indexerOptions(chain.url, d.record, join(tmp.dir, "index.sqlite")));
      await indexer.syncToHead();
      await indexer.stop();
    });
    const seconds = Math.round(Object.values(phases).reduce((a, b) => a + b, 0) * 1000) / 1000;
    const result = { date: new Date().toISOString(), files: FILES, batches: files.length, phases, seconds, aimSeconds: AIM_SECONDS, met: seconds <= AIM_SECONDS };
    console.log(JSON.stringify(result, null, 2));
    const out = process.env.BENCH_RESULTS ?? join(ROOT, "bench", "results");
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, "catalogue.json"), JSON.stringify(result, null, 2) + "\n");
  } finally {
    await chain.close();
    tmp.remove();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
