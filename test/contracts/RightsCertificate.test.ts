import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { RightsCertificate__factory } from "../../typechain-types";
import {
  BJ,
  DAY,
  RightKind,
  YEAR,
  World,
  grantTerms,
  hash,
  registerActive,
  submit,
  world,
} from "../helpers/registry";
import { pendingTransfer } from "../helpers/registry";

const ZERO_HASH = ethers.ZeroHash;
const UINT40_MAX = 2n ** 40n - 1n;
const ERC721_INTERFACE_ID = "0x80ac58cd";
const ACCESS_CONTROL_INTERFACE_ID = "0x7965db0b";

type Terms = ReturnType<typeof grantTerms>;

/** The tuple a RightGranted event carries for `terms`, with the effective validFrom. */
function termsTuple(t: Terms, validFrom: bigint | number) {
  return [
    BigInt(t.assetId),
    BigInt(t.parentId),
    t.kind,
    t.scopeHash,
    t.scopeMask,
    BigInt(validFrom),
    BigInt(t.validUntil),
    t.sublicensable,
    t.transferable,
  ];
}

/** Timestamp the next mined block will carry (every transaction mines one block). */
async function nextBlockAt(secondsFromNow = 10): Promise<number> {
  const t = (await time.latest()) + secondsFromNow;
  await time.setNextBlockTimestamp(t);
  return t;
}

// ---------------------------------------------------------------- fixtures

/** An active SZ asset held by `holder`. */
async function withAsset() {
  const w = await world();
  const { assetId } = await registerActive(w, w.holder);
  const asset = await w.registry.assetOf(assetId);
  return { ...w, assetId, approvedAt: Number(asset.approvedAt), assetValidUntil: Number(asset.validUntil) };
}

/** Plus a sublicensable one-year processing-use right (cert 1) granted by the holder to `licensee`. */
async function withRoot() {
  const f = await withAsset();
  const rootFrom = (await time.latest()) + 1;
  const rootUntil = rootFrom + YEAR;
  const rootTerms = grantTerms(f.assetId, { validUntil: rootUntil, sublicensable: true, scopeMask: 0b0111 });
  await time.setNextBlockTimestamp(rootFrom);
  await f.rights.connect(f.holder).grant(rootTerms, f.licensee.address);
  return { ...f, rootId: 1n, rootFrom, rootUntil, rootTerms };
}

/** Terms of a sublicence of the root certificate (defaults: same kind, subset scope, half the root's term). */
function subTerms(f: Awaited<ReturnType<typeof withRoot>>, overrides: Parameters<typeof grantTerms>[1] = {}) {
  return grantTerms(f.assetId, {
    parentId: f.rootId,
    scopeMask: 0b0011,
    validUntil: f.rootFrom + YEAR / 2,
    ...overrides,
  });
}

