// DataAssetRegistry: registrars, registration with public notice and objections, approval and registration
// numbers, the holding right (the ERC-721 certificate), versions, change, cancellation, renewal, royalties, pause.
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { DataAssetRegistry__factory } from "../../typechain-types";
import {
  BJ,
  DAY,
  Grade,
  SZ,
  Status,
  UpdateFrequency,
  YEAR,
  hash,
  registerActive,
  submission,
  submit,
  world,
  type Submission,
  type World,
} from "../helpers/registry";
import { pathShares, royaltyTable, sortedLines, type Lineage } from "../helpers/royaltyModel";

const ZERO_HASH = ethers.ZeroHash;
const ZERO_ADDRESS = ethers.ZeroAddress;
const BPS_UNIT = 10n ** 12n; // one basis point over ROYALTY_DENOMINATOR
const DENOMINATOR = 10n ** 16n;
const MIN_VALIDITY = 30 * DAY;
const MAX_VALIDITY = 10 * YEAR;
const CST = 8 * 60 * 60;

// ---------------------------------------------------------------- local helpers

/** Fixes the timestamp of the next block `after` seconds past the latest one, and returns it. */
async function nextTimestamp(after = 1): Promise<number> {
  const t = (await time.latest()) + after;
  await time.setNextBlockTimestamp(t);
  return t;
}

/** Calendar year of a unix time in UTC+8, computed independently of the contract. */
function cstYear(t: number): number {
  return new Date((t + CST) * 1000).getUTCFullYear();
}

/** Unix time of 00:00 on the given day in UTC+8. */
function cstMidnight(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / 1000 - CST;
}

function registrarFor(w: World, registrarId: number | bigint): HardhatEthersSigner {
  return Number(registrarId) === BJ.id ? w.bjRegistrar : w.szRegistrar;
}

async function endNotice(w: World, assetId: bigint) {
  const ends = (await w.registry.assetOf(assetId)).noticeEndsAt;
  if (BigInt(await time.latest()) < ends) await time.increaseTo(ends);
}

async function approve(w: World, assetId: bigint) {
  const a = await w.registry.assetOf(assetId);
  return w.registry.connect(registrarFor(w, a.registrarId)).approveRegistration(assetId);
}

/** Submits `n` assets as `applicant`, waits out one notice and approves them all. */
async function registerMany(w: World, n: number, applicant = w.holder, overrides: Partial<Submission> = {}) {
  const ids: bigint[] = [];
  for (let i = 0; i < n; i++) ids.push((await submit(w, applicant, overrides)).assetId);
  await endNotice(w, ids[ids.length - 1]);
  for (const id of ids) await approve(w, id);
  return ids;
}

/** An active asset deriving from `parents` ([parentId, bps] pairs). */
async function derive(w: World, parents: [bigint, number][], overrides: Partial<Submission> = {}) {
  const { assetId } = await registerActive(w, w.holder, {
    parentIds: parents.map(([id]) => id),
    parentSharesBps: parents.map(([, bps]) => bps),
    ...overrides,
  });
  return assetId;
}

type Line = [id: number, share: bigint, depth: number];

/** The royalty table as [assetId, share, depth] lines sorted by asset id, then depth (the order is not part of the
 * API; an asset may have one line per depth). */
async function table(w: World, assetId: bigint): Promise<Line[]> {
  const entries = await w.registry.royaltiesOf(assetId);
  return entries
    .map((e): Line => [Number(e.assetId), e.share, Number(e.depth)])
    .sort((a, b) => a[0] - b[0] || a[2] - b[2]);
}

/** The number of edges of the longest lineage path (through positive shares) from `asset`. */
function maxPathLength(lineage: Lineage, asset: bigint): number {
  const parents = (lineage.get(asset) ?? []).filter(([, bps]) => bps > 0);
  return parents.length === 0 ? 0 : 1 + Math.max(...parents.map(([p]) => maxPathLength(lineage, p)));
}

// Limits that take 65535 or 999,999 transactions to reach are reached by writing the counter in storage
// (hardhat_setStorageAt). The slot of a mapping is found by looking for a known value, not assumed from the layout.
const coder = ethers.AbiCoder.defaultAbiCoder();

function mappingSlot(keyType: string, key: bigint | number, slot: bigint): bigint {
  return BigInt(ethers.keccak256(coder.encode([keyType, "uint256"], [key, slot])));
}

async function storageAt(w: World, slot: bigint): Promise<bigint> {
  return BigInt(await ethers.provider.getStorage(await w.registry.getAddress(), slot));
}

async function setStorageAt(w: World, slot: bigint, value: bigint) {
  await ethers.provider.send("hardhat_setStorageAt", [
    await w.registry.getAddress(),
    ethers.toQuantity(slot),
    ethers.zeroPadValue(ethers.toBeHex(value), 32),
  ]);
}

/** The first storage slot of `_assets[assetId]`: the declared slot whose entry starts with the asset's holder. */
async function assetSlot(w: World, assetId: bigint): Promise<bigint> {
  const holder = BigInt((await w.registry.assetOf(assetId)).holder);
  for (let base = 0n; base < 64n; base++) {
    const slot = mappingSlot("uint256", assetId, base);
    if (((await storageAt(w, slot)) & ((1n << 160n) - 1n)) === holder) return slot;
  }
  throw new Error("asset slot not found");
}

/** The slot of `_sequence[registrarId][year]`, given that it currently holds `current` (> 0). */
async function sequenceSlot(w: World, registrarId: number, year: number, current: bigint): Promise<bigint> {
  for (let base = 0n; base < 64n; base++) {
    const slot = mappingSlot("uint16", year, mappingSlot("uint16", registrarId, base));
    if ((await storageAt(w, slot)) === current) return slot;
  }
  throw new Error("sequence slot not found");
}

/** The pending transfer request as [to, evidenceHash]; zeros when there is none. */
async function pendingTransfer(w: World, assetId: bigint | number): Promise<[string, string]> {
  const [to, evidenceHash] = await w.registry.pendingTransferOf(assetId);
  return [to, evidenceHash];
}

const NO_REQUEST: [string, string] = [ZERO_ADDRESS, ZERO_HASH];

function tableTotal(lines: Line[]): bigint {
  return lines.reduce((sum, [, share]) => sum + share, 0n);
}

/** Every field of the submission as the event carries it, compared with what was sent. */
function expectSameSubmission(got: any, sent: Submission) {
  for (const [key, value] of Object.entries(sent)) {
    if (Array.isArray(value)) {
      expect([...got[key]].map(BigInt), key).to.deep.equal(value.map((v) => BigInt(v)));
    } else if (typeof value === "string") {
      expect(got[key], key).to.equal(value);
    } else {
      expect(got[key], key).to.equal(BigInt(value as bigint | number));
    }
  }
}

// ---------------------------------------------------------------- tests

