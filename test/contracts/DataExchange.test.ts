// DataExchange: listings, escrowed orders, delivery, disputes, settlement splits, refunds and pull payments.
// Amounts are exact integers (the market token has 2 decimals: amounts are in fen).
import { expect } from "chai";
import { ethers } from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { anyValue } from "@nomicfoundation/hardhat-chai-matchers/withArgs";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { FeeOnTransferToken__factory, ReentrantToken__factory, SenderFeeToken__factory } from "../../typechain-types";
import { registerActive, submit, grantTerms, hash, RightKind, SZ, BJ, DAY, YEAR } from "../helpers/registry";
import { pendingTransfer } from "../helpers/registry";
import {
  market,
  listingTerms,
  yuan,
  Market,
  Offer,
  OrderStatus,
  RefundReason,
  SZ_FEE_BPS,
  ROYALTY_DENOMINATOR,
  settlementsIn,
  eventsIn,
  mined,
  expectedSplit,
  royaltyTable,
  settlementToken,
  signPermit,
  SettlementOut,
} from "../helpers/exchange";

const PRICE = yuan(50_000); // 5_000_000 fen
const DELIVERY = 7n * BigInt(DAY);
const ACCEPTANCE = 3n * BigInt(DAY);
const HOUR = 3600;
const MAX_UINT128 = (1n << 128n) - 1n;
const TEN_YEARS = 10n * BigInt(YEAR);

// ---------------------------------------------------------------- fixtures

/** An active asset held by `holder`, listed once with the default terms (listing 1). */
async function listed() {
  const m = await market();
  const { assetId } = await registerActive(m, m.holder);
  const terms = await listingTerms(m, assetId);
  await m.dex.connect(m.holder).list(terms);
  return { ...m, assetId, terms, listingId: 1n };
}

/** Listing 1 ordered by `buyer` (order 1) and delivered. */
async function delivered() {
  const f = await listed();
  await f.dex.connect(f.buyer).order(1, PRICE);
  await f.dex.connect(f.holder).deliver(1, hash("delivery"));
  return { ...f, orderId: 1n };
}

/** Order 1 disputed by its buyer. */
async function disputed() {
  const f = await delivered();
  await f.dex.connect(f.buyer).dispute(1, hash("evidence"));
  return f;
}

/** An asset whose holder (`other`) is the parent of the listed asset (held by `holder`) with a 20% share, listed with a
 * 2.5% merchant commission. */
async function withRoyalty() {
  const m = await market();
  const { assetId: parentId } = await registerActive(m, m.other);
  const { assetId } = await registerActive(m, m.holder, { parentIds: [parentId], parentSharesBps: [2000] });
  const terms = await listingTerms(m, assetId, { merchant: m.merchant.address, merchantBps: 250 });
  await m.dex.connect(m.holder).list(terms);
  return { ...m, assetId, parentId, terms, listingId: 1n };
}

/** The asset holder granted `operator` a sublicensable product-operation right (scope 0b0111, two years). */
async function operated() {
  const m = await market();
  const { assetId } = await registerActive(m, m.holder);
  const operator = m.signers[14];
  const opUntil = BigInt(await time.latest()) + 2n * BigInt(YEAR);
  await m.rights
    .connect(m.holder)
    .grant(grantTerms(assetId, { kind: RightKind.ProductOperation, sublicensable: true, scopeMask: 0b0111, validUntil: opUntil }), operator.address);
  const certId = await m.rights.certificateCount();
  return { ...m, assetId, operator, certId, opUntil };
}

// ---------------------------------------------------------------- helpers

async function tokenAddr(m: Market) {
  return m.token.getAddress();
}

async function dexAddr(m: Market) {
  return m.dex.getAddress();
}

async function signerOf(address: string): Promise<HardhatEthersSigner> {
  return ethers.getSigner(address);
}

/** Orders one unit of a listing at its current price; returns the order id. */
async function buy(m: Market, listingId: bigint | number, buyer: HardhatEthersSigner = m.buyer): Promise<bigint> {
  const price = (await m.dex.listingOf(listingId)).terms.price;
  await m.dex.connect(buyer).order(listingId, price);
  return m.dex.orderCount();
}

async function deliverOrder(m: Market, orderId: bigint | number) {
  const o = await m.dex.orderOf(orderId);
  const seller = (await m.dex.listingOf(o.listingId)).seller;
  await m.dex.connect(await signerOf(seller)).deliver(orderId, hash("delivery"));
}

/** Buys, delivers and accepts one unit; returns the accept receipt, its time and the decoded settlement. */
async function buyAndAccept(m: Market, listingId: bigint | number, buyer: HardhatEthersSigner = m.buyer) {
  const orderId = await buy(m, listingId, buyer);
  await deliverOrder(m, orderId);
  const { receipt, at } = await mined(m.dex.connect(buyer).accept(orderId));
  const settlements = settlementsIn(m, receipt);
  return { orderId, receipt, at, settlement: settlements[0] };
}

/** The exchange's token balance equals its liabilities. */
async function expectSolvent(m: Market, token: { getAddress(): Promise<string>; balanceOf(a: string): Promise<bigint> } = m.token) {
  const t = await token.getAddress();
  expect(await token.balanceOf(await dexAddr(m))).to.equal(await m.dex.liabilitiesOf(t));
}

function partsOf(s: SettlementOut): bigint {
  return s.exchangeFee + s.merchantCommission + s.royalties.reduce((a, r) => a + r.amount, 0n) + s.sellerNet;
}

/** Checks every field of a decoded settlement against what the listing, order, venue and royalty table imply. */
async function expectSettlement(
  m: Market,
  s: SettlementOut,
  e: {
    orderId: bigint;
    gross: bigint;
    at: bigint;
    certId: bigint;
    feeBps?: bigint;
  },
) {
  const o = await m.dex.orderOf(e.orderId);
  const l = await m.dex.listingOf(o.listingId);
  const t = l.terms;
  const venue = await m.dex.venueOf(t.venueId);
  const table = await royaltyTable(m, t.assetId);
  const split = expectedSplit(e.gross, e.feeBps ?? o.feeBps, t.merchantBps, table);
  const royalties = [];
  for (const r of split.royalties) {
    royalties.push({ assetId: r.assetId, payee: await m.registry.holderOf(r.assetId), amount: r.amount });
  }
  expect(s).to.deep.equal({
    orderId: e.orderId,
    listingId: o.listingId,
    assetId: t.assetId,
    offer: Number(t.offer),
    buyer: o.buyer,
    seller: l.seller,
    token: t.token,
    gross: e.gross,
    venueId: Number(t.venueId),
    venueTreasury: venue.treasury,
    exchangeFee: split.exchangeFee,
    merchant: t.merchant,
    merchantCommission: split.merchantCommission,
    royalties,
    sellerNet: split.sellerNet,
    certId: e.certId,
    settledAt: e.at,
  });
  expect(partsOf(s)).to.equal(e.gross);
  return split;
}

