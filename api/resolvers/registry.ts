// Registrations: assets, versions, lineage, royalty tables, objections, content verification, provenance.
import type { GraphQLResolveInfo } from "graphql";
import { prepared, type Context, type Row } from "../context";
import { assetColumnsAt } from "./assetColumns";
import { AssetKind } from "../../indexer/enums";
import { address, badInput, enumName, hash32, id, iso, pageSize } from "../inputs";
import { decodeCursor, page } from "../pagination";
import { eventArguments } from "../eventArguments";

const STATUS_IN = { IN_NOTICE: "InNotice", REJECTED: "Rejected", ACTIVE: "Active", CANCELLED: "Cancelled" } as const;
const STATUS_OUT: Record<string, string> = Object.fromEntries(Object.entries(STATUS_IN).map(([k, v]) => [v, k]));

/** The registry's isActive(id, at): approved, within validity, and not cancelled by then. */
export function assetActiveAt(a: Row, at: number): boolean {
  if (a.approved_at === null || at < a.approved_at || at > a.valid_until) return false;
  return !(a.status === "Cancelled" && at >= a.ended_at);
}

/**
 * The raw event `name` (or at `logIndex`) of the transaction `tx` in block `block`, batched per request. `assetId`
 * or `arg` pick the right one where a transaction has several of that name (a batch, or a relayer's batch of
 * several signers' requests).
 */
export async function eventOf(
  ctx: Context,
  block: number,
  tx: string,
  match: { name?: string; logIndex?: number; assetId?: number; arg?: [string, number] },
): Promise<Row> {
  const events = await ctx.loaders.eventsOfTx.load(`${block}:${tx}`);
  const ev = events.find(
    (e) =>
      (match.name === undefined || e.name === match.name) &&
      (match.logIndex === undefined || e.log_index === match.logIndex) &&
      (match.assetId === undefined || e.asset_id === match.assetId) &&
      (match.arg === undefined || Number(JSON.parse(e.args)[match.arg[0]]) === match.arg[1]),
  );
  if (!ev) throw new Error(`no ${JSON.stringify(match)} event in ${tx} (block ${block})`);
  return ev;
}

/** The ChainRef of a raw event row. */
export const eventRef = (e: Row) => ({
  txHash: e.tx_hash,
  blockNumber: e.block_number,
  blockHash: e.block_hash,
  logIndex: e.log_index,
  time: iso(e.block_time),
  signedBy: e.signer ?? null,
  relayedBy: e.relayer ?? null,
});

const CATEGORY: Record<string, string> = {
  RegistrationSubmitted: "Registration",
  RegistrationApproved: "Registration",
  RegistrationRejected: "Registration",
  RegistrationCancelled: "Registration",
  RegistrationRenewed: "Registration",
  ObjectionFiled: "Objection",
  ObjectionResolved: "Objection",
  VersionAdded: "Version",
  RegistrationChanged: "Change",
  HoldingTransferRequested: "Transfer",
  HoldingTransferRequestCancelled: "Transfer",
  HoldingTransferred: "Transfer",
  Transfer: "Transfer",
  RightGranted: "Rights",
  RightRevoked: "Rights",
  Listed: "Listing",
  ListingUpdated: "Listing",
  Ordered: "Trade",
  Delivered: "Trade",
  Disputed: "Trade",
  DisputeResolved: "Trade",
  Refunded: "Trade",
  Settled: "Trade",
  ComplianceAttested: "Attestation",
  QualityAttested: "Attestation",
  AppraisalAttested: "Attestation",
  AttestationRevoked: "Attestation",
  BookOpened: "Accounting",
  CostRecorded: "Accounting",
  ReadyForUse: "Accounting",
  ImpairmentRecorded: "Accounting",
  WriteDownReversed: "Accounting",
  Derecognised: "Accounting",
  PledgeFiled: "Pledge",
  PledgeWithdrawn: "Pledge",
  PledgeAccepted: "Pledge",
  PledgeChanged: "Pledge",
  PledgeReleased: "Pledge",
  PledgeConsented: "Pledge",
  PledgeObjected: "Pledge",
  PledgeObjectionResolved: "Pledge",
  PledgeDefaulted: "Pledge",
  SaleAuthorised: "Pledge",
  EnforcementListed: "Pledge",
  EnforcementWithdrawn: "Pledge",
  PledgeEnforced: "Pledge",
  EncumbranceChanged: "Pledge",
  CertificateEncumbranceChanged: "Pledge",
  ProceedsApplied: "Trade",
  ProceedsRouted: "Trade",
};

