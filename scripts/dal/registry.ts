// Registration commands: register (hash locally, submit, start the public notice), approve (the registrar, after
// the notice) and object (anyone, during the notice).
import { basename, resolve } from "node:path";
import { ZeroHash } from "ethers";
import { Grade, SourceType, UpdateFrequency, AssetKind } from "../../indexer/enums";
import { canonicalJson, hashArg, hashPath, jsonFile, sha256Hex } from "./hash";
import { id, integer, ordinal, parent, small } from "./parse";
import { terminalProgress } from "./progress";
import { Facts, cstTime } from "./report";
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

export async function register(session: Session, path: string, o: RegisterOptions): Promise<void> {
  // Everything typed is checked before the (possibly long) hashing and before any network use.
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

  const content = await hashPath(path, terminalProgress(`hashing ${basename(resolve(path))}`));
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

  const { chain, as } = await session.writer();
  const receipt = await send(() =>
    as.registry.submit({
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
    }),
  );
  const submitted = eventOf(receipt, chain.registry, "RegistrationSubmitted");
  session.facts(
    new Facts()
      .add("asset id", submitted.assetId)
      .add("content hash", content.hash)
      .add(
        "hashed",
        content.kind === "file" ? `file, ${content.bytes} bytes (SHA-256)` : `directory, ${content.files} files, ${content.bytes} bytes (dal-merkle-v1 root)`,
        { kind: content.kind, algorithm: content.kind === "file" ? "sha256" : "dal-merkle-v1", files: content.files, bytes: content.bytes.toString() },
      )
      .add("metadata hash", metadataHash)
      .add("metadata document", generated)
      .add("registrar", registrarId)
      .add("notice ends", cstTime(submitted.noticeEndsAt))
      .add("tx", receipt.hash),
  );
}

export async function approve(session: Session, assetIdText: string): Promise<void> {
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
