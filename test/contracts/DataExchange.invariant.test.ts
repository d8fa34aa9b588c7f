// Model-based property tests of the exchange's money: random sequences of listings (by asset holders, and by a
// reseller under its certificate; in a plain token and in a hostile token that charges the *sender* a fee on top of
// every transfer), orders by several buyers, deliveries, acceptances, settlements after the window, disputes and
// arbitrated (partial) refunds, arbiters' remedies of paid licences, refunds of undelivered orders, of disputes no
// arbiter resolved within DISPUTE_TIMEOUT and of delivered orders stranded by the rights contract (the exchange's
// role revoked, or paused past STRANDED_GRACE), withdrawals by random accounts, pauses of the exchange with time
// passing while paused (deadlines run on trading time; refunds and withdrawals still work), tokens sent to the
// exchange outside any order and swept by the admin, registrations cancelled (by holder or registrar) or expiring,
// the reseller's certificate revoked, acceptances and rulings around the last moment a licence can still run its
// full term, time jumps (also onto exact deadlines, and onto where a pause moved them from)
// and venue fee changes, run against the contract and a plain model. Every command must succeed exactly when the
// model says so (or fail with the model's error), and after every step, for each token:
//   token.balanceOf(dex) == dex.liabilitiesOf(token) + what was sent outside orders and not yet swept (model), so
//     balanceOf >= liabilities and no withdrawal (or sweep) ever pays out of other creditors' money,
//   dex.liabilitiesOf(token) == open escrow (model) + sum of creditOf over all accounts,
//   creditOf(account) == the model's credit for every account,
//   every Settled event's parts (fee + commission + royalties + seller net) == gross, and equal the model's split;
//     its licence runs the model's term (the full term at acceptance or settlement, else the buyer is refunded;
//     clamped to what the seller can still grant, or none, on an arbiter's ruling),
//   each account's cumulative withdrawals (Withdrawn events) <= its cumulative credits (Settled/Refunded events, and
//     LicenceRemedied moving credit from seller to buyer).
// (Credits of every account are compared in each token a step touched, and in every token at a sequence's end.)
//
// Reproduce a failure with FC_SEED=<seed> (and FC_PATH=<path>) from the report; FC_RUNS overrides the run count,
// FC_STEPS the maximum sequence length, FC_NO_SHRINK=1 skips shrinking, FC_SHRINK_MS bounds shrinking time (30 s),
// FC_STATS=1 prints how often each command succeeded, was refused (and with which error) or was skipped.
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { BaseContract, ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { SenderFeeToken__factory } from "../../typechain-types";
import type { SenderFeeToken } from "../../typechain-types";
import { registerActive, grantTerms, hash, RightKind, SZ, BJ, DAY, YEAR } from "../helpers/registry";
import {
  market,
  listingTerms,
  Market,
  Offer,
  OrderStatus,
  RefundReason,
  SZ_FEE_BPS,
  BJ_FEE_BPS,
  eventsIn,
  settlementsIn,
  expectedSplit,
  royaltyTable,
  RoyaltyLine,
  SettlementOut,
} from "../helpers/exchange";

const HOUR = 3600;
const DISPUTE_TIMEOUT = BigInt(30 * DAY);
const STRANDED_GRACE = BigInt(7 * DAY);
const RUNS = Number(process.env.FC_RUNS ?? 30);
const MAX_STEPS = Number(process.env.FC_STEPS ?? 60);
const SPLIT_RUNS = Number(process.env.FC_RUNS ?? 30);
/** Shrinking re-runs whole sequences (about a second each): past this budget after the first failure, further
 * shrink candidates are skipped and the smallest counterexample found so far is reported. */
const SHRINK_BUDGET_MS = Number(process.env.FC_SHRINK_MS ?? 30_000);
function shrinkBudget() {
  let firstFailure: number | undefined;
  return {
    exhausted: () => firstFailure !== undefined && Date.now() - firstFailure > SHRINK_BUDGET_MS,
    failed: () => {
      firstFailure ??= Date.now();
    },
  };
}
const fcParams = (numRuns: number) => ({
  numRuns,
  seed: process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined,
  path: process.env.FC_PATH,
  endOnFailure: !!process.env.FC_NO_SHRINK,
});

// ---------------------------------------------------------------- fixture

interface Inv {
  m: Market;
  /** Listable assets first (A1: two parents, A2: none, A3: child of A1, P1: a parent, S: a 30-day registration),
   * then P2. */
  assets: bigint[];
  tables: Map<bigint, RoyaltyLine[]>;
  holders: Map<bigint, string>;
  validUntil: Map<bigint, bigint>;
  registrars: Map<bigint, HardhatEthersSigner>;
  accounts: HardhatEthersSigner[];
  buyers: HardhatEthersSigner[];
  /** [the settlement token, the hostile sender-fee token]; both allowed on the exchange. */
  tokens: string[];
  hostile: SenderFeeToken;
  dex: string;
  reseller: HardhatEthersSigner;
  /** The reseller's sublicensable product-operation certificate over A1, granted by A1's holder, ending in 45 days. */
  cert: { id: bigint; assetId: bigint; validUntil: bigint; grantor: HardhatEthersSigner };
}

async function invariantWorld(): Promise<Inv> {
  const m = await market();
  const { assetId: P1 } = await registerActive(m, m.other);
  const { assetId: P2 } = await registerActive(m, m.licensee);
  const { assetId: A1 } = await registerActive(m, m.holder, { parentIds: [P1, P2], parentSharesBps: [1500, 777] });
  const { assetId: A2 } = await registerActive(m, m.objector, { registrarId: BJ.id });
  const { assetId: A3 } = await registerActive(m, m.holder, { parentIds: [A1], parentSharesBps: [2500] });
  // Registered last so that it runs out within a sequence: licences on it lapse, or are clamped by a ruling.
  const { assetId: S } = await registerActive(m, m.objector, { validityPeriod: 30 * DAY });
  const assets = [A1, A2, A3, P1, S, P2];
  const tables = new Map<bigint, RoyaltyLine[]>();
  const holders = new Map<bigint, string>();
  const validUntil = new Map<bigint, bigint>();
  const registrars = new Map<bigint, HardhatEthersSigner>();
  for (const a of assets) {
    tables.set(a, await royaltyTable(m, a));
    holders.set(a, await m.registry.holderOf(a));
    const asset = await m.registry.assetOf(a);
    validUntil.set(a, asset.validUntil);
    registrars.set(a, Number(asset.registrarId) === BJ.id ? m.bjRegistrar : m.szRegistrar);
  }
  const dex = await m.dex.getAddress();
  const reseller = m.signers[14];
  const certUntil = BigInt(await time.latest()) + BigInt(45 * DAY);
  await m.rights
    .connect(m.holder)
    .grant(grantTerms(A1, { kind: RightKind.ProductOperation, sublicensable: true, validUntil: certUntil }), reseller.address);
  const certId = await m.rights.certificateCount();
  const hostile = await new SenderFeeToken__factory(m.admin).deploy();
  await m.dex.setTokenAllowed(await hostile.getAddress(), true);
  const buyers = [m.buyer, m.buyer2, m.other, m.licensee];
  for (const b of buyers) {
    await m.token.mint(b.address, 10n ** 12n); // never short of funds
    await hostile.mint(b.address, 10n ** 15n);
    await hostile.connect(b).approve(dex, ethers.MaxUint256);
  }
  return {
    m,
    assets,
    tables,
    holders,
    validUntil,
    registrars,
    accounts: m.signers,
    buyers,
    tokens: [await m.token.getAddress(), await hostile.getAddress()],
    hostile,
    dex,
    reseller,
    cert: { id: certId, assetId: A1, validUntil: certUntil, grantor: m.holder },
  };
}

// ---------------------------------------------------------------- commands

type RefundKind = "none" | "full" | "part" | "over";
type Cmd =
  | {
      t: "list";
      asset: number;
      byHolder: boolean;
      who: number;
      asCert: boolean;
      offer: Offer;
      price: bigint;
      maxQ: number;
      venue: number;
      merchantBps: number;
      dw: number;
      aw: number;
      term: number;
      tok: number;
    }
  | { t: "update"; pick: number; bySeller: boolean; price: bigint; maxQ: number; active: boolean }
  | { t: "order"; pick: number; valid: boolean; buyer: number; stale: boolean }
  | { t: "deliver"; pick: number; valid: boolean; bySeller: boolean }
  | { t: "accept"; pick: number; valid: boolean; byBuyer: boolean; who: number }
  | { t: "settle"; pick: number; valid: boolean; who: number }
  | { t: "dispute"; pick: number; valid: boolean; byBuyer: boolean }
  | { t: "resolve"; pick: number; valid: boolean; refund: RefundKind; frac: number }
  | { t: "refundUndelivered"; pick: number; valid: boolean; byBuyer: boolean }
  | { t: "refundDispute"; pick: number; valid: boolean; who: number }
  | { t: "refundStranded"; pick: number; valid: boolean; byBuyer: boolean }
  | { t: "remedy"; pick: number; valid: boolean; refund: RefundKind; frac: number }
  | { t: "withdraw"; who: number; valid: boolean; tok: number }
  | { t: "time"; seconds: number }
  | { t: "edge"; pick: number; past: boolean }
  // by 0: the holder cancels; 1: the registrar cancels; 2: the grantor revokes the reseller's certificate.
  | { t: "cancel"; asset: number; by: number }
  | { t: "progress"; pick: number; choice: number }
  | { t: "fee"; venue: number; bps: number }
  | { t: "pause"; on: boolean; valid: boolean; byPauser: boolean }
  // Time runs to where an open order's licence can no longer run its full term, and it is accepted or ruled on.
  | { t: "late"; pick: number; choice: number }
  // The pauser pauses trading for `seconds` and resumes; then an open order's extended deadline is probed.
  | { t: "pauseCycle"; seconds: number; pick: number; choice: number }
  // The admin toggles the exchange's EXCHANGE_ROLE on the rights contract (role), or pauses/unpauses it; then a
  // delivered order's buyer may ask for a stranded refund.
  | { t: "rights"; role: boolean; pick: number; choice: number }
  | { t: "stray"; tok: number; from: number; amount: bigint }
  | { t: "sweep"; tok: number; byAdmin: boolean };

const priceArb = fc.oneof(fc.bigInt(1n, 9n), fc.bigInt(1n, 100_000_000n), fc.constantFrom(999_999_999n, 10_001n));
const validArb = fc.nat(3).map((n) => n !== 0); // 3 in 4 aim at a command the model expects to succeed
const windowArb = fc.constantFrom(HOUR, DAY, 3 * DAY, 7 * DAY);
const refundArb = fc.constantFrom<RefundKind>("none", "full", "part", "part", "over");
const tokArb = fc.nat(3).map((n) => (n === 0 ? 1 : 0)); // 1 in 4 in the hostile token

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("list" as const),
      asset: fc.nat(4),
      byHolder: fc.nat(9).map((n) => n !== 0), // mostly the holder (or, as reseller, over A1 and for a short term)
      who: fc.nat(19),
      asCert: fc.nat(4).map((n) => n === 0),
      offer: fc.constantFrom(Offer.ProcessingUse, Offer.ProcessingUse, Offer.ProductOperation, Offer.HoldingTransfer),
      price: priceArb,
      maxQ: fc.nat(3),
      venue: fc.nat(1),
      merchantBps: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
      dw: windowArb,
      aw: windowArb,
      term: fc.constantFrom(YEAR, YEAR, 20 * DAY, 2 * DAY),
      tok: tokArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("update" as const),
      pick: fc.nat(),
      bySeller: fc.boolean(),
      price: priceArb,
      maxQ: fc.nat(3),
      active: validArb, // mostly stays open
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant("order" as const),
      pick: fc.nat(),
      valid: validArb,
      buyer: fc.nat(3),
      stale: fc.nat(9).map((n) => n === 0),
    }),
  },
  { weight: 5, arbitrary: fc.record({ t: fc.constant("deliver" as const), pick: fc.nat(), valid: validArb, bySeller: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("accept" as const), pick: fc.nat(), valid: validArb, byBuyer: fc.boolean(), who: fc.nat(19) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("settle" as const), pick: fc.nat(), valid: validArb, who: fc.nat(19) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("dispute" as const), pick: fc.nat(), valid: validArb, byBuyer: fc.boolean() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("resolve" as const),
      pick: fc.nat(),
      valid: validArb,
      refund: refundArb,
      frac: fc.integer({ min: 1, max: 999 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("refundUndelivered" as const), pick: fc.nat(), valid: validArb, byBuyer: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("refundDispute" as const), pick: fc.nat(), valid: validArb, who: fc.nat(19) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("refundStranded" as const), pick: fc.nat(), valid: validArb, byBuyer: fc.boolean() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("remedy" as const),
      pick: fc.nat(),
      valid: validArb,
      refund: refundArb,
      frac: fc.integer({ min: 1, max: 999 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("withdraw" as const), who: fc.nat(19), valid: validArb, tok: fc.nat(1) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant("time" as const),
      seconds: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(1, 60, HOUR, HOUR + 1, DAY, 3 * DAY, 3 * DAY + 1, 7 * DAY, 7 * DAY + 1) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 10 * DAY }) },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("cancel" as const), asset: fc.nat(5), by: fc.nat(2) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("edge" as const), pick: fc.nat(), past: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant("progress" as const), pick: fc.nat(), choice: fc.nat(10_000) }) },
  // The admin changes a venue's fee: open orders keep the fee of their ordering time.
  { weight: 1, arbitrary: fc.record({ t: fc.constant("fee" as const), venue: fc.nat(1), bps: fc.integer({ min: 0, max: 3000 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("pause" as const), on: fc.boolean(), valid: validArb, byPauser: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("late" as const), pick: fc.nat(), choice: fc.nat(10_000) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("pauseCycle" as const),
      seconds: fc.constantFrom(60, HOUR, DAY, 3 * DAY),
      pick: fc.nat(),
      choice: fc.nat(10_000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("rights" as const), role: fc.boolean(), pick: fc.nat(), choice: fc.nat(10_000) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant("stray" as const),
      tok: fc.nat(1),
      from: fc.nat(3),
      amount: fc.oneof(fc.bigInt(1n, 99n), fc.bigInt(1n, 10_000_000n)),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("sweep" as const), tok: fc.nat(1), byAdmin: validArb }) },
);

// ---------------------------------------------------------------- model

interface MListing {
  id: bigint;
  assetId: bigint;
  seller: string;
  certId: bigint; // the seller's certificate, 0 for the holder
  offer: Offer;
  token: string;
  term: bigint;
  price: bigint;
  maxQ: number;
  active: boolean;
  sold: number;
  venueId: number;
  merchant: string;
  merchantBps: number;
  dw: bigint;
  aw: bigint;
}

interface MOrder {
  id: bigint;
  listing: MListing;
  buyer: string;
  status: OrderStatus;
  price: bigint;
  feeBps: number;
  orderedAt: bigint;
  deliveredAt: bigint;
  disputedAt: bigint;
  pauseMark: bigint; // paused time so far when the running clock (delivery, acceptance, dispute) started
  certId: bigint; // from the Settled event
}

/** A contract's custom error a command must revert with (null: it must succeed). */
type Exp = { c: BaseContract; name: string } | null;

/** What settling an order now does: refund the buyer (the seller can no longer grant what was sold), or settle and
 * issue a licence ending at `licenceUntil`, move the holding, or (a ruling the seller can no longer honour) issue
 * nothing. `revert`: the rights contract refuses to issue (paused, or the exchange's role revoked). */
type Plan = { lapsed: true } | { lapsed: false; licenceUntil?: bigint; holding?: boolean; revert?: Exp };

type SettlementExp = Omit<SettlementOut, "certId" | "settledAt" | "token" | "listingId" | "orderId">;

class Model {
  listings: MListing[] = [];
  orders: MOrder[] = [];
  /** Keyed `${token}|${account}`. */
  credits = new Map<string, bigint>();
  credited = new Map<string, bigint>(); // cumulative, from events
  withdrawn = new Map<string, bigint>(); // cumulative, from events
  stray = new Map<string, bigint>(); // sent to the exchange outside orders, not yet swept
  cancelled = new Set<bigint>();
  paidUntil = new Map<bigint, bigint>(); // latest end of a licence sold on each asset
  // Issued by the exchange: with the listing's seller certificate (parent) and offer (kind), and the buyer holding it.
  licences = new Map<bigint, { assetId: bigint; parent: bigint; offer: number; holder: string; revoked: boolean }>();
  certRevoked = false; // the reseller's certificate
  feeBps = new Map<number, number>([
    [SZ.id, SZ_FEE_BPS],
    [BJ.id, BJ_FEE_BPS],
  ]);
  now = 0n;
  paused = false;
  pausedAt = 0n;
  pausedTotal = 0n;
  rightsRole = true; // the exchange's EXCHANGE_ROLE on the rights contract
  rightsPaused = false;
  constructor(
    public inv: Inv,
    public holders: Map<bigint, string>,
    public treasuries: Map<number, string>,
  ) {}

  creditOf(token: string, a: string) {
    return this.credits.get(`${token}|${a}`) ?? 0n;
  }

  credit(token: string, a: string, amount: bigint) {
    if (amount === 0n) return;
    this.credits.set(`${token}|${a}`, this.creditOf(token, a) + amount);
  }

  escrow(token: string): bigint {
    let e = 0n;
    for (const o of this.orders) {
      if (o.listing.token === token && [OrderStatus.Paid, OrderStatus.Delivered, OrderStatus.Disputed].includes(o.status)) e += o.price;
    }
    return e;
  }

  liabilities(token: string): bigint {
    let l = this.escrow(token);
    for (const [k, v] of this.credits) if (k.startsWith(`${token}|`)) l += v;
    return l;
  }

  // -- trading time: deadlines move by the time the exchange was paused since their clock started
  pausedSoFar(t: bigint) {
    return this.paused ? this.pausedTotal + (t - this.pausedAt) : this.pausedTotal;
  }
  deliveryDeadline(o: MOrder, t: bigint) {
    return o.orderedAt + o.listing.dw + this.pausedSoFar(t) - o.pauseMark;
  }
  acceptanceEnd(o: MOrder, t: bigint) {
    return o.deliveredAt + o.listing.aw + this.pausedSoFar(t) - o.pauseMark;
  }
  disputeEnd(o: MOrder, t: bigint) {
    return o.disputedAt + DISPUTE_TIMEOUT + this.pausedSoFar(t) - o.pauseMark;
  }

  // -- what a seller can grant
  activeAt(assetId: bigint, at: bigint) {
    return !this.cancelled.has(assetId) && at <= this.inv.validUntil.get(assetId)!;
  }
  certValidAt(at: bigint) {
    const c = this.inv.cert;
    return !this.certRevoked && at <= c.validUntil && this.activeAt(c.assetId, at);
  }
  canIssue(l: MListing, until: bigint) {
    if (!this.activeAt(l.assetId, until)) return false;
    return l.certId === 0n ? this.holders.get(l.assetId) === l.seller : this.certValidAt(until);
  }
  /** How far the registration (and the seller's certificate) must reach when listing and ordering. */
  cover(l: MListing) {
    return l.offer === Offer.HoldingTransfer ? 0n : l.dw + l.aw + l.term;
  }
  sellerError(l: MListing, t: bigint): string | null {
    const until = t + this.cover(l);
    if (!this.activeAt(l.assetId, t)) return "AssetNotActive";
    if (!this.activeAt(l.assetId, until)) return "RegistrationEndsBeforeTerm";
    if (l.certId === 0n) return this.holders.get(l.assetId) !== l.seller ? "NotAuthorisedSeller" : null;
    if (l.assetId !== this.inv.cert.assetId || until > this.inv.cert.validUntil) return "SellerCertUnsuitable";
    if (l.seller !== this.inv.reseller.address) return "NotAuthorisedSeller";
    return this.certValidAt(t) && this.certValidAt(until) ? null : "SellerCertUnsuitable";
  }
  /** The rights contract's refusal to issue or revoke for the exchange, if any. */
  rightsRefusal(): Exp {
    const rights = this.inv.m.rights;
    if (this.rightsPaused) return { c: rights, name: "EnforcedPause" };
    if (!this.rightsRole) return { c: rights, name: "AccessControlUnauthorizedAccount" };
    return null;
  }
  /** refundStranded's condition. */
  stranded(o: MOrder, t: bigint) {
    const lostRole = o.listing.offer !== Offer.HoldingTransfer && !this.rightsRole;
    return lostRole || (this.rightsPaused && t > this.acceptanceEnd(o, t) + STRANDED_GRACE);
  }

  /** Settlement at `t`: in full or refunded (acceptance, settlement), or as an arbiter ruled (`ruled`). */
  plan(o: MOrder, t: bigint, ruled: boolean): Plan {
    const l = o.listing;
    if (l.offer === Offer.HoldingTransfer) {
      if (this.canIssue(l, t)) return { lapsed: false, holding: true };
      return ruled ? { lapsed: false } : { lapsed: true };
    }
    let until = t + l.term;
    if (!this.canIssue(l, until)) {
      if (!ruled) return { lapsed: true };
      if (!this.canIssue(l, t)) return { lapsed: false };
      until = this.inv.validUntil.get(l.assetId)!;
      if (l.certId !== 0n && this.inv.cert.validUntil < until) until = this.inv.cert.validUntil;
      if (until <= t) return { lapsed: false };
    }
    return { lapsed: false, licenceUntil: until, revert: this.rightsRefusal() };
  }

  /** Applies a settlement of `amount`; returns the expected Settled event, or null for a lapsed refund. */
  settle(o: MOrder, amount: bigint, plan: Plan): SettlementExp | null {
    const l = o.listing;
    if (plan.lapsed) {
      o.status = OrderStatus.Refunded;
      l.sold -= 1;
      this.credit(l.token, o.buyer, amount);
      return null;
    }
    o.status = OrderStatus.Settled;
    const split = expectedSplit(amount, o.feeBps, l.merchantBps, this.inv.tables.get(l.assetId)!);
    const royalties = split.royalties.map((r) => ({ assetId: r.assetId, payee: this.holders.get(r.assetId)!, amount: r.amount }));
    const treasury = this.treasuries.get(l.venueId)!;
    this.credit(l.token, treasury, split.exchangeFee);
    this.credit(l.token, l.merchant, split.merchantCommission);
    for (const r of royalties) this.credit(l.token, r.payee, r.amount);
    this.credit(l.token, l.seller, split.sellerNet);
    if (plan.holding) this.holders.set(l.assetId, o.buyer);
    if (plan.licenceUntil !== undefined && plan.licenceUntil > (this.paidUntil.get(l.assetId) ?? 0n)) {
      this.paidUntil.set(l.assetId, plan.licenceUntil);
    }
    return {
      assetId: l.assetId,
      offer: l.offer,
      buyer: o.buyer,
      seller: l.seller,
      gross: amount,
      venueId: l.venueId,
      venueTreasury: treasury,
      exchangeFee: split.exchangeFee,
      merchant: l.merchant,
      merchantCommission: split.merchantCommission,
      royalties,
      sellerNet: split.sellerNet,
    };
  }
}

/** A `valid` command picks among the candidates the model says it applies to (none: the step is skipped); an
 * invalid one picks among all, so it is usually refused. */
function pickFrom<T>(all: T[], preferred: T[], valid: boolean, pick: number): T | undefined {
  const pool = valid ? preferred : all;
  return pool.length === 0 ? undefined : pool[pick % pool.length];
}

const refundOf = (kind: RefundKind, price: bigint, frac: number) =>
  kind === "none" ? 0n : kind === "full" ? price : kind === "over" ? price + 1n : (price * BigInt(frac)) / 1000n;

// ---------------------------------------------------------------- runner

async function runSequence(inv: Inv, cmds: Cmd[], stats: Map<string, number>) {
  const { m } = inv;
  const model = new Model(
    inv,
    new Map(inv.holders),
    new Map([
      [SZ.id, m.szTreasury.address],
      [BJ.id, m.bjTreasury.address],
    ]),
  );
  model.now = BigInt(await time.latest());
  const signer = (address: string) => inv.accounts.find((s) => s.address === address)!;
  const dex = m.dex;
  const [mainToken, hostileToken] = inv.tokens;
  const erc20 = (token: string) => (token === hostileToken ? inv.hostile : m.token);
  const E = (name: string, c: BaseContract = dex): Exp => ({ c, name });
  /** Tokens whose credits a step may have changed: every account's credit in them is compared after the step. */
  const touchedTokens = new Set<string>();

  let lastRefusal: string | undefined;
  /** Sends at model.now + 1: expects the model's error, or success (then the block is at model.now + 1). */
  const send = async (expected: Exp, fn: () => Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt | null> => {
    await time.setNextBlockTimestamp(model.now + 1n);
    lastRefusal = expected?.name;
    if (expected) {
      await expect(fn()).to.be.revertedWithCustomError(expected.c, expected.name);
      model.now = BigInt(await time.latest()); // a reverted transaction may still be mined
      return null;
    }
    const receipt = (await (await fn()).wait())!;
    model.now += 1n;
    return receipt;
  };

  /** A payout of `amount` by the exchange in `token`: the hostile token takes a fee from the exchange on top, so the
   * exchange's balance would fall by more than the amount (TransferNotExact), or the token itself refuses when the
   * exchange does not even hold amount + fee. */
  const payoutError = async (token: string, amount: bigint): Promise<Exp> => {
    if (token !== hostileToken) return null;
    const fee = await inv.hostile.feeOn(amount);
    if (fee === 0n) return null;
    const balance = await inv.hostile.balanceOf(inv.dex);
    return balance >= amount + fee ? E("TransferNotExact") : E("ERC20InsufficientBalance", inv.hostile);
  };

  const record = (c: Cmd, ok: boolean, skipped = false) => {
    const k = `${c.t} ${skipped ? "skipped" : ok ? "ok" : `refused ${lastRefusal ?? ""}`}`;
    stats.set(k, (stats.get(k) ?? 0) + 1);
  };

  /** Counts how settlements turned out (FC_STATS). */
  const note = (plan: Plan, o: MOrder) => {
    const k = plan.lapsed
      ? "  lapsed: refunded"
      : plan.holding
        ? "  holding moved"
        : plan.licenceUntil === undefined
          ? "  ruled: nothing issued"
          : plan.licenceUntil < model.now + o.listing.term
            ? "  ruled: licence clamped"
            : "  licence in full";
    stats.set(k, (stats.get(k) ?? 0) + 1);
  };

  const addTo = (map: Map<string, bigint>, token: string, a: string, x: bigint) => map.set(`${token}|${a}`, (map.get(`${token}|${a}`) ?? 0n) + x);

  /** Cross-checks a receipt's Settled and Refunded events against the model's expectations, checks the licence
   * issued (if any), and records cumulative credits and withdrawals. */
  const checkEvents = async (
    receipt: ContractTransactionReceipt,
    o?: MOrder,
    settlement?: SettlementExp | null,
    plan?: Plan,
    refunds: [bigint, RefundReason][] = [],
  ) => {
    const settled = settlementsIn(m, receipt);
    if (plan) note(plan, o!);
    expect(settled.length, "Settled events").to.equal(settlement ? 1 : 0);
    for (const s of settled) {
      const parts = s.exchangeFee + s.merchantCommission + s.royalties.reduce((a, r) => a + r.amount, 0n) + s.sellerNet;
      expect(parts, "settlement parts").to.equal(s.gross);
      const { certId, settledAt, token, listingId, orderId, ...rest } = s;
      expect(rest).to.deep.equal(settlement);
      expect(settledAt).to.equal(model.now);
      expect(token).to.equal(o!.listing.token);
      expect(orderId).to.equal(o!.id);
      expect(listingId).to.equal(o!.listing.id);
      o!.certId = certId;
      if (plan && !plan.lapsed && plan.holding) expect(certId, "holding moved").to.equal(s.assetId);
      else if (plan && !plan.lapsed && plan.licenceUntil !== undefined) {
        expect(certId, "licence issued").to.be.greaterThan(0n);
        const r = await m.rights.rightOf(certId);
        expect(r.validUntil, "licence term").to.equal(plan.licenceUntil);
        expect(r.issuedByExchange).to.equal(true);
        expect(r.grantor).to.equal(ethers.ZeroAddress);
        expect(r.parentId).to.equal(o!.listing.certId);
        expect(await m.rights.ownerOf(certId)).to.equal(o!.buyer);
        model.licences.set(certId, { assetId: s.assetId, parent: o!.listing.certId, offer: o!.listing.offer, holder: o!.buyer, revoked: false });
      } else expect(certId, "nothing issued").to.equal(0n);
      expect(await m.registry.holderOf(s.assetId), "holder").to.equal(model.holders.get(s.assetId));
      addTo(model.credited, token, s.venueTreasury, s.exchangeFee);
      addTo(model.credited, token, s.merchant, s.merchantCommission);
      for (const r of s.royalties) addTo(model.credited, token, r.payee, r.amount);
      addTo(model.credited, token, s.seller, s.sellerNet);
    }
    const refunded = eventsIn(dex, receipt, "Refunded");
    expect(refunded.map((r) => [r.amount, Number(r.reason)]), "Refunded events").to.deep.equal(refunds);
    for (const r of refunded) {
      expect(r.orderId).to.equal(o!.id);
      expect(r.buyer).to.equal(o!.buyer);
      addTo(model.credited, r.token, r.buyer, r.amount);
    }
    for (const w of eventsIn(dex, receipt, "Withdrawn")) addTo(model.withdrawn, w.token, w.account, w.amount);
  };

  const checkInvariants = async (touched?: MOrder, allCredits = false) => {
    for (const token of inv.tokens) {
      const [bal, liab] = await Promise.all([erc20(token).balanceOf(inv.dex), dex.liabilitiesOf(token)]);
      const stray = model.stray.get(token) ?? 0n;
      expect(bal, "balance == liabilities + stray tokens").to.equal(liab + stray);
      expect(liab, "liabilities == escrow + credits (model)").to.equal(model.liabilities(token));
      if (!allCredits && !touchedTokens.has(token)) continue;
      const credits = await Promise.all(inv.accounts.map((a) => dex.creditOf(a.address, token)));
      expect(liab, "liabilities == escrow + credits").to.equal(model.escrow(token) + credits.reduce((a, c) => a + c, 0n));
      inv.accounts.forEach((a, i) => expect(credits[i], `credit of ${a.address}`).to.equal(model.creditOf(token, a.address)));
    }
    for (const [k, w] of model.withdrawn) expect(w <= (model.credited.get(k) ?? 0n), `withdrawals of ${k}`).to.equal(true);
    if (touched) {
      const o = await dex.orderOf(touched.id);
      expect(Number(o.status), "order status").to.equal(touched.status);
      expect(Number((await dex.listingOf(touched.listing.id)).sold), "sold").to.equal(touched.listing.sold);
    }
  };

  /** Refund of an order's whole price: the model's side. */
  const refundWhole = (o: MOrder) => {
    o.status = OrderStatus.Refunded;
    o.listing.sold -= 1;
    model.credit(o.listing.token, o.buyer, o.price);
    touchedTokens.add(o.listing.token);
  };

  /** When the seller's right to grant a licence under this listing ends: the registration's end, or the
   * reseller's certificate's if sooner. */
  const licenceLimit = (l: MListing) => {
    const limit = inv.validUntil.get(l.assetId)!;
    return l.certId !== 0n && inv.cert.validUntil < limit ? inv.cert.validUntil : limit;
  };

  /** The model's side of an order placed just now. */
  const ordered = (l: MListing, buyer: string): MOrder => {
    l.sold += 1;
    const o: MOrder = {
      id: BigInt(model.orders.length + 1),
      listing: l,
      buyer,
      status: OrderStatus.Paid,
      price: l.price,
      feeBps: model.feeBps.get(l.venueId)!,
      orderedAt: model.now,
      deliveredAt: 0n,
      disputedAt: 0n,
      pauseMark: model.pausedTotal, // orders are taken only while trading
      certId: 0n,
    };
    model.orders.push(o);
    touchedTokens.add(l.token);
    return o;
  };

  const openOrders = () => model.orders.filter((x) => [OrderStatus.Paid, OrderStatus.Delivered, OrderStatus.Disputed].includes(x.status));

  /** The action an open order's deadline gates: refused until the deadline (extended by pauses) has passed (a
   * dispute: refused after it). */
  const gated = (x: MOrder, choice: number): Cmd => {
    const t = model.now + 1n;
    return x.status === OrderStatus.Paid
      ? { t: "refundUndelivered", pick: 0, valid: true, byBuyer: true }
      : x.status === OrderStatus.Disputed
        ? { t: "refundDispute", pick: 0, valid: true, who: choice % 20 }
        : model.paused || model.stranded(x, t)
          ? { t: "refundStranded", pick: 0, valid: true, byBuyer: true }
          : choice % 3 === 2
            ? { t: "dispute", pick: 0, valid: true, byBuyer: true }
            : { t: "settle", pick: 0, valid: true, who: choice % 20 };
  };

  /** The gated action one second past where the deadline would be had the pauses since its clock started counted
   * against it (an exchange ignoring the extension would already take it), or (`choice` odd, while trading) one
   * second past the extended deadline; jumping there first if that is ahead. The model says which must work. */
  const probe = async (x: MOrder, choice: number): Promise<Cmd> => {
    const t = model.now + 1n;
    const extension = model.pausedSoFar(t) - x.pauseMark;
    const deadline =
      x.status === OrderStatus.Paid
        ? model.deliveryDeadline(x, t)
        : x.status === OrderStatus.Delivered
          ? model.acceptanceEnd(x, t)
          : model.disputeEnd(x, t);
    const at = choice % 2 === 1 && !model.paused ? deadline : deadline - extension;
    if (at > model.now) {
      model.now = at;
      await time.increaseTo(model.now);
    }
    return gated(x, choice);
  };

  /** Runs one command; `target` forces the order an order command applies to. */
  const step = async (c: Cmd, target?: MOrder): Promise<{ ok: boolean; touched?: MOrder; skipped?: boolean }> => {
    let touched: MOrder | undefined;
    let ok = false;
    const t = model.now + 1n; // the time the command's transaction runs at
    const paused = model.paused ? E("EnforcedPause") : null;
    switch (c.t) {
      case "list": {
        const reseller = c.asCert;
        const assetId = reseller && c.byHolder ? inv.cert.assetId : inv.assets[c.asset];
        const holder = model.holders.get(assetId)!;
        const seller = reseller ? inv.reseller : c.byHolder ? signer(holder) : inv.accounts[c.who];
        const offer = c.offer;
        const maxQ = offer === Offer.HoldingTransfer ? 1 : c.maxQ;
        const merchant = c.merchantBps > 0 ? m.merchant.address : ethers.ZeroAddress;
        const venueId = c.venue === 0 ? SZ.id : BJ.id;
        const token = inv.tokens[c.tok];
        // A reseller's certificate ends within weeks: a valid reseller listing sells a short licence.
        const term = BigInt(reseller && c.byHolder && c.term === YEAR ? 2 * DAY : c.term);
        const l: MListing = {
          id: BigInt(model.listings.length + 1),
          assetId,
          seller: seller.address,
          certId: reseller ? inv.cert.id : 0n,
          offer,
          token,
          term,
          price: c.price,
          maxQ,
          active: true,
          sold: 0,
          venueId,
          merchant,
          merchantBps: c.merchantBps,
          dw: BigInt(c.dw),
          aw: BigInt(c.aw),
        };
        const refusal = offer === Offer.HoldingTransfer && l.certId !== 0n ? "SellerCertUnsuitable" : model.sellerError(l, t);
        const terms = await listingTerms(m, assetId, {
          sellerCertId: l.certId,
          offer,
          token,
          price: c.price,
          maxQuantity: maxQ,
          licenceTerm: term,
          venueId,
          merchant,
          merchantBps: c.merchantBps,
          deliveryWindow: c.dw,
          acceptanceWindow: c.aw,
        });
        const r = await send(paused ?? (refusal ? E(refusal) : null), () => dex.connect(seller).list(terms));
        if (r) {
          ok = true;
          model.listings.push(l);
        }
        break;
      }
      case "update": {
        const l = pickFrom(model.listings, model.listings, true, c.pick);
        if (!l) return { ok: false, skipped: true };
        const caller = c.bySeller ? signer(l.seller) : inv.buyers[c.pick % inv.buyers.length];
        const expected =
          paused ??
          (caller.address !== l.seller
            ? E("NotSeller")
            : l.offer === Offer.HoldingTransfer && c.maxQ !== 1
              ? E("InvalidQuantity")
              : null);
        const r = await send(expected, () => dex.connect(caller).updateListing(l.id, c.price, c.maxQ, c.active));
        if (r) {
          ok = true;
          l.price = c.price;
          l.maxQ = c.maxQ;
          l.active = c.active;
        }
        break;
      }
      case "order": {
        const orderable = model.listings.filter((x) => x.active && (x.maxQ === 0 || x.sold < x.maxQ) && model.sellerError(x, t) === null);
        const l = pickFrom(model.listings, orderable, c.valid, c.pick);
        if (!l) return { ok: false, skipped: true };
        let buyer = inv.buyers[c.buyer];
        if (c.valid && buyer.address === l.seller) buyer = inv.buyers[(c.buyer + 1) % inv.buyers.length];
        const expectedPrice = c.stale ? l.price + 1n : l.price;
        const refusal = !l.active
          ? "ListingInactive"
          : expectedPrice !== l.price
            ? "PriceChanged"
            : l.maxQ !== 0 && l.sold >= l.maxQ
              ? "SoldOut"
              : buyer.address === l.seller
                ? "SelfPurchase"
                : model.sellerError(l, t);
        const payerBefore = await erc20(l.token).balanceOf(buyer.address);
        const r = await send(paused ?? (refusal ? E(refusal) : null), () => dex.connect(buyer).order(l.id, expectedPrice));
        if (r) {
          ok = true;
          touched = ordered(l, buyer.address);
          await checkEvents(r);
          // The hostile token charges the buyer on top; the exchange receives exactly the price (checked above).
          const fee = l.token === hostileToken ? await inv.hostile.feeOn(l.price) : 0n;
          expect(await erc20(l.token).balanceOf(buyer.address), "buyer paid").to.equal(payerBefore - l.price - fee);
        }
        break;
      }
      case "deliver": {
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Paid && t <= model.deliveryDeadline(x, t)),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const caller = c.bySeller || c.valid ? signer(o.listing.seller) : inv.buyers[c.pick % inv.buyers.length];
        const expected =
          paused ??
          (caller.address !== o.listing.seller
            ? E("NotSeller")
            : o.status !== OrderStatus.Paid
              ? E("WrongOrderStatus")
              : t > model.deliveryDeadline(o, t)
                ? E("DeliveryDeadlinePassed")
                : null);
        const r = await send(expected, () => dex.connect(caller).deliver(o.id, hash("delivery")));
        touched = o;
        if (r) {
          ok = true;
          o.status = OrderStatus.Delivered;
          o.deliveredAt = model.now;
          o.pauseMark = model.pausedSoFar(model.now); // the acceptance clock starts now
        }
        break;
      }
      case "accept":
      case "settle": {
        const byBuyer = c.t === "accept";
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter(
            (x) =>
              x.status === OrderStatus.Delivered &&
              (byBuyer || t > model.acceptanceEnd(x, t)) &&
              (model.plan(x, t, false) as { revert?: Exp }).revert == null,
          ),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const caller = c.t === "accept" ? (c.byBuyer || c.valid ? signer(o.buyer) : inv.accounts[c.who]) : inv.accounts[c.who];
        const plan = model.plan(o, t, false);
        const expected =
          paused ??
          (byBuyer && caller.address !== o.buyer
            ? E("NotBuyer")
            : o.status !== OrderStatus.Delivered
              ? E("WrongOrderStatus")
              : !byBuyer && t <= model.acceptanceEnd(o, t)
                ? E("AcceptanceWindowOpen")
                : plan.lapsed
                  ? null
                  : (plan.revert ?? null));
        const r = await send(expected, () => (byBuyer ? dex.connect(caller).accept(o.id) : dex.connect(caller).settle(o.id)));
        touched = o;
        if (r) {
          ok = true;
          touchedTokens.add(o.listing.token);
          const s = model.settle(o, o.price, plan);
          await checkEvents(r, o, s, plan, plan.lapsed ? [[o.price, RefundReason.RightsLapsed]] : []);
        }
        break;
      }
      case "dispute": {
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Delivered && t <= model.acceptanceEnd(x, t)),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const caller = c.byBuyer || c.valid ? signer(o.buyer) : signer(o.listing.seller);
        const expected =
          paused ??
          (caller.address !== o.buyer
            ? E("NotBuyer")
            : o.status !== OrderStatus.Delivered
              ? E("WrongOrderStatus")
              : t > model.acceptanceEnd(o, t)
                ? E("AcceptanceWindowClosed")
                : null);
        const r = await send(expected, () => dex.connect(caller).dispute(o.id, hash("evidence")));
        touched = o;
        if (r) {
          ok = true;
          o.status = OrderStatus.Disputed;
          o.disputedAt = model.now;
          o.pauseMark = model.pausedSoFar(model.now); // the dispute timeout starts now
        }
        break;
      }
      case "resolve": {
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Disputed),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const refund = refundOf(c.refund, o.price, c.frac);
        const plan = model.plan(o, t, true);
        const expected =
          paused ??
          (o.status !== OrderStatus.Disputed
            ? E("WrongOrderStatus")
            : refund > o.price
              ? E("RefundExceedsPrice")
              : refund === o.price || plan.lapsed
                ? null
                : (plan.revert ?? null));
        const r = await send(expected, () => dex.connect(m.arbiter).resolveDispute(o.id, refund, hash("resolution")));
        touched = o;
        if (r) {
          ok = true;
          touchedTokens.add(o.listing.token);
          expect(plan.lapsed, "a ruling never lapses").to.equal(false);
          if (refund === o.price) {
            refundWhole(o);
            await checkEvents(r, o, null, undefined, [[refund, RefundReason.Arbitration]]);
          } else {
            // The partial refund is credited; the remainder settles as ruled in the same transaction.
            model.credit(o.listing.token, o.buyer, refund);
            const s = model.settle(o, o.price - refund, plan);
            await checkEvents(r, o, s, plan, refund === 0n ? [] : [[refund, RefundReason.Arbitration]]);
          }
        }
        break;
      }
      case "refundUndelivered": {
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Paid && t > model.deliveryDeadline(x, t)),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const caller = c.byBuyer || c.valid ? signer(o.buyer) : signer(o.listing.seller);
        // Works while paused; the deadline is extended by the pause.
        const expected =
          caller.address !== o.buyer
            ? E("NotBuyer")
            : o.status !== OrderStatus.Paid
              ? E("WrongOrderStatus")
              : t <= model.deliveryDeadline(o, t)
                ? E("DeliveryDeadlineNotPassed")
                : null;
        const r = await send(expected, () => dex.connect(caller).refundUndelivered(o.id));
        touched = o;
        if (r) {
          ok = true;
          refundWhole(o);
          await checkEvents(r, o, null, undefined, [[o.price, RefundReason.NotDelivered]]);
        }
        break;
      }
      case "refundDispute": {
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Disputed && t > model.disputeEnd(x, t)),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        // Anyone; works while paused, with the timeout extended by the pause.
        const expected =
          o.status !== OrderStatus.Disputed ? E("WrongOrderStatus") : t <= model.disputeEnd(o, t) ? E("DisputeTimeoutNotPassed") : null;
        const r = await send(expected, () => dex.connect(inv.accounts[c.who]).refundUnresolvedDispute(o.id));
        touched = o;
        if (r) {
          ok = true;
          refundWhole(o);
          await checkEvents(r, o, null, undefined, [[o.price, RefundReason.DisputeTimeout]]);
        }
        break;
      }
      case "refundStranded": {
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Delivered && model.stranded(x, t)),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const caller = c.byBuyer || c.valid ? signer(o.buyer) : signer(o.listing.seller);
        const expected =
          caller.address !== o.buyer
            ? E("NotBuyer")
            : o.status !== OrderStatus.Delivered
              ? E("WrongOrderStatus")
              : !model.stranded(o, t)
                ? E("NotStranded")
                : null;
        const r = await send(expected, () => dex.connect(caller).refundStranded(o.id));
        touched = o;
        if (r) {
          ok = true;
          refundWhole(o);
          await checkEvents(r, o, null, undefined, [[o.price, RefundReason.Stranded]]);
        }
        break;
      }
      case "remedy": {
        const licenceOrders = model.orders.filter(
          (x) => x.status === OrderStatus.Settled && x.listing.offer !== Offer.HoldingTransfer && model.licences.has(x.certId),
        );
        const o = pickFrom(model.orders, licenceOrders, c.valid, c.pick);
        if (!o) return { ok: false, skipped: true };
        // An invalid remedy names any certificate: another order's licence (accepted only if it is alike: same
        // listing right and kind, held by this order's buyer), one over another asset, the reseller's own, or none.
        const others = [...model.licences.keys(), inv.cert.id, 0n];
        const certId = c.valid ? o.certId : others[c.pick % others.length];
        const licence = model.licences.get(certId);
        const refund = refundOf(c.refund, o.price, c.frac);
        const l = o.listing;
        const expected =
          paused ??
          (o.status !== OrderStatus.Settled
            ? E("WrongOrderStatus")
            : l.offer === Offer.HoldingTransfer
              ? E("NotALicenceOf")
              : refund > o.price
                ? E("RefundExceedsPrice")
                : !licence || licence.assetId !== l.assetId || licence.parent !== l.certId || licence.offer !== l.offer || licence.holder !== o.buyer
                    ? E("NotALicenceOf")
                    : licence.revoked
                      ? null
                      : model.rightsRefusal());
        const r = await send(expected, () => dex.connect(m.arbiter).remedyLicence(o.id, certId, refund, hash("remedy")));
        touched = o;
        if (r) {
          ok = true;
          touchedTokens.add(l.token);
          // Only the seller's unwithdrawn credit can move back to the buyer.
          const available = model.creditOf(l.token, l.seller);
          const paid = refund < available ? refund : available;
          model.credit(l.token, l.seller, -paid);
          model.credit(l.token, o.buyer, paid);
          o.status = OrderStatus.Remedied;
          licence!.revoked = true;
          const [ev] = eventsIn(dex, r, "LicenceRemedied");
          expect([ev.orderId, ev.certId, ev.buyer, ev.seller, ev.token, ev.refundOrdered, ev.refundPaid]).to.deep.equal([
            o.id,
            certId,
            o.buyer,
            l.seller,
            l.token,
            refund,
            paid,
          ]);
          expect((await m.rights.rightOf(certId)).revokedAt, "licence revoked").to.be.greaterThan(0n);
          addTo(model.credited, l.token, l.seller, -paid);
          addTo(model.credited, l.token, o.buyer, paid);
          await checkEvents(r, o);
        }
        break;
      }
      case "withdraw": {
        let token = inv.tokens[c.tok];
        const withCredit = (tk: string) => inv.accounts.filter((a) => model.creditOf(tk, a.address) > 0n);
        if (c.valid && withCredit(token).length === 0) token = token === mainToken ? hostileToken : mainToken;
        const who = pickFrom(inv.accounts, withCredit(token), c.valid, c.who);
        if (!who) return { ok: false, skipped: true };
        const credit = model.creditOf(token, who.address);
        const balanceBefore = await erc20(token).balanceOf(who.address);
        // Works while paused. A hostile token's payout is refused rather than paid out of other creditors' money.
        const expected = credit === 0n ? E("NothingToWithdraw") : await payoutError(token, credit);
        const r = await send(expected, () => dex.connect(who).withdraw(token, who.address));
        touchedTokens.add(token);
        if (r) {
          ok = true;
          model.credits.set(`${token}|${who.address}`, 0n);
          await checkEvents(r);
          expect(await erc20(token).balanceOf(who.address)).to.equal(balanceBefore + credit);
        }
        break;
      }
      case "time": {
        model.now += BigInt(c.seconds);
        await time.increaseTo(model.now);
        ok = true;
        break;
      }
      case "edge": {
        // Jump so that the next transaction lands exactly on (or one second past) a deadline of an open order: its
        // delivery, acceptance or dispute deadline, the end of the stranded grace, or the last moment at which its
        // licence can still run its full term. Deadlines stand still only while trading.
        if (model.paused) return { ok: false, skipped: true };
        const deadlines: bigint[] = [];
        for (const x of model.orders) {
          if (x.status === OrderStatus.Paid) deadlines.push(model.deliveryDeadline(x, model.now));
          if (x.status === OrderStatus.Disputed) deadlines.push(model.disputeEnd(x, model.now));
          if (x.status === OrderStatus.Delivered) {
            deadlines.push(model.acceptanceEnd(x, model.now));
            if (model.rightsPaused) deadlines.push(model.acceptanceEnd(x, model.now) + STRANDED_GRACE);
          }
          if ((x.status === OrderStatus.Delivered || x.status === OrderStatus.Disputed) && x.listing.offer !== Offer.HoldingTransfer) {
            deadlines.push(licenceLimit(x.listing) - x.listing.term);
          }
        }
        // ... and where each deadline of a clock a pause extended would have been without the extension.
        for (const x of model.orders) {
          const extension = model.pausedSoFar(model.now) - x.pauseMark;
          if (extension === 0n) continue;
          if (x.status === OrderStatus.Paid) deadlines.push(model.deliveryDeadline(x, model.now) - extension);
          if (x.status === OrderStatus.Delivered) deadlines.push(model.acceptanceEnd(x, model.now) - extension);
          if (x.status === OrderStatus.Disputed) deadlines.push(model.disputeEnd(x, model.now) - extension);
        }
        const ahead = deadlines.filter((d) => d > model.now + 1n);
        if (ahead.length === 0) return { ok: false, skipped: true };
        const at = ahead[c.pick % ahead.length] - (c.past ? 0n : 1n);
        if (at > model.now) {
          model.now = at;
          await time.increaseTo(model.now);
        }
        ok = true;
        break;
      }
      case "cancel": {
        if (c.by === 2) {
          const expected = model.rightsPaused
            ? E("EnforcedPause", m.rights)
            : model.certRevoked
              ? E("AlreadyRevoked", m.rights)
              : null;
          const r = await send(expected, () => m.rights.connect(inv.cert.grantor).revoke(inv.cert.id, "breach"));
          if (r) {
            ok = true;
            model.certRevoked = true;
          }
          break;
        }
        const assetId = inv.assets[c.asset];
        // The registrar may cancel for cause; the holder not while a licence sold on the exchange is in term.
        const caller = c.by === 1 ? inv.registrars.get(assetId)! : signer(model.holders.get(assetId)!);
        const expected = model.cancelled.has(assetId)
          ? E("WrongStatus", m.registry)
          : c.by === 0 && (model.paidUntil.get(assetId) ?? 0n) >= t
            ? E("PaidLicencesLive", m.registry)
            : null;
        const r = await send(expected, () => m.registry.connect(caller).cancel(assetId, "gone"));
        if (r) {
          ok = true;
          model.cancelled.add(assetId);
        }
        break;
      }
      case "fee": {
        const venueId = c.venue === 0 ? SZ.id : BJ.id;
        await send(null, () => dex.connect(m.admin).setVenue(venueId, model.treasuries.get(venueId)!, c.bps));
        model.feeBps.set(venueId, c.bps);
        ok = true;
        break;
      }
      case "pause": {
        const on = c.valid ? !model.paused : c.on;
        const caller = c.valid || c.byPauser ? m.admin : inv.buyers[c.on ? 0 : 1];
        const expected =
          caller !== m.admin
            ? E("AccessControlUnauthorizedAccount")
            : on && model.paused
              ? E("EnforcedPause")
              : !on && !model.paused
                ? E("ExpectedPause")
                : null;
        const r = await send(expected, () => (on ? dex.connect(caller).pause() : dex.connect(caller).unpause()));
        if (r) {
          ok = true;
          if (on) {
            model.paused = true;
            model.pausedAt = model.now;
          } else {
            const pausedFor = model.now - model.pausedAt;
            model.pausedTotal += pausedFor;
            model.paused = false;
            const [ev] = eventsIn(dex, r, "TradingClockResumed");
            expect([ev.pausedAt, ev.resumedAt, ev.pausedFor, ev.pausedTotal]).to.deep.equal([
              model.pausedAt,
              model.now,
              pausedFor,
              model.pausedTotal,
            ]);
          }
        }
        break;
      }
      case "late": {
        // Accept or rule around the last moment the seller can grant the whole licence term: in full, one second or
        // half a term short (refunded as lapsed; clamped on a ruling), or once its right has ended (lapsed; nothing
        // issued on a ruling); an order not yet delivered is delivered first, and half are disputed first. Orders
        // whose right ends within weeks: on the short registration or under the reseller's certificate (if there is
        // none, one is placed on such a listing first).
        const soon = (l: MListing) => l.offer !== Offer.HoldingTransfer && licenceLimit(l) - l.term - model.now < BigInt(40 * DAY);
        let late = openOrders().filter((x) => soon(x.listing));
        if (late.length === 0) {
          const listings = model.listings.filter((l) => soon(l) && l.active && (l.maxQ === 0 || l.sold < l.maxQ) && model.sellerError(l, t) === null);
          if (listings.length === 0 || model.paused) return { ok: false, skipped: true };
          const l = listings[c.pick % listings.length];
          const buyer = inv.buyers.filter((b) => b.address !== l.seller)[c.choice % 3];
          await send(null, () => dex.connect(buyer).order(l.id, l.price));
          record({ t: "order", pick: 0, valid: true, buyer: 0, stale: false }, true);
          late = [ordered(l, buyer.address)];
        }
        const o = late[c.pick % late.length];
        const before: Cmd[] = [];
        if (o.status === OrderStatus.Paid) before.push({ t: "deliver", pick: 0, valid: true, bySeller: true });
        if (o.status !== OrderStatus.Disputed && c.choice % 2 === 0) before.push({ t: "dispute", pick: 0, valid: true, byBuyer: true });
        for (const b of before) record(b, (await step(b, o)).ok);
        const term = o.listing.term;
        const at = licenceLimit(o.listing) - term + [-1n, 0n, term / 2n, term][c.choice % 4];
        if (at > model.now) {
          model.now = at;
          await time.increaseTo(model.now);
        }
        const next: Cmd =
          o.status === OrderStatus.Delivered
            ? { t: "accept", pick: 0, valid: true, byBuyer: true, who: 0 }
            : { t: "resolve", pick: 0, valid: true, refund: "part", frac: 1 + (c.choice % 999) };
        const r = await step(next, o);
        record(next, r.ok);
        return r;
      }
      case "pauseCycle": {
        if (!model.paused) await step({ t: "pause", on: true, valid: true, byPauser: true });
        model.now += BigInt(c.seconds);
        await time.increaseTo(model.now);
        await step({ t: "pause", on: false, valid: true, byPauser: true });
        ok = true;
        const open = openOrders().filter((x) => model.pausedTotal > x.pauseMark);
        if (open.length === 0) break;
        const o = open[c.pick % open.length];
        const next = await probe(o, c.choice);
        const r = await step(next, o);
        record(next, r.ok);
        touched = o;
        break;
      }
      case "rights": {
        const rights = m.rights.connect(m.admin);
        if (c.role) {
          const role = await m.rights.EXCHANGE_ROLE();
          await send(null, () => (model.rightsRole ? rights.revokeRole(role, inv.dex) : rights.grantRole(role, inv.dex)));
          model.rightsRole = !model.rightsRole;
        } else {
          await send(null, () => (model.rightsPaused ? rights.unpause() : rights.pause()));
          model.rightsPaused = !model.rightsPaused;
        }
        ok = true;
        const delivered = model.orders.filter((x) => x.status === OrderStatus.Delivered);
        if (delivered.length === 0 || (c.choice % 2 === 1 && !model.rightsPaused)) break;
        // A refund as stranded: at once if the exchange lost its role (for a licence), else only past the acceptance
        // end plus the grace (at it, or one second past) while the rights contract stays paused.
        const o = delivered[c.pick % delivered.length];
        if (model.rightsPaused && model.rightsRole && !model.paused) {
          const at = model.acceptanceEnd(o, model.now + 1n) + STRANDED_GRACE - BigInt((c.choice >> 1) % 2);
          if (at > model.now) {
            model.now = at;
            await time.increaseTo(model.now);
          }
        }
        const next: Cmd = { t: "refundStranded", pick: 0, valid: true, byBuyer: true };
        const r = await step(next, o);
        record(next, r.ok);
        touched = o;
        break;
      }
      case "stray": {
        // Tokens sent to the exchange outside any order: the balance exceeds the liabilities until swept.
        const token = inv.tokens[c.tok];
        await send(null, () => erc20(token).connect(inv.buyers[c.from]).transfer(inv.dex, c.amount));
        model.stray.set(token, (model.stray.get(token) ?? 0n) + c.amount);
        ok = true;
        break;
      }
      case "sweep": {
        let token = inv.tokens[c.tok];
        if (c.byAdmin && !model.stray.get(token)) token = token === mainToken ? hostileToken : mainToken;
        const caller = c.byAdmin ? m.admin : inv.buyers[c.tok];
        const amount = model.stray.get(token) ?? 0n;
        const to = m.admin.address;
        const expected =
          caller !== m.admin ? E("AccessControlUnauthorizedAccount") : amount === 0n ? E("NothingToSweep") : await payoutError(token, amount);
        const before = await erc20(token).balanceOf(to);
        const r = await send(expected, () => dex.connect(caller).sweep(token, to));
        if (r) {
          ok = true;
          model.stray.set(token, 0n);
          const [ev] = eventsIn(dex, r, "Swept");
          expect(ev.amount).to.equal(amount);
          expect(await erc20(token).balanceOf(to)).to.equal(before + amount);
        }
        break;
      }
      case "progress": {
        // The natural next step: while paused, a refund (one that still works if any: the others are refused, their
        // deadlines extended), time passing, or the end of the pause; now and then the rights contract restored;
        // else a random open order moves on (or, if none, an order is placed).
        const open = openOrders();
        if (model.paused) {
          const refundable = model.orders.filter(
            (x) =>
              (x.status === OrderStatus.Paid && t > model.deliveryDeadline(x, t)) ||
              (x.status === OrderStatus.Disputed && t > model.disputeEnd(x, t)) ||
              (x.status === OrderStatus.Delivered && model.stranded(x, t)),
          );
          if (open.length > 0 && c.choice % 3 === 0) {
            const o = refundable.length > 0 ? refundable[c.pick % refundable.length] : open[c.pick % open.length];
            const next = refundable.length > 0 ? gated(o, c.choice) : await probe(o, c.choice);
            const r = await step(next, o);
            record(next, r.ok);
            return r;
          }
          if (c.choice % 3 === 1) return step({ t: "time", seconds: 1 + (c.choice % 1000) * 1000 });
          return step({ t: "pause", on: false, valid: true, byPauser: true });
        }
        if (!model.rightsRole && c.choice % 3 === 0) return step({ t: "rights", role: true, pick: 0, choice: 0 });
        const strayTok = inv.tokens.findIndex((tk) => (model.stray.get(tk) ?? 0n) > 0n);
        if (strayTok >= 0 && c.choice % 8 === 2) return step({ t: "sweep", tok: strayTok, byAdmin: true });
        if (model.rightsPaused && c.choice % 3 === 1) return step({ t: "rights", role: false, pick: 0, choice: 0 });
        if (open.length === 0) return step({ t: "order", pick: c.pick, valid: true, buyer: c.choice % 4, stale: false });
        const o = open[c.pick % open.length];
        let next: Cmd;
        if (c.choice % (model.pausedSoFar(t) > o.pauseMark ? 4 : 16) === 0) {
          next = await probe(o, c.choice); // on a deadline (or where a pause moved it from)
        } else if (o.status === OrderStatus.Paid) {
          next = t <= model.deliveryDeadline(o, t)
            ? { t: "deliver", pick: 0, valid: true, bySeller: true }
            : { t: "refundUndelivered", pick: 0, valid: true, byBuyer: true };
        } else if (o.status === OrderStatus.Delivered) {
          const open = t <= model.acceptanceEnd(o, t);
          next =
            model.stranded(o, t)
              ? { t: "refundStranded", pick: 0, valid: true, byBuyer: true }
              : c.choice % 3 === 0
                ? { t: "accept", pick: 0, valid: true, byBuyer: true, who: 0 }
                : open
                  ? c.choice % 3 === 1
                    ? { t: "dispute", pick: 0, valid: true, byBuyer: true }
                    : { t: "accept", pick: 0, valid: true, byBuyer: true, who: 0 }
                  : { t: "settle", pick: 0, valid: true, who: c.choice % 20 };
        } else if (t > model.disputeEnd(o, t) && c.choice % 2 === 0) {
          next = { t: "refundDispute", pick: 0, valid: true, who: c.choice % 20 };
        } else if (t <= model.disputeEnd(o, t) && c.choice % 10 === 9) {
          // No arbiter rules: time runs to the dispute timeout (and a later step may refund the buyer).
          next = { t: "time", seconds: Number(model.disputeEnd(o, t) - model.now) };
        } else {
          const refund = (["none", "full", "part", "part"] as const)[c.choice % 4];
          next = { t: "resolve", pick: 0, valid: true, refund, frac: 1 + (c.choice % 999) };
        }
        const r = await step(next, o);
        record(next, r.ok);
        return r;
      }
    }
    return { ok, touched };
  };

  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i];
    touchedTokens.clear();
    const { ok, touched, skipped } = await step(c);
    record(c, ok, skipped);
    expect(BigInt(await time.latest()), "model clock").to.equal(model.now);
    await checkInvariants(touched, i === cmds.length - 1);
  }
}