export const registryQueries = {
  asset: (_: unknown, args: { id: string }, ctx: Context) => ctx.loaders.asset.load(id("id", args.id)),

  assets: (
    _: unknown,
    args: { where?: Record<string, any> | null; first?: number; after?: string | null; orderBy?: "ID_ASC" | "ID_DESC" },
    ctx: Context,
    info: GraphQLResolveInfo,
  ) => {
    const first = pageSize(args.first);
    const after = decodeCursor(args.after);
    const where: string[] = [];
    const params: unknown[] = [];
    const w = args.where ?? {};
    if (w.status) (where.push("status = ?"), params.push(STATUS_IN[w.status as keyof typeof STATUS_IN]));
    if (w.registrarId !== undefined && w.registrarId !== null) (where.push("registrar_id = ?"), params.push(w.registrarId));
    if (w.holder) (where.push("holder = ?"), params.push(address("where.holder", w.holder)));
    if (w.applicant) (where.push("applicant = ?"), params.push(address("where.applicant", w.applicant)));
    if (w.kind) (where.push("kind = ?"), params.push(enumName("where.kind", w.kind, AssetKind)));
    if (w.nameContains) (where.push("instr(lower(name), lower(?)) > 0"), params.push(w.nameContains));
    if (w.registrationNumber) (where.push("registration_number = ?"), params.push(String(w.registrationNumber).trim().toUpperCase()));
    if (w.contentHash) {
      where.push("id IN (SELECT asset_id FROM asset_versions WHERE content_hash = ?)");
      params.push(hash32("where.contentHash", w.contentHash));
    }
    const desc = args.orderBy === "ID_DESC";
    const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
    // Counted only when asked for: a getter (compiled queries read properties, api/jit.ts).
    const count = () => (prepared(ctx.db, `SELECT count(*) AS n FROM assets ${filter}`).get(...params) as { n: number }).n;
    const keyset = after === null ? [] : [desc ? "id < ?" : "id > ?"];
    const all = [...where, ...keyset];
    // The nodes' fields decide the columns read: a list's, or all of them (api/resolvers/assetColumns.ts).
    const columns = assetColumnsAt(info, ["nodes"])?.join(", ") ?? "*";
    const rows = prepared(
      ctx.db,
      `SELECT ${columns} FROM assets ${all.length ? `WHERE ${all.join(" AND ")}` : ""} ORDER BY id ${desc ? "DESC" : "ASC"} LIMIT ?`,
    ).all(...params, ...(after === null ? [] : [after]), first + 1) as Row[];
    return { ...page(rows, first, (r) => r.id), get totalCount() { return count(); } };
  },

  verifyContent: async (_: unknown, args: { assetId: string; contentHash: string }, ctx: Context) => {
    const assetId = id("assetId", args.assetId);
    const contentHash = hash32("contentHash", args.contentHash);
    const asset = await ctx.loaders.asset.load(assetId);
    if (!asset) throw badAsset(assetId);
    const versions = await ctx.loaders.versions.load(assetId);
    const match = versions.find((v) => v.content_hash === contentHash) ?? null;
    const elsewhere = match
      ? null
      : (prepared(ctx.db, "SELECT asset_id FROM asset_versions WHERE content_hash = ? LIMIT 1").get(contentHash) as { asset_id: number } | undefined);
    return {
      assetId,
      contentHash,
      matches: match !== null,
      version: match,
      current: match !== null && match.content_hash === asset.content_hash,
      registeredToAssetId: elsewhere?.asset_id ?? null,
    };
  },

  provenance: async (_: unknown, args: { assetId: string; first?: number; after?: string | null }, ctx: Context) => {
    const assetId = id("assetId", args.assetId);
    if (!(await ctx.loaders.asset.load(assetId))) throw badAsset(assetId);
    const first = pageSize(args.first, 100);
    // The cursor is the event's place on the chain (block x 2^20 + log index), not its row id: the same on every
    // replica, whatever order its rows were written in.
    const after = decodeCursor(args.after) ?? -1;
    const [block, log] = after < 0 ? [-1, 0] : [Math.floor(after / EVENT_KEY), after % EVENT_KEY];
    const rows = prepared(
      ctx.db,
      "SELECT * FROM events WHERE asset_id = ? AND (block_number, log_index) > (?, ?) ORDER BY block_number, log_index LIMIT ?",
    ).all(assetId, block, log, first + 1) as Row[];
    const count = () => (prepared(ctx.db, "SELECT count(*) AS n FROM events WHERE asset_id = ?").get(assetId) as { n: number }).n;
    return { ...page(rows, first, (r) => r.block_number * EVENT_KEY + r.log_index), get totalCount() { return count(); } };
  },
};

/** Log indexes within a block stay below 2^20 (a block holds at most ~15,000 logs at 30M gas); blocks below 2^33. */
const EVENT_KEY = 2 ** 20;

