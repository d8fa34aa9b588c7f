// The indexer: reads the contracts' logs block range by block range, writes each range's raw events,
// projections and checkpoint in one SQLite transaction, follows the head, and undoes reorganised blocks.
//
// Crash safety: nothing is written outside a range's transaction, and everything a transaction writes depends
// only on the chain (never on wall time or on how ranges were cut), so a killed and restarted indexer ends with
// the same database as one that was never interrupted.
import Database from "better-sqlite3";
import type { Database as Db, Statement } from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DEFAULTS, type IndexerOptions } from "./config";
import type { Args, DecodedLog } from "./decoder";
import { CONTRACTS } from "./deployment";
import { BackfillProgress } from "./progress";
import { keepPositions, project } from "./projections";
import { RangeReader, type Parent, type ReadRange, type ReadResult, type ReaderSettings } from "./rangeReader";
import { ReaderThreadFailed, WorkerReader } from "./readerWorker";
import { JsonRpc, RpcError, RpcUnreachable } from "./rpc";
import { SCHEMA_VERSION, migrate } from "./schema";
import { Store } from "./store";

/**
 * A backfill reads ahead on a worker thread once a range holds this many events (and more blocks are behind):
 * parsing and decoding then leave the writing thread. Sparse stretches and following the head stay on one thread.
 */
const WORKER_MIN_EVENTS = 1_000;
/** WAL pages between automatic checkpoints during such a backfill (SQLite's default is 1,000: 4 MB). */
const BACKFILL_WAL_PAGES = 10_000;

export interface SyncStatus {
  chainId: number;
  /** Last block whose events are all in the index (null before the first range). */
  latestBlock: number | null;
  latestHash: string | null;
  latestBlockTime: number | null;
  /** Chain head at the last poll. */
  head: number | null;
  lag: number | null;
  /** Indexed up to head - confirmations at the last poll. */
  caughtUp: boolean;
  /** Last error, if the latest attempt failed (the indexer keeps retrying transient ones). */
  error: string | null;
}

/** The chain reorganised below the blocks the index can undo. */
export class ReorgTooDeep extends Error {}

/** The node kept answering with blocks that do not link (or logs not of those blocks), retry after retry. */
export class ChainNotLinked extends Error {}

/** Why a range's logs and headers are not one chain extending the checkpoint. */
interface Unlinked {
  block: number;
  problem: string;
}

/** One undone reorg, as onReorg reports it. */
export interface ReorgUndo {
  /** Blocks undone (fromBlock..toBlock); the common ancestor is fromBlock - 1. */
  depth: number;
  fromBlock: number;
  toBlock: number;
  /** Raw events deleted. */
  events: number;
  /** Rows deleted or restored: those events plus the projection rows replayed from the undo log. */
  undoneRows: number;
  /** From detecting the reorg to the undo committed, the search for the common ancestor included. */
  ms: number;
}

interface Checkpoint {
  block_number: number;
  block_hash: string;
  block_time: number;
  chain_head: number;
}

const checkpointQueries = new WeakMap<Db, Statement>();

/** The checkpoint as stored in an index file (status() and the API read it on every request: prepared once). */
export function readCheckpoint(db: Db): Checkpoint | undefined {
  let q = checkpointQueries.get(db);
  if (!q) checkpointQueries.set(db, (q = db.prepare("SELECT block_number, block_hash, block_time, chain_head FROM checkpoint WHERE id = 1")));
  return q.get() as Checkpoint | undefined;
}


export class Indexer {
  readonly rpc: JsonRpc;
  private db?: Db;
  private store?: Store;
  /** Reads ranges on this thread; `worker` reads them on a reader thread during a dense backfill. */
  private inThread?: RangeReader;
  private worker?: WorkerReader;
  private workerFailed = false;
  /** The next range, being read while the current one is written. */
  private ahead?: { parent: Parent; result: Promise<ReadResult> };
  private statements?: Record<"insertEvent" | "insertRequest" | "insertBlock" | "forgetBlocks" | "forgetUndo" | "checkpoint", Statement>;
  private head: number | null = null;
  private caughtUp = false;
  private lastError: string | null = null;
  private stopped = false;
  private loop?: Promise<void>;
  private inFlight?: Promise<SyncStatus>;
  private wake?: () => void;
  private readonly log: (m: string) => void;
  /** Called after every committed range (the API uses it to know the index moved). */
  onCommit?: (status: SyncStatus) => void;
  /** Called after every undone reorg (benchmarks and operators' alerts use it; it is also logged). */
  onReorg?: (undo: ReorgUndo) => void;

