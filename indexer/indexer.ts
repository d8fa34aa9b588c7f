// The indexer: reads the contracts' logs block range by block range, writes each range's raw events,
// projections and checkpoint in one SQLite transaction, follows the head, and undoes reorganised blocks.
//
// Crash safety: nothing is written outside a range's transaction, and everything a transaction writes depends
// only on the chain (never on wall time or on how ranges were cut), so a killed and restarted indexer ends with
// the same database as one that was never interrupted.
import Database from "better-sqlite3";
import type { Database as Db, Statement } from "better-sqlite3";
import { AbiCoder } from "ethers";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DEFAULTS, type IndexerOptions } from "./config";
import { Decoder, type DecodedLog } from "./decoder";
import { CONTRACTS } from "./deployment";
import { LogRange, isRangeError } from "./logRange";
import { BackfillProgress } from "./progress";
import { project, tokenMentioned, type TokenMeta } from "./projections";
import { attributeRelayed, relayedTransactions, type RelayedRequest } from "./relay";
import { JsonRpc, RpcError, RpcUnreachable, type RpcBlock, type RpcLog } from "./rpc";
import { migrate } from "./schema";
import { Store } from "./store";

const HEADER_BATCH = 500;
const ZERO_HASH = "0x" + "0".repeat(64);

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
  private readonly decoder: Decoder;
  private readonly range: LogRange;
  private readonly addresses: string[];
  private head: number | null = null;
  private caughtUp = false;
  private lastError: string | null = null;
  private stopped = false;
  private loop?: Promise<void>;
  private inFlight?: Promise<SyncStatus>;
  private wake?: () => void;
  private readonly log: (m: string) => void;
  private zeroParentSeen = false;
  /** Called after every committed range (the API uses it to know the index moved). */
  onCommit?: (status: SyncStatus) => void;
  /** Called after every undone reorg (benchmarks and operators' alerts use it; it is also logged). */
  onReorg?: (undo: ReorgUndo) => void;

  constructor(readonly opts: IndexerOptions) {
    this.rpc = new JsonRpc(opts.rpcUrl, opts.rpc);
    this.decoder = new Decoder(opts.contracts);
    this.range = new LogRange(opts.initialLogRange, opts.maxLogRange);
    this.addresses = CONTRACTS.map((c) => opts.contracts[c].toLowerCase());
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
      migrate(db);
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
    this.db?.close();
    this.db = undefined;
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
    const head = await this.rpc.blockNumber();
    this.head = head;
    const target = head - this.opts.confirmations;
    const cp = readCheckpoint(db);
    if (cp) {
      const current = await this.rpc.getBlock(cp.block_number);
      if (!current || current.hash !== cp.block_hash) {
        await this.undoReorg(cp);
        return "again";
      }
    }
    const from = cp ? cp.block_number + 1 : this.opts.startBlock;
    if (from > target) {
      this.caughtUp = true;
      if (cp && cp.chain_head !== head) db.prepare("UPDATE checkpoint SET chain_head = ? WHERE id = 1").run(head);
      return "idle";
    }
    this.caughtUp = false;
    const to = Math.min(target, from + this.range.size - 1);

    let logs: RpcLog[];
    try {
      logs = await this.rpc.getLogs(from, to, this.addresses);
    } catch (err) {
      if (!isRangeError(err)) throw err;
      if (!this.range.shrink(err)) throw err; // a single block the provider refuses: nothing smaller to ask
      return "again";
    }
    this.range.succeeded(logs.length);

    // Headers: every block in the reorg window (to detect and undo reorgs), every block with logs (their time),
    // and the range's last block (the checkpoint).
    const windowStart = Math.max(from, head - this.opts.reorgWindow + 1);
    const wanted = new Set<number>();
    for (const l of logs) wanted.add(Number(l.blockNumber));
    for (let n = windowStart; n <= to; n++) wanted.add(n);
    wanted.add(to);
    const numbers = [...wanted].sort((a, b) => a - b);
    const headers = new Map<number, RpcBlock>();
    for (let i = 0; i < numbers.length; i += HEADER_BATCH) {
      const batch = await this.rpc.getBlocks(numbers.slice(i, i + HEADER_BATCH));
      for (const b of batch) if (b) headers.set(Number(b.number), b);
    }
    const unlinked = this.unlinked(cp, from, to, windowStart, logs, headers);
    if (unlinked) return unlinked; // the chain moved under us (or the node is inconsistent): retried, then fatal

    const decoded = logs
      .filter((l) => !l.removed)
      .sort((a, b) => Number(a.blockNumber) - Number(b.blockNumber) || Number(a.logIndex) - Number(b.logIndex))
      .map((l) => this.decoder.decode(l));
    const relayed = await this.relayed(decoded);
    if (!Array.isArray(relayed)) return relayed;
    const tokenMeta = await this.tokenMetadata(decoded);
    this.write(decoded, relayed, headers, tokenMeta, { from, to, head, windowStart });
    this.caughtUp = to >= target;
    this.onCommit?.(this.status());
    return { from, to, target, events: decoded.length };
  }

  /**
   * Null if the logs and headers are all from one chain that extends the checkpoint; else the first block that
   * does not fit and why (a reorg happened meanwhile, or the node serves inconsistent blocks).
   *
   * A zero parent hash is no link to check: Hardhat's `hardhat_mine` reserves bulk-mined blocks and reports them
   * with parentHash 0x00…00 (no real chain does, except for its genesis block). Such blocks are checked by their own
   * hashes only: against their logs here, and against the stored window when looking for reorgs.
   */
  private unlinked(
    cp: Checkpoint | undefined,
    from: number,
    to: number,
    windowStart: number,
    logs: RpcLog[],
    headers: Map<number, RpcBlock>,
  ): Unlinked | null {
    if (!headers.has(to)) return { block: to, problem: "the node has no header for it (behind the head it reported?)" };
    for (const l of logs) {
      const n = Number(l.blockNumber);
      const hash = headers.get(n)?.hash;
      if (hash !== l.blockHash) {
        return { block: n, problem: `log ${Number(l.logIndex)} names block hash ${l.blockHash}, but the block's header has hash ${hash ?? "(none)"}` };
      }
    }
    for (let n = windowStart; n <= to; n++) {
      const h = headers.get(n);
      if (!h) return { block: n, problem: "the node has no header for it" };
      const parent = n === from ? cp?.block_hash : headers.get(n - 1)?.hash;
      if (parent === undefined) continue;
      if (h.parentHash === ZERO_HASH) {
        if (!this.zeroParentSeen) {
          this.zeroParentSeen = true;
          this.log(`block ${n} reports a zero parent hash (as Hardhat's hardhat_mine leaves bulk-mined blocks); such blocks are checked by their own hashes only`);
        }
        continue;
      }
      if (h.parentHash !== parent) {
        return { block: n, problem: `its parent hash is ${h.parentHash}, but block ${n - 1} has hash ${parent}` };
      }
    }
    return null;
  }

  /**
   * Marks the events relayed requests caused with their signer and relayer (indexer/relay.ts) and returns the
   * requests. Reads the senders of the transactions with forwarder logs only, in batches: none for a range without.
   * A transaction the node does not know, or knows in another block than its logs, is the chain moving: unlinked.
   */
  private async relayed(events: DecodedLog[]): Promise<RelayedRequest[] | Unlinked> {
    const txs = relayedTransactions(events);
    if (txs.size === 0) return [];
    const hashes = [...txs.keys()];
    const senders = new Map<string, string>();
    for (let i = 0; i < hashes.length; i += HEADER_BATCH) {
      const batch = hashes.slice(i, i + HEADER_BATCH);
      const answers = await this.rpc.getTransactions(batch);
      for (let j = 0; j < batch.length; j++) {
        const log = txs.get(batch[j])!;
        const t = answers[j];
        if (!t) return { block: log.blockNumber, problem: `the node does not know its transaction ${batch[j]}` };
        if (t.blockHash?.toLowerCase() !== log.blockHash) {
          return { block: log.blockNumber, problem: `its transaction ${batch[j]} is in block ${t.blockHash ?? "(none: pending)"} by the node's answer` };
        }
        senders.set(batch[j], t.from);
      }
    }
    return attributeRelayed(events, senders);
  }

  private write(
    events: DecodedLog[],
    relayed: RelayedRequest[],
    headers: Map<number, RpcBlock>,
    tokens: Map<string, TokenMeta>,
    r: { from: number; to: number; head: number; windowStart: number },
  ): void {
    const db = this.db!;
    const store = this.store!;
    const insertEvent = db.prepare(
      `INSERT INTO events (block_number, block_hash, block_time, log_index, tx_hash, tx_index, contract, address, name, asset_id, args, signer, relayer)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
    );
    const insertRequest = relayed.length
      ? db.prepare(
          `INSERT INTO relayed_requests (block_number, block_hash, block_time, tx_hash, tx_index, log_index, signer, nonce, success, relayer, events)
           VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
        )
      : undefined;
    const insertBlock = db.prepare("INSERT OR REPLACE INTO blocks (number, hash, parent_hash, timestamp) VALUES (?,?,?,?)");
    db.transaction(() => {
      for (const ev of events) {
        const time = Number(headers.get(ev.blockNumber)!.timestamp);
        store.at(ev.blockNumber, ev.logIndex, ev.blockNumber >= r.windowStart);
        const assetId = project({ store, ev, time, tokens });
        insertEvent.run(
          ev.blockNumber,
          ev.blockHash,
          time,
          ev.logIndex,
          ev.txHash,
          ev.txIndex,
          ev.contract,
          ev.address,
          ev.name,
          assetId,
          JSON.stringify(ev.args),
          ev.signer ?? null,
          ev.relayer ?? null,
        );
      }
      for (const q of relayed) {
        const time = Number(headers.get(q.blockNumber)!.timestamp);
        insertRequest!.run(q.blockNumber, q.blockHash, time, q.txHash, q.txIndex, q.logIndex, q.signer, q.nonce, q.success ? 1 : 0, q.relayer, q.events);
      }
      // Keep hashes (and undo images) for a contiguous run of window blocks ending at the checkpoint: if this
      // range had blocks outside the window, older stored blocks are no longer contiguous with it.
      const keepFrom = r.windowStart > r.from ? r.windowStart : r.to - this.opts.reorgWindow + 1;
      db.prepare("DELETE FROM blocks WHERE number < ?").run(keepFrom);
      db.prepare("DELETE FROM undo_log WHERE block_number < ?").run(keepFrom);
      for (let n = r.windowStart; n <= r.to; n++) {
        const h = headers.get(n)!;
        insertBlock.run(n, h.hash, h.parentHash, Number(h.timestamp));
      }
      const last = headers.get(r.to)!;
      db.prepare(
        `INSERT INTO checkpoint (id, block_number, block_hash, block_time, chain_head) VALUES (1, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET block_number = excluded.block_number, block_hash = excluded.block_hash,
           block_time = excluded.block_time, chain_head = excluded.chain_head`,
      ).run(r.to, last.hash, Number(last.timestamp), r.head);
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

  /** ERC-20 decimals and symbol of tokens the range names for the first time; null where the token does not answer. */
  private async tokenMetadata(events: DecodedLog[]): Promise<Map<string, TokenMeta>> {
    const out = new Map<string, TokenMeta>();
    const coder = AbiCoder.defaultAbiCoder();
    const known = this.db!.prepare("SELECT 1 FROM tokens WHERE address = ?");
    const read = async (token: string, selector: string, type: string) => {
      try {
        return coder.decode([type], await this.rpc.ethCall(token, selector))[0];
      } catch (err) {
        if (err instanceof RpcUnreachable) throw err;
        return null; // not an ERC-20 with metadata
      }
    };
    for (const ev of events) {
      const token = tokenMentioned(ev.name, ev.args);
      if (token === null || out.has(token) || known.get(token)) continue;
      const decimals = await read(token, "0x313ce567", "uint8");
      const symbol = await read(token, "0x95d89b41", "string");
      out.set(token, { decimals: decimals === null ? null : Number(decimals), symbol });
    }
    return out;
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
      const { RelayForwarder: _forwarder, ...others } = contracts;
      if (row.value === JSON.stringify({ chainId, contracts: others, startBlock, startBlockHash })) {
        throw new Error(
          `${this.opts.database} was indexed before the indexer read the RelayForwarder: its events lack who signed and who relayed ` +
            `relayed actions. Delete the file (or use a different INDEX_DB) to re-index this deployment`,
        );
      }
      throw new Error(
        `${this.opts.database} indexes another deployment or a reset chain (${row.value}); use a different INDEX_DB or delete the file to re-index`,
      );
    }
  }
}