/** Every sequence starts from four open listings (one in the hostile token, one on the short registration, with an
 * order delivered), so short sequences still trade. */
const OPENING: Cmd[] = [
  {
    t: "list",
    asset: 0,
    byHolder: true,
    who: 0,
    asCert: false,
    offer: Offer.ProcessingUse,
    price: 5_000_000n,
    maxQ: 0,
    venue: 0,
    merchantBps: 250,
    dw: 7 * DAY,
    aw: 3 * DAY,
    term: YEAR,
    tok: 0,
  },
  {
    t: "list",
    asset: 1,
    byHolder: true,
    who: 0,
    asCert: false,
    offer: Offer.ProcessingUse,
    price: 999_999_999n,
    maxQ: 2,
    venue: 1,
    merchantBps: 0,
    dw: DAY,
    aw: HOUR,
    term: YEAR,
    tok: 0,
  },
  {
    t: "list",
    asset: 3,
    byHolder: true,
    who: 0,
    asCert: false,
    offer: Offer.ProcessingUse,
    price: 77_777_777n,
    maxQ: 0,
    venue: 0,
    merchantBps: 100,
    dw: 3 * DAY,
    aw: DAY,
    term: YEAR,
    tok: 1, // the hostile token
  },
  {
    // On the 30-day registration: its licences lapse at acceptance, or are clamped (or not issued) on a ruling.
    t: "list",
    asset: 4,
    byHolder: true,
    who: 0,
    asCert: false,
    offer: Offer.ProcessingUse,
    price: 3_000_000n,
    maxQ: 0,
    venue: 1,
    merchantBps: 0,
    dw: 3 * DAY,
    aw: 3 * DAY,
    term: 20 * DAY,
    tok: 0,
  },
  // ... with an order on it delivered, so that each sequence has a licence that can lapse.
  { t: "order", pick: 3, valid: false, buyer: 0, stale: false },
  { t: "deliver", pick: 0, valid: false, bySeller: true },
];

