// Relayed actions: which events a relayed (ERC-2771) request caused, who signed it and who relayed it.
//
// The RelayForwarder (OpenZeppelin's ERC2771Forwarder) calls the target with the signer appended, then emits
// ExecutedForwardRequest(signer, nonce, success). So within a transaction, the contract events of one relayed request
// are the ones after the previous ExecutedForwardRequest (or the transaction's start) and before its own; events after
// the transaction's last ExecutedForwardRequest were not relayed. A failed request (success = false) reverted its
// call: no events of its own. The relayer is the transaction's sender (`from`), read only for transactions that
// contain forwarder logs, so a chain without relayed transactions costs no extra RPC call.
//
// Limit: a contract event the relayer's transaction causes directly (not through the forwarder) before a forwarded
// call in the same transaction would be taken for that request's: only a relayer contract that also calls our
// contracts itself could do that; logs alone cannot tell, and the relay service and `dal relay` never do.
import { getAddress } from "ethers";
import type { RangeEvent } from "./rangeReader";

/** One request the forwarder executed, as stored in relayed_requests. */
export interface RelayedRequest {
  blockNumber: number;
  blockHash: string;
  txHash: string;
  txIndex: number;
  logIndex: number;
  signer: string;
  /** uint256, as a decimal string. */
  nonce: string;
  success: boolean;
  relayer: string;
  /** Contract events the request caused. */
  events: number;
}

// Events as a range carries them: only the forwarder's keep their arguments as objects, and only those are read here.
export const isExecuted = (ev: RangeEvent) => ev.contract === "RelayForwarder" && ev.name === "ExecutedForwardRequest";

/**
 * The transactions with an ExecutedForwardRequest, each with one of its logs (for its block): the only ones whose
 * sender is read.
 */
export function relayedTransactions(events: RangeEvent[]): Map<string, RangeEvent> {
  const out = new Map<string, RangeEvent>();
  for (const ev of events) if (isExecuted(ev) && !out.has(ev.txHash)) out.set(ev.txHash, ev);
  return out;
}

/**
 * Sets signer and relayer on every event a relayed request caused (and on the ExecutedForwardRequest itself) and
 * returns the requests, oldest first. `events` are in chain order, each transaction's whole (those of the other
 * transactions may be left out: rangeEvents.ts keeps only the relayed ones); `senders` maps each relayed transaction
 * to its sender.
 */
export function attributeRelayed(events: RangeEvent[], senders: Map<string, string>): RelayedRequest[] {
  const requests: RelayedRequest[] = [];
  let tx = "";
  let current: RelayedRequest | null = null;
  // Backwards: each event belongs to the first ExecutedForwardRequest after it in its transaction.
  for (let i = events.length - 1; i >= 0; i--) {
    const ev = events[i];
    if (ev.txHash !== tx) {
      tx = ev.txHash;
      current = null;
    }
    const from = senders.get(ev.txHash);
    if (from === undefined) continue;
    const relayer = getAddress(from);
    if (isExecuted(ev)) {
      if (!ev.args) throw new Error(`the forwarder's ExecutedForwardRequest in ${ev.txHash} came without its arguments`);
      current = {
        blockNumber: ev.blockNumber,
        blockHash: ev.blockHash,
        txHash: ev.txHash,
        txIndex: ev.txIndex,
        logIndex: ev.logIndex,
        signer: ev.args.signer,
        nonce: String(ev.args.nonce),
        success: ev.args.success === true,
        relayer,
        events: 0,
      };
      requests.push(current);
      ev.signer = current.signer;
      ev.relayer = relayer;
    } else if (current && ev.contract !== "RelayForwarder") {
      ev.signer = current.signer;
      ev.relayer = relayer;
      current.events++;
    }
  }
  return requests.reverse();
}
