// Turns a revert into words: the custom error is decoded with the ABIs of every contract (a call into the exchange
// may revert inside the registry or the token, so the callee's ABI alone is not enough) and said as a sentence that
// names the error, e.g. "not the holder of asset 3 (NotHolder)".
import { AbiCoder, Interface, ZeroHash, id as keccakText, keccak256, type InterfaceAbi } from "ethers";
import { AssetLedger__factory } from "../../typechain-types/factories/contracts/AssetLedger__factory";
import { DataAssetRegistry__factory } from "../../typechain-types/factories/contracts/DataAssetRegistry__factory";
import { DataExchange__factory } from "../../typechain-types/factories/contracts/DataExchange__factory";
import { PledgeRegistry__factory } from "../../typechain-types/factories/contracts/PledgeRegistry__factory";
import { RightsCertificate__factory } from "../../typechain-types/factories/contracts/RightsCertificate__factory";
import { IERC20Errors__factory } from "../../typechain-types/factories/@openzeppelin/contracts/interfaces/draft-IERC6093.sol/IERC20Errors__factory";
import { Category, CostPhase, CostSource, Status } from "../../indexer/enums";
import { cstTime } from "./report";
import { DalError, EXIT, isUnreachable } from "./exit";
import { lacksGasFunds } from "./tx";

const INTERFACES: Interface[] = [
  DataAssetRegistry__factory,
  RightsCertificate__factory,
  DataExchange__factory,
  AssetLedger__factory,
  PledgeRegistry__factory,
  IERC20Errors__factory,
].map((f) => new Interface(f.abi as InterfaceAbi));

export interface DecodedRevert {
  name: string;
  args: Record<string, unknown>;
  /** The sentence for a person, naming the error "(ErrorName)", then ". Hint: ..." where a next step is usual. */
  words: string;
  /** Shortfalls of tokens or credit are told apart from other refusals (exit 6). */
  insufficient: boolean;
}