  constructor(readonly opts: IndexerOptions) {
    this.rpc = new JsonRpc(opts.rpcUrl, opts.rpc);
    this.log = opts.log ?? ((m) => console.error(`indexer: ${m}`));
  }

  /**
   * Checks the RPC answers for the deployment's chain and that every contract exists there, then opens (creating
   * and migrating) the database. Nothing is written before these checks pass.
   */
  async open(): Promise<void> {
    const chainId = await this.rpc.chainId();
    if (chainId !== this.opts.chainId) {
      throw new Error(`the RPC at ${this.opts.rpcUrl} is chain ${chainId}, but the deployment record is for chain ${this.opts.chainId}`);
    }
    for (const name of CONTRACTS) {
      const code = await this.rpc.getCode(this.opts.contracts[name]);
      if (!code || code === "0x") {
        throw new Error(`no contract at ${this.opts.contracts[name]} (${name}) on chain ${chainId}: wrong deployment record, or the chain was reset`);
      }
    }
    // The deployment block's hash tells a reset chain (same chain id, same addresses) from the one indexed.
    const anchor = await this.rpc.getBlock(this.opts.startBlock);
    if (!anchor) throw new Error(`chain ${chainId} has no block ${this.opts.startBlock} (the deployment's start block)`);
    if (this.opts.database !== ":memory:") mkdirSync(dirname(this.opts.database), { recursive: true });
    const db = new Database(this.opts.database);
    try {
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL"); // WAL + NORMAL: a crash loses at most the last commit, never consistency
      migrate(db, SCHEMA_VERSION, this.log);
      this.checkMeta(db, anchor.hash);
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
    this.store = new Store(db);
  }

  /** Opens if needed and follows the chain in the background until stop(). */
  async start(): Promise<void> {
    if (!this.db) await this.open();
    this.loop = this.follow();
    this.loop.catch(() => undefined); // reported through `done` and status(); never an unhandled rejection
  }

  /** Stops following; resolves once the current range is committed or abandoned. Closes the database. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop?.catch(() => undefined);
    await this.inFlight?.catch(() => undefined); // a range being written finishes (or is abandoned) first
    this.ahead = undefined;
    await this.closeWorker().catch(() => undefined);
    this.db?.close();
    this.db = undefined;
    this.statements = undefined;
  }

  /** Resolves when the follow loop ends; rejects on a fatal error (a reorg too deep, a corrupt index). */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** Indexes up to the current head - confirmations, then returns. */
  async syncToHead(): Promise<SyncStatus> {
    const run = this.sync();
    this.inFlight = run;
    try {
      return await run;
    } finally {
      if (this.inFlight === run) this.inFlight = undefined;
    }
  }

  private async sync(): Promise<SyncStatus> {
    if (!this.db) await this.open();
    let progress: BackfillProgress | undefined;
    const retries = this.opts.unlinkedRetries ?? DEFAULTS.unlinkedRetries;
    const backoff = this.opts.unlinkedBackoffMs ?? DEFAULTS.unlinkedBackoffMs;
    let unlinked = 0; // consecutive answers that did not link, waited out with a doubling delay, then fatal
    let waited = 0;
    try {
      for (;;) {
        const step = await this.step();
        if (step === "idle" || this.stopped) break;
        if (typeof step === "object" && "problem" in step) {
          if (unlinked === retries) {
            const latest = this.status().latestBlock;
            const message =
              `the chain does not link at block ${step.block}: ${step.problem}, still after ${retries} retries over ` +
              `${(waited / 1000).toFixed(1)} s; the RPC endpoint (or the nodes behind it) serves inconsistent blocks. ` +
              `Stopped ${latest === null ? "before indexing any block" : `with the index at block ${latest}`}; restart once the endpoint is consistent`;
            this.lastError = message;
            throw new ChainNotLinked(message);
          }
          const delay = backoff * 2 ** unlinked++;
          this.log(`block ${step.block} does not link: ${step.problem}; retrying in ${delay} ms (${unlinked} of ${retries})`);
          await this.pause(delay);
          waited += delay;
          if (this.stopped) break;
          continue;
        }
        unlinked = 0;
        waited = 0;
        if (typeof step === "object") {
          if (!progress && step.target - step.from > 2_000) progress = new BackfillProgress(this.opts.progress, step.from, step.target);
          progress?.update(step.to, step.events);
        }
      }
    } finally {
      progress?.stop();
      this.ahead = undefined; // read for a sync that ended: the next one reads afresh
    }
    return this.status();
  }

  /** Waits `ms`, or less if stop() is called meanwhile. */
  private pause(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  status(): SyncStatus {
    const cp = this.db?.open ? readCheckpoint(this.db) : undefined;
    const latest = cp?.block_number ?? null;
    return {
      chainId: this.opts.chainId,
      latestBlock: latest,
      latestHash: cp?.block_hash ?? null,
      latestBlockTime: cp?.block_time ?? null,
      head: this.head,
      lag: this.head === null ? null : Math.max(0, this.head - (latest ?? this.opts.startBlock - 1)),
      caughtUp: this.caughtUp,
      error: this.lastError,
    };
  }

  /** The open database (tests and the embedded API read it). */
  get database(): Db {
    if (!this.db) throw new Error("indexer not open");
    return this.db;
  }

  private async follow(): Promise<void> {
    let delay = this.opts.pollIntervalMs;
    while (!this.stopped) {
      try {
        await this.syncToHead();
        this.lastError = null;
        delay = this.opts.pollIntervalMs;
      } catch (err) {
        if (!(err instanceof RpcUnreachable || err instanceof RpcError)) {
          this.lastError = (err as Error).message;
          this.log(`stopped: ${this.lastError}`);
          throw err;
        }
        this.lastError = err.message;
        this.log(`${err.message}; retrying in ${delay < 1000 ? `${delay} ms` : `${Math.round(delay / 1000)} s`}`);
        delay = Math.min(delay * 2, 30_000);
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, delay);
      });
    }
  }

