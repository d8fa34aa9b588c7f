// Model-based property tests of the exchange's money: random sequences of listings, orders by several buyers,
// deliveries, acceptances, settlements after the window, disputes and arbitrated (partial) refunds, refunds of
// undelivered orders, withdrawals by random accounts, time jumps (also onto exact deadlines), venue fee changes and
// cancellations, run against the contract and a plain model. Every command must succeed exactly when the model says
// so (or fail with the model's error), and after every step:
//   token.balanceOf(dex) == dex.liabilitiesOf(token) == open escrow (model) + sum of creditOf over all accounts,
//   creditOf(account) == the model's credit for every account,
//   every Settled event's parts (fee + commission + royalties + seller net) == gross, and equal the model's split,
//   each account's cumulative withdrawals (Withdrawn events) <= its cumulative credits (Settled/Refunded events).
//
// Reproduce a failure with FC_SEED=<seed> (and FC_PATH=<path>) from the report; FC_RUNS overrides the run count,
// FC_STEPS the maximum sequence length, FC_NO_SHRINK=1 skips shrinking, FC_SHRINK_MS bounds shrinking time (30 s),
// FC_STATS=1 prints how often each command succeeded, was refused or was skipped.
import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import type { ContractTransactionReceipt, ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { registerActive, hash, SZ, BJ, DAY } from "../helpers/registry";
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
  /** Listable assets first (A1: two parents, A2: none, A3: child of A1, P1: a parent), then P2. */
  assets: bigint[];
  tables: Map<bigint, RoyaltyLine[]>;
  holders: Map<bigint, string>;
  accounts: HardhatEthersSigner[];
  buyers: HardhatEthersSigner[];
  token: string;
  dex: string;
}

async function invariantWorld(): Promise<Inv> {
  const m = await market();
  const { assetId: P1 } = await registerActive(m, m.other);
  const { assetId: P2 } = await registerActive(m, m.licensee);
  const { assetId: A1 } = await registerActive(m, m.holder, { parentIds: [P1, P2], parentSharesBps: [1500, 777] });
  const { assetId: A2 } = await registerActive(m, m.objector, { registrarId: BJ.id });
  const { assetId: A3 } = await registerActive(m, m.holder, { parentIds: [A1], parentSharesBps: [2500] });
  const assets = [A1, A2, A3, P1, P2];
  const tables = new Map<bigint, RoyaltyLine[]>();
  const holders = new Map<bigint, string>();
  for (const a of assets) {
    tables.set(a, await royaltyTable(m, a));
    holders.set(a, await m.registry.holderOf(a));
  }
  const buyers = [m.buyer, m.buyer2, m.other, m.licensee];
  for (const b of buyers) await m.token.mint(b.address, 10n ** 12n); // never short of funds
  return { m, assets, tables, holders, accounts: m.signers, buyers, token: await m.token.getAddress(), dex: await m.dex.getAddress() };
}

// ---------------------------------------------------------------- commands

type Cmd =
  | { t: "list"; asset: number; byHolder: boolean; who: number; offer: Offer; price: bigint; maxQ: number; venue: number; merchantBps: number; dw: number; aw: number }
  | { t: "update"; pick: number; bySeller: boolean; price: bigint; maxQ: number; active: boolean }
  | { t: "order"; pick: number; valid: boolean; buyer: number; stale: boolean }
  | { t: "deliver"; pick: number; valid: boolean; bySeller: boolean }
  | { t: "accept"; pick: number; valid: boolean; byBuyer: boolean; who: number }
  | { t: "settle"; pick: number; valid: boolean; who: number }
  | { t: "dispute"; pick: number; valid: boolean; byBuyer: boolean }
  | { t: "resolve"; pick: number; valid: boolean; refund: "none" | "full" | "part" | "over"; frac: number }
  | { t: "refundUndelivered"; pick: number; valid: boolean; byBuyer: boolean }
  | { t: "withdraw"; who: number; valid: boolean }
  | { t: "time"; seconds: number }
  | { t: "edge"; pick: number; past: boolean }
  | { t: "cancel"; asset: number }
  | { t: "progress"; pick: number; choice: number }
  | { t: "fee"; venue: number; bps: number };

