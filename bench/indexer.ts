// Indexer benchmark: `npm run bench:indexer` (BENCH_EVENTS, default 100000; BENCH_REALTIME_BLOCKS, default 200;
// BENCH_BLOCK_MS, default 250-1000).
// Generates mixed activity on the in-process Hardhat chain, serves it over HTTP JSON-RPC, and runs the compiled
// indexer in a separate process (bench/indexerChild.ts) so its memory is measured without the chain's:
// 1. backfill: events/s, peak RSS and database size against the aims (>= 10,000 events/s, <= 256 MB RSS);
// 2. realtime: the indexer follows the chain (polling, POLL_INTERVAL_MS, CONFIRMATIONS=0) while this process mines
//    a block every BENCH_BLOCK_MS (a random interval in that range) with a handful of transactions (bench/realtime.ts);
//    latency from a block mined to its events queryable, read through a separate read-only connection as the API
//    reads the index (aim: p99 <= 1 s);
// 3. reorg: 50 indexed blocks replaced by 51 others (evm_snapshot / evm_revert): the indexer's undo time (its
//    onReorg report), the time until the index is at the new head, and the index compared with a fresh index of the
//    new chain, table by table.
// Before 1-3, the previous version side by side: the indexer at BENCH_BASELINE (a commit, default the one before the
// pipelined backfill) is checked out with `git worktree add` into a temporary directory, compiled there, and both
// backfill the same chain BENCH_ROUNDS times (default 5: a median of 3 moved by ±5% from run to run; 1 in the smoke
// run), alternately, each in its own process and file: the ratio of their median events/s is the change (the machine
// is shared; a ratio in one run is what means something), and the two indexes must be identical table by table.
// BENCH_BASELINE=none skips it.
// Writes bench/results/indexer.json. BENCH_CPU_PROF=1 also writes a V8 CPU profile of the indexer process (backfill
// and following) there; MAX_LOG_RANGE, POLL_INTERVAL_MS and other indexer settings pass through to the child.
import Database from "better-sqlite3";
import type { Statement } from "better-sqlite3";
import { execFileSync, fork, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { INDEXER_NODE_FLAGS } from "../indexer/config";
import type { ReorgUndo } from "../indexer/indexer";
import { generateActivity } from "./activity";
import type { BackfillReport, ChildMessage, ParentMessage } from "./indexerChild";
import { RealtimeBlocks, type MinedBlock } from "./realtime";
import { writeDeployment } from "../scripts/deploy";
import { serveChain, tempDir } from "../test/helpers/indexer";
import { rpc } from "./hardhatRpc";
import { percentile, round2 as round } from "./stats";

const ROOT = resolve(__dirname, "..");
/** Where results go: bench/results, or BENCH_RESULTS (bench/run.ts sets it; the smoke run uses a temporary one). */
const RESULTS = process.env.BENCH_RESULTS ?? join(ROOT, "bench", "results");
const AIM = { eventsPerSecond: 10_000, peakRssMB: 256, realtimeP99Ms: 1000, speedup: 1.8 };
const REORG_DEPTH = 50;
/** How often this process looks at the index for new blocks. */
const WATCH_MS = 2;

/** The indexer before the pipelined backfill (issue 15): what BENCH_BASELINE defaults to. */
const BASELINE = { commit: "a96f71da695c689ea366207bab26086a785a7b39", label: "before the pipelined backfill (issue 15)" };

/** Compiles the indexer to JavaScript (tsconfig.build.json): measured as it runs in production, without ts-node. */
function build(cwd = ROOT, project = "tsconfig.build.json"): Promise<void> {
  const tsc = spawn(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", project], { cwd, stdio: "inherit" });
  return new Promise((done, fail) => tsc.once("exit", (code) => (code === 0 ? done() : fail(new Error(`tsc failed (${code})`)))));
}

/**
 * The indexer at `commit`, checked out with `git worktree add` into `dir` and compiled there (the indexer and the
 * benchmark's child only, against this checkout's node_modules and TypeChain types): the path of its compiled child.
 * remove() takes the worktree away again.
 */
async function buildBaseline(commit: string, dir: string): Promise<{ child: string; commit: string; remove(): void }> {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  const full = git("rev-parse", "--verify", `${commit}^{commit}`);
  git("worktree", "add", "--detach", dir, full);
  const remove = () => {
    try {
      git("worktree", "remove", "--force", dir);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      git("worktree", "prune");
    }
  };
  try {
    symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
    symlinkSync(join(ROOT, "typechain-types"), join(dir, "typechain-types"), "dir");
    const include = ["indexer", "bench/indexerChild.ts", "typechain-types", "node_modules/@nomicfoundation/hardhat-ethers/internal/type-extensions.d.ts"];
    writeFileSync(join(dir, "tsconfig.baseline.json"), JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { outDir: "dist", rootDir: "." }, include }));
    await build(dir, "tsconfig.baseline.json");
    return { child: join(dir, "dist/bench/indexerChild.js"), commit: full, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/** The compiled indexer child (bench/indexerChild.ts), talked to over IPC; awaiting it never blocks this process, which serves the chain. */
class IndexerChild {
  readonly reorgs: ReorgUndo[] = [];
  private readonly proc: ChildProcess;
  private readonly inbox: ChildMessage[] = [];
  private notify?: () => void;
  private ended?: Error;

  /** `baseline`: the child script of the baseline's build, run without flags as that version was. */
  constructor(env: NodeJS.ProcessEnv, opts: { profileDir?: string; baseline?: string } = {}) {
    const { profileDir, baseline } = opts;
    // Never this process's (ts-node) flags: the indexer's own, as `npm run indexer` runs it.
    const flags = baseline ? [] : INDEXER_NODE_FLAGS;
    this.proc = fork(baseline ?? join(ROOT, "dist/bench/indexerChild.js"), [], {
      cwd: ROOT,
      env,
      execArgv: [...flags, ...(profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [])],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.proc.on("message", (m: ChildMessage) => {
      if (m.type === "reorg") {
        const { type: _, ...undo } = m;
        this.reorgs.push(undo);
      } else this.inbox.push(m);
      this.notify?.();
    });
    const end = (why: string) => {
      this.ended ??= new Error(`the indexer child ${why}`);
      this.notify?.();
    };
    this.proc.once("error", (err) => end(`failed: ${err.message}`));
    this.proc.once("close", (code, signal) => end(`ended (code ${code}, signal ${signal})`));
  }

  /** The next message, which must be of this type. */
  async next<T extends ChildMessage["type"]>(type: T): Promise<Extract<ChildMessage, { type: T }>> {
    await this.until(() => this.inbox.length > 0);
    const m = this.inbox.shift()!;
    if (m.type !== type) throw new Error(`expected "${type}" from the indexer child, got ${JSON.stringify(m)}`);
    return m as Extract<ChildMessage, { type: T }>;
  }

  async reorgReported(count: number): Promise<void> {
    await this.until(() => this.reorgs.length >= count);
  }

  send(m: ParentMessage): void {
    this.proc.send(m);
  }

  /** Asks it to stop; resolves with its RSS at the end once it has closed the database and exited. */
  async stop(): Promise<number> {
    this.send({ type: "stop" });
    const { rssMB } = await this.next("stopped");
    await this.until(() => this.ended !== undefined && this.proc.exitCode !== null);
    if (this.proc.exitCode !== 0) throw new Error(`the indexer child exited with code ${this.proc.exitCode}`);
    return rssMB;
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill();
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) {
      if (this.ended && !ready()) throw this.ended;
      await new Promise<void>((r) => (this.notify = r));
    }
  }
}

interface Checkpoint {
  block_number: number;
  block_hash: string;
}

/**
 * Looks at the index file every WATCH_MS through its own read-only connection, as the API does: when the checkpoint
 * has reached an expected block, records the time since it was mined and how many of its events are in `events`
 * (the checkpoint and its events commit in one transaction, so that moment is when the block became queryable).
 */
class IndexWatch {
  readonly seen = new Map<number, { ms: number; events: number }>();
  private readonly db: Database.Database;
  private readonly checkpoint: Statement;
  private readonly eventsOf: Statement;
  private readonly pending = new Map<number, { hash: string; minedAt: number }>();
  private waiters: { test: (cp: Checkpoint) => boolean; done: (at: number) => void }[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.checkpoint = this.db.prepare("SELECT block_number, block_hash FROM checkpoint WHERE id = 1");
    this.eventsOf = this.db.prepare("SELECT COUNT(*) FROM events WHERE block_number = ? AND block_hash = ?").pluck();
    this.timer = setInterval(() => this.tick(), WATCH_MS);
  }

  expect(b: { number: number; hash: string; minedAt: number }): void {
    this.pending.set(b.number, b);
  }

  /** Resolves with the time (performance.now()) the checkpoint was first seen to pass `test`. */
  until(test: (cp: Checkpoint) => boolean, what: string, timeoutMs = 60_000): Promise<number> {
    return new Promise((done, fail) => {
      const timeout = setTimeout(() => fail(new Error(`the index did not reach ${what} within ${timeoutMs / 1000} s`)), timeoutMs);
      this.waiters.push({ test, done: (at) => (clearTimeout(timeout), done(at)) });
    });
  }

  count(sql: string, ...params: unknown[]): number {
    return this.db.prepare(sql).pluck().get(...params) as number;
  }

  close(): void {
    clearInterval(this.timer);
    this.db.close();
  }

  private tick(): void {
    const now = performance.now();
    const cp = this.checkpoint.get() as Checkpoint | undefined;
    if (!cp) return;
    for (const [n, b] of this.pending) {
      if (n > cp.block_number) continue;
      this.seen.set(n, { ms: now - b.minedAt, events: this.eventsOf.get(n, b.hash) as number });
      this.pending.delete(n);
    }
    const ready = this.waiters.filter((w) => w.test(cp));
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.done(now);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
async function latest(): Promise<{ number: number; hash: string }> {
  const b = await rpc<{ number: string; hash: string }>("eth_getBlockByNumber", ["latest", false]);
  return { number: Number(b.number), hash: b.hash };
}


/** Mines `count` blocks at the given pace while the child follows; latency of each until queryable. */
async function realtime(blocks: RealtimeBlocks, watch: IndexWatch, count: number, interval: [number, number]) {
  const mined: MinedBlock[] = [];
  let next = performance.now();
  for (let i = 0; i < count; i++) {
    next += interval[0] + Math.random() * (interval[1] - interval[0]);
    await sleep(next - performance.now());
    mined.push(await blocks.mine((b) => watch.expect(b)));
  }
  const last = mined[mined.length - 1];
  await watch.until((cp) => cp.block_number >= last.number, `block ${last.number}`); // that tick recorded it too
  const latencies = mined.map((b) => {
    const seen = watch.seen.get(b.number);
    if (!seen) throw new Error(`block ${b.number} was never seen in the index`);
    if (seen.events !== b.events) throw new Error(`block ${b.number}: the index held ${seen.events} of its ${b.events} events when its checkpoint arrived`);
    return seen.ms;
  });
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    blocks: count,
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1]),
    meanMs: round(latencies.reduce((a, b) => a + b, 0) / count),
    transactionsPerBlock: round(mined.reduce((a, b) => a + b.transactions, 0) / count),
    eventsPerBlock: round(mined.reduce((a, b) => a + b.events, 0) / count),
  };
}

/**
 * Replaces the last REORG_DEPTH indexed blocks with REORG_DEPTH + 1 others while the child follows: how long its
 * undo took (its onReorg report) and how long until the index was at the new head.
 */
async function reorg(blocks: RealtimeBlocks, watch: IndexWatch, child: IndexerChild) {
  const ancestor = await latest();
  await watch.until((cp) => cp.block_hash === ancestor.hash, "the head before the reorg");
  const saved = blocks.save();
  const snapshot = await rpc<string>("evm_snapshot");
  let top!: MinedBlock;
  for (let i = 0; i < REORG_DEPTH; i++) top = await blocks.mine();
  const replaced = top;
  await watch.until((cp) => cp.block_hash === replaced.hash, `block ${replaced.number} before the reorg`);
  const replacedEvents = watch.count("SELECT COUNT(*) FROM events WHERE block_number > ?", ancestor.number);
  const reported = child.reorgs.length;

  const revertedAt = performance.now();
  if (!(await rpc<boolean>("evm_revert", [snapshot]))) throw new Error("evm_revert failed");
  blocks.restore(saved);
  for (let i = 0; i < REORG_DEPTH + 1; i++) top = await blocks.mine();
  const branchMinedAt = performance.now();
  const newHead = top;
  const atHead = await watch.until((cp) => cp.block_hash === newHead.hash, `the new head ${newHead.number}`);
  await child.reorgReported(reported + 1);
  const undos = child.reorgs.slice(reported);
  if (undos.length !== 1) throw new Error(`expected one reorg, the indexer reported ${JSON.stringify(undos)}`);
  const undo = undos[0];
  if (undo.depth !== REORG_DEPTH || undo.events !== replacedEvents) {
    throw new Error(`the indexer undid ${undo.depth} blocks and ${undo.events} events; ${REORG_DEPTH} blocks with ${replacedEvents} events were replaced`);
  }
  return {
    depth: undo.depth,
    undoMs: round(undo.ms),
    rowsUndone: undo.undoneRows,
    eventsUndone: undo.events,
    newBranchBlocks: REORG_DEPTH + 1,
    /** From the revert to the index at the new head: undo, re-indexing, and this process mining the new branch. */
    backAtHeadMs: round(atHead - revertedAt),
    newBranchMiningMs: round(branchMinedAt - revertedAt),
    /** From the new branch's last block mined to the index at it. */
    atHeadAfterBranchMs: round(atHead - branchMinedAt),
  };
}

/**
 * Per table: its row count and a SHA-256 of its rows in a total order (every column): equal iff the tables are.
 * `onlyTables`: digest those tables only, and undo_log rows only for them (to compare with an older version's index).
 */
/**
 * A digest of each table's rows. With `like` (another index's shape), only what that index could hold is digested:
 * its tables and their columns, rows of the contracts it indexed (a newer version may index a contract more), and
 * no undo images or deployment identity, which carry the newer columns and contracts.
 */
function tableDigests(file: string, like?: Shape): Record<string, string> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const out: Record<string, string> = {};
    for (const [t, all] of Object.entries(shapeOf(db))) {
      if (like && (!(t in like.columns) || t === "undo_log" || t === "meta")) continue;
      const columns = like ? all.filter((c) => like.columns[t].includes(c)) : all;
      const order = columns.map((_, i) => i + 1).join(", ");
      const where = like && columns.includes("contract") ? ` WHERE contract IN (${like.contracts.map((c) => `'${c}'`).join(", ")})` : "";
      const hash = createHash("sha256");
      let rows = 0;
      for (const row of db.prepare(`SELECT ${columns.map((c) => `"${c}"`).join(", ")} FROM ${t}${where} ORDER BY ${order}`).raw().iterate()) {
        hash.update(JSON.stringify(row) + "\n");
        rows++;
      }
      out[t] = `${rows} rows, sha256 ${hash.digest("hex")}`;
    }
    return out;
  } finally {
    db.close();
  }
}

interface Shape {
  columns: Record<string, string[]>;
  /** The contracts whose events the index holds. */
  contracts: string[];
}

function shapeOf(db: Database.Database): Record<string, string[]> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
  return Object.fromEntries(tables.map((t) => [t, db.prepare("SELECT name FROM pragma_table_info(?)").pluck().all(t) as string[]]));
}

