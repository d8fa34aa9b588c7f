// Shared pledge terms for tests and the gas benchmark (contracts/PledgeRegistry.sol).
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { IPledgeRegistry } from "../../typechain-types/contracts/PledgeRegistry";
import { DAY, YEAR, hash } from "./registry";

export enum Collateral { Holding, Revenue, Certificate }
export enum PledgeStatus { None, Filed, Live, Defaulted, Released, Enforced, Voided, Withdrawn }
export enum Consent { Transfer, Cancellation, Licensing }
/** The registry's ENC_* flags (a certificate's in the rights contract: transfer, licensing, enforcing). */
export const ENC = { transfer: 1, cancel: 2, licensing: 4, revenue: 8, enforcing: 16, proceeds: 32 };
export const SCOPE = { principal: 1, interest: 2, penalties: 4, damages: 8, costs: 16 };

export type PledgeTerms = IPledgeRegistry.PledgeTermsStruct;

/** A holding pledge of `assetId` to `pledgee` for 5,000,000.00 (2 decimals), due in a year, registered yesterday. */
export async function pledgeTerms(assetId: bigint, debtor: string, pledgee: string, token: string, overrides: Partial<PledgeTerms> = {}): Promise<PledgeTerms> {
  const now = await time.latest();
  return {
    assetId,
    collateral: Collateral.Holding,
    certId: 0n,
    debtor,
    pledgee,
    token,
    securedAmount: 500_000_000n,
    scope: SCOPE.principal | SCOPE.interest | SCOPE.costs,
    maximumAmount: false,
    termEnd: now + YEAR,
    mainContractHash: hash("loan"),
    licensingAllowed: false,
    selfSaleAllowed: false,
    reservePrice: 0n,
    externalRegistry: ethers.encodeBytes32String("PBOC-ZDW"),
    externalNumber: "06543210000012345678",
    externalRegisteredAt: now - DAY,
    ...overrides,
  };
}
