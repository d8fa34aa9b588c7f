// Names of the contracts' enums, by ordinal, as stored in the index and served by the API.
export const Status = ["None", "InNotice", "Rejected", "Active", "Cancelled"] as const;
export const AssetKind = ["Resource", "Product"] as const;
export const SourceType = ["SelfCollected", "Purchased", "PublicAuthorised"] as const;
export const Grade = ["General", "Important", "Core"] as const;
export const UpdateFrequency = ["Once", "Realtime", "Daily", "Weekly", "Monthly", "Quarterly", "Yearly"] as const;
export const RightKind = ["ProcessingUse", "ProductOperation"] as const;
export const Offer = ["ProcessingUse", "ProductOperation", "HoldingTransfer"] as const;
export const RefundReason = ["NotDelivered", "Arbitration", "RightsLapsed", "DisputeTimeout", "Stranded"] as const;
export const ValuationMethod = ["Cost", "Market", "Income"] as const;
export const Category = ["Intangible", "Inventory", "Development"] as const;
export const CostSource = ["Purchased", "SelfDeveloped", "Other"] as const;
export const CostPhase = ["None", "Research", "Development"] as const;
export const DerecognitionReason = ["Sale", "Lapse", "Other"] as const;
// PledgeRegistry (IPledgeRegistry.sol).
export const Collateral = ["Holding", "Revenue", "Certificate"] as const;
export const PledgeStatus = ["None", "Filed", "Live", "Defaulted", "Released", "Enforced", "Voided", "Withdrawn"] as const;
export const Consent = ["Transfer", "Cancellation", "Licensing"] as const;
/** The data asset registry's encumbrance flags (ENC_* of IDataAssetRegistry.sol), by bit. */
export const Encumbrance = { Transfer: 1, Cancel: 2, Licensing: 4, Revenue: 8, Enforcing: 16, Proceeds: 32 } as const;
/** A pledge's scope of security (SCOPE_* of IPledgeRegistry.sol, 担保范围), by bit. */
export const PledgeScope = { Principal: 1, Interest: 2, Penalties: 4, Damages: 8, EnforcementCosts: 16 } as const;

/** The name of ordinal `i` of `names`; an ordinal the ABI does not know is a decoding bug, so it throws. */
export function nameOf(names: readonly string[], i: number): string {
  const name = names[i];
  if (name === undefined) throw new Error(`enum ordinal ${i} out of range (${names.join(", ")})`);
  return name;
}
