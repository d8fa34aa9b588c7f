// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IDataExchange} from "./IDataExchange.sol";

/// @title Attestations and accounting records for data assets.
/// @notice Accredited assessors and appraisers attest compliance, quality and value; an entity (or an accountant it
/// authorises) keeps its accounting "book" for a data asset under 财会〔2023〕11号: recognition as intangible asset,
/// inventory or development expenditure, cost entries, ready-for-use, impairment / write-down and reversal,
/// derecognition. Entries are never edited: attestations are superseded or revoked by their author.
/// An intangible asset is amortised from the month it is ready for use (CAS 6): recognised by `recognise`, it is ready
/// on its recognition date; recognised by `recogniseAwaitingUse` (e.g. bought, then cleaned and integrated), it is
/// ready on the date `readyForUse` records, keeping its source (purchased / other).
interface IAssetLedger {
    enum AttestationKind {
        Compliance,
        Quality,
        Appraisal
    }

    enum ValuationMethod {
        Cost,
        Market,
        Income
    }

    enum Category {
        Intangible, // 无形资产
        Inventory, // 存货
        Development // 开发支出 (development in progress)
    }

    enum CostSource {
        Purchased, // 外购
        SelfDeveloped, // 自行开发 / 自行加工
        Other // 其他方式
    }

    enum CostPhase {
        None, // acquisition or processing cost
        Research, // expensed, never capitalised
        Development // capitalised in development expenditure
    }

    enum DerecognitionReason {
        Sale, // 处置 / 出售
        Lapse, // 失效且终止确认
        Other
    }

    struct Attestation {
        uint64 assetId;
        AttestationKind kind;
        address author;
        uint40 attestedAt;
        uint40 revokedAt;
        uint64 supersededBy;
    }

    struct Book {
        address entity;
        Category category;
        CostSource source;
        uint16 usefulLifeMonths; // 0 = indefinite (not amortised); inventory is never amortised
        uint40 recognisedOn;
        uint40 readyOn; // intangible: amortisation starts this month; 0 while in development or awaiting use
        uint40 derecognisedOn;
        uint64 assetId;
        uint40 lastEntryOn; // entries are chronological: none may be dated before this
        address currency; // ERC-20 whose minor units the amounts are in
        uint128 cost; // capitalised cost so far
        uint128 impairment; // intangible / development: impairment (never reversed); inventory: write-down net of reversals
        uint128 residualValue;
    }

    event ComplianceAttested(
        uint256 indexed attestationId,
        uint256 indexed assetId,
        address indexed author,
        bool passed,
        bytes32 reportHash,
        uint256 supersedes,
        uint64 attestedAt
    );
    event QualityAttested(
        uint256 indexed attestationId,
        uint256 indexed assetId,
        address indexed author,
        uint8[6] scores, // accuracy, consistency, completeness, conformity, timeliness, accessibility (0-100)
        bytes32 reportHash,
        uint256 supersedes,
        uint64 attestedAt
    );
    event AppraisalAttested(
        uint256 indexed attestationId,
        uint256 indexed assetId,
        address indexed author,
        ValuationMethod method,
        uint256 value,
        address currency,
        uint64 valuationDate,
        bytes32 reportHash,
        uint256 supersedes,
        uint64 attestedAt
    );
    event AttestationRevoked(uint256 indexed attestationId, uint256 indexed assetId, address indexed author, string reason, uint64 revokedAt);

    event AccountantSet(address indexed entity, address indexed accountant, bool authorised, uint64 setAt);
    event BookOpened(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        Category category,
        CostSource source,
        uint16 usefulLifeMonths,
        uint128 residualValue,
        address currency,
        uint64 date,
        uint64 readyOn, // intangible ready for use on recognition: = date; 0 while not ready (development, awaiting use) and for inventory
        bytes32 evidenceHash,
        address recordedBy
    );
    /// @notice `orderId` is 0 or a settled exchange order bought by the book's entity (checked when recorded).
    event CostRecorded(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        uint128 amount,
        CostSource source,
        CostPhase phase,
        uint64 date,
        uint256 orderId,
        bytes32 evidenceHash,
        address recordedBy
    );
    /// @notice A development book becomes an intangible asset, or an intangible book awaiting use becomes ready.
    event ReadyForUse(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        uint16 usefulLifeMonths,
        uint64 date,
        bytes32 evidenceHash,
        address recordedBy
    );
    /// @notice Impairment of an intangible / development book, or write-down of an inventory book.
    event ImpairmentRecorded(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        uint128 amount,
        uint64 date,
        bytes32 evidenceHash,
        address recordedBy
    );
    event WriteDownReversed(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        uint128 amount,
        uint64 date,
        bytes32 evidenceHash,
        address recordedBy
    );
    event Derecognised(
        uint256 indexed bookId,
        address indexed entity,
        uint256 indexed assetId,
        DerecognitionReason reason,
        uint128 proceeds,
        uint64 date,
        bytes32 evidenceHash,
        address recordedBy
    );

