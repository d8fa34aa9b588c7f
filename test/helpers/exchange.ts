// Shared set-up for exchange tests: the registry world plus a settlement token, two venues with fees, an arbiter,
// funded buyers, and a builder for listing terms.
import { ethers } from "hardhat";
import type { BaseContract, ContractTransactionReceipt, ContractTransactionResponse, Log, Result } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { SettlementToken__factory } from "../../typechain-types";
import type { SettlementToken } from "../../typechain-types";
import type { IDataExchange } from "../../typechain-types/contracts/DataExchange";
import { world, World, SZ, BJ, DAY, YEAR, hash } from "./registry";

export enum Offer { ProcessingUse, ProductOperation, HoldingTransfer }
export enum OrderStatus { None, Paid, Delivered, Disputed, Settled, Refunded, Remedied }
export enum RefundReason { NotDelivered, Arbitration, RightsLapsed, DisputeTimeout, Stranded, LicenceRemedy }

export const SZ_FEE_BPS = 100; // 1%
export const BJ_FEE_BPS = 50; // 0.5%
/** 2 decimals: amounts in fen. */
export const yuan = (n: number | bigint) => BigInt(n) * 100n;

export interface Market extends World {
  token: SettlementToken;
  szTreasury: HardhatEthersSigner;
  bjTreasury: HardhatEthersSigner;
  arbiter: HardhatEthersSigner;
  merchant: HardhatEthersSigner;
  buyer: HardhatEthersSigner;
  buyer2: HardhatEthersSigner;
}

/** Use with loadFixture(market). */
export async function market(): Promise<Market> {
  const w = await world();
  const [szTreasury, bjTreasury, arbiter, merchant, buyer, buyer2] = w.signers.slice(8, 14);
  const token = await new SettlementToken__factory(w.admin).deploy("Digital Yuan (test)", "eCNY", 2, w.admin.address);
  await w.dex.setTokenAllowed(await token.getAddress(), true);
  await w.dex.setVenue(SZ.id, szTreasury.address, SZ_FEE_BPS);
  await w.dex.setVenue(BJ.id, bjTreasury.address, BJ_FEE_BPS);
  await w.dex.grantRole(await w.dex.ARBITER_ROLE(), arbiter.address);
  for (const b of [buyer, buyer2, w.other, w.licensee]) {
    await token.mint(b.address, yuan(10_000_000));
    await token.connect(b).approve(await w.dex.getAddress(), ethers.MaxUint256);
  }
  return { ...w, token, szTreasury, bjTreasury, arbiter, merchant, buyer, buyer2 };
}

export type ListingTerms = IDataExchange.ListingTermsStruct;

export async function listingTerms(m: Market, assetId: bigint | number, overrides: Partial<ListingTerms> = {}): Promise<ListingTerms> {
  return {
    assetId,
    sellerCertId: 0,
    venueId: SZ.id,
    offer: Offer.ProcessingUse,
    token: await m.token.getAddress(),
    price: yuan(50_000),
    maxQuantity: 0,
    licenceTerm: YEAR,
    scopeHash: hash("licence-scope"),
    scopeMask: 0b0011,
    licenceSublicensable: false,
    licenceTransferable: false,
    merchant: ethers.ZeroAddress,
    merchantBps: 0,
    deliveryWindow: 7 * DAY,
    acceptanceWindow: 3 * DAY,
    ...overrides,
  };
}

/** Sum of everything the exchange owes in `token`: its balance is at least this, equal unless tokens were sent to it
 * outside any order (which the admin may sweep). */
export async function owed(m: Market, accounts: string[], openEscrow: bigint): Promise<bigint> {
  let total = openEscrow;
  for (const a of accounts) total += await m.dex.creditOf(a, await m.token.getAddress());
  return total;
}

// ---------------------------------------------------------------- added for the DataExchange suites


export const BPS = 10_000n;
export const ROYALTY_DENOMINATOR = 10n ** 16n;

export interface RoyaltyPaymentOut {
  assetId: bigint;
  payee: string;
  amount: bigint;
}

