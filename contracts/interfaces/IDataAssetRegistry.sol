// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @dev Royalty shares are fractions over BPS ** 4 = 1e16, fine enough for products of basis points over generations.
uint64 constant ROYALTY_DENOMINATOR = 1e16;

// Encumbrance of an asset (Asset.encumbrance), set by the pledge registry (PledgeRegistry) from its live pledges.
/// @dev The holding may not move (registrar-approved or sold) without every pledgee's consent.
uint8 constant ENC_TRANSFER = 1;
/// @dev The registration may not be cancelled without every pledgee's consent.
uint8 constant ENC_CANCEL = 2;
/// @dev The holder may not license (grant, or sell licences) without every pledgee's consent.
uint8 constant ENC_LICENSING = 4;
/// @dev The holder's revenue from the asset (seller's net, royalties as a parent) is paid through the pledge registry.
uint8 constant ENC_REVENUE = 8;
/// @dev An enforcement sale is listed: the pledge registry, not the holder, sells the holding on the exchange.
uint8 constant ENC_ENFORCING = 16;
/// @dev The holding is pledged: the holder's proceeds of a sale of the asset on the exchange (a transfer or licence the
/// pledgees agreed to) go through the pledge registry to them first, as early repayment (arts. 443-444).
uint8 constant ENC_PROCEEDS = 32;

/// @title Data asset registry: registration with public notice, the holding right, versions, lineage.
/// @notice Exchanges (registrars) register data resources and products after a public notice. Approval mints an
/// ERC-721 registration certificate, which *is* the holding right (数据资源持有权). Integrators code against this
/// interface; every state change emits one self-contained event.
interface IDataAssetRegistry {
    /// @notice Lifecycle of a registration. "Expired" is not stored: an Active asset past `validUntil` is expired.
    enum Status {
        None,
        InNotice, // submitted, in (or past) public notice, awaiting the registrar
        Rejected, // refused by the registrar or stopped by an upheld objection
        Active, // approved: certificate issued
        Cancelled // 注销 after approval, or withdrawn by the applicant before approval
    }

    enum AssetKind {
        Resource, // 数据资源
        Product // 数据产品
    }

    enum SourceType {
        SelfCollected,
        Purchased,
        PublicAuthorised // public data under authorised operation (授权运营)
    }

    /// @notice Classification grade (分类分级). Core data is never registered.
    enum Grade {
        General,
        Important,
        Core
    }

    enum UpdateFrequency {
        Once,
        Realtime,
        Daily,
        Weekly,
        Monthly,
        Quarterly,
        Yearly
    }

    /// @notice What an applicant submits. Descriptive fields live in the metadata document (hash on chain) and in
    /// the submission event; only what the contracts act on is kept in storage.
    struct Submission {
        bytes32 contentHash; // hash of the data (a Merkle root for a directory); never the data itself
        bytes32 metadataHash; // hash of the metadata document at metadataURI
        string metadataURI;
        string name;
        AssetKind kind;
        SourceType sourceType;
        bytes32 sourceEvidenceHash; // evidence of lawful source (authorisation, purchase contract...)
        Grade grade;
        uint64 records;
        uint64 sizeBytes;
        UpdateFrequency updateFrequency;
        uint16 registrarId;
        uint32 validityPeriod; // seconds the certificate is valid from approval, whole days (e.g. 3 years)
        uint256[] parentIds; // source assets this one derives from
        uint16[] parentSharesBps; // each parent's share of this asset's net revenue, in basis points
    }

    /// @notice One line of an asset's flattened upstream royalty table, fixed at submission.
    /// `share` is the fraction of the asset's net sale revenue due to `assetId`'s holder, over ROYALTY_DENOMINATOR.
    struct RoyaltyEntry {
        uint64 assetId;
        uint64 share;
        uint8 depth; // 1 = direct parent
    }

