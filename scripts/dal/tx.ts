// Sending a transaction and reading what it did: every write waits for its receipt, and results (new ids, times,
// amounts) are read from the events the contracts emit, never guessed from counters that others may move.
import {
  Wallet,
  formatEther,
  type BaseContract,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  type Result,
  type TransactionRequest,
  type TransactionResponse,
} from "ethers";
import { DalError, EXIT } from "./exit";

/** How nodes say that an account cannot pay for gas (ethers' INSUFFICIENT_FUNDS; Hardhat's "Sender doesn't have
 * enough funds", which ethers fails to classify; geth's "insufficient funds"; Besu's "Upfront cost exceeds"). */
export function lacksGasFunds(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 6) return false;
  const e = err as Record<string, unknown>;
  if (e.code === "INSUFFICIENT_FUNDS") return true;
  if (typeof e.message === "string" && /insufficient funds|doesn't have enough funds|upfront cost exceeds/i.test(e.message)) return true;
  return ["error", "info", "data", "cause"].some((k) => lacksGasFunds(e[k], depth + 1));
}

/**
 * The signer of every command that writes: before a transaction goes out it checks that the account can pay the most
 * it may cost (gas limit x max fee, plus any value), and says the balance and the cost when it cannot (exit 6), where
 * nodes answer with messages ethers cannot classify.
 */
export class SigningWallet extends Wallet {
  override async sendTransaction(request: TransactionRequest): Promise<TransactionResponse> {
    const tx = await this.populateTransaction(request);
    const gas = BigInt(tx.gasLimit ?? 0);
    const fee = BigInt(tx.maxFeePerGas ?? tx.gasPrice ?? 0);
    const value = BigInt(tx.value ?? 0);
    const cost = gas * fee + value;
    const balance = await this.provider!.getBalance(this.address);
    const noFunds = () =>
      new DalError(
        EXIT.INSUFFICIENT,
        `insufficient gas funds: ${this.address} has ${formatEther(balance)} of the chain's native coin (${balance} wei); ` +
          `this transaction may cost up to ${formatEther(cost)} (${cost} wei: gas limit ${gas} x max fee ${fee} wei` +
          `${value ? ` + value ${value} wei` : ""}). Fund the account, or sign with one that has gas funds`,
      );
    if (balance < cost) throw noFunds();
    try {
      return await super.sendTransaction(tx as TransactionRequest);
    } catch (err) {
      if (lacksGasFunds(err)) throw noFunds();
      throw err;
    }
  }
}

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
