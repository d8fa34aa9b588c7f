// PledgeRegistry: filing and acceptance, what a live pledge restricts in the registry, the rights contract and the
// exchange, ranks by legal registration time, revenue and enforcement waterfalls exact to the unit with the exchange
// solvent after every step, and a fast-check model of rank order across random pledges, releases and settlements.
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { DAY, YEAR, hash, registerActive, grantTerms, SZ, RightKind } from "../helpers/registry";
import { market, listingTerms, mined, settlementsIn, eventsIn, settlementToken, yuan, Offer, OrderStatus, type Market } from "../helpers/exchange";
import { Collateral, Consent, ENC, PledgeStatus, SCOPE, pledgeTerms, type PledgeTerms } from "../helpers/pledges";

type Terms = PledgeTerms;

interface Fixture extends Market {
  assetId: bigint;
  bank1: HardhatEthersSigner;
  bank2: HardhatEthersSigner;
  bank3: HardhatEthersSigner;
  pledgeArbiter: HardhatEthersSigner;
  tokenAddress: string;
}

/** An active asset held by `holder`, three banks, an arbiter of the pledge registry. */
async function pledgeable(): Promise<Fixture> {
  const m = await market();
  const { assetId } = await registerActive(m, m.holder);
  const [bank1, bank2, bank3, pledgeArbiter] = m.signers.slice(14, 18);
  await m.pledges.grantRole(await m.pledges.ARBITER_ROLE(), pledgeArbiter.address);
  return { ...m, assetId, bank1, bank2, bank3, pledgeArbiter, tokenAddress: await m.token.getAddress() };
}

async function termsOf(f: Fixture, overrides: Partial<Terms> = {}): Promise<Terms> {
  return pledgeTerms(f.assetId, f.holder.address, f.bank1.address, f.tokenAddress, { securedAmount: yuan(5_000_000), ...overrides });
}

/** Files and accepts: a live pledge. */
async function pledge(f: Fixture, overrides: Partial<Terms> = {}, pledgor = f.holder): Promise<bigint> {
  const t = await termsOf(f, overrides);
  await f.pledges.connect(pledgor).file(t);
  const id = await f.pledges.pledgeCount();
  await f.pledges.connect(await ethers.getSigner(t.pledgee as string)).accept(id);
  return id;
}

async function expectSolvent(f: Market) {
  const t = await f.token.getAddress();
  expect(await f.token.balanceOf(await f.dex.getAddress())).to.equal(await f.dex.liabilitiesOf(t));
}

const encumbrance = async (f: Fixture, assetId = f.assetId) => Number((await f.registry.assetOf(assetId)).encumbrance);
const credit = (f: Fixture, who: { address: string } | string) =>
  f.dex.creditOf(typeof who === "string" ? who : who.address, f.tokenAddress);

/** Lists a processing-use licence of `assetId` at `price` by `seller`, has `buyer` order, deliver and accept it. */
async function sellLicence(f: Fixture, price: bigint, assetId = f.assetId, seller = f.holder, buyer = f.buyer) {
  await f.dex.connect(seller).list(await listingTerms(f, assetId, { price }));
  const listingId = await f.dex.listingCount();
  await f.dex.connect(buyer).order(listingId, price);
  const orderId = await f.dex.orderCount();
  await f.dex.connect(seller).deliver(orderId, hash("delivery"));
  const { receipt } = await mined(f.dex.connect(buyer).accept(orderId));
  return { orderId, receipt, settlement: settlementsIn(f, receipt)[0] };
}

