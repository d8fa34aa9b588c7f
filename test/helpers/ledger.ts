// Set-up for AssetLedger tests: world() plus accredited assessors and appraisers, an accountant, a settlement token
// (fen of a digital-yuan-like unit) as the books' currency, an Active asset and an asset still in public notice.
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { SettlementToken__factory } from "../../typechain-types";
import type { SettlementToken } from "../../typechain-types";
import { DAY, SZ, hash, registerActive, submit, world, type World } from "./registry";
import { listingTerms, type Market } from "./exchange";

export enum AttestationKind { Compliance, Quality, Appraisal }
export enum ValuationMethod { Cost, Market, Income }
export enum Category { Intangible, Inventory, Development }
export enum CostSource { Purchased, SelfDeveloped, Other }
export enum CostPhase { None, Research, Development }
export enum DerecognitionReason { Sale, Lapse, Other }

/** 2024-01-01 00:00 UTC+8, the day 财会〔2023〕11号 takes effect. */
export const RULES_EFFECTIVE = 1_704_038_400;
export const CST = 8 * 60 * 60;
/** One yuan in fen (the settlement token has 2 decimals). */
export const YUAN = 100n;

/** Unix time of 00:00 on the given day in UTC+8. */
export function cstDate(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / 1000 - CST;
}

/** Fixes the timestamp of the next block `after` seconds past the latest one, and returns it. */
export async function nextTimestamp(after = 1): Promise<number> {
  const t = (await time.latest()) + after;
  await time.setNextBlockTimestamp(t);
  return t;
}

export interface LedgerWorld extends World {
  currency: SettlementToken;
  currencyAddress: string;
  entity: HardhatEthersSigner; // = holder: keeps books
  otherEntity: HardhatEthersSigner; // = other: a second entity
  assessor: HardhatEthersSigner;
  assessor2: HardhatEthersSigner;
  appraiser: HardhatEthersSigner;
  appraiser2: HardhatEthersSigner;
  accountant: HardhatEthersSigner;
  outsider: HardhatEthersSigner; // no role, no authorisation
  activeId: bigint; // Active asset held by `entity`
  noticeId: bigint; // asset still in public notice
}

/** Use with loadFixture(ledgerWorld). */
export async function ledgerWorld(): Promise<LedgerWorld> {
  const w = await world();
  const [assessor, assessor2, appraiser, appraiser2, accountant, outsider] = w.signers.slice(14, 20);
  const ASSESSOR = await w.ledger.ASSESSOR_ROLE();
  const APPRAISER = await w.ledger.APPRAISER_ROLE();
  await w.ledger.grantRole(ASSESSOR, assessor.address);
  await w.ledger.grantRole(ASSESSOR, assessor2.address);
  await w.ledger.grantRole(APPRAISER, appraiser.address);
  await w.ledger.grantRole(APPRAISER, appraiser2.address);
  const currency = await new SettlementToken__factory(w.admin).deploy("Digital Yuan", "eCNY", 2, w.admin.address);
  await currency.waitForDeployment();
  const { assetId: activeId } = await registerActive(w, w.holder);
  const { assetId: noticeId } = await submit(w, w.holder);
  return {
    ...w,
    currency,
    currencyAddress: await currency.getAddress(),
    entity: w.holder,
    otherEntity: w.other,
    assessor,
    assessor2,
    appraiser,
    appraiser2,
    accountant,
    outsider,
    activeId,
    noticeId,
  };
}

export interface BookArgs {
  entity: string;
  assetId: bigint | number;
  category: Category;
  source: CostSource;
  usefulLifeMonths: number;
  residualValue: bigint;
  currency: string;
  date: number;
  evidenceHash: string;
}

export function bookArgs(l: LedgerWorld, overrides: Partial<BookArgs> = {}): BookArgs {
  return {
    entity: l.entity.address,
    assetId: l.activeId,
    category: Category.Intangible,
    source: CostSource.Purchased,
    usefulLifeMonths: 36,
    residualValue: 0n,
    currency: l.currencyAddress,
    date: cstDate(2025, 3, 1),
    evidenceHash: hash("recognition"),
    ...overrides,
  };
}

/** Calls recognise with the given arguments as `by` (default: the entity). */
export function recogniseTx(l: LedgerWorld, a: BookArgs, by: HardhatEthersSigner = l.entity) {
  return l.ledger
    .connect(by)
    .recognise(a.entity, a.assetId, a.category, a.source, a.usefulLifeMonths, a.residualValue, a.currency, a.date, a.evidenceHash);
}