    /// @notice Stored state of an asset.
    /// @dev Two storage slots. The first is written once at submission (only the holder changes later); the second
    /// is first written at approval (or by an objection, a rejection or a withdrawal), so a registration costs two
    /// new slots with its content record, not three. In storage, `status` is None and `versionCount` 0 while in
    /// notice with one version; assetOf returns them as InNotice and 1.
    struct Asset {
        address holder; // the applicant until approval; then the holder of the registration certificate
        uint16 registrarId;
        AssetKind kind;
        SourceType sourceType;
        Grade grade;
        uint32 noticeEndsAt; // unix seconds (to 2106)
        uint8 encumbrance; // ENC_* flags: what live pledges restrict (PledgeRegistry)
        uint16 validityDays; // the certificate's validity from approval, in days
        Status status;
        uint40 approvedAt;
        uint40 validUntil;
        uint40 endedAt; // when rejected or cancelled
        uint16 openObjections;
        uint16 versionCount;
        uint24 registrationSeq; // 1..999,999: the number's 6-digit sequence
        uint16 registrationYear;
        // The latest end of term of a licence sold through the exchange (unix seconds; saturates in 2106): until
        // then the holder cannot cancel.
        uint32 paidLicencesUntil;
    }

    struct Registrar {
        string code; // e.g. "SZDE": first part of every registration number it issues
        uint32 noticePeriod; // seconds of public notice (公示期)
        bool active;
    }

    struct Objection {
        uint64 assetId;
        address objector;
        bool open;
        bool upheld;
        bytes32 evidenceHash;
    }

    // ---------------------------------------------------------------- events

    event RegistrarAdded(uint16 indexed registrarId, string code, uint32 noticePeriod, address indexed by);
    event RegistrarUpdated(uint16 indexed registrarId, string code, uint32 noticePeriod, bool active, address indexed by);

    /// @notice A registration was submitted and its public notice started.
    event RegistrationSubmitted(
        uint256 indexed assetId,
        address indexed applicant,
        uint16 indexed registrarId,
        Submission submission,
        RoyaltyEntry[] royalties,
        uint64 submittedAt,
        uint64 noticeEndsAt
    );
    event ObjectionFiled(
        uint256 indexed objectionId,
        uint256 indexed assetId,
        address indexed objector,
        bytes32 evidenceHash,
        uint64 filedAt
    );
    event ObjectionResolved(
        uint256 indexed objectionId,
        uint256 indexed assetId,
        address indexed resolver,
        bool upheld,
        bytes32 resolutionHash,
        uint64 resolvedAt
    );
    /// @notice approveBatch left `assetId` in its state: `reason` is the selector of the error approveRegistration
    /// would have given (OpenObjections, NoticeNotOver, WrongStatus, RegistrarInactive or SequenceExhausted).
    event ApprovalSkipped(uint256 indexed assetId, address indexed registrar, bytes4 reason);
    /// @notice The registrar approved: the certificate (token `assetId`) was minted to `holder`.
    event RegistrationApproved(
        uint256 indexed assetId,
        address indexed holder,
        uint16 indexed registrarId,
        string registrationNumber,
        address approver,
        uint64 approvedAt,
        uint64 validUntil
    );
    event RegistrationRejected(
        uint256 indexed assetId,
        uint16 indexed registrarId,
        address indexed by,
        string reason,
        uint64 rejectedAt
    );
    /// @notice A new content hash superseded the current one; earlier versions stay queryable.
    event VersionAdded(
        uint256 indexed assetId,
        uint32 indexed version,
        bytes32 contentHash,
        bytes32 metadataHash,
        address indexed by,
        uint64 addedAt
    );
    /// @notice 变更: descriptive data changed (content changes are versions).
    event RegistrationChanged(
        uint256 indexed assetId,
        address indexed by,
        bytes32 metadataHash,
        string metadataURI,
        uint64 records,
        uint64 sizeBytes,
        UpdateFrequency updateFrequency,
        uint64 changedAt
    );
    event HoldingTransferRequested(
        uint256 indexed assetId,
        address indexed from,
        address indexed to,
        bytes32 evidenceHash,
        uint64 requestedAt
    );
    event HoldingTransferRequestCancelled(uint256 indexed assetId, address indexed from, uint64 cancelledAt);
    /// @notice The holding right moved, approved by the registrar (`orderId` 0) or settled by the exchange.
    event HoldingTransferred(
        uint256 indexed assetId,
        address indexed from,
        address indexed to,
        address by,
        uint256 orderId,
        uint64 transferredAt
    );
    event RegistrationCancelled(uint256 indexed assetId, address indexed by, string reason, uint64 cancelledAt);

