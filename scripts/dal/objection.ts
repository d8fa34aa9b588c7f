// objection uphold / dismiss: the asset's registrar resolves an objection (异议) filed during the public notice.
// Upheld stops the registration (it is rejected); dismissed unblocks its approval. The objection is named by its id
// (what `dal object` prints), or by its asset with --asset when that asset has exactly one open objection: with
// several, each needs its own ruling, so dal lists them and asks for an id rather than guess.
import { Status } from "../../indexer/enums";
import type { Chain } from "./env";
import { usage } from "./exit";
import { hashArg } from "./hash";
import { id } from "./parse";
import { Facts, cstTime } from "./report";
import type { Session } from "./session";
import { eventOf, send } from "./tx";

export interface ResolveOptions {
  asset?: string;
  resolution: string;
}

/** The open objections to an asset, oldest first, from its ObjectionFiled events and the registry's current state. */
async function openObjections(chain: Chain, assetId: bigint): Promise<{ id: bigint; objector: string }[]> {
  const { registry, record } = chain;
  const filed = await registry.queryFilter(registry.filters.ObjectionFiled(undefined, assetId), record.startBlock);
  const open = [];
  for (const e of filed) {
    const o = await registry.objectionOf(e.args.objectionId);
    if (o.open) open.push({ id: e.args.objectionId, objector: o.objector });
  }
  return open;
}

async function resolveObjection(session: Session, upheld: boolean, objectionIdText: string | undefined, o: ResolveOptions): Promise<void> {
  const verb = upheld ? "uphold" : "dismiss";
  if ((objectionIdText === undefined) === (o.asset === undefined)) {
    throw usage(`name the objection by its id (dal objection ${verb} <objectionId>), or its asset with --asset <assetId> when it has one open objection; not both`);
  }
  const namedId = objectionIdText === undefined ? undefined : id("objectionId", objectionIdText);
  const assetFlag = o.asset === undefined ? undefined : id("--asset", o.asset);
  const resolutionHash = await hashArg("--resolution", o.resolution);
  const { chain, as } = await session.writer();

  let objectionId: bigint;
  if (namedId !== undefined) {
    objectionId = namedId;
  } else {
    await chain.registry.assetOf(assetFlag!); // an unknown asset is refused here, in words (UnknownAsset)
    const open = await openObjections(chain, assetFlag!);
    if (open.length === 0) throw usage(`--asset: asset ${assetFlag} has no open objection`);
    if (open.length > 1) {
      throw usage(
        `--asset: asset ${assetFlag} has ${open.length} open objections (${open.map((x) => `${x.id} by ${x.objector}`).join(", ")}); ` +
          `each needs its own ruling: dal objection ${verb} <objectionId> --resolution <file>`,
      );
    }
    objectionId = open[0].id;
  }
  // An unknown objection is refused here, in words (UnknownObjection).
  const objection = await chain.registry.objectionOf(objectionId);
  const receipt = await send(() => as.registry.resolveObjection(objectionId, upheld, resolutionHash));
  const resolved = eventOf(receipt, chain.registry, "ObjectionResolved");
  const assetId = resolved.assetId as bigint;
  const asset = await chain.registry.assetOf(assetId);
  const status = Status[Number(asset.status)];
  const left = Number(asset.openObjections);
  const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  let consequence: string;
  if (upheld && status === "Rejected") consequence = "the registration is rejected (objection upheld)";
  else if (status !== "InNotice") consequence = `the registration is ${status}`;
  else if (left > 0) consequence = `${left} open objection${left > 1 ? "s" : ""} left before it can be approved`;
  else if (asset.noticeEndsAt > now) consequence = `no open objection left; approvable after the notice ends at ${cstTime(asset.noticeEndsAt)}`;
  else consequence = `no open objection left; approvable now: dal approve ${assetId}`;
  session.facts(
    new Facts()
      .add("objection id", objectionId)
      .add("asset id", assetId)
      .add("objector", objection.objector)
      .add("ruling", upheld ? "upheld" : "dismissed")
      .json("upheld", upheld)
      .add("resolution hash", resolutionHash)
      .add("resolved at", cstTime(resolved.resolvedAt))
      .add("registration", consequence, { status, openObjections: left, noticeEndsAt: cstTime(asset.noticeEndsAt) })
      .add("tx", receipt.hash),
  );
}

export const uphold = (session: Session, objectionId: string | undefined, o: ResolveOptions) => resolveObjection(session, true, objectionId, o);
export const dismiss = (session: Session, objectionId: string | undefined, o: ResolveOptions) => resolveObjection(session, false, objectionId, o);
