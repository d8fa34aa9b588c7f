// transfer request / show / approve / cancel: the holding right (the registration certificate) moves only with its
// registrar's approval. The holder requests a transfer to a recipient with evidence (a contract, a court order); the
// registrar reviews it and approves naming the same recipient and evidence, so a request changed after the review
// cannot slip through (the registry refuses: TransferRequestChanged); the holder may withdraw the request before.
import { ZeroAddress } from "ethers";
import { hashArg } from "./hash";
import { address, id } from "./parse";
import { Facts, cstTime } from "./report";
import type { Session } from "./session";
import { eventOf, send } from "./tx";

interface Reviewed {
  to: string;
  evidence: string;
}

export async function request(session: Session, assetIdText: string, o: Reviewed): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const to = address("--to", o.to);
  const evidenceHash = await hashArg("--evidence", o.evidence);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.registry.requestTransfer(assetId, to, evidenceHash));
  const requested = eventOf(receipt, chain.registry, "HoldingTransferRequested");
  session.facts(
    new Facts()
      .add("asset id", assetId)
      .add("from", requested.from)
      .add("to", requested.to)
      .add("evidence hash", evidenceHash)
      .add("requested at", cstTime(requested.requestedAt))
      .text("next", `the registrar reviews it and approves: dal transfer approve ${assetId} --to ${to} --evidence <the same file>`)
      .add("tx", receipt.hash),
  );
}

/** What the registrar reviews: the holder and the pending request, read from the registry (pendingTransferOf). */
export async function show(session: Session, assetIdText: string): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const chain = await session.chain();
  const asset = await chain.registry.assetOf(assetId); // an unknown asset is refused here, in words (UnknownAsset)
  const [to, evidenceHash] = await chain.registry.pendingTransferOf(assetId);
  const pending = to !== ZeroAddress;
  session.facts(
    new Facts()
      .add("asset id", assetId)
      .add("holder", asset.holder)
      .add("registrar", Number(asset.registrarId))
      .add("pending transfer", pending ? "yes" : "none", pending)
      .json("to", pending ? to : null)
      .json("evidenceHash", pending ? evidenceHash : null)
      .text("to", pending ? to : undefined)
      .text("evidence hash", pending ? evidenceHash : undefined),
  );
}

export async function approve(session: Session, assetIdText: string, o: Reviewed): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const to = address("--to", o.to);
  const evidenceHash = await hashArg("--evidence", o.evidence);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.registry.approveTransfer(assetId, to, evidenceHash));
  const moved = eventOf(receipt, chain.registry, "HoldingTransferred");
  session.facts(
    new Facts()
      .add("asset id", assetId)
      .add("from", moved.from)
      .add("to", moved.to)
      .add("evidence hash", evidenceHash)
      .add("approved by", moved.by)
      .add("transferred at", cstTime(moved.transferredAt))
      .add("tx", receipt.hash),
  );
}

export async function cancel(session: Session, assetIdText: string): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const { chain, as } = await session.writer();
  const [to] = await chain.registry.pendingTransferOf(assetId);
  const receipt = await send(() => as.registry.cancelTransferRequest(assetId));
  const cancelled = eventOf(receipt, chain.registry, "HoldingTransferRequestCancelled");
  session.facts(
    new Facts()
      .add("asset id", assetId)
      .add("cancelled request to", to)
      .add("cancelled at", cstTime(cancelled.cancelledAt))
      .add("tx", receipt.hash),
  );
}