    event RegistrationRenewed(
        uint256 indexed assetId,
        address indexed by,
        uint64 previousValidUntil,
        uint64 validUntil,
        uint64 renewedAt
    );

    // ---------------------------------------------------------------- errors

    error UnknownRegistrar(uint16 registrarId);
    error RegistrarInactive(uint16 registrarId);
    error InvalidRegistrarCode(string code);
    error DuplicateRegistrarCode(string code);
    error InvalidNoticePeriod(uint32 noticePeriod);
    error InvalidValidityPeriod(uint32 validityPeriod);
    error ZeroHash();
    error EmptyName();
    error CoreDataRefused();
    error ContentAlreadyRegistered(bytes32 contentHash, uint256 assetId);
    error TooManyParents(uint256 count, uint256 max);
    error ParentSharesLengthMismatch();
    error UnknownParent(uint256 parentId);
    error DuplicateParent(uint256 parentId);
    error SharesExceedTotal(uint256 totalBps);
    error RoyaltyTableTooLarge(uint256 entries, uint256 max);
    error UnknownAsset(uint256 assetId);
    error WrongStatus(uint256 assetId, Status status);
    error NotInNotice(uint256 assetId);
    error NoticeNotOver(uint256 assetId, uint64 noticeEndsAt);
    error OpenObjections(uint256 assetId, uint16 count);
    error AlreadyObjecting(uint256 assetId, address objector);
    error UnknownObjection(uint256 objectionId);
    error ObjectionClosed(uint256 objectionId);
    error NotRegistrar(uint256 assetId, address account);
    error NotHolder(uint256 assetId, address account);
    error NotHolderOrRegistrar(uint256 assetId, address account);
    error AssetNotActive(uint256 assetId);
    error AssetExpired(uint256 assetId, uint64 validUntil);
    error InvalidRecipient(address to);
    error NoTransferRequest(uint256 assetId);
    error HoldingTransferRestricted(uint256 assetId);
    error RenewalTooLong(uint64 validUntil, uint64 max);
    error RenewalNotLater(uint64 validUntil, uint64 current);
    error TextTooLong(uint256 length, uint256 max);
    error RegistrationNotApproved(uint256 assetId);
    error TransferRequestChanged(uint256 assetId, address pendingTo, bytes32 pendingEvidenceHash);
    error PaidLicencesLive(uint256 assetId, uint64 until);
    error TooManyVersions(uint256 assetId);
    error SequenceExhausted(uint16 registrarId, uint16 year);
    error BatchSize(uint256 count, uint256 max);
    /// @notice Live pledges restrict this (ENC_* flags): every pledgee must consent first (PledgeRegistry).
    error Encumbered(uint256 assetId, uint8 encumbrance);
    error NotPledgeRegistry(address account);
    error PledgeRegistrySet(address pledgeRegistry);
    /// @notice Item `index` of a submitBatch was refused with `reason` (the item's own error); nothing was submitted.
    error BatchItemFailed(uint256 index, bytes reason);

    // ---------------------------------------------------------------- registrars (admin)

