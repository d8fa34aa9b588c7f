// Registration commands: register (hash locally, submit, start the public notice), approve (the registrar, after
// the notice; --all-due in approvals.ts), object (anyone, during the notice), reject (the registrar, during it),
// add-version (the holder), renew (the registrar) and cancel (注销: holder or registrar; the applicant withdraws).
import { basename, resolve } from "node:path";
import { ZeroHash } from "ethers";
import { Grade, SourceType, Status, UpdateFrequency, AssetKind } from "../../indexer/enums";
import { canonicalJson, hashArg, hashPath, jsonFile, sha256Hex, type ContentHash, type Progress } from "./hash";
import type { IDataAssetRegistry } from "../../typechain-types/contracts/DataAssetRegistry";
import { dayEnd, id, integer, ordinal, parent, small } from "./parse";
import { terminalProgress } from "./progress";
import { Facts, cstTime, type Json } from "./report";
import type { Session } from "./session";
import { eventOf, send } from "./tx";
import { usage } from "./exit";

export interface RegisterOptions {
  name?: string;
  kind: string;
  source: string;
  sourceEvidence?: string;
  grade: string;
  registrar: string;
  validityDays: string;
  records?: string;
  size?: string;
  update: string;
  metadataUri: string;
  metadata?: string;
  parent?: string[];
}

const UINT64 = 2n ** 64n - 1n;

/** The "hashed" fact of a registration or version: how the content hash was computed, for people and for JSON. */
function hashed(content: ContentHash): [string, Json] {
  const file = content.kind === "file";
  return [
    file ? `file, ${content.bytes} bytes (SHA-256)` : `directory, ${content.files} files, ${content.bytes} bytes (dal-merkle-v1 root)`,
    { kind: content.kind, algorithm: file ? "sha256" : "dal-merkle-v1", files: content.files, bytes: content.bytes.toString() },
  ];
}

/** What `register` submits for one file or directory: checked options, the local hash, the metadata. */
export interface Prepared {
  submission: IDataAssetRegistry.SubmissionStruct;
  content: ContentHash;
  metadataHash: string;
  generated?: string;
}

/** Checks every option, then hashes `path` (the long part) and builds its submission; nothing touches the network. */
export async function prepareSubmission(path: string, o: RegisterOptions, progress?: Progress): Promise<Prepared> {
  const kind = ordinal(AssetKind, "--kind", o.kind);
  const sourceType = ordinal(SourceType, "--source", o.source);
  const grade = ordinal(Grade, "--grade", o.grade);
  const updateFrequency = ordinal(UpdateFrequency, "--update", o.update);
  const registrarId = small("--registrar", o.registrar, 1, 65_535);
  const validityDays = small("--validity-days", o.validityDays, 1, 49_710); // uint32 seconds
  const records = o.records === undefined ? 0n : integer("--records", o.records, 0n, UINT64);
  const parents = (o.parent ?? []).map(parent);
  if (new Set(parents.map((p) => p.id)).size !== parents.length) throw usage("--parent: the same asset is named twice");
  const metadataFile = o.metadata ? await jsonFile("--metadata", o.metadata) : undefined;
  const sourceEvidenceHash = o.sourceEvidence ? await hashArg("--source-evidence", o.sourceEvidence) : ZeroHash;

  const content = await hashPath(path, progress);
  const sizeBytes = o.size === undefined ? content.bytes : integer("--size", o.size, 0n, UINT64);
  const fromMetadata = metadataFile?.value.name;
  const name = o.name ?? (typeof fromMetadata === "string" ? fromMetadata : basename(resolve(path)));
  if (!name.trim()) throw usage("--name: the name is empty");

  // Without --metadata, the registration describes itself: a canonical JSON document of what was submitted, whose
  // hash goes on chain. It is printed so that it can be published at --metadata-uri.
  const generated = metadataFile
    ? undefined
    : canonicalJson({
        schema: "dal-metadata-v1",
        name,
        kind: AssetKind[kind],
        sourceType: SourceType[sourceType],
        grade: Grade[grade],
        records: records.toString(),
        sizeBytes: sizeBytes.toString(),
        updateFrequency: UpdateFrequency[updateFrequency],
        contentHash: content.hash,
        contentHashing: content.kind === "file" ? "sha256" : "dal-merkle-v1",
        files: content.files,
      });
  const metadataHash = metadataFile?.hash ?? sha256Hex(generated!);
  const submission = {
    contentHash: content.hash,
    metadataHash,
    metadataURI: o.metadataUri,
    name,
    kind,
    sourceType,
    sourceEvidenceHash,
    grade,
    records,
    sizeBytes,
    updateFrequency,
    registrarId,
    validityPeriod: validityDays * 86_400,
    parentIds: parents.map((p) => p.id),
    parentSharesBps: parents.map((p) => p.bps),
  };
  return { submission, content, metadataHash, generated };
}