export const badAsset = (assetId: number) => badInput(`assetId: no asset ${assetId} in the registry`);

export const registryTypes = {
  Asset: {
    status: (a: Row) => STATUS_OUT[a.status],
    validNow: (a: Row, _: unknown, ctx: Context) => assetActiveAt(a, ctx.now),
    registrar: (a: Row, _: unknown, ctx: Context) => ctx.loaders.registrars().get(a.registrar_id),
    registrationNumber: (a: Row) => a.registration_number,
    sourceType: (a: Row) => a.source_type,
    pendingTransferTo: (a: Row) => a.pending_transfer_to,
    submittedAt: (a: Row) => iso(a.submitted_at),
    noticeEndsAt: (a: Row) => iso(a.notice_ends_at),
    approvedAt: (a: Row) => iso(a.approved_at),
    validUntil: (a: Row) => iso(a.valid_until),
    endedAt: (a: Row) => iso(a.ended_at),
    endReason: (a: Row) => a.end_reason,
    openObjections: (a: Row) => a.open_objections,
    metadataURI: (a: Row) => a.metadata_uri,
    metadataHash: (a: Row) => a.metadata_hash,
    sourceEvidenceHash: (a: Row) => a.source_evidence_hash,
    sizeBytes: (a: Row) => a.size_bytes,
    updateFrequency: (a: Row) => a.update_frequency,
    contentHash: (a: Row) => a.content_hash,
    versions: (a: Row, _: unknown, ctx: Context) => ctx.loaders.versions.load(a.id),
    parents: async (a: Row, _: unknown, ctx: Context) =>
      (await ctx.loaders.parents.load(a.id)).map((l) => ({ assetId: l.parent_id, shareBps: l.share_bps })),
    children: async (a: Row, _: unknown, ctx: Context) =>
      (await ctx.loaders.children.load(a.id)).map((l) => ({ assetId: l.child_id, shareBps: l.share_bps })),
    royalties: (a: Row, _: unknown, ctx: Context) => ctx.loaders.royalties.load(a.id),
    objections: (a: Row, _: unknown, ctx: Context) => ctx.loaders.objections.load(a.id),
    certificates: (a: Row, _: unknown, ctx: Context) => ctx.loaders.certificatesOfAsset.load(a.id),
    submission: async (a: Row, _: unknown, ctx: Context) =>
      eventRef(await eventOf(ctx, a.submitted_block, a.submitted_tx, { name: "RegistrationSubmitted", assetId: a.id })),
  },
  Registrar: {
    noticePeriodSeconds: (r: Row) => r.notice_period,
    active: (r: Row) => r.active === 1,
  },
  AssetVersion: {
    contentHash: (v: Row) => v.content_hash,
    metadataHash: (v: Row) => v.metadata_hash,
    previousContentHash: (v: Row) => v.previous_content_hash,
    addedBy: (v: Row) => v.added_by,
    addedAt: (v: Row) => iso(v.added_at),
    current: async (v: Row, _: unknown, ctx: Context) => (await ctx.loaders.asset.load(v.asset_id))?.version_count === v.version,
    chain: async (v: Row, _: unknown, ctx: Context) => eventRef(await eventOf(ctx, v.block_number, v.tx_hash, { logIndex: v.log_index })),
  },
  LineageLink: {
    asset: (l: { assetId: number }, _: unknown, ctx: Context) => ctx.loaders.asset.load(l.assetId),
  },
  RoyaltyLine: {
    asset: (r: Row, _: unknown, ctx: Context) => ctx.loaders.asset.load(r.payee_asset_id),
    // share / 1e16 as a percentage with 6 decimals, exactly (truncated): share * 100 / 1e16 = share / 1e14.
    percent: (r: Row) => {
      const micro = BigInt(r.share) / 10n ** 8n; // millionths of a percent
      return `${micro / 1_000_000n}.${(micro % 1_000_000n).toString().padStart(6, "0")}`;
    },
  },
  Objection: {
    evidenceHash: (o: Row) => o.evidence_hash,
    filedAt: (o: Row) => iso(o.filed_at),
    open: (o: Row) => o.open === 1,
    upheld: (o: Row) => (o.upheld === null ? null : o.upheld === 1),
    resolutionHash: (o: Row) => o.resolution_hash,
    resolvedAt: (o: Row) => iso(o.resolved_at),
  },
  ProvenanceEvent: {
    category: (e: Row) => CATEGORY[e.name] ?? "Other",
    arguments: (e: Row) => eventArguments(e.contract, e.name, e.args),
    signedBy: (e: Row) => e.signer ?? null,
    relayedBy: (e: Row) => e.relayer ?? null,
    chain: eventRef,
  },
};