    /// @notice Add a registrar (an exchange) with its code and notice period. Grant it `registrarRole(id)` after.
    /// @param code 2-8 characters A-Z / 0-9, unique; the prefix of its registration numbers.
    /// @param noticePeriod public notice in seconds, between MIN_NOTICE_PERIOD and MAX_NOTICE_PERIOD.
    /// @return registrarId the new registrar's id (from 1).
    function addRegistrar(string calldata code, uint32 noticePeriod) external returns (uint16 registrarId);

    /// @notice Change a registrar's notice period (applies to later submissions) or (de)activate it.
    function updateRegistrar(uint16 registrarId, uint32 noticePeriod, bool active) external;

    // ---------------------------------------------------------------- registration

    /// @notice Apply to register a data resource or product; starts the registrar's public notice.
    /// @dev Refuses core-grade data, a zero content hash, content already registered, unknown or duplicate parents,
    /// more than MAX_PARENTS parents, shares over 10000 bps, and a royalty table over MAX_ROYALTY_ENTRIES lines.
    /// @return assetId the new asset id (also the certificate's token id once approved).
    function submit(Submission calldata s) external returns (uint256 assetId);

    /// @notice Submit up to MAX_BATCH applications at once, all or nothing: a refused item reverts the batch with
    /// BatchItemFailed(index, its error). The assets get consecutive ids from `firstAssetId`.
    function submitBatch(Submission[] calldata items) external returns (uint256 firstAssetId);

    /// @notice Object to a registration during its public notice, with a hash of the evidence.
    /// @return objectionId the new objection id.
    function object(uint256 assetId, bytes32 evidenceHash) external returns (uint256 objectionId);

    /// @notice The asset's registrar resolves an objection: upheld rejects the registration, dismissed unblocks it.
    function resolveObjection(uint256 objectionId, bool upheld, bytes32 resolutionHash) external;

    /// @notice The asset's registrar approves after the notice ended with no open objection: assigns the
    /// registration number and mints the registration certificate to the applicant.
    function approveRegistration(uint256 assetId) external;

    /// @notice Approve up to MAX_BATCH registrations in one transaction, each as approveRegistration would; one that
    /// cannot be approved now (still in notice, objected, no longer in notice...) is skipped with ApprovalSkipped.
    /// An unknown id, or one another registrar's, reverts the batch: BatchItemFailed(index, its error).
    /// @return approved how many were approved.
    function approveBatch(uint256[] calldata assetIds) external returns (uint256 approved);

    /// @notice The asset's registrar rejects a registration in notice, with a reason.
    function rejectRegistration(uint256 assetId, string calldata reason) external;

    // ---------------------------------------------------------------- after registration

    /// @notice The holder registers a new content hash that supersedes the current one.
    function addVersion(uint256 assetId, bytes32 contentHash, bytes32 metadataHash) external returns (uint32 version);

    /// @notice The holder or its registrar changes the descriptive data (变更).
    function change(
        uint256 assetId,
        bytes32 metadataHash,
        string calldata metadataURI,
        uint64 records,
        uint64 sizeBytes,
        UpdateFrequency updateFrequency
    ) external;

    /// @notice The holder asks its registrar to move the holding right to `to`.
    function requestTransfer(uint256 assetId, address to, bytes32 evidenceHash) external;

    /// @notice The holder withdraws its pending transfer request.
    function cancelTransferRequest(uint256 assetId) external;

    /// @notice The asset's registrar carries out the pending transfer request it reviewed: `to` and `evidenceHash`
    /// must equal the pending request's, so a holder cannot swap the recipient between review and approval.
    function approveTransfer(uint256 assetId, address to, bytes32 evidenceHash) external;

    /// @notice The exchange (EXCHANGE_ROLE) records a licence it sold, in term until `until`: the holder cannot
    /// cancel the registration before then. The licence itself is the RightGranted event issued by the exchange.
    function recordPaidLicence(uint256 assetId, uint64 until) external;

