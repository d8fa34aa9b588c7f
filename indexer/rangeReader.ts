// The read half of the indexer: everything about a block range that needs only the chain, never the index. It
// polls the head, checks that the block the range extends is still on the chain, fetches the logs (sizing the
// range adaptively), the headers, and the senders of relayed transactions, checks that all of it is one chain,
// decodes the events (with their JSON text, ready to store: rangeEvents.ts) and reads token metadata. What it
// returns is all the write half (indexer.ts) needs to write the range in one transaction.
//
// Because it needs nothing from the index, it can run ahead of the writes: while range k is written, range k + 1 is
// read, by a worker thread (readerWorker.ts) that parses and decodes off the thread that writes, or on that same
// thread when a worker cannot be used. Either way the writes are what they were; only their waiting goes. The
// worker also asks the node for the logs and headers of the ranges after k + 1 while it decodes range k + 1
// (readAhead), so that the node, the reader and the writer each work at once (bench/REPORT.md: the backfill against
// the version before).
import { AbiCoder } from "ethers";
import { Decoder, type Args, type DecodedLog } from "./decoder";
import { CONTRACTS, type ContractName } from "./deployment";
import { LogRange, isRangeError } from "./logRange";
import { tokenMentioned, type TokenMeta } from "./projections";
import { RangeEvents } from "./rangeEvents";
import { attributeRelayed, relayedTransactions, type RelayedRequest } from "./relay";
import { JsonRpc, RpcUnreachable, type RpcBlock, type RpcLog, type RpcOptions } from "./rpc";

const HEADER_BATCH = 500;
const ZERO_HASH = "0x" + "0".repeat(64);

/** What a reader needs: plain data, so that it can be handed to a worker thread. */
export interface ReaderSettings {
  rpcUrl: string;
  rpc?: Omit<RpcOptions, "fetch">;
  contracts: Record<ContractName, string>;
  startBlock: number;
  confirmations: number;
  reorgWindow: number;
  initialLogRange: number;
  maxLogRange: number;
  /**
   * How many ranges to ask the logs and headers of ahead, while this one is decoded (a reader thread's backfill: the
   * node then works while the reader does, instead of each waiting on the other). Unset: none.
   */
  readAhead?: number;
  /** Pack the events for another thread as they are decoded (a reader thread's: rangeEvents.ts). */
  pack?: boolean;
}

/**
 * A range's events (decoded as their logs were parsed: their block times are set once the headers are in), the
 * tokens they name, and the headers of its blocks with logs and of its last block, as asked of the node.
 */
interface Fetched {
  events: RangeEvents;
  tokens: Set<string>;
  headers: Map<number, RpcBlock>;
}

/**
 * An event as a range carries it: its arguments as JSON text only (argsJson: the writer parses them), but for the
 * forwarder's events, which the reader reads itself. A thousand small objects per range cost more to keep alive
 * while the range is read, to copy in garbage collections, and to send to the writing thread than their text.
 */
export type RangeEvent = Omit<DecodedLog, "args"> & { args?: Args };

/** The block a range extends: the checkpoint (or the range being written ahead of it). Null before the first range. */
export interface Parent {
  number: number;
  hash: string;
}

export interface ReadRequest extends RelayedRequest {
  time: number;
}

/** Why a range's logs and headers are not one chain extending its parent. */
export interface Unlinked {
  kind: "unlinked";
  block: number;
  problem: string;
}

export interface ReadRange {
  kind: "range";
  from: number;
  to: number;
  /** The head polled for this range, and head - confirmations. */
  head: number;
  target: number;
  /** First block of the range inside the reorg window (undo images and stored hashes from there). */
  windowStart: number;
  /** The parent this range was read against: it may only be written right after it. */
  parentHash: string | null;
  /** In chain order, with their block times (and signers and relayers) set as they are iterated. */
  events: RangeEvents;
  relayed: ReadRequest[];
  /** Headers of blocks windowStart..to, as [number, hash, parentHash, timestamp]. */
  windowBlocks: [number, string, string, number][];
  last: { hash: string; timestamp: number };
  /** ERC-20 metadata of the tokens the range names (read once per reader, then remembered). */
  tokens: [string, TokenMeta][];
}

