// A range's events, gathered as the reader decodes its logs. What the reader checks about them (chain order, the
// block hash each log names, which transactions were relayed) is noted as each is added, so that a reader thread can
// pack every chunk of 64 events for the writing thread the moment it is full: the decoded objects then die young.
// Kept as objects until the whole range was read, they outlived young-generation collections, which copied them and
// moved them to the old generation: a fifth of the reader thread's CPU in a backfill went to garbage collection.
//
// Block times and who signed and relayed a request are known only after the logs (from headers and transactions):
// they are set on each event as the writer iterates, from `times` and `marks`.
import { deserialize, serialize } from "node:v8";
import type { RangeEvent } from "./rangeReader";
import { isExecuted } from "./relay";

const CHUNK_EVENTS = 64;

/** A packed range's events as they cross to the writing thread (its chunks moved, not copied). */
export interface PackedEvents {
  chunks: Uint8Array[];
  count: number;
  times: [number, number][];
  marks: [number, Mark][];
}

/** Who signed and who relayed the request that caused an event. */
type Mark = { signer: string; relayer: string };

/** Where a log's block hash differs from the one an earlier log of its block named. */
export interface HashConflict {
  block: number;
  logIndex: number;
  hash: string;
  named: string;
}

export class RangeEvents implements Iterable<RangeEvent> {
  length = 0;
  /** Each block with logs: the hash its first log named. */
  readonly blockHashes = new Map<number, string>();
  conflict?: HashConflict;
  /** The events of the transactions with a forwarder ExecutedForwardRequest, in chain order, and their places. */
  readonly relayed: RangeEvent[] = [];
  private readonly relayedAt: number[] = [];
  private list: RangeEvent[] = [];
  private chunks: Uint8Array[] = [];
  private times = new Map<number, number>();
  private marks = new Map<number, Mark>();
  private ordered = true;
  private last = { block: -1, logIndex: -1 };
  private tx = { hash: "", start: 0, events: [] as RangeEvent[], relayed: false };

  /** `pack`: serialise each full chunk of events at once (a reader thread's); else keep them as objects. */
  private constructor(private readonly pack: boolean) {}

  static packing(): RangeEvents {
    return new RangeEvents(true);
  }

  static listing(): RangeEvents {
    return new RangeEvents(false);
  }

  /** The events a reader thread packed, on the writing thread. */
  static received(p: PackedEvents): RangeEvents {
    const events = new RangeEvents(true);
    events.chunks = p.chunks;
    events.length = p.count;
    events.times = new Map(p.times);
    events.marks = new Map(p.marks);
    return events;
  }

  add(ev: RangeEvent): void {
    const at = this.length++;
    if (ev.blockNumber < this.last.block || (ev.blockNumber === this.last.block && ev.logIndex <= this.last.logIndex)) this.ordered = false;
    this.last.block = ev.blockNumber;
    this.last.logIndex = ev.logIndex;
    const named = this.blockHashes.get(ev.blockNumber);
    if (named === undefined) this.blockHashes.set(ev.blockNumber, ev.blockHash);
    else if (named !== ev.blockHash) this.conflict ??= { block: ev.blockNumber, logIndex: ev.logIndex, hash: ev.blockHash, named };
    // A transaction's events are together in chain order: held until the next one begins, kept if it was relayed.
    if (ev.txHash !== this.tx.hash) {
      this.closeTransaction();
      this.tx.hash = ev.txHash;
      this.tx.start = at;
    }
    this.tx.events.push(ev);
    if (isExecuted(ev)) this.tx.relayed = true;
    this.list.push(ev);
    if (this.pack && this.list.length === CHUNK_EVENTS) this.flush();
  }

  /**
   * Called once all are added. Logs out of chain order (no node we know sends them so, but the order is what the
   * writes and the relayed-request attribution rely on) are sorted: read back, then added again.
   */
  end(): void {
    this.closeTransaction();
    if (this.ordered) return this.flush();
    const all = [...this.chunks.flatMap((c) => deserialize(c) as RangeEvent[]), ...this.list];
    all.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
    this.length = 0;
    this.list = [];
    this.chunks = [];
    this.blockHashes.clear();
    this.conflict = undefined;
    this.relayed.length = this.relayedAt.length = 0;
    this.ordered = true;
    this.last = { block: -1, logIndex: -1 };
    this.tx.hash = "";
    for (const ev of all) this.add(ev);
    this.end();
  }

  /** Sets the times of the blocks with logs, from their headers. */
  setTimes(time: (block: number) => number): void {
    for (const n of this.blockHashes.keys()) this.times.set(n, time(n));
  }

  /** Notes the signer and relayer that attribution (relay.ts) set on the relayed events. */
  noteRelayed(): void {
    this.relayed.forEach((ev, i) => {
      if (ev.signer !== undefined && ev.relayer !== undefined) this.marks.set(this.relayedAt[i], { signer: ev.signer, relayer: ev.relayer });
    });
  }

  /** For the writing thread: the chunks are moved with the message (transfer list: `wire.chunks`' buffers). */
  wire(): PackedEvents {
    if (!this.pack || this.list.length) throw new Error("only packed events, once ended, cross threads");
    return { chunks: this.chunks, count: this.length, times: [...this.times], marks: [...this.marks] };
  }

  *[Symbol.iterator](): Iterator<RangeEvent> {
    let at = 0;
    const each = (ev: RangeEvent) => {
      ev.time = this.times.get(ev.blockNumber) ?? ev.time;
      const mark = this.marks.get(at++);
      if (mark) Object.assign(ev, mark);
      return ev;
    };
    for (const chunk of this.chunks) for (const ev of deserialize(chunk) as RangeEvent[]) yield each(ev);
    for (const ev of this.list) yield each(ev);
  }

  private flush(): void {
    if (!this.pack || this.list.length === 0) return;
    const chunk = serialize(this.list);
    // Moved to the writing thread whole: a chunk must own its memory (never a slice of a shared pool).
    this.chunks.push(chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : new Uint8Array(chunk));
    this.list = [];
  }

  private closeTransaction(): void {
    const tx = this.tx;
    if (tx.relayed) {
      tx.events.forEach((ev, i) => {
        this.relayed.push(ev);
        this.relayedAt.push(tx.start + i);
      });
    }
    tx.events.length = 0;
    tx.relayed = false;
  }
}