/** The Settled event's struct as plain values (addresses checksummed, enums as numbers). */
export interface SettlementOut {
  orderId: bigint;
  listingId: bigint;
  assetId: bigint;
  offer: number;
  buyer: string;
  seller: string;
  token: string;
  gross: bigint;
  venueId: number;
  venueTreasury: string;
  exchangeFee: bigint;
  merchant: string;
  merchantCommission: bigint;
  royalties: RoyaltyPaymentOut[];
  sellerNet: bigint;
  certId: bigint;
  settledAt: bigint;
}

/** Decoded events named `name` emitted by `contract` in a receipt, in log order. */
export function eventsIn(contract: BaseContract, receipt: ContractTransactionReceipt | null, name: string): Result[] {
  if (!receipt) throw new Error("no receipt");
  const address = (contract.target as string).toLowerCase();
  const out: Result[] = [];
  for (const log of receipt.logs as Log[]) {
    if (log.address.toLowerCase() !== address) continue;
    const parsed = contract.interface.parseLog({ topics: [...log.topics], data: log.data });
    if (parsed && parsed.name === name) out.push(parsed.args);
  }
  return out;
}

export function toSettlement(s: Result): SettlementOut {
  return {
    orderId: s.orderId,
    listingId: s.listingId,
    assetId: s.assetId,
    offer: Number(s.offer),
    buyer: s.buyer,
    seller: s.seller,
    token: s.token,
    gross: s.gross,
    venueId: Number(s.venueId),
    venueTreasury: s.venueTreasury,
    exchangeFee: s.exchangeFee,
    merchant: s.merchant,
    merchantCommission: s.merchantCommission,
    royalties: [...s.royalties].map((r: Result) => ({ assetId: r.assetId, payee: r.payee, amount: r.amount })),
    sellerNet: s.sellerNet,
    certId: s.certId,
    settledAt: s.settledAt,
  };
}

/** Every Settled event of the exchange in a receipt, decoded. */
export function settlementsIn(m: Market, receipt: ContractTransactionReceipt | null): SettlementOut[] {
  return eventsIn(m.dex, receipt, "Settled").map((a) => toSettlement(a.settlement));
}

/** Waits for a transaction and returns its receipt and block timestamp. */
export async function mined(tx: Promise<ContractTransactionResponse> | ContractTransactionResponse) {
  const receipt = (await (await tx).wait())!;
  const block = await ethers.provider.getBlock(receipt.blockNumber);
  return { receipt, at: BigInt(block!.timestamp) };
}

export interface RoyaltyLine {
  assetId: bigint;
  share: bigint;
}

export interface Split {
  exchangeFee: bigint;
  merchantCommission: bigint;
  net: bigint;
  royalties: (RoyaltyLine & { amount: bigint })[];
  sellerNet: bigint;
}

/** The split the exchange documents: fee and commission floor(gross * bps / 1e4), royalties floor(net * share / 1e16)
 * of net = gross - fee - commission, the seller takes the remainder. */
export function expectedSplit(gross: bigint, feeBps: bigint | number, merchantBps: bigint | number, table: RoyaltyLine[]): Split {
  const exchangeFee = (gross * BigInt(feeBps)) / BPS;
  const merchantCommission = (gross * BigInt(merchantBps)) / BPS;
  const net = gross - exchangeFee - merchantCommission;
  const royalties = table.map((e) => ({ ...e, amount: (net * e.share) / ROYALTY_DENOMINATOR }));
  const sellerNet = net - royalties.reduce((a, r) => a + r.amount, 0n);
  return { exchangeFee, merchantCommission, net, royalties, sellerNet };
}

/** The registry's flattened royalty table of an asset. */
export async function royaltyTable(m: World, assetId: bigint | number): Promise<RoyaltyLine[]> {
  return (await m.registry.royaltiesOf(assetId)).map((e) => ({ assetId: e.assetId, share: e.share }));
}

/** Deploys a SettlementToken with `decimals`, allows it on the exchange, funds and approves `holders`. */
export async function settlementToken(m: Market, decimals: number, holders: HardhatEthersSigner[], amount: bigint, name = `Stable ${decimals}`) {
  const t = await new SettlementToken__factory(m.admin).deploy(name, `S${decimals}`, decimals, m.admin.address);
  await m.dex.setTokenAllowed(await t.getAddress(), true);
  for (const h of holders) {
    await t.mint(h.address, amount);
    await t.connect(h).approve(await m.dex.getAddress(), ethers.MaxUint256);
  }
  return t;
}

export { signPermit } from "../../scripts/permit";
