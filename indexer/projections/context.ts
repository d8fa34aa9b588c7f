// What a projection handler gets for one event, and the handler shape. A handler writes its rows through the
// store (so they can be undone) and returns the asset the event concerns, for the raw event row.
import type { Args, DecodedLog } from "../decoder";
import type { Store } from "../store";

export interface TokenMeta {
  decimals: number | null;
  symbol: string | null;
}

export interface EventContext {
  store: Store;
  ev: DecodedLog;
  /** Block timestamp (unix seconds). */
  time: number;
  /** ERC-20 metadata of tokens this range mentions, read before the range's transaction. */
  tokens: Map<string, TokenMeta>;
}

export type Handler = (ctx: EventContext, a: Args) => number | null | void;
export type Handlers = Record<string, Handler>;

/** Exact arithmetic on the decimal strings amounts are stored as. */
export const plus = (a: string, b: string | number) => (BigInt(a) + BigInt(b)).toString();
export const minus = (a: string, b: string | number) => {
  const r = BigInt(a) - BigInt(b);
  if (r < 0n) throw new Error(`amount would go negative: ${a} - ${b}`);
  return r.toString();
};

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
export const ZERO_HASH = "0x" + "0".repeat(64);

/** Records a token the first time any event names it, with the ERC-20 metadata read before the range. */
export function noteToken(ctx: EventContext, address: string, allowed?: boolean): void {
  const known = ctx.store.get("tokens", { address });
  if (known) {
    if (allowed !== undefined) ctx.store.update("tokens", { address }, { allowed });
    return;
  }
  const meta = ctx.tokens.get(address);
  ctx.store.insert("tokens", { address, allowed: allowed ?? false, decimals: meta?.decimals ?? null, symbol: meta?.symbol ?? null });
}
