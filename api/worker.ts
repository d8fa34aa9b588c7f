// One API worker process (api/workers.ts forks it): serves the index read-only on the port the workers share, asks
// the primary for /metrics of the whole, gives the primary its own metrics, and on the primary's word (or SIGTERM /
// SIGINT: Ctrl-C reaches every process of the terminal's group) drains its requests and exits with a report.
import cluster from "node:cluster";
import { readFileSync } from "node:fs";
import { syncFromIndex } from "./indexSync";
import { openIndex, startApi } from "./server";
import { WORKER_CONFIG_ENV, type WorkerConfig, type WorkerMessage } from "./workers";

async function main() {
  if (!cluster.isWorker || !process.send) throw new Error("api/worker runs as a worker of api/workers.ts (npm run api)");
  const config = JSON.parse(process.env[WORKER_CONFIG_ENV] ?? "null") as WorkerConfig | null;
  if (!config) throw new Error(`${WORKER_CONFIG_ENV} is not set`);
  const send = (m: WorkerMessage) => process.send!(m);
  let nextId = 0;
  const asked = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();

  const api = await startApi({
    database: config.database,
    sync: syncFromIndex(openIndex(config.database), config.confirmations),
    host: config.host,
    port: config.port,
    maxLagBlocks: config.maxLagBlocks,
    accountMappings: config.accountMappings,
    webRoot: config.webRoot,
    drainMs: config.drainMs,
    metricsText: () =>
      new Promise<string>((resolve, reject) => {
        const id = nextId++;
        asked.set(id, { resolve, reject });
        send({ type: "dal:metrics", id });
      }),
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    api.close().then(() => {
      const cpu = process.cpuUsage();
      if (process.connected) send({ type: "dal:report", pid: process.pid, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMB: peakRssMB() });
      // A connection the primary handed over just before it learnt this server closed is still on its way: stay long
      // enough to refuse it (the primary then gives it to another worker, or closes it), so none is left hanging.
      setTimeout(() => process.exit(0), 250);
    });
  };
  process.on("message", (m: WorkerMessage) => {
    if (m.type === "dal:metrics-json") api.metrics.json().then((metrics) => send({ type: "dal:metrics-json-reply", id: m.id, metrics }));
    else if (m.type === "dal:metrics-text") {
      const waiting = asked.get(m.id);
      asked.delete(m.id);
      if (m.text !== undefined) waiting?.resolve(m.text);
      else waiting?.reject(new Error(m.error ?? "no answer"));
    } else if (m.type === "dal:shutdown") stop();
  });
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  process.once("disconnect", stop); // the primary is gone
  send({ type: "dal:listening", url: api.url });
}

/** Peak RSS of this process in MB (Linux's VmHWM; else getrusage's maxRSS). */
function peakRssMB(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return Math.round(Number(hwm[1]) / 102.4) / 10;
  } catch {
    // not Linux
  }
  return Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
}

main().catch((err) => {
  console.error(`api worker ${process.pid} failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