function indexShape(file: string): Shape {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return { columns: shapeOf(db), contracts: db.prepare("SELECT DISTINCT contract FROM events ORDER BY contract").pluck().all() as string[] };
  } finally {
    db.close();
  }
}

/** BENCH_BLOCK_MS: "min-max" (a uniformly random interval between blocks) or one number. */
function blockInterval(raw = "250-1000"): [number, number] {
  const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(raw);
  const range: [number, number] = m ? [Number(m[1]), Number(m[2] ?? m[1])] : [NaN, NaN];
  if (!(range[0] >= 1 && range[1] >= range[0])) throw new Error(`BENCH_BLOCK_MS must be milliseconds or a range like 250-1000, got ${raw}`);
  return range;
}

function positive(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${process.env[name]}`);
  return n;
}

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

interface SideRun {
  eventsPerSecond: number;
  seconds: number;
  cpuSeconds: number;
  /** The indexer's main thread (its writes); null for a version that does not report it. */
  mainThreadCpuSeconds: number | null;
  /** This process serving the chain meanwhile (Hardhat answering the indexer's calls): it shares the machine's cores. */
  chainServerCpuSeconds: number;
  peakRssMB: number;
  loadAverage: number;
}

/**
 * The previous version and this one backfill the same chain `rounds` times each, alternately (ABBA...), each in its
 * own process and file; then the first two indexes are compared table by table.
 */
async function sideBySide(
  env: NodeJS.ProcessEnv,
  dir: string,
  commit: string,
  rounds: number,
  activity: { events: number; pledgeEvents: number; head: number },
  children: IndexerChild[],
) {
  let baseline: Awaited<ReturnType<typeof buildBaseline>>;
  try {
    console.error(`building the baseline indexer (${commit}) in a git worktree...`);
    baseline = await buildBaseline(commit, join(dir, "baseline"));
  } catch (err) {
    const why = (err as Error).message.split("\n")[0];
    console.error(`no side-by-side comparison: the baseline ${commit} could not be built (${why})`);
    return { skipped: `baseline ${commit} not built: ${why}` };
  }
  try {
    const runs: Record<"baseline" | "current", SideRun[]> = { baseline: [], current: [] };
    const files: Record<"baseline" | "current", string> = { baseline: "", current: "" };
    for (let i = 0; i < rounds; i++) {
      for (const which of (i % 2 === 0 ? ["baseline", "current"] : ["current", "baseline"]) as ("baseline" | "current")[]) {
        const file = join(dir, `${which}-${i}.sqlite`);
        const loadAverage = loadavg()[0];
        const child = new IndexerChild({ ...env, INDEX_DB: file }, { baseline: which === "baseline" ? baseline.child : undefined });
        children.push(child);
        const serving = process.cpuUsage();
        const run = await child.next("backfill");
        const served = process.cpuUsage(serving);
        await child.stop();
        // The pinned baseline predates the pledge registry: it reads the other contracts' events only.
        const expected = which === "baseline" ? activity.events - activity.pledgeEvents : activity.events;
        if (run.events !== expected || run.latestBlock !== activity.head) {
          throw new Error(`the ${which} indexer holds ${run.events} events up to block ${run.latestBlock}; the chain has ${expected} for it up to ${activity.head}`);
        }
        runs[which].push({
          eventsPerSecond: Math.round(run.eventsPerSecond),
          seconds: round(run.seconds),
          cpuSeconds: round(run.cpuSeconds),
          mainThreadCpuSeconds: run.mainThreadCpuSeconds ?? null,
          chainServerCpuSeconds: round((served.user + served.system) / 1e6),
          peakRssMB: run.peakRssMB,
          loadAverage: round(loadAverage),
        });
        console.error(`  round ${i + 1}, ${which}: ${Math.round(run.eventsPerSecond)} events/s, ${round(run.seconds)} s, peak RSS ${run.peakRssMB} MB (load ${loadAverage.toFixed(2)})`);
        if (files[which]) for (const suffix of ["", "-wal", "-shm"]) rmSync(file + suffix, { force: true });
        else files[which] = file;
      }
    }
    // What both hold must be equal: the baseline's tables and columns, for the contracts it indexes. A table only
    // this version has (a new projection) is listed, not compared.
    const shape = indexShape(files.baseline);
    const before = tableDigests(files.baseline, shape);
    const added = Object.keys(tableDigests(files.current)).filter((t) => !(t in shape.columns));
    const after = tableDigests(files.current, shape);
    const differing = Object.keys(before).filter((t) => before[t] !== after[t]);
    for (const t of differing) console.error(`index differs from the baseline's in ${t}: ${after[t] ?? "missing"} vs ${before[t]}`);
    const medianBaseline = median(runs.baseline.map((r) => r.eventsPerSecond));
    const medianCurrent = median(runs.current.map((r) => r.eventsPerSecond));
    return {
      baseline: { commit: baseline.commit, label: commit === BASELINE.commit ? BASELINE.label : "BENCH_BASELINE" },
      rounds,
      runs,
      medianEventsPerSecond: { baseline: Math.round(medianBaseline), current: Math.round(medianCurrent) },
      ratio: round(medianCurrent / medianBaseline),
      peakRssMB: { baseline: Math.max(...runs.baseline.map((r) => r.peakRssMB)), current: Math.max(...runs.current.map((r) => r.peakRssMB)) },
      sameIndex: differing.length === 0,
      ...(differing.length ? { differingTables: differing } : {}),
      ...(added.length ? { tablesAdded: added } : {}),
    };
  } finally {
    baseline.remove();
  }
}

