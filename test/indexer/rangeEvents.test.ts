// A range's events as the reader gathers them (indexer/rangeEvents.ts): packed on a reader thread as they come, or
// kept as objects on the writing thread, the writer must iterate the same events in chain order, with their block
// times and the signers and relayers of relayed requests set, however the node ordered the logs.
import { expect } from "chai";
import { RangeEvents } from "../../indexer/rangeEvents";
import type { RangeEvent } from "../../indexer/rangeReader";
import { attributeRelayed } from "../../indexer/relay";

const hash = (tag: string, n: number) => "0x" + tag + n.toString(16).padStart(63, "0");
const SIGNER = "0x" + "5".repeat(40);
const SENDER = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"; // as a node answers it
const RELAYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // checksummed, as stored

/**
 * About 300 events over 26 blocks, 3 transactions a block; every seventh transaction relayed, the first included: two
 * contract events, then the forwarder's ExecutedForwardRequest.
 */
function chainEvents(): RangeEvent[] {
  const out: RangeEvent[] = [];
  let tx = 0;
  for (let block = 100; out.length < 300; block++) {
    let logIndex = 0;
    for (let t = 0; t < 3 && out.length < 300; t++, tx++) {
      const relayed = tx % 7 === 0;
      for (let i = 0; i < (relayed ? 2 : 4); i++) out.push(event(block, logIndex++, tx, "DataAssetRegistry", "RegistrationSubmitted"));
      if (relayed) {
        const ev = event(block, logIndex++, tx, "RelayForwarder", "ExecutedForwardRequest");
        ev.args = { signer: SIGNER, nonce: String(tx), success: true };
        out.push(ev);
      }
    }
  }
  return out;
}

function event(block: number, logIndex: number, tx: number, contract: RangeEvent["contract"], name: string): RangeEvent {
  return {
    contract,
    address: "0x" + "1".repeat(40),
    name,
    argsJson: JSON.stringify({ block, logIndex }),
    blockNumber: block,
    blockHash: hash("b", block),
    time: 0,
    logIndex,
    txHash: hash("c", tx),
    txIndex: tx % 3,
  };
}

/**
 * Gathers `events` as a RangeReader does, with the block times and relayed requests set: the range as the writer
 * gets it, as the reader kept it (`read`), and the requests.
 */
function gather(events: RangeEvent[], pack: boolean) {
  const range = pack ? RangeEvents.packing() : RangeEvents.listing();
  for (const ev of events) range.add(structuredClone(ev));
  range.end();
  range.setTimes((n) => 1_700_000_000 + n * 12);
  const senders = new Map([...new Set(range.relayed.map((ev) => ev.txHash))].map((tx) => [tx, SENDER]));
  const requests = attributeRelayed(range.relayed, senders);
  range.noteRelayed();
  // A reader thread's events reach the writer as a structured clone of what wire() gives.
  return { range: pack ? RangeEvents.received(structuredClone(range.wire())) : range, read: range, requests };
}

/** What the writer must see: the events in chain order, timed, relayed ones marked. */
function expected(events: RangeEvent[]): RangeEvent[] {
  const sorted = events.map((ev) => ({ ...ev, time: 1_700_000_000 + ev.blockNumber * 12 }));
  sorted.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
  const byTx = new Map(sorted.filter((ev) => ev.name === "ExecutedForwardRequest").map((ev) => [ev.txHash, ev]));
  for (const ev of sorted) if (byTx.has(ev.txHash)) Object.assign(ev, { signer: SIGNER, relayer: RELAYER });
  return sorted;
}

describe("indexer: a range's events", () => {
  const events = chainEvents();

  for (const pack of [true, false]) {
    it(`${pack ? "packed for another thread" : "kept as objects"}: in chain order, timed, relayed ones marked`, () => {
      const { range, read, requests } = gather(events, pack);
      expect(range.length).to.equal(events.length);
      expect([...range]).to.deep.equal(expected(events));
      expect(requests.map((q) => [q.txHash, q.events, q.signer, q.relayer])).to.deep.equal(
        events.filter((ev) => ev.name === "ExecutedForwardRequest").map((ev) => [ev.txHash, 2, SIGNER, RELAYER]),
      );
      expect([...read.blockHashes]).to.deep.equal([...new Set(events.map((ev) => ev.blockNumber))].map((n) => [n, hash("b", n)]));
      expect(read.conflict).to.equal(undefined);
    });

    it(`${pack ? "packed" : "kept as objects"}: logs a node sent out of order come out in chain order, marks at their sorted places`, () => {
      let seed = 7;
      const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      const shuffled = [...events];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      // The last one sent is of the first transaction in chain order, which is relayed: sorting starts it afresh.
      const first = shuffled.findIndex((ev) => ev.txHash === events[0].txHash);
      shuffled.push(...shuffled.splice(first, 1));
      const { range, requests } = gather(shuffled, pack);
      expect([...range]).to.deep.equal(expected(events));
      expect(requests).to.deep.equal(gather(events, pack).requests);
    });
  }

  it("notes a log that names another hash for its block than the block's earlier logs", () => {
    const range = RangeEvents.packing();
    const forged = events.slice(0, 10).map((ev) => structuredClone(ev));
    forged[6].blockHash = hash("f", 1);
    for (const ev of forged) range.add(ev);
    range.end();
    expect(range.conflict).to.deep.equal({ block: forged[6].blockNumber, logIndex: forged[6].logIndex, hash: hash("f", 1), named: forged[0].blockHash });
  });

  it("crosses threads only packed and ended", () => {
    expect(() => RangeEvents.listing().wire()).to.throw(/only packed events/);
    const range = RangeEvents.packing();
    range.add(structuredClone(events[0]));
    expect(() => range.wire()).to.throw(/only packed events/);
    range.end();
    expect(range.wire().count).to.equal(1);
  });
});