  /** One move: undo a reorg, or index one range. "idle" when caught up; what did not link when the answers do not. */
  private async step(): Promise<"idle" | "again" | Unlinked | { from: number; to: number; target: number; events: number }> {
    const db = this.db!;
    const cp = readCheckpoint(db);
    const parent: Parent | null = cp ? { number: cp.block_number, hash: cp.block_hash } : null;
    // The range read ahead while the previous one was written, if it follows what was written; else read it now.
    const ahead = this.ahead;
    this.ahead = undefined;
    const r = ahead && ahead.parent?.hash === parent?.hash && ahead.parent?.number === parent?.number ? await ahead.result : await this.reader().read(parent);
    if (r.kind !== "unlinked") this.head = r.head;
    switch (r.kind) {
      case "reorg":
        await this.undoReorg(cp!);
        return "again";
      case "idle":
        this.caughtUp = true;
        if (cp && cp.chain_head !== r.head) db.prepare("UPDATE checkpoint SET chain_head = ? WHERE id = 1").run(r.head);
        await this.closeWorker(); // caught up: ranges are small again, a thread is not worth its memory
        return "idle";
      case "again":
        return "again";
      case "unlinked":
        return { block: r.block, problem: r.problem }; // the chain moved under us (or the node is inconsistent): retried, then fatal
    }
    this.caughtUp = false;
    // Pipelined backfill: read the next range (on the reader thread when the backlog is dense) while this one is
    // written. It is read against this range's last block, and used only if that block is then the checkpoint.
    if (r.to < r.target && !this.stopped) {
      if (this.opts.reader !== "thread" && !this.opts.rpc?.fetch && !this.worker && !this.workerFailed && (this.opts.reader === "worker" || r.events.length >= WORKER_MIN_EVENTS)) {
        this.worker = new WorkerReader(this.readerSettings(), this.threadReader().range.size, this.log);
        // A dense backfill: checkpoint the WAL into the database less often (each page once per 40 MB of WAL
        // rather than once per 4 MB); back to SQLite's default once caught up.
        if (this.fileBacked) db.pragma(`wal_autocheckpoint = ${BACKFILL_WAL_PAGES}`);
      }
      const next = { number: r.to, hash: r.last.hash };
      const result = this.reader().read(next);
      result.catch(() => undefined); // awaited by the next step; never an unhandled rejection if it is dropped
      this.ahead = { parent: next, result };
    }
    this.write(r);
    this.caughtUp = r.to >= r.target;
    this.onCommit?.(this.status());
    return { from: r.from, to: r.to, target: r.target, events: r.events.length };
  }

