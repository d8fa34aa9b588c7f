// The API alone for bench/api.ts, so the load generator does not share its event loop: serves the index file INDEX_DB
// read-only on 127.0.0.1 and a free port with API_WORKERS worker processes (default the number of CPU cores), as
// `npm run api` does, from the compiled JavaScript. Prints {"url","workers"} on stdout once listening; on SIGTERM
// drains the workers and prints {"cpuSeconds","peakRssMB","workers"} (CPU of every process, the primary's and the
// workers' peak RSS added up) and exits.
import { peakRssMB } from "./memory";
import { startApiWorkers, workerCount } from "../api/workers";

async function main() {
  const database = process.env.INDEX_DB;
  if (!database) throw new Error("INDEX_DB is not set");
  const workers = workerCount();
  const api = await startApiWorkers({ database, workers, host: "127.0.0.1", port: 0, log: () => undefined });
  console.log(JSON.stringify({ url: api.url, workers }));
  process.once("SIGTERM", () => {
    // Exit after the workers have, so their --cpu-prof profiles are written on a normal exit.
    api.close().then((reports) => {
      const cpu = process.cpuUsage();
      const report = {
        cpuSeconds: (cpu.user + cpu.system) / 1e6 + reports.reduce((s, r) => s + r.cpuSeconds, 0),
        peakRssMB: Math.round((peakRssMB() + reports.reduce((s, r) => s + r.peakRssMB, 0)) * 10) / 10,
        workers,
      };
      console.log(JSON.stringify(report));
      process.exit(0);
    });
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