const priceArb = fc.oneof(fc.bigInt(1n, 9n), fc.bigInt(1n, 100_000_000n), fc.constantFrom(999_999_999n, 10_001n));
const validArb = fc.nat(3).map((n) => n !== 0); // 3 in 4 aim at a command the model expects to succeed
const windowArb = fc.constantFrom(HOUR, DAY, 3 * DAY, 7 * DAY);

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("list" as const),
      asset: fc.nat(3),
      byHolder: fc.nat(9).map((n) => n !== 0), // mostly the holder
      who: fc.nat(19),
      offer: fc.constantFrom(Offer.ProcessingUse, Offer.ProcessingUse, Offer.ProductOperation, Offer.HoldingTransfer),
      price: priceArb,
      maxQ: fc.nat(3),
      venue: fc.nat(1),
      merchantBps: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 3000 })),
      dw: windowArb,
      aw: windowArb,
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
      refund: fc.constantFrom("none" as const, "full" as const, "part" as const, "part" as const, "over" as const),
      frac: fc.integer({ min: 1, max: 999 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("refundUndelivered" as const), pick: fc.nat(), valid: validArb, byBuyer: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("withdraw" as const), who: fc.nat(19), valid: validArb }) },
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
  { weight: 1, arbitrary: fc.record({ t: fc.constant("cancel" as const), asset: fc.nat(4) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("edge" as const), pick: fc.nat(), past: fc.boolean() }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant("progress" as const), pick: fc.nat(), choice: fc.nat(10_000) }) },
  // The admin changes a venue's fee: open orders keep the fee of their ordering time.
  { weight: 1, arbitrary: fc.record({ t: fc.constant("fee" as const), venue: fc.nat(1), bps: fc.integer({ min: 0, max: 3000 }) }) },
);

// ---------------------------------------------------------------- model

interface MListing {
  id: bigint;
  assetId: bigint;
  seller: string;
  offer: Offer;
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
  refunded: bigint; // partial refunds already credited while still in escrow (none survive a step today)
}

class Model {
  listings: MListing[] = [];
  orders: MOrder[] = [];
  credits = new Map<string, bigint>();
  credited = new Map<string, bigint>(); // cumulative, from events
  withdrawn = new Map<string, bigint>(); // cumulative, from events
  cancelled = new Set<bigint>();
  feeBps = new Map<number, number>([
    [SZ.id, SZ_FEE_BPS],
    [BJ.id, BJ_FEE_BPS],
  ]);
  now = 0n;
  constructor(
    public holders: Map<bigint, string>,
    public tables: Map<bigint, RoyaltyLine[]>,
    public treasuries: Map<number, string>,
  ) {}

  credit(a: string, amount: bigint) {
    if (amount === 0n) return;
    this.credits.set(a, (this.credits.get(a) ?? 0n) + amount);
  }

  escrow(): bigint {
    let e = 0n;
    for (const o of this.orders) {
      if (o.status === OrderStatus.Paid || o.status === OrderStatus.Delivered || o.status === OrderStatus.Disputed) e += o.price - o.refunded;
    }
    return e;
  }

  active(assetId: bigint) {
    return !this.cancelled.has(assetId);
  }

