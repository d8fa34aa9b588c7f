// verify: recompute the content hash locally and ask whether it is a registered version of the asset: from the API
// when it answers (it has versions with their times and chain coordinates), else (or with --chain-only) straight from
// the registry (its content index and the asset's own events). Beside the verdict goes the registration's status:
// a match on a registration in notice, rejected, cancelled or expired is not a registered asset in force.
// Exit 0 on a match with the registration in force, 9 on a match with it not in force, 1 on a mismatch.
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { Status as ChainStatus } from "../../indexer/enums";
import { Api } from "./api";
import { readRecord } from "./env";
import { DalError, EXIT, usage } from "./exit";
import { hashPath } from "./hash";
import { id, isHash } from "./parse";
import { terminalProgress } from "./progress";
import { Facts, cstTime, type Json } from "./report";
import type { Session } from "./session";

/** Where a registration stands: in force only when approved and not expired (nor cancelled). */
type State = "in-notice" | "approved" | "rejected" | "cancelled" | "expired";

interface Status {
  state: State;
  inForce: boolean;
  openObjections: number;
  registrationNumber: string | null;
  noticeEndsAt: string;
  validUntil: string | null;
  endedAt: string | null;
}

interface Verdict {
  matches: boolean;
  version?: number;
  current?: boolean;
  registeredAt?: string;
  tx?: string;
  currentHash?: string;
  elsewhere?: string;
  status: Status;
  source: string;
  chain: { chainId: number; record: string | null; note?: string };
}

/** The status as a person reads it, with what makes it so (dates UTC+8, objections). */
function describe(s: Status): string {
  const objections = s.openObjections ? `, ${s.openObjections} open objection${s.openObjections > 1 ? "s" : ""}` : "";
  switch (s.state) {
    case "approved":
      return `approved (${s.registrationNumber}), valid until ${s.validUntil}${objections}`;
    case "in-notice":
      return `in notice until ${s.noticeEndsAt}${objections}; not approved`;
    case "rejected":
      return `rejected at ${s.endedAt}; not approved`;
    case "cancelled":
      return `cancelled at ${s.endedAt} (${s.registrationNumber ?? "never approved"})`;
    case "expired":
      return `expired: valid until ${s.validUntil} (${s.registrationNumber})`;
  }
}

const STATE_WORDS: Record<State, string> = {
  "in-notice": "in notice, not approved",
  approved: "approved",
  rejected: "rejected",
  cancelled: "cancelled",
  expired: "expired",
};

interface ApiVerification {
  verifyContent: {
    matches: boolean;
    current: boolean;
    registeredToAssetId: string | null;
    version: { version: number; addedAt: string; chain: { txHash: string } } | null;
  };
  asset: {
    contentHash: string;
    status: "IN_NOTICE" | "REJECTED" | "ACTIVE" | "CANCELLED";
    validNow: boolean;
    registrationNumber: string | null;
    noticeEndsAt: string;
    validUntil: string | null;
    endedAt: string | null;
    openObjections: number;
  } | null;
  _meta: { caughtUp: boolean; chainId: number };
}

async function fromApi(api: Api, assetId: bigint, hash: string) {
  const d = await api.query<ApiVerification>(
    `query ($id: ID!, $hash: String!) {
      verifyContent(assetId: $id, contentHash: $hash) { matches current registeredToAssetId version { version addedAt chain { txHash } } }
      asset(id: $id) { contentHash status validNow registrationNumber noticeEndsAt validUntil endedAt openObjections }
      _meta { caughtUp chainId }
    }`,
    { id: assetId.toString(), hash },
  );
  const v = d.verifyContent;
  const a = d.asset;
  const state: State | undefined = !a
    ? undefined
    : a.status === "IN_NOTICE"
      ? "in-notice"
      : a.status === "REJECTED"
        ? "rejected"
        : a.status === "CANCELLED"
          ? "cancelled"
          : a.validNow
            ? "approved"
            : "expired";
  return {
    caughtUp: d._meta.caughtUp,
    chainId: d._meta.chainId,
    verdict: !a
      ? undefined
      : {
          matches: v.matches,
          version: v.version?.version,
          current: v.current,
          registeredAt: v.version?.addedAt,
          tx: v.version?.chain.txHash,
          currentHash: a.contentHash,
          elsewhere: v.registeredToAssetId ?? undefined,
          status: {
            state: state!,
            inForce: state === "approved",
            openObjections: a.openObjections,
            registrationNumber: a.registrationNumber,
            noticeEndsAt: a.noticeEndsAt,
            validUntil: a.validUntil,
            endedAt: a.endedAt,
          },
          source: `API ${api.url}`,
        },
  };
}

