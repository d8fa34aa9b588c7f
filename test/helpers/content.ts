// An asset's content hashes by version, read back from its registry events: the registry itself keeps only
// hash -> latest registration (findContent), so tests that check an index against the chain read the events.
import type { DataAssetRegistry } from "../../typechain-types";

export async function contentHashesOf(registry: DataAssetRegistry, assetId: bigint | number | string): Promise<string[]> {
  const [submitted] = await registry.queryFilter(registry.filters.RegistrationSubmitted(assetId));
  if (!submitted) throw new Error(`asset ${assetId} was never submitted`);
  const added = await registry.queryFilter(registry.filters.VersionAdded(assetId));
  return [submitted.args.submission.contentHash, ...added.map((e) => e.args.contentHash)];
}

/** The hash of an asset's latest version. */
export async function currentContentHash(registry: DataAssetRegistry, assetId: bigint | number | string): Promise<string> {
  return (await contentHashesOf(registry, assetId)).at(-1)!;
}
