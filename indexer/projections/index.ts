// Routes each decoded event to its contract's projection handlers (AccessControl/Pausable ones are shared).
import type { ContractName } from "../deployment";
import { access } from "./access";
import type { EventContext, Handlers } from "./context";
import { exchange } from "./exchange";
import { ledger } from "./ledger";
import { pledges } from "./pledges";
import { registry } from "./registry";
import { rights } from "./rights";

const BY_CONTRACT: Record<ContractName, Handlers> = {
  DataAssetRegistry: registry,
  RightsCertificate: rights,
  DataExchange: exchange,
  AssetLedger: ledger,
  // The forwarder's ExecutedForwardRequest projects into relayed_requests, written by the indexer with the relayer
  // (the transaction's sender) it reads for it; the events it caused carry signer and relayer (indexer/relay.ts).
  RelayForwarder: {},
  PledgeRegistry: pledges,
};

/** Applies one event to the projections; returns the asset it concerns (null if none). */
export function project(ctx: EventContext): number | null {
  const handler = BY_CONTRACT[ctx.ev.contract][ctx.ev.name] ?? access[ctx.ev.name];
  const assetId = handler ? handler(ctx, ctx.ev.args) : null;
  return typeof assetId === "number" ? assetId : null;
}

/** The token an event names (its ERC-20 metadata is read before the range's transaction), if any. */
export function tokenMentioned(name: string, args: Record<string, any>): string | null {
  if (name === "TokenAllowed") return args.token;
  if (name === "BookOpened" || name === "AppraisalAttested") return args.currency;
  if (name === "PledgeFiled") return args.terms?.token ?? null;
  return null;
}
export type { TokenMeta } from "./context";
export { keepPositions } from "./ledger";
