// The README as a newcomer meets it: `npm start` in a real child process (the first of the two commands; the other
// is the command that runs this test), then every ```sh block of the README exactly as printed, in order, against it.
// A `<!-- readme-test: advance N days -->` comment before a block stands for the reader waiting N days (the public
// notice): the test moves the chain's clock instead. Then the operator's side: a second instance on other ports
// leaves the first's files alone, and SIGTERM to each `npm start` stops everything and frees its ports.
import { expect } from "chai";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");
const READY_LINE = "Ctrl-C (or SIGTERM) to stop.";
const START_TIMEOUT_MS = 300_000;

interface Block {
  code: string;
  advanceDays: number;
}

/** The ```sh blocks of the README after the first (the two set-up commands), with any wait that precedes them. */
export function readmeBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const fence = /(?:<!-- readme-test: advance (\d+) days -->\s*\n[^`]*?)?```sh\n([\s\S]*?)```/g;
  for (const m of markdown.matchAll(fence)) blocks.push({ code: m[2], advanceDays: Number(m[1] ?? 0) });
  return blocks.slice(1);
}

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** `npm start` with `env`, resolved once its banner says it is ready. */
function npmStart(env: Record<string, string> = {}): Promise<Started> {
  const child = spawn("npm", ["start"], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`npm start not ready in ${START_TIMEOUT_MS} ms:\n${out}`)), START_TIMEOUT_MS);
    const poll = setInterval(() => {
      if (out.includes(READY_LINE)) {
        clearInterval(poll);
        clearTimeout(timer);
        ok({ child, output: () => out });
      }
    }, 200);
    child.once("exit", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      fail(new Error(`npm start exited ${code} before it was ready:\n${out}`));
    });
  });
}

/** Sends SIGTERM to the `npm start` process itself (not its group) and waits for it to exit. */
async function terminate(s: Started): Promise<number> {
  if (s.child.exitCode !== null) return 0;
  const t0 = Date.now();
  const exited = new Promise<void>((ok) => s.child.once("exit", () => ok()));
  s.child.kill("SIGTERM");
  await Promise.race([exited, new Promise((_, fail) => setTimeout(() => fail(new Error(`still running 15 s after SIGTERM:\n${s.output()}`)), 15_000))]);
  return Date.now() - t0;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => (socket.destroy(), ok(true)));
    socket.once("error", () => ok(false));
  });
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<any> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

function run(code: string): Promise<{ status: number | null; output: string }> {
  return new Promise((ok) => {
    // Errors stop the block; the failing command is named. The caller's DAL_* settings never leak in.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("DAL_") && k !== "DEPLOYMENT"));
    const child = spawn("bash", ["-c", `set -eo pipefail\ntrap 'echo "README command failed: $BASH_COMMAND" >&2' ERR\n${code}`], { cwd: ROOT, env });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.once("exit", (status) => ok({ status, output }));
  });
}

const digest = (file: string) => (existsSync(file) ? createHash("sha256").update(readFileSync(file)).digest("hex") : "missing");

describe("README, run as printed against a real npm start (e2e)", function () {
  let first: Started;

  before(async () => {
    for (const port of [8545, 4000, 8546, 4001]) {
      if (await portOpen(port)) throw new Error(`port ${port} is in use: the README's commands need the default ports free`);
    }
    first = await npmStart();
  });

  after(async () => {
    if (first) await terminate(first);
  });

  it("prints the chain time, the demo's year, every party with its test key, and how to point dal at the chain", () => {
    const out = first.output();
    expect(out).to.match(/Chain time 20\d\d-\d\d-\d\d \d\d:\d\d UTC\+8; the demo's year: 2025-12-01 to 2026-11-30\./);
    expect(out).to.include("TEST ONLY");
    // The inspection institute's key, as the README uses it.
    expect(out).to.include("inspection   0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc  0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba");
    expect(out).to.include("export RPC_URL=http://127.0.0.1:8545 API_URL=http://127.0.0.1:4000");
  });

  it("keeps the chain's clock near the wall clock after seeding the demo's past year", async () => {
    const block = await rpc("http://127.0.0.1:8545", "eth_getBlockByNumber", ["latest", false]);
    expect(Math.abs(Number(block.timestamp) - Date.now() / 1000)).to.be.lessThan(600);
  });

  it("runs every shell block of the README exactly as printed", async () => {
    const blocks = readmeBlocks(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(blocks.length).to.be.at.least(4);
    let exports = "";
    for (const [i, block] of blocks.entries()) {
      if (block.advanceDays) {
        await rpc("http://127.0.0.1:8545", "evm_increaseTime", [block.advanceDays * 86_400 + 60]);
        await rpc("http://127.0.0.1:8545", "evm_mine");
      }
      const { status, output } = await run(exports + block.code);
      expect(status, `README block ${i + 2}:\n${block.code}\n--- output ---\n${output}`).to.equal(0);
      exports += block.code.split("\n").filter((l) => l.startsWith("export ")).join("\n") + "\n";
    }
  });

  it("a second instance on other ports has its own record and index, and leaves the first's alone", async () => {
    const firstFiles = ["deployments/31337.json", "data/embedded-index.sqlite"].map((f) => join(ROOT, f));
    const before = firstFiles.map(digest);
    for (const f of ["deployments/31337-8546.json", "data/embedded-index-8546.sqlite"]) rmSync(join(ROOT, f), { force: true });
    const second = await npmStart({ PORT: "8546", API_PORT: "4001" });
    try {
      expect(second.output()).to.include("record in deployments/31337-8546.json");
      expect(second.output()).to.include("DEPLOYMENT=deployments/31337-8546.json");
      expect(existsSync(join(ROOT, "data/embedded-index-8546.sqlite"))).to.equal(true);
      expect(firstFiles.map(digest)[0]).to.equal(before[0]); // the first's deployment record is untouched
      const ready = await fetch("http://127.0.0.1:4000/ready");
      expect(ready.status).to.equal(200); // and its API still serves its index
    } finally {
      const ms = await terminate(second);
      expect(ms).to.be.lessThan(15_000);
    }
    expect(await portOpen(8546)).to.equal(false);
    expect(await portOpen(4001)).to.equal(false);
  });

  it("stops everything on SIGTERM to the npm start process, freeing both ports", async () => {
    await terminate(first);
    expect(first.output()).to.include("SIGTERM: stopping");
    expect(await portOpen(8545)).to.equal(false);
    expect(await portOpen(4000)).to.equal(false);
  });
});
