// RightsCertificate events -> certificates (processing-use and product-operation rights) with their validity.
import { RightKind, nameOf } from "../enums";
import type { Store } from "../store";
import { ZERO_ADDRESS, type Handlers } from "./context";

const assetOfCert = (store: Store, certId: number) =>
  store.get<{ asset_id: number }>("certificates", { id: certId })?.asset_id ?? null;

export const rights: Handlers = {
  RightGranted: ({ store }, a) => {
    const t = a.terms;
    const assetId = Number(a.assetId);
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

  // A mint's Transfer precedes its RightGranted (which records the holder); later Transfers move the certificate.
  Transfer: ({ store }, a) => {
    const id = Number(a.tokenId);
    if (a.from === ZERO_ADDRESS) return null;
    return store.update<{ asset_id: number }>("certificates", { id }, { holder: a.to }).asset_id;
  },

  Approval: ({ store }, a) => assetOfCert(store, Number(a.tokenId)),
};
