// Decodes raw logs by the event fragments of the contracts' TypeChain interfaces into plain JSON-able values
// (abi.ts): integers up to 48 bits (enums, ids, bps, uint40 times) become numbers, wider ones (uint64 times,
// uint128/uint256 amounts) decimal strings, so nothing is ever rounded; addresses checksummed, bytes lowercase hex.
import { EventFragment, Interface, getAddress } from "ethers";
import { decodeEvent } from "./abi";
import {
  AssetLedger__factory,
  DataAssetRegistry__factory,
  DataExchange__factory,
  PledgeRegistry__factory,
  RelayForwarder__factory,
  RightsCertificate__factory,
} from "../typechain-types";
import type { RpcLog } from "./rpc";

import { CONTRACTS, type ContractName } from "./deployment";

const INTERFACES: Record<ContractName, Interface> = {
  DataAssetRegistry: DataAssetRegistry__factory.createInterface() as unknown as Interface,
  RightsCertificate: RightsCertificate__factory.createInterface() as unknown as Interface,
  DataExchange: DataExchange__factory.createInterface() as unknown as Interface,
  AssetLedger: AssetLedger__factory.createInterface() as unknown as Interface,
  RelayForwarder: RelayForwarder__factory.createInterface() as unknown as Interface,
  PledgeRegistry: PledgeRegistry__factory.createInterface() as unknown as Interface,
};

export type Args = Record<string, any>;

export interface DecodedLog {
  contract: ContractName;
  address: string;
  name: string;
  args: Args;
  /** The arguments' JSON text, as the events table stores it. */
  argsJson: string;
  blockNumber: number;
  blockHash: string;
  /** The block's time (unix seconds). */
  time: number;
  logIndex: number;
  txHash: string;
  txIndex: number;
  /**
   * Set for an event a relayed request caused (and for the forwarder's ExecutedForwardRequest itself): the request's
   * signer, whom the contracts took as the actor, and the transaction's sender, who relayed it. Unset: direct.
   */
  signer?: string;
  relayer?: string;
}

/** `given` lowercased, as the last time if it is the same text. */
function same(last: { given: string; lower: string }, given: string): string {
  if (given !== last.given) {
    last.given = given;
    last.lower = given.toLowerCase();
  }
  return last.lower;
}

export class Decoder {
  private readonly byAddress = new Map<string, { contract: ContractName; address: string; events: Map<string, EventFragment> }>();
  // The last block hash and transaction hash, as given and lowercased: the events of one block (or transaction)
  // then share one string each, rather than keeping one per event alive until their range is written.
  private block = { given: "", lower: "" };
  private tx = { given: "", lower: "" };

  constructor(addresses: Record<ContractName, string>) {
    for (const contract of CONTRACTS) {
      const iface = INTERFACES[contract];
      const events = new Map<string, EventFragment>();
      iface.forEachEvent((f) => events.set(f.topicHash, f));
      this.byAddress.set(addresses[contract].toLowerCase(), { contract, address: getAddress(addresses[contract]), events });
    }
  }

  /** A log of a block of time `time`, decoded. Built as one object literal: every event then has the same shape. */
  decode(log: RpcLog, time: number): DecodedLog {
    const known = this.byAddress.get(log.address.toLowerCase());
    if (!known) throw new Error(`log from unexpected address ${log.address}`);
    const fragment = known.events.get(log.topics[0]?.toLowerCase() ?? "");
    // An event this build has no ABI for is kept verbatim rather than dropped.
    const args = fragment ? decodeEvent(fragment, log.topics, log.data) : { topics: log.topics, data: log.data };
    return {
      contract: known.contract,
      address: known.address,
      name: fragment ? fragment.name : "Unknown",
      args,
      argsJson: JSON.stringify(args),
      blockNumber: Number(log.blockNumber),
      blockHash: same(this.block, log.blockHash),
      time,
      logIndex: Number(log.logIndex),
      txHash: same(this.tx, log.transactionHash),
      txIndex: Number(log.transactionIndex),
    };
  }
}