export type ReadResult =
  | ReadRange
  | Unlinked
  /** The parent is no longer on the chain: undo a reorg first. */
  | { kind: "reorg"; head: number }
  /** Nothing to read up to head - confirmations. */
  | { kind: "idle"; head: number }
  /** The provider refused the range as too large; the range shrank: ask again. */
  | { kind: "again"; head: number };

export class RangeReader {
  readonly rpc: JsonRpc;
  private readonly decoder: Decoder;
  readonly range: LogRange;
  private readonly addresses: string[];
  private readonly tokenMeta = new Map<string, TokenMeta>();
  private zeroParentSeen = false;
  /** The next ranges, asked for ahead (readAhead), in order: used while the reads start where they do, else dropped. */
  private ahead: { from: number; to: number; fetched: Promise<Fetched> }[] = [];

  constructor(
    private readonly s: ReaderSettings,
    private readonly log: (m: string) => void,
    fetchFn?: typeof fetch,
  ) {
    this.rpc = new JsonRpc(s.rpcUrl, { ...s.rpc, fetch: fetchFn });
    this.decoder = new Decoder(s.contracts);
    this.range = new LogRange(s.initialLogRange, s.maxLogRange);
    this.addresses = CONTRACTS.map((c) => s.contracts[c].toLowerCase());
  }

  /** Reads the range that follows `parent` (or starts at the start block), up to the range size and the target. */
  async read(parent: Parent | null): Promise<ReadResult> {
    const queued = this.ahead; // used only if this read starts where the first does
    this.ahead = [];
    const ahead = queued[0];
    const head = await this.rpc.blockNumber();
    const target = head - this.s.confirmations;
    if (parent) {
      const current = await this.rpc.getBlock(parent.number);
      if (!current || current.hash !== parent.hash) return { kind: "reorg", head };
    }
    const from = parent ? parent.number + 1 : this.s.startBlock;
    if (from > target) return { kind: "idle", head };
    // What was asked ahead is as good as a fresh answer: checked below like one, and a reorg since is found like one
    // that comes right after a read (by the next read's parent check).
    const early = ahead && ahead.from === from && ahead.to <= target ? await ahead.fetched.catch(() => undefined) : undefined;
    const to = early ? ahead!.to : Math.min(target, from + this.range.size - 1);

    let events: RangeEvents;
    let tokensNamed: Set<string>;
    const headers = early?.headers ?? new Map<number, RpcBlock>();
    try {
      ({ events, tokens: tokensNamed } = early ?? (await this.getLogs(from, to)));
    } catch (err) {
      if (!isRangeError(err)) throw err;
      if (!this.range.shrink(err)) throw err; // a single block the provider refuses: nothing smaller to ask
      return { kind: "again", head };
    }
    this.range.succeeded(events.length);

    // Headers: every block in the reorg window (to detect and undo reorgs), every block with logs (their time),
    // and the range's last block (the checkpoint).
    // The window is the last reorgWindow blocks up to the target (head - confirmations): with confirmations, the
    // blocks above the target are not indexed, so they are no part of what a reorg would have to undo.
    const windowStart = Math.max(from, target - this.s.reorgWindow + 1);
    const wanted = new Set<number>();
    for (const n of events.blockHashes.keys()) wanted.add(n);
    for (let n = windowStart; n <= to; n++) wanted.add(n);
    wanted.add(to);
    await this.getHeaders([...wanted].filter((n) => !headers.has(n)), headers);
    const unlinked = this.unlinked(parent?.hash, from, to, windowStart, events, headers);
    if (unlinked) return unlinked; // the chain moved under us (or the node is inconsistent): retried, then fatal
    if (this.s.readAhead) {
      // Those asked after this one, while they follow on and fit under the target; then more, up to readAhead.
      let last = to;
      for (const q of early ? queued.slice(1) : []) {
        if (q.from !== last + 1 || q.to > target) break;
        this.ahead.push(q);
        last = q.to;
      }
      while (this.ahead.length < this.s.readAhead && last < target) {
        this.ahead.push(this.readAhead(last + 1, Math.min(target, last + this.range.size)));
        last = this.ahead[this.ahead.length - 1].to;
      }
    }

    const time = (n: number) => Number(headers.get(n)!.timestamp);
    events.setTimes(time);
    const relayed = await this.relayed(events);
    if (!Array.isArray(relayed)) return relayed;
    const tokens = await this.tokenMetadata(tokensNamed);
    const windowBlocks: ReadRange["windowBlocks"] = [];
    for (let n = windowStart; n <= to; n++) {
      const h = headers.get(n)!;
      windowBlocks.push([n, h.hash, h.parentHash, Number(h.timestamp)]);
    }
    const last = headers.get(to)!;
    return {
      kind: "range",
      from,
      to,
      head,
      target,
      windowStart,
      parentHash: parent?.hash ?? null,
      events,
      relayed: relayed.map((q) => ({ ...q, time: time(q.blockNumber) })),
      windowBlocks,
      last: { hash: last.hash, timestamp: Number(last.timestamp) },
      tokens,
    };
  }

