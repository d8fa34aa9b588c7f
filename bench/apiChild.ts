// The API alone in its own process for bench/api.ts, so the load generator does not share its event loop: serves
// the index file INDEX_DB read-only on 127.0.0.1 and a free port, as `npm run api` does from the compiled JavaScript.
// Prints {"url"} on stdout once listening; on SIGTERM prints {"cpuSeconds","peakRssMB"} and exits.
import { peakRssMB } from "./memory";
import { openIndex, startApi } from "../api/server";
import { syncFromIndex } from "../api/indexSync";


async function main() {
  const database = process.env.INDEX_DB;
  if (!database) throw new Error("INDEX_DB is not set");
  const api = await startApi({ database, sync: syncFromIndex(openIndex(database), 0), host: "127.0.0.1", port: 0 });
  console.log(JSON.stringify({ url: api.url }));
  process.once("SIGTERM", () => {
    const cpu = process.cpuUsage();
    const report = { cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMB: peakRssMB() };
    // Exit from the close callback so a --cpu-prof profile is written on a normal exit.
    api.close().then(() => {
      console.log(JSON.stringify(report));
      process.exit(0);
    });
  });
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
