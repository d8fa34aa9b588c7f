// The API as N worker processes (node:cluster) sharing one port over one read-only WAL index file: each worker runs
// startApi (api/server.ts) with its own read-only connection, and the primary only accepts connections, hands them
// out round-robin, restarts a worker that dies, and answers what concerns the whole:
// - /metrics (asked of any worker) is every worker's metrics aggregated by the primary (prom-client's aggregation:
//   counters and histograms summed, the index gauges the max), plus dal_api_workers and dal_api_worker_restarts_total;
// - /ready is per worker but the same for all: each reads where the index stands from the file the indexer keeps;
// - close() (SIGTERM/SIGINT of `npm run api` or `npm start`) asks every worker to drain: each stops accepting, lets
//   requests in flight finish, then exits; the primary resolves when all have.
// API_WORKERS sets N (default: the number of CPU cores). Tests and embedded uses call startApi in-process instead.
import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import { extname, join } from "node:path";
import { AggregatorRegistry, Counter, Gauge, Registry } from "prom-client";

/** One process's metrics as prom-client gives them for aggregation. */
type MetricsJson = Awaited<ReturnType<Registry["getMetricsAsJSON"]>>;

export interface WorkersOptions {
  /** The index's SQLite file (opened read-only by every worker). */
  database: string;
  /** Worker processes (default API_WORKERS, else the number of CPU cores). */
  workers?: number;
  host?: string;
  port?: number;
  /** The indexer's confirmation depth: caught up when at most this far behind the head. */
  confirmations?: number;
  /** /ready answers 503 when the index is more than this many blocks behind (default MAX_LAG_BLOCKS, else caught up). */
  maxLagBlocks?: number;
  /** Directory of account mappings (as ApiOptions.accountMappings). */
  accountMappings?: string | null;
  /** Directory of the built web app (as ApiOptions.webRoot). */
  webRoot?: string | null;
  /** How long a worker lets requests in flight finish at shutdown (default 10 s). */
  drainMs?: number;
  log?: (line: string) => void;
}

/** What a worker reports when it exits: its CPU time and peak RSS (benchmarks add them up). */
export interface WorkerReport {
  pid: number;
  cpuSeconds: number;
  peakRssMB: number;
}

export interface ApiWorkers {
  url: string;
  workers: number;
  /** Drains and stops every worker; resolves with their reports. */
  close(): Promise<WorkerReport[]>;
}

/** The settings a worker gets from the primary (in its environment). */
export interface WorkerConfig {
  database: string;
  host: string;
  port: number;
  confirmations: number;
  maxLagBlocks?: number;
  accountMappings?: string | null;
  webRoot?: string | null;
  drainMs?: number;
}

/** Messages between the primary and its workers. */
export type WorkerMessage =
  | { type: "dal:listening"; url: string }
  | { type: "dal:metrics"; id: number } // worker -> primary: aggregate for me
  | { type: "dal:metrics-text"; id: number; text?: string; error?: string } // primary -> worker
  | { type: "dal:metrics-json"; id: number } // primary -> worker: your own metrics
  | { type: "dal:metrics-json-reply"; id: number; metrics: MetricsJson } // worker -> primary
  | { type: "dal:shutdown" } // primary -> worker: drain and exit
  | ({ type: "dal:report" } & WorkerReport); // worker -> primary, before exiting

export const WORKER_CONFIG_ENV = "DAL_API_WORKER";

/** API_WORKERS as a count (default: the number of CPU cores). */
export function workerCount(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.API_WORKERS;
  if (text === undefined || text === "") return availableParallelism();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`API_WORKERS=${text}: expected a whole number of processes from 1 to 256`);
  return n;
}

/** MAX_LAG_BLOCKS as a number of blocks, or undefined when not set. */
export function maxLagFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.MAX_LAG_BLOCKS;
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`MAX_LAG_BLOCKS=${text}: expected a whole number of blocks, 0 or more`);
  return n;
}

/**
 * The V8 flags of the workers: `--max-semi-space-size` from API_SEMI_SPACE_MB (default 64; 0: V8's own, 16 MB), unless
 * the operator set it already (in the primary's flags or NODE_OPTIONS). Why: a balance sheet of 1,000 books builds ~2
 * MB of objects that live until its answer is written, and with V8's default young generation a scavenge comes every
 * third such request and copies them mid-request. At 64 MB (docs/serving.md) scavenges were a third as many, the
 * time in garbage collection went from 11% to 3.5%, and the p99 from 13.4 to 10.4 ms; each worker's RSS can grow by
 * about 100 MB.
 *
 * `--min-semi-space-size` the same: the young generation has that size from the start. Grown under load instead, in
 * steps, each growth's scavenge touched fresh memory and took 30-40 ms instead of 3, the slowest requests of a run
 * (1 client, 1,274 books afresh: p99 15-23 → 10-11 ms, max ~40 → 12-14 ms).
 */
export function workerFlags(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): string[] {
  const text = env.API_SEMI_SPACE_MB;
  let mb = 64;
  if (text !== undefined && text !== "") {
    mb = Number(text);
    if (!Number.isInteger(mb) || mb < 0 || mb > 1024) throw new Error(`API_SEMI_SPACE_MB=${text}: expected a whole number of megabytes from 0 to 1024`);
  }
  const set = [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/)].some((a) => /^--max[-_]semi[-_]space[-_]size/.test(a));
  return [...execArgv, ...(mb > 0 && !set ? [`--max-semi-space-size=${mb}`, `--min-semi-space-size=${mb}`] : [])];
}

