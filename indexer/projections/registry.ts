// DataAssetRegistry events -> registrars, assets, versions, lineage, royalty tables, objections.
import { AssetKind, Grade, SourceType, UpdateFrequency, nameOf } from "../enums";
import type { Handlers } from "./context";

const end = (status: string, at: number, reason: string) => ({ status, ended_at: at, end_reason: reason });

export const registry: Handlers = {
  RegistrarAdded: ({ store }, a) =>
    store.insert("registrars", { id: a.registrarId, code: a.code, notice_period: a.noticePeriod, active: 1 }),

  RegistrarUpdated: ({ store }, a) =>
    store.update("registrars", { id: a.registrarId }, { code: a.code, notice_period: a.noticePeriod, active: a.active }),

  RegistrationSubmitted: ({ store, ev }, a) => {
    const s = a.submission;
    const id = Number(a.assetId);
    store.insert("assets", {
      id,
      applicant: a.applicant,
      registrar_id: a.registrarId,
      status: "InNotice",
      name: s.name,
      kind: nameOf(AssetKind, s.kind),
      source_type: nameOf(SourceType, s.sourceType),
      grade: nameOf(Grade, s.grade),
      metadata_uri: s.metadataURI,
      metadata_hash: s.metadataHash,
      source_evidence_hash: s.sourceEvidenceHash,
      records: s.records,
      size_bytes: s.sizeBytes,
      update_frequency: nameOf(UpdateFrequency, s.updateFrequency),
      validity_period: s.validityPeriod,
      content_hash: s.contentHash,
      version_count: 1,
      submitted_at: Number(a.submittedAt),
      notice_ends_at: Number(a.noticeEndsAt),
      submitted_block: ev.blockNumber,
      submitted_tx: ev.txHash,
    });
    store.insert("asset_versions", {
      asset_id: id,
      version: 1,
      content_hash: s.contentHash,
      metadata_hash: s.metadataHash,
      previous_content_hash: null,
      added_by: a.applicant,
      added_at: Number(a.submittedAt),
      block_number: ev.blockNumber,
      tx_hash: ev.txHash,
      log_index: ev.logIndex,
    });
    (s.parentIds as string[]).forEach((parent, i) =>
      store.insert("lineage", { child_id: id, parent_id: Number(parent), share_bps: s.parentSharesBps[i], position: i }),
    );
    (a.royalties as { assetId: string; share: string; depth: number }[]).forEach((r, i) =>
      store.insert("royalties", { asset_id: id, position: i, payee_asset_id: Number(r.assetId), share: r.share, depth: r.depth }),
    );
    return id;
  },

  ObjectionFiled: ({ store }, a) => {
    const assetId = Number(a.assetId);
    store.insert("objections", {
      id: Number(a.objectionId),
      asset_id: assetId,
      objector: a.objector,
      evidence_hash: a.evidenceHash,
      filed_at: Number(a.filedAt),
      open: 1,
    });
    const asset = store.get<{ open_objections: number }>("assets", { id: assetId }, ["open_objections"])!;
    store.update("assets", { id: assetId }, { open_objections: asset.open_objections + 1 });
    return assetId;
  },

  ObjectionResolved: ({ store }, a) => {
    const assetId = Number(a.assetId);
    store.update("objections", { id: Number(a.objectionId) }, {
      open: 0,
      upheld: a.upheld,
      resolver: a.resolver,
      resolution_hash: a.resolutionHash,
      resolved_at: Number(a.resolvedAt),
    });
    const asset = store.get<{ open_objections: number }>("assets", { id: assetId }, ["open_objections"])!;
    store.update("assets", { id: assetId }, { open_objections: asset.open_objections - 1 });
    return assetId; // an upheld objection's rejection comes as its own RegistrationRejected event
  },

  RegistrationApproved: ({ store }, a) => {
    const id = Number(a.assetId);
    store.update("assets", { id }, {
      status: "Active",
      registration_number: a.registrationNumber,
      holder: a.holder,
      approver: a.approver,
      approved_at: Number(a.approvedAt),
      valid_until: Number(a.validUntil),
    });
    return id;
  },

  RegistrationRejected: ({ store }, a) => {
    const id = Number(a.assetId);
    store.update("assets", { id }, end("Rejected", Number(a.rejectedAt), a.reason));
    return id;
  },

  VersionAdded: ({ store, ev }, a) => {
    const id = Number(a.assetId);
    // The event names only the new hash; the previous one is the asset's current hash, from its submission or
    // its last VersionAdded.
    const { content_hash: previous } = store.get<{ content_hash: string }>("assets", { id }, ["content_hash"])!;
    store.insert("asset_versions", {
      asset_id: id,
      version: a.version,
      content_hash: a.contentHash,
      metadata_hash: a.metadataHash,
      previous_content_hash: previous,
      added_by: a.by,
      added_at: Number(a.addedAt),
      block_number: ev.blockNumber,
      tx_hash: ev.txHash,
      log_index: ev.logIndex,
    });
    store.update("assets", { id }, { content_hash: a.contentHash, metadata_hash: a.metadataHash, version_count: a.version });
    return id;
  },

  // A registrar's batch approval left the asset as it was (the reason is an error selector): provenance only.
  ApprovalSkipped: (_ctx, a) => Number(a.assetId),

  RegistrationChanged: ({ store }, a) => {
    const id = Number(a.assetId);
    store.update("assets", { id }, {
      metadata_hash: a.metadataHash,
      metadata_uri: a.metadataURI,
      records: a.records,
      size_bytes: a.sizeBytes,
      update_frequency: nameOf(UpdateFrequency, a.updateFrequency),
    });
    return id;
  },

  HoldingTransferRequested: ({ store }, a) => {
    const id = Number(a.assetId);
    store.update("assets", { id }, { pending_transfer_to: a.to });
    return id;
  },

  HoldingTransferRequestCancelled: ({ store }, a) => {
    const id = Number(a.assetId);
    store.update("assets", { id }, { pending_transfer_to: null });
    return id;
  },

  HoldingTransferred: ({ store }, a) => {
    const id = Number(a.assetId);
    store.update("assets", { id }, { holder: a.to, pending_transfer_to: null });
    return id;
  },

  RegistrationCancelled: ({ store }, a) => {
    const id = Number(a.assetId);
    // Cancelling also drops any pending transfer request (the contract emits no separate event for it).
    store.update("assets", { id }, { ...end("Cancelled", Number(a.cancelledAt), a.reason), pending_transfer_to: null });
    return id;
  },

  RegistrationRenewed: ({ store }, a) => {
    const id = Number(a.assetId);
    store.update("assets", { id }, { valid_until: Number(a.validUntil) });
    return id;
  },

  // The certificate token is the asset: its mint and moves are mirrored by Approved/HoldingTransferred above.
  Transfer: (_ctx, a) => Number(a.tokenId),
  Approval: (_ctx, a) => Number(a.tokenId),
};
