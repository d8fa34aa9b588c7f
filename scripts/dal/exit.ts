// Exit codes and the one error type commands throw: scripts and CI branch on the code, people read the message.
// Anything else thrown (ethers, fetch, Node) is classified here, so no command has to know how each library fails.

export const EXIT = {
  OK: 0,
  /** `verify`: the data matches no registered version. */
  MISMATCH: 1,
  /** Bad flag or argument, malformed address / amount / date / id, or input the API rejected. */
  USAGE: 2,
  /** The RPC or the API cannot be reached. */
  UNREACHABLE: 3,
  /** The deployment record is missing, invalid, or for another chain than RPC_URL's. */
  WRONG_CHAIN: 4,
  /** The contract refused the transaction (its custom error is decoded into words). */
  REFUSED: 5,
  /** Not enough tokens, allowance, gas funds, or nothing to withdraw. */
  INSUFFICIENT: 6,
  /** No signing key, an unreadable keystore, or a wrong keystore password. */
  KEY: 7,
  /** Not sent: a safeguard of dal's own refused before anything went to the chain (the price is above --max-price;
   * a second open book for the same entity, asset and category without --allow-duplicate; approve --all-due by a key
   * that operates no registrar; refund of an order no refund applies to). The contract was never asked, so this is
   * not 5. */
  NOT_SENT: 8,
  /** `verify`: the data matches a registered version, but the registration is not in force (in notice, rejected,
   * cancelled or expired); the printed status says which. */
  NOT_IN_FORCE: 9,
  /** Anything unexpected (a bug or a failing service); DAL_DEBUG=1 prints the stack. */
  INTERNAL: 10,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table `dal --help` prints; keep it next to the codes it documents. */
export const EXIT_HELP = `Exit codes:
  0  success
  1  verify: the data matches no registered version of the asset
  2  usage error: bad flag or argument, malformed address, amount, date or id (or rejected by the API)
  3  cannot reach the RPC (RPC_URL) or the API (API_URL)
  4  wrong chain: the deployment record is missing, invalid, or for another chain id than the RPC's
  5  refused: the contract reverted (its custom error is decoded and said in words)
  6  insufficient token balance, allowance or gas funds (the balance and the cost are said), or nothing to withdraw
  7  key problem: no DAL_PRIVATE_KEY or keystore, unreadable keystore, wrong password
  8  not sent: refused by a check of dal's own before sending (price above --max-price; a second open book for the
     same entity, asset and category without --allow-duplicate; approve --all-due by a key that operates no
     registrar; refund of an order in a state no refund applies to)
  9  verify: the data matches, but the registration is not in force (in notice, rejected, cancelled or expired)
  10 unexpected error (DAL_DEBUG=1 prints details)`;

export class DalError extends Error {
  constructor(
    readonly code: ExitCode,
    message: string,
  ) {
    super(message);
  }
}

export const usage = (message: string) => new DalError(EXIT.USAGE, message);

/** Walks an error and its causes for a Node network error code (fetch wraps the socket error in `cause`). */
function networkCode(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== "object" || depth > 5) return undefined;
  const e = err as { code?: unknown; cause?: unknown; error?: unknown };
  if (typeof e.code === "string" && /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/.test(e.code)) {
    return e.code;
  }
  return networkCode(e.cause, depth + 1) ?? networkCode(e.error, depth + 1);
}

/** True when `err` means the other end could not be reached (refused, reset, DNS, timeout, aborted fetch). */
export function isUnreachable(err: unknown): boolean {
  if (networkCode(err)) return true;
  const e = err as { name?: string; code?: string; message?: string };
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return true;
  if (e?.code === "TIMEOUT" || e?.code === "NETWORK_ERROR") return true;
  return typeof e?.message === "string" && /fetch failed|ECONNREFUSED|socket hang up/.test(e.message);
}