async function fromChain(session: Session, assetId: bigint, hash: string): Promise<Verdict> {
  const chain = await session.chain();
  if (assetId > (await chain.registry.assetCount())) throw usage(`assetId: no asset ${assetId} in the registry`);
  const asset = await chain.registry.assetOf(assetId);
  const source = `chain ${chain.chainId} via ${session.settings.rpcUrl}`;
  // Expiry is judged by the chain's clock, as the contracts judge it.
  const now = BigInt((await chain.provider.getBlock("latest"))!.timestamp);
  const named = ChainStatus[Number(asset.status)];
  const state: State =
    named === "InNotice" ? "in-notice" : named === "Rejected" ? "rejected" : named === "Cancelled" ? "cancelled" : now > asset.validUntil ? "expired" : "approved";
  const status: Status = {
    state,
    inForce: state === "approved",
    openObjections: Number(asset.openObjections),
    registrationNumber: asset.approvedAt === 0n ? null : await chain.registry.registrationNumber(assetId),
    noticeEndsAt: cstTime(asset.noticeEndsAt),
    validUntil: asset.approvedAt === 0n ? null : cstTime(asset.validUntil),
    endedAt: asset.endedAt === 0n ? null : cstTime(asset.endedAt),
  };
  const chainRef = { chainId: chain.chainId, record: chain.record.file };
  // The registry keeps only hash -> latest registration; an asset's hashes by version are in its own events.
  const { registry, record } = chain;
  const [submitted] = await registry.queryFilter(registry.filters.RegistrationSubmitted(assetId), record.startBlock);
  const added = await registry.queryFilter(registry.filters.VersionAdded(assetId), record.startBlock);
  const versions = [submitted.args.submission.contentHash, ...added.map((e) => e.args.contentHash)].map((h) => h.toLowerCase());
  const currentHash = versions[versions.length - 1];
  const [foundId, foundVersion, registeredAt] = await registry.findContent(hash);
  const common = { currentHash, status, source, chain: chainRef };
  if (foundId === assetId) {
    return { matches: true, version: Number(foundVersion), current: foundVersion === asset.versionCount, registeredAt: cstTime(registeredAt), ...common };
  }
  // findContent names the latest registration of a hash; an earlier, since-ended registration of this asset may
  // still hold it as a version.
  const v = versions.indexOf(hash);
  if (v >= 0) return { matches: true, version: v + 1, current: v + 1 === versions.length, ...common };
  return { matches: false, elsewhere: foundId === 0n ? undefined : foundId.toString(), ...common };
}

/** The chain the deployment record is for (DEPLOYMENT, else the record of the RPC's chain), to hold the API's answer
 * against; undefined with the reason when there is no record to compare with. */
async function recordedChain(session: Session): Promise<{ chainId?: number; file?: string; why?: string }> {
  if (session.settings.deployment) {
    const record = readRecord(session.settings.deployment);
    return { chainId: record.chainId, file: record.file };
  }
  try {
    const chain = await session.chain();
    return { chainId: chain.chainId, file: chain.record.file };
  } catch (err) {
    if (err instanceof DalError) return { why: err.message };
    throw err;
  }
}

export async function verify(session: Session, assetIdText: string, target: string, o: { chainOnly?: boolean } = {}): Promise<number> {
  const assetId = id("assetId", assetIdText);
  const given = isHash(target) && !existsSync(target);
  const hash = given
    ? target.toLowerCase()
    : (await hashPath(target, terminalProgress(`hashing ${basename(resolve(target))}`))).hash;

  const api = new Api(session.settings.apiUrl);
  let verdict: Verdict;
  if (!o.chainOnly && (await api.reachable())) {
    const answer = await fromApi(api, assetId, hash);
    // An API indexing another chain than the deployment record's speaks of other assets under the same ids.
    const recorded = await recordedChain(session);
    if (recorded.chainId !== undefined && recorded.chainId !== answer.chainId) {
      throw new DalError(
        EXIT.WRONG_CHAIN,
        `wrong chain: the API at ${api.url} serves chain ${answer.chainId}, but the deployment record ${recorded.file} is for chain ` +
          `${recorded.chainId}; its answer would be about another registry. Set API_URL to the API of chain ${recorded.chainId}, or use --chain-only`,
      );
    }
    const chainRef = {
      chainId: answer.chainId,
      record: recorded.file ?? null,
      note: recorded.chainId === undefined ? `not checked against a deployment record (${recorded.why})` : undefined,
    };
    // An index still catching up may not have the asset or its newest version yet: ask the chain itself then.
    if (answer.verdict && (answer.verdict.matches || answer.caughtUp)) verdict = { ...answer.verdict, chain: chainRef };
    else if (!answer.verdict && answer.caughtUp) throw usage(`assetId: no asset ${assetId} in the index of ${api.url}`);
    else verdict = await fromChain(session, assetId, hash);
  } else {
    verdict = await fromChain(session, assetId, hash);
  }

  const s = verdict.status;
  const result = !verdict.matches ? "MISMATCH" : s.inForce ? "MATCH" : `MATCH, but the registration is NOT IN FORCE (${STATE_WORDS[s.state]})`;
  const statusJson: Json = { ...s };
  const facts = new Facts()
    .add("result", result, verdict.matches ? "MATCH" : "MISMATCH")
    .json("matches", verdict.matches)
    .json("inForce", s.inForce)
    .add("status", describe(s), statusJson)
    .add("asset id", assetId)
    .add("content hash", hash);
  if (verdict.matches) {
    facts
      .add("version", `${verdict.version}${verdict.current ? " (current)" : " (superseded)"}`, { version: verdict.version!, current: !!verdict.current })
      .add("registered at", verdict.registeredAt)
      .add("tx", verdict.tx);
  } else {
    facts
      .add("current hash", verdict.currentHash)
      .json("registeredToAssetId", verdict.elsewhere ?? null)
      .text("note", verdict.elsewhere ? `this content is registered to asset ${verdict.elsewhere}, not ${assetId}` : `no version of asset ${assetId} has this hash`);
  }
  const c = verdict.chain;
  facts
    .add("source", verdict.source)
    .add("chain", c.note ? `${c.chainId} (${c.note})` : `${c.chainId} (deployment record ${c.record})`, { chainId: c.chainId, deploymentRecord: c.record, checked: !c.note });
  session.facts(facts);
  return !verdict.matches ? EXIT.MISMATCH : s.inForce ? EXIT.OK : EXIT.NOT_IN_FORCE;
}
