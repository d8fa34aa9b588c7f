// Sending a transaction and reading what it did: every write waits for its receipt, and results (new ids, times,
// amounts) are read from the events the contracts emit, never guessed from counters that others may move.
import type { BaseContract, ContractTransactionReceipt, ContractTransactionResponse, Result } from "ethers";
import { DalError, EXIT } from "./exit";

/** Sends, waits for one confirmation, and insists the transaction succeeded. Errors (reverts found while estimating
 * gas, lost connections) propagate for main.ts to classify. */
export async function send(call: () => Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const tx = await call();
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new DalError(EXIT.REFUSED, `refused: transaction ${tx.hash} reverted`);
  return receipt;
}

/** The arguments of the first event `name` that `contract` emitted in `receipt`, if any. */
export function findEvent(receipt: ContractTransactionReceipt, contract: BaseContract, name: string): Result | undefined {
  const address = (contract.target as string).toLowerCase();
  for (const log of receipt.logs) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = contract.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed?.name === name) return parsed.args;
  }
  return undefined;
}

/** Like findEvent, for an event the call always emits: its absence is a bug, not the user's doing. */
export function eventOf(receipt: ContractTransactionReceipt, contract: BaseContract, name: string): Result {
  const found = findEvent(receipt, contract, name);
  if (!found) throw new DalError(EXIT.INTERNAL, `transaction ${receipt.hash} emitted no ${name} event`);
  return found;
}
