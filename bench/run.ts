// `npm run bench`: every benchmark on this machine, one after another, each in its own Hardhat process (so one
// benchmark's chain and heap never weigh on the next), then bench/results.json (all figures, the machine, the
// aims) and bench/REPORT.md (bench/report.ts) regenerated from them.
//   BENCH_ONLY=gas,indexer,api,catalogue,web   run a subset (the others' last results are kept in results.json)
//   BENCH_SMOKE=1                tiny sizes, results in a temporary directory unless BENCH_RESULTS is set: checks
//                                that the scripts work (the test suite runs this), measures nothing worth keeping
//   BENCH_RESULTS=dir            where the per-benchmark JSON, results.json and REPORT.md go
// Each benchmark's own settings (GAS_RUNS, BENCH_EVENTS, BENCH_ASSETS, BENCH_API_SECONDS, BENCH_WEB_RUNS, ...) pass through.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, platform, release, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { renderReport, type BenchResults } from "./report";

const ROOT = resolve(__dirname, "..");

export const BENCHMARKS = [
  { name: "gas", script: "bench/gas.ts", file: "gas.json" },
  { name: "indexer", script: "bench/indexer.ts", file: "indexer.json" },
  { name: "api", script: "bench/api.ts", file: "api.json" },
  { name: "catalogue", script: "bench/catalogue.ts", file: "catalogue.json" },
  { name: "web", script: "bench/web.ts", file: "web.json" },
] as const;
type Name = (typeof BENCHMARKS)[number]["name"];

/** Sizes for the smoke run: each benchmark end to end in seconds, not minutes. */
const SMOKE: NodeJS.ProcessEnv = {
  GAS_RUNS: "1",
  BENCH_EVENTS: "1500",
  BENCH_ASSETS: "150",
  BENCH_REALTIME_BLOCKS: "5",
  BENCH_API_SECONDS: "1",
  BENCH_CATALOGUE_FILES: "12",
  BENCH_WEB_RUNS: "1",
  BENCH_WEB_FILE_MB: "16",
  BENCH_WEB_SMALL_MB: "4",
  BENCH_WEB_VERIFY_RUNS: "1",
};

function runScript(script: string, env: NodeJS.ProcessEnv): Promise<void> {
  const hardhat = require.resolve("hardhat/internal/cli/cli");
  const child = spawn(process.execPath, [hardhat, "run", "--no-compile", script], { cwd: ROOT, env, stdio: "inherit" });
  return new Promise((done, fail) => {
    child.once("error", fail);
    child.once("exit", (code, signal) => (code === 0 ? done() : fail(new Error(`${script} failed (code ${code}, signal ${signal})`))));
  });
}

function selected(): Name[] {
  const names = BENCHMARKS.map((b) => b.name) as Name[];
  const only = process.env.BENCH_ONLY?.split(",").map((s) => s.trim()).filter(Boolean);
  if (!only) return names;
  const unknown = only.filter((n) => !names.includes(n as Name));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown benchmark ${unknown.join(", ")} (known: ${names.join(", ")})`);
  return only as Name[];
}

const readJson = (file: string) => (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined);

async function main() {
  const smoke = process.env.BENCH_SMOKE === "1";
  const out = process.env.BENCH_RESULTS ? resolve(process.env.BENCH_RESULTS) : smoke ? mkdtempSync(join(tmpdir(), "bench-smoke-")) : join(ROOT, "bench");
  const perBenchmark = smoke || process.env.BENCH_RESULTS ? out : join(out, "results");
  mkdirSync(perBenchmark, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...(smoke ? SMOKE : {}), ...process.env, BENCH_RESULTS: perBenchmark };

  const names = selected();
  const seconds: Record<string, number> = {};
  for (const [i, name] of names.entries()) {
    const b = BENCHMARKS.find((x) => x.name === name)!;
    console.error(`\n[${i + 1}/${names.length}] ${name} benchmark (${b.script})${smoke ? ", smoke sizes" : ""}`);
    const started = Date.now();
    await runScript(b.script, env);
    seconds[name] = Math.round((Date.now() - started) / 100) / 10;
    console.error(`[${i + 1}/${names.length}] ${name} done in ${seconds[name]} s`);
  }

  const results: BenchResults = {
    date: new Date().toISOString(),
    smoke,
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? "unknown",
      memoryGB: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()} ${arch()}`,
      node: process.version,
    },
    gas: readJson(join(perBenchmark, "gas.json")),
    indexer: readJson(join(perBenchmark, "indexer.json")),
    api: readJson(join(perBenchmark, "api.json")),
    catalogue: readJson(join(perBenchmark, "catalogue.json")),
    web: readJson(join(perBenchmark, "web.json")),
    // With BENCH_ONLY, the others' timings from the last full results.json are kept, as their figures are.
    secondsPerBenchmark: { ...(readJson(join(out, "results.json"))?.secondsPerBenchmark ?? {}), ...seconds },
  };
  writeFileSync(join(out, "results.json"), JSON.stringify(results, null, 2) + "\n");
  writeFileSync(join(out, "REPORT.md"), renderReport(results));
  console.error(`\nresults: ${join(out, "results.json")}\nreport:  ${join(out, "REPORT.md")}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