export async function register(session: Session, path: string | undefined, o: RegisterOptions & { manifest?: string; batchSize?: string; signDir?: string }): Promise<number | void> {
  if (o.manifest) {
    if (path !== undefined) throw usage("give a path or --manifest, not both");
    return (await import("./manifest")).registerManifest(session, o.manifest, o);
  }
  if (path === undefined) throw usage("give the file or directory to register, or --manifest <catalogue.csv>");
  const { submission, content, metadataHash, generated } = await prepareSubmission(path, o, terminalProgress(`hashing ${basename(resolve(path))}`));
  const registrarId = Number(submission.registrarId);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.registry.submit(submission));
  const submitted = eventOf(receipt, chain.registry, "RegistrationSubmitted");
  session.facts(
    new Facts()
      .add("asset id", submitted.assetId)
      .add("content hash", content.hash)
      .add("hashed", ...hashed(content))
      .add("metadata hash", metadataHash)
      .add("metadata document", generated)
      .add("registrar", registrarId)
      .add("notice ends", cstTime(submitted.noticeEndsAt))
      .add("tx", receipt.hash),
  );
}

export interface ApproveOptions {
  allDue?: boolean;
  registrar?: string;
  dryRun?: boolean;
  chainOnly?: boolean;
}

export async function approve(session: Session, assetIdText: string | undefined, o: ApproveOptions = {}): Promise<number | void> {
  if (o.allDue) {
    if (assetIdText !== undefined) throw usage("give an asset id or --all-due, not both");
    return (await import("./approvals")).approveAllDue(session, o);
  }
  if (assetIdText === undefined) throw usage("name the asset to approve, or pass --all-due for every registration whose notice has ended");
  if (o.registrar !== undefined || o.dryRun || o.chainOnly) throw usage("--registrar, --dry-run and --chain-only go with --all-due");
  const assetId = id("assetId", assetIdText);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.registry.approveRegistration(assetId));
  const approved = eventOf(receipt, chain.registry, "RegistrationApproved");
  session.facts(
    new Facts()
      .add("asset id", assetId)
      .add("registration number", approved.registrationNumber)
      .add("holder", approved.holder)
      .add("approved at", cstTime(approved.approvedAt))
      .add("valid until", cstTime(approved.validUntil))
      .add("tx", receipt.hash),
  );
}

export async function object(session: Session, assetIdText: string, o: { evidence: string }): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const evidenceHash = await hashArg("--evidence", o.evidence);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.registry.object(assetId, evidenceHash));
  const filed = eventOf(receipt, chain.registry, "ObjectionFiled");
  session.facts(
    new Facts()
      .add("objection id", filed.objectionId)
      .add("asset id", assetId)
      .add("evidence hash", evidenceHash)
      .add("filed at", cstTime(filed.filedAt))
      .add("tx", receipt.hash),
  );
}