  /** Settles `amount` of an order at the current time; returns the expected settlement, or null for a lapsed refund. */
  settle(o: MOrder, amount: bigint): Omit<SettlementOut, "certId" | "settledAt" | "token" | "listingId" | "orderId"> | null {
    const l = o.listing;
    if (!this.active(l.assetId) || this.holders.get(l.assetId) !== l.seller) {
      o.status = OrderStatus.Refunded;
      l.sold -= 1;
      this.credit(o.buyer, amount);
      return null;
    }
    o.status = OrderStatus.Settled;
    const split = expectedSplit(amount, o.feeBps, l.merchantBps, this.tables.get(l.assetId)!);
    const royalties = split.royalties.map((r) => ({ assetId: r.assetId, payee: this.holders.get(r.assetId)!, amount: r.amount }));
    const treasury = this.treasuries.get(l.venueId)!;
    this.credit(treasury, split.exchangeFee);
    this.credit(l.merchant, split.merchantCommission);
    for (const r of royalties) this.credit(r.payee, r.amount);
    this.credit(l.seller, split.sellerNet);
    if (l.offer === Offer.HoldingTransfer) this.holders.set(l.assetId, o.buyer);
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

// ---------------------------------------------------------------- runner

async function runSequence(inv: Inv, cmds: Cmd[], stats: Map<string, number>) {
  const { m } = inv;
  const model = new Model(
    new Map(inv.holders),
    inv.tables,
    new Map([
      [SZ.id, m.szTreasury.address],
      [BJ.id, m.bjTreasury.address],
    ]),
  );
  model.now = BigInt(await time.latest());
  const signer = (address: string) => inv.accounts.find((s) => s.address === address)!;
  const dex = m.dex;

  /** Sends at model.now + 1: expects the model's error, or success (then the block is at model.now + 1). */
  const send = async (expected: string | null, fn: () => Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt | null> => {
    await time.setNextBlockTimestamp(model.now + 1n);
    if (expected) {
      await expect(fn()).to.be.revertedWithCustomError(dex, expected);
      model.now = BigInt(await time.latest()); // a reverted transaction may still be mined
      return null;
    }
    const receipt = (await (await fn()).wait())!;
    model.now += 1n;
    return receipt;
  };

  const record = (c: Cmd, ok: boolean, skipped = false) => {
    const k = `${c.t} ${skipped ? "skipped" : ok ? "ok" : "refused"}`;
    stats.set(k, (stats.get(k) ?? 0) + 1);
  };

  /** Cross-checks the events of a receipt against the model's expectations and records cumulative credits. */
  const checkEvents = (receipt: ContractTransactionReceipt, expectedSettlements: ReturnType<Model["settle"]>[], o?: MOrder) => {
    const settled = settlementsIn(m, receipt);
    const exp = expectedSettlements.filter((s) => s !== null);
    expect(settled.length).to.equal(exp.length);
    settled.forEach((s, i) => {
      const parts = s.exchangeFee + s.merchantCommission + s.royalties.reduce((a, r) => a + r.amount, 0n) + s.sellerNet;
      expect(parts, "settlement parts").to.equal(s.gross);
      const { certId, settledAt, token, listingId, orderId, ...rest } = s;
      expect(rest).to.deep.equal(exp[i]);
      expect(settledAt).to.equal(model.now);
      expect(token).to.equal(inv.token);
      expect(orderId).to.equal(o!.id);
      expect(listingId).to.equal(o!.listing.id);
      if (s.offer === Offer.HoldingTransfer) expect(certId).to.equal(s.assetId);
      else expect(certId).to.be.greaterThan(0n);
      const add = (a: string, x: bigint) => model.credited.set(a, (model.credited.get(a) ?? 0n) + x);
      add(s.venueTreasury, s.exchangeFee);
      add(s.merchant, s.merchantCommission);
      for (const r of s.royalties) add(r.payee, r.amount);
      add(s.seller, s.sellerNet);
    });
    for (const r of eventsIn(dex, receipt, "Refunded")) {
      model.credited.set(r.buyer, (model.credited.get(r.buyer) ?? 0n) + r.amount);
    }
    for (const w of eventsIn(dex, receipt, "Withdrawn")) {
      model.withdrawn.set(w.account, (model.withdrawn.get(w.account) ?? 0n) + w.amount);
    }
  };

  const checkInvariants = async (touched?: MOrder) => {
    const [bal, liab, credits] = await Promise.all([
      m.token.balanceOf(inv.dex),
      dex.liabilitiesOf(inv.token),
      Promise.all(inv.accounts.map((a) => dex.creditOf(a.address, inv.token))),
    ]);
    const sum = credits.reduce((a, c) => a + c, 0n);
    expect(bal, "balance == liabilities").to.equal(liab);
    expect(liab, "liabilities == escrow + credits").to.equal(model.escrow() + sum);
    inv.accounts.forEach((a, i) => expect(credits[i], `credit of ${a.address}`).to.equal(model.credits.get(a.address) ?? 0n));
    for (const [a, w] of model.withdrawn) expect(w <= (model.credited.get(a) ?? 0n), `withdrawals of ${a}`).to.equal(true);
    if (touched) {
      const o = await dex.orderOf(touched.id);
      expect(Number(o.status), "order status").to.equal(touched.status);
      expect(Number((await dex.listingOf(touched.listing.id)).sold), "sold").to.equal(touched.listing.sold);
    }
  };

  /** Runs one command; `target` forces the order an order command applies to. */
  const step = async (c: Cmd, target?: MOrder): Promise<{ ok: boolean; touched?: MOrder; skipped?: boolean }> => {
    let touched: MOrder | undefined;
    let ok = false;
    switch (c.t) {
      case "list": {
        const assetId = inv.assets[c.asset];
        const holder = model.holders.get(assetId)!;
        const seller = c.byHolder ? signer(holder) : inv.accounts[c.who];
        const offer = c.offer;
        const maxQ = offer === Offer.HoldingTransfer ? 1 : c.maxQ;
        const merchant = c.merchantBps > 0 ? m.merchant.address : ethers.ZeroAddress;
        const venueId = c.venue === 0 ? SZ.id : BJ.id;
        const expected = !model.active(assetId) ? "AssetNotActive" : seller.address !== holder ? "NotAuthorisedSeller" : null;
        const terms = await listingTerms(m, assetId, {
          offer,
          price: c.price,
          maxQuantity: maxQ,
          venueId,
          merchant,
          merchantBps: c.merchantBps,
          deliveryWindow: c.dw,
          acceptanceWindow: c.aw,
        });
        const r = await send(expected, () => dex.connect(seller).list(terms));
        if (r) {
          ok = true;
          model.listings.push({
            id: BigInt(model.listings.length + 1),
            assetId,
            seller: seller.address,
            offer,
            price: c.price,
            maxQ,
            active: true,
            sold: 0,
            venueId,
            merchant,
            merchantBps: c.merchantBps,
            dw: BigInt(c.dw),
            aw: BigInt(c.aw),
          });
        }
        break;
      }
      case "update": {
        const l = pickFrom(model.listings, model.listings, true, c.pick);
        if (!l) return { ok: false, skipped: true };
        const caller = c.bySeller ? signer(l.seller) : inv.buyers[c.pick % inv.buyers.length];
        const expected =
          caller.address !== l.seller ? "NotSeller" : l.offer === Offer.HoldingTransfer && c.maxQ !== 1 ? "InvalidQuantity" : null;
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
        const orderable = model.listings.filter(
          (x) => x.active && (x.maxQ === 0 || x.sold < x.maxQ) && model.active(x.assetId) && model.holders.get(x.assetId) === x.seller,
        );
        const l = pickFrom(model.listings, orderable, c.valid, c.pick);
        if (!l) return { ok: false, skipped: true };
        let buyer = inv.buyers[c.buyer];
        if (c.valid && buyer.address === l.seller) buyer = inv.buyers[(c.buyer + 1) % inv.buyers.length];
        const expectedPrice = c.stale ? l.price + 1n : l.price;
        const expected = !l.active
          ? "ListingInactive"
          : expectedPrice !== l.price
            ? "PriceChanged"
            : l.maxQ !== 0 && l.sold >= l.maxQ
              ? "SoldOut"
              : buyer.address === l.seller
                ? "SelfPurchase"
                : !model.active(l.assetId)
                  ? "AssetNotActive"
                  : model.holders.get(l.assetId) !== l.seller
                    ? "NotAuthorisedSeller"
                    : null;
        const r = await send(expected, () => dex.connect(buyer).order(l.id, expectedPrice));
        if (r) {
          ok = true;
          l.sold += 1;
          const o: MOrder = {
            id: BigInt(model.orders.length + 1),
            listing: l,
            buyer: buyer.address,
            status: OrderStatus.Paid,
            price: l.price,
            feeBps: model.feeBps.get(l.venueId)!,
            orderedAt: model.now,
            deliveredAt: 0n,
            refunded: 0n,
          };
          model.orders.push(o);
          touched = o;
          checkEvents(r, []);
        }
        break;
      }
      case "deliver": {
        const t = model.now + 1n;
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Paid && t <= x.orderedAt + x.listing.dw),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const caller = c.bySeller || c.valid ? signer(o.listing.seller) : inv.buyers[c.pick % inv.buyers.length];
        const expected =
          caller.address !== o.listing.seller
            ? "NotSeller"
            : o.status !== OrderStatus.Paid
              ? "WrongOrderStatus"
              : t > o.orderedAt + o.listing.dw
                ? "DeliveryDeadlinePassed"
                : null;
        const r = await send(expected, () => dex.connect(caller).deliver(o.id, hash("delivery")));
        touched = o;
        if (r) {
          ok = true;
          o.status = OrderStatus.Delivered;
          o.deliveredAt = model.now;
        }
        break;
      }
      case "accept": {
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Delivered),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const caller = c.byBuyer || c.valid ? signer(o.buyer) : inv.accounts[c.who];
        const expected = caller.address !== o.buyer ? "NotBuyer" : o.status !== OrderStatus.Delivered ? "WrongOrderStatus" : null;
        const r = await send(expected, () => dex.connect(caller).accept(o.id));
        touched = o;
        if (r) {
          ok = true;
          checkEvents(r, [model.settle(o, o.price)], o);
        }
        break;
      }
      case "settle": {
        const t = model.now + 1n;
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Delivered && t > x.deliveredAt + x.listing.aw),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const expected =
          o.status !== OrderStatus.Delivered ? "WrongOrderStatus" : t <= o.deliveredAt + o.listing.aw ? "AcceptanceWindowOpen" : null;
        const r = await send(expected, () => dex.connect(inv.accounts[c.who]).settle(o.id));
        touched = o;
        if (r) {
          ok = true;
          checkEvents(r, [model.settle(o, o.price)], o);
        }
        break;
      }
      case "dispute": {
        const t = model.now + 1n;
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Delivered && t <= x.deliveredAt + x.listing.aw),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const caller = c.byBuyer || c.valid ? signer(o.buyer) : signer(o.listing.seller);
        const expected =
          caller.address !== o.buyer
            ? "NotBuyer"
            : o.status !== OrderStatus.Delivered
              ? "WrongOrderStatus"
              : t > o.deliveredAt + o.listing.aw
                ? "AcceptanceWindowClosed"
                : null;
        const r = await send(expected, () => dex.connect(caller).dispute(o.id, hash("evidence")));
        touched = o;
        if (r) {
          ok = true;
          o.status = OrderStatus.Disputed;
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
        const refund =
          c.refund === "none" ? 0n : c.refund === "full" ? o.price : c.refund === "over" ? o.price + 1n : (o.price * BigInt(c.frac)) / 1000n;
        const expected = o.status !== OrderStatus.Disputed ? "WrongOrderStatus" : refund > o.price ? "RefundExceedsPrice" : null;
        const r = await send(expected, () => dex.connect(m.arbiter).resolveDispute(o.id, refund, hash("resolution")));
        touched = o;
        if (r) {
          ok = true;
          if (refund === o.price) {
            o.status = OrderStatus.Refunded;
            o.listing.sold -= 1;
            model.credit(o.buyer, refund);
            checkEvents(r, []);
          } else {
            // The partial refund leaves escrow when credited; the remainder settles in the same transaction.
            o.refunded = refund;
            model.credit(o.buyer, refund);
            const s = model.settle(o, o.price - refund);
            checkEvents(r, [s], o);
          }
          const refunds = eventsIn(dex, r, "Refunded");
          const expectedRefunds = refund === 0n ? 0 : 1;
          const lapsed = o.status === OrderStatus.Refunded && refund !== o.price ? 1 : 0;
          expect(refunds.length).to.equal(expectedRefunds + lapsed);
          if (refund !== 0n) expect(refunds[0].reason).to.equal(BigInt(RefundReason.Arbitration));
        }
        break;
      }
      case "refundUndelivered": {
        const t = model.now + 1n;
        const o = target ?? pickFrom(
          model.orders,
          model.orders.filter((x) => x.status === OrderStatus.Paid && t > x.orderedAt + x.listing.dw),
          c.valid,
          c.pick,
        );
        if (!o) return { ok: false, skipped: true };
        const caller = c.byBuyer || c.valid ? signer(o.buyer) : signer(o.listing.seller);
        const expected =
          caller.address !== o.buyer
            ? "NotBuyer"
            : o.status !== OrderStatus.Paid
              ? "WrongOrderStatus"
              : t <= o.orderedAt + o.listing.dw
                ? "DeliveryDeadlineNotPassed"
                : null;
        const r = await send(expected, () => dex.connect(caller).refundUndelivered(o.id));
        touched = o;
        if (r) {
          ok = true;
          o.status = OrderStatus.Refunded;
          o.listing.sold -= 1;
          model.credit(o.buyer, o.price);
          checkEvents(r, []);
        }
        break;
      }
      case "withdraw": {
        const withCredit = inv.accounts.filter((a) => (model.credits.get(a.address) ?? 0n) > 0n);
        const who = pickFrom(inv.accounts, withCredit, c.valid, c.who);
        if (!who) return { ok: false, skipped: true };
        const credit = model.credits.get(who.address) ?? 0n;
        const balanceBefore = await m.token.balanceOf(who.address);
        const r = await send(credit === 0n ? "NothingToWithdraw" : null, () => dex.connect(who).withdraw(inv.token, who.address));
        if (r) {
          ok = true;
          model.credits.set(who.address, 0n);
          checkEvents(r, []);
          expect(await m.token.balanceOf(who.address)).to.equal(balanceBefore + credit);
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
        // Jump so that the next transaction lands exactly on (or one second past) an open order's deadline.
        const deadlines = model.orders
          .map((x) =>
            x.status === OrderStatus.Paid ? x.orderedAt + x.listing.dw : x.status === OrderStatus.Delivered ? x.deliveredAt + x.listing.aw : 0n,
          )
          .filter((d) => d > model.now + 1n);
        if (deadlines.length === 0) return { ok: false, skipped: true };
        const target = deadlines[c.pick % deadlines.length] - (c.past ? 0n : 1n);
        if (target > model.now) {
          model.now = target;
          await time.increaseTo(model.now);
        }
        ok = true;
        break;
      }
      case "cancel": {
        const assetId = inv.assets[c.asset];
        const holder = signer(model.holders.get(assetId)!);
        await time.setNextBlockTimestamp(model.now + 1n);
        if (model.cancelled.has(assetId)) {
          await expect(m.registry.connect(holder).cancel(assetId, "gone")).to.be.revertedWithCustomError(m.registry, "WrongStatus");
          model.now = BigInt(await time.latest());
        } else {
          await (await m.registry.connect(holder).cancel(assetId, "gone")).wait();
          model.now += 1n;
          model.cancelled.add(assetId);
          ok = true;
        }
        break;
      }
      case "fee": {
        const venueId = c.venue === 0 ? SZ.id : BJ.id;
        await time.setNextBlockTimestamp(model.now + 1n);
        await (await dex.connect(m.admin).setVenue(venueId, model.treasuries.get(venueId)!, c.bps)).wait();
        model.now += 1n;
        model.feeBps.set(venueId, c.bps);
        ok = true;
        break;
      }
      case "progress": {
        // The natural next step of a random open order.
        const open = model.orders.filter((x) => [OrderStatus.Paid, OrderStatus.Delivered, OrderStatus.Disputed].includes(x.status));
        if (open.length === 0) return { ok: false, skipped: true };
        const o = open[c.pick % open.length];
        const t = model.now + 1n;
        let next: Cmd;
        if (o.status === OrderStatus.Paid) {
          next = t <= o.orderedAt + o.listing.dw
            ? { t: "deliver", pick: 0, valid: true, bySeller: true }
            : { t: "refundUndelivered", pick: 0, valid: true, byBuyer: true };
        } else if (o.status === OrderStatus.Delivered) {
          const open = t <= o.deliveredAt + o.listing.aw;
          next =
            c.choice % 3 === 0
              ? { t: "accept", pick: 0, valid: true, byBuyer: true, who: 0 }
              : open
                ? c.choice % 3 === 1
                  ? { t: "dispute", pick: 0, valid: true, byBuyer: true }
                  : { t: "accept", pick: 0, valid: true, byBuyer: true, who: 0 }
                : { t: "settle", pick: 0, valid: true, who: c.choice % 20 };
        } else {
          const refund = (["none", "full", "part", "part"] as const)[c.choice % 4];
          next = { t: "resolve", pick: 0, valid: true, refund, frac: 1 + (c.choice % 999) };
        }
        const r = await step(next, o);
        record(next, r.ok);
        return { ...r, ok: r.ok };
      }
    }
    return { ok, touched };
  };

  for (const c of cmds) {
    const { ok, touched, skipped } = await step(c);
    record(c, ok, skipped);
    expect(BigInt(await time.latest()), "model clock").to.equal(model.now);
    await checkInvariants(touched);
  }
}

/** Every sequence starts from two open listings, so short sequences still trade. */
const OPENING: Cmd[] = [
  { t: "list", asset: 0, byHolder: true, who: 0, offer: Offer.ProcessingUse, price: 5_000_000n, maxQ: 0, venue: 0, merchantBps: 250, dw: 7 * DAY, aw: 3 * DAY },
  { t: "list", asset: 1, byHolder: true, who: 0, offer: Offer.ProcessingUse, price: 999_999_999n, maxQ: 2, venue: 1, merchantBps: 0, dw: DAY, aw: HOUR },
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
    // The generator must actually reach settlements and refunds, not only refusals.
    expect(stats.get("order ok") ?? 0).to.be.greaterThan(0);
    expect((stats.get("accept ok") ?? 0) + (stats.get("settle ok") ?? 0) + (stats.get("resolve ok") ?? 0)).to.be.greaterThan(0);
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
