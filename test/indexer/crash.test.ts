// Crash safety: the standalone indexer (indexer/main.ts), SIGKILLed at random points of its pipelined backfill
// (reading ahead on its reader thread) and restarted, must end with exactly the database an uninterrupted run on
// one thread builds. Each range's rows and checkpoint commit in one transaction, so a kill can only lose whole
// ranges, which the restart indexes again.
//
// Kill points are random but seeded: the seed is printed, and CRASH_SEED=<seed> repeats the same choices.
import { expect } from "chai";
import hre from "hardhat";
import Database from "better-sqlite3";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { generateActivity, type ActivityResult } from "../../bench/activity";
import { INDEXER_NODE_FLAGS } from "../../indexer/config";
import { writeDeployment } from "../../scripts/deploy";
import { dumpFile, expectSameIndex, freshIndexDump, serveChain, tempDir, type RpcServer } from "../helpers/indexer";

const ROOT = resolve(__dirname, "../..");
/** The standalone indexer as `npm run indexer` starts it (V8 flags included), so that what is killed is what runs. */
const INDEXER_ARGS = [...INDEXER_NODE_FLAGS, "-r", "ts-node/register/transpile-only", "indexer/main.ts"];
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const EVENTS = 3_000;
/** Small ranges: many commits, so kills land between and inside them. */
const MAX_LOG_RANGE = 20;
const RUNS = 3;
const KILLS_PER_RUN = 4;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mulberry32, for reproducible kill delays. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The checkpoint's block as another process sees it (read-only): null before the first commit, undefined if the
 * file could not be read just now (it is being created).
 */
function checkpointOf(file: string): number | null | undefined {
  if (!existsSync(file)) return null;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const row = db.prepare("SELECT block_number FROM checkpoint WHERE id = 1").get() as { block_number: number } | undefined;
    return row?.block_number ?? null;
  } catch (err) {
    return /no such table/.test((err as Error).message) ? null : undefined; // not migrated yet, or busy
  } finally {
    db?.close();
  }
}

/** The checkpoint once it can be read. */
async function settledCheckpoint(file: string): Promise<number | null> {
  for (let attempt = 0; ; attempt++) {
    const cp = checkpointOf(file);
    if (cp !== undefined) return cp;
    if (attempt === 100) throw new Error(`cannot read the checkpoint of ${file}`);
    await sleep(20);
  }
}

interface Child {
  proc: ChildProcess;
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  running: boolean;
}

