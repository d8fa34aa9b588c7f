// anvil (Foundry's local node, shipped by the npm package @foundry-rs/anvil, pinned in package.json) for the tests
// that show nothing assumes Hardhat: one anvil on a free port per test file, contracts deployed with
// scripts/deploy.ts (`hardhat run --network anvil`, see hardhat.config.ts), the demo seeded by the same code as on
// Hardhat. The binary comes from the npm registry (the platform package @foundry-rs/anvil-<os>-<arch>); nothing
// is downloaded at run time.
import { spawn, type ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import { readDeployment } from "../../indexer/deployment";
import { JsonRpc } from "../../indexer/rpc";
import type { Deployment } from "../../scripts/deploy";

const ROOT = resolve(__dirname, "../..");

/** The anvil executable of the platform package npm installed beside @foundry-rs/anvil. */
export function anvilBinary(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return require.resolve(`@foundry-rs/anvil-${process.platform}-${arch}/bin/anvil`);
}

export interface Anvil {
  url: string;
  rpc: JsonRpc;
  /** A JSON-RPC call (anvil answers the evm_* and hardhat_* methods tests use too). */
  send<T = any>(method: string, params?: unknown[]): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts anvil on a free port (it binds port 0 and says which) with 20 unlocked accounts of the usual test
 * mnemonic (the same as Hardhat's), chain id 31337 unless `args` say otherwise. Resolves once it answers.
 */
export async function startAnvil(args: string[] = []): Promise<Anvil> {
  const proc: ChildProcess = spawn(anvilBinary(), ["--host", "127.0.0.1", "--port", "0", "--accounts", "20", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-20_000); // anvil logs every call: keep the tail for error messages only
  };
  proc.stderr!.on("data", keep);
  const exited = new Promise<void>((done) => proc.once("exit", () => done()));
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`anvil did not start within 60 s:\n${out}`)), 60_000);
    proc.stdout!.on("data", (d: Buffer) => {
      keep(d);
      const m = /Listening on (\S+:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        done(`http://${m[1]}`);
      }
    });
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`anvil exited (code ${code}, signal ${signal}):\n${out}`));
    });
  });
  const rpc = new JsonRpc(url, { retries: 2 });
  await rpc.chainId();
  return {
    url,
    rpc,
    send: (method, params = []) => rpc.call(method, params),
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      await exited;
    },
  };
}

/**
 * Runs a script under Hardhat against the anvil (`hardhat run --network anvil`, or the `consortium` network with
 * RPC_URL set to the anvil); its output, or its failure.
 */
export function hardhatRun(anvil: Anvil, script: string, env: NodeJS.ProcessEnv = {}, network: "anvil" | "consortium" = "anvil"): Promise<string> {
  const cli = require.resolve("hardhat/internal/cli/cli");
  const child = spawn(process.execPath, [cli, "run", "--no-compile", "--network", network, script], {
    cwd: ROOT,
    env: { ...process.env, ...env, ANVIL_URL: anvil.url, ...(network === "consortium" ? { RPC_URL: anvil.url } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((done, fail) =>
    child.once("exit", (code) => (code === 0 ? done(out) : fail(new Error(`hardhat run ${script} on anvil failed (${code}):\n${out.slice(-4000)}`)))),
  );
}

/**
 * Deploys with scripts/deploy.ts (DEPLOYMENTS_DIR = `dir`), or also seeds the demo (test/helpers/anvilDemo.ts), and
 * returns the deployment record it wrote.
 */
export async function deployOnAnvil(anvil: Anvil, dir: string, opts: { demo?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<{ record: Deployment; file: string; output: string }> {
  const script = opts.demo ? "test/helpers/anvilDemo.ts" : "scripts/deploy.ts";
  const output = await hardhatRun(anvil, script, { ...opts.env, DEPLOYMENTS_DIR: dir });
  const chainId = Number(await anvil.rpc.chainId());
  const file = join(dir, `${chainId}.json`);
  return { record: readDeployment(file) as unknown as Deployment, file, output };
}