describe("PledgeRegistry", () => {
  describe("filing and acceptance", () => {
    it("files with every term, accepts by the pledgee: live, ranked, the asset encumbered", async () => {
      const f = await loadFixture(pledgeable);
      const t = await termsOf(f);
      const tx = f.pledges.connect(f.holder).file(t);
      await expect(tx).to.emit(f.pledges, "PledgeFiled");
      const [filed] = eventsIn(f.pledges, await (await tx).wait(), "PledgeFiled");
      expect(filed.pledgeId).to.equal(1n);
      expect(filed.pledgor).to.equal(f.holder.address);
      expect(filed.registrarId).to.equal(BigInt(SZ.id));
      expect(filed.terms.externalNumber).to.equal(t.externalNumber);
      let p = await f.pledges.pledgeOf(1);
      expect(p.status).to.equal(PledgeStatus.Filed);
      expect(await f.pledges.rankOf(1)).to.equal(0n); // not live until accepted
      expect(await encumbrance(f)).to.equal(0);

      await expect(f.pledges.connect(f.bank2).accept(1)).to.be.revertedWithCustomError(f.pledges, "NotPledgee").withArgs(1, f.bank2.address);
      await expect(f.pledges.connect(f.bank1).accept(1))
        .to.emit(f.pledges, "PledgeAccepted")
        .and.to.emit(f.pledges, "EncumbranceChanged")
        .withArgs(f.assetId, ENC.transfer | ENC.cancel | ENC.licensing | ENC.proceeds);
      p = await f.pledges.pledgeOf(1);
      expect(p.status).to.equal(PledgeStatus.Live);
      expect(p.terms.securedAmount).to.equal(yuan(5_000_000));
      expect(await f.pledges.rankOf(1)).to.equal(1n);
      expect(await f.pledges.outstandingOf(1)).to.equal(yuan(5_000_000));
      expect(await encumbrance(f)).to.equal(ENC.transfer | ENC.cancel | ENC.licensing | ENC.proceeds);
      await expect(f.pledges.connect(f.bank1).accept(1)).to.be.revertedWithCustomError(f.pledges, "WrongPledgeStatus").withArgs(1, PledgeStatus.Live);
    });

    it("refuses a pledge by anyone but the holder, by a public institution, of a certificate, and each bad term", async () => {
      const f = await loadFixture(pledgeable);
      await expect(f.pledges.connect(f.other).file(await termsOf(f))).to.be.revertedWithCustomError(f.pledges, "NotHolder").withArgs(f.assetId, f.other.address);
      await expect(f.pledges.connect(f.holder).file(await termsOf(f, { assetId: 999 }))).to.be.revertedWithCustomError(f.pledges, "NotHolder");
      // A certificate pledge names its certificate; the others name none.
      await expect(f.pledges.connect(f.holder).file(await termsOf(f, { collateral: Collateral.Certificate })))
        .to.be.revertedWithCustomError(f.pledges, "InvalidPledgeTerms")
        .withArgs("certId");
      await expect(f.pledges.connect(f.holder).file(await termsOf(f, { certId: 1n })))
        .to.be.revertedWithCustomError(f.pledges, "InvalidPledgeTerms")
        .withArgs("certId");
      // 财资〔2024〕1号: public institutions may not pledge data assets.
      await expect(f.pledges.connect(f.holder).setPublicInstitution(f.holder.address, true)).to.be.revertedWithCustomError(f.pledges, "AccessControlUnauthorizedAccount");
      await expect(f.pledges.setPublicInstitution(f.holder.address, true)).to.emit(f.pledges, "PublicInstitutionSet").withArgs(f.holder.address, true, f.admin.address);
      await expect(f.pledges.connect(f.holder).file(await termsOf(f))).to.be.revertedWithCustomError(f.pledges, "PublicInstitution").withArgs(f.holder.address);
      await f.pledges.setPublicInstitution(f.holder.address, false);

      const now = await time.latest();
      const bad: [Partial<Terms>, string][] = [
        [{ pledgee: ethers.ZeroAddress }, "pledgee"],
        [{ pledgee: f.holder.address }, "pledgee"],
        [{ debtor: ethers.ZeroAddress }, "debtor"],
        [{ token: ethers.ZeroAddress }, "token"],
        [{ securedAmount: 0 }, "securedAmount"],
        [{ securedAmount: 2n ** 128n }, "securedAmount"],
        [{ scope: 0 }, "scope"],
        [{ scope: 32 }, "scope"],
        [{ termEnd: now }, "termEnd"],
        [{ mainContractHash: ethers.ZeroHash }, "mainContractHash"],
        [{ externalRegistry: ethers.ZeroHash }, "externalRegistry"],
        [{ externalNumber: "" }, "externalNumber"],
        [{ externalNumber: "x".repeat(65) }, "externalNumber"],
        [{ externalRegisteredAt: 0 }, "externalRegisteredAt"],
        [{ externalRegisteredAt: now + DAY }, "externalRegisteredAt"],
      ];
      for (const [o, field] of bad) {
        await expect(f.pledges.connect(f.holder).file(await termsOf(f, o)), field).to.be.revertedWithCustomError(f.pledges, "InvalidPledgeTerms").withArgs(field);
      }
    });

    it("the pledgor withdraws a filing not yet accepted; a filing whose pledgor no longer holds cannot be accepted", async () => {
      const f = await loadFixture(pledgeable);
      await f.pledges.connect(f.holder).file(await termsOf(f));
      await expect(f.pledges.connect(f.bank1).withdraw(1)).to.be.revertedWithCustomError(f.pledges, "NotPledgor");
      await expect(f.pledges.connect(f.holder).withdraw(1)).to.emit(f.pledges, "PledgeWithdrawn");
      expect((await f.pledges.pledgeOf(1)).status).to.equal(PledgeStatus.Withdrawn);
      await expect(f.pledges.connect(f.bank1).accept(1)).to.be.revertedWithCustomError(f.pledges, "WrongPledgeStatus");

      await f.pledges.connect(f.holder).file(await termsOf(f));
      await f.registry.connect(f.holder).requestTransfer(f.assetId, f.other.address, hash("sale"));
      await f.registry.connect(f.szRegistrar).approveTransfer(f.assetId, f.other.address, (await f.registry.pendingTransferOf(f.assetId))[1]);
      await expect(f.pledges.connect(f.bank1).accept(2)).to.be.revertedWithCustomError(f.pledges, "NotHolder").withArgs(f.assetId, f.holder.address);
      await expect(f.pledges.pledgeOf(3)).to.be.revertedWithCustomError(f.pledges, "UnknownPledge").withArgs(3);
    });
  });

  describe("what a live pledge restricts", () => {
    it("a holding transfer (requested, approved or sold) and a cancellation, by holder or registrar, until the pledgee consents", async () => {
      const f = await loadFixture(pledgeable);
      // A transfer requested before the pledge cannot be approved after it.
      await f.registry.connect(f.holder).requestTransfer(f.assetId, f.other.address, hash("deal"));
      const evidence = (await f.registry.pendingTransferOf(f.assetId))[1];
      await pledge(f);
      const flags = ENC.transfer | ENC.cancel | ENC.licensing | ENC.proceeds;
      await expect(f.registry.connect(f.szRegistrar).approveTransfer(f.assetId, f.other.address, evidence))
        .to.be.revertedWithCustomError(f.registry, "Encumbered")
        .withArgs(f.assetId, flags);
      await expect(f.registry.connect(f.holder).requestTransfer(f.assetId, f.other.address, hash("deal2"))).to.be.revertedWithCustomError(f.registry, "Encumbered");
      await expect(f.dex.connect(f.holder).list(await listingTerms(f, f.assetId, { offer: Offer.HoldingTransfer, maxQuantity: 1 })))
        .to.be.revertedWithCustomError(f.registry, "Encumbered")
        .withArgs(f.assetId, flags);
      await expect(f.registry.connect(f.holder).cancel(f.assetId, "closing")).to.be.revertedWithCustomError(f.registry, "Encumbered");
      await expect(f.registry.connect(f.szRegistrar).cancel(f.assetId, "for cause")).to.be.revertedWithCustomError(f.registry, "Encumbered");

      // Consent to a transfer lifts only that restriction.
      await expect(f.pledges.connect(f.holder).consent(1, Consent.Transfer)).to.be.revertedWithCustomError(f.pledges, "NotPledgee");
      await expect(f.pledges.connect(f.bank1).consent(1, Consent.Transfer)).to.emit(f.pledges, "PledgeConsented").withArgs(1, f.assetId, Consent.Transfer, f.bank1.address, () => true);
      expect(await encumbrance(f)).to.equal(ENC.cancel | ENC.licensing | ENC.proceeds);
      await f.registry.connect(f.holder).requestTransfer(f.assetId, f.other.address, hash("deal3"));
      await f.registry.connect(f.szRegistrar).approveTransfer(f.assetId, f.other.address, (await f.registry.pendingTransferOf(f.assetId))[1]);
      expect(await f.registry.holderOf(f.assetId)).to.equal(f.other.address);
      // The pledge follows the asset (民法典 art. 406): cancellation still needs the pledgee.
      await expect(f.registry.connect(f.other).cancel(f.assetId, "closing")).to.be.revertedWithCustomError(f.registry, "Encumbered");
      await f.pledges.connect(f.bank1).consent(1, Consent.Cancellation);
      await f.registry.connect(f.other).cancel(f.assetId, "closing");
    });

    it("licensing by direct grant and on the exchange, unless the pledge allows it or the pledgee consents; a licence ordered before the pledge is refunded", async () => {
      const f = await loadFixture(pledgeable);
      // Ordered before the pledge, settled after it: the buyer is refunded (the holder can no longer license).
      await f.dex.connect(f.holder).list(await listingTerms(f, f.assetId, { price: yuan(1_000) }));
      await f.dex.connect(f.buyer).order(1, yuan(1_000));
      await f.dex.connect(f.holder).deliver(1, hash("d"));
      await pledge(f);
      const until = (await time.latest()) + YEAR;
      await expect(f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: until }), f.licensee.address)).to.be.revertedWithCustomError(f.registry, "Encumbered");
      await expect(f.dex.connect(f.holder).list(await listingTerms(f, f.assetId))).to.be.revertedWithCustomError(f.registry, "Encumbered");
      await expect(f.dex.connect(f.buyer).accept(1)).to.emit(f.dex, "Refunded");
      expect((await f.dex.orderOf(1)).status).to.equal(OrderStatus.Refunded);
      await expectSolvent(f);

      await f.pledges.connect(f.bank1).consent(1, Consent.Licensing);
      expect(await encumbrance(f)).to.equal(ENC.transfer | ENC.cancel | ENC.proceeds);
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { validUntil: until }), f.licensee.address);
      // A pledge that allows licensing never restricted it.
      const g = await loadFixture(pledgeable);
      await pledge(g, { licensingAllowed: true });
      expect(await encumbrance(g)).to.equal(ENC.transfer | ENC.cancel | ENC.proceeds);
      await sellLicence(g, yuan(2_000));
    });

    it("what an agreed licence or transfer of the pledged holding earns goes to its pledgees first, in rank order (arts. 443-444)", async () => {
      const f = await loadFixture(pledgeable);
      const now = await time.latest();
      const senior = await pledge(f, { licensingAllowed: true, securedAmount: 100_000n, externalRegisteredAt: now - 2 * DAY });
      const junior = await pledge(f, { pledgee: f.bank2.address, licensingAllowed: true, securedAmount: 50_000n, externalRegisteredAt: now - DAY });
      // A licence of 2,000.00 (net 198,000 after the 1% fee): 100,000 to the senior, 50,000 to the junior, 48,000 to the holder.
      const s = await sellLicence(f, yuan(2_000));
      expect(s.settlement.sellerNet).to.equal(198_000n);
      const [r] = eventsIn(f.pledges, s.receipt, "ProceedsRouted");
      expect([r.asSeller, r.enforcement, r.holder, r.toHolder]).to.deep.equal([true, false, f.holder.address, 48_000n]);
      expect(eventsIn(f.pledges, s.receipt, "ProceedsApplied").map((e) => [e.pledgeId, e.amount])).to.deep.equal([[senior, 100_000n], [junior, 50_000n]]);
      expect([await credit(f, f.bank1), await credit(f, f.bank2), await credit(f, f.holder)]).to.deep.equal([100_000n, 50_000n, 48_000n]);
      expect([await f.pledges.outstandingOf(senior), await f.pledges.outstandingOf(junior)]).to.deep.equal([0n, 0n]);
      await expectSolvent(f);
      // Both paid: a transfer they agree to pays the holder in full (the pledges still follow the asset until released).
      await f.pledges.connect(f.bank1).consent(senior, Consent.Transfer);
      await f.pledges.connect(f.bank2).consent(junior, Consent.Transfer);
      await f.dex.connect(f.holder).list(await listingTerms(f, f.assetId, { offer: Offer.HoldingTransfer, maxQuantity: 1, price: 10_000n }));
      const listingId = await f.dex.listingCount();
      await f.dex.connect(f.buyer).order(listingId, 10_000n);
      const orderId = await f.dex.orderCount();
      await f.dex.connect(f.holder).deliver(orderId, hash("d"));
      await f.dex.connect(f.buyer).accept(orderId);
      expect(await credit(f, f.holder)).to.equal(48_000n + 9_900n);
      expect(await f.registry.holderOf(f.assetId)).to.equal(f.buyer.address);
      await expectSolvent(f);
    });

    it("the pledgee changes (lower amount, term, licensing) and releases; never the pledgor; juniors move up", async () => {
      const f = await loadFixture(pledgeable);
      const now = await time.latest();
      // Filed in this order, ranked by the legal registration time: bank2's registration is the oldest.
      const a = await pledge(f, { pledgee: f.bank1.address, externalRegisteredAt: now - 2 * DAY });
      const b = await pledge(f, { pledgee: f.bank2.address, externalRegisteredAt: now - 5 * DAY });
      const c = await pledge(f, { pledgee: f.bank3.address, externalRegisteredAt: now - 2 * DAY });
      expect(await f.pledges.livePledgesOf(f.assetId)).to.deep.equal([b, a, c]); // equal times: the older id first
      expect([await f.pledges.rankOf(a), await f.pledges.rankOf(b), await f.pledges.rankOf(c)]).to.deep.equal([2n, 1n, 3n]);

      await expect(f.pledges.connect(f.holder).release(b)).to.be.revertedWithCustomError(f.pledges, "NotPledgee").withArgs(b, f.holder.address);
      await expect(f.pledges.connect(f.bank2).change(b, yuan(6_000_000), now + YEAR, false))
        .to.be.revertedWithCustomError(f.pledges, "AmountIncrease")
        .withArgs(yuan(5_000_000), yuan(6_000_000));
      await expect(f.pledges.connect(f.bank2).change(b, yuan(3_000_000), now + DAY, true)).to.be.revertedWithCustomError(f.pledges, "InvalidPledgeTerms").withArgs("termEnd");
      await expect(f.pledges.connect(f.bank2).change(b, yuan(3_000_000), now + 2 * YEAR, true)).to.emit(f.pledges, "PledgeChanged");
      expect((await f.pledges.pledgeOf(b)).terms.securedAmount).to.equal(yuan(3_000_000));

      await expect(f.pledges.connect(f.bank2).release(b)).to.emit(f.pledges, "PledgeReleased").withArgs(b, f.assetId, f.bank2.address, () => true);
      expect(await f.pledges.livePledgesOf(f.assetId)).to.deep.equal([a, c]);
      expect([await f.pledges.rankOf(a), await f.pledges.rankOf(b), await f.pledges.rankOf(c)]).to.deep.equal([1n, 0n, 2n]);
      await f.pledges.connect(f.bank1).release(a);
      await f.pledges.connect(f.bank3).release(c);
      expect(await encumbrance(f)).to.equal(0);
      await expect(f.pledges.connect(f.bank3).release(c)).to.be.revertedWithCustomError(f.pledges, "WrongPledgeStatus").withArgs(c, PledgeStatus.Released);
    });

    it("objections: by the pledgor or an interested party with evidence, never the pledgee; a notice that blocks nothing until an arbiter upholds it (void) or dismisses it", async () => {
      const f = await loadFixture(pledgeable);
      // An objection is a notice: a filing objected to can still be accepted.
      await f.pledges.connect(f.holder).file(await termsOf(f));
      await f.pledges.connect(f.other).object(1, hash("early"));
      await f.pledges.connect(f.bank1).accept(1);
      await f.pledges.connect(f.pledgeArbiter).resolveObjection(1, false, hash("dismissed"));
      const id = 1n;
      await expect(f.pledges.connect(f.bank1).object(id, hash("e"))).to.be.revertedWithCustomError(f.pledges, "PledgeeCannotObject");
      await expect(f.pledges.connect(f.other).object(id, ethers.ZeroHash)).to.be.revertedWithCustomError(f.pledges, "InvalidPledgeTerms").withArgs("evidenceHash");
      await expect(f.pledges.connect(f.other).object(id, hash("creditor"))).to.emit(f.pledges, "PledgeObjected");
      await expect(f.pledges.connect(f.holder).object(id, hash("pledgor"))).to.be.revertedWithCustomError(f.pledges, "ObjectionOpen");
      await expect(f.pledges.connect(f.other).resolveObjection(id, true, hash("r"))).to.be.revertedWithCustomError(f.pledges, "AccessControlUnauthorizedAccount");
      await expect(f.pledges.connect(f.pledgeArbiter).resolveObjection(id, false, hash("dismissed"))).to.emit(f.pledges, "PledgeObjectionResolved").withArgs(id, f.assetId, false, () => true, f.pledgeArbiter.address, () => true);
      expect((await f.pledges.pledgeOf(id)).status).to.equal(PledgeStatus.Live);
      await f.pledges.connect(f.holder).object(id, hash("pledgor"));
      await f.pledges.connect(f.pledgeArbiter).resolveObjection(id, true, hash("upheld"));
      expect((await f.pledges.pledgeOf(id)).status).to.equal(PledgeStatus.Voided);
      expect(await encumbrance(f)).to.equal(0);
      await expect(f.pledges.connect(f.pledgeArbiter).resolveObjection(id, true, hash("again"))).to.be.revertedWithCustomError(f.pledges, "NoObjection");
    });

    it("only the pledge registry sets encumbrances, named once by the admin; only the exchange routes proceeds", async () => {
      const f = await loadFixture(pledgeable);
      await expect(f.registry.connect(f.holder).setEncumbrance(f.assetId, 0)).to.be.revertedWithCustomError(f.registry, "NotPledgeRegistry").withArgs(f.holder.address);
      await expect(f.registry.setPledgeRegistry(f.other.address)).to.be.revertedWithCustomError(f.registry, "PledgeRegistrySet").withArgs(await f.pledges.getAddress());
      await expect(f.pledges.connect(f.holder).route(f.assetId, f.tokenAddress, 1, 1, f.holder.address, true)).to.be.revertedWithCustomError(f.pledges, "NotExchange");
    });
  });

  describe("revenue pledges", () => {
    it("two ranks: proceeds below, between and above the secured amounts, exact to the unit, the exchange solvent after each", async () => {
      const f = await loadFixture(pledgeable);
      const now = await time.latest();
      // Rank 1 owed 100.00, rank 2 owed 50.00 (registered later, filed first).
      const junior = await pledge(f, { collateral: Collateral.Revenue, pledgee: f.bank2.address, securedAmount: 5_000n, externalRegisteredAt: now - DAY });
      const senior = await pledge(f, { collateral: Collateral.Revenue, pledgee: f.bank1.address, securedAmount: 10_000n, externalRegisteredAt: now - 3 * DAY });
      expect(await encumbrance(f)).to.equal(ENC.transfer | ENC.cancel | ENC.revenue); // licensing is how it is paid

      // Sale 1: 81.81 gross, SZ fee 1% = 0.81, seller net 81.00: all to the senior (owed 100.00).
      let s = await sellLicence(f, 8_181n);
      expect(s.settlement.sellerNet).to.equal(8_100n);
      let routed = eventsIn(f.pledges, s.receipt, "ProceedsRouted");
      expect(routed).to.have.length(1);
      expect([routed[0].amount, routed[0].asSeller, routed[0].enforcement, routed[0].holder, routed[0].toHolder]).to.deep.equal([8_100n, true, false, f.holder.address, 0n]);
      expect(await credit(f, f.bank1)).to.equal(8_100n);
      expect(await credit(f, f.bank2)).to.equal(0n);
      expect(await credit(f, f.holder)).to.equal(0n);
      expect(await f.pledges.outstandingOf(senior)).to.equal(1_900n);
      await expectSolvent(f);

      // Sale 2: net 50.00: 19.00 completes the senior, 31.00 to the junior (owed 50.00).
      s = await sellLicence(f, 5_051n);
      expect(s.settlement.sellerNet).to.equal(5_001n); // fee floor(50.51) = 50
      const applied = eventsIn(f.pledges, s.receipt, "ProceedsApplied").map((e) => [e.pledgeId, e.pledgee, e.amount]);
      expect(applied).to.deep.equal([
        [senior, f.bank1.address, 1_900n],
        [junior, f.bank2.address, 3_101n],
      ]);
      expect(await credit(f, f.bank1)).to.equal(10_000n);
      expect(await credit(f, f.bank2)).to.equal(3_101n);
      expect(await f.pledges.outstandingOf(senior)).to.equal(0n);
      await expectSolvent(f);

      // Sale 3: net 99.00: 18.99 completes the junior, 80.01 to the holder.
      s = await sellLicence(f, 10_000n);
      expect(s.settlement.sellerNet).to.equal(9_900n);
      routed = eventsIn(f.pledges, s.receipt, "ProceedsRouted");
      expect(routed[0].toHolder).to.equal(9_900n - 1_899n);
      expect(await credit(f, f.bank2)).to.equal(5_000n);
      expect(await credit(f, f.holder)).to.equal(8_001n);
      await expectSolvent(f);

      // Everyone withdraws what they were credited; the exchange owes nothing more.
      for (const who of [f.bank1, f.bank2, f.holder, f.szTreasury]) await f.dex.connect(who).withdraw(f.tokenAddress, who.address);
      expect(await f.token.balanceOf(f.bank1.address)).to.equal(10_000n);
      expect(await f.dex.liabilitiesOf(f.tokenAddress)).to.equal(0n);
      await expectSolvent(f);
    });

    it("royalties the asset earns as a parent follow the same order; other tokens pass to the holder", async () => {
      const f = await loadFixture(pledgeable);
      // The child (held by `other`) pays its parent (f.assetId, held by `holder`) 20% of its net.
      const { assetId: child } = await registerActive(f, f.other, { parentIds: [f.assetId], parentSharesBps: [2_000] });
      await pledge(f, { collateral: Collateral.Revenue, securedAmount: 1_000n });
      const s = await sellLicence(f, 10_000n, child, f.other);
      // Net 99.00; royalty floor(9,900 x 0.2) = 1,980: 10.00 to the bank, 9.80 to the parent's holder.
      expect(s.settlement.royalties).to.deep.equal([{ assetId: f.assetId, payee: await f.pledges.getAddress(), amount: 1_980n }]);
      const [r] = eventsIn(f.pledges, s.receipt, "ProceedsRouted");
      expect([r.assetId, r.asSeller, r.toHolder, r.holder]).to.deep.equal([f.assetId, false, 980n, f.holder.address]);
      expect(await credit(f, f.bank1)).to.equal(1_000n);
      expect(await credit(f, f.holder)).to.equal(980n);
      expect(await credit(f, f.other)).to.equal(9_900n - 1_980n);
      expect(await f.dex.creditOf(await f.pledges.getAddress(), f.tokenAddress)).to.equal(0n);
      await expectSolvent(f);

      // A sale in another token: the pledge (secured in eCNY) takes none of it; the parent's holder gets its royalty.
      const usd = await settlementToken(f, 2, [f.buyer], yuan(1_000_000), "Stable USD");
      const usdAddress = await usd.getAddress();
      await f.dex.connect(f.other).list(await listingTerms(f, child, { token: usdAddress, price: 10_000n }));
      const listingId = await f.dex.listingCount();
      await f.dex.connect(f.buyer).order(listingId, 10_000n);
      await f.dex.connect(f.other).deliver(await f.dex.orderCount(), hash("d"));
      const { receipt } = await mined(f.dex.connect(f.buyer).accept(await f.dex.orderCount()));
      expect(eventsIn(f.pledges, receipt, "ProceedsApplied")).to.deep.equal([]);
      expect(await f.dex.creditOf(f.holder.address, usdAddress)).to.equal(1_980n);
      expect(await f.dex.creditOf(f.bank1.address, usdAddress)).to.equal(0n);
      expect(await f.pledges.outstandingOf(1)).to.equal(0n);
    });
  });

  describe("enforcement", () => {
    async function defaulted(f: Fixture, overrides: Partial<Terms> = {}) {
      const id = await pledge(f, overrides);
      await time.increaseTo((await f.pledges.pledgeOf(id)).terms.termEnd + 1n);
      await f.pledges.connect(f.bank1).declareDefault(id);
      return id;
    }
    const sale = (price: bigint, costs = 0n) => ({
      venueId: SZ.id,
      price,
      deliveryWindow: 7 * DAY,
      acceptanceWindow: 3 * DAY,
      costs,
      costsEvidenceHash: costs ? hash("auctioneer-invoice") : ethers.ZeroHash,
    });

    it("refuses before default, a default declared before the term, a sale neither allowed nor authorised, and a self-sale below the reserve", async () => {
      const f = await loadFixture(pledgeable);
      const id = await pledge(f);
      await expect(f.pledges.connect(f.bank1).enforce(id, sale(yuan(100)))).to.be.revertedWithCustomError(f.pledges, "WrongPledgeStatus").withArgs(id, PledgeStatus.Live);
      const termEnd = (await f.pledges.pledgeOf(id)).terms.termEnd;
      await expect(f.pledges.connect(f.bank1).declareDefault(id)).to.be.revertedWithCustomError(f.pledges, "NotDue").withArgs(id, termEnd);
      await expect(f.pledges.connect(f.other).ruleDefault(id, hash("r"))).to.be.revertedWithCustomError(f.pledges, "AccessControlUnauthorizedAccount");
      await expect(f.pledges.connect(f.pledgeArbiter).ruleDefault(id, hash("ruling"))).to.emit(f.pledges, "PledgeDefaulted").withArgs(id, f.assetId, f.pledgeArbiter.address, true, () => true, () => true);
      await expect(f.pledges.connect(f.bank1).enforce(id, sale(yuan(100)))).to.be.revertedWithCustomError(f.pledges, "SaleNotAuthorised").withArgs(id);
      await expect(f.pledges.connect(f.other).authoriseSale(id, ethers.ZeroHash)).to.be.revertedWithCustomError(f.pledges, "NotPledgorOrArbiter");
      await expect(f.pledges.connect(f.holder).authoriseSale(id, ethers.ZeroHash)).to.emit(f.pledges, "SaleAuthorised").withArgs(id, f.assetId, f.holder.address, false, ethers.ZeroHash, () => true);
      // Costs the scope does not cover, or above the price, are refused.
      const g = await loadFixture(pledgeable);
      const gid = await defaulted(g, { selfSaleAllowed: true, scope: SCOPE.principal });
      await expect(g.pledges.connect(g.bank1).enforce(gid, sale(yuan(100), 1n))).to.be.revertedWithCustomError(g.pledges, "InvalidPledgeTerms").withArgs("costs");
      // A self-sale asks at least the reserve price agreed at filing; a sale the pledgor agreed to may ask less.
      const r = await loadFixture(pledgeable);
      const rid = await defaulted(r, { selfSaleAllowed: true, reservePrice: 800_000n });
      await expect(r.pledges.connect(r.bank1).enforce(rid, sale(799_999n))).to.be.revertedWithCustomError(r.pledges, "BelowReservePrice").withArgs(rid, 799_999n, 800_000n);
      await expect(r.pledges.connect(r.bank1).enforce(rid, sale(800_000n))).to.emit(r.pledges, "EnforcementListed");
      await r.pledges.connect(r.bank1).withdrawEnforcement(rid);
      await r.pledges.connect(r.holder).authoriseSale(rid, ethers.ZeroHash);
      await expect(r.pledges.connect(r.bank1).enforce(rid, sale(500_000n))).to.emit(r.pledges, "EnforcementListed");
      // A revenue pledge has no holding to sell.
      const h = await loadFixture(pledgeable);
      const hid = await defaulted(h, { collateral: Collateral.Revenue, selfSaleAllowed: true });
      await expect(h.pledges.connect(h.bank1).enforce(hid, sale(yuan(100)))).to.be.revertedWithCustomError(h.pledges, "CollateralNotSupported").withArgs(Collateral.Revenue);
    });

    it("sells on the exchange: costs, then each pledgee in rank order up to what it is owed, then the pledgor; the right passes to the buyer, every pledge discharged", async () => {
      const f = await loadFixture(pledgeable);
      const now = await time.latest();
      const senior = await defaulted(f, { selfSaleAllowed: true, securedAmount: 600_000n, externalRegisteredAt: now - 10 * DAY });
      const junior = await pledge(f, { pledgee: f.bank2.address, securedAmount: 300_000n, externalRegisteredAt: now - DAY });
      expect(await f.pledges.livePledgesOf(f.assetId)).to.deep.equal([senior, junior]);
      // The holder cannot sell around the enforcement; the pledgee lists.
      const listingId = 1n;
      await expect(f.pledges.connect(f.bank1).enforce(senior, sale(1_000_000n, 20_000n)))
        .to.emit(f.pledges, "EnforcementListed")
        .withArgs(senior, f.assetId, listingId, f.holder.address, 1_000_000n, 20_000n, () => true, () => true);
      expect(await encumbrance(f)).to.equal(ENC.transfer | ENC.cancel | ENC.licensing | ENC.enforcing | ENC.proceeds);
      const listing = await f.dex.listingOf(listingId);
      expect([listing.seller, Number(listing.terms.offer)]).to.deep.equal([await f.pledges.getAddress(), Offer.HoldingTransfer]);
      await expect(f.pledges.connect(f.bank1).enforce(senior, sale(1n))).to.be.revertedWithCustomError(f.pledges, "EnforcementUnderway").withArgs(f.assetId, senior);
      await expect(f.dex.connect(f.holder).list(await listingTerms(f, f.assetId, { offer: Offer.HoldingTransfer, maxQuantity: 1 }))).to.be.revertedWithCustomError(f.registry, "Encumbered");

      await f.dex.connect(f.buyer).order(listingId, 1_000_000n);
      await expect(f.pledges.connect(f.bank2).deliverEnforcementSale(senior, 1, hash("d"))).to.be.revertedWithCustomError(f.pledges, "NotPledgee");
      await f.pledges.connect(f.bank1).deliverEnforcementSale(senior, 1, hash("data handed over"));
      const { receipt } = await mined(f.dex.connect(f.buyer).accept(1));
      // Gross 10,000.00, fee 1% = 100.00, net 990,000: costs 20,000; senior 600,000; junior 300,000; pledgor 70,000.
      const [settled] = settlementsIn(f, receipt);
      expect(settled.sellerNet).to.equal(990_000n);
      const [r] = eventsIn(f.pledges, receipt, "ProceedsRouted");
      expect([r.enforcement, r.costsTo, r.costs, r.holder, r.toHolder]).to.deep.equal([true, f.bank1.address, 20_000n, f.holder.address, 70_000n]);
      expect(await credit(f, f.bank1)).to.equal(620_000n);
      expect(await credit(f, f.bank2)).to.equal(300_000n);
      expect(await credit(f, f.holder)).to.equal(70_000n);
      expect(await f.registry.holderOf(f.assetId)).to.equal(f.buyer.address);
      expect((await f.pledges.pledgeOf(senior)).status).to.equal(PledgeStatus.Enforced);
      expect((await f.pledges.pledgeOf(junior)).status).to.equal(PledgeStatus.Enforced);
      expect(await f.pledges.livePledgesOf(f.assetId)).to.deep.equal([]);
      expect(await encumbrance(f)).to.equal(0);
      await expectSolvent(f);
    });

    it("proceeds below the senior's claim: all to it after costs, nothing to the junior or pledgor; a sale is withdrawn only with no order open", async () => {
      const f = await loadFixture(pledgeable);
      const senior = await defaulted(f, { selfSaleAllowed: true, securedAmount: 600_000n });
      await pledge(f, { pledgee: f.bank2.address, securedAmount: 300_000n });
      await f.pledges.connect(f.bank1).enforce(senior, sale(500_000n, 10_000n));
      // Not withdrawn while an order of it is open: its settlement, even one an arbiter rules, must find the sale
      // enforcing, or the proceeds would rest with the pledge registry.
      await f.dex.connect(f.buyer).order(1, 500_000n);
      await expect(f.pledges.connect(f.bank1).withdrawEnforcement(senior)).to.be.revertedWithCustomError(f.pledges, "EnforcementOrderOpen").withArgs(1);
      // Never delivered: the buyer takes its money back after the delivery window; then the sale can be withdrawn.
      await time.increase(7 * DAY + 1);
      await expect(f.dex.connect(f.buyer).refundUndelivered(1)).to.emit(f.dex, "Refunded");
      await expect(f.pledges.connect(f.bank1).withdrawEnforcement(senior)).to.emit(f.pledges, "EnforcementWithdrawn");
      expect((await f.dex.listingOf(1)).active).to.equal(false);
      expect(await encumbrance(f)).to.equal(ENC.transfer | ENC.cancel | ENC.licensing | ENC.proceeds);
      expect(await f.registry.holderOf(f.assetId)).to.equal(f.holder.address);
      await expectSolvent(f);
      // Listed again, sold: net 495,000 -> costs 10,000, senior 485,000 of its 600,000.
      await f.pledges.connect(f.bank1).enforce(senior, sale(500_000n, 10_000n));
      await f.dex.connect(f.buyer2).order(2, 500_000n);
      await f.pledges.connect(f.bank1).deliverEnforcementSale(senior, 2, hash("d2"));
      await f.dex.connect(f.buyer2).accept(2);
      expect(await credit(f, f.bank1)).to.equal(495_000n);
      expect(await credit(f, f.bank2)).to.equal(0n);
      expect(await credit(f, f.holder)).to.equal(0n);
      expect(await f.registry.holderOf(f.assetId)).to.equal(f.buyer2.address);
      await expectSolvent(f);
    });
  });

  describe("certificate pledges", () => {
    /** A transferable processing-use certificate of the asset, granted by its holder to `licensee`, for 2 years. */
    async function certificate(f: Fixture, overrides: Parameters<typeof grantTerms>[1] = {}): Promise<bigint> {
      const until = (await time.latest()) + 2 * YEAR;
      await f.rights.connect(f.holder).grant(grantTerms(f.assetId, { transferable: true, validUntil: until, ...overrides }), f.licensee.address);
      return f.rights.certificateCount();
    }
    const certTerms = (f: Fixture, certId: bigint, overrides: Partial<Terms> = {}) =>
      pledgeTerms(f.assetId, f.licensee.address, f.bank1.address, f.tokenAddress, { collateral: Collateral.Certificate, certId, securedAmount: yuan(100_000), ...overrides });
    async function certPledge(f: Fixture, certId: bigint, overrides: Partial<Terms> = {}) {
      const t = await certTerms(f, certId, overrides);
      await f.pledges.connect(f.licensee).file(t);
      const id = await f.pledges.pledgeCount();
      await f.pledges.connect(await ethers.getSigner(t.pledgee as string)).accept(id);
      return id;
    }
    const certSale = (f: Fixture, certId: bigint, price: bigint) =>
      listingTerms(f, f.assetId, { offer: Offer.HoldingTransfer, sellerCertId: certId, maxQuantity: 1, price, licenceTerm: 0 });

    it("is filed by the certificate's holder on a transferable certificate of the asset, and restricts the certificate, not the asset", async () => {
      const f = await loadFixture(pledgeable);
      const certId = await certificate(f);
      const fixed = await certificate(f, { transferable: false });
      await expect(f.pledges.connect(f.holder).file(await certTerms(f, certId))).to.be.revertedWithCustomError(f.pledges, "NotCertificateHolder").withArgs(certId, f.holder.address);
      await expect(f.pledges.connect(f.licensee).file(await certTerms(f, fixed))).to.be.revertedWithCustomError(f.pledges, "CertificateNotPledgeable").withArgs(fixed);
      const other = (await registerActive(f, f.other)).assetId;
      await expect(f.pledges.connect(f.licensee).file(await certTerms(f, certId, { assetId: other }))).to.be.revertedWithCustomError(f.pledges, "CertificateNotPledgeable").withArgs(certId);
      await expect(f.pledges.connect(f.licensee).file(await certTerms(f, 99n))).to.be.revertedWithCustomError(f.rights, "UnknownCertificate").withArgs(99n);
      await f.pledges.setPublicInstitution(f.licensee.address, true);
      await expect(f.pledges.connect(f.licensee).file(await certTerms(f, certId))).to.be.revertedWithCustomError(f.pledges, "PublicInstitution");
      await f.pledges.setPublicInstitution(f.licensee.address, false);

      await f.pledges.connect(f.licensee).file(await certTerms(f, certId));
      await expect(f.pledges.connect(f.bank1).accept(1))
        .to.emit(f.pledges, "CertificateEncumbranceChanged")
        .withArgs(certId, f.assetId, ENC.transfer | ENC.licensing); // no cancellation: a certificate ends by its term
      expect(await f.rights.encumbranceOf(certId)).to.equal(ENC.transfer | ENC.licensing);
      expect(await encumbrance(f)).to.equal(0); // the asset's holder is untouched
      expect(await f.pledges.livePledgesOfCertificate(certId)).to.deep.equal([1n]);
      expect(await f.pledges.livePledgesOf(f.assetId)).to.deep.equal([]);
      expect(await f.pledges.rankOf(1)).to.equal(1n);
      // A second pledge of the same certificate ranks by its registration time, apart from the asset's pledges.
      const now = await time.latest();
      const senior = await certPledge(f, certId, { pledgee: f.bank2.address, externalRegisteredAt: now - 10 * DAY });
      await pledge(f); // a holding pledge on the asset: ranks on its own
      expect(await f.pledges.livePledgesOfCertificate(certId)).to.deep.equal([senior, 1n]);
      expect(await f.pledges.rankOf(1)).to.equal(2n);
      await f.pledges.connect(f.bank2).release(senior);
      expect(await f.pledges.rankOf(1)).to.equal(1n);
    });

    it("refuses the certificate's transfer, sale and sublicensing without consent; consent lets each through; an order taken before the pledge is refunded", async () => {
      const f = await loadFixture(pledgeable);
      const certId = await certificate(f, { kind: RightKind.ProductOperation, sublicensable: true });
      // Listed and ordered before the pledge.
      await f.dex.connect(f.licensee).list(await certSale(f, certId, 10_000n));
      await f.dex.connect(f.buyer).order(1, 10_000n);
      const id = await certPledge(f, certId);
      const flags = ENC.transfer | ENC.licensing;
      await expect(f.rights.connect(f.licensee).transferFrom(f.licensee.address, f.other.address, certId)).to.be.revertedWithCustomError(f.rights, "CertificateEncumbered").withArgs(certId, flags);
      await expect(f.dex.connect(f.licensee).list(await certSale(f, certId, 10_000n))).to.be.revertedWithCustomError(f.rights, "CertificateEncumbered").withArgs(certId, flags);
      const until = (await time.latest()) + YEAR;
      await expect(f.rights.connect(f.licensee).grant(grantTerms(f.assetId, { parentId: certId, validUntil: until }), f.other.address)).to.be.revertedWithCustomError(f.rights, "CertificateEncumbered");
      await expect(f.dex.connect(f.licensee).list(await listingTerms(f, f.assetId, { sellerCertId: certId, offer: Offer.ProcessingUse }))).to.be.revertedWithCustomError(f.rights, "CertificateEncumbered");
      // The earlier order cannot settle into the pledged certificate: refunded in full.
      await f.dex.connect(f.licensee).deliver(1, hash("d"));
      await expect(f.dex.connect(f.buyer).accept(1)).to.emit(f.dex, "Refunded");
      expect(await f.rights.ownerOf(certId)).to.equal(f.licensee.address);
      await expectSolvent(f);

      await f.pledges.connect(f.bank1).consent(id, Consent.Licensing);
      expect(await f.rights.encumbranceOf(certId)).to.equal(ENC.transfer);
      await f.rights.connect(f.licensee).grant(grantTerms(f.assetId, { parentId: certId, validUntil: until }), f.other.address);
      await f.pledges.connect(f.bank1).consent(id, Consent.Transfer);
      expect(await f.rights.encumbranceOf(certId)).to.equal(0);
      // An agreed sale of the certificate on the exchange pays its pledgee first: net 9,900 of the 10,000.00 owed.
      await f.dex.connect(f.licensee).list(await certSale(f, certId, 10_000n));
      const listingId = await f.dex.listingCount();
      await f.dex.connect(f.buyer).order(listingId, 10_000n);
      await f.dex.connect(f.licensee).deliver(await f.dex.orderCount(), hash("d"));
      const { receipt } = await mined(f.dex.connect(f.buyer).accept(await f.dex.orderCount()));
      expect(eventsIn(f.pledges, receipt, "ProceedsApplied").map((e) => [e.pledgeId, e.amount])).to.deep.equal([[id, 9_900n]]);
      expect([await credit(f, f.bank1), await credit(f, f.licensee)]).to.deep.equal([9_900n, 0n]);
      expect(await f.rights.ownerOf(certId)).to.equal(f.buyer.address);
      await expectSolvent(f);
    });

    it("a holder sells its own transferable certificate on the exchange: the certificate moves, the seller is paid its net", async () => {
      const f = await loadFixture(pledgeable);
      const certId = await certificate(f);
      const fixed = await certificate(f, { transferable: false });
      await expect(f.dex.connect(f.licensee).list(await certSale(f, fixed, 10_000n))).to.be.revertedWithCustomError(f.dex, "SellerCertUnsuitable").withArgs(fixed);
      await expect(f.dex.connect(f.other).list(await certSale(f, certId, 10_000n))).to.be.revertedWithCustomError(f.dex, "NotAuthorisedSeller");
      await f.dex.connect(f.licensee).list(await certSale(f, certId, 10_000n));
      await f.dex.connect(f.buyer).order(1, 10_000n);
      await f.dex.connect(f.licensee).deliver(1, hash("d"));
      const { receipt } = await mined(f.dex.connect(f.buyer).accept(1));
      const [s] = settlementsIn(f, receipt);
      expect([s.certId, s.sellerNet]).to.deep.equal([certId, 9_900n]); // 1% fee
      expect(eventsIn(f.pledges, receipt, "ProceedsRouted")).to.deep.equal([]);
      expect(await f.rights.ownerOf(certId)).to.equal(f.buyer.address);
      expect(await credit(f, f.licensee)).to.equal(9_900n);
      await expectSolvent(f);
    });

    it("enforcement sells the certificate: costs, then each pledgee in rank order, then the pledgor; the certificate passes to the buyer", async () => {
      const f = await loadFixture(pledgeable);
      const certId = await certificate(f);
      const now = await time.latest();
      const senior = await certPledge(f, certId, { selfSaleAllowed: true, securedAmount: 600_000n, externalRegisteredAt: now - 10 * DAY });
      const junior = await certPledge(f, certId, { pledgee: f.bank2.address, securedAmount: 300_000n, externalRegisteredAt: now - DAY });
      await time.increaseTo((await f.pledges.pledgeOf(senior)).terms.termEnd + 1n);
      await f.pledges.connect(f.bank1).declareDefault(senior);
      const sale = { venueId: SZ.id, price: 1_000_000n, deliveryWindow: 7 * DAY, acceptanceWindow: 3 * DAY, costs: 20_000n, costsEvidenceHash: hash("invoice") };
      await expect(f.pledges.connect(f.bank1).enforce(senior, sale))
        .to.emit(f.pledges, "EnforcementListed")
        .withArgs(senior, f.assetId, 1n, f.licensee.address, 1_000_000n, 20_000n, () => true, () => true);
      expect(await f.rights.encumbranceOf(certId)).to.equal(ENC.transfer | ENC.licensing | ENC.enforcing);
      const listing = await f.dex.listingOf(1);
      expect([listing.seller, Number(listing.terms.offer), listing.terms.sellerCertId]).to.deep.equal([await f.pledges.getAddress(), Offer.HoldingTransfer, certId]);
      await expect(f.pledges.connect(f.bank2).enforce(junior, sale)).to.be.revertedWithCustomError(f.pledges, "WrongPledgeStatus"); // not in default
      // The pledgor cannot move it away while the sale runs, even with a transfer consent.
      await f.pledges.connect(f.bank2).consent(junior, Consent.Transfer);
      await expect(f.rights.connect(f.licensee).transferFrom(f.licensee.address, f.other.address, certId)).to.be.revertedWithCustomError(f.rights, "CertificateEncumbered");

      await f.dex.connect(f.buyer).order(1, 1_000_000n);
      await f.pledges.connect(f.bank1).deliverEnforcementSale(senior, 1, hash("certificate handed over"));
      const { receipt } = await mined(f.dex.connect(f.buyer).accept(1));
      // Net 990,000 (1% fee): costs 20,000; senior 600,000; junior 300,000; pledgor 70,000.
      const [settled] = settlementsIn(f, receipt);
      expect([settled.certId, settled.sellerNet]).to.deep.equal([certId, 990_000n]);
      const [r] = eventsIn(f.pledges, receipt, "ProceedsRouted");
      expect([r.assetId, r.enforcement, r.costs, r.holder, r.toHolder]).to.deep.equal([f.assetId, true, 20_000n, f.licensee.address, 70_000n]);
      expect(await credit(f, f.bank1)).to.equal(620_000n);
      expect(await credit(f, f.bank2)).to.equal(300_000n);
      expect(await credit(f, f.licensee)).to.equal(70_000n);
      expect(await f.rights.ownerOf(certId)).to.equal(f.buyer.address);
      expect(await f.registry.holderOf(f.assetId)).to.equal(f.holder.address); // the holding was not pledged
      expect((await f.pledges.pledgeOf(senior)).status).to.equal(PledgeStatus.Enforced);
      expect((await f.pledges.pledgeOf(junior)).status).to.equal(PledgeStatus.Enforced);
      expect(await f.pledges.livePledgesOfCertificate(certId)).to.deep.equal([]);
      expect(await f.rights.encumbranceOf(certId)).to.equal(0);
      await expectSolvent(f);
    });

    it("only the pledge registry sets a certificate's encumbrance, and only the exchange moves a sold certificate", async () => {
      const f = await loadFixture(pledgeable);
      const certId = await certificate(f);
      await expect(f.rights.connect(f.licensee).setEncumbrance(certId, 0)).to.be.revertedWithCustomError(f.rights, "NotPledgeRegistry").withArgs(f.licensee.address);
      await expect(f.rights.connect(f.licensee).transferByExchange(certId, f.licensee.address, f.other.address)).to.be.revertedWithCustomError(f.rights, "AccessControlUnauthorizedAccount");
    });
  });

  describe("model", () => {
    it("rank order and waterfalls across random pledges, releases and settlements (fast-check)", async () => {
      type Op = { kind: "pledge"; ageDays: number; amount: bigint; bank: number } | { kind: "release"; pick: number } | { kind: "sell"; price: bigint };
      const opArb: fc.Arbitrary<Op> = fc.oneof(
        fc.record({ kind: fc.constant<"pledge">("pledge"), ageDays: fc.integer({ min: 1, max: 20 }), amount: fc.bigInt({ min: 1n, max: 50_000n }), bank: fc.nat(2) }),
        fc.record({ kind: fc.constant<"release">("release"), pick: fc.nat(15) }),
        fc.record({ kind: fc.constant<"sell">("sell"), price: fc.bigInt({ min: 100n, max: 120_000n }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), async (ops) => {
          const f = await loadFixture(pledgeable);
          const banks = [f.bank1, f.bank2, f.bank3];
          const now = await time.latest();
          // The model: live pledges with registration time, id, owed; credits per account.
          const live: { id: bigint; at: number; owed: bigint; bank: string }[] = [];
          const credits = new Map<string, bigint>();
          const add = (a: string, v: bigint) => credits.set(a, (credits.get(a) ?? 0n) + v);
          for (const op of ops) {
            if (op.kind === "pledge") {
              if (live.length >= 16) continue;
              const bank = banks[op.bank];
              const at = now - op.ageDays * DAY;
              const id = await pledge(f, { collateral: Collateral.Revenue, pledgee: bank.address, securedAmount: op.amount, externalRegisteredAt: at });
              live.push({ id, at, owed: op.amount, bank: bank.address });
            } else if (op.kind === "release") {
              if (live.length === 0) continue;
              const [p] = live.splice(op.pick % live.length, 1);
              await f.pledges.connect(await ethers.getSigner(p.bank)).release(p.id);
            } else {
              if (live.length === 0) continue; // licensing is never restricted by revenue pledges, but keep sales pledged
              const s = await sellLicence(f, op.price);
              let left = s.settlement.sellerNet;
              add(f.szTreasury.address, s.settlement.exchangeFee);
              const ranked = [...live].sort((a, b) => a.at - b.at || Number(a.id - b.id));
              for (const p of ranked) {
                const pay = p.owed < left ? p.owed : left;
                p.owed -= pay;
                left -= pay;
                add(p.bank, pay);
              }
              add(f.holder.address, left);
            }
            const ranked = [...live].sort((a, b) => a.at - b.at || Number(a.id - b.id)).map((p) => p.id);
            expect(await f.pledges.livePledgesOf(f.assetId)).to.deep.equal(ranked);
          }
          for (const [account, v] of credits) expect(await credit(f, account), account).to.equal(v);
          for (const p of live) expect(await f.pledges.outstandingOf(p.id)).to.equal(p.owed);
          await expectSolvent(f);
        }),
        { numRuns: 15 },
      );
    });
  });
});