    error ZeroHash();
    error ZeroAmount();
    error InvalidScore(uint8 score);
    error InvalidCurrency(address currency);
    error DateBeforeRules(uint64 date);
    error DateInFuture(uint64 date);
    error DateBeforeRecognition(uint64 date, uint64 recognisedOn);
    error DateBeforeLastEntry(uint64 date, uint64 lastEntryOn);
    error MissingDate();
    error UnknownAttestation(uint256 attestationId);
    error NotAuthor(uint256 attestationId, address account);
    error AttestationClosed(uint256 attestationId);
    error SupersedeMismatch(uint256 attestationId);
    error UnknownBook(uint256 bookId);
    error NotEntityOrAccountant(address entity, address account);
    error WrongCategory(uint256 bookId, Category category);
    error WrongPhase(uint256 bookId, CostPhase phase);
    error InvalidUsefulLife(uint16 months);
    error BookClosed(uint256 bookId);
    error ExceedsCarryingBound(uint256 amount, uint256 bound);
    error InvalidRecipient(address account);
    error TextTooLong(uint256 length, uint256 max);
    /// @notice The intangible book is already ready for use (since `readyOn`): its ready date is recorded once.
    error AlreadyReadyForUse(uint256 bookId, uint64 readyOn);
    /// @notice A self-developed asset not yet ready for use is development expenditure: open a Development book.
    error InvalidSource(CostSource source);
    /// @notice A cost's order link names no order of the exchange.
    error UnknownOrder(uint256 orderId);
    /// @notice A cost's order link names an order that is not settled (yet, or refunded).
    error OrderNotSettled(uint256 orderId, IDataExchange.OrderStatus status);
    /// @notice A cost's order link names an order bought by someone other than the book's entity.
    error OrderNotBoughtByEntity(uint256 orderId, address buyer, address entity);

    /// @notice An assessor (ASSESSOR_ROLE) attests a compliance assessment (合规评估). `supersedes` 0 or an earlier
    /// attestation of the caller's of the same kind and asset.
    function attestCompliance(uint256 assetId, bool passed, bytes32 reportHash, uint256 supersedes) external returns (uint256);

    /// @notice An assessor attests quality scores (0-100) for the six dimensions.
    function attestQuality(uint256 assetId, uint8[6] calldata scores, bytes32 reportHash, uint256 supersedes)
        external
        returns (uint256);

    /// @notice An appraiser (APPRAISER_ROLE) attests a valuation report.
    function attestAppraisal(
        uint256 assetId,
        ValuationMethod method,
        uint256 value,
        address currency,
        uint64 valuationDate,
        bytes32 reportHash,
        uint256 supersedes
    ) external returns (uint256);

    /// @notice The author revokes its attestation.
    function revokeAttestation(uint256 attestationId, string calldata reason) external;

    /// @notice The caller (an entity) authorises or de-authorises an accountant to record for it.
    function setAccountant(address accountant, bool authorised) external;

    /// @notice Open a book: recognise a data asset in `entity`'s accounts. An intangible asset is ready for use (and
    /// amortised from) its recognition date; for one that becomes ready later use `recogniseAwaitingUse`.
    function recognise(
        address entity,
        uint256 assetId,
        Category category,
        CostSource source,
        uint16 usefulLifeMonths,
        uint128 residualValue,
        address currency,
        uint64 date,
        bytes32 evidenceHash
    ) external returns (uint256 bookId);

    /// @notice Open an intangible-asset book for an asset not yet ready for use (CAS 6: e.g. bought on `date`, then
    /// desensitised, cleaned and integrated): on the balance sheet at cost, not amortised until `readyForUse` records
    /// its ready date and useful life. The source stays as given (purchased or other); a self-developed asset not yet
    /// ready is development expenditure instead (`recognise` with Category.Development), so SelfDeveloped reverts
    /// InvalidSource.
    function recogniseAwaitingUse(
        address entity,
        uint256 assetId,
        CostSource source,
        uint128 residualValue,
        address currency,
        uint64 date,
        bytes32 evidenceHash
    ) external returns (uint256 bookId);

    /// @notice A cost entry; `orderId` links a purchase on the exchange (0 for none), which must be settled and bought
    /// by the book's entity (else UnknownOrder, OrderNotSettled or OrderNotBoughtByEntity). Research-phase costs are
    /// recorded but not capitalised.
    function addCost(
        uint256 bookId,
        uint128 amount,
        CostSource source,
        CostPhase phase,
        uint64 date,
        uint256 orderId,
        bytes32 evidenceHash
    ) external;

    /// @notice The asset is ready for use on `date` and amortised from `date`'s month over `usefulLifeMonths` (0 =
    /// indefinite): development expenditure becomes an intangible asset, or an intangible book opened by
    /// `recogniseAwaitingUse` gets its ready date (once; its source is unchanged). Not before the book's last entry,
    /// not in the future. An intangible book already ready reverts AlreadyReadyForUse; inventory WrongCategory.
    function readyForUse(uint256 bookId, uint16 usefulLifeMonths, uint64 date, bytes32 evidenceHash) external;

    /// @notice Impairment (intangible / development; never reversed) or inventory write-down.
    function impair(uint256 bookId, uint128 amount, uint64 date, bytes32 evidenceHash) external;

    /// @notice Reverse an inventory write-down, up to the amount written down.
    function reverseWriteDown(uint256 bookId, uint128 amount, uint64 date, bytes32 evidenceHash) external;

    /// @notice Derecognise: sale, lapse of rights, or other. Closes the book.
    function derecognise(uint256 bookId, DerecognitionReason reason, uint128 proceeds, uint64 date, bytes32 evidenceHash)
        external;

    function attestationOf(uint256 attestationId) external view returns (Attestation memory);

    function bookOf(uint256 bookId) external view returns (Book memory);

    function isAccountant(address entity, address accountant) external view returns (bool);
}
