// verify: recompute the content hash locally and ask whether it is a registered version of the asset: from the API
// when it answers (it has versions with their times and chain coordinates), else straight from the registry (its
// content index and the asset's own events).
// Exit 0 on a match, 1 on a mismatch.
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { Api } from "./api";
import { EXIT, usage } from "./exit";
import { hashPath } from "./hash";
import { id, isHash } from "./parse";
import { terminalProgress } from "./progress";
import { Facts, cstTime } from "./report";
import type { Session } from "./session";

interface Verdict {
  matches: boolean;
  version?: number;
  current?: boolean;
  registeredAt?: string;
  tx?: string;
  currentHash?: string;
  elsewhere?: string;
  source: string;
}

interface ApiVerification {
  verifyContent: {
    matches: boolean;
    current: boolean;
    registeredToAssetId: string | null;
    version: { version: number; addedAt: string; chain: { txHash: string } } | null;
  };
  asset: { contentHash: string } | null;
  _meta: { caughtUp: boolean };
}

async function fromApi(api: Api, assetId: bigint, hash: string): Promise<Verdict & { caughtUp: boolean }> {
  const d = await api.query<ApiVerification>(
    `query ($id: ID!, $hash: String!) {
      verifyContent(assetId: $id, contentHash: $hash) { matches current registeredToAssetId version { version addedAt chain { txHash } } }
      asset(id: $id) { contentHash }
      _meta { caughtUp }
    }`,
    { id: assetId.toString(), hash },
  );
  const v = d.verifyContent;
  return {
    matches: v.matches,
    version: v.version?.version,
    current: v.current,
    registeredAt: v.version?.addedAt,
    tx: v.version?.chain.txHash,
    currentHash: d.asset?.contentHash,
    elsewhere: v.registeredToAssetId ?? undefined,
    source: `API ${api.url}`,
    caughtUp: d._meta.caughtUp,
  };
}

async function fromChain(session: Session, assetId: bigint, hash: string): Promise<Verdict> {
  const chain = await session.chain();
  if (assetId > (await chain.registry.assetCount())) throw usage(`assetId: no asset ${assetId} in the registry`);
  const asset = await chain.registry.assetOf(assetId);
  const source = `chain ${chain.chainId} via ${session.settings.rpcUrl}`;
  // The registry keeps only hash -> latest registration; an asset's hashes by version are in its own events.
  const { registry, record } = chain;
  const [submitted] = await registry.queryFilter(registry.filters.RegistrationSubmitted(assetId), record.startBlock);
  const added = await registry.queryFilter(registry.filters.VersionAdded(assetId), record.startBlock);
  const versions = [submitted.args.submission.contentHash, ...added.map((e) => e.args.contentHash)].map((h) => h.toLowerCase());
  const currentHash = versions[versions.length - 1];
  const [foundId, foundVersion, registeredAt] = await registry.findContent(hash);
  if (foundId === assetId) {
    return { matches: true, version: Number(foundVersion), current: foundVersion === asset.versionCount, registeredAt: cstTime(registeredAt), currentHash, source };
  }
  // findContent names the latest registration of a hash; an earlier, since-ended registration of this asset may
  // still hold it as a version.
  const v = versions.indexOf(hash);
  if (v >= 0) return { matches: true, version: v + 1, current: v + 1 === versions.length, currentHash, source };
  return { matches: false, currentHash, elsewhere: foundId === 0n ? undefined : foundId.toString(), source };
}

export async function verify(session: Session, assetIdText: string, target: string): Promise<number> {
  const assetId = id("assetId", assetIdText);
  const given = isHash(target) && !existsSync(target);
  const hash = given
    ? target.toLowerCase()
    : (await hashPath(target, terminalProgress(`hashing ${basename(resolve(target))}`))).hash;

  const api = new Api(session.settings.apiUrl);
  let verdict: Verdict;
  if (await api.reachable()) {
    const answer = await fromApi(api, assetId, hash);
    // An index still catching up may not have the newest version yet: confirm a "no" on the chain itself.
    verdict = answer.matches || answer.caughtUp ? answer : await fromChain(session, assetId, hash);
  } else {
    verdict = await fromChain(session, assetId, hash);
  }

  const facts = new Facts()
    .add("result", verdict.matches ? "MATCH" : "MISMATCH")
    .add("asset id", assetId)
    .add("content hash", hash);
  if (verdict.matches) {
    facts
      .add("version", `${verdict.version}${verdict.current ? " (current)" : " (superseded)"}`)
      .add("registered at", verdict.registeredAt)
      .add("tx", verdict.tx);
  } else {
    facts
      .add("current hash", verdict.currentHash)
      .add("note", verdict.elsewhere ? `this content is registered to asset ${verdict.elsewhere}, not ${assetId}` : `no version of asset ${assetId} has this hash`);
  }
  session.facts(facts.add("source", verdict.source));
  return verdict.matches ? EXIT.OK : EXIT.MISMATCH;
}