describe("indexer: crash safety", function () {
  this.timeout(300_000);

  let activity: ActivityResult;
  let server: RpcServer;
  let tmp: ReturnType<typeof tempDir>;
  let deployment: string;
  let reference: Record<string, unknown[]>;
  let referenceMs: number;
  let snapshot: string;
  const children = new Set<Child>();

  const startIndexer = (database: string): Child => {
    const proc = spawn(process.execPath, INDEXER_ARGS, {
      cwd: ROOT,
      env: {
        ...process.env,
        RPC_URL: server.url,
        INDEX_DB: database,
        DEPLOYMENT: deployment,
        PROGRESS: "0",
        MAX_LOG_RANGE: String(MAX_LOG_RANGE),
        // Pipelined: each range is read on the reader thread while the one before is written, so kills land
        // with a range read ahead and not written (the reference index is built on one thread).
        INDEXER_READER: "worker",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const child: Child = { proc, stderr: [], running: true, exited: undefined as never };
    proc.stderr!.on("data", (d: Buffer) => child.stderr.push(d.toString()));
    child.exited = new Promise((done) =>
      proc.once("exit", (code, signal) => {
        child.running = false;
        children.delete(child);
        done({ code, signal });
      }),
    );
    children.add(child);
    return child;
  };

  /** Polls (without blocking the chain's event loop) until `check` holds or the child exits. */
  const until = async (child: Child, check: () => boolean, timeoutMs: number, what: string): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (!child.running) return;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; indexer stderr:\n${child.stderr.join("")}`);
      await sleep(10);
    }
  };

  before(async function () {
    console.log(`      crash test seed ${SEED} (CRASH_SEED=${SEED} repeats it)`);
    snapshot = await hre.network.provider.send("evm_snapshot", []);
    // Few transactions per block: the events spread over hundreds of blocks, so there are many ranges to kill in.
    activity = await generateActivity({ targetEvents: EVENTS, txsPerBlock: 3, assetsPerWave: 3, seed: SEED });
    server = await serveChain();
    tmp = tempDir();
    deployment = writeDeployment(activity.record, tmp.dir);
    const started = Date.now();
    reference = await freshIndexDump(server.url, activity.record, join(tmp.dir, "reference.sqlite"), { reader: "thread" });
    referenceMs = Date.now() - started;
    expect(reference.events.length).to.equal(activity.events);
    console.log(
      `      chain: ${activity.events} events in blocks ${activity.record.startBlock}..${activity.head}; uninterrupted index in ${referenceMs} ms`,
    );
  });

  after(async () => {
    for (const c of [...children]) {
      c.proc.kill("SIGKILL");
      await c.exited;
    }
    await server?.close();
    tmp?.remove();
    if (snapshot) await hre.network.provider.send("evm_revert", [snapshot]);
  });

  it("starts the indexer as `npm run indexer` does", () => {
    const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
    expect(scripts.indexer).to.equal(`hardhat compile --quiet && node ${INDEXER_ARGS.join(" ")}`);
  });

  type Kill = { delayMs: number; before: number | null; after: number | null; fromSpawn: boolean };
  for (let run = 1; run <= RUNS; run++) {
    it(`run ${run}: SIGKILLed up to ${KILLS_PER_RUN} times during its backfill and restarted, it ends equal to an uninterrupted index`, async () => {
      const random = prng(SEED + run);
      const file = join(tmp.dir, `run-${run}.sqlite`);
      const { startBlock } = activity.record;
      const head = activity.head;
      const kills: Kill[] = [];
      const midBackfill = (k: Kill) => k.after !== null && k.after >= startBlock && k.after < head;

      for (let life = 1; life <= KILLS_PER_RUN; life++) {
        const before = await settledCheckpoint(file);
        const child = startIndexer(file);
        // Mostly a random time after this life's first commit (mid-backfill); now and then a random time from
        // the spawn, which often falls in its start-up or first range, before it has committed anything. The
        // latter only once a kill has landed mid-backfill, so that no seed leaves the run without one.
        const fromSpawn = kills.some(midBackfill) && random() < 0.25;
        if (!fromSpawn) {
          await until(child, () => ![before, undefined].includes(checkpointOf(file)), 60_000, "the indexer's first commit");
        }
        const delayMs = Math.floor(random() * (fromSpawn ? 1_500 : Math.max(50, referenceMs * 0.5)));
        await sleep(delayMs);
        child.proc.kill("SIGKILL");
        const exit = await child.exited;
        if (exit.signal !== "SIGKILL") {
          throw new Error(`indexer exited by itself (code ${exit.code}) instead of being killed:\n${child.stderr.join("")}`);
        }
        const after = await settledCheckpoint(file);
        kills.push({ delayMs, before, after, fromSpawn });
        if (after === head) break; // it finished the backfill before the kill: nothing left to interrupt
      }

      // The last life runs to the head and on to following the chain (main.ts handles SIGTERM from then on),
      // then stops cleanly on SIGTERM.
      const last = startIndexer(file);
      const following = () => checkpointOf(file) === head && last.stderr.join("").includes("caught up");
      await until(last, following, 120_000, `the checkpoint to reach the head (${head})`);
      expect(last.running, `indexer died:\n${last.stderr.join("")}`).to.equal(true);
      last.proc.kill("SIGTERM");
      const exit = await last.exited;
      expect(exit.code, `indexer stderr:\n${last.stderr.join("")}`).to.equal(0);

      console.log(
        `      run ${run}: ${kills.length} kills at checkpoints ` +
          kills.map((k) => `${k.before ?? "-"}→${k.after ?? "-"} (${k.delayMs} ms after ${k.fromSpawn ? "spawn" : "first commit"})`).join(", ") +
          ` (head ${head})`,
      );
      // Not vacuous: at least one kill left the index part-way through the chain.
      expect(kills.filter(midBackfill).length, JSON.stringify(kills)).to.be.greaterThan(0);

      const dump = dumpFile(file);
      expectSameIndex(dump, reference);
      expect(dump).to.deep.equal(reference);
    });
  }
});