  private get fileBacked(): boolean {
    return this.opts.database !== ":memory:" && this.opts.database !== "";
  }

  private readerSettings(): ReaderSettings {
    const { rpcUrl, contracts, startBlock, confirmations, reorgWindow, initialLogRange, maxLogRange } = this.opts;
    const { fetch: _fetch, ...rpc } = this.opts.rpc ?? {};
    return { rpcUrl, rpc, contracts, startBlock, confirmations, reorgWindow, initialLogRange, maxLogRange };
  }

  /** The reader on this thread (always there: open() and small ranges use it). */
  private threadReader(): RangeReader {
    return (this.inThread ??= new RangeReader(this.readerSettings(), this.log, this.opts.rpc?.fetch));
  }

  private reader(): { read(parent: Parent | null): Promise<ReadResult> } {
    const worker = this.worker;
    if (!worker) return this.threadReader();
    return {
      read: (parent) =>
        worker.read(parent).catch(async (err) => {
          if (!(err instanceof ReaderThreadFailed)) throw err;
          // Read on this thread from now on; the range the thread could not read is read here.
          this.log(`${err.message}; reading on the indexer's own thread from now on`);
          this.workerFailed = true;
          if (this.worker === worker) await this.closeWorker();
          return this.threadReader().read(parent);
        }),
    };
  }

  private async closeWorker(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.threadReader().range.size = worker.rangeSize;
    if (this.db?.open && this.fileBacked) {
      this.db.pragma("wal_autocheckpoint = 1000");
      this.db.pragma("wal_checkpoint(PASSIVE)");
    }
    await worker.close();
  }

  private write(r: ReadRange): void {
    const db = this.db!;
    const store = this.store!;
    const q = (this.statements ??= {
      insertEvent: db.prepare(
        `INSERT INTO events (block_number, block_hash, block_time, log_index, tx_hash, tx_index, contract, address, name, asset_id, args, signer, relayer)
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      ),
      insertRequest: db.prepare(
        `INSERT INTO relayed_requests (block_number, block_hash, block_time, tx_hash, tx_index, log_index, signer, nonce, success, relayer, events)
         VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
      ),
      insertBlock: db.prepare("INSERT OR REPLACE INTO blocks (number, hash, parent_hash, timestamp) VALUES (?,?,?,?)"),
      forgetBlocks: db.prepare("DELETE FROM blocks WHERE number < ?"),
      forgetUndo: db.prepare("DELETE FROM undo_log WHERE block_number < ?"),
      checkpoint: db.prepare(
        `INSERT INTO checkpoint (id, block_number, block_hash, block_time, chain_head) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash,
           block_time = excluded.block_time, chain_head = excluded.chain_head`,
      ),
    });
    const tokens = new Map(r.tokens);
    db.transaction(() => {
      // Book positions: derived once at the end of a dense backfill rather than after every entry (nothing below the
      // reorg window is undone); first brought up to date for any range that reaches the window or the head.
      store.at(r.from, -1, false);
      keepPositions(store, r.windowStart > r.to && r.to < r.target);
      for (const ev of r.events) {
        store.at(ev.blockNumber, ev.logIndex, ev.blockNumber >= r.windowStart);
        ev.args ??= JSON.parse(ev.argsJson) as Args; // a range carries most arguments as text (RangeEvent)
        const assetId = project({ store, ev: ev as DecodedLog, time: ev.time, tokens });
        q.insertEvent.run(
          ev.blockNumber,
          ev.blockHash,
          ev.time,
          ev.logIndex,
          ev.txHash,
          ev.txIndex,
          ev.contract,
          ev.address,
          ev.name,
          assetId,
          ev.argsJson,
          ev.signer ?? null,
          ev.relayer ?? null,
        );
      }
      for (const x of r.relayed) {
        q.insertRequest.run(x.blockNumber, x.blockHash, x.time, x.txHash, x.txIndex, x.logIndex, x.signer, x.nonce, x.success ? 1 : 0, x.relayer, x.events);
      }
      // Keep hashes (and undo images) for a contiguous run of window blocks ending at the checkpoint: if this
      // range had blocks outside the window, older stored blocks are no longer contiguous with it.
      const keepFrom = r.windowStart > r.from ? r.windowStart : r.to - this.opts.reorgWindow + 1;
      q.forgetBlocks.run(keepFrom);
      q.forgetUndo.run(keepFrom);
      for (const [n, hash, parentHash, timestamp] of r.windowBlocks) q.insertBlock.run(n, hash, parentHash, timestamp);
      q.checkpoint.run(r.to, r.last.hash, r.last.timestamp, r.head);
    })();
  }