describe("DataExchange", () => {
  // ================================================================ administration
  describe("administration", () => {
    it("setVenue stores the treasury and fee and emits VenueSet; only the admin may call it", async () => {
      const m = await loadFixture(market);
      await expect(m.dex.setVenue(SZ.id, m.other.address, 3000))
        .to.emit(m.dex, "VenueSet")
        .withArgs(SZ.id, m.other.address, 3000, m.admin.address);
      const v = await m.dex.venueOf(SZ.id);
      expect(v.treasury).to.equal(m.other.address);
      expect(v.feeBps).to.equal(3000n);
      await expect(m.dex.connect(m.other).setVenue(SZ.id, m.other.address, 10))
        .to.be.revertedWithCustomError(m.dex, "AccessControlUnauthorizedAccount")
        .withArgs(m.other.address, await m.dex.DEFAULT_ADMIN_ROLE());
    });

    it("setVenue refuses an unknown registrar (registry's UnknownRegistrar), a zero treasury and a fee over 3000 bps", async () => {
      const m = await loadFixture(market);
      await expect(m.dex.setVenue(3, m.other.address, 10)).to.be.revertedWithCustomError(m.registry, "UnknownRegistrar").withArgs(3);
      await expect(m.dex.setVenue(0, m.other.address, 10)).to.be.revertedWithCustomError(m.registry, "UnknownRegistrar").withArgs(0);
      await expect(m.dex.setVenue(SZ.id, ethers.ZeroAddress, 10))
        .to.be.revertedWithCustomError(m.dex, "InvalidRecipient")
        .withArgs(ethers.ZeroAddress);
      await expect(m.dex.setVenue(SZ.id, m.other.address, 3001)).to.be.revertedWithCustomError(m.dex, "FeeTooHigh").withArgs(3001, 3000);
      // Nothing changed.
      const v = await m.dex.venueOf(SZ.id);
      expect(v.treasury).to.equal(m.szTreasury.address);
      expect(v.feeBps).to.equal(BigInt(SZ_FEE_BPS));
    });

    it("setTokenAllowed toggles a token and emits TokenAllowed; admin only; refuses the zero address", async () => {
      const m = await loadFixture(market);
      const token = await tokenAddr(m);
      await expect(m.dex.setTokenAllowed(token, false)).to.emit(m.dex, "TokenAllowed").withArgs(token, false, m.admin.address);
      expect(await m.dex.isTokenAllowed(token)).to.equal(false);
      await expect(m.dex.setTokenAllowed(token, true)).to.emit(m.dex, "TokenAllowed").withArgs(token, true, m.admin.address);
      expect(await m.dex.isTokenAllowed(token)).to.equal(true);
      await expect(m.dex.connect(m.other).setTokenAllowed(token, false))
        .to.be.revertedWithCustomError(m.dex, "AccessControlUnauthorizedAccount")
        .withArgs(m.other.address, await m.dex.DEFAULT_ADMIN_ROLE());
      await expect(m.dex.setTokenAllowed(ethers.ZeroAddress, true))
        .to.be.revertedWithCustomError(m.dex, "TokenNotAllowed")
        .withArgs(ethers.ZeroAddress);
    });

    it("only PAUSER_ROLE pauses and unpauses", async () => {
      const m = await loadFixture(market);
      const role = await m.dex.PAUSER_ROLE();
      await expect(m.dex.connect(m.other).pause()).to.be.revertedWithCustomError(m.dex, "AccessControlUnauthorizedAccount").withArgs(m.other.address, role);
      await m.dex.pause();
      await expect(m.dex.connect(m.other).unpause()).to.be.revertedWithCustomError(m.dex, "AccessControlUnauthorizedAccount").withArgs(m.other.address, role);
      await m.dex.unpause();
      expect(await m.dex.paused()).to.equal(false);
    });
  });

  // ================================================================ listing
  describe("list", () => {
    it("lists as the holder: Listed event with the terms, listingOf returns them, active and unsold", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      const terms = await listingTerms(m, assetId, {
        venueId: BJ.id,
        offer: Offer.ProductOperation,
        maxQuantity: 5,
        licenceSublicensable: true,
        licenceTransferable: true,
        merchant: m.merchant.address,
        merchantBps: 300,
      });
      const tx = await m.dex.connect(m.holder).list(terms);
      const { at } = await mined(tx);
      const sameTerms = (t: any) =>
        t.assetId === assetId &&
        t.sellerCertId === 0n &&
        t.venueId === BigInt(BJ.id) &&
        t.offer === BigInt(Offer.ProductOperation) &&
        t.token === terms.token &&
        t.price === PRICE &&
        t.maxQuantity === 5n &&
        t.licenceTerm === BigInt(YEAR) &&
        t.scopeHash === terms.scopeHash &&
        t.scopeMask === 0b0011n &&
        t.licenceSublicensable === true &&
        t.licenceTransferable === true &&
        t.merchant === m.merchant.address &&
        t.merchantBps === 300n &&
        t.deliveryWindow === DELIVERY &&
        t.acceptanceWindow === ACCEPTANCE;
      await expect(tx).to.emit(m.dex, "Listed").withArgs(1n, assetId, m.holder.address, sameTerms, at);
      expect(await m.dex.listingCount()).to.equal(1n);
      const l = await m.dex.listingOf(1);
      expect(sameTerms(l.terms)).to.equal(true);
      expect(l.seller).to.equal(m.holder.address);
      expect(l.active).to.equal(true);
      expect(l.sold).to.equal(0n);
      await expect(m.dex.listingOf(2)).to.be.revertedWithCustomError(m.dex, "UnknownListing").withArgs(2);
    });

    it("listingOf returns every term unchanged at the widest values each field accepts", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder, { validityPeriod: 10 * YEAR });
      const operator = m.signers[14];
      const opUntil = BigInt(await time.latest()) + 11n * BigInt(YEAR);
      // A licence must fit the registration even if settled at the end of both 90-day windows.
      const widestTerm = TEN_YEARS - 180n * BigInt(DAY) - 2n * BigInt(DAY);
      await m.rights
        .connect(m.holder)
        .grant(grantTerms(assetId, { kind: RightKind.ProductOperation, sublicensable: true, scopeMask: 0xffffffff, validUntil: opUntil }), operator.address);
      const terms = await listingTerms(m, assetId, {
        sellerCertId: 1,
        venueId: BJ.id,
        offer: Offer.ProductOperation,
        price: MAX_UINT128,
        maxQuantity: 0xffffffff,
        licenceTerm: widestTerm,
        scopeMask: 0xffffffff,
        licenceSublicensable: true,
        licenceTransferable: false,
        merchant: m.merchant.address,
        merchantBps: 3000,
        deliveryWindow: 90 * DAY,
        acceptanceWindow: 90 * DAY,
      });
      await m.dex.connect(operator).list(terms);
      const l = await m.dex.listingOf(1);
      expect({
        assetId: l.terms.assetId,
        sellerCertId: l.terms.sellerCertId,
        venueId: l.terms.venueId,
        offer: l.terms.offer,
        token: l.terms.token,
        price: l.terms.price,
        maxQuantity: l.terms.maxQuantity,
        licenceTerm: l.terms.licenceTerm,
        scopeHash: l.terms.scopeHash,
        scopeMask: l.terms.scopeMask,
        licenceSublicensable: l.terms.licenceSublicensable,
        licenceTransferable: l.terms.licenceTransferable,
        merchant: l.terms.merchant,
        merchantBps: l.terms.merchantBps,
        deliveryWindow: l.terms.deliveryWindow,
        acceptanceWindow: l.terms.acceptanceWindow,
      }).to.deep.equal({
        assetId,
        sellerCertId: 1n,
        venueId: BigInt(BJ.id),
        offer: BigInt(Offer.ProductOperation),
        token: terms.token,
        price: MAX_UINT128,
        maxQuantity: 0xffffffffn,
        licenceTerm: widestTerm,
        scopeHash: terms.scopeHash,
        scopeMask: 0xffffffffn,
        licenceSublicensable: true,
        licenceTransferable: false,
        merchant: m.merchant.address,
        merchantBps: 3000n,
        deliveryWindow: BigInt(90 * DAY),
        acceptanceWindow: BigInt(90 * DAY),
      });
      expect([l.seller, l.active, l.sold]).to.deep.equal([operator.address, true, 0n]);
      // Updating price, quantity and the active flag leaves the other terms as they were.
      await m.dex.connect(operator).updateListing(1, 1n, 7, false);
      const u = await m.dex.listingOf(1);
      expect([u.terms.price, u.terms.maxQuantity, u.active]).to.deep.equal([1n, 7n, false]);
      expect([u.terms.sellerCertId, u.terms.licenceTerm, u.terms.scopeHash, u.terms.merchant, u.terms.acceptanceWindow]).to.deep.equal([
        1n,
        widestTerm,
        terms.scopeHash,
        m.merchant.address,
        BigInt(90 * DAY),
      ]);
    });

    it("refuses a token that is not allowed and a venue without a configured treasury", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      const stranger = await settlementToken(m, 2, [], 0n);
      const strangerAddr = await stranger.getAddress();
      await m.dex.setTokenAllowed(strangerAddr, false);
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { token: strangerAddr })))
        .to.be.revertedWithCustomError(m.dex, "TokenNotAllowed")
        .withArgs(strangerAddr);
      // A registrar that exists in the registry but has no venue on the exchange.
      await m.registry.addRegistrar("GZDE", 3 * DAY);
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { venueId: 3 })))
        .to.be.revertedWithCustomError(m.dex, "UnknownVenue")
        .withArgs(3);
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { venueId: 77 })))
        .to.be.revertedWithCustomError(m.dex, "UnknownVenue")
        .withArgs(77);
    });

    it("refuses a zero price and a price above uint128; accepts exactly uint128 max", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { price: 0 }))).to.be.revertedWithCustomError(m.dex, "ZeroPrice");
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { price: MAX_UINT128 + 1n })))
        .to.be.revertedWithCustomError(m.dex, "PriceTooLarge")
        .withArgs(MAX_UINT128 + 1n);
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { price: MAX_UINT128 }));
      expect((await m.dex.listingOf(1)).terms.price).to.equal(MAX_UINT128);
    });

    it("refuses delivery and acceptance windows outside 1 hour .. 90 days; accepts both bounds", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      for (const field of ["deliveryWindow", "acceptanceWindow"] as const) {
        for (const w of [0, HOUR - 1, 90 * DAY + 1]) {
          await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { [field]: w })))
            .to.be.revertedWithCustomError(m.dex, "InvalidWindow")
            .withArgs(w);
        }
      }
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { deliveryWindow: HOUR, acceptanceWindow: 90 * DAY }));
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { deliveryWindow: 90 * DAY, acceptanceWindow: HOUR }));
      expect(await m.dex.listingCount()).to.equal(2n);
    });

    it("refuses a licence term of 0 or over 10 years and a zero scope hash for licences", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      for (const offer of [Offer.ProcessingUse, Offer.ProductOperation]) {
        for (const term of [0n, TEN_YEARS + 1n]) {
          await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { offer, licenceTerm: term })))
            .to.be.revertedWithCustomError(m.dex, "InvalidLicenceTerm")
            .withArgs(term);
        }
        await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { offer, scopeHash: ethers.ZeroHash }))).to.be.revertedWithCustomError(
          m.dex,
          "ZeroHash",
        );
      }
      // A 10-year term is a valid term, but this registration (3 years) cannot carry it: a licence settled at the
      // end of both windows would outlive the registration.
      const until = BigInt(await time.latest()) + 1n + TEN_YEARS + DELIVERY + ACCEPTANCE;
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { licenceTerm: TEN_YEARS })))
        .to.be.revertedWithCustomError(m.dex, "RegistrationEndsBeforeTerm")
        .withArgs(assetId, until);
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { licenceTerm: 2n * BigInt(YEAR) }));
      // A holding transfer carries no licence: term and scope are not required.
      await m.dex
        .connect(m.holder)
        .list(await listingTerms(m, assetId, { offer: Offer.HoldingTransfer, maxQuantity: 1, licenceTerm: 0, scopeHash: ethers.ZeroHash }));
      expect(await m.dex.listingCount()).to.equal(2n);
    });

    it("refuses a licence term over 10 years for a holding transfer too; any term up to 10 years is accepted there", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      const holding = { offer: Offer.HoldingTransfer, maxQuantity: 1 };
      for (const term of [TEN_YEARS + 1n, (1n << 32n) + 1n, (1n << 64n) - 1n]) {
        await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { ...holding, licenceTerm: term })))
          .to.be.revertedWithCustomError(m.dex, "InvalidLicenceTerm")
          .withArgs(term);
      }
      expect(await m.dex.listingCount()).to.equal(0n);
      // A term is meaningless for a holding transfer but harmless within the bound; listingOf returns it as given.
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { ...holding, licenceTerm: TEN_YEARS }));
      expect((await m.dex.listingOf(1)).terms.licenceTerm).to.equal(TEN_YEARS);
    });

    it("refuses an asset id or a seller certificate id wider than uint64 instead of truncating it", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      const U64 = (1n << 64n) - 1n;
      // assetId + 2^64 would name asset `assetId` if it were cut to 64 bits: the holder of that asset is the lister.
      for (const wide of [assetId + (1n << 64n), U64 + 1n, ethers.MaxUint256]) {
        for (const offer of [Offer.ProcessingUse, Offer.HoldingTransfer]) {
          await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { assetId: wide, offer, maxQuantity: offer === Offer.HoldingTransfer ? 1 : 0 })))
            .to.be.revertedWithCustomError(m.dex, "AssetNotActive")
            .withArgs(wide);
        }
      }
      // uint64 max itself is a well-formed id that names no active asset.
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { assetId: U64 })))
        .to.be.revertedWithCustomError(m.dex, "AssetNotActive")
        .withArgs(U64);
      // A seller certificate id wider than uint64 (cut to 64 bits it would be certificate 1, a real one).
      const operator = m.signers[14];
      const opUntil = BigInt(await time.latest()) + 2n * BigInt(YEAR);
      await m.rights
        .connect(m.holder)
        .grant(grantTerms(assetId, { kind: RightKind.ProductOperation, sublicensable: true, scopeMask: 0b0111, validUntil: opUntil }), operator.address);
      for (const wide of [1n + (1n << 64n), ethers.MaxUint256]) {
        await expect(m.dex.connect(operator).list(await listingTerms(m, assetId, { sellerCertId: wide })))
          .to.be.revertedWithCustomError(m.dex, "SellerCertUnsuitable")
          .withArgs(wide);
      }
      expect(await m.dex.listingCount()).to.equal(0n);
      // Certificate 1 itself lists fine: the refusals above were the width, not the certificate.
      await m.dex.connect(operator).list(await listingTerms(m, assetId, { sellerCertId: 1 }));
      expect((await m.dex.listingOf(1)).terms.sellerCertId).to.equal(1n);
    });

    it("refuses a merchant commission over 3000 bps and a commission without a merchant", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { merchant: m.merchant.address, merchantBps: 3001 })))
        .to.be.revertedWithCustomError(m.dex, "InvalidMerchant")
        .withArgs(m.merchant.address, 3001);
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId, { merchantBps: 100 })))
        .to.be.revertedWithCustomError(m.dex, "InvalidMerchant")
        .withArgs(ethers.ZeroAddress, 100);
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { merchant: m.merchant.address, merchantBps: 3000 }));
      expect(await m.dex.listingCount()).to.equal(1n);
    });

    it("a holding transfer must have maxQuantity 1 and no seller certificate", async () => {
      const f = await loadFixture(operated);
      for (const q of [0, 2]) {
        await expect(f.dex.connect(f.holder).list(await listingTerms(f, f.assetId, { offer: Offer.HoldingTransfer, maxQuantity: q })))
          .to.be.revertedWithCustomError(f.dex, "InvalidQuantity")
          .withArgs(q);
      }
      await expect(
        f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { offer: Offer.HoldingTransfer, maxQuantity: 1, sellerCertId: f.certId })),
      )
        .to.be.revertedWithCustomError(f.dex, "SellerCertUnsuitable")
        .withArgs(f.certId);
    });

    it("refuses a lister who is not the holder", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      await expect(m.dex.connect(m.other).list(await listingTerms(m, assetId)))
        .to.be.revertedWithCustomError(m.dex, "NotAuthorisedSeller")
        .withArgs(assetId, m.other.address);
    });

    it("refuses an asset that is not active: in notice, cancelled, expired, unknown", async () => {
      const m = await loadFixture(market);
      const { assetId: inNotice } = await submit(m, m.holder);
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, inNotice)))
        .to.be.revertedWithCustomError(m.dex, "AssetNotActive")
        .withArgs(inNotice);
      const { assetId: cancelled } = await registerActive(m, m.holder);
      await m.registry.connect(m.holder).cancel(cancelled, "withdrawn from market");
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, cancelled)))
        .to.be.revertedWithCustomError(m.dex, "AssetNotActive")
        .withArgs(cancelled);
      const { assetId: expiring } = await registerActive(m, m.holder, { validityPeriod: 30 * DAY });
      const validUntil = (await m.registry.assetOf(expiring)).validUntil;
      await time.increaseTo(validUntil + 1n);
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, expiring)))
        .to.be.revertedWithCustomError(m.dex, "AssetNotActive")
        .withArgs(expiring);
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, 999)))
        .to.be.revertedWithCustomError(m.dex, "AssetNotActive")
        .withArgs(999);
    });

    it("refuses listing while paused", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      await m.dex.pause();
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId))).to.be.revertedWithCustomError(m.dex, "EnforcedPause");
    });
  });

  // ================================================================ listing through a product-operation right
  describe("listing through a product-operation right", () => {
    it("an operator lists a processing-use licence with its certificate; settlement issues a depth-1 sublicence", async () => {
      const f = await loadFixture(operated);
      const terms = await listingTerms(f, f.assetId, { sellerCertId: f.certId, scopeMask: 0b0101 });
      await expect(f.dex.connect(f.operator).list(terms)).to.emit(f.dex, "Listed");
      expect((await f.dex.listingOf(1)).seller).to.equal(f.operator.address);
      const { orderId, receipt, at, settlement } = await buyAndAccept(f, 1);
      const certId = f.certId + 1n;
      expect(await f.rights.certificateCount()).to.equal(certId);
      expect(await f.rights.ownerOf(certId)).to.equal(f.buyer.address);
      const r = await f.rights.rightOf(certId);
      expect(r.assetId).to.equal(f.assetId);
      expect(r.kind).to.equal(BigInt(RightKind.ProcessingUse));
      expect(r.parentId).to.equal(f.certId);
      expect(r.depth).to.equal(1n);
      expect(r.issuedByExchange).to.equal(true); // the operator (seller) is its grantor in RightGranted
      expect(r.scopeMask).to.equal(0b0101n);
      expect(r.validFrom).to.equal(at);
      expect(r.validUntil).to.equal(at + BigInt(YEAR)); // the operator's right runs two years: no clamp
      expect(await f.rights.isValid(certId, at)).to.equal(true);
      const granted = eventsIn(f.rights, receipt, "RightGranted");
      expect(granted.length).to.equal(1);
      expect(granted[0].certId).to.equal(certId);
      expect(granted[0].issuedBy).to.equal(await dexAddr(f));
      expect(granted[0].grantor).to.equal(f.operator.address);
      // The listing's scope document is the sublicence's: its hash is in the grant's terms (not stored in rightOf).
      expect(granted[0].terms.scopeHash).to.equal(terms.scopeHash);
      expect(granted[0].terms.parentId).to.equal(f.certId);
      // The operator is the seller: it gets the net.
      await expectSettlement(f, settlement, { orderId, gross: PRICE, at, certId });
      const fee = PRICE / 100n;
      expect(await f.dex.creditOf(f.operator.address, await tokenAddr(f))).to.equal(PRICE - fee);
      expect(await f.dex.creditOf(f.holder.address, await tokenAddr(f))).to.equal(0n);
    });

    it("a sublicence is never shortened at settlement: the seller's right must cover both windows and the whole term", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      const operator = m.signers[14];
      // Covers a year's licence sold now, but not one settled after both windows.
      const opUntil = BigInt(await time.latest()) + BigInt(YEAR) + 2n * BigInt(DAY);
      await m.rights
        .connect(m.holder)
        .grant(grantTerms(assetId, { kind: RightKind.ProductOperation, sublicensable: true, validUntil: opUntil }), operator.address);
      await expect(m.dex.connect(operator).list(await listingTerms(m, assetId, { sellerCertId: 1 })))
        .to.be.revertedWithCustomError(m.dex, "SellerCertUnsuitable")
        .withArgs(1);
      // A shorter term fits; a settlement that comes too late (the certificate revoked meanwhile is the same case)
      // refunds the buyer rather than issue less than was paid for.
      await m.dex.connect(operator).list(await listingTerms(m, assetId, { sellerCertId: 1, licenceTerm: BigInt(YEAR) - 9n * BigInt(DAY) }));
      await m.dex.connect(m.buyer).order(1, PRICE);
      await m.dex.connect(operator).deliver(1, hash("delivery"));
      const deliveredAt = (await m.dex.orderOf(1)).deliveredAt;
      await time.increaseTo(deliveredAt + ACCEPTANCE + 1n);
      const { receipt, at } = await mined(m.dex.connect(m.other).settle(1));
      const r = await m.rights.rightOf(2);
      expect(r.validUntil).to.equal(at + BigInt(YEAR) - 9n * BigInt(DAY)); // the whole term
      expect(r.validUntil).to.be.at.most(opUntil);
      const [s] = settlementsIn(m, receipt);
      await expectSettlement(m, s, { orderId: 1n, gross: PRICE, at, certId: 2n });
    });

    it("a licence term the seller's right no longer covers at settlement refunds the buyer (finding 4)", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      const operator = m.signers[14];
      const opUntil = BigInt(await time.latest()) + 60n * BigInt(DAY);
      await m.rights
        .connect(m.holder)
        .grant(grantTerms(assetId, { kind: RightKind.ProductOperation, sublicensable: true, validUntil: opUntil }), operator.address);
      // 30-day term, 7 + 3 day windows: covered at listing and ordering; a dispute then runs past the right's end.
      await m.dex.connect(operator).list(await listingTerms(m, assetId, { sellerCertId: 1, licenceTerm: 30n * BigInt(DAY) }));
      await m.dex.connect(m.buyer).order(1, PRICE);
      await m.dex.connect(operator).deliver(1, hash("delivery"));
      await m.dex.connect(m.buyer).dispute(1, hash("late data"));
      await time.increaseTo(opUntil - 10n * BigInt(DAY));
      // The arbiter's ruling stands: all to the seller, a licence for what the seller can still grant.
      const tx = await m.dex.connect(m.arbiter).resolveDispute(1, 0n, hash("ruling"));
      const { receipt, at } = await mined(tx);
      await expect(tx).not.to.emit(m.dex, "Refunded");
      const r = await m.rights.rightOf(2);
      expect(r.validUntil).to.equal(opUntil);
      const [s] = settlementsIn(m, receipt);
      await expectSettlement(m, s, { orderId: 1n, gross: PRICE, at, certId: 2n });
      await expectSolvent(m);
    });

    it("a bought sublicensable product-operation right can itself be listed on the exchange", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      await m.dex.connect(m.holder).list(
        await listingTerms(m, assetId, { offer: Offer.ProductOperation, licenceSublicensable: true, scopeMask: 0b0111, licenceTerm: 2n * BigInt(YEAR) }),
      );
      const { settlement } = await buyAndAccept(m, 1, m.buyer);
      const r = await m.rights.rightOf(settlement.certId);
      expect(r.kind).to.equal(BigInt(RightKind.ProductOperation));
      expect(r.sublicensable).to.equal(true);
      await m.dex.connect(m.buyer).list(await listingTerms(m, assetId, { sellerCertId: settlement.certId, scopeMask: 0b0001 }));
      const second = await buyAndAccept(m, 2, m.buyer2);
      expect(second.settlement.seller).to.equal(m.buyer.address);
      expect((await m.rights.rightOf(second.settlement.certId)).parentId).to.equal(settlement.certId);
      expect(await m.rights.ownerOf(second.settlement.certId)).to.equal(m.buyer2.address);
    });

    it("refuses a certificate of another asset, a processing-use or non-sublicensable certificate, a wider scope, a term past its end", async () => {
      const f = await loadFixture(operated);
      const now = BigInt(await time.latest());
      const { assetId: otherAsset } = await registerActive(f, f.holder);
      const grant = async (assetId: bigint, o: Parameters<typeof grantTerms>[1]) => {
        await f.rights.connect(f.holder).grant(grantTerms(assetId, o), f.operator.address);
        return f.rights.certificateCount();
      };
      const until = now + 2n * BigInt(YEAR);
      const foreign = await grant(otherAsset, { kind: RightKind.ProductOperation, sublicensable: true, validUntil: until });
      const processing = await grant(f.assetId, { kind: RightKind.ProcessingUse, sublicensable: true, validUntil: until });
      const closed = await grant(f.assetId, { kind: RightKind.ProductOperation, sublicensable: false, validUntil: until });
      const narrow = await grant(f.assetId, { kind: RightKind.ProductOperation, sublicensable: true, scopeMask: 0b0001, validUntil: until });
      const short = await grant(f.assetId, { kind: RightKind.ProductOperation, sublicensable: true, validUntil: now + 100n * BigInt(DAY) });
      for (const certId of [foreign, processing, closed]) {
        await expect(f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { sellerCertId: certId })))
          .to.be.revertedWithCustomError(f.dex, "SellerCertUnsuitable")
          .withArgs(certId);
      }
      await expect(f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { sellerCertId: narrow, scopeMask: 0b0011 })))
        .to.be.revertedWithCustomError(f.dex, "SellerCertUnsuitable")
        .withArgs(narrow);
      await expect(f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { sellerCertId: short, licenceTerm: YEAR })))
        .to.be.revertedWithCustomError(f.dex, "SellerCertUnsuitable")
        .withArgs(short);
      // Within bounds they list.
      await f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { sellerCertId: narrow, scopeMask: 0b0001 }));
      await f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { sellerCertId: short, licenceTerm: 80 * DAY }));
      // The operator's cert is wider (0b0111) than the default scope: also within bounds.
      await f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { sellerCertId: f.certId, scopeMask: 0b0111 }));
      await expect(f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { sellerCertId: f.certId, scopeMask: 0b1000 })))
        .to.be.revertedWithCustomError(f.dex, "SellerCertUnsuitable")
        .withArgs(f.certId);
    });

    it("refuses a certificate the lister does not own (NotAuthorisedSeller) and a revoked one (SellerCertUnsuitable)", async () => {
      const f = await loadFixture(operated);
      await expect(f.dex.connect(f.other).list(await listingTerms(f, f.assetId, { sellerCertId: f.certId })))
        .to.be.revertedWithCustomError(f.dex, "NotAuthorisedSeller")
        .withArgs(f.assetId, f.other.address);
      await f.rights.connect(f.holder).revoke(f.certId, "licence breach");
      await expect(f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { sellerCertId: f.certId })))
        .to.be.revertedWithCustomError(f.dex, "SellerCertUnsuitable")
        .withArgs(f.certId);
    });

    it("a certificate revoked after listing stops orders; revoked after delivery, settlement refunds the buyer", async () => {
      const f = await loadFixture(operated);
      await f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { sellerCertId: f.certId }));
      await f.dex.connect(f.buyer).order(1, PRICE);
      await f.dex.connect(f.operator).deliver(1, hash("delivery"));
      await f.rights.connect(f.holder).revoke(f.certId, "licence breach");
      await expect(f.dex.connect(f.buyer2).order(1, PRICE)).to.be.revertedWithCustomError(f.dex, "SellerCertUnsuitable").withArgs(f.certId);
      const tx = await f.dex.connect(f.buyer).accept(1);
      const { at } = await mined(tx);
      await expect(tx)
        .to.emit(f.dex, "Refunded")
        .withArgs(1, f.buyer.address, await tokenAddr(f), PRICE, RefundReason.RightsLapsed, at);
      await expect(tx).not.to.emit(f.dex, "Settled");
      expect((await f.dex.orderOf(1)).status).to.equal(BigInt(OrderStatus.Refunded));
      expect(await f.dex.creditOf(f.buyer.address, await tokenAddr(f))).to.equal(PRICE);
      expect(await f.dex.creditOf(f.operator.address, await tokenAddr(f))).to.equal(0n);
      expect(await f.rights.certificateCount()).to.equal(f.certId);
    });

    // BUG (see report): RightsCertificate refuses sublicences below MAX_DEPTH (8), but the exchange does not check the
    // seller certificate's depth. A listing through a depth-8 certificate is accepted and paid for, yet its settlement
    // always reverts (SublicenceTooDeep): the buyer's escrow is stuck once the acceptance window has closed.
    it("refuses a seller certificate at the maximum sublicence depth, whose sublicences could never be issued", async () => {
      const f = await loadFixture(operated);
      let parent = f.certId;
      for (let depth = 1; depth <= 8; depth++) {
        await f.rights
          .connect(f.operator)
          .grant(grantTerms(f.assetId, { parentId: parent, kind: RightKind.ProductOperation, sublicensable: true, scopeMask: 0b0111, validUntil: f.opUntil }), f.operator.address);
        parent = await f.rights.certificateCount();
      }
      expect((await f.rights.rightOf(parent)).depth).to.equal(8n);
      await expect(f.dex.connect(f.operator).list(await listingTerms(f, f.assetId, { sellerCertId: parent })))
        .to.be.revertedWithCustomError(f.dex, "SellerCertUnsuitable")
        .withArgs(parent);
    });
  });

  // ================================================================ updateListing
  describe("updateListing", () => {
    it("only the seller updates; emits ListingUpdated; unknown listing and zero price are refused", async () => {
      const f = await loadFixture(listed);
      await expect(f.dex.connect(f.other).updateListing(1, PRICE, 0, true))
        .to.be.revertedWithCustomError(f.dex, "NotSeller")
        .withArgs(1, f.other.address);
      await expect(f.dex.connect(f.holder).updateListing(9, PRICE, 0, true)).to.be.revertedWithCustomError(f.dex, "UnknownListing").withArgs(9);
      await expect(f.dex.connect(f.holder).updateListing(1, 0, 0, true)).to.be.revertedWithCustomError(f.dex, "ZeroPrice");
      await expect(f.dex.connect(f.holder).updateListing(1, MAX_UINT128 + 1n, 0, true))
        .to.be.revertedWithCustomError(f.dex, "PriceTooLarge")
        .withArgs(MAX_UINT128 + 1n);
      const tx = await f.dex.connect(f.holder).updateListing(1, yuan(60_000), 4, true);
      const { at } = await mined(tx);
      await expect(tx).to.emit(f.dex, "ListingUpdated").withArgs(1, yuan(60_000), 4, true, at);
      const l = await f.dex.listingOf(1);
      expect(l.terms.price).to.equal(yuan(60_000));
      expect(l.terms.maxQuantity).to.equal(4n);
      expect(l.active).to.equal(true);
    });

    it("a price change does not change an already-open order's price", async () => {
      const f = await loadFixture(listed);
      await f.dex.connect(f.buyer).order(1, PRICE);
      const newPrice = yuan(80_000);
      await f.dex.connect(f.holder).updateListing(1, newPrice, 0, true);
      expect((await f.dex.orderOf(1)).price).to.equal(PRICE);
      await f.dex.connect(f.holder).deliver(1, hash("delivery"));
      const { receipt, at } = await mined(f.dex.connect(f.buyer).accept(1));
      const [s] = settlementsIn(f, receipt);
      expect(s.gross).to.equal(PRICE);
      await expectSettlement(f, s, { orderId: 1n, gross: PRICE, at, certId: 1n });
      // New orders pay the new price.
      await expect(f.dex.connect(f.buyer2).order(1, PRICE)).to.be.revertedWithCustomError(f.dex, "PriceChanged").withArgs(PRICE, newPrice);
      await f.dex.connect(f.buyer2).order(1, newPrice);
      expect((await f.dex.orderOf(2)).price).to.equal(newPrice);
      await expectSolvent(f);
    });

    it("a withdrawn listing refuses orders (ListingInactive) until reopened", async () => {
      const f = await loadFixture(listed);
      await f.dex.connect(f.holder).updateListing(1, PRICE, 0, false);
      expect((await f.dex.listingOf(1)).active).to.equal(false);
      await expect(f.dex.connect(f.buyer).order(1, PRICE)).to.be.revertedWithCustomError(f.dex, "ListingInactive").withArgs(1);
      await f.dex.connect(f.holder).updateListing(1, PRICE, 0, true);
      await f.dex.connect(f.buyer).order(1, PRICE);
      expect((await f.dex.orderOf(1)).buyer).to.equal(f.buyer.address);
    });

    it("a holding-transfer listing keeps maxQuantity 1", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { offer: Offer.HoldingTransfer, maxQuantity: 1 }));
      for (const q of [0, 2]) {
        await expect(m.dex.connect(m.holder).updateListing(1, PRICE, q, true)).to.be.revertedWithCustomError(m.dex, "InvalidQuantity").withArgs(q);
      }
      await m.dex.connect(m.holder).updateListing(1, yuan(1), 1, true);
      expect((await m.dex.listingOf(1)).terms.price).to.equal(yuan(1));
    });
  });

  // ================================================================ order
  describe("order", () => {
    it("escrows the price: Ordered event, orderOf, sold count, balances and liabilities", async () => {
      const f = await loadFixture(listed);
      const token = await tokenAddr(f);
      const dex = await dexAddr(f);
      const buyerBefore = await f.token.balanceOf(f.buyer.address);
      const tx = await f.dex.connect(f.buyer).order(1, PRICE);
      const { at } = await mined(tx);
      await expect(tx)
        .to.emit(f.dex, "Ordered")
        .withArgs(1, 1, f.buyer.address, f.assetId, f.holder.address, token, PRICE, SZ_FEE_BPS, at + DELIVERY, at);
      await expect(tx).to.emit(f.token, "Transfer").withArgs(f.buyer.address, dex, PRICE);
      const o = await f.dex.orderOf(1);
      expect(o.listingId).to.equal(1n);
      expect(o.buyer).to.equal(f.buyer.address);
      expect(o.status).to.equal(BigInt(OrderStatus.Paid));
      expect(o.feeBps).to.equal(BigInt(SZ_FEE_BPS));
      expect(o.price).to.equal(PRICE);
      expect(o.orderedAt).to.equal(at);
      expect(o.deliveredAt).to.equal(0n);
      expect(await f.dex.orderCount()).to.equal(1n);
      expect((await f.dex.listingOf(1)).sold).to.equal(1n);
      expect(await f.token.balanceOf(dex)).to.equal(PRICE);
      expect(await f.token.balanceOf(f.buyer.address)).to.equal(buyerBefore - PRICE);
      expect(await f.dex.liabilitiesOf(token)).to.equal(PRICE);
      expect(await f.dex.creditOf(f.holder.address, token)).to.equal(0n); // escrow, not credit
      await expect(f.dex.orderOf(2)).to.be.revertedWithCustomError(f.dex, "UnknownOrder").withArgs(2);
      await expect(f.dex.connect(f.buyer).order(2, PRICE)).to.be.revertedWithCustomError(f.dex, "UnknownListing").withArgs(2);
    });

    it("refuses an order at a price other than the current one (front-running protection)", async () => {
      const f = await loadFixture(listed);
      // The seller raises the price just before the buyer's transaction.
      await f.dex.connect(f.holder).updateListing(1, PRICE * 2n, 0, true);
      await expect(f.dex.connect(f.buyer).order(1, PRICE)).to.be.revertedWithCustomError(f.dex, "PriceChanged").withArgs(PRICE, PRICE * 2n);
      await f.dex.connect(f.holder).updateListing(1, PRICE / 2n, 0, true);
      await expect(f.dex.connect(f.buyer).order(1, PRICE)).to.be.revertedWithCustomError(f.dex, "PriceChanged").withArgs(PRICE, PRICE / 2n);
      expect(await f.token.balanceOf(await dexAddr(f))).to.equal(0n);
    });

    it("stops at maxQuantity (SoldOut); a full refund frees the unit again", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { maxQuantity: 2 }));
      await m.dex.connect(m.buyer).order(1, PRICE);
      await m.dex.connect(m.buyer2).order(1, PRICE);
      await expect(m.dex.connect(m.other).order(1, PRICE)).to.be.revertedWithCustomError(m.dex, "SoldOut").withArgs(1);
      await time.increase(DELIVERY + 1n);
      await m.dex.connect(m.buyer).refundUndelivered(1);
      expect((await m.dex.listingOf(1)).sold).to.equal(1n);
      await m.dex.connect(m.other).order(1, PRICE);
      expect((await m.dex.listingOf(1)).sold).to.equal(2n);
      await expect(m.dex.connect(m.licensee).order(1, PRICE)).to.be.revertedWithCustomError(m.dex, "SoldOut").withArgs(1);
      // Lowering the cap below what is sold also stops orders.
      await m.dex.connect(m.holder).updateListing(1, PRICE, 1, true);
      await expect(m.dex.connect(m.licensee).order(1, PRICE)).to.be.revertedWithCustomError(m.dex, "SoldOut").withArgs(1);
      await expectSolvent(m);
    });

    it("refuses the seller buying its own listing", async () => {
      const f = await loadFixture(listed);
      await expect(f.dex.connect(f.holder).order(1, PRICE)).to.be.revertedWithCustomError(f.dex, "SelfPurchase");
    });

    it("refuses when the asset was cancelled after listing (AssetNotActive)", async () => {
      const f = await loadFixture(listed);
      await f.registry.connect(f.holder).cancel(f.assetId, "withdrawn");
      await expect(f.dex.connect(f.buyer).order(1, PRICE)).to.be.revertedWithCustomError(f.dex, "AssetNotActive").withArgs(f.assetId);
    });

    it("refuses when the seller no longer holds the asset (NotAuthorisedSeller)", async () => {
      const f = await loadFixture(listed);
      await f.registry.connect(f.holder).requestTransfer(f.assetId, f.other.address, hash("sale contract"));
      await f.registry.connect(f.szRegistrar).approveTransfer(f.assetId, ...(await pendingTransfer(f.registry, f.assetId)));
      await expect(f.dex.connect(f.buyer).order(1, PRICE))
        .to.be.revertedWithCustomError(f.dex, "NotAuthorisedSeller")
        .withArgs(f.assetId, f.holder.address);
    });

    it("refuses when the token was disallowed after listing (TokenNotAllowed)", async () => {
      const f = await loadFixture(listed);
      const token = await tokenAddr(f);
      await f.dex.setTokenAllowed(token, false);
      await expect(f.dex.connect(f.buyer).order(1, PRICE)).to.be.revertedWithCustomError(f.dex, "TokenNotAllowed").withArgs(token);
    });

    it("refuses a fee-on-transfer token (AmountNotReceived) and moves nothing", async () => {
      const f = await loadFixture(listed);
      const fot = await new FeeOnTransferToken__factory(f.admin).deploy();
      const fotAddr = await fot.getAddress();
      await f.dex.setTokenAllowed(fotAddr, true);
      await fot.mint(f.buyer.address, 1_000_000n);
      await fot.connect(f.buyer).approve(await dexAddr(f), ethers.MaxUint256);
      await f.dex.connect(f.holder).list(await listingTerms(f, f.assetId, { token: fotAddr, price: 10_000n }));
      await expect(f.dex.connect(f.buyer).order(2, 10_000n))
        .to.be.revertedWithCustomError(f.dex, "AmountNotReceived")
        .withArgs(10_000n, 9_900n);
      expect(await fot.balanceOf(f.buyer.address)).to.equal(1_000_000n);
      expect(await fot.balanceOf(await dexAddr(f))).to.equal(0n);
      expect(await f.dex.liabilitiesOf(fotAddr)).to.equal(0n);
      expect(await f.dex.orderCount()).to.equal(0n);
    });

    it("orderWithPermit: a buyer with no prior approval pays with an EIP-2612 signature", async () => {
      const f = await loadFixture(listed);
      const fresh = f.signers[15];
      await f.token.mint(fresh.address, PRICE);
      const dex = await dexAddr(f);
      expect(await f.token.allowance(fresh.address, dex)).to.equal(0n);
      await expect(f.dex.connect(fresh).order(1, PRICE))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(dex, 0, PRICE);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signPermit(f.token, fresh, dex, PRICE, deadline);
      const tx = await f.dex.connect(fresh).orderWithPermit(1, PRICE, deadline, sig.v, sig.r, sig.s);
      const { at } = await mined(tx);
      await expect(tx)
        .to.emit(f.dex, "Ordered")
        .withArgs(1, 1, fresh.address, f.assetId, f.holder.address, await tokenAddr(f), PRICE, SZ_FEE_BPS, at + DELIVERY, at);
      expect(await f.token.nonces(fresh.address)).to.equal(1n);
      expect(await f.token.allowance(fresh.address, dex)).to.equal(0n);
      expect(await f.token.balanceOf(fresh.address)).to.equal(0n);
      expect((await f.dex.orderOf(1)).buyer).to.equal(fresh.address);
      await expectSolvent(f);
    });

    it("orderWithPermit still succeeds when someone front-ran the permit", async () => {
      const f = await loadFixture(listed);
      const fresh = f.signers[15];
      await f.token.mint(fresh.address, PRICE);
      const dex = await dexAddr(f);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signPermit(f.token, fresh, dex, PRICE, deadline);
      // A watcher copies the signature from the mempool and submits the permit first.
      await f.token.connect(f.other).permit(fresh.address, dex, PRICE, deadline, sig.v, sig.r, sig.s);
      expect(await f.token.allowance(fresh.address, dex)).to.equal(PRICE);
      await expect(f.dex.connect(fresh).orderWithPermit(1, PRICE, deadline, sig.v, sig.r, sig.s)).to.emit(f.dex, "Ordered");
      expect((await f.dex.orderOf(1)).buyer).to.equal(fresh.address);
      expect(await f.token.balanceOf(dex)).to.equal(PRICE);
    });

    it("orderWithPermit with a bad signature and no allowance reverts in the token transfer", async () => {
      const f = await loadFixture(listed);
      const fresh = f.signers[15];
      await f.token.mint(fresh.address, PRICE);
      const dex = await dexAddr(f);
      const deadline = BigInt(await time.latest()) + 3600n;
      const sig = await signPermit(f.token, fresh, dex, PRICE - 1n, deadline); // signed for another value
      await expect(f.dex.connect(fresh).orderWithPermit(1, PRICE, deadline, sig.v, sig.r, sig.s))
        .to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance")
        .withArgs(dex, 0, PRICE);
    });
  });

  // ================================================================ deliver
  describe("deliver", () => {
    it("the seller posts the proof: Delivered event with acceptanceEndsAt, status Delivered", async () => {
      const f = await loadFixture(listed);
      await f.dex.connect(f.buyer).order(1, PRICE);
      const proof = hash("delivery");
      const tx = await f.dex.connect(f.holder).deliver(1, proof);
      const { at } = await mined(tx);
      await expect(tx).to.emit(f.dex, "Delivered").withArgs(1, f.holder.address, proof, at + ACCEPTANCE, at);
      const o = await f.dex.orderOf(1);
      expect(o.status).to.equal(BigInt(OrderStatus.Delivered));
      expect(o.deliveredAt).to.equal(at);
    });

    it("refuses anyone but the seller, a second delivery, a zero hash and an unknown order", async () => {
      const f = await loadFixture(listed);
      await f.dex.connect(f.buyer).order(1, PRICE);
      await expect(f.dex.connect(f.buyer).deliver(1, hash())).to.be.revertedWithCustomError(f.dex, "NotSeller").withArgs(1, f.buyer.address);
      await expect(f.dex.connect(f.holder).deliver(1, ethers.ZeroHash)).to.be.revertedWithCustomError(f.dex, "ZeroHash");
      await expect(f.dex.connect(f.holder).deliver(2, hash())).to.be.revertedWithCustomError(f.dex, "UnknownOrder").withArgs(2);
      await f.dex.connect(f.holder).deliver(1, hash());
      await expect(f.dex.connect(f.holder).deliver(1, hash()))
        .to.be.revertedWithCustomError(f.dex, "WrongOrderStatus")
        .withArgs(1, OrderStatus.Delivered);
    });

    it("accepts delivery up to the deadline, refuses it after (DeliveryDeadlinePassed)", async () => {
      const f = await loadFixture(listed);
      await f.dex.connect(f.buyer).order(1, PRICE);
      await f.dex.connect(f.buyer2).order(1, PRICE);
      const d1 = (await f.dex.orderOf(1)).orderedAt + DELIVERY;
      const d2 = (await f.dex.orderOf(2)).orderedAt + DELIVERY;
      await time.setNextBlockTimestamp(d1);
      await f.dex.connect(f.holder).deliver(1, hash());
      expect(d2).to.be.greaterThan(d1);
      await time.setNextBlockTimestamp(d2 + 1n);
      await expect(f.dex.connect(f.holder).deliver(2, hash()))
        .to.be.revertedWithCustomError(f.dex, "DeliveryDeadlinePassed")
        .withArgs(2, d2);
    });
  });

  // ================================================================ accept and settlement splits
  describe("accept and settlement", () => {
    it("only the buyer accepts, only a delivered order", async () => {
      const f = await loadFixture(listed);
      await f.dex.connect(f.buyer).order(1, PRICE);
      await expect(f.dex.connect(f.buyer).accept(1)).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(1, OrderStatus.Paid);
      await f.dex.connect(f.holder).deliver(1, hash());
      await expect(f.dex.connect(f.other).accept(1)).to.be.revertedWithCustomError(f.dex, "NotBuyer").withArgs(1, f.other.address);
      await expect(f.dex.connect(f.holder).accept(1)).to.be.revertedWithCustomError(f.dex, "NotBuyer").withArgs(1, f.holder.address);
      await expect(f.dex.connect(f.buyer).accept(2)).to.be.revertedWithCustomError(f.dex, "UnknownOrder").withArgs(2);
      await f.dex.connect(f.buyer).accept(1);
      await expect(f.dex.connect(f.buyer).accept(1)).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(1, OrderStatus.Settled);
    });

    it("splits the price into exchange fee, merchant commission, royalty and seller net (exact amounts)", async () => {
      const f = await loadFixture(withRoyalty);
      const token = await tokenAddr(f);
      await f.dex.connect(f.buyer).order(1, PRICE);
      await f.dex.connect(f.holder).deliver(1, hash());
      const tx = await f.dex.connect(f.buyer).accept(1);
      const { receipt, at } = await mined(tx);
      await expect(tx).to.emit(f.dex, "Settled");
      // 5_000_000 fen: fee 1% = 50_000; commission 2.5% = 125_000; net 4_825_000; royalty 20% = 965_000; seller 3_860_000.
      const settlements = settlementsIn(f, receipt);
      expect(settlements.length).to.equal(1);
      const s = settlements[0];
      expect(s).to.deep.equal({
        orderId: 1n,
        listingId: 1n,
        assetId: f.assetId,
        offer: Offer.ProcessingUse,
        buyer: f.buyer.address,
        seller: f.holder.address,
        token,
        gross: 5_000_000n,
        venueId: SZ.id,
        venueTreasury: f.szTreasury.address,
        exchangeFee: 50_000n,
        merchant: f.merchant.address,
        merchantCommission: 125_000n,
        royalties: [{ assetId: f.parentId, payee: f.other.address, amount: 965_000n }],
        sellerNet: 3_860_000n,
        certId: 1n,
        settledAt: at,
      });
      const settledEvent = eventsIn(f.dex, receipt, "Settled")[0];
      expect(settledEvent.orderId).to.equal(1n);
      expect(settledEvent.buyer).to.equal(f.buyer.address);
      expect(settledEvent.seller).to.equal(f.holder.address);
      expect(await f.dex.creditOf(f.szTreasury.address, token)).to.equal(50_000n);
      expect(await f.dex.creditOf(f.merchant.address, token)).to.equal(125_000n);
      expect(await f.dex.creditOf(f.other.address, token)).to.equal(965_000n);
      expect(await f.dex.creditOf(f.holder.address, token)).to.equal(3_860_000n);
      expect(await f.dex.creditOf(f.buyer.address, token)).to.equal(0n);
      expect(await f.dex.liabilitiesOf(token)).to.equal(PRICE);
      expect((await f.dex.orderOf(1)).status).to.equal(BigInt(OrderStatus.Settled));
      await expectSolvent(f);
    });

    it("the buyer receives the licence: kind, scope, flags, term = settlement time + licenceTerm", async () => {
      const f = await loadFixture(withRoyalty);
      const { at, receipt } = await buyAndAccept(f, 1);
      expect(await f.rights.ownerOf(1)).to.equal(f.buyer.address);
      const r = await f.rights.rightOf(1);
      expect(r.assetId).to.equal(f.assetId);
      expect(r.kind).to.equal(BigInt(RightKind.ProcessingUse));
      expect(r.scopeMask).to.equal(0b0011n);
      expect(r.validFrom).to.equal(at);
      expect(r.validUntil).to.equal(at + BigInt(YEAR));
      expect(r.sublicensable).to.equal(false);
      expect(r.transferable).to.equal(false);
      expect(r.depth).to.equal(0n);
      expect(r.parentId).to.equal(0n);
      expect(r.revokedAt).to.equal(0n);
      expect(r.issuedByExchange).to.equal(true);
      expect(r.grantor).to.equal(ethers.ZeroAddress); // the seller is the grantor in RightGranted
      expect(eventsIn(f.rights, receipt, "RightGranted")[0].grantor).to.equal(f.holder.address);
      expect(await f.rights.isValid(1, at)).to.equal(true);
      const [g] = eventsIn(f.rights, receipt, "RightGranted");
      expect(g.certId).to.equal(1n);
      expect(g.holder).to.equal(f.buyer.address);
      expect(g.issuedBy).to.equal(await dexAddr(f));
      // The scope: the listing's scope hash travels in the grant's terms, with its mask, flags and term.
      expect(g.terms.scopeHash).to.equal(f.terms.scopeHash);
      expect(g.terms.scopeMask).to.equal(0b0011n);
      expect([g.terms.validFrom, g.terms.validUntil]).to.deep.equal([at, at + BigInt(YEAR)]);
      expect([g.terms.sublicensable, g.terms.transferable]).to.deep.equal([false, false]);
    });

    it("a product-operation offer issues a product-operation right with the listed flags", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      await m.dex
        .connect(m.holder)
        .list(await listingTerms(m, assetId, { offer: Offer.ProductOperation, licenceSublicensable: true, licenceTransferable: true, licenceTerm: 30 * DAY }));
      const { at, settlement } = await buyAndAccept(m, 1);
      expect(settlement.offer).to.equal(Offer.ProductOperation);
      const r = await m.rights.rightOf(settlement.certId);
      expect(r.kind).to.equal(BigInt(RightKind.ProductOperation));
      expect(r.sublicensable).to.equal(true);
      expect(r.transferable).to.equal(true);
      expect(r.validUntil).to.equal(at + BigInt(30 * DAY));
    });

    it("parts sum exactly to awkward prices with odd basis points", async () => {
      const m = await loadFixture(market);
      const { assetId: p1 } = await registerActive(m, m.other);
      const { assetId: p2 } = await registerActive(m, m.licensee);
      const { assetId } = await registerActive(m, m.holder, { parentIds: [p1, p2], parentSharesBps: [1234, 777] });
      await m.dex.setVenue(BJ.id, m.bjTreasury.address, 37);
      const big = MAX_UINT128;
      await m.token.mint(m.buyer.address, 2n * big); // enough for every price below
      await m.dex
        .connect(m.holder)
        .list(await listingTerms(m, assetId, { venueId: BJ.id, merchant: m.merchant.address, merchantBps: 333, price: 1n }));
      const token = await tokenAddr(m);
      const byPrice = new Map<bigint, SettlementOut>();
      for (const price of [1n, 3n, 7n, 10_001n, 999_999_999n, 123_456_789_012_345n, big]) {
        await m.dex.connect(m.holder).updateListing(1, price, 0, true);
        const before = await Promise.all([m.bjTreasury, m.merchant, m.other, m.licensee, m.holder].map((a) => m.dex.creditOf(a.address, token)));
        const { orderId, at, settlement } = await buyAndAccept(m, 1);
        byPrice.set(price, settlement);
        const split = await expectSettlement(m, settlement, { orderId, gross: price, at, certId: settlement.certId });
        expect(split.exchangeFee + split.merchantCommission + split.royalties[0].amount + split.royalties[1].amount + split.sellerNet).to.equal(price);
        const after = await Promise.all([m.bjTreasury, m.merchant, m.other, m.licensee, m.holder].map((a) => m.dex.creditOf(a.address, token)));
        expect(after.map((a, i) => a - before[i])).to.deep.equal([
          split.exchangeFee,
          split.merchantCommission,
          split.royalties[0].amount,
          split.royalties[1].amount,
          split.sellerNet,
        ]);
        if (price < 10n) {
          // Nothing rounds up: the seller keeps everything.
          expect(split.sellerNet).to.equal(price);
        }
      }
      // One worked by hand: 999_999_999 at 37 bps fee, 333 bps commission, parents 12.34% and 7.77%.
      const s = byPrice.get(999_999_999n)!;
      expect(s.exchangeFee).to.equal(3_699_999n); // floor(999_999_999 * 37 / 10000)
      expect(s.merchantCommission).to.equal(33_299_999n);
      // net 963_000_001
      expect(s.royalties.map((r) => r.amount)).to.deep.equal([118_834_200n, 74_825_100n]);
      expect(s.sellerNet).to.equal(769_340_701n);
      await expectSolvent(m);
    });

    it("pays royalties through three generations to each ancestor's holder (A <- B <- C <- D)", async () => {
      const m = await loadFixture(market);
      const [hA, hB, hC] = [m.other, m.licensee, m.signers[16]];
      const { assetId: A } = await registerActive(m, hA);
      const { assetId: B } = await registerActive(m, hB, { parentIds: [A], parentSharesBps: [3000] });
      const { assetId: C } = await registerActive(m, hC, { parentIds: [B], parentSharesBps: [2500] });
      const { assetId: D } = await registerActive(m, m.holder, { parentIds: [C], parentSharesBps: [1500] });
      // D passes 15% of its net up; C keeps 15% * (1 - 25%), B keeps 15% * 25% * (1 - 30%), A 15% * 25% * 30%.
      const table = await royaltyTable(m, D);
      expect(table).to.deep.equal([
        { assetId: A, share: 1_125n * 10n ** 11n }, // 1.125%
        { assetId: B, share: 2_625n * 10n ** 11n }, // 2.625%
        { assetId: C, share: 1_125n * 10n ** 12n }, // 11.25%
      ]);
      expect(table.reduce((a, e) => a + e.share, 0n)).to.equal((1500n * ROYALTY_DENOMINATOR) / 10_000n);
      await m.dex.connect(m.holder).list(await listingTerms(m, D));
      const { orderId, at, settlement } = await buyAndAccept(m, 1);
      const token = await tokenAddr(m);
      // net = 5_000_000 - 50_000 = 4_950_000.
      expect(settlement.royalties).to.deep.equal([
        { assetId: A, payee: hA.address, amount: 55_687n }, // floor(4_950_000 * 0.01125)
        { assetId: B, payee: hB.address, amount: 129_937n }, // floor(4_950_000 * 0.02625)
        { assetId: C, payee: hC.address, amount: 556_875n },
      ]);
      expect(settlement.sellerNet).to.equal(4_950_000n - 55_687n - 129_937n - 556_875n);
      await expectSettlement(m, settlement, { orderId, gross: PRICE, at, certId: 1n });
      expect(await m.dex.creditOf(hA.address, token)).to.equal(55_687n);
      expect(await m.dex.creditOf(hB.address, token)).to.equal(129_937n);
      expect(await m.dex.creditOf(hC.address, token)).to.equal(556_875n);
      expect(await m.dex.creditOf(m.holder.address, token)).to.equal(4_207_501n);
      expect(await m.dex.creditOf(m.szTreasury.address, token)).to.equal(50_000n);
    });

    it("pays a parent's royalty to its current holder after a registrar-approved transfer", async () => {
      const f = await loadFixture(withRoyalty);
      const token = await tokenAddr(f);
      await f.dex.connect(f.buyer).order(1, PRICE);
      await f.dex.connect(f.holder).deliver(1, hash());
      // The parent's holding moves from `other` to `buyer2` between order and settlement.
      await f.registry.connect(f.other).requestTransfer(f.parentId, f.buyer2.address, hash("transfer deed"));
      await f.registry.connect(f.szRegistrar).approveTransfer(f.parentId, ...(await pendingTransfer(f.registry, f.parentId)));
      expect(await f.registry.holderOf(f.parentId)).to.equal(f.buyer2.address);
      const { receipt, at } = await mined(f.dex.connect(f.buyer).accept(1));
      const [s] = settlementsIn(f, receipt);
      expect(s.royalties).to.deep.equal([{ assetId: f.parentId, payee: f.buyer2.address, amount: 965_000n }]);
      await expectSettlement(f, s, { orderId: 1n, gross: PRICE, at, certId: 1n });
      expect(await f.dex.creditOf(f.buyer2.address, token)).to.equal(965_000n);
      expect(await f.dex.creditOf(f.other.address, token)).to.equal(0n);
    });

    it("pays a parent's royalty to whoever bought the parent's holding on the exchange", async () => {
      const f = await loadFixture(withRoyalty);
      const token = await tokenAddr(f);
      // The parent's holder (`other`) sells the parent's holding right itself: buyer2 becomes its holder.
      await f.dex.connect(f.other).list(await listingTerms(f, f.parentId, { offer: Offer.HoldingTransfer, maxQuantity: 1 }));
      const parentSale = await buyAndAccept(f, 2, f.buyer2);
      expect(parentSale.settlement.certId).to.equal(f.parentId);
      expect(await f.registry.ownerOf(f.parentId)).to.equal(f.buyer2.address);
      const [, payees] = await f.registry.royaltyPayeesOf(f.assetId);
      expect([...payees]).to.deep.equal([f.buyer2.address]);
      const otherBefore = await f.dex.creditOf(f.other.address, token);
      // A sale of the child now credits the parent's share to buyer2, not to the former holder.
      const { orderId, at, settlement } = await buyAndAccept(f, 1);
      expect(settlement.royalties).to.deep.equal([{ assetId: f.parentId, payee: f.buyer2.address, amount: 965_000n }]);
      await expectSettlement(f, settlement, { orderId, gross: PRICE, at, certId: settlement.certId });
      expect(await f.dex.creditOf(f.buyer2.address, token)).to.equal(965_000n);
      expect(await f.dex.creditOf(f.other.address, token)).to.equal(otherBefore);
      await expectSolvent(f);
    });

    it("the venue fee is the one in force when the order was placed", async () => {
      const f = await loadFixture(listed);
      await f.dex.connect(f.buyer).order(1, PRICE);
      await f.dex.setVenue(SZ.id, f.szTreasury.address, 2500);
      await f.dex.connect(f.holder).deliver(1, hash());
      const { receipt, at } = await mined(f.dex.connect(f.buyer).accept(1));
      const [s] = settlementsIn(f, receipt);
      expect(s.exchangeFee).to.equal(PRICE / 100n);
      await expectSettlement(f, s, { orderId: 1n, gross: PRICE, at, certId: 1n, feeBps: BigInt(SZ_FEE_BPS) });
      // A later order pays the new fee.
      const next = await buyAndAccept(f, 1, f.buyer2);
      expect(next.settlement.exchangeFee).to.equal((PRICE * 2500n) / 10_000n);
    });

    it("a holding transfer moves the registration certificate to the buyer (HoldingTransferred with the order id)", async () => {
      const m = await loadFixture(market);
      const { assetId: parentId } = await registerActive(m, m.other);
      const { assetId } = await registerActive(m, m.holder, { parentIds: [parentId], parentSharesBps: [1000] });
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { offer: Offer.HoldingTransfer, maxQuantity: 1, venueId: BJ.id }));
      await m.dex.connect(m.buyer).order(1, PRICE);
      await expect(m.dex.connect(m.buyer2).order(1, PRICE)).to.be.revertedWithCustomError(m.dex, "SoldOut").withArgs(1);
      await m.dex.connect(m.holder).deliver(1, hash());
      const tx = await m.dex.connect(m.buyer).accept(1);
      const { receipt, at } = await mined(tx);
      await expect(tx)
        .to.emit(m.registry, "HoldingTransferred")
        .withArgs(assetId, m.holder.address, m.buyer.address, await dexAddr(m), 1, at);
      expect(await m.registry.ownerOf(assetId)).to.equal(m.buyer.address);
      expect(await m.registry.holderOf(assetId)).to.equal(m.buyer.address);
      expect(await m.rights.certificateCount()).to.equal(0n);
      const [s] = settlementsIn(m, receipt);
      expect(s.offer).to.equal(Offer.HoldingTransfer);
      expect(s.certId).to.equal(assetId);
      await expectSettlement(m, s, { orderId: 1n, gross: PRICE, at, certId: assetId });
      // fee 0.5% = 25_000; net 4_975_000; royalty 10% = 497_500.
      expect(s.exchangeFee).to.equal(25_000n);
      expect(s.royalties[0].amount).to.equal(497_500n);
      expect(s.sellerNet).to.equal(4_477_500n);
      // The former holder can no longer sell licences over it.
      await expect(m.dex.connect(m.holder).list(await listingTerms(m, assetId)))
        .to.be.revertedWithCustomError(m.dex, "NotAuthorisedSeller")
        .withArgs(assetId, m.holder.address);
      await m.dex.connect(m.buyer).list(await listingTerms(m, assetId));
    });
  });

  // ================================================================ settle after the window
  describe("settle", () => {
    it("anyone settles once the acceptance window passed; not before (AcceptanceWindowOpen); never twice", async () => {
      const f = await loadFixture(delivered);
      const endsAt = (await f.dex.orderOf(1)).deliveredAt + ACCEPTANCE;
      await expect(f.dex.connect(f.other).settle(1)).to.be.revertedWithCustomError(f.dex, "AcceptanceWindowOpen").withArgs(1, endsAt);
      await time.setNextBlockTimestamp(endsAt);
      await expect(f.dex.connect(f.other).settle(1)).to.be.revertedWithCustomError(f.dex, "AcceptanceWindowOpen").withArgs(1, endsAt);
      await time.setNextBlockTimestamp(endsAt + 1n);
      const { receipt, at } = await mined(f.dex.connect(f.other).settle(1));
      expect(at).to.equal(endsAt + 1n);
      const [s] = settlementsIn(f, receipt);
      await expectSettlement(f, s, { orderId: 1n, gross: PRICE, at, certId: 1n });
      expect(await f.rights.ownerOf(1)).to.equal(f.buyer.address);
      await expect(f.dex.connect(f.other).settle(1)).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(1, OrderStatus.Settled);
      await expect(f.dex.connect(f.buyer).accept(1)).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(1, OrderStatus.Settled);
      await expect(f.dex.connect(f.buyer).dispute(1, hash())).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(1, OrderStatus.Settled);
    });

    it("refuses an undelivered order", async () => {
      const f = await loadFixture(listed);
      await f.dex.connect(f.buyer).order(1, PRICE);
      await time.increase(30 * DAY);
      await expect(f.dex.settle(1)).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(1, OrderStatus.Paid);
      await expect(f.dex.settle(2)).to.be.revertedWithCustomError(f.dex, "UnknownOrder").withArgs(2);
    });
  });

  // ================================================================ rights lapsed at settlement
  describe("rights lapsed at settlement", () => {
    it("asset cancelled after delivery: settlement refunds the buyer (RightsLapsed), issues nothing", async () => {
      const f = await loadFixture(delivered);
      const token = await tokenAddr(f);
      await f.registry.connect(f.holder).cancel(f.assetId, "data withdrawn");
      await time.increase(ACCEPTANCE + 1n);
      const tx = await f.dex.connect(f.other).settle(1);
      const { at } = await mined(tx);
      await expect(tx).to.emit(f.dex, "Refunded").withArgs(1, f.buyer.address, token, PRICE, RefundReason.RightsLapsed, at);
      await expect(tx).not.to.emit(f.dex, "Settled");
      expect((await f.dex.orderOf(1)).status).to.equal(BigInt(OrderStatus.Refunded));
      expect(await f.dex.creditOf(f.buyer.address, token)).to.equal(PRICE);
      expect(await f.dex.creditOf(f.holder.address, token)).to.equal(0n);
      expect(await f.dex.creditOf(f.szTreasury.address, token)).to.equal(0n);
      expect(await f.rights.certificateCount()).to.equal(0n);
      expect((await f.dex.listingOf(1)).sold).to.equal(0n);
      await expectSolvent(f);
    });

    it("seller lost the holding after delivery: accept refunds the buyer (RightsLapsed)", async () => {
      const f = await loadFixture(delivered);
      await f.registry.connect(f.holder).requestTransfer(f.assetId, f.other.address, hash());
      await f.registry.connect(f.szRegistrar).approveTransfer(f.assetId, ...(await pendingTransfer(f.registry, f.assetId)));
      const tx = await f.dex.connect(f.buyer).accept(1);
      const { at } = await mined(tx);
      await expect(tx).to.emit(f.dex, "Refunded").withArgs(1, f.buyer.address, await tokenAddr(f), PRICE, RefundReason.RightsLapsed, at);
      expect(await f.rights.certificateCount()).to.equal(0n);
    });

    it("a late acceptance whose licence would outlive the seller's right refunds the buyer instead of shortening it", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      const operator = m.signers[14];
      const opUntil = BigInt(await time.latest()) + 30n * BigInt(DAY);
      await m.rights
        .connect(m.holder)
        .grant(grantTerms(assetId, { kind: RightKind.ProductOperation, sublicensable: true, validUntil: opUntil }), operator.address);
      await m.dex.connect(operator).list(await listingTerms(m, assetId, { sellerCertId: 1, licenceTerm: BigInt(DAY) }));
      await m.dex.connect(m.buyer).order(1, PRICE);
      await m.dex.connect(operator).deliver(1, hash("delivery"));
      await time.setNextBlockTimestamp(opUntil); // the operator's right is still valid, but a day's licence would outlive it
      const tx = await m.dex.connect(m.buyer).accept(1);
      await expect(tx).to.emit(m.dex, "Refunded").withArgs(1, m.buyer.address, await tokenAddr(m), PRICE, RefundReason.RightsLapsed, opUntil);
      expect(await m.rights.certificateCount()).to.equal(1n);
      await expectSolvent(m);
    });

    it("a holding transfer whose asset expired before settlement is refunded", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder, { validityPeriod: 30 * DAY });
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { offer: Offer.HoldingTransfer, maxQuantity: 1, acceptanceWindow: 60 * DAY }));
      await m.dex.connect(m.buyer).order(1, PRICE);
      await m.dex.connect(m.holder).deliver(1, hash());
      await time.increaseTo((await m.registry.assetOf(assetId)).validUntil + 1n);
      const tx = await m.dex.connect(m.buyer).accept(1);
      await expect(tx).to.emit(m.dex, "Refunded");
      expect(await m.registry.holderOf(assetId)).to.equal(m.holder.address);
      expect(await m.dex.creditOf(m.buyer.address, await tokenAddr(m))).to.equal(PRICE);
    });
  });

  // ================================================================ disputes
  describe("dispute", () => {
    it("only the buyer disputes, within the window, with evidence; Disputed event", async () => {
      const f = await loadFixture(delivered);
      const endsAt = (await f.dex.orderOf(1)).deliveredAt + ACCEPTANCE;
      await expect(f.dex.connect(f.other).dispute(1, hash())).to.be.revertedWithCustomError(f.dex, "NotBuyer").withArgs(1, f.other.address);
      await expect(f.dex.connect(f.buyer).dispute(1, ethers.ZeroHash)).to.be.revertedWithCustomError(f.dex, "ZeroHash");
      const evidence = hash("evidence");
      await time.setNextBlockTimestamp(endsAt);
      const tx = await f.dex.connect(f.buyer).dispute(1, evidence);
      await expect(tx).to.emit(f.dex, "Disputed").withArgs(1, f.buyer.address, evidence, endsAt);
      expect((await f.dex.orderOf(1)).status).to.equal(BigInt(OrderStatus.Disputed));
      // A disputed order neither settles nor is accepted.
      await time.increase(DAY);
      await expect(f.dex.settle(1)).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(1, OrderStatus.Disputed);
      await expect(f.dex.connect(f.buyer).accept(1)).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(1, OrderStatus.Disputed);
      await expect(f.dex.connect(f.buyer).dispute(1, hash())).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(1, OrderStatus.Disputed);
    });

    it("refuses a dispute after the window (AcceptanceWindowClosed) and on an undelivered order", async () => {
      const f = await loadFixture(delivered);
      const endsAt = (await f.dex.orderOf(1)).deliveredAt + ACCEPTANCE;
      await f.dex.connect(f.buyer2).order(1, PRICE);
      await expect(f.dex.connect(f.buyer2).dispute(2, hash())).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(2, OrderStatus.Paid);
      await time.setNextBlockTimestamp(endsAt + 1n);
      await expect(f.dex.connect(f.buyer).dispute(1, hash()))
        .to.be.revertedWithCustomError(f.dex, "AcceptanceWindowClosed")
        .withArgs(1, endsAt);
    });

    it("resolveDispute is for ARBITER_ROLE only", async () => {
      const f = await loadFixture(disputed);
      await expect(f.dex.connect(f.buyer).resolveDispute(1, PRICE, hash()))
        .to.be.revertedWithCustomError(f.dex, "AccessControlUnauthorizedAccount")
        .withArgs(f.buyer.address, await f.dex.ARBITER_ROLE());
      await expect(f.dex.connect(f.admin).resolveDispute(1, PRICE, hash()))
        .to.be.revertedWithCustomError(f.dex, "AccessControlUnauthorizedAccount")
        .withArgs(f.admin.address, await f.dex.ARBITER_ROLE());
    });

    it("full refund: status Refunded, buyer credited the price, the unit is free again, nothing issued", async () => {
      const m = await loadFixture(market);
      const { assetId } = await registerActive(m, m.holder);
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { maxQuantity: 1 }));
      await m.dex.connect(m.buyer).order(1, PRICE);
      await m.dex.connect(m.holder).deliver(1, hash());
      await m.dex.connect(m.buyer).dispute(1, hash());
      await expect(m.dex.connect(m.buyer2).order(1, PRICE)).to.be.revertedWithCustomError(m.dex, "SoldOut").withArgs(1);
      const resolution = hash("award");
      const token = await tokenAddr(m);
      const tx = await m.dex.connect(m.arbiter).resolveDispute(1, PRICE, resolution);
      const { at } = await mined(tx);
      await expect(tx).to.emit(m.dex, "DisputeResolved").withArgs(1, m.arbiter.address, PRICE, 0, resolution, at);
      await expect(tx).to.emit(m.dex, "Refunded").withArgs(1, m.buyer.address, token, PRICE, RefundReason.Arbitration, at);
      await expect(tx).not.to.emit(m.dex, "Settled");
      expect((await m.dex.orderOf(1)).status).to.equal(BigInt(OrderStatus.Refunded));
      expect(await m.dex.creditOf(m.buyer.address, token)).to.equal(PRICE);
      expect(await m.dex.creditOf(m.holder.address, token)).to.equal(0n);
      expect(await m.rights.certificateCount()).to.equal(0n);
      expect((await m.dex.listingOf(1)).sold).to.equal(0n);
      await m.dex.connect(m.buyer2).order(1, PRICE);
      await expect(m.dex.connect(m.arbiter).resolveDispute(1, 0, hash()))
        .to.be.revertedWithCustomError(m.dex, "WrongOrderStatus")
        .withArgs(1, OrderStatus.Refunded);
      await expectSolvent(m);
    });

    it("partial refund: buyer credited the refund, the rest settles with fee and royalties on the remainder, licence issued", async () => {
      const m = await loadFixture(market);
      const { assetId: parentId } = await registerActive(m, m.other);
      const { assetId } = await registerActive(m, m.holder, { parentIds: [parentId], parentSharesBps: [2000] });
      await m.dex.connect(m.holder).list(await listingTerms(m, assetId));
      await m.dex.connect(m.buyer).order(1, PRICE);
      await m.dex.connect(m.holder).deliver(1, hash());
      await m.dex.connect(m.buyer).dispute(1, hash());
      const refund = 1_234_567n;
      const resolution = hash("award");
      const token = await tokenAddr(m);
      const tx = await m.dex.connect(m.arbiter).resolveDispute(1, refund, resolution);
      const { receipt, at } = await mined(tx);
      await expect(tx).to.emit(m.dex, "DisputeResolved").withArgs(1, m.arbiter.address, refund, PRICE - refund, resolution, at);
      await expect(tx).to.emit(m.dex, "Refunded").withArgs(1, m.buyer.address, token, refund, RefundReason.Arbitration, at);
      const [s] = settlementsIn(m, receipt);
      // gross 3_765_433: fee 37_654; net 3_727_779; royalty 20% 745_555; seller 2_982_224.
      expect(s.gross).to.equal(3_765_433n);
      expect(s.exchangeFee).to.equal(37_654n);
      expect(s.royalties).to.deep.equal([{ assetId: parentId, payee: m.other.address, amount: 745_555n }]);
      expect(s.sellerNet).to.equal(2_982_224n);
      await expectSettlement(m, s, { orderId: 1n, gross: PRICE - refund, at, certId: 1n });
      expect(await m.dex.creditOf(m.buyer.address, token)).to.equal(refund);
      expect(await m.dex.creditOf(m.szTreasury.address, token)).to.equal(37_654n);
      expect(await m.dex.creditOf(m.other.address, token)).to.equal(745_555n);
      expect(await m.dex.creditOf(m.holder.address, token)).to.equal(2_982_224n);
      expect((await m.dex.orderOf(1)).status).to.equal(BigInt(OrderStatus.Settled));
      expect(await m.rights.ownerOf(1)).to.equal(m.buyer.address);
      expect((await m.dex.listingOf(1)).sold).to.equal(1n);
      await expectSolvent(m);
    });

    it("a zero refund settles in full; a refund above the price and a zero resolution hash are refused", async () => {
      const f = await loadFixture(disputed);
      await expect(f.dex.connect(f.arbiter).resolveDispute(1, PRICE + 1n, hash()))
        .to.be.revertedWithCustomError(f.dex, "RefundExceedsPrice")
        .withArgs(PRICE + 1n, PRICE);
      await expect(f.dex.connect(f.arbiter).resolveDispute(1, 0, ethers.ZeroHash)).to.be.revertedWithCustomError(f.dex, "ZeroHash");
      const tx = await f.dex.connect(f.arbiter).resolveDispute(1, 0, hash());
      const { receipt, at } = await mined(tx);
      await expect(tx).not.to.emit(f.dex, "Refunded");
      const [s] = settlementsIn(f, receipt);
      await expectSettlement(f, s, { orderId: 1n, gross: PRICE, at, certId: 1n });
    });

    it("an arbiter's ruling stands even when the seller can no longer grant anything: money as ruled, no licence (finding 5)", async () => {
      const f = await loadFixture(disputed);
      const token = await tokenAddr(f);
      // The buyer stalls; meanwhile the registration ends. Before the fix this turned the ruling into a full refund.
      await f.registry.connect(f.holder).cancel(f.assetId, "withdrawn");
      const tx = await f.dex.connect(f.arbiter).resolveDispute(1, 1_000n, hash());
      const { receipt, at } = await mined(tx);
      await expect(tx).to.emit(f.dex, "Refunded").withArgs(1, f.buyer.address, token, 1_000n, RefundReason.Arbitration, at);
      const [s] = settlementsIn(f, receipt);
      expect(s.gross).to.equal(PRICE - 1_000n);
      expect(s.certId).to.equal(0n);
      expect(await f.rights.certificateCount()).to.equal(0n);
      expect(await f.dex.creditOf(f.buyer.address, token)).to.equal(1_000n);
      expect((await f.dex.orderOf(1)).status).to.equal(BigInt(OrderStatus.Settled));
      await expectSolvent(f);
    });
  });

  // ================================================================ refundUndelivered
  describe("refundUndelivered", () => {
    it("refunds only after the delivery deadline, only to the buyer", async () => {
      const f = await loadFixture(listed);
      const token = await tokenAddr(f);
      await f.dex.connect(f.buyer).order(1, PRICE);
      const deadline = (await f.dex.orderOf(1)).orderedAt + DELIVERY;
      await expect(f.dex.connect(f.buyer).refundUndelivered(1))
        .to.be.revertedWithCustomError(f.dex, "DeliveryDeadlineNotPassed")
        .withArgs(1, deadline);
      await time.setNextBlockTimestamp(deadline);
      await expect(f.dex.connect(f.buyer).refundUndelivered(1))
        .to.be.revertedWithCustomError(f.dex, "DeliveryDeadlineNotPassed")
        .withArgs(1, deadline);
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(f.dex.connect(f.other).refundUndelivered(1)).to.be.revertedWithCustomError(f.dex, "NotBuyer").withArgs(1, f.other.address);
      const tx = await f.dex.connect(f.buyer).refundUndelivered(1);
      const { at } = await mined(tx);
      await expect(tx).to.emit(f.dex, "Refunded").withArgs(1, f.buyer.address, token, PRICE, RefundReason.NotDelivered, at);
      expect((await f.dex.orderOf(1)).status).to.equal(BigInt(OrderStatus.Refunded));
      expect(await f.dex.creditOf(f.buyer.address, token)).to.equal(PRICE);
      expect((await f.dex.listingOf(1)).sold).to.equal(0n);
      await expect(f.dex.connect(f.buyer).refundUndelivered(1))
        .to.be.revertedWithCustomError(f.dex, "WrongOrderStatus")
        .withArgs(1, OrderStatus.Refunded);
      // The seller cannot deliver a refunded order.
      await expect(f.dex.connect(f.holder).deliver(1, hash())).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus").withArgs(1, OrderStatus.Refunded);
      await expectSolvent(f);
    });

    it("refuses once delivered", async () => {
      const f = await loadFixture(delivered);
      await time.increase(DELIVERY + 1n);
      await expect(f.dex.connect(f.buyer).refundUndelivered(1))
        .to.be.revertedWithCustomError(f.dex, "WrongOrderStatus")
        .withArgs(1, OrderStatus.Delivered);
    });

    it("works while the exchange is paused", async () => {
      const f = await loadFixture(listed);
      await f.dex.connect(f.buyer).order(1, PRICE);
      await time.increase(DELIVERY + 1n);
      await f.dex.pause();
      await expect(f.dex.connect(f.buyer).refundUndelivered(1)).to.emit(f.dex, "Refunded");
      await expect(f.dex.connect(f.buyer).withdraw(await tokenAddr(f), f.buyer.address)).to.emit(f.dex, "Withdrawn");
    });
  });

  // ================================================================ withdraw
  describe("withdraw", () => {
    it("pays out the caller's own credits exactly: Withdrawn event, balances, liabilities", async () => {
      const f = await loadFixture(withRoyalty);
      await buyAndAccept(f, 1);
      const token = await tokenAddr(f);
      const dex = await dexAddr(f);
      const payout = f.signers[17]; // withdraw to another address
      const tx = await f.dex.connect(f.holder).withdraw(token, payout.address);
      const { at } = await mined(tx);
      await expect(tx).to.emit(f.dex, "Withdrawn").withArgs(f.holder.address, token, payout.address, 3_860_000n, at);
      await expect(tx).to.changeTokenBalances(f.token, [dex, payout, f.holder], [-3_860_000n, 3_860_000n, 0n]);
      expect(await f.dex.creditOf(f.holder.address, token)).to.equal(0n);
      expect(await f.dex.liabilitiesOf(token)).to.equal(PRICE - 3_860_000n);
      for (const [acct, amount] of [
        [f.szTreasury, 50_000n],
        [f.merchant, 125_000n],
        [f.other, 965_000n],
      ] as const) {
        await expect(f.dex.connect(acct).withdraw(token, acct.address)).to.changeTokenBalances(f.token, [dex, acct], [-amount, amount]);
      }
      expect(await f.token.balanceOf(dex)).to.equal(0n);
      expect(await f.dex.liabilitiesOf(token)).to.equal(0n);
      await expect(f.dex.connect(f.holder).withdraw(token, f.holder.address)).to.be.revertedWithCustomError(f.dex, "NothingToWithdraw");
    });

    it("another account cannot touch someone's credits; zero recipient refused", async () => {
      const f = await loadFixture(withRoyalty);
      await buyAndAccept(f, 1);
      const token = await tokenAddr(f);
      await expect(f.dex.connect(f.buyer2).withdraw(token, f.buyer2.address)).to.be.revertedWithCustomError(f.dex, "NothingToWithdraw");
      await expect(f.dex.connect(f.buyer).withdraw(token, f.buyer.address)).to.be.revertedWithCustomError(f.dex, "NothingToWithdraw");
      await expect(f.dex.connect(f.holder).withdraw(token, ethers.ZeroAddress))
        .to.be.revertedWithCustomError(f.dex, "InvalidRecipient")
        .withArgs(ethers.ZeroAddress);
      expect(await f.dex.creditOf(f.holder.address, token)).to.equal(3_860_000n);
      // Credits are per token.
      const other = await settlementToken(f, 2, [], 0n);
      await expect(f.dex.connect(f.holder).withdraw(await other.getAddress(), f.holder.address)).to.be.revertedWithCustomError(f.dex, "NothingToWithdraw");
      await expectSolvent(f);
    });

    it("works while paused", async () => {
      const f = await loadFixture(withRoyalty);
      await buyAndAccept(f, 1);
      await f.dex.pause();
      await expect(f.dex.connect(f.holder).withdraw(await tokenAddr(f), f.holder.address)).to.changeTokenBalance(f.token, f.holder, 3_860_000n);
    });
  });

  // ================================================================ pause
  describe("pause", () => {
    it("a paused exchange refuses list, update, order, orderWithPermit, deliver, accept, settle, dispute, resolve", async () => {
      const f = await loadFixture(listed);
      for (const b of [f.buyer, f.buyer2, f.other, f.licensee]) await f.dex.connect(b).order(1, PRICE); // orders 1-4
      await f.dex.connect(f.holder).deliver(2, hash());
      await f.dex.connect(f.holder).deliver(3, hash());
      await f.dex.connect(f.holder).deliver(4, hash());
      await f.dex.connect(f.other).dispute(3, hash());
      await time.increase(ACCEPTANCE + 1n); // order 4 can be settled
      await f.dex.pause();
      const paused = async (p: Promise<unknown>) => expect(p).to.be.revertedWithCustomError(f.dex, "EnforcedPause");
      await paused(f.dex.connect(f.holder).list(f.terms));
      await paused(f.dex.connect(f.holder).updateListing(1, PRICE, 0, true));
      await paused(f.dex.connect(f.buyer).order(1, PRICE));
      await paused(f.dex.connect(f.buyer).orderWithPermit(1, PRICE, 0, 27, ethers.ZeroHash, ethers.ZeroHash));
      await paused(f.dex.connect(f.holder).deliver(1, hash()));
      await paused(f.dex.connect(f.buyer2).accept(2));
      await paused(f.dex.connect(f.other).settle(4));
      await paused(f.dex.connect(f.buyer2).dispute(2, hash()));
      await paused(f.dex.connect(f.arbiter).resolveDispute(3, 0, hash()));
      await f.dex.unpause();
      await expect(f.dex.settle(4)).to.emit(f.dex, "Settled");
      await expect(f.dex.connect(f.arbiter).resolveDispute(3, PRICE, hash())).to.emit(f.dex, "Refunded");
    });
  });

  // ================================================================ reentrancy
  // ================================================================ findings of the independent review (issue 16)
  describe("trading time: a pause does not count against a party who could not act (finding 1)", () => {
    it("a pause outlasting the acceptance window: the buyer can still dispute after the unpause; nobody can settle early", async () => {
      const f = await loadFixture(delivered);
      const deliveredAt = (await f.dex.orderOf(1)).deliveredAt;
      const pausedAt = deliveredAt + BigInt(DAY);
      await time.setNextBlockTimestamp(pausedAt);
      await f.dex.pause();
      const resumedAt = pausedAt + 10n * BigInt(DAY); // longer than the 3-day acceptance window
      await time.setNextBlockTimestamp(resumedAt);
      await expect(f.dex.unpause()).to.emit(f.dex, "TradingClockResumed").withArgs(pausedAt, resumedAt, resumedAt - pausedAt, resumedAt - pausedAt);
      const endsAt = deliveredAt + ACCEPTANCE + (resumedAt - pausedAt);
      await expect(f.dex.connect(f.other).settle(1)).to.be.revertedWithCustomError(f.dex, "AcceptanceWindowOpen").withArgs(1, endsAt);
      await expect(f.dex.connect(f.buyer).dispute(1, hash("evidence"))).to.emit(f.dex, "Disputed");
    });

    it("a pause outlasting the delivery window: the seller can still deliver, and the buyer's refund waits", async () => {
      const f = await loadFixture(listed);
      await f.dex.connect(f.buyer).order(1, PRICE);
      const orderedAt = (await f.dex.orderOf(1)).orderedAt;
      await f.dex.pause();
      const pausedAt = BigInt(await time.latest());
      await time.increase(20 * DAY);
      // While paused, the clock is stopped: no refund although the 7-day window has passed on the wall clock.
      const during = orderedAt + DELIVERY + (BigInt(await time.latest()) + 1n - pausedAt);
      await expect(f.dex.connect(f.buyer).refundUndelivered(1)).to.be.revertedWithCustomError(f.dex, "DeliveryDeadlineNotPassed").withArgs(1, during);
      await f.dex.unpause();
      const pausedFor = BigInt(await time.latest()) - pausedAt;
      await expect(f.dex.connect(f.holder).deliver(1, hash("delivery"))).to.emit(f.dex, "Delivered");
      expect(orderedAt + DELIVERY + pausedFor).to.be.greaterThan(BigInt(await time.latest()));
    });

    it("a pause before an order does not lengthen it; only pauses while it runs do", async () => {
      const f = await loadFixture(listed);
      await f.dex.pause();
      await time.increase(30 * DAY);
      await f.dex.unpause();
      await f.dex.connect(f.buyer).order(1, PRICE);
      const deadline = (await f.dex.orderOf(1)).orderedAt + DELIVERY;
      await time.setNextBlockTimestamp(deadline + 1n);
      await expect(f.dex.connect(f.buyer).refundUndelivered(1)).to.emit(f.dex, "Refunded");
    });
  });

  describe("paid licences (finding 2)", () => {
    it("the seller cannot void a licence it sold: no revocation, no cancellation of the registration while it runs", async () => {
      const f = await loadFixture(listed);
      const { settlement, at } = await buyAndAccept(f, 1);
      await expect(f.rights.connect(f.holder).revoke(settlement.certId, "changed my mind")).to.be.revertedWithCustomError(f.rights, "NotGrantorOrRegistrar");
      const until = at + BigInt(YEAR);
      expect((await f.registry.assetOf(f.assetId)).paidLicencesUntil).to.equal(until);
      await expect(f.registry.connect(f.holder).cancel(f.assetId, "withdrawn"))
        .to.be.revertedWithCustomError(f.registry, "PaidLicencesLive")
        .withArgs(f.assetId, until);
      expect(await f.rights.isValid(settlement.certId, until)).to.equal(true);
      // After the last paid licence ends, the holder may cancel.
      await time.increaseTo(until + 1n);
      await expect(f.registry.connect(f.holder).cancel(f.assetId, "withdrawn")).to.emit(f.registry, "RegistrationCancelled");
    });

    it("remedyLicence: an arbiter revokes a paid licence and moves the refund from the seller's unwithdrawn credits", async () => {
      const f = await loadFixture(listed);
      const token = await tokenAddr(f);
      const { settlement } = await buyAndAccept(f, 1);
      const sellerCredit = await f.dex.creditOf(f.holder.address, token);
      await expect(f.dex.connect(f.holder).remedyLicence(1, settlement.certId, 1n, hash())).to.be.revertedWithCustomError(f.dex, "AccessControlUnauthorizedAccount");
      await expect(f.dex.connect(f.arbiter).remedyLicence(1, settlement.certId, PRICE + 1n, hash())).to.be.revertedWithCustomError(f.dex, "RefundExceedsPrice");
      await expect(f.dex.connect(f.arbiter).remedyLicence(1, 999, 1n, hash())).to.be.revertedWithCustomError(f.dex, "NotALicenceOf").withArgs(1, 999);
      const refund = PRICE / 2n;
      const tx = f.dex.connect(f.arbiter).remedyLicence(1, settlement.certId, refund, hash("ruling"));
      await expect(tx).to.emit(f.dex, "LicenceRemedied");
      await expect(tx).to.emit(f.rights, "RightRevoked");
      expect(await f.rights.isValid(settlement.certId, await time.latest())).to.equal(false);
      expect(await f.dex.creditOf(f.buyer.address, token)).to.equal(refund);
      expect(await f.dex.creditOf(f.holder.address, token)).to.equal(sellerCredit - refund);
      expect((await f.dex.orderOf(1)).status).to.equal(6n); // Remedied
      await expect(f.dex.connect(f.arbiter).remedyLicence(1, settlement.certId, 1n, hash())).to.be.revertedWithCustomError(f.dex, "WrongOrderStatus");
      await expectSolvent(f);
    });

    it("remedyLicence takes only the order's own licence, never another buyer's", async () => {
      const f = await loadFixture(listed);
      const first = await buyAndAccept(f, 1, f.buyer);
      const second = await buyAndAccept(f, 1, f.buyer2);
      await expect(f.dex.connect(f.arbiter).remedyLicence(first.orderId, second.settlement.certId, 1n, hash()))
        .to.be.revertedWithCustomError(f.dex, "NotALicenceOf")
        .withArgs(first.orderId, second.settlement.certId);
      await expect(f.dex.connect(f.arbiter).remedyLicence(first.orderId, first.settlement.certId, 1n, hash())).to.emit(f.dex, "LicenceRemedied");
      expect(await f.rights.isValid(second.settlement.certId, await time.latest())).to.equal(true);
    });

    it("remedyLicence pays only what the seller has not withdrawn, and records the shortfall", async () => {
      const f = await loadFixture(listed);
      const token = await tokenAddr(f);
      const { settlement } = await buyAndAccept(f, 1);
      await f.dex.connect(f.holder).withdraw(token, f.holder.address);
      // The registrar revoked it for cause first; the arbiter's remedy then only compensates.
      await f.rights.connect(f.szRegistrar).revoke(settlement.certId, "source authorisation withdrawn");
      await expect(f.dex.connect(f.arbiter).remedyLicence(1, settlement.certId, PRICE, hash("ruling")))
        .to.emit(f.dex, "LicenceRemedied")
        .withArgs(1, settlement.certId, f.arbiter.address, f.buyer.address, f.holder.address, token, PRICE, 0n, anyValue, anyValue);
      expect(await f.dex.creditOf(f.buyer.address, token)).to.equal(0n);
      await expectSolvent(f);
    });
  });

  describe("dispute timeout and stranded orders (findings 5 and 9)", () => {
    it("a dispute no arbiter resolves is refunded after DISPUTE_TIMEOUT, by anyone; paused time does not count", async () => {
      const f = await loadFixture(disputed);
      const disputedAt = (await f.dex.orderOf(1)).disputedAt;
      const timeout = BigInt(await f.dex.DISPUTE_TIMEOUT());
      await expect(f.dex.connect(f.other).refundUnresolvedDispute(1))
        .to.be.revertedWithCustomError(f.dex, "DisputeTimeoutNotPassed")
        .withArgs(1, disputedAt + timeout);
      await f.dex.pause();
      const pausedAt = BigInt(await time.latest());
      await time.increase(2 * DAY);
      await f.dex.unpause();
      const pausedFor = BigInt(await time.latest()) - pausedAt;
      await time.setNextBlockTimestamp(disputedAt + timeout + pausedFor);
      await expect(f.dex.connect(f.other).refundUnresolvedDispute(1)).to.be.revertedWithCustomError(f.dex, "DisputeTimeoutNotPassed");
      const tx = f.dex.connect(f.other).refundUnresolvedDispute(1);
      await expect(tx).to.emit(f.dex, "Refunded").withArgs(1, f.buyer.address, await tokenAddr(f), PRICE, 3 /* DisputeTimeout */, anyValue);
      await expectSolvent(f);
    });

    it("a delivered order whose exchange lost its role in the rights contract is refunded to its buyer", async () => {
      const f = await loadFixture(delivered);
      await expect(f.dex.connect(f.buyer).refundStranded(1)).to.be.revertedWithCustomError(f.dex, "NotStranded").withArgs(1);
      await f.rights.revokeRole(await f.rights.EXCHANGE_ROLE(), await dexAddr(f)); // a migration
      await expect(f.dex.connect(f.buyer).accept(1)).to.be.reverted; // settlement can no longer issue
      await expect(f.dex.connect(f.other).refundStranded(1)).to.be.revertedWithCustomError(f.dex, "NotBuyer");
      await expect(f.dex.connect(f.buyer).refundStranded(1))
        .to.emit(f.dex, "Refunded")
        .withArgs(1, f.buyer.address, await tokenAddr(f), PRICE, 4 /* Stranded */, anyValue);
      await expectSolvent(f);
    });

    it("a delivered licence order is stranded too when the exchange lost its role in the registry (it records paid licences there)", async () => {
      const f = await loadFixture(delivered);
      await f.registry.revokeRole(await f.registry.EXCHANGE_ROLE(), await dexAddr(f));
      await expect(f.dex.connect(f.buyer).accept(1)).to.be.reverted;
      await expect(f.dex.connect(f.buyer).refundStranded(1)).to.emit(f.dex, "Refunded");
      await expectSolvent(f);
    });

    it("a delivered order held by a paused rights contract is refunded only after the acceptance end plus STRANDED_GRACE", async () => {
      const f = await loadFixture(delivered);
      await f.rights.pause();
      const endsAt = (await f.dex.orderOf(1)).deliveredAt + ACCEPTANCE;
      const grace = BigInt(await f.dex.STRANDED_GRACE());
      await time.setNextBlockTimestamp(endsAt + grace);
      await expect(f.dex.connect(f.buyer).refundStranded(1)).to.be.revertedWithCustomError(f.dex, "NotStranded");
      await expect(f.dex.connect(f.buyer).refundStranded(1)).to.emit(f.dex, "Refunded");
    });
  });

  describe("money in and out is exact (findings 3 and 8)", () => {
    it("a token that charges the sender is refused on the way out, so no creditor is paid from another's money (finding 3)", async () => {
      const f = await loadFixture(listed);
      const sft = await new SenderFeeToken__factory(f.admin).deploy();
      const sftAddr = await sft.getAddress();
      await f.dex.setTokenAllowed(sftAddr, true);
      const price = 1_000_000n;
      await f.dex.connect(f.holder).list(await listingTerms(f, f.assetId, { token: sftAddr, price }));
      // Two buyers pay in: the recipient gets the full amount, so "checked as received" passes.
      for (const buyer of [f.buyer, f.buyer2]) {
        await sft.mint(buyer.address, 2n * price);
        await sft.connect(buyer).approve(await dexAddr(f), ethers.MaxUint256);
        const orderId = await buy(f, 2, buyer);
        await deliverOrder(f, orderId);
        await f.dex.connect(buyer).accept(orderId);
      }
      expect(await sft.balanceOf(await dexAddr(f))).to.equal(2n * price);
      // Paying the seller out would cost the exchange 1% more than the credit: refused, and nothing moves.
      const credit = await f.dex.creditOf(f.holder.address, sftAddr);
      await expect(f.dex.connect(f.holder).withdraw(sftAddr, f.holder.address))
        .to.be.revertedWithCustomError(f.dex, "TransferNotExact")
        .withArgs(sftAddr, credit);
      expect(await f.dex.creditOf(f.holder.address, sftAddr)).to.equal(credit);
      expect(await sft.balanceOf(await dexAddr(f))).to.equal(await f.dex.liabilitiesOf(sftAddr));
    });

    it("tokens sent outside an order are swept by the admin, exactly balance - liabilities", async () => {
      const f = await loadFixture(delivered);
      const token = await tokenAddr(f);
      await expect(f.dex.sweep(token, f.admin.address)).to.be.revertedWithCustomError(f.dex, "NothingToSweep").withArgs(token);
      await f.token.connect(f.buyer).transfer(await dexAddr(f), 1234n);
      await expect(f.dex.connect(f.buyer).sweep(token, f.buyer.address)).to.be.revertedWithCustomError(f.dex, "AccessControlUnauthorizedAccount");
      await expect(f.dex.sweep(token, f.admin.address)).to.emit(f.dex, "Swept").withArgs(token, f.admin.address, 1234n, f.admin.address, anyValue);
      await expectSolvent(f); // equality restored
    });
  });

  describe("reentrancy", () => {
    async function reentrant() {
      const f = await listed();
      const ree = await new ReentrantToken__factory(f.admin).deploy();
      const reeAddr = await ree.getAddress();
      await f.dex.setTokenAllowed(reeAddr, true);
      await ree.mint(f.buyer.address, PRICE * 10n);
      await ree.connect(f.buyer).approve(await f.dex.getAddress(), ethers.MaxUint256);
      await f.dex.connect(f.holder).list(await listingTerms(f, f.assetId, { token: reeAddr })); // listing 2
      return { ...f, ree, reeAddr };
    }

    it("an order whose token re-enters withdraw or order reverts, and nothing moves", async () => {
      const f = await loadFixture(reentrant);
      const dex = await dexAddr(f);
      for (const payload of [
        f.dex.interface.encodeFunctionData("withdraw", [f.reeAddr, f.other.address]),
        f.dex.interface.encodeFunctionData("order", [2, PRICE]),
      ]) {
        await f.ree.arm(dex, payload);
        await expect(f.dex.connect(f.buyer).order(2, PRICE)).to.be.revertedWithCustomError(f.dex, "ReentrancyGuardReentrantCall");
        expect(await f.ree.balanceOf(f.buyer.address)).to.equal(PRICE * 10n);
        expect(await f.ree.balanceOf(dex)).to.equal(0n);
        expect(await f.dex.liabilitiesOf(f.reeAddr)).to.equal(0n);
        expect(await f.dex.orderCount()).to.equal(0n);
        expect((await f.dex.listingOf(2)).sold).to.equal(0n);
      }
    });

    it("a withdraw whose token re-enters withdraw reverts, and the credit stays", async () => {
      const f = await loadFixture(reentrant);
      const dex = await dexAddr(f);
      await buyAndAccept(f, 2);
      const credit = await f.dex.creditOf(f.holder.address, f.reeAddr);
      expect(credit).to.equal(PRICE - PRICE / 100n);
      await f.ree.arm(dex, f.dex.interface.encodeFunctionData("withdraw", [f.reeAddr, f.holder.address]));
      await expect(f.dex.connect(f.holder).withdraw(f.reeAddr, f.holder.address)).to.be.revertedWithCustomError(f.dex, "ReentrancyGuardReentrantCall");
      expect(await f.dex.creditOf(f.holder.address, f.reeAddr)).to.equal(credit);
      expect(await f.ree.balanceOf(dex)).to.equal(PRICE);
      expect(await f.dex.liabilitiesOf(f.reeAddr)).to.equal(PRICE);
      // Disarmed, the same withdrawal goes through.
      await f.ree.arm(ethers.ZeroAddress, "0x");
      await expect(f.dex.connect(f.holder).withdraw(f.reeAddr, f.holder.address)).to.changeTokenBalance(f.ree, f.holder, credit);
      await expectSolvent(f, f.ree);
    });
  });

  // ================================================================ token decimals
  describe("token decimals", () => {
    it("a 6-decimal token settles 1234.567891 exactly", async () => {
      const f = await loadFixture(withRoyalty);
      const usdc = await settlementToken(f, 6, [f.buyer], 10_000n * 10n ** 6n);
      const addr = await usdc.getAddress();
      const price = 1_234_567_891n;
      await f.dex.connect(f.holder).list(await listingTerms(f, f.assetId, { token: addr, price, merchant: f.merchant.address, merchantBps: 250 }));
      const { orderId, at, settlement } = await buyAndAccept(f, 2);
      // fee 12_345_678; commission 30_864_197; net 1_191_358_016; royalty 20% 238_271_603; seller 953_086_413.
      expect([settlement.exchangeFee, settlement.merchantCommission, settlement.royalties[0].amount, settlement.sellerNet]).to.deep.equal([
        12_345_678n,
        30_864_197n,
        238_271_603n,
        953_086_413n,
      ]);
      await expectSettlement(f, settlement, { orderId, gross: price, at, certId: settlement.certId });
      for (const a of [f.szTreasury, f.merchant, f.other, f.holder]) await f.dex.connect(a).withdraw(addr, a.address);
      expect(await usdc.balanceOf(f.holder.address)).to.equal(953_086_413n);
      expect(await usdc.balanceOf(f.other.address)).to.equal(238_271_603n);
      expect(await usdc.balanceOf(await dexAddr(f))).to.equal(0n);
      expect(await f.dex.liabilitiesOf(addr)).to.equal(0n);
    });

    it("an 18-decimal token settles a price near 1e24 exactly", async () => {
      const f = await loadFixture(withRoyalty);
      const price = 987_654_321_987_654_321_987_653n;
      const dai = await settlementToken(f, 18, [f.buyer], price);
      const addr = await dai.getAddress();
      await f.dex.connect(f.holder).list(await listingTerms(f, f.assetId, { token: addr, price, venueId: BJ.id, merchant: f.merchant.address, merchantBps: 1 }));
      const { orderId, at, settlement } = await buyAndAccept(f, 2);
      const fee = (price * 50n) / 10_000n;
      const commission = price / 10_000n;
      const net = price - fee - commission;
      const royalty = (net * 2000n) / 10_000n;
      expect(settlement.exchangeFee).to.equal(fee);
      expect(settlement.merchantCommission).to.equal(commission);
      expect(settlement.royalties[0].amount).to.equal(royalty);
      expect(settlement.sellerNet).to.equal(net - royalty);
      expect(fee + commission + royalty + (net - royalty)).to.equal(price);
      await expectSettlement(f, settlement, { orderId, gross: price, at, certId: settlement.certId });
      for (const a of [f.bjTreasury, f.merchant, f.other, f.holder]) await f.dex.connect(a).withdraw(addr, a.address);
      expect(await dai.balanceOf(f.bjTreasury.address)).to.equal(fee);
      expect(await dai.balanceOf(f.holder.address)).to.equal(net - royalty);
      expect(await dai.balanceOf(await dexAddr(f))).to.equal(0n);
      expect(await dai.balanceOf(f.buyer.address)).to.equal(0n);
    });
  });

  // ================================================================ end to end (former smoke test)
  describe("end to end", () => {
    it("lists, orders, delivers, settles with a royalty; everyone withdraws and the exchange ends empty", async () => {
      const f = await loadFixture(withRoyalty);
      const token = await tokenAddr(f);
      const dex = await dexAddr(f);
      const { settlement } = await buyAndAccept(f, 1);
      expect(partsOf(settlement)).to.equal(PRICE);
      expect(await f.rights.ownerOf(1)).to.equal(f.buyer.address);
      await expectSolvent(f);
      for (const a of [f.szTreasury, f.merchant, f.other, f.holder]) {
        await f.dex.connect(a).withdraw(token, a.address);
        await expectSolvent(f);
      }
      expect(await f.token.balanceOf(dex)).to.equal(0n);
      expect(await f.token.balanceOf(f.holder.address)).to.equal(3_860_000n);
    });
  });
});
