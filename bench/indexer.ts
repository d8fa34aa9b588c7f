// Indexer benchmark: `npm run bench:indexer` (BENCH_EVENTS, default 100000).
// Generates mixed activity on the in-process Hardhat chain, serves it over HTTP JSON-RPC, and backfills a fresh
// index in a separate process (bench/indexerChild.ts) so the indexer's memory is measured without the chain's.
// Reports events/s, peak RSS and database size against the aims (>= 10,000 events/s, <= 256 MB RSS) and writes
// them to bench/results/indexer.json. BENCH_CPU_PROF=1 also writes a V8 CPU profile of the backfill there;
// MAX_LOG_RANGE and other indexer settings pass through to the child.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { generateActivity } from "./activity";
import { writeDeployment } from "../scripts/deploy";
import { serveChain, tempDir } from "../test/helpers/indexer";

const ROOT = resolve(__dirname, "..");
const RESULTS = join(ROOT, "bench", "results");
const AIM = { eventsPerSecond: 10_000, peakRssMB: 256 };

interface ChildReport {
  events: number;
  latestBlock: number;
  seconds: number;
  eventsPerSecond: number;
  cpuSeconds: number;
  rssBeforeMB: number;
  peakRssMB: number;
}

/** Compiles the indexer to JavaScript (tsconfig.build.json): measured as it runs in production, without ts-node. */
function build(): Promise<void> {
  const tsc = spawn(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], { cwd: ROOT, stdio: "inherit" });
  return new Promise((done, fail) => tsc.once("exit", (code) => (code === 0 ? done() : fail(new Error(`tsc failed (${code})`)))));
}

/** Runs the backfill child and waits without blocking this process's event loop (it serves the chain). */
function backfill(env: NodeJS.ProcessEnv, profileDir?: string): Promise<ChildReport> {
  const args = [...(profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : []), "dist/bench/indexerChild.js"];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((done, fail) => {
    child.once("error", fail);
    child.once("exit", (code, signal) => {
      if (code !== 0) return fail(new Error(`indexer child failed (code ${code}, signal ${signal})`));
      const line = out.trim().split("\n").pop() ?? "";
      try {
        done(JSON.parse(line));
      } catch {
        fail(new Error(`indexer child printed no report: ${out}`));
      }
    });
  });
}

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);

async function main() {
  const target = Number(process.env.BENCH_EVENTS ?? 100_000);
  if (!Number.isInteger(target) || target < 1) throw new Error(`BENCH_EVENTS must be a positive integer, got ${process.env.BENCH_EVENTS}`);
  const loadBefore = loadavg()[0];

  console.error(`generating at least ${target} events...`);
  const activity = await generateActivity({ targetEvents: target, log: (m) => console.error(m) });
  const server = await serveChain();
  const tmp = tempDir();
  try {
    const deployment = writeDeployment(activity.record, tmp.dir);
    const database = join(tmp.dir, "index.sqlite");
    const profileDir = process.env.BENCH_CPU_PROF ? join(RESULTS, "profiles") : undefined;
    if (profileDir) mkdirSync(profileDir, { recursive: true });

    await build();
    console.error(`backfilling ${activity.events} events (${activity.blocks} blocks) in a separate process...`);
    const run = await backfill({ ...process.env, RPC_URL: server.url, INDEX_DB: database, DEPLOYMENT: deployment, PROGRESS: "0" }, profileDir);
    if (run.events !== activity.events || run.latestBlock !== activity.head) {
      throw new Error(`the index holds ${run.events} events up to block ${run.latestBlock}; the chain has ${activity.events} up to ${activity.head}`);
    }
    // The child closed the database, which checkpoints the WAL into the main file; count a leftover WAL anyway.
    const dbBytes = size(database);
    const walBytes = size(`${database}-wal`);

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
        eventsPerCpuSecond: Math.round(run.events / run.cpuSeconds),
        rssBeforeBackfillMB: run.rssBeforeMB,
        peakRssMB: run.peakRssMB,
        maxLogRange: process.env.MAX_LOG_RANGE ?? "default",
      },
      database: { bytes: dbBytes + walBytes, mainFileBytes: dbBytes, walBytes, bytesPerEvent: Math.round((dbBytes + walBytes) / run.events) },
      aims: {
        eventsPerSecond: { aim: AIM.eventsPerSecond, measured: Math.round(run.eventsPerSecond), met: run.eventsPerSecond >= AIM.eventsPerSecond },
        peakRssMB: { aim: AIM.peakRssMB, measured: run.peakRssMB, met: run.peakRssMB <= AIM.peakRssMB },
      },
    };
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(join(RESULTS, "indexer.json"), JSON.stringify(results, null, 2) + "\n");

    const rows: [string, string][] = [
      ["events", String(run.events)],
      ["blocks", String(activity.blocks)],
      ["backfill", `${round(run.seconds)} s (${round(run.cpuSeconds)} CPU s)`],
      ["events/s", `${Math.round(run.eventsPerSecond)} (aim >= ${AIM.eventsPerSecond}: ${results.aims.eventsPerSecond.met ? "met" : "NOT met"})`],
      ["peak RSS", `${run.peakRssMB} MB (aim <= ${AIM.peakRssMB}: ${results.aims.peakRssMB.met ? "met" : "NOT met"}; ${run.rssBeforeMB} MB before reading logs)`],
      ["database", `${dbBytes + walBytes} bytes (${results.database.bytesPerEvent} bytes/event)`],
      ["generation", `${round(activity.seconds)} s (${results.chain.generatedEventsPerSecond} events/s)`],
      ["load average", `${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (${cpus().length} CPUs)`],
    ];
    for (const [k, v] of rows) console.log(`${k.padEnd(13)} ${v}`);
    console.log(`results: ${join(RESULTS, "indexer.json")}${profileDir ? `; CPU profile in ${profileDir}` : ""}`);
  } finally {
    await server.close();
    tmp.remove();
  }
}

const round = (x: number) => Math.round(x * 100) / 100;

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
