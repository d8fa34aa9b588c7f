// A RangeReader (rangeReader.ts) in a worker thread: the HTTP answers are parsed, the logs decoded and their JSON
// text made there, so the thread that writes the index only writes. This one file is both sides: WorkerReader, the
// writing thread's handle, and the worker's loop, which runs when the file is loaded as a reader thread.
//
// Under ts-node (tests, `npm run indexer`) the worker registers ts-node (transpile only) before loading this file;
// compiled (dist/, production and benchmarks) it loads the JavaScript directly.
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { RangeEvents, type PackedEvents } from "./rangeEvents";
import { RangeReader, type Parent, type ReadRange, type ReadResult, type ReaderSettings } from "./rangeReader";
import { RpcError, RpcUnreachable } from "./rpc";

interface Start {
  kind: "dal-range-reader";
  settings: ReaderSettings;
  rangeSize: number;
}
type Request = { id: number; parent: Parent | null };
/** A result as it crosses threads: a range's events packed (rangeEvents.ts), their chunks moved, not copied. */
type WireResult = Exclude<ReadResult, ReadRange> | (Omit<ReadRange, "events"> & { events: PackedEvents });
type Reply =
  | { type: "result"; id: number; result: WireResult; rangeSize: number }
  | { type: "error"; id: number; error: WireError }
  | { type: "log"; message: string };
interface WireError {
  kind: "RpcError" | "RpcUnreachable" | "Error";
  message: string;
  stack?: string;
  method?: string;
  code?: number;
  data?: unknown;
}

/** Errors cross the thread boundary as data and are rebuilt as what they were, so callers can still tell them apart. */
function toWire(err: unknown): WireError {
  if (err instanceof RpcError) return { kind: "RpcError", message: err.message, stack: err.stack, method: err.method, code: err.code, data: err.data };
  if (err instanceof RpcUnreachable) return { kind: "RpcUnreachable", message: err.message, stack: err.stack };
  return { kind: "Error", message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined };
}

function fromWire(w: WireError): Error {
  const proto = w.kind === "RpcError" ? RpcError.prototype : w.kind === "RpcUnreachable" ? RpcUnreachable.prototype : Error.prototype;
  const err = Object.create(proto) as Error & Record<string, unknown>;
  Object.assign(err, { message: w.message, stack: w.stack }, w.kind === "RpcError" ? { method: w.method, code: w.code, data: w.data } : {});
  return err;
}

/**
 * Ranges whose logs and headers the reader thread asks for ahead. Two: the node then always has the next one to
 * serve while the reader decodes and the writer writes (with one, it sat idle between answers, and the reader
 * waited on it for about half of each read).
 */
const READ_AHEAD = 2;

/** The reader thread failed or stopped (out of its memory, say): the range is read on the writing thread instead. */
export class ReaderThreadFailed extends Error {}

/**
 * The reader thread's heap is bounded, so that the indexer's peak memory stays what it was with one thread (a range
 * that does not fit is read on the writing thread instead: see ReaderThreadFailed).
 */
const LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 };

/** The writing thread's handle on a reader thread. */
export class WorkerReader {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: ReadResult) => void; reject: (e: Error) => void }>();
  private failed?: Error;
  /** The log range size the reader last used (handed back to a reader on the writing thread when this one closes). */
  rangeSize: number;

  constructor(settings: ReaderSettings, rangeSize: number, log: (m: string) => void) {
    const start: Start = { kind: "dal-range-reader", settings, rangeSize };
    this.rangeSize = rangeSize;
    const file = __filename;
    this.worker = file.endsWith(".ts")
      ? new Worker(`require("ts-node/register/transpile-only"); require(${JSON.stringify(file)});`, { eval: true, workerData: start, resourceLimits: LIMITS })
      : new Worker(file, { workerData: start, resourceLimits: LIMITS });
    this.worker.on("message", (m: Reply) => {
      if (m.type === "log") return log(m.message);
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.type === "result") {
        this.rangeSize = m.rangeSize;
        // A range's events cross packed, in chunks unpacked one at a time as they are written: sent as one structured
        // clone, a range of 5,000 events arrived as some 10 MB of objects at once, all alive until written, which
        // every young-generation collection of the writing thread copied.
        const r = m.result;
        w?.resolve(r.kind === "range" ? { ...r, events: RangeEvents.received(r.events) } : r);
      } else w?.reject(fromWire(m.error));
    });
    const fail = (err: Error) => {
      this.failed ??= err;
      for (const w of this.waiting.values()) w.reject(this.failed);
      this.waiting.clear();
    };
    this.worker.on("error", (err) => fail(new ReaderThreadFailed(`the indexer's reader thread failed: ${err.message}`)));
    this.worker.on("exit", (code) => fail(new ReaderThreadFailed(`the indexer's reader thread stopped (exit code ${code})`)));
  }

  read(parent: Parent | null): Promise<ReadResult> {
    if (this.failed) return Promise.reject(this.failed);
    const id = this.nextId++;
    return new Promise<ReadResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ id, parent } satisfies Request);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

function serve(start: Start): void {
  const port = parentPort!;
  const reader = new RangeReader({ ...start.settings, readAhead: READ_AHEAD, pack: true }, (message) => port.postMessage({ type: "log", message } satisfies Reply));
  reader.range.size = Math.min(start.rangeSize, reader.range.max);
  // One read at a time, in the order asked (the indexer never asks for more than one ahead).
  let queue = Promise.resolve();
  port.on("message", (m: Request) => {
    queue = queue.then(async () => {
      try {
        const result = await reader.read(m.parent);
        const wire: WireResult = result.kind === "range" ? { ...result, events: result.events.wire() } : result;
        const moved = wire.kind === "range" ? wire.events.chunks.map((c) => c.buffer as ArrayBuffer) : [];
        port.postMessage({ type: "result", id: m.id, result: wire, rangeSize: reader.range.size } satisfies Reply, moved);
      } catch (err) {
        port.postMessage({ type: "error", id: m.id, error: toWire(err) } satisfies Reply);
      }
    });
  });
}

if (!isMainThread && (workerData as Start | undefined)?.kind === "dal-range-reader") serve(workerData as Start);