describe("DataExchange invariants (fast-check)", () => {
  it("random trading sequences keep the exchange solvent and every settlement exact", async () => {
    const stats = new Map<string, number>();
    const budget = shrinkBudget();
    await fc.assert(
      fc.asyncProperty(fc.array(cmdArb, { minLength: 5, maxLength: MAX_STEPS, size: "max" }), async (cmds) => {
        if (budget.exhausted()) return;
        const inv = await loadFixture(invariantWorld);
        try {
          await runSequence(inv, [...OPENING, ...cmds], stats);
        } catch (e) {
          budget.failed();
          throw e;
        }
      }),
      fcParams(RUNS),
    );
    if (process.env.FC_STATS) console.log([...stats.entries()].sort().map(([k, v]) => `      ${k}: ${v}`).join("\n"));
    // The generator must actually reach settlements and refunds, not only refusals, and pauses.
    expect(stats.get("order ok") ?? 0).to.be.greaterThan(0);
    expect((stats.get("accept ok") ?? 0) + (stats.get("settle ok") ?? 0) + (stats.get("resolve ok") ?? 0)).to.be.greaterThan(0);
    expect((stats.get("pause ok") ?? 0) + (stats.get("pauseCycle ok") ?? 0)).to.be.greaterThan(0);
  });

  it("a settlement's parts always sum to its gross and follow the documented formula", async () => {
    const splitWorld = async () => {
      const m = await market();
      const { assetId: P1 } = await registerActive(m, m.other);
      const { assetId: P2 } = await registerActive(m, m.licensee);
      await m.token.mint(m.buyer.address, 1n << 130n);
      return { m, P1, P2 };
    };
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          price: fc.oneof(fc.bigInt(1n, 1_000n), fc.bigInt(1n, (1n << 128n) - 1n)),
          feeBps: fc.integer({ min: 0, max: 3000 }),
          merchantBps: fc.integer({ min: 0, max: 3000 }),
          s1: fc.integer({ min: 0, max: 6000 }),
          s2: fc.integer({ min: 0, max: 4000 }),
          partial: fc.option(fc.integer({ min: 1, max: 999 })),
        }),
        async ({ price, feeBps, merchantBps, s1, s2, partial }) => {
          const { m, P1, P2 } = await loadFixture(splitWorld);
          await m.dex.setVenue(SZ.id, m.szTreasury.address, feeBps);
          const { assetId } = await registerActive(m, m.holder, { parentIds: [P1, P2], parentSharesBps: [s1, s2] });
          const merchant = merchantBps > 0 ? m.merchant.address : ethers.ZeroAddress;
          await m.dex.connect(m.holder).list(await listingTerms(m, assetId, { price, merchant, merchantBps }));
          await m.dex.connect(m.buyer).order(1, price);
          await m.dex.connect(m.holder).deliver(1, hash());
          let gross = price;
          let receipt;
          if (partial === null) {
            receipt = await (await m.dex.connect(m.buyer).accept(1)).wait();
          } else {
            await m.dex.connect(m.buyer).dispute(1, hash());
            const refund = (price * BigInt(partial)) / 1000n;
            gross = price - refund;
            receipt = await (await m.dex.connect(m.arbiter).resolveDispute(1, refund, hash())).wait();
            if (refund === price) return; // nothing left to settle
          }
          const [s] = settlementsIn(m, receipt);
          const split = expectedSplit(gross, feeBps, merchantBps, await royaltyTable(m, assetId));
          expect(s.gross).to.equal(gross);
          expect(s.exchangeFee).to.equal(split.exchangeFee);
          expect(s.merchantCommission).to.equal(split.merchantCommission);
          expect(s.royalties.map((r) => r.amount)).to.deep.equal(split.royalties.map((r) => r.amount));
          expect(s.sellerNet).to.equal(split.sellerNet);
          expect(s.exchangeFee + s.merchantCommission + s.royalties.reduce((a, r) => a + r.amount, 0n) + s.sellerNet).to.equal(gross);
          // The seller's remainder is never less than its exact share: rounding only ever favours the seller.
          const exactRoyalties = split.royalties.reduce((a, r) => a + r.share, 0n);
          expect(s.sellerNet * 10n ** 16n >= split.net * (10n ** 16n - exactRoyalties)).to.equal(true);
          expect(await m.token.balanceOf(await m.dex.getAddress())).to.equal(await m.dex.liabilitiesOf(await m.token.getAddress()));
        },
      ),
      fcParams(SPLIT_RUNS),
    );
  });
});