  /** Adds the headers of blocks `numbers` to `headers`, asked in batches, in order. */
  private async getHeaders(numbers: number[], headers: Map<number, RpcBlock>): Promise<void> {
    numbers.sort((a, b) => a - b);
    for (let i = 0; i < numbers.length; i += HEADER_BATCH) {
      const batch = await this.rpc.getBlocks(numbers.slice(i, i + HEADER_BATCH));
      for (const b of batch) if (b) headers.set(Number(b.number), b);
    }
  }

  /**
   * The events of blocks from..to, decoded as their logs are parsed (block times not yet set; arguments as text but
   * for the forwarder's), and the tokens they name. Removed logs are left out.
   */
  private async getLogs(from: number, to: number): Promise<{ events: RangeEvents; tokens: Set<string> }> {
    const tokens = new Set<string>();
    const fresh = () => (this.s.pack ? RangeEvents.packing() : RangeEvents.listing());
    let events = fresh();
    const add = (l: RpcLog) => {
      if (l.removed) return;
      const decoded = this.decoder.decode(l, 0);
      const token = tokenMentioned(decoded.name, decoded.args);
      if (token !== null) tokens.add(token);
      const ev: RangeEvent = decoded;
      if (ev.contract !== "RelayForwarder") ev.args = undefined; // kept as argsJson
      events.add(ev);
    };
    await this.rpc.getLogs(from, to, this.addresses, add, () => ((events = fresh()), tokens.clear()));
    events.end();
    return { events, tokens };
  }

  /** Asks for the logs of blocks from..to and the headers of their blocks with logs and of `to`, for a later read. */
  private readAhead(from: number, to: number): { from: number; to: number; fetched: Promise<Fetched> } {
    const fetched = (async () => {
      const { events, tokens } = await this.getLogs(from, to);
      const headers = new Map<number, RpcBlock>();
      await this.getHeaders([...new Set([...events.blockHashes.keys(), to])], headers);
      return { events, tokens, headers };
    })();
    fetched.catch(() => undefined); // a failure here is the read's to have again, asking afresh
    return { from, to, fetched };
  }

