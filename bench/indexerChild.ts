// The indexer's backfill alone in its own process, so its time and peak memory are measured without the chain
// that serves it. Settings as the standalone indexer reads them (loadConfig: RPC_URL, INDEX_DB, DEPLOYMENT,
// MAX_LOG_RANGE, ...). Prints one JSON line on stdout; bench/indexer.ts starts it.
import { readFileSync } from "node:fs";
import { loadConfig } from "../indexer/config";
import { Indexer } from "../indexer/indexer";

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/**
 * Peak RSS of this process. Linux's getrusage maxRSS (process.resourceUsage) carries over the peak of the process
 * that forked us (the chain, GBs), so read the high-water mark of our own address space, VmHWM, where there is one.
 */
function peakRssMB(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return mb(Number(hwm[1]) * 1024);
  } catch {
    // not Linux
  }
  return mb(process.resourceUsage().maxRSS * 1024); // maxRSS is in KB
}

async function main() {
  const opts = await loadConfig();
  const indexer = new Indexer({ ...opts, log: (m) => console.error(`indexer: ${m}`) });
  await indexer.open();
  const rssBeforeMB = mb(process.memoryUsage().rss); // node, ethers and the ABIs, before any log is read
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  const status = await indexer.syncToHead();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  const { n: events } = indexer.database.prepare("SELECT COUNT(*) AS n FROM events").get() as { n: number };
  await indexer.stop();
  console.log(
    JSON.stringify({
      events,
      latestBlock: status.latestBlock,
      seconds,
      eventsPerSecond: events / seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      rssBeforeMB,
      peakRssMB: peakRssMB(),
    }),
  );
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