describe("RightsCertificate", () => {
  describe("deployment", () => {
    it("refuses a zero admin or a zero registry", async () => {
      const [admin] = await ethers.getSigners();
      const w = await loadFixture(world);
      const factory = new RightsCertificate__factory(admin);
      const registry = await w.registry.getAddress();
      await expect(factory.deploy(ethers.ZeroAddress, registry, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(w.rights, "InvalidRecipient")
        .withArgs(ethers.ZeroAddress);
      await expect(factory.deploy(admin.address, ethers.ZeroAddress, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(w.rights, "InvalidRecipient")
        .withArgs(ethers.ZeroAddress);
    });

    it("points at the registry, starts with no certificates and advertises ERC-721 and AccessControl", async () => {
      const w = await loadFixture(world);
      expect(await w.rights.registry()).to.equal(await w.registry.getAddress());
      expect(await w.rights.certificateCount()).to.equal(0n);
      expect(await w.rights.MAX_DEPTH()).to.equal(8n);
      expect(await w.rights.supportsInterface(ERC721_INTERFACE_ID)).to.equal(true);
      expect(await w.rights.supportsInterface(ACCESS_CONTROL_INTERFACE_ID)).to.equal(true);
      expect(await w.rights.supportsInterface("0xffffffff")).to.equal(false);
    });
  });

  // ---------------------------------------------------------------- grant by the holder
  describe("grant by the asset holder", () => {
    it("mints the certificate to the recipient with the effective terms and emits RightGranted", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      const terms = grantTerms(f.assetId, {
        kind: RightKind.ProductOperation,
        scopeMask: 0b0101,
        validUntil: T + 90 * DAY,
        sublicensable: true,
        transferable: true,
      });
      expect(await f.rights.connect(f.holder).grant.staticCall(terms, f.licensee.address)).to.equal(1n);
      await time.setNextBlockTimestamp(T);
      const tx = f.rights.connect(f.holder).grant(terms, f.licensee.address);
      await expect(tx)
        .to.emit(f.rights, "RightGranted")
        .withArgs(1n, f.assetId, f.licensee.address, f.holder.address, f.holder.address, termsTuple(terms, T), 0, T);
      await expect(tx).to.emit(f.rights, "Transfer").withArgs(ethers.ZeroAddress, f.licensee.address, 1n);
      // The scope document's hash is not stored (rightOf has none): RightGranted's terms are its record.
      const granted = (await (await tx).wait())!.logs
        .map((log) => f.rights.interface.parseLog(log))
        .find((e) => e?.name === "RightGranted")!;
      expect(granted.args.terms.scopeHash).to.equal(terms.scopeHash);
      expect(granted.args.terms.scopeMask).to.equal(0b0101n);

      expect(await f.rights.ownerOf(1n)).to.equal(f.licensee.address);
      expect(await f.rights.balanceOf(f.licensee.address)).to.equal(1n);
      expect(await f.rights.certificateCount()).to.equal(1n);
      const r = await f.rights.rightOf(1n);
      expect(r.assetId).to.equal(f.assetId);
      expect(r.kind).to.equal(BigInt(RightKind.ProductOperation));
      expect(r.grantor).to.equal(f.holder.address);
      expect(r.depth).to.equal(0n);
      expect(r.parentId).to.equal(0n);
      expect(r.validFrom).to.equal(BigInt(T));
      expect(r.validUntil).to.equal(BigInt(T + 90 * DAY));
      expect(r.scopeMask).to.equal(0b0101n);
      expect(r.sublicensable).to.equal(true);
      expect(r.transferable).to.equal(true);
      expect(r.revokedAt).to.equal(0n);
      expect(await f.rights.isValid(1n, T)).to.equal(true);
    });

    it("keeps a future validFrom as given and numbers certificates in order", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: T + DAY }), f.licensee.address);
      const from = T + 10 * DAY;
      const terms = grantTerms(f.assetId, { validFrom: from, validUntil: from + 30 * DAY });
      await time.setNextBlockTimestamp(T + 1);
      await expect(f.rights.connect(f.holder).grant(terms, f.other.address))
        .to.emit(f.rights, "RightGranted")
        .withArgs(2n, f.assetId, f.other.address, f.holder.address, f.holder.address, termsTuple(terms, from), 0, T + 1);
      expect(await f.rights.certificateCount()).to.equal(2n);
      expect((await f.rights.rightOf(2n)).validFrom).to.equal(BigInt(from));
      expect(await f.rights.isValid(2n, T + 1)).to.equal(false);
      expect(await f.rights.isValid(2n, from)).to.equal(true);
    });

    it("accepts validFrom equal to the block time and a grant to oneself", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validFrom: T, validUntil: T + 1 }), f.holder.address);
      expect(await f.rights.ownerOf(1n)).to.equal(f.holder.address);
      expect((await f.rights.rightOf(1n)).validFrom).to.equal(BigInt(T));
    });

    it("refuses an account that does not hold the asset", async () => {
      const f = await loadFixture(withAsset);
      const terms = grantTerms(f.assetId, { validUntil: (await time.latest()) + DAY });
      await expect(f.rights.connect(f.other).grant(terms, f.other.address))
        .to.be.revertedWithCustomError(f.rights, "NotAssetHolder")
        .withArgs(f.assetId, f.other.address);
      // the registrar does not hold the asset either
      await expect(f.rights.connect(f.szRegistrar).grant(terms, f.other.address))
        .to.be.revertedWithCustomError(f.rights, "NotAssetHolder")
        .withArgs(f.assetId, f.szRegistrar.address);
      expect(await f.rights.certificateCount()).to.equal(0n);
    });

    it("refuses an asset still in notice", async () => {
      const w = await loadFixture(world);
      const { assetId } = await submit(w, w.holder);
      const terms = grantTerms(assetId, { validUntil: (await time.latest()) + DAY });
      await expect(w.rights.connect(w.holder).grant(terms, w.licensee.address))
        .to.be.revertedWithCustomError(w.rights, "AssetNotActive")
        .withArgs(assetId);
    });

    it("refuses a rejected asset", async () => {
      const w = await loadFixture(world);
      const { assetId } = await submit(w, w.holder);
      await w.registry.connect(w.szRegistrar).rejectRegistration(assetId, "incomplete source evidence");
      const terms = grantTerms(assetId, { validUntil: (await time.latest()) + DAY });
      await expect(w.rights.connect(w.holder).grant(terms, w.licensee.address))
        .to.be.revertedWithCustomError(w.rights, "AssetNotActive")
        .withArgs(assetId);
    });

    it("refuses a cancelled asset", async () => {
      const f = await loadFixture(withAsset);
      await f.registry.connect(f.holder).cancel(f.assetId, "withdrawn from market");
      const terms = grantTerms(f.assetId, { validUntil: (await time.latest()) + DAY });
      await expect(f.rights.connect(f.holder).grant(terms, f.licensee.address))
        .to.be.revertedWithCustomError(f.rights, "AssetNotActive")
        .withArgs(f.assetId);
    });

    it("accepts a grant at the asset's last second and refuses it one second later (expired)", async () => {
      const f = await loadFixture(withAsset);
      const end = f.assetValidUntil;
      await time.setNextBlockTimestamp(end);
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: end + DAY }), f.licensee.address);
      await time.setNextBlockTimestamp(end + 1);
      await expect(f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: end + DAY }), f.licensee.address))
        .to.be.revertedWithCustomError(f.rights, "AssetNotActive")
        .withArgs(f.assetId);
    });

    it("refuses an unknown asset", async () => {
      const w = await loadFixture(world);
      const terms = grantTerms(999n, { validUntil: (await time.latest()) + DAY });
      await expect(w.rights.connect(w.holder).grant(terms, w.licensee.address))
        .to.be.revertedWithCustomError(w.rights, "AssetNotActive")
        .withArgs(999n);
    });

    it("refuses the zero address as recipient", async () => {
      const f = await loadFixture(withAsset);
      const terms = grantTerms(f.assetId, { validUntil: (await time.latest()) + DAY });
      await expect(f.rights.connect(f.holder).grant(terms, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.rights, "InvalidRecipient")
        .withArgs(ethers.ZeroAddress);
    });

    it("refuses a zero scope hash", async () => {
      const f = await loadFixture(withAsset);
      const terms = grantTerms(f.assetId, { scopeHash: ZERO_HASH, validUntil: (await time.latest()) + DAY });
      await expect(f.rights.connect(f.holder).grant(terms, f.licensee.address)).to.be.revertedWithCustomError(
        f.rights,
        "ZeroHash",
      );
    });

    it("never backdates: refuses validFrom one second before the block time", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      const terms = grantTerms(f.assetId, { validFrom: T - 1, validUntil: T + DAY });
      await expect(f.rights.connect(f.holder).grant(terms, f.licensee.address))
        .to.be.revertedWithCustomError(f.rights, "InvalidTerm")
        .withArgs(T - 1, T + DAY);
    });

    it("refuses validUntil equal to or before validFrom, and beyond uint40", async () => {
      const f = await loadFixture(withAsset);
      let T = await nextBlockAt();
      await expect(f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: T }), f.licensee.address))
        .to.be.revertedWithCustomError(f.rights, "InvalidTerm")
        .withArgs(T, T); // validFrom 0 means now
      T = await nextBlockAt();
      const from = T + DAY;
      await expect(
        f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validFrom: from, validUntil: from - 1 }), f.licensee.address),
      )
        .to.be.revertedWithCustomError(f.rights, "InvalidTerm")
        .withArgs(from, from - 1);
      T = await nextBlockAt();
      await expect(
        f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: UINT40_MAX + 1n }), f.licensee.address),
      )
        .to.be.revertedWithCustomError(f.rights, "InvalidTerm")
        .withArgs(T, UINT40_MAX + 1n);
      // the greatest storable end is accepted
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: UINT40_MAX }), f.licensee.address);
      expect((await f.rights.rightOf(1n)).validUntil).to.equal(UINT40_MAX);
    });

    it("refuses an unknown parent certificate", async () => {
      const f = await loadFixture(withAsset);
      const terms = grantTerms(f.assetId, { parentId: 42n, validUntil: (await time.latest()) + DAY });
      await expect(f.rights.connect(f.holder).grant(terms, f.licensee.address))
        .to.be.revertedWithCustomError(f.rights, "UnknownCertificate")
        .withArgs(42n);
    });

    it("is stopped by pause and resumes after unpause; only the pauser pauses", async () => {
      const f = await loadFixture(withAsset);
      const role = await f.rights.PAUSER_ROLE();
      await expect(f.rights.connect(f.other).pause())
        .to.be.revertedWithCustomError(f.rights, "AccessControlUnauthorizedAccount")
        .withArgs(f.other.address, role);
      await expect(f.rights.connect(f.admin).pause()).to.emit(f.rights, "Paused").withArgs(f.admin.address);
      const terms = grantTerms(f.assetId, { validUntil: (await time.latest()) + DAY });
      await expect(f.rights.connect(f.holder).grant(terms, f.licensee.address)).to.be.revertedWithCustomError(
        f.rights,
        "EnforcedPause",
      );
      await expect(f.rights.connect(f.other).unpause())
        .to.be.revertedWithCustomError(f.rights, "AccessControlUnauthorizedAccount")
        .withArgs(f.other.address, role);
      await f.rights.connect(f.admin).unpause();
      await f.rights.connect(f.holder).grant(terms, f.licensee.address);
      expect(await f.rights.ownerOf(1n)).to.equal(f.licensee.address);
    });
  });

  // ---------------------------------------------------------------- sublicences
  describe("sublicence", () => {
    it("lets the holder of a sublicensable certificate carve out a child at depth 1", async () => {
      const f = await loadFixture(withRoot);
      const terms = subTerms(f, { validUntil: f.rootUntil, sublicensable: true });
      const T = await nextBlockAt();
      await expect(f.rights.connect(f.licensee).grant(terms, f.other.address))
        .to.emit(f.rights, "RightGranted")
        .withArgs(2n, f.assetId, f.other.address, f.licensee.address, f.licensee.address, termsTuple(terms, T), 1, T);
      const r = await f.rights.rightOf(2n);
      expect(r.parentId).to.equal(f.rootId);
      expect(r.depth).to.equal(1n);
      expect(r.grantor).to.equal(f.licensee.address);
      expect(r.validUntil).to.equal(BigInt(f.rootUntil)); // ending with the parent is allowed
      expect(await f.rights.ownerOf(2n)).to.equal(f.other.address);
      expect(await f.rights.isValid(2n, T)).to.equal(true);
      // and the grandchild sits at depth 2
      await f.rights.connect(f.other).grant(subTerms(f, { parentId: 2n, scopeMask: 0b0001 }), f.objector.address);
      expect((await f.rights.rightOf(3n)).depth).to.equal(2n);
    });

    it("accepts an empty scope and a scope equal to the parent's", async () => {
      const f = await loadFixture(withRoot);
      await f.rights.connect(f.licensee).grant(subTerms(f, { scopeMask: 0 }), f.other.address);
      await f.rights.connect(f.licensee).grant(subTerms(f, { scopeMask: 0b0111 }), f.other.address);
      expect((await f.rights.rightOf(2n)).scopeMask).to.equal(0n);
      expect((await f.rights.rightOf(3n)).scopeMask).to.equal(0b0111n);
    });

    it("refuses a caller who does not hold the parent certificate, even the asset holder", async () => {
      const f = await loadFixture(withRoot);
      await expect(f.rights.connect(f.other).grant(subTerms(f), f.other.address))
        .to.be.revertedWithCustomError(f.rights, "NotCertificateHolder")
        .withArgs(f.rootId, f.other.address);
      await expect(f.rights.connect(f.holder).grant(subTerms(f), f.other.address))
        .to.be.revertedWithCustomError(f.rights, "NotCertificateHolder")
        .withArgs(f.rootId, f.holder.address);
    });

    it("refuses a parent of another asset", async () => {
      const f = await loadFixture(withRoot);
      const { assetId: second } = await registerActive(f, f.holder);
      await expect(f.rights.connect(f.licensee).grant({ ...subTerms(f), assetId: second }, f.other.address))
        .to.be.revertedWithCustomError(f.rights, "ParentAssetMismatch")
        .withArgs(f.rootId, second);
    });

    it("refuses a parent that is not sublicensable", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: T + YEAR }), f.licensee.address);
      await expect(
        f.rights.connect(f.licensee).grant(grantTerms(f.assetId, { parentId: 1n, validUntil: T + DAY }), f.other.address),
      )
        .to.be.revertedWithCustomError(f.rights, "NotSublicensable")
        .withArgs(1n);
    });

    it("refuses a product-operation child of a processing-use parent (a wider kind)", async () => {
      const f = await loadFixture(withRoot);
      await expect(f.rights.connect(f.licensee).grant(subTerms(f, { kind: RightKind.ProductOperation }), f.other.address))
        .to.be.revertedWithCustomError(f.rights, "KindMismatch")
        .withArgs(f.rootId);
    });

    it("lets a product-operation parent sublicense either kind", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      await f.rights
        .connect(f.holder)
        .grant(
          grantTerms(f.assetId, { kind: RightKind.ProductOperation, validUntil: T + YEAR, sublicensable: true }),
          f.licensee.address,
        );
      for (const kind of [RightKind.ProcessingUse, RightKind.ProductOperation]) {
        const terms = grantTerms(f.assetId, { parentId: 1n, kind, validUntil: T + DAY, sublicensable: true });
        await expect(f.rights.connect(f.licensee).grant(terms, f.other.address)).to.emit(f.rights, "RightGranted");
        expect((await f.rights.rightOf(await f.rights.certificateCount())).kind).to.equal(BigInt(kind));
      }
      // and the processing-use grandchild cannot widen back to product operation
      await expect(
        f.rights
          .connect(f.other)
          .grant(grantTerms(f.assetId, { parentId: 2n, kind: RightKind.ProductOperation, validUntil: T + DAY }), f.objector.address),
      )
        .to.be.revertedWithCustomError(f.rights, "KindMismatch")
        .withArgs(2n);
    });

    it("refuses a revoked parent", async () => {
      const f = await loadFixture(withRoot);
      await f.rights.connect(f.holder).revoke(f.rootId, "breach of scope");
      await expect(f.rights.connect(f.licensee).grant(subTerms(f), f.other.address))
        .to.be.revertedWithCustomError(f.rights, "RightNotValid")
        .withArgs(f.rootId);
    });

    it("refuses an expired parent", async () => {
      const f = await loadFixture(withRoot);
      await time.increaseTo(f.rootUntil + 1);
      const from = (await time.latest()) + 10;
      await expect(
        f.rights.connect(f.licensee).grant(subTerms(f, { validFrom: from, validUntil: from + DAY }), f.other.address),
      )
        .to.be.revertedWithCustomError(f.rights, "TermExceedsParent")
        .withArgs(from, from + DAY, f.rootFrom, f.rootUntil);
    });

    it("sublicenses ahead of a parent whose term has not started yet, within that term", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      const from = T + 30 * DAY;
      const parent = grantTerms(f.assetId, { validFrom: from, validUntil: from + YEAR, sublicensable: true });
      await f.rights.connect(f.holder).grant(parent, f.licensee.address);
      await f.rights
        .connect(f.licensee)
        .grant(grantTerms(f.assetId, { parentId: 1n, validFrom: from, validUntil: from + DAY }), f.other.address);
      const child = await f.rights.rightOf(2n);
      expect(child.depth).to.equal(1n);
      expect(child.validFrom).to.equal(from);
      expect(await f.rights.isValid(2n, from - 1)).to.equal(false);
      expect(await f.rights.isValid(2n, from)).to.equal(true);
      // but a parent revoked before the child would start cannot sublicense
      await f.rights.connect(f.holder).revoke(1n, "terminated");
      await expect(
        f.rights
          .connect(f.licensee)
          .grant(grantTerms(f.assetId, { parentId: 1n, validFrom: from, validUntil: from + DAY }), f.other.address),
      )
        .to.be.revertedWithCustomError(f.rights, "RightNotValid")
        .withArgs(1n);
    });

    it("refuses a scope wider than the parent's", async () => {
      const f = await loadFixture(withRoot);
      await expect(f.rights.connect(f.licensee).grant(subTerms(f, { scopeMask: 0b1001 }), f.other.address))
        .to.be.revertedWithCustomError(f.rights, "ScopeExceedsParent")
        .withArgs(0b1001, 0b0111);
    });

    it("refuses a child outliving its parent", async () => {
      const f = await loadFixture(withRoot);
      const T = await nextBlockAt();
      await expect(f.rights.connect(f.licensee).grant(subTerms(f, { validUntil: f.rootUntil + 1 }), f.other.address))
        .to.be.revertedWithCustomError(f.rights, "TermExceedsParent")
        .withArgs(T, f.rootUntil + 1, f.rootFrom, f.rootUntil);
    });

    it("refuses a child starting after its parent ends", async () => {
      const f = await loadFixture(withRoot);
      const from = f.rootUntil + 1;
      await expect(
        f.rights.connect(f.licensee).grant(subTerms(f, { validFrom: from, validUntil: from + DAY }), f.other.address),
      )
        .to.be.revertedWithCustomError(f.rights, "TermExceedsParent")
        .withArgs(from, from + DAY, f.rootFrom, f.rootUntil);
    });

    it("refuses a child starting before its parent", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      const from = T + 10 * DAY;
      await f.rights
        .connect(f.holder)
        .grant(grantTerms(f.assetId, { validFrom: from, validUntil: from + YEAR, sublicensable: true }), f.licensee.address);
      await expect(
        f.rights
          .connect(f.licensee)
          .grant(grantTerms(f.assetId, { parentId: 1n, validFrom: from - 1, validUntil: from + DAY }), f.other.address),
      )
        .to.be.revertedWithCustomError(f.rights, "TermExceedsParent")
        .withArgs(from - 1, from + DAY, from, from + YEAR);
    });

    it("allows chains 8 sublicences deep and refuses the ninth", async () => {
      const f = await loadFixture(withRoot);
      let parent = f.rootId;
      for (let depth = 1; depth <= 8; depth++) {
        await f.rights
          .connect(f.licensee)
          .grant(subTerms(f, { parentId: parent, sublicensable: true }), f.licensee.address);
        parent = await f.rights.certificateCount();
        expect((await f.rights.rightOf(parent)).depth).to.equal(BigInt(depth));
      }
      const deepest = parent;
      expect(await f.rights.isValid(deepest, (await time.latest()) + 1)).to.equal(true);
      await expect(f.rights.connect(f.licensee).grant(subTerms(f, { parentId: deepest }), f.other.address))
        .to.be.revertedWithCustomError(f.rights, "SublicenceTooDeep")
        .withArgs(9, 8);
      // revoking the root still reaches the deepest certificate
      const R = await nextBlockAt();
      await f.rights.connect(f.holder).revoke(f.rootId, "terminated");
      expect(await f.rights.isValid(deepest, R)).to.equal(false);
      expect(await f.rights.isValid(deepest, R - 1)).to.equal(true);
    });

    it("keeps sublicences valid when the holding right moves", async () => {
      const f = await loadFixture(withRoot);
      await f.rights.connect(f.licensee).grant(subTerms(f), f.other.address);
      await f.registry.connect(f.exchange).transferByExchange(f.assetId, f.holder.address, f.objector.address, 7n);
      const T = (await time.latest()) + 1;
      expect(await f.rights.isValid(f.rootId, T)).to.equal(true);
      expect(await f.rights.isValid(2n, T)).to.equal(true);
    });
  });

  // ---------------------------------------------------------------- grantFor
  describe("grantFor (exchange settlement)", () => {
    it("issues on the holder's behalf: grantor is the holder, issuedBy the exchange", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      const terms = grantTerms(f.assetId, { validUntil: T + YEAR, kind: RightKind.ProductOperation });
      await expect(f.rights.connect(f.exchange).grantFor(f.holder.address, terms, f.licensee.address))
        .to.emit(f.rights, "RightGranted")
        .withArgs(1n, f.assetId, f.licensee.address, f.holder.address, f.exchange.address, termsTuple(terms, T), 0, T);
      // A paid licence: the seller (grantor) is in the event; storage keeps only the flag.
      const r = await f.rights.rightOf(1n);
      expect([r.grantor, r.issuedByExchange]).to.deep.equal([ethers.ZeroAddress, true]);
      expect(await f.rights.ownerOf(1n)).to.equal(f.licensee.address);
    });

    it("a paid licence cannot be revoked by its seller: only by the registrar for cause, or the exchange's arbiter ruling", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      await f.rights.connect(f.exchange).grantFor(f.holder.address, grantTerms(f.assetId, { validUntil: T + YEAR }), f.licensee.address);
      // the review's scenario: the seller revokes the licence the buyer just paid for
      await expect(f.rights.connect(f.holder).revoke(1n, "changed my mind"))
        .to.be.revertedWithCustomError(f.rights, "NotGrantorOrRegistrar")
        .withArgs(1n, f.holder.address);
      await expect(f.rights.connect(f.exchange).revoke(1n, "x")).to.be.revertedWithCustomError(f.rights, "NotGrantorOrRegistrar");
      await expect(f.rights.connect(f.szRegistrar).revoke(1n, "")).to.be.revertedWithCustomError(f.rights, "ReasonRequired").withArgs(1n);
      expect(await f.rights.isValid(1n, await time.latest())).to.equal(true);
      const at = await nextBlockAt(); // fixes the revocation's block time before it is sent
      await expect(f.rights.connect(f.szRegistrar).revoke(1n, "unlawful processing found by inspection"))
        .to.emit(f.rights, "RightRevoked")
        .withArgs(1n, f.assetId, f.szRegistrar.address, "unlawful processing found by inspection", at);
    });

    it("revokeByExchange: EXCHANGE_ROLE only, and only for licences the exchange issued", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      await f.rights.connect(f.exchange).grantFor(f.holder.address, grantTerms(f.assetId, { validUntil: T + YEAR }), f.licensee.address);
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: T + YEAR }), f.other.address);
      await expect(f.rights.connect(f.holder).revokeByExchange(1n, "x")).to.be.revertedWithCustomError(f.rights, "AccessControlUnauthorizedAccount");
      await expect(f.rights.connect(f.exchange).revokeByExchange(2n, "x")).to.be.revertedWithCustomError(f.rights, "NotIssuedByExchange").withArgs(2n);
      await expect(f.rights.connect(f.exchange).revokeByExchange(1n, "arbiter ruling")).to.emit(f.rights, "RightRevoked");
      expect(await f.rights.isValid(1n, await time.latest())).to.equal(false);
      // a direct grant is still revoked by its grantor
      await expect(f.rights.connect(f.holder).revoke(2n, "terms breached")).to.emit(f.rights, "RightRevoked");
    });

    it("issues a sublicence on behalf of the parent's holder", async () => {
      const f = await loadFixture(withRoot);
      const terms = subTerms(f);
      const T = await nextBlockAt();
      await expect(f.rights.connect(f.exchange).grantFor(f.licensee.address, terms, f.other.address))
        .to.emit(f.rights, "RightGranted")
        .withArgs(2n, f.assetId, f.other.address, f.licensee.address, f.exchange.address, termsTuple(terms, T), 1, T);
      expect((await f.rights.rightOf(2n)).issuedByExchange).to.equal(true);
    });

    it("refuses callers without EXCHANGE_ROLE, including the holder itself", async () => {
      const f = await loadFixture(withAsset);
      const role = await f.rights.EXCHANGE_ROLE();
      const terms = grantTerms(f.assetId, { validUntil: (await time.latest()) + DAY });
      for (const caller of [f.holder, f.other, f.szRegistrar, f.admin] as HardhatEthersSigner[]) {
        await expect(f.rights.connect(caller).grantFor(f.holder.address, terms, f.licensee.address))
          .to.be.revertedWithCustomError(f.rights, "AccessControlUnauthorizedAccount")
          .withArgs(caller.address, role);
      }
    });

    it("refuses a grantor without authority", async () => {
      const f = await loadFixture(withRoot);
      const terms = grantTerms(f.assetId, { validUntil: (await time.latest()) + DAY });
      await expect(f.rights.connect(f.exchange).grantFor(f.other.address, terms, f.licensee.address))
        .to.be.revertedWithCustomError(f.rights, "NotAssetHolder")
        .withArgs(f.assetId, f.other.address);
      // the exchange cannot issue in its own name either
      await expect(f.rights.connect(f.exchange).grantFor(f.exchange.address, terms, f.licensee.address))
        .to.be.revertedWithCustomError(f.rights, "NotAssetHolder")
        .withArgs(f.assetId, f.exchange.address);
      await expect(f.rights.connect(f.exchange).grantFor(f.holder.address, subTerms(f), f.other.address))
        .to.be.revertedWithCustomError(f.rights, "NotCertificateHolder")
        .withArgs(f.rootId, f.holder.address);
    });

    it("is stopped by pause", async () => {
      const f = await loadFixture(withAsset);
      await f.rights.connect(f.admin).pause();
      const terms = grantTerms(f.assetId, { validUntil: (await time.latest()) + DAY });
      await expect(
        f.rights.connect(f.exchange).grantFor(f.holder.address, terms, f.licensee.address),
      ).to.be.revertedWithCustomError(f.rights, "EnforcedPause");
    });
  });

  // ---------------------------------------------------------------- revoke
  describe("revoke", () => {
    it("by the grantor: records the time, emits RightRevoked, and invalidates from that second on", async () => {
      const f = await loadFixture(withRoot);
      const R = await nextBlockAt();
      await expect(f.rights.connect(f.holder).revoke(f.rootId, "licence fee unpaid"))
        .to.emit(f.rights, "RightRevoked")
        .withArgs(f.rootId, f.assetId, f.holder.address, "licence fee unpaid", R);
      expect((await f.rights.rightOf(f.rootId)).revokedAt).to.equal(BigInt(R));
      expect(await f.rights.isValid(f.rootId, R - 1)).to.equal(true);
      expect(await f.rights.isValid(f.rootId, R)).to.equal(false);
      expect(await f.rights.isValid(f.rootId, f.rootUntil)).to.equal(false);
      // the certificate itself stays with its holder as a historic record
      expect(await f.rights.ownerOf(f.rootId)).to.equal(f.licensee.address);
    });

    it("by the grantor of a sublicence (the parent's holder)", async () => {
      const f = await loadFixture(withRoot);
      await f.rights.connect(f.licensee).grant(subTerms(f), f.other.address);
      const R = await nextBlockAt();
      await expect(f.rights.connect(f.licensee).revoke(2n, ""))
        .to.emit(f.rights, "RightRevoked")
        .withArgs(2n, f.assetId, f.licensee.address, "", R);
      // the asset holder is not the grantor of the sublicence
      await f.rights.connect(f.licensee).grant(subTerms(f), f.other.address);
      await expect(f.rights.connect(f.holder).revoke(3n, "x"))
        .to.be.revertedWithCustomError(f.rights, "NotGrantorOrRegistrar")
        .withArgs(3n, f.holder.address);
    });

    it("by the asset's registrar, not by the other exchange's registrar or anyone else", async () => {
      const f = await loadFixture(withRoot);
      for (const s of [f.bjRegistrar, f.other, f.licensee, f.admin] as HardhatEthersSigner[]) {
        await expect(f.rights.connect(s).revoke(f.rootId, "x"))
          .to.be.revertedWithCustomError(f.rights, "NotGrantorOrRegistrar")
          .withArgs(f.rootId, s.address);
      }
      const R = await nextBlockAt();
      await expect(f.rights.connect(f.szRegistrar).revoke(f.rootId, "court order"))
        .to.emit(f.rights, "RightRevoked")
        .withArgs(f.rootId, f.assetId, f.szRegistrar.address, "court order", R);
    });

    it("the BJ registrar revokes rights over BJ assets", async () => {
      const w = await loadFixture(world);
      const { assetId } = await registerActive(w, w.holder, { registrarId: BJ.id });
      await w.rights.connect(w.holder).grant(grantTerms(assetId, { validUntil: (await time.latest()) + DAY }), w.licensee.address);
      await expect(w.rights.connect(w.szRegistrar).revoke(1n, "x"))
        .to.be.revertedWithCustomError(w.rights, "NotGrantorOrRegistrar")
        .withArgs(1n, w.szRegistrar.address);
      const R = await nextBlockAt();
      await expect(w.rights.connect(w.bjRegistrar).revoke(1n, "x"))
        .to.emit(w.rights, "RightRevoked")
        .withArgs(1n, assetId, w.bjRegistrar.address, "x", R);
    });

    it("refuses to revoke twice", async () => {
      const f = await loadFixture(withRoot);
      await f.rights.connect(f.holder).revoke(f.rootId, "first");
      await expect(f.rights.connect(f.holder).revoke(f.rootId, "again"))
        .to.be.revertedWithCustomError(f.rights, "AlreadyRevoked")
        .withArgs(f.rootId);
      await expect(f.rights.connect(f.szRegistrar).revoke(f.rootId, "again"))
        .to.be.revertedWithCustomError(f.rights, "AlreadyRevoked")
        .withArgs(f.rootId);
    });

    it("accepts a 512-byte reason and refuses 513 bytes (counted in UTF-8 bytes)", async () => {
      const f = await loadFixture(withRoot);
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: f.rootUntil }), f.licensee.address);
      await expect(f.rights.connect(f.holder).revoke(f.rootId, "x".repeat(513)))
        .to.be.revertedWithCustomError(f.rights, "TextTooLong")
        .withArgs(513, 512);
      const cjk = "违".repeat(171); // 171 characters, 513 bytes
      await expect(f.rights.connect(f.holder).revoke(f.rootId, cjk))
        .to.be.revertedWithCustomError(f.rights, "TextTooLong")
        .withArgs(513, 512);
      await expect(f.rights.connect(f.holder).revoke(f.rootId, "x".repeat(512))).to.emit(f.rights, "RightRevoked");
      await expect(f.rights.connect(f.holder).revoke(2n, "违".repeat(170))).to.emit(f.rights, "RightRevoked");
    });

    it("refuses an unknown certificate", async () => {
      const f = await loadFixture(withRoot);
      await expect(f.rights.connect(f.holder).revoke(77n, "x"))
        .to.be.revertedWithCustomError(f.rights, "UnknownCertificate")
        .withArgs(77n);
    });

    it("is stopped by pause", async () => {
      const f = await loadFixture(withRoot);
      await f.rights.connect(f.admin).pause();
      await expect(f.rights.connect(f.holder).revoke(f.rootId, "x")).to.be.revertedWithCustomError(
        f.rights,
        "EnforcedPause",
      );
    });

    it("revoking a parent invalidates every descendant from then on, historically valid before", async () => {
      const f = await loadFixture(withRoot);
      await f.rights.connect(f.licensee).grant(subTerms(f, { sublicensable: true }), f.other.address); // 2
      await f.rights.connect(f.other).grant(subTerms(f, { parentId: 2n, scopeMask: 1 }), f.objector.address); // 3
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: f.rootUntil }), f.objector.address); // 4: sibling root
      const R = await nextBlockAt();
      await f.rights.connect(f.holder).revoke(f.rootId, "breach");
      for (const id of [f.rootId, 2n, 3n]) {
        expect(await f.rights.isValid(id, R - 1), `cert ${id} before`).to.equal(true);
        expect(await f.rights.isValid(id, R), `cert ${id} at revocation`).to.equal(false);
        expect(await f.rights.isValid(id, R + DAY), `cert ${id} after`).to.equal(false);
      }
      expect((await f.rights.rightOf(2n)).revokedAt).to.equal(0n); // descendants are not rewritten
      expect(await f.rights.isValid(4n, R + DAY)).to.equal(true); // other grants unaffected
      await expect(f.rights.connect(f.other).grant(subTerms(f, { parentId: 2n }), f.objector.address))
        .to.be.revertedWithCustomError(f.rights, "RightNotValid")
        .withArgs(2n);
    });

    it("revoking a child leaves its parent valid", async () => {
      const f = await loadFixture(withRoot);
      await f.rights.connect(f.licensee).grant(subTerms(f), f.other.address);
      const R = await nextBlockAt();
      await f.rights.connect(f.licensee).revoke(2n, "x");
      expect(await f.rights.isValid(2n, R)).to.equal(false);
      expect(await f.rights.isValid(f.rootId, R)).to.equal(true);
    });
  });

  // ---------------------------------------------------------------- isValid
  describe("isValid", () => {
    it("is false for unknown certificates", async () => {
      const f = await loadFixture(withRoot);
      const now = await time.latest();
      expect(await f.rights.isValid(0n, now)).to.equal(false);
      expect(await f.rights.isValid(2n, now)).to.equal(false);
      expect(await f.rights.isValid(2n ** 200n, now)).to.equal(false);
      await expect(f.rights.rightOf(2n)).to.be.revertedWithCustomError(f.rights, "UnknownCertificate").withArgs(2n);
    });

    it("holds exactly from validFrom to validUntil inclusive", async () => {
      const f = await loadFixture(withAsset);
      const T = await nextBlockAt();
      const from = T + DAY;
      const until = from + 30 * DAY;
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validFrom: from, validUntil: until }), f.licensee.address);
      expect(await f.rights.isValid(1n, T)).to.equal(false);
      expect(await f.rights.isValid(1n, from - 1)).to.equal(false);
      expect(await f.rights.isValid(1n, from)).to.equal(true);
      expect(await f.rights.isValid(1n, until)).to.equal(true);
      expect(await f.rights.isValid(1n, until + 1)).to.equal(false);
      expect(await f.rights.isValid(1n, 0)).to.equal(false);
      expect(await f.rights.isValid(1n, 2n ** 64n - 1n)).to.equal(false);
    });

    it("follows the asset's cancellation: true before it, false at and after it", async () => {
      const f = await loadFixture(withRoot);
      await f.rights.connect(f.licensee).grant(subTerms(f), f.other.address);
      const C = await nextBlockAt(30 * DAY);
      await f.registry.connect(f.holder).cancel(f.assetId, "注销");
      for (const id of [f.rootId, 2n]) {
        expect(await f.rights.isValid(id, C - 1)).to.equal(true);
        expect(await f.rights.isValid(id, C)).to.equal(false);
        expect(await f.rights.isValid(id, C + DAY)).to.equal(false);
      }
    });

    it("follows the asset's registrar cancellation likewise", async () => {
      const f = await loadFixture(withRoot);
      const C = await nextBlockAt(DAY);
      await f.registry.connect(f.szRegistrar).cancel(f.assetId, "unlawful source");
      expect(await f.rights.isValid(f.rootId, C - 1)).to.equal(true);
      expect(await f.rights.isValid(f.rootId, C)).to.equal(false);
    });

    it("ends with the asset's registration when the right outlives it", async () => {
      const f = await loadFixture(withAsset);
      await f.rights
        .connect(f.holder)
        .grant(grantTerms(f.assetId, { validUntil: f.assetValidUntil + YEAR }), f.licensee.address);
      expect(await f.rights.isValid(1n, f.assetValidUntil)).to.equal(true);
      expect(await f.rights.isValid(1n, f.assetValidUntil + 1)).to.equal(false);
      expect(await f.rights.isValid(1n, f.approvedAt - 1)).to.equal(false); // and never before approval
    });

    it("is valid again in the renewed term once the asset is renewed", async () => {
      const f = await loadFixture(withAsset);
      await f.rights
        .connect(f.holder)
        .grant(grantTerms(f.assetId, { validUntil: f.assetValidUntil + 2 * YEAR }), f.licensee.address);
      expect(await f.rights.isValid(1n, f.assetValidUntil + 1)).to.equal(false);
      const newUntil = f.assetValidUntil + YEAR;
      await time.increaseTo(f.assetValidUntil - DAY);
      await f.registry.connect(f.szRegistrar).renew(f.assetId, newUntil);
      expect(await f.rights.isValid(1n, f.assetValidUntil + 1)).to.equal(true);
      expect(await f.rights.isValid(1n, newUntil)).to.equal(true);
      expect(await f.rights.isValid(1n, newUntil + 1)).to.equal(false);
      // and transfers/sublicences keep working past the old end
      await time.increaseTo(f.assetValidUntil + DAY);
      await f.rights
        .connect(f.holder)
        .grant(grantTerms(f.assetId, { validUntil: newUntil }), f.other.address);
      expect(await f.rights.isValid(2n, await time.latest())).to.equal(true);
    });

    it("keeps existing grants when the holding right moves; only the new holder grants afterwards", async () => {
      const f = await loadFixture(withRoot);
      await f.registry.connect(f.holder).requestTransfer(f.assetId, f.other.address, hash("sale contract"));
      await f.registry.connect(f.szRegistrar).approveTransfer(f.assetId, ...(await pendingTransfer(f.registry, f.assetId)));
      expect(await f.registry.holderOf(f.assetId)).to.equal(f.other.address);
      const now = await time.latest();
      expect(await f.rights.isValid(f.rootId, now)).to.equal(true);
      expect(await f.rights.isValid(f.rootId, f.rootUntil)).to.equal(true);
      const terms = grantTerms(f.assetId, { validUntil: now + YEAR });
      await expect(f.rights.connect(f.holder).grant(terms, f.licensee.address))
        .to.be.revertedWithCustomError(f.rights, "NotAssetHolder")
        .withArgs(f.assetId, f.holder.address);
      await expect(f.rights.connect(f.other).grant(terms, f.licensee.address)).to.emit(f.rights, "RightGranted");
      // the former holder still revokes what it granted
      await expect(f.rights.connect(f.holder).revoke(f.rootId, "x")).to.emit(f.rights, "RightRevoked");
    });
  });

  // ---------------------------------------------------------------- transfers
  describe("transfers", () => {
    async function transferable() {
      const f = await withAsset();
      const T = (await time.latest()) + 1;
      await time.setNextBlockTimestamp(T);
      await f.rights
        .connect(f.holder)
        .grant(
          grantTerms(f.assetId, { validUntil: T + YEAR, transferable: true, sublicensable: true }),
          f.licensee.address,
        );
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: T + YEAR }), f.licensee.address);
      return { ...f, movable: 1n, fixed: 2n, from: T, until: T + YEAR };
    }

    it("never moves a non-transferable certificate, even with approval", async () => {
      const f = await loadFixture(transferable);
      await expect(f.rights.connect(f.licensee).transferFrom(f.licensee.address, f.other.address, f.fixed))
        .to.be.revertedWithCustomError(f.rights, "NotTransferable")
        .withArgs(f.fixed);
      await expect(
        f.rights
          .connect(f.licensee)
          ["safeTransferFrom(address,address,uint256)"](f.licensee.address, f.other.address, f.fixed),
      )
        .to.be.revertedWithCustomError(f.rights, "NotTransferable")
        .withArgs(f.fixed);
      await f.rights.connect(f.licensee).approve(f.other.address, f.fixed);
      await expect(f.rights.connect(f.other).transferFrom(f.licensee.address, f.other.address, f.fixed))
        .to.be.revertedWithCustomError(f.rights, "NotTransferable")
        .withArgs(f.fixed);
      expect(await f.rights.ownerOf(f.fixed)).to.equal(f.licensee.address);
    });

    it("moves a transferable valid certificate; the new owner sublicenses, the old one no longer can", async () => {
      const f = await loadFixture(transferable);
      await expect(f.rights.connect(f.licensee).transferFrom(f.licensee.address, f.other.address, f.movable))
        .to.emit(f.rights, "Transfer")
        .withArgs(f.licensee.address, f.other.address, f.movable);
      expect(await f.rights.ownerOf(f.movable)).to.equal(f.other.address);
      expect(await f.rights.isValid(f.movable, await time.latest())).to.equal(true);
      const child = grantTerms(f.assetId, { parentId: f.movable, validUntil: f.until });
      await expect(f.rights.connect(f.licensee).grant(child, f.objector.address))
        .to.be.revertedWithCustomError(f.rights, "NotCertificateHolder")
        .withArgs(f.movable, f.licensee.address);
      await expect(f.rights.connect(f.other).grant(child, f.objector.address)).to.emit(f.rights, "RightGranted");
      // the grantor of the moved certificate is unchanged: the asset holder still revokes it
      expect((await f.rights.rightOf(f.movable)).grantor).to.equal(f.holder.address);
    });

    it("moves by safeTransferFrom too", async () => {
      const f = await loadFixture(transferable);
      await f.rights
        .connect(f.licensee)
        ["safeTransferFrom(address,address,uint256)"](f.licensee.address, f.other.address, f.movable);
      expect(await f.rights.ownerOf(f.movable)).to.equal(f.other.address);
    });

    it("refuses to move a revoked transferable certificate", async () => {
      const f = await loadFixture(transferable);
      await f.rights.connect(f.holder).revoke(f.movable, "x");
      await expect(f.rights.connect(f.licensee).transferFrom(f.licensee.address, f.other.address, f.movable))
        .to.be.revertedWithCustomError(f.rights, "RightNotValid")
        .withArgs(f.movable);
    });

    it("refuses to move an expired transferable certificate, and one not yet started", async () => {
      const f = await loadFixture(transferable);
      await time.setNextBlockTimestamp(f.until);
      await f.rights.connect(f.licensee).transferFrom(f.licensee.address, f.other.address, f.movable); // last second
      await time.setNextBlockTimestamp(f.until + 1);
      await expect(f.rights.connect(f.other).transferFrom(f.other.address, f.licensee.address, f.movable))
        .to.be.revertedWithCustomError(f.rights, "RightNotValid")
        .withArgs(f.movable);

      const from = (await time.latest()) + DAY;
      await f.rights
        .connect(f.holder)
        .grant(grantTerms(f.assetId, { validFrom: from, validUntil: from + DAY, transferable: true }), f.licensee.address);
      const future = await f.rights.certificateCount();
      await expect(f.rights.connect(f.licensee).transferFrom(f.licensee.address, f.other.address, future))
        .to.be.revertedWithCustomError(f.rights, "RightNotValid")
        .withArgs(future);
    });

    it("refuses to move a transferable certificate over a cancelled asset", async () => {
      const f = await loadFixture(transferable);
      await f.registry.connect(f.holder).cancel(f.assetId, "x");
      await expect(f.rights.connect(f.licensee).transferFrom(f.licensee.address, f.other.address, f.movable))
        .to.be.revertedWithCustomError(f.rights, "RightNotValid")
        .withArgs(f.movable);
    });

    it("refuses to move a sublicence whose parent was revoked", async () => {
      const f = await loadFixture(transferable);
      await f.rights
        .connect(f.licensee)
        .grant(grantTerms(f.assetId, { parentId: f.movable, validUntil: f.until, transferable: true }), f.other.address);
      const child = await f.rights.certificateCount();
      await f.rights.connect(f.holder).revoke(f.movable, "x");
      await expect(f.rights.connect(f.other).transferFrom(f.other.address, f.objector.address, child))
        .to.be.revertedWithCustomError(f.rights, "RightNotValid")
        .withArgs(child);
    });

    it("refuses transfers while paused", async () => {
      const f = await loadFixture(transferable);
      await f.rights.connect(f.admin).pause();
      await expect(
        f.rights.connect(f.licensee).transferFrom(f.licensee.address, f.other.address, f.movable),
      ).to.be.revertedWithCustomError(f.rights, "EnforcedPause");
      await f.rights.connect(f.admin).unpause();
      await f.rights.connect(f.licensee).transferFrom(f.licensee.address, f.other.address, f.movable);
      expect(await f.rights.ownerOf(f.movable)).to.equal(f.other.address);
    });

    it("lets an approved operator or an operator for all move a transferable valid certificate", async () => {
      const f = await loadFixture(transferable);
      await expect(f.rights.connect(f.licensee).approve(f.exchange.address, f.movable))
        .to.emit(f.rights, "Approval")
        .withArgs(f.licensee.address, f.exchange.address, f.movable);
      expect(await f.rights.getApproved(f.movable)).to.equal(f.exchange.address);
      await expect(f.rights.connect(f.exchange).transferFrom(f.licensee.address, f.other.address, f.movable))
        .to.emit(f.rights, "Transfer")
        .withArgs(f.licensee.address, f.other.address, f.movable);
      expect(await f.rights.getApproved(f.movable)).to.equal(ethers.ZeroAddress); // approval cleared by the move

      await expect(f.rights.connect(f.other).setApprovalForAll(f.exchange.address, true))
        .to.emit(f.rights, "ApprovalForAll")
        .withArgs(f.other.address, f.exchange.address, true);
      await f.rights.connect(f.exchange).transferFrom(f.other.address, f.objector.address, f.movable);
      expect(await f.rights.ownerOf(f.movable)).to.equal(f.objector.address);
    });

    it("refuses a mover that is neither owner nor approved", async () => {
      const f = await loadFixture(transferable);
      await expect(f.rights.connect(f.other).transferFrom(f.licensee.address, f.other.address, f.movable))
        .to.be.revertedWithCustomError(f.rights, "ERC721InsufficientApproval")
        .withArgs(f.other.address, f.movable);
      // the grantor has no power to move a certificate it granted
      await expect(f.rights.connect(f.holder).transferFrom(f.licensee.address, f.holder.address, f.movable))
        .to.be.revertedWithCustomError(f.rights, "ERC721InsufficientApproval")
        .withArgs(f.holder.address, f.movable);
    });
  });
});