    /// @notice The exchange (EXCHANGE_ROLE) moves the holding right at the settlement of a trade.
    function transferByExchange(uint256 assetId, address from, address to, uint256 orderId) external;

    /// @notice 注销: the holder or registrar cancels an approved registration; the applicant may withdraw one in notice.
    /// The holder cannot cancel while a licence sold through the exchange is within its term (the registrar can,
    /// for cause).
    function cancel(uint256 assetId, string calldata reason) external;

    /// @notice 续证: the registrar extends an unexpired registration to `newValidUntil` (at most MAX_VALIDITY from now).
    function renew(uint256 assetId, uint64 newValidUntil) external;

    // ---------------------------------------------------------------- views

    /// @notice Whether the asset was approved, not cancelled and not expired at time `at`.
    function isActive(uint256 assetId, uint64 at) external view returns (bool);

    function assetOf(uint256 assetId) external view returns (Asset memory);

    function holderOf(uint256 assetId) external view returns (address);

    /// @notice The end of the registration's validity (0 before approval).
    function validUntilOf(uint256 assetId) external view returns (uint64);

    function registrar(uint16 registrarId) external view returns (Registrar memory);

    /// @notice The AccessControl role of a registrar's operators.
    function registrarRole(uint16 registrarId) external pure returns (bytes32);

    /// @notice Whether `account` operates the registrar the asset was submitted to.
    function isRegistrarOf(uint256 assetId, address account) external view returns (bool);

    /// @notice e.g. "SZDE-2026-000042"; empty before approval.
    function registrationNumber(uint256 assetId) external view returns (string memory);

    /// @notice The latest registration (and its version) of a content hash; zeros if none. That registration may have
    /// ended (check its status): an ended registration frees its content for a new one.
    function findContent(bytes32 contentHash) external view returns (uint256 assetId, uint32 version, uint64 registeredAt);

    function royaltiesOf(uint256 assetId) external view returns (RoyaltyEntry[] memory);

    /// @notice The royalty table with each line's payee: the current holder of that upstream asset, or the pledge
    /// registry where that holder's revenue is pledged. One call for settlement instead of one per line.
    /// `pledged`: bit i set: line i's share goes through the pledge registry (`payees[i]` is it); bit 255 set:
    /// so does the holder's own share of a sale of `assetId` (revenue pledged, or an enforcement sale).
    function royaltyPayeesOf(uint256 assetId)
        external
        view
        returns (RoyaltyEntry[] memory entries, address[] memory payees, uint256 pledged);

    /// @notice Who may sell the holding (`licence` false) or license the asset (`licence` true) now, as holder, a
    /// sale that needs the registration active through `activeUntil` (>= now): the holder unless a live pledge
    /// restricts it; the pledge registry during an enforcement sale of the holding; zero when no one may (encumbered,
    /// or not active through then). The exchange's settlement check, in one call.
    function sellerOf(uint256 assetId, bool licence, uint64 activeUntil) external view returns (address);

    /// @notice Whether `seller` may sell the holding or license the asset now, as holder (see sellerOf); reverts
    /// with Encumbered where `seller` is the holder but live pledges restrict it. The exchange's listing check.
    function checkSeller(uint256 assetId, address seller, bool licence) external view returns (bool);

    // ---------------------------------------------------------------- pledges

    /// @notice The pledge registry (zero until the admin sets it, once).
    function pledgeRegistry() external view returns (address);

    /// @notice The admin names the pledge registry, once.
    function setPledgeRegistry(address pledgeRegistry_) external;

    /// @notice The pledge registry records what the asset's live pledges restrict (ENC_* flags).
    function setEncumbrance(uint256 assetId, uint8 encumbrance) external;

    function objectionOf(uint256 objectionId) external view returns (Objection memory);

    function pendingTransferOf(uint256 assetId) external view returns (address to, bytes32 evidenceHash);
}
