// AssetLedger: attestations by accredited assessors and appraisers (compliance, quality, appraisal; superseding and
// revocation, never editing), accountants, and entities' accounting books under 财会〔2023〕11号 (recognition,
// cost entries by phase, ready for use, impairment / write-down and reversal, derecognition), pause.
// Amounts are in fen of a 2-decimal settlement token.
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AssetLedger__factory } from "../../typechain-types";
import { hash } from "../helpers/registry";
import {
  AttestationKind,
  Category,
  CostPhase,
  CostSource,
  DerecognitionReason,
  RULES_EFFECTIVE,
  ValuationMethod,
  YUAN,
  ZERO_ADDRESS,
  ZERO_HASH,
  attestationOf,
  bookArgs,
  bookOf,
  cstDate,
  exchangeOrders,
  ledgerWorld,
  nextTimestamp,
  openAwaitingBook,
  openBook,
  recogniseAwaitingUseTx,
  recogniseTx,
  type LedgerWorld,
} from "../helpers/ledger";

const SCORES: [number, number, number, number, number, number] = [92, 88, 95, 90, 70, 85];
const RECOGNISED = cstDate(2025, 3, 1);

async function fixture() {
  return loadFixture(ledgerWorld);
}

/** An assessor's compliance attestation on the Active asset; returns its id and timestamp. */
async function compliance(l: LedgerWorld, by = l.assessor, assetId: bigint = l.activeId, supersedes = 0n) {
  const at = await nextTimestamp();
  await l.ledger.connect(by).attestCompliance(assetId, true, hash("compliance"), supersedes);
  return { id: await l.ledger.attestationCount(), at };
}

