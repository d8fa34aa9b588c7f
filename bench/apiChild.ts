// The API alone in its own process for bench/api.ts, so the load generator does not share its event loop: serves
// the index file INDEX_DB read-only on 127.0.0.1 and a free port, as `npm run api` does from the compiled JavaScript.
// Prints {"url"} on stdout once listening; on SIGTERM prints {"cpuSeconds","peakRssMB"} and exits.
import { readFileSync } from "node:fs";
import { openIndex, startApi } from "../api/server";
import { syncFromIndex } from "../api/indexSync";

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

/** Peak RSS of this process: VmHWM, since Linux's maxRSS carries over the peak of the (multi-GB) parent. */
function peakRssMB(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
    if (hwm) return mb(Number(hwm[1]) * 1024);
  } catch {
    // not Linux
  }
  return mb(process.resourceUsage().maxRSS * 1024);
}

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