/** The registrar refuses a registration in notice (with or without objections), with its reason. */
export async function reject(session: Session, assetIdText: string, o: { reason: string }): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const reason = text("--reason", o.reason);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.registry.rejectRegistration(assetId, reason));
  const rejected = eventOf(receipt, chain.registry, "RegistrationRejected");
  session.facts(
    new Facts()
      .add("asset id", assetId)
      .add("status", "Rejected")
      .add("reason", reason)
      .add("rejected by", rejected.by)
      .add("rejected at", cstTime(rejected.rejectedAt))
      .add("tx", receipt.hash),
  );
}

/**
 * The holder registers new content (a file or directory, hashed as `register` hashes it) that supersedes the current
 * version; earlier versions stay verifiable. Without --metadata the version describes itself in a generated document
 * whose hash goes on chain, printed for publishing.
 */
export async function addVersion(session: Session, assetIdText: string, path: string, o: { metadata?: string }): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const metadataFile = o.metadata ? await jsonFile("--metadata", o.metadata) : undefined;
  const content = await hashPath(path, terminalProgress(`hashing ${basename(resolve(path))}`));
  const generated = metadataFile
    ? undefined
    : canonicalJson({
        schema: "dal-version-v1",
        assetId: assetId.toString(),
        contentHash: content.hash,
        contentHashing: content.kind === "file" ? "sha256" : "dal-merkle-v1",
        files: content.files,
        sizeBytes: content.bytes.toString(),
      });
  const metadataHash = metadataFile?.hash ?? sha256Hex(generated!);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.registry.addVersion(assetId, content.hash, metadataHash));
  const added = eventOf(receipt, chain.registry, "VersionAdded");
  const version = Number(added.version);
  session.facts(
    new Facts()
      .add("asset id", assetId)
      .add("version", `${version} (current)`, { version, current: true })
      .add("content hash", content.hash)
      .add("hashed", ...hashed(content))
      .add("metadata hash", metadataHash)
      .add("metadata document", generated)
      .add("added at", cstTime(added.addedAt))
      .add("tx", receipt.hash),
  );
}

/** 续证: the registrar extends an unexpired registration; --until is inclusive (valid through 23:59:59 UTC+8). */
export async function renew(session: Session, assetIdText: string, o: { until: string }): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const until = dayEnd("--until", o.until);
  const { chain, as } = await session.writer();
  const receipt = await send(() => as.registry.renew(assetId, until));
  const renewed = eventOf(receipt, chain.registry, "RegistrationRenewed");
  session.facts(
    new Facts()
      .add("asset id", assetId)
      .add("previous valid until", cstTime(renewed.previousValidUntil))
      .add("valid until", cstTime(renewed.validUntil))
      .add("renewed by", renewed.by)
      .add("renewed at", cstTime(renewed.renewedAt))
      .add("tx", receipt.hash),
  );
}

/** 注销: the holder or the registrar cancels an approved registration; the applicant withdraws one in notice. */
export async function cancel(session: Session, assetIdText: string, o: { reason: string }): Promise<void> {
  const assetId = id("assetId", assetIdText);
  const reason = text("--reason", o.reason);
  const { chain, as } = await session.writer();
  const before = await chain.registry.assetOf(assetId); // an unknown asset is refused here, in words (UnknownAsset)
  const receipt = await send(() => as.registry.cancel(assetId, reason));
  const cancelled = eventOf(receipt, chain.registry, "RegistrationCancelled");
  const withdrawn = Status[Number(before.status)] === "InNotice";
  session.facts(
    new Facts()
      .add("asset id", assetId)
      .add("status", withdrawn ? "Cancelled (application withdrawn during notice)" : "Cancelled", "Cancelled")
      .json("withdrawnInNotice", withdrawn)
      .add("reason", reason)
      .add("cancelled by", cancelled.by)
      .add("cancelled at", cstTime(cancelled.cancelledAt))
      .add("tx", receipt.hash),
  );
}

/** A reason or other free text: not blank (the registry caps its length and says so). */
function text(flag: string, value: string): string {
  if (!value?.trim()) throw usage(`${flag}: the text is empty`);
  return value;
}
