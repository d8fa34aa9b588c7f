// The indexer in its own process, so its time and memory are measured without the chain that serves it; run
// compiled, as in production. bench/indexer.ts forks it with an IPC channel. Settings as the standalone indexer
// reads them (loadConfig: RPC_URL, INDEX_DB, DEPLOYMENT, POLL_INTERVAL_MS, CONFIRMATIONS, MAX_LOG_RANGE, ...).
//
// 1. Backfills to the head, closes the database (as the indexer leaves it when stopped) and sends `backfill`.
// 2. On `follow`: opens it again and follows the chain (Indexer.start, polling) as `npm run indexer` does, sending
//    `reorg` for every undone reorg, until `stop`. On `stop` instead of `follow`: ends (a fresh index to compare).
import { readFileSync } from "node:fs";
import { mb, peakRssMB } from "./memory";
import { loadConfig } from "../indexer/config";
import { Indexer, type ReorgUndo } from "../indexer/indexer";

export interface BackfillReport {
  type: "backfill";
  events: number;
  latestBlock: number;
  seconds: number;
  eventsPerSecond: number;
  cpuSeconds: number;
  /** CPU of the main thread alone (the writes; Linux only, else null): the rest is reader and V8 helper threads. */
  mainThreadCpuSeconds: number | null;
  rssBeforeMB: number;
  peakRssMB: number;
  pollIntervalMs: number;
  confirmations: number;
}
export type ChildMessage =
  | BackfillReport
  | { type: "following" }
  | ({ type: "reorg" } & ReorgUndo)
  | { type: "stopped"; rssMB: number };
export type ParentMessage = { type: "follow" } | { type: "stop" };


const send = (m: ChildMessage) => new Promise<void>((done, fail) => process.send!(m, (err: Error | null) => (err ? fail(err) : done())));

const inbox: ParentMessage[] = [];
let wake: (() => void) | undefined;
process.on("message", (m: ParentMessage) => {
  inbox.push(m);
  wake?.();
});
async function received(): Promise<ParentMessage> {
  while (!inbox.length) await new Promise<void>((r) => (wake = r));
  return inbox.shift()!;
}

/** CPU seconds of this process's main thread (its task id is the process id), from /proc; null where there is none. */
function mainThreadCpu(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ, 100 on Linux)
  } catch {
    return null;
  }
}

async function main() {
  if (!process.send) throw new Error("bench/indexerChild runs forked by bench/indexer.ts (it needs the IPC channel)");
  process.once("disconnect", () => process.exit(1)); // the bench died: do not follow forever
  const opts = await loadConfig();
  const log = (m: string) => console.error(`indexer: ${m}`);

  const backfill = new Indexer({ ...opts, log });
  await backfill.open();
  const rssBeforeMB = mb(process.memoryUsage().rss); // node, ethers and the ABIs, before any log is read
  const cpu = process.cpuUsage();
  const mainCpu = mainThreadCpu();
  const started = process.hrtime.bigint();
  const status = await backfill.syncToHead();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const mainCpuAfter = mainThreadCpu();
  const { n: events } = backfill.database.prepare("SELECT COUNT(*) AS n FROM events").get() as { n: number };
  await backfill.stop();
  await send({
    type: "backfill",
    events,
    latestBlock: status.latestBlock ?? -1,
    seconds,
    eventsPerSecond: events / seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    mainThreadCpuSeconds: mainCpu === null || mainCpuAfter === null ? null : Math.round((mainCpuAfter - mainCpu) * 100) / 100,
    rssBeforeMB,
    peakRssMB: peakRssMB(),
    pollIntervalMs: opts.pollIntervalMs,
    confirmations: opts.confirmations,
  });

  if ((await received()).type === "follow") {
    const follower = new Indexer({ ...opts, log });
    follower.onReorg = (undo) => void send({ type: "reorg", ...undo });
    await follower.start();
    await send({ type: "following" });
    // A fatal error (a reorg too deep, a corrupt index) ends the follow loop: fail rather than wait for `stop`.
    const failed = follower.done.then(() => Promise.reject(new Error("the indexer stopped following")));
    while ((await Promise.race([received(), failed])).type !== "stop");
    await follower.stop();
  }
  await send({ type: "stopped", rssMB: mb(process.memoryUsage().rss) });
  process.exit(0);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