  /** Finds the newest indexed block still on the chain and undoes everything after it, in one transaction. */
  private async undoReorg(cp: Checkpoint): Promise<void> {
    const started = performance.now();
    const db = this.db!;
    const stored = db.prepare("SELECT number, hash, timestamp FROM blocks ORDER BY number DESC").all() as {
      number: number;
      hash: string;
      timestamp: number;
    }[];
    let ancestor: (typeof stored)[number] | undefined;
    for (let i = 0; i < stored.length && !ancestor; i += 32) {
      const slice = stored.slice(i, i + 32);
      const chain = await this.rpc.getBlocks(slice.map((b) => b.number));
      ancestor = slice.find((b, j) => chain[j]?.hash === b.hash);
    }
    if (!ancestor) {
      const lowest = stored.length ? stored[stored.length - 1].number : cp.block_number;
      throw new ReorgTooDeep(
        `the chain reorganised below block ${lowest}, deeper than the ${this.opts.reorgWindow}-block window this index can undo; ` +
          `delete ${this.opts.database} to re-index from the start`,
      );
    }
    const a = ancestor;
    let events = 0;
    let undone = 0;
    db.transaction(() => {
      events = db.prepare("DELETE FROM events WHERE block_number > ?").run(a.number).changes;
      const requests = db.prepare("DELETE FROM relayed_requests WHERE block_number > ?").run(a.number).changes;
      undone = this.store!.undoAfter(a.number) + events + requests;
      db.prepare("DELETE FROM blocks WHERE number > ?").run(a.number);
      db.prepare("UPDATE checkpoint SET block_number = ?, block_hash = ?, block_time = ? WHERE id = 1").run(a.number, a.hash, a.timestamp);
    })();
    const ms = performance.now() - started;
    this.log(`reorg: undid blocks ${a.number + 1}..${cp.block_number} (${undone} rows) in ${Math.round(ms)} ms; re-indexing from ${a.number + 1}`);
    this.onReorg?.({ depth: cp.block_number - a.number, fromBlock: a.number + 1, toBlock: cp.block_number, events, undoneRows: undone, ms });
  }

  /** A database holds one deployment's index: refuse to mix chains or contracts. */
  private checkMeta(db: Db, startBlockHash: string): void {
    const { chainId, contracts, startBlock } = this.opts;
    const identity = JSON.stringify({ chainId, contracts, startBlock, startBlockHash });
    const row = db.prepare("SELECT value FROM meta WHERE key = 'deployment'").get() as { value: string } | undefined;
    if (!row) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('deployment', ?)").run(identity);
    } else if (row.value !== identity) {
      // The same deployment as indexed by an indexer that did not yet read the forwarder (identity without it).
      const { RelayForwarder: _forwarder, PledgeRegistry: _pledges, ...others } = contracts;
      const { PledgeRegistry: _p, ...withoutPledges } = contracts;
      const { RelayForwarder: _f, ...withoutForwarder } = contracts;
      const before = (c: object) => row.value === JSON.stringify({ chainId, contracts: c, startBlock, startBlockHash });
      if (before(others) || before(withoutForwarder)) {
        throw new Error(
          `${this.opts.database} was indexed before the indexer read the RelayForwarder: its events lack who signed and who relayed ` +
            `relayed actions. Delete the file (or use a different INDEX_DB) to re-index this deployment`,
        );
      }
      // Indexed by an indexer that did not yet read the pledge registry: its pledges, encumbrances and routed credits
      // are missing.
      if (before(withoutPledges)) {
        throw new Error(
          `${this.opts.database} was indexed before the indexer read the PledgeRegistry: it lacks pledges, encumbrances and the ` +
            `credits of pledged revenue. Delete the file (or use a different INDEX_DB) to re-index this deployment`,
        );
      }
      throw new Error(
        `${this.opts.database} indexes another deployment or a reset chain (${row.value}); use a different INDEX_DB or delete the file to re-index`,
      );
    }
  }
}