async function main() {
  const target = positive("BENCH_EVENTS", 100_000);
  const realtimeBlocks = positive("BENCH_REALTIME_BLOCKS", 200);
  const interval = blockInterval(process.env.BENCH_BLOCK_MS);
  const loadBefore = loadavg()[0];

  console.error(`generating at least ${target} events...`);
  const activity = await generateActivity({ targetEvents: target, log: (m) => console.error(m) });
  const server = await serveChain();
  const tmp = tempDir();
  const children: IndexerChild[] = [];
  let watch: IndexWatch | undefined;
  let blocks: RealtimeBlocks | undefined;
  try {
    const deployment = writeDeployment(activity.record, tmp.dir);
    const database = join(tmp.dir, "index.sqlite");
    const profileDir = process.env.BENCH_CPU_PROF ? join(RESULTS, "profiles") : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    // Confirmations 0: a block is indexed as soon as it is mined (with k confirmations, add k block times).
    const env = { ...process.env, RPC_URL: server.url, DEPLOYMENT: deployment, PROGRESS: "0", CONFIRMATIONS: "0" };

    await build();
    const baselineCommit = process.env.BENCH_BASELINE ?? BASELINE.commit;
    const rounds = positive("BENCH_ROUNDS", process.env.BENCH_SMOKE === "1" ? 1 : 5);
    const comparison =
      baselineCommit === "none" ? { skipped: "BENCH_BASELINE=none" } : await sideBySide(env, tmp.dir, baselineCommit, rounds, activity, children);
    console.error(`backfilling ${activity.events} events (${activity.blocks} blocks) in a separate process...`);
    const child = new IndexerChild({ ...env, INDEX_DB: database }, { profileDir });
    children.push(child);
    const serving = process.cpuUsage();
    const run: BackfillReport = await child.next("backfill");
    const served = process.cpuUsage(serving);
    if (run.events !== activity.events || run.latestBlock !== activity.head) {
      throw new Error(`the index holds ${run.events} events up to block ${run.latestBlock}; the chain has ${activity.events} up to ${activity.head}`);
    }
    // The child closed the database, which checkpoints the WAL into the main file; count a leftover WAL anyway.
    const dbBytes = size(database);
    const walBytes = size(`${database}-wal`);

    console.error(`following the chain (poll every ${run.pollIntervalMs} ms) while mining ${realtimeBlocks} blocks, one every ${interval.join("-")} ms...`);
    child.send({ type: "follow" });
    await child.next("following");
    watch = new IndexWatch(database);
    blocks = await RealtimeBlocks.setup(activity.record);
    const setupHead = await latest();
    await watch.until((cp) => cp.block_hash === setupHead.hash, "the head after the realtime set-up");
    const live = await realtime(blocks, watch, realtimeBlocks, interval);

    console.error(`replacing the last ${REORG_DEPTH} indexed blocks...`);
    const undo = await reorg(blocks, watch, child);
    watch.close();
    watch = undefined;
    const followerRssMB = await child.stop();

    console.error("indexing the new chain afresh to compare...");
    const freshFile = join(tmp.dir, "fresh.sqlite");
    const fresh = new IndexerChild({ ...env, INDEX_DB: freshFile });
    children.push(fresh);
    await fresh.next("backfill");
    await fresh.stop();
    const followed = tableDigests(database);
    const expected = tableDigests(freshFile);
    const differing = Object.keys({ ...followed, ...expected }).filter((t) => followed[t] !== expected[t]);
    for (const t of differing) console.error(`index differs from a fresh index in ${t}: ${followed[t] ?? "missing"} vs ${expected[t] ?? "missing"}`);

    const realtimeMet = live.p99Ms <= AIM.realtimeP99Ms;
    const results = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, loadAverage: { before: loadBefore, after: loadavg()[0] } },
      chain: {
        events: activity.events,
        blocks: activity.blocks,
        transactions: activity.transactions,
        generationSeconds: round(activity.seconds),
        generatedEventsPerSecond: Math.round(activity.events / activity.seconds),
        eventMix: activity.byName,
      },
      backfill: {
        events: run.events,
        seconds: round(run.seconds),
        eventsPerSecond: Math.round(run.eventsPerSecond),
        cpuSeconds: round(run.cpuSeconds),
        mainThreadCpuSeconds: run.mainThreadCpuSeconds,
        chainServerCpuSeconds: round((served.user + served.system) / 1e6),
        eventsPerCpuSecond: Math.round(run.events / run.cpuSeconds),
        rssBeforeBackfillMB: run.rssBeforeMB,
        peakRssMB: run.peakRssMB,
        maxLogRange: process.env.MAX_LOG_RANGE ?? "default",
      },
      database: { bytes: dbBytes + walBytes, mainFileBytes: dbBytes, walBytes, bytesPerEvent: Math.round((dbBytes + walBytes) / run.events) },
      realtime: {
        ...live,
        pollIntervalMs: run.pollIntervalMs,
        confirmations: run.confirmations,
        blockIntervalMs: interval.join("-"),
        followerRssMB,
        aim: `p99 <= ${AIM.realtimeP99Ms} ms`,
        met: realtimeMet,
      },
      reorg: { ...undo, verified: differing.length === 0, ...(differing.length ? { differingTables: differing } : {}) },
      comparison,
      aims: {
        ...("ratio" in comparison
          ? { speedup: { aim: AIM.speedup, measured: comparison.ratio, met: comparison.ratio >= AIM.speedup && comparison.sameIndex } }
          : {}),
        eventsPerSecond: { aim: AIM.eventsPerSecond, measured: Math.round(run.eventsPerSecond), met: run.eventsPerSecond >= AIM.eventsPerSecond },
        peakRssMB: { aim: AIM.peakRssMB, measured: run.peakRssMB, met: run.peakRssMB <= AIM.peakRssMB },
        realtimeP99Ms: { aim: AIM.realtimeP99Ms, measured: live.p99Ms, met: realtimeMet },
      },
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, "indexer.json"), JSON.stringify(results, null, 2) + "\n");

    const met = (ok: boolean) => (ok ? "met" : "NOT met");
    const rows: [string, string][] = [
      ["events", String(run.events)],
      ["blocks", String(activity.blocks)],
      [
        "backfill",
        `${round(run.seconds)} s (${round(run.cpuSeconds)} CPU s, ${run.mainThreadCpuSeconds ?? "?"} of them on the main thread; ` +
          `the chain server ${round((served.user + served.system) / 1e6)} CPU s meanwhile)`,
      ],
      ["events/s", `${Math.round(run.eventsPerSecond)} (aim >= ${AIM.eventsPerSecond}: ${met(results.aims.eventsPerSecond.met)})`],
      ["peak RSS", `${run.peakRssMB} MB (aim <= ${AIM.peakRssMB}: ${met(results.aims.peakRssMB.met)}; ${run.rssBeforeMB} MB before reading logs)`],
      [
        "vs baseline",
        "ratio" in comparison
          ? `${comparison.ratio}x (median ${comparison.medianEventsPerSecond.current} vs ${comparison.medianEventsPerSecond.baseline} events/s over ${comparison.rounds} ` +
            `alternate runs; aim >= ${AIM.speedup}x: ${met(comparison.ratio >= AIM.speedup)}; peak RSS ${comparison.peakRssMB.current} vs ${comparison.peakRssMB.baseline} MB; ` +
            `${comparison.sameIndex ? "same index" : `index DIFFERS (${comparison.differingTables?.join(", ")})`}) at ${comparison.baseline.commit.slice(0, 7)}`
          : comparison.skipped,
      ],
      ["database", `${dbBytes + walBytes} bytes (${results.database.bytesPerEvent} bytes/event)`],
      [
        "realtime",
        `p50 ${live.p50Ms} ms, p99 ${live.p99Ms} ms, max ${live.maxMs} ms (aim p99 <= ${AIM.realtimeP99Ms}: ${met(realtimeMet)}) over ${live.blocks} blocks ` +
          `of ${live.eventsPerBlock} events, one every ${interval.join("-")} ms; poll ${run.pollIntervalMs} ms, 0 confirmations`,
      ],
      [
        "reorg",
        `${undo.depth} blocks undone in ${undo.undoMs} ms (${undo.rowsUndone} rows, ${undo.eventsUndone} events); at the new head ` +
          `${undo.backAtHeadMs} ms after the revert, ${undo.atHeadAfterBranchMs} ms after the ${undo.newBranchBlocks}-block branch was mined; ` +
          (differing.length ? `DIFFERS from a fresh index (${differing.join(", ")})` : "same as a fresh index"),
      ],
      ["generation", `${round(activity.seconds)} s (${results.chain.generatedEventsPerSecond} events/s)`],
      ["load average", `${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (${cpus().length} CPUs)`],
    ];
    for (const [k, v] of rows) console.log(`${k.padEnd(13)} ${v}`);
    console.log(`results: ${join(RESULTS, "indexer.json")}${profileDir ? `; CPU profile in ${profileDir}` : ""}`);
    if ("sameIndex" in comparison && !comparison.sameIndex) throw new Error(`the index differs from the baseline's in ${comparison.differingTables!.join(", ")}`);
    if (differing.length) throw new Error(`after the reorg the index differs from a fresh index of the chain in ${differing.join(", ")}`);
  } finally {
    watch?.close();
    for (const c of children) c.kill();
    await blocks?.close();
    await server.close();
    tmp.remove();
  }
}


main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