/** Calls recogniseAwaitingUse (an intangible not yet ready for use) with the given arguments as `by`; the category and
 * useful life of `a` are not used (the book is intangible; its life comes with readyForUse). */
export function recogniseAwaitingUseTx(l: LedgerWorld, a: BookArgs, by: HardhatEthersSigner = l.entity) {
  return l.ledger.connect(by).recogniseAwaitingUse(a.entity, a.assetId, a.source, a.residualValue, a.currency, a.date, a.evidenceHash);
}

/** Opens an intangible book awaiting use and returns its id and the arguments used. */
export async function openAwaitingBook(l: LedgerWorld, overrides: Partial<BookArgs> = {}, by: HardhatEthersSigner = l.entity) {
  const args = bookArgs(l, { usefulLifeMonths: 0, ...overrides });
  await recogniseAwaitingUseTx(l, args, by);
  return { bookId: await l.ledger.bookCount(), args };
}

export type OrderStage = "Paid" | "Delivered" | "Settled" | "Refunded";

/**
 * Exchange orders for cost entries to link to: the books' currency allowed on the exchange, venue SZ (1% fee), and an
 * Active asset held by `otherEntity` listed at `price` (processing-use licences). Returns `order(buyer, stage)`, which
 * funds `buyer`, buys one licence and takes the order to `stage` (Settled: delivered and accepted; Refunded: not
 * delivered in time and refunded), returning the order id.
 */
export async function exchangeOrders(l: LedgerWorld, price = 50_000n * YUAN) {
  await l.dex.setTokenAllowed(l.currencyAddress, true);
  await l.dex.setVenue(SZ.id, l.signers[8].address, 100);
  const { assetId } = await registerActive(l, l.otherEntity);
  await l.dex.connect(l.otherEntity).list(await listingTerms({ ...l, token: l.currency } as unknown as Market, assetId, { price }));
  const listingId = await l.dex.listingCount();
  const dex = await l.dex.getAddress();
  return async (buyer: HardhatEthersSigner, stage: OrderStage = "Settled"): Promise<bigint> => {
    await l.currency.mint(buyer.address, price);
    await l.currency.connect(buyer).approve(dex, price);
    await l.dex.connect(buyer).order(listingId, price);
    const orderId = await l.dex.orderCount();
    if (stage === "Refunded") {
      await time.increase(8 * DAY); // past the 7-day delivery window
      await l.dex.connect(buyer).refundUndelivered(orderId);
    } else if (stage !== "Paid") {
      await l.dex.connect(l.otherEntity).deliver(orderId, hash("delivery"));
      if (stage === "Settled") await l.dex.connect(buyer).accept(orderId);
    }
    return orderId;
  };
}

/** Opens a book and returns its id and the arguments used. */
export async function openBook(l: LedgerWorld, overrides: Partial<BookArgs> = {}, by: HardhatEthersSigner = l.entity) {
  const args = bookArgs(l, overrides);
  await recogniseTx(l, args, by);
  return { bookId: await l.ledger.bookCount(), args };
}

/** A book as a plain object of bigints and addresses, for deep equality. */
export async function bookOf(l: LedgerWorld, bookId: bigint | number) {
  const b = await l.ledger.bookOf(bookId);
  return {
    entity: b.entity,
    category: Number(b.category),
    source: Number(b.source),
    usefulLifeMonths: Number(b.usefulLifeMonths),
    recognisedOn: Number(b.recognisedOn),
    readyOn: Number(b.readyOn),
    derecognisedOn: Number(b.derecognisedOn),
    assetId: b.assetId,
    currency: b.currency,
    cost: b.cost,
    impairment: b.impairment,
    residualValue: b.residualValue,
  };
}

/** An attestation as a plain object, for deep equality. */
export async function attestationOf(l: LedgerWorld, id: bigint | number) {
  const a = await l.ledger.attestationOf(id);
  return {
    assetId: a.assetId,
    kind: Number(a.kind),
    author: a.author,
    attestedAt: Number(a.attestedAt),
    revokedAt: Number(a.revokedAt),
    supersededBy: a.supersededBy,
  };
}

export const ZERO_ADDRESS = ethers.ZeroAddress;
export const ZERO_HASH = ethers.ZeroHash;
