// Routes each decoded event to its contract's projection handlers (AccessControl/Pausable ones are shared).
import type { ContractName } from "../decoder";
import { access } from "./access";
import type { EventContext, Handlers } from "./context";
import { exchange } from "./exchange";
import { ledger } from "./ledger";
import { registry } from "./registry";
import { rights } from "./rights";

const BY_CONTRACT: Record<ContractName, Handlers> = {
  DataAssetRegistry: registry,
  RightsCertificate: rights,
  DataExchange: exchange,
  AssetLedger: ledger,
};

/** Applies one event to the projections; returns the asset it concerns (null if none). */
export function project(ctx: EventContext): number | null {
  const handler = BY_CONTRACT[ctx.ev.contract][ctx.ev.name] ?? access[ctx.ev.name];
  const assetId = handler ? handler(ctx, ctx.ev.args) : null;
  return typeof assetId === "number" ? assetId : null;
}

/** Token addresses whose ERC-20 metadata an event needs before it can be projected. */
export function tokensMentioned(name: string, args: Record<string, any>): string[] {
  if (name === "TokenAllowed") return [args.token];
  return [];
}
export type { TokenMeta } from "./context";