/** Starts the workers and resolves once every one is listening (rejects if one exits before). Primary only. */
export async function startApiWorkers(opts: WorkersOptions): Promise<ApiWorkers> {
  if (!cluster.isPrimary) throw new Error("startApiWorkers runs in the primary process");
  const count = opts.workers ?? workerCount();
  const log = opts.log ?? ((line: string) => console.error(`api: ${line}`));
  const config: WorkerConfig = {
    database: opts.database,
    host: opts.host ?? "127.0.0.1",
    port: opts.port ?? 4000,
    confirmations: opts.confirmations ?? 0,
    maxLagBlocks: opts.maxLagBlocks ?? maxLagFromEnv(),
    accountMappings: opts.accountMappings,
    webRoot: opts.webRoot,
    drainMs: opts.drainMs,
  };
  // The worker script beside this file: api/worker.ts under ts-node (which the workers then load too), or the
  // compiled dist/api/worker.js.
  const typescript = extname(__filename) === ".ts";
  const execArgv = workerFlags();
  if (typescript && !execArgv.some((a) => a.includes("ts-node"))) execArgv.push("--require", "ts-node/register/transpile-only");
  cluster.setupPrimary({ exec: join(__dirname, `worker${extname(__filename)}`), execArgv, args: [] });

  // Metrics of the primary itself.
  const own = new Registry();
  const workersGauge = new Gauge({ name: "dal_api_workers", help: "API worker processes listening", registers: [own], aggregator: "max" });
  const restarts = new Counter({ name: "dal_api_worker_restarts_total", help: "API workers restarted after dying", registers: [own] });

  let stopping = false;
  const listening = new Set<Worker>();
  const reports: WorkerReport[] = [];
  let url = "";
  let nextRequest = 0;
  const pending = new Map<number, { replies: MetricsJson[]; waiting: number; done: (m: MetricsJson[]) => void }>();

  /** Every listening worker's own metrics, aggregated with the primary's. */
  const aggregate = (): Promise<string> =>
    new Promise<MetricsJson[]>((resolve) => {
      const id = nextRequest++;
      const targets = [...listening].filter((w) => w.isConnected());
      const request = { replies: [] as MetricsJson[], waiting: targets.length, done: resolve };
      if (!targets.length) return resolve([]);
      pending.set(id, request);
      // A worker that dies meanwhile does not hold /metrics up: answer with those that replied.
      setTimeout(() => {
        if (pending.delete(id)) resolve(request.replies);
      }, 2000).unref();
      for (const w of targets) w.send({ type: "dal:metrics-json", id } satisfies WorkerMessage);
    }).then(async (replies) => {
      workersGauge.set(listening.size);
      return AggregatorRegistry.aggregate([...replies, await own.getMetricsAsJSON()]).metrics();
    });

  const fork = (): Worker => {
    const worker = cluster.fork({ [WORKER_CONFIG_ENV]: JSON.stringify(config) });
    worker.on("message", (m: WorkerMessage) => {
      if (m.type === "dal:listening") {
        listening.add(worker);
        url = m.url;
      } else if (m.type === "dal:metrics") {
        aggregate().then(
          (text) => worker.isConnected() && worker.send({ type: "dal:metrics-text", id: m.id, text } satisfies WorkerMessage),
          (err) => worker.isConnected() && worker.send({ type: "dal:metrics-text", id: m.id, error: String(err) } satisfies WorkerMessage),
        );
      } else if (m.type === "dal:metrics-json-reply") {
        const request = pending.get(m.id);
        if (!request) return;
        request.replies.push(m.metrics);
        if (--request.waiting === 0) {
          pending.delete(m.id);
          request.done(request.replies);
        }
      } else if (m.type === "dal:report") {
        const { pid, cpuSeconds, peakRssMB } = m;
        reports.push({ pid, cpuSeconds, peakRssMB });
      }
    });
    worker.on("exit", (code, signal) => {
      const wasListening = listening.delete(worker);
      if (stopping || !wasListening) return; // shutting down, or failed at start (reported by the start below)
      log(`worker ${worker.process.pid} died (${signal ?? `code ${code}`}); starting another`);
      restarts.inc();
      fork();
    });
    return worker;
  };

  await new Promise<void>((resolve, reject) => {
    let up = 0;
    for (let i = 0; i < count; i++) {
      const w = fork();
      const onExit = (code: number | null, signal: string | null) => {
        stopping = true;
        for (const other of Object.values(cluster.workers ?? {})) other?.process.kill("SIGKILL");
        reject(new Error(`an API worker exited while starting (${signal ?? `code ${code}`}); see its error above`));
      };
      w.once("exit", onExit);
      w.on("message", (m: WorkerMessage) => {
        if (m.type !== "dal:listening") return;
        w.off("exit", onExit);
        if (++up === count) resolve();
      });
    }
  });
  workersGauge.set(listening.size);
  log(`${count} worker${count === 1 ? "" : "s"} listening at ${url}`);

  let closed: Promise<WorkerReport[]> | undefined;
  return {
    url,
    workers: count,
    close: () =>
      (closed ??= new Promise<WorkerReport[]>((resolve) => {
        stopping = true;
        const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
        if (!alive.length) return resolve(reports);
        let left = alive.length;
        const kill = setTimeout(() => alive.forEach((w) => w.isDead() || w.process.kill("SIGKILL")), (opts.drainMs ?? 10_000) + 5_000);
        for (const w of alive) {
          w.once("exit", () => {
            if (--left === 0) {
              clearTimeout(kill);
              resolve(reports);
            }
          });
          if (w.isConnected()) w.send({ type: "dal:shutdown" } satisfies WorkerMessage);
          else w.process.kill("SIGTERM");
        }
      })),
  };
}