describe("AssetLedger", () => {
  describe("deployment", () => {
    it("fixes the rules' effective date, the limits and the registry, and gives the admin its roles", async () => {
      const l = await fixture();
      expect(await l.ledger.RULES_EFFECTIVE()).to.equal(RULES_EFFECTIVE);
      expect(await l.ledger.MAX_USEFUL_LIFE_MONTHS()).to.equal(1200);
      expect(await l.ledger.MAX_TEXT()).to.equal(512);
      expect(await l.ledger.registry()).to.equal(await l.registry.getAddress());
      expect(await l.ledger.exchange()).to.equal(await l.dex.getAddress());
      expect(await l.ledger.hasRole(await l.ledger.DEFAULT_ADMIN_ROLE(), l.admin.address)).to.equal(true);
      expect(await l.ledger.hasRole(await l.ledger.PAUSER_ROLE(), l.admin.address)).to.equal(true);
      expect(await l.ledger.attestationCount()).to.equal(0);
      expect(await l.ledger.bookCount()).to.equal(0);
    });

    it("refuses a zero admin, a zero registry or a zero exchange", async () => {
      const l = await fixture();
      const factory = new AssetLedger__factory(l.admin);
      const [registry, exchange] = [await l.registry.getAddress(), await l.dex.getAddress()];
      for (const args of [
        [ZERO_ADDRESS, registry, exchange, ZERO_ADDRESS],
        [l.admin.address, ZERO_ADDRESS, exchange, ZERO_ADDRESS],
        [l.admin.address, registry, ZERO_ADDRESS, ZERO_ADDRESS],
      ] as const) {
        await expect(factory.deploy(...args))
          .to.be.revertedWithCustomError(l.ledger, "InvalidRecipient")
          .withArgs(ZERO_ADDRESS);
      }
    });
  });

  // ------------------------------------------------------------------------------------------ attestations

  describe("compliance attestations", () => {
    for (const passed of [true, false]) {
      it(`an assessor attests a ${passed ? "passed" : "failed"} assessment: event with all args and the record`, async () => {
        const l = await fixture();
        const report = hash("compliance-report");
        const at = await nextTimestamp();
        await expect(l.ledger.connect(l.assessor).attestCompliance(l.activeId, passed, report, 0))
          .to.emit(l.ledger, "ComplianceAttested")
          .withArgs(1, l.activeId, l.assessor.address, passed, report, 0, at);
        expect(await l.ledger.attestationCount()).to.equal(1);
        expect(await attestationOf(l, 1)).to.deep.equal({
          assetId: l.activeId,
          kind: AttestationKind.Compliance,
          author: l.assessor.address,
          attestedAt: at,
          revokedAt: 0,
          supersededBy: 0n,
        });
      });
    }

    it("is allowed for an asset still in public notice (assessment precedes registration)", async () => {
      const l = await fixture();
      expect((await l.registry.assetOf(l.noticeId)).status).to.equal(1); // InNotice
      const report = hash();
      const at = await nextTimestamp();
      await expect(l.ledger.connect(l.assessor).attestCompliance(l.noticeId, true, report, 0))
        .to.emit(l.ledger, "ComplianceAttested")
        .withArgs(1, l.noticeId, l.assessor.address, true, report, 0, at);
      expect((await attestationOf(l, 1)).assetId).to.equal(l.noticeId);
    });

    it("refuses callers without ASSESSOR_ROLE, including appraisers", async () => {
      const l = await fixture();
      const role = await l.ledger.ASSESSOR_ROLE();
      for (const who of [l.outsider, l.appraiser, l.entity, l.admin]) {
        await expect(l.ledger.connect(who).attestCompliance(l.activeId, true, hash(), 0))
          .to.be.revertedWithCustomError(l.ledger, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, role);
      }
    });

    it("refuses an unknown asset (the registry's UnknownAsset) and a zero report hash", async () => {
      const l = await fixture();
      await expect(l.ledger.connect(l.assessor).attestCompliance(99, true, hash(), 0))
        .to.be.revertedWithCustomError(l.registry, "UnknownAsset")
        .withArgs(99);
      await expect(l.ledger.connect(l.assessor).attestCompliance(0, true, hash(), 0))
        .to.be.revertedWithCustomError(l.registry, "UnknownAsset")
        .withArgs(0);
      await expect(
        l.ledger.connect(l.assessor).attestCompliance(l.activeId, true, ZERO_HASH, 0),
      ).to.be.revertedWithCustomError(l.ledger, "ZeroHash");
      expect(await l.ledger.attestationCount()).to.equal(0);
    });

    it("attestationOf refuses an unknown id", async () => {
      const l = await fixture();
      await expect(l.ledger.attestationOf(0)).to.be.revertedWithCustomError(l.ledger, "UnknownAttestation").withArgs(0);
      await compliance(l);
      await expect(l.ledger.attestationOf(2)).to.be.revertedWithCustomError(l.ledger, "UnknownAttestation").withArgs(2);
    });
  });

  describe("quality attestations", () => {
    it("an assessor attests six scores; the event carries them in order", async () => {
      const l = await fixture();
      const report = hash("quality-report");
      const at = await nextTimestamp();
      await expect(l.ledger.connect(l.assessor).attestQuality(l.activeId, SCORES, report, 0))
        .to.emit(l.ledger, "QualityAttested")
        .withArgs(1, l.activeId, l.assessor.address, SCORES, report, 0, at);
      expect(await attestationOf(l, 1)).to.deep.equal({
        assetId: l.activeId,
        kind: AttestationKind.Quality,
        author: l.assessor.address,
        attestedAt: at,
        revokedAt: 0,
        supersededBy: 0n,
      });
    });

    it("accepts the bounds 0 and 100 in every dimension", async () => {
      const l = await fixture();
      const report = hash();
      let t = await nextTimestamp();
      await expect(l.ledger.connect(l.assessor).attestQuality(l.activeId, [0, 0, 0, 0, 0, 0], report, 0))
        .to.emit(l.ledger, "QualityAttested")
        .withArgs(1, l.activeId, l.assessor.address, [0, 0, 0, 0, 0, 0], report, 0, t);
      t = await nextTimestamp();
      await expect(l.ledger.connect(l.assessor).attestQuality(l.activeId, [100, 100, 100, 100, 100, 100], report, 0))
        .to.emit(l.ledger, "QualityAttested")
        .withArgs(2, l.activeId, l.assessor.address, [100, 100, 100, 100, 100, 100], report, 0, t);
    });

    it("refuses a score above 100 in any of the six dimensions", async () => {
      const l = await fixture();
      for (let i = 0; i < 6; i++) {
        const scores = [...SCORES];
        scores[i] = 101;
        await expect(l.ledger.connect(l.assessor).attestQuality(l.activeId, scores, hash(), 0))
          .to.be.revertedWithCustomError(l.ledger, "InvalidScore")
          .withArgs(101);
      }
      await expect(l.ledger.connect(l.assessor).attestQuality(l.activeId, [255, 0, 0, 0, 0, 0], hash(), 0))
        .to.be.revertedWithCustomError(l.ledger, "InvalidScore")
        .withArgs(255);
      expect(await l.ledger.attestationCount()).to.equal(0);
    });

    it("refuses non-assessors, unknown assets and a zero report hash; allows assets in notice", async () => {
      const l = await fixture();
      await expect(l.ledger.connect(l.appraiser).attestQuality(l.activeId, SCORES, hash(), 0))
        .to.be.revertedWithCustomError(l.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(l.appraiser.address, await l.ledger.ASSESSOR_ROLE());
      await expect(l.ledger.connect(l.assessor).attestQuality(77, SCORES, hash(), 0))
        .to.be.revertedWithCustomError(l.registry, "UnknownAsset")
        .withArgs(77);
      await expect(
        l.ledger.connect(l.assessor).attestQuality(l.activeId, SCORES, ZERO_HASH, 0),
      ).to.be.revertedWithCustomError(l.ledger, "ZeroHash");
      await expect(l.ledger.connect(l.assessor).attestQuality(l.noticeId, SCORES, hash(), 0)).to.emit(
        l.ledger,
        "QualityAttested",
      );
      expect((await attestationOf(l, 1)).assetId).to.equal(l.noticeId);
    });
  });

  describe("appraisal attestations", () => {
    const methods = [
      [ValuationMethod.Cost, "Cost", 36_000_000n],
      [ValuationMethod.Market, "Market", 41_250_000n],
      [ValuationMethod.Income, "Income", 52_800_075n],
    ] as const;
    for (const [method, name, value] of methods) {
      it(`an appraiser attests a ${name}-approach valuation: event with all args and the record`, async () => {
        const l = await fixture();
        const report = hash("valuation-report");
        const valuationDate = cstDate(2025, 6, 30);
        const at = await nextTimestamp();
        await expect(
          l.ledger
            .connect(l.appraiser)
            .attestAppraisal(l.activeId, method, value, l.currencyAddress, valuationDate, report, 0),
        )
          .to.emit(l.ledger, "AppraisalAttested")
          .withArgs(1, l.activeId, l.appraiser.address, method, value, l.currencyAddress, valuationDate, report, 0, at);
        expect(await attestationOf(l, 1)).to.deep.equal({
          assetId: l.activeId,
          kind: AttestationKind.Appraisal,
          author: l.appraiser.address,
          attestedAt: at,
          revokedAt: 0,
          supersededBy: 0n,
        });
      });
    }

    it("accepts a valuation dated now and refuses one dated a second later", async () => {
      const l = await fixture();
      const report = hash();
      const now = await nextTimestamp();
      await expect(
        l.ledger.connect(l.appraiser).attestAppraisal(l.activeId, ValuationMethod.Market, 1n, l.currencyAddress, now, report, 0),
      )
        .to.emit(l.ledger, "AppraisalAttested")
        .withArgs(1, l.activeId, l.appraiser.address, ValuationMethod.Market, 1n, l.currencyAddress, now, report, 0, now);
      const t = await nextTimestamp();
      await expect(
        l.ledger.connect(l.appraiser).attestAppraisal(l.activeId, ValuationMethod.Market, 1n, l.currencyAddress, t + 1, hash(), 0),
      )
        .to.be.revertedWithCustomError(l.ledger, "DateInFuture")
        .withArgs(t + 1);
    });

    it("refuses a zero currency, non-appraisers, unknown assets and a zero report hash", async () => {
      const l = await fixture();
      const d = cstDate(2025, 6, 30);
      await expect(
        l.ledger.connect(l.appraiser).attestAppraisal(l.activeId, ValuationMethod.Cost, 100n, ZERO_ADDRESS, d, hash(), 0),
      )
        .to.be.revertedWithCustomError(l.ledger, "InvalidCurrency")
        .withArgs(ZERO_ADDRESS);
      for (const who of [l.assessor, l.outsider]) {
        await expect(
          l.ledger.connect(who).attestAppraisal(l.activeId, ValuationMethod.Cost, 100n, l.currencyAddress, d, hash(), 0),
        )
          .to.be.revertedWithCustomError(l.ledger, "AccessControlUnauthorizedAccount")
          .withArgs(who.address, await l.ledger.APPRAISER_ROLE());
      }
      await expect(
        l.ledger.connect(l.appraiser).attestAppraisal(42, ValuationMethod.Cost, 100n, l.currencyAddress, d, hash(), 0),
      )
        .to.be.revertedWithCustomError(l.registry, "UnknownAsset")
        .withArgs(42);
      await expect(
        l.ledger.connect(l.appraiser).attestAppraisal(l.activeId, ValuationMethod.Cost, 100n, l.currencyAddress, d, ZERO_HASH, 0),
      ).to.be.revertedWithCustomError(l.ledger, "ZeroHash");
      expect(await l.ledger.attestationCount()).to.equal(0);
    });

    it("is allowed for an asset still in public notice", async () => {
      const l = await fixture();
      const d = cstDate(2025, 6, 30);
      const report = hash();
      const at = await nextTimestamp();
      await expect(
        l.ledger.connect(l.appraiser).attestAppraisal(l.noticeId, ValuationMethod.Income, 9n, l.currencyAddress, d, report, 0),
      )
        .to.emit(l.ledger, "AppraisalAttested")
        .withArgs(1, l.noticeId, l.appraiser.address, ValuationMethod.Income, 9n, l.currencyAddress, d, report, 0, at);
    });
  });

  describe("superseding", () => {
    it("the author supersedes its own compliance attestation: supersededBy is set, the new one is open", async () => {
      const l = await fixture();
      const { id: first, at: firstAt } = await compliance(l);
      const report = hash("re-assessment");
      const at = await nextTimestamp();
      await expect(l.ledger.connect(l.assessor).attestCompliance(l.activeId, false, report, first))
        .to.emit(l.ledger, "ComplianceAttested")
        .withArgs(2, l.activeId, l.assessor.address, false, report, first, at);
      expect(await attestationOf(l, first)).to.deep.equal({
        assetId: l.activeId,
        kind: AttestationKind.Compliance,
        author: l.assessor.address,
        attestedAt: firstAt,
        revokedAt: 0,
        supersededBy: 2n,
      });
      expect(await attestationOf(l, 2)).to.deep.equal({
        assetId: l.activeId,
        kind: AttestationKind.Compliance,
        author: l.assessor.address,
        attestedAt: at,
        revokedAt: 0,
        supersededBy: 0n,
      });
    });

    it("supersedes quality and appraisal attestations in a chain", async () => {
      const l = await fixture();
      await l.ledger.connect(l.assessor).attestQuality(l.activeId, SCORES, hash(), 0); // 1
      const report = hash();
      const at = await nextTimestamp();
      await expect(l.ledger.connect(l.assessor).attestQuality(l.activeId, [90, 90, 90, 90, 90, 90], report, 1))
        .to.emit(l.ledger, "QualityAttested")
        .withArgs(2, l.activeId, l.assessor.address, [90, 90, 90, 90, 90, 90], report, 1, at);
      await l.ledger.connect(l.assessor).attestQuality(l.activeId, SCORES, hash(), 2); // 3
      expect((await attestationOf(l, 1)).supersededBy).to.equal(2n);
      expect((await attestationOf(l, 2)).supersededBy).to.equal(3n);
      expect((await attestationOf(l, 3)).supersededBy).to.equal(0n);

      const d = cstDate(2025, 12, 31);
      await l.ledger.connect(l.appraiser).attestAppraisal(l.activeId, ValuationMethod.Cost, 100n, l.currencyAddress, d, hash(), 0); // 4
      const r2 = hash();
      const at2 = await nextTimestamp();
      await expect(
        l.ledger.connect(l.appraiser).attestAppraisal(l.activeId, ValuationMethod.Income, 120n, l.currencyAddress, d, r2, 4),
      )
        .to.emit(l.ledger, "AppraisalAttested")
        .withArgs(5, l.activeId, l.appraiser.address, ValuationMethod.Income, 120n, l.currencyAddress, d, r2, 4, at2);
      expect((await attestationOf(l, 4)).supersededBy).to.equal(5n);
    });

    it("refuses superseding another author's attestation (NotAuthor), even with the same role", async () => {
      const l = await fixture();
      const { id } = await compliance(l);
      await expect(l.ledger.connect(l.assessor2).attestCompliance(l.activeId, true, hash(), id))
        .to.be.revertedWithCustomError(l.ledger, "NotAuthor")
        .withArgs(id, l.assessor2.address);
      expect((await attestationOf(l, id)).supersededBy).to.equal(0n);
      expect(await l.ledger.attestationCount()).to.equal(1);
    });

    it("refuses superseding an attestation of a different kind or a different asset (SupersedeMismatch)", async () => {
      const l = await fixture();
      const { id } = await compliance(l); // compliance on activeId
      await expect(l.ledger.connect(l.assessor).attestQuality(l.activeId, SCORES, hash(), id))
        .to.be.revertedWithCustomError(l.ledger, "SupersedeMismatch")
        .withArgs(id);
      await expect(l.ledger.connect(l.assessor).attestCompliance(l.noticeId, true, hash(), id))
        .to.be.revertedWithCustomError(l.ledger, "SupersedeMismatch")
        .withArgs(id);
      // an author holding both roles still cannot turn a compliance attestation into an appraisal
      await l.ledger.grantRole(await l.ledger.APPRAISER_ROLE(), l.assessor.address);
      await expect(
        l.ledger
          .connect(l.assessor)
          .attestAppraisal(l.activeId, ValuationMethod.Cost, 1n, l.currencyAddress, cstDate(2025, 1, 1), hash(), id),
      )
        .to.be.revertedWithCustomError(l.ledger, "SupersedeMismatch")
        .withArgs(id);
      expect((await attestationOf(l, id)).supersededBy).to.equal(0n);
    });

    it("refuses superseding an already superseded or a revoked attestation (AttestationClosed)", async () => {
      const l = await fixture();
      const { id: first } = await compliance(l);
      const { id: second } = await compliance(l, l.assessor, l.activeId, first);
      await expect(l.ledger.connect(l.assessor).attestCompliance(l.activeId, true, hash(), first))
        .to.be.revertedWithCustomError(l.ledger, "AttestationClosed")
        .withArgs(first);
      await l.ledger.connect(l.assessor).revokeAttestation(second, "report withdrawn");
      await expect(l.ledger.connect(l.assessor).attestCompliance(l.activeId, true, hash(), second))
        .to.be.revertedWithCustomError(l.ledger, "AttestationClosed")
        .withArgs(second);
      expect((await attestationOf(l, first)).supersededBy).to.equal(BigInt(second));
      expect((await attestationOf(l, second)).supersededBy).to.equal(0n);
    });

    it("refuses superseding an unknown attestation", async () => {
      const l = await fixture();
      await expect(l.ledger.connect(l.assessor).attestCompliance(l.activeId, true, hash(), 1))
        .to.be.revertedWithCustomError(l.ledger, "UnknownAttestation")
        .withArgs(1);
      await compliance(l);
      await expect(l.ledger.connect(l.assessor).attestCompliance(l.activeId, true, hash(), 99))
        .to.be.revertedWithCustomError(l.ledger, "UnknownAttestation")
        .withArgs(99);
    });
  });

  describe("revocation", () => {
    it("the author revokes with a reason; the record keeps its original data", async () => {
      const l = await fixture();
      const { id, at } = await compliance(l);
      const reason = "评估报告所依据的样本有误 / sample error in the report";
      const revokedAt = await nextTimestamp(3600);
      await expect(l.ledger.connect(l.assessor).revokeAttestation(id, reason))
        .to.emit(l.ledger, "AttestationRevoked")
        .withArgs(id, l.activeId, l.assessor.address, reason, revokedAt);
      expect(await attestationOf(l, id)).to.deep.equal({
        assetId: l.activeId,
        kind: AttestationKind.Compliance,
        author: l.assessor.address,
        attestedAt: at,
        revokedAt,
        supersededBy: 0n,
      });
    });

    it("a revoked appraisal keeps its asset, kind, author and date", async () => {
      const l = await fixture();
      const at = await nextTimestamp();
      await l.ledger
        .connect(l.appraiser)
        .attestAppraisal(l.noticeId, ValuationMethod.Market, 5_000_000n, l.currencyAddress, cstDate(2025, 5, 5), hash(), 0);
      const revokedAt = await nextTimestamp(10);
      await l.ledger.connect(l.appraiser).revokeAttestation(1, "");
      expect(await attestationOf(l, 1)).to.deep.equal({
        assetId: l.noticeId,
        kind: AttestationKind.Appraisal,
        author: l.appraiser.address,
        attestedAt: at,
        revokedAt,
        supersededBy: 0n,
      });
    });

    it("only the author may revoke, and only once", async () => {
      const l = await fixture();
      const { id } = await compliance(l);
      for (const who of [l.assessor2, l.admin, l.entity]) {
        await expect(l.ledger.connect(who).revokeAttestation(id, "no"))
          .to.be.revertedWithCustomError(l.ledger, "NotAuthor")
          .withArgs(id, who.address);
      }
      await l.ledger.connect(l.assessor).revokeAttestation(id, "first");
      const revokedAt = (await attestationOf(l, id)).revokedAt;
      await expect(l.ledger.connect(l.assessor).revokeAttestation(id, "second"))
        .to.be.revertedWithCustomError(l.ledger, "AttestationClosed")
        .withArgs(id);
      expect((await attestationOf(l, id)).revokedAt).to.equal(revokedAt);
    });

    it("an author whose accreditation was removed can still revoke its attestations", async () => {
      const l = await fixture();
      const { id } = await compliance(l);
      await l.ledger.revokeRole(await l.ledger.ASSESSOR_ROLE(), l.assessor.address);
      const t = await nextTimestamp();
      await expect(l.ledger.connect(l.assessor).revokeAttestation(id, "accreditation withdrawn"))
        .to.emit(l.ledger, "AttestationRevoked")
        .withArgs(id, l.activeId, l.assessor.address, "accreditation withdrawn", t);
    });

    it("refuses a reason over 512 bytes (counted in UTF-8 bytes) and an unknown attestation", async () => {
      const l = await fixture();
      const { id } = await compliance(l);
      await expect(l.ledger.connect(l.assessor).revokeAttestation(id, "x".repeat(513)))
        .to.be.revertedWithCustomError(l.ledger, "TextTooLong")
        .withArgs(513, 512);
      await expect(l.ledger.connect(l.assessor).revokeAttestation(id, "数".repeat(171))) // 513 bytes
        .to.be.revertedWithCustomError(l.ledger, "TextTooLong")
        .withArgs(513, 512);
      await expect(l.ledger.connect(l.assessor).revokeAttestation(7, "x"))
        .to.be.revertedWithCustomError(l.ledger, "UnknownAttestation")
        .withArgs(7);
      expect((await attestationOf(l, id)).revokedAt).to.equal(0);
      const reason = "x".repeat(512);
      const t = await nextTimestamp();
      await expect(l.ledger.connect(l.assessor).revokeAttestation(id, reason))
        .to.emit(l.ledger, "AttestationRevoked")
        .withArgs(id, l.activeId, l.assessor.address, reason, t);
    });

    it("attestations are never editable: the only state-changing functions are the documented ones", async () => {
      const l = await fixture();
      const mutating = l.ledger.interface.fragments
        .filter((f): f is import("ethers").FunctionFragment => f.type === "function")
        .filter((f) => f.stateMutability !== "view" && f.stateMutability !== "pure")
        .map((f) => f.name)
        .sort();
      expect(mutating).to.deep.equal(
        [
          "addCost",
          "attestAppraisal",
          "attestCompliance",
          "attestQuality",
          "derecognise",
          "grantRole",
          "impair",
          "pause",
          "readyForUse",
          "recognise",
          "recogniseAwaitingUse",
          "renounceRole",
          "reverseWriteDown",
          "revokeAttestation",
          "revokeRole",
          "setAccountant",
          "unpause",
        ].sort(),
      );
    });
  });

  // ------------------------------------------------------------------------------------------ accountants

  describe("accountants", () => {
    it("an entity authorises an accountant, who may then open books and record for it", async () => {
      const l = await fixture();
      const t = await nextTimestamp();
      await expect(l.ledger.connect(l.entity).setAccountant(l.accountant.address, true))
        .to.emit(l.ledger, "AccountantSet")
        .withArgs(l.entity.address, l.accountant.address, true, t);
      expect(await l.ledger.isAccountant(l.entity.address, l.accountant.address)).to.equal(true);
      expect(await l.ledger.isAccountant(l.otherEntity.address, l.accountant.address)).to.equal(false);

      const a = bookArgs(l);
      await expect(recogniseTx(l, a, l.accountant))
        .to.emit(l.ledger, "BookOpened")
        .withArgs(1, l.entity.address, l.activeId, a.category, a.source, a.usefulLifeMonths, a.residualValue, a.currency, a.date, a.date, a.evidenceHash, l.accountant.address);
      expect((await bookOf(l, 1)).entity).to.equal(l.entity.address);
      const ev = hash();
      await expect(l.ledger.connect(l.accountant).addCost(1, 1_000n, CostSource.Purchased, CostPhase.None, a.date, 0, ev))
        .to.emit(l.ledger, "CostRecorded")
        .withArgs(1, l.entity.address, l.activeId, 1_000n, CostSource.Purchased, CostPhase.None, a.date, 0, ev, l.accountant.address);
      expect((await bookOf(l, 1)).cost).to.equal(1_000n);
    });

    it("an accountant cannot record for an entity that did not authorise it", async () => {
      const l = await fixture();
      await l.ledger.connect(l.entity).setAccountant(l.accountant.address, true);
      await expect(recogniseTx(l, bookArgs(l, { entity: l.otherEntity.address }), l.accountant))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.otherEntity.address, l.accountant.address);
      const { bookId } = await openBook(l, { entity: l.otherEntity.address }, l.otherEntity);
      await expect(l.ledger.connect(l.accountant).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash()))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.otherEntity.address, l.accountant.address);
      // nor can an outsider, nor the entity's counterpart
      await expect(recogniseTx(l, bookArgs(l), l.outsider))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.entity.address, l.outsider.address);
      await expect(l.ledger.connect(l.entity).impair(bookId, 1n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.otherEntity.address, l.entity.address);
    });

    it("de-authorising stops the accountant; the entity itself still records", async () => {
      const l = await fixture();
      await l.ledger.connect(l.entity).setAccountant(l.accountant.address, true);
      const { bookId } = await openBook(l, {}, l.accountant);
      const t = await nextTimestamp();
      await expect(l.ledger.connect(l.entity).setAccountant(l.accountant.address, false))
        .to.emit(l.ledger, "AccountantSet")
        .withArgs(l.entity.address, l.accountant.address, false, t);
      expect(await l.ledger.isAccountant(l.entity.address, l.accountant.address)).to.equal(false);
      await expect(l.ledger.connect(l.accountant).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash()))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.entity.address, l.accountant.address);
      await expect(recogniseTx(l, bookArgs(l), l.accountant))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.entity.address, l.accountant.address);
      await expect(l.ledger.connect(l.entity).addCost(bookId, 5n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash())).to.emit(
        l.ledger,
        "CostRecorded",
      );
      expect((await bookOf(l, bookId)).cost).to.equal(5n);
    });

    it("one accountant may serve several entities, each authorising separately", async () => {
      const l = await fixture();
      await l.ledger.connect(l.entity).setAccountant(l.accountant.address, true);
      await l.ledger.connect(l.otherEntity).setAccountant(l.accountant.address, true);
      const { bookId: b1 } = await openBook(l, {}, l.accountant);
      const { bookId: b2 } = await openBook(l, { entity: l.otherEntity.address }, l.accountant);
      expect((await bookOf(l, b1)).entity).to.equal(l.entity.address);
      expect((await bookOf(l, b2)).entity).to.equal(l.otherEntity.address);
      await l.ledger.connect(l.otherEntity).setAccountant(l.accountant.address, false);
      expect(await l.ledger.isAccountant(l.entity.address, l.accountant.address)).to.equal(true);
      await expect(l.ledger.connect(l.accountant).addCost(b2, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash()))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.otherEntity.address, l.accountant.address);
      await l.ledger.connect(l.accountant).addCost(b1, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
      expect((await bookOf(l, b1)).cost).to.equal(1n);
    });

    it("refuses a zero or self accountant", async () => {
      const l = await fixture();
      await expect(l.ledger.connect(l.entity).setAccountant(ZERO_ADDRESS, true))
        .to.be.revertedWithCustomError(l.ledger, "InvalidRecipient")
        .withArgs(ZERO_ADDRESS);
      await expect(l.ledger.connect(l.entity).setAccountant(l.entity.address, true))
        .to.be.revertedWithCustomError(l.ledger, "InvalidRecipient")
        .withArgs(l.entity.address);
    });
  });

  // ------------------------------------------------------------------------------------------ recognition

  describe("recognise", () => {
    it("an intangible book is ready for use on its recognition date: event args and bookOf", async () => {
      const l = await fixture();
      const a = bookArgs(l, { category: Category.Intangible, source: CostSource.Purchased, usefulLifeMonths: 36, residualValue: 1_000n });
      await expect(recogniseTx(l, a))
        .to.emit(l.ledger, "BookOpened")
        .withArgs(1, l.entity.address, l.activeId, Category.Intangible, CostSource.Purchased, 36, 1_000n, l.currencyAddress, a.date, a.date, a.evidenceHash, l.entity.address);
      expect(await l.ledger.bookCount()).to.equal(1);
      expect(await bookOf(l, 1)).to.deep.equal({
        entity: l.entity.address,
        category: Category.Intangible,
        source: CostSource.Purchased,
        usefulLifeMonths: 36,
        recognisedOn: a.date,
        readyOn: a.date,
        derecognisedOn: 0,
        assetId: l.activeId,
        currency: l.currencyAddress,
        cost: 0n,
        impairment: 0n,
        residualValue: 1_000n,
      });
    });

    it("an intangible book with an indefinite life (0 months) is accepted", async () => {
      const l = await fixture();
      const { bookId, args } = await openBook(l, { usefulLifeMonths: 0, source: CostSource.Other });
      const b = await bookOf(l, bookId);
      expect(b.usefulLifeMonths).to.equal(0);
      expect(b.readyOn).to.equal(args.date);
      expect(b.source).to.equal(CostSource.Other);
    });

    for (const [category, name] of [
      [Category.Inventory, "an inventory book has no useful life and no ready date"],
      [Category.Development, "a development book waits for readyForUse (readyOn 0)"],
    ] as const) {
      it(name, async () => {
        const l = await fixture();
        const a = bookArgs(l, { category, source: CostSource.SelfDeveloped, usefulLifeMonths: 0 });
        await expect(recogniseTx(l, a))
          .to.emit(l.ledger, "BookOpened")
          .withArgs(1, l.entity.address, l.activeId, category, CostSource.SelfDeveloped, 0, 0n, l.currencyAddress, a.date, 0, a.evidenceHash, l.entity.address);
        expect(await bookOf(l, 1)).to.deep.equal({
          entity: l.entity.address,
          category,
          source: CostSource.SelfDeveloped,
          usefulLifeMonths: 0,
          recognisedOn: a.date,
          readyOn: 0,
          derecognisedOn: 0,
          assetId: l.activeId,
          currency: l.currencyAddress,
          cost: 0n,
          impairment: 0n,
          residualValue: 0n,
        });
      });
    }

    it("book ids are sequential; several books may exist for the same asset and entity", async () => {
      const l = await fixture();
      const { bookId: b1 } = await openBook(l);
      const { bookId: b2 } = await openBook(l, { category: Category.Inventory, usefulLifeMonths: 0 });
      const { bookId: b3 } = await openBook(l, { entity: l.otherEntity.address }, l.otherEntity);
      expect([b1, b2, b3]).to.deep.equal([1n, 2n, 3n]);
      expect(await l.ledger.bookCount()).to.equal(3);
      await expect(l.ledger.bookOf(4)).to.be.revertedWithCustomError(l.ledger, "UnknownBook").withArgs(4);
      await expect(l.ledger.bookOf(0)).to.be.revertedWithCustomError(l.ledger, "UnknownBook").withArgs(0);
    });

    it("refuses an inventory book with a useful life", async () => {
      const l = await fixture();
      await expect(recogniseTx(l, bookArgs(l, { category: Category.Inventory, usefulLifeMonths: 12 })))
        .to.be.revertedWithCustomError(l.ledger, "InvalidUsefulLife")
        .withArgs(12);
    });

    it("accepts a life of 1200 months and refuses 1201", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l, { usefulLifeMonths: 1200 });
      expect((await bookOf(l, bookId)).usefulLifeMonths).to.equal(1200);
      for (const category of [Category.Intangible, Category.Development]) {
        await expect(recogniseTx(l, bookArgs(l, { category, usefulLifeMonths: 1201 })))
          .to.be.revertedWithCustomError(l.ledger, "InvalidUsefulLife")
          .withArgs(1201);
      }
      await expect(recogniseTx(l, bookArgs(l, { usefulLifeMonths: 65535 })))
        .to.be.revertedWithCustomError(l.ledger, "InvalidUsefulLife")
        .withArgs(65535);
    });

    it("accepts 2024-01-01 00:00 UTC+8 and refuses a second earlier (the rules are prospective)", async () => {
      const l = await fixture();
      await expect(recogniseTx(l, bookArgs(l, { date: RULES_EFFECTIVE - 1 })))
        .to.be.revertedWithCustomError(l.ledger, "DateBeforeRules")
        .withArgs(RULES_EFFECTIVE - 1);
      await expect(recogniseTx(l, bookArgs(l, { date: cstDate(2023, 12, 31) })))
        .to.be.revertedWithCustomError(l.ledger, "DateBeforeRules")
        .withArgs(cstDate(2023, 12, 31));
      const { bookId } = await openBook(l, { date: RULES_EFFECTIVE });
      expect((await bookOf(l, bookId)).recognisedOn).to.equal(RULES_EFFECTIVE);
    });

    it("accepts a date equal to the block time and refuses a future date", async () => {
      const l = await fixture();
      let t = await nextTimestamp();
      await expect(recogniseTx(l, bookArgs(l, { date: t + 1 })))
        .to.be.revertedWithCustomError(l.ledger, "DateInFuture")
        .withArgs(t + 1);
      t = await nextTimestamp();
      await recogniseTx(l, bookArgs(l, { date: t }));
      expect((await bookOf(l, 1)).recognisedOn).to.equal(t);
    });

    it("refuses an unknown asset, a zero evidence hash, a zero currency and a zero entity", async () => {
      const l = await fixture();
      await expect(recogniseTx(l, bookArgs(l, { assetId: 99 })))
        .to.be.revertedWithCustomError(l.registry, "UnknownAsset")
        .withArgs(99);
      await expect(recogniseTx(l, bookArgs(l, { evidenceHash: ZERO_HASH }))).to.be.revertedWithCustomError(l.ledger, "ZeroHash");
      await expect(recogniseTx(l, bookArgs(l, { currency: ZERO_ADDRESS })))
        .to.be.revertedWithCustomError(l.ledger, "InvalidCurrency")
        .withArgs(ZERO_ADDRESS);
      await expect(recogniseTx(l, bookArgs(l, { entity: ZERO_ADDRESS })))
        .to.be.revertedWithCustomError(l.ledger, "InvalidRecipient")
        .withArgs(ZERO_ADDRESS);
      expect(await l.ledger.bookCount()).to.equal(0);
    });
  });

  // ------------------------------------------------------------------------------------------ costs

  describe("addCost", () => {
    it("adds acquisition costs (phase None) to an intangible book, carrying the order id", async () => {
      const l = await fixture();
      const orderId = await (await exchangeOrders(l))(l.entity);
      const { bookId } = await openBook(l);
      const ev = hash("invoice");
      const d = cstDate(2025, 3, 2);
      await expect(l.ledger.connect(l.entity).addCost(bookId, 250_000n, CostSource.Purchased, CostPhase.None, d, orderId, ev))
        .to.emit(l.ledger, "CostRecorded")
        .withArgs(bookId, l.entity.address, l.activeId, 250_000n, CostSource.Purchased, CostPhase.None, d, orderId, ev, l.entity.address);
      await l.ledger.connect(l.entity).addCost(bookId, 750n, CostSource.Other, CostPhase.None, d, 0, hash());
      expect((await bookOf(l, bookId)).cost).to.equal(250_750n);
    });

    it("refuses a zero amount", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l);
      await expect(
        l.ledger.connect(l.entity).addCost(bookId, 0n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash()),
      ).to.be.revertedWithCustomError(l.ledger, "ZeroAmount");
    });

    for (const category of [Category.Intangible, Category.Inventory]) {
      it(`an ${Category[category]} book takes only phase None`, async () => {
        const l = await fixture();
        const { bookId } = await openBook(l, { category, usefulLifeMonths: 0 });
        for (const phase of [CostPhase.Research, CostPhase.Development]) {
          await expect(l.ledger.connect(l.entity).addCost(bookId, 100n, CostSource.SelfDeveloped, phase, RECOGNISED, 0, hash()))
            .to.be.revertedWithCustomError(l.ledger, "WrongPhase")
            .withArgs(bookId, phase);
        }
        await l.ledger.connect(l.entity).addCost(bookId, 100n, CostSource.SelfDeveloped, CostPhase.None, RECOGNISED, 0, hash());
        expect((await bookOf(l, bookId)).cost).to.equal(100n);
      });
    }

    it("a development book refuses phase None; research is recorded but expensed, development is capitalised", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l, { category: Category.Development, source: CostSource.SelfDeveloped, usefulLifeMonths: 0 });
      await expect(l.ledger.connect(l.entity).addCost(bookId, 100n, CostSource.SelfDeveloped, CostPhase.None, RECOGNISED, 0, hash()))
        .to.be.revertedWithCustomError(l.ledger, "WrongPhase")
        .withArgs(bookId, CostPhase.None);
      const ev1 = hash();
      await expect(l.ledger.connect(l.entity).addCost(bookId, 40_000n, CostSource.SelfDeveloped, CostPhase.Research, RECOGNISED, 0, ev1))
        .to.emit(l.ledger, "CostRecorded")
        .withArgs(bookId, l.entity.address, l.activeId, 40_000n, CostSource.SelfDeveloped, CostPhase.Research, RECOGNISED, 0, ev1, l.entity.address);
      expect((await bookOf(l, bookId)).cost).to.equal(0n);
      const ev2 = hash();
      await expect(l.ledger.connect(l.entity).addCost(bookId, 60_000n, CostSource.Purchased, CostPhase.Development, RECOGNISED, 0, ev2))
        .to.emit(l.ledger, "CostRecorded")
        .withArgs(bookId, l.entity.address, l.activeId, 60_000n, CostSource.Purchased, CostPhase.Development, RECOGNISED, 0, ev2, l.entity.address);
      expect((await bookOf(l, bookId)).cost).to.equal(60_000n);
    });

    it("refuses a date before recognition, before the rules or in the future; accepts the recognition date", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l);
      await expect(l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED - 1, 0, hash()))
        .to.be.revertedWithCustomError(l.ledger, "DateBeforeRecognition")
        .withArgs(RECOGNISED - 1, RECOGNISED);
      await expect(l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RULES_EFFECTIVE - 1, 0, hash()))
        .to.be.revertedWithCustomError(l.ledger, "DateBeforeRules")
        .withArgs(RULES_EFFECTIVE - 1);
      const t = await nextTimestamp();
      await expect(l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, t + 1, 0, hash()))
        .to.be.revertedWithCustomError(l.ledger, "DateInFuture")
        .withArgs(t + 1);
      await l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
      expect((await bookOf(l, bookId)).cost).to.equal(1n);
    });

    it("refuses an unknown book and a zero evidence hash", async () => {
      const l = await fixture();
      await expect(l.ledger.connect(l.entity).addCost(5, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash()))
        .to.be.revertedWithCustomError(l.ledger, "UnknownBook")
        .withArgs(5);
      const { bookId } = await openBook(l);
      await expect(
        l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, ZERO_HASH),
      ).to.be.revertedWithCustomError(l.ledger, "ZeroHash");
    });
  });

  // ------------------------------------------------------------------------------------------ ready for use

  describe("readyForUse", () => {
    it("moves a development book to intangible with its useful life and ready date; later costs need phase None", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l, { category: Category.Development, source: CostSource.SelfDeveloped, usefulLifeMonths: 0 });
      await l.ledger.connect(l.entity).addCost(bookId, 90_000n, CostSource.SelfDeveloped, CostPhase.Development, RECOGNISED, 0, hash());
      const ready = cstDate(2025, 9, 15);
      const ev = hash("acceptance");
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 48, ready, ev))
        .to.emit(l.ledger, "ReadyForUse")
        .withArgs(bookId, l.entity.address, l.activeId, 48, ready, ev, l.entity.address);
      expect(await bookOf(l, bookId)).to.deep.equal({
        entity: l.entity.address,
        category: Category.Intangible,
        source: CostSource.SelfDeveloped,
        usefulLifeMonths: 48,
        recognisedOn: RECOGNISED,
        readyOn: ready,
        derecognisedOn: 0,
        assetId: l.activeId,
        currency: l.currencyAddress,
        cost: 90_000n,
        impairment: 0n,
        residualValue: 0n,
      });
      for (const phase of [CostPhase.Research, CostPhase.Development]) {
        await expect(l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.SelfDeveloped, phase, ready, 0, hash()))
          .to.be.revertedWithCustomError(l.ledger, "WrongPhase")
          .withArgs(bookId, phase);
      }
      await l.ledger.connect(l.entity).addCost(bookId, 10_000n, CostSource.SelfDeveloped, CostPhase.None, ready, 0, hash());
      expect((await bookOf(l, bookId)).cost).to.equal(100_000n);
      // and it cannot be made ready a second time
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 48, ready, hash()))
        .to.be.revertedWithCustomError(l.ledger, "AlreadyReadyForUse")
        .withArgs(bookId, ready);
    });

    it("refuses an intangible book ready since recognition (AlreadyReadyForUse) and inventory books", async () => {
      const l = await fixture();
      const { bookId: intangible } = await openBook(l);
      const { bookId: inventory } = await openBook(l, { category: Category.Inventory, usefulLifeMonths: 0 });
      await expect(l.ledger.connect(l.entity).readyForUse(intangible, 12, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "AlreadyReadyForUse")
        .withArgs(intangible, RECOGNISED);
      await expect(l.ledger.connect(l.entity).readyForUse(inventory, 12, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "WrongCategory")
        .withArgs(inventory, Category.Inventory);
    });

    it("refuses a life over 1200 months, a date before recognition, a zero hash and outsiders", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l, { category: Category.Development, usefulLifeMonths: 0 });
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 1201, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "InvalidUsefulLife")
        .withArgs(1201);
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 60, RECOGNISED - 1, hash()))
        .to.be.revertedWithCustomError(l.ledger, "DateBeforeRecognition")
        .withArgs(RECOGNISED - 1, RECOGNISED);
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 60, RECOGNISED, ZERO_HASH)).to.be.revertedWithCustomError(
        l.ledger,
        "ZeroHash",
      );
      await expect(l.ledger.connect(l.outsider).readyForUse(bookId, 60, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.entity.address, l.outsider.address);
      expect((await bookOf(l, bookId)).category).to.equal(Category.Development);
      await l.ledger.connect(l.entity).readyForUse(bookId, 1200, RECOGNISED, hash());
      expect((await bookOf(l, bookId)).usefulLifeMonths).to.equal(1200);
    });
  });

  // ------------------------------------------------------------------------------------------ bought, ready later

  describe("recogniseAwaitingUse: an intangible asset bought on one date and ready for use on another (CAS 6)", () => {
    for (const source of [CostSource.Purchased, CostSource.Other]) {
      it(`opens a ${CostSource[source]} intangible book not yet ready: readyOn 0, no life yet, source kept`, async () => {
        const l = await fixture();
        const a = bookArgs(l, { source, residualValue: 500n });
        await expect(recogniseAwaitingUseTx(l, a))
          .to.emit(l.ledger, "BookOpened")
          .withArgs(1, l.entity.address, l.activeId, Category.Intangible, source, 0, 500n, l.currencyAddress, a.date, 0, a.evidenceHash, l.entity.address);
        expect(await bookOf(l, 1)).to.deep.equal({
          entity: l.entity.address,
          category: Category.Intangible,
          source,
          usefulLifeMonths: 0,
          recognisedOn: a.date,
          readyOn: 0,
          derecognisedOn: 0,
          assetId: l.activeId,
          currency: l.currencyAddress,
          cost: 0n,
          impairment: 0n,
          residualValue: 500n,
        });
      });
    }

    it("bought 2025-03-01, cleaned and integrated, ready 2025-05-10 with 36 months: costs before, source unchanged", async () => {
      const l = await fixture();
      const bought = cstDate(2025, 3, 1);
      const { bookId } = await openAwaitingBook(l, { date: bought });
      await l.ledger.connect(l.entity).addCost(bookId, 360_000n * YUAN, CostSource.Purchased, CostPhase.None, bought, 0, hash("price"));
      // costs to bring it to intended use (desensitise, clean, integrate) are capitalised before it is ready
      await l.ledger.connect(l.entity).addCost(bookId, 24_000n * YUAN, CostSource.Other, CostPhase.None, cstDate(2025, 4, 20), 0, hash("cleaning"));
      for (const phase of [CostPhase.Research, CostPhase.Development]) {
        await expect(l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.Purchased, phase, cstDate(2025, 4, 20), 0, hash()))
          .to.be.revertedWithCustomError(l.ledger, "WrongPhase")
          .withArgs(bookId, phase);
      }
      const ready = cstDate(2025, 5, 10);
      const ev = hash("acceptance");
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 36, ready, ev))
        .to.emit(l.ledger, "ReadyForUse")
        .withArgs(bookId, l.entity.address, l.activeId, 36, ready, ev, l.entity.address);
      expect(await bookOf(l, bookId)).to.deep.equal({
        entity: l.entity.address,
        category: Category.Intangible,
        source: CostSource.Purchased, // not moved to 内部研发
        usefulLifeMonths: 36,
        recognisedOn: bought,
        readyOn: ready,
        derecognisedOn: 0,
        assetId: l.activeId,
        currency: l.currencyAddress,
        cost: 38_400_000n,
        impairment: 0n,
        residualValue: 0n,
      });
      // once only
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 24, ready, hash()))
        .to.be.revertedWithCustomError(l.ledger, "AlreadyReadyForUse")
        .withArgs(bookId, ready);
      // later costs are plain costs again
      await l.ledger.connect(l.entity).addCost(bookId, 1_000n, CostSource.Purchased, CostPhase.None, ready, 0, hash());
      expect((await bookOf(l, bookId)).cost).to.equal(38_401_000n);
    });

    it("the ready date may be the recognition date or the block time, never before recognition or the last entry, nor in the future", async () => {
      const l = await fixture();
      const { bookId } = await openAwaitingBook(l);
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 36, RECOGNISED - 1, hash()))
        .to.be.revertedWithCustomError(l.ledger, "DateBeforeRecognition")
        .withArgs(RECOGNISED - 1, RECOGNISED);
      const later = cstDate(2025, 6, 1);
      await l.ledger.connect(l.entity).addCost(bookId, 5_000n, CostSource.Purchased, CostPhase.None, later, 0, hash());
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 36, cstDate(2025, 5, 31), hash()))
        .to.be.revertedWithCustomError(l.ledger, "DateBeforeLastEntry")
        .withArgs(cstDate(2025, 5, 31), later);
      const t = await nextTimestamp();
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 36, t + 1, hash()))
        .to.be.revertedWithCustomError(l.ledger, "DateInFuture")
        .withArgs(t + 1);
      const now = await nextTimestamp();
      await l.ledger.connect(l.entity).readyForUse(bookId, 36, now, hash());
      expect((await bookOf(l, bookId)).readyOn).to.equal(now);

      const { bookId: sameDay } = await openAwaitingBook(l);
      await l.ledger.connect(l.entity).readyForUse(sameDay, 12, RECOGNISED, hash());
      expect(await bookOf(l, sameDay)).to.include({ readyOn: RECOGNISED, usefulLifeMonths: 12, category: Category.Intangible });
    });

    it("readyForUse refuses a life over 1200 months, a zero hash, outsiders and a derecognised book; an accountant may record it", async () => {
      const l = await fixture();
      const { bookId } = await openAwaitingBook(l);
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 1201, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "InvalidUsefulLife")
        .withArgs(1201);
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 36, RECOGNISED, ZERO_HASH)).to.be.revertedWithCustomError(l.ledger, "ZeroHash");
      await expect(l.ledger.connect(l.outsider).readyForUse(bookId, 36, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.entity.address, l.outsider.address);
      expect((await bookOf(l, bookId)).readyOn).to.equal(0);
      await l.ledger.connect(l.entity).setAccountant(l.accountant.address, true);
      const ev = hash();
      await expect(l.ledger.connect(l.accountant).readyForUse(bookId, 0, RECOGNISED, ev))
        .to.emit(l.ledger, "ReadyForUse")
        .withArgs(bookId, l.entity.address, l.activeId, 0, RECOGNISED, ev, l.accountant.address);
      expect(await bookOf(l, bookId)).to.include({ readyOn: RECOGNISED, usefulLifeMonths: 0 }); // indefinite life

      const { bookId: sold } = await openAwaitingBook(l);
      await l.ledger.connect(l.entity).derecognise(sold, DerecognitionReason.Sale, 0n, RECOGNISED, hash());
      await expect(l.ledger.connect(l.entity).readyForUse(sold, 36, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "BookClosed")
        .withArgs(sold);
    });

    it("an asset awaiting use may be impaired or derecognised before it is ready", async () => {
      const l = await fixture();
      const { bookId } = await openAwaitingBook(l);
      await l.ledger.connect(l.entity).addCost(bookId, 10_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
      await l.ledger.connect(l.entity).impair(bookId, 4_000n, RECOGNISED, hash());
      await l.ledger.connect(l.entity).derecognise(bookId, DerecognitionReason.Lapse, 0n, cstDate(2025, 4, 1), hash());
      expect(await bookOf(l, bookId)).to.include({ category: Category.Intangible, readyOn: 0, impairment: 4_000n, derecognisedOn: cstDate(2025, 4, 1) });
    });

    it("refuses a self-developed source (not yet ready, that is development expenditure) and what recognise refuses", async () => {
      const l = await fixture();
      await expect(recogniseAwaitingUseTx(l, bookArgs(l, { source: CostSource.SelfDeveloped })))
        .to.be.revertedWithCustomError(l.ledger, "InvalidSource")
        .withArgs(CostSource.SelfDeveloped);
      await expect(recogniseAwaitingUseTx(l, bookArgs(l), l.outsider))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.entity.address, l.outsider.address);
      await expect(recogniseAwaitingUseTx(l, bookArgs(l, { assetId: 99 })))
        .to.be.revertedWithCustomError(l.registry, "UnknownAsset")
        .withArgs(99);
      await expect(recogniseAwaitingUseTx(l, bookArgs(l, { evidenceHash: ZERO_HASH }))).to.be.revertedWithCustomError(l.ledger, "ZeroHash");
      await expect(recogniseAwaitingUseTx(l, bookArgs(l, { currency: ZERO_ADDRESS })))
        .to.be.revertedWithCustomError(l.ledger, "InvalidCurrency")
        .withArgs(ZERO_ADDRESS);
      await expect(recogniseAwaitingUseTx(l, bookArgs(l, { entity: ZERO_ADDRESS })))
        .to.be.revertedWithCustomError(l.ledger, "InvalidRecipient")
        .withArgs(ZERO_ADDRESS);
      await expect(recogniseAwaitingUseTx(l, bookArgs(l, { date: RULES_EFFECTIVE - 1 })))
        .to.be.revertedWithCustomError(l.ledger, "DateBeforeRules")
        .withArgs(RULES_EFFECTIVE - 1);
      const t = await nextTimestamp();
      await expect(recogniseAwaitingUseTx(l, bookArgs(l, { date: t + 1 })))
        .to.be.revertedWithCustomError(l.ledger, "DateInFuture")
        .withArgs(t + 1);
      expect(await l.ledger.bookCount()).to.equal(0);
      // an authorised accountant may open it
      await l.ledger.connect(l.entity).setAccountant(l.accountant.address, true);
      const a = bookArgs(l);
      await expect(recogniseAwaitingUseTx(l, a, l.accountant))
        .to.emit(l.ledger, "BookOpened")
        .withArgs(1, l.entity.address, l.activeId, Category.Intangible, CostSource.Purchased, 0, 0n, l.currencyAddress, a.date, 0, a.evidenceHash, l.accountant.address);
    });
  });

  // ------------------------------------------------------------------------------------------ order links

  describe("addCost: a linked order must be a settled purchase of the book's entity on the exchange", () => {
    it("accepts a settled order bought by the entity, also when its accountant records the cost, on any category", async () => {
      const l = await fixture();
      const order = await exchangeOrders(l);
      const [o1, o2, o3] = [await order(l.entity), await order(l.entity), await order(l.entity)];
      expect((await l.dex.orderOf(o1)).status).to.equal(4); // Settled
      const { bookId: intangible } = await openBook(l);
      await l.ledger.connect(l.entity).setAccountant(l.accountant.address, true);
      const ev = hash();
      await expect(l.ledger.connect(l.accountant).addCost(intangible, 5_000_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, o1, ev))
        .to.emit(l.ledger, "CostRecorded")
        .withArgs(intangible, l.entity.address, l.activeId, 5_000_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, o1, ev, l.accountant.address);
      const { bookId: inventory } = await openBook(l, { category: Category.Inventory, usefulLifeMonths: 0 });
      await l.ledger.connect(l.entity).addCost(inventory, 5_000_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, o2, hash());
      const { bookId: dev } = await openBook(l, { category: Category.Development, usefulLifeMonths: 0 });
      await l.ledger.connect(l.entity).addCost(dev, 5_000_000n, CostSource.Purchased, CostPhase.Development, RECOGNISED, o3, hash());
      for (const b of [intangible, inventory, dev]) expect((await bookOf(l, b)).cost).to.equal(5_000_000n);
    });

    it("refuses an order id the exchange does not know (UnknownOrder)", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l);
      for (const orderId of [1n, 999n, 2n ** 256n - 1n]) {
        await expect(l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, orderId, hash()))
          .to.be.revertedWithCustomError(l.ledger, "UnknownOrder")
          .withArgs(orderId);
      }
      const orderId = await (await exchangeOrders(l))(l.entity);
      await expect(l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, orderId + 1n, hash()))
        .to.be.revertedWithCustomError(l.ledger, "UnknownOrder")
        .withArgs(orderId + 1n);
      expect((await bookOf(l, bookId)).cost).to.equal(0n);
    });

    for (const [stage, status] of [
      ["Paid", 1],
      ["Delivered", 2],
      ["Refunded", 5],
    ] as const) {
      it(`refuses an order of the entity that is ${stage}, not settled (OrderNotSettled)`, async () => {
        const l = await fixture();
        const orderId = await (await exchangeOrders(l))(l.entity, stage);
        const { bookId } = await openBook(l);
        await expect(l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, orderId, hash()))
          .to.be.revertedWithCustomError(l.ledger, "OrderNotSettled")
          .withArgs(orderId, status);
        expect((await bookOf(l, bookId)).cost).to.equal(0n);
      });
    }

    it("refuses a settled order bought by someone else, even by the entity's own accountant (OrderNotBoughtByEntity)", async () => {
      const l = await fixture();
      const order = await exchangeOrders(l);
      const byOutsider = await order(l.outsider);
      const byAccountant = await order(l.accountant);
      await l.ledger.connect(l.entity).setAccountant(l.accountant.address, true);
      const { bookId } = await openBook(l);
      await expect(l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, byOutsider, hash()))
        .to.be.revertedWithCustomError(l.ledger, "OrderNotBoughtByEntity")
        .withArgs(byOutsider, l.outsider.address, l.entity.address);
      await expect(l.ledger.connect(l.accountant).addCost(bookId, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, byAccountant, hash()))
        .to.be.revertedWithCustomError(l.ledger, "OrderNotBoughtByEntity")
        .withArgs(byAccountant, l.accountant.address, l.entity.address);
      // the buyer's own book takes it
      const { bookId: outsiderBook } = await openBook(l, { entity: l.outsider.address }, l.outsider);
      await l.ledger.connect(l.outsider).addCost(outsiderBook, 1n, CostSource.Purchased, CostPhase.None, RECOGNISED, byOutsider, hash());
      expect((await bookOf(l, outsiderBook)).cost).to.equal(1n);
      expect((await bookOf(l, bookId)).cost).to.equal(0n);
    });

    it("order 0 means no link and is not checked", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l);
      const ev = hash();
      await expect(l.ledger.connect(l.entity).addCost(bookId, 7n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, ev))
        .to.emit(l.ledger, "CostRecorded")
        .withArgs(bookId, l.entity.address, l.activeId, 7n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, ev, l.entity.address);
    });
  });

  // ------------------------------------------------------------------------------------------ impairment

  describe("impair and reverseWriteDown", () => {
    it("impairs an intangible book up to the cost left unimpaired", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l);
      await l.ledger.connect(l.entity).addCost(bookId, 100_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
      const d = cstDate(2025, 12, 31);
      const ev = hash("impairment-test");
      await expect(l.ledger.connect(l.entity).impair(bookId, 30_000n, d, ev))
        .to.emit(l.ledger, "ImpairmentRecorded")
        .withArgs(bookId, l.entity.address, l.activeId, 30_000n, d, ev, l.entity.address);
      expect((await bookOf(l, bookId)).impairment).to.equal(30_000n);
      await expect(l.ledger.connect(l.entity).impair(bookId, 70_001n, d, hash()))
        .to.be.revertedWithCustomError(l.ledger, "ExceedsCarryingBound")
        .withArgs(70_001n, 70_000n);
      await l.ledger.connect(l.entity).impair(bookId, 70_000n, d, hash());
      const b = await bookOf(l, bookId);
      expect([b.cost, b.impairment]).to.deep.equal([100_000n, 100_000n]);
      await expect(l.ledger.connect(l.entity).impair(bookId, 1n, d, hash()))
        .to.be.revertedWithCustomError(l.ledger, "ExceedsCarryingBound")
        .withArgs(1n, 0n);
    });

    it("refuses impairing a book without cost, a zero amount and a date before recognition", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l);
      await expect(l.ledger.connect(l.entity).impair(bookId, 1n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "ExceedsCarryingBound")
        .withArgs(1n, 0n);
      await l.ledger.connect(l.entity).addCost(bookId, 10n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
      await expect(l.ledger.connect(l.entity).impair(bookId, 0n, RECOGNISED, hash())).to.be.revertedWithCustomError(
        l.ledger,
        "ZeroAmount",
      );
      await expect(l.ledger.connect(l.entity).impair(bookId, 1n, RECOGNISED - 1, hash()))
        .to.be.revertedWithCustomError(l.ledger, "DateBeforeRecognition")
        .withArgs(RECOGNISED - 1, RECOGNISED);
      expect((await bookOf(l, bookId)).impairment).to.equal(0n);
    });

    it("impairment of an intangible asset is never reversed", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l);
      await l.ledger.connect(l.entity).addCost(bookId, 10_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
      await l.ledger.connect(l.entity).impair(bookId, 4_000n, RECOGNISED, hash());
      await expect(l.ledger.connect(l.entity).reverseWriteDown(bookId, 1_000n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "WrongCategory")
        .withArgs(bookId, Category.Intangible);
      expect((await bookOf(l, bookId)).impairment).to.equal(4_000n);
    });

    it("development expenditure may be impaired but not reversed; the impairment carries into the intangible", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l, { category: Category.Development, usefulLifeMonths: 0 });
      await l.ledger.connect(l.entity).addCost(bookId, 50_000n, CostSource.SelfDeveloped, CostPhase.Development, RECOGNISED, 0, hash());
      const ev = hash();
      await expect(l.ledger.connect(l.entity).impair(bookId, 20_000n, RECOGNISED, ev))
        .to.emit(l.ledger, "ImpairmentRecorded")
        .withArgs(bookId, l.entity.address, l.activeId, 20_000n, RECOGNISED, ev, l.entity.address);
      await expect(l.ledger.connect(l.entity).reverseWriteDown(bookId, 1n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "WrongCategory")
        .withArgs(bookId, Category.Development);
      await l.ledger.connect(l.entity).readyForUse(bookId, 24, RECOGNISED, hash());
      const b = await bookOf(l, bookId);
      expect([b.category, b.cost, b.impairment]).to.deep.equal([Category.Intangible, 50_000n, 20_000n]);
    });

    it("writes an inventory book down and reverses up to the amount written down", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l, { category: Category.Inventory, usefulLifeMonths: 0 });
      await l.ledger.connect(l.entity).addCost(bookId, 10_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
      await l.ledger.connect(l.entity).impair(bookId, 3_000n, RECOGNISED, hash());
      await expect(l.ledger.connect(l.entity).reverseWriteDown(bookId, 3_001n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "ExceedsCarryingBound")
        .withArgs(3_001n, 3_000n);
      await expect(l.ledger.connect(l.entity).reverseWriteDown(bookId, 0n, RECOGNISED, hash())).to.be.revertedWithCustomError(
        l.ledger,
        "ZeroAmount",
      );
      const ev = hash();
      await expect(l.ledger.connect(l.entity).reverseWriteDown(bookId, 3_000n, RECOGNISED, ev))
        .to.emit(l.ledger, "WriteDownReversed")
        .withArgs(bookId, l.entity.address, l.activeId, 3_000n, RECOGNISED, ev, l.entity.address);
      expect((await bookOf(l, bookId)).impairment).to.equal(0n);
      await expect(l.ledger.connect(l.entity).reverseWriteDown(bookId, 1n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "ExceedsCarryingBound")
        .withArgs(1n, 0n);
      // written down again after the reversal, bounded by cost - write-down
      await expect(l.ledger.connect(l.entity).impair(bookId, 10_001n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "ExceedsCarryingBound")
        .withArgs(10_001n, 10_000n);
    });

    it("refuses entries by outsiders and on unknown books", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l, { category: Category.Inventory, usefulLifeMonths: 0 });
      await expect(l.ledger.connect(l.outsider).impair(bookId, 1n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.entity.address, l.outsider.address);
      await expect(l.ledger.connect(l.outsider).reverseWriteDown(bookId, 1n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.entity.address, l.outsider.address);
      await expect(l.ledger.connect(l.entity).impair(9, 1n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "UnknownBook")
        .withArgs(9);
      await expect(l.ledger.connect(l.entity).reverseWriteDown(9, 1n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "UnknownBook")
        .withArgs(9);
    });
  });

  // ------------------------------------------------------------------------------------------ derecognition

  describe("derecognise", () => {
    const reasons = [
      [DerecognitionReason.Sale, "Sale", 1_234_500n],
      [DerecognitionReason.Lapse, "Lapse", 0n],
      [DerecognitionReason.Other, "Other", 1n],
    ] as const;
    for (const [reason, name, proceeds] of reasons) {
      it(`${name}: emits the proceeds, sets derecognisedOn and keeps cost and impairment`, async () => {
        const l = await fixture();
        const { bookId } = await openBook(l);
        await l.ledger.connect(l.entity).addCost(bookId, 500_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
        await l.ledger.connect(l.entity).impair(bookId, 50_000n, RECOGNISED, hash());
        const d = cstDate(2026, 1, 20);
        const ev = hash("disposal");
        await expect(l.ledger.connect(l.entity).derecognise(bookId, reason, proceeds, d, ev))
          .to.emit(l.ledger, "Derecognised")
          .withArgs(bookId, l.entity.address, l.activeId, reason, proceeds, d, ev, l.entity.address);
        const b = await bookOf(l, bookId);
        expect([b.derecognisedOn, b.cost, b.impairment, b.category]).to.deep.equal([d, 500_000n, 50_000n, Category.Intangible]);
      });
    }

    it("closes the book: every later entry reverts BookClosed", async () => {
      const l = await fixture();
      const { bookId: inv } = await openBook(l, { category: Category.Inventory, usefulLifeMonths: 0 });
      await l.ledger.connect(l.entity).addCost(inv, 1_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
      await l.ledger.connect(l.entity).impair(inv, 100n, RECOGNISED, hash());
      await l.ledger.connect(l.entity).derecognise(inv, DerecognitionReason.Sale, 1_500n, RECOGNISED, hash());
      const d = cstDate(2025, 6, 1);
      const closed = async (p: Promise<unknown>, id: bigint) =>
        expect(p).to.be.revertedWithCustomError(l.ledger, "BookClosed").withArgs(id);
      await closed(l.ledger.connect(l.entity).addCost(inv, 1n, CostSource.Purchased, CostPhase.None, d, 0, hash()), inv);
      await closed(l.ledger.connect(l.entity).impair(inv, 1n, d, hash()), inv);
      await closed(l.ledger.connect(l.entity).reverseWriteDown(inv, 1n, d, hash()), inv);
      await closed(l.ledger.connect(l.entity).readyForUse(inv, 12, d, hash()), inv);
      await closed(l.ledger.connect(l.entity).derecognise(inv, DerecognitionReason.Other, 0n, d, hash()), inv);

      const { bookId: dev } = await openBook(l, { category: Category.Development, usefulLifeMonths: 0 });
      await l.ledger.connect(l.entity).derecognise(dev, DerecognitionReason.Lapse, 0n, RECOGNISED, hash());
      await closed(l.ledger.connect(l.entity).readyForUse(dev, 12, d, hash()), dev);
      await closed(l.ledger.connect(l.entity).addCost(dev, 1n, CostSource.SelfDeveloped, CostPhase.Development, d, 0, hash()), dev);

      // an authorised accountant is refused too, and the book is unchanged
      await l.ledger.connect(l.entity).setAccountant(l.accountant.address, true);
      await closed(l.ledger.connect(l.accountant).addCost(inv, 1n, CostSource.Purchased, CostPhase.None, d, 0, hash()), inv);
      const b = await bookOf(l, inv);
      expect([b.cost, b.impairment, b.derecognisedOn]).to.deep.equal([1_000n, 100n, RECOGNISED]);
    });

    it("refuses a date before recognition, a zero hash and outsiders", async () => {
      const l = await fixture();
      const { bookId } = await openBook(l);
      await expect(l.ledger.connect(l.entity).derecognise(bookId, DerecognitionReason.Sale, 1n, RECOGNISED - 1, hash()))
        .to.be.revertedWithCustomError(l.ledger, "DateBeforeRecognition")
        .withArgs(RECOGNISED - 1, RECOGNISED);
      await expect(
        l.ledger.connect(l.entity).derecognise(bookId, DerecognitionReason.Sale, 1n, RECOGNISED, ZERO_HASH),
      ).to.be.revertedWithCustomError(l.ledger, "ZeroHash");
      await expect(l.ledger.connect(l.outsider).derecognise(bookId, DerecognitionReason.Sale, 1n, RECOGNISED, hash()))
        .to.be.revertedWithCustomError(l.ledger, "NotEntityOrAccountant")
        .withArgs(l.entity.address, l.outsider.address);
      const t = await nextTimestamp();
      await expect(l.ledger.connect(l.entity).derecognise(bookId, DerecognitionReason.Sale, 1n, t + 1, hash()))
        .to.be.revertedWithCustomError(l.ledger, "DateInFuture")
        .withArgs(t + 1);
      expect((await bookOf(l, bookId)).derecognisedOn).to.equal(0);
    });
  });

  // ------------------------------------------------------------------------------------------ scenarios

  describe("scenarios (amounts in fen)", () => {
    it("(1) purchased intangible: 360,000.00 + 12,000.00 registration and settlement fees, 36 months, impaired by 50,000.00", async () => {
      const l = await fixture();
      const recognised = cstDate(2025, 4, 1);
      const { bookId } = await openBook(l, { category: Category.Intangible, source: CostSource.Purchased, usefulLifeMonths: 36, date: recognised });
      let b = await bookOf(l, bookId);
      expect([b.category, b.cost, b.impairment, b.readyOn, b.derecognisedOn]).to.deep.equal([Category.Intangible, 0n, 0n, recognised, 0]);

      const price = 360_000n * YUAN;
      const orderId = await (await exchangeOrders(l, price))(l.entity); // bought on the exchange and settled
      const orderEv = hash("order");
      await expect(l.ledger.connect(l.entity).addCost(bookId, price, CostSource.Purchased, CostPhase.None, recognised, orderId, orderEv))
        .to.emit(l.ledger, "CostRecorded")
        .withArgs(bookId, l.entity.address, l.activeId, 36_000_000n, CostSource.Purchased, CostPhase.None, recognised, orderId, orderEv, l.entity.address);
      b = await bookOf(l, bookId);
      expect([b.cost, b.impairment]).to.deep.equal([36_000_000n, 0n]);

      const fees = 12_000n * YUAN;
      await l.ledger.connect(l.entity).addCost(bookId, fees, CostSource.Purchased, CostPhase.None, cstDate(2025, 4, 3), 0, hash("fees"));
      b = await bookOf(l, bookId);
      expect([b.category, b.cost, b.impairment, b.readyOn, b.usefulLifeMonths]).to.deep.equal([Category.Intangible, 37_200_000n, 0n, recognised, 36]);

      const impairedOn = cstDate(2025, 12, 31);
      const ev = hash("impairment");
      await expect(l.ledger.connect(l.entity).impair(bookId, 50_000n * YUAN, impairedOn, ev))
        .to.emit(l.ledger, "ImpairmentRecorded")
        .withArgs(bookId, l.entity.address, l.activeId, 5_000_000n, impairedOn, ev, l.entity.address);
      b = await bookOf(l, bookId);
      expect([b.category, b.cost, b.impairment, b.readyOn, b.derecognisedOn]).to.deep.equal([Category.Intangible, 37_200_000n, 5_000_000n, recognised, 0]);
      // cost - impairment = 32,200,000 fen is the most that can still be impaired; never reversed
      await expect(l.ledger.connect(l.entity).impair(bookId, 32_200_001n, impairedOn, hash()))
        .to.be.revertedWithCustomError(l.ledger, "ExceedsCarryingBound")
        .withArgs(32_200_001n, 32_200_000n);
      await expect(l.ledger.connect(l.entity).reverseWriteDown(bookId, 5_000_000n, impairedOn, hash()))
        .to.be.revertedWithCustomError(l.ledger, "WrongCategory")
        .withArgs(bookId, Category.Intangible);
    });

    it("(2) inventory dataset: 80,000.00, written down 10,000.00, 4,000.00 reversed, then sold", async () => {
      const l = await fixture();
      const recognised = cstDate(2025, 2, 10);
      const { bookId } = await openBook(l, { category: Category.Inventory, source: CostSource.SelfDeveloped, usefulLifeMonths: 0, date: recognised });
      await l.ledger.connect(l.entity).addCost(bookId, 80_000n * YUAN, CostSource.SelfDeveloped, CostPhase.None, recognised, 0, hash());
      let b = await bookOf(l, bookId);
      expect([b.category, b.cost, b.impairment, b.readyOn, b.derecognisedOn]).to.deep.equal([Category.Inventory, 8_000_000n, 0n, 0, 0]);

      await l.ledger.connect(l.entity).impair(bookId, 10_000n * YUAN, cstDate(2025, 6, 30), hash());
      b = await bookOf(l, bookId);
      expect([b.cost, b.impairment]).to.deep.equal([8_000_000n, 1_000_000n]);

      const reversedOn = cstDate(2025, 9, 30);
      const ev = hash("nrv-recovered");
      await expect(l.ledger.connect(l.entity).reverseWriteDown(bookId, 4_000n * YUAN, reversedOn, ev))
        .to.emit(l.ledger, "WriteDownReversed")
        .withArgs(bookId, l.entity.address, l.activeId, 400_000n, reversedOn, ev, l.entity.address);
      b = await bookOf(l, bookId);
      expect([b.cost, b.impairment]).to.deep.equal([8_000_000n, 600_000n]);
      await expect(l.ledger.connect(l.entity).reverseWriteDown(bookId, 600_001n, reversedOn, hash()))
        .to.be.revertedWithCustomError(l.ledger, "ExceedsCarryingBound")
        .withArgs(600_001n, 600_000n);

      const soldOn = cstDate(2025, 11, 11);
      const saleEv = hash("sale");
      await expect(l.ledger.connect(l.entity).derecognise(bookId, DerecognitionReason.Sale, 85_000n * YUAN, soldOn, saleEv))
        .to.emit(l.ledger, "Derecognised")
        .withArgs(bookId, l.entity.address, l.activeId, DerecognitionReason.Sale, 8_500_000n, soldOn, saleEv, l.entity.address);
      b = await bookOf(l, bookId);
      expect([b.category, b.cost, b.impairment, b.readyOn, b.derecognisedOn]).to.deep.equal([Category.Inventory, 8_000_000n, 600_000n, 0, soldOn]);
      await expect(l.ledger.connect(l.entity).reverseWriteDown(bookId, 1n, soldOn, hash()))
        .to.be.revertedWithCustomError(l.ledger, "BookClosed")
        .withArgs(bookId);
    });

    it("(3) self-developed: research 20,000.00 expensed, development 150,000.00 capitalised, ready with 60 months", async () => {
      const l = await fixture();
      const started = cstDate(2025, 1, 6);
      const { bookId } = await openBook(l, { category: Category.Development, source: CostSource.SelfDeveloped, usefulLifeMonths: 0, date: started });
      let b = await bookOf(l, bookId);
      expect([b.category, b.cost, b.impairment, b.readyOn]).to.deep.equal([Category.Development, 0n, 0n, 0]);

      const rEv = hash("research");
      await expect(l.ledger.connect(l.entity).addCost(bookId, 20_000n * YUAN, CostSource.SelfDeveloped, CostPhase.Research, cstDate(2025, 2, 28), 0, rEv))
        .to.emit(l.ledger, "CostRecorded")
        .withArgs(bookId, l.entity.address, l.activeId, 2_000_000n, CostSource.SelfDeveloped, CostPhase.Research, cstDate(2025, 2, 28), 0, rEv, l.entity.address);
      b = await bookOf(l, bookId);
      expect([b.category, b.cost, b.impairment, b.readyOn]).to.deep.equal([Category.Development, 0n, 0n, 0]);

      // development spent in two instalments: 100,000.00 + 50,000.00
      await l.ledger.connect(l.entity).addCost(bookId, 100_000n * YUAN, CostSource.SelfDeveloped, CostPhase.Development, cstDate(2025, 4, 30), 0, hash());
      await l.ledger.connect(l.entity).addCost(bookId, 50_000n * YUAN, CostSource.SelfDeveloped, CostPhase.Development, cstDate(2025, 6, 30), 0, hash());
      b = await bookOf(l, bookId);
      expect([b.category, b.cost, b.impairment, b.readyOn]).to.deep.equal([Category.Development, 15_000_000n, 0n, 0]);

      const ready = cstDate(2025, 7, 1);
      const ev = hash("ready");
      await expect(l.ledger.connect(l.entity).readyForUse(bookId, 60, ready, ev))
        .to.emit(l.ledger, "ReadyForUse")
        .withArgs(bookId, l.entity.address, l.activeId, 60, ready, ev, l.entity.address);
      expect(await bookOf(l, bookId)).to.deep.equal({
        entity: l.entity.address,
        category: Category.Intangible,
        source: CostSource.SelfDeveloped,
        usefulLifeMonths: 60,
        recognisedOn: started,
        readyOn: ready,
        derecognisedOn: 0,
        assetId: l.activeId,
        currency: l.currencyAddress,
        cost: 15_000_000n,
        impairment: 0n,
        residualValue: 0n,
      });
    });
  });

  // ------------------------------------------------------------------------------------------ pause

  describe("pause", () => {
    it("only a pauser pauses and unpauses", async () => {
      const l = await fixture();
      const role = await l.ledger.PAUSER_ROLE();
      await expect(l.ledger.connect(l.outsider).pause())
        .to.be.revertedWithCustomError(l.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(l.outsider.address, role);
      await expect(l.ledger.pause()).to.emit(l.ledger, "Paused").withArgs(l.admin.address);
      expect(await l.ledger.paused()).to.equal(true);
      await expect(l.ledger.connect(l.assessor).unpause())
        .to.be.revertedWithCustomError(l.ledger, "AccessControlUnauthorizedAccount")
        .withArgs(l.assessor.address, role);
      await l.ledger.grantRole(role, l.outsider.address);
      await expect(l.ledger.connect(l.outsider).unpause()).to.emit(l.ledger, "Unpaused").withArgs(l.outsider.address);
      expect(await l.ledger.paused()).to.equal(false);
    });

    it("every state-changing function reverts EnforcedPause while paused, and works again after unpause", async () => {
      const l = await fixture();
      const { id } = await compliance(l);
      const { bookId: intangible } = await openBook(l);
      await l.ledger.connect(l.entity).addCost(intangible, 1_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
      const { bookId: inventory } = await openBook(l, { category: Category.Inventory, usefulLifeMonths: 0 });
      await l.ledger.connect(l.entity).addCost(inventory, 1_000n, CostSource.Purchased, CostPhase.None, RECOGNISED, 0, hash());
      await l.ledger.connect(l.entity).impair(inventory, 100n, RECOGNISED, hash());
      const { bookId: dev } = await openBook(l, { category: Category.Development, usefulLifeMonths: 0 });
      const before = await Promise.all([intangible, inventory, dev].map((b) => bookOf(l, b)));

      await l.ledger.pause();
      const d = cstDate(2025, 5, 1);
      const calls: [string, () => Promise<unknown>][] = [
        ["attestCompliance", () => l.ledger.connect(l.assessor).attestCompliance(l.activeId, true, hash(), 0)],
        ["attestQuality", () => l.ledger.connect(l.assessor).attestQuality(l.activeId, SCORES, hash(), 0)],
        ["attestAppraisal", () => l.ledger.connect(l.appraiser).attestAppraisal(l.activeId, ValuationMethod.Cost, 1n, l.currencyAddress, d, hash(), 0)],
        ["revokeAttestation", () => l.ledger.connect(l.assessor).revokeAttestation(id, "r")],
        ["setAccountant", () => l.ledger.connect(l.entity).setAccountant(l.accountant.address, true)],
        ["recognise", () => recogniseTx(l, bookArgs(l))],
        ["recogniseAwaitingUse", () => recogniseAwaitingUseTx(l, bookArgs(l))],
        ["addCost", () => l.ledger.connect(l.entity).addCost(intangible, 1n, CostSource.Purchased, CostPhase.None, d, 0, hash())],
        ["readyForUse", () => l.ledger.connect(l.entity).readyForUse(dev, 12, d, hash())],
        ["impair", () => l.ledger.connect(l.entity).impair(intangible, 1n, d, hash())],
        ["reverseWriteDown", () => l.ledger.connect(l.entity).reverseWriteDown(inventory, 1n, d, hash())],
        ["derecognise", () => l.ledger.connect(l.entity).derecognise(intangible, DerecognitionReason.Sale, 1n, d, hash())],
      ];
      for (const [name, call] of calls) {
        await expect(call(), name).to.be.revertedWithCustomError(l.ledger, "EnforcedPause");
      }
      // views still answer, and nothing changed
      expect(await Promise.all([intangible, inventory, dev].map((b) => bookOf(l, b)))).to.deep.equal(before);
      expect((await attestationOf(l, id)).revokedAt).to.equal(0);
      expect(await l.ledger.attestationCount()).to.equal(1);
      expect(await l.ledger.bookCount()).to.equal(3);

      await l.ledger.unpause();
      for (const [name, call] of calls) {
        await expect(call(), name).not.to.be.reverted;
      }
      expect(await l.ledger.attestationCount()).to.equal(4);
      expect(await l.ledger.bookCount()).to.equal(5);
      expect(await bookOf(l, intangible)).to.include({ cost: 1_001n, impairment: 1n, derecognisedOn: d });
      expect(await bookOf(l, inventory)).to.include({ impairment: 99n });
      expect(await bookOf(l, dev)).to.include({ category: Category.Intangible, readyOn: d, usefulLifeMonths: 12 });
    });
  });
});

describe("AssetLedger: chronology", () => {
  it("keeps a book's entries in date order, so amortisation can be replayed from the events", async () => {
    const l = await loadFixture(ledgerWorld);
    const { bookId } = await openBook(l, { category: Category.Development, source: CostSource.SelfDeveloped, usefulLifeMonths: 0 });
    const june = cstDate(2025, 6, 1);
    await l.ledger.connect(l.entity).addCost(bookId, 50_000n, CostSource.SelfDeveloped, CostPhase.Development, june, 0, hash());
    expect((await l.ledger.bookOf(bookId)).lastEntryOn).to.equal(june);
    const may = cstDate(2025, 5, 1);
    await expect(l.ledger.connect(l.entity).addCost(bookId, 1n, CostSource.SelfDeveloped, CostPhase.Development, may, 0, hash()))
      .to.be.revertedWithCustomError(l.ledger, "DateBeforeLastEntry")
      .withArgs(may, june);
    await expect(l.ledger.connect(l.entity).readyForUse(bookId, 60, may, hash()))
      .to.be.revertedWithCustomError(l.ledger, "DateBeforeLastEntry")
      .withArgs(may, june);
    await l.ledger.connect(l.entity).readyForUse(bookId, 60, june, hash()); // same day is fine
    await expect(l.ledger.connect(l.entity).derecognise(bookId, DerecognitionReason.Lapse, 0n, may, hash()))
      .to.be.revertedWithCustomError(l.ledger, "DateBeforeLastEntry")
      .withArgs(may, june);
    expect((await l.ledger.bookOf(bookId)).lastEntryOn).to.equal(june);
  });

  it("refuses an appraisal without a valuation date", async () => {
    const l = await loadFixture(ledgerWorld);
    await expect(
      l.ledger.connect(l.appraiser).attestAppraisal(l.activeId, ValuationMethod.Cost, 1n, l.currencyAddress, 0, hash(), 0),
    ).to.be.revertedWithCustomError(l.ledger, "MissingDate");
  });
});
