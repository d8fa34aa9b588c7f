// RightsCertificate events -> certificates (processing-use and product-operation rights) with their validity.
import { RightKind, nameOf } from "../enums";
import type { Store } from "../store";
import { ZERO_ADDRESS, type Handlers } from "./context";

const assetOfCert = (store: Store, certId: number) =>
  store.get<{ asset_id: number }>("certificates", { id: certId }, ["asset_id"])?.asset_id ?? null;

/**
 * The log index of each mint's Transfer(0, holder, certId) not yet followed by its RightGranted, by transaction and
 * certificate: the Transfer precedes the RightGranted in the same transaction, so when the Transfer is written the
 * certificate's asset is not yet known.
 */
const mints = new WeakMap<Store, Map<string, number>>();
const mintsOf = (store: Store) => mints.get(store) ?? mints.set(store, new Map()).get(store)!;

/**
 * Gives the mint's raw event row its asset now, so that the asset's provenance has every log. No undo entry is
 * needed: both rows are of one block, which a reorg deletes whole.
 */
function tagMint(store: Store, blockNumber: number, txHash: string, certId: string, assetId: number): void {
  const key = `${txHash}:${certId}`;
  const logIndex = mintsOf(store).get(key);
  if (logIndex === undefined) throw new Error(`certificate ${certId} granted in transaction ${txHash} without its mint's Transfer before it`);
  mintsOf(store).delete(key);
  store.prepared("UPDATE events SET asset_id = ? WHERE block_number = ? AND log_index = ?").run(assetId, blockNumber, logIndex);
}

export const rights: Handlers = {
  RightGranted: ({ store, ev }, a) => {
    const t = a.terms;
    const assetId = Number(a.assetId);
    tagMint(store, ev.blockNumber, ev.txHash, String(a.certId), assetId);
    store.insert("certificates", {
      id: Number(a.certId),
      asset_id: assetId,
      kind: nameOf(RightKind, t.kind),
      holder: a.holder,
      grantor: a.grantor,
      issued_by: a.issuedBy,
      parent_id: t.parentId === "0" ? null : Number(t.parentId),
      depth: a.depth,
      scope_hash: t.scopeHash,
      scope_mask: t.scopeMask,
      valid_from: Number(t.validFrom),
      valid_until: Number(t.validUntil),
      sublicensable: t.sublicensable,
      transferable: t.transferable,
      granted_at: Number(a.grantedAt),
    });
    return assetId;
  },

  RightRevoked: ({ store }, a) => {
    store.update("certificates", { id: Number(a.certId) }, { revoked_at: Number(a.revokedAt), revoked_by: a.by, revoke_reason: a.reason });
    return Number(a.assetId);
  },

  // A mint's Transfer precedes its RightGranted (which records the holder); later Transfers move the certificate: its
  // holder's transfer, or the exchange's sale of it (a HoldingTransfer listing with it as seller certificate, an
  // enforcement sale of its pledge included), whose settlement leaves the asset's holder as it was.
  Transfer: ({ store, ev }, a) => {
    const id = Number(a.tokenId);
    if (a.from === ZERO_ADDRESS) {
      mintsOf(store).set(`${ev.txHash}:${a.tokenId}`, ev.logIndex);
      return null;
    }
    return store.updateReturning<number>("certificates", { id }, { holder: a.to }, "asset_id");
  },

  Approval: ({ store }, a) => assetOfCert(store, Number(a.tokenId)),
};