  /**
   * Null if the logs and headers are all from one chain that extends the parent; else the first block that
   * does not fit and why (a reorg happened meanwhile, or the node serves inconsistent blocks).
   *
   * A zero parent hash is no link to check: Hardhat's `hardhat_mine` reserves bulk-mined blocks and reports them
   * with parentHash 0x00…00 (no real chain does, except for its genesis block). Such blocks are checked by their own
   * hashes only: against their logs here, and against the stored window when looking for reorgs.
   */
  private unlinked(
    parentHash: string | undefined,
    from: number,
    to: number,
    windowStart: number,
    events: RangeEvents,
    headers: Map<number, RpcBlock>,
  ): Unlinked | null {
    if (!headers.has(to)) return { kind: "unlinked", block: to, problem: "the node has no header for it (behind the head it reported?)" };
    const c = events.conflict;
    if (c) return { kind: "unlinked", block: c.block, problem: `log ${c.logIndex} names block hash ${c.hash}, but an earlier log of the block names ${c.named}` };
    for (const [n, named] of events.blockHashes) {
      const hash = headers.get(n)?.hash;
      if (hash?.toLowerCase() !== named) {
        return { kind: "unlinked", block: n, problem: `its logs name block hash ${named}, but the block's header has hash ${hash ?? "(none)"}` };
      }
    }
    for (let n = windowStart; n <= to; n++) {
      const h = headers.get(n);
      if (!h) return { kind: "unlinked", block: n, problem: "the node has no header for it" };
      const parent = n === from ? parentHash : headers.get(n - 1)?.hash;
      if (parent === undefined) continue;
      if (h.parentHash === ZERO_HASH) {
        if (!this.zeroParentSeen) {
          this.zeroParentSeen = true;
          this.log(`block ${n} reports a zero parent hash (as Hardhat's hardhat_mine leaves bulk-mined blocks); such blocks are checked by their own hashes only`);
        }
        continue;
      }
      if (h.parentHash !== parent) {
        return { kind: "unlinked", block: n, problem: `its parent hash is ${h.parentHash}, but block ${n - 1} has hash ${parent}` };
      }
    }
    return null;
  }

  /**
   * Marks the events relayed requests caused with their signer and relayer (indexer/relay.ts) and returns the
   * requests. Reads the senders of the transactions with forwarder logs only, in batches: none for a range without.
   * A transaction the node does not know, or knows in another block than its logs, is the chain moving: unlinked.
   */
  private async relayed(events: RangeEvents): Promise<RelayedRequest[] | Unlinked> {
    const txs = relayedTransactions(events.relayed);
    if (txs.size === 0) return [];
    const hashes = [...txs.keys()];
    const senders = new Map<string, string>();
    for (let i = 0; i < hashes.length; i += HEADER_BATCH) {
      const batch = hashes.slice(i, i + HEADER_BATCH);
      const answers = await this.rpc.getTransactions(batch);
      for (let j = 0; j < batch.length; j++) {
        const log = txs.get(batch[j])!;
        const t = answers[j];
        if (!t) return { kind: "unlinked", block: log.blockNumber, problem: `the node does not know its transaction ${batch[j]}` };
        if (t.blockHash?.toLowerCase() !== log.blockHash) {
          return {
            kind: "unlinked",
            block: log.blockNumber,
            problem: `its transaction ${batch[j]} is in block ${t.blockHash ?? "(none: pending)"} by the node's answer`,
          };
        }
        senders.set(batch[j], t.from);
      }
    }
    const requests = attributeRelayed(events.relayed, senders);
    events.noteRelayed();
    return requests;
  }

  /**
   * ERC-20 decimals and symbol of every token the range names; null where the token does not answer. Read once per
   * token and remembered: the projections use them only for a token's first row, and reading ahead of the writes
   * cannot know which tokens the index already has.
   */
  private async tokenMetadata(tokens: Set<string>): Promise<[string, TokenMeta][]> {
    const out = new Map<string, TokenMeta>();
    const coder = AbiCoder.defaultAbiCoder();
    const read = async (token: string, selector: string, type: string) => {
      try {
        return coder.decode([type], await this.rpc.ethCall(token, selector))[0];
      } catch (err) {
        if (err instanceof RpcUnreachable) throw err;
        return null; // not an ERC-20 with metadata
      }
    };
    for (const token of tokens) {
      let meta = this.tokenMeta.get(token);
      if (!meta) {
        const decimals = await read(token, "0x313ce567", "uint8");
        const symbol = await read(token, "0x95d89b41", "string");
        meta = { decimals: decimals === null ? null : Number(decimals), symbol };
        this.tokenMeta.set(token, meta);
      }
      out.set(token, meta);
    }
    return [...out];
  }
}
