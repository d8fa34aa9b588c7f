// Where a transaction's gas goes: its storage writes, read from the Hardhat node's opcode trace
// (debug_traceTransaction). A slot set from zero costs 20,000 gas (22,100 when cold), an update of a written slot
// 2,900 (5,000 cold), a slot written again in the same transaction 100. The trace gives the cost of each SSTORE,
// so the writes are classified by it; the frame stack gives which contract wrote.
import hre from "hardhat";

export interface SlotCounts {
  /** Slots set from zero (the dear ones). */
  created: number;
  /** Written slots given a new non-zero value. */
  updated: number;
  /** Slots set to zero (refunded in part). */
  cleared: number;
}

export interface StorageWrites extends SlotCounts {
  /** Slots written again within the transaction (cheap). */
  rewritten: number;
  /** Gas charged for all SSTOREs, before refunds. */
  gas: number;
  /** The same counts by contract name. */
  byContract: Record<string, SlotCounts>;
}

interface StructLog {
  op: string;
  gasCost: number;
  depth: number;
  stack?: string[];
}

const CALLS = new Set(["CALL", "STATICCALL", "CALLCODE"]);
/** Stack words come as hex, with or without 0x depending on the node. */
const word = (w: string) => BigInt(w.startsWith("0x") ? w : "0x" + w);

/** Classifies every SSTORE of `txHash`; `names` maps lower-case contract addresses to names. */
export async function storageWrites(txHash: string, to: string, names: Record<string, string>): Promise<StorageWrites> {
  const trace = (await hre.network.provider.request({
    method: "debug_traceTransaction",
    params: [txHash, { disableMemory: true, disableStorage: true }],
  })) as { structLogs: StructLog[] };
  const out: StorageWrites = { created: 0, updated: 0, cleared: 0, rewritten: 0, gas: 0, byContract: {} };
  // frames[d - 1] is the storage owner at depth d: DELEGATECALL keeps the caller's storage.
  const frames: string[] = [to.toLowerCase()];
  let pendingCallee: string | undefined;
  for (const log of trace.structLogs) {
    if (log.depth > frames.length) frames.push(pendingCallee ?? frames[frames.length - 1]);
    while (log.depth < frames.length) frames.pop();
    pendingCallee = undefined;
    const stack = log.stack ?? [];
    if (CALLS.has(log.op)) pendingCallee = "0x" + word(stack[stack.length - 2]).toString(16).padStart(40, "0");
    if (log.op !== "SSTORE") continue;
    const owner = frames[frames.length - 1];
    const name = names[owner] ?? owner;
    const c = (out.byContract[name] ??= { created: 0, updated: 0, cleared: 0 });
    const value = word(stack[stack.length - 2]);
    out.gas += log.gasCost;
    if (log.gasCost >= 20_000) {
      out.created++;
      c.created++;
    } else if (log.gasCost >= 2_900 && value === 0n) {
      out.cleared++;
      c.cleared++;
    } else if (log.gasCost >= 2_900) {
      out.updated++;
      c.updated++;
    } else out.rewritten++;
  }
  return out;
}
