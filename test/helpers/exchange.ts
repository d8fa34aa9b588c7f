// Shared set-up for exchange tests: the registry world plus a settlement token, two venues with fees, an arbiter,
// funded buyers, and a builder for listing terms.
import { ethers } from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { SettlementToken__factory } from "../../typechain-types";
import type { SettlementToken } from "../../typechain-types";
import type { IDataExchange } from "../../typechain-types/contracts/DataExchange";
import { world, World, SZ, BJ, DAY, YEAR, hash } from "./registry";

export enum Offer { ProcessingUse, ProductOperation, HoldingTransfer }
export enum OrderStatus { None, Paid, Delivered, Disputed, Settled, Refunded }
export enum RefundReason { NotDelivered, Arbitration, RightsLapsed }

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

/** Sum of everything the exchange owes in `token`: must equal its balance. */
export async function owed(m: Market, accounts: string[], openEscrow: bigint): Promise<bigint> {
  let total = openEscrow;
  for (const a of accounts) total += await m.dex.creditOf(a, await m.token.getAddress());
  return total;
}