describe("DataAssetRegistry", () => {
  describe("deployment", () => {
    it("refuses a zero admin and gives the admin the admin and pauser roles", async () => {
      const { registry, admin, other } = await loadFixture(world);
      const factory = new DataAssetRegistry__factory(admin);
      await expect(factory.deploy(ZERO_ADDRESS, ZERO_ADDRESS))
        .to.be.revertedWithCustomError(registry, "InvalidRecipient")
        .withArgs(ZERO_ADDRESS);
      expect(await registry.hasRole(await registry.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await registry.hasRole(await registry.PAUSER_ROLE(), admin.address)).to.equal(true);
      expect(await registry.hasRole(await registry.PAUSER_ROLE(), other.address)).to.equal(false);
    });

    it("is an ERC-721 (the DARC certificate) and an AccessControl contract", async () => {
      const { registry } = await loadFixture(world);
      expect(await registry.name()).to.equal("Data Asset Registration Certificate");
      expect(await registry.symbol()).to.equal("DARC");
      expect(await registry.supportsInterface("0x80ac58cd")).to.equal(true); // ERC-721
      expect(await registry.supportsInterface("0x5b5e139f")).to.equal(true); // ERC-721 metadata
      expect(await registry.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
      expect(await registry.supportsInterface("0x01ffc9a7")).to.equal(true); // ERC-165
      expect(await registry.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  describe("registrars", () => {
    it("addRegistrar: the admin adds a registrar with the next id and emits RegistrarAdded", async () => {
      const { registry, admin } = await loadFixture(world);
      await expect(registry.addRegistrar("SHDEX", 7 * DAY))
        .to.emit(registry, "RegistrarAdded")
        .withArgs(3, "SHDEX", 7 * DAY, admin.address);
      expect(await registry.registrarCount()).to.equal(3);
      const r = await registry.registrar(3);
      expect([r.code, r.noticePeriod, r.active]).to.deep.equal(["SHDEX", BigInt(7 * DAY), true]);
    });

    it("addRegistrar: only the admin", async () => {
      const { registry, other, szRegistrar } = await loadFixture(world);
      for (const account of [other, szRegistrar]) {
        await expect(registry.connect(account).addRegistrar("SHDEX", 7 * DAY))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(account.address, ZERO_HASH);
      }
    });

    it("addRegistrar: the code is 2-8 characters A-Z / 0-9", async () => {
      const { registry } = await loadFixture(world);
      for (const code of ["", "A", "ABCDEFGHI", "szde", "SZ-DE", "SZ DE", "深圳", "SZDÉ"]) {
        await expect(registry.addRegistrar(code, 5 * DAY))
          .to.be.revertedWithCustomError(registry, "InvalidRegistrarCode")
          .withArgs(code);
      }
      await expect(registry.addRegistrar("AB", 5 * DAY)).to.emit(registry, "RegistrarAdded");
      await expect(registry.addRegistrar("ABCDEF78", 5 * DAY)).to.emit(registry, "RegistrarAdded");
      await expect(registry.addRegistrar("09", 5 * DAY)).to.emit(registry, "RegistrarAdded");
    });

    it("addRegistrar: codes are unique", async () => {
      const { registry } = await loadFixture(world);
      await expect(registry.addRegistrar(SZ.code, 7 * DAY))
        .to.be.revertedWithCustomError(registry, "DuplicateRegistrarCode")
        .withArgs(SZ.code);
    });

    it("addRegistrar and updateRegistrar: the notice period is 1 to 30 days", async () => {
      const { registry } = await loadFixture(world);
      for (const period of [0, DAY - 1, 30 * DAY + 1]) {
        await expect(registry.addRegistrar("SHDEX", period))
          .to.be.revertedWithCustomError(registry, "InvalidNoticePeriod")
          .withArgs(period);
        await expect(registry.updateRegistrar(SZ.id, period, true))
          .to.be.revertedWithCustomError(registry, "InvalidNoticePeriod")
          .withArgs(period);
      }
      await expect(registry.addRegistrar("SHDEX", DAY)).to.emit(registry, "RegistrarAdded");
      await expect(registry.addRegistrar("GZDEX", 30 * DAY)).to.emit(registry, "RegistrarAdded");
    });

    it("updateRegistrar: only the admin, only a known registrar, emits RegistrarUpdated", async () => {
      const { registry, admin, other } = await loadFixture(world);
      await expect(registry.connect(other).updateRegistrar(SZ.id, 10 * DAY, true))
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(other.address, ZERO_HASH);
      for (const id of [0, 3]) {
        await expect(registry.updateRegistrar(id, 10 * DAY, true))
          .to.be.revertedWithCustomError(registry, "UnknownRegistrar")
          .withArgs(id);
      }
      await expect(registry.updateRegistrar(SZ.id, 10 * DAY, false))
        .to.emit(registry, "RegistrarUpdated")
        .withArgs(SZ.id, SZ.code, 10 * DAY, false, admin.address);
      const r = await registry.registrar(SZ.id);
      expect([r.code, r.noticePeriod, r.active]).to.deep.equal([SZ.code, BigInt(10 * DAY), false]);
    });

    it("updateRegistrar: a new notice period applies to later submissions only", async () => {
      const w = await loadFixture(world);
      const { assetId: before } = await submit(w, w.holder);
      const beforeEnds = (await w.registry.assetOf(before)).noticeEndsAt;
      await w.registry.updateRegistrar(SZ.id, 10 * DAY, true);
      expect((await w.registry.assetOf(before)).noticeEndsAt).to.equal(beforeEnds);
      const t = await nextTimestamp();
      const { assetId: after } = await submit(w, w.holder);
      expect((await w.registry.assetOf(after)).noticeEndsAt).to.equal(t + 10 * DAY);
    });

    it("an inactive registrar refuses submissions and approvals until reactivated", async () => {
      const w = await loadFixture(world);
      const { assetId } = await submit(w, w.holder);
      await w.registry.updateRegistrar(SZ.id, SZ.notice, false);
      await expect(w.registry.connect(w.holder).submit(submission()))
        .to.be.revertedWithCustomError(w.registry, "RegistrarInactive")
        .withArgs(SZ.id);
      await endNotice(w, assetId);
      await expect(w.registry.connect(w.szRegistrar).approveRegistration(assetId))
        .to.be.revertedWithCustomError(w.registry, "RegistrarInactive")
        .withArgs(SZ.id);
      // The other exchange is unaffected.
      await expect(w.registry.connect(w.holder).submit(submission({ registrarId: BJ.id }))).to.emit(
        w.registry,
        "RegistrationSubmitted",
      );
      await w.registry.updateRegistrar(SZ.id, SZ.notice, true);
      await expect(w.registry.connect(w.szRegistrar).approveRegistration(assetId)).to.emit(
        w.registry,
        "RegistrationApproved",
      );
    });

    it("registrar(): code, notice period and state; unknown ids are refused", async () => {
      const { registry } = await loadFixture(world);
      const sz = await registry.registrar(SZ.id);
      const bj = await registry.registrar(BJ.id);
      expect([sz.code, sz.noticePeriod, sz.active]).to.deep.equal([SZ.code, BigInt(SZ.notice), true]);
      expect([bj.code, bj.noticePeriod, bj.active]).to.deep.equal([BJ.code, BigInt(BJ.notice), true]);
      expect(await registry.registrarCount()).to.equal(2);
      for (const id of [0, 3]) {
        await expect(registry.registrar(id)).to.be.revertedWithCustomError(registry, "UnknownRegistrar").withArgs(id);
      }
    });

    it("registrar roles are per registrar", async () => {
      const w = await loadFixture(world);
      expect(await w.registry.registrarRole(SZ.id)).to.not.equal(await w.registry.registrarRole(BJ.id));
      const { assetId } = await submit(w, w.holder);
      expect(await w.registry.isRegistrarOf(assetId, w.szRegistrar.address)).to.equal(true);
      expect(await w.registry.isRegistrarOf(assetId, w.bjRegistrar.address)).to.equal(false);
      expect(await w.registry.isRegistrarOf(assetId, w.admin.address)).to.equal(false);
      await expect(w.registry.isRegistrarOf(99, w.szRegistrar.address))
        .to.be.revertedWithCustomError(w.registry, "UnknownAsset")
        .withArgs(99);
    });
  });

  describe("submit", () => {
    it("starts the public notice: RegistrationSubmitted carries the whole submission and the notice end", async () => {
      const w = await loadFixture(world);
      const s = submission({ registrarId: BJ.id, grade: Grade.Important, updateFrequency: UpdateFrequency.Daily });
      const t = await nextTimestamp();
      const tx = w.registry.connect(w.holder).submit(s);
      await expect(tx)
        .to.emit(w.registry, "RegistrationSubmitted")
        .withArgs(1, w.holder.address, BJ.id, anyValue, [], t, t + BJ.notice);
      const receipt = await (await tx).wait();
      const event = receipt!.logs
        .map((log) => w.registry.interface.parseLog(log))
        .find((e) => e?.name === "RegistrationSubmitted")!;
      expectSameSubmission(event.args.submission, s);
    });

    it("stores the asset in notice with version 1 and indexes its content hash", async () => {
      const w = await loadFixture(world);
      const s = submission();
      const t = await nextTimestamp();
      await w.registry.connect(w.holder).submit(s);
      expect(await w.registry.assetCount()).to.equal(1);
      const a = await w.registry.assetOf(1);
      expect(a.holder).to.equal(w.holder.address); // the applicant, until approval makes it the holder
      expect(a.registrarId).to.equal(SZ.id);
      expect(a.status).to.equal(Status.InNotice);
      expect([a.kind, a.sourceType, a.grade]).to.deep.equal([BigInt(s.kind), BigInt(s.sourceType), BigInt(s.grade)]);
      expect(a.versionCount).to.equal(1);
      expect(a.noticeEndsAt).to.equal(t + SZ.notice);
      expect(a.validityDays).to.equal(Number(s.validityPeriod) / DAY);
      expect([a.approvedAt, a.validUntil, a.endedAt, a.openObjections]).to.deep.equal([0n, 0n, 0n, 0n]);
      // The content hash is indexed as version 1 of asset 1.
      expect(await w.registry.findContent(s.contentHash)).to.deep.equal([1n, 1n, BigInt(t)]);
      expect(await w.registry.findContent(hash())).to.deep.equal([0n, 0n, 0n]);
      expect(await w.registry.royaltiesOf(1)).to.deep.equal([]);
      // No certificate before approval.
      expect(await w.registry.holderOf(1)).to.equal(ZERO_ADDRESS);
      expect(await w.registry.balanceOf(w.holder.address)).to.equal(0);
      await expect(w.registry.ownerOf(1)).to.be.revertedWithCustomError(w.registry, "ERC721NonexistentToken").withArgs(1);
    });

    it("assigns consecutive asset ids from 1", async () => {
      const w = await loadFixture(world);
      expect((await submit(w, w.holder)).assetId).to.equal(1);
      expect((await submit(w, w.other, { registrarId: BJ.id })).assetId).to.equal(2);
      expect((await w.registry.assetOf(2)).holder).to.equal(w.other.address);
    });

    it("refuses a zero content hash or metadata hash", async () => {
      const { registry, holder } = await loadFixture(world);
      for (const field of ["contentHash", "metadataHash"]) {
        await expect(
          registry.connect(holder).submit(submission({ [field]: ZERO_HASH })),
        ).to.be.revertedWithCustomError(registry, "ZeroHash");
      }
    });

    it("refuses an empty name", async () => {
      const { registry, holder } = await loadFixture(world);
      await expect(registry.connect(holder).submit(submission({ name: "" }))).to.be.revertedWithCustomError(
        registry,
        "EmptyName",
      );
    });

    it("refuses a name or metadata URI over 512 bytes (bytes, not characters)", async () => {
      const { registry, holder } = await loadFixture(world);
      await expect(registry.connect(holder).submit(submission({ name: "n".repeat(513) })))
        .to.be.revertedWithCustomError(registry, "TextTooLong")
        .withArgs(513, 512);
      await expect(registry.connect(holder).submit(submission({ name: "数".repeat(171) }))) // 3 bytes each
        .to.be.revertedWithCustomError(registry, "TextTooLong")
        .withArgs(513, 512);
      await expect(registry.connect(holder).submit(submission({ metadataURI: "u".repeat(600) })))
        .to.be.revertedWithCustomError(registry, "TextTooLong")
        .withArgs(600, 512);
      await expect(
        registry.connect(holder).submit(submission({ name: "n".repeat(512), metadataURI: "u".repeat(512) })),
      ).to.emit(registry, "RegistrationSubmitted");
      await expect(registry.connect(holder).submit(submission({ metadataURI: "" }))).to.emit(
        registry,
        "RegistrationSubmitted",
      );
    });

    it("refuses core data; general and important data are accepted", async () => {
      const { registry, holder } = await loadFixture(world);
      await expect(registry.connect(holder).submit(submission({ grade: Grade.Core }))).to.be.revertedWithCustomError(
        registry,
        "CoreDataRefused",
      );
      await expect(registry.connect(holder).submit(submission({ grade: Grade.General }))).to.emit(
        registry,
        "RegistrationSubmitted",
      );
      await expect(registry.connect(holder).submit(submission({ grade: Grade.Important }))).to.emit(
        registry,
        "RegistrationSubmitted",
      );
    });

    it("refuses a validity period outside 30 days .. 10 years, or not in whole days", async () => {
      const { registry, holder } = await loadFixture(world);
      for (const period of [0, MIN_VALIDITY - 1, MAX_VALIDITY + 1, MIN_VALIDITY + 3600]) {
        await expect(registry.connect(holder).submit(submission({ validityPeriod: period })))
          .to.be.revertedWithCustomError(registry, "InvalidValidityPeriod")
          .withArgs(period);
      }
      for (const period of [MIN_VALIDITY, MAX_VALIDITY]) {
        await expect(registry.connect(holder).submit(submission({ validityPeriod: period }))).to.emit(
          registry,
          "RegistrationSubmitted",
        );
      }
    });

    it("refuses an unknown registrar, including id 0", async () => {
      const { registry, holder } = await loadFixture(world);
      for (const id of [0, 3, 65535]) {
        await expect(registry.connect(holder).submit(submission({ registrarId: id })))
          .to.be.revertedWithCustomError(registry, "UnknownRegistrar")
          .withArgs(id);
      }
    });

    it("refuses content already registered while the first registration is in notice or active", async () => {
      const w = await loadFixture(world);
      const { assetId, submission: s } = await submit(w, w.holder);
      await expect(w.registry.connect(w.other).submit(submission({ contentHash: s.contentHash, registrarId: BJ.id })))
        .to.be.revertedWithCustomError(w.registry, "ContentAlreadyRegistered")
        .withArgs(s.contentHash, assetId);
      await endNotice(w, assetId);
      await approve(w, assetId);
      await expect(w.registry.connect(w.other).submit(submission({ contentHash: s.contentHash })))
        .to.be.revertedWithCustomError(w.registry, "ContentAlreadyRegistered")
        .withArgs(s.contentHash, assetId);
    });

    it("an expired registration still holds its content hash", async () => {
      const w = await loadFixture(world);
      const { assetId, submission: s } = await registerActive(w, w.holder, { validityPeriod: MIN_VALIDITY });
      await time.increaseTo((await w.registry.assetOf(assetId)).validUntil + 1n);
      await expect(w.registry.connect(w.other).submit(submission({ contentHash: s.contentHash })))
        .to.be.revertedWithCustomError(w.registry, "ContentAlreadyRegistered")
        .withArgs(s.contentHash, assetId);
    });

    it("allows the content again once the first registration was rejected, withdrawn or cancelled", async () => {
      const w = await loadFixture(world);
      const rejected = await submit(w, w.holder);
      await w.registry.connect(w.szRegistrar).rejectRegistration(rejected.assetId, "incomplete");
      const withdrawn = await submit(w, w.holder);
      await w.registry.connect(w.holder).cancel(withdrawn.assetId, "withdrawn");
      const cancelled = await registerActive(w, w.holder);
      await w.registry.connect(w.holder).cancel(cancelled.assetId, "注销");

      for (const first of [rejected, withdrawn, cancelled]) {
        const h = first.submission.contentHash;
        // Until then findContent names the ended registration.
        expect((await w.registry.findContent(h))[0]).to.equal(first.assetId);
        const t = await nextTimestamp();
        const { assetId } = await submit(w, w.other, { contentHash: h, registrarId: BJ.id });
        expect(await w.registry.findContent(h)).to.deep.equal([assetId, 1n, BigInt(t)]);
      }
    });

    it("findContent names the latest registration of a hash, even an ended one; the new one once registered again", async () => {
      const w = await loadFixture(world);
      // Rejected by the registrar, withdrawn by the applicant, cancelled (注销) after approval.
      const ended: { assetId: bigint; contentHash: string; at: number; status: Status }[] = [];
      for (const how of ["reject", "withdraw", "cancel"] as const) {
        const at = await nextTimestamp();
        const { assetId, submission: s } = await submit(w, w.holder);
        if (how === "reject") await w.registry.connect(w.szRegistrar).rejectRegistration(assetId, "incomplete");
        if (how === "withdraw") await w.registry.connect(w.holder).cancel(assetId, "withdrawn");
        if (how === "cancel") {
          await endNotice(w, assetId);
          await approve(w, assetId);
          await w.registry.connect(w.holder).cancel(assetId, "注销");
        }
        const status = how === "reject" ? Status.Rejected : Status.Cancelled;
        ended.push({ assetId, contentHash: s.contentHash as string, at, status });
      }
      for (const e of ended) {
        const [assetId, version, registeredAt] = await w.registry.findContent(e.contentHash);
        expect([assetId, version, registeredAt]).to.deep.equal([e.assetId, 1n, BigInt(e.at)]);
        // The named registration has ended: its status is what tells a verifier the content is free.
        expect((await w.registry.assetOf(assetId)).status).to.equal(e.status);
      }
      // Each hash registers again (by someone else, at another exchange); findContent now names the new asset, and
      // the hash is taken again while the new registration is in notice.
      for (const e of ended) {
        const at = await nextTimestamp();
        const { assetId } = await submit(w, w.other, { contentHash: e.contentHash, registrarId: BJ.id });
        expect(await w.registry.findContent(e.contentHash)).to.deep.equal([assetId, 1n, BigInt(at)]);
        await expect(w.registry.connect(w.licensee).submit(submission({ contentHash: e.contentHash })))
          .to.be.revertedWithCustomError(w.registry, "ContentAlreadyRegistered")
          .withArgs(e.contentHash, assetId);
      }
    });

    it("a version hash of a cancelled asset is free again and findContent follows it to the new registration", async () => {
      const w = await loadFixture(world);
      const { assetId: first } = await registerActive(w, w.holder);
      const h2 = hash();
      const t2 = await nextTimestamp();
      await w.registry.connect(w.holder).addVersion(first, h2, hash());
      expect(await w.registry.findContent(h2)).to.deep.equal([first, 2n, BigInt(t2)]);
      await w.registry.connect(w.holder).cancel(first, "注销");
      expect(await w.registry.findContent(h2)).to.deep.equal([first, 2n, BigInt(t2)]);
      const t = await nextTimestamp();
      const { assetId: second } = await submit(w, w.other, { contentHash: h2 });
      expect(await w.registry.findContent(h2)).to.deep.equal([second, 1n, BigInt(t)]);
    });

    describe("parents", () => {
      it("refuses an unknown parent, one still in notice, or one rejected", async () => {
        const w = await loadFixture(world);
        const { assetId: inNotice } = await submit(w, w.holder);
        const { assetId: rejected } = await submit(w, w.holder);
        await w.registry.connect(w.szRegistrar).rejectRegistration(rejected, "no");
        for (const parent of [0n, 99n, inNotice, rejected]) {
          await expect(w.registry.connect(w.holder).submit(submission({ parentIds: [parent], parentSharesBps: [100] })))
            .to.be.revertedWithCustomError(w.registry, "UnknownParent")
            .withArgs(parent);
        }
      });

      it("refuses a duplicate parent", async () => {
        const w = await loadFixture(world);
        const [a, b] = await registerMany(w, 2);
        await expect(
          w.registry.connect(w.holder).submit(submission({ parentIds: [a, b, a], parentSharesBps: [100, 100, 0] })),
        )
          .to.be.revertedWithCustomError(w.registry, "DuplicateParent")
          .withArgs(a);
      });

      it("refuses more than 16 parents; 16 are accepted", async () => {
        const w = await loadFixture(world);
        const ids = await registerMany(w, 16);
        await expect(
          w.registry
            .connect(w.holder)
            .submit(submission({ parentIds: [...ids, 17n], parentSharesBps: Array(17).fill(100) })),
        )
          .to.be.revertedWithCustomError(w.registry, "TooManyParents")
          .withArgs(17, 16);
        await expect(
          w.registry.connect(w.holder).submit(submission({ parentIds: ids, parentSharesBps: Array(16).fill(100) })),
        ).to.emit(w.registry, "RegistrationSubmitted");
      });

      it("refuses parents and shares of different lengths", async () => {
        const w = await loadFixture(world);
        const [a, b] = await registerMany(w, 2);
        for (const [parentIds, parentSharesBps] of [
          [[a, b], [100]],
          [[a], [100, 100]],
          [[], [100]],
        ] as [bigint[], number[]][]) {
          await expect(
            w.registry.connect(w.holder).submit(submission({ parentIds, parentSharesBps })),
          ).to.be.revertedWithCustomError(w.registry, "ParentSharesLengthMismatch");
        }
      });

      it("refuses shares summing over 10000 bps; exactly 10000 is accepted", async () => {
        const w = await loadFixture(world);
        const [a, b] = await registerMany(w, 2);
        await expect(
          w.registry.connect(w.holder).submit(submission({ parentIds: [a, b], parentSharesBps: [6000, 4001] })),
        )
          .to.be.revertedWithCustomError(w.registry, "SharesExceedTotal")
          .withArgs(10001);
        await expect(w.registry.connect(w.holder).submit(submission({ parentIds: [a], parentSharesBps: [65535] })))
          .to.be.revertedWithCustomError(w.registry, "SharesExceedTotal")
          .withArgs(65535);
        const child = await derive(w, [
          [a, 6000],
          [b, 4000],
        ]);
        expect(tableTotal(await table(w, child))).to.equal(DENOMINATOR);
      });
    });

    it("is refused while paused", async () => {
      const { registry, admin, holder } = await loadFixture(world);
      await registry.connect(admin).pause();
      await expect(registry.connect(holder).submit(submission())).to.be.revertedWithCustomError(
        registry,
        "EnforcedPause",
      );
    });
  });

  describe("royalty table", () => {
    it("one parent with 3000 bps: a single line (parent, 3000e12, depth 1), also in the event", async () => {
      const w = await loadFixture(world);
      const { assetId: parent } = await registerActive(w, w.holder);
      const s = submission({ parentIds: [parent], parentSharesBps: [3000] });
      await expect(w.registry.connect(w.other).submit(s))
        .to.emit(w.registry, "RegistrationSubmitted")
        .withArgs(2, w.other.address, SZ.id, anyValue, [[parent, 3000n * BPS_UNIT, 1]], anyValue, anyValue);
      expect(await table(w, 2n)).to.deep.equal([[Number(parent), 3000n * BPS_UNIT, 1]]);
    });

    it("three generations A <- B (2000) <- C (5000) <- D (4000): a parent keeps what it does not pass up", async () => {
      const w = await loadFixture(world);
      const { assetId: a } = await registerActive(w, w.holder);
      const b = await derive(w, [[a, 2000]]);
      const c = await derive(w, [[b, 5000]]);
      const d = await derive(w, [[c, 4000]]);
      expect(await table(w, b)).to.deep.equal([[1, 2000n * BPS_UNIT, 1]]);
      expect(await table(w, c)).to.deep.equal([
        [1, 1000n * BPS_UNIT, 2], // 5000 * 2000 / 10000
        [2, 4000n * BPS_UNIT, 1], // 5000 * (1 - 0.2)
      ]);
      expect(await table(w, d)).to.deep.equal([
        [1, 400n * BPS_UNIT, 3], // 4000 * 1000 / 10000
        [2, 1600n * BPS_UNIT, 2], // 4000 * 4000 / 10000
        [3, 2000n * BPS_UNIT, 1], // 4000 * (1 - 0.5)
      ]);
      expect(tableTotal(await table(w, d))).to.equal(4000n * BPS_UNIT);
    });

    it("a diamond lineage merges the shared ancestor into one line with the summed share", async () => {
      const w = await loadFixture(world);
      const { assetId: a } = await registerActive(w, w.holder);
      const b = await derive(w, [[a, 2000]]);
      const c = await derive(w, [[a, 3000]]);
      const d = await derive(w, [
        [b, 5000],
        [c, 4000],
      ]);
      expect(await table(w, d)).to.deep.equal([
        [Number(a), (1000n + 1200n) * BPS_UNIT, 2], // 5000*2000/10000 + 4000*3000/10000
        [Number(b), 4000n * BPS_UNIT, 1],
        [Number(c), 2800n * BPS_UNIT, 1],
      ]);
    });

    it("an ancestor reached at several depths keeps one line per depth (lines merge only on payee and depth)", async () => {
      const w = await loadFixture(world);
      const { assetId: a } = await registerActive(w, w.holder);
      const b = await derive(w, [[a, 2000]]);
      const d = await derive(w, [
        [b, 5000],
        [a, 1000],
      ]);
      expect(await table(w, d)).to.deep.equal([
        [Number(a), 1000n * BPS_UNIT, 1], // directly
        [Number(a), 1000n * BPS_UNIT, 2], // via B: 5000 * 2000 / 10000
        [Number(b), 4000n * BPS_UNIT, 1],
      ]);
      // One level down, each of A's lines moves up one generation on its own: A at depths 2 and 3, not one line.
      const e = await derive(w, [[d, 5000]]);
      expect(await table(w, e)).to.deep.equal([
        [Number(a), 500n * BPS_UNIT, 2],
        [Number(a), 500n * BPS_UNIT, 3],
        [Number(b), 2000n * BPS_UNIT, 2],
        [Number(d), 2000n * BPS_UNIT, 1], // 5000 * (1 - 0.6)
      ]);
    });

    it("review issue 16 item 7: a share 5 generations up stays with the direct parent, also if the ancestor is nearer", async () => {
      // A <- B (4000) <- C (5000) <- D (6000); E derives from D (5000) and directly from A (2000); F from E (8000).
      // Before, E's two lines of A (depth 1 directly, depth 4 via D) were merged at depth 1, so F passed the depth-4
      // share on to A as if A were F's grandparent (5 generations up via D).
      const w = await loadFixture(world);
      const { assetId: a } = await registerActive(w, w.holder);
      const b = await derive(w, [[a, 4000]]);
      const c = await derive(w, [[b, 5000]]);
      const d = await derive(w, [[c, 6000]]);
      const e = await derive(w, [
        [d, 5000],
        [a, 2000],
      ]);
      const f = await derive(w, [[e, 8000]]);
      expect(await table(w, c)).to.deep.equal([
        [Number(a), 2000n * BPS_UNIT, 2], // 5000 * 4000 / 10000
        [Number(b), 3000n * BPS_UNIT, 1],
      ]);
      expect(await table(w, d)).to.deep.equal([
        [Number(a), 1200n * BPS_UNIT, 3], // 6000 * 2000 / 10000
        [Number(b), 1800n * BPS_UNIT, 2], // 6000 * 3000 / 10000
        [Number(c), 3000n * BPS_UNIT, 1], // 6000 - 1200 - 1800
      ]);
      expect(await table(w, e)).to.deep.equal([
        [Number(a), 2000n * BPS_UNIT, 1], // directly
        [Number(a), 600n * BPS_UNIT, 4], // via D: 5000 * 1200 / 10000
        [Number(b), 900n * BPS_UNIT, 3],
        [Number(c), 1500n * BPS_UNIT, 2],
        [Number(d), 2000n * BPS_UNIT, 1], // 5000 - 600 - 900 - 1500
      ]);
      // F: E's depth-4 line (A via D, 600) is not passed up: E keeps 8000 * 600 / 10000 = 480 of it. A is in F's table
      // once, at depth 2, with 8000 * 2000 / 10000 = 1600 (it was 8000 * 2600 / 10000 = 2080 with the old merge).
      const lines = await table(w, f);
      expect(lines).to.deep.equal([
        [Number(a), 1600n * BPS_UNIT, 2],
        [Number(b), 720n * BPS_UNIT, 4], // 8000 * 900 / 10000
        [Number(c), 1200n * BPS_UNIT, 3], // 8000 * 1500 / 10000
        [Number(d), 1600n * BPS_UNIT, 2], // 8000 * 2000 / 10000
        [Number(e), 2880n * BPS_UNIT, 1], // 8000 * (1 - 5500 / 10000) = 8000 - 1600 - 720 - 1200 - 1600
      ]);
      expect(lines.filter(([id]) => id === Number(a))).to.deep.equal([[Number(a), 1600n * BPS_UNIT, 2]]);
      expect(tableTotal(lines)).to.equal(8000n * BPS_UNIT);
    });

    it("a zero-bps parent is lineage without a royalty line", async () => {
      const w = await loadFixture(world);
      const [a, b] = await registerMany(w, 2);
      const s = submission({ parentIds: [a, b], parentSharesBps: [0, 2500] });
      const tx = w.registry.connect(w.holder).submit(s);
      await expect(tx)
        .to.emit(w.registry, "RegistrationSubmitted")
        .withArgs(3, w.holder.address, SZ.id, anyValue, [[b, 2500n * BPS_UNIT, 1]], anyValue, anyValue);
      const event = (await (await tx).wait())!.logs
        .map((log) => w.registry.interface.parseLog(log))
        .find((e) => e?.name === "RegistrationSubmitted")!;
      expect([...event.args.submission.parentIds]).to.deep.equal([a, b]);
      expect(await table(w, 3n)).to.deep.equal([[Number(b), 2500n * BPS_UNIT, 1]]);
    });

    it("a parent that passes its whole share upstream gets no line of its own", async () => {
      const w = await loadFixture(world);
      const { assetId: a } = await registerActive(w, w.holder);
      const b = await derive(w, [[a, 10000]]);
      const c = await derive(w, [[b, 5000]]);
      expect(await table(w, c)).to.deep.equal([[Number(a), 5000n * BPS_UNIT, 2]]);
    });

    it("shares beyond 4 generations stay with the direct parent", async () => {
      const w = await loadFixture(world);
      const { assetId: a } = await registerActive(w, w.holder);
      const b = await derive(w, [[a, 5000]]);
      const c = await derive(w, [[b, 5000]]);
      const d = await derive(w, [[c, 5000]]);
      const e = await derive(w, [[d, 5000]]);
      const f = await derive(w, [[e, 5000]]);
      const u = BPS_UNIT / 10n; // 0.1 bp, to write 312.5 bp exactly
      expect(await table(w, e)).to.deep.equal([
        [Number(a), 6250n * u, 4],
        [Number(b), 6250n * u, 3],
        [Number(c), 12500n * u, 2],
        [Number(d), 25000n * u, 1],
      ]);
      // In F, A would sit at depth 5: its 312.5 bp stay with E on top of E's own 2500 bp.
      expect(await table(w, f)).to.deep.equal([
        [Number(b), 3125n * u, 4],
        [Number(c), 6250n * u, 3],
        [Number(d), 12500n * u, 2],
        [Number(e), 28125n * u, 1],
      ]);
      expect(tableTotal(await table(w, f))).to.equal(5000n * BPS_UNIT);
    });

    it("refuses a registration whose table would exceed 16 lines; 16 lines are accepted", async () => {
      const w = await loadFixture(world);
      const leaves = await registerMany(w, 16);
      const p = await derive(
        w,
        leaves.map((id): [bigint, number] => [id, 100]),
      );
      expect(await table(w, p)).to.have.length(16);
      await expect(w.registry.connect(w.holder).submit(submission({ parentIds: [p], parentSharesBps: [5000] })))
        .to.be.revertedWithCustomError(w.registry, "RoyaltyTableTooLarge")
        .withArgs(17, 16);
      // With zero bps the lineage is recorded without lines, so it fits.
      await expect(
        w.registry.connect(w.holder).submit(submission({ parentIds: [p], parentSharesBps: [0] })),
      ).to.emit(w.registry, "RegistrationSubmitted");
    });

    it("one line per (payee, depth) fills tables sooner: 8 assets each deriving from the 3 before reach 17 lines", async () => {
      // Asset n derives from n-1, n-2 and n-3 (1000 bps each). Its lines are the (ancestor, d) reached by a path of d
      // steps of 1-3, d <= 4. For asset 7: d=1 {6,5,4}, d=2 {5..1}, d=3 {4..1}, d=4 {3,2,1}: 15 lines (6 with the old
      // merge by payee). For asset 8: d=1 {7,6,5}, d=2 {6..2}, d=3 {5..1}, d=4 {4..1}: 17, refused.
      const w = await loadFixture(world);
      const ids: bigint[] = [(await registerActive(w, w.holder)).assetId];
      for (let n = 2; n <= 7; n++) ids.push(await derive(w, ids.slice(-3).map((id): [bigint, number] => [id, 1000])));
      expect(ids).to.deep.equal([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
      const keys = (await table(w, 7n)).map(([id, , depth]) => `${id}:${depth}`);
      expect(keys).to.deep.equal(
        ["1:2", "1:3", "1:4", "2:2", "2:3", "2:4", "3:2", "3:3", "3:4", "4:1", "4:2", "4:3", "5:1", "5:2", "6:1"],
      );
      expect(tableTotal(await table(w, 7n))).to.equal(3000n * BPS_UNIT);
      await expect(
        w.registry
          .connect(w.holder)
          .submit(submission({ parentIds: [7n, 6n, 5n], parentSharesBps: [1000, 1000, 1000] })),
      )
        .to.be.revertedWithCustomError(w.registry, "RoyaltyTableTooLarge")
        .withArgs(17, 16);
      // Without the share to 5, asset 8 reaches {7,6} at d=1, {6..3} at d=2, {5..1} at d=3, {4..1} at d=4: 15 lines.
      const eight = await derive(w, [
        [7n, 1000],
        [6n, 1000],
        [5n, 0],
      ]);
      expect(await table(w, eight)).to.have.length(15);
    });

    it("for random lineages, the lines sum to the parents' bps * 1e12 and never exceed 1e16", async () => {
      // Each node derives from 1-3 of the 3 latest nodes (recent ones, to build lineages deeper than 4 generations).
      const share = fc.oneof(
        { arbitrary: fc.constant(0), weight: 1 },
        { arbitrary: fc.integer({ min: 1, max: 3333 }), weight: 5 },
      );
      const node = fc.record({
        picks: fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 3 }),
        bps: fc.array(share, { minLength: 3, maxLength: 3 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(node, { minLength: 5, maxLength: 12 }), async (nodes) => {
          const w = await loadFixture(world);
          const ids: bigint[] = [(await registerActive(w, w.holder)).assetId];
          for (const n of nodes) {
            const parents = [...new Set(n.picks.map((p) => ids.length - 1 - (p % ids.length)))].map(
              (i, k): [bigint, number] => [ids[i], n.bps[k]],
            );
            const id = await derive(w, parents);
            ids.push(id);
            const lines = await table(w, id);
            const expected = parents.reduce((sum, [, bps]) => sum + BigInt(bps), 0n) * BPS_UNIT;
            expect(tableTotal(lines)).to.equal(expected);
            expect(tableTotal(lines) <= DENOMINATOR).to.equal(true);
            expect(lines.length).to.be.at.most(16);
            // One line per (payee, depth): merged lines never share both.
            expect(new Set(lines.map(([ancestor, , depth]) => `${ancestor}:${depth}`)).size).to.equal(lines.length);
            for (const [ancestor, share, depth] of lines) {
              expect(share > 0n).to.equal(true);
              expect(depth).to.be.within(1, 4);
              expect(BigInt(ancestor) < id).to.equal(true);
              // Depth 1 is for direct parents with a share only (a direct parent may also sit deeper, via another).
              const direct = parents.find(([pid]) => pid === BigInt(ancestor));
              if (depth === 1) expect(direct !== undefined && direct[1] > 0).to.equal(true);
            }
          }
        }),
        { numRuns: 25, seed: 20261121 },
      );
    });

    it("for random lineages with shared ancestors, royaltiesOf equals an independent model of the rule", async () => {
      // Up to 8 assets: 1-2 roots, then assets deriving from 1-4 earlier approved assets, mostly recent ones (deep
      // lineages, full tables) but any (diamonds, ancestors reached at several depths). Shares sum to <= 10000 bps.
      const bps = fc.oneof(
        { arbitrary: fc.constant(0), weight: 1 },
        { arbitrary: fc.constantFrom(2500, 5000, 10000), weight: 1 },
        { arbitrary: fc.integer({ min: 1, max: 10000 }), weight: 4 },
      );
      const node = fc.record({
        // Offsets back from the latest approved asset.
        picks: fc.uniqueArray(
          fc.oneof({ arbitrary: fc.nat({ max: 2 }), weight: 3 }, { arbitrary: fc.nat({ max: 6 }), weight: 1 }),
          { minLength: 1, maxLength: 4 },
        ),
        bps: fc.array(bps, { minLength: 4, maxLength: 4 }),
      });
      const lineages = fc.tuple(fc.integer({ min: 1, max: 2 }), fc.array(node, { minLength: 5, maxLength: 7 }));
      const seen = { multiDepth: 0, beyondFour: 0, tooLarge: 0, derived: 0 };
      await fc.assert(
        fc.asyncProperty(lineages, async ([roots, nodes]) => {
          const w = await loadFixture(world);
          const lineage: Lineage = new Map();
          const ids: bigint[] = [];
          for (let i = 0; i < roots; i++) {
            const { assetId } = await registerActive(w, w.holder);
            ids.push(assetId);
            lineage.set(assetId, []);
          }
          for (const n of nodes.slice(0, 8 - roots)) {
            const parentIdx = [...new Set(n.picks.map((p) => ids.length - 1 - (p % ids.length)))];
            let shares = parentIdx.map((_, k) => n.bps[k]);
            const sum = shares.reduce((x, y) => x + y, 0);
            if (sum > 10000) shares = shares.map((x) => Math.floor((x * 10000) / sum));
            const parents = parentIdx.map((i, k): [bigint, number] => [ids[i], shares[k]]);
            const next = (await w.registry.assetCount()) + 1n;
            const model = royaltyTable(new Map(lineage).set(next, parents), next);
            if (model.size > 16) {
              seen.tooLarge++;
              await expect(
                w.registry.connect(w.holder).submit(
                  submission({ parentIds: parents.map(([id]) => id), parentSharesBps: parents.map(([, b]) => b) }),
                ),
              )
                .to.be.revertedWithCustomError(w.registry, "RoyaltyTableTooLarge")
                .withArgs(17, 16);
              continue;
            }
            const id = await derive(w, parents);
            expect(id).to.equal(next);
            lineage.set(id, parents);
            ids.push(id);
            seen.derived++;

            const got = (await w.registry.royaltiesOf(id))
              .map((e): [bigint, number, bigint] => [e.assetId, Number(e.depth), e.share])
              .sort((x, y) => (x[0] === y[0] ? x[1] - y[1] : x[0] < y[0] ? -1 : 1));
            expect(got).to.deep.equal(sortedLines(model));

            // The rule read as paths: within rounding (floors of at most a few units of 1e-16), each line is the
            // sum of the shares of the paths that end on it.
            const exact = pathShares(lineage, id);
            for (const key of new Set([...model.keys(), ...exact.keys()])) {
              const share = model.get(key) ?? 0n;
              const { num, den } = exact.get(key) ?? { num: 0n, den: 1n };
              const diff = share * den - num;
              expect((diff < 0n ? -diff : diff) <= 64n * den, `${key}: ${share} vs ${num}/${den}`).to.equal(true);
            }
            const ancestors = got.map(([a]) => a);
            if (new Set(ancestors).size < ancestors.length) seen.multiDepth++;
            if ([...exact.keys()].length > 0 && maxPathLength(lineage, id) > 4) seen.beyondFour++;
          }
        }),
        { numRuns: 25, seed: 20261113 },
      );
      // The fixed seed reaches the cases the rule is about.
      expect(seen.multiDepth, JSON.stringify(seen)).to.be.greaterThan(0);
      expect(seen.beyondFour, JSON.stringify(seen)).to.be.greaterThan(0);
      expect(seen.tooLarge, JSON.stringify(seen)).to.be.greaterThan(0);
    });
  });

  describe("royaltyPayeesOf", () => {
    /** The lines and payees as [assetId, share, depth, payee], in the order the view returns them. */
    async function payees(w: World, assetId: bigint) {
      const [entries, holders] = await w.registry.royaltyPayeesOf(assetId);
      expect(holders.length).to.equal(entries.length);
      return entries.map((e, i) => [e.assetId, e.share, e.depth, holders[i]] as const);
    }

    it("returns the royalty table line by line with the current holder of each upstream asset", async () => {
      const w = await loadFixture(world);
      const { assetId: a } = await registerActive(w, w.other);
      const { assetId: b } = await registerActive(w, w.licensee, { parentIds: [a], parentSharesBps: [2000] });
      const { assetId: c } = await registerActive(w, w.objector);
      const d = await derive(w, [
        [b, 5000],
        [c, 1000],
      ]);
      const table = await w.registry.royaltiesOf(d);
      const [entries, holders] = await w.registry.royaltyPayeesOf(d);
      // The same lines, in the same order, as royaltiesOf.
      expect(entries.map((e) => [e.assetId, e.share, e.depth])).to.deep.equal(table.map((e) => [e.assetId, e.share, e.depth]));
      const byAsset = new Map((await payees(w, d)).map(([id, share, depth, payee]) => [id, [share, depth, payee]]));
      expect(byAsset).to.deep.equal(
        new Map([
          [a, [1000n * BPS_UNIT, 2n, w.other.address]], // 5000 * 2000 / 10000, two generations up
          [b, [4000n * BPS_UNIT, 1n, w.licensee.address]],
          [c, [1000n * BPS_UNIT, 1n, w.objector.address]],
        ]),
      );
      expect(holders.length).to.equal(3);
    });

    it("is empty for an asset without royalty lines and for an unknown asset", async () => {
      const w = await loadFixture(world);
      const { assetId: a } = await registerActive(w, w.other);
      const lineageOnly = await derive(w, [[a, 0]]);
      for (const id of [a, lineageOnly, 99n]) {
        const [entries, holders] = await w.registry.royaltyPayeesOf(id);
        expect([entries.length, holders.length]).to.deep.equal([0, 0]);
      }
    });

    it("follows the holding right: after a parent moves (registrar-approved or by the exchange) the new holder is payee", async () => {
      const w = await loadFixture(world);
      const { assetId: a } = await registerActive(w, w.other);
      const { assetId: b } = await registerActive(w, w.licensee);
      const d = await derive(w, [
        [a, 3000],
        [b, 1000],
      ]);
      const payeeOf = async (id: bigint) => (await payees(w, d)).find(([lineId]) => lineId === id)![3];
      expect([await payeeOf(a), await payeeOf(b)]).to.deep.equal([w.other.address, w.licensee.address]);

      const deed = hash("deed");
      await w.registry.connect(w.other).requestTransfer(a, w.objector.address, deed);
      await w.registry.connect(w.szRegistrar).approveTransfer(a, w.objector.address, deed);
      expect([await payeeOf(a), await payeeOf(b)]).to.deep.equal([w.objector.address, w.licensee.address]);

      await w.registry.connect(w.exchange).transferByExchange(b, w.licensee.address, w.holder.address, 7);
      expect([await payeeOf(a), await payeeOf(b)]).to.deep.equal([w.objector.address, w.holder.address]);
      // The shares are fixed at submission: moving a parent changes only who is paid.
      expect((await payees(w, d)).map(([id, share]) => [id, share])).to.deep.equal(
        (await w.registry.royaltiesOf(d)).map((e) => [e.assetId, e.share]),
      );
      // A cancelled parent's certificate stays with its last holder, who stays the payee.
      await w.registry.connect(w.objector).cancel(a, "注销");
      expect(await payeeOf(a)).to.equal(w.objector.address);
    });

    it("names the parents' holders for a derived asset still in notice", async () => {
      const w = await loadFixture(world);
      const { assetId: a } = await registerActive(w, w.other);
      const { assetId: d } = await submit(w, w.holder, { parentIds: [a], parentSharesBps: [2500] });
      expect(await payees(w, d)).to.deep.equal([[a, 2500n * BPS_UNIT, 1n, w.other.address]]);
    });
  });

  describe("objections", () => {
    async function inNotice() {
      const w = await loadFixture(world);
      const { assetId } = await submit(w, w.holder);
      return { w, assetId, registry: w.registry };
    }

    it("anyone may object during the notice: ObjectionFiled, objectionOf, open count", async () => {
      const { w, assetId, registry } = await inNotice();
      const evidence = hash();
      const t = await nextTimestamp();
      await expect(registry.connect(w.objector).object(assetId, evidence))
        .to.emit(registry, "ObjectionFiled")
        .withArgs(1, assetId, w.objector.address, evidence, t);
      await expect(registry.connect(w.bjRegistrar).object(assetId, hash()))
        .to.emit(registry, "ObjectionFiled")
        .withArgs(2, assetId, w.bjRegistrar.address, anyValue, anyValue);
      const o = await registry.objectionOf(1);
      expect([o.assetId, o.objector, o.open, o.upheld, o.evidenceHash]).to.deep.equal([
        assetId,
        w.objector.address,
        true,
        false,
        evidence,
      ]);
      expect((await registry.assetOf(assetId)).openObjections).to.equal(2);
    });

    it("refuses objections once the notice ended (the last second before the end is still in notice)", async () => {
      const { w, assetId, registry } = await inNotice();
      const ends = Number((await registry.assetOf(assetId)).noticeEndsAt);
      await time.setNextBlockTimestamp(ends - 1);
      await expect(registry.connect(w.objector).object(assetId, hash())).to.emit(registry, "ObjectionFiled");
      await time.setNextBlockTimestamp(ends);
      await expect(registry.connect(w.other).object(assetId, hash()))
        .to.be.revertedWithCustomError(registry, "NotInNotice")
        .withArgs(assetId);
    });

    it("refuses objections to an approved or rejected registration", async () => {
      const w = await loadFixture(world);
      const { assetId: active } = await registerActive(w, w.holder);
      const { assetId: rejected } = await submit(w, w.holder);
      await w.registry.connect(w.szRegistrar).rejectRegistration(rejected, "no");
      for (const id of [active, rejected]) {
        await expect(w.registry.connect(w.objector).object(id, hash()))
          .to.be.revertedWithCustomError(w.registry, "NotInNotice")
          .withArgs(id);
      }
    });

    it("refuses a zero evidence hash and an unknown asset", async () => {
      const { w, registry } = await inNotice();
      await expect(registry.connect(w.objector).object(1, ZERO_HASH)).to.be.revertedWithCustomError(
        registry,
        "ZeroHash",
      );
      await expect(registry.connect(w.objector).object(99, hash()))
        .to.be.revertedWithCustomError(registry, "UnknownAsset")
        .withArgs(99);
    });

    it("one open objection per objector; allowed again after dismissal", async () => {
      const { w, assetId, registry } = await inNotice();
      await registry.connect(w.objector).object(assetId, hash());
      await expect(registry.connect(w.objector).object(assetId, hash()))
        .to.be.revertedWithCustomError(registry, "AlreadyObjecting")
        .withArgs(assetId, w.objector.address);
      await registry.connect(w.szRegistrar).resolveObjection(1, false, hash());
      await expect(registry.connect(w.objector).object(assetId, hash()))
        .to.emit(registry, "ObjectionFiled")
        .withArgs(2, assetId, w.objector.address, anyValue, anyValue);
    });

    it("objectionOf refuses an unknown objection id", async () => {
      const { registry } = await inNotice();
      for (const id of [0, 1]) {
        await expect(registry.objectionOf(id)).to.be.revertedWithCustomError(registry, "UnknownObjection").withArgs(id);
      }
    });

    it("an open objection blocks approval even after the notice ended", async () => {
      const { w, assetId, registry } = await inNotice();
      await registry.connect(w.objector).object(assetId, hash());
      await registry.connect(w.other).object(assetId, hash());
      await endNotice(w, assetId);
      await expect(registry.connect(w.szRegistrar).approveRegistration(assetId))
        .to.be.revertedWithCustomError(registry, "OpenObjections")
        .withArgs(assetId, 2);
      await registry.connect(w.szRegistrar).resolveObjection(1, false, hash());
      await expect(registry.connect(w.szRegistrar).approveRegistration(assetId))
        .to.be.revertedWithCustomError(registry, "OpenObjections")
        .withArgs(assetId, 1);
    });

    it("dismissed: ObjectionResolved, the objection closes and the registration can be approved", async () => {
      const { w, assetId, registry } = await inNotice();
      await registry.connect(w.objector).object(assetId, hash());
      const resolution = hash();
      const t = await nextTimestamp();
      await expect(registry.connect(w.szRegistrar).resolveObjection(1, false, resolution))
        .to.emit(registry, "ObjectionResolved")
        .withArgs(1, assetId, w.szRegistrar.address, false, resolution, t);
      const o = await registry.objectionOf(1);
      expect([o.open, o.upheld]).to.deep.equal([false, false]);
      const a = await registry.assetOf(assetId);
      expect([a.status, a.openObjections]).to.deep.equal([BigInt(Status.InNotice), 0n]);
      await endNotice(w, assetId);
      await expect(registry.connect(w.szRegistrar).approveRegistration(assetId)).to.emit(
        registry,
        "RegistrationApproved",
      );
    });

    it("upheld: the registration is rejected and its content hash freed", async () => {
      const w = await loadFixture(world);
      const registry = w.registry;
      const submittedAt = await nextTimestamp();
      const { assetId, submission: s } = await submit(w, w.holder);
      const h = s.contentHash;
      await registry.connect(w.objector).object(assetId, hash());
      const t = await nextTimestamp();
      const tx = registry.connect(w.szRegistrar).resolveObjection(1, true, hash());
      await expect(tx)
        .to.emit(registry, "ObjectionResolved")
        .withArgs(1, assetId, w.szRegistrar.address, true, anyValue, t);
      await expect(tx)
        .to.emit(registry, "RegistrationRejected")
        .withArgs(assetId, SZ.id, w.szRegistrar.address, "objection upheld", t);
      const o = await registry.objectionOf(1);
      expect([o.open, o.upheld]).to.deep.equal([false, true]);
      const a = await registry.assetOf(assetId);
      expect([a.status, a.endedAt]).to.deep.equal([BigInt(Status.Rejected), BigInt(t)]);
      // findContent still names the ended registration: its status says the content is free.
      expect(await registry.findContent(h)).to.deep.equal([assetId, 1n, BigInt(submittedAt)]);
      await endNotice(w, assetId);
      await expect(registry.connect(w.szRegistrar).approveRegistration(assetId))
        .to.be.revertedWithCustomError(registry, "WrongStatus")
        .withArgs(assetId, Status.Rejected);
      // The rightful holder can now register the same content, and findContent names the new registration.
      const again = await nextTimestamp();
      await expect(registry.connect(w.objector).submit(submission({ contentHash: h })))
        .to.emit(registry, "RegistrationSubmitted")
        .withArgs(assetId + 1n, w.objector.address, SZ.id, anyValue, [], again, anyValue);
      expect(await registry.findContent(h)).to.deep.equal([assetId + 1n, 1n, BigInt(again)]);
    });

    it("only the asset's registrar resolves, once; unknown objections are refused", async () => {
      const { w, assetId, registry } = await inNotice();
      await registry.connect(w.objector).object(assetId, hash());
      for (const account of [w.bjRegistrar, w.holder, w.objector, w.admin]) {
        await expect(registry.connect(account).resolveObjection(1, true, hash()))
          .to.be.revertedWithCustomError(registry, "NotRegistrar")
          .withArgs(assetId, account.address);
      }
      await registry.connect(w.szRegistrar).resolveObjection(1, false, hash());
      for (const upheld of [false, true]) {
        await expect(registry.connect(w.szRegistrar).resolveObjection(1, upheld, hash()))
          .to.be.revertedWithCustomError(registry, "ObjectionClosed")
          .withArgs(1);
      }
      for (const id of [0, 2]) {
        await expect(registry.connect(w.szRegistrar).resolveObjection(id, false, hash()))
          .to.be.revertedWithCustomError(registry, "UnknownObjection")
          .withArgs(id);
      }
    });
  });

  describe("approval", () => {
    it("not during the notice: NoticeNotOver until noticeEndsAt, approvable at noticeEndsAt", async () => {
      const w = await loadFixture(world);
      const { assetId } = await submit(w, w.holder);
      const ends = (await w.registry.assetOf(assetId)).noticeEndsAt;
      await expect(w.registry.connect(w.szRegistrar).approveRegistration(assetId))
        .to.be.revertedWithCustomError(w.registry, "NoticeNotOver")
        .withArgs(assetId, ends);
      await time.setNextBlockTimestamp(ends - 1n);
      await expect(w.registry.connect(w.szRegistrar).approveRegistration(assetId))
        .to.be.revertedWithCustomError(w.registry, "NoticeNotOver")
        .withArgs(assetId, ends);
      await time.setNextBlockTimestamp(ends);
      await expect(w.registry.connect(w.szRegistrar).approveRegistration(assetId)).to.emit(
        w.registry,
        "RegistrationApproved",
      );
    });

    it("only by the asset's registrar", async () => {
      const w = await loadFixture(world);
      const { assetId } = await submit(w, w.holder);
      await endNotice(w, assetId);
      for (const account of [w.bjRegistrar, w.holder, w.other, w.admin, w.exchange]) {
        await expect(w.registry.connect(account).approveRegistration(assetId))
          .to.be.revertedWithCustomError(w.registry, "NotRegistrar")
          .withArgs(assetId, account.address);
      }
      await expect(w.registry.connect(w.szRegistrar).approveRegistration(99))
        .to.be.revertedWithCustomError(w.registry, "UnknownAsset")
        .withArgs(99);
    });

    it("mints the certificate to the applicant with number, content hash and validity", async () => {
      const w = await loadFixture(world);
      const { assetId, submission: s } = await submit(w, w.holder);
      await endNotice(w, assetId);
      const t = await nextTimestamp(60);
      const validUntil = t + Number(s.validityPeriod);
      const number = `SZDE-${cstYear(t)}-000001`;
      const tx = w.registry.connect(w.szRegistrar).approveRegistration(assetId);
      await expect(tx)
        .to.emit(w.registry, "RegistrationApproved")
        .withArgs(assetId, w.holder.address, SZ.id, number, w.szRegistrar.address, t, validUntil);
      await expect(tx).to.emit(w.registry, "Transfer").withArgs(ZERO_ADDRESS, w.holder.address, assetId);
      expect(await w.registry.ownerOf(assetId)).to.equal(w.holder.address);
      expect(await w.registry.holderOf(assetId)).to.equal(w.holder.address);
      expect(await w.registry.balanceOf(w.holder.address)).to.equal(1);
      expect(await w.registry.registrationNumber(assetId)).to.equal(number);
      const a = await w.registry.assetOf(assetId);
      expect(a.status).to.equal(Status.Active);
      expect([a.approvedAt, a.validUntil]).to.deep.equal([BigInt(t), BigInt(validUntil)]);
      expect([a.registrationYear, a.registrationSeq]).to.deep.equal([BigInt(cstYear(t)), 1n]);
    });

    it("cannot approve twice", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      await expect(w.registry.connect(w.szRegistrar).approveRegistration(assetId))
        .to.be.revertedWithCustomError(w.registry, "WrongStatus")
        .withArgs(assetId, Status.Active);
    });

    it("registrationNumber: empty before approval, unknown assets refused", async () => {
      const w = await loadFixture(world);
      const { assetId } = await submit(w, w.holder);
      expect(await w.registry.registrationNumber(assetId)).to.equal("");
      await expect(w.registry.registrationNumber(99))
        .to.be.revertedWithCustomError(w.registry, "UnknownAsset")
        .withArgs(99);
    });

    it("numbers run per registrar: two registrars number independently", async () => {
      const w = await loadFixture(world);
      const sz = await registerMany(w, 3);
      const bj = await registerMany(w, 2, w.other, { registrarId: BJ.id });
      const year = cstYear(await time.latest());
      const numbers = await Promise.all([...sz, ...bj].map((id) => w.registry.registrationNumber(id)));
      expect(numbers).to.deep.equal([
        `SZDE-${year}-000001`,
        `SZDE-${year}-000002`,
        `SZDE-${year}-000003`,
        `BJIDEX-${year}-000001`,
        `BJIDEX-${year}-000002`,
      ]);
    });

    it("numbers take the year in UTC+8 and restart at 000001 in a new year", async () => {
      const w = await loadFixture(world);
      const ids: bigint[] = [];
      for (let i = 0; i < 6; i++) ids.push((await submit(w, w.holder)).assetId);
      const bjAsset = (await submit(w, w.other, { registrarId: BJ.id })).assetId;
      // The first new year (UTC+8) at least 40 days ahead: e.g. 2028-01-01 00:00 UTC+8 = 2027-12-31T16:00:00Z.
      const year = cstYear((await time.latest()) + 40 * DAY) + 1;
      const newYear = cstMidnight(year, 1, 1);
      expect(new Date(newYear * 1000).getUTCDate()).to.equal(31); // still 31 December in UTC
      const approvals: [bigint, number, string][] = [
        [ids[0], newYear - 1, `SZDE-${year - 1}-000001`],
        [ids[1], newYear, `SZDE-${year}-000001`],
        [ids[2], newYear + 1, `SZDE-${year}-000002`],
        [bjAsset, newYear + 2, `BJIDEX-${year}-000001`],
        [ids[3], cstMidnight(year, 3, 1) - 1, `SZDE-${year}-000003`], // end of February
        [ids[4], cstMidnight(year, 3, 1), `SZDE-${year}-000004`],
        [ids[5], cstMidnight(year + 1, 1, 1) - 1, `SZDE-${year}-000005`], // 31 December 23:59:59
      ];
      for (const [id, at, number] of approvals) {
        await time.setNextBlockTimestamp(at);
        await expect(approve(w, id))
          .to.emit(w.registry, "RegistrationApproved")
          .withArgs(id, anyValue, anyValue, number, anyValue, at, anyValue);
        expect(await w.registry.registrationNumber(id)).to.equal(number);
      }
    });

    it("a registrar's yearly sequence stops at 999,999 (6 digits): SequenceExhausted, other registrars unaffected", async () => {
      const w = await loadFixture(world);
      const ids: bigint[] = [];
      for (let i = 0; i < 3; i++) ids.push((await submit(w, w.holder)).assetId);
      const bjAsset = (await submit(w, w.other, { registrarId: BJ.id })).assetId;
      await endNotice(w, bjAsset);
      // All approvals in one UTC+8 year, away from its end.
      const year = cstYear(await time.latest()) + 1;
      const at = cstMidnight(year, 6, 1);
      await time.setNextBlockTimestamp(at);
      await approve(w, ids[0]);
      expect(await w.registry.registrationNumber(ids[0])).to.equal(`SZDE-${year}-000001`);
      await setStorageAt(w, await sequenceSlot(w, SZ.id, year, 1n), 999_998n);
      await time.setNextBlockTimestamp(at + 1);
      await expect(approve(w, ids[1]))
        .to.emit(w.registry, "RegistrationApproved")
        .withArgs(ids[1], anyValue, anyValue, `SZDE-${year}-999999`, anyValue, at + 1, anyValue);
      expect((await w.registry.assetOf(ids[1])).registrationSeq).to.equal(999_999);
      await expect(approve(w, ids[2]))
        .to.be.revertedWithCustomError(w.registry, "SequenceExhausted")
        .withArgs(SZ.id, year);
      expect((await w.registry.assetOf(ids[2])).status).to.equal(Status.InNotice);
      await expect(approve(w, bjAsset)).to.emit(w.registry, "RegistrationApproved");
      expect(await w.registry.registrationNumber(bjAsset)).to.equal(`BJIDEX-${year}-000001`);
      // The next year starts again at 000001.
      await time.setNextBlockTimestamp(cstMidnight(year + 1, 1, 1));
      await approve(w, ids[2]);
      expect(await w.registry.registrationNumber(ids[2])).to.equal(`SZDE-${year + 1}-000001`);
    });

    it("rejectRegistration: by the registrar only, with a reason, in notice (also once the notice ended)", async () => {
      const w = await loadFixture(world);
      const submittedAt = await nextTimestamp();
      const { assetId, submission: s } = await submit(w, w.holder);
      for (const account of [w.bjRegistrar, w.holder, w.other]) {
        await expect(w.registry.connect(account).rejectRegistration(assetId, "no"))
          .to.be.revertedWithCustomError(w.registry, "NotRegistrar")
          .withArgs(assetId, account.address);
      }
      await expect(w.registry.connect(w.szRegistrar).rejectRegistration(assetId, "r".repeat(513)))
        .to.be.revertedWithCustomError(w.registry, "TextTooLong")
        .withArgs(513, 512);
      await endNotice(w, assetId);
      const t = await nextTimestamp();
      await expect(w.registry.connect(w.szRegistrar).rejectRegistration(assetId, "source evidence insufficient"))
        .to.emit(w.registry, "RegistrationRejected")
        .withArgs(assetId, SZ.id, w.szRegistrar.address, "source evidence insufficient", t);
      const a = await w.registry.assetOf(assetId);
      expect([a.status, a.endedAt]).to.deep.equal([BigInt(Status.Rejected), BigInt(t)]);
      // The ended registration stays findable by its content hash (its status tells the hash is free again).
      expect(await w.registry.findContent(s.contentHash)).to.deep.equal([assetId, 1n, BigInt(submittedAt)]);
      // No certificate was ever issued.
      await expect(w.registry.ownerOf(assetId))
        .to.be.revertedWithCustomError(w.registry, "ERC721NonexistentToken")
        .withArgs(assetId);
      await expect(w.registry.connect(w.szRegistrar).rejectRegistration(assetId, "again"))
        .to.be.revertedWithCustomError(w.registry, "WrongStatus")
        .withArgs(assetId, Status.Rejected);
    });

    it("rejectRegistration: not after approval", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      await expect(w.registry.connect(w.szRegistrar).rejectRegistration(assetId, "late"))
        .to.be.revertedWithCustomError(w.registry, "WrongStatus")
        .withArgs(assetId, Status.Active);
    });
  });

  describe("holding right", () => {
    async function active() {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      return { w, assetId, registry: w.registry };
    }

    it("ownerOf and holderOf name the holder; holderOf is zero for unknown assets", async () => {
      const { w, assetId, registry } = await active();
      expect(await registry.ownerOf(assetId)).to.equal(w.holder.address);
      expect(await registry.holderOf(assetId)).to.equal(w.holder.address);
      expect(await registry.holderOf(99)).to.equal(ZERO_ADDRESS);
      await expect(registry.ownerOf(99)).to.be.revertedWithCustomError(registry, "ERC721NonexistentToken").withArgs(99);
    });

    it("plain ERC-721 transfers and approvals are refused", async () => {
      const { w, assetId, registry } = await active();
      const r = registry.connect(w.holder);
      const from = w.holder.address;
      const to = w.other.address;
      for (const call of [
        () => r.transferFrom(from, to, assetId),
        () => r["safeTransferFrom(address,address,uint256)"](from, to, assetId),
        () => r["safeTransferFrom(address,address,uint256,bytes)"](from, to, assetId, "0x"),
        () => r.approve(to, assetId),
      ]) {
        await expect(call()).to.be.revertedWithCustomError(registry, "HoldingTransferRestricted").withArgs(assetId);
      }
      await expect(r.setApprovalForAll(to, true))
        .to.be.revertedWithCustomError(registry, "HoldingTransferRestricted")
        .withArgs(0);
      expect(await registry.ownerOf(assetId)).to.equal(from);
      expect(await registry.getApproved(assetId)).to.equal(ZERO_ADDRESS);
    });

    it("requestTransfer: holder only, valid recipient, evidence required", async () => {
      const { w, assetId, registry } = await active();
      for (const account of [w.other, w.szRegistrar]) {
        await expect(registry.connect(account).requestTransfer(assetId, w.licensee.address, hash()))
          .to.be.revertedWithCustomError(registry, "NotHolder")
          .withArgs(assetId, account.address);
      }
      for (const to of [ZERO_ADDRESS, w.holder.address]) {
        await expect(registry.connect(w.holder).requestTransfer(assetId, to, hash()))
          .to.be.revertedWithCustomError(registry, "InvalidRecipient")
          .withArgs(to);
      }
      await expect(
        registry.connect(w.holder).requestTransfer(assetId, w.other.address, ZERO_HASH),
      ).to.be.revertedWithCustomError(registry, "ZeroHash");
      expect(await pendingTransfer(w, assetId)).to.deep.equal(NO_REQUEST);
    });

    it("requestTransfer then approveTransfer: the registrar moves the holding right", async () => {
      const { w, assetId, registry } = await active();
      const evidence = hash();
      let t = await nextTimestamp();
      await expect(registry.connect(w.holder).requestTransfer(assetId, w.other.address, evidence))
        .to.emit(registry, "HoldingTransferRequested")
        .withArgs(assetId, w.holder.address, w.other.address, evidence, t);
      expect(await pendingTransfer(w, assetId)).to.deep.equal([w.other.address, evidence]);
      for (const account of [w.bjRegistrar, w.holder, w.other]) {
        await expect(registry.connect(account).approveTransfer(assetId, w.other.address, evidence))
          .to.be.revertedWithCustomError(registry, "NotRegistrar")
          .withArgs(assetId, account.address);
      }
      t = await nextTimestamp();
      const tx = registry.connect(w.szRegistrar).approveTransfer(assetId, w.other.address, evidence);
      await expect(tx)
        .to.emit(registry, "HoldingTransferred")
        .withArgs(assetId, w.holder.address, w.other.address, w.szRegistrar.address, 0, t);
      await expect(tx).to.emit(registry, "Transfer").withArgs(w.holder.address, w.other.address, assetId);
      expect(await registry.ownerOf(assetId)).to.equal(w.other.address);
      expect(await registry.holderOf(assetId)).to.equal(w.other.address);
      expect(await pendingTransfer(w, assetId)).to.deep.equal(NO_REQUEST);
      await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, w.other.address, evidence))
        .to.be.revertedWithCustomError(registry, "NoTransferRequest")
        .withArgs(assetId);
      // The former holder lost the holder's powers, the new one has them.
      await expect(registry.connect(w.holder).requestTransfer(assetId, w.licensee.address, hash()))
        .to.be.revertedWithCustomError(registry, "NotHolder")
        .withArgs(assetId, w.holder.address);
      await expect(registry.connect(w.other).requestTransfer(assetId, w.licensee.address, hash())).to.emit(
        registry,
        "HoldingTransferRequested",
      );
    });

    it("a new request replaces the pending one", async () => {
      const { w, assetId, registry } = await active();
      const [first, second] = [hash(), hash()];
      await registry.connect(w.holder).requestTransfer(assetId, w.other.address, first);
      await registry.connect(w.holder).requestTransfer(assetId, w.licensee.address, second);
      expect(await pendingTransfer(w, assetId)).to.deep.equal([w.licensee.address, second]);
      await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, w.other.address, first))
        .to.be.revertedWithCustomError(registry, "TransferRequestChanged")
        .withArgs(assetId, w.licensee.address, second);
      await registry.connect(w.szRegistrar).approveTransfer(assetId, w.licensee.address, second);
      expect(await registry.ownerOf(assetId)).to.equal(w.licensee.address);
    });

    it("approveTransfer without a request is refused", async () => {
      const { w, assetId, registry } = await active();
      await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, w.other.address, hash()))
        .to.be.revertedWithCustomError(registry, "NoTransferRequest")
        .withArgs(assetId);
      // Naming zeros (the empty request) does not match it either.
      await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, ZERO_ADDRESS, ZERO_HASH))
        .to.be.revertedWithCustomError(registry, "NoTransferRequest")
        .withArgs(assetId);
    });

    it("review issue 16 item 6: a holder who changes the request after the registrar's review cannot get the reviewed approval", async () => {
      const { w, assetId, registry } = await active();
      const [e1, e2] = [hash("deed-to-B"), hash("deed-to-C")];
      const B = w.other;
      const C = w.licensee;
      await registry.connect(w.holder).requestTransfer(assetId, B.address, e1);
      // The registrar reviews the pending request: B, with evidence E1.
      const reviewed = await pendingTransfer(w, assetId);
      expect(reviewed).to.deep.equal([B.address, e1]);
      // The holder front-runs the approval with a new request to C.
      await registry.connect(w.holder).requestTransfer(assetId, C.address, e2);
      await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, ...reviewed))
        .to.be.revertedWithCustomError(registry, "TransferRequestChanged")
        .withArgs(assetId, C.address, e2);
      // Half of the new request is not enough either.
      for (const [to, evidence] of [
        [C.address, e1],
        [B.address, e2],
      ]) {
        await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, to, evidence))
          .to.be.revertedWithCustomError(registry, "TransferRequestChanged")
          .withArgs(assetId, C.address, e2);
      }
      expect(await registry.ownerOf(assetId)).to.equal(w.holder.address);
      expect(await pendingTransfer(w, assetId)).to.deep.equal([C.address, e2]);
      // Once the registrar has reviewed the new request, approving what it reviewed works.
      await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, C.address, e2))
        .to.emit(registry, "HoldingTransferred")
        .withArgs(assetId, w.holder.address, C.address, w.szRegistrar.address, 0, anyValue);
      expect(await registry.ownerOf(assetId)).to.equal(C.address);
      expect(await pendingTransfer(w, assetId)).to.deep.equal(NO_REQUEST);
    });

    it("approveTransfer refuses the right recipient with other evidence than the pending request's", async () => {
      const { w, assetId, registry } = await active();
      const [e1, e3] = [hash("deed"), hash("other deed")];
      await registry.connect(w.holder).requestTransfer(assetId, w.other.address, e1);
      await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, w.other.address, e3))
        .to.be.revertedWithCustomError(registry, "TransferRequestChanged")
        .withArgs(assetId, w.other.address, e1);
      // The holder swaps only the evidence: the approval of the reviewed evidence is refused.
      await registry.connect(w.holder).requestTransfer(assetId, w.other.address, e3);
      await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, w.other.address, e1))
        .to.be.revertedWithCustomError(registry, "TransferRequestChanged")
        .withArgs(assetId, w.other.address, e3);
      expect(await registry.ownerOf(assetId)).to.equal(w.holder.address);
      await registry.connect(w.szRegistrar).approveTransfer(assetId, w.other.address, e3);
      expect(await registry.ownerOf(assetId)).to.equal(w.other.address);
    });

    it("cancelTransferRequest: the holder withdraws the pending request", async () => {
      const { w, assetId, registry } = await active();
      await expect(registry.connect(w.holder).cancelTransferRequest(assetId))
        .to.be.revertedWithCustomError(registry, "NoTransferRequest")
        .withArgs(assetId);
      const evidence = hash();
      await registry.connect(w.holder).requestTransfer(assetId, w.other.address, evidence);
      for (const account of [w.other, w.szRegistrar]) {
        await expect(registry.connect(account).cancelTransferRequest(assetId))
          .to.be.revertedWithCustomError(registry, "NotHolder")
          .withArgs(assetId, account.address);
      }
      const t = await nextTimestamp();
      await expect(registry.connect(w.holder).cancelTransferRequest(assetId))
        .to.emit(registry, "HoldingTransferRequestCancelled")
        .withArgs(assetId, w.holder.address, t);
      expect(await pendingTransfer(w, assetId)).to.deep.equal(NO_REQUEST);
      await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, w.other.address, evidence))
        .to.be.revertedWithCustomError(registry, "NoTransferRequest")
        .withArgs(assetId);
      expect(await registry.ownerOf(assetId)).to.equal(w.holder.address);
    });

    it("transferByExchange: EXCHANGE_ROLE only, from the current holder, with the order id", async () => {
      const { w, assetId, registry } = await active();
      const role = await registry.EXCHANGE_ROLE();
      for (const account of [w.holder, w.szRegistrar, w.admin]) {
        await expect(registry.connect(account).transferByExchange(assetId, w.holder.address, w.other.address, 1))
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(account.address, role);
      }
      const ex = registry.connect(w.exchange);
      await expect(ex.transferByExchange(assetId, w.other.address, w.licensee.address, 1))
        .to.be.revertedWithCustomError(registry, "NotHolder")
        .withArgs(assetId, w.other.address);
      for (const to of [ZERO_ADDRESS, w.holder.address]) {
        await expect(ex.transferByExchange(assetId, w.holder.address, to, 1))
          .to.be.revertedWithCustomError(registry, "InvalidRecipient")
          .withArgs(to);
      }
      await expect(ex.transferByExchange(99, w.holder.address, w.other.address, 1))
        .to.be.revertedWithCustomError(registry, "UnknownAsset")
        .withArgs(99);

      await registry.connect(w.holder).requestTransfer(assetId, w.licensee.address, hash());
      const t = await nextTimestamp();
      const tx = ex.transferByExchange(assetId, w.holder.address, w.other.address, 42);
      await expect(tx)
        .to.emit(registry, "HoldingTransferred")
        .withArgs(assetId, w.holder.address, w.other.address, w.exchange.address, 42, t);
      await expect(tx).to.emit(registry, "Transfer").withArgs(w.holder.address, w.other.address, assetId);
      expect(await registry.ownerOf(assetId)).to.equal(w.other.address);
      // The old holder's pending request died with its holding.
      expect(await pendingTransfer(w, assetId)).to.deep.equal(NO_REQUEST);
    });

    it("no transfer of an expired asset (expiry is after validUntil)", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder, { validityPeriod: MIN_VALIDITY });
      const validUntil = (await w.registry.assetOf(assetId)).validUntil;
      await w.registry.connect(w.holder).requestTransfer(assetId, w.licensee.address, hash());
      // validUntil is the last second of validity: both still work in it.
      await time.setNextBlockTimestamp(validUntil - 1n);
      await w.registry.connect(w.exchange).transferByExchange(assetId, w.holder.address, w.other.address, 1);
      await time.setNextBlockTimestamp(validUntil);
      const evidence = hash();
      await w.registry.connect(w.other).requestTransfer(assetId, w.licensee.address, evidence);
      await time.increaseTo(validUntil + 1n);
      await expect(w.registry.connect(w.szRegistrar).approveTransfer(assetId, w.licensee.address, evidence))
        .to.be.revertedWithCustomError(w.registry, "AssetExpired")
        .withArgs(assetId, validUntil);
      await expect(w.registry.connect(w.other).requestTransfer(assetId, w.licensee.address, hash()))
        .to.be.revertedWithCustomError(w.registry, "AssetExpired")
        .withArgs(assetId, validUntil);
      await expect(
        w.registry.connect(w.exchange).transferByExchange(assetId, w.other.address, w.licensee.address, 2),
      )
        .to.be.revertedWithCustomError(w.registry, "AssetExpired")
        .withArgs(assetId, validUntil);
      // The holder can still withdraw its request.
      await expect(w.registry.connect(w.other).cancelTransferRequest(assetId)).to.emit(
        w.registry,
        "HoldingTransferRequestCancelled",
      );
    });

    it("no transfer of a cancelled asset; cancellation drops the pending request", async () => {
      const { w, assetId, registry } = await active();
      const evidence = hash();
      await registry.connect(w.holder).requestTransfer(assetId, w.other.address, evidence);
      await registry.connect(w.szRegistrar).cancel(assetId, "注销");
      expect(await pendingTransfer(w, assetId)).to.deep.equal(NO_REQUEST);
      await expect(registry.connect(w.szRegistrar).approveTransfer(assetId, w.other.address, evidence))
        .to.be.revertedWithCustomError(registry, "NoTransferRequest")
        .withArgs(assetId);
      await expect(registry.connect(w.holder).requestTransfer(assetId, w.other.address, hash()))
        .to.be.revertedWithCustomError(registry, "AssetNotActive")
        .withArgs(assetId);
      await expect(registry.connect(w.exchange).transferByExchange(assetId, w.holder.address, w.other.address, 1))
        .to.be.revertedWithCustomError(registry, "AssetNotActive")
        .withArgs(assetId);
    });
  });

  describe("certificate (ERC-721)", () => {
    it("supports ERC-165 for ERC-721 and ERC-721 metadata", async () => {
      const { registry } = await loadFixture(world);
      expect(await registry.supportsInterface("0x80ac58cd")).to.equal(true); // IERC721
      expect(await registry.supportsInterface("0x5b5e139f")).to.equal(true); // IERC721Metadata
      expect(await registry.supportsInterface("0x780e9d63")).to.equal(false); // IERC721Enumerable: not offered
    });

    it("balanceOf refuses the zero address (ERC721InvalidOwner) and is zero for an account without certificates", async () => {
      const w = await loadFixture(world);
      await expect(w.registry.balanceOf(ZERO_ADDRESS))
        .to.be.revertedWithCustomError(w.registry, "ERC721InvalidOwner")
        .withArgs(ZERO_ADDRESS);
      expect(await w.registry.balanceOf(w.other.address)).to.equal(0);
    });

    it("no token exists before approval: ownerOf, tokenURI and getApproved revert ERC721NonexistentToken", async () => {
      const w = await loadFixture(world);
      const { assetId: inNotice } = await submit(w, w.holder);
      const { assetId: rejected } = await submit(w, w.holder);
      await w.registry.connect(w.szRegistrar).rejectRegistration(rejected, "no");
      const { assetId: withdrawn } = await submit(w, w.holder);
      await w.registry.connect(w.holder).cancel(withdrawn, "withdrawn");
      await endNotice(w, inNotice); // even with the notice over, until the registrar approves
      for (const id of [inNotice, rejected, withdrawn, 99n]) {
        for (const call of [() => w.registry.ownerOf(id), () => w.registry.tokenURI(id), () => w.registry.getApproved(id)]) {
          await expect(call()).to.be.revertedWithCustomError(w.registry, "ERC721NonexistentToken").withArgs(id);
        }
      }
      // The applicant is on record in the asset, but is not a certificate holder.
      expect((await w.registry.assetOf(inNotice)).holder).to.equal(w.holder.address);
      expect(await w.registry.holderOf(inNotice)).to.equal(ZERO_ADDRESS);
      expect(await w.registry.balanceOf(w.holder.address)).to.equal(0);
      // Approval creates it.
      await approve(w, inNotice);
      expect(await w.registry.ownerOf(inNotice)).to.equal(w.holder.address);
      expect(await w.registry.tokenURI(inNotice)).to.equal("");
      expect(await w.registry.getApproved(inNotice)).to.equal(ZERO_ADDRESS);
      expect(await w.registry.isApprovedForAll(w.holder.address, w.other.address)).to.equal(false);
    });

    it("Transfer events at approval (mint) and at each holding transfer; balances count certificates held", async () => {
      const w = await loadFixture(world);
      const { assetId: a } = await submit(w, w.holder);
      const { assetId: b } = await submit(w, w.holder);
      await endNotice(w, b);
      for (const id of [a, b]) {
        await expect(approve(w, id)).to.emit(w.registry, "Transfer").withArgs(ZERO_ADDRESS, w.holder.address, id);
      }
      expect(await w.registry.balanceOf(w.holder.address)).to.equal(2);

      const deed = hash("deed");
      await w.registry.connect(w.holder).requestTransfer(a, w.other.address, deed);
      await expect(w.registry.connect(w.szRegistrar).approveTransfer(a, w.other.address, deed))
        .to.emit(w.registry, "Transfer")
        .withArgs(w.holder.address, w.other.address, a);
      expect(await w.registry.balanceOf(w.holder.address)).to.equal(1);
      expect(await w.registry.balanceOf(w.other.address)).to.equal(1);

      await expect(w.registry.connect(w.exchange).transferByExchange(b, w.holder.address, w.other.address, 3))
        .to.emit(w.registry, "Transfer")
        .withArgs(w.holder.address, w.other.address, b);
      expect(await w.registry.balanceOf(w.holder.address)).to.equal(0);
      expect(await w.registry.balanceOf(w.other.address)).to.equal(2);

      await expect(w.registry.connect(w.exchange).transferByExchange(a, w.other.address, w.licensee.address, 4))
        .to.emit(w.registry, "Transfer")
        .withArgs(w.other.address, w.licensee.address, a);
      expect(await w.registry.balanceOf(w.other.address)).to.equal(1);
      expect(await w.registry.balanceOf(w.licensee.address)).to.equal(1);
      expect([await w.registry.ownerOf(a), await w.registry.ownerOf(b)]).to.deep.equal([w.licensee.address, w.other.address]);
      // The asset's stored holder is the certificate holder.
      expect((await w.registry.assetOf(a)).holder).to.equal(w.licensee.address);

      // A cancelled registration keeps its certificate as a record: no Transfer, the balance is unchanged.
      await expect(w.registry.connect(w.licensee).cancel(a, "注销")).not.to.emit(w.registry, "Transfer");
      expect(await w.registry.balanceOf(w.licensee.address)).to.equal(1);
      expect(await w.registry.ownerOf(a)).to.equal(w.licensee.address);
    });
  });

  describe("versions", () => {
    it("the holder adds a version that supersedes the current hash; earlier versions stay findable", async () => {
      const w = await loadFixture(world);
      const s = submission();
      const t1 = await nextTimestamp();
      await w.registry.connect(w.holder).submit(s);
      await endNotice(w, 1n);
      await approve(w, 1n);
      const [h2, m2] = [hash(), hash()];
      const t2 = await nextTimestamp();
      await expect(w.registry.connect(w.holder).addVersion(1, h2, m2))
        .to.emit(w.registry, "VersionAdded")
        .withArgs(1, 2, h2, m2, w.holder.address, t2);
      // Version 2 is the latest; both hashes name their own version of asset 1.
      expect((await w.registry.assetOf(1)).versionCount).to.equal(2);
      expect(await w.registry.findContent(s.contentHash)).to.deep.equal([1n, 1n, BigInt(t1)]);
      expect(await w.registry.findContent(h2)).to.deep.equal([1n, 2n, BigInt(t2)]);
      const h3 = hash();
      const t3 = await nextTimestamp();
      await expect(w.registry.connect(w.holder).addVersion(1, h3, hash()))
        .to.emit(w.registry, "VersionAdded")
        .withArgs(1, 3, h3, anyValue, w.holder.address, t3);
      expect((await w.registry.assetOf(1)).versionCount).to.equal(3);
      expect(await w.registry.findContent(h3)).to.deep.equal([1n, 3n, BigInt(t3)]);
      // Earlier versions stay findable.
      expect(await w.registry.findContent(s.contentHash)).to.deep.equal([1n, 1n, BigInt(t1)]);
      expect(await w.registry.findContent(h2)).to.deep.equal([1n, 2n, BigInt(t2)]);
    });

    it("an asset has at most 65535 versions (versionCount is uint16): TooManyVersions", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      await w.registry.connect(w.holder).addVersion(assetId, hash(), hash());
      // versionCount sits in the asset's second slot after status (8 bits), approvedAt, validUntil, endedAt (40 bits
      // each) and openObjections (16 bits): bits 144-159.
      const slot = (await assetSlot(w, assetId)) + 1n;
      const word = await storageAt(w, slot);
      const field = (v: bigint) => (v >> 144n) & 0xffffn;
      expect(field(word)).to.equal(2n); // the layout is what this test assumes
      await setStorageAt(w, slot, (word & ~(0xffffn << 144n)) | (65534n << 144n));
      expect((await w.registry.assetOf(assetId)).versionCount).to.equal(65534);
      const last = hash();
      await expect(w.registry.connect(w.holder).addVersion(assetId, last, hash()))
        .to.emit(w.registry, "VersionAdded")
        .withArgs(assetId, 65535, last, anyValue, w.holder.address, anyValue);
      expect((await w.registry.findContent(last))[1]).to.equal(65535n);
      const refused = hash();
      await expect(w.registry.connect(w.holder).addVersion(assetId, refused, hash()))
        .to.be.revertedWithCustomError(w.registry, "TooManyVersions")
        .withArgs(assetId);
      const a = await w.registry.assetOf(assetId);
      expect([a.versionCount, a.status]).to.deep.equal([65535n, BigInt(Status.Active)]);
      expect((await w.registry.findContent(refused))[0]).to.equal(0n);
    });

    it("holder only", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      const { assetId: pending } = await submit(w, w.holder);
      for (const account of [w.other, w.szRegistrar]) {
        await expect(w.registry.connect(account).addVersion(assetId, hash(), hash()))
          .to.be.revertedWithCustomError(w.registry, "NotHolder")
          .withArgs(assetId, account.address);
      }
      // Before approval there is no holder, not even the applicant.
      await expect(w.registry.connect(w.holder).addVersion(pending, hash(), hash()))
        .to.be.revertedWithCustomError(w.registry, "NotHolder")
        .withArgs(pending, w.holder.address);
    });

    it("refuses zero hashes and a content hash already registered (its own or another asset's)", async () => {
      const w = await loadFixture(world);
      const { assetId, submission: s } = await registerActive(w, w.holder);
      const { assetId: otherAsset, submission: o } = await submit(w, w.other, { registrarId: BJ.id });
      const r = w.registry.connect(w.holder);
      await expect(r.addVersion(assetId, ZERO_HASH, hash())).to.be.revertedWithCustomError(w.registry, "ZeroHash");
      await expect(r.addVersion(assetId, hash(), ZERO_HASH)).to.be.revertedWithCustomError(w.registry, "ZeroHash");
      await expect(r.addVersion(assetId, s.contentHash, hash()))
        .to.be.revertedWithCustomError(w.registry, "ContentAlreadyRegistered")
        .withArgs(s.contentHash, assetId);
      await expect(r.addVersion(assetId, o.contentHash, hash()))
        .to.be.revertedWithCustomError(w.registry, "ContentAlreadyRegistered")
        .withArgs(o.contentHash, otherAsset);
      // A version's hash cannot be submitted as a new registration either.
      const h2 = hash();
      await r.addVersion(assetId, h2, hash());
      await expect(w.registry.connect(w.other).submit(submission({ contentHash: h2 })))
        .to.be.revertedWithCustomError(w.registry, "ContentAlreadyRegistered")
        .withArgs(h2, assetId);
    });

    it("not on an expired or cancelled asset", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder, { validityPeriod: MIN_VALIDITY });
      const { assetId: cancelled } = await registerActive(w, w.holder);
      await w.registry.connect(w.holder).cancel(cancelled, "注销");
      const validUntil = (await w.registry.assetOf(assetId)).validUntil;
      await time.increaseTo(validUntil + 1n);
      await expect(w.registry.connect(w.holder).addVersion(assetId, hash(), hash()))
        .to.be.revertedWithCustomError(w.registry, "AssetExpired")
        .withArgs(assetId, validUntil);
      await expect(w.registry.connect(w.holder).addVersion(cancelled, hash(), hash()))
        .to.be.revertedWithCustomError(w.registry, "AssetNotActive")
        .withArgs(cancelled);
    });
  });

  describe("change", () => {
    it("the holder or the registrar changes the descriptive data: RegistrationChanged", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      for (const account of [w.holder, w.szRegistrar]) {
        const m = hash();
        const t = await nextTimestamp();
        const weekly = UpdateFrequency.Weekly;
        await expect(w.registry.connect(account).change(assetId, m, "ipfs://v2", 2_000_000, 9_000_000_000n, weekly))
          .to.emit(w.registry, "RegistrationChanged")
          .withArgs(assetId, account.address, m, "ipfs://v2", 2_000_000, 9_000_000_000n, UpdateFrequency.Weekly, t);
      }
    });

    it("refuses others, a zero metadata hash, a long URI, and registrations not active", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      for (const account of [w.other, w.bjRegistrar, w.admin]) {
        await expect(w.registry.connect(account).change(assetId, hash(), "", 1, 1, 0))
          .to.be.revertedWithCustomError(w.registry, "NotHolderOrRegistrar")
          .withArgs(assetId, account.address);
      }
      await expect(w.registry.connect(w.holder).change(assetId, ZERO_HASH, "", 1, 1, 0)).to.be.revertedWithCustomError(
        w.registry,
        "ZeroHash",
      );
      await expect(w.registry.connect(w.holder).change(assetId, hash(), "u".repeat(513), 1, 1, 0))
        .to.be.revertedWithCustomError(w.registry, "TextTooLong")
        .withArgs(513, 512);
      const { assetId: pending } = await submit(w, w.holder);
      await expect(w.registry.connect(w.szRegistrar).change(pending, hash(), "", 1, 1, 0))
        .to.be.revertedWithCustomError(w.registry, "WrongStatus")
        .withArgs(pending, Status.InNotice);
      await w.registry.connect(w.holder).cancel(assetId, "注销");
      await expect(w.registry.connect(w.holder).change(assetId, hash(), "", 1, 1, 0))
        .to.be.revertedWithCustomError(w.registry, "WrongStatus")
        .withArgs(assetId, Status.Cancelled);
      await expect(w.registry.connect(w.holder).change(99, hash(), "", 1, 1, 0))
        .to.be.revertedWithCustomError(w.registry, "UnknownAsset")
        .withArgs(99);
    });
  });

  describe("cancel", () => {
    it("the applicant withdraws an application in notice; no one else can", async () => {
      const w = await loadFixture(world);
      const { assetId } = await submit(w, w.holder);
      for (const account of [w.other, w.szRegistrar]) {
        await expect(w.registry.connect(account).cancel(assetId, "x"))
          .to.be.revertedWithCustomError(w.registry, "NotHolder")
          .withArgs(assetId, account.address);
      }
      const t = await nextTimestamp();
      await expect(w.registry.connect(w.holder).cancel(assetId, "withdrawn"))
        .to.emit(w.registry, "RegistrationCancelled")
        .withArgs(assetId, w.holder.address, "withdrawn", t);
      const a = await w.registry.assetOf(assetId);
      expect([a.status, a.endedAt]).to.deep.equal([BigInt(Status.Cancelled), BigInt(t)]);
      await endNotice(w, assetId);
      await expect(w.registry.connect(w.szRegistrar).approveRegistration(assetId))
        .to.be.revertedWithCustomError(w.registry, "WrongStatus")
        .withArgs(assetId, Status.Cancelled);
      expect(await w.registry.isActive(assetId, await time.latest())).to.equal(false);
    });

    it("the holder or the registrar cancels an approved registration; others are refused", async () => {
      const w = await loadFixture(world);
      const [byHolder, byRegistrar] = await registerMany(w, 2);
      for (const account of [w.other, w.bjRegistrar]) {
        await expect(w.registry.connect(account).cancel(byHolder, "x"))
          .to.be.revertedWithCustomError(w.registry, "NotHolderOrRegistrar")
          .withArgs(byHolder, account.address);
      }
      await expect(w.registry.connect(w.holder).cancel(byHolder, "r".repeat(513)))
        .to.be.revertedWithCustomError(w.registry, "TextTooLong")
        .withArgs(513, 512);
      for (const [id, account] of [
        [byHolder, w.holder],
        [byRegistrar, w.szRegistrar],
      ] as const) {
        const t = await nextTimestamp();
        await expect(w.registry.connect(account).cancel(id, "注销"))
          .to.emit(w.registry, "RegistrationCancelled")
          .withArgs(id, account.address, "注销", t);
        const a = await w.registry.assetOf(id);
        expect([a.status, a.endedAt]).to.deep.equal([BigInt(Status.Cancelled), BigInt(t)]);
        // The certificate stays as a record of the cancelled registration, with its number.
        expect(await w.registry.ownerOf(id)).to.equal(w.holder.address);
        expect(await w.registry.registrationNumber(id)).to.match(/^SZDE-\d{4}-00000[12]$/);
      }
    });

    it("after a transfer, the former holder (the applicant) can no longer cancel", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      await w.registry.connect(w.exchange).transferByExchange(assetId, w.holder.address, w.other.address, 1);
      await expect(w.registry.connect(w.holder).cancel(assetId, "x"))
        .to.be.revertedWithCustomError(w.registry, "NotHolderOrRegistrar")
        .withArgs(assetId, w.holder.address);
      await expect(w.registry.connect(w.other).cancel(assetId, "x")).to.emit(w.registry, "RegistrationCancelled");
    });

    it("a cancelled registration is inactive from the cancellation on, still active before it", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      const approvedAt = Number((await w.registry.assetOf(assetId)).approvedAt);
      await time.increase(10 * DAY);
      const t = await nextTimestamp();
      await w.registry.connect(w.holder).cancel(assetId, "注销");
      expect(await w.registry.isActive(assetId, approvedAt)).to.equal(true);
      expect(await w.registry.isActive(assetId, t - 1)).to.equal(true);
      expect(await w.registry.isActive(assetId, t)).to.equal(false);
      expect(await w.registry.isActive(assetId, t + DAY)).to.equal(false);
    });

    it("review issue 16 item 2: the holder cannot cancel while a licence sold on the exchange is in term; after, it can", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      expect((await w.registry.assetOf(assetId)).paidLicencesUntil).to.equal(0);
      const until = (await time.latest()) + 90 * DAY;
      await w.registry.connect(w.exchange).recordPaidLicence(assetId, until);
      expect((await w.registry.assetOf(assetId)).paidLicencesUntil).to.equal(until);
      await expect(w.registry.connect(w.holder).cancel(assetId, "注销"))
        .to.be.revertedWithCustomError(w.registry, "PaidLicencesLive")
        .withArgs(assetId, until);
      // The licence's last second is still in term.
      await time.setNextBlockTimestamp(until);
      await expect(w.registry.connect(w.holder).cancel(assetId, "注销"))
        .to.be.revertedWithCustomError(w.registry, "PaidLicencesLive")
        .withArgs(assetId, until);
      expect((await w.registry.assetOf(assetId)).status).to.equal(Status.Active);
      await time.increaseTo(until + 1);
      const t = await nextTimestamp();
      await expect(w.registry.connect(w.holder).cancel(assetId, "注销"))
        .to.emit(w.registry, "RegistrationCancelled")
        .withArgs(assetId, w.holder.address, "注销", t);
      expect((await w.registry.assetOf(assetId)).status).to.equal(Status.Cancelled);
    });

    it("a licence in term binds the next holder too; the registrar can cancel anyway (for cause)", async () => {
      const w = await loadFixture(world);
      const [moved, byRegistrar] = await registerMany(w, 2);
      const until = (await time.latest()) + 30 * DAY;
      for (const id of [moved, byRegistrar]) await w.registry.connect(w.exchange).recordPaidLicence(id, until);
      await w.registry.connect(w.exchange).transferByExchange(moved, w.holder.address, w.other.address, 1);
      await expect(w.registry.connect(w.other).cancel(moved, "x"))
        .to.be.revertedWithCustomError(w.registry, "PaidLicencesLive")
        .withArgs(moved, until);
      // Others are still refused as before (not told about licences).
      await expect(w.registry.connect(w.holder).cancel(moved, "x"))
        .to.be.revertedWithCustomError(w.registry, "NotHolderOrRegistrar")
        .withArgs(moved, w.holder.address);
      await expect(w.registry.connect(w.bjRegistrar).cancel(moved, "x"))
        .to.be.revertedWithCustomError(w.registry, "NotHolderOrRegistrar")
        .withArgs(moved, w.bjRegistrar.address);
      for (const id of [moved, byRegistrar]) {
        const t = await nextTimestamp();
        await expect(w.registry.connect(w.szRegistrar).cancel(id, "for cause"))
          .to.emit(w.registry, "RegistrationCancelled")
          .withArgs(id, w.szRegistrar.address, "for cause", t);
        expect((await w.registry.assetOf(id)).status).to.equal(Status.Cancelled);
      }
    });

    it("recordPaidLicence: EXCHANGE_ROLE only, known assets only; never lowers the end; saturates at 2^32 - 1", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      const role = await w.registry.EXCHANGE_ROLE();
      const until = BigInt(await time.latest()) + BigInt(YEAR);
      for (const account of [w.holder, w.szRegistrar, w.admin, w.other]) {
        await expect(w.registry.connect(account).recordPaidLicence(assetId, until))
          .to.be.revertedWithCustomError(w.registry, "AccessControlUnauthorizedAccount")
          .withArgs(account.address, role);
      }
      expect((await w.registry.assetOf(assetId)).paidLicencesUntil).to.equal(0);
      const ex = w.registry.connect(w.exchange);
      await expect(ex.recordPaidLicence(99, until))
        .to.be.revertedWithCustomError(w.registry, "UnknownAsset")
        .withArgs(99);

      const recorded = async () => (await w.registry.assetOf(assetId)).paidLicencesUntil;
      await ex.recordPaidLicence(assetId, until);
      expect(await recorded()).to.equal(until);
      // A shorter licence sold later does not shorten the protection of the longer one.
      await ex.recordPaidLicence(assetId, until - BigInt(DAY));
      expect(await recorded()).to.equal(until);
      await ex.recordPaidLicence(assetId, 0);
      expect(await recorded()).to.equal(until);
      await ex.recordPaidLicence(assetId, until + 1n);
      expect(await recorded()).to.equal(until + 1n);

      const UINT32_MAX = 2n ** 32n - 1n;
      await ex.recordPaidLicence(assetId, UINT32_MAX);
      expect(await recorded()).to.equal(UINT32_MAX);
      for (const beyond of [UINT32_MAX + 1n, 2n ** 40n, 2n ** 64n - 1n]) {
        await ex.recordPaidLicence(assetId, beyond);
        expect(await recorded()).to.equal(UINT32_MAX); // saturates, does not wrap to a small value
      }
      await expect(w.registry.connect(w.holder).cancel(assetId, "x"))
        .to.be.revertedWithCustomError(w.registry, "PaidLicencesLive")
        .withArgs(assetId, UINT32_MAX);
      // The other fields of the slot it shares are untouched.
      const a = await w.registry.assetOf(assetId);
      expect([a.status, a.versionCount, a.registrationSeq, a.validityDays]).to.deep.equal([
        BigInt(Status.Active),
        1n,
        1n,
        BigInt((3 * YEAR) / DAY),
      ]);
    });

    it("cannot cancel twice, nor cancel a rejected registration", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder);
      await w.registry.connect(w.holder).cancel(assetId, "注销");
      for (const account of [w.holder, w.szRegistrar]) {
        await expect(w.registry.connect(account).cancel(assetId, "again"))
          .to.be.revertedWithCustomError(w.registry, "WrongStatus")
          .withArgs(assetId, Status.Cancelled);
      }
      const { assetId: rejected } = await submit(w, w.holder);
      await w.registry.connect(w.szRegistrar).rejectRegistration(rejected, "no");
      await expect(w.registry.connect(w.holder).cancel(rejected, "x"))
        .to.be.revertedWithCustomError(w.registry, "WrongStatus")
        .withArgs(rejected, Status.Rejected);
      await expect(w.registry.connect(w.holder).cancel(99, "x"))
        .to.be.revertedWithCustomError(w.registry, "UnknownAsset")
        .withArgs(99);
    });
  });

  describe("renew", () => {
    async function active() {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder, { validityPeriod: YEAR });
      const validUntil = (await w.registry.assetOf(assetId)).validUntil;
      return { w, assetId, validUntil, registry: w.registry };
    }

    it("the registrar extends the validity: RegistrationRenewed, and the asset lives past the old end", async () => {
      const { w, assetId, validUntil, registry } = await active();
      const newValidUntil = validUntil + BigInt(3 * YEAR);
      const t = await nextTimestamp();
      await expect(registry.connect(w.szRegistrar).renew(assetId, newValidUntil))
        .to.emit(registry, "RegistrationRenewed")
        .withArgs(assetId, w.szRegistrar.address, validUntil, newValidUntil, t);
      expect((await registry.assetOf(assetId)).validUntil).to.equal(newValidUntil);
      expect(await registry.isActive(assetId, validUntil + 1n)).to.equal(true);
      expect(await registry.isActive(assetId, newValidUntil)).to.equal(true);
      expect(await registry.isActive(assetId, newValidUntil + 1n)).to.equal(false);
      await time.increaseTo(validUntil + 1n);
      await expect(registry.connect(w.holder).addVersion(assetId, hash(), hash())).to.emit(registry, "VersionAdded");
    });

    it("registrar only", async () => {
      const { w, assetId, validUntil, registry } = await active();
      for (const account of [w.holder, w.bjRegistrar, w.admin]) {
        await expect(registry.connect(account).renew(assetId, validUntil + 1n))
          .to.be.revertedWithCustomError(registry, "NotRegistrar")
          .withArgs(assetId, account.address);
      }
    });

    it("the new end must be later than the current one and at most 10 years from now", async () => {
      const { w, assetId, validUntil, registry } = await active();
      const r = registry.connect(w.szRegistrar);
      for (const end of [validUntil, validUntil - 1n]) {
        await expect(r.renew(assetId, end))
          .to.be.revertedWithCustomError(registry, "RenewalNotLater")
          .withArgs(end, validUntil);
      }
      let t = await nextTimestamp();
      const max = BigInt(t + MAX_VALIDITY);
      await expect(r.renew(assetId, max + 1n))
        .to.be.revertedWithCustomError(registry, "RenewalTooLong")
        .withArgs(max + 1n, max);
      t = await nextTimestamp();
      await expect(r.renew(assetId, BigInt(t + MAX_VALIDITY))).to.emit(registry, "RegistrationRenewed");
    });

    it("not once expired (validUntil is the last valid second), nor after cancellation", async () => {
      const { w, assetId, validUntil, registry } = await active();
      await time.setNextBlockTimestamp(validUntil);
      await expect(registry.connect(w.szRegistrar).renew(assetId, validUntil + 1n)).to.emit(
        registry,
        "RegistrationRenewed",
      );
      await time.increaseTo(validUntil + 2n);
      await expect(registry.connect(w.szRegistrar).renew(assetId, validUntil + BigInt(YEAR)))
        .to.be.revertedWithCustomError(registry, "AssetExpired")
        .withArgs(assetId, validUntil + 1n);

      const { assetId: cancelled } = await registerActive(w, w.holder);
      await registry.connect(w.holder).cancel(cancelled, "注销");
      await expect(registry.connect(w.szRegistrar).renew(cancelled, validUntil + BigInt(5 * YEAR)))
        .to.be.revertedWithCustomError(registry, "AssetNotActive")
        .withArgs(cancelled);
    });
  });

  describe("isActive", () => {
    it("answers for any time: before approval, at approval, until validUntil inclusive, then not", async () => {
      const w = await loadFixture(world);
      const { assetId } = await submit(w, w.holder, { validityPeriod: MIN_VALIDITY });
      expect(await w.registry.isActive(assetId, await time.latest())).to.equal(false); // in notice
      await endNotice(w, assetId);
      await approve(w, assetId);
      const a = await w.registry.assetOf(assetId);
      expect(a.validUntil).to.equal(a.approvedAt + BigInt(MIN_VALIDITY));
      expect(await w.registry.isActive(assetId, 0)).to.equal(false);
      expect(await w.registry.isActive(assetId, a.approvedAt - 1n)).to.equal(false);
      expect(await w.registry.isActive(assetId, a.approvedAt)).to.equal(true);
      expect(await w.registry.isActive(assetId, a.validUntil)).to.equal(true);
      expect(await w.registry.isActive(assetId, a.validUntil + 1n)).to.equal(false);
      // The answers do not change once the time has passed.
      await time.increaseTo(a.validUntil + 10n);
      expect(await w.registry.isActive(assetId, a.validUntil)).to.equal(true);
      expect(await w.registry.isActive(assetId, a.validUntil + 1n)).to.equal(false);
    });

    it("is false for unknown ids and for registrations never approved", async () => {
      const w = await loadFixture(world);
      const { assetId } = await submit(w, w.holder);
      await w.registry.connect(w.szRegistrar).rejectRegistration(assetId, "no");
      const now = await time.latest();
      for (const id of [0n, 99n, assetId]) {
        expect(await w.registry.isActive(id, now)).to.equal(false);
      }
    });
  });

  describe("pause", () => {
    it("only the pauser pauses and unpauses", async () => {
      const { registry, admin, other, szRegistrar } = await loadFixture(world);
      const role = await registry.PAUSER_ROLE();
      for (const account of [other, szRegistrar]) {
        await expect(registry.connect(account).pause())
          .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
          .withArgs(account.address, role);
      }
      await expect(registry.connect(admin).pause()).to.emit(registry, "Paused").withArgs(admin.address);
      expect(await registry.paused()).to.equal(true);
      await expect(registry.connect(other).unpause())
        .to.be.revertedWithCustomError(registry, "AccessControlUnauthorizedAccount")
        .withArgs(other.address, role);
      await expect(registry.connect(admin).unpause()).to.emit(registry, "Unpaused").withArgs(admin.address);
      expect(await registry.paused()).to.equal(false);
    });

    it("every state change is refused while paused; views work; unpausing restores every one", async () => {
      const w = await loadFixture(world);
      const { registry, holder, other, licensee, objector, szRegistrar, exchange } = w;
      const { assetId: moving } = await registerActive(w, holder); // pending transfer to `other`
      const { assetId: held, submission: heldSubmission } = await registerActive(w, holder);
      const { assetId: ready } = await submit(w, holder); // notice over, to approve
      await endNotice(w, ready);
      const { assetId: open } = await submit(w, holder); // in notice, to object to and reject
      const { assetId: disputed } = await submit(w, holder); // in notice, with objection 1
      await registry.connect(objector).object(disputed, hash());
      const movingEvidence = hash();
      await registry.connect(holder).requestTransfer(moving, other.address, movingEvidence);
      const validUntil = (await registry.assetOf(held)).validUntil;

      // In an order in which each call succeeds once unpaused.
      const calls: [string, () => Promise<unknown>][] = [
        ["submit", () => registry.connect(holder).submit(submission())],
        ["object", () => registry.connect(objector).object(open, hash())],
        ["resolveObjection", () => registry.connect(szRegistrar).resolveObjection(1, false, hash())],
        ["approveRegistration", () => registry.connect(szRegistrar).approveRegistration(ready)],
        ["rejectRegistration", () => registry.connect(szRegistrar).rejectRegistration(open, "no")],
        ["addVersion", () => registry.connect(holder).addVersion(held, hash(), hash())],
        ["change", () => registry.connect(holder).change(held, hash(), "ipfs://x", 1, 1, 0)],
        ["requestTransfer", () => registry.connect(holder).requestTransfer(held, other.address, hash())],
        ["cancelTransferRequest", () => registry.connect(holder).cancelTransferRequest(held)],
        ["approveTransfer", () => registry.connect(szRegistrar).approveTransfer(moving, other.address, movingEvidence)],
        [
          "transferByExchange",
          () => registry.connect(exchange).transferByExchange(held, holder.address, licensee.address, 7),
        ],
        ["renew", () => registry.connect(szRegistrar).renew(held, validUntil + 1n)],
        ["cancel", () => registry.connect(szRegistrar).cancel(held, "注销")],
      ];

      await registry.pause();
      for (const [name, call] of calls) {
        await expect(call(), name).to.be.revertedWithCustomError(registry, "EnforcedPause");
      }
      // Views answer while paused.
      expect((await registry.assetOf(held)).status).to.equal(Status.Active);
      expect(await registry.holderOf(held)).to.equal(holder.address);
      expect(await registry.isActive(held, await time.latest())).to.equal(true);
      expect(await registry.registrationNumber(held)).to.not.equal("");
      expect(await pendingTransfer(w, moving)).to.deep.equal([other.address, movingEvidence]);
      expect((await registry.objectionOf(1)).open).to.equal(true);
      expect((await registry.findContent(heldSubmission.contentHash))[0]).to.equal(held);
      expect(await registry.ownerOf(held)).to.equal(holder.address);
      expect(await registry.balanceOf(holder.address)).to.equal(2);
      expect((await registry.registrar(SZ.id)).code).to.equal(SZ.code);
      expect(await registry.royaltiesOf(held)).to.deep.equal([]);

      await registry.unpause();
      for (const [name, call] of calls) {
        await expect(call(), name).to.not.be.reverted;
      }
      expect(await registry.ownerOf(moving)).to.equal(other.address);
      expect(await registry.ownerOf(held)).to.equal(licensee.address);
      expect((await registry.assetOf(held)).status).to.equal(Status.Cancelled);
    });
  });

  describe("gas", () => {
    it("submit, approve and a submit with 2 parents stay under their ceilings", async () => {
      const w = await loadFixture(world);
      const gasOf = async (tx: Promise<{ wait: () => Promise<{ gasUsed: bigint } | null> }>) =>
        (await (await tx).wait())!.gasUsed;
      const [a, b] = await registerMany(w, 2);
      const submitGas = await gasOf(w.registry.connect(w.holder).submit(submission()));
      const id = await w.registry.assetCount();
      await endNotice(w, id);
      const approveGas = await gasOf(w.registry.connect(w.szRegistrar).approveRegistration(id));
      const submit2Gas = await gasOf(
        w.registry.connect(w.holder).submit(submission({ parentIds: [a, b], parentSharesBps: [2000, 3000] })),
      );
      expect(submitGas).to.be.lessThan(250_000n);
      expect(approveGas).to.be.lessThan(150_000n);
      expect(submit2Gas).to.be.lessThan(350_000n);
    });
  });
});