/** Revert data found anywhere in an ethers error (its shape depends on the node and the call path). */
export function revertData(err: unknown, depth = 0): string | undefined {
  if (!err || typeof err !== "object" || depth > 6) return undefined;
  const e = err as Record<string, unknown>;
  if (typeof e.data === "string" && /^0x[0-9a-fA-F]{8,}$/.test(e.data)) return e.data;
  for (const key of ["data", "error", "info", "cause", "payload"]) {
    const found = revertData(e[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

const ROLE_NAMES = new Map<string, string>([
  [ZeroHash, "administrator (DEFAULT_ADMIN_ROLE)"],
  ...["PAUSER_ROLE", "EXCHANGE_ROLE", "ARBITER_ROLE", "ASSESSOR_ROLE", "APPRAISER_ROLE"].map((r) => [keccakText(r), r] as [string, string]),
]);

function roleName(role: string): string {
  const known = ROLE_NAMES.get(role);
  if (known) return known;
  // registrarRole(id) = keccak256(abi.encode("REGISTRAR_ROLE", uint16 id)): recognise the usual small ids.
  for (let i = 1; i <= 256; i++) {
    if (keccak256(AbiCoder.defaultAbiCoder().encode(["string", "uint16"], ["REGISTRAR_ROLE", i])) === role) return `registrar ${i}`;
  }
  return role;
}

/** IPledgeRegistry.PledgeStatus and Collateral. */
export const PledgeStatus = ["None", "Filed", "Live", "Defaulted", "Released", "Enforced", "Voided", "Withdrawn"] as const;
export const Collateral = ["Holding", "Revenue", "Certificate"] as const;

/** What the ENC_* flags restrict, in words: 1 transfer, 2 cancellation, 4 licensing, 8 revenue captured, 16 an
 * enforcement sale listed, 32 an agreed sale's proceeds captured (the registry's for an asset; the rights contract's for
 * a certificate, whose licensing is sublicensing under it). */
export function encumbranceWords(flags: number): string[] {
  const words: string[] = [];
  if (flags & 1) words.push("transfer");
  if (flags & 2) words.push("cancellation");
  if (flags & 4) words.push("licensing");
  if (flags & 8) words.push("revenue goes to the pledgees");
  if (flags & 16) words.push("an enforcement sale is listed");
  if (flags & 32) words.push("sale proceeds go to the pledgees");
  return words;
}

/** Pledges rank and restrict per key (IPledgeRegistry's CERT_KEY): an asset's id, or 1 << 255 | a certificate's id. */
export function pledgeKeyWords(key: unknown): string {
  const k = BigInt(key as bigint);
  return k >> 255n === 1n ? `certificate ${k & ((1n << 255n) - 1n)}` : `asset ${k}`;
}

/** What a pledge's term or an enforcement sale got wrong, by the field InvalidPledgeTerms names. */
const PLEDGE_FIELDS: Record<string, string> = {
  pledgee: "the pledgee is missing or is the pledgor itself",
  debtor: "the debtor is missing",
  token: "the token is missing",
  securedAmount: "the secured amount is zero or too large (at most 2^128-1 minor units)",
  scope: "the scope of security is empty or unknown",
  termEnd: "the term end is not in the future (in a change: earlier than the pledge's)",
  certId: "a certificate pledge names its certificate, and only a certificate pledge does",
  mainContractHash: "the main contract's hash is missing",
  externalRegistry: "the legal registry is missing",
  externalNumber: "the registration number is empty or longer than 64 bytes",
  externalRegisteredAt: "the legal registration time is missing or in the future (by the chain's clock)",
  costs: "the enforcement costs exceed the price, or the pledge's scope does not cover enforcement costs",
  costsEvidenceHash: "enforcement costs need evidence (--costs-evidence)",
  evidenceHash: "the evidence hash is missing",
  rulingHash: "an arbiter's ruling needs its document (--ruling)",
  resolutionHash: "the resolution's document is missing",
};

/** IDataExchange.OrderStatus (the index keeps orders under the API's own names). */
const OrderStatus = ["None", "Paid", "Delivered", "Disputed", "Settled", "Refunded", "Remedied"];

const when = (t: unknown) => cstTime(Number(t));
const n = (v: unknown) => String(v);

type Words = (a: Record<string, any>) => string;

/** One sentence per error of the contracts' interfaces and the OpenZeppelin errors they can raise. */
const WORDS: Record<string, Words> = {
  // registry
  UnknownRegistrar: (a) => `there is no registrar ${n(a.registrarId)}`,
  RegistrarInactive: (a) => `registrar ${n(a.registrarId)} does not accept registrations now`,
  InvalidValidityPeriod: (a) => `a validity of ${Number(a.validityPeriod) / 86_400} days is outside what the registry allows (30 days to 10 years)`,
  ZeroHash: () => "a required hash is zero",
  EmptyName: () => "the name is empty",
  CoreDataRefused: () => "core-grade data (核心数据) is never registered",
  ContentAlreadyRegistered: (a) => `this content (${a.contentHash}) is already registered as asset ${n(a.assetId)}`,
  TooManyParents: (a) => `${n(a.count)} parents given, at most ${n(a.max)} allowed`,
  ParentSharesLengthMismatch: () => "each parent needs exactly one share",
  UnknownParent: (a) => `parent asset ${n(a.parentId)} does not exist or was never approved`,
  DuplicateParent: (a) => `parent asset ${n(a.parentId)} is named twice`,
  SharesExceedTotal: (a) => `the parents' shares add up to ${n(a.totalBps)} bps, more than 10000 (100%)`,
  RoyaltyTableTooLarge: (a) => `the flattened royalty table would have ${n(a.entries)} lines, at most ${n(a.max)} allowed`,
  UnknownAsset: (a) => `there is no asset ${n(a.assetId)}`,
  WrongStatus: (a) => `asset ${n(a.assetId)} is ${Status[Number(a.status)] ?? a.status}, which does not allow this`,
  NotInNotice: (a) => `asset ${n(a.assetId)} is not in public notice`,
  NoticeNotOver: (a) => `the public notice of asset ${n(a.assetId)} runs until ${when(a.noticeEndsAt)}`,
  OpenObjections: (a) => `asset ${n(a.assetId)} has ${n(a.count)} open objection(s) for its registrar to resolve`,
  AlreadyObjecting: (a) => `${a.objector} already has an open objection to asset ${n(a.assetId)}`,
  UnknownObjection: (a) => `there is no objection ${n(a.objectionId)}`,
  ObjectionClosed: (a) => `objection ${n(a.objectionId)} is already resolved`,
  NotRegistrar: (a) => `not a registrar of asset ${n(a.assetId)}: ${a.account} lacks the role of its registrar`,
  NotHolder: (a) => `not the holder of asset ${n(a.assetId)} (signing as ${a.account})`,
  NotHolderOrRegistrar: (a) => `neither the holder nor the registrar of asset ${n(a.assetId)} (signing as ${a.account})`,
  AssetNotActive: (a) => `asset ${n(a.assetId)} is not active (not approved, expired or cancelled)`,
  AssetExpired: (a) => `the registration of asset ${n(a.assetId)} expired at ${when(a.validUntil)}`,
  InvalidRecipient: (a) => `${a.to ?? a.account} cannot be the recipient here`,
  NoTransferRequest: (a) => `asset ${n(a.assetId)} has no pending transfer request`,
  HoldingTransferRestricted: (a) => `the holding right of asset ${n(a.assetId)} moves only by a registrar-approved transfer or a settled trade`,
  RenewalTooLong: (a) => `renewal to ${when(a.validUntil)} is beyond the longest allowed (${when(a.max)})`,
  RenewalNotLater: (a) => `renewal to ${when(a.validUntil)} is not later than the current end ${when(a.current)}`,
  TextTooLong: (a) => `a text of ${n(a.length)} bytes is longer than the ${n(a.max)} allowed`,
  RegistrationNotApproved: (a) => `asset ${n(a.assetId)} was never approved`,
  TransferRequestChanged: (a) =>
    `the pending transfer of asset ${n(a.assetId)} is now to ${a.pendingTo} with evidence ${a.pendingEvidenceHash}, not what was reviewed`,
  PaidLicencesLive: (a) => `asset ${n(a.assetId)} has licences sold on the exchange in term until ${when(a.until)}; its holder cannot cancel it before then`,
  TooManyVersions: (a) => `asset ${n(a.assetId)} has the most versions a registration can hold (65535)`,
  SequenceExhausted: (a) => `registrar ${n(a.registrarId)} has issued all 999999 registration numbers of ${n(a.year)}`,
  // rights
  UnknownCertificate: (a) => `there is no rights certificate ${n(a.certId)}`,
  NotAssetHolder: (a) => `not the holder of asset ${n(a.assetId)} (signing as ${a.account})`,
  NotCertificateHolder: (a) => `not the holder of rights certificate ${n(a.certId)} (signing as ${a.account})`,
  ParentAssetMismatch: (a) => `certificate ${n(a.parentId)} is over another asset than ${n(a.assetId)}`,
  NotSublicensable: (a) => `certificate ${n(a.parentId)} may not be sublicensed`,
  KindMismatch: (a) => `certificate ${n(a.parentId)} is a narrower right than the one asked for (processing-use cannot grant product-operation)`,
  ScopeExceedsParent: (a) => `scope mask ${n(a.scopeMask)} is not within the parent's ${n(a.parentScopeMask)}`,
  TermExceedsParent: (a) =>
    `the term ${when(a.validFrom)} to ${when(a.validUntil)} is outside the parent's ${when(a.parentValidFrom)} to ${when(a.parentValidUntil)}`,
  InvalidTerm: (a) => `the term from ${when(a.validFrom)} until ${when(a.validUntil)} is empty or starts in the past`,
  SublicenceTooDeep: (a) => `a sublicence at depth ${n(a.depth)} is deeper than the ${n(a.max)} allowed`,
  RightNotValid: (a) => `rights certificate ${n(a.certId)} is not valid now`,
  NotTransferable: (a) => `rights certificate ${n(a.certId)} is not transferable`,
  NotGrantorOrRegistrar: (a) => `neither the grantor of certificate ${n(a.certId)} nor its asset's registrar (signing as ${a.account})`,
  AlreadyRevoked: (a) => `rights certificate ${n(a.certId)} is already revoked`,
  ReasonRequired: (a) => `certificate ${n(a.certId)} is a licence sold on the exchange: its registrar revokes it only for cause, with a reason`,
  NotIssuedByExchange: (a) => `certificate ${n(a.certId)} was not issued by the exchange`,
  // exchange
  TokenNotAllowed: (a) => `token ${a.token} is not accepted by the exchange`,
  UnknownVenue: (a) => `there is no venue (exchange) ${n(a.venueId)}`,
  FeeTooHigh: (a) => `a fee of ${n(a.bps)} bps is above the maximum ${n(a.max)}`,
  ZeroPrice: () => "the price is zero",
  PriceTooLarge: (a) => `price ${n(a.price)} (minor units) is too large`,
  InvalidWindow: (a) => `a window of ${Number(a.window) / 3_600} hours is outside 1 hour to 90 days`,
  InvalidLicenceTerm: (a) => `a licence term of ${Number(a.term) / 86_400} days is outside 1 second to 10 years`,
  InvalidMerchant: (a) => `merchant ${a.merchant} with ${n(a.bps)} bps is not allowed (at most 3000 bps, and a merchant address when bps > 0)`,
  InvalidQuantity: (a) => `quantity ${n(a.maxQuantity)} is not allowed (a holding transfer sells exactly 1)`,
  NotAuthorisedSeller: (a) =>
    `${a.account} may not sell asset ${n(a.assetId)}: neither its holder nor the holder of the rights certificate the listing names`,
  SellerCertUnsuitable: (a) =>
    `rights certificate ${n(a.certId)} cannot back this listing: a licence is sold under a sublicensable product-operation right of the asset ` +
    `covering its scope and term; a certificate sold itself (holding transfer) must be transferable and valid now and at settlement`,
  UnknownListing: (a) => `there is no listing ${n(a.listingId)}`,
  NotSeller: (a) => `not the seller of listing ${n(a.listingId)} (signing as ${a.account})`,
  ListingInactive: (a) => `listing ${n(a.listingId)} is withdrawn`,
  SoldOut: (a) => `listing ${n(a.listingId)} is sold out`,
  PriceChanged: (a) => `the price changed: expected ${n(a.expected)}, now ${n(a.actual)} (minor units)`,
  SelfPurchase: () => "a seller cannot buy its own listing",
  UnknownOrder: (a) => `there is no order ${n(a.orderId)}`,
  NotBuyer: (a) => `not the buyer of order ${n(a.orderId)} (signing as ${a.account})`,
  WrongOrderStatus: (a) => `order ${n(a.orderId)} is ${OrderStatus[Number(a.status)] ?? a.status}, which does not allow this`,
  DeliveryDeadlinePassed: (a) => `the delivery deadline of order ${n(a.orderId)} passed at ${when(a.deadline)}`,
  DeliveryDeadlineNotPassed: (a) => `order ${n(a.orderId)} may still be delivered until ${when(a.deadline)}`,
  AcceptanceWindowOpen: (a) => `the acceptance window of order ${n(a.orderId)} is open until ${when(a.endsAt)}`,
  AcceptanceWindowClosed: (a) => `the acceptance window of order ${n(a.orderId)} closed at ${when(a.endsAt)}`,
  RefundExceedsPrice: (a) => `a refund of ${n(a.refund)} exceeds the price ${n(a.price)} (minor units)`,
  AmountNotReceived: (a) => `the exchange received ${n(a.received)} instead of ${n(a.expected)} (fee-on-transfer tokens are refused)`,
  NothingToWithdraw: () => "nothing to withdraw: no credit in this token",
  TransferNotExact: (a) => `token ${a.token} did not move exactly ${n(a.amount)} out of the exchange (tokens that charge the sender are refused)`,
  NothingToSweep: (a) => `the exchange holds no ${a.token} beyond what it owes`,
  DisputeTimeoutNotPassed: (a) => `the dispute of order ${n(a.orderId)} awaits its arbiter until ${when(a.endsAt)}`,
  NotStranded: (a) => `order ${n(a.orderId)} can still settle: the exchange keeps its roles and nothing has been paused long enough`,
  NotALicenceOf: (a) => `certificate ${n(a.certId)} is not a licence sold by order ${n(a.orderId)}`,
  RegistrationEndsBeforeTerm: (a) => `the registration of asset ${n(a.assetId)} (or the seller's right) ends before ${when(a.until)}, when a licence sold now could still be running`,
  SafeERC20FailedOperation: (a) => `the token ${a.token} refused the transfer`,
  ReentrancyGuardReentrantCall: () => "re-entrant call refused",
  // ledger
  ZeroAmount: () => "the amount is zero",
  InvalidScore: (a) => `score ${n(a.score)} is not between 0 and 100`,
  InvalidCurrency: (a) => `${a.currency} is not a currency`,
  DateBeforeRules: (a) => `${when(a.date)} is before 2024-01-01, when 财会〔2023〕11号 took effect`,
  DateInFuture: (a) => `${when(a.date)} is in the future (by the chain's clock)`,
  DateBeforeRecognition: (a) => `${when(a.date)} is before the book was opened (${when(a.recognisedOn)})`,
  DateBeforeLastEntry: (a) => `${when(a.date)} is before the book's last entry (${when(a.lastEntryOn)}); entries are chronological`,
  MissingDate: () => "a date is required",
  UnknownAttestation: (a) => `there is no attestation ${n(a.attestationId)}`,
  NotAuthor: (a) => `not the author of attestation ${n(a.attestationId)} (signing as ${a.account})`,
  AttestationClosed: (a) => `attestation ${n(a.attestationId)} is already revoked or superseded`,
  SupersedeMismatch: (a) => `attestation ${n(a.attestationId)} is of another asset or kind`,
  UnknownBook: (a) => `there is no book ${n(a.bookId)}`,
  NotEntityOrAccountant: (a) => `${a.account} is neither entity ${a.entity} nor an accountant it authorised`,
  WrongCategory: (a) => `book ${n(a.bookId)} is ${Category[Number(a.category)] ?? a.category}, which does not allow this`,
  WrongPhase: (a) =>
    `phase ${CostPhase[Number(a.phase)] ?? a.phase} does not fit book ${n(a.bookId)}: development books take research or development costs, other books neither`,
  InvalidUsefulLife: (a) => `a useful life of ${n(a.months)} months is not allowed here (at most 1200; inventory has none)`,
  BookClosed: (a) => `book ${n(a.bookId)} is derecognised and takes no more entries`,
  ExceedsCarryingBound: (a) => `${n(a.amount)} exceeds what can be impaired or reversed (${n(a.bound)}, minor units)`,
  AlreadyReadyForUse: (a) => `book ${n(a.bookId)} is already ready for use (since ${when(a.readyOn)}); its ready date is recorded once`,
  InvalidSource: (a) =>
    `source ${CostSource[Number(a.source)] ?? a.source} is not allowed here: a self-developed asset not yet ready for use is development expenditure (--category development)`,
  OrderNotSettled: (a) => `order ${n(a.orderId)} is ${OrderStatus[Number(a.status)] ?? a.status}, not settled: only a settled purchase can be linked to a cost`,
  OrderNotBoughtByEntity: (a) => `order ${n(a.orderId)} was bought by ${a.buyer}, not by the book's entity ${a.entity}`,
  // pledges
  Encumbered: (a) =>
    `asset ${n(a.assetId)} is pledged: its live pledges restrict ${encumbranceWords(Number(a.encumbrance)).join(", ") || "nothing"} until every pledgee consents or releases`,
  UnknownPledge: (a) => `there is no pledge ${n(a.pledgeId)}`,
  CollateralNotSupported: (a) =>
    `a ${(Collateral[Number(a.collateral)] ?? String(a.collateral)).toLowerCase()} pledge is not enforced by a sale (a pledge of the holding right or of a certificate is)`,
  CertificateEncumbered: (a) =>
    `rights certificate ${n(a.certId)} is pledged: its live pledges restrict ${encumbranceWords(Number(a.encumbrance)).join(", ") || "nothing"} until every pledgee consents or releases`,
  CertificateNotPledgeable: (a) => `rights certificate ${n(a.certId)} cannot be pledged: only a transferable certificate of the pledged asset, valid now, can`,
  NotPledgeRegistry: (a) => `${a.account} is not the pledge registry, which alone sets what a certificate's pledges restrict`,
  BelowReservePrice: (a) =>
    `the price ${n(a.price)} is below pledge ${n(a.pledgeId)}'s reserve price ${n(a.reservePrice)} (minor units), agreed at filing for a sale by the pledgee alone`,
  PublicInstitution: (a) => `${a.account} is a public institution (行政事业单位), which may not pledge data assets (财资〔2024〕1号)`,
  InvalidPledgeTerms: (a) => PLEDGE_FIELDS[a.field] ?? `the pledge's ${a.field} is not acceptable`,
  WrongPledgeStatus: (a) => `pledge ${n(a.pledgeId)} is ${PledgeStatus[Number(a.status)] ?? a.status}, which does not allow this`,
  NotPledgee: (a) => `not the pledgee of pledge ${n(a.pledgeId)} (signing as ${a.account})`,
  NotPledgor: (a) => `not the pledgor of pledge ${n(a.pledgeId)} (signing as ${a.account})`,
  NotPledgorOrArbiter: (a) => `neither the pledgor of pledge ${n(a.pledgeId)} nor an arbiter (signing as ${a.account})`,
  PledgeeCannotObject: (a) => `the pledgee of pledge ${n(a.pledgeId)} cannot object to it`,
  ObjectionOpen: (a) => `pledge ${n(a.pledgeId)} has an open objection for an arbiter to resolve`,
  NoObjection: (a) => `pledge ${n(a.pledgeId)} has no open objection`,
  NotDue: (a) => `pledge ${n(a.pledgeId)} is not due: its term ends at ${when(a.termEnd)}`,
  SaleNotAuthorised: (a) => `pledge ${n(a.pledgeId)} does not allow a sale by the pledgee alone, and no sale was authorised`,
  EnforcementUnderway: (a) => `an enforcement sale of ${pledgeKeyWords(a.key)} is already listed (pledge ${n(a.pledgeId)})`,
  NotEnforcing: (a) => `pledge ${n(a.pledgeId)} has no enforcement sale listed`,
  NotEnforcementOrder: (a) => `order ${n(a.orderId)} is not of pledge ${n(a.pledgeId)}'s enforcement sale`,
  TooManyPledges: (a) => `${pledgeKeyWords(a.key)} has the most live pledges allowed (${n(a.max)})`,
  AmountIncrease: (a) => `a change may only lower the secured amount (${n(a.securedAmount)}), not raise it to ${n(a.requested)} (minor units)`,
  NotExchange: (a) => `${a.account} is not the exchange`,
  // OpenZeppelin
  AccessControlUnauthorizedAccount: (a) => `${a.account} lacks the role ${roleName(a.neededRole)}`,
  EnforcedPause: () => "the contract is paused",
  ERC20InsufficientBalance: (a) => `insufficient token balance: ${a.sender} has ${n(a.balance)}, needs ${n(a.needed)} (minor units)`,
  ERC20InsufficientAllowance: (a) => `insufficient allowance: ${a.spender} may spend ${n(a.allowance)}, needs ${n(a.needed)} (minor units)`,
  ERC721NonexistentToken: (a) => `there is no certificate ${n(a.tokenId)}`,
};

const INSUFFICIENT = new Set(["ERC20InsufficientBalance", "ERC20InsufficientAllowance", "NothingToWithdraw"]);

const KEYS = "(DAL_PRIVATE_KEY, or --keystore)";

/** What to do about a refusal, where there is a usual next step: a key with the right role, or the dal command that
 * clears the way. Said after the decoded error. */
const HINTS: Record<string, Words> = {
  NotRegistrar: (a) => `sign with the key of an operator of asset ${n(a.assetId)}'s registrar ${KEYS}`,
  NotHolder: (a) => `sign with the key of asset ${n(a.assetId)}'s holder (its applicant, before approval) ${KEYS}`,
  NotAssetHolder: (a) => `sign with the key of asset ${n(a.assetId)}'s holder ${KEYS}`,
  NotHolderOrRegistrar: (a) => `sign with the key of asset ${n(a.assetId)}'s holder or of its registrar ${KEYS}`,
  NotGrantorOrRegistrar: () => `sign with the grantor's key, or with the key of the asset's registrar ${KEYS}`,
  NotBuyer: (a) => `sign with the key of order ${n(a.orderId)}'s buyer ${KEYS}`,
  NotSeller: (a) => `sign with the key of listing ${n(a.listingId)}'s seller ${KEYS}`,
  AccessControlUnauthorizedAccount: (a) =>
    roleName(a.neededRole) === "ARBITER_ROLE"
      ? `sign with an arbiter's key ${KEYS}; the contract's administrator grants ARBITER_ROLE`
      : `sign with a key that holds ${roleName(a.neededRole)} ${KEYS}`,
  OpenObjections: (a) =>
    `the registrar resolves them first: dal objection dismiss --asset ${n(a.assetId)} --resolution <file> (or uphold, which rejects the registration)`,
  NoticeNotOver: () => "approve after that; dal approve --all-due approves every registration whose notice has ended",
  NotInNotice: () => "objections are taken only during the public notice",
  NoTransferRequest: (a) => `the holder requests one first: dal transfer request ${n(a.assetId)} --to <address> --evidence <file>`,
  TransferRequestChanged: (a) =>
    `review the pending request (dal transfer show ${n(a.assetId)}) and approve with the recipient and evidence it names`,
  DeliveryDeadlineNotPassed: () => "a refund of an undelivered order is possible only after its delivery deadline",
  DisputeTimeoutNotPassed: () => "until then the dispute is the arbiter's to resolve (dal resolve-dispute)",
  AcceptanceWindowOpen: () => "the buyer may still accept or dispute; after the window anyone settles (dal settle)",
  NotStranded: (a) => `the buyer accepts (dal accept ${n(a.orderId)}) or disputes; after the acceptance window anyone settles (dal settle ${n(a.orderId)})`,
  ReasonRequired: () => "give the cause with --reason",
  Encumbered: (a) =>
    `every pledgee consents first (dal pledge consent <pledgeId> transfer|cancellation|licensing) or releases the pledge (dal pledge release <pledgeId>); dal pledges --asset ${n(a.assetId)} lists them`,
  CertificateEncumbered: (a) =>
    `every pledgee consents first (dal pledge consent <pledgeId> transfer|licensing) or releases the pledge (dal pledge release <pledgeId>); dal pledges --certificate ${n(a.certId)} lists them`,
  NotCertificateHolder: (a) => `sign with the key of rights certificate ${n(a.certId)}'s holder ${KEYS}`,
  BelowReservePrice: (a) =>
    `ask at least the reserve price; a sale the pledgor agrees to (dal pledge authorise-sale ${n(a.pledgeId)}, with the pledgor's key) or an arbiter orders (--ruling <file>) may ask less`,
  NotPledgee: (a) => `sign with the key of pledge ${n(a.pledgeId)}'s pledgee ${KEYS}`,
  NotPledgor: (a) => `sign with the key of pledge ${n(a.pledgeId)}'s pledgor ${KEYS}`,
  NotPledgorOrArbiter: (a) => `the pledgor agrees with its key, or an arbiter orders the sale: dal pledge authorise-sale ${n(a.pledgeId)} --ruling <file>`,
  SaleNotAuthorised: (a) =>
    `the pledgor agrees (dal pledge authorise-sale ${n(a.pledgeId)}, with the pledgor's key) or an arbiter orders it (dal pledge authorise-sale ${n(a.pledgeId)} --ruling <file>)`,
  NotDue: (a) => `declare the default after the term; or an arbiter rules it: dal pledge default ${n(a.pledgeId)} --ruling <file>`,
  ObjectionOpen: () => "an arbiter of the pledge registry resolves it first",
};

/** "ParentAssetMismatch" -> "parent asset mismatch", for an error without a sentence of its own. */
const spaced = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();

/** Decodes the revert inside an error thrown by ethers, or undefined if it carries no custom error. */
export function decodeRevert(err: unknown): DecodedRevert | undefined {
  const data = revertData(err);
  if (!data) return undefined;
  for (const iface of INTERFACES) {
    let parsed;
    try {
      parsed = iface.parseError(data);
    } catch {
      continue;
    }
    if (!parsed) continue;
    const args: Record<string, unknown> = {};
    parsed.fragment.inputs.forEach((p, i) => (args[p.name || `arg${i}`] = parsed.args[i]));
    const text = WORDS[parsed.name]
      ? undefined
      : `${spaced(parsed.name)}${parsed.fragment.inputs.length ? ` (${Object.entries(args).map(([k, v]) => `${k} ${v}`).join(", ")})` : ""}`;
    return { name: parsed.name, args, words: sentence(parsed.name, args, text), insufficient: INSUFFICIENT.has(parsed.name) };
  }
  // Error(string) and Panic(uint256) are builtin: ethers decodes them as `reason`.
  return undefined;
}

/** The error said in words, named, then its hint: `text` instead of the usual words when the caller says it better. */
function sentence(name: string, args: Record<string, unknown>, text?: string): string {
  const hint = HINTS[name]?.(args);
  return `${text ?? WORDS[name](args)} (${name})${hint ? `. Hint: ${hint}` : ""}`;
}

/**
 * The refusal the contract would give, for a check dal makes before sending: said as a decoded revert is (exit 5),
 * with `text` where dal can say it better (amounts as decimals of the token, where the contract has minor units).
 */
export function refusal(name: string, args: Record<string, unknown>, text?: string): DalError {
  return new DalError(EXIT.REFUSED, `refused: ${sentence(name, args, text)}`);
}


/** Exit code and message for anything a command threw that is not already a DalError. */
export function classify(err: unknown): DalError {
  if (err instanceof DalError) return err;
  const decoded = decodeRevert(err);
  if (decoded) return new DalError(decoded.insufficient ? EXIT.INSUFFICIENT : EXIT.REFUSED, `refused: ${decoded.words}`);
  const e = err as { code?: string; reason?: string | null; shortMessage?: string; message?: string };
  if (lacksGasFunds(err)) {
    return new DalError(EXIT.INSUFFICIENT, "the signing account has too little of the chain's native coin to pay for gas");
  }
  if (e?.code === "CALL_EXCEPTION") {
    return new DalError(EXIT.REFUSED, `refused: ${e.reason ? e.reason : "the contract reverted without a reason"}`);
  }
  if (isUnreachable(err)) return new DalError(EXIT.UNREACHABLE, `lost the connection: ${e?.shortMessage ?? e?.message}`);
  return new DalError(EXIT.INTERNAL, e?.shortMessage ?? e?.message ?? String(err));
}
