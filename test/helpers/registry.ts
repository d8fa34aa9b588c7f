// Shared set-up for contract tests: a deployed registry and rights contract with two registrars (exchanges),
// and builders for submissions and approved assets.
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployContracts } from "../../scripts/deploy";
import type { AssetLedger, DataAssetRegistry, DataExchange, PledgeRegistry, RelayForwarder, RightsCertificate } from "../../typechain-types";
import type { IDataAssetRegistry } from "../../typechain-types/contracts/DataAssetRegistry";

export const DAY = 24 * 60 * 60;
export const YEAR = 365 * DAY;

export enum Status { None, InNotice, Rejected, Active, Cancelled }
export enum AssetKind { Resource, Product }
export enum SourceType { SelfCollected, Purchased, PublicAuthorised }
export enum Grade { General, Important, Core }
export enum UpdateFrequency { Once, Realtime, Daily, Weekly, Monthly, Quarterly, Yearly }
export enum RightKind { ProcessingUse, ProductOperation }

/** Shenzhen-like exchange: 5-day notice. Beijing-like: 3-day notice. */
export const SZ = { id: 1, code: "SZDE", notice: 5 * DAY };
export const BJ = { id: 2, code: "BJIDEX", notice: 3 * DAY };

export interface World {
  registry: DataAssetRegistry;
  rights: RightsCertificate;
  dex: DataExchange; // the real exchange contract (has EXCHANGE_ROLE on registry and rights)
  ledger: AssetLedger;
  pledges: PledgeRegistry; // pledges: the registry and exchange consult it
  forwarder: RelayForwarder; // the ERC-2771 forwarder every contract trusts
  admin: HardhatEthersSigner;
  szRegistrar: HardhatEthersSigner;
  bjRegistrar: HardhatEthersSigner;
  holder: HardhatEthersSigner;
  other: HardhatEthersSigner;
  licensee: HardhatEthersSigner;
  objector: HardhatEthersSigner;
  exchange: HardhatEthersSigner; // stands in for the DataExchange contract (EXCHANGE_ROLE)
  signers: HardhatEthersSigner[];
}

/** Use with loadFixture(world). */
export async function world(): Promise<World> {
  const signers = await ethers.getSigners();
  const [admin, szRegistrar, bjRegistrar, holder, other, licensee, objector, exchange] = signers;
  const { registry, rights, exchange: dex, ledger, pledges, forwarder } = await deployContracts(admin);
  await registry.addRegistrar(SZ.code, SZ.notice);
  await registry.addRegistrar(BJ.code, BJ.notice);
  await registry.grantRole(await registry.registrarRole(SZ.id), szRegistrar.address);
  await registry.grantRole(await registry.registrarRole(BJ.id), bjRegistrar.address);
  await registry.grantRole(await registry.EXCHANGE_ROLE(), exchange.address);
  await rights.grantRole(await rights.EXCHANGE_ROLE(), exchange.address);
  return { registry, rights, dex, ledger, pledges, forwarder, admin, szRegistrar, bjRegistrar, holder, other, licensee, objector, exchange, signers };
}

let counter = 0;
/** A distinct non-zero bytes32 per call (content hashes, evidence hashes). */
export function hash(label = `h${++counter}`): string {
  return ethers.keccak256(ethers.toUtf8Bytes(`${label}#${++counter}`));
}

export type Submission = IDataAssetRegistry.SubmissionStruct;

export function submission(overrides: Partial<Submission> = {}): Submission {
  return {
    contentHash: hash("content"),
    metadataHash: hash("metadata"),
    metadataURI: "ipfs://bafy-metadata",
    name: "Municipal inspection records 2025",
    kind: AssetKind.Product,
    sourceType: SourceType.SelfCollected,
    sourceEvidenceHash: hash("evidence"),
    grade: Grade.General,
    records: 1_250_000n,
    sizeBytes: 8_000_000_000n,
    updateFrequency: UpdateFrequency.Monthly,
    registrarId: SZ.id,
    validityPeriod: 3 * YEAR,
    parentIds: [],
    parentSharesBps: [],
    ...overrides,
  };
}

/** Submits as `applicant` and returns the new asset id. */
export async function submit(w: World, applicant: HardhatEthersSigner, overrides: Partial<Submission> = {}) {
  const s = submission(overrides);
  await w.registry.connect(applicant).submit(s);
  return { assetId: await w.registry.assetCount(), submission: s };
}

/** Submits, waits out the notice, approves: an Active asset held by `applicant`. */
export async function registerActive(w: World, applicant: HardhatEthersSigner, overrides: Partial<Submission> = {}) {
  const { assetId, submission: s } = await submit(w, applicant, overrides);
  const asset = await w.registry.assetOf(assetId);
  await time.increaseTo(asset.noticeEndsAt);
  const registrar = Number(s.registrarId) === BJ.id ? w.bjRegistrar : w.szRegistrar;
  await w.registry.connect(registrar).approveRegistration(assetId);
  return { assetId, submission: s };
}

export function grantTerms(
  assetId: bigint | number,
  overrides: Partial<{
    parentId: bigint | number;
    kind: RightKind;
    scopeHash: string;
    scopeMask: number;
    validFrom: bigint | number;
    validUntil: bigint | number;
    sublicensable: boolean;
    transferable: boolean;
  }> = {},
) {
  return {
    assetId,
    parentId: 0,
    kind: RightKind.ProcessingUse,
    scopeHash: hash("scope"),
    scopeMask: 0b1111,
    validFrom: 0,
    validUntil: 0, // callers set a real end; 0 is refused
    sublicensable: false,
    transferable: false,
    ...overrides,
  };
}

/** The pending holding-transfer request of `assetId` as the registrar reviews it: [to, evidenceHash]. */
export async function pendingTransfer(registry: DataAssetRegistry, assetId: bigint | number): Promise<[string, string]> {
  const [to, evidenceHash] = await registry.pendingTransferOf(assetId);
  return [to, evidenceHash];
}
